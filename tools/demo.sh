#!/usr/bin/env bash
# xfwd demo: the product's job, in network namespaces, in about a minute.
# Two regions, two appliances in each; each appliance runs `xfwd run` with
# its config under the systemd unit's capabilities, and BIRD, which learns
# the other region's prefix over a VXLAN tunnel (BGP over the tunnel's
# inner addresses) and installs it into table 100 for xfwd to mirror.
# Kernel forwarding is off on every appliance: what crosses went through
# XDP. Then one path is cut silently, the loss window is measured, the
# traffic comes back after the hold-down; live rates and the metrics.
# `tools/demo.sh --tour` (make demo-tour) is the older tour of the CLI.
#
#   us-east-1 LAN 10.10.1.0/24                           eu-west-1 LAN 10.20.1.0/24
#   host 10.10.1.10 -- use1-a (.1) ==t1 (path 1)== euw1-a (.1) -- host 10.20.1.10
#                   \- use1-b (.2) ==t2 (path 2)== euw1-b (.2) -/
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = --tour ] && exec "$TOP/tools/demo-tour.sh"
. "$TOP/tests/net/lib.sh"
NSP=xdemo
require_root
for b in bird birdc; do
	command -v $b >/dev/null || { echo "demo: $b is missing (run tools/install-deps.sh)" >&2; exit 1; }
done
tmp=$(mktemp -d)
PIDS=()
# The daemons by PID, and anything still reading this run's files.
stop_all() { kill "${PIDS[@]}" 2>/dev/null || true; pkill -f -- "$tmp/" 2>/dev/null || true; wait 2>/dev/null || true; }
trap 'stop_all; cleanup; rm -rf "$tmp"' EXIT
cleanup

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }
on() { local ns=$1; shift; show "xfwd $*    # on $ns"; xf "$ns" "$@"; }
APPS="use1-a use1-b euw1-a euw1-b"
region() { case $1 in use1-*) echo 10.10 ;; *) echo 10.20 ;; esac; }
far() { case $1 in use1-*) echo 10.20 ;; *) echo 10.10 ;; esac; }
pair() { case $1 in *-a) echo 1 ;; *) echo 2 ;; esac; }

say "Building two regions: a LAN and two appliances in each, two transit paths"
add_ns wan
for r in use1 euw1; do
	add_ns $r-host; add_ns $r-lan
	nsx $r-lan ip link add br0 type bridge; nsx $r-lan ip link set br0 up
	link $r-host eth0 $r-lan p-host; nsx $r-lan ip link set p-host master br0; host_if $r-lan p-host
	net=$(region $r-a).1
	nsx $r-host ip addr add $net.10/24 dev eth0; nsx $r-host ip route add default via $net.1
	host_if $r-host eth0
done
for n in $APPS; do
	add_ns $n; i=$(pair $n); r=${n%-*}; net=$(region $n).1
	link $n lan0 $r-lan p-$n; nsx $r-lan ip link set p-$n master br0; host_if $r-lan p-$n
	link $n wan0 wan w-$n
	nsx $n ip addr add $net.$i/24 dev lan0
	nsx $n sysctl -qw net.ipv4.ip_forward=0
	side=$([ $r = use1 ] && echo 1 || echo 2)
	nsx $n ip addr add 192.0.$((i + 1)).$side/24 dev wan0
done
for i in 1 2; do # path i: a bridge in wan joining the pair's underlays
	nsx wan ip link add path$i type bridge; nsx wan ip link set path$i up
	for n in $APPS; do [ "$(pair $n)" = $i ] && nsx wan ip link set w-$n master path$i && host_if wan w-$n; done
done
echo "appliances: $APPS (kernel IP forwarding off on each)"

say "Each appliance: xfwd run (its config, the unit's capabilities), then BIRD"
for n in $APPS; do
	i=$(pair $n); sib=$((3 - i)); net=$(region $n).1
	mkdir -p "$tmp/metrics-$n" # node_exporter's textfile directory on that appliance
	side=$([ "${n%-*}" = use1 ] && echo 1 || echo 2); peer=$((3 - side))
	cat >"$tmp/$n.conf" <<EOF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-$n
attach = lan0 wan0
mirror-table = 100                  ; BIRD installs the far region here
metrics-file = $tmp/metrics-$n/xfwd.prom
metrics-interval = 1
[tunnels]
tunnel = t$i type vxlan local 192.0.$((i + 1)).$side remote 192.0.$((i + 1)).$peer vni $i inner 169.254.$i.$side/30 probe udp probe-interval 20 hold-down 3000
[routes]
route = $net.0/24 via $net.10 dev lan0          ; this region's hosts
route = 10.0.0.0/8 via $net.$sib dev lan0       ; the summary, through the sibling
EOF
	cat >"$tmp/$n.bird" <<EOF
