#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The VM matrix inside the guest (BusyBox sh, run by /init as PID 1's
# child, on the serial console).  Here, and only here, p2pguardd attaches
# to the root cgroup: the whole VM is the "camera".
#
# 1. Load the program as p2pguardd would, to report the verifier's figure
#    or its message (vmprobe).
# 2. Boot: the rc scripts in order, as Buildroot's rcS runs them: syslog,
#    the network (S10vmnet), p2pguardd through the project's own
#    S30p2pguardd, the emulated vendor daemon (S50vendor) flooding PPPP
#    the moment S30 has returned.  Not one PPPP packet may arrive.
# 3. The enforcement scenario of tests/live/test_enforce.sh with the
#    shipped /etc/p2pguard.conf (root cgroup, switch through "p2pguardctl
#    p2p"): P2P off, nothing P2P arrives, everything else does, counters by
#    reason; P2P on, everything arrives; kill -9 of the daemon during a
#    flood and a restart through S30p2pguardd; unload.  With each switch
#    position, the bypass suite of tests/live/test_bypass.sh (bypass.sh,
#    its rows tests/live/bypass.rows): every shape of p2pshape sent to an
#    Internet sink of its own.
#
# With /etc/vm-backend "module" the same scenario runs with
# "backend = module" in /etc/p2pguard.conf: p2pguardd loads p2pguard.ko and
# no BPF program may be attached, so the module alone enforces; then a
# malformed policy is refused and the old one keeps enforcing, and
# "p2pguardctl unload" leaves no trace of the module.
#
# Output: PASS/FAIL/SKIP lines (tests/lib/check.h) prefixed "vm LABEL:",
# and INFO key=value lines the host turns into the matrix's table.
V=/usr/lib/p2pguard-vm
L=$(cat /etc/vm-label)
CTL=p2pguardctl
WAN4=198.51.100.1 WAN6=2001:db8::1 LAN4=192.168.77.2 LAN6=fd00:77::2
CG=/sys/fs/cgroup
PIN=/sys/fs/bpf/p2pguard
RUN=/run/p2pguard
SYS=/sys/kernel/p2pguard
BACKEND=$(cat /etc/vm-backend 2>/dev/null || echo ebpf)

