/*
 * http/guard.h - the server side of HTTP authentication (RFC 9110 §11),
 * for the origin (401, WWW-Authenticate, Authorization) and the proxy
 * (407, Proxy-Authenticate, Proxy-Authorization) alike: one `proxy` flag
 * picks the field names, as in curl's http_digest.c.
 *
 * guard_check() answers "who are you?" and nothing else; "may you?" is
 * the caller's ACL or rules (lesson 05).  The caller passes the time.
 *
 * Two steps, so that slow password hashing never waits for a lock:
 *
 *   guard_verify()  slow, thread-safe: parse the credentials, find the
 *                   user, hash (bcrypt, SHA-crypt, Digest).  Reads only
 *                   the immutable config and the nonce key (whose one
 *                   moving part, the nonce serial, is atomic).  Any
 *                   number may run at once, on any thread.
 *   guard_commit()  fast, shared: a Digest answer that verified leaves a
 *                   pending (nonce, nc); commit checks and records it in
 *                   the nonce-count table in one step, under the lock the
 *                   shell supplied (guard_state_set_lock).  Nothing else
 *                   in this file touches shared mutable state.
 *
 * guard_check() is the two in a row, for single-threaded callers (the
 * REPL) and for proxy_decide()/origin_decide(), which may then run
 * unlocked on any thread once the lock callbacks are set.  A shell that
 * runs the slow step on a worker pool calls guard_verify() there and
 * guard_commit() when the result is back; a result left uncommitted has
 * the verdict GUARD_PENDING, which is not GUARD_OK: forgetting the commit
 * denies, it never lets a replay through.
 *
 * A count is recorded only after the response verified, so wrong guesses
 * cannot burn the counts of the real user (RFC 7616 §5.5).
 */
#ifndef LAB407_HTTP_GUARD_H
#define LAB407_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "credcache.h"
#include "digest.h"
#include "message.h"
#include "users.h"

#define GUARD_MAX_SCHEMES 5
#define GUARD_MAX_REALM 128
#define GUARD_MAX_USER 256
#define GUARD_MAX_REASON 512
#define GUARD_MAX_NONCE 128 /* our nonces are 56 characters */

/* A shell's lock around shared state; both NULL: no lock (one thread). */
struct guard_lock {
	void (*lock)(void *arg);
	void (*unlock)(void *arg);
	void *arg;
};

struct guard_config {
	bool proxy;				     /* 407 side when true */
	enum auth_scheme schemes[GUARD_MAX_SCHEMES]; /* offered, in order */
	size_t num_schemes;			     /* 0: no authentication */
	char realm[GUARD_MAX_REALM];
	const struct users *users; /* not owned */
	enum digest_alg
	    algs[DIGEST_ALG_COUNT]; /* Digest: one challenge each, in order */
	size_t num_algs;
	unsigned qops;	 /* DIGEST_QOP_* bits; 0 = RFC 2069 */
	bool userhash;	 /* offer userhash=true */
	char opaque[64]; /* Digest opaque, echoed back */
	/* Basic credentials verified recently against an htpasswd store
	 * (http/credcache.h), so a keep-alive client costs one slow hash,
	 * not one a request; not owned, NULL: none.  Made for this `users`: a
	 * shell that loads a new store gives it a new cache. */
	struct credcache *creds;
	struct guard_lock creds_lock; /* held around each use of creds */
};

struct guard_state {
	struct digest_nonce_key key; /* immutable after init; serial atomic */
	struct digest_nc_table nc;   /* shared, mutable: guard_commit() only */
	struct guard_lock nc_lock;   /* taken around every nc check-and-set */
};

enum guard_verdict {
	GUARD_OK,	    /* authenticated: user is set */
	GUARD_MISSING,	    /* no credentials in the field: challenge */
	GUARD_WRONG_SCHEME, /* a scheme we did not offer: challenge */
	GUARD_BAD,	    /* wrong user/password/response/token: challenge */
	GUARD_STALE,  /* Digest, right password, nonce expired (field "nonce")
			 or no longer tracked (field "nc"): stale=true */
	GUARD_REPLAY, /* Digest nonce count replayed: challenge */
	GUARD_MALFORMED, /* cannot parse what was sent: 400 */
	GUARD_PENDING	 /* verified, nc not yet committed: guard_commit() */
};

/* What guard_commit() has to do: one (nonce, nc) to check and record. */
struct guard_pending {
	bool nc;	 /* true: a count waits */
	uint64_t serial; /* the nonce, by serial */
	uint32_t count;	 /* its nc */
};

