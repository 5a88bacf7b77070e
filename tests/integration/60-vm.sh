#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 60-vm: the VM scenarios (tests/vm/scenarios/), each in its own qemu
# guest through tests/vm/run, then the test bed's own checks:
#   selftest:failure-detected  a scenario that fails on purpose fails run,
#                              which prints its output and the guest's
#                              kernel log
#   selftest:oops-detected     a guest kernel crash fails run through the
#                              kernel-log check
#   selftest:hang-killed       a guest that does not finish in time is
#                              killed and reported as hung
# Every case line of every scenario lands in build/results/vm.txt as
# "PASS vm:SCENARIO:CASE".  `make vmtest` runs this stage alone.
#
# Environment:
#   VM_SCENARIOS="a b"  only these scenarios (default: all but selftest-*
#                       and bench-*, which make bench runs)
#   VM_SELFTEST=0       leave out the three selftests
#   VM_TESTS=0          skip the stage: every scenario is reported SKIP
#                       (never PASS), and `make check` counts it skipped
# First run on a machine: installs the packages (tests/vm/deps.sh) and
# builds build/vm-cache/ (about 2 min); later runs reuse the cache.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init vm
VM=$IT_ROOT/tests/vm

# Scenarios kept out of the default run, one per line: "NAME  # why".
# They are reported as SKIP with the reason, never as passed, and still
# run when named: VM_SCENARIOS=NAME tests/integration/60-vm.sh.
UNSTABLE=$VM/unstable-scenarios.txt
unstable_why() {
	[ -f "$UNSTABLE" ] || return 1
	awk -v n="$1" '$1 == n { sub(/^[^#]*# */, ""); print; found = 1 }
		END { exit !found }' "$UNSTABLE"
}

# The cheapest and most basic first: if rxe is broken, say so early.
all_scenarios() {
	local f
	echo rxe-smoke
	for f in "$VM"/scenarios/*; do
		# bench-*: the benchmark's scenarios, run by make bench only.
		case ${f##*/} in selftest-* | rxe-smoke | bench-*) continue ;; esac
		unstable_why "${f##*/}" >/dev/null && continue
		echo "${f##*/}"
	done
}
SCENARIOS=${VM_SCENARIOS:-$(all_scenarios | tr '\n' ' ')}
if [ -z "${VM_SCENARIOS:-}" ]; then
	for f in "$VM"/scenarios/*; do
		why=$(unstable_why "${f##*/}") && result SKIP "${f##*/}" "$why"
	done
fi

if [ "${VM_TESTS:-1}" = 0 ]; then
	for s in $SCENARIOS; do
		result SKIP "$s" "VM_TESTS=0"
	done
	it_finish
fi

# Packages and the cache, once for all scenarios.
t0=$(date +%s)
if ! "$VM/prepare" >"$IT_LOGS/prepare.log" 2>&1; then
	result FAIL prepare "see $IT_LOGS/prepare.log"
	tail -20 "$IT_LOGS/prepare.log"
	it_finish
fi
it_log "test bed ready in $(($(date +%s) - t0)) s (build/vm-cache)"

# run_scenario NAME: boot, run, copy its case lines into our results.
run_scenario() {
	local s=$1 rc t status name why
	local out=$IT_LOGS/$s.out
	t=$(date +%s)
	it_log "scenario $s"
	VM_NO_DEPS=1 VM_QUIET=1 "$VM/run" "$s" >"$out" 2>&1
	rc=$?
	it_log "scenario $s: exit $rc after $(($(date +%s) - t)) s"
	grep -E '^(BANDWIDTH|THROUGHPUT) |files created' "$IT_BUILD/vm/$s/share/scenario.log" 2>/dev/null
	# "PASS vm:S:case (why)" -> result PASS S:case why
	while read -r status name why; do
		why=${why#(}
		why=${why%)}
		result "$status" "${name#vm:}" "$why"
	done < <(grep -E '^(PASS|FAIL|SKIP) vm:' "$IT_BUILD/vm/$s/results.txt" 2>/dev/null)
	if [ "$rc" -ne 0 ]; then
		grep -q "^FAIL vm:$s:" "$IT_BUILD/vm/$s/results.txt" 2>/dev/null ||
			result FAIL "$s:run" "tests/vm/run exit $rc"
		sed -n '/^---- vm:/,$p' "$out" | head -60
	fi
}

for s in $SCENARIOS; do
	run_scenario "$s"
done

if [ "${VM_SELFTEST:-1}" != 0 ]; then
	# A failing scenario: run must fail and show the guest's output (the
	# marker) and its kernel log (an excerpt with kernel time stamps).
	out=$IT_LOGS/selftest-fail.out
	VM_NO_DEPS=1 VM_QUIET=1 "$VM/run" selftest-fail >"$out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q 'VM-SELFTEST-MARKER' "$out" &&
		grep -q '^---- vm: guest kernel log' "$out" &&
		grep -qE '^  \| \[ *[0-9]+\.[0-9]+\] ' "$out"; then
		result PASS selftest:failure-detected "run exit $rc with log excerpt"
	else
		result FAIL selftest:failure-detected "run exit $rc; see $out"
	fi

	out=$IT_LOGS/selftest-oops.out
	VM_NO_DEPS=1 VM_QUIET=1 "$VM/run" selftest-oops >"$out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q '^FAIL vm:selftest-oops:kernel-log' "$out" &&
		grep -q 'VM-SELFTEST-MARKER' "$out"; then
		result PASS selftest:oops-detected "run exit $rc"
	else
		result FAIL selftest:oops-detected "run exit $rc; see $out"
	fi

	# qemu killed 3 s after start: long before the guest can finish.
	out=$IT_LOGS/selftest-hang.out
	t=$(date +%s)
	VM_NO_DEPS=1 VM_QUIET=1 VM_TIMEOUT=3 VM_BOOT_MARGIN=0 \
		"$VM/run" selftest-fail >"$out" 2>&1
	rc=$?
	secs=$(($(date +%s) - t))
	if [ "$rc" -eq 124 ] && grep -q 'guest hung' "$out" && [ "$secs" -lt 60 ]; then
		result PASS selftest:hang-killed "killed after $secs s"
	else
		result FAIL selftest:hang-killed "run exit $rc after $secs s; see $out"
	fi
fi
it_finish
