/*
 * http/tlsrec.c - the TLS record reader: what a proxy sees of a tunnel
 * (lesson 07).
 *
 *   TLSPlaintext = ContentType type; ProtocolVersion legacy_record_version;
 *                  uint16 length; opaque fragment[length]   (RFC 8446 §5.1)
 *
 * The reader walks record headers, skips record bodies, and copies the
 * body of handshake records until the first handshake message of its
 * direction is complete; if that message is a ClientHello or ServerHello
 * it is read field by field.  Every length is checked against the bytes
 * that hold it before it is used, so hostile input can only fail.
 */
#define _POSIX_C_SOURCE 200809L

#include "tlsrec.h"

#include <stdio.h>
#include <string.h>

/* Handshake types (RFC 8446 §4). */
#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define HS_HEADER 4 /* msg_type, uint24 length */

/* Extension types (RFC 8446 §4.2, RFC 6066 §3, RFC 7301 §3.1). */
#define EXT_SERVER_NAME 0
#define EXT_ALPN 16
#define EXT_SUPPORTED_VERSIONS 43

/* ---- Names ---- */

void tlsrec_type_name(uint8_t type, char *out, size_t cap)
{
	static const char *const names[] = {
	    [TLSREC_CHANGE_CIPHER_SPEC] = "change_cipher_spec",
	    [TLSREC_ALERT] = "alert",
	    [TLSREC_HANDSHAKE] = "handshake",
	    [TLSREC_APPLICATION_DATA] = "application_data",
	    [TLSREC_HEARTBEAT] = "heartbeat",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type] != NULL)
		snprintf(out, cap, "%s", names[type]);
	else
		snprintf(out, cap, "type %u", type);
}

void tlsrec_version_name(uint16_t version, char *out, size_t cap)
{
	if (version == 0x0300)
		snprintf(out, cap, "SSL 3.0");
	else if (version >= 0x0301 && version <= 0x0304)
		snprintf(out, cap, "TLS 1.%u", (unsigned)(version - 0x0301));
	else
		snprintf(out, cap, "0x%04x", version);
}

/* The suites a student will meet from curl, browsers and OpenSSL. */
static const struct {
	uint16_t id;
	const char *name;
} ciphers[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
};

void tlsrec_cipher_name(uint16_t cipher, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (ciphers[i].id == cipher) {
			snprintf(out, cap, "%s", ciphers[i].name);
			return;
		}
	snprintf(out, cap, "0x%04x", cipher);
}

/* ---- Reading a hello ---- */

/* A bounded view of bytes, read front to back. */
struct cursor {
	const uint8_t *p;
	size_t n;
	bool bad; /* a read ran past the end: the hello is malformed */
};

static unsigned get(struct cursor *c, size_t width)
{
	unsigned v = 0;
	size_t i;

	if (c->bad || c->n < width) {
		c->bad = true;
		return 0;
	}
	for (i = 0; i < width; i++)
		v = v << 8 | c->p[i];
	c->p += width;
	c->n -= width;
	return v;
}

/* A vector with a `width`-byte length prefix, as a cursor of its own. */
static struct cursor vec(struct cursor *c, size_t width)
{
	struct cursor v = {NULL, 0, false};
	size_t len = get(c, width);

	if (c->bad || c->n < len) {
		c->bad = true;
		v.bad = true;
		return v;
	}
	v.p = c->p;
	v.n = len;
	c->p += len;
	c->n -= len;
	return v;
}

