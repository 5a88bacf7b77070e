# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# lib.sh - shared functions for the host integration stages
# (tests/integration/[0-9]*.sh, run by ci/check.sh through `make check`).
#
# A stage sources this file, calls it_init SUITE, writes a ksmbd.conf with
# it_conf (heredoc on stdin), adds users with it_user, starts the server
# with it_start_server and reports every case with
#     result PASS|FAIL|SKIP CASE [why]
# which appends "PASS SUITE:CASE" etc. to build/results/SUITE.txt.  The
# stage ends with it_finish, which exits non-zero if any case failed.
#
# Server under test: build/bin/smbdirectd, started as
#     smbdirectd -n -c CONF -u PWDDB -p PORT -C CONTROL
# (CONTROL, $IT_CONTROL, is the stage's own control socket for
# ksmbd.control, so stages running side by side never share one)
# on a free loopback port, log in build/it/logs/SUITE/server.log; users go
# into the ksmbdpwd.db with build/bin/ksmbd.adduser (or, until that tool is
# built, tests/integration/pwddb.py, which writes the same format).  If
# smbdirectd is not built the stage reports one SKIP line and exits 0.
#
# Environment:
#   SMBD_UNDER_TEST=samba   Run Samba's smbd instead, with an smb.conf
#                           derived from the same ksmbd.conf.  Only for
#                           checking that the harness itself is right: Samba
#                           is a peer, never a part of the product.  Users
#                           live in a private passwd file through
#                           nss_wrapper (package libnss-wrapper) and a
#                           private tdbsam, so nothing in /etc changes.
#   IT_KEEP=1               Keep the stage's scratch dir under build/it/.
#   IT_RESULTS_DIR=DIR      Result files there (build/results); a stage run
#                           for comparison (55-samba-conformance) keeps its
#                           results out of make check's count this way.
#   IT_LOGS_ROOT=DIR        Logs under DIR/SUITE (build/it/logs).
#   IT_CLIENT_TIMEOUT=N     Seconds allowed for each client command (120).
#
# Scratch files live in build/it/SUITE.XXXXXX (removed on exit unless
# IT_KEEP=1); logs in build/it/logs/SUITE/ (kept until the next run).

IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IT_BUILD=$IT_ROOT/build
IT_PY=/usr/bin/python3 # Debian's python: python3-impacket lives there
IT_SMBD=$IT_BUILD/bin/smbdirectd
IT_ADDUSER=$IT_BUILD/bin/ksmbd.adduser
IT_CLIENT_TIMEOUT=${IT_CLIENT_TIMEOUT:-120}
SMBD_UNDER_TEST=${SMBD_UNDER_TEST:-smbdirectd}
IT_SERVER_PID=
IT_FAILS=0
IT_PASSES=0
IT_SKIPS=0

it_log() {
	echo "[$IT_SUITE $(date +%H:%M:%S)] $*"
}

# it_init SUITE: results file, scratch and log dirs, exit trap.
it_init() {
	IT_SUITE=$1
	IT_RESULTS_DIR=${IT_RESULTS_DIR:-$IT_BUILD/results}
	mkdir -p "$IT_RESULTS_DIR" "$IT_BUILD/it"
	IT_RESULTS=$IT_RESULTS_DIR/$IT_SUITE.txt
	: >"$IT_RESULTS"
	IT_LOGS=${IT_LOGS_ROOT:-$IT_BUILD/it/logs}/$IT_SUITE
	rm -rf "$IT_LOGS"
	mkdir -p "$IT_LOGS"
	IT_DIR=$(mktemp -d "$IT_BUILD/it/$IT_SUITE.XXXXXX")
	chmod 755 "$IT_DIR"
	IT_CONF=$IT_DIR/ksmbd.conf
	IT_PWDDB=$IT_DIR/ksmbdpwd.db
	IT_USERS=$IT_DIR/users.list
	IT_CONTROL=$IT_DIR/control.sock
	: >"$IT_USERS"
	IT_SERVER_LOG=$IT_LOGS/server.log
	trap it_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	it_log "server under test: $SMBD_UNDER_TEST; scratch $IT_DIR; logs $IT_LOGS"
}

it_cleanup() {
	local rc=$?
	it_stop_server
	if [ "${IT_KEEP:-0}" = 1 ]; then
		it_log "kept $IT_DIR"
	else
		rm -rf "$IT_DIR"
	fi
	return $rc
}

