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
 * then check_basic(), check_bearer() and check_digest() above it.
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

#define GUARD_MAX_NONCE 128    /* our nonces are 56 characters */
#define GUARD_NC_DIGITS 8      /* nc = 8LHEX (RFC 7616 §3.4) */
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
			const char *alg =
			    digest && cfg->num_algs > 0
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
static const char *party(const struct guard_config *cfg)
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
static void set_verdict(struct guard_result *r, enum guard_verdict v,
			enum http_err err, const char *field, const char *fmt,
			...) __attribute__((format(printf, 5, 6)));

static void set_verdict(struct guard_result *r, enum guard_verdict v,
			enum http_err err, const char *field, const char *fmt,
			...)
{
	va_list ap;

	r->verdict = v;
	r->err = err;
	snprintf(r->field, sizeof(r->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* True when the configuration offers scheme s. */
static bool offers(const struct guard_config *cfg, enum auth_scheme s)
{
	for (size_t i = 0; i < cfg->num_schemes && i < GUARD_MAX_SCHEMES; i++)
		if (cfg->schemes[i] == s)
			return true;
	return false;
}

/* "Basic, Digest": the offered schemes, for reasons. */
static void offered_list(const struct guard_config *cfg, char *out,
			 size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < cfg->num_schemes && i < GUARD_MAX_SCHEMES; i++) {
		const char *n = auth_scheme_name(cfg->schemes[i]);
		int w = snprintf(out + used, cap - used, "%s%s",
				 i ? ", " : "", n ? n : "?");

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
			     users_password_setting(cfg->users, bc->user),
			     tag);
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
		set_verdict(r, GUARD_MALFORMED, e, "",
			    "%s: Basic credentials are not valid base64",
			    fname);
		goto done;
	}
	if (e != HTTP_OK) {
		set_verdict(r, GUARD_MALFORMED, e, "", "%s: Basic credentials: %s",
			    fname, http_strerror(e));
		goto done;
	}
	snprintf(r->user, sizeof(r->user), "%s", bc.user);
	if (cfg->users == NULL) {
		set_verdict(r, GUARD_BAD, HTTP_E_CONFIG, "",
			    "this %s has no user store", party(cfg));
		goto done;
	}
	if (creds_seen(cfg, &bc, now)) {
		set_verdict(r, GUARD_OK, HTTP_OK, "",
			    "%s authenticated (Basic, verified earlier)",
			    bc.user);
		goto done;
	}
	e = users_check_password(cfg->users, bc.user, bc.pass, bc.pass_len);
	if (e == HTTP_OK)
		creds_remember(cfg, &bc, now);
	if (e == HTTP_OK)
		set_verdict(r, GUARD_OK, HTTP_OK, "", "%s authenticated (Basic)",
			    bc.user);
	else if (e == HTTP_E_BAD_USER)
		set_verdict(r, GUARD_BAD, e, "", "unknown user \"%s\"",
			    bc.user);
	else if (e == HTTP_E_BAD_PASSWORD)
		set_verdict(r, GUARD_BAD, e, "", "wrong password for \"%s\"",
			    bc.user);
	else
		set_verdict(r, GUARD_BAD, e, "", "cannot check \"%s\": %s",
			    bc.user, http_strerror(e));
done:
	basic_creds_wipe(&bc);
}

/* ---- Bearer (RFC 6750) ---- */

/*
 * Look the token up.  A bad token is GUARD_BAD; the caller re-challenges
 * with error="invalid_token" (RFC 6750 §3.1).
 */
static void check_bearer(const struct guard_config *cfg,
			 const struct auth_challenge *c,
			 struct guard_result *r)
{
	char token[GUARD_MAX_TOKEN];
	size_t len = 0;
	enum http_err e;

	e = bearer_token(c, token, sizeof(token), &len);
	if (e != HTTP_OK) {
		set_verdict(r, GUARD_MALFORMED, e, "",
			    "%s: Bearer token: %s",
			    guard_credentials_field(cfg), http_strerror(e));
		goto done;
	}
	if (cfg->users == NULL) {
		set_verdict(r, GUARD_BAD, HTTP_E_CONFIG, "",
			    "this %s has no token store", party(cfg));
		goto done;
	}
	e = users_check_token(cfg->users, token, r->user, sizeof(r->user));
	if (e == HTTP_OK)
		set_verdict(r, GUARD_OK, HTTP_OK, "",
			    "%s authenticated (Bearer)", r->user);
	else
		set_verdict(r, GUARD_BAD, HTTP_E_BAD_PASSWORD, "",
			    "the Bearer token is not valid (invalid_token)");
done:
	OPENSSL_cleanse(token, sizeof(token));
}

/* ---- Digest (RFC 7616) ---- */

/* The fields of one Digest credentials value (RFC 7616 §3.4). */
struct digest_fields {
	char username[DIGEST_MAX_FIELD];
	char realm[DIGEST_MAX_FIELD];
	char nonce[DIGEST_MAX_FIELD];
	char uri[HTTP_MAX_TARGET_BYTES + 1];
	char response[DIGEST_MAX_FIELD];
	char algorithm[DIGEST_MAX_FIELD];
	char qop[DIGEST_MAX_FIELD];
	char nc[DIGEST_MAX_FIELD];
	char cnonce[DIGEST_MAX_FIELD];
	char userhash[DIGEST_MAX_FIELD];
	bool has_algorithm, has_qop, has_userhash, has_cnonce;
};

/*
 * Copy one param.  A missing required one or one too long is
 * GUARD_MALFORMED naming the field; returns false then.  *present tells
 * an optional one was there.
 */
static bool get_param(const struct guard_config *cfg,
		      const struct auth_challenge *c, const char *name,
		      bool required, char *out, size_t cap, bool *present,
		      struct guard_result *r)
{
	enum http_err e = auth_get(c, name, out, cap);

	if (present)
		*present = e == HTTP_OK;
	if (e == HTTP_OK)
		return true;
	if (e == HTTP_E_AUTH_MISSING && !required)
		return true;
	if (e == HTTP_E_AUTH_MISSING)
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, name,
			    "%s: Digest field %s is missing",
			    guard_credentials_field(cfg), name);
	else
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, name,
			    "%s: Digest field %s is too long or malformed",
			    guard_credentials_field(cfg), name);
	return false;
}

