// SPDX-License-Identifier: GPL-2.0-only
/* Tunnel health probing for the daemon (docs/health.md). */
#include "health.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bfd.h"
#include "bfd_engine.h"
#include "map_view.h"
#include "probe.skel.h"
#include "probe_anchor.h"
#include "table.h"

#define MS 1000000ull
#define RX_BYTES (XFWD_MAX_TUNNELS * sizeof(struct xfwd_probe_rx))
#define PUB_BYTES (XFWD_MAX_TUNNELS * sizeof(struct xfwd_health))

struct probe_frame {
	struct ethhdr eth; /* h_dest from XFWD_PROBE_NH_AT: the tunnel next hop's id */
	struct iphdr ip;
	union {
		struct udphdr udp;
		struct icmphdr icmp;
	} l4;
	struct xfwd_probe pr;
} __attribute__((packed));

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint16_t csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static void sock_close(struct health *h, uint32_t tid)
{
	if (h->sock[tid] > 0)
		close(h->sock[tid]);
	h->sock[tid] = 0;
}

int health_open(struct health *h, struct xb *b, char *err, size_t len)
{
	int ret;

	memset(h, 0, sizeof(*h));
	h->b = b;
	if (!(h->skel = probe__open()))
		ret = -ENOMEM;
	else if (!(ret = xb_reuse_maps(b, h->skel->obj)))
		ret = probe__load(h->skel);
	if (ret) {
		snprintf(err, len, "cannot load the tunnel probe program: %s", strerror(-ret));
		health_close(h);
		return ret;
	}
	h->rx = map_view(b->fd.probe_rx, RX_BYTES, false);
	h->pub = map_view(b->fd.health, PUB_BYTES, true);
	if (!h->rx || !h->pub) {
		ret = -errno;
		snprintf(err, len, "cannot map xfwd_probe_rx and xfwd_health into memory: %s", strerror(errno));
		health_close(h);
		return ret;
	}
	return 0;
}

void health_close(struct health *h)
{
	for (uint32_t tid = 1; tid < XFWD_MAX_TUNNELS; tid++)
		sock_close(h, tid);
	if (h->anchored)
		probe_anchor_drop();
	bfd_stop(h->bfd);
	h->bfd = NULL;
	h->anchored = h->anchor_tried = false;
	probe__destroy(h->skel);
	h->skel = NULL;
	map_unview((void *)h->rx, RX_BYTES);
	map_unview(h->pub, PUB_BYTES);
	h->rx = NULL;
	h->pub = NULL;
}

static void frame_fill(struct probe_frame *f, const struct xfwd_probe_cfg *c,
		       uint32_t nh, uint32_t tid, uint32_t seq)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->eth.h_dest + XFWD_PROBE_NH_AT, &nh, sizeof(nh));
	f->eth.h_proto = htons(ETH_P_IP);
	f->ip.version = 4;
	f->ip.ihl = 5;
	f->ip.tot_len = htons(sizeof(*f) - sizeof(f->eth));
	f->ip.id = htons((uint16_t)seq);
	f->ip.ttl = 64;
	f->pr.magic = htonl(XFWD_PROBE_MAGIC);
	f->pr.type = htons(XFWD_PROBE_REQUEST);
	f->pr.comp = htons(XFWD_PROBE_REPLY);
	f->pr.tunnel = tid;
	f->pr.seq = seq;
	f->pr.tx_ns = mono_ns();
	if (c->mode == XFWD_PROBE_UDP) { /* inner addresses 0: only the peer's XDP reads it */
		f->ip.protocol = IPPROTO_UDP;
		f->l4.udp.source = f->l4.udp.dest = htons(XFWD_PROBE_PORT);
		f->l4.udp.len = htons(sizeof(f->l4) + sizeof(f->pr)); /* checksum 0: none */
	} else {
		f->ip.protocol = IPPROTO_ICMP;
		f->ip.saddr = c->src;
		f->ip.daddr = c->dst;
		f->l4.icmp.type = ICMP_ECHO;
		f->l4.icmp.un.echo.id = htons(XFWD_PROBE_ICMP_ID);
		f->l4.icmp.un.echo.sequence = htons((uint16_t)seq);
		f->l4.icmp.checksum = csum(&f->l4, sizeof(f->l4) + sizeof(f->pr));
	}
	f->ip.check = csum(&f->ip, sizeof(f->ip));
}

