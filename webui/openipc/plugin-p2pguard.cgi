#!/usr/bin/haserl
<%in p/common.cgi %>
<%
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# p2pguard's status page for OpenIPC's microbe-web, in /var/www/cgi-bin/:
# listed under Services by the plugin-*.cgi convention, in microbe-web's
# header and footer.  The logic is shared with thingino's page
# (p2pguard-webui.sh); haserl hands the POST over as POST_ variables.
plugin="p2pguard"
plugin_name="P2P guard"
page_title="P2P guard"
. "${P2PG_WEBUI_LIB:-/usr/share/p2pguard/webui}/p2pguard-webui.sh"

if [ "$REQUEST_METHOD" = "POST" ]; then
	if p2pg_webui_post "$POST_p2p" "$POST_token"; then
		redirect_to "plugin-p2pguard.cgi" "success" "$p2pg_webui_msg"
	fi
	p2pg_webui_refuse
fi
%>
<%in p/header.cgi %>
<% p2pg_webui_body %>
<%in p/footer.cgi %>
