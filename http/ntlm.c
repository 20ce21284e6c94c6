/*
 * http/ntlm.c - NTLM messages (MS-NLMP), NTLMv2 only, with no I/O.
 *
 * Sections: Names (flags and AV pairs by name), Reading (bounded
 * parsers), Building, Hashes (OpenSSL), The client, The server.
 * Every multi-byte integer on the wire is little-endian (MS-NLMP §2.2).
 */
#define _POSIX_C_SOURCE 200809L

#include "ntlm.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>

static const uint8_t signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

/* Fixed header sizes, before any Version, MIC or payload (MS-NLMP §2.2.1). */
#define NEGOTIATE_HEAD 32
#define CHALLENGE_HEAD 48
#define AUTHENTICATE_HEAD 64
#define VERSION_LEN 8
#define MIC_LEN 16

/* ---- Names ---- */

/* MS-NLMP §2.2.2.5, most significant bit first as the spec draws it. */
static const struct {
	uint32_t bit;
	char letter;
	const char *name;
} flag_table[] = {
	{0x80000000u, 'W', "NEGOTIATE_56"},
	{0x40000000u, 'V', "NEGOTIATE_KEY_EXCH"},
	{0x20000000u, 'U', "NEGOTIATE_128"},
	{0x02000000u, 'T', "NEGOTIATE_VERSION"},
	{0x00800000u, 'S', "NEGOTIATE_TARGET_INFO"},
	{0x00400000u, 'R', "REQUEST_NON_NT_SESSION_KEY"},
	{0x00100000u, 'Q', "NEGOTIATE_IDENTIFY"},
	{0x00080000u, 'P', "NEGOTIATE_EXTENDED_SESSIONSECURITY"},
	{0x00020000u, 'O', "TARGET_TYPE_SERVER"},
	{0x00010000u, 'N', "TARGET_TYPE_DOMAIN"},
	{0x00008000u, 'M', "NEGOTIATE_ALWAYS_SIGN"},
	{0x00002000u, 'L', "NEGOTIATE_OEM_WORKSTATION_SUPPLIED"},
	{0x00001000u, 'K', "NEGOTIATE_OEM_DOMAIN_SUPPLIED"},
	{0x00000800u, 'J', "ANONYMOUS"},
	{0x00000200u, 'H', "NEGOTIATE_NTLM"},
	{0x00000080u, 'G', "NEGOTIATE_LM_KEY"},
	{0x00000040u, 'F', "NEGOTIATE_DATAGRAM"},
	{0x00000020u, 'E', "NEGOTIATE_SEAL"},
	{0x00000010u, 'D', "NEGOTIATE_SIGN"},
	{0x00000004u, 'C', "REQUEST_TARGET"},
	{0x00000002u, 'B', "NEGOTIATE_OEM"},
	{0x00000001u, 'A', "NEGOTIATE_UNICODE"},
};

#define FLAG_COUNT (sizeof(flag_table) / sizeof(flag_table[0]))

const char *ntlm_flag_name(uint32_t bit)
{
	for (size_t i = 0; i < FLAG_COUNT; i++)
		if (flag_table[i].bit == bit)
			return flag_table[i].name;
	return NULL;
}

char ntlm_flag_letter(uint32_t bit)
{
	for (size_t i = 0; i < FLAG_COUNT; i++)
		if (flag_table[i].bit == bit)
			return flag_table[i].letter;
	return 'r';
}

/* Names of the set bits, least significant first; reserved bits as hex. */
void ntlm_flags_describe(uint32_t flags, char *out, size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (int b = 0; b < 32; b++) {
		uint32_t bit = 1u << b;
		const char *name = ntlm_flag_name(bit);
		int w;

		if ((flags & bit) == 0)
			continue;
		if (name != NULL)
			w = snprintf(out + n, cap - n, "%s%s", n ? " " : "",
				     name);
		else
			w = snprintf(out + n, cap - n, "%sreserved(0x%08x)",
				     n ? " " : "", (unsigned)bit);
		if (w < 0 || (size_t)w >= cap - n)
			return;   /* truncated, still terminated */
		n += (size_t)w;
	}
}

