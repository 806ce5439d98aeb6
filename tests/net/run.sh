#!/usr/bin/env bash
# Run every tests/net/test_*.sh; print "N passed, N failed".
set -u
cd "$(dirname "$0")"
# Counts checks ("  ok" / "  FAIL" lines); a script that fails without a
# failed check (it could not run) counts as one failure.
passed=0; failed=0
for c in setsid pgrep tail; do
	command -v $c >/dev/null || { echo "FAILED: $c is missing (util-linux, procps, coreutils)"; exit 1; }
done
# XFWD_NET_SKIP: scripts not run here, each said (the emulated 6.1 guest
# leaves out the one whose BGP daemons outlast its time; the host runs it).
for t in test_*.sh; do
	case " ${XFWD_NET_SKIP:-} " in *" $t "*)
		echo "$t: not run here (XFWD_NET_SKIP: ${XFWD_NET_SKIP_WHY:-no reason given})"; continue ;;
	esac
	log=$(mktemp)
	start=$SECONDS
	# Its own session, its output to a file shown as it grows: a process
	# the script leaves running can hold no pipe of ours open (a leaked
	# daemon once hung CI on tee), and is found by its session and killed.
	setsid bash "$t" >"$log" 2>&1 &
	sid=$!
	tail -s 0.2 --pid=$sid -n +1 -f "$log"
	wait $sid
	rc=$?
	# wall time per script: where a stage's minutes go (never a check)
	echo "$t: took $((SECONDS - start)) s"
	p=$(grep -c '^  ok ' "$log" || true); f=$(grep -c '^  FAIL ' "$log" || true)
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { f=1; echo "FAILED: $t could not run"; }
	if left=$(pgrep -a -s $sid); then
		echo "FAILED: $t left processes running (killed now):"; echo "$left" | sed 's/^/       /'
		pkill -KILL -s $sid; f=$((f + 1))
	fi
	passed=$((passed + p)); failed=$((failed + f))
	rm -f "$log"
done
echo "net: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
