/* SPDX-License-Identifier: GPL-2.0-only */
/* Tunnel health (docs/health.md): the daemon probes every tunnel that has
 * 'probe' set (whether or not a route uses it), judges it up or down from the replies
 * the data path noted (xfwd_probe_rx), and publishes what it sees in
 * xfwd_health for `xfwd health`. Marking next hops dead is the caller's
 * (it holds the table's lock). */
#ifndef XFWD_HEALTH_H
#define XFWD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf.h"

#define HEALTH_WINDOW 100 /* probes the loss figure covers */

/* A socket error as the log said it (daemon/verdicts.c bfd_say). */
struct trouble {
	int said;        /* the error said last (-errno) */
	bool open;       /* said, not yet said to be over */
	uint64_t said_ms; /* when (CLOCK_MONOTONIC) */
};

struct tun_probe {
	struct xfwd_health pub; /* state, counters, last change: as published */
	struct xfwd_probe_cfg cfg; /* the settings probing started with */
	uint32_t seq;
	uint64_t next_tx, last_rx, hold_since; /* CLOCK_MONOTONIC ns */
	uint64_t replies; /* the data path's count at the last look */
	uint32_t unanswered; /* probes sent (or lost unsent) since the last reply */
	uint32_t unsent; /* of which in a row without a next hop to go through */
	bool was_up; /* up once (or down by an earlier verdict): replies go through a hold-down */
	bool bfd; /* judged by a BFD session (daemon/bfd_engine.c), not probes */
	uint64_t bfd_downs; /* the session's downs at the last look */
	char why[36]; /* bfd: why the session is not up */
	int bfd_err, bfd_rx_err; /* the session's last send error (-errno), why it has no listener */
	struct trouble bfd_tx_said, bfd_rx_said; /* what the log said of them */
	uint64_t bfd_dropped; /* its peer's packets dropped for a TTL below 255 */
	bool bfd_dropped_said;
	uint64_t recv_at[HEALTH_WINDOW]; /* received so far when probe seq % W was sent */
};

struct health {
	struct xb *b;
	struct probe *skel;
	const struct xfwd_probe_rx *rx; /* xfwd_probe_rx and xfwd_health, mapped */
	struct xfwd_health *pub;
	struct tun_probe tp[XFWD_MAX_TUNNELS];
	uint8_t down[XFWD_MAX_TUNNELS]; /* the verdicts: 1 = down (reason: tp[].pub.reason) */
	uint32_t nh_of[XFWD_MAX_TUNNELS]; /* each tunnel's next hop, at generation gen */
	uint32_t probed[XFWD_MAX_TUNNELS], nprobed; /* the probed tunnels, likewise */
	uint32_t gen;
	bool indexed;
	uint8_t unheld[XFWD_MAX_TUNNELS]; /* probed, but no next hop to probe through */
	uint32_t batch_tid[XFWD_PROBE_BATCH]; /* the probes queued for one call: their tunnels */
	uint32_t nbatch, batch_ifindex;
	uint64_t calls;       /* BPF_PROG_RUN calls made to send probes */
	bool anchored, anchor_tried; /* the probe program held in the XDP dispatcher */
	char anchor_err[160]; /* ...or why not (probes then go a call each) */
	int sock[XFWD_MAX_TUNNELS]; /* ipsec: the probe socket, 0 = none */
	int send_errno; /* a call sending probes failed: they count as not sent */
	struct bfd_engine *bfd; /* BFD sessions (made when a tunnel first has one) */
	bool bfd_realtime; /* the daemon's bfd-realtime setting */
	bool bfd_tried;
	char bfd_err[160]; /* the engine could not start, or runs without SCHED_FIFO */
};

struct xtable;

int health_open(struct health *h, struct xb *b, char *err, size_t len);
void health_close(struct health *h);
/* Send the probes due, judge the tunnels (down[]); gen is the table's
 * generation (what it indexed is read again when it moves). Returns the
 * ms until the next probe is due (-1: none). */
int health_tick(struct health *h, const struct xtable *t, uint32_t gen);
/* Readable when a BFD session changed state (-1: no sessions yet); the
 * next health_tick reads it. */
int health_fd(const struct health *h);

#endif
