#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# make buildroot-image: p2pguard built into a Buildroot image by Buildroot,
# from the project's br2-external tree (buildroot/), booted in QEMU.
#   - Buildroot: the snapshot in ../shared/buildroot (tests/lib/buildroot.sh);
#   - board: qemu_arm_vexpress (Cortex-A9), kernel 6.1 (vexpress_defconfig
#     plus p2pguard's fragments), rootfs an initramfs (cpio);
#   - toolchain: Debian's arm-linux-gnueabihf cross compiler as a custom
#     external toolchain; BPF compiler: the build machine's clang;
#   - sources: Debian 12 source packages, offline from Buildroot's sites
#     (tests/buildroot/local.mk says which package comes from where);
#   - one image with both backends, booted twice: p2pguard.backend=ebpf and
#     =module on the kernel command line (the test overlay writes it into
#     /etc/p2pguard.conf before S30p2pguardd starts).  The image's own init
#     scripts start p2pguardd; the overlay's S41 sends a PPPP hello first.
# Prints PASS/FAIL lines and "N passed, N failed"; exit status 1 on a FAIL.
# Not part of make check: the first build takes longer than 25 minutes.
#
# Environment: BR_OUT (output directory, build/br-image), BR_JLEVEL (2),
# BR_BOOT_TIMEOUT (seconds per boot, 600), BR_BACKENDS ("ebpf module";
# also "auto").
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
. tests/lib/apt.sh
. tests/lib/buildroot.sh
. tests/lib/qemu.sh
out=${BR_OUT:-$top/build/br-image}
src=$top/build/br-src
dl=$top/build/br-dl
jlevel=${BR_JLEVEL:-2}
boot_timeout=${BR_BOOT_TIMEOUT:-600}
backends=${BR_BACKENDS:-ebpf module}
npass=0
nfail=0

say() { echo "buildroot-image: $*" >&2; }
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" = 0 ]
	exit
}

# Buildroot's own host requirements (support/dependencies), Debian's cross
# compiler, clang for the BPF object, the host tools and libraries
# local.mk takes from the build machine, dpkg-source, QEMU.
if ! p2pg_apt_install buildroot-image build-essential rsync bc cpio file \
	unzip wget bison flex kmod fakeroot patchelf libelf-dev zlib1g-dev dpkg-dev \
	xz-utils gcc-arm-linux-gnueabihf clang llvm qemu-system-arm >&2; then
	fail buildroot-image-deps "cannot install the build machine's packages"
	finish
fi

# --- sources ---------------------------------------------------------------
# A private apt state with Debian 12's deb-src (the host's sources.list is
# left alone): "apt-get source" without unpacking (--skip-patches: Buildroot
# builds upstream's tree, and Debian's patches to configure.ac would need
# autotools), and linux-source-6.1's tarball.
apt_o() {
	echo "-q -o Dir::Etc::SourceList=$dl/apt/sources.list
	-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$dl/apt/lists
	-o Dir::State::status=$dl/apt/status -o Dir::Cache::pkgcache=
	-o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root"
}

