#!/usr/bin/env bash
# xfwd's GRE, IP-in-IP and GENEVE against the kernel's own tunnel devices
# (gre with key, ipip, ip6tnl, geneve carrying Ethernet over IPv4 and IP
# over IPv6), both directions, with real traffic. Needs a kernel
# with those devices: runs inside the VM guest (tests/vm/suite-6.1.sh).
#
#   c 10.10.1.10 -- a (xfwd, forwarding off) == underlay == b (kernel tunnel) -- s 10.20.1.10
#   a: a-c 10.10.1.1/24, a-u 192.0.2.1/24 fd00:u::1/64   b: b-u 192.0.2.2 fd00:u::2, b-s 10.20.1.1/24
. "$(dirname "$0")/../net/lib.sh"
. "$(dirname "$0")/../net/topo_tunnel.sh"
require_root
trap cleanup EXIT

# kind_dev NS DEV KIND LOCAL REMOTE: a kernel tunnel device of that kind.
kind_dev() {
	local ns=$1 dev=$2 kind=$3 l=$4 r=$5
	case $kind in
	gre) nsx $ns ip link add $dev type gre local $l remote $r key 42 ;;
	ipip) nsx $ns ip link add $dev type ipip local $l remote $r ;;
	ip6tnl) nsx $ns ip link add $dev type ip6tnl local $l remote $r mode any ;;
	geneve) nsx $ns ip link add $dev type geneve id 200 remote $r ;;
	geneve6-ip) nsx $ns ip link add $dev type geneve id 300 remote $r innerprotoinherit ;;
	esac
	nsx $ns ip link set $dev up
}

# tunnel_case KIND created|adopted: the kernel device on b, xfwd's tunnel
# on a; a's own kernel device (for the appliance's traffic in the tunnel)
# is created by xfwd, or made beforehand and adopted.
tunnel_case() {
	local kind=$1 how=$2 la=192.0.2.1 ra=192.0.2.2 xtype
	case $kind in ip6tnl | geneve6*) la=fd00:55::1; ra=fd00:55::2 ;; esac
	echo "-- $kind"
	kind_dev b k-$kind $kind $ra $la
	[ "$how" = adopted ] && kind_dev a x-$kind $kind $la $ra
	case $kind in
	gre) xtype="gre key 42" ;;
	geneve) xtype="geneve vni 200 peer-mac $(nsx b cat /sys/class/net/k-$kind/address)" ;;
	geneve6-ip) xtype="geneve vni 300 payload ip" ;;
	*) xtype=ipip ;;
	esac
	xf a tunnel add x-$kind type $xtype local $la remote $ra
	check "$kind: xfwd $how the kernel's $kind device for a's own traffic" sh_ok "
		xf a tunnel show | grep '^x-$kind:' | grep -q 'kernel-dev $how'"
	nsx b ip addr add 172.16.9.2/30 dev k-$kind
	nsx a ip addr add 172.16.9.1/30 dev x-$kind
	# Over an Ethernet payload b sends to a's kernel device's MAC (found by ARP).
	nsx b ip route replace 10.10.0.0/16 via 172.16.9.1 dev k-$kind
	xf a route replace 10.20.0.0/16 tunnel x-$kind
	nsx c ping -c 1 -W 3 10.20.1.10 >/dev/null 2>&1 || true # resolve neighbours
	check "$kind: ping client -> server through xfwd encap and kernel decap, and back" \
		nsx c ping -c 5 -i 0.1 -W 2 10.20.1.10
	check "$kind: 1 MiB over TCP arrives intact (hosts at MTU 1500)" \
		tcp_intact s 10.20.1.10 7000 c 1048576
	local show; show=$(xf a tunnel show)
	check "$kind: xfwd counted encapsulated and decapsulated packets" \
		sh -c "echo '$show' | grep x-$kind | grep -vq ' rx 0 pkts' && echo '$show' | grep x-$kind | grep -vq ' tx 0 pkts'"
	check "$kind: the appliance's own inner address answers through its kernel device" \
		nsx b ping -c 3 -i 0.1 -W 2 172.16.9.1
	check "$kind: ...counted as tunnel traffic for this host" \
		test "$(stat_pkts a pass_tunnel_local)" -gt 0
	xf a route replace 10.20.0.0/16 blackhole
	xf a tunnel del x-$kind
	if [ "$how" = created ]; then
		check "$kind: tunnel del removed the device xfwd created" sh -c "! ip -n $NSP-a link show x-$kind 2>/dev/null"
	else
		nsx a ip link del x-$kind
	fi
	nsx b ip link del k-$kind
}

echo "test_tunnels: xfwd against the kernel's tunnel devices on $(uname -r)"
build_four kernel
tunnel_case gre created
tunnel_case ipip adopted
tunnel_case ip6tnl created
tunnel_case geneve created
tunnel_case geneve6-ip created
check "a tunnel in use cannot be deleted" sh_ok "
	xf a tunnel add busy type gre local 192.0.2.1 remote 192.0.2.2 key 7 &&
	xf a route replace 10.20.0.0/16 tunnel busy &&
	xf a tunnel del busy 2>&1 | grep -q 'carries routes'"
echo "test_tunnels: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