pass() { echo "PASS vm $L: $*"; }
fail() { echo "FAIL vm $L: $*"; }
skip() { echo "SKIP vm $L: $*"; }
ok() {	# ok NAME CMD...
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
# netpeer's own PASS/FAIL lines, labelled.
label() { sed -E "s/^(PASS|FAIL|SKIP) /\\1 vm $L: /"; }
poll() {	# poll STEP TRIES CMD...: CMD every STEP seconds until it succeeds
	poll_step=$1 n=$2
	shift 2
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep "$poll_step"
		n=$((n - 1))
	done
	return 1
}
wait_for() { poll 0.1 "$@"; }	# wait_for TENTHS CMD...
now() { cut -d. -f1 /proc/uptime; }
p2p_is() {	# the switch in the kernel's config map
	$CTL status --json 2>/dev/null | grep -q "\"p2p\":\"$1\""
}
ours() {	# programs of ours (p2pguard_egress, or p2pguard_full alone) on the root cgroup
	$V/vmprobe attached $CG | sed -n 's/^INFO attached=.* ours=//p'
}
ours_is() { test "$(ours)" = "$1"; }
prog_id() {
	$V/vmprobe attached $CG | awk '$1 == "PROG" && ($3 == "p2pguard_egress" || $3 == "p2pguard_full") { print $2 }'
}
drops() {	# drops FILE REASON
	v=$(grep -o "\"$2\":{[^}]*}" "$1" | grep -o '"drop_packets":[0-9]*' | cut -d: -f2)
	echo "${v:-0}"
}
wan_pppp() { grep -c '^udp[46] 32100 ' /tmp/wan.log; }
module_loaded() { grep -c '^p2pguard ' /proc/modules; }
module() { test "$BACKEND" = module; }
module_gone() { test "$(module_loaded)" = 0; }
# older_than MAJOR MINOR: the running kernel is older than MAJOR.MINOR.
older_than() {
	r=$(uname -r)
	ma=${r%%.*} r=${r#*.}
	mi=${r%%[!0-9]*}
	[ "$ma" -lt "$1" ] || { [ "$ma" -eq "$1" ] && [ "$mi" -lt "$2" ]; }
}
no_bpf() {
	o=$(ours)
	# Before 4.10 there are no cgroup programs to attach, nor to ask about.
	[ -z "$o" ] && older_than 4 10 && o=0
	test "$o" = 0 && test ! -e $PIN/p2pg_config
}

echo "INFO kernel=$(uname -r)"
echo "INFO machine=$(uname -m)"
echo "INFO cpus=$(grep -c '^processor' /proc/cpuinfo)"
echo "INFO backend=$BACKEND"
t0=$(now)

# Modules the kernel package builds as modules (veth), in order.
if [ -f /lib/modules/load.list ]; then
	while read -r m; do
		insmod "/lib/modules/$m" || fail "insmod $m"
	done < /lib/modules/load.list
fi

# The JIT, as a camera would run the program (Debian's armhf kernels leave
# it off by default: the interpreter would run it).
jit_default=$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null)
echo "INFO bpf_jit_enable_default=$jit_default"
[ -n "$jit_default" ] && echo 1 > /proc/sys/net/core/bpf_jit_enable

# --- 1. the verifier's view ---------------------------------------------
if module; then
	# Nothing of BPF is loaded on the module run.
	: > /tmp/probe.out
else
	$V/vmprobe load > /tmp/probe.out 2>&1
fi
cat /tmp/probe.out
insns=$(sed -n 's/^INFO insns=//p' /tmp/probe.out)
if module; then
	:
elif grep -q '^INFO load=yes' /tmp/probe.out; then
	pass "the program loads (verifier processed $insns instructions)"
else
	fail "the program loads: $(sed -n 's/^INFO why=//p' /tmp/probe.out); verifier: $(grep '^VERIFIER' /tmp/probe.out | grep -v '^VERIFIER processed\|^VERIFIER verification time\|^VERIFIER stack depth' | tail -1 | cut -c10-)"
fi

# --- 2. boot ---------------------------------------------------------------
# Each script in turn, as rcS does; what they printed is shown afterwards,
# so that nothing delays S50vendor once S30p2pguardd has returned.
for s in /etc/init.d/S??*; do
	n=$(basename "$s")
	"$s" start > "/tmp/rc.$n.out" 2>&1
	echo $? > "/tmp/rc.$n.rc"
done
for s in /etc/init.d/S??*; do
	n=$(basename "$s")
	echo "INFO rc $n rc=$(cat /tmp/rc.$n.rc): $(tr '\n' ' ' < /tmp/rc.$n.out)"
done
echo "INFO boot_seconds=$(($(now) - t0))"
ok "network namespaces and sinks up (S10vmnet)" test "$(cat /tmp/rc.S10vmnet.rc)" = 0
grep 'p2pguardd' /var/log/messages | sed 's/^/LOG /'
feat=$(grep -h '^features=' $RUN/status 2>/dev/null | cut -d= -f2-)
miss=$(grep -h '^missing=' $RUN/status 2>/dev/null | cut -d= -f2-)
echo "INFO daemon_features=$feat"
echo "INFO daemon_missing=$miss"
echo "INFO attach=$(grep -h '^attach=' $RUN/status 2>/dev/null | cut -d= -f2-)"

if [ "$(cat /tmp/rc.S30p2pguardd.rc)" != 0 ]; then
	fail "S30p2pguardd start: exit $(cat /tmp/rc.S30p2pguardd.rc): $(tr '\n' ' ' < /tmp/rc.S30p2pguardd.out)"
	$CTL status
	# Not enforcing must be said, not hidden: the status agrees.
	ok "p2pguardctl status says NOT enforced, with the reason" \
		sh -c "! $CTL status >/dev/null 2>&1 && grep -q '^enforced=no' $RUN/status"
	skip "enforcement scenario: p2pguardd is not enforcing on this kernel ($(grep -h '^reason=' $RUN/status | cut -d= -f2-))"
	exit 1
fi
pass "S30p2pguardd start returned OK, after which the vendor daemon started"
$V/vmprobe attached $CG > /tmp/attached.out
cat /tmp/attached.out
if module; then
	if [ "$(module_loaded)" = 1 ] && [ "$(cat $SYS/policy_loaded)" = 1 ]; then
		echo "INFO load=yes"
		pass "p2pguardd loaded p2pguard.ko and gave it the policy"
	else
		echo "INFO load=no"
		echo "INFO why=module not loaded or without policy"
		fail "p2pguardd loaded p2pguard.ko and gave it the policy"
	fi
	dmesg | grep -i p2pguard | sed 's/^/KMSG /'
	ok "p2pguardctl status: enforced by the kernel module" \
		sh -c "$CTL status --json | grep -q '\"enforced\":true' && $CTL status --json | grep -q '\"backend\":\"module\"'"
	ok "the eBPF path is off: no p2pguard program attached, no pins" no_bpf
else
	ok "p2pguardctl status: enforced on the root cgroup" \
		sh -c "$CTL status --json | grep -q '\"enforced\":true' && grep -qx 'cgroup=$CG' $RUN/status"
	ok "one p2pguard program attached to the root cgroup" test "$(ours)" = 1
fi
echo "INFO attached_verified_insns=$(awk '$1 == "PROG" && ($3 == "p2pguard_egress" || $3 == "p2pguard_full") { print $4 }' /tmp/attached.out)"
if module; then
	echo "INFO jit=n/a (module)"
elif [ -n "$jit_default" ]; then
	# Without BPF_JIT_ALWAYS_ON a program the JIT cannot compile runs
	# in the interpreter; with it, it would not load at all.  The JIT
	# says why in the kernel log.
	dmesg | grep -iE 'bpf|jit|not yet' | sed 's/^/KMSG /'
	# Every program: the attached entry, and the four of p2pg_progs
	# (vmprobe load loaded them as p2pguardd does).  None calls another
	# BPF function, so every JIT the matrix boots must compile them all.
	grep -o '^INFO entry=.*' /tmp/probe.out
	unjited=
	grep -q '^PROG [0-9]* p2pguard_egress [0-9]* jited$' /tmp/attached.out ||
		unjited=p2pguard_egress
	for k in full classify gso emit; do
		grep -qx "INFO jited_$k=yes" /tmp/probe.out ||
			unjited="$unjited p2pguard_$k"
	done
	if [ -z "$unjited" ]; then
		echo "INFO jit=yes"
		pass "the JIT compiled all five programs (the attached entry and p2pg_progs)"
	else
		op=$(dmesg | sed -n 's/.*NOT YET: opcode \([0-9a-f]*\).*/\1/p' | head -1)
		case $op in
		c3) what="32-bit atomic add, BPF_STX|BPF_ATOMIC|BPF_W" ;;
		db) what="64-bit atomic add, BPF_STX|BPF_ATOMIC|BPF_DW" ;;
		85) what="bpf-to-bpf call, BPF_JMP|BPF_CALL" ;;
		"") what="no reason in the kernel log" ;;
		*) what="opcode $op" ;;
		esac
		echo "INFO jit=no (${op:+opcode $op: }$what)"
		fail "the JIT compiled all five programs: not$unjited (${op:+opcode $op: }$what)"
	fi
