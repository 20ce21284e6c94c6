/*
 * http/ntlm_v2.h - NTLMv2 (MS-NLMP §3.3.2): the hashes, the client's
 * side and the server's side (http/ntlm_v2.c).  The message structs are
 * in http/ntlm.h.
 */
#ifndef LAB407_HTTP_NTLM_V2_H
#define LAB407_HTTP_NTLM_V2_H

#include "ntlm.h"

/* ---- The hashes (MS-NLMP §3.3.2) ---- */

/*
 * Load OpenSSL's "legacy" provider (for MD4) and "default" (for the rest)
 * into the default library context, once; safe to call from any thread,
 * any number of times.  HTTP_E_NTLM_CRYPTO when MD4 cannot be had.
 */
enum http_err ntlm_crypto_init(void);
/* NT hash = MD4(UTF-16LE(password)); password in UTF-8. */
enum http_err ntlm_nt_hash(const char *password, size_t len,
			   uint8_t out[NTLM_HASH_LEN]);
/*
 * NTOWFv2 = HMAC-MD5(NT hash, UTF-16LE(Uppercase(user)) || UTF-16LE(domain)),
 * with user and domain given UTF-16LE already.  Uppercase here maps a-z
 * only (the lab's names are ASCII).
 */
enum http_err ntlm_ntowfv2(const uint8_t nt_hash[NTLM_HASH_LEN],
			   struct ntlm_bytes user16, struct ntlm_bytes domain16,
			   uint8_t out[NTLM_HASH_LEN]);
/* NTProofStr = HMAC-MD5(NTOWFv2, ServerChallenge || blob). */
enum http_err ntlm_proof(const uint8_t ntowfv2[NTLM_HASH_LEN],
			 const uint8_t sc[NTLM_CHALLENGE_LEN],
			 struct ntlm_bytes blob, uint8_t out[NTLM_HASH_LEN]);
/* SessionBaseKey = HMAC-MD5(NTOWFv2, NTProofStr). */
enum http_err ntlm_session_base_key(const uint8_t ntowfv2[NTLM_HASH_LEN],
				    const uint8_t proof[NTLM_HASH_LEN],
				    uint8_t out[NTLM_HASH_LEN]);
/* UTF-8 to UTF-16LE into out (cap bytes); HTTP_E_NTLM_MESSAGE on bad UTF-8. */
enum http_err ntlm_utf16(const char *s, size_t len, uint8_t *out, size_t cap,
			 size_t *outlen);

/* ---- The client's side (MS-NLMP §3.1.5.1.2) ---- */

struct ntlm_client_input {
	const char *user, *domain, *password, *workstation; /* UTF-8 */
	uint8_t client_challenge[NTLM_CHALLENGE_LEN];	    /* random */
	uint64_t timestamp; /* FILETIME now; a MsvAvTimestamp wins */
};

/*
 * The AUTHENTICATE answering a parsed CHALLENGE: NTLMv2 and LMv2
 * responses over the challenge's target info, strings in UTF-16LE when
 * the challenge chose Unicode.  No key exchange (nothing is signed or
 * sealed over HTTP).
 */
enum http_err ntlm_client_authenticate(const struct ntlm_challenge *ch,
				       const struct ntlm_client_input *in,
				       uint8_t *out, size_t cap, size_t *len);

/* ---- The server's side (MS-NLMP §3.2.5.1.2) ---- */

/*
 * Flags for our CHALLENGE answering a NEGOTIATE with `client_flags`:
 * Unicode if offered (else OEM), NTLM, target info, extended session
 * security if asked for, target type server.
 */
uint32_t ntlm_server_flags(uint32_t client_flags);
/*
 * The CHALLENGE lab407 sends: `sc` as the server challenge, `name` (ASCII)
 * as target name and as MsvAvNbComputerName and MsvAvNbDomainName.
 */
enum http_err ntlm_server_challenge(uint32_t client_flags,
				    const uint8_t sc[NTLM_CHALLENGE_LEN],
				    const char *name, uint8_t *out, size_t cap,
				    size_t *len);
/*
 * Verify an AUTHENTICATE against the server challenge of this connection
 * and the user's NT hash.  HTTP_OK (and the session base key, when
 * `key` is not NULL), HTTP_E_BAD_PASSWORD, HTTP_E_NTLM_V1 (NTLMv1 or LM
 * only), HTTP_E_NTLM_ANONYMOUS or HTTP_E_NTLM_MESSAGE.  Compares in
 * constant time.
 */
enum http_err ntlm_verify(const struct ntlm_authenticate *a,
			  const uint8_t sc[NTLM_CHALLENGE_LEN],
			  const uint8_t nt_hash[NTLM_HASH_LEN],
			  uint8_t key[NTLM_HASH_LEN]);

#endif
