/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sys.h - the system around the program: where cgroup2 and bpffs are
 * mounted, cgroup ids, small file helpers.
 */
#ifndef P2PGUARD_SYS_H
#define P2PGUARD_SYS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <linux/types.h>

/**
 * p2pg_cgroup2_mount() - where cgroup2 is mounted (/sys/fs/cgroup,
 * /sys/fs/cgroup/unified, ...), from /proc/mounts.
 * @buf: result.
 * @len: size of @buf.
 *
 * Return: 0, or -1 when cgroup2 is not mounted.
 */
int p2pg_cgroup2_mount(char *buf, size_t len);

/**
 * p2pg_cgroup_path() - absolute path of a cgroup given as an absolute
 * path or as a name relative to the cgroup2 mount ("" = the root).
 * @name: as configured.
 * @buf:  result.
 * @len:  size of @buf.
 *
 * Return: 0, or -1 (errno set).
 */
int p2pg_cgroup_path(const char *name, char *buf, size_t len);

/**
 * p2pg_cgroup_id() - the id bpf_skb_cgroup_id() reports for a cgroup.
 * @path: cgroup directory.
 * @id:   result.
 *
 * Return: 0, or -1 (errno set).
 */
int p2pg_cgroup_id(const char *path, __u64 *id);

/**
 * p2pg_mkdir_p() - mkdir -p.
 * @path: directory.
 * @mode: mode of created directories.
 *
 * Return: 0, or -1 (errno set).
 */
int p2pg_mkdir_p(const char *path, unsigned int mode);

/**
 * p2pg_write_file_atomic() - write @data to @path through a temporary file
 * and rename(), so readers see the old or the new contents, never half.
 * @path: destination.
 * @data: contents.
 * @len:  length of @data.
 *
 * Return: 0, or -1 (errno set).
 */
int p2pg_write_file_atomic(const char *path, const void *data, size_t len);

/**
 * p2pg_cgroup_by_id() - the path of the cgroup with this id.
 * @id:  cgroup id (bpf_skb_cgroup_id()).
 * @buf: result.
 * @len: size of @buf.
 *
 * Return: 0, or -1 (errno set).
 */
int p2pg_cgroup_by_id(__u64 id, char *buf, size_t len);

/**
 * p2pg_describe_sender() - "comm[pid] ..." for the processes of a cgroup
 * owned by a uid: who sent a packet, as well as a cgroup_skb program can
 * tell (it sees the socket's cgroup and uid, not the process).
 * @cgroup_id: cgroup id of the socket.
 * @uid:       socket owner.
 * @buf:       result (at most three candidates, then "...").
 * @len:       size of @buf.
 *
 * Return: 0, or -1 when no process matches.
 */
int p2pg_describe_sender(__u64 cgroup_id, __u32 uid, char *buf, size_t len);

/* ---- text from outside: lines, escaping, trusted paths ---------------- */

/* Longest line of a settings or configuration file, newline excluded. */
#define P2PG_LINE_MAX		4096
/* p2pg_read_line(): the line did not fit. */
#define P2PG_LINE_TOO_LONG	(-2)

/**
 * p2pg_read_line() - one line of any length, without its newline.
 * @f:    file.
 * @buf:  result, NUL-terminated; at most @size - 1 bytes of the line.
 * @size: size of @buf.
 *
 * A longer line is consumed to its end, so that its tail never reads as
 * a line of its own; @buf keeps its head.
 *
 * Return: the length, -1 at the end of the file (or on a read error:
 * see ferror()), or %P2PG_LINE_TOO_LONG.
 */
ssize_t p2pg_read_line(FILE *f, char *buf, size_t size);

/**
 * p2pg_json_escape() - @src as the inside of a JSON string: quotes,
 * backslashes and every control character (C0, DEL, C1) as \u00XX or
 * \\ and \", invalid UTF-8 as \ufffd.  Never splits an escape.
 * @dst:  result, NUL-terminated (6 * strlen(@src) + 1 always suffice).
 * @size: size of @dst (> 0).
 * @src:  text from outside (process names, settings, command output).
 *
 * Return: the length written.
 */
size_t p2pg_json_escape(char *dst, size_t size, const char *src);

/**
 * p2pg_text_escape() - @src safe for a terminal, syslog or a line of a
 * key=value file: control characters (C0 with newline and ESC, DEL, C1)
 * and invalid UTF-8 bytes as \xHH, backslashes doubled; valid UTF-8
 * text kept.  Never splits an escape.
 * @dst:  result, NUL-terminated (4 * strlen(@src) + 1 always suffice).
 * @size: size of @dst (> 0).
 * @src:  text from outside.
 *
 * Return: the length written.
 */
size_t p2pg_text_escape(char *dst, size_t size, const char *src);

/**
 * p2pg_trusted_stat() - is this file or directory safe to act on as root:
 * owned by root (or by us) and writable by nobody else.
 * @st: its stat.
 *
 * Return: true or false.
 */
int p2pg_trusted_stat(const struct stat *st);

/**
 * p2pg_trusted_parents() - sshd's StrictModes for the directories above
 * @path: each must be owned by root (or by us) and not writable by group
 * or others, unless sticky (as /tmp), both along @path as written and
 * along its real path.
 * @path: an existing file or directory.
 * @why:  when not, which directory, its owner and mode.
 * @len:  size of @why.
 *
 * Return: 0, or -1 with @why set.
 */
int p2pg_trusted_parents(const char *path, char *why, size_t len);

#endif /* P2PGUARD_SYS_H */
