/*
 * http/ntlm.h - NTLM messages (MS-NLMP), NTLMv2 only, with no I/O.
 *
 *   client                         server
 *   NEGOTIATE     (type 1)  ->                 "what I can do"
 *                 <-  CHALLENGE    (type 2)    8 random bytes + target info
 *   AUTHENTICATE  (type 3)  ->                 user, NTLMv2 response
 *
 * Over HTTP each message travels base64-encoded after "NTLM " in
 * Proxy-Authorization / Proxy-Authenticate, and all three must use ONE
 * connection: the server remembers its challenge per connection, so the
 * connection, not the request, ends up authenticated (lesson 11).
 *
 * The parsers never allocate and never copy: they fill structs of
 * pointer+length pairs into the caller's message, after checking every
 * offset and length against the message length.  The builders write into
 * a caller's buffer of a given size.  Hashes come from OpenSSL: MD4 from
 * OpenSSL 3's legacy provider (ntlm_crypto_init() loads it once), HMAC-MD5
 * from the default provider.
 */
#ifndef LAB407_HTTP_NTLM_H
#define LAB407_HTTP_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define NTLM_CHALLENGE_LEN 8	  /* server and client challenges */
#define NTLM_HASH_LEN 16	  /* NT hash, NTOWFv2, NTProofStr, keys */
#define NTLM_MAX_MESSAGE 4096	  /* decoded bytes of one message we accept */
#define NTLM_MAX_NAME 256	  /* UTF-8 bytes of a user/domain/host */
#define NTLM_MAX_AV 32		  /* AV pairs in one target info */
#define NTLM_MAX_TARGET_INFO 1024 /* bytes of a target info we build */
#define NTLM_V1_RESPONSE_LEN 24	  /* NTLMv1 and LM responses */
#define NTLM_V2_MIN_RESPONSE 44	  /* NTProofStr + the fixed blob header */

/* MS-NLMP §2.2.1: the MessageType field. */
enum ntlm_type {
	NTLM_TYPE_NEGOTIATE = 1,
	NTLM_TYPE_CHALLENGE = 2,
	NTLM_TYPE_AUTHENTICATE = 3
};

/* MS-NLMP §2.2.2.5: the NegotiateFlags bits lab407 sets or checks. */
#define NTLM_FLAG_UNICODE 0x00000001u		       /* A */
#define NTLM_FLAG_OEM 0x00000002u		       /* B */
#define NTLM_FLAG_REQUEST_TARGET 0x00000004u	       /* C */
#define NTLM_FLAG_NTLM 0x00000200u		       /* H */
#define NTLM_FLAG_ANONYMOUS 0x00000800u		       /* J */
#define NTLM_FLAG_ALWAYS_SIGN 0x00008000u	       /* M */
#define NTLM_FLAG_TARGET_TYPE_SERVER 0x00020000u       /* O */
#define NTLM_FLAG_EXTENDED_SESSIONSECURITY 0x00080000u /* P */
#define NTLM_FLAG_TARGET_INFO 0x00800000u	       /* S */
#define NTLM_FLAG_VERSION 0x02000000u		       /* T */
#define NTLM_FLAG_128 0x20000000u		       /* U */
#define NTLM_FLAG_KEY_EXCH 0x40000000u		       /* V */
#define NTLM_FLAG_56 0x80000000u		       /* W */

/* MS-NLMP §2.2.2.1: AvId values of target info. */
enum ntlm_av_id {
	NTLM_AV_EOL = 0,
	NTLM_AV_NB_COMPUTER_NAME = 1,
	NTLM_AV_NB_DOMAIN_NAME = 2,
	NTLM_AV_DNS_COMPUTER_NAME = 3,
	NTLM_AV_DNS_DOMAIN_NAME = 4,
	NTLM_AV_DNS_TREE_NAME = 5,
	NTLM_AV_FLAGS = 6,
	NTLM_AV_TIMESTAMP = 7,
	NTLM_AV_SINGLE_HOST = 8,
	NTLM_AV_TARGET_NAME = 9,
	NTLM_AV_CHANNEL_BINDINGS = 10
};

/* Bytes inside a message: a payload field, not NUL-terminated. */
struct ntlm_bytes {
	const uint8_t *p; /* into the caller's message; NULL when len is 0 */
	size_t len;
};

/* MS-NLMP §2.2.2.1 AV_PAIR. */
struct ntlm_av {
	uint16_t id; /* enum ntlm_av_id, or an unknown value */
	struct ntlm_bytes value;
};

/* MS-NLMP §2.2.1.1 NEGOTIATE_MESSAGE. */
struct ntlm_negotiate {
	uint32_t flags;
	struct ntlm_bytes domain;      /* OEM, when flag K is set */
	struct ntlm_bytes workstation; /* OEM, when flag L is set */
	bool has_version;
	uint8_t version[8]; /* MS-NLMP §2.2.2.10 */
};

/* MS-NLMP §2.2.1.2 CHALLENGE_MESSAGE. */
struct ntlm_challenge {
	uint32_t flags;
	uint8_t server_challenge[NTLM_CHALLENGE_LEN];
	struct ntlm_bytes target_name; /* UTF-16LE, or OEM without flag A */
	bool target_name_invalid;      /* its offset pointed outside: empty */
	struct ntlm_bytes target_info; /* AV pairs; see ntlm_av_parse() */
	bool has_version;
	uint8_t version[8];
};

