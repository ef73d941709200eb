// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * conf.c - /etc/p2pguard.conf: "key = value" lines, '#' comments.  List
 * keys may repeat and take several values separated by commas or blanks.
 * Unknown keys and bad values are refused with the line number: a typo in
 * a firmware image must not silently become "P2P allowed".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "mapsize.h"
#include "sys.h"

void p2pg_conf_defaults(struct p2pg_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->source = P2PG_SOURCE_STATE;
	snprintf(c->state_file, sizeof(c->state_file), "%s", P2PG_STATE_PATH);
	c->default_on = 0;
	c->mode = P2PG_MODE_ENFORCE;
	c->recheck_s = 30;
	c->command_timeout_s = P2PG_COMMAND_TIMEOUT_S;
	snprintf(c->pin_dir, sizeof(c->pin_dir), "%s", P2PG_PIN_DIR);
	snprintf(c->run_dir, sizeof(c->run_dir), "%s", P2PG_RUN_DIR);
	c->lan_defaults = 1;
	c->export_interval_s = P2PG_EXPORT_INTERVAL_S;
	c->mqtt_port = P2PG_MQTT_PORT;
	snprintf(c->mqtt_topic, sizeof(c->mqtt_topic), "%s", P2PG_MQTT_TOPIC);
	c->mqtt_rate = P2PG_MQTT_RATE;
	c->mqtt_timeout_s = P2PG_MQTT_TIMEOUT_S;
	snprintf(c->mqtt_pub, sizeof(c->mqtt_pub), "%s", P2PG_MQTT_PUB);
	c->flows = P2PG_FLOWS_DEFAULT;
	c->event_buffer = P2PG_EVENT_BUFFER_DEFAULT;
	c->event_dests = P2PG_EVENT_DESTS_DEFAULT;
}

static void free_list(char ***l, int *cap, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free((*l)[i]);
	free(*l);
	*l = NULL;
	*cap = 0;
}

void p2pg_conf_free(struct p2pg_conf *c)
{
	free_list(&c->lan, &c->cap_lan, c->n_lan);
	free_list(&c->allow, &c->cap_allow, c->n_allow);
	free_list(&c->deny, &c->cap_deny, c->n_deny);
	free_list(&c->deny_domains, &c->cap_deny_domains,
		  c->n_deny_domains);
	free_list(&c->pppp_keys, &c->cap_pppp_keys, c->n_pppp_keys);
	free_list(&c->agent_cgroups, &c->cap_agent_cgroups,
		  c->n_agent_cgroups);
	free_list(&c->agent_uids, &c->cap_agent_uids, c->n_agent_uids);
	free_list(&c->self_addrs, &c->cap_self_addrs, c->n_self_addrs);
	c->n_self_addrs = 0;
	c->n_lan = c->n_allow = c->n_deny = c->n_deny_domains = 0;
	c->n_pppp_keys = c->n_agent_cgroups = c->n_agent_uids = 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int p2pg_parse_switch(const char *text)
{
	static const char *const on[] = { "1", "on", "true", "yes", "enabled",
					  "enable", NULL };
	static const char *const off[] = { "0", "off", "false", "no",
					   "disabled", "disable", NULL };
	char buf[32];
	size_t n;
	int i;

	while (isspace((unsigned char)*text) || *text == '"' || *text == '\'')
		text++;
	n = strlen(text);
	while (n && (isspace((unsigned char)text[n - 1]) ||
		     text[n - 1] == '"' || text[n - 1] == '\''))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n);
	buf[n] = 0;
	for (i = 0; on[i]; i++)
		if (!strcasecmp(buf, on[i]))
			return 1;
	for (i = 0; off[i]; i++)
		if (!strcasecmp(buf, off[i]))
			return 0;
	return -1;
}

static int add_items(char ***list, int *n, int *cap, const char *value)
{
	char *dup = strdup(value), *save = NULL, *tok;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (*n >= P2PG_LIST_MAX) {
			free(dup);
			return -E2BIG;
		}
		if (*n == *cap) {
			int c = *cap ? 2 * *cap : 16;
			char **l = realloc(*list, c * sizeof(*l));

			if (!l) {
				free(dup);
				return -ENOMEM;
			}
			*list = l;
			*cap = c;
		}
		(*list)[*n] = strdup(tok);
		if (!(*list)[(*n)++]) {
			free(dup);
			return -ENOMEM;
		}
	}
	free(dup);
	return 0;
}

static int set_str(char *dst, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return -ENAMETOOLONG;
	snprintf(dst, size, "%s", value);
	return 0;
}

