#!/usr/bin/env bash
# Tunnel health (make bench BENCH=health; docs/health.md). Prints the
# BENCHMARKS.md section.
# - Failover: on tests/net/topo_health.sh's pair of appliances (two GRE
#   tunnels, ECMP, probes every 10 ms, down after 3), a UDP stream of one
#   datagram per ms; the tunnel carrying it is cut silently (tc drops its
#   packets both ways) and the longest gap between arrivals is the time
#   from the loss to traffic on the survivor. REPS cuts with only the
#   stream's route, then REPS with 1M more prefixes over the same tunnels.
# - Probe cost: a probes 10 more tunnels every 10 ms (1000 probes/s) and
#   every 100 ms (100/s), b's XDP answers; CPU time of a's daemon
#   (schedstat) and of both XDP programs (kernel.bpf_stats_enabled), over
#   SECONDS, against the same daemons probing nothing; with
#   XFWD_BENCH_BASE=DIR (another build) its daemons too, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export XFWD_FULLTABLE=${XFWD_FULLTABLE:-../shared/data/fulltable-2024.txt.gz}
REPS=${XFWD_BENCH_REPS:-10}
SECONDS_COST=${XFWD_BENCH_SECONDS:-10}
ROUTES=${XFWD_BENCH_ROUTES:-1000000}
export NSP=hb$$
. bench/lib.sh
. tests/net/lib.sh
require_root
tmp=$(mktemp -d)
. tests/net/topo_health.sh
STATS=$(sysctl -n kernel.bpf_stats_enabled)
trap 'pair_stop; cleanup; rm -rf "$tmp"; sysctl -qw kernel.bpf_stats_enabled=$STATS' EXIT
pair_build

both_up() { # both daemons judge every tunnel up
	for n in a b; do xf $n health | grep -v ': up ' | grep -q . && return 1; done
	return 0
}
started() {
	grep -q 'xfwd: running' "$tmp/a.log" && grep -q 'xfwd: running' "$tmp/b.log" ||
		{ cat "$tmp/a.log" "$tmp/b.log" >&2; echo "health_bench: a daemon did not start" >&2; exit 1; }
}
all_up() { wait_for -t 30 both_up || { xf a health >&2; echo "health_bench: tunnels not up" >&2; exit 1; }; }

# failover: REPS silent cuts of the tunnel carrying the stream; prints
# "median max lost" of the longest gaps (ms) and the datagrams lost.
failover() {
	local gaps=() lost=0 T P
	for _ in $(seq "$REPS"); do
		stream_start 2
		sleep 0.5
		T=$(carrier); P=$(port_of "$T")
		cut "$P" on; sleep 0.8; cut "$P" off
		stream_end
		gaps+=("$GAP"); lost=$((lost + SENT - GOT))
		wait_for -t 10 health_is a "$T" up || { echo "health_bench: $T did not come back" >&2; exit 1; }
		echo "health_bench: cut of $T: gap $GAP ms, $((SENT - GOT)) of $SENT lost" >&2
	done
	printf '%s\n' "${gaps[@]}" | sort -n | awk -v l="$lost" '{ g[NR] = $1 } END {
		print g[int((NR + 1) / 2)], g[NR], l }'
}

# XFWD_BENCH_PART=cost: the probe cost alone (its table, for trying a
# change; the section is written by a whole run).
F1_MED=- F1_MAX=- F1_LOST=- F2_MED=- F2_MAX=- F2_LOST=- NMANY=-
if [ "${XFWD_BENCH_PART:-all}" != cost ]; then
	pair_start
	started; all_up
	failover >"$tmp/f1"; read -r F1_MED F1_MAX F1_LOST <"$tmp/f1"

	# The same with ROUTES more prefixes over both tunnels (none covers the
	# stream's 10.20.0.0/16 or the underlay).
	table_prefixes "$tmp/prefixes" "$ROUTES"
	{ echo '[routes]'; grep -v '^10\.\|^192\.0\.' "$tmp/prefixes" | sed 's/.*/route = & tunnel t1 tunnel t2/'; } >"$tmp/many"
	NMANY=$(($(wc -l <"$tmp/many") - 1))
	pair_stop
	t=$(date +%s.%N)
	pair_start "$tmp/many"
	wait_for -t 120 grep -q 'xfwd: running' "$tmp/a.log" || true
	started; all_up
	echo "health_bench: a started with $NMANY more routes in $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" >&2
	failover >"$tmp/f2"; read -r F2_MED F2_MAX F2_LOST <"$tmp/f2"
	pair_stop
