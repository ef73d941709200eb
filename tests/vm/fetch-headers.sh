#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Download the build trees for external modules (p2pguard.ko) that match
# the kernels tests/vm/fetch.sh caches: Debian's linux-headers-ABI-FLAVOUR,
# linux-headers-ABI-common and linux-kbuild-VER of exactly the image's
# version (the module's vermagic and symbol CRCs must be the booted
# kernel's).  Nothing is installed: a private apt state and "apt-get
# download", then "dpkg-deb -x" into the cache, and the absolute paths the
# packages assume (/usr/src/...) turned into relative ones.  The kbuild
# tools (fixdep, modpost, objtool) run on this machine, so they are always
# the amd64 build of linux-kbuild, for an armhf kernel too.
#
# Usage: tests/vm/fetch-headers.sh CACHE ARCH SUITE...
#   as tests/vm/fetch.sh.  Prints, per suite, "SUITE KDIR": then
#     make -C KDIR M=MODULE-DIR modules
#   (for armhf: ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf-) builds a
#   module for that kernel.  A tree already unpacked is not fetched again.
#
#        tests/vm/fetch-headers.sh CACHE --checkpatch
#   scripts/checkpatch.pl and the files it reads (spelling.txt,
#   const_structs.checkpatch) from Debian's linux-source-6.1, unpacked
#   once into CACHE/checkpatch-VERSION/scripts; prints "checkpatch PATH".
#   Only those three files are kept of the 140 MB package.
#
# As root, a missing cross compiler for armhf (gcc-arm-linux-gnueabihf) is
# installed, as tests/cross/fetch-sysroot.sh does.
set -eu

die() { echo "vm-fetch-headers: $*" >&2; exit 1; }
[ $# -ge 3 ] || [ "${2:-}" = --checkpatch ] ||
	die "usage: $0 CACHE ARCH SUITE... | $0 CACHE --checkpatch"
cache=$1 arch=$2
shift 2
case $arch in
amd64)	flavour=amd64 cross="" ;;
armhf)	flavour=armmp cross=arm-linux-gnueabihf- ;;
arm64)	flavour=arm64 cross=aarch64-linux-gnu- ;;
mipsel)	flavour=4kc-malta cross=mipsel-linux-gnu- ;;
--checkpatch) cross="" ;;
*)	die "$arch: amd64, armhf, arm64 or mipsel" ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)

. "$here/../lib/apt.sh"
# need CMD PACKAGE: install PACKAGE on this machine when CMD is missing.
need() {
	command -v "$1" >/dev/null && return 0
	[ "$(id -u)" = 0 ] || die "no $1 (run as root, or install $2)"
	p2pg_apt_install vm-fetch-headers "$2" >&2 || die "could not install $2"
}
[ -z "$cross" ] || need "${cross}gcc" "gcc-${cross%-}"

# A private apt state of its own, for both architectures: the headers of
# the target's, linux-kbuild of the build machine's (amd64).
apt=$cache/apt-headers
mkdir -p "$apt/lists/partial"
: > "$apt/status"
for s in bullseye bookworm bookworm-backports; do
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main"
done > "$apt/sources.list"
O="-q -o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null
-o Dir::State::Lists=$apt/lists -o Dir::State::status=$apt/status
-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
-o APT::Architecture=amd64 -o APT::Architectures=amd64,armhf,arm64,mipsel
-o APT::Sandbox::User=root"

updated=0
update() {
	[ "$updated" = 1 ] && return 0
	# shellcheck disable=SC2086
	apt-get $O update >"$apt/update.log" 2>&1 ||
		grep -q 'Reading package lists' "$apt/update.log" ||
		die "apt-get update failed: $(tail -3 "$apt/update.log")"
	updated=1
}

# field PKG:ARCH=VERSION FIELD: one field of that version's record.
field() {
	# shellcheck disable=SC2086
	apt-cache $O show "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -1
}

# versions PKG:ARCH: every version the index has, one a line.
versions() {
	# shellcheck disable=SC2086
	apt-cache $O show "$1" 2>/dev/null | sed -n 's/^Version: //p'
}

# fix_tree DIR: make the unpacked tree work where it is.
fix_tree() {
	d=$1
	# Links into / (lib/modules/*/build) are not needed; any other
	# absolute link is made relative, inside DIR.
	rm -rf "$d/lib/modules"
	find "$d" -type l -lname '/*' | while read -r l; do
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" \
			"$d$(readlink "$l")")" "$l"
	done
	# The flavour's Makefile includes the common one by its absolute
	# path: relative to the Makefile instead ("make -C KDIR").
	for mk in "$d"/usr/src/linux-headers-*/Makefile; do
		sed -i 's|^include /usr/src/\(linux-headers-[^/]*\)/Makefile$|include $(dir $(lastword $(MAKEFILE_LIST)))../\1/Makefile|' "$mk"
	done
	# The compiler Debian built with (gcc-10 for bullseye) may be gone
	# from this machine: the default one, which the kernel's Makefile
	# then takes (Debian's headers skip the version check).
	kv=$kdir/.kernelvariables
	cc=$(sed -n 's/^CC = .*)\([^ ()]*gcc-[0-9]*\)$/\1/p' "$kv")
	if [ -n "$cc" ] && ! command -v "$cross$cc" >/dev/null; then
		sed -i 's/^\(CC = .*\)gcc-[0-9]*$/\1gcc/' "$kv"
		echo "$cc" > "$d/compiler-replaced"
	fi
}

