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
#include <string.h>
#include <time.h>

#include "../http/text.h"

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
static void log_later(struct worker *wk, const char *line, size_t len)
{
	struct proxy_server *srv = wk->srv;

	if (srv->log == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	fwrite(line, 1, len, srv->log);
	pthread_mutex_unlock(&srv->lock);
	event_active(wk->flush, EV_TIMEOUT, 0);
}

/* A log line being built, bounded: what does not fit is cut, and the
 * last byte is kept for its newline. */
struct log_text {
	char s[PROXY_MAX_LOG_URL + GUARD_MAX_USER + 512];
	size_t n;
};

static void put_text(struct log_text *t, const char *s, size_t n)
{
	if (n > sizeof(t->s) - 1 - t->n)
		n = sizeof(t->s) - 1 - t->n;
	memcpy(t->s + t->n, s, n);
	t->n += n;
}

/* A field and the space after it; "-" for an empty one. */
static void put_field(struct log_text *t, const char *s, char after)
{
	if (s[0] == '\0')
		s = "-";
	put_text(t, s, strlen(s));
	put_text(t, &after, 1);
}

/* v in decimal, right-aligned in `width` (padded with `pad`). */
static void put_num(struct log_text *t, unsigned long long v, int width,
		    char pad)
{
	char d[TEXT_UINT_MAX];
	const char *p = text_uint(d, v);
	int n = (int)(d + TEXT_UINT_MAX - p);

	for (; n < width; n++)
		put_text(t, &pad, 1);
	put_text(t, p, (size_t)(d + TEXT_UINT_MAX - p));
}

/*
 * Lesson 10: the Squid-format access-log line.
 *   time.ms elapsed client result/status bytes method URL user hier/peer type
 * Built by hand, not by fprintf: a line a request, and formatting it
 * cost 5,200 instructions of bin/proxy's 82,000 a keep-alive request
 * (callgrind); this way about 600.
 */
void log_access(struct conn *c)
{
	struct exchange *x = c->x;
	struct log_text t;
	struct timespec ts;

	if (c->wk->srv->no_access_log)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	t.n = 0;
	put_num(&t, (unsigned long long)ts.tv_sec, 0, ' ');
	put_text(&t, ".", 1);
	put_num(&t, (unsigned long long)(ts.tv_nsec / 1000000L), 3, '0');
	put_text(&t, " ", 1);
	put_num(&t, loop_now_ms() - x->start_ms, 6, ' ');
	put_text(&t, " ", 1);
	put_field(&t, c->client_ip, ' ');
	put_field(&t, x->result, '/');
	put_num(&t, (unsigned)x->status, 3, '0');
	put_text(&t, " ", 1);
	put_num(&t, x->bytes, 0, ' ');
	put_text(&t, " ", 1);
	put_field(&t, x->method, ' ');
	put_field(&t, x->url, ' ');
	put_field(&t, x->d.user, ' ');
	put_field(&t, x->hier, '/');
	put_field(&t, x->peer, ' ');
	put_text(&t, x->type[0] ? x->type : "-",
		 x->type[0] ? strlen(x->type) : 1);
	t.s[t.n++] = '\n';
	log_later(c->wk, t.s, t.n);
}

/* Under -v: why the decision is what it is, and which lesson tells it. */
void log_why(struct proxy_server *srv, const struct proxy_decision *d)
{
	if (srv->verbose)
		log_line(srv, "why: %s (lesson %s)\n", d->why,
			 d->lesson ? d->lesson : "-");
}
