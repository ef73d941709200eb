// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * backend_module.c - the kernel module backend, for kernels where no
 * cgroup_skb program can enforce: the module's netfilter hooks run from
 * module load on, the policy is one blob written to its device, the
 * switch and counters are its sysfs files (kmodule.c), and drop events
 * are records read from the device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "backend.h"
#include "kmodule.h"
#include "p2pguard_blob.h"

/**
 * struct module - the module backend's state.
 * @dev_fd:   the device, open from load to close (p2pguardd only); it
 *            keeps the module in use, which is why unload waits for
 *            p2pguardd (P2PG_BE_HOLDS_DAEMON).
 * @dev_path: where the device was found.
 * @fn:       the event handler, and its @ctx.
 * @ctx:      see @fn.
 */
struct module {
	int dev_fd;
	char dev_path[PATH_MAX];
	p2pg_event_fn fn;
	void *ctx;
};

static struct module *module(struct p2pg_backend *be)
{
	struct module *m = be->priv;

	if (!m) {
		m = calloc(1, sizeof(*m));
		if (m)
			m->dev_fd = -1;
		be->priv = m;
	}
	return m;
}

static int module_load(struct p2pg_backend *be)
{
	struct module *m = module(be);
	const char *want = be->module_file ? be->module_file : "";
	char abi[16] = "";

	if (!m)
		return p2pg_backend_fail(be, -ENOMEM, "out of memory");
	be->module[0] = 0;
	if (!p2pg_mod_loaded()) {
		if (p2pg_mod_find(want, be->module, sizeof(be->module)))
			return p2pg_backend_fail(be, -errno,
						 "the kernel module is not loaded and %s: %s",
						 want[0] ? want :
						 "no " P2PG_MODULE_FILE " in /lib/modules/$(uname -r)/{extra,updates} or /lib/modules",
						 strerror(errno));
		if (p2pg_mod_load(be->module))
			return p2pg_backend_fail(be, -errno,
						 "cannot load the kernel module %s: %s",
						 be->module, errno == ENOSYS ?
						 "this kernel has no module support (CONFIG_MODULES)" :
						 strerror(errno));
		if (!p2pg_mod_loaded())
			return p2pg_backend_fail(be, -ENOENT,
						 "%s is loaded but %s did not appear",
						 be->module, p2pg_mod_sysfs());
		p2pg_backend_log(be, LOG_NOTICE, "loaded the kernel module %s",
				 be->module);
	}
	if (!p2pg_mod_read("abi_version", abi, sizeof(abi)) &&
	    atoi(abi) != P2PG_ABI_VERSION)
		return p2pg_backend_fail(be, -EPROTO,
					 "the loaded module speaks ABI %s, p2pguardd ABI %d: install matching versions",
					 abi, P2PG_ABI_VERSION);
	m->dev_fd = p2pg_mod_open_dev(m->dev_path, sizeof(m->dev_path));
	if (m->dev_fd < 0)
		return p2pg_backend_fail(be, -errno, "cannot open %s: %s",
					 m->dev_path, strerror(errno));
	snprintf(be->detail, sizeof(be->detail), "%s",
		 be->module[0] ? be->module : "already loaded");
	snprintf(be->where, sizeof(be->where),
		 "every socket (kernel module)");
	snprintf(be->attach, sizeof(be->attach), "netfilter");
	return 0;
}

static int module_enforce(struct p2pg_backend *be)
{
	/* The hooks run from module load on: nothing to attach. */
	return 0;
}

static int module_read_config(struct p2pg_backend *be,
			      struct p2pg_config *cfg)
{
	int loaded;

	if (p2pg_mod_config(cfg, &loaded))
		return p2pg_backend_fail(be, -errno, "%s: %s",
					 p2pg_mod_sysfs(), strerror(errno));
	if (!loaded)
		return p2pg_backend_fail(be, -ENODATA,
					 "the module has no policy from p2pguardd");
	return 0;
}

