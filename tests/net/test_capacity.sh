#!/usr/bin/env bash
# Backup capacity (docs/capacity.md): a and b joined by t1 and t2 (ECMP,
# topo_health.sh), each tunnel given a capacity on a; one UDP flow (one
# tunnel, by its hash) driven at a rate the other tunnel could take, then
# at one it could not: a warns once, the metric says which tunnel is short,
# and both clear when the traffic drops. The rates scale down by
# XFWD_TEST_SLOW in the emulated guest.
. "$(dirname "$0")/lib.sh"
require_root
tmp=$(mktemp -d)
trap 'pair_stop; cleanup; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/topo_health.sh"
echo "test_capacity: a tunnel whose traffic the rest of its group could not take"
CAP=$((8000000 / SLOW))
mkdir "$tmp/m"
cat >"$tmp/a.extra" <<EOF
[xfwd]
capacity-window = 2
metrics-file = $tmp/m/xfwd.prom
metrics-interval = 1
[capacity]
capacity = tunnel t1 $CAP
capacity = tunnel t2 $CAP
EOF
pair_build
pair_start "$tmp/a.extra"
check "both daemons run, a with two capacities" sh_ok "grep -q running '$tmp/a.log' && grep -q running '$tmp/b.log' || { cat '$tmp/a.log'; false; }"
check "t1 and t2 are up" wait_for -t $((10 * SLOW)) sh_ok "health_is a t1 up && health_is a t2 up"

flow() { udp_flow c 10.20.1.10 "$@"; }
metric() { sed -n "s/^$1{tunnel=\"$2\"} //p" "$tmp/m/xfwd.prom"; }
# (the families: docs/capacity.md)
short_lines() { grep -c "if it failed, the paths its traffic would move to could take only" "$tmp/a.log" || true; }

# Each flow's checks run while it flows (2 s window, the file written
# every second).
flow $((CAP / 4)) 6 &
F=$!
sleep 1
T=$(carrier) # the tunnel the flow hashed to
sleep $((2 + SLOW))
check "a flow at a quarter of a tunnel's capacity: carried by $T, no warning" sh_ok "[ $(short_lines) -eq 0 ]"
check "...its load in the metrics, near the flow's rate, and not short" sh_ok "
	l=\$(metric xfwd_path_load_bytes_per_second $T) &&
	[ \$l -gt $((CAP / 64)) ] && [ \$l -lt $((CAP / 16)) ] && [ \$(metric xfwd_path_backup_short $T) = 0 ] ||
	{ grep -E 'capacity|load|backup' '$tmp/m/xfwd.prom'; false; }"
wait $F
sleep 3 # the first flow out of the 2 s window: the next is judged alone
flow $((CAP * 3 / 2)) 6 &
F=$!
sleep 1
T=$(carrier)
O=$(other "$T")
sleep $((2 + SLOW))
check "a flow at 1.5 times a tunnel's capacity: a warns that $O could not take $T's traffic" sh_ok "
	[ $(short_lines) -eq 1 ] && grep -q 'tunnel $T: .* Mbit/s over the last 2 s; if it failed' '$tmp/a.log' ||
	{ grep tunnel '$tmp/a.log'; false; }"
check "...once, for $T only" sh_ok "[ $(short_lines) -eq 1 ] && ! grep -q 'tunnel $O: .* if it failed' '$tmp/a.log'"
check "...the metric says $T is short, $O not" sh_ok "
	[ \$(metric xfwd_path_backup_short $T) = 1 ] && [ \$(metric xfwd_path_backup_short $O) = 0 ] &&
	[ \$(metric xfwd_path_capacity_bytes_per_second $T) = $((CAP / 8)) ] || { grep -E 'capacity|load|backup' '$tmp/m/xfwd.prom'; false; }"
check "...promtool accepts the file" promtool check metrics <"$tmp/m/xfwd.prom"
wait $F
check "the flow stops: a says the rest of the group could carry $T again" wait_for -t $((6 * SLOW)) grep -q "tunnel $T: the paths its traffic would move to could carry it again" "$tmp/a.log"
check "...and the metric follows" wait_for -t 5 sh_ok "[ \$(metric xfwd_path_backup_short $T) = 0 ]"

# A group's only member: s's /24 over t1 alone, covered by the /16 over
# t2 alone. If t1 failed, its traffic would fall to the /16: t2 is its
# survivor.
cp "$tmp/a.conf" "$tmp/a.good"
sed -i 's|^route = 10.20.0.0/16 tunnel t1 tunnel t2$|route = 10.20.0.0/16 tunnel t2\nroute = 10.20.1.0/24 tunnel t1|' "$tmp/a.conf"
kill -HUP "$DA"
wait_for sh_ok "xf a route show 10.20.1.0/24 | grep -q 'tunnel t1 '" || true
sleep 3 # the last flow out of the window
n0=$(grep -c "tunnel t1: .* if it failed" "$tmp/a.log" || true)
flow $((CAP * 3 / 2)) 6 &
F=$!
sleep $((3 + SLOW))
check "t1 the only member of the /24's group, covered by the /16 over t2: a warns that t2 could not take t1's traffic" sh_ok "
	[ \$(grep -c 'tunnel t1: .* if it failed' '$tmp/a.log') -eq $((n0 + 1)) ] && [ \$(metric xfwd_path_backup_short t1) = 1 ] ||
	{ grep tunnel '$tmp/a.log' | tail -3; xf a route show; grep backup '$tmp/m/xfwd.prom'; false; }"
wait $F
cp "$tmp/a.good" "$tmp/a.conf"

# Refused whole: a capacity for a tunnel that is not there, a rate that is none.
printf '[capacity]\ncapacity = tunnel t9 1G\n' >>"$tmp/a.conf"
kill -HUP "$DA"
check "a reload naming a tunnel that is not there: refused, naming the line" \
	wait_for grep -q "no tunnel 't9' for this capacity (add it to \[tunnels\])" "$tmp/a.log"
cp "$tmp/a.good" "$tmp/a.conf"
printf '[capacity]\ncapacity = tunnel t1 1.2X\n' >>"$tmp/a.conf"
kill -HUP "$DA"
check "...a rate that is none: refused, saying what a rate is" \
	wait_for grep -q "takes 'capacity = tunnel NAME RATE' or 'dev DEV RATE' (bits a second: 1.25G, 500M), not 'tunnel t1 1.2X'" "$tmp/a.log"
echo "test_capacity: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
