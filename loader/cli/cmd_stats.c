// SPDX-License-Identifier: GPL-2.0-only
/* xfwd stats [reset | -i SECONDS], xfwd metrics: the data path's
 * counters, summed over CPUs (kernel/counters.c). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf.h"
#include "cmd.h"
#include "counters.h"
#include "json.h"
#include "kio_kernel.h"
#include "metrics.h"
#include "table.h"

/* ---- stats ---- */

static int stats_live(const struct cli_req *r, const struct xb *b, char *err, size_t len);

/* Per probed tunnel: probes sent and answered (the daemon's), and
 * replies the XDP program noted. */
static void probes_print(const struct xb *b, struct jw *w)
{
	struct xfwd_tunnel *all = xc_tunnels(b);
	bool head = false;

	for (uint32_t id = 1; all && id < XFWD_MAX_TUNNELS; id++) {
		const struct xfwd_tunnel t = all[id];
		struct xfwd_health h;
		struct xfwd_probe_rx rx = { 0 };

		if (!t.type || !t.probe.mode || bpf_map_lookup_elem(b->fd.health, &id, &h))
			continue;
		bpf_map_lookup_elem(b->fd.probe_rx, &id, &rx);
		if (w) {
			if (!head)
				jw_obj_begin(w, "probes");
			jw_obj_begin(w, t.name);
			jw_uint(w, "probes_sent", h.sent);
			jw_uint(w, "probes_received", h.received);
			jw_uint(w, "replies_seen", rx.replies);
			jw_obj_end(w);
		} else {
			if (!head)
				printf("\n%-20s %14s %14s %14s\n", "tunnel probes", "sent", "received", "replies seen");
			printf("%-20s %14llu %14llu %14llu\n", t.name, (unsigned long long)h.sent,
			       (unsigned long long)h.received, (unsigned long long)rx.replies);
		}
		head = true;
	}
	if (w && head)
		jw_obj_end(w);
	free(all);
}

static void stats_print(const struct xb *b, const struct xfwd_counter *s, bool json)
{
	struct xfwd_counter act[XFWD_ACT_MAX] = { 0 };
	struct jw w;

	for (int r = 0; r < XFWD_R_MAX; r++) {
		act[reason_act(r)].packets += s[r].packets;
		act[reason_act(r)].bytes += s[r].bytes;
	}
	if (json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w, NULL);
		jw_obj_begin(&w, "actions");
		for (int a = 0; a < XFWD_ACT_MAX; a++) {
			jw_obj_begin(&w, action_name(a));
			jw_uint(&w, "packets", act[a].packets);
			jw_uint(&w, "bytes", act[a].bytes);
			jw_obj_end(&w);
		}
		jw_obj_end(&w);
		jw_obj_begin(&w, "reasons");
		for (int r = 0; r < XFWD_R_MAX; r++) {
			jw_obj_begin(&w, reason_name(r));
			jw_str(&w, "action", reason_action(r));
			jw_uint(&w, "packets", s[r].packets);
			jw_uint(&w, "bytes", s[r].bytes);
			jw_obj_end(&w);
		}
		jw_obj_end(&w);
		probes_print(b, &w);
		jw_obj_end(&w);
		return;
	}
	printf("%-20s %14s %16s\n", "action", "packets", "bytes");
	for (int a = 0; a < XFWD_ACT_MAX; a++)
		printf("%-20s %14llu %16llu\n", action_name(a),
		       (unsigned long long)act[a].packets, (unsigned long long)act[a].bytes);
	printf("\n%-20s %-8s %14s %16s  %s\n", "reason", "action", "packets", "bytes", "meaning");
	for (int r = 0; r < XFWD_R_MAX; r++)
		printf("%-20s %-8s %14llu %16llu  %s\n", reason_name(r), reason_action(r),
		       (unsigned long long)s[r].packets, (unsigned long long)s[r].bytes, reason_desc(r));
	probes_print(b, NULL);
}

int cmd_stats(const struct cli_req *r, char *err, size_t len)
{
	struct xfwd_counter s[XFWD_R_MAX];
	struct xb b;
	int ret;

	if ((ret = xb_open(&b, r->pin_root, err, len)))
		return ret;
	if (r->interval_s) {
		ret = stats_live(r, &b, err, len);
		xb_close(&b);
		return ret;
	}
	ret = xc_reasons(&b, s);
	if (ret)
		snprintf(err, len, "cannot read counters: %s", strerror(-ret));
	else
		stats_print(&b, s, r->json);
	xb_close(&b);
	return ret;
}

int cmd_stats_reset(const struct cli_req *r, char *err, size_t len)
{
	struct xb b;
	int ret;

	if ((ret = xb_open(&b, r->pin_root, err, len)))
		return ret;
	if ((ret = xc_reset(&b)))
		snprintf(err, len, "cannot reset counters: %s", strerror(-ret));
	xb_close(&b);
	return ret;
}

/* ---- stats -i: live rates ---- */

struct snap {
	struct metrics_tunnel tun[XFWD_MAX_TUNNELS];
	struct metrics m;
	struct timespec at;
};

static int snap_read(const struct xb *b, struct snap *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->at);
	return xc_metrics(b, 0, 0, &s->m, s->tun);
}

/* Per second over dt, from two counter readings (a reset in between
 * reads as 0, not as a huge rate). */
static double rate(uint64_t now, uint64_t then, double dt)
{
	return now >= then ? (double)(now - then) / dt : 0;
}

