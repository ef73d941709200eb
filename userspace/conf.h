/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * conf.h - /etc/p2pguard.conf, read by p2pguardd and p2pguardctl.
 * Every key is documented in Documentation/admin-guide.rst and
 * p2pguard.conf(5).
 */
#ifndef P2PGUARD_CONF_H
#define P2PGUARD_CONF_H

#include "policy.h"

#define P2PG_CONF_PATH		"/etc/p2pguard.conf"
#define P2PG_STATE_PATH		"/etc/p2pguard.state"
#define P2PG_RUN_DIR		"/run/p2pguard"
#define P2PG_STATUS_FILE	"status"

enum p2pg_source {
	P2PG_SOURCE_STATE = 0,
	P2PG_SOURCE_FILE,
	P2PG_SOURCE_COMMAND,
};

/* Values a list key may hold in all: a bound, the lists grow as read. */
#define P2PG_LIST_MAX	(1 << 20)
#define P2PG_COMMAND_TIMEOUT_S	5	/* default command_timeout */
#define P2PG_EXPORT_INTERVAL_S	15	/* default export_interval */
#define P2PG_MQTT_PUB		"/usr/bin/mosquitto_pub"
#define P2PG_MQTT_PORT		1883
#define P2PG_MQTT_TOPIC		"p2pguard"
#define P2PG_MQTT_RATE		30	/* default export_mqtt_rate, a minute */
#define P2PG_MQTT_TIMEOUT_S	10	/* default export_mqtt_timeout */

/* Which kernel side enforces: the eBPF program or the kernel module. */
enum p2pg_backend_choice {
	P2PG_BACKEND_AUTO = 0,	/* eBPF when it can attach, else the module */
	P2PG_BACKEND_EBPF,
	P2PG_BACKEND_MODULE,
};

/**
 * struct p2pg_conf - the parsed configuration.
 * @source:        where the user's P2P switch lives.
 * @file:          source=file: the settings file; source=command: the file
 *                 whose changes re-run @command (optional).
 * @key:           source=file: the key holding the switch.
 * @command:       source=command: a shell command printing the value.
 * @command_timeout_s: source=command: seconds before it is killed.
 * @state_file:    source=state: p2pguard's own persisted switch.
 * @default_on:    the switch when no value was ever read.
 * @mode:          enum p2pg_mode.
 * @lockdown:      1 = local-only while P2P is off.
 * @recheck_s:     safety-net re-read period in seconds.
 * @cgroup:        cgroup to attach to ("" = the cgroup2 root).
 * @pin_dir:       bpffs directory for the pins.
 * @run_dir:       where p2pguardd writes its status and pid files.
 * @backend:       enum p2pg_backend_choice.
 * @module:        the p2pguard.ko to load ("" = search the usual places).
 * @lan_defaults:  keep the built-in LAN prefixes.
 * @lists:         extra prefixes, domains, keys, agents (strings as given).
 * @self_addrs:    the device's own addresses (replay --direction egress).
 * @export_textfile: directory p2pguardd keeps p2pguard.prom in, or "".
 * @export_interval_s: seconds between its rewrites.
 * @mqtt_host:     MQTT broker (export_mqtt_host), "" = no MQTT export.
 * @mqtt_port:     its port.
 * @mqtt_topic:    topic prefix: PREFIX/state and PREFIX/event.
 * @mqtt_client_id: MQTT client id ("" = mosquitto_pub's own).
 * @mqtt_credentials: file of "username=" and "password=" lines, or "".
 * @mqtt_rate:     messages a minute at most; more are dropped and counted.
 * @mqtt_timeout_s: seconds before a mosquitto_pub is killed.
 * @mqtt_pub:      the mosquitto_pub binary (absolute path).
 * @flows:         TCP connections remembered where the kernel has no socket
 *                 storage (entries of the LRU, eBPF).
 * @event_buffer:  bytes of the drop events' ring buffer (eBPF).
 * @event_dests:   destinations the events' rate limiter remembers (eBPF).
 * @untrusted:     "" when the file read is owned by root and writable by
 *                 nobody else, its directories too (sshd's StrictModes);
 *                 else why not.  A command runs only from a trusted file.
 */
struct p2pg_conf {
	enum p2pg_source source;
	char file[256];
	char key[64];
	char command[512];
	int command_timeout_s;
	char state_file[256];
	int default_on;
	int mode;
	int lockdown;
	int recheck_s;
	char cgroup[256];
	char pin_dir[256];
	char run_dir[256];
	int backend;
	char module[256];
	int lan_defaults;
	char **lan;
	int n_lan, cap_lan;
	char **allow;
	int n_allow, cap_allow;
	char **deny;
	int n_deny, cap_deny;
	char **deny_domains;
	int n_deny_domains, cap_deny_domains;
	char **pppp_keys;
	int n_pppp_keys, cap_pppp_keys;
	char **agent_cgroups;
	int n_agent_cgroups, cap_agent_cgroups;
	char **agent_uids;
	int n_agent_uids, cap_agent_uids;
	char **self_addrs;
	int n_self_addrs, cap_self_addrs;
	char export_textfile[256];
	int export_interval_s;
	char mqtt_host[256];
	int mqtt_port;
	char mqtt_topic[128];
	char mqtt_client_id[64];
	char mqtt_credentials[256];
	int mqtt_rate;
	int mqtt_timeout_s;
	char mqtt_pub[256];
	unsigned int flows;
	unsigned int event_buffer;
	unsigned int event_dests;
	char untrusted[512];
};

/**
 * p2pg_conf_defaults() - the configuration with no file at all.
 * @c: configuration to fill.
 */
void p2pg_conf_defaults(struct p2pg_conf *c);

/**
 * p2pg_conf_load() - parse a configuration file over the defaults.
 * @c:       configuration (call p2pg_conf_defaults() first).
 * @path:    file to read.
 * @err:     on failure, "FILE:LINE: what is wrong".
 * @err_len: size of @err.
 *
 * A missing file is not an error when @path is the default path.
 *
 * Return: 0, or -1 with @err set.
 */
int p2pg_conf_load(struct p2pg_conf *c, const char *path, char *err,
		   size_t err_len);

/**
 * p2pg_conf_free() - release the lists.
 * @c: configuration.
 */
void p2pg_conf_free(struct p2pg_conf *c);

/**
 * p2pg_parse_switch() - read a P2P switch value.
 * @text: "1", "on", "true", "yes", "enabled" (and their opposites), with
 *        surrounding blanks and quotes ignored, case-insensitive.
 *
 * Return: 1 on, 0 off, -1 not a switch value.
 */
int p2pg_parse_switch(const char *text);

/**
 * p2pg_conf_policy() - the policy this configuration asks for, with P2P
 * set to @p2p_on.
 * @c:       configuration.
 * @p2p_on:  the switch.
 * @p:       policy to build (initialised here; free with
 *           p2pg_policy_free()).
 * @err:     on failure, what is wrong.
 * @err_len: size of @err.
 *
 * Return: 0, or -1 with @err set.
 */
int p2pg_conf_policy(const struct p2pg_conf *c, int p2p_on,
		     struct p2pg_policy *p, char *err, size_t err_len);

#endif /* P2PGUARD_CONF_H */
