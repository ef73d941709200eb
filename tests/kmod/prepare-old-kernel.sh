#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Prepare an unpacked kernel source tree (3.10 to 4.x, stable or a camera
# BSP's) for tests/kmod/old-kernels.sh: a defconfig, the options the
# module needs, and "make modules_prepare".  With Debian 12's gcc 12 these
# old trees need -fcommon for their host tools (dtc's yylloc); that is all
# 3.10.108, 4.4.178 and 4.9.337 needed for ARM (and 3.10.108, 4.4.178 for
# MIPS: ARCH mips, mipsel-linux-gnu-, malta_defconfig).
#
# Usage: tests/kmod/prepare-old-kernel.sh TREE [ARCH [CROSS_COMPILE [DEFCONFIG]]]
#   ARCH default arm, CROSS_COMPILE default arm-linux-gnueabihf- for arm
#   (none for x86), DEFCONFIG default multi_v7_defconfig for arm,
#   defconfig otherwise.  Then:
#   P2PG_OLD_KDIRS=TREE tests/kmod/old-kernels.sh
set -eu

[ $# -ge 1 ] || { echo "usage: $0 TREE [ARCH [CROSS_COMPILE [DEFCONFIG]]]" >&2; exit 1; }
tree=$1 arch=${2:-arm}
case $arch in
arm) cross=${3-arm-linux-gnueabihf-} defconfig=${4:-multi_v7_defconfig} ;;
*) cross=${3-} defconfig=${4:-defconfig} ;;
esac
cd "$tree"
set -- ARCH="$arch" CROSS_COMPILE="$cross" HOSTCFLAGS=-fcommon
make "$@" "$defconfig"
# Netfilter for the hooks (IPv4 and IPv6), and cgroup socket data where the
# kernel has it (4.5 and later select SOCK_CGROUP_DATA with these).
./scripts/config -e MODULES -e MODULE_UNLOAD -e NET -e INET -e IPV6 \
	-e NETFILTER -e NETFILTER_ADVANCED -e CGROUPS -e CGROUP_NET_CLASSID \
	-e CGROUP_NET_PRIO
make "$@" olddefconfig
make "$@" -j"$(nproc)" modules_prepare
echo "prepared: $(cat include/config/kernel.release) ($arch${cross:+, $cross})"
