/*
 * http/header.c - looking up the field lines of a parsed head: by name
 * (case-insensitive, RFC 9110 §5.1), counting them, and walking the
 * comma-separated lists their values hold (RFC 9110 §5.6.1).
 */
#define _POSIX_C_SOURCE 200809L

#include "header.h"

#include <string.h>

/*
 * Find the next field called `name` at index >= *pos; returns it and sets
 * *pos past it, or NULL.  The result points into hs.
 */
const struct http_header *http_header_next(const struct http_header *hs,
					   size_t n, const char *name,
					   size_t *pos)
{
	size_t len = strlen(name);

	for (size_t i = *pos; i < n; i++) {
		if (http_header_named(&hs[i], name, len)) {
			*pos = i + 1;
			return &hs[i];
		}
	}
	*pos = n;
	return NULL;
}

/* First field called `name`, or NULL. */
const struct http_header *http_header_find(const struct http_header *hs,
					   size_t n, const char *name)
{
	size_t pos = 0;
	return http_header_next(hs, n, name, &pos);
}

/* How many fields called `name`. */
size_t http_header_count(const struct http_header *hs, size_t n,
			 const char *name)
{
	size_t count = 0, len = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (http_header_named(&hs[i], name, len))
			count++;
	return count;
}

/*
 * Next element of a comma-separated list (RFC 9110 §5.6.1) in v[0..n),
 * starting at *pos: OWS trimmed, empty elements skipped.  False at the end.
 */
bool http_list_next(const char *v, size_t n, size_t *pos, const char **elem,
		    size_t *elen)
{
	while (*pos < n) {
		size_t i = *pos, j = i;
		while (j < n && v[j] != ',')
			j++;
		*pos = j < n ? j + 1 : n;
		while (i < j && http_is_ows(v[i]))
			i++;
		while (j > i && http_is_ows(v[j - 1]))
			j--;
		if (j > i) {
			*elem = v + i;
			*elen = j - i;
			return true;
		}
	}
	return false;
}

/*
 * True when any field called `name` lists `token` in its comma-separated
 * value (case-insensitive), e.g. ("Connection", "close").
 */
bool http_header_has_token(const struct http_header *hs, size_t n,
			   const char *name, const char *token)
{
	size_t tlen = strlen(token), nlen = strlen(name);

	for (size_t i = 0; i < n; i++) {
		if (!http_header_named(&hs[i], name, nlen))
			continue;
		size_t pos = 0, elen = 0;
		const char *e = NULL;
		while (http_list_next(hs[i].value, hs[i].value_len, &pos, &e,
				      &elen)) {
			if (elen == tlen && http_same_ci(e, token, tlen))
				return true;
		}
	}
	return false;
}
