#!/usr/bin/env bash
# Forwarding benchmark (make bench): CPU ns per packet, whole pipeline on
# one CPU, gen -> router -> sink over veth, 64-byte UDP to random
# destinations inside the real table's IPv4 prefixes. Prints a markdown
# table. Every variant forwards over the same topology:
#
#   gen g0 ==== ri router ro ==== s0 sink (counts, drops)
#   tools/xfwd-gen sends with BPF_PROG_RUN live frames out of g0.
set -euo pipefail
cd "$(dirname "$0")/.."
TABLE=${XFWD_FULLTABLE:-../shared/data/fulltable-2024.txt.gz}
CPU=${XFWD_BENCH_CPU:-1}
SAMPLES=${XFWD_BENCH_SAMPLES:-5}
P=fb$$
GEN=build/tools/xfwd-gen
XF() { nsenter --net=/run/netns/$P-r "${XFWD_BIN:-build/xfwd}" --pin-root /sys/fs/bpf/xfwd-$P "$@"; }
# XFWD_BENCH_BASE=DIR: also A/B xfwd-1k, direct, over GRE and out of GRE
# (decapsulated), against DIR/xfwd (another revision's build), alternated
# twice in this run (rows base-1k, new-1k, base-gre-1k, new-gre-1k,
# base-decap-gre-1k, new-decap-gre-1k, base-ecmp-1k, new-ecmp-1k: every
# route over two next hops).
BASE=${XFWD_BENCH_BASE:-}
# XFWD_BENCH_AB_ONLY=1: only the A/B rows (and the floor), for a quick
# comparison of two builds.
AB_ONLY=${XFWD_BENCH_AB_ONLY:-}
R() { ip netns exec $P-r "$@"; }
tmp=$(mktemp -d)

