#!/usr/bin/env bash
# BFD (docs/bfd.md) against BIRD's BFD and FRR's bfdd: a runs xfwd with
# 'probe bfd' on its vxlan tunnel vx4; b is a Linux router whose kernel
# vxlan device faces it, running BIRD's BFD, then FRR's bfdd. Checked:
# the session comes up with each; a silent cut (both directions dropped
# by tc on the underlay) takes the tunnel down by "detection time
# expired" at 100 ms x 3 and at 10 ms x 3, its route falls back to the
# kernel, and it comes back through the hold-down; timers changed on
# either side go through Poll/Final without a flap; multihop (port 4784)
# with FRR; at 10 ms x 3 with two busy loops on the daemon's CPU, the
# session does not flap; a packet with TTL 64 is dropped and said.
#
#   c 10.10.1.10 -- a (xfwd run) == 192.0.2.0/24 == b (vxlan vx4: BIRD, FRR) -- s 10.20.1.10
. "$(dirname "$0")/lib.sh"
require_root
command -v bird >/dev/null || { echo "FAIL: bird is missing (run tools/install-deps.sh)" >&2; exit 1; }
FRR=/usr/lib/frr
[ -x $FRR/bfdd ] && id frr >/dev/null 2>&1 || { echo "FAIL: FRR's bfdd is missing (run tools/install-deps.sh)" >&2; exit 1; }
PIDS=()
LOADPIDS=""
tmp=$(mktemp -d)
frr=$(mktemp -d /tmp/xfwd-frr.XXXXXX)
trap 'kill "${PIDS[@]}" $LOADPIDS 2>/dev/null; wait 2>/dev/null; cleanup; rm -rf "$tmp" "$frr"' EXIT
. "$(dirname "$0")/topo_tunnel.sh"
echo "test_bfd: xfwd's BFD sessions with BIRD and FRR: up, detection, Poll/Final, multihop, a busy CPU"
build_vxlan_peer
SLOW=${XFWD_TEST_SLOW:-1}
HOLD=$((300 * SLOW))

conf() { # MODE INTERVAL
	cat <<CONF
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-a
attach = a-c a-u
metrics-file = $tmp/xfwd.prom
metrics-interval = 1
[tunnels]
tunnel = vx4 type vxlan local 192.0.2.1 remote 192.0.2.2 vni 100 peer-mac $(nsx b cat /sys/class/net/vx4/address) probe $1 172.16.9.2 from 172.16.9.1 probe-interval $2 probe-multiplier 3 hold-down $HOLD
[routes]
route = 10.10.1.0/24 via 10.10.1.10 dev a-c
route = 10.20.1.0/24 tunnel vx4
CONF
}
conf bfd $((100 * SLOW)) >"$tmp/a.conf"
# Another BFD speaker holding the session's port at start (BIRD's own,
# say): said, tried again each second, taken once it is free.
ip netns exec $NSP-a python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 15, 1)  # IP_FREEBIND: the address comes later
s.bind(('172.16.9.1', 3784)); time.sleep(600)" & BLOCKER=$!
PIDS+=($BLOCKER)
nsenter --net=/run/netns/$NSP-a taskset -c 0 "$XFWD" run -c "$tmp/a.conf" >/dev/null 2>"$tmp/a.log" & PIDS+=($!)
XPID=$!
wait_for grep -q 'xfwd: running' "$tmp/a.log" || true
check "the daemon runs" sh_ok "grep -q running '$tmp/a.log' || { cat '$tmp/a.log'; false; }"
# The session's inner address comes after the daemon (IP_FREEBIND): its
# sends fail until then (a session sends at least once a second), which
# is said once, and its end too.
sleep 1.5
nsx a ip addr add 172.16.9.1/30 dev vx4
check "sends before vx4 had its address: said once, then 'sent again'" \
	wait_for sh_ok "[ \$(grep -c 'vx4: BFD packets cannot be sent: Network is unreachable' '$tmp/a.log') -eq 1 ] && grep -q 'vx4: BFD packets are sent again' '$tmp/a.log'"