static const struct metrics_tunnel *tun_named(const struct snap *s, const char *name)
{
	for (size_t i = 0; i < s->m.ntun; i++)
		if (!strncmp(s->tun[i].name, name, sizeof(s->tun[i].name)))
			return &s->tun[i];
	return NULL;
}

static void rates_json(const struct snap *a, const struct snap *b, double dt)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_uint(&w, "interval_ms", (uint64_t)(dt * 1000 + 0.5));
	jw_obj_begin(&w, "reasons");
	for (unsigned int r = 0; r < XFWD_R_MAX; r++) {
		jw_obj_begin(&w, reason_name(r));
		jw_uint(&w, "pps", (uint64_t)rate(b->m.reason[r].packets, a->m.reason[r].packets, dt));
		jw_uint(&w, "bps", (uint64_t)(8 * rate(b->m.reason[r].bytes, a->m.reason[r].bytes, dt)));
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	jw_obj_begin(&w, "tunnels");
	for (size_t i = 0; i < b->m.ntun; i++) {
		const struct metrics_tunnel *t = &b->tun[i], *o = tun_named(a, t->name);
		struct xfwd_tunnel_counters z = { 0 }, c0 = o ? o->c : z;

		jw_obj_begin(&w, t->name);
		jw_uint(&w, "in_pps", (uint64_t)rate(t->c.rx_packets, c0.rx_packets, dt));
		jw_uint(&w, "in_bps", (uint64_t)(8 * rate(t->c.rx_bytes, c0.rx_bytes, dt)));
		jw_uint(&w, "out_pps", (uint64_t)rate(t->c.tx_packets, c0.tx_packets, dt));
		jw_uint(&w, "out_bps", (uint64_t)(8 * rate(t->c.tx_bytes, c0.tx_bytes, dt)));
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	jw_obj_end(&w);
	putchar('\n');
}

/* A rate as an engineer reads it: 1.25G, 830k, 12. */
static const char *si(double v, char *buf, size_t len)
{
	static const char units[] = " kMGT";
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.2f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

/* The reasons and tunnels that moved, as a table. */
static void rates_text(const struct snap *a, const struct snap *b, double dt)
{
	char x[16], y[16], z[16], q[16];
	bool any = false;

	printf("%-20s %-8s %10s %10s   (over %.1f s)\n", "reason", "action", "pkts/s", "bits/s", dt);
	for (unsigned int r = 0; r < XFWD_R_MAX; r++) {
		double p = rate(b->m.reason[r].packets, a->m.reason[r].packets, dt);

		if (p > 0)
			printf("%-20s %-8s %10s %10s\n", reason_name(r), reason_action(r), si(p, x, sizeof(x)),
			       si(8 * rate(b->m.reason[r].bytes, a->m.reason[r].bytes, dt), y, sizeof(y)));
	}
	for (size_t i = 0; i < b->m.ntun; i++) {
		const struct metrics_tunnel *t = &b->tun[i], *o = tun_named(a, t->name);
		struct xfwd_tunnel_counters zero = { 0 }, c0 = o ? o->c : zero;

		if (!any)
			printf("%-20s %10s %10s %10s %10s\n", "tunnel", "in pkts/s", "in bits/s", "out pkts/s",
			       "out bits/s");
		any = true;
		printf("%-20s %10s %10s %10s %10s\n", t->name, si(rate(t->c.rx_packets, c0.rx_packets, dt), x, sizeof(x)),
		       si(8 * rate(t->c.rx_bytes, c0.rx_bytes, dt), y, sizeof(y)),
		       si(rate(t->c.tx_packets, c0.tx_packets, dt), z, sizeof(z)),
		       si(8 * rate(t->c.tx_bytes, c0.tx_bytes, dt), q, sizeof(q)));
	}
	putchar('\n');
	fflush(stdout);
}

static int stats_live(const struct cli_req *r, const struct xb *b, char *err, size_t len)
{
	struct snap *s = calloc(2, sizeof(*s));
	int ret = s ? snap_read(b, &s[0]) : -ENOMEM;

	for (uint32_t n = 0; !ret && (!r->count || n < r->count); n++) {
		struct snap *then = &s[n & 1], *now = &s[(n + 1) & 1];
		struct timespec d = { (time_t)r->interval_s, 0 };
		double dt;

		while (nanosleep(&d, &d) && errno == EINTR)
			;
		if ((ret = snap_read(b, now)))
			break;
		dt = (double)(now->at.tv_sec - then->at.tv_sec) + (double)(now->at.tv_nsec - then->at.tv_nsec) / 1e9;
		if (r->json)
			rates_json(then, now, dt);
		else
			rates_text(then, now, dt);
	}
	if (ret)
		snprintf(err, len, "cannot read counters: %s", strerror(-ret));
	free(s);
	return ret;
}

/* ---- metrics ---- */

static int metrics_show(struct xtable *t, const struct cli_req *r)
{
	struct metrics_tunnel *tun = calloc(XFWD_MAX_TUNNELS, sizeof(*tun));
	struct metrics m = { 0 };
	int ret = tun ? xc_metrics(kio_xb(t), xt_used_nexthops(t), xt_used_groups(t), &m, tun) : -ENOMEM;

	(void)r;
	if (!ret && metrics_write(stdout, &m))
		ret = -EIO;
	if (ret)
		xt_error(t, "cannot read the counters: %s", strerror(-ret));
	free(tun);
	return ret;
}

int cmd_metrics(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, metrics_show);
}
