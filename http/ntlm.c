/*
 * http/ntlm.c - NTLM messages (MS-NLMP), NTLMv2 only, with no I/O.
 *
 * Sections: Names (flags and AV pairs by name), Reading (bounded
 * parsers), Building.  The hashes, the client and the server are in
 * http/ntlm_v2.c.
 * Every multi-byte integer on the wire is little-endian (MS-NLMP §2.2).
 */
#define _POSIX_C_SOURCE 200809L

#include "ntlm.h"

#include <stdio.h>
#include <string.h>

#include "ntlm_le.h"

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
			return; /* truncated, still terminated */
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
		return HTTP_OK; /* the offset of an empty field is not used */
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
	if ((e = field_at(m, len, 16, NEGOTIATE_HEAD, &out->domain, &lowest)) !=
		HTTP_OK ||
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
	/* MS-NLMP §2.2.1.3: a MIC follows Version when the payload leaves room.
	 */
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
	return HTTP_E_NTLM_MESSAGE; /* no MsvAvEOL */
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
		c = '?'; /* keep control characters off terminals and logs */
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
			    get16(s.p + i) >= 0xdc00 &&
			    get16(s.p + i) < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (get16(s.p + i) - 0xdc00);
				i += 2;
			} else if (c >= 0xd800 && c < 0xe000) {
				c = 0xfffd; /* a lone surrogate */
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

/* Write a security buffer at out[at] for f, and copy f to out[*pos]. */
static enum http_err put_field(uint8_t *out, size_t cap, size_t at, size_t *pos,
			       struct ntlm_bytes f)
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
