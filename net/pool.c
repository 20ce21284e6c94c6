/*
 * net/pool.c - threads for blocking work; see pool.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "pool.h"

#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct pool_job *head, *tail; /* queued, first in first out */
static pthread_t threads[POOL_THREADS];
static unsigned running;
static bool quitting;

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
		/* Wakes the submitting loop (libevent is thread-aware:
		 * evthread_use_pthreads() in loop_run()). */
		event_active(job->ev, EV_READ, 0);
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

/* On the loop's thread: the job is done. */
static void on_done(evutil_socket_t fd, short what, void *arg)
{
	struct pool_job *job = arg;

	(void)fd;
	(void)what;
	event_free(job->ev);
	job->ev = NULL;
	job->done(job);
}

bool pool_submit(struct event_base *base, struct pool_job *job)
{
	job->ev = event_new(base, -1, 0, on_done, job);
	if (job->ev == NULL)
		return false;
	job->next = NULL;
	pthread_mutex_lock(&lock);
	if (tail != NULL)
		tail->next = job;
	else
		head = job;
	tail = job;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	return true;
}
