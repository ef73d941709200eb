# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=dash
#
# The bypass suite of issue 14 (tests/live/test_bypass.sh) in the VM
# matrix, on both backends: sourced by test.sh, whose pass, fail, skip, ok,
# poll, wait_for, $CTL, $V and $L it uses.  The rows are the host suite's own
# (tests/live/bypass.rows): each shape of p2pshape, sent by the camera (as
# uid 65534; raw sockets as root) to an "Internet" sink of its own, a
# network namespace on 192.0.2.0/24 and 2001:db8:2::/64 beside S10vmnet's
# (whose netpeer sinks hold the shapes' ports).  P2P off: nothing of a P2P
# shape arrives and what was dropped is counted under a reason; P2P on:
# everything arrives and nothing is dropped.  Ordinary traffic arrives
# both ways.  As on the host, each send ends with a fence datagram: once
# the sink has logged it, what was sent before has arrived or never will.
#
#   bypass_setup         the namespace and its sink, once
#   bypass_rows off|on   every row, with the switch already so
#
# Rows to the LAN are not sent: this guest's LAN (S10vmnet) is
# netpeer's, the suite adds hosts on documentation prefixes only, and
# those are Internet destinations to the policy.  Each run says so on an
# INFO line.

BP=/tmp/bypass
BP_WAN4=192.0.2.1 BP_WAN6=2001:db8:2::1 BP_FRAG4=192.0.2.3
BP_ROWS=$V/bypass.rows

bp_now() { cut -d' ' -f1 /proc/uptime; }
bp_since() { awk -v t="$1" -v now="$(bp_now)" 'BEGIN { print now - t }'; }
bp_unshared() {	# until unshare has run, the pid is in our namespace
	[ "$(readlink /proc/"$bp_pid"/ns/net)" != "$(readlink /proc/self/ns/net)" ]
}

# shellcheck source=tests/vm/guest/veth.sh
. "$V/veth.sh"

bp_netns() {	# bp_netns: the sink's namespace, held by a sleeping process
	unshare -n sleep 100000 &
	bp_pid=$!
	wait_for 100 bp_unshared || return 1
	veth_pair cam2 shp0 "$bp_pid" || return 1
	echo 0 > /proc/sys/net/ipv6/conf/cam2/accept_dad
	ip addr add 192.0.2.2/24 dev cam2 &&
		ip -6 addr add 2001:db8:2::2/64 dev cam2 &&
		ip link set cam2 up || return 1
	# The second Internet host, behind a 576-byte path MTU.
	ip route add $BP_FRAG4/32 dev cam2 mtu lock 576 || return 1
	nsenter -t "$bp_pid" -n sh -c "
		echo 0 > /proc/sys/net/ipv6/conf/shp0/accept_dad &&
		ip link set lo up && ip addr add $BP_WAN4/24 dev shp0 &&
		ip addr add $BP_FRAG4/24 dev shp0 &&
		ip -6 addr add $BP_WAN6/64 dev shp0 && ip link set shp0 up"
}

bypass_setup() {
	local t

	t=$(bp_now)
	mkdir -p $BP
	: > $BP/sink.log
	if ! bp_netns; then
		fail "bypass: the sink's network namespace"
		return 1
	fi
	nsenter -t "$bp_pid" -n "$V/p2pshape" sink $BP/sink.log udp:40001 &
	if ! wait_for 100 grep -q ready $BP/sink.log; then
		fail "bypass: the sink did not start"
		return 1
	fi
	"$V/p2pshape" list > $BP/shapes
	bp_p2p=" $(awk '$2 == "p2p" { printf "%s ", $1 }' $BP/shapes)"
	bp_missing=$(while read -r s _; do
		grep -qE "^${s}[[:space:]]" "$BP_ROWS" || printf ' %s' "$s"
	done < $BP/shapes)
	ok "bypass: every shape of p2pshape has a row in bypass.rows${bp_missing:+ (not:$bp_missing)}" \
		test -z "$bp_missing"
	ok "bypass: the senders are unprivileged (a raw socket is refused)" \
		sh -c "! $V/p2pshape -u 65534 raw-ip $BP_WAN4 >/dev/null 2>&1"
	echo "INFO bypass_not_sent=$(awk '$1 !~ /^#/ && $2 ~ /^LAN/ { printf "%s%s to %s", s, $1, $2; s = ", " }' "$BP_ROWS"): rows to the LAN; this guest's LAN sink is netpeer's (the enforcement scenario sends LAN traffic) and the suite adds hosts on documentation prefixes only, which the policy counts as Internet"
	echo "INFO bypass_seconds_setup=$(bp_since "$t")"
}

bp_drops() {	# bp_drops FILE: "reason dropped-packets", one a line
	$CTL stats | awk 'NR > 1 { print $1, $4 }' > "$1"
}

bp_snmp() {	# bp_snmp: "where counter value", the IP counters of both ends
	awk '{ print "cam", $1, $2 }' /proc/net/snmp6
	awk '$1 == "Ip:" && !n++ { split($0, k); next }
		$1 == "Ip:" { for (i = 2; i <= NF; i++) print "cam", "Ip" k[i], $i }' \
		/proc/net/snmp
	nsenter -t "$bp_pid" -n cat /proc/net/snmp6 | awk '{ print "sink", $1, $2 }'
	nsenter -t "$bp_pid" -n cat /proc/net/snmp | awk '$1 == "Ip:" && !n++ { split($0, k); next }
		$1 == "Ip:" { for (i = 2; i <= NF; i++) print "sink", "Ip" k[i], $i }'
}

