#!/usr/bin/env bash
# xfwd run: the daemon applies its config file and mirrors kernel table
# 100 into the data path, follows changes, reloads on SIGHUP (refusing a
# bad file whole), and stops and restarts without disturbing forwarding.
# Topology: tests/net/topo_basic.sh (kernel forwarding off on r).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap 'stop_daemon; cleanup' EXIT

echo "test_daemon: xfwd run, mirroring kernel table 100"
basic_hosts
conf=$(mktemp) log=$(mktemp)
write_conf() { # write_conf [EXTRA ROUTE LINE]
	cat >"$conf" <<EOF2
# the router's daemon
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-r
attach = r0 r1 r2
mirror-table = 100

[routes]
route = 10.0.1.0/24 via 10.0.1.2 dev r0
route = fd00:1::/64 via fd00:1::2 dev r0
${1:-}
EOF2
}
# What systemd would hear on its notify socket (Type=notify, WatchdogSec);
# the daemon runs with the unit's capabilities only (tests/net/as-unit).
notify_sock=$(mktemp -u /tmp/xfwd-notify.XXXXXX) notes=$(mktemp)
python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
while True:
    open(sys.argv[2], 'a').write(s.recv(4096).decode() + '\n')
" "$notify_sock" "$notes" &
NPID=$!
trap 'stop_daemon; [ -z "${SPID:-}" ] || kill $SPID 2>/dev/null; kill $NPID 2>/dev/null; rm -f "$notify_sock" "$notes"; cleanup' EXIT
start_daemon() {
	cat "$log" >>"$log.all" 2>/dev/null; : >"$log" # "running" must be this start's
	NOTIFY_SOCKET=$notify_sock WATCHDOG_USEC=300000 \
		nsenter --net=/run/netns/$NSP-r "$AS_UNIT" "$XFWD" run -c "$conf" 2>>"$log" &
	DPID=$!
	wait_for grep -q "xfwd: running" "$log" || true # checked below
}
route_is() { route_of r "$1" | grep -q -- "$2"; }
no_route() { ! route_of r "$1" | grep -q .; }
R() { nsx r ip "$@"; }

R route add table 100 10.9.0.0/24 via 10.0.2.2 dev r1 # there before the daemon
write_conf
start_daemon
check "the daemon starts and says so" sh -c "grep -q 'xfwd: running' '$log' || { cat '$log'; exit 1; }"
check "...and tells systemd it is ready (sd_notify READY=1)" wait_for grep -qx "READY=1" "$notes"
sleep 0.4
check "...and pets the watchdog (WatchdogSec)" grep -qx "WATCHDOG=1" "$notes"
check "a route already in table 100 is mirrored at start" route_is 10.9.0.0/24 "via 10.0.2.2 dev r1"
check "the config's static routes are in" route_is 10.0.1.0/24 "via 10.0.1.2 dev r0"
nsx c ping -c 1 -W 2 10.9.0.1 >/dev/null || true
check "...and its next hop resolves (the daemon learns MACs from neighbour events)" \
	wait_for sh_ok "
		! route_of r 10.9.0.0/24 | grep -q unresolved"
xf r stats reset
check "traffic to the mirrored route crosses the router in XDP" nsx c ping -c 5 -i 0.05 -W 1 10.9.0.1
check "...10 packets forwarded" test "$(forwarded r)" -eq 10

R route replace table 100 10.9.0.0/24 nexthop via 10.0.2.2 dev r1 nexthop via 10.0.3.2 dev r2
check "a replace with two paths becomes an ECMP group" wait_for route_is 10.9.0.0/24 "via 10.0.3.2 dev r2"
# Link loss sends no route event (the kernel only flags its own next hop):
# the daemon watches links. s's replies leave by s2, which stays up.
nsx s ip route replace default via 10.0.3.1 dev s2
nsx s sysctl -qw net.ipv6.conf.s1.keep_addr_on_down=1
nsx s ip link set s1 down
check "r1 loses its link: its next hop is marked dead at once" \
	wait_for sh_ok "
		route_of r 10.9.0.0/24 | grep 'via 10.0.2.2' | grep -q dead"
