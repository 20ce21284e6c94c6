/*
 * tests/unit/test_pool.c - the work pool and a loop's inbox: every job
 * runs on a pool thread and comes back, once, on the loop's thread, to a
 * base with no locking of its own; a loop with nothing out is not woken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/time.h>

#include "../../net/pool.h"

#define JOBS 200

struct job {
	struct pool_job pj;
	int index;
	pthread_t ran_on;
	int ran, done;
};

static pthread_t loop_thread;
static int done_count;
static int done_order[JOBS];
static bool done_off_loop;
static struct event_base *base;

static void run(struct pool_job *pj)
{
	struct job *j = pj->arg;

	j->ran_on = pthread_self();
	j->ran++;
}

static void done(struct pool_job *pj)
{
	struct job *j = pj->arg;

	if (!pthread_equal(pthread_self(), loop_thread))
		done_off_loop = true;
	j->done++;
	done_order[done_count++] = j->index;
	if (done_count == JOBS)
		event_base_loopbreak(base);
}

static struct event_base *nolock_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *b;

	assert_non_null(cfg);
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	b = event_base_new_with_config(cfg);
	event_config_free(cfg);
	assert_non_null(b);
	return b;
}

/* JOBS jobs out and back, the loop bounded at 10 s. */
static void test_round_trip(void **state)
{
	static struct job jobs[JOBS];
	struct pool_inbox in;
	struct timeval limit = {10, 0};

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	loop_thread = pthread_self();
	base = nolock_base();
	assert_true(pool_inbox_init(&in, base));
	assert_true(pool_start());
	for (int i = 0; i < JOBS; i++) {
		jobs[i].index = i;
		jobs[i].pj.run = run;
		jobs[i].pj.done = done;
		jobs[i].pj.arg = &jobs[i];
		pool_submit(&in, &jobs[i].pj);
	}
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);
	pool_stop();
	assert_int_equal(done_count, JOBS);
	assert_false(done_off_loop);
	for (int i = 0; i < JOBS; i++) {
		assert_int_equal(jobs[i].ran, 1);
		assert_int_equal(jobs[i].done, 1);
		assert_false(pthread_equal(jobs[i].ran_on, loop_thread));
	}
	/* Each index came back once. */
	{
		bool seen[JOBS] = {false};

		for (int i = 0; i < JOBS; i++) {
			assert_false(seen[done_order[i]]);
			seen[done_order[i]] = true;
		}
	}
	pool_inbox_free(&in);
	event_base_free(base);
}

/* With no job out, the inbox's event does not fire: the loop's run ends
 * at its time limit having called nothing; an all-zero inbox frees as a
 * no-op. */
static void test_idle_and_zero(void **state)
{
	struct pool_inbox in, zero;
	struct timeval limit = {0, 50 * 1000};
	int before = done_count;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	pool_inbox_free(&zero);
	base = nolock_base();
	assert_true(pool_inbox_init(&in, base));
	event_base_loopexit(base, &limit);
	assert_int_equal(event_base_dispatch(base), 0);
	assert_int_equal(done_count, before);
	pool_inbox_free(&in);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_idle_and_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
