#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-modules.sh - rebuild cifs.ko and ksmbd.ko from linux-source-6.1
# with SMB Direct on, against Debian's linux-headers-$VM_KABI, into
# $VM_CACHE/modules/.  Debian's own builds of both modules leave
# CONFIG_CIFS_SMB_DIRECT and CONFIG_SMB_SERVER_SMBDIRECT off.
#
# Cached: a stamp holds the hash of every input (pins, headers'
# Module.symvers, the source tarball's identity, this script and
# the fix scripts); the build runs again only when it changes.
# Takes about a minute on 2 cores.
set -euo pipefail
# shellcheck source=tests/vm/config.sh
. "$(dirname "$0")/config.sh"

OUT=$VM_CACHE/modules
STAMP=$OUT/stamp

inputs_hash() {
	{
		echo "$VM_KABI $VM_KSRC_VERSION"
		stat -c '%s %Y' "$VM_KSRC_TARBALL"
		sha256sum "$VM_HEADERS/Module.symvers" "$VM_DIR/build-modules.sh" \
			"$VM_DIR/ksmbd-fixes.sh" "$VM_DIR/cifs-fixes.sh" \
			"$VM_DIR/source-edit.sh"
	} | sha256sum | cut -d' ' -f1
}

want=$(inputs_hash)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] &&
	[ -f "$OUT/cifs.ko" ] && [ -f "$OUT/ksmbd.ko" ]; then
	exit 0
fi

start=$(date +%s)
vm_log "building cifs.ko and ksmbd.ko (SMB Direct on) for $VM_KABI"
WORK=$VM_CACHE/modules.work
rm -rf "$WORK" "$OUT"
mkdir -p "$WORK" "$OUT"

# Only the parts of the 140 MB source tree the two modules need: fs/smb/,
# fs/internal.h (cifs includes it), and the ASN.1 compiler with its headers
# (ksmbd's SPNEGO parsers are generated from .asn1 files; the headers
# package ships no asn1_compiler binary).
top=linux-source-6.1
timeout 300 tar -xJf "$VM_KSRC_TARBALL" -C "$WORK" "$top/fs/smb" \
	"$top/fs/internal.h" "$top/scripts/asn1_compiler.c" \
	"$top/include/linux/asn1.h" "$top/include/linux/asn1_ber_bytecode.h" \
	"$top/include/linux/asn1_decoder.h"
SRC=$WORK/$top

# The two bugs that stop Debian's ksmbd.ko from serving with ksmbd-tools.
"$VM_DIR/ksmbd-fixes.sh" "$SRC/fs/smb/server"
# A disconnect race in the client that oopses the guest (see the script).
"$VM_DIR/cifs-fixes.sh" "$SRC/fs/smb/client"

# A private copy of the kbuild object tree: the headers package's
# scripts/ and tools/ are (relative) links into /lib/linux-kbuild-6.1,
# where there is no asn1_compiler.  The copy gets absolute links plus
# the compiler we build; nothing outside the repository changes.
KOBJ=$WORK/kobj
cp -a "$VM_HEADERS" "$KOBJ"
kbuild_scripts=$(readlink -f "$VM_HEADERS/scripts")
kbuild_tools=$(readlink -f "$VM_HEADERS/tools")
rm -f "$KOBJ/scripts" "$KOBJ/tools"
ln -s "$kbuild_tools" "$KOBJ/tools"
mkdir "$KOBJ/scripts"
ln -s "$kbuild_scripts"/* "$KOBJ/scripts/"
gcc -O2 -I"$SRC/include" -o "$KOBJ/scripts/asn1_compiler" \
	"$SRC/scripts/asn1_compiler.c"

# The Kconfig options are given on the command line: CONFIG_*=m/y for
# the Makefiles, -DCONFIG_*=1 for the C code (the headers' autoconf.h has
# them off).  The ccache the headers' Makefile may name is not used.
kmake() {
	timeout 900 make -s -j"$(nproc)" -C "$KOBJ" M="$1" \
		DEBIAN_KERNEL_USE_CCACHE= "${@:2}" modules
}
kmake "$SRC/fs/smb/client" CONFIG_CIFS=m CONFIG_CIFS_SMB_DIRECT=y \
	KCFLAGS=-DCONFIG_CIFS_SMB_DIRECT=1
kmake "$SRC/fs/smb/server" CONFIG_SMB_SERVER=m CONFIG_SMB_SERVER_SMBDIRECT=y \
	KCFLAGS=-DCONFIG_SMB_SERVER_SMBDIRECT=1
cp "$SRC/fs/smb/client/cifs.ko" "$SRC/fs/smb/server/ksmbd.ko" "$OUT/"
rm -rf "$WORK"
echo "$want" >"$STAMP"
vm_log "modules built in $(($(date +%s) - start)) s: $OUT"
