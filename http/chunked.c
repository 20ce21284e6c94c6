/*
 * http/chunked.c - the incremental decoder for the chunked transfer
 * coding (RFC 9112 §7.1).
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF
 *
 * The decoder is a state machine that keeps no bytes of its own, so input
 * may arrive in pieces of any size, one byte at a time included.
 * Extensions are allowed and ignored (§7.1.1); trailer fields are read and
 * dropped (§7.1.2), since a proxy that does not know a trailer may discard
 * it.
 */
#define _POSIX_C_SOURCE 200809L

#include "message.h"

/* Trailer section limit: the same as for a head. */
#define HTTP_MAX_TRAILER_BYTES HTTP_MAX_HEAD_BYTES

/* ---- States ---- */

enum {
	CH_SIZE_FIRST,  /* expecting the first hex digit of a chunk-size */
	CH_SIZE,        /* more hex digits, ';', BWS or CR */
	CH_EXT,         /* inside chunk extensions: skip up to CR */
	CH_SIZE_LF,     /* CR seen after the size line */
	CH_DATA,        /* `remaining` data bytes to go */
	CH_DATA_CR,     /* CRLF after chunk-data */
	CH_DATA_LF,
	CH_TRAILER,     /* at the start of a trailer line (or the final CRLF) */
	CH_TRAILER_NAME,  /* inside a trailer field name, up to ':' */
	CH_TRAILER_VALUE, /* inside a trailer field value, up to CR */
	CH_TRAILER_LF,
	CH_END_LF,      /* CR of the final empty line seen */
	CH_DONE
};

/* Start a new chunked body. */
void http_chunked_init(struct http_chunked *c)
{
	c->state = CH_SIZE_FIRST;
	c->remaining = 0;
	c->line_len = 0;
	c->done = false;
	c->trailers = NULL;
}

/* ---- Helpers ---- */

/* Value of a hex digit, or -1. */
static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A byte allowed inside an extension or trailer line: HTAB, SP, VCHAR,
 * obs-text; never CR, LF, NUL or another control. */
static bool is_line_byte(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

/* Keep a byte of a trailer field line when the caller asked for them. */
static void keep_trailer(struct http_chunked *c, char ch)
{
	if (c->trailers != NULL)
		http_buf_append(c->trailers, &ch, 1);
}

/* ---- Decoding ---- */

/*
 * Consume from in[0..len).  Returns the bytes consumed (fewer than len
 * when the body ends inside the input), or HTTP_PARSE_ERROR with *err set
 * to HTTP_E_CHUNK (malformed) or HTTP_E_BODY_TOO_LARGE (out refused the
 * data).  Decoded data is appended to out when out is not NULL.
 */
long http_chunked_feed(struct http_chunked *c, const char *in, size_t len,
		       struct http_buf *out, enum http_err *err)
{
	size_t i = 0;
	*err = HTTP_OK;

	while (i < len && c->state != CH_DONE) {
		char ch = in[i];
		switch (c->state) {
		case CH_SIZE_FIRST:
		case CH_SIZE: {
			int v = hex_value(ch);
			if (v >= 0) {
				/* The size is hex; refuse what overflows. */
				if (c->remaining > (UINT64_MAX >> 4))
					goto bad;
				c->remaining = c->remaining << 4 | (uint64_t)v;
				c->state = CH_SIZE;
			} else if (c->state == CH_SIZE_FIRST) {
				goto bad;
			} else if (ch == ';' || ch == ' ' || ch == '\t') {
				/* BWS ";" chunk-ext: ignored (§7.1.1). */
				c->state = CH_EXT;
			} else if (ch == '\r') {
				c->state = CH_SIZE_LF;
			} else {
				goto bad;
			}
			break;
		}
		case CH_EXT:
			if (ch == '\r')
				c->state = CH_SIZE_LF;
			else if (!is_line_byte((unsigned char)ch))
				goto bad;
			break;
		case CH_SIZE_LF:
			if (ch != '\n')
				goto bad;
			c->line_len = 0;
			if (c->remaining == 0) {
				/* last-chunk: trailers (maybe none) follow. */
				c->state = CH_TRAILER;
			} else {
				c->state = CH_DATA;
			}
			i++;
			continue;
		case CH_DATA: {
			size_t avail = len - i;
			size_t take = c->remaining < avail ? (size_t)c->remaining
							   : avail;
			if (out != NULL && !http_buf_append(out, in + i, take)) {
				*err = HTTP_E_BODY_TOO_LARGE;
				return HTTP_PARSE_ERROR;
			}
			c->remaining -= take;
			i += take;
			if (c->remaining == 0)
				c->state = CH_DATA_CR;
			continue;
		}
		case CH_DATA_CR:
			/* Exactly CRLF after the data: anything else means
			 * the size lied. */
			if (ch != '\r')
				goto bad;
			c->state = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (ch != '\n')
				goto bad;
			c->state = CH_SIZE_FIRST;
			c->line_len = 0;
			i++;
			continue;
		case CH_TRAILER:
			if (ch == '\r') {
				c->state = CH_END_LF;
			} else if (ch == ' ' || ch == '\t' ||
				   !http_is_tchar((unsigned char)ch)) {
				/* A trailer field starts with its name. */
				goto bad;
			} else {
				c->state = CH_TRAILER_NAME;
				keep_trailer(c, ch);
			}
			break;
		case CH_TRAILER_NAME:
			/* field-name = token, then ':' (RFC 9112 §5.1). */
			if (ch == ':')
				c->state = CH_TRAILER_VALUE;
			else if (!http_is_tchar((unsigned char)ch))
				goto bad;
			keep_trailer(c, ch);
			break;
		case CH_TRAILER_VALUE:
			if (ch == '\r')
				c->state = CH_TRAILER_LF;
			else if (!is_line_byte((unsigned char)ch))
				goto bad;
			keep_trailer(c, ch);
			break;
		case CH_TRAILER_LF:
			if (ch != '\n')
				goto bad;
			keep_trailer(c, ch);
			c->state = CH_TRAILER;
			break;
		case CH_END_LF:
			if (ch != '\n')
				goto bad;
			c->state = CH_DONE;
			c->done = true;
			break;
		default:
			goto bad;
		}
		/* Every byte outside chunk-data counts against a limit: the
		 * size line against HTTP_MAX_CHUNK_LINE, the whole trailer
		 * section against HTTP_MAX_TRAILER_BYTES. */
		c->line_len++;
		if (c->state <= CH_SIZE_LF && c->line_len > HTTP_MAX_CHUNK_LINE)
			goto bad;
		if (c->state >= CH_TRAILER &&
		    c->line_len > HTTP_MAX_TRAILER_BYTES)
			goto bad;
		i++;
	}
	return (long)i;

bad:
	*err = HTTP_E_CHUNK;
	return HTTP_PARSE_ERROR;
}
