#!/usr/bin/env bash
# xfwd's VXLAN against the kernel's own vxlan device, both directions, with
# real traffic, and a byte-level look at what crosses the wire; over an
# IPv4 underlay, then over IPv6 (where the outer UDP checksum is required:
# the kernel's device drops zero-checksum packets by default).
#
#   c 10.10.1.10 -- a (xfwd, forwarding off) == 192.0.2.0/24, fd00:55::/64 == b (kernel vxlan) -- s 10.20.1.10
#   vx4: VNI 100, inner 172.16.9.1 <-> .2;  vx6: VNI 600, inner 172.16.6.1 <-> .2
#   a's own kernel vxlan devices: created by xfwd (vx4), adopted (vx6).
. "$(dirname "$0")/lib.sh"
require_root
trap cleanup EXIT

. "$(dirname "$0")/topo_tunnel.sh"
echo "test_vxlan_kernel: xfwd VXLAN <-> Linux vxlan device"
build_four kernel

# kernel_vtep NS DEV VNI LOCAL REMOTE: a kernel vxlan device.
kernel_vtep() {
	nsx "$1" ip link add "$2" type vxlan id "$3" local "$4" remote "$5" dstport 4789
	nsx "$1" ip link set "$2" up
}

# over DEV VNI LOCAL_A REMOTE_A INNER_NET created|adopted WIRE_CHECK...:
# route through the tunnel DEV and check traffic and wire. b's side is its
# kernel device; on a, xfwd creates the kernel device for a's own inner
# address, or adopts the one made beforehand.
over() {
	local dev=$1 vni=$2 la=$3 ra=$4 inner=$5 how=$6 peer_mac cap n
	shift 6
	kernel_vtep b "$dev" "$vni" "$ra" "$la"
	[ "$how" = adopted ] && kernel_vtep a "$dev" "$vni" "$la" "$ra"
	peer_mac=$(nsx b cat /sys/class/net/"$dev"/address)
	# LEARN=1: no peer-mac, learned from a's kernel device (docs/peer-mac.md).
	# shellcheck disable=SC2086 # TUN_OPTS: words of the tunnel
	xf a tunnel add "$dev" type vxlan local "$la" remote "$ra" vni "$vni" \
		$([ -n "${LEARN:-}" ] || echo "peer-mac $peer_mac") ${TUN_OPTS:-}
	check "$dev: xfwd $how a's kernel vxlan device" sh_ok "
		xf a tunnel show | grep '^$dev:' | grep -q 'kernel-dev $how' &&
		ip -n $NSP-a -d link show $dev | grep -q 'vxlan id $vni remote $ra'"
	for n in a b; do # no kernel chatter in the capture
		nsx $n sysctl -qw net.ipv6.conf."$dev".disable_ipv6=1
	done
	case "${TUN_OPTS:-}" in
	*inner*) check "$dev: its 'inner $inner.1/30' is on a's kernel device" sh_ok "
			ip -n $NSP-a addr show dev $dev | grep -q 'inet $inner.1/30'" ;;
	*) nsx a ip addr add "$inner.1/30" dev "$dev" ;;
	esac
	nsx b ip addr add "$inner.2/30" dev "$dev"
	nsx b ip route replace 10.10.0.0/16 via "$inner.1" dev "$dev"
	xf a route replace 10.20.0.0/16 tunnel "$dev"
	check "$dev: kernel VTEP reaches xfwd's host over VXLAN (ARP and ICMP to a's own $dev)" \
		nsx b ping -c 3 -i 0.2 -W 2 "$inner.1"
	check "$dev: ...kept encapsulated for a's kernel vxlan device" \
		test "$(stat_pkts a pass_tunnel_local)" -gt 0
	if [ -n "${LEARN:-}" ]; then
		check "$dev: no peer-mac given: learned from a's device's neighbours ($peer_mac)" sh_ok "
			xf a nexthop refresh >/dev/null && xf a tunnel show | grep '^$dev:' | grep -q 'peer-mac $peer_mac (learned)'"
	fi
	cap=$(mktemp)
	# Only frames the size of an encapsulated ping (xfwd's, not a's kernel VTEP).
	nsx b timeout 10 tcpdump -nn -e -vv -c 2 -i b-u "udp port 4789 and src host $la and greater 130" >"$cap" 2>/dev/null &
	sleep 1
	xf a stats reset
	check "$dev: ping client -> server: xfwd encap, kernel decap, kernel encap, xfwd decap" \
		nsx c ping -c 10 -i 0.05 -W 2 10.20.1.10
	check "$dev: every packet crossed a in XDP (20 forwarded)" test "$(forwarded a)" -eq 20
	wait || true
	check "$dev: on the wire: VXLAN flags I, VNI $vni" grep -q "VXLAN, flags \[I\] (0x08), vni $vni" "$cap"
	check "$dev: on the wire: inner Ethernet addressed to the peer VTEP ($peer_mac)" grep -q "> $peer_mac" "$cap"
	while [ $# -gt 0 ]; do
		check "$dev: on the wire: $1" grep -Eq "$2" "$cap"
		shift 2
	done
	rm -f "$cap"
	check "$dev: 2 MiB over TCP arrive intact (hosts at MTU 1500)" tcp_intact s 10.20.1.10 7000 c 2097152
	check "$dev: tunnel counters move both ways" sh_ok "
		xf a tunnel show | grep '$dev:' | grep -v ' rx 0 pkts' | grep -vq ' tx 0 pkts'"
}

