#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The status pages of webui/ served as on the cameras: BusyBox httpd with
# haserl CGI, BusyBox's awk and tools, the real p2pguardctl against a real
# p2pguardd enforcing on a test cgroup (tests/live/lib.sh).  The JSON
# reader first (p2pguard-webui.awk on crafted input, and the settings-file
# writer), then OpenIPC's page and thingino's: state, counters, blocked
# destinations, events and the plot from real drops; a process named with
# HTML, quotes and an escape sequence shown escaped; POSTs without or with
# a wrong token, or with another value than on/off, refused; the switch
# flipped with the token (P2P packets stop, and flow again), by a click in
# Chromium (tests/webui/click.py), through the state source and through a
# settings file.  A headless Chromium renders
# the page (WEBUI_DOC=1: into Documentation/webui-openipc.png).
# shellcheck disable=SC2317 # functions that ok() runs
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
. tests/live/lib.sh
. tests/lib/apt.sh
preflight webui
if ! p2pg_apt_install webui haserl busybox chromium libjs-bootstrap5 >&2; then
	fail "webui: cannot install haserl, busybox, chromium and libjs-bootstrap5"
	exit 1
fi
W=$top/webui
TW=$top/tests/webui

# The camera's tools: BusyBox applets first in the pages' PATH.
mkdir -p "$T/bb"
for a in awk sed od tr cat mv cp rm date mkdir chmod head basename; do
	ln -s "$(command -v busybox)" "$T/bb/$a"
done
BBPATH=$T/bb:/usr/sbin:/usr/bin:/sbin:/bin
bbawk() { PATH=$BBPATH awk "$@"; }

# ---- the JSON reader ---------------------------------------------------

cat >"$T/crafted.json" <<'EOF'
{"a":{"b":[1,"x\"y",{"c":"<i>&'"}],"e":{}},"u":"\u001b[7m\u00e9\ufffd\\\/","n":-1.5e3,"t":true,"z":null}
EOF
got=$(bbawk -v mode=dump -f "$W/p2pguard-webui.awk" "$T/crafted.json")
want=$(printf '%s\n' 'a/b/1	1' 'a/b/2	x&quot;y' 'a/b/3/c	&lt;i&gt;&amp;&#39;' \
	'u	\x1b[7m?'$'\357\277\275''\/' 'n	-1.5e3' 't	true' 'z	null')
ok "JSON reader: nesting, escapes, \\u escapes, HTML escaping (busybox awk)" \
	test "$got" = "$want"
[ "$got" = "$want" ] || printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"
ok "JSON reader: a line that is no JSON, or cut short, is not taken" \
	test -z "$(printf '%s\n' '{"a":1' '{"a":"x}' 'nope' '{"a":1}x' |
		bbawk -v mode=dump -f "$W/p2pguard-webui.awk")"
ok "JSON reader: get mode prints one unescaped value" \
	test "$(printf '%s\n' '{"k":"a\"b\\c","x":1}' | P2PG_W_KEY=k bbawk -v mode=get -f "$W/p2pguard-webui.awk")" = 'a"b\c'

# Event lines as p2pguardd writes them take a quick path; the same line
# with a blank in front takes the general one: the same page.
ev='{"ts":1700000000,"action":"blocked","reason":"cs2-pppp","proto":"udp","dst":"2001:db8::1","port":32100,"uid":0,"cgroup":1,"name":"","process":"<b>\"\\\u001b,\",\"x[1] y[2]"}'
render() { P2PG_W_NOW=1700000060 TZ=UTC bbawk -f "$W/p2pguard-webui.awk"; }
quick=$(printf '#events\n%s\n' "$ev" | render)
general=$(printf '#events\n %s\n' "$ev" | render)
ok "JSON reader: the event log's quick path and the general one agree" \
	test "$quick" = "$general"
ok "JSON reader: a hostile process in an event escaped" \
	grep -qF '<code class="p2pg-proc">&lt;b&gt;&quot;\\x1b,&quot;,&quot;x[1] y[2]</code>' <<<"$quick"
