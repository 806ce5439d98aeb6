#!/usr/bin/env bash
# xfwd's VXLAN against the kernel's own vxlan device, both directions, with
# real traffic, and a byte-level look at what crosses the wire.
#
#   c 10.10.1.10 -- a (xfwd, forwarding off) == 192.0.2.0/24 == b (kernel vxlan vx0) -- s 10.20.1.10
#   VNI 100; inner: a's own kernel vx0 172.16.9.1 <-> b's vx0 172.16.9.2
. "$(dirname "$0")/lib.sh"
require_root
trap cleanup EXIT

. "$(dirname "$0")/topo_tunnel.sh"
echo "test_vxlan_kernel: xfwd VXLAN <-> Linux vxlan device"
build_four kernel
for n in a b; do
	l=192.0.2.1; r=192.0.2.2; [ $n = b ] && { l=192.0.2.2; r=192.0.2.1; }
	nsx $n ip link add vx0 type vxlan id 100 local $l remote $r dstport 4789
	nsx $n sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1 # no kernel chatter in the capture
	nsx $n ip link set vx0 up
done
nsx a ip addr add 172.16.9.1/30 dev vx0
nsx b ip addr add 172.16.9.2/30 dev vx0
nsx b ip route add 10.10.0.0/16 via 172.16.9.1 dev vx0
peer_mac=$(nsx b cat /sys/class/net/vx0/address)
xf a tunnel add vx type vxlan local 192.0.2.1 remote 192.0.2.2 vni 100 peer-mac "$peer_mac"
xf a route add 10.20.0.0/16 tunnel vx

check "kernel VTEP reaches xfwd's host over VXLAN (ARP and ICMP to a's own vx0)" \
	nsx b ping -c 3 -i 0.2 -W 2 172.16.9.1
check "...kept encapsulated for a's kernel vxlan device" test "$(stat_pkts a pass_tunnel_local)" -gt 0
cap=$(mktemp)
# Only frames the size of an encapsulated ping (xfwd's, not a's kernel VTEP).
nsx b timeout 10 tcpdump -nn -e -v -c 2 -i b-u "udp port 4789 and src host 192.0.2.1 and greater 130" >"$cap" 2>/dev/null &
sleep 1
xf a stats reset
check "ping client -> server: xfwd encap, kernel decap, kernel encap, xfwd decap" \
	nsx c ping -c 10 -i 0.05 -W 2 10.20.1.10
check "every packet crossed a in XDP (20 forwarded)" test "$(forwarded a)" -eq 20
wait || true
check "on the wire: VXLAN flags I, VNI 100" grep -q 'VXLAN, flags \[I\] (0x08), vni 100' "$cap"
check "on the wire: outer IPv4 with DF, UDP to 4789 from a flow-hash port >= 49152" \
	sh -c "grep -q 'flags \[DF\]' '$cap' && grep -Eq '192\.0\.2\.1\.(49[1-9][0-9]{2}|5[0-9]{4}|6[0-5][0-9]{3}) > 192\.0\.2\.2\.4789' '$cap'"
check "on the wire: inner Ethernet addressed to the peer VTEP ($peer_mac)" grep -q "> $peer_mac" "$cap"
rm -f "$cap"
check "2 MiB over TCP arrive intact (hosts at MTU 1500)" tcp_intact s 10.20.1.10 7000 c 2097152
check "tunnel counters move both ways" sh -c "
	$(declare -f xf); NSP=$NSP XFWD=$XFWD PIN_BASE=$PIN_BASE
	xf a tunnel show | grep 'vx:' | grep -v 'rx 0 pkts' | grep -vq 'tx 0 pkts'"
echo "test_vxlan_kernel: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
