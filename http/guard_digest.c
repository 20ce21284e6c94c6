/*
 * http/guard_digest.c - checking Digest credentials (RFC 7616), the
 * server side: one guard_digest_check() for the origin (Authorization)
 * and the proxy (Proxy-Authorization), called by guard_verify() in
 * http/guard.c once it has picked the Digest credentials out of the
 * request.  Verdicts are set with guard_set_verdict(), and those on a
 * value that is malformed with guard_set_malformed(), as for every
 * scheme.
 *
 * Reading order for a lesson: guard_digest_check() at the bottom, which
 * is its steps in order: guard_digest_fields_read() and
 * guard_digest_fields_check() (what needs no secret, in
 * http/guard_digest_fields.c), check_realm_nonce(), lookup_ha1(),
 * compute_response() and decide(); then write_info() (what a good answer gets
 * back).
 */
#define _POSIX_C_SOURCE 200809L

#include "guard.h"
#include "guard_digest_fields.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "text.h"

/* ---- Answering (Authentication-Info) ---- */

/*
 * Fill Authentication-Info after a good Digest answer (RFC 7616 §3.5):
 * a fresh nextnonce, and rspauth proving the server knows HA1, with the
 * qop the client used (§3.5: the server SHOULD use the same value).
 * After qop=auth-int the rspauth covers H(entity-body) of the *response*
 * (§3.5: A2 = ":" uri ":" H(entity-body)), which is not known here: r->info
 * then holds nextnonce alone, and guard_digest_info() adds qop, rspauth,
 * cnonce and nc once the server knows the body it answers with.  Without
 * it, nextnonce alone is what goes out: no rspauth rather than a wrong
 * one, and no qop without the rspauth it announces (design choice).
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
 * The first credentials of req in our field with a scheme we offer, if
 * they are Digest (as guard_verify() picks them).
 */
static bool digest_credentials(const struct guard_config *cfg,
			       const struct http_request *req,
			       struct auth_challenge *c)
{
	const struct http_header *h;
	size_t pos = 0;

	while ((h = http_header_next(req->headers, req->num_headers,
				     guard_credentials_field(cfg), &pos)) !=
	       NULL) {
		if (auth_parse_credentials(h->value, h->value_len, c) !=
		    HTTP_OK)
			return false;
		if (c->kind != AUTH_SCHEME_UNKNOWN &&
		    guard_offers(cfg, c->kind))
			return c->kind == AUTH_SCHEME_DIGEST;
	}
	return false;
}

/*
 * Authentication-Info for a request that verified with qop=auth-int, once
 * the response body is known; see guard.h.  The fields are read again
 * from req, HA1 again from the store for the authenticated `user` (the
 * real name, also after userhash); rspauth is computed over body
 * (RFC 7616 §3.5) and written after `info` (the nextnonce from the guard).
 */
bool guard_digest_info(const struct guard_config *cfg,
		       const struct http_request *req, const char *user,
		       const char *info, const void *body, size_t body_len,
		       char *out, size_t cap)
{
	struct auth_challenge c;
	struct digest_fields f;
	struct digest_input in;
	struct guard_result scratch;
	char ha1[DIGEST_HEX_MAX + 1] = "", rsp[DIGEST_HEX_MAX + 1] = "";
	char ncs[16];
	struct http_buf v;
	bool ok = false;

	memset(&f, 0, sizeof(f));
	memset(&in, 0, sizeof(in));
	if (cap == 0 || cfg->users == NULL || user == NULL || user[0] == '\0' ||
	    !digest_credentials(cfg, req, &c) ||
	    !guard_digest_fields_read(cfg, &c, &f, &scratch) ||
	    !guard_digest_fields_check(cfg, req, &f, &in, &scratch) ||
	    in.qop != DIGEST_QOP_AUTH_INT ||
	    users_digest_ha1(cfg->users, user, cfg->realm, in.alg, ha1) !=
		HTTP_OK)
		goto done;
	in.user = f.username;
	in.realm = f.realm;
	in.ha1_hex = ha1;
	in.nonce = f.nonce;
	in.method = "";
	in.uri = f.uri;
	in.body = body != NULL ? body : "";
	in.body_len = body_len;
	if (digest_rspauth(&in, rsp) != HTTP_OK)
		goto done;
	snprintf(ncs, sizeof(ncs), "%08x", (unsigned)in.nc);
	http_buf_init(&v, cap - 1);
	ok = (info == NULL || info[0] == '\0' || http_buf_puts(&v, info)) &&
	     auth_write_param(&v, info == NULL || info[0] == '\0', "qop",
			      "auth-int", false) &&
	     auth_write_param(&v, false, "rspauth", rsp, true) &&
	     auth_write_param(&v, false, "cnonce", in.cnonce, true) &&
	     auth_write_param(&v, false, "nc", ncs, false) && !v.failed &&
	     v.data != NULL;
	if (ok)
		snprintf(out, cap, "%s", v.data);
	http_buf_free(&v);
done:
	OPENSSL_cleanse(ha1, sizeof(ha1));
	OPENSSL_cleanse(rsp, sizeof(rsp));
	return ok;
}