for a in mawk gawk; do
	command -v $a >/dev/null || continue
	ok "JSON reader: $a writes the same page as BusyBox awk" \
		test "$(printf '#events\n%s\n' "$ev" | P2PG_W_NOW=1700000060 TZ=UTC $a -f "$W/p2pguard-webui.awk")" = "$quick"
done

# The settings-file writer keeps the file's own style.
setfile_case() {	# setfile_case NAME ON|OFF BEFORE AFTER (lines in \n)
	printf '%b' "$3" >"$T/set.conf"
	# shellcheck source=webui/p2pguard-webui.sh
	(PATH=$BBPATH; . "$W/p2pguard-webui.sh"; p2pg_webui_set_file "$T/set.conf" p2p_enable "$2")
	ok "settings file: $1" test "$(cat "$T/set.conf")" = "$(printf '%b' "$4")"
}
setfile_case "key=1 to 0, other lines kept" off 'a=1\np2p_enable=1\n# c\n' 'a=1\np2p_enable=0\n# c'
setfile_case "export KEY=\"yes\" # comment" off 'export p2p_enable="yes" # x\n' 'export p2p_enable="no" # x'
setfile_case "key: on" off '  p2p_enable: on\n' '  p2p_enable: off'
setfile_case "key = Disabled to enabled" on 'p2p_enable = Disabled\n' 'p2p_enable = enabled'
setfile_case "a longer key is another key" on 'p2p_enable_x=0\n' 'p2p_enable_x=0\np2p_enable=1'

# ---- the sandbox: p2pguardd, the sinks, two web servers ----------------

setup_net
start_sinks || { fail "webui: live sinks did not start"; exit 1; }
printf 'p2p=on\n' >"$T/p2pguard.state"
write_conf "source = state" "state_file = $T/p2pguard.state"
if ! start_daemon; then
	fail "webui: p2pguardd started: $(cat "$T/daemon.log")"
	exit 1
fi
CTL="$B/p2pguardctl --config $T/p2pguard.conf"
wait_for 20 p2p_is 1 || fail "webui: P2P on at the start"

