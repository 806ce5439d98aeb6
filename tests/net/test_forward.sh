#!/usr/bin/env bash
# Real traffic through xfwd's XDP path: client <-> router <-> server over
# veth, native XDP on the router, kernel forwarding disabled there so
# delivery proves the XDP path. Ping (v4, v6), a TCP transfer, counters
# that match the traffic, and ECMP spreading flows over two links.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap cleanup EXIT

echo "test_forward: client <-> router(XDP) <-> server"
build_basic

check "kernel forwarding is off on the router" \
	test "$(nsx r sysctl -n net.ipv4.ip_forward)" = 0
# Resolve ND/ARP first, then count exactly.
nsx c ping -c 1 -W 2 10.9.0.1 >/dev/null || true
nsx c ping -6 -c 1 -W 2 fd00:9::1 >/dev/null || true
xf r stats reset
check "IPv4 ping crosses the router" nsx c ping -c 10 -i 0.05 -W 1 10.9.0.1
check "IPv6 ping crosses the router" nsx c ping -6 -c 10 -i 0.05 -W 1 fd00:9::1
check "forwarded = 40 (20 echo requests + 20 replies), got $(forwarded r)" \
	test "$(forwarded r)" -eq 40
check "nothing dropped" test "$(stat_pkts r drop_malformed_ip)" -eq 0
check "attaching again (a new build, another device) reuses the running maps" xf r attach r0
check "...and forwarding goes on" nsx c ping -c 3 -i 0.05 -W 1 10.9.0.1

# TCP: 4 MiB from client to server, byte-identical.
tmp=$(mktemp -d)
head -c 4194304 /dev/urandom >"$tmp/in"
nsx s timeout 30 nc -l 10.9.0.1 5001 >"$tmp/out" &
sleep 0.3
before=$(forwarded r)
check "TCP transfer of 4 MiB completes" nsx c timeout 30 nc -N 10.9.0.1 5001 <"$tmp/in"
wait || true
check "TCP payload arrives intact" cmp "$tmp/in" "$tmp/out"
check "TCP went through XDP ($(( $(forwarded r) - before )) frames forwarded)" \
	test $(( $(forwarded r) - before )) -gt 1000
rm -rf "$tmp"

# ECMP: 40 TCP flows (distinct source ports) to the service address.
nsx s timeout 30 sh -c 'while true; do nc -l 10.9.0.1 5002 >/dev/null; done' &
srv=$!
sleep 0.3
s1=$(rx_packets s s1); s2=$(rx_packets s s2)
for i in $(seq 40); do nsx c nc -N -w 2 10.9.0.1 5002 </dev/null >/dev/null 2>&1 || true; done
kill $srv 2>/dev/null || true
d1=$(( $(rx_packets s s1) - s1 )); d2=$(( $(rx_packets s s2) - s2 ))
check "ECMP spreads 40 flows over both links (s1 +$d1, s2 +$d2 packets)" \
	test "$d1" -gt 20 -a "$d2" -gt 20

# The CLI's view agrees with the data path's.
check "route get names a member of the ECMP group" \
	sh_ok "xf r route get 10.9.0.1 from 10.0.1.2 proto tcp sport 1234 dport 80 | grep -q 'action forward route 10.9.0.0/24 group'"
check "route get: local address goes to the kernel" \
	sh_ok "xf r route get 10.0.2.1 | grep -q 'action pass (addressed to this host)'"
# The same rule as the data path (maps/xfwd_special.h): link-local either way.
check "route get: link-local destination, or source, goes to the kernel (as in XDP)" sh_ok "
	xf r route get 169.254.10.1 | grep -q 'action pass (multicast, broadcast, link-local or loopback)' &&
	xf r route get 10.9.0.1 from 169.254.10.1 | grep -q 'action pass (multicast, broadcast, link-local' &&
	xf r route get fd00:9::1 from fe80::1 | grep -q 'action pass (multicast, broadcast, link-local' &&
	xf r route get 10.9.0.1 from 169.253.10.1 | grep -q 'action forward'"

# Blackhole: counted drop, the kernel never sees it.
xf r route add 10.9.0.0/28 blackhole
b0=$(stat_pkts r drop_blackhole)
nsx c ping -c 3 -i 0.05 -W 1 10.9.0.1 >/dev/null 2>&1 || true
check "blackhole route drops and counts 3 packets" \
	test $(( $(stat_pkts r drop_blackhole) - b0 )) -eq 3
