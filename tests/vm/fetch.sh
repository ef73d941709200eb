#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Download what the VM matrix boots: Debian kernel images (bullseye 5.10,
# bookworm 6.1, bookworm-backports 6.12) and busybox-static, for amd64 and
# armhf.  Nothing is installed: a private apt state (its own sources list,
# lists and status) and "apt-get download", then "dpkg-deb -x" into the
# cache.  A kernel already unpacked is not fetched again.
#
# Usage: tests/vm/fetch.sh CACHE ARCH [SUITE...]
#   CACHE  directory (tests/vm/cache), ARCH amd64 | armhf | arm64 | mipsel,
#   SUITE  bullseye | bookworm | bookworm-backports (none: busybox only,
#   for a kernel that does not come from Debian)
# Prints, per suite, "SUITE KERNEL-DIR" where KERNEL-DIR holds vmlinuz,
# config, package (its name) and modules/ (the guest's modules, see
# modules() below); and "busybox PATH".
set -eu

die() { echo "vm-fetch: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 CACHE ARCH [SUITE...]"
cache=$1 arch=$2
shift 2
case $arch in
amd64)	flavour=amd64 ;;
armhf)	flavour=armmp ;;
arm64)	flavour=arm64 ;;
mipsel)	flavour=4kc-malta ;;
*)	die "$arch: amd64, armhf, arm64 or mipsel" ;;
esac
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
apt=$cache/apt
mkdir -p "$apt/lists/partial" "$cache/debs"
: > "$apt/status"
# Only the suites' main component: the kernels and busybox are there.
{
	for s in bullseye bookworm bookworm-backports; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main"
	done
} > "$apt/sources.list"
set -- "$@" --
O="-q -o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null
-o Dir::State::Lists=$apt/lists -o Dir::State::status=$apt/status
-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
-o APT::Architecture=$arch -o APT::Architectures=$arch
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

# download PKG/SUITE: the .deb's path in $cache/debs.
download() {
	local_pkg=${1%/*}
	# shellcheck disable=SC2086
	(cd "$cache/debs" && apt-get $O download "$1" >/dev/null 2>"$apt/dl.log") ||
		die "apt-get download $1: $(cat "$apt/dl.log")"
	ls -t "$cache/debs/${local_pkg}_"*"_$arch.deb" | head -1
}

# modcat FILE: a module, uncompressed.
modcat() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# modules ROOT DEST: the modules the guest loads ($VM_MODULES) and those
# they depend on (their .modinfo "depends=": the package has no
# modules.dep, depmod runs at install), uncompressed in DEST, with
# DEST/load.list in load order.  Only these are kept of the package.
modules() {
	ROOT_=$1 DEST_=$2
	mkdir -p "$DEST_"
	: > "$DEST_/load.list"
	: > "$DEST_/deps"
	queue=$VM_MODULES all=""
	while [ -n "$queue" ]; do
		# shellcheck disable=SC2086
		set -- $queue
		[ $# -gt 0 ] || break
		m=$1
		shift
		queue="$*"
		case " $all " in *" $m "*) continue ;; esac
		f=$(find "$ROOT_" -name "$m.ko*" -o -name "$(echo "$m" | tr _ -).ko*" | head -1)
		if [ -z "$f" ]; then
			# Built in: nothing to load.
			grep -q "/$m.ko" "$ROOT_"/lib/modules/*/modules.builtin \
				"$ROOT_"/usr/lib/modules/*/modules.builtin 2>/dev/null ||
				{ echo "vm-fetch: module $m not found" >&2; return 1; }
			all="$all $m"
			continue
		fi
		modcat "$f" > "$DEST_/$m.ko"
		deps=$(tr '\0' '\n' < "$DEST_/$m.ko" | sed -n 's/^depends=//p' | tr ',' ' ')
		echo "$m $deps" >> "$DEST_/deps"
		all="$all $m"
		queue="$queue $deps"
	done
	# Each module after what it depends on.
	loaded=" "
	progress=1
	while [ "$progress" = 1 ]; do
		progress=0
		while read -r m deps; do
			case $loaded in *" $m "*) continue ;; esac
			ready=1
			for d in $deps; do
				[ -f "$DEST_/$d.ko" ] || continue
				case $loaded in *" $d "*) ;; *) ready=0 ;; esac
			done
			[ "$ready" = 1 ] || continue
			echo "$m.ko" >> "$DEST_/load.list"
			loaded="$loaded$m "
			progress=1
		done < "$DEST_/deps"
	done
	rm -f "$DEST_/deps"
}
VM_MODULES=${VM_MODULES:-veth}

while [ "$1" != -- ]; do
	suite=$1
	shift
	dir=$cache/kernel-$arch-$suite
	if [ ! -f "$dir/.done" ] || [ ! -f "$dir/modules/load.list" ]; then
		update
		# The metapackage names this suite's current ABI.
		# shellcheck disable=SC2086
		img=$(apt-cache $O show "linux-image-$flavour/$suite" 2>/dev/null |
			sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | head -1)
		[ -n "$img" ] || die "no linux-image-$flavour in $suite"
		deb=$(download "$img/$suite")
		rm -rf "$dir"
		mkdir -p "$dir/x"
		dpkg-deb -x "$deb" "$dir/x"
		# MIPS kernels are an ELF vmlinux, which QEMU loads as it is.
		mv "$dir/x/boot/vmlinuz-"* "$dir/vmlinuz" 2>/dev/null ||
			mv "$dir/x/boot/vmlinux-"* "$dir/vmlinuz"
		mv "$dir/x/boot/config-"* "$dir/config"
		modules "$dir/x" "$dir/modules" || die "modules of $img"
		rm -rf "$dir/x" "$deb"
		echo "$img" > "$dir/package"
		touch "$dir/.done"
	fi
	echo "$suite $dir"
done

bb=$cache/busybox-$arch
if [ ! -x "$bb" ]; then
	update
	deb=$(download "busybox-static/bookworm")
	mkdir -p "$cache/bb.$$"
	dpkg-deb -x "$deb" "$cache/bb.$$"
	mv "$cache/bb.$$/bin/busybox" "$bb"
	rm -rf "$cache/bb.$$" "$deb"
fi
echo "busybox $bb"
