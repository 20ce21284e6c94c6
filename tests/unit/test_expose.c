/*
 * tests/unit/test_expose.c - may bin/proxy listen there?  Loopback is
 * always fine; beyond it, --auth none or the compiled-in lab users need
 * --allow-exposed.  (The refusal itself, before binding, is tested on
 * bin/proxy in tests/integration/proxy_ssrf.sh; nothing here binds.)
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../proxy/expose.h"

struct loopback_case {
	const char *host;
	bool loopback;
};

static const struct loopback_case loopback_cases[] = {
    {"127.0.0.1", true},
    {"127.0.0.2", true}, /* all of 127.0.0.0/8 */
    {"127.255.255.254", true},
    {"127.1", true}, /* inet_aton spellings bind 127.0.0.1 */
    {"2130706433", true},
    {"::1", true},
    {"[::1]", true},
    {"0:0:0:0:0:0:0:1", true},
    {"::ffff:127.0.0.1", true}, /* IPv4-mapped loopback */
    {"localhost", true},
    {"LocalHost", true},
    {"localhost.", true},
    {"0.0.0.0", false}, /* the wildcard: every interface */
    {"::", false},
    {"[::]", false},
    {"0", false},
    {"128.0.0.1", false},
    {"126.255.255.255", false},
    {"192.0.2.1", false},
    {"::2", false},
    {"lab.example", false}, /* a name is not known to be loopback */
    {"localhost.example", false},
    {"", false},
};

static void test_loopback(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(loopback_cases) / sizeof(loopback_cases[0]); i++) {
		const struct loopback_case *tc = &loopback_cases[i];

		if (expose_is_loopback(tc->host) != tc->loopback)
			fail_msg("'%s': loopback=%d", tc->host, !tc->loopback);
	}
}

struct expose_case {
	const char *comment;
	const char *host;
	bool auth_none, lab_users, acknowledged;
	bool refused;
	const char *why; /* a word the reason must contain */
};

static const struct expose_case expose_cases[] = {
    {"loopback, open", "127.0.0.1", true, true, false, false, NULL},
    {"loopback v6, lab users", "::1", false, true, false, false, NULL},
    {"wildcard, open", "0.0.0.0", true, false, false, true, "--auth none"},
    {"wildcard, open, lab users", "0.0.0.0", true, true, false, true,
     "--auth none"},
    {"wildcard, lab users", "0.0.0.0", false, true, false, true, "--users"},
    {"v6 wildcard, lab users", "::", false, true, false, true, "lab users"},
    {"address, open", "192.0.2.1", true, false, false, true, "--auth none"},
    {"name, lab users", "proxy.example", false, true, false, true, "README"},
    /* a users file of one's own and authentication: nothing to say */
    {"wildcard, own users", "0.0.0.0", false, false, false, false, NULL},
    /* the flag acknowledges both */
    {"wildcard, open, acknowledged", "0.0.0.0", true, false, true, false, NULL},
    {"wildcard, lab users, acknowledged", "0.0.0.0", false, true, true, false,
     NULL},
    {"name, both, acknowledged", "proxy.example", true, true, true, false,
     NULL},
};

static void test_expose(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expose_cases) / sizeof(expose_cases[0]);
	     i++) {
		const struct expose_case *tc = &expose_cases[i];
		const char *why = expose_check(tc->host, tc->auth_none,
					       tc->lab_users, tc->acknowledged);

		if ((why != NULL) != tc->refused)
			fail_msg("%s: refused=%d", tc->comment, !tc->refused);
		if (why == NULL)
			continue;
		/* the reason says why and names the flag */
		if (strstr(why, tc->why) == NULL ||
		    strstr(why, EXPOSE_FLAG) == NULL)
			fail_msg("%s: reason '%s'", tc->comment, why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loopback),
	    cmocka_unit_test(test_expose),
	};

	return cmocka_run_group_tests_name("expose", tests, NULL, NULL);
}
