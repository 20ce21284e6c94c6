/*
 * net/reader.h - the one blocking message reader: a head with its limits,
 * then the body framed by Content-Length, chunked (with trailers) or the
 * end of the connection, read from a socket or from anything that reads
 * like one (bin/client's TLS).  Used by bin/client and bin/repl; bin/proxy
 * and bin/origin feed the same sans-I/O parts (http_parse_request and
 * _response, http_*_framing, net/body.c) from their event loop.
 *
 * Deciding stays in http/: the head parser says when a head is complete
 * or can never be (HTTP_MAX_HEAD_BYTES), the framing functions say how
 * the body ends, the body mover counts it.  This file only loops over
 * reads until they have said so.
 */
#ifndef LAB407_NET_READER_H
#define LAB407_NET_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/buf.h"
#include "../http/message.h"

/*
 * Where the bytes come from.  recv NULL: the socket fd, through
 * net_recv() (EINTR retried); otherwise recv(ctx, buf, cap), which
 * returns > 0 bytes, 0 at the end, -1 on an error or a timeout.
 */
struct reader {
	int fd;
	long (*recv)(void *ctx, char *buf, size_t cap);
	void *ctx;
	bool failed; /* the read that ended the last call failed (not EOF) */
};

/* A reader on a socket. */
struct reader reader_on_fd(int fd);

/*
 * Read into b until a complete head is in it (parsed into *req or *resp,
 * exactly one non-NULL; bytes already in b are parsed first), the peer
 * closes, an error, or the head passes its limit.  Returns the head
 * length (> 0), 0 on a clean close before any byte, -1 with *err: the
 * parse error, or HTTP_E_PARTIAL when the source ended or failed mid-head
 * (rd->failed tells which).  Bytes after the head stay in b.
 */
long reader_head(struct reader *rd, struct http_buf *b,
		 struct http_request *req, struct http_response *resp,
		 enum http_err *err);

/*
 * Read the body that follows head_len bytes of b, framed by info, at most
 * max bytes as framed (0: no limit).  Content-Length bodies are never
 * read past, so a next message stays with the source.
 *
 * decoded NULL: the body stays in b after the head as received.
 * decoded given: its content (chunked decoded, trailers dropped) is
 * appended there and the body's bytes are taken out of b, which keeps the
 * head and whatever followed the body.
 *
 * Returns the body's length as framed, or -1 with *err: HTTP_E_CHUNK,
 * HTTP_E_BODY_TOO_LARGE, HTTP_E_NOMEM, or HTTP_E_PARTIAL when the source
 * ended (or failed, rd->failed) before the body did.
 */
long reader_body(struct reader *rd, struct http_buf *b, size_t head_len,
		 const struct http_body_info *info, size_t max,
		 struct http_buf *decoded, enum http_err *err);

#endif
