/*
 * tests/unit/test_credcache.c - the verified-credentials cache
 * (http/credcache.c) and its use by the guard's Basic check.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../http/auth.h"
#include "../../http/credcache.h"
#include "../../http/guard.h"
#include "../../http/users.h"

#define NOW 1700000000u
#define TTL 60u

/* A tag with chosen first bytes (which pick the set) and a tail. */
static void make_tag(unsigned char tag[CREDCACHE_TAG_LEN], unsigned set,
		     unsigned tail)
{
	memset(tag, 0, CREDCACHE_TAG_LEN);
	tag[0] = (unsigned char)(set >> 8);
	tag[1] = (unsigned char)set;
	tag[CREDCACHE_TAG_LEN - 1] = (unsigned char)tail;
	tag[CREDCACHE_TAG_LEN - 2] = (unsigned char)(tail >> 8);
}

static struct credcache *cache_new(unsigned ttl)
{
	struct credcache *c = malloc(sizeof(*c));

	assert_non_null(c);
	assert_int_equal(credcache_init(c, ttl), HTTP_OK);
	return c;
}

/* ---- The table ---- */

/* In, found; not in, not found; found only until the TTL runs out. */
static void test_hit_miss_expiry(void **state)
{
	struct credcache *c = cache_new(TTL);
	unsigned char a[CREDCACHE_TAG_LEN], b[CREDCACHE_TAG_LEN];

	(void)state;
	make_tag(a, 7, 1);
	make_tag(b, 7, 2);			 /* same set, another tag */
	assert_false(credcache_seen(c, a, NOW)); /* empty */
	credcache_remember(c, a, NOW);
	assert_true(credcache_seen(c, a, NOW));
	assert_true(credcache_seen(c, a, NOW + TTL - 1));
	assert_false(credcache_seen(c, b, NOW)); /* never went in */
	/* expiry counts from when it went in, not from the last hit */
	assert_false(credcache_seen(c, a, NOW + TTL));
	assert_false(credcache_seen(c, a, NOW + 1)); /* gone for good */
	/* remembering again starts a new TTL */
	credcache_remember(c, a, NOW + 100);
	assert_true(credcache_seen(c, a, NOW + 100 + TTL - 1));
	assert_false(credcache_seen(c, a, NOW + 100 + TTL + 5));
	credcache_free(c);
	free(c);
}

/* TTL 0: off, nothing is ever found. */
static void test_ttl_zero(void **state)
{
	struct credcache *c = cache_new(0);
	unsigned char a[CREDCACHE_TAG_LEN];

	(void)state;
	make_tag(a, 1, 1);
	credcache_remember(c, a, NOW);
	assert_false(credcache_seen(c, a, NOW));
	credcache_free(c);
	free(c);
}

/*
 * Bounded: a full set drops its least recently used entry; other sets
 * are untouched.  Several sets, first and last among them.
 */
static void test_eviction(void **state)
{
	static const unsigned sets[] = {0, 1, 77, CREDCACHE_SETS - 1};
	struct credcache *c = cache_new(TTL);
	unsigned char t[CREDCACHE_WAYS + 1][CREDCACHE_TAG_LEN];
	unsigned char other[CREDCACHE_TAG_LEN];

	(void)state;
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		print_message("set %u\n", sets[s]);
		credcache_clear(c);
		make_tag(other, (sets[s] + 1) % CREDCACHE_SETS, 999);
		credcache_remember(c, other, NOW);
		for (unsigned i = 0; i < CREDCACHE_WAYS; i++) {
			make_tag(t[i], sets[s], i + 1);
			credcache_remember(c, t[i], NOW);
		}
		/* t[0] used again: t[1] is now the least recently used */
		assert_true(credcache_seen(c, t[0], NOW));
		make_tag(t[CREDCACHE_WAYS], sets[s], 500);
		credcache_remember(c, t[CREDCACHE_WAYS], NOW);
		assert_false(credcache_seen(c, t[1], NOW));
		assert_true(credcache_seen(c, t[0], NOW));
		for (unsigned i = 2; i <= CREDCACHE_WAYS; i++)
			assert_true(credcache_seen(c, t[i], NOW));
		assert_true(credcache_seen(c, other, NOW));
	}
	/* the whole table: never more than CREDCACHE_MAX entries live */
	credcache_clear(c);
	for (unsigned i = 0; i < 4 * CREDCACHE_MAX; i++) {
		unsigned char x[CREDCACHE_TAG_LEN];

		make_tag(x, i % CREDCACHE_SETS, i);
		credcache_remember(c, x, NOW);
	}
	{
		size_t live = 0;

		for (size_t i = 0; i < CREDCACHE_MAX; i++)
			live += c->v[i].used != 0;
		assert_int_equal(live, CREDCACHE_MAX);
	}
	credcache_free(c);
	free(c);
}

