// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguardd - keeps the kernel policy equal to the camera's P2P switch.
 *
 * Start-up, in the order that keeps the device safe: read the
 * configuration; pick the backend (the eBPF program where a cgroup_skb
 * program can attach, else the kernel module); for eBPF, make sure bpffs
 * and cgroup2 are mounted; load the backend, reusing what the kernel
 * keeps from an earlier run (pinned maps, the loaded module); write the
 * policy; only then enforce it (attach, or atomically replace the
 * attached program, and pin).  Fail loudly when nothing can be enforced.
 * Only then detach from the terminal, so an init script that waits for
 * us knows the policy is in force before the vendor daemons start.  Then
 * follow the switch (loop.c).  SIGTERM leaves enforcement in place: the
 * pinned link, or the loaded module, outlives the process.
 *
 * This file owns the exit status: every other part returns a negative
 * errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "bpflog.h"
#include "multicall.h"
#include "p2pguardd.h"
#include "sys.h"

/* Mount bpffs and cgroup2, probe the kernel, say what it lacks. */
static void probe_ebpf(struct daemon *d)
{
	char have[256], miss[256];

	ensure_mounts();
	p2pg_features_probe(&d->feat);
	d->probed = 1;
	p2pg_features_string(&d->feat, 0, have, sizeof(have));
	p2pg_features_string(&d->feat, 1, miss, sizeof(miss));
	logmsg(LOG_INFO, "kernel features: %s%s%s", have,
	       *miss ? "; missing: " : "", miss);
	if (p2pg_features_fatal(&d->feat) &&
	    d->conf.backend != P2PG_BACKEND_EBPF)
		return;	/* the module's kernel: the eBPF details do not matter */
	if (!d->feat.link)
		logmsg(LOG_WARNING, "no cgroup bpf_link (< 5.7): legacy attachment");
	if (!d->feat.ringbuf)
		logmsg(LOG_WARNING, "no BPF ring buffer (< 5.8): events through a perf buffer");
	if (!d->feat.sk_storage)
		logmsg(LOG_WARNING, "no socket storage (< 5.2): TCP verdicts kept in an LRU by socket cookie");
	if (!d->feat.btf)
		logmsg(LOG_WARNING, "no vmlinux BTF: no stats iterator; read counters with p2pguardctl stats");
}

/* libbpf's lines into the log (bpflog.c), the verifier's one by one. */
static void libbpf_line(enum libbpf_print_level level, const char *line)
{
	logmsg(level == LIBBPF_WARN ? LOG_WARNING : LOG_INFO, "libbpf: %s",
	       line);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: p2pguardd [--foreground] [--once] [--config FILE] [--cgroup PATH]\n"
		"                 [--pin-dir DIR]\n"
		"Keeps the kernel P2P policy equal to the device's P2P switch.\n"
		"  -f, --foreground  stay in the foreground, log to stderr\n"
		"  -1, --once        apply the policy, attach, and exit\n"
		"  -c, --config FILE configuration (default " P2PG_CONF_PATH ")\n"
		"  -g, --cgroup PATH cgroup to enforce on (default: the cgroup2 root)\n"
		"  -p, --pin-dir DIR bpffs directory (default " P2PG_PIN_DIR ")\n"
		"Exit status: 0 enforcing (or exited on SIGTERM with enforcement left\n"
		"in place), 1 nothing enforced (reason logged and in the status file,\n"
		"default " P2PG_RUN_DIR "/" P2PG_STATUS_FILE "), 2 usage or configuration error.\n");
}

/*
 * The backend: the module when the configuration says so, or when eBPF
 * cannot enforce here and the configuration allows the module.  Return:
 * 0, or -ENOTSUP when the configured eBPF cannot enforce (said why).
 */
static int choose_backend(struct daemon *d)
{
	const char *fatal;

	if (d->conf.backend != P2PG_BACKEND_MODULE) {
		probe_ebpf(d);
		fatal = p2pg_features_fatal(&d->feat);
		if (!fatal || d->conf.backend == P2PG_BACKEND_EBPF) {
			d->be.ops = &p2pg_ebpf_backend;
			if (fatal) {
				not_enforced(d, "%s", fatal);
				return -ENOTSUP;
			}
			return 0;
		}
		logmsg(LOG_WARNING, "eBPF cannot enforce here (%s): using the kernel module",
		       fatal);
	}
	d->be.ops = &p2pg_module_backend;
	/* Agent cgroups are named by cgroup2 ids: mount it for them. */
	if (d->conf.n_agent_cgroups)
		ensure_cgroup2();
	return 0;
}

/*
 * The maps' sizes: the run-time ones from the configuration, the policy's
 * from the policy it asks for (whose lists do not depend on the switch).
 * A bad list is reported by apply_policy(); the floors do until then.
 */
static void size_maps(struct daemon *d)
{
	struct p2pg_policy p;
	char err[512];

	p2pg_map_sizes_init(&d->be.sizes, d->conf.flows, d->conf.event_buffer,
			    d->conf.event_dests);
	if (p2pg_conf_policy(&d->conf, 0, &p, err, sizeof(err)))
		return;
	p2pg_map_sizes_policy(&d->be.sizes, &p);
	p2pg_policy_free(&p);
}

