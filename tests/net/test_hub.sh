#!/usr/bin/env bash
# The seed's transit hub (docs/hub.md) in namespaces: one xfwd hub, kernel
# forwarding off, and three spokes that do not run xfwd (kernel VXLAN
# devices, BIRD); BGP over the tunnels' inner addresses, BIRD on the hub
# exporting to table 100, which xfwd mirrors. A and B were both built as
# 10.1.0.0/16 and are reached as 100.65.0.0/16 and 100.66.0.0/16; filters
# let only A and C talk; a spoofed inner source from C is dropped.
#
#   sa (10.1.0.1) ==vxlan 101== \
#   sb (10.1.0.1) ==vxlan 102== h (xfwd + BIRD, forwarding off)
#   sc (10.3.0.1) ==vxlan 103== /
. "$(dirname "$0")/lib.sh"
require_root
command -v bird >/dev/null || { echo "FAIL: bird is missing (run tools/install-deps.sh)" >&2; exit 1; }
run=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; cleanup; rm -rf "$run"' EXIT
bg() { "$@" >>"$run/daemons.log" 2>&1 & PIDS+=($!); }

echo "test_hub: a transit hub, three spokes, BGP, translation, filters, uRPF"
add_ns h
n=0
for s in a b c; do
	n=$((n + 1)); add_ns s$s
	link h h-$s s$s s$s-u
	nsx h ip addr add 192.0.2.$((4 * n - 3))/30 dev h-$s
	nsx s$s ip addr add 192.0.2.$((4 * n - 2))/30 dev s$s-u
	host_if s$s s$s-u
	nsx s$s ip link add hub type vxlan id 10$n local 192.0.2.$((4 * n - 2)) remote 192.0.2.$((4 * n - 3)) dstport 4789
	nsx s$s ip link set hub up
	nsx s$s ip addr add 169.254.10$n.2/30 dev hub
	nsx s$s sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.hub.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
nsx sa ip addr add 10.1.0.1/32 dev lo
nsx sb ip addr add 10.1.0.1/32 dev lo
nsx sc ip addr add 10.3.0.1/32 dev lo
nsx sc ip addr add 10.9.9.9/32 dev lo # a source C must not use
nsx h sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

printf 'src 100.65.0.0/16 dst 10.3.0.0/16 allow\n' >"$run/a.rules"
printf 'src 10.3.0.0/16 dst 100.65.0.0/16 allow\n' >"$run/c.rules"
: >"$run/b.rules"
cat >"$run/xfwd.conf" <<EOF2
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-h
attach = h-a h-b h-c
mirror-table = 100
[tunnels]
tunnel = spoke-a type vxlan local 192.0.2.1 remote 192.0.2.2 vni 101 inner 169.254.101.1/30 urpf strict urpf-allow 10.1.0.0/16 probe icmp 169.254.101.2 from 169.254.101.1
tunnel = spoke-b type vxlan local 192.0.2.5 remote 192.0.2.6 vni 102 inner 169.254.102.1/30 urpf strict urpf-allow 10.1.0.0/16 probe icmp 169.254.102.2 from 169.254.102.1
tunnel = spoke-c type vxlan local 192.0.2.9 remote 192.0.2.10 vni 103 inner 169.254.103.1/30 urpf strict probe icmp 169.254.103.2 from 169.254.103.1
[translations]
xlat = 10.1.0.0/16 to 100.65.0.0/16 tunnel spoke-a
xlat = 10.1.0.0/16 to 100.66.0.0/16 tunnel spoke-b
[filters]
filter = tunnel spoke-a in default deny rules $run/a.rules
filter = tunnel spoke-b in default deny rules $run/b.rules
filter = tunnel spoke-c in default deny rules $run/c.rules
EOF2
cat >"$run/h.conf" <<EOF2
router id 192.0.2.1;
protocol device {}
protocol kernel { kernel table 100; merge paths on limit 8; learn off;
                  ipv4 { import none; export all; }; }
protocol static mapped { ipv4;
  route 100.65.0.0/16 via 169.254.101.2;
  route 100.66.0.0/16 via 169.254.102.2; }
