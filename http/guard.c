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
 * then check_basic() and check_bearer() above it, and Digest in
 * http/guard_digest.c (guard_digest_check()).
 */
#define _POSIX_C_SOURCE 200809L

#include "guard.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "basic.h"
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

/* ---- Basic (RFC 7617) ---- */

/*
 * The verified-credentials cache (http/credcache.h): the tag of these
 * credentials against the stored secret they are checked with; false
 * when there is no cache.  Only an htpasswd store is slow on purpose
 * (bcrypt, SHA-crypt, $apr1$); a plain or htdigest check costs less than
 * the HMAC.
 */
static bool creds_tag(const struct guard_config *cfg,
		      const struct basic_creds *bc,
		      unsigned char tag[CREDCACHE_TAG_LEN])
{
	return cfg->creds != NULL && cfg->users != NULL &&
	       cfg->users->kind == USERS_HTPASSWD &&
	       credcache_tag(cfg->creds, bc->user, bc->pass, bc->pass_len,
			     users_password_setting(cfg->users, bc->user), tag);
}

/* Were these credentials verified less than the cache's TTL ago? */
static bool creds_seen(const struct guard_config *cfg,
		       const struct basic_creds *bc, uint64_t now)
{
	unsigned char tag[CREDCACHE_TAG_LEN];
	bool hit;

	if (!creds_tag(cfg, bc, tag))
		return false;
	if (cfg->creds_lock.lock != NULL)
		cfg->creds_lock.lock(cfg->creds_lock.arg);
	hit = credcache_seen(cfg->creds, tag, now);
	if (cfg->creds_lock.unlock != NULL)
		cfg->creds_lock.unlock(cfg->creds_lock.arg);
	return hit;
}

/* They were just verified: remember them (successes only). */
static void creds_remember(const struct guard_config *cfg,
			   const struct basic_creds *bc, uint64_t now)
{
	unsigned char tag[CREDCACHE_TAG_LEN];

	if (!creds_tag(cfg, bc, tag))
		return;
	if (cfg->creds_lock.lock != NULL)
		cfg->creds_lock.lock(cfg->creds_lock.arg);
	credcache_remember(cfg->creds, tag, now);
	if (cfg->creds_lock.unlock != NULL)
		cfg->creds_lock.unlock(cfg->creds_lock.arg);
}

/*
 * Decode user:password and check it against the store in constant time,
 * or find it among the credentials verified in the last TTL seconds
 * (cfg->creds).  The decoded password is wiped before returning.
 */
static void check_basic(const struct guard_config *cfg,
			const struct auth_challenge *c, uint64_t now,
			struct guard_result *r)
{
	const char *fname = guard_credentials_field(cfg);
	struct basic_creds bc;
	enum http_err e;

	e = basic_decode(c, &bc);
	if (e == HTTP_E_BASE64) {
		guard_set_verdict(r, GUARD_MALFORMED, e, "",
				  "%s: Basic credentials are not valid base64",
				  fname);
		goto done;
	}
	if (e != HTTP_OK) {
		guard_set_verdict(r, GUARD_MALFORMED, e, "",
				  "%s: Basic credentials: %s", fname,
				  http_strerror(e));
		goto done;
	}
	text_set(r->user, sizeof(r->user), bc.user);
	if (cfg->users == NULL) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_CONFIG, "",
				  "this %s has no user store",
				  guard_party(cfg));
		goto done;
	}
	if (creds_seen(cfg, &bc, now)) {
		guard_set_verdict(r, GUARD_OK, HTTP_OK, "",
				  "%s authenticated (Basic, verified earlier)",
				  bc.user);
		goto done;
	}
	e = users_check_password(cfg->users, bc.user, bc.pass, bc.pass_len);
	if (e == HTTP_OK)
		creds_remember(cfg, &bc, now);
	if (e == HTTP_OK)
		guard_set_verdict(r, GUARD_OK, HTTP_OK, "",
				  "%s authenticated (Basic)", bc.user);
	else if (e == HTTP_E_BAD_USER)
		guard_set_verdict(r, GUARD_BAD, e, "", "unknown user \"%s\"",
				  bc.user);
	else if (e == HTTP_E_BAD_PASSWORD)
		guard_set_verdict(r, GUARD_BAD, e, "",
				  "wrong password for \"%s\"", bc.user);
	else
		guard_set_verdict(r, GUARD_BAD, e, "",
				  "cannot check \"%s\": %s", bc.user,
				  http_strerror(e));
done:
	basic_creds_wipe(&bc);
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
		guard_set_verdict(
		    r, GUARD_MALFORMED, e, "", "%s: Bearer token: %s",
		    guard_credentials_field(cfg), http_strerror(e));
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
		guard_set_verdict(r, GUARD_OK, HTTP_OK, "",
				  "%s authenticated (Bearer)", r->user);
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
 * bad base64 to a student, not a grammar error.
 */
