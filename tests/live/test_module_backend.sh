#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The kernel module backend of p2pguardd and p2pguardctl, against a fake
# module (tests/live/fakedev.c): a sysfs tree in a temporary directory and
# a SOCK_SEQPACKET socket standing in for /dev/p2pguard, which keeps one
# write(2) one message as the device does.  The module itself is never
# loaded here; tests/vm runs the real one.
#
# Checked: each policy is one write of a blob p2pg_blob_check() accepts,
# carrying the configuration; a switch change or SIGHUP writes a new blob
# with the generation bumped; events read from the device reach the event
# log and `p2pguardctl events`; `p2pguardctl status` and `stats` show the
# backend and the sysfs counters; `p2pguardctl p2p` writes the sysfs
# switch; a missing module, a device that fails writes and a bad backend
# name are reported; `p2pguardctl unload` stops the daemon.
set -u
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
trap cleanup EXIT
mkdir -p "$T/run" "$T/settings"
F=$T/fake
SYS=$F/sysfs
settings=$T/settings/camera.conf
CTL="$B/p2pguardctl --config $T/p2pguard.conf"
save() {	# save VALUE: the way settings daemons write, by rename
	printf 'hostname=cam\np2p_enable=%s\n' "$1" > "$settings.new"
	mv "$settings.new" "$settings"
}
blob_line() {	# blob_line N: fakedev's summary of the Nth blob
	sed -n "/^$1 /p" "$F/blobs.log" 2>/dev/null
}
field() {	# field LINE KEY
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
nblobs() { wc -l < "$F/blobs.log" 2>/dev/null || echo 0; }
nblobs_ge() { test "$(nblobs)" -ge "$1"; }

write_mconf() {	# write_mconf EXTRA-LINES...
	{
		echo "backend = module"
		echo "run_dir = $T/run"
		echo "recheck_interval = 3600"
		printf '%s\n' "$@"
	} > "$T/p2pguard.conf"
}

# --- start-up: one blob, checked, carrying the configuration ----------------
save off
write_mconf "source = file" "file = $settings" "key = p2p_enable" \
	"deny = 198.51.100.0/24" "agent_uids = 4242"
# In the foreground, so that its log is ours to read.
"$B/tests/fakedev" "$F" -- "$B/p2pguardd" --config "$T/p2pguard.conf" \
	--foreground > "$T/daemon.log" 2>&1 &
FAKE=$!
PIDS+=("$FAKE")
ok "daemon started against the fake module" \
	wait_for 50 test -s "$T/run/p2pguardd.pid"
ok "first policy written as one blob" wait_for 50 test -s "$F/blobs.log"
b1=$(blob_line 1)
ok "blob 1 passes p2pg_blob_check ($b1)" sh -c 'echo "$0" | grep -q "^1 ok "' "$b1"
ok "blob 1 carries P2P off, enforce, no lockdown" \
	test "$(field "$b1" p2p)$(field "$b1" mode)$(field "$b1" lockdown)" = 000
ok "blob 1 carries the lists (8 IPv4 and 4 IPv6 prefixes, 21 names, 14 PPPP keys, 1 agent uid)" \
	test "$(field "$b1" p4)/$(field "$b1" p6)/$(field "$b1" names)/$(field "$b1" pppp)/$(field "$b1" uid)" = 8/4/21/14/1
ok "blob 1: the deny prefix is class DENY, uid 4242 an agent" \
	sh -c 'echo "$0" | grep -q "class(198.51.100.7)=3 agent(4242)=1"' "$b1"
ok "the log names the backend" grep -q "backend: module (already loaded)" "$T/daemon.log"
ok "status file: backend=module" status_is backend module
ok "status file: enforced" status_is enforced yes
gen1=$(field "$b1" gen)

# --- the switch: a new blob, generation bumped -----------------------------
save on
ok "switch on: a second blob" wait_for 30 nblobs_ge 2
b2=$(blob_line 2)
ok "blob 2 passes the check with P2P on ($b2)" \
	sh -c 'echo "$0" | grep -q "^2 ok .* p2p=1 "' "$b2"
gen2=$(field "$b2" gen)
ok "blob 2: generation bumped ($gen1 -> $gen2)" test "${gen2:-0}" -gt "${gen1:-0}"
save off
ok "switch off: a third blob, P2P off" \
	wait_for 30 sh -c "sed -n '/^3 /p' '$F/blobs.log' | grep -q '^3 ok .* p2p=0 '"
# The same value again is no change: no blob.
save off
sleep 0.5
ok "an unchanged switch writes nothing" test "$(nblobs)" = 3

# SIGHUP: the whole configuration again (audit mode).
write_mconf "source = file" "file = $settings" "key = p2p_enable" \
	"deny = 198.51.100.0/24" "agent_uids = 4242" "mode = audit"
kill -HUP "$(cat "$T/run/p2pguardd.pid")"
ok "SIGHUP: a blob in audit mode" \
	wait_for 30 sh -c "sed -n '/^4 /p' '$F/blobs.log' | grep -q '^4 ok .* mode=1 '"
ok "every blob was accepted (one write each)" \
	test "$(grep -c ' ok ' "$F/blobs.log")" = "$(nblobs)"

# --- events: read from the device into the event log -----------------------
sleep 300 &
SLEEPER=$!
PIDS+=("$SLEEPER")
# Named only once it has exec'd.
wait_for 30 grep -qx sleep "/proc/$SLEEPER/comm"
echo "event 4 198.51.100.7 32100 cs2-pppp $SLEEPER" > "$F/ctl"
ok "an event reaches the event log" \
	wait_for 30 grep -q '"dst":"198.51.100.7","port":32100' "$T/run/events.log"
ok "the event names the sender from its pid (sleep[$SLEEPER])" \
	grep -qF "\"process\":\"sleep[$SLEEPER]\"" "$T/run/events.log"
echo "batch 3 6 2001:db8::9 5000 stun-turn" > "$F/ctl"
ok "three records in one read: three events" \
	wait_for 30 sh -c "test \"\$(grep -c '\"dst\":\"2001:db8::9\"' '$T/run/events.log')\" = 3"
out=$($CTL events)
ok "p2pguardctl events shows them" \
	sh -c 'echo "$0" | grep -q "198.51.100.7:32100 cs2-pppp" && echo "$0" | grep -q "2001:db8::9:5002 stun-turn"' "$out"
out=$($CTL top)
ok "p2pguardctl top counts them" \
	sh -c 'echo "$0" | grep -Eq "^ +1 +198.51.100.7 +32100 +cs2-pppp"' "$out"
ok "the daemon logged the drop" grep -q "blocked udp to 198.51.100.7 port 32100 (cs2-pppp)" "$T/daemon.log"

# --- status and stats from the sysfs counters ------------------------------
for f in packets:39 bytes:4711 drop_packets:37 drop_bytes:4500; do
	echo "${f#*:}" > "$SYS/counters/cs2-pppp/${f%%:*}"
done
echo 5 > "$SYS/counters/none/packets"
export P2PG_SYSFS=$SYS
out=$($CTL status)
rc=$?
ok "status: ENFORCED on the module backend (exit $rc)" \
	sh -c '[ "$0" = 0 ] && echo "$1" | grep -qx ENFORCED' "$rc" "$out"
ok "status: backend line" sh -c 'echo "$0" | grep -Eq "^backend +module$"' "$out"
ok "status: the module's mode (audit) and generation" \
	sh -c 'echo "$0" | grep -Eq "^mode +audit$" && echo "$0" | grep -q "^generation: 4$"' "$out"
ok "status: the sysfs counters" \
	sh -c 'echo "$0" | grep -Eq "^ +cs2-pppp +39 +4711 +37 +4500$" && echo "$0" | grep -Eq "^ +none +5 "' "$out"
ok "status: the module's tables (connections, 1024 slots of 280 bytes) and the policy blob" \
	sh -c 'echo "$0" | grep -Eq "^  connections +module +1024 +286728$" && echo "$0" | grep -Eq "^  policy blob +module +0 +[0-9]+$" && echo "$0" | grep -q "^memory: "' "$out"
out=$($CTL status --json)
ok "status --json: backend and counters" \
	sh -c 'echo "$0" | grep -q "\"backend\":\"module\"" && echo "$0" | grep -q "\"cs2-pppp\":{\"packets\":39,\"bytes\":4711,\"drop_packets\":37,\"drop_bytes\":4500}"' "$out"
out=$($CTL stats)
# A header line and one line per reason the module counts.
ok "stats: the sysfs counters, every reason" \
	sh -c 'echo "$0" | grep -Eq "^cs2-pppp +39 +4711 +37 +4500$" && [ "$(echo "$0" | wc -l)" = $(($(ls "$1/counters" | wc -l) + 1)) ]' "$out" "$SYS"
echo 0 > "$SYS/policy_loaded"
out=$($CTL status)
ok "status: NOT ENFORCED when the module lost the policy" \
	sh -c 'echo "$0" | grep -q "^NOT ENFORCED: the kernel module has no policy"' "$out"
echo 1 > "$SYS/policy_loaded"

# --- p2pguardctl p2p writes the module's switch ----------------------------
sed -e "s|^source = file|source = state|" -e "/^file = /d" -e "/^key = /d" \
	"$T/p2pguard.conf" > "$T/ctl.conf"
echo "state_file = $T/settings/p2pguard.state" >> "$T/ctl.conf"
"$B/p2pguardctl" --config "$T/ctl.conf" p2p on > /dev/null
ok "p2p on: the sysfs switch says 1" grep -qx 1 "$SYS/p2p_enabled"
ok "p2p on: the state file too" grep -qx p2p=on "$T/settings/p2pguard.state"
"$B/p2pguardctl" --config "$T/ctl.conf" p2p off > /dev/null
ok "p2p off: the sysfs switch says 0" grep -qx 0 "$SYS/p2p_enabled"
unset P2PG_SYSFS

# --- unload: the daemon stops, the device is let go ------------------------
if [ -e /sys/module/p2pguard ] || [ "$(id -u)" != 0 ]; then
	skip "unload: needs root, and no real p2pguard module loaded here"
	kill "$(cat "$T/run/p2pguardd.pid")"
else
	out=$($CTL unload 2>&1)
	rc=$?
	if echo "$out" | grep -q "cannot unload modules"; then
		# No CONFIG_MODULE_UNLOAD (or no modules at all) here.
		ok "unload: a kernel without module unloading is said (exit $rc)" \
			test "$rc" = 1
	else
		ok "unload: stops p2pguardd, no module to remove here ($out)" \
			sh -c 'echo "$0" | grep -q "module was not loaded"' "$out"
		ok "unload: status says unloaded" \
			status_is reason "unloaded by p2pguardctl unload"
	fi
fi
ok "the daemon let go of the device (the fake saw it close)" \
	wait_for 50 sh -c "! kill -0 $FAKE 2>/dev/null"

# --- what cannot be enforced is said -----------------------------------------
write_mconf "module = $T/nonexistent.ko"
P2PG_SYSFS=$T/no-sysfs "$B/p2pguardd" --config "$T/p2pguard.conf" \
	--foreground --once > "$T/nomod.log" 2>&1
rc=$?
ok "no module loaded and none to load: exit 1 (got $rc)" test "$rc" = 1
ok "no module: NOT ENFORCED with the path" \
	grep -q "NOT ENFORCED: the kernel module is not loaded and $T/nonexistent.ko: No such file" "$T/nomod.log"
ok "no module: status says why" \
	sh -c "$CTL status | grep -q '^NOT ENFORCED: the kernel module is not loaded'"

write_mconf
mkdir -p "$T/full-sysfs"
cp -r "$SYS/." "$T/full-sysfs/"
P2PG_SYSFS=$T/full-sysfs P2PG_DEV=/dev/full "$B/p2pguardd" \
	--config "$T/p2pguard.conf" --foreground --once > "$T/full.log" 2>&1
rc=$?
ok "a device that refuses the write: exit 1 (got $rc)" test "$rc" = 1
ok "a device that refuses the write: said, with the device" \
	grep -q "writing the policy (.* bytes) to /dev/full failed: No space left on device" "$T/full.log"

write_mconf "backend = kernel"
"$B/p2pguardd" --config "$T/p2pguard.conf" --foreground --once > "$T/bad.log" 2>&1
rc=$?
ok "backend = kernel: exit 2 with FILE:LINE (got $rc)" \
	sh -c '[ "$0" = 2 ] && grep -q "p2pguard.conf:4: backend: backend must be auto, ebpf or module" "$1"' "$rc" "$T/bad.log"

exit $((fails > 0))
