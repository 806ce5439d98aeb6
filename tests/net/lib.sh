# Helpers for namespace tests: build hosts, run xfwd inside them, assert.
# Every test creates its own namespaces (prefix $NSP) and removes them.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XFWD=${XFWD:-$TOP/build/xfwd}
AS_UNIT=$TOP/tests/net/as-unit
NSP=${NSP:-xt$$}
PIN_BASE=/sys/fs/bpf
FAILS=0

# Run xfwd in namespace $1 with a pin root of its own. nsenter (not
# `ip netns exec`) keeps the host's /sys/fs/bpf, so pins outlive the call.
xf() {
	local ns=$1; shift
	nsenter --net=/run/netns/$NSP-$ns "$XFWD" --pin-root "$PIN_BASE/xfwd-$NSP-$ns" "$@"
}

nsx() {
	local ns=$1; shift
	ip netns exec $NSP-$ns "$@"
}

add_ns() {
	ip netns add $NSP-$1
	nsx "$1" ip link set lo up
}

# link NS1 DEV1 NS2 DEV2: a veth pair between two namespaces.
link() {
	ip link add "$2" netns $NSP-$1 type veth peer name "$4" netns $NSP-$3
	nsx "$1" ip link set "$2" up
	nsx "$3" ip link set "$4" up
}

# Prepare an end host's veth facing the XDP router (docs/testbed-veth.md):
# - an XDP program that passes everything: a veth receives frames sent to
#   it with XDP_REDIRECT or XDP_TX only with NAPI, and after XDP_TX veth
#   wakes the receiver only if it has an XDP program;
# - TX checksum offload off: veth hands frames over with the L4 checksum
#   still to be filled in (CHECKSUM_PARTIAL); XDP forwards them as they
#   are and the far host drops them. A physical NIC (ENA) always delivers
#   complete checksums, so both are properties of the veth test bed only.
host_if() {
	nsx "$1" ethtool -K "$2" tx off >/dev/null
	nsx "$1" ip link set dev "$2" xdpdrv obj "$TOP/build/tests/xdp_pass.bpf.o" sec xdp
}

cleanup() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep "^$NSP-" || true); do
		nsenter --net=/run/netns/$ns "$XFWD" --pin-root "$PIN_BASE/xfwd-$ns" detach 2>/dev/null || true
		ip netns del "$ns"
	done
}

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "FAIL: namespace tests need root (run: sudo make test)" >&2
		exit 1
	fi
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}

# The xfwd daemon a test started in the background ($DPID), stopped.
DPID=""
stop_daemon() { [ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null; DPID=""; }

pass() { echo "  ok   $*"; }
fail() { echo "  FAIL $*"; FAILS=$((FAILS + 1)); }

# check "description" command...: passes when the command succeeds.
check() {
	local what=$1; shift
	if "$@" >/tmp/xfwd-check.$$ 2>&1; then pass "$what"; else
		fail "$what"; sed 's/^/       /' /tmp/xfwd-check.$$ | tail -20; fi
	rm -f /tmp/xfwd-check.$$
}

# sh_ok 'SNIPPET': true when a shell snippet (pipes, !, &&, any function
# and variable of these tests) succeeds; for check and wait_for. A subshell
# with sh's defaults, as `sh -c` had, but without re-declaring functions.
sh_ok() { (set +euo pipefail; eval "$1"); }

# wait_for [-t SECONDS] CMD...: until CMD succeeds (default 5 s): SECONDS
# x 10 tries 0.1 s apart, which is longer where a try is slow (the
# emulated guest, where tests count on that), but never more than
# 2 x SECONDS + 30 s by the clock: a CMD that takes a second itself must
# not stretch a failing 'wait_for -t 300' into most of an hour.
wait_for() {
	local t=5
	[ "$1" = -t ] && { t=$2; shift 2; }
	local end=$((SECONDS + 2 * t + 30))
	for _ in $(seq $((t * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
	return 1
}

# Sum of a stats reason's packets, from `xfwd -j stats`.
stat_pkts() {
	xf "$1" -j stats | tr ',{}' '\n\n\n' | awk -v r="\"$2\":" '
		$0 ~ r { hit = 1 } hit && /"packets"/ { split($0, a, ":"); print a[2]; exit }'
}

forwarded() {
	echo $(( $(stat_pkts "$1" fwd_tx) + $(stat_pkts "$1" fwd_redirect) ))
}

# tun_pkts NS rx|tx TUNNEL: the tunnel's packet counter (data only:
# probes and answers are not counted on receive).
tun_pkts() {
	xf "$1" tunnel show | awk -v t="$3:" -v d="$2" '$1 == t { for (i = 1; i < NF; i++) if ($i == d) print $(i + 1) }'
}
# udp_flow NS DST BITS SECONDS: one UDP flow from NS to DST port 9000 at
# BITS a second, 1250-byte datagrams (nothing listens: s drops them).
udp_flow() {
	nsx "$1" python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); pps = int(sys.argv[2]) / 10000; end = time.monotonic() + float(sys.argv[3])
n = 0; t0 = time.monotonic(); data = b'x' * 1222
while time.monotonic() < end:
    s.sendto(data, (sys.argv[1], 9000)); n += 1
    ahead = t0 + n / pps - time.monotonic()
    if ahead > 0: time.sleep(ahead)" "$2" "$3" "$4"
}

# route_of NS PREFIX: `xfwd route show` lines of exactly that route (its
# multipath lines included), nothing when there is none.
route_of() {
	xf "$1" route show "$2" | awk -v p="$2" '$1 == p { on = 1; print; next } /^[^ \t]/ { on = 0 } on'
}

rx_packets() {
	nsx "$1" cat /sys/class/net/"$2"/statistics/rx_packets
}

# tcp_intact SERVER_NS ADDR PORT CLIENT_NS BYTES: send BYTES of random data
# over TCP and succeed only if they arrive unchanged.
tcp_intact() {
	local tmp rc
	tmp=$(mktemp -d)
	head -c "$5" /dev/urandom >"$tmp/in"
	nsx "$1" timeout 30 nc -l "$2" "$3" >"$tmp/out" &
	sleep 0.3
	nsx "$4" timeout 30 nc -N "$2" "$3" <"$tmp/in" || true
	wait $! || true
	cmp -s "$tmp/in" "$tmp/out"; rc=$?
	rm -rf "$tmp"
	return $rc
}

# silence NS DEV on|off: drop (on) every packet DEV receives, at tc
# ingress, while the link stays up: a path that dies without a carrier
# change. off removes the drop.
silence() {
	if [ "$3" = on ]; then
		nsx "$1" tc qdisc add dev "$2" clsact
		nsx "$1" tc filter add dev "$2" ingress bpf da obj "$TOP/build/tests/tc_drop.bpf.o" sec tc
	else
		nsx "$1" tc qdisc del dev "$2" clsact
	fi
}
