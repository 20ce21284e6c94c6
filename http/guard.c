/*
 * http/guard.c - the server side of HTTP authentication (RFC 9110 §11).
 *
 * One code path serves the origin (401, WWW-Authenticate, Authorization)
 * and the proxy (407, Proxy-Authenticate, Proxy-Authorization); the
 * `proxy` flag of struct guard_config only changes the field names, as in
 * curl's http_digest.c.  guard_check() answers "who are you?" and nothing
 * else; "may you?" belongs to the proxy's ACL and the origin's rules.
 *
 * Reading order for a lesson: guard_check() at the bottom of *Deciding*,
 * then guard_verify() above it and the schemes it hands the credentials
 * to: check_bearer() here, Basic in http/guard_basic.c
 * (guard_basic_check()), Digest in http/guard_digest.c
 * (guard_digest_check()).  The challenges are written by
 * http/guard_challenge.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "guard.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "bearer.h"
#include "text.h"

#define GUARD_MAX_TOKEN (BEARER_MAX_TOKEN + 1)

/* ---- Field names ---- */

/* "Proxy-Authorization" or "Authorization" (RFC 9110 §11.7.2, §11.6.2). */
const char *guard_credentials_field(const struct guard_config *cfg)
{
	return cfg->proxy ? "Proxy-Authorization" : "Authorization";
}

/* "Proxy-Authenticate" or "WWW-Authenticate" (RFC 9110 §11.7.1, §11.6.1). */
const char *guard_challenge_field(const struct guard_config *cfg)
{
	return cfg->proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

/* "Proxy-Authentication-Info" or "Authentication-Info" (RFC 9110 §11.6.3). */
const char *guard_info_field(const struct guard_config *cfg)
{
	return cfg->proxy ? "Proxy-Authentication-Info" : "Authentication-Info";
}

/* 407 or 401 (RFC 9110 §15.5.8, §15.5.2). */
int guard_status(const struct guard_config *cfg)
{
	return cfg->proxy ? 407 : 401;
}

/*
 * The offered schemes as words for reasons and bodies: "Basic", or
 * "Digest SHA-256, Digest MD5, Basic" (one Digest challenge per
 * algorithm, RFC 7616 §3.7); "nothing (no scheme configured)" for an
 * open server.
 */
void guard_offered(const struct guard_config *cfg, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < cfg->num_schemes && used < cap; i++) {
		const char *name = auth_scheme_name(cfg->schemes[i]);
		bool digest = cfg->schemes[i] == AUTH_SCHEME_DIGEST;
		size_t na = digest && cfg->num_algs > 0 ? cfg->num_algs : 1;

		for (size_t a = 0; a < na && used < cap; a++) {
			const char *alg = digest && cfg->num_algs > 0
					      ? digest_alg_name(cfg->algs[a])
					      : NULL;
			int w = snprintf(out + used, cap - used, "%s%s%s%s",
					 i == 0 && a == 0 ? "" : ", ",
					 name ? name : "?", alg ? " " : "",
					 alg ? alg : "");

			if (w < 0)
				break;
			used += (size_t)w;
		}
	}
	if (cfg->num_schemes == 0)
		snprintf(out, cap, "nothing (no scheme configured)");
}

/* "proxy" or "server", for reasons. */
const char *guard_party(const struct guard_config *cfg)
{
	return cfg->proxy ? "proxy" : "server";
}

/* Nonce secret from RAND_bytes, an empty nonce-count table, no lock. */
enum http_err guard_state_init(struct guard_state *st, unsigned nonce_lifetime)
{
	digest_nc_init(&st->nc);
	memset(&st->nc_lock, 0, sizeof(st->nc_lock));
	return digest_nonce_key_init(&st->key, nonce_lifetime);
}

/* The shell's lock for the nonce-count step (guard_commit). */
void guard_state_set_lock(struct guard_state *st, void (*lock)(void *),
			  void (*unlock)(void *), void *arg)
{
	st->nc_lock.lock = lock;
	st->nc_lock.unlock = unlock;
	st->nc_lock.arg = arg;
}

/* ---- Verdicts ---- */

/* Set the verdict, the precise error, the field at fault and a reason. */
void guard_set_verdict(struct guard_result *r, enum guard_verdict v,
		       enum http_err err, const char *field, const char *fmt,
		       ...)
{
	va_list ap;

	r->verdict = v;
	r->err = err;
	text_set(r->field, sizeof(r->field), field);
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	r->detail = 0;
}

void guard_set_ok(struct guard_result *r, const char *user, const char *how)
{
	r->verdict = GUARD_OK;
	r->err = HTTP_OK;
	r->field[0] = '\0';
	TEXT_JOIN(r->reason, sizeof(r->reason), user, " authenticated (", how,
		  ")");
	r->detail = 0;
}

