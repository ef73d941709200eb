/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sys.h - the system around the program: where cgroup2 and bpffs are
 * mounted, cgroup ids, small file helpers.
 */
#ifndef P2PGUARD_SYS_H
#define P2PGUARD_SYS_H

#include <stddef.h>
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

#endif /* P2PGUARD_SYS_H */