/* Clearing forgets every entry. */
static void test_clear(void **state)
{
	struct credcache *c = cache_new(TTL);
	unsigned char t[CREDCACHE_TAG_LEN];

	(void)state;
	for (unsigned i = 0; i < 50; i++) {
		make_tag(t, i * 5 % CREDCACHE_SETS, i);
		credcache_remember(c, t, NOW);
	}
	credcache_clear(c);
	for (unsigned i = 0; i < 50; i++) {
		make_tag(t, i * 5 % CREDCACHE_SETS, i);
		assert_false(credcache_seen(c, t, NOW));
	}
	credcache_free(c);
	free(c);
}

/* ---- The tag ---- */

/* True when needle's bytes appear anywhere in hay. */
static bool contains(const void *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k > 0 && i + k <= n; i++)
		if (memcmp((const char *)hay + i, needle, k) == 0)
			return true;
	return false;
}

struct tag_case {
	const char *comment;
	const char *user, *pass, *secret;
};

static const struct tag_case tag_cases[] = {
    {"a bcrypt user", "alice", "wonderland",
     "$2y$04$3IuwD58XQCFi5iVwbrHjz.gRZ30WR1KVsP7BeR1vaTsqu/2zno9E2"},
    {"empty password", "bob", "", "$apr1$abcdefgh$VS3vSM84y6riPqgPCrpTW."},
    {"a password as long as the tag", "carol",
     "0123456789abcdef0123456789abcdef", "{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="},
    {"user and password run together differently", "alic", "ewonderland",
     "$2y$04$3IuwD58XQCFi5iVwbrHjz.gRZ30WR1KVsP7BeR1vaTsqu/2zno9E2"},
};

/*
 * The tag is a keyed hash: it never holds the password or the user, the
 * cache's memory never holds them after remembering, two caches (two
 * keys) tag the same credentials differently, and each field changes it.
 */
static void test_tag_never_the_credential(void **state)
{
	size_t n = sizeof(tag_cases) / sizeof(tag_cases[0]);
	unsigned char tags[sizeof(tag_cases) / sizeof(tag_cases[0])]
			  [CREDCACHE_TAG_LEN];
	struct credcache *c = cache_new(TTL), *d = cache_new(TTL);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct tag_case *tc = &tag_cases[i];
		unsigned char other[CREDCACHE_TAG_LEN];

		print_message("case: %s\n", tc->comment);
		assert_true(credcache_tag(c, tc->user, tc->pass,
					  strlen(tc->pass), tc->secret,
					  tags[i]));
		assert_false(contains(tags[i], CREDCACHE_TAG_LEN, tc->user));
		if (strlen(tc->pass) >= 3)
			assert_false(
			    contains(tags[i], CREDCACHE_TAG_LEN, tc->pass));
		assert_true(strlen(tc->pass) != CREDCACHE_TAG_LEN ||
			    memcmp(tags[i], tc->pass, CREDCACHE_TAG_LEN) != 0);
		credcache_remember(c, tags[i], NOW);
		assert_false(contains(c, sizeof(*c), tc->user));
		if (strlen(tc->pass) >= 3)
			assert_false(contains(c, sizeof(*c), tc->pass));
		/* another key, another tag */
		assert_true(credcache_tag(d, tc->user, tc->pass,
					  strlen(tc->pass), tc->secret, other));
		assert_memory_not_equal(tags[i], other, CREDCACHE_TAG_LEN);
		/* the stored secret is part of it */
		assert_true(credcache_tag(c, tc->user, tc->pass,
					  strlen(tc->pass), "$apr1$other$x",
					  other));
		assert_memory_not_equal(tags[i], other, CREDCACHE_TAG_LEN);
		/* the same three: the same tag */
		assert_true(credcache_tag(c, tc->user, tc->pass,
					  strlen(tc->pass), tc->secret, other));
		assert_memory_equal(tags[i], other, CREDCACHE_TAG_LEN);
	}
	/* every case differs from every other (alice/wonderland against
	 * alic/ewonderland: the lengths keep them apart) */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_memory_not_equal(tags[i], tags[j],
						CREDCACHE_TAG_LEN);
	/* too long to tag: not remembered, and said so */
	{
		static char big[CREDCACHE_MAX_INPUT + 1];
		unsigned char t[CREDCACHE_TAG_LEN];

		memset(big, 'p', sizeof(big) - 1);
		assert_false(
		    credcache_tag(c, "alice", big, strlen(big), "s", t));
	}
	credcache_free(c);
	credcache_free(d);
	free(c);
	free(d);
}

