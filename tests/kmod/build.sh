#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Build the kernel module (kmod/) for every kernel of the VM matrix, against
# Debian's headers of exactly the image the VM boots
# (tests/vm/fetch-headers.sh), each in a private copy of the sources under
# tests/vm/cache/out/kmod-ARCH-SUITE/src.  The module is copied to
# tests/vm/cache/out/kmod-ARCH-SUITE/p2pguard.ko, where tests/vm/run.sh
# takes it into the guest, and its vermagic must name the image's release.
#
# Usage: tests/kmod/build.sh [ARCH:SUITE...]   (default: the whole matrix)
# Prints PASS/FAIL/SKIP lines (tests/lib/check.h) and "KO ARCH:SUITE PATH"
# for each module built; exit status non-zero on any failure.  SKIP for
# every kernel while kmod/ has no Kbuild.
set -u
# shellcheck source=tests/kmod/lib.sh
. "$(dirname "$0")/lib.sh"
MATRIX=${*:-${KMOD_MATRIX:-$KMOD_MATRIX_DEFAULT}}
fails=0

for e in $MATRIX; do
	lbl=$(kmod_label "$e")
	if ! kmod_buildable; then
		echo "SKIP kmod build $lbl: no kmod/Kbuild yet"
		continue
	fi
	a=${e%%:*} s=${e#*:}
	out=$KMOD_OUT/kmod-$a-$s
	mkdir -p "$out"
	rm -f "$out/p2pguard.ko"
	if ! kdir=$(kmod_kdir "$e" 2> "$out/fetch.log") || [ -z "$kdir" ]; then
		echo "SKIP kmod build $lbl: no build tree: $(tail -1 "$out/fetch.log")"
		continue
	fi
	kmod_stage "$out/src"
	if ! kmod_make "$kdir" "$a" "$out/src" modules > "$out/build.log" 2>&1; then
		echo "FAIL kmod build $lbl: make modules failed ($out/build.log):"
		grep -E 'error|Error' "$out/build.log" | head -20 | sed 's/^/    /'
		fails=$((fails + 1))
		continue
	fi
	ko=$(find "$out/src" -name p2pguard.ko | head -1)
	if [ -z "$ko" ]; then
		echo "FAIL kmod build $lbl: no p2pguard.ko built (.ko files:" \
			"$(cd "$out/src" && find . -name '*.ko' | tr '\n' ' '))"
		fails=$((fails + 1))
		continue
	fi
	# The guest's insmod checks vermagic against its own release.
	release=$(sed 's/^linux-image-//' "$CACHE/kernel-$a-$s/package")
	vm=$(kmod_vermagic "$ko")
	if [ "${vm%% *}" != "$release" ]; then
		echo "FAIL kmod build $lbl: vermagic '$vm' is not for $release"
		fails=$((fails + 1))
		continue
	fi
	# Warnings from the module's own files (not the kernel's headers).
	warn=$(grep -E "src/(kmod|common)/[^:]*:[0-9]+:[0-9]+: warning:" \
		"$out/build.log")
	if [ -n "$warn" ]; then
		echo "FAIL kmod build $lbl: compiler warnings:"
		echo "$warn" | head -20 | sed 's/^/    /'
		fails=$((fails + 1))
		continue
	fi
	cp "$ko" "$out/p2pguard.ko"
	echo "PASS kmod build $lbl: $release"
	echo "KO $e $out/p2pguard.ko"
done
[ "$fails" -eq 0 ]
