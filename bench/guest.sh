# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# bench/guest.sh - the measuring helpers of the benchmark's VM scenarios
# (tests/vm/scenarios/bench-*), sourced after tests/vm/guest-lib.sh.
#
# Parameters come from build/bench/params.env, written by bench/run before
# the guest boots (the guest sees the host's / read-only).  Every figure
# is one line of /vmout/bench.tsv:
#     sample SERVER TRANSPORT TEST UNIT VALUE REP
#     na     SERVER TRANSPORT TEST REASON...
# bench/report.py turns them into medians, ratios, tables and charts.

BENCH_TSV=/vmout/bench.tsv
BENCH_REPS=3
BENCH_SEQ_SECS=7
BENCH_RAND_SECS=6
BENCH_RAND_MIB=64
BENCH_MD_FILES=10000
BENCH_MD_SECS=8
BENCH_IDLE_CONNS=1000
BENCH_PROFILE=1
BENCH_PROFILE_SECS=8
# shellcheck disable=SC1091
[ -f "$VM_REPO/build/bench/params.env" ] && . "$VM_REPO/build/bench/params.env"
BENCH_DIR=$VM_REPO/bench
BENCH_FILE_NAME=bench.dat

# sample SERVER TRANSPORT TEST UNIT VALUE REP
sample() {
	printf 'sample\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_TSV"
	echo "BENCH $*"
}

# na SERVER TRANSPORT TEST REASON
na() {
	printf 'na\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$BENCH_TSV"
	echo "BENCH n/a $1 $2 $3: $4"
}

# guest_busy: jiffies (1/100 s) all CPUs spent not idle, from /proc/stat.
guest_busy() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# pid_cpu PID: utime + stime of a process (all its threads), in jiffies.
pid_cpu() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null
}

# ksmbd_cpu: utime + stime of the ksmbd kernel threads (listener and one
# per connection).  Its request work items run in shared kworkers and the
# RDMA completions in softirq: those are not in this sum.
ksmbd_cpu() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk '$2 ~ /^\(ksmbd/ { s += $14 + $15 } END { print s + 0 }'
}

# kernel_mem_kib: slab + kernel stacks + page tables (KiB).
kernel_mem_kib() {
	awk '/^(Slab|KernelStack|PageTables):/ { s += $2 } END { print s }' \
		/proc/meminfo
}

# per_gib JIFFIES BYTES: CPU seconds per GiB moved.
per_gib() {
	awk -v j="$1" -v b="$2" \
		'BEGIN { if (b <= 0) print "nan"; else printf "%.3f", j / 100 / (b / 1073741824) }'
}

# bench_file DIR: the 1 GiB file the fio jobs read and overwrite, made on
# the server's side (fast, no SMB traffic).
bench_file() {
	rm -f "$1/$BENCH_FILE_NAME"
	fallocate -l 1G "$1/$BENCH_FILE_NAME" || return 1
	chmod 666 "$1/$BENCH_FILE_NAME"
}

# fio_run OUT RW BS DEPTH SECS FILE [EXTRA...]: one fio job, JSON in OUT.
fio_run() {
	local out=$1 rw=$2 bs=$3 depth=$4 secs=$5 file=$6
	shift 6
	timeout -k 5 $((secs + 60)) fio --name=bench --filename="$file" \
		--rw="$rw" --bs="$bs" --iodepth="$depth" --size=1g \
		--runtime="$secs" --direct=1 --ioengine=libaio \
		--fallocate=none --randrepeat=0 --norandommap "$@" \
		--output-format=json --output="$out" >/dev/null 2>&1
}

# fio_figures OUT: "BYTES MIBPS IOPS" of the job's read or write side.
fio_figures() {
	python3 - "$1" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
side = j["read"] if j["read"]["io_bytes"] > 0 else j["write"]
print(side["io_bytes"], round(side["bw_bytes"] / 1048576, 2),
      round(side["iops"], 1))
PYEOF
}

# SERVER_CPU: a command printing the server's CPU jiffies (pid_cpu PID or
# ksmbd_cpu), set by the scenario.
SERVER_CPU=

# fio_measure SERVER TRANSPORT TEST UNIT REP RW BS DEPTH SECS MNT [EXTRA...]
# One fio run; records its MiB/s or IOPS and, for sequential tests, the
# server's and the whole guest's CPU seconds per GiB.
fio_measure() {
	local srv=$1 tr=$2 test=$3 unit=$4 rep=$5 rw=$6 bs=$7 depth=$8
	local secs=$9 mnt=${10} out=/tmp/fio-$3.json s0 s1 g0 g1 bytes mibps iops
	shift 10
	s0=$($SERVER_CPU)
	g0=$(guest_busy)
	# (No process substitution: the guest has no /dev/fd.)
	if ! fio_run "$out" "$rw" "$bs" "$depth" "$secs" "$mnt/$BENCH_FILE_NAME" "$@" ||
		! read -r bytes mibps iops <<<"$(fio_figures "$out")" ||
		[ -z "$iops" ]; then
		glog "fio $test on $srv/$tr failed"
		return 1
	fi
	s1=$($SERVER_CPU)
	g1=$(guest_busy)
	if [ "$unit" = IOPS ]; then
		sample "$srv" "$tr" "$test" IOPS "$iops" "$rep"
	else
		sample "$srv" "$tr" "$test" MiB/s "$mibps" "$rep"
		sample "$srv" "$tr" "$test-server-cpu" s/GiB \
			"$(per_gib $((s1 - s0)) "$bytes")" "$rep"
		sample "$srv" "$tr" "$test-guest-cpu" s/GiB \
			"$(per_gib $((g1 - g0)) "$bytes")" "$rep"
	fi
}

