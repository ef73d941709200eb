#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Check the br2-external tree in buildroot/ against a Buildroot tree:
#   - utils/check-package on every file it knows how to check;
#   - with a complete Buildroot tree, Kconfig: BR2_PACKAGE_P2PGUARD can be
#     selected with a suitable toolchain and not without one, and the
#     kernel fixups are exactly the options of the fragments.
# Usage: tests/buildroot-check.sh [BUILDROOT_DIR]  (or set BUILDROOT_DIR).
# Without either, the Buildroot snapshot in ../shared/buildroot beside the
# repository (buildroot-*.tar.xz) is unpacked once into build/.
# Prints PASS/FAIL/SKIP lines (tests/lib/check.h); exits 1 on any FAIL.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
. tests/lib/apt.sh
. tests/lib/buildroot.sh
br=${1:-${BUILDROOT_DIR:-}}
failed=0

pass() { echo "PASS $1"; }
words() { printf '%s\n' "$1" | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }
fail() { echo "FAIL $1: $2"; failed=1; }
skip() { echo "SKIP $1: $2"; }

[ -n "$br" ] || br=$(p2pg_br_snapshot) || br=""
if [ -z "$br" ] || [ ! -f "$br/utils/check-package" ]; then
	skip buildroot-check-package "no Buildroot tree given (BUILDROOT_DIR, or the snapshot in ../shared/buildroot)"
	exit 0
fi
br=$(cd "$br" && pwd)

# check-package needs python3-magic and flake8, and runs shellcheck on the
# init script (Debian packages of those names).
if ! /usr/bin/python3 -c 'import magic, flake8' 2>/dev/null ||
	! command -v shellcheck >/dev/null 2>&1; then
	p2pg_apt_install buildroot-check python3-magic flake8 shellcheck >&2 || {
		fail buildroot-check-package "cannot install python3-magic, flake8 and shellcheck"
		exit 1
	}
fi

# Only the files check-package has checks for get a line; the key files
# must be among them, or the check would pass by checking nothing.
checked=""
cd "$top/buildroot" || exit 1
for f in $(find . -type f | sed 's|^\./||' | sort); do
	if ! /usr/bin/python3 "$br/utils/check-package" -b --dry-run "$f" \
		2>/dev/null | grep -q 'would run'; then
		continue
	fi
	checked="$checked $f"
	if out=$(/usr/bin/python3 "$br/utils/check-package" -b "$f" 2>&1); then
		pass "buildroot-check-package[$f]"
	else
		fail "buildroot-check-package[$f]" \
			"$(printf '%s\n' "$out" | grep -v -e 'lines processed' \
				-e 'warnings generated' | head -3 | tr '\n' ' ')"
	fi
done
cd "$top" || exit 1
for f in Config.in package/p2pguard/Config.in \
	package/p2pguard/p2pguard.mk package/p2pguard/S30p2pguardd; do
	case " $checked " in
	*" $f "*) ;;
	*) fail "buildroot-check-package[$f]" "not checked by check-package" ;;
	esac
done

if [ ! -f "$br/Makefile" ] || [ ! -f "$br/Config.in" ]; then
	skip buildroot-kconfig "$br is not a complete Buildroot tree"
	exit "$failed"
fi

