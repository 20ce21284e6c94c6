/*
 * http/trailer.h - which trailer fields may cross a proxy.
 *
 * RFC 9110 §6.5.1: many fields cannot be processed after the content,
 * "such as those that describe message framing, routing,
 * authentication, request modifiers, response controls, or content
 * format"; a recipient must not merge such trailers into the header
 * section.  Hop-by-hop fields (§7.6.1) belong to one connection in a
 * trailer as in a head.  A proxy that re-frames a chunked body (bin/proxy
 * always does) may drop what it will not pass on (RFC 9112 §7.1.2); it
 * drops these, so that, say, a Proxy-Authorization sent in a request's
 * trailer never reaches the origin.
 */
#ifndef LAB407_HTTP_TRAILER_H
#define LAB407_HTTP_TRAILER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "chunked.h"

/*
 * fields[0..len) is a trailer section as http_chunked_feed() collected it
 * ("Name: value\r\n" lines, no final empty line).  Appends the lines
 * that may be passed on to out; false when out refused the bytes.
 */
bool trailer_filter(const char *fields, size_t len, struct http_buf *out);

#endif
