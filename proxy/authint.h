/*
 * proxy/authint.h - the request body held for Digest qop=auth-int.
 *
 * With qop=auth-int the credentials cover H(entity-body) (RFC 7616
 * §3.4.3), so bin/proxy can judge them only once it has the whole body:
 * it reads the body here, bounded, before anything of the request goes
 * upstream; the guard hashes exactly these bytes, and exactly these bytes
 * are forwarded (authint_write).  Nothing that arrives after the body
 * (a second body, a pipelined request) can take their place: what is
 * held is fixed once authint_feed() says the body is done.
 *
 * The entity-body is the body with any transfer coding removed: RFC 7616
 * §3.4.3 hashes the entity-body, and RFC 9112 §7 makes chunked a
 * transfer coding of the message, not part of its content; so a chunked
 * body is decoded (chunk sizes, extensions and trailer fields are not
 * hashed) and kept as data.
 *
 * Sans-I/O: the shell hands in bytes as they come; no socket, no clock
 * (the body-rate timeout stays in the shell).
 */
#ifndef LAB407_PROXY_AUTHINT_H
#define LAB407_PROXY_AUTHINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/buf.h"
#include "../http/message.h"
#include "../net/body.h"

/* Default for --auth-int-max: body bytes the proxy holds for auth-int
 * (1 MiB; a plain number, as --help prints it). */
#define AUTHINT_DEFAULT_MAX 1048576
/* Largest --auth-int-max accepted. */
#define AUTHINT_MAX_LIMIT (64u << 20)

struct authint {
	struct http_body_info info; /* the framing the client used */
	struct body_mover mv;	    /* decodes the framing */
	struct http_buf body;	    /* the entity-body so far (owned, wiped) */
	struct http_buf head;	    /* a copy of the request head (it may
				       hold Proxy-Authorization: wiped) */
	uint64_t limit;		    /* entity-body bytes allowed */
};

/*
 * Would this request be read here first?  True for a request whose
 * credentials answer Digest qop=auth-int (see guard_body_alg()), when the
 * proxy offers auth-int at all; with no body too, since the head is kept
 * for the rspauth over the response (guard_digest_info()).  info is the
 * request's framing (not needed today).
 */
struct guard_config;
bool authint_wanted(const struct guard_config *cfg,
		    const struct http_request *req,
		    const struct http_body_info *info);

/*
 * Start holding: copy head[0..head_len) (the request head, through its
 * blank line) and get ready for a body framed by info, of at most limit
 * entity-body bytes.  HTTP_E_BODY_TOO_LARGE at once when a Content-Length
 * says more than limit; HTTP_E_NOMEM.  Free with authint_free() either way.
 */
enum http_err authint_start(struct authint *a, const char *head,
			    size_t head_len, const struct http_body_info *info,
			    uint64_t limit);

/*
 * Consume the body's bytes from in[0..len): returns how many belonged to
 * it (fewer than len once it ended: the rest is the next request), or -1
 * with *err (HTTP_E_BODY_TOO_LARGE past the limit, HTTP_E_CHUNK for bad
 * chunked framing, HTTP_E_NOMEM).
 */
long authint_feed(struct authint *a, const char *in, size_t len,
		  enum http_err *err);

/* True once the whole body is held. */
bool authint_done(const struct authint *a);

/*
 * The body as it goes upstream, appended to out: Content-Length bytes as
 * they are; a chunked body as one chunk of the held data and the last
 * chunk, no trailer fields (RFC 9112 §7.1.2: a recipient that removes the
 * chunked coding may discard them, and they were not hashed).  False
 * when out is full.
 */
bool authint_write(const struct authint *a, struct http_buf *out);

/* Wipe and free what a holds; safe on a zeroed struct and twice. */
void authint_free(struct authint *a);

#endif