static void unparseable(const struct guard_config *cfg,
			const struct http_header *h, enum http_err e,
			struct guard_result *r)
{
	const char *fname = guard_credentials_field(cfg);
	size_t n = 0;

	while (n < h->value_len && http_is_tchar((unsigned char)h->value[n]))
		n++;
	r->scheme = auth_scheme_from(h->value, n);
	if (r->scheme == AUTH_SCHEME_BASIC)
		guard_set_verdict(r, GUARD_MALFORMED, HTTP_E_BASE64, "",
				  "%s: Basic credentials are not valid base64",
				  fname);
	else if (r->scheme == AUTH_SCHEME_BEARER)
		guard_set_verdict(
		    r, GUARD_MALFORMED, HTTP_E_BEARER_TOKEN, "",
		    "%s: Bearer credentials are not a valid token "
		    "(RFC 6750 §2.1)",
		    fname);
	else
		guard_set_verdict(r, GUARD_MALFORMED, e, "",
				  "%s cannot be parsed: %s", fname,
				  http_strerror(e));
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
	const char *fname = guard_credentials_field(cfg);
	const struct http_header *h;
	struct auth_challenge c, chosen;
	bool found = false, any = false;
	size_t pos = 0;
	char offer[64], used[64] = "";

	memset(out, 0, sizeof(*out));
	out->verdict = GUARD_MALFORMED; /* default deny */
	out->err = HTTP_E_AUTH_SYNTAX;
	out->scheme = AUTH_SCHEME_NONE;

	/* RFC 9110 §11.6.2, §11.7.2: the field is one credentials value,
	 * not a list, so it may appear once (§5.3).  Two would let two
	 * readers of the same request see two different users. */
	if (http_header_count(req->headers, req->num_headers, fname) > 1) {
		guard_set_verdict(
		    out, GUARD_MALFORMED, HTTP_E_AUTH_SYNTAX, "",
		    "%s appears %zu times; it holds one set of "
		    "credentials and may appear once (RFC 9110 §5.3)",
		    fname,
		    http_header_count(req->headers, req->num_headers, fname));
		return;
	}

	while ((h = http_header_next(req->headers, req->num_headers, fname,
				     &pos)) != NULL) {
		enum http_err e =
		    auth_parse_credentials(h->value, h->value_len, &c);

		any = true;
		if (e != HTTP_OK) {
			unparseable(cfg, h, e, out);
			return;
		}
		if (!found && c.kind != AUTH_SCHEME_UNKNOWN &&
		    guard_offers(cfg, c.kind)) {
			chosen = c;
			found = true;
		} else if (!found && out->scheme == AUTH_SCHEME_NONE) {
			out->scheme = c.kind;
			snprintf(used, sizeof(used), "%.*s", (int)c.scheme_len,
				 c.scheme);
		}
	}
	if (!any) {
		missing(cfg, req, out);
		return;
	}
	if (!found) {
		offered_list(cfg, offer, sizeof(offer));
		guard_set_verdict(out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME,
				  "",
				  "%s uses %s, which this %s does not offer "
				  "(offered: %s)",
				  fname, used, guard_party(cfg), offer);
		return;
	}
	out->scheme = chosen.kind;
	switch (chosen.kind) {
	case AUTH_SCHEME_BASIC:
		check_basic(cfg, &chosen, now, out);
		break;
	case AUTH_SCHEME_BEARER:
		check_bearer(cfg, &chosen, out);
		break;
	case AUTH_SCHEME_DIGEST:
		guard_digest_check(cfg, key, req, &chosen, body, now, out);
		break;
	case AUTH_SCHEME_NTLM:
	case AUTH_SCHEME_NEGOTIATE:
		/* Connection-bound: the caller holds the connection's state
		 * (proxy_decide_conn() in proxy/gate.c). */
		guard_set_verdict(
		    out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME, "",
		    "%s uses %s, which authenticates a connection, and "
		    "this %s has no connection state for it",
		    fname, auth_scheme_name(chosen.kind), guard_party(cfg));
		break;
	default:
		guard_set_verdict(out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME,
				  "", "%s uses a scheme this %s does not know",
				  fname, guard_party(cfg));
		break;
	}
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
	struct basic_creds bc;
	bool hit = false;