# result STATUS CASE [why]
result() {
	local status=$1 name=$2 why=${3:-}
	case $status in
	PASS) IT_PASSES=$((IT_PASSES + 1)) ;;
	FAIL) IT_FAILS=$((IT_FAILS + 1)) ;;
	SKIP) IT_SKIPS=$((IT_SKIPS + 1)) ;;
	*)
		echo "result: bad status '$status'" >&2
		IT_FAILS=$((IT_FAILS + 1))
		status=FAIL
		;;
	esac
	local line="$status $IT_SUITE:$name${why:+ ($why)}"
	echo "$line" >>"$IT_RESULTS"
	echo "$line"
}

# it_finish: summary line and exit status of the stage.
it_finish() {
	it_log "$IT_PASSES passed, $IT_FAILS failed, $IT_SKIPS skipped"
	[ "$IT_FAILS" -eq 0 ] && exit 0
	exit 1
}

# it_skip_all WHY: the whole stage cannot run here.
it_skip_all() {
	result SKIP all "$1"
	exit 0
}

# it_require_cmd CMD...: skip the stage if a client tool is missing.
it_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || it_skip_all "$c not installed"
	done
}

# it_require_server: skip the stage if there is no server to test.
it_require_server() {
	case $SMBD_UNDER_TEST in
	samba)
		it_require_cmd smbd smbpasswd
		[ -e "$(it_nss_wrapper_lib)" ] ||
			it_skip_all "libnss-wrapper not installed (needed for SMBD_UNDER_TEST=samba)"
		;;
	smbdirectd)
		[ -x "$IT_SMBD" ] || it_skip_all "build/bin/smbdirectd not built"
		;;
	*)
		echo "SMBD_UNDER_TEST must be smbdirectd or samba" >&2
		exit 2
		;;
	esac
}

# it_require_impacket: install Debian's python3-impacket if missing (as
# ci/deps.sh does for the other packages); skip the stage if that fails.
it_require_impacket() {
	"$IT_PY" -c 'import impacket' 2>/dev/null && return 0
	it_log "installing python3-impacket"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	if ! DEBIAN_FRONTEND=noninteractive timeout 600 $sudo apt-get install -y -q \
		python3-impacket >"$IT_LOGS/apt.log" 2>&1; then
		timeout 300 $sudo apt-get update -q >>"$IT_LOGS/apt.log" 2>&1
		DEBIAN_FRONTEND=noninteractive timeout 600 $sudo apt-get install -y -q \
			python3-impacket >>"$IT_LOGS/apt.log" 2>&1
	fi
	"$IT_PY" -c 'import impacket' 2>/dev/null && return 0
	return 1
}

