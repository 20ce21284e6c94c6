/*
 * proxy/gate_relay.c - what crosses the proxy, in each direction.
 *
 * Forward, the request head is rewritten for the origin: absolute form
 * in, origin form out (RFC 9112 §3.2.2), Proxy-Authorization consumed
 * (RFC 9110 §11.7.2), Via appended (§7.6.3).  Back, the origin's
 * response head is rewritten for the client: its Proxy-Authenticate
 * dropped (§11.7.1), Via appended.  Both ways the hop-by-hop fields stay
 * behind (§7.6.1).  Bodies are not touched here: bin/proxy moves them as
 * they arrive.
 */
#define _POSIX_C_SOURCE 200809L

#include "gate_relay.h"

#include <stdio.h>
#include <string.h>

#include "../http/text.h"
#include "../http/url.h"

#define PROXY_MAX_AUTHORITY (HTTP_MAX_HOST + 16) /* "[v6]:65535" */

/* ---- Forwarding ---- */

/*
 * Fields that are not forwarded.  RFC 9110 §7.6.1: Connection, and the
 * fields known to need removal (Proxy-Connection, Keep-Alive, TE, Upgrade;
 * Transfer-Encoding too, but the body is relayed exactly as it arrived,
 * chunked stays chunked, so its framing field goes with it).  RFC 9110
 * §11.7.2: Proxy-Authorization is consumed by the proxy that expected it,
 * and lab407 never relays it; §11.7.1: Proxy-Authenticate is for the next
 * outbound client.  Trailer stays: it announces trailer fields of a body
 * that is relayed with them.
 */
/* clang-format off */
#define FIELD(lit) {lit, sizeof(lit) - 1}
/* clang-format on */
static const struct {
	const char *name;
	size_t len; /* strlen(name): a field of another length is passed
		       over without reading its name */
} hop_by_hop[] = {
    FIELD("Connection"),
    FIELD("Proxy-Connection"),
    FIELD("Keep-Alive"),
    FIELD("TE"),
    FIELD("Upgrade"),
    FIELD("Proxy-Authorization"),
    FIELD("Proxy-Authenticate"),
};
#undef FIELD

/*
 * Lesson 06: what never crosses the proxy, Proxy-Authorization included.
 * True when field i of a message (fields hs[]) must not cross the proxy:
 * one of hop_by_hop[], or named in the message's Connection fields (c,
 * read by facts_read_connection()).  Content-Length and Transfer-Encoding
 * are kept even when Connection names them: the body is framed by them,
 * and a client that could strip them could desynchronise the next hop
 * (request smuggling).
 */
static bool is_hop_by_hop(const struct facts_connection *c,
			  const struct http_header *hs, size_t i)
{
	const struct http_header *h = &hs[i];

	for (size_t k = 0; k < sizeof(hop_by_hop) / sizeof(hop_by_hop[0]); k++)
		if (http_header_named(h, hop_by_hop[k].name, hop_by_hop[k].len))
			return true;
	if (http_header_is(h, "Content-Length") ||
	    http_header_is(h, "Transfer-Encoding"))
		return false;
	return i < HTTP_MAX_HEADERS && c->named[i];
}

/* "host" or "host:port" (port left out when it is the scheme's default),
 * IPv6 literals in brackets: the Host value for the origin. */
static void authority(const struct http_url *u, char *out, size_t cap)
{
	bool v6 = strchr(u->host, ':') != NULL;
	unsigned def = strcmp(u->scheme, "https") == 0 ? 443 : 80;
	char digits[TEXT_UINT_MAX + 1];

	digits[TEXT_UINT_MAX] = '\0';
	TEXT_JOIN(out, cap, v6 ? "[" : "", u->host, v6 ? "]" : "",
		  u->port == def ? "" : ":",
		  u->port == def ? "" : text_uint(digits, u->port));
}

/*
 * Lesson 01: absolute form in, origin form out, Via appended.  Rewrite
 * the request head for the origin (RFC 9112 §3.2.2, RFC 9110
 * §7.6): origin-form request line, Host from the URL, hop-by-hop fields
 * and Proxy-Authorization dropped, Authorization and every other
 * end-to-end field kept in order, Max-Forwards decremented, our Via last.
 */