/* Read every field, the required ones first (RFC 7616 §3.4). */
static bool read_fields(const struct guard_config *cfg,
			const struct auth_challenge *c,
			struct digest_fields *f, struct guard_result *r)
{
	const char *fname = guard_credentials_field(cfg);

	if (c->token68 != NULL) {
		set_verdict(r, GUARD_MALFORMED, HTTP_E_AUTH_SYNTAX, "",
			    "%s: Digest credentials must be name=value pairs",
			    fname);
		return false;
	}
	if (auth_param_find(c, "username") == NULL &&
	    auth_param_find(c, "username*") != NULL) {
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "username",
			    "%s: Digest field username* (RFC 8187 encoding) is "
			    "not supported here; send username",
			    fname);
		return false;
	}
	return get_param(cfg, c, "username", true, f->username,
			 sizeof(f->username), NULL, r) &&
	       get_param(cfg, c, "realm", true, f->realm, sizeof(f->realm),
			 NULL, r) &&
	       get_param(cfg, c, "nonce", true, f->nonce, sizeof(f->nonce),
			 NULL, r) &&
	       get_param(cfg, c, "uri", true, f->uri, sizeof(f->uri), NULL,
			 r) &&
	       get_param(cfg, c, "response", true, f->response,
			 sizeof(f->response), NULL, r) &&
	       get_param(cfg, c, "algorithm", false, f->algorithm,
			 sizeof(f->algorithm), &f->has_algorithm, r) &&
	       get_param(cfg, c, "qop", false, f->qop, sizeof(f->qop),
			 &f->has_qop, r) &&
	       get_param(cfg, c, "userhash", false, f->userhash,
			 sizeof(f->userhash), &f->has_userhash, r) &&
	       (!f->has_qop ||
		(get_param(cfg, c, "nc", true, f->nc, sizeof(f->nc), NULL,
			   r) &&
		 get_param(cfg, c, "cnonce", true, f->cnonce,
			   sizeof(f->cnonce), NULL, r))) &&
	       get_param(cfg, c, "cnonce", false, f->cnonce, sizeof(f->cnonce),
			 &f->has_cnonce, r);
}

/* The algorithms this configuration offers (none configured: MD5). */
static bool alg_offered(const struct guard_config *cfg, enum digest_alg a)
{
	if (cfg->num_algs == 0)
		return a == DIGEST_MD5;
	for (size_t i = 0; i < cfg->num_algs && i < DIGEST_ALG_COUNT; i++)
		if (cfg->algs[i] == a)
			return true;
	return false;
}