check "its port held by another socket: said" \
	wait_for sh_ok "grep -q 'vx4: BFD packets cannot be received (Address already in use)' '$tmp/a.log'"
kill $BLOCKER
check "...the port free: taken within a second or two, said" \
	wait_for sh_ok "grep -q 'vx4: BFD packets are received' '$tmp/a.log'"
L_ERR=$(wc -l <"$tmp/a.log")

h() { xf a -j health | python3 -c "import json,sys; t=[x for x in json.load(sys.stdin) if x['name']=='vx4'][0]; print($1)"; }
session() { h "t['bfd']['session'] if 'bfd' in t else '-'"; }
tstate() { h "t['state']"; }
since() { tail -n +$((L0 + 1)) "$tmp/a.log"; }
mark() { L0=$(wc -l <"$tmp/a.log"); }
now_ms() { date +%s%3N; }

# cut_and_back WHAT DETECT_MS: cut both ways, the tunnel goes down by
# detection; the time from the cut to the verdict printed and bounded
# (DETECT_MS plus this shared machine's scheduling); then back up.
cut_and_back() {
	local what=$1 det=$2 t0 ms
	mark
	t0=$(now_ms)
	# a stops hearing first: were b cut first, b's speaker could detect
	# (a loaded machine takes tens of ms between the two) and its Down
	# reach xfwd before xfwd's own detection.
	silence a a-u on
	silence b b-u on
	check "$what: cut silently, vx4 down by detection time" \
		wait_for sh_ok "[ \"\$(tstate)\" = down ] && h \"t['reason']\" | grep -q 'BFD: detection time expired'"
	ms=$(( $(h "t['changed_unix_ms']") - t0 ))
	echo "       ($what: verdict ${ms} ms after the cut began; detection time $det ms)"
	check "$what: ...within the detection time and a scheduling margin (${ms} ms <= $det + 150)" \
		test "$ms" -le $((det + 150 * SLOW))
	check "$what: ...its route's traffic passed to the kernel (no live route: route get)" \
		sh_ok "xf a route get 10.20.1.10 | grep -q 'no matching route' || { xf a route get 10.20.1.10; false; }"
	silence a a-u off
	silence b b-u off
	check "$what: restored: session up, tunnel up after the $HOLD ms hold-down" \
		wait_for -t $((10 * SLOW)) sh_ok '[ "$(tstate)" = up ]'
	check "$what: ...logged down then up, once each" \
		sh_ok "[ \$(since | grep -c 'tunnel vx4 down: BFD: detection time expired') -eq 1 ] && [ \$(since | grep -c 'tunnel vx4 up: BFD up for $HOLD ms (hold-down)') -eq 1 ] || { since; false; }"
	check "$what: ...traffic crosses" nsx c ping -c 2 -i 0.2 -W 2 10.20.1.10
}

