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
# Usage: tests/vm/run.sh [ARCH:SUITE...]
#   ARCH amd64 | armhf, SUITE bullseye (5.10) | bookworm (6.1) |
#   bookworm-backports (6.12); default: the whole matrix (VM_MATRIX).
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
# matrix).
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
CACHE=$TOP/tests/vm/cache
DOC=$TOP/Documentation/vm-matrix.rst
DEFAULT_MATRIX="amd64:bullseye amd64:bookworm amd64:bookworm-backports armhf:bullseye armhf:bookworm"
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

version_of() {	# the kernel series a suite ships
	case $1 in
	bullseye) echo 5.10 ;;
	bookworm) echo 6.1 ;;
	bookworm-backports) echo 6.12 ;;
	*) echo "?" ;;
	esac
}
qarch() { case $1 in amd64) echo x86_64 ;; armhf) echo armhf ;; esac; }
label() { echo "$(qarch "${1%%:*}") $(version_of "${1#*:}")"; }

# --- QEMU -------------------------------------------------------------------
need_pkgs=""
for e in $MATRIX; do
	case ${e%%:*} in
	amd64) command -v qemu-system-x86_64 >/dev/null || need_pkgs="$need_pkgs qemu-system-x86" ;;
	armhf) command -v qemu-system-arm >/dev/null || need_pkgs="$need_pkgs qemu-system-arm" ;;
	*) echo "FAIL vm: $e: architecture must be amd64 or armhf"; exit 1 ;;
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

	[ "$arch" = armhf ] && cross=(CROSS_COMPILE=arm-linux-gnueabihf-)
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
		tests/vm/guest/test.sh tests/vm/guest/bypass.sh \
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
	echo "$backend" > "$r/etc/vm-backend"
	# The module run: the shipped configuration, told to use the module.
	if [ "$backend" = module ]; then
		printf '%s\n' "backend = module" "module = /lib/modules/p2pguard.ko" \
			>> "$r/etc/p2pguard.conf"
	fi
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
}

boot() {	# boot ARCH KDIR INITRD LOG
	local arch=$1 kdir=$2 initrd=$3 log=$4
	local append="rdinit=/init panic=-1 quiet loglevel=3"
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
	esac
}

# info KEY CONSOLE: an INFO value ("|" separates the table's fields).
info() { sed -n "s/^INFO $1=//p" "$2" | head -1 | tr -d '\r' | tr '|' '/'; }

# explain CONSOLE: the kernel feature that a refusal of the program points
# to, for the messages whose cause is known.
explain() {
	if grep -q '^VERIFIER-HEAD btf_vmlinux is malformed' "$1"; then
		echo "the kernel has no vmlinux BTF (CONFIG_DEBUG_INFO_BTF), without which the verifier cannot tell that the struct __sk_buff * argument of the global function p2pg_classify_pkt() is the context: 5.10 refuses the argument, 6.1 takes it for plain memory, which the helpers that need the context then refuse"
	fi
}

