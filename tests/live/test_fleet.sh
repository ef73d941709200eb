#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Fleet export and replay, against real tools from Debian:
#   - node_exporter serves p2pguardd's textfile (export_textfile): a curl
#     scrape has the counters of p2pguardctl stats --json, after P2P
#     packets sent from the sandbox were dropped; promtool checks the
#     text, prometheus_client's strict parser stats --openmetrics;
#   - a mosquitto broker (password required) gets, through p2pguardd's
#     mosquitto_pub (export_mqtt_*), the state changes of p2pguardctl p2p
#     on/off and the drop events, no more than the rate limit lets out;
#   - replay --config, on captures of the same datagrams made in the
#     sandbox (tcpdump), gives the verdicts the live program gave: a
#     fragmented datagram judged whole, a destination the configuration
#     lists as LAN passed, inbound packets left out.
# Everything listens on 127.0.0.1 ports of its own or in the test's
# namespaces; all of it is stopped on exit, failure included.
set -u
cd "$(dirname "$0")/../.."
. tests/live/lib.sh
. tests/lib/apt.sh
preflight live-fleet
PKGS="prometheus-node-exporter prometheus mosquitto mosquitto-clients curl
tcpdump python3-prometheus-client"
# shellcheck disable=SC2086 # a list of package names
p2pg_apt_install live-fleet $PKGS >&2 ||
	{ fail "live-fleet: cannot install $(p2pg_missing $PKGS)"; exit 1; }
setup_net
PY=/usr/bin/python3
UDP=tests/live/fleet_udp.py
CTL="$B/p2pguardctl --config $T/p2pguard.conf"
free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
bg() {	# bg CMD...: in the background, stopped by cleanup()
	"$@" &
	PIDS+=($!)
}

# A second "Internet" address, which the configuration calls LAN.
ip -n "$NS_WAN" addr add 198.51.100.7/24 dev "${ID}b"

# --- the broker, with a password -----------------------------------------
MQ_PORT=$(free_port)
mosquitto_passwd -c -b "$T/mq.passwd" cam1 's3cret!pw' >/dev/null 2>&1
chmod 0644 "$T/mq.passwd"
cat > "$T/mosquitto.conf" <<EOT
listener $MQ_PORT 127.0.0.1
allow_anonymous false
password_file $T/mq.passwd
persistence false
user root
EOT
bg mosquitto -c "$T/mosquitto.conf"
wait_for 50 sh -c "mosquitto_pub -h 127.0.0.1 -p $MQ_PORT -u cam1 -P 's3cret!pw' -t probe -m x" ||
	{ fail "mosquitto broker started on 127.0.0.1:$MQ_PORT"; exit 1; }
bg sh -c "exec mosquitto_sub -h 127.0.0.1 -p $MQ_PORT -u cam1 -P 's3cret!pw' -t 'fleet-test/#' -v > $T/mqtt.log 2>&1"
printf 'username=cam1\npassword=s3cret!pw\n' > "$T/mqtt.cred"
chmod 0600 "$T/mqtt.cred"

# --- node_exporter on the textfile directory --------------------------------
NE_PORT=$(free_port)
mkdir -p "$T/textfile" "$T/settings"
bg prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$T/textfile"

printf 'p2p=off\n' > "$T/settings/p2pguard.state"
write_conf "source = state" "state_file = $T/settings/p2pguard.state" \
	"lan = 198.51.100.7/32" \
	"self_addresses = 198.51.100.2 2001:db8::2 192.168.77.1 fd00:77::1" \
	"export_textfile = $T/textfile" "export_interval = 1" \
	"export_mqtt_host = 127.0.0.1" "export_mqtt_port = $MQ_PORT" \
	"export_mqtt_topic = fleet-test/cam1" "export_mqtt_client_id = cam1" \
	"export_mqtt_credentials = $T/mqtt.cred" "export_mqtt_rate = 5" \
	"export_mqtt_pub = $(command -v mosquitto_pub)"
start_daemon || { fail "p2pguardd started: $(cat "$T/daemon.log")"; exit 1; }
ok "p2pguardd enforces, P2P off" p2p_is 0
ok "status: MQTT export on" status_is mqtt on
ok "textfile written" wait_for 30 test -s "$T/textfile/p2pguard.prom"
ok "mosquitto_sub: the retained state at start (enforced, P2P off)" \
	wait_for 50 grep -q 'fleet-test/cam1/state {.*"enforced":true.*"p2p":"off"' "$T/mqtt.log"