/* The whole policy in one write(2): the module swaps it in or refuses. */
static int module_write_policy(struct p2pg_backend *be,
			       const struct p2pg_policy *p)
{
	struct module *m = be->priv;
	size_t size;
	void *blob;
	ssize_t n;
	int r, e;

	r = p2pg_policy_to_blob(p, &blob, &size);
	if (r)
		return p2pg_backend_fail(be, r,
					 "cannot build the policy blob: %s",
					 strerror(-r));
	n = write(m->dev_fd, blob, size);
	e = errno;
	free(blob);
	if (n == (ssize_t)size)
		return 0;
	if (n < 0 && e == EINVAL)
		return p2pg_backend_fail(be, -e,
					 "the kernel module refused the policy of generation %u (the kernel log says why: \"p2pguard: policy refused: ...\"); it keeps enforcing the previous one",
					 p->cfg.generation);
	if (n < 0)
		return p2pg_backend_fail(be, -e,
					 "writing the policy (%zu bytes) to %s failed: %s; the module keeps the previous one",
					 size, m->dev_path, strerror(e));
	return p2pg_backend_fail(be, -EIO, "%s took %zd of %zu policy bytes",
				 m->dev_path, n, size);
}

/* The sysfs switch: the module bumps its generation itself. */
static int module_set_p2p(struct p2pg_backend *be, int on)
{
	if (!p2pg_mod_loaded())
		return -ENOENT;
	if (p2pg_mod_write("p2p_enabled", on ? "1\n" : "0\n"))
		return p2pg_backend_fail(be, -errno, "%s/p2p_enabled: %s",
					 p2pg_mod_sysfs(), strerror(errno));
	return 0;
}

static int module_read_counters(struct p2pg_backend *be,
				struct p2pg_counter *out)
{
	if (p2pg_mod_counters(out))
		return p2pg_backend_fail(be, -errno,
					 "no counters in %s/counters: %s",
					 p2pg_mod_sysfs(), strerror(errno));
	return 0;
}

/* Loaded, and holding a policy p2pguardd wrote since it was loaded. */
static int module_verify(struct p2pg_backend *be)
{
	struct p2pg_config cfg;
	int loaded;

	if (!p2pg_mod_loaded())
		return p2pg_backend_fail(be, -ENOENT,
					 "the kernel module is not loaded (no %s)",
					 p2pg_mod_sysfs());
	if (p2pg_mod_config(&cfg, &loaded))
		return p2pg_backend_fail(be, -errno,
					 "the kernel module has no policy from p2pguardd (%s)",
					 strerror(errno));
	if (!loaded)
		return p2pg_backend_fail(be, -ENODATA,
					 "the kernel module has no policy from p2pguardd (it was reloaded)");
	return 0;
}

static int module_present(struct p2pg_backend *be)
{
	return p2pg_mod_loaded() ? 0 : -ENOENT;
}

static int module_events_open(struct p2pg_backend *be, p2pg_event_fn fn,
			      void *ctx)
{
	struct module *m = be->priv;

	m->fn = fn;
	m->ctx = ctx;
	return m->dev_fd;
}

/* Whole struct p2pg_event records, as many as the buffer takes. */
static int module_events_read(struct p2pg_backend *be)
{
	struct module *m = be->priv;
	struct p2pg_event ev[32];
	ssize_t n;
	int i, k;

	/* Bounded: the loop also has the switch to follow. */
	for (i = 0; i < 32; i++) {
		n = read(m->dev_fd, ev, sizeof(ev));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0)
			/* Never from the device; a channel that ended. */
			return p2pg_backend_fail(be, n ? -errno : -EPIPE,
						 "%s: %s", m->dev_path,
						 n ? strerror(errno) :
						 "end of file");
		if (n % sizeof(ev[0]))
			p2pg_backend_log(be, LOG_WARNING,
					 "drop events: %zd bytes is no whole number of records",
					 n);
		for (k = 0; k < n / (ssize_t)sizeof(ev[0]); k++)
			m->fn(m->ctx, &ev[k]);
	}
	return 0;
}

