/*
 * tests/integration/shortsend.c - an LD_PRELOAD library that makes two
 * of every three send() and sendmsg() calls of a process send only part
 * of what they were given, as a full socket buffer would: 1 to len - 1
 * bytes, a different cut each time.  (Two of three, not every other
 * one: bin/proxy makes two sends a request, so halves would always cut
 * the same one.)  proxy_loop.sh runs bin/proxy under it, so that the
 * paths taken when a socket takes less than the whole message (the rest
 * queued behind it, proxy/conn.c conn_send() and proxy/relay.c
 * relay_response_start()) run on every request instead of once in a
 * blue moon; bench_tools.sh runs tests/bench/bench_relay under it for
 * the same reason (the environment: shortsend_env in lib.sh).
 *
 * Each cut appends one byte to the file named by $SHORTSEND_LOG, so the
 * test can tell that the library was in the path at all (a program
 * linked with send() of its own, a statically linked sanitizer runtime
 * say, would never call it).  It allocates nothing itself, so under a shared
 * ASan runtime it may be preloaded ahead of it
 * (ASAN_OPTIONS=verify_asan_link_order=0).
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define SHORTSEND_MAX_IOV 64

static unsigned long calls;

/* How many of len bytes this call sends: all of it, or a cut. */
static size_t cut(size_t len)
{
	static int log_fd = -2;

	if (len < 2 || calls++ % 3 == 2)
		return len;
	if (log_fd == -2) {
		const char *path = getenv("SHORTSEND_LOG");

		log_fd =
		    path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				0600)
			 : -1;
	}
	if (log_fd >= 0 && write(log_fd, "c", 1) != 1)
		log_fd = -1;
	return 1 + (size_t)(calls * 7919u % (len - 1));
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, const void *, size_t, int);

	if (real == NULL)
		real = (ssize_t(*)(int, const void *, size_t, int))dlsym(
		    RTLD_NEXT, "send");
	return real(fd, buf, cut(len), flags);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	struct iovec iov[SHORTSEND_MAX_IOV];
	struct msghdr m = *msg;
	size_t total = 0, want, n = 0;

	if (real == NULL)
		real = (ssize_t(*)(int, const struct msghdr *, int))dlsym(
		    RTLD_NEXT, "sendmsg");
	if (msg->msg_iovlen > SHORTSEND_MAX_IOV)
		return real(fd, msg, flags);
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	want = cut(total);
	for (size_t i = 0; i < msg->msg_iovlen && want > 0; i++, n++) {
		iov[i] = msg->msg_iov[i];
		if (iov[i].iov_len > want)
			iov[i].iov_len = want;
		want -= iov[i].iov_len;
	}
	m.msg_iov = iov;
	m.msg_iovlen = n;
	return real(fd, &m, flags);
}
