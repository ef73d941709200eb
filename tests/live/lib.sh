# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# lib.sh - sandbox for the live tests: a cgroup of our own under the cgroup2
# mount, three network namespaces (camera, "Internet", LAN) joined by veth,
# pins in a bpffs directory of our own.  Everything is removed on exit,
# failure included.  Never the host's root cgroup; traffic only between
# these namespaces, "Internet" hosts on 198.51.100.0/24 and 2001:db8::/32.

B=${BUILD:-build}
ID=p2pgt$$
# shellcheck source=tests/lib/mounts.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/mounts.sh"
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
CG=$CG2/$ID
PIN=/sys/fs/bpf/$ID
T=$(mktemp -d /tmp/p2pguard-live.XXXXXX)
NS_CAM=${ID}c
NS_WAN=${ID}w
NS_LAN=${ID}l
WAN4=198.51.100.1 WAN6=2001:db8::1
LAN4=192.168.77.2 LAN6=fd00:77::2
PIDS=()
fails=0

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
skip() { echo "SKIP $*"; }
ok() {	# ok NAME CMD...: PASS when CMD succeeds
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

cleanup() {
	local p
	[ -f "$T/run/p2pguardd.pid" ] && kill "$(cat "$T/run/p2pguardd.pid")" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	pkill -f "p2pguardd .*$T/" 2>/dev/null
	wait 2>/dev/null
	# Unpinning the link detaches the program: nothing outlives the test.
	rm -rf "$PIN"
	if [ -d "$CG" ]; then
		# Children first (agent cgroups), their processes back to the root.
		find "$CG" -depth -type d | while read -r d; do
			while read -r p; do echo "$p" > "$CG2/cgroup.procs"; done < "$d/cgroup.procs"
			rmdir "$d"
		done
	fi
	ip netns del "$NS_CAM" 2>/dev/null
	ip netns del "$NS_WAN" 2>/dev/null
	ip netns del "$NS_LAN" 2>/dev/null
	rm -rf "$T"
	p2pg_unmounts
}

# Root is the one reason to skip (tests/inherent-skips); what the tests
# need of the machine they set up, as p2pguardd does (tests/lib/mounts.sh),
# and cleanup() takes it down again.
preflight() {
	[ "$(id -u)" = 0 ] || { skip "$1: needs root"; exit 0; }
	command -v ip >/dev/null || { fail "$1: no ip (make deps installs iproute2)"; exit 1; }
	trap cleanup EXIT
	p2pg_mounts "$1" || { fail "$1: cannot mount bpffs or cgroup2"; exit 1; }
	CG=$CG2/$ID
}

setup_net() {
	local ns
	trap cleanup EXIT
	mkdir -p "$T/run"
	mkdir "$CG"
	for ns in "$NS_CAM" "$NS_WAN" "$NS_LAN"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add "${ID}a" netns "$NS_CAM" type veth peer name "${ID}b" netns "$NS_WAN"
	ip link add "${ID}c" netns "$NS_CAM" type veth peer name "${ID}d" netns "$NS_LAN"
	ip -n "$NS_CAM" addr add 198.51.100.2/24 dev "${ID}a"
	ip -n "$NS_CAM" addr add 2001:db8::2/64 dev "${ID}a" nodad
	ip -n "$NS_WAN" addr add $WAN4/24 dev "${ID}b"
	ip -n "$NS_WAN" addr add $WAN6/64 dev "${ID}b" nodad
	ip -n "$NS_CAM" addr add 192.168.77.1/24 dev "${ID}c"
	ip -n "$NS_CAM" addr add fd00:77::1/64 dev "${ID}c" nodad
	ip -n "$NS_LAN" addr add $LAN4/24 dev "${ID}d"
	ip -n "$NS_LAN" addr add $LAN6/64 dev "${ID}d" nodad
	ip -n "$NS_CAM" link set "${ID}a" up
	ip -n "$NS_CAM" link set "${ID}c" up
	ip -n "$NS_WAN" link set "${ID}b" up
	ip -n "$NS_LAN" link set "${ID}d" up
	ip -n "$NS_CAM" route add default via $WAN4
	ip -n "$NS_CAM" -6 route add default via $WAN6
}

# in_cam CMD...: run in the test cgroup and the camera's namespace.  The
# cgroup first: ip netns exec remounts /sys, hiding the cgroup2 mount.
in_cam() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec ip netns exec "$@"' \
		"$CG" "$NS_CAM" "$@"
}

start_sinks() {
	: > "$T/wan.log"
	: > "$T/lan.log"
	ip netns exec "$NS_WAN" "$B/tests/netpeer" sink wan "$T/wan.log" &
	PIDS+=($!)
	ip netns exec "$NS_LAN" "$B/tests/netpeer" sink lan "$T/lan.log" &
	PIDS+=($!)
	wait_for 50 grep -q ready "$T/wan.log" && wait_for 50 grep -q ready "$T/lan.log"
}

# wait_for TENTHS CMD...: poll CMD every 0.1 s.
wait_for() {
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

status_is() {	# status_is KEY VALUE
	grep -qx "$1=$2" "$T/run/status"
}

# The switch as the kernel has it (pinned config map, through bpftool).
kernel_p2p() {
	bpftool -j map dump pinned "$PIN/p2pg_config" |
		grep -o '"p2p_enabled":[0-9]*' | cut -d: -f2
}

# p2p_is 0|1: the kernel's switch, as a command wait_for can poll.
p2p_is() {
	test "$(kernel_p2p)" = "$1"
}

write_conf() {	# write_conf EXTRA-LINES...
	{
		echo "cgroup = $CG"
		echo "pin_dir = $PIN"
		echo "run_dir = $T/run"
		echo "recheck_interval = 2"
		printf '%s\n' "$@"
	} > "$T/p2pguard.conf"
}

# save_settings VALUE: the camera's settings file with p2p_enable=VALUE,
# written the way settings daemons save, a new file renamed over.
save_settings() {
	mkdir -p "$T/settings"
	printf 'hostname=cam\np2p_enable=%s\n' "$1" > "$T/settings/camera.conf.new"
	mv "$T/settings/camera.conf.new" "$T/settings/camera.conf"
}

start_daemon() {
	"$B/p2pguardd" --config "$T/p2pguard.conf" > "$T/daemon.log" 2>&1
}
