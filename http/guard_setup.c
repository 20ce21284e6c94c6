/*
 * http/guard_setup.c - turn a server's command-line spellings into a
 * guard_config and a credential store, the same way for bin/proxy (407)
 * and bin/origin (401).  Library code: bad values come back as a code and
 * a sentence for the caller to print.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"

/* Write a sentence into why and return code. */
static enum http_err say(enum http_err code, char *err, size_t err_cap,
			 const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum http_err say(enum http_err code, char *err, size_t err_cap,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_cap, fmt, ap);
	va_end(ap);
	return code;
}

/* ---- Options ---- */

/*
 * Fill cfg's schemes, realm, Digest algorithms and qop from --auth,
 * --realm, --digest-algorithms and --qop.  A proxy may offer no scheme
 * (an open proxy, "--auth none"); an origin must offer one.  The realm
 * goes inside a quoted-string, so quotes, backslashes and line breaks are
 * refused rather than escaped.  HTTP_E_CONFIG with a sentence in why.
 */
enum http_err guard_setup_options(struct guard_config *cfg, bool proxy,
				  const char *auth, const char *realm,
				  const char *algs, const char *qop, char *err,
				  size_t err_cap)
{
	cfg->proxy = proxy;
	if (auth_scheme_list_parse(auth, cfg->schemes, GUARD_MAX_SCHEMES,
				   &cfg->num_schemes) != HTTP_OK ||
	    (!proxy && cfg->num_schemes == 0))
		return say(HTTP_E_CONFIG, err, err_cap,
			   "--auth wants %sbasic, digest%s and/or bearer, not "
			   "'%s'",
			   proxy ? "none, " : "",
			   proxy ? ", ntlm, negotiate" : "", auth);
	/* Connection-bound schemes need the per-connection state only
	 * bin/proxy keeps (proxy/gate.h, struct proxy_conn). */
	for (size_t i = 0; !proxy && i < cfg->num_schemes; i++)
		if (cfg->schemes[i] == AUTH_SCHEME_NTLM ||
		    cfg->schemes[i] == AUTH_SCHEME_NEGOTIATE)
			return say(HTTP_E_CONFIG, err, err_cap,
				   "--auth %s: this lab offers NTLM and "
				   "Negotiate on the proxy only",
				   auth);
	/* The realm is sent as a quoted-string: a quote or backslash is
	 * escaped there, a control character cannot be sent at all. */
	if (strlen(realm) >= sizeof(cfg->realm) ||
	    !auth_quotable(realm, strlen(realm)))
		return say(HTTP_E_CONFIG, err, err_cap,
			   "--realm is too long (at most %zu bytes) or holds a "
			   "control character, which a quoted-string cannot "
			   "carry (RFC 9110 §5.6.4)",
			   sizeof(cfg->realm) - 1);
	snprintf(cfg->realm, sizeof(cfg->realm), "%s", realm);
	if (digest_alg_list_parse(algs, cfg->algs, DIGEST_ALG_COUNT,
				  &cfg->num_algs) != HTTP_OK ||
	    cfg->num_algs == 0)
		return say(HTTP_E_CONFIG, err, err_cap,
			   "--digest-algorithms: unknown list '%s'", algs);
	if (strcmp(qop, "none") == 0)
		cfg->qops = DIGEST_QOP_NONE;
	else if (digest_qop_list_parse(qop, &cfg->qops) != HTTP_OK)
		return say(HTTP_E_CONFIG, err, err_cap,
			   "--qop wants auth, auth-int or none, not '%s'", qop);
	return HTTP_OK;
}

/* ---- Credentials ---- */

/*
 * Load the store a server checks against: users_file (or the lab
 * defaults of `side`), then tokens_file if given, and make sure the store
 * can serve every scheme cfg offers (htpasswd holds one-way hashes, so no
 * Digest; htdigest holds HA1, so no Basic).  *plaintext tells the caller
 * to warn that the file holds passwords in clear.  The caller owns u and
 * frees it with users_free().  On failure a "FILE:LINE: reason" or other
 * sentence is in why.
 */
enum http_err guard_setup_users(const struct guard_config *cfg, struct users *u,
				enum users_side side, const char *users_file,
				const char *tokens_file, bool *plaintext,
				char *err, size_t err_cap)
{
	enum http_err e;

	*plaintext = false;
	err[0] = '\0';
	if (users_file != NULL) {
		e = users_load(users_file, u, err, err_cap);
		if (e != HTTP_OK) {
			if (err[0] == '\0')
				say(e, err, err_cap, "%s: %s", users_file,
				    http_strerror(e));
			return e;
		}
		*plaintext = u->kind == USERS_PLAIN;
	} else if ((e = users_defaults(u, side)) != HTTP_OK) {
		return say(e, err, err_cap, "cannot set up the lab users: %s",
			   http_strerror(e));
	}
	if (tokens_file != NULL) {
		e = users_load_tokens(tokens_file, u, err, err_cap);
		if (e != HTTP_OK) {
			if (err[0] == '\0')
				say(e, err, err_cap, "%s: %s", tokens_file,
				    http_strerror(e));
			return e;
		}
	}
	for (size_t i = 0; i < cfg->num_schemes; i++) {
		if (users_supports(u, cfg->schemes[i]))
			continue;
		/*
		 * RFC 6750 §1.2: a Bearer token is not a password, so no users
		 * file of any kind can check one; only a tokens file can.
		 */
		if (cfg->schemes[i] == AUTH_SCHEME_BEARER)
			return say(HTTP_E_CONFIG, err, err_cap,
				   "Bearer needs --tokens FILE (lines \"TOKEN "
				   "USER\"): a users file holds passwords, "
				   "not tokens");
		return say(HTTP_E_CONFIG, err, err_cap,
			   "%s cannot serve %s (an htpasswd file is "
			   "Basic only, htdigest Digest only; NTLM "
			   "needs the plain password of a lab users "
			   "file, to derive the NT hash)",
			   users_file ? users_file : "the lab users",
			   auth_scheme_name(cfg->schemes[i]));
	}
	return HTTP_OK;
}
