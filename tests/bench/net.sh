#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# net.sh OUTDIR - the benchmarks that need a sandbox: throughput against
# no program, the empty program and nftables (issue 6 item 2), switch
# latency (item 4) and the run-time footprint (item 5).  Writes RST pieces
# and gnuplot data into OUTDIR for run.sh; prints figures, asserts nothing.
#
# Everything lives in objects made here and removed on exit, failure
# included: a cgroup under the cgroup2 mount with one child per condition,
# network namespaces (one camera and one peer per condition, so that an
# nftables hook or a program never sits in another condition's path),
# pins under /sys/fs/bpf/p2pgbPID.  Traffic goes only to the peer
# namespaces, 198.51.100.0/24; the 10,000 deny prefixes (198.18.0.0/15)
# are map and set entries, never destinations.
#
# Environment: BENCH_ROUNDS (9), BENCH_SECONDS per run (0.5),
# BENCH_WORKLOADS (all: "udp64 udp1400 udp64up tcp"; fewer for quick A/B
# comparisons, whose table then shows zeros for the rest),
# BENCH_SWITCHES (300), BENCH_NPREFIX (10000) and BENCH_NDOMAIN (1000)
# extra deny prefixes and domains, BUILD (build).
set -eu
export LC_ALL=C
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
OUT=$1
ROUNDS=${BENCH_ROUNDS:-9}
SECS=${BENCH_SECONDS:-0.5}
SWITCHES=${BENCH_SWITCHES:-300}
NPREFIX=${BENCH_NPREFIX:-10000}
NDOMAIN=${BENCH_NDOMAIN:-1000}
ID=p2pgb$$
PIN=/sys/fs/bpf/$ID
T=$(mktemp -d /tmp/p2pguard-bench.XXXXXX)
CONDS=(none empty p2pguard nft)
PIDS=()
# Live pair: camera .2 <-> peer .1 (receivers).  Dead-end pair: camera
# .129 -> .130, whose peer end stays down, so datagrams leave the whole
# egress path and are dropped at the veth.
PEER=198.51.100.1
DEAD=198.51.100.130
NCPU=$(nproc)
SEND_CPU=$((NCPU - 1))

cleanup() {
	local p d
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# Unpinning the links detaches p2pguard.
	rm -rf "$PIN"
	if [ -d "$CG" ]; then
		find "$CG" -depth -type d | while read -r d; do
			while read -r p; do
				echo "$p" > "$CG2/cgroup.procs" 2>/dev/null || true
			done < "$d/cgroup.procs"
			# Removing the cgroup releases the programs attached to it.
			rmdir "$d" 2>/dev/null || true
		done
	fi
	for p in $(ip netns list | awk -v id="$ID" 'index($1, id "-") == 1 { print $1 }'); do
		ip netns del "$p"	# nftables tables go with their namespace
	done
	rm -rf "$T"
	p2pg_unmounts
}

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (cgroups, namespaces, BPF)"
# shellcheck source=tests/lib/mounts.sh
. "$(dirname "$0")/../lib/mounts.sh"
trap cleanup EXIT
p2pg_mounts bench || die "cannot mount bpffs or cgroup2"
CG=$CG2/$ID
for c in ip nsenter bpftool; do
	command -v $c >/dev/null || die "$c is missing"
done
HAVE_NFT=1
command -v nft >/dev/null || HAVE_NFT=0
mkdir -p "$OUT"

# ns NAME CMD...: run in namespace NAME (mounts untouched: nft reads
# /sys/fs/cgroup, which "ip netns exec" would hide behind a fresh sysfs).
ns() {
	local n=$1
	shift
	nsenter --net="/run/netns/$ID-$n" "$@"
}

# in_cond COND CMD...: in COND's cgroup (first) and camera namespace, on
# the sender's CPU.
in_cond() {
	local c=$1
	shift
	sh -c 'cg=$0 net=$1 cpu=$2; shift 2
		echo $$ > "$cg/cgroup.procs" &&
		exec nsenter --net="$net" taskset -c "$cpu" "$@"' \
		"$CG/$c" "/run/netns/$ID-$c-c" "$SEND_CPU" "$@"
}