# ---- BIRD ----
bird_conf() { # INTERVAL_MS
	cat <<B
router id 172.16.9.2;
protocol device {}
protocol bfd bfd1 {
  interface "vx4" { min rx interval $1 ms; min tx interval $1 ms; idle tx interval 1000 ms; multiplier 3; };
  neighbor 172.16.9.1 dev "vx4" local 172.16.9.2;
}
B
}
bird_conf $((100 * SLOW)) >"$tmp/b.bird"
ip netns exec $NSP-b bird -f -c "$tmp/b.bird" -s "$tmp/b.ctl" -P "$tmp/b.pid" >>"$tmp/bird.log" 2>&1 & PIDS+=($!)
BIRDPID=$!
bird_sess() { birdc -s "$tmp/b.ctl" show bfd sessions | awk '$1 == "172.16.9.1" { print $3, $5, $6 }'; }
check "BIRD: session up on both sides" wait_for -t $((10 * SLOW)) sh_ok '[ "$(session)" = up ] && bird_sess | grep -q "^Up "'
check "BIRD: ...the tunnel up by it, traffic crosses" sh_ok '[ "$(tstate)" = up ] && nsx c ping -c 2 -i 0.2 -W 2 10.20.1.10'
check "BIRD: ...the negotiated 100 ms x 3 in force (xfwd health)" sh_ok "h \"t['bfd']['tx_us'], t['bfd']['detect_us']\" | grep -qx '$((100000 * SLOW)) $((300000 * SLOW))'"
check "BIRD: ...and in BIRD (interval 0.100, timeout 0.300)" sh_ok "bird_sess | grep -q 'Up $(printf '%.3f %.3f' $((100 * SLOW))e-3 $((300 * SLOW))e-3)' || { bird_sess; false; }"
check "the metrics show the session" wait_for sh_ok "grep -q 'xfwd_bfd_session_state{tunnel=\"vx4\",state=\"up\"} 1' '$tmp/xfwd.prom'"
# A control packet for the session from the peer's address with TTL 64
# (as if a router stood between): dropped, said once, the session stays.
ttl64() {
	nsx b python3 -c "
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 64)
s.bind(('172.16.9.2', 49999))
s.sendto(struct.pack('!BBBBIIIII', 0x20, 0xc0, 3, 24, 7, $(h "t['bfd']['my_discriminator']"), 100000, 100000, 0), ('172.16.9.1', 3784))"
}
mark
check "a control packet with TTL 64: dropped and said" \
	sh_ok "ttl64 && wait_for sh_ok \"since | grep -q 'vx4: BFD packets from its peer arrive with a TTL below 255'\" || { since; false; }"
check "...the session never left up" sh_ok "! since | grep -E 'tunnel vx4 (down|up)' && [ \"\$(session)\" = up ] || { since; false; }"
cut_and_back "BIRD 100 ms x 3" $((300 * SLOW))

# Poll/Final, BIRD changing: 10 ms; then xfwd changing (a reload): 10 ms.
mark
bird_conf $((10 * SLOW)) >"$tmp/b.bird"
birdc -s "$tmp/b.ctl" configure >/dev/null
conf bfd $((10 * SLOW)) >"$tmp/a.conf"
kill -HUP $XPID
check "timers changed on both sides (BIRD configure, xfwd reload): 10 ms x 3 in force" \
	wait_for sh_ok "h \"t['bfd']['tx_us'], t['bfd']['detect_us']\" | grep -qx '$((10000 * SLOW)) $((30000 * SLOW))'"
check "...in BIRD too" wait_for sh_ok "bird_sess | grep -q 'Up $(printf '%.3f %.3f' $((10 * SLOW))e-3 $((30 * SLOW))e-3)'"
check "...without a flap (Poll/Final): no down, the session never left up" \
	sh_ok "! since | grep -E 'tunnel vx4 (down|up)' && [ \"\$(session)\" = up ] || { since; false; }"
cut_and_back "BIRD 10 ms x 3" $((30 * SLOW))

# Busy loops on the daemon's CPU (BIRD's is pinned to the other one:
# every thread of it, -a; BIRD's BFD runs in a thread of its own, which
# without -a stayed beside the loops and now and then sent late enough
# for xfwd to declare the session down: a CI run failed that way).
taskset -a -pc 1 $BIRDPID >/dev/null
mark
LOADPIDS=""
for _ in 1 2; do taskset -c 0 sh -c 'while :; do :; done' & LOADPIDS="$LOADPIDS $!"; done
sleep $((5 * SLOW))
kill $LOADPIDS; LOADPIDS=""
check "10 ms x 3 with two busy loops on xfwd's CPU for 5 s: no flap" \
	sh_ok "! since | grep -E 'tunnel vx4 (down|up)' && [ \"\$(session)\" = up ] || { since; false; }"
mark
kill $BIRDPID

