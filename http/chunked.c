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
 * Extensions are checked against their grammar and then ignored (§7.1.1):
 *
 *   chunk-ext      = *( BWS ";" BWS chunk-ext-name
 *                       [ BWS "=" BWS chunk-ext-val ] )
 *   chunk-ext-name = token
 *   chunk-ext-val  = token / quoted-string
 *
 * so "4;a=b" and "4 ; a = \"x\\\"y\"" pass and "4 zz yy", "4;" and
 * "4;a=" are framing errors.  Whitespace (BWS) is accepted only where the
 * grammar has it.  Trailer fields are read and dropped (§7.1.2), since a
 * proxy that does not know a trailer may discard it.
 */
#define _POSIX_C_SOURCE 200809L

#include "chunked.h"

/* Trailer section limit: the same as for a head. */
#define HTTP_MAX_TRAILER_BYTES HTTP_MAX_HEAD_BYTES

/* ---- States ---- */

enum {
	CH_SIZE_FIRST, /* expecting the first hex digit of a chunk-size */
	CH_SIZE,       /* more hex digits, ';', BWS or CR */
	CH_EXT_SEMI,   /* BWS before ';': more BWS or ';' */
	CH_EXT_NAME0,  /* after ';': BWS or the first tchar of a name */
	CH_EXT_NAME,   /* in a name: tchar, BWS, '=', ';' or CR */
	CH_EXT_EQ,     /* BWS after a name: more BWS, '=' or ';' */
	CH_EXT_VAL0,   /* after '=': BWS, a tchar or DQUOTE */
	CH_EXT_TOKEN,  /* in a token value: tchar, BWS, ';' or CR */
	CH_EXT_QUOTED, /* in a quoted-string value */
	CH_EXT_QPAIR,  /* after '\' in a quoted-string */
	CH_EXT_END,    /* after the closing DQUOTE: BWS, ';' or CR */
	CH_SIZE_LF,    /* CR seen after the size line */
	CH_DATA,       /* `remaining` data bytes to go */
	CH_DATA_CR,    /* CRLF after chunk-data */
	CH_DATA_LF,
	CH_TRAILER, /* at the start of a trailer line (or the final CRLF) */
	CH_TRAILER_NAME,  /* inside a trailer field name, up to ':' */
	CH_TRAILER_VALUE, /* inside a trailer field value, up to CR */
	CH_TRAILER_LF,
	CH_END_LF, /* CR of the final empty line seen */
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

/* BWS = OWS (RFC 9110 §5.6.3): SP or HTAB. */
static bool is_bws(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E /
 * obs-text. */
static bool is_qdtext(unsigned char ch)
{
	return ch == '\t' || ch == ' ' || ch == 0x21 ||
	       (ch >= 0x23 && ch <= 0x5b) || (ch >= 0x5d && ch <= 0x7e) ||
	       ch >= 0x80;
}

/*
 * The next state inside chunk-ext for byte ch in state st, or -1 when the
 * byte breaks the grammar (see the top of the file).  CR ends the line
 * (CH_SIZE_LF) only where a chunk-ext may end: after a name or a value.
 */
static int ext_next(int st, unsigned char ch)
{
	bool tchar = http_is_tchar(ch);
	bool bws = is_bws((char)ch);

	switch (st) {
	case CH_EXT_SEMI: /* BWS ";" */
		if (bws)
			return CH_EXT_SEMI;
		if (ch == ';')
			return CH_EXT_NAME0;
		return -1;
	case CH_EXT_NAME0: /* ";" BWS chunk-ext-name */
		if (bws)
			return CH_EXT_NAME0;
		if (tchar)
			return CH_EXT_NAME;
		return -1;
	case CH_EXT_NAME:
		if (tchar)
			return CH_EXT_NAME;
		if (bws)
			return CH_EXT_EQ;
		if (ch == '=')
			return CH_EXT_VAL0;
		if (ch == ';')
			return CH_EXT_NAME0;
		if (ch == '\r')
			return CH_SIZE_LF;
		return -1;
	case CH_EXT_EQ: /* name BWS "=", or BWS ";" for the next one */
		if (bws)
			return CH_EXT_EQ;
		if (ch == '=')
			return CH_EXT_VAL0;
		if (ch == ';')
			return CH_EXT_NAME0;
		return -1;
	case CH_EXT_VAL0: /* "=" BWS chunk-ext-val */
		if (bws)
			return CH_EXT_VAL0;
		if (ch == '"')
			return CH_EXT_QUOTED;
		if (tchar)
			return CH_EXT_TOKEN;
		return -1;
	case CH_EXT_TOKEN:
	case CH_EXT_END:
		if (tchar && st == CH_EXT_TOKEN)
			return CH_EXT_TOKEN;
		if (bws)
			return CH_EXT_SEMI;
		if (ch == ';')
			return CH_EXT_NAME0;
		if (ch == '\r')
			return CH_SIZE_LF;
		return -1;
	case CH_EXT_QUOTED:
		if (ch == '"')
			return CH_EXT_END;
		if (ch == '\\')
			return CH_EXT_QPAIR;
		if (is_qdtext(ch))
			return CH_EXT_QUOTED;
		return -1;
	case CH_EXT_QPAIR:
		/* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
		if (ch == '\t' || (ch >= 0x20 && ch != 0x7f))
			return CH_EXT_QUOTED;
		return -1;
	}
	return -1;
}

/* A byte allowed inside a trailer line: HTAB, SP, VCHAR, obs-text; never
 * CR, LF, NUL or another control. */
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
			} else if (ch == ';') {
				/* chunk-ext: checked, then ignored (RFC 9112
				 * §7.1.1). */
				c->state = CH_EXT_NAME0;
			} else if (is_bws(ch)) {
				c->state = CH_EXT_SEMI;
			} else if (ch == '\r') {
				c->state = CH_SIZE_LF;
			} else {
				goto bad;
			}
			break;
		}
		case CH_EXT_SEMI:
		case CH_EXT_NAME0:
		case CH_EXT_NAME:
		case CH_EXT_EQ:
		case CH_EXT_VAL0:
		case CH_EXT_TOKEN:
		case CH_EXT_QUOTED:
		case CH_EXT_QPAIR:
		case CH_EXT_END: {
			int next = ext_next(c->state, (unsigned char)ch);

			if (next < 0)
				goto bad;
			c->state = next;
			break;
		}
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
			size_t take =
			    c->remaining < avail ? (size_t)c->remaining : avail;
			if (out != NULL &&
			    !http_buf_append(out, in + i, take)) {
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