/*
 * GUARD_MALFORMED for the value of cfg's credentials field: the reason is
 * "Proxy-Authorization: " (or "Authorization: ") and the sentence, and
 * r->detail says where the sentence starts, so that a caller that names
 * the field itself need not read the reason to drop the name.
 */
void guard_set_malformed(struct guard_result *r, const struct guard_config *cfg,
			 enum http_err err, const char *field, const char *fmt,
			 ...)
{
	int n;
	va_list ap;

	r->verdict = GUARD_MALFORMED;
	r->err = err;
	text_set(r->field, sizeof(r->field), field);
	n = snprintf(r->reason, sizeof(r->reason),
		     "%s: ", guard_credentials_field(cfg));
	if (n < 0 || (size_t)n >= sizeof(r->reason))
		n = 0; /* cannot happen: the field names are short */
	r->detail = (size_t)n;
	va_start(ap, fmt);
	vsnprintf(r->reason + n, sizeof(r->reason) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* True when the configuration offers scheme s. */
bool guard_offers(const struct guard_config *cfg, enum auth_scheme s)
{
	for (size_t i = 0; i < cfg->num_schemes && i < GUARD_MAX_SCHEMES; i++)
		if (cfg->schemes[i] == s)
			return true;
	return false;
}

/* "Basic, Digest": the offered schemes, for reasons. */
static void offered_list(const struct guard_config *cfg, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < cfg->num_schemes && i < GUARD_MAX_SCHEMES; i++) {
		const char *n = auth_scheme_name(cfg->schemes[i]);
		int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "",
				 n ? n : "?");

		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
	if (used == 0)
		snprintf(out, cap, "nothing");
}

/* ---- Bearer (RFC 6750) ---- */

/*
 * Look the token up.  A bad token is GUARD_BAD; the caller re-challenges
 * with error="invalid_token" (RFC 6750 §3.1).
 */
static void check_bearer(const struct guard_config *cfg,
			 const struct auth_challenge *c, struct guard_result *r)
{
	char token[GUARD_MAX_TOKEN];
	size_t len = 0;
	enum http_err e;

	e = bearer_token(c, token, sizeof(token), &len);
	if (e != HTTP_OK) {
		guard_set_malformed(r, cfg, e, "", "Bearer token: %s",
				    http_strerror(e));
		goto done;
	}
	if (cfg->users == NULL) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_CONFIG, "",
				  "this %s has no token store",
				  guard_party(cfg));
		goto done;
	}
	e = users_check_token(cfg->users, token, r->user, sizeof(r->user));
	if (e == HTTP_OK)
		guard_set_ok(r, r->user, "Bearer");
	else
		guard_set_verdict(
		    r, GUARD_BAD, HTTP_E_BAD_PASSWORD, "",
		    "the Bearer token is not valid (invalid_token)");
done:
	OPENSSL_cleanse(token, sizeof(token));
}

/* ---- Deciding ---- */

/*
 * No credentials in our field.  RFC 9110 §11.7.2: a proxy reads
 * Proxy-Authorization; Authorization is for the origin and passes
 * through.  Say so when the client mixed them up.
 */
static void missing(const struct guard_config *cfg,
		    const struct http_request *req, struct guard_result *r)
{
	const char *other =
	    cfg->proxy ? "Authorization" : "Proxy-Authorization";

	if (http_header_find(req->headers, req->num_headers, other) == NULL) {
		guard_set_verdict(r, GUARD_MISSING, HTTP_E_AUTH_MISSING, "",
				  "%s missing", guard_credentials_field(cfg));
		return;
	}
	if (cfg->proxy)
		guard_set_verdict(
		    r, GUARD_MISSING, HTTP_E_AUTH_MISSING, "",
		    "Proxy-Authorization missing: credentials were "
		    "sent in Authorization, which is for the origin; a "
		    "proxy reads Proxy-Authorization (RFC 9110 "
		    "§11.7.2)");
	else
		guard_set_verdict(
		    r, GUARD_MISSING, HTTP_E_AUTH_MISSING, "",
		    "Authorization missing: credentials were sent in "
		    "Proxy-Authorization, which is for a proxy; an "
		    "origin reads Authorization (RFC 9110 §11.6.2)");
}

/*
 * A credentials field that does not even parse (RFC 9110 §11.4).  Name
 * what is wrong in the words of its scheme where we can: "Basic %%%" is
 * bad base64 to a student, not a grammar error.  The scheme is the one
 * the value starts with, read as the auth grammar reads it
 * (auth_scheme_of()).
 */
