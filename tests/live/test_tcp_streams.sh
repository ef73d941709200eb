#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# TCP judged as a stream, with real sockets: every TCP stream vector
# (tests/lib/vectors.c, vec_streams()) written segment by segment
# (TCP_NODELAY) from the emulated camera's cgroup and namespace to the
# "Internet" or LAN host.  P2P on: every byte arrives.  P2P off: the bytes
# before the segment that completes a signature arrive, nothing from it
# on (STUN after a harmless write or one byte per segment, a Xiongmai body
# written apart from its header, UPnP SOAP on a kept-alive connection to
# the router, PPPP over TCP, DNS over TCP split or batched); ordinary
# streams (HTTP, an upload, RTSP to the LAN) arrive whole.  Then a
# connection opened while P2P is on carries STUN after the switch goes
# off: it does not arrive.  And a 2 Mbit/s TCP stream to the Internet
# goes on with P2P off.
set -u
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
preflight live-tcp-streams
setup_net
start_sinks || { fail "live sinks did not start"; exit 1; }

settings=$T/settings/camera.conf
mkdir -p "$T/settings"
switch() {	# switch 0|1
	printf 'hostname=cam\np2p_enable=%s\n' "$1" > "$settings.tmp"
	mv "$settings.tmp" "$settings"
	wait_for 20 p2p_is "$1"
}
printf 'hostname=cam\np2p_enable=1\n' > "$settings"
write_conf "source = file" "file = $settings" "key = p2p_enable"
if ! start_daemon; then
	fail "p2pguardd started: $(cat "$T/daemon.log")"
	exit 1
fi
ok "switch read from the settings file: P2P on" p2p_is 1

# arrived PORT: most bytes one connection to PORT brought to either sink.
arrived() {
	cat "$T/wan.log" "$T/lan.log" |
		awk -v p="$1" '$1 ~ /^tcpdata/ && $2 == p && $3 > m { m = $3 } END { print m + 0 }'
}

# run_stream NAME on|off [GOFILE]
run_stream() {
	local name=$1 mode=$2 port sent off got want
	: > "$T/wan.log"
	: > "$T/lan.log"
	read -r port sent off < <(in_cam "$B/tests/netpeer" tcp-stream "$name" \
		$WAN4 $LAN4 ${3:+"$3"})
	sleep 0.2
	got=$(arrived "$port")
	if [ "$mode" = on ]; then
		ok "P2P on: $name: $got of $sent bytes arrived" \
			test "$got" = "$sent" -a "${sent:-0}" -gt 0
	else
		# A dropped SYN (rendezvous port) sends nothing at all.
		ok "P2P off: $name: $got of $sent bytes arrived, want $off" \
			test "$got" = "$off"
	fi
}

streams=$("$B/tests/netpeer" tcp-streams)
for s in $streams; do
	run_stream "$s" on
done
switch 0 || fail "P2P off in the kernel"
for s in $streams; do
	# Those that start with P2P on: below.
	case $s in switch-off-*) continue ;; esac
	run_stream "$s" off
done

# Opened while P2P is on, P2P after the switch went off.
for s in switch-off-stun switch-off-stun-short switch-off-sticky; do
	switch 1 || fail "P2P on in the kernel"
	rm -f "$T/go"
	( sleep 1; switch 0; touch "$T/go" ) &
	sw=$!
	run_stream "$s" off "$T/go"
	wait $sw
done

# A long ordinary stream to the Internet goes on with P2P off.
: > "$T/wan.log"
bytes=$(in_cam "$B/tests/netpeer" stream $WAN4 80 2)
sleep 0.3
ok "P2P off: a 2 s TCP stream to the Internet arrives ($(arrived 80) of $bytes bytes)" \
	test "$(arrived 80)" = "$bytes" -a "${bytes:-0}" -gt 100000

exit $((fails > 0))
