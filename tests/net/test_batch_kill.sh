#!/usr/bin/env bash
# A -batch killed (kill -9) while it writes (docs/interrupted-changes.md):
# every round waits for the batch's journal to be pinned (its first write
# is next), kills it a random moment later, and the next command finds
# the table as after the batch, never half: every route of it in (or,
# for a batch of deletes, none), the data path answering for them as the
# records say, no journal left. Rounds add, replace and delete; a stream
# crosses the router on a route outside the batches and loses nothing.
# Topology: tests/net/topo_basic.sh (kernel forwarding off on r).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo_basic.sh"
require_root
trap cleanup EXIT

echo "test_batch_kill: a -batch killed while it writes"
basic_hosts
tmp=$(mktemp -d)
# The emulated guest keeps half the batch, not a tenth: the kill must land
# inside its writes, and a short batch there ends within a fork's time.
N=200000
[ "$SLOW" -eq 1 ] || N=100000
PINS="$PIN_BASE/xfwd-$NSP-r"
xf r attach r0 r1 r2 >/dev/null
xf r route add 10.9.0.0/24 via 10.0.2.2 dev r1
xf r route add 10.0.1.0/24 via 10.0.1.2 dev r0
nsx c ping -c 1 -W 2 10.9.0.1 >/dev/null || true
# lines VERB TAIL: a line per route 172.16.0.0/32 onwards, "route VERB P TAIL".
lines() {
	awk -v n="$N" -v verb="$1" -v tail="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "route %s 172.%d.%d.%d/32%s\n", verb, 16 + int(i / 65536), int(i / 256) % 256, i % 256, tail }'
}
# batch VERB TAIL BACK-VERB BACK-TAIL: the batch, and the one that undoes it.
batch() {
	lines "$1" "$2" >"$tmp/batch"
	lines "$3" "$4" >"$tmp/back"
}
# kill_mid: run the batch; once its journal is pinned (its first write is
# next) kill it a random moment later, up to 50 ms. A batch that ended
# first proves nothing: it is undone (the batch BACK) and tried again with
# half the delay, up to 8 times.
kill_mid() {
	local bp try end max=50
	for try in 1 2 3 4 5 6 7 8; do
		end=$((SECONDS + 120))
		rm -f "$tmp/done"
		(nsenter --net=/run/netns/$NSP-r "$XFWD" --pin-root "$PINS" -batch "$tmp/batch" >"$tmp/out" 2>&1
			touch "$tmp/done") 2>/dev/null & # no "Killed" from the subshell
		bp=$!
		until [ -e "$PINS/xfwd_journal" ] || [ -e "$tmp/done" ] || [ $SECONDS -gt $end ]; do :; done
		sleep "$(awk -v r=$RANDOM -v m=$max 'BEGIN { printf "%.3f", r % (m + 1) / 1000 }')"
		pkill -9 -f -- "-batch $tmp/batch" || true
		wait "$bp" 2>/dev/null || true
		[ -e "$tmp/done" ] || return 0
		echo "       (try $try: the batch ended before the kill: $(head -c 300 "$tmp/out"))" >>"$tmp/figures"
		xf r -batch "$tmp/back" >/dev/null || true
		max=$((max / 2))
	done
	echo "the batch ended before the kill, 8 times"
	return 1
}
# in_table KIND COUNT: `route show` (the first command after the kill)
# found the batch interrupted and has COUNT routes of it, each of KIND;
# the data path's answer for three of them agrees; no journal is left.
in_table() {
	local n t0=$EPOCHREALTIME
	xf r route show >"$tmp/show" 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
	echo "       the first command after the kill (it completes the batch): $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s" >>"$tmp/figures"
	n=$(grep -c "^172\.[0-9.]*/32 .*$1" "$tmp/show" || true)
	[ "$n" -eq "$2" ] || { echo "$n of $N routes are $1, want $2"; cat "$tmp/err"; return 1; }
	[ ! -e "$PINS/xfwd_journal" ] || { echo "the journal is still pinned"; return 1; }
	grep -q "interrupted" "$tmp/err" || { echo "the command did not find the batch interrupted"; return 1; }
	for a in 172.16.0.0 172.16.$(((N - 1) / 256 % 256)).$(((N - 1) % 256)) 172.16.0.$((N / 2 % 256)); do
		if [ "$2" -eq 0 ]; then
			xf r route get "$a" | grep -q "no matching route" || { xf r route get "$a"; return 1; }
		else
			xf r route get "$a" | grep -q "$1" || { xf r route get "$a"; return 1; }
		fi
	done
}

stream_start 30
batch add " blackhole" del ""
kill_mid
check "killed while adding $N routes: the next command finds all of them in" in_table blackhole "$N"
check "...and said what it did" grep -q "its $N route operations completed" "$tmp/err"
batch replace " via 10.0.3.2 dev r2" replace " blackhole"
kill_mid
check "killed while replacing them: all replaced" in_table "10.0.3.2" "$N"
batch del "" add " via 10.0.3.2 dev r2"
kill_mid
check "killed while deleting them: all gone" in_table "" 0
batch add " via 10.0.2.2 dev r1" del ""
kill_mid
check "killed while adding them again: all in" in_table "10.0.2.2" "$N"
check "the stream on a route outside the batches lost nothing" stream_lost_none
sed 's/^/ /' "$tmp/figures"
rm -rf "$tmp"
echo "test_batch_kill: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
