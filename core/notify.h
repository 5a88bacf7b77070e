/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h - SMB2 CHANGE_NOTIFY ([MS-SMB2] 3.3.5.19) on directory opens.
 */
#ifndef SMB_NOTIFY_H
#define SMB_NOTIFY_H

#include "internal.h"

/* Changes buffered per open between requests, at most (bytes). */
#define SMB_NOTIFY_BUFFER_MAX 65536u

/*
 * The open is closing: stop its watch and answer its pending requests with
 * STATUS_NOTIFY_CLEANUP.  Called from smb_open_destroy().
 */
void smb_notify_open_closing(struct smb_open *op);

/*
 * The directory of node became delete-pending while other handles stay
 * open (srv->lock held): their waiting requests move to out, to be
 * answered with smb_notify_answer_deleting() once srv->lock is released.
 */
void smb_notify_node_deleting(struct smb_file_node *node, struct smb_list *out);
void smb_notify_answer_deleting(struct smb_list *list);

#endif /* SMB_NOTIFY_H */
