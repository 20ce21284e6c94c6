/*
 * http/auth.c - the authentication grammar of RFC 9110 §11.
 *
 * One parser serves challenges (WWW-Authenticate, Proxy-Authenticate) and
 * credentials (Authorization, Proxy-Authorization): RFC 9110 §11.3 and
 * §11.4 give them the same shape.  The parser never allocates and never
 * copies: it fills struct auth_challenge with pointer+length pairs into
 * the caller's bytes, and reads no byte at or past `len`.
 *
 * The hard part is the comma.  A field may hold several challenges, and a
 * challenge holds a comma-separated list of auth-params, so in
 *
 *   Digest realm="a", nonce="x", Basic realm="b"
 *
 * the second comma separates params and the third separates challenges.
 * RFC 9110 §11.6.1 gives the rule we use: after a comma, a token followed
 * by "=" is another auth-param; a token followed by a space, a comma or
 * the end starts a new challenge.
 */
#define _POSIX_C_SOURCE 200809L

#include "auth.h"

#include <string.h>
#include <strings.h>

#include "message.h"

/* ---- Characters ---- */

/* token68 (RFC 9110 §11.2) before its trailing "="s; also RFC 6750's
 * b64token. */
static bool is_t68char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("-._~+/", c) != NULL;
}

/* OWS / BWS (RFC 9110 §5.6.3): optional spaces and tabs. */
static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* qdtext and the quoted-pair payload (RFC 9110 §5.6.4): HTAB, SP, VCHAR
 * and obs-text; no other control characters. */
static bool is_qchar(unsigned char c)
{
	return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f);
}

/* ---- Scanning ---- */

/* Skip OWS from *pos. */
static void skip_ows(const char *v, size_t len, size_t *pos)
{
	while (*pos < len && is_ows((unsigned char)v[*pos]))
		(*pos)++;
}

/* Skip empty list elements: any run of OWS and commas (RFC 9110 §5.6.1
 * says a recipient must accept and ignore them). */
static void skip_empty_elements(const char *v, size_t len, size_t *pos)
{
	while (*pos < len && (is_ows((unsigned char)v[*pos]) || v[*pos] == ','))
		(*pos)++;
}

/* Length of the token starting at pos (0 when none). */
static size_t token_len(const char *v, size_t len, size_t pos)
{
	size_t i = pos;

	while (i < len && http_is_tchar((unsigned char)v[i]))
		i++;
	return i - pos;
}

/*
 * After a comma: is the next element an auth-param (token BWS "=")?  If
 * not, it starts a new challenge.  Only looks, never consumes.
 */
static bool next_is_param(const char *v, size_t len, size_t pos)
{
	size_t t = token_len(v, len, pos);

	if (t == 0)
		return false;
	pos += t;
	skip_ows(v, len, &pos);
	return pos < len && v[pos] == '=';
}

/*
 * Try token68 at pos: 1*t68char *"=", then OWS, then a comma or the end.
 * On success sets *t68len (including the "="s) and returns true.
 */
static bool try_token68(const char *v, size_t len, size_t pos, size_t *t68len)
{
	size_t i = pos;

	while (i < len && is_t68char((unsigned char)v[i]))
		i++;
	if (i == pos)
		return false;
	while (i < len && v[i] == '=')
		i++;
	*t68len = i - pos;
	skip_ows(v, len, &i);
	return i == len || v[i] == ',';
}

/*
 * Scan a quoted-string whose opening quote is at *pos.  On success the
 * value (between the quotes, escapes left in) is [*vstart, *vend) and
 * *pos is past the closing quote.
 */