/* ---- ipsec: ICMP echo through the kernel ---- */

/* An ipsec tunnel's probes cannot be built by XDP (the kernel encrypts):
 * they are ICMP echoes from a raw socket bound to its xfrm interface, so
 * they take the kernel's route into it and its SAs, like the traffic;
 * the replies come back decrypted on that interface to this socket. */
static int sock_open(const struct xfwd_tunnel *tun)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr.s_addr = tun->probe.src };
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, tun->name, (socklen_t)strlen(tun->name)) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The ICMP echo and its probe payload, without the IP header (the kernel
 * writes it). */
static void sock_send(struct health *h, const struct xtable *t, uint32_t tid, struct tun_probe *p)
{
	const struct xfwd_tunnel *tun = xt_tunnel(t, tid);
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_addr.s_addr = tun->probe.dst };
	struct probe_frame f;

	if (h->sock[tid] <= 0 && (h->sock[tid] = sock_open(tun)) < 0) {
		h->sock[tid] = 0; /* again next interval: the interface may come */
		return;
	}
	frame_fill(&f, &tun->probe, 0, tid, p->seq);
	/* The interface may have been made anew: bind again next time. */
	if (sendto(h->sock[tid], &f.l4, sizeof(f.l4) + sizeof(f.pr), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) < 0)
		sock_close(h, tid);
}

/* Replies waiting on the socket, noted as the data path notes them. */
static void sock_receive(struct health *h, uint32_t tid, struct xfwd_probe_rx *rx)
{
	struct {
		struct iphdr ip;
		struct icmphdr icmp;
		struct xfwd_probe pr;
	} __attribute__((packed)) m;

	ssize_t n;

	/* Every ICMP message that came in on the interface: take them all. */
	while (h->sock[tid] > 0 && (n = recv(h->sock[tid], &m, sizeof(m), MSG_TRUNC)) >= 0) {
		if (n != sizeof(m) || m.ip.ihl != 5 || m.icmp.type != ICMP_ECHOREPLY ||
		    m.icmp.un.echo.id != htons(XFWD_PROBE_ICMP_ID) ||
		    m.pr.magic != htonl(XFWD_PROBE_MAGIC) || m.pr.tunnel != tid)
			continue;
		rx->replies++;
		rx->tx_ns = m.pr.tx_ns;
		rx->rx_ns = mono_ns();
	}
}

/* ---- probes through XDP ---- */

_Static_assert(sizeof(struct probe_frame) == XFWD_PROBE_FRAME_LEN, "maps/xfwd_abi.h's probe frame");

/* Every probe queued in this wake-up, in one BPF_PROG_RUN: the program
 * runs once per frame (`repeat`), each run taking the next from its
 * .bss. Live-frames mode makes a page pool per call (~50 us here); one
 * call per wake-up pays it once for all the probes due together. A
 * `repeat` above 1 needs the program held in the XDP dispatcher (the
 * anchor, made when first needed: probe_anchor.c); without it each
 * frame goes in a call of its own. */
static bool batch_run(struct health *h, uint32_t repeat)
{
	struct xdp_md ctx = { .ingress_ifindex = h->batch_ifindex, .data_end = XFWD_PROBE_FRAME_LEN };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = h->skel->bss->probe_frames[0],
		    .data_size_in = XFWD_PROBE_FRAME_LEN, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = repeat, .batch_size = repeat, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	h->calls++;
	if (!bpf_prog_test_run_opts(bpf_program__fd(h->skel->progs.xfwd_probe_tx), &o))
		return true;
	h->send_errno = errno; /* the daemon says it once */
	return false;
}