wait_for() {	# wait_for TENTHS CMD...
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# net_pair NAME: camera and peer namespaces with a live and a dead-end
# veth pair.
net_pair() {
	local n=$1 c=$ID-$1-c w=$ID-$1-w v
	v=${ID}$2
	ip netns add "$c"
	ip netns add "$w"
	ip -n "$c" link set lo up
	ip -n "$w" link set lo up
	ip link add "${v}a" netns "$c" type veth peer name "${v}b" netns "$w"
	ip link add "${v}c" netns "$c" type veth peer name "${v}d" netns "$w"
	ip -n "$c" addr add 198.51.100.2/25 dev "${v}a"
	ip -n "$w" addr add $PEER/25 dev "${v}b"
	ip -n "$c" addr add 198.51.100.129/25 dev "${v}c"
	ip -n "$w" addr add $DEAD/25 dev "${v}d"
	ip -n "$c" link set "${v}a" up
	ip -n "$w" link set "${v}b" up
	ip -n "$c" link set "${v}c" up
	# The peer end stays down; a permanent entry skips ARP.
	ip -n "$c" neigh replace $DEAD dev "${v}c" nud permanent \
		lladdr "$(ip -n "$w" -br link show "${v}d" | awk '{ print $3 }')"
	mkdir "$CG/$n"
	# Not through ns(): $! must be the sink itself, for cleanup's kill.
	nsenter --net="/run/netns/$w" taskset -c 0 "$B/tests/bench_tput" sink 5001 \
		> "$T/sink-$n" &
	PIDS+=($!)
	wait_for 50 grep -q ready "$T/sink-$n" || die "sink in $n did not start"
}

# The nftables ruleset closest to p2pguard's policy with P2P off: the same
# cgroup, LAN exceptions, deny set and the signatures nftables can express
# at fixed offsets (@ih = first byte after the transport header).  Not
# expressible: DNS names, scrambled PPPP, TUTK, length fields compared
# with the datagram's length, "InternetGatewayDevice" anywhere in SSDP.
nft_rules() {	# nft_rules CGROUP-PATH-UNDER-/sys/fs/cgroup LEVEL
	cat <<EOF
table inet p2pg_bench {
	set lan4 {
		type ipv4_addr; flags interval
		elements = { 10.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16,
			     172.16.0.0/12, 192.168.0.0/16, 224.0.0.0/4,
			     255.255.255.255 }
	}
	set lan6 {
		type ipv6_addr; flags interval
		elements = { ::1, fc00::/7, fe80::/10, ff00::/8 }
	}
	set deny4 {
		type ipv4_addr; flags interval
$([ "$NPREFIX" = 0 ] || echo "elements = {"
  "$B/tests/bench_tput" lists nft "$NPREFIX" 0
  [ "$NPREFIX" = 0 ] || echo "}")
	}
	chain out {
		type filter hook output priority filter; policy accept;
		socket cgroupv2 level $2 != "$1" accept
		udp dport 1900 @ih,0,64 0x4d2d534541524348 drop
		udp dport 5351 drop
		ip daddr @lan4 accept
		ip6 daddr @lan6 accept
		ip daddr @deny4 drop
		udp dport { 32100, 10001, 51701, 8800, 9999 } drop
		meta l4proto udp @ih,0,8 0xf1 drop
		meta l4proto udp @ih,0,16 { 0xa100, 0xa101, 0xa102, 0xa104, 0xa106 } drop
		meta l4proto udp @ih,0,32 { 0xf2100000, 0x3acf872a, 0x20cf872a, 0x10cf872a, 0x50544350 } drop
		meta l4proto udp @ih,0,48 { 0x444847455420, 0x4448504f5354 } drop
		meta l4proto udp @ih,32,32 { 0x2112a442, 0xdeedbbdd } drop
		meta l4proto udp @ih,0,8 { 0x7e, 0x7f } drop
		meta l4proto tcp @ih,0,48 { 0x444847455420, 0x4448504f5354 } drop
		meta l4proto tcp @ih,32,32 0x2112a442 drop
	}
}
EOF
}

# ---- setup ----------------------------------------------------------------
mkdir "$CG"
k=0
for c in "${CONDS[@]}" switch; do
	net_pair "$c" $k
	k=$((k + 1))
done

"$B/tests/bench_tput" attach-empty "$CG/empty"

echo "p2p=off" > "$T/state"
cat > "$T/tput.conf" <<EOF
cgroup = $CG/p2pguard
pin_dir = $PIN/tput
run_dir = $T/run-tput
source = state
state_file = $T/state
EOF
"$B/tests/bench_tput" lists conf "$NPREFIX" "$NDOMAIN" >> "$T/tput.conf"
"$B/p2pguardd" --once --config "$T/tput.conf" > "$T/tput.log" 2>&1 ||
	die "p2pguardd --once failed: $(cat "$T/tput.log")"

NFT_NOTE=""
rel=${CG#/sys/fs/cgroup/}
if [ "$HAVE_NFT" = 0 ]; then
	NFT_NOTE="nftables: not measured (nft is not installed)."
elif [ "$rel" = "$CG" ]; then
	NFT_NOTE="nftables: not measured (the cgroup2 mount is not under /sys/fs/cgroup, where nft looks cgroup paths up)."
else
	# Level = depth of the cgroup below the cgroup2 root.
	level=$(( $(echo "${CG#"$CG2"}/nft" | tr -cd / | wc -c) ))
	nft_rules "$rel/nft" $level > "$T/rules.nft"
	ns nft-c nft -f "$T/rules.nft" || die "nft rejected the ruleset"
fi
conds=()
for c in "${CONDS[@]}"; do
	[ "$c" = nft ] && [ -n "$NFT_NOTE" ] && continue
	conds+=("$c")
done

# Sanity: what each condition does to a STUN request and to the benchmark's
# own datagram (which must go out everywhere).
probe_line="STUN Binding Request from the test cgroup:"
for c in "${conds[@]}"; do
	s=$(in_cond "$c" "$B/tests/bench_tput" probe $DEAD 5004 stun)
	p=$(in_cond "$c" "$B/tests/bench_tput" probe $DEAD 5004 plain)
	probe_line="$probe_line $c $s;"
	[ "$p" = sent ] || die "$c: the benchmark datagram was $p"
done
echo "$probe_line"

# ---- throughput (item 2) --------------------------------------------------
read -ra WL <<< "${BENCH_WORKLOADS:-udp64 udp1400 udp64up tcp}"
run_wl() {	# run_wl COND WORKLOAD
	case $2 in
	udp64) in_cond "$1" "$B/tests/bench_tput" send udp $DEAD 5004 64 "$SECS" ;;
	udp1400) in_cond "$1" "$B/tests/bench_tput" send udp $DEAD 5004 1400 "$SECS" ;;
	udp64up) in_cond "$1" "$B/tests/bench_tput" send udp $PEER 5001 64 "$SECS" ;;
	tcp) in_cond "$1" "$B/tests/bench_tput" send tcp $PEER 5001 65536 "$SECS" ;;
	esac
}

