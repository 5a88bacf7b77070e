#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 15-control: ksmbd.control against a running smbdirectd (TCP on loopback)
# over the server's control socket.  Counters after an smbclient put/get
# (connections, wire bytes, PDUs, no errors), the table and JSON forms,
# --debug switching debug logging on and off at run time, a non-root
# caller refused (file mode and SO_PEERCRED), a second server refused on a
# live socket, --shutdown stopping the server (exit 0, socket removed),
# and the "no server" exit code.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init control
it_require_cmd smbclient
it_require_server
[ "$SMBD_UNDER_TEST" = smbdirectd ] ||
	it_skip_all "ksmbd.control talks to smbdirectd only"
CTL=$IT_BUILD/bin/ksmbd.control
[ -x "$CTL" ] || it_skip_all "build/bin/ksmbd.control not built"

it_one_share_server
OUT=$IT_DIR/out.txt

ctl() {
	timeout -k 5 30 "$CTL" -C "$IT_CONTROL" "$@"
}

debug_lines() {
	grep -c ' debug: ' "$IT_SERVER_LOG"
}

if [ -S "$IT_CONTROL" ] && [ "$(stat -c %a "$IT_CONTROL")" = 600 ]; then
	result PASS socket-mode
else
	result FAIL socket-mode "$IT_CONTROL missing or not mode 0600"
fi

# Traffic: one put and one get of a 1 MiB file.
FILE=$IT_DIR/one.bin
SIZE=$((1024 * 1024))
it_random_file "$FILE" 1
it_smbclient //127.0.0.1/share -U "$USER%$PASS" \
	-c "put \"$FILE\" one.bin; get one.bin \"$IT_DIR/back.bin\"" >"$OUT"
it_check_ok put-get $? "$OUT"

ctl --stats >"$OUT" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -Eq '^counter +tcp +rdma$' "$OUT" &&
	grep -Eq '^bytes_in +[0-9]+ +[0-9]+$' "$OUT" &&
	grep -Eq '^rdma_reads +- +[0-9]+$' "$OUT"; then
	result PASS stats-table
else
	result FAIL stats-table "exit $rc"
	sed 's/^/    | /' "$OUT" | head -20
fi

if ctl --stats --json >"$OUT" 2>&1 &&
	"$IT_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
size = int(sys.argv[2])
t = d["tcp"]
bad = []
if t["accepted"] < 1: bad.append("accepted %d < 1" % t["accepted"])
if t["closed"] < 1: bad.append("closed %d < 1" % t["closed"])
if t["active"] != t["accepted"] - t["closed"]: bad.append("active")
if t["bytes_in"] < size: bad.append("bytes_in %d < %d" % (t["bytes_in"], size))
if t["bytes_out"] < size: bad.append("bytes_out %d < %d" % (t["bytes_out"], size))
if t["pdus_in"] < 1 or t["pdus_out"] < 1: bad.append("pdus")
if t["errors"] != 0: bad.append("errors %d" % t["errors"])
if "rdma_reads" in t or "rdma_reads" not in d["rdma"]: bad.append("keys")
if bad:
    print(" ".join(bad)); sys.exit(1)
' "$OUT" "$SIZE" >"$IT_DIR/why.txt" 2>&1; then
	result PASS stats-counters
else
	result FAIL stats-counters "$(head -c 300 "$IT_DIR/why.txt") $(head -c 300 "$OUT")"
fi

# Debug logging switched on and off while the server runs.
before=$(debug_lines)
if ctl --debug debug; then
	it_smbclient //127.0.0.1/share -U "$USER%$PASS" -c ls >"$OUT"
	after=$(debug_lines)
	if [ "$after" -gt "$before" ]; then
		result PASS debug-on
	else
		result FAIL debug-on "no debug lines in the log after --debug debug"
	fi
else
	result FAIL debug-on "ksmbd.control --debug debug failed"
