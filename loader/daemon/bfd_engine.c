// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's BFD thread (docs/bfd.md): sockets, timers and the
 * sessions of core/bfd.c. */
#include "bfd_engine.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bfd.h"
#include "bfd_sock.h"
#include "thread.h"

#define MAX_RX 64 /* local addresses x {single hop, multihop} */
#define NS 1000000000ull

struct peer {
	bool on, mh;
	uint32_t local, remote;
	struct bfd_session s;
	int tx;  /* sending socket, 0 = none yet */
	int err; /* last sending error */
	int rx_err; /* why there is no listener for it (it retries each second), 0: there is */
	uint64_t rx_retry; /* when it tries again */
	uint64_t dropped;
};

struct listener {
	uint32_t local;
	bool mh;
	int fd;
};

struct bfd_engine {
	pthread_t th;
	pthread_mutex_t mu;
	int wake, note; /* eventfds: main -> thread (sessions set), thread -> main (a state changed) */
	bool stop;
	uint32_t discr_base;
	char sched_note[96];
	struct peer peer[XFWD_MAX_TUNNELS];
	uint32_t ids[XFWD_MAX_TUNNELS], nids; /* the sessions on */
	struct listener rx[MAX_RX];
	uint32_t nrx;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static void kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* full (EAGAIN): the reader has a wake-up pending anyway */
	}
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

/* The listener for a session's local address, opened when first needed
 * (under mu); a slot whose fd is -1 was closed and can be taken again
 * (poll ignores it meanwhile). */
static int listen_for(struct bfd_engine *e, const struct peer *p)
{
	uint32_t slot = e->nrx;
	int fd;

	for (uint32_t i = 0; i < e->nrx; i++) {
		if (e->rx[i].fd >= 0 && e->rx[i].local == p->local && e->rx[i].mh == p->mh)
			return 0;
		if (e->rx[i].fd < 0)
			slot = i;
	}
	if (slot == MAX_RX)
		return -ENOSPC;
	if ((fd = bfd_sock_listen(p->local, p->mh)) < 0)
		return fd;
	e->rx[slot] = (struct listener){ p->local, p->mh, fd };
	if (slot == e->nrx)
		e->nrx++;
	return 0;
}

/* A listener no session uses any more is closed: the port is free for
 * another BFD speaker on that address (BIRD's, FRR's). */
static void listen_drop(struct bfd_engine *e, uint32_t local, bool mh)
{
	for (uint32_t i = 0; i < e->nids; i++)
		if (e->peer[e->ids[i]].local == local && e->peer[e->ids[i]].mh == mh)
			return;
	for (uint32_t i = 0; i < e->nrx; i++)
		if (e->rx[i].fd >= 0 && e->rx[i].local == local && e->rx[i].mh == mh) {
			close(e->rx[i].fd);
			e->rx[i].fd = -1;
		}
}

static void send_one(struct peer *p, uint64_t now)
{
	uint8_t buf[BFD_LEN];
	size_t n = bfd_tx(&p->s, buf, now);
	int ret;

	if (!n)
		return;
	if (!p->tx && (ret = bfd_sock_sender(p->local)) < 0) {
		p->err = ret;
		return;
	}
	if (!p->tx)
		p->tx = ret;
	p->err = bfd_sock_send(p->tx, p->remote, p->mh, buf, n);
}

/* RFC 5880 6.8.6's choice of session: by our discriminator, or (the
 * peer does not know it yet) by the addresses; the source must be the
 * peer either way. Single hop takes only TTL 255 (RFC 5881 5: GTSM). */
static struct peer *session_of(struct bfd_engine *e, const struct bfd_ctrl *c, uint32_t src,
			       uint32_t dst, const struct listener *l)
{
	uint32_t tid = c->your_discr - e->discr_base;

	if (c->your_discr) {
		if (tid >= XFWD_MAX_TUNNELS || !e->peer[tid].on || e->peer[tid].s.my_discr != c->your_discr)
			return NULL;
		return e->peer[tid].remote == src && e->peer[tid].mh == l->mh ? &e->peer[tid] : NULL;
	}
	for (uint32_t i = 0; i < e->nids; i++) {
		struct peer *p = &e->peer[e->ids[i]];

		if (p->remote == src && p->mh == l->mh && (!dst || p->local == dst))
			return p;
	}
	return NULL;
}

