/*
 * http/guard_digest_fields.c - reading the fields of Digest credentials
 * (RFC 7616 §3.4) and checking what needs no secret: first the grammar
 * (a value that breaks it is malformed, 400), then what is well-formed
 * but may not be acceptable to this party (an algorithm or qop it did not
 * offer: a fresh challenge).  The rest of the check, with the secret, is
 * http/guard_digest.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "guard_digest_fields.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#define GUARD_NC_DIGITS 8 /* nc = 8LHEX (RFC 7616 §3.4) */

/* ---- Reading the fields ---- */

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
		guard_set_malformed(r, cfg, HTTP_E_DIGEST_FIELD, name,
				    "Digest field %s is missing", name);
	else
		guard_set_malformed(r, cfg, HTTP_E_DIGEST_FIELD, name,
				    "Digest field %s is too long or malformed",
				    name);
	return false;
}

/* Read every field, the required ones first (RFC 7616 §3.4). */
bool guard_digest_fields_read(const struct guard_config *cfg,
			      const struct auth_challenge *c,
			      struct digest_fields *f, struct guard_result *r)
{
	if (c->token68 != NULL) {
		guard_set_malformed(
		    r, cfg, HTTP_E_AUTH_SYNTAX, "",
		    "Digest credentials must be name=value pairs");
		return false;
	}
	if (auth_param_find(c, "username") == NULL &&
	    auth_param_find(c, "username*") != NULL) {
		/* RFC 7616 §3.4: a defined field, so not a syntax error;
		 * this party just cannot read it. */
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_FIELD, "username",
				  "Digest field username* (RFC 8187 encoding) "
				  "is not supported by this %s; send username",
				  guard_party(cfg));
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
	       get_param(cfg, c, "opaque", false, f->opaque, sizeof(f->opaque),
			 &f->has_opaque, r) &&
	       (!f->has_qop ||
		(get_param(cfg, c, "nc", true, f->nc, sizeof(f->nc), NULL, r) &&
		 get_param(cfg, c, "cnonce", true, f->cnonce, sizeof(f->cnonce),
			   NULL, r))) &&
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

/* Response: exactly n hex digits (n 0: one or more); lowercased in
 * place. */
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
	return n == 0 ? i > 0 : i == n;
}

/*
 * The algorithms this party offers, "MD5, SHA-256", into out[0..cap),
 * for reasons: a client told "not offered" can see what was.
 */
static void offered_algs(const struct guard_config *cfg, char *out, size_t cap)
{
	size_t n =
	    cfg->num_algs < DIGEST_ALG_COUNT ? cfg->num_algs : DIGEST_ALG_COUNT;
	size_t len = 0;

	out[0] = '\0';
	if (n == 0)
		snprintf(out, cap, "%s", digest_alg_name(DIGEST_MD5));
	for (size_t i = 0; i < n && len < cap; i++) {
		int w = snprintf(out + len, cap - len, "%s%s", i ? ", " : "",
				 digest_alg_name(cfg->algs[i]));
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* The qops this party offers, "auth, auth-int" or "none", for reasons. */
static const char *offered_qops(const struct guard_config *cfg)
{
	switch (cfg->qops & (DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT)) {
	case DIGEST_QOP_AUTH:
		return "auth";
	case DIGEST_QOP_AUTH_INT:
		return "auth-int";
	case DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT:
		return "auth, auth-int";
	default:
		return "none";
	}
}

/*
 * RFC 7616 §3.3: the algorithm, MD5 when none is named, must be one this
 * party offered.  The grammar allows any token there (§3.3: algorithm =
 * "MD5" / "SHA-512-256" / "SHA-256" / token), so an algorithm that is
 * unknown or not offered is a well-formed answer this party cannot use:
 * GUARD_BAD, which gets a fresh challenge (RFC 9110 §11.4: 401, for a
 * proxy 407, §11.7.1), never the 400 of a syntax error.
 */
static bool check_algorithm(const struct guard_config *cfg,
			    const struct digest_fields *f,
			    struct digest_input *in, struct guard_result *r)
{
	char offer[96];

	/* (the list of what was offered is written only for a refusal: the
	 * answers that pass are every Digest request) */
	in->alg = DIGEST_MD5;
	if (f->has_algorithm &&
	    !digest_alg_parse(f->algorithm, strlen(f->algorithm), &in->alg)) {
		offered_algs(cfg, offer, sizeof(offer));
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_ALGORITHM,
				  "algorithm",
				  "Digest algorithm %s is not one this %s "
				  "knows (offered: %s)",
				  f->algorithm, guard_party(cfg), offer);
		return false;
	}
	if (!alg_offered(cfg, in->alg)) {
		offered_algs(cfg, offer, sizeof(offer));
		guard_set_verdict(
		    r, GUARD_BAD, HTTP_E_DIGEST_ALGORITHM, "algorithm",
		    "Digest algorithm %s%s was not offered "
		    "(offered: %s)",
		    digest_alg_name(in->alg),
		    f->has_algorithm ? "" : " (none named)", offer);
		return false;
	}
	return true;
}

/*
 * A qop that is there: known, offered, with its nc (RFC 7616 §3.4).  The
 * grammar allows any token as a qop-value (§3.3), so one unknown or not
 * offered is GUARD_BAD (a fresh challenge), as for the algorithm.  The
 * nc was read by check_digest_syntax().
 */
static bool check_qop_given(const struct guard_config *cfg,
			    const struct digest_fields *f,
			    struct digest_input *in, struct guard_result *r)
{
	if (strcasecmp(f->qop, "auth") == 0) {
		in->qop = DIGEST_QOP_AUTH;
	} else if (strcasecmp(f->qop, "auth-int") == 0) {
		in->qop = DIGEST_QOP_AUTH_INT;
	} else {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
				  "Digest qop %s is not one this %s knows "
				  "(offered: %s)",
				  f->qop, guard_party(cfg), offered_qops(cfg));
		return false;
	}
	if ((cfg->qops & in->qop) == 0) {
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
				  "Digest qop %s was not offered (offered: %s)",
				  f->qop, offered_qops(cfg));
		return false;
	}
	in->cnonce = f->cnonce;
	return true;
}

