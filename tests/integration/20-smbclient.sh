#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 20-smbclient: file operations with smbclient over every SMB2/3 dialect,
# with signing mandatory.  For each dialect: mkdir, put and get of a
# 64 MiB random file (same SHA-256 both ways), rename, ls (names and
# sizes), allinfo (times and attributes), rm, rmdir.  Named streams once
# (put, allinfo, get of "file:stream").  Plus the share list
# (smbclient -L) and a client that insists on signing.  Plus the
# interface list (FSCTL_QUERY_NETWORK_INTERFACE_INFO through impacket's
# tests/integration/netinfo.py): with the server bound to 127.0.0.1 only,
# exactly that address on lo's IfIndex, and no RDMA_CAPABLE (no RDMA
# device on the host).
# SMBD_UNDER_TEST=samba runs it against Samba's smbd (see lib.sh).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
it_init smbclient
it_require_cmd smbclient sha256sum
it_require_server

it_init_port
SHARE=$(it_share_dir share)
OTHER=$(it_share_dir other)
USER=ituser
PASS='It-pass 1!'
it_conf <<EOF
$(it_global_defaults mandatory)

[share]
	path = $SHARE
	comment = integration share
	read only = no
	browseable = yes

[other]
	path = $OTHER
	comment = second share for the listing
	writeable = yes
EOF
it_user "$USER" "$PASS"
it_start_or_fail

BIG=$IT_DIR/big.bin
BIG_SIZE=$((64 * 1024 * 1024))
it_random_file "$BIG" 64
BIG_SHA=$(it_sha256 "$BIG")
OUT=$IT_DIR/out.txt

# sc PROTO CMDS: one smbclient run on //127.0.0.1/share at exactly PROTO.
sc() {
	local proto=$1
	shift
	it_smbclient //127.0.0.1/share -U "$USER%$PASS" -m "$proto" \
		--option="client min protocol=$proto" \
		--client-protection=sign -c "$*" >"$OUT"
}

# The listing line of NAME must show SIZE (smbclient: "  NAME  ATTR  SIZE  date").
ls_has() {
	awk -v n="$1" -v sz="$2" '
	{
		# the name may contain blanks: match the prefix, then attrs/size
		line = $0; sub(/^  /, "", line)
		if (index(line, n) != 1) next
		rest = substr(line, length(n) + 1)
		if (rest !~ /^ +[A-Z]* +[0-9]+ /) next
		split(rest, f, " ")
		sizef = (f[1] ~ /^[0-9]+$/) ? f[1] : f[2]
		if (sizef == sz) found = 1
	}
	END { exit found ? 0 : 1 }' "$OUT"
}

for proto in SMB2_02 SMB2_10 SMB3 SMB3_11; do
	d="dir_$proto"
	sc "$proto" "mkdir $d"
	it_check_ok "$proto:mkdir" $? "$OUT"

	sc "$proto" "cd $d; put \"$BIG\" big.bin"
	it_check_ok "$proto:put" $? "$OUT"

	rm -f "$IT_DIR/got.bin"
	sc "$proto" "cd $d; get big.bin \"$IT_DIR/got.bin\""
	if it_check_ok "$proto:get" $? "$OUT"; then
		if [ -f "$IT_DIR/got.bin" ] &&
			[ "$(it_sha256 "$IT_DIR/got.bin")" = "$BIG_SHA" ]; then
			result PASS "$proto:get-sha256"
		else
			result FAIL "$proto:get-sha256" "content differs"
		fi
	else
		result FAIL "$proto:get-sha256" "get failed: $(it_nt_status "$OUT" | tr '\n' ' ')"
	fi
	rm -f "$IT_DIR/got.bin"

	sc "$proto" "cd $d; rename big.bin \"renamed file.bin\""
	it_check_ok "$proto:rename" $? "$OUT"

	sc "$proto" "ls $d\\*"
	rc=$?
	if it_check_ok "$proto:ls" $rc "$OUT"; then
		if ls_has "renamed file.bin" "$BIG_SIZE" && ! ls_has big.bin "$BIG_SIZE"; then
			result PASS "$proto:ls-contents"
		else
			result FAIL "$proto:ls-contents" "'renamed file.bin' $BIG_SIZE not listed (or old name still there)"
			sed 's/^/    | /' "$OUT" | tail -8
		fi
	else
		result FAIL "$proto:ls-contents" "ls failed"
	fi
	sc "$proto" "ls"
	rc=$?
	if [ $rc -eq 0 ] && grep -Eq "^  $d +D +[0-9]+ " "$OUT"; then
		result PASS "$proto:ls-root"
	else
		result FAIL "$proto:ls-root" "directory $d not listed as D"
		sed 's/^/    | /' "$OUT" | tail -8
	fi

	sc "$proto" "cd $d; allinfo \"renamed file.bin\""
	rc=$?
	if it_check_ok "$proto:allinfo" $rc "$OUT"; then
		missing=
		for k in create_time access_time write_time change_time attributes; do
			grep -Eq "^$k:[[:space:]]+[^[:space:]]" "$OUT" || missing="$missing $k"
		done
		# a plain file: attributes A (0x20) or N (0x80), never D
		grep -Eq '^attributes:.*\((20|80)\)' "$OUT" || missing="$missing attributes-value"
		if [ -z "$missing" ]; then
			result PASS "$proto:allinfo-fields"
		else
			result FAIL "$proto:allinfo-fields" "missing:$missing"
			sed 's/^/    | /' "$OUT" | tail -12
		fi
	else
		result FAIL "$proto:allinfo-fields" "allinfo failed"
	fi

	sc "$proto" "cd $d; rm \"renamed file.bin\""
	it_check_ok "$proto:rm" $? "$OUT"
	sc "$proto" "rmdir $d"
	it_check_ok "$proto:rmdir" $? "$OUT"
	# Gone on the server's disk too.
	if [ -e "$SHARE/$d" ]; then
		result FAIL "$proto:rmdir-gone" "$SHARE/$d still exists"
	else
		result PASS "$proto:rmdir-gone"
	fi
	# Errors must come back as errors: the directory is gone now.
	sc "$proto" "cd $d"
	it_check_refused "$proto:cd-missing" $? "$OUT" \
		NT_STATUS_OBJECT_NAME_NOT_FOUND NT_STATUS_OBJECT_PATH_NOT_FOUND