/* Every datagram waiting on a listener; true when a state changed. */
static bool receive(struct bfd_engine *e, const struct listener *l, uint64_t now)
{
	uint8_t buf[128];
	uint32_t src, dst;
	struct bfd_ctrl c;
	struct peer *p;
	const char *why;
	bool changed = false;
	ssize_t n;
	int ttl;

	while ((n = bfd_sock_recv(l->fd, buf, sizeof(buf), &src, &dst, &ttl)) >= 0) {
		if (bfd_parse(buf, (size_t)n, &c, &why) || !(p = session_of(e, &c, src, dst, l)))
			continue; /* not ours, or malformed: nothing to count it on */
		if (!l->mh && ttl != 255) {
			p->dropped++;
			continue;
		}
		changed |= bfd_rx(&p->s, &c, now);
		if (p->s.final_due)
			send_one(p, now);
	}
	return changed;
}

/* The session's listener, tried again each second while it cannot be
 * had (another BFD speaker holds the port, say): the session cannot
 * come up without it. */
static void listen_retry(struct bfd_engine *e, struct peer *p, uint64_t now)
{
	if (!p->rx_err || now < p->rx_retry)
		return;
	p->rx_err = listen_for(e, p);
	p->rx_retry = now + NS;
}

/* Detection times and packets due; the earliest time next due. */
static uint64_t timers(struct bfd_engine *e, uint64_t now, bool *changed)
{
	uint64_t due = now + NS;

	for (uint32_t i = 0; i < e->nids; i++) {
		struct peer *p = &e->peer[e->ids[i]];

		listen_retry(e, p, now);
		*changed |= bfd_expire(&p->s, now);
		if (p->s.next_tx <= now)
			send_one(p, now);
		if (bfd_due(&p->s) < due)
			due = bfd_due(&p->s);
	}
	return due;
}

