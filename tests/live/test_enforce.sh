#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# An emulated camera in its own cgroup and network namespace sends every
# test vector through real sockets to an "Internet" host and a LAN host.
# P2P on: everything arrives.  P2P off (switched through the settings file,
# saved by rename): no P2P packet arrives and everything else does; the
# counters say what was dropped.  Then kill -9 of p2pguardd during a P2P
# flood: nothing escapes, and the restart adopts the pins.
set -u
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
preflight live-enforce
setup_net
start_sinks || { fail "live sinks did not start"; exit 1; }

settings=$T/settings/camera.conf
mkdir -p "$T/settings"
printf 'hostname=cam\np2p_enable=1\n' > "$settings"
write_conf "source = file" "file = $settings" "key = p2p_enable"

if ! start_daemon; then
	fail "p2pguardd started: $(cat "$T/daemon.log")"
	exit 1
fi
ok "p2pguardd reports enforced" status_is enforced yes
ok "one program attached to the test cgroup" \
	test "$(bpftool cgroup show "$CG" | grep -c p2pguard_egress)" = 1
ok "switch read from the settings file: P2P on" p2p_is 1

in_cam "$B/tests/netpeer" send $WAN4 $WAN6 $LAN4 $LAN6 "$T/expect" 1
sleep 0.5
"$B/tests/netpeer" check "$T/expect" "$T/wan.log" "$T/lan.log" p2p-on || fails=$((fails + 1))

# Two TCP connections opened while P2P is on: a Xiongmai registration and
# an HTTP download.  P2P switched off mid-connection cuts the first (its
# verdict holds for the connection) and leaves the second alone.
maxdata() {	# maxdata PORT: most bytes the WAN sink saw on one connection
	awk -v p="$1" '$1 ~ /^tcpdata/ && $2 == p && $3 > m { m = $3 } END { print m + 0 }' "$T/wan.log"
}
rm -f "$T/go"
in_cam "$B/tests/netpeer" session $WAN4 xiongmai-cfg "$T/go" > "$T/sess.xm" &
s1=$!
in_cam "$B/tests/netpeer" session $WAN4 http-get-firmware "$T/go" > "$T/sess.http" &
s2=$!
sleep 0.5
printf 'hostname=cam\np2p_enable=0\n' > "$settings.tmp"
mv "$settings.tmp" "$settings"
wait_for 20 p2p_is 0
touch "$T/go"
wait $s1 $s2
sleep 0.3
read -r xm_first xm_more < "$T/sess.xm"
read -r http_first http_more < "$T/sess.http"
ok "TCP: a P2P connection opened with P2P on is cut when it goes off ($(maxdata 8086) of $((xm_first + xm_more)) bytes)" \
	test "$(maxdata 8086)" = "$xm_first"
ok "TCP: an ordinary connection goes on ($(maxdata 80) of $((http_first + http_more)) bytes)" \
	test "$(maxdata 80)" = $((http_first + http_more))
printf 'hostname=cam\np2p_enable=1\n' > "$settings.tmp"
mv "$settings.tmp" "$settings"
wait_for 20 p2p_is 1
: > "$T/wan.log"

# Switch off the way settings daemons save: a new file renamed over.
printf 'hostname=cam\np2p_enable=0\n' > "$settings.tmp"
mv "$settings.tmp" "$settings"
ok "rename-on-save followed: P2P off in the kernel" wait_for 20 p2p_is 0

: > "$T/wan.log.off"
cp "$T/wan.log" "$T/wan.log.on"
cp "$T/lan.log" "$T/lan.log.on"
: > "$T/wan.log"
: > "$T/lan.log"
CTL="$B/p2pguardctl --config $T/p2pguard.conf"
$CTL stats --json > "$T/stats.before"
in_cam "$B/tests/netpeer" send $WAN4 $WAN6 $LAN4 $LAN6 "$T/expect" 2
sleep 0.5
"$B/tests/netpeer" check "$T/expect" "$T/wan.log" "$T/lan.log" p2p-off || fails=$((fails + 1))

# The counters by reason: every UDP packet sent is one packet dropped under
# its reason; TCP adds retransmissions, so there it is at least that many.
$CTL stats --json > "$T/stats.after"
drops() {	# drops FILE REASON
	grep -o "\"$2\":{[^}]*}" "$1" | grep -o '"drop_packets":[0-9]*' | cut -d: -f2
}
for reason in $(awk '$7 != "none" { print $7 }' "$T/expect" | sort -u); do
	udp=$(awk -v r="$reason" '$7 == r && $2 ~ /^udp/ { n += $6 } END { print n + 0 }' "$T/expect")
	tcp=$(awk -v r="$reason" '$7 == r && $2 ~ /^tcp/ { n += $6 } END { print n + 0 }' "$T/expect")
	got=$(( $(drops "$T/stats.after" "$reason") - $(drops "$T/stats.before" "$reason") ))
	if [ "$tcp" = 0 ]; then
		ok "counters: $reason dropped $got packets, $udp sent" test "$got" = "$udp"
	else
		ok "counters: $reason dropped $got packets, at least $((udp + tcp)) sent" \
			test "$got" -ge $((udp + tcp))
	fi
