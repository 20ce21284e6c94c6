/*
 * net/net.c - listen, connect, read and write with timeouts.
 *
 * The only file in lab407 besides the shells that touches sockets.  The
 * reading helpers feed bytes to the sans-I/O parser in http/message.c and
 * stop as soon as it says a head is complete, so a slow or hostile peer
 * can never make us buffer more than HTTP_MAX_HEAD_BYTES of head.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* getifaddrs(3) */

#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "reader.h"

/* Pending connections the kernel queues for accept(): enough for a burst
 * of a few thousand clients connecting at once (past it, a client's SYN is
 * dropped and retried a second later); capped by net.core.somaxconn. */
#define NET_BACKLOG 4096
#define NET_FD_BACKOFF_MS 50 /* pause when accept() runs out of fds */

/* ---- Addresses ---- */

/*
 * Split "HOST:PORT" or "[V6]:PORT".  The host is copied without brackets.
 * False when the port is missing or not 0..65535.
 */
bool net_split_hostport(const char *s, char *host, size_t host_cap,
			unsigned *port)
{
	const char *colon, *h = s;
	size_t hlen;
	char *end;
	unsigned long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':')
			return false;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return false;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= host_cap || colon[1] == '\0')
		return false;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p > 65535)
		return false;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned)p;
	return true;
}

/* Write "HOST:PORT" of a socket address. */
static void addr_format(const struct sockaddr *sa, char *out, size_t cap)
{
	char host[NET_MAX_ADDR], serv[16];

	if (getnameinfo(sa,
			sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in),
			host, sizeof host, serv, sizeof serv,
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, cap, "?:?");
		return;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(out, cap, "[%s]:%s", host, serv);
	else
		snprintf(out, cap, "%s:%s", host, serv);
}

/* ---- Listening ---- */

/* Bind and listen on "HOST:PORT"; see net.h. */
int net_listen(const char *hostport, char *bound, size_t bound_cap, char *err,
	       size_t err_cap)
{
	char host[NET_MAX_ADDR], port_s[8];
	unsigned port;
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	int fd = -1, one = 1, rc, saved = 0;

	if (!net_split_hostport(hostport, host, sizeof host, &port)) {
		snprintf(err, err_cap,
			 "bad listen address '%s' (want HOST:PORT)", hostport);
		return -1;
	}
	snprintf(port_s, sizeof port_s, "%u", port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port_s, &hints, &res);
	if (rc != 0) {
		snprintf(err, err_cap, "cannot resolve '%s': %s", host,
			 gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, NET_BACKLOG) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, err_cap, "cannot listen on %s: %s", hostport,
			 strerror(saved));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
		addr_format((struct sockaddr *)&ss, bound, bound_cap);
	else
		snprintf(bound, bound_cap, "%s", hostport);
	return fd;
}

/* Accept with FD_CLOEXEC and TCP_NODELAY; see net.h. */
int net_accept(int listen_fd)
{
	int one = 1, fd = accept(listen_fd, NULL, NULL);

	if (fd < 0) {
		int e = errno;
		/* Out of descriptors: the pending connection stays queued and
		 * poll() would wake at once again; wait a little instead of
		 * spinning a core until some connection closes. */
		if (e == EMFILE || e == ENFILE) {
			struct timespec ts = {0, NET_FD_BACKOFF_MS * 1000000L};
			nanosleep(&ts, NULL);
		}
		errno = e;
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* ---- Connecting ---- */

/* Wait for a non-blocking connect to finish; 0 or an errno value. */
static int connect_wait(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int rc, soerr = 0;
	socklen_t len = sizeof soerr;

	do
		rc = poll(&p, 1, timeout_ms > 0 ? timeout_ms : -1);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return ETIMEDOUT;
	if (rc < 0)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return errno;
	return soerr;
}

/* Resolve host:port once into out[0..cap); see net.h. */
size_t net_resolve(const char *host, unsigned port,
		   struct sockaddr_storage *out, size_t cap, enum net_fail *why,
		   char *err, size_t err_cap)
{
	char port_s[8];
	struct addrinfo hints, *res = NULL, *ai;
	size_t n = 0;
	int rc;

	*why = NET_NONE;
	snprintf(port_s, sizeof port_s, "%u", port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port_s, &hints, &res);
	if (rc != 0) {
		*why = NET_DNS;
		snprintf(err, err_cap, "could not resolve host: %s", host);
		return 0;
	}
	for (ai = res; ai != NULL && n < cap; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(out[0]))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n], ai->ai_addr, ai->ai_addrlen);
		n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		*why = NET_DNS;
		snprintf(err, err_cap, "could not resolve host: %s", host);
	}
	return n;
}