/*
 * Parse nc = 8LHEX (RFC 7616 §3.4): exactly eight lowercase hex digits.
 * "0000000A", "1" or "0x000001" are not a nonce count: a syntax error,
 * never a wrong password.
 */
static bool parse_nc(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		unsigned d;

		if (i >= GUARD_NC_DIGITS)
			return false;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return i == GUARD_NC_DIGITS;
}

/* Response: exactly n hex digits; lowercased in place. */
static bool response_ok(char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] >= 'A' && s[i] <= 'F')
			s[i] = (char)(s[i] - 'A' + 'a');
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return i == n;
}

/*
 * Check the parts that need no secret: algorithm and qop offered, uri is
 * the request-target, response has the right length.  All of these are
 * syntax errors (400), RFC 7616 §3.4.6 for the uri.
 */
static bool check_digest_syntax(const struct guard_config *cfg,
				const struct http_request *req,
				struct digest_fields *f,
				struct digest_input *in,
				struct guard_result *r)
{
	const char *fname = guard_credentials_field(cfg);

	/* RFC 7616 §3.3: no algorithm means MD5. */
	in->alg = DIGEST_MD5;
	if (f->has_algorithm &&
	    !digest_alg_parse(f->algorithm, strlen(f->algorithm), &in->alg)) {
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_ALGORITHM,
			    "algorithm",
			    "%s: Digest algorithm %s is not known", fname,
			    f->algorithm);
		return false;
	}
	if (!alg_offered(cfg, in->alg)) {
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_ALGORITHM,
			    "algorithm",
			    "%s: Digest algorithm %s was not offered by this %s",
			    fname, digest_alg_name(in->alg), party(cfg));
		return false;
	}

	in->qop = DIGEST_QOP_NONE;
	if (f->has_qop) {
		if (strcasecmp(f->qop, "auth") == 0) {
			in->qop = DIGEST_QOP_AUTH;
		} else if (strcasecmp(f->qop, "auth-int") == 0) {
			in->qop = DIGEST_QOP_AUTH_INT;
		} else {
			set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_QOP, "qop",
				    "%s: Digest qop %s is not known", fname,
				    f->qop);
			return false;
		}
		if ((cfg->qops & in->qop) == 0) {
			set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_QOP, "qop",
				    "%s: Digest qop %s was not offered by this %s",
				    fname, f->qop, party(cfg));
			return false;
		}
		if (!parse_nc(f->nc, &in->nc)) {
			set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "nc",
				    "%s: Digest nc must be 8 lowercase hex digits "
				    "(8LHEX, RFC 7616 §3.4), not \"%s\"",
				    fname, f->nc);
			return false;
		}
		in->cnonce = f->cnonce;
	} else if (cfg->qops != 0) {
		/* Dropping qop would fall back to RFC 2069: no downgrade. */
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_QOP, "qop",
			    "%s: Digest field qop is missing (this %s offered "
			    "qop)",
			    fname, party(cfg));
		return false;
	} else if (digest_alg_is_sess(in->alg)) {
		/* A -sess A1 needs a cnonce even without qop (RFC 2617
		 * §3.2.2.2); lab407's client sends one. */
		if (!f->has_cnonce) {
			set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD,
				    "cnonce",
				    "%s: Digest field cnonce is missing (%s "
				    "needs it)",
				    fname, digest_alg_name(in->alg));
			return false;
		}
		in->cnonce = f->cnonce;
	}

	/* RFC 7616 §3.4.6: uri must be the request-target (the authority
	 * for CONNECT, which is its request-target). */
	if (strlen(f->uri) != req->target_len ||
	    memcmp(f->uri, req->target, req->target_len) != 0) {
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_URI, "uri",
			    "%s: Digest uri \"%s\" is not the request-target "
			    "\"%.*s\" (RFC 7616 §3.4.6)",
			    fname, f->uri, (int)req->target_len, req->target);
		return false;
	}
	if (!response_ok(f->response, digest_hex_len(in->alg))) {
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_RESPONSE,
			    "response",
			    "%s: Digest response must be %zu hex digits for %s",
			    fname, digest_hex_len(in->alg),
			    digest_alg_name(in->alg));
		return false;
	}
	if (f->has_userhash && strcasecmp(f->userhash, "true") != 0 &&
	    strcasecmp(f->userhash, "false") != 0) {
		set_verdict(r, GUARD_MALFORMED, HTTP_E_DIGEST_FIELD, "userhash",
			    "%s: Digest userhash must be true or false", fname);
		return false;
	}
	return true;
}