static void *bfd_main(void *arg)
{
	struct bfd_engine *e = arg;
	struct pollfd pf[1 + MAX_RX];
	uint64_t now, due;
	bool changed;
	uint32_t n;

	pthread_mutex_lock(&e->mu);
	while (!e->stop) {
		changed = false;
		now = now_ns();
		due = timers(e, now, &changed);
		pf[0] = (struct pollfd){ e->wake, POLLIN, 0 };
		for (n = 0; n < e->nrx; n++)
			pf[1 + n] = (struct pollfd){ e->rx[n].fd, POLLIN, 0 };
		pthread_mutex_unlock(&e->mu);
		if (changed)
			kick(e->note);
		due = due > now ? due - now : 0;
		ppoll(pf, 1 + n, &(struct timespec){ (time_t)(due / NS), (long)(due % NS) }, NULL);
		pthread_mutex_lock(&e->mu);
		changed = false;
		now = now_ns();
		if (pf[0].revents)
			drain(e->wake);
		for (uint32_t i = 0; i < n && i < e->nrx; i++)
			if (pf[1 + i].revents && e->rx[i].fd >= 0)
				changed |= receive(e, &e->rx[i], now);
		if (changed)
			kick(e->note);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

/* SCHED_FIFO: a process spinning on the same CPU (forwarding load in
 * user space, a runaway) cannot delay a packet or a detection. */
static void realtime(struct bfd_engine *e)
{
	struct sched_param sp = { .sched_priority = 10 };
	int ret = pthread_setschedparam(e->th, SCHED_FIFO, &sp);

	if (ret)
		snprintf(e->sched_note, sizeof(e->sched_note), "cannot run BFD at SCHED_FIFO (%s)",
			 strerror(ret));
}

struct bfd_engine *bfd_start(bool rt, char *err, size_t len)
{
	struct bfd_engine *e = calloc(1, sizeof(*e));
	int ret;

	if (!e) {
		snprintf(err, len, "cannot start BFD: out of memory");
		return NULL;
	}
	pthread_mutex_init(&e->mu, NULL);
	e->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->note = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* Discriminators not reused across restarts: a peer's old session
	 * cannot take a new one's packets. */
	if (getrandom(&e->discr_base, sizeof(e->discr_base), 0) != sizeof(e->discr_base))
		e->discr_base = (uint32_t)now_ns();
	e->discr_base = (e->discr_base & ~0xffffu) | 0x10000u;
	if (e->wake < 0 || e->note < 0 || (ret = thread_start(&e->th, bfd_main, e))) {
		snprintf(err, len, "cannot start BFD: %s", strerror(e->wake < 0 || e->note < 0 ? errno : -ret));
		if (e->wake >= 0)
			close(e->wake);
		if (e->note >= 0)
			close(e->note);
		free(e);
		return NULL;
	}
	if (rt)
		realtime(e);
	else
		snprintf(e->sched_note, sizeof(e->sched_note), "bfd-realtime is off");
	return e;
}

void bfd_stop(struct bfd_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	e->stop = true;
	pthread_mutex_unlock(&e->mu);
	kick(e->wake);
	pthread_join(e->th, NULL);
	for (uint32_t i = 0; i < XFWD_MAX_TUNNELS; i++)
		if (e->peer[i].tx > 0)
			close(e->peer[i].tx);
	for (uint32_t i = 0; i < e->nrx; i++)
		if (e->rx[i].fd >= 0)
			close(e->rx[i].fd);
	close(e->wake);
	close(e->note);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

const char *bfd_sched_note(const struct bfd_engine *e)
{
	return e->sched_note;
}

static void ids_remove(struct bfd_engine *e, uint32_t tid)
{
	for (uint32_t i = 0; i < e->nids; i++)
		if (e->ids[i] == tid) {
			e->ids[i] = e->ids[--e->nids];
			return;
		}
}

static void peer_end(struct bfd_engine *e, uint32_t tid)
{
	struct peer *p = &e->peer[tid];
	uint32_t local = p->local;
	bool mh = p->mh;

	if (!p->on)
		return;
	if (p->tx > 0)
		close(p->tx);
	memset(p, 0, sizeof(*p));
	ids_remove(e, tid);
	listen_drop(e, local, mh);
}

static bool is_bfd(const struct xfwd_probe_cfg *c)
{
	return c && (c->mode == XFWD_PROBE_BFD || c->mode == XFWD_PROBE_BFD_MH);
}

void bfd_set(struct bfd_engine *e, uint32_t tid, const struct xfwd_probe_cfg *c)
{
	struct peer *p = &e->peer[tid];
	uint32_t us = is_bfd(c) ? (uint32_t)c->interval_ms * 1000 : 0;

	pthread_mutex_lock(&e->mu);
	if (!is_bfd(c) || (p->on && (p->local != c->src || p->remote != c->dst ||
				     p->mh != (c->mode == XFWD_PROBE_BFD_MH))))
		peer_end(e, tid);
	if (is_bfd(c) && p->on)
		bfd_set_timers(&p->s, us, us, c->multiplier);
	else if (is_bfd(c)) {
		p->on = true;
		p->mh = c->mode == XFWD_PROBE_BFD_MH;
		p->local = c->src;
		p->remote = c->dst;
		bfd_init(&p->s, e->discr_base + tid, us, us, c->multiplier, now_ns());
		p->rx_err = listen_for(e, p);
		p->rx_retry = now_ns() + NS;
		e->ids[e->nids++] = tid;
	}
	pthread_mutex_unlock(&e->mu);
	kick(e->wake);
}

void bfd_get(struct bfd_engine *e, uint32_t tid, struct bfd_view *v)
{
	const struct peer *p = &e->peer[tid];

	pthread_mutex_lock(&e->mu);
	*v = (struct bfd_view){
		.state = p->s.state, .remote_state = p->s.remote_state,
		.diag = p->s.diag, .remote_diag = p->s.remote_diag, .down_diag = p->s.down_diag,
		.my_discr = p->s.my_discr, .your_discr = p->s.your_discr,
		.tx_us = bfd_tx_interval_us(&p->s), .detect_us = bfd_detect_us(&p->s),
		.sent = p->s.sent, .received = p->s.received, .downs = p->s.downs,
		.dropped = p->dropped, .err = p->err, .rx_err = p->rx_err,
	};
	pthread_mutex_unlock(&e->mu);
}

int bfd_fd(const struct bfd_engine *e)
{
	return e->note;
}

void bfd_drain(struct bfd_engine *e)
{
	drain(e->note);
}
