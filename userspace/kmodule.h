/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * kmodule.h - the kernel module backend seen from userspace: finding and
 * loading p2pguard.ko, its device (policy blobs in, drop events out) and
 * its sysfs files (the switch and the counters).  Used by p2pguardd and
 * p2pguardctl; the kernel side is kmod/, the interface common/p2pguard_abi.h.
 *
 * For tests, three environment variables stand in for the kernel:
 * P2PG_SYSFS (a directory laid out like /sys/kernel/p2pguard), P2PG_DEV
 * (a path opened instead of /dev/p2pguard) and P2PG_DEV_FD (an inherited
 * descriptor used as the open device, e.g. a SOCK_SEQPACKET socket, which
 * keeps one write(2) one message as the device does).
 */
#ifndef P2PGUARD_KMODULE_H
#define P2PGUARD_KMODULE_H

#include <stddef.h>
#include "p2pguard_abi.h"

#define P2PG_MODULE_NAME	"p2pguard"
#define P2PG_MODULE_FILE	"p2pguard.ko"

/**
 * p2pg_mod_sysfs() - the module's sysfs directory ($P2PG_SYSFS or
 * P2PG_SYSFS_DIR).
 *
 * Return: a path.
 */
const char *p2pg_mod_sysfs(void);

/**
 * p2pg_mod_loaded() - is the module loaded (its sysfs directory there)?
 *
 * Return: 1 or 0.
 */
int p2pg_mod_loaded(void);

/**
 * p2pg_mod_read() - one value from the module's sysfs directory.
 * @name: file, relative to p2pg_mod_sysfs() ("generation",
 *        "counters/cs2-pppp/packets").
 * @buf:  result, without the trailing newline.
 * @len:  size of @buf.
 *
 * Return: 0, or -1 (errno set).
 */
int p2pg_mod_read(const char *name, char *buf, size_t len);

/**
 * p2pg_mod_write() - write one value ("1\n") to a sysfs file of the module.
 * @name:  file, relative to p2pg_mod_sysfs().
 * @value: text.
 *
 * Return: 0, or -1 (errno set).
 */
int p2pg_mod_write(const char *name, const char *value);

/**
 * p2pg_mod_config() - the switch the module enforces, as a p2pg_config.
 * @cfg:           filled: generation, p2p_enabled, mode, lockdown,
 *                 abi_version.
 * @policy_loaded: set to 1 when a blob was accepted since the module
 *                 loaded, else 0 (it then enforces the all-zero switch).
 *
 * Return: 0, or -1 (errno set) when the files cannot be read.
 */
int p2pg_mod_config(struct p2pg_config *cfg, int *policy_loaded);

/**
 * p2pg_mod_counters() - the per-reason counters from sysfs.
 * @out: P2PG_R__COUNT entries.
 *
 * Return: 0, or -1 (errno set) when a counter file is missing.
 */
int p2pg_mod_counters(struct p2pg_counter *out);

/**
 * p2pg_mod_find() - the module file to load.
 * @configured: the configuration's "module" ("" = search).
 * @buf:        result.
 * @len:        size of @buf.
 *
 * Searches /lib/modules/$(uname -r)/extra/, .../updates/ and then
 * /lib/modules/ for p2pguard.ko.
 *
 * Return: 0, or -1 (errno ENOENT) when there is none.
 */
int p2pg_mod_find(const char *configured, char *buf, size_t len);

/**
 * p2pg_mod_load() - load a module file with finit_module(2).
 * @path: the .ko file.
 *
 * Return: 0 (also when it was loaded meanwhile), or -1 (errno set).
 */
int p2pg_mod_load(const char *path);

/**
 * p2pg_mod_unload() - remove the module with delete_module(2), without
 * waiting: an open /dev/p2pguard (p2pguardd) makes it fail with EBUSY
 * or EWOULDBLOCK.
 *
 * Return: 0, or -1 (errno set; ENOENT: not loaded).
 */
int p2pg_mod_unload(void);

/**
 * p2pg_mod_open_dev() - open the module's device for policy writes and
 * event reads, non-blocking.
 * @path: filled with what was opened (for messages).
 * @len:  size of @path.
 *
 * Where no device node appears (no devtmpfs, no mdev), creates it from
 * /sys/class/misc/p2pguard/dev.
 *
 * Return: a descriptor, or -1 (errno set).
 */
int p2pg_mod_open_dev(char *path, size_t len);

#endif /* P2PGUARD_KMODULE_H */
