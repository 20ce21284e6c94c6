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
 *   host H      the destination host, case-insensitive; a leading '.'
 *               (".example.org") matches that domain and its subdomains
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
 */
#ifndef LAB407_PROXY_ACL_H
#define LAB407_PROXY_ACL_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/error.h"
#include "../http/message.h"

#define ACL_MAX_RULES 128          /* rules in one file */
#define ACL_MAX_USER 64            /* bytes of a user name, incl. NUL */
#define ACL_MAX_METHOD 32          /* bytes of a method, incl. NUL */
#define ACL_MAX_LINE 1024          /* bytes of one line */
#define ACL_MAX_FILE (1u << 20)    /* bytes of a whole ACL file */
#define ACL_NO_USER "-"            /* the user with --auth none */

struct acl_rule {
	bool allow;                     /* allow or deny */
	bool any_user;                  /* `user *`: any authenticated user */
	char user[ACL_MAX_USER];        /* "" = any (including "-") */
	char method[ACL_MAX_METHOD];    /* "" = any */
	char host[HTTP_MAX_HOST + 1];   /* "" = any; ".dom" = dom and below */
	unsigned port;                  /* 0 = any */
	unsigned line;                  /* line in the file; 0 for defaults */
};

struct acl {
	struct acl_rule v[ACL_MAX_RULES];
	size_t n;
};

/* One request as the ACL sees it. */
struct acl_request {
	const char *user;    /* authenticated user, or "-" */
	const char *method;  /* "GET", "CONNECT", ... */
	const char *host;    /* destination host */
	unsigned port;       /* destination port */
};

/* ---- Loading ---- */

/* Fill a with the default lab ACL: deny user mallory, allow all. */
void acl_default(struct acl *a);
/*
 * Parse rules from text[0..len) (the contents of a file called `name`,
 * used in messages).  On a bad line: HTTP_E_FILE_LINE with errbuf set to
 * "NAME:LINE: reason"; a is filled only on success.
 */
enum http_err acl_parse(const char *text, size_t len, const char *name,
			struct acl *a, char *errbuf, size_t errcap);
/* Read and parse a file; HTTP_E_FILE_OPEN ("FILE: strerror") when unreadable. */
enum http_err acl_load(const char *path, struct acl *a, char *errbuf,
		       size_t errcap);

/* ---- Matching ---- */

/*
 * The first rule matching r, or NULL when none does (default deny).
 * Points into a.
 */
const struct acl_rule *acl_match(const struct acl *a,
				 const struct acl_request *r);
/* True when the first matching rule is an allow rule. */
bool acl_allows(const struct acl *a, const struct acl_request *r);
/*
 * A rule as text, for bodies and why lines: "deny user mallory (line 1)";
 * NULL gives "no rule matched (default deny)".
 */
void acl_describe(const struct acl_rule *rule, char *out, size_t cap);

#endif
