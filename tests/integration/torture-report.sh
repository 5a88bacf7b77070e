#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Print the last 50-smbtorture run as markdown, for docs/conformance.md:
# a table of counts per suite, then the failing and known-failing tests.
# usage: tests/integration/torture-report.sh [RESULTS_DIR]   (default build/results)
set -u
cd "$(dirname "$0")/../.." || exit 1
dir=${1:-build/results}
tsv=$dir/torture-suites.tsv
txt=$dir/torture.txt
if [ ! -s "$tsv" ]; then
	echo "torture-report: no $tsv; run tests/integration/50-smbtorture.sh first" >&2
	exit 1
fi

when=$(date -u -r "$tsv" '+%Y-%m-%d %H:%M UTC')
ver=$(smbtorture --version 2>/dev/null | head -1)
echo "smbtorture results of $when (${ver:-smbtorture}):"
echo
# Samba's counts from the same make check (55-samba-conformance), if run.
conf=$dir/conformance.tsv
[ -s "$conf" ] || conf=/dev/null
echo "| suite | passed | Samba 4.17 passed | failed | known failures | skipped | seconds |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk -F'\t' -v conf="$conf" '
BEGIN {
	while ((getline line < conf) > 0) {
		split(line, a, "\t")
		if (a[1] != "suite") samba[a[1]] = a[3]
	}
}
FNR == 1 { next }
{
	note = ""
	if ($7 == "budget") note = " (not run: time budget)"
	else if ($7 == 124 || $7 == 137) note = " (timed out)"
	sb = ($1 in samba) ? samba[$1] : "-"
	if ($1 in samba) sp += samba[$1]
	printf "| %s%s | %d | %s | %d | %d | %d | %d |\n", $1, note, $2, sb, $3, $4, $5, $6
	p += $2; f += $3; x += $4; s += $5; t += $6
}
END { printf "| **total** | **%d** | **%d** | **%d** | **%d** | **%d** | %d |\n", p, sp, f, x, s, t }
' "$tsv"

# section TITLE LINES: a titled list, printed only if LINES is not empty.
section() {
	[ -n "$2" ] || return 0
	printf '\n%s\n\n%s\n' "$1" "$2"
}

if [ -s "$txt" ]; then
	section "Failing:" "$(grep '^FAIL torture:' "$txt" |
		sed 's/^FAIL torture:\([^ ]*\)/- `\1`/')"
	section "Known failures (tests/integration/torture-known-failures.txt):" \
		"$(grep '^SKIP torture:.*(known failure' "$txt" |
			sed 's/^SKIP torture:\([^ ]*\) (known failure: \(.*\))$/- `\1`: \2/')"
	section "Listed as known failures but now passing (remove them from the list):" \
		"$(grep '^PASS torture:.*known failure now passes' "$txt" |
			sed 's/^PASS torture:\([^ ]*\) .*/- `\1`/')"
fi
