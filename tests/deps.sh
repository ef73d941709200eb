#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Install the Debian packages p2pguard needs, only those missing, so that
# the README's two commands work on a fresh Debian 12:
#   tests/deps.sh build   building and "make demo" (make deps-build)
#   tests/deps.sh test    all of that, and what "make check" runs: QEMU for
#                         the VM matrix and the cross binaries, the cross
#                         compilers, Buildroot's check-package (make deps)
set -eu
cd "$(dirname "$0")/.."
. tests/lib/apt.sh

BUILD_PKGS="make gcc clang llvm libbpf-dev bpftool libpcap-dev libelf-dev
zlib1g-dev libzstd-dev pkg-config linux-libc-dev libclang-rt-14-dev iproute2
procps util-linux"
# Cross compilers: armhf and arm64 programs (tests/cross), the module for
# the old ARM and MIPS kernels (tests/kmod/old-kernels.sh).  QEMU: the VM
# matrix (system) and the cross binaries on their CPU (user).  sparse and
# pahole: the module's checks.  python3-magic, flake8, shellcheck:
# Buildroot's check-package.  haserl, busybox (httpd, awk), chromium,
# libjs-bootstrap5: the status pages' test (tests/webui).  node_exporter,
# promtool (in prometheus), mosquitto and its clients, curl, tcpdump,
# prometheus_client's OpenMetrics parser: the fleet export and replay
# test (tests/live/test_fleet.sh).
TEST_PKGS="sparse pahole file cpio xz-utils qemu-system-x86 qemu-system-arm
qemu-user-static gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-mipsel-linux-gnu
python3-magic flake8 shellcheck haserl busybox chromium libjs-bootstrap5
prometheus-node-exporter prometheus mosquitto mosquitto-clients curl tcpdump
python3-prometheus-client"

case ${1:-test} in
build) pkgs=$BUILD_PKGS ;;
test) pkgs="$BUILD_PKGS $TEST_PKGS" ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # a list of package names
p2pg_apt_install deps $pkgs