/*
 * Fill Authentication-Info after a good Digest answer (RFC 7616 §3.5):
 * a fresh nextnonce, and rspauth proving the server knows HA1, with the
 * qop the client used (§3.5: the server SHOULD use the same value).
 * After qop=auth-int the rspauth would have to cover H(response body),
 * which is not known when the head is written (a proxy relays a body it
 * has not seen yet), so only nextnonce is sent: no rspauth at all rather
 * than one that claims less than the client asked for (design choice).
 */
static void write_info(struct digest_nonce_key *key, uint64_t now,
		       const struct digest_input *in, struct guard_result *r)
{
	char next[GUARD_MAX_NONCE], rsp[DIGEST_HEX_MAX + 1], ncs[16];
	struct digest_input ri = *in;
	struct http_buf v;
	bool ok;

	r->info[0] = '\0';
	if (digest_nonce_make(key, now, next, sizeof(next)) != HTTP_OK)
		return;
	/* Every value goes through the one quoted-string writer: the
	 * cnonce is the client's and may hold '"' or '\' (RFC 9110 §5.6.4). */
	http_buf_init(&v, sizeof(r->info) - 1);
	ok = auth_write_param(&v, true, "nextnonce", next, true);
	if (ok && in->qop == DIGEST_QOP_AUTH) {
		snprintf(ncs, sizeof(ncs), "%08x", (unsigned)in->nc);
		ok = digest_rspauth(&ri, rsp) == HTTP_OK &&
		     auth_write_param(&v, false, "qop", "auth", false) &&
		     auth_write_param(&v, false, "rspauth", rsp, true) &&
		     auth_write_param(&v, false, "cnonce", in->cnonce, true) &&
		     auth_write_param(&v, false, "nc", ncs, false);
	}
	if (ok && !v.failed && v.data != NULL)
		snprintf(r->info, sizeof(r->info), "%s", v.data);
	http_buf_free(&v);
}

/*
 * Where H(entity-body) comes from for qop=auth-int: the hash made as the
 * body streamed, the body in memory, or, when neither was given, an empty
 * body only if the request really has none (RFC 9112 §6.3).  False, with
 * the verdict set, when the body exists but was not read.
 */
static bool auth_int_body(const struct guard_config *cfg,
			  const struct http_request *req,
			  const struct guard_body *body, struct digest_input *in,
			  struct guard_result *r)
{
	struct http_body_info info;

	if (body != NULL && body->hash != NULL) {
		in->body_hash = body->hash;
		return true;
	}
	if (body != NULL && body->data != NULL) {
		in->body = body->data;
		in->body_len = body->len;
		return true;
	}
	if (http_request_framing(req, &info) == HTTP_OK &&
	    (info.framing == HTTP_BODY_NONE ||
	     (info.framing == HTTP_BODY_LENGTH && info.length == 0)))
		return true;
	set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
		    "qop=auth-int covers the request body, which this %s had "
		    "not read when it checked the credentials",
		    party(cfg));
	return false;
}

/*
 * The Digest check, in the order that leaks least: syntax, realm, is the
 * nonce ours, the response (needs the secret), then staleness.  The
 * nonce count is left pending for guard_commit(), so a forger cannot burn
 * counts (RFC 7616 §3.4, §5.5).
 *
 * An unknown user costs what a known one does: HA1 comes from a dummy
 * entry of the store (users_digest_ha1) and the response is computed and
 * compared all the same; only then is the verdict "unknown user".
 */
static void check_digest(const struct guard_config *cfg,
			 struct digest_nonce_key *key,
			 const struct http_request *req,
			 const struct auth_challenge *c,
			 const struct guard_body *body, uint64_t now,
			 struct guard_result *r)
{
	struct digest_fields f;
	struct digest_input in;
	char ha1[DIGEST_HEX_MAX + 1], want[DIGEST_HEX_MAX + 1];
	char method[DIGEST_MAX_FIELD];
	bool userhash, stale = false, known = true, same;
	uint64_t serial = 0;
	enum http_err e;