# uRPF on vx4 (docs/urpf.md): b is a plain Linux router, the spoke that
# does not run xfwd; sources it may deliver are what a routes over vx4
# (10.20.0.0/16) and the configured 10.98.0.0/16.
urpf_checks() {
	local d0
	nsx b ip addr add 10.99.0.1/32 dev lo
	nsx b ip addr add 10.98.0.1/32 dev lo
	check "uRPF: the tunnel's configured source is in the pinned map" sh_ok "
		bpftool map dump pinned $PIN_BASE/xfwd-$NSP-a/xfwd_urpf_allow | grep -q '255,255,10,98,0,0'"
	d0=$(stat_pkts a drop_urpf)
	# The tunnel's own count is not reset with the stats: its delta.
	t0=$(xf a -j tunnel show | tr '{' '\n' | grep '"name":"vx4"' | sed 's/.*"urpf_drops":\([0-9]*\).*/\1/')
	check "uRPF strict: a source routed back over vx4 passes (s pings c)" \
		nsx s ping -c 3 -i 0.1 -W 2 10.10.1.10
	check "uRPF strict: a spoofed inner source from the kernel peer is dropped" sh_ok "
		! nsx b ping -c 3 -i 0.1 -W 1 -I 10.99.0.1 10.10.1.10 >/dev/null"
	check "...counted: drop_urpf +3, and on vx4 in tunnel show" sh_ok "
		[ \$(stat_pkts a drop_urpf) -eq $((d0 + 3)) ] &&
		xf a tunnel show | grep '^vx4:' | grep -q 'urpf strict dropped $((t0 + 3)) ' || {
			echo drop_urpf \$(stat_pkts a drop_urpf), before $d0; xf a tunnel show; false; }"
	xf a stats reset
	nsx b ping -c 3 -i 0.1 -W 1 -I 10.98.0.1 10.10.1.10 >/dev/null || true
	check "uRPF: a configured source (urpf-allow 10.98.0.0/16) is forwarded to c" sh_ok "
		[ \$(stat_pkts a drop_urpf) -eq 0 ] && [ \$(forwarded a) -eq 3 ]"
}

port='(49[1-9][0-9]{2}|5[0-9]{4}|6[0-5][0-9]{3})' # the flow-hash range, >= 49152
LEARN=1 TUN_OPTS="urpf strict urpf-allow 10.98.0.0/16 inner 172.16.9.1/30" over vx4 100 192.0.2.1 192.0.2.2 172.16.9 created \
	"outer IPv4 with DF" 'flags \[DF\]' \
	"UDP to 4789 from a flow-hash port" "192\.0\.2\.1\.$port > 192\.0\.2\.2\.4789"