# The conditions of one workload run back to back, first one rotated each
# round: what the rest of the machine does drifts less between them.
load=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$T/tput.raw"
n=${#conds[@]}
for ((r = 0; r < ROUNDS; r++)); do
	for w in "${WL[@]}"; do
		for ((i = 0; i < n; i++)); do
			c=${conds[$(((i + r) % n))]}
			read -r pk by sec er en < <(run_wl "$c" "$w")
			echo "$r $c $w $pk $by $sec $er $en" >> "$T/tput.raw"
		done
	done
	echo "bench: throughput round $((r + 1))/$ROUNDS done"
done

# Time inside the program per datagram, live: the kernel's run-time
# statistics on for one more UDP 64 B run of each program.  They cost every
# BPF program on the machine two clock reads per run, so never during the
# measured runs; the figures include those reads.
run_stats() {	# run_stats PROG-ID: "run_time_ns run_cnt"
	bpftool prog show id "$1" |
		awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
		     END { print t + 0, c + 0 }'
}
live_ns() {	# live_ns COND PROG-ID
	local t0 c0 t1 c1
	read -r t0 c0 < <(run_stats "$2")
	run_wl "$1" udp64 > /dev/null
	read -r t1 c1 < <(run_stats "$2")
	awk -v t=$((t1 - t0)) -v c=$((c1 - c0)) 'BEGIN { if (c > 0) printf "%.0f", t / c; else print "-" }'
}
live_line=""
id_p=$(bpftool prog show pinned "$PIN/tput/prog" | awk 'NR == 1 { sub(":", "", $1); print $1 }')
id_e=$(bpftool cgroup show "$CG/empty" | awk '/egress/ { print $1; exit }')
"$B/tests/bench_tput" stats 60 > "$T/stats.out" &
SPID=$!
PIDS+=("$SPID")
if wait_for 30 grep -q on "$T/stats.out" && [ -n "$id_p" ] && [ -n "$id_e" ]; then
	live_line="Time inside the program per 64 B datagram, live (kernel run-time"
	live_line="$live_line statistics, one more run each, two clock reads included):"
	live_line="$live_line p2pguard $(live_ns p2pguard "$id_p") ns, empty program"
	live_line="$live_line $(live_ns empty "$id_e") ns."
fi
kill $SPID 2>/dev/null || true

# Per workload: the median rate of each condition; each condition's ratio
# to no program (and p2pguard's to the empty program) as the median of the
# ratios within a round; the run-to-run spread (interquartile range over
# median), the largest of the conditions.  Rates: packets/s for UDP,
# bytes/s for TCP.
awk '
	function sorted(s, a,   n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++)
			a[i] += 0
		for (i = 2; i <= n; i++) {
			t = a[i]
			for (j = i - 1; j >= 1 && a[j] > t; j--)
				a[j + 1] = a[j]
			a[j + 1] = t
		}
		return n
	}
	function med(s,   a, n) {
		n = sorted(s, a)
		if (!n)
			return 0
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function q(s, p,   a, n, k) {	# nearest rank
		n = sorted(s, a)
		k = int((p * n + 99) / 100)
		return a[k < 1 ? 1 : k]
	}
	{
		v = ($3 == "tcp" ? $5 : $4) / $6
		rate[$1, $2, $3] = v
		all[$2, $3] = all[$2, $3] " " v
		err[$2] += $7
		rounds[$1] = 1
	}
	END {
		split("udp64 udp1400 udp64up tcp", W, " ")
		split("none empty p2pguard nft", C, " ")
		for (w = 1; w <= 4; w++) {
			line = W[w]
			spread = 0
			for (c = 1; c <= 4; c++) {
				k = C[c] SUBSEP W[w]
				m = med(all[k])
				if (m > 0 && (q(all[k], 75) - q(all[k], 25)) / m > spread)
					spread = (q(all[k], 75) - q(all[k], 25)) / m
				rs = ""
				for (r in rounds)
					if ((r, C[c], W[w]) in rate && rate[r, "none", W[w]] > 0)
						rs = rs " " rate[r, C[c], W[w]] / rate[r, "none", W[w]]
				line = line sprintf(" %.1f %.4f", m, rs == "" ? 0 : med(rs))
			}
			rs = ""
			for (r in rounds)
				if ((r, "p2pguard", W[w]) in rate && rate[r, "empty", W[w]] > 0)
					rs = rs " " rate[r, "p2pguard", W[w]] / rate[r, "empty", W[w]]
			print line, sprintf("%.4f %.3f", rs == "" ? 0 : med(rs), spread)
		}
		for (c = 1; c <= 4; c++)
			if (C[c] in err)
				print "errors", C[c], err[C[c]] > "/dev/stderr"
	}' "$T/tput.raw" > "$T/tput.sum" 2> "$T/tput.err"

measured=$(date -u +%Y-%m-%d)
host="$(uname -n) $(uname -m) ($NCPU CPUs), kernel $(uname -r)"
{
	echo "Measured $measured on $host, load average $load at the start;"
	echo "$ROUNDS rounds of $SECS s per run.  Rates are medians; ratios (in"
	echo "parentheses: to no program) are medians of the ratios within a round."
	echo
	echo "========================= ========= ================ ================ ================ ========== ======"
	echo "workload                  no        empty program    p2pguard         nftables         p2pguard / spread"
	echo "                          program                                                      empty"
	echo "========================= ========= ================ ================ ================ ========== ======"
	while read -r w nm _ em er pm pr fm fr pe sp; do
		case $w in
		udp64) label="UDP 64 B, Mpkt/s"; div=1e6 ;;
		udp1400) label="UDP 1400 B, Mpkt/s"; div=1e6 ;;
		udp64up) label="UDP 64 B to peer, Mpkt/s"; div=1e6 ;;
		tcp) label="TCP, Gbit/s"; div=1.25e8 ;;
		esac
		awk -v l="$label" -v d="$div" -v nm="$nm" -v em="$em" -v er="$er" \
			-v pm="$pm" -v pr="$pr" -v fm="$fm" -v fr="$fr" -v pe="$pe" -v sp="$sp" '
			function cell(m, r) {
				return m > 0 ? sprintf("%.3f (%.3f)", m / d, r) : "-"
			}
			BEGIN {
				printf "%-25s %9.3f %-16s %-16s %-16s %10.3f %5.1f%%\n", l,
					nm / d, cell(em, er), cell(pm, pr), cell(fm, fr), pe,
					sp * 100
			}'
	done < "$T/tput.sum"
	echo "========================= ========= ================ ================ ================ ========== ======"
	echo
	echo "UDP 64 B and 1400 B: sendmmsg() in batches of 32 on a connected socket"
	echo "to a veth whose peer end is down (each datagram takes the whole egress"
	echo "path, cgroup hook and netfilter included, and is dropped at the veth)."
	echo "UDP 64 B to peer: the same to a receiver in the peer namespace."
	echo "TCP: one connection to a receiver in the peer namespace, 64 KiB writes."
	echo "Sender pinned to CPU $SEND_CPU, receivers to CPU 0.  Spread: the"
	echo "largest interquartile range over median of the four conditions."
	echo "p2pguard: P2P off, enforce, default lists plus $NPREFIX deny prefixes"
	echo "and $NDOMAIN deny domains.  Failed sends over all runs:" \
		"$(awk '{ printf " %s %d;", $2, $3 }' "$T/tput.err")"
	echo "$probe_line"
	[ -z "$live_line" ] || echo "$live_line"
	[ -z "$NFT_NOTE" ] || echo "$NFT_NOTE"
} > "$OUT/throughput.rst"
{
	echo "# workload empty p2pguard nftables (ratio to no program)"
	awk '{ printf "\"%s\" %s %s %s\n", $1, $5, $7, $9 }' "$T/tput.sum"
} > "$OUT/throughput.dat"
cp "$T/tput.raw" "$OUT/throughput.raw"

