// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * settings.c - the P2P switch from a key=value/shell file, from a command
 * (jct, yaml-cli, uci get, fw_printenv ...), or from p2pguard's own state.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "settings.h"

/* "key=value", "key = value", "export key='value'", "key: value". */
static int value_of_line(const char *line, const char *key, char *out,
			 size_t out_len)
{
	const char *s = line;
	size_t klen = strlen(key), n;

	while (isspace((unsigned char)*s))
		s++;
	if (!strncmp(s, "export", 6) && isspace((unsigned char)s[6]))
		for (s += 6; isspace((unsigned char)*s); s++)
			;
	if (strncmp(s, key, klen))
		return 0;
	s += klen;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '=' && *s != ':')
		return 0;
	s++;
	while (isspace((unsigned char)*s))
		s++;
	n = strcspn(s, "#\r\n");
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= out_len)
		n = out_len - 1;
	memcpy(out, s, n);
	out[n] = 0;
	return 1;
}

static int read_file_key(const char *path, const char *key, char *why,
			 size_t why_len)
{
	char line[1024], val[128];
	int found = 0, v;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The last assignment wins, as when a shell sources the file. */
	while (fgets(line, sizeof(line), f))
		if (value_of_line(line, key, val, sizeof(val)))
			found = 1;
	fclose(f);
	if (!found) {
		snprintf(why, why_len, "%s: no key %s", path, key);
		return -1;
	}
	v = p2pg_parse_switch(val);
	if (v < 0)
		snprintf(why, why_len, "%s: %s = '%s' is not on/off", path, key,
			 val);
	return v;
}

static int read_command(const char *cmd, char *why, size_t why_len)
{
	char out[128] = "";
	int status, v;
	FILE *p;

	p = popen(cmd, "re");
	if (!p) {
		snprintf(why, why_len, "command: %s", strerror(errno));
		return -1;
	}
	if (!fgets(out, sizeof(out), p))
		out[0] = 0;
	status = pclose(p);
	out[strcspn(out, "\r\n")] = 0;
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(why, why_len, "command '%s' failed (status %d)", cmd,
			 status == -1 || !WIFEXITED(status) ? -1 :
			 WEXITSTATUS(status));
		return -1;
	}
	v = p2pg_parse_switch(out);
	if (v < 0)
		snprintf(why, why_len, "command '%s' printed '%s', not on/off",
			 cmd, out);
	return v;
}

int p2pg_settings_read(const struct p2pg_conf *c, char *why, size_t why_len)
{
	switch (c->source) {
	case P2PG_SOURCE_FILE:
		return read_file_key(c->file, c->key, why, why_len);
	case P2PG_SOURCE_COMMAND:
		return read_command(c->command, why, why_len);
	case P2PG_SOURCE_STATE:
	default:
		return read_file_key(c->state_file, "p2p", why, why_len);
	}
}

const char *p2pg_settings_watch_path(const struct p2pg_conf *c)
{
	switch (c->source) {
	case P2PG_SOURCE_FILE:
		return c->file;
	case P2PG_SOURCE_COMMAND:
		return c->file[0] ? c->file : NULL;
	case P2PG_SOURCE_STATE:
	default:
		return c->state_file;
	}
}
