/*
 * http/path.h - the normal form of a request path (RFC 3986 §6.2.2).
 *
 * An access rule is only as good as the path it is compared with: "/admin"
 * can also be spelt "//admin", "/./admin", "/private/../admin" or
 * "/%61dmin".  path_normalize() turns every spelling into one form, and the
 * origin decides on that form and serves that form (docs/rules.md, "How a
 * path is read").  Both functions are pure: no allocation, the caller owns
 * every buffer, and the output is never longer than the input.
 */
#ifndef LAB407_HTTP_PATH_H
#define LAB407_HTTP_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * RFC 3986 §5.2.4 remove_dot_segments, exactly as written, on in[0..len)
 * into out (cap >= len + 1; out may be in itself).  *out_len excludes the
 * NUL written after it.  *above_root is set when a ".." found no segment
 * left to remove (the algorithm then drops it, as in "/../g" -> "/g").
 * HTTP_E_NOSPACE when cap is too small.
 */
enum http_err path_remove_dots(const char *in, size_t len, char *out,
			       size_t cap, size_t *out_len, bool *above_root);

/*
 * The normal form of an origin-form target in[0..len) = absolute-path
 * [ "?" query ], into out (cap >= len + 1; NUL-terminated, *out_len
 * without it).  In the path, in this order:
 *
 *   1. percent-encodings are checked; an unreserved character is decoded
 *      (§6.2.2.2: "%61" -> "a", "%2e" -> "."), any other stays encoded
 *      with upper-case hex digits (§6.2.2.1: "%3f" -> "%3F");
 *   2. empty segments collapse ("//admin" -> "/admin": a design choice);
 *   3. dot-segments are removed (§5.2.4, path_remove_dots()).
 *
 * Refused (the origin answers 400), each a design choice said in
 * docs/rules.md: %2F (HTTP_E_PATH_SLASH), %00 (HTTP_E_PATH_NUL), a
 * backslash, literal or %5C, a literal ';', or any byte RFC 3986 §3.3 does
 * not allow in a path (HTTP_E_PATH_CHAR), a bad '%' (HTTP_E_PATH_ENCODING),
 * and a ".." that climbs above "/" (HTTP_E_PATH_ABOVE_ROOT).  A target
 * that does not start with '/' is HTTP_E_TARGET.  The query is checked
 * against §3.4 and copied as it is.  Case is kept: paths are
 * case-sensitive (§6.2.2.1), so "/ADMIN" is not "/admin".
 */
enum http_err path_normalize(const char *in, size_t len, char *out, size_t cap,
			     size_t *out_len);

#endif
