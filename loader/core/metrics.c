// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prometheus text exposition (version 0.0.4) of xfwd's figures. Every
 * family has its HELP and TYPE; counters end in _total; label values
 * are names xfwd checked at creation (tunnels: [A-Za-z0-9_.-]), so they
 * need no escaping beyond what esc() does for safety.
 */
#include "metrics.h"

#include "bfd.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#define REASON_ROW(name, act, desc) { #name, XFWD_ACT_##act, desc },
static const struct {
	const char *name;
	int action;
	const char *desc;
} reasons[XFWD_R_MAX] = { XFWD_REASONS(REASON_ROW) };
static const char *const actions[XFWD_ACT_MAX] = { "tx", "redirect", "pass", "drop" };
static const char *const states[] = { "no-daemon", "init", "up", "down", "hold-down" };
#define NSTATES (sizeof(states) / sizeof(states[0]))

const char *reason_name(unsigned int r)
{
	static char lower[XFWD_R_MAX][32];

	if (r >= XFWD_R_MAX)
		return "?";
	if (!lower[r][0])
		for (size_t i = 0; reasons[r].name[i] && i + 1 < sizeof(lower[r]); i++)
			lower[r][i] = (char)tolower((unsigned char)reasons[r].name[i]);
	return lower[r];
}

const char *reason_action(unsigned int r)
{
	return r < XFWD_R_MAX ? actions[reasons[r].action] : "?";
}

int reason_act(unsigned int r)
{
	return r < XFWD_R_MAX ? reasons[r].action : XFWD_ACT_DROP;
}

const char *reason_desc(unsigned int r)
{
	return r < XFWD_R_MAX ? reasons[r].desc : "?";
}

const char *action_name(unsigned int a)
{
	return a < XFWD_ACT_MAX ? actions[a] : "?";
}

const char *health_state_name(unsigned int state)
{
	return state < NSTATES ? states[state] : "?";
}

uint32_t health_stale_s(uint32_t interval_ms, uint32_t judged_s, uint32_t now_s)
{
	uint32_t age = now_s - judged_s;

	if (!judged_s || now_s < judged_s)
		return 0;
	return age > 2 * ((interval_ms + 999) / 1000) + 2 ? age : 0;
}

