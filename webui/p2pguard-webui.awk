# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# p2pguard-webui.awk - the JSON of p2pguardctl read without eval, and the
# status page's body written from it.  BusyBox awk, mawk and gawk.
#
# Input: sections, each started by a line of its own:
#   #status   the output of "p2pguardctl status --json" (one object)
#   #stats    the output of "p2pguardctl stats --json" (one object)
#   #events   the output of "p2pguardctl events --json" (an object a line)
# A line of a section that is no JSON (p2pguardctl's error on stderr) is
# shown as a note, escaped like everything else.
#
# Modes (awk -v mode=...):
#   page   (default) the HTML of the page's body.  From the environment
#          (ENVIRON, so nothing is unescaped on the way):
#          P2PG_W_NOW (seconds since the epoch), P2PG_W_TOKEN (the CSRF
#          token, hex), P2PG_W_FLASH (a message of the page's own).
#   get    the value of the top-level key P2PG_W_KEY of the first object,
#          unescaped, on one line (a value with a line break: nothing).
#   dump   every value as "path<TAB>value", path parts joined by "/",
#          strings HTML-escaped (what the tests look at).
#
# Every string that came from JSON goes through html() before it is
# printed; numbers are printed with printf "%d".

BEGIN {
	if (mode == "")
		mode = "page"
	sec = ""
	nerr = 0
	nev = 0
	RECENT = 20
	TOPN = 10
	now = ENVIRON["P2PG_W_NOW"] + 0
	family["cs2-pppp"] = "CS2 Network PPPP"
	family["cs2-pppp-scrambled"] = "CS2 PPPP, scrambled"
	family["ilnkp2p"] = "iLnkP2P"
	family["tutk-kalay"] = "ThroughTek TUTK / Kalay"
	family["reolink-bcudp"] = "Reolink BCUDP"
	family["dahua-p2p"] = "Dahua P2P"
	family["gwell-iotvideo"] = "Gwell IoTVideo"
	family["stun-turn"] = "STUN / TURN"
	family["xiongmai-cloud"] = "Xiongmai cloud"
	family["rendezvous-port"] = "Rendezvous ports"
	family["dns-deny-name"] = "Rendezvous DNS names"
	family["deny-prefix"] = "Denied addresses"
	family["upnp-igd-search"] = "UPnP IGD discovery"
	family["upnp-add-port-mapping"] = "UPnP port mapping"
	family["nat-pmp-pcp"] = "NAT-PMP / PCP"
	family["agent"] = "Vendor agent cgroup"
	family["lockdown"] = "Lockdown"
	family["unjudgeable"] = "Unjudgeable"
}

# ---- JSON -------------------------------------------------------------

# The text still to parse is S; values land in J[path], path parts joined
# by SUBSEP; JN[path] counts the members of an object or array and
# JK[path, i] names the i-th member of an object.
function jws(    c) {
	c = substr(S, 1, 1)
	if (c == " " || c == "\t" || c == "\r" || c == "\n")
		sub(/^[ \t\r\n]+/, "", S)
}

# A JSON string at the start of S, unescaped into V (see junescape()).
# Its end is the first quote after an even number of backslashes.
function jstr(    i, n, bs, raw, rest) {
	if (substr(S, 1, 1) != "\"")
		return 0
	rest = substr(S, 2)
	raw = ""
	for (;;) {
		i = index(rest, "\"")
		if (!i)
			return 0
		raw = raw substr(rest, 1, i - 1)
		rest = substr(rest, i + 1)
		n = length(raw)
		for (bs = 0; bs < n && substr(raw, n - bs, 1) == "\\"; bs++)
			;
		if (bs % 2 == 0)
			break
		raw = raw "\""
	}
	V = junescape(raw)
	S = rest
	return 1
}

