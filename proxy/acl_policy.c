/*
 * proxy/acl_policy.c - what the proxy refuses whatever the rules say:
 * CONNECT to ports not listed, and its own listening addresses (lesson
 * 05, docs/acl.md).
 */
#define _POSIX_C_SOURCE 200809L

#include "acl_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Policy ---- */

/* CONNECT to port 443 only; the proxy's own address not known yet. */
void acl_policy_default(struct acl_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->connect[0].lo = p->connect[0].hi = 443;
	p->n_connect = 1;
}

/* Replace the CONNECT ports with a "443,8443,9000-9100" list. */
enum http_err acl_policy_ports(struct acl_policy *p, const char *list,
			       char *err, size_t err_cap)
{
	struct acl_ports v[ACL_MAX_CONNECT_PORTS];
	size_t n = 0;
	const char *s = list;

	if (err_cap > 0)
		err[0] = '\0';
	while (*s != '\0') {
		char item[16], *dash;
		size_t len = strcspn(s, ",");
		unsigned lo, hi;

		if (len == 0 || len >= sizeof(item)) {
			snprintf(err, err_cap,
				 "bad port list '%s' (want "
				 "PORT[,PORT|LO-HI]...)",
				 list);
			return HTTP_E_SYNTAX;
		}
		if (n == ACL_MAX_CONNECT_PORTS) {
			snprintf(err, err_cap,
				 "too many entries in '%s' (at "
				 "most %d)",
				 list, ACL_MAX_CONNECT_PORTS);
			return HTTP_E_SYNTAX;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		dash = strchr(item, '-');
		if (dash != NULL)
			*dash = '\0';
		lo = acl_port_parse(item);
		hi = dash != NULL ? acl_port_parse(dash + 1) : lo;
		if (lo == 0 || hi == 0 || hi < lo) {
			snprintf(err, err_cap,
				 "bad port '%.*s' in '%s' (ports "
				 "are 1..65535, ranges LO-HI)",
				 (int)len, s, list);
			return HTTP_E_SYNTAX;
		}
		v[n].lo = lo;
		v[n].hi = hi;
		n++;
		s += len;
		if (*s == ',') {
			s++;
			if (*s == '\0') {
				snprintf(err, err_cap,
					 "bad port list '%s' "
					 "(ends with a comma)",
					 list);
				return HTTP_E_SYNTAX;
			}
		}
	}
	if (n == 0) {
		snprintf(err, err_cap, "empty port list");
		return HTTP_E_SYNTAX;
	}
	memcpy(p->connect, v, n * sizeof(v[0]));
	p->n_connect = n;
	return HTTP_OK;
}

/* Add one block of the proxy's own addresses. */
bool acl_policy_add_self(struct acl_policy *p, const struct acl_net *n)
{
	if (p->n_self == ACL_MAX_SELF)
		return false;
	p->self[p->n_self++] = *n;
	return true;
}

/* The CONNECT ports, written back as a list. */
void acl_policy_ports_text(const struct acl_policy *p, char *out, size_t cap)
{
	size_t used = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < p->n_connect && used < cap; i++) {
		int w;

		if (p->connect[i].lo == p->connect[i].hi)
			w = snprintf(out + used, cap - used, "%s%u",
				     i ? "," : "", p->connect[i].lo);
		else
			w = snprintf(out + used, cap - used, "%s%u-%u",
				     i ? "," : "", p->connect[i].lo,
				     p->connect[i].hi);
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* port is one of the CONNECT ports. */
bool acl_policy_port_ok(const struct acl_policy *p, unsigned port)
{
	for (size_t i = 0; i < p->n_connect; i++)
		if (port >= p->connect[i].lo && port <= p->connect[i].hi)
			return true;
	return false;
}