# checkpatch: scripts/checkpatch.pl of linux-source-6.1 (bookworm), and the
# two files it reads beside itself.
if [ "$arch" = --checkpatch ]; then
	CP_FILES="checkpatch.pl spelling.txt const_structs.checkpatch"
	for d in "$cache"/checkpatch-6.1.*; do
		[ -f "$d/.done" ] && { echo "checkpatch $d/scripts/checkpatch.pl"; exit 0; }
	done
	update
	# shellcheck disable=SC2086
	ver=$(apt-cache $O policy linux-source-6.1 | sed -n 's/^ *Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
		die "linux-source-6.1: not in the package index"
	d=$cache/checkpatch-$ver
	rm -rf "$d" "$d.deb"
	mkdir -p "$d.deb" "$d/scripts"
	# shellcheck disable=SC2086
	(cd "$d.deb" && apt-get $O download "linux-source-6.1=$ver" \
		>"$apt/dl.log" 2>&1) ||
		die "apt-get download linux-source-6.1: $(tail -3 "$apt/dl.log")"
	members=""
	for f in $CP_FILES; do
		members="$members linux-source-6.1/scripts/$f"
	done
	# The package holds one tarball of the tree: stream it, and take
	# only those members out.
	# shellcheck disable=SC2086
	# (tar stops at the last member: dpkg-deb's broken pipe is no error)
	dpkg-deb --fsys-tarfile "$d.deb"/linux-source-6.1_*.deb 2>/dev/null |
		tar -xOf - ./usr/src/linux-source-6.1.tar.xz |
		tar -xJf - -C "$d/scripts" --strip-components=2 \
			--occurrence=1 $members ||
		die "linux-source-6.1: could not unpack$members"
	rm -rf "$d.deb"
	for f in $CP_FILES; do
		[ -s "$d/scripts/$f" ] || die "linux-source-6.1: no scripts/$f"
	done
	touch "$d/.done"
	echo "checkpatch $d/scripts/checkpatch.pl"
	exit 0
fi

for suite in "$@"; do
	# The kernel image, and which one it is.
	kimg=$("$here/fetch.sh" "$cache" "$arch" "$suite" |
		awk -v s="$suite" '$1 == s { print $2 }')
	[ -n "$kimg" ] || die "no kernel for $arch $suite"
	img=$(cat "$kimg/package")
	abi=${img#linux-image-}
	abi=${abi%-"$flavour"}
	# Upstream version of the image: its config's header line.
	upver=$(sed -n 's/^# Linux\/[^ ]* \([^ ]*\) Kernel Configuration$/\1/p' \
		"$kimg/config" | head -1)
	dir=$cache/headers-$arch-$suite
	kdir=$dir/usr/src/linux-headers-$abi-$flavour
	if [ -f "$dir/.done" ] && [ "$(cat "$dir/package")" = "$img" ]; then
		echo "$suite $kdir"
		continue
	fi
	update
	hdr=linux-headers-$abi-$flavour
	ver=""
	for v in $(versions "$hdr:$arch"); do
		case $v in "$upver"-*) ver=$v ;; esac
	done
	[ -n "$ver" ] || die "$hdr: no version $upver-* in $suite (image cache stale? remove $kimg)"
	# Its dependencies of the same source: -common and linux-kbuild.
	deps=$(field "$hdr:$arch=$ver" Depends | tr ',|' '\n\n' |
		sed -n 's/^ *\(linux-\(headers\|kbuild\)-[^ ]*\).*/\1/p')
	pkgs="$hdr:$arch=$ver"
	for p in $deps; do
		case $p in
		linux-headers-*-common) pkgs="$pkgs $p=$ver" ;;
		linux-kbuild-*) pkgs="$pkgs $p:amd64=$ver" ;;
		esac
	done
	case $pkgs in
	*-common=*linux-kbuild-* | *linux-kbuild-*-common=*) ;;
	*) die "$hdr $ver: unexpected dependencies: $deps" ;;
	esac
	# Module BTF (6.12: CONFIG_DEBUG_INFO_BTF_MODULES) runs pahole,
	# which linux-kbuild then depends on.
	kb=$(echo "$pkgs" | tr ' ' '\n' | grep '^linux-kbuild-')
	case $(field "$kb" Depends) in
	*pahole*) need pahole pahole ;;
	esac
	rm -rf "$dir" "$dir.debs"
	mkdir -p "$dir.debs" "$dir"
	# shellcheck disable=SC2086
	(cd "$dir.debs" && apt-get $O download $pkgs >"$apt/dl.log" 2>&1) ||
		die "apt-get download $pkgs: $(tail -3 "$apt/dl.log")"
	for deb in "$dir.debs"/*.deb; do
		dpkg-deb -x "$deb" "$dir"
	done
	[ -f "$kdir/Makefile" ] || die "$hdr: no $kdir/Makefile"
	fix_tree "$dir"
	rm -rf "$dir.debs"
	echo "$img" > "$dir/package"
	echo "$pkgs" > "$dir/packages"
	touch "$dir/.done"
	echo "$suite $kdir"
done
