#!/bin/sh
# Inside the guest: the kernel-dependent suites (BPF packet tests, network
# namespaces) on the guest's kernel, closing with one summary line.
cd "$(dirname "$0")/../.."
out=$(mktemp)
{ build/tests/test_xdp; tests/net/run.sh; } 2>&1 | tee "$out"
p=$(grep -E '^(bpf|net): [0-9]+ passed' "$out" | awk '{s += $2} END {print s + 0}')
f=$(grep -E '^(bpf|net): [0-9]+ passed' "$out" | awk '{s += $4} END {print s + 0}')
n=$(grep -cE '^(bpf|net): [0-9]+ passed' "$out")
[ "$n" -eq 2 ] || f=$((f + 1)) # a suite that did not report could not run
echo "kernel61: $p passed, $f failed  (on $(uname -r))"
rm -f "$out"
[ "$f" -eq 0 ]
