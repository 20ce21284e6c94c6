/*
 * proxy/gate_conn.c - authenticating a connection (NTLM, Negotiate).
 *
 * Lesson 11: NTLM authenticates the connection, not the request.  Its
 * three messages (NEGOTIATE, CHALLENGE, AUTHENTICATE)
 * cross one TCP connection, and once the handshake is done every later
 * request on that connection is the user's, with no Proxy-Authorization
 * at all.  Negotiate (RFC 4559, lesson 12) hands a Kerberos token to
 * GSS-API and is remembered the same way.  What a connection proved lives
 * in its struct proxy_conn, which the shell keeps and drops with the
 * connection; a refusal is answered as proxy/gate_authn.c answers any other.
 */
#define _POSIX_C_SOURCE 200809L

#include "gate_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../http/auth.h"
#include "gate.h"
#include "gate_authn.h"
#include "gate_respond.h"

/* ---- Set-up ---- */

/* Nothing proved yet on a new connection. */
void proxy_conn_init(struct proxy_conn *c)
{
	ntlm_guard_init(&c->ntlm);
	negotiate_conn_init(&c->neg);
	c->neg_user[0] = '\0';
}

/* The connection is gone, and with it what it proved. */
void proxy_conn_free(struct proxy_conn *c)
{
	ntlm_guard_reset(&c->ntlm);
	negotiate_conn_free(&c->neg);
	c->neg_user[0] = '\0';
}

/* ---- Authenticating a connection (NTLM, Negotiate) ---- */

/* The first Proxy-Authorization field using scheme s, parsed into c. */
static bool find_credentials(const struct facts *f, enum auth_scheme s,
			     struct auth_challenge *c)
{
	const struct http_request *req = f->req;
	const struct http_header *h;
	size_t pos = 0;

	/* No field starts with s: nothing to parse (the common case). */
	if ((f->proxy_authorization.schemes & (unsigned)s) == 0)
		return false;
	while ((h = http_header_next(req->headers, req->num_headers,
				     "Proxy-Authorization", &pos)) != NULL)
		if (auth_parse_credentials(h->value, h->value_len, c) ==
			HTTP_OK &&
		    c->kind == s)
			return true;
	return false;
}

/* The connection is proved for `user` with scheme s: d says who and how. */
static enum proxy_conn_outcome proved(const char *user, enum auth_scheme s,
				      struct proxy_decision *d)
{
	snprintf(d->user, sizeof(d->user), "%s", user);
	d->scheme = auth_scheme_name(s);
	d->auth_verdict = (int)GUARD_OK;
	return PROXY_CONN_PROVED;
}

/*
 * A connection-bound scheme refused its message: answered as
 * guard_check()'s refusals are, a 407 (GUARD_BAD) or a 400
 * (GUARD_MALFORMED), from the scheme's own error, user and reason, and
 * explained by `lesson`.
 */
static enum proxy_conn_outcome
refused(const struct proxy_config *cfg, struct proxy_state *st,
	const struct facts *f, enum auth_scheme s, enum guard_verdict v,
	enum http_err err, const char *user, const char *reason,
	const char *lesson, uint64_t now, struct proxy_decision *d)
{
	struct guard_result g;

	memset(&g, 0, sizeof(g));
	g.verdict = v;
	g.scheme = s;
	g.err = err;
	snprintf(g.user, sizeof(g.user), "%s", user);
	snprintf(g.reason, sizeof(g.reason), "%s", reason);
	d->auth_verdict = (int)v;
	if (v == GUARD_MALFORMED)
		proxy_authn_refuse(f, &g, d);
	else
		proxy_authn_challenge(cfg, st, f, &g, now, d);
	d->lesson = lesson;
	return PROXY_CONN_ANSWERED;
}

/*
 * 407 carrying our NTLM CHALLENGE (message 2 of 3) and nothing else: the
 * client must answer on this same connection, so it is kept open unless
 * the client itself asked to close (then the handshake cannot finish).
 */
