/*
 * net/net.h - the few socket calls the shells share (bin/proxy,
 * bin/origin, bin/client, bin/repl).  Everything protocol-shaped is in
 * http/; this is only "listen, connect, read, write" with timeouts.
 */
#ifndef LAB407_NET_NET_H
#define LAB407_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "../http/buf.h"
#include "../http/message.h"

#define NET_MAX_ADDR 300
#define NET_MAX_RESOLVED 16 /* addresses kept from one name */
#define NET_MAX_LOCAL 64    /* addresses of this host's interfaces */

/*
 * Listen on "HOST:PORT" (port 0: the kernel picks).  Writes the bound
 * "HOST:PORT" to bound.  Returns the fd, or -1 with a message in err.
 */
int net_listen(const char *hostport, char *bound, size_t bound_cap, char *err,
	       size_t err_cap);
/*
 * Connect to host:port (name resolved with getaddrinfo), waiting at most
 * timeout_ms.  Returns the fd, or -1 with err filled and *why set to
 * NET_REFUSED, NET_TIMEOUT or NET_DNS.
 */
enum net_fail { NET_NONE, NET_REFUSED, NET_TIMEOUT, NET_DNS, NET_OTHER };
int net_connect(const char *host, unsigned port, int timeout_ms,
		enum net_fail *why, char *err, size_t err_cap);
/*
 * Decide on what you connect to (proxy/acl.h, "Deciding on addresses"):
 * a shell that checks where a connection goes resolves the name ONCE
 * with net_resolve(), checks every address it got (acl_check(), pure),
 * and connects with net_connect_addr() to those same addresses.  Nothing
 * is resolved twice, so a DNS answer that changes in between (rebinding)
 * cannot take the connection anywhere that was not checked.
 *
 * net_resolve: host:port (getaddrinfo, TCP, any family) into
 * out[0..cap), in the resolver's order; more than cap addresses are cut
 * off (never checked, never used).  Returns the count, or 0 with *why =
 * NET_DNS and err filled.
 */
size_t net_resolve(const char *host, unsigned port,
		   struct sockaddr_storage *out, size_t cap, enum net_fail *why,
		   char *err, size_t err_cap);
/*
 * Connect to the first of addrs[0..n) that accepts, each within
 * timeout_ms; `name` (may be NULL) is only for the message.  Returns the
 * fd (blocking, TCP_NODELAY, close-on-exec) and the index used in *used
 * (may be NULL), or -1 as net_connect().
 */
int net_connect_addr(const struct sockaddr_storage *addrs, size_t n,
		     const char *name, int timeout_ms, size_t *used,
		     enum net_fail *why, char *err, size_t err_cap);
/* The address a connected socket's peer has; false on error. */
bool net_peer_addr(int fd, struct sockaddr_storage *out);
/*
 * The numeric text of ss's address, without the port, as inet_ntop()
 * writes it ("127.0.0.1", "::1"), in out[0..cap); "-" and false when ss
 * is neither IPv4 nor IPv6 or out is too small.
 */
bool net_ip_text(const struct sockaddr_storage *ss, char *out, size_t cap);
/*
 * Where a listening socket listens: its own address in out[0] and *port.
 * When that is a wildcard (0.0.0.0 or ::) every address of this host's
 * interfaces follows (getifaddrs), *wildcard is set, and the count may
 * reach cap.  Returns the count (0 on error).
 */
size_t net_listen_addrs(int fd, struct sockaddr_storage *out, size_t cap,
			unsigned *port, bool *wildcard);
/*
 * Accept one connection: close-on-exec, and TCP_NODELAY so a response
 * written in two parts (head, then body) is not held back by Nagle's
 * algorithm waiting for the peer's delayed ACK (about 40 ms a request).
 * Returns the fd or -1 with errno from accept(2); when out of file
 * descriptors (EMFILE, ENFILE) it first waits NET_FD_BACKOFF_MS so an
 * accept loop does not spin.
 */
int net_accept(int listen_fd);
/* Split "HOST:PORT" ("[v6]:PORT" too). */
bool net_split_hostport(const char *s, char *host, size_t host_cap,
			unsigned *port);
/* Receive/send timeouts on a socket, in milliseconds (0: none). */
void net_set_timeouts(int fd, int recv_ms, int send_ms);
/* Write everything or fail (-1); EINTR retried, never SIGPIPE. */
ssize_t net_write_all(int fd, const void *p, size_t n);
/*
 * recv(2) into p[0..n), EINTR retried: > 0 bytes, 0 at the end, -1 on an
 * error or a timeout (net_set_timeouts).  The one blocking recv loop.
 */
ssize_t net_recv(int fd, void *p, size_t n);
/*
 * reader_head() and reader_body() (net/reader.h) on the socket fd: a
 * head into b (0 on a clean close before any byte), then the body after
 * head_len bytes of b, as net/reader.h says.
 */
long net_read_head(int fd, struct http_buf *b, struct http_request *req,
		   struct http_response *resp, enum http_err *err);
long net_read_body(int fd, struct http_buf *b, size_t head_len,
		   const struct http_body_info *info, size_t max,
		   struct http_buf *decoded, enum http_err *err);

#endif