/* ---- Checking ---- */

/*
 * Where H(entity-body) comes from for qop=auth-int: the hash made as the
 * body streamed, the body in memory, or, when neither was given, an empty
 * body only if the request really has none (RFC 9112 §6.3).  False, with
 * the verdict set, when the body exists but was not read.
 */
static bool auth_int_body(const struct guard_config *cfg,
			  const struct http_request *req,
			  const struct guard_body *body,
			  struct digest_input *in, struct guard_result *r)
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
	guard_set_verdict(
	    r, GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
	    "qop=auth-int covers the request body, which this %s had "
	    "not read when it checked the credentials",
	    guard_party(cfg));
	return false;
}

/* What the steps of one check hand on to the next. */
struct digest_check {
	struct digest_fields f;
	struct digest_input in;
	char ha1[DIGEST_HEX_MAX + 1];  /* wiped at the end */
	char want[DIGEST_HEX_MAX + 1]; /* the response we compute; wiped */
	char method[DIGEST_MAX_FIELD];
	bool userhash;	 /* username is H(user:realm) (RFC 7616 §3.4.4) */
	bool stale;	 /* our nonce, but expired */
	bool known;	 /* the user is in the store */
	uint64_t serial; /* the nonce's, for the count (guard_commit) */
};

/*
 * What the client must give back as this party offered it: opaque
 * unchanged (RFC 7616 §3.4: "MUST be returned by the client unchanged"),
 * none when none was sent; userhash=true only if offered (§3.4.4).  Both
 * are well-formed answers this party cannot use: GUARD_BAD, a fresh
 * challenge, not a 400.
 */
static bool check_echoed(const struct guard_config *cfg,
			 const struct digest_check *k, struct guard_result *r)
{
	const struct digest_fields *f = &k->f;

	if (cfg->opaque[0] != '\0' && !f->has_opaque) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_FIELD, "opaque",
				  "Digest opaque is missing (this %s sent "
				  "opaque \"%s\")",
				  guard_party(cfg), cfg->opaque);
		return false;
	}
	if (f->has_opaque && strcmp(f->opaque, cfg->opaque) != 0) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_FIELD, "opaque",
				  "Digest opaque \"%s\" is not the one this "
				  "%s sent (%s%s%s)",
				  f->opaque, guard_party(cfg),
				  cfg->opaque[0] ? "\"" : "none", cfg->opaque,
				  cfg->opaque[0] ? "\"" : "");
		return false;
	}
	if (k->userhash && !cfg->userhash) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_FIELD, "userhash",
				  "Digest userhash=true was not offered (this "
				  "%s offered no userhash)",
				  guard_party(cfg));
		return false;
	}
	return true;
}

/* The realm is ours, opaque and userhash as offered, and the nonce one
 * we issued (maybe stale). */
static bool check_realm_nonce(const struct guard_config *cfg,
			      struct digest_nonce_key *key, uint64_t now,
			      struct digest_check *k, struct guard_result *r)
{
	enum http_err e;

	if (strcmp(k->f.realm, cfg->realm) != 0) {
		guard_set_verdict(
		    r, GUARD_BAD, HTTP_E_DIGEST_REALM, "realm",
		    "Digest realm \"%s\" is not this %s's realm \"%s\"",
		    k->f.realm, guard_party(cfg), cfg->realm);
		return false;
	}
	if (!check_echoed(cfg, k, r))
		return false;
	e = digest_nonce_read(key, k->f.nonce, now, &k->serial);
	if (e == HTTP_E_DIGEST_STALE) {
		k->stale = true;
	} else if (e != HTTP_OK) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_NONCE, "nonce",
				  "nonce was not issued by this %s",
				  guard_party(cfg));
		return false;
	}
	return true;
}

/*
 * HA1 for the user (after userhash, the real name in r->user); an
 * unknown user gets the store's dummy HA1 and k->known false, so that
 * what follows costs the same.  False only when the store cannot answer.
 */
static bool lookup_ha1(const struct guard_config *cfg, struct digest_check *k,
		       struct guard_result *r)
{
	enum http_err e;

