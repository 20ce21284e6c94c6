/*
 * tests/fuzz/fuzz_command.c - one line typed at the REPL: split into
 * words (quotes, comments), the command looked up, its arguments checked
 * (repl/command.c) - everything command_exec() does before it runs the
 * command.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../repl/command.h"
#include "../../repl/repl.h"
#include "fuzz.h"

/* The line as the REPL gets it from readline: a C string. */
void fuzz_command_line(const char *line);
void fuzz_command_line(const char *line)
{
	static char store[REPL_MAX_LINE];
	char *argv[REPL_MAX_ARGS + 1];
	char why[256];
	const struct command *c;
	int argc = -1, i;

	if (command_split(line, store, sizeof(store), argv, REPL_MAX_ARGS,
			  &argc) != COMMAND_SPLIT_OK)
		return;
	fuzz_check(argc >= 0 && argc <= REPL_MAX_ARGS);
	for (i = 0; i < argc; i++)
		fuzz_check(fuzz_inside(store, sizeof(store), argv[i],
				       strlen(argv[i]) + 1));
	if (argc == 0)
		return;
	argv[argc] = NULL;
	c = command_find(argv[0]);
	if (c == NULL)
		return;
	(void)command_validate(c, argc, argv, why, sizeof(why));
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstr(data, size);

	if (line == NULL)
		return 0;
	fuzz_command_line(line);
	free(line);
	return 0;
}
#endif
