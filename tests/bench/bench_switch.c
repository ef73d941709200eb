// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_switch - switch latency: from the rename() that saves the settings
 * file to the first P2P datagram the kernel refuses, with p2pguardd
 * following the file.  Run in the enforced cgroup; prints an RST table and
 * writes every latency to OUT ("off NS" / "on NS" lines).  Asserts nothing.
 *
 *   bench_switch SETTINGS KEY ADDR PORT COUNT OUT
 *
 * Each round saves KEY=0 the way settings tools do (write a temporary
 * file, rename it over SETTINGS), then sends a CS2 PPPP HELLO
 * (F1 00 00 00) to ADDR:PORT in a tight loop until sendto() fails with
 * EPERM, which is how a cgroup egress drop reaches a UDP sender; then
 * saves KEY=1 and sends until a datagram goes out again.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"

#define TIMEOUT_NS	2000000000LL	/* a switch not seen in 2 s: lost */

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int save(const char *path, const char *key, int on)
{
	char tmp[4096], text[256];
	FILE *f;
	int n;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	n = snprintf(text, sizeof(text), "# camera settings\n%s=%d\n", key, on);
	f = fopen(tmp, "w");
	if (!f || fwrite(text, 1, n, f) != (size_t)n || fclose(f)) {
		perror(tmp);
		return -1;
	}
	return 0;
}

/*
 * Save @on and send until the kernel agrees; -1 on timeout.  The clock
 * starts just before rename(): the file is "written" when it appears.
 */
static long long switch_to(const char *path, const char *key, int on, int fd,
			   const struct sockaddr_in *dst)
{
	static const unsigned char hello[4] = { 0xf1, 0x00, 0x00, 0x00 };
	char tmp[4096];
	long long t0, t;

	if (save(path, key, on))
		return -2;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	t0 = now_ns();
	if (rename(tmp, path)) {
		perror(path);
		return -2;
	}
	do {
		int r = sendto(fd, hello, sizeof(hello), 0,
			       (const struct sockaddr *)dst, sizeof(*dst));

		t = now_ns();
		if (on ? r >= 0 : r < 0 && errno == EPERM)
			return t - t0;
		if (r < 0 && errno != EPERM) {
			perror("sendto");
			return -2;
		}
	} while (t - t0 < TIMEOUT_NS);
	return -1;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const long long *v, int n, int p)
{
	int k = (p * n + 99) / 100;

	return v[k < 1 ? 0 : k - 1] / 1e6;
}

int main(int argc, char **argv)
{
	long long *lat[2];
	int n[2] = { 0, 0 }, lost[2] = { 0, 0 }, count, i, fd, s;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	char head[256];
	FILE *out;

	if (argc != 7) {
		fprintf(stderr, "usage: bench_switch SETTINGS KEY ADDR PORT COUNT OUT\n");
		return 2;
	}
	count = atoi(argv[5]);
	dst.sin_port = htons(atoi(argv[4]));
	if (count < 1 || inet_pton(AF_INET, argv[3], &dst.sin_addr) != 1)
		return 2;
	lat[0] = calloc(count, sizeof(long long));
	lat[1] = calloc(count, sizeof(long long));
	out = fopen(argv[6], "w");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (!lat[0] || !lat[1] || !out || fd < 0)
		return 1;
	/* Start from "on": the first measured switch is a real change. */
	if (switch_to(argv[1], argv[2], 1, fd, &dst) < 0) {
		fprintf(stderr, "bench_switch: P2P never allowed at start\n");
		return 1;
	}
	for (i = 0; i < count; i++) {
		for (s = 0; s < 2; s++) {
			int on = s;	/* off first, then back on */
			long long t = switch_to(argv[1], argv[2], on, fd, &dst);

			if (t == -2)
				return 1;
			if (t < 0) {
				lost[on]++;
				continue;
			}
			lat[on][n[on]++] = t;
			fprintf(out, "%s %lld\n", on ? "on" : "off", t);
		}
	}
	fclose(out);
	bench_measured(head, sizeof(head));
	printf("%s, %d switches each way.\n\n", head, count);
	printf("==================================== ======= ======= ======= ======= ====\n");
	printf("settings file saved (rename) to ...  p50 ms  p90 ms  p99 ms  max ms  lost\n");
	printf("==================================== ======= ======= ======= ======= ====\n");
	for (s = 0; s < 2; s++) {
		qsort(lat[s], n[s], sizeof(long long), cmp_ll);
		printf("%-36s", s ? "first P2P datagram sent (P2P on)" :
		       "first P2P datagram refused (off)");
		if (n[s])
			printf(" %7.2f %7.2f %7.2f %7.2f", pct(lat[s], n[s], 50),
			       pct(lat[s], n[s], 90), pct(lat[s], n[s], 99),
			       lat[s][n[s] - 1] / 1e6);
		else
			printf("       -       -       -       -");
		printf(" %4d\n", lost[s]);
	}
	printf("==================================== ======= ======= ======= ======= ====\n");
	return 0;
}
