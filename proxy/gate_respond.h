/*
 * proxy/gate_respond.h - the proxy's own responses
 * (proxy/gate_respond.c): the answers it writes itself instead of
 * relaying an origin's, for the decision's files (proxy/gate.c,
 * proxy/gate_authn.c, proxy/gate_conn.c).  bin/proxy sends them
 * (proxy/respond.c).
 */
#ifndef LAB407_PROXY_GATE_RESPOND_H
#define LAB407_PROXY_GATE_RESPOND_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/buf.h"
#include "../http/facts.h"
#include "gate.h"

/*
 * A text response written by the proxy itself: `Server: lab407-proxy`
 * and no Via, `extra` header lines (may be NULL), Connection: close when
 * close is true; head_only leaves the body off but keeps its
 * Content-Length (HEAD, RFC 9110 §9.3.2).  Appends to out; false when a
 * write failed.
 */
bool proxy_respond_write(struct http_buf *out, int status, bool close,
			 bool head_only, const char *extra, const char *body,
			 size_t body_len);

/*
 * True when an answer of the proxy's own to f closes the connection: the
 * client asked (RFC 9112 §9.3, http/persist.c), or the request's body is
 * left unread and cannot be skipped (persist_close_after_early_answer()).
 */
bool proxy_respond_closes(const struct facts *f);

/*
 * Make d a RESPOND decision: status, `extra` header lines (may be NULL)
 * and body into d->out, closing when d->close says so; head leaves the
 * body off (RFC 9110 §9.3.2).  A failed write becomes a bare 500.
 */
void proxy_respond_as(struct proxy_decision *d, bool head, int status,
		      const char *extra, struct http_buf *body);

/* proxy_respond_as() for the request of f: HEAD from its method, and
 * d->close set when its unread body forbids keeping the connection. */
void proxy_respond(struct proxy_decision *d, const struct facts *f, int status,
		   const char *extra, struct http_buf *body);

/*
 * 400 with a body saying `what`; the connection is closed, since after a
 * malformed request the framing cannot be trusted.  `lesson` explains it.
 */
void proxy_respond_400(struct proxy_decision *d, const struct facts *f,
		       const char *lesson, const char *what);

/*
 * OPTIONS or TRACE with Max-Forwards: 0: the proxy is the final recipient
 * and answers itself, 200 (RFC 9110 §7.6.2).
 */
void proxy_respond_max_forwards(const struct facts *f,
				struct proxy_decision *d);

#endif