sources() {
	mkdir -p "$dl/apt/lists/partial" "$src" || return 1
	: >"$dl/apt/status"
	k=/usr/share/keyrings/debian-archive-keyring.gpg
	printf '%s\n' \
		"deb-src [signed-by=$k] http://deb.debian.org/debian bookworm main" \
		"deb [signed-by=$k] http://deb.debian.org/debian bookworm main" \
		>"$dl/apt/sources.list"
	# shellcheck disable=SC2046 # apt's options, one word each
	apt-get $(apt_o) update >"$dl/update.log" 2>&1 || {
		tail -3 "$dl/update.log" >&2
		return 1
	}
	for p in busybox zlib elfutils libbpf libpcap pkgconf; do
		[ -d "$src/$p" ] && continue
		# shellcheck disable=SC2046
		(cd "$dl" && apt-get $(apt_o) source --download-only "$p" \
			>"$dl/$p.log" 2>&1) || {
			tail -3 "$dl/$p.log" >&2
			return 1
		}
		rm -rf "$src/$p.tmp"
		dpkg-source -x --skip-patches "$(ls "$dl/${p}_"*.dsc | tail -n 1)" \
			"$src/$p.tmp" >>"$dl/$p.log" 2>&1 &&
			mv "$src/$p.tmp" "$src/$p" || {
			tail -3 "$dl/$p.log" >&2
			return 1
		}
	done
	if [ ! -f "$src/linux-source-6.1/Makefile" ]; then
		# shellcheck disable=SC2046
		(cd "$dl" && apt-get $(apt_o) download linux-source-6.1 \
			>"$dl/linux.log" 2>&1) || {
			tail -3 "$dl/linux.log" >&2
			return 1
		}
		rm -rf "$src/linux-source-6.1"
		dpkg-deb --fsys-tarfile "$(ls "$dl"/linux-source-6.1_*.deb | tail -n 1)" |
			tar xO --wildcards '*/linux-source-6.1.tar.xz' | xz -dc |
			tar x -C "$src" || return 1
	fi
}

say "Debian sources into $src"
if ! sources; then
	fail buildroot-image-sources "could not fetch the Debian source packages"
	finish
fi
pass buildroot-image-sources

# --- configuration ---------------------------------------------------------
br=$(p2pg_br_snapshot) || {
	fail buildroot-image-snapshot "no Buildroot snapshot in ../shared/buildroot"
	finish
}
mkdir -p "$out"
mkdir -p "$out/empty-src"
{
	echo "# Written by tests/buildroot/image.sh."
	echo "P2PG_SRC = $src"
	echo "P2PG_EMPTY = $out/empty-src"
	echo "include $top/tests/buildroot/local.mk"
} >"$out/local.mk"

# Debian's cross compiler as Buildroot's external toolchain.  Buildroot
# looks for the C library's sysroot beside the compiler's libc.a and wants
# the usual layout there (usr/include), and refuses a compiler configured
# --with-sysroot=/ (a distribution's, which would find the build machine's
# libraries).  Debian's cross sysroot, /usr/arm-linux-gnueabihf, holds only
# glibc and GCC's libraries: a copy of the toolchain (GCC finds its parts
# relative to itself) with that layout, and a gcc that leaves the option
# out of its -v output, the only place Buildroot looks for it.  Buildroot
# always passes --sysroot, to its staging directory.
tc=$out/toolchain
if [ ! -x "$tc/bin/arm-linux-gnueabihf-gcc.real" ]; then
	rm -rf "$tc" && mkdir -p "$tc/bin" "$tc/lib/gcc-cross" &&
		cp -a /usr/bin/arm-linux-gnueabihf-* "$tc/bin/" &&
		cp -a /usr/lib/gcc-cross/arm-linux-gnueabihf "$tc/lib/gcc-cross/" &&
		cp -a /usr/arm-linux-gnueabihf "$tc/" &&
		mkdir "$tc/arm-linux-gnueabihf/usr" &&
		mv "$tc/arm-linux-gnueabihf/include" "$tc/arm-linux-gnueabihf/usr/" &&
		ln -s usr/include "$tc/arm-linux-gnueabihf/include" &&
		mv "$tc/bin/arm-linux-gnueabihf-gcc" "$tc/bin/arm-linux-gnueabihf-gcc.real" || {
		fail buildroot-image-toolchain "cannot copy Debian's cross toolchain"
		finish
	}
	cat >"$tc/bin/arm-linux-gnueabihf-gcc" <<'EOF_GCC'
#!/bin/sh
# Written by tests/buildroot/image.sh: see there.
gcc=$(dirname "$0")/arm-linux-gnueabihf-gcc.real
if [ "$*" = -v ]; then
	"$gcc" -v 2>&1 | sed 's| --with-sysroot=/ | |' >&2
	exit 0