fi

# Probe cost. Tunnels p1..pN from a to b (one underlay address pair each,
# 10.98.0.I on a, 10.98.0.100+I on b, up to 100), with routes so a probes
# them; b has them without probes.
MANY=100
for i in $(seq $MANY); do
	nsx a ip addr add 10.98.0.$i/24 dev a-u1
	nsx b ip addr add 10.98.0.$((100 + i))/24 dev b-v1
	nsx a ip neigh replace 10.98.0.$((100 + i)) lladdr "$(nsx b cat /sys/class/net/b-v1/address)" dev a-u1 nud permanent
	nsx b ip neigh replace 10.98.0.$i lladdr "$(nsx a cat /sys/class/net/a-u1/address)" dev b-v1 nud permanent
done
probed() { # probed A|B INTERVAL-MS|none N
	echo '[tunnels]'
	for i in $(seq "$3"); do
		local l=$i r=$((100 + i)) p=''
		[ "$1" = B ] && { l=$((100 + i)); r=$i; }
		[ "$1" = A ] && [ "$2" != none ] && p="probe udp probe-interval $2 probe-multiplier 3 hold-down 500"
		echo "tunnel = p$i type gre local 10.98.0.$l remote 10.98.0.$r key $((100 + i)) $p"
	done
	if [ "$1" = A ]; then
		echo '[routes]'
		for i in $(seq "$3"); do echo "route = 10.30.$i.0/24 tunnel p$i"; done
	fi
}
sched_ns() { awk '{ s += $1 } END { print s }' /proc/"$1"/task/*/schedstat; }
# The test bed's receive work (veth, bridge, b's answer, a's XDP taking
# the reply) runs in NAPI threads, as a NIC's does in its interrupt, not
# inside the call that sent the probes: threaded NAPI on every veth the
# probes cross. testbed_ns: those threads' CPU.
TESTBED="m:m1 m:v1 m:m2 m:v2 a:a-u1 b:b-v1"
threaded() {
	local d
	for d in $TESTBED; do
		nsx "${d%%:*}" ethtool -K "${d#*:}" gro on >/dev/null
		nsx "${d%%:*}" sh -c "echo 1 >/sys/class/net/${d#*:}/threaded" ||
			{ echo "health_bench: cannot make $d's NAPI threaded" >&2; exit 1; }
	done
}
testbed_ns() {
	local d p s=0
	for d in $TESTBED; do
		for p in $(pgrep "^napi/${d#*:}-"); do s=$((s + $(awk '{ print $1 }' /proc/"$p"/schedstat))); done
	done
	echo $s
}
wakes() { awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/"$1"/task/"$1"/status; }
xdp_prog() { nsx "$1" ip -j -d link show "$2" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])'; }
prog_stat() { bpftool prog show id "$1" -j | python3 -c 'import json, sys; p = json.load(sys.stdin); print(p.get("run_time_ns", 0), p.get("run_cnt", 0))'; }
# cost INTERVAL|none [N]: N tunnels (10); prints "daemon-ns/s
# answer-ns/probe reply-ns/probe probes/s testbed-ns/s wakeups/s"
cost() {
	local d0 d1 b0 b1 a0 a1 s0 s1 pa pb t0 t1 w0 w1 nt=${2:-10}
	probed A "$1" "$nt" >"$tmp/pa"; probed B "$1" "$nt" >"$tmp/pb"
	PROBE='' pair_start "$tmp/pa" "$tmp/pb"
	started
	threaded
	[ "$1" = none ] || wait_for -t 30 sh_ok "[ \$(xf a health | grep -c ': up ') -eq $nt ]" ||
		{ xf a health >&2; echo "health_bench: probed tunnels not up" >&2; exit 1; }
	pb=$(xdp_prog b b-v1); pa=$(xdp_prog a a-u1)
	sleep 1
	read -r b0 _ < <(prog_stat "$pb"); read -r a0 _ < <(prog_stat "$pa")
	s0=$(xf a -j stats | tr ',{}' '\n\n\n' | awk -F: '/probes_sent/ { s += $2 } END { print s + 0 }')
	d0=$(sched_ns "$DA"); t0=$(testbed_ns); w0=$(wakes "$DA")
	sleep "$SECONDS_COST"
	d1=$(sched_ns "$DA"); t1=$(testbed_ns); w1=$(wakes "$DA")
	read -r b1 _ < <(prog_stat "$pb"); read -r a1 _ < <(prog_stat "$pa")
	s1=$(xf a -j stats | tr ',{}' '\n\n\n' | awk -F: '/probes_sent/ { s += $2 } END { print s + 0 }')
	pair_stop
	# The next daemon may be another build (ABI): it starts from nothing.
	for n in a b; do xf $n detach >/dev/null; done
	awk -v d=$((d1 - d0)) -v b=$((b1 - b0)) -v a=$((a1 - a0)) -v n=$((s1 - s0)) -v t="$SECONDS_COST" \
	    -v x=$((t1 - t0)) -v w=$((w1 - w0)) 'BEGIN {
		printf "%.0f %.0f %.0f %.0f %.0f %.1f\n", d / t, n ? b / n : 0, n ? a / n : 0, n / t, x / t, w / t }'
}
sysctl -qw kernel.bpf_stats_enabled=1
# XFWD_BENCH_BASE=DIR (another build directory): the same figures for
# that build's daemons, alternated with this one's in the same run;
# COST_REPS rounds, each figure the median of its rounds.
NEW=$XFWD BASE=${XFWD_BENCH_BASE:+$XFWD_BENCH_BASE/xfwd}
XFWD_BENCH_BASE_NAME=${XFWD_BENCH_BASE_NAME:-the base build}
COST_REPS=${XFWD_BENCH_COST_REPS:-3}
for r in $(seq "$COST_REPS"); do
	for v in new ${BASE:+base}; do
		export XFWD=$NEW; [ $v = base ] && XFWD=$BASE
		cost none >"$tmp/$v.none.$r"; cost 10 >"$tmp/$v.10.$r"; cost 100 >"$tmp/$v.100.$r"
		# 1,000 probes a second as a hub with many peers has them.
		cost none $MANY >"$tmp/$v.none$MANY.$r"; cost 100 $MANY >"$tmp/$v.many.$r"
	done
	build/bench/wake_cost 10 300 >"$tmp/wake.$r"
	# The least a sender in user space pays to put ten frames on a device
	# (one sendmmsg, nothing encapsulated or read back; the far end's
	# work in its NAPI thread, as the test bed's).
	nsx a ip link add wk0 type veth peer name wk1 2>/dev/null || true
	nsx a ip link set wk0 up; nsx a ip link set wk1 up
	nsx a ethtool -K wk1 gro on >/dev/null; nsx a sh -c 'echo 1 >/sys/class/net/wk1/threaded'
	nsx a build/bench/wake_cost 10 300 wk0 10 >"$tmp/send.$r"
done
export XFWD=$NEW
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
WAKE_NS=$(cat "$tmp"/wake.* | median)
SEND_NS=$(for r in $(seq "$COST_REPS"); do echo $(($(cat "$tmp/send.$r") - $(cat "$tmp/wake.$r"))); done | median)
# row LABEL BUILD RUN [IDLE]: a table row of the probe cost, each figure
# the median over the rounds of (probing - idle).
row() {
	local r
	for r in $(seq "$COST_REPS"); do
		paste -d' ' "$tmp/$2.${4:-none}.$r" "$tmp/$2.$3.$r"
	done | awk -v wake="$WAKE_NS" -v label="$1" '
	function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((n + 1) / 2)] }
	{ n++; p = $10; d[n] = ($7 - $1) / 1e6; pp[n] = ($7 - $1) / p / 1e3; w[n] = ($12 - $6) * wake / p / 1e3
	  t[n] = ($11 - $5) / p / 1e3; b[n] = $8; a[n] = $9; q[n] = p }
	END { printf "| %s | %.0f | %.2f ms/s | %.1f us | %.1f us | %.1f us | %.0f ns | %.0f ns |\n", label, med(q, n),
		med(d, n), med(pp, n), med(w, n), med(t, n), med(b, n), med(a, n) }'
}

MANY_ROW=$(row "$MANY tunnels every 100 ms" new many none$MANY)
# Its "per probe" column against the issue's 5 us.
MANY_MET=$(echo "$MANY_ROW" | awk -F'|' '{ print ($5 + 0 <= 5) ? "is met" : "is not met" }')

cat <<EOF2
## Tunnel health: failover and probe cost

\`bench/health_run.sh\` (docs/health.md). Failover: two xfwd appliances
joined by two GRE tunnels (ECMP over both, each daemon probing every
10 ms, down after 3 unanswered), a UDP stream of one datagram per ms
through them; the path carrying it is cut silently (tc drops its packets
both ways, links stay up) and the longest gap between two arrivals is
the time from the loss to traffic on the survivor (1 ms resolution).
$REPS cuts with the stream's route alone, $REPS with $NMANY more
prefixes over the same two tunnels. Probe cost: a probes 10 more
tunnels, b's XDP answers; CPU time of a's daemon (all threads,
/proc/PID/task/*/schedstat) above the same daemon probing nothing, and
the XDP programs' own time per probe (kernel.bpf_stats_enabled), over
$SECONDS_COST s.