/* ---- In the guard ---- */

/* alice:wonderland as Apache MD5 (openssl passwd -apr1 -salt abcdefgh):
 * a real htpasswd hash that is quick to check. */
#define ALICE_APR1 "$apr1$abcdefgh$VS3vSM84y6riPqgPCrpTW."
/* bob:wonderland, htpasswd -s */
#define BOB_SHA "{SHA}tiY7sUhYKUwI5L3866kDY+ENcrQ="

struct gworld {
	struct users_entry e[2];
	char secret[2][128];
	struct users users;
	struct guard_config cfg;
	struct guard_state st;
	struct credcache cache;
	int locks, unlocks;
};

static void count_lock(void *arg)
{
	((struct gworld *)arg)->locks++;
}

static void count_unlock(void *arg)
{
	((struct gworld *)arg)->unlocks++;
}

static struct gworld *gworld_new(void)
{
	struct gworld *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	snprintf(w->secret[0], sizeof(w->secret[0]), "%s", ALICE_APR1);
	snprintf(w->secret[1], sizeof(w->secret[1]), "%s", BOB_SHA);
	w->e[0] = (struct users_entry){"alice", w->secret[0], NULL};
	w->e[1] = (struct users_entry){"bob", w->secret[1], NULL};
	w->users.kind = USERS_HTPASSWD;
	w->users.v = w->e;
	w->users.n = 2;
	w->cfg.proxy = true;
	assert_int_equal(auth_scheme_list_parse("basic", w->cfg.schemes,
						GUARD_MAX_SCHEMES,
						&w->cfg.num_schemes),
			 HTTP_OK);
	snprintf(w->cfg.realm, sizeof(w->cfg.realm), "lab407 proxy");
	w->cfg.users = &w->users;
	assert_int_equal(credcache_init(&w->cache, TTL), HTTP_OK);
	w->cfg.creds = &w->cache;
	w->cfg.creds_lock.lock = count_lock;
	w->cfg.creds_lock.unlock = count_unlock;
	w->cfg.creds_lock.arg = w;
	assert_int_equal(guard_state_init(&w->st, 0), HTTP_OK);
	return w;
}

/* Check one Proxy-Authorization value at now; also what
 * guard_remembered() said before the check. */
static void gcheck(struct gworld *w, const char *value, uint64_t now,
		   struct guard_result *r, bool *remembered)
{
	char raw[1024];
	struct http_request req;
	enum http_err e = HTTP_OK;
	int n;

	n = snprintf(raw, sizeof(raw),
		     "GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n"
		     "Proxy-Authorization: %s\r\n\r\n",
		     value);
	assert_true(n > 0 && (size_t)n < sizeof(raw));
	assert_int_equal(http_parse_request(raw, (size_t)n, &req, &e), n);
	*remembered = guard_remembered(&w->cfg, &req, now);
	guard_check(&w->cfg, &w->st, &req, NULL, 0, now, r);
	assert_int_equal(w->locks, w->unlocks);
}

#define ALICE_OK "Basic YWxpY2U6d29uZGVybGFuZA=="    /* alice:wonderland */
#define ALICE_WRONG "Basic YWxpY2U6V29uZGVybGFuZA==" /* alice:Wonderland */
#define ALICE_EMPTY "Basic YWxpY2U6"		     /* alice: */
#define NOBODY "Basic bWFsbG9yeTp3b25kZXJsYW5k"	     /* mallory:wonderland */

/* A success goes in; the next check of the same credentials is a hit. */
static void test_guard_hit(void **state)
{
	struct gworld *w = gworld_new();
	struct guard_result r;
	bool rem;

	(void)state;
	gcheck(w, ALICE_OK, NOW, &r, &rem);
	assert_false(rem);
	assert_int_equal(r.verdict, GUARD_OK);
	assert_null(strstr(r.reason, "verified earlier"));
	for (unsigned i = 1; i < 5; i++) {
		gcheck(w, ALICE_OK, NOW + i, &r, &rem);
		assert_true(rem);
		assert_int_equal(r.verdict, GUARD_OK);
		assert_string_equal(r.user, "alice");
		assert_non_null(strstr(r.reason, "verified earlier"));
	}
	assert_true(w->locks > 0);
	/* past the TTL: checked the slow way again, then remembered anew */
	gcheck(w, ALICE_OK, NOW + TTL + 1, &r, &rem);
	assert_false(rem);
	assert_int_equal(r.verdict, GUARD_OK);
	assert_null(strstr(r.reason, "verified earlier"));
	gcheck(w, ALICE_OK, NOW + TTL + 2, &r, &rem);
	assert_true(rem);
	credcache_free(&w->cache);
	free(w);
}

