/*
 * http/header.h - looking up the field lines of a parsed head.
 */
#ifndef LAB407_HTTP_HEADER_H
#define LAB407_HTTP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "message.h"

/* Case-insensitive compare of a field name with name[0..n): a field of
 * another length is told apart by one comparison. */
static inline bool http_header_named(const struct http_header *h,
				     const char *name, size_t n)
{
	return h->name_len == n && http_same_ci(h->name, name, n);
}

/*
 * Case-insensitive compare of a field name with a C string.  Inline
 * because bin/proxy asks it some sixty times a request: with a literal
 * name the compiler measures the name at build time.
 */
static inline bool http_header_is(const struct http_header *h, const char *name)
{
	return http_header_named(h, name, strlen(name));
}
/*
 * Find the next field called `name` at index >= *pos; on success returns
 * it and sets *pos past it, so a loop walks every occurrence.  NULL when
 * there is none.
 */
const struct http_header *http_header_next(const struct http_header *hs,
					   size_t n, const char *name,
					   size_t *pos);
/* First occurrence or NULL. */
const struct http_header *http_header_find(const struct http_header *hs,
					   size_t n, const char *name);
/* How many fields called `name`. */
size_t http_header_count(const struct http_header *hs, size_t n,
			 const char *name);
/*
 * True when any field called `name` lists `token` in its comma-separated
 * value (case-insensitive), e.g. ("Connection", "close").
 */
bool http_header_has_token(const struct http_header *hs, size_t n,
			   const char *name, const char *token);
/*
 * The list walker (RFC 9110 §5.6.1): the next element of the
 * comma-separated list v[0..n) at or after *pos, OWS trimmed, empty
 * elements skipped, as *elem (into v) and *elen; *pos moves past it.
 * False at the end.  Quotes are not special: use it on lists of tokens.
 */
bool http_list_next(const char *v, size_t n, size_t *pos, const char **elem,
		    size_t *elen);

#endif