# ---- FRR's bfdd ----
gone_down() { wait_for sh_ok '[ "$(tstate)" = down ]' || { since; xf a health; false; }; }
check "BIRD gone: the session down, the tunnel down" gone_down
mkdir -p "$frr/b"
frr_conf() { # INTERVAL [multihop]
	cat <<F
bfd
 peer 172.16.9.1 ${2:+multihop }local-address 172.16.9.2
  receive-interval $1
  transmit-interval $1
  detect-multiplier 3
 !
!
F
}
frr_conf $((100 * SLOW)) >"$frr/b/bfdd.conf"
chown -R frr:frr "$frr"
ip netns exec $NSP-b $FRR/bfdd -u frr -g frr --vty_socket "$frr/b" -i "$frr/b/bfdd.pid" -f "$frr/b/bfdd.conf" \
	-P 0 --log "file:$frr/b/bfdd.log" --bfdctl "$frr/b/bfdd.sock" >>"$tmp/frr.log" 2>&1 & PIDS+=($!)
frr_sess() { vtysh --vty_socket "$frr/b" -c 'show bfd peers brief' 2>/dev/null | awk '$3 == "172.16.9.1" { print $4 }'; }
check "FRR: session up on both sides" wait_for -t $((10 * SLOW)) sh_ok '[ "$(session)" = up ] && frr_sess | grep -qx up'
check "FRR: ...the tunnel up by it (a session back after a down: through the hold-down)" \
	wait_for -t $((5 * SLOW)) sh_ok '[ "$(tstate)" = up ]'
cut_and_back "FRR 100 ms x 3" $((300 * SLOW))
mark
vtysh --vty_socket "$frr/b" -c 'conf t' -c 'bfd' -c 'peer 172.16.9.1 local-address 172.16.9.2' \
	-c "receive-interval $((10 * SLOW))" -c "transmit-interval $((10 * SLOW))" >/dev/null
frr_fast() {
	wait_for sh_ok "h \"t['bfd']['detect_us']\" | grep -qx '$((30000 * SLOW))'" && sleep 1 &&
		! since | grep -E 'tunnel vx4 (down|up)' || { since | head -5; xf a health; false; }
}
check "FRR: timers changed to 10 ms: in force here, and for a second no flap" frr_fast
cut_and_back "FRR 10 ms x 3" $((30 * SLOW))

# Multihop (RFC 5883, port 4784): both sides change mode.
vtysh --vty_socket "$frr/b" -c 'conf t' -c 'bfd' -c 'no peer 172.16.9.1 local-address 172.16.9.2' >/dev/null
vtysh --vty_socket "$frr/b" -c 'conf t' -c 'bfd' -c 'peer 172.16.9.1 multihop local-address 172.16.9.2' \
	-c "receive-interval $((100 * SLOW))" -c "transmit-interval $((100 * SLOW))" >/dev/null
conf bfd-multihop $((100 * SLOW)) >"$tmp/a.conf"
kill -HUP $XPID
check "FRR multihop: session up (port 4784; 3784 closed: free for another speaker)" \
	wait_for -t $((10 * SLOW)) sh_ok '[ "$(session)" = up ] && frr_sess | grep -qx up && nsx a ss -unl | grep -q "172.16.9.1:4784" && ! nsx a ss -unl | grep -q "172.16.9.1:3784"'
check "FRR multihop: ...the tunnel up" wait_for -t $((5 * SLOW)) sh_ok '[ "$(tstate)" = up ]'
cut_and_back "FRR multihop 100 ms x 3" $((300 * SLOW))
check "no socket or protocol errors logged since" \
	sh_ok "! tail -n +$((L_ERR + 1)) '$tmp/a.log' | grep -iE 'cannot|error' || { grep -iE 'cannot|error' '$tmp/a.log'; false; }"
[ "$FAILS" -eq 0 ] || { echo "--- xfwd log:"; tail -40 "$tmp/a.log"; echo "--- bfdd log:"; tail -20 "$frr/b/bfdd.log"; }
echo "test_bfd: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