/*
 * Failures never go in: a wrong password, an empty one, an unknown
 * user, each tried several times, each still refused, and none of them
 * makes the right password a hit before it has succeeded once.
 */
static void test_guard_failures_not_cached(void **state)
{
	static const struct {
		const char *comment, *value;
		enum http_err err;
	} bad[] = {
	    {"wrong password", ALICE_WRONG, HTTP_E_BAD_PASSWORD},
	    {"empty password", ALICE_EMPTY, HTTP_E_BAD_PASSWORD},
	    {"unknown user", NOBODY, HTTP_E_BAD_USER},
	};
	struct gworld *w = gworld_new();
	struct guard_result r;
	bool rem;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("case: %s\n", bad[i].comment);
		for (unsigned k = 0; k < 3; k++) {
			gcheck(w, bad[i].value, NOW + k, &r, &rem);
			assert_false(rem);
			assert_int_equal(r.verdict, GUARD_BAD);
			assert_int_equal(r.err, bad[i].err);
		}
	}
	for (size_t i = 0; i < CREDCACHE_MAX; i++)
		assert_int_equal(w->cache.v[i].used, 0);
	/* after a success, the wrong password is still wrong */
	gcheck(w, ALICE_OK, NOW, &r, &rem);
	assert_int_equal(r.verdict, GUARD_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gcheck(w, bad[i].value, NOW + 1, &r, &rem);
		assert_false(rem);
		assert_int_equal(r.verdict, GUARD_BAD);
	}
	credcache_free(&w->cache);
	free(w);
}

/*
 * The password changed in the store (a new hash for alice): what was
 * remembered no longer matches, the old password is refused and the new
 * one checked the slow way.
 */
static void test_guard_changed_password(void **state)
{
	struct gworld *w = gworld_new();
	struct guard_result r;
	bool rem;

	(void)state;
	gcheck(w, ALICE_OK, NOW, &r, &rem);
	gcheck(w, ALICE_OK, NOW, &r, &rem);
	assert_true(rem);
	/* alice:Wonderland now (openssl passwd -apr1 -salt abcdefgh) */
	snprintf(w->secret[0], sizeof(w->secret[0]), "%s",
		 "$apr1$abcdefgh$ffu824L1vPYVtLhYCbAzq.");
	gcheck(w, ALICE_OK, NOW + 1, &r, &rem);
	assert_false(rem);
	assert_int_equal(r.verdict, GUARD_BAD);
	assert_int_equal(r.err, HTTP_E_BAD_PASSWORD);
	gcheck(w, ALICE_WRONG, NOW + 1, &r, &rem);
	assert_false(rem);
	assert_int_equal(r.verdict, GUARD_OK);
	gcheck(w, ALICE_WRONG, NOW + 2, &r, &rem);
	assert_true(rem);
	credcache_free(&w->cache);
	free(w);
}

/* No cache, or a store that is not htpasswd: never remembered. */
static void test_guard_no_cache(void **state)
{
	struct gworld *w = gworld_new();
	struct guard_result r;
	bool rem;

	(void)state;
	w->cfg.creds = NULL;
	for (unsigned i = 0; i < 3; i++) {
		gcheck(w, ALICE_OK, NOW, &r, &rem);
		assert_false(rem);
		assert_int_equal(r.verdict, GUARD_OK);
	}
	w->cfg.creds = &w->cache;
	w->users.kind = USERS_PLAIN;
	snprintf(w->secret[0], sizeof(w->secret[0]), "wonderland");
	for (unsigned i = 0; i < 3; i++) {
		gcheck(w, ALICE_OK, NOW, &r, &rem);
		assert_false(rem);
		assert_int_equal(r.verdict, GUARD_OK);
	}
	assert_int_equal(w->locks, 0);
	credcache_free(&w->cache);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_miss_expiry),
	    cmocka_unit_test(test_ttl_zero),
	    cmocka_unit_test(test_eviction),
	    cmocka_unit_test(test_clear),
	    cmocka_unit_test(test_tag_never_the_credential),
	    cmocka_unit_test(test_guard_hit),
	    cmocka_unit_test(test_guard_failures_not_cached),
	    cmocka_unit_test(test_guard_changed_password),
	    cmocka_unit_test(test_guard_no_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
