#!/usr/bin/env bash
# xfwd to xfwd through GRE (with key) and IP-in-IP over IPv6: one appliance
# encapsulates in XDP, the other decapsulates in XDP, kernel forwarding off
# on both. Needs no kernel tunnel support (runs on this host's kernel).
#
#   c 10.10.1.10 -- a == underlay 192.0.2.0/24, fd00:55::/64 == b -- s 10.20.1.10
. "$(dirname "$0")/lib.sh"
require_root
trap cleanup EXIT

. "$(dirname "$0")/topo_tunnel.sh"
echo "test_tunnel_xfwd: xfwd <-> xfwd tunnels"
build_four xfwd

for kind in gre ipip6; do
	if [ $kind = gre ]; then
		xf a tunnel add t-$kind type gre local 192.0.2.1 remote 192.0.2.2 key 7
		xf b tunnel add t-$kind type gre local 192.0.2.2 remote 192.0.2.1 key 7
	else
		xf a tunnel add t-$kind type ipip local fd00:55::1 remote fd00:55::2
		xf b tunnel add t-$kind type ipip local fd00:55::2 remote fd00:55::1
	fi
	xf a route replace 10.20.0.0/16 tunnel t-$kind 2>/dev/null || xf a route add 10.20.0.0/16 tunnel t-$kind
	xf b route replace 10.10.0.0/16 tunnel t-$kind 2>/dev/null || xf b route add 10.10.0.0/16 tunnel t-$kind
	xf a stats reset; xf b stats reset
	check "$kind: ping across two xfwd appliances" nsx c ping -c 10 -i 0.05 -W 2 10.20.1.10
	check "$kind: every packet forwarded in XDP on a (20 = 10 requests + 10 replies)" \
		test "$(forwarded a)" -eq 20
	check "$kind: ...and on b" test "$(forwarded b)" -eq 20
	check "$kind: 2 MiB over TCP arrive intact (hosts at MTU 1500: PMTU discovery)" \
		tcp_intact s 10.20.1.10 7000 c 2097152
	check "$kind: xfwd answered 'too big' itself ($(stat_pkts a tx_icmp_too_big) on a, $(stat_pkts b tx_icmp_too_big) on b)" \
		test "$(( $(stat_pkts a tx_icmp_too_big) + $(stat_pkts b tx_icmp_too_big) ))" -gt 0
	check "$kind: per-tunnel counters move both ways" sh_ok "
		xf a tunnel show | grep t-$kind | grep -v ' rx 0 pkts' | grep -vq ' tx 0 pkts'"
	xf a route replace 10.20.0.0/16 blackhole; xf b route replace 10.10.0.0/16 blackhole
	xf a tunnel del t-$kind; xf b tunnel del t-$kind
done

# Tunnels between the same endpoints told apart by key (a VNI likewise):
# a sends on key 7, b answers on key 8; each decapsulates by the key.
for k in 7 8; do
	xf a tunnel add g$k type gre local 192.0.2.1 remote 192.0.2.2 key $k
	xf b tunnel add g$k type gre local 192.0.2.2 remote 192.0.2.1 key $k
done
tun_pkts() { xf "$1" tunnel show | awk -v t="$2:" -v d="$3" '$1 == t { for (i = 1; i < NF; i++) if ($i == d) print $(i + 1) }'; }
# tx counts only what XDP encapsulated (not the kernel devices' own
# packets, which the guest's GRE devices send): none yet on new tunnels,
# whatever the slot's earlier tunnel sent.
check "new tunnels count from zero, not from their slot's earlier tunnel" sh_ok "
	[ \$(tun_pkts a g7 tx) -eq 0 ] && [ \$(tun_pkts b g7 tx) -eq 0 ] || { xf a tunnel show; false; }"