/* MS-NLMP §2.2.2.1. */
static const char *const av_names[] = {
	[NTLM_AV_EOL] = "MsvAvEOL",
	[NTLM_AV_NB_COMPUTER_NAME] = "MsvAvNbComputerName",
	[NTLM_AV_NB_DOMAIN_NAME] = "MsvAvNbDomainName",
	[NTLM_AV_DNS_COMPUTER_NAME] = "MsvAvDnsComputerName",
	[NTLM_AV_DNS_DOMAIN_NAME] = "MsvAvDnsDomainName",
	[NTLM_AV_DNS_TREE_NAME] = "MsvAvDnsTreeName",
	[NTLM_AV_FLAGS] = "MsvAvFlags",
	[NTLM_AV_TIMESTAMP] = "MsvAvTimestamp",
	[NTLM_AV_SINGLE_HOST] = "MsvAvSingleHost",
	[NTLM_AV_TARGET_NAME] = "MsvAvTargetName",
	[NTLM_AV_CHANNEL_BINDINGS] = "MsvAvChannelBindings",
};

const char *ntlm_av_name(uint16_t id)
{
	if (id < sizeof(av_names) / sizeof(av_names[0]))
		return av_names[id];
	return NULL;
}

const char *ntlm_type_name(int type)
{
	switch (type) {
	case NTLM_TYPE_NEGOTIATE:
		return "NEGOTIATE";
	case NTLM_TYPE_CHALLENGE:
		return "CHALLENGE";
	case NTLM_TYPE_AUTHENTICATE:
		return "AUTHENTICATE";
	}
	return NULL;
}

/* ---- Reading ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

/*
 * A security buffer (MS-NLMP §2.2: Len, MaxLen, BufferOffset) at m[at]:
 * the field it points to must lie inside the message and after the fixed
 * header.  *lowest tracks the lowest payload offset, which tells whether
 * the optional Version and MIC are there.
 */
static enum http_err field_at(const uint8_t *m, size_t len, size_t at,
			      size_t head, struct ntlm_bytes *f, size_t *lowest)
{
	uint16_t flen = get16(m + at);
	uint32_t off = get32(m + at + 4);

	f->p = NULL;
	f->len = 0;
	if (flen == 0)
		return HTTP_OK;   /* the offset of an empty field is not used */
	if (off < head || (uint64_t)off + flen > len)
		return HTTP_E_NTLM_MESSAGE;
	f->p = m + off;
	f->len = flen;
	if (off < *lowest)
		*lowest = off;
	return HTTP_OK;
}

enum http_err ntlm_message_type(const uint8_t *m, size_t len,
				enum ntlm_type *type)
{
	uint32_t t;

	if (m == NULL || len < 12 || memcmp(m, signature, 8) != 0)
		return HTTP_E_NTLM_MESSAGE;
	t = get32(m + 8);
	if (t < NTLM_TYPE_NEGOTIATE || t > NTLM_TYPE_AUTHENTICATE)
		return HTTP_E_NTLM_MESSAGE;
	*type = (enum ntlm_type)t;
	return HTTP_OK;
}

/* Signature, type and minimum size; over NTLM_MAX_MESSAGE is refused. */
static enum http_err check_head(const uint8_t *m, size_t len,
				enum ntlm_type want, size_t head)
{
	enum ntlm_type t;
	enum http_err e = ntlm_message_type(m, len, &t);

	if (e != HTTP_OK)
		return e;
	if (t != want || len < head || len > NTLM_MAX_MESSAGE)
		return HTTP_E_NTLM_MESSAGE;
	return HTTP_OK;
}

