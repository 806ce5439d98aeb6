#!/usr/bin/env bash
# Tables full under traffic (docs/reliability.md): on maps attached small,
# more next hops, groups or tbl8 groups than they hold are asked for,
# while a sequence-stamped stream crosses the router on a route already
# in; the daemon's file asks for one tunnel more than there are slots.
# Each is refused with the error naming the map and the fix, nothing of
# it is half in, and the stream loses nothing.
# Topology: tests/net/topo_basic.sh (kernel forwarding off on r).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap cleanup EXIT

echo "test_tables_full: maps full under traffic"
basic_hosts
tmp=$(mktemp -d)

# setup SIZES...: attach with these map sizes, the stream's routes in.
setup() {
	xf r detach >/dev/null 2>&1 || true
	xf r attach r0 r1 r2 "$@" >/dev/null
	xf r route add 10.9.0.0/24 via 10.0.2.2 dev r1
	xf r route add 10.0.1.0/24 via 10.0.1.2 dev r0
	nsx c ping -c 1 -W 2 10.9.0.1 >/dev/null || true
	wait_for sh_ok "! xf r route show 10.9.0.0/24 | grep -q unresolved" || true
}
# fill WHAT PREFIX-FORMAT ROUTE-TAIL-FORMAT N: add routes one by one (the
# i-th: PREFIX-FORMAT with i, ROUTE-TAIL-FORMAT with 100 + i) until one is
# refused; its error in $tmp/err, how many got in in $tmp/n.
fill() {
	local i=0
	while [ $i -lt "$4" ]; do
		i=$((i + 1))
		# shellcheck disable=SC2059
		if ! xf r route add "$(printf "$2" $i)" $(printf "$3" $((100 + i))) 2>"$tmp/err"; then
			echo $((i - 1)) >"$tmp/n"; echo "$(printf "$2" $i)" >"$tmp/refused"
			return 0
		fi
	done
	echo "$i" >"$tmp/n"; : >"$tmp/refused"
}
refused_whole() { # the refused route is not in, its error names the map
	[ -s "$tmp/refused" ] && ! xf r route show "$(cat "$tmp/refused")" | grep -q . && grep -q "$1" "$tmp/err" ||
		{ cat "$tmp/err"; false; }
}

# The fills' gateways answer at once (static neighbours): an unresolved
# one makes a route add wait 3 s for it.
for i in $(seq 101 120); do
	nsx r ip neigh replace 10.0.2.$i lladdr 02:00:00:00:02:$(printf %02x "$i") dev r1
done

# Next hops: one per gateway.
setup nexthops 8 groups 64
stream_start 4
fill nexthops "10.50.%d.0/24" "via 10.0.2.%d dev r1" 20
check "next hops full: the next route refused ($(cat "$tmp/n") in), naming the map and the fix" \
	refused_whole "all [0-9]* next-hop slots are in use: attach with a larger 'nexthops'"
stream_end
check "...the stream on a route already in loses nothing" stream_lost_none

# Groups: one per set of next hops.
setup nexthops 64 groups 8
stream_start 4
fill groups "10.51.%d.0/24" "via 10.0.2.%d dev r1" 20
check "groups full: the next route refused ($(cat "$tmp/n") in), naming the map and the fix" \
	refused_whole "all [0-9]* next-hop group slots are in use: attach with a larger 'groups'"
stream_end
check "...the stream loses nothing" stream_lost_none

# tbl8 groups: one per /24 with a longer prefix in it (the router's own
# addresses, /32s, hold some already).
setup tbl8-groups 8
stream_start 4
fill tbl8 "10.52.%d.128/25" "blackhole" 20
check "tbl8 groups full: the next /25 refused ($(cat "$tmp/n") in), naming the map and the fix" \
	refused_whole "no free IPv4 second-level group ([0-9]* in use): attach with a larger 'tbl8-groups'"
stream_end
check "...the stream loses nothing" stream_lost_none
check "...and the routes in before it still forward their part" sh_ok "[ \$(cat $tmp/n) -gt 0 ] &&
	xf r route get 10.52.1.200 | grep -q 'route 10.52.1.128/25' && xf r route get 10.9.0.1 | grep -q 'route 10.9.0.0/24'"

