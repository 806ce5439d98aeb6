#!/usr/bin/env bash
# A fleet behind an existing engine (docs/fleet.md): an upstream router
# (BIRD merging the appliances' equal BGP paths into one ECMP route in the
# main table; xfwd mirroring it, so ECMP is resilient) in front of xfwd
# appliances that each run BIRD and announce the same prefix. 1,000 UDP
# flows run through them while one appliance is drained (its BGP session
# disabled: the announcement withdrawn with a Cease), then stopped, and
# another is added. At each step: how many flows moved, and where, and how
# many datagrams were lost.
# XFWD_FLEET_UPSTREAM=kernel: the upstream forwards with the kernel's own
# ECMP (hash-threshold, 5-tuple hash) instead of xfwd; the figures are
# printed for comparison (docs/fleet.md) and the flow checks, which only
# resilient ECMP meets, are not made.
#
#   c ==== up ==== a1..a4 ==== s (10.200.0.1; way = the link it came in by)
. "$(dirname "$0")/lib.sh"
require_root
command -v bird >/dev/null || { echo "FAIL: bird is missing (run tools/install-deps.sh)" >&2; exit 1; }
run=$(mktemp -d)
PIDS=()
trap 'touch "$run/stop"; kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; cleanup; rm -rf "$run"' EXIT
bg() { "$@" >>"$run/daemons.log" 2>&1 & PIDS+=($!); }
SLOW=${XFWD_TEST_SLOW:-1}
UPSTREAM=${XFWD_FLEET_UPSTREAM:-xfwd}
FLOWS=1000 RATE=5

echo "test_fleet: three xfwd appliances behind an ECMP upstream; one drained, one added"
for n in c up s a1 a2 a3 a4; do add_ns $n; done
link c c0 up up-c
nsx c ip addr add 10.0.0.2/24 dev c0
nsx up ip addr add 10.0.0.1/24 dev up-c
nsx c ip route add 10.200.0.0/24 via 10.0.0.1
host_if c c0
nsx s ip addr add 10.200.0.1/32 dev lo
nsx s sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
nsx up sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.fib_multipath_hash_policy=1
for n in 1 2 3 4; do
	link up up-a$n a$n a$n-u
	link a$n a$n-s s s$n
	nsx up ip addr add 10.1.$n.1/24 dev up-a$n
	nsx a$n ip addr add 10.1.$n.2/24 dev a$n-u
	nsx a$n ip addr add 10.2.$n.2/24 dev a$n-s
	nsx s ip addr add 10.2.$n.1/24 dev s$n
	nsx s sysctl -qw net.ipv4.conf.s$n.rp_filter=0
	nsx a$n sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0
	host_if s s$n
	# Neighbours known before traffic: a first packet XDP passes up for
	# its MAC is the kernel's to forward, not lost, but not counted here.
	nsx up ping -c 1 -W 2 10.1.$n.2 >/dev/null
	nsx a$n ping -c 1 -W 2 10.2.$n.1 >/dev/null
	cat >"$run/a$n.conf" <<EOF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-a$n
attach = a$n-u a$n-s
[routes]
route = 10.200.0.0/24 via 10.2.$n.1 dev a$n-s
EOF
	cat >"$run/a$n.bird" <<EOF
