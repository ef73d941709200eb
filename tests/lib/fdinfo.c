// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fdinfo.h: what /proc/self/fdinfo says of a descriptor. */
#include <stdio.h>

#include "fdinfo.h"

unsigned long long fdinfo_memlock(int fd)
{
	unsigned long long v = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}
