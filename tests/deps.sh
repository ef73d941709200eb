#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Install the Debian packages p2pguard needs to build and test, only those
# missing, so `make check` and `make demo` work on a fresh Debian 12.
set -eu

PKGS="make gcc clang llvm libbpf-dev bpftool libpcap-dev libelf-dev zlib1g-dev
libzstd-dev pkg-config linux-libc-dev libclang-rt-14-dev iproute2 procps
sparse pahole"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
