# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=sh
#
# Sourced by the guest's S10vmnet and bypass.sh.
#
# veth_pair NAME PEER PID: a veth pair, NAME here and PEER in the network
# namespace of process PID.  The pair is made without names: BusyBox ip
# cannot name a veth's peer, and old kernels (4.9 does) give a veth named
# without its peer the same name for the peer, and fail with EEXIST.  The
# new pair is then the only two vethN here (earlier pairs were renamed),
# whatever the kernel says of their link (3.10 says nothing).
veth_pair() {
	ip link add type veth || return 1
	vp_new=$(ip -o link show | sed -n 's/^[0-9]*: \(veth[0-9]*\)[@:].*/\1/p' | tr '\n' ' ')
	# shellcheck disable=SC2086 # two names
	set -- "$@" $vp_new
	[ $# -eq 5 ] || return 1
	ip link set "$4" name "$1" || return 1
	ip link set "$5" name "$2" netns "$3"
}