fi
exec "$gcc" "$@"
EOF_GCC
	chmod +x "$tc/bin/arm-linux-gnueabihf-gcc"
fi

# qemu_arm_vexpress_defconfig's board, Debian's toolchain and sources,
# p2pguard with both backends.
cat >"$out/p2pguard_defconfig" <<EOF
BR2_arm=y
BR2_cortex_a9=y
BR2_ARM_ENABLE_NEON=y
BR2_ARM_ENABLE_VFP=y
BR2_JLEVEL=$jlevel
BR2_DL_DIR="$out/dl"
BR2_PACKAGE_OVERRIDE_FILE="$out/local.mk"
BR2_TOOLCHAIN_EXTERNAL=y
BR2_TOOLCHAIN_EXTERNAL_CUSTOM=y
BR2_TOOLCHAIN_EXTERNAL_PREINSTALLED=y
BR2_TOOLCHAIN_EXTERNAL_PATH="$tc"
BR2_TOOLCHAIN_EXTERNAL_CUSTOM_PREFIX="arm-linux-gnueabihf"
BR2_TOOLCHAIN_EXTERNAL_GCC_12=y
BR2_TOOLCHAIN_EXTERNAL_HEADERS_6_1=y
BR2_TOOLCHAIN_EXTERNAL_CUSTOM_GLIBC=y
# BR2_TOOLCHAIN_EXTERNAL_INET_RPC is not set
# BR2_TOOLCHAIN_EXTERNAL_CXX is not set
BR2_TOOLCHAIN_EXTERNAL_OPENMP=y
BR2_TARGET_GENERIC_GETTY_PORT="ttyAMA0"
BR2_ROOTFS_OVERLAY="$top/tests/buildroot/overlay"
BR2_LINUX_KERNEL=y
BR2_LINUX_KERNEL_CUSTOM_VERSION=y
BR2_LINUX_KERNEL_CUSTOM_VERSION_VALUE="6.1"
BR2_LINUX_KERNEL_DEFCONFIG="vexpress"
BR2_LINUX_KERNEL_DTS_SUPPORT=y
BR2_LINUX_KERNEL_INTREE_DTS_NAME="vexpress-v2p-ca9"
BR2_PACKAGE_BUSYBOX_CONFIG_FRAGMENT_FILES="$top/tests/buildroot/busybox.fragment"
BR2_PACKAGE_P2PGUARD=y
BR2_PACKAGE_P2PGUARD_KERNEL_MODULE=y
BR2_TARGET_ROOTFS_CPIO=y
# BR2_TARGET_ROOTFS_TAR is not set
EOF

brmake() {
	make -C "$br" O="$out" BR2_EXTERNAL="$top/buildroot" "$@"
}
if ! brmake BR2_DEFCONFIG="$out/p2pguard_defconfig" defconfig \
	>"$out/defconfig.log" 2>&1; then
	fail buildroot-image-config "make defconfig: $(tail -3 "$out/defconfig.log" | tr '\n' ' ')"
	finish
fi
missing=""
for o in BR2_PACKAGE_P2PGUARD=y BR2_PACKAGE_P2PGUARD_KERNEL_CONFIG=y \
	BR2_PACKAGE_P2PGUARD_KERNEL_MODULE=y BR2_TOOLCHAIN_EXTERNAL_CUSTOM=y; do
	grep -qx "$o" "$out/.config" || missing="$missing $o"
done
if [ -n "$missing" ]; then
	fail buildroot-image-config "not in .config:$missing"
	finish
fi
pass buildroot-image-config

# --- build -----------------------------------------------------------------
say "building (log: $out/build.log)"
t0=$(date +%s)
brmake >"$out/build.log" 2>&1
rc=$?
t1=$(date +%s)
say "build: $((t1 - t0)) s"
if [ "$rc" != 0 ]; then
	fail buildroot-image-build "make failed after $((t1 - t0)) s: $(grep -v '^make' "$out/build.log" | tail -5 | tr '\n' ' ')"
	finish
