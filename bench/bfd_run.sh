#!/usr/bin/env bash
# BFD failover at a full table (make bench BENCH=bfd; docs/bfd.md).
# Prints the BENCHMARKS.md section.
#
# The issue's hub, one spoke: a is the appliance (xfwd run and BIRD, BGP
# over two VXLAN tunnels vx1 and vx2 to b, `merge paths on`: every route
# an ECMP pair); b is a Linux router with kernel vxlan devices and BIRD,
# announcing ROUTES prefixes of the real table and the stream's
# 10.20.1.0/24 over both sessions, BFD on (`bfd on`). A UDP stream of one
# datagram per ms c -> s; the tunnel carrying it is cut silently (tc on
# m drops both ways) and the longest gap between arrivals at s is the
# time until traffic is on the survivor. The same run, two ways:
# - xfwd's BFD: vx1 and vx2 with `probe bfd`, a's BIRD without BFD; the
#   verdict marks the tunnel's next hop dead, one write.
# - BIRD's BFD: a's BIRD with BFD on both sessions, xfwd without probes;
#   the session's routes are withdrawn through the kernel table (ROUTES
#   multipath routes rewritten), which xfwd mirrors.
# Then, at 10 ms x 3 and no routes but the stream's: session flaps in
# SECONDS with two busy loops on the CPU of xfwd's BFD thread, as
# SCHED_FIFO (the default) and at the normal priority, and with them on
# the CPU of a's BIRD running the BFD instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export XFWD_FULLTABLE=${XFWD_FULLTABLE:-../shared/data/fulltable-2024.txt.gz}
REPS=${XFWD_BENCH_REPS:-3}
ROUTES=${XFWD_BENCH_ROUTES:-1000000}
IV=${XFWD_BENCH_BFD_MS:-100}
LOAD_S=${XFWD_BENCH_SECONDS:-20}
export NSP=bb$$
. bench/lib.sh
. tests/net/lib.sh
require_root
tmp=$(mktemp -d)
PIDS=() LOADPIDS=""
trap 'kill "${PIDS[@]}" $LOADPIDS 2>/dev/null || true; cleanup; rm -rf "$tmp"' EXIT
say() { echo "bfd_bench: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- the hub and its spoke: tests/net/topo_health.sh's pair, b a Linux
# router with a kernel vxlan device per path ----
. tests/net/topo_health.sh
pair_build
nsx b sysctl -qw net.ipv4.ip_forward=1
for i in 1 2; do
	nsx b ip link add vx$i type vxlan id $((100 + i)) local 192.0.$((i + 1)).2 remote 192.0.$((i + 1)).1 dstport 4789 dev b-v$i
	nsx b ip link set vx$i up
	nsx b ip addr add 172.16.$i.2/30 dev vx$i
done

# a's xfwd: PROBE bfd|none
xconf() {
	cat <<CONF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-a
attach = a-c a-u1 a-u2
mirror-table = 100
[tunnels]
CONF
	for i in 1 2; do
		local p=""
		[ "$1" = bfd ] && p="probe bfd 172.16.$i.2 from 172.16.$i.1 probe-interval $IV probe-multiplier 3 hold-down 500"
		echo "tunnel = vx$i type vxlan local 192.0.$((i + 1)).1 remote 192.0.$((i + 1)).2 vni $((100 + i)) peer-mac $(nsx b cat /sys/class/net/vx$i/address) $p"
	done
	printf '[routes]\nroute = 10.10.1.0/24 via 10.10.1.10 dev a-c\n'
}
# BIRD: bconf a|b on|off [static-file]
bconf() {
	local me=$1 bfd=$2 peer_as=65001 as=65000 n=1
	[ "$me" = b ] && { peer_as=65000; as=65001; n=2; }
	cat <<B
router id 172.16.1.$n;
log "$tmp/$me.birdlog" all;
debug protocols { states };
protocol device {}
B
	[ "$me" = a ] && echo 'protocol kernel { kernel table 100; merge paths on limit 8; learn off; ipv4 { import none; export all; }; }'
	[ "$me" = b ] && cat <<B
protocol direct { ipv4; interface "b-s"; }
include "$tmp/static.conf";
B
	[ "$bfd" = on ] && echo "protocol bfd { interface \"vx*\" { min rx interval $IV ms; min tx interval $IV ms; multiplier 3; }; }"
	for i in 1 2; do
		echo "protocol bgp bgp$i { local as $as; neighbor 172.16.$i.$((3 - n)) as $peer_as; direct; hold time 9; keepalive time 3;
  bfd $bfd; connect delay time 1; connect retry time 1; error wait time 1, 2;
  ipv4 { import all; export $([ "$me" = b ] && echo all || echo none); }; }"
	done
}
table_prefixes "$tmp/prefixes" "$ROUTES"
grep -v '^10\.\|^192\.0\.\|^172\.16\.\|^0\.' "$tmp/prefixes" | awk -v n="$ROUTES" 'BEGIN { print "protocol static bulk { ipv4;" } NR <= n { print "route " $1 " blackhole;" } END { print "}" }' >"$tmp/static.conf"
NPFX=$(($(wc -l <"$tmp/static.conf") - 2))
touch "$tmp/a.log"
xconf bfd >"$tmp/a.conf"
nsenter --net=/run/netns/$NSP-a taskset -c 0 "$XFWD" run -c "$tmp/a.conf" 2>"$tmp/a.log" & PIDS+=($!)
XPID=$!
wait_for -t 30 grep -q 'xfwd: running' "$tmp/a.log" || die "xfwd did not start: $(cat "$tmp/a.log")"
for i in 1 2; do nsx a ip addr add 172.16.$i.1/30 dev vx$i; done
bconf a off >"$tmp/a.bird"; bconf b on >"$tmp/b.bird"
ip netns exec $NSP-a taskset -c 1 bird -f -c "$tmp/a.bird" -s "$tmp/a.ctl" -P "$tmp/a.pid" >>"$tmp/bird.log" 2>&1 & PIDS+=($!)
APID=$!
ip netns exec $NSP-b taskset -c 1 bird -f -c "$tmp/b.bird" -s "$tmp/b.ctl" -P "$tmp/b.pid" >>"$tmp/bird.log" 2>&1 & PIDS+=($!)

