/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypt.h - SMB3 encryption: the TRANSFORM_HEADER ([MS-SMB2] 2.2.41),
 * encrypting (3.1.4.3) and decrypting (3.3.5.2.1.1) messages, and the
 * server's encryption policy (global and per share).
 */
#ifndef SMB_CRYPT_H
#define SMB_CRYPT_H

#include "ops.h"

#define SMB2_TRANSFORM_HDR_SIZE 52
/* Offsets in the transform header. */
#define SMB2_TF_SIGNATURE 4
#define SMB2_TF_NONCE 20
#define SMB2_TF_ORIG_SIZE 36
#define SMB2_TF_FLAGS 42
#define SMB2_TF_SESSION_ID 44
/* The authenticated data: everything after the signature. */
#define SMB2_TF_AAD_LEN (SMB2_TRANSFORM_HDR_SIZE - SMB2_TF_NONCE)
/* Flags (3.1.1) / EncryptionAlgorithm (3.0, 3.0.2): both are 0x0001. */
#define SMB2_TF_FLAG_ENCRYPTED 0x0001

/* ksmbd.conf "smb3 encryption" in [global]. */
enum smb_encrypt_mode {
	SMB_ENCRYPT_AUTO =
		0, /* offered; used when the client or a share asks */
	SMB_ENCRYPT_OFF = 1, /* never negotiated */
	SMB_ENCRYPT_REQUIRED = 2, /* every session encrypts (EncryptData) */
};

struct smb_server;
struct smb_conn;
struct smb_work;
struct smb_session;

/* Policy setters: call after smb_server_new(), before any connection. */
void smb_server_set_encryption(struct smb_server *srv,
			       enum smb_encrypt_mode mode);
/* Share.EncryptData for the share named name (case-insensitive); returns
 * 0, or -1 when no such share exists. */
int smb_server_set_share_encryption(struct smb_server *srv, const char *name,
				    bool required);
/* Advertise SMB2_GLOBAL_CAP_MULTI_CHANNEL (3.x). */
void smb_server_set_multichannel(struct smb_server *srv, bool on);

/* Nonce bytes a cipher uses (11 for CCM, 12 for GCM); 0 if unknown. */
size_t smb3_nonce_len(u16 cipher);
/* Key bytes of a cipher (16 or 32); 0 if unknown. */
size_t smb3_key_len(u16 cipher);

/*
 * Encrypt msg[0..nmsg) in place and fill hdr (SMB2_TRANSFORM_HDR_SIZE
 * bytes) with cipher (SMB2_ENCRYPTION_*), key, session_id and the nonce
 * (all 16 bytes go into the header, which is authenticated; the cipher
 * uses the first smb3_nonce_len(cipher) of them).
 * The total must fit OriginalMessageSize (32 bits).  Returns 0 or -1.
 */
int smb3_encrypt(const struct smb_crypto_ops *c, u16 cipher, const u8 *key,
		 size_t key_len, u64 session_id, const u8 nonce[16], u8 *hdr,
		 const struct smb_iov *msg, int nmsg);

/*
 * Check a received transform PDU's header: at least a header plus one SMB2
 * header, OriginalMessageSize equal to what follows the transform header,
 * Flags/EncryptionAlgorithm 0x0001.  Returns 0 and *session_id, or -1.
 */
int smb3_transform_check(const u8 *pdu, size_t len, u64 *session_id);

/*
 * Verify and decrypt a checked transform PDU in place; on success the
 * plaintext starts at pdu + SMB2_TRANSFORM_HDR_SIZE.  Returns 0, or -1 on
 * a bad tag (the data is then wiped) or bad arguments.
 */
int smb3_decrypt(const struct smb_crypto_ops *c, u16 cipher, const u8 *key,
		 size_t key_len, u8 *pdu, size_t len);

/* ---- used by the connection and the handlers (core only) ------------- */

/* A fresh nonce for the server: a server-wide counter, never repeated. */
void smb3_next_nonce(struct smb_server *srv, u8 nonce[16]);

/*
 * The session whose keys must encrypt w's response, or NULL when it goes
 * in clear ([MS-SMB2] 3.3.4.1.4).
 */
struct smb_session *smb_work_encrypt_session(const struct smb_work *w);

/*
 * Does the request w break the encryption policy (unencrypted on a
 * session or share that requires encryption)?  Returns the status to
 * fail it with, or 0.  tree may be NULL.
 */
u32 smb_work_check_encryption(const struct smb_work *w);

/* Negotiate: choose the cipher from a 3.1.1 ENCRYPTION_CAPABILITIES
 * context's list (count entries at ciphers) by the server's preference;
 * 0 when none is acceptable or encryption is off. */
u16 smb3_choose_cipher(const struct smb_server *srv, const u8 *ciphers,
		       u16 count);

/* What encrypting a response needs, copied so other threads (async
 * completions) never touch the session. */
struct smb_enc_ctx {
	u16 cipher; /* 0: send in clear */
	u8 key_len;
	u8 key[32];
	u64 session_id;
};

/* Fill ctx for sess (cipher 0 when sess is NULL or has no keys). */
void smb_enc_ctx_init(struct smb_enc_ctx *ctx, const struct smb_conn *conn,
		      const struct smb_session *sess);

/*
 * Send iov[0..niov) (at most SMB_MAX_COMPOUND) as one transport message,
 * inside one transform when ctx->cipher is set; the buffers are encrypted
 * in place.  Returns the transport's result (<0: failed).
 */
int smb_conn_send(struct smb_conn *conn, const struct smb_enc_ctx *ctx,
		  struct smb_iov *iov, int niov);

/* Decrypt and process one transform PDU (smb_conn_input calls it). */
int smb_conn_input_encrypted(struct smb_conn *conn, u8 *pdu, size_t len);
/* Process a plain SMB2 PDU; enc_sess is the session it arrived encrypted
 * for, or NULL (conn.c). */
int smb_conn_process(struct smb_conn *conn, u8 *pdu, size_t len,
		     struct smb_session *enc_sess);

#endif /* SMB_CRYPT_H */
