#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 30-security: authentication, share access rules, path confinement and
# mandatory signing.
#   - wrong password, unknown user (map to guest = never), anonymous (-N)
#     are refused;
#   - a read-only share refuses put, mkdir, rm, rename (reads still work);
#   - valid users / invalid users are enforced at tree connect;
#   - symlinks leading out of the share (escape -> /etc,
#     escape_file -> /etc/passwd) are refused, one staying inside
#     (inside -> subdir) works;
#   - raw SMB2 CREATE names "..\x", "a\..\..\x", "\etc\passwd", "C:\x"
#     (sent with impacket, since smbclient normalises "..") are refused;
#   - with server signing = mandatory, unsigned requests are refused
#     (impacket, dialects 2.0.2, 2.1, 3.0).
# SMBD_UNDER_TEST=samba runs it against Samba's smbd (see lib.sh).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init security
it_require_cmd smbclient
it_require_server

it_init_port
SHARE=$(it_share_dir share)
RO=$(it_share_dir ro)
ONLY=$(it_share_dir only)
BANNED=$(it_share_dir banned)
USER=ituser
PASS=itpass
OTHER=itother
OPASS=otherpass
it_conf <<EOF
$(it_global_defaults mandatory)

[share]
	path = $SHARE
	read only = no

[ro]
	path = $RO
	read only = yes

[only]
	path = $ONLY
	read only = no
	valid users = $USER

[banned]
	path = $BANNED
	read only = no
	invalid users = $USER
EOF
it_user "$USER" "$PASS"
it_user "$OTHER" "$OPASS"

# Content the server must keep to itself or must not change.
echo "read-only content" >"$RO/keep.txt"
chmod 644 "$RO/keep.txt"
mkdir -p "$SHARE/subdir"
echo "inside the share" >"$SHARE/subdir/inner.txt"
chmod -R a+rwX "$SHARE/subdir"
ln -s /etc "$SHARE/escape"
ln -s /etc/passwd "$SHARE/escape_file"
ln -s subdir "$SHARE/inside"
echo "outside the share" >"$IT_DIR/shares/outside.txt"

it_start_or_fail
OUT=$IT_DIR/out.txt

# --- authentication ---------------------------------------------------
it_smbclient //127.0.0.1/share -U "$USER%wrong-password" -c ls >"$OUT"
it_check_refused auth:wrong-password $? "$OUT" NT_STATUS_LOGON_FAILURE
it_smbclient //127.0.0.1/share -U "nosuchuser%$PASS" -c ls >"$OUT"
it_check_refused auth:unknown-user $? "$OUT" NT_STATUS_LOGON_FAILURE
it_smbclient //127.0.0.1/share -U "$OTHER%$PASS" -c ls >"$OUT"
it_check_refused auth:other-users-password $? "$OUT" NT_STATUS_LOGON_FAILURE
it_smbclient //127.0.0.1/share -N -c ls >"$OUT"
it_check_refused auth:anonymous $? "$OUT" NT_STATUS_LOGON_FAILURE \
	NT_STATUS_ACCESS_DENIED
it_smbclient //127.0.0.1/share -U "$USER%$PASS" -c ls >"$OUT"
it_check_ok auth:right-password $? "$OUT"