filter from_c { if net ~ [ 10.3.0.0/16+ ] then accept; reject; }
filter to_spokes { if proto = "mapped" || net ~ [ 10.3.0.0/16+ ] then accept; reject; }
template bgp spoke { local as 65000; direct; ipv4 { import none; export filter to_spokes; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
protocol bgp a from spoke { neighbor 169.254.101.2 as 65101; }
protocol bgp b from spoke { neighbor 169.254.102.2 as 65102; }
protocol bgp c from spoke { neighbor 169.254.103.2 as 65103; ipv4 { import filter from_c; export filter to_spokes; }; }
EOF2
n=0
for s in a b c; do
	n=$((n + 1))
	net=$([ $s = c ] && echo 10.3.0.0/16 || echo 10.1.0.0/16)
	cat >"$run/s$s.conf" <<EOF2
router id 192.0.2.$((4 * n - 2));
protocol device {}
protocol kernel { learn off; ipv4 { import none; export all; }; }
protocol static vpc { ipv4; route $net blackhole; }
protocol bgp hub { local as 6510$n; neighbor 169.254.10$n.1 as 65000; direct;
  ipv4 { import all; export where proto = "vpc"; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
EOF2
done
# xfwd first: its tunnels' devices carry the inner addresses BIRD binds to.
bg nsenter --net=/run/netns/$NSP-h "$XFWD" run -c "$run/xfwd.conf"
wait_for -t 20 sh -c "ip -n $NSP-h addr show dev spoke-c 2>/dev/null | grep -q 169.254.103.1" ||
	{ cat "$run/daemons.log"; exit 1; }
bg ip netns exec $NSP-h bird -f -c "$run/h.conf" -s "$run/h.ctl" -P "$run/h.pid"
for s in a b c; do bg ip netns exec $NSP-s$s bird -f -c "$run/s$s.conf" -s "$run/s$s.ctl" -P "$run/s$s.pid"; done

check "BGP: the hub's sessions to the three spokes come up over the tunnels" wait_for -t 60 sh_ok "
	[ \$(birdc -s '$run/h.ctl' show protocols | grep -cE '^(a|b|c) .*Established') -eq 3 ]"
check "the hub mirrors C's 10.3.0.0/16 into its XDP tunnel; A's and B's 10.1/16 are not routed" wait_for -t 20 sh_ok "
	xf h route show 10.3.0.0/16 | grep -q 'tunnel 3' && ! xf h route show 10.1.0.0/16 | grep -q 10.1.0.0"
check "...the mapped 100.65/16 and 100.66/16 go into A's and B's tunnels" wait_for sh_ok "
	xf h route show 100.65.0.0/16 | grep -q 'tunnel 1' && xf h route show 100.66.0.0/16 | grep -q 'tunnel 2'"
learned_all() {
	local s
	for s in a b c; do
		xf h tunnel show | grep "^spoke-$s:" | grep -q "peer-mac $(nsx s$s cat /sys/class/net/hub/address) (learned)" || return 1
	done
}
check "each spoke's device MAC was learned from BGP's ARP over its tunnel (no peer-mac in the file)" wait_for learned_all
check "...and kept by a refresh, which reads the device's neighbours (its IPv6 multicast entries are no peer)" \
	sh_ok "xf h nexthop refresh >/dev/null 2>&1 && learned_all"
xf h stats reset
check "A (10.1.0.1) reaches C and back, translated both ways, through XDP" \
	nsx sa ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.3.0.1
check "C reaches A as 100.65.0.1 (C initiates)" nsx sc ping -c 3 -i 0.2 -W 2 -I 10.3.0.1 100.65.0.1
check "...every packet crossed the hub in XDP (forwarding off): 12 forwarded, A's rule counted both ways" sh_ok "
	[ \$(forwarded h) -ge 12 ] && xf h -j xlat show | python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x[\"tunnel\"] == \"spoke-a\"][0]
assert r[\"in_packets\"] >= 6 and r[\"out_packets\"] >= 6, r'"
d0=$(stat_pkts h drop_filter)
check "B, with the same 10.1.0.1, does not reach C: the filter lets only A and C talk" sh_ok "
	! nsx sb ping -c 3 -i 0.2 -W 1 -I 10.1.0.1 10.3.0.1 >/dev/null"
check "...dropped and counted at the hub (drop_filter +3)" sh_ok "[ \$(stat_pkts h drop_filter) -eq $((d0 + 3)) ]"
u0=$(stat_pkts h drop_urpf)
check "C sending from a source it does not own (10.9.9.9) is dropped" sh_ok "
	! nsx sc ping -c 3 -i 0.2 -W 1 -I 10.9.9.9 100.65.0.1 >/dev/null"
check "...counted: drop_urpf +3 and on spoke-c in tunnel show" sh_ok "
	[ \$(stat_pkts h drop_urpf) -eq $((u0 + 3)) ] && xf h tunnel show | grep '^spoke-c:' | grep -q 'urpf strict dropped 3 '"
check "xfwd check on the hub's file: no errors (the hub is one box: its spokes have one path each)" sh_ok "
	rc=0; nsenter --net=/run/netns/$NSP-h $XFWD check -c $run/xfwd.conf >$run/check.out || rc=\$?
	[ \$rc -eq 3 ] && ! grep -q '^error' $run/check.out"
echo "test_hub: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
