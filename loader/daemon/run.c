// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfwd run: the daemon. Applies the config file (interfaces, tunnels,
 * static routes), mirrors a kernel routing table (where BIRD or FRR
 * install what BGP learned) into the maps and follows it, reloads on
 * SIGHUP, and exits on SIGTERM leaving the pinned program forwarding: the
 * next daemon adopts the pins and reconciles (docs/daemon.md).
 */
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
#include "daemon_lock.h"

/* ---- one writer at a time ---- */

/* Take the pin root's lock (wait: up to a minute, else one try). If a
 * CLI command changed the table since our last change, our copy is
 * stale: read it again first. */
static int lock_table(struct daemon *d, bool wait)
{
	if (d->lock >= 0)
		return 0; /* still held: records of the last batch being written */
	d->lock = wait ? xb_lock(d->cfg.pin_root, d->err, sizeof(d->err)) : xb_trylock(d->cfg.pin_root);
	if (d->lock < 0)
		return d->lock;
	if (xb_generation(&d->b) != d->gen) {
		xt_free(&d->t);
		if (kio_table_load(&d->t, &d->b, true, d->err, sizeof(d->err)))
			return -EBADMSG;
		d->t.no_wait = true;
		d->gen = xb_generation(&d->b);
		xlog(LOG_INFO, "the table was changed by a command: read it again");
		tunnel_devs(d); /* a command may have added or removed tunnels */
		health_enforce(d);
	}
	d->t.dirty = false;
	return 0;
}

int table_lock(struct daemon *d)
{
	return lock_table(d, true);
}

int table_trylock(struct daemon *d)
{
	return lock_table(d, false);
}

/* With wait false, the lock stays held while the writer thread still
 * deletes records of routes already gone from the data path: a command
 * reading them would take those routes for live ones. The loop comes
 * back to release it. */
void table_unlock(struct daemon *d, bool wait)
{
	if (d->t.dirty && !(d->gen = xb_bump(&d->b)))
		xlog(LOG_WARNING, "cannot write the table generation; commands will read the table afresh");
	if (d->t.dirty)
		d->stats.last_commit = unix_now();
	d->t.dirty = false;
	if (!wait && !d->t.broken && xt_records_busy(&d->t))
		return;
	if (xt_finish(&d->t))
		xlog(LOG_ERR, "%s", d->err);
	if (d->t.broken) { /* our copy may differ from the maps now */
		d->gen--;
		d->resync = true;
	}
	xb_unlock(d->lock);
	d->lock = -1;
}

/* ---- lifecycle ---- */

/* SIGHUP. Takes the lock itself: attaching new devices (attach_devices) takes
 * it too, and flock() would make a process wait for its own other fd. */
static int reload(struct daemon *d)
{
	struct xconfig c;
	int bad;

	sd_notify(0, "RELOADING=1");
	bad = config_load(d->path, &c, d->err, sizeof(d->err));
	if (!bad && config_restart_needed(&d->cfg, &c, d->err, sizeof(d->err))) {
		d->stats.reloads_refused++;
		xlog(LOG_ERR, "reload refused, the running configuration stays: %s", d->err);
		config_free(&c);
		sd_notify(0, "READY=1");
		return 0;
	}
	if (!bad) {
		if (table_lock(d))
			return -1;
		bad = config_check(d, &c);
		table_unlock(d, true);
	}
	if (bad) {
		d->stats.reloads_refused++;
		xlog(LOG_ERR, "reload refused, the running configuration stays: %s", d->err);
		config_free(&c);
		sd_notify(0, "READY=1");
		return 0;
	}
	if (attach_all(d, &c)) {
		d->stats.reloads_refused++;
		xlog(LOG_ERR, "reload stopped, nothing of %s applied: %s", d->path, d->err);
		config_free(&c);
		sd_notify(0, "READY=1");
		return 0;
	}
	if (table_lock(d))
		return -1;
	config_apply(d, &c);
	remove_dropped(d, &d->cfg, &c);
	tunnel_devs(d);
	table_unlock(d, true);
	config_free(&d->cfg);
	d->cfg = c;
	d->stats.reloads++;
	xlog(LOG_INFO, "reloaded %s", d->path);
	sd_notify(0, "READY=1");
	return 0;
}

