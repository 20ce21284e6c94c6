/*
 * http/error.h - the one error enum of lab407's protocol core.
 *
 * Library code (http/, and the pure parts of proxy/, origin/, client/)
 * never prints and never exits: it returns one of these codes, and the
 * caller turns it into words with http_strerror().  Each code's sentence is
 * written for a student reading a 400 body or a REPL "why" line.
 */
#ifndef LAB407_HTTP_ERROR_H
#define LAB407_HTTP_ERROR_H

enum http_err {
	HTTP_OK = 0,

	/* ---- message syntax (RFC 9112) ---- */
	HTTP_E_PARTIAL, /* more bytes are needed, not an error yet */
	HTTP_E_SYNTAX,	/* generic malformed message */
	HTTP_E_METHOD,	/* method is not a token */
	HTTP_E_TARGET,	/* request-target malformed */
	HTTP_E_VERSION, /* not HTTP/1.0 or HTTP/1.1 */
	HTTP_E_VERSION_UNSUPPORTED, /* a well-formed HTTP/N.M, N != 1: 505 */
	HTTP_E_STATUS,		    /* status-line malformed */
	HTTP_E_HEADER_NAME,	    /* field name is not a token */
	HTTP_E_HEADER_VALUE,	    /* control character in a field value */
	HTTP_E_OBS_FOLD,	    /* obsolete line folding (RFC 9112 §5.2) */
	HTTP_E_SPACE_BEFORE_COLON,  /* whitespace between name and colon (§5.1)
				     */
	HTTP_E_BARE_CR,		    /* CR not followed by LF (§2.2) */
	HTTP_E_BARE_LF,		    /* LF without CR */
	HTTP_E_TOO_MANY_HEADERS,    /* more than HTTP_MAX_HEADERS fields */
	HTTP_E_HEAD_TOO_LARGE,	    /* header section over the limit: 431 */
	HTTP_E_TARGET_TOO_LONG,	    /* request-target over the limit: 414 */
	HTTP_E_CL_AND_TE,	    /* Content-Length with Transfer-Encoding */
	HTTP_E_CL_INVALID,	    /* Content-Length not a number */
	HTTP_E_CL_CONFLICT,	    /* differing duplicate Content-Length */
	HTTP_E_TE_UNSUPPORTED,	    /* transfer coding other than chunked */
	HTTP_E_TE_HTTP10,      /* Transfer-Encoding in an HTTP/1.0 request */
	HTTP_E_CHUNK,	       /* malformed chunked framing */
	HTTP_E_BODY_TOO_LARGE, /* body over a configured limit */
	HTTP_E_HOST,	       /* Host value malformed */
	HTTP_E_HOST_MISSING,   /* HTTP/1.1 request without Host */
	HTTP_E_HOST_REPEATED,  /* more than one Host field */
	HTTP_E_URL,	       /* URL not understood */

	/* ---- paths (RFC 3986 §3.3, http/path.c) ---- */
	HTTP_E_PATH_ENCODING,	/* '%' not followed by two hex digits */
	HTTP_E_PATH_SLASH,	/* %2F: an encoded '/' */
	HTTP_E_PATH_NUL,	/* %00: an encoded NUL */
	HTTP_E_PATH_CHAR,	/* '\\', ';' or a byte no URI path holds */
	HTTP_E_PATH_ABOVE_ROOT, /* ".." climbs above "/" */

	/* ---- resources ---- */
	HTTP_E_NOSPACE, /* output buffer too small */
	HTTP_E_NOMEM,	/* allocation failed */

	/* ---- encodings ---- */
	HTTP_E_BASE64, /* not canonical base64 (RFC 4648 §4) */
	HTTP_E_HEX,    /* not lowercase hex of the right length */

	/* ---- authentication grammar (RFC 9110 §11) ---- */
	HTTP_E_AUTH_SYNTAX,    /* challenge/credentials do not parse */
	HTTP_E_AUTH_TOO_MANY,  /* more challenges/params than we hold */
	HTTP_E_AUTH_DUP_PARAM, /* the same auth-param twice (§11.2) */
	HTTP_E_AUTH_SCHEME,    /* scheme not offered or not known */
	HTTP_E_AUTH_MISSING,   /* no credentials at all */

	/* ---- Basic (RFC 7617) ---- */
	HTTP_E_BASIC_NO_COLON,	 /* decoded user-pass has no colon */
	HTTP_E_BASIC_CTL,	 /* control character in user or password */
	HTTP_E_BASIC_TOO_LONG,	 /* user or password over the limit */
	HTTP_E_BASIC_USER_COLON, /* a user-id may not contain a colon */

	/* ---- Digest (RFC 7616) ---- */
	HTTP_E_DIGEST_FIELD,	 /* a required field is missing or bad */
	HTTP_E_DIGEST_ALGORITHM, /* unknown or not offered algorithm */
	HTTP_E_DIGEST_QOP,	 /* unknown or not offered qop */
	HTTP_E_DIGEST_REALM,	 /* realm differs from ours */
	HTTP_E_DIGEST_URI,	 /* uri differs from the request-target */
	HTTP_E_DIGEST_NONCE,	 /* nonce not ours (forged or corrupt) */
	HTTP_E_DIGEST_STALE,	 /* nonce ours but expired: stale=true */
	HTTP_E_DIGEST_NC,	 /* nonce count replayed or decreasing */
	HTTP_E_DIGEST_RESPONSE,	 /* response hash has the wrong length */

	/* ---- Bearer (RFC 6750) ---- */
	HTTP_E_BEARER_TOKEN, /* token syntax wrong */

	/* ---- NTLM (MS-NLMP) ---- */
	HTTP_E_NTLM_MESSAGE,   /* not a well-formed NTLM message */
	HTTP_E_NTLM_V1,	       /* NTLMv1 or LM response: refused */
	HTTP_E_NTLM_ANONYMOUS, /* anonymous AUTHENTICATE: refused */
	HTTP_E_NTLM_ORDER,     /* message out of turn on this connection */
	HTTP_E_NTLM_CRYPTO,    /* MD4 unavailable (OpenSSL legacy provider) */

	/* ---- Negotiate (RFC 4559) ---- */
	HTTP_E_NEGOTIATE, /* GSS-API refused the token */

	/* ---- verification outcomes ---- */
	HTTP_E_BAD_USER,     /* user unknown */
	HTTP_E_BAD_PASSWORD, /* password/response/token does not match */

	/* ---- configuration files ---- */
	HTTP_E_FILE_OPEN, /* cannot open/read a file */
	HTTP_E_FILE_LINE, /* a malformed line (detail in errbuf) */
	HTTP_E_CONFIG,	  /* inconsistent configuration */

	/* ---- what crosses a tunnel (http/tlsrec.c) ---- */
	HTTP_E_TLS_RECORD, /* the bytes are not TLS records */
	HTTP_E_TLS_HELLO,  /* a ClientHello/ServerHello does not parse */

	HTTP_E__COUNT
};

/* A sentence for a code; never NULL, static storage. */
const char *http_strerror(enum http_err e);
/* The status for a request that could not be read: 431, 414, 413, 505 or
 * 400. */
int http_err_status(enum http_err e);

#endif