/* A label value: backslash, quote and newline escaped. */
static const char *esc(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			buf[o++] = '\\';
		buf[o++] = *s == '\n' ? 'n' : *s;
	}
	buf[o] = 0;
	return buf;
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void gauge(FILE *f, const char *name, const char *help, double v)
{
	head(f, name, "gauge", help);
	fprintf(f, "%s %.17g\n", name, v);
}

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	head(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

static void reasons_write(FILE *f, const struct metrics *m)
{
	head(f, "xfwd_packets_total", "counter", "Packets the XDP program handled, by reason (xfwd stats).");
	for (unsigned int r = 0; r < XFWD_R_MAX; r++)
		fprintf(f, "xfwd_packets_total{reason=\"%s\",action=\"%s\"} %llu\n", reason_name(r),
			reason_action(r), (unsigned long long)m->reason[r].packets);
	head(f, "xfwd_bytes_total", "counter", "Bytes the XDP program handled, by reason.");
	for (unsigned int r = 0; r < XFWD_R_MAX; r++)
		fprintf(f, "xfwd_bytes_total{reason=\"%s\",action=\"%s\"} %llu\n", reason_name(r),
			reason_action(r), (unsigned long long)m->reason[r].bytes);
}

/* One counter family over the tunnels, in and out. */
static void tunnel_io(FILE *f, const struct metrics *m, const char *name, const char *help, bool bytes)
{
	char t[64];

	head(f, name, "counter", help);
	for (size_t i = 0; i < m->ntun; i++) {
		const struct xfwd_tunnel_counters *c = &m->tun[i].c;

		esc(m->tun[i].name, t, sizeof(t));
		fprintf(f, "%s{tunnel=\"%s\",direction=\"in\"} %llu\n", name, t,
			(unsigned long long)(bytes ? c->rx_bytes : c->rx_packets));
		fprintf(f, "%s{tunnel=\"%s\",direction=\"out\"} %llu\n", name, t,
			(unsigned long long)(bytes ? c->tx_bytes : c->tx_packets));
	}
}

/* A gauge per probed tunnel (bfd: per tunnel with a BFD session): a
 * __u32 of its xfwd_health at field, divided by scale. */
static void health_gauge(FILE *f, const struct metrics *m, const char *name, const char *help,
			 bool bfd, size_t field, double scale, int digits)
{
	char t[64];
	uint32_t v;

	head(f, name, "gauge", help);
	for (size_t i = 0; i < m->ntun; i++) {
		if (!(bfd ? m->tun[i].bfd : m->tun[i].probed))
			continue;
		memcpy(&v, (const char *)&m->tun[i].h + field, sizeof(v));
		fprintf(f, "%s{tunnel=\"%s\"} %.*f\n", name, esc(m->tun[i].name, t, sizeof(t)), digits, v / scale);
	}
}

static void tunnels_write(FILE *f, const struct metrics *m)
{
	char t[64];

	tunnel_io(f, m, "xfwd_tunnel_packets_total", "Packets decapsulated (in) and encapsulated (out) in XDP.", false);
	tunnel_io(f, m, "xfwd_tunnel_bytes_total", "Bytes decapsulated (in) and encapsulated (out) in XDP.", true);
	head(f, "xfwd_tunnel_urpf_drops_total", "counter", "Decapsulated packets whose inner source the tunnel may not send (docs/urpf.md).");
	for (size_t i = 0; i < m->ntun; i++)
		fprintf(f, "xfwd_tunnel_urpf_drops_total{tunnel=\"%s\"} %llu\n", esc(m->tun[i].name, t, sizeof(t)),
			(unsigned long long)m->tun[i].c.urpf_drops);
	head(f, "xfwd_tunnel_state", "gauge", "1 for the probed tunnel's health state (docs/health.md).");
	for (size_t i = 0; i < m->ntun; i++)
		for (unsigned int s = 1; m->tun[i].probed && s < NSTATES; s++)
			fprintf(f, "xfwd_tunnel_state{tunnel=\"%s\",state=\"%s\"} %d\n", esc(m->tun[i].name, t, sizeof(t)),
				states[s], m->tun[i].h.state == s);
	health_gauge(f, m, "xfwd_tunnel_rtt_seconds", "Round-trip time of the probed tunnel's last answered probe.",
		     false, offsetof(struct xfwd_health, rtt_us), 1e6, 6);
	health_gauge(f, m, "xfwd_tunnel_probe_loss_ratio", "Probes unanswered, of the last 100.",
		     false, offsetof(struct xfwd_health, loss_permille), 1e3, 3);
	head(f, "xfwd_tunnel_probes_total", "counter", "Probes sent and answered.");
	for (size_t i = 0; i < m->ntun; i++)
		if (m->tun[i].probed) {
			esc(m->tun[i].name, t, sizeof(t));
			fprintf(f, "xfwd_tunnel_probes_total{tunnel=\"%s\",result=\"sent\"} %llu\n", t,
				(unsigned long long)m->tun[i].h.sent);
			fprintf(f, "xfwd_tunnel_probes_total{tunnel=\"%s\",result=\"answered\"} %llu\n", t,
				(unsigned long long)m->tun[i].h.received);
		}
}

/* BFD sessions (docs/bfd.md): their packets are in
 * xfwd_tunnel_probes_total. */
static void bfd_write(FILE *f, const struct metrics *m)
{
	char t[64];

	head(f, "xfwd_bfd_session_state", "gauge", "1 for the BFD session's state (the session's own, beside the tunnel's verdict).");
	for (size_t i = 0; i < m->ntun; i++)
		for (unsigned int s = 0; m->tun[i].bfd && s < 4; s++)
			fprintf(f, "xfwd_bfd_session_state{tunnel=\"%s\",state=\"%s\"} %d\n", esc(m->tun[i].name, t, sizeof(t)),
				bfd_state_name(s), m->tun[i].h.bfd_state == s);
	health_gauge(f, m, "xfwd_bfd_detect_seconds", "The BFD session's detection time of the peer, in force.",
		     true, offsetof(struct xfwd_health, bfd_detect_us), 1e6, 6);
	health_gauge(f, m, "xfwd_bfd_tx_interval_seconds", "The BFD session's transmit interval in force (before jitter).",
		     true, offsetof(struct xfwd_health, bfd_tx_us), 1e6, 6);
}

/* The paths with a capacity: it, their load, and whether the rest of
 * their group could take that load. A tunnel is labelled tunnel, a
 * device dev. */
static void path_line(FILE *f, const char *family, const struct metrics_path *p, uint64_t v)
{
	char t[64];

	fprintf(f, "%s{%s=\"%s\"} %llu\n", family, p->dev ? "dev" : "tunnel", esc(p->name, t, sizeof(t)),
		(unsigned long long)v);
}

static void capacity_write(FILE *f, const struct metrics *m)
{
	head(f, "xfwd_path_capacity_bytes_per_second", "gauge", "What the tunnel or device can carry ([capacity], given in bits).");
	for (size_t i = 0; i < m->npaths; i++)
		path_line(f, "xfwd_path_capacity_bytes_per_second", &m->paths[i], m->paths[i].capacity_bps / 8);
	head(f, "xfwd_path_load_bytes_per_second", "gauge", "What the tunnel or device sent, over capacity-window.");
	for (size_t i = 0; i < m->npaths; i++)
		path_line(f, "xfwd_path_load_bytes_per_second", &m->paths[i], m->paths[i].load_bps / 8);
	head(f, "xfwd_path_backup_short", "gauge",
	     "1 when the path's traffic would not fit in what the rest of its ECMP group has spare.");
	for (size_t i = 0; i < m->npaths; i++)
		if (m->paths[i].backup_known)
			path_line(f, "xfwd_path_backup_short", &m->paths[i], m->paths[i].backup_short);
}

static void use(FILE *f, const char *what, const char *help, uint32_t used, uint32_t max)
{
	char name[64], h[160];

	snprintf(name, sizeof(name), "xfwd_%s", what);
	gauge(f, name, help, used);
	snprintf(name, sizeof(name), "xfwd_%s_limit", what);
	snprintf(h, sizeof(h), "The most the maps hold of xfwd_%s.", what);
	gauge(f, name, h, max);
}

static void table_write(FILE *f, const struct metrics *m)
{
	head(f, "xfwd_routes", "gauge", "Routes in the data path's tables.");
	fprintf(f, "xfwd_routes{family=\"ipv4\"} %u\nxfwd_routes{family=\"ipv6\"} %u\n", m->routes4, m->routes6);
	head(f, "xfwd_routes_limit", "gauge", "The most routes the tables hold.");
	fprintf(f, "xfwd_routes_limit{family=\"ipv4\"} %u\nxfwd_routes_limit{family=\"ipv6\"} %u\n",
		m->routes4_max, m->routes6_max);
	use(f, "nexthops", "Next hops in use.", m->nexthops, m->nexthops_max);
	use(f, "groups", "Next-hop groups (ECMP sets) in use.", m->groups, m->groups_max);
	use(f, "tbl8_groups", "IPv4 second-level groups in use (routes longer than /24).", m->tbl8, m->tbl8_max);
	use(f, "tbl6_nodes", "IPv6 table nodes in use (1 KiB each, the 256 of the root included).", m->tbl6, m->tbl6_max);
	if (m->tblc_max > 1) /* attached with ipv4-table compact */
		use(f, "tblc_lines", "IPv4 compact table lines in use (64 bytes each).", m->tblc, m->tblc_max);
}

static void daemon_write(FILE *f, const struct metrics_daemon *d)
{
	counter(f, "xfwd_mirror_resyncs_total", "Times the mirrored kernel table was read again whole.", d->resyncs);
	counter(f, "xfwd_map_write_failures_total", "Map writes that failed (each is retried by a resync).",
		d->write_failures);
	head(f, "xfwd_reloads_total", "counter", "Config reloads (SIGHUP), applied or refused whole.");
	fprintf(f, "xfwd_reloads_total{result=\"applied\"} %llu\nxfwd_reloads_total{result=\"refused\"} %llu\n",
		(unsigned long long)d->reloads, (unsigned long long)d->reloads_refused);
	counter(f, "xfwd_probe_calls_total",
		"Calls that sent tunnel probes: every probe due at one wake-up goes in one (docs/probe-batching.md).",
		d->probe_calls);
	gauge(f, "xfwd_last_commit_timestamp_seconds", "When the daemon last changed the data path's tables.",
	      d->last_commit);
	gauge(f, "xfwd_start_timestamp_seconds", "When the daemon started.", d->started);
}

int metrics_write(FILE *f, const struct metrics *m)
{
	reasons_write(f, m);
	tunnels_write(f, m);
	bfd_write(f, m);
	table_write(f, m);
	if (m->daemon) {
		capacity_write(f, m);
		daemon_write(f, m->daemon);
	}
	return ferror(f) ? -1 : 0;
}
