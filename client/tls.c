/*
 * client/tls.c - TLS for bin/client (lesson 07: after CONNECT's 200 the
 * client talks TLS to the origin through the proxy's byte pipe).
 *
 * Everything here is standard libssl use: a context that verifies peers,
 * SNI and a host-name check per connection, and curl's exit codes when
 * something fails.  Nothing prints; errors come back as text.
 */
#define _POSIX_C_SOURCE 200809L

#include "tls.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* ---- Context ---- */

/* The last OpenSSL error as text, or `fallback`. */
static void ssl_error(char *err, size_t err_cap, const char *fallback)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0) {
		snprintf(err, err_cap, "%s", fallback);
		return;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, err_cap, "%s: %s", fallback, buf);
	ERR_clear_error();
}

/* A client context; see tls.h. */
SSL_CTX *tls_context_new(bool insecure, const char *cacert, char *err,
			 size_t err_cap, int *exit_code)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ssl_error(err, err_cap, "cannot create a TLS context");
		*exit_code = TLS_EXIT_CONNECT;
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cacert != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, cacert, NULL) != 1) {
			ssl_error(err, err_cap,
				  "error setting certificate file");
			snprintf(err + strlen(err), err_cap - strlen(err),
				 " (%s)", cacert);
			*exit_code = TLS_EXIT_CACERT;
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ssl_error(err, err_cap, "cannot load the system CA store");
		*exit_code = TLS_EXIT_CACERT;
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
			   NULL);
	return ctx;
}

/* ---- Handshake ---- */

/* True when host is an IPv4 or IPv6 literal (no brackets). */
static bool is_ip_literal(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 ||
	       inet_pton(AF_INET6, host, addr) == 1;
}

/* The handshake on an SSL whose transport is set; frees it on failure. */
static SSL *tls_handshake(SSL *ssl, const char *host, bool insecure, char *err,
			  size_t err_cap, int *exit_code)
{
	bool ip = is_ip_literal(host);
	long vr;

	/* RFC 6066 §3: SNI carries a host name, never an address. */
	if (!ip)
		SSL_set_tlsext_host_name(ssl, host);
	if (!insecure) {
		int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
							    host)
			    : SSL_set1_host(ssl, host);

		if (ok != 1) {
			ssl_error(err, err_cap,
				  "cannot set the name to verify");
			*exit_code = TLS_EXIT_CONNECT;
			SSL_free(ssl);
			return NULL;
		}
	}
	if (SSL_connect(ssl) == 1)
		return ssl;

	vr = SSL_get_verify_result(ssl);
	if (!insecure && vr != X509_V_OK) {
		snprintf(err, err_cap, "SSL certificate problem: %s",
			 X509_verify_cert_error_string(vr));
		*exit_code = TLS_EXIT_VERIFY;
		ERR_clear_error();
	} else {
		ssl_error(err, err_cap, "TLS handshake failed");
		*exit_code = TLS_EXIT_CONNECT;
	}
	SSL_free(ssl);
	return NULL;
}

/* Handshake on fd; see tls.h. */
SSL *tls_start(SSL_CTX *ctx, int fd, const char *host, bool insecure, char *err,
	       size_t err_cap, int *exit_code)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		ssl_error(err, err_cap, "cannot set up TLS");
		*exit_code = TLS_EXIT_CONNECT;
		SSL_free(ssl);
		return NULL;
	}
	return tls_handshake(ssl, host, insecure, err, err_cap, exit_code);
}

/*
 * Handshake inside `outer` (TLS in TLS); see tls.h.  OpenSSL's SSL filter
 * BIO turns the outer connection into the inner one's transport: each
 * inner record is written with SSL_write on the outer connection, so it
 * is encrypted twice on the wire.
 */
SSL *tls_start_over(SSL_CTX *ctx, SSL *outer, const char *host, bool insecure,
		    char *err, size_t err_cap, int *exit_code)
{
	SSL *ssl = SSL_new(ctx);
	BIO *b = BIO_new(BIO_f_ssl());

	if (ssl == NULL || b == NULL) {
		ssl_error(err, err_cap, "cannot set up TLS");
		*exit_code = TLS_EXIT_CONNECT;
		SSL_free(ssl);
		BIO_free(b);
		return NULL;
	}
	BIO_set_ssl(b, outer, BIO_NOCLOSE); /* outer stays the caller's */
	SSL_set_bio(ssl, b, b);		    /* ssl owns b now */
	return tls_handshake(ssl, host, insecure, err, err_cap, exit_code);
}

/* "CN = lab407 proxy" for -v: the peer certificate's subject. */
void tls_subject(SSL *ssl, char *out, size_t cap)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	BIO *b = cert != NULL ? BIO_new(BIO_s_mem()) : NULL;
	char *p;
	long n;

	snprintf(out, cap, "(no certificate)");
	if (b != NULL &&
	    X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
			       XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(b, &p);
		if (n >= 0)
			snprintf(out, cap, "%.*s", (int)(n > 400 ? 400 : n), p);
	}
	BIO_free(b);
	X509_free(cert);
}

/* curl's -v wording for the negotiated version and cipher. */
void tls_describe(SSL *ssl, char *out, size_t cap)
{
	snprintf(out, cap, "SSL connection using %s / %s", SSL_get_version(ssl),
		 SSL_get_cipher_name(ssl));
}
