#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Fill a sysroot for cross builds with Debian's packages for the target:
# the -dev packages p2pguard links with, and the run-time libraries a
# dynamic link checks against.  They are downloaded with a private apt
# state and unpacked with dpkg -x: nothing of the target's architecture is
# installed on this machine (multiarch would need every index to agree,
# and a foreign-architecture index is often behind the native one).
#
# Usage: tests/cross/fetch-sysroot.sh TRIPLE|ARCH [DIR]
#   TRIPLE  GNU triple (arm-linux-gnueabihf) or ARCH Debian's name (armhf)
#   DIR     sysroot, default build/sysroot-ARCH
#        tests/cross/fetch-sysroot.sh --arch TRIPLE
#   prints Debian's name for TRIPLE (the Makefile names the sysroot so).
# A second run with the same package list does nothing, and needs no
# network: DIR/.p2pguard-sysroot records what is in it.  The downloaded
# packages are kept in DIR/.cache.  Remove DIR to fetch afresh.
#
# The C library is the cross toolchain's (gcc-TRIPLE, libc6-dev-ARCH-cross),
# which this script installs when it is missing and it runs as root.
set -eu

die() { echo "fetch-sysroot: $*" >&2; exit 1; }

# Debian's architecture names and their GNU triples: dpkg-architecture
# (dpkg-dev) knows them all, and this table those of Debian's cross
# compilers for camera-like CPUs, for a machine without dpkg-dev.
ARCHS="armhf:arm-linux-gnueabihf armel:arm-linux-gnueabi
arm64:aarch64-linux-gnu mipsel:mipsel-linux-gnu
mips64el:mips64el-linux-gnuabi64 riscv64:riscv64-linux-gnu
amd64:x86_64-linux-gnu"

# deb_arch TRIPLE|ARCH: sets arch and triple.
deb_arch() {
	arch="" triple=""
	if command -v dpkg-architecture >/dev/null; then
		case $1 in
		*-*) arch=$(dpkg-architecture -t"$1" -qDEB_HOST_ARCH 2>/dev/null) &&
			triple=$1 ;;
		*) triple=$(dpkg-architecture -a"$1" \
			-qDEB_HOST_MULTIARCH 2>/dev/null) && arch=$1 ;;
		esac
	else
		for a in $ARCHS; do
			case $1 in
			"${a%%:*}" | "${a#*:}") arch=${a%%:*} triple=${a#*:} ;;
			esac
		done
	fi
	[ -n "$arch" ] && [ -n "$triple" ]
}

if [ "${1:-}" = --arch ] && [ $# = 2 ]; then
	deb_arch "$2" || die "$2: not a Debian architecture"
	echo "$arch"
	exit 0
fi
case $# in 1|2) ;; *) die "usage: $0 TRIPLE|ARCH [DIR]" ;; esac
deb_arch "$1" || die "$1: not a Debian architecture"
dir=${2:-build/sysroot-$arch}

# Headers and static libraries; linux-libc-dev for the BPF object's UAPI
# headers.  libpcap0.8-dev wants dbus-1.pc, hence libdbus-1-dev.
DEV="libbpf-dev libelf-dev zlib1g-dev libzstd-dev libpcap0.8-dev libdbus-1-dev
linux-libc-dev"
# What the shared libraries above need in turn (Debian 12), so that a
# dynamic link can check every symbol.  libc6 is the toolchain's.
RUN="libbpf1 libelf1 zlib1g libzstd1 libpcap0.8 libdbus-1-3 libsystemd0 libcap2
libgcrypt20 libgpg-error0 liblz4-1 liblzma5"
# shellcheck disable=SC2086,SC2116 # one line, single spaces
PKGS=$(echo $DEV $RUN)

# The cross toolchain, from Debian's packages, as tests/deps.sh does.
. "$(dirname "$0")/../lib/apt.sh"
p2pg_apt_install fetch-sysroot "gcc-$triple" "libc6-dev-$arch-cross" ||
	die "cannot install the $triple cross compiler"

stamp=$dir/.p2pguard-sysroot
if [ -f "$stamp" ] && [ "$(sed -n 's/^packages: //p' "$stamp")" = "$PKGS" ]; then
	exit 0
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cache=$dir/.cache
mkdir -p "$cache/state/lists/partial" "$cache/archives/partial" "$cache/debs"
: >"$cache/status"
set -- -q -oAPT::Architecture="$arch" -oAPT::Architectures="$arch" \
	-oDir::State="$cache/state" -oDir::State::status="$cache/status" \
	-oDir::Cache="$cache" -oAPT::Sandbox::User="$(id -un)"

echo "fetch-sysroot: $arch packages into $dir"
# One failed index (a mirror in mid-sync) need not stop us: what matters
# is that every package below has a version to download.
apt-get "$@" update >"$cache/update.log" 2>&1 ||
	echo "fetch-sysroot: warning: apt-get update: $(grep -m1 '^E:' \
		"$cache/update.log" || echo failed)" >&2
for p in $PKGS; do
	v=$(apt-cache "$@" policy "$p" 2>/dev/null |
		sed -n 's/^ *Candidate: //p')
	case $v in
	"" | "(none)")
		die "$p:$arch: no version in the package index ($cache/update.log)" ;;
	esac
done
# shellcheck disable=SC2086
(cd "$cache/debs" && rm -f ./*.deb &&
	apt-get "$@" download $PKGS >"$cache/download.log" 2>&1) ||
	die "download failed: $(tail -n 3 "$cache/download.log")"

# Unpack afresh, keeping only the cache.
find "$dir" -mindepth 1 -maxdepth 1 ! -name .cache -exec rm -rf {} +
for deb in "$cache"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir"
done
# Links such as usr/lib/TRIPLE/libz.so -> /lib/TRIPLE/libz.so.1 must stay
# inside the sysroot.
find "$dir" -type l -lname '/*' | while read -r l; do
	ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" \
		"$dir$(readlink "$l")")" "$l"
done

{
	echo "arch: $arch"
	echo "triple: $triple"
	echo "packages: $PKGS"
	for deb in "$cache"/debs/*.deb; do
		dpkg-deb -f "$deb" Package Version | paste -sd' '
	done
} >"$stamp"
