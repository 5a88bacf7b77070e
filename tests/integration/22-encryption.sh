#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 22-encryption: SMB3 encryption ([MS-SMB2] 3.1.4.3) with smbclient.
# --client-protection=encrypt put and get of a 64 MiB random file (same
# SHA-256 both ways) at SMB3 (AES-128-CCM) and SMB3_11 with each of the
# four ciphers; a share with "smb3 encryption = yes" is used encrypted by
# a client that only asked for signing (SMB2_SHAREFLAG_ENCRYPT_DATA), and
# refused to an SMB 2.1 client, which cannot encrypt.  Then smbtorture's
# smb2.read and smb2.lock with --client-protection=encrypt; failures must
# be listed in torture-known-failures.txt or
# torture-known-failures-encrypted.txt.
# SMBD_UNDER_TEST=samba runs it against Samba's smbd (see lib.sh).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init encryption
it_require_cmd smbclient sha256sum
it_require_server

it_init_port
SHARE=$(it_share_dir share)
ENC=$(it_share_dir enc)
USER=ituser
PASS='It-pass 1!'
if [ "$SMBD_UNDER_TEST" = samba ]; then
	ENC_KEY='smb encrypt = required'
else
	ENC_KEY='smb3 encryption = yes'
fi
it_conf <<EOF
$(it_global_defaults auto)

[share]
	path = $SHARE
	read only = no

[enc]
	path = $ENC
	read only = no
	$ENC_KEY
EOF
it_user "$USER" "$PASS"
it_start_or_fail

BIG=$IT_DIR/big.bin
it_random_file "$BIG" 64
BIG_SHA=$(it_sha256 "$BIG")
OUT=$IT_DIR/out.txt

# sc SHARE PROTO PROTECTION [OPTION...] -- CMDS
sc() {
	local share=$1 proto=$2 prot=$3
	shift 3
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	it_smbclient "//127.0.0.1/$share" -U "$USER%$PASS" -m "$proto" \
		--option="client min protocol=$proto" \
		--client-protection="$prot" "${opts[@]}" -c "$*" >"$OUT"
}

# put_get NAME PROTO [OPTION...]: encrypted 64 MiB round trip.
put_get() {
	local name=$1 proto=$2
	shift 2
	sc share "$proto" encrypt "$@" -- "put \"$BIG\" $name.bin"
	it_check_ok "$name:put" $? "$OUT"
	rm -f "$IT_DIR/got.bin"
	sc share "$proto" encrypt "$@" -- "get $name.bin \"$IT_DIR/got.bin\""
	if it_check_ok "$name:get" $? "$OUT" &&
		[ -f "$IT_DIR/got.bin" ] &&
		[ "$(it_sha256 "$IT_DIR/got.bin")" = "$BIG_SHA" ]; then
		result PASS "$name:get-sha256"
	else
		result FAIL "$name:get-sha256" "content differs or get failed"
	fi
	rm -f "$IT_DIR/got.bin" "$SHARE/$name.bin"
}

put_get SMB3 SMB3
put_get SMB3_11 SMB3_11
for c in AES-128-CCM AES-128-GCM AES-256-CCM AES-256-GCM; do
	put_get "SMB3_11-$c" SMB3_11 \
		--option="client smb3 encryption algorithms=$c"
done

# A share that requires encryption: a signing client encrypts anyway.
echo hello >"$IT_DIR/small.txt"
sc enc SMB3_11 sign -- "put \"$IT_DIR/small.txt\" small.txt; ls"
rc=$?
if it_check_ok "enc-share:sign-client" $rc "$OUT" &&
	grep -q "small.txt" "$OUT"; then
	result PASS "enc-share:listed"
else
	result FAIL "enc-share:listed" "small.txt not listed"
fi
sc enc SMB2_10 sign -- "ls"
it_check_refused "enc-share:smb2.1-refused" $? "$OUT" NT_STATUS_ACCESS_DENIED

# smbtorture with every request encrypted.
if command -v smbtorture >/dev/null 2>&1; then
	known=$IT_DIR/known.txt
	cat "$IT_ROOT/tests/integration/torture-known-failures.txt" \
		"$IT_ROOT/tests/integration/torture-known-failures-encrypted.txt" \
		>"$known"
	for suite in smb2.read smb2.lock; do
		log=$IT_LOGS/$suite.log
		timeout -k 10 300 smbtorture "//127.0.0.1/share" -p "$IT_PORT" \
			-U "$USER%$PASS" --client-protection=encrypt \
			--option=torture:sharedelay=100000 \
			"$suite" >"$log" 2>&1 </dev/null
		rc=$?
		while IFS= read -r line; do
			case $line in
			SUMMARY\ *) it_log "$suite encrypted: ${line#SUMMARY } (pass fail known skip)" ;;
			*)
				status=${line%% *}
				rest=${line#* }
				name=${rest%% (*}
				why=
				[ "$name" != "$rest" ] && why=${rest#* (} && why=${why%)}
				result "$status" "encrypted:$name" "$why"
				;;
			esac
		done < <("$IT_PY" "$IT_ROOT/tests/integration/torture-parse.py" \
			"$suite" "$log" "$known" "$rc")
	done
else
	result SKIP smbtorture "smbtorture not installed"
fi

it_check_alive
it_finish
