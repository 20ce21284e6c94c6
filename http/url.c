/*
 * http/url.c - the two request-target forms a forward proxy meets:
 * absolute-form "http://host:port/path" (RFC 9112 §3.2.2) and
 * authority-form "host:port" for CONNECT (RFC 9112 §3.2.3).
 *
 * The host is copied into the struct (bounded); the path points into the
 * caller's string.
 */
#define _POSIX_C_SOURCE 200809L

#include "url.h"
#include "text.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HTTP_DEFAULT_PORT 80
#define HTTPS_DEFAULT_PORT 443
#define HTTP_MAX_PORT 65535u

/* ---- Host and port ---- */

/* RFC 3986 §3.2.2 reg-name / IPv4address, the practical subset: letters,
 * digits, '-', '.', '_' and '~'. */
static bool is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* Inside "[...]": hex digits, ':' and '.' (an IPv4 tail). */
static bool is_ipv6_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/*
 * Parse an authority s[0..n) = host [ ":" port ] into u->host and
 * u->port.  A port must be 1..65535; when it is absent, port_required
 * decides between an error and `default_port`.  RFC 9110 §4.2.4: userinfo
 * ("user:pass@host") is refused, because that is how passwords end up in
 * logs and Referer headers.
 */
static enum http_err parse_authority(const char *s, size_t n,
				     bool port_required, unsigned default_port,
				     struct http_url *u)
{
	size_t i = 0, h0, h1;

	if (memchr(s, '@', n) != NULL)
		return HTTP_E_URL;
	if (n > 0 && s[0] == '[') {
		h0 = 1;
		i = 1;
		while (i < n && is_ipv6_char(s[i]))
			i++;
		if (i == n || s[i] != ']' || i == h0)
			return HTTP_E_URL;
		h1 = i++;
	} else {
		h0 = 0;
		while (i < n && is_host_char(s[i]))
			i++;
		h1 = i;
		if (h1 == h0)
			return HTTP_E_URL;
	}
	if (h1 - h0 > HTTP_MAX_HOST)
		return HTTP_E_URL;

	unsigned port = default_port;
	if (i < n) {
		if (s[i] != ':')
			return HTTP_E_URL;
		i++;
		/* port = 1..65535 in decimal, no sign; a leading zero is
		 * refused (a design choice: "080" is 80 to us but octal 64
		 * to some readers). */
		if (i == n || n - i > 5 || s[i] == '0')
			return HTTP_E_URL;
		port = 0;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return HTTP_E_URL;
			port = port * 10 + (unsigned)(s[i] - '0');
		}
		if (port == 0 || port > HTTP_MAX_PORT)
			return HTTP_E_URL;
	} else if (port_required) {
		return HTTP_E_URL;
	}
	text_copy(u->host, sizeof u->host, s + h0, h1 - h0);
	u->port = port;
	return HTTP_OK;
}

/*
 * Empty u before a parse.  Fast path: slash_query (8 KiB) is written,
 * terminator and all, before path points at it, so only its first byte
 * is cleared; zeroing all of it for the URL and again for Host was 16% of
 * bin/proxy's instructions on a keep-alive request (callgrind: 17,000 of
 * 105,000).
 */
static void url_clear(struct http_url *u)
{
	memset(u, 0, offsetof(struct http_url, slash_query));
	u->slash_query[0] = '\0';
}

/* ---- Absolute-form ---- */

/*
 * Parse "http://host[:port][/path][?query][#fragment]" (scheme
 * case-insensitive, also "https").  An empty path becomes "/", also
 * before a query ("http://h?q" -> "/?q", RFC 9112 §3.2.1); a fragment is
 * dropped (it is never sent, RFC 9110 §4.2.5; a request-target with '#'
 * is already refused by http_parse_request).  On success u->path points
 * into s, at a static "/", or into u->slash_query.
 */
enum http_err http_url_parse(const char *s, size_t len, struct http_url *u)
{
	static const struct {
		const char *prefix;
		const char *scheme;
		unsigned port;
	} schemes[] = {
	    {"http://", "http", HTTP_DEFAULT_PORT},
	    {"https://", "https", HTTPS_DEFAULT_PORT},
	};
	size_t i = 0;
	unsigned default_port = 0;

	url_clear(u);
	for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
		size_t plen = strlen(schemes[k].prefix);
		if (len >= plen &&
		    strncasecmp(s, schemes[k].prefix, plen) == 0) {
			text_set(u->scheme, sizeof u->scheme,
				 schemes[k].scheme);
			default_port = schemes[k].port;
			i = plen;
			break;
		}
	}
	if (default_port == 0)
		return HTTP_E_URL;

	/* RFC 3986 §3.2: the authority ends at '/', '?', '#' or the end. */
	size_t a0 = i;
	while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	enum http_err e =
	    parse_authority(s + a0, i - a0, false, default_port, u);
	if (e != HTTP_OK)
		return e;

	/* path-abempty [ "?" query ] [ "#" fragment ] */
	size_t p0 = i;
	while (i < len && s[i] != '#') {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f)
			return HTTP_E_URL;
		i++;
	}
	if (i == p0) {
		/* RFC 9112 §3.2.1: an empty path is sent as "/". */
		u->path = "/";
		u->path_len = 1;
	} else if (s[p0] == '?') {
		/* "http://h?q": the same, "/?q" (§3.2.1). */
		if (i - p0 + 1 >= sizeof u->slash_query)
			return HTTP_E_URL;
		u->slash_query[0] = '/';
		memcpy(u->slash_query + 1, s + p0, i - p0);
		u->slash_query[i - p0 + 1] = '\0';
		u->path = u->slash_query;
		u->path_len = i - p0 + 1;
	} else {
		u->path = s + p0;
		u->path_len = i - p0;
	}
	return HTTP_OK;
}

/* ---- Host ---- */

/*
 * A Host field value (RFC 9110 §7.2: Host = uri-host [ ":" port ]), with
 * the same host and port rules as a URL's authority; an empty value is
 * refused because an http URI may not have an empty host (§4.2.1).
 */
enum http_err http_host_parse(const char *s, size_t len, struct http_url *u)
{
	url_clear(u);
	u->path = "";
	return parse_authority(s, len, false, HTTP_DEFAULT_PORT, u);
}

/* ---- Authority-form ---- */

/*
 * Parse CONNECT's "host:port" (RFC 9112 §3.2.3: the port is required).
 * u->scheme is empty and u->path is "".
 */
enum http_err http_authority_parse(const char *s, size_t len,
				   struct http_url *u)
{
	url_clear(u);
	u->path = "";
	return parse_authority(s, len, true, 0, u);
}
