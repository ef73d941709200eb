#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Compile the kernel module (kmod/) against older kernel trees than the VM
# matrix boots (3.10, 4.4, 4.9: what cameras run), to prove that its
# compatibility code for the netfilter API builds there.  Compile only:
# nothing is booted.  The trees are not fetched here (CI has none): each
# must be configured (CONFIG_MODULES, CONFIG_NETFILTER) and prepared for
# external modules ("make modules_prepare"), as Documentation says.
#
# Usage: P2PG_OLD_KDIRS="KDIR[,ARCH[,CROSS_COMPILE]] ..." tests/kmod/old-kernels.sh
#        tests/kmod/old-kernels.sh [DIR...]
#   ARCH defaults to the tree's configured architecture (arm, arm64, mips,
#   x86), CROSS_COMPILE for arm to arm-linux-gnueabihf-, for x86 to none;
#   give both for a vendor toolchain (e.g. ,arm,arm-himix200-linux-).
# Without P2PG_OLD_KDIRS, the kernels of ../shared/kernels beside the
# repository (each <version>-<arch>/headers.tar.xz, a prepared build
# tree) are unpacked once into tests/vm/cache and used; the cross
# compilers they need are installed when missing; DIR arguments (e.g.
# 4.9.337-arm) take only those.  For each of these a module built prints
# "KO DIR PATH" too (tests/vm/run.sh boots it).
# Prints PASS/FAIL/SKIP lines (tests/lib/check.h); SKIP when no tree is
# given, or kmod/ has no Kbuild yet.  A warning located in the module's
# own files (kmod/, common/) is a FAIL; those in the kernel's headers (old
# kernels and a newer compiler) are not.
set -u
# shellcheck source=tests/kmod/lib.sh
. "$(dirname "$0")/lib.sh"
fails=0

# shared_kdirs: the build trees of ../shared/kernels, unpacked; prints
# them as P2PG_OLD_KDIRS entries.
shared_kdirs() {
	local t d v n
	for t in "$TOP"/../shared/kernels/*/headers.tar.xz; do
		[ -f "$t" ] || continue
		n=$(basename "$(dirname "$t")")
		[ $# -eq 0 ] || [[ " $* " == *" $n "* ]] || continue
		d=$CACHE/old-kernels/$n
		v=$(tar tJf "$t" | head -n 1 | cut -d/ -f1)
		if [ ! -f "$d/$v/include/config/auto.conf" ]; then
			rm -rf "$d" && mkdir -p "$d" && tar xJf "$t" -C "$d" ||
				{ echo "FAIL kmod old kernel $v: cannot unpack $t" >&2; continue; }
		fi
		echo "$d/$v"
	done
}
if [ -z "${P2PG_OLD_KDIRS:-}" ]; then
	P2PG_OLD_KDIRS=$(shared_kdirs "$@")
	if [ -n "$P2PG_OLD_KDIRS" ]; then
		. "$TOP/tests/lib/apt.sh"
		p2pg_apt_install kmod-old-kernels gcc-arm-linux-gnueabihf \
			gcc-mipsel-linux-gnu >&2 ||
			echo "FAIL kmod old kernels: cannot install the cross compilers"
	fi
fi
if [ -z "${P2PG_OLD_KDIRS:-}" ]; then
	echo "SKIP kmod old kernels: no old kernel trees given (P2PG_OLD_KDIRS," \
		"or ../shared/kernels; see tests/kmod/old-kernels.sh)"
	exit 0
fi
for ent in $P2PG_OLD_KDIRS; do
	IFS=, read -r kdir arch cross <<< "$ent"
	kdir=${kdir%/}
	rel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null)
	name="kmod old kernel ${rel:-$kdir}"
	if ! kmod_buildable; then
		echo "SKIP $name: no kmod/Kbuild yet"
		continue
	fi
	if [ ! -f "$kdir/Makefile" ] || [ ! -f "$kdir/include/config/auto.conf" ]; then
		echo "FAIL $name: $kdir is not a configured, prepared kernel tree" \
			"(make defconfig && make modules_prepare)"
		fails=$((fails + 1))
		continue
	fi
	if [ -z "$arch" ]; then
		for a in ARM:arm ARM64:arm64 MIPS:mips X86:x86 RISCV:riscv; do
			grep -q "^CONFIG_${a%%:*}=y" "$kdir/include/config/auto.conf" &&
				arch=${a#*:} && break
		done
	fi
	if [ -z "$cross" ]; then
		case $arch in
		arm) cross=arm-linux-gnueabihf- ;;
		arm64) cross=aarch64-linux-gnu- ;;
		mips) cross=mipsel-linux-gnu- ;;
		*) cross="" ;;
		esac
	fi
	missing=""
	for c in MODULES NETFILTER; do
		grep -q "^CONFIG_$c=y" "$kdir/include/config/auto.conf" ||
			missing="$missing CONFIG_$c"
	done
	if [ -n "$missing" ]; then
		echo "FAIL $name: not set in $kdir:$missing"
		fails=$((fails + 1))
		continue
	fi
	# Old ARM trees fall back to -march=armv5t -Wa,-march=armv7-a when
	# their cc-option probe fails with a new gcc, and new binutils then
	# obey gcc's .arch armv5t: cpsid and dmb are refused.  Say v7 outright.
	kcflags=""
	[ "$arch" = arm ] && grep -q '^CONFIG_CPU_32v7=y' "$kdir/include/config/auto.conf" &&
		kcflags=-march=armv7-a
	out=$KMOD_OUT/kmod-old-$(basename "$kdir")
	kmod_stage "$out/src"
	rm -f "$out/p2pguard.ko"
	if ! make -C "$kdir" M="$out/src" ${arch:+ARCH=$arch} \
		${cross:+CROSS_COMPILE=$cross} ${kcflags:+KCFLAGS=$kcflags} \
		modules > "$out/build.log" 2>&1; then
		echo "FAIL $name ($arch): make modules failed ($out/build.log):"
		grep -E 'error|Error' "$out/build.log" | head -20 | sed 's/^/    /'
		fails=$((fails + 1))
		continue
	fi
	ko=$(find "$out/src" -name p2pguard.ko | head -1)
	if [ -z "$ko" ]; then
		echo "FAIL $name ($arch): no p2pguard.ko built"
		fails=$((fails + 1))
		continue
	fi
	warn=$(grep -E "src/(kmod|common)/[^:]*:[0-9]+:[0-9]+: warning:" "$out/build.log")
	if [ -n "$warn" ]; then
		echo "FAIL $name ($arch): compiler warnings:"
		echo "$warn" | head -20 | sed 's/^/    /'
		fails=$((fails + 1))
		continue
	fi
	cp "$ko" "$out/p2pguard.ko"
	echo "PASS $name ($arch, ${cross:-native}): $(kmod_vermagic "$ko")"
	case $kdir in
	"$CACHE"/old-kernels/*) echo "KO $(basename "$(dirname "$kdir")") $out/p2pguard.ko" ;;
	esac
done
[ "$fails" -eq 0 ]