	if (cfg->creds == NULL ||
	    http_header_count(req->headers, req->num_headers, fname) != 1)
		return false;
	h = http_header_find(req->headers, req->num_headers, fname);
	if (h == NULL ||
	    auth_parse_credentials(h->value, h->value_len, &c) != HTTP_OK ||
	    c.kind != AUTH_SCHEME_BASIC || !guard_offers(cfg, c.kind))
		return false;
	if (basic_decode(&c, &bc) == HTTP_OK)
		hit = creds_seen(cfg, &bc, now);
	basic_creds_wipe(&bc);
	return hit;
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

/* ---- Challenging ---- */

/*
 * One Digest challenge (RFC 7616 §3.3): realm, qop, algorithm, nonce,
 * opaque, charset=UTF-8, userhash, stale.
 */
static bool digest_challenge(const struct guard_config *cfg, enum digest_alg a,
			     const char *nonce, bool stale, struct http_buf *v)
{
	const char *qop = NULL;

	if ((cfg->qops & DIGEST_QOP_AUTH) && (cfg->qops & DIGEST_QOP_AUTH_INT))
		qop = "auth, auth-int";
	else if (cfg->qops & DIGEST_QOP_AUTH)
		qop = "auth";
	else if (cfg->qops & DIGEST_QOP_AUTH_INT)
		qop = "auth-int";
	return http_buf_puts(v, "Digest ") &&
	       auth_write_param(v, true, "realm", cfg->realm, true) &&
	       (qop == NULL || auth_write_param(v, false, "qop", qop, true)) &&
	       auth_write_param(v, false, "algorithm", digest_alg_name(a),
				false) &&
	       auth_write_param(v, false, "nonce", nonce, true) &&
	       (cfg->opaque[0] == '\0' ||
		auth_write_param(v, false, "opaque", cfg->opaque, true)) &&
	       auth_write_param(v, false, "charset", "UTF-8", false) &&
	       (!cfg->userhash ||
		auth_write_param(v, false, "userhash", "true", false)) &&
	       (!stale || auth_write_param(v, false, "stale", "true", false));
}

/* True when algs[j] already appeared in algs[0..j): one challenge each. */
static bool seen_before(const enum digest_alg *algs, size_t j)
{
	for (size_t i = 0; i < j; i++)
		if (algs[i] == algs[j])
			return true;
	return false;
}

/* Write the value in v as one "Name: value\r\n" line. */
static bool emit(const struct guard_config *cfg, const struct http_buf *v,
		 struct http_buf *out)
{
	return !v->failed && v->data != NULL &&
	       http_write_header(out, guard_challenge_field(cfg), v->data,
				 v->len);
}

/*
 * One challenge line per offered scheme, in order; Digest one per
 * algorithm, in cfg->algs order, all sharing one fresh nonce (RFC 9110
 * §11.4: a client picks what it considers the most secure scheme it
 * understands; RFC 7616 §3.7: the first Digest one it supports).
 */
bool guard_write_challenges(const struct guard_config *cfg,
			    struct guard_state *st, uint64_t now, bool stale,
			    const char *bearer_error, struct http_buf *out)
{
	static const enum digest_alg md5_only[] = {DIGEST_MD5};
	const enum digest_alg *algs = cfg->num_algs ? cfg->algs : md5_only;
	size_t num_algs = cfg->num_algs ? cfg->num_algs : 1;
	char nonce[GUARD_MAX_NONCE] = "";
	struct http_buf v;
	bool ok = true;

	if (guard_offers(cfg, AUTH_SCHEME_DIGEST) &&
	    digest_nonce_make(&st->key, now, nonce, sizeof(nonce)) != HTTP_OK)
		return false;
	if (num_algs > DIGEST_ALG_COUNT)
		num_algs = DIGEST_ALG_COUNT;
	http_buf_init(&v, 0);
	for (size_t i = 0; ok && i < cfg->num_schemes && i < GUARD_MAX_SCHEMES;
	     i++) {
		switch (cfg->schemes[i]) {
		case AUTH_SCHEME_BASIC:
			http_buf_reset(&v);
			ok = basic_write_challenge(&v, cfg->realm) &&
			     emit(cfg, &v, out);
			break;
		case AUTH_SCHEME_BEARER:
			http_buf_reset(&v);
			ok = bearer_write_challenge(
				 &v, cfg->realm, bearer_error,
				 bearer_error ? "the access token is not "
						"valid"
					      : NULL) &&
			     emit(cfg, &v, out);
			break;
		case AUTH_SCHEME_DIGEST:
			for (size_t j = 0; ok && j < num_algs; j++) {
				if (seen_before(algs, j))
					continue;
				http_buf_reset(&v);
				ok = digest_challenge(cfg, algs[j], nonce,
						      stale, &v) &&
				     emit(cfg, &v, out);
			}
			break;
		case AUTH_SCHEME_NTLM:
		case AUTH_SCHEME_NEGOTIATE:
			/* MS-NLMP over HTTP, RFC 4559 §4.1: the bare scheme
			 * starts the handshake; its tokens come later. */
			http_buf_reset(&v);
			ok = http_buf_puts(&v,
					   auth_scheme_name(cfg->schemes[i])) &&
			     emit(cfg, &v, out);
			break;
		default:
			ok = false;
			break;
		}
	}
	http_buf_free(&v);
	return ok && !out->failed;
}
