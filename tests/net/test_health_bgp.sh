#!/usr/bin/env bash
# Health that does not undo itself (docs/health.md), with the hook the
# doc suggests and routes that come only from BGP: a runs xfwd and BIRD;
# b is a Linux router with BIRD and a kernel vxlan device, announcing
# 10.20.0.0/16 over the tunnel. Cut silently, a's probes judge vx4 down,
# the hook disables BIRD's session over it, BIRD withdraws the tunnel's
# only route. xfwd keeps probing it (the probes hold its next hop), so it
# stays down while the path is dead: no "up", no hook "up", no BGP
# re-enabled; hook, log, `xfwd health` and the metrics say the same.
# Restored: up after the hold-down, the hook re-enables BGP, the route
# and the traffic return.
#
#   c 10.10.1.10 -- a (xfwd run, BIRD) == 192.0.2.0/24 == b (vxlan vx4, BIRD) -- s 10.20.1.10
. "$(dirname "$0")/lib.sh"
require_root
command -v bird >/dev/null || { echo "FAIL: bird is missing (run tools/install-deps.sh)" >&2; exit 1; }
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; cleanup; rm -rf "$tmp"' EXIT
tmp=$(mktemp -d)
. "$(dirname "$0")/topo_tunnel.sh"
echo "test_health_bgp: a dead tunnel's BGP session disabled by the hook stays disabled while the path is dead"
build_vxlan_peer
SLOW=${XFWD_TEST_SLOW:-1}
HOLD=$((500 * SLOW))

# The doc's script, which also notes each call.
cat >"$tmp/notify" <<EOF2
#!/bin/sh
echo "\$XFWD_STATE \$XFWD_REASON" >>"$tmp/calls"
case "\$XFWD_STATE" in
down) exec birdc -s "$tmp/a.ctl" disable "bgp_\$XFWD_TUNNEL" ;;
up)   exec birdc -s "$tmp/a.ctl" enable "bgp_\$XFWD_TUNNEL" ;;
esac
EOF2
chmod +x "$tmp/notify"
: >"$tmp/calls"
cat >"$tmp/a.conf" <<CONF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-a
attach = a-c a-u
mirror-table = 100
on-health-change = $tmp/notify
metrics-file = $tmp/xfwd.prom
metrics-interval = 1
[tunnels]
tunnel = vx4 type vxlan local 192.0.2.1 remote 192.0.2.2 vni 100 peer-mac $(nsx b cat /sys/class/net/vx4/address) probe icmp 172.16.9.2 from 172.16.9.1 probe-interval $((10 * SLOW)) probe-multiplier 3 hold-down $HOLD
[routes]
route = 10.10.1.0/24 via 10.10.1.10 dev a-c
CONF
nsenter --net=/run/netns/$NSP-a "$XFWD" run -c "$tmp/a.conf" >/dev/null 2>"$tmp/a.log" & PIDS+=($!)
wait_for grep -q 'xfwd: running' "$tmp/a.log" || true
check "the daemon runs" sh -c "grep -q running '$tmp/a.log' || { cat '$tmp/a.log'; false; }"
nsx a ip addr add 172.16.9.1/30 dev vx4 2>/dev/null || true

