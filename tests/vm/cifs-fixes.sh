#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cifs-fixes.sh DIR - a race fix for Debian's 6.1 cifs client
# (fs/smb/client in linux-source-6.1, DIR), the client every VM scenario
# mounts with.  Checked like ksmbd-fixes.sh: a line that no longer
# matches stops the build.
set -euo pipefail
dir=$1
fix_name=cifs-fixes

# shellcheck source=tests/vm/source-edit.sh
. "$(dirname "$0")/source-edit.sh"

# 1. smbd_destroy() frees the RDMA CM id while the connection's
#    disconnect work may still be running.  At unmount the client's own
#    rdma_disconnect() flushes its receives; each flushed receive queues
#    smbd_disconnect_rdma_work(), which reads transport_status ==
#    SMBD_CONNECTED and then calls rdma_disconnect(info->id).  When the
#    DISCONNECTED event lands between the two, smbd_destroy() goes on to
#    rdma_destroy_id() and the work disconnects a freed id.  Seen in CI
#    (scenario smbd-faults, a cifs unmount): "BUG: kernel NULL pointer
#    dereference, address: 0000000000000508", RIP rdma_disconnect+0x2f,
#    workqueue smbd_<info> running smbd_disconnect_rdma_work; the guest's
#    RDMA CM was stuck from then on.  Upstream later made smbd_destroy()
#    disable its works before tearing down.  Here: wait for the work
#    before the id goes; the CQs are already freed, so nothing queues it
#    again.
replace_line smbdirect.c \
	'void smbd_destroy(struct TCP_Server_Info *server)' \
	'\trdma_destroy_id(info->id);' \
	'\t/* cifs-fixes.sh 1: no disconnect work on a destroyed id */
\tcancel_work_sync(&info->disconnect_work);
\trdma_destroy_id(info->id);' \
	"smbd_destroy waits for the disconnect work"
