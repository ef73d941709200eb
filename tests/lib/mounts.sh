# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# mounts.sh - the two file systems p2pguardd itself mounts when they are
# missing (ensure_mounts() in loader/mounts.c): bpffs at /sys/fs/bpf
# with mode 0700, and a cgroup2 hierarchy.  The live tests, the demo and
# the benchmarks mount them the same way, say so in one line, and unmount
# on exit what they mounted: what was mounted before stays, what was not
# is gone again.  Sourced by tests/live/lib.sh and tests/bench/net.sh.
#
#   p2pg_mounts WHO    mount what is missing; sets CG2 to the cgroup2 mount
#   p2pg_unmounts      unmount, in reverse order, what p2pg_mounts mounted

P2PG_MOUNTED=()

p2pg_mounts() {
	local who=$1

	CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf -o mode=0700 bpf /sys/fs/bpf || return 1
		P2PG_MOUNTED+=(/sys/fs/bpf)
		echo "$who: mounted bpffs at /sys/fs/bpf (mode 0700), as p2pguardd does; unmounted at the end"
	fi
	if [ -z "$CG2" ]; then
		CG2=$(mktemp -d /run/p2pguard-cgroup2.XXXXXX) &&
			mount -t cgroup2 cgroup2 "$CG2" || return 1
		P2PG_MOUNTED+=("$CG2")
		echo "$who: mounted a cgroup2 hierarchy at $CG2; unmounted at the end"
	fi
}

p2pg_unmounts() {
	local i m

	for ((i = ${#P2PG_MOUNTED[@]} - 1; i >= 0; i--)); do
		m=${P2PG_MOUNTED[i]}
		umount "$m" || echo "warning: could not unmount $m" >&2
		case $m in /run/p2pguard-cgroup2.*) rmdir "$m" ;; esac
	done
	P2PG_MOUNTED=()
}
