#!/usr/bin/env bash
# The seed's transit hub (docs/hub.md) in namespaces: a hub pair (h1:
# xfwd and BIRD, which installs into table 100; h2: xfwd and FRR, whose
# zebra installs into the main table; xfwd mirrors each; kernel
# forwarding off on both) and three spokes that do not run xfwd (kernel
# VXLAN devices to both hubs, BIRD with ECMP over the two); BGP with BFD
# over the tunnels' inner addresses. A and B were both built as
# 10.1.0.0/16 and are reached as 100.65.0.0/16 and 100.66.0.0/16; filters
# let only A and C talk; a spoofed inner source from C is dropped; one hub
# going away leaves the spokes on the other.
#
#   sa (10.1.0.1) ==vxlan 101, 201== h1, h2 ==vxlan 103, 203== sc (10.3.0.1)
#   sb (10.1.0.1) ==vxlan 102, 202== h1, h2
. "$(dirname "$0")/lib.sh"
require_root
command -v bird >/dev/null || { echo "FAIL: bird is missing (run tools/install-deps.sh)" >&2; exit 1; }
FRR=/usr/lib/frr
[ -x $FRR/bgpd ] && id frr >/dev/null 2>&1 || { echo "FAIL: FRR is missing (run tools/install-deps.sh)" >&2; exit 1; }
run=$(mktemp -d)
# FRR's zebra, staticd and bfdd run as user frr: their sockets, pid files
# and logs go where it may write (bgpd runs as root, -S).
frr=$(mktemp -d /tmp/xfwd-frr.XXXXXX)
chown frr:frr "$frr"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; cleanup; rm -rf "$run" "$frr"' EXIT
bg() { "$@" >>"$run/daemons.log" 2>&1 & PIDS+=($!); }
U1=192.0.2 U2=198.51.100 # the underlays to h1 and to h2
# The emulated 6.1 guest runs everything ~10x slower: BFD's timers and the
# waits scale with it (tests/vm/suite-6.1.sh).
SLOW=${XFWD_TEST_SLOW:-1}
BFD_MS=$((100 * SLOW))

# spoke_dev SPOKE N HUB: the spoke's kernel VXLAN device towards hub HUB.
spoke_dev() {
	local s=$1 n=$2 h=$3 u
	u=$([ "$h" = 1 ] && echo $U1 || echo $U2)
	nsx s$s ip link add hub$h type vxlan id ${h}0$n local $u.$((4 * n - 2)) remote $u.$((4 * n - 3)) dstport 4789
	nsx s$s ip link set hub$h up
	nsx s$s ip addr add 169.254.${h}0$n.2/30 dev hub$h
	nsx s$s sysctl -qw net.ipv4.conf.hub$h.rp_filter=0
}

echo "test_hub: a hub pair, three spokes, BGP with BFD, translation, filters, uRPF"
add_ns h1; add_ns h2
n=0
for s in a b c; do
	n=$((n + 1)); add_ns s$s
	nsx s$s sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	for h in 1 2; do
		u=$([ $h = 1 ] && echo $U1 || echo $U2)
		link h$h h$h-$s s$s s$s-u$h
		nsx h$h ip addr add $u.$((4 * n - 3))/30 dev h$h-$s
		nsx s$s ip addr add $u.$((4 * n - 2))/30 dev s$s-u$h
		host_if s$s s$s-u$h
		spoke_dev $s $n $h
	done
done
nsx sa ip addr add 10.1.0.1/32 dev lo
nsx sb ip addr add 10.1.0.1/32 dev lo
nsx sc ip addr add 10.3.0.1/32 dev lo
nsx sc ip addr add 10.9.9.9/32 dev lo # a source C must not use

