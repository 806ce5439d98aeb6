#!/usr/bin/env bash
# Filters through the CLI on a real router (docs/filters.md): a set on
# r's ingress port lets one UDP service and ICMP through and denies the
# rest (its default), IPv6 too; each rule counts what it matched; a set of
# 10,000 rules binds; sets are replaced again and again under a counter-
# stamped stream with none of it lost; a bad rule file is refused whole;
# del leaves the maps empty.
# Topology: tests/net/topo_basic.sh (kernel forwarding off on r).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap cleanup EXIT

echo "test_filter: stateless filters per port"
build_basic
tmp=$(mktemp -d)
PIN=$PIN_BASE/xfwd-$NSP-r
# the_stream N: the stream's allow rule's packet count (rule 1 of the set).
rule_pkts() { xf r -j filter show | tr '{' '\n' | grep -F "\"rule\":\"$1\"" | sed 's/.*"packets":\([0-9]*\).*/\1/'; }
udp_to() { nsx c bash -c "for i in 1 2 3; do echo x >/dev/udp/$1/$2; done"; }

cat >"$tmp/base" <<'R'
# the service s offers c, and ping; nothing else (default deny)
dst 10.9.0.1/32 proto udp dport 9999 allow
proto icmp icmp-type 8 allow
src fd00:1::/64 dst fd00:9::/64 proto icmpv6 allow
proto udp dport 5000-5999 count
R
check "filter replace: a rule file bound to r0 in, default deny" \
	xf r filter replace dev r0 in default deny rules "$tmp/base"
check "ping (ICMP echo, allowed) crosses r" nsx c ping -c 2 -i 0.1 -W 2 10.9.0.1
check "ping over IPv6 (ICMPv6, allowed) crosses r" nsx c ping -6 -c 2 -i 0.1 -W 2 fd00:9::1
xf r stats reset
udp_to 10.9.0.1 5001
check "UDP to another port: dropped by the default, counted (drop_filter 3)" \
	test "$(stat_pkts r drop_filter)" -eq 3
check "...the count rule counted it on the way, the default too" sh_ok "
	[ \"\$(rule_pkts 'proto udp dport 5000-5999 count')\" -eq 3 ] && [ \"\$(rule_pkts 'default deny')\" -eq 3 ]"
xf r stats reset
check "...stats reset zeroes the rules' counts" sh_ok "
	[ \"\$(rule_pkts 'proto udp dport 5000-5999 count')\" -eq 0 ] && [ \"\$(rule_pkts 'default deny')\" -eq 0 ]"

# 10,000 rules that do not match the stream, then its allow: the stream's
# packets pay the search, whatever the rule count.
python3 - "$tmp/big" <<'P'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        f.write("src 172.%d.%d.0/24 dst 10.9.0.0/24 proto tcp dport %d deny\n" % (16 + i // 256 % 16, i % 256, 1 + i % 1000))
    f.write("dst 10.9.0.1/32 proto udp dport 9999 allow\nproto icmp allow\n")
P
check "a set of 10,002 rules binds" xf r filter replace dev r0 in default deny rules "$tmp/big"
check "...and filter show lists them with the default" sh_ok "
	[ \$(xf r filter show | grep -c 'pkts') -eq 10003 ]"

# Hitless: the set is replaced 40 times (small and big alternating) while
# the stream crosses r; each replace flips one byte of the binding.
stream_start 6
ok=1
for i in $(seq 20); do
	xf r filter replace dev r0 in default deny rules "$tmp/base" || ok=0
	xf r filter replace dev r0 in default deny rules "$tmp/big" || ok=0
done
check "40 replaces under a stream: each one applied" test "$ok" -eq 1
check "...no datagram of the stream lost" stream_lost_none
check "...the old sets removed: the maps hold the big set alone" sh_ok "
	[ \$(bpftool map dump pinned $PIN/xfwd_filter_hits | grep -c '\"key\"') -eq 10002 ]"

printf 'proto udp dport 9999 allow\nproto tcp dport 80-70 deny\n' >"$tmp/bad"
check "a bad rule file is refused whole, naming its line" sh_ok "
	out=\$(xf r filter replace dev r0 in rules $tmp/bad 2>&1) && exit 1
	echo \"\$out\" | grep -q \"$tmp/bad:2: 'dport 80-70': a port or range LOW-HIGH\""
check "...the running set stays" sh_ok "[ \$(xf r filter show | grep -c pkts) -eq 10003 ]"

check "filter del: unbound" xf r filter del dev r0 in
check "...nothing of any set left in the maps" sh_ok "
	bpftool map dump pinned $PIN/xfwd_filter_hits | grep -q '^\[\]$' &&
	! bpftool map dump pinned $PIN/xfwd_filter_rules | grep -q '\"flags\": [1-9]'"
xf r stats reset
udp_to 10.9.0.1 5001
check "...and traffic crosses unfiltered" sh_ok "[ \$(stat_pkts r drop_filter) -eq 0 ] && [ \$(forwarded r) -ge 3 ]"
# A tunnel's sets go with it: a tunnel given its id later must not
# inherit them.
xf r tunnel add gt type gre local 10.0.2.1 remote 10.0.2.2 key 9 2>/dev/null
xf r filter replace tunnel gt in default deny rules "$tmp/base"
xf r filter replace tunnel gt out rules "$tmp/base"
check "a tunnel's in and out sets are bound" sh_ok "[ \$(xf r filter show | grep -c '^tunnel gt') -eq 2 ]"
check "...and removed with the tunnel" sh_ok "
	xf r tunnel del gt && ! xf r filter show | grep -q '^tunnel' &&
	bpftool map dump pinned $PIN/xfwd_filter_hits | grep -q '^\[\]$'"
rm -rf "$tmp"
echo "test_filter: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
