#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""UDP traffic of tests/live/test_fleet.sh, between its namespaces only.

  fleet_udp.py send         the camera's datagrams (see DATAGRAMS)
  fleet_udp.py burst N      a STUN request to each of N addresses
                            198.51.100.100.. (no host there: dropped
                            before it leaves when P2P is off)
  fleet_udp.py inbound      a STUN request from the WAN host to the camera
  fleet_udp.py recv OUT     listen on every DATAGRAMS destination, and the
                            camera's own (ADDR PORT LEN per datagram to OUT)
  fleet_udp.py listen-cam OUT   the camera's listener for "inbound"
"""
import os
import select
import signal
import socket
import struct
import sys

STUN_COOKIE = 0x2112A442


def stun(tag, size=20):
    """A STUN Binding Request of SIZE bytes (a PADDING attribute fills it)."""
    tid = tag.encode().ljust(12, b"_")[:12]
    if size == 20:
        return struct.pack("!HHI", 1, 0, STUN_COOKIE) + tid
    alen = size - 24
    return (struct.pack("!HHI", 1, size - 20, STUN_COOKIE) + tid +
            struct.pack("!HH", 0x0026, alen) + b"\0" * alen)


# name, family, destination, port, payload.  C is larger than the MTU:
# the kernel sends it as two IPv4 fragments.
DATAGRAMS = [
    ("A", socket.AF_INET, "198.51.100.1", 3478, stun("A")),
    ("B", socket.AF_INET, "198.51.100.7", 3480, stun("B")),
    ("C", socket.AF_INET, "198.51.100.1", 3479, stun("C", 2000)),
    ("D", socket.AF_INET, "198.51.100.1", 5000, b"hello, not p2p"),
    ("E", socket.AF_INET6, "2001:db8::1", 3478, stun("E")),
]
CAM = ("198.51.100.2", 3478)


def send():
    for _, fam, addr, port, data in DATAGRAMS:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET:
            # Fragments, not an EMSGSIZE: no path MTU discovery.
            s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER: DONT
        try:
            s.sendto(data, (addr, port))
        except OSError as e:  # EPERM: dropped by the egress program
            print("%s:%d %s" % (addr, port, e.strerror), file=sys.stderr)
        s.close()


def burst(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(n):
        try:
            s.sendto(stun("burst%d" % i), ("198.51.100.%d" % (100 + i), 3478))
        except OSError:
            pass


def inbound():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(stun("in"), CAM)


def listen(out, addrs):
    socks = []
    for fam, addr, port in addrs:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, port))
        socks.append((s, addr, port))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    with open(out, "a", buffering=1) as f:
        f.write("ready\n")
        while True:
            r, _, _ = select.select([s for s, _, _ in socks], [], [])
            for s, addr, port in socks:
                if s in r:
                    data = s.recv(65535)
                    f.write("%s %d %d\n" % (addr, port, len(data)))


def main():
    cmd = sys.argv[1]
    if cmd == "send":
        send()
    elif cmd == "burst":
        burst(int(sys.argv[2]))
    elif cmd == "inbound":
        inbound()
    elif cmd == "recv":
        listen(sys.argv[2], [(f, a, p) for _, f, a, p, _ in DATAGRAMS])
    elif cmd == "listen-cam":
        listen(sys.argv[2], [(socket.AF_INET,) + CAM])
    else:
        sys.exit("usage: see the top of " + os.path.basename(sys.argv[0]))


if __name__ == "__main__":
    main()
