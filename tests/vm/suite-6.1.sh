#!/bin/sh
# Inside the guest: the kernel-dependent suites (BPF packet tests, network
# namespaces) on the guest's kernel, and interop with the kernel's tunnel
# devices this host lacks; closing with one summary line.
cd "$(dirname "$0")/../.."
out=$(mktemp)
# qemu without KVM runs the guest many times slower: timing-bound tests
# (tunnel probes every 10 ms) scale their intervals by this.
export XFWD_TEST_SLOW=10
# Left to the host (docs/vm-testing.md), each named when the suite runs:
# - timing the emulated guest cannot keep: the hub pair (BIRD and FRR
#   hubs, BFD), the fleet (five BIRDs, 5,000 datagrams a second), FRR as
#   the route source, BGP-driven health, BFD at 10 ms, the capacity tests'
#   flows at set rates; their XDP paths (translation, filters, uRPF,
#   decapsulation, an IPv6 next hop for IPv4) and counters are each in the
#   scripts and packet tests run here;
# - user-space logic whose kernel calls the scripts here make too, where
#   6.1 adds nothing but minutes: a killed -batch's journal, xfwd check,
#   the metrics text (promtool, node_exporter), failover through a sibling
#   (2x2: the covering-route fallback is in test_xdp's packets here).
export XFWD_NET_SKIP="test_hub.sh test_bgp_frr.sh test_health_bgp.sh test_capacity.sh test_capacity_dev.sh test_bfd.sh test_fleet.sh test_batch_kill.sh test_check.sh test_metrics.sh test_health_2x2.sh"
export XFWD_NET_SKIP_WHY="on the host only: timing the emulated guest cannot keep (BGP hold timers, BFD at 10 ms, set rates), or user-space logic whose kernel calls the scripts here make too (tests/vm/suite-6.1.sh)"
# timed: runs its command and says how long it took (where the minutes go)
timed() { t0=$(date +%s); "$@"; r=$?; echo "guest: '$*' took $(($(date +%s) - t0)) s"; return $r; }
{ timed build/tests/test_xdp; timed build/tests/test_xlat; timed build/tests/invariants -n 50000 -s 1;
  timed env XFWD_TEST_IPV4_TABLE=compact build/tests/test_xdp; timed tests/net/run.sh; timed bash tests/vm/test_tunnels.sh; timed bash tests/vm/test_ipsec.sh; timed bash tests/vm/test_ipsec_ike.sh; } 2>&1 | tee "$out"
p=$(grep -E '^(bpf|xlat|invariants|net): [0-9]+ passed' "$out" | awk '{s += $2} END {print s + 0}')
f=$(grep -E '^(bpf|xlat|invariants|net): [0-9]+ passed' "$out" | awk '{s += $4} END {print s + 0}')
n=$(grep -cE '^(bpf|xlat|invariants|net): [0-9]+ passed' "$out")
[ "$n" -eq 5 ] || f=$((f + 1)) # a suite that did not report could not run
# The tunnel interop and ipsec checks ("  ok" / "  FAIL" lines after the
# first banner); a script that ended without its "0 failure(s)" line and
# without a failed check could not run.
t=$(sed -n '/^test_tunnels:/,$p' "$out")
p=$((p + $(echo "$t" | grep -c '^  ok '))); f=$((f + $(echo "$t" | grep -c '^  FAIL ')))
for s in test_tunnels test_ipsec test_ipsec_ike; do
	echo "$t" | grep -q "^$s: 0 failure" || [ "$(echo "$t" | grep -c '^  FAIL ')" -gt 0 ] || f=$((f + 1))
done
echo "kernel61: $p passed, $f failed  (on $(uname -r))"
rm -f "$out"
[ "$f" -eq 0 ]
