/*
 * tests/unit/test_repl_reach.c - where an outside client's request may
 * go (repl/release.c release_reachable()): with `reach loopback` only
 * the loopback addresses among those the ACL checked, with `reach any`
 * all of them, in order, never more than the room given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "../../repl/release.h"

/* One address from its text (IPv4 or IPv6). */
static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;

		v6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &v6->sin6_addr), 1);
	} else {
		struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;

		v4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &v4->sin_addr), 1);
	}
	return ss;
}

static const struct {
	const char *text;
	bool loopback;
} cases[] = {
    {"127.0.0.1", true},
    {"127.1.2.3", true},
    {"127.255.255.254", true},
    {"::1", true},
    {"::ffff:127.0.0.1", true},
    {"::ffff:127.9.9.9", true},
    {"10.0.0.1", false},
    {"192.0.2.1", false},
    {"128.0.0.1", false},
    {"0.0.0.0", false},
    {"::", false},
    {"::ffff:192.0.2.1", false},
    {"2001:db8::1", false},
    {"fe80::1", false},
};
#define N (sizeof(cases) / sizeof(cases[0]))

/* Each address alone: kept by `reach loopback` only when loopback, always
 * by `reach any`. */
static void test_each(void **state)
{
	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct sockaddr_storage in = addr(cases[i].text), out;

		if (release_reachable(&in, 1, false, &out, 1) !=
		    (cases[i].loopback ? 1u : 0u))
			fail_msg("reach loopback and %s", cases[i].text);
		assert_int_equal(release_reachable(&in, 1, true, &out, 1), 1);
		assert_memory_equal(&out, &in, sizeof(in));
	}
}

/* All of them at once: the loopback ones in their order; with `any`, all;
 * cut to the room. */
static void test_list(void **state)
{
	struct sockaddr_storage in[N], out[N];
	size_t loop = 0, k;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		in[i] = addr(cases[i].text);
		loop += cases[i].loopback;
	}
	k = release_reachable(in, N, false, out, N);
	assert_int_equal(k, loop);
	for (size_t i = 0, j = 0; i < N; i++)
		if (cases[i].loopback)
			assert_memory_equal(&out[j++], &in[i], sizeof(in[i]));
	assert_int_equal(release_reachable(in, N, true, out, N), N);
	assert_memory_equal(out, in, sizeof(in));
	assert_int_equal(release_reachable(in, N, true, out, 3), 3);
	assert_int_equal(release_reachable(in, 0, true, out, N), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each),
	    cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
