/*
 * repl/tlsleg.c - the client -> proxy leg over TLS, both ends in the REPL
 * (see tlsleg.h).
 *
 * Each end is an SSL with two memory BIOs: what it writes is taken out of
 * its write BIO and carried over the loopback socket (wire_carry), and
 * what comes out of the socket is put into the other end's read BIO.  So
 * the bytes on the socket are exactly the TLS records a real HTTPS proxy
 * (bin/proxy --tls-cert) would see; the REPL reads their headers with the
 * same reader as a tunnel's (http/tlsrec.h).  The proxy's certificate is
 * made in memory when TLS is switched on, and the client trusts exactly it.
 */
#define _GNU_SOURCE /* memmem */

#include "tlsleg.h"
#include "lab_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../http/tlsrec.h"
#include "wire.h"

#define TLSLEG_MAX_SECRET 1024 /* a Proxy-Authorization line looked for */
#define TLSLEG_ROUNDS 8	       /* handshake flights at most (TLS 1.3 needs 3) */
#define TLSLEG_SUBJECT "lab407 proxy (REPL)"

struct tlsleg {
	SSL_CTX *cctx, *sctx;	    /* client and proxy contexts */
	SSL *end[2];		    /* [0] the client's end, [1] the proxy's */
	struct tlsrec_reader rd[2]; /* records leaving end [i] */
};

/* ---- Set-up ---- */

/* A self-signed P-256 certificate for the proxy end, in memory. */
static bool make_cert(struct tlsleg *t)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *nm;
	bool ok = false;

	if (pk == NULL || x == NULL)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
				   (const unsigned char *)TLSLEG_SUBJECT, -1,
				   -1, 0);
	X509_set_issuer_name(x, nm);
	ok = X509_sign(x, pk, EVP_sha256()) > 0 &&
	     SSL_CTX_use_certificate(t->sctx, x) == 1 &&
	     SSL_CTX_use_PrivateKey(t->sctx, pk) == 1 &&
	     X509_STORE_add_cert(SSL_CTX_get_cert_store(t->cctx), x) == 1;
out:
	X509_free(x);
	EVP_PKEY_free(pk);
	return ok;
}

static struct tlsleg *tlsleg_new(void)
{
	struct tlsleg *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cctx = SSL_CTX_new(TLS_client_method());
	t->sctx = SSL_CTX_new(TLS_server_method());
	if (t->cctx == NULL || t->sctx == NULL || !make_cert(t)) {
		SSL_CTX_free(t->cctx);
		SSL_CTX_free(t->sctx);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	SSL_CTX_set_min_proto_version(t->cctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->cctx, SSL_VERIFY_PEER, NULL);
	/* No session tickets: one message in each direction, no extras. */
	SSL_CTX_set_num_tickets(t->sctx, 0);
	return t;
}

void tlsleg_reset(struct lab *lab)
{
	struct tlsleg *t = lab->tlsleg;

	if (t == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		SSL_free(t->end[i]);
		t->end[i] = NULL;
	}
}

void tlsleg_free(struct lab *lab)
{
	struct tlsleg *t = lab->tlsleg;

	if (t == NULL)
		return;
	tlsleg_reset(lab);
	SSL_CTX_free(t->cctx);
	SSL_CTX_free(t->sctx);
	free(t);
	lab->tlsleg = NULL;
}

/* Both ends, fresh, each with a memory BIO to read from and one to write. */
static bool ends_new(struct tlsleg *t)
{
	t->end[0] = SSL_new(t->cctx);
	t->end[1] = SSL_new(t->sctx);
	if (t->end[0] == NULL || t->end[1] == NULL)
		return false;
	for (int i = 0; i < 2; i++) {
		SSL_set_bio(t->end[i], BIO_new(BIO_s_mem()),
			    BIO_new(BIO_s_mem()));
		tlsrec_init(&t->rd[i]);
	}
	SSL_set_connect_state(t->end[0]);
	SSL_set_accept_state(t->end[1]);
	return true;
}

/* ---- Moving records ---- */

/* Append one "tls: ..." line to m->tls (cut short when full). */
static void note(struct lab_msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct lab_msg *m, const char *fmt, ...)
{
	size_t used = strlen(m->tls);
	va_list ap;

	if (used + 1 >= sizeof(m->tls))
		return;
	va_start(ap, fmt);
	vsnprintf(m->tls + used, sizeof(m->tls) - used, fmt, ap);
	va_end(ap);
}

/* One line per record (and hello) in p[0..n), leaving end `from`. */
static void describe(struct tlsleg *t, int from, const char *p, size_t n,
		     struct lab_msg *m)
{
	const char *dir = from == 0 ? "client -> proxy" : "proxy -> client";

