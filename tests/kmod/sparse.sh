#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# sparse on the kernel module: kmod/ built with C=2 (every file checked)
# against the build tree of one kernel of the VM matrix (KMOD_SPARSE_KERNEL,
# default amd64:bookworm, 6.1), in a private copy of the sources.  Any
# warning or error, sparse's or the compiler's, is a FAIL.  SKIP while
# kmod/ has no Kbuild, or without sparse (make deps installs it).
#
# Usage: tests/kmod/sparse.sh   Prints PASS/FAIL/SKIP lines
# (tests/lib/check.h).
set -u
# shellcheck source=tests/kmod/lib.sh
. "$(dirname "$0")/lib.sh"
e=${KMOD_SPARSE_KERNEL:-amd64:bookworm}
name="kmod sparse ($(kmod_label "$e"))"

kmod_buildable || { echo "SKIP $name: no kmod/Kbuild yet"; exit 0; }
command -v sparse >/dev/null ||
	{ echo "SKIP $name: no sparse (make deps installs it)"; exit 0; }
out=$KMOD_OUT/kmod-sparse
mkdir -p "$out"
if ! kdir=$(kmod_kdir "$e" 2> "$out/fetch.log") || [ -z "$kdir" ]; then
	echo "SKIP $name: no build tree: $(tail -1 "$out/fetch.log")"
	exit 0
fi
kmod_stage "$out/src"
kmod_make "$kdir" "${e%%:*}" "$out/src" C=2 modules > "$out/build.log" 2>&1
rc=$?
checked=$(grep -c '^ *CHECK ' "$out/build.log")
msgs=$(grep -E ':[0-9]+:[0-9]+: (warning|error):' "$out/build.log")
if [ "$rc" -ne 0 ]; then
	echo "FAIL $name: make C=2 modules failed ($out/build.log):"
	grep -E 'error|Error' "$out/build.log" | head -20 | sed 's/^/    /'
elif [ -n "$msgs" ]; then
	echo "FAIL $name: $(echo "$msgs" | wc -l) warnings:"
	echo "$msgs" | head -40 | sed 's/^/    /'
elif [ "$checked" -eq 0 ]; then
	echo "FAIL $name: sparse checked no file ($out/build.log)"
else
	echo "PASS $name: $checked files, no warning"
fi