check "...and every flow goes over r2" nsx c ping -c 5 -i 0.05 -W 1 10.9.0.1
nsx s ip link set s1 up
check "r1's link is back: the next hop is alive again" \
	wait_for sh_ok "
		! route_of r 10.9.0.0/24 | grep -q dead"
nsx s ip route replace default via 10.0.2.1 dev s1
nsx s ip -6 route replace default via fd00:2::1 dev s1 # flushed when s1 went down
R -6 route add table 100 fd00:9::/64 via fd00:2::2 dev r1
check "an IPv6 route added to table 100 appears" wait_for route_is fd00:9::/64 "via fd00:2::2 dev r1"
# r1's link just came back: neighbour discovery there took seconds here,
# and until the MAC is known the route's packets go to the kernel.
check "...and its next hop resolves" wait_for -t 10 sh_ok "
		! route_of r fd00:9::/64 | grep -q unresolved"
check "...and carries traffic" nsx c ping -6 -c 3 -i 0.1 -W 2 fd00:9::1
R route add 10.77.0.0/16 via 10.0.2.2 dev r1
R route add table 100 blackhole 10.66.0.0/16
R route add table 100 unreachable 10.67.0.0/16
check "blackhole in the table: dropped by xfwd" wait_for route_is 10.66.0.0/16 blackhole
check "unreachable in the table: left to the kernel (it answers with ICMP)" wait_for route_is 10.67.0.0/16 kernel
check "routes of other tables are not mirrored" no_route 10.77.0.0/16
R route add table 100 10.0.1.0/24 via 10.0.2.2 dev r1
sleep 0.3
check "a static route of the config wins over the same prefix in the table" route_is 10.0.1.0/24 "via 10.0.1.2 dev r0"
R route del table 100 10.66.0.0/16
check "a route deleted from the table disappears" wait_for no_route 10.66.0.0/16
# FRR's zebra installs routes over kernel next-hop objects (nhid); the
# kernel reports them expanded (net.ipv4.nexthop_compat_mode, default 1).
R nexthop add id 71 via 10.0.2.2 dev r1
R nexthop add id 72 via 10.0.3.2 dev r2
R nexthop add id 70 group 71/72
R route add table 100 10.48.0.0/16 nhid 70
check "a route over a next-hop object group (as FRR installs them) becomes ECMP" \
	wait_for sh_ok "route_is 10.48.0.0/16 'via 10.0.2.2 dev r1' && route_is 10.48.0.0/16 'via 10.0.3.2 dev r2'"
R nexthop replace id 70 group 72
check "...and follows the group when it is replaced" \
	wait_for sh_ok "! route_is 10.48.0.0/16 'via 10.0.2.2 dev r1' && route_is 10.48.0.0/16 'via 10.0.3.2 dev r2'"
R route del table 100 10.48.0.0/16
R nexthop del id 70
R nexthop del id 71
R nexthop del id 72
check "...and goes with it" wait_for no_route 10.48.0.0/16
# A route via a tunnel's kernel device (BGP learned over the tunnel) is
# forwarded by the XDP tunnel. The tunnel comes from the file on reload.
write_conf "[tunnels]
tunnel = vx1 type vxlan local 10.0.2.1 remote 10.0.2.2 vni 7 peer-mac 02:00:00:00:00:07"
kill -HUP "$DPID"
wait_for R link show vx1 >/dev/null || true
R addr add 172.16.50.1/30 dev vx1
R route add table 100 10.46.0.0/16 via 172.16.50.2 dev vx1
check "a route via a tunnel's kernel device goes into that XDP tunnel" \
	wait_for route_is 10.46.0.0/16 "tunnel vx1 underlay via 10.0.2.2 dev r1 proto mirror"
check "...route show names the kernel's next hop it came from (-j too)" sh_ok "
	route_is 10.46.0.0/16 'proto mirror kernel via 172.16.50.2 dev vx1\$' &&
	xf r -j route show 10.46.0.0/16 | grep -q '\"kernel\":{\"gateway\":\"172.16.50.2\",\"dev\":\"vx1\",\"paths\":1}' ||
	{ xf r route show 10.46.0.0/16; xf r -j route show 10.46.0.0/16; false; }"
