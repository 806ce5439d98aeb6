// SPDX-License-Identifier: GPL-2.0-only
/* Tunnel health verdicts applied to the table, and the on-health-change
 * hook (docs/health.md). */
#include <bpf/bpf.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#ifndef IFF_LOWER_UP /* <linux/if.h> has it, but clashes with <net/if.h> */
#define IFF_LOWER_UP 0x10000
#endif

#include "config.h"
#include "grow.h"
#include "krt.h"
#include "mirror.h"
#include "rtnl.h"
#include "health.h"
#include "log.h"
#include "kio_kernel.h"
#include "table.h"
#include "xfrm.h"


#include "daemon.h"


/* After reading the table again: next hops of down tunnels stay dead. */
void health_enforce(struct daemon *d)
{
	int changed;

	d->t.tun_down = d->applied;
	for (uint32_t tid = 1; tid < XFWD_MAX_TUNNELS; tid++)
		if (d->applied[tid] && xt_tunnel_state(&d->t, tid, false, &changed))
			xlog(LOG_ERR, "%s", d->err);
}

extern char **environ;

/* Tell someone else (a BGP daemon: docs/health.md): the configured
 * command, through /bin/sh, not waited for; the tunnel, its state (up,
 * down, or unprobed when its probes were removed), the reason and the
 * IPv4 routes moved are in its environment. */