/* MS-NLMP §2.2.1.3 AUTHENTICATE_MESSAGE. */
struct ntlm_authenticate {
	uint32_t flags;
	struct ntlm_bytes lm_response; /* LMv2 (24 bytes) or zeros or empty */
	struct ntlm_bytes nt_response; /* NTLMv2: NTProofStr + blob */
	struct ntlm_bytes domain;      /* UTF-16LE, or OEM without flag A */
	struct ntlm_bytes user;
	struct ntlm_bytes workstation;
	struct ntlm_bytes session_key; /* EncryptedRandomSessionKey */
	bool has_version;
	uint8_t version[8];
	bool has_mic; /* room for a MIC before the payload */
	uint8_t mic[16];
};

/* NTLMv2_RESPONSE (MS-NLMP §2.2.2.8) with its client challenge
 * (MS-NLMP §2.2.2.7). */
struct ntlm_v2_response {
	const uint8_t *proof;	/* NTProofStr, NTLM_HASH_LEN bytes */
	struct ntlm_bytes blob; /* everything after NTProofStr ("temp") */
	uint8_t resp_type, hi_resp_type; /* both 1 */
	uint64_t timestamp;		 /* FILETIME: 100 ns units since 1601 */
	const uint8_t *client_challenge; /* NTLM_CHALLENGE_LEN bytes */
	struct ntlm_bytes av_pairs;	 /* the client's copy of target info */
};

/* ---- Names, for -v, the REPL and the lessons ---- */

/* The flag's name from MS-NLMP §2.2.2.5 without NTLMSSP_ ("UNICODE"), or
 * NULL for a reserved bit. */
const char *ntlm_flag_name(uint32_t bit);
/* The flag's letter in MS-NLMP §2.2.2.5 ('A'..'W'), or 'r' when reserved. */
char ntlm_flag_letter(uint32_t bit);
/* "UNICODE REQUEST_TARGET NTLM ..." into out (always NUL-terminated). */
void ntlm_flags_describe(uint32_t flags, char *out, size_t cap);
/* "MsvAvNbComputerName", ...; NULL for an unknown AvId. */
const char *ntlm_av_name(uint16_t id);
/* "NEGOTIATE", "CHALLENGE", "AUTHENTICATE", or NULL. */
const char *ntlm_type_name(int type);

/* ---- Reading messages ---- */

/* The signature "NTLMSSP\0" and the type; HTTP_E_NTLM_MESSAGE if neither. */
enum http_err ntlm_message_type(const uint8_t *m, size_t len,
				enum ntlm_type *type);
enum http_err ntlm_parse_negotiate(const uint8_t *m, size_t len,
				   struct ntlm_negotiate *out);
enum http_err ntlm_parse_challenge(const uint8_t *m, size_t len,
				   struct ntlm_challenge *out);
enum http_err ntlm_parse_authenticate(const uint8_t *m, size_t len,
				      struct ntlm_authenticate *out);
/*
 * Split target info into AV pairs, up to and excluding MsvAvEOL (which
 * must be there; bytes after it are ignored).  At most max pairs; more
 * gives HTTP_E_NTLM_MESSAGE, like a pair that runs past the end.
 */
enum http_err ntlm_av_parse(const uint8_t *ti, size_t len, struct ntlm_av *out,
			    size_t max, size_t *n);
/*
 * Split an NT response.  24 bytes is NTLMv1: HTTP_E_NTLM_V1.  Anything
 * shorter than NTLM_V2_MIN_RESPONSE, or with a wrong RespType, is
 * HTTP_E_NTLM_MESSAGE.
 */
enum http_err ntlm_v2_response_parse(const uint8_t *nt, size_t len,
				     struct ntlm_v2_response *out);
/*
 * A message string as UTF-8 (UTF-16LE when `unicode`, else OEM bytes
 * taken as Latin-1) into out (cap incl. NUL).  Control characters become
 * '?', so the result is safe to print.
 */
enum http_err ntlm_string(struct ntlm_bytes s, bool unicode, char *out,
			  size_t cap);

/* ---- Building messages ---- */

/*
 * NEGOTIATE with these flags and no domain, workstation or version
 * (MS-NLMP §3.1.5.1.1).  out holds cap bytes; *len is the size written.
 */
enum http_err ntlm_build_negotiate(uint32_t flags, uint8_t *out, size_t cap,
				   size_t *len);
/* Append one AV pair to target info being built in out[*pos..cap). */
enum http_err ntlm_av_write(uint8_t *out, size_t cap, size_t *pos, uint16_t id,
			    const void *value, size_t value_len);
/*
 * CHALLENGE: flags, the server challenge, target name (already encoded
 * as the flags say) and target info (AV pairs ending with MsvAvEOL);
 * `version` (8 bytes) is written when not NULL.  Payload order: target
 * name, target info, as in MS-NLMP §4.2.4.3.
 */
enum http_err ntlm_build_challenge(uint32_t flags,
				   const uint8_t sc[NTLM_CHALLENGE_LEN],
				   struct ntlm_bytes target_name,
				   struct ntlm_bytes target_info,
				   const uint8_t *version, uint8_t *out,
				   size_t cap, size_t *len);
/*
 * AUTHENTICATE from its parts (strings already encoded); `version` may be
 * NULL.  Payload order: domain, user, workstation, LM, NT, session key,
 * as in MS-NLMP §4.2.4.3.
 */
enum http_err ntlm_build_authenticate(const struct ntlm_authenticate *a,
				      uint8_t *out, size_t cap, size_t *len);

/* The hashes, the client and the server (http/ntlm_v2.c) have a header
 * of their own; this one brings it along. */
#include "ntlm_v2.h"

#endif