/* Load, write the first policy, enforce: 0 or a negative errno. */
static int start_enforcing(struct daemon *d)
{
	int r;

	size_maps(d);
	r = d->be.ops->load(&d->be);
	if (r) {
		not_enforced(d, "%s", d->be.msg);
		return r;
	}
	logmsg(LOG_NOTICE, "backend: %s%s%s%s", d->be.ops->name,
	       d->be.detail[0] ? " (" : "", d->be.detail,
	       d->be.detail[0] ? ")" : "");
	adopt_previous(d);
	read_switch(d);
	r = apply_policy(d);
	if (r) {
		not_enforced(d, "cannot write the policy");
		return r;
	}
	r = d->be.ops->enforce(&d->be);
	if (r) {
		not_enforced(d, "%s", d->be.msg);
		return r;
	}
	write_status(d, NULL);
	logmsg(LOG_NOTICE, "enforcing on %s: P2P %s, %s%s (generation %u)",
	       d->be.where, d->p2p_on ? "on" : "off",
	       d->conf.mode == P2PG_MODE_AUDIT ? "audit" : "enforce",
	       d->conf.lockdown ? ", lockdown" : "", d->generation);
	return 0;
}

/*
 * Detach only now that the policy is in force, and let the parent exit
 * only once the child has its pid file and event loop: an init script
 * that waits for us sees a running daemon.  Return: in the child, the
 * write end of the readiness pipe; in the parent, -1 with *exit_status
 * set; -1 with *exit_status 1 when fork failed.
 */
static int daemonise(struct daemon *d, int *exit_status)
{
	int ready[2], fd;
	char c = 0;
	pid_t pid;

	pid = pipe2(ready, O_CLOEXEC) ? -1 : fork();
	if (pid < 0) {
		logmsg(LOG_ERR, "fork: %s", strerror(errno));
		*exit_status = 1;
		return -1;
	}
	if (pid > 0) {
		close(ready[1]);
		/* EOF without a byte: the child failed and said why. */
		*exit_status = read(ready[0], &c, 1) == 1 ? 0 : 1;
		return -1;
	}
	close(ready[0]);
	setsid();
	if (chdir("/"))
		logmsg(LOG_WARNING, "chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	log_to_syslog();
	write_status(d, NULL);
	return ready[1];
}

static void write_pid_file(struct daemon *d, char *path, size_t len)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	snprintf(path, len, "%s/p2pguardd.pid", d->conf.run_dir);
	p2pg_write_file_atomic(path, pid, n);
}

int p2pguardd_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, '1' },
		{ "config", required_argument, NULL, 'c' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .conf_path = P2PG_CONF_PATH, .wd = -1,
			    .export_fd = -1, .tick_fd = -1,
			    .ev_fd = -1 };
	int foreground = 0, once = 0, ready_fd = -1, c, r = 1;
	char err[512], pid_path[PATH_MAX];

	while ((c = getopt_long(argc, argv, "f1c:g:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = 1;
			break;
		case '1':
			once = 1;
			break;
		case 'c':
			d.conf_path = optarg;
			break;
		case 'g':
			d.cgroup_opt = optarg;
			break;
		case 'p':
			d.pin_dir_opt = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	p2pg_bpflog_setup(LIBBPF_INFO, libbpf_line);
	p2pg_conf_defaults(&d.conf);
	if (p2pg_conf_load(&d.conf, d.conf_path, err, sizeof(err)) ||
	    command_refused(&d.conf, err, sizeof(err))) {
		logmsg(LOG_ERR, "%s", err);
		return 2;
	}
	p2pg_backend_init(&d.be, NULL,
			  d.pin_dir_opt ? d.pin_dir_opt : d.conf.pin_dir);
	d.be.cgroup_name = d.cgroup_opt ? d.cgroup_opt : d.conf.cgroup;
	d.be.module_file = d.conf.module;
	d.be.feat = &d.feat;
	d.be.log = logmsg;

	/* Exit 1: nothing enforced, said why (log and status file). */
	if (choose_backend(&d) || start_enforcing(&d))
		return 1;
#ifdef __GLIBC__
	/*
	 * Loading parsed BTF (the kernel's, where it has it: megabytes) and
	 * the object; give the freed heap back, or it stays resident.
	 */
	malloc_trim(0);
#endif
	if (once)
		return 0;

	if (!foreground) {
		ready_fd = daemonise(&d, &r);
		if (ready_fd < 0)
			return r;
	}
	write_pid_file(&d, pid_path, sizeof(pid_path));
	r = setup_loop(&d);
	if (r) {
		logmsg(LOG_ERR, "event loop: %s; enforcement stays, the switch is no longer followed",
		       strerror(-r));
		return 1;
	}
	if (ready_fd >= 0) {
		if (write(ready_fd, "", 1) != 1)
			logmsg(LOG_WARNING, "cannot signal readiness: %s",
			       strerror(errno));
		close(ready_fd);
	}
	r = run_loop(&d);
	export_wait(&d);
	unlink(pid_path);
	d.be.ops->close(&d.be);
	p2pg_conf_free(&d.conf);
	return r ? 1 : 0;
}