else
	echo "INFO jit=no (no CONFIG_BPF_JIT)"
	skip "JIT: no /proc/sys/net/core/bpf_jit_enable (kernel without CONFIG_BPF_JIT)"
fi
ok "default switch from the shipped configuration: P2P off" p2p_is off

# Boot order: the vendor daemon's first packet came after enforcement.
# It prints its count when done (its pid is init's child, not ours).
wait_for 600 test -s /tmp/vendor.sent
sleep 0.5
vsent=$(cat /tmp/vendor.sent)
ok "boot: the vendor daemon sent PPPP from its start ($vsent packets)" \
	test "${vsent:-0}" -gt 100
ok "boot: none of them reached the Internet ($(wan_pppp) arrived)" \
	test "$(wan_pppp)" = 0

# tcp_streams on|off: every TCP stream vector (netpeer tcp-streams) on a
# connection of its own, each segment its own write; with P2P on every
# byte arrives, with P2P off the bytes before the segment that completes a
# signature (those that start with P2P on are the live tests').
tcp_streams() {
	for s in $($V/netpeer tcp-streams); do
		case "$1 $s" in "off switch-off-"*) continue ;; esac
		: > /tmp/wan.log
		: > /tmp/lan.log
		set -- "$1" $($V/netpeer tcp-stream "$s" $WAN4 $LAN4)
		sleep 0.3
		got=$(cat /tmp/wan.log /tmp/lan.log | awk -v p="$2" \
			'$1 ~ /^tcpdata/ && $2 == p && $3 > m { m = $3 } END { print m + 0 }')
		if [ "$1" = on ]; then want=$3; else want=$4; fi
		ok "TCP stream, P2P $1: $s: $got of $3 bytes arrived, want $want" \
			test "$got" = "$want"
		set -- "$1"
	done
}

