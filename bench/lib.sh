# Helpers for bench/*_run.sh.

# table_prefixes FILE [N]: the real table's IPv4 prefixes ($XFWD_FULLTABLE)
# into FILE, padded with /24s of 240.0.0.0/7 (reserved space no real table
# has) up to N prefixes.
table_prefixes() {
	zcat "$XFWD_FULLTABLE" | tr -d '\r' | grep -v ':' | awk '{print $1}' >"$1"
	awk -v want="${2:-0}" -v have="$(wc -l <"$1")" 'BEGIN {
		for (i = 0; have + i < want; i++)
			printf "%d.%d.%d.0/24\n", 240 + int(i / 65536), int(i / 256) % 256, i % 256 }' >>"$1"
}
