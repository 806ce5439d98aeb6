# shellcheck shell=bash
# The BGP scenarios of the seeds, run the same way whatever BGP daemon
# fills the appliance's kernel table 100 (test_bgp.sh: BIRD,
# test_bgp_frr.sh: FRR). Sourced after lib.sh. The peers are a BIRD (p1,
# AS 65001) and a GoBGP (p2, AS 65002); both answer for 10.9.0.1 (and the
# /25s of 10.9.0.0/24). Traffic crosses the appliance in XDP with kernel
# forwarding off.
#
#   c 10.0.1.2 -- a-c [a: BGP daemon + xfwd] a-p1 10.0.2.1 -- p1 10.0.2.2 (BIRD)
#                                            a-p2 10.0.3.1 -- p2 10.0.3.2 (GoBGP)
#
# The sourcing script defines a_sessions_up (both sessions of a's daemon
# are established), sets MIRROR_TABLE where the daemon installs its routes
# (default 100) and starts a's daemon after bgp_topology and
# bgp_start.
for b in bird birdc gobgpd gobgp; do
	command -v $b >/dev/null || { echo "FAIL: $b is missing (run tools/install-deps.sh)" >&2; exit 1; }
done
run=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; cleanup; rm -rf "$run"' EXIT
bg() { "$@" >>"$run/daemons.log" 2>&1 & PIDS+=($!); }

# The namespaces, the links, the peers' files.
bgp_topology() {
	add_ns c; add_ns a; add_ns p1; add_ns p2
	link c c0 a a-c; link a a-p1 p1 p1-a; link a a-p2 p2 p2-a
	nsx c ip addr add 10.0.1.2/24 dev c0; nsx c ip route add default via 10.0.1.1
	nsx a ip addr add 10.0.1.1/24 dev a-c
	nsx a ip addr add 10.0.2.1/24 dev a-p1; nsx a ip addr add 10.0.3.1/24 dev a-p2
	nsx a sysctl -qw net.ipv4.ip_forward=0
	local p
	for p in 1 2; do
		nsx p$p ip addr add 10.0.$((p + 1)).2/24 dev p$p-a
		nsx p$p ip addr add 10.9.0.1/32 dev lo
		nsx p$p ip route add 10.0.1.0/24 via 10.0.$((p + 1)).1
		host_if p$p p$p-a
	done
	host_if c c0
	cat >"$run/p1.conf" <<EOF2
router id 10.0.2.2;
protocol device {}
protocol static s24 { ipv4; route 10.9.0.0/24 blackhole; }
protocol static s25 { ipv4; disabled; route 10.9.0.0/25 blackhole; route 10.9.0.128/25 blackhole; }
protocol bgp a { local as 65001; neighbor 10.0.2.1 as 65000; direct;
  ipv4 { import none; export all; };
  connect delay time 1; connect retry time 2; error wait time 1, 4; }
EOF2
	cat >"$run/p2.toml" <<EOF2
[global.config]
  as = 65002
  router-id = "10.0.3.2"
  local-address-list = ["10.0.3.2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.3.1"
    peer-as = 65000
EOF2
}

# The peers' daemons and xfwd on a (after what a script adds to the
# topology: xfwd attaches to XFWD_ATTACH_MORE's devices too).
bgp_start() {
	cat >"$run/xfwd.conf" <<EOF2
[xfwd]
pin-root = $PIN_BASE/xfwd-$NSP-a
attach = a-c a-p1 a-p2 ${XFWD_ATTACH_MORE:-}
mirror-table = ${MIRROR_TABLE:-100}
[routes]
route = 10.0.1.0/24 via 10.0.1.2 dev a-c
EOF2
	# Not through nsx (a shell function): $! must be the daemon itself.
	bg ip netns exec $NSP-p1 bird -f -c "$run/p1.conf" -s "$run/p1.ctl" -P "$run/p1.pid"
	bg ip netns exec $NSP-p2 gobgpd -f "$run/p2.toml" --api-hosts 127.0.0.1:50052 --pprof-disable
	bg nsenter --net=/run/netns/$NSP-a "$XFWD" run -c "$run/xfwd.conf"
}

gobgp() { nsx p2 "$(command -v gobgp)" -p 50052 "$@"; }
# vias PREFIX: xfwd's next hops for it (not the kernel's, named after them).
vias() { route_of a "$1" | sed 's/ kernel .*//' | grep -o 'via [0-9a-f.:]* dev [a-z0-9-]*' | sort | tr '\n' ' '; }
vias_are() { [ "$(vias "$1")" = "$2" ]; }
# ping_ok [DST]: c reaches DST (10.9.0.1); on failure, say what xfwd had
# (route, next hops, non-zero counters).
ping_ok() {
	nsx c ping -c 3 -i 0.1 -W 1 "${1:-10.9.0.1}" >/dev/null && return 0
	xf a route show; xf a nexthop show; xf a stats | awk '$3 != 0'
	return 1
}

# NAME: a's daemon's name, in the checks' words.
bgp_scenarios() {
	local d=$1
	check "both BGP sessions come up" wait_for -t 30 a_sessions_up
	wait_for -t 10 gobgp global rib add 10.9.0.0/24 origin igp nexthop 10.0.3.2 || true
	check "equal paths from BIRD and GoBGP: $d makes one ECMP route, xfwd one group" \
		wait_for -t 10 vias_are 10.9.0.0/24 "via 10.0.2.2 dev a-p1 via 10.0.3.2 dev a-p2 "
	# The daemon never waits for ARP: MACs arrive with neighbour events.
	check "...whose next hops resolve" wait_for -t 10 sh_ok "! route_of a 10.9.0.0/24 | grep -q unresolved"
	xf a stats reset
	check "traffic crosses the appliance in XDP" ping_ok
	check "...forwarded by xfwd, not the kernel (forwarding is off)" test "$(forwarded a)" -ge 6

	gobgp global rib del 10.9.0.0/24
	gobgp global rib add 10.9.0.0/24 origin igp nexthop 10.0.3.2 aspath 65002,65002
	check "AS-path prepending on p2: only p1 is used" \
		wait_for -t 10 vias_are 10.9.0.0/24 "via 10.0.2.2 dev a-p1 "
	birdc -s "$run/p1.ctl" disable a >/dev/null
	check "the preferred session drops: traffic moves to p2" \
		wait_for -t 10 vias_are 10.9.0.0/24 "via 10.0.3.2 dev a-p2 "
	check "...and still crosses in XDP" ping_ok

	birdc -s "$run/p1.ctl" enable s25 >/dev/null
	birdc -s "$run/p1.ctl" enable a >/dev/null
	check "more-specific /25s from p1 over p2's /24 summary" \
		wait_for -t 30 sh_ok "
			vias_are 10.9.0.0/25 'via 10.0.2.2 dev a-p1 ' && vias_are 10.9.0.128/25 'via 10.0.2.2 dev a-p1 '"
	birdc -s "$run/p1.ctl" disable a >/dev/null
	check "p1 goes: the /25s are withdrawn, the /24 via p2 remains" \
		wait_for -t 10 sh_ok "
			! route_of a 10.9.0.0/25 | grep -q . && vias_are 10.9.0.0/24 'via 10.0.3.2 dev a-p2 '"
	check "...and traffic follows the summary" ping_ok
}
