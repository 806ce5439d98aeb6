#!/usr/bin/env python3
# A counter-stamped UDP stream, loss counted from sequence gaps.
#   seqstream.py recv PORT OUT       until the sender's end mark (or 120 s),
#                                    then write "received N lost M" to OUT
#   seqstream.py send DST PORT PPS SECONDS [STOP]   then send the end
#                                    mark; sooner once the file STOP exists
# Each datagram carries its sequence number (8 bytes); lost = sent -
# distinct received, the count of sent taken from the end mark.
import os, socket, struct, sys, time

END = 0xFFFFFFFFFFFFFFFF


def recv(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # A receiver starved for a while (the emulated guest, busy verifying a
    # restarting daemon's program) must not drop what crossed the router:
    # SO_RCVBUF is capped by net.core.rmem_max (~200 KiB, a few hundred
    # datagrams); root may force 32 MiB (SO_RCVBUFFORCE, 33).
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", port))
    s.settimeout(120)
    seen, sent = set(), None
    try:
        while sent is None:
            seq, n = struct.unpack("!QQ", s.recv(64)[:16])
            if seq == END:
                sent = n
            else:
                seen.add(seq)
    except socket.timeout:
        pass
    with open(out, "w") as f:
        if sent is None:
            f.write("received %d lost unknown: no end mark\n" % len(seen))
        else:
            f.write("received %d lost %d\n" % (len(seen), sent - len(seen)))
            gaps = [q for q in range(sent) if q not in seen][:8]
            if gaps:  # when in the stream: which phase of the fault lost it
                f.write("missing %s (of %d at a steady rate)\n" % (" ".join(map(str, gaps)), sent))


def send(dst, port, pps, seconds, stop=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    total = int(pps * seconds)
    start = time.monotonic()
    for seq in range(total):
        ahead = start + seq / pps - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        # what the test covered is over: the mark counts what was sent
        if stop and seq % 50 == 0 and os.path.exists(stop):
            total = seq
            break
        s.sendto(struct.pack("!QQ", seq, 0) + b"x" * 48, (dst, port))
    time.sleep(0.5)  # what is in flight arrives before the mark
    for _ in range(5):
        s.sendto(struct.pack("!QQ", END, total), (dst, port))
        time.sleep(0.05)


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(int(sys.argv[2]), sys.argv[3])
    else:
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]),
             sys.argv[6] if len(sys.argv) > 6 else None)
