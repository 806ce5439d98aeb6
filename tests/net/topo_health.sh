# Two xfwd appliances a and b joined by two GRE tunnels t1, t2 over two
# underlay paths through m (a bridge each), ECMP over both; each daemon
# probes every 10 ms x XFWD_TEST_SLOW (down after 3 missed, 500 ms
# hold-down). Used by tests/net/test_health.sh and bench/health_run.sh;
# needs lib.sh and $tmp.
#
#   c -- a =u1= [m: bridge br1] =v1= b -- s
#          =u2= [m: bridge br2] =v2=
SLOW=${XFWD_TEST_SLOW:-1}
HOLD=$((500 * SLOW))
PROBE="probe udp probe-interval $((10 * SLOW)) probe-multiplier 3 hold-down $HOLD"
DA='' DB=''

pair_build() {
	add_ns c; add_ns a; add_ns m; add_ns b; add_ns s
	link c c0 a a-c; link b b-s s s0
	link a a-u1 m m1; link m v1 b b-v1; link a a-u2 m m2; link m v2 b b-v2
	for i in 1 2; do
		nsx m ip link add br$i type bridge
		nsx m ip link set m$i master br$i; nsx m ip link set v$i master br$i
		nsx m ip link set br$i up
		host_if m m$i; host_if m v$i
		nsx a ip addr add 192.0.$((i + 1)).1/24 dev a-u$i
		nsx b ip addr add 192.0.$((i + 1)).2/24 dev b-v$i
	done
	nsx c ip addr add 10.10.1.10/24 dev c0; nsx c ip route add default via 10.10.1.1
	nsx s ip addr add 10.20.1.10/24 dev s0; nsx s ip route add default via 10.20.1.1
	nsx a ip addr add 10.10.1.1/24 dev a-c; nsx b ip addr add 10.20.1.1/24 dev b-s
	host_if c c0; host_if s s0
	for n in a b; do nsx $n sysctl -qw net.ipv4.ip_forward=0; done
	# Underlay neighbours resolved once, for good: a cut must not be an ARP failure.
	for i in 1 2; do
		nsx a ip neigh replace 192.0.$((i + 1)).2 lladdr "$(nsx b cat /sys/class/net/b-v$i/address)" dev a-u$i nud permanent
		nsx b ip neigh replace 192.0.$((i + 1)).1 lladdr "$(nsx a cat /sys/class/net/a-u$i/address)" dev b-v$i nud permanent
	done
}

# pair_conf NS LOCAL-SUFFIX PEER-SUFFIX HOST-DEV HOST-NET HOST FAR-NET
# UNDERLAY-DEVS [EXTRA]: $tmp/NS.conf, with the file EXTRA appended (more
# [tunnels] and [routes] sections).
pair_conf() {
	cat >"$tmp/$1.conf" <<CONF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-$1
attach = $4 $8
metrics-file = $tmp/$1.prom
metrics-interval = 1
on-health-change = echo "\$XFWD_TUNNEL \$XFWD_STATE \$XFWD_REASON" >>$tmp/notify-$1 && exec grep SigBlk /proc/self/status >>$tmp/sigblk-$1
[tunnels]
tunnel = t1 type gre local 192.0.2.$2 remote 192.0.2.$3 key 1 $PROBE
tunnel = t2 type gre local 192.0.3.$2 remote 192.0.3.$3 key 2 $PROBE
[routes]
route = $5 via $6 dev $4
route = $7 tunnel t1 tunnel t2
CONF
	if [ -n "${9:-}" ]; then cat "$9" >>"$tmp/$1.conf"; fi
}

# pair_start [A-EXTRA [B-EXTRA]]: both daemons running (DA, DB).
pair_start() {
	pair_conf a 1 2 a-c 10.10.1.0/24 10.10.1.10 10.20.0.0/16 "a-u1 a-u2" "${1:-}"
	pair_conf b 2 1 b-s 10.20.1.0/24 10.20.1.10 10.10.0.0/16 "b-v1 b-v2" "${2:-}"
	nsenter --net=/run/netns/$NSP-a "$XFWD" run -c "$tmp/a.conf" 2>"$tmp/a.log" & DA=$!
	nsenter --net=/run/netns/$NSP-b "$XFWD" run -c "$tmp/b.conf" 2>"$tmp/b.log" & DB=$!
	wait_for -t 60 grep -q 'xfwd: running' "$tmp/a.log" || true
	wait_for grep -q 'xfwd: running' "$tmp/b.log" || true
	# A line the daemon could not apply fails checks later: say why here.
	for n in a b; do
		grep -q 'not applied' "$tmp/$n.log" && sed "s/^/  ($n.log) /" "$tmp/$n.log"
	done
	return 0
}

pair_stop() {
	kill $DA $DB 2>/dev/null || true
	wait $DA $DB 2>/dev/null || true
	DA='' DB=''
}

# stream_start SECONDS: a datagram every ms (or as fast as the machine
# can) c -> s; stream_end sets GAP, the longest time in ms between two
# arrivals (the loss window), GAP_AT, when it began (ms after the first
# arrival), GAPS, every gap over 15 ms as MS@WHEN, GOT, how many arrived,
# SENT, and RUN, the longest run of sequence numbers that never arrived
# (the audit of the counter stamps: datagrams lost in a row).
stream_start() {
	nsx s python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)
s.bind(('10.20.1.10', 9000)); s.settimeout(2)
at = []; seen = set()
try:
    while True: seen.add(int(s.recv(64))); at.append(time.monotonic())
except socket.timeout: pass
gaps = [(b - a, a - at[0]) for a, b in zip(at, at[1:])] or [(0, 0)]
gap, when = max(gaps)
big = ','.join('%d@%d' % (g * 1000, w * 1000) for g, w in gaps if g > 0.015) or '-'
seq = sorted(seen) or [0]
run = max([b - a - 1 for a, b in zip(seq, seq[1:])] or [0])
print(int(gap * 1000), len(at), int(when * 1000), big, run)" >"$tmp/stream" 2>"$tmp/stream.err" &
	SPID=$!
	wait_for -t 30 sh_ok "nsx s ss -Hluna 'sport = :9000' | grep -q ." || true # the receiver is bound
	nsx c python3 -c "
import socket, time, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); t0 = time.monotonic(); n = 0
while time.monotonic() - t0 < float(sys.argv[1]):
    s.sendto(str(n).encode(), ('10.20.1.10', 9000)); n += 1; time.sleep(0.001)
open(sys.argv[2], 'w').write(str(n))" "$1" "$tmp/sent" &
	CPID=$!
}
stream_end() {
	wait $CPID; wait $SPID || { cat "$tmp/stream.err"; fail "the stream's receiver ended in error"; }
	read -r GAP GOT GAP_AT GAPS RUN <"$tmp/stream"; SENT=$(cat "$tmp/sent")
}

# The tunnel carrying the stream: the one whose tx counter moves most now.
carrier() {
	local t1=$(tun_pkts a tx t1) t2=$(tun_pkts a tx t2)
	sleep 0.3
	[ $(($(tun_pkts a tx t1) - t1)) -ge $(($(tun_pkts a tx t2) - t2)) ] && echo t1 || echo t2
}
port_of() { [ "$1" = t1 ] && echo 1 || echo 2; }
other() { [ "$1" = t1 ] && echo t2 || echo t1; }
# cut P on|off: path P silently dead (on: m drops its packets both ways
# with tc, every link stays up) or back (off).
cut() { silence m m$1 "$2"; silence m v$1 "$2"; }
health_is() { xf "$1" health | grep -q "^$2: $3 "; }