static void unparseable(const struct guard_config *cfg,
			const struct http_header *h, enum http_err e,
			struct guard_result *r)
{
	r->scheme = auth_scheme_of(h->value, h->value_len);
	if (r->scheme == AUTH_SCHEME_BASIC)
		guard_set_malformed(r, cfg, HTTP_E_BASE64, "",
				    "Basic credentials are not valid base64");
	else if (r->scheme == AUTH_SCHEME_BEARER)
		guard_set_malformed(r, cfg, HTTP_E_BEARER_TOKEN, "",
				    "Bearer credentials are not a valid token "
				    "(RFC 6750 §2.1)");
	else
		guard_set_verdict(
		    r, GUARD_MALFORMED, e, "", "%s cannot be parsed: %s",
		    guard_credentials_field(cfg), http_strerror(e));
}

/*
 * RFC 9110 §11.6.2, §11.7.2: the field is one credentials value, not a
 * list, so it may appear once (§5.3).  Two would let two readers of the
 * same request see two different users.  True, with the 400 in out, when
 * it appears more than once.
 */
static bool repeated(const struct guard_config *cfg,
		     const struct http_request *req, struct guard_result *out)
{
	const char *fname = guard_credentials_field(cfg);
	size_t n = http_header_count(req->headers, req->num_headers, fname);

	if (n <= 1)
		return false;
	guard_set_verdict(out, GUARD_MALFORMED, HTTP_E_AUTH_SYNTAX, "",
			  "%s appears %zu times; it holds one set of "
			  "credentials and may appear once (RFC 9110 §5.3)",
			  fname, n);
	return true;
}

/*
 * Which credentials to check: the first field whose scheme this side
 * offers (RFC 9110 §11.4), every field parsing.  False, with out set,
 * when there is none: a field that does not parse (400), no field at all
 * (missing()), or only schemes not offered (GUARD_WRONG_SCHEME, naming
 * the first one used).
 */
static bool choose_credentials(const struct guard_config *cfg,
			       const struct http_request *req,
			       struct auth_challenge *chosen,
			       struct guard_result *out)
{
	const char *fname = guard_credentials_field(cfg);
	const struct http_header *h;
	struct auth_challenge c;
	bool found = false, any = false;
	size_t pos = 0;
	char offer[64], used[64] = "";

	while ((h = http_header_next(req->headers, req->num_headers, fname,
				     &pos)) != NULL) {
		enum http_err e =
		    auth_parse_credentials(h->value, h->value_len, &c);

		any = true;
		if (e != HTTP_OK) {
			unparseable(cfg, h, e, out);
			return false;
		}
		if (!found && c.kind != AUTH_SCHEME_UNKNOWN &&
		    guard_offers(cfg, c.kind)) {
			*chosen = c;
			found = true;
		} else if (!found && out->scheme == AUTH_SCHEME_NONE) {
			out->scheme = c.kind;
			snprintf(used, sizeof(used), "%.*s", (int)c.scheme_len,
				 c.scheme);
		}
	}
	if (!any) {
		missing(cfg, req, out);
		return false;
	}
	if (!found) {
		offered_list(cfg, offer, sizeof(offer));
		guard_set_verdict(out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME,
				  "",
				  "%s uses %s, which this %s does not offer "
				  "(offered: %s)",
				  fname, used, guard_party(cfg), offer);
		return false;
	}
	return true;
}

/* The chosen credentials c, checked by their scheme's own rules. */
static void check_credentials(const struct guard_config *cfg,
			      struct digest_nonce_key *key,
			      const struct http_request *req,
			      const struct auth_challenge *c,
			      const struct guard_body *body, uint64_t now,
			      struct guard_result *out)
{
	const char *fname = guard_credentials_field(cfg);

	out->scheme = c->kind;
	switch (c->kind) {
	case AUTH_SCHEME_BASIC:
		guard_basic_check(cfg, c, now, out);
		break;
	case AUTH_SCHEME_BEARER:
		check_bearer(cfg, c, out);
		break;
	case AUTH_SCHEME_DIGEST:
		guard_digest_check(cfg, key, req, c, body, now, out);
		break;
	case AUTH_SCHEME_NTLM:
	case AUTH_SCHEME_NEGOTIATE:
		/* Connection-bound: the caller holds the connection's state
		 * (proxy_conn_authenticate() in proxy/gate_conn.c). */
		guard_set_verdict(
		    out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME, "",
		    "%s uses %s, which authenticates a connection, and "
		    "this %s has no connection state for it",
		    fname, auth_scheme_name(c->kind), guard_party(cfg));
		break;
	default:
		guard_set_verdict(out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME,
				  "", "%s uses a scheme this %s does not know",
				  fname, guard_party(cfg));
		break;
	}
}

/*
 * The slow step; see guard.h.  The field named guard_credentials_field()
 * may appear once: twice is a 400, as is a value that does not parse; a
 * scheme we did not offer is GUARD_WRONG_SCHEME.
 */
