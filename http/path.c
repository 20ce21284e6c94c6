/*
 * http/path.c - the normal form of a request path (RFC 3986 §6.2.2).
 *
 * One function, path_normalize(), decides what path a request names; the
 * origin's rules (origin/rules.c) are matched against its result and the
 * origin serves that same result, so there is no second reading of the
 * path for an attacker to aim at.  The design choices (what is refused,
 * what collapses) are listed in docs/rules.md, "How a path is read".
 *
 * Sections: Characters, Dot-segments, Normalising.
 */
#define _POSIX_C_SOURCE 200809L

#include "path.h"

#include <string.h>

/* ---- Characters ---- */

/* RFC 3986 §2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
static bool is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* RFC 3986 §2.2: sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" /
 * "+" / "," / ";" / "=". */
static bool is_sub_delim(unsigned char c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/*
 * RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" /
 * "@" ('%' is handled by the caller).
 */
static bool is_pchar(unsigned char c)
{
	return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
}

/* Value of a hex digit, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte of the pct-encoded triplet at s[0..n) ("%41" -> 'A'), or -1
 * when it is not '%' followed by two hex digits (RFC 3986 §2.1). */
static int pct_value(const char *s, size_t n)
{
	int hi, lo;

	if (n < 3 || s[0] != '%')
		return -1;
	hi = hex_value(s[1]);
	lo = hex_value(s[2]);
	if (hi < 0 || lo < 0)
		return -1;
	return hi << 4 | lo;
}

/* ---- Dot-segments ---- */

/* True when in[i..len) starts with the C string s. */
static bool starts(const char *in, size_t i, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len - i >= n && memcmp(in + i, s, n) == 0;
}

/* True when in[i..len) is exactly the C string s. */
static bool is_rest(const char *in, size_t i, size_t len, const char *s)
{
	return len - i == strlen(s) && starts(in, i, len, s);
}

/*
 * RFC 3986 §5.2.4, step 2C: remove the last segment of out[0..*o) and the
 * '/' before it.  With nothing left to remove, the ".." climbed above the
 * root.
 */
static void drop_last_segment(const char *out, size_t *o, bool *above_root)
{
	if (*o == 0) {
		*above_root = true;
		return;
	}
	while (*o > 0 && out[*o - 1] != '/')
		(*o)--;
	if (*o > 0)
		(*o)--;
}

/*
 * RFC 3986 §5.2.4 remove_dot_segments, steps 2A to 2E in the RFC's order.
 * "Replace the prefix with '/'" is done by leaving the input cursor on
 * the '/' that the prefix ends with (or, at the end of the input, by
 * cutting the input just after it), so no byte is ever copied twice.
 * The output never gets ahead of the input cursor, which is why out may
 * be in itself.
 */
enum http_err path_remove_dots(const char *in, size_t len, char *out,
			       size_t cap, size_t *out_len, bool *above_root)
{
	size_t i = 0, o = 0;

	*above_root = false;
	*out_len = 0;
	if (cap < len + 1)
		return HTTP_E_NOSPACE;
	while (i < len) {
		size_t j;

		if (starts(in, i, len, "../")) { /* 2A */
			i += 3;
		} else if (starts(in, i, len, "./")) {
			i += 2;
		} else if (starts(in, i, len, "/./")) { /* 2B */
			i += 2;
		} else if (is_rest(in, i, len, "/.")) {
			len = i + 1;
		} else if (starts(in, i, len, "/../")) { /* 2C */
			i += 3;
			drop_last_segment(out, &o, above_root);
		} else if (is_rest(in, i, len, "/..")) {
			len = i + 1;
			drop_last_segment(out, &o, above_root);
		} else if (is_rest(in, i, len, ".") || /* 2D */
			   is_rest(in, i, len, "..")) {
			i = len;
		} else { /* 2E: the first segment, with its leading '/' */
			j = i;
			if (in[j] == '/')
				j++;
			while (j < len && in[j] != '/')
				j++;
			memmove(out + o, in + i, j - i);
			o += j - i;
			i = j;
		}
	}
	out[o] = '\0';
	*out_len = o;
	return HTTP_OK;
}

/* ---- Normalising ---- */

/*
 * Step 1 and 2 of path_normalize() on the path in[0..len): check each
 * byte, decode unreserved percent-encodings, upper-case the others, and
 * write no '/' right after another one.  *o is the output length.
 */
static enum http_err decode_path(const char *in, size_t len, char *out,
				 size_t *o)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	*o = 0;
	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		if (c == '%') {
			int v = pct_value(in + i, len - i);

			if (v < 0)
				return HTTP_E_PATH_ENCODING;
			if (v == 0)
				return HTTP_E_PATH_NUL;
			if (v == '/')
				return HTTP_E_PATH_SLASH;
			if (v == '\\')
				return HTTP_E_PATH_CHAR;
			if (is_unreserved((unsigned char)v)) {
				out[(*o)++] = (char)v;
			} else {
				out[(*o)++] = '%';
				out[(*o)++] = hex[v >> 4];
				out[(*o)++] = hex[v & 0xf];
			}
			i += 3;
			continue;
		}
		/* ';' is a pchar, but servers that read ";params" out of a
		 * segment ("/admin;x" -> "/admin") would see another path. */
		if (c == '/') {
			if (*o == 0 || out[*o - 1] != '/')
				out[(*o)++] = '/';
		} else if (is_pchar(c) && c != ';') {
			out[(*o)++] = (char)c;
		} else {
			return HTTP_E_PATH_CHAR;
		}
		i++;
	}
	return HTTP_OK;
}

/* RFC 3986 §3.4: query = *( pchar / "/" / "?" ), percent-encodings valid. */
static enum http_err check_query(const char *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)q[i];

		if (c == '%') {
			if (pct_value(q + i, n - i) < 0)
				return HTTP_E_PATH_ENCODING;
			i += 2;
		} else if (!is_pchar(c) && c != '/' && c != '?') {
			return HTTP_E_PATH_CHAR;
		}
	}
	return HTTP_OK;
}

/*
 * The normal form of the origin-form target in[0..len); see path.h for
 * the steps and what is refused.  out (cap >= len + 1) is the caller's;
 * on an error it holds "".
 */
enum http_err path_normalize(const char *in, size_t len, char *out, size_t cap,
			     size_t *out_len)
{
	const char *q = memchr(in, '?', len);
	size_t plen = q != NULL ? (size_t)(q - in) : len;
	size_t o = 0;
	bool above_root = false;
	enum http_err e;

	*out_len = 0;
	if (cap < len + 1)
		return HTTP_E_NOSPACE;
	out[0] = '\0';
	if (plen == 0 || in[0] != '/')
		return HTTP_E_TARGET;
	if (q != NULL) {
		e = check_query(q + 1, len - plen - 1);
		if (e != HTTP_OK)
			return e;
	}
	e = decode_path(in, plen, out, &o);
	if (e == HTTP_OK)
		e = path_remove_dots(out, o, out, cap, &o, &above_root);
	if (e == HTTP_OK && above_root)
		e = HTTP_E_PATH_ABOVE_ROOT;
	if (e != HTTP_OK) {
		out[0] = '\0';
		return e;
	}
	/* The query is not part of the path (§3.4): kept as it came. */
	if (q != NULL) {
		memcpy(out + o, q, len - plen);
		o += len - plen;
	}
	out[o] = '\0';
	*out_len = o;
	return HTTP_OK;
}
