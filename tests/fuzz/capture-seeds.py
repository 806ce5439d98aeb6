#!/usr/bin/env python3
# Capture real rtnetlink messages as fuzz seeds (tests/fuzz/seeds/netlink/):
# a link dump, an address dump and error acks with the kernel's text,
# from a network namespace this script makes (root) and removes. The SAs
# of tests/fuzz/seeds/xfrm/ are built to the kernel's layout instead
# (<linux/xfrm.h>, x86-64): this kernel has no ESP to dump them from.
#   python3 tests/fuzz/capture-seeds.py
import os, socket, struct, subprocess, sys

NS = "xfwd-seeds"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "netlink")
RTM_GETLINK, RTM_GETADDR, RTM_NEWROUTE, NLMSG_ERROR = 18, 22, 24, 2
F_REQUEST, F_ACK, F_DUMP, F_CREATE = 1, 4, 0x300, 0x400
NETLINK_EXT_ACK, NETLINK_CAP_ACK, SOL_NETLINK = 11, 10, 270


def sh(*cmd):
    subprocess.run(cmd, check=True)


def request(s, mtype, flags, payload):
    s.send(struct.pack("=IHHII", 16 + len(payload), mtype, F_REQUEST | flags, 1, 0) + payload)
    msgs = []
    while True:
        data = s.recv(65536)
        off = 0
        while off + 16 <= len(data):
            ln, t = struct.unpack_from("=IH", data, off)
            msgs.append(data[off:off + ln])
            if t in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                return msgs
            off += (ln + 3) & ~3


def save(name, msg):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(msg)


def capture():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    for m in request(s, RTM_GETLINK, F_DUMP, struct.pack("=BxHiII", 0, 0, 0, 0, 0)):
        if struct.unpack_from("=H", m, 4)[0] == 16:
            save("link_%d.bin" % struct.unpack_from("=i", m, 20)[0], m)
    for i, m in enumerate(request(s, RTM_GETADDR, F_DUMP, struct.pack("=BBBBI", 0, 0, 0, 0, 0))):
        if struct.unpack_from("=H", m, 4)[0] == 20:
            save("addr_%d.bin" % i, m)
    # A route over a device that is down: refused, with the kernel's text.
    rtm = struct.pack("=BBBBBBBBI", socket.AF_INET, 24, 0, 0, 254, 4, 0, 1, 0)
    rta = struct.pack("=HH4s", 8, 1, bytes([10, 9, 9, 0])) + struct.pack("=HHI", 8, 4, 2)  # RTA_DST, RTA_OIF
    rta += struct.pack("=HH4s", 8, 5, bytes([10, 9, 8, 1]))  # RTA_GATEWAY
    save("ack_extack.bin", request(s, RTM_NEWROUTE, F_ACK | F_CREATE, rtm + rta)[-1])
    full = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # the request echoed
    full.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    save("ack_extack_full.bin", request(full, RTM_NEWROUTE, F_ACK | F_CREATE, rtm + rta)[-1])
    rta = struct.pack("=HH4s", 8, 1, bytes([10, 9, 9, 0])) + struct.pack("=HHI", 8, 4, 1)
    save("ack_ok.bin", request(full, RTM_NEWROUTE, F_ACK | F_CREATE, rtm + rta)[-1])


def sa(family, spi, if_id, key):
    """An XFRM_MSG_NEWSA as a dump answers: xfrm_usersa_info (224 bytes),
    XFRMA_ALG_AEAD (name[64], key bits, ICV bits, key), XFRMA_IF_ID."""
    alen = 4 if family == socket.AF_INET else 16
    info = bytearray(224)
    info[56:56 + alen] = bytes([10, 0, 0, 2] if alen == 4 else [0x20, 1, 0xd, 0xb8] + [0] * 11 + [2])
    struct.pack_into(">I", info, 72, spi)
    info[76] = 50  # IPPROTO_ESP
    info[80:80 + alen] = bytes([10, 0, 0, 1] if alen == 4 else [0x20, 1, 0xd, 0xb8] + [0] * 11 + [1])
    struct.pack_into("=QQQQ", info, 160, 1000, 123456, 1733280000, 0)
    struct.pack_into("=III", info, 192, 0, 3, 1)
    struct.pack_into("=IIHB", info, 204, 7, 0x78660000 | if_id, family, 1)
    aead = b"rfc4106(gcm(aes))".ljust(64, b"\0") + struct.pack("=II", len(key) * 8, 128) + key
    attrs = struct.pack("=HH", 4 + len(aead), 18) + aead + b"\0" * (-len(aead) % 4)
    attrs += struct.pack("=HHI", 8, 31, if_id)
    body = bytes(info) + attrs
    return struct.pack("=IHHII", 16 + len(body), 16, 2, 1, 0) + body


def xfrm_seeds():
    out = os.path.join(os.path.dirname(OUT), "xfrm")
    os.makedirs(out, exist_ok=True)
    key = bytes(range(1, 21))
    for name, msg in (("sa4.bin", sa(socket.AF_INET, 0x100, 7, key)),
                      ("sa6.bin", sa(socket.AF_INET6, 0x200, 9, key[:36] + key[:16]))):
        with open(os.path.join(out, name), "wb") as f:
            f.write(msg)


if __name__ == "__main__":
    xfrm_seeds()
    if len(sys.argv) > 1 and sys.argv[1] == "--in-ns":
        capture()
        sys.exit(0)
    sh("ip", "netns", "add", NS)
    try:
        for cmd in ("link set lo up", "link add d0 type veth peer name d1", "link add d2 type veth peer name d3",
                    "link add vx0 type vxlan id 42 dstport 4789 local 10.1.0.1 dev d0",
                    "addr add 10.1.0.1/24 dev d0", "addr add 10.2.0.1 peer 10.2.0.2/32 dev d2",
                    "addr add 2001:db8::1/64 dev d0 nodad", "link set d0 up"):
            sh("ip", "-n", NS, *cmd.split())
        sh("ip", "netns", "exec", NS, sys.executable, os.path.abspath(__file__), "--in-ns")
    finally:
        sh("ip", "netns", "del", NS)
