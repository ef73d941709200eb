# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=sh
# A stand-in for thingino's /var/www/x/auth.sh in the test: require_auth
# lets a request with the session cookie through and answers others as
# thingino does (a browser to the login page, others 401).
require_auth() {
	case "; $HTTP_COOKIE;" in
	*"; thingino_session=p2pguard-test-session;"*) return 0 ;;
	esac
	printf 'Status: 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"error":"Authentication required"}\n'
	exit 0
}
