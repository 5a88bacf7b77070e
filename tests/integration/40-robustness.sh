#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 40-robustness: hostile clients must not disturb a real one.
# While smbclient copies a 64 MiB file up and back (SHA-256 checked),
# rawclients.py runs 20 rounds (over 6 s at least) of: 1 MiB of random garbage, a length
# header with a truncated body, a NEGOTIATE followed by half a PDU, half a
# NEGOTIATE, length headers at/above 16 MiB - 1; plus idle connections.
# Afterwards the server must still run (same pid), accept a new session,
# and not hold on to the dead connections' descriptors.
# SMBD_UNDER_TEST=samba runs it against Samba's smbd (see lib.sh).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init robustness
it_require_cmd smbclient sha256sum
it_require_server

it_one_share_server auto
PID=$IT_SERVER_PID
fd_count() { ls "/proc/$PID/fd" 2>/dev/null | wc -l; }
FDS_BEFORE=$(fd_count)

BIG=$IT_DIR/big.bin
it_random_file "$BIG" 64
BIG_SHA=$(it_sha256 "$BIG")
OUT=$IT_DIR/out.txt

timeout -k 5 240 "$IT_PY" "$IT_ROOT/tests/integration/rawclients.py" \
	"$IT_PORT" 20 4 6 >"$IT_LOGS/rawclients.log" 2>&1 &
FLOOD=$!
sleep 0.3

# Copy up and back until the hostile clients are done (at least once,
# at most 6 times, so the copy surely overlaps them).
copies=0
copy_fail=
while :; do
	copies=$((copies + 1))
	rm -f "$IT_DIR/got.bin"
	it_smbclient //127.0.0.1/share -U "$USER%$PASS" \
		-c "put \"$BIG\" big$copies.bin; get big$copies.bin \"$IT_DIR/got.bin\"; rm big$copies.bin" \
		>"$OUT"
	rc=$?
	if [ $rc -ne 0 ] || grep -q NT_STATUS_ "$OUT"; then
		copy_fail="copy $copies: exit $rc $(it_nt_status "$OUT" | tr '\n' ' ')"
		sed 's/^/    | /' "$OUT" | tail -6
		break
	fi
	if [ "$(it_sha256 "$IT_DIR/got.bin")" != "$BIG_SHA" ]; then
		copy_fail="copy $copies: SHA-256 differs"
		break
	fi
	kill -0 "$FLOOD" 2>/dev/null || break
	[ $copies -lt 6 ] || break
done
if [ -z "$copy_fail" ]; then
	result PASS copy-during-attack "$copies copies of 64 MiB"
else
	result FAIL copy-during-attack "$copy_fail"
fi

wait "$FLOOD"
rc=$?
sed 's/^/    | /' "$IT_LOGS/rawclients.log"
if [ $rc -eq 0 ]; then
	result PASS hostile-clients
else
	result FAIL hostile-clients "rawclients.py exit $rc: $(grep -m1 FAILURE "$IT_LOGS/rawclients.log")"
fi

if kill -0 "$PID" 2>/dev/null; then
	result PASS server-same-pid
else
	result FAIL server-same-pid "server pid $PID is gone; see $IT_SERVER_LOG"
fi

it_smbclient //127.0.0.1/share -U "$USER%$PASS" -c "ls" >"$OUT"
it_check_ok new-session-after $? "$OUT"

# Every hostile connection is closed now: the server's descriptor count
# must come back to (about) where it started.
fds=$(fd_count)
for _ in $(seq 50); do
	[ "$fds" -le $((FDS_BEFORE + 2)) ] && break
	sleep 0.1
	fds=$(fd_count)
done
if [ "$fds" -le $((FDS_BEFORE + 2)) ]; then
	result PASS no-fd-leak "$FDS_BEFORE -> $fds"
else
	result FAIL no-fd-leak "$FDS_BEFORE fds before, $fds after"
fi

it_check_alive
it_finish
