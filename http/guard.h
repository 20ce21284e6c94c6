/*
 * http/guard.h - the server side of HTTP authentication (RFC 9110 §11),
 * for the origin (401, WWW-Authenticate, Authorization) and the proxy
 * (407, Proxy-Authenticate, Proxy-Authorization) alike: one `proxy` flag
 * picks the field names, as in curl's http_digest.c.
 *
 * guard_check() answers "who are you?" and nothing else; "may you?" is
 * the caller's ACL or rules (lesson 05).  It is pure: the caller passes
 * the time and owns the mutable state (nonce counts), and must serialise
 * calls that share a guard_state.
 */
#ifndef LAB407_HTTP_GUARD_H
#define LAB407_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "digest.h"
#include "message.h"
#include "users.h"

#define GUARD_MAX_SCHEMES 5
#define GUARD_MAX_REALM 128
#define GUARD_MAX_USER 256
#define GUARD_MAX_REASON 512

struct guard_config {
	bool proxy;                                 /* 407 side when true */
	enum auth_scheme schemes[GUARD_MAX_SCHEMES];/* offered, in order */
	size_t num_schemes;                         /* 0: no authentication */
	char realm[GUARD_MAX_REALM];
	const struct users *users;                  /* not owned */
	enum digest_alg algs[DIGEST_ALG_COUNT];     /* Digest: one challenge each, in order */
	size_t num_algs;
	unsigned qops;                              /* DIGEST_QOP_* bits; 0 = RFC 2069 */
	bool userhash;                              /* offer userhash=true */
	char opaque[64];                            /* Digest opaque, echoed back */
};

struct guard_state {
	struct digest_nonce_key key;   /* secret for stateless nonces */
	struct digest_nc_table nc;     /* nonce counts seen */
};

enum guard_verdict {
	GUARD_OK,          /* authenticated: user is set */
	GUARD_MISSING,     /* no credentials in the field: challenge */
	GUARD_WRONG_SCHEME,/* a scheme we did not offer: challenge */
	GUARD_BAD,         /* wrong user/password/response/token: challenge */
	GUARD_STALE,       /* Digest, right password, expired nonce: stale=true */
	GUARD_REPLAY,      /* Digest nonce count replayed: challenge */
	GUARD_MALFORMED    /* cannot parse what was sent: 400 */
};

struct guard_result {
	enum guard_verdict verdict;
	enum http_err err;                 /* the precise cause, HTTP_OK on success */
	enum auth_scheme scheme;           /* scheme the client used, if any */
	char user[GUARD_MAX_USER];         /* who, when known (even if refused) */
	char reason[GUARD_MAX_REASON];     /* one sentence for bodies and the REPL */
	char field[32];                    /* the Digest field at fault, or "" */
	char info[1024];                   /* Authentication-Info value, or "" */
};

/* Set up state: nonce secret from RAND_bytes, empty nc table. */
enum http_err guard_state_init(struct guard_state *st, unsigned nonce_lifetime);

/* "Proxy-Authorization" or "Authorization". */
const char *guard_credentials_field(const struct guard_config *cfg);
/* "Proxy-Authenticate" or "WWW-Authenticate". */
const char *guard_challenge_field(const struct guard_config *cfg);
/* "Proxy-Authentication-Info" or "Authentication-Info". */
const char *guard_info_field(const struct guard_config *cfg);
/* "Basic" or "Digest, Basic": the offered schemes, for reasons. */
void guard_offered(const struct guard_config *cfg, char *out, size_t cap);
/* 407 or 401. */
int guard_status(const struct guard_config *cfg);

/*
 * Authenticate a request.  method/target come from the request line; body
 * is the request body for qop=auth-int (may be NULL/0).  `now` is seconds
 * since the epoch.  Never fails: everything lands in *out.
 */
void guard_check(const struct guard_config *cfg, struct guard_state *st,
		 const struct http_request *req, const void *body,
		 size_t body_len, uint64_t now, struct guard_result *out);

/*
 * Append one challenge header line per offered scheme (Digest: one per
 * algorithm), "Name: value\r\n" each, in order.  `stale` adds stale=true to
 * Digest; `bearer_error` adds error="invalid_token" to Bearer (may be NULL).
 */
bool guard_write_challenges(const struct guard_config *cfg,
			    struct guard_state *st, uint64_t now, bool stale,
			    const char *bearer_error, struct http_buf *out);

/* ---- Setting up a server (http/guard_setup.c) ---- */

/*
 * Schemes, realm, Digest algorithms and qop from the command-line
 * spellings (--auth, --realm, --digest-algorithms, --qop).  A proxy may
 * offer none; an origin must offer one.  HTTP_E_CONFIG, sentence in why.
 */
enum http_err guard_setup_options(struct guard_config *cfg, bool proxy,
				  const char *auth, const char *realm,
				  const char *algs, const char *qop, char *why,
				  size_t cap);
/*
 * The credential store: users_file or the side's lab defaults, then
 * tokens_file, checked against every offered scheme.  *plaintext: warn.
 */
enum http_err guard_setup_users(const struct guard_config *cfg,
				struct users *u, enum users_side side,
				const char *users_file, const char *tokens_file,
				bool *plaintext, char *why, size_t cap);

#endif