fi
# Buildroot's own record of each step (build/build-time.log): the time of
# every package summed over all builds of this output directory; after the
# first, what it spent however often it was resumed (a package rebuilt
# since is counted again).
awk -F: '{ gsub(/ /, "") }
	$2 == "start" { t0[$3 ":" $4] = $1 }
	$2 == "end" { p[$4] += $1 - t0[$3 ":" $4] }
	END { for (k in p) printf "%s %.0f\n", k, p[k] }' \
	"$out/build/build-time.log" | sort -k2 -n -r |
	awk '{ printf "buildroot-image:   %-26s %6d s\n", $1, $2; all += $2 }
	END { printf "buildroot-image: packages in all: %d s\n", all }' >&2
img=$out/images
ko=$(find "$out/target/lib/modules" -name p2pguard.ko 2>/dev/null | head -n 1)
if [ -x "$out/target/usr/sbin/p2pguardd" ] && [ -n "$ko" ] &&
	[ -f "$img/zImage" ] && [ -f "$img/rootfs.cpio" ]; then
	pass "buildroot-image-build ($((t1 - t0)) s)"
else
	fail buildroot-image-build "p2pguardd, p2pguard.ko, zImage or rootfs.cpio missing"
	finish
fi
# The fragment reached the kernel Buildroot built.
kcfg=$out/build/linux-custom/.config
missing=""
for o in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*=y\)$/\1/p' \
	buildroot/package/p2pguard/linux.fragment \
	buildroot/package/p2pguard/linux-module.fragment) CONFIG_MODULES=y; do
	grep -qx "$o" "$kcfg" || missing="$missing $o"
done
if [ -z "$missing" ]; then
	pass buildroot-image-kernel-config
else
	fail buildroot-image-kernel-config "not in the kernel's .config:$missing"
fi

# --- boot ------------------------------------------------------------------
# Each boot: the console's PASS/FAIL lines (S41p2pguard-test), and the
# image's own boot order: p2pguardd started, and before the network.
dtb=$(ls "$img"/vexpress-v2p-ca9.dtb)
for b in $backends; do
	log=$out/console-$b.log
	say "booting with p2pguard.backend=$b (console: $log)"
	t0=$(date +%s)
	p2pg_qemu_vexpress_a9 "$img/zImage" "$dtb" "$img/rootfs.cpio" \
		"console=ttyAMA0 quiet loglevel=3 p2pguard.backend=$b" \
		"$log" "$boot_timeout" -net nic,model=lan9118
	t1=$(date +%s)
	tr -d '\r' <"$log" >"$log.txt"
	if ! grep -q '^P2PG-BR-DONE' "$log.txt"; then
		fail "buildroot-image[$b] boot" "the test did not finish in $boot_timeout s: $(tail -5 "$log.txt" | tr '\n' ' ')"
		continue
	fi
	echo "buildroot-image: boot and test with $b: $((t1 - t0)) s" >&2
	grep -E '^(PASS|FAIL) ' "$log.txt"
	npass=$((npass + $(grep -c '^PASS ' "$log.txt")))
	nfail=$((nfail + $(grep -c '^FAIL ' "$log.txt")))
	d=$(grep -n '^Starting p2pguardd: ' "$log.txt" | head -n 1)
	n=$(grep -n '^Starting network: ' "$log.txt" | head -n 1)
	if [ "${d#*: }" != "OK" ]; then
		fail "buildroot-image[$b] init-starts-p2pguardd" "${d:-no Starting p2pguardd line}"
	elif [ -z "$n" ] || [ "${d%%:*}" -ge "${n%%:*}" ]; then
		fail "buildroot-image[$b] init-starts-p2pguardd" "not before the network"
	else
		pass "buildroot-image[$b] init-starts-p2pguardd"
	fi
done
finish
