/*
 * http/persist.h - whether a connection stays open after a message
 * (RFC 9112 §9.3), decided in one place for every shell: bin/proxy on
 * both of its hops, bin/origin and bin/client.
 */
#ifndef LAB407_HTTP_PERSIST_H
#define LAB407_HTTP_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

/*
 * Largest request body a server reads and throws away after answering
 * early (407, 403, ...) so that the connection can carry the next
 * request; a larger body, a chunked one or one held back behind
 * `Expect: 100-continue` makes the early answer close the connection.
 */
#define PERSIST_MAX_DISCARD (64u * 1024)

/*
 * RFC 9112 §9.3: after a message of HTTP/1.<minor> with these fields,
 * the sender expects the connection to stay open: HTTP/1.1 unless
 * "Connection: close", HTTP/1.0 only with "Connection: keep-alive".
 * (The model is http-parser's http_should_keep_alive().)
 */
bool persist_keep_alive(int minor_version, const struct http_header *hs,
			size_t n);

/* The same for a parsed request. */
bool persist_request(const struct http_request *req);

/*
 * A server answers `req` without reading its body (an early 407, 403,
 * 413, 417): true when the connection must then close, because the
 * unread body cannot be skipped cheaply (RFC 9112 §9.6; chunked, longer
 * than PERSIST_MAX_DISCARD, unframeable, or held back by Expect).
 */
bool persist_close_after_early_answer(const struct http_request *req);

/*
 * The two rules themselves, on what a reader already found (http/facts.c
 * reads a request once and asks these): "close" / "keep-alive" listed in
 * Connection; the framing's error code, the framing, and whether the
 * client waits for 100 (Continue).
 */
bool persist_keep_alive_rule(int minor_version, bool close, bool keep_alive);
bool persist_early_answer_rule(enum http_err framing_err,
			       const struct http_body_info *body,
			       bool expect_continue);

#endif
