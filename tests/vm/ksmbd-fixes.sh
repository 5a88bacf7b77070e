#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ksmbd-fixes.sh DIR - the minimal edits that make Debian's 6.1 ksmbd
# (fs/smb/server in linux-source-6.1, DIR) serve files with ksmbd-tools
# 3.4.7.  Each edit is checked: if the source moves on and a line no
# longer matches, the build stops here instead of building an unfixed
# module.  Used only for the reference peer (scenario ksmbd-ref).
set -euo pipefail
dir=$1
fix_name=ksmbd-fixes

# shellcheck source=tests/vm/source-edit.sh
. "$(dirname "$0")/source-edit.sh"

# 1. opinfo_put(NULL) oopses: smb2_open() ends with opinfo_put(opinfo)
#    where opinfo is NULL for every open that got no oplock or lease (it
#    tests "opinfo && opinfo->is_lease" just before), and opinfo_put()
#    dereferences it unconditionally.  Make a put of NULL a no-op, as
#    opinfo_conn_put() already does for its own NULL.  Measured without
#    it: the first cifs mount oopses ("BUG: kernel NULL pointer
#    dereference, address: 0000000000000044", RIP opinfo_put+0x5) and
#    hangs.
replace_line oplock.c \
	'void opinfo_put(struct oplock_info *opinfo)' \
	'\tif (!atomic_dec_and_test(&opinfo->refcount))' \
	'\tif (!opinfo || !atomic_dec_and_test(&opinfo->refcount))' \
	"opinfo_put NULL check"

# 2. Netlink payload-size mismatch: the kernel's share config response
#    has a payload_sz field (before veto_list_sz) that ksmbd-tools 3.4.7
#    does not know: in its layout those 4 bytes are still reserved and
#    sent as 0, followed by the payload (veto list and path, ending in a
#    NUL).  Measured: 537 bytes with payload_sz 0 for IPC$, 547 for a
#    share at /srv/share.  ipc_validate_msg() then finds header +
#    payload_sz != message size and drops the response, so every
#    TREE_CONNECT fails with BAD_NETWORK_NAME.  When payload_sz is 0, take
#    it from the message size (already checked to be at least the header),
#    which is what the tools meant; every later check still applies.
replace_line transport_ipc.c \
	'static int ipc_validate_msg(struct ipc_msg_table_entry *entry)' \
	'\t\tif (resp->veto_list_sz > resp->payload_sz)' \
	'\t\t/* ksmbd-fixes.sh 2: ksmbd-tools 3.4 leave payload_sz 0 */
\t\tif (!resp->payload_sz)
\t\t\tresp->payload_sz = entry->msg_sz -
\t\t\t\tsizeof(struct ksmbd_share_config_response);

\t\tif (resp->veto_list_sz > resp->payload_sz)' \
	"share config payload_sz"
