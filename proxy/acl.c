/*
 * proxy/acl.c - the proxy's access list: "may you?" (lesson 05).
 *
 * The file format and the matching rules are in proxy/acl.h and
 * docs/acl.md.  Reading the rules is proxy/acl_load.c, the CONNECT ports
 * and the proxy's own addresses proxy/acl_policy.c; here, addresses and
 * matching: matching walks the table and the first rule that matches
 * wins; no match is a refusal (default deny, as Squid's http_access).
 *
 * Host rules are decided on addresses, not on spellings: acl_check() is
 * given every address the destination resolved to and decides on each
 * (proxy/acl.h, "Deciding on addresses"; lesson 05).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* inet_aton(3): the legacy IPv4 spellings */

#include "acl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Names and numbers ---- */

/*
 * A host name as compared: lower case, without one final dot (a fully
 * qualified "example.org." names the same host as "example.org").  False
 * when nothing is left or it does not fit.
 */
bool acl_host_normalise(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s), i;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || (n == 1 && s[0] == '.') || n >= cap)
		return false;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return true;
}

/* Port 1..65535 in decimal; 0 when s is not one. */
unsigned acl_port_parse(const char *s)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return (i == 0 || v > 65535) ? 0 : (unsigned)v;
}

/* ---- Addresses ---- */

/* RFC 4291 §2.5.5.2: ::ffff:a.b.c.d carries the IPv4 address a.b.c.d. */
static void unmap(struct acl_addr *a)
{
	static const unsigned char prefix[12] = {0, 0, 0, 0, 0,	   0,
						 0, 0, 0, 0, 0xff, 0xff};

	if (a->family == AF_INET6 && memcmp(a->a, prefix, 12) == 0) {
		memmove(a->a, a->a + 12, 4);
		memset(a->a + 4, 0, 12);
		a->family = AF_INET;
	}
}

/* A resolved socket address as the ACL compares it. */
bool acl_addr_from_sockaddr(const struct sockaddr *sa, struct acl_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		out->family = AF_INET;
		memcpy(out->a, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)sa;
		out->family = AF_INET6;
		memcpy(out->a, &in6->sin6_addr, 16);
		unmap(out);
		return true;
	}
	return false;
}

/* An address literal (see acl.h); a name is not one. */
bool acl_addr_parse(const char *s, struct acl_addr *out)
{
	char buf[ACL_MAX_ADDR_TEXT];
	size_t n = strlen(s);
	struct in_addr v4;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(buf))
		return false;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return false;
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		if (inet_pton(AF_INET6, buf, out->a) != 1)
			return false;
		out->family = AF_INET6;
	} else if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out->a) != 1)
			return false;
		out->family = AF_INET6;
	} else {
		/* inet_aton() stops at white space; a rule word has none,
		 * but refuse anything but its alphabet to be sure. */
		if (strspn(s, "0123456789abcdefABCDEFxX.") != n ||
		    inet_aton(s, &v4) == 0)
			return false;
		out->family = AF_INET;
		memcpy(out->a, &v4, 4);
	}
	unmap(out);
	return true;
}

/* "ADDR" (all bits) or "ADDR/BITS" with no bit set past BITS. */
bool acl_net_parse(const char *s, struct acl_net *out)
{
	char buf[ACL_MAX_ADDR_TEXT];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	bool mapped;
	unsigned bits, max, i;

	memset(out, 0, sizeof(*out));
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!acl_addr_parse(buf, &out->addr))
		return false;
	/* "::ffff:10.0.0.0/104" is the IPv4 block 10.0.0.0/8. */
	mapped = out->addr.family == AF_INET && strchr(buf, ':') != NULL;
	max = out->addr.family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		out->bits = max;
		return true;
	}
	bits = acl_port_parse(slash + 1); /* 1..65535 decimal, 0 on error */
	if (strcmp(slash + 1, "0") == 0)
		bits = 0;
	else if (bits == 0)
		return false;
	if (mapped) {
		if (bits < 96)
			return false;
		bits -= 96;
	}
	if (bits > max)
		return false;
	out->bits = bits;
	for (i = bits; i < max; i++)
		if (out->addr.a[i / 8] & (0x80u >> (i % 8)))
			return false;
	return true;
}

