/*
 * repl/main.c - bin/repl: the teaching lab.
 *
 *   bin/repl               embedded proxy + origin, the prompt
 *   bin/repl --check FILE  run a lab script, exit 1 on the first failure
 *   bin/repl < FILE        the same commands from a pipe, no terminal
 *   bin/repl --listen A    outside clients in through the lab's proxy
 *                          (repl/intercept.h), held until Enter
 *
 * Readline (history in ~/.lab407_history, completion) only when stdin is
 * a terminal; colour only when stdout is one and NO_COLOR is unset.
 */
#define _POSIX_C_SOURCE 200809L

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "../net/cmdline.h"
#include "command.h"
#include "intercept.h"
#include "kdc.h"
#include "lab.h"
#include "listen.h"
#include "mystery.h"
#include "predict.h"
#include "repl.h"
#include "script.h"

#define REPL_VERSION "1.0"
#define REPL_HISTORY ".lab407_history"
#define REPL_HISTORY_MAX 1000

/* ---- Usage ---- */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: repl [--listen HOST:PORT] [--check FILE.lab [--predictions "
	    "OUT]]\n"
	    "            [--mystery N] [--help] [--version]\n"
	    "\n"
	    "The lab407 teaching REPL.  With no arguments it starts a proxy\n"
	    "(Basic, realm \"lab407 proxy\") and an origin (Basic, realm\n"
	    "\"lab407 origin\") on free loopback ports and opens a prompt "
	    "where\n"
	    "Enter moves one message of the exchange.  Commands can also be\n"
	    "piped in; there an empty line is skipped, and `step` or `run`\n"
	    "moves the exchange.\n"
	    "\n"
	    "  --check FILE   run a lab script without a terminal; exit 1 on\n"
	    "                 the first failed expect (FILE:LINE: ...)\n"
	    "  --listen A     let outside clients (curl, a browser) in "
	    "through\n"
	    "                 the lab's proxy on A (loopback; port 0 picks\n"
	    "                 one; the first line says `listening on A`);\n"
	    "                 each of their messages is held until Enter\n"
	    "  --predictions OUT   with --check: write each graded `predict`\n"
	    "                 line to OUT (tab-separated) and a summary\n"
	    "  --mystery N    start with hidden set-up N (see `mystery`)\n"
	    "  --help         this text\n"
	    "  --version      the version\n");
}

/* ---- Completion (readline) ---- */

static char *complete_word(const char *text, int state)
{
	static char cmd[32];
	static int word;
	const char *hit;

	if (state == 0) {
		const char *p = rl_line_buffer;
		int i = 0, start = rl_point - (int)strlen(text);
		cmd[0] = '\0';
		word = 0;
		while (i < start) {
			while (i < start && p[i] == ' ')
				i++;
			if (i >= start)
				break;
			if (word == 0)
				snprintf(cmd, sizeof(cmd), "%.*s",
					 (int)strcspn(p + i, " "), p + i);
			while (i < start && p[i] != ' ')
				i++;
			word++;
		}
	}
	hit = command_complete(cmd[0] ? cmd : NULL, word, text, state);
	return hit ? strdup(hit) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	/* dot and save take file names: let readline complete those */
	if (start > 0 && (strncmp(rl_line_buffer, "dot ", 4) == 0 ||
			  strncmp(rl_line_buffer, "save ", 5) == 0))
		return NULL;
	rl_attempted_completion_over = 1;
	return rl_completion_matches(text, complete_word);
}

/* ---- The prompt ---- */

static void welcome(struct repl *r)
{
	struct lab_view v;
	char what[2][64];
	int p;

	lab_view(r->lab, &v);
	/* a mystery's set-up is the student's to find: not even here */
	for (p = 0; p < 2; p++)
		if (v.mystery != 0)
			snprintf(what[p], sizeof(what[p]), "hidden: mystery %d",
				 v.mystery);
		else
			snprintf(what[p], sizeof(what[p]),
				 "Basic, realm \"%s\"",
				 p == LAB_PROXY ? LAB_PROXY_REALM
						: LAB_ORIGIN_REALM);
	fprintf(
	    r->out,
	    "%slab407%s - HTTP proxy authentication, one message at a time.\n"
	    "  proxy   127.0.0.1:%u  (%s)\n"
	    "  origin  127.0.0.1:%u  (%s)\n"
	    "Ready: GET /private through the proxy, the client is "
	    "alice:wonderland\nfor both the proxy and the origin.  Press "
	    "%sEnter%s to move one message:\n%s"
	    "Type help for the commands, quit or Ctrl-D to leave.\n",
	    repl_color(r, "step"), repl_color(r, "off"), v.port[LAB_PROXY],
	    what[LAB_PROXY], v.port[LAB_ORIGIN], what[LAB_ORIGIN],
	    repl_color(r, "step"), repl_color(r, "off"),
	    v.mystery != 0 ? ""
			   : "about 10 presses show the proxy's 407, the "
			     "origin's 401 and the 200.\n");
}