static enum http_err scan_quoted(const char *v, size_t len, size_t *pos,
				 size_t *vstart, size_t *vend)
{
	size_t i = *pos + 1;

	*vstart = i;
	while (i < len) {
		unsigned char c = (unsigned char)v[i];

		if (c == '"') {
			*vend = i;
			*pos = i + 1;
			return HTTP_OK;
		}
		if (c == '\\') {
			/* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
			if (i + 1 >= len)
				return HTTP_E_AUTH_SYNTAX;
			if (!is_qchar((unsigned char)v[i + 1]))
				return HTTP_E_AUTH_SYNTAX;
			i += 2;
			continue;
		}
		if (!is_qchar(c))
			return HTTP_E_AUTH_SYNTAX;
		i++;
	}
	return HTTP_E_AUTH_SYNTAX; /* unterminated quoted-string */
}

/* Case-insensitive compare of a (pointer, length) with a C string. */
static bool span_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/* ---- Parsing one challenge ---- */

/*
 * Parse one auth-param at *pos into c (RFC 9110 §11.2):
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 */
static enum http_err parse_param(const char *v, size_t len, size_t *pos,
				 struct auth_challenge *c)
{
	size_t name = *pos;
	size_t nlen = token_len(v, len, name);
	struct auth_param *p;
	size_t i, vs, ve;
	bool quoted = false;
	enum http_err e;

	if (nlen == 0)
		return HTTP_E_AUTH_SYNTAX;
	*pos += nlen;
	skip_ows(v, len, pos);
	if (*pos >= len || v[*pos] != '=')
		return HTTP_E_AUTH_SYNTAX;
	(*pos)++;
	skip_ows(v, len, pos);
	if (*pos >= len)
		return HTTP_E_AUTH_SYNTAX; /* "name=" with no value */
	if (v[*pos] == '"') {
		e = scan_quoted(v, len, pos, &vs, &ve);
		if (e != HTTP_OK)
			return e;
		quoted = true;
	} else {
		vs = *pos;
		ve = vs + token_len(v, len, vs);
		if (ve == vs)
			return HTTP_E_AUTH_SYNTAX;
		*pos = ve;
	}
	/* RFC 9110 §11.2: each parameter name MUST only occur once. */
	for (i = 0; i < c->num_params; i++)
		if (c->params[i].name_len == nlen &&
		    strncasecmp(c->params[i].name, v + name, nlen) == 0)
			return HTTP_E_AUTH_DUP_PARAM;
	if (c->num_params >= AUTH_MAX_PARAMS)
		return HTTP_E_AUTH_TOO_MANY;
	p = &c->params[c->num_params++];
	p->name = v + name;
	p->name_len = nlen;
	p->value = v + vs;
	p->value_len = ve - vs;
	p->quoted = quoted;
	return HTTP_OK;
}

/*
 * Parse one challenge (or credentials) starting at *pos, which must be at
 * the scheme.  Leaves *pos at the end of the input or at the first byte
 * of the next challenge.
 */
static enum http_err parse_one(const char *v, size_t len, size_t *pos,
			       struct auth_challenge *c)
{
	size_t slen = token_len(v, len, *pos);
	size_t t68;
	enum http_err e;

	memset(c, 0, sizeof(*c));
	if (slen == 0)
		return HTTP_E_AUTH_SYNTAX;
	c->scheme = v + *pos;
	c->scheme_len = slen;
	c->kind = auth_scheme_from(c->scheme, slen);
	*pos += slen;

	/* A scheme alone: end of input, or a comma before the next one. */
	skip_ows(v, len, pos);
	if (*pos >= len)
		return HTTP_OK;
	if (v[*pos] == ',') {
		skip_empty_elements(v, len, pos);
		return HTTP_OK;
	}
	/* RFC 9110 §11.3, §11.4: 1*SP between the scheme and what follows. */
	if (!is_ows((unsigned char)v[*pos - 1]))
		return HTTP_E_AUTH_SYNTAX;

	if (try_token68(v, len, *pos, &t68)) {
		c->token68 = v + *pos;
		c->token68_len = t68;
		*pos += t68;
		skip_empty_elements(v, len, pos);
		return HTTP_OK;
	}

	for (;;) {
		e = parse_param(v, len, pos, c);
		if (e != HTTP_OK)
			return e;
		skip_ows(v, len, pos);
		if (*pos >= len)
			return HTTP_OK;
		if (v[*pos] != ',')
			return HTTP_E_AUTH_SYNTAX;
		skip_empty_elements(v, len, pos);
		if (*pos >= len)
			return HTTP_OK;
		/* RFC 9110 §11.6.1: token "=" is a param; else a new scheme. */
		if (!next_is_param(v, len, *pos))
			return HTTP_OK;
	}
}

/* ---- Parsing fields ---- */

/*
 * Lesson 08: one grammar for every challenge list, known schemes or not.
 * Parse one field value holding one or more challenges into out[*n..max).
 * The challenges point into v; the caller keeps v alive.  An empty value
 * (or one of only commas) adds nothing and is not an error.
 */
enum http_err auth_parse_challenges(const char *v, size_t len,
				    struct auth_challenge *out, size_t max,
				    size_t *n)
{
	size_t pos = 0;
	enum http_err e;

	if (v == NULL && len > 0)
		return HTTP_E_AUTH_SYNTAX;
	for (;;) {
		skip_empty_elements(v, len, &pos);
		if (pos >= len)
			return HTTP_OK;
		if (*n >= max)
			return HTTP_E_AUTH_TOO_MANY;
		e = parse_one(v, len, &pos, &out[*n]);
		if (e != HTTP_OK)
			return e;
		(*n)++;
	}
}

/*
 * Collect the challenges of every field named `field`, in order
 * (RFC 9110 §11.6.1: a response may carry several such fields).
 */
enum http_err auth_collect_challenges(const struct http_header *hs, size_t nh,
				      const char *field,
				      struct auth_challenge *out, size_t max,
				      size_t *n)
{
	size_t i;
	enum http_err e;

	for (i = 0; i < nh; i++) {
		if (!span_is(hs[i].name, hs[i].name_len, field))
			continue;
		e = auth_parse_challenges(hs[i].value, hs[i].value_len, out,
					  max, n);
		if (e != HTTP_OK)
			return e;
	}
	return HTTP_OK;
}

/*
 * Parse a credentials value: exactly one scheme with its token68 or
 * params.  Empty: HTTP_E_AUTH_MISSING; a second scheme: HTTP_E_AUTH_SYNTAX.
 */
enum http_err auth_parse_credentials(const char *v, size_t len,
				     struct auth_challenge *out)
{
	size_t pos = 0;
	enum http_err e;

	if (v == NULL && len > 0)
		return HTTP_E_AUTH_SYNTAX;
	skip_ows(v, len, &pos);
	if (pos >= len)
		return HTTP_E_AUTH_MISSING;
	e = parse_one(v, len, &pos, out);
	if (e != HTTP_OK)
		return e;
	skip_empty_elements(v, len, &pos);
	return pos >= len ? HTTP_OK : HTTP_E_AUTH_SYNTAX;
}

/*
 * Parse a bare #auth-param list (RFC 9110 §11.6.3: Authentication-Info =
 * #auth-param): the params parse_one() reads after a scheme, with empty
 * list elements allowed anywhere.
 */
enum http_err auth_parse_params(const char *v, size_t len,
				struct auth_challenge *out)
{
	size_t pos = 0;
	enum http_err e;

	memset(out, 0, sizeof(*out));
	out->kind = AUTH_SCHEME_NONE;
	if (v == NULL && len > 0)
		return HTTP_E_AUTH_SYNTAX;
	for (;;) {
		skip_empty_elements(v, len, &pos);
		if (pos >= len)
			return HTTP_OK;
		e = parse_param(v, len, &pos, out);
		if (e != HTTP_OK)
			return e;
		skip_ows(v, len, &pos);
		if (pos < len && v[pos] != ',')
			return HTTP_E_AUTH_SYNTAX;
	}
}

/* ---- Scheme names ---- */

static const struct {
	enum auth_scheme s;
	const char *name;
} scheme_names[] = {
    {AUTH_SCHEME_BASIC, "Basic"},	  {AUTH_SCHEME_DIGEST, "Digest"},
    {AUTH_SCHEME_BEARER, "Bearer"},	  {AUTH_SCHEME_NTLM, "NTLM"},
    {AUTH_SCHEME_NEGOTIATE, "Negotiate"},
};

#define NUM_SCHEMES (sizeof(scheme_names) / sizeof(scheme_names[0]))

/* Scheme name to enum; RFC 9110 §11.1: case-insensitive. */
enum auth_scheme auth_scheme_from(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NUM_SCHEMES; i++)
		if (span_is(s, len, scheme_names[i].name))
			return scheme_names[i].s;
	return AUTH_SCHEME_UNKNOWN;
}

/* The leading scheme token of a field value; see auth.h. */
size_t auth_scheme_span(const char *v, size_t len)
{
	size_t t = token_len(v, len, 0);

	if (t == 0 || (t < len && !is_ows((unsigned char)v[t]) && v[t] != ','))
		return 0;
	return t;
}

/* The scheme a field value starts with; see auth.h. */
enum auth_scheme auth_scheme_of(const char *v, size_t len)
{
	size_t t = auth_scheme_span(v, len);

	return t == 0 ? AUTH_SCHEME_NONE : auth_scheme_from(v, t);
}

/* The canonical spelling of a scheme, static storage; NULL for others. */
const char *auth_scheme_name(enum auth_scheme s)
{
	size_t i;

	for (i = 0; i < NUM_SCHEMES; i++)
		if (scheme_names[i].s == s)
			return scheme_names[i].name;
	return NULL;
}

/*
 * Parse "digest,basic" (spaces around names allowed) into out[0..max).
 * "none" alone gives *n = 0.  Unknown or empty name: HTTP_E_AUTH_SCHEME;
 * a scheme twice: HTTP_E_CONFIG; more than max: HTTP_E_AUTH_TOO_MANY.
 */
enum http_err auth_scheme_list_parse(const char *s, enum auth_scheme *out,
				     size_t max, size_t *n)
{
	const char *p = s;
	size_t i;

	*n = 0;
	if (s == NULL)
		return HTTP_E_AUTH_SCHEME;
	for (;;) {
		const char *end;
		size_t len;
		enum auth_scheme k;

		while (is_ows((unsigned char)*p))
			p++;
		end = p;
		while (*end != '\0' && *end != ',')
			end++;
		len = (size_t)(end - p);
		while (len > 0 && is_ows((unsigned char)p[len - 1]))
			len--;
		if (span_is(p, len, "none") && *n == 0 && *end == '\0')
			return HTTP_OK;
		k = auth_scheme_from(p, len);
		if (k == AUTH_SCHEME_UNKNOWN)
			return HTTP_E_AUTH_SCHEME;
		for (i = 0; i < *n; i++)
			if (out[i] == k)
				return HTTP_E_CONFIG;
		if (*n >= max)
			return HTTP_E_AUTH_TOO_MANY;
		out[(*n)++] = k;
		if (*end == '\0')
			return HTTP_OK;
		p = end + 1;
	}
}

/* ---- Reading params ---- */

/* Find a param by name, case-insensitively (RFC 9110 §11.2).  Returns a
 * pointer into c, or NULL. */
const struct auth_param *auth_param_find(const struct auth_challenge *c,
					 const char *name)
{
	size_t i;

	for (i = 0; i < c->num_params; i++)
		if (span_is(c->params[i].name, c->params[i].name_len, name))
			return &c->params[i];
	return NULL;
}

/*
 * Copy a param's value into out (cap bytes incl. the NUL), undoing
 * quoted-pair escapes (RFC 9110 §5.6.4).  *outlen (may be NULL) excludes
 * the NUL.  HTTP_E_NOSPACE when it does not fit or passes AUTH_MAX_VALUE.
 */
enum http_err auth_param_copy(const struct auth_param *p, char *out, size_t cap,
			      size_t *outlen)
{
	size_t i, o = 0;

	if (cap == 0)
		return HTTP_E_NOSPACE;
	out[0] = '\0';
	for (i = 0; i < p->value_len; i++) {
		char c = p->value[i];

		if (p->quoted && c == '\\' && i + 1 < p->value_len)
			c = p->value[++i];
		if (o + 1 >= cap || o >= AUTH_MAX_VALUE) {
			out[0] = '\0';
			return HTTP_E_NOSPACE;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return HTTP_OK;
}

/*
 * Find `name` and copy its unescaped value into out.  An absent param
 * gives HTTP_E_AUTH_MISSING and an empty out; the caller picks the error
 * it reports (Digest says HTTP_E_DIGEST_FIELD).
 */
enum http_err auth_get(const struct auth_challenge *c, const char *name,
		       char *out, size_t cap)
{
	const struct auth_param *p = auth_param_find(c, name);

	if (cap > 0)
		out[0] = '\0';
	if (p == NULL)
		return HTTP_E_AUTH_MISSING;
	return auth_param_copy(p, out, cap, NULL);
}

/* ---- Writing params ---- */

/*
 * True when value[0..len) can be carried by a quoted-string (RFC 9110
 * §5.6.4): qdtext and the quoted-pair payload are HTAB, SP, VCHAR and
 * obs-text, so NUL, CR, LF, DEL and the other control characters cannot
 * be written at all, escaped or not.
 */
bool auth_quotable(const char *value, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_qchar((unsigned char)value[i]))
			return false;
	return true;
}

/*
 * Append value[0..len) as a quoted-string (RFC 9110 §5.6.4):
 *   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
 * with every DQUOTE and backslash sent as a quoted-pair, so the value
 * can never end the string early and smuggle in another parameter.  The
 * one writer of quoted-strings: every server and client field that
 * echoes or carries a string comes through here.  False, with nothing
 * appended, when the value holds a byte no quoted-string can carry
 * (auth_quotable); false too when the buffer refuses the bytes (it is
 * then marked failed).
 */
bool auth_write_quoted(struct http_buf *b, const char *value, size_t len)
{
	if (!auth_quotable(value, len))
		return false;
	http_buf_puts(b, "\"");
	for (size_t i = 0; i < len; i++) {
		if (value[i] == '"' || value[i] == '\\')
			http_buf_puts(b, "\\");
		http_buf_append(b, value + i, 1);
	}
	return http_buf_puts(b, "\"") && !b->failed;
}

/*
 * Append `, name="value"` (quote: through auth_write_quoted) or
 * `, name=value` (a token, RFC 9110 §5.6.2); `first` leaves out the
 * ", ".  False when the name is not a token, an unquoted value is not a
 * token, a quoted one cannot be a quoted-string, or the buffer refuses
 * the bytes.  Nothing is appended when a value is refused.
 */
bool auth_write_param(struct http_buf *b, bool first, const char *name,
		      const char *value, bool quote)
{
	size_t vlen = strlen(value);

	if (token_len(name, strlen(name), 0) != strlen(name) || name[0] == '\0')
		return false;
	if (quote ? !auth_quotable(value, vlen)
		  : vlen == 0 || token_len(value, vlen, 0) != vlen)
		return false;
	if (!first)
		http_buf_puts(b, ", ");
	http_buf_puts(b, name);
	http_buf_puts(b, "=");
	if (quote)
		return auth_write_quoted(b, value, vlen) && !b->failed;
	http_buf_puts(b, value);
	return !b->failed;
}