router id 192.0.$((i + 1)).$side;
protocol device {}
protocol kernel { kernel table 100; learn off; ipv4 { import none; export where source = RTS_BGP; }; }
protocol static region { ipv4; route $(region $n).0.0/16 blackhole; }
protocol bgp far { local as 6500$side; neighbor 169.254.$i.$peer as 6500$peer; direct;
  ipv4 { import all; export where proto = "region"; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
EOF
	nsenter --net=/run/netns/$NSP-$n "$AS_UNIT" "$XFWD" run -c "$tmp/$n.conf" 2>"$tmp/$n.log" &
	PIDS+=($!)
done
sed 's/^/    /' "$tmp/use1-a.conf"
for n in $APPS; do
	wait_for -t 30 grep -q 'xfwd: running' "$tmp/$n.log" || { cat "$tmp/$n.log"; exit 1; }
	ip netns exec $NSP-$n bird -f -c "$tmp/$n.bird" -s "$tmp/$n.ctl" -P "$tmp/$n.pid" >>"$tmp/bird.log" 2>&1 &
	PIDS+=($!)
done
show "birdc show protocols far    # on use1-a, until BGP is up over t1"
wait_for -t 30 sh -c "birdc -s '$tmp/use1-a.ctl' show protocols far | grep -q Established" &&
	wait_for -t 30 sh -c "for n in $APPS; do birdc -s \"$tmp/\$n.ctl\" show protocols far | grep -q Established || exit 1; done" ||
	{ cat "$tmp/bird.log"; exit 1; }
birdc -s "$tmp/use1-a.ctl" show protocols far | tail -1
wait_for -t 10 sh -c "ip -n $NSP-use1-a route show table 100 | grep -q 10.20.0.0/16"
show "ip route show table 100    # on use1-a: what BIRD learned"
ip -n $NSP-use1-a route show table 100
wait_for -t 10 sh_ok "xf use1-a route show 10.20.0.0/16 | grep -q tunnel" || true
on use1-a route show
on use1-a health

say "Traffic between the regions crosses in XDP"
xf use1-a stats reset
show "ping -c 3 10.20.1.10    # from the us-east-1 host"
nsx use1-host ping -c 3 -i 0.2 10.20.1.10
echo "forwarded by XDP on use1-a: $(( $(stat_pkts use1-a fwd_tx) + $(stat_pkts use1-a fwd_redirect) )) packets (kernel forwarding is off)"

say "Path 1 cut silently (its packets dropped, every link up): a counter-stamped stream measures the loss"
rate=1000 secs=8
nsx euw1-host python3 "$TOP/tests/net/seqstream.py" recv 9999 "$tmp/stream" &
RPID=$!
wait_for sh -c "ip netns exec $NSP-euw1-host ss -Hluna 'sport = :9999' | grep -q ."
nsx use1-host python3 "$TOP/tests/net/seqstream.py" send 10.20.1.10 9999 $rate $secs &
SPID=$!
sleep 1.5
# path1 on|off STATE: path 1 cut (on) or back (off), then how long until
# use1-a says t1 is STATE (in $ms), and its log line.
path1() {
	local t0
	silence wan w-use1-a "$1"; silence wan w-euw1-a "$1"
	t0=$(date +%s%N)
	wait_for -t 10 sh_ok "xf use1-a health | grep -q '^t1: $2'"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	grep "tunnel t1 $2" "$tmp/use1-a.log" | tail -1 | sed 's/^/    /'
}
show "tc: drop everything on path 1    # the link stays up; only probes can tell"
path1 on down
echo "use1-a judged t1 down after $ms ms (3 probes of 20 ms unanswered); its /16 moved to the summary via use1-b"
on use1-a route get 10.20.1.10
sleep 1
show "tc: path 1 back"
path1 off up
echo "t1 up again $ms ms after: replies for the 3000 ms hold-down first, then the /16 is back on t1"
wait "$SPID"; wait "$RPID" || true
echo "stream: $(head -1 "$tmp/stream") of $((rate * secs)) datagrams at $rate/s, through the cut and the failback"
sed -n 2p "$tmp/stream" | sed 's/^/    /'
lost=$(head -1 "$tmp/stream" | awk '{print $4}')
echo "loss window: about $lost ms (a datagram a millisecond, lost while t1 was being judged down)"

say "Live rates and the metrics"
nsx use1-host python3 "$TOP/tests/net/seqstream.py" send 10.20.1.10 9998 2000 3 &
SPID=$!
sleep 0.5
on use1-a stats -i 1 -n 1
wait "$SPID" || true
if command -v prometheus-node-exporter >/dev/null; then
	ip netns exec $NSP-use1-a prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$tmp/metrics-use1-a" >"$tmp/ne.log" 2>&1 &
	PIDS+=($!)
	wait_for sh -c "ip netns exec $NSP-use1-a python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/metrics')\" 2>/dev/null"
	show "curl -s 127.0.0.1:9100/metrics | grep -E 'xfwd_(tunnel_state|tunnel_rtt|packets_total.*fwd_redirect|routes|reloads)'    # node_exporter on use1-a"
	ip netns exec $NSP-use1-a python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9100/metrics').read().decode())" |
		grep -E '^xfwd_(tunnel_state\{.*\} 1|tunnel_rtt|packets_total\{.*fwd_redirect|routes\{|reloads)'
else
	show "grep xfwd_tunnel_state $tmp/metrics-use1-a/xfwd.prom"
	grep -E '^xfwd_tunnel_state\{.*\} 1' "$tmp/metrics-use1-a/xfwd.prom"
fi
say "Demo done: namespaces, daemons and files are removed on exit"
