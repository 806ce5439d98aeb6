// SPDX-License-Identifier: GPL-2.0-only
/*
 * Health checks (docs/gwlb.md): AWS Gateway Load Balancer, like the other
 * ELB kinds, sends a target only while its TCP or HTTP check passes. The
 * daemon answers them itself, so a target is healthy exactly while xfwd's
 * daemon runs (started after the table and the XDP program are in place):
 * TCP — the connection is accepted and closed; HTTP — any request gets
 * "200 OK". An HTTP check is read without blocking the event loop; one
 * that has not sent its request within 5 s is closed.
 */
#include "hcheck.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HCHECK_WAIT_MS 5000

static const char ok_reply[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
			       "Connection: close\r\n\r\nxfwd: forwarding";

void hcheck_init(struct hcheck *h)
{
	h->lfd = -1;
	for (int i = 0; i < HCHECK_CONNS; i++)
		h->conn[i] = -1;
}

int hcheck_open(struct hcheck *h, uint16_t port, bool http, char *err, size_t len)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int one = 1, off = 0;

	hcheck_init(h);
	h->http = http;
	if (!port)
		return 0;
	h->lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0 || setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(h->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    bind(h->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(h->lfd, 64)) {
		int e = errno;

		snprintf(err, len, "health-check: cannot listen on TCP port %u (%s)%s", port, strerror(e),
			 e == EADDRINUSE ? ": another program has it; choose another port (the load balancer's target group names it)" : "");
		hcheck_close(h);
		return -e;
	}
	return 0;
}

void hcheck_close(struct hcheck *h)
{
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
	for (int i = 0; i < HCHECK_CONNS; i++) {
		if (h->conn[i] >= 0)
			close(h->conn[i]);
		h->conn[i] = -1;
	}
}

int hcheck_fds(const struct hcheck *h, struct pollfd *p)
{
	int n = 0;

	if (h->lfd < 0)
		return 0;
	p[n++] = (struct pollfd){ h->lfd, POLLIN, 0 };
	for (int i = 0; i < HCHECK_CONNS; i++)
		p[n++] = (struct pollfd){ h->conn[i], POLLIN, 0 }; /* -1: ignored by poll */
	return n;
}

int hcheck_wait(const struct hcheck *h)
{
	for (int i = 0; i < HCHECK_CONNS; i++)
		if (h->conn[i] >= 0)
			return 1000;
	return -1;
}

static void conn_end(struct hcheck *h, int i)
{
	close(h->conn[i]);
	h->conn[i] = -1;
}

/* An HTTP check's request (or the end of it): answered and closed. A
 * request is not parsed: whatever the path, xfwd is healthy. */
static void http_answer(struct hcheck *h, int i)
{
	char buf[2048];
	ssize_t n = read(h->conn[i], buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && write(h->conn[i], ok_reply, sizeof(ok_reply) - 1) < 0)
		errno = 0; /* the checker left: there is no one to tell */
	conn_end(h, i);
}

static void accept_all(struct hcheck *h, uint64_t now_ms)
{
	int fd;

	while ((fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		int i = 0;

		if (!h->http) { /* TCP: the connection was the check */
			close(fd);
			continue;
		}
		while (i < HCHECK_CONNS && h->conn[i] >= 0)
			i++;
		if (i == HCHECK_CONNS) { /* all busy: it fails this once */
			close(fd);
			continue;
		}
		h->conn[i] = fd;
		h->since[i] = now_ms;
	}
}

void hcheck_serve(struct hcheck *h, const struct pollfd *p, int n, uint64_t now_ms)
{
	if (!n)
		return;
	for (int i = 0; i < HCHECK_CONNS && 1 + i < n; i++) {
		if (h->conn[i] < 0)
			continue;
		if (p[1 + i].revents & (POLLIN | POLLHUP | POLLERR))
			http_answer(h, i);
		else if (now_ms - h->since[i] > HCHECK_WAIT_MS)
			conn_end(h, i);
	}
	if (p[0].revents & POLLIN)
		accept_all(h, now_ms);
}