tmp=$(mktemp -d /tmp/p2pguard-br.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# defconfig NAME LINES...: configure $tmp/NAME from a defconfig; prints
# nothing, returns make's status.
defconfig() {
	name=$1
	shift
	mkdir -p "$tmp/$name"
	printf '%s\n' "$@" >"$tmp/$name/defconfig"
	make -C "$br" O="$tmp/$name" BR2_EXTERNAL="$top/buildroot" \
		BR2_DEFCONFIG="$tmp/$name/defconfig" defconfig \
		>"$tmp/$name/log" 2>&1
}

# A toolchain with everything libbpf needs, a kernel, BTF.
if ! defconfig ok BR2_aarch64=y BR2_TOOLCHAIN_EXTERNAL=y \
	BR2_TOOLCHAIN_EXTERNAL_BOOTLIN=y BR2_LINUX_KERNEL=y \
	BR2_LINUX_KERNEL_USE_ARCH_DEFAULT_CONFIG=y BR2_PACKAGE_P2PGUARD=y \
	BR2_PACKAGE_P2PGUARD_KERNEL_BTF=y BR2_PACKAGE_P2PGUARD_KERNEL_MODULE=y \
	BR2_PACKAGE_P2PGUARD_WEBUI_OPENIPC=y BR2_PACKAGE_P2PGUARD_WEBUI_THINGINO=y; then
	fail buildroot-kconfig-select "make defconfig failed: $(tail -3 "$tmp/ok/log" | tr '\n' ' ')"
	exit 1
fi
missing=""
for o in BR2_PACKAGE_P2PGUARD=y BR2_PACKAGE_LIBBPF=y BR2_PACKAGE_LIBPCAP=y \
	BR2_PACKAGE_P2PGUARD_KERNEL_CONFIG=y BR2_PACKAGE_P2PGUARD_KERNEL_MODULE=y \
	BR2_LINUX_KERNEL_NEEDS_HOST_PAHOLE=y; do
	grep -qx "$o" "$tmp/ok/.config" || missing="$missing $o"
done
if [ -z "$missing" ]; then
	pass buildroot-kconfig-select
else
	fail buildroot-kconfig-select "not in .config:$missing"
fi

# The fixups Buildroot applies are the fragments' options, no more.
want=$(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' \
	buildroot/package/p2pguard/linux.fragment \
	buildroot/package/p2pguard/linux-btf.fragment \
	buildroot/package/p2pguard/linux-module.fragment | tr '\n' ' ')
got=$(make -s -C "$tmp/ok" printvars VARS=P2PGUARD_KCONFIG_ENABLE \
	2>/dev/null | sed -n 's/^P2PGUARD_KCONFIG_ENABLE=//p')
if [ -n "$got" ] && [ "$(words "$got")" = "$(words "$want")" ]; then
	pass buildroot-kconfig-fixups
else
	fail buildroot-kconfig-fixups "fixups '$got', fragments '$want'"
fi

# The module option builds kmod/ with Buildroot's kernel-module
# infrastructure (which adds linux to the dependencies).
deps=$(make -s -C "$tmp/ok" printvars VARS='P2PGUARD_MODULE_SUBDIRS P2PGUARD_DEPENDENCIES' \
	2>/dev/null)
if printf '%s\n' "$deps" | grep -qx 'P2PGUARD_MODULE_SUBDIRS=kmod' &&
	printf '%s\n' "$deps" | grep -q '^P2PGUARD_DEPENDENCIES=.*\blinux\b'; then
	pass buildroot-kernel-module
else
	fail buildroot-kernel-module "$(printf '%s\n' "$deps" | tr '\n' ' ')"
fi

# The status pages (webui/): haserl runs them, a hook installs each.
web=$(make -s -C "$tmp/ok" printvars \
	VARS='P2PGUARD_DEPENDENCIES P2PGUARD_POST_INSTALL_TARGET_HOOKS' 2>/dev/null)
if grep -qx 'BR2_PACKAGE_HASERL=y' "$tmp/ok/.config" &&
	printf '%s\n' "$web" | grep -q '^P2PGUARD_DEPENDENCIES=.*\bhaserl\b' &&
	printf '%s\n' "$web" | grep -q 'P2PGUARD_INSTALL_WEBUI_OPENIPC' &&
	printf '%s\n' "$web" | grep -q 'P2PGUARD_INSTALL_WEBUI_THINGINO'; then
	pass buildroot-webui
else
	fail buildroot-webui "haserl not selected, or no install hook: $(printf '%s\n' "$web" | tr '\n' ' ')"
fi

# The sources are this repository.
site=$(make -s -C "$tmp/ok" printvars VARS=P2PGUARD_SITE 2>/dev/null |
	sed -n 's/^P2PGUARD_SITE=//p')
if [ "$site" = "$top" ]; then
	pass buildroot-site
else
	fail buildroot-site "P2PGUARD_SITE is '$site', not $top"
fi

# A toolchain without wchar cannot have libbpf: p2pguard must not stay
# selected (Kconfig drops it) and the "needs a toolchain" comment applies.
if defconfig nowchar BR2_arm=y BR2_TOOLCHAIN_BUILDROOT=y \
	BR2_TOOLCHAIN_BUILDROOT_UCLIBC=y BR2_PACKAGE_P2PGUARD=y &&
	! grep -q '^BR2_USE_WCHAR=y' "$tmp/nowchar/.config"; then
	if grep -q '^BR2_PACKAGE_P2PGUARD=y' "$tmp/nowchar/.config"; then
		fail buildroot-kconfig-deps "selected without wchar"
	else
		pass buildroot-kconfig-deps
	fi
else
	skip buildroot-kconfig-deps "could not configure a toolchain without wchar"
fi

exit "$failed"
