#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# make bench: run the benchmarks and write their tables into
# Documentation/performance.rst between ".. BEGIN name" / ".. END name"
# markers, and PNG plots (gnuplot) beside it.  Figures only; nothing here
# passes or fails on speed.  A part that cannot run leaves its section as
# it was, says why, and makes the exit status non-zero.
#
#   bench_classes    ns per packet per class, beside the empty program
#   bench_vm_jit     the same in the armhf guest (tests/vm/run.sh,
#                    VM_BENCH=1): the interpreter against the JIT, ratios
#   bench_kmod_path  ns per packet through the module's path, natively
#   bench_scale      ns per packet against deny-list size
#   bench_policy     policy build time and map sizes against list size
#   bench_throughput pkt/s and bit/s: no program, empty, p2pguard, nftables
#   bench_switch     settings file saved to first P2P datagram refused
#   bench_footprint  binary sizes, map memory, daemon RSS (x86_64)
#   bench_footprint_cross  the same sizes for the ARM cross builds
#   bench_memory_armhf  p2pguardd's memory in the armhf guest (last VM run)
#
# Environment: BENCH_REPEAT (200000 test runs per figure), BENCH_ROUNDS,
# BENCH_SECONDS, BENCH_SWITCHES (tests/bench/net.sh), BENCH_SIZES
# ("10 1000 100000"), CROSS_DIRS (build/cross-armhf build/cross-arm64
# build/cross-mipsel), BENCH_VM (1: boot the armhf guest; 0: leave its
# section), BENCH_VM_REPEAT (2000 test runs per figure in the guest).
set -eu
export LC_ALL=C
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
DOC=Documentation/performance.rst
REPEAT=${BENCH_REPEAT:-200000}
SIZES=${BENCH_SIZES:-10 1000 100000}
CROSS_DIRS=${CROSS_DIRS:-$B/cross-armhf $B/cross-arm64 $B/cross-mipsel}
failed=0

replace_section() {	# replace_section NAME FILE
	/usr/bin/python3 - "$DOC" "$1" "$2" <<'PY'
import sys
doc, name, body = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
s = open(doc).read()
b, e = ".. BEGIN %s\n" % name, ".. END %s\n" % name
i, j = s.index(b) + len(b), s.index(e)
open(doc, "w").write(s[:i] + "\n" + body + "\n" + s[j:])
PY
}

work=$(mktemp -d /tmp/p2pguard-bench-out.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The plotter and nftables (the comparison), from Debian, when missing.
missing=""
command -v gnuplot >/dev/null || missing="$missing gnuplot-nox"
command -v nft >/dev/null || missing="$missing nftables"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ]; then
	. tests/lib/apt.sh
	# shellcheck disable=SC2086 # a list of package names
	p2pg_apt_install bench $missing ||
		echo "bench: could not install$missing; going on without" >&2
fi

STAMP="$(uname -n) $(uname -m) ($(nproc) CPUs), kernel $(uname -r), $(date -u +%Y-%m-%d)"

# plot NAME GNUPLOT-COMMANDS: Documentation/NAME.png; appends the image
# directive to SECTION-FILE ($3) when the plot was made.
plot() {
	local png=Documentation/$1.png
	command -v gnuplot >/dev/null || { echo "bench: no gnuplot, no $png" >&2; return 0; }
	if gnuplot <<EOF
set terminal pngcairo noenhanced size 1100,600 font ",10"
set output "$png"
set grid ytics
set key top left
$2
EOF
	then
		printf '\n.. image:: %s\n   :alt: %s\n' "$1.png" "$1" >> "$3"
		echo "bench: wrote $png"
	else
		echo "bench: gnuplot failed for $png" >&2
	fi
}

# ---- item 1: per class ----------------------------------------------------
if "$B/tests/bench_classes" "$REPEAT" | tee "$work/classes.rst"; then
	# Rows between the header's closing rule and the last rule.
	awk '/^=+ / { rule++; next } rule == 2 && NF >= 3 { print $1, $2, $3 }' \
		"$work/classes.rst" > "$work/classes.dat"
	plot perf-classes "
set title 'ns per packet by class, BPF_PROG_TEST_RUN -- $STAMP'
set ylabel 'ns per packet'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -60 scale 0 font ',8'
set bmargin 10
set yrange [0:*]
plot '$work/classes.dat' using 2:xtic(1) title 'p2pguard', '' using 3 title 'empty program'
" "$work/classes.rst"
	replace_section bench_classes "$work/classes.rst"
else
	echo "bench: bench_classes failed" >&2
	failed=1
fi

# ---- the kernel module's packet path, natively ------------------------------
if "$B/tests/test_kmod_path" --bench "$REPEAT" | tee "$work/kmod.rst"; then
	replace_section bench_kmod_path "$work/kmod.rst"
else
	echo "bench: test_kmod_path --bench failed" >&2
	failed=1
fi

# ---- item 3: deny-list size -----------------------------------------------
# shellcheck disable=SC2086
if "$B/tests/bench_scale" -r "$REPEAT" -d "$work/scale.dat" $SIZES |
	tee "$work/scale.rst"; then
	plot perf-scale "
