# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=sh
#
# buildroot.sh - the Buildroot snapshot, for tests/buildroot-check.sh and
# tests/buildroot/image.sh.  POSIX sh; the caller sets $top (the
# repository).
#
#   p2pg_br_snapshot  prints the path of a Buildroot tree: the newest
#                     ../shared/buildroot/buildroot-*.tar.xz beside the
#                     repository, unpacked once into build/ under its own
#                     name.  Returns 1 when there is no snapshot.

p2pg_br_snapshot() {
	_tarball=$(ls "$top"/../shared/buildroot/buildroot-*.tar.xz 2>/dev/null | tail -n 1)
	[ -n "$_tarball" ] || return 1
	_dest=$top/build/$(basename "$_tarball" .tar.xz)
	# Makefile too: check-package alone does not make a tree to build with.
	if [ ! -f "$_dest/buildroot/utils/check-package" ] ||
		[ ! -f "$_dest/buildroot/Makefile" ]; then
		rm -rf "$_dest" && mkdir -p "$_dest" &&
			tar xJf "$_tarball" -C "$_dest" || return 1
	fi
	echo "$_dest/buildroot"
}