struct guard_result {
	enum guard_verdict verdict;
	enum http_err err;	   /* the precise cause, HTTP_OK on success */
	enum auth_scheme scheme;   /* scheme the client used, if any */
	char user[GUARD_MAX_USER]; /* who, when known (even if refused) */
	char reason[GUARD_MAX_REASON]; /* one sentence for logs, -v and the
					  REPL; never for the wire (it tells an
					  unknown user from a wrong password) */
	size_t detail;	 /* reason + detail: the sentence without its leading
			    "Proxy-Authorization: " (the credentials field's
			    name and a colon) when the reason has one, for a
			    caller that names the field itself; else 0 */
	char field[32];	 /* the Digest field at fault, or "" */
	char info[1024]; /* Authentication-Info value, or "" */
	struct guard_pending pending; /* for guard_commit() */
};

/*
 * The request body for qop=auth-int, in whichever form the shell has it.
 * Neither given (data NULL, hash NULL): the body was not read; auth-int is
 * then refused unless the request has no body at all, since hashing an
 * empty string for a body that is on its way would refuse an honest
 * client and accept a forged body.
 */
struct guard_body {
	const void *data; /* the whole body in memory, or NULL */
	size_t len;
	const char *hash; /* or H(entity-body) hex from digest_body_final(),
			     for the algorithm guard_body_alg() named; NULL */
};

/* Set up state: nonce secret from RAND_bytes, empty nc table, no lock. */
enum http_err guard_state_init(struct guard_state *st, unsigned nonce_lifetime);
/*
 * The lock guard_commit() holds around the nonce-count step, supplied by
 * a threaded shell (a pthread mutex, say); http/ creates no threads.
 */
void guard_state_set_lock(struct guard_state *st, void (*lock)(void *),
			  void (*unlock)(void *), void *arg);

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
/* True when cfg offers scheme s. */
bool guard_offers(const struct guard_config *cfg, enum auth_scheme s);

/*
 * Authenticate a request: guard_verify() then guard_commit().  method and
 * target come from the request line; body is the whole request body for
 * qop=auth-int, or NULL when it has not been read.  `now` is seconds
 * since the epoch.  Never fails: everything lands in *out.
 */
void guard_check(const struct guard_config *cfg, struct guard_state *st,
		 const struct http_request *req, const void *body,
		 size_t body_len, uint64_t now, struct guard_result *out);

/*
 * guard_check() for a body the shell did not keep whole: body->hash is
 * H(entity-body) made as it streamed (guard_body_alg, digest_body_*), or
 * body->data the body in memory; body may be NULL (not read).
 */
void guard_check_body(const struct guard_config *cfg, struct guard_state *st,
		      const struct http_request *req,
		      const struct guard_body *body, uint64_t now,
		      struct guard_result *out);

/*
 * The slow, thread-safe step: everything but the nonce count.  A Digest
 * answer that verified ends as GUARD_PENDING with out->pending set; every
 * other verdict is final.  body may be NULL (not read).  Touches only
 * *key's atomic serial (for a nextnonce).
 */
void guard_verify(const struct guard_config *cfg, struct digest_nonce_key *key,
		  const struct http_request *req, const struct guard_body *body,
		  uint64_t now, struct guard_result *out);

/*
 * The fast, shared step: for GUARD_PENDING, check and record the pending
 * nonce count under st->nc_lock and turn the verdict into GUARD_OK,
 * GUARD_REPLAY or GUARD_STALE (a nonce no longer tracked).  Any other
 * verdict is left as it is.  Call it once per guard_verify().
 */
void guard_commit(struct guard_state *st, struct guard_result *r);

/*
 * Would guard_verify() pass this request without a slow hash?  True when
 * its one credentials field is Basic, offered, and in cfg->creds as
 * verified (not expired at now): a shell may then decide on its own
 * thread rather than hand the decision to a worker.
 */
bool guard_remembered(const struct guard_config *cfg,
		      const struct http_request *req, uint64_t now);

/*
 * Does this request answer with Digest qop=auth-int?  Then *alg is the
 * algorithm to hash the body with (digest_body_init), so a shell can hash
 * it as it streams and pass guard_body.hash.  False when it does not, or
 * when the credentials do not parse (guard_verify will say why).
 */
bool guard_body_alg(const struct guard_config *cfg,
		    const struct http_request *req, enum digest_alg *alg);

/* ---- Challenging (http/guard_challenge.c) ---- */