static void ntlm_challenge(const struct facts *f,
			   const struct ntlm_guard_result *r,
			   struct proxy_decision *d)
{
	struct http_buf h, body;

	http_buf_init(&h, 0);
	http_buf_init(&body, 0);
	/* RFC 9110 §11.3 token68 form: "NTLM <base64>" */
	http_buf_printf(&h, "Proxy-Authenticate: NTLM %s\r\n", r->challenge);
	d->close = !f->keep_alive; /* RFC 9112 §9.3, http/persist.c */
	http_buf_printf(&body,
			"407 Proxy Authentication Required\n"
			"proxy: NTLM handshake, message 2 of 3: the CHALLENGE "
			"is in Proxy-Authenticate.\n"
			"Answer with the AUTHENTICATE on this same "
			"connection%s.\n",
			d->close ? " (but the client asked to close it, so "
				   "the handshake cannot finish)"
				 : "");
	d->lesson = "11";
	proxy_decision_why(d, "proxy: %s%s", r->reason,
			   d->close ? "; the client asked to close, so it "
				      "cannot finish"
				    : "");
	d->auth_verdict = (int)GUARD_MISSING;
	proxy_respond(d, f, 407, h.data, &body);
	http_buf_free(&h);
	http_buf_free(&body);
}

/*
 * Lesson 12: a Kerberos ticket instead of a password.  Negotiate (RFC
 * 4559): hand the token to GSS-API.  Success proves the client holds a
 * ticket for this proxy's service principal; the final token (mutual
 * authentication) goes back on the relayed response, and the connection
 * is remembered as authenticated, as servers commonly do.
 */
static enum proxy_conn_outcome
negotiate_step(const struct proxy_config *cfg, struct proxy_state *st,
	       struct proxy_conn *conn, const struct facts *f,
	       const struct auth_challenge *c, uint64_t now,
	       struct proxy_decision *d)
{
	struct negotiate_result *nr = calloc(1, sizeof(*nr));
	enum proxy_conn_outcome out = PROXY_CONN_ANSWERED;
	struct http_buf h, body;
	size_t tl;

	d->lesson = "12";
	if (nr == NULL) {
		struct guard_result g;

		memset(&g, 0, sizeof(g));
		g.scheme = AUTH_SCHEME_NEGOTIATE;
		g.verdict = GUARD_BAD;
		g.err = HTTP_E_NOMEM;
		proxy_authn_challenge(cfg, st, f, &g, now, d);
		return PROXY_CONN_ANSWERED;
	}
	conn->neg_user[0] = '\0';
	negotiate_accept(&conn->neg, c->token68,
			 c->token68 ? c->token68_len : 0, nr);
	switch (nr->verdict) {
	case NEGOTIATE_OK:
		snprintf(conn->neg_user, sizeof(conn->neg_user), "%s",
			 nr->user);
		/* a token too long for the field is left off: the client
		 * then cannot check the proxy (lesson 12) */
		tl = strlen(nr->token);
		if (tl < sizeof(d->negotiate_reply))
			memcpy(d->negotiate_reply, nr->token, tl + 1);
		out = proved(nr->user, AUTH_SCHEME_NEGOTIATE, d);
		break;
	case NEGOTIATE_CONTINUE:
		/* The next token, answered on this same connection. */
		http_buf_init(&h, 0);
		http_buf_init(&body, 0);
		http_buf_printf(&h, "Proxy-Authenticate: Negotiate %s\r\n",
				nr->token);
		http_buf_puts(&body, "407 Proxy Authentication Required\n"
				     "proxy: Negotiate needs another leg on "
				     "this connection.\n");
		d->close = !f->keep_alive; /* RFC 9112 §9.3, http/persist.c */
		d->auth_verdict = (int)GUARD_MISSING;
		proxy_decision_why(d, "proxy: %s -> 407", nr->reason);
		proxy_respond(d, f, 407, h.data, &body);
		http_buf_free(&h);
		http_buf_free(&body);
		break;
	case NEGOTIATE_REFUSED:
		out = refused(cfg, st, f, AUTH_SCHEME_NEGOTIATE, GUARD_BAD,
			      nr->err, nr->user, nr->reason, "12", now, d);
		break;
	case NEGOTIATE_MALFORMED:
	default:
		out =
		    refused(cfg, st, f, AUTH_SCHEME_NEGOTIATE, GUARD_MALFORMED,
			    nr->err, nr->user, nr->reason, "12", now, d);
		break;
	}
	OPENSSL_cleanse(nr, sizeof(*nr));
	free(nr);
	return out;
}

