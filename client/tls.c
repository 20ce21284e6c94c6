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
static void ssl_error(char *err, size_t cap, const char *fallback)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0) {
		snprintf(err, cap, "%s", fallback);
		return;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, cap, "%s: %s", fallback, buf);
	ERR_clear_error();
}

/* A client context; see tls.h. */
SSL_CTX *tls_context_new(bool insecure, const char *cacert, char *err,
			 size_t errcap, int *exit_code)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ssl_error(err, errcap, "cannot create a TLS context");
		*exit_code = TLS_EXIT_CONNECT;
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cacert != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, cacert, NULL) != 1) {
			ssl_error(err, errcap,
				  "error setting certificate file");
			snprintf(err + strlen(err), errcap - strlen(err),
				 " (%s)", cacert);
			*exit_code = TLS_EXIT_CACERT;
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ssl_error(err, errcap, "cannot load the system CA store");
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

/* Handshake on fd; see tls.h. */
SSL *tls_start(SSL_CTX *ctx, int fd, const char *host, bool insecure, char *err,
	       size_t errcap, int *exit_code)
{
	SSL *ssl = SSL_new(ctx);
	bool ip = is_ip_literal(host);
	long vr;

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		ssl_error(err, errcap, "cannot set up TLS");
		*exit_code = TLS_EXIT_CONNECT;
		SSL_free(ssl);
		return NULL;
	}
	/* RFC 6066 §3: SNI carries a host name, never an address. */
	if (!ip)
		SSL_set_tlsext_host_name(ssl, host);
	if (!insecure) {
		int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
							    host)
			    : SSL_set1_host(ssl, host);

		if (ok != 1) {
			ssl_error(err, errcap, "cannot set the name to verify");
			*exit_code = TLS_EXIT_CONNECT;
			SSL_free(ssl);
			return NULL;
		}
	}
	if (SSL_connect(ssl) == 1)
		return ssl;

	vr = SSL_get_verify_result(ssl);
	if (!insecure && vr != X509_V_OK) {
		snprintf(err, errcap, "SSL certificate problem: %s",
			 X509_verify_cert_error_string(vr));
		*exit_code = TLS_EXIT_VERIFY;
		ERR_clear_error();
	} else {
		ssl_error(err, errcap, "TLS handshake failed");
		*exit_code = TLS_EXIT_CONNECT;
	}
	SSL_free(ssl);
	return NULL;
}

/* curl's -v wording for the negotiated version and cipher. */
void tls_describe(SSL *ssl, char *out, size_t cap)
{
	snprintf(out, cap, "SSL connection using %s / %s", SSL_get_version(ssl),
		 SSL_get_cipher_name(ssl));
}