# ---- switch latency (item 4) ----------------------------------------------
mkdir -p "$T/etc"
echo "p2p_enable=1" > "$T/etc/camera.conf"
cat > "$T/switch.conf" <<EOF
cgroup = $CG/switch
pin_dir = $PIN/switch
run_dir = $T/run-switch
source = file
file = $T/etc/camera.conf
key = p2p_enable
EOF
"$B/p2pguardd" --foreground --config "$T/switch.conf" > "$T/switch.log" 2>&1 &
DPID=$!
PIDS+=("$DPID")
wait_for 100 test -s "$T/run-switch/p2pguardd.pid" ||
	die "p2pguardd did not start: $(cat "$T/switch.log")"
in_cond switch "$B/tests/bench_switch" "$T/etc/camera.conf" p2p_enable \
	$PEER 32100 "$SWITCHES" "$OUT/switch.dat" > "$OUT/switch.rst"
{
	echo
	echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "p2pguardd follows the file with inotify on its directory (2 ms"
	echo "debounce); the sender is in the enforced cgroup.  Saved as settings"
	echo "tools do: write a temporary file, rename() it over the settings file."
} >> "$OUT/switch.rst"

# ---- footprint (item 5) ---------------------------------------------------
kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

# The maps of each instance as p2pguardctl status --json lists them (every
# map of both programs and the pins, an estimate each), with the kernel's
# own memlock figure beside (bpftool map show).
"$B/p2pguardctl" --config "$T/switch.conf" status --json > "$T/maps.switch" || true
"$B/p2pguardctl" --config "$T/tput.conf" status --json > "$T/maps.tput" || true
/usr/bin/python3 - "$T/maps.switch" "$T/maps.tput" "$PIN/switch" > "$T/maps.rst" <<'PY'
import json, subprocess, sys
def maps(path):
    try:
        return {m["name"]: m for m in json.load(open(path))["memory"]["maps"]}
    except (ValueError, KeyError):
        return {}
