#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The local ways around p2pguardd, closed:
#  - a pin directory created first by another user, or writable by
#    others, is refused with its path, owner and mode; nothing attached;
#  - a command source in a configuration others can write is refused;
#  - a command past command_timeout is killed with its process group, the
#    last policy stays, and p2pguardctl status says why;
#  - a process named with a quote, a backslash and ESC gets valid JSON in
#    `p2pguardctl events --json`, and no raw ESC byte reaches the daemon's
#    log or `p2pguardctl events`;
#  - a settings line longer than 4096 bytes keeps the last policy.
set -u
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
preflight live-hardening
setup_net
start_sinks || { fail "live sinks did not start"; exit 1; }
mkdir -p "$T/settings"
CTL="$B/p2pguardctl --config $T/p2pguard.conf"
nothing_attached() {
	test -z "$(bpftool cgroup show "$CG" | tail -n +2)"
}
daemon_fg() {	# the daemon in the foreground: its log is ours to read
	"$B/p2pguardd" --config "$T/p2pguard.conf" --foreground \
		> "$T/daemon.log" 2>&1 &
	PIDS+=($!)
	wait_for 100 test -s "$T/run/p2pguardd.pid"
}
ESC=$(printf '\033')
no_esc() { ! grep -qF "$ESC" "$1"; }
stop_daemon() {
	local pid
	pid=$(cat "$T/run/p2pguardd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_for 30 sh -c "! kill -0 $pid 2>/dev/null"
	rm -f "$T/run/p2pguardd.pid"
}
printf 'p2p=off\n' > "$T/settings/p2pguard.state"

# --- the pin directory ------------------------------------------------------
write_conf "source = state" "state_file = $T/settings/p2pguard.state"
mkdir "$PIN"
chown nobody "$PIN"
chmod 0700 "$PIN"
start_daemon
rc=$?
ok "pin dir owned by nobody: refused, exit 1 (got $rc)" test "$rc" = 1
ok "pin dir owned by nobody: the message names path, owner and mode" \
	grep -q "pin directory $PIN is owned by uid $(id -u nobody) with mode 0700: .*remove it" \
	"$T/daemon.log"
ok "pin dir owned by nobody: NOT ENFORCED in the status file" \
	status_is enforced no
ok "pin dir owned by nobody: nothing attached" nothing_attached
ok "pin dir owned by nobody: nothing pinned in it" \
	test -z "$(ls -A "$PIN")"
chown root "$PIN"
chmod 0777 "$PIN"
start_daemon
rc=$?
ok "pin dir mode 0777: refused, exit 1 (got $rc)" test "$rc" = 1
ok "pin dir mode 0777: the message names path, owner and mode" \
	grep -q "pin directory $PIN is owned by uid 0 with mode 0777" "$T/daemon.log"
ok "pin dir mode 0777: nothing attached" nothing_attached
rmdir "$PIN"
# Under a directory others may write: refused too.
mkdir -m 0777 "$PIN"
write_conf "source = state" "state_file = $T/settings/p2pguard.state"
sed -i "s|^pin_dir = .*|pin_dir = $PIN/sub|" "$T/p2pguard.conf"
start_daemon
rc=$?
ok "pin dir below a mode 0777 directory: refused (got $rc)" \
	sh -c "test $rc = 1 && grep -q '$PIN is owned by uid 0 with mode 0777' '$T/daemon.log'"
ok "pin dir below a mode 0777 directory: nothing attached" nothing_attached
rm -rf "$PIN"
# Created by p2pguardd: root's, mode 0700, whatever the umask.
write_conf "source = state" "state_file = $T/settings/p2pguard.state"
(umask 0; start_daemon) || fail "p2pguardd started: $(cat "$T/daemon.log")"
ok "pin dir created root's with mode 0700 (umask 0)" \
	test "$(stat -c '%u %a' "$PIN")" = "0 700"
ok "and enforcing" status_is enforced yes
stop_daemon

# --- the command source: StrictModes ---------------------------------------
printf 'off\n' > "$T/settings/value"
write_conf "source = command" "command = cat $T/settings/value" \
	"file = $T/settings/value" "command_timeout = 1"
chmod 0664 "$T/p2pguard.conf"
"$B/p2pguardd" --config "$T/p2pguard.conf" --once > "$T/cmd.log" 2>&1
rc=$?
ok "command from a group-writable configuration: refused, exit 2 (got $rc)" \
	test "$rc" = 2
ok "command from a group-writable configuration: the message says why" \
	grep -q "source = command refused: $T/p2pguard.conf is owned by uid 0 with mode 0664" \
	"$T/cmd.log"
chmod 0644 "$T/p2pguard.conf"
chown nobody "$T/p2pguard.conf"
"$B/p2pguardd" --config "$T/p2pguard.conf" --once > "$T/cmd.log" 2>&1
rc=$?
ok "command from a configuration owned by nobody: refused (got $rc)" \
	sh -c "test $rc = 2 && grep -q 'owned by uid $(id -u nobody) with mode 0644' '$T/cmd.log'"
chown root "$T/p2pguard.conf"
# The other sources do not run anything: they are not refused.
write_conf "source = state" "state_file = $T/settings/p2pguard.state"
chmod 0664 "$T/p2pguard.conf"
"$B/p2pguardd" --config "$T/p2pguard.conf" --once > "$T/cmd.log" 2>&1
ok "state source from a group-writable configuration: still enforced" \
	status_is enforced yes
chmod 0644 "$T/p2pguard.conf"

# --- the command source: the timeout ----------------------------------------
printf 'cat %s/settings/value\n' "$T" > "$T/settings/cmd.sh"
write_conf "source = command" "command = sh $T/settings/cmd.sh" \
	"file = $T/settings/value" "command_timeout = 1" \
	"recheck_interval = 3600"
daemon_fg || fail "p2pguardd (command source) started: $(cat "$T/daemon.log")"
ok "command: off at start" p2p_is 0
printf 'on\n' > "$T/settings/value"
ok "command: re-run on a change (on)" wait_for 30 p2p_is 1
printf 'off\n' > "$T/settings/value"
ok "command: re-run on a change (off)" wait_for 30 p2p_is 0
# Now it hangs, with a child of its own, and would say on.
printf 'sleep 7.31 & sleep 7.32; echo on\n' > "$T/settings/cmd.sh"
printf 'on\n' > "$T/settings/value"
ok "command past the timeout: status says it was killed" \
	wait_for 50 grep -q "^source_status=command .* timed out after 1 s and was killed" "$T/run/status"
ok "command past the timeout: p2pguardctl status says why" \
	sh -c "$CTL status | grep -q 'source_status .*timed out after 1 s'"
ok "command past the timeout: its process group is gone" \
	wait_for 20 sh -c "! pgrep -f 'sleep 7.3[12]' >/dev/null"
sleep 1
ok "command past the timeout: the last policy is kept (off)" p2p_is 0
ok "command past the timeout: still enforced" status_is enforced yes
stop_daemon

# --- settings lines longer than the maximum ---------------------------------
settings=$T/settings/camera.conf
printf 'p2p_enable=0\n' > "$settings"
write_conf "source = file" "file = $settings" "key = p2p_enable" \
	"recheck_interval = 3600"
daemon_fg || fail "p2pguardd (file source) started: $(cat "$T/daemon.log")"
ok "long line: off at start" p2p_is 0
{
	printf 'p2p_enable=0\n# %*s' 1021 ''
	printf 'p2p_enable=1\n'
} > "$settings.new"
mv "$settings.new" "$settings"
sleep 1
ok "a 1,035-byte comment ending in p2p_enable=1 is a comment: still off" p2p_is 0
ok "and the status has no complaint" grep -qx "source_status=ok" "$T/run/status"
{
	printf 'p2p_enable=1\nhostname=%5000s\n' x
} > "$settings.new"
mv "$settings.new" "$settings"
ok "a 5,009-byte line is an error in status" \
	wait_for 30 grep -q "^source_status=$settings:2: line longer than 4096 bytes" "$T/run/status"
ok "a 5,009-byte line keeps the last policy (off)" p2p_is 0
stop_daemon

# --- a process name with a quote, a backslash and ESC -----------------------
write_conf "source = state" "state_file = $T/settings/p2pguard.state"
daemon_fg || fail "p2pguardd (events) started: $(cat "$T/daemon.log")"
ok "events: P2P off" p2p_is 0
# bash's printf and /dev/udp are builtins: the datagram leaves from the
# process whose comm was just set; sleep keeps it alive to be named.
in_cam bash -c 'printf "q\"b\\\\e\033[2Jx" > /proc/$$/comm
	for i in 1 2 3; do printf "\xf1\x00\x00\x00" > /dev/udp/'$WAN4'/32100; sleep 0.3; done
	sleep 2' &
wait_for 50 grep -q 'q\\"b' "$T/run/events.log"
ok "events: the drop was logged with the forged name" \
	grep -q '"process":"q\\"b\\\\e\\u001b\[2Jx\[' "$T/run/events.log"
cat > "$T/check_json.py" <<'PY'
import json, sys

def once(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        sys.exit("duplicate key: %r" % keys)
    return dict(pairs)

n = 0
for line in sys.stdin:
    e = json.loads(line, object_pairs_hook=once)
    n += 'q"b\\e\x1b[2Jx[' in e["process"]
sys.exit(0 if n else 1)
PY
$CTL events --json > "$T/events.json"
ok "events --json: every line is valid JSON, no duplicate key, the name intact" \
	/usr/bin/python3 "$T/check_json.py" < "$T/events.json"
ok "events --json: no raw ESC byte" no_esc "$T/events.json"
$CTL events > "$T/events.txt"
ok "events: the text shows ESC as \\x1b" grep -qF 'q"b\\e\x1b[2Jx[' "$T/events.txt"
ok "events: no raw ESC byte" no_esc "$T/events.txt"
ok "daemon log: the name with ESC made visible" \
	grep -qF 'process q"b\\e\x1b[2Jx[' "$T/daemon.log"
ok "daemon log: no raw ESC byte" no_esc "$T/daemon.log"
stop_daemon
exit $((fails > 0))
