/*
 * tests/unit/test_tlsrec.c - the TLS record reader (http/tlsrec.c): what
 * a proxy sees of a tunnel.
 *
 * The hellos come from a real OpenSSL client and server talking through
 * memory BIOs, so the bytes are what curl (built on OpenSSL) sends; the
 * malformed cases are built by hand, each a member of one class of
 * hostile input, and sit against a guard page.
 */
#define _GNU_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../../http/tlsrec.h"
#include "guardpage.h"

/* ---- A real handshake in memory ---- */

struct wire {
	unsigned char c2s[8192]; /* the client's first flight */
	size_t c2s_len;
	unsigned char s2c[16384]; /* the server's first flight */
	size_t s2c_len;
	char cipher[64]; /* the suite OpenSSL says it chose */
};

/* A throw-away EC key and self-signed certificate for the server. */
static void server_identity(SSL_CTX *ctx)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();

	assert_non_null(key);
	assert_non_null(cert);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(
	    X509_get_subject_name(cert), "CN", MBSTRING_ASC,
	    (const unsigned char *)"lab407 test", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
	assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(cert);
	EVP_PKEY_free(key);
}

/* The server picks "h2" when the client offers it. */
static int pick_alpn(SSL *s, const unsigned char **out, unsigned char *outlen,
		     const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char want[] = "\x02h2";
	unsigned char *o;

	(void)s;
	(void)arg;
	if (SSL_select_next_proto(&o, outlen, want, sizeof(want) - 1, in,
				  inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = o;
	return SSL_TLSEXT_ERR_OK;
}

static size_t drain(BIO *b, unsigned char *out, size_t cap)
{
	int n = BIO_read(b, out, (int)cap);
	return n > 0 ? (size_t)n : 0;
}

/* ClientHello with SNI and ALPN, then the server's answer to it. */
static void handshake(const char *sni, int max_version, struct wire *w)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	static const unsigned char alpn[] = "\x02h2\x08http/1.1";
	SSL *c, *s;
	BIO *c_in, *c_out, *s_in, *s_out;

	assert_non_null(cctx);
	assert_non_null(sctx);
	server_identity(sctx);
	SSL_CTX_set_alpn_select_cb(sctx, pick_alpn, NULL);
	SSL_CTX_set_max_proto_version(cctx, max_version);
	c = SSL_new(cctx);
	s = SSL_new(sctx);
	c_in = BIO_new(BIO_s_mem());
	c_out = BIO_new(BIO_s_mem());
	s_in = BIO_new(BIO_s_mem());
	s_out = BIO_new(BIO_s_mem());
	SSL_set_bio(c, c_in, c_out);
	SSL_set_bio(s, s_in, s_out);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	if (sni != NULL)
		SSL_set_tlsext_host_name(c, sni);
	SSL_set_alpn_protos(c, alpn, sizeof(alpn) - 1);

	SSL_do_handshake(c); /* writes the ClientHello */
	w->c2s_len = drain(c_out, w->c2s, sizeof(w->c2s));
	assert_true(w->c2s_len > 0);
	BIO_write(s_in, w->c2s, (int)w->c2s_len);
	SSL_do_handshake(s); /* ServerHello and the rest of its flight */
	w->s2c_len = drain(s_out, w->s2c, sizeof(w->s2c));
	assert_true(w->s2c_len > 0);
	/* TLS 1.2 switches to the suite only at ChangeCipherSpec */
	snprintf(w->cipher, sizeof(w->cipher), "%s",
		 SSL_CIPHER_standard_name(SSL_get_current_cipher(s) != NULL
					      ? SSL_get_current_cipher(s)
					      : SSL_get_pending_cipher(s)));
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

/* ---- Feeding ---- */

#define MAX_EVENTS 64

struct events {
	struct tlsrec_event v[MAX_EVENTS];
	size_t n;
	enum http_err err; /* HTTP_OK unless the reader failed */
};

/* Feed p[0..n) in pieces of `step` bytes (0: all at once). */
static void feed(const void *p, size_t n, size_t step, struct events *out)
{
	struct guarded g = guard_copy(p, n);
	struct tlsrec_reader r;
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	tlsrec_init(&r);
	while (off < n) {
		size_t piece = step == 0 || n - off < step ? n - off : step;
		const char *q = g.data + off;

		while (piece > 0) {
			struct tlsrec_event ev;
			long k;

			memset(&ev, 0, sizeof(ev)); /* compared whole below */
			k = tlsrec_read(&r, q, piece, &ev, &out->err);

			if (k < 0) {
				guard_free(&g);
				return;
			}
			if (ev.kind != TLSREC_NONE && out->n < MAX_EVENTS)
				out->v[out->n++] = ev;
			q += k;
			off += (size_t)k;
			piece -= (size_t)k;
		}
	}
	guard_free(&g);
}

static const struct tlsrec_event *find_hello(const struct events *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->v[i].kind == TLSREC_HELLO)
			return &e->v[i];
	return NULL;
}

/* ---- Real hellos ---- */

/* TLS 1.3: the SNI and ALPN the client sent; the version and suite the
 * server chose, as OpenSSL itself reports them. */
static void test_tls13_hellos(void **state)
{
	struct wire w;
	struct events ce, se;
	const struct tlsrec_event *h;
	char line[512], want[256];

	(void)state;
	handshake("origin.lab407.test", TLS1_3_VERSION, &w);
	feed(w.c2s, w.c2s_len, 0, &ce);
	assert_int_equal(ce.err, HTTP_OK);
	assert_true(ce.n >= 2);
	assert_int_equal(ce.v[0].kind, TLSREC_RECORD);
	assert_int_equal(ce.v[0].type, TLSREC_HANDSHAKE);
	h = find_hello(&ce);
	assert_non_null(h);
	assert_true(h->hello.client);
	assert_string_equal(h->hello.sni, "origin.lab407.test");
	assert_string_equal(h->hello.alpn, "h2,http/1.1");
	assert_int_equal(h->hello.versions[0], 0x0304);
	assert_true(h->hello.num_ciphers > 3);
	tlsrec_describe(h, line, sizeof(line));
	assert_non_null(strstr(line, "ClientHello: SNI origin.lab407.test, "
				     "ALPN h2,http/1.1, offers TLS 1.3"));

	feed(w.s2c, w.s2c_len, 0, &se);
	assert_int_equal(se.err, HTTP_OK);
	h = find_hello(&se);
	assert_non_null(h);
	assert_false(h->hello.client);
	assert_int_equal(h->hello.num_versions, 1);
	assert_int_equal(h->hello.versions[0], 0x0304);
	tlsrec_describe(h, line, sizeof(line));
	snprintf(want, sizeof(want), "ServerHello: TLS 1.3, %s", w.cipher);
	assert_non_null(strstr(line, want));
	/* the rest of a TLS 1.3 flight is encrypted: application_data */
	assert_int_equal(se.v[se.n - 1].kind, TLSREC_RECORD);
	assert_int_equal(se.v[se.n - 1].type, TLSREC_APPLICATION_DATA);
}

/* TLS 1.2: no supported_versions from the server; the hello's own
 * version says it, and ALPN comes back in the ServerHello. */
static void test_tls12_hellos(void **state)
{
	struct wire w;
	struct events se;
	const struct tlsrec_event *h;
	char line[512], want[256];

	(void)state;
	handshake("tls12.lab407.test", TLS1_2_VERSION, &w);
	feed(w.s2c, w.s2c_len, 0, &se);
	assert_int_equal(se.err, HTTP_OK);
	h = find_hello(&se);
	assert_non_null(h);
	assert_int_equal(h->hello.num_versions, 0);
	assert_int_equal(h->hello.legacy_version, 0x0303);
	assert_string_equal(h->hello.alpn, "h2");
	tlsrec_describe(h, line, sizeof(line));
	snprintf(want, sizeof(want), "ServerHello: TLS 1.2, %s, ALPN h2",
		 w.cipher);
	assert_string_equal(line, want);
}

/* Byte by byte, in odd pieces, or all at once: the same events. */
static void test_pieces(void **state)
{
	static const size_t steps[] = {1, 2, 3, 5, 7, 64, 1000};
	struct wire w;
	struct events whole, part;
	size_t i, j;

	(void)state;
	handshake("pieces.lab407.test", TLS1_3_VERSION, &w);
	feed(w.s2c, w.s2c_len, 0, &whole);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		feed(w.s2c, w.s2c_len, steps[i], &part);
		assert_int_equal(part.err, HTTP_OK);
		assert_int_equal(part.n, whole.n);
		for (j = 0; j < whole.n; j++)
			assert_memory_equal(&part.v[j], &whole.v[j],
					    sizeof(whole.v[j]));
	}
}