static void batch_flush(struct health *h)
{
	uint32_t n = h->nbatch, done = 0;

	if (!n)
		return;
	h->nbatch = 0;
	if (n > 1 && !h->anchor_tried) {
		h->anchor_tried = true;
		h->anchored = !probe_anchor_make(bpf_program__fd(h->skel->progs.xfwd_probe_tx),
						 h->anchor_err, sizeof(h->anchor_err));
	}
	h->skel->bss->probe_count = n;
	h->skel->bss->probe_next = 0;
	if (n == 1 || h->anchored)
		done = batch_run(h, n) ? n : 0;
	else
		while (done < n && batch_run(h, 1))
			done++;
	for (uint32_t i = 0; i < done; i++) {
		h->tp[h->batch_tid[i]].pub.sent++;
		h->tp[h->batch_tid[i]].unanswered++;
	}
}

static void probe_send(struct health *h, const struct xtable *t, uint32_t tid,
		       uint32_t nh, struct tun_probe *p)
{
	struct probe_frame f;

	p->seq++;
	p->recv_at[p->seq % HEALTH_WINDOW] = p->pub.received;
	if (!nh) {
		/* No next hop to send it through (no route to the remote
		 * yet): lost, as the traffic would be; the daemon takes the
		 * hold when it can (health_run). */
		p->unanswered++;
		p->unsent++;
		return;
	}
	p->unsent = 0;
	if (xt_tunnel(t, tid)->type == XFWD_TUN_IPSEC) {
		/* One that cannot leave (no interface, no SRC on it, no route)
		 * counts as lost: the tunnel cannot carry traffic either. */
		sock_send(h, t, tid, p);
		p->pub.sent++;
		p->unanswered++;
		return;
	}
	if (h->nbatch == XFWD_PROBE_BATCH)
		batch_flush(h);
	if (!h->nbatch)
		h->batch_ifindex = xt_nexthop(t, nh)->ifindex;
	frame_fill(&f, &xt_tunnel(t, tid)->probe, nh, tid, p->seq);
	memcpy(h->skel->bss->probe_frames[h->nbatch], &f, sizeof(f));
	h->batch_tid[h->nbatch++] = tid;
}

/* The newest reply as XDP noted it (bpf/lib/probe.h): the count first,
 * which XDP bumps after it wrote the reply's times. */
static void rx_read(const struct health *h, uint32_t tid, struct xfwd_probe_rx *rx)
{
	rx->replies = __atomic_load_n(&h->rx[tid].replies, __ATOMIC_ACQUIRE);
	rx->tx_ns = h->rx[tid].tx_ns;
	rx->rx_ns = h->rx[tid].rx_ns;
	rx->seq = h->rx[tid].seq;
}

/* Replies noted by the data path since the last look, and the loss over
 * the last probes: recv_at[s % W] is what had arrived when probe s went
 * out (0 before the first W), so the window's replies are a difference. */
static void probe_receive(struct health *h, uint32_t tid, bool ipsec, struct tun_probe *p)
{
	uint32_t window = p->seq < HEALTH_WINDOW ? p->seq : HEALTH_WINDOW;
	struct xfwd_probe_rx rx = { .replies = p->replies };
	uint64_t got;

	if (ipsec)
		sock_receive(h, tid, &rx);
	else
		rx_read(h, tid, &rx);
	if (rx.replies != p->replies) {
		p->pub.received += rx.replies - p->replies;
		p->replies = rx.replies;
		p->unanswered = 0;
		p->last_rx = rx.rx_ns;
		p->pub.rtt_us = (uint32_t)((rx.rx_ns - rx.tx_ns) / 1000);
	}
	got = p->pub.received - p->recv_at[(p->seq + 1) % HEALTH_WINDOW];
	p->pub.loss_permille = !window || got >= window ? 0 : (uint32_t)(1000 * (window - got) / window);
}

__attribute__((format(printf, 3, 4)))
static void set_state(struct tun_probe *p, uint8_t state, const char *fmt, ...)
{
	va_list ap;

	p->pub.state = state;
	p->pub.changed_unix_ms = wall_ms();
	va_start(ap, fmt);
	vsnprintf(p->pub.reason, sizeof(p->pub.reason), fmt, ap);
	va_end(ap);
}

