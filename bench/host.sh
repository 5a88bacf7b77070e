#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/host.sh OUT.tsv - the host part of make bench (run by bench/run):
# our smbdirectd against Samba's smbd, both on a loopback port of
# 127.0.0.1, started one after the other with the same share and user
# (Samba privately, through tests/integration/lib.sh's
# SMBD_UNDER_TEST=samba: its own smb.conf, tdbsam and nss_wrapper,
# nothing in /etc).  BENCH_REPS rounds, the servers alternating in each:
#   smbclient put/get of BENCH_HOST_MIB (1 GiB), SMB 3.1.1, plain and
#     signed, MiB/s and the server's CPU seconds per GiB;
#   smbtorture smb2.bench.echo with 1 and 16 connections and
#     smb2.bench.path-contention-shared, BENCH_TORTURE_SECS each;
#   BENCH_IDLE_CONNS idle connections (TCP + SMB2 NEGOTIATE): the
#     server's PSS per connection.
# Figures are lines of OUT.tsv in bench/guest.sh's format.
set -u
OUT=${1:?usage: bench/host.sh OUT.tsv}
BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$BENCH/../tests/integration/lib.sh"

BENCH_REPS=${BENCH_REPS:-3}
BENCH_HOST_MIB=${BENCH_HOST_MIB:-1024}
BENCH_TORTURE_SECS=${BENCH_TORTURE_SECS:-5}
BENCH_IDLE_CONNS=${BENCH_IDLE_CONNS:-1000}
IT_CLIENT_TIMEOUT=${IT_CLIENT_TIMEOUT:-180}

sample() {
	printf 'sample\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$OUT"
	echo "BENCH $*"
}

na() {
	printf 'na\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT"
	echo "BENCH n/a $1 $2 $3: $4"
}

it_init bench-host
# Our result lines are not make check's: keep them with the bench logs.
rm -f "$IT_RESULTS"
IT_RESULTS=$IT_LOGS/results.txt
: >"$IT_RESULTS"
ulimit -n 8192

it_init_port
SHARE=$(it_share_dir share)
USER=benchuser
PASS=benchpass
it_conf <<EOF
$(it_global_defaults auto)

[share]
	path = $SHARE
	comment = benchmark share
	read only = no
EOF
it_user "$USER" "$PASS"

BIG=$IT_BUILD/bench/host-big-$BENCH_HOST_MIB.bin
mkdir -p "$IT_BUILD/bench"
it_random_file "$BIG" "$BENCH_HOST_MIB"
BYTES=$((BENCH_HOST_MIB << 20))

server_cpu() {
	"$IT_PY" "$BENCH/proc.py" cpu "$IT_SERVER_PID"
}

# transfer SRV REP MODE PROTECTION: put then get of the big file.
transfer() {
	local srv=$1 rep=$2 mode=$3 prot=$4 op c0 c1 out rate
	for op in put get; do
		out=$IT_LOGS/smbclient-$srv-$mode-$op.log
		c0=$(server_cpu)
		if [ $op = put ]; then
			it_smbclient //127.0.0.1/share -U "$USER%$PASS" -m SMB3_11 \
				--client-protection="$prot" -c "put $BIG big.bin" >"$out"
		else
			it_smbclient //127.0.0.1/share -U "$USER%$PASS" -m SMB3_11 \
				--client-protection="$prot" -c "get big.bin /dev/null" >"$out"
		fi
		sleep 0.3
		c1=$(server_cpu)
		# "(average 123456.7 kb/s)" or "KiloBytes/sec": KiB/s.
		rate=$(sed -n 's/.*(average \([0-9.]*\) [kK].*/\1/p' "$out" | tail -1)
		if [ -z "$rate" ]; then
			it_log "smbclient $op ($mode) to $srv failed: $(tail -2 "$out")"
			continue
		fi
		sample "$srv" loopback "smbclient-$op-$mode" MiB/s \
			"$(awk -v r="$rate" 'BEGIN { printf "%.1f", r / 1024 }')" "$rep"
		sample "$srv" loopback "smbclient-$op-$mode-server-cpu" s/GiB \
			"$(awk -v j=$((c1 - c0)) -v b=$BYTES 'BEGIN { printf "%.3f", j / 100 / (b / 1073741824) }')" "$rep"
	done
	rm -f "$SHARE/big.bin"
}

