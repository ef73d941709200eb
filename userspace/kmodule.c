// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kmodule.c - the kernel module backend from userspace: module file, load
 * and unload, device, sysfs values and counters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kmodule.h"
#include "policy.h"

const char *p2pg_mod_sysfs(void)
{
	const char *e = getenv("P2PG_SYSFS");

	return e && *e ? e : P2PG_SYSFS_DIR;
}

int p2pg_mod_loaded(void)
{
	struct stat st;

	return !stat(p2pg_mod_sysfs(), &st) && S_ISDIR(st.st_mode);
}

int p2pg_mod_read(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", p2pg_mod_sysfs(), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int p2pg_mod_write(const char *name, const char *value)
{
	char path[PATH_MAX];
	size_t n = strlen(value);
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", p2pg_mod_sysfs(), name);
	/* No O_CREAT: a sysfs attribute exists or the module is not there. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, value, n) == (ssize_t)n ? 0 : -1;
	if (close(fd))
		r = -1;
	return r;
}

static int read_ull(const char *name, unsigned long long *v)
{
	char buf[32], *end;

	if (p2pg_mod_read(name, buf, sizeof(buf)))
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (end == buf || *end || errno) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int p2pg_mod_config(struct p2pg_config *cfg, int *policy_loaded)
{
	unsigned long long gen, on, lock, abi, loaded;
	char mode[16];

	memset(cfg, 0, sizeof(*cfg));
	if (read_ull("generation", &gen) || read_ull("p2p_enabled", &on) ||
	    read_ull("lockdown", &lock) || read_ull("abi_version", &abi) ||
	    read_ull("policy_loaded", &loaded) ||
	    p2pg_mod_read("mode", mode, sizeof(mode)))
		return -1;
	cfg->generation = gen;
	cfg->p2p_enabled = !!on;
	cfg->lockdown = !!lock;
	cfg->abi_version = abi;
	cfg->mode = !strcmp(mode, "audit") ? P2PG_MODE_AUDIT : P2PG_MODE_ENFORCE;
	*policy_loaded = !!loaded;
	return 0;
}

int p2pg_mod_counters(struct p2pg_counter *out)
{
	static const char *const field[] = {
		"packets", "bytes", "drop_packets", "drop_bytes",
	};
	unsigned int r, f;

	memset(out, 0, P2PG_R__COUNT * sizeof(*out));
	for (r = 0; r < P2PG_R__COUNT; r++) {
		for (f = 0; f < 4; f++) {
			unsigned long long v;
			char name[96];

			snprintf(name, sizeof(name), "counters/%s/%s",
				 p2pg_reason_name(r), field[f]);
			if (read_ull(name, &v))
				return -1;
			/* struct p2pg_counter: four __u64 in field[] order. */
			((__u64 *)&out[r])[f] = v;
		}
	}
	return 0;
}

int p2pg_mod_find(const char *configured, char *buf, size_t len)
{
	static const char *const dirs[] = { "%s/extra", "%s/updates", NULL };
	char base[PATH_MAX], dir[PATH_MAX];
	struct utsname u;
	int i;

	if (configured && *configured) {
		snprintf(buf, len, "%s", configured);
		return access(buf, R_OK);
	}
	if (uname(&u))
		return -1;
	snprintf(base, sizeof(base), "/lib/modules/%s", u.release);
	for (i = 0; dirs[i]; i++) {
		snprintf(dir, sizeof(dir), dirs[i], base);
		snprintf(buf, len, "%s/%s", dir, P2PG_MODULE_FILE);
		if (!access(buf, R_OK))
			return 0;
	}
	snprintf(buf, len, "/lib/modules/%s", P2PG_MODULE_FILE);
	if (!access(buf, R_OK))
		return 0;
	errno = ENOENT;
	return -1;
}

int p2pg_mod_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r, e;

	if (fd < 0)
		return -1;
	/* finit_module(2) has no libc wrapper: the syscall itself. */
	r = syscall(SYS_finit_module, fd, "", 0);
	e = errno;
	close(fd);
	if (r && e == EEXIST)
		return 0;
	errno = e;
	return r ? -1 : 0;
}

int p2pg_mod_unload(void)
{
	return syscall(SYS_delete_module, P2PG_MODULE_NAME, O_NONBLOCK) ? -1 : 0;
}

/* No devtmpfs and no mdev: make the node from what the kernel says. */
static int make_node(const char *path)
{
	unsigned int maj, min;
	FILE *f;
	int n;

	f = fopen("/sys/class/misc/" P2PG_DEV_NAME "/dev", "re");
	if (!f)
		return -1;
	n = fscanf(f, "%u:%u", &maj, &min);
	fclose(f);
	if (n != 2)
		return -1;
	return mknod(path, S_IFCHR | 0600, makedev(maj, min));
}

int p2pg_mod_open_dev(char *path, size_t len)
{
	const char *fd_env = getenv("P2PG_DEV_FD"), *dev = getenv("P2PG_DEV");
	int fd, i;

	if (fd_env && *fd_env) {
		fd = atoi(fd_env);
		snprintf(path, len, "descriptor %d", fd);
		if (fcntl(fd, F_SETFL, O_NONBLOCK) ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC))
			return -1;
		return fd;
	}
	if (!dev || !*dev)
		dev = P2PG_DEV_PATH;
	snprintf(path, len, "%s", dev);
	/* The node may appear a moment after the module loaded (mdev). */
	for (i = 0; i < 20; i++) {
		fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		if (i == 10 && !strcmp(dev, P2PG_DEV_PATH) && !make_node(dev))
			continue;
		usleep(100000);
	}
	errno = ENOENT;
	return -1;
}
