#!/usr/bin/env bash
# An IKE daemon keys the ipsec tunnels: strongSwan's charon on both
# appliances negotiates route-based SAs (if_id) over IKEv2, with ESP in
# UDP 4500 (NAT-T, forced), and xfwd adopts them ('keyed-by external',
# docs/ipsec.md): XDP passes IKE and UDP 4500 up to the kernel, routes
# over the tunnel cross, tunnel show lists charon's SAs, and charon's own
# rekey under steady traffic loses nothing. Needs ESP and xfrm interfaces:
# runs inside the VM guest (tests/vm/suite-6.1.sh).
#
#   c 10.10.1.10 -- a (xfwd, charon) == 192.0.2.0/24, UDP 4500 == b (xfwd, charon) -- s 10.20.1.10
. "$(dirname "$0")/../net/lib.sh"
. "$(dirname "$0")/../net/topo_tunnel.sh"
require_root
tmp=$(mktemp -d)
CA='' CB=''
trap 'kill $CA $CB 2>/dev/null; wait $CA $CB 2>/dev/null; cleanup; rm -rf "$tmp"' EXIT
echo "test_ipsec_ike: strongSwan's SAs adopted by xfwd on $(uname -r)"
CHARON=/usr/lib/ipsec/charon
command -v swanctl >/dev/null && [ -x $CHARON ] ||
	{ echo "test_ipsec_ike: strongSwan is missing (tools/install-deps.sh installs strongswan-charon, strongswan-swanctl)"; exit 1; }

