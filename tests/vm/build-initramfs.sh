#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-initramfs.sh - pack $VM_CACHE/initramfs.img: static busybox, the
# modules that reach the host (virtio-pci, 9p, overlay, in dependency
# order as modprobe resolves them for $VM_KABI) and initramfs-init as /init.
# Rebuilt only when one of those inputs changes (stamp of their hashes).
set -euo pipefail
# shellcheck source=tests/vm/config.sh
. "$(dirname "$0")/config.sh"

IMG=$VM_CACHE/initramfs.img
STAMP=$VM_CACHE/initramfs.stamp
MODS=(virtio_pci 9pnet_virtio 9p overlay)

# The .ko files, in load order, each once.
module_paths() {
	local m
	for m in "${MODS[@]}"; do
		modprobe -S "$VM_KABI" --show-depends "$m" || return 1
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

paths=$(module_paths) || {
	echo "build-initramfs: modprobe cannot resolve ${MODS[*]} for $VM_KABI" >&2
	exit 1
}
# shellcheck disable=SC2086
want=$(sha256sum /bin/busybox "$VM_DIR/initramfs-init" \
	"$VM_DIR/build-initramfs.sh" $paths | sha256sum | cut -d' ' -f1)
if [ -f "$IMG" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
	exit 0
fi

vm_log "building initramfs for $VM_KABI"
mkdir -p "$VM_CACHE"
tree=$VM_CACHE/initramfs.work
rm -rf "$tree"
mkdir -p "$tree"/{bin,dev,proc,sys,modules}
cp /bin/busybox "$tree/bin/busybox"
cp "$VM_DIR/initramfs-init" "$tree/init"
chmod 755 "$tree/init"
: >"$tree/modules.order"
for p in $paths; do
	cp "$p" "$tree/modules/"
	basename "$p" >>"$tree/modules.order"
done
(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
	gzip -1 >"$IMG.tmp"
mv "$IMG.tmp" "$IMG"
rm -rf "$tree"
echo "$want" >"$STAMP"
vm_log "initramfs: $IMG ($(du -h "$IMG" | cut -f1))"