/* The state machine: returns 1 (now up), 0 (now down) or -1 (no change
 * of what the data path should do). Silent means `multiplier` probes
 * sent, each given an interval, none answered: counted, not timed, so a
 * daemon that could not run for a while (a starved CPU) does not take
 * the probes it never sent for lost ones and fail every tunnel at once. */
static int judge(const struct xfwd_probe_cfg *c, struct tun_probe *p, uint64_t now)
{
	bool silent = p->unanswered >= c->multiplier;
	bool fresh = p->last_rx > p->hold_since;

	switch (p->pub.state) {
	case XFWD_HEALTH_INIT:
	case XFWD_HEALTH_UP:
		if (p->pub.state == XFWD_HEALTH_INIT && p->last_rx) {
			set_state(p, XFWD_HEALTH_UP, "%s", p->bfd ? "BFD session up" : "first reply");
			return 1;
		}
		if (!silent)
			return -1;
		p->was_up |= p->pub.state == XFWD_HEALTH_UP;
		if (p->bfd)
			set_state(p, XFWD_HEALTH_DOWN, "%s", p->why);
		else if (p->unsent >= c->multiplier)
			set_state(p, XFWD_HEALTH_DOWN, "%u probes could not be sent (no next hop)", c->multiplier);
		else
			set_state(p, XFWD_HEALTH_DOWN, "%u probes unanswered", c->multiplier);
		p->hold_since = now; /* a reply after this brings it back */
		return 0;
	case XFWD_HEALTH_DOWN:
		if (!fresh || silent)
			return -1;
		if (!p->was_up) { /* never up: not flapping, nothing to hold down (a peer started later) */
			set_state(p, XFWD_HEALTH_UP, "%s", p->bfd ? "BFD session up" : "first reply");
			return 1;
		}
		p->hold_since = now;
		set_state(p, XFWD_HEALTH_HOLD, "%s", p->bfd ? "BFD up again: holding down" : "replies again: holding down");
		return -1;
	case XFWD_HEALTH_HOLD:
		if (silent) {
			set_state(p, XFWD_HEALTH_DOWN, "lost again during hold-down");
			p->hold_since = now;
			return -1;
		}
		if (now - p->hold_since < (uint64_t)c->holddown_ms * MS)
			return -1;
		set_state(p, XFWD_HEALTH_UP, "%s for %u ms (hold-down)", p->bfd ? "BFD up" : "replies",
			  c->holddown_ms);
		return 1;
	}
	return -1;
}

/* Probing starts (this daemon, or new settings). A tunnel down before
 * (by this daemon's verdict, or as the last one left it in xfwd_health)
 * starts down: only replies through a hold-down bring it up, never the
 * restart itself. */
static void probe_start(struct health *h, uint32_t tid, const struct xfwd_probe_cfg *c,
			uint64_t now)
{
	struct xfwd_probe_rx rx = { 0 };
	struct tun_probe *p = &h->tp[tid];

	/* Replies counted before this daemon are not news. */
	rx_read(h, tid, &rx);
	p->replies = rx.replies;
	p->cfg = *c;
	if (!h->down[tid] && (h->pub[tid].state == XFWD_HEALTH_DOWN || h->pub[tid].state == XFWD_HEALTH_HOLD))
		h->down[tid] = 1;
	if (!h->down[tid]) {
		set_state(p, XFWD_HEALTH_INIT, "probing started");
		return;
	}
	p->was_up = true; /* its down is an earlier verdict: it earns up through a hold-down */
	set_state(p, XFWD_HEALTH_DOWN, "down when probing started: up after replies for the hold-down");
	p->hold_since = now;
}