printf 'src 100.65.0.0/16 dst 10.3.0.0/16 allow\n' >"$run/a.rules"
printf 'src 10.3.0.0/16 dst 100.65.0.0/16 allow\n' >"$run/c.rules"
: >"$run/b.rules"
for h in 1 2; do
	u=$([ $h = 1 ] && echo $U1 || echo $U2)
	nsx h$h sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	{
		mt=100; [ $h = 1 ] || mt=254 # BIRD's table 100; FRR's zebra: main
		printf '[xfwd]\npin-root = %s\nattach = h%s-a h%s-b h%s-c\nmirror-table = %s\n[tunnels]\n' \
			"$PIN_BASE/xfwd-$NSP-h$h" $h $h $h $mt
		n=0
		for s in a b c; do
			n=$((n + 1))
			allow=$([ $s = c ] || echo "urpf-allow 10.1.0.0/16")
			echo "tunnel = spoke-$s type vxlan local $u.$((4 * n - 3)) remote $u.$((4 * n - 2)) vni ${h}0$n inner 169.254.${h}0$n.1/30 urpf strict $allow"
		done
		printf '[translations]\nxlat = 10.1.0.0/16 to 100.65.0.0/16 tunnel spoke-a\nxlat = 10.1.0.0/16 to 100.66.0.0/16 tunnel spoke-b\n'
		printf '[filters]\n'
		for s in a b c; do echo "filter = tunnel spoke-$s in default deny rules $run/$s.rules"; done
	} >"$run/x$h.conf"
done
# h1: BIRD, its kernel protocol exporting to table 100.
h=1 u=$U1
cat >"$run/h$h.conf" <<EOF2
router id $u.1;
include "$run/h1-drain.conf"; # docs/failback.md: 1 = drained (the highest MED to the spokes)
protocol device {}
protocol kernel { kernel table 100; merge paths on limit 8; learn off; persist;
                  ipv4 { import none; export all; }; }
protocol static mapped { ipv4;
  route 100.65.0.0/16 via 169.254.${h}01.2;
  route 100.66.0.0/16 via 169.254.${h}02.2; }
protocol bfd { interface "spoke-*" { min rx interval $BFD_MS ms; min tx interval $BFD_MS ms; multiplier 3; }; }
filter from_c { if net ~ [ 10.3.0.0/16+ ] then accept; reject; }
filter to_spokes { if !(proto = "mapped" || net ~ [ 10.3.0.0/16+ ]) then reject;
  if xfwd_drained = 1 then bgp_med = 4294967295; accept; }