def kernel(name, pins):
    try:
        out = subprocess.check_output(["bpftool", "-j", "map", "show", "pinned",
                                       pins + "/" + name], stderr=subprocess.DEVNULL)
        return json.loads(out).get("bytes_memlock")
    except (subprocess.CalledProcessError, ValueError, OSError):
        return None
a, b = maps(sys.argv[1]), maps(sys.argv[2])
pins = sys.argv[3]
rule = "=================== =============== ========= ========= ========= ========="
print(rule)
print("map                 type            entries   default   +lists    kernel,")
print("                                              KiB       KiB       default KiB")
print(rule)
ta = tb = 0
for n in sorted(set(a) | set(b)):
    x, y = a.get(n), b.get(n)
    m = x or y
    note = " (a)" if m["at_most"] else " (s)" if m["per_socket"] else ""
    ka = x["bytes"] if x else 0
    kb = y["bytes"] if y else 0
    ta += ka
    tb += kb
    k = kernel(n, pins) if x else None
    print("%-19s %-15s %9s %9.1f %9.1f %9s%s" % (
        n, m["type"], m["max_entries"], ka / 1024, kb / 1024,
        "%.1f" % (k / 1024) if k is not None else "-", note))
print("%-19s %-15s %9s %9.1f %9.1f" % ("total", "", "", ta / 1024, tb / 1024))
print(rule)
print()
print("Goal: at most 1024 KiB with the default policy: %.1f KiB, %s." % (
    ta / 1024, "met" if ta <= 1 << 20 else "MISSED"))