mkdir -p "$OUT"
: > "$TMP/rows"
built=" "
for e in $MATRIX; do
	arch=${e%%:*} suite=${e#*:} lbl=$(label "$e")
	t_start=$(date +%s)
	if ! kdir=$(tests/vm/fetch.sh "$CACHE" "$arch" "$suite" 2> "$TMP/fetch.err" |
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
	if [ -f kmod/Kbuild ] || [ -f kmod/Makefile ]; then
		tests/kmod/build.sh "$e" > "$TMP/kmod.out" 2>&1
		ko=$(awk -v e="$e" '$1 == "KO" && $2 == e { print $3 }' "$TMP/kmod.out")
		if [ -z "$ko" ]; then
			echo "FAIL vm $lbl: the kernel module did not build:"
			grep -v '^KO ' "$TMP/kmod.out" | sed 's/^/    /'
			fails=$((fails + 1))
		fi
	fi
	for backend in $BACKENDS; do
		# The module run: p2pguardd with backend = module, the eBPF
		# path kept off, so that the module alone enforces.
		lbl=$(label "$e")
		if [ "$backend" = module ]; then
			lbl="$lbl module"
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
		say "booting $lbl ($(cat "$kdir/package"))"
		: > "$log"
		boot "$arch" "$kdir" "$initrd" "$log"
		qrc=$?
		secs=$(( $(date +%s) - t_start ))
		tr -d '\r' < "$log" > "$TMP/console"
		grep -E '^(PASS|FAIL|SKIP) ' "$TMP/console"
		p=$(grep -c '^PASS ' "$TMP/console")
		f=$(grep -c '^FAIL ' "$TMP/console")
		s=$(grep -c '^SKIP ' "$TMP/console")
		if ! grep -q '^VMDONE' "$TMP/console"; then
			if [ "$qrc" = 124 ]; then
				why="timed out after $TIMEOUT s"
			else
				why="QEMU exit $qrc"
			fi
			echo "FAIL vm $lbl: the guest did not finish ($why); console tail:"
			tail -25 "$TMP/console" | sed 's/^/    /'
			f=$((f + 1))
		fi
		fails=$((fails + f))
		loaded=$(info load "$TMP/console")
		case $loaded in
		yes) loaded=yes ;;
		no) loaded="no: $(info why "$TMP/console")" ;;
		*) loaded="?" ;;
		esac
		insns=$(info insns "$TMP/console")
		# Both programs: the entry and the one it tail-calls.
		vins=$(info verified_insns "$TMP/console")
		vfull=$(info verified_insns_full "$TMP/console")
		vins=$(( ${vins:-0} + ${vfull:-0} ))
		[ "${vins:-0}" = 0 ] && vins="n/a"
		# What p2pguardd found; vmprobe's probe (before cgroup2 was
		# mounted) when the daemon wrote no status.
		feat=$(info daemon_features "$TMP/console")
		miss=$(info daemon_missing "$TMP/console")
		if [ -z "$feat" ]; then
			feat=$(info features "$TMP/console")
			miss=$(info missing "$TMP/console")
		fi
		att=$(info attach "$TMP/console")
		kver=$(info kernel "$TMP/console")
		jit=$(info jit "$TMP/console")
		# The verifier's own last word, when it refused.
		msg=""
		[ "$loaded" = yes ] || msg=$(grep '^VERIFIER ' "$TMP/console" |
			grep -vE '^VERIFIER (processed|verification time|stack depth) ' |
			tail -1 | cut -c10- | tr '|' '/')
		cause=$(explain "$TMP/console")
		printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "${kver:-$(cat "$kdir/package")}" \
			"$(qarch "$arch")/$backend" "$loaded" "${insns:--}" "$vins" \
			"${feat:--}" "${miss:-none}" "${att:--}" "$p" "$f" "$s" "$secs" \
			"${jit:--}" "$msg" "$cause" >> "$TMP/rows"
		# The verifier's words, when it refused.
		grep '^VERIFIER ' "$TMP/console" | grep -q . && [ "${loaded%%:*}" != yes ] &&
			{
				echo "vm $lbl: verifier log (head and tail):"
				grep '^VERIFIER-HEAD ' "$TMP/console" | sed 's/^VERIFIER-HEAD /    /'
				echo "    ..."
				grep '^VERIFIER ' "$TMP/console" | tail -30 | sed 's/^VERIFIER /    /'
			}
		[ "${VM_KEEP:-0}" = 1 ] || rm -f "$initrd"
		say "$lbl: $p passed, $f failed, $s skipped in $secs s"
	done
done

total=$(( $(date +%s) - start_all ))
date=$(date -u +%Y-%m-%d)
echo
fmt='%-22s %-14s %-6s %-7s %-8s %-4s %-5s %-5s %-5s %s\n'
# shellcheck disable=SC2059
printf "$fmt" kernel arch/backend loaded insns verified jit pass fail skip secs
while IFS='|' read -r k a l i v fe mi at p f s t j m c; do
	# shellcheck disable=SC2059
	printf "$fmt" "$k" "$a" "${l%%:*}" "$i" "$v" "${j%% *}" "$p" "$f" "$s" "$t"
	[ "${l%%:*}" = yes ] || echo "    not loaded: ${l#no: }${m:+; verifier: $m}${c:+; cause: $c}"
	echo "    features: $fe; missing: $mi; attach: $at"
	[ "${j%% *}" = no ] && echo "    JIT: $j"
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

``make vm-check`` (``tests/vm/run.sh``) boots Debian's kernel images under
QEMU with software emulation (no KVM), each with a BusyBox initramfs that
holds the statically linked ``p2pguardd``/``p2pguardctl``, the test
programs and the kernel's own ``veth`` module.  Inside each guest,
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
then a malformed policy blob is refused (kernel log, generation unchanged)
while the old policy keeps dropping a PPPP flood, and ``p2pguardctl
unload`` removes the module, its sysfs directory and its device, after
which PPPP arrives again.

Columns: *insns* is the verifier's "processed N insns" (log level 4, any
kernel) of the two programs together, the entry ``p2pguard_egress`` and
``p2pguard_full``, which it tail-calls; *verified* is their
``bpf_prog_info.verified_insns`` (5.16 and later); *JIT* says whether the
JIT compiled the programs that run (else the interpreter runs them, and
the kernel log names the instruction the JIT lacks; on armhf the JIT
compiles the entry but not ``p2pguard_full``, so ``p2pguard_full`` is
attached alone, internals.rst); *features* and *missing* are what
``p2pguardd`` found (its status file).  Kernels are the current images of
the Debian suite named, downloaded with ``apt-get download`` and never
installed.

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
		while IFS='|' read -r k a l i v fe mi at p f s t j m c; do
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
			while IFS='|' read -r k a l i v fe mi at p f s t j m c; do
				[ "${l%%:*}" = yes ] && continue
				echo "* $k ($a): ${l#no: }${m:+: \`\`$m\`\`}${c:+.  Cause: $c.}"
			done < "$TMP/rows"
		fi
	} > "$DOC"
	say "table written to Documentation/vm-matrix.rst"
fi
[ "$fails" -eq 0 ]
