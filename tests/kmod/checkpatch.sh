#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The kernel's scripts/checkpatch.pl (Debian's linux-source-6.1, fetched
# once by tests/vm/fetch-headers.sh --checkpatch) on every file of kmod/,
# on the headers of common/ written to the kernel's style (those the BPF
# program does not shape: the parser, the rules, the blob, the path) and
# on ./Kbuild: one line per file, PASS when checkpatch reports nothing
# (no ERROR, WARNING or CHECK), FAIL with its report otherwise.  SKIP while
# kmod/ has no files.
#
# Usage: tests/kmod/checkpatch.sh [FILE...]   (default: Kbuild, kmod/*,
# and $KMOD_STYLE_COMMON)
# Environment: CHECKPATCH_FLAGS (default --no-tree --strict: the
# CHECK-level tests too, as for networking code).
set -u
# shellcheck source=tests/kmod/lib.sh
. "$(dirname "$0")/lib.sh"
FLAGS=${CHECKPATCH_FLAGS:---no-tree --strict}
# common/p2pguard_abi.h and p2pguard_classify.h are left out: their macros
# (the reason X-macro, the window's byte accessors) and unrolled loops
# are shaped for the BPF program and userspace.
KMOD_STYLE_COMMON="common/p2pguard_parse.h common/p2pguard_rules.h
common/p2pguard_blob.h common/p2pguard_path.h"

if [ $# -eq 0 ]; then
	kmod_present || { echo "SKIP kmod checkpatch: no kmod/ yet"; exit 0; }
	# The module's files: those git knows or would add, not Kbuild's
	# output (.gitignore).
	if git rev-parse --git-dir >/dev/null 2>&1; then
		mapfile -t files < <(git ls-files --cached --others \
			--exclude-standard -- Kbuild kmod $KMOD_STYLE_COMMON |
			sort -u)
	else
		mapfile -t files < <(find Kbuild kmod $KMOD_STYLE_COMMON \
			-type f | sort)
	fi
	set -- "${files[@]}"
fi
command -v perl >/dev/null || { echo "SKIP kmod checkpatch: no perl"; exit 0; }
got=$(tests/vm/fetch-headers.sh "$CACHE" --checkpatch 2>&1)
cp=$(echo "$got" | awk '$1 == "checkpatch" { print $2 }')
if [ -z "$cp" ] || [ ! -f "$cp" ]; then
	echo "SKIP kmod checkpatch: no checkpatch.pl: $(echo "$got" | tail -1)"
	exit 0
fi
fails=0
for f in "$@"; do
	[ -f "$f" ] || continue
	# shellcheck disable=SC2086
	report=$(perl "$cp" $FLAGS --no-summary --color=never -f "$f" 2>&1)
	rc=$?
	n=$(echo "$report" | grep -cE '^(ERROR|WARNING|CHECK):')
	if [ "$rc" -eq 0 ] && [ "$n" -eq 0 ]; then
		echo "PASS kmod checkpatch $f"
	else
		echo "FAIL kmod checkpatch $f: $n reports:"
		echo "$report" | grep -vE '^(total:|NOTE:|$)' | head -60 | sed 's/^/    /'
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