	while (n > 0) {
		struct tlsrec_event ev;
		enum http_err e = HTTP_OK;
		char line[300];
		long used = tlsrec_read(&t->rd[from], p, n, &ev, &e);

		if (used <= 0)
			break;
		p += used;
		n -= (size_t)used;
		if (ev.kind == TLSREC_NONE)
			continue;
		tlsrec_describe(&ev, line, sizeof(line));
		note(m, "tls: %s  %s\n", dir, line);
	}
}

/*
 * Take what end `from` wrote, carry it over the socket, put it into the
 * other end.  *carried: bytes that crossed.
 */
static bool flight(struct lab *lab, int from, struct lab_msg *m,
		   const char *secret, size_t *carried, char *err,
		   size_t err_cap)
{
	struct tlsleg *t = lab->tlsleg;
	BIO *w = SSL_get_wbio(t->end[from]);
	BIO *r = SSL_get_rbio(t->end[1 - from]);
	struct http_buf wire, got;
	char chunk[16384];
	int k;
	bool ok = true;

	http_buf_init(&wire, 0);
	http_buf_init(&got, 0);
	while ((k = BIO_read(w, chunk, sizeof(chunk))) > 0)
		if (!http_buf_append(&wire, chunk, (size_t)k))
			ok = false;
	*carried = wire.len;
	if (ok && wire.len > 0) {
		ok = wire_carry(lab->cp[from], lab->cp[1 - from], &wire, &got,
				err, err_cap);
		if (ok) {
			describe(t, from, got.data, got.len, m);
			/* The point of it: is the secret on the wire? */
			if (secret != NULL)
				note(m,
				     "tls: \"%s\" in these bytes on the "
				     "socket: %s\n",
				     secret,
				     memmem(got.data, got.len, secret,
					    strlen(secret)) != NULL
					 ? "yes"
					 : "no");
			ok = BIO_write(r, got.data, (int)got.len) ==
			     (int)got.len;
		}
	}
	http_buf_free(&wire);
	http_buf_free(&got);
	return ok;
}

/* The handshake, flight by flight over the socket. */
static bool handshake(struct lab *lab, struct lab_msg *m, char *err,
		      size_t err_cap)
{
	struct tlsleg *t = lab->tlsleg;
	size_t n;
	char subject[256] = "";
	X509 *peer;

	note(m, "tls: handshake with the proxy, records over the socket:\n");
	for (int i = 0; i < TLSLEG_ROUNDS; i++) {
		int a = SSL_do_handshake(t->end[0]);

		if (!flight(lab, 0, m, NULL, &n, err, err_cap))
			return false;
		int b = SSL_do_handshake(t->end[1]);

		if (!flight(lab, 1, m, NULL, &n, err, err_cap))
			return false;
		if (a == 1 && b == 1)
			break;
	}
	if (!SSL_is_init_finished(t->end[0]) ||
	    !SSL_is_init_finished(t->end[1])) {
		snprintf(err, err_cap,
			 "the TLS handshake with the proxy failed");
		ERR_clear_error();
		return false;
	}
	peer = SSL_get1_peer_certificate(t->end[0]);
	if (peer != NULL)
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
					  NID_commonName, subject,
					  sizeof(subject));
	X509_free(peer);
	note(m, "tls: %s, certificate CN=%s (made and trusted by the REPL)\n",
	     SSL_get_version(t->end[0]), subject);
	note(m, "tls: cipher suite %s\n", SSL_get_cipher_name(t->end[0]));
	return true;
}

