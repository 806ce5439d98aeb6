#!/usr/bin/env bash
# Checks on the test suite itself, run first by `make test`: patterns that
# make a check pass whatever happened. Prints "lint: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
passed=0; failed=0

# rule "what it guards" PATTERN [ALLOWED]: no line of tests/ or .ci/ may
# match the extended regex PATTERN (unless it matches ALLOWED too).
rule() {
	local hits
	hits=$(grep -rnE --include='*.sh' --include=run --include=as-unit "$2" tests .ci |
		grep -v '^tests/lint.sh:' | grep -vE "${3:-^$}")
	if [ -z "$hits" ]; then
		echo "  ok   $1"; passed=$((passed + 1))
	else
		echo "  FAIL $1:"; printf '%s\n' "$hits" | sed 's/^/       /'
		failed=$((failed + 1))
	fi
}

# Showing a log with cat after a failing command exits 0 whatever the
# command did (cat succeeds): such a check can never fail. Show the log
# and fail: `|| { cat LOG; false; }`.
rule "no '|| cat' that turns a failure into success" '\|\|[[:space:]]*cat[[:space:]]'
# The same with any other command run for its output: a snippet whose last
# word after '||' shows something (`|| xf r route show"`) succeeds.
rule "no check snippet ends in '|| CMD' (show, then false)" \
	'\|\|[[:space:]]*[a-z][^{"]*"[[:space:]]*$' '\|\|[[:space:]]*(false|exit|return|fail)'
# `|| true` after a check, or a check whose command is `true`, is the same mistake.
rule "no check ends in '|| true'" '^[[:space:]]*check .*\|\|[[:space:]]*true"?[[:space:]]*$'

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
