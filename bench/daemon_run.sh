#!/usr/bin/env bash
# Daemon at scale (make bench): BIRD's static protocol puts the real
# table's IPv4 prefixes into kernel table 100, each over two paths (ECMP);
# xfwd run mirrors them. Prints a markdown table: time from the daemon's
# start to every route in the maps, its peak RSS, how long one link
# failure under all those ECMP prefixes takes to reach the data path, and
# how fast it follows a full withdrawal.
set -euo pipefail
cd "$(dirname "$0")/.."
export XFWD_FULLTABLE=${XFWD_FULLTABLE:-../shared/data/fulltable-2024.txt.gz}
. bench/lib.sh
P=db$$
# XFWD_BIN: another build's binary, for an A/B in one sitting.
XF() { nsenter --net=/run/netns/$P-r "${XFWD_BIN:-build/xfwd}" --pin-root /sys/fs/bpf/xfwd-$P "$@"; }
run=$(mktemp -d)
cleanup() {
	[ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null
	[ -n "${BPID:-}" ] && kill "$BPID" 2>/dev/null
	wait 2>/dev/null || true
	XF detach 2>/dev/null || true
	for n in r s; do ip netns del $P-$n 2>/dev/null || true; done
	rm -rf "$run"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }

for n in r s; do ip netns add $P-$n; ip -n $P-$n link set lo up; done
for i in 1 2; do
	ip link add r$i netns $P-r type veth peer name s$i netns $P-s
	ip -n $P-r link set r$i up; ip -n $P-s link set s$i up
	ip -n $P-r addr add 10.0.$((i + 1)).1/24 dev r$i
	ip -n $P-s addr add 10.0.$((i + 1)).2/24 dev s$i
	ip -n $P-r neigh replace 10.0.$((i + 1)).2 lladdr "$(ip netns exec $P-s cat /sys/class/net/s$i/address)" dev r$i nud permanent
done
# XFWD_BENCH_ROUTES=1000000: the real table padded up to that many prefixes.
table_prefixes "$run/prefixes" "${XFWD_BENCH_ROUTES:-0}"
N=$(wc -l <"$run/prefixes")
{
	echo 'router id 10.0.2.1; protocol device {}'
	echo 'protocol kernel { kernel table 100; learn off; ipv4 { import none; export all; }; }'
	echo 'protocol static feed { ipv4;'
	awk '{print "route " $1 " via 10.0.2.2 via 10.0.3.2;"}' "$run/prefixes"
	echo '}'
} >"$run/bird.conf"
cat >"$run/xfwd.conf" <<EOF2
[xfwd]
pin-root = /sys/fs/bpf/xfwd-$P
attach = r1 r2
mirror-table = 100
EOF2
in_kernel() { ip -n $P-r -o route show table 100 2>/dev/null | wc -l; }

echo "daemon_bench: $N prefixes x 2 paths into table 100 by BIRD" >&2
t=$(now)
ip netns exec $P-r bird -f -c "$run/bird.conf" -s "$run/bird.ctl" -P "$run/bird.pid" >"$run/bird.log" 2>&1 &
BPID=$!
until [ "$(in_kernel)" -ge "$N" ]; do
	kill -0 $BPID 2>/dev/null || { cat "$run/bird.log" >&2; exit 1; }
	sleep 1
done
kernel_s=$(since "$t")
echo "daemon_bench: kernel table holds them after $kernel_s s" >&2

# Start the daemon; prints the seconds until it says it is running.
start_daemon() {
	local t
	: >"$run/xfwd.log"
	t=$(now)
	nsenter --net=/run/netns/$P-r "${XFWD_BIN:-build/xfwd}" run -c "$run/xfwd.conf" 2>"$run/xfwd.log" &
	DPID=$!
	until grep -q "xfwd: running" "$run/xfwd.log"; do
		kill -0 $DPID 2>/dev/null || { cat "$run/xfwd.log" >&2; exit 1; }
		sleep 0.05
	done
	since "$t"
	grep mirrored "$run/xfwd.log" >&2
}
start_daemon >"$run/t" # not $(...): DPID must be set in this shell
start_s=$(cat "$run/t")
t=$(now)
mirrored=$(XF status | awk '/^routes:/ {print $2}')
cli_s=$(since "$t")
t=$(now)
XF route show >/dev/null
show_s=$(since "$t")
# XFWD_BIN_BASE: the same route show by another build, in the same sitting
# (an A/B of what route show reads and prints).
base_show_s=-
if [ -n "${XFWD_BIN_BASE:-}" ]; then
	t=$(now)
	XFWD_BIN=$XFWD_BIN_BASE XF route show >/dev/null
	base_show_s=$(since "$t")
fi
rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' /proc/$DPID/status)
echo "daemon_bench: start to all routes in the maps: $start_s s ($mirrored IPv4 routes), peak RSS $rss MiB" >&2

# A restart: the next daemon adopts the pins and reconciles every route
# with the kernel table (the program keeps forwarding meanwhile).
kill "$DPID"; wait "$DPID" 2>/dev/null || true
start_daemon >"$run/t"
restart_s=$(cat "$run/t")
echo "daemon_bench: restart to every route reconciled: $restart_s s" >&2

# One link fails under every ECMP prefix: the time until the data path
# has its next hop marked dead (one map write), from xfwd's own log.
: >"$run/xfwd.log.mark"
fail_ms=$(python3 - "$run/xfwd.log" "$P" <<'PY'
import subprocess, sys, time
log, p = sys.argv[1], sys.argv[2]
start = len(open(log).read())
t0 = time.monotonic()
subprocess.run(["ip", "-n", p + "-s", "link", "set", "s1", "down"], check=True)
t1 = time.monotonic()
while "marked dead" not in open(log).read()[start:]:
    if time.monotonic() - t0 > 30:
        print("timeout"); sys.exit(0)
    time.sleep(0.0005)
t2 = time.monotonic()
print("%.1f ms (the kernel's link down itself: %.1f ms)" % ((t2 - t0) * 1000, (t1 - t0) * 1000))
PY
)
echo "daemon_bench: link failure under $N ECMP prefixes in the data path after $fail_ms" >&2

# A full withdrawal: BIRD removes every route; how fast xfwd follows. Not
# polled with xfwd commands (they take the daemon's lock): the daemon is
# done when the kernel table is empty and its CPU time stops moving.
cpu() { awk '{print $14 + $15}' /proc/$DPID/stat; }
t=$(now)
birdc -s "$run/bird.ctl" disable feed >/dev/null
last=$(cpu) last_t=$(now) idle=0
while [ "$idle" -lt 10 ] || [ "$(in_kernel)" -gt 0 ]; do
	sleep 0.1
	c=$(cpu)
	if [ "$c" = "$last" ]; then idle=$((idle + 1)); else idle=0 last=$c last_t=$(now); fi
done
wd_s=$(awk -v a="$t" -v b="$last_t" 'BEGIN {printf "%.2f", b - a}')
left=$(XF status | awk '/^routes:/ {print $2}')
rate=$(awk -v n="$N" -v s="$wd_s" 'BEGIN {printf "%.0f", n / s}')
echo "daemon_bench: withdrawal of $N routes followed in $wd_s s ($rate routes/s), $left IPv4 routes left (local)" >&2

# The daemon's own ceiling: BIRD and the kernel above go at their pace
# (~130k routes/s here). bench/nl_replay.c sends the kernel's route
# notifications straight to the daemon's socket (BIRD stopped first: it
# would read them too), as fast as the daemon takes them.
kill "$BPID"; wait "$BPID" 2>/dev/null || true; BPID=
idx() { ip netns exec $P-r cat /sys/class/net/$1/ifindex; }
replay() {
	nsenter --net=/run/netns/$P-r build/bench/nl_replay /sys/fs/bpf/xfwd-$P "$run/prefixes" 100 \
		"$1" 10.0.2.2 "$(idx r1)" 10.0.3.2 "$(idx r2)" | awk '{print $4}'
}
add_s=$(replay add)
del_s=$(replay del)
if grep -q overran "$run/xfwd.log"; then
	echo "daemon_bench: the replay overran the daemon's socket: figures void" >&2
	exit 1
fi
per_s() { awk -v n="$N" -v s="$1" 'BEGIN {printf "%.0fk", n / s / 1000}'; }
echo "daemon_bench: replayed notifications: $N adds in $add_s s, $N deletes in $del_s s" >&2

cat <<EOF2
Run: $(date -u +%Y-%m-%d), $N IPv4 prefixes x 2 paths, \`make bench\` (bench/daemon_run.sh).

| what | measured | target (issue 4) |
|---|---:|---|
| BIRD static -> kernel table 100 | $kernel_s s | (the kernel's pace) |
| xfwd run start -> every route in the maps | $start_s s | <= 3 s |
| restart (pins adopted) -> every route reconciled | $restart_s s | |
| daemon peak RSS | $rss MiB | <= 150 MB |
| a CLI command beside it: \`xfwd status\` (counts of the last commit, no lock) | $cli_s s | |
| ...\`xfwd route show > file\` (the kernel's table dumped first, for the kernel's next hops; then every route read under the lock, printed after it) | $show_s s (\`XFWD_BIN_BASE\`'s: $base_show_s s) | |
| one link down under every ECMP prefix -> next hop dead in XDP | $fail_ms | <= 10 ms |
| full withdrawal by BIRD followed (BIRD and the kernel set the pace) | $wd_s s ($rate routes/s) | |
| the daemon alone: $N route notifications replayed, adds | $add_s s ($(per_s "$add_s") routes/s) | >= 200k routes/s |
| the daemon alone: $N route notifications replayed, deletes | $del_s s ($(per_s "$del_s") routes/s) | >= 200k routes/s |
EOF2
