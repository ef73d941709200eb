#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Run every p2pguard test and print one summary line "N passed, N failed,
# N skipped".  Each test program prints PASS/FAIL/SKIP lines
# (tests/lib/check.h); a program that dies or exits non-zero without a FAIL
# line counts as one failure.  With CI=true, a SKIP whose reason is not one
# of tests/inherent-skips counts as a failure too.  Exit status: non-zero
# on any failure.
set -u
cd "$(dirname "$0")/.."
B=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
log=$(mktemp -d /tmp/p2pguard-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT
pass=0 fail=0 skip=0 avoidable=0
inherent=$(grep -v -e '^#' -e '^$' tests/inherent-skips)

run() {	# run NAME CMD...
	local name=$1 out=$log/$1.out rc p f s a
	shift
	echo "== $name"
	"$@" >"$out" 2>&1
	rc=$?
	grep -E '^(FAIL|SKIP)' "$out"
	p=$(grep -c '^PASS' "$out"); f=$(grep -c '^FAIL' "$out"); s=$(grep -c '^SKIP' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exit status $rc"
		tail -20 "$out"
		f=1
	fi
	if [ "${CI:-}" = true ] && [ "$s" -gt 0 ]; then
		a=$(grep '^SKIP' "$out" | grep -c -v -E "$inherent")
		if [ "$a" -gt 0 ]; then
			echo "FAIL $name: CI=true and $a skip(s) for a reason the project can fix (not in tests/inherent-skips)"
			f=$((f + a)) s=$((s - a)) avoidable=$((avoidable + a))
		fi
	fi
	echo "   $p passed, $f failed, $s skipped"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

fuzz() {	# fuzz NAME: libFuzzer; a crash or sanitizer report exits non-zero
	local corpus reg=tests/fuzz/regressions/$1
	# First the inputs that once failed (tests/fuzz/regressions/NAME/):
	# libFuzzer runs each file given to it once.
	if [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
		if "$B/tests/$1" "$reg"/* >"$log/$1.reg.log" 2>&1; then
			echo "PASS $1: $(ls "$reg" | wc -l) regression input(s) of $reg"
		else
			echo "FAIL $1: a regression input of $reg fails again"
			tail -30 "$log/$1.reg.log"
		fi
	fi
	corpus=$(mktemp -d "$log/corpus.XXXXXX")
	if "$B/tests/$1" -max_total_time="$FUZZ_SECONDS" -seed=1 \
		"$corpus" >"$log/$1.log" 2>&1; then
		echo "PASS $1: $(grep -Eo 'Done [0-9]+ runs' "$log/$1.log")"
	else
		echo "FAIL $1: see output"
		tail -30 "$log/$1.log"
	fi
}

run header_deps tests/build/header-deps.sh
run test_classify "$B/tests/test_classify"
run test_kmod_path "$B/tests/test_kmod_path"
run test_blob "$B/tests/test_blob"
run test_text "$B/tests/test_text"
run test_bpf "$B/tests/test_bpf"
run fuzz fuzz fuzz_classify
run fuzz_blob fuzz fuzz_blob
run buildroot_check tests/buildroot-check.sh
run cross tests/cross/check.sh
# The kernel module (kmod/): each SKIPs until kmod/ exists.
run kmod_checkpatch tests/kmod/checkpatch.sh
run kmod_sparse tests/kmod/sparse.sh
run kmod_build tests/kmod/build.sh
run kmod_old_kernels tests/kmod/old-kernels.sh
# The QEMU matrix (Debian kernels, x86_64 and armhf): VM_MATRIX=0 skips it.
if [ "${VM_MATRIX:-1}" = 1 ]; then
	run vm env VM_DOC=0 tests/vm/run.sh
fi
for t in tests/live/*.sh; do
	[ -x "$t" ] && run "$(basename "$t" .sh)" "$t"
done
# The status pages (webui/), against p2pguardd in the same sandbox.
run test_webui tests/webui/test_webui.sh

echo
[ "$avoidable" -eq 0 ] ||
	echo "CI=true: $avoidable avoidable skip(s) counted as failed (see tests/inherent-skips)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
