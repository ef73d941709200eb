# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=sh
#
# p2pguard-webui.sh - what the status pages for OpenIPC's microbe-web and
# thingino's web UI share, sourced by their haserl pages.  BusyBox sh.
#
#   p2pg_webui_token          prints the CSRF token (made once a boot)
#   p2pg_webui_post P2P TOKEN the switch from a POST: P2P is on or off,
#                             TOKEN must be the token.  Sets
#                             p2pg_webui_msg and p2pg_webui_status (the
#                             HTTP status line for a refusal); returns 0
#                             when the switch was set.
#   p2pg_webui_refuse         answers with p2pg_webui_status, p2pg_webui_msg
#                             as text/plain, and exits
#   p2pg_webui_body [FLASH]   prints the page's body (HTML)
#
# Everything shown comes from "p2pguardctl ... --json", read by
# p2pguard-webui.awk: no value of it reaches eval or an unquoted word, and
# every string is HTML-escaped there.  Settings (set by the firmware's
# start-up, never by a request):
#   P2PG_WEBUI_CTL   p2pguardctl            (/usr/sbin/p2pguardctl)
#   P2PG_WEBUI_CONF  its configuration      (/etc/p2pguard.conf)
#   P2PG_WEBUI_RUN   the token's directory  (/var/run/p2pguard-webui;
#                    tmpfs, so a new token each boot)
#   P2PG_WEBUI_LIB   this file's directory  (/usr/share/p2pguard/webui)

P2PG_WEBUI_CTL=${P2PG_WEBUI_CTL:-/usr/sbin/p2pguardctl}
P2PG_WEBUI_CONF=${P2PG_WEBUI_CONF:-/etc/p2pguard.conf}
P2PG_WEBUI_RUN=${P2PG_WEBUI_RUN:-/var/run/p2pguard-webui}
P2PG_WEBUI_LIB=${P2PG_WEBUI_LIB:-/usr/share/p2pguard/webui}
p2pg_webui_msg=
p2pg_webui_status=

p2pg_webui_ctl() {
	"$P2PG_WEBUI_CTL" --config "$P2PG_WEBUI_CONF" "$@"
}

p2pg_webui_awk() {
	awk -f "$P2PG_WEBUI_LIB/p2pguard-webui.awk" "$@"
}

# p2pg_webui_status_get KEY: a top-level value of "status --json".
p2pg_webui_status_get() {
	p2pg_webui_ctl status --json 2>/dev/null |
		P2PG_W_KEY=$1 p2pg_webui_awk -v mode=get
}

