#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Compile every core source with no libc headers: only core/compat.h.
mkdir -p build/results
out=build/results/freestanding.txt
: >"$out"
rc=0
for f in "$@"; do
	if gcc -std=gnu11 -ffreestanding -nostdinc -fno-builtin-printf -Wall \
		-Wextra -Werror -Wno-unused-parameter -Icore -Itransport \
		-fsyntax-only "$f" 2>build/results/freestanding.err; then
		echo "PASS freestanding:$f" >>"$out"
	else
		echo "FAIL freestanding:$f" >>"$out"; rc=1
		cat build/results/freestanding.err
	fi
done
echo "freestanding: $(grep -c ^PASS "$out") passed, $(grep -c ^FAIL "$out") failed"
exit $rc
