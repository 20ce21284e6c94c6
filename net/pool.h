/*
 * net/pool.h - a small pool of threads for work that would stall an
 * event loop: a blocking name look-up (getaddrinfo), a deliberately slow
 * password hash (bcrypt, SHA-crypt; http/htpasswd.c).
 *
 * A loop hands a job over and goes on serving its other connections;
 * a pool thread runs job->run(), then puts the job in the submitting
 * loop's inbox and job->done() runs there, on the loop's thread, where it
 * may touch the connection again.
 *
 * The inbox is the only thing another thread touches: a locked list and
 * an eventfd the loop watches.  So the loops' bases need no locking of
 * their own (EVENT_BASE_FLAG_NOLOCK, net/loop.c), which libevent would
 * otherwise take and release on every event change: about 2,600
 * instructions of bin/proxy's keep-alive request (callgrind).
 */
#ifndef LAB407_NET_POOL_H
#define LAB407_NET_POOL_H

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>

#define POOL_THREADS                                                           \
	4 /* enough to keep a core busy hashing, few enough to stay small */

struct pool_job {
	void (*run)(struct pool_job *job);  /* on a pool thread */
	void (*done)(struct pool_job *job); /* back on the loop's thread */
	void *arg;			    /* the caller's */
	/* Private: */
	struct pool_inbox *inbox;
	struct pool_job *next;
};

/* Where one loop's finished jobs come back (one per loop, net/loop.c). */
struct pool_inbox {
	struct event *ev; /* on the eventfd, in the loop's base */
	int fd;		  /* eventfd: a pool thread writes, the loop reads */
	pthread_mutex_t lock;
	struct pool_job *head, *tail; /* done, first in first out */
};

/* Set up in to bring jobs back to base's thread; false when it cannot
 * (then in holds nothing). */
bool pool_inbox_init(struct pool_inbox *in, struct event_base *base);
/* Free it (after its loop has ended, with no job still out); nothing to
 * do for an all-zero inbox that was never set up. */
void pool_inbox_free(struct pool_inbox *in);

/* Start the pool threads (once per process); false when they cannot start. */
bool pool_start(void);
/* Stop and join them (after every loop has ended). */
void pool_stop(void);

/*
 * Run job on the pool, then job->done() on the thread of in's loop.  The
 * job must stay allocated until done() runs.  Nothing is allocated, so
 * this cannot fail.
 */
void pool_submit(struct pool_inbox *in, struct pool_job *job);

#endif