urpf_checks
# The spoke moves to another address (docs/tunnel-change.md): b makes its
# device again from 192.0.2.3, and a changes vx4's remote in place.
nsx b ip addr add 192.0.2.3/24 dev b-u
nsx b ip link del vx4
kernel_vtep b vx4 100 192.0.2.3 192.0.2.1
nsx b sysctl -qw net.ipv6.conf.vx4.disable_ipv6=1
nsx b ip addr add 172.16.9.2/30 dev vx4
nsx b ip route replace 10.10.0.0/16 via 172.16.9.1 dev vx4
check "tunnel change vx4 remote 192.0.2.3: in place" \
	xf a tunnel change vx4 type vxlan local 192.0.2.1 remote 192.0.2.3 vni 100 inner 172.16.9.1/30 urpf strict urpf-allow 10.98.0.0/16
check "...the same tunnel (id 1), its route kept; a's kernel device follows, its address kept" sh_ok "
	xf a tunnel show | grep '^vx4: id 1 ' | grep -q 'remote 192.0.2.3' &&
	xf a route show 10.20.0.0/16 | grep -q 'tunnel vx4 underlay via 192.0.2.3' &&
	ip -n $NSP-a -d link show vx4 | grep -q 'remote 192.0.2.3' &&
	ip -n $NSP-a addr show dev vx4 | grep -q 'inet 172.16.9.1/30' || {
		xf a tunnel show; xf a route show 10.20.0.0/16; ip -n $NSP-a -d link show vx4; false; }"
nsx b ping -c 2 -i 0.2 -W 2 172.16.9.1 >/dev/null || true
xf a nexthop refresh >/dev/null
check "...traffic crosses the moved tunnel both ways (the spoke's new device MAC learned)" \
	nsx c ping -c 5 -i 0.1 -W 2 10.20.1.10
check "...the old remote no longer decapsulates: no map entry names 192.0.2.2" sh_ok "
	! bpftool map dump pinned $PIN_BASE/xfwd-$NSP-a/xfwd_tunnel_peers | grep -q '192,0,2,2,'"
check "tunnel change of what makes another tunnel (local) is refused, naming it" sh_ok "
	out=\$(xf a tunnel change vx4 type vxlan local 192.0.2.9 remote 192.0.2.3 vni 100 2>&1) && exit 1
	echo \"\$out\" | grep -q 'its local address cannot change in place'"
over vx6 600 fd00:55::1 fd00:55::2 172.16.6 adopted \
	"outer IPv6, UDP to 4789 from a flow-hash port" "fd00:55::1\.$port > fd00:55::2\.4789" \
	"UDP checksum filled in and right" 'udp sum ok'
check "vx4 is idle once its routes moved to vx6, and can go" xf a tunnel del vx4
check "...with the kernel device xfwd created for it" sh -c "! ip -n $NSP-a link show vx4 2>/dev/null"
check "...and its configured uRPF sources" sh_ok "
	bpftool map dump pinned $PIN_BASE/xfwd-$NSP-a/xfwd_urpf_allow | grep -q '^\[\]$'"
xf a route replace 10.20.0.0/16 blackhole
xf a tunnel del vx6
check "an adopted kernel device stays when its tunnel goes" ip -n $NSP-a link show vx6
check "a device of the tunnel's name that does not match is refused, nothing added" sh_ok "
	out=\$(xf a tunnel add vx6 type vxlan local fd00:55::1 remote fd00:55::9 vni 600 peer-mac 02:00:00:00:00:01 2>&1) && exit 1
	echo \"\$out\" | grep -q 'exists but is not a vxlan tunnel to fd00:55::9' && ! xf a tunnel show | grep -q '^vx6:'"
check "a kernel device the kernel refuses (VNI 600 taken by vx6): its reason in the error, nothing added" sh_ok "
	out=\$(xf a tunnel add vx7 type vxlan local fd00:55::1 remote fd00:55::7 vni 600 peer-mac 02:00:00:00:00:01 2>&1) && exit 1
	echo \"\$out\" | grep -q 'cannot create the kernel.s vxlan device vx7: File exists: A VXLAN device with the specified VNI already exists' &&
	! xf a tunnel show | grep -q '^vx7:'"
check "a full detach removes the kernel devices xfwd created, not adopted ones" sh_ok "
	xf a tunnel add vx9 type vxlan local 192.0.2.1 remote 192.0.2.9 vni 900 peer-mac 02:00:00:00:00:01 &&
	ip -n $NSP-a link show vx9 >/dev/null && xf a detach &&
	! ip -n $NSP-a link show vx9 2>/dev/null && ip -n $NSP-a link show vx6 >/dev/null"
echo "test_vxlan_kernel: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
