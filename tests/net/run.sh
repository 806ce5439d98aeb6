#!/usr/bin/env bash
# Run every tests/net/test_*.sh; print "N passed, N failed".
set -u
cd "$(dirname "$0")"
# Counts checks ("  ok" / "  FAIL" lines); a script that fails without a
# failed check (it could not run) counts as one failure.
passed=0; failed=0
for t in test_*.sh; do
	log=$(mktemp)
	bash "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^  ok ' "$log" || true); f=$(grep -c '^  FAIL ' "$log" || true)
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { f=1; echo "FAILED: $t could not run"; }
	passed=$((passed + p)); failed=$((failed + f))
	rm -f "$log"
done
echo "net: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
