/*
 * proxy/acl.h - the proxy's access list: "may you?" (lesson 05).
 *
 * Squid separates "who are you" (proxy_auth, here http/guard.c, 407) from
 * "may you" (http_access, here this file, 403 without a challenge).  The
 * ACL only ever sees a user that is already authenticated, or "-" when the
 * proxy runs with --auth none.
 *
 * The default lab (README.md): every authenticated user except mallory.
 *
 *   deny user mallory
 *   allow all
 *
 * An ACL file (`bin/proxy --acl FILE`, docs/acl.md) replaces it.  One rule
 * a line:
 *
 *   allow|deny [user NAME|*] [method M] [host H] [port P]
 *   allow|deny all
 *
 *   user NAME   the authenticated user NAME ("-" with --auth none)
 *   user *      any authenticated user (not "-")
 *   method M    the request method, exactly (GET, POST, CONNECT, ...)
 *   host H      a name: the host name the client wrote, compared without
 *               case and without a trailing dot (on both sides); a
 *               leading '.' (".example.org") matches that domain and its
 *               subdomains.  An address (127.0.0.1, ::1, and every
 *               spelling inet_aton(3) takes: 127.1, 0x7f.0.0.1, ...) or a
 *               block (10.0.0.0/8, fd00::/8): matches the addresses the
 *               destination resolves to (see "Deciding on addresses")
 *   port P      the destination port, 1..65535
 *   all         matches every request (alone on its line)
 *
 * A condition left out matches anything; the conditions on one line must
 * all hold.  Words are separated by spaces or tabs; `#` starts a comment
 * to the end of the line; blank lines are ignored.  Rules are tried in
 * order and the first that matches decides.  When none matches, the
 * request is denied (default deny, as Squid).
 *
 * A bad line is reported as "FILE:LINE: reason" and nothing is loaded;
 * bin/proxy then refuses to start.
 *
 * Deciding on addresses (lesson 05, the SSRF paragraph).  A filter that
 * compares the host *string* is bypassed by another spelling of the same
 * address (127.1, 2130706433, [::ffff:127.0.0.1]) and by a name whose
 * DNS answer changes between the check and the connect (DNS rebinding).
 * So the shell resolves the destination once, passes every resolved
 * address here (struct acl_request: addrs, naddrs), and then connects only
 * to one of those very addresses:
 *
 *   name    -> net_resolve()       -> addrs[0..n)    (net/net.h)
 *   addrs   -> acl_check()         -> allow | 403    (this file, pure)
 *   allowed -> net_connect_addr()  on the same addrs, never the name
 *
 * The shells call acl_check() twice: proxy_decide() (proxy/gate.c) before
 * resolving, for what the name, user, method and port already decide, and
 * proxy_decide_address() (proxy/gate.h) with the addresses, which bin/proxy
 * calls in proxy/upstream.c addresses_ready() and the REPL in repl/lab_step.c
 * c2p_decide(); a kept upstream connection is checked on its peer address.
 *
 * Every address is decided on its own, with IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) compared as the IPv4 address they
 * carry; the request is allowed only when every address is, so the
 * outcome never depends on which address the connect happens to use.
 * acl_check() only looks at its arguments: how the addresses were
 * obtained (getaddrinfo today, an asynchronous resolver tomorrow) is the
 * shell's business.
 *
 * Refused whatever the rules say: 0.0.0.0/8 and :: (never a destination,
 * RFC 1122 §3.2.1.3, RFC 4291 §2.5.2; yet on Linux connecting to 0.0.0.0
 * or :: reaches this host).  Policy from the command line (struct
 * acl_policy), checked with the rules:
 *   - never the proxy's own listening address: a destination address
 *     inside one of `self` at port `self_port` is refused whatever the
 *     rules say (a CONNECT to itself would nest without end);
 *   - CONNECT goes by default only to the ports in `connect` (bin/proxy
 *     --connect-ports, default 443, as Squid's SSL_ports); a tunnel to
 *     another port needs an allow rule that names the port
 *     (`allow method CONNECT port 8443`): `allow all` is not enough.
 */
#ifndef LAB407_PROXY_ACL_H
#define LAB407_PROXY_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "../http/error.h"
#include "../http/message.h"
#include "../http/url.h"

#define ACL_MAX_RULES 128	 /* rules in one file */
#define ACL_MAX_USER 64		 /* bytes of a user name, incl. NUL */
#define ACL_MAX_METHOD 32	 /* bytes of a method, incl. NUL */
#define ACL_MAX_LINE 1024	 /* bytes of one line */
#define ACL_MAX_FILE (1u << 20)	 /* bytes of a whole ACL file */
#define ACL_NO_USER "-"		 /* the user with --auth none */
#define ACL_MAX_CONNECT_PORTS 32 /* entries in a --connect-ports list */
#define ACL_MAX_SELF 64		 /* address blocks of the proxy itself */
#define ACL_MAX_ADDR_TEXT 64	 /* "ffff:...:ffff/128", incl. NUL */
#define ACL_DEFAULT_CONNECT_PORTS "443"
#define ACL_NO_ADDR ((size_t)-1) /* acl_verdict.addr: no address */

/*
 * An address as the ACL compares it.  An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is stored as the IPv4 address it carries.
 */
struct acl_addr {
	int family;	     /* AF_INET or AF_INET6 */
	unsigned char a[16]; /* network byte order; 4 bytes for AF_INET */
};

/* An address block, ADDR/BITS (a single address: 32 or 128 bits). */
struct acl_net {
	struct acl_addr addr; /* bits past `bits` are zero */
	unsigned bits;	      /* prefix length */
};

