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
/* v4 as a sockaddr_storage. */
static struct sockaddr_storage v4(uint32_t host_order)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(8080);
	in->sin_addr.s_addr = htonl(host_order);
	return ss;
}

/* net_ip_text() writes what inet_ntop() writes: IPv4 digit by digit,
 * every width of each byte (0, 9, 10, 99, 100, 255) in every position;
 * IPv6 through inet_ntop(); "-" and false for another family or a
 * buffer too small. */
static void test_ip_text(void **state)
{
	static const unsigned bytes[] = {0, 1, 9, 10, 42, 99, 100, 199, 255};
	const size_t nb = sizeof(bytes) / sizeof(bytes[0]);
	char got[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t pos = 0; pos < 4; pos++)
		for (size_t i = 0; i < nb; i++) {
			uint32_t a = 0x7f000001u & ~(0xffu << (8 * pos));
			struct in_addr in;

			a |= (uint32_t)bytes[i] << (8 * pos);
			ss = v4(a);
			in.s_addr = htonl(a);
			assert_true(net_ip_text(&ss, got, sizeof(got)));
			assert_non_null(
			    inet_ntop(AF_INET, &in, want, sizeof(want)));
			assert_string_equal(got, want);
		}
	for (int i = 0; i < 1000; i++) { /* xorshift: any address */
		struct in_addr in;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		ss = v4(x);
		in.s_addr = htonl(x);
		assert_true(net_ip_text(&ss, got, INET_ADDRSTRLEN));
		inet_ntop(AF_INET, &in, want, sizeof(want));
		assert_string_equal(got, want);
	}
	ss = v4(0xffffffffu);
	assert_true(net_ip_text(&ss, got, INET_ADDRSTRLEN));
	assert_string_equal(got, "255.255.255.255");
	assert_false(net_ip_text(&ss, got, INET_ADDRSTRLEN - 1));
	assert_string_equal(got, "-");

	memset(&ss, 0, sizeof(ss));
	in6->sin6_family = AF_INET6;
	in6->sin6_addr.s6_addr[15] = 1;
	assert_true(net_ip_text(&ss, got, sizeof(got)));
	assert_string_equal(got, "::1");
	assert_int_equal(
	    inet_pton(AF_INET6, "2001:db8::ffff:1.2.3.4", &in6->sin6_addr), 1);
	assert_true(net_ip_text(&ss, got, sizeof(got)));
	inet_ntop(AF_INET6, &in6->sin6_addr, want, sizeof(want));
	assert_string_equal(got, want);
	assert_false(net_ip_text(&ss, got, 4));
	assert_string_equal(got, "-");

	ss.ss_family = AF_UNIX;
	assert_false(net_ip_text(&ss, got, sizeof(got)));
	assert_string_equal(got, "-");
	got[0] = 'x';
	assert_false(net_ip_text(&ss, got, 1));
	assert_int_equal(got[0], '\0');
}

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
	    cmocka_unit_test(test_ip_text),
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_connect_addr),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