/* One NTLM message: advance conn's handshake (ntlm_guard_step). */
static enum proxy_conn_outcome ntlm_step(const struct proxy_config *cfg,
					 struct proxy_state *st,
					 struct proxy_conn *conn,
					 const struct facts *f,
					 const struct auth_challenge *c,
					 uint64_t now, struct proxy_decision *d)
{
	struct ntlm_guard_result nr;

	ntlm_guard_step(cfg->guard.users, &conn->ntlm, c->token68,
			c->token68 ? c->token68_len : 0, &nr);
	switch (nr.verdict) {
	case NTLM_GUARD_SEND_CHALLENGE:
		ntlm_challenge(f, &nr, d);
		return PROXY_CONN_ANSWERED;
	case NTLM_GUARD_OK:
		return proved(conn->ntlm.user, AUTH_SCHEME_NTLM, d);
	case NTLM_GUARD_REFUSED:
		return refused(cfg, st, f, AUTH_SCHEME_NTLM, GUARD_BAD, nr.err,
			       nr.user, nr.reason, "11", now, d);
	case NTLM_GUARD_MALFORMED:
	default:
		return refused(cfg, st, f, AUTH_SCHEME_NTLM, GUARD_MALFORMED,
			       nr.err, nr.user, nr.reason, "11", now, d);
	}
}

/*
 * Step 2 for a connection-bound scheme.  A connection whose NTLM
 * handshake is done is authenticated with no header at all; an NTLM
 * message advances the handshake (ntlm_guard_step); anything else is for
 * guard_check().
 */
enum proxy_conn_outcome
proxy_conn_authenticate(const struct proxy_config *cfg, struct proxy_state *st,
			struct proxy_conn *conn, const struct facts *f,
			uint64_t now, struct proxy_decision *d)
{
	struct auth_challenge c;

	if (conn == NULL)
		return PROXY_CONN_NOT_MINE;
	if (guard_offers(&cfg->guard, AUTH_SCHEME_NEGOTIATE) &&
	    find_credentials(f, AUTH_SCHEME_NEGOTIATE, &c))
		return negotiate_step(cfg, st, conn, f, &c, now, d);
	if (conn->neg_user[0] != '\0' &&
	    !find_credentials(f, AUTH_SCHEME_NTLM, &c)) {
		d->lesson = "12";
		return proved(conn->neg_user, AUTH_SCHEME_NEGOTIATE, d);
	}
	if (!guard_offers(&cfg->guard, AUTH_SCHEME_NTLM))
		return PROXY_CONN_NOT_MINE;
	if (find_credentials(f, AUTH_SCHEME_NTLM, &c))
		return ntlm_step(cfg, st, conn, f, &c, now, d);
	if (conn->ntlm.phase == NTLM_GUARD_DONE)
		return proved(conn->ntlm.user, AUTH_SCHEME_NTLM, d);
	/* A half-done handshake abandoned for another scheme. */
	if (conn->ntlm.phase == NTLM_GUARD_CHALLENGED)
		ntlm_guard_reset(&conn->ntlm);
	return PROXY_CONN_NOT_MINE;
}
