#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# cross_footprint.sh DIR... - stripped sizes of the p2pguardd and
# p2pguardctl found in the cross build directories DIR (tests/cross/check.sh
# makes build/cross-armhf, build/cross-arm64 and build/cross-mipsel), as
# an RST table for
# make bench.  Directories without binaries are skipped; with none at all
# it says where they come from.
set -eu
export LC_ALL=C
work=$(mktemp -d /tmp/p2pguard-cross-size.XXXXXX)
trap 'rm -rf "$work"' EXIT

rule="============== ================================================ ========== =========="
found=0
for d in "$@"; do
	if [ ! -f "$d/p2pguardd" ] || [ ! -f "$d/p2pguardctl" ]; then
		continue
	fi
	if [ $found = 0 ]; then
		echo "Measured $(date -u +%Y-%m-%d) on $(uname -n), from the cross builds present."
		echo
		echo "$rule"
		echo "build          file                                             p2pguardd  both"
		echo "                                                                KiB        KiB"
		echo "$rule"
	fi
	found=1
	desc=$(file -b "$d/p2pguardd" 2>/dev/null || echo "?")
	case $desc in
	*aarch64*) st=aarch64-linux-gnu-strip ;;
	*ARM*) st=arm-linux-gnueabihf-strip ;;
	*MIPS*) st=mipsel-linux-gnu-strip ;;
	*) st="strip" ;;
	esac
	command -v "$st" >/dev/null || st=llvm-strip
	if ! "$st" -o "$work/d" "$d/p2pguardd" 2>/dev/null ||
	   ! "$st" -o "$work/c" "$d/p2pguardctl" 2>/dev/null; then
		printf '%-14s %s\n' "$(basename "$d")" "cannot strip with $st"
		continue
	fi
	sd=$(stat -c %s "$work/d")
	both=$((sd + $(stat -c %s "$work/c")))
	[ "$d/p2pguardd" -ef "$d/p2pguardctl" ] && both=$sd
	short=$(echo "$desc" | cut -d, -f1,2)
	case $desc in *"statically linked"*) short="$short, static" ;; esac
	awk -v n="$(basename "$d")" -v f="$short" -v a="$sd" -v b="$both" \
		'BEGIN { printf "%-14s %-48.48s %10.1f %10.1f\n", n, f, a / 1024, b / 1024 }'
	echo "$(basename "$d") $(date -u -r "$d/p2pguardd" '+%Y-%m-%d %H:%M')" >> "$work/dates"
done
if [ $found = 1 ]; then
	echo "$rule"
	echo
	echo "Stripped.  \"both\": p2pguardd and p2pguardctl together on flash (one"
	echo "file when they are one multi-call program).  Built (UTC):" \
		"$(awk '{ printf "%s%s %s %s", (NR > 1 ? "; " : ""), $1, $2, $3 }' "$work/dates")."
else
	echo "armhf: see cross build (no binaries in: $*)."
	echo "tests/cross/check.sh makes them; make bench then reports their sizes here."
fi