/* No server_name: the line says so. */
static void test_no_sni(void **state)
{
	struct wire w;
	struct events ce;
	const struct tlsrec_event *h;
	char line[512];

	(void)state;
	handshake(NULL, TLS1_3_VERSION, &w);
	feed(w.c2s, w.c2s_len, 0, &ce);
	h = find_hello(&ce);
	assert_non_null(h);
	assert_string_equal(h->hello.sni, "");
	tlsrec_describe(h, line, sizeof(line));
	assert_non_null(strstr(line, "SNI (none)"));
}

/* ---- Hand-made records ---- */

/* A ClientHello with only the given extensions, in one record. */
static size_t client_hello(const unsigned char *ext, size_t ext_len,
			   unsigned char *out)
{
	size_t body = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + ext_len, n = 0;

	out[n++] = 22;
	out[n++] = 3;
	out[n++] = 1;
	out[n++] = (unsigned char)((body + 4) >> 8);
	out[n++] = (unsigned char)(body + 4);
	out[n++] = 1; /* client_hello */
	out[n++] = 0;
	out[n++] = (unsigned char)(body >> 8);
	out[n++] = (unsigned char)body;
	out[n++] = 3;
	out[n++] = 3;
	memset(out + n, 0xab, 32);
	n += 32;
	out[n++] = 0; /* no session id */
	out[n++] = 0;
	out[n++] = 2; /* one suite */
	out[n++] = 0x13;
	out[n++] = 0x01;
	out[n++] = 1; /* one compression method */
	out[n++] = 0;
	out[n++] = (unsigned char)(ext_len >> 8);
	out[n++] = (unsigned char)ext_len;
	memcpy(out + n, ext, ext_len);
	return n + ext_len;
}

