/*
 * http/url.h - the request-target forms a forward proxy meets and the
 * Host field's value (RFC 9112 §3.2), defined in http/url.c.
 */
#ifndef LAB407_HTTP_URL_H
#define LAB407_HTTP_URL_H

#include <stddef.h>

#include "error.h"
#include "message.h"

#define HTTP_MAX_HOST 255

struct http_url {
	char scheme[8]; /* "http" or "https" */
	char host[HTTP_MAX_HOST +
		  1];	  /* reg-name or IPv4; [v6] without brackets */
	unsigned port;	  /* explicit or the scheme's default */
	const char *path; /* origin-form: "/..." into the input,
			     "/" if empty, or slash_query */
	size_t path_len;  /* path plus query */
	/* private: "/?query" for "http://h?query", whose path is empty
	   (RFC 9112 §3.2.1); path points here then, so a struct http_url
	   is passed by pointer, never copied. */
	char slash_query[HTTP_MAX_TARGET_BYTES + 1];
};

/*
 * Parse "http://host[:port][/path][?query][#fragment]".  u->path is the
 * origin-form target: into `s`, or "/" for an empty path, or "/?query"
 * (in u) for an empty path with a query.  The fragment is dropped.
 */
enum http_err http_url_parse(const char *s, size_t len, struct http_url *u);
/* Parse a Host field value "host[:port]" (port 80 when absent). */
enum http_err http_host_parse(const char *s, size_t len, struct http_url *u);
/* Parse authority-form "host:port" (CONNECT). */
enum http_err http_authority_parse(const char *s, size_t len,
				   struct http_url *u);

#endif
