/*
 * proxy/acl_policy.h - the CONNECT ports and the proxy's own addresses
 * (proxy/acl_policy.c); struct acl_policy is in proxy/acl.h.
 */
#ifndef LAB407_PROXY_ACL_POLICY_H
#define LAB407_PROXY_ACL_POLICY_H

#include "acl.h"

/* CONNECT to ACL_DEFAULT_CONNECT_PORTS only; no own address known. */
void acl_policy_default(struct acl_policy *p);
/*
 * Replace the CONNECT ports with "443,8443,9000-9100" (ports 1..65535,
 * ranges LO-HI).  HTTP_E_SYNTAX with a reason in err; p unchanged then.
 */
enum http_err acl_policy_ports(struct acl_policy *p, const char *list,
			       char *err, size_t err_cap);
/* Add a block of the proxy's own addresses; false when full. */
bool acl_policy_add_self(struct acl_policy *p, const struct acl_net *n);
/* "443,8443" as given to acl_policy_ports(). */
void acl_policy_ports_text(const struct acl_policy *p, char *out, size_t cap);
/* port is one of the CONNECT ports. */
bool acl_policy_port_ok(const struct acl_policy *p, unsigned port);

#endif
