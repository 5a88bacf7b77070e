/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * overlap.h - which requests of one connection may run at the same time.
 *
 * The connection engine hands a connection's PDUs to its threads in
 * order; a PDU that smb_pdu_classify() does not call SMB_PDU_ALONE may
 * start while earlier such PDUs of the same connection still run.  Every
 * other PDU (NEGOTIATE, SESSION_SETUP with its pre-authentication hash, LOGOFF,
 * TREE_CONNECT/DISCONNECT, CREATE, CLOSE, compounds, ...) must run alone:
 * it starts after all earlier PDUs finished, and later ones wait for it.
 * That rule is what lets the overlapping commands read the session, tree
 * and open tables without locks: only requests that run alone change them.
 */
#ifndef SMB_OVERLAP_H
#define SMB_OVERLAP_H

#include "compat.h"

enum smb_pdu_kind {
	SMB_PDU_ALONE,
	SMB_PDU_OVERLAP,
	/* Overlaps, costs little and never touches a file: ECHO, CANCEL. */
	SMB_PDU_QUICK,
};

enum smb_pdu_kind smb_pdu_classify(const u8 *pdu, size_t len);

struct smb_conn;
/*
 * As smb_pdu_classify, for a PDU of conn: a multichannel connection's PDUs
 * all run alone (they serialize on the server's channel lock anyway, and
 * none should wait for it on the engine's event-loop thread).
 */
enum smb_pdu_kind smb_conn_pdu_kind(struct smb_conn *conn, const u8 *pdu,
				    size_t len);

#endif
