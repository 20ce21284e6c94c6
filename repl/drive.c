/*
 * repl/drive.c - driving the exchange: get, request, step (Enter), run,
 * reset.  The lab (repl/lab_step.c) moves the bytes; this file prints them.
 */
#define _POSIX_C_SOURCE 200809L

#include "drive.h"
#include "intercept.h"
#include "lab_set.h"
#include "lab_step.h"
#include "predict.h"
#include "repl.h"
#include "show.h"

#include <string.h>

/* ---- Starting ---- */

static enum repl_rc begin(struct repl *r, const char *method,
			  const char *target, const char *body)
{
	char err[512];
	struct lab_view v;

	if (!lab_begin(r->lab, method, target, body, err, sizeof(err))) {
		repl_error(r, "%s", err);
		return REPL_FAIL;
	}
	lab_view(r->lab, &v);
	if (!r->script && !r->in_outcomes)
		fprintf(r->out,
			"new exchange: %s %s -- press Enter to step, "
			"or type run\n",
			method, v.url);
	return REPL_OK;
}

/* `get PATH` */
enum repl_rc drive_get(struct repl *r, int argc, char **argv)
{
	(void)argc;
	if (argv[1][0] != '/') {
		repl_error(r, "get takes a path such as /private (use request "
			      "for a full URL)");
		return REPL_USAGE;
	}
	return begin(r, "GET", argv[1], NULL);
}

/* `request METHOD URL [BODY]` */
enum repl_rc drive_request(struct repl *r, int argc, char **argv)
{
	if (argv[1][0] == '\0' || strlen(argv[1]) > 15) {
		repl_error(r, "bad method '%s'", argv[1]);
		return REPL_USAGE;
	}
	return begin(r, argv[1], argv[2], argc > 3 ? argv[3] : NULL);
}

/* ---- Stepping ---- */

/* The line printed when the client has its answer. */
static void print_end(struct repl *r)
{
	struct lab_view v;

	if (r->in_outcomes)
		return;
	lab_view(r->lab, &v);
	fprintf(r->out,
		"\n%s== done: %d from the %s, after %zu messages ==%s\n",
		repl_color(r, v.final_status >= 400 ? "bad" : "good"),
		v.final_status, lab_party_name(v.final_who), v.num_msgs,
		repl_color(r, "off"));
	/* Lesson 07: say plainly where the proxy's view ends */
	if (v.tunnel && v.tunnel_up)
		fprintf(r->out, "%s   (lesson 07)\n", v.end_note);
}

/* Step once and print; REPL_OK also when there was nothing to do. */
static enum repl_rc drive_step_once(struct repl *r, bool *moved)
{
	char err[512];
	enum lab_step_rc rc;
	enum repl_rc graded = REPL_OK;
	struct lab_view v;

	/* outside clients' held messages first (repl/intercept.c) */
	if (intercept_pending(r))
		return intercept_step(r, moved);
	/* predict, then see: the guess comes before the response moves */
	lab_view(r->lab, &v);
	if (v.active && v.next == LAB_P2C)
		predict_before(r);
	rc = lab_step(r->lab, err, sizeof(err));
	*moved = rc == LAB_STEP_MOVED;
	if (rc == LAB_STEP_ERROR) {
		repl_error(r, "%s", err);
		return REPL_FAIL;
	}
	if (rc == LAB_STEP_MOVED) {
		const struct lab_msg *m;

		lab_view(r->lab, &v);
		m = &v.msgs[v.num_msgs - 1];
		if (!r->in_outcomes)
			show_message(r, m);
		graded = predict_after(r, m);
		if (v.done)
			print_end(r);
	}
	return graded;
}

/* `step` (or Enter) */
enum repl_rc drive_step(struct repl *r, int argc, char **argv)
{
	bool moved;
	enum repl_rc rc;
	struct lab_view v;

	(void)argc;
	(void)argv;
	rc = drive_step_once(r, &moved);
	lab_view(r->lab, &v);
	if (rc == REPL_OK && !moved) {
		if (v.done)
			fprintf(r->out,
				"the exchange is over (%d from the %s); "
				"get PATH starts another\n",
				v.final_status, lab_party_name(v.final_who));
		else
			fprintf(r->out, "no exchange yet: type get /private "
					"(or help)\n");
	}
	return rc;
}

enum repl_rc drive_finish(struct repl *r)
{
	bool moved = true;
	int guard = 0;

	while (moved && guard++ < LAB_MAX_MSGS) {
		enum repl_rc rc = drive_step_once(r, &moved);
		if (rc != REPL_OK)
			return rc;
	}
	return REPL_OK;
}

/* `run` */
enum repl_rc drive_run(struct repl *r, int argc, char **argv)
{
	struct lab_view v;

	(void)argc;
	(void)argv;
	lab_view(r->lab, &v);
	if (!v.active && !v.done) {
		fprintf(r->out, "no exchange yet: type get /private\n");
		return REPL_OK;
	}
	return drive_finish(r);
}

/* `reset`: the default lab again. */
enum repl_rc drive_reset(struct repl *r, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	lab_clear(r->lab);
	lab_defaults(r->lab);
	if (!r->in_outcomes)
		fprintf(r->out, "reset: Basic on both sides, client is "
				"alice:wonderland for both, no break\n");
	return REPL_OK;
}
