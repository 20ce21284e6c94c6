/*
 * repl/lab_p2c.c - leg 4, proxy -> client: the response reaches the
 * client, whose machine (client_next() in client/machine.c) decides the
 * next request or ends the exchange; its note becomes the why-line.
 */
#define _POSIX_C_SOURCE 200809L

#include "lab_p2c.h"

#include <stdio.h>
#include <string.h>

#include "../http/auth.h"
#include "breaker.h"
#include "lab_client.h"
#include "lab_state.h"
#include "lab_step.h"
#include "tlsleg.h"
#include "wire.h"

/* ---- The why-line ---- */

/* A note's next sentence starts with a capital that reads wrong after
 * "; " ("...; Response from"); scheme names and acronyms keep theirs. */
static bool lower_after_join(const char *w)
{
	static const char *const keep[] = {"Basic", "Digest",	 "Bearer",
					   "NTLM",  "Negotiate", NULL};

	if (w[0] < 'A' || w[0] > 'Z' || w[1] < 'a' || w[1] > 'z')
		return false;
	for (size_t i = 0; keep[i] != NULL; i++)
		if (strncmp(w, keep[i], strlen(keep[i])) == 0)
			return false;
	return true;
}

/* Join a multi-line note into one line: "a; b". */
static void one_line(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < cap; in++) {
		if (*in == '\n') {
			if (in[1] == '\0')
				break;
			out[o++] = ';';
			out[o++] = ' ';
			if (lower_after_join(in + 1)) {
				out[o++] = (char)(in[1] - 'A' + 'a');
				in++;
			}
		} else if (*in != '\r') {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

/* ---- The end of a tunnel ---- */

/*
 * Lesson 07: after a 2xx to CONNECT the connection is a byte pipe.  The
 * client would start TLS inside it now; the lab stops, since nothing
 * after this point is HTTP the proxy could read.  Both connections were
 * the tunnel's, so they close.
 */
static void end_at_tunnel(struct lab *lab, struct lab_msg *m)
{
	http_buf_reset(&lab->pending);
	lab->active = false;
	lab->done = true;
	lab->pending_broken[0] = '\0';
	snprintf(lab->end_note, sizeof(lab->end_note),
		 "the connection is now a tunnel to %.*s: from here on the "
		 "proxy only relays opaque bytes (TLS, for https://) and "
		 "cannot see the request inside, not its method, path, "
		 "headers or Authorization; the lab stops here",
		 HTTP_MAX_HOST + 8, lab->url);
	snprintf(m->why + strlen(m->why), sizeof(m->why) - strlen(m->why),
		 "; %s", lab->end_note);
	m->lesson = "07";
	lab->close_after = false;
	snprintf(m->tcp_after, sizeof(m->tcp_after),
		 "TCP: the lab stops here and closes C%u and U%u; a real "
		 "tunnel stays open until either end closes it",
		 lab->conn_seq[0], lab->conn_seq[1]);
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	wire_close(&lab->po[0]);
	wire_close(&lab->po[1]);
}

/* ---- The response ---- */

/* Who wrote the response: the lab proxy knows; through an external proxy
 * the lab has only a client's clues (client_who_answered()). */
static void p2c_who(struct lab *lab, struct lab_msg *m,
		    const struct http_response *resp)
{
	const char *who = client_who_answered(resp, true);

	m->who_unknown = lab->external && strcmp(who, "cannot tell") == 0;
	if (lab->external)
		m->answered_by =
		    strcmp(who, "proxy") == 0 ? LAB_PROXY : LAB_ORIGIN;
	else
		m->answered_by =
		    lab->pending_proxy_own ? LAB_PROXY : LAB_ORIGIN;
}

/* The why-line: the client machine's note, on one line. */
static void p2c_why(struct lab *lab, struct lab_msg *m,
		    const struct client_step *s)
{
	char note[LAB_MAX_WHY - 8];

	one_line(s->note, note, sizeof(note));
	if (note[0] == '\0')
		snprintf(note, sizeof(note), "%s",
			 s->action == CLIENT_DONE ? "this is the answer"
						  : "next request");
	snprintf(m->why, sizeof(m->why), "client: %s", note);
	if (lab->external && lab->ext_origin_status != 0)
		snprintf(m->why + strlen(m->why),
			 sizeof(m->why) - strlen(m->why),
			 " [unseen: the lab's origin answered the "
			 "external proxy %d]",
			 lab->ext_origin_status);
}

/* The lesson the response belongs to. */
static void p2c_lesson(struct lab *lab, struct lab_msg *m,
		       const struct http_response *resp)
{
	m->lesson = resp->status == 407	  ? "02"
		    : resp->status == 401 ? "05"
					  : NULL;
	if (resp->status == 407 && !lab->external) {
		/* the connection-bound schemes have lessons of their own */
		const struct http_header *h;
		size_t pos = 0;

		while ((h = http_header_next(resp->headers, resp->num_headers,
					     "Proxy-Authenticate", &pos)) !=
		       NULL) {
			enum auth_scheme s =
			    auth_scheme_of(h->value, h->value_len);

			if (s == AUTH_SCHEME_NTLM)
				m->lesson = "11";
			else if (s == AUTH_SCHEME_NEGOTIATE &&
				 strcmp(m->lesson ? m->lesson : "", "11") != 0)
				m->lesson = "12";
		}
	}
	/* the stale retry is lesson 04's (RFC 7616 §3.3) */
	if (strstr(m->why, "stale=true") != NULL)
		m->lesson = "04";
}

/* After a response with Connection: close, the proxy closes C<n>. */
static void p2c_close(struct lab *lab, struct lab_msg *m)
{
	if (!lab->close_after)
		return;
	snprintf(m->tcp_after, sizeof(m->tcp_after),
		 "TCP: the proxy closes connection C%u after this "
		 "response (Connection: close, RFC 9112 §9.6); the "
		 "client's next request needs a new one",
		 lab->conn_seq[0]);
	wire_close(&lab->cp[0]);
	wire_close(&lab->cp[1]);
	lab->close_after = false;
}

/* Leg 4: the response reaches the client, whose machine decides. */
enum lab_step_rc lab_p2c(struct lab *lab, struct lab_msg *m, char *err,
			 size_t err_cap)
{
	struct http_response resp;
	struct client_step s;
	char broken[LAB_MAX_BROKEN] = "";

	if (lab->external) {
		if (!wire_read_external(lab, m, err, err_cap))
			return LAB_STEP_ERROR;
	} else if (!tlsleg_carry(lab, false, &lab->pending, &m->bytes, m, err,
				 err_cap)) {
		return LAB_STEP_ERROR;
	}
	if (!lab_step_parse_response(m, &resp, err, err_cap))
		return LAB_STEP_ERROR;
	p2c_who(lab, m, &resp);
	lab->final_status = resp.status;
	lab->final_who = m->answered_by;
	/* `break close`: the connection goes once the CHALLENGE is out. */
	if (lab->brk == LAB_BREAK_CLOSE && resp.status == 407 &&
	    breaker_is_ntlm_challenge(&resp)) {
		lab->close_after = true;
		lab->brk = LAB_BREAK_NONE;
		snprintf(m->broken, sizeof(m->broken),
			 "break close: the client<->proxy connection closes "
			 "right after this CHALLENGE");
	}

	client_step_init(&s);
	lab_client_call(lab, &resp, m->bytes.data + m->head_len,
			m->bytes.len - m->head_len, &s, broken, sizeof(broken));
	p2c_why(lab, m, &s);
	p2c_lesson(lab, m, &resp);
	lab_client_take(lab, &s, broken);
	client_step_free(&s);
	if (lab->tunnel && lab->cm.tunnel_up)
		end_at_tunnel(lab, m);
	p2c_close(lab, m);
	return LAB_STEP_MOVED;
}