# bench_mount SERVER TRANSPORT REP MNT: the whole file-system set.
bench_mount() {
	local srv=$1 tr=$2 rep=$3 mnt=$4 d md c='' s='' del=''
	for d in 1 16; do
		fio_measure "$srv" "$tr" "seq-write-q$d" MiB/s "$rep" write 1m "$d" \
			"$BENCH_SEQ_SECS" "$mnt"
		fio_measure "$srv" "$tr" "seq-read-q$d" MiB/s "$rep" read 1m "$d" \
			"$BENCH_SEQ_SECS" "$mnt"
	done
	fio_measure "$srv" "$tr" rand-read-4k IOPS "$rep" randread 4k 16 \
		"$BENCH_RAND_SECS" "$mnt" --io_size="${BENCH_RAND_MIB}m"
	fio_measure "$srv" "$tr" rand-write-4k IOPS "$rep" randwrite 4k 16 \
		"$BENCH_RAND_SECS" "$mnt" --io_size="${BENCH_RAND_MIB}m"
	md=$(timeout -k 5 $((BENCH_MD_SECS * 3 + 150)) python3 \
		"$BENCH_DIR/metadata.py" "$mnt/md-$tr-$rep" "$BENCH_MD_FILES" \
		"$BENCH_MD_SECS")
	if [ -n "$md" ]; then
		read -r c s del <<<"$(python3 -c 'import json, sys
j = json.loads(sys.argv[1])
print(round(j["create"], 1), round(j["stat"], 1), round(j["delete"], 1))' "$md")"
		sample "$srv" "$tr" md-create ops/s "$c" "$rep"
		sample "$srv" "$tr" md-stat ops/s "$s" "$rep"
		sample "$srv" "$tr" md-delete ops/s "$del" "$rep"
		glog "metadata $srv/$tr: $md"
	else
		glog "metadata test on $srv/$tr failed"
	fi
}

# bench_mount_both SERVER: mount over SMB Direct and TCP at once
# (nosharesock: two connections), then BENCH_REPS rounds of bench_mount,
# the transports interleaved so drift in the host's load hits both.
BENCH_MNT_RDMA=/mnt/bench-rdma
BENCH_MNT_TCP=/mnt/bench-tcp
bench_mount_both() {
	local srv=$1 rep tr ok_rdma=0 ok_tcp=0
	mkdir -p "$BENCH_MNT_RDMA" "$BENCH_MNT_TCP"
	if check "$srv:mount-rdma" mount -t cifs "//$VM_IP/share" "$BENCH_MNT_RDMA" \
		-o "username=$G_USER,password=$G_PASS,rdma,vers=3.1.1,nosharesock"; then
		if grep -q 'SMBDirect' /proc/fs/cifs/DebugData &&
			! grep -q 'SMBDirect transport not available' /proc/fs/cifs/DebugData; then
			ok_rdma=1
			result PASS "$srv:rdma-on-smbdirect"
		else
			result FAIL "$srv:rdma-on-smbdirect" "DebugData shows no SMB Direct"
		fi
	fi
	check "$srv:mount-tcp" mount -t cifs "//$VM_IP/share" "$BENCH_MNT_TCP" \
		-o "username=$G_USER,password=$G_PASS,vers=3.1.1,nosharesock" && ok_tcp=1
	[ $ok_rdma = 1 ] || na "$srv" rdma all "the SMB Direct mount failed"
	[ $ok_tcp = 1 ] || na "$srv" tcp all "the TCP mount failed"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for tr in rdma tcp; do
			[ "$tr" = rdma ] && [ $ok_rdma = 0 ] && continue
			[ "$tr" = tcp ] && [ $ok_tcp = 0 ] && continue
			glog "round $rep/$BENCH_REPS: $srv over $tr"
			if [ "$tr" = rdma ]; then
				bench_mount "$srv" rdma "$rep" "$BENCH_MNT_RDMA"
			else
				bench_mount "$srv" tcp "$rep" "$BENCH_MNT_TCP"
			fi
		done
	done
}

bench_umount_both() {
	local m
	for m in "$BENCH_MNT_RDMA" "$BENCH_MNT_TCP"; do
		grep -q " $m cifs " /proc/mounts || continue
		timeout -k 5 60 umount "$m" || timeout 30 umount -l "$m"
	done
}

