/* SPDX-License-Identifier: GPL-2.0-only */
/* A load balancer's health checks answered (docs/gwlb.md): TCP or HTTP on
 * a port, while the daemon runs. */
#ifndef XFWD_DAEMON_HCHECK_H
#define XFWD_DAEMON_HCHECK_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HCHECK_CONNS 8 /* HTTP checks being read at once; more wait in the backlog */

struct hcheck {
	int lfd;                    /* listening, -1: none */
	bool http;
	int conn[HCHECK_CONNS];     /* accepted HTTP checks, -1: free */
	uint64_t since[HCHECK_CONNS]; /* CLOCK_MONOTONIC ms each was accepted */
};

/* Nothing open (what hcheck_close may always be given). */
void hcheck_init(struct hcheck *h);
/* Listen on port (IPv6 and IPv4) when port is not 0. 0, or -errno with
 * err naming the problem. */
int hcheck_open(struct hcheck *h, uint16_t port, bool http, char *err, size_t len);
void hcheck_close(struct hcheck *h);
/* The fds to poll, in p (room for 1 + HCHECK_CONNS): how many. */
int hcheck_fds(const struct hcheck *h, struct pollfd *p);
/* ms until an HTTP check being read should be looked at again, -1: none. */
int hcheck_wait(const struct hcheck *h);
/* After poll: accept, answer, close; now_ms: CLOCK_MONOTONIC ms. */
void hcheck_serve(struct hcheck *h, const struct pollfd *p, int n, uint64_t now_ms);

#endif