# ike_conf NS LOCAL REMOTE START: $tmp/NS/{strongswan,swanctl}.conf. The
# child's selectors are everything: with if_id the policies only match
# what the kernel routes into the xfrm interface. charon installs no
# routes of its own; xfwd's route over the tunnel is the kernel's.
ike_conf() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1/strongswan.conf" <<CONF
charon {
	load = random nonce drbg aes sha1 sha2 hmac kdf gmp pem pkcs1 pubkey x509 socket-default kernel-netlink vici
	install_routes = no
	install_virtual_ip = no
	retransmit_timeout = 8
	plugins { vici { socket = unix://$tmp/$1/charon.vici } }
	filelog { log { path = $tmp/$1/charon.log
		default = 1
		ike = 2
		time_format = %T } }
}
CONF
	cat >"$tmp/$1/swanctl.conf" <<CONF
connections {
	xfwd {
		local_addrs = $2
		remote_addrs = $3
		encap = yes
		proposals = aes256-sha256-modp2048
		if_id_in = 42
		if_id_out = 42
		local { auth = psk }
		remote { auth = psk }
		children { net {
			local_ts = 0.0.0.0/0
			remote_ts = 0.0.0.0/0
			esp_proposals = aes256gcm16
			start_action = $4
		} }
	}
}
secrets { ike-xfwd { secret = "xfwd test key, not for production" } }
CONF
}
# charon NS: the daemon in NS with a /run of its own (its pid file).
charon() {
	nsenter --net=/run/netns/$NSP-$1 unshare -m --propagation private sh -c \
		"mount -t tmpfs tmpfs /run && exec env STRONGSWAN_CONF=$tmp/$1/strongswan.conf $CHARON" \
		>"$tmp/$1/charon.out" 2>&1 &
}
swan() { # NS ARGS...: swanctl against NS's charon
	local n=$1; shift
	nsx "$n" swanctl "$@" --uri "unix://$tmp/$n/charon.vici"
}
loaded() { swan "$1" --load-all --file "$tmp/$1/swanctl.conf" >"$tmp/$1/load.out" 2>&1; }
# The SPIs of NS's ESP SAs as the kernel has them, and as xfwd shows them.
kernel_spis() { nsx "$1" ip xfrm state | grep -o 'spi 0x[0-9a-f]*' | sort | tr '\n' ' '; }
xfwd_spis() { xf "$1" tunnel show | grep '^ike1:' | grep -o 'spi 0x[0-9a-f]*' | sort | tr '\n' ' '; }
same_spis() { [ -n "$(kernel_spis "$1")" ] && [ "$(kernel_spis "$1")" = "$(xfwd_spis "$1")" ]; }

build_four xfwd
for n in a b; do nsx $n sysctl -qw net.ipv4.ip_forward=1; done
xf a tunnel add ike1 type ipsec local 192.0.2.1 remote 192.0.2.2 keyed-by external if-id 42
xf b tunnel add ike1 type ipsec local 192.0.2.2 remote 192.0.2.1 keyed-by external if-id 42
xf a route add 10.20.0.0/16 tunnel ike1
xf b route add 10.10.0.0/16 tunnel ike1
ike_conf a 192.0.2.1 192.0.2.2 none
ike_conf b 192.0.2.2 192.0.2.1 none
charon a; CA=$!; charon b; CB=$!
check "charon runs on both appliances (vici answers)" wait_for -t 60 sh_ok "
	swan a --stats >/dev/null 2>&1 && swan b --stats >/dev/null 2>&1 || { cat $tmp/a/charon.out $tmp/b/charon.out; false; }"
check "...and loads the connection (PSK, if_id 42, UDP encapsulation forced)" sh_ok "
	loaded a && loaded b || { cat $tmp/a/load.out $tmp/b/load.out; false; }"

nsx b tcpdump -U -n -i b-u -w "$tmp/wire.pcap" 2>"$tmp/tcpdump.err" &
CAP=$!
wait_for -t 30 grep -q listening "$tmp/tcpdump.err" || true # slow to start in the guest
check "IKEv2 through both appliances' XDP: the CHILD_SA is installed" sh_ok "
	swan a --initiate --child net --timeout 120 >$tmp/init.out 2>&1 &&
	swan b --list-sas | grep -q INSTALLED || { tail -20 $tmp/init.out; tail -20 $tmp/b/charon.log; false; }"
check "...its SAs in the kernel carry if_id 42 and UDP encapsulation" sh_ok "
	[ \$(nsx a ip xfrm state | grep -c 'if_id 0x2a') -eq 2 ] && nsx a ip xfrm state | grep -q 'encap type espinudp sport 4500 dport 4500'"
check "xfwd adopts them: tunnel show lists charon's SPIs, on both appliances" sh_ok "
	same_spis a && same_spis b || { kernel_spis a; echo; xf a tunnel show; false; }"
# "XFWDPLAINTEXT!" as the ping payload pattern: must never be on the wire.
check "c reaches s through the tunnel charon keys, and back" \
	nsx c ping -c 5 -i 0.2 -W 2 -p 58465744504c41494e5445585421 10.20.1.10
sleep 0.5; kill $CAP; wait $CAP 2>/dev/null || true
check "ESP in UDP 4500 on the wire" sh_ok "
	n=\$(tcpdump -n -r $tmp/wire.pcap 'udp port 4500 and udp[8:4] != 0' 2>/dev/null | wc -l)
	[ \$n -ge 5 ] || { echo \$n packets; tcpdump -n -r $tmp/wire.pcap 2>/dev/null | tail; false; }"
check "...and no plaintext of the payload" sh_ok "! grep -aq XFWDPLAINTEXT $tmp/wire.pcap"
check "XDP passed IKE and UDP 4500 up to the kernel (pass_local on b)" test "$(stat_pkts b pass_local)" -gt 5
check "...and the traffic into the tunnel (pass_ipsec on a)" test "$(stat_pkts a pass_ipsec)" -ge 5
check "1 MiB over TCP arrives intact" tcp_intact s 10.20.1.10 7000 c 1048576

# charon's rekey (CREATE_CHILD_SA) under a ping every 10 ms: new SAs
# before the old go, on both ends, while XDP keeps passing traffic up.
old=$(kernel_spis a)
nsx c ping -q -i 0.01 -c 1000 -W 5 10.20.1.10 >"$tmp/ping.out" 2>&1 &
PING=$!
sleep 2
swan a --rekey --child net >"$tmp/rekey.out" 2>&1
check "charon rekeys the CHILD_SA while traffic flows" sh_ok "grep -qi 'rekey completed\|rekeying' $tmp/rekey.out || { cat $tmp/rekey.out; false; }"
wait $PING
check "...and not a packet is lost (1000 pings, 10 ms apart)" sh_ok "
	grep -q '1000 packets transmitted, 1000 received' $tmp/ping.out || { cat $tmp/ping.out; false; }"
check "...tunnel show follows: the new SPIs, the old gone" wait_for -t 60 sh_ok "
	same_spis a && same_spis b && [ \"\$(kernel_spis a)\" != \"$old\" ] && [ \$(nsx a ip xfrm state | grep -c '^src') -eq 2 ]"

xf a route del 10.20.0.0/16
xf a tunnel del ike1
check "tunnel del leaves charon's SAs alone" sh_ok "[ \$(nsx a ip xfrm state | grep -c 'if_id 0x2a') -eq 2 ]"

echo "test_ipsec_ike: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
