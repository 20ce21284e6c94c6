/*
 * tests/unit/guard_world.h - the fixture test_guard.c and
 * test_guard_digest.c share: the lab's users and one side's guard
 * configuration, and a request checked by guard_check().  Static
 * functions, included by one test file each.
 */
#ifndef LAB407_TESTS_GUARD_WORLD_H
#define LAB407_TESTS_GUARD_WORLD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/guard.h"

#define NOW 1700000000u
#define PREALM "lab407 proxy"
#define OREALM "lab407 origin"
#define PTARGET "http://example.org/"
#define OTARGET "/private"

/* ---- Fixture ---- */

struct world {
	struct users users;
	struct guard_config cfg;
	struct guard_state st;
};

/* A world for one side offering `schemes` ("basic,digest"). */
static struct world *world_new(bool proxy, const char *schemes)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	assert_int_equal(users_defaults(&w->users, proxy ? USERS_SIDE_PROXY
							 : USERS_SIDE_ORIGIN),
			 HTTP_OK);
	w->cfg.proxy = proxy;
	assert_int_equal(auth_scheme_list_parse(schemes, w->cfg.schemes,
						GUARD_MAX_SCHEMES,
						&w->cfg.num_schemes),
			 HTTP_OK);
	snprintf(w->cfg.realm, sizeof(w->cfg.realm), "%s",
		 proxy ? PREALM : OREALM);
	w->cfg.users = &w->users;
	for (size_t i = 0; i < DIGEST_ALG_COUNT; i++)
		w->cfg.algs[i] = (enum digest_alg)i;
	w->cfg.num_algs = DIGEST_ALG_COUNT;
	w->cfg.qops = DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT;
	assert_int_equal(guard_state_init(&w->st, 0), HTTP_OK);
	return w;
}

static void world_free(struct world *w)
{
	users_free(&w->users);
	free(w);
}

/*
 * Parse "METHOD TARGET HTTP/1.1\r\n" + headers + "\r\n" and run
 * guard_check at `now`.
 */
static void check_at(struct world *w, const char *method, const char *target,
		     const char *headers, const char *body, uint64_t now,
		     struct guard_result *r)
{
	char raw[8192];
	struct http_request req;
	enum http_err e = HTTP_OK;
	int n;

	n = snprintf(raw, sizeof(raw), "%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n",
		     method, target, headers);
	assert_true(n > 0 && (size_t)n < sizeof(raw));
	assert_int_equal(http_parse_request(raw, (size_t)n, &req, &e), n);
	guard_check(&w->cfg, &w->st, &req, body, body ? strlen(body) : 0, now,
		    r);
}

#endif