/* A whole number of seconds, 1 to @max. */
static int set_seconds(int *dst, const char *value, long max)
{
	char *end;
	long s = strtol(value, &end, 10);

	if (!*value || *end || s < 1 || s > max)
		return -EINVAL;
	*dst = s;
	return 0;
}

/* A count from @min to @max, with an optional K or M (times 1024). */
static int set_count(unsigned int *dst, const char *value, unsigned long min,
		     unsigned long max)
{
	char *end;
	unsigned long long v;

	if (*value < '0' || *value > '9')
		return -EINVAL;
	v = strtoull(value, &end, 10);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end || v < min || v > max)
		return -EINVAL;
	*dst = v;
	return 0;
}

/* Apply one "key = value"; returns NULL or what is wrong. */
static const char *conf_set(struct p2pg_conf *c, const char *key,
			    const char *value)
{
	int v, r = 0;

	if (!strcmp(key, "source")) {
		if (!strcmp(value, "state"))
			c->source = P2PG_SOURCE_STATE;
		else if (!strcmp(value, "file"))
			c->source = P2PG_SOURCE_FILE;
		else if (!strcmp(value, "command"))
			c->source = P2PG_SOURCE_COMMAND;
		else
			return "source must be state, file or command";
	} else if (!strcmp(key, "file")) {
		r = set_str(c->file, sizeof(c->file), value);
	} else if (!strcmp(key, "key")) {
		r = set_str(c->key, sizeof(c->key), value);
	} else if (!strcmp(key, "command")) {
		r = set_str(c->command, sizeof(c->command), value);
	} else if (!strcmp(key, "state_file")) {
		r = set_str(c->state_file, sizeof(c->state_file), value);
	} else if (!strcmp(key, "default")) {
		v = p2pg_parse_switch(value);
		if (v < 0)
			return "default must be on or off";
		c->default_on = v;
	} else if (!strcmp(key, "mode")) {
		if (!strcmp(value, "enforce"))
			c->mode = P2PG_MODE_ENFORCE;
		else if (!strcmp(value, "audit"))
			c->mode = P2PG_MODE_AUDIT;
		else
			return "mode must be enforce or audit";
	} else if (!strcmp(key, "lockdown")) {
		v = p2pg_parse_switch(value);
		if (v < 0)
			return "lockdown must be on or off";
		c->lockdown = v;
	} else if (!strcmp(key, "lan_defaults")) {
		v = p2pg_parse_switch(value);
		if (v < 0)
			return "lan_defaults must be yes or no";
		c->lan_defaults = v;
	} else if (!strcmp(key, "recheck_interval")) {
		if (set_seconds(&c->recheck_s, value, 86400))
			return "recheck_interval must be 1 to 86400 seconds";
	} else if (!strcmp(key, "command_timeout")) {
		if (set_seconds(&c->command_timeout_s, value, 300))
			return "command_timeout must be 1 to 300 seconds";
	} else if (!strcmp(key, "cgroup")) {
		r = set_str(c->cgroup, sizeof(c->cgroup), value);
	} else if (!strcmp(key, "pin_dir")) {
		r = set_str(c->pin_dir, sizeof(c->pin_dir), value);
	} else if (!strcmp(key, "run_dir")) {
		r = set_str(c->run_dir, sizeof(c->run_dir), value);
	} else if (!strcmp(key, "backend")) {
		if (!strcmp(value, "auto"))
			c->backend = P2PG_BACKEND_AUTO;
		else if (!strcmp(value, "ebpf"))
			c->backend = P2PG_BACKEND_EBPF;
		else if (!strcmp(value, "module"))
			c->backend = P2PG_BACKEND_MODULE;
		else
			return "backend must be auto, ebpf or module";
	} else if (!strcmp(key, "module")) {
		r = set_str(c->module, sizeof(c->module), value);
	} else if (!strcmp(key, "lan")) {
		r = add_items(&c->lan, &c->n_lan, &c->cap_lan, value);
	} else if (!strcmp(key, "allow")) {
		r = add_items(&c->allow, &c->n_allow, &c->cap_allow, value);
	} else if (!strcmp(key, "deny")) {
		r = add_items(&c->deny, &c->n_deny, &c->cap_deny, value);
	} else if (!strcmp(key, "deny_domains")) {
		r = add_items(&c->deny_domains, &c->n_deny_domains,
			      &c->cap_deny_domains, value);
	} else if (!strcmp(key, "pppp_keys")) {
		r = add_items(&c->pppp_keys, &c->n_pppp_keys,
			      &c->cap_pppp_keys, value);
	} else if (!strcmp(key, "agent_cgroups")) {
		r = add_items(&c->agent_cgroups, &c->n_agent_cgroups,
			      &c->cap_agent_cgroups, value);
	} else if (!strcmp(key, "agent_uids")) {
		r = add_items(&c->agent_uids, &c->n_agent_uids,
			      &c->cap_agent_uids, value);
	} else if (!strcmp(key, "self_addresses")) {
		r = add_items(&c->self_addrs, &c->n_self_addrs,
			      &c->cap_self_addrs, value);
	} else if (!strcmp(key, "flows")) {
		if (set_count(&c->flows, value, 16, 1 << 20))
			return "flows must be 16 to 1M connections";
	} else if (!strcmp(key, "event_buffer")) {
		if (set_count(&c->event_buffer, value, 4096, 16 << 20) ||
		    (c->event_buffer & (c->event_buffer - 1)))
			return "event_buffer must be a power of two from 4K to 16M bytes";
	} else if (!strcmp(key, "event_destinations")) {
		if (set_count(&c->event_dests, value, 16, 1 << 20))
			return "event_destinations must be 16 to 1M";
	} else if (!strcmp(key, "export_textfile")) {
		if (value[0] != '/')
			return "export_textfile must be an absolute directory";
		r = set_str(c->export_textfile, sizeof(c->export_textfile),
			    value);
	} else if (!strcmp(key, "export_interval")) {
		if (set_seconds(&c->export_interval_s, value, 86400))
			return "export_interval must be 1 to 86400 seconds";
	} else if (!strcmp(key, "export_mqtt_host")) {
		/* One argv word for mosquitto_pub: no option, no blank. */
		if (value[0] == '-' || strpbrk(value, " \t"))
			return "export_mqtt_host must be a host name or address";
		r = set_str(c->mqtt_host, sizeof(c->mqtt_host), value);
	} else if (!strcmp(key, "export_mqtt_port")) {
		if (set_seconds(&c->mqtt_port, value, 65535))
			return "export_mqtt_port must be 1 to 65535";
	} else if (!strcmp(key, "export_mqtt_topic")) {
		/* A prefix: the wildcards and the null character are no topic. */
		if (!value[0] || strpbrk(value, "+#"))
			return "export_mqtt_topic must be a topic without + or #";
		r = set_str(c->mqtt_topic, sizeof(c->mqtt_topic), value);
	} else if (!strcmp(key, "export_mqtt_client_id")) {
		if (value[0] == '-')
			return "export_mqtt_client_id must not start with -";
		r = set_str(c->mqtt_client_id, sizeof(c->mqtt_client_id),
			    value);
	} else if (!strcmp(key, "export_mqtt_credentials")) {
		if (value[0] != '/')
			return "export_mqtt_credentials must be an absolute path";
		r = set_str(c->mqtt_credentials, sizeof(c->mqtt_credentials),
			    value);
	} else if (!strcmp(key, "export_mqtt_rate")) {
		if (set_seconds(&c->mqtt_rate, value, 6000))
			return "export_mqtt_rate must be 1 to 6000 messages a minute";
	} else if (!strcmp(key, "export_mqtt_timeout")) {
		if (set_seconds(&c->mqtt_timeout_s, value, 300))
			return "export_mqtt_timeout must be 1 to 300 seconds";
	} else if (!strcmp(key, "export_mqtt_pub")) {
		if (value[0] != '/')
			return "export_mqtt_pub must be an absolute path";
		r = set_str(c->mqtt_pub, sizeof(c->mqtt_pub), value);
	} else {
		return "unknown key";
	}
	if (r == -ENAMETOOLONG)
		return "value too long";
	if (r == -E2BIG)
		return "too many values for this key";
	if (r)
		return "out of memory";
	return NULL;
}

