# client (c) -- router (r) -- server (s), two router-server links for ECMP.
#   c:c0 10.0.1.2  fd00:1::2    r:r0 10.0.1.1  fd00:1::1
#   r:r1 10.0.2.1  fd00:2::1    s:s1 10.0.2.2  fd00:2::2
#   r:r2 10.0.3.1  fd00:3::1    s:s2 10.0.3.2  fd00:3::2
#   service addresses on s: 10.9.0.1, fd00:9::1 (reached over both links)
# Kernel forwarding is off in r: whatever crosses it went through XDP.
build_basic() {
	basic_hosts
	xf r attach r0 r1 r2 >/dev/null
	xf r route add 10.0.1.0/24 via 10.0.1.2 dev r0
	xf r route add 10.9.0.0/24 via 10.0.2.2 dev r1 via 10.0.3.2 dev r2
	xf r route add fd00:1::/64 via fd00:1::2 dev r0
	xf r route add fd00:9::/64 via fd00:2::2 dev r1 via fd00:3::2 dev r2
}

# The three hosts and their addresses, without xfwd.
basic_hosts() {
	add_ns c; add_ns r; add_ns s
	link c c0 r r0
	link r r1 s s1
	link r r2 s s2
	nsx c ip addr add 10.0.1.2/24 dev c0
	nsx c ip -6 addr add fd00:1::2/64 dev c0 nodad
	nsx c ip route add default via 10.0.1.1
	nsx c ip -6 route add default via fd00:1::1
	nsx r ip addr add 10.0.1.1/24 dev r0
	nsx r ip addr add 10.0.2.1/24 dev r1
	nsx r ip addr add 10.0.3.1/24 dev r2
	nsx r ip -6 addr add fd00:1::1/64 dev r0 nodad
	nsx r ip -6 addr add fd00:2::1/64 dev r1 nodad
	nsx r ip -6 addr add fd00:3::1/64 dev r2 nodad
	nsx r sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	nsx s ip addr add 10.0.2.2/24 dev s1
	nsx s ip addr add 10.0.3.2/24 dev s2
	nsx s ip addr add 10.9.0.1/32 dev lo
	nsx s ip -6 addr add fd00:2::2/64 dev s1 nodad
	nsx s ip -6 addr add fd00:3::2/64 dev s2 nodad
	nsx s ip -6 addr add fd00:9::1/128 dev lo
	nsx s ip route add default via 10.0.2.1
	nsx s ip -6 route add default via fd00:2::1
	# Accept replies arriving on either link (ECMP return asymmetry).
	nsx s sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.s1.rp_filter=0 \
		net.ipv4.conf.s2.rp_filter=0
	host_if c c0; host_if s s1; host_if s s2
}

# A sequence-stamped UDP stream c -> 10.9.0.1 on s through r (seqstream.py),
# $PPS datagrams a second; its result line goes to $tmp/figures. The
# emulated 6.1 guest (XFWD_TEST_SLOW=10) runs everything slower: tests
# scale their rates and sizes by SLOW and say so.
SLOW=${XFWD_TEST_SLOW:-1}
PPS=$((5000 / SLOW))
# stream_start SECONDS
stream_start() {
	STREAM_RES=$(mktemp)
	nsx s python3 "$TOP/tests/net/seqstream.py" recv 9999 "$STREAM_RES" &
	RPID=$!
	# Until the receiver is bound (python's start takes over a second in
	# the emulated guest: the first datagrams were refused by s's kernel).
	wait_for -t 30 sh_ok "nsx s ss -Hluna 'sport = :9999' | grep -q ." || true
	nsx c python3 "$TOP/tests/net/seqstream.py" send 10.9.0.1 9999 "$PPS" "$1" "$STREAM_RES.stop" &
	SPID=$!
	sleep 0.3
}
# stream_end: end the stream now, where what it covers is over before
# its SECONDS (synchronous commands), not where it must outlast something
# still settling (a restarted daemon's reconcile).
stream_end() { touch "$STREAM_RES.stop"; }
# stream_lost_none: wait for the stream's end; true when nothing was lost,
# else says which datagrams, where r's XDP counted drops or passes, and
# whether s's socket overflowed.
stream_lost_none() {
	wait "$SPID" || true
	wait "$RPID" || true
	echo "       stream: $(head -1 "$STREAM_RES")" >>"$tmp/figures"
	if ! grep -q "^received [1-9][0-9]* lost 0$" "$STREAM_RES"; then
		cat "$STREAM_RES"
		xf r stats | awk 'NF > 4 && $3 ~ /^[0-9]+$/ && $3 > 0 && $1 !~ /^fwd/' | head -12
		nsx s nstat -az UdpRcvbufErrors UdpInErrors UdpNoPorts 2>/dev/null | tail -3
		rm -f "$STREAM_RES" "$STREAM_RES.stop"
		return 1
	fi
	rm -f "$STREAM_RES" "$STREAM_RES.stop"
}
