<%
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A stand-in for microbe-web's p/common.cgi in the test (written for the
# test, not microbe-web's code): the functions the pages of plugin-*.cgi
# call (html_title, redirect_to with a flash message, flash_read).
flash_file=${P2PG_WEBUI_RUN:-/tmp}/flash
pagename=$(basename "$SCRIPT_NAME")
pagename=${pagename%%.*}
html_title() {
	[ -n "$1" ] && printf '%s - ' "$1"
	printf 'OpenIPC'
}
redirect_to() {
	[ -n "$3" ] && printf '%s:%s\n' "$2" "$3" >"$flash_file"
	printf 'HTTP/1.1 303 See Other\r\nContent-type: text/html; charset=UTF-8\r\nCache-Control: no-store\r\nLocation: %s\r\n\r\n' "$1"
	exit 0
}
flash_read() {
	[ -s "$flash_file" ] || return 0
	IFS=: read -r _c _m <"$flash_file"
	printf '<div class="alert alert-%s alert-dismissible fade show" role="alert">%s</div>\n' "$_c" "$_m"
	: >"$flash_file"
}
%>