/* The 8-byte Version after the header, when flagged and not overlapped. */
static bool read_version(const uint8_t *m, size_t len, uint32_t flags,
			 size_t head, size_t lowest, uint8_t version[8])
{
	memset(version, 0, 8);
	if ((flags & NTLM_FLAG_VERSION) == 0 || head + VERSION_LEN > len ||
	    lowest < head + VERSION_LEN)
		return false;
	memcpy(version, m + head, VERSION_LEN);
	return true;
}

/* MS-NLMP §2.2.1.1. */
enum http_err ntlm_parse_negotiate(const uint8_t *m, size_t len,
				   struct ntlm_negotiate *out)
{
	size_t lowest = len;
	enum http_err e;

	memset(out, 0, sizeof(*out));
	/* Old clients send a 16-byte NEGOTIATE: signature, type, flags. */
	if ((e = check_head(m, len, NTLM_TYPE_NEGOTIATE, 16)) != HTTP_OK)
		return e;
	out->flags = get32(m + 12);
	if (len < NEGOTIATE_HEAD)
		return HTTP_OK;
	if ((e = field_at(m, len, 16, NEGOTIATE_HEAD, &out->domain,
			  &lowest)) != HTTP_OK ||
	    (e = field_at(m, len, 24, NEGOTIATE_HEAD, &out->workstation,
			  &lowest)) != HTTP_OK)
		return e;
	out->has_version = read_version(m, len, out->flags, NEGOTIATE_HEAD,
					lowest, out->version);
	return HTTP_OK;
}

/* MS-NLMP §2.2.1.2. */
enum http_err ntlm_parse_challenge(const uint8_t *m, size_t len,
				   struct ntlm_challenge *out)
{
	size_t lowest = len;
	enum http_err e;

	memset(out, 0, sizeof(*out));
	/* Through the server challenge; older servers stop there. */
	if ((e = check_head(m, len, NTLM_TYPE_CHALLENGE, 32)) != HTTP_OK)
		return e;
	out->flags = get32(m + 20);
	memcpy(out->server_challenge, m + 24, NTLM_CHALLENGE_LEN);
	/*
	 * The target name is only shown, never used in a hash: one that
	 * points outside the message (Squid's ntlm_fake_auth sends such an
	 * offset) is reported and left empty instead of failing the
	 * handshake.
	 */
	if (field_at(m, len, 12, 32, &out->target_name, &lowest) != HTTP_OK)
		out->target_name_invalid = true;
	/* m[32..40) is Reserved; the target info, which NTLMv2 hashes, is
	 * read (strictly) when the flag says it is there (MS-NLMP §2.2.1.2). */
	if ((out->flags & NTLM_FLAG_TARGET_INFO) != 0 &&
	    (len < CHALLENGE_HEAD ||
	     (e = field_at(m, len, 40, CHALLENGE_HEAD, &out->target_info,
			   &lowest)) != HTTP_OK))
		return HTTP_E_NTLM_MESSAGE;
	out->has_version = read_version(m, len, out->flags, CHALLENGE_HEAD,
					lowest, out->version);
	return HTTP_OK;
}

/* MS-NLMP §2.2.1.3. */
enum http_err ntlm_parse_authenticate(const uint8_t *m, size_t len,
				      struct ntlm_authenticate *out)
{
	size_t lowest = len;
	enum http_err e;
	struct ntlm_bytes *f[6];
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((e = check_head(m, len, NTLM_TYPE_AUTHENTICATE,
			    AUTHENTICATE_HEAD)) != HTTP_OK)
		return e;
	/* Header order: LM, NT, domain, user, workstation, session key. */
	f[0] = &out->lm_response;
	f[1] = &out->nt_response;
	f[2] = &out->domain;
	f[3] = &out->user;
	f[4] = &out->workstation;
	f[5] = &out->session_key;
	for (i = 0; i < 6; i++)
		if ((e = field_at(m, len, 12 + 8 * i, AUTHENTICATE_HEAD, f[i],
				  &lowest)) != HTTP_OK)
			return e;
	out->flags = get32(m + 60);
	out->has_version = read_version(m, len, out->flags, AUTHENTICATE_HEAD,
					lowest, out->version);
	/* MS-NLMP §2.2.1.3: a MIC follows Version when the payload leaves room. */
	if (lowest >= AUTHENTICATE_HEAD + VERSION_LEN + MIC_LEN &&
	    len >= AUTHENTICATE_HEAD + VERSION_LEN + MIC_LEN) {
		out->has_mic = true;
		memcpy(out->mic, m + AUTHENTICATE_HEAD + VERSION_LEN, MIC_LEN);
	}
	return HTTP_OK;
}

