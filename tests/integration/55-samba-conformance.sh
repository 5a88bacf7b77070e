#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 55-samba-conformance: the smbtorture suites that stage 50 ran against
# our server, run again in the same make check against Samba's smbd
# (Debian's, private configuration: tests/integration/lib.sh), and the
# pass counts compared suite by suite:
#   ours >= Samba's                       -> PASS conformance:SUITE
#   ours <  Samba's, listed with a reason -> SKIP conformance:SUITE (known
#       in tests/integration/conformance-shortfalls.txt    shortfall)
#   ours <  Samba's, not listed           -> FAIL conformance:SUITE
#   listed, but no longer short           -> PASS, with a note to unlist it
# plus one line for the total.  Samba's own results stay out of make
# check's count (build/samba-results/); the side-by-side counts go to
# build/results/conformance.tsv (torture-report.sh prints them for
# docs/conformance.md).
#
# Environment:
#   CONFORMANCE=0        skip the stage
#   TORTURE_SUITES=...   passed on (default: the suites stage 50 ran)
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init conformance
[ "${CONFORMANCE:-1}" = 0 ] && it_skip_all "CONFORMANCE=0"
it_require_cmd smbtorture smbd

OURS=$IT_BUILD/results/torture-suites.tsv
SAMBA_DIR=$IT_BUILD/samba-results
SAMBA=$SAMBA_DIR/torture-suites.tsv
SHORT=$IT_ROOT/tests/integration/conformance-shortfalls.txt
OUT=$IT_BUILD/results/conformance.tsv
[ -s "$OURS" ] || it_skip_all "stage 50-smbtorture has not run (no $OURS)"

suites=${TORTURE_SUITES:-$(awk -F'\t' 'NR > 1 && $7 != "budget" { print $1 }' "$OURS" | tr '\n' ' ')}
rm -rf "$SAMBA_DIR"
it_log "Samba's smbd: $suites"
IT_RESULTS_DIR=$SAMBA_DIR IT_LOGS_ROOT=$IT_LOGS SMBD_UNDER_TEST=samba \
	TORTURE_KNOWN_FAILURES=/dev/null TORTURE_SUITES="$suites" \
	"$IT_ROOT/tests/integration/50-smbtorture.sh" >"$IT_LOGS/samba.log" 2>&1
if grep -q '^SKIP all' "$SAMBA_DIR/torture.txt" 2>/dev/null; then
	it_skip_all "Samba could not run: $(sed -n 's/^SKIP all //p' "$SAMBA_DIR/torture.txt")"
fi
[ -s "$SAMBA" ] || it_skip_all "Samba's run left no counts (see $IT_LOGS/samba.log)"

# shortfall_why SUITE: the listed reason, or nothing.
shortfall_why() {
	awk -v s="$1" '$1 == s { $1 = ""; sub(/^ +/, ""); print; exit }' \
		"$SHORT" 2>/dev/null
}

printf 'suite\tours\tsamba\n' >"$OUT"
total_ours=0
total_samba=0
while IFS=$'\t' read -r suite ours; do
	samba=$(awk -F'\t' -v s="$suite" 'NR > 1 && $1 == s { print $2 }' "$SAMBA")
	[ -n "$samba" ] || continue
	printf '%s\t%s\t%s\n' "$suite" "$ours" "$samba" >>"$OUT"
	total_ours=$((total_ours + ours))
	total_samba=$((total_samba + samba))
	why=$(shortfall_why "$suite")
	if [ "$ours" -ge "$samba" ]; then
		result PASS "$suite" "ours $ours, Samba $samba${why:+; listed as a shortfall: remove it from conformance-shortfalls.txt}"
	elif [ -n "$why" ]; then
		result SKIP "$suite" "known shortfall: ours $ours, Samba $samba: $why"
	else
		result FAIL "$suite" "ours $ours, Samba $samba"
	fi
done < <(awk -F'\t' 'NR > 1 && $7 != "budget" { print $1 "\t" $2 }' "$OURS")
printf 'total\t%s\t%s\n' "$total_ours" "$total_samba" >>"$OUT"
it_log "total: ours $total_ours passed, Samba $total_samba"
if [ "$total_ours" -ge "$total_samba" ]; then
	result PASS total "ours $total_ours, Samba $total_samba"
else
	result SKIP total "ours $total_ours, Samba $total_samba (the listed shortfalls)"
fi
it_finish
