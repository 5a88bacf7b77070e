# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
#
# config.sh - the one place where the VM test bed pins its inputs and
# names its paths.  Sourced by every script in tests/vm/.
#
# The guest kernel is Debian 12's 6.1 kernel.  KABI is the ABI name of the
# linux-image/linux-headers pair; KSRC_VERSION is the linux-source-6.1
# version whose fs/smb/ is rebuilt against those headers.  They must be the
# same upstream release (the headers' Module.symvers carries the symbol
# CRCs the rebuilt modules are checked against at load time).  To move on:
# `apt-cache search '^linux-image-6.1.0-[0-9]+-amd64$'`, take the newest,
# and set both lines to its ABI and its version (apt-cache policy).

VM_KABI=${VM_KABI:-6.1.0-56-amd64}
VM_KSRC_VERSION=${VM_KSRC_VERSION:-6.1.192-2}
# ksmbd-tools as unpacked for the reference peer (conflicts with samba, so
# it is never installed: `apt-get download` + `dpkg -x` into the cache).
VM_KSMBD_TOOLS_VERSION=${VM_KSMBD_TOOLS_VERSION:-3.4.7-1}

VM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM_DIR=$VM_ROOT/tests/vm
VM_CACHE=${VM_CACHE:-$VM_ROOT/build/vm-cache}
VM_OUT_BASE=${VM_OUT_BASE:-$VM_ROOT/build/vm}

VM_KERNEL=/boot/vmlinuz-$VM_KABI
VM_HEADERS=/usr/src/linux-headers-$VM_KABI
VM_KSRC_TARBALL=/usr/src/linux-source-6.1.tar.xz

# Guest size: 2 vCPUs on TCG (the machine has 2 cores), 4 GiB of memory
# (the guest's root overlay and /tmp live in RAM).
VM_MEM=${VM_MEM:-4G}
VM_SMP=${VM_SMP:-2}

vm_log() {
	echo "[vm $(date +%H:%M:%S)] $*"
}