# The token: 32 hex digits from /dev/urandom in a root-only file of a
# root-only directory, made by the first request after boot.
p2pg_webui_token() {
	_d=$P2PG_WEBUI_RUN
	(umask 077 && mkdir -p "$_d") || return 1
	# Ours alone: not a link, not someone else's, nobody else may enter.
	if [ -L "$_d" ] || [ ! -O "$_d" ]; then
		echo "p2pguard-webui: $_d is not a directory of our own" >&2
		return 1
	fi
	chmod 700 "$_d" || return 1
	if [ ! -s "$_d/token" ]; then
		_t=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
		[ ${#_t} = 32 ] || return 1
		(umask 077 && printf '%s\n' "$_t" >"$_d/token.$$" &&
			mv -f "$_d/token.$$" "$_d/token") || return 1
	fi
	_t=$(cat "$_d/token") || return 1
	case $_t in
	*[!0-9a-f]* | "") return 1 ;;
	esac
	[ ${#_t} = 32 ] || return 1
	printf '%s\n' "$_t"
}

# p2pg_webui_set_file FILE KEY on|off: KEY's value in the settings file,
# written the way settings daemons save (a new file renamed over), in the
# style of the value it had (1/0, true/false, yes/no, on/off, enabled/
# disabled, enable/disable; quotes and the rest of the line kept).  FILE
# and KEY come from p2pguard's configuration, never from the request.
p2pg_webui_set_file() {
	case $1 in
	/*) ;;
	*) p2pg_webui_msg="the settings file is no absolute path" && return 1 ;;
	esac
	[ -f "$1" ] || { p2pg_webui_msg="the settings file is missing" && return 1; }
	_tmp=$1.p2pguard-webui.$$
	cp -p "$1" "$_tmp" || { p2pg_webui_msg="cannot write beside the settings file" && return 1; }
	if ! P2PG_W_KEY=$2 P2PG_W_ON=$3 awk '
		function style(v, on,    l) {
			l = tolower(v)
			if (l == "1" || l == "0") return on ? "1" : "0"
			if (l == "yes" || l == "no") return on ? "yes" : "no"
			if (l == "on" || l == "off") return on ? "on" : "off"
			if (l == "enabled" || l == "disabled") return on ? "enabled" : "disabled"
			if (l == "enable" || l == "disable") return on ? "enable" : "disable"
			return on ? "true" : "false"
		}
		BEGIN { key = ENVIRON["P2PG_W_KEY"]; on = ENVIRON["P2PG_W_ON"] == "on" }
		{
			line = $0
			# [blanks][export ]KEY[blanks](=|:)[blanks]VALUE[rest]
			if (match(line, /^[ \t]*(export[ \t]+)?[^ \t=:#]+[ \t]*[=:][ \t]*/)) {
				head = substr(line, 1, RLENGTH)
				k = head
				sub(/^[ \t]*(export[ \t]+)?/, "", k)
				sub(/[ \t]*[=:][ \t]*$/, "", k)
				if (k == key) {
					rest = substr(line, RLENGTH + 1)
					q = substr(rest, 1, 1)
					if (q == "\"" || q == "\047") {
						v = substr(rest, 2)
						e = index(v, q)
						tail = e ? substr(v, e + 1) : ""
						v = e ? substr(v, 1, e - 1) : v
					} else {
						match(rest, /^[^ \t#]*/)
						v = substr(rest, 1, RLENGTH)
						tail = substr(rest, RLENGTH + 1)
						q = ""
					}
					line = head q style(v, on) q tail
					found = 1
				}
			}
			print line
		}
		END { if (!found) print key "=" style("1", on) }
	' "$1" >"$_tmp" || ! mv -f "$_tmp" "$1"; then
		rm -f "$_tmp"
		p2pg_webui_msg="cannot write the settings file"
		return 1
	fi
}

p2pg_webui_post() {
	p2pg_webui_status="403 Forbidden"
	_tok=$(p2pg_webui_token) || {
		p2pg_webui_status="500 Internal Server Error"
		p2pg_webui_msg="no CSRF token: cannot use $P2PG_WEBUI_RUN"
		return 1
	}
	# The token first: nothing of a forged request is looked at.
	case $2 in
	*[!0-9a-f]* | "")
		p2pg_webui_msg="refused: no valid CSRF token"
		return 1
		;;
	esac
	if [ "$2" != "$_tok" ]; then
		p2pg_webui_msg="refused: wrong CSRF token"
		return 1
	fi
	case $1 in
	on | off) ;;
	*)
		p2pg_webui_status="400 Bad Request"
		p2pg_webui_msg="refused: p2p must be on or off"
		return 1
		;;
	esac
	p2pg_webui_status="500 Internal Server Error"
	case $(p2pg_webui_status_get source) in
	state)
		if ! _out=$(p2pg_webui_ctl p2p "$1" 2>&1); then
			p2pg_webui_msg="p2pguardctl p2p $1 failed: $_out"
			return 1
		fi
		;;
	file)
		_file=$(p2pg_webui_status_get source_detail)
		# The key is no part of the status: p2pguard's configuration.
		_key=$(awk '/^[ \t]*key[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t\r]+$/, "", v) } END { print v }' "$P2PG_WEBUI_CONF")
		if [ -z "$_file" ] || [ -z "$_key" ]; then
			p2pg_webui_msg="source = file without a file or key"
			return 1
		fi
		p2pg_webui_set_file "$_file" "$_key" "$1" || return 1
		;;
	command)
		p2pg_webui_status="409 Conflict"
		p2pg_webui_msg="the switch is read by a command: change it where the firmware keeps it"
		return 1
		;;
	*)
		p2pg_webui_msg="p2pguardctl status names no switch source"
		return 1
		;;
	esac
	p2pg_webui_status=
	p2pg_webui_msg="P2P switched $1."
	return 0
}

p2pg_webui_refuse() {
	printf 'Status: %s\r\nContent-Type: text/plain; charset=UTF-8\r\nCache-Control: no-store\r\n\r\n%s\n' \
		"${p2pg_webui_status:-403 Forbidden}" "$p2pg_webui_msg"
	exit 0
}

p2pg_webui_body() {
	_tok=$(p2pg_webui_token) || _tok=
	{
		echo "#status"
		p2pg_webui_ctl status --json 2>&1
		echo "#stats"
		p2pg_webui_ctl stats --json 2>&1
		echo "#events"
		p2pg_webui_ctl events --json 2>&1
	} | P2PG_W_NOW=$(date +%s) P2PG_W_TOKEN=$_tok P2PG_W_FLASH=${1:-} \
		p2pg_webui_awk
}
