#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - install the Debian packages the VM test bed needs, only the
# missing ones.  Everything the guest runs comes from the host through the
# 9p root, so these are host installs (the host keeps running its own
# kernel; linux-image only provides /boot/vmlinuz-* and /lib/modules/*).
#
#   qemu-system-x86                the VM (TCG: no KVM needed)
#   linux-image/headers-$VM_KABI   guest kernel, its modules, kbuild tree
#   linux-source-6.1               fs/smb/ to rebuild cifs.ko and ksmbd.ko
#   gcc-12 make xz-utils           the module build (gcc-12 is what the
#                                  headers package names as CC)
#   busybox-static cpio kmod       the initramfs and modprobe in the guest
#   rdma-core ibverbs-utils        soft-RoCE user space: rdma_rxe provider,
#   rdmacm-utils perftest          rping, ib_write_bw / ib_read_bw
#   iproute2                       ip, rdma link
#   cifs-utils fio                 the Linux SMB client's mount helper; fio
#   libnl-genl-3-200 libglib2.0-0  what ksmbd-tools' binaries link against
#                                  (ksmbd-tools itself conflicts with samba,
#                                  so build-cache.sh unpacks it instead)
set -euo pipefail
# shellcheck source=tests/vm/config.sh
. "$(dirname "$0")/config.sh"

PKGS=(qemu-system-x86 "linux-image-$VM_KABI" "linux-headers-$VM_KABI"
	"linux-source-6.1=$VM_KSRC_VERSION" gcc-12 make xz-utils
	busybox-static cpio kmod rdma-core ibverbs-utils rdmacm-utils perftest
	iproute2 cifs-utils fio libnl-genl-3-200 libglib2.0-0)

missing=()
for p in "${PKGS[@]}"; do
	name=${p%%=*}
	want=
	[ "$name" != "$p" ] && want=${p#*=}
	have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	case $have in
	"install ok installed "*)
		[ -z "$want" ] || [ "${have##* }" = "$want" ] && continue
		;;
	esac
	missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

vm_log "deps: installing ${missing[*]}"
start=$(date +%s)
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# An apt list older than the pinned versions needs an update first.
if ! timeout 1200 $SUDO apt-get install -y -q --no-install-recommends \
	"${missing[@]}"; then
	timeout 600 $SUDO apt-get update -q
	timeout 1200 $SUDO apt-get install -y -q --no-install-recommends \
		"${missing[@]}"
fi
vm_log "deps: installed in $(($(date +%s) - start)) s"