router id 10.1.$n.2;
protocol device {}
protocol static fleet { ipv4; route 10.200.0.0/24 via 10.2.$n.1; }
protocol bgp up { local as 65100; neighbor 10.1.$n.1 as 65000; direct;
  ipv4 { import none; export where proto = "fleet"; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
EOF
done
# The upstream: every appliance a neighbour (a4 from the start: it comes
# up when a4 does); equal paths merged into one ECMP route, main table.
{
	echo "router id 10.0.0.1;"
	echo "protocol device {}"
	echo "protocol kernel { merge paths on limit 8; learn off; ipv4 { import none; export all; }; }"
	echo "template bgp fleet { local as 65000; direct; ipv4 { import all; export none; };"
	echo "  connect delay time 1; connect retry time 2; error wait time 1, 4; }"
	for n in 1 2 3 4; do echo "protocol bgp a$n from fleet { neighbor 10.1.$n.2 as 65100; }"; done
} >"$run/up.bird"
printf '[xfwd]\npin-root = %s\nattach = up-c up-a1 up-a2 up-a3 up-a4\nmirror-table = 254\n' \
	"$PIN_BASE/xfwd-$NSP-up" >"$run/up.conf"

appliance_start() { # xfwd first, its routes in place; then BGP
	bg nsenter --net=/run/netns/$NSP-a$1 "$XFWD" run -c "$run/a$1.conf"
	wait_for -t $((10 * SLOW)) sh_ok "route_of a$1 10.200.0.0/24 | grep -q 10.2.$1.1" || return 1
	bg ip netns exec $NSP-a$1 bird -f -c "$run/a$1.bird" -s "$run/a$1.ctl" -P "$run/a$1.pid"
}
# members N: the upstream's route has N next hops (xfwd's, or the kernel's).
members() {
	if [ "$UPSTREAM" = kernel ]; then
		[ "$(nsx up ip route show 10.200.0.0/24 | grep -c 'nexthop via')" -eq "$1" ]
	else
		[ "$(route_of up 10.200.0.0/24 | grep -c 'nexthop via')" -eq "$1" ]
	fi
}
# round: the last round sent whole (the progress file names the next).
round() { echo $(( $(cat "$run/progress" 2>/dev/null || echo 1) - 1 )); }

[ "$UPSTREAM" = kernel ] || bg nsenter --net=/run/netns/$NSP-up "$XFWD" run -c "$run/up.conf"
bg ip netns exec $NSP-up bird -f -c "$run/up.bird" -s "$run/up.ctl" -P "$run/up.pid"
for n in 1 2 3; do appliance_start $n; done
check "the upstream ($UPSTREAM) has the prefix over the three appliances" wait_for -t $((30 * SLOW)) members 3

bg ip netns exec $NSP-s python3 "$TOP/tests/net/flowstream.py" recv 5001 "$run/ways"
RECV=${PIDS[-1]}
sleep 0.3
bg ip netns exec $NSP-c python3 "$TOP/tests/net/flowstream.py" send 10.200.0.1 5001 $FLOWS $RATE "$run/progress" "$run/stop"
check "$FLOWS flows run" wait_for -t $((10 * SLOW)) sh_ok "[ \$(round) -ge $((3 * RATE)) ]"
r0=$(round)

# 1. Drain a1: its BGP session disabled, the announcement withdrawn.
birdc -s "$run/a1.ctl" disable up >/dev/null
check "drain a1: the upstream withdraws it (two members)" wait_for -t $((10 * SLOW)) members 2
sleep 2
r1=$(round)
# 2. Stop a1: nothing should reach it any more.
kill "$(cat "$run/a1.pid")"
pkill -f "xfwd run -c $run/a1.conf" || true
sleep 2
r2=$(round)
# 3. Add a4: xfwd first, then its announcement.
appliance_start 4
check "add a4: the upstream takes it (three members)" wait_for -t $((30 * SLOW)) members 3
sleep 2
r3=$(round)
touch "$run/stop"
wait "$RECV"
FS="python3 $TOP/tests/net/flowstream.py"
steady=$($FS ways "$run/ways" "$r0") drain=$($FS moved "$run/ways" "$r0" "$r1")
stop=$($FS moved "$run/ways" "$r1" "$r2") add=$($FS moved "$run/ways" "$r2" "$r3")
echo "  steady (round $r0): flows per appliance $steady"
echo "  drain a1 (rounds $r0-$r1): $drain"
echo "  stop a1 (rounds $r1-$r2): $stop"
echo "  add a4 (rounds $r2-$r3): $add"
if [ "$UPSTREAM" = kernel ]; then
	echo "test_fleet: the kernel upstream's figures above (no flow checks: docs/fleet.md); $FAILS failure(s)"
	[ "$FAILS" -eq 0 ]
	exit
fi
# moved_n TEXT: N of "moved N of ..."; field VALUE KEY: KEY's count in "k:v,...".
moved_n() { echo "$1" | awk '{print $2}'; }
lost_n() { echo "$1" | awk '{print $NF}'; }
count_of() { echo "$1" | tr ' ,' '\n\n' | awk -F: -v k="$2" '$1 == k {print $2}'; }
a1_flows=$(count_of "$steady" 1)
check "steady: every flow arrives, each appliance carrying over 20% of them" sh_ok "
	[ \$(( $(count_of "$steady" 1) + $(count_of "$steady" 2) + $(count_of "$steady" 3) )) -eq $FLOWS ] &&
	for n in 1 2 3; do [ \$(count_of '$steady' \$n) -gt $((FLOWS / 5)) ] || exit 1; done"
check "drain a1: exactly a1's flows moved ($a1_flows), none of the others'" sh_ok "
	[ $(moved_n "$drain") -eq $a1_flows ] && [ '$(echo "$drain" | awk '{print $6}')' = '1:$a1_flows' ]"
check "drain a1: no datagram lost" test "$(lost_n "$drain")" -eq 0
check "stop a1: no flow moved, no datagram lost" sh_ok "[ $(moved_n "$stop") -eq 0 ] && [ $(lost_n "$stop") -eq 0 ]"
check "add a4: only flows to a4 moved, about a third of them (20-45%)" sh_ok "
	[ '$(echo "$add" | awk '{print $8}')' = '4:$(moved_n "$add")' ] &&
	[ $(moved_n "$add") -gt $((FLOWS / 5)) ] && [ $(moved_n "$add") -lt $((FLOWS * 45 / 100)) ]"
check "add a4: no datagram lost" test "$(lost_n "$add")" -eq 0
echo "test_fleet: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
