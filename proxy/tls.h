/*
 * proxy/tls.h - bin/proxy's listening port over TLS (an "HTTPS proxy"):
 * the client's connection to the proxy is itself TLS, so what it sends
 * the proxy (Proxy-Authorization included) crosses the wire encrypted.
 * Lesson 03 recommends it for Basic.
 *
 * One server context, loaded once at start-up; proxy/downstream.c wraps each
 * accepted connection in it.
 */
#ifndef LAB407_PROXY_TLS_H
#define LAB407_PROXY_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/*
 * A server context with the PEM certificate chain in cert_file and the
 * PEM private key in key_file, checked to belong together.  NULL with a
 * message in err when either is unreadable, unparsable or they do not
 * match.  The caller frees it with SSL_CTX_free().
 */
SSL_CTX *proxy_tls_context(const char *cert_file, const char *key_file,
			   char *err, size_t err_cap);

#endif