template bgp spoke { local as 65000; direct; bfd on; ipv4 { import none; export filter to_spokes; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
protocol bgp a from spoke { neighbor 169.254.${h}01.2 as 65101; }
protocol bgp b from spoke { neighbor 169.254.${h}02.2 as 65102; }
protocol bgp c from spoke { neighbor 169.254.${h}03.2 as 65103; ipv4 { import filter from_c; export filter to_spokes; }; }
EOF2
# h2: FRR (docs/hub.md's FRR variant), one file per daemon; zebra installs
# into the main table (xfwd mirrors 254 there).
echo 'define xfwd_drained = 0;' >"$run/h1-drain.conf"
cat >"$frr/staticd.conf" <<EOF2
ip route 100.65.0.0/16 169.254.201.2
ip route 100.66.0.0/16 169.254.202.2
EOF2
cat >"$frr/bfdd.conf" <<EOF2
bfd
 profile spokes
  receive-interval $BFD_MS
  transmit-interval $BFD_MS
  detect-multiplier 3
 exit
exit
EOF2
{
	cat <<EOF2
ip prefix-list FROM-C seq 10 permit 10.3.0.0/16 le 32
ip prefix-list TO-SPOKES seq 10 permit 100.65.0.0/16
ip prefix-list TO-SPOKES seq 20 permit 100.66.0.0/16
ip prefix-list TO-SPOKES seq 30 permit 10.3.0.0/16 le 32
route-map FROM-A deny 10
exit
route-map FROM-B deny 10
exit
route-map FROM-C permit 10
 match ip address prefix-list FROM-C
exit
route-map TO-SPOKES permit 10
 match ip address prefix-list TO-SPOKES
exit
router bgp 65000
 bgp router-id $U2.1
 no bgp ebgp-requires-policy
 no bgp network import-check
EOF2
	n=0
	for s in a b c; do
		n=$((n + 1))
		printf ' neighbor 169.254.20%s.2 remote-as 6510%s
 neighbor 169.254.20%s.2 bfd profile spokes
 neighbor 169.254.20%s.2 timers connect 2
' $n $n $n $n
	done
	printf ' address-family ipv4 unicast
  redistribute static
'
	n=0
	for s in a b c; do
		n=$((n + 1)); S=$(echo $s | tr a-c A-C)
		printf '  neighbor 169.254.20%s.2 route-map FROM-%s in
  neighbor 169.254.20%s.2 route-map TO-SPOKES out
' $n $S $n
	done
	printf ' exit-address-family
exit
'
} >"$frr/bgpd.conf"
: >"$frr/zebra.conf"
chown frr:frr "$frr"/*.conf
n=0
for s in a b c; do
	n=$((n + 1))
	net=$([ $s = c ] && echo 10.3.0.0/16 || echo 10.1.0.0/16)
	cat >"$run/s$s.conf" <<EOF2
router id $U1.$((4 * n - 2));
protocol device {}
protocol kernel { merge paths on limit 8; learn off; ipv4 { import none; export all; }; }
protocol static vpc { ipv4; route $net blackhole; }
protocol bfd { interface "hub*" { min rx interval $BFD_MS ms; min tx interval $BFD_MS ms; multiplier 3; }; }
template bgp hub { local as 6510$n; direct; bfd on;
  ipv4 { import all; export where proto = "vpc"; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
protocol bgp hub1 from hub { neighbor 169.254.10$n.1 as 65000; }
protocol bgp hub2 from hub { neighbor 169.254.20$n.1 as 65000; }
EOF2
done
# xfwd first: its tunnels' devices carry the inner addresses BGP binds to.
xfwd_start() { # H: the hub's daemon, until its tunnels' inner addresses are up
	bg nsenter --net=/run/netns/$NSP-h$1 "$XFWD" run -c "$run/x$1.conf"
	XPID[$1]=${PIDS[-1]}
	wait_for -t $((20 * SLOW)) sh -c "ip -n $NSP-h$1 addr show dev spoke-c 2>/dev/null | grep -q 169.254.${1}03.1" ||
		{ cat "$run/daemons.log"; exit 1; }
}
declare -A XPID
for h in 1 2; do xfwd_start $h; done
bg ip netns exec $NSP-h1 bird -f -c "$run/h1.conf" -s "$run/h1.ctl" -P "$run/h1.pid"
BIRD_H1=${PIDS[-1]}
# frrd NAME [ARGS]: one FRR daemon in h2, its vty socket and zebra's in $frr.
frrd() {
	local d=$1; shift
	bg ip netns exec $NSP-h2 $FRR/$d "$@" --vty_socket "$frr" -z "$frr/zserv.api" -i "$frr/$d.pid" \
		-f "$frr/$d.conf" -P 0 --log "file:$frr/$d.log"
}
frr_start() {
	frrd zebra -u frr -g frr
	wait_for test -S "$frr/zserv.api" || { cat "$run/daemons.log" "$frr/zebra.log"; exit 1; }
	frrd staticd -u frr -g frr
	frrd bfdd -u frr -g frr
	frrd bgpd -S
}
frr_start
for s in a b c; do bg ip netns exec $NSP-s$s bird -f -c "$run/s$s.conf" -s "$run/s$s.ctl" -P "$run/s$s.pid"; done

# sum STAT: a counter summed over both hubs (the spokes spread flows over them).
sum() { echo $(( $(stat_pkts h1 "$1") + $(stat_pkts h2 "$1") )); }
learned_all() {
	local s h
	for h in 1 2; do
		for s in a b c; do
			xf h$h tunnel show | grep "^spoke-$s:" |
				grep -q "peer-mac $(nsx s$s cat /sys/class/net/hub$h/address) (learned)" || return 1
		done
	done
}
# frr_count CMD PATTERN: how often PATTERN is in h2's FRR's JSON answer.
frr_count() { vtysh --vty_socket "$frr" -c "$1" 2>/dev/null | grep -o "$2" | wc -l; }
check "BGP with BFD: both hubs' sessions to the three spokes come up over the tunnels (h1 BIRD, h2 FRR)" \
	wait_for -t $((60 * SLOW)) sh_ok "
	[ \$(birdc -s '$run/h1.ctl' show protocols | grep -cE '^(a|b|c) .*Established') -eq 3 ] &&
	[ \$(birdc -s '$run/h1.ctl' show bfd sessions | grep -c ' Up ') -eq 3 ] &&
	[ \$(frr_count 'show bgp summary json' '\"state\":\"Established\"') -eq 3 ] &&
	[ \$(frr_count 'show bfd peers json' '\"status\":\"up\"') -eq 3 ]"
check "...FRR's routes in h2's main table, over next-hop objects" wait_for -t $((20 * SLOW)) sh_ok "
	ip -n $NSP-h2 route show 10.3.0.0/16 | grep -q 'nhid.*proto bgp' &&
	ip -n $NSP-h2 route show 100.65.0.0/16 | grep -q 'proto static' || { ip -n $NSP-h2 route show; false; }"
check "each hub mirrors C's 10.3.0.0/16 into its XDP tunnel (the kernel's via C's inner address); A's and B's 10.1/16 are not routed" wait_for -t $((20 * SLOW)) sh_ok "
	for h in h1 h2; do xf \$h route show 10.3.0.0/16 | grep -q \"tunnel spoke-c underlay via .* proto mirror kernel via 169.254.\${h#h}03.2 dev spoke-c\" && ! xf \$h route show 10.1.0.0/16 | grep -q 10.1 || exit 1; done"
check "...the mapped 100.65/16 and 100.66/16 go into A's and B's tunnels" wait_for sh_ok "
	for h in h1 h2; do xf \$h route show 100.65.0.0/16 | grep -q 'tunnel spoke-a ' && xf \$h route show 100.66.0.0/16 | grep -q 'tunnel spoke-b ' || exit 1; done"
check "the spokes learn C and the mapped prefixes over both hubs (ECMP)" wait_for sh_ok "
	nsx sa ip route show 10.3.0.0/16 | grep -q 'nexthop via 169.254.101.1' && nsx sa ip route show 10.3.0.0/16 | grep -q 'nexthop via 169.254.201.1'"
check "each spoke's device MAC was learned by each hub from BGP's ARP (no peer-mac in the files)" wait_for learned_all
check "...and kept by a refresh, which reads the device's neighbours (its IPv6 multicast entries are no peer)" \
	sh_ok "xf h1 nexthop refresh >/dev/null 2>&1 && xf h2 nexthop refresh >/dev/null 2>&1 && learned_all"
# tunnel show's rx/tx are XDP's (forwarded traffic, none yet); the BGP
# and BFD the hub itself runs over the tunnel cross its kernel device:
# host-rx/host-tx.
check "tunnel show: the hub's own BGP and BFD over spoke-c as host-rx/host-tx, apart from XDP's rx 0" sh_ok "
	xf h1 tunnel show | grep '^spoke-c:' | grep -q ' rx 0 pkts ' &&
	xf h1 tunnel show | awk '\$1 == \"spoke-c:\" { for (i = 1; i < NF; i++) if (\$i == \"host-rx\" || \$i == \"host-tx\") { f++; if (\$(i + 1) < 10) bad = 1 } }
		END { exit bad || f != 2 }' && xf h1 -j tunnel show | grep -q '\"host_rx_packets\"' || { xf h1 tunnel show; false; }"
for h in h1 h2; do xf $h stats reset; done
check "A (10.1.0.1) reaches C and back, translated both ways, through the hubs' XDP" \
	nsx sa ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.3.0.1
check "C reaches A as 100.65.0.1 (C initiates)" nsx sc ping -c 3 -i 0.2 -W 2 -I 10.3.0.1 100.65.0.1
check "...every packet crossed a hub in XDP (forwarding off): 12 forwarded over the two" sh_ok "
	[ \$(( \$(forwarded h1) + \$(forwarded h2) )) -eq 12 ]"
d0=$(sum drop_filter)
check "B, with the same 10.1.0.1, does not reach C: the filters let only A and C talk" sh_ok "
	! nsx sb ping -c 3 -i 0.2 -W 1 -I 10.1.0.1 10.3.0.1 >/dev/null"
check "...dropped and counted at the hubs (drop_filter +3)" sh_ok "[ \$(sum drop_filter) -eq $((d0 + 3)) ]"
u0=$(sum drop_urpf)
check "C sending from a source it does not own (10.9.9.9) is dropped" sh_ok "
	! nsx sc ping -c 3 -i 0.2 -W 1 -I 10.9.9.9 100.65.0.1 >/dev/null"
check "...counted: drop_urpf +3 over the hubs" sh_ok "[ \$(sum drop_urpf) -eq $((u0 + 3)) ]"
# One hub goes away: its BIRD stops, the spokes' sessions to it close, and
# their routes move to the other hub.
kill "$BIRD_H1"
check "h1's BGP stops: the spokes keep only h2's paths" wait_for -t $((20 * SLOW)) sh_ok "
	! nsx sa ip route show 10.3.0.0/16 | grep -q 169.254.101.1 && nsx sa ip route show 10.3.0.0/16 | grep -q 169.254.201.1"
f2=$(forwarded h2)
check "...and A still reaches C and back, all through h2" sh_ok "
	nsx sa ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.3.0.1 >/dev/null && [ \$(forwarded h2) -eq $((f2 + 6)) ]"
check "xfwd check on a hub's file: no errors" sh_ok "
	rc=0; nsenter --net=/run/netns/$NSP-h2 $XFWD check -c $run/x2.conf >$run/check.out || rc=\$?
	[ \$rc -eq 3 ] && ! grep -q '^error' $run/check.out"

# ---- Failback without loss (docs/failback.md) ----
# h1's BIRD back; then each hub in turn reboots under a stream A -> C
# spread over both: its BGP daemon is drained first (the unit's
# ExecStop: xfwd-undrain --drain) and the spokes move to the other hub,
# then it stops (its Cease) while this hub's XDP still forwards, then the
# rest goes as a reboot takes it (xfwd, XDP, pins, tunnel devices,
# routes); xfwd starts first and is ready before the BGP daemon, which
# starts drained (the highest MED: the spokes keep the other hub as their
# only best path) and is undrained by tools/xfwd-undrain once every
# session is up and xfwd's table is quiet. Nothing may be lost.
bg ip netns exec $NSP-h1 bird -f -c "$run/h1.conf" -s "$run/h1.ctl" -P "$run/h1.pid"
both_hubs() { nsx sa ip route show 10.3.0.0/16 | grep -q 'nexthop via 169.254.101.1' && nsx sa ip route show 10.3.0.0/16 | grep -q 'nexthop via 169.254.201.1'; }
check "failback: h1's BGP back, the spokes route over both hubs" wait_for -t $((60 * SLOW)) both_hubs
# A spreads flows over its two hubs by ports too (L4 hash), so both carry some.
nsx sa sysctl -qw net.ipv4.fib_multipath_hash_policy=1
# stream_begin / stream_end: 16 flows from A (10.1.0.1) to C, a datagram
# every ms in turn; $run/got, $run/sent, $run/missing.
stream_begin() {
	rm -f "$run/stop" "$run/sent" "$run/got" "$run/missing" "$run/events"
	nsx sc python3 -c "
import socket, os, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)
s.bind(('10.3.0.1', 9000)); s.settimeout(0.2); seen = set(); end = None
while end is None or time.monotonic() < end:
    try: seen.add(int(s.recv(64)))
    except socket.timeout: pass
    if end is None and os.path.exists('$run/sent'): end = time.monotonic() + 1
print(len(seen))
n = int(open('$run/sent').read())
open('$run/missing', 'w').write(' '.join(str(i) for i in range(n) if i not in seen)[:400])" >"$run/got" &
	RPID=$!
	wait_for sh_ok "nsx sc ss -Hluna 'sport = :9000' | grep -q ." || true # the receiver is bound
	nsx sa python3 -c "
import socket, os, time
ss = []
for i in range(16):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('10.1.0.1', 20000 + i)); ss.append(s)
n = 0; ts = []
while not os.path.exists('$run/stop'):
    ts.append(time.time()); ss[n % 16].sendto(str(n).encode(), ('10.3.0.1', 9000)); n += 1; time.sleep(0.001)
open('$run/times', 'w').write(''.join('%.6f\\n' % t for t in ts))
open('$run/sent', 'w').write(str(n))" &
	SPID=$!
	ev "stream begins"
	MONS=() # what the kernels of A and the hubs change meanwhile, for diag
	for m in sa h1 h2; do ip netns exec $NSP-$m ip -ts monitor route >"$run/mon-$m" 2>&1 & MONS+=($!); done
	PIDS+=("$RPID" "$SPID" "${MONS[@]}") # the exit trap's to kill if a check exits
	sleep 1
}
stream_end() { touch "$run/stop"; wait $SPID; wait $RPID; kill "${MONS[@]}"; }
# diag: when the stream lost datagrams, when each was sent beside what
# the test did and what the spoke A and the hubs' kernels changed.
diag() {
	cat "$run/events"
	python3 -c "
import time
ts = [float(l) for l in open('$run/times')]
print('$(cat "$run/got")', 'of', len(ts), 'arrived')
for m in open('$run/missing').read().split()[:5]: print('missing', m, 'sent at', time.strftime('%T', time.localtime(ts[int(m)])) + ('%.6f' % (ts[int(m)] % 1))[1:])"
	for m in sa h1 h2; do grep -h -A2 '10.3.0.0/16' "$run/mon-$m" | sed "s/^/$m: /" | head -4; done
}
ev() { echo "$(date +%T.%N) $*" >>"$run/events"; }
# reboot H: the hub's BGP daemon, then all the rest, back drained, undrained.
reboot() {
	local h=$1 other=$((3 - $1)) who ctl nr
	if [ "$h" = 1 ]; then
		who=BIRD ctl=(bird --birdc "birdc -s $run/h1.ctl" --drain-file "$run/h1-drain.conf")
	else
		who=FRR ctl=(frr --vtysh "vtysh --vty_socket $frr")
	fi
	# What the unit's ExecStop does before a stop or a reboot: the spokes
	# move before the Cease, and before FRR's zebra removes bgpd's routes
	# as bgpd exits (without it, 1-3 datagrams reached h2 in the ms
	# between the two in 2 of 8 runs under a busy loop).
	ev "drain h$h"
	check "h$h ($who) reboots: drained first (xfwd-undrain --drain: the default settle), the spokes keep only h$other" sh_ok "
		'$TOP/tools/xfwd-undrain' ${ctl[*]@Q} --drain && ! nsx sa ip route show 10.3.0.0/16 | grep -q 169.254.${h}01.1"
	ev "stop $who h$h"
	if [ "$h" = 1 ]; then kill "$(cat "$run/h1.pid")"; else kill "$(cat "$frr/bgpd.pid")"; fi
	check "...then its Cease: the spokes' sessions to h$h close" wait_for -t $((20 * SLOW)) sh_ok "
		! birdc -s '$run/sa.ctl' show protocols hub$h | grep -q Established"
	# BIRD's kernel protocol has persist (docs/failback.md): its routes,
	# and so XDP's, outlive it until the "reboot" below.
	[ "$h" = 2 ] || check "...BIRD gone, its routes stay in table 100 (persist): XDP forwards what is in flight" \
		sh_ok "wait_for sh_ok '! kill -0 \$(cat $run/h1.pid) 2>/dev/null' && ip -n $NSP-h1 route show table 100 10.3.0.0/16 | grep -q . && xf h1 route get 10.3.0.1 | grep -q 'tunnel spoke-c'"
	[ "$h" = 1 ] || for d in bfdd staticd zebra; do kill "$(cat "$frr/$d.pid")"; done
	nr=$(stat_pkts h$h pass_no_route) # before the reboot takes the counters
	ev "kill xfwd h$h"
	kill "${XPID[$h]}"
	wait_for sh_ok "! kill -0 ${XPID[$h]} && ! pgrep -f 'zebra.*$frr' >/dev/null && ! pgrep -f 'bird.*$run/h1.conf' >/dev/null" || true
	xf h$h detach >/dev/null
	for s in a b c; do ip -n $NSP-h$h link del spoke-$s 2>/dev/null || true; done
	ip -n $NSP-h$h route flush table 100 2>/dev/null || true
	ip -n $NSP-h$h route flush proto bgp 2>/dev/null || true
	ip -n $NSP-h$h route flush proto static 2>/dev/null || true
	ev "start xfwd h$h"
	xfwd_start $h
	ev "xfwd h$h up"
	if [ "$h" = 1 ]; then
		echo 'define xfwd_drained = 1;' >"$run/h1-drain.conf"
		bg ip netns exec $NSP-h1 bird -f -c "$run/h1.conf" -s "$run/h1.ctl" -P "$run/h1.pid"
	else
		rm -f "$frr"/*.pid "$frr/zserv.api"
		grep -q 'max-med administrative' "$frr/bgpd.conf" ||
			sed -i 's/^ bgp router-id .*/&\n bgp max-med administrative/' "$frr/bgpd.conf"
		frr_start
	fi
	check "...back: xfwd first, then $who drained; tools/xfwd-undrain undrains it once every session is up and xfwd's table quiet" \
		"$TOP/tools/xfwd-undrain" "${ctl[@]}" --quiet $((2 * SLOW)) --timeout $((60 * SLOW)) \
		--xfwd "nsenter --net=/run/netns/$NSP-h$h $XFWD --pin-root $PIN_BASE/xfwd-$NSP-h$h"
	check "...by then xfwd had C's route from $who's" sh_ok "xf h$h route show 10.3.0.0/16 | grep -q 'tunnel spoke-c'"
	check "...undrained: the spokes route over both hubs again" wait_for -t $((30 * SLOW)) both_hubs
	ev "undrained h$h"
	local f=$(forwarded h$h)
	sleep 2
	stream_end
	check "...h$h carries part of the stream again ($(( $(forwarded h$h) - f )) datagrams in 2 s)" test $(( $(forwarded h$h) - f )) -gt 100
	nr=$((nr + $(stat_pkts h$h pass_no_route)))
	check "...no datagram lost across the reboot ($(cat "$run/got") of $(cat "$run/sent") arrived), none passed for want of a route at h$h ($nr, before and after)" \
		sh_ok "[ \$(cat '$run/got') -eq \$(cat '$run/sent') ] && [ $nr -eq 0 ] || { diag; false; }"
}
for h in 2 1; do
	stream_begin
	reboot $h
done
echo "test_hub: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