/* a inside n: same family and the first n->bits bits equal. */
static bool acl_net_contains(const struct acl_net *n, const struct acl_addr *a)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (n->addr.family != a->family)
		return false;
	if (memcmp(n->addr.a, a->a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((n->addr.a[full] ^ a->a[full]) & (0xffu << (8 - rest))) == 0;
}

/* 127.0.0.0/8 (RFC 1122 §3.2.1.3) or ::1 (RFC 4291 §2.5.3). */
bool acl_addr_is_loopback(const struct acl_addr *a)
{
	static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0,
					      0, 0, 0, 0, 0, 0, 0, 1};

	if (a->family == AF_INET)
		return a->a[0] == 127;
	return a->family == AF_INET6 && memcmp(a->a, one, 16) == 0;
}

/*
 * 0.0.0.0/8 ("this host on this network", RFC 1122 §3.2.1.3) or :: (the
 * unspecified address, RFC 4291 §2.5.2): never a destination, yet on
 * Linux a connect() to 0.0.0.0 or :: reaches this very host, so "0" and
 * "0.0.0.0" are a way around a filter of 127.0.0.1.
 */
static bool addr_is_unspecified(const struct acl_addr *a)
{
	static const unsigned char zero[16];

	if (a->family == AF_INET)
		return a->a[0] == 0;
	return memcmp(a->a, zero, 16) == 0;
}

/* Numeric text of an address. */
void acl_addr_format(const struct acl_addr *a, char *out, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN];

	if (cap == 0)
		return;
	if (inet_ntop(a->family, a->a, tmp, sizeof(tmp)) == NULL)
		snprintf(out, cap, "?");
	else
		snprintf(out, cap, "%s", tmp);
}

/* ---- Matching ---- */

enum tri { TRI_NO, TRI_YES, TRI_UNKNOWN };

/*
 * Host name h matches pattern p (already lower case, no final dot):
 * equal, or p = ".dom" and h is dom or *.dom.  h is compared without
 * case and without one final dot.
 */
static bool host_matches(const char *p, const char *h)
{
	char hn[HTTP_MAX_HOST + 1];
	size_t pl = strlen(p), hl;

	if (!acl_host_normalise(h, hn, sizeof(hn)))
		return false;
	hl = strlen(hn);
	if (p[0] != '.')
		return strcmp(p, hn) == 0;
	if (strcmp(p + 1, hn) == 0)
		return true;
	return hl > pl && strcmp(hn + hl - pl, p) == 0;
}

/*
 * Every condition of rule holds for r at address addr.  Before resolving
 * (!resolved) an address rule is TRI_UNKNOWN; after, addr NULL matches no
 * address rule.
 */
static enum tri rule_matches(const struct acl_rule *rule,
			     const struct acl_request *r,
			     const struct acl_addr *addr, bool resolved)
{
	const char *user = r->user ? r->user : ACL_NO_USER;

	if (rule->any_user &&
	    (user[0] == '\0' || strcmp(user, ACL_NO_USER) == 0))
		return TRI_NO;
	if (rule->user[0] != '\0' && strcmp(rule->user, user) != 0)
		return TRI_NO;
	if (rule->method[0] != '\0' &&
	    (r->method == NULL || strcmp(rule->method, r->method) != 0))
		return TRI_NO;
	if (rule->host[0] != '\0' &&
	    (r->host == NULL || !host_matches(rule->host, r->host)))
		return TRI_NO;
	if (rule->port != 0 && rule->port != r->port)
		return TRI_NO;
	if (rule->host_net) {
		if (!resolved)
			return TRI_UNKNOWN;
		if (addr == NULL || !acl_net_contains(&rule->net, addr))
			return TRI_NO;
	}
	return TRI_YES;
}

/* The method is CONNECT (methods are case-sensitive, RFC 9110 §9.1). */
static bool is_connect(const struct acl_request *r)
{
	return r->method != NULL && strcmp(r->method, "CONNECT") == 0;
}