# The bypass suite (bypass.sh), P2P off: first, while no TCP connection
# of the scenario below can still be retransmitting into the counters.
# shellcheck source=tests/vm/guest/bypass.sh
. "$V/bypass.sh"
bypass_setup && bypass_rows off

# --- 3. enforcement, P2P off ---------------------------------------------
: > /tmp/wan.log
: > /tmp/lan.log
$CTL stats --json > /tmp/stats.before
$V/netpeer send $WAN4 $WAN6 $LAN4 $LAN6 /tmp/expect 2
sleep 1
$V/netpeer check /tmp/expect /tmp/wan.log /tmp/lan.log p2p-off | label
$CTL stats --json > /tmp/stats.after
# Every UDP packet sent is one packet dropped under its reason; TCP adds
# retransmissions, so there it is at least that many.
for reason in $(awk '$7 != "none" { print $7 }' /tmp/expect | sort -u); do
	udp=$(awk -v r="$reason" '$7 == r && $2 ~ /^udp/ { n += $6 } END { print n + 0 }' /tmp/expect)
	tcp=$(awk -v r="$reason" '$7 == r && $2 ~ /^tcp/ { n += $6 } END { print n + 0 }' /tmp/expect)
	got=$(( $(drops /tmp/stats.after "$reason") - $(drops /tmp/stats.before "$reason") ))
	if [ "$tcp" = 0 ]; then
		ok "counters: $reason dropped $got packets, $udp sent" test "$got" = "$udp"
	else
		ok "counters: $reason dropped $got packets, at least $((udp + tcp)) sent" \
			test "$got" -ge $((udp + tcp))
	fi
done
if module; then
	sy=$(cat $SYS/counters/cs2-pppp/drop_packets)
	st=$(grep -o '"cs2-pppp":{[^}]*}' /tmp/stats.after | grep -o '"drop_packets":[0-9]*' | cut -d: -f2)
	ok "sysfs counters and p2pguardctl stats agree (cs2-pppp dropped $sy, $st)" \
		test -n "$sy" -a "$sy" = "$st"
	ok "sysfs: the switch says P2P off, enforce" \
		test "$(cat $SYS/p2p_enabled) $(cat $SYS/mode)" = "0 enforce"
	# Root is not enough: without CAP_NET_ADMIN the switch stays off.
	ok "sysfs: root without CAP_NET_ADMIN cannot write p2p_enabled" \
		sh -c "$V/vmprobe nocap-write $SYS/p2p_enabled 1 | grep -qx 'INFO write=EPERM'"
	ok "sysfs: the switch is still off" test "$(cat $SYS/p2p_enabled)" = 0
	ok "/dev/p2pguard: root without CAP_NET_ADMIN cannot write a policy" \
		sh -c "$V/vmprobe nocap-write /dev/p2pguard x | grep -qx 'INFO write=EPERM'"
elif [ -e /sys/kernel/btf/vmlinux ]; then
	it=$(awk '$1 == "cs2-pppp" { print $2 }' $PIN/stats 2>/dev/null)
	st=$(grep -o '"cs2-pppp":{"packets":[0-9]*' /tmp/stats.after | grep -o '[0-9]*$')
	ok "stats iterator and p2pguardctl stats agree (cs2-pppp $it, $st)" \
		test -n "$it" -a "$it" = "$st"
else
	skip "stats iterator: no vmlinux BTF on this kernel"
fi
ok "drop events logged by p2pguardd" grep -q '"action":"blocked"' $RUN/events.log
ok "p2pguardctl top names a blocked DNS question" \
	sh -c "$CTL top --count 100 | grep -q iotcplatform.com"
tcp_streams off

# --- P2P on: everything arrives -------------------------------------------
$CTL p2p on > /dev/null
ok "p2pguardctl p2p on: followed by the daemon" wait_for 100 p2p_is on
: > /tmp/wan.log
: > /tmp/lan.log
$V/netpeer send $WAN4 $WAN6 $LAN4 $LAN6 /tmp/expect 1
sleep 1
$V/netpeer check /tmp/expect /tmp/wan.log /tmp/lan.log p2p-on | label
tcp_streams on
bypass_rows on
# The flood is the control of the boot check: with P2P on it arrives.
: > /tmp/wan.log
$V/netpeer flood $WAN4 32100 1 > /tmp/flood.on
sleep 0.5
ok "P2P on: the PPPP flood arrives ($(wan_pppp) of $(cat /tmp/flood.on))" \
	test "$(wan_pppp)" -gt 0
