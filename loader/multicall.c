// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * multicall.c - main() of the one p2pguard program.  Run as "p2pguardd"
 * (through a link of that name) it is the daemon; by any other name, the
 * command line p2pguardctl.
 */
#include <string.h>

#include "ctl.h"
#include "multicall.h"

int main(int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : "";
	const char *slash = strrchr(name, '/');

	if (!strcmp(slash ? slash + 1 : name, "p2pguardd"))
		return p2pguardd_main(argc, argv);
	return p2pguardctl_main(argc, argv);
}