imported() { birdc -s "$tmp/a.ctl" show protocols all "bgp$1" | awk '/Routes:/ { print $2 }'; }
exported_updates() { birdc -s "$tmp/a.ctl" show protocols all kernel1 | awk '/Export updates:/ { print $3 }'; }
# settled: both sessions carry every prefix and the kernel protocol's
# exports stopped moving (xfwd then mirrors what the kernel got).
settled() {
	local t=$((SECONDS + 600)) last=-1 now want=$((${1:-$NPFX} + 1))
	until [ "$(imported 1)" = $want ] && [ "$(imported 2)" = $want ]; do
		[ $SECONDS -lt $t ] || die "BGP did not bring every prefix: $(imported 1) $(imported 2)"
		sleep 1
	done
	while now=$(exported_updates); [ "$now" != "$last" ]; do last=$now; sleep 3; done
	wait_for -t 120 sh_ok "xf a route get 10.20.1.10 | grep -q 'tunnel vx'" || die "no route to the stream"
}
say "loading $NPFX prefixes over both sessions"
settled
say "loaded"

# stream SECONDS CUT_AT: c -> s, the path carrying it cut at CUT_AT s
# until the end; prints the longest gap in ms (and the datagrams lost).
carrier() {
	local t1 t2
	t1=$(tun_pkts a tx vx1); t2=$(tun_pkts a tx vx2)
	sleep 0.3
	[ $(($(tun_pkts a tx vx1) - t1)) -ge $(($(tun_pkts a tx vx2) - t2)) ] && echo 1 || echo 2
}
stream() {
	nsx s python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)
s.bind(('10.20.1.10', 9000)); s.settimeout(1); t0 = time.monotonic(); end = t0 + float(sys.argv[1]) + 3; at = []
while time.monotonic() < end:
    try: s.recv(64); at.append(time.monotonic())
    except socket.timeout: pass
