#!/usr/bin/env python3
# Many UDP flows at a steady rate, and which way each one arrived: for a
# fleet behind ECMP (tests/net/test_fleet.sh, docs/fleet.md).
#   flowstream.py send DST PORT FLOWS RATE PROGRESS STOP
#       FLOWS sockets (source ports 20000 + i), a datagram from each
#       RATE times a second (one "round", paced over its time), until
#       the file STOP exists;
#       the round number written to PROGRESS as it goes; then end marks
#   flowstream.py recv PORT OUT
#       until the end mark: OUT gets one line per flow, a character per
#       round: the last digit of the interface it arrived on (s1 -> 1),
#       '.' when it did not arrive
#   flowstream.py moved OUT FROM TO
#       flows whose way differs between the last round <= FROM it arrived
#       in and the first >= TO; prints "moved N of F from X to Y lost L"
#       (X, Y: how many moved from and to each way; L: datagrams missing
#       in rounds FROM..TO)
#   flowstream.py ways OUT ROUND
#       how many flows took each way at ROUND: "1:N 2:M ..."
import os, socket, struct, sys, time

END = 0xFFFFFFFF
IP_PKTINFO = 8


def send(dst, port, flows, rate, progress, stop):
    socks = []
    for i in range(flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 20000 + i))
        socks.append(s)
    start, rnd = time.monotonic(), 0
    while not os.path.exists(stop):
        # Paced over the round in steps of 50 datagrams, not a burst: a
        # path that is away for a few ms loses what was sent meanwhile.
        for i, s in enumerate(socks):
            if i % 50 == 0:
                ahead = start + (rnd + i / flows) / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            s.sendto(struct.pack("!II", i, rnd) + b"x" * 32, (dst, port))
        rnd += 1
        if rnd % max(1, rate // 10) == 0:
            with open(progress + ".tmp", "w") as f:
                f.write("%d\n" % rnd)
            os.replace(progress + ".tmp", progress)
    time.sleep(0.5)  # what is in flight arrives before the mark
    for _ in range(5):
        socks[0].sendto(struct.pack("!II", END, rnd), (dst, port))
        time.sleep(0.05)


def recv(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind(("0.0.0.0", port))
    s.settimeout(300)
    seen, names, rounds = {}, {}, None
    try:
        while rounds is None:
            data, anc, _, _ = s.recvmsg(64, 64)
            flow, rnd = struct.unpack("!II", data[:8])
            if flow == END:
                rounds = rnd
                continue
            ifindex = next((struct.unpack("I", d[:4])[0] for l, t, d in anc
                            if l == socket.IPPROTO_IP and t == IP_PKTINFO), 0)
            if ifindex not in names:
                names[ifindex] = socket.if_indextoname(ifindex)[-1] if ifindex else "?"
            seen.setdefault(flow, {})[rnd] = names[ifindex]
    except socket.timeout:
        pass
    rounds = rounds or 1 + max((max(v) for v in seen.values()), default=0)
    flows = 1 + max(seen, default=-1)
    with open(out, "w") as f:
        for flow in range(flows):
            got = seen.get(flow, {})
            f.write("".join(got.get(r, ".") for r in range(rounds)) + "\n")


def moved(out, first, last):
    lines = [l.rstrip("\n") for l in open(out)]
    n, lost, frm, to = 0, 0, {}, {}
    for l in lines:
        before = next((c for c in reversed(l[:first + 1]) if c != "."), None)
        after = next((c for c in l[last:] if c != "."), None)
        lost += l[first:last + 1].count(".")
        if before and after and before != after:
            n += 1
            frm[before] = frm.get(before, 0) + 1
            to[after] = to.get(after, 0) + 1
    fmt = lambda d: ",".join("%s:%d" % kv for kv in sorted(d.items())) or "-"
    print("moved %d of %d from %s to %s lost %d" % (n, len(lines), fmt(frm), fmt(to), lost))


def ways(out, rnd):
    count = {}
    for l in open(out):
        c = next((c for c in reversed(l.rstrip("\n")[:rnd + 1]) if c != "."), "-")
        count[c] = count.get(c, 0) + 1
    print(" ".join("%s:%d" % kv for kv in sorted(count.items())))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7])
    elif cmd == "recv":
        recv(int(sys.argv[2]), sys.argv[3])
    elif cmd == "ways":
        ways(sys.argv[2], int(sys.argv[3]))
    else:
        moved(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