struct acl_rule {
	bool allow;		      /* allow or deny */
	bool any_user;		      /* `user *`: any authenticated user */
	char user[ACL_MAX_USER];      /* "" = any (including "-") */
	char method[ACL_MAX_METHOD];  /* "" = any */
	char host[HTTP_MAX_HOST + 1]; /* a name, lower case, no final dot;
					 ".dom" = dom and below; "" = any,
					 or an address rule (host_net) */
	bool host_net;		      /* `host` is an address or a block */
	struct acl_net net;	      /* ... this one */
	unsigned port;		      /* 0 = any */
	unsigned line;		      /* line in the file; 0 for defaults */
};

struct acl {
	struct acl_rule v[ACL_MAX_RULES];
	size_t n;
};

/* A port range LO..HI (one port: LO == HI). */
struct acl_ports {
	unsigned lo, hi;
};

/* What the command line adds to the file; see the top of this file. */
struct acl_policy {
	struct acl_ports connect[ACL_MAX_CONNECT_PORTS]; /* CONNECT ports */
	size_t n_connect;
	struct acl_net self[ACL_MAX_SELF]; /* the proxy's own addresses */
	size_t n_self;
	unsigned self_port; /* its port; 0: not known */
};

/* One request as the ACL sees it. */
struct acl_request {
	const char *user;   /* authenticated user, or "-" */
	const char *method; /* "GET", "CONNECT", ... */
	const char *host;   /* destination host as the client wrote it */
	unsigned port;	    /* destination port */
	const struct sockaddr_storage *addrs; /* every resolved address of
						 host; NULL before resolving */
	size_t naddrs;
};

/* Why acl_check() decided as it did. */
enum acl_reason {
	ACL_BY_RULE,	     /* `rule` decided */
	ACL_NO_MATCH,	     /* no rule matched: default deny */
	ACL_NO_RULES,	     /* no ACL at all: everyone allowed */
	ACL_CONNECT_PORT,    /* CONNECT outside the policy's ports, and the
				allowing rule does not name the port */
	ACL_SELF,	     /* the address is the proxy's own */
	ACL_NOT_DESTINATION, /* 0.0.0.0/8 or ::, never a destination */
	ACL_NO_ADDRESS,	     /* resolved to nothing usable: refused */
	ACL_NEEDS_ADDRESS    /* before resolving: an address rule decides */
};

struct acl_verdict {
	bool allow;
	bool final; /* false: allowed so far, the
		       resolved addresses decide */
	enum acl_reason reason;
	const struct acl_rule *rule; /* the deciding rule, or NULL */
	size_t addr;		     /* index in addrs of the address that
					was refused, or ACL_NO_ADDR */
};

/* ---- Names and numbers ---- */

/*
 * A host name as compared: lower case, without one final dot, into
 * out[0..cap).  False when nothing is left or it does not fit.
 */
bool acl_host_normalise(const char *s, char *out, size_t cap);
/* Port 1..65535 in decimal; 0 when s is not one. */
unsigned acl_port_parse(const char *s);

/* ---- Addresses ---- */

/* From a socket address (AF_INET, AF_INET6); false for other families. */
bool acl_addr_from_sockaddr(const struct sockaddr *sa, struct acl_addr *out);
/*
 * An address literal: IPv6 (inet_pton, brackets allowed) or IPv4 in any
 * spelling inet_aton(3) accepts, the ones getaddrinfo() resolves without
 * asking DNS (127.1, 2130706433, 0x7f.0.0.1, 0177.0.0.1).  False for a
 * name.
 */
bool acl_addr_parse(const char *s, struct acl_addr *out);
/* "ADDR" or "ADDR/BITS"; false when s is neither. */
bool acl_net_parse(const char *s, struct acl_net *out);
/* 127.0.0.0/8 or ::1. */
bool acl_addr_is_loopback(const struct acl_addr *a);
/* Numeric text: "127.0.0.1", "::1". */
void acl_addr_format(const struct acl_addr *a, char *out, size_t cap);

/* ---- Matching ---- */

/*
 * The whole decision, pure.  a NULL: no rules (everyone allowed); p NULL:
 * acl_policy_default().
 *
 * Before resolving (r->addrs NULL): what the name, user, method and port
 * already decide.  v->allow false is final (403); v->allow true with
 * v->final false means "resolve, then call again with the addresses".
 *
 * With the addresses: every one is checked (own address first, then the
 * rules, then the CONNECT ports); v->final is true, and v->allow says
 * whether the shell may connect to one of r->addrs[0..naddrs).  No
 * addresses at all is a refusal (ACL_NO_ADDRESS).
 */
void acl_check(const struct acl *a, const struct acl_policy *p,
	       const struct acl_request *r, struct acl_verdict *v);
/*
 * A rule as text, for bodies and why lines: "deny user mallory (line 1)";
 * NULL gives "no rule matched (default deny)".
 */
void acl_describe(const struct acl_rule *rule, char *out, size_t cap);
/*
 * A verdict as text: the rule, and the address it was decided on, e.g.
 * "deny host 127.0.0.1 (line 1), for address 127.0.0.1", or
 * "127.0.0.1:3128 is this proxy's own listening address".
 */
void acl_verdict_describe(const struct acl_verdict *v,
			  const struct acl_policy *p,
			  const struct acl_request *r, char *out, size_t cap);

/* Reading the rules, and the policy, have headers of their own; this one
 * brings them along for the callers that include only it. */
#include "acl_load.h"
#include "acl_policy.h"

#endif
