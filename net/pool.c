/*
 * net/pool.c - threads for blocking work; see pool.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "pool.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct pool_job *head, *tail; /* queued, first in first out */
static pthread_t threads[POOL_THREADS];
static unsigned running;
static bool quitting;

/*
 * On a pool thread: the job goes into its loop's inbox, and the loop is
 * woken (an eventfd counter above 0 makes it readable).  Both under the
 * inbox's lock: the loop can take the job only after the unlock, so
 * nothing of the inbox is touched once its last job may be done, and the
 * loop may then end and free it (pool_inbox_free()).
 */
static void deliver(struct pool_job *job)
{
	struct pool_inbox *in = job->inbox;
	uint64_t one = 1;
	ssize_t n;

	job->next = NULL;
	pthread_mutex_lock(&in->lock);
	if (in->tail != NULL)
		in->tail->next = job;
	else
		in->head = job;
	in->tail = job;
	/* Cannot fail short of 2^64 - 1 unread wake-ups; the job is in
	 * the list either way. */
	n = write(in->fd, &one, sizeof(one));
	(void)n;
	pthread_mutex_unlock(&in->lock);
}

static void *pool_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct pool_job *job;

		pthread_mutex_lock(&lock);
		while (head == NULL && !quitting)
			pthread_cond_wait(&wake, &lock);
		if (head == NULL) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		job = head;
		head = job->next;
		if (head == NULL)
			tail = NULL;
		pthread_mutex_unlock(&lock);
		job->run(job);
		deliver(job);
	}
}

bool pool_start(void)
{
	pthread_mutex_lock(&lock);
	quitting = false;
	while (running < POOL_THREADS) {
		if (pthread_create(&threads[running], NULL, pool_thread,
				   NULL) != 0)
			break;
		running++;
	}
	pthread_mutex_unlock(&lock);
	return running > 0;
}

void pool_stop(void)
{
	pthread_mutex_lock(&lock);
	quitting = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < running; i++)
		pthread_join(threads[i], NULL);
	running = 0;
}

/* On the loop's thread: the inbox's jobs are done. */
static void on_inbox(evutil_socket_t fd, short what, void *arg)
{
	struct pool_inbox *in = arg;
	struct pool_job *job, *next;
	uint64_t count;

	(void)what;
	/* Reading resets the counter; the list is what counts. */
	if (read(fd, &count, sizeof(count)) < 0)
		count = 0;
	pthread_mutex_lock(&in->lock);
	job = in->head;
	in->head = in->tail = NULL;
	pthread_mutex_unlock(&in->lock);
	for (; job != NULL; job = next) {
		next = job->next; /* done() may free the job */
		job->done(job);
	}
}

bool pool_inbox_init(struct pool_inbox *in, struct event_base *base)
{
	in->head = in->tail = NULL;
	in->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (in->fd < 0)
		return false;
	pthread_mutex_init(&in->lock, NULL);
	in->ev = event_new(base, in->fd, EV_READ | EV_PERSIST, on_inbox, in);
	if (in->ev != NULL && event_add(in->ev, NULL) == 0)
		return true;
	if (in->ev != NULL)
		event_free(in->ev);
	in->ev = NULL;
	close(in->fd);
	pthread_mutex_destroy(&in->lock);
	return false;
}

/* A no-op on an inbox that pool_inbox_init() did not set up (all zero). */
void pool_inbox_free(struct pool_inbox *in)
{
	if (in->ev == NULL)
		return;
	event_free(in->ev);
	in->ev = NULL;
	close(in->fd);
	pthread_mutex_destroy(&in->lock);
}

void pool_submit(struct pool_inbox *in, struct pool_job *job)
{
	job->inbox = in;
	job->next = NULL;
	pthread_mutex_lock(&lock);
	if (tail != NULL)
		tail->next = job;
	else
		head = job;
	tail = job;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}
