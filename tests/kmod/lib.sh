# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# What the kernel module's checks share (sourced by tests/kmod/*.sh): the
# VM matrix's kernels, their build trees (tests/vm/fetch-headers.sh), and
# a private copy of the module's sources per build.  Result lines are
# tests/lib/check.h's: PASS/FAIL/SKIP NAME[: why].

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
TOP=$(pwd)
CACHE=$TOP/tests/vm/cache
# shellcheck disable=SC2034 # used by the scripts that source this
KMOD_OUT=$CACHE/out
# shellcheck disable=SC2034
KMOD_MATRIX_DEFAULT="amd64:bullseye amd64:bookworm amd64:bookworm-backports armhf:bullseye armhf:bookworm arm64:bookworm mipsel:bookworm"

# The module's sources: ./Kbuild names kmod/; kmod/Kbuild reaches the
# shared headers in common/ (the ABI, the parser, the classifier, the blob,
# the packet path) with one -I.
KMOD_SRC="Kbuild kmod common"

# kmod_present: whether kmod/ has files to check yet.
kmod_present() {
	[ -d "$TOP/kmod" ] && [ -n "$(ls -A "$TOP/kmod" 2>/dev/null)" ]
}

# kmod_buildable: whether kmod/ has a Kbuild (or Makefile) to build with.
kmod_buildable() {
	[ -f "$TOP/kmod/Kbuild" ] || [ -f "$TOP/kmod/Makefile" ]
}

# kmod_label ARCH:SUITE: "x86_64 6.1", as tests/vm/run.sh names kernels.
kmod_label() {
	local a=${1%%:*} v
	case ${1#*:} in
	bullseye) v=5.10 ;;
	bookworm) v=6.1 ;;
	bookworm-backports) v=6.12 ;;
	*) v=${1#*:} ;;
	esac
	case $a in amd64) a=x86_64 ;; esac
	echo "$a $v"
}

# kmod_cross ARCH: the CROSS_COMPILE= for a Debian architecture.
kmod_cross() {
	case $1 in
	armhf) echo arm-linux-gnueabihf- ;;
	arm64) echo aarch64-linux-gnu- ;;
	mipsel) echo mipsel-linux-gnu- ;;
	*) echo "" ;;
	esac
}

# kmod_kdir ARCH:SUITE: the kernel's build tree (fetched once), or an
# empty line and the reason on stderr.
kmod_kdir() {
	local a=${1%%:*} s=${1#*:}
	"$TOP/tests/vm/fetch-headers.sh" "$CACHE" "$a" "$s" |
		awk -v s="$s" '$1 == s { print $2 }'
}

# kmod_stage DIR: a fresh copy of the module's sources in DIR, so that
# builds for several kernels do not share object files (nor the work
# tree's).
kmod_stage() {
	local src
	rm -rf "$1"
	mkdir -p "$1"
	for src in $KMOD_SRC; do
		[ -e "$TOP/$src" ] && cp -a "$TOP/$src" "$1/"
	done
	# Not what an earlier "make modules" left in the work tree.
	find "$1" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name modules.order \
		-o -name Module.symvers \) -delete
}

# kmod_make KDIR ARCH DIR ARGS...: Kbuild on the staged sources in DIR, as
# "make modules" does.
kmod_make() {
	local kdir=$1 arch=$2 dir=$3 cross karch
	shift 3
	cross=$(kmod_cross "$arch")
	case $arch in
	armhf) karch=arm ;;
	arm64) karch=arm64 ;;
	mipsel) karch=mips ;;
	*) karch="" ;;
	esac
	make -C "$kdir" M="$dir" ${karch:+ARCH=$karch} ${cross:+CROSS_COMPILE=$cross} "$@"
}

# kmod_vermagic KO: the module's vermagic string.
kmod_vermagic() {
	tr '\0' '\n' < "$1" | sed -n 's/^vermagic=//p' | head -1
}