	if (cfg->users == NULL) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_CONFIG, "",
				  "this %s has no user store",
				  guard_party(cfg));
		return false;
	}
	/* RFC 7616 §3.4.4: with userhash=true, username is H(user:realm). */
	if (k->userhash && users_from_userhash(cfg->users, k->f.username,
					       cfg->realm, k->in.alg, r->user,
					       sizeof(r->user)) != HTTP_OK) {
		r->user[0] = '\0';
		k->known = false;
	}
	e = users_digest_ha1(cfg->users, k->known ? r->user : NULL, cfg->realm,
			     k->in.alg, k->ha1);
	if (e == HTTP_E_BAD_USER) {
		k->known = false;
	} else if (e != HTTP_OK) {
		guard_set_verdict(r, GUARD_BAD, e, "",
				  "cannot get HA1 for \"%s\" (%s): Digest "
				  "needs a plain or htdigest user store",
				  r->user, http_strerror(e));
		return false;
	}
	return true;
}

/* The response we expect, into k->want (RFC 7616 §3.4.1). */
static bool compute_response(const struct http_request *req,
			     struct digest_check *k, struct guard_result *r)
{
	enum http_err e;

	k->in.user = k->f.username;
	k->in.realm = k->f.realm;
	k->in.ha1_hex = k->ha1;
	k->in.nonce = k->f.nonce;
	snprintf(k->method, sizeof(k->method), "%.*s", (int)req->method_len,
		 req->method);
	k->in.method = k->method;
	k->in.uri = k->f.uri;
	e = digest_compute(&k->in, NULL, k->want);
	if (e != HTTP_OK) {
		guard_set_verdict(r, GUARD_BAD, e, "response",
				  "cannot compute the Digest response: %s",
				  http_strerror(e));
		return false;
	}
	return true;
}

/*
 * The verdict once the response has been compared (same): unknown user,
 * wrong password, stale nonce, or authenticated with the nonce count
 * left pending.  True only for the last.
 */
static bool decide(const struct digest_check *k, bool same,
		   struct guard_result *r)
{
	if (!k->known && k->userhash) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_BAD_USER, "username",
				  "no user matches the userhash");
		return false;
	}
	if (!k->known) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_BAD_USER, "username",
				  "unknown user \"%s\"", r->user);
		return false;
	}
	if (!same) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_BAD_PASSWORD, "response",
				  "Digest response does not match (wrong "
				  "password for \"%s\"?)",
				  r->user);
		return false;
	}
	/* RFC 7616 §3.3: the password was right; only the nonce is old. */
	if (k->stale) {
		guard_set_verdict(
		    r, GUARD_STALE, HTTP_E_DIGEST_STALE, "nonce",
		    "the Digest nonce is stale (expired); the response "
		    "was right, so retry with a new nonce");
		return false;
	}
	{
		char how[32]; /* "Digest SHA-512-256-sess" */

		TEXT_JOIN(how, sizeof(how), "Digest ",
			  digest_alg_name(k->in.alg));
		guard_set_ok(r, r->user, how);
	}
	if (k->in.qop != DIGEST_QOP_NONE) {
		/* RFC 7616 §3.4: the count is checked last, in guard_commit */
		r->verdict = GUARD_PENDING;
		r->pending.nc = true;
		r->pending.serial = k->serial;
		r->pending.count = k->in.nc;
	}
	return true;
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
void guard_digest_check(const struct guard_config *cfg,
			struct digest_nonce_key *key,
			const struct http_request *req,
			const struct auth_challenge *c,
			const struct guard_body *body, uint64_t now,
			struct guard_result *r)
{
	struct digest_check k;
	bool same;

	memset(&k, 0, sizeof(k));
	k.known = true;
	if (!guard_digest_fields_read(cfg, c, &k.f, r) ||
	    !guard_digest_fields_check(cfg, req, &k.f, &k.in, r))
		goto done;
	k.userhash = k.f.has_userhash && strcasecmp(k.f.userhash, "true") == 0;
	if (!k.userhash)
		snprintf(r->user, sizeof(r->user), "%s", k.f.username);
	if (!check_realm_nonce(cfg, key, now, &k, r) || !lookup_ha1(cfg, &k, r))
		goto done;
	if (k.in.qop == DIGEST_QOP_AUTH_INT &&
	    !auth_int_body(cfg, req, body, &k.in, r))
		goto done;
	if (!compute_response(req, &k, r))
		goto done;
	same = digest_equal(k.want, k.f.response, digest_hex_len(k.in.alg));
	if (decide(&k, same, r))
		write_info(key, now, &k.in, r);
done:
	OPENSSL_cleanse(k.ha1, sizeof(k.ha1));
	OPENSSL_cleanse(k.want, sizeof(k.want));
}