/* MS-NLMP §2.2.2.1: AvId (2), AvLen (2), Value; ends with MsvAvEOL. */
enum http_err ntlm_av_parse(const uint8_t *ti, size_t len, struct ntlm_av *out,
			    size_t max, size_t *n)
{
	size_t pos = 0;

	*n = 0;
	while (pos + 4 <= len) {
		uint16_t id = get16(ti + pos);
		uint16_t vlen = get16(ti + pos + 2);

		pos += 4;
		if (id == NTLM_AV_EOL)
			return vlen == 0 ? HTTP_OK : HTTP_E_NTLM_MESSAGE;
		if (vlen > len - pos || *n >= max)
			return HTTP_E_NTLM_MESSAGE;
		out[*n].id = id;
		out[*n].value.p = ti + pos;
		out[*n].value.len = vlen;
		(*n)++;
		pos += vlen;
	}
	return HTTP_E_NTLM_MESSAGE;   /* no MsvAvEOL */
}

const struct ntlm_av *ntlm_av_find(const struct ntlm_av *avs, size_t n,
				   uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (avs[i].id == id)
			return &avs[i];
	return NULL;
}

/* MS-NLMP §2.2.2.8 and MS-NLMP §2.2.2.7. */
enum http_err ntlm_v2_response_parse(const uint8_t *nt, size_t len,
				     struct ntlm_v2_response *out)
{
	memset(out, 0, sizeof(*out));
	if (len == NTLM_V1_RESPONSE_LEN)
		return HTTP_E_NTLM_V1;
	if (nt == NULL || len < NTLM_V2_MIN_RESPONSE)
		return HTTP_E_NTLM_MESSAGE;
	out->proof = nt;
	out->blob.p = nt + NTLM_HASH_LEN;
	out->blob.len = len - NTLM_HASH_LEN;
	out->resp_type = nt[16];
	out->hi_resp_type = nt[17];
	if (out->resp_type != 1 || out->hi_resp_type != 1)
		return HTTP_E_NTLM_MESSAGE;
	/* nt[18..24) reserved */
	out->timestamp = get64(nt + 24);
	out->client_challenge = nt + 32;
	/* nt[40..44) reserved, then AV pairs (and trailing padding) */
	out->av_pairs.p = nt + NTLM_V2_MIN_RESPONSE;
	out->av_pairs.len = len - NTLM_V2_MIN_RESPONSE;
	if (out->av_pairs.len == 0)
		out->av_pairs.p = NULL;
	return HTTP_OK;
}

/* Append code point c as UTF-8; false when it does not fit. */
static bool put_utf8(char *out, size_t cap, size_t *n, uint32_t c)
{
	uint8_t b[4];
	size_t k;

	if (c < 0x20 || c == 0x7f)
		c = '?';   /* keep control characters off terminals and logs */
	if (c < 0x80) {
		b[0] = (uint8_t)c;
		k = 1;
	} else if (c < 0x800) {
		b[0] = (uint8_t)(0xc0 | (c >> 6));
		b[1] = (uint8_t)(0x80 | (c & 0x3f));
		k = 2;
	} else if (c < 0x10000) {
		b[0] = (uint8_t)(0xe0 | (c >> 12));
		b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (c & 0x3f));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | (c >> 18));
		b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (c & 0x3f));
		k = 4;
	}
	if (*n + k >= cap)
		return false;
	memcpy(out + *n, b, k);
	*n += k;
	return true;
}