xf r route del 10.9.0.0/28
check "deleting the more-specific restores forwarding" nsx c ping -c 2 -i 0.05 -W 1 10.9.0.1

# Bad input: one clear line, exit 1, nothing changed.
routes_before=$(xf r route show | md5sum)
check "malformed prefix is refused" sh -c "$XFWD --pin-root $PIN_BASE/xfwd-$NSP-r route add 10.1.2.3/33 blackhole 2>&1 | grep -q 'prefix length must be'"
check "unknown device is refused" sh -c "nsenter --net=/run/netns/$NSP-r $XFWD --pin-root $PIN_BASE/xfwd-$NSP-r route add 10.5.0.0/16 via 10.0.2.2 dev nosuch 2>&1 | grep -q \"no device 'nosuch'\""
check "duplicate add is refused with a hint" sh -c "nsenter --net=/run/netns/$NSP-r $XFWD --pin-root $PIN_BASE/xfwd-$NSP-r route add 10.9.0.0/24 blackhole 2>&1 | grep -q 'use .xfwd route replace'"
check "route table unchanged after refused commands" test "$(xf r route show | md5sum)" = "$routes_before"

# -batch: every line is checked before the first applies; the lines then
# go in as one table batch (each table entry written once).
bt=$(mktemp -d)
printf '%s\n' 'route add 10.70.0.0/16 blackhole' 'route add 10.70.1.0/24 via 10.0.2.2 dev r1' \
	'' '# a comment' 'route replace 10.70.0.0/16 via 10.0.3.2 dev r2' \
	'route del 10.71.0.0/25' >"$bt/batch"
xf r route add 10.71.0.0/25 blackhole
check "-batch applies add, replace and del lines in order" sh_ok "
	xf r -batch '$bt/batch' &&
	route_of r 10.70.0.0/16 | grep -q 'via 10.0.3.2 dev r2' &&
	route_of r 10.70.1.0/24 | grep -q 'via 10.0.2.2 dev r1' &&
	! route_of r 10.71.0.0/25 | grep -q . &&
	xf r route get 10.70.1.9 | grep -q 'action forward route 10.70.1.0/24' &&
	xf r route get 10.70.9.9 | grep -q 'action forward route 10.70.0.0/16'"
routes_before=$(xf r route show | md5sum)
printf '%s\n' 'route del 10.70.1.0/24' 'route add 10.72.0.0/16 blackhole' 'route add 10.73.0.0/16 via 10.0.2.2 dev nosuch' >"$bt/bad"
check "-batch with a bad line: refused naming the line" \
	sh_ok "xf r -batch '$bt/bad' 2>&1 | grep \"bad line 3: .*no device 'nosuch'\""
check "...and none of its lines applied" test "$(xf r route show | md5sum)" = "$routes_before"
printf '%s\n' 'route del 10.70.0.0/16' 'route del 10.70.1.0/24' | xf r -batch -
check "-batch from stdin" sh_ok "! route_of r 10.70.0.0/16 | grep -q . && test \"\$(xf r route show | md5sum)\" != '$routes_before'"
# All or nothing: lines checked against the lines before them, and a line
# that fails while applying takes back the lines before it.
routes_before=$(xf r route show | md5sum)
printf '%s\n' 'route add 10.60.0.0/16 blackhole' 'route add 10.60.0.0/16 blackhole' >"$bt/dup"
check "-batch adding one prefix twice: refused naming line 2" \
	sh_ok "! xf r -batch '$bt/dup' 2>$bt/err && grep -q 'dup line 2: route 10.60.0.0/16 exists (after line 1)' $bt/err || { cat $bt/err; false; }"
check "...and line 1 not applied" test "$(xf r route show | md5sum)" = "$routes_before"
printf '%s\n' 'route add fd00:60::/48 blackhole' 'route add fd00:60::/48 kernel' >"$bt/dup6"
check "IPv6: the same, refused naming line 2" \
	sh_ok "! xf r -batch '$bt/dup6' 2>$bt/err && grep -q 'dup6 line 2: route fd00:60::/48 exists' $bt/err || { cat $bt/err; false; }"
