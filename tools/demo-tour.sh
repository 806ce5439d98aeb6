#!/usr/bin/env bash
# xfwd demo: two cloud regions joined by two transit links, one xfwd
# appliance per region, kernel forwarding OFF on both appliances, so
# every packet between the VPCs is forwarded by XDP: first routed directly
# over both links (ECMP), then through two GRE tunnels (as AWS Transit
# Gateway Connect uses), encapsulated and decapsulated in XDP.
#
#   VPC us-east-1               transit (2 paths, ECMP)            VPC eu-west-1
#   use1-host 10.10.1.10 -- use1-gw ==169.254.10.0/30== euw1-gw -- euw1-host 10.20.1.10
#                                   ==169.254.11.0/30==
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/net/lib.sh"
NSP=xdemo
require_root
trap cleanup EXIT
cleanup

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }
# Run xfwd on an appliance, echoing the command as a user would type it.
on() { local ns=$1; shift; show "xfwd $*    # on $ns"; xf "$ns" "$@"; }

say "Building two regions in network namespaces"
add_ns use1-host; add_ns use1-gw; add_ns euw1-gw; add_ns euw1-host
link use1-host eth0 use1-gw vpc0
link use1-gw tr0 euw1-gw tr0
link use1-gw tr1 euw1-gw tr1
link euw1-gw vpc0 euw1-host eth0
nsx use1-host ip addr add 10.10.1.10/24 dev eth0
nsx use1-host ip route add default via 10.10.1.1
nsx euw1-host ip addr add 10.20.1.10/24 dev eth0
nsx euw1-host ip route add default via 10.20.1.1
for gw in use1-gw euw1-gw; do
	nsx $gw sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.rp_filter=0
done
nsx use1-gw ip addr add 10.10.1.1/24 dev vpc0
nsx use1-gw ip addr add 169.254.10.1/30 dev tr0
nsx use1-gw ip addr add 169.254.11.1/30 dev tr1
nsx euw1-gw ip addr add 10.20.1.1/24 dev vpc0
nsx euw1-gw ip addr add 169.254.10.2/30 dev tr0
nsx euw1-gw ip addr add 169.254.11.2/30 dev tr1
host_if use1-host eth0; host_if euw1-host eth0
echo "appliances: use1-gw, euw1-gw (kernel IP forwarding disabled on both)"

say "Attaching xfwd (native XDP) and adding routes"
on use1-gw attach vpc0 tr0 tr1
on use1-gw route add 10.10.1.0/24 via 10.10.1.10 dev vpc0
on use1-gw route add 10.20.0.0/16 via 169.254.10.2 dev tr0 via 169.254.11.2 dev tr1
on use1-gw route add 10.20.99.0/24 blackhole
on euw1-gw attach vpc0 tr0 tr1
on euw1-gw route add 10.20.1.0/24 via 10.20.1.10 dev vpc0
on euw1-gw route add 10.10.0.0/16 via 169.254.10.1 dev tr0 via 169.254.11.1 dev tr1
on use1-gw route show

say "Traffic between the regions"
show "ping -c 5 10.20.1.10    # from use1-host"
nsx use1-host ping -c 5 -i 0.2 10.20.1.10
show "nc 10.20.1.10 7000 < 16 MiB    # TCP from use1-host"
tcp_intact euw1-host 10.20.1.10 7000 use1-host 16777216 && echo "16 MiB received intact"

say "Many flows spread over both transit paths (ECMP, flow hash)"
nsx euw1-host timeout 20 sh -c 'while true; do nc -l 10.20.1.10 7001 >/dev/null; done' &
srv=$!
a=$(rx_packets euw1-gw tr0); b=$(rx_packets euw1-gw tr1)
for i in $(seq 30); do nsx use1-host nc -N -w 2 10.20.1.10 7001 </dev/null >/dev/null 2>&1 || true; done
kill $srv 2>/dev/null || true
echo "packets received over transit path tr0: $(( $(rx_packets euw1-gw tr0) - a )), tr1: $(( $(rx_packets euw1-gw tr1) - b ))"
on use1-gw route get 10.20.1.10 from 10.10.1.10 proto tcp sport 40000 dport 443
on use1-gw route get 10.20.99.5

say "Draining transit path tr1 (one write: the route's group changes)"
on use1-gw route replace 10.20.0.0/16 via 169.254.10.2 dev tr0
show "ping -c 3 10.20.1.10"
nsx use1-host ping -c 3 -i 0.2 10.20.1.10

say "Now through GRE tunnels over both links (encap and decap in XDP)"
on use1-gw tunnel add gre-a type gre local 169.254.10.1 remote 169.254.10.2 key 100
on use1-gw tunnel add gre-b type gre local 169.254.11.1 remote 169.254.11.2 key 101
on euw1-gw tunnel add gre-a type gre local 169.254.10.2 remote 169.254.10.1 key 100
on euw1-gw tunnel add gre-b type gre local 169.254.11.2 remote 169.254.11.1 key 101
on use1-gw route replace 10.20.0.0/16 tunnel gre-a tunnel gre-b
on euw1-gw route replace 10.10.0.0/16 tunnel gre-a tunnel gre-b
show "ping -c 3 10.20.1.10"
nsx use1-host ping -c 3 -i 0.2 10.20.1.10
show "nc 10.20.1.10 7002 < 16 MiB    # hosts at MTU 1500: xfwd answers 'fragmentation needed'"
tcp_intact euw1-host 10.20.1.10 7002 use1-host 16777216 && echo "16 MiB received intact through the tunnels"
on use1-gw tunnel show

say "Counters on use1-gw (every packet lands in exactly one reason)"
on use1-gw stats | awk 'NR <= 6 || ($3 > 0 && NR > 7)'
on use1-gw status
show "bpftool map dump pinned /sys/fs/bpf/xfwd-$NSP-use1-gw/xfwd_nexthops (entry 2)"
bpftool map lookup pinned "$PIN_BASE/xfwd-$NSP-use1-gw/xfwd_nexthops" key 2 0 0 0 | sed -n 1,24p # reads it all: no SIGPIPE under pipefail
say "Demo done: namespaces are removed on exit"