# BGP over the tunnel's inner addresses, 3 s hold time (b forgets the
# session soon after a's Cease is lost in the cut).
bird_conf() { # AS PEER_AS PEER [extra]
	cat <<B
router id $3;
protocol device {}
protocol direct { ipv4; interface "b-s"; }
protocol kernel { kernel table 100; learn off; ipv4 { import none; export all; }; }
protocol bgp bgp_vx4 { local as $1; neighbor $3 as $2; direct; hold time 3; keepalive time 1;
  ipv4 { import all; export $4; }; connect delay time 1; connect retry time 1; error wait time 1, 2; }
B
}
bird_conf 65000 65001 172.16.9.2 none | sed 's/router id 172.16.9.2/router id 172.16.9.1/' >"$tmp/a.bird"
bird_conf 65001 65000 172.16.9.1 'where net = 10.20.1.0/24' | sed 's/router id 172.16.9.1/router id 172.16.9.2/' >"$tmp/b.bird"
ip netns exec $NSP-a bird -f -c "$tmp/a.bird" -s "$tmp/a.ctl" -P "$tmp/a.pid" >>"$tmp/bird.log" 2>&1 & PIDS+=($!)
ip netns exec $NSP-b bird -f -c "$tmp/b.bird" -s "$tmp/b.ctl" -P "$tmp/b.pid" >>"$tmp/bird.log" 2>&1 & PIDS+=($!)
bgp_state() { birdc -s "$tmp/a.ctl" show protocols bgp_vx4 | awk '$1 == "bgp_vx4" { print $4, $6 }'; }
routed() { xf a route get 10.20.1.10 | grep -q 'route 10.20.1.0/24 .*tunnel vx4'; }
check "BGP up over vx4 and its only route to 10.20.1.0/24 mirrored onto the tunnel" \
	wait_for -t $((15 * SLOW)) sh_ok "routed || { xf a route get 10.20.1.10; false; }"
check "vx4 up, judged by probes" wait_for sh_ok "xf a health | grep -q '^vx4: up '"
check "traffic crosses it" nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10

health_state() { xf a health | awk '$1 == "vx4:" { print $2 }'; }
metric_state() { awk -F'[{}"]' '/^xfwd_tunnel_state\{tunnel="vx4"/ && $NF ~ / 1$/ { print $5 }' "$tmp/xfwd.prom"; }
sent() { xf a health | sed -n 's/^vx4: .* sent \([0-9]*\) .*/\1/p'; }
# What happened before this point (the tunnel's first verdicts while a's
# inner address came) is not this test's: from here on, every line.
wait_for sh_ok "metric_state | grep -qx up"
L0=$(wc -l <"$tmp/a.log")
: >"$tmp/calls"
since() { tail -n +$((L0 + 1)) "$tmp/a.log"; }
silence b b-u on
check "cut silently: vx4 down" wait_for sh_ok '[ "$(health_state)" = down ]'
check "...the hook ran with down and BIRD disabled the session" \
	wait_for sh_ok "grep -q '^down 3 probes unanswered' '$tmp/calls' && bgp_state | grep -q '^down'"
check "...and withdrew the tunnel's only route" wait_for sh_ok '! routed'
S0=$(sent)
sleep $((1 * SLOW))
check "one second later: still probed, with no route over it ($S0 -> $(sent) probes sent)" test "$(sent)" -gt "$S0"
check "...still down in xfwd health" test "$(health_state)" = down
check "...never logged up or 'not probed'" sh_ok "! since | grep -E 'tunnel vx4 (up|not probed)' || { since | grep tunnel; false; }"
check "...the hook ran once, with down" sh_ok "[ \"\$(cat '$tmp/calls')\" = 'down 3 probes unanswered' ] || { cat '$tmp/calls'; false; }"
check "...BGP stays disabled" sh_ok "bgp_state | grep -q '^down'"
check "...the metrics say down" wait_for sh_ok '[ "$(metric_state)" = down ]'
sleep $((3 * SLOW)) # b's hold timer forgets the session
silence b b-u off
check "restored: up after the $HOLD ms hold-down" wait_for -t $((5 * SLOW)) sh_ok '[ "$(health_state)" = up ]'
check "...logged once, the hook ran with up" \
	sh_ok "[ \$(since | grep -c 'tunnel vx4 up: replies for $HOLD ms (hold-down)') -eq 1 ] && tail -1 '$tmp/calls' | grep -q '^up replies for'"
check "...BGP re-enabled, the route back on the tunnel" wait_for -t $((15 * SLOW)) routed
check "...traffic crosses it again" nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10
check "...the metrics say up" wait_for sh_ok '[ "$(metric_state)" = up ]'
check "the hook ran exactly twice: down, then up" test "$(wc -l <"$tmp/calls")" -eq 2
echo "test_health_bgp: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