/*
 * The request's Proxy-Authorization line ("Proxy-Authorization: Basic
 * YWxp..."), or "" when it has none: what is looked for on the socket.
 */
static void secret_line(const struct http_buf *b, char *out, size_t cap)
{
	static const char name[] = "\r\nProxy-Authorization:";
	const char *p = memmem(b->data, b->len, name, sizeof(name) - 1);
	const char *end;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 2;
	end = memchr(p, '\r', b->len - (size_t)(p - b->data));
	if (end != NULL && (size_t)(end - p) < cap)
		snprintf(out, cap, "%.*s", (int)(end - p), p);
}

/* See tlsleg.h. */
bool tlsleg_carry(struct lab *lab, bool up, const struct http_buf *b,
		  struct http_buf *got, struct lab_msg *m, char *err,
		  size_t err_cap)
{
	struct tlsleg *t = lab->tlsleg;
	int from = up ? 0 : 1;
	char chunk[16384], secret[TLSLEG_MAX_SECRET];
	size_t n;
	int k;

	if (t == NULL)
		return wire_carry(lab->cp[from], lab->cp[1 - from], b, got, err,
				  err_cap);
	if (t->end[0] == NULL) {
		if (!ends_new(t)) {
			snprintf(err, err_cap, "cannot set up TLS");
			return false;
		}
		if (!handshake(lab, m, err, err_cap))
			return false;
	}
	if (b->len > 0 &&
	    SSL_write(t->end[from], b->data, (int)b->len) != (int)b->len) {
		snprintf(err, err_cap, "TLS write failed");
		ERR_clear_error();
		return false;
	}
	secret_line(b, secret, sizeof(secret));
	if (!flight(lab, from, m, secret[0] != '\0' ? secret : NULL, &n, err,
		    err_cap))
		return false;
	note(m,
	     "tls: the HTTP below crossed the socket only as the "
	     "records above; the %s's end decrypted it:\n",
	     up ? "proxy" : "client");
	while ((k = SSL_read(t->end[1 - from], chunk, sizeof(chunk))) > 0)
		if (!http_buf_append(got, chunk, (size_t)k)) {
			snprintf(err, err_cap, "message too large");
			return false;
		}
	ERR_clear_error();
	if (got->len != b->len) {
		snprintf(err, err_cap, "TLS: %zu bytes decrypted of %zu sent",
			 got->len, b->len);
		return false;
	}
	return true;
}

/* ---- The command ---- */

/* `tls proxy on|off`. */
enum repl_rc tlsleg_cmd(struct repl *r, int argc, char **argv)
{
	struct lab *lab = r->lab;
	bool on;

	if (argc != 3 || strcmp(argv[1], "proxy") != 0 ||
	    (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0)) {
		repl_error(r, "usage: tls proxy on|off");
		return REPL_USAGE;
	}
	on = strcmp(argv[2], "on") == 0;
	if (on && lab->external) {
		repl_error(r, "tls proxy: only the lab's own proxy (connect "
			      "embedded); for bin/proxy --tls-cert use "
			      "bin/client -x https://");
		return REPL_FAIL;
	}
	if (lab->active && lab->next != LAB_C2P) {
		repl_error(r, "tls proxy: a message is on its way; step to the "
			      "end of the exchange (or reset) first");
		return REPL_FAIL;
	}
	if (on == (lab->tlsleg != NULL)) {
		fprintf(r->out, "tls proxy is already %s\n", argv[2]);
		return REPL_OK;
	}
	if (!on) {
		tlsleg_free(lab);
	} else {
		lab->tlsleg = tlsleg_new();
		if (lab->tlsleg == NULL) {
			repl_error(r, "tls proxy: cannot set up TLS");
			return REPL_FAIL;
		}
	}
	/* A connection in progress keeps what it started as: close it. */
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	fprintf(r->out,
		"tls proxy %s: the client -> proxy connection %s (lesson "
		"03)\n",
		argv[2],
		on ? "speaks TLS; credentials cross the socket encrypted"
		   : "is plain TCP; credentials cross the socket as sent");
	return REPL_OK;
}
