// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * p2pguardctl.c - the command line: a table of subcommands.  Options given
 * before the subcommand (--config, --pin-dir) are handed to it as if given
 * after its name.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpflog.h"
#include "conf.h"
#include "ctl.h"
#include "replay.h"

#ifndef P2PG_VERSION
#define P2PG_VERSION "0.1"
#endif

static int cmd_replay(int argc, char **argv);
static int cmd_version(int argc, char **argv);

/**
 * struct ctl_cmd - one subcommand.
 * @name:    as typed.
 * @fn:      gets argv from its own name on; returns the exit status.
 * @globals: takes the common options (--config, --pin-dir).
 * @args:    synopsis of its arguments, for the usage text.
 * @help:    one line.
 */
struct ctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	int globals;
	const char *args;
	const char *help;
};

static const struct ctl_cmd cmds[] = {
	{ "status", p2pg_ctl_status, 1, "[--json]",
	  "enforced or not and why (exit 1 when not)" },
	{ "stats", p2pg_ctl_stats, 1, "[--json | --openmetrics]",
	  "per-reason packet and byte counters" },
	{ "p2p", p2pg_ctl_p2p, 1, "on|off",
	  "set the switch (source = state only)" },
	{ "events", p2pg_ctl_events, 1,
	  "[--follow] [--json] [--since SECS] [--tail N]",
	  "drop events from the event log" },
	{ "top", p2pg_ctl_top, 1, "[--json] [--count N]",
	  "the destinations blocked most" },
	{ "replay", cmd_replay, 1,
	  "[--json] [--config FILE] [--p2p on|off] [--mode enforce|audit]\n"
	  "         [--lockdown] [--direction egress|both] [--self ADDR]\n"
	  "         [--no-reassembly] CAPTURE",
	  "run a pcap/pcapng capture through the real program" },
	{ "unload", p2pg_ctl_unload, 1, "",
	  "stop p2pguardd, detach, remove every pin (or the module)" },
	{ "exec-agent", p2pg_ctl_exec_agent, 1, "-- CMD [ARGS]",
	  "run a vendor daemon in the agent cgroup" },
	{ "version", cmd_version, 0, "", "print the version" },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: p2pguardctl [--config FILE] [--pin-dir DIR] COMMAND [ARGS]\n"
		   "       p2pguardctl --help\n\ncommands:\n");
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "  %s%s%s\n      %s\n", cmds[i].name,
			cmds[i].args[0] ? " " : "", cmds[i].args, cmds[i].help);
	fprintf(f,
		"\noptions:\n"
		"  -c, --config FILE  configuration (default " P2PG_CONF_PATH ")\n"
		"  -p, --pin-dir DIR  bpffs directory of the pins (default from the\n"
		"                     configuration, " P2PG_PIN_DIR ")\n"
		"\nreplay uses the built-in policy, changed by its own options, or with\n"
		"its own --config the policy of that configuration; it needs the\n"
		"privileges to load BPF programs but attaches nothing.\n"
		"\nexit status: 0 ok (status: enforced), 1 failure, bad input or\n"
		"capture (status: NOT ENFORCED), 2 usage error or the program cannot\n"
		"be loaded.\n");
}

static int cmd_version(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: p2pguardctl version\n");
		return 2;
	}
	printf("p2pguardctl %s (ABI %d)\n", P2PG_VERSION, P2PG_ABI_VERSION);
	return 0;
}

static void replay_usage(FILE *f)
{
	fprintf(f,
		"usage: p2pguardctl replay [--json] [--config FILE] [--p2p on|off]\n"
		"                          [--mode enforce|audit] [--lockdown]\n"
		"                          [--direction egress|both] [--self ADDR]...\n"
		"                          [--no-reassembly] CAPTURE\n"
		"Runs every packet of a pcap or pcapng capture (Ethernet, raw IP,\n"
		"Linux cooked v1/v2) through the program with BPF_PROG_TEST_RUN and\n"
		"prints \"N pass|drop REASON [DST]\", or one JSON object per packet.\n"
		"--config FILE judges with that device configuration's policy (LAN,\n"
		"allow and deny lists, keys, mode, lockdown; the switch from its\n"
		"default unless --p2p).  IP fragments are reassembled first: the\n"
		"program sees a local socket's datagram whole (--no-reassembly: each\n"
		"fragment alone; so are those of a datagram never completed).\n"
		"Packets the capture\n"
		"marks inbound are left out (--direction both keeps them);\n"
		"--direction egress also leaves out packets to the device's own\n"
		"addresses (--self, and self_addresses of --config).\n"
		"Exit status: 0 ok, 1 bad input or capture, 2 usage error or the\n"
		"program cannot be loaded.\n");
}

/*
 * --config: the policy of a device's configuration, built by the code
 * p2pguardd builds it with.  The agent cgroups are left out: they name
 * cgroups of the device, and a test run has no socket to be in one.
 */
static int replay_config(const char *path, struct p2pg_replay_opts *o,
			 struct p2pg_policy *p, int p2p, int mode, int lockdown)
{
	struct p2pg_conf c, view;
	char err[512];
	int i, r;