$CTL p2p off > /dev/null
ok "p2pguardctl p2p off: followed by the daemon" wait_for 100 p2p_is off

# --- a malformed policy is refused, the old one stays ---------------------
if module; then
	gen=$(cat $SYS/generation)
	if printf 'this is not a policy' > /dev/p2pguard 2>/dev/null; then
		fail "a malformed policy blob is refused (the write succeeded)"
	else
		pass "a malformed policy blob is refused"
	fi
	ok "the refusal is in the kernel log" sh -c "dmesg | grep -q 'policy refused'"
	ok "the old policy stays (generation $gen)" test "$(cat $SYS/generation)" = "$gen"
	: > /tmp/wan.log
	$V/netpeer flood $WAN4 32100 1 > /tmp/flood.bad
	sleep 0.5
	ok "the old policy still enforces ($(wan_pppp) of $(cat /tmp/flood.bad) PPPP arrived)" \
		test "$(wan_pppp)" = 0 -a "$(cat /tmp/flood.bad)" -gt 0
fi

# --- the daemon's memory, after the scenario has settled -------------------
# Resident set from the page tables (smaps_rollup, 4.14 on: Rss, and Pss,
# its own share), VmRSS where there is none: before 6.2 VmRSS and RssAnon
# are per-thread counters synced every 64 page faults, and lag.  The kernel
# memory of the enforcement as p2pguardctl status estimates it (the maps;
# the module's tables).
sleep 1
dpid=$(cat $RUN/p2pguardd.pid)
vmrss=$(awk '$1 == "VmRSS:" { print $2 }' /proc/$dpid/status)
hwm=$(awk '$1 == "VmHWM:" { print $2 }' /proc/$dpid/status)
rss=$(awk '$1 == "Rss:" { print $2 }' /proc/$dpid/smaps_rollup 2>/dev/null)
pss=$(awk '$1 == "Pss:" { print $2 }' /proc/$dpid/smaps_rollup 2>/dev/null)
anon=$(awk '$1 == "Anonymous:" { print $2 }' /proc/$dpid/smaps_rollup 2>/dev/null)
kmem=$($CTL status --json | sed -n 's/.*"total_bytes":\([0-9]*\).*/\1/p')
echo "INFO daemon_rss=${rss:-${vmrss:-?}} KiB (Pss ${pss:-n/a}, anonymous ${anon:-n/a}; VmRSS ${vmrss:-?}, VmHWM ${hwm:-?}); kernel tables ${kmem:-?} bytes"
ok "p2pguardd's resident memory read (${rss:-${vmrss:-?}} KiB)" test -n "${rss:-$vmrss}"

# --- kill -9 during a flood, restart through the init script --------------
before=$(prog_id)
: > /tmp/wan.log
$V/netpeer flood $WAN4 32100 4 > /tmp/flood.kill &
flood=$!
sleep 1
kill -9 "$(cat $RUN/p2pguardd.pid)"
sleep 0.5
t1=$(now)
/etc/init.d/S30p2pguardd start > /tmp/restart.out 2>&1
rc=$?
echo "INFO restart_seconds=$(($(now) - t1))"
ok "restart after kill -9 through S30p2pguardd ($(tr '\n' ' ' < /tmp/restart.out))" test "$rc" = 0
wait $flood
sleep 0.5
sent=$(cat /tmp/flood.kill)
ok "flood sent PPPP packets through the kill and restart (${sent:-0})" \
	test "${sent:-0}" -gt 100
ok "flood: none of them reached the Internet ($(wan_pppp) arrived)" \
	test "$(wan_pppp)" = 0
if module; then
	ok "restart: the module stays loaded, once" test "$(module_loaded)" = 1
else
	ok "restart: still one program on the root cgroup" test "$(ours)" = 1
	after=$(prog_id)
	ok "restart replaced the program ($before -> $after)" \
		test -n "$after" -a "$before" != "$after"
