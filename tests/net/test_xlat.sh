#!/usr/bin/env bash
# Prefix translation through the CLI on a real router (docs/translation.md):
# c's subnet 10.0.1.0/24 is seen beyond r as 198.18.1.0/24, and c's IPv6
# fd00:1::/64 as 2001:db8:1::/64 (NPTv6). s knows only the mapped
# prefixes, so every answer that reaches c crossed both translations in
# XDP (kernel forwarding is off on r): ping, a TCP connection (the kernel
# verifies each checksum XDP updated), UDP; route get names the rule;
# counters move; an overlapping rule is refused; del restores the
# untranslated path. Topology: tests/net/topo_basic.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap cleanup EXIT

echo "test_xlat: 1:1 prefix translation on a port"
build_basic
PIN=$PIN_BASE/xfwd-$NSP-r
# s routes only the mapped prefixes back, and nothing to c's real ones.
nsx s ip route add 198.18.1.0/24 via 10.0.2.1
nsx s ip -6 route add 2001:db8:1::/64 via fd00:2::1
nsx s ip route add unreachable 10.0.1.0/24
nsx s ip -6 route add unreachable fd00:1::/64
xf r route add 198.18.1.0/24 via 10.0.1.2 dev r0
xf r route add 2001:db8:1::/64 via fd00:1::2 dev r0

check "without a translation c cannot reach s (s does not route c's real subnet)" \
	sh_ok "! nsx c ping -c 1 -W 1 10.9.0.1"
check "xlat add: IPv4 10.0.1.0/24 to 198.18.1.0/24 on r0" \
	xf r xlat add 10.0.1.0/24 to 198.18.1.0/24 dev r0
check "xlat add: IPv6 fd00:1::/64 to 2001:db8:1::/64 on r0 (NPTv6)" \
	xf r xlat add fd00:1::/64 to 2001:db8:1::/64 dev r0
check "ping c -> s crosses both translations" nsx c ping -c 3 -i 0.1 -W 2 10.9.0.1
check "ping over IPv6 (NPTv6 both ways)" nsx c ping -6 -c 3 -i 0.1 -W 2 fd00:9::1
# TCP: the kernel on each end checks the checksums XDP updated.
nsx s python3 -c '
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 7070)); s.listen(4)
for _ in range(2):
    c, a = s.accept(); c.sendall((a[0] + "\n").encode()); c.close()' &
SRV=$!
sleep 0.3
peer_of() { nsx c python3 -c "
import socket, sys
c = socket.create_connection((sys.argv[1], 7070), timeout=3); print(c.recv(100).decode().strip())" "$1"; }
check "TCP c -> s: s sees c as 198.18.1.2 (its checksums verified by both kernels)" \
	sh_ok "[ \"\$(peer_of 10.9.0.1)\" = '::ffff:198.18.1.2' ]"
check "TCP over IPv6: s sees c as 2001:db8:1:<NPT word>::2, not fd00:1::2" \
	sh_ok "p=\$(peer_of fd00:9::1); echo \"\$p\"; case \$p in 2001:db8:1:*::2) true ;; *) false ;; esac"
wait "$SRV" 2>/dev/null
check "route get names the translation of a mapped destination" \
	sh_ok "xf r route get 198.18.1.2 | grep -q 'xlat dst 10.0.1.2 (rule 10.0.1.0/24 to 198.18.1.0/24 dev r0)'"
check "xlat show counts both directions of both rules" sh_ok "
	xf r -j xlat show | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 2 and all(r[\"in_packets\"] >= 3 and r[\"out_packets\"] >= 3 for r in v), v'"
xf r stats reset
check "...stats reset zeroes them" sh_ok "
	xf r -j xlat show | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 2 and all(r[\"in_packets\"] == 0 and r[\"out_packets\"] == 0 for r in v), v'"
check "an overlapping rule on the same port is refused, naming the rule it overlaps" sh_ok "
	out=\$(xf r xlat add 10.0.1.128/25 to 198.19.0.0/25 dev r0 2>&1) && exit 1
	echo \"\$out\" | grep -q 'overlaps the target.s rule 10.0.1.0/24 to 198.18.1.0/24'"
check "a rule whose prefixes differ in length is refused" sh_ok "
	out=\$(xf r xlat add 10.0.7.0/24 to 198.18.7.0/25 dev r0 2>&1) && exit 1
	echo \"\$out\" | grep -q 'maps prefixes of the same length'"
check "xlat del: the IPv4 rule removed" xf r xlat del 10.0.1.0/24 dev r0
check "...c cannot reach s again, and one rule is left" sh_ok "
	! nsx c ping -c 1 -W 1 10.9.0.1 && [ \$(xf r xlat show | wc -l) -eq 1 ]"
xf r xlat del fd00:1::/64 dev r0
check "...all gone: the trie is empty, no binding counts a rule" sh_ok "
	bpftool map dump pinned $PIN/xfwd_xlat | grep -q '^\[\]$' &&
	! bpftool map dump pinned $PIN/xfwd_xlat_binds | grep -q '\"rules\": [1-9]'"
echo "test_xlat: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
