/*
 * http/auth.h - the authentication grammar of RFC 9110 §11.
 *
 *   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *
 * A WWW-Authenticate or Proxy-Authenticate field may hold several
 * challenges separated by commas, and a response may carry several such
 * fields; the parser handles both.  Like the message parser it only
 * points into the caller's bytes; quoted values are unescaped on demand.
 */
#ifndef LAB407_HTTP_AUTH_H
#define LAB407_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "message.h"

#define AUTH_MAX_PARAMS 16    /* auth-params in one challenge */
#define AUTH_MAX_CHALLENGES 8 /* challenges in one response */
#define AUTH_MAX_VALUE 1024   /* unescaped length of one param value */

/* The schemes lab407 speaks, as bits so a set fits in an unsigned. */
enum auth_scheme {
	AUTH_SCHEME_NONE = 0,
	AUTH_SCHEME_BASIC = 1u << 0,	 /* RFC 7617 */
	AUTH_SCHEME_DIGEST = 1u << 1,	 /* RFC 7616 */
	AUTH_SCHEME_BEARER = 1u << 2,	 /* RFC 6750 */
	AUTH_SCHEME_NTLM = 1u << 3,	 /* MS-NLMP over HTTP: per connection */
	AUTH_SCHEME_NEGOTIATE = 1u << 4, /* RFC 4559: SPNEGO/Kerberos */
	AUTH_SCHEME_UNKNOWN = 1u << 7	 /* anything else */
};

struct auth_param {
	const char *name; /* into the caller's buffer */
	size_t name_len;
	const char *value; /* raw: for a quoted-string, between the quotes */
	size_t value_len;
	bool quoted; /* value was a quoted-string (may hold \ escapes) */
};

/* One challenge, or one set of credentials: the same shape. */
struct auth_challenge {
	const char *scheme;
	size_t scheme_len;
	enum auth_scheme kind; /* scheme recognised, or UNKNOWN */
	const char *token68;   /* NULL unless the token68 form was used */
	size_t token68_len;
	struct auth_param params[AUTH_MAX_PARAMS];
	size_t num_params;
};

/*
 * Parse one field value holding one or more challenges; append them to
 * out[*n..max) and advance *n.  Duplicate params in one challenge are an
 * error (RFC 9110 §11.2).
 */
enum http_err auth_parse_challenges(const char *v, size_t len,
				    struct auth_challenge *out, size_t max,
				    size_t *n);
/*
 * Collect the challenges of every field called `field` (WWW-Authenticate or
 * Proxy-Authenticate) of a response, in order.
 */
enum http_err auth_collect_challenges(const struct http_header *hs, size_t nh,
				      const char *field,
				      struct auth_challenge *out, size_t max,
				      size_t *n);
/* Parse a credentials field value (exactly one scheme). */
enum http_err auth_parse_credentials(const char *v, size_t len,
				     struct auth_challenge *out);
/*
 * Parse a bare #auth-param list, such as an Authentication-Info or
 * Proxy-Authentication-Info value (RFC 9110 §11.6.3, §11.7.3), into
 * out->params; out has no scheme (NULL, kind NONE) and no token68.  An
 * empty value gives no params and is not an error.
 */
enum http_err auth_parse_params(const char *v, size_t len,
				struct auth_challenge *out);

/* Scheme name to enum (case-insensitive), UNKNOWN for others. */
enum auth_scheme auth_scheme_from(const char *s, size_t len);
/*
 * The scheme a credentials field value starts with (RFC 9110 §11.4,
 * credentials = auth-scheme [ 1*SP ... ]): its leading token, followed by
 * what auth_parse_credentials() accepts after a scheme (the end, SP,
 * HTAB or a comma), so that a value it parses with scheme s always gives
 * s here.  NONE when the value does not start so; the rest of the value
 * is not looked at.
 */
enum auth_scheme auth_scheme_of(const char *v, size_t len);
/* The length of that leading scheme token, 0 when auth_scheme_of() gives
 * NONE: what a reader can show of a value that does not parse. */
size_t auth_scheme_span(const char *v, size_t len);
/* "Basic", "Digest", "Bearer", "NTLM", "Negotiate"; NULL for others. */
const char *auth_scheme_name(enum auth_scheme s);
/*
 * Parse a list like "digest,basic" into an ordered array of schemes;
 * "none" gives zero schemes.  Unknown name: HTTP_E_AUTH_SCHEME.
 */
enum http_err auth_scheme_list_parse(const char *s, enum auth_scheme *out,
				     size_t max, size_t *n);

/* Find a param by name (case-insensitive), NULL if absent. */
const struct auth_param *auth_param_find(const struct auth_challenge *c,
					 const char *name);
/*
 * Copy a param's value into out (cap incl. NUL), undoing quoted-pair
 * escapes.  HTTP_E_NOSPACE when it does not fit.
 */
enum http_err auth_param_copy(const struct auth_param *p, char *out, size_t cap,
			      size_t *outlen);
/* Convenience: find + copy.  An absent param gives HTTP_E_AUTH_MISSING
 * (and an empty out); callers map it to their own code, e.g.
 * HTTP_E_DIGEST_FIELD. */
enum http_err auth_get(const struct auth_challenge *c, const char *name,
		       char *out, size_t cap);

/*
 * The one quoted-string writer (RFC 9110 §5.6.4): DQUOTE, the value with
 * each DQUOTE and backslash as a quoted-pair, DQUOTE.  A value holding a
 * byte no quoted-string can carry (NUL, CR, LF, DEL or another control
 * character other than HTAB) is refused: false, nothing appended.
 */
bool auth_write_quoted(struct http_buf *b, const char *value, size_t len);
/* True when auth_write_quoted() can write value[0..len). */
bool auth_quotable(const char *value, size_t len);
/* Append `, name="value"` (through auth_write_quoted) or `, name=value`
 * (value must be a token); `first` omits the leading comma.  False when
 * refused or out of space. */
bool auth_write_param(struct http_buf *b, bool first, const char *name,
		      const char *value, bool quote);

#endif
