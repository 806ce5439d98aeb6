#!/usr/bin/env bash
# Run every libFuzzer target (tests/fuzz/fuzz_*.c, built by make) for
# SECONDS each (default 600; make test: 30), starting from the committed
# seeds and the corpus of earlier runs (build/fuzz/corpus/). A crash,
# leak, sanitizer report or timeout fails the target and keeps its input
# in build/fuzz/artifacts/: turn it into a unit test, then fix it.
# Prints "fuzz: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${OUTPUT:-build}
SECONDS_EACH=${1:-600}
passed=0; failed=0
mkdir -p "$B/fuzz/artifacts"
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c); short=${name#fuzz_}
	bin="$B/fuzz/$name"; corpus="$B/fuzz/corpus/$short"; log="$B/fuzz/$name.log"
	mkdir -p "$corpus"
	if [ ! -x "$bin" ]; then
		echo "  FAIL $name: $bin is not built (make $bin)"; failed=$((failed + 1)); continue
	fi
	if "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$B/fuzz/artifacts/$short-" "$corpus" "tests/fuzz/seeds/$short" >"$log" 2>&1; then
		echo "  ok   $name: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$') inputs in ${SECONDS_EACH} s, $(grep -Eo 'cov: [0-9]+' "$log" | tail -1)"
		passed=$((passed + 1))
	else
		echo "  FAIL $name: see $log"; grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/       /'
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
