// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crypt.c - SMB3 encryption ([MS-SMB2] 2.2.41, 3.1.4.3, 3.3.4.1.4,
 * 3.3.5.2.1.1): the transform header, AEAD through the crypto ops, the
 * per-session/per-share policy and the encrypted receive/send paths.
 */
#include "crypt.h"
#include "internal.h"

void smb_server_set_encryption(struct smb_server *srv,
			       enum smb_encrypt_mode mode)
{
	srv->encrypt_mode = (u8)mode;
}

int smb_server_set_share_encryption(struct smb_server *srv, const char *name,
				    bool required)
{
	struct smb_share *sh = smb_share_find(srv, name);

	if (!sh)
		return -1;
	sh->encrypt_data = required;
	return 0;
}

void smb_server_set_multichannel(struct smb_server *srv, bool on)
{
	srv->multichannel = on;
}

size_t smb3_nonce_len(u16 cipher)
{
	switch (cipher) {
	case SMB2_ENCRYPTION_AES128_CCM:
	case SMB2_ENCRYPTION_AES256_CCM:
		return 11;
	case SMB2_ENCRYPTION_AES128_GCM:
	case SMB2_ENCRYPTION_AES256_GCM:
		return 12;
	}
	return 0;
}

size_t smb3_key_len(u16 cipher)
{
	switch (cipher) {
	case SMB2_ENCRYPTION_AES128_CCM:
	case SMB2_ENCRYPTION_AES128_GCM:
		return 16;
	case SMB2_ENCRYPTION_AES256_CCM:
	case SMB2_ENCRYPTION_AES256_GCM:
		return 32;
	}
	return 0;
}

/* SMB2_ENCRYPTION_* and enum smb_cipher_alg share their values. */
static enum smb_cipher_alg cipher_alg(u16 cipher)
{
	return (enum smb_cipher_alg)cipher;
}

int smb3_encrypt(const struct smb_crypto_ops *c, u16 cipher, const u8 *key,
		 size_t key_len, u64 session_id, const u8 nonce[16], u8 *hdr,
		 const struct smb_iov *msg, int nmsg)
{
	size_t nlen = smb3_nonce_len(cipher), total = 0;
	int i;

	if (!c || !c->aead_encrypt || !key || !nonce || !hdr || !msg ||
	    nmsg < 1 || !nlen || key_len != smb3_key_len(cipher))
		return -1;
	for (i = 0; i < nmsg; i++) {
		if (msg[i].len && !msg[i].base)
			return -1;
		if (smb_add_overflow(total, msg[i].len, &total))
			return -1;
	}
	if (total < SMB2_HDR_SIZE || total > U32_MAX)
		return -1;
	memset(hdr, 0, SMB2_TRANSFORM_HDR_SIZE);
	smb_put_le32(hdr, SMB2_TRANSFORM_PROTO_ID);
	memcpy(hdr + SMB2_TF_NONCE, nonce, 16);
	smb_put_le32(hdr + SMB2_TF_ORIG_SIZE, (u32)total);
	smb_put_le16(hdr + SMB2_TF_FLAGS, SMB2_TF_FLAG_ENCRYPTED);
	smb_put_le64(hdr + SMB2_TF_SESSION_ID, session_id);
	return c->aead_encrypt(cipher_alg(cipher), key, key_len,
			       hdr + SMB2_TF_NONCE, nlen, hdr + SMB2_TF_NONCE,
			       SMB2_TF_AAD_LEN, msg, nmsg,
			       hdr + SMB2_TF_SIGNATURE) ?
		       -1 :
		       0;
}

int smb3_transform_check(const u8 *pdu, size_t len, u64 *session_id)
{
	if (!pdu || len < SMB2_TRANSFORM_HDR_SIZE + SMB2_HDR_SIZE ||
	    smb_get_le32(pdu) != SMB2_TRANSFORM_PROTO_ID)
		return -1;
	if ((u64)smb_get_le32(pdu + SMB2_TF_ORIG_SIZE) !=
	    (u64)(len - SMB2_TRANSFORM_HDR_SIZE))
		return -1;
	if (smb_get_le16(pdu + SMB2_TF_FLAGS) != SMB2_TF_FLAG_ENCRYPTED)
		return -1;
	*session_id = smb_get_le64(pdu + SMB2_TF_SESSION_ID);
	return 0;
}

int smb3_decrypt(const struct smb_crypto_ops *c, u16 cipher, const u8 *key,
		 size_t key_len, u8 *pdu, size_t len)
{
	size_t nlen = smb3_nonce_len(cipher);
	struct smb_iov data;
	u64 sid;

	if (!c || !c->aead_decrypt || !key || !nlen ||
	    key_len != smb3_key_len(cipher) ||
	    smb3_transform_check(pdu, len, &sid))
		return -1;
	data.base = pdu + SMB2_TRANSFORM_HDR_SIZE;
	data.len = len - SMB2_TRANSFORM_HDR_SIZE;
	return c->aead_decrypt(cipher_alg(cipher), key, key_len,
			       pdu + SMB2_TF_NONCE, nlen, pdu + SMB2_TF_NONCE,
			       SMB2_TF_AAD_LEN, &data, 1,
			       pdu + SMB2_TF_SIGNATURE) ?
		       -1 :
		       0;
}

void smb3_next_nonce(struct smb_server *srv, u8 nonce[16])
{
	u64 n = __atomic_add_fetch(&srv->nonce_counter, 1, __ATOMIC_RELAXED);

	/* Keys are per session, so a server-wide counter never repeats a
	 * (key, nonce) pair; the rest of the field stays zero. */
	memset(nonce, 0, 16);
	smb_put_le64(nonce, n);
}

