/*
 * tests/fuzz/fuzz_acl.c - the proxy's ACL file (proxy/acl.c, docs/acl.md):
 * what parses can be described and matched; what does not names a line.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>

#include "../../proxy/acl.h"
#include "fuzz.h"

/* Decide one request at a v4 and a mapped v6 address, before and after
 * resolving; every verdict can be described. */
static void decide(const struct acl *a, const char *method, const char *host,
		   unsigned port)
{
	struct sockaddr_storage ss[2];
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss[0];
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss[1];
	struct acl_request r = {"alice", method, host, port, NULL, 0};
	struct acl_policy p;
	struct acl_verdict v;
	char text[1024];

	memset(ss, 0, sizeof(ss));
	v4->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &v4->sin_addr);
	v6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &v6->sin6_addr);
	acl_policy_default(&p);
	p.self_port = 3128;
	acl_check(a, &p, &r, &v);
	acl_verdict_describe(&v, &p, &r, text, sizeof(text));
	fuzz_check(memchr(text, '\0', sizeof(text)) != NULL);
	r.addrs = ss;
	r.naddrs = 2;
	acl_check(a, &p, &r, &v);
	fuzz_check(v.final);
	fuzz_check(v.allow || v.addr == ACL_NO_ADDR || v.addr < 2);
	acl_verdict_describe(&v, &p, &r, text, sizeof(text));
	fuzz_check(memchr(text, '\0', sizeof(text)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acl a;
	char *buf = fuzz_copy(data, size);
	char err[512], text[512];
	size_t i;

	if (buf == NULL)
		return 0;
	err[0] = '\0';
	if (acl_parse(buf, size, "fuzz.acl", &a, err, sizeof(err)) == HTTP_OK) {
		fuzz_check(a.n <= ACL_MAX_RULES);
		for (i = 0; i < a.n; i++) {
			acl_describe(&a.v[i], text, sizeof(text));
			fuzz_check(memchr(text, '\0', sizeof(text)) != NULL);
		}
		acl_describe(NULL, text, sizeof(text));
		decide(&a, "GET", "www.Example.ORG.", 80);
		decide(&a, "CONNECT", "localhost", 8443);
	} else {
		fuzz_check(err[0] != '\0');
	}
	free(buf);
	return 0;
}
