/*
 * repl/wire.c - the lab's sockets: both ends of each loopback connection,
 * carrying a message from one end to the other, and (with `connect proxy`)
 * waiting for an external proxy while the lab's origin answers it.
 */
#define _POSIX_C_SOURCE 200809L

#include "wire.h"
#include "lab_state.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../net/net.h"

/* Close fd if open and mark it closed. */
void wire_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- Both ends ---- */

/*
 * Connect to one of our own listeners and accept the other end, so the
 * lab holds both ends.  On loopback the kernel finishes the handshake
 * before accept(), so one thread is enough.
 */
bool wire_pair(struct lab *lab, enum lab_party p, int ends[2], char *err,
	       size_t err_cap)
{
	enum net_fail why;

	ends[0] = net_connect("127.0.0.1", lab->port[p], LAB_IO_TIMEOUT_MS,
			      &why, err, err_cap);
	if (ends[0] < 0)
		return false;
	ends[1] = accept(lab->listen_fd[p], NULL, NULL);
	if (ends[1] < 0) {
		snprintf(err, err_cap, "accept on the %s: %s",
			 lab_party_name(p), strerror(errno));
		wire_close(&ends[0]);
		return false;
	}
	net_set_timeouts(ends[0], LAB_IO_TIMEOUT_MS, LAB_IO_TIMEOUT_MS);
	net_set_timeouts(ends[1], LAB_IO_TIMEOUT_MS, LAB_IO_TIMEOUT_MS);
	return true;
}

/*
 * Read exactly n bytes (what we wrote into the other end) into b.  Not
 * the framed reader of net/reader.h: the lab carries every message whole
 * and as written, a head that does not parse (`break`) or a body its
 * framing does not bound included, and the receiver's pure machine says
 * what it makes of them.  The count is known; each read is net_recv().
 */
static bool read_exact(int fd, struct http_buf *b, size_t n, char *err,
		       size_t err_cap)
{
	char chunk[16384];

	while (n > 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t r;
		int pr = poll(&pfd, 1, LAB_IO_TIMEOUT_MS);

		if (pr <= 0) {
			snprintf(err, err_cap,
				 "timed out reading from a socket");
			return false;
		}
		r = net_recv(fd, chunk, n < sizeof(chunk) ? n : sizeof(chunk));
		if (r <= 0) {
			snprintf(err, err_cap, "the connection closed early");
			return false;
		}
		if (!http_buf_append(b, chunk, (size_t)r)) {
			snprintf(err, err_cap, "message too large");
			return false;
		}
		n -= (size_t)r;
	}
	return true;
}

/* Write b into fd and read the same number of bytes out of `other`. */
bool wire_carry(int fd, int other, const struct http_buf *b,
		struct http_buf *got, char *err, size_t err_cap)
{
	if (net_write_all(fd, b->data, b->len) < 0) {
		snprintf(err, err_cap, "write failed: %s", strerror(errno));
		return false;
	}
	return read_exact(other, got, b->len, err, err_cap);
}

/*
 * With an external proxy the lab's origin must answer by itself while the
 * REPL waits for the proxy: read one request from fd, decide, write the
 * answer.  False when the connection is done (closed or broken).
 */
bool wire_serve_origin(struct lab *lab, int fd)
{
	struct http_buf b;
	struct http_request req;
	struct http_body_info info;
	struct origin_decision d;
	enum http_err e = HTTP_OK;
	long hl;
	bool ok = false;

	http_buf_init(&b, LAB_MAX_MESSAGE);
	hl = net_read_head(fd, &b, &req, NULL, &e);
	if (hl > 0 && http_request_framing(&req, &info) == HTTP_OK &&
	    net_read_body(fd, &b, (size_t)hl, &info, LAB_MAX_BODY, NULL, &e) >=
		0) {
		/* the body is after the head; re-parse, b may have moved */
		http_parse_request(b.data, b.len, &req, &e);
		origin_decision_init(&d);
		origin_decide(&lab->ocfg, lab->ost, &req, b.data + hl,
			      b.len - (size_t)hl, (uint64_t)time(NULL), &d);
		ok = net_write_all(fd, d.out.data, d.out.len) >= 0;
		lab->ext_origin_status = d.status;
		origin_decision_free(&d);
	}
	http_buf_free(&b);
	return ok;
}

/* Wait for the external proxy's answer, serving the lab's origin meanwhile. */
static bool wait_external(struct lab *lab, char *err, size_t err_cap)
{
	int waited = 0;

	lab->ext_origin_status = 0;
	while (waited < LAB_EXT_TIMEOUT_MS) {
		struct pollfd pfd[2 + LAB_EXT_ORIGIN_CONNS];
		int n = 0, i, pr;

		pfd[n++] = (struct pollfd){lab->cp[0], POLLIN, 0};
		pfd[n++] =
		    (struct pollfd){lab->listen_fd[LAB_ORIGIN], POLLIN, 0};
		for (i = 0; i < LAB_EXT_ORIGIN_CONNS; i++)
			pfd[n++] =
			    (struct pollfd){lab->ext_origin[i], POLLIN, 0};
		pr = poll(pfd, (nfds_t)n, 100);
		waited += 100;
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		if (pfd[0].revents)
			return true;
		if (pfd[1].revents & POLLIN) {
			int fd = accept(lab->listen_fd[LAB_ORIGIN], NULL, NULL);
			for (i = 0; fd >= 0 && i < LAB_EXT_ORIGIN_CONNS; i++)
				if (lab->ext_origin[i] < 0) {
					lab->ext_origin[i] = fd;
					net_set_timeouts(fd, LAB_IO_TIMEOUT_MS,
							 LAB_IO_TIMEOUT_MS);
					fd = -1;
				}
			if (fd >= 0)
				close(fd); /* more than we serve at once */
		}
		for (i = 0; i < LAB_EXT_ORIGIN_CONNS; i++)
			if (lab->ext_origin[i] >= 0 && pfd[2 + i].revents &&
			    !wire_serve_origin(lab, lab->ext_origin[i]))
				wire_close(&lab->ext_origin[i]);
	}
	snprintf(err, err_cap,
		 "the external proxy %s:%u did not answer in %d s",
		 lab->ext_host, lab->ext_port, LAB_EXT_TIMEOUT_MS / 1000);
	return false;
}

/* Read a framed response from an external proxy. */
bool wire_read_external(struct lab *lab, struct lab_msg *m, char *err,
			size_t err_cap)
{
	struct http_response resp;
	struct http_body_info info;
	enum http_err e = HTTP_OK;
	long hl;

	if (!wait_external(lab, err, err_cap))
		return false;
	hl = net_read_head(lab->cp[0], &m->bytes, NULL, &resp, &e);

	if (hl <= 0) {
		snprintf(
		    err, err_cap, "no response from the external proxy: %s",
		    hl == 0 ? "it closed the connection" : http_strerror(e));
		return false;
	}
	e = http_response_framing(&resp, lab->req_method,
				  strlen(lab->req_method), &info);
	if (e != HTTP_OK ||
	    net_read_body(lab->cp[0], &m->bytes, (size_t)hl, &info,
			  LAB_MAX_MESSAGE / 2, NULL, &e) < 0) {
		snprintf(err, err_cap, "bad response body: %s",
			 http_strerror(e));
		return false;
	}
	if (info.framing == HTTP_BODY_UNTIL_CLOSE ||
	    http_header_has_token(resp.headers, resp.num_headers, "Connection",
				  "close"))
		lab->close_after = true;
	return true;
}