# Inner-source validation changes in place: the route through the tunnel
# stays (docs/urpf.md).
write_conf "[tunnels]
tunnel = vx1 type vxlan local 10.0.2.1 remote 10.0.2.2 vni 7 peer-mac 02:00:00:00:00:07 urpf strict urpf-allow 10.97.0.0/16"
kill -HUP "$DPID"
check "reload: uRPF set on a running tunnel in place, its routes kept" wait_for sh_ok "
	xf r tunnel show | grep '^vx1:' | grep -q 'urpf strict dropped 0 urpf-allow 10.97.0.0/16' &&
	route_is 10.46.0.0/16 'tunnel vx1' && grep -q 'tunnel vx1: urpf strict, 1 configured' '$log'"
write_conf "[tunnels]
tunnel = vx1 type vxlan local 10.0.2.1 remote 10.0.2.2 vni 7 peer-mac 02:00:00:00:00:07 urpf loose urpf-allow 10.96.0.0/16"
kill -HUP "$DPID"
check "reload: uRPF mode and sources replaced (the old prefix gone)" wait_for sh_ok "
	xf r -j tunnel show | grep -q '\"urpf\":\"loose\",\"urpf_drops\":0,\"urpf_allow\":\\[\"10.96.0.0/16\"\\]'"
# Filters from the file ([filters], docs/filters.md): bound on reload,
# left alone when unchanged, replaced when the rule file changes, a bad
# rule file refusing the whole reload, removed when the file drops them.
rules=$(mktemp)
printf 'proto icmp allow\nproto tcp dport 179 allow\n' >"$rules"
vx1="tunnel = vx1 type vxlan local 10.0.2.1 remote 10.0.2.2 vni 7 peer-mac 02:00:00:00:00:07 urpf loose urpf-allow 10.96.0.0/16"
write_conf "[tunnels]
$vx1
[filters]
filter = tunnel vx1 in default deny rules $rules"
kill -HUP "$DPID"
check "reload: a [filters] set bound to the tunnel, its rule file read" wait_for sh_ok "
	xf r filter show | grep -q '^tunnel vx1 in: set [0-9]*, 2 rules' &&
	grep -q 'filter tunnel vx1 in: 2 rules, default deny' '$log'"
