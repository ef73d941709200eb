// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * settings.c - the P2P switch from a key=value/shell file, from a command
 * (jct, yaml-cli, uci get, fw_printenv ...), or from p2pguard's own state.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "settings.h"
#include "sys.h"

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
	char line[P2PG_LINE_MAX + 1], val[128];
	int found = 0, lineno = 0, v;
	ssize_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The last assignment wins, as when a shell sources the file. */
	while ((n = p2pg_read_line(f, line, sizeof(line))) != -1) {
		lineno++;
		/* Its tail is no line of its own: the whole file is in doubt. */
		if (n == P2PG_LINE_TOO_LONG) {
			snprintf(why, why_len, "%s:%d: line longer than %d bytes",
				 path, lineno, P2PG_LINE_MAX);
			fclose(f);
			return -1;
		}
		if (value_of_line(line, key, val, sizeof(val)))
			found = 1;
	}
	if (ferror(f)) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * sh -c COMMAND in a process group of its own, stdout into @out (its
 * first @out_len - 1 bytes; the rest is read and dropped), for at most
 * @timeout_s seconds: then the whole group is killed, so that nothing it
 * started keeps running or holds the pipe.
 *
 * Return: the wait status, -1 on a failure to start (errno set), -2 on
 * timeout.
 */
static int run_command(const char *cmd, int timeout_s, char *out,
		       size_t out_len)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	int pfd[2], status = 0, timed_out = 0, fd;
	size_t got = 0;
	sigset_t none;
	pid_t pid, w;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		/* The daemon blocks its signals for signalfd: not the child. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, 0);
		dup2(pfd[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);	/* either of us may be first */
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long long left = deadline - now_ms();
		char buf[512];
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;	/* timeout: checked above */
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got + 1 < out_len) {
			size_t k = out_len - 1 - got;

			if ((size_t)n < k)
				k = n;
			memcpy(out + got, buf, k);
			got += k;
		}
	}
	out[got] = 0;
	close(pfd[0]);
	/* Its stdout closed; it may still be running. */
	while (!timed_out) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			timed_out = 1;
		else
			usleep(10000);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -2;
}

static int read_command(const struct p2pg_conf *c, char *why, size_t why_len)
{
	char out[128];
	int status, v;

	/* As sshd's StrictModes: root runs only what only root could write. */
	if (c->untrusted[0]) {
		snprintf(why, why_len, "source = command refused: %s",
			 c->untrusted);
		return -1;
	}
	status = run_command(c->command, c->command_timeout_s, out,
			     sizeof(out));
	if (status == -2) {
		snprintf(why, why_len,
			 "command '%s' timed out after %d s and was killed (command_timeout)",
			 c->command, c->command_timeout_s);
		return -1;
	}
	if (status == -1) {
		snprintf(why, why_len, "command '%s': %s", c->command,
			 strerror(errno));
		return -1;
	}
	out[strcspn(out, "\r\n")] = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(why, why_len, "command '%s' failed (status %d)",
			 c->command, !WIFEXITED(status) ? -1 :
			 WEXITSTATUS(status));
		return -1;
	}
	v = p2pg_parse_switch(out);
	if (v < 0)
		snprintf(why, why_len, "command '%s' printed '%s', not on/off",
			 c->command, out);
	return v;
}

int p2pg_settings_read(const struct p2pg_conf *c, char *why, size_t why_len)
{
	switch (c->source) {
	case P2PG_SOURCE_FILE:
		return read_file_key(c->file, c->key, why, why_len);
	case P2PG_SOURCE_COMMAND:
		return read_command(c, why, why_len);
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