# it_free_port: print a TCP port nobody listens on at 127.0.0.1.
it_free_port() {
	"$IT_PY" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# it_conf: write the ksmbd.conf for this stage from stdin.  Call after
# IT_PORT is set (it_init_port) so the heredoc can use it.
it_conf() {
	cat >"$IT_CONF"
}

it_init_port() {
	IT_PORT=$(it_free_port)
}

# it_global_defaults [SIGNING]: the [global] section every stage wants,
# with server signing = SIGNING (auto|mandatory|disabled; default auto),
# plus the line in IT_EXTRA_GLOBAL if set.
it_global_defaults() {
	cat <<EOF
[global]
	netbios name = ITEST
	workgroup = WORKGROUP
	server string = ksmbd-direct integration test
	interfaces = 127.0.0.1
	bind interfaces only = yes
	tcp port = $IT_PORT
	server signing = ${1:-auto}
	server min protocol = SMB2_02
	map to guest = never
	${IT_EXTRA_GLOBAL:-}
EOF
}

# it_share_dir NAME: make a share directory under the scratch dir.
it_share_dir() {
	local d=$IT_DIR/shares/$1
	mkdir -p "$d"
	# Samba switches to the user's uid; smbdirectd does not care.
	chmod 777 "$d"
	echo "$d"
}

# it_user NAME PASS: add a user to the server's database.
it_user() {
	echo "$1 $2" >>"$IT_USERS"
	[ "$SMBD_UNDER_TEST" = samba ] && return 0 # done at start
	if [ -x "$IT_ADDUSER" ]; then
		"$IT_ADDUSER" --pwddb="$IT_PWDDB" -a "$1" -p "$2" \
			>>"$IT_LOGS/adduser.log" 2>&1
	else
		"$IT_PY" "$IT_ROOT/tests/integration/pwddb.py" "$IT_PWDDB" "$1" "$2"
	fi
}

it_nss_wrapper_lib() {
	local f
	for f in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
		[ -e "$f" ] && {
			echo "$f"
			return
		}
	done
	echo /nonexistent/libnss_wrapper.so
}

# Samba peer: derive smb.conf from ksmbd.conf (same INI dialect; only the
# port key differs) plus Samba's private state directories.
it_samba_conf() {
	local s=$IT_DIR/samba
	mkdir -p "$s"/{private,lock,state,cache,pid,ncalrpc,log,binddns}
	IT_SAMBA_CONF=$s/smb.conf
	awk -v s="$s" -v logs="$IT_LOGS" '
	/^[ \t]*tcp port[ \t]*=/ { sub(/tcp port/, "smb ports"); print; next }
	{ print }
	/^[ \t]*\[global\]/ {
		print "\tserver role = standalone server"
		print "\tpassdb backend = tdbsam:" s "/private/passdb.tdb"
		print "\tprivate dir = " s "/private"
		print "\tlock directory = " s "/lock"
		print "\tstate directory = " s "/state"
		print "\tcache directory = " s "/cache"
		print "\tpid directory = " s "/pid"
		print "\tncalrpc dir = " s "/ncalrpc"
		print "\tbinddns dir = " s "/binddns"
		print "\tlog file = " logs "/samba.%m.log"
		print "\tload printers = no"
		print "\tprinting = bsd"
		print "\tprintcap name = /dev/null"
		print "\tdisable spoolss = yes"
		print "\tunix password sync = no"
		print "\tvfs objects = acl_xattr streams_xattr"
		print "\tea support = yes"
		print "\tstore dos attributes = yes"
		print "\tmap acl inherit = yes"
	}' "$IT_CONF" >"$IT_SAMBA_CONF"
	# Private passwd/group for nss_wrapper; uids start at 20000.
	export NSS_WRAPPER_PASSWD=$s/passwd NSS_WRAPPER_GROUP=$s/group
	{
		echo "root:x:0:0:root:/root:/bin/false"
		echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false"
	} >"$NSS_WRAPPER_PASSWD"
	{
		echo "root:x:0:"
		echo "nogroup:x:65534:"
		echo "itusers:x:20000:"
	} >"$NSS_WRAPPER_GROUP"
	local uid=20000 name pass
	while read -r name pass; do
		uid=$((uid + 1))
		echo "$name:x:$uid:20000:$name:$IT_DIR:/bin/false" >>"$NSS_WRAPPER_PASSWD"
	done <"$IT_USERS"
	while read -r name pass; do
		printf '%s\n%s\n' "$pass" "$pass" |
			LD_PRELOAD=$(it_nss_wrapper_lib) timeout 30 smbpasswd \
				-c "$IT_SAMBA_CONF" -a -s "$name" >>"$IT_LOGS/smbpasswd.log" 2>&1 ||
			return 1
	done <"$IT_USERS"
}

# it_port_listening PORT: some socket listens on TCP PORT (read from
# /proc, so no client connection disturbs the server and no iproute2 needed).
it_port_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# it_start_server: start the server under test and wait (at most 10 s)
# for it to listen.  Returns non-zero (after logging why) on failure.
it_start_server() {
	: >"$IT_SERVER_LOG"
	case $SMBD_UNDER_TEST in
	samba)
		it_samba_conf || {
			it_log "could not set up Samba users (see $IT_LOGS/smbpasswd.log)"
			return 1
		}
		# Own session/process group, so stopping it takes its children.
		LD_PRELOAD=$(it_nss_wrapper_lib) setsid smbd -F --no-process-group \
			-s "$IT_SAMBA_CONF" --debug-stdout -d ${IT_SAMBA_DEBUG:-1} \
			>>"$IT_SERVER_LOG" 2>&1 </dev/null &
		;;
	*)
		setsid "$IT_SMBD" -n ${IT_SMBD_ARGS:-} -c "$IT_CONF" -u "$IT_PWDDB" -p "$IT_PORT" \
			-C "$IT_CONTROL" >>"$IT_SERVER_LOG" 2>&1 </dev/null &
		;;
	esac
	IT_SERVER_PID=$!
	for _ in $(seq 100); do
		if ! kill -0 "$IT_SERVER_PID" 2>/dev/null; then
			it_log "server exited before listening; log tail:"
			tail -20 "$IT_SERVER_LOG"
			IT_SERVER_PID=
			return 1
		fi
		if it_port_listening "$IT_PORT"; then
			it_log "server pid $IT_SERVER_PID listening on 127.0.0.1:$IT_PORT"
			return 0
		fi
		sleep 0.1
	done
	it_log "server not listening on $IT_PORT after 10 s; log tail:"
	tail -20 "$IT_SERVER_LOG"
	return 1
}

