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

# The host stages' helpers (it_port_listening, it_random_file,
# it_sha256); its result() is replaced below by the guest's own.
# shellcheck source=tests/integration/lib.sh
. "$VM_REPO/tests/integration/lib.sh"

: "${VM_RESULTS:?guest-lib.sh runs in the guest, under guest-init}"
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

# check CASE CMD...: run CMD (a program bounded by G_TIMEOUT, or one of
# our shell functions, which bound their own waits), PASS if it succeeds;
# on failure its output's tail is shown.
check() {
	local name=$1 out rc
	shift
	if declare -F "$1" >/dev/null; then
		out=$("$@" 2>&1)
	else
		out=$(timeout -k 5 "$G_TIMEOUT" "$@" 2>&1)
	fi
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

# mib_per_s BYTES SECONDS_FLOAT
mib_per_s() {
	awk -v b="$1" -v s="$2" \
		'BEGIN { if (s <= 0) s = 0.001; printf "%.1f", b / 1048576 / s }'
}

now() {
	date +%s.%N
}

elapsed() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

# --- SMB client checks shared by cifs-tcp and ksmbd-ref -----------------

G_MNT=/mnt/smb
G_SHARE_DIR=/srv/share
G_USER=vmuser
G_PASS='Vm-pass 1'
G_BIG=/tmp/big.bin
G_BIG_MIB=${G_BIG_MIB:-256}

# make_share: the share directory and the G_BIG_MIB random file (once).
make_share() {
	mkdir -p "$G_SHARE_DIR" "$G_MNT"
	chmod 777 "$G_SHARE_DIR"
	[ -s "$G_BIG" ] && return 0
	it_random_file "$G_BIG" "$G_BIG_MIB"
	G_BIG_SHA=$(it_sha256 "$G_BIG")
	glog "random file $G_BIG: $G_BIG_MIB MiB, sha256 $G_BIG_SHA"
}

# smb_mount CASE OPTS: mount //$VM_IP/share on $G_MNT with extra OPTS.
smb_mount() {
	check "$1" mount -t cifs "//$VM_IP/share" "$G_MNT" \
		-o "username=$G_USER,password=$G_PASS,$2"
}

smb_umount() {
	local name=$1
	if ! timeout -k 5 60 umount "$G_MNT"; then
		result FAIL "$name" "umount failed"
		timeout 30 umount -l "$G_MNT"
		return 1
	fi
	if grep -q " $G_MNT cifs " /proc/mounts; then
		result FAIL "$name" "still mounted"
		return 1
	fi
	result PASS "$name"
}

# timed_copy CASE FROM TO: copy under a time limit; PASS with MiB/s.
timed_copy() {
	local name=$1 t0 secs rate
	t0=$(now)
	if ! timeout -k 5 "$G_TIMEOUT" cp "$2" "$3"; then
		result FAIL "$name" "cp $2 $3 failed or timed out"
		return 1
	fi
	# A write is done only when the server has the data.
	timeout -k 5 "$G_TIMEOUT" sync -f "$3" 2>/dev/null
	secs=$(elapsed "$t0")
	rate=$(mib_per_s $((G_BIG_MIB << 20)) "$secs")
	echo "THROUGHPUT $VM_SCENARIO $name: $rate MiB/s ($secs s)"
	result PASS "$name" "$rate MiB/s"
}

# timed_read_sha CASE FILE: read FILE under a time limit, hashing it on
# the way (no second copy in the guest's RAM-backed filesystem: the big
# file may be 1 GiB); PASS CASE with MiB/s, then CASE-sha256 compares.
timed_read_sha() {
	local name=$1 t0 secs rate got
	t0=$(now)
	got=$(set -o pipefail; timeout -k 5 "$G_TIMEOUT" cat "$2" | sha256sum | cut -d' ' -f1)
	if [ $? -ne 0 ] || [ -z "$got" ]; then
		result FAIL "$name" "reading $2 failed or timed out"
		return 1
	fi
	secs=$(elapsed "$t0")
	rate=$(mib_per_s $((G_BIG_MIB << 20)) "$secs")
	echo "THROUGHPUT $VM_SCENARIO $name: $rate MiB/s ($secs s)"
	result PASS "$name" "$rate MiB/s"
	if [ "$got" = "$G_BIG_SHA" ]; then
		result PASS "$name-sha256"
	else
		result FAIL "$name-sha256" "sha256 $got, want $G_BIG_SHA"
	fi
}

# same_sha CASE FILE: FILE has the big file's SHA-256.
same_sha() {
	local got
	got=$(it_sha256 "$2")
	if [ "$got" = "$G_BIG_SHA" ]; then
		result PASS "$1"
	else
		result FAIL "$1" "sha256 $got, want $G_BIG_SHA"
	fi
}

# copy_roundtrip PREFIX REMOUNT_OPTS: the big file into the share, a
# remount (so the read goes over the wire, not the page cache), the file
# back out; both SHA-256 equal to the original's, and the server's copy
# too.  Leaves the share mounted.
copy_roundtrip() {
	local p=$1 opts=$2
	timed_copy "$p:write" "$G_BIG" "$G_MNT/big.bin" || return 1
	same_sha "$p:server-sha256" "$G_SHARE_DIR/big.bin"
	smb_umount "$p:umount-after-write" || return 1
	smb_mount "$p:remount" "$opts" || return 1
	timed_read_sha "$p:read" "$G_MNT/big.bin"
}

# many_files PREFIX N: create N files, list them, rename all, delete all,
# checking the listing after each step (one python process does the
# loops: a fork per file is slow under TCG).
many_files() {
	local p=$1 n=$2 t0
	t0=$(now)
	check "$p:many-files" timeout 600 python3 - "$G_MNT/many" "$n" <<'PYEOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.mkdir(d)
for i in range(n):
    with open(f"{d}/f{i:04d}", "w") as f:
        f.write(f"file {i}\n")
names = sorted(os.listdir(d))
want = [f"f{i:04d}" for i in range(n)]
assert names == want, f"create/list: {len(names)} names, first {names[:3]}"
for i in range(n):
    os.rename(f"{d}/f{i:04d}", f"{d}/renamed-{i:04d}")
names = sorted(os.listdir(d))
want = [f"renamed-{i:04d}" for i in range(n)]
assert names == want, f"rename/list: {len(names)} names, first {names[:3]}"
with open(f"{d}/renamed-{n - 1:04d}") as f:
    assert f.read() == f"file {n - 1}\n", "content after rename"
for i in range(n):
    os.unlink(f"{d}/renamed-{i:04d}")
assert os.listdir(d) == [], "delete/list: directory not empty"
os.rmdir(d)
assert not os.path.exists(d), "rmdir"
print(f"created, listed, renamed and deleted {n} files")
PYEOF
	glog "$p: $n files created, renamed, deleted in $(elapsed "$t0") s"
}

# start_smbdirectd: our server from build/bin on TCP port 445 serving
# $G_SHARE_DIR as [share] to $G_USER; sets smbd_pid, logs to
# /vmout/smbdirectd.log.  Returns 1 (after a FAIL line) if it does not
# come up.
start_smbdirectd() {
	local smbd=$VM_REPO/build/bin/smbdirectd
	local adduser=$VM_REPO/build/bin/ksmbd.adduser
	local cfg=/tmp/smbdirectd
	if [ ! -x "$smbd" ] || [ ! -x "$adduser" ]; then
		result FAIL build "build/bin/smbdirectd or ksmbd.adduser not built (make all)"
		return 1
	fi
	mkdir -p "$cfg"
	cat >"$cfg/ksmbd.conf" <<CONF
[global]
	netbios name = VMTEST
	workgroup = WORKGROUP
	server string = ksmbd-direct vm test
	tcp port = 445
	server signing = auto
	server min protocol = SMB2_10
	map to guest = never

[share]
	path = $G_SHARE_DIR
	comment = vm test share
	read only = no
CONF
	check adduser "$adduser" -P "$cfg/ksmbdpwd.db" -a "$G_USER" \
		-p "$G_PASS" || return 1
	setsid "$smbd" -n -c "$cfg/ksmbd.conf" -u "$cfg/ksmbdpwd.db" \
		>/vmout/smbdirectd.log 2>&1 </dev/null &
	smbd_pid=$!
	if ! wait_for 20 it_port_listening 445; then
		result FAIL server-start "not listening on 445 after 20 s"
		tail -20 /vmout/smbdirectd.log
		return 1
	fi
	result PASS server-start
}

# stop_smbdirectd: PASS server-alive if it is still running, then stop it.
stop_smbdirectd() {
	if kill -0 "$smbd_pid" 2>/dev/null; then
		result PASS server-alive
	else
		result FAIL server-alive "smbdirectd died; see smbdirectd.log"
	fi
	kill -TERM "$smbd_pid" 2>/dev/null
}
