/*
 * tests/fuzz/fuzz_script.c - a lab script (repl/script.c): read line by
 * line with the bounded line reader, each line split, looked up and
 * checked as the REPL does (fuzz_command.c), and the words of an
 * `expect` TEXT joined as script_expect() does - everything but running
 * the commands against a lab.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include "../../repl/command.h"
#include "../../repl/repl.h"
#include "fuzz.h"

#define FUZZ_NO_MAIN
#include "../../repl/script.h"
#include "fuzz_command.c"

/* What script_expect() does with the words before it looks at the lab. */
static void expect_words(const char *line)
{
	static char store[REPL_MAX_LINE], text[REPL_MAX_LINE];
	char *argv[REPL_MAX_ARGS + 1];
	int argc = 0;

	if (command_split(line, store, sizeof(store), argv, REPL_MAX_ARGS,
			  &argc) != COMMAND_SPLIT_OK ||
	    argc < 2 || strcmp(argv[0], "expect") != 0)
		return;
	argv[argc] = NULL;
	if (script_expect_words(&argc, argv, text, sizeof(text)))
		fuzz_check(argc <= REPL_MAX_ARGS &&
			   strlen(argv[argc - 1]) < sizeof(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[REPL_MAX_LINE];
	FILE *in;
	int got, lines = 0;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (in == NULL)
		return 0;
	while ((got = script_read_line(in, line, sizeof(line))) != 0) {
		fuzz_check(lines++ <= (int)size);
		if (got < 0)
			continue; /* too long: the REPL reports it */
		fuzz_check(strlen(line) < sizeof(line));
		fuzz_command_line(line);
		expect_words(line);
	}
	fclose(in);
	return 0;
}
