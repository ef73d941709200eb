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

/* ---- text from outside ------------------------------------------------- */

ssize_t p2pg_read_line(FILE *f, char *buf, size_t size)
{
	size_t n = 0;
	int ch, over = 0;

	ch = getc(f);
	if (ch == EOF) {
		buf[0] = 0;
		return -1;
	}
	for (; ch != EOF && ch != '\n'; ch = getc(f)) {
		if (n + 1 < size)
			buf[n++] = ch;
		else
			over = 1;
	}
	buf[n] = 0;
	return over ? P2PG_LINE_TOO_LONG : (ssize_t)n;
}

/* Length of the valid UTF-8 sequence at @s and its code point, or 0. */
static int utf8_seq(const unsigned char *s, unsigned int *cp)
{
	unsigned int c = s[0], min;
	int n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	/* A NUL ends the string: it is no continuation byte either. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * The one escaper behind p2pg_json_escape() and p2pg_text_escape(): the
 * escaped form of the unit at @s into @out (at most 16 bytes), and how
 * many bytes of @s it took.
 */
static size_t escape_unit(const unsigned char *s, int json, char *out,
			  size_t *took)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int cp;
	size_t k = 0;
	int n = utf8_seq(s, &cp), i;

	if (!n) {			/* invalid UTF-8: one byte */
		*took = 1;
		if (json)
			return (size_t)sprintf(out, "\\ufffd");
		return (size_t)sprintf(out, "\\x%c%c", hex[s[0] >> 4],
				       hex[s[0] & 15]);
	}
	*took = n;
	if (cp == '\\' || (json && cp == '"')) {
		out[k++] = '\\';
		out[k++] = cp;
		return k;
	}
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
		if (json)
			return (size_t)sprintf(out, "\\u%04x", cp);
		/* Each byte of a C1 control's sequence, as for bad bytes. */
		for (i = 0; i < n; i++) {
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = hex[s[i] >> 4];
			out[k++] = hex[s[i] & 15];
		}
		return k;
	}
	memcpy(out, s, n);
	return n;
}

static size_t escape(char *dst, size_t size, const char *src, int json)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0, k, took;
	char unit[16];

	while (*s) {
		k = escape_unit(s, json, unit, &took);
		if (n + k >= size)
			break;
		memcpy(dst + n, unit, k);
		n += k;
		s += took;
	}
	dst[n] = 0;
	return n;
}

size_t p2pg_json_escape(char *dst, size_t size, const char *src)
{
	return escape(dst, size, src, 1);
}

size_t p2pg_text_escape(char *dst, size_t size, const char *src)
{
	return escape(dst, size, src, 0);
}

/* ---- trusted paths (sshd's StrictModes) -------------------------------- */

static int trusted_uid(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

int p2pg_trusted_stat(const struct stat *st)
{
	return trusted_uid(st->st_uid) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Each directory above @path (absolute), "/" included, by lstat(). */
static int parents_ok(const char *path, char *why, size_t len)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (path[0] != '/' || strlen(path) >= sizeof(dir))
		return 0;
	snprintf(dir, sizeof(dir), "%s", path);
	for (;;) {
		slash = strrchr(dir, '/');
		if (!slash)
			return 0;
		slash[slash == dir] = 0;	/* keep "/" itself */
		if (lstat(dir, &st)) {
			snprintf(why, len, "%s: %s", dir, strerror(errno));
			return -1;
		}
		/* A symbolic link is judged by where it leads: the real path. */
		if (!S_ISLNK(st.st_mode) &&
		    (!trusted_uid(st.st_uid) ||
		     ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		      !(st.st_mode & S_ISVTX)))) {
			snprintf(why, len,
				 "%s is owned by uid %u with mode %04o: the directories above %s must belong to root and be writable by nobody else (or be sticky, as /tmp)",
				 dir, (unsigned int)st.st_uid,
				 (unsigned int)(st.st_mode & 07777), path);
			return -1;
		}
		if (!strcmp(dir, "/"))
			return 0;
	}
}

int p2pg_trusted_parents(const char *path, char *why, size_t len)
{
	char real[PATH_MAX];

	if (!realpath(path, real)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (parents_ok(path, why, len) || parents_ok(real, why, len))
		return -1;
	return 0;
}
