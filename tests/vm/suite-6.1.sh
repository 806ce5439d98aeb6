#!/bin/sh
# Inside the guest: the kernel-dependent suites (BPF packet tests, network
# namespaces) on the guest's kernel, and interop with the kernel's tunnel
# devices this host lacks; closing with one summary line.
cd "$(dirname "$0")/../.."
out=$(mktemp)
# qemu without KVM runs the guest many times slower: timing-bound tests
# (tunnel probes every 10 ms) scale their intervals by this.
export XFWD_TEST_SLOW=10
{ build/tests/test_xdp; tests/net/run.sh; bash tests/vm/test_tunnels.sh; } 2>&1 | tee "$out"
p=$(grep -E '^(bpf|net): [0-9]+ passed' "$out" | awk '{s += $2} END {print s + 0}')
f=$(grep -E '^(bpf|net): [0-9]+ passed' "$out" | awk '{s += $4} END {print s + 0}')
n=$(grep -cE '^(bpf|net): [0-9]+ passed' "$out")
[ "$n" -eq 2 ] || f=$((f + 1)) # a suite that did not report could not run
# The tunnel interop checks ("  ok" / "  FAIL" lines after its banner).
t=$(sed -n '/^test_tunnels:/,$p' "$out")
p=$((p + $(echo "$t" | grep -c '^  ok '))); f=$((f + $(echo "$t" | grep -c '^  FAIL ')))
echo "$t" | grep -q '^test_tunnels: 0 failure' || [ "$(echo "$t" | grep -c '^  FAIL ')" -gt 0 ] || f=$((f + 1))
echo "kernel61: $p passed, $f failed  (on $(uname -r))"
rm -f "$out"
[ "$f" -eq 0 ]
