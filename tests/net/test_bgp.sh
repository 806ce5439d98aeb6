#!/usr/bin/env bash
# xfwd run beside BIRD: BIRD on the appliance exports what it learns to
# kernel table 100 and xfwd mirrors it into XDP (the scenarios and the
# topology: bgp_scenarios.sh; FRR in BIRD's place: test_bgp_frr.sh).
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/bgp_scenarios.sh"

echo "test_bgp: BIRD and GoBGP peers, BIRD -> table 100 -> xfwd"
bgp_topology
bgp_start
cat >"$run/a.conf" <<EOF2
router id 10.0.2.1;
protocol device {}
protocol kernel { kernel table 100; merge paths on limit 8; learn off;
                  ipv4 { import none; export all; }; }
template bgp peers { local as 65000; direct; ipv4 { import all; export none; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
protocol bgp p1 from peers { neighbor 10.0.2.2 as 65001; }
protocol bgp p2 from peers { neighbor 10.0.3.2 as 65002; }
EOF2
bg ip netns exec $NSP-a bird -f -c "$run/a.conf" -s "$run/a.ctl" -P "$run/a.pid"
a_sessions_up() {
	birdc -s "$run/a.ctl" show protocols | grep -qE '^p1 .*Established' &&
		birdc -s "$run/a.ctl" show protocols | grep -qE '^p2 .*Established'
}
bgp_scenarios BIRD
# BIRD's route (kernel protocol metric 32) beside an operator's static
# backup in the same table at metric 500: xfwd uses BIRD's while it is
# there, the backup when BGP withdraws it, BIRD's again when it returns.
# (FRR's zebra takes such a kernel route as its own best, distance 0,
# and withdraws its BGP route: with FRR the backup is FRR's own static
# route, docs/frr.md.)
nsx a ip route add table 100 10.9.0.0/24 via 10.0.2.2 dev a-p1 metric 500
sleep 0.3
check "BIRD's route and a static backup for one prefix: BIRD's (lower metric) is used" \
	vias_are 10.9.0.0/24 "via 10.0.3.2 dev a-p2 "
gobgp global rib del 10.9.0.0/24
check "...BGP withdraws it: the static backup takes over" \
	wait_for -t 10 vias_are 10.9.0.0/24 "via 10.0.2.2 dev a-p1 "
check "...and carries the traffic" ping_ok
gobgp global rib add 10.9.0.0/24 origin igp nexthop 10.0.3.2
check "...BGP learns it again: BIRD's route is used again" \
	wait_for -t 10 vias_are 10.9.0.0/24 "via 10.0.3.2 dev a-p2 "
nsx a ip route del table 100 10.9.0.0/24 metric 500
sleep 0.3
check "...and deleting the backup leaves BIRD's route alone" vias_are 10.9.0.0/24 "via 10.0.3.2 dev a-p2 "
echo "test_bgp: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
