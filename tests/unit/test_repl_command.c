/*
 * tests/unit/test_repl_command.c - the REPL's command line: splitting
 * into words, quoting, finding commands, checking arguments, completion,
 * and what command_exec() says about bad lines.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../repl/command.h"
#include "../../repl/script.h"

/* ---- Splitting ---- */

struct split_case {
	const char *comment;
	const char *line;
	enum command_split_err err;
	int argc;
	const char *words[6];
};

static const struct split_case split_cases[] = {
    /* the simplest command */
    {"one word", "step", COMMAND_SPLIT_OK, 1, {"step"}},
    /* spaces and tabs around and between words do not count */
    {"blanks", "  get \t /private  ", COMMAND_SPLIT_OK, 2, {"get", "/private"}},
    /* an empty line is no command (Enter steps, decided by the caller) */
    {"empty", "", COMMAND_SPLIT_OK, 0, {NULL}},
    /* a comment line of a lab script */
    {"comment line", "# row: mallory", COMMAND_SPLIT_OK, 0, {NULL}},
    /* a comment after words ends the line */
    {"trailing comment",
     "expect 407 # the proxy",
     COMMAND_SPLIT_OK,
     2,
     {"expect", "407"}},
    /* double quotes keep spaces inside one word */
    {"double quotes",
     "request POST /private \"a b=c\"",
     COMMAND_SPLIT_OK,
     4,
     {"request", "POST", "/private", "a b=c"}},
    /* single quotes too, with no escapes inside */
    {"single quotes",
     "user proxy 'alice:my pass'",
     COMMAND_SPLIT_OK,
     3,
     {"user", "proxy", "alice:my pass"}},
    /* a backslash escapes a quote inside double quotes */
    {"escaped quote",
     "request POST / \"say \\\"hi\\\"\"",
     COMMAND_SPLIT_OK,
     4,
     {"request", "POST", "/", "say \"hi\""}},
    /* quotes may join parts of one word */
    {"joined quotes",
     "user proxy alice:\"two words\"",
     COMMAND_SPLIT_OK,
     3,
     {"user", "proxy", "alice:two words"}},
    /* an empty quoted word is still a word */
    {"empty quoted",
     "user proxy \"\"",
     COMMAND_SPLIT_OK,
     3,
     {"user", "proxy", ""}},
    /* a CRLF line end (a script edited on Windows) is whitespace */
    {"crlf", "run\r\n", COMMAND_SPLIT_OK, 1, {"run"}},
    /* an unclosed quote is an error, not a guess */
    {"open quote", "request POST / \"abc", COMMAND_SPLIT_QUOTE, 0, {NULL}},
    /* a quote opened at the very end */
    {"open quote at end", "get '", COMMAND_SPLIT_QUOTE, 0, {NULL}},
    /* more words than argv holds */
    {"too many", "a b c d e f g h", COMMAND_SPLIT_TOO_MANY, 0, {NULL}},
};

static void test_split(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		char store[256];
		char *argv[6];
		int argc = -1, k;
		enum command_split_err e;

		e = command_split(c->line, store, sizeof(store), argv, 6,
				  &argc);
		if (e != c->err)
			fail_msg("%s: error %d, want %d", c->comment, e,
				 c->err);
		if (e != COMMAND_SPLIT_OK)
			continue;
		if (argc != c->argc)
			fail_msg("%s: %d words, want %d", c->comment, argc,
				 c->argc);
		for (k = 0; k < argc; k++)
			if (strcmp(argv[k], c->words[k]) != 0)
				fail_msg("%s: word %d is '%s', want '%s'",
					 c->comment, k, argv[k], c->words[k]);
	}
}

