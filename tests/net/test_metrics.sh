#!/usr/bin/env bash
# Metrics (docs/metrics.md): the daemon writes Prometheus text for
# node_exporter's textfile collector; promtool checks it; a real
# node_exporter, started here on r's loopback, serves it; the figures
# match xfwd's own (stats, tunnel show, status). `xfwd metrics` prints
# the same from the maps, `xfwd stats -i` live rates.
# Topology: tests/net/topo_basic.sh, plus a VXLAN tunnel t1 from r to a
# kernel VXLAN device on s (169.254.5.2, answering t1's ICMP probes),
# carrying 10.77.0.0/16.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
for b in promtool prometheus-node-exporter; do
	command -v $b >/dev/null || { echo "FAIL: $b is missing (run tools/install-deps.sh)" >&2; exit 1; }
done
tmp=$(mktemp -d)
NEPID=
trap 'stop_daemon; [ -z "$NEPID" ] || kill $NEPID 2>/dev/null; cleanup; rm -rf "$tmp"' EXIT

echo "test_metrics: the metrics file, promtool, node_exporter, stats -i"
basic_hosts
nsx s ip link add t1 type vxlan id 5 local 10.0.2.2 remote 10.0.2.1 dstport 4789
nsx s ip addr add 169.254.5.2/30 dev t1
nsx s ip link set t1 up
nsx s ip addr add 10.77.0.1/32 dev lo
dir=$tmp/textfile conf=$tmp/xfwd.conf log=$tmp/log
mkdir "$dir"
write_conf() { # write_conf [EXTRA [xfwd] LINE]
	cat >"$conf" <<EOF2
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-r
attach = r0 r1 r2
metrics-file = $dir/xfwd.prom
metrics-interval = 1
${1:-}
[tunnels]
tunnel = t1 type vxlan local 10.0.2.1 remote 10.0.2.2 vni 5 inner 169.254.5.1/30 probe icmp 169.254.5.2 from 169.254.5.1 probe-interval 100
[routes]
route = 10.0.1.0/24 via 10.0.1.2 dev r0
route = 10.9.0.0/24 via 10.0.2.2 dev r1
route = 10.77.0.0/16 tunnel t1
EOF2
}
write_conf
nsenter --net=/run/netns/$NSP-r "$AS_UNIT" "$XFWD" run -c "$conf" 2>"$log" &
DPID=$!
check "the daemon runs with the unit's capabilities and a metrics file" \
	wait_for sh_ok "grep -q 'xfwd: running' '$log' || { cat '$log'; false; }"
check "...writes it within its interval (1 s)" wait_for -t 5 test -s "$dir/xfwd.prom"
check "...t1 is up by its probes" sh_ok "wait_for -t 10 sh_ok \"xf r health | grep -q 't1: up'\" || { xf r health; xf r tunnel show; false; }"

xf r stats reset
sleep 1.2
cp "$dir/xfwd.prom" "$tmp/file0" # t1's count before the pings (its probes count too)
check "c reaches s directly and through t1 (5 pings each)" sh_ok "
	nsx c ping -c 5 -i 0.05 -W 1 10.9.0.1 >/dev/null && nsx c ping -c 5 -i 0.05 -W 1 10.77.0.1 >/dev/null"

# metric FILE NAME LABEL...: the value of NAME's sample with every
# label="value" given (in any order, as node_exporter reorders them).
metric() {
	python3 - "$@" <<'EOF2'
import re, sys
path, name, want = sys.argv[1], sys.argv[2], set(sys.argv[3:])
for line in open(path):
    m = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line.strip())
    if m and m.group(1) == name and want <= set(re.findall(r'\w+="[^"]*"', m.group(2) or '')):
        print(m.group(3)); sys.exit(0)
