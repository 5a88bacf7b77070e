#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 25-smbcacls: security descriptors with Samba's smbcacls, a real client:
# read the descriptor synthesized from a file's POSIX owner/group/mode,
# add a DENY ACE and see smbclient's write refused, replace the DACL and
# see the write allowed, and read the stored descriptor back after a
# server restart (it lives in the user.smbdirect.sd xattr).
# smbcacls (Samba 4.17) has no port option and always dials 445, so the
# stage needs root and a free 445 on 127.0.0.1; otherwise it is skipped.
# It checks smbdirectd's own SID mapping (S-1-22-1-uid), so it does not
# run against Samba.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init smbcacls
it_require_cmd smbcacls smbclient
it_require_server
[ "$SMBD_UNDER_TEST" = smbdirectd ] ||
	it_skip_all "checks smbdirectd's SID mapping, not $SMBD_UNDER_TEST's"
[ "$(id -u)" -eq 0 ] || it_skip_all "smbcacls dials port 445 only: needs root"
if ss -ltn 2>/dev/null | grep -q '[:.]445 '; then
	it_skip_all "port 445 is already in use here"
fi
it_init_port() { IT_PORT=445; }
it_one_share_server auto

OUT=$IT_DIR/cacls.out
uid=$(id -u)
gid=$(id -g)
cacls() {
	timeout -k 5 "$IT_CLIENT_TIMEOUT" smbcacls //127.0.0.1/share \
		-U "$USER%$PASS" --numeric "$@" >"$OUT" 2>&1 </dev/null
}
put_file() {
	printf 'data %s\n' "$1" >"$IT_DIR/up.txt"
	it_smbclient //127.0.0.1/share -U "$USER%$PASS" \
		-c "put $IT_DIR/up.txt f.txt" >"$OUT"
}

printf 'hello\n' >"$SHARE/f.txt"
chmod 0640 "$SHARE/f.txt"

# 1. The synthesized descriptor: owner/group from the file, three ACEs.
cacls f.txt
rc=$?
if [ $rc -eq 0 ] && grep -qx "OWNER:S-1-22-1-$uid" "$OUT" &&
	grep -qx "GROUP:S-1-22-2-$gid" "$OUT" &&
	[ "$(grep -c '^ACL:' "$OUT")" -eq 3 ] &&
	grep -q '^ACL:S-1-1-0:0/0x0/0x00120080$' "$OUT"; then
	result PASS synthesized
else
	result FAIL synthesized "exit $rc: $(tr '\n' ' ' <"$OUT" | head -c 300)"
fi

# 2. Deny Everyone FILE_WRITE_DATA: smbclient's put is refused.
cacls f.txt -a "ACL:S-1-1-0:DENIED/0x0/0x00000002"
it_check_ok add-deny $? "$OUT"
cacls f.txt
if grep -q '^ACL:S-1-1-0:1/0x0/0x00000002$' "$OUT"; then
	result PASS add-deny-read-back
else
	result FAIL add-deny-read-back "$(tr '\n' ' ' <"$OUT" | head -c 300)"
fi
put_file 1
it_check_refused write-denied $? "$OUT" NT_STATUS_ACCESS_DENIED

# 3. Replace the DACL with one full-control ACE for our user: put works.
cacls f.txt -S "ACL:S-1-22-1-$uid:ALLOWED/0x0/FULL"
it_check_ok set-full $? "$OUT"
put_file 2
it_check_ok write-allowed $? "$OUT"
if [ "$(cat "$SHARE/f.txt")" = "data 2" ]; then
	result PASS write-content
else
	result FAIL write-content "file holds '$(head -c 40 "$SHARE/f.txt")'"
fi

# 4. The stored descriptor survives a restart.
it_stop_server
it_start_or_fail
cacls f.txt
if grep -qx "ACL:S-1-22-1-$uid:0/0x0/0x001f01ff" "$OUT" &&
	[ "$(grep -c '^ACL:' "$OUT")" -eq 1 ]; then
	result PASS stored-after-restart
else
	result FAIL stored-after-restart "$(tr '\n' ' ' <"$OUT" | head -c 300)"
fi

it_check_alive
it_finish
