#!/usr/bin/env bash
# The mirror follows the kernel's choice: several routes for one prefix in
# kernel table 100 (a primary and a backup, by metric), added, replaced
# and deleted in every order, IPv4 and IPv6, multipath among them, across
# a daemon restart; tos routes, throw and onlink. xfwd must forward by the
# route the kernel would use (docs/daemon.md, "Several routes for one
# prefix"). Topology: tests/net/topo_basic.sh (kernel forwarding off on r).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap 'stop_daemon; cleanup' EXIT

echo "test_mirror: several kernel routes for one prefix"
basic_hosts
conf=$(mktemp) log=$(mktemp)
printf '[xfwd]\npin-root = %s\nattach = r0 r1 r2\nmirror-table = 100\n[routes]\nroute = 10.0.1.0/24 via 10.0.1.2 dev r0\n' \
	"$PIN_BASE/xfwd-$NSP-r" >"$conf"
start_daemon() {
	: >"$log"
	nsenter --net=/run/netns/$NSP-r "$AS_UNIT" "$XFWD" run -c "$conf" 2>>"$log" &
	DPID=$!
	wait_for grep -q "xfwd: running" "$log" || true # checked below
}
R() { nsx r ip "$@"; }
# via_only PREFIX GW...: xfwd's route for PREFIX has exactly these gateways.
via_only() {
	local p=$1 got want
	shift
	got=$(route_of r "$p" | sed 's/ kernel .*//' | grep -o 'via [^ ]*' | sort | tr '\n' ' ')
	want=$(printf 'via %s\n' "$@" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || { echo "$p: xfwd has '$got', the kernel uses '$want'"; xf r route show "$p"; false; }
}
kind_is() { route_of r "$1" | head -1 | grep -q -- " $2"; }
no_route() { ! route_of r "$1" | grep -q .; }

start_daemon
check "the daemon runs" sh_ok "grep -q 'xfwd: running' '$log' || { cat '$log'; false; }"

P=10.90.0.0/16 A=10.0.2.2 B=10.0.3.2
R route add table 100 $P via $B dev r2 metric 200
check "a backup (metric 200) alone is used" wait_for via_only $P $B
R route add table 100 $P via $A dev r1 metric 100
check "a primary (metric 100) added after it wins" wait_for via_only $P $A
R route del table 100 $P via $B dev r2 metric 200
sleep 0.3
check "deleting the backup leaves the primary" via_only $P $A
R route add table 100 $P via $B dev r2 metric 200
sleep 0.3
check "a backup added after the primary waits" via_only $P $A
R route replace table 100 $P metric 200 nexthop via $A dev r1 nexthop via $B dev r2
sleep 0.3
check "replacing the backup (now multipath) leaves the primary" via_only $P $A
R route replace table 100 $P via $A dev r1 metric 100
sleep 0.3
check "replacing the primary in place keeps it" via_only $P $A

stop_daemon
start_daemon
check "after a restart the primary is still the one used" \
	sh_ok "grep -q 'xfwd: running' '$log' && via_only $P $A || { cat '$log'; false; }"
R route del table 100 $P via $A dev r1 metric 100
check "...and deleting it promotes the backup the restarted daemon kept (multipath)" wait_for via_only $P $A $B
R route del table 100 $P metric 200
check "deleting the last route removes xfwd's" wait_for no_route $P

# The other order: the primary first, deleted while the backup stays.
R route add table 100 $P via $A dev r1 metric 100
R route add table 100 $P via $B dev r2 metric 200
check "primary first, backup second: the primary is used" wait_for via_only $P $A
R route del table 100 $P metric 100
check "deleting the primary promotes the backup" wait_for via_only $P $B
nsx c ping -c 1 -W 2 10.90.0.1 >/dev/null 2>&1 || true # resolve s's MAC on r2
nsx s ip addr add 10.90.0.1/32 dev lo
xf r stats reset
check "...which carries the traffic in XDP" nsx c ping -c 3 -i 0.1 -W 2 10.90.0.1
check "...6 packets forwarded (3 requests, 3 replies)" test "$(forwarded r)" -eq 6
R route del table 100 $P metric 200

P6=fd00:90::/64 A6=fd00:2::2 B6=fd00:3::2
R -6 route add table 100 $P6 via $B6 dev r2 metric 2000
R -6 route add table 100 $P6 via $A6 dev r1 metric 1024
check "IPv6: the lower metric wins, whichever came first" wait_for via_only $P6 $A6
R -6 route del table 100 $P6 via $B6 dev r2 metric 2000
sleep 0.3
check "IPv6: deleting the backup leaves the primary" via_only $P6 $A6
R -6 route add table 100 $P6 via $B6 dev r2 metric 2000
R -6 route del table 100 $P6 via $A6 dev r1 metric 1024
check "IPv6: deleting the primary promotes the backup" wait_for via_only $P6 $B6
R -6 route del table 100 $P6 metric 2000
check "IPv6: deleting the last removes xfwd's" wait_for no_route $P6

# Kinds xfwd hands to the kernel.
T=10.91.0.0/16
R route add table 100 $T via $A dev r1
R route add table 100 $T tos 0x10 via $B dev r2
check "a tos route for the prefix: the kernel forwards the prefix (xfwd cannot select by tos)" \
	wait_for kind_is $T kernel
check "...said once in the log" sh_ok "[ \$(grep -c 'tos or source-specific routes' '$log') -eq 1 ] || { cat '$log'; false; }"
R route del table 100 $T tos 0x10 via $B dev r2
check "...and when it goes, the plain route is used again" wait_for via_only $T $A
R route del table 100 $T
S6=fd00:95::/64
R -6 route add table 100 $S6 via $A6 dev r1
R -6 route add table 100 $S6 from fd00:1::/64 via $B6 dev r2
check "IPv6: a source-specific route for the prefix: the kernel forwards the prefix" wait_for kind_is $S6 kernel
R -6 route del table 100 $S6 from fd00:1::/64
check "...and when it goes, the plain route is used again" wait_for via_only $S6 $A6
R -6 route del table 100 $S6
R route add table 100 throw 10.92.0.0/16
check "throw: the kernel (its lookup goes on in its other tables)" wait_for kind_is 10.92.0.0/16 kernel
R route del table 100 throw 10.92.0.0/16
# onlink: a gateway outside r1's subnet, taken as on the link.
nsx s ip addr add 10.0.99.1/32 dev s1
nsx s ip addr add 10.93.0.1/32 dev lo
R route add table 100 10.93.0.0/16 via 10.0.99.1 dev r1 onlink
check "onlink: its gateway is used on the device the route names" wait_for via_only 10.93.0.0/16 10.0.99.1
nsx c ping -c 1 -W 2 10.93.0.1 >/dev/null 2>&1 || true # the first resolves the MAC
check "...and resolves" wait_for sh_ok "! route_of r 10.93.0.0/16 | grep -q unresolved"
xf r stats reset
check "...and carries the traffic in XDP" nsx c ping -c 3 -i 0.1 -W 2 10.93.0.1
check "...6 packets forwarded (3 requests, 3 replies)" test "$(forwarded r)" -eq 6

# Weights and the kernel's resilient groups (docs/ecmp.md): a member's
# weight is its share of the buckets, and a group whose members change
# keeps every flow of the members that stay.
W=10.94.0.0/16 C=10.0.1.2
R route add table 100 $W nexthop via $A dev r1 weight 3 nexthop via $B dev r2
check "a multipath route's weights are mirrored (3 and 1: 192 and 64 of 256 buckets)" wait_for sh_ok "
	route_of r $W | grep -q 'via $A dev r1.* weight 3 buckets 192' &&
	route_of r $W | grep -q 'via $B dev r2.* weight 1 buckets 64'"
R route del table 100 $W
R nexthop add id 91 via $A dev r1
R nexthop add id 92 via $B dev r2
R nexthop add id 93 via $C dev r0
R nexthop add id 90 group 91/92 type resilient buckets 128
R route add table 100 $W nhid 90
check "a route over the kernel's resilient group is mirrored" wait_for via_only $W $A $B
# taken FILE: the gateway route get names for each of 60 UDP flows.
taken() {
	local f
	for f in $(seq 1000 1059); do
		xf r route get 10.94.3.3 from 10.0.1.2 proto udp sport $f dport 53 | grep -o 'via [^ ]*' | head -1
	done >"$1"
}
# moved_only OLD NEW GW: every flow that changed gateway went to GW (to
# "-": only GW's own flows moved, each to another).
moved_only() {
	paste -d' ' "$1" "$2" | awk -v gw="via $3" -v to="$4" '
		$0 == "" { bad = 1 }
		$2 != $4 { n++; if (to == "to" ? ($3 " " $4 != gw) : ($1 " " $2 != gw || $3 " " $4 == gw)) bad = 1 }
		END { print n + 0 " moved"; exit bad || !n }'
}
t0=$(mktemp) t1=$(mktemp) t2=$(mktemp)
taken "$t0"
R nexthop replace id 90 group 91/92/93 type resilient buckets 128
check "...a member added to the group is mirrored" wait_for via_only $W $A $B $C
taken "$t1"
check "...and the flows that moved all moved to it" moved_only "$t0" "$t1" $C to
R nexthop replace id 90 group 91/93 type resilient buckets 128
check "...a member removed" wait_for via_only $W $A $C
taken "$t2"
check "...and only its flows moved" moved_only "$t1" "$t2" $B from
R route del table 100 $W
R nexthop flush >/dev/null
rm -f "$t0" "$t1" "$t2"

# A forged route message: another process of the namespace sends the
# daemon's event socket an RTM_NEWROUTE of its own. Only the kernel speaks
# for the table: the socket refuses it, and xfwd mirrors nothing.
R1=$(nsx r cat /sys/class/net/r1/ifindex)
check "a route message forged by another process is refused by the daemon's socket" \
	sh_ok "[ \"\$(nsx r python3 '$TOP/tests/net/forge-route.py' 100 10.66.0.0 16 $A $R1)\" = 0 ]"
sleep 0.3
check "...and not mirrored" no_route 10.66.0.0/16

# A map that fills: the daemon says so once, counts the rest, and carries
# on (its routes in place forward). The pins are made small by hand first;
# the daemon adopts them.
stop_daemon
xf r detach
xf r attach r0 r1 r2 routes4 16 >/dev/null
start_daemon
check "a daemon on small maps runs" sh_ok "grep -q 'xfwd: running' '$log' || { cat '$log'; false; }"
for i in $(seq 1 30); do echo "route add table 100 blackhole 10.120.$i.0/24"; done | R -batch -
check "the routes map fills: the first failure is logged, the rest counted" wait_for sh_ok "
	[ \$(grep -c 'further such failures are counted' '$log') -eq 1 ] && [ \$(grep -c 'in use: attach with a larger' '$log') -eq 1 ]"
check "...the daemon carries on" kill -0 $DPID
check "...and the routes in place forward" nsx c ping -c 2 -i 0.1 -W 2 10.93.0.1
for i in $(seq 1 30); do echo "route del table 100 blackhole 10.120.$i.0/24"; done | R -batch -
R route add table 100 blackhole 10.121.0.0/16
check "...once writes succeed again, the count is logged" wait_for sh_ok "
	grep -q 'more mirrored routes could not be written' '$log' && route_of r 10.121.0.0/16 | grep -q blackhole"

stop_daemon
rm -f "$conf" "$log"
echo "test_mirror: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
