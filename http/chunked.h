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

/*
 * The decoder's states, in the order a body passes them (RFC 9112 §7.1;
 * the grammar is at the top of http/chunked.c, whose table `states` gives
 * each its step: a function, or for chunk-ext outside a quoted-string a
 * row of the table ext_next).  CHUNKED_BAD is 0, so a decoder that was
 * only zeroed refuses everything.
 */
enum http_chunked_state {
	CHUNKED_BAD,	    /* the input broke the grammar */
	CHUNKED_SIZE_FIRST, /* the first hex digit of a chunk-size */
	CHUNKED_SIZE,	    /* more hex digits, ';', BWS or CR */
	CHUNKED_EXT_SEMI,   /* BWS before ';': more BWS or ';' */
	CHUNKED_EXT_NAME0,  /* after ';': BWS or the first tchar of a name */
	CHUNKED_EXT_NAME,   /* in a name: tchar, BWS, '=', ';' or CR */
	CHUNKED_EXT_EQ,	    /* BWS after a name: more BWS, '=' or ';' */
	CHUNKED_EXT_VAL0,   /* after '=': BWS, a tchar or DQUOTE */
	CHUNKED_EXT_TOKEN,  /* in a token value: tchar, BWS, ';' or CR */
	CHUNKED_EXT_QUOTED, /* in a quoted-string value */
	CHUNKED_EXT_QPAIR,  /* after '\' in a quoted-string */
	CHUNKED_EXT_END,    /* after the closing DQUOTE: BWS, ';' or CR */
	CHUNKED_SIZE_LF,    /* CR seen after the size line */
	CHUNKED_DATA,	    /* `remaining` data bytes to go */
	CHUNKED_DATA_CR,    /* the CR after chunk-data */
	CHUNKED_DATA_LF,    /* ... and its LF */
	CHUNKED_TRAILER, /* at the start of a trailer line (or the final CRLF)
			  */
	CHUNKED_TRAILER_NAME,  /* in a trailer field name, up to ':' */
	CHUNKED_TRAILER_VALUE, /* in a trailer field value, up to CR */
	CHUNKED_TRAILER_LF,    /* CR seen after a trailer field line */
	CHUNKED_END_LF,	       /* CR of the final empty line seen */
	CHUNKED_DONE,	       /* the whole body is in */
	CHUNKED_NUM_STATES
};

struct http_chunked {
	enum http_chunked_state state; /* private */
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