# OpenIPC: /var/www/cgi-bin/plugin-p2pguard.cgi with microbe-web's p/
# includes (stand-ins), Bootstrap 5 from Debian as /a/bootstrap.css.
O=$T/www-openipc
mkdir -p "$O/cgi-bin/p" "$O/a"
cp "$W/openipc/plugin-p2pguard.cgi" "$O/cgi-bin/"
cp "$TW"/openipc/p/*.cgi "$O/cgi-bin/p/"
cp /usr/share/javascript/bootstrap5/css/bootstrap.min.css "$O/a/bootstrap.css"
# thingino: /var/www/x/p2pguard.cgi, its auth.sh (a stand-in), Bootstrap
# as paranoid mode bundles it.
TH=$T/www-thingino
mkdir -p "$TH/x" "$TH/a/vendor"
cp "$W/thingino/p2pguard.cgi" "$TW/thingino/auth.sh" "$TH/x/"
cp /usr/share/javascript/bootstrap5/css/bootstrap.min.css "$TH/a/vendor/"
cp /usr/share/javascript/bootstrap5/js/bootstrap.bundle.min.js "$TH/a/vendor/" 2>/dev/null
chmod 755 "$O/cgi-bin/plugin-p2pguard.cgi" "$TH/x/p2pguard.cgi"
printf '*.cgi:%s\n' "$(command -v haserl)" >"$T/httpd-thingino.conf"
: >"$T/httpd-openipc.conf"

# httpd ROOT CONF: a BusyBox httpd on a free 127.0.0.1 port; prints it.
httpd() {
	local port tries=20
	while [ $tries -gt 0 ]; do
		port=$((20000 + RANDOM % 20000))
		env -i PATH="$BBPATH" P2PG_WEBUI_CTL="$top/$B/p2pguardctl" \
			P2PG_WEBUI_CONF="$T/p2pguard.conf" P2PG_WEBUI_RUN="$T/webui-run" \
			P2PG_WEBUI_LIB="$W" P2PG_WEBUI_WWW="$TH" TZ=UTC \
			busybox httpd -f -p "127.0.0.1:$port" -h "$1" -c "$2" \
			2>>"$T/httpd.log" &
		PIDS+=($!)
		if wait_for 20 curl -s -o /dev/null "http://127.0.0.1:$port/"; then
			echo "$port"
			return 0
		fi
		tries=$((tries - 1))
	done
	return 1
}
# PIDS must grow in this shell, not in a $(...) subshell.
httpd "$O" "$T/httpd-openipc.conf" >"$T/port" || { fail "webui: BusyBox httpd (OpenIPC) did not start"; exit 1; }
OPORT=$(cat "$T/port")
httpd "$TH" "$T/httpd-thingino.conf" >"$T/port" || { fail "webui: BusyBox httpd (thingino) did not start"; exit 1; }
TPORT=$(cat "$T/port")
OURL=http://127.0.0.1:$OPORT/cgi-bin/plugin-p2pguard.cgi
TURL=http://127.0.0.1:$TPORT/x/p2pguard.cgi
COOKIE="thingino_session=p2pguard-test-session"

get() {	# get URL OUT [CURL-ARGS]: prints the HTTP status
	local url=$1 out=$2
	shift 2
	curl -s -o "$out" -w '%{http_code}' "$@" "$url"
}
post() {	# post URL OUT FIELD... [-- CURL-ARGS]
	local url=$1 out=$2 a=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do a+=(--data-urlencode "$1"); shift; done
	[ $# -gt 0 ] && shift
	curl -s -o "$out" -w '%{http_code}' "${a[@]}" "$@" "$url"
}
has() {	# has FILE TEXT...: FILE holds every TEXT
	local f=$1
	shift
	while [ $# -gt 0 ]; do grep -q -F -- "$1" "$f" || return 1; shift; done
}
no_raw() {	# nothing of the hostile name unescaped
	! grep -q -e '<script>"' -e "\"'&" -e $'\e' "$1"
}
dropped_shown() {	# dropped_shown FILE REASON: its Dropped cell
	sed -n "s/.*<tr data-reason=\"$2\"><td[^>]*>[^<]*<\/td><td class=\"text-end\">[0-9]*<\/td><td class=\"text-end\">\([0-9]*\)<\/td>.*/\1/p" "$1"
}
no_script() { ! grep -qi '<script' "$1"; }
status_says() { $CTL status --json | grep -q "$1"; }
token_of() { grep -o 'name="token" value="[0-9a-f]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"//'; }

# A process named <script>"'& ESC [7m (15 bytes, all comm holds) sends a
# CS2 PPPP hello and a DNS query for a TUTK rendezvous name, then stays
# alive while p2pguardd reads its name.
HOSTILE=$'<script>"\'&\e[7m'
hostile_send() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	in_cam bash -c '
		printf "%s" "$1" >/proc/self/comm
		printf "\xf1\x00\x00\x00" >"/dev/udp/$2/32100"
		printf "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x0ciotcplatform\x03com\x00\x00\x01\x00\x01" >"/dev/udp/$2/53"
		sleep 1.5 & wait $!' hostile "$HOSTILE" "$WAN4" 2>/dev/null
}
pppp_arrived() { grep -c '^udp4 32100 ' "$T/wan.log"; }

# ---- OpenIPC's page ----------------------------------------------------

code=$(get "$OURL" "$T/o1.html")
ok "OpenIPC page: 200 from BusyBox httpd and haserl ($code)" test "$code" = 200
[ "$code" = 200 ] || { head -c 2000 "$T/o1.html"; cat "$T/httpd.log"; }
ok "OpenIPC page: microbe-web's header and footer around it" \
	has "$T/o1.html" 'OpenIPC</span>' 'Microbe Web UI'
