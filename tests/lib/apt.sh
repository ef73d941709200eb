# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=sh
#
# apt.sh - the one way the project's scripts install Debian packages
# (sourced by tests/deps.sh and the test scripts that install what they
# need when run alone).  POSIX sh.
#
#   p2pg_missing PKG...      prints those of PKG... not installed
#   p2pg_apt_install WHO PKG...
#                            installs the missing ones, as root; WHO
#                            prefixes the one line it prints.  Returns
#                            non-zero, with apt's last error on stderr,
#                            when apt fails.
#
# apt waits for the dpkg and list locks (another apt on the machine, such
# as unattended-upgrades) for up to P2PG_APT_LOCK_WAIT seconds instead of
# failing at once, and "apt-get update" runs once an hour at most, however
# many scripts install something in one "make check".

P2PG_APT_LOCK_WAIT=${P2PG_APT_LOCK_WAIT:-600}
P2PG_APT_STAMP=/var/lib/apt/lists/.p2pguard-updated

p2pg_missing() {
	for _p in "$@"; do
		dpkg-query -W -f='${Status}' "$_p" 2>/dev/null |
			grep -q "install ok installed" || printf '%s ' "$_p"
	done
}

# p2pg_apt ARGS...: apt-get with the lock wait; output in $_apt_log.
p2pg_apt() {
	_apt_log=$(mktemp /tmp/p2pguard-apt.XXXXXX) || return 1
	DEBIAN_FRONTEND=noninteractive apt-get -q \
		-o DPkg::Lock::Timeout="$P2PG_APT_LOCK_WAIT" "$@" \
		>"$_apt_log" 2>&1
	_rc=$?
	[ "$_rc" = 0 ] || grep -E '^(E|W):' "$_apt_log" | tail -n 3 >&2
	rm -f "$_apt_log"
	return "$_rc"
}

p2pg_apt_install() {
	_who=$1
	shift
	_need=$(p2pg_missing "$@")
	[ -n "$_need" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "$_who: missing packages: $_need(run as root, or install them)" >&2
		return 1
	fi
	echo "$_who: installing $_need"
	if [ -z "$(find "$P2PG_APT_STAMP" -mmin -60 2>/dev/null)" ]; then
		p2pg_apt update || return 1
		touch "$P2PG_APT_STAMP"
	fi
	# shellcheck disable=SC2086 # a list of package names
	p2pg_apt install -y --no-install-recommends $_need
}