static bool session_can_encrypt(const struct smb_session *s)
{
	return s && s->cipher_key_len && !s->keyless;
}

struct smb_session *smb_work_encrypt_session(const struct smb_work *w)
{
	struct smb_session *s = w->sess;

	if (!w->conn->cipher)
		return NULL;
	if (w->crypt_sess)
		return w->crypt_sess;
	/* A client that did not encrypt may not be able to: tell it why. */
	if (w->refused_in_clear || !session_can_encrypt(s) ||
	    (s->state != SMB_SESSION_VALID && w->destroy_after_send != s))
		return NULL;
	if (w->command == SMB2_NEGOTIATE || w->command == SMB2_SESSION_SETUP)
		return NULL;
	if (s->encrypt_data)
		return s;
	if (w->command != SMB2_TREE_CONNECT && w->tree &&
	    w->tree->share->encrypt_data)
		return s;
	return NULL;
}

u32 smb_work_check_encryption(const struct smb_work *w)
{
	const struct smb_session *s = w->sess;

	if (w->crypt_sess || !s || w->command == SMB2_NEGOTIATE ||
	    w->command == SMB2_SESSION_SETUP)
		return STATUS_SUCCESS;
	/* [MS-SMB2] 3.3.5.2.9 and 3.3.5.2.11, RejectUnencryptedAccess. */
	if (s->encrypt_data)
		return STATUS_ACCESS_DENIED;
	if (w->command != SMB2_TREE_CONNECT && w->tree &&
	    w->tree->share->encrypt_data)
		return STATUS_ACCESS_DENIED;
	return STATUS_SUCCESS;
}

u16 smb3_choose_cipher(const struct smb_server *srv, const u8 *ciphers,
		       u16 count)
{
	/* Fastest and smallest key first, as Windows prefers them. */
	static const u16 preference[] = {
		SMB2_ENCRYPTION_AES128_GCM,
		SMB2_ENCRYPTION_AES128_CCM,
		SMB2_ENCRYPTION_AES256_GCM,
		SMB2_ENCRYPTION_AES256_CCM,
	};
	size_t i;
	u16 j;

	if (srv->encrypt_mode == SMB_ENCRYPT_OFF)
		return 0;
	for (i = 0; i < ARRAY_SIZE(preference); i++)
		for (j = 0; j < count; j++)
			if (smb_get_le16(ciphers + 2 * j) == preference[i])
				return preference[i];
	return 0;
}

void smb_enc_ctx_init(struct smb_enc_ctx *ctx, const struct smb_conn *conn,
		      const struct smb_session *sess)
{
	memset(ctx, 0, sizeof(*ctx));
	if (!conn->cipher || !session_can_encrypt(sess))
		return;
	ctx->cipher = conn->cipher;
	ctx->key_len = sess->cipher_key_len;
	memcpy(ctx->key, sess->encryption_key, sess->cipher_key_len);
	ctx->session_id = sess->id;
}

int smb_conn_send(struct smb_conn *conn, const struct smb_enc_ctx *ctx,
		  struct smb_iov *iov, int niov)
{
	struct smb_iov *all;
	u8 hdr[SMB2_TRANSFORM_HDR_SIZE], nonce[16];
	int rc;

	if (!ctx || !ctx->cipher)
		return conn->t->send_pdu(conn->tc, iov, niov);
	if (niov < 1 || niov > SMB_MAX_COMPOUND)
		return -1;
	smb3_next_nonce(conn->srv, nonce);
	if (smb3_encrypt(conn->srv->ops.crypto, ctx->cipher, ctx->key,
			 ctx->key_len, ctx->session_id, nonce, hdr, iov,
			 niov)) {
		smb_err("encrypting a response failed");
		return -1;
	}
	/* Heap: SMB_MAX_COMPOUND + 1 iovs are too much for a kernel stack. */
	all = smb_alloc(conn->srv, sizeof(*all) * ((size_t)niov + 1));
	if (!all)
		return -1;
	all[0].base = hdr;
	all[0].len = sizeof(hdr);
	memcpy(all + 1, iov, sizeof(*iov) * (size_t)niov);
	rc = conn->t->send_pdu(conn->tc, all, niov + 1);
	smb_free(conn->srv, all);
	return rc;
}

int smb_conn_input_encrypted(struct smb_conn *conn, u8 *pdu, size_t len)
{
	struct smb_session *sess;
	u64 sid;

	if (!conn->negotiated || !conn->cipher ||
	    smb3_transform_check(pdu, len, &sid)) {
		smb_warn("malformed or unexpected transform header");
		return -1;
	}
	sess = smb_session_find(conn, sid);
	if (!session_can_encrypt(sess) ||
	    sess->state == SMB_SESSION_LOGGED_OFF) {
		smb_warn("transform for unknown session 0x%llx",
			 (unsigned long long)sid);
		return -1;
	}
	if (smb3_decrypt(conn->srv->ops.crypto, conn->cipher,
			 sess->decryption_key, sess->cipher_key_len, pdu,
			 len)) {
		smb_warn("decryption failed for session 0x%llx",
			 (unsigned long long)sid);
		return -1;
	}
	return smb_conn_process(conn, pdu + SMB2_TRANSFORM_HDR_SIZE,
				len - SMB2_TRANSFORM_HDR_SIZE, sess);
}