fi
if ctl -d info; then
	before=$(debug_lines)
	it_smbclient //127.0.0.1/share -U "$USER%$PASS" -c ls >"$OUT"
	after=$(debug_lines)
	if [ "$after" -eq "$before" ]; then
		result PASS debug-off
	else
		result FAIL debug-off "$((after - before)) debug lines after --debug info"
	fi
else
	result FAIL debug-off "ksmbd.control -d info failed"
fi
ctl -d verbose >"$OUT" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "unknown level" "$OUT"; then
	result PASS debug-bad-level
else
	result FAIL debug-bad-level "exit $rc"
fi

# Garbage on the socket: one error line, then the server closes.
"$IT_PY" - "$IT_CONTROL" >"$OUT" 2>&1 <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"\x00\xffhello\n" + b"stats\n")
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
print(data.decode(errors="replace"), end="")
EOF
if [ "$(cat "$OUT")" = "error bad character in request" ]; then
	result PASS garbage-refused
else
	result FAIL garbage-refused "got: $(head -c 200 "$OUT")"
fi

# Not root: refused by the socket's mode, and by its credentials when
# the mode is opened up.  The caller tries to stop the server.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	result SKIP non-root-refused "needs root and setpriv"
	result SKIP non-root-peercred "needs root and setpriv"
else
	# A copy nobody can run, whatever the modes above build/ are.
	NDIR=$(mktemp -d /tmp/ksmbd-control-it.XXXXXX)
	cp "$CTL" "$NDIR/ksmbd.control"
	chmod 755 "$NDIR" "$NDIR/ksmbd.control"
	as_nobody() {
		timeout -k 5 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$NDIR/ksmbd.control" -C "$IT_CONTROL" "$@"
	}
	as_nobody --shutdown >"$OUT" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q '^ksmbd.control: .*permission denied' "$OUT" &&
		it_server_alive; then
		result PASS non-root-refused
	else
		result FAIL non-root-refused "exit $rc: $(head -c 200 "$OUT")"
	fi
	chmod 666 "$IT_CONTROL"
	as_nobody --shutdown >"$OUT" 2>&1
	rc=$?
	chmod 600 "$IT_CONTROL"
	if [ $rc -eq 1 ] && grep -q '^ksmbd.control: server: permission denied' "$OUT" &&
		it_server_alive && grep -q 'control: refused a client (uid 65534)' "$IT_SERVER_LOG"; then
		result PASS non-root-peercred
	else
		result FAIL non-root-peercred "exit $rc: $(head -c 200 "$OUT")"
	fi
	rm -rf "$NDIR"
fi

# A second server may not take over a live control socket.
PORT2=$(it_free_port)
timeout -k 5 20 "$IT_SMBD" -n -c "$IT_CONF" -u "$IT_PWDDB" -p "$PORT2" \
	-C "$IT_CONTROL" >"$OUT" 2>&1 </dev/null
rc=$?
if [ $rc -ne 0 ] && grep -q "another server is running" "$OUT" &&
	ctl --stats >/dev/null; then
	result PASS second-server-refused
else
	result FAIL second-server-refused "exit $rc: $(head -c 200 "$OUT")"
fi

it_check_alive

# --shutdown: the server exits 0 and removes its socket.
pid=$IT_SERVER_PID
ctl --shutdown >"$OUT" 2>&1
rc=$?
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ $rc -ne 0 ]; then
	result FAIL shutdown "ksmbd.control exit $rc: $(head -c 200 "$OUT")"
elif kill -0 "$pid" 2>/dev/null; then
	result FAIL shutdown "server still running 10 s later"
else
	wait "$pid"
	src=$?
	IT_SERVER_PID=
	if [ $src -eq 0 ] && [ ! -e "$IT_CONTROL" ]; then
		result PASS shutdown
	else
		result FAIL shutdown "server exit $src; socket left: $([ -e "$IT_CONTROL" ] && echo yes || echo no)"
	fi
fi

ctl --stats >"$OUT" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q "no server is running" "$OUT"; then
	result PASS no-server
else
	result FAIL no-server "exit $rc: $(head -c 200 "$OUT")"
fi

it_finish
