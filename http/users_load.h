/*
 * http/users_load.h - credential stores read from files
 * (http/users_load.c); struct users is in http/users.h.
 */
#ifndef LAB407_HTTP_USERS_LOAD_H
#define LAB407_HTTP_USERS_LOAD_H

#include "users.h"

/*
 * Load a file.  Kind is detected per file: three fields with a hex HA1 is
 * htdigest; a hash prefix ($2y$, $2b$, $5$, $6$, {SHA}) is htpasswd; else
 * plain; a file mixing kinds is refused.  *u need not be initialised.  A
 * bad line fills errbuf with "FILE:LINE: reason" and gives
 * HTTP_E_FILE_LINE (HTTP_E_FILE_OPEN when unreadable); *u is then empty.
 * Hashes are recognised and computed by http/htpasswd.c; lines are read
 * by http/confline.c.
 */
enum http_err users_load(const char *path, struct users *u, char *err,
			 size_t err_cap);
/* Load Bearer tokens: lines "token user" (b64token, RFC 6750 §2.1).  The
 * file's tokens replace any *u already had; its users are untouched. */
enum http_err users_load_tokens(const char *path, struct users *u, char *err,
				size_t err_cap);

#endif