/* GREASE versions (RFC 8701) are left out of the offered list. */
static void test_grease(void **state)
{
	static const unsigned char ext[] = {0,	  43,	0,    7,    6,	 0x3a,
					    0x3a, 0x03, 0x04, 0x03, 0x03};
	unsigned char rec[256];
	struct events e;
	const struct tlsrec_event *h;

	(void)state;
	feed(rec, client_hello(ext, sizeof(ext), rec), 0, &e);
	assert_int_equal(e.err, HTTP_OK);
	h = find_hello(&e);
	assert_non_null(h);
	assert_int_equal(h->hello.num_versions, 2);
	assert_int_equal(h->hello.versions[0], 0x0304);
	assert_int_equal(h->hello.versions[1], 0x0303);
}

/* Control bytes in a host name are shown as '?', never printed raw. */
static void test_sni_control_bytes(void **state)
{
	static const unsigned char ext[] = {0, 0, 0,   10,   0,	   8,	0,
					    0, 5, 'a', '\r', '\n', 'b', 0x1b};
	unsigned char rec[256];
	struct events e;
	const struct tlsrec_event *h;

	(void)state;
	feed(rec, client_hello(ext, sizeof(ext), rec), 0, &e);
	h = find_hello(&e);
	assert_non_null(h);
	assert_string_equal(h->hello.sni, "a??b?");
}

