/*
 * proxy/log.c - bin/proxy's log: the access-log line of each request
 * (Squid's native format) and, under -v, a line per decision and per
 * change of a connection's state.  One log for every worker, written
 * under the server's lock.
 */
#define _POSIX_C_SOURCE 200809L

#include "conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* ---- Logging ---- */

/* One line to the log under the lock; flushed now, or (flush false) by
 * the caller's worker before its loop waits again (log_later()). */
static void log_vline(struct proxy_server *srv, bool flush, const char *fmt,
		      va_list ap) __attribute__((format(printf, 3, 0)));
static void log_vline(struct proxy_server *srv, bool flush, const char *fmt,
		      va_list ap)
{
	if (srv->log == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	vfprintf(srv->log, fmt, ap);
	if (flush)
		fflush(srv->log);
	pthread_mutex_unlock(&srv->lock);
}

/* A -v line, out at once. */
void log_line(struct proxy_server *srv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(srv, true, fmt, ap);
	va_end(ap);
}

/* The buffered log lines go out (the worker's flush event, and at the
 * end of its loop). */
void log_flush(struct worker *wk)
{
	struct proxy_server *srv = wk->srv;

	if (srv->log == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	fflush(srv->log);
	pthread_mutex_unlock(&srv->lock);
}

/* The worker's flush event (arg: the worker). */
void log_on_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	log_flush(arg);
}

/*
 * Fast path for the access log: the line is buffered and the worker's
 * flush event made active, so it goes out after the callbacks of this
 * loop turn and before the loop waits again; under load one write()
 * carries the lines of every request the turn finished, instead of one
 * write() a request (strace -c, 2,000 requests on 32 connections: 1.00
 * -> about 0.1 write() a request).  A line is never held while the loop
 * sleeps, and the worker's end (proxy/server.c) flushes what the last
 * turn left.
 */
static void log_later(struct worker *wk, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_later(struct worker *wk, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(wk->srv, false, fmt, ap);
	va_end(ap);
	event_active(wk->flush, EV_TIMEOUT, 0);
}

/*
 * Lesson 10: the Squid-format access-log line.
 *   time.ms elapsed client result/status bytes method URL user hier/peer type
 */
void log_access(struct conn *c)
{
	struct exchange *x = c->x;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	log_later(c->wk, "%lld.%03ld %6llu %s %s/%03d %llu %s %s %s %s/%s %s\n",
		  (long long)ts.tv_sec, ts.tv_nsec / 1000000L,
		  (unsigned long long)(loop_now_ms() - x->start_ms),
		  c->client_ip, x->result, x->status,
		  (unsigned long long)x->bytes, x->method[0] ? x->method : "-",
		  x->url[0] ? x->url : "-", x->d.user[0] ? x->d.user : "-",
		  x->hier, x->peer, x->type[0] ? x->type : "-");
}

/* Under -v: why the decision is what it is, and which lesson tells it. */
void log_why(struct proxy_server *srv, const struct proxy_decision *d)
{
	if (srv->verbose)
		log_line(srv, "why: %s (lesson %s)\n", d->why,
			 d->lesson ? d->lesson : "-");
}
