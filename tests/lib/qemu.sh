# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=sh
#
# qemu.sh - QEMU command lines shared by tests/vm/run.sh and
# tests/buildroot/image.sh.  POSIX sh.
#
#   p2pg_qemu_vexpress_a9 KERNEL DTB INITRD APPEND LOG TIMEOUT
#       boots QEMU's vexpress-a9 (Cortex-A9, the board of Buildroot's
#       qemu_arm_vexpress and of the old ARM kernels) with 256 MiB, the
#       console (ttyAMA0) into LOG, no display, no audio, and no network
#       backend: what the guest sends leaves no guest.  Ends after TIMEOUT
#       seconds at the latest; returns timeout's status.

p2pg_qemu_vexpress_a9() {
	QEMU_AUDIO_DRV=none timeout "$6" qemu-system-arm \
		-M vexpress-a9 -smp 2 -m 256M -dtb "$2" \
		-kernel "$1" -initrd "$3" -append "$4" -display none \
		-serial "file:$5" -monitor none -net none -no-reboot
}