set title 'ns per packet against deny-list size (N prefixes and N domains) -- $STAMP'
set xlabel 'deny-list entries of each kind'
set ylabel 'ns per packet'
set logscale x
set yrange [0:*]
set key outside right
set key autotitle columnhead
plot for [i=2:6] '$work/scale.dat' using 1:i with linespoints lw 2
" "$work/scale.rst"
	replace_section bench_scale "$work/scale.rst"
else
	echo "bench: bench_scale failed" >&2
	failed=1
fi

# ---- building the policy: O(n log n) ---------------------------------------
if "$B/tests/bench_policy" ${BENCH_POLICY_SIZES:-1000 10000 100000} |
	tee "$work/policy.rst"; then
	replace_section bench_policy "$work/policy.rst"
else
	echo "bench: bench_policy failed" >&2
	failed=1
fi

# ---- items 2, 4, 5: in a sandbox ------------------------------------------
if tests/bench/net.sh "$work/net"; then
	plot perf-throughput "
set title 'Throughput relative to no program -- $STAMP'
set ylabel 'ratio to no program'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:1.2]
set key top right
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
plot '$work/net/throughput.dat' using 2:xtic(1) title 'empty program', \
	'' using 3 title 'p2pguard', '' using 4 title 'nftables'
" "$work/net/throughput.rst"
	replace_section bench_throughput "$work/net/throughput.rst"

	for d in off on; do
		awk -v d=$d '$1 == d { print $2 / 1e6 }' "$work/net/switch.dat" |
			sort -g | awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }' \
			> "$work/switch-$d.dat"
	done
	plot perf-switch "
set title 'Settings file saved to first P2P datagram refused / sent -- $STAMP'
set xlabel 'ms after rename()'
set ylabel 'fraction of switches'
set yrange [0:1.02]
set key bottom right
plot '$work/switch-off.dat' using 1:2 with steps lw 2 title 'P2P off: first datagram refused', \
	'$work/switch-on.dat' using 1:2 with steps lw 2 title 'P2P on: first datagram sent'
" "$work/net/switch.rst"
	replace_section bench_switch "$work/net/switch.rst"
	replace_section bench_footprint "$work/net/footprint.rst"
else
	echo "bench: tests/bench/net.sh failed; throughput, switch and footprint not updated" >&2
	failed=1
fi

# ---- item 1 on 32-bit ARM: the interpreter against the JIT ----------------
# The armhf guest of the VM matrix, eBPF run only, with a bench step at its
# end; the guest's own tests run first and must pass.
if [ "${BENCH_VM:-1}" = 1 ]; then
	vm_bench=tests/vm/cache/out/armhf-bookworm-ebpf.bench
	rm -f "$vm_bench"
	if VM_BENCH=1 VM_BENCH_REPEAT=${BENCH_VM_REPEAT:-2000} VM_BACKENDS=ebpf VM_DOC=0 \
		tests/vm/run.sh armhf:bookworm > "$work/vm.out" 2>&1 &&
		[ -s "$vm_bench" ]; then
		cat "$vm_bench" | tee "$work/vm_jit.rst"
		replace_section bench_vm_jit "$work/vm_jit.rst"
	else
		grep -E '^(FAIL|SKIP) ' "$work/vm.out" >&2 || tail -5 "$work/vm.out" >&2
		echo "bench: the armhf guest's bench did not run; its section not updated" >&2
		failed=1
	fi
fi

# ---- item 5, cross builds -------------------------------------------------
# shellcheck disable=SC2086
tests/bench/cross_footprint.sh $CROSS_DIRS | tee "$work/cross.rst"
replace_section bench_footprint_cross "$work/cross.rst"

# ---- p2pguardd's memory on armhf, from the last VM run ------------------------
# tests/vm/guest/test.sh reads it in the guest (INFO daemon_rss); the
# console logs stay in tests/vm/cache/out.
{
	echo "From the console logs of the last \`\`tests/vm/run.sh armhf:bookworm\`\`"
	echo "(static armhf build, in its guest), against the 2 MiB goal:"
	echo
	n=0
	for f in tests/vm/cache/out/armhf-*.log; do
		v=$(sed -n 's/^INFO daemon_rss=//p' "$f" 2>/dev/null | head -1 | tr -d '\r')
		rss=${v%% KiB*}
		case $rss in '' | *[!0-9]*) continue ;; esac
		n=$((n + 1))
		if [ "$rss" -le 2048 ]; then goal="goal met"; else goal="goal MISSED"; fi
		echo "* $(basename "$f" .log), $(date -u -r "$f" +%Y-%m-%d): Rss $v; $goal."
	done
	[ "$n" -gt 0 ] || echo "* no armhf guest run with a memory reading in tests/vm/cache/out."
} | tee "$work/vmmem.rst"
replace_section bench_memory_armhf "$work/vmmem.rst"

echo "bench: wrote $DOC"
exit $failed
