#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Run every p2pguard test and print one summary line "N passed, N failed,
# N skipped".  Each test program prints PASS/FAIL/SKIP lines
# (tests/lib/check.h); a program that dies or exits non-zero without a FAIL
# line counts as one failure.  With CI=true, a SKIP whose reason is not one
# of tests/inherent-skips counts as a failure too.  Exit status: non-zero
# on any failure.
#
# T=NAMES (make check T=NAMES) runs only what NAMES selects, a
# comma-separated list of patterns, each matched against
#   - the name of a test program or script (the "== NAME" lines): all of it;
#   - the name of a case of a C test program (its -l): those cases only
#     (PROG -t NAMES, tests/lib/check.h);
#   - PROG/CASE: the cases CASE of the programs PROG (scripts have no
#     cases: PROG/CASE runs the script PROG whole).
# A pattern matches a name it is part of, or, with * ? or [, the whole
# name as a shell glob.  T that selects nothing is a failure.
# Usage: tests/run.sh [-l]   -l lists what T selects (every test without
# T): scripts by name, the C programs' cases as PROG/CASE.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
log=$(mktemp -d /tmp/p2pguard-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT
pass=0 fail=0 skip=0 avoidable=0 ran=0
inherent=$(grep -v -e '^#' -e '^$' tests/inherent-skips)
# T is a name the scripts run here use for their own directories.
names=${T:-}
unset T
list=0
case ${1:-} in
-l | --list) list=1 ;;
"") ;;
*) echo "usage: [T=NAMES] $0 [-l]" >&2; exit 2 ;;
esac

matches() {	# matches NAME PATTERN
	if [[ $2 == *[*?[]* ]]; then
		# shellcheck disable=SC2053 # a glob, on purpose
		[[ $1 == $2 ]]
	else
		[[ $1 == *"$2"* ]]
	fi
}

# selected NAME: what T selects of the test NAME.  Sets whole=1 for all
# of it, cases to the -t argument for its cases (a C program's), sub=1
# when a PROG/CASE pattern names it.
selected() {
	local item items
	whole=0 cases="" sub=0
	[ -n "$names" ] || { whole=1; return; }
	IFS=, read -ra items <<<"$names"
	for item in "${items[@]}"; do
		[ -n "$item" ] || continue
		if [[ $item == */* ]]; then
			matches "$1" "${item%%/*}" || continue
			sub=1
			if [ -z "${item#*/}" ]; then
				whole=1
			else
				cases=${cases:+$cases,}${item#*/}
			fi
		elif matches "$1" "$item"; then
			whole=1
		else
			cases=${cases:+$cases,}$item
		fi
	done
}

run() {	# run NAME CMD...
	local name=$1 out=$log/$1.out rc p f s a
	shift
	ran=$((ran + 1))
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
			echo "PASS $1: $(find "$reg" -type f | wc -l) regression input(s) of $reg"
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

script() {	# script NAME CMD...: when T selects NAME
	selected "$1"
	[ "$whole" = 1 ] || [ "$sub" = 1 ] || return 0
	if [ "$list" = 1 ]; then
		echo "$1"
	else
		run "$@"
	fi
}

prog() {	# prog NAME: the C test program build/tests/NAME, or its cases
	local bin=$B/tests/$1 sel=()
	selected "$1"
	if [ "$whole" = 0 ]; then
		# Cases only: none selected here, or no program to ask.
		[ -n "$cases" ] && [ -x "$bin" ] || return 0
		[ -n "$("$bin" -l -t "$cases" 2>/dev/null)" ] || return 0
		sel=(-t "$cases")
	fi
	if [ "$list" = 1 ]; then
		if [ -x "$bin" ]; then
			"$bin" -l "${sel[@]}" | sed "s|^|$1/|"
		else
			echo "$1 (not built: make tests)"
		fi
	else
		run "$1" "$bin" "${sel[@]}"
	fi
}

script header_deps tests/build/header-deps.sh
prog test_classify
prog test_kmod_path
prog test_blob
prog test_text
prog test_bpf
script fuzz fuzz fuzz_classify
script fuzz_blob fuzz fuzz_blob
script buildroot_check tests/buildroot-check.sh
script cross tests/cross/check.sh
# The kernel module (kmod/): each SKIPs until kmod/ exists.
script kmod_checkpatch tests/kmod/checkpatch.sh
script kmod_sparse tests/kmod/sparse.sh
script kmod_build tests/kmod/build.sh
script kmod_old_kernels tests/kmod/old-kernels.sh
# The QEMU matrix (Debian kernels, x86_64 and armhf): VM_MATRIX=0 skips it.
if [ "${VM_MATRIX:-1}" = 1 ]; then
	script vm env VM_DOC=0 tests/vm/run.sh
fi
for t in tests/live/*.sh; do
	[ -x "$t" ] && script "$(basename "$t" .sh)" "$t"
done
# The status pages (webui/), against p2pguardd in the same sandbox.
script test_webui tests/webui/test_webui.sh
[ "$list" = 1 ] && exit 0

if [ -n "$names" ] && [ "$ran" -eq 0 ]; then
	echo "FAIL T=$names: selects no test program, script or case (tests/run.sh -l lists them)"
	fail=1
fi
echo
[ "$avoidable" -eq 0 ] ||
	echo "CI=true: $avoidable avoidable skip(s) counted as failed (see tests/inherent-skips)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