/* Length of a socket address of family AF_INET or AF_INET6. */
static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					 : sizeof(struct sockaddr_in);
}

/* The port of a socket address, host order. */
static unsigned sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* Connect to one of the given (checked) addresses; see net.h. */
int net_connect_addr(const struct sockaddr_storage *addrs, size_t n,
		     const char *name, int timeout_ms, size_t *used,
		     enum net_fail *why, char *err, size_t err_cap)
{
	char where[NET_MAX_ADDR];
	int fd = -1, e = ECONNREFUSED, flags, one = 1;
	size_t i;

	*why = NET_NONE;
	for (i = 0; i < n; i++) {
		fd = socket(addrs[i].ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
		if (connect(fd, (const struct sockaddr *)&addrs[i],
			    sa_len(&addrs[i])) == 0)
			e = 0;
		else if (errno == EINPROGRESS)
			e = connect_wait(fd, timeout_ms);
		else
			e = errno;
		if (e == 0) {
			fcntl(fd, F_SETFL, flags);
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof one);
			if (used != NULL)
				*used = i;
			return fd;
		}
		close(fd);
		fd = -1;
	}
	*why = e == ETIMEDOUT	   ? NET_TIMEOUT
	       : e == ECONNREFUSED ? NET_REFUSED
				   : NET_OTHER;
	/* curl's wording: "Failed to connect to HOST port PORT: reason". */
	if (n == 0) {
		snprintf(err, err_cap, "Failed to connect to %s: no address",
			 name ? name : "?");
		return -1;
	}
	if (name != NULL) {
		snprintf(where, sizeof where, "%s", name);
	} else {
		char port_s[16];
		if (getnameinfo((const struct sockaddr *)&addrs[0],
				sa_len(&addrs[0]), where, sizeof where, port_s,
				sizeof port_s,
				NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			snprintf(where, sizeof where, "?");
	}
	snprintf(err, err_cap, "Failed to connect to %s port %u: %s", where,
		 sa_port(&addrs[0]),
		 e == ECONNREFUSED ? "Connection refused" : strerror(e));
	return -1;
}

/* Connect to host:port within timeout_ms; see net.h. */
int net_connect(const char *host, unsigned port, int timeout_ms,
		enum net_fail *why, char *err, size_t err_cap)
{
	struct sockaddr_storage addrs[NET_MAX_RESOLVED];
	size_t n =
	    net_resolve(host, port, addrs, NET_MAX_RESOLVED, why, err, err_cap);
	int fd;

	if (n == 0)
		return -1;
	fd = net_connect_addr(addrs, n, host, timeout_ms, NULL, why, err,
			      err_cap);
	return fd;
}

/* getpeername() into a sockaddr_storage. */
bool net_peer_addr(int fd, struct sockaddr_storage *out)
{
	socklen_t len = sizeof(*out);

	memset(out, 0, sizeof(*out));
	return getpeername(fd, (struct sockaddr *)out, &len) == 0;
}

/*
 * Fast path: an IPv4 address is written digit by digit.  glibc's
 * inet_ntop() formats IPv4 with sprintf(): 2,100 instructions of a
 * connection's 5,400 in bin/proxy's accept (callgrind), against about
 * 100 here.  IPv6, rarer and with its rules for runs of zeros, is
 * left to inet_ntop().
 */
bool net_ip_text(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	if (ss->ss_family == AF_INET && cap >= INET_ADDRSTRLEN) {
		const unsigned char *b =
		    (const unsigned char *)&((const struct sockaddr_in *)ss)
			->sin_addr.s_addr;
		char *p = out;

		for (int i = 0; i < 4; i++) {
			unsigned v = b[i];

			if (i > 0)
				*p++ = '.';
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
		}
		*p = '\0';
		return true;
	}
	if (ss->ss_family == AF_INET6 && cap > 0 &&
	    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		      out, (socklen_t)cap) != NULL)
		return true;
	if (cap >= 2)
		memcpy(out, "-", 2);
	else if (cap == 1)
		out[0] = '\0';
	return false;
}

/* The wildcard address of either family. */
static bool is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6) {
		static const struct in6_addr any = IN6ADDR_ANY_INIT;
		return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr,
			      &any, sizeof any) == 0;
	}
	return false;
}