xf a route replace 10.20.0.0/16 tunnel g7; xf b route replace 10.10.0.0/16 tunnel g8
# The kernel devices' own packets (IPv6 autoconfiguration) may add to rx:
# what the ping adds is compared.
declare -A c0
for x in "a g7 tx" "b g7 rx" "b g8 tx" "a g8 rx" "a g8 tx" "b g7 tx"; do c0[$x]=$(tun_pkts $x); done
grew() { echo $(( $(tun_pkts $1 $2 $3) - ${c0[$1 $2 $3]} )); }
check "two GRE tunnels between the same endpoints: ping across, a -> b on key 7, b -> a on key 8" sh_ok "
	nsx c ping -c 5 -i 0.05 -W 2 10.20.1.10 >/dev/null &&
	[ \$(grew a g7 tx) -ge 5 ] && [ \$(grew b g7 rx) -ge 5 ] && [ \$(grew a g8 tx) -eq 0 ] &&
	[ \$(grew b g8 tx) -ge 5 ] && [ \$(grew a g8 rx) -ge 5 ] && [ \$(grew b g7 tx) -eq 0 ] ||
	{ xf a tunnel show; xf b tunnel show; false; }"
xf a stats reset
check "...stats reset zeroes the tunnels' counts (what XDP encapsulated)" sh_ok "
	[ \$(tun_pkts a g7 tx) -eq 0 ] && [ \$(tun_pkts a g8 tx) -eq 0 ] || { xf a tunnel show; false; }"
check "...a third with a key already used there is refused, saying so" sh_ok "
	xf a tunnel add g7b type gre local 192.0.2.1 remote 192.0.2.2 key 7 2>&1 | grep -q 'already joins these endpoints with this key'"
xf a route replace 10.20.0.0/16 blackhole; xf b route replace 10.10.0.0/16 blackhole
xf b tunnel del g7
check "...one deleted: the other still decapsulates (b -> a on key 8)" sh_ok "
	xf b route replace 10.10.0.0/16 tunnel g8 && xf a route replace 10.20.0.0/16 tunnel g8 &&
	nsx c ping -c 3 -i 0.05 -W 2 10.20.1.10 >/dev/null"
xf a route replace 10.20.0.0/16 blackhole; xf b route replace 10.10.0.0/16 blackhole
for n in a b; do xf $n tunnel del g8; done; xf a tunnel del g7

check "tunnel with a local address this host does not have is refused" sh -c "
	nsenter --net=/run/netns/$NSP-a $XFWD --pin-root $PIN_BASE/xfwd-$NSP-a tunnel add x type gre local 192.0.2.9 remote 192.0.2.2 2>&1 |
	grep -q 'not an address of this host'"
check "route to an unknown tunnel is refused" sh -c "
	nsenter --net=/run/netns/$NSP-a $XFWD --pin-root $PIN_BASE/xfwd-$NSP-a route add 10.30.0.0/16 tunnel nope 2>&1 |
	grep -q 'no tunnel nope'"
# A kernel without xfrm interfaces (this host's) is the system's problem,
# exit 2, said with the fix; with them (the 6.1 guest) the tunnel is made.
key=$(mktemp); echo 000102030405060708090a0b0c0d0e0f10111213 >"$key"; chmod 600 "$key"
ipsec_add() {
	nsenter --net=/run/netns/$NSP-a $XFWD --pin-root $PIN_BASE/xfwd-$NSP-a tunnel add x type ipsec \
		local 192.0.2.1 remote 192.0.2.2 spi-out 0x501 spi-in 0x502 key-out "$key" key-in "$key" 2>"$key.err"
}
if nsx a ip link add xfrmprobe type xfrm if_id 9 2>/dev/null; then
	nsx a ip link del xfrmprobe
	check "ipsec tunnel on a kernel with xfrm interfaces: made" sh_ok "ipsec_add && xf a tunnel del x"
else
	check "ipsec tunnel on a kernel without xfrm interfaces: exit 2, naming the module" sh_ok "
		ipsec_add; rc=\$?; [ \$rc -eq 2 ] && grep -q 'no xfrm interfaces.*modprobe xfrm_interface' $key.err || { echo rc \$rc; cat $key.err; false; }"
fi
rm -f "$key" "$key.err"
echo "test_tunnel_xfwd: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