# --- the live run: P2P off ---------------------------------------------------
: > "$T/wan.off"
bg ip netns exec "$NS_WAN" $PY $UDP recv "$T/wan.off"
bg ip netns exec "$NS_CAM" $PY $UDP listen-cam "$T/cam.in"
wait_for 50 grep -q ready "$T/wan.off" && wait_for 50 grep -q ready "$T/cam.in" ||
	{ fail "UDP listeners started"; exit 1; }
t0=$(date +%s)
ip netns exec "$NS_WAN" $PY $UDP inbound
in_cam $PY $UDP send 2>/dev/null
in_cam $PY $UDP burst 20
sleep 1
cp "$T/wan.off" "$T/wan.off.live"
arrived() {	# arrived ADDR PORT: did a datagram reach ADDR:PORT live?
	grep -q "^$1 $2 " "$T/wan.off.live"
}
ok "live, P2P off: STUN to the Internet dropped" sh -c '! grep -q "^198.51.100.1 3478 " "$0"' "$T/wan.off.live"
ok "live, P2P off: STUN to the address the configuration lists as LAN arrives" arrived 198.51.100.7 3480
ok "live, P2P off: the fragmented STUN datagram dropped" sh -c '! grep -q "^198.51.100.1 3479 " "$0"' "$T/wan.off.live"
ok "live, P2P off: ordinary UDP arrives" arrived 198.51.100.1 5000
ok "live: the inbound datagram reached the camera" wait_for 20 grep -q "^198.51.100.2 3478 20" "$T/cam.in"

# --- node_exporter's scrape equals stats --json ---------------------------
sleep 2.5	# export_interval = 1: the file is current
$CTL stats --json > "$T/stats.json"
curl -sf "http://127.0.0.1:$NE_PORT/metrics" > "$T/scrape.txt"
ok "node_exporter serves the textfile without error" \
	grep -q 'node_textfile_scrape_error 0' "$T/scrape.txt"
compare_metrics() {	# compare_metrics FILE: p2pguard_*_total of FILE vs stats.json
	$PY - "$1" "$T/stats.json" <<'EOT'
import json, re, sys
text, stats = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))["reasons"]
got = {}
for m in re.finditer(r'^(p2pguard_(?:packets|bytes)_total)\{reason="([^"]*)",verdict="(\w+)"\} (\d+)$', text, re.M):
    got[(m.group(1), m.group(2), m.group(3))] = int(m.group(4))
bad, dropped = [], 0
for reason, c in stats.items():
    want = {("p2pguard_packets_total", reason, "dropped"): c["drop_packets"],
            ("p2pguard_packets_total", reason, "passed"): c["packets"] - c["drop_packets"],
            ("p2pguard_bytes_total", reason, "dropped"): c["drop_bytes"],
            ("p2pguard_bytes_total", reason, "passed"): c["bytes"] - c["drop_bytes"]}
    for k, v in want.items():
        if got.get(k) != v:
            bad.append("%s %s: %s, stats %d" % (k[0], k[1:], got.get(k), v))
    dropped += c["drop_packets"]
if bad or len(got) != 4 * len(stats) or not dropped:
    print("\n".join(bad) or "%d samples for %d reasons, %d dropped" % (len(got), len(stats), dropped))
    sys.exit(1)
print("%d samples equal, %d packets dropped" % (len(got), dropped))
EOT
}
if out=$(compare_metrics "$T/scrape.txt"); then
	pass "node_exporter scrape: p2pguard counters equal stats --json ($out)"
else
	fail "node_exporter scrape: p2pguard counters differ from stats --json: $out"
fi
ok "scrape: p2pguard_enforced 1, p2pguard_p2p_enabled 0" \
	sh -c 'grep -qx "p2pguard_enforced 1" "$0" && grep -qx "p2pguard_p2p_enabled 0" "$0"' "$T/scrape.txt"
ok "scrape: the generation of status --json" \
	grep -qx "p2pguard_generation $($CTL status --json | grep -o '"generation":[0-9]*' | cut -d: -f2)" "$T/scrape.txt"
if out=$(promtool check metrics < "$T/textfile/p2pguard.prom" 2>&1); then
	pass "promtool check metrics: the textfile"
else
	fail "promtool check metrics: the textfile: $out"
fi
if out=$(grep -e '^p2pguard_' -e '^# [A-Z]* p2pguard_' "$T/scrape.txt" | promtool check metrics 2>&1); then
	pass "promtool check metrics: the scrape's p2pguard families"
