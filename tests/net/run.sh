#!/usr/bin/env bash
# Run every tests/net/test_*.sh; print "N passed, N failed".
set -u
cd "$(dirname "$0")"
# Counts checks ("  ok" / "  FAIL" lines); a script that fails without a
# failed check (it could not run) counts as one failure.
passed=0; failed=0
# XFWD_NET_SKIP: scripts not run here, each said (the emulated 6.1 guest
# leaves out the one whose BGP daemons outlast its time; the host runs it).
for t in test_*.sh; do
	case " ${XFWD_NET_SKIP:-} " in *" $t "*)
		echo "$t: not run here (XFWD_NET_SKIP: ${XFWD_NET_SKIP_WHY:-no reason given})"; continue ;;
	esac
	log=$(mktemp)
	start=$SECONDS
	bash "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# wall time per script: where a stage's minutes go (never a check)
	echo "$t: took $((SECONDS - start)) s"
	p=$(grep -c '^  ok ' "$log" || true); f=$(grep -c '^  FAIL ' "$log" || true)
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { f=1; echo "FAILED: $t could not run"; }
	passed=$((passed + p)); failed=$((failed + f))
	rm -f "$log"
done
echo "net: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
