/*
 * http/ntlm_v2.c - NTLMv2 (MS-NLMP §3.3.2): the hashes, the client's
 * AUTHENTICATE and the server's check, with no I/O.  The messages
 * themselves are read and built in http/ntlm.c.
 *
 * Sections: Hashes (OpenSSL), The client, The server.
 */
#define _POSIX_C_SOURCE 200809L

#include "ntlm_v2.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>

#include "ntlm_le.h"

/* ---- Hashes ---- */

/*
 * OpenSSL 3 keeps MD4 in the "legacy" provider.  Loading any provider
 * explicitly stops the "default" one from loading by itself, so both are
 * loaded, once (pthread_once), and stay loaded for the process.
 */
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static enum http_err crypto_status = HTTP_E_NTLM_CRYPTO;
static EVP_MD *md4;

static void crypto_load(void)
{
	OSSL_PROVIDER *legacy = OSSL_PROVIDER_load(NULL, "legacy");
	OSSL_PROVIDER *deflt = OSSL_PROVIDER_load(NULL, "default");

	if (legacy == NULL || deflt == NULL)
		return;
	md4 = EVP_MD_fetch(NULL, "MD4", NULL);
	if (md4 != NULL)
		crypto_status = HTTP_OK;
}

enum http_err ntlm_crypto_init(void)
{
	if (pthread_once(&crypto_once, crypto_load) != 0)
		return HTTP_E_NTLM_CRYPTO;
	return crypto_status;
}