/* SIGHUP waits for the loop from start's first instruction: its default
 * action would end a daemon still loading a large table or waiting for
 * the lock. SIGTERM and SIGINT still end a start at once (a later start
 * adopts what it left); once running, the loop reads all three. */
static void signals_block(sigset_t *s, bool all)
{
	sigemptyset(s);
	sigaddset(s, SIGHUP);
	if (all) {
		sigaddset(s, SIGTERM);
		sigaddset(s, SIGINT);
	}
	sigprocmask(SIG_BLOCK, s, NULL);
}

static int start(struct daemon *d)
{
	struct attach_req r;
	int ret, changed;
	sigset_t s;

	signals_block(&s, false);
	if (config_load(d->path, &d->cfg, d->err, sizeof(d->err)))
		return -EINVAL;
	/* Before anything is touched: a second daemon changes nothing. */
	if ((d->one = daemon_lock(d->cfg.pin_root, d->err, sizeof(d->err))) == -EBUSY)
		return -EBUSY;
	if (d->one < 0)
		xlog(LOG_WARNING, "%s: a second xfwd run on %s would not be refused", d->err, d->cfg.pin_root);
	r = attach_req(&d->cfg);
	r.sizes = d->cfg.sizes; /* only at start: on reload the maps exist */
	if ((ret = attach_begin(&d->attach, &r, d->err, sizeof(d->err))))
		return ret;
	/* Held until the table matches the file and the kernel: until then a
	 * CLI command waits rather than read a table half rebuilt. */
	if ((d->lock = xb_lock(d->cfg.pin_root, d->err, sizeof(d->err))) < 0 ||
	    (ret = table_open(d)))
		return d->lock < 0 ? d->lock : ret;
	d->gen = xb_generation(&d->b);
	if (config_check(d, &d->cfg))
		return -EINVAL;
	/* Listen first: neighbours resolved from here on arrive as events. */
	if ((ret = events_open(d)))
		return ret;
	if (config_apply(d, &d->cfg))
		xlog(LOG_WARNING, "some lines of %s were not applied (see above)", d->path);
	tunnel_devs(d);
	if (d->cfg.mirror_table)
		check_nexthop_compat();
	/* route show names the kernel's next hop of what it mirrors. */
	if (xb_set_mirror_table(&d->b, d->cfg.mirror_table))
		xlog(LOG_WARNING, "cannot note the mirrored table in xfwd_info: route show will not name the kernel's next hops");
	if ((ret = mirror_sync(d)) || (ret = attach_end(&d->attach, d->err, sizeof(d->err))))
		return ret;
	links_sync(d); /* ...and kernel routes into ipsec tunnels lost meanwhile */
	if (xt_refresh_neigh(&d->t, &changed)) /* ...and those resolved before */
		xlog(LOG_WARNING, "%s", d->err);
	table_unlock(d, false);
	if (health_open(&d->h, &d->b, d->err, sizeof(d->err)))
		xlog(LOG_ERR, "%s; tunnels are not probed", d->err);
	d->h.bfd_realtime = !d->cfg.bfd_normal; /* read at start: a reload does not change it */
	d->t.tun_down = d->applied;
	signals_block(&s, true);
	d->sfd = signalfd(-1, &s, SFD_CLOEXEC);
	return d->sfd < 0 ? -errno : 0;
}

/* The sooner of two waits in ms, -1 being none. */
static int sooner(int a, int b)
{
	return b >= 0 && (a < 0 || b < a) ? b : a;
}

