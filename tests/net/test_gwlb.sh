#!/usr/bin/env bash
# xfwd as an AWS Gateway Load Balancer appliance (docs/gwlb.md): a
# namespace standing in for the load balancer sends GENEVE as AWS
# documents it (UDP 6081, VNI 0, class 0x0108's options) to the appliance,
# whose XDP sends each packet back with its options unchanged and the
# outer addresses swapped, the tunnel's filters holding the inner packet;
# the daemon answers the load balancer's health checks (HTTP, then TCP).
#
#   lb (10.0.9.5, 10.0.9.6) ==== ap (10.0.9.10: gwlb0, health-check)
. "$(dirname "$0")/lib.sh"
require_root
blocker=""
trap 'stop_daemon; [ -z "$blocker" ] || kill $blocker 2>/dev/null || true; cleanup; rm -f "$conf" "$log" "$rules"' EXIT
SLOW=${XFWD_TEST_SLOW:-1}

echo "test_gwlb: GENEVE from a Gateway Load Balancer returned by XDP; its health checks answered"
add_ns lb; add_ns ap
link lb lb0 ap ap0
nsx lb ip addr add 10.0.9.5/24 dev lb0
nsx lb ip addr add 10.0.9.6/24 dev lb0
nsx ap ip addr add 10.0.9.10/24 dev ap0
host_if lb lb0
conf=$(mktemp) log=$(mktemp) rules=$(mktemp)
echo "proto tcp dport 22 deny" >"$rules"
write_conf() { # write_conf tcp|http
	printf '[xfwd]\npin-root = %s\nattach = ap0\nhealth-check = %s 8080\n[tunnels]\ntunnel = gwlb0 type gwlb local 10.0.9.10\n[filters]\nfilter = tunnel gwlb0 in rules %s\n' \
		"$PIN_BASE/xfwd-$NSP-ap" "$1" "$rules" >"$conf"
}
start_daemon() {
	: >"$log"
	nsenter --net=/run/netns/$NSP-ap "$XFWD" run -c "$conf" 2>>"$log" &
	DPID=$!
	wait_for -t $((10 * SLOW)) grep -q "xfwd: running" "$log" || true # checked below
}
peer() { nsx lb python3 "$TOP/tests/net/gwlb_peer.py" "$@"; }
# check_peer WANT ARGS...: the peer's line is WANT.
peer_says() { local want=$1 got; shift; got=$(peer "$@"); [ "$got" = "$want" ] || { echo "got: $got"; false; }; }
http_check() {
	nsx lb python3 -c '
import http.client, sys
c = http.client.HTTPConnection("10.0.9.10", 8080, timeout=2 * '"$SLOW"')
c.request("GET", "/healthz")
r = c.getresponse()
sys.exit(0 if r.status == 200 and r.read() == b"xfwd: forwarding" else 1)'
}
tcp_check() { nsx lb python3 -c 'import socket; socket.create_connection(("10.0.9.10", 8080), timeout=2 * '"$SLOW"').close()'; }

write_conf http
start_daemon
check "the daemon runs with a gwlb tunnel" sh_ok "grep -q 'xfwd: running' '$log' || { cat '$log'; false; }"
check "...shown as type gwlb, remote any" sh_ok "xf ap tunnel show | grep -q '^gwlb0: id [0-9]* type gwlb local 10.0.9.10 remote any'"
xf ap stats reset
check "20 GENEVE packets (IPv4 inside) come back byte for byte, from the appliance to our UDP port" \
	peer_says "sent 20 returned 20 identical 20 from-port 1" 10.0.9.5 10.0.9.10 20 443
check "...each counted as fwd_gwlb" test "$(stat_pkts ap fwd_gwlb)" -eq 20
check "from another of the load balancer's addresses: returned to it" \
	peer_says "sent 20 returned 20 identical 20 from-port 1" 10.0.9.6 10.0.9.10 20 443
check "IPv6 inside the IPv4 outer header: returned" \
	peer_says "sent 20 returned 20 identical 20 from-port 1" 10.0.9.5 10.0.9.10 20 443 6
check "the tunnel's in filter denies SSH inside: nothing returned" \
	peer_says "sent 20 returned 0 identical 0 from-port 1" 10.0.9.5 10.0.9.10 20 22
check "...20 counted as drop_filter" test "$(stat_pkts ap drop_filter)" -eq 20
check "the HTTP health check: 200 while the daemon runs" http_check
stop_daemon
check "daemon stopped: the health check fails, so the load balancer stops sending" sh_ok "! http_check 2>/dev/null"
check "...while XDP still returns what it is sent" \
	peer_says "sent 5 returned 5 identical 5 from-port 1" 10.0.9.5 10.0.9.10 5 443
write_conf tcp
start_daemon
check "health-check tcp: the connection is taken" sh_ok "grep -q 'xfwd: running' '$log' && tcp_check || { cat '$log'; false; }"
stop_daemon
# Another program on the port: the start stops, naming it.
ip netns exec $NSP-ap python3 -c 'import socket, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) # the checks above left TIME_WAITs
s.bind(("::", 8080)); s.listen(); time.sleep(60)' &
blocker=$!
sleep 0.5
: >"$log"
rc=0 # 124 below: it ran on (the check fails)
timeout $((30 * SLOW)) nsenter --net=/run/netns/$NSP-ap "$XFWD" run -c "$conf" 2>>"$log" || rc=$?
kill $blocker 2>/dev/null; wait $blocker 2>/dev/null || true; blocker=""
check "the health-check port held by another program: the daemon does not start, and says why" \
	sh_ok "[ $rc -ne 0 ] && grep -q 'health-check: cannot listen on TCP port 8080 (Address already in use): another program has it' '$log' || { cat '$log'; false; }"
echo "test_gwlb: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
