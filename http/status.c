/*
 * http/status.c - the status code table.
 *
 * One row per code lab407 can send or meet: every code of RFC 9110 §15
 * plus the later ones a proxy sees (425, 428, 429, 431, 451, 511).  For
 * each 4xx code the row also gives the name the code goes by in common
 * frameworks, so a student can find the same status in the code they
 * write every day.  The names were checked against each framework:
 *
 *   rails    Rack::Utils::SYMBOL_TO_STATUS_CODE (Rack 3.1 and later)
 *   python   http.HTTPStatus, the name every 3.x since 3.5 knows (3.13
 *            added aliases such as CONTENT_TOO_LARGE)
 *   python2  httplib constants (NULL for codes httplib never had)
 *   symfony  Symfony\Component\HttpFoundation\Response constants
 *   go       net/http constants
 *   java     java.net.HttpURLConnection (stops at 415)
 *   node     the reason http.STATUS_CODES gives
 *   dotnet   System.Net.HttpStatusCode members
 *
 * NULL means the framework has no name for the code (or, outside 4xx,
 * that the table does not list framework names).
 */
#define _POSIX_C_SOURCE 200809L

#include "status.h"

#include <stddef.h>

/* ---- The table ---- */

/* Sorted by code: http_status_lookup() relies on it. */
static const struct http_status_info table[] = {
    {100, "Continue", "RFC 9110 §15.2.1",
     "The server has the request head and the client, which sent Expect: "
     "100-continue, may now send the body.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {101, "Switching Protocols", "RFC 9110 §15.2.2",
     "The server switches to the protocol the client asked for in Upgrade, "
     "such as WebSocket.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {200, "OK", "RFC 9110 §15.3.1",
     "The request succeeded. Through lab407 a 200 to a plain request is the "
     "origin's, relayed once every check has passed; a 200 to CONNECT is the "
     "proxy's own.",
     "For CONNECT, 200 means the proxy opened the tunnel; what follows is no "
     "longer HTTP between client and proxy.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {201, "Created", "RFC 9110 §15.3.2",
     "The request created a new resource, named in Location.", NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL},
    {202, "Accepted", "RFC 9110 §15.3.3",
     "The request was accepted for processing that has not finished yet.", NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {203, "Non-Authoritative Information", "RFC 9110 §15.3.4",
     "A transforming proxy changed the content of a 200 response.", NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {204, "No Content", "RFC 9110 §15.3.5",
     "The request succeeded and there is no content to send; the response has "
     "no body.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {205, "Reset Content", "RFC 9110 §15.3.6",
     "The request succeeded and the client should reset the form or view that "
     "sent it.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {206, "Partial Content", "RFC 9110 §15.3.7",
     "The response carries the byte ranges the Range header asked for.", NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {300, "Multiple Choices", "RFC 9110 §15.4.1",
     "The resource has several representations and the client may choose one.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {301, "Moved Permanently", "RFC 9110 §15.4.2",
     "The resource has a new permanent URI, given in Location.", NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {302, "Found", "RFC 9110 §15.4.3",
     "The resource is temporarily at the URI given in Location.", NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {303, "See Other", "RFC 9110 §15.4.4",
     "The answer is at another URI, to be fetched with GET.", NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL},
    {304, "Not Modified", "RFC 9110 §15.4.5",
     "A conditional GET or HEAD found that the client's stored copy is still "
     "valid; the response has no body.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {305, "Use Proxy", "RFC 9110 §15.4.6",
     "Deprecated: once told a client to repeat the request through a proxy; "
     "clients ignore it for security reasons.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {306, "(Unused)", "RFC 9110 §15.4.7",
     "Reserved; once meant Switch Proxy and is no longer used.", NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {307, "Temporary Redirect", "RFC 9110 §15.4.8",
     "The resource is temporarily at another URI; the client repeats the same "
     "method and body there.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {308, "Permanent Redirect", "RFC 9110 §15.4.9",
     "The resource has a new permanent URI; the client repeats the same method "
     "and body there.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {400, "Bad Request", "RFC 9110 §15.5.1",
     "The server could not make sense of the request: broken syntax, a "
     "malformed header, or credentials it cannot parse.",
     "400 is about the shape of the message; 401 and 407 are about who you are "
     "(right shape, missing or wrong credentials), 403 about what you may do.",
     ":bad_request", "http.HTTPStatus.BAD_REQUEST", "httplib.BAD_REQUEST",
     "Response::HTTP_BAD_REQUEST", "http.StatusBadRequest",
     "HttpURLConnection.HTTP_BAD_REQUEST",
     "http.STATUS_CODES[400] === 'Bad Request'", "HttpStatusCode.BadRequest"},
    {401, "Unauthorized", "RFC 9110 §15.5.2",
     "The origin server needs credentials in Authorization, or the ones sent "
     "are wrong; a WWW-Authenticate header says how to log in.",
     "401 comes from the origin and its challenge is WWW-Authenticate, "
     "answered with Authorization; 407 is the same dance with a proxy "
     "(Proxy-Authenticate, Proxy-Authorization). Despite its name, 401 means "
     "unauthenticated; 403 is unauthorized.",
     ":unauthorized", "http.HTTPStatus.UNAUTHORIZED", "httplib.UNAUTHORIZED",
     "Response::HTTP_UNAUTHORIZED", "http.StatusUnauthorized",
     "HttpURLConnection.HTTP_UNAUTHORIZED",
     "http.STATUS_CODES[401] === 'Unauthorized'",
     "HttpStatusCode.Unauthorized"},
    {402, "Payment Required", "RFC 9110 §15.5.3",
     "Reserved for future use; some services send it when a payment or quota "
     "is needed.",
     NULL, ":payment_required", "http.HTTPStatus.PAYMENT_REQUIRED",
     "httplib.PAYMENT_REQUIRED", "Response::HTTP_PAYMENT_REQUIRED",
     "http.StatusPaymentRequired", "HttpURLConnection.HTTP_PAYMENT_REQUIRED",
     "http.STATUS_CODES[402] === 'Payment Required'",
     "HttpStatusCode.PaymentRequired"},
    {403, "Forbidden", "RFC 9110 §15.5.4",
     "The server understood the request and refuses it. The client should not "
     "repeat it automatically with the same credentials; other credentials may "
     "succeed (bob gets 403 on /admin, alice 200), and the refusal may have "
     "nothing to do with credentials.",
     "401 and 407 must carry a challenge; a 403 need not, and lab407's carries "
     "none. A 403 may still carry one (RFC 6750 §3.1: Bearer's "
     "insufficient_scope is a 403 with a challenge).",
     ":forbidden", "http.HTTPStatus.FORBIDDEN", "httplib.FORBIDDEN",
     "Response::HTTP_FORBIDDEN", "http.StatusForbidden",
     "HttpURLConnection.HTTP_FORBIDDEN",
     "http.STATUS_CODES[403] === 'Forbidden'", "HttpStatusCode.Forbidden"},
    {404, "Not Found", "RFC 9110 §15.5.5",
     "The origin server has nothing at this URI, or will not say that it has.",
     "A server may answer 404 instead of 403 to hide that a resource exists.",
     ":not_found", "http.HTTPStatus.NOT_FOUND", "httplib.NOT_FOUND",
     "Response::HTTP_NOT_FOUND", "http.StatusNotFound",
     "HttpURLConnection.HTTP_NOT_FOUND",
     "http.STATUS_CODES[404] === 'Not Found'", "HttpStatusCode.NotFound"},
    {405, "Method Not Allowed", "RFC 9110 §15.5.6",
     "The resource exists but does not support this method; Allow lists the "
     "ones it does.",
     NULL, ":method_not_allowed", "http.HTTPStatus.METHOD_NOT_ALLOWED",
     "httplib.METHOD_NOT_ALLOWED", "Response::HTTP_METHOD_NOT_ALLOWED",
     "http.StatusMethodNotAllowed", "HttpURLConnection.HTTP_BAD_METHOD",
     "http.STATUS_CODES[405] === 'Method Not Allowed'",
     "HttpStatusCode.MethodNotAllowed"},
    {406, "Not Acceptable", "RFC 9110 §15.5.7",
     "No representation matches the client's Accept headers.", NULL,
     ":not_acceptable", "http.HTTPStatus.NOT_ACCEPTABLE",
     "httplib.NOT_ACCEPTABLE", "Response::HTTP_NOT_ACCEPTABLE",
     "http.StatusNotAcceptable", "HttpURLConnection.HTTP_NOT_ACCEPTABLE",
     "http.STATUS_CODES[406] === 'Not Acceptable'",
     "HttpStatusCode.NotAcceptable"},
    {407, "Proxy Authentication Required", "RFC 9110 §15.5.8",
     "The proxy between client and origin needs credentials in "
     "Proxy-Authorization; its Proxy-Authenticate header says which schemes it "
     "accepts.",
     "407 comes from a proxy and is answered with Proxy-Authorization, which "
     "the proxy that asked for it consumes (lab407's never forwards it); 401 "
     "comes from the origin and is answered with Authorization, which the "
     "proxy passes through. 403 means the server refuses this request; the "
     "same credentials will not change that, other credentials might.",
     ":proxy_authentication_required",
     "http.HTTPStatus.PROXY_AUTHENTICATION_REQUIRED",
     "httplib.PROXY_AUTHENTICATION_REQUIRED",
     "Response::HTTP_PROXY_AUTHENTICATION_REQUIRED",
     "http.StatusProxyAuthRequired", "HttpURLConnection.HTTP_PROXY_AUTH",
     "http.STATUS_CODES[407] === 'Proxy Authentication Required'",
     "HttpStatusCode.ProxyAuthenticationRequired"},
    {408, "Request Timeout", "RFC 9110 §15.5.9",
     "The server gave up waiting for the rest of the request.",
     "408 is about the client being slow to send; 504 is about an upstream "
     "server being slow to answer a gateway.",
     ":request_timeout", "http.HTTPStatus.REQUEST_TIMEOUT",
     "httplib.REQUEST_TIMEOUT", "Response::HTTP_REQUEST_TIMEOUT",
     "http.StatusRequestTimeout", "HttpURLConnection.HTTP_CLIENT_TIMEOUT",
     "http.STATUS_CODES[408] === 'Request Timeout'",
     "HttpStatusCode.RequestTimeout"},
    {409, "Conflict", "RFC 9110 §15.5.10",
     "The request conflicts with the current state of the resource, such as an "
     "edit based on an old version.",
     NULL, ":conflict", "http.HTTPStatus.CONFLICT", "httplib.CONFLICT",
     "Response::HTTP_CONFLICT", "http.StatusConflict",
     "HttpURLConnection.HTTP_CONFLICT", "http.STATUS_CODES[409] === 'Conflict'",
     "HttpStatusCode.Conflict"},
    {410, "Gone", "RFC 9110 §15.5.11",
     "The resource was here and has been removed on purpose, for good.", NULL,
     ":gone", "http.HTTPStatus.GONE", "httplib.GONE", "Response::HTTP_GONE",
     "http.StatusGone", "HttpURLConnection.HTTP_GONE",
     "http.STATUS_CODES[410] === 'Gone'", "HttpStatusCode.Gone"},
    {411, "Length Required", "RFC 9110 §15.5.12",
     "The server refuses a request with content but no Content-Length.", NULL,
     ":length_required", "http.HTTPStatus.LENGTH_REQUIRED",
     "httplib.LENGTH_REQUIRED", "Response::HTTP_LENGTH_REQUIRED",
     "http.StatusLengthRequired", "HttpURLConnection.HTTP_LENGTH_REQUIRED",
     "http.STATUS_CODES[411] === 'Length Required'",
     "HttpStatusCode.LengthRequired"},
    {412, "Precondition Failed", "RFC 9110 §15.5.13",
     "A condition in the request headers, such as If-Match, did not hold.",
     NULL, ":precondition_failed", "http.HTTPStatus.PRECONDITION_FAILED",
     "httplib.PRECONDITION_FAILED", "Response::HTTP_PRECONDITION_FAILED",
     "http.StatusPreconditionFailed", "HttpURLConnection.HTTP_PRECON_FAILED",
     "http.STATUS_CODES[412] === 'Precondition Failed'",
     "HttpStatusCode.PreconditionFailed"},
    {413, "Content Too Large", "RFC 9110 §15.5.14",
     "The request content is larger than the server is willing to take.",
     "413 is about the body; 414 is about the request-target and 431 about the "
     "header fields.",
     ":content_too_large", "http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE",
     "httplib.REQUEST_ENTITY_TOO_LARGE",
     "Response::HTTP_REQUEST_ENTITY_TOO_LARGE",
     "http.StatusRequestEntityTooLarge",
     "HttpURLConnection.HTTP_ENTITY_TOO_LARGE",
     "http.STATUS_CODES[413] === 'Payload Too Large'",
     "HttpStatusCode.RequestEntityTooLarge"},
    {414, "URI Too Long", "RFC 9110 §15.5.15",
     "The request-target is longer than the server is willing to read.", NULL,
     ":uri_too_long", "http.HTTPStatus.REQUEST_URI_TOO_LONG",
     "httplib.REQUEST_URI_TOO_LONG", "Response::HTTP_REQUEST_URI_TOO_LONG",
     "http.StatusRequestURITooLong", "HttpURLConnection.HTTP_REQ_TOO_LONG",
     "http.STATUS_CODES[414] === 'URI Too Long'",
     "HttpStatusCode.RequestUriTooLong"},
    {415, "Unsupported Media Type", "RFC 9110 §15.5.16",
     "The server does not accept the request content's format or encoding.",
     NULL, ":unsupported_media_type", "http.HTTPStatus.UNSUPPORTED_MEDIA_TYPE",
     "httplib.UNSUPPORTED_MEDIA_TYPE", "Response::HTTP_UNSUPPORTED_MEDIA_TYPE",
     "http.StatusUnsupportedMediaType",
     "HttpURLConnection.HTTP_UNSUPPORTED_TYPE",
     "http.STATUS_CODES[415] === 'Unsupported Media Type'",
     "HttpStatusCode.UnsupportedMediaType"},
    {416, "Range Not Satisfiable", "RFC 9110 §15.5.17",
     "None of the byte ranges asked for overlap the representation.", NULL,
     ":range_not_satisfiable",
     "http.HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE",
     "httplib.REQUESTED_RANGE_NOT_SATISFIABLE",
     "Response::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE",
     "http.StatusRequestedRangeNotSatisfiable", NULL,
     "http.STATUS_CODES[416] === 'Range Not Satisfiable'",
     "HttpStatusCode.RequestedRangeNotSatisfiable"},
    {417, "Expectation Failed", "RFC 9110 §15.5.18",
     "The server cannot meet the request's Expect header.", NULL,
     ":expectation_failed", "http.HTTPStatus.EXPECTATION_FAILED",
     "httplib.EXPECTATION_FAILED", "Response::HTTP_EXPECTATION_FAILED",
     "http.StatusExpectationFailed", NULL,
     "http.STATUS_CODES[417] === 'Expectation Failed'",
     "HttpStatusCode.ExpectationFailed"},
    {418, "(Unused)", "RFC 9110 §15.5.19",
     "Reserved: RFC 2324's April Fools' \"I'm a teapot\" became a widespread "
     "joke, so the code may not be reused.",
     NULL, NULL, "http.HTTPStatus.IM_A_TEAPOT", NULL,
     "Response::HTTP_I_AM_A_TEAPOT", "http.StatusTeapot", NULL,
     "http.STATUS_CODES[418] === \"I'm a Teapot\"", NULL},
    {421, "Misdirected Request", "RFC 9110 §15.5.20",
     "The request reached a server that cannot answer for this scheme and "
     "authority, typically over a reused TLS connection.",
     NULL, ":misdirected_request", "http.HTTPStatus.MISDIRECTED_REQUEST", NULL,
     "Response::HTTP_MISDIRECTED_REQUEST", "http.StatusMisdirectedRequest",
     NULL, "http.STATUS_CODES[421] === 'Misdirected Request'",
     "HttpStatusCode.MisdirectedRequest"},
    {422, "Unprocessable Content", "RFC 9110 §15.5.21",
     "The content is well-formed but its instructions cannot be carried out, "
     "such as a failed validation.",
     NULL, ":unprocessable_content", "http.HTTPStatus.UNPROCESSABLE_ENTITY",
     "httplib.UNPROCESSABLE_ENTITY", "Response::HTTP_UNPROCESSABLE_ENTITY",
     "http.StatusUnprocessableEntity", NULL,
     "http.STATUS_CODES[422] === 'Unprocessable Entity'",
     "HttpStatusCode.UnprocessableEntity"},
    {425, "Too Early", "RFC 8470 §5.2",
     "The server will not process a request sent in TLS early data, because it "
     "might be replayed.",
     NULL, ":too_early", "http.HTTPStatus.TOO_EARLY", NULL,
     "Response::HTTP_TOO_EARLY", "http.StatusTooEarly", NULL,
     "http.STATUS_CODES[425] === 'Too Early'", NULL},
    {426, "Upgrade Required", "RFC 9110 §15.5.22",
     "The server will only answer over another protocol, named in Upgrade.",
     NULL, ":upgrade_required", "http.HTTPStatus.UPGRADE_REQUIRED",
     "httplib.UPGRADE_REQUIRED", "Response::HTTP_UPGRADE_REQUIRED",
     "http.StatusUpgradeRequired", NULL,
     "http.STATUS_CODES[426] === 'Upgrade Required'",
     "HttpStatusCode.UpgradeRequired"},
    {428, "Precondition Required", "RFC 6585 §3",
     "The server wants the request to be conditional, such as a PUT with "
     "If-Match, to avoid lost updates.",
     NULL, ":precondition_required", "http.HTTPStatus.PRECONDITION_REQUIRED",
     NULL, "Response::HTTP_PRECONDITION_REQUIRED",
     "http.StatusPreconditionRequired", NULL,
     "http.STATUS_CODES[428] === 'Precondition Required'",
     "HttpStatusCode.PreconditionRequired"},
    {429, "Too Many Requests", "RFC 6585 §4",
     "The client sent too many requests in a given time; Retry-After may say "
     "when to try again.",
     "429 is rate limiting and says nothing about credentials; a server may "
     "send it after repeated failed logins instead of another 401 or 407 "
     "(how it counts is its own choice, RFC 6585 §4).",
     ":too_many_requests", "http.HTTPStatus.TOO_MANY_REQUESTS", NULL,
     "Response::HTTP_TOO_MANY_REQUESTS", "http.StatusTooManyRequests", NULL,
     "http.STATUS_CODES[429] === 'Too Many Requests'",
     "HttpStatusCode.TooManyRequests"},
    {431, "Request Header Fields Too Large", "RFC 6585 §5",
     "The header section, or one field in it, is larger than the server "
     "accepts.",
     "At lab407's proxy a huge Proxy-Authorization field gets 431, not 407: "
     "it never got as far as reading the credentials.",
     ":request_header_fields_too_large",
     "http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE", NULL,
     "Response::HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE",
     "http.StatusRequestHeaderFieldsTooLarge", NULL,
     "http.STATUS_CODES[431] === 'Request Header Fields Too Large'",
     "HttpStatusCode.RequestHeaderFieldsTooLarge"},
    {451, "Unavailable For Legal Reasons", "RFC 7725 §3",
     "The server is refusing access because of a legal demand.",
     "451 is a 403 with a stated legal cause.",
     ":unavailable_for_legal_reasons",
     "http.HTTPStatus.UNAVAILABLE_FOR_LEGAL_REASONS", NULL,
     "Response::HTTP_UNAVAILABLE_FOR_LEGAL_REASONS",
     "http.StatusUnavailableForLegalReasons", NULL,
     "http.STATUS_CODES[451] === 'Unavailable For Legal Reasons'",
     "HttpStatusCode.UnavailableForLegalReasons"},
    {500, "Internal Server Error", "RFC 9110 §15.6.1",
     "The server hit an unexpected condition and could not answer.", NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {501, "Not Implemented", "RFC 9110 §15.6.2",
     "The server does not support the method or function the request needs.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {502, "Bad Gateway", "RFC 9110 §15.6.3",
     "A proxy or gateway got an invalid response, or none, from the server "
     "behind it.",
     "502 means the upstream answered badly or refused the connection; 504 "
     "means it did not answer in time.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {503, "Service Unavailable", "RFC 9110 §15.6.4",
     "The server is overloaded or down for maintenance for now; Retry-After "
     "may say for how long.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {504, "Gateway Timeout", "RFC 9110 §15.6.5",
     "A proxy or gateway did not get a response in time from the server behind "
     "it.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {505, "HTTP Version Not Supported", "RFC 9110 §15.6.6",
     "The server refuses the major HTTP version of the request.", NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {511, "Network Authentication Required", "RFC 6585 §6",
     "A captive portal (hotel or airport Wi-Fi) intercepted the request and "
     "wants you to log in to the network first.",
     "511 comes from an intercepting network, not a proxy you configured, and "
     "carries a login page rather than a challenge; 407 comes from a proxy you "
     "chose to use.",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define TABLE_ROWS (sizeof table / sizeof table[0])

/* ---- Looking up ---- */

/*
 * Lesson 05, Lesson 09: 401, 403 and 407 side by side, with constants.
 * The row for code, or NULL when the table has none.  Binary search over
 * the sorted table; the row has static storage.
 */
const struct http_status_info *http_status_lookup(int code)
{
	size_t lo = 0, hi = TABLE_ROWS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (table[mid].code == code)
			return &table[mid];
		if (table[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Reason phrase (static storage); "Unknown" for a code not in the table. */
const char *http_status_reason(int code)
{
	const struct http_status_info *s = http_status_lookup(code);
	return s ? s->reason : "Unknown";
}

/* RFC 9110 §15: the first digit is the class; 1..5, or 0 for others. */
int http_status_class(int code)
{
	if (code < 100 || code > 599)
		return 0;
	return code / 100;
}

/* Row i of the table (for listing), NULL past the end. */
const struct http_status_info *http_status_at(unsigned i)
{
	return i < TABLE_ROWS ? &table[i] : NULL;
}