/*
 * Append one challenge header line per offered scheme (Digest: one per
 * algorithm), "Name: value\r\n" each, in order.  `stale` adds stale=true to
 * Digest; `bearer_error` adds error="invalid_token" to Bearer (may be NULL).
 * Thread-safe like guard_verify(): a fresh nonce touches only st->key's
 * atomic serial.
 */
bool guard_challenge_write(const struct guard_config *cfg,
			   struct guard_state *st, uint64_t now, bool stale,
			   const char *bearer_error, struct http_buf *out);

/* ---- Between the guard's own files (http/guard*.c), not for shells ---- */

/* Set r's verdict, precise error, field at fault ("" or NULL: none) and
 * reason sentence. */
void guard_set_verdict(struct guard_result *r, enum guard_verdict v,
		       enum http_err err, const char *field, const char *fmt,
		       ...) __attribute__((format(printf, 5, 6)));
/* GUARD_OK for user, the reason "USER authenticated (HOW)": what
 * guard_set_verdict() would write, without printf (every accepted request
 * writes one). */
void guard_set_ok(struct guard_result *r, const char *user, const char *how);
/* GUARD_MALFORMED for the value of the credentials field: the reason is
 * the field's name, ": " and the sentence fmt makes; r->detail is set. */
void guard_set_malformed(struct guard_result *r, const struct guard_config *cfg,
			 enum http_err err, const char *field, const char *fmt,
			 ...) __attribute__((format(printf, 5, 6)));
/* "proxy" or "server", for reasons. */
const char *guard_party(const struct guard_config *cfg);

/* ---- Checking Basic (http/guard_basic.c) ---- */

/*
 * The Basic credentials c (RFC 7617 §2): fills *r as guard_verify()
 * would, GUARD_OK for a user and password that match the store (or that
 * cfg->creds remembers as verified before now), GUARD_BAD or
 * GUARD_MALFORMED otherwise.
 */
void guard_basic_check(const struct guard_config *cfg,
		       const struct auth_challenge *c, uint64_t now,
		       struct guard_result *r);
/* The Basic credentials c are in cfg->creds as verified, not expired at
 * now (guard_remembered()). */
bool guard_basic_remembered(const struct guard_config *cfg,
			    const struct auth_challenge *c, uint64_t now);

/* ---- Checking Digest (http/guard_digest.c) ---- */

/*
 * The Digest credentials c of req (RFC 7616 §3.4): fills *r as
 * guard_verify() would, leaving a good answer GUARD_PENDING with the
 * nonce count to commit and r->info set.  body as for guard_verify().
 */
void guard_digest_check(const struct guard_config *cfg,
			struct digest_nonce_key *key,
			const struct http_request *req,
			const struct auth_challenge *c,
			const struct guard_body *body, uint64_t now,
			struct guard_result *r);

/*
 * Authentication-Info (or Proxy-) after a request that verified with
 * qop=auth-int: rspauth then covers H(entity-body) of the response
 * (RFC 7616 §3.5), so guard_verify() leaves only nextnonce in r->info, and the
 * server calls this once it knows its response body: `info` is r->info,
 * `user` r->user, body[0..body_len) the response's entity-body (no
 * transfer coding).  Writes info plus qop=auth-int, rspauth, cnonce and nc
 * to out[0..cap); false (out untouched) when req is not a Digest auth-int
 * request of this configuration or anything fails: then send info as it
 * is, never a guess.  Reads the store for HA1 again; thread-safe.
 */
bool guard_digest_info(const struct guard_config *cfg,
		       const struct http_request *req, const char *user,
		       const char *info, const void *body, size_t body_len,
		       char *out, size_t cap);

/* ---- Setting up a server (http/guard_setup.c) ---- */

/*
 * Schemes, realm, Digest algorithms and qop from the command-line
 * spellings (--auth, --realm, --digest-algorithms, --qop).  A proxy may
 * offer none; an origin must offer one.  HTTP_E_CONFIG, sentence in why.
 */
enum http_err guard_setup_options(struct guard_config *cfg, bool proxy,
				  const char *auth, const char *realm,
				  const char *algs, const char *qop, char *err,
				  size_t err_cap);
/*
 * The credential store: users_file or the side's lab defaults, then
 * tokens_file, checked against every offered scheme.  *plaintext: warn.
 */
enum http_err guard_setup_users(const struct guard_config *cfg, struct users *u,
				enum users_side side, const char *users_file,
				const char *tokens_file, bool *plaintext,
				char *err, size_t err_cap);

#endif