n = len(at); at.append(t0 + 0.5 + float(sys.argv[1]))  # a gap to the end of the stream counts to it
print(int(max([b - a for a, b in zip(at, at[1:])] or [0]) * 1000), n)" "$1" >"$tmp/stream" &
	local spid=$! p
	sleep 0.5
	nsx c python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); t0 = time.monotonic(); n = 0
while time.monotonic() - t0 < float(sys.argv[1]):
    s.sendto(b'x', ('10.20.1.10', 9000)); n += 1; time.sleep(0.001)
open(sys.argv[2], 'w').write(str(n))" "$1" "$tmp/sent" &
	local cpid=$!
	sleep "$2"
	p=$(carrier)
	silence m m$p on; silence m v$p on
	wait $cpid; wait $spid
	silence m m$p off; silence m v$p off
	read -r gap got <"$tmp/stream"
	echo "$gap $(( $(cat "$tmp/sent") - got ))"
}
# runs LABEL SECONDS: REPS cuts; "median max" of the gaps.
runs() {
	local gaps=() g l
	for r in $(seq "$REPS"); do
		read -r g l < <(stream "$2" 1.5)
		say "$1, cut $r: gap $g ms, $l lost"
		gaps+=("$g")
		sleep 12 # past BGP's hold time: whatever the cut did to the sessions has happened
		settled
		wait_for -t 30 sh_ok "! xf a health | grep -q ': down '" || true
		sleep 2 # past the hold-down
	done
	printf '%s\n' "${gaps[@]}" | sort -n | awk '{ g[NR] = $1 } END { print g[int((NR + 1) / 2)], g[NR] }'
}
wait_for -t 30 sh_ok "[ \$(xf a health | grep -c ': up ') -eq 2 ]" || die "xfwd's BFD sessions not up: $(xf a health)"
read -r X_MED X_MAX < <(runs "xfwd's BFD" 5)

# BIRD's BFD instead: xfwd's sessions go (its listeners close), a's BIRD takes them.
xconf none >"$tmp/a.conf"; kill -HUP $XPID
wait_for sh_ok "[ \$(grep -c 'reloaded' '$tmp/a.log') -ge 1 ]" || die "xfwd did not reload"
bconf a on >"$tmp/a.bird"; birdc -s "$tmp/a.ctl" configure >/dev/null
wait_for -t 30 sh_ok "birdc -s '$tmp/a.ctl' show bfd sessions | grep -c ' Up ' | grep -qx 2" || die "BIRD's BFD sessions not up"
settled
read -r B_MED B_MAX < <(runs "BIRD's BFD" 60)

# ---- a busy CPU, 10 ms x 3, the stream's route only ----
flaps_xfwd() { grep -c 'tunnel vx1 down' "$tmp/a.log" || true; }
flaps_bird() { grep -c 'bgp1: State changed to down' "$tmp/a.birdlog" || true; }
# busy CPU SECONDS N NICE: N busy loops at NICE on CPU for SECONDS.
busy() {
	LOADPIDS=""
	for _ in $(seq "$3"); do taskset -c "$1" nice -n "$4" sh -c 'while :; do :; done' & LOADPIDS="$LOADPIDS $!"; done
	sleep "$2"; kill $LOADPIDS; LOADPIDS=""
}
LOADS="2:0 4:-20" # busy loops : their nice
echo 'protocol static bulk { ipv4; }' >"$tmp/static.conf"; birdc -s "$tmp/b.ctl" configure >/dev/null
settled 0 # the withdrawal of every prefix done before any load
IV0=$IV IV=10
bconf a off >"$tmp/a.bird"; birdc -s "$tmp/a.ctl" configure >/dev/null
bconf b on >"$tmp/b.bird"; birdc -s "$tmp/b.ctl" configure >/dev/null
for rt in yes no; do
	xconf bfd >"$tmp/a.conf"; sed -i "/^\[xfwd\]/a bfd-realtime = $rt" "$tmp/a.conf"
	kill $XPID; wait $XPID 2>/dev/null || true
	nsenter --net=/run/netns/$NSP-a taskset -c 0 "$XFWD" run -c "$tmp/a.conf" 2>"$tmp/a.log" & PIDS+=($!)
	XPID=$!
	# This daemon's own verdicts (xfwd_health still shows the last one's
	# until it publishes): both tunnels up by a change after its start.
	t_start=$(date +%s%3N)
	wait_for -t 30 sh_ok "[ \$(xf a -j health | python3 -c 'import json, sys