# IPv6 table nodes (docs/route-table-ipv6.md): the 256 of the root and
# 256 more; each /128 below a shared /48 needs ten of its own (a fill of
# ~25 commands, not the ~130 that /64s needing two would take). IPv6
# pings cross the router's XDP (kernel forwarding is off) before and after.
setup tbl6-nodes 512
xf r route add fd00:1::/64 via fd00:1::2 dev r0
xf r route add fd00:9::/64 via fd00:2::2 dev r1
nsx c ping -6 -c 1 -W 2 fd00:9::1 >/dev/null || true
stream_start 4
fill tbl6 "fd00:52:%x::7/128" "via fd00:2::2 dev r1" 200
check "IPv6 table full: the next /128 refused ($(cat "$tmp/n") in), naming the map and the fix" \
	refused_whole "no free IPv6 table node ([0-9]* of 512 in use): attach with a larger 'tbl6-nodes'"
stream_end
check "...the stream loses nothing" stream_lost_none
check "...status shows the nodes in use" sh_ok "xf r status | grep -q 'IPv6 table nodes: 5[01][0-9] of 512 (0.5 of 0.5 MiB)' ||
	{ xf r status; false; }"
check "...the routes in before it still forward their part, and IPv6 crosses the router" sh_ok \
	"xf r route get fd00:52:1::7 | grep -q 'route fd00:52:1::7/128' &&
	nsx c ping -6 -c 3 -i 0.2 -W 2 fd00:9::1 >/dev/null"
xf r route del fd00:52:1::7/128
check "...a route deleted gives its nodes back: the refused one goes in" \
	xf r route add "$(cat "$tmp/refused")" via fd00:2::2 dev r1

# The compact IPv4 table (docs/route-table-compact.md) with room for a
# few blocks only: each of 40 /16s gets a /24 of its own, more blocks than
# fit; those /16s read tbl24 instead, so every route still goes in and
# reads right (route get reads the copy as XDP does), and the stream (its
# /16 a block of the copy, read by XDP: kernel forwarding is off) loses
# nothing.
setup ipv4-table compact tblc-lines 17
stream_start 4
for i in $(seq 1 40); do echo "route add 10.$((60 + i)).7.0/24 via 10.0.2.2 dev r1"; done >"$tmp/rc"
xf r -batch "$tmp/rc" >/dev/null 2>"$tmp/err"
check "compact table, 17 lines: 40 /16s with a /24 each all go in" sh_ok \
	"[ \$(xf r route show | grep -c '^10\.[0-9]*\.7\.0/24') -eq 40 ] || { cat $tmp/err; false; }"
check "...status shows the copy full" sh_ok "xf r status | grep -q '^IPv4 table: compact, lines 1[5-7] of 17 ' ||
	{ xf r status; false; }"
check "...each reads its own route through the copy, or tbl24 where it had no room" sh_ok \
	"for i in \$(seq 61 100); do xf r route get 10.\$i.7.9 | grep -q \"route 10.\$i.7.0/24\" || exit 1; done &&
	xf r route get 10.61.8.1 | grep -q 'no matching route'"
stream_end
check "...the stream loses nothing" stream_lost_none
sed 's/route add \([^ ]*\).*/route del \1/' "$tmp/rc" >"$tmp/rd" # a file: /dev/fd is not there in every namespace setup
xf r -batch "$tmp/rd" >/dev/null
check "...attaching again with ipv4-table tbl24 is refused, naming the fix" sh_ok \
	"! xf r attach r0 ipv4-table tbl24 2>$tmp/err >/dev/null &&
	grep -q \"made with ipv4-table compact: run 'xfwd detach' and attach again\" $tmp/err || { cat $tmp/err; false; }"
