/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * settings.h - reading the user's P2P switch from where the camera's
 * settings daemon keeps it (a file, a command, or p2pguard's own state).
 */
#ifndef P2PGUARD_SETTINGS_H
#define P2PGUARD_SETTINGS_H

#include <stddef.h>
#include "conf.h"

/**
 * p2pg_settings_read() - the switch as the source says now.
 * @c:       configuration (source, file, key, command, state_file).
 * @why:     when the value cannot be had, why ("no key p2p_enable in ...").
 * @why_len: size of @why.
 *
 * Return: 1 on, 0 off, -1 unknown (missing, unreadable, garbage).
 */
int p2pg_settings_read(const struct p2pg_conf *c, char *why, size_t why_len);

/**
 * p2pg_settings_watch_path() - the file whose changes mean "read again".
 * @c: configuration.
 *
 * Return: a path, or NULL when only SIGHUP and the timer apply.
 */
const char *p2pg_settings_watch_path(const struct p2pg_conf *c);

#endif /* P2PGUARD_SETTINGS_H */
