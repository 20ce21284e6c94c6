/*
 * repl/command_table.h - the table of the REPL's commands
 * (repl/command_table.c): one struct command a row.
 */
#ifndef LAB407_REPL_COMMAND_TABLE_H
#define LAB407_REPL_COMMAND_TABLE_H

#include <stddef.h>

#include "command.h"

extern const struct command command_table[];
extern const size_t command_table_len; /* rows in command_table */

#endif
