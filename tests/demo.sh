#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# make demo: an emulated camera, in a cgroup and network namespace of its
# own, streams "RTSP" to a LAN client while its vendor SDKs call emulated
# P2P rendezvous servers on the "Internet".  P2P on: both flow.  The switch
# set off in the camera's settings file: P2P is blocked, the stream goes on.
# Prints the counters and the blocked destinations, then removes everything.
# Never touches the host's root cgroup.
set -u
cd "$(dirname "$0")/.."
. tests/live/lib.sh
preflight demo
setup_net
start_sinks || { echo "demo: sinks did not start"; exit 1; }

CTL="$B/p2pguardctl --config $T/p2pguard.conf"
settings=$T/settings/camera.conf
mkdir -p "$T/settings"
printf 'p2p_enable=1\n' > "$settings"
write_conf "source = file" "file = $settings" "key = p2p_enable"
start_daemon || { cat "$T/daemon.log"; exit 1; }

phase() {	# phase TITLE
	local before_p2p after_p2p streamed
	echo
	echo "== $1"
	before_p2p=$(grep -c '^udp[46] ' "$T/wan.log")
	in_cam "$B/tests/netpeer" stream $LAN4 554 4 > "$T/stream.out" &
	stream=$!
	in_cam "$B/tests/netpeer" p2p-calls $WAN4 4 > "$T/calls.out"
	wait $stream
	sleep 0.5
	after_p2p=$(grep -c '^udp[46] ' "$T/wan.log")
	streamed=$(cat "$T/stream.out")
	printf '   P2P SDK packets sent by the camera:    %s\n' "$(cat "$T/calls.out")"
	printf '   ... of which reached the P2P servers:  %s\n' $((after_p2p - before_p2p))
	printf '   RTSP stream to the LAN client:          %s bytes in 4 s\n' "$streamed"
}

echo "p2pguard demo: camera cgroup $CG, namespaces $NS_CAM (camera), $NS_WAN (Internet), $NS_LAN (LAN)"
$CTL status | sed 's/^/   /'
phase "P2P on in the camera's settings"

echo
echo "== The user switches P2P off (the settings daemon saves $settings)"
printf 'p2p_enable=0\n' > "$settings.new" && mv "$settings.new" "$settings"
wait_for 20 p2p_is 0 && echo "   p2pguardd applied it: $($CTL status | head -1)"
phase "P2P off"

echo
echo "== Counters (p2pguardctl stats)"
$CTL stats | awk 'NR == 1 || $2 != 0' | sed 's/^/   /'
echo
echo "== Blocked destinations (p2pguardctl top)"
sleep 0.5
$CTL top | sed 's/^/   /'
echo
echo "demo: cleaning up"
