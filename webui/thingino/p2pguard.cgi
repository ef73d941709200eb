#!/usr/bin/haserl
<%
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# p2pguard's status page for thingino's web UI, in /var/www/x/: thingino's
# session check (x/auth.sh), its page frame (the navigation and footer
# that navigation.js and footer.js fill in, Bootstrap 5, its stylesheet)
# and the body shared with OpenIPC's page (p2pguard-webui.sh).  Listed in
# the Services menu by /var/www/a/plugins/p2pguard.webui.json.
P2PG_WEBUI_WWW=${P2PG_WEBUI_WWW:-/var/www}
P2PG_WEBUI_AUTH=$P2PG_WEBUI_WWW/x/auth.sh
if [ ! -r "$P2PG_WEBUI_AUTH" ]; then
	printf 'Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nno %s: no session check, no page\n' "$P2PG_WEBUI_AUTH"
	exit 0
fi
. "$P2PG_WEBUI_AUTH"
require_auth
. "${P2PG_WEBUI_LIB:-/usr/share/p2pguard/webui}/p2pguard-webui.sh"

if [ "$REQUEST_METHOD" = "POST" ]; then
	if p2pg_webui_post "$POST_p2p" "$POST_token"; then
		printf 'Status: 303 See Other\r\nLocation: /x/p2pguard.cgi?done=%s\r\nCache-Control: no-store\r\n\r\n' "$POST_p2p"
		exit 0
	fi
	p2pg_webui_refuse
fi
flash=
case $GET_done in
on | off) flash="P2P switched $GET_done." ;;
esac
# Bootstrap from the camera when thingino bundles it (paranoid mode).
if [ -f "$P2PG_WEBUI_WWW/a/vendor/bootstrap.min.css" ]; then
	bs_css=/a/vendor/bootstrap.min.css
	bs_js=/a/vendor/bootstrap.bundle.min.js
else
	bs_css=https://cdn.jsdelivr.net/npm/bootstrap@5.3.8/dist/css/bootstrap.min.css
	bs_js=https://cdn.jsdelivr.net/npm/bootstrap@5.3.8/dist/js/bootstrap.bundle.min.js
fi
%>Content-Type: text/html; charset=UTF-8
Cache-Control: no-store
Pragma: no-cache

<!DOCTYPE html>
<html lang="en" data-bs-theme="dark">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <title>thingino · P2P guard</title>
  <script src="/a/theme-init.js"></script>
  <link rel="icon" type="image/svg+xml" href="/a/favicon.svg">
  <link rel="stylesheet" href="<%= $bs_css %>">
  <link rel="stylesheet" href="/a/main.css">
</head>

<body id="page-p2pguard">
<nav data-app-nav></nav>

<main class="pb-4">
  <div class="container" style="min-height:80vh">
    <div data-app-controls></div>
    <section>
      <h2>P2P guard</h2>
<% p2pg_webui_body "$flash" %>
    </section>
  </div>
</main>

<footer data-app-footer></footer>

<script src="<%= $bs_js %>"></script>
<script src="/a/main.js"></script>
<script src="/a/runtime-config.js"></script>
<script src="/a/control-bar.js"></script>
<script src="/a/navigation.js"></script>
<script src="/a/footer.js"></script>
</body>
</html>
