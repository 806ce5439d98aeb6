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
 * command, through /bin/sh, not waited for; the tunnel, its state, the
 * reason and the IPv4 routes moved are in its environment. */
static void health_notify(struct daemon *d, uint32_t tid, bool up, const char *why)
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
	snprintf(state, sizeof(state), "XFWD_STATE=%s", up ? "up" : "down");
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
	posix_spawnattr_destroy(&attr);
	free(env);
}

/* One verdict into the table: a write per next hop of the tunnel (ECMP
 * groups skip a dead member at once), logged once with its reason. */
static void verdict_apply(struct daemon *d, uint32_t tid)
{
	bool up = !d->h.down[tid];
	const char *why = d->h.tp[tid].pub.state ? d->h.tp[tid].pub.reason : "no longer probed";
	int changed;

	d->applied[tid] = !up;
	if (xt_tunnel_state(&d->t, tid, up, &changed))
		xlog(LOG_ERR, "%s", d->err);
	else
		xlog(LOG_NOTICE, "tunnel %s %s: %s (%d next hop(s) %s%s)", xt_tunnel(&d->t, tid)->name,
		       up ? "up" : "down", why, changed, up ? "alive again" : "marked dead",
		       covered_note(d, up));
	health_notify(d, tid, up, why);
}

/* Probes due, then verdicts not yet in the table. The lock is only
 * tried: a command holding it (`xfwd route show` reads for a while) must
 * not stop the probes; the verdicts wait a millisecond. Returns the ms
 * until this should run again, -1 for never. */
int health_run(struct daemon *d)
{
	int next;

	if (!d->h.skel)
		return -1;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		; /* on-health-change commands that ended */
	next = health_tick(&d->h, &d->t);
	if (d->h.publish_errno && !d->health_said) {
		d->health_said = true;
		xlog(LOG_WARNING, "cannot write xfwd_health (%s): 'xfwd health' shows old states; the verdicts still apply",
		       strerror(d->h.publish_errno));
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