void guard_verify(const struct guard_config *cfg, struct digest_nonce_key *key,
		  const struct http_request *req, const struct guard_body *body,
		  uint64_t now, struct guard_result *out)
{
	struct auth_challenge chosen;

	memset(out, 0, sizeof(*out));
	out->verdict = GUARD_MALFORMED; /* default deny */
	out->err = HTTP_E_AUTH_SYNTAX;
	out->scheme = AUTH_SCHEME_NONE;
	if (repeated(cfg, req, out) ||
	    !choose_credentials(cfg, req, &chosen, out))
		return;
	check_credentials(cfg, key, req, &chosen, body, now, out);
}

/*
 * The fast step; see guard.h.  RFC 7616 §3.4: the nonce count is checked
 * and recorded in one step under the shell's lock, and only for an answer
 * that verified.
 */
void guard_commit(struct guard_state *st, struct guard_result *r)
{
	enum http_err e;

	if (r->verdict != GUARD_PENDING)
		return;
	if (!r->pending.nc) {
		r->verdict = GUARD_OK;
		return;
	}
	if (st->nc_lock.lock != NULL)
		st->nc_lock.lock(st->nc_lock.arg);
	e = digest_nc_check(&st->nc, r->pending.serial, r->pending.count);
	if (st->nc_lock.unlock != NULL)
		st->nc_lock.unlock(st->nc_lock.arg);
	r->pending.nc = false;
	if (e == HTTP_OK) {
		r->verdict = GUARD_OK;
		return;
	}
	r->info[0] = '\0';
	if (e == HTTP_E_DIGEST_STALE)
		/* field "nc": the count table, not the clock, made it stale */
		guard_set_verdict(
		    r, GUARD_STALE, HTTP_E_DIGEST_STALE, "nc",
		    "the Digest nonce is no longer tracked (the "
		    "nonce-count table made room for newer ones), so "
		    "it is stale; the response was right, so retry "
		    "with a new nonce");
	else
		guard_set_verdict(
		    r, GUARD_REPLAY, HTTP_E_DIGEST_NC, "nc",
		    "Digest nonce count %08x was replayed or went "
		    "backwards for this nonce",
		    (unsigned)r->pending.count);
}

/* Authenticate one request: verify, then commit (see guard.h). */
void guard_check_body(const struct guard_config *cfg, struct guard_state *st,
		      const struct http_request *req,
		      const struct guard_body *body, uint64_t now,
		      struct guard_result *out)
{
	guard_verify(cfg, &st->key, req, body, now, out);
	guard_commit(st, out);
}

/* The same with the whole body in memory (or NULL: not read). */
void guard_check(const struct guard_config *cfg, struct guard_state *st,
		 const struct http_request *req, const void *body,
		 size_t body_len, uint64_t now, struct guard_result *out)
{
	struct guard_body b = {body, body_len, NULL};

	guard_check_body(cfg, st, req, &b, now, out);
}

/* The one credentials field is Basic, offered and remembered. */
bool guard_remembered(const struct guard_config *cfg,
		      const struct http_request *req, uint64_t now)
{
	const char *fname = guard_credentials_field(cfg);
	const struct http_header *h;
	struct auth_challenge c;

	if (cfg->creds == NULL ||
	    http_header_count(req->headers, req->num_headers, fname) != 1)
		return false;
	h = http_header_find(req->headers, req->num_headers, fname);
	if (h == NULL ||
	    auth_parse_credentials(h->value, h->value_len, &c) != HTTP_OK ||
	    c.kind != AUTH_SCHEME_BASIC || !guard_offers(cfg, c.kind))
		return false;
	return guard_basic_remembered(cfg, &c, now);
}

/*
 * Does req answer with Digest qop=auth-int, and with which algorithm?
 * The first credentials field whose scheme we offer decides, as in
 * guard_verify().
 */
bool guard_body_alg(const struct guard_config *cfg,
		    const struct http_request *req, enum digest_alg *alg)
{
	const char *fname = guard_credentials_field(cfg);
	const struct http_header *h;
	struct auth_challenge c;
	char v[DIGEST_MAX_FIELD];
	size_t pos = 0;

	while ((h = http_header_next(req->headers, req->num_headers, fname,
				     &pos)) != NULL) {
		if (auth_parse_credentials(h->value, h->value_len, &c) !=
		    HTTP_OK)
			return false;
		if (c.kind == AUTH_SCHEME_UNKNOWN || !guard_offers(cfg, c.kind))
			continue;
		if (c.kind != AUTH_SCHEME_DIGEST ||
		    auth_get(&c, "qop", v, sizeof(v)) != HTTP_OK ||
		    strcasecmp(v, "auth-int") != 0)
			return false;
		*alg = DIGEST_MD5; /* RFC 7616 §3.3: absent means MD5 */
		if (auth_get(&c, "algorithm", v, sizeof(v)) == HTTP_OK &&
		    !digest_alg_parse(v, strlen(v), alg))
			return false;
		return true;
	}
	return false;
}