# Unescape a JSON string.  Control characters (which p2pguardctl writes
# as \u00XX) become the visible text "\xXX", as p2pguardctl shows them
# on a terminal; U+FFFD (its mark for bad UTF-8) stays itself; any other
# \u escape of a non-ASCII character becomes "?".  Raw control bytes,
# never written by p2pguardctl, become "?" too.
function junescape(s,    out, i, c, h, cp) {
	gsub(/[\001-\037\177]/, "?", s)
	if (index(s, "\\") == 0)
		return s
	out = ""
	while ((i = index(s, "\\")) > 0) {
		out = out substr(s, 1, i - 1)
		c = substr(s, i + 1, 1)
		s = substr(s, i + 2)
		if (c == "n" || c == "r" || c == "t" || c == "b" || c == "f") {
			out = out "\\x" (c == "n" ? "0a" : c == "r" ? "0d" : c == "t" ? "09" : c == "b" ? "08" : "0c")
		} else if (c == "u" && match(s, /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]/)) {
			h = tolower(substr(s, 1, 4))
			s = substr(s, 5)
			cp = hexval(h)
			if (cp < 32 || (cp >= 127 && cp < 160))
				out = out "\\x" substr(h, 3, 2)
			else if (cp < 127)
				out = out sprintf("%c", cp)
			else if (h == "fffd")
				out = out "\357\277\275"
			else
				out = out "?"
		} else if (c == "u") {
			out = out "?"
		} else {
			out = out c	# \" \\ \/
		}
	}
	return out s
}

function hexval(h,    i, n) {
	n = 0
	for (i = 1; i <= length(h); i++)
		n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
	return n
}

# One JSON value at the start of S, stored under path p.
function jval(p,    c, c2, n, k) {
	jws()
	c = substr(S, 1, 1)
	if (c == "{" || c == "[") {
		S = substr(S, 2)
		JN[p] = 0
		jws()
		if (substr(S, 1, 1) == (c == "{" ? "}" : "]")) {
			S = substr(S, 2)
			return 1
		}
		for (n = 1; ; n++) {
			jws()
			if (c == "{") {
				if (!jstr())
					return 0
				k = V
				jws()
				if (substr(S, 1, 1) != ":")
					return 0
				S = substr(S, 2)
				JK[p, n] = k
			} else {
				k = n
			}
			JN[p] = n
			if (!jval(p == "" ? k : p SUBSEP k))
				return 0
			jws()
			c2 = substr(S, 1, 1)
			S = substr(S, 2)
			if (c2 == (c == "{" ? "}" : "]"))
				return 1
			if (c2 != ",")
				return 0
		}
	}
	if (c == "\"") {
		if (!jstr())
			return 0
		J[p] = V
		JT[p] = "s"
		return 1
	}
	if (match(S, /^(-?[0-9][0-9.eE+-]*|true|false|null)/)) {
		J[p] = substr(S, 1, RLENGTH)
		JT[p] = "n"
		S = substr(S, RLENGTH + 1)
		return 1
	}
	return 0
}

# Parse line into J (emptied first).  Return: 1 a whole JSON value, 0 not.
function jparse(line) {
	split("", J)
	split("", JT)
	split("", JN)
	split("", JK)
	S = line
	if (!jval(""))
		return 0
	jws()
	return S == ""
}

