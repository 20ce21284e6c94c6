/*
 * repl/show.c - printing one message of the exchange, `show`, `raw`
 * and `trace`.
 *
 * A message is printed as it crossed the socket, byte for byte: with
 * `raw` on, CR and LF are shown as \r and \n so the CRLF line ends of
 * RFC 9112 §2.2 are visible.  Bodies are cut after REPL_SHOW_BODY bytes.
 */
#define _POSIX_C_SOURCE 200809L

#include "show.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- One message ---- */

/* Print bytes, with \r \n shown when raw is on; other controls as \xNN. */
static void put_bytes(struct repl *r, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (r->raw && c == '\r') {
			fprintf(r->out, "%s\\r%s", repl_color(r, "dim"),
				repl_color(r, "off"));
		} else if (r->raw && c == '\n') {
			fprintf(r->out, "%s\\n%s\n", repl_color(r, "dim"),
				repl_color(r, "off"));
		} else if (c == '\r') {
			continue;
		} else if (c == '\n' || c == '\t' || c >= 0x20) {
			fputc(c, r->out);
		} else {
			fprintf(r->out, "\\x%02x", c);
		}
	}
}

/* Header line, the bytes (head, then the body cut short), why line. */
void show_message(struct repl *r, const struct lab_msg *m)
{
	const char *role = "step";
	size_t body = m->bytes.len - m->head_len;
	size_t shown = body > REPL_SHOW_BODY ? REPL_SHOW_BODY : body;

	if (!m->is_request)
		role = m->status >= 400 ? "bad" : "good";
	if (m->conn > 0)
		fprintf(r->out, "\n%s[%d] #%d %s   %s%s\n", repl_color(r, role),
			m->n, m->conn, lab_leg_name(m->leg), m->line,
			repl_color(r, "off"));
	else
		fprintf(r->out, "\n%s[%d] %s   %s%s\n", repl_color(r, role),
			m->n, lab_leg_name(m->leg), m->line,
			repl_color(r, "off"));
	if (m->tcp_before[0] != '\0')
		fprintf(r->out, "%s(%s)%s\n", repl_color(r, "dim"),
			m->tcp_before, repl_color(r, "off"));
	if (m->broken[0] != '\0')
		fprintf(r->out, "%s(%s)%s\n", repl_color(r, "bad"), m->broken,
			repl_color(r, "off"));
	if (m->tls[0] != '\0')
		fprintf(r->out, "%s%s%s", repl_color(r, "dim"), m->tls,
			repl_color(r, "off"));
	put_bytes(r, m->bytes.data, m->head_len + shown);
	if (shown > 0 && m->bytes.data[m->head_len + shown - 1] != '\n')
		fputc('\n', r->out);
	if (body > shown)
		fprintf(r->out, "(... %zu more bytes)\n", body - shown);
	if (!r->why_off) { /* `why off`: the student says why first */
		fprintf(r->out, "%swhy: %s%s", repl_color(r, "why"), m->why,
			repl_color(r, "off"));
		if (m->lesson != NULL)
			fprintf(r->out, "   (lesson %s)", m->lesson);
		fputc('\n', r->out);
	}
	if (m->tcp_after[0] != '\0')
		fprintf(r->out, "%s(%s)%s\n", repl_color(r, "dim"),
			m->tcp_after, repl_color(r, "off"));
}

/* ---- Commands ---- */

/* `show [N]`: message N again, default the last. */
enum repl_rc show_cmd(struct repl *r, int argc, char **argv)
{
	struct lab_view v;
	const struct lab_msg *m;

	lab_view(r->lab, &v);
	m = lab_msg_at(r->lab, argc > 1 ? atoi(argv[1]) : (int)v.num_msgs);
	if (m == NULL) {
		repl_error(r, "no message %s (the exchange has %zu; try trace)",
			   argc > 1 ? argv[1] : "yet", v.num_msgs);
		return REPL_FAIL;
	}
	show_message(r, m);
	return REPL_OK;
}

/* `raw [on|off]`: toggle, or set, the visible CR LF. */
enum repl_rc show_raw(struct repl *r, int argc, char **argv)
{
	if (argc > 1)
		r->raw = strcmp(argv[1], "on") == 0;
	else
		r->raw = !r->raw;
	fprintf(r->out, "raw %s: \\r\\n %s\n", r->raw ? "on" : "off",
		r->raw ? "shown" : "hidden");
	return REPL_OK;
}

/* `trace`: one line per message, and the TCP events between them. */
enum repl_rc show_trace(struct repl *r, int argc, char **argv)
{
	struct lab_view v;
	size_t i;

	(void)argc;
	(void)argv;
	lab_view(r->lab, &v);
	if (v.num_msgs == 0) {
		fprintf(r->out, "no messages yet (get PATH, then Enter)\n");
		return REPL_OK;
	}
	for (i = 0; i < v.num_msgs; i++) {
		const struct lab_msg *m = &v.msgs[i];
		if (m->tcp_before[0] != '\0')
			fprintf(r->out, "     %s\n", m->tcp_before);
		if (m->conn > 0)
			fprintf(r->out, "%3d  #%d %s   %s\n", m->n, m->conn,
				lab_leg_name(m->leg), m->line);
		else
			fprintf(r->out, "%3d  %s   %s\n", m->n,
				lab_leg_name(m->leg), m->line);
		if (m->tcp_after[0] != '\0')
			fprintf(r->out, "     %s\n", m->tcp_after);
	}
	if (v.done)
		fprintf(r->out, "     done: %d from the %s\n", v.final_status,
			lab_party_name(v.final_who));
	return REPL_OK;
}
