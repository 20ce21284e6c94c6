/*
 * http/guard_challenge.c - the challenges a server sends with its 401 or
 * 407 (RFC 9110 §11.6.1, §11.7.1): one WWW-Authenticate or
 * Proxy-Authenticate line per offered scheme, in the configured order,
 * Digest one per algorithm (RFC 7616 §3.7).  Each scheme's own file
 * writes its value (http/basic.c, http/bearer.c); Digest's is written
 * here, with a fresh nonce (http/digest.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "guard.h"

#include "basic.h"
#include "bearer.h"

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
bool guard_challenge_write(const struct guard_config *cfg,
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
