# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=sh
#
# qemu.sh - QEMU command lines shared by tests/vm/run.sh and
# tests/buildroot/image.sh.  POSIX sh.
#
#   p2pg_qemu_vexpress_a9 KERNEL DTB INITRD APPEND LOG TIMEOUT [ARG...]
#       boots QEMU's vexpress-a9 (Cortex-A9, the board of Buildroot's
#       qemu_arm_vexpress and of the old ARM kernels) with 256 MiB, the
#       console (ttyAMA0) into LOG, no display and no audio; ARGs are more
#       QEMU options, for the network: "-net none" (no NIC at all), or
#       "-net nic,model=lan9118" (the board's NIC, on no backend: what the
#       guest sends through it leaves no guest).  Ends after TIMEOUT
#       seconds at the latest; returns timeout's status.

p2pg_qemu_vexpress_a9() {
	_k=$1 _dtb=$2 _initrd=$3 _append=$4 _log=$5 _timeout=$6
	shift 6
	QEMU_AUDIO_DRV=none timeout "$_timeout" qemu-system-arm \
		-M vexpress-a9 -smp 2 -m 256M -dtb "$_dtb" \
		-kernel "$_k" -initrd "$_initrd" -append "$_append" \
		-display none -serial "file:$_log" -monitor none -no-reboot "$@"
}