static int module_unload(struct p2pg_backend *be)
{
	int e;

	if (!p2pg_mod_unload()) {
		snprintf(be->msg, sizeof(be->msg),
			 "the p2pguard module is removed");
		return 0;
	}
	e = errno;
	if (e == ENOENT) {
		snprintf(be->msg, sizeof(be->msg),
			 "the p2pguard module was not loaded");
		return 0;
	}
	if (e == ENOSYS)
		return p2pg_backend_fail(be, -e,
					 "this kernel cannot unload modules (no CONFIG_MODULE_UNLOAD): p2pguardd is stopped, the module stays until reboot");
	return p2pg_backend_fail(be, -e,
				 "cannot unload the p2pguard module: %s%s",
				 strerror(e),
				 e == EBUSY || e == EWOULDBLOCK || e == EAGAIN ?
				 " (in use: is p2pguardd, or another reader of " P2PG_DEV_PATH ", still running?)" :
				 "");
}

static const char *module_kernel_files(struct p2pg_backend *be,
				       const char **label)
{
	*label = "sysfs";
	return p2pg_mod_sysfs();
}

/* One of the module's tables, as p2pguardctl status shows a map. */
static void table(struct p2pg_map_mem *m, const char *name, __u32 entries,
		  __u32 value_size, __u64 bytes)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->max_entries = entries;
	m->value_size = value_size;
	m->bytes = bytes;
}

/*
 * What the module holds: the policy blob (its size from the counts sysfs
 * shows, each section 8-byte aligned, as p2pg_policy_to_blob() lays it
 * out) and the tables it allocates at load, fixed in size.
 */
static int module_memory(struct p2pg_backend *be, struct p2pg_map_mem *out,
			 int max)
{
	static const char *const files[] = {
		"prefixes4", "prefixes6", "names", "pppp_keys", "agents",
	};
	__u64 blob = sizeof(struct p2pg_blob_hdr), n;
	int ncpus = libbpf_num_possible_cpus(), i, k = 0;
	char v[32];

	if (!p2pg_mod_loaded())
		return p2pg_backend_fail(be, -ENOENT,
					 "the p2pguard module is not loaded");
	if (ncpus < 1)
		ncpus = 1;
	for (i = 0; i < 5; i++) {
		n = p2pg_mod_read(files[i], v, sizeof(v)) ? 0 :
		    strtoull(v, NULL, 10);
		/* agents: cgroup ids and uids together; the larger element. */
		blob += (n * p2pg_blob_elem_size[i] + 7) & ~7ULL;
	}
	if (k < max)
		table(&out[k++], "policy blob", 0, 0, blob);
	if (k < max)
		table(&out[k++], "connections", P2PG_KFLOW_SLOTS,
		      8 + sizeof(struct p2pg_flow),
		      8 + (__u64)P2PG_KFLOW_SLOTS *
		      (8 + sizeof(struct p2pg_flow)));
	if (k < max)
		table(&out[k++], "counters", P2PG_R__COUNT,
		      sizeof(struct p2pg_counter),
		      (__u64)P2PG_R__COUNT * sizeof(struct p2pg_counter) *
		      ncpus);
	if (k < max)
		table(&out[k++], "event queue", P2PG_EVQ_LEN,
		      sizeof(struct p2pg_event),
		      (__u64)P2PG_EVQ_LEN * sizeof(struct p2pg_event));
	if (k < max)
		table(&out[k++], "event limiter", P2PG_EVLIM_SLOTS,
		      sizeof(struct p2pg_ev_key) + 8,
		      (__u64)P2PG_EVLIM_SLOTS *
		      (sizeof(struct p2pg_ev_key) + 8));
	return k;
}

static void module_close(struct p2pg_backend *be)
{
	struct module *m = be->priv;

	/* The module keeps the policy: closing changes nothing. */
	if (!m)
		return;
	if (m->dev_fd >= 0)
		close(m->dev_fd);
	free(m);
	be->priv = NULL;
}

const struct p2pg_backend_ops p2pg_module_backend = {
	.name = "module",
	.kept = "the module's",
	.caps = P2PG_BE_HOLDS_DAEMON | P2PG_BE_OUTSIDE_KNOBS,
	.load = module_load,
	.enforce = module_enforce,
	.read_config = module_read_config,
	.write_policy = module_write_policy,
	.write_switch = NULL,	/* the device takes whole blobs only */
	.set_p2p = module_set_p2p,
	.read_counters = module_read_counters,
	.verify = module_verify,
	.present = module_present,
	.events_open = module_events_open,
	.events_read = module_events_read,
	.unload = module_unload,
	.kernel_files = module_kernel_files,
	.memory = module_memory,
	.close = module_close,
};
