#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 50-smbtorture: Samba's protocol test suite against the server.
# Runs each suite in TORTURE_SUITES with its own timeout, turns every
# test into a result line "PASS torture:smb2.read.eof" etc., and compares
# failures with tests/integration/torture-known-failures.txt:
#   listed and failing   -> SKIP torture:NAME (known failure: why)
#   listed and passing   -> PASS torture:NAME (known failure now passes...)
#   unlisted and failing -> FAIL torture:NAME (first line of the reason)
# Per-suite logs: build/it/logs/torture/SUITE.log; per-suite counts:
# build/results/torture-suites.tsv (tests/integration/torture-report.sh
# prints them as a markdown table for docs/conformance.md).
#
# Environment:
#   TORTURE_SUITES="smb2.read smb2.dir"  suites to run (default: the list below)
#   TORTURE_SUITE_TIMEOUT=300            seconds per suite
#   TORTURE_BUDGET=1500                   seconds for the whole stage's suites
#   TORTURE_TARGET=                      smbtorture --target (empty: none,
#                                        i.e. Windows behaviour expected)
#   TORTURE_KNOWN_FAILURES=FILE          another known-failures list
#   TORTURE_EXTRA_ARGS=                  more smbtorture arguments, e.g.
#                                        --client-protection=encrypt
#   SMBD_UNDER_TEST=samba                run against Samba's smbd (lib.sh)
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init torture
it_require_cmd smbtorture
it_require_server

# smb2.compound runs test by test: smbtorture 4.17 itself segfaults in
# related1, related2 and invalid2 (before sending anything), which would
# otherwise end the whole suite.
COMPOUND_TESTS="related3 related4 related5 related6 related7 related8
related9 unrelated1 invalid1 invalid3 invalid4 interim1 interim2
compound-break compound-padding create-write-close"
# smb2.notify too, so one test that waits for a change we do not report
# (mask, mask-change: see the known failures; each would wait out its
# 300 s) cannot take the rest with it; those two are left out.
NOTIFY_TESTS="valid-req tcon dir tdis tdis1 close logoff
session-reconnect invalid-reauth tree basedir double file tcp rec overflow
rmdir1 rmdir2 rmdir3 rmdir4 handle-permissions"
DEFAULT_SUITES="smb2.connect smb2.read smb2.dir smb2.getinfo smb2.create
smb2.rename smb2.delete-on-close-perms
$(for t in $COMPOUND_TESTS; do printf 'smb2.compound.%s ' "$t"; done)
$(for t in $NOTIFY_TESTS; do printf 'smb2.notify.%s ' "$t"; done)
smb2.compound_find smb2.session smb2.credits smb2.setinfo smb2.maxfid
smb2.scan smb2.lock smb2.acls smb2.streams smb2.ioctl smb2.oplock smb2.lease
smb2.durable-open smb2.durable-v2-open smb2.sharemode"
SUITES=${TORTURE_SUITES:-$DEFAULT_SUITES}
SUITE_TIMEOUT=${TORTURE_SUITE_TIMEOUT:-300}
BUDGET=${TORTURE_BUDGET:-1500}
KNOWN=${TORTURE_KNOWN_FAILURES:-$IT_ROOT/tests/integration/torture-known-failures.txt}
TSV=$IT_RESULTS_DIR/torture-suites.tsv
printf 'suite\tpass\tfail\txfail\tskip\tseconds\texit\n' >"$TSV"

# Multichannel on, as Samba 4.17 has it by default: smb2.session's
# bind_negative tests check the refusals of session binding.
IT_EXTRA_GLOBAL="server multi channel support = yes"
it_one_share_server auto

start=$(date +%s)
for suite in $SUITES; do
	used=$(($(date +%s) - start))
	left=$((BUDGET - used))
	if [ $left -lt 20 ]; then
		result SKIP "$suite" "time budget of $BUDGET s used up"
		printf '%s\t0\t0\t0\t0\t0\tbudget\n' "$suite" >>"$TSV"
		continue
	fi
	limit=$SUITE_TIMEOUT
	[ $limit -le $left ] || limit=$left
	if ! it_server_alive; then
		it_log "server died; restarting it for $suite"
		result FAIL "server-alive-before-$suite" "server died; see $IT_SERVER_LOG"
		it_start_server || {
			result FAIL "$suite" "server would not restart"
			continue
		}
	fi
	# Each suite starts from an empty share.
	find "$SHARE" -mindepth 1 -delete 2>/dev/null
	log=$IT_LOGS/$suite.log
	t0=$(date +%s)
	timeout -k 10 "$limit" smbtorture "//127.0.0.1/share" -p "$IT_PORT" \
		-U "$USER%$PASS" ${TORTURE_TARGET:+--target=$TORTURE_TARGET} \
		--option=torture:sharedelay=100000 \
		--option=torture:writetimeupdatedelay=500000 \
		${TORTURE_EXTRA_ARGS:-} "$suite" >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - t0))
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && echo "TIMEOUT after $limit s" >>"$log"
	summary=
	while IFS= read -r line; do
		case $line in
		SUMMARY\ *) summary=${line#SUMMARY } ;;
		*)
			status=${line%% *}
			rest=${line#* }
			name=${rest%% (*}
			why=
			[ "$name" != "$rest" ] && why=${rest#* (} && why=${why%)}
			result "$status" "$name" "$why"
			;;
		esac
	done < <("$IT_PY" "$IT_ROOT/tests/integration/torture-parse.py" \
		"$suite" "$log" "$KNOWN" "$rc")
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		result FAIL "$suite" "timed out after $limit s"
	fi
	read -r p f x s <<<"${summary:-0 0 0 0}"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$suite" "$p" "$f" "$x" "$s" \
		"$secs" "$rc" >>"$TSV"
	it_log "$suite: $p passed, $f failed, $x known failures, $s skipped (${secs}s, exit $rc)"
done

it_check_alive
it_finish
