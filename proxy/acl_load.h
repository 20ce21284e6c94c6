/*
 * proxy/acl_load.h - reading the access list (proxy/acl_load.c); the
 * format is in proxy/acl.h.
 */
#ifndef LAB407_PROXY_ACL_LOAD_H
#define LAB407_PROXY_ACL_LOAD_H

#include "acl.h"

/* Fill a with the default lab ACL: deny user mallory, allow all. */
void acl_default(struct acl *a);
/*
 * Parse rules from text[0..len) (the contents of a file called `name`,
 * used in messages).  On a bad line: HTTP_E_FILE_LINE with errbuf set to
 * "NAME:LINE: reason"; a is filled only on success.
 */
enum http_err acl_parse(const char *text, size_t len, const char *name,
			struct acl *a, char *err, size_t err_cap);
/* Read and parse a file; HTTP_E_FILE_OPEN ("FILE: strerror") when unreadable.
 */
enum http_err acl_load(const char *path, struct acl *a, char *err,
		       size_t err_cap);

#endif
