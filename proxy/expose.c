/*
 * proxy/expose.c - may bin/proxy listen there?  See proxy/expose.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "expose.h"

#include <string.h>
#include <strings.h>

#include "acl.h"

/* ---- Deciding ---- */

/* Loopback: "localhost", 127.0.0.0/8 or ::1 (see expose.h). */
bool expose_is_loopback(const char *host)
{
	struct acl_addr a;

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return true;
	return acl_addr_parse(host, &a) && acl_addr_is_loopback(&a);
}

/* The reason to refuse, or NULL; see expose.h. */
const char *expose_check(const char *host, bool auth_none, bool lab_users,
			 bool acknowledged)
{
	if (acknowledged || expose_is_loopback(host))
		return NULL;
	if (auth_none)
		return "refusing to listen beyond loopback with --auth none: "
		       "anyone who can reach it could use this proxy; "
		       "pass " EXPOSE_FLAG " if that is what you want";
	if (lab_users)
		return "refusing to listen beyond loopback with the "
		       "compiled-in lab users, whose passwords are in the "
		       "README: give --users FILE, or pass " EXPOSE_FLAG
		       " if that is what you want";
	return NULL;
}
