# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# guest-lib.sh - helpers for scenarios (tests/vm/scenarios/*), which run
# inside the guest as root, started by guest-init with VM_REPO, VM_CACHE,
# VM_RESULTS, VM_IP (10.99.0.1, veth0 and rxe0) set.
#
# A scenario reports each case with `result PASS|FAIL|SKIP CASE [why]`;
# tests/vm/run turns the lines into "PASS vm:SCENARIO:CASE" on the host.
# Every command that talks to a server runs under `timeout`.

G_FAILS=0
G_TIMEOUT=${G_TIMEOUT:-300}

glog() {
	echo "[$VM_SCENARIO $(date +%H:%M:%S)] $*"
}

# result STATUS CASE [why]
result() {
	local line="$1 $2${3:+ ($3)}"
	[ "$1" = FAIL ] && G_FAILS=$((G_FAILS + 1))
	echo "$line" >>"$VM_RESULTS"
	echo "$line"
}

# check CASE CMD...: run CMD (bounded by G_TIMEOUT), PASS if it succeeds;
# on failure its output's tail is shown.
check() {
	local name=$1 out rc
	shift
	out=$(timeout -k 5 "$G_TIMEOUT" "$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		result PASS "$name"
		return 0
	fi
	result FAIL "$name" "exit $rc: $*"
	echo "$out" | tail -15 | sed 's/^/    | /'
	return 1
}

# g_finish: the scenario's exit status from its results.
g_finish() {
	glog "done: $G_FAILS failed"
	[ "$G_FAILS" -eq 0 ]
	exit
}

# load_cached_module NAME: load the SMB Direct build of NAME.ko from
# $VM_CACHE/modules (not Debian's, which has SMB Direct off), after its
# dependencies from the guest kernel's own modules tree.
load_cached_module() {
	local ko=$VM_CACHE/modules/$1.ko deps
	deps=$(modinfo -F depends "$ko" | tr ',' ' ')
	# shellcheck disable=SC2086
	[ -z "$deps" ] || modprobe -a $deps || return 1
	insmod "$ko"
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local limit=$(($1 * 5)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

tcp_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# random_file PATH MIB
random_file() {
	dd if=/dev/urandom of="$1" bs=1M count="$2" status=none
}

sha256() {
	sha256sum "$1" | cut -d' ' -f1
}

# mib_per_s BYTES SECONDS_FLOAT
mib_per_s() {
	awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) s = 0.001; printf "%.1f", b / 1048576 / s }'
}

now() {
	date +%s.%N
}

elapsed() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}
