/*
 * http/status.h - the status code table: one row per code we teach.
 *
 * Reason phrase and RFC section for every code lab407 can send or meet,
 * and for the 4xx codes the name the code goes by in common frameworks, so
 * the REPL's `status CODE` and lesson 09 read from one table.
 */
#ifndef LAB407_HTTP_STATUS_H
#define LAB407_HTTP_STATUS_H

struct http_status_info {
	int code;
	const char *reason; /* RFC 9110 reason phrase */
	const char *rfc;    /* e.g. "RFC 9110 §15.5.8" */
	const char *when;   /* one sentence: when a client sees it */
	const char *versus; /* how it differs from its neighbours, or NULL */
	/* Framework constants, listed for 4xx rows; NULL where the
	 * framework has none, and in rows outside 4xx. */
	const char *rails; /* ":proxy_authentication_required" */
	const char
	    *python; /* "http.HTTPStatus.PROXY_AUTHENTICATION_REQUIRED" */
	const char *python2; /* "httplib.PROXY_AUTHENTICATION_REQUIRED" */
	const char
	    *symfony;	    /* "Response::HTTP_PROXY_AUTHENTICATION_REQUIRED" */
	const char *go;	    /* "http.StatusProxyAuthRequired" */
	const char *java;   /* "HttpURLConnection.HTTP_PROXY_AUTH" */
	const char *node;   /* "http.STATUS_CODES[407]" / constant */
	const char *dotnet; /* "HttpStatusCode.ProxyAuthenticationRequired" */
};

/* The row for code, or NULL when the table has none. */
const struct http_status_info *http_status_lookup(int code);
/* Reason phrase; "Unknown" for a code not in the table. */
const char *http_status_reason(int code);
/* 1..5 for 1xx..5xx, 0 for anything else. */
int http_status_class(int code);
/* Row i of the table (for listing), NULL past the end. */
const struct http_status_info *http_status_at(unsigned i);

#endif