# The event log's lines as p2pguardd writes them, read in a few steps
# rather than a token at a time (BusyBox awk is slow, a full log holds
# some 3000 lines); any other line takes jparse().  All but the name and
# the process are checked to hold no quote or backslash; the name must
# hold neither (p2pguardd replaces them), the process is read by jstr().
function evfast(line,    f, rest, i) {
	if (!match(line, /^\{"ts":[0-9]+,"action":"[a-z-]*","reason":"[a-z0-9-]*","proto":"[a-z0-9]*","dst":"[0-9a-fA-F.:?]*","port":[0-9]+,"uid":[0-9]+,"cgroup":[0-9]+,"name":"/))
		return 0
	split(substr(line, 1, RLENGTH), f, "\"")
	rest = substr(line, RLENGTH + 1)
	i = index(rest, "\",\"process\":\"")
	if (!i || index(substr(rest, 1, i - 1), "\\"))
		return 0
	S = substr(rest, i + 12)
	if (!jstr() || S != "}")
		return 0
	split("", J)
	J["process"] = V
	J["name"] = substr(rest, 1, i - 1)
	J["ts"] = substr(f[3], 2, length(f[3]) - 2)
	J["action"] = f[6]
	J["reason"] = f[10]
	J["proto"] = f[14]
	J["dst"] = f[18]
	J["port"] = substr(f[21], 2, length(f[21]) - 2)
	return 1
}

# ---- HTML -------------------------------------------------------------

function html(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s)
	gsub(/'/, "\\&#39;", s)
	return s
}

function num(s) {
	return (s ~ /^[0-9]+$/) ? s + 0 : 0
}

function count(n) {
	return sprintf("%d", n)
}

function when(ts) {
	return strftime("%Y-%m-%d %H:%M:%S", ts + 0)
}

function dest(dst, port) {
	if (index(dst, ":"))
		return "[" html(dst) "]:" sprintf("%d", port)
	return html(dst) ":" sprintf("%d", port)
}

# ---- input ------------------------------------------------------------

/^#(status|stats|events)$/ {
	sec = substr($0, 2)
	next
}

mode == "dump" {
	if (jparse($0))
		dump("")
	next
}

mode == "get" {
	if (done_get)
		next
	done_get = 1
	if (jparse($0) && ((ENVIRON["P2PG_W_KEY"]) in J))
		print J[ENVIRON["P2PG_W_KEY"]]
	next
}

sec == "status" {
	if (!jparse($0)) {
		err[++nerr] = "p2pguardctl status: " $0
		next
	}
	have_status = 1
	for (k in J)
		ST[k] = J[k]
	next
}

sec == "stats" {
	if (!jparse($0) || !(("reasons") in JN)) {
		err[++nerr] = "p2pguardctl stats: " $0
		next
	}
	have_stats = 1
	for (i = 1; i <= JN["reasons"]; i++) {
		r = JK["reasons", i]
		R[i] = r
		RP[r] = num(J["reasons", r, "packets"])
		RD[r] = num(J["reasons", r, "drop_packets"])
		RB[r] = num(J["reasons", r, "drop_bytes"])
	}
	nr = JN["reasons"]
	next
}

sec == "events" {
	if (!evfast($0) && (!jparse($0) || !(("ts") in J))) {
		err[++nerr] = "p2pguardctl events: " $0
		next
	}
	event()
	next
}

function dump(p,    i, k, q) {
	if (p in JN) {
		for (i = 1; i <= JN[p]; i++) {
			k = ((p, i) in JK) ? JK[p, i] : i
			q = p == "" ? k : p SUBSEP k
			dump(q)
		}
		return
	}
	k = p
	gsub(SUBSEP, "/", k)
	print html(k) "\t" (JT[p] == "s" ? html(J[p]) : J[p])
}

# One event: the recent ring, the destinations, the minute it fell in.
function event(    ts, key, proc, rest, m) {
	ts = num(J["ts"])
	nev++
	EV[nev % RECENT, "ts"] = ts
	EV[nev % RECENT, "action"] = J["action"]
	EV[nev % RECENT, "proto"] = J["proto"]
	EV[nev % RECENT, "dst"] = J["dst"]
	EV[nev % RECENT, "port"] = num(J["port"])
	EV[nev % RECENT, "reason"] = J["reason"]
	EV[nev % RECENT, "name"] = J["name"]
	EV[nev % RECENT, "process"] = J["process"]
	if (J["action"] == "blocked")
		nblocked++
	key = J["dst"] SUBSEP num(J["port"]) SUBSEP J["reason"] SUBSEP J["name"]
	if (!(key in TOP)) {
		TOP[key] = 0
		TK[++ntop] = key
	}
	TOP[key]++
	# "comm[pid]", or several separated by blanks: the names without
	# their [pid], one name however often it restarted.
	rest = J["process"]
	while (rest != "") {
		if (match(rest, /\[[0-9]+\]( |$)/)) {
			proc = substr(rest, 1, RSTART - 1)
			rest = substr(rest, RSTART + RLENGTH)
		} else {
			proc = rest
			rest = ""
		}
		if (proc != "" && !((key, proc) in TP)) {
			TP[key, proc] = 1
			TPN[key]++
			if (TPN[key] <= 3)
				TPL[key] = TPL[key] (TPN[key] > 1 ? ", " : "") "<code>" html(proc) "</code>"
		}
	}
	if (now && ts > now - 3600 && ts <= now) {
		m = int((now - ts) / 60)
		if (m > 59)
			m = 59
		if (J["action"] == "blocked")
			MIN[59 - m]++
		else
			MINW[59 - m]++
		hour_n++
	}
}

# ---- page -------------------------------------------------------------

END {
	if (mode != "page")
		exit 0
	print "<div id=\"p2pguard\" class=\"p2pguard\">"
	if (ENVIRON["P2PG_W_FLASH"] != "")
		print "<div class=\"alert alert-success\" role=\"alert\" id=\"p2pg-flash\">" html(ENVIRON["P2PG_W_FLASH"]) "</div>"
	for (i = 1; i <= nerr; i++)
		print "<div class=\"alert alert-warning p2pg-note\"><code>" html(err[i]) "</code></div>"
	state()
	print "<div class=\"row g-4 mb-4\">"
	print "<div class=\"col-12 col-lg-4\">"
	switch_card()
	print "</div>"
	print "<div class=\"col-12 col-lg-8\">"
	plot()
	print "</div>"
	print "</div>"
	print "<div class=\"row g-4 mb-4\">"
	print "<div class=\"col-12 col-xl-5\">"
	counters()
	print "</div>"
	print "<div class=\"col-12 col-xl-7\">"
	top()
	print "</div>"
	print "</div>"
	recent()
	print "</div>"
}

function state(    ok, why) {
	ok = have_status && ST["enforced"] == "true"
	why = ST["reason"]
	if (!have_status)
		why = "p2pguardctl status gave no answer"
	print "<div class=\"alert " (ok ? "alert-success" : "alert-danger") "\" id=\"p2pg-state\">"
	print "<h3 class=\"alert-heading mb-1\"><span id=\"p2pg-enforced\">" (ok ? "ENFORCED" : "NOT ENFORCED") "</span></h3>"
	if (ok && ST["p2p"] == "off" && ST["mode"] == "audit")
		print "<p class=\"mb-0\">P2P is off, in audit mode: P2P traffic is counted and logged as <em>would-block</em>, not dropped.</p>"
	else if (ok && ST["p2p"] == "off")
		print "<p class=\"mb-0\">P2P is off and the kernel drops vendor P2P traffic from this camera.</p>"
	else if (ok)
		print "<p class=\"mb-0\">The kernel holds the switch. P2P is on: vendor P2P traffic is allowed and counted.</p>"
	else
		print "<p class=\"mb-0\" id=\"p2pg-why\">" html(why) "</p>"
	print "</div>"
}

function row(label, value) {
	print "<dt class=\"col-5\">" label "</dt><dd class=\"col-7\">" value "</dd>"
}

function switch_card(    p2p, src, on) {
	p2p = ST["p2p"]
	src = ST["source"]
	on = p2p == "on"
	print "<div class=\"card h-100\"><div class=\"card-header\"><h5 class=\"card-title mb-0\">P2P switch</h5></div><div class=\"card-body\">"
	print "<p class=\"fs-4\">P2P is <span id=\"p2pg-p2p\" class=\"badge " (on ? "text-bg-warning" : p2p == "off" ? "text-bg-success" : "text-bg-secondary") "\">" html(p2p == "" ? "unknown" : p2p) "</span></p>"
	if (src == "command") {
		print "<p class=\"small text-body-secondary\">The switch is read by a command of the firmware (<code>" html(ST["source_detail"]) "</code>): change it where the firmware keeps it.</p>"
	} else if (src == "state" || src == "file") {
		print "<form method=\"post\" id=\"p2pg-switch\" class=\"mb-3\">"
		print "<input type=\"hidden\" name=\"token\" value=\"" html(ENVIRON["P2PG_W_TOKEN"]) "\">"
		print "<input type=\"hidden\" name=\"p2p\" value=\"" (on ? "off" : "on") "\">"
		print "<button type=\"submit\" class=\"btn " (on ? "btn-primary" : "btn-outline-danger") "\">" (on ? "Turn P2P off" : "Turn P2P on") "</button>"
		print "</form>"
	}
	print "<dl class=\"row small mb-0\">"
	row("Daemon", html(ST["daemon"]))
	row("Backend", html(ST["backend"]) (ST["attach"] != "" && ST["attach"] != "none" ? " (" html(ST["attach"]) ")" : ""))
	row("Mode", html(ST["mode"]) (ST["lockdown"] == "on" ? ", lockdown" : ""))
	row("Switch from", html(src) (ST["source_detail"] != "" ? " <code>" html(ST["source_detail"]) "</code>" : ""))
	if (ST["source_status"] != "" && ST["source_status"] != "ok")
		row("Source", "<span class=\"text-danger\">" html(ST["source_status"]) "</span>")
	if (num(ST["applied"]))
		row("Applied", when(ST["applied"]))
	row("Generation", sprintf("%d", num(ST["generation"])))
	print "</dl></div></div>"
}

# A row for each family that counted packets; the others named below.
function counters(    i, r, label, tp, td, quiet) {
	print "<div class=\"card h-100\"><div class=\"card-header\"><h5 class=\"card-title mb-0\">Counters per SDK family</h5></div><div class=\"card-body\">"
	if (!have_stats) {
		print "<p class=\"text-body-secondary\">No counters.</p></div></div>"
		return
	}
	print "<table class=\"table table-sm mb-2\" id=\"p2pg-counters\"><thead><tr><th>Family</th><th class=\"text-end\">Packets</th><th class=\"text-end\">Dropped</th><th class=\"text-end\">Dropped bytes</th></tr></thead><tbody>"
	quiet = ""
	for (i = 1; i <= nr; i++) {
		r = R[i]
		if (r == "none" || r == "not-ip")
			continue
		label = (r in family) ? family[r] : html(r)
		if (!RP[r]) {
			quiet = quiet (quiet == "" ? "" : ", ") label
			continue
		}
		print "<tr data-reason=\"" html(r) "\"><td title=\"" html(r) "\">" label "</td><td class=\"text-end\">" count(RP[r]) "</td><td class=\"text-end\">" count(RD[r]) "</td><td class=\"text-end\">" count(RB[r]) "</td></tr>"
		tp += RP[r]
		td += RD[r]
	}
	print "</tbody><tfoot><tr class=\"fw-bold\"><td>All P2P</td><td class=\"text-end\">" count(tp) "</td><td class=\"text-end\" id=\"p2pg-dropped\">" count(td) "</td><td></td></tr></tfoot></table>"
	if (quiet != "")
		print "<p class=\"small text-body-secondary mb-0\" id=\"p2pg-quiet\">Nothing counted: " quiet ".</p>"
	print "</div></div>"
}

function top(    i, j, b, k, n, used, p) {
	print "<div class=\"card h-100\"><div class=\"card-header\"><h5 class=\"card-title mb-0\">Destinations blocked most</h5></div><div class=\"card-body\">"
	if (!ntop) {
		print "<p class=\"text-body-secondary mb-0\">No drop events.</p></div></div>"
		return
	}
	print "<table class=\"table table-sm mb-0\" id=\"p2pg-top\"><thead><tr><th class=\"text-end\">Events</th><th>Destination</th><th>Name</th><th>Reason</th><th>Processes</th></tr></thead><tbody>"
	for (i = 1; i <= TOPN && i <= ntop; i++) {
		b = 0
		for (j = 1; j <= ntop; j++)
			if (!(j in used) && (!b || TOP[TK[j]] > TOP[TK[b]]))
				b = j
		used[b] = 1
		k = TK[b]
		split(k, p, SUBSEP)
		print "<tr><td class=\"text-end\">" count(TOP[k]) "</td><td><code>" dest(p[1], p[2]) "</code></td><td>" (p[4] != "" ? "<code>" html(p[4]) "</code>" : "") "</td><td>" html(p[3]) "</td><td>" TPL[k] (TPN[k] > 3 ? " and " (TPN[k] - 3) " more" : "") "</td></tr>"
	}
	print "</tbody></table></div></div>"
}

# Drops a minute over the last hour: 60 bars, blocked in red on top of
# would-block (audit) in grey.  Inline SVG, no script.
function plot(    i, max, x, h, hw, y, W, H, top_, bw) {
	W = 600
	H = 140
	top_ = 10
	bw = W / 60
	max = 0
	for (i = 0; i < 60; i++)
		if (MIN[i] + MINW[i] > max)
			max = MIN[i] + MINW[i]
	print "<div class=\"card h-100\"><div class=\"card-header\"><h5 class=\"card-title mb-0\">Drops over the last hour</h5></div><div class=\"card-body\">"
	printf "<svg id=\"p2pg-plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" aria-label=\"%d drop events in the last hour\">\n", W, H + 20, hour_n
	printf "<title>%d drop events in the last hour, a bar a minute</title>\n", hour_n
	printf "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#adb5bd\" stroke-width=\"1\"/>\n", H, W, H
	for (i = 0; i < 60; i++) {
		if (!(MIN[i] + MINW[i]))
			continue
		x = i * bw + 1
		hw = int((H - top_) * MINW[i] / max + 0.5)
		h = int((H - top_) * MIN[i] / max + 0.5)
		if (MIN[i] && h < 2)
			h = 2
		if (MINW[i] && hw < 2)
			hw = 2
		if (MINW[i])
			printf "<rect class=\"p2pg-would\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#adb5bd\"><title>%d would-block</title></rect>\n", x, H - hw, bw - 2, hw, MINW[i]
		if (MIN[i])
			printf "<rect class=\"p2pg-bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#dc3545\"><title>%d dropped, %d min ago</title></rect>\n", x, H - hw * (MINW[i] > 0) - h, bw - 2, h, MIN[i], 59 - i
	}
	printf "<text x=\"0\" y=\"%d\" font-size=\"11\" fill=\"#6c757d\">60 min ago</text>\n", H + 15
	printf "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#6c757d\" text-anchor=\"middle\">30 min</text>\n", W / 2, H + 15
	printf "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#6c757d\" text-anchor=\"end\">now</text>\n", W, H + 15
	if (max)
		printf "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#6c757d\" text-anchor=\"end\">%d a minute</text>\n", W, top_, max
	print "</svg>"
	printf "<p class=\"small text-body-secondary mb-0\">%d events in the last hour; %d in the event log.</p>\n", hour_n, nev
	print "</div></div>"
}

function recent(    i, k, n, first) {
	print "<div class=\"card mb-4\"><div class=\"card-header\"><h5 class=\"card-title mb-0\">Recent drop events</h5></div><div class=\"card-body\">"
	if (!nev) {
		print "<p class=\"text-body-secondary mb-0\">No drop events.</p></div></div>"
		return
	}
	print "<div class=\"table-responsive\"><table class=\"table table-sm table-striped mb-0\" id=\"p2pg-events\"><thead><tr><th>Time</th><th>Action</th><th>Destination</th><th>Name</th><th>Reason</th><th>Process</th></tr></thead><tbody>"
	first = nev - RECENT + 1
	if (first < 1)
		first = 1
	for (n = nev; n >= first; n--) {
		k = n % RECENT
		print "<tr><td class=\"text-nowrap\">" when(EV[k, "ts"]) "</td><td>" (EV[k, "action"] == "blocked" ? "<span class=\"badge text-bg-danger\">blocked</span>" : "<span class=\"badge text-bg-secondary\">" html(EV[k, "action"]) "</span>") "</td><td><code>" html(EV[k, "proto"]) " " dest(EV[k, "dst"], EV[k, "port"]) "</code></td><td>" (EV[k, "name"] != "" ? "<code>" html(EV[k, "name"]) "</code>" : "") "</td><td>" html(EV[k, "reason"]) "</td><td><code class=\"p2pg-proc\">" html(EV[k, "process"]) "</code></td></tr>"
	}
	print "</tbody></table></div></div></div>"
}
