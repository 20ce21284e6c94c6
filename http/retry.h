/*
 * http/retry.h - when a request may be sent again (RFC 9110 §9.2.2,
 * RFC 9112 §9.3.1).
 *
 * A connection kept open for reuse can be closed by the other side at
 * any moment; a request written onto it just then gets no answer.  A
 * proxy may send it again on a new connection only when doing so twice
 * cannot do harm: the method is idempotent, the whole request (body
 * included) can still be sent, and nothing of a response has arrived.
 */
#ifndef LAB407_HTTP_RETRY_H
#define LAB407_HTTP_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE (the safe methods), PUT and
 * DELETE are idempotent; POST, PATCH, CONNECT and unknown methods are
 * not.  Methods are case-sensitive (§9.1).
 */
bool retry_idempotent(const char *method, size_t len);

/*
 * May a request with `method` be resent on a fresh connection?  Only when
 * it is idempotent, none of its body has been sent (the proxy streams a
 * body and does not keep it), and no byte of a response came back.
 */
bool retry_allowed(const char *method, size_t len, uint64_t body_bytes_sent,
		   uint64_t response_bytes);

#endif