check "...attaching again with other sizes keeps the live maps and says so (docs/table-sizes.md)" sh_ok \
	"xf r attach r0 tblc-lines 4096 2>$tmp/err >/dev/null &&
	grep -q \"kept as they were made, not as asked: tblc-lines 4096 (the maps have 17); .*'xfwd detach'\" $tmp/err &&
	xf r status | grep -q '^IPv4 table: compact, lines [0-9]* of 17 ' || { cat $tmp/err; false; }"
check "...deleting them gives the lines back" sh_ok "xf r status | grep -q '^IPv4 table: compact, lines [0-9] of 17 ' ||
	{ xf r status; false; }"

# More IPv6 routes than one batch read of the records (4,096): the next
# command loads them all (a 4-byte batch token overran its stack before).
setup
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "route add 2001:db8:%x::/48 via fd00:2::2 dev r1\n", i }' >"$tmp/r6"
xf r -batch "$tmp/r6" 2>/dev/null
check "5,000 IPv6 routes in: the next command loads them and adds one" sh_ok \
	"out=\$(xf r route add fd00:53::/48 via fd00:2::2 dev r1 2>&1) && xf r route show fd00:53::/48 | grep -q . &&
	[ \$(xf r route show | grep -c '^2001:db8:') -eq 5000 ] || { echo \"\$out\"; false; }"

# Tunnels full, on the host only: the 6.1 guest has GRE, so there the
# daemon makes and deletes a kernel device per tunnel, 1,023 of them (over
# three minutes under emulation), for slot accounting that is the core's
# own, the same on every kernel.
if [ "$SLOW" -gt 1 ]; then
	echo "tunnels full: not run here (the emulated guest would spend minutes making 1,023 GRE devices; the host runs it)"
else
	# Tunnels: XFWD_MAX_TUNNELS - 1 slots (fixed at build). The daemon's
	# file asks for one more: that line is refused and logged once, the
	# daemon runs; a command asking for another is refused naming the fix.
	MAXT=$(awk '/define XFWD_MAX_TUNNELS/ {print $3 + 0}' "$TOP/maps/xfwd_abi.h")
	setup
	{
		printf '[xfwd]\npin-root = %s\nattach = r0 r1 r2\n[routes]\n' "$PIN_BASE/xfwd-$NSP-r"
		printf 'route = 10.9.0.0/24 via 10.0.2.2 dev r1\nroute = 10.0.1.0/24 via 10.0.1.2 dev r0\n[tunnels]\n'
		for i in $(seq 1 "$MAXT"); do
			printf 'tunnel = t%d type gre local 10.0.3.1 remote 10.0.3.2 key %d\n' "$i" "$i"
		done
	} >"$tmp/conf"
	stream_start 6
	nsenter --net=/run/netns/$NSP-r "$TOP/tests/net/as-unit" "$XFWD" run -c "$tmp/conf" 2>"$tmp/log" &
	DPID=$!
	wait_for -t 60 grep -q "xfwd: running" "$tmp/log" || true
	check "tunnels full: the daemon's file asks for $MAXT, it starts with $((MAXT - 1)) and runs" sh_ok \
		"kill -0 $DPID && [ \$(xf r tunnel show | grep -c '^t[0-9]') -eq $((MAXT - 1)) ] ||
		{ tail -3 '$tmp/log'; false; }"
	check "...the refused one logged once, naming the limit" sh_ok \
		"[ \$(grep -c 'all $((MAXT - 1)) tunnel slots are in use' '$tmp/log') -eq 1 ] || { grep -v 'has no' '$tmp/log' | tail -5; false; }"
	stream_end
	check "...the stream loses nothing" stream_lost_none
	xf r tunnel add extra type gre local 10.0.3.1 remote 10.0.3.2 key 99999 2>"$tmp/err" >/dev/null || true
	check "...a command asking for one more is refused, naming the fix" \
		grep -q "all $((MAXT - 1)) tunnel slots are in use: delete one ('xfwd tunnel del NAME')" "$tmp/err"
	kill "$DPID" 2>/dev/null || true
	wait "$DPID" 2>/dev/null || true
fi

xf r detach >/dev/null
sed 's/^/ /' "$tmp/figures"
rm -rf "$tmp"
echo "test_tables_full: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