bp_delta() {	# bp_delta BEFORE: the counters that moved since BEFORE
	awk 'NR == FNR { b[$1 " " $2] = $3; next }
		$3 > b[$1 " " $2] + 0 && $2 ~ /Frag|Reasm|Discard|Err|NoPort|Drop|Fail|Timeout|InDatagrams|InReceives/ {
			printf "%s%s:%s +%d", s, $1, $2, $3 - b[$1 " " $2]; s = ", " }' "$1" -
}

bp_has() {	# bp_has LIST ITEM: ITEM is one of LIST's comma-separated items
	case ", $1," in *", $2,"*) return 0 ;; esac
	return 1
}

bp_count_is() {	# bp_count_is N: N lines of the sink's log are the row's
	test "$(grep -cxFf $BP/want $BP/sink.log)" = "$1"
}

bp_row() {	# bp_row off|on SHAPE ADDR user|root [PORT]
	local p2p="$1" shape="$2" addr="$3" who="$4" port="${5:-}" kind fence want
	local expect got dropped blocked='' uid='' row line ipc
	local want_frags=2	# raw-tiny-fragment: the header, then the rest
	row="bypass p2p-$p2p: $shape to $addr${port:+ port $port} ($who)"

	case $bp_p2p in *" $shape "*) kind=p2p ;; *) kind=ordinary ;; esac
	[ "$who" = user ] && uid="-u 65534"
	: > $BP/sink.log
	bp_snmp > $BP/snmp.before
	# shellcheck disable=SC2086 # $uid and $port: none, or words
	"$V/p2pshape" $uid "$shape" "$addr" $port > $BP/sent 2> $BP/err
	case $? in
	0) ;;
	3) skip "$row: $(sed 's/^p2pshape: //' $BP/err)"; return ;;
	*)
		fail "$row: p2pshape: $(cat $BP/err)"
		bp_drops $BP/drops.before
		return
		;;
	esac
	# What the sink is to log, and the fence last (builtins: no fork).
	want=0
	: > $BP/want
	while read -r line; do
		case $line in
		"fence "*) fence=${line#fence } ;;
		*) echo "$line" >> $BP/want; want=$((want + 1)) ;;
		esac
	done < $BP/sent
	expect=$want
	[ "$kind" = p2p ] && [ "$p2p" = off ] && expect=0
	if ! poll 0.02 250 grep -qxF "$fence" $BP/sink.log; then
		fail "$row: the fence after it did not arrive"
		bp_drops $BP/drops.before
		return
	fi
	# Past the fence all should be in; a short grace all the same.
	[ "$expect" = 0 ] || poll 0.02 100 bp_count_is "$expect"
	got=$(grep -cxFf $BP/want $BP/sink.log)
	# The drops counted, by reason: some exactly when nothing is to
	# arrive.  This row's "after" is the next row's "before".
	bp_drops $BP/drops.after
	dropped=$(awk 'NR == FNR { b[$1] = $2; next }
		$2 > b[$1] + 0 { printf "%s%s +%d", s, $1, $2 - b[$1]; s = ", " }' \
		$BP/drops.before $BP/drops.after)
	mv $BP/drops.after $BP/drops.before
	ipc=""
	if [ "$shape" = raw-tiny-fragment ]; then
		ipc=$(bp_snmp | bp_delta $BP/snmp.before)
		echo "INFO $row: IP counters: $ipc"
	fi
	[ "$expect" = 0 ] && blocked=yes
	if [ "$got" = "$expect" ] && [ "${dropped:+yes}" = "$blocked" ]; then
		pass "$row: $got of $want arrived ($kind), dropped as: ${dropped:-none}"
	elif [ "$p2p" = on ] && [ "$got" = 0 ] && [ -z "$dropped" ] &&
		[ "$shape" = raw-tiny-fragment ] &&
		bp_has "$ipc" "sink:Ip6ReasmReqds +$want_frags" &&
		bp_has "$ipc" "sink:Ip6InHdrErrors +1"; then
		# 4.4-stable backported "ipv6: defrag: drop non-last frags
		# smaller than min mtu" (4.20; undone by later rewrites): the
		# sink, on the guest's kernel too, refuses an IPv6 fragment
		# with more to come under 1280 bytes, with a parameter problem.
		# Both fragments left the camera and reached it.
		pass "$row: both fragments reached the sink (reassembly requests +$want_frags), whose kernel refuses non-last IPv6 fragments under 1280 bytes; dropped as: none"
	else
		fail "$row: $got of $want arrived ($kind), dropped as: ${dropped:-none}"
	fi
}

bypass_rows() {	# bypass_rows off|on
	local t shape dst who port addr

	[ -s $BP/shapes ] || return
	t=$(bp_now)
	bp_drops $BP/drops.before
	while read -r shape dst who port; do
		case $shape in "" | "#"*) continue ;; esac
		case $dst in
		WAN4) addr=$BP_WAN4 ;;
		WAN6) addr=$BP_WAN6 ;;
		FRAG4) addr=$BP_FRAG4 ;;
		LAN4 | LAN6) continue ;;
		*) fail "bypass: bypass.rows: unknown destination $dst"; continue ;;
		esac
		bp_row "$1" "$shape" "$addr" "$who" "$port" < /dev/null
	done < "$BP_ROWS"
	echo "INFO bypass_seconds_$1=$(bp_since "$t")"
}
