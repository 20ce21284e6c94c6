/*
 * net/sockread.h - reading a plain TCP socket into its bufferevent's
 * input by hand, in place of libevent's own read.
 *
 * Why: before every read, libevent 2.1 asks the kernel how much is
 * waiting (ioctl FIONREAD), one system call more per read; and a
 * bufferevent with a read high-water mark re-adds its read event after
 * every change to its input, whether reading had stopped or not.  For
 * bin/proxy's keep-alive request that was two ioctl() and six event_add()
 * calls (strace -c, callgrind).  Here a read is one recv() (readv() when
 * the space is in two pieces) into the free space the input has, or is
 * given (at least SOCKREAD_ASK bytes), and the read event is added or removed
 * only when reading really starts or stops.
 *
 * What stays the same: the bytes land in bufferevent_get_input(bev), and
 * the bufferevent's own callbacks are called as libevent would call them
 * (the read callback after bytes came; the event callback with
 * BEV_EVENT_READING and BEV_EVENT_EOF or BEV_EVENT_ERROR, errno set, after
 * which reading is off).  Writing is libevent's, but for a message that
 * bin/proxy sends whole when nothing is queued before it (proxy/conn.c,
 * conn_send(); proxy/relay.c, relay_response_start()).
 *
 * Over TLS (a bufferevent_openssl) OpenSSL must read the socket itself:
 * there the functions below pass through to bufferevent_enable() and
 * bufferevent_disable(), with libevent's high-water mark.
 *
 * Back-pressure: reading stops while the input holds `high` bytes or more
 * and starts again, by itself, once it holds less (the owner drained it).
 */
#ifndef LAB407_NET_SOCKREAD_H
#define LAB407_NET_SOCKREAD_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

/* Space asked of the input for one read; libevent gives a chunk of
 * 8 KiB then, and all of it is read into.  (Asking for 16 KiB made every
 * chunk 32 KiB, for requests of a few hundred bytes.) */
#define SOCKREAD_ASK 4096

struct sockread;

/*
 * Take over the reading of bev (plain: a socket bufferevent; else a TLS
 * one, which keeps libevent's reading).  Reading starts off.  NULL when
 * out of memory.  Free it with sockread_free() before bev.
 */
struct sockread *sockread_new(struct bufferevent *bev, bool plain, size_t high);
void sockread_free(struct sockread *r);

/* Reading on or off (as bufferevent_enable/disable with EV_READ).  Cheap
 * when nothing changes: no event is added or removed then. */
void sockread_on(struct sockread *r);
void sockread_off(struct sockread *r);

/* Reading on, and the event callback with BEV_EVENT_READING |
 * BEV_EVENT_TIMEOUT when nothing came for ms (an idle pooled upstream
 * connection).  sockread_on() after it ends the timeout.  Plain sockets
 * only: over TLS it does nothing and returns false. */
bool sockread_on_timed(struct sockread *r, unsigned ms);

#endif
