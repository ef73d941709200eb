#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The build graph follows the headers: touching a shared header rebuilds
# the BPF object and every binary that embeds it, and what includes the
# header, and leaves the rest alone.  Checked by timestamps in a copy of
# the tree ("make -n" lists everything: build/.build-config is rewritten
# on every run).  Prints PASS/FAIL lines (tests/lib/check.h).
set -u
cd "$(dirname "$0")/../.." || exit 1
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

T=$(mktemp -d /tmp/p2pguard-deps.XXXXXX)
trap 'rm -rf "$T"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$T" || exit 1
cd "$T" || exit 1
B=build
# The binaries that embed the BPF object (userspace/embedded_bpf_data.S).
BINS="$B/p2pguardd $B/p2pguardctl $B/tests/test_classify $B/tests/test_kmod_path
$B/tests/test_blob $B/tests/test_bpf $B/tests/netpeer $B/tests/fakedev"
BPF="$B/p2pguard.bpf.o"

build() { make -s -j"$(nproc)" all tests >"$T/make.log" 2>&1; }
build || { fail "header-deps: the first build failed: $(tail -3 "$T/make.log")"; exit 1; }

# HEADER: the products it must rebuild, and one it must not.
declare -A want keep
want[common/p2pguard_abi.h]="$BPF $B/p2pguard_iter.bpf.o $BINS $B/tests/fuzz_classify $B/tests/fuzz_blob"
want[common/p2pguard_rules.h]="$BPF $BINS $B/userspace/policy.o $B/tests/fuzz_classify"
keep[common/p2pguard_rules.h]="$B/loader/settings.o"
want[common/p2pguard_parse.h]="$BPF $BINS"
want[common/p2pguard_classify.h]="$BPF $BINS $B/tests/fuzz_classify"
keep[common/p2pguard_parse.h]="$B/userspace/conf.o"
keep[common/p2pguard_classify.h]="$B/loader/settings.o $B/userspace/policy.o"
want[common/p2pguard_path.h]="$B/tests/test_kmod_path"
keep[common/p2pguard_path.h]="$BPF $B/p2pguardd $B/tests/test_blob"
want[common/p2pguard_blob.h]="$B/userspace/policy.o $B/p2pguardd $B/tests/test_blob $B/tests/fuzz_blob"
keep[common/p2pguard_blob.h]="$BPF"

# Every header of the tree that the BPF program includes is in the table:
# a new shared header needs a row.
for h in $(sed 's/[:\\]/ /g' "$B/p2pguard.tmp.bpf.d" | tr ' ' '\n' |
	grep -E '^(bpf|kmod|userspace|common)/.*\.h$' | sort -u); do
	[ -n "${want[$h]:-}" ] || fail "header-deps: $h (included by the BPF program) has no row here"
done

for h in "${!want[@]}"; do
	[ -f "$h" ] || { fail "header-deps $h: no such header"; continue; }
	sleep 0.01
	touch "$h"
	build || { fail "header-deps $h: the rebuild failed: $(tail -3 "$T/make.log")"; continue; }
	stale="" extra=""
	for f in ${want[$h]}; do
		[ "$f" -nt "$h" ] || stale="$stale $f"
	done
	for f in ${keep[$h]:-}; do
		[ "$f" -nt "$h" ] && extra="$extra $f"
	done
	if [ -n "$stale" ]; then
		fail "header-deps $h: not rebuilt:$stale"
	else
		pass "header-deps $h: $(wc -w <<<"${want[$h]}") products rebuilt"
	fi
	if [ -n "$extra" ]; then
		fail "header-deps $h: rebuilt though it does not include it:$extra"
	elif [ -n "${keep[$h]:-}" ]; then
		pass "header-deps $h: left alone: ${keep[$h]}"
	fi
done
[ "$fails" -eq 0 ]
