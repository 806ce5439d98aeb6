#!/usr/bin/env bash
# Run every suite (unit, BPF packet, namespace) and close with one line:
# "total: N passed, N failed". Exit non-zero if anything failed or could
# not run: a suite that cannot run counts as failed, never as skipped.
set -u
cd "$(dirname "$0")/.."
B=${OUTPUT:-build}
passed=0; failed=0

count() { # suite-name log-file exit-code
	local p f
	p=$(grep -Eo "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -1 | awk '{print $2}')
	f=$(grep -Eo "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -1 | awk '{print $4}')
	if [ -z "$p" ]; then # cmocka: sum its per-group summaries
		p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$2" | awk '{s += $4} END {print s + 0}')
		f=$(grep -Eo '^\[  FAILED  \] [0-9]+ test' "$2" | awk '{s += $4} END {print s + 0}')
	fi
	[ "$3" -ne 0 ] && [ "$f" -eq 0 ] && f=1 # crashed or could not run
	echo "== $1: $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
}

run() { # suite-name command...
	local name=$1 log; shift
	log=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	count "$name" "$log" "${PIPESTATUS[0]}"
	rm -f "$log"
}

unit() { # every tests/unit/test_*.c, built by make test
	local rc=0 t
	for t in tests/unit/test_*.c; do t=$(basename "$t" .c); "$B/tests/$t" || rc=1; done
	return $rc
}
run lint tests/lint.sh
run unit unit
run bpf "$B/tests/test_xdp"
run xlat "$B/tests/test_xlat"
run invariants "$B/tests/invariants" -n 200000 -s 1 # make fuzz: 10M (docs/reliability.md)
# The same data path reading the compact IPv4 table (ipv4-table compact).
run bpf env XFWD_TEST_IPV4_TABLE=compact "$B/tests/test_xdp"
run invariants env XFWD_TEST_IPV4_TABLE=compact "$B/tests/invariants" -n 100000 -s 2
run fuzz tests/fuzz/run.sh "${XFWD_FUZZ_SECONDS:-30}"
run net tests/net/run.sh
# The same kernel-dependent suites on Debian bookworm's kernel (6.1, the
# oldest the project supports), in one qemu guest (tests/vm/vm.sh).
# The guest is emulated (TCG); its kernel has locked up patching code both
# vCPUs ran (docs/vm-testing.md; guest-init.sh now avoids that). If it
# does again, the suite runs once more, and the output ends saying so.
note=build/vm/lockup.note
rm -f "$note"
kernel61() { # in run's pipeline: a subshell, so the note is a file
	tests/vm/vm.sh -- tests/vm/suite-6.1.sh
	local rc=$?
	[ $rc -eq 3 ] || return $rc
	grep -m 1 -E 'BUG: soft lockup|Kernel panic' build/vm/console.died >"$note"
	echo "kernel61: the guest's kernel locked up (its report above); running the suite once more"
	tests/vm/vm.sh -- tests/vm/suite-6.1.sh
}
run kernel61 kernel61
[ -e "$note" ] && echo "NOTE: the first 6.1 guest run locked up and was rerun: $(cat "$note") (console in build/vm/console.died)"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
