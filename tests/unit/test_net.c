/*
 * tests/unit/test_net.c - resolve once, connect to what was resolved:
 * net_resolve() is bounded and keeps the port; net_connect_addr() uses
 * only the addresses it is given; net_listen_addrs() and net_peer_addr()
 * report what the ACL checks.  Everything on 127.0.0.1.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "../../net/net.h"

/* The IPv4 address and port of a socket address, as text. */
static void v4_text(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	char a[INET_ADDRSTRLEN];

	assert_int_equal(ss->ss_family, AF_INET);
	inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
	snprintf(out, cap, "%s:%u", a, ntohs(in->sin_port));
}

/* Numeric spellings resolve without DNS, to one address, port kept. */
static void test_resolve(void **state)
{
	static const char *const spellings[] = {"127.0.0.1", "127.1",
						"2130706433", "0x7f.0.0.1"};
	struct sockaddr_storage addrs[NET_MAX_RESOLVED];
	char err[300], text[64];
	enum net_fail why;

	(void)state;
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		size_t n =
		    net_resolve(spellings[i], 8080, addrs, NET_MAX_RESOLVED,
				&why, err, sizeof(err));

		if (n != 1)
			fail_msg("%s: %zu addresses (%s)", spellings[i], n,
				 err);
		v4_text(&addrs[0], text, sizeof(text));
		assert_string_equal(text, "127.0.0.1:8080");
		assert_int_equal(why, NET_NONE);
	}
	/* the bound is kept: never more than cap */
	assert_true(net_resolve("localhost", 80, addrs, 1, &why, err,
				sizeof(err)) <= 1);
	assert_int_equal(
	    net_resolve("localhost", 80, addrs, 0, &why, err, sizeof(err)), 0);
	/* RFC 6761 §6.4: .invalid never resolves */
	assert_int_equal(net_resolve("no-such-host.invalid", 80, addrs,
				     NET_MAX_RESOLVED, &why, err, sizeof(err)),
			 0);
	assert_int_equal(why, NET_DNS);
	assert_non_null(strstr(err, "no-such-host.invalid"));
}

/* Connect to exactly the given addresses: the listener, then a closed
 * port, then nothing at all. */
static void test_connect_addr(void **state)
{
	char bound[NET_MAX_ADDR], host[NET_MAX_ADDR], err[300], text[64];
	struct sockaddr_storage addrs[2], own[4], peer;
	unsigned port, lport;
	bool wildcard;
	enum net_fail why;
	size_t used = 99;
	int lfd, fd, closed_fd;

	(void)state;
	lfd = net_listen("127.0.0.1:0", bound, sizeof(bound), err, sizeof(err));
	assert_true(lfd >= 0);
	assert_true(net_split_hostport(bound, host, sizeof(host), &port));

	/* where it listens: the one address, not a wildcard */
	assert_int_equal(net_listen_addrs(lfd, own, 4, &lport, &wildcard), 1);
	assert_false(wildcard);
	assert_int_equal(lport, port);
	v4_text(&own[0], text, sizeof(text));
	assert_string_equal(text, bound);

	/* a closed port first, the listener second: the second is used */
	closed_fd =
	    net_listen("127.0.0.1:0", host, sizeof(host), err, sizeof(err));
	assert_true(closed_fd >= 0);
	assert_int_equal(
	    net_resolve("127.0.0.1", 0, addrs, 1, &why, err, sizeof(err)), 1);
	{
		unsigned cport;
		char h2[NET_MAX_ADDR];

		assert_true(net_split_hostport(host, h2, sizeof(h2), &cport));
		close(closed_fd); /* nothing listens there now */
		assert_int_equal(net_resolve("127.0.0.1", cport, &addrs[0], 1,
					     &why, err, sizeof(err)),
				 1);
	}
	assert_int_equal(net_resolve("127.0.0.1", port, &addrs[1], 1, &why, err,
				     sizeof(err)),
			 1);
	fd = net_connect_addr(addrs, 2, "test", 2000, &used, &why, err,
			      sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(used, 1);
	assert_true(net_peer_addr(fd, &peer));
	v4_text(&peer, text, sizeof(text));
	assert_string_equal(text, bound);
	close(fd);

	/* only the closed port: refused, and the message names it */
	fd = net_connect_addr(addrs, 1, "test", 2000, NULL, &why, err,
			      sizeof(err));
	assert_int_equal(fd, -1);
	assert_int_equal(why, NET_REFUSED);
	assert_non_null(strstr(err, "Connection refused"));

	/* no address: nothing is tried */
	fd = net_connect_addr(addrs, 0, "test", 2000, NULL, &why, err,
			      sizeof(err));
	assert_int_equal(fd, -1);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_connect_addr),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
