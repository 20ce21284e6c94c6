/*
 * http/trailer.c - the trailer fields a proxy passes on (RFC 9110 §6.5).
 */
#define _POSIX_C_SOURCE 200809L

#include "trailer.h"

#include <string.h>
#include <strings.h>

/* Never passed on in a trailer, with the reason RFC 9110 gives. */
static const char *const refused[] = {
    /* framing (RFC 9112 §6, §7.1.2) */
    "Content-Length",
    "Transfer-Encoding",
    "Trailer",
    /* routing (RFC 9110 §7.2) */
    "Host",
    /* hop-by-hop (RFC 9110 §7.6.1) */
    "Connection",
    "Proxy-Connection",
    "Keep-Alive",
    "TE",
    "Upgrade",
    /* authentication (RFC 9110 §11): credentials never travel late, and
     * Proxy-* belong to the proxy's own hop */
    "Authorization",
    "Proxy-Authorization",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Authentication-Info",
    "Proxy-Authentication-Info",
    "Cookie",
    "Set-Cookie",
    /* request modifiers and response controls (§6.5.1) */
    "Expect",
    "Max-Forwards",
    "Range",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "If-Range",
    "Cache-Control",
    "Age",
    "Expires",
    "Location",
    "Retry-After",
    "Vary",
    /* content format (§8) */
    "Content-Type",
    "Content-Encoding",
    "Content-Range",
    "Content-Language",
    "Content-Location",
};

/* True when a trailer field called name[0..len) may be passed on. */
static bool trailer_allowed(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strlen(refused[i]) == len &&
		    strncasecmp(refused[i], name, len) == 0)
			return false;
	return len > 0;
}

bool trailer_filter(const char *fields, size_t len, struct http_buf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *line = fields + i;
		const char *eol = memchr(line, '\n', len - i);
		const char *colon;
		size_t n = eol != NULL ? (size_t)(eol - line) + 1 : len - i;

		i += n;
		colon = memchr(line, ':', n);
		if (colon == NULL)
			continue; /* the decoder never lets this through */
		if (!trailer_allowed(line, (size_t)(colon - line)))
			continue;
		if (!http_buf_append(out, line, n))
			return false;
	}
	return !out->failed;
}
