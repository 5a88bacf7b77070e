#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make check: build everything with -Werror, run every test stage, and end
# with one line "N passed, N failed" counted over all stages' results.
set -u
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)
rm -rf build/results
mkdir -p build/results
stage_failed=0

stage() {
	local name=$1; shift
	echo "==== $name"
	if "$@"; then
		echo "==== $name: ok"
	else
		echo "==== $name: FAILED"
		stage_failed=1
	fi
}

build_all() {
	if make -s -j"$JOBS" all >build/results/build.log 2>&1 &&
		make -s -j"$JOBS" $(ls tests/unit/test_*.c 2>/dev/null |
			sed 's#tests/unit/\(.*\)\.c#build/asan/tests/\1#') \
			>>build/results/build.log 2>&1; then
		echo "PASS build:all" >build/results/build.txt
	else
		cat build/results/build.log
		echo "FAIL build:all" >build/results/build.txt
		return 1
	fi
}

stage build build_all
stage freestanding make -s freestanding
stage unit make -s unit
stage unit-asan make -s unit-asan
# A short run of every parser's fuzzer: a regression that crashes on the
# seed corpus or soon after fails the check; the SMB2 request parser
# (fuzz_conn, the whole engine) gets 60 s.  `make fuzz` runs longer.
fuzz_smoke() {
	: >build/results/fuzz.txt
	FUZZ_RESULTS=build/results/fuzz.txt \
		FUZZ_CONN_SECONDS=${FUZZ_CONN_SECONDS:-60} \
		tests/fuzz/run.sh "${FUZZ_SECONDS:-15}" \
		>build/results/fuzz.log 2>&1
	local rc=$?
	grep -E '^fuzz_' build/results/fuzz.log || true
	return $rc
}
stage fuzz fuzz_smoke
for t in tests/integration/[0-9]*.sh; do
	[ -x "$t" ] || continue
	stage "$(basename "$t" .sh)" "$t"
done

pass=$(cat build/results/*.txt 2>/dev/null | grep -c '^PASS')
fail=$(cat build/results/*.txt 2>/dev/null | grep -c '^FAIL')
skip=$(cat build/results/*.txt 2>/dev/null | grep -c '^SKIP')
if [ "$fail" -gt 0 ]; then
	echo "Failures:"
	cat build/results/*.txt | grep '^FAIL' | head -50
fi
if [ "$stage_failed" -ne 0 ] && [ "$fail" -eq 0 ]; then
	fail=1
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
