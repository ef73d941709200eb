#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The bypass suite of issue 14, datagram, DNS and raw-socket shapes: each
# shape of tests/live/p2pshape.c is sent from the camera's cgroup and
# namespace, by an unprivileged user (raw sockets: root, for CAP_NET_RAW),
# to an "Internet" or LAN sink.  P2P off: nothing of a P2P shape arrives.
# P2P on: everything arrives.  Ordinary traffic arrives both ways.
#
# Each send ends with a fence datagram from the same process on the same
# CPU; once the sink has logged the fence, what was sent before it has
# arrived or never will, so nothing waits a fixed time.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/live/lib.sh
preflight live-bypass
[ -x "$B/tests/p2pshape" ] || { fail "live-bypass: $B/tests/p2pshape not built"; exit 1; }
setup_net

# A second Internet host behind a 576-byte path MTU: the kernel fragments
# what is sent to it.
FRAG4=198.51.100.3
ip -n "$NS_WAN" addr add $FRAG4/24 dev "${ID}b"
ip -n "$NS_CAM" route add $FRAG4/32 dev "${ID}a" mtu lock 576

: > "$T/wan.log"
: > "$T/lan.log"
ip netns exec "$NS_WAN" "$B/tests/p2pshape" sink "$T/wan.log" udp:40001 &
PIDS+=($!)
ip netns exec "$NS_LAN" "$B/tests/p2pshape" sink "$T/lan.log" &
PIDS+=($!)
if ! wait_for 50 grep -q ready "$T/wan.log" || ! wait_for 50 grep -q ready "$T/lan.log"; then
	fail "live-bypass: sinks did not start"
	exit 1
fi

save_settings 0
write_conf "source = file" "file = $T/settings/camera.conf" "key = p2p_enable"
if ! start_daemon; then
	fail "live-bypass: p2pguardd started: $(cat "$T/daemon.log")"
	exit 1
fi
ok "live-bypass: P2P off in the kernel" wait_for 20 p2p_is 0

"$B/tests/p2pshape" list > "$T/shapes"

# What is sent: tests/live/bypass.rows, the rows the VM matrix's guest
# sends too (tests/vm/guest/bypass.sh); its destinations are names, given
# this suite's addresses here.
ROWS_FILE=tests/live/bypass.rows
addr_of() {	# addr_of NAME: the address of a destination of bypass.rows
	case $1 in
	WAN4) echo "$WAN4" ;;
	WAN6) echo "$WAN6" ;;
	FRAG4) echo "$FRAG4" ;;
	LAN4) echo "$LAN4" ;;
	LAN6) echo "$LAN6" ;;
	*) return 1 ;;
	esac
}

# shellcheck disable=SC2317
not() {	# not CMD...: CMD fails (for ok)
	! "$@" >/dev/null 2>&1
}

ok "live-bypass: the senders are unprivileged (a raw socket is refused)" \
	not in_cam setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$B/tests/p2pshape" raw-ip $WAN4

while read -r shape _; do
	ok "live-bypass: shape $shape has a row" \
		grep -qE "^${shape}[[:space:]]" "$ROWS_FILE"
done < "$T/shapes"

# count_is LOG N: N lines of LOG are ones this row expects (for wait_for).
# shellcheck disable=SC2317
count_is() {
	test "$(grep -cxFf "$T/want" "$1")" = "$2"
}

CTL="$B/p2pguardctl --config $T/p2pguard.conf"
drops() {	# drops FILE: "reason dropped-packets", one a line, sorted
	$CTL stats | awk 'NR > 1 { print $1, $4 }' | sort > "$1"
}

# shellcheck disable=SC2317
both_equal() {	# both_equal A B C D: A = B and C = D
	[ "$1" = "$2" ] && [ "$3" = "$4" ]
}

row() {	# row off|on SHAPE ADDR user|root [PORT]
	local p2p=$1 shape=$2 addr=$3 who=$4 port=${5:-} log kind fence want n
	local got dropped blocked='' name="live-bypass p2p-$p2p: $shape to $addr${5:+ port $5} ($who)"
	local cmd=("$B/tests/p2pshape")

	case $addr in
	"$LAN4" | "$LAN6") log=$T/lan.log ;;
	*) log=$T/wan.log ;;
	esac
	kind=$(awk -v s="$shape" '$1 == s { print $2 }' "$T/shapes")
	[ "$who" = user ] &&
		cmd=(setpriv --reuid=65534 --regid=65534 --clear-groups "${cmd[@]}")
	: > "$log"
	drops "$T/drops.before"
	in_cam "${cmd[@]}" "$shape" "$addr" ${port:+"$port"} > "$T/sent" 2> "$T/err"
	case $? in
	0) ;;
	3) skip "$name: $(sed 's/^p2pshape: //' "$T/err")"; return ;;
	*) fail "$name: p2pshape: $(cat "$T/err")"; return ;;
	esac
	fence=$(sed -n 's/^fence //p' "$T/sent")
	grep -v '^fence ' "$T/sent" > "$T/want"
	want=$(wc -l < "$T/want")
	n=$want
	[ "$kind" = p2p ] && [ "$p2p" = off ] && n=0
	if ! wait_for 50 grep -qxF "$fence" "$log"; then
		fail "$name: the fence after it did not arrive"
		return
	fi
	# Past the fence all should be in; a short grace all the same.
	[ "$n" = 0 ] || wait_for 20 count_is "$log" "$n"
	got=$(grep -cxFf "$T/want" "$log")
	# The drops the program counted, by reason: some exactly when
	# nothing is to arrive.
	drops "$T/drops.after"
	dropped=$(join "$T/drops.before" "$T/drops.after" |
		awk '$3 > $2 { printf "%s%s +%d", s, $1, $3 - $2; s = ", " }')
	[ "$n" = 0 ] && blocked=yes
	ok "$name: $got of $want arrived ($kind), dropped as: ${dropped:-none}" \
		both_equal "$got" "$n" "${dropped:+yes}" "$blocked"
}

run_rows() {	# run_rows off|on
	local shape dst addr who port

	while read -r shape dst who port; do
		case $shape in "" | "#"*) continue ;; esac
		if ! addr=$(addr_of "$dst"); then
			fail "live-bypass: $ROWS_FILE: unknown destination $dst"
			continue
		fi
		row "$1" "$shape" "$addr" "$who" "$port"
	done < "$ROWS_FILE"
}

run_rows off

save_settings 1
ok "live-bypass: P2P on in the kernel" wait_for 20 p2p_is 1
run_rows on

exit $((fails > 0))