/* The qop: given and good, or absent where this party offered none. */
static bool check_qop(const struct guard_config *cfg,
		      const struct digest_fields *f, struct digest_input *in,
		      struct guard_result *r)
{
	in->qop = DIGEST_QOP_NONE;
	if (f->has_qop)
		return check_qop_given(cfg, f, in, r);
	if (cfg->qops != 0) {
		/* Dropping qop would fall back to RFC 2069: no downgrade.
		 * Well-formed (the RFC 2069 form), just not acceptable. */
		guard_set_verdict(r, GUARD_BAD, HTTP_E_DIGEST_QOP, "qop",
				  "Digest field qop is missing: the RFC 2069 "
				  "form without qop was not offered (offered: "
				  "qop=%s)",
				  offered_qops(cfg));
		return false;
	}
	if (digest_alg_is_sess(in->alg)) {
		/* A -sess A1 needs a cnonce even without qop (RFC 2617
		 * §3.2.2.2); lab407's client sends one. */
		if (!f->has_cnonce) {
			guard_set_malformed(
			    r, cfg, HTTP_E_DIGEST_FIELD, "cnonce",
			    "Digest field cnonce is missing (%s needs it)",
			    digest_alg_name(in->alg));
			return false;
		}
		in->cnonce = f->cnonce;
	}
	return true;
}

/* RFC 7616 §3.4.6: uri must be the request-target (the authority for
 * CONNECT, which is its request-target). */
static bool check_uri(const struct guard_config *cfg,
		      const struct http_request *req,
		      const struct digest_fields *f, struct guard_result *r)
{
	if (strlen(f->uri) == req->target_len &&
	    memcmp(f->uri, req->target, req->target_len) == 0)
		return true;
	guard_set_malformed(r, cfg, HTTP_E_DIGEST_URI, "uri",
			    "Digest uri \"%s\" is not the request-target "
			    "\"%.*s\" (RFC 7616 §3.4.6)",
			    f->uri, (int)req->target_len, req->target);
	return false;
}

/*
 * The grammar of the fields that have one (RFC 7616 §3.4): nc is 8LHEX
 * when qop is there (into in->nc), response is hex digits, as many as
 * the named algorithm's hash has when that algorithm is known (lowercased
 * in place), userhash true or false.  A value that breaks these is a
 * syntax error: 400.
 */
static bool check_grammar(const struct guard_config *cfg,
			  struct digest_fields *f, struct digest_input *in,
			  struct guard_result *r)
{
	enum digest_alg a = DIGEST_MD5;
	bool known = !f->has_algorithm ||
		     digest_alg_parse(f->algorithm, strlen(f->algorithm), &a);
	size_t want = known ? digest_hex_len(a) : 0;

	if (f->has_qop && !parse_nc(f->nc, &in->nc)) {
		guard_set_malformed(r, cfg, HTTP_E_DIGEST_FIELD, "nc",
				    "Digest nc must be 8 lowercase hex "
				    "digits (8LHEX, RFC 7616 §3.4), not \"%s\"",
				    f->nc);
		return false;
	}
	if (!response_ok(f->response, want)) {
		if (known)
			guard_set_malformed(
			    r, cfg, HTTP_E_DIGEST_RESPONSE, "response",
			    "Digest response must be %zu hex digits for %s",
			    want, digest_alg_name(a));
		else
			guard_set_malformed(r, cfg, HTTP_E_DIGEST_RESPONSE,
					    "response",
					    "Digest response must be hex "
					    "digits");
		return false;
	}
	if (f->has_userhash && strcasecmp(f->userhash, "true") != 0 &&
	    strcasecmp(f->userhash, "false") != 0) {
		guard_set_malformed(r, cfg, HTTP_E_DIGEST_FIELD, "userhash",
				    "Digest userhash must be true or false");
		return false;
	}
	return true;
}

/*
 * Check the parts that need no secret, in this order: first what is a
 * syntax error (400): the grammar of nc, response and userhash, and the
 * uri, which must be the request-target (RFC 7616 §3.4.6: "SHOULD return
 * 400").  Then what is well-formed but may not be acceptable: algorithm
 * and qop offered (GUARD_BAD: a fresh challenge, RFC 9110 §11.4).  So an
 * answer that is both malformed and unusable gets the 400.
 */
bool guard_digest_fields_check(const struct guard_config *cfg,
			       const struct http_request *req,
			       struct digest_fields *f, struct digest_input *in,
			       struct guard_result *r)
{
	return check_grammar(cfg, f, in, r) && check_uri(cfg, req, f, r) &&
	       check_algorithm(cfg, f, in, r) && check_qop(cfg, f, in, r);
}