enum http_err ntlm_string(struct ntlm_bytes s, bool unicode, char *out,
			  size_t cap)
{
	size_t n = 0, i = 0;

	if (cap == 0)
		return HTTP_E_NOSPACE;
	out[0] = '\0';
	if (unicode && s.len % 2 != 0)
		return HTTP_E_NTLM_MESSAGE;
	while (i < s.len) {
		uint32_t c;

		if (!unicode) {
			c = s.p[i++];
		} else {
			c = get16(s.p + i);
			i += 2;
			if (c >= 0xd800 && c < 0xdc00 && i + 2 <= s.len &&
			    get16(s.p + i) >= 0xdc00 && get16(s.p + i) < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (get16(s.p + i) - 0xdc00);
				i += 2;
			} else if (c >= 0xd800 && c < 0xe000) {
				c = 0xfffd;   /* a lone surrogate */
			}
		}
		if (!put_utf8(out, cap, &n, c)) {
			out[n] = '\0';
			return HTTP_E_NOSPACE;
		}
	}
	out[n] = '\0';
	return HTTP_OK;
}

/* ---- Building ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Write a security buffer at out[at] for f, and copy f to out[*pos]. */
static enum http_err put_field(uint8_t *out, size_t cap, size_t at,
			       size_t *pos, struct ntlm_bytes f)
{
	if (f.len > 0xffff || f.len > cap - *pos)
		return HTTP_E_NOSPACE;
	put16(out + at, (uint16_t)f.len);
	put16(out + at + 2, (uint16_t)f.len);
	put32(out + at + 4, (uint32_t)*pos);
	if (f.len > 0)
		memcpy(out + *pos, f.p, f.len);
	*pos += f.len;
	return HTTP_OK;
}

enum http_err ntlm_build_negotiate(uint32_t flags, uint8_t *out, size_t cap,
				   size_t *len)
{
	if (cap < NEGOTIATE_HEAD)
		return HTTP_E_NOSPACE;
	memset(out, 0, NEGOTIATE_HEAD);
	memcpy(out, signature, 8);
	put32(out + 8, NTLM_TYPE_NEGOTIATE);
	/* No domain or workstation is supplied, so no Version either. */
	put32(out + 12, flags & ~NTLM_FLAG_VERSION);
	/* The empty fields point just past the header. */
	put32(out + 20, NEGOTIATE_HEAD);
	put32(out + 28, NEGOTIATE_HEAD);
	*len = NEGOTIATE_HEAD;
	return HTTP_OK;
}

enum http_err ntlm_av_write(uint8_t *out, size_t cap, size_t *pos, uint16_t id,
			    const void *value, size_t value_len)
{
	if (value_len > 0xffff || *pos > cap || cap - *pos < 4 + value_len)
		return HTTP_E_NOSPACE;
	put16(out + *pos, id);
	put16(out + *pos + 2, (uint16_t)value_len);
	if (value_len > 0)
		memcpy(out + *pos + 4, value, value_len);
	*pos += 4 + value_len;
	return HTTP_OK;
}

enum http_err ntlm_build_challenge(uint32_t flags,
				   const uint8_t sc[NTLM_CHALLENGE_LEN],
				   struct ntlm_bytes target_name,
				   struct ntlm_bytes target_info,
				   const uint8_t *version, uint8_t *out,
				   size_t cap, size_t *len)
{
	size_t pos = CHALLENGE_HEAD + (version ? VERSION_LEN : 0);
	enum http_err e;

	if (cap < pos)
		return HTTP_E_NOSPACE;
	memset(out, 0, pos);
	memcpy(out, signature, 8);
	put32(out + 8, NTLM_TYPE_CHALLENGE);
	put32(out + 20, flags);
	memcpy(out + 24, sc, NTLM_CHALLENGE_LEN);
	if (version != NULL)
		memcpy(out + CHALLENGE_HEAD, version, VERSION_LEN);
	if ((e = put_field(out, cap, 12, &pos, target_name)) != HTTP_OK ||
	    (e = put_field(out, cap, 40, &pos, target_info)) != HTTP_OK)
		return e;
	*len = pos;
	return HTTP_OK;
}

