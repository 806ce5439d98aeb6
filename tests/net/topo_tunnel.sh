# Four hosts for tunnel tests; the appliance a runs xfwd, b is the far end
# (xfwd, or the kernel's own tunnel device), hosts at MTU 1500.
#   c 10.10.1.10 -- a == underlay 192.0.2.0/24, fd00:55::/64 == b -- s 10.20.1.10
# build_four xfwd|kernel: what b is. Kernel forwarding is off on xfwd boxes.
build_four() {
	add_ns c; add_ns a; add_ns b; add_ns s
	link c c0 a a-c; link a a-u b b-u; link b b-s s s0
	nsx c ip addr add 10.10.1.10/24 dev c0; nsx c ip route add default via 10.10.1.1
	nsx s ip addr add 10.20.1.10/24 dev s0; nsx s ip route add default via 10.20.1.1
	nsx a ip addr add 10.10.1.1/24 dev a-c; nsx b ip addr add 10.20.1.1/24 dev b-s
	nsx a ip addr add 192.0.2.1/24 dev a-u; nsx a ip -6 addr add fd00:55::1/64 dev a-u nodad
	nsx b ip addr add 192.0.2.2/24 dev b-u; nsx b ip -6 addr add fd00:55::2/64 dev b-u nodad
	nsx a sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	host_if c c0
	xf a attach a-c a-u >/dev/null
	xf a route add 10.10.1.0/24 via 10.10.1.10 dev a-c
	if [ "$1" = xfwd ]; then
		nsx b sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
		host_if s s0
		xf b attach b-u b-s >/dev/null
		xf b route add 10.20.1.0/24 via 10.20.1.10 dev b-s
	else
		nsx b sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0
		host_if b b-u
	fi
}

# build_vxlan_peer: build_four kernel, with b a Linux router whose kernel
# vxlan device vx4 (VNI 100, inner 172.16.9.2/30) faces a and carries
# the way back to c; a detached, for a daemon to attach from its file.
build_vxlan_peer() {
	build_four kernel
	nsx b ip link add vx4 type vxlan id 100 local 192.0.2.2 remote 192.0.2.1 dstport 4789
	nsx b ip link set vx4 up
	nsx b ip addr add 172.16.9.2/30 dev vx4
	nsx b ip route replace 10.10.0.0/16 via 172.16.9.1 dev vx4
	xf a detach >/dev/null
}
