#!/usr/bin/env bash
# Tunnel health against a peer that is not xfwd (docs/health.md, `probe
# icmp`): b is a plain Linux router whose kernel vxlan device answers the
# ICMP echo xfwd's daemon sends to its inner address through the tunnel.
# The path is cut silently (b drops the underlay's packets with tc), the
# tunnel goes down and its route to the kernel; restored, it comes back
# after the hold-down.
#
#   c 10.10.1.10 -- a (xfwd run) == 192.0.2.0/24 == b (kernel vxlan vx4) -- s 10.20.1.10
#   vx4: VNI 100, inner 172.16.9.1 (a) <-> 172.16.9.2 (b)
. "$(dirname "$0")/lib.sh"
require_root
trap 'kill $DA 2>/dev/null || true; wait 2>/dev/null || true; cleanup; rm -rf "$tmp"' EXIT
tmp=$(mktemp -d)
DA=''
. "$(dirname "$0")/topo_tunnel.sh"
echo "test_health_icmp: ICMP probes answered by a kernel vxlan peer"
build_vxlan_peer

SLOW=${XFWD_TEST_SLOW:-1}
HOLD=$((500 * SLOW))
cat >"$tmp/a.conf" <<CONF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-a
attach = a-c a-u
[tunnels]
tunnel = vx4 type vxlan local 192.0.2.1 remote 192.0.2.2 vni 100 peer-mac $(nsx b cat /sys/class/net/vx4/address) probe icmp 172.16.9.2 from 172.16.9.1 probe-interval $((10 * SLOW)) probe-multiplier 3 hold-down $HOLD
[routes]
route = 10.10.1.0/24 via 10.10.1.10 dev a-c
route = 10.20.0.0/16 tunnel vx4
CONF
nsenter --net=/run/netns/$NSP-a "$XFWD" run -c "$tmp/a.conf" 2>"$tmp/a.log" & DA=$!
wait_for grep -q 'xfwd: running' "$tmp/a.log" || true
check "the daemon runs" sh -c "grep -q running '$tmp/a.log' || { cat '$tmp/a.log'; false; }"
# b's kernel answers to a's inner address: a's own vx4 device holds it.
nsx a ip addr add 172.16.9.1/30 dev vx4
health_is() { xf a health | grep -q "^vx4: $1 "; }
echo_replies() { # b's Icmp OutEchoReps
	nsx b awk '/^Icmp:/ { if (!n++) { for (i = 2; i <= NF; i++) if ($i == "OutEchoReps") f = i } else print $f }' /proc/net/snmp
}
check "vx4 is up: b's kernel answers the echoes" wait_for health_is up
check "...b's own stack sent them (Icmp OutEchoReps $(echo_replies))" test "$(echo_replies)" -gt 3
check "...with an RTT" sh_ok "xf a -j health | grep -q '\"rtt_us\": *[1-9]'"
check "traffic crosses the probed tunnel" nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10

silence b b-u on
check "cut silently (tc drop at b's underlay): vx4 goes down" wait_for health_is down
check "...logged with its reason" grep -q "tunnel vx4 down: 3 probes unanswered" "$tmp/a.log"
check "...its only route has no live next hop: packets go to the kernel" \
	sh_ok "xf a route get 10.20.1.10 | grep -q 'no matching route'"
silence b b-u off
check "restored: held down first" wait_for health_is hold-down
check "...then up after the $HOLD ms hold-down" wait_for -t $((5 * SLOW)) health_is up
check "...and traffic crosses it again" nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10

# Probe settings change in place, on reload and on restart; what would
# make it another tunnel (its type) is refused with the line that says it.
sed -i "s/probe-interval $((10 * SLOW))/probe-interval $((20 * SLOW))/" "$tmp/a.conf"
kill -HUP $DA
check "reload with a new probe interval: applied in place" \
	wait_for grep -q "tunnel vx4: new probe settings, probing starts afresh" "$tmp/a.log"
check "...and vx4 is up again under it" wait_for health_is up
sed -i "s/type vxlan/type geneve/" "$tmp/a.conf"
kill -HUP $DA
L=$(grep -n '^tunnel = vx4' "$tmp/a.conf" | cut -d: -f1)
check "reload with another tunnel type: refused, naming the line, the running config stays" \
	sh_ok "wait_for grep -q 'reload refused.*a.conf:$L: tunnel vx4: its type cannot change in place' '$tmp/a.log' ||
		{ cat '$tmp/a.log'; false; }"
check "...vx4 still up" health_is up
sed -i "s/type geneve/type vxlan/; s/probe-interval $((20 * SLOW))/probe-interval $((10 * SLOW))/" "$tmp/a.conf"
kill $DA; wait $DA 2>/dev/null || true
nsenter --net=/run/netns/$NSP-a "$XFWD" run -c "$tmp/a.conf" 2>"$tmp/a.log" & DA=$!
check "a restart with other probe settings adopts the tunnel and runs" \
	wait_for sh_ok "grep -q 'new probe settings' '$tmp/a.log' && grep -q 'xfwd: running' '$tmp/a.log'"
check "...and vx4 comes up" wait_for health_is up
# A probed tunnel added while its remote has no route: said, counted down;
# the daemon takes its probes' next hop once a route reaches the remote.
cat >>"$tmp/a.conf" <<CONF
[tunnels]
tunnel = vx5 type vxlan local 192.0.2.1 remote 192.0.9.2 vni 105 probe icmp 172.16.9.6 from 172.16.9.5 probe-interval $((10 * SLOW))
CONF
kill -HUP $DA
check "a probed tunnel whose remote has no route yet: added, said" \
	wait_for grep -q "tunnel vx5 cannot be probed yet: tunnel vx5: no kernel route to its remote 192.0.9.2" "$tmp/a.log"
nsx a ip route add 192.0.9.2/32 via 192.0.2.2 dev a-u
check "...its probes go out once a route reaches the remote" \
	wait_for grep -q "tunnel vx5: its remote is reachable, probes go out" "$tmp/a.log"
kill $DA; wait $DA 2>/dev/null || true
DA=''
echo "test_health_icmp: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
