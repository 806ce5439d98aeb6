#!/usr/bin/env bash
# ipsec tunnels (docs/ipsec.md) between two xfwd appliances: static-key
# SAs and an xfrm interface that xfwd programs itself over netlink, routes
# whose next hop is the tunnel passed up by XDP into the kernel's route
# into that interface, ESP on the wire and no plaintext, SA counters, bad
# key files refused with nothing left behind, and SAs installed by someone
# else (as an IKE daemon would) adopted with 'keyed-by external'. Needs
# ESP and xfrm interfaces: runs inside the VM guest (tests/vm/suite-6.1.sh).
#
#   c 10.10.1.10 -- a (xfwd) == underlay 192.0.2.0/24, ESP == b (xfwd) -- s 10.20.1.10
#                    ipsec1 169.254.10.1/30 ......... ipsec1 169.254.10.2/30
. "$(dirname "$0")/../net/lib.sh"
. "$(dirname "$0")/../net/topo_tunnel.sh"
require_root
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
SLOW=${XFWD_TEST_SLOW:-1}
echo "test_ipsec: route-based IPsec through the kernel's xfrm on $(uname -r)"

# key NAME: a 36-byte AES-256-GCM key + salt, as hex, in a root-only file.
key() {
	od -An -tx1 -N36 /dev/urandom | tr -d ' \n' >"$tmp/$1"
	chmod 600 "$tmp/$1"
}
# nothing_left NS: no xfrm interface, SA or policy in NS.
nothing_left() {
	! nsx "$1" ip link show ipsec1 >/dev/null 2>&1 &&
		[ -z "$(nsx "$1" ip xfrm state)" ] && [ -z "$(nsx "$1" ip xfrm policy)" ]
}
# refused WHY FILE-SETUP...: tunnel add with a bad key-out is refused,
# the message naming WHY, and nothing is installed.
refused() {
	local why=$1; shift
	"$@"
	check "bad key file ($why): refused, saying so" sh_ok "
		! xf a tunnel add ipsec1 type ipsec local 192.0.2.1 remote 192.0.2.2 spi-out 0x1001 spi-in 0x1002 \
			key-out $tmp/bad key-in $tmp/ab 2>$tmp/err && grep -q '$why' $tmp/err || { cat $tmp/err; false; }"
	check "...and nothing half-installed (no interface, SA or policy)" nothing_left a
}

build_four xfwd
# The kernel forwards what goes through xfrm: into the interface, and out
# of it once decrypted.
for n in a b; do nsx $n sysctl -qw net.ipv4.ip_forward=1; done
key ab; key ba
refused "No such file" rm -f "$tmp/bad"
refused "can be read by others" sh -c "cp $tmp/ab $tmp/bad; chmod 644 $tmp/bad"
refused "20, 28 or 36 bytes" sh -c "echo 0x0102 >$tmp/bad; chmod 600 $tmp/bad"

xf a tunnel add ipsec1 type ipsec local 192.0.2.1 remote 192.0.2.2 inner 169.254.10.1/30 \
	spi-out 0x1001 spi-in 0x1002 key-out "$tmp/ab" key-in "$tmp/ba"
xf b tunnel add ipsec1 type ipsec local 192.0.2.2 remote 192.0.2.1 inner 169.254.10.2/30 \
	spi-out 0x1002 spi-in 0x1001 key-out "$tmp/ba" key-in "$tmp/ab"
check "tunnel add made the xfrm interface with the tunnel's if_id" sh_ok "
	nsx a ip -d link show ipsec1 | grep -q 'xfrm .*if_id 0x1'"
check "...two SAs, AES-GCM, bound to it" sh_ok "
	[ \$(nsx a ip xfrm state | grep -c 'proto esp spi') -eq 2 ] &&
	nsx a ip xfrm state | grep -q 'rfc4106(gcm(aes))' && nsx a ip xfrm state | grep -q 'if_id 0x1'"
