/*
 * proxy/gate_authn.h - step 2 of the proxy's decision, "who are you?", for
 * the schemes that authenticate each request (Basic, Digest, Bearer):
 * http/guard.c checks Proxy-Authorization, and proxy/gate_authn.c turns
 * its verdict into the 407 or the 400 (lessons 02, 03, 04).
 */
#ifndef LAB407_PROXY_GATE_AUTHN_H
#define LAB407_PROXY_GATE_AUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/facts.h"
#include "../http/guard.h"
#include "gate.h"

/*
 * Check the request's Proxy-Authorization (http/guard.c).  True when it
 * proved a user: d->user, d->scheme and d->info_header are set.  False
 * when d now holds the answer: 407 (missing, wrong or stale credentials)
 * or 400 (credentials that do not parse).  d->auth_verdict is the
 * guard's verdict either way.  body as for proxy_decide().
 */
bool proxy_authn_request(const struct proxy_config *cfg, struct proxy_state *st,
			 const struct facts *f, const void *body,
			 size_t body_len, uint64_t now,
			 struct proxy_decision *d);

/*
 * 407 with a challenge per offered scheme (RFC 9110 §15.5.8, §11.7.1),
 * for the refusal r; the body and d->why say which case it was.
 */
void proxy_authn_challenge(const struct proxy_config *cfg,
			   struct proxy_state *st, const struct facts *f,
			   const struct guard_result *r, uint64_t now,
			   struct proxy_decision *d);

/* 400: the credentials r refused as GUARD_MALFORMED do not parse (RFC
 * 9110 §15.5.1); the body names the fault. */
void proxy_authn_refuse(const struct facts *f, const struct guard_result *r,
			struct proxy_decision *d);

#endif