enum http_err ntlm_build_authenticate(const struct ntlm_authenticate *a,
				      uint8_t *out, size_t cap, size_t *len)
{
	size_t pos = AUTHENTICATE_HEAD + (a->has_version ? VERSION_LEN : 0);
	enum http_err e;

	if (cap < pos)
		return HTTP_E_NOSPACE;
	memset(out, 0, pos);
	memcpy(out, signature, 8);
	put32(out + 8, NTLM_TYPE_AUTHENTICATE);
	put32(out + 60, a->flags);
	if (a->has_version)
		memcpy(out + AUTHENTICATE_HEAD, a->version, VERSION_LEN);
	/* Header slots: LM 12, NT 20, domain 28, user 36, ws 44, key 52. */
	if ((e = put_field(out, cap, 28, &pos, a->domain)) != HTTP_OK ||
	    (e = put_field(out, cap, 36, &pos, a->user)) != HTTP_OK ||
	    (e = put_field(out, cap, 44, &pos, a->workstation)) != HTTP_OK ||
	    (e = put_field(out, cap, 12, &pos, a->lm_response)) != HTTP_OK ||
	    (e = put_field(out, cap, 20, &pos, a->nt_response)) != HTTP_OK ||
	    (e = put_field(out, cap, 52, &pos, a->session_key)) != HTTP_OK)
		return e;
	*len = pos;
	return HTTP_OK;
}

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
	return hmac_md5(nt_hash, up, user16.len, domain16.p, domain16.len,
			out);
}

enum http_err ntlm_proof(const uint8_t ntowfv2[NTLM_HASH_LEN],
			 const uint8_t sc[NTLM_CHALLENGE_LEN],
			 struct ntlm_bytes blob, uint8_t out[NTLM_HASH_LEN])
{
	return hmac_md5(ntowfv2, sc, NTLM_CHALLENGE_LEN, blob.p, blob.len,
			out);
}

enum http_err ntlm_session_base_key(const uint8_t ntowfv2[NTLM_HASH_LEN],
				    const uint8_t proof[NTLM_HASH_LEN],
				    uint8_t out[NTLM_HASH_LEN])
{
	return hmac_md5(ntowfv2, proof, NTLM_HASH_LEN, NULL, 0, out);
}

/* ---- The client ---- */

/* A UTF-8 string in the encoding the flags chose: UTF-16LE or OEM. */
static enum http_err encode_string(const char *s, bool unicode, uint8_t *out,
				   size_t cap, size_t *n)
{
	size_t len = s ? strlen(s) : 0;

	if (unicode)
		return ntlm_utf16(s ? s : "", len, out, cap, n);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return HTTP_E_NTLM_MESSAGE;   /* OEM: ASCII only here */
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
	    (e = ntlm_utf16(in->user, strlen(in->user), user16,
			    sizeof(user16), &nu)) != HTTP_OK ||
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
	/* MS-NLMP §3.1.5.1.2: the server's MsvAvTimestamp is the one to use, and
	 * then the LM response is all zeros. */
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
				    const char *name, uint8_t *out,
				    size_t cap, size_t *len)
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

	/* MS-NLMP §3.2.5.1.2: an empty user with empty (or Z(1) LM) responses is
	 * anonymous; lab407 authenticates people. */
	if (a->user.len == 0 || (a->nt_response.len == 0 &&
				 a->lm_response.len <= 1))
		return HTTP_E_NTLM_ANONYMOUS;
	/* No NT response but an LM one: the LM response alone. */
	if (a->nt_response.len == 0)
		return HTTP_E_NTLM_V1;
	if ((e = ntlm_v2_response_parse(a->nt_response.p, a->nt_response.len,
					&r)) != HTTP_OK)
		return e;
	if (a->user.len > NTLM_MAX_NAME * 2 || a->domain.len > NTLM_MAX_NAME * 2)
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