int p2pg_conf_load(struct p2pg_conf *c, const char *path, char *err,
		   size_t err_len)
{
	char line[P2PG_LINE_MAX + 1];
	struct stat st;
	int lineno = 0;
	ssize_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !strcmp(path, P2PG_CONF_PATH))
			return 0;	/* no file: built-in defaults */
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Judged on what was opened: a rename after the check changes nothing. */
	c->untrusted[0] = 0;
	if (fstat(fileno(f), &st))
		snprintf(c->untrusted, sizeof(c->untrusted), "%s: %s", path,
			 strerror(errno));
	else if (!p2pg_trusted_stat(&st))
		snprintf(c->untrusted, sizeof(c->untrusted),
			 "%s is owned by uid %u with mode %04o: it must belong to root and be writable by nobody else",
			 path, (unsigned int)st.st_uid,
			 (unsigned int)(st.st_mode & 07777));
	else
		p2pg_trusted_parents(path, c->untrusted, sizeof(c->untrusted));
	while ((n = p2pg_read_line(f, line, sizeof(line))) != -1) {
		char *s, *eq, *key, *value;
		const char *why;

		lineno++;
		if (n == P2PG_LINE_TOO_LONG) {
			snprintf(err, err_len, "%s:%d: line longer than %d bytes",
				 path, lineno, P2PG_LINE_MAX);
			goto fail;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, err_len, "%s:%d: expected key = value",
				 path, lineno);
			goto fail;
		}
		*eq = 0;
		key = trim(s);
		value = trim(eq + 1);
		why = conf_set(c, key, value);
		if (why) {
			snprintf(err, err_len, "%s:%d: %s: %s", path, lineno,
				 key, why);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	if (c->source == P2PG_SOURCE_FILE && (!c->file[0] || !c->key[0])) {
		snprintf(err, err_len, "%s: source = file needs file and key",
			 path);
		return -1;
	}
	if (c->source == P2PG_SOURCE_COMMAND && !c->command[0]) {
		snprintf(err, err_len, "%s: source = command needs command",
			 path);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	return -1;
}

static int add_list(struct p2pg_policy *p, char *const *l, int n, int cls,
		    const char *what, char *err, size_t err_len)
{
	int i;

	for (i = 0; i < n; i++) {
		if (p2pg_policy_add_prefix(p, l[i], cls)) {
			snprintf(err, err_len, "%s: bad prefix '%s'", what,
				 l[i]);
			return -1;
		}
	}
	return 0;
}

int p2pg_conf_policy(const struct p2pg_conf *c, int p2p_on,
		     struct p2pg_policy *p, char *err, size_t err_len)
{
	int i, r;

	if (p2pg_policy_init_defaults(p))
		goto nomem;
	if (!c->lan_defaults) {
		size_t j, k = 0;

		for (j = 0; j < p->n_prefixes; j++)
			if (p->prefixes[j].net_class != P2PG_NET_LAN)
				p->prefixes[k++] = p->prefixes[j];
		p->n_prefixes = k;
	}
	p->cfg.p2p_enabled = !!p2p_on;
	p->cfg.mode = c->mode;
	p->cfg.lockdown = !!c->lockdown;
	if (add_list(p, c->lan, c->n_lan, P2PG_NET_LAN, "lan", err, err_len) ||
	    add_list(p, c->allow, c->n_allow, P2PG_NET_ALLOW, "allow", err,
		     err_len) ||
	    add_list(p, c->deny, c->n_deny, P2PG_NET_DENY, "deny", err,
		     err_len))
		goto fail;
	for (i = 0; i < c->n_deny_domains; i++) {
		if (p2pg_policy_add_domain(p, c->deny_domains[i])) {
			snprintf(err, err_len, "deny_domains: bad name '%s'",
				 c->deny_domains[i]);
			goto fail;
		}
	}
	for (i = 0; i < c->n_pppp_keys; i++) {
		r = p2pg_policy_add_pppp_key(p, c->pppp_keys[i]);
		if (r == -EEXIST) {
			/* Same first byte as a key already loaded: say so. */
			fprintf(stderr,
				"p2pguard: pppp key '%s' collides with a loaded key; not used\n",
				c->pppp_keys[i]);
		} else if (r < 0) {
			snprintf(err, err_len, "pppp_keys: bad key '%s'",
				 c->pppp_keys[i]);
			goto fail;
		}
	}
	/* Room for every agent at once: no copy per entry. */
	if ((c->n_agent_uids &&
	     !(p->agent_uids = calloc(c->n_agent_uids, sizeof(__u32)))) ||
	    (c->n_agent_cgroups &&
	     !(p->agent_cgroups = calloc(c->n_agent_cgroups, sizeof(__u64)))))
		goto nomem;
	for (i = 0; i < c->n_agent_uids; i++) {
		char *end;
		unsigned long uid = strtoul(c->agent_uids[i], &end, 10);

		if (*end || uid > 0xfffffffeUL) {
			snprintf(err, err_len, "agent_uids: bad uid '%s'",
				 c->agent_uids[i]);
			goto fail;
		}
		p->agent_uids[p->n_agent_uids++] = uid;
	}
	for (i = 0; i < c->n_agent_cgroups; i++) {
		char path[512];
		__u64 id;

		if (p2pg_cgroup_path(c->agent_cgroups[i], path, sizeof(path)) ||
		    p2pg_cgroup_id(path, &id)) {
			snprintf(err, err_len,
				 "agent_cgroups: cannot resolve '%s': %s",
				 c->agent_cgroups[i], strerror(errno));
			goto fail;
		}
		p->agent_cgroups[p->n_agent_cgroups++] = id;
	}
	return 0;
nomem:
	snprintf(err, err_len, "out of memory");
fail:
	p2pg_policy_free(p);
	return -1;
}