	memset(&f, 0, sizeof(f));
	memset(&in, 0, sizeof(in));
	ha1[0] = '\0';
	want[0] = '\0';
	if (!read_fields(cfg, c, &f, r) ||
	    !check_digest_syntax(cfg, req, &f, &in, r))
		goto done;
	userhash = f.has_userhash && strcasecmp(f.userhash, "true") == 0;
	if (!userhash)
		snprintf(r->user, sizeof(r->user), "%s", f.username);

	if (strcmp(f.realm, cfg->realm) != 0) {
		set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_REALM, "realm",
			    "Digest realm \"%s\" is not this %s's realm \"%s\"",
			    f.realm, party(cfg), cfg->realm);
		goto done;
	}
	e = digest_nonce_read(key, f.nonce, now, &serial);
	if (e == HTTP_E_DIGEST_STALE) {
		stale = true;
	} else if (e != HTTP_OK) {
		set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_NONCE, "nonce",
			    "nonce was not issued by this %s", party(cfg));
		goto done;
	}
	if (cfg->users == NULL) {
		set_verdict(r, GUARD_BAD, HTTP_E_CONFIG, "",
			    "this %s has no user store", party(cfg));
		goto done;
	}

	/* RFC 7616 §3.4.4: with userhash=true, username is H(user:realm). */
	if (userhash &&
	    users_from_userhash(cfg->users, f.username, cfg->realm, in.alg,
				r->user, sizeof(r->user)) != HTTP_OK) {
		r->user[0] = '\0';
		known = false;
	}
	e = users_digest_ha1(cfg->users, known ? r->user : NULL, cfg->realm,
			     in.alg, ha1);
	if (e == HTTP_E_BAD_USER) {
		known = false;
	} else if (e != HTTP_OK) {
		set_verdict(r, GUARD_BAD, e, "",
			    "cannot get HA1 for \"%s\" (%s): Digest needs a "
			    "plain or htdigest user store",
			    r->user, http_strerror(e));
		goto done;
	}
	if (in.qop == DIGEST_QOP_AUTH_INT &&
	    !auth_int_body(cfg, req, body, &in, r))
		goto done;

	in.user = f.username;
	in.realm = f.realm;
	in.ha1_hex = ha1;
	in.nonce = f.nonce;
	snprintf(method, sizeof(method), "%.*s", (int)req->method_len,
		 req->method);
	in.method = method;
	in.uri = f.uri;
	e = digest_compute(&in, NULL, want);
	if (e != HTTP_OK) {
		set_verdict(r, GUARD_BAD, e, "response",
			    "cannot compute the Digest response: %s",
			    http_strerror(e));
		goto done;
	}
	same = digest_equal(want, f.response, digest_hex_len(in.alg));
	if (!known && userhash) {
		set_verdict(r, GUARD_BAD, HTTP_E_BAD_USER, "username",
			    "no user matches the userhash");
		goto done;
	}
	if (!known) {
		set_verdict(r, GUARD_BAD, HTTP_E_BAD_USER, "username",
			    "unknown user \"%s\"", r->user);
		goto done;
	}
	if (!same) {
		set_verdict(r, GUARD_BAD, HTTP_E_BAD_PASSWORD, "response",
			    "Digest response does not match (wrong password "
			    "for \"%s\"?)",
			    r->user);
		goto done;
	}
	/* RFC 7616 §3.3: the password was right; only the nonce is old. */
	if (stale) {
		set_verdict(r, GUARD_STALE, HTTP_E_DIGEST_STALE, "nonce",
			    "the Digest nonce is stale (expired); the response "
			    "was right, so retry with a new nonce");
		goto done;
	}
	set_verdict(r, GUARD_OK, HTTP_OK, "", "%s authenticated (Digest %s)",
		    r->user, digest_alg_name(in.alg));
	if (in.qop != DIGEST_QOP_NONE) {
		/* RFC 7616 §3.4: the count is checked last, in guard_commit */
		r->verdict = GUARD_PENDING;
		r->pending.nc = true;
		r->pending.serial = serial;
		r->pending.count = in.nc;
	}
	write_info(key, now, &in, r);
