/*
 * http/guard_basic.c - checking Basic credentials (RFC 7617), the server
 * side: guard_basic_check() for the origin (Authorization) and the proxy
 * (Proxy-Authorization), called by guard_verify() in http/guard.c once it
 * has picked the Basic credentials out of the request.  The password is
 * checked against the store in constant time (http/users.c), or found
 * among the credentials verified a moment ago (http/credcache.c), and
 * wiped after use.
 */
#define _POSIX_C_SOURCE 200809L

#include "guard.h"

#include "basic.h"
#include "text.h"

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
void guard_basic_check(const struct guard_config *cfg,
		       const struct auth_challenge *c, uint64_t now,
		       struct guard_result *r)
{
	struct basic_creds bc;
	enum http_err e;

	e = basic_decode(c, &bc);
	if (e == HTTP_E_BASE64) {
		guard_set_malformed(r, cfg, e, "",
				    "Basic credentials are not valid base64");
		goto done;
	}
	if (e != HTTP_OK) {
		guard_set_malformed(r, cfg, e, "", "Basic credentials: %s",
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
		guard_set_ok(r, bc.user, "Basic, verified earlier");
		goto done;
	}
	e = users_check_password(cfg->users, bc.user, bc.pass, bc.pass_len);
	if (e == HTTP_OK)
		creds_remember(cfg, &bc, now);
	if (e == HTTP_OK)
		guard_set_ok(r, bc.user, "Basic");
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

/* Basic credentials c verified less than the cache's TTL ago; see
 * guard.h.  The decoded password is wiped before returning. */
bool guard_basic_remembered(const struct guard_config *cfg,
			    const struct auth_challenge *c, uint64_t now)
{
	struct basic_creds bc;
	bool hit = false;

	if (basic_decode(c, &bc) == HTTP_OK)
		hit = creds_seen(cfg, &bc, now);
	basic_creds_wipe(&bc);
	return hit;
}