sys.exit(1)
EOF2
}
# Let one more file be written after the pings: its figures are settled.
sleep 2.2
cp "$dir/xfwd.prom" "$tmp/file"
stats_pkts() { xf r -j stats | python3 -c "import json, sys; print(json.load(sys.stdin)['reasons']['$1']['packets'])"; }
check "promtool check metrics passes on the daemon's file" \
	sh_ok "promtool check metrics <'$tmp/file' || { head -40 '$tmp/file'; false; }"
check "...and on 'xfwd metrics'" sh_ok "xf r metrics >'$tmp/cli' && promtool check metrics <'$tmp/cli'"
check "packets per reason: fwd_redirect as xfwd stats counts it (10: c's pings and s's replies)" sh_ok "
	v=\$(metric '$tmp/file' xfwd_packets_total 'reason=\"fwd_redirect\"' 'action=\"redirect\"') &&
	[ \"\$v\" = \"\$(stats_pkts fwd_redirect)\" ] && [ \"\$v\" -ge 10 ] || { echo \"file \$v, stats \$(stats_pkts fwd_redirect)\"; false; }"
check "per tunnel out: t1's 5 encapsulated pings (and its probes), no more than tunnel show counts later" sh_ok "
	v0=\$(metric '$tmp/file0' xfwd_tunnel_packets_total 'tunnel=\"t1\"' 'direction=\"out\"') &&
	v=\$(metric '$tmp/file' xfwd_tunnel_packets_total 'tunnel=\"t1\"' 'direction=\"out\"') &&
	[ \$((v - v0)) -ge 5 ] && [ \"\$v\" -le \$(tun_pkts r tx t1) ] || { echo \"file \$v0 then \$v\"; xf r tunnel show; false; }"
check "probe state, RTT and loss: t1 up, its RTT above 0, loss 0" sh_ok "
	[ \$(metric '$tmp/file' xfwd_tunnel_state 'tunnel=\"t1\"' 'state=\"up\"') = 1 ] &&
	[ \$(metric '$tmp/file' xfwd_tunnel_state 'tunnel=\"t1\"' 'state=\"down\"') = 0 ] &&
	awk -v r=\$(metric '$tmp/file' xfwd_tunnel_rtt_seconds 'tunnel=\"t1\"') 'BEGIN { exit !(r > 0 && r < 1) }' &&
	[ \$(metric '$tmp/file' xfwd_tunnel_probe_loss_ratio 'tunnel=\"t1\"') = 0.000 ]"
check "routes, next hops and groups against their limits, as status has them" sh_ok "
	xf r -j status >'$tmp/status' &&
	r4=\$(python3 -c \"import json; print(json.load(open('$tmp/status'))['routes4'])\") &&
	[ \$(metric '$tmp/file' xfwd_routes 'family=\"ipv4\"') = \"\$r4\" ] &&
	[ \$(metric '$tmp/file' xfwd_routes_limit 'family=\"ipv4\"') -gt 0 ] &&
	[ \$(metric '$tmp/file' xfwd_nexthops) -ge 3 ] && [ \$(metric '$tmp/file' xfwd_nexthops_limit) -gt 3 ]"
check "the daemon's own: no resync or failed write, the last commit after its start" sh_ok "
	[ \$(metric '$tmp/file' xfwd_mirror_resyncs_total) = 0 ] && [ \$(metric '$tmp/file' xfwd_map_write_failures_total) = 0 ] &&
	awk -v c=\$(metric '$tmp/file' xfwd_last_commit_timestamp_seconds) -v s=\$(metric '$tmp/file' xfwd_start_timestamp_seconds) \
		'BEGIN { exit !(c >= s - 5 && s > 1e9) }'"

# A reload, then one refused: counted apart.
write_conf "mode = native"
kill -HUP $DPID
wait_for grep -q "reloaded" "$log" || true
printf '[xfwd]\nattach = r0\nbogus = 1\n' >"$conf"
kill -HUP $DPID
wait_for grep -q "reload refused" "$log" || true
write_conf
check "reloads counted: applied 1, refused 1" wait_for -t 5 sh_ok "
	[ \$(metric '$dir/xfwd.prom' xfwd_reloads_total 'result=\"applied\"') = 1 ] &&
	[ \$(metric '$dir/xfwd.prom' xfwd_reloads_total 'result=\"refused\"') = 1 ]"

# A real node_exporter on r's loopback serves the file. (ip netns exec
# itself, not the nsx function: $! is then node_exporter, which the exit
# trap kills; a function in the background is a subshell, and killing
# it left node_exporter running.)
ip netns exec $NSP-r prometheus-node-exporter --web.listen-address=127.0.0.1:9101 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$dir" >"$tmp/ne.log" 2>&1 &
NEPID=$!
scrape() { nsx r python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9101/metrics', timeout=2).read().decode())"; }
check "node_exporter scrapes the file: xfwd's samples are in its /metrics, with no scrape error" wait_for -t 10 sh_ok "
	scrape >'$tmp/scrape' && grep -q '^xfwd_packets_total{' '$tmp/scrape' &&
	grep -q '^node_textfile_scrape_error 0' '$tmp/scrape' || { tail -3 '$tmp/ne.log'; false; }"
check "...the same figure the file has" sh_ok "
	[ \$(metric '$tmp/scrape' xfwd_tunnel_state 'tunnel=\"t1\"' 'state=\"up\"') = 1 ] &&
	[ \$(metric '$tmp/scrape' xfwd_packets_total 'reason=\"fwd_redirect\"') = \$(metric '$dir/xfwd.prom' xfwd_packets_total 'reason=\"fwd_redirect\"') ]"

# Live rates: a stream at $PPS/s crosses r while stats -i samples it.
stream_start 4
sleep 1
xf r stats -i 1 -n 2 >"$tmp/rates"
xf r -j stats -i 1 -n 1 >"$tmp/rates.json"
stream_lost_none >/dev/null || true
# Near: within 3x of the nominal rate (the emulated guest's sender is
# slower still: SLOW more).
check "stats -i 1 -n 2: two samples, each with fwd_redirect near the stream's $PPS/s" sh_ok "
	[ \$(grep -c '^fwd_redirect ' '$tmp/rates') -eq 2 ] &&
	awk -v p=$PPS -v s=$SLOW '\$1 == \"fwd_redirect\" { r = \$3; m = 1; if (r ~ /k\$/) { m = 1000; sub(/k\$/, \"\", r) }
		if (r * m < p / 3 / s || r * m > p * 3) bad = 1 } END { exit bad }' '$tmp/rates' || { cat '$tmp/rates'; false; }"
check "...and -j gives them as JSON, with t1's rates" sh_ok "
	python3 -c \"import json; d = json.load(open('$tmp/rates.json')); assert d['reasons']['fwd_redirect']['pps'] > $PPS / 3 / $SLOW and 't1' in d['tunnels']\" ||
	{ cat '$tmp/rates.json'; false; }"

# Refusals: a file not ending in .prom, a directory that is not there.
check "metrics-file not ending in .prom: refused, naming the collector's rule" sh_ok "
	printf '[xfwd]\nattach = r0\nmetrics-file = $dir/xfwd.txt\n' >'$tmp/bad.conf'
	! nsenter --net=/run/netns/$NSP-r $XFWD run -c '$tmp/bad.conf' 2>'$tmp/err' && grep -q 'ending in .prom' '$tmp/err'"
write_conf
sed -i "s|^metrics-file = .*|metrics-file = $tmp/nodir/xfwd.prom|" "$conf"
kill -HUP $DPID
check "a reload naming a directory that is not there: refused whole, naming the fix" wait_for sh_ok "
	grep -q 'no directory $tmp/nodir (install prometheus-node-exporter' '$log'"
check "...the file is still written where it was" sh_ok "
	a=\$(stat -c %Y '$dir/xfwd.prom'); sleep 2.2; [ \$(stat -c %Y '$dir/xfwd.prom') -gt \$a ]"
stop_daemon
echo "test_metrics: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
