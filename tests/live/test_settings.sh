#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# p2pguardd follows the switch through each source (file, command, state),
# through bursts of edits and SIGHUP; a garbage, missing or unreadable
# value and a bad configuration keep the last good policy with a clear
# message; a kernel it cannot attach to is reported NOT ENFORCED.
set -u
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
preflight live-settings
trap cleanup EXIT
mkdir -p "$T/run" "$T/settings"
mkdir "$CG"
CTL="$B/p2pguardctl --config $T/p2pguard.conf"
settings=$T/settings/camera.conf
save() {	# save VALUE: the way settings daemons write, by rename
	printf 'hostname=cam\np2p_enable=%s\n' "$1" > "$settings.new"
	mv "$settings.new" "$settings"
}
daemon_pid() { cat "$T/run/p2pguardd.pid"; }
stop_daemon() {
	local pid
	pid=$(daemon_pid)
	kill "$pid" 2>/dev/null
	wait_for 30 sh -c "! kill -0 $pid 2>/dev/null"
}

# --- a pin of another layout is reported, never reused ---------------------
mkdir -p "$PIN"
bpftool map create "$PIN/p2pg_config" type array key 4 value 8 entries 1 \
	name p2pg_config
write_conf "source = state" "state_file = $T/settings/p2pguard.state"
start_daemon
rc=$?
ok "pin of another layout: p2pguardd refuses to start (exit $rc)" test "$rc" = 1
ok "pin of another layout: reported with its path" \
	grep -q "pin $PIN/p2pg_config does not match" "$T/daemon.log"
ok "pin of another layout: left in place, not reused or replaced" \
	sh -c "bpftool -j map show pinned $PIN/p2pg_config | grep -q '\"bytes_value\":8'"
ok "pin of another layout: nothing attached" \
	test -z "$(bpftool cgroup show "$CG" | tail -n +2)"
rm -rf "$PIN"

# --- source = file -----------------------------------------------------
save off
write_conf "source = file" "file = $settings" "key = p2p_enable" \
	"recheck_interval = 3600"
start_daemon || fail "p2pguardd (file source) started: $(cat "$T/daemon.log")"
ok "file: off at start" p2p_is 0
save on
ok "file: rename-on-save to on followed" wait_for 20 p2p_is 1
# In-place writes (no rename) are seen too.
printf 'p2p_enable=off\n' > "$settings"
ok "file: in-place write followed" wait_for 20 p2p_is 0
# A burst while the daemon is stopped: 41 saves' events queue up, and on
# SIGCONT they must come out as one policy (at most a few), whatever the
# machine's load did to the timing of the saves.
gen0=$($CTL status --json | grep -o '"generation":[0-9]*' | cut -d: -f2)
kill -STOP "$(daemon_pid)"
for i in $(seq 1 40); do
	if [ $((i % 2)) = 0 ]; then save on; else save off; fi
done
save on
kill -CONT "$(daemon_pid)"
ok "file: burst of 41 saves ends on the last value (on)" wait_for 20 p2p_is 1
gen1=$($CTL status --json | grep -o '"generation":[0-9]*' | cut -d: -f2)
ok "file: the burst was debounced (generation ${gen0:-?} -> ${gen1:-?}, not +41)" \
	test $(( ${gen1:-999} - ${gen0:-0} )) -le 3

printf 'p2p_enable=maybe\n' > "$settings"
sleep 0.3
ok "file: garbage value keeps the last policy (on)" p2p_is 1
ok "file: garbage value is reported in status" \
	grep -q "source_status=.*'maybe' is not on/off" "$T/run/status"
rm -f "$settings"
sleep 0.3
ok "file: missing file keeps the last policy (on)" p2p_is 1
mkdir "$settings"
sleep 0.3
ok "file: unreadable settings (a directory) keeps the last policy" p2p_is 1
rmdir "$settings"
save off
ok "file: recovers when the file is back (off)" wait_for 20 p2p_is 0

# SIGHUP re-reads the configuration: audit mode.
write_conf "source = file" "file = $settings" "key = p2p_enable" "mode = audit"
kill -HUP "$(daemon_pid)"
ok "SIGHUP: mode audit applied" wait_for 20 grep -qx mode=audit "$T/run/status"
ok "SIGHUP: the kernel config says audit" \
	wait_for 20 sh -c "bpftool -j map dump pinned $PIN/p2pg_config | grep -q '\"mode\":1'"