/* addr:port is where the proxy itself listens. */
static bool is_self(const struct acl_policy *p, const struct acl_addr *addr,
		    unsigned port)
{
	if (p->self_port == 0 || port != p->self_port)
		return false;
	for (size_t i = 0; i < p->n_self; i++)
		if (acl_net_contains(&p->self[i], addr))
			return true;
	return false;
}

/*
 * Lesson 05: authorisation, after authentication.  The rules and the
 * CONNECT ports for one address (addr NULL and !resolved: before
 * resolving): the first rule that matches decides, none is a refusal
 * (default deny).
 */
static void decide_one(const struct acl *a, const struct acl_policy *p,
		       const struct acl_request *r, const struct acl_addr *addr,
		       bool resolved, struct acl_verdict *v)
{
	v->rule = NULL;
	v->final = resolved;
	if (a == NULL) {
		v->allow = true;
		v->reason = ACL_NO_RULES;
	} else {
		size_t i;

		for (i = 0; i < a->n; i++) {
			enum tri t = rule_matches(&a->v[i], r, addr, resolved);

			if (t == TRI_UNKNOWN) {
				v->allow = true;
				v->final = false;
				v->reason = ACL_NEEDS_ADDRESS;
				return;
			}
			if (t == TRI_YES)
				break;
		}
		if (i == a->n) {
			v->allow = false;
			v->final = true;
			v->reason = ACL_NO_MATCH;
			return;
		}
		v->rule = &a->v[i];
		v->allow = v->rule->allow;
		v->reason = ACL_BY_RULE;
	}
	/* Squid's default "deny CONNECT !SSL_ports": a tunnel elsewhere needs
	 * a rule that names the port. */
	if (v->allow && is_connect(r) && !acl_policy_port_ok(p, r->port) &&
	    (v->rule == NULL || v->rule->port == 0)) {
		v->allow = false;
		v->reason = ACL_CONNECT_PORT;
	}
	if (!v->allow)
		v->final = true;
}

/* The whole decision; see acl.h. */
void acl_check(const struct acl *a, const struct acl_policy *p,
	       const struct acl_request *r, struct acl_verdict *v)
{
	struct acl_policy def;
	struct acl_verdict first;
	struct acl_addr addr;
	size_t i;

	if (p == NULL) {
		acl_policy_default(&def);
		p = &def;
	}
	memset(v, 0, sizeof(*v));
	v->addr = ACL_NO_ADDR;
	if (r->addrs == NULL) {
		decide_one(a, p, r, NULL, false, v);
		if (v->allow)
			v->final = false;
		return;
	}
	v->final = true;
	if (r->naddrs == 0) {
		v->reason = ACL_NO_ADDRESS;
		return;
	}
	/* Never the proxy itself, whatever the rules say. */
	for (i = 0; i < r->naddrs; i++) {
		if (!acl_addr_from_sockaddr(
			(const struct sockaddr *)&r->addrs[i], &addr)) {
			v->reason = ACL_NO_ADDRESS;
			v->addr = i;
			return;
		}
		if (addr_is_unspecified(&addr)) {
			v->reason = ACL_NOT_DESTINATION;
			v->addr = i;
			return;
		}
		if (is_self(p, &addr, r->port)) {
			v->reason = ACL_SELF;
			v->addr = i;
			return;
		}
	}
	/* Every address on its own: one refusal refuses the request. */
	memset(&first, 0, sizeof(first));
	for (i = 0; i < r->naddrs; i++) {
		struct acl_verdict one;

		acl_addr_from_sockaddr((const struct sockaddr *)&r->addrs[i],
				       &addr);
		decide_one(a, p, r, &addr, true, &one);
		if (!one.allow) {
			*v = one;
			v->addr = i;
			return;
		}
		if (i == 0)
			first = one;
	}
	*v = first;
	v->addr = ACL_NO_ADDR;
	v->final = true;
}

