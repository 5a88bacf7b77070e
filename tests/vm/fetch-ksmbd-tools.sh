#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-ksmbd-tools.sh - unpack Debian's ksmbd-tools (the user-space half
# of the reference in-kernel server) into $VM_CACHE/ksmbd-tools/.  The
# package conflicts with samba, which the host tests need, so it is never
# installed: `apt-get download` + `dpkg -x`.  Its libraries (glib, libnl)
# are installed by deps.sh.  The guest runs the binaries from the cache
# through the 9p root.
set -euo pipefail
# shellcheck source=tests/vm/config.sh
. "$(dirname "$0")/config.sh"

DEST=$VM_CACHE/ksmbd-tools
STAMP=$DEST.stamp
want="ksmbd-tools=$VM_KSMBD_TOOLS_VERSION"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] &&
	[ -d "$DEST/usr/sbin" ]; then
	exit 0
fi
vm_log "unpacking $want into $DEST"
dl=$VM_CACHE/ksmbd-tools.dl
rm -rf "$dl" "$DEST"
mkdir -p "$dl"
# apt-get download writes to the current directory; _apt must be able to
# write there, so download as root into a private dir.
if ! (cd "$dl" && timeout 300 apt-get download -q "$want"); then
	timeout 600 apt-get update -q
	(cd "$dl" && timeout 300 apt-get download -q "$want")
fi
dpkg -x "$dl"/ksmbd-tools_*.deb "$DEST"
rm -rf "$dl"
echo "$want" >"$STAMP"