else
	fail "promtool check metrics: the scrape: $out"
fi
$CTL stats --openmetrics > "$T/stats.om"
if out=$($PY - "$T/stats.om" <<'EOT' 2>&1
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
names = {f.name: f for f in fams}
assert names["p2pguard_packets"].type == "counter", "packets not a counter"
assert names["p2pguard_bytes"].unit == "bytes", "bytes without its unit"
print("%d families" % len(fams))
EOT
); then
	pass "stats --openmetrics: prometheus_client's OpenMetrics parser accepts it ($out)"
else
	fail "stats --openmetrics: rejected by the OpenMetrics parser: $out"
fi
if out=$(compare_metrics "$T/stats.om"); then
	pass "stats --openmetrics: the counters of stats --json ($out)"
else
	fail "stats --openmetrics: counters differ: $out"
fi
ok "stats --openmetrics ends with # EOF" test "$(tail -n 1 "$T/stats.om")" = "# EOF"

# --- MQTT: drop events, the rate limit, state changes --------------------
ok "mosquitto_sub: a drop event (STUN to 198.51.100.1, blocked)" \
	wait_for 50 grep -q 'fleet-test/cam1/event {.*"action":"blocked".*"dst":"198.51.100.1"' "$T/mqtt.log"
ok "status: MQTT messages dropped over the rate limit are counted" \
	wait_for 30 sh -c '! grep -qx "mqtt_dropped=0" "$0/run/status"' "$T"
$CTL p2p on > /dev/null
ok "mosquitto_sub: state change P2P on" \
	wait_for 50 grep -q 'fleet-test/cam1/state {.*"p2p":"on"' "$T/mqtt.log"
$CTL p2p off > /dev/null
ok "mosquitto_sub: state change P2P off again" \
	wait_for 50 sh -c 'grep "/state " "$0" | tail -n 1 | grep -q "\"p2p\":\"off\""' "$T/mqtt.log"
sleep 1
events=$(grep -c '^fleet-test/cam1/event ' "$T/mqtt.log")
logged=$(grep -c '"action":"blocked"' "$T/run/events.log")
limit=$((5 + ($(date +%s) - t0) / 12 + 1))
ok "rate limit (5 a minute) holds: $events event messages of $logged drop events, at most $limit" \
	test "$events" -ge 1 -a "$events" -le "$limit" -a "$logged" -gt "$events"
ok "openmetrics: the MQTT counters (dropped > 0)" \
	sh -c "$CTL stats --openmetrics | grep -q '^p2pguard_mqtt_messages_total{result=\"dropped\"} [1-9]'"

# --- the JSON the web UI reads ---------------------------------------------
$CTL status --json > "$T/status.json"
ok "status --json: applied_epoch is the status file's applied, a number" \
	grep -q "\"applied_epoch\":$(sed -n 's/^applied=//p' "$T/run/status")[,}]" "$T/status.json"
ok "status --json: source_key (empty for source = state)" grep -q '"source_key":""' "$T/status.json"
$CTL events --json --tail 3 > "$T/tail.json"
ok "events --tail 3: the log's last 3 lines" \
	cmp -s "$T/tail.json" <(tail -n 3 "$T/run/events.log")
ok "events --since 3600: every line" \
	test "$($CTL events --json --since 3600 | wc -l)" = "$(wc -l < "$T/run/events.log")"
ok "events --since 0: no line from the past" \
	test "$($CTL events --json --since 0 | wc -l)" -le 1
ok "top --json: process names of the blocked destinations" \
	sh -c "$CTL top --json | grep -q '\"processes\":\[\"python3'"