/* Each a member of "not TLS" or "a length past its message". */
static void test_malformed(void **state)
{
	static const struct {
		const char *comment;
		const char *bytes;
		size_t len;
		enum http_err err;
	} cases[] = {
	    {"plain HTTP in the tunnel", "GET / HTTP/1.1\r\n", 16,
	     HTTP_E_TLS_RECORD},
	    {"content type 19", "\x13\x03\x01\x00\x01x", 6, HTTP_E_TLS_RECORD},
	    {"content type 25", "\x19\x03\x01\x00\x01x", 6, HTTP_E_TLS_RECORD},
	    {"version 2.0", "\x16\x02\x00\x00\x01x", 6, HTTP_E_TLS_RECORD},
	    {"a record over 2^14 + 2048", "\x17\x03\x03\x48\x01", 5,
	     HTTP_E_TLS_RECORD},
	    /* hello of 6 bytes: legacy_version then a cut random */
	    {"random cut short",
	     "\x16\x03\x01\x00\x0a\x01\x00\x00\x06\x03\x03"
	     "abcd",
	     15, HTTP_E_TLS_HELLO},
	    /* session id length 32 with no bytes behind it */
	    {"session id past the end",
	     "\x16\x03\x01\x00\x27\x01\x00\x00\x23\x03\x03"
	     "0123456789abcdef0123456789abcdef\x20",
	     44, HTTP_E_TLS_HELLO},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct events e;

		feed(cases[i].bytes, cases[i].len, 0, &e);
		if (e.err != cases[i].err)
			fail_msg("%s: got error %d", cases[i].comment, e.err);
	}
}

/* An extension whose length runs past the extensions block. */
static void test_extension_past_end(void **state)
{
	static const unsigned char ext[] = {0, 16, 0, 40, 0, 3, 2, 'h', '2'};
	unsigned char rec[256];
	struct events e;

	(void)state;
	feed(rec, client_hello(ext, sizeof(ext), rec), 0, &e);
	assert_int_equal(e.err, HTTP_E_TLS_HELLO);
}

/* Once failed, the reader stays failed. */
static void test_sticky_error(void **state)
{
	struct tlsrec_reader r;
	struct tlsrec_event ev;
	enum http_err err = HTTP_OK;

	(void)state;
	tlsrec_init(&r);
	assert_int_equal(tlsrec_read(&r, "G", 1, &ev, &err), -1);
	err = HTTP_OK;
	assert_int_equal(tlsrec_read(&r, "\x16\x03\x01\x00\x00", 5, &ev, &err),
			 -1);
	assert_int_equal(err, HTTP_E_TLS_RECORD);
}

/* Names of types, versions and suites. */
static void test_names(void **state)
{
	char s[64];

	(void)state;
	tlsrec_type_name(21, s, sizeof(s));
	assert_string_equal(s, "alert");
	tlsrec_type_name(99, s, sizeof(s));
	assert_string_equal(s, "type 99");
	tlsrec_version_name(0x0301, s, sizeof(s));
	assert_string_equal(s, "TLS 1.0");
	tlsrec_version_name(0x0300, s, sizeof(s));
	assert_string_equal(s, "SSL 3.0");
	tlsrec_version_name(0x7f1c, s, sizeof(s));
	assert_string_equal(s, "0x7f1c");
	tlsrec_cipher_name(0x1302, s, sizeof(s));
	assert_string_equal(s, "TLS_AES_256_GCM_SHA384");
	tlsrec_cipher_name(0xbeef, s, sizeof(s));
	assert_string_equal(s, "0xbeef");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls13_hellos),
	    cmocka_unit_test(test_tls12_hellos),
	    cmocka_unit_test(test_pieces),
	    cmocka_unit_test(test_no_sni),
	    cmocka_unit_test(test_grease),
	    cmocka_unit_test(test_sni_control_bytes),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_extension_past_end),
	    cmocka_unit_test(test_sticky_error),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("tlsrec", tests, NULL, NULL);
}
