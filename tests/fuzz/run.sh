#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/fuzz/run.sh [SECONDS] - build the libFuzzer targets with
# clang -fsanitize=fuzzer,address,undefined against core/ and userspace/,
# generate seed corpora (from the unit tests' valid messages through the
# SMB harness, plus the targets' own seeds), and run each target for
# SECONDS (default 60; FUZZ_CONN_SECONDS for fuzz_conn, the SMB2 request
# parser, if set).  Prints executions per second per target; exits
# non-zero if any target found a crash (artifacts in build/fuzz/).
set -eu

SECS=${1:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_OUT:-$ROOT/build/fuzz}
CC=${FUZZ_CC:-clang}
TARGETS=${FUZZ_TARGETS:-"conn spnego ntlmssp rpc path secdesc fileops"}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer -std=gnu11 $SAN"
CORE_INC="-Icore -Itransport"
USER_INC="-D_GNU_SOURCE -DSMB_HOSTED=1 -Icore -Itransport -Iuserspace"
LIBS="-lcmocka -lssl -lcrypto -lpthread"

cd "$ROOT"
mkdir -p "$OUT/obj" "$OUT/corpus" "$OUT/seeds"

# ---- build: every core and userspace source, instrumented for coverage
# (again when the source or any header is newer than its object: a struct
# that grew must not meet objects built with its old size)
newest_h=$(ls -t core/*.h transport/*.h userspace/*.h | head -n 1)
objs=""
for f in core/*.c transport/*.c userspace/*.c; do
	case "$f" in
	*_main.c) continue ;;
	esac
	o="$OUT/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
	case "$f" in
	core/*) inc=$CORE_INC ;;
	*) inc=$USER_INC ;;
	esac
	if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		$CC $CFLAGS -fsanitize=fuzzer-no-link $inc -c "$f" -o "$o"
	fi
	objs="$objs $o"
done
rm -f "$OUT/libsmbfuzz.a"
ar rcs "$OUT/libsmbfuzz.a" $objs
for t in $TARGETS; do
	$CC $CFLAGS -fsanitize=fuzzer $USER_INC -Itests/unit \
		"tests/fuzz/fuzz_$t.c" "$OUT/libsmbfuzz.a" $LIBS \
		-o "$OUT/fuzz_$t"
done

# ---- seeds: what the harness client sends in the unit tests
if [ ! -d "$OUT/seeds/conn" ]; then
	seed_tests="session create rw dir info ioctl ipc negotiate notify
		oplock lease lock durable crypt stream ea fsctl"
	# shellcheck disable=SC2086
	make -s -j2 $(printf 'build/tests/test_%s ' $seed_tests) >/dev/null
	for t in $seed_tests; do
		H_SEED_DIR="$OUT/seeds" "./build/tests/test_$t" >/dev/null 2>&1 ||
			true
	done
fi
seed_dir() {
	d="$OUT/corpus/$1"
	mkdir -p "$d"
	echo "$d"
}
if [ ! -d "$OUT/corpus/conn" ]; then
	d=$(seed_dir conn)
	i=0
	# Each PDU as sent (mode 0) and replayed after a scripted log-on with
	# its header fixed up (modes 0x07: 3.1.1/CMAC, 0x33: 2.0.2/HMAC).
	for f in $(ls "$OUT/seeds/conn" | head -n 3000); do
		for m in 000 007 063; do
			{ printf "\\$m"; cat "$OUT/seeds/conn/$f"; } >"$d/$i-$m"
		done
		i=$((i + 1))
	done
	d=$(seed_dir spnego)
	cp "$OUT/seeds/spnego/"* "$d/" 2>/dev/null || true
	d=$(seed_dir ntlmssp)
	cp "$OUT/seeds/ntlmssp/"* "$d/" 2>/dev/null || true
	d=$(seed_dir rpc)
	FUZZ_SEEDS_OUT="$d" "$OUT/fuzz_rpc" >/dev/null 2>&1 || true
	d=$(seed_dir secdesc)
	make -s build/tests/test_secdesc >/dev/null &&
		SECDESC_SEEDS_OUT="$d" ./build/tests/test_secdesc >/dev/null 2>&1 ||
		true
	d=$(seed_dir path)
	for p in 'a\b\c.txt' '..\x' 'dir\' 'f::$DATA' 'a:s:$DATA' '\lead'; do
		printf '%s' "$p" | iconv -f UTF-8 -t UTF-16LE >"$d/$(echo "$p" | md5sum | cut -c1-8)"
	done
fi

if [ ! -d "$OUT/corpus/fileops" ]; then
	d=$(seed_dir fileops)
	# One FULL_EA entry "A"="b", one GET_EA name, a copychunk header.
	printf '\000\000\000\000\000\001\001\000A\000b' >"$d/full-ea"
	printf '\000\000\000\000\002AB\000' >"$d/get-ea"
	head -c 56 /dev/zero >"$d/copychunk"
	printf ':s:$DATA' | iconv -f UTF-8 -t UTF-16LE >"$d/stream"
fi

# ---- run
status=0
for t in $TARGETS; do
	mkdir -p "$OUT/corpus/$t" "$OUT/work/$t"
	log="$OUT/fuzz_$t.log"
	secs=$SECS
	# The SMB2 request parser (the whole engine) may get a longer run.
	[ "$t" = conn ] && secs=${FUZZ_CONN_SECONDS:-$SECS}
	rm -f "$OUT"/crash-$t-*
	set +e
	"$OUT/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/crash-$t-" \
		"$OUT/work/$t" "$OUT/corpus/$t" >"$log" 2>&1
	rc=$?
	set -e
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$t: ok, ${runs:-?} runs, ${eps:-?} exec/s, $cov"
		[ -n "${FUZZ_RESULTS:-}" ] &&
			echo "PASS fuzz:$t (${runs:-?} runs, ${secs}s)" >>"$FUZZ_RESULTS"
	else
		echo "fuzz_$t: FAILED (rc $rc), see $log"
		grep -m 5 -E 'ERROR|runtime error|leak' "$log" | sed "s/^/fuzz_$t: /" || true
		grep -A 12 -m 1 -E '^(==[0-9]+==ERROR|SUMMARY)|runtime error' "$log" |
			grep -E '^ +#[0-9]' | sed "s/^/fuzz_$t: /" || true
		# The input, so a crash seen only in CI can be replayed at home
		# (base64 -d >crash && build/fuzz/fuzz_$t crash).
		for a in "$OUT"/crash-$t-*; do
			[ -f "$a" ] || continue
			echo "fuzz_$t: input $(basename "$a") ($(wc -c <"$a") bytes, base64):"
			head -c 4096 "$a" | base64 -w 0 | sed "s/^/fuzz_$t: /"
			echo
		done
		[ -n "${FUZZ_RESULTS:-}" ] &&
			echo "FAIL fuzz:$t (crash, see $log)" >>"$FUZZ_RESULTS"
		status=1
	fi
done
exit $status