/* The prompt says what Enter will do. */
static void prompt_for(const struct repl *r, char *out, size_t cap)
{
	struct lab_view v;
	char hint[64] = "";

	const struct icpt_conn *c =
	    r->icpt != NULL ? listen_oldest(r->icpt) : NULL;

	lab_view(r->lab, &v);
	if (c != NULL)
		snprintf(hint, sizeof(hint), " [Enter: #%d %s -> %s]", c->num,
			 lab_leg_from(c->leg), lab_leg_to(c->leg));
	else if (v.active)
		snprintf(hint, sizeof(hint), " [Enter: %s -> %s]",
			 lab_leg_from(v.next), lab_leg_to(v.next));
	if (r->color)
		snprintf(out, cap, "\001\033[1m\002lab407\001\033[0m\002%s> ",
			 hint);
	else
		snprintf(out, cap, "lab407%s> ", hint);
}

/* Predict mode's question, asked through readline (a terminal only). */
static char *ask_tty(const char *prompt)
{
	return readline(prompt);
}

/* Ctrl-C at the prompt clears the line instead of ending the lab. */
static void on_sigint(int sig)
{
	(void)sig;
	(void)write(STDOUT_FILENO, "\n", 1);
	rl_on_new_line();
	rl_replace_line("", 0);
	rl_redisplay();
}

/*
 * The prompt runs on readline's callback interface, so outside clients'
 * traffic (repl/listen.c) is read and queued while the prompt waits: one
 * poll() over the terminal and the lab's outside sockets.
 */
static struct repl *prompt_repl;
static bool prompt_eof;
static char prompt_text[128];

static void prompt_update(void)
{
	prompt_for(prompt_repl, prompt_text, sizeof(prompt_text));
	rl_set_prompt(prompt_text);
}

static void on_line(char *line)
{
	struct repl *r = prompt_repl;

	if (line == NULL) {
		fputc('\n', r->out);
		prompt_eof = true;
		return;
	}
	if (line[strspn(line, " \t")] != '\0')
		add_history(line);
	command_exec(r, line, true);
	free(line);
	fflush(r->out);
	prompt_update();
}

/* Outside traffic is about to print: take the prompt line away first. */
static void before_print(void *arg)
{
	(void)arg;
	rl_clear_visible_line();
}

