/*
 * net/body.h - the one body mover: what follows a head, framed by
 * Content-Length, chunked (with trailers) or the end of the connection
 * (RFC 9112 §6.3), moved from one side to another.
 *
 * It is push-style and keeps no socket: the caller hands it bytes as
 * they arrive (from a blocking recv() loop in bin/client and bin/repl,
 * from a bufferevent callback in bin/proxy and bin/origin) and it says
 * how many belonged to the body, what to send on, and when the body
 * ended.  Bytes after the end are left to the caller: the next message.
 */
#ifndef LAB407_NET_BODY_H
#define LAB407_NET_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/buf.h"
#include "../http/chunked.h"
#include "../http/message.h"

/* What the mover writes for the next hop. */
enum body_mode {
	/* Content-Length and until-close bytes as they came (the caller
	 * moves them itself, see body_verbatim()); a chunked body is
	 * re-chunked with its trailer fields filtered (http/trailer.c). */
	BODY_RELAY,
	/* The data only: chunked decoded, trailers dropped.  For an
	 * HTTP/1.0 recipient, who cannot read chunked (RFC 9112 §7.1),
	 * and for the client, which wants the content. */
	BODY_DECODE,
	/* Nothing: read and throw away (a body the server answered early). */
	BODY_DISCARD,
};

struct body_mover {
	struct http_body_info info; /* the framing */
	enum body_mode mode;
	uint64_t left;		/* Content-Length bytes still to come */
	uint64_t moved;		/* body bytes consumed so far, as framed */
	uint64_t limit;		/* more than this many: HTTP_E_BODY_TOO_LARGE */
	struct http_chunked ch; /* the chunked decoder */
	struct http_buf
	    scratch; /* chunked: decoded data of one feed; lazily allocated */
	struct http_buf
	    trailers; /* chunked, BODY_RELAY: the trailer section so far */
	bool done;    /* the whole body is in */
};

/* Start moving a body framed by info.  limit 0: no limit. */
void body_init(struct body_mover *m, const struct http_body_info *info,
	       enum body_mode mode, uint64_t limit);
/* Free the scratch buffer (may be called twice). */
void body_free(struct body_mover *m);

/*
 * True when the body's bytes go on exactly as received (Content-Length,
 * until-close), so the caller can move them without a copy; then
 * body_feed() with out NULL only counts.
 */
bool body_verbatim(const struct body_mover *m);

/*
 * Consume from in[0..len): returns how many bytes belonged to the body
 * (fewer than len when it ends inside the input; then m->done), or -1
 * with *err (HTTP_E_CHUNK, HTTP_E_BODY_TOO_LARGE, HTTP_E_NOMEM).  What
 * the next hop gets is appended to out, except for verbatim bodies in
 * BODY_RELAY mode (the consumed bytes themselves) and BODY_DISCARD.
 */
long body_feed(struct body_mover *m, const char *in, size_t len,
	       struct http_buf *out, enum http_err *err);

/*
 * The source closed.  True when that ends the body (until-close framing,
 * or a body already done); false when the body was cut short.
 */
bool body_eof(struct body_mover *m);

#endif