# --- read-only share ----------------------------------------------------
RO_DENIED="NT_STATUS_ACCESS_DENIED NT_STATUS_MEDIA_WRITE_PROTECTED"
echo new >"$IT_DIR/new.txt"
ro() { it_smbclient //127.0.0.1/ro -U "$USER%$PASS" -c "$1" >"$OUT"; }
ro "get keep.txt \"$IT_DIR/keep.back\""
it_check_ok readonly:get $? "$OUT"
ro "put \"$IT_DIR/new.txt\" new.txt"
# shellcheck disable=SC2086
it_check_refused readonly:put $? "$OUT" $RO_DENIED
ro "mkdir newdir"
# shellcheck disable=SC2086
it_check_refused readonly:mkdir $? "$OUT" $RO_DENIED
ro "rm keep.txt"
# shellcheck disable=SC2086
it_check_refused readonly:rm $? "$OUT" $RO_DENIED
ro "rename keep.txt moved.txt"
# shellcheck disable=SC2086
it_check_refused readonly:rename $? "$OUT" $RO_DENIED
if [ -f "$RO/keep.txt" ] && [ ! -e "$RO/new.txt" ] && [ ! -e "$RO/newdir" ] &&
	[ ! -e "$RO/moved.txt" ] && [ "$(cat "$RO/keep.txt")" = "read-only content" ]; then
	result PASS readonly:disk-unchanged
else
	result FAIL readonly:disk-unchanged "$(ls -A "$RO" | tr '\n' ' ')"
fi

# --- valid users / invalid users -----------------------------------------
tree() {
	it_smbclient "//127.0.0.1/$1" -U "$2" -c ls >"$OUT"
}
tree only "$USER%$PASS"
it_check_ok users:valid-user-allowed $? "$OUT"
tree only "$OTHER%$OPASS"
it_check_refused users:not-in-valid-users $? "$OUT" NT_STATUS_ACCESS_DENIED
tree banned "$USER%$PASS"
it_check_refused users:in-invalid-users $? "$OUT" NT_STATUS_ACCESS_DENIED
tree banned "$OTHER%$OPASS"
it_check_ok users:not-in-invalid-users $? "$OUT"

# --- symlinks ------------------------------------------------------------
sh() { it_smbclient //127.0.0.1/share -U "$USER%$PASS" -c "$1" >"$OUT"; }
# refused SCASE: the command must have failed with some NT_STATUS_ error
# and the output must not show anything from /etc.
refused() {
	local name=$1 rc=$2
	if grep -q 'NT_STATUS_' "$OUT" &&
		! grep -Eq '^  (passwd|hostname|group|shadow) |root:x:0:' "$OUT"; then
		result PASS "$name"
	else
		result FAIL "$name" "not refused (exit $rc)"
		sed 's/^/    | /' "$OUT" | tail -6
	fi
}
rm -f "$IT_DIR/leak.txt"
sh "get escape_file \"$IT_DIR/leak.txt\""
refused symlink:get-escape_file $?
if [ -s "$IT_DIR/leak.txt" ]; then
	result FAIL symlink:no-leak "got $(wc -c <"$IT_DIR/leak.txt") bytes of /etc/passwd"
else
	result PASS symlink:no-leak
fi
sh "ls escape\\*"
refused symlink:ls-escape $?
sh "cd escape"
refused symlink:cd-escape $?
sh "get escape\\hostname \"$IT_DIR/leak2.txt\""
refused symlink:get-through-escape $?
sh "get inside\\inner.txt \"$IT_DIR/inner.back\""
it_check_ok symlink:get-inside $? "$OUT"
if [ "$(cat "$IT_DIR/inner.back" 2>/dev/null)" = "inside the share" ]; then
	result PASS symlink:get-inside-content
else
	result FAIL symlink:get-inside-content "wrong or missing content"
fi
sh "ls inside\\*"
it_check_ok symlink:ls-inside $? "$OUT"
if grep -q 'inner.txt' "$OUT"; then
	result PASS symlink:ls-inside-content
else
	result FAIL symlink:ls-inside-content "inner.txt not listed"
fi

# --- raw path names (impacket) ---------------------------------------------
if it_require_impacket; then
	RAW=$IT_DIR/raw.txt
	timeout -k 5 "$IT_CLIENT_TIMEOUT" "$IT_PY" "$IT_ROOT/tests/integration/smb2raw.py" \
		create "$IT_PORT" "$USER" "$PASS" share \
		'..\x' 'a\..\..\x' '\etc\passwd' 'C:\x' '..\outside.txt' \
		'subdir\..\..\outside.txt' 'escape\passwd' 'subdir\inner.txt' \
		>"$RAW" 2>>"$IT_LOGS/smb2raw.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		result FAIL rawpath:session "smb2raw.py exit $rc: $(head -c 300 "$RAW")"
	fi
	for name in '..\x' 'a\..\..\x' '\etc\passwd' 'C:\x' '..\outside.txt' \
		'subdir\..\..\outside.txt' 'escape\passwd'; do
		st=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$RAW")
		case $st in
		'') result FAIL "rawpath:$name" "no answer" ;;
		STATUS_SUCCESS) result FAIL "rawpath:$name" "opened" ;;
		*) result PASS "rawpath:$name" ;;
		esac
	done
	st=$(awk -F'\t' '$1 == "subdir\\inner.txt" { print $2 }' "$RAW")
	if [ "$st" = STATUS_SUCCESS ]; then
		result PASS 'rawpath:subdir\inner.txt'
	else
		result FAIL 'rawpath:subdir\inner.txt' "valid name refused: ${st:-no answer}"
	fi
	# Nothing may have been created next to the share or at its top.
	if [ -e "$IT_DIR/shares/x" ] || [ -e "$IT_DIR/x" ] || [ -e "$SHARE/x" ] ||
		[ -e /x ] || [ -e "$SHARE/C:\\x" ]; then
		result FAIL rawpath:nothing-created "a file named x appeared"
	else
		result PASS rawpath:nothing-created
	fi

	# --- mandatory signing --------------------------------------------------
	# Per dialect: a signed tree connect works (the control), the same
	# request unsigned is refused.  impacket 0.10 cannot sign 3.1.1
	# correctly, so 3.1.1 is covered by smbclient in 20-smbclient.
	for d in 2.0.2 2.1 3.0; do
		SMB2RAW_DIALECT=$d timeout -k 5 "$IT_CLIENT_TIMEOUT" "$IT_PY" \
			"$IT_ROOT/tests/integration/smb2raw.py" tree "$IT_PORT" \
			"$USER" "$PASS" share >"$RAW" 2>>"$IT_LOGS/smb2raw.err"
		st=$(head -1 "$RAW")
		if [ "$st" = STATUS_SUCCESS ]; then
			result PASS "signing:signed-accepted-$d"
		else
			result FAIL "signing:signed-accepted-$d" "got ${st:-nothing}"
		fi
		SMB2RAW_DIALECT=$d timeout -k 5 "$IT_CLIENT_TIMEOUT" "$IT_PY" \
			"$IT_ROOT/tests/integration/smb2raw.py" unsigned "$IT_PORT" \
			"$USER" "$PASS" share >"$RAW" 2>>"$IT_LOGS/smb2raw.err"
		st=$(head -1 "$RAW")
		case $st in
		STATUS_ACCESS_DENIED* | DISCONNECTED* | STATUS_USER_SESSION_DELETED*)
			result PASS "signing:unsigned-refused-$d" ;;
		*) result FAIL "signing:unsigned-refused-$d" "got ${st:-nothing}" ;;
		esac
	done
else
	result SKIP rawpath:all "python3-impacket not installed and could not be installed"
fi

it_check_alive
it_finish