static void health_notify(struct daemon *d, uint32_t tid, const char *verdict, const char *why)
{
	char tun[64], state[32], reason[96], moved[48], *argv[] = { "sh", "-c", d->cfg.on_health, NULL };
	posix_spawnattr_t attr;
	char **env;
	size_t n = 0;
	sigset_t none;
	pid_t pid;
	int ret;

	if (!d->cfg.on_health[0])
		return;
	while (environ[n])
		n++;
	if (!(env = calloc(n + 5, sizeof(*env))))
		return;
	memcpy(env, environ, n * sizeof(*env));
	snprintf(tun, sizeof(tun), "XFWD_TUNNEL=%s", xt_tunnel(&d->t, tid)->name);
	snprintf(state, sizeof(state), "XFWD_STATE=%s", verdict);
	snprintf(reason, sizeof(reason), "XFWD_REASON=%s", why);
	snprintf(moved, sizeof(moved), "XFWD_ROUTES_MOVED=%d", d->t.covered);
	env[n] = tun;
	env[n + 1] = state;
	env[n + 2] = reason;
	env[n + 3] = moved;
	/* The daemon's blocked SIGHUP/SIGTERM/SIGINT are not the command's:
	 * a child inherits the mask, and one that hung could not be stopped. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if ((ret = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, env)))
		xlog(LOG_ERR, "cannot run on-health-change: %s", strerror(ret));
	else
		d->hooks_running++;
	posix_spawnattr_destroy(&attr);
	free(env);
}

/* One verdict into the table: a write per next hop of the tunnel (ECMP
 * groups skip a dead member at once), logged once with its reason. A
 * tunnel whose probes were removed is "not probed", never "up": nothing
 * judged it so. A tunnel deleted took its next hops with it. */
static void verdict_apply(struct daemon *d, uint32_t tid)
{
	bool up = !d->h.down[tid], probed = d->h.tp[tid].pub.state;
	const char *why = probed ? d->h.tp[tid].pub.reason : "its probe settings were removed";
	const char *verdict = !probed ? "unprobed" : up ? "up" : "down";
	int changed;

	d->applied[tid] = !up;
	if (!xt_tunnel(&d->t, tid)->type)
		return;
	if (xt_tunnel_state(&d->t, tid, up, &changed))
		xlog(LOG_ERR, "%s", d->err);
	else if (!probed)
		xlog(LOG_NOTICE, "tunnel %s not probed any more: %s (%d next hop(s) no longer held dead%s)",
		     xt_tunnel(&d->t, tid)->name, why, changed, covered_note(d, up));
	else
		xlog(LOG_NOTICE, "tunnel %s %s: %s (%d next hop(s) %s%s)", xt_tunnel(&d->t, tid)->name,
		     verdict, why, changed, up ? "alive again" : "marked dead", covered_note(d, up));
	health_notify(d, tid, verdict, why);
}

/* Probed tunnels without a next hop (no route to their remote when they
 * were added): the hold taken once it can be, at most every 100 ms. Only
 * probed tunnels can be unheld (health.c's probe_stop clears the rest),
 * so a wake-up looks at those, not at every tunnel slot. */
static void holds_take(struct daemon *d)
{
	uint64_t now = mono_ms();
	bool any = false;

	for (uint32_t i = 0; i < d->h.nprobed; i++)
		any |= d->h.unheld[d->h.probed[i]];
	if (!any || now - d->hold_tried_ms < 100 || table_trylock(d))
		return;
	d->hold_tried_ms = now;
	for (uint32_t i = 0, tid; i < d->h.nprobed; i++)
		if (d->h.unheld[tid = d->h.probed[i]] && !xt_probe_hold(&d->t, tid) && xt_tunnel_nh(&d->t, tid)) {
			d->h.unheld[tid] = 0;
			xlog(LOG_INFO, "tunnel %s: its remote is reachable, probes go out", xt_tunnel(&d->t, tid)->name);
		}
	table_unlock(d, true);
}

/* A BFD session's socket trouble (-errno, 0: none) to say: when it
 * starts and when it ends, the same error again only a minute later, so
 * a path that fails every other packet does not fill the log. */
static bool trouble_news(int err, struct trouble *t, uint64_t now_ms)
{
	if (err && !t->open && (err != t->said || now_ms - t->said_ms >= 60000)) {
		*t = (struct trouble){ .said = err, .open = true, .said_ms = now_ms };
		return true;
	}
	if (!err && t->open) {
		t->open = false;
		return true;
	}
	return false;
}

/* A BFD session's trouble the verdict does not show, said as above:
 * packets that cannot be sent or received, and the peer's dropped
 * because they came with a TTL below 255 (a router between). */
static void bfd_say(struct daemon *d)
{
	uint64_t now = mono_ms();

	for (uint32_t i = 0; i < d->h.nprobed; i++) {
		struct tun_probe *p = &d->h.tp[d->h.probed[i]];
		const char *name = xt_tunnel(&d->t, d->h.probed[i])->name;

		if (!p->bfd)
			continue;
		if (trouble_news(p->bfd_err, &p->bfd_tx_said, now)) {
			if (p->bfd_err)
				xlog(LOG_WARNING, "tunnel %s: BFD packets cannot be sent: %s", name, strerror(-p->bfd_err));
			else
				xlog(LOG_INFO, "tunnel %s: BFD packets are sent again", name);
		}
		if (trouble_news(p->bfd_rx_err, &p->bfd_rx_said, now)) {
			if (p->bfd_rx_err)
				xlog(LOG_WARNING, "tunnel %s: BFD packets cannot be received (%s): is another BFD speaker on its address? Tried again each second",
				     name, strerror(-p->bfd_rx_err));
			else
				xlog(LOG_INFO, "tunnel %s: BFD packets are received", name);
		}
		if (p->bfd_dropped && !p->bfd_dropped_said)
			xlog(LOG_WARNING, "tunnel %s: BFD packets from its peer arrive with a TTL below 255 and are dropped (RFC 5881); with a router between the two, use 'probe bfd-multihop' on both sides",
			     name);
		p->bfd_dropped_said |= p->bfd_dropped != 0;
	}
}

/* Probes due, then verdicts not yet in the table. The lock is only
 * tried: a command holding it (`xfwd route show` reads for a while) must
 * not stop the probes; the verdicts wait a millisecond. Returns the ms
 * until this should run again, -1 for never. */
int health_run(struct daemon *d)
{
	pid_t pid;
	int next;

	if (!d->h.skel)
		return -1;
	/* on-health-change commands that ended (no call while none runs) */
	while (d->hooks_running && (pid = waitpid(-1, NULL, WNOHANG)))
		d->hooks_running = pid > 0 ? d->hooks_running - 1 : 0;
	next = health_tick(&d->h, &d->t, d->gen);
	bfd_say(d);
	holds_take(d);
	if (d->h.anchor_tried && !d->h.anchored && !d->anchor_said) {
		d->anchor_said = true;
		xlog(LOG_WARNING, "%s: tunnel probes go out a call each (~50 us of CPU per probe instead of a few; docs/probe-batching.md)",
		     d->h.anchor_err);
	}
	if (d->h.bfd_err[0] && !d->bfd_said) {
		d->bfd_said = true;
		xlog(d->h.bfd ? LOG_WARNING : LOG_ERR, "%s%s", d->h.bfd_err,
		     d->h.bfd ? ": a CPU kept busy can delay BFD packets and flap sessions (docs/bfd.md)"
			      : ": tunnels probed with bfd get no verdict");
	}
	if (d->h.send_errno && !d->send_said) {
		d->send_said = true;
		xlog(LOG_WARNING, "cannot send tunnel probes (BPF_PROG_RUN: %s): they count as not sent, so no verdict changes until they go out",
		     strerror(d->h.send_errno));
	}
	if (!memcmp(d->h.down, d->applied, sizeof(d->applied)))
		return next;
	if (table_trylock(d))
		return 1;
	/* A table read again under the lock re-applied the older verdicts. */
	for (uint32_t tid = 1; tid < XFWD_MAX_TUNNELS; tid++)
		if (d->h.down[tid] != d->applied[tid])
			verdict_apply(d, tid);
	table_unlock(d, true);
	return next;
}
