#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Integration test of ksmbd.adduser and ksmbd.addshare against scratch files.
# Expects build/bin/ksmbd.adduser and build/bin/ksmbd.addshare to be built.
# Writes one "PASS tools:<case>" / "FAIL tools:<case>" line per case to
# build/results/tools.txt and exits non-zero if any case failed.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
ADDUSER=$ROOT/build/bin/ksmbd.adduser
ADDSHARE=$ROOT/build/bin/ksmbd.addshare
RESULTS=$ROOT/build/results/tools.txt
mkdir -p "$ROOT/build/results"
: >"$RESULTS"
failed=0

result() { # result NAME STATUS [detail]
	if [ "$2" -eq 0 ]; then
		echo "PASS tools:$1" | tee -a "$RESULTS"
	else
		echo "FAIL tools:$1${3:+ ($3)}" | tee -a "$RESULTS"
		failed=1
	fi
}

for p in "$ADDUSER" "$ADDSHARE"; do
	if [ ! -x "$p" ]; then
		result "binaries-present" 1 "$p missing; run make all"
		exit 1
	fi
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/ksmbdpwd.db
CONF=$TMP/ksmbd.conf

# NT hash = MD4(UTF-16LE(password)), base64.  hashlib may lack MD4 (OpenSSL
# 3 moved it to the legacy provider), so this is a small MD4 of its own,
# checked against RFC 1320's vectors before use.
nt_hash_b64() {
	python3 - "$1" <<'PY'
import base64, struct, sys

def md4(msg):
    def rol(v, s):
        return ((v << s) | (v >> (32 - s))) & 0xffffffff
    funcs = [lambda x, y, z: (x & y) | (~x & z),
             lambda x, y, z: (x & y) | (x & z) | (y & z),
             lambda x, y, z: x ^ y ^ z]
    consts = [0, 0x5a827999, 0x6ed9eba1]
    order = [list(range(16)),
             [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15],
             [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15]]
    shifts = [[3, 7, 11, 19], [3, 5, 9, 13], [3, 9, 11, 15]]
    bits = len(msg) * 8
    msg += b'\x80' + b'\x00' * ((55 - len(msg)) % 64) + struct.pack('<Q', bits)
    h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
    for off in range(0, len(msg), 64):
        x = struct.unpack('<16I', msg[off:off + 64])
        r = list(h)
        for rnd in range(3):
            for j in range(16):
                i = (-j) % 4
                v = r[i] + funcs[rnd](r[(i + 1) % 4], r[(i + 2) % 4],
                                      r[(i + 3) % 4]) + x[order[rnd][j]]
                r[i] = rol((v + consts[rnd]) & 0xffffffff, shifts[rnd][j % 4])
        h = [(a + b) & 0xffffffff for a, b in zip(h, r)]
    return struct.pack('<4I', *h)

assert md4(b'').hex() == '31d6cfe0d16ae931b73c59d7e0c089c0'
assert md4(b'message digest').hex() == 'd9130a8164549fe818874806e1c7014b'
assert md4(b'1234567890' * 8).hex() == 'e33b4ddc9c38f2199c3e7b164fcc0536'
print(base64.b64encode(md4(sys.argv[1].encode('utf-16-le'))).decode())
PY
}

# ---- ksmbd.adduser ----------------------------------------------------
# [MS-NLMP] 4.2.1: NTOWFv1("Password") = a4f49c406510bdcab6824ee7c30fd852.
want=$(nt_hash_b64 Password)
[ "$want" = "pPScQGUQvcq2gk7nww/YUg==" ]
result "md4-reference" $? "python MD4 gave $want"

"$ADDUSER" -i "$DB" -a alice -p Password >/dev/null 2>&1 &&
	[ "$(cat "$DB")" = "alice:pPScQGUQvcq2gk7nww/YUg==" ]
result "adduser-add" $? "$(cat "$DB" 2>/dev/null)"

[ "$(stat -c %a "$DB")" = 600 ]
result "adduser-mode-0600" $?

want=$(nt_hash_b64 'pässwörd 2')
"$ADDUSER" --pwddb="$DB" -a Bob -p 'pässwörd 2' >/dev/null 2>&1 &&
	grep -qx "Bob:$want" "$DB" && grep -qx "alice:pPScQGUQvcq2gk7nww/YUg==" "$DB"
result "adduser-add-second-utf8" $?

! "$ADDUSER" -P "$DB" -a ALICE -p x >/dev/null 2>&1 &&
	[ "$(grep -c . "$DB")" = 2 ]
result "adduser-add-existing-fails" $?

want=$(nt_hash_b64 NewPass)
"$ADDUSER" -i "$DB" -u alice -p NewPass >/dev/null 2>&1 &&
	grep -qx "alice:$want" "$DB" && grep -q "^Bob:" "$DB"
result "adduser-update" $?

! "$ADDUSER" -i "$DB" -u nobody-here -p x >/dev/null 2>&1
result "adduser-update-missing-fails" $?

# Neither -a nor -u: add or update, as ksmbd-tools does.
want=$(nt_hash_b64 third)
"$ADDUSER" -i "$DB" carol -p third >/dev/null 2>&1 &&
	grep -qx "carol:$want" "$DB"