# torture SRV REP TEST NAME [OPTIONS...]: one smbtorture bench test; the
# rate is the mean of its per-second figures of the first operation.
torture() {
	local srv=$1 rep=$2 test=$3 name=$4 out rate
	shift 4
	out=$IT_LOGS/torture-$srv-$name.log
	timeout -k 5 $((BENCH_TORTURE_SECS + 60)) smbtorture //127.0.0.1/share \
		-p "$IT_PORT" -U "$USER%$PASS" \
		--option=torture:timelimit="$BENCH_TORTURE_SECS" "$@" "$test" \
		>"$out" 2>&1 </dev/null
	rate=$(grep -o '[a-z]*\[num/s=[0-9]*' "$out" | awk -F'num/s=' '
		NR == 1 { op = $1 } $1 == op { s += $2; n++ }
		END { if (n) printf "%.0f", s / n }')
	if ! grep -q "^success:" "$out" || [ -z "$rate" ]; then
		it_log "smbtorture $test on $srv failed: $(tail -3 "$out" | tr '\n' ' ')"
		return 1
	fi
	sample "$srv" loopback "$name" ops/s "$rate" "$rep"
}

# idle SRV REP: memory per idle connection.
idle() {
	local srv=$1 rep=$2 m0 m1 line n client
	m0=$("$IT_PY" "$BENCH/proc.py" pss "$IT_SERVER_PID")
	"$IT_PY" "$BENCH/idleconns.py" 127.0.0.1 "$IT_PORT" "$BENCH_IDLE_CONNS" 300 \
		>"$IT_LOGS/idle-$srv.out" 2>&1 </dev/null &
	client=$!
	for _ in $(seq 1500); do
		grep -q '^OPEN' "$IT_LOGS/idle-$srv.out" && break
		kill -0 "$client" 2>/dev/null || break
		sleep 0.1
	done
	sleep 1
	m1=$("$IT_PY" "$BENCH/proc.py" pss "$IT_SERVER_PID")
	line=$(grep '^OPEN' "$IT_LOGS/idle-$srv.out")
	kill "$client" 2>/dev/null
	wait "$client" 2>/dev/null
	n=$(awk '{ print $2 }' <<<"$line")
	it_log "idle connections to $srv: $line; PSS $m0 -> $m1 KiB"
	if [ -z "$n" ] || [ "$n" -eq 0 ]; then
		it_log "no idle connection to $srv: $(cat "$IT_LOGS/idle-$srv.out")"
		return 1
	fi
	sample "$srv" loopback idle-conn-pss KiB/conn \
		"$(awk -v a="$m0" -v b="$m1" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')" "$rep"
	sample "$srv" loopback idle-conn-count conns "$n" "$rep"
	sleep 2
}

for ((rep = 1; rep <= BENCH_REPS; rep++)); do
	for srv in ours samba; do
		if [ $srv = ours ]; then
			SMBD_UNDER_TEST=smbdirectd
		else
			SMBD_UNDER_TEST=samba
		fi
		it_log "round $rep/$BENCH_REPS: $srv"
		if ! it_start_server; then
			na "$srv" loopback all "the server did not start (see $IT_SERVER_LOG)"
			continue
		fi
		transfer "$srv" "$rep" plain off
		transfer "$srv" "$rep" signed sign
		transfer "$srv" "$rep" encrypted encrypt
		torture "$srv" "$rep" smb2.bench.echo echo-1conn --option=torture:nprocs=1
		torture "$srv" "$rep" smb2.bench.echo echo-16conn --option=torture:nprocs=16
		torture "$srv" "$rep" smb2.bench.path-contention-shared path-contention-shared
		idle "$srv" "$rep"
		it_server_alive || it_log "$srv died during round $rep"
		it_stop_server
	done
done

# Cells that cannot be measured here, with the reason.
for srv in ours samba; do
	na "$srv" loopback smb2.bench.read \
		"not in smbtorture $(smbtorture --version 2>/dev/null | awk 'NR == 1 { print $2 }') (added in a later Samba)"
done
it_log "host part done: $OUT"