/* Where a listening socket listens; see net.h. */
size_t net_listen_addrs(int fd, struct sockaddr_storage *out, size_t cap,
			unsigned *port, bool *wildcard)
{
	socklen_t len = sizeof(out[0]);
	struct ifaddrs *ifs = NULL, *ifa;
	size_t n = 1;

	*wildcard = false;
	*port = 0;
	if (cap == 0)
		return 0;
	memset(&out[0], 0, sizeof(out[0]));
	if (getsockname(fd, (struct sockaddr *)&out[0], &len) != 0)
		return 0;
	if (out[0].ss_family == AF_INET)
		*port = ntohs(((struct sockaddr_in *)&out[0])->sin_port);
	else if (out[0].ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&out[0])->sin6_port);
	if (!is_wildcard(&out[0]))
		return 1;
	*wildcard = true;
	if (getifaddrs(&ifs) != 0)
		return n;
	for (ifa = ifs; ifa != NULL && n < cap; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL ||
		    (ifa->ifa_addr->sa_family != AF_INET &&
		     ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n], ifa->ifa_addr,
		       ifa->ifa_addr->sa_family == AF_INET6
			   ? sizeof(struct sockaddr_in6)
			   : sizeof(struct sockaddr_in));
		n++;
	}
	freeifaddrs(ifs);
	return n;
}

/* Set SO_RCVTIMEO / SO_SNDTIMEO in milliseconds; 0 leaves one alone. */
void net_set_timeouts(int fd, int recv_ms, int send_ms)
{
	struct timeval tv;

	if (recv_ms > 0) {
		tv.tv_sec = recv_ms / 1000;
		tv.tv_usec = (recv_ms % 1000) * 1000;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	if (send_ms > 0) {
		tv.tv_sec = send_ms / 1000;
		tv.tv_usec = (send_ms % 1000) * 1000;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
}

/* ---- Moving bytes ---- */

/* Send all n bytes; MSG_NOSIGNAL so a gone peer is an error, not SIGPIPE. */
ssize_t net_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	size_t done = 0;

	while (done < n) {
		ssize_t w = send(fd, c + done, n - done, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

/* The one recv() loop: EINTR is retried, nothing else is. */
ssize_t net_recv(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = recv(fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

/* The blocking reader (net/reader.c) on a socket; see net.h. */
long net_read_head(int fd, struct http_buf *b, struct http_request *req,
		   struct http_response *resp, enum http_err *err)
{
	struct reader rd = reader_on_fd(fd);

	return reader_head(&rd, b, req, resp, err);
}

long net_read_body(int fd, struct http_buf *b, size_t head_len,
		   const struct http_body_info *info, size_t max,
		   struct http_buf *decoded, enum http_err *err)
{
	struct reader rd = reader_on_fd(fd);

	return reader_body(&rd, b, head_len, info, max, decoded, err);
}