/* RFC 8701: GREASE values (0x0a0a, 0x1a1a, ...) mean nothing; skip. */
static bool grease(unsigned v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* server_name (RFC 6066 §3): the first host_name entry. */
static void read_sni(struct cursor ext, struct tlsrec_hello *h)
{
	struct cursor list = vec(&ext, 2);

	while (!list.bad && list.n > 0) {
		unsigned type = get(&list, 1);
		struct cursor name = vec(&list, 2);
		size_t i, k = 0;

		if (list.bad || type != 0 || h->sni[0] != '\0')
			continue;
		for (i = 0; i < name.n && k + 1 < sizeof(h->sni); i++) {
			uint8_t b = name.p[i];
			/* shown to a person: printable ASCII only */
			h->sni[k++] = (char)(b > 0x20 && b < 0x7f ? b : '?');
		}
		h->sni[k] = '\0';
	}
}

/* ALPN (RFC 7301 §3.1): the protocol names, comma-separated. */
static void read_alpn(struct cursor ext, struct tlsrec_hello *h)
{
	struct cursor list = vec(&ext, 2);
	size_t k = 0;

	while (!list.bad && list.n > 0) {
		struct cursor name = vec(&list, 1);
		size_t i;

		if (list.bad)
			break;
		if (k > 0 && k + 1 < sizeof(h->alpn))
			h->alpn[k++] = ',';
		for (i = 0; i < name.n && k + 1 < sizeof(h->alpn); i++) {
			uint8_t b = name.p[i];
			h->alpn[k++] = (char)(b > 0x20 && b < 0x7f ? b : '?');
		}
	}
	h->alpn[k] = '\0';
}

/* supported_versions (RFC 8446 §4.2.1): a list from the client, one
 * version from the server. */
static void read_versions(struct cursor ext, struct tlsrec_hello *h)
{
	struct cursor list = ext;

	if (h->client)
		list = vec(&ext, 1);
	while (!list.bad && list.n >= 2) {
		unsigned v = get(&list, 2);
		if (!grease(v) && h->num_versions < TLSREC_MAX_VERSIONS)
			h->versions[h->num_versions++] = (uint16_t)v;
		if (!h->client)
			break;
	}
}

/*
 * The body of a ClientHello (RFC 8446 §4.1.2) or ServerHello (§4.1.3):
 *   legacy_version, random[32], legacy_session_id<0..32>,
 *   cipher_suites<2..2^16-2> | cipher_suite,
 *   legacy_compression_methods<1..2^8-1> | legacy_compression_method,
 *   extensions<8..2^16-1>            (absent in some TLS 1.2 hellos)
 */
static bool read_hello(const uint8_t *p, size_t n, bool client,
		       struct tlsrec_hello *h)
{
	struct cursor c = {p, n, false}, exts;

	memset(h, 0, sizeof(*h));
	h->client = client;
	h->legacy_version = (uint16_t)get(&c, 2);
	get(&c, 32); /* random */
	vec(&c, 1);  /* legacy_session_id */
	if (client) {
		struct cursor suites = vec(&c, 2);
		h->num_ciphers = suites.n / 2;
		vec(&c, 1); /* compression methods */
	} else {
		h->cipher = (uint16_t)get(&c, 2);
		get(&c, 1); /* compression method */
	}
	if (c.bad)
		return false;
	if (c.n == 0)
		return true; /* no extensions */
	exts = vec(&c, 2);
	while (!exts.bad && exts.n > 0) {
		unsigned type = get(&exts, 2);
		struct cursor ext = vec(&exts, 2);

		if (exts.bad)
			break;
		if (type == EXT_SERVER_NAME && client)
			read_sni(ext, h);
		else if (type == EXT_ALPN)
			read_alpn(ext, h);
		else if (type == EXT_SUPPORTED_VERSIONS)
			read_versions(ext, h);
	}
	return !c.bad && !exts.bad;
}

/* ---- Reading records ---- */

void tlsrec_init(struct tlsrec_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->reading_hello = true;
	r->err = HTTP_OK;
}

static long fail(struct tlsrec_reader *r, enum http_err e, enum http_err *err)
{
	r->err = e;
	*err = e;
	return -1;
}

/*
 * The first handshake message is complete in r->hs: read it if it is a
 * hello.  True when *ev now holds a TLSREC_HELLO.
 */
static bool hello_done(struct tlsrec_reader *r, struct tlsrec_event *ev,
		       enum http_err *e)
{
	uint8_t type = r->hs[0];
	size_t len = (size_t)r->hs[1] << 16 | (size_t)r->hs[2] << 8 | r->hs[3];

	r->reading_hello = false;
	*e = HTTP_OK;
	if (type != HS_CLIENT_HELLO && type != HS_SERVER_HELLO)
		return false;
	if (!read_hello(r->hs + HS_HEADER, len, type == HS_CLIENT_HELLO,
			&ev->hello)) {
		*e = HTTP_E_TLS_HELLO;
		return false;
	}
	ev->kind = TLSREC_HELLO;
	return true;
}

/* How many bytes of the first handshake message are still missing. */
static size_t hello_missing(const struct tlsrec_reader *r)
{
	size_t len;

	if (r->hs_len < HS_HEADER)
		return HS_HEADER - r->hs_len;
	len = (size_t)r->hs[1] << 16 | (size_t)r->hs[2] << 8 | r->hs[3];
	return HS_HEADER + len - r->hs_len;
}

long tlsrec_read(struct tlsrec_reader *r, const void *p, size_t n,
		 struct tlsrec_event *ev, enum http_err *err)
{
	const uint8_t *b = p;
	size_t used = 0;

	ev->kind = TLSREC_NONE;
	if (r->err != HTTP_OK)
		return fail(r, r->err, err);
	while (used < n) {
		if (r->left == 0) {
			/* a record header, byte by byte */
			r->head[r->head_len++] = b[used++];
			if (r->head_len == 1 &&
			    (r->head[0] < TLSREC_CHANGE_CIPHER_SPEC ||
			     r->head[0] > TLSREC_HEARTBEAT))
				return fail(r, HTTP_E_TLS_RECORD, err);
			if (r->head_len == 2 && r->head[1] != 3)
				return fail(r, HTTP_E_TLS_RECORD, err);
			if (r->head_len < TLSREC_HEADER)
				continue;
			r->head_len = 0;
			r->type = r->head[0];
			r->left = (size_t)r->head[3] << 8 | r->head[4];
			if (r->left > TLSREC_MAX_RECORD)
				return fail(r, HTTP_E_TLS_RECORD, err);
			ev->kind = TLSREC_RECORD;
			ev->type = r->type;
			ev->version = (uint16_t)(r->head[1] << 8 | r->head[2]);
			ev->length = (uint16_t)r->left;
			return (long)used;
		}
		/* a record body: copied only while the first message lasts */
		{
			size_t take = n - used;
			if (take > r->left)
				take = r->left;
			if (r->reading_hello && r->type == TLSREC_HANDSHAKE) {
				size_t want = hello_missing(r);
				enum http_err e;

				if (take > want)
					take = want;
				if (r->hs_len + take > sizeof(r->hs))
					return fail(r, HTTP_E_TLS_HELLO, err);
				memcpy(r->hs + r->hs_len, b + used, take);
				r->hs_len += take;
				used += take;
				r->left -= take;
				if (hello_missing(r) == 0) {
					if (hello_done(r, ev, &e))
						return (long)used;
					if (e != HTTP_OK)
						return fail(r, e, err);
				}
				continue;
			}
			if (r->type != TLSREC_HANDSHAKE &&
			    r->type != TLSREC_CHANGE_CIPHER_SPEC)
				r->reading_hello =
				    false; /* encrypted from here */
			used += take;
			r->left -= take;
		}
	}
	return (long)used;
}

/* ---- Describing ---- */

void tlsrec_describe(const struct tlsrec_event *ev, char *out, size_t cap)
{
	const struct tlsrec_hello *h = &ev->hello;
	char a[64], c[64];
	size_t used = 0, i;

#define PUT(...)                                                               \
	do {                                                                   \
		if (used < cap)                                                \
			used += (size_t)snprintf(out + used, cap - used,       \
						 __VA_ARGS__);                 \
	} while (0)

	if (cap > 0)
		out[0] = '\0';
	if (ev->kind == TLSREC_RECORD) {
		tlsrec_type_name(ev->type, a, sizeof(a));
		tlsrec_version_name(ev->version, c, sizeof(c));
		PUT("record %s, %s, %u bytes", a, c, (unsigned)ev->length);
		return;
	}
	if (ev->kind != TLSREC_HELLO)
		return;
	if (h->client) {
		PUT("ClientHello: SNI %s", h->sni[0] ? h->sni : "(none)");
		if (h->alpn[0])
			PUT(", ALPN %s", h->alpn);
		PUT(", offers");
		for (i = 0; i < h->num_versions; i++) {
			tlsrec_version_name(h->versions[i], a, sizeof(a));
			PUT("%s %s", i ? "," : "", a);
		}
		if (h->num_versions == 0) {
			tlsrec_version_name(h->legacy_version, a, sizeof(a));
			PUT(" up to %s", a);
		}
		PUT(", %zu cipher suites", h->num_ciphers);
	} else {
		tlsrec_version_name(h->num_versions ? h->versions[0]
						    : h->legacy_version,
				    a, sizeof(a));
		tlsrec_cipher_name(h->cipher, c, sizeof(c));
		PUT("ServerHello: %s, %s", a, c);
		if (h->alpn[0])
			PUT(", ALPN %s", h->alpn);
	}
#undef PUT
}