bool proxy_relay_request(const struct facts *f, long mf, struct http_buf *out)
{
	const struct http_request *req = f->req;
	const struct http_url *u = &f->url;
	char host[PROXY_MAX_AUTHORITY];

	authority(u, host, sizeof(host));
	http_write_request_line(out, req->method, req->method_len, u->path,
				u->path_len);
	/* RFC 9112 §3.2.2: a proxy replaces Host with the URL's authority. */
	http_write_header(out, "Host", host, strlen(host));
	for (size_t i = 0; i < req->num_headers; i++) {
		const struct http_header *fl = &req->headers[i];

		if (http_header_is(fl, "Host") ||
		    is_hop_by_hop(&f->connection, req->headers, i))
			continue;
		if (mf > 0 && http_header_is(fl, "Max-Forwards")) {
			http_write_header_uint(out, "Max-Forwards",
					       (unsigned long long)(mf - 1));
			continue;
		}
		http_write_field(out, fl->name, fl->name_len, fl->value,
				 fl->value_len);
	}
	/* RFC 9110 §7.6.3: each proxy appends its own Via entry. */
	http_buf_puts(out, "Via: 1.1 " PROXY_VIA_NAME "\r\n\r\n");
	return !out->failed;
}

/* ---- Relaying the response ---- */

/*
 * Lesson 06: the way back, with the origin's Proxy-Authenticate dropped.
 * Rewrite an origin's response head for the client: the origin's status
 * and reason, every end-to-end field, our Via (RFC 9110 §7.6.3).  Dropped:
 * hop-by-hop fields and those Connection names (§7.6.1), and
 * Proxy-Authenticate / Proxy-Authentication-Info, which only the next
 * hop may send (§11.7.1): an origin has no business challenging for the
 * proxy.  Transfer-Encoding stays (the body is relayed as it arrives)
 * unless dechunk is set.  Then the proxy's own fields: its Digest
 * Proxy-Authentication-Info, and (Lesson 12) the final Negotiate token,
 * the mutual authentication riding on the final answer; Connection last.
 */
bool proxy_relay_head_auth(const struct http_response *resp, const char *info,
			   const char *negotiate, const char *connection,
			   bool dechunk, struct http_buf *out)
{
	struct facts_connection conn;

	facts_read_connection(resp->headers, resp->num_headers, &conn);
	http_buf_puts(out, "HTTP/1.1 ");
	http_buf_putu(out, (unsigned)resp->status);
	http_buf_append(out, " ", 1);
	http_buf_append(out, resp->reason, resp->reason_len);
	http_buf_append(out, "\r\n", 2);
	for (size_t i = 0; i < resp->num_headers; i++) {
		const struct http_header *f = &resp->headers[i];

		if (is_hop_by_hop(&conn, resp->headers, i) ||
		    http_header_is(f, "Proxy-Authentication-Info"))
			continue;
		/* The data alone follows, ended by the close. */
		if (dechunk && http_header_is(f, "Transfer-Encoding"))
			continue;
		http_write_field(out, f->name, f->name_len, f->value,
				 f->value_len);
	}
	http_buf_puts(out, "Via: 1.1 " PROXY_VIA_NAME "\r\n");
	if (info != NULL && info[0] != '\0')
		http_write_header(out, "Proxy-Authentication-Info", info,
				  strlen(info));
	if (negotiate != NULL && negotiate[0] != '\0')
		http_buf_printf(out, "Proxy-Authenticate: Negotiate %s\r\n",
				negotiate);
	if (connection != NULL)
		http_write_header(out, "Connection", connection,
				  strlen(connection));
	http_buf_puts(out, "\r\n");
	return !out->failed;
}

/* No Negotiate token. */
bool proxy_relay_head_to(const struct http_response *resp, const char *info,
			 const char *connection, bool dechunk,
			 struct http_buf *out)
{
	return proxy_relay_head_auth(resp, info, NULL, connection, dechunk,
				     out);
}

/* No Negotiate token, the chunked framing kept. */
bool proxy_relay_head_ex(const struct http_response *resp, const char *info,
			 const char *connection, struct http_buf *out)
{
	return proxy_relay_head_to(resp, info, connection, false, out);
}

/* The plain form: no Proxy-Authentication-Info, no Negotiate token, no
 * Connection field. */
bool proxy_relay_head(const struct http_response *resp, struct http_buf *out)
{
	return proxy_relay_head_ex(resp, NULL, NULL, out);
}
