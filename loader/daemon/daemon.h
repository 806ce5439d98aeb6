/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xfwd run, the daemon (docs/daemon.md, docs/ARCHITECTURE.md): its state
 * and what its parts call of each other. run.c: the lifecycle, the event
 * loop and the lock; reconcile.c: the config against the table;
 * follow.c: the mirrored kernel table and kernel events; verdicts.c:
 * tunnel health applied to the table.
 */
#ifndef XFWD_DAEMON_H
#define XFWD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "attach.h"
#include "bpf.h"
#include "config.h"
#include "hcheck.h"
#include "health.h"
#include "krt.h"
#include "metrics.h"
#include "table.h"

struct mnl_socket;

/* Routes mirrored before a dump, indexed by prefix (open addressing) and
 * marked as the dump names them: those left unmarked are stale. */
struct mirrored {
	struct xroute *r;
	size_t n;
	uint32_t *slot; /* index into r + 1; 0 = empty */
	size_t mask;
	uint8_t *seen;
};

/* A tunnel or device with a capacity: its bytes out, one sample a
 * second (capacity.c). */
#define LOAD_SLOTS 64
#define CAP_DEVS 16
struct path_load {
	char name[16];
	uint32_t ifindex;   /* a device's; 0: a tunnel */
	uint64_t cap, bps;  /* bits a second: configured, measured over the window */
	int64_t spare;      /* the least its groups' other members have spare; -1 unknown */
	bool is_short;      /* said: its traffic would not fit there */
	unsigned int head, n;
	uint64_t bytes[LOAD_SLOTS], at[LOAD_SLOTS];
};

/* The covering routes' groups of the single-member groups that hold a
 * path with a capacity, as of table generation gen (capacity.c). */
#define COVER_GROUPS 32
struct cover_cache {
	uint32_t gen;
	bool valid;
	int n;
	struct { uint32_t gid; int n; uint32_t cover[4]; } e[COVER_GROUPS];
};

struct daemon {
	const char *path;
	struct xconfig cfg;
	struct xb b;
	struct xtable t;
	struct attach_job attach; /* at start: attaching while the routes load */
	char err[4096];
	struct mnl_socket *ev; /* route events */
	int sfd;               /* SIGHUP, SIGTERM, SIGINT */
	bool journal;          /* stderr goes to journald: "<N>" level prefixes */
	int lock;              /* the pin root's lock, held while changing the table */
	int one;               /* one daemon per pin root: held for its life (daemon_lock.h) */
	uint32_t gen;          /* the table generation our copy matches */
	struct { uint32_t ifindex, tunnel; } tdev[XFWD_MAX_TUNNELS];
	int ntdev;             /* tunnels' kernel devices, to map routes via them */
	bool resync;           /* a map write failed: read the table again, dump again */
	struct mirrored old;   /* during a dump: routes mirrored before it */
	size_t nroutes;
	struct health h;       /* tunnel probes (h.skel NULL: not probing) */
	uint8_t applied[XFWD_MAX_TUNNELS]; /* the verdicts the table has: 1 = next hops dead */
	int encap_fd[2];       /* ESP in UDP sockets, IPv4 and IPv6 (0: none) */
	bool encap_said[2];    /* their failure logged */
	struct krt krt;        /* the mirrored table's routes that share a prefix */
	bool running;          /* start() succeeded: what it attached stays */
	bool send_said;        /* a failed probe call logged */
	bool anchor_said;      /* probes sent a call each, logged */
	bool bfd_said;         /* BFD's engine or priority trouble, logged */
	unsigned int hooks_running; /* on-health-change commands not yet reaped */
	uint64_t hold_tried_ms; /* CLOCK_MONOTONIC ms: probed tunnels without a next hop, last tried */
	unsigned int write_fails; /* mirrored routes not written since the last that was */
	unsigned int kinds_said; /* route kinds logged once (note_kind) */
	struct metrics_daemon stats; /* what only the daemon counts (metrics.c) */
	uint64_t metrics_due;  /* CLOCK_MONOTONIC ms of the next metrics file */
	int metrics_errno;     /* the last write's failure, logged once */
	struct path_load load[XFWD_MAX_TUNNELS]; /* capacity.c: tunnels by id */
	struct path_load devload[CAP_DEVS];      /* ...devices, in the order of the file */
	uint64_t capacity_due; /* CLOCK_MONOTONIC ms of the next sample */
	struct cover_cache covers;
	struct hcheck hc;       /* the load balancer's health checks (hcheck.c) */
};

/* reconcile.c: 0, or -1 / -errno with "FILE:LINE: problem" in d->err. */
int config_check(struct daemon *d, const struct xconfig *c);
/* filters.c: the config's [filters] (docs/filters.md). */
int filters_check(struct daemon *d, const struct xconfig *c);
int filters_apply(struct daemon *d, const struct xconfig *c);
void filters_dropped(struct daemon *d, const struct xconfig *old, const struct xconfig *now);
/* A line's tunnel is in the file or running, its device exists; else -1
 * with "FILE:LINE: no tunnel 'X' for this WHAT (fix)" in d->err. */
int target_check(struct daemon *d, const struct xconfig *c, bool tunnel, const char *name,
		 int lineno, const char *what);
/* check_cmd.c: the rules of xfwd check over a config (live: with the
 * running routes); 0 or -1 out of memory. */
struct check_findings;
int config_findings(const struct xconfig *c, bool live, struct check_findings *f);
/* xlats.c: the config's [translations] (docs/translation.md). */
int xlats_check(struct daemon *d, const struct xconfig *c);
int xlats_apply(struct daemon *d, const struct xconfig *c);
void xlats_dropped(struct daemon *d, const struct xconfig *old, const struct xconfig *now);
int config_apply(struct daemon *d, const struct xconfig *c);
/* What old had and now does not: static routes first, then tunnels. */
void remove_dropped(struct daemon *d, const struct xconfig *old, const struct xconfig *now);
struct attach_req attach_req(const struct xconfig *c);
int attach_all(struct daemon *d, const struct xconfig *c);
/* Open the pinned maps and adopt the table. */
int table_open(struct daemon *d);

/* follow.c */
void tunnel_devs(struct daemon *d);
void check_nexthop_compat(void);
/* Dump the mirrored table into the maps; what it no longer has goes. */
int mirror_sync(struct daemon *d);
const char *covered_note(struct daemon *d, bool up);
void links_sync(struct daemon *d);
int events_open(struct daemon *d);
void events_read(struct daemon *d);

/* verdicts.c */
/* After reading the table again: next hops of down tunnels stay dead. */
void health_enforce(struct daemon *d);
int health_run(struct daemon *d);

/* metrics.c: write the metrics file if one is configured and it is due:
 * ms until the next, or -1 (none configured). */
int metrics_run(struct daemon *d);
double unix_now(void); /* the wall clock, in seconds */
/* capacity.c: the [capacity] lines name tunnels that are there (0, or -1
 * with the line in d->err); sample and judge once a second when any is
 * configured: ms until the next, or -1. */
int capacity_check(struct daemon *d, const struct xconfig *c);
int capacity_run(struct daemon *d);
/* The paths with a capacity, for the metrics (room for
 * XFWD_MAX_TUNNELS + CAP_DEVS): how many. */
size_t capacity_paths(const struct daemon *d, struct metrics_path *out);

/* run.c: the pin root's lock (one writer at a time). */
int table_lock(struct daemon *d);
int table_trylock(struct daemon *d);
void table_unlock(struct daemon *d, bool wait);

/* CLOCK_MONOTONIC in ms: the daemon's timers (metrics, capacity, holds, BFD's log). */
static inline uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