check "...and line 1 not applied" test "$(xf r route show | md5sum)" = "$routes_before"
xf r route add 10.61.0.0/16 blackhole
routes_before=$(xf r route show | md5sum)
printf '%s\n' 'route del 10.61.0.0/16' 'route add 10.62.0.0/16 kernel' 'route del 10.61.0.0/16' >"$bt/del2"
check "-batch deleting one prefix twice: refused naming line 3" \
	sh_ok "! xf r -batch '$bt/del2' 2>$bt/err && grep -q 'del2 line 3: no route 10.61.0.0/16 (after line 1)' $bt/err || { cat $bt/err; false; }"
check "...and nothing applied" test "$(xf r route show | md5sum)" = "$routes_before"
printf '%s\n' 'route del 10.61.0.0/16' 'route add 10.61.0.0/16 kernel' >"$bt/readd"
check "...while a delete then an add of one prefix is fine" sh_ok "xf r -batch '$bt/readd' && route_of r 10.61.0.0/16 | grep -q kernel"
xf r route del 10.61.0.0/16
# A table that fills in mid-batch: an instance of its own with three tbl8
# groups (lo's 127.0.0.1/32 takes one), so the third route longer than
# /24 cannot be placed.
add_ns q
nsx q ip link add q0 type veth peer name q1
nsx q ip link set q0 up; nsx q ip link set q1 up
xf q attach q0 tbl8-groups 3 >/dev/null # one holds 127.0.0.1/32
xf q route add 10.85.0.0/16 blackhole
q_before=$(xf q route show | md5sum)
printf '%s\n' 'route del 10.85.0.0/16' 'route add 10.80.0.0/16 blackhole' 'route add fd00:80::/48 blackhole' \
	'route add 10.81.1.0/25 blackhole' 'route add 10.81.2.0/25 blackhole' 'route add 10.81.3.0/25 blackhole' >"$bt/full"
check "-batch that fills the table in mid-apply: refused naming the line" \
	sh_ok "! xf q -batch '$bt/full' 2>$bt/err && grep -q 'full line 6: ' $bt/err || { cat $bt/err; false; }"
check "...and every line before it taken back (a delete, IPv4 and IPv6 adds)" \
	sh_ok "test \"\$(xf q route show | md5sum)\" = '$q_before' || { xf q route show; false; }"
check "...its tbl8 groups free again: two /25s still fit" \
	sh_ok "printf 'route add 10.81.1.0/25 blackhole\nroute add 10.81.2.0/25 blackhole\n' | xf q -batch -"
xf q detach
ip netns del $NSP-q
rm -rf "$bt"
check "not attached: clear error" sh -c "nsenter --net=/run/netns/$NSP-r $XFWD --pin-root $PIN_BASE/xfwd-none stats 2>&1 | grep -q 'run .xfwd attach'"

check "not root: clear error" sh -c "setpriv --reuid=65534 --regid=65534 --clear-groups $XFWD --pin-root $PIN_BASE/xfwd-$NSP-r status 2>&1 | grep -q 'needs root'"

# status counts what route show lists, without the lock (a monitor that
# polls it never holds up the daemon): answered while another holds it.
n4=$(xf r route show | grep -c '^[0-9.]*/'); n6=$(xf r route show | grep -c '^[0-9a-f:]*:[0-9a-f:]*/')
check "status counts the routes route show lists ($n4 IPv4, $n6 IPv6)" sh_ok "
	xf r status | grep -qx 'routes: $n4 IPv4, $n6 IPv6' || { xf r status; false; }"
flock "$PIN_BASE/xfwd-$NSP-r" sleep 30 & HOLD=$!
check "...and answers while the table's lock is held" sh_ok "
	timeout 5 nsenter --net=/run/netns/$NSP-r $XFWD --pin-root $PIN_BASE/xfwd-$NSP-r status | grep -q '^routes: $n4 IPv4'"
kill $HOLD; wait $HOLD 2>/dev/null || true