cleanup() {
	XF detach 2>/dev/null || true
	for n in gen r sink; do ip netns del $P-$n 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

for n in gen r sink; do ip netns add $P-$n; ip -n $P-$n link set lo up; done
ip link add g0 netns $P-gen type veth peer name ri netns $P-r
ip link add ro netns $P-r type veth peer name s0 netns $P-sink
ip -n $P-gen link set g0 up; ip -n $P-sink link set s0 up
R ip link set ri up; R ip link set ro up
R ip addr add 10.99.0.1/24 dev ri; R ip addr add 10.98.0.1/24 dev ro
ip -n $P-sink addr add 10.98.0.2/24 dev s0
SINK_MAC=$(ip netns exec $P-sink cat /sys/class/net/s0/address)
RI_MAC=$(R cat /sys/class/net/ri/address)
R ip neigh replace 10.98.0.2 lladdr "$SINK_MAC" dev ro nud permanent
R ip neigh replace 10.98.0.3 lladdr "$SINK_MAC" dev ro nud permanent # ECMP's second member
R sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.ri.rp_filter=0
R ip addr add 2001:db8:98::1/64 dev ro nodad
R ip neigh replace 2001:db8:98::2 lladdr "$SINK_MAC" dev ro nud permanent

zcat "$TABLE" | grep -v ':' | awk '{print $1}' >"$tmp/prefixes"
NPFX=$(wc -l <"$tmp/prefixes")
zcat "$TABLE" | grep ':' | awk '{print $1}' >"$tmp/prefixes6"
NPFX6=$(wc -l <"$tmp/prefixes6")
# 1,000 of them: xfwd-1k sends only there, its lookups staying in cache.
shuf -n 1000 --random-source=<(yes) "$tmp/prefixes" >"$tmp/p1k"
echo "fwd_bench: $NPFX IPv4 prefixes, CPU $CPU, $SAMPLES samples of 1 s per variant" >&2

# measure NAME: median ns/packet over the samples; fails if nothing arrives.
# Destinations: one in each prefix, or in each of $DSTS's.
declare -A RES DELIV
measure() {
	local out ns=() d=0 s=0 line
	for _ in $(seq "$SAMPLES"); do
		line=$(ip netns exec $P-gen "$GEN" --dev g0 --dst-mac "$RI_MAC" --prefixes "${DSTS:-$tmp/prefixes}" \
			--cpu "$CPU" --seconds 1 --sink "${SINK:-$P-sink:s0}" ${GRE:+--gre $GRE} ${GWLB:+--gwlb $GWLB} \
			${GEN6:+--ipv6}) || { echo "fwd_bench: $1: nothing delivered" >&2; exit 1; }
		ns+=("$(echo "$line" | sed 's/.*ns_per_pkt=\([0-9.]*\).*/\1/')")
		s=$((s + $(echo "$line" | sed 's/.*sent=\([0-9]*\).*/\1/')))
		d=$((d + $(echo "$line" | sed 's/.*delivered=\([0-9]*\).*/\1/')))
	done
	RES[$1]=$(printf '%s\n' "${ns[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
	DELIV[$1]=$(awk -v d=$d -v s=$s 'BEGIN {printf "%.1f", 100 * d / s}')
	echo "fwd_bench: $1: ${RES[$1]} ns/packet (samples: ${ns[*]}), ${DELIV[$1]}% delivered" >&2
}

kernel_routes() { # kernel_routes VIA DEV
	awk -v via="$1" -v dev="$2" '{print "route replace " $1 " via " via " dev " dev}' "$tmp/prefixes" >"$tmp/kr"
	R ip -batch "$tmp/kr"
}

# xfwd_routes TARGET...: attach afresh, every prefix to TARGET; with
# $TARGET6, every IPv6 prefix to that too.
xfwd_routes() {
	XF detach 2>/dev/null || true
	XF attach ri ro >/dev/null
	[ $# -gt 1 ] && XF tunnel add t "${@:2}"
	awk -v t="$1" '{print "route add " $1 " " t}' "$tmp/prefixes" >"$tmp/xr"
	[ -z "${TARGET6:-}" ] || awk -v t="$TARGET6" '{print "route add " $1 " " t}' "$tmp/prefixes6" >>"$tmp/xr"
	XF -batch "$tmp/xr"
}

# IPv6 beside IPv4 (issue 24): both full tables loaded at once, the two
# families sent in turn, twice, over the same loaded table; then both
# inside GRE (IPv6 in an IPv4 underlay). Destinations: one in each prefix.
IPV6_ROWS="ipv4-full-1 ipv6-full-1 ipv4-full-2 ipv6-full-2 ipv4+gre-1 ipv6+gre-1 ipv4+gre-2 ipv6+gre-2"
ipv6_rows() {
	TARGET6="via 2001:db8:98::2 dev ro" xfwd_routes "via 10.98.0.2 dev ro"
	for round in 1 2; do
		measure ipv4-full-$round
		GEN6=1 DSTS=$tmp/prefixes6 measure ipv6-full-$round
	done
	TARGET6="tunnel t" xfwd_routes "tunnel t" type gre key 1 local 10.98.0.1 remote 10.98.0.2
	for round in 1 2; do
		measure ipv4+gre-$round
		GEN6=1 DSTS=$tmp/prefixes6 measure ipv6+gre-$round
	done
	XF tunnel show | grep -q 'tx 0 pkts' && { echo "fwd_bench: ipv6: nothing encapsulated" >&2; exit 1; }
	for v in ipv4-full ipv6-full ipv4+gre ipv6+gre; do # the better round of each
		RES[$v]=$(printf '%s\n' "${RES[$v-1]}" "${RES[$v-2]}" | sort -n | head -1)
		DELIV[$v]=${DELIV[$v-1]}
	done
}
ipv6_verdict() {
	echo "IPv6 (issue 24, $NPFX6 IPv6 and $NPFX IPv4 routes loaded together): IPv6 / IPv4, whole pipeline (target <= 1.2x):"
	echo "direct $(r ipv6-full ipv4-full)x, in GRE $(r ipv6+gre ipv4+gre)x (the better of two rounds each)"
}
# XFWD_BENCH_IPV6_ONLY=1 (make bench BENCH=fwd6): the floor and these
# rows only, on their own (loading both full tables takes a while).
if [ -n "${XFWD_BENCH_IPV6_ONLY:-}" ]; then
	R build/bench/fwd_attach floor ri ro "$SINK_MAC"
	measure floor
	GEN6=1 DSTS=$tmp/prefixes6 measure floor6 # what IPv6 frames cost outside the forwarder
	R ip link set dev ri xdp off
	ipv6_rows
	XF detach
	r() { awk -v a="${RES[$1]}" -v b="${RES[$2]}" 'BEGIN {printf "%.2f", a / b}'; }
	echo "Run: $(date -u +%Y-%m-%d), \`XFWD_BENCH_CPU=$CPU make bench BENCH=fwd6\`${XFWD_BIN:+ (xfwd: $XFWD_BIN)}."
	echo; echo "| forwarder | ns/packet | vs floor | delivered |"; echo "|---|---:|---:|---:|"
	for v in floor floor6 $IPV6_ROWS; do echo "| $v | ${RES[$v]} | $(r "$v" floor)x | ${DELIV[$v]}% |"; done
	echo; ipv6_verdict
	awk -v f4="${RES[floor]}" -v f6="${RES[floor6]}" -v a="${RES[ipv4-full]}" -v b="${RES[ipv6-full]}" \
		'BEGIN {printf "Each above its own floor (the forwarder alone): IPv4 %.1f ns, IPv6 %.1f ns (%.2fx)\n", a - f4, b - f6, (b - f6) / (a - f4)}'
	exit 0
fi

# XFWD_BENCH_IPV4_TABLE_AB=1 (make bench BENCH=fwdc): the compact IPv4
# table against tbl24 (docs/route-table-compact.md), the full table with
# its prefixes spread over 8 next hops at random (all 8 neighbours are the
# sink's MAC), so that long runs of one next hop do not flatter the copy.
# Each table attached afresh and loaded, measured over every prefix and
# over 1,000 of them (in cache), alternated twice.
if [ -n "${XFWD_BENCH_IPV4_TABLE_AB:-}" ]; then
	NH=${XFWD_BENCH_NEXTHOPS:-8} # fewer: a smaller copy
	for h in $(seq 2 $((NH + 1))); do R ip neigh replace 10.98.0.$h lladdr "$SINK_MAC" dev ro nud permanent; done
	awk -v nh="$NH" 'BEGIN {srand(7)} {print "route add " $1 " via 10.98.0." 2 + int(rand() * nh) " dev ro"}' "$tmp/prefixes" >"$tmp/xr8"
	R build/bench/fwd_attach floor ri ro "$SINK_MAC"
	measure floor
	R ip link set dev ri xdp off
	declare -A LINES
	for round in 1 2; do
		for tb in tbl24 compact; do
			XF detach 2>/dev/null || true
			XF attach ri ro ipv4-table $tb >/dev/null
			XF -batch "$tmp/xr8"
			[ $tb = compact ] && LINES[$round]=$(XF status | sed -n 's/^IPv4 table: compact, lines \([0-9]*\) of .*(\([0-9.]*\) of.*/\1 lines, \2 MiB/p')
			measure $tb-$round
			DSTS=$tmp/p1k measure $tb-1k-$round
		done
	done
	XF detach
	r() { awk -v a="${RES[$1]}" -v b="${RES[$2]}" 'BEGIN {printf "%.2f", a / b}'; }
	echo "Run: $(date -u +%Y-%m-%d), \`XFWD_BENCH_CPU=$CPU make bench BENCH=fwdc\`${XFWD_BIN:+ (xfwd: $XFWD_BIN)}."
	echo; echo "| forwarder | ns/packet | vs floor | delivered |"; echo "|---|---:|---:|---:|"
	for v in floor tbl24-1 compact-1 tbl24-1k-1 compact-1k-1 tbl24-2 compact-2 tbl24-1k-2 compact-1k-2; do
		echo "| $v | ${RES[$v]} | $(r "$v" floor)x | ${DELIV[$v]}% |"
	done
	echo
	echo "Compact table, $NPFX prefixes over $NH next hops: ${LINES[1]} of blocks (+ 256 KiB of /16 entries)."
	echo "Full table vs floor (target <= 1.5x): tbl24 $(r tbl24-1 floor)x / $(r tbl24-2 floor)x, compact $(r compact-1 floor)x / $(r compact-2 floor)x;"
	echo "compact / tbl24: $(r compact-1 tbl24-1) / $(r compact-2 tbl24-2) at the full table, $(r compact-1k-1 tbl24-1k-1) / $(r compact-1k-2 tbl24-1k-2) in cache (1k)."
	exit 0
fi

# AWS Gateway Load Balancer (docs/gwlb.md): the generator sends GENEVE
# as GWLB does to a gwlb tunnel on ri, which sends each frame back out of
# ri (XDP_TX); the generator's own g0 counts what returns. No routes.
gwlb_row() { # gwlb_row NAME
	XF detach 2>/dev/null || true
	XF attach ri ro >/dev/null
	XF tunnel add gw type gwlb local 10.99.0.1
	GWLB=10.99.0.2,10.99.0.1 SINK=$P-gen:g0 DSTS=$tmp/p1k measure "$1"
	XF stats | awk '$1 == "fwd_gwlb" && $3 == 0 { exit 1 }' || { echo "fwd_bench: gwlb: nothing returned by xfwd" >&2; exit 1; }
	XF detach
}
# XFWD_BENCH_GWLB_ONLY=1: the floor and the gwlb row, twice, alone.
if [ -n "${XFWD_BENCH_GWLB_ONLY:-}" ]; then
	R build/bench/fwd_attach floor ri ro "$SINK_MAC"
	measure floor
	R ip link set dev ri xdp off
	gwlb_row xfwd-gwlb-1
	gwlb_row xfwd-gwlb-2
	for v in floor xfwd-gwlb-1 xfwd-gwlb-2; do echo "| $v | ${RES[$v]} | ${DELIV[$v]}% |"; done
	exit 0
fi

# 1. The floor: a static redirect, no lookup.
R build/bench/fwd_attach floor ri ro "$SINK_MAC"
measure floor
R ip link set dev ri xdp off

# 2. xfwd: direct, then each encapsulation (the far end is the sink).
xfwd_routes "via 10.98.0.2 dev ro"
[ -n "$AB_ONLY" ] || measure xfwd
DSTS=$tmp/p1k measure xfwd-1k
# Filters (docs/filters.md): an in set on ri of 10 and of 10,000 rules of
# the same four shapes (sources /16 or /24, a destination or not, one
# port or a range), none matching the generator's UDP, then the allow it
# takes; with xfwd-1k's
# destinations, so that the lookups stay in cache and the filter's cost
# shows. The issue's target: 10,000 within 2x the cost of 10.
filter_rules() { # filter_rules N FILE
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n - 1; i++) {
			a = int(i / 4) % 256; b = int(i / 1024) % 16
			if (i % 4 == 0) r = sprintf("src 172.%d.%d.0/24 proto tcp dport %d", 16 + b, a, 1 + i % 1000)
			if (i % 4 == 1) r = sprintf("src 100.%d.%d.0/24 proto tcp dport %d-%d", 64 + b, a, 1000 + i % 500, 2000 + i % 500)
			if (i % 4 == 2) r = sprintf("src 10.%d.0.0/16 proto tcp dport %d", 100 + i % 100, 1 + i % 5000)
			if (i % 4 == 3) r = sprintf("src 192.168.%d.0/24 dst 198.18.%d.0/24 proto tcp dport %d", a, b, 1 + i % 3000)
			print r " deny"
		}
		print "proto udp allow"
	}' >"$2"
}
filter_rules 10 "$tmp/f10"
filter_rules 10000 "$tmp/f10k"
for round in 1 2; do # alternated: this machine drifts within a run
	XF filter replace dev ri in default deny rules "$tmp/f10"
	DSTS=$tmp/p1k measure filter-10-1k-$round
	XF filter replace dev ri in default deny rules "$tmp/f10k"
	DSTS=$tmp/p1k measure filter-10k-1k-$round
	XF filter show | grep -q 'proto udp allow *0 pkts' && { echo "fwd_bench: the filter's allow counted nothing" >&2; exit 1; }
	XF filter del dev ri in
done
# Translation (docs/translation.md): the generator's source 198.18.0.0/24
# mapped as it enters ri (IP and UDP checksums updated), and a rule on ro
# that no destination hits (its lookup paid): xlat-1k against the same
# run without the rules (plain-1k), alternated.
for round in 1 2; do
	XF xlat add 198.18.0.0/24 to 100.127.0.0/24 dev ri
	XF xlat add 192.0.2.0/24 to 100.126.0.0/24 dev ro
	DSTS=$tmp/p1k measure xlat-1k-$round
	XF xlat show | grep -q 'dev ri *in 0 pkts' && { echo "fwd_bench: the translation counted nothing" >&2; exit 1; }
	XF xlat del 198.18.0.0/24 dev ri
	XF xlat del 192.0.2.0/24 dev ro
	DSTS=$tmp/p1k measure plain-1k-$round
done
for v in filter-10-1k filter-10k-1k xlat-1k plain-1k; do # the better round of each
	RES[$v]=$(printf '%s\n' "${RES[$v-1]}" "${RES[$v-2]}" | sort -n | head -1)
	DELIV[$v]=${DELIV[$v-1]}
done
AB=""
# Decapsulation: the generator sends inside GRE (key 1) from 10.99.0.2 to
# the router's ri, the router takes the packet out and forwards it.
decap=(type gre key 1 local 10.99.0.1 remote 10.99.0.2)
GRE_IN=10.99.0.2,10.99.0.1,1
if [ -n "$BASE" ]; then
	for round in 1 2; do
		XFWD_BIN=$BASE/xfwd xfwd_routes "via 10.98.0.2 dev ro"
		DSTS=$tmp/p1k measure base-1k-$round
		xfwd_routes "via 10.98.0.2 dev ro"
		DSTS=$tmp/p1k measure new-1k-$round
	done
	gre=(type gre key 1 local 10.98.0.1 remote 10.98.0.2)
	for round in 1 2; do
		XFWD_BIN=$BASE/xfwd xfwd_routes "tunnel t" "${gre[@]}"
		DSTS=$tmp/p1k measure base-gre-1k-$round
		xfwd_routes "tunnel t" "${gre[@]}"
		DSTS=$tmp/p1k measure new-gre-1k-$round
	done
	for round in 1 2; do
		XFWD_BIN=$BASE/xfwd xfwd_routes "via 10.98.0.2 dev ro" "${decap[@]}"
		GRE=$GRE_IN DSTS=$tmp/p1k measure base-decap-gre-1k-$round
		xfwd_routes "via 10.98.0.2 dev ro" "${decap[@]}"
		GRE=$GRE_IN DSTS=$tmp/p1k measure new-decap-gre-1k-$round
	done
	# ECMP: every route over two next hops (both the sink's MAC), so
	# each packet hashes its flow and picks a member.
	for round in 1 2; do
		XFWD_BIN=$BASE/xfwd xfwd_routes "via 10.98.0.2 dev ro via 10.98.0.3 dev ro"
		DSTS=$tmp/p1k measure base-ecmp-1k-$round
		xfwd_routes "via 10.98.0.2 dev ro via 10.98.0.3 dev ro"
		DSTS=$tmp/p1k measure new-ecmp-1k-$round
	done
	XFWD_BIN=$BASE/xfwd XF detach
	AB="base-1k-1 new-1k-1 base-1k-2 new-1k-2 base-gre-1k-1 new-gre-1k-1 base-gre-1k-2 new-gre-1k-2
		base-decap-gre-1k-1 new-decap-gre-1k-1 base-decap-gre-1k-2 new-decap-gre-1k-2
		base-ecmp-1k-1 new-ecmp-1k-1 base-ecmp-1k-2 new-ecmp-1k-2"
fi
if [ -n "$AB_ONLY" ]; then
	XF detach
	for v in xfwd-1k filter-10-1k-1 filter-10k-1k-1 filter-10-1k-2 filter-10k-1k-2 xlat-1k-1 plain-1k-1 xlat-1k-2 plain-1k-2 $AB; do echo "| $v | ${RES[$v]} |"; done
	exit 0
fi
for t in "gre key 1" ipip "vxlan vni 100 peer-mac $SINK_MAC" "geneve vni 100 peer-mac $SINK_MAC"; do
	xfwd_routes "tunnel t" type $t local 10.98.0.1 remote 10.98.0.2
	measure "xfwd+${t%% *}"
	XF tunnel show | grep -q 'tx 0 pkts' && { echo "fwd_bench: ${t%% *}: nothing encapsulated" >&2; exit 1; }
done
xfwd_routes "via 10.98.0.2 dev ro" "${decap[@]}"
GRE=$GRE_IN measure xfwd-decap-gre
XF tunnel show | grep -q 'rx 0 pkts' && { echo "fwd_bench: decap: nothing decapsulated" >&2; exit 1; }
XF detach
gwlb_row xfwd-gwlb

# 3. bpf_fib_lookup forwarder on the kernel FIB.
kernel_routes 10.98.0.2 ro
R build/bench/fwd_attach fib ri ro
measure fib
R ip link set dev ri xdp off

# 4. The kernel: forwarding into its own vxlan device.
R ip link set dev ri xdpdrv obj build/tests/xdp_pass.bpf.o sec xdp # veth needs it to take XDP_TX frames
R ip link add vx0 type vxlan id 100 local 10.98.0.1 remote 10.98.0.2 dstport 4789 dev ro
R ip link set vx0 up
R ip addr add 172.16.0.1/30 dev vx0
R ip neigh replace 172.16.0.2 lladdr 02:00:00:00:00:99 dev vx0 nud permanent
kernel_routes 172.16.0.2 vx0
measure kernel+vxlan
R ip link set dev ri xdp off

# 5. The floor again: how much the machine drifted during the run.
R build/bench/fwd_attach floor ri ro "$SINK_MAC"
measure floor2

r() { awk -v a="${RES[$1]}" -v b="${RES[$2]}" 'BEGIN {printf "%.2f", a / b}'; }
above() { awk -v a="${RES[$1]}" -v f="${RES[floor]}" 'BEGIN {printf "%.0f", a - f}'; }
# ratio of what two forwarders add above the floor
rabove() { awk -v a="$(above "$1")" -v b="$(above "$2")" 'BEGIN {printf "%.2f", a / b}'; }
ENCAPS="xfwd+gre xfwd+ipip xfwd+vxlan xfwd+geneve"
worst=$(for v in $ENCAPS; do echo "${RES[$v]} $v"; done | sort -n | tail -1 | cut -d' ' -f2)
echo "Run: $(date -u +%Y-%m-%d), $NPFX routes, \`XFWD_BENCH_CPU=$CPU make bench\`."
echo
echo "| forwarder | ns/packet | above floor | vs floor | delivered |"
echo "|---|---:|---:|---:|---:|"
for v in floor xfwd xfwd-1k filter-10-1k-1 filter-10k-1k-1 filter-10-1k-2 filter-10k-1k-2 xlat-1k-1 plain-1k-1 xlat-1k-2 plain-1k-2 $AB $ENCAPS \
	xfwd-decap-gre xfwd-gwlb fib kernel+vxlan floor2; do
	echo "| $v | ${RES[$v]} | $(above "$v") | $(r "$v" floor)x | ${DELIV[$v]}% |"
done
echo
echo "Targets (issue 3), whole pipeline / above floor:"
echo "- xfwd + encap <= 1/5 of kernel+vxlan: worst encap ($worst) $(r "$worst" kernel+vxlan) / $(rabove "$worst" kernel+vxlan)"
echo "- xfwd direct <= 1/3 of fib: $(r xfwd fib) / $(rabove xfwd fib)"
echo "- xfwd direct <= 1.3x the floor: $(r xfwd floor)x (xfwd-1k, the same table with its lookups in cache: $(r xfwd-1k floor)x)"
echo
echo "Target (issue 22): 10,000 filter rules within 2x the cost of 10: $(r filter-10k-1k filter-10-1k)x whole pipeline;"
echo "the filter's own cost (above xfwd-1k): $(awk -v a="${RES[filter-10k-1k]}" -v b="${RES[filter-10-1k]}" -v x="${RES[xfwd-1k]}" 'BEGIN {printf "%.0f ns with 10,000 rules, %.0f ns with 10", a - x, b - x}')"
echo "Translation (issue 22): a source rule applied and an out rule looked up cost $(awk -v a="${RES[xlat-1k]}" -v b="${RES[plain-1k]}" 'BEGIN {printf "%.0f", a - b}') ns a packet (xlat-1k $(r xlat-1k plain-1k)x plain-1k)"
