/*
 * http/facts.h - a request head read once: what the decisions need of it.
 *
 * proxy_decide() and origin_decide() ask the same questions of a request
 * again and again: which target form, which Host, is the connection to
 * close, does the client wait for 100 (Continue), how is the body framed,
 * what does Max-Forwards say, which credentials came.  facts_read() walks
 * the header list once and answers them all into one struct, in the way
 * h11 hands its caller events with their fields already parsed; the
 * decisions read the struct and never walk the list again.
 *
 * Each answer is the rule of the http/ file that owns it (persist.c,
 * expect.c, message.c's framing and Host, url.c), applied to what the one
 * walk found; only Max-Forwards (a number, RFC 9110 §7.6.2) is read here.
 * Pointers point into the caller's request, which must outlive the facts.  A
 * struct facts holds a struct http_url, so it is passed by pointer, never
 * copied.
 */
#ifndef LAB407_HTTP_FACTS_H
#define LAB407_HTTP_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "error.h"
#include "message.h"
#include "url.h"

/* The four forms of request-target (RFC 9112 §3.2), or none of them. */
enum facts_target {
	FACTS_TARGET_OTHER,	/* empty, or none of the forms below */
	FACTS_TARGET_ORIGIN,	/* "/path?query" (§3.2.1) */
	FACTS_TARGET_ABSOLUTE,	/* "http://host:port/path" (§3.2.2); url set */
	FACTS_TARGET_AUTHORITY, /* "host:port", for CONNECT (§3.2.3); url set */
	FACTS_TARGET_ASTERISK	/* "*", for OPTIONS (§3.2.4) */
};

/*
 * What the Connection fields of a head say (RFC 9110 §7.6.1): the
 * options listed in all of them, and which fields of the head they name.
 */
struct facts_connection {
	size_t num_fields;	      /* Connection field lines */
	size_t num_options;	      /* list elements in all of them */
	bool close;		      /* "close" is listed (RFC 9112 §9.6) */
	bool keep_alive;	      /* "keep-alive" is listed (§9.3) */
	bool named[HTTP_MAX_HEADERS]; /* field i's name is listed, so field i
					 is hop-by-hop */
};

/* One credentials field name, Proxy-Authorization or Authorization
 * (RFC 9110 §11.6.2, §11.7.2). */
struct facts_credentials {
	size_t count;			 /* field lines with this name */
	const struct http_header *first; /* the first of them, or NULL */
	enum auth_scheme first_scheme;	 /* its scheme; NONE when absent or
					    no scheme token starts it */
	unsigned schemes;		 /* the schemes of all of them, or'd */
};

struct facts {
	const struct http_request *req; /* the request read; not owned */
	int minor_version;		/* of the request line */
	/* Target (RFC 9112 §3.2). */
	enum facts_target target;
	struct http_url url;   /* ABSOLUTE and AUTHORITY only */
	enum http_err url_err; /* why a target that is neither
				  origin- nor asterisk-form was
				  not a URL nor an authority */
	/* Host (RFC 9112 §3.2): http_host_rule() on the field lines. */
	size_t host_count;
	const struct http_header *host; /* the first Host, or NULL */
	enum http_err host_err;
	/* Connection (RFC 9110 §7.6.1) and what persist.c decides of it. */
	struct facts_connection connection;
	bool keep_alive; /* persist_request()'s answer */
	/* Expect (RFC 9110 §10.1.1). */
	size_t expect_count;  /* Expect field lines */
	bool expect_continue; /* expect_continue()'s answer */
	bool expect_other;    /* an expectation other than
				 100-continue is listed */
	/* Body framing (RFC 9112 §6): http_request_framing()'s answer. */
	enum http_err framing_err;
	struct http_body_info body;    /* when framing_err is HTTP_OK */
	bool close_after_early_answer; /* persist_close_after_early_answer() */
	/* Max-Forwards (RFC 9110 §7.6.2). */
	size_t max_forwards_count; /* field lines */
	long max_forwards;	   /* the first field's value (its
				      first FACTS_MAX_FORWARDS_DIGITS
				      digits); -1 when absent, empty
				      or not all digits (then it is
				      passed on as is) */
	/* Credentials. */
	struct facts_credentials proxy_authorization;
	struct facts_credentials authorization;
};

/* Max-Forwards values with more digits than this keep only their first
 * FACTS_MAX_FORWARDS_DIGITS: the proxy forwards them decremented anyway. */
#define FACTS_MAX_FORWARDS_DIGITS 9

/* Read req once into *f.  Never fails: every answer that can be an error
 * holds its error code. */
void facts_read(const struct http_request *req, struct facts *f);

/*
 * The Connection part alone, for any head (a response's too): which
 * options fields hs[0..n) list, and which of those fields they name.
 */
void facts_read_connection(const struct http_header *hs, size_t n,
			   struct facts_connection *c);

#endif