check "...and policies out, in and fwd for IPv4 and IPv6" sh_ok "
	[ \$(nsx a ip xfrm policy | grep -c '^src') -eq 6 ]"
check "the inner addresses answer through the tunnel" nsx a ping -c 3 -i 0.2 -W 2 169.254.10.2

xf a route add 10.20.0.0/16 tunnel ipsec1
xf b route add 10.10.0.0/16 tunnel ipsec1
check "route add over ipsec put the kernel's route into the interface" sh_ok "
	nsx a ip route show 10.20.0.0/16 | grep -q 'dev ipsec1 proto 88'"
check "an ipsec tunnel takes no ECMP partner" sh_ok "
	xf a route add 10.30.0.0/16 tunnel ipsec1 via 192.0.2.2 dev a-u 2>&1 | grep -q 'takes no other next hop'"
# The kernel's route for a prefix at metric 0 that is not xfwd's is not
# replaced (deleting ours later would take it along); one of xfwd's own,
# left behind (proto 88), is taken over.
nsx a ip route add 10.30.0.0/16 via 192.0.2.2
check "someone else's kernel route for the prefix: route add refused, saying so" sh_ok "
	! xf a route add 10.30.0.0/16 tunnel ipsec1 2>$tmp/err && grep -q 'has a route 10.30.0.0/16 of someone else.s at metric 0' $tmp/err || { cat $tmp/err; false; }"
check "...their route as it was, and no route in xfwd" sh_ok "
	nsx a ip route show 10.30.0.0/16 | grep -q 'via 192.0.2.2 dev a-u' && ! xf a route show | grep -q 10.30.0.0/16"