/* One tunnel, due now: receive, judge, send. */
static void tick_one(struct health *h, const struct xtable *t, uint32_t tid, uint32_t nh,
		     uint64_t now)
{
	const struct xfwd_probe_cfg *c = &xt_tunnel(t, tid)->probe;
	struct tun_probe *p = &h->tp[tid];
	int v;

	if (p->pub.state == XFWD_HEALTH_OFF)
		probe_start(h, tid, c, now);
	probe_receive(h, tid, xt_tunnel(t, tid)->type == XFWD_TUN_IPSEC, p);
	if (p->seq && (v = judge(c, p, now)) >= 0) /* once a probe went out */
		h->down[tid] = !v;
	probe_send(h, t, tid, nh, p);
	/* On a grid of the interval: tunnels probed alike are due on the
	 * same wake-up, their probes in one call. */
	p->next_tx = (now / ((uint64_t)c->interval_ms * MS) + 1) * c->interval_ms * MS;
}

/* What `xfwd health` and the metrics read, once the probes went out. A
 * reader's copy can meet a write, as with a map update: a look shows
 * the one or the other's fields for that moment, never a verdict. */
static void publish(struct health *h, uint32_t tid, uint32_t now_s)
{
	h->tp[tid].pub.judged_unix_s = now_s;
	memcpy(&h->pub[tid], &h->tp[tid].pub, sizeof(h->pub[tid]));
}

/* Gone, or no longer probed: forget it (its verdict too: verdicts.c
 * says "not probed", never "up"). */
static void probe_stop(struct health *h, uint32_t tid)
{
	if (h->tp[tid].bfd)
		bfd_set(h->bfd, tid, NULL);
	if (h->tp[tid].pub.state != XFWD_HEALTH_OFF)
		memset(&h->tp[tid], 0, sizeof(h->tp[tid]));
	h->down[tid] = 0;
	h->unheld[tid] = 0;
	sock_close(h, tid);
}

/* The probed tunnels and their next hops, read from the table when it
 * changed (generation gen): a wake-up then looks at those alone, not at
 * every tunnel and next-hop slot (a third of a probe's cost before). */
static void health_index(struct health *h, const struct xtable *t, uint32_t gen)
{
	h->nprobed = 0;
	for (uint32_t tid = 1; tid < XFWD_MAX_TUNNELS; tid++)
		if (xt_probed(t, tid))
			h->probed[h->nprobed++] = tid;
		else
			probe_stop(h, tid);
	xt_tunnel_nhs(t, h->nh_of);
	h->gen = gen;
	h->indexed = true;
}

/* ---- BFD sessions (docs/bfd.md) ---- */

static bool bfd_mode(const struct xfwd_probe_cfg *c)
{
	return c->mode == XFWD_PROBE_BFD || c->mode == XFWD_PROBE_BFD_MH;
}

/* The engine, made when a tunnel first has a session. */
static bool bfd_ready(struct health *h)
{
	if (!h->bfd && !h->bfd_tried) {
		h->bfd_tried = true;
		h->bfd = bfd_start(h->bfd_realtime, h->bfd_err, sizeof(h->bfd_err));
		if (h->bfd && bfd_sched_note(h->bfd)[0])
			snprintf(h->bfd_err, sizeof(h->bfd_err), "%s", bfd_sched_note(h->bfd));
	}
	return h->bfd;
}

static void bfd_publish(struct tun_probe *p, const struct bfd_view *v)
{
	p->pub.bfd_state = v->state;
	p->pub.bfd_remote_state = v->remote_state;
	p->pub.bfd_diag = v->diag;
	p->pub.bfd_remote_diag = v->remote_diag;
	p->pub.bfd_tx_us = v->tx_us;
	p->pub.bfd_detect_us = v->detect_us;
	p->pub.bfd_my_discr = v->my_discr;
	p->pub.bfd_your_discr = v->your_discr;
	p->pub.sent = v->sent;
	p->pub.received = v->received;
	p->bfd_err = v->err;
	p->bfd_rx_err = v->rx_err;
	p->bfd_dropped = v->dropped;
}

/* A BFD tunnel, at every wake-up: the session's state is the verdict's
 * input, through the same judge (hold-down, never-up) as probes. A
 * session that left Up since the last look counts as silent even if it
 * is up again; one not up is silent after `multiplier` intervals (as
 * unanswered probes). Returns true when xfwd_health should be written. */