# it_one_share_server [SIGNING]: the common set-up: a free port, one
# writable share [share] in $SHARE, user $USER / $PASS, server started.
it_one_share_server() {
	it_init_port
	SHARE=$(it_share_dir share)
	USER=ituser
	PASS=itpass
	it_conf <<EOF
$(it_global_defaults "${1:-auto}")

[share]
	path = $SHARE
	comment = integration share
	read only = no
EOF
	it_user "$USER" "$PASS"
	it_start_or_fail
}

# it_start_or_fail: it_start_server; if that fails, report and end the stage.
it_start_or_fail() {
	it_start_server && return 0
	result FAIL server-start "see $IT_SERVER_LOG"
	it_finish
}

it_server_alive() {
	[ -n "$IT_SERVER_PID" ] && kill -0 "$IT_SERVER_PID" 2>/dev/null
}

# it_check_alive: the closing case of every stage.
it_check_alive() {
	if it_server_alive; then
		result PASS server-alive
	else
		result FAIL server-alive "server died; see $IT_SERVER_LOG"
	fi
}

# it_stop_server: TERM, then KILL after 5 s; the server was started in
# its own process group (setsid), which is signalled as a whole.
it_stop_server() {
	[ -n "$IT_SERVER_PID" ] || return 0
	local pid=$IT_SERVER_PID
	IT_SERVER_PID=
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		it_log "server $pid ignored SIGTERM for 5 s, killing"
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	fi
	# Samba's helpers may outlive the parent briefly; they are in the group.
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$SMBD_UNDER_TEST" = samba ] && it_stop_samba_helpers
	return 0
}

# samba-dcerpcd (started on demand by smbd for -L) makes its own session;
# find it and its rpcd_* workers by our private smb.conf path.
it_stop_samba_helpers() {
	[ -n "${IT_SAMBA_CONF:-}" ] || return 0
	local f p pids=
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		tr '\0' ' ' <"$f" 2>/dev/null |
			grep -qF -- "--configfile=$IT_SAMBA_CONF " && pids="$pids $p"
	done
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	sleep 0.5
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	return 0
}

# it_smbclient ARGS...: smbclient against the server, bounded in time.
# Output (stdout+stderr) goes to stdout.
it_smbclient() {
	timeout -k 5 "$IT_CLIENT_TIMEOUT" smbclient -p "$IT_PORT" "$@" 2>&1 </dev/null
}

# it_nt_status FILE: print the NT_STATUS_* codes found in FILE, one a line.
it_nt_status() {
	grep -o 'NT_STATUS_[A-Z0-9_]*' "$1" | sort -u
}

# it_check_ok CASE RC OUTFILE [EXTRA_OK_STATUS...]: PASS if RC is 0 and
# OUTFILE mentions no NT_STATUS_* other than the ones listed.
it_check_ok() {
	local name=$1 rc=$2 out=$3
	shift 3
	local st bad=
	for st in $(it_nt_status "$out"); do
		case " $* " in
		*" $st "*) ;;
		*) bad="$bad $st" ;;
		esac
	done
	if [ "$rc" -ne 0 ]; then
		result FAIL "$name" "exit $rc${bad:+,$bad}"
		sed 's/^/    | /' "$out" | tail -8
		return 1
	fi
	if [ -n "$bad" ]; then
		result FAIL "$name" "unexpected${bad}"
		sed 's/^/    | /' "$out" | tail -8
		return 1
	fi
	result PASS "$name"
}

# it_check_refused CASE RC OUTFILE STATUS...: PASS if the command failed
# and printed one of the given NT_STATUS codes.
it_check_refused() {
	local name=$1 rc=$2 out=$3
	shift 3
	local st
	for st in "$@"; do
		if grep -q "$st\b" "$out"; then
			result PASS "$name"
			return 0
		fi
	done
	result FAIL "$name" "want $*; got exit $rc: $(it_nt_status "$out" | tr '\n' ' ')"
	sed 's/^/    | /' "$out" | tail -6
	return 1
}

# it_random_file PATH MIB: random content, made once per scratch dir.
it_random_file() {
	[ -s "$1" ] && return 0
	dd if=/dev/urandom of="$1" bs=1M count="$2" status=none
}

it_sha256() {
	sha256sum "$1" | cut -d' ' -f1
}
