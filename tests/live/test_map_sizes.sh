#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The maps sized from the policy and the configuration (userspace/mapsize.c):
# a pin of another size (the compiled 16,384 of earlier versions) is
# replaced, not reused; the default policy locks at most 1 MiB by
# p2pguardctl status; a SIGHUP with 20,000 deny prefixes and names grows
# the maps, and the attached program is the one with the grown maps; the
# run-time sizes follow the configuration's keys.
set -u
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
preflight live-map-sizes
trap cleanup EXIT
mkdir -p "$T/run"
mkdir "$CG"
CTL="$B/p2pguardctl --config $T/p2pguard.conf"
N=20000

info() {	# info MAP KEY: a field of the pinned map's bpftool -j show
	bpftool -j map show pinned "$PIN/$1" |
		sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}
# uses MAP: the attached program (or the one it tail-calls) uses the
# pinned MAP, not a copy of another size.
uses() {
	/usr/bin/python3 - "$PIN" "$1" <<'PY'
import json, subprocess, sys
pin, name = sys.argv[1], sys.argv[2]
def bt(*a):
    return json.loads(subprocess.check_output(("bpftool", "-j") + a))
mid = bt("map", "show", "pinned", "%s/%s" % (pin, name))["id"]
ids = bt("prog", "show", "pinned", pin + "/prog").get("map_ids", [])
# Every program of p2pg_progs: each holds the maps it uses.
for slot in bt("map", "dump", "pinned", pin + "/p2pg_progs"):
    prog = int.from_bytes(bytes(int(b, 16) for b in slot["value"]), "little")
    ids += bt("prog", "show", "id", str(prog)).get("map_ids", [])
sys.exit(0 if mid in ids else 1)
PY
}
daemon_pid() { cat "$T/run/p2pguardd.pid"; }

# --- a pin of another size is replaced ---------------------------------------
mkdir -p "$PIN"
bpftool map create "$PIN/p2pg_names" type hash key 8 value 8 entries 16384 \
	name p2pg_names flags 1
write_conf "source = state" "state_file = $T/p2pguard.state" \
	"flows = 512" "event_buffer = 8K" "event_destinations = 128"
start_daemon || fail "p2pguardd started: $(cat "$T/daemon.log")"
ok "pin of another size: enforcing" status_is enforced yes
ok "pin of another size: replaced by the policy's size (256, was 16384: $(info p2pg_names max_entries))" \
	test "$(info p2pg_names max_entries)" = 256
ok "pin of another size: the program uses the new pin" uses p2pg_names
ok "configuration: event_buffer = 8K sizes the ring buffer ($(info p2pg_events max_entries))" \
	sh -c "test \"\$(bpftool -j map show pinned $PIN/p2pg_events 2>/dev/null | sed -n 's/.*\"max_entries\":\([0-9]*\).*/\1/p')\" -le 8192 || test ! -e $PIN/p2pg_events"
ok "configuration: event_destinations = 128 ($(info p2pg_ev_limit max_entries))" \
	test "$(info p2pg_ev_limit max_entries)" = 128

# --- status reports every map and the total -----------------------------------
$CTL status > "$T/status.txt"
ok "status: the memory line" grep -q "^memory: .* KiB locked" "$T/status.txt"
ok "status: a line for p2pg_names with 256 entries" \
	grep -Eq "^  p2pg_names +hash +256 " "$T/status.txt"
$CTL status --json > "$T/status.json"
ok "status --json: valid, p2pg_prefix4 listed, the default policy at most 1 MiB" \
	/usr/bin/python3 - "$T/status.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["memory"]
names = {x["name"]: x for x in m["maps"]}
assert names["p2pg_prefix4"]["max_entries"] == 256, names["p2pg_prefix4"]
assert sum(x["bytes"] for x in m["maps"]) == m["total_bytes"]
assert m["total_bytes"] <= 1 << 20, m["total_bytes"]
print("total %.1f KiB over %d maps" % (m["total_bytes"] / 1024, len(m["maps"])))
PY

# --- SIGHUP with 20,000 entries of each: the maps grow --------------------------
gen0=$(sed -n 's/^generation=//p' "$T/run/status")
/usr/bin/python3 - "$T/p2pguard.conf" "$N" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "a") as f:
    for i in range(n):
        f.write("deny = 2001:db8:%x:%x::/64\n" % (i >> 16, i & 0xffff))
        f.write("deny_domains = r%d.vendor%d.test\n" % (i, i % 97))
PY
kill -HUP "$(daemon_pid)"
grown() { [ "$(info p2pg_prefix6 max_entries)" -ge $N ]; }
ok "SIGHUP: p2pg_prefix6 grown to $(wait_for 300 grown; info p2pg_prefix6 max_entries) for $N prefixes" grown
ok "SIGHUP: p2pg_names grown to $(info p2pg_names max_entries)" \
	test "$(info p2pg_names max_entries)" -ge $N
ok "SIGHUP: the policy written (policy_status ok)" \
	wait_for 100 status_is policy_status ok
gen1=$(sed -n 's/^generation=//p' "$T/run/status")
ok "SIGHUP: generation ${gen0:-?} -> ${gen1:-?}" test "${gen1:-0}" -gt "${gen0:-0}"
ok "SIGHUP: the attached program uses the grown p2pg_prefix6" uses p2pg_prefix6
ok "SIGHUP: the attached program uses the grown p2pg_names" uses p2pg_names
last=$(printf '2001:db8:%x:%x::' $(((N - 1) >> 16)) $(((N - 1) & 0xffff)))
# LPM key: prefix length (host order), then the address.
key=$(/usr/bin/python3 -c 'import ipaddress, sys
a = ipaddress.IPv6Address(sys.argv[1]).packed
print(" ".join(str(b) for b in (64).to_bytes(4, "little") + a))' "$last")
# shellcheck disable=SC2086 # the key's bytes, one word each
ok "SIGHUP: the last prefix ($last/64) is in the pinned trie" \
	sh -c "bpftool map lookup pinned $PIN/p2pg_prefix6 key $key >/dev/null"
ok "SIGHUP: still enforcing" status_is enforced yes
exit $((fails > 0))