done:
	OPENSSL_cleanse(ha1, sizeof(ha1));
	OPENSSL_cleanse(want, sizeof(want));
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
	const char *other = cfg->proxy ? "Authorization" : "Proxy-Authorization";

	if (http_header_find(req->headers, req->num_headers, other) == NULL) {
		set_verdict(r, GUARD_MISSING, HTTP_E_AUTH_MISSING, "",
			    "%s missing", guard_credentials_field(cfg));
		return;
	}
	if (cfg->proxy)
		set_verdict(r, GUARD_MISSING, HTTP_E_AUTH_MISSING, "",
			    "Proxy-Authorization missing: credentials were "
			    "sent in Authorization, which is for the origin; a "
			    "proxy reads Proxy-Authorization (RFC 9110 "
			    "§11.7.2)");
	else
		set_verdict(r, GUARD_MISSING, HTTP_E_AUTH_MISSING, "",
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
		set_verdict(r, GUARD_MALFORMED, HTTP_E_BASE64, "",
			    "%s: Basic credentials are not valid base64",
			    fname);
	else if (r->scheme == AUTH_SCHEME_BEARER)
		set_verdict(r, GUARD_MALFORMED, HTTP_E_BEARER_TOKEN, "",
			    "%s: Bearer credentials are not a valid token "
			    "(RFC 6750 §2.1)",
			    fname);
	else
		set_verdict(r, GUARD_MALFORMED, e, "", "%s cannot be parsed: %s",
			    fname, http_strerror(e));
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
		set_verdict(out, GUARD_MALFORMED, HTTP_E_AUTH_SYNTAX, "",
			    "%s appears %zu times; it holds one set of "
			    "credentials and may appear once (RFC 9110 §5.3)",
			    fname,
			    http_header_count(req->headers, req->num_headers,
					      fname));
		return;
	}

	while ((h = http_header_next(req->headers, req->num_headers, fname,
				     &pos)) != NULL) {
		enum http_err e = auth_parse_credentials(h->value,
							 h->value_len, &c);

		any = true;
		if (e != HTTP_OK) {
			unparseable(cfg, h, e, out);
			return;
		}
		if (!found && c.kind != AUTH_SCHEME_UNKNOWN &&
		    offers(cfg, c.kind)) {
			chosen = c;
			found = true;
		} else if (!found && out->scheme == AUTH_SCHEME_NONE) {
			out->scheme = c.kind;
			snprintf(used, sizeof(used), "%.*s",
				 (int)c.scheme_len, c.scheme);
		}
	}
	if (!any) {
		missing(cfg, req, out);
		return;
	}
	if (!found) {
		offered_list(cfg, offer, sizeof(offer));
		set_verdict(out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME, "",
			    "%s uses %s, which this %s does not offer "
			    "(offered: %s)",
			    fname, used, party(cfg), offer);
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
		check_digest(cfg, key, req, &chosen, body, now, out);
		break;
	case AUTH_SCHEME_NTLM:
	case AUTH_SCHEME_NEGOTIATE:
		/* Connection-bound: the caller holds the connection's state
		 * (proxy_decide_conn() in proxy/gate.c). */
		set_verdict(out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME, "",
			    "%s uses %s, which authenticates a connection, and "
			    "this %s has no connection state for it",
			    fname, auth_scheme_name(chosen.kind), party(cfg));
		break;
	default:
		set_verdict(out, GUARD_WRONG_SCHEME, HTTP_E_AUTH_SCHEME, "",
			    "%s uses a scheme this %s does not know", fname,
			    party(cfg));
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
		set_verdict(r, GUARD_STALE, HTTP_E_DIGEST_STALE, "nc",
			    "the Digest nonce is no longer tracked (the "
			    "nonce-count table made room for newer ones), so "
			    "it is stale; the response was right, so retry "
			    "with a new nonce");
	else
		set_verdict(r, GUARD_REPLAY, HTTP_E_DIGEST_NC, "nc",
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
	    c.kind != AUTH_SCHEME_BASIC || !offers(cfg, c.kind))
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
		if (c.kind == AUTH_SCHEME_UNKNOWN || !offers(cfg, c.kind))
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
static bool digest_challenge(const struct guard_config *cfg,
			     enum digest_alg a, const char *nonce, bool stale,
			     struct http_buf *v)
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

	if (offers(cfg, AUTH_SCHEME_DIGEST) &&
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
				ok = digest_challenge(cfg, algs[j], nonce, stale,
						      &v) &&
				     emit(cfg, &v, out);
			}
			break;
		case AUTH_SCHEME_NTLM:
		case AUTH_SCHEME_NEGOTIATE:
			/* MS-NLMP over HTTP, RFC 4559 §4.1: the bare scheme
			 * starts the handshake; its tokens come later. */
			http_buf_reset(&v);
			ok = http_buf_puts(&v, auth_scheme_name(cfg->schemes[i])) &&
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