Run: $(date -u +%Y-%m-%d), \`make bench BENCH=health\`.

| failover, 10 ms x 3 probes, silent cut | median gap | worst gap | datagrams lost in $REPS cuts |
|---|---:|---:|---:|
| only the stream's route over the tunnels | $F1_MED ms | $F1_MAX ms | $F1_LOST |
| $NMANY more prefixes over them | $F2_MED ms | $F2_MAX ms | $F2_LOST |

Target (issue 5): <= 50 ms, the same with 1M prefixes behind the failed
tunnel. The failed tunnel's next hop is marked dead in one map write
whatever the number of prefixes; detection is 3 intervals plus up to one
more (silence is counted in probes sent, docs/health.md).

| probing | probes/s | a's daemon CPU above idle | per probe | of which waking up | test bed's NAPI threads, per probe | b's XDP answering, per probe | a's XDP taking the reply, per probe |
|---|---:|---:|---:|---:|---:|---:|---:|
$(row "10 tunnels every 10 ms" new 10)
$(row "10 tunnels every 100 ms" new 100)
$MANY_ROW$([ -z "$BASE" ] || { echo; row "10 tunnels every 10 ms, $XFWD_BENCH_BASE_NAME" base 10; row "10 tunnels every 100 ms, $XFWD_BENCH_BASE_NAME" base 100; row "$MANY tunnels every 100 ms, $XFWD_BENCH_BASE_NAME" base many none$MANY; })

"ms/s" is CPU milliseconds per second of wall time (10 ms/s = 1% of one
core); "per probe" is that over the probes sent: the daemon's CPU, all
its threads, above the same daemon probing nothing; each figure the
median of $COST_REPS rounds. All probes due at one wake-up go in one
BPF_PROG_RUN of bpf/probe.bpf.c (docs/probe-batching.md); replies are
read, and \`xfwd health\`'s entries written, through a mapping of the
maps (no system call). The test bed's veths run their receive work in
NAPI threads (as a NIC's interrupt would), so the far end's work (veth,
bridge, b's XDP answering, a's XDP taking the reply) is not charged to
the call that sent the probes: it is the column beside. "Of which waking
up": a bare thread sleeping in poll() for 10 ms costs $((WAKE_NS / 1000)) us of
CPU per wake-up on this host (bench/wake_cost.c, same run), times the
daemon's extra wake-ups, over its probes.
The rows "build before", where present, are \`XFWD_BENCH_BASE\`'s daemons
in the same run.

**The issue's target (5 us per probe at 1,000 probes a second)** $MANY_MET
as a hub with many peers probes ($MANY tunnels every 100 ms: one wake-up and
one call for $MANY probes). Ten tunnels every 10 ms: see the floor under
them on this host: a wake-up costs
$(awk -v w="$WAKE_NS" 'BEGIN { printf "%.1f", w / 1000 }') us, and sending ten bare frames into a veth with one
\`sendmmsg()\` (bench/wake_cost.c, the far end's work in its NAPI thread;
nothing encapsulated, nothing read back) costs
$(awk -v s="$SEND_NS" 'BEGIN { printf "%.1f", s / 10000 }') us a frame more, so a sender in user space that did nothing but send
would pay $(awk -v w="$WAKE_NS" -v s="$SEND_NS" 'BEGIN { printf "%.1f", (w + s) / 10000 }') us a probe at ten probes a wake-up. The rest of the
daemon's cost there is mostly the page pool every live-frames call makes
and frees (64 pages: docs/probe-batching.md).
EOF2
