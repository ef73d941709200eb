// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mounts.c - bpffs and cgroup2, mounted when a minimal init left them
 * out: the pins live in the one, the program attaches to (and agent
 * cgroups are named in) the other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "p2pguardd.h"
#include "sys.h"

static int is_fs(const char *path, long magic)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == magic;
}

/**
 * ensure_cgroup2() - a cgroup2 hierarchy, mounted when missing.
 *
 * Return: 0, or a negative errno (logged) when it cannot be mounted.
 */
int ensure_cgroup2(void)
{
	char cg[PATH_MAX];

	if (p2pg_cgroup2_mount(cg, sizeof(cg)) == 0)
		return 0;
	/* Hybrid layouts put v2 beside the v1 controllers. */
	snprintf(cg, sizeof(cg), "%s",
		 is_fs("/sys/fs/cgroup", TMPFS_MAGIC) ?
		 "/sys/fs/cgroup/unified" : "/sys/fs/cgroup");
	if (p2pg_mkdir_p(cg, 0755) ||
	    mount("cgroup2", cg, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL)) {
		logmsg(LOG_WARNING, "cannot mount cgroup2 at %s: %s", cg,
		       strerror(errno));
		return -errno;
	}
	logmsg(LOG_INFO, "mounted cgroup2 at %s", cg);
	return 0;
}

/**
 * ensure_mounts() - bpffs at /sys/fs/bpf and a cgroup2 hierarchy, mounted
 * when missing.  bpffs failing is only logged: the pins then fail with
 * their own reason.
 *
 * Return: what ensure_cgroup2() returns.
 */
int ensure_mounts(void)
{
	if (!is_fs("/sys/fs/bpf", BPF_FS_MAGIC)) {
		if (p2pg_mkdir_p("/sys/fs/bpf", 0700) ||
		    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
			logmsg(LOG_WARNING, "cannot mount bpffs at /sys/fs/bpf: %s",
			       strerror(errno));
		else
			logmsg(LOG_INFO, "mounted bpffs at /sys/fs/bpf");
	}
	return ensure_cgroup2();
}
