#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The VM matrix: Debian's kernels booted under QEMU (software emulation,
# no KVM), a BusyBox initramfs with the static p2pguard programs, and
# tests/vm/guest/test.sh inside: the program loaded as p2pguardd loads it,
# p2pguardd started by the project's S30p2pguardd and attached to the root
# cgroup, the enforcement scenario between network namespaces, the boot
# order, kill -9 and restart.  Root-cgroup attachment happens inside the
# guests only; nothing is attached on this machine.
#
# Usage: tests/vm/run.sh [ARCH:SUITE... old:DIR...]
#   ARCH amd64 | armhf, SUITE bullseye (5.10) | bookworm (6.1) |
#   bookworm-backports (6.12); old:DIR a kernel of ../shared/kernels
#   (4.9.337-arm, 4.4.178-arm, 3.10.108-mipsel: camera kernels, module
#   only, booted on QEMU's vexpress-a9 or malta as their READMEs say);
#   default: the whole matrix (VM_MATRIX), with every old kernel present.
# Kernels and busybox-static are downloaded once into tests/vm/cache (never
# installed); once kmod/ has its Kbuild, the kernel module is built for each kernel
# (tests/kmod/build.sh, Debian's headers of that image) and packed into its
# initramfs as /lib/modules/p2pguard.ko; QEMU is installed when missing and we are root, otherwise
# each kernel is a SKIP.  Prints the guests' PASS/FAIL/SKIP lines
# (tests/lib/check.h), a table, and writes it to
# Documentation/vm-matrix.rst after a run of the whole matrix.  Exit status
# non-zero on any failure.
#
# Environment: VM_TIMEOUT (seconds per guest, 900), VM_KEEP=1 (keep the
# initramfs images beside the console logs in tests/vm/cache/out),
# VM_DOC=0|1 (write Documentation/vm-matrix.rst; default: after the whole
# matrix), VM_BENCH=1 (the eBPF runs end with bench_classes -j, the
# interpreter against the JIT, VM_BENCH_REPEAT test runs per figure, 2000;
# its table goes to tests/vm/cache/out/ARCH-SUITE-ebpf.bench, for make
# bench).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
. tests/lib/qemu.sh
CACHE=$TOP/tests/vm/cache
DOC=$TOP/Documentation/vm-matrix.rst
SHARED_KERNELS=$TOP/../shared/kernels
DEFAULT_MATRIX="amd64:bullseye amd64:bookworm amd64:bookworm-backports armhf:bullseye armhf:bookworm arm64:bookworm mipsel:bookworm"
for d in "$SHARED_KERNELS"/*/headers.tar.xz; do
	[ -f "$d" ] && DEFAULT_MATRIX="$DEFAULT_MATRIX old:$(basename "$(dirname "$d")")"
done
MATRIX=${*:-${VM_MATRIX:-$DEFAULT_MATRIX}}
# Each kernel boots once per backend: the eBPF program, then the module.
BACKENDS=${VM_BACKENDS:-ebpf module}
TIMEOUT=${VM_TIMEOUT:-900}
OUT=$CACHE/out
TMP=$(mktemp -d /tmp/p2pguard-vm.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fails=0
start_all=$(date +%s)

say() { echo "vm: $*" >&2; }
skip_all() {	# skip_all REASON: every kernel of the matrix is a SKIP
	local e
	for e in $MATRIX; do echo "SKIP vm $(label "$e"): $1"; done
	exit 0
}

version_of() {	# the kernel series a suite ships; an old kernel's version
	case $1 in
	bullseye) echo 5.10 ;;
	bookworm) echo 6.1 ;;
	bookworm-backports) echo 6.12 ;;
	*-arm|*-mipsel) echo "${1%-*}" ;;
	*) echo "?" ;;
	esac
}
# arch_of ENTRY: the Debian architecture of its programs.
arch_of() {
	case $1 in
	old:*-arm) echo armhf ;;
	old:*-mipsel) echo mipsel ;;
	*) echo "${1%%:*}" ;;
	esac
}
qarch() { case $1 in amd64) echo x86_64 ;; *) echo "$1" ;; esac; }
label() { echo "$(qarch "$(arch_of "$1")") $(version_of "${1#*:}")"; }

# --- QEMU -------------------------------------------------------------------
need_pkgs=""
for e in $MATRIX; do
	case $(arch_of "$e") in
	amd64) command -v qemu-system-x86_64 >/dev/null || need_pkgs="$need_pkgs qemu-system-x86" ;;
	armhf) command -v qemu-system-arm >/dev/null || need_pkgs="$need_pkgs qemu-system-arm" ;;
	arm64) command -v qemu-system-aarch64 >/dev/null || need_pkgs="$need_pkgs qemu-system-arm" ;;
	mipsel) command -v qemu-system-mipsel >/dev/null || need_pkgs="$need_pkgs qemu-system-mips" ;;
	*) echo "FAIL vm: $e: architecture must be amd64, armhf, arm64 or mipsel"; exit 1 ;;
	esac
done
command -v cpio >/dev/null || need_pkgs="$need_pkgs cpio"
command -v xz >/dev/null || need_pkgs="$need_pkgs xz-utils"
need_pkgs=$(echo "$need_pkgs" | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ -n "${need_pkgs// /}" ]; then
	if [ "$(id -u)" != 0 ]; then
		skip_all "needs$need_pkgs (run as root to install them)"
	fi
	. tests/lib/apt.sh
	# shellcheck disable=SC2086 # a list of package names
	p2pg_apt_install vm $need_pkgs >&2 || {
		for e in $MATRIX; do
			echo "FAIL vm $(label "$e"): could not install$need_pkgs"
		done
		exit 1
	}
fi

# --- guest programs, per architecture ----------------------------------------
# build ARCH: static p2pguardd/p2pguardctl (one program), netpeer, vmprobe,
# p2pshape and the bypass suite's rows (tests/live/bypass.rows), installed
# with the Makefile's own install targets into $CACHE/stage-ARCH.
build() {
	local arch=$1 b=$CACHE/build-$1 st=$CACHE/stage-$1 cross=()

	case $arch in
	armhf) cross=(CROSS_COMPILE=arm-linux-gnueabihf-) ;;
	arm64) cross=(CROSS_COMPILE=aarch64-linux-gnu-) ;;
	mipsel) cross=(CROSS_COMPILE=mipsel-linux-gnu-) ;;
	esac
	say "building the static programs for $arch"
	make --no-print-directory -f tests/vm/vm.mk "${cross[@]}" STATIC=1 \
		BUILD="$b" vm-guest > "$TMP/build-$arch.log" 2>&1 || {
		tail -20 "$TMP/build-$arch.log" >&2
		return 1
	}
	rm -rf "$st"
	make --no-print-directory -f tests/vm/vm.mk "${cross[@]}" STATIC=1 \
		BUILD="$b" DESTDIR="$st" PREFIX=/usr SYSCONFDIR=/etc \
		install-bin install-init install-conf > "$TMP/install-$arch.log" 2>&1 || {
		tail -20 "$TMP/install-$arch.log" >&2
		return 1
	}
	mkdir -p "$st/usr/lib/p2pguard-vm"
	cp "$b/tests/netpeer" "$b/tests/vmprobe" "$b/tests/p2pshape" \
		"$b/tests/bench_classes" tests/vm/guest/test.sh tests/vm/guest/bypass.sh tests/vm/guest/veth.sh \
		tests/live/bypass.rows "$st/usr/lib/p2pguard-vm/"
	cp tests/vm/guest/S01syslogd tests/vm/guest/S10vmnet \
		tests/vm/guest/S50vendor "$st/etc/init.d/"
	cp tests/vm/guest/init "$st/init"
}

# initramfs KDIR ARCH LABEL OUT [KO]: stage + busybox + the modules the
# guest loads (veth and what it depends on, from the same kernel package,
# picked by fetch.sh) + p2pguard's kernel module KO, built for this kernel
# by tests/kmod/build.sh, as /lib/modules/p2pguard.ko (not in load.list:
# the guest's test loads it when it tests the module).
initramfs() {
	local kdir=$1 arch=$2 lbl=$3 out=$4 ko=${5:-} backend=${6:-ebpf} r=$TMP/root
	rm -rf "$r"
	cp -a "$CACHE/stage-$arch" "$r"
	mkdir -p "$r/bin" "$r/lib/modules"
	cp "$CACHE/busybox-$arch" "$r/bin/busybox"
	echo "$lbl" > "$r/etc/vm-label"
	cp "$kdir"/modules/* "$r/lib/modules/"
	[ -z "$ko" ] || cp "$ko" "$r/lib/modules/p2pguard.ko"
	# The module run: the shipped configuration, told to use the module;
	# on an old kernel, told nothing but where the module is ("auto"):
	# p2pguardd must find that the kernel runs no cgroup programs.
	case $backend in
	module) printf '%s\n' "backend = module" "module = /lib/modules/p2pguard.ko" \
			>> "$r/etc/p2pguard.conf" ;;
	auto) printf '%s\n' "backend = auto" "module = /lib/modules/p2pguard.ko" \
			>> "$r/etc/p2pguard.conf"
		backend=module ;;
	esac
	echo "$backend" > "$r/etc/vm-backend"
	[ "${VM_BENCH:-0}" = 1 ] && [ "$backend" = ebpf ] &&
		echo "${VM_BENCH_REPEAT:-2000}" > "$r/etc/vm-bench"
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
}

boot() {	# boot ARCH KDIR INITRD LOG
	local arch=$1 kdir=$2 initrd=$3 log=$4
	local append="rdinit=/init panic=-1 quiet loglevel=3"
	# An old kernel: the machine its README names (no audio, no network).
	case $(cat "$kdir/machine" 2>/dev/null) in
	vexpress-a9)
		p2pg_qemu_vexpress_a9 "$kdir/vmlinuz" "$kdir/dtb" "$initrd" \
			"console=ttyAMA0 $append" "$log" "$TIMEOUT" -net none
		return ;;
	malta)
		QEMU_AUDIO_DRV=none timeout "$TIMEOUT" qemu-system-mipsel \
			-M malta -m 256M -kernel "$kdir/vmlinuz" -initrd "$initrd" \
			-append "console=ttyS0 $append" -display none \
			-serial "file:$log" -monitor none -net none -no-reboot
		return ;;
	esac
	case $arch in
	amd64)
		timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi \
			-smp 2 -m 1024 -kernel "$kdir/vmlinuz" -initrd "$initrd" \
			-append "console=ttyS0 $append" -display none \
			-serial "file:$log" -monitor none -nic none -no-reboot ;;
	armhf)
		timeout "$TIMEOUT" qemu-system-arm -M virt,highmem=off \
			-cpu cortex-a15 -accel tcg,thread=multi -smp 2 -m 1024 \
			-kernel "$kdir/vmlinuz" -initrd "$initrd" \
			-append "console=ttyAMA0 $append" -display none \
			-serial "file:$log" -monitor none -nic none -no-reboot ;;
	arm64)
		timeout "$TIMEOUT" qemu-system-aarch64 -M virt -cpu cortex-a53 \
			-accel tcg,thread=multi -smp 2 -m 1024 \
			-kernel "$kdir/vmlinuz" -initrd "$initrd" \
			-append "console=ttyAMA0 $append" -display none \
			-serial "file:$log" -monitor none -nic none -no-reboot ;;
	mipsel)
		# Malta: one CPU, 256 MiB without highmem.
		QEMU_AUDIO_DRV=none timeout "$TIMEOUT" qemu-system-mipsel -M malta \
			-m 256M -kernel "$kdir/vmlinuz" -initrd "$initrd" \
			-append "console=ttyS0 $append" -display none \
			-serial "file:$log" -monitor none -net none -no-reboot ;;
	esac
}

# info KEY CONSOLE: an INFO value ("|" separates the table's fields).
info() { sed -n "s/^INFO $1=//p" "$2" | head -1 | tr -d '\r' | tr '|' '/'; }

# explain CONSOLE: the kernel feature that a refusal of the program points
# to, for the messages whose cause is known.
explain() {
	if grep -q '^VERIFIER .*tail_calls are not allowed in non-JITed programs with bpf-to-bpf calls' "$1"; then
		echo "a program calls another BPF function, which this kernel's JIT did not compile, and the interpreter takes no such program with tail calls (internals.rst: no program may call another BPF function)"
	elif grep -q '^VERIFIER-HEAD btf_vmlinux is malformed' "$1" &&
		grep -q '^VERIFIER-HEAD .*[Aa]rg#' "$1"; then
		echo "the kernel has no vmlinux BTF (CONFIG_DEBUG_INFO_BTF), without which the verifier cannot tell that a global function's struct __sk_buff * argument is the context"
	fi
}

# old_kernel DIR: ../shared/kernels/DIR as a kernel directory of the
# matrix (vmlinuz, dtb, machine, package, no modules to load), made once.
old_kernel() {
	local src=$SHARED_KERNELS/$1 d=$CACHE/kernel-old-$1
	[ -f "$src/headers.tar.xz" ] || return 1
	if [ ! -f "$d/.done" ]; then
		rm -rf "$d" && mkdir -p "$d/modules" || return 1
		if [ -f "$src/zImage" ]; then
			cp "$src/zImage" "$d/vmlinuz" && cp "$src/vexpress-v2p-ca9.dtb" "$d/dtb" &&
				echo vexpress-a9 > "$d/machine" || return 1
		else
			gzip -dc "$src/vmlinux.gz" > "$d/vmlinuz" && echo malta > "$d/machine" || return 1
		fi
		cp "$src/config" "$d/config" || return 1
		: > "$d/modules/load.list"
		echo "linux-$(version_of "$1") (shared/kernels/$1)" > "$d/package"
		touch "$d/.done"
	fi
	echo "$d"
}

mkdir -p "$OUT"
: > "$TMP/rows"
: > "$TMP/jobs"
built=" "
for e in $MATRIX; do
	arch=$(arch_of "$e") suite=${e#*:} lbl=$(label "$e")
	backends=$BACKENDS
	if [ "${e%%:*}" = old ]; then
		# An old kernel runs no cgroup programs: the module, chosen by
		# "backend = auto".  BusyBox comes from Debian all the same.
		backends=auto
		if ! tests/vm/fetch.sh "$CACHE" "$arch" > /dev/null 2> "$TMP/fetch.err" ||
			! kdir=$(old_kernel "$suite"); then
			echo "FAIL vm $lbl: cannot prepare ../shared/kernels/$suite: $(tail -1 "$TMP/fetch.err")"
			fails=$((fails + 1))
			continue
		fi
	elif ! kdir=$(tests/vm/fetch.sh "$CACHE" "$arch" "$suite" 2> "$TMP/fetch.err" |
		awk -v s="$suite" '$1 == s { print $2 }') || [ -z "$kdir" ]; then
		echo "SKIP vm $lbl: kernel package not available: $(tail -1 "$TMP/fetch.err")"
		printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$(version_of "$suite")" \
			"$(qarch "$arch")" "no: not fetched" - - - - - 0 0 1 0 - "" "" >> "$TMP/rows"
		continue
	fi
	if [ "${built/ $arch /}" = "$built" ]; then
		if ! build "$arch"; then
			echo "FAIL vm $lbl: static build for $arch failed"
			fails=$((fails + 1))
			continue
		fi
		built="$built$arch "
	fi
	# The kernel module, once kmod/ exists: built for this very kernel
	# (Debian's headers of the image booted).
	ko=""
	if [ "${e%%:*}" = old ]; then
		tests/kmod/old-kernels.sh "$suite" > "$TMP/kmod.out" 2>&1
		ko=$(awk -v e="$suite" '$1 == "KO" && $2 == e { print $3 }' "$TMP/kmod.out")
		if [ -z "$ko" ]; then
			echo "FAIL vm $lbl: the kernel module did not build:"
			grep -v '^KO ' "$TMP/kmod.out" | sed 's/^/    /'
			fails=$((fails + 1))
		fi
	elif [ -f kmod/Kbuild ] || [ -f kmod/Makefile ]; then
		tests/kmod/build.sh "$e" > "$TMP/kmod.out" 2>&1
		ko=$(awk -v e="$e" '$1 == "KO" && $2 == e { print $3 }' "$TMP/kmod.out")
		if [ -z "$ko" ]; then
			echo "FAIL vm $lbl: the kernel module did not build:"
			grep -v '^KO ' "$TMP/kmod.out" | sed 's/^/    /'
			fails=$((fails + 1))
		fi
	fi
	for backend in $backends; do
		# The module run: p2pguardd with backend = module, the eBPF
		# path kept off, so that the module alone enforces.
		lbl=$(label "$e")
		if [ "$backend" != ebpf ]; then
			lbl="$lbl $backend"
			if [ -z "$ko" ]; then
				echo "SKIP vm $lbl: no p2pguard.ko for this kernel"
				continue
			fi
		fi
		log=$OUT/$arch-$suite-$backend.log
		initrd=$OUT/$arch-$suite-$backend.cpio.gz
		if ! initramfs "$kdir" "$arch" "$lbl" "$initrd" "$ko" "$backend"; then
			echo "FAIL vm $lbl: cannot build the initramfs"
			fails=$((fails + 1))
			continue
		fi
		# Booted in the second phase, VM_JOBS at a time.
		echo "$lbl|$arch|$kdir|$initrd|$log|$backend" >> "$TMP/jobs"
	done
done

# boot_job N LBL ARCH KDIR INITRD LOG BACKEND: one guest; its lines go to
# $TMP/job-N.out, its table row to $TMP/job-N.row, its failures to
# $TMP/job-N.fails.
boot_job() {
	local n=$1 lbl=$2 arch=$3 kdir=$4 initrd=$5 log=$6 backend=$7
	local t_start qrc secs p f s why loaded insns vins vfull feat miss att
	local kver jit msg cause console=$TMP/console-$n fails=0
	t_start=$(date +%s)
	: > "$log"
	boot "$arch" "$kdir" "$initrd" "$log"
	qrc=$?
	secs=$(( $(date +%s) - t_start ))
	tr -d '\r' < "$log" > "$console"
	grep -E '^(PASS|FAIL|SKIP) ' "$console"
	p=$(grep -c '^PASS ' "$console")
	f=$(grep -c '^FAIL ' "$console")
	s=$(grep -c '^SKIP ' "$console")
	if ! grep -q '^VMDONE' "$console"; then
		if [ "$qrc" = 124 ]; then
			why="timed out after $TIMEOUT s"
		else
			why="QEMU exit $qrc"
		fi
		echo "FAIL vm $lbl: the guest did not finish ($why); console tail:"
		tail -25 "$console" | sed 's/^/    /'
		f=$((f + 1))
	fi
	fails=$((fails + f))
	loaded=$(info load "$console")
	case $loaded in
	yes) loaded=yes ;;
	no) loaded="no: $(info why "$console")" ;;
	*) loaded="?" ;;
	esac
	insns=$(info insns "$console")
	# Every program: the entry and the four of p2pg_progs.
	vins=0
	for k in "" _full _classify _gso _emit; do
		v=$(info "verified_insns$k" "$console")
		vins=$((vins + ${v:-0}))
	done
	[ "${vins:-0}" = 0 ] && vins="n/a"
	# What p2pguardd found; vmprobe's probe (before cgroup2 was
	# mounted) when the daemon wrote no status.
	feat=$(info daemon_features "$console")
	miss=$(info daemon_missing "$console")
	if [ -z "$feat" ]; then
		feat=$(info features "$console")
		miss=$(info missing "$console")
	fi
	att=$(info attach "$console")
	kver=$(info kernel "$console")
	jit=$(info jit "$console")
	mem=$(info daemon_rss "$console")
	# The verifier's own last word, when it refused.
	msg=""
	[ "$loaded" = yes ] || msg=$(grep '^VERIFIER ' "$console" |
		grep -vE '^VERIFIER (processed|verification time|stack depth) ' |
		tail -1 | cut -c10- | tr '|' '/')
	cause=$(explain "$console")
	printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "${kver:-$(cat "$kdir/package")}" \
		"$(qarch "$arch")/$backend" "$loaded" "${insns:--}" "$vins" \
		"${feat:--}" "${miss:-none}" "${att:--}" "$p" "$f" "$s" "$secs" \
		"${jit:--}" "$msg" "$cause" "$mem" > "$TMP/job-$n.row"
	# The verifier's words, when it refused.
	grep '^VERIFIER ' "$console" | grep -q . && [ "${loaded%%:*}" != yes ] &&
		{
			echo "vm $lbl: verifier log (head and tail):"
			grep '^VERIFIER-HEAD ' "$console" | sed 's/^VERIFIER-HEAD /    /'
			echo "    ..."
			grep '^VERIFIER ' "$console" | tail -30 | sed 's/^VERIFIER /    /'
		}
	[ "${VM_KEEP:-0}" = 1 ] || rm -f "$initrd"
	# make bench's table (VM_BENCH=1), when the guest printed one.
	grep -q '^BENCH ' "$console" &&
		sed -n 's/^BENCH //p' "$console" > "${log%.log}.bench"
	say "$lbl: $p passed, $f failed, $s skipped in $secs s"
	echo "$fails" > "$TMP/job-$n.fails"
}

# The guests, VM_JOBS at a time (default: one per two cores; each guest's
# CPUs are host threads, and much of a guest's time is waiting).
JOBS=${VM_JOBS:-$(( $(nproc) > 1 ? 2 : 1 ))}
n=0
running=0
while IFS='|' read -r jlbl jarch jkdir jinitrd jlog jbackend; do
	n=$((n + 1))
	say "booting $jlbl ($(cat "$jkdir/package"))"
	boot_job "$n" "$jlbl" "$jarch" "$jkdir" "$jinitrd" "$jlog" "$jbackend" \
		> "$TMP/job-$n.out" 2>&1 < /dev/null &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done < "$TMP/jobs"
wait
for k in $(seq 1 "$n"); do
	cat "$TMP/job-$k.out"
	[ -f "$TMP/job-$k.row" ] && cat "$TMP/job-$k.row" >> "$TMP/rows"
	fails=$((fails + $(cat "$TMP/job-$k.fails" 2>/dev/null || echo 1)))
done

total=$(( $(date +%s) - start_all ))
date=$(date -u +%Y-%m-%d)
echo
fmt='%-22s %-14s %-6s %-7s %-8s %-4s %-5s %-5s %-5s %s\n'
# shellcheck disable=SC2059
printf "$fmt" kernel arch/backend loaded insns verified jit pass fail skip secs
while IFS='|' read -r k a l i v fe mi at p f s t j m c mem; do
	# shellcheck disable=SC2059
	printf "$fmt" "$k" "$a" "${l%%:*}" "$i" "$v" "${j%% *}" "$p" "$f" "$s" "$t"
	[ "${l%%:*}" = yes ] || echo "    not loaded: ${l#no: }${m:+; verifier: $m}${c:+; cause: $c}"
	echo "    features: $fe; missing: $mi; attach: $at"
	[ "${j%% *}" = no ] && echo "    JIT: $j"
	[ -n "$mem" ] && echo "    p2pguardd: Rss $mem"
done < "$TMP/rows"
echo "matrix: $total s"
# Documentation/vm-matrix.rst: after the whole matrix (or VM_DOC=1).
if [ "${VM_DOC:-$([ "$MATRIX" = "$DEFAULT_MATRIX" ] && echo 1 || echo 0)}" = 1 ]; then
	{
		cat <<'EOF'
.. SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)

=============
The VM matrix
=============

``make vm-check`` (``tests/vm/run.sh``) boots Debian's kernel images
(x86_64, armhf, arm64 and mipsel) and the camera kernels of
``../shared/kernels`` (4.9 and 4.4 ARMv7 on QEMU vexpress-a9, 3.10 MIPS32r2
little endian on malta) under QEMU with software emulation (no KVM), each
with a BusyBox initramfs that holds the statically linked
``p2pguardd``/``p2pguardctl``, the test programs and the kernel's own
``veth`` module where it is one.  Every guest is prepared first (static
programs per architecture, the module per kernel, the initramfs), then
they boot ``VM_JOBS`` at a time (default 2).  Inside each guest,
``tests/vm/guest/test.sh``:

* enables the JIT (Debian's armhf kernels leave it off) and loads the
  program the way ``p2pguardd`` does (same probes, same load-time knobs),
  reporting the verifier's instruction count, or its message;
* boots the way a Buildroot camera does: syslog, the network, then
  ``p2pguardd`` through the project's ``S30p2pguardd``, attached to the
  **root cgroup** with the shipped ``/etc/p2pguard.conf``, then an emulated
  vendor P2P daemon that floods CS2 PPPP the moment ``S30p2pguardd`` has
  returned: not one packet may reach the "Internet";
* runs the enforcement scenario of ``tests/live/test_enforce.sh`` between
  network namespaces (every test vector: P2P blocked, LAN and ordinary
  traffic pass, the counters by reason exact), flips the switch with
  ``p2pguardctl p2p on|off``, kills the daemon with ``kill -9`` during a
  flood and restarts it through the init script, reloads, stops and
  unloads;
* with each switch position, sends the bypass suite of
  ``tests/live/test_bypass.sh`` (``tests/vm/guest/bypass.sh``, the rows of
  ``tests/live/bypass.rows``, ``p2pshape`` built static): GSO batches,
  UDP-Lite, classic STUN, DNS to other ports, with two questions, in mixed
  case or with EDNS, IPv4 options, v4-mapped sockets, kernel and raw
  fragments, raw IP and IPv6 extension headers, with ordinary controls
  (HTTP, QUIC, NTP, DNS), from the camera to an "Internet" sink of its own
  (192.0.2.0/24, 2001:db8:2::/64).  P2P off: nothing of a P2P shape
  arrives and the drop is counted under a reason; P2P on: everything
  arrives, nothing is dropped.  The rows to the LAN are the host suite's
  only: the guest's LAN sink is ``netpeer``'s, and the suite adds hosts on
  documentation prefixes only, which the policy counts as Internet (an
  ``INFO bypass_not_sent`` line says so).

Each kernel then boots a second time (rows ``.../module``) with
``backend = module`` added to the shipped configuration and
``p2pguard.ko`` built against that image's own Debian headers package
(``tests/vm/fetch-headers.sh``, ``tests/kmod/build.sh``): ``p2pguardd``
loads the module, no BPF program may be attached and no pin may exist, and
the same scenario and bypass suite run with the module alone enforcing;
then a malformed
policy blob is refused (kernel log, generation unchanged) while the old
policy keeps dropping a PPPP flood, and ``p2pguardctl unload`` removes the
module, its sysfs directory and its device, after which PPPP arrives again;
then ``insmod`` without the daemon: with no policy written the module
enforces the daemon's default lists (PPPP to the Internet refused, to
loopback and to the LAN delivered), and ``rmmod``.

The camera kernels (rows ``.../auto``) run no cgroup programs: they boot
once, with ``backend = auto`` and the module's path added to the shipped
configuration, and ``p2pguardd``, started by ``S30p2pguardd`` before the
network, must choose the module and enforce; the rest is the module run.
The 4.4 kernel's own IPv6 reassembly refuses a fragment with more to
come that is shorter than 1280 bytes (4.4-stable's backport of "ipv6:
defrag: drop non-last frags smaller than min mtu", which later 4.9-stable
and mainline rewrites of the reassembly code no longer have), so the
sink, running the guest's kernel too, never delivers the raw tiny-fragment
row over IPv6 with P2P on.  That row passes on the evidence that both
fragments reached the sink (its ``Ip6ReasmReqds`` rose by two, and its
``Ip6InHdrErrors`` by one) and that p2pguard dropped nothing; the guest
prints the IP counters of both ends for every tiny-fragment row.
On MIPS the program reads packet data through ``bpf_skb_load_bytes()``
(``packet_words`` missing: the verifier refuses word loads at the IP
header, 2 bytes off alignment there).

Columns: *insns* is the verifier's "processed N insns" (log level 4, any
kernel) of the five programs together, the entry ``p2pguard_egress`` and
the four of ``p2pg_progs`` (``p2pguard_full``, ``p2pguard_classify``,
``p2pguard_gso``, ``p2pguard_emit``; each is checked on its own against the
verifier's 1,000,000, and the guest log has each figure); *verified* is
their ``bpf_prog_info.verified_insns`` (5.16 and later); *JIT* says
whether the JIT compiled all five (a row fails when it did not: none of
them calls another BPF function, internals.rst); *features* and *missing* are what
``p2pguardd`` found (its status file).  Kernels are the current images of
the Debian suite named, downloaded with ``apt-get download`` and never
installed; the camera kernels are used as ``../shared/kernels`` holds them.

EOF
		echo "Last run: $date, $total s for the matrix on $(nproc) cores ($(uname -m) host)."
		echo
		echo ".. list-table::"
		echo "   :header-rows: 1"
		echo
		echo "   * - kernel"
		echo "     - arch/backend"
		echo "     - loaded"
		echo "     - insns"
		echo "     - verified"
		echo "     - JIT"
		echo "     - features (missing)"
		echo "     - attach"
		echo "     - passed / failed / skipped"
		echo "     - seconds"
		# A lone "-" would be a list item in a list-table cell.
		cell() { if [ "$1" = - ]; then echo "n/a"; else echo "$1"; fi; }
		while IFS='|' read -r k a l i v fe mi at p f s t j m c mem; do
			echo "   * - $k"
			echo "     - $a"
			echo "     - $l"
			echo "     - $(cell "$i")"
			echo "     - $(cell "$v")"
			echo "     - $(cell "$j")"
			echo "     - $(cell "$fe") ($mi)"
			echo "     - $(cell "$at")"
			echo "     - $p / $f / $s"
			echo "     - $t"
		done < "$TMP/rows"
		if grep -q '^[^|]*|[^|]*|no' "$TMP/rows"; then
			echo
			echo "The verifier's last words where the program did not load:"
			echo
			while IFS='|' read -r k a l i v fe mi at p f s t j m c mem; do
				[ "${l%%:*}" = yes ] && continue
				echo "* $k ($a): ${l#no: }${m:+: \`\`$m\`\`}${c:+.  Cause: $c.}"
			done < "$TMP/rows"
		fi
		if cut -d'|' -f16 "$TMP/rows" | grep -q .; then
			echo
			echo "p2pguardd's memory in each guest once the scenario has run (kernel"
			echo "tables: \`\`p2pguardctl status\`\`, an estimate; performance.rst):"
			echo
			while IFS='|' read -r k a l i v fe mi at p f s t j m c mem; do
				[ -n "$mem" ] && echo "* $k ($a): Rss $mem"
			done < "$TMP/rows"
		fi
	} > "$DOC"
	say "table written to Documentation/vm-matrix.rst"
fi
[ "$fails" -eq 0 ]
