/*
 * net/pool.h - a small pool of threads for work that would stall an
 * event loop: a blocking name look-up (getaddrinfo), a deliberately slow
 * password hash (bcrypt, SHA-crypt; http/htpasswd.c).
 *
 * A loop hands a job over and goes on serving its other connections;
 * a pool thread runs job->run(), then the job's event fires on the loop
 * that submitted it and job->done() runs there, on the loop's thread,
 * where it may touch the connection again.
 */
#ifndef LAB407_NET_POOL_H
#define LAB407_NET_POOL_H

#include <event2/event.h>
#include <stdbool.h>

#define POOL_THREADS                                                           \
	4 /* enough to keep a core busy hashing, few enough to stay small */

struct pool_job {
	void (*run)(struct pool_job *job);  /* on a pool thread */
	void (*done)(struct pool_job *job); /* back on the loop's thread */
	void *arg;			    /* the caller's */
	/* Private: */
	struct event *ev;
	struct pool_job *next;
};

/* Start the pool threads (once per process); false when they cannot start. */
bool pool_start(void);
/* Stop and join them (after every loop has ended). */
void pool_stop(void);

/*
 * Run job on the pool, then job->done() on `base`'s thread.  The job
 * must stay allocated until done() runs.  false when out of memory
 * (nothing was queued).
 */
bool pool_submit(struct event_base *base, struct pool_job *job);

#endif