print(sum(t[\"state\"] == \"up\" and t[\"changed_unix_ms\"] > $t_start for t in json.load(sys.stdin)))') -eq 2 ]" ||
		die "xfwd's BFD sessions not up: $(xf a health)"
	for l in $LOADS; do
		f0=$(flaps_xfwd); busy 0 "$LOAD_S" "${l%:*}" "${l#*:}"; sleep 1
		eval "FLAP_${rt}_$(( ${l#*:} + 20 ))=$(( $(flaps_xfwd) - f0 ))"
		say "xfwd's BFD, bfd-realtime = $rt, $l busy loops on its CPU: $(( $(flaps_xfwd) - f0 )) downs"
		{ grep 'tunnel vx1 down' "$tmp/a.log" || true; } | tail -n +$((f0 + 1)) | sed 's/^/bfd_bench:   /' >&2
	done
done
xconf none >"$tmp/a.conf"; kill -HUP $XPID
wait_for sh_ok "grep -q reloaded '$tmp/a.log'"
bconf a on >"$tmp/a.bird"; birdc -s "$tmp/a.ctl" configure >/dev/null
wait_for -t 30 sh_ok "birdc -s '$tmp/a.ctl' show bfd sessions | grep -c ' Up ' | grep -qx 2" || die "BIRD's BFD sessions not up"
taskset -apc 0 $APID >/dev/null
for l in $LOADS; do
	d0=$(flaps_bird); busy 0 "$LOAD_S" "${l%:*}" "${l#*:}"; sleep 1
	eval "FLAP_BIRD_$(( ${l#*:} + 20 ))=$(( $(flaps_bird) - d0 ))"
	say "BIRD's BFD, $l busy loops on its CPU: $(( $(flaps_bird) - d0 )) BGP sessions dropped by BFD"
	wait_for -t 30 sh_ok "birdc -s '$tmp/a.ctl' show bfd sessions | grep -c ' Up ' | grep -qx 2" || true
done

cat <<TXT
## BFD: failover at a full table, and a busy CPU

Run: $(date -u +%Y-%m-%d), \`make bench BENCH=bfd\` (bench/bfd_run.sh,
docs/bfd.md). The issue's hub with one spoke: appliance a (xfwd, BIRD,
\`merge paths on\`) and Linux router b (kernel vxlan, BIRD) joined by two
VXLAN tunnels, a BGP session over each; b announces $NPFX prefixes of
the real table plus the stream's over both, so every route on a is an
ECMP pair. A UDP stream c -> s, one datagram per ms; the tunnel carrying
it is cut silently (tc drops both ways); the longest gap at s is the
time until traffic is on the survivor. BFD $IV0 ms x 3; $REPS cuts each.

| BFD by | failover gap, median | worst |
|---|---|---|
| xfwd (\`probe bfd\`: the tunnel's next hop marked dead, one write) | $X_MED ms | $X_MAX ms |
| BIRD (BGP session down, ${NPFX} routes rewritten in the kernel table, mirrored) | $B_MED ms | $B_MAX ms |

At 10 ms x 3 (no routes but the stream's), busy loops for ${LOAD_S} s on
the CPU of a's BFD speaker (the peer's on the other CPU): downs of the
session.

| BFD by | 2 loops, nice 0 | 4 loops, nice -20 |
|---|---|---|
| xfwd, bfd-realtime = yes (SCHED_FIFO, the default) | $FLAP_yes_20 | $FLAP_yes_0 |
| xfwd, bfd-realtime = no | $FLAP_no_20 | $FLAP_no_0 |
| BIRD 2.0.12 (its BFD thread; counted as BGP sessions BFD took down) | $FLAP_BIRD_20 | $FLAP_BIRD_0 |
TXT