PY
rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$DPID/status")
hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$DPID/status")
anon=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$DPID/status")
strip -o "$T/p2pguardd" "$B/p2pguardd"
strip -o "$T/p2pguardctl" "$B/p2pguardctl"
sd=$(stat -c %s "$T/p2pguardd")
sc=$(stat -c %s "$T/p2pguardctl")
both=$((sd + sc)) ctl=$(kib "$sc")
if [ "$B/p2pguardd" -ef "$B/p2pguardctl" ]; then
	both=$sd ctl="same file"
fi
# The objects are embedded gzipped (userspace/embedded_bpf_data.S).
bpfo=$(( $(stat -c %s "$B/p2pguard.bpf.o.gz") + $(stat -c %s "$B/p2pguard_iter.bpf.o.gz") ))
libs=$(ldd "$B/p2pguardd" "$B/p2pguardctl" | awk '$3 ~ /^\// { print $3 }' | sort -u)
libsz=0
for l in $libs; do libsz=$((libsz + $(stat -L -c %s "$l"))); done
{
	echo "Measured $measured on $host."
	echo
	echo "============================================ =========="
	echo "x86_64, dynamically linked, stripped         KiB"
	echo "============================================ =========="
	printf '%-44s %10s\n' "p2pguardd" "$(kib "$sd")"
	printf '%-44s %10s\n' "p2pguardctl" "$ctl"
	printf '%-44s %10s\n' "p2pguardd + p2pguardctl" "$(kib "$both")"
	printf '%-44s %10s\n' "of which the embedded BPF objects (gzipped)" "$(kib $bpfo)"
	printf '%-44s %10s\n' "shared libraries they load (as installed)" "$(kib $libsz)"
	echo "============================================ =========="
	echo
	echo "Shared libraries: $(for l in $libs; do basename "$l"; done | tr '\n' ' ')"
	echo
	echo "Memory the maps lock, every map of the enforcement (p2pguardctl"
	echo "status --json: bpf_map_info and an estimate per map type): with the"
	echo "default lists (the daemon of the switch benchmark) and with $NPREFIX deny"
	echo "prefixes and $NDOMAIN deny domains more (the throughput benchmark's"
	echo "instance, its maps sized for them).  (a): allocated per element, the"
	echo "figure is the map full; (s): per socket."
	echo
	cat "$T/maps.rst"
	echo
	echo "p2pguardd resident memory after $SWITCHES switches each way:" \
		"VmRSS $rss KiB (RssAnon $anon KiB), peak VmHWM $hwm KiB;" \
		"the goal, 2048 KiB, is for the static armhf build in its guest" \
		"(vm-matrix.rst, the memory section above)."
} > "$OUT/footprint.rst"
echo "bench: net benchmarks done"