static bool bfd_tick(struct health *h, const struct xfwd_probe_cfg *c, uint32_t tid,
		     uint64_t now)
{
	struct tun_probe *p = &h->tp[tid];
	bool interval = now >= p->next_tx, fresh = p->pub.state == XFWD_HEALTH_OFF, lost;
	struct bfd_view v;
	uint8_t was;
	int verdict;

	if (!bfd_ready(h))
		return false;
	if (fresh) {
		probe_start(h, tid, c, now);
		p->bfd = true;
		bfd_set(h->bfd, tid, c); /* a running session keeps its state: new timers by Poll */
	}
	bfd_get(h->bfd, tid, &v);
	lost = !fresh && v.downs != p->bfd_downs;
	p->bfd_downs = v.downs;
	if (v.state == BFD_UP && !lost) {
		p->unanswered = 0;
		p->last_rx = now;
	} else if (lost || interval) {
		p->unanswered = lost ? c->multiplier : p->unanswered + 1;
		snprintf(p->why, sizeof(p->why), "BFD: %s", lost ? bfd_diag_name(v.down_diag)
			 : v.state == BFD_DOWN && v.diag ? bfd_diag_name(v.diag) : "session not up");
	}
	was = p->pub.state;
	if ((verdict = judge(c, p, now)) >= 0)
		h->down[tid] = !verdict;
	if (interval)
		p->next_tx = (now / ((uint64_t)c->interval_ms * MS) + 1) * c->interval_ms * MS;
	bfd_publish(p, &v);
	return interval || lost || was != p->pub.state;
}

int health_fd(const struct health *h)
{
	return h->bfd ? bfd_fd(h->bfd) : -1;
}

/* New settings (a reload): start afresh, the verdict kept until the new
 * probes give one. A BFD session keeps running: its new timers go
 * through Poll/Final (or it restarts for new addresses). */
static void settings_check(struct health *h, const struct xtable *t, uint32_t tid)
{
	struct tun_probe *p = &h->tp[tid % XFWD_MAX_TUNNELS]; /* (tid is: for the compiler) */
	const struct xfwd_probe_cfg *c = &xt_tunnel(t, tid)->probe;

	if (p->pub.state == XFWD_HEALTH_OFF || !memcmp(&p->cfg, c, sizeof(p->cfg)))
		return;
	if (p->bfd && !bfd_mode(c))
		bfd_set(h->bfd, tid, NULL);
	memset(p, 0, sizeof(*p));
	sock_close(h, tid);
}

int health_tick(struct health *h, const struct xtable *t, uint32_t gen)
{
	uint64_t now = mono_ns(), due = UINT64_MAX;
	uint32_t ticked[XFWD_MAX_TUNNELS], nticked = 0;

	if (h->bfd)
		bfd_drain(h->bfd);
	if (!h->indexed || gen != h->gen)
		health_index(h, t, gen);
	for (uint32_t i = 0; i < h->nprobed; i++) {
		uint32_t tid = h->probed[i];
		struct tun_probe *p = &h->tp[tid];

		settings_check(h, t, tid);
		if (bfd_mode(&xt_tunnel(t, tid)->probe)) {
			if (bfd_tick(h, &xt_tunnel(t, tid)->probe, tid, now))
				ticked[nticked++] = tid;
		} else if (p->pub.state == XFWD_HEALTH_OFF || now >= p->next_tx) {
			h->unheld[tid] = !h->nh_of[tid];
			tick_one(h, t, tid, h->nh_of[tid], now);
			ticked[nticked++] = tid;
		}
		if (p->next_tx && p->next_tx < due)
			due = p->next_tx;
	}
	batch_flush(h);
	for (uint32_t i = 0, now_s = nticked ? (uint32_t)(wall_ms() / 1000) : 0; i < nticked; i++)
		publish(h, ticked[i], now_s);
	return due == UINT64_MAX ? -1 : (int)((due - now + MS - 1) / MS);
}