/* Until SIGTERM/SIGINT (0), or a table that can no longer be read (-1:
 * exit, and let systemd start a fresh daemon that adopts the pins). */
static int loop(struct daemon *d)
{
	uint64_t wd_usec = 0;
	int timeout = -1;

	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		timeout = (int)(wd_usec / 2000);
	for (;;) {
		struct pollfd p[3 + 1 + HCHECK_CONNS] = {
			{ d->sfd, POLLIN, 0 }, { d->ev ? mnl_socket_get_fd(d->ev) : -1, POLLIN, 0 },
			{ health_fd(&d->h), POLLIN, 0 } }; /* a BFD session changed */
		int nh = hcheck_fds(&d->hc, p + 3);
		struct signalfd_siginfo si;
		/* Until the first of: the watchdog, a probe, the metrics file,
		 * a capacity sample, a health check's wait (each -1: none). */
		int wait = sooner(sooner(sooner(sooner(timeout, health_run(d)), metrics_run(d)), capacity_run(d)),
				  hcheck_wait(&d->hc));

		/* A lock still held (table_unlock): back soon to release it. */
		if (poll(p, (nfds_t)(3 + nh), d->lock >= 0 ? 1 : wait) < 0 && errno != EINTR)
			return 0;
		hcheck_serve(&d->hc, p + 3, nh, mono_ms());
		if (wd_usec)
			sd_notify(0, "WATCHDOG=1");
		if (p[1].revents & POLLIN) {
			if (table_lock(d))
				return -1;
			events_read(d);
		}
		if (d->lock >= 0)
			table_unlock(d, false);
		if (d->resync) {
			d->resync = false;
			xlog(LOG_WARNING, "a map write failed: reading the table and the kernel's routes again");
			if (table_lock(d))
				return -1;
			if (mirror_sync(d))
				xlog(LOG_ERR, "%s", d->err);
			table_unlock(d, false);
		}
		if ((p[0].revents & POLLIN) && read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP)
				return 0;
			if (reload(d))
				return -1;
		}
	}
	return 0;
}

int daemon_run(const char *config, char *err, size_t len)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	d->path = config ? config : "/etc/xfwd/xfwd.conf";
	d->journal = getenv("JOURNAL_STREAM") != NULL;
	xlog_journal(d->journal);
	d->sfd = -1;
	d->lock = -1;
	d->one = -1;
	hcheck_init(&d->hc); /* closed however start ends */
	ret = start(d);
	/* Checks pass from here: the table and the program are in place. */
	if (!ret)
		ret = hcheck_open(&d->hc, d->cfg.hcheck_port, d->cfg.hcheck_http, d->err, sizeof(d->err));
	if (!ret) {
		d->running = true;
		d->stats.started = unix_now();
		xlog(LOG_INFO, "running (%s)", d->path);
		sd_notify(0, "READY=1");
		if (loop(d)) {
			ret = -EIO;
			snprintf(err, len, "%s", d->err);
		}
		sd_notify(0, "STOPPING=1");
		xlog(LOG_INFO, "stopping; the data path keeps forwarding");
	} else {
		snprintf(err, len, "%s", d->err);
	}
	hcheck_close(&d->hc);
	health_close(&d->h);
	for (int f = 0; f < 2; f++)
		if (d->encap_fd[f])
			close(d->encap_fd[f]);
	if (d->ev)
		mnl_socket_close(d->ev);
	if (d->t.io.c) { /* table_open() succeeded */
		xt_free(&d->t); /* waits for the record writer: before the unlock */
		xb_close(&d->b);
	}
	xb_unlock(d->lock);
	if (ret && !d->running)
		attach_abort(&d->attach); /* a refused start leaves the system as it found it */
	/* The last of the system's: a next daemon may start. (A reload
	 * cannot change the pin root.) */
	daemon_unlock(d->one, d->cfg.pin_root);
	config_free(&d->cfg);
	krt_free(&d->krt);
	free(d);
	return ret;
}