nsx a ip route del 10.30.0.0/16
nsx a ip route add 10.31.0.0/16 dev ipsec1 proto 88
check "a kernel route of xfwd's own left behind is taken over" sh_ok "
	xf a route add 10.31.0.0/16 tunnel ipsec1 && xf a route del 10.31.0.0/16 && [ -z \"\$(nsx a ip route show 10.31.0.0/16)\" ]"

nsx b tcpdump -U -n -i b-u -w "$tmp/wire.pcap" 2>"$tmp/tcpdump.err" &
CAP=$!
wait_for -t 30 grep -q listening "$tmp/tcpdump.err" || true # slow to start in the guest
# "XFWDPLAINTEXT!" as the ping payload pattern: must never be on the wire.
check "c reaches s through the ipsec tunnel, and back" \
	nsx c ping -c 5 -i 0.2 -W 2 -p 58465744504c41494e5445585421 10.20.1.10
sleep 0.5; kill $CAP; wait $CAP 2>/dev/null || true
# 10 ESP packets cross; the guest's capture may miss one at its edges.
check "ESP on the wire" sh_ok "n=\$(tcpdump -n -r $tmp/wire.pcap esp 2>/dev/null | wc -l); [ \$n -ge 5 ] || { echo \$n ESP packets; cat $tmp/tcpdump.err; false; }"
check "...and no plaintext of the payload" sh_ok "! grep -aq XFWDPLAINTEXT $tmp/wire.pcap"
check "1 MiB over TCP arrives intact" tcp_intact s 10.20.1.10 7000 c 1048576
check "XDP passed the tunnel's packets up, counted (pass_ipsec, tunnel tx)" sh_ok "
	[ \$(stat_pkts a pass_ipsec) -ge 5 ] && xf a tunnel show | grep '^ipsec1:' | grep -vq ' tx 0 pkts'"
check "tunnel show: SPIs and rising SA counters, never keys" sh_ok "
	xf a tunnel show | grep '^ipsec1:' | grep -q 'keyed-by static sas 2' &&
	xf a tunnel show | grep -Eq '\\[out spi 0x00001001 pkts [1-9]' &&
	! xf a -j tunnel show | grep -qi \"\$(cut -c1-16 $tmp/ab)\""

# Tampered ESP: packets with the tunnel's inbound SPI whose ICV does not
# verify (sent raw from a, beside the xfrm path) are dropped by b's kernel
# and counted on that SA (tunnel show: auth-failed) and in xfrm_stat.
esp_forge() { # NS DST SPI COUNT: ESP with a fresh sequence number, random IV, body and ICV
	nsx "$1" python3 -c "
import os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
for i in range(int(sys.argv[3])):
    s.sendto(struct.pack('!II', int(sys.argv[2], 0), 1000000 + i) + os.urandom(8 + 48 + 16), (sys.argv[1], 0))
" "$2" "$3" "$4"
}
proto_errors() { nsx "$1" awk '$1 == "XfrmInStateProtoError" {print $2}' /proc/net/xfrm_stat; }
e0=$(proto_errors b)
esp_forge a 192.0.2.2 0x1001 5
check "tampered ESP: b's kernel drops it, counted on the SA (auth-failed 5)" sh_ok "
	xf b tunnel show | grep -q '\\[in spi 0x00001001 pkts [0-9]* bytes [0-9]* age [0-9]*s auth-failed 5 ' ||
	{ xf b tunnel show; false; }"
check "...and in /proc/net/xfrm_stat (XfrmInStateProtoError)" test "$(proto_errors b)" -ge $((e0 + 5))
check "...while the tunnel carries on" nsx c ping -c 2 -i 0.2 -W 2 10.20.1.10

# Rekey under steady traffic both ways (docs/ipsec-rekey.md): each side
# first accepts the new keys, then sends with them, then retires the old
# inbound SA. A ping every 10 ms crosses a -> b and b -> a throughout.
key ab2; key ba2
nsx c ping -q -c 1000 -i 0.01 -W 3 10.20.1.10 >"$tmp/ping" 2>&1 &
PING=$!
sleep 0.5
xf a tunnel rekey ipsec1 spi-in 0x1102 key-in "$tmp/ba2"
xf b tunnel rekey ipsec1 spi-in 0x1101 key-in "$tmp/ab2"
check "rekey, accept: both inbound SAs in, the old outbound still in use" sh_ok "
	xf a tunnel show | grep '^ipsec1:' | grep -q 'sas 3' && xf a tunnel show | grep -q '\\[in spi 0x00001102 pkts 0 '"
xf a tunnel rekey ipsec1 spi-out 0x1101 key-out "$tmp/ab2"
xf b tunnel rekey ipsec1 spi-out 0x1102 key-out "$tmp/ba2"
xf a tunnel rekey ipsec1 retire-in 0x1002
xf b tunnel rekey ipsec1 retire-in 0x1001
check "...the rekey finished while the traffic still ran" kill -0 $PING
wait $PING || true
check "rekey under traffic both ways: no packet lost" sh_ok "grep -q ' 1000 received, 0% packet loss' $tmp/ping || { cat $tmp/ping; false; }"
check "...the new SAs carry it, the old ones are gone" sh_ok "
	for n in a b; do
		[ \$n = a ] && o=1101 i=1102 || o=1102 i=1101
		xf \$n tunnel show | grep '^ipsec1:' | grep -q 'sas 2' &&
		xf \$n tunnel show | grep -Eq \"\\\\[out spi 0x0000\$o pkts [1-9]\" &&
		xf \$n tunnel show | grep -Eq \"\\\\[in spi 0x0000\$i pkts [1-9]\" || { xf \$n tunnel show; exit 1; }
	done"
check "rekey: retiring the last inbound SA is refused" sh_ok "
	! xf a tunnel rekey ipsec1 retire-in 0x1102 2>$tmp/err && grep -q 'would leave the tunnel no inbound SA' $tmp/err || { cat $tmp/err; false; }"
check "...a bad key file refuses the whole step, nothing added" sh_ok "
	chmod 644 $tmp/ab; ! xf a tunnel rekey ipsec1 spi-in 0x1202 key-in $tmp/ab 2>$tmp/err &&
	grep -q 'can be read by others' $tmp/err && xf a tunnel show | grep '^ipsec1:' | grep -q 'sas 2' || { cat $tmp/err; false; }"
chmod 600 "$tmp/ab"

xf a route del 10.20.0.0/16
check "route del removed the kernel's route" sh_ok "[ -z \"\$(nsx a ip route show 10.20.0.0/16)\" ]"
xf a tunnel del ipsec1
check "tunnel del removed the interface, SAs and policies" nothing_left a

# keyed-by external: the SAs and the interface come from elsewhere (here
# ip xfrm, as strongSwan's charon would with if_id); xfwd adopts them
# and leaves them in place on tunnel del.
nsx a ip link add ext1 type xfrm dev a-u if_id 77
nsx a ip link set ext1 up
nsx a ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2001 mode tunnel reqid 5 \
	aead 'rfc4106(gcm(aes))' "0x$(cat "$tmp/ab")" 128 if_id 77 flag af-unspec
nsx a ip xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2002 mode tunnel reqid 5 \
	aead 'rfc4106(gcm(aes))' "0x$(cat "$tmp/ba")" 128 if_id 77 flag af-unspec
for d in out in fwd; do
	[ $d = out ] && s=192.0.2.1 r=192.0.2.2 || s=192.0.2.2 r=192.0.2.1
	nsx a ip xfrm policy add dir $d if_id 77 tmpl src $s dst $r proto esp mode tunnel reqid 5
done
check "a static tunnel clashing with them (same if_id) is refused" sh_ok "
	! xf a tunnel add clash type ipsec local 192.0.2.1 remote 192.0.2.2 spi-out 0x3001 spi-in 0x3002 \
		key-out $tmp/ab key-in $tmp/ba if-id 77 2>$tmp/err && grep -q 'exists' $tmp/err || { cat $tmp/err; false; }"
check "...and leaves their SAs and policies as they were" sh_ok "
	! nsx a ip link show clash 2>/dev/null && [ \$(nsx a ip xfrm state | grep -c 'proto esp spi') -eq 2 ] &&
	[ \$(nsx a ip xfrm policy | grep -c '^src') -eq 3 ]"
check "a static tunnel whose inbound SPI is taken is refused" sh_ok "
	! xf a tunnel add clash2 type ipsec local 192.0.2.1 remote 192.0.2.3 spi-out 0x3001 spi-in 0x2002 \
		key-out $tmp/ab key-in $tmp/ba 2>$tmp/err && grep -q 'inbound SA: an SA or policy' $tmp/err || { cat $tmp/err; false; }"
check "...its outbound SA, already made, removed again; theirs untouched" sh_ok "
	! nsx a ip link show clash2 2>/dev/null && ! nsx a ip xfrm state | grep -q 'spi 0x00003001' &&
	[ \$(nsx a ip xfrm state | grep -c 'proto esp spi') -eq 2 ] && [ \$(nsx a ip xfrm policy | grep -c '^src') -eq 3 ]"
xf b route del 10.10.0.0/16
xf b tunnel del ipsec1
xf b tunnel add ipsec1 type ipsec local 192.0.2.2 remote 192.0.2.1 \
	spi-out 0x2002 spi-in 0x2001 key-out "$tmp/ba" key-in "$tmp/ab"
xf b route add 10.10.0.0/16 tunnel ipsec1
check "keyed-by external needs the if_id" sh_ok "
	xf a tunnel add ext1 type ipsec local 192.0.2.1 remote 192.0.2.2 keyed-by external 2>&1 | grep -q 'needs .if-id N'"
xf a tunnel add ext1 type ipsec local 192.0.2.1 remote 192.0.2.2 keyed-by external if-id 77
xf a route add 10.20.0.0/16 tunnel ext1
check "keyed-by external: the existing interface adopted" sh_ok "xf a tunnel show | grep '^ext1:' | grep -q 'kernel-dev adopted'"
check "...traffic crosses on the SAs someone else installed" nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10
check "...tunnel show lists them" sh_ok "xf a tunnel show | grep '^ext1:' | grep -q 'keyed-by external sas 2'"
xf a route del 10.20.0.0/16
xf a tunnel del ext1
check "...and tunnel del leaves them and the interface alone" sh_ok "
	nsx a ip link show ext1 >/dev/null && [ \$(nsx a ip xfrm state | grep -c 'proto esp spi') -eq 2 ]"

# The daemon: b's tunnel and route from a config file, adopted as they
# run (no second SA), and a changed if-id refused naming its line. a
# routes into the adopted SAs again for the replies.
xf a tunnel add ext1 type ipsec local 192.0.2.1 remote 192.0.2.2 keyed-by external if-id 77
xf a route add 10.20.0.0/16 tunnel ext1
cat >"$tmp/b.conf" <<CONF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-b
attach = b-u b-s
mirror-table = 100
[tunnels]
tunnel = ipsec1 type ipsec local 192.0.2.2 remote 192.0.2.1 spi-out 0x2002 spi-in 0x2001 key-out $tmp/ba key-in $tmp/ab
[routes]
route = 10.20.1.0/24 via 10.20.1.10 dev b-s
route = 10.10.0.0/16 tunnel ipsec1
CONF
run_b() {
	nsenter --net=/run/netns/$NSP-b "$XFWD" run -c "$1" >"$tmp/b.log" 2>&1 &
	DB=$!
	wait_for -t 60 grep -q 'xfwd: running\|xfwd: .*:[0-9]*:' "$tmp/b.log" || true
}
run_b "$tmp/b.conf"
check "xfwd run adopts the running ipsec tunnel from its config" sh_ok "grep -q 'xfwd: running' $tmp/b.log || { cat $tmp/b.log; false; }"
check "...SAs not installed twice, traffic still crosses" sh_ok "
	[ \$(nsx b ip xfrm state | grep -c 'proto esp spi') -eq 2 ] && nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10 >/dev/null"
check "...its SPIs and keys are the file's: no warning" sh_ok "! grep warning $tmp/b.log"
# A mirrored route over ipsec1 (a BGP daemon's, in table 100): its kernel
# route into ipsec1 goes only after the batch that drops it is committed,
# and stays when the prefix is back in the same batch (the daemon stopped
# while the table flaps, so that both events are read together).
kroute() { nsx b ip route show "$1" | grep -q 'dev ipsec1 proto 88'; }
nsx b ip route add 10.12.0.0/16 dev ipsec1 table 100
check "mirrored route over ipsec: the kernel's route into the interface" wait_for -t $((2 * SLOW)) kroute 10.12.0.0/16
kill -STOP $DB
nsx b ip route del 10.12.0.0/16 dev ipsec1 table 100
nsx b ip route add 10.12.0.0/16 dev ipsec1 table 100
nsx b ip route add 10.13.0.0/16 dev ipsec1 table 100
kill -CONT $DB
wait_for -t $((2 * SLOW)) sh_ok "xf b route show | grep -q 10.13.0.0/16" || true
sleep "$SLOW"
check "...gone and back in one batch: the kernel's route stays" sh_ok "kroute 10.12.0.0/16 && kroute 10.13.0.0/16"
nsx b ip route del 10.12.0.0/16 dev ipsec1 table 100
check "...gone: the kernel's route too, once committed" wait_for -t $((2 * SLOW)) sh_ok "
	! kroute 10.12.0.0/16 && ! xf b route show | grep -q 10.12.0.0/16"
nsx b ip route del 10.13.0.0/16 dev ipsec1 table 100
kill $DB; wait $DB 2>/dev/null || true
# SPIs and keys live only in the kernel: a file naming others is said at
# start, and the running SAs stay (switching alone would cut a off).
key other
sed 's/spi-out 0x2002/spi-out 0x2003/' "$tmp/b.conf" >"$tmp/b3.conf"
run_b "$tmp/b3.conf"
check "a changed spi-out in the file: said at start, the running SAs kept" sh_ok "
	grep -q 'warning: tunnel ipsec1: the kernel has no outbound SA with spi-out 0x2003; the running SAs stay' $tmp/b.log &&
	grep -q 'xfwd: running' $tmp/b.log || { cat $tmp/b.log; false; }"
kill $DB; wait $DB 2>/dev/null || true
sed "s|key-in $tmp/ab|key-in $tmp/other|" "$tmp/b.conf" >"$tmp/b4.conf"
run_b "$tmp/b4.conf"
check "a changed key file: said at start, naming it" sh_ok "
	grep -q 'warning: tunnel ipsec1: the inbound SA 0x2001 holds another key than key-in $tmp/other' $tmp/b.log || { cat $tmp/b.log; false; }"
check "...the SAs as they were, traffic still crosses" sh_ok "
	[ \$(nsx b ip xfrm state | grep -c 'proto esp spi') -eq 2 ] && nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10 >/dev/null"
kill $DB; wait $DB 2>/dev/null || true
sed 's/key-in \(.*\)$/key-in \1 if-id 99/' "$tmp/b.conf" >"$tmp/b2.conf"
run_b "$tmp/b2.conf"
check "...an ipsec tunnel changed in the file (if-id) is refused, naming its line" \
	sh_ok "grep -q \"b2.conf:6: tunnel ipsec1: an ipsec tunnel's keying cannot change in place\" $tmp/b.log || { cat $tmp/b.log; false; }"
kill $DB 2>/dev/null || true; wait $DB 2>/dev/null || true

# GRE primary, IPsec backup (the seeds' mixed design): both daemons run
# with the systemd unit's capabilities only (as-unit),
# the far /16 over a probed GRE tunnel under a 10/8 summary over IPsec
# (a: the adopted SAs of ext1, b: its static ipsec1). Kill GRE's path
# alone (ESP on its own link lives): the /16 gives way to the
# summary and traffic is encrypted; GRE back: traffic leaves IPsec.
# GRE has a path of its own through m (a bridge without XDP, where tc
# can drop it before any XDP program sees it); ESP keeps the direct link.
add_ns m; nsx m ip link add br0 type bridge; nsx m ip link set br0 up
for n in a b; do
	link $n $n-g m m-$n; nsx m ip link set m-$n master br0; host_if m m-$n
done
nsx a ip addr add 192.0.3.1/24 dev a-g; nsx b ip addr add 192.0.3.2/24 dev b-g
PROBE="probe udp probe-interval $((10 * SLOW)) probe-multiplier 3 hold-down $((500 * SLOW))"
mixed_conf() { # NS LOCAL REMOTE IPSEC-LINE HOST-ROUTE FAR
	cat <<CONF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-$1
attach = $1-u $1-g $5
[tunnels]
tunnel = gre1 type gre local $2 remote $3 key 5 $PROBE
tunnel = $4
[routes]
route = $6
route = $7 tunnel gre1
route = 10.0.0.0/8 tunnel ${4%% *}
CONF
}
# The IPsec tunnels are probed too: ICMP echo between inner addresses,
# through the kernel's xfrm (docs/ipsec.md).
nsx a ip addr add 169.254.20.1/30 dev ext1; nsx b ip addr add 169.254.20.2/30 dev ipsec1
iprobe() { echo "probe icmp 169.254.20.$1 from 169.254.20.$2 ${PROBE#probe udp }"; }
mixed_conf a 192.0.3.1 192.0.3.2 "ext1 type ipsec local 192.0.2.1 remote 192.0.2.2 keyed-by external if-id 77 $(iprobe 2 1)" \
	a-c "10.10.1.0/24 via 10.10.1.10 dev a-c" 10.20.0.0/16 >"$tmp/ma.conf"
mixed_conf b 192.0.3.2 192.0.3.1 "$(sed -n 's/^tunnel = \(ipsec1 .*\)/\1/p' "$tmp/b.conf") $(iprobe 1 2)" \
	b-s "10.20.1.0/24 via 10.20.1.10 dev b-s" 10.10.0.0/16 >"$tmp/mb.conf"
for n in a b; do
	nsenter --net=/run/netns/$NSP-$n "$AS_UNIT" "$XFWD" run -c "$tmp/m$n.conf" >"$tmp/m$n.log" 2>&1 &
	eval "D$n=\$!"
done
up() { xf "$1" health | grep -q "^gre1: up "; }
# What XDP passed into the IPsec tunnel (its tx count): c's traffic only,
# not the tunnel's own probes, which the daemon sends through the SA too.
ext_out() { xf a tunnel show | awk '$1 == "ext1:" { for (i = 1; i < NF; i++) if ($i == "tx") print $(i + 1) }'; }
sa_out() { xf a -j tunnel show | tr -d ' \n' | grep -o '"dir":"out","spi":8193,"packets":[0-9]*' | grep -o '[0-9]*$'; }
check "mixed: both daemons run, GRE up" wait_for -t $((30 * SLOW)) sh_ok "up a && up b || { cat $tmp/ma.log $tmp/mb.log; false; }"
e0=$(ext_out)
check "mixed: traffic takes GRE while it lives" sh_ok "
	nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10 >/dev/null && [ \$(ext_out) -eq $e0 ] &&
	xf a tunnel show | grep '^gre1:' | grep -vq ' tx 0 pkts'"
for n in a b; do silence m m-$n on; done
check "mixed: GRE's path dies silently (tc drops it in m): down on a" wait_for -t $((10 * SLOW)) sh_ok "xf a health | grep -q '^gre1: down '"
check "...the /16 gives way to the 10/8 over IPsec" sh_ok "xf a route get 10.20.1.10 | grep -q 'route 10.0.0.0/8'"
s0=$(sa_out)
check "...and traffic is encrypted instead (into the tunnel, the SA's counter rising)" sh_ok "
	nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10 >/dev/null && [ \$(ext_out) -ge \$(($e0 + 3)) ] &&
	[ \$(sa_out) -ge \$(($s0 + 3)) ]"
for n in a b; do silence m m-$n off; done
check "mixed: GRE back after its hold-down: traffic leaves IPsec" wait_for -t $((10 * SLOW)) sh_ok "up a && up b"
e1=$(ext_out)
check "...and takes GRE again" sh_ok "nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10 >/dev/null && [ \$(ext_out) -eq $e1 ]"
ipsec_is() { xf a health | grep -q "^ext1: $1 " && xf b health | grep -q "^ipsec1: $1 "; }
check "ipsec probed through the kernel's SAs: up on both ends, with an RTT" sh_ok "
	ipsec_is up && xf a health | grep '^ext1: up ' | grep -q 'probe icmp' &&
	xf a health | grep '^ext1:' | grep -Eq 'rtt [1-9][0-9]* us' || { xf a health; xf b health; false; }"
for n in a b; do silence $n $n-u on; done
check "ESP's link dies silently (tc drops it): the ipsec tunnel down on both ends" \
	wait_for -t $((10 * SLOW)) ipsec_is down
check "...while GRE carries the far /16 on" nsx c ping -c 3 -i 0.2 -W 2 10.20.1.10
for n in a b; do silence $n $n-u off; done
check "...and up again after its hold-down" wait_for -t $((10 * SLOW)) ipsec_is up

# The kernel drops a device's routes when it goes down; XDP would pass
# the 10/8 up again once ext1 is back and the kernel route it in clear
# by a shorter one. The daemon puts its route back: on link up, and at
# start for one lost while no daemon ran.
xroute() { nsx a ip route show 10.0.0.0/8 | grep -q 'dev ext1 proto 88'; }
nsx a ip link set ext1 down
check "ext1 down: the kernel dropped the route into it" sh_ok "! xroute"
nsx a ip link set ext1 up
check "...ext1 up: the daemon put it back, and logged it" wait_for -t $((5 * SLOW)) sh_ok "
	xroute && grep -q 'ext1: 1 lost kernel route(s) into it put back' $tmp/ma.log"
kill $Da; wait $Da 2>/dev/null || true
nsx a ip route del 10.0.0.0/8 dev ext1
nsenter --net=/run/netns/$NSP-a "$AS_UNIT" "$XFWD" run -c "$tmp/ma.conf" >"$tmp/ma2.log" 2>&1 &
Da=$!
check "deleted while no daemon ran: put back at start" wait_for -t $((10 * SLOW)) sh_ok "
	xroute && grep -q 'ext1: 1 lost kernel route(s) into it put back' $tmp/ma2.log"
check "...and a's own traffic into the 10/8 crosses ext1 again" sh_ok "
	nsx a ping -c 2 -i 0.2 -W 2 -I 169.254.20.1 10.20.1.1 >/dev/null || { xf a route get 10.20.1.1; false; }"
# ESP in UDP 4500 with static keys ('encap udp'), added to both running
# daemons by reload, over the second underlay (192.0.3.0/24: one ipsec
# tunnel per pair of endpoints). The kernel decrypts ESP in UDP only
# through a socket marked UDP_ENCAP, which each daemon holds.
for n in a b; do
	if [ $n = a ]; then l=1 r=2 o=ab i=ba; else l=2 r=1 o=ba i=ab; fi
	sed -i "/^\[tunnels\]/a tunnel = udp1 type ipsec local 192.0.3.$l remote 192.0.3.$r inner 169.254.30.$l/30 spi-out 0x300$l spi-in 0x300$r key-out $tmp/$o key-in $tmp/$i if-id 31 encap udp" "$tmp/m$n.conf"
done
kill -HUP $Da $Db
udp_sa() { nsx "$1" ip xfrm state get src "$2" dst "$3" proto esp spi "$4" | grep -q 'encap type espinudp sport 4500 dport 4500'; }
check "encap udp: after reload both SAs carry UDP 4500 encapsulation" wait_for -t $((5 * SLOW)) sh_ok "
	udp_sa a 192.0.3.1 192.0.3.2 0x3001 && udp_sa a 192.0.3.2 192.0.3.1 0x3002 &&
	xf a tunnel show | grep '^udp1:' | grep -q 'keyed-by static encap udp sas 2'"
check "...each daemon holds UDP 4500" sh_ok "
	nsx a ss -ulnp 'sport = :4500' | grep -q xfwd && nsx b ss -ulnp 'sport = :4500' | grep -q xfwd"
nsx b tcpdump -U -n -i b-g -w "$tmp/udp.pcap" 2>"$tmp/tcpdump2.err" &
CAP=$!
wait_for -t 30 grep -q listening "$tmp/tcpdump2.err" || true
check "...the inner addresses answer through it" \
	nsx a ping -c 5 -i 0.2 -W 2 -p 58465744504c41494e5445585421 169.254.30.2
sleep 0.5; kill $CAP; wait $CAP 2>/dev/null || true
check "...ESP in UDP 4500 on the wire, both ways, never the payload" sh_ok "
	n=\$(tcpdump -n -r $tmp/udp.pcap 'udp port 4500 and udp[8:4] != 0' 2>/dev/null | wc -l)
	[ \$n -ge 5 ] && ! grep -aq XFWDPLAINTEXT $tmp/udp.pcap || { echo \$n; tcpdump -n -r $tmp/udp.pcap | head; false; }"
xf b tunnel rekey udp1 spi-in 0x3011 key-in "$tmp/ab" >/dev/null
check "...a rekeyed SA is encapsulated as the tunnel is" udp_sa b 192.0.3.1 192.0.3.2 0x3011
kill $Db; wait $Db 2>/dev/null || true
check "...and with no daemon on b to hold UDP 4500, b's kernel cannot decrypt it" sh_ok "
	! nsx a ping -c 2 -i 0.2 -W 1 169.254.30.2 >/dev/null"
kill $Da 2>/dev/null || true; wait $Da 2>/dev/null || true

echo "test_ipsec: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
