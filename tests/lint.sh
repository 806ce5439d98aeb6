#!/usr/bin/env bash
# Checks run first by `make test`: patterns in the test suite that make a
# check pass whatever happened, and the loader's layout rules. Prints "lint: N passed, N failed".
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

# The loader's rooms (docs/ARCHITECTURE.md): a file includes only its own
# room's headers and those of the rooms below it (core < kernel < daemon,
# cli), and maps/. loader/main.c, the program's entry, stands above them.
room_rule() {
	local f inc where bad="" room allowed
	for f in loader/*/*.[ch]; do
		room=$(basename "$(dirname "$f")")
		case $room in
		core) allowed="core" ;;
		kernel) allowed="core kernel" ;;
		daemon) allowed="core kernel daemon" ;;
		cli) allowed="core kernel cli" ;;
		esac
		while read -r inc; do
			where=""
			case $inc in maps/*|*.skel.h) continue ;; esac
			for r in core kernel daemon cli; do [ -e "loader/$r/$inc" ] && where=$r; done
			[ -n "$where" ] || { bad+="$f: \"$inc\" is in no room"$'\n'; continue; }
			case " $allowed " in *" $where "*) continue ;; esac
			bad+="$f includes $where/$inc"$'\n'
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
	report "loader/ includes only its own room and the rooms below" "$bad"
}

# No product source file over ~600 lines: one concern per file.
size_rule() {
	local bad
	bad=$(find loader bpf maps tools bench -name '*.[ch]' -size +1k -print0 |
		xargs -0 wc -l | awk '$2 != "total" && $1 > 620 {print $2 ": " $1 " lines"}')
	report "no C file over 620 lines" "$bad"
}

report() { # what hits
	if [ -z "$2" ]; then
		echo "  ok   $1"; passed=$((passed + 1))
	else
		echo "  FAIL $1:"; printf '%s\n' "$2" | sed '/^$/d; s/^/       /'
		failed=$((failed + 1))
	fi
}
room_rule
size_rule

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
