#!/usr/bin/env bash
# xfwd run beside FRR (zebra + bgpd): test_bgp's scenarios with FRR in
# BIRD's place (bgp_scenarios.sh), then BGP unnumbered (RFC 5549) to a
# third peer, FRR too. FRR's default instance installs into the main
# table, which xfwd mirrors (mirror-table = 254, docs/frr.md); zebra
# installs over next-hop objects, and the unnumbered session's IPv4
# routes over the peer's IPv6 link-local address (RTA_VIA).
#
#   a-p3 (no IPv4 address) -- p3-a  p3 (FRR, AS 65003): 10.10.0.1
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/bgp_scenarios.sh"
FRR=/usr/lib/frr
[ -x $FRR/bgpd ] && [ -x $FRR/zebra ] && id frr >/dev/null 2>&1 ||
	{ echo "FAIL: FRR is missing (run tools/install-deps.sh)" >&2; exit 1; }
# zebra runs as user frr: its sockets, pid files and logs go where it may
# write (bgpd runs as root, -S).
frr=$(mktemp -d /tmp/xfwd-frr.XXXXXX)
chown frr:frr "$frr"
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; cleanup; rm -rf "$run" "$frr"' EXIT

# frrd NS NAME [ARGS]: one FRR daemon in NS, its sockets in $frr/NS.
frrd() {
	local ns=$1 d=$2; shift 2
	bg ip netns exec $NSP-$ns $FRR/$d "$@" --vty_socket "$frr/$ns" -z "$frr/$ns/zserv.api" \
		-i "$frr/$ns/$d.pid" -f "$frr/$ns/$d.conf" -P 0 --log "file:$frr/$ns/$d.log"
}
# frr_start NS: zebra, then bgpd, with the files in $frr/NS.
frr_start() {
	chown -R frr:frr "$frr/$1"
	frrd "$1" zebra -u frr -g frr
	wait_for test -S "$frr/$1/zserv.api" || { cat "$run/daemons.log" "$frr/$1/zebra.log"; exit 1; }
	frrd "$1" bgpd -S
}
vtysh_in() { vtysh --vty_socket "$frr/$1" -c "$2" 2>/dev/null; }

echo "test_bgp_frr: BIRD and GoBGP peers, FRR -> the main table -> xfwd; BGP unnumbered"
bgp_topology
add_ns p3
link a a-p3 p3 p3-a
host_if p3 p3-a
nsx p3 ip addr add 10.10.0.1/32 dev lo
MIRROR_TABLE=254
XFWD_ATTACH_MORE=a-p3 bgp_start

mkdir -p "$frr/a" "$frr/p3"
: >"$frr/a/zebra.conf"; : >"$frr/p3/zebra.conf"
cat >"$frr/a/bgpd.conf" <<EOF2
router bgp 65000
 bgp router-id 10.0.2.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp bestpath as-path multipath-relax
 neighbor 10.0.2.2 remote-as 65001
 neighbor 10.0.2.2 timers connect 2
 neighbor 10.0.3.2 remote-as 65002
 neighbor 10.0.3.2 timers connect 2
 neighbor a-p3 interface remote-as external
 neighbor a-p3 timers connect 2
 address-family ipv4 unicast
  network 10.0.1.0/24
  maximum-paths 8
 exit-address-family
exit
EOF2
cat >"$frr/p3/bgpd.conf" <<EOF2
router bgp 65003
 bgp router-id 10.10.0.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor p3-a interface remote-as external
 neighbor p3-a timers connect 2
 address-family ipv4 unicast
  network 10.10.0.0/24
 exit-address-family
exit
EOF2
frr_start a
frr_start p3
established() { vtysh_in a "show bgp summary json" | grep -o '"state":"Established"' | wc -l; }
a_sessions_up() { [ "$(established)" -ge 2 ]; }
bgp_scenarios FRR
check "FRR installed them over next-hop objects (nhid in the main table), which xfwd followed" \
	sh_ok "ip -n $NSP-a route show 10.9.0.0/24 | grep -q 'nhid.*proto bgp' || { ip -n $NSP-a route show; false; }"

# BGP unnumbered: the session over IPv6 link-local addresses, IPv4 routes
# with an IPv6 next hop (RTA_VIA). p3's link-local address is its MAC's.
ll=$(nsx p3 ip -6 addr show dev p3-a scope link | awk '/inet6/ { sub("/.*", "", $2); print $2 }')
check "an unnumbered session to p3 comes up (over $ll)" wait_for -t 30 sh_ok "
	vtysh_in a 'show bgp neighbors a-p3 json' | grep -q '\"bgpState\":\"Established\"'"
check "...p3's 10.10.0.0/24 is in the main table via inet6 $ll (RTA_VIA)" wait_for -t 10 sh_ok "
	ip -n $NSP-a route show 10.10.0.0/24 | grep -q 'via inet6 $ll dev a-p3'"
check "...and xfwd forwards it to that next hop, not to the kernel" wait_for -t 10 vias_are 10.10.0.0/24 "via $ll dev a-p3 "
check "...whose MAC (p3's) is resolved" wait_for -t 10 sh_ok "! route_of a 10.10.0.0/24 | grep -q unresolved"
f0=$(forwarded a)
check "c reaches p3 through XDP: an IPv4 packet to an IPv6 next hop's MAC" ping_ok 10.10.0.1
check "...6 packets forwarded by xfwd (kernel forwarding is off)" test "$(forwarded a)" -eq $((f0 + 6))
echo "test_bgp_frr: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