/* "deny user mallory (line 3)", "allow all (default lab ACL)". */
void acl_describe(const struct acl_rule *rule, char *out, size_t cap)
{
	size_t used;
	int w;

	if (cap == 0)
		return;
	if (rule == NULL) {
		snprintf(out, cap, "no rule matched (default deny)");
		return;
	}
	w = snprintf(out, cap, "%s", rule->allow ? "allow" : "deny");
	used = w > 0 ? (size_t)w : 0;
	if (used < cap && rule->any_user)
		used += (size_t)snprintf(out + used, cap - used, " user *");
	if (used < cap && rule->user[0] != '\0')
		used += (size_t)snprintf(out + used, cap - used, " user %s",
					 rule->user);
	if (used < cap && rule->method[0] != '\0')
		used += (size_t)snprintf(out + used, cap - used, " method %s",
					 rule->method);
	if (used < cap && rule->host[0] != '\0')
		used += (size_t)snprintf(out + used, cap - used, " host %s",
					 rule->host);
	if (used < cap && rule->host_net) {
		char t[ACL_MAX_ADDR_TEXT];
		unsigned max = rule->net.addr.family == AF_INET ? 32 : 128;

		acl_addr_format(&rule->net.addr, t, sizeof(t));
		if (rule->net.bits == max)
			used += (size_t)snprintf(out + used, cap - used,
						 " host %s", t);
		else
			used +=
			    (size_t)snprintf(out + used, cap - used,
					     " host %s/%u", t, rule->net.bits);
	}
	if (used < cap && rule->port != 0)
		used += (size_t)snprintf(out + used, cap - used, " port %u",
					 rule->port);
	if (used < cap && !rule->any_user && rule->user[0] == '\0' &&
	    rule->method[0] == '\0' && rule->host[0] == '\0' &&
	    !rule->host_net && rule->port == 0)
		used += (size_t)snprintf(out + used, cap - used, " all");
	if (used < cap) {
		if (rule->line > 0)
			snprintf(out + used, cap - used, " (line %u)",
				 rule->line);
		else
			snprintf(out + used, cap - used, " (default lab ACL)");
	}
}

/* A verdict as text, naming the rule and the address; see acl.h. */
void acl_verdict_describe(const struct acl_verdict *v,
			  const struct acl_policy *p,
			  const struct acl_request *r, char *out, size_t cap)
{
	char rule[HTTP_MAX_HOST + 128], at[ACL_MAX_ADDR_TEXT + 32];
	char ports[ACL_MAX_CONNECT_PORTS * 12];
	struct acl_policy def;
	struct acl_addr addr;

	if (cap == 0)
		return;
	if (p == NULL) {
		acl_policy_default(&def);
		p = &def;
	}
	at[0] = '\0';
	if (v->addr != ACL_NO_ADDR && r->addrs != NULL && v->addr < r->naddrs &&
	    acl_addr_from_sockaddr((const struct sockaddr *)&r->addrs[v->addr],
				   &addr)) {
		char t[ACL_MAX_ADDR_TEXT];

		acl_addr_format(&addr, t, sizeof(t));
		snprintf(at, sizeof(at), ", for address %s", t);
	}
	acl_describe(v->rule, rule, sizeof(rule));
	switch (v->reason) {
	case ACL_BY_RULE:
	case ACL_NO_MATCH:
		snprintf(out, cap, "%s%s", rule, at);
		break;
	case ACL_NO_RULES:
		snprintf(out, cap, "no ACL: every user may%s", at);
		break;
	case ACL_CONNECT_PORT:
		if (v->rule == NULL)
			snprintf(rule, sizeof(rule), "there is no ACL");
		acl_policy_ports_text(p, ports, sizeof(ports));
		snprintf(out, cap,
			 "CONNECT goes only to ports %s by default; port %u "
			 "needs an allow rule naming it, such as `allow "
			 "method CONNECT port %u`, and %s does not",
			 ports, r->port, r->port, rule);
		break;
	case ACL_SELF:
		snprintf(out, cap,
			 "port %u%s is this proxy's own listening address",
			 r->port, at);
		break;
	case ACL_NOT_DESTINATION:
		snprintf(out, cap,
			 "not a destination address%s (RFC 1122 §3.2.1.3, RFC "
			 "4291 §2.5.2)",
			 at);
		break;
	case ACL_NO_ADDRESS:
		snprintf(out, cap, "%s resolved to no usable address%s",
			 r->host ? r->host : "the host", at);
		break;
	case ACL_NEEDS_ADDRESS:
		snprintf(out, cap, "the resolved address decides");
		break;
	}
}