	p2pg_conf_defaults(&c);
	if (p2pg_conf_load(&c, path, err, sizeof(err))) {
		fprintf(stderr, "p2pguardctl: %s\n", err);
		p2pg_conf_free(&c);
		return 1;
	}
	for (i = 0; i < c.n_self_addrs; i++) {
		if (p2pg_replay_add_self(o, c.self_addrs[i])) {
			fprintf(stderr, "p2pguardctl: %s: self_addresses: bad address '%s'\n",
				path, c.self_addrs[i]);
			p2pg_conf_free(&c);
			return 1;
		}
	}
	if (mode >= 0)
		c.mode = mode;
	if (lockdown)
		c.lockdown = 1;
	view = c;
	view.n_agent_cgroups = 0;
	r = p2pg_conf_policy(&view, p2p >= 0 ? p2p : c.default_on, p, err,
			     sizeof(err));
	if (r)
		fprintf(stderr, "p2pguardctl: %s: %s\n", path, err);
	p2pg_conf_free(&c);
	return r ? 1 : 0;
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "direction", required_argument, NULL, 'd' },
		{ "self", required_argument, NULL, 's' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "no-reassembly", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "p2p", required_argument, NULL, 'P' },
		{ "mode", required_argument, NULL, 'm' },
		{ "lockdown", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct p2pg_replay_opts o;
	const char *config = NULL;
	struct p2pg_policy p;
	int c, v, p2p = -1, mode = -1;

	memset(&o, 0, sizeof(o));
	optind = 0;	/* glibc: full re-initialisation after main's scan */
	while ((c = getopt_long(argc, argv, "+c:d:s:p:FjP:m:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'p':
			break;	/* nothing pinned is used */
		case 'F':
			o.no_reassembly = 1;
			break;
		case 'd':
			if (!strcmp(optarg, "egress")) {
				o.direction = P2PG_DIR_EGRESS;
			} else if (!strcmp(optarg, "both")) {
				o.direction = P2PG_DIR_BOTH;
			} else {
				fprintf(stderr,
					"p2pguardctl: --direction takes egress or both, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			if (p2pg_replay_add_self(&o, optarg)) {
				fprintf(stderr,
					"p2pguardctl: --self takes an address, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'j':
			o.json = 1;
			break;
		case 'P':
			v = p2pg_parse_switch(optarg);
			if (v < 0) {
				fprintf(stderr,
					"p2pguardctl: --p2p takes on or off, not '%s'\n",
					optarg);
				return 2;
			}
			o.p2p_on = v;
			p2p = v;
			break;
		case 'm':
			if (!strcmp(optarg, "enforce")) {
				o.audit = 0;
				mode = P2PG_MODE_ENFORCE;
			} else if (!strcmp(optarg, "audit")) {
				o.audit = 1;
				mode = P2PG_MODE_AUDIT;
			} else {
				fprintf(stderr,
					"p2pguardctl: --mode takes enforce or audit, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'l':
			o.lockdown = 1;
			break;
		case 'h':
			replay_usage(stdout);
			return 0;
		default:
			replay_usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		replay_usage(stderr);
		return 2;
	}
	if (!config)
		return p2pg_replay_file(argv[optind], &o, stdout);
	v = replay_config(config, &o, &p, p2p, mode, o.lockdown);
	if (v)
		return v;
	o.policy = &p;
	v = p2pg_replay_file(argv[optind], &o, stdout);
	p2pg_policy_free(&p);
	return v;
}

int p2pguardctl_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "no-reassembly", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *conf = NULL, *pin_dir = NULL, *globals[4], **sub_argv;
	const struct ctl_cmd *cmd = NULL;
	int c, n_glob = 0, sub_argc, i, r;
	size_t k;

	while ((c = getopt_long(argc, argv, "+c:p:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'p':
			pin_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			return cmd_version(1, argv);
		default:
			usage(stderr);
			return 2;
		}
	}
	/* Each global option becomes two words after the subcommand name. */
	if (conf) {
		globals[n_glob++] = "--config";
		globals[n_glob++] = conf;
	}
	if (pin_dir) {
		globals[n_glob++] = "--pin-dir";
		globals[n_glob++] = pin_dir;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (k = 0; k < N_CMDS; k++)
		if (!strcmp(argv[optind], cmds[k].name))
			cmd = &cmds[k];
	if (!cmd) {
		fprintf(stderr, "p2pguardctl: unknown command '%s'\n\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (n_glob && !cmd->globals) {
		fprintf(stderr, "p2pguardctl: %s takes no --config or --pin-dir\n",
			cmd->name);
		return 2;
	}
	/* Warnings only: a verifier rejection is worth seeing, the chatter is not. */
	p2pg_bpflog_setup(LIBBPF_WARN, NULL);

	sub_argc = argc - optind + n_glob;
	sub_argv = calloc(sub_argc + 1, sizeof(*sub_argv));
	if (!sub_argv) {
		fprintf(stderr, "p2pguardctl: out of memory\n");
		return 1;
	}
	sub_argv[0] = argv[optind];
	for (i = 0; i < n_glob; i++)
		sub_argv[1 + i] = globals[i];
	for (i = optind + 1; i < argc; i++)
		sub_argv[i - optind + n_glob] = argv[i];
	r = cmd->fn(sub_argc, sub_argv);
	free(sub_argv);
	return r;
}
