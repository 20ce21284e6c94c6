/*
 * http/negotiate.h - Negotiate (RFC 4559): SPNEGO/Kerberos tokens through
 * GSS-API (MIT krb5), for the proxy and for the client.
 *
 *   client: ticket for HTTP/proxy-host from the KDC (its credential cache)
 *   request   Proxy-Authorization: Negotiate <GSS token: AP-REQ in SPNEGO>
 *   response  200, Proxy-Authenticate: Negotiate <GSS token: AP-REP>
 *             (mutual authentication: the proxy proves it holds the key)
 *
 * No password crosses the wire, and the proxy never sees one: it holds
 * only the service key of HTTP/proxy-host, from a keytab (lesson 12).
 *
 * This is glue around a library that does I/O of its own (the client's
 * GSS-API may ask the KDC for a ticket; the acceptor reads the keytab and
 * keeps a replay cache), so unlike the rest of http/ it is not pure.  It
 * still never prints and never exits.
 */
#ifndef LAB407_HTTP_NEGOTIATE_H
#define LAB407_HTTP_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define NEGOTIATE_MAX_TOKEN 12288 /* decoded bytes of one GSS token */
#define NEGOTIATE_MAX_B64 ((NEGOTIATE_MAX_TOKEN + 2) / 3 * 4 + 1)
#define NEGOTIATE_MAX_NAME 256
#define NEGOTIATE_MAX_REASON 512

/* ---- The proxy's side ---- */

/* One connection's security context, when a handshake takes more than one
 * leg (SPNEGO may; Kerberos completes in one). */
struct negotiate_conn {
	void *ctx; /* gss_ctx_id_t, or NULL */
};

enum negotiate_verdict {
	NEGOTIATE_OK, /* authenticated: user, and maybe a token to return */
	NEGOTIATE_CONTINUE, /* another leg: 407 with `token` */
	NEGOTIATE_REFUSED,  /* GSS-API said no: 407 with a bare Negotiate */
	NEGOTIATE_MALFORMED /* not base64: 400 */
};

struct negotiate_result {
	enum negotiate_verdict verdict;
	enum http_err err;
	char principal[NEGOTIATE_MAX_NAME]; /* "alice@LAB407.TEST" */
	char user[NEGOTIATE_MAX_NAME];	    /* "alice": the principal's name
					       without the realm, for the ACL */
	char token[NEGOTIATE_MAX_B64]; /* base64 token to send back, or "" */
	char reason[NEGOTIATE_MAX_REASON];
};

/*
 * Use `keytab` for accepting (MIT: gsskrb5_register_acceptor_identity) and
 * check that it holds a key.  Process-wide; call once at start-up.
 */
enum http_err negotiate_server_init(const char *keytab, char *err,
				    size_t err_cap);
void negotiate_conn_init(struct negotiate_conn *c);
/* Delete any half-done context; the connection is gone. */
void negotiate_conn_free(struct negotiate_conn *c);
/* Accept one token (the base64 after "Negotiate "). */
void negotiate_accept(struct negotiate_conn *c, const char *b64, size_t len,
		      struct negotiate_result *r);

/* ---- The client's side ---- */

struct negotiate_client {
	void *ctx;    /* gss_ctx_id_t, or NULL */
	void *target; /* gss_name_t of HTTP@host, or NULL */
	bool sent;    /* the first token went out */
};

void negotiate_client_init(struct negotiate_client *c);
void negotiate_client_free(struct negotiate_client *c);
/*
 * The first token for service HTTP@host, from the default credential
 * cache (KRB5CCNAME), asking for mutual authentication.  HTTP_E_NEGOTIATE
 * with GSS-API's words in why (no ticket, unknown service, ...).
 */
enum http_err negotiate_client_start(struct negotiate_client *c,
				     const char *host, char *out_b64,
				     size_t cap, char *err, size_t err_cap);
/* The server's final token (mutual authentication): HTTP_OK when it
 * proves the server holds the service key. */
enum http_err negotiate_client_finish(struct negotiate_client *c,
				      const char *b64, size_t len, char *err,
				      size_t err_cap);

/* ---- Reading a token without keys (for explain) ---- */

/*
 * What can be read from a token without any key: the SPNEGO wrapper's
 * mechanism OIDs and, inside, whether a Kerberos AP-REQ or AP-REP is
 * there and the service principal it names.  A sentence per line in out.
 */
void negotiate_describe(const char *b64, size_t len, char *out, size_t cap);

#endif