done

# Share list: names and comments of the configured shares.
# Named streams (stored in xattrs): put into "file:stream", allinfo lists
# it with its size, get reads the same bytes back.
printf 'stream payload\n' >"$IT_DIR/stream.txt"
sc SMB3_11 "put \"$IT_DIR/stream.txt\" streamed.txt; put \"$IT_DIR/stream.txt\" streamed.txt:extra; allinfo streamed.txt; get streamed.txt:extra \"$IT_DIR/stream.back\""
rc=$?
if it_check_ok streams:put-allinfo-get $rc "$OUT"; then
	if grep -Eq 'stream: \[:extra:\$DATA\], 15 bytes' "$OUT"; then
		result PASS streams:allinfo-lists
	else
		result FAIL streams:allinfo-lists "no :extra:\$DATA of 15 bytes"
		sed 's/^/    | /' "$OUT" | tail -12
	fi
	if cmp -s "$IT_DIR/stream.txt" "$IT_DIR/stream.back"; then
		result PASS streams:get-same-bytes
	else
		result FAIL streams:get-same-bytes "stream content differs"
	fi
fi
sc SMB3_11 "rm streamed.txt"

it_smbclient -L //127.0.0.1 -U "$USER%$PASS" >"$OUT"
rc=$?
if it_check_ok list-shares $rc "$OUT"; then
	missing=
	grep -Eq '^[[:space:]]+share[[:space:]]+Disk[[:space:]]+integration share$' "$OUT" ||
		missing="$missing share"
	grep -Eq '^[[:space:]]+other[[:space:]]+Disk[[:space:]]+second share for the listing$' "$OUT" ||
		missing="$missing other"
	if [ -z "$missing" ]; then
		result PASS list-shares-contents
	else
		result FAIL list-shares-contents "missing:$missing"
		sed 's/^/    | /' "$OUT" | tail -12
	fi
else
	result FAIL list-shares-contents "smbclient -L failed"
	sed 's/^/    | /' "$OUT" | tail -8
fi

# A small file through the second share with the default (highest) dialect.
echo "hello from the harness" >"$IT_DIR/small.txt"
it_smbclient //127.0.0.1/other -U "$USER%$PASS" --client-protection=sign \
	-c "put \"$IT_DIR/small.txt\" small.txt; get small.txt \"$IT_DIR/small.back\"; rm small.txt" >"$OUT"
rc=$?
it_check_ok other:put-get-rm $rc "$OUT"
if cmp -s "$IT_DIR/small.txt" "$IT_DIR/small.back" && [ ! -e "$OTHER/small.txt" ]; then
	result PASS other:content
else
	result FAIL other:content "file not read back intact, or not removed"
fi

# --- interface list (FSCTL_QUERY_NETWORK_INTERFACE_INFO) -------------------
if it_require_impacket; then
	NETINFO=$IT_DIR/netinfo.txt
	timeout -k 5 "$IT_CLIENT_TIMEOUT" "$IT_PY" \
		"$IT_ROOT/tests/integration/netinfo.py" 127.0.0.1 "$IT_PORT" \
		"$USER" "$PASS" >"$NETINFO" 2>>"$IT_LOGS/netinfo.err"
	rc=$?
	if [ $rc -eq 0 ]; then
		result PASS netinfo:well-formed
	else
		result FAIL netinfo:well-formed "netinfo.py exit $rc: $(head -c 300 "$NETINFO")"
	fi
	if [ $rc -eq 0 ] && ! grep -q 'rdma=1' "$NETINFO"; then
		result PASS netinfo:no-rdma-flag
	else
		result FAIL netinfo:no-rdma-flag "$(head -c 300 "$NETINFO")"
	fi
	# Bound to 127.0.0.1 only: the one address we listen on (Samba
	# applies its own rules, so only for the server under test).
	if [ "$SMBD_UNDER_TEST" = smbdirectd ]; then
		want="ifindex=$(cat /sys/class/net/lo/ifindex 2>/dev/null) rdma=0 rss=0 speed=1000000000 addr=127.0.0.1"
		if [ "$(cat "$NETINFO")" = "$want" ]; then
			result PASS netinfo:loopback-only
		else
			result FAIL netinfo:loopback-only "want '$want', got '$(head -c 300 "$NETINFO")'"
		fi
	fi
else
	result SKIP netinfo:all "python3-impacket not installed and could not be installed"
fi

it_check_alive
it_finish
