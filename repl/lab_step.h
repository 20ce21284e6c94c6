/*
 * repl/lab_step.h - moving one message of the exchange along its leg.
 */
#ifndef LAB407_REPL_LAB_STEP_H
#define LAB407_REPL_LAB_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/message.h"

#include "lab.h"

enum lab_step_rc {
	LAB_STEP_MOVED, /* one message moved: it is lab->msgs[num_msgs-1] */
	LAB_STEP_IDLE,	/* nothing waiting (no exchange, or it is done) */
	LAB_STEP_ERROR	/* socket or machine failure: err says what */
};

/* Move one message along its leg. */
enum lab_step_rc lab_step(struct lab *lab, char *err, size_t err_cap);

/*
 * Parse the request (response) m carries; set its title m->line,
 * m->head_len (and m->status).  False with a sentence in err when it
 * does not parse.  req (resp) points into m->bytes.
 */
bool lab_step_parse_request(struct lab_msg *m, struct http_request *req,
			    char *err, size_t err_cap);
bool lab_step_parse_response(struct lab_msg *m, struct http_response *resp,
			     char *err, size_t err_cap);

#endif
