#!/usr/bin/env bash
# Backup capacity of direct next hops (docs/capacity.md): r's route to
# 10.9.0.0/24 is ECMP over r1 and r2 (topo_basic.sh), each device given a
# capacity; one UDP flow (one device, by its hash) at 1.5 times that: the
# daemon warns for the device carrying it, not the other, the metric
# follows, and both clear when the flow stops. Device load is the
# device's own transmit counter, which counts what XDP redirects (veth).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
tmp=$(mktemp -d)
trap 'stop_daemon; cleanup; rm -rf "$tmp"' EXIT
echo "test_capacity_dev: a device whose traffic the rest of its group could not take"
basic_hosts
CAP=$((8000000 / SLOW))
mkdir "$tmp/m"
cat >"$tmp/r.conf" <<EOF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-r
attach = r0 r1 r2
capacity-window = 2
metrics-file = $tmp/m/xfwd.prom
metrics-interval = 1
[routes]
route = 10.0.1.0/24 via 10.0.1.2 dev r0
route = 10.9.0.0/24 via 10.0.2.2 dev r1 via 10.0.3.2 dev r2
[capacity]
capacity = dev r1 $CAP
capacity = dev r2 $CAP
EOF
nsenter --net=/run/netns/$NSP-r "$XFWD" run -c "$tmp/r.conf" 2>"$tmp/log" &
DPID=$!
check "the daemon runs with two device capacities" wait_for sh_ok "grep -q 'xfwd: running' '$tmp/log' || { cat '$tmp/log'; false; }"
wait_for sh_ok "! xf r route show 10.9.0.0/24 | grep -q unresolved" || true
metric() { sed -n "s/^$1{dev=\"$2\"} //p" "$tmp/m/xfwd.prom"; }
tx() { nsx r cat /sys/class/net/"$1"/statistics/tx_packets; }

udp_flow c 10.9.0.1 $((CAP * 3 / 2)) 6 &
F=$!
sleep 1
a=$(tx r1) b=$(tx r2); sleep 0.3
[ $(($(tx r1) - a)) -ge $(($(tx r2) - b)) ] && D=r1 O=r2 || { D=r2 O=r1; }
sleep $((2 + SLOW))
check "a flow at 1.5 times a device's capacity: r warns that $O could not take $D's traffic" sh_ok "
	grep -q 'dev $D: .* Mbit/s over the last 2 s; if it failed, the paths its traffic would move to could take only' '$tmp/log' &&
	! grep -q 'dev $O: .* if it failed' '$tmp/log' || { grep 'dev r' '$tmp/log'; false; }"
check "...the metric says $D is short, $O not; the load is the flow's" sh_ok "
	[ \$(metric xfwd_path_backup_short $D) = 1 ] && [ \$(metric xfwd_path_backup_short $O) = 0 ] &&
	l=\$(metric xfwd_path_load_bytes_per_second $D) && [ \$l -gt $((CAP / 8)) ] && [ \$l -lt $((CAP * 3 / 8)) ] ||
	{ grep xfwd_path '$tmp/m/xfwd.prom'; false; }"
check "...promtool accepts the file" promtool check metrics <"$tmp/m/xfwd.prom"
wait $F
check "the flow stops: r says the rest of the group could carry $D again" \
	wait_for -t $((6 * SLOW)) grep -q "dev $D: the paths its traffic would move to could carry it again" "$tmp/log"
printf '[capacity]\ncapacity = dev nosuch0 1G\n' >>"$tmp/r.conf"
kill -HUP $DPID
check "a reload naming a device that is not there: refused, naming the line" \
	wait_for grep -q "no device 'nosuch0' for this capacity (see 'ip link')" "$tmp/log"
stop_daemon
echo "test_capacity_dev: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