static void interactive(struct repl *r)
{
	struct sigaction sa;
	char hist[REPL_MAX_PATH] = "";
	const char *home = getenv("HOME");

	if (home != NULL) {
		snprintf(hist, sizeof(hist), "%s/%s", home, REPL_HISTORY);
		read_history(hist); /* a missing file is fine */
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	rl_catch_signals = 0;
	rl_readline_name = "lab407";
	rl_attempted_completion_function = complete;
	welcome(r);
	prompt_repl = r;
	prompt_for(r, prompt_text, sizeof(prompt_text));
	r->icpt->before_print = before_print;
	rl_callback_handler_install(prompt_text, on_line);
	while (!r->quit && !prompt_eof) {
		struct pollfd pfd[2 + 3 * ICPT_MAX_CONNS];
		size_t n = 1, i;
		bool outside = false;

		pfd[0] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
		n += listen_pollfds(r->icpt, pfd + 1,
				    sizeof(pfd) / sizeof(pfd[0]) - 1);
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue; /* EINTR: Ctrl-C was handled */
		for (i = 1; i < n; i++)
			outside = outside || pfd[i].revents != 0;
		if (outside) {
			r->icpt->printed = false;
			listen_pump(r, 0);
			if (r->icpt->printed) {
				prompt_update();
				rl_on_new_line();
				rl_redisplay();
			}
		}
		if (pfd[0].revents != 0)
			rl_callback_read_char();
	}
	rl_callback_handler_remove();
	r->icpt->before_print = NULL;
	if (hist[0] != '\0') {
		write_history(hist); /* failure is not worth a message */
		history_truncate_file(hist, REPL_HISTORY_MAX);
	}
}

/* What the command line asks for. */
struct repl_args {
	const char *check, *listen_at, *predictions, *mystery;
};

/* ---- The command line (net/cmdline.h) ---- */

#define ARG(f) offsetof(struct repl_args, f)

static const struct cmdline_option cmdline_opts[] = {
    CMDLINE_OPT_STRING("check", 'c', ARG(check)),
    CMDLINE_OPT_STRING("listen", 'l', ARG(listen_at)),
    CMDLINE_OPT_STRING("predictions", 0, ARG(predictions)),
    CMDLINE_OPT_STRING("mystery", 0, ARG(mystery)),
    CMDLINE_OPTS_HELP_VERSION,
};

static const struct cmdline cmdline =
    CMDLINE("repl", "repl (lab407) " REPL_VERSION, usage, cmdline_opts, true);

/* The command line into a; exits on --help, --version and a usage
 * error (2). */
static void parse_args(int argc, char **argv, struct repl_args *a)
{
	int first;

	memset(a, 0, sizeof(*a));
	first = cmdline_parse(&cmdline, argc, argv, a);
	if (first < argc)
		cmdline_die_usage("repl",
				  "unexpected argument '%s': did you mean "
				  "--check %s?",
				  argv[first], argv[first]);
	if (a->predictions != NULL && a->check == NULL)
		cmdline_die_usage("repl",
				  "--predictions goes with --check FILE");
}

/* --listen: the intercepting listener, announced on the first lines,
 * flushed, as the servers print them: a test starts its client once it
 * has read the port.  False (said on stderr) if it cannot listen. */
static bool open_listener(struct intercept *icpt, const char *listen_at,
			  const struct lab *lab)
{
	char err[512];
	struct lab_view v;

	if (!listen_open(icpt, listen_at, err, sizeof(err))) {
		fprintf(stderr, "repl: %s\n", err);
		return false;
	}
	printf("listening on %s\n", icpt->bound);
	lab_view(lab, &v);
	printf("lab origin 127.0.0.1:%u\n", v.port[LAB_ORIGIN]);
	fflush(stdout);
	return true;
}

/* The session itself: --check FILE, the terminal, or a script on
 * stdin; the exit status. */
static int run(struct repl *r, const struct repl_args *a)
{
	char err[512];
	int status = 0;

	if (a->check != NULL) {
		r->script = true;
		r->echo = true;
		status = script_run_file(r, a->check);
		predict_summary(r);
		if (status == 0)
			fprintf(r->out, "\n%s: all expects passed\n", a->check);
		return status;
	}
	/* the default exchange, ready for Enter (with --listen, the
	 * outside client's is) */
	if (a->listen_at == NULL &&
	    !lab_begin(r->lab, "GET", "/private", NULL, err, sizeof(err)))
		fprintf(stderr, "repl: %s\n", err);
	if (isatty(STDIN_FILENO)) {
		r->ask = ask_tty;
		interactive(r);
		return 0;
	}
	return script_run_stream(r, stdin);
}

int main(int argc, char **argv)
{
	struct repl_args a;
	FILE *plog = NULL;
	static struct intercept icpt;
	struct lab *lab;
	struct repl r;
	char err[512];
	int status;

	parse_args(argc, argv, &a);
	signal(SIGPIPE, SIG_IGN);
	lab = lab_new();
	if (lab == NULL) {
		fprintf(stderr, "repl: out of memory\n");
		return 1;
	}
	if (!lab_open(lab, err, sizeof(err))) {
		fprintf(stderr, "repl: %s\n", err);
		lab_close(lab);
		free(lab);
		return 1;
	}
	repl_init(&r, lab, stdout, stderr);
	r.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	if (a.predictions != NULL) {
		plog = fopen(a.predictions, "w");
		if (plog == NULL) {
			fprintf(stderr, "repl: cannot write %s\n",
				a.predictions);
			lab_close(lab);
			free(lab);
			return 1;
		}
		r.pred.log = plog;
	}
	if (a.mystery != NULL && !mystery_start_arg(&r, a.mystery)) {
		if (plog != NULL)
			fclose(plog);
		lab_close(lab);
		free(lab);
		return 2;
	}
	intercept_init(&icpt);
	r.icpt = &icpt;
	if (a.listen_at != NULL && !open_listener(&icpt, a.listen_at, lab)) {
		lab_close(lab);
		free(lab);
		return 1;
	}
	status = run(&r, &a);
	fflush(stdout);
	if (plog != NULL)
		fclose(plog);
	kdc_stop_child(&r);
	listen_close(&icpt);
	lab_close(lab);
	free(lab);
	return status;
}
