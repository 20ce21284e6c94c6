/*
 * client/machine.h - the client as a pure state machine:
 *
 *   last response  ->  next request | done
 *
 * bin/client (client/main.c) and the REPL move the bytes.  One retry per
 * challenge and party; a Digest stale=true gets one silent retry more.
 */
#ifndef LAB407_CLIENT_MACHINE_H
#define LAB407_CLIENT_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/answer.h"
#include "../http/buf.h"
#include "../http/message.h"
#include "../http/negotiate.h"
#include "../http/ntlm_guard.h"

#define CLIENT_MAX_NOTE 1024

struct client_config {
	const char *method;	    /* "GET" unless -X or -d */
	const char *url;	    /* absolute URL */
	bool via_proxy;		    /* send absolute-form to a proxy */
	bool tunnel;		    /* -p or https: CONNECT first */
	struct answer_creds proxy;  /* -U, --proxy-basic/digest/anyauth */
	struct answer_creds origin; /* -u, --basic/digest/anyauth */
	const char *body;	    /* -d, may be NULL */
	size_t body_len;
	const char
	    *extra_headers; /* -H lines, "Name: value\r\n" each, may be NULL */
	const char *user_agent; /* "lab407-client/VERSION" */
	/* How a note names the option that gives credentials, when it is
	 * not curl's -U / -u (the REPL: "user proxy NAME:PASSWORD"); NULL:
	 * "-U" and "-u". */
	const char *proxy_option, *origin_option;
	const char
	    *proxy_host; /* -x's host: Negotiate's HTTP@host; may be NULL */
};

enum client_action {
	CLIENT_SEND, /* send `request` (head, then body) */
	CLIENT_DONE, /* the last response is the answer */
	CLIENT_ERROR /* stop: `note` says why */
};

struct client_step {
	enum client_action action;
	struct http_buf request;    /* owned: head + body of the next request */
	bool is_connect;	    /* the request is a CONNECT */
	char note[CLIENT_MAX_NOTE]; /* decisions, one per line, for "* " */
};

/*
 * NTLM with one party (lesson 11): the handshake is three messages on one
 * connection, so the machine remembers where it stands and the message
 * the next request carries.
 */
enum client_ntlm_phase {
	CLIENT_NTLM_NONE,	      /* not started */
	CLIENT_NTLM_NEGOTIATE_SENT,   /* message 1 is out: a CHALLENGE is due */
	CLIENT_NTLM_AUTHENTICATE_SENT /* message 3 is out: the connection is in
				       */
};

struct client_ntlm {
	enum client_ntlm_phase phase;
	char token[NTLM_GUARD_MAX_B64]; /* base64 for the next request, or "" */
};

/* Where the machine stands: every state it can be in, named here. */
enum client_state {
	CLIENT_ST_IDLE,		/* nothing sent yet: client_start() is due */
	CLIENT_ST_CONNECT_SENT, /* CONNECT sent: its answer is due */
	CLIENT_ST_REQUEST_SENT, /* the request sent: its answer is due */
	CLIENT_ST_DONE		/* finished: the last response is the answer */
};

struct client_machine {
	const struct client_config *cfg; /* not owned */
	struct answer_state proxy_st;
	struct answer_state origin_st;
	int proxy_tries; /* credentialed retries so far */
	int origin_tries;
	bool proxy_stale_used; /* the one silent stale retry */
	bool origin_stale_used;
	bool tunnel_up;			   /* CONNECT got 2xx */
	struct client_ntlm proxy_ntlm;	   /* --proxy-ntlm */
	struct client_ntlm origin_ntlm;	   /* --ntlm */
	struct negotiate_client proxy_neg; /* --proxy-negotiate (lesson 12) */
	char neg_token[NEGOTIATE_MAX_B64]; /* base64 for the next request, or ""
					    */
	enum client_state state;	   /* changed only by machine.c */
};

void client_init(struct client_machine *m, const struct client_config *cfg);
/* Release what the machine holds outside itself (a GSS-API context). */
void client_free(struct client_machine *m);
void client_step_init(struct client_step *s);
void client_step_free(struct client_step *s);
/* Add one line to a step's notes (each becomes a "* " line of -v). */
void client_step_note(struct client_step *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The first request. */
void client_start(struct client_machine *m, struct client_step *s);
/* Given the response to the last request, what next. */
void client_next(struct client_machine *m, const struct http_response *resp,
		 const char *body, size_t body_len, struct client_step *s);
/* Who made a response: "proxy", "origin" or "cannot tell", and the clue. */
struct client_who {
	const char *who;  /* "proxy", "origin" or "cannot tell" */
	const char *clue; /* the field that says so, or why nothing does */
};
struct client_who client_who(const struct http_response *resp, bool via_proxy);
/* client_who(resp, via_proxy).who */
const char *client_who_answered(const struct http_response *resp,
				bool via_proxy);

#endif