done
iter_refused=$(sed -n 's/.*no stats iterator (\([^)]*\)).*/\1/p' "$T/daemon.log" | head -n 1)
if [ -e /sys/kernel/btf/vmlinux ] && [ -n "$iter_refused" ] && [ ! -e "$PIN/stats" ]; then
	# p2pguardd said so and goes on; some kernels (lockdown, LSMs) refuse
	# tracing programs to root.
	skip "stats iterator: this kernel refuses the iterator program ($iter_refused)"
elif [ -e /sys/kernel/btf/vmlinux ]; then
	cat "$PIN/stats" > "$T/stats.iter"
	ok "cat $PIN/stats: one 'reason packets bytes' line per reason" \
		test "$(grep -cE '^[a-z0-9-]+ [0-9]+ [0-9]+$' "$T/stats.iter")" = "$(grep -o '"drop_bytes"' "$T/stats.after" | wc -l)"
	it=$(awk '$1 == "cs2-pppp" { print $2 }' "$T/stats.iter")
	ctl=$(grep -o '"cs2-pppp":{"packets":[0-9]*' "$T/stats.after" | grep -o '[0-9]*$')
	ok "stats iterator and p2pguardctl stats agree (cs2-pppp $it, $ctl)" test "$it" = "$ctl"
else
	skip "stats iterator: no vmlinux BTF on this kernel"
fi
ok "bpftool shows counter field names (map BTF)" \
	sh -c "bpftool map dump pinned $PIN/p2pg_counters | grep -q drop_packets"
ok "drop events logged by p2pguardd" grep -q '"action":"blocked"' "$T/run/events.log"
ok "drop events name the sending process" grep -q '"process":"netpeer\[' "$T/run/events.log"
ok "p2pguardctl top names a blocked DNS question" \
	sh -c "$CTL top --count 100 | grep -q iotcplatform.com"

# kill -9 during a flood: the pinned link keeps enforcing; the restart
# adopts the pins (one attachment, counters kept) and swaps the program.
prog_before=$(bpftool cgroup show "$CG" | awk '/p2pguard_egress/ { print $1 }')
: > "$T/wan.log"
in_cam "$B/tests/netpeer" flood $WAN4 32100 3 > "$T/flood.sent" &
flood=$!
sleep 1
kill -9 "$(cat "$T/run/p2pguardd.pid")"
sleep 0.5
start_daemon || fail "p2pguardd restarted: $(cat "$T/daemon.log")"
wait $flood
sleep 0.3
sent=$(cat "$T/flood.sent")
ok "flood sent PPPP packets through the kill and restart ($sent)" \
	test "${sent:-0}" -gt 100
ok "flood: none of them reached the server" \
	test "$(grep -c '^udp[46] 32100 ' "$T/wan.log")" = 0
ok "restart: still one program attached" \
	test "$(bpftool cgroup show "$CG" | grep -c p2pguard_egress)" = 1
prog_after=$(bpftool cgroup show "$CG" | awk '/p2pguard_egress/ { print $1 }')
ok "restart replaced the program atomically ($prog_before -> $prog_after)" \
	test "$prog_before" != "$prog_after"
ok "restart adopted the switch: P2P still off" p2p_is 0

# Agents: a vendor daemon started with exec-agent; everything it sends off
# the LAN counts as P2P, its LAN traffic passes.
write_conf "source = file" "file = $settings" "key = p2p_enable" \
	"agent_cgroups = $ID/agent"
kill -HUP "$(cat "$T/run/p2pguardd.pid")"
ok "agent cgroup created by p2pguardd" wait_for 20 test -d "$CG/agent"
sleep 0.3
: > "$T/wan.log"
: > "$T/lan.log"
$CTL exec-agent -- ip netns exec "$NS_CAM" "$B/tests/netpeer" send \
	$WAN4 $WAN6 $LAN4 $LAN6 "$T/expect.agent" 1
sleep 0.5
"$B/tests/netpeer" check "$T/expect.agent" "$T/wan.log" "$T/lan.log" agent ||
	fails=$((fails + 1))

exit $((fails > 0))
