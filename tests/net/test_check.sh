#!/usr/bin/env bash
# xfwd check (docs/check.md) on a real router: its exit status says
# clean (0), warnings (3) or errors (4); -j is JSON; the attached devices'
# MTU comes from the kernel; where xfwd runs, the live routes count too;
# `xfwd run` refuses a config with errors, naming the finding.
# Topology: tests/net/topo_basic.sh (r between c and s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap cleanup EXIT

echo "test_check: xfwd check"
basic_hosts
tmp=$(mktemp -d)
PIN=$PIN_BASE/xfwd-$NSP-r
nsx r ip link set r1 mtu 1600 # room for VXLAN's 50 bytes around 1500
conf() { # conf NAME BODY: a config for r
	printf '[xfwd]\npin-root = %s\nattach = r0 r1\n%s\n' "$PIN" "$2" >"$tmp/$1"
}
status() { # status CONF [-j]: xfwd check's exit status
	local rc=0
	nsenter --net=/run/netns/$NSP-r "$XFWD" ${2:-} check -c "$tmp/$1" >"$tmp/out" 2>&1 || rc=$?
	echo $rc
}
conf clean "[tunnels]
tunnel = va type vxlan local 10.0.2.1 remote 10.0.2.2 vni 5 dev r1 probe udp
tunnel = vb type vxlan local 10.0.2.1 remote 10.0.2.2 vni 6 dev r1 probe udp
[routes]
route = 10.7.0.0/16 tunnel va tunnel vb"
check "a clean deployment: exit 0, its findings information only" sh_ok "
	[ \$(status clean) -eq 0 ] && grep -q 'inner MTU 1550 (underlay 1600 - 50 bytes' $tmp/out && ! grep -q '^warning\|^error' $tmp/out"
conf warn "[tunnels]
tunnel = ga type gre local 10.0.2.1 remote 10.0.2.2 key 3
[routes]
route = 10.7.0.0/16 tunnel ga"
check "GRE, no probes, one path: exit 3 (warnings), each named by its rule" sh_ok "
	[ \$(status warn) -eq 3 ] && grep -q '^warning flow .*tunnel ga' $tmp/out &&
	grep -q '^warning probe .*not probed' $tmp/out && grep -q '^warning spof .*10.7.0.0/16' $tmp/out"
conf err "[tunnels]
tunnel = va type vxlan local 10.0.2.1 remote 10.0.2.2 vni 5 dev r1 probe udp
tunnel = vb type vxlan local 10.0.2.1 remote 10.0.2.2 vni 6 dev r1 probe udp
[translations]
xlat = 10.1.0.0/16 to 100.65.0.0/16 tunnel va
xlat = 10.1.0.0/16 to 100.65.0.0/16 tunnel vb"
check "two spokes mapped to one prefix: exit 4 (errors); -j is JSON with the rule" sh_ok "
	[ \$(status err -j) -eq 4 ] && python3 -c '
import json; v = json.load(open(\"$tmp/out\"))
assert any(f[\"level\"] == \"error\" and f[\"rule\"] == \"xlat\" for f in v), v'"
check "xfwd run refuses that config, naming the finding; nothing attached" sh_ok "
	out=\$(nsenter --net=/run/netns/$NSP-r timeout 20 $XFWD run -c $tmp/err 2>&1) && exit 1
	echo \"\$out\" | grep -q 'mapped prefix of tunnel va overlaps 100.65.0.0/16 of tunnel vb.*rule xlat' &&
	! ip -n $NSP-r link show r0 | grep -q xdp"
check "a config that does not parse: exit 1, its line" sh_ok "
	printf '[xfwd]\nattach = r0\n[tunnels]\ntunnel = x type nope\n' >$tmp/bad
	[ \$(status bad) -eq 1 ] && grep -q 'bad:4' $tmp/out"
# Where xfwd runs, the live routes (the mirrored BGP ones) count too.
xf r attach r0 r1 >/dev/null
xf r tunnel add va type vxlan local 10.0.2.1 remote 10.0.2.2 vni 5 dev r1 probe udp
xf r tunnel add vb type vxlan local 10.0.2.1 remote 10.0.2.2 vni 6 dev r1 probe udp
xf r route add 10.8.0.0/16 tunnel va
xf r route add 10.8.1.0/24 tunnel vb
check "live: running routes of two spokes that overlap are found" sh_ok "
	[ \$(status clean) -eq 3 ] && grep -q '^warning overlap .*10.8.0.0/16 .*overlaps 10.8.1.0/24' $tmp/out ||
		{ cat $tmp/out; false; }"
rm -rf "$tmp"
echo "test_check: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