result "adduser-add-or-update" $?

"$ADDUSER" -i "$DB" -d BOB >/dev/null 2>&1 && ! grep -q "^Bob:" "$DB" &&
	grep -q "^alice:" "$DB" && grep -q "^carol:" "$DB"
result "adduser-delete" $?

! "$ADDUSER" -i "$DB" -d bob >/dev/null 2>&1
result "adduser-delete-missing-fails" $?

# No -p and no terminal: it must fail, not hang or write an empty password.
before=$(cat "$DB")
! setsid "$ADDUSER" -i "$DB" -a dave </dev/null >/dev/null 2>&1 &&
	[ "$(cat "$DB")" = "$before" ]
result "adduser-no-tty-fails" $?

! "$ADDUSER" -i "$DB" -a 'a:b' -p x >/dev/null 2>&1 &&
	! "$ADDUSER" -i "$DB" -a "$(printf 'n%.0s' $(seq 48))" -p x >/dev/null 2>&1
result "adduser-bad-names" $?

printf 'garbage line\n' >"$TMP/bad.db"
out=$("$ADDUSER" -i "$TMP/bad.db" -a eve -p x 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"bad.db:1: expected 'user:hash'"* ]] &&
	[ "$(cat "$TMP/bad.db")" = "garbage line" ]
result "adduser-malformed-db-untouched" $? "$out"

"$ADDUSER" -V | grep -q '^ksmbd.adduser' && "$ADDUSER" -h | grep -q -- '--pwddb'
result "adduser-version-help" $?

# ---- ksmbd.addshare ---------------------------------------------------
cat >"$CONF" <<'CONF'
# Site configuration, keep me
[global]
	workgroup = LAB
	server min protocol = SMB2_02

# Team data
[data]
	path = /srv/data
	; a note inside the share
	writeable = no
CONF

"$ADDSHARE" -c "$CONF" -a pub -o "path=/srv/pub" -o "comment = Public files" \
	>/dev/null 2>&1 &&
	grep -qx '\[pub\]' "$CONF" && grep -qx '	path = /srv/pub' "$CONF" &&
	grep -qx '# Site configuration, keep me' "$CONF" &&
	grep -qx '	; a note inside the share' "$CONF"
result "addshare-add-keeps-comments" $?

! "$ADDSHARE" -c "$CONF" -a PUB -o "path=/x" >/dev/null 2>&1
result "addshare-add-existing-fails" $?

"$ADDSHARE" --config="$CONF" -u data -o "read only = no" -o "guest ok = yes" \
	>/dev/null 2>&1 &&
	grep -qx '	read only = no' "$CONF" && ! grep -q 'writeable' "$CONF" &&
	grep -qx '	guest ok = yes' "$CONF" &&
	grep -qx '# Team data' "$CONF" &&
	grep -qx '	; a note inside the share' "$CONF"
result "addshare-update-keeps-comments" $?

before=$(cat "$CONF")
! "$ADDSHARE" -c "$CONF" -u data -o "create mask = 0999" >/dev/null 2>&1 &&
	[ "$(cat "$CONF")" = "$before" ]
result "addshare-invalid-value-leaves-file" $?

out=$("$ADDSHARE" -c "$CONF" -a nopath -o "comment=x" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"missing 'path'"* ]] && [ "$(cat "$CONF")" = "$before" ]
result "addshare-missing-path-rejected" $? "$out"

! "$ADDSHARE" -c "$CONF" -u data -o "tcp port = 1" >/dev/null 2>&1 &&
	! "$ADDSHARE" -c "$CONF" -u data -o "frobnicate = 1" >/dev/null 2>&1
result "addshare-rejects-non-share-keys" $?

"$ADDSHARE" -c "$CONF" -d data >/dev/null 2>&1 && ! grep -q 'data' "$CONF" &&
	! grep -q '# Team data' "$CONF" && grep -qx '\[pub\]' "$CONF" &&
	grep -qx '# Site configuration, keep me' "$CONF" &&
	grep -qx '	workgroup = LAB' "$CONF"
result "addshare-delete-keeps-others" $?

! "$ADDSHARE" -c "$CONF" -d data >/dev/null 2>&1
result "addshare-delete-missing-fails" $?

# A new file is created by an add.
"$ADDSHARE" -c "$TMP/new.conf" -a first -o path=/srv/first >/dev/null 2>&1 &&
	[ "$(cat "$TMP/new.conf")" = "$(printf '[first]\n\tpath = /srv/first')" ]
result "addshare-creates-file" $?

# The file's mode is kept across the atomic replace.
chmod 640 "$CONF"
"$ADDSHARE" -c "$CONF" -u pub -o "browseable = no" >/dev/null 2>&1 &&
	[ "$(stat -c %a "$CONF")" = 640 ] && [ -z "$(ls "$TMP" | grep 'ksmbd.conf.')" ]
result "addshare-keeps-mode-no-temp-files" $?

"$ADDSHARE" -V | grep -q '^ksmbd.addshare' && "$ADDSHARE" -h | grep -q -- '--option'
result "addshare-version-help" $?

exit $failed
