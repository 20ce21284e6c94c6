/*
 * proxy/gate_relay.h - what crosses the proxy, in each direction
 * (proxy/gate_relay.c): the request head rewritten for the origin, and
 * the origin's response head rewritten for the client.  Hop-by-hop
 * fields stay behind (RFC 9110 §7.6.1), Via is added (§7.6.3).  Heads
 * only: bin/proxy moves the bytes and the bodies (proxy/relay.c).
 */
#ifndef LAB407_PROXY_GATE_RELAY_H
#define LAB407_PROXY_GATE_RELAY_H

#include <stdbool.h>

#include "../http/buf.h"
#include "../http/facts.h"
#include "../http/message.h"

#define PROXY_VIA_NAME "lab407"

/*
 * The request head of f for the origin (RFC 9112 §3.2.2, RFC 9110 §7.6):
 * origin-form request line, Host from the URL, hop-by-hop fields and
 * Proxy-Authorization dropped, Max-Forwards `mf` (when > 0) decremented,
 * Via last.  f must hold an absolute-form target.  Appends to out; false
 * when a write failed.
 */
bool proxy_relay_request(const struct facts *f, long mf, struct http_buf *out);

/*
 * Rewrite an origin's response head for the client: drop hop-by-hop
 * fields and those named in Connection (RFC 9110 §7.6.1), add Via.
 * Appends the new head (through the blank line) to out.
 */
bool proxy_relay_head(const struct http_response *resp, struct http_buf *out);

/*
 * The same, for bin/proxy: `info` (may be NULL or "") becomes a
 * Proxy-Authentication-Info field (RFC 7616 §3.5, the proxy's own Digest
 * success), and `connection` (may be NULL) a Connection field ("close" or
 * "keep-alive") for the client's hop.
 */
bool proxy_relay_head_ex(const struct http_response *resp, const char *info,
			 const char *connection, struct http_buf *out);

/*
 * The same, and when dechunk is true the Transfer-Encoding field is left
 * out: the body that follows is the decoded data, ended by closing the
 * connection (for an HTTP/1.0 client, RFC 9112 §7.1).
 */
bool proxy_relay_head_to(const struct http_response *resp, const char *info,
			 const char *connection, bool dechunk,
			 struct http_buf *out);
/* The same with `negotiate` (may be NULL or ""): the proxy's final
 * Negotiate token, sent as "Proxy-Authenticate: Negotiate <token>" on the
 * relayed response (RFC 4559 §4.1 and the example in §5; mutual
 * authentication). */
bool proxy_relay_head_auth(const struct http_response *resp, const char *info,
			   const char *negotiate, const char *connection,
			   bool dechunk, struct http_buf *out);

#endif