fi
ok "restart adopted the switch: P2P still off" p2p_is off
/etc/init.d/S30p2pguardd reload > /tmp/reload.out 2>&1
ok "S30p2pguardd reload ($(tr '\n' ' ' < /tmp/reload.out))" \
	sh -c "grep -q OK /tmp/reload.out && sleep 1 && $CTL status >/dev/null"

# --- unload ---------------------------------------------------------------
/etc/init.d/S30p2pguardd stop > /dev/null 2>&1
if module; then
	ok "S30p2pguardd stop leaves enforcement in place" test "$(module_loaded)" = 1
	$CTL unload > /tmp/unload.out 2>&1
	ok "p2pguardctl unload: the module is gone ($(tr '\n' ' ' < /tmp/unload.out))" \
		wait_for 50 module_gone
	ok "p2pguardctl unload: no $SYS, no /dev/p2pguard" \
		test ! -e $SYS -a ! -e /dev/p2pguard
	: > /tmp/wan.log
	$V/netpeer flood $WAN4 32100 1 > /tmp/flood.off
	sleep 0.5
	ok "unloaded: PPPP arrives again, so the module was what stopped it ($(wan_pppp) arrived)" \
		test "$(wan_pppp)" -gt 0
	# The module as insmod leaves it, no daemon: the daemon's default
	# lists, P2P off.  PPPP to the Internet is refused; to loopback (vendor
	# daemons talk to each other there) and to the LAN it arrives.
	: > /tmp/lo.log
	$V/netpeer sink lan /tmp/lo.log &
	lo_sink=$!
	# Emulated, a busy host can take seconds: the rows below need it.
	ok "loopback sink ready" wait_for 300 grep -q ready /tmp/lo.log
	if insmod /lib/modules/p2pguard.ko; then
		: > /tmp/wan.log
		: > /tmp/lan.log
		$V/netpeer flood $WAN4 32100 1 > /dev/null
		$V/netpeer flood 127.0.0.1 32100 1 > /dev/null
		$V/netpeer flood $LAN4 32100 1 > /dev/null
		sleep 0.5
		ok "module without a policy (policy_loaded $(cat $SYS/policy_loaded)): PPPP to the Internet refused ($(wan_pppp) arrived)" \
			test "$(wan_pppp)" = 0
		ok "module without a policy: PPPP to loopback arrives ($(grep -c '^udp4 32100 ' /tmp/lo.log))" \
			test "$(grep -c '^udp4 32100 ' /tmp/lo.log)" -gt 0
		ok "module without a policy: PPPP to the LAN arrives ($(grep -c '^udp4 32100 ' /tmp/lan.log))" \
			test "$(grep -c '^udp4 32100 ' /tmp/lan.log)" -gt 0
		rmmod p2pguard
		ok "rmmod p2pguard" module_gone
	else
		fail "insmod /lib/modules/p2pguard.ko without p2pguardd"
	fi
	kill $lo_sink
	echo "INFO test_seconds=$(($(now) - t0))"
	exit 0
fi
ok "S30p2pguardd stop leaves enforcement in place" test "$(ours)" = 1
$CTL unload > /tmp/unload.out 2>&1
# Unpinning the link releases it from an RCU callback: on some kernels
# (5.10) the program leaves the cgroup just after unload has returned.
if [ "$(ours)" = 0 ]; then
	pass "p2pguardctl unload: nothing left on the root cgroup"
elif wait_for 50 ours_is 0; then
	pass "p2pguardctl unload: nothing left on the root cgroup (detached asynchronously, shortly after unload returned)"
	echo "INFO unload_async=1"
else
	fail "p2pguardctl unload: nothing left on the root cgroup ($(ours) still attached 5 s later)"
fi
ok "p2pguardctl unload: pins removed" test ! -e $PIN/p2pg_config
echo "INFO test_seconds=$(($(now) - t0))"
# make bench (VM_BENCH=1): ns per packet class, the interpreter against
# the JIT (tests/bench/bench_classes.c -j), for tests/bench/run.sh.
if [ -f /etc/vm-bench ]; then
	t1=$(now)
	$V/bench_classes -j "$(cat /etc/vm-bench)" > /tmp/bench.out 2>&1 ||
		fail "bench_classes -j: $(tail -1 /tmp/bench.out)"
	sed 's/^/BENCH /' /tmp/bench.out
	echo "INFO bench_seconds=$(($(now) - t1))"
fi
exit 0
