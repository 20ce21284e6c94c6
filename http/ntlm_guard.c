/*
 * http/ntlm_guard.c - the server's side of NTLM over HTTP, one connection
 * at a time.  See ntlm_guard.h for the handshake; lesson 11 walks it.
 */
#define _POSIX_C_SOURCE 200809L

#include "ntlm_guard.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base64.h"

/* ---- State ---- */

void ntlm_guard_init(struct ntlm_guard_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->phase = NTLM_GUARD_IDLE;
}

void ntlm_guard_reset(struct ntlm_guard_conn *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
	c->phase = NTLM_GUARD_IDLE;
}

/* ---- Users ---- */

/* NT hash = MD4(UTF-16LE(password)), from a plain store's password. */
static enum http_err ntlm_guard_user_hash(const struct users *users,
					  const char *user,
					  uint8_t out[NTLM_HASH_LEN])
{
	if (users->kind != USERS_PLAIN)
		return HTTP_E_CONFIG; /* one-way hashes and HA1 cannot give it
				       */
	for (size_t i = 0; i < users->n; i++)
		if (strcmp(users->v[i].user, user) == 0)
			return ntlm_nt_hash(users->v[i].secret,
					    strlen(users->v[i].secret), out);
	return HTTP_E_BAD_USER;
}

/* ---- The step ---- */

