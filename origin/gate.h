/*
 * origin/gate.h - the origin server's decision, as a pure function.
 *
 *   request + rules  ->  200 | 401 (with WWW-Authenticate) | 403 | 404 | 400
 *
 * First "who are you" (http/guard.c, 401), then "may you" (origin/rules.c,
 * 403 without a challenge: RFC 9110 §15.5.4).  Lesson 05.
 */
#ifndef LAB407_ORIGIN_GATE_H
#define LAB407_ORIGIN_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/buf.h"
#include "../http/guard.h"
#include "../http/message.h"
#include "rules.h"

#define ORIGIN_MAX_WHY 512

struct origin_config {
	struct guard_config guard; /* proxy = false */
	const struct rules *rules; /* not owned; NULL: the default lab rules */
};

struct origin_state {
	struct guard_state guard;
};

struct origin_decision {
	int status;
	struct http_buf out;	   /* owned: the whole response */
	char user[GUARD_MAX_USER]; /* authenticated user, or "" */
	char why[ORIGIN_MAX_WHY];  /* "origin: /private needs a user, none given
				      -> 401" */
	const char *lesson;	   /* "05" */
};

enum http_err origin_state_init(struct origin_state *st,
				unsigned nonce_lifetime);
void origin_decision_init(struct origin_decision *d);
void origin_decision_free(struct origin_decision *d);

/*
 * Answer one request.  The 200 body names the path and echoes the request
 * headers received (so a student sees Proxy-Authorization never arrives).
 */
void origin_decide(const struct origin_config *cfg, struct origin_state *st,
		   const struct http_request *req, const void *body,
		   size_t body_len, uint64_t now, struct origin_decision *d);

#endif
