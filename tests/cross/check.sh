#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Cross builds with Debian's cross compilers, static, as for a camera:
#   - armhf, arm64 and mipsel (Ingenic's MIPS32r2) binaries come out,
#     statically linked, and p2pguardd
#     and p2pguardctl are one program (the same file);
#   - armhf p2pguardd + p2pguardctl, stripped, fit the size budget (the
#     other sizes are reported);
#   - with qemu-user (package qemu-user-static), each name runs its own
#     program and the classifier's unit tests pass on the target CPU.
# Builds into build/cross-ARCH, with the sysroot make fetches into
# build/sysroot-ARCH (tests/cross/fetch-sysroot.sh): the native build in
# build/ is left alone.  Prints PASS/FAIL/SKIP lines (tests/lib/check.h).
# Usage: tests/cross/check.sh [ARCH...]   (default: armhf arm64 mipsel)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/apt.sh

failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
skip() { echo "SKIP $1: $2"; }

archs=${*:-armhf arm64 mipsel}

for arch in $archs; do
	t=cross[$arch]
	case $arch in
	# Issue tracker: static armhf p2pguardd + p2pguardctl within 800 KiB.
	armhf)	triple=arm-linux-gnueabihf qemu=arm budget=$((800 * 1024))
		want="ELF 32-bit LSB executable, ARM, EABI5" ;;
	arm64)	triple=aarch64-linux-gnu qemu=aarch64 budget=
		want="ELF 64-bit LSB executable, ARM aarch64" ;;
	mipsel)	triple=mipsel-linux-gnu qemu=mipsel budget=
		want="ELF 32-bit LSB executable, MIPS, MIPS32 rel2" ;;
	*)	fail "$t" "unknown architecture"; continue ;;
	esac
	b=build/cross-$arch
	log=$b.log
	mkdir -p build
	# The cross compiler is installed by the sysroot step, as root only.
	if ! command -v "$triple-gcc" >/dev/null && [ "$(id -u)" != 0 ]; then
		skip "$t" "no $triple-gcc (make sysroot CROSS_COMPILE=$triple- as root)"
		continue
	fi
	# Debian's archive is reachable wherever the project is built: a
	# sysroot that cannot be fetched is a failure, with apt's reason.
	if ! make -s CROSS_COMPILE="$triple-" sysroot >"$log" 2>&1; then
		fail "$t sysroot" "$(tail -n 3 "$log" | tr '\n' ' ')"
		continue
	fi
	if ! make -s BUILD="$b" CROSS_COMPILE="$triple-" STATIC=1 \
		SYSROOT="build/sysroot-$arch" "$b/p2pguardd" "$b/p2pguardctl" \
		"$b/tests/test_classify" >"$log" 2>&1; then
		fail "$t build" "see $log: $(tail -n 3 "$log" | tr '\n' ' ')"
		continue
	fi
	if grep -q 'warning:' "$log"; then
		fail "$t build" "warnings: $(grep -m 3 'warning:' "$log" | tr '\n' ' ')"
	else
		pass "$t build, no warnings"
	fi

	ok=1
	for n in p2pguardd p2pguardctl; do
		command -v file >/dev/null || { ok=; break; }
		f=$(file -b "$b/$n")
		case $f in
		"$want"*"statically linked"*) ;;
		*) fail "$t file $n" "$f"; ok=0 ;;
		esac
	done
	case $ok in
	1) pass "$t file: $want ..., statically linked" ;;
	"") skip "$t file" "no file(1) (apt-get install file)" ;;
	esac
	if [ "$(stat -c %d:%i "$b/p2pguardd")" = \
		"$(stat -c %d:%i "$b/p2pguardctl")" ]; then
		pass "$t p2pguardd and p2pguardctl are one file"
	else
		fail "$t multicall" "p2pguardd and p2pguardctl are different files"
	fi

	"$triple-strip" -o "$b/p2pguard.stripped" "$b/p2pguardd"
	size=$(stat -c %s "$b/p2pguard.stripped")
	if [ -z "$budget" ]; then
		pass "$t stripped size $size bytes ($((size / 1024)) KiB)"
	elif [ "$size" -le "$budget" ]; then
		pass "$t stripped size $size bytes ($((size / 1024)) KiB) <= $((budget / 1024)) KiB"
	else
		fail "$t stripped size" "$size bytes > $budget ($((budget / 1024)) KiB)"
	fi

	if ! command -v "qemu-$qemu-static" >/dev/null && [ "$(id -u)" = 0 ]; then
		p2pg_apt_install cross qemu-user-static >&2 ||
			fail "$t run" "could not install qemu-user-static"
	fi
	q=$(command -v "qemu-$qemu-static" || command -v "qemu-$qemu") || {
		skip "$t run" "no qemu-$qemu-static, and not root to install qemu-user-static"
		continue
	}
	out=$("$q" "$b/p2pguardctl" version 2>&1)
	case $out in
	p2pguardctl\ *) pass "$t p2pguardctl runs: $out" ;;
	*) fail "$t p2pguardctl version" "$out" ;;
	esac
	out=$("$q" "$b/p2pguardd" --help 2>&1 | head -n 1)
	case $out in
	"usage: p2pguardd "*) pass "$t p2pguardd runs the daemon" ;;
	*) fail "$t p2pguardd --help" "$out" ;;
	esac
	"$q" "$b/tests/test_classify" >"$b/test_classify.out" 2>&1
	rc=$?
	np=$(grep -c '^PASS' "$b/test_classify.out")
	nf=$(grep -c '^FAIL' "$b/test_classify.out")
	if [ "$rc" = 0 ] && [ "$nf" = 0 ] && [ "$np" -gt 0 ]; then
		pass "$t test_classify under $(basename "$q"): $np passed"
	else
		fail "$t test_classify under $(basename "$q")" \
			"exit $rc, $nf failed: $(grep -m 3 '^FAIL' "$b/test_classify.out" | tr '\n' ' ')"
	fi
done
exit "$failed"