static void verdict(struct ntlm_guard_result *r, enum ntlm_guard_verdict v,
		    enum http_err err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void verdict(struct ntlm_guard_result *r, enum ntlm_guard_verdict v,
		    enum http_err err, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* MS-NLMP §3.2.5.1.1: a NEGOTIATE gets a CHALLENGE with a fresh nonce. */
static void on_negotiate(struct ntlm_guard_conn *c, const uint8_t *m,
			 size_t len, struct ntlm_guard_result *r)
{
	struct ntlm_negotiate ng;
	uint8_t out[NTLM_MAX_MESSAGE];
	size_t n = 0, b64 = 0;
	enum http_err e;

	ntlm_guard_reset(c); /* a new handshake replaces any old one */
	if ((e = ntlm_parse_negotiate(m, len, &ng)) != HTTP_OK) {
		verdict(r, NTLM_GUARD_MALFORMED, e,
			"the NTLM NEGOTIATE message is malformed");
		return;
	}
	if (RAND_bytes(c->server_challenge, NTLM_CHALLENGE_LEN) != 1 ||
	    (e = ntlm_server_challenge(ng.flags, c->server_challenge,
				       NTLM_GUARD_TARGET, out, sizeof(out),
				       &n)) != HTTP_OK ||
	    (e = base64_encode(out, n, r->challenge, sizeof(r->challenge),
			       &b64)) != HTTP_OK) {
		ntlm_guard_reset(c);
		verdict(r, NTLM_GUARD_REFUSED, HTTP_E_NTLM_CRYPTO,
			"the NTLM CHALLENGE could not be made");
		return;
	}
	c->flags = ntlm_server_flags(ng.flags);
	c->phase = NTLM_GUARD_CHALLENGED;
	verdict(r, NTLM_GUARD_SEND_CHALLENGE, HTTP_OK,
		"NTLM NEGOTIATE (message 1 of 3) -> CHALLENGE (message 2 of "
		"3) in a 407; the AUTHENTICATE must come on this connection");
}

/* MS-NLMP §3.2.5.1.2: check the AUTHENTICATE against our challenge. */
static void on_authenticate(const struct users *users,
			    struct ntlm_guard_conn *c, const uint8_t *m,
			    size_t len, struct ntlm_guard_result *r)
{
	/* An unknown user still pays for one verification. */
	static const uint8_t dummy_hash[NTLM_HASH_LEN] = {0};
	struct ntlm_authenticate a;
	uint8_t sc[NTLM_CHALLENGE_LEN], nth[NTLM_HASH_LEN];
	enum ntlm_guard_phase was = c->phase;
	enum http_err e, he;

	memcpy(sc, c->server_challenge, sizeof(sc));
	/* One challenge, one answer: whatever happens, it is used up. */
	ntlm_guard_reset(c);
	if ((e = ntlm_parse_authenticate(m, len, &a)) != HTTP_OK) {
		verdict(r, NTLM_GUARD_MALFORMED, e,
			"the NTLM AUTHENTICATE message is malformed");
		return;
	}
	if (ntlm_string(a.user, (a.flags & NTLM_FLAG_UNICODE) != 0, r->user,
			sizeof(r->user)) != HTTP_OK) {
		verdict(r, NTLM_GUARD_MALFORMED, HTTP_E_NTLM_MESSAGE,
			"the NTLM user name is not valid UTF-16");
		return;
	}
	if (was != NTLM_GUARD_CHALLENGED) {
		verdict(r, NTLM_GUARD_REFUSED, HTTP_E_NTLM_ORDER,
			"NTLM AUTHENTICATE%s%s on a connection that was sent "
			"no CHALLENGE (a new connection, or a replay): the "
			"handshake starts over",
			r->user[0] ? " for " : "", r->user);
		return;
	}
	he = ntlm_guard_user_hash(users, r->user, nth);
	if (he == HTTP_E_CONFIG || he == HTTP_E_NTLM_CRYPTO) {
		verdict(r, NTLM_GUARD_REFUSED, he, "%s", http_strerror(he));
		return;
	}
	e = ntlm_verify(&a, sc, he == HTTP_OK ? nth : dummy_hash, NULL);
	OPENSSL_cleanse(nth, sizeof(nth));
	if (e == HTTP_OK && he == HTTP_OK) {
		c->phase = NTLM_GUARD_DONE;
		snprintf(c->user, sizeof(c->user), "%s", r->user);
		verdict(r, NTLM_GUARD_OK, HTTP_OK,
			"NTLM AUTHENTICATE (message 3 of 3) for %s verified: "
			"NTProofStr matches; this connection is now "
			"authenticated",
			r->user);
		return;
	}
	switch (e == HTTP_OK || e == HTTP_E_BAD_PASSWORD ? he : e) {
	case HTTP_E_BAD_USER:
		verdict(r, NTLM_GUARD_REFUSED, HTTP_E_BAD_USER,
			"NTLM user %s is unknown", r->user);
		break;
	case HTTP_E_NTLM_V1:
	case HTTP_E_NTLM_ANONYMOUS:
		verdict(r, NTLM_GUARD_REFUSED, e, "%s", http_strerror(e));
		break;
	case HTTP_E_NTLM_MESSAGE:
		verdict(r, NTLM_GUARD_MALFORMED, e,
			"the NTLMv2 response is malformed");
		break;
	default:
		verdict(r, NTLM_GUARD_REFUSED, HTTP_E_BAD_PASSWORD,
			"NTLM AUTHENTICATE for %s: the NTProofStr does not "
			"match (wrong password)",
			r->user);
		break;
	}
}

void ntlm_guard_step(const struct users *users, struct ntlm_guard_conn *c,
		     const char *token, size_t token_len,
		     struct ntlm_guard_result *r)
{
	uint8_t m[NTLM_MAX_MESSAGE];
	size_t n = 0;
	enum ntlm_type t;

	memset(r, 0, sizeof(*r));
	r->verdict = NTLM_GUARD_MALFORMED; /* default deny */
	if (token == NULL || token_len == 0) {
		/* "NTLM" alone is how a server starts, never a client. */
		ntlm_guard_reset(c);
		verdict(r, NTLM_GUARD_MALFORMED, HTTP_E_NTLM_MESSAGE,
			"NTLM credentials without a message");
		return;
	}
	if (token_len > NTLM_GUARD_MAX_B64 ||
	    base64_decode(token, token_len, m, sizeof(m), &n) != HTTP_OK) {
		ntlm_guard_reset(c);
		verdict(r, NTLM_GUARD_MALFORMED, HTTP_E_BASE64,
			"the NTLM message is not valid base64 (or too long)");
		return;
	}
	if (ntlm_message_type(m, n, &t) != HTTP_OK) {
		ntlm_guard_reset(c);
		verdict(r, NTLM_GUARD_MALFORMED, HTTP_E_NTLM_MESSAGE,
			"not an NTLM message (no NTLMSSP signature)");
		return;
	}
	r->type = t;
	switch (t) {
	case NTLM_TYPE_NEGOTIATE:
		on_negotiate(c, m, n, r);
		break;
	case NTLM_TYPE_AUTHENTICATE:
		on_authenticate(users, c, m, n, r);
		break;
	default:
		ntlm_guard_reset(c);
		verdict(r, NTLM_GUARD_MALFORMED, HTTP_E_NTLM_ORDER,
			"a client sent a CHALLENGE, which only servers send");
		break;
	}
	OPENSSL_cleanse(m, sizeof(m));
}