ok "OpenIPC page: ENFORCED" has "$T/o1.html" '<span id="p2pg-enforced">ENFORCED</span>'
ok "OpenIPC page: P2P on" has "$T/o1.html" '<span id="p2pg-p2p" class="badge text-bg-warning">on</span>'
tok=$(token_of "$T/o1.html")
ok "OpenIPC page: the form carries a 32-digit CSRF token" test ${#tok} = 32
ok "CSRF token: kept in a root-only file of a root-only directory" \
	test "$(stat -c '%a %u' "$T/webui-run" "$T/webui-run/token" | tr '\n' ' ')" = "700 0 600 0 "

: >"$T/wan.log"
hostile_send
sleep 0.3
ok "P2P on: the PPPP hello reaches the Internet host" test "$(pppp_arrived)" -ge 1

code=$(post "$OURL" "$T/r1" p2p=off)
ok "POST without a token refused ($code)" test "$code" = 403
code=$(post "$OURL" "$T/r2" p2p=off token=0123456789abcdef0123456789abcdef)
ok "POST with a wrong token refused ($code)" test "$code" = 403
code=$(post "$OURL" "$T/r3" p2p=off "token=$tok;id")
ok "POST with a token and more refused ($code)" test "$code" = 403
code=$(post "$OURL" "$T/r4" 'p2p=off;reboot' "token=$tok")
ok "POST of another value than on/off refused ($code)" test "$code" = 400
code=$(get "$OURL?p2p=off&token=$tok" "$T/r5")
sleep 0.5
ok "nothing refused or by GET changed the switch" p2p_is 1
ok "status --json still says P2P on" status_says '"p2p":"on"'

# A person's click: Chromium loads the page, clicks "Turn P2P off", the
# form's POST (with the page's token) answers 303 back to the page.
clicked=$(timeout 120 /usr/bin/python3 "$TW/click.py" chromium "$T/chromium-click" "$OURL" 2>&1)
ok "Chromium: the page's button turns P2P off ($clicked)" \
	test "$clicked" = "before=on after=off flash=P2P switched off."
ok "the click: the kernel's switch is off" wait_for 20 p2p_is 0
ok "the click: status --json says P2P off" status_says '"p2p":"off"'

: >"$T/wan.log"
hostile_send
hostile_send
sleep 0.5
ok "P2P off: no PPPP hello reaches the Internet host" test "$(pppp_arrived)" = 0
ok "the hostile process's drops are in the event log" \
	wait_for 30 grep -q '"process":"<script>' "$T/run/events.log"

code=$(get "$OURL" "$T/o2.html")
ok "OpenIPC page after the switch: 200 ($code)" test "$code" = 200
ok "OpenIPC page: ENFORCED, P2P off" has "$T/o2.html" \
	'<span id="p2pg-enforced">ENFORCED</span>' 'badge text-bg-success">off</span>'
$CTL stats --json >"$T/stats.json"
want=$(grep -o '"cs2-pppp":{[^}]*}' "$T/stats.json" | grep -o '"drop_packets":[0-9]*' | cut -d: -f2)
shown=$(dropped_shown "$T/o2.html" cs2-pppp)
ok "counters: CS2 PPPP dropped $shown, as stats --json says ($want)" \
	test "${shown:-x}" = "${want:-y}" -a "${want:-0}" -ge 2
ok "counters: the families that counted nothing named in one line" \
	grep -q 'id="p2pg-quiet">Nothing counted: .*ThroughTek TUTK / Kalay' "$T/o2.html"
ok "counters: TUTK's rendezvous DNS names counted" grep -q 'data-reason="dns-deny-name"><td title="dns-deny-name">Rendezvous DNS names</td><td class="text-end">[1-9]' "$T/o2.html"
ok "blocked most: iotcplatform.com with the process's name escaped" \
	grep -q '<code>iotcplatform.com</code></td><td>dns-deny-name</td><td><code>&lt;script&gt;&quot;&#39;&amp;\\x1b\[7m</code>' "$T/o2.html"
ok "recent events: the hostile name escaped, with its pid" \
	grep -qE '<code class="p2pg-proc">&lt;script&gt;&quot;&#39;&amp;\\x1b\[7m\[[0-9]+\]' "$T/o2.html"
ok "nothing of the hostile name unescaped: no <script>, no quote run, no ESC" \
	no_raw "$T/o2.html"
ok "plot: an inline SVG with drop bars" has "$T/o2.html" \
	'<svg id="p2pg-plot"' '<rect class="p2pg-bar"'
ok "OpenIPC page: no script at all" no_script "$T/o2.html"

# ---- thingino's page ---------------------------------------------------

code=$(get "$TURL" "$T/t0.html")
ok "thingino page: no session, 401 from thingino's require_auth ($code)" test "$code" = 401
code=$(get "$TURL" "$T/t1.html" -b "$COOKIE")
ok "thingino page: 200 with a session ($code)" test "$code" = 200
ok "thingino page: thingino's frame (data-app-nav, navigation.js, footer)" \
	has "$T/t1.html" '<nav data-app-nav></nav>' '/a/navigation.js' '<footer data-app-footer></footer>'
ok "thingino page: ENFORCED, P2P off, the hostile name escaped" has "$T/t1.html" \
	'<span id="p2pg-enforced">ENFORCED</span>' 'text-bg-success">off' '&lt;script&gt;&quot;&#39;&amp;'
ok "thingino page: nothing of the hostile name unescaped" no_raw "$T/t1.html"
ttok=$(token_of "$T/t1.html")
code=$(post "$TURL" "$T/t2" p2p=on "token=$ttok")
ok "thingino page: POST without a session refused ($code)" test "$code" = 401
code=$(post "$TURL" "$T/t3" p2p=on -- -b "$COOKIE")
ok "thingino page: POST without a token refused ($code)" test "$code" = 403
sleep 0.3
ok "thingino page: refused POSTs left P2P off" p2p_is 0
clicked=$(timeout 120 /usr/bin/python3 "$TW/click.py" chromium "$T/chromium-click2" "$TURL" "$COOKIE" 2>&1)
ok "thingino page: Chromium with a session clicks P2P on ($clicked)" \
	test "$clicked" = "before=off after=on flash=P2P switched on."
ok "thingino page: the kernel's switch is on" wait_for 20 p2p_is 1
: >"$T/wan.log"
hostile_send
sleep 0.3
ok "P2P on again: the PPPP hello reaches the Internet host" test "$(pppp_arrived)" -ge 1

# ---- source = file: the page writes the settings file -------------------

mkdir -p "$T/settings"
printf 'hostname=cam\nexport P2P_ENABLE="yes"  # the vendor app\n' >"$T/settings/camera.conf"
write_conf "source = file" "file = $T/settings/camera.conf" "key = P2P_ENABLE"
kill -HUP "$(cat "$T/run/p2pguardd.pid")"
wait_for 20 status_says '"source":"file"'
code=$(get "$OURL" "$T/o3.html")
tok=$(token_of "$T/o3.html")
code=$(post "$OURL" "$T/r7" p2p=off "token=$tok")
ok "source = file: POST p2p=off: 303 ($code)" test "$code" = 303
ok "source = file: the settings file says no, in its own style" \
	test "$(cat "$T/settings/camera.conf")" = "$(printf 'hostname=cam\nexport P2P_ENABLE="no"  # the vendor app')"
ok "source = file: p2pguardd followed it: the kernel's switch is off" wait_for 20 p2p_is 0

# ---- Chromium renders it -----------------------------------------------

png=$T/openipc.png
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
	--user-data-dir="$T/chromium" --window-size=1280,1400 \
	--screenshot="$png" "$OURL" >"$T/chromium.log" 2>&1
is_png() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -gt 20000 ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' ')" = 89504e47 ]; }
ok "Chromium renders the page: a PNG screenshot ($(stat -c %s "$png" 2>/dev/null || echo no) bytes)" is_png "$png"
[ -s "$png" ] || tail -5 "$T/chromium.log"
if [ "${WEBUI_DOC:-0}" = 1 ] && [ -s "$png" ]; then
	cp "$png" Documentation/webui-openipc.png
fi

# ---- NOT ENFORCED, and why -----------------------------------------------

$CTL unload >/dev/null 2>&1
code=$(get "$OURL" "$T/o4.html")
ok "after p2pguardctl unload: NOT ENFORCED, with the reason" has "$T/o4.html" \
	'<span id="p2pg-enforced">NOT ENFORCED</span>' '<p class="mb-0" id="p2pg-why">unloaded by p2pguardctl unload</p>'

[ -n "${WEBUI_DEBUG:-}" ] && cp -r "$T" "$WEBUI_DEBUG"
exit $((fails > 0))
