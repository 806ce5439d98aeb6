#!/usr/bin/env python3
# A Gateway Load Balancer's side of the GENEVE exchange (docs/gwlb.md):
#   gwlb_peer.py SRC APPLIANCE COUNT DPORT [6]
# sends COUNT GENEVE datagrams from SRC (an ephemeral UDP port) to the
# appliance's 6081, as AWS documents them: VNI 0, the inner packet's
# protocol, class 0x0108's options (endpoint id, attachment id, flow
# cookie); inside, a TCP packet to DPORT (IPv6 with "6"), each with its
# own cookie and payload. Then it takes what comes back to SRC's 6081 for
# a second (times XFWD_TEST_SLOW) and prints "sent N returned M identical K from-port P":
# identical = byte for byte what was sent (GENEVE header, options and
# inner packet), from the appliance; P: 1 when every reply kept our UDP
# source port.
import os, socket, struct, sys, time

# The emulated 6.1 guest runs ~10x slower (tests/vm/suite-6.1.sh).
SLOW = int(os.environ.get("XFWD_TEST_SLOW", "1"))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def inner(v6, dport, i):
    payload = struct.pack("!I", i) + bytes(range(36))
    tcp = struct.pack("!HHIIBBHHH", 40000 + i, dport, i, 0, 5 << 4, 0x02, 65535, 0, 0) + payload
    if v6:
        src = socket.inet_pton(socket.AF_INET6, "2001:db8:50::1")
        dst = socket.inet_pton(socket.AF_INET6, "2001:db8:60::2")
        return struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + src + dst + tcp
    src = socket.inet_aton("10.50.0.1")
    dst = socket.inet_aton("10.60.0.2")
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + tcp


def geneve(v6, dport, i):
    opts = (struct.pack("!HBB", 0x0108, 1, 2) + bytes.fromhex("6a13529c00112233") +
            struct.pack("!HBB", 0x0108, 2, 2) + bytes.fromhex("8f01020304050607") +
            struct.pack("!HBB", 0x0108, 3, 1) + struct.pack("!I", 0xC00C0000 + i))
    hdr = struct.pack("!BBHI", len(opts) // 4, 0, 0x86DD if v6 else 0x0800, 0)
    return hdr + opts + inner(v6, dport, i)


def main():
    src, appliance, count, dport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    v6 = len(sys.argv) > 5 and sys.argv[5] == "6"
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.bind((src, 6081))
    back.settimeout(1.0 * SLOW)
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.bind((src, 0))
    port = out.getsockname()[1]
    sent = [geneve(v6, dport, i) for i in range(count)]
    for d in sent:
        out.sendto(d, (appliance, 6081))
    returned = identical = 0
    ports_kept = 1
    end = time.monotonic() + 1.0 * SLOW
    while time.monotonic() < end:
        try:
            data, (addr, sport) = back.recvfrom(4096)
        except socket.timeout:
            break
        returned += 1
        identical += addr == appliance and data in sent
        ports_kept &= sport == port
    print("sent %d returned %d identical %d from-port %d" % (count, returned, identical, ports_kept))


if __name__ == "__main__":
    main()
