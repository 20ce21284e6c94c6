/*
 * http/chunked.h - the incremental decoder for the chunked transfer
 * coding (RFC 9112 §7.1), defined in http/chunked.c.
 */
#ifndef LAB407_HTTP_CHUNKED_H
#define LAB407_HTTP_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "message.h"

/*
 * Incremental chunked decoder.  Feed it bytes as they come; it tells how
 * many it took, copies the decoded data out (out may be NULL when the
 * caller only relays), and sets done after the last chunk and trailers.
 */
#define HTTP_MAX_CHUNK_LINE 1024 /* chunk-size line incl. extensions */

struct http_chunked {
	int state;	    /* private */
	uint64_t remaining; /* private: data bytes left in this chunk */
	size_t line_len; /* private: bytes of the current size/trailer line */
	bool done;	 /* the terminating chunk and trailers are in */
	struct http_buf
	    *trailers; /* NULL, or where the trailer field lines
			  ("Name: value\r\n") are appended; not owned */
};

void http_chunked_init(struct http_chunked *c);
/*
 * Consume from in[0..len).  Returns bytes consumed (may be < len when done
 * becomes true), or HTTP_PARSE_ERROR with *err.  Decoded data bytes are
 * appended to out when out is not NULL.
 */
long http_chunked_feed(struct http_chunked *c, const char *in, size_t len,
		       struct http_buf *out, enum http_err *err);

#endif
