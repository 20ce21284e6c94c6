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

/* ---- Starting ---- */

/* Start a new chunked body. */
void http_chunked_init(struct http_chunked *c)
{
	c->state = CHUNKED_SIZE_FIRST;
	c->remaining = 0;
	c->line_len = 0;
	c->done = false;
	c->trailers = NULL;
}

/* ---- Bytes ---- */

/* Value of a hex digit, or -1. */
static int hex_value(unsigned char ch)
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
static bool is_bws(unsigned char ch)
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

/* A byte allowed inside a trailer line: HTAB, SP, VCHAR, obs-text; never
 * CR, LF, NUL or another control.  The same set is what a quoted-pair
 * may escape: "\" ( HTAB / SP / VCHAR / obs-text ). */
static bool is_line_byte(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

/* ---- The size line ---- */

/* CHUNKED_SIZE_FIRST, CHUNKED_SIZE: chunk-size = 1*HEXDIG, then a
 * chunk-ext or the CR. */
static enum http_chunked_state step_size(struct http_chunked *c,
					 unsigned char ch)
{
	int v = hex_value(ch);

	if (v >= 0) {
		/* The size is hex; refuse what overflows. */
		if (c->remaining > (UINT64_MAX >> 4))
			return CHUNKED_BAD;
		c->remaining = c->remaining << 4 | (uint64_t)v;
		return CHUNKED_SIZE;
	}
	if (c->state == CHUNKED_SIZE_FIRST)
		return CHUNKED_BAD;
	if (ch == ';') /* chunk-ext: checked, then ignored (RFC 9112 §7.1.1) */
		return CHUNKED_EXT_NAME0;
	if (is_bws(ch))
		return CHUNKED_EXT_SEMI;
	if (ch == '\r')
		return CHUNKED_SIZE_LF;
	return CHUNKED_BAD;
}

/* The bytes chunk-ext tells apart outside a quoted-string. */
enum ext_class {
	EXT_TCHAR,
	EXT_BWS,
	EXT_EQUALS,
	EXT_SEMI,
	EXT_DQUOTE,
	EXT_CR,
	EXT_OTHER,
	EXT_NUM_CLASSES
};

static enum ext_class ext_class(unsigned char ch)
{
	if (is_bws(ch))
		return EXT_BWS;
	switch (ch) {
	case '=':
		return EXT_EQUALS;
	case ';':
		return EXT_SEMI;
	case '"':
		return EXT_DQUOTE;
	case '\r':
		return EXT_CR;
	}
	return http_is_tchar(ch) ? EXT_TCHAR : EXT_OTHER;
}

/*
 * chunk-ext outside a quoted-string, as a transition table: the next
 * state for each class of byte; what is not listed is CHUNKED_BAD (0).
 * CR ends the line only where a chunk-ext may end: after a name or a
 * value.
 */
static const unsigned char ext_next[CHUNKED_NUM_STATES][EXT_NUM_CLASSES] = {
    /* BWS ";" */
    [CHUNKED_EXT_SEMI] =
	{[EXT_BWS] = CHUNKED_EXT_SEMI, [EXT_SEMI] = CHUNKED_EXT_NAME0},
    /* ";" BWS chunk-ext-name */
    [CHUNKED_EXT_NAME0] =
	{[EXT_BWS] = CHUNKED_EXT_NAME0, [EXT_TCHAR] = CHUNKED_EXT_NAME},
    [CHUNKED_EXT_NAME] = {[EXT_TCHAR] = CHUNKED_EXT_NAME,
			  [EXT_BWS] = CHUNKED_EXT_EQ,
			  [EXT_EQUALS] = CHUNKED_EXT_VAL0,
			  [EXT_SEMI] = CHUNKED_EXT_NAME0,
			  [EXT_CR] = CHUNKED_SIZE_LF},
    /* name BWS "=", or BWS ";" for the next one */
    [CHUNKED_EXT_EQ] = {[EXT_BWS] = CHUNKED_EXT_EQ,
			[EXT_EQUALS] = CHUNKED_EXT_VAL0,
			[EXT_SEMI] = CHUNKED_EXT_NAME0},
    /* "=" BWS chunk-ext-val */
    [CHUNKED_EXT_VAL0] = {[EXT_BWS] = CHUNKED_EXT_VAL0,
			  [EXT_DQUOTE] = CHUNKED_EXT_QUOTED,
			  [EXT_TCHAR] = CHUNKED_EXT_TOKEN},
    [CHUNKED_EXT_TOKEN] = {[EXT_TCHAR] = CHUNKED_EXT_TOKEN,
			   [EXT_BWS] = CHUNKED_EXT_SEMI,
			   [EXT_SEMI] = CHUNKED_EXT_NAME0,
			   [EXT_CR] = CHUNKED_SIZE_LF},
    /* after the closing DQUOTE: no tchar */
    [CHUNKED_EXT_END] = {[EXT_BWS] = CHUNKED_EXT_SEMI,
			 [EXT_SEMI] = CHUNKED_EXT_NAME0,
			 [EXT_CR] = CHUNKED_SIZE_LF},
};

/* The chunk-ext states outside a quoted-string (see ext_next). */
static enum http_chunked_state step_ext(struct http_chunked *c,
					unsigned char ch)
{
	return (enum http_chunked_state)ext_next[c->state][ext_class(ch)];
}

/* CHUNKED_EXT_QUOTED: quoted-string = DQUOTE *( qdtext / quoted-pair )
 * DQUOTE (RFC 9110 §5.6.4). */
static enum http_chunked_state step_quoted(struct http_chunked *c,
					   unsigned char ch)
{
	(void)c;
	if (ch == '"')
		return CHUNKED_EXT_END;
	if (ch == '\\')
		return CHUNKED_EXT_QPAIR;
	return is_qdtext(ch) ? CHUNKED_EXT_QUOTED : CHUNKED_BAD;
}

/* CHUNKED_EXT_QPAIR: the byte a quoted-pair escapes. */
static enum http_chunked_state step_qpair(struct http_chunked *c,
					  unsigned char ch)
{
	(void)c;
	return is_line_byte(ch) ? CHUNKED_EXT_QUOTED : CHUNKED_BAD;
}

/* CHUNKED_SIZE_LF: the LF ends the size line; data follows, or after the
 * last-chunk the trailer section (maybe empty). */
static enum http_chunked_state step_size_lf(struct http_chunked *c,
					    unsigned char ch)
{
	if (ch != '\n')
		return CHUNKED_BAD;
	c->line_len = 0;
	return c->remaining == 0 ? CHUNKED_TRAILER : CHUNKED_DATA;
}

/* ---- The data ---- */

/* CHUNKED_DATA_CR: exactly CRLF after the data; anything else means the
 * size lied. */
static enum http_chunked_state step_data_cr(struct http_chunked *c,
					    unsigned char ch)
{
	(void)c;
	return ch == '\r' ? CHUNKED_DATA_LF : CHUNKED_BAD;
}

/* CHUNKED_DATA_LF: the next chunk's size line starts. */
static enum http_chunked_state step_data_lf(struct http_chunked *c,
					    unsigned char ch)
{
	if (ch != '\n')
		return CHUNKED_BAD;
	c->line_len = 0;
	return CHUNKED_SIZE_FIRST;
}

/*
 * CHUNKED_DATA takes up to `remaining` bytes at once, not one: the bytes
 * taken, or -1 when out refused them.
 */
static long take_data(struct http_chunked *c, const char *in, size_t len,
		      struct http_buf *out)
{
	size_t take = c->remaining < len ? (size_t)c->remaining : len;

	if (out != NULL && !http_buf_append(out, in, take))
		return -1;
	c->remaining -= take;
	return (long)take;
}

/* ---- The trailer section (RFC 9112 §7.1.2) ---- */

/* Keep a byte of a trailer field line when the caller asked for them. */
static void keep_trailer(struct http_chunked *c, unsigned char ch)
{
	char b = (char)ch;

	if (c->trailers != NULL)
		http_buf_append(c->trailers, &b, 1);
}

/* CHUNKED_TRAILER: a field line starts with its name, or CR starts the
 * final empty line. */
static enum http_chunked_state step_trailer(struct http_chunked *c,
					    unsigned char ch)
{
	if (ch == '\r')
		return CHUNKED_END_LF;
	/* no SP or HTAB first: an obs-fold is not a field line */
	if (!http_is_tchar(ch))
		return CHUNKED_BAD;
	keep_trailer(c, ch);
	return CHUNKED_TRAILER_NAME;
}

/* CHUNKED_TRAILER_NAME: field-name = token, then ':' (RFC 9112 §5.1). */
static enum http_chunked_state step_trailer_name(struct http_chunked *c,
						 unsigned char ch)
{
	if (ch != ':' && !http_is_tchar(ch))
		return CHUNKED_BAD;
	keep_trailer(c, ch);
	return ch == ':' ? CHUNKED_TRAILER_VALUE : CHUNKED_TRAILER_NAME;
}

/* CHUNKED_TRAILER_VALUE: the value's bytes up to the CR. */
static enum http_chunked_state step_trailer_value(struct http_chunked *c,
						  unsigned char ch)
{
	if (ch != '\r' && !is_line_byte(ch))
		return CHUNKED_BAD;
	keep_trailer(c, ch);
	return ch == '\r' ? CHUNKED_TRAILER_LF : CHUNKED_TRAILER_VALUE;
}

/* CHUNKED_TRAILER_LF: the LF of a field line; the next line starts. */
static enum http_chunked_state step_trailer_lf(struct http_chunked *c,
					       unsigned char ch)
{
	if (ch != '\n')
		return CHUNKED_BAD;
	keep_trailer(c, ch);
	return CHUNKED_TRAILER;
}

/* CHUNKED_END_LF: the LF of the final empty line ends the body. */
static enum http_chunked_state step_end_lf(struct http_chunked *c,
					   unsigned char ch)
{
	(void)c;
	return ch == '\n' ? CHUNKED_DONE : CHUNKED_BAD;
}

/* ---- Decoding ---- */

/* The trailer section limit: the same as for a head. */
#define HTTP_MAX_TRAILER_BYTES HTTP_MAX_HEAD_BYTES

/*
 * Each state's step (byte -> next state) and what its bytes count
 * against: the size line against HTTP_MAX_CHUNK_LINE, the whole trailer
 * section against HTTP_MAX_TRAILER_BYTES; 0: not counted (the data and
 * its CRLF; the LFs that start a new count).  CHUNKED_DATA has no step:
 * take_data() moves many bytes at once.
 */
static const struct {
	enum http_chunked_state (*step)(struct http_chunked *c,
					unsigned char ch);
	size_t limit;
} states[CHUNKED_NUM_STATES] = {
    [CHUNKED_SIZE_FIRST] = {step_size, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_SIZE] = {step_size, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_SEMI] = {step_ext, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_NAME0] = {step_ext, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_NAME] = {step_ext, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_EQ] = {step_ext, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_VAL0] = {step_ext, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_TOKEN] = {step_ext, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_QUOTED] = {step_quoted, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_QPAIR] = {step_qpair, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_EXT_END] = {step_ext, HTTP_MAX_CHUNK_LINE},
    [CHUNKED_SIZE_LF] = {step_size_lf, 0},
    [CHUNKED_DATA_CR] = {step_data_cr, 0},
    [CHUNKED_DATA_LF] = {step_data_lf, 0},
    [CHUNKED_TRAILER] = {step_trailer, HTTP_MAX_TRAILER_BYTES},
    [CHUNKED_TRAILER_NAME] = {step_trailer_name, HTTP_MAX_TRAILER_BYTES},
    [CHUNKED_TRAILER_VALUE] = {step_trailer_value, HTTP_MAX_TRAILER_BYTES},
    [CHUNKED_TRAILER_LF] = {step_trailer_lf, HTTP_MAX_TRAILER_BYTES},
    [CHUNKED_END_LF] = {step_end_lf, HTTP_MAX_TRAILER_BYTES},
};

/*
 * One byte outside chunk-data through its state's step, counted against
 * that state's limit.  False when the byte breaks the grammar or the
 * limit (or the decoder is not in a state that takes bytes).
 */
static bool step_byte(struct http_chunked *c, unsigned char ch)
{
	enum http_chunked_state st = c->state, next;

	if (st <= CHUNKED_BAD || st >= CHUNKED_NUM_STATES ||
	    states[st].step == NULL)
		return false;
	next = states[st].step(c, ch);
	if (next == CHUNKED_BAD)
		return false;
	if (states[st].limit != 0 && ++c->line_len > states[st].limit)
		return false;
	c->state = next;
	return true;
}

/*
 * Consume from in[0..len).  Returns the bytes consumed (fewer than len
 * when the body ends inside the input), or HTTP_PARSE_ERROR with *err set
 * to HTTP_E_CHUNK (malformed) or HTTP_E_BODY_TOO_LARGE (out refused the
 * data).  Decoded data is appended to out when out is not NULL.  This
 * loop and step_byte() are the only places the state changes.
 */
long http_chunked_feed(struct http_chunked *c, const char *in, size_t len,
		       struct http_buf *out, enum http_err *err)
{
	size_t i = 0;
	long took;

	*err = HTTP_OK;
	while (i < len && c->state != CHUNKED_DONE) {
		if (c->state == CHUNKED_DATA) {
			took = take_data(c, in + i, len - i, out);
			if (took < 0) {
				*err = HTTP_E_BODY_TOO_LARGE;
				return HTTP_PARSE_ERROR;
			}
			i += (size_t)took;
			if (c->remaining == 0)
				c->state = CHUNKED_DATA_CR;
			continue;
		}
		if (!step_byte(c, (unsigned char)in[i])) {
			c->state = CHUNKED_BAD;
			*err = HTTP_E_CHUNK;
			return HTTP_PARSE_ERROR;
		}
		i++;
	}
	c->done = c->state == CHUNKED_DONE;
	return (long)i;
}