/* A store too small for the words is an error, never an overflow. */
static void test_split_small_store(void **state)
{
	char store[8];
	char *argv[4];
	int argc;

	(void)state;
	assert_int_equal(command_split("explain 12345", store, sizeof(store),
				       argv, 4, &argc),
			 COMMAND_SPLIT_TOO_LONG);
	/* exactly fitting: "get" NUL "/a" NUL = 7 bytes */
	assert_int_equal(
	    command_split("get /a", store, sizeof(store), argv, 4, &argc),
	    COMMAND_SPLIT_OK);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "/a");
}

/* ---- Finding commands ---- */

static void test_find(void **state)
{
	static const struct {
		const char *comment, *typed, *want;
	} cases[] = {
	    /* exact names */
	    {"exact", "explain", "explain"},
	    {"exact short", "qop", "qop"},
	    /* an unambiguous prefix */
	    {"prefix", "outc", "outcomes"},
	    {"prefix of one", "sc", "scheme"},
	    /* "ex" could be explain or expect */
	    {"ambiguous", "ex", NULL},
	    /* exit is quit */
	    {"alias", "exit", "quit"},
	    /* unknown */
	    {"unknown", "frobnicate", NULL},
	    /* empty */
	    {"empty", "", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct command *c = command_find(cases[i].typed);
		if (cases[i].want == NULL) {
			if (c != NULL)
				fail_msg("%s: found %s", cases[i].comment,
					 c->name);
		} else if (c == NULL || strcmp(c->name, cases[i].want) != 0) {
			fail_msg("%s: found %s, want %s", cases[i].comment,
				 c ? c->name : "nothing", cases[i].want);
		}
	}
}

/* Every row has usage, summary, help and a handler. */
static void test_table_complete(void **state)
{
	const struct command *c;
	size_t i;

	(void)state;
	for (i = 0; (c = command_at(i)) != NULL; i++) {
		assert_non_null(c->usage);
		assert_non_null(c->summary);
		assert_non_null(c->help);
		assert_non_null(c->run);
		assert_true(c->min_args <= c->max_args);
		assert_ptr_equal(command_find(c->name), c);
	}
	/* the commands of the specification are all there */
	{
		static const char *const need[] = {
		    "get",     "request", "step",    "run",    "reset",
		    "show",    "raw",	  "explain", "scheme", "algorithm",
		    "qop",     "user",	  "break",   "fix",    "outcomes",
		    "trace",   "dot",	  "save",    "status", "lesson",
		    "connect", "curl",	  "expect",  "help",   "quit"};
		for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (command_find(need[i]) == NULL ||
			    strcmp(command_find(need[i])->name, need[i]) != 0)
				fail_msg("command %s missing", need[i]);
	}
}

/* ---- Checking arguments ---- */

static void test_validate(void **state)
{
	static const struct {
		const char *comment, *line;
		bool ok;
	} cases[] = {
	    /* get needs a path */
	    {"get without path", "get", false},
	    {"get with path", "get /private", true},
	    /* step takes nothing */
	    {"step with junk", "step now", false},
	    /* scheme: party must be proxy or origin */
	    {"scheme good", "scheme proxy digest,basic", true},
	    {"scheme bad party", "scheme server basic", false},
	    {"scheme missing list", "scheme proxy", false},
	    /* break: only known targets */
	    {"break known", "break nonce", true},
	    {"break unknown", "break everything", false},
	    /* expect: a status, or a known keyword */
	    {"expect status", "expect 407", true},
	    {"expect from", "expect from proxy", true},
	    {"expect junk", "expect maybe", false},
	    /* raw takes on|off or nothing */
	    {"raw on", "raw on", true},
	    {"raw junk", "raw loud", false},
	    /* request: method and URL, optional body, no more */
	    {"request too many", "request POST / a b", false},
	    {"request with body", "request POST / body", true},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char store[256], why[256];
		char *argv[8];
		int argc;
		const struct command *c;
		const char *bad;

		assert_int_equal(command_split(cases[i].line, store,
					       sizeof(store), argv, 8, &argc),
				 COMMAND_SPLIT_OK);
		c = command_find(argv[0]);
		assert_non_null(c);
		bad = command_validate(c, argc, argv, why, sizeof(why));
		if (cases[i].ok && bad != NULL)
			fail_msg("%s: refused: %s", cases[i].comment, bad);
		if (!cases[i].ok && bad == NULL)
			fail_msg("%s: accepted", cases[i].comment);
	}
}

/* ---- Completion ---- */

static void test_complete(void **state)
{
	(void)state;
	/* command names */
	assert_string_equal(command_complete(NULL, 0, "exp", 0), "explain");
	assert_string_equal(command_complete(NULL, 0, "exp", 1), "expect");
	assert_null(command_complete(NULL, 0, "exp", 2));
	/* the first argument of scheme */
	assert_string_equal(command_complete("scheme", 1, "p", 0), "proxy");
	assert_null(command_complete("scheme", 1, "p", 1));
	/* the second argument of scheme */
	assert_string_equal(command_complete("scheme", 2, "dig", 0), "digest");
	/* break targets */
	assert_string_equal(command_complete("break", 1, "st", 0), "stale");
	/* help completes command names */
	assert_string_equal(command_complete("help", 1, "out", 0), "outcomes");
	/* nothing past the words a command has */
	assert_null(command_complete("step", 1, "", 0));
	assert_null(command_complete("nosuch", 1, "", 0));
}

/* ---- Running lines ---- */

struct io {
	char *out, *err;
	size_t out_len, err_len;
	FILE *fo, *fe;
};

static void io_open(struct io *io, struct repl *r)
{
	memset(io, 0, sizeof(*io));
	io->fo = open_memstream(&io->out, &io->out_len);
	io->fe = open_memstream(&io->err, &io->err_len);
	assert_non_null(io->fo);
	assert_non_null(io->fe);
	repl_init(r, NULL, io->fo, io->fe);
}

static void io_close(struct io *io)
{
	fclose(io->fo);
	fclose(io->fe);
	free(io->out);
	free(io->err);
}

/* Unknown commands, bad quoting and bad arguments are reported, with the
 * script's file and line when in a script. */
static void test_exec_errors(void **state)
{
	struct repl r;
	struct io io;

	(void)state;
	io_open(&io, &r);
	assert_int_equal(command_exec(&r, "frobnicate", false), REPL_USAGE);
	assert_int_equal(command_exec(&r, "get \"/x", false), REPL_USAGE);
	r.file = "lab.lab";
	r.line = 7;
	assert_int_equal(command_exec(&r, "scheme proxy", false), REPL_USAGE);
	/* a comment or blank line does nothing */
	assert_int_equal(command_exec(&r, "  # nothing", false), REPL_OK);
	fflush(io.fe);
	assert_non_null(strstr(io.err, "unknown command 'frobnicate'"));
	assert_non_null(strstr(io.err, "a quote is not closed"));
	assert_non_null(strstr(io.err, "lab.lab:7: usage: scheme"));
	io_close(&io);
}

/* help lists every command; help NAME prints its usage; quit quits. */
static void test_exec_help_quit(void **state)
{
	struct repl r;
	struct io io;

	(void)state;
	io_open(&io, &r);
	assert_int_equal(command_exec(&r, "help", false), REPL_OK);
	assert_int_equal(command_exec(&r, "help break", false), REPL_OK);
	assert_int_equal(command_exec(&r, "help nosuch", false), REPL_USAGE);
	fflush(io.fo);
	assert_non_null(strstr(io.out, "outcomes"));
	assert_non_null(strstr(io.out, "break WHAT"));
	assert_non_null(strstr(io.out, "Basix"));
	assert_false(r.quit);
	assert_int_equal(command_exec(&r, "quit", false), REPL_OK);
	assert_true(r.quit);
	io_close(&io);
}

/* status CODE reads the table; a non-number is a usage error. */
static void test_exec_status(void **state)
{
	struct repl r;
	struct io io;

	(void)state;
	io_open(&io, &r);
	assert_int_equal(command_exec(&r, "status 407", false), REPL_OK);
	assert_int_equal(command_exec(&r, "status abc", false), REPL_USAGE);
	fflush(io.fo);
	assert_non_null(strstr(io.out, "407 Proxy Authentication Required"));
	assert_non_null(strstr(io.out, ":proxy_authentication_required"));
	io_close(&io);
}

/* ---- Reading script lines ---- */

/* Lines come without their ends (LF or CRLF); a line longer than the
 * buffer is reported and skipped whole, never split or grown. */
static void test_read_line(void **state)
{
	static const char text[] = "get /\r\n"
				   "0123456789abcdef-too-long\n"
				   "run\n"
				   "last";
	char buf[16];
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_non_null(f);
	/* a CRLF line */
	assert_int_equal(script_read_line(f, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "get /");
	/* 25 characters do not fit in 16: skipped, -1 */
	assert_int_equal(script_read_line(f, buf, sizeof(buf)), -1);
	/* the next line is intact */
	assert_int_equal(script_read_line(f, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "run");
	/* a last line without a line end */
	assert_int_equal(script_read_line(f, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "last");
	/* the end */
	assert_int_equal(script_read_line(f, buf, sizeof(buf)), 0);
	fclose(f);
}

/* The words of an expect TEXT become one argument; a TEXT that does not
 * fit is refused whole, never written past the buffer (repl/script.c). */
static void test_expect_words(void **state)
{
	static const struct {
		const char *line; /* as typed */
		size_t cap;	  /* room for the joined TEXT */
		bool fits;
		int argc;	  /* afterwards */
		const char *last; /* the last argument afterwards */
	} cases[] = {
	    /* seen: words 2.. joined */
	    {"expect seen stale=true now", 64, true, 3, "stale=true now"},
	    /* header: words 3.. joined, the NAME stays */
	    {"expect header Via 1.1 lab407-proxy", 64, true, 4,
	     "1.1 lab407-proxy"},
	    /* why: words 2.. joined, like seen */
	    {"expect why wrong password", 64, true, 3, "wrong password"},
	    /* one word: nothing to join */
	    {"expect seen x", 2, true, 3, "x"},
	    /* a status or from: left alone */
	    {"expect 407", 1, true, 2, "407"},
	    {"expect from proxy", 1, true, 3, "proxy"},
	    /* "ab cd" needs 6 bytes with its NUL: 6 fits, 5 does not */
	    {"expect seen ab cd", 6, true, 3, "ab cd"},
	    {"expect seen ab cd", 5, false, 4, "cd"},
	    /* many words past the room: refused */
	    {"expect seen aaaa bbbb cccc dddd eeee ffff", 16, false, 8, "ffff"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char store[256], text[64];
		char *argv[REPL_MAX_ARGS + 1];
		int argc = 0;

		/* text[cap..) stands for what lies past the buffer */
		memset(text, 'G', sizeof(text));
		assert_int_equal(command_split(cases[i].line, store,
					       sizeof(store), argv,
					       REPL_MAX_ARGS, &argc),
				 COMMAND_SPLIT_OK);
		argv[argc] = NULL;
		assert_true(cases[i].cap <= sizeof(text));
		assert_int_equal(
		    script_expect_words(&argc, argv, text, cases[i].cap),
		    cases[i].fits);
		assert_int_equal(argc, cases[i].argc);
		assert_string_equal(argv[argc - 1], cases[i].last);
		for (size_t k = cases[i].cap; k < sizeof(text); k++)
			assert_int_equal(text[k], 'G');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_split_small_store),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_table_complete),
	    cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_complete),
	    cmocka_unit_test(test_exec_errors),
	    cmocka_unit_test(test_exec_help_quit),
	    cmocka_unit_test(test_exec_status),
	    cmocka_unit_test(test_read_line),
	    cmocka_unit_test(test_expect_words),
	};
	return cmocka_run_group_tests_name("repl_command", tests, NULL, NULL);
}
