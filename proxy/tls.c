/*
 * proxy/tls.c - the server context for bin/proxy --tls-cert/--tls-key.
 *
 * Standard libssl server set-up: TLS 1.2 or later, the certificate chain
 * and key from PEM files, and SSL_CTX_check_private_key() so that a key
 * that is not the certificate's is refused at start-up rather than at the
 * first handshake.  Nothing prints; errors come back as text.
 */
#define _POSIX_C_SOURCE 200809L

#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

/* "what (file): OpenSSL's reason" into err. */
static void tls_fail(char *err, size_t err_cap, const char *what,
		     const char *file)
{
	unsigned long e = ERR_peek_last_error();
	char reason[256] = "";

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	ERR_clear_error();
	snprintf(err, err_cap, "%s %s%s%s", what, file, reason[0] ? ": " : "",
		 reason);
}

/* See tls.h. */
SSL_CTX *proxy_tls_context(const char *cert_file, const char *key_file,
			   char *err, size_t err_cap)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *key = NULL;
	FILE *f;

	if (ctx == NULL) {
		tls_fail(err, err_cap, "cannot create a TLS context for",
			 cert_file);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* OpenSSL 3 reports a TCP FIN without close_notify as an error;
	 * many clients end so after their last request (or half-close after
	 * it), and to the proxy that is an end like a plain socket's.  The
	 * proxy frames what it reads itself, so truncation is still seen. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	/* Distinguish "cannot open" from "not a certificate" for the user. */
	f = fopen(cert_file, "r");
	if (f == NULL) {
		snprintf(err, err_cap, "cannot read --tls-cert %s: %s",
			 cert_file, strerror(errno));
		goto fail;
	}
	fclose(f);
	f = fopen(key_file, "r");
	if (f == NULL) {
		snprintf(err, err_cap, "cannot read --tls-key %s: %s", key_file,
			 strerror(errno));
		goto fail;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (key == NULL) {
		tls_fail(err, err_cap, "no PEM private key in --tls-key",
			 key_file);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		tls_fail(err, err_cap, "no PEM certificate in --tls-cert",
			 cert_file);
		goto fail;
	}
	/* SSL_CTX_use_PrivateKey() already refuses a key that is not the
	 * certificate's; the check after it says so for any other case. */
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		tls_fail(err, err_cap,
			 "the --tls-key does not belong to the --tls-cert:",
			 key_file);
		goto fail;
	}
	EVP_PKEY_free(key);
	return ctx;
fail:
	EVP_PKEY_free(key);
	SSL_CTX_free(ctx);
	return NULL;
}