# --- replay --config on captures of the same traffic -------------------------
$CTL p2p on > /dev/null
wait_for 30 p2p_is 1
ip netns exec "$NS_CAM" tcpdump -Z root -i any -U -w "$T/any.pcap" udp > "$T/tcpdump1.log" 2>&1 &
td1=$!
ip netns exec "$NS_CAM" tcpdump -Z root -i "${ID}a" -U -w "$T/eth.pcap" udp > "$T/tcpdump2.log" 2>&1 &
td2=$!
PIDS+=("$td1" "$td2")
wait_for 50 grep -q listening "$T/tcpdump1.log" && wait_for 50 grep -q listening "$T/tcpdump2.log"
ip netns exec "$NS_WAN" $PY $UDP inbound
in_cam $PY $UDP send
sleep 1
kill -INT $td1 $td2
wait $td1 $td2 2>/dev/null
replay_check() {	# replay_check CAPTURE ARGS...: verdicts vs the live run
	local cap=$1
	shift
	"$B/p2pguardctl" replay --json --config "$T/p2pguard.conf" --p2p off "$@" "$cap" > "$T/replay.json" 2> "$T/replay.err"
	$PY - "$T/replay.json" "$T/wan.off.live" <<'EOT'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
live = {tuple(l.split()[:2]) for l in open(sys.argv[2]) if l[0].isdigit()}
want = {("198.51.100.1", 3478): "A", ("198.51.100.7", 3480): "B",
        ("198.51.100.1", 3479): "C", ("198.51.100.1", 5000): "D",
        ("2001:db8::1", 3478): "E"}
bad, seen = [], {}
for l in lines:
    k = (l.get("dst"), l.get("dport"))
    if l.get("dst") == "198.51.100.2":
        bad.append("inbound packet judged: %s" % l)
    if k not in want:
        continue
    seen.setdefault(k, []).append(l)
for k, name in want.items():
    got = seen.get(k, [])
    if len(got) != 1:
        bad.append("%s %s: %d lines" % (name, k, len(got)))
        continue
    v = got[0]["verdict"]
    arrived = (k[0], str(k[1])) in live
    if (v == "pass") != arrived:
        bad.append("%s %s: replay %s (%s), live %s" % (name, k, v, got[0]["reason"],
                   "arrived" if arrived else "dropped"))
c = seen.get(("198.51.100.1", 3479), [{}])[0]
if c.get("fragments") != 2:
    bad.append("C: not judged as one datagram of 2 fragments: %s" % c)
print("; ".join(bad) if bad else "5 datagrams, the live verdicts")
sys.exit(1 if bad else 0)
EOT
}
if out=$(replay_check "$T/any.pcap"); then
	pass "replay --config, Linux cooked capture (direction in it): $out"
else
	fail "replay --config, Linux cooked capture: $out ($(cat "$T/replay.err"))"
fi
if out=$(replay_check "$T/eth.pcap" --direction egress); then
	pass "replay --config --direction egress, Ethernet capture (self_addresses): $out"
else
	fail "replay --config --direction egress, Ethernet capture: $out ($(cat "$T/replay.err"))"
fi
# The Linux cooked capture as pcapng (raw IP), each packet's direction
# in its epb_flags, as dumpcap writes them: the inbound one is left out.
$PY - "$T/any.pcap" "$T/any.pcapng" <<'EOT'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4 and struct.unpack("<I", data[20:24])[0] == 276
def block(t, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
out = block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1))
out += block(1, struct.pack("<HHI", 101, 0, 65535))
pos = 24
while pos < len(data):
    sec, usec, cap, wire = struct.unpack("<IIII", data[pos:pos + 16])
    pkt = data[pos + 16:pos + 16 + cap]
    pos += 16 + cap
    flags = 2 if pkt[10] == 4 else 1  # outbound, inbound
    ip = pkt[20:]
    ts = sec * 1000000 + usec
    body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(ip), len(ip)) + ip
    body += b"\0" * (-len(body) % 4)
    body += struct.pack("<HHI", 2, 4, flags) + struct.pack("<HH", 0, 0)
    out += block(6, body)
open(sys.argv[2], "wb").write(out)
EOT
if out=$(replay_check "$T/any.pcapng"); then
	pass "replay --config, pcapng (direction in epb_flags): $out"
else
	fail "replay --config, pcapng: $out ($(cat "$T/replay.err"))"
fi
ok "replay of the pcapng without --config or --self: epb_flags alone leave the inbound datagram out" \
	sh -c "! $B/p2pguardctl replay --json '$T/any.pcapng' 2>/dev/null | grep -q '\"dst\":\"198.51.100.2\"' &&
	       $B/p2pguardctl replay --json --direction both '$T/any.pcapng' 2>/dev/null | grep -q '\"dst\":\"198.51.100.2\"'"
ok "replay of the Ethernet capture without --direction judges the inbound datagram too" \
	sh -c "$B/p2pguardctl replay --json --direction both '$T/eth.pcap' 2>/dev/null | grep -q '\"dst\":\"198.51.100.2\"'"
ok "replay without --config (built-in policy) drops STUN to the LAN-listed address" \
	sh -c "$B/p2pguardctl replay --json '$T/any.pcap' 2>/dev/null | grep '\"dst\":\"198.51.100.7\"' | grep -q '\"verdict\":\"drop\"'"

[ "$fails" -eq 0 ]