set0=$(xf r filter show | sed -n 's/^tunnel vx1 in: set \([0-9]*\),.*/\1/p')
kill -HUP "$DPID"
check "reload: an unchanged set is left as it is (same set id)" wait_for sh_ok "
	[ \$(grep -c 'xfwd: reloaded' '$log') -ge 2 ] &&
	[ \"\$(xf r filter show | sed -n 's/^tunnel vx1 in: set \\([0-9]*\\),.*/\\1/p')\" = $set0 ] &&
	[ \$(grep -c 'filter tunnel vx1 in: 2 rules' '$log') -eq 1 ]"
printf 'proto udp dport 4789 allow\n' >>"$rules"
kill -HUP "$DPID"
check "reload: the rule file changed: the set replaced" wait_for sh_ok "
	xf r filter show | grep -q 'proto udp dport 4789 allow'"
printf 'proto tcp dport 9-8 allow\n' >>"$rules"
kill -HUP "$DPID"
check "reload: a bad rule file refuses the reload, naming its line; the running set stays" wait_for sh_ok "
	grep -q \"reload refused.*$rules:4: 'dport 9-8'\" '$log' &&
	xf r filter show | grep -q '^tunnel vx1 in: set [0-9]*, 3 rules'"
write_conf "[tunnels]
$vx1"
kill -HUP "$DPID"
check "reload: the file drops the filter: unbound" wait_for sh_ok "
	! xf r filter show | grep -q 'tunnel vx1' && grep -q 'filter tunnel vx1 in removed' '$log'"
rm -f "$rules"
# Translations from the file ([translations], docs/translation.md): added
# on reload, a changed mapping replaced, overlapping lines refused whole,
# removed when the file drops them; the tunnel's route kept throughout.
write_conf "[tunnels]
$vx1
[translations]
xlat = 10.1.0.0/16 to 100.65.0.0/16 tunnel vx1
xlat = fd01:203:405::/48 to 2001:db8:1::/48 tunnel vx1"
kill -HUP "$DPID"
check "reload: [translations] rules added on the tunnel" wait_for sh_ok "
	[ \$(xf r xlat show | grep -c 'tunnel vx1') -eq 2 ] &&
	grep -q 'xlat 10.1.0.0/16 to 100.65.0.0/16 tunnel vx1' '$log'"
write_conf "[tunnels]
$vx1
[translations]
xlat = 10.1.0.0/16 to 100.66.0.0/16 tunnel vx1
xlat = fd01:203:405::/48 to 2001:db8:1::/48 tunnel vx1"
kill -HUP "$DPID"
check "reload: a changed mapping replaces the rule; the other is left as it is" wait_for sh_ok "
	xf r xlat show | grep -q '10.1.0.0/16 to 100.66.0.0/16 tunnel vx1' &&
	! xf r xlat show | grep -q '100.65.0.0' && grep -q 'xlat 10.1.0.0/16 to 100.65.0.0/16 tunnel vx1 removed' '$log' &&
	[ \$(grep -c 'xlat fd01:203:405::/48' '$log') -eq 1 ] && route_is 10.46.0.0/16 'tunnel vx1'"
write_conf "[tunnels]
$vx1
[translations]
xlat = 10.1.0.0/16 to 100.66.0.0/16 tunnel vx1
xlat = 10.1.128.0/17 to 100.67.0.0/17 tunnel vx1"
kill -HUP "$DPID"
check "reload: overlapping translations refuse the reload, naming the lines; the rules stay" wait_for sh_ok "
	grep -q 'reload refused.*overlaps line' '$log' && [ \$(xf r xlat show | grep -c 'tunnel vx1') -eq 2 ]"
write_conf "[tunnels]
$vx1"
kill -HUP "$DPID"
check "reload: the file drops the translations: removed" wait_for sh_ok "
	[ -z \"\$(xf r xlat show)\" ] && grep -q 'xlat fd01:203:405::/48 to 2001:db8:1::/48 tunnel vx1 removed' '$log'"
# A spoke that does not run xfwd (docs/peer-mac.md): vx2 has no peer-mac
# and its inner address from the file; s is a plain Linux VTEP. Its MAC
# is learned from r's kernel device once s talks over it, and followed
# when s makes its device again with another MAC.
s_vtep() { # s_vtep [MAC]
	nsx s ip link del vx2 2>/dev/null || true
	nsx s ip link add vx2 ${1:+address $1} type vxlan id 8 local 10.0.2.2 remote 10.0.2.1 dstport 4789
	nsx s ip link set vx2 up
	nsx s ip addr add 172.16.52.2/30 dev vx2
	nsx s sysctl -qw net.ipv4.conf.vx2.rp_filter=0 # c's packets arrive over vx2, replies leave by s1
}
learned() { xf r tunnel show | grep '^vx2:' | grep -q "peer-mac $(nsx s cat /sys/class/net/vx2/address) (learned)"; }
s_vtep
nsx s ip addr add 10.47.0.1/32 dev lo
write_conf "[tunnels]
$vx1
tunnel = vx2 type vxlan local 10.0.2.1 remote 10.0.2.2 vni 8 inner 172.16.52.1/30"
kill -HUP "$DPID"
check "reload: vx2 without peer-mac; its 'inner' address on its kernel device" wait_for sh_ok "
	ip -n $NSP-r addr show dev vx2 | grep -q 'inet 172.16.52.1/30' && xf r tunnel show | grep '^vx2:' | grep -q 'peer-mac none-yet'"
xf r route add 10.47.0.0/16 tunnel vx2
check "...its MAC unknown, its next hop waits (the kernel's), never a frame to a zero MAC" sh_ok "
	xf r route get 10.47.0.1 | grep -q 'action pass (next hop MAC not yet resolved)'"
check "the plain Linux spoke reaches r's inner address over VXLAN" nsx s ping -c 2 -i 0.2 -W 2 172.16.52.1
check "...and r learned the spoke's device MAC from its neighbours" wait_for learned
check "c reaches the spoke through vx2 (XDP encapsulates to the learned MAC)" nsx c ping -c 3 -i 0.2 -W 2 10.47.0.1
s_vtep 02:00:00:00:52:02
nsx s ping -c 2 -i 0.2 -W 2 172.16.52.1 >/dev/null || true
check "the spoke makes its device again with a new MAC: followed, no operator" wait_for sh_ok "
	learned && xf r tunnel show | grep -q 'peer-mac 02:00:00:00:52:02 (learned)' &&
	grep -q 'tunnel vx2: peer MAC 02:00:00:00:52:02' '$log'"
check "...and c reaches the spoke through it again" nsx c ping -c 3 -i 0.2 -W 2 10.47.0.1
write_conf "[tunnels]
$vx1
tunnel = vx2 type vxlan local 10.0.2.1 remote 10.0.2.2 vni 8 inner 172.16.52.1/30 ttl 33 mtu 1300"
kill -HUP "$DPID"
check "reload: vx2's TTL and MTU changed in place, its route and learned MAC kept" wait_for sh_ok "
	xf r tunnel show | grep '^vx2:' | grep -q 'ttl 33' && learned &&
	grep -q 'tunnel vx2: changed in place' '$log' && ip -n $NSP-r -d link show vx2 | grep -q 'ttl 33' &&
	! grep -q 'cannot change the kernel.s vxlan device vx2' '$log' &&
	xf r route show 10.47.0.0/16 | grep -q 'tunnel vx2 underlay via' && xf r -j nexthop show | grep -q '\"tunnel\":\"vx2\",\"tunnel_id\":2,.*\"mtu\":1300'"
check "...and c reaches the spoke through it" nsx c ping -c 3 -i 0.2 -W 2 10.47.0.1
xf r route del 10.47.0.0/16
nsx s ip link del vx2
R route del table 100 10.46.0.0/16
write_conf
kill -HUP "$DPID"
check "...and the tunnel and its kernel device go when the file drops it" wait_for sh -c "! ip -n $NSP-r link show vx1 2>/dev/null"

# The CLI and the daemon take turns (a lock on the pin root); a change made
# with the CLI is re-read by the daemon before its next change.
xf r route add 10.44.0.0/16 blackhole
R route add table 100 10.45.0.0/16 via 10.0.3.2 dev r2
check "a route added with the CLI while the daemon runs..." wait_for route_is 10.45.0.0/16 "via 10.0.3.2 dev r2"
check "...survives the daemon's next change, which re-read the table first" \
	sh_ok "
		route_is 10.44.0.0/16 blackhole && grep -q 'changed by a command: read it again' '$log'"
xf r route del 10.44.0.0/16

cp "$conf" "$conf.good"
printf 'route = 10.55.0.0/16 via 10.0.2.2 dev nosuch\n' >>"$conf"
kill -HUP "$DPID"
check "a bad file on reload is refused with its line, the running config stays" \
	sh -c "for i in \$(seq 50); do grep -q \"reload refused.*:$(wc -l <"$conf"):.*no device 'nosuch'\" '$log' && exit 0; sleep 0.1; done; cat '$log'; exit 1"
check "...and nothing of it was applied" no_route 10.55.0.0/16
# An attach line naming a device that does not exist: checked with the
# rest, before anything of the file is applied.
write_conf "route = 10.59.0.0/16 blackhole"
sed -i 's/^attach = r0 r1 r2$/attach = r0 r1 r2 nosuch0/' "$conf"
kill -HUP "$DPID"
check "a reload whose attach names an unknown device is refused, naming it and its line" \
	wait_for sh_ok "grep -q 'reload refused.*:4: no device .nosuch0. to attach' '$log'"
check "...and nothing of it was applied" no_route 10.59.0.0/16
write_conf "route = 10.55.0.0/16 blackhole"
kill -HUP "$DPID"
check "reload adds what the file now has" wait_for route_is 10.55.0.0/16 blackhole
check "...telling systemd it reloads (RELOADING=1)" grep -qx "RELOADING=1" "$notes"
write_conf
kill -HUP "$DPID"
check "reload removes what the file no longer has" wait_for no_route 10.55.0.0/16

stop_daemon
check "the daemon stops on SIGTERM, saying the data path keeps forwarding" grep -q "keeps forwarding" "$log"
check "with no daemon, traffic still crosses in XDP" nsx c ping -c 3 -i 0.1 -W 1 10.9.0.1
R route del table 100 10.67.0.0/16
R route add table 100 10.68.0.0/16 via 10.0.3.2 dev r2
pings=$(mktemp)
nsx c ping -i 0.01 -c 400 -W 1 10.9.0.1 >"$pings" 2>&1 &
PING=$!
sleep 0.5
nsx r sysctl -qw net.ipv4.nexthop_compat_mode=0
start_daemon
nsx r sysctl -qw net.ipv4.nexthop_compat_mode=1
check "a daemon started with nexthop_compat_mode off says what it means and the fix" \
	grep -q "nexthop_compat_mode is 0: .*set it to 1" "$log"
check "a restarted daemon drops what left the table while it was away" sh_ok "wait_for no_route 10.67.0.0/16 || { cat $log; xf r route show; exit 1; }"
check "...and adds what came" route_is 10.68.0.0/16 "via 10.0.3.2 dev r2"
check "...and keeps what stayed" route_is 10.9.0.0/24 "via 10.0.3.2 dev r2"
wait "$PING" || true
check "no packet lost while the daemon restarted, re-attached and reconciled" \
	sh -c "grep -q ' 0% packet loss' '$pings' || { tail -3 '$pings'; exit 1; }"
rm -f "$pings"

# Table sizes from [xfwd] (docs/table-sizes.md): a daemon on a fresh pin
# root makes its maps as the file asks; restarted with other sizes it
# keeps the live maps (the data path never stops) and says what it could
# not change; a reload changing them is refused.
sz=$(mktemp) szlog=$(mktemp) sroot=$PIN_BASE/xfwd-$NSP-sz
nsx r ip link add rs0 type veth peer name rs1
nsx r ip link set rs0 up; nsx r ip link set rs1 up
sizes_conf() { # sizes_conf TBL6_NODES
	printf '[xfwd]\npin-root = %s\nattach = rs0\nipv4-table = compact\ntblc-lines = 4096\ntbl6-nodes = %s\nroutes4 = 5000\ngroups = 100\n' \
		"$sroot" "$1" >"$sz"
}
sizes_start() {
	: >"$szlog"
	nsenter --net=/run/netns/$NSP-r "$AS_UNIT" "$XFWD" run -c "$sz" 2>>"$szlog" &
	SPID=$!
	wait_for grep -q "xfwd: running" "$szlog" || true # checked below
}
sizes_stop() { kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; SPID=""; }
sstatus() { nsenter --net=/run/netns/$NSP-r "$XFWD" --pin-root "$sroot" "$@" status; }
sizes_conf 1024
sizes_start
check "a daemon makes its maps with the sizes of its [xfwd] section" sh_ok "
	sstatus -j >$sz.json && python3 -c \"import json, sys; j = json.load(open('$sz.json'))
sys.exit(not (j['ipv4_table'] == 'compact' and j['tblc_lines'] == 4096 and j['tbl6_nodes'] == 1024
              and j['routes4_max'] == 5000 and j['groups'] == 99))\" || { cat $sz.json $szlog; false; }"
check "...status says them in words" sh_ok "
	sstatus | grep -q '^IPv4 table: compact, lines [0-9]* of 4096' && sstatus | grep -q '^IPv6 table nodes: [0-9]* of 1024' &&
	sstatus | grep -qx 'route records: up to 5000 IPv4, 524288 IPv6'"
sizes_stop
sizes_conf 2048
sizes_start
check "restarted with other sizes: it runs on the live maps, naming what it could not change and the fix" sh_ok "
	kill -0 $SPID && grep -q 'kept as they were made, not as asked: tbl6-nodes 2048 (the maps have 1024);.*xfwd detach' $szlog &&
	sstatus -j | grep -q "\\\"tbl6_nodes\\\":1024[,}]" || { cat $szlog; false; }"
sizes_conf 4096
kill -HUP "$SPID"
check "...a reload changing them is refused, naming the settings and the restart" wait_for sh_ok "
	grep -q 'reload refused.*table sizes (ipv4-table, .*) cannot change on reload' $szlog"
sizes_stop
nsenter --net=/run/netns/$NSP-r "$XFWD" --pin-root "$sroot" detach >/dev/null
nsx r ip link del rs0
rm -f "$sz" "$sz.json" "$szlog"

# A second daemon on a fresh pin root whose attach fails (r0 carries the
# first one's program): the routes were loading meanwhile, and everything
# it made goes again.
bad=$(mktemp) badlog=$(mktemp) broot=$PIN_BASE/xfwd-$NSP-bad
printf '[xfwd]\npin-root = %s\nattach = r0\nmirror-table = 100\n' "$broot" >"$bad"
check "a daemon that cannot attach exits, naming the device and the fix" \
	sh -c "! nsenter --net=/run/netns/$NSP-r '$XFWD' run -c '$bad' 2>'$badlog' &&
	       grep -q 'r0 already has an XDP program' '$badlog' || { cat '$badlog'; exit 1; }"
check "...and leaves no pins behind" test ! -e "$broot"
check "...while the running daemon's data path forwards on" nsx c ping -c 3 -i 0.1 -W 1 10.9.0.1
# A second daemon on the same pin root (the same file, started by hand
# beside the unit's): refused before it touches anything, naming the
# first one's pid (docs/daemon-lock.md).
g0=$(xf r -j status | grep -o '"generation":[0-9]*')
check "a second xfwd run on the same pin root is refused, naming the first one's pid" \
	sh_ok "rc=0; timeout 30 nsenter --net=/run/netns/$NSP-r '$XFWD' run -c '$conf' 2>'$badlog' || rc=\$?
	       [ \$rc -ne 0 ] && [ \$rc -ne 124 ] &&
	       grep -q 'another xfwd run (pid $DPID) keeps pin root $PIN_BASE/xfwd-$NSP-r' '$badlog' || { cat '$badlog'; false; }"
check "...and changed nothing: the first runs on, the table's generation is the same, traffic forwards" \
	sh_ok "kill -0 $DPID && [ \"\$(xf r -j status | grep -o '\"generation\":[0-9]*')\" = '$g0' ] &&
	       nsx c ping -c 3 -i 0.1 -W 1 10.9.0.1 >/dev/null"
# A start refused for a bad line (a route over an unknown device) on a
# fresh pin root: the program was attaching meanwhile, and goes again.
nsx r ip link add rx0 type veth peer name rx1
nsx r ip link set rx0 up; nsx r ip link set rx1 up
printf '[xfwd]\npin-root = %s\nattach = rx0\n[routes]\nroute = 10.58.0.0/16 via 10.0.2.2 dev nosuch\n' "$broot" >"$bad"
check "a start refused for a bad line says which" \
	sh_ok "! nsenter --net=/run/netns/$NSP-r '$XFWD' run -c '$bad' 2>'$badlog' &&
	       grep -q '$bad:5: no device .nosuch.' '$badlog' || { cat '$badlog'; false; }"
check "...and leaves no XDP program on the device it was attaching" sh_ok "! nsx r ip link show rx0 | grep -q xdp"
check "...and no pins" test ! -e "$broot"
nsx r ip link del rx0
rm -f "$bad" "$badlog"

# A SIGHUP that reaches a daemon still starting (here: waiting for the
# pin root's lock, which a CLI command would hold) is kept for the loop;
# SIGHUP's default action would end the daemon. systemd queues a reload
# until READY=1, but kill -HUP and scripts do not wait.
stop_daemon
exec 9<"$PIN_BASE/xfwd-$NSP-r"
flock 9
write_conf "route = 10.56.0.0/16 blackhole"
: >"$log"
nsenter --net=/run/netns/$NSP-r "$AS_UNIT" "$XFWD" run -c "$conf" 2>>"$log" 9<&- &
DPID=$!
# SigBlk bit 0 is SIGHUP: blocked once start() has begun.
hup_blocked() { [ $((0x$(awk '$1 == "SigBlk:" { print $2 }' /proc/$DPID/status) & 1)) -eq 1 ]; }
check "a daemon starting (waiting for the lock) holds SIGHUP back" wait_for hup_blocked
write_conf "route = 10.57.0.0/16 blackhole"
kill -HUP "$DPID"
sleep 0.2
exec 9<&-
check "...survives it, and reloads once running" wait_for -t 10 sh_ok "
	grep -q 'xfwd: reloaded' '$log' && kill -0 $DPID || { cat '$log'; false; }"
check "...the file as it was at the signal" sh_ok "route_is 10.57.0.0/16 blackhole && no_route 10.56.0.0/16"
stop_daemon
check "a stopped daemon leaves no lock file behind (/run/xfwd)" test ! -e "/run/xfwd/$(echo "$PIN_BASE/xfwd-$NSP-r" | tr / _).lock"
rm -f "$conf" "$conf.good" "$log" "$log.all"
echo "test_daemon: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
