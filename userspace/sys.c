// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sys.c - cgroup2 and file helpers shared by p2pguardd and p2pguardctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"

int p2pg_cgroup2_mount(char *buf, size_t len)
{
	struct mntent *m;
	FILE *f;
	int r = -1;

	f = setmntent("/proc/mounts", "re");
	if (!f)
		return -1;
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "cgroup2") &&
		    strlen(m->mnt_dir) < len) {
			snprintf(buf, len, "%s", m->mnt_dir);
			r = 0;
			break;
		}
	}
	endmntent(f);
	if (r)
		errno = ENOENT;
	return r;
}

int p2pg_cgroup_path(const char *name, char *buf, size_t len)
{
	char root[PATH_MAX];

	if (name[0] == '/') {
		if (strlen(name) >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		snprintf(buf, len, "%s", name);
		return 0;
	}
	if (p2pg_cgroup2_mount(root, sizeof(root)))
		return -1;
	if ((size_t)snprintf(buf, len, "%s%s%s", root, *name ? "/" : "",
			     name) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int p2pg_cgroup_id(const char *path, __u64 *id)
{
	/* The kernel's cgroup id is the kernfs node id: its file handle. */
	struct {
		struct file_handle fh;
		__u64 id;
	} h;
	int mount_id;

	h.fh.handle_bytes = sizeof(h.id);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -1;
	if (h.fh.handle_bytes != sizeof(h.id)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int p2pg_mkdir_p(const char *path, unsigned int mode)
{
	char tmp[PATH_MAX], *p;

	if (strlen(path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -1;
	return 0;
}

int p2pg_write_file_atomic(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid()) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd)) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved ? saved : EIO;
		return -1;
	}
	close(fd);
	if (rename(tmp, path)) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

struct find_cg {
	__u64 id;
	char *out;
	size_t len;
	int found;
};

static void find_cgroup(const char *dir, struct find_cg *f, int depth)
{
	struct dirent *e;
	__u64 id;
	DIR *d;

	if (f->found || depth > 8)
		return;
	if (!p2pg_cgroup_id(dir, &id) && id == f->id) {
		snprintf(f->out, f->len, "%s", dir);
		f->found = 1;
		return;
	}
	d = opendir(dir);
	if (!d)
		return;
	while (!f->found && (e = readdir(d))) {
		char sub[PATH_MAX];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir,
				     e->d_name) >= sizeof(sub))
			continue;
		find_cgroup(sub, f, depth + 1);
	}
	closedir(d);
}

int p2pg_cgroup_by_id(__u64 id, char *buf, size_t len)
{
	char root[PATH_MAX];
	struct find_cg f = { .id = id, .out = buf, .len = len };

	if (p2pg_cgroup2_mount(root, sizeof(root)))
		return -1;
	find_cgroup(root, &f, 0);
	if (!f.found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int p2pg_describe_sender(__u64 cgroup_id, __u32 uid, char *buf, size_t len)
{
	char cg[PATH_MAX], path[PATH_MAX + 32], line[64];
	size_t off = 0;
	int n = 0, more = 0;
	FILE *procs;

	buf[0] = 0;
	if (p2pg_cgroup_by_id(cgroup_id, cg, sizeof(cg)))
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	procs = fopen(path, "re");
	if (!procs)
		return -1;
	/* The processes of that cgroup owned by that uid: the candidates. */
	while (fgets(line, sizeof(line), procs)) {
		char status[64], comm[64] = "?";
		int pid = atoi(line);
		struct stat st;
		FILE *f;

		snprintf(status, sizeof(status), "/proc/%d", pid);
		if (stat(status, &st) || st.st_uid != uid)
			continue;
		if (n == 3) {
			more = 1;
			break;
		}
		snprintf(status, sizeof(status), "/proc/%d/comm", pid);
		f = fopen(status, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s[%d]",
				n ? " " : "", comm, pid);
		n++;
	}
	fclose(procs);
	if (more)
		snprintf(buf + off, off < len ? len - off : 0, " ...");
	return n ? 0 : -1;
}
