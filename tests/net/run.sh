#!/usr/bin/env bash
# Run every tests/net/test_*.sh; print "N passed, N failed".
set -u
cd "$(dirname "$0")"
passed=0; failed=0
for t in test_*.sh; do
	if bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t"; fi
done
echo "net: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
