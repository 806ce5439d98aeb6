/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xfwd's counters and gauges in Prometheus's text exposition format
 * (pure: the caller gathers the figures and gives the stream;
 * docs/metrics.md). One writer for the daemon's file and `xfwd metrics`.
 */
#ifndef XFWD_METRICS_H
#define XFWD_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "maps/xfwd_abi.h"

struct metrics_tunnel {
	char name[16];
	uint32_t id;
	struct xfwd_tunnel_counters c;
	bool probed;
	bool bfd; /* probed by a BFD session the daemon runs */
	struct xfwd_health h; /* probed only */
};

/* A tunnel or device with a [capacity] line (the daemon's:
 * docs/capacity.md). */
struct metrics_path {
	bool dev;
	char name[16];
	uint64_t capacity_bps, load_bps;
	bool backup_known, backup_short;
};

/* What only the daemon knows. */
struct metrics_daemon {
	uint64_t resyncs;        /* the mirrored table read again (overrun, failed write) */
	uint64_t write_failures; /* map writes that failed */
	uint64_t reloads, reloads_refused;
	uint64_t probe_calls;    /* BPF_PROG_RUN calls that sent tunnel probes */
	double last_commit;      /* unix seconds of the last table change, 0: none yet */
	double started;          /* unix seconds */
};

struct metrics {
	struct xfwd_counter reason[XFWD_R_MAX];
	const struct metrics_tunnel *tun;
	size_t ntun;
	uint32_t routes4, routes6, nexthops, groups, tbl8, tbl6, tblc;
	uint32_t routes4_max, routes6_max, nexthops_max, groups_max, tbl8_max, tbl6_max, tblc_max;
	const struct metrics_daemon *daemon; /* NULL: not written (the CLI) */
	const struct metrics_path *paths;   /* the daemon's */
	size_t npaths;
};

/* The name `xfwd stats` and the metrics give a reason ("fwd_tx"), and its
 * action ("tx", "redirect", "pass", "drop"). */
const char *reason_name(unsigned int r);
const char *reason_action(unsigned int r);
int reason_act(unsigned int r); /* enum xfwd_action */
const char *reason_desc(unsigned int r);
const char *action_name(unsigned int a); /* enum xfwd_action: "tx", ... */
const char *health_state_name(unsigned int state);
/* How long a verdict has gone unjudged at now_s, when that is more than
 * two intervals and two seconds (no daemon looking: stopped, or still
 * starting); else 0. judged_s 0 (never, or a daemon before the field): 0. */
uint32_t health_stale_s(uint32_t interval_ms, uint32_t judged_s, uint32_t now_s);

/* m as exposition text into f: 0, or -1 when f failed. */
int metrics_write(FILE *f, const struct metrics *m);

#endif