enum http_err ntlm_utf16(const char *s, size_t len, uint8_t *out, size_t cap,
			 size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n = 0;

	while (i < len) {
		uint32_t c;
		size_t k;

		if (u[i] < 0x80) {
			c = u[i];
			k = 1;
		} else if ((u[i] & 0xe0) == 0xc0) {
			c = u[i] & 0x1fu;
			k = 2;
		} else if ((u[i] & 0xf0) == 0xe0) {
			c = u[i] & 0x0fu;
			k = 3;
		} else if ((u[i] & 0xf8) == 0xf0) {
			c = u[i] & 0x07u;
			k = 4;
		} else {
			return HTTP_E_NTLM_MESSAGE;
		}
		if (k > len - i)
			return HTTP_E_NTLM_MESSAGE;
		for (size_t j = 1; j < k; j++) {
			if ((u[i + j] & 0xc0) != 0x80)
				return HTTP_E_NTLM_MESSAGE;
			c = (c << 6) | (u[i + j] & 0x3fu);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((k == 2 && c < 0x80) || (k == 3 && c < 0x800) ||
		    (k == 4 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c < 0xe000))
			return HTTP_E_NTLM_MESSAGE;
		i += k;
		if (c >= 0x10000) {
			if (cap - n < 4 || n > cap)
				return HTTP_E_NOSPACE;
			c -= 0x10000;
			put16(out + n, (uint16_t)(0xd800 + (c >> 10)));
			put16(out + n + 2, (uint16_t)(0xdc00 + (c & 0x3ff)));
			n += 4;
		} else {
			if (n > cap || cap - n < 2)
				return HTTP_E_NOSPACE;
			put16(out + n, (uint16_t)c);
			n += 2;
		}
	}
	*outlen = n;
	return HTTP_OK;
}

enum http_err ntlm_nt_hash(const char *password, size_t len,
			   uint8_t out[NTLM_HASH_LEN])
{
	uint8_t u16[2 * NTLM_MAX_NAME];
	size_t n = 0;
	unsigned int olen = 0;
	enum http_err e;

	if ((e = ntlm_crypto_init()) != HTTP_OK)
		return e;
	if ((e = ntlm_utf16(password, len, u16, sizeof(u16), &n)) != HTTP_OK)
		return e;
	e = EVP_Digest(u16, n, out, &olen, md4, NULL) == 1 &&
		    olen == NTLM_HASH_LEN
		? HTTP_OK
		: HTTP_E_NTLM_CRYPTO;
	OPENSSL_cleanse(u16, sizeof(u16));
	return e;
}

/* HMAC-MD5 over a || b, into out. */
static enum http_err hmac_md5(const uint8_t key[NTLM_HASH_LEN],
			      const uint8_t *a, size_t alen, const uint8_t *b,
			      size_t blen, uint8_t out[NTLM_HASH_LEN])
{
	uint8_t buf[NTLM_MAX_MESSAGE + NTLM_CHALLENGE_LEN];
	unsigned int olen = 0;
	bool ok;

	if (alen > sizeof(buf) || blen > sizeof(buf) - alen)
		return HTTP_E_NOSPACE;
	if (alen > 0)
		memcpy(buf, a, alen);
	if (blen > 0)
		memcpy(buf + alen, b, blen);
	ok = HMAC(EVP_md5(), key, NTLM_HASH_LEN, buf, alen + blen, out,
		  &olen) != NULL &&
	     olen == NTLM_HASH_LEN;
	OPENSSL_cleanse(buf, alen + blen);
	return ok ? HTTP_OK : HTTP_E_NTLM_CRYPTO;
}

enum http_err ntlm_ntowfv2(const uint8_t nt_hash[NTLM_HASH_LEN],
			   struct ntlm_bytes user16, struct ntlm_bytes domain16,
			   uint8_t out[NTLM_HASH_LEN])
{
	uint8_t up[2 * NTLM_MAX_NAME];

	if (user16.len > sizeof(up))
		return HTTP_E_NOSPACE;
	for (size_t i = 0; i < user16.len; i++) {
		uint8_t c = user16.p[i];

		/* The low byte of a code unit in a..z, high byte zero. */
		if (i % 2 == 0 && c >= 'a' && c <= 'z' &&
		    (i + 1 >= user16.len || user16.p[i + 1] == 0))
			c = (uint8_t)(c - 'a' + 'A');
		up[i] = c;
	}
	return hmac_md5(nt_hash, up, user16.len, domain16.p, domain16.len, out);
}

enum http_err ntlm_proof(const uint8_t ntowfv2[NTLM_HASH_LEN],
			 const uint8_t sc[NTLM_CHALLENGE_LEN],
			 struct ntlm_bytes blob, uint8_t out[NTLM_HASH_LEN])
{
	return hmac_md5(ntowfv2, sc, NTLM_CHALLENGE_LEN, blob.p, blob.len, out);
}

enum http_err ntlm_session_base_key(const uint8_t ntowfv2[NTLM_HASH_LEN],
				    const uint8_t proof[NTLM_HASH_LEN],
				    uint8_t out[NTLM_HASH_LEN])
{
	return hmac_md5(ntowfv2, proof, NTLM_HASH_LEN, NULL, 0, out);
}

/* ---- The client ---- */

/* The first AV pair with this id, or NULL. */
static const struct ntlm_av *ntlm_av_find(const struct ntlm_av *avs, size_t n,
					  uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (avs[i].id == id)
			return &avs[i];
	return NULL;
}

/* A UTF-8 string in the encoding the flags chose: UTF-16LE or OEM. */
static enum http_err encode_string(const char *s, bool unicode, uint8_t *out,
				   size_t cap, size_t *n)
{
	size_t len = s ? strlen(s) : 0;

	if (unicode)
		return ntlm_utf16(s ? s : "", len, out, cap, n);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return HTTP_E_NTLM_MESSAGE; /* OEM: ASCII only here */
	if (len > cap)
		return HTTP_E_NOSPACE;
	memcpy(out, s, len);
	*n = len;
	return HTTP_OK;
}

/* NTOWFv2 (MS-NLMP §3.3.2) of the client's password, user and domain. */
static enum http_err client_ntowfv2(const struct ntlm_client_input *in,
				    uint8_t v2[NTLM_HASH_LEN])
{
	uint8_t user16[2 * NTLM_MAX_NAME], dom16[2 * NTLM_MAX_NAME];
	uint8_t nth[NTLM_HASH_LEN];
	size_t nu = 0, nd = 0;
	enum http_err e;

	if ((e = ntlm_nt_hash(in->password, strlen(in->password), nth)) !=
		HTTP_OK ||
	    (e = ntlm_utf16(in->user, strlen(in->user), user16, sizeof(user16),
			    &nu)) != HTTP_OK ||
	    (e = ntlm_utf16(in->domain ? in->domain : "",
			    in->domain ? strlen(in->domain) : 0, dom16,
			    sizeof(dom16), &nd)) != HTTP_OK)
		goto out;
	e = ntlm_ntowfv2(nth, (struct ntlm_bytes){user16, nu},
			 (struct ntlm_bytes){dom16, nd}, v2);
out:
	OPENSSL_cleanse(nth, sizeof(nth));
	return e;
}

/*
 * The NTLMv2 response into nt (its length in *nt_len) and the LMv2 one
 * into lm (all zeros when zero_lm), from NTOWFv2 v2 and time t.
 */
static enum http_err client_responses(const uint8_t v2[NTLM_HASH_LEN],
				      const struct ntlm_challenge *ch,
				      const struct ntlm_client_input *in,
				      uint64_t t, bool zero_lm, uint8_t *nt,
				      size_t *nt_len,
				      uint8_t lm[NTLM_V1_RESPONSE_LEN])
{
	size_t blob_len = 28 + ch->target_info.len + 4;
	enum http_err e;

	/* MS-NLMP §3.3.2: temp = 1, 1, Z(6), Time, ClientChallenge, Z(4),
	 * ServerName (the target info), Z(4). */
	memset(nt, 0, NTLM_HASH_LEN + blob_len);
	nt[16] = 1;
	nt[17] = 1;
	put32(nt + 24, (uint32_t)t);
	put32(nt + 28, (uint32_t)(t >> 32));
	memcpy(nt + 32, in->client_challenge, NTLM_CHALLENGE_LEN);
	if (ch->target_info.len > 0)
		memcpy(nt + NTLM_V2_MIN_RESPONSE, ch->target_info.p,
		       ch->target_info.len);
	if ((e = ntlm_proof(v2, ch->server_challenge,
			    (struct ntlm_bytes){nt + NTLM_HASH_LEN, blob_len},
			    nt)) != HTTP_OK)
		return e;
	*nt_len = NTLM_HASH_LEN + blob_len;
	/* LMv2 = HMAC-MD5(NTOWFv2, ServerChallenge || ClientChallenge) || CC */
	memset(lm, 0, NTLM_V1_RESPONSE_LEN);
	if (zero_lm)
		return HTTP_OK;
	if ((e = hmac_md5(v2, ch->server_challenge, NTLM_CHALLENGE_LEN,
			  in->client_challenge, NTLM_CHALLENGE_LEN, lm)) !=
	    HTTP_OK)
		return e;
	memcpy(lm + NTLM_HASH_LEN, in->client_challenge, NTLM_CHALLENGE_LEN);
	return HTTP_OK;
}

/* The AUTHENTICATE message around the two responses, names encoded as
 * the challenge's flags chose. */
static enum http_err client_message(const struct ntlm_challenge *ch,
				    const struct ntlm_client_input *in,
				    struct ntlm_bytes nt, struct ntlm_bytes lm,
				    uint8_t *out, size_t cap, size_t *len)
{
	uint8_t user[2 * NTLM_MAX_NAME], dom[2 * NTLM_MAX_NAME];
	uint8_t ws[2 * NTLM_MAX_NAME];
	size_t n_user = 0, n_dom = 0, n_ws = 0;
	bool unicode = (ch->flags & NTLM_FLAG_UNICODE) != 0;
	struct ntlm_authenticate a;
	enum http_err e;

	if ((e = encode_string(in->user, unicode, user, sizeof(user),
			       &n_user)) != HTTP_OK ||
	    (e = encode_string(in->domain, unicode, dom, sizeof(dom),
			       &n_dom)) != HTTP_OK ||
	    (e = encode_string(in->workstation, unicode, ws, sizeof(ws),
			       &n_ws)) != HTTP_OK)
		return e;
	memset(&a, 0, sizeof(a));
	/* Keep what both sides agreed on; no signing, sealing or key
	 * exchange is used over HTTP. */
	a.flags = ch->flags &
		  (NTLM_FLAG_UNICODE | NTLM_FLAG_OEM | NTLM_FLAG_NTLM |
		   NTLM_FLAG_ALWAYS_SIGN | NTLM_FLAG_EXTENDED_SESSIONSECURITY |
		   NTLM_FLAG_TARGET_INFO | NTLM_FLAG_128 | NTLM_FLAG_56);
	a.lm_response = lm;
	a.nt_response = nt;
	a.domain = (struct ntlm_bytes){n_dom ? dom : NULL, n_dom};
	a.user = (struct ntlm_bytes){n_user ? user : NULL, n_user};
	a.workstation = (struct ntlm_bytes){n_ws ? ws : NULL, n_ws};
	return ntlm_build_authenticate(&a, out, cap, len);
}

enum http_err ntlm_client_authenticate(const struct ntlm_challenge *ch,
				       const struct ntlm_client_input *in,
				       uint8_t *out, size_t cap, size_t *len)
{
	struct ntlm_av avs[NTLM_MAX_AV];
	const struct ntlm_av *ts;
	uint8_t v2[NTLM_HASH_LEN];
	uint8_t nt[NTLM_HASH_LEN + 28 + NTLM_MAX_TARGET_INFO + 4];
	uint8_t lm[NTLM_V1_RESPONSE_LEN];
	size_t nav = 0, nt_len = 0;
	uint64_t t = in->timestamp;
	bool zero_lm = false;
	enum http_err e;

	if (ch->target_info.len > NTLM_MAX_TARGET_INFO)
		return HTTP_E_NTLM_MESSAGE;
	if (ch->target_info.len > 0 &&
	    (e = ntlm_av_parse(ch->target_info.p, ch->target_info.len, avs,
			       NTLM_MAX_AV, &nav)) != HTTP_OK)
		return e;
	/* MS-NLMP §3.1.5.1.2: the server's MsvAvTimestamp is the one to use,
	 * and then the LM response is all zeros. */
	ts = ntlm_av_find(avs, nav, NTLM_AV_TIMESTAMP);
	if (ts != NULL && ts->value.len == 8) {
		t = get64(ts->value.p);
		zero_lm = true;
	}
	if ((e = client_ntowfv2(in, v2)) == HTTP_OK &&
	    (e = client_responses(v2, ch, in, t, zero_lm, nt, &nt_len, lm)) ==
		HTTP_OK)
		e = client_message(ch, in, (struct ntlm_bytes){nt, nt_len},
				   (struct ntlm_bytes){lm, sizeof(lm)}, out,
				   cap, len);
	OPENSSL_cleanse(v2, sizeof(v2));
	return e;
}

/* ---- The server ---- */

uint32_t ntlm_server_flags(uint32_t client_flags)
{
	uint32_t f = NTLM_FLAG_NTLM | NTLM_FLAG_TARGET_INFO |
		     NTLM_FLAG_TARGET_TYPE_SERVER;

	/* MS-NLMP §3.2.5.1.1: Unicode when the client can, else OEM. */
	f |= (client_flags & NTLM_FLAG_UNICODE) ? NTLM_FLAG_UNICODE
						: NTLM_FLAG_OEM;
	/* A target name is sent either way; say so when asked. */
	f |= client_flags & (NTLM_FLAG_REQUEST_TARGET | NTLM_FLAG_ALWAYS_SIGN |
			     NTLM_FLAG_EXTENDED_SESSIONSECURITY |
			     NTLM_FLAG_128 | NTLM_FLAG_56);
	return f;
}

enum http_err ntlm_server_challenge(uint32_t client_flags,
				    const uint8_t sc[NTLM_CHALLENGE_LEN],
				    const char *name, uint8_t *out, size_t cap,
				    size_t *len)
{
	uint32_t flags = ntlm_server_flags(client_flags);
	uint8_t tn[2 * NTLM_MAX_NAME], n16[2 * NTLM_MAX_NAME];
	uint8_t ti[NTLM_MAX_TARGET_INFO];
	size_t ntn = 0, nn = 0, pos = 0;
	enum http_err e;

	if ((e = encode_string(name, (flags & NTLM_FLAG_UNICODE) != 0, tn,
			       sizeof(tn), &ntn)) != HTTP_OK ||
	    (e = ntlm_utf16(name, strlen(name), n16, sizeof(n16), &nn)) !=
		HTTP_OK)
		return e;
	/* MS-NLMP §2.2.1.2: AV pair strings are always UTF-16LE. */
	if ((e = ntlm_av_write(ti, sizeof(ti), &pos, NTLM_AV_NB_DOMAIN_NAME,
			       n16, nn)) != HTTP_OK ||
	    (e = ntlm_av_write(ti, sizeof(ti), &pos, NTLM_AV_NB_COMPUTER_NAME,
			       n16, nn)) != HTTP_OK ||
	    (e = ntlm_av_write(ti, sizeof(ti), &pos, NTLM_AV_EOL, NULL, 0)) !=
		HTTP_OK)
		return e;
	return ntlm_build_challenge(flags, sc, (struct ntlm_bytes){tn, ntn},
				    (struct ntlm_bytes){ti, pos}, NULL, out,
				    cap, len);
}

/* User or domain as UTF-16LE: as sent with Unicode, widened from OEM. */
static enum http_err as_utf16(struct ntlm_bytes s, bool unicode, uint8_t *out,
			      size_t cap, struct ntlm_bytes *res)
{
	if (unicode) {
		if (s.len % 2 != 0)
			return HTTP_E_NTLM_MESSAGE;
		*res = s;
		return HTTP_OK;
	}
	if (s.len > cap / 2)
		return HTTP_E_NOSPACE;
	for (size_t i = 0; i < s.len; i++)
		put16(out + 2 * i, s.p[i]);
	res->p = out;
	res->len = 2 * s.len;
	return HTTP_OK;
}

enum http_err ntlm_verify(const struct ntlm_authenticate *a,
			  const uint8_t sc[NTLM_CHALLENGE_LEN],
			  const uint8_t nt_hash[NTLM_HASH_LEN],
			  uint8_t key[NTLM_HASH_LEN])
{
	struct ntlm_v2_response r;
	struct ntlm_bytes u16, d16;
	uint8_t ubuf[2 * NTLM_MAX_NAME], dbuf[2 * NTLM_MAX_NAME];
	uint8_t v2[NTLM_HASH_LEN], proof[NTLM_HASH_LEN];
	bool unicode = (a->flags & NTLM_FLAG_UNICODE) != 0;
	enum http_err e;

	/* MS-NLMP §3.2.5.1.2: an empty user with empty (or Z(1) LM) responses
	 * is anonymous; lab407 authenticates people. */
	if (a->user.len == 0 ||
	    (a->nt_response.len == 0 && a->lm_response.len <= 1))
		return HTTP_E_NTLM_ANONYMOUS;
	/* No NT response but an LM one: the LM response alone. */
	if (a->nt_response.len == 0)
		return HTTP_E_NTLM_V1;
	if ((e = ntlm_v2_response_parse(a->nt_response.p, a->nt_response.len,
					&r)) != HTTP_OK)
		return e;
	if (a->user.len > NTLM_MAX_NAME * 2 ||
	    a->domain.len > NTLM_MAX_NAME * 2)
		return HTTP_E_NTLM_MESSAGE;
	if ((e = as_utf16(a->user, unicode, ubuf, sizeof(ubuf), &u16)) !=
		HTTP_OK ||
	    (e = as_utf16(a->domain, unicode, dbuf, sizeof(dbuf), &d16)) !=
		HTTP_OK)
		return e;
	if ((e = ntlm_ntowfv2(nt_hash, u16, d16, v2)) != HTTP_OK ||
	    (e = ntlm_proof(v2, sc, r.blob, proof)) != HTTP_OK)
		goto out;
	if (CRYPTO_memcmp(proof, r.proof, NTLM_HASH_LEN) != 0) {
		e = HTTP_E_BAD_PASSWORD;
		goto out;
	}
	if (key != NULL)
		e = ntlm_session_base_key(v2, proof, key);
out:
	OPENSSL_cleanse(v2, sizeof(v2));
	OPENSSL_cleanse(proof, sizeof(proof));
	return e;
}
