#!/usr/bin/env python3
# A process that is not the kernel sends an RTM_NEWROUTE for PREFIX/LEN
# via GW dev OIF in TABLE, unicast, to every other process's route socket
# that listens to route events in this network namespace (xfwd's event
# socket among them). Prints how many took it: 0 when each refused
# (ECONNREFUSED: the socket accepts the kernel only).
#   forge-route.py TABLE PREFIX LEN GW OIF
import errno, os, socket, struct, sys

table, prefix, plen, gw, oif = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
rtm = struct.pack("=BBBBBBBBI", socket.AF_INET, plen, 0, 0, int(table), 186, 0, 1, 0)  # RTPROT_BGP, unicast
attrs = struct.pack("=HH4s", 8, 1, socket.inet_aton(prefix)) + struct.pack("=HH4s", 8, 5, socket.inet_aton(gw))
attrs += struct.pack("=HHI", 8, 4, oif)
msg = struct.pack("=IHHII", 16 + len(rtm) + len(attrs), 24, 0, 1, 0) + rtm + attrs  # RTM_NEWROUTE

me = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
me.bind((0, 0))
taken = refused = 0
with open("/proc/net/netlink") as f:
    for line in f.readlines()[1:]:
        cols = line.split()
        proto, pid, groups = int(cols[1]), int(cols[2]), int(cols[3], 16)
        if proto != 0 or pid in (0, me.getsockname()[0]) or not groups:
            continue
        try:
            me.sendto(msg, (pid, 0))
            taken += 1
        except OSError as e:
            if e.errno != errno.ECONNREFUSED:
                raise
            refused += 1
if taken + refused == 0:
    sys.exit("forge-route.py: no route socket listens to events here: is the daemon running?")
print(taken)