# A bad configuration on SIGHUP: refused with its line number, old kept.
printf 'source = file\nfile = %s\nkey = p2p_enable\nmode = audit\nbogus_key = 1\n' \
	"$settings" > "$T/p2pguard.conf.bad"
cp "$T/p2pguard.conf" "$T/p2pguard.conf.good"
cp "$T/p2pguard.conf.bad" "$T/p2pguard.conf"
kill -HUP "$(daemon_pid)"
sleep 0.5
ok "SIGHUP with a bad configuration: still enforced, still audit" \
	grep -qx mode=audit "$T/run/status"
cp "$T/p2pguard.conf.good" "$T/p2pguard.conf"
out=$("$B/p2pguardd" --config "$T/p2pguard.conf.bad" --foreground --once 2>&1)
rc=$?
ok "bad configuration: exit 2 with FILE:LINE (got $rc: $out)" \
	sh -c '[ "$0" = 2 ] && echo "$1" | grep -q "p2pguard.conf.bad:5: bogus_key: unknown key"' "$rc" "$out"
stop_daemon

# --- source = command ---------------------------------------------------
echo 1 > "$T/settings/value"
write_conf "source = command" "command = cat $T/settings/value" \
	"file = $T/settings/value" "recheck_interval = 3600"
start_daemon || fail "p2pguardd (command source) started: $(cat "$T/daemon.log")"
ok "command: on at start" p2p_is 1
echo 0 > "$T/settings/value.new" && mv "$T/settings/value.new" "$T/settings/value"
ok "command: re-run when the watched file changes (off)" wait_for 20 p2p_is 0
write_conf "source = command" "command = false" "recheck_interval = 3600"
kill -HUP "$(daemon_pid)"
sleep 0.5
ok "command: a failing command keeps the last policy (off)" p2p_is 0
ok "command: the failure is reported" grep -q "source_status=command 'false' failed" "$T/run/status"
stop_daemon

# --- source = state -----------------------------------------------------
write_conf "source = state" "state_file = $T/settings/p2pguard.state" \
	"recheck_interval = 3600"
start_daemon || fail "p2pguardd (state source) started: $(cat "$T/daemon.log")"
ok "state: no value yet, default off" p2p_is 0
ok "state: p2pguardctl p2p on" $CTL p2p on
ok "state: on in the kernel" wait_for 20 p2p_is 1
ok "state: persisted" grep -qx p2p=on "$T/settings/p2pguard.state"
$CTL p2p off >/dev/null
ok "state: p2pguardctl p2p off" wait_for 20 p2p_is 0
stop_daemon
$CTL p2p on >/dev/null
ok "state: p2pguardctl p2p works with the daemon down" p2p_is 1
start_daemon || fail "p2pguardd restart (state source): $(cat "$T/daemon.log")"
ok "state: restart keeps on from the state file" p2p_is 1
write_conf "source = file" "file = $settings" "key = p2p_enable"
out=$($CTL p2p off 2>&1)
ok "p2p off with source = file says where the switch lives" \
	sh -c 'echo "$0" | grep -q "lives in"' "$out"
stop_daemon

# --- status and NOT ENFORCED ---------------------------------------------
ok "status: enforced while pinned (daemon down)" $CTL status
"$B/p2pguardd" --config "$T/p2pguard.conf" --cgroup /nonexistent-cgroup-p2pg \
	--foreground --once > "$T/bad.log" 2>&1
rc=$?
ok "attach impossible: exit 1 (got $rc)" test "$rc" = 1
ok "attach impossible: NOT ENFORCED in the log" grep -q "NOT ENFORCED" "$T/bad.log"
out=$($CTL status)
rc=$?
ok "status says NOT ENFORCED with the reason (exit $rc)" \
	sh -c '[ "$0" = 1 ] && echo "$1" | grep -q "NOT ENFORCED: cgroup /nonexistent-cgroup-p2pg"' "$rc" "$out"
ok "unload removes program, link and pins" $CTL unload
ok "unload: nothing attached to the test cgroup" \
	test -z "$(bpftool cgroup show "$CG" | tail -n +2)"
ok "unload: pin directory gone" test ! -e "$PIN"

exit $((fails > 0))
