/*
 * http/error.c - sentences for the codes of enum http_err.
 *
 * Each sentence is written for a student: it appears in the body of a 400
 * and in the REPL's "why" line, so it names the rule and, where there is
 * one, the RFC section that states it.
 */
#define _POSIX_C_SOURCE 200809L

#include "error.h"

#include <stddef.h>

/* ---- The table ---- */

/* Indexed by enum value; designated initialisers keep it in step. */
static const char *const messages[HTTP_E__COUNT] = {
    [HTTP_OK] = "No error.",

    [HTTP_E_PARTIAL] = "The message is incomplete: more bytes are needed.",
    [HTTP_E_SYNTAX] = "The message does not follow the HTTP/1.1 syntax "
		      "(RFC 9112).",
    [HTTP_E_METHOD] = "The request method is not a token: only letters, "
		      "digits and !#$%&'*+-.^_`|~ are allowed "
		      "(RFC 9110 §9.1).",
    [HTTP_E_TARGET] = "The request-target is malformed: it may not be "
		      "empty or contain spaces, control characters or a "
		      "'#' fragment (RFC 9112 §3.2).",
    [HTTP_E_VERSION] = "The HTTP version is malformed: it must be "
		       "\"HTTP/\", a digit, '.' and a digit, such as "
		       "HTTP/1.1 (RFC 9112 §2.3).",
    [HTTP_E_VERSION_UNSUPPORTED] = "Only HTTP/1.0 and HTTP/1.1 are "
				   "spoken here; the message uses another "
				   "major version (505, RFC 9110 "
				   "§15.6.6).",
    [HTTP_E_STATUS] = "The status-line is malformed: it must be "
		      "\"HTTP/1.x\", a space, three digits, a space and an "
		      "optional reason (RFC 9112 §4).",
    [HTTP_E_HEADER_NAME] = "A header field name is not a token, or a "
			   "line has no colon (RFC 9110 §5.1).",
    [HTTP_E_HEADER_VALUE] = "A header field value contains a control "
			    "character such as NUL (RFC 9110 §5.5).",
    [HTTP_E_OBS_FOLD] = "A header line starts with a space or tab: "
			"obsolete line folding is rejected "
			"(RFC 9112 §5.2).",
    [HTTP_E_SPACE_BEFORE_COLON] = "There is whitespace between a header "
				  "field name and its colon; this is "
				  "forbidden (RFC 9112 §5.1).",
    [HTTP_E_BARE_CR] = "A CR byte is not followed by LF; lines must end "
		       "in CRLF (RFC 9112 §2.2).",
    [HTTP_E_BARE_LF] = "A line ends in a bare LF without CR; lines must "
		       "end in CRLF (RFC 9112 §2.2).",
    [HTTP_E_TOO_MANY_HEADERS] = "The message has more header fields than "
				"this server accepts.",
    [HTTP_E_HEAD_TOO_LARGE] = "The header section is larger than this "
			      "server accepts (431, RFC 6585 §5).",
    [HTTP_E_TARGET_TOO_LONG] = "The request-target is longer than this "
			       "server accepts (414, RFC 9110 §15.5.15).",
    [HTTP_E_CL_AND_TE] = "The message has both Content-Length and "
			 "Transfer-Encoding; that is how requests are "
			 "smuggled, so it is rejected (RFC 9112 §6.3).",
    [HTTP_E_CL_INVALID] = "Content-Length is not a decimal number that "
			  "fits in 64 bits (RFC 9110 §8.6).",
    [HTTP_E_CL_CONFLICT] = "The message has several Content-Length "
			   "values that differ (RFC 9112 §6.3).",
    [HTTP_E_TE_UNSUPPORTED] = "Transfer-Encoding must end in chunked; "
			      "other transfer codings are not supported "
			      "(RFC 9112 §6.1).",
    [HTTP_E_TE_HTTP10] = "An HTTP/1.0 request may not carry "
			 "Transfer-Encoding: HTTP/1.0 has no transfer "
			 "codings, so the framing is faulty "
			 "(RFC 9112 §6.1).",
    [HTTP_E_CHUNK] = "The chunked body is malformed (RFC 9112 §7.1).",
    [HTTP_E_BODY_TOO_LARGE] = "The body is larger than this server "
			      "accepts.",
    [HTTP_E_HOST] = "The Host header field is not a valid host[:port] "
		    "(RFC 9112 §3.2, RFC 9110 §7.2).",
    [HTTP_E_HOST_MISSING] = "An HTTP/1.1 request must have a Host header "
			    "field (RFC 9112 §3.2).",
    [HTTP_E_HOST_REPEATED] = "The request has more than one Host header "
			     "field (RFC 9112 §3.2).",
    [HTTP_E_URL] = "The URL is not understood: expected "
		   "http://host[:port]/path with no user name or "
		   "password in it.",

    [HTTP_E_PATH_ENCODING] = "The path has a '%' that is not followed by "
			     "two hexadecimal digits (RFC 3986 §2.1).",
    [HTTP_E_PATH_SLASH] = "The path holds %2F, an encoded '/'; servers "
			  "disagree on whether it separates segments, so "
			  "it is refused (docs/rules.md).",
    [HTTP_E_PATH_NUL] = "The path holds %00, an encoded NUL byte.",
    [HTTP_E_PATH_CHAR] = "The path holds a byte a URI path may not "
			 "contain (RFC 3986 §3.3), or a '\\' or ';' that "
			 "servers read differently, so it is refused "
			 "(docs/rules.md).",
    [HTTP_E_PATH_ABOVE_ROOT] = "The path climbs above \"/\" with \"..\" "
			       "(RFC 3986 §5.2.4).",

    [HTTP_E_NOSPACE] = "An output buffer is too small.",
    [HTTP_E_NOMEM] = "Out of memory.",

    [HTTP_E_BASE64] = "The text is not canonical base64 (RFC 4648 §4): "
		      "wrong alphabet, whitespace, bad padding or nonzero "
		      "unused bits.",
    [HTTP_E_HEX] = "The value is not lowercase hexadecimal of the "
		   "expected length.",

    [HTTP_E_AUTH_SYNTAX] = "The authentication header does not parse as "
			   "scheme and parameters (RFC 9110 §11).",
    [HTTP_E_AUTH_TOO_MANY] = "The authentication header has more "
			     "challenges or parameters than this server "
			     "accepts.",
    [HTTP_E_AUTH_DUP_PARAM] = "An authentication parameter appears "
			      "twice; each may appear once "
			      "(RFC 9110 §11.2).",
    [HTTP_E_AUTH_SCHEME] = "The authentication scheme is not one that "
			   "was offered.",
    [HTTP_E_AUTH_MISSING] = "No credentials were sent.",

    [HTTP_E_BASIC_NO_COLON] = "The decoded Basic credentials have no "
			      "colon between user-id and password "
			      "(RFC 7617 §2).",
    [HTTP_E_BASIC_CTL] = "The Basic user-id or password contains a "
			 "control character (RFC 7617 §2).",
    [HTTP_E_BASIC_TOO_LONG] = "The Basic user-id or password is longer "
			      "than this server accepts.",
    [HTTP_E_BASIC_USER_COLON] = "A Basic user-id may not contain a "
				"colon (RFC 7617 §2).",

    [HTTP_E_DIGEST_FIELD] = "A required Digest field is missing or "
			    "malformed (RFC 7616 §3.4).",
    [HTTP_E_DIGEST_ALGORITHM] = "The Digest algorithm is unknown or was "
				"not offered (RFC 7616 §3.3).",
    [HTTP_E_DIGEST_QOP] = "The Digest qop is unknown or was not offered "
			  "(RFC 7616 §3.3).",
    [HTTP_E_DIGEST_REALM] = "The Digest realm is not this server's "
			    "realm.",
    [HTTP_E_DIGEST_URI] = "The Digest uri differs from the "
			  "request-target (RFC 7616 §3.4.6).",
    [HTTP_E_DIGEST_NONCE] = "The Digest nonce was not issued by this "
			    "server.",
    [HTTP_E_DIGEST_STALE] = "The Digest nonce has expired; retry with a "
			    "fresh one (stale=true, RFC 7616 §3.3).",
    [HTTP_E_DIGEST_NC] = "The Digest nonce count was already used; this "
			 "looks like a replay (RFC 7616 §3.4).",
    [HTTP_E_DIGEST_RESPONSE] = "The Digest response has the wrong length "
			       "for its algorithm.",

    [HTTP_E_BEARER_TOKEN] = "The Bearer token does not have the b64token "
			    "syntax (RFC 6750 §2.1).",

    [HTTP_E_NTLM_MESSAGE] = "The NTLM message is malformed: wrong signature "
			    "or type, or a field runs past the end of the "
			    "message (MS-NLMP §2.2).",
    [HTTP_E_NTLM_V1] = "NTLMv1 and LM responses are refused: only an "
		       "NTLMv2 response (MS-NLMP §3.3.2) is accepted.",
    [HTTP_E_NTLM_ANONYMOUS] = "An anonymous NTLM AUTHENTICATE (no user, "
			      "no response) is refused.",
    [HTTP_E_NTLM_ORDER] = "The NTLM message came out of turn: an "
			  "AUTHENTICATE needs the CHALLENGE of the same "
			  "connection (MS-NLMP §3.1.5).",
    [HTTP_E_NTLM_CRYPTO] = "MD4 is not available: NTLM needs OpenSSL 3's "
			   "legacy provider (legacy.so in the OpenSSL "
			   "modules directory).",
    [HTTP_E_NEGOTIATE] = "The Negotiate token was refused by GSS-API "
			 "(RFC 4559 §4).",
    [HTTP_E_BAD_USER] = "The user is not known.",
    [HTTP_E_BAD_PASSWORD] = "The password, response or token does not "
			    "match.",

    [HTTP_E_FILE_OPEN] = "A file cannot be opened or read.",
    [HTTP_E_FILE_LINE] = "A line in a configuration file is malformed.",
    [HTTP_E_CONFIG] = "The configuration is inconsistent.",
    [HTTP_E_TLS_RECORD] = "The bytes are not TLS records (RFC 8446 §5.1): "
			  "no known content type, a version other than "
			  "3.x, or a record longer than 18432 bytes.",
    [HTTP_E_TLS_HELLO] = "A ClientHello or ServerHello does not parse "
			 "(RFC 8446 §4.1.2, §4.1.3): a length runs past "
			 "its message.",
};

/* ---- Looking up ---- */

/*
 * The sentence for code e.  Never NULL; the string has static storage and
 * the caller must not free it.
 */
const char *http_strerror(enum http_err e)
{
	if ((unsigned)e >= (unsigned)HTTP_E__COUNT || messages[e] == NULL)
		return "Unknown error.";
	return messages[e];
}

/*
 * The status a message that could not be read gets: 431 for a header
 * section past its limit (RFC 6585 §5), 414 for a request-target too long
 * (RFC 9110 §15.5.15), 413 for a body too large (§15.5.14), 505 for a
 * major version other than 1 (§15.6.6), else 400.
 */
int http_err_status(enum http_err e)
{
	switch (e) {
	case HTTP_E_HEAD_TOO_LARGE:
	case HTTP_E_TOO_MANY_HEADERS:
		return 431;
	case HTTP_E_TARGET_TOO_LONG:
		return 414;
	case HTTP_E_BODY_TOO_LARGE:
		return 413;
	case HTTP_E_VERSION_UNSUPPORTED:
		return 505;
	default:
		return 400;
	}
}
