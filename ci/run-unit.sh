#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run cmocka unit test binaries; record one result line per test case in
# $RESULTS (default build/results/unit-<variant>.txt).
dir=$1; variant=$2; shift 2
mkdir -p build/results
out=${RESULTS:-build/results/unit-$variant.txt}
: >"$out"
rc=0
for t in "$@"; do
	name=$(basename "$t")
	log=build/results/$name-$variant.log
	if timeout 300 "$t" >"$log" 2>&1; then st=0; else st=$?; fi
	# cmocka prints "[       OK ] name" and "[  FAILED  ] name" per case.
	grep -E '^\[       OK \]' "$log" | sed -E "s/^\[       OK \] /PASS $variant:$name:/" >>"$out"
	grep -E '^\[  (FAILED|ERROR)  \] [a-z_0-9]+$' "$log" | sed -E "s/^\[  (FAILED|ERROR)  \] /FAIL $variant:$name:/" >>"$out"
	if [ $st -ne 0 ]; then
		rc=1
		if ! grep -q "^FAIL $variant:$name:" "$out"; then
			echo "FAIL $variant:$name:exit-status-$st" >>"$out"
		fi
		echo "---- $name ($variant) failed, log tail:"; tail -30 "$log"
	fi
done
p=$(grep -c '^PASS' "$out"); f=$(grep -c '^FAIL' "$out")
echo "unit ($variant): $p passed, $f failed"
exit $rc