# Pins from an incompatible build are refused, and detach clears them.
info=$PIN_BASE/xfwd-$NSP-r/xfwd_info
le32() { printf '%d %d %d %d ' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# Rewrite xfwd_info with another ABI version, keeping every other field.
set_abi() {
	local f v=""
	for f in magic abi_version tbl8_groups routes4_max routes6_max nexthops_max groups_max generation \
		routes4 routes6 tbl8_used mirror_table tbl6_nodes tbl6_used ipv4_table tblc_lines tblc_used pad; do
		if [ $f = abi_version ]; then v+=$(le32 "$1"); else
			v+=$(le32 "$(bpftool map lookup pinned "$info" key 0 0 0 0 | awk -v k="\"$f\":" '$1 == k {gsub(",", "", $2); print $2}')")
		fi
	done
	bpftool map update pinned "$info" key 0 0 0 0 value $v
}
abi=$(bpftool map lookup pinned "$info" key 0 0 0 0 | awk '$1 == "\"abi_version\":" {gsub(",", "", $2); print $2}')
set_abi 99
check "incompatible pins: refused with 'xfwd detach' advice" sh -c "nsenter --net=/run/netns/$NSP-r $XFWD --pin-root $PIN_BASE/xfwd-$NSP-r route show 2>&1 | grep -q 'incompatible xfwd build (ABI 99, this build $abi): run .xfwd --pin-root'"
check "incompatible pins: attach refuses too" sh -c "! nsenter --net=/run/netns/$NSP-r $XFWD --pin-root $PIN_BASE/xfwd-$NSP-r attach r0 2>/dev/null"
check "forwarding continues meanwhile" nsx c ping -c 2 -i 0.05 -W 1 10.9.0.1
set_abi "$abi"
check "ABI restored: accepted again" xf r status

# Forwarding survives the CLI: no process is left, the pinned link holds.
check "no xfwd process is running" sh -c "! pgrep -x xfwd"
check "forwarding continues with no xfwd process" nsx c ping -c 2 -i 0.05 -W 1 10.9.0.1

set_abi 99 # detach must clear pins it cannot read, as its message promises
xf r detach
check "after detach, the router forwards nothing (kernel forwarding off)" \
	sh -c "! ip netns exec $NSP-c ping -c 2 -i 0.1 -W 1 10.9.0.1"
check "detach removed the pins" test ! -e "$PIN_BASE/xfwd-$NSP-r"

# Maps made small at attach: a write at their limit is refused with the
# fix, leaves nothing behind, and the routes in place forward on.
lt=$(mktemp -d)
xf r attach r0 r1 r2 routes4 7 routes6 10 >/dev/null
xf r route add 10.0.1.0/24 via 10.0.1.2 dev r0
xf r route add 10.9.0.0/24 via 10.0.2.2 dev r1
xf r route add fd00:1::/64 via fd00:1::2 dev r0
xf r route add fd00:9::/64 via fd00:2::2 dev r1
n4=$(xf r route show | grep -c '^[0-9.]*/')
for i in $(seq $((7 - n4))); do xf r route add 10.7$i.0.0/16 blackhole; done
routes_before=$(xf r route show | md5sum)
check "IPv4 routes map full: the next add is refused with the fix" sh_ok "
	! xf r route add 10.79.0.0/16 blackhole 2>$lt/err && grep -q \"all 7 IPv4 routes in use: attach with a larger 'routes4'\" $lt/err || { cat $lt/err; false; }"
n6=$(xf r route show | grep -c '^[0-9a-f:]*:[0-9a-f:]*/')
for i in $(seq $((10 - n6))); do xf r route add fd00:7$i::/48 blackhole; done
check "IPv6 routes map full: the next add is refused with the fix" sh_ok "
	! xf r route add fd00:79::/48 blackhole 2>$lt/err && grep -q \"attach with a larger 'routes6'\" $lt/err || { cat $lt/err; false; }"
# A delete frees its slot only at the batch's end (records of new routes
# go in first): deleting one route and adding another needs one free.
check "...a -batch that reaches the limit is refused whole" sh_ok "
	! printf 'route replace 10.71.0.0/16 kernel\nroute del 10.71.0.0/16\nroute add 10.78.0.0/16 kernel\n' | xf r -batch - 2>$lt/err &&
	grep -q 'line 3: all 7 IPv4 routes in use' $lt/err || { cat $lt/err; false; }"
check "...nothing of the refused writes is in the table" sh_ok "
	xf r route show | grep -v '^fd00:7[0-9]::/48' | md5sum | grep -q \"\$(echo '$routes_before' | cut -d' ' -f1)\" || { xf r route show; false; }"
nsx c ping -c 1 -W 2 10.9.0.1 >/dev/null 2>&1 || true
check "...and the routes in place still forward, IPv4 and IPv6" sh_ok "
	nsx c ping -c 3 -i 0.1 -W 2 10.9.0.1 >/dev/null && nsx c ping -6 -c 3 -i 0.1 -W 2 fd00:9::1 >/dev/null"
xf r detach
rm -rf "$lt"

echo "test_forward: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
