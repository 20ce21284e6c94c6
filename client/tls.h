/*
 * client/tls.h - TLS for bin/client over a plain socket or a CONNECT
 * tunnel (lesson 07), with OpenSSL's libssl.
 *
 * Verification is on by default: the certificate chain against the system
 * store (or --cacert FILE) and the name against the URL's host
 * (SSL_set1_host, or the IP address for a literal).  -k turns it off, as
 * curl's --insecure does.  The same code speaks TLS to an HTTPS proxy
 * (-x https://, with --proxy-insecure and --proxy-cacert).
 */
#ifndef LAB407_CLIENT_TLS_H
#define LAB407_CLIENT_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#define TLS_MAX_ERR 512

/* curl's exit codes for TLS failures. */
#define TLS_EXIT_CONNECT 35 /* handshake failed */
#define TLS_EXIT_VERIFY 60  /* certificate not trusted or wrong name */
#define TLS_EXIT_CACERT 77  /* --cacert file unusable */

/*
 * A client context: verify peers unless `insecure`; trust `cacert` (a PEM
 * file) instead of the system store when not NULL.  NULL with err and
 * *exit_code set on failure.  The caller frees it with SSL_CTX_free().
 */
SSL_CTX *tls_context_new(bool insecure, const char *cacert, char *err,
			 size_t err_cap, int *exit_code);
/*
 * Run the handshake on fd for `host` (SNI unless host is an IP literal,
 * RFC 6066 §3).  Returns the connection (caller frees with SSL_free), or
 * NULL with err and *exit_code.
 */
SSL *tls_start(SSL_CTX *ctx, int fd, const char *host, bool insecure, char *err,
	       size_t err_cap, int *exit_code);
/*
 * The same, run inside an established TLS connection `outer` (TLS to an
 * HTTPS proxy, then TLS to the origin through its CONNECT tunnel).  The
 * returned connection reads and writes through outer, which the caller
 * still owns and frees after it.
 */
SSL *tls_start_over(SSL_CTX *ctx, SSL *outer, const char *host, bool insecure,
		    char *err, size_t err_cap, int *exit_code);
/* The peer certificate's subject, one line, for -v. */
void tls_subject(SSL *ssl, char *out, size_t cap);
/* "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384" for -v. */
void tls_describe(SSL *ssl, char *out, size_t cap);

#endif