# idle_ready PID: the idle client has opened its connections or died.
idle_ready() {
	grep -q '^OPEN' /tmp/idle.out || ! kill -0 "$1" 2>/dev/null
}

# idle_conns SERVER RSS_PID: BENCH_IDLE_CONNS TCP connections with one
# SMB2 NEGOTIATE each, held idle; memory per connection: the server's
# RSS (RSS_PID, empty for ksmbd.ko) and the guest kernel's slab, stacks
# and page tables (which hold the client's sockets too, the same for
# every server), BENCH_REPS times.
idle_conns() {
	local srv=$1 pid=$2 rep r0 r1 k0 k1 line n client
	ulimit -n 8192
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		sync
		echo 2 >/proc/sys/vm/drop_caches
		sleep 1
		k0=$(kernel_mem_kib)
		r0=0
		[ -n "$pid" ] && r0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
		python3 "$BENCH_DIR/idleconns.py" "$VM_IP" 445 "$BENCH_IDLE_CONNS" 300 \
			>/tmp/idle.out 2>&1 </dev/null &
		client=$!
		wait_for 150 idle_ready "$client"
		sleep 2
		k1=$(kernel_mem_kib)
		r1=0
		[ -n "$pid" ] && r1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
		line=$(grep '^OPEN' /tmp/idle.out)
		kill "$client" 2>/dev/null
		wait "$client" 2>/dev/null
		glog "idle client exit status $? after: $(tail -c 300 /tmp/idle.out)"
		n=$(awk '{ print $2 }' <<<"$line")
		glog "idle connections to $srv: $line; rss $r0 -> $r1 KiB, kernel $k0 -> $k1 KiB"
		if [ -z "$n" ] || [ "$n" -eq 0 ]; then
			na "$srv" tcp idle-conn-kernel "no idle connection could be opened: $(cat /tmp/idle.out)"
			return 1
		fi
		[ -n "$pid" ] && sample "$srv" tcp idle-conn-rss KiB/conn \
			"$(awk -v a="$r0" -v b="$r1" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')" "$rep"
		sample "$srv" tcp idle-conn-kernel KiB/conn \
			"$(awk -v a="$k0" -v b="$k1" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')" "$rep"
		sample "$srv" tcp idle-conn-total KiB/conn \
			"$(awk -v a="$((k0 + r0))" -v b="$((k1 + r1))" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')" "$rep"
		sample "$srv" tcp idle-conn-count conns "$n" "$rep"
		# Let the server notice the closes before the next round.
		sleep 3
	done
}

# profile_rdma PID: where our server spends its time on the SMB Direct
# path, during a sequential read and a sequential write (1 MiB, queue
# depth 16): each thread's user and system CPU time over the run
# (/proc/PID/task/*/stat) and BENCH_PROFILE_SAMPLES stack samples of all
# threads taken with gdb (a poor man's profiler: perf's cpu-clock
# sampling does not work in this TCG guest, its samples land almost all
# in the idle loop), and the kernel stacks of its running threads every
# 20 ms (bench/stacks.py ksample).  Summaries in
# /vmout/profile-{read,write}.txt.
BENCH_PROFILE_SAMPLES=${BENCH_PROFILE_SAMPLES:-12}
profile_rdma() {
	local pid=$1 rw fio_pid i t0
	command -v gdb >/dev/null || {
		glog "gdb not installed: no profile"
		return 1
	}
	for rw in read write; do
		rm -f "/tmp/prof-$rw".*
		cat /proc/"$pid"/task/*/stat >"/tmp/prof-$rw.stat0"
		fio_run "/tmp/fio-prof-$rw.json" "$rw" 1m 16 "$BENCH_PROFILE_SECS" \
			"$BENCH_MNT_RDMA/$BENCH_FILE_NAME" &
		fio_pid=$!
		sleep 1
		python3 "$BENCH_DIR/stacks.py" ksample "$pid" \
			$((BENCH_PROFILE_SECS - 2)) "/tmp/prof-$rw.k" &
		t0=$SECONDS
		for ((i = 0; i < BENCH_PROFILE_SAMPLES; i++)); do
			kill -0 "$fio_pid" 2>/dev/null || break
			((SECONDS - t0 < BENCH_PROFILE_SECS)) || break
			echo "=== sample $i" >>"/tmp/prof-$rw.bt"
			timeout 30 gdb -p "$pid" -batch -nx -ex 'set pagination off' \
				-ex 'thread apply all bt 16' >>"/tmp/prof-$rw.bt" 2>/dev/null
			sleep 0.3
		done
		wait "$fio_pid"
		wait
		cat /proc/"$pid"/task/*/stat >"/tmp/prof-$rw.stat1"
		python3 "$BENCH_DIR/stacks.py" "$rw" "/tmp/prof-$rw.stat0" \
			"/tmp/prof-$rw.stat1" "/tmp/prof-$rw.bt" "/tmp/fio-prof-$rw.json" \
			"/tmp/prof-$rw.k" >"/vmout/profile-$rw.txt" 2>&1
		glog "profile of the seq $rw: /vmout/profile-$rw.txt"
	done
}
