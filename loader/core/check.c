// SPDX-License-Identifier: GPL-2.0-only
/* The rules of `xfwd check` (docs/check.md). Each looks at one kind of
 * thing and says what it finds with its rule's name; the figures are
 * AWS's and the ena driver's, named where they are used. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "maps/xfwd_tunnel.h"

__attribute__((format(printf, 5, 6)))
int check_add(struct check_findings *f, enum check_level level, const char *rule, const char *subject,
	      const char *fmt, ...)
{
	struct finding *x;
	va_list ap;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct finding *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->level = (uint8_t)level;
	snprintf(x->rule, sizeof(x->rule), "%s", rule);
	snprintf(x->subject, sizeof(x->subject), "%s", subject);
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof(x->text), fmt, ap);
	va_end(ap);
	return 0;
}

int check_ena(const struct dev_facts *d, struct check_findings *f)
{
	char s[32];
	int bad = 0;

	if (strcmp(d->driver, "ena"))
		return 0;
	snprintf(s, sizeof(s), "dev %s", d->name);
	if (d->mtu > ENA_XDP_MAX_MTU && ++bad)
		check_add(f, CHECK_ERROR, "ena", s,
			   "MTU %u: the ena driver takes native XDP only up to MTU %u (a frame must fit one page; it has no multi-buffer XDP): ip link set %s mtu %u",
			   d->mtu, ENA_XDP_MAX_MTU, d->name, ENA_XDP_MAX_MTU);
	if (d->max_queues && d->queues > d->max_queues / 2 && ++bad)
		check_add(f, CHECK_ERROR, "ena", s,
			   "%u of %u channels in use: the ena driver takes native XDP only with at most half (each XDP RX queue needs a TX queue of its own): ethtool -L %s combined %u",
			   d->queues, d->max_queues, d->name, d->max_queues / 2);
	return bad ? -1 : 0;
}

static const struct dev_facts *dev_named(const struct check_model *m, const char *name)
{
	for (size_t i = 0; i < m->ndevs; i++)
		if (!strcmp(m->devs[i].name, name))
			return &m->devs[i];
	return NULL;
}

/* The underlay MTU a tunnel leaves by: its device's, else the smallest
 * attached device's; 1500 when nothing is known. */
static uint32_t underlay_mtu(const struct check_model *m, const struct tunnel_spec *t, bool *assumed)
{
	const struct dev_facts *d = t->dev[0] ? dev_named(m, t->dev) : NULL;
	uint32_t mtu = d ? d->mtu : 0;

	for (size_t i = 0; !d && i < m->ndevs; i++)
		if (m->devs[i].mtu && (!mtu || m->devs[i].mtu < mtu))
			mtu = m->devs[i].mtu;
	*assumed = !mtu;
	return mtu ? mtu : 1500;
}

static uint32_t overhead(const struct tunnel_spec *t)
{
	struct xfwd_tunnel x = { .type = (uint8_t)t->type, .family = (uint8_t)t->local.family,
				 .flags = (uint8_t)((t->has_key ? XFWD_TUN_F_KEY : 0) |
						    (t->inner_ip ? XFWD_TUN_F_INNER_IP : 0)) };

	return t->type == XFWD_TUN_IPSEC ? 0 : xfwd_tunnel_overhead(&x);
}

/* The MTU budget: what is left for the hosts' packets inside. */
static int rule_mtu(const struct check_model *m, const struct tunnel_spec *t, const char *s,
		    struct check_findings *f)
{
	bool assumed;
	uint32_t under = underlay_mtu(m, t, &assumed), oh = overhead(t);
	uint32_t inner = under > oh ? under - oh : 0;

	if (t->type == XFWD_TUN_IPSEC)
		return 0;
	if (t->mtu && t->mtu < inner)
		inner = t->mtu;
	if (inner < 1280)
		return check_add(f, CHECK_ERROR, "mtu", s,
			   "inner MTU %u (underlay %u%s - %u bytes of outer headers): below IPv6's minimum 1280; raise the underlay MTU (ENA: up to %u)",
			   inner, under, assumed ? " assumed" : "", oh, ENA_XDP_MAX_MTU);
	if (inner < 1500)
		return check_add(f, CHECK_WARN, "mtu", s,
			   "inner MTU %u (underlay %u%s - %u bytes of outer headers): hosts sending 1500 get 'fragmentation needed' (DF) or are fragmented by the kernel; set the hosts' MTU to %u, or the underlay to %u (ENA's XDP limit %u allows it)",
			   inner, under, assumed ? " assumed" : "", oh, inner, 1500 + oh, ENA_XDP_MAX_MTU);
	return check_add(f, CHECK_INFO, "mtu", s, "inner MTU %u (underlay %u%s - %u bytes of outer headers)", inner,
		   under, assumed ? " assumed" : "", oh);
}

/* EC2 limits one flow (5-tuple) to 5 Gbps outside a placement group: a
 * GRE or IP-in-IP tunnel is one flow whatever it carries. */
static int rule_flow(const struct tunnel_spec *t, const char *s, struct check_findings *f)
{
	if (t->type != XFWD_TUN_GRE && t->type != XFWD_TUN_IPIP)
		return 0;
	return check_add(f, CHECK_WARN, "flow", s,
		   "%s carries everything as one flow, which EC2 limits to 5 Gbps; VXLAN and GENEVE spread flows over UDP source ports (or add tunnels and ECMP over them)",
		   t->type == XFWD_TUN_GRE ? "GRE" : "IP-in-IP");
}

/* How long a dead path carries traffic: probes x multiplier, or BGP's
 * hold timer when nothing probes. */
static int rule_probe(const struct tunnel_spec *t, const char *s, struct check_findings *f)
{
	uint32_t ms = t->probe.interval_ms * t->probe.multiplier;

	if (!t->probe.mode)
		return check_add(f, CHECK_WARN, "probe", s,
			   "not probed: traffic leaves a dead path only when BGP's hold timer expires (90 to 240 s); add 'probe udp' (the peer runs xfwd) or 'probe icmp PEER from SRC'");
	if (ms > 1000)
		return check_add(f, CHECK_WARN, "probe", s, "probes fail it over after %u ms (%u ms x %u): above 1 s", ms,
			   t->probe.interval_ms, t->probe.multiplier);
	return check_add(f, CHECK_INFO, "probe", s, "fails over %u ms after the path dies (%u ms x %u), back %u ms after it returns",
		   ms, t->probe.interval_ms, t->probe.multiplier, t->probe.holddown_ms);
}

/* Two targets whose mapped prefixes overlap: the way back is ambiguous. */
static int rule_xlat(const struct check_model *m, struct check_findings *f)
{
	char s[XPREFIX_STRLEN], o[XPREFIX_STRLEN];

	for (size_t i = 0; i < m->nxlats; i++)
		for (size_t j = i + 1; j < m->nxlats; j++) {
			const struct xlat_spec *a = &m->xlats[i], *b = &m->xlats[j];

			if ((a->tunnel == b->tunnel && !strcmp(a->name, b->name)) ||
			    (!xprefix_covers(&a->mapped, &b->mapped) && !xprefix_covers(&b->mapped, &a->mapped)))
				continue;
			xprefix_str(&a->mapped, s);
			if (check_add(f, CHECK_ERROR, "xlat", s,
				"mapped prefix of %s %s overlaps %s of %s %s: the network cannot tell them apart; give each spoke its own mapped prefix",
				a->tunnel ? "tunnel" : "dev", a->name, xprefix_str(&b->mapped, o), b->tunnel ? "tunnel" : "dev",
				b->name))
				return -1;
		}
	return 0;
}

int check_run(const struct check_model *m, struct check_findings *f)
{
	char s[48];

	for (size_t i = 0; i < m->ndevs; i++)
		check_ena(&m->devs[i], f);
	for (size_t i = 0; i < m->ntunnels; i++) {
		snprintf(s, sizeof(s), "tunnel %s", m->tunnels[i].name);
		if (rule_mtu(m, &m->tunnels[i], s, f) || rule_flow(&m->tunnels[i], s, f) ||
		    rule_probe(&m->tunnels[i], s, f))
			return -1;
	}
	return check_routes(m, f) ?: rule_xlat(m, f);
}

int check_worst(const struct check_findings *f)
{
	int worst = -1;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].level > worst)
			worst = f->v[i].level;
	return worst;
}

/* s with JSON's escapes (the texts hold quotes). */
static size_t json_str(char *buf, size_t len, size_t at, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, "\\");
		at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, "%c", *s);
	}
	return at;
}

size_t check_format(const struct check_findings *f, bool json, char *buf, size_t len)
{
	static const char *const lv[] = { "info", "warning", "error" };
	size_t at = 0;

#define PUT(...) (at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, __VA_ARGS__))
	if (json)
		PUT("[");
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];

		if (!json) {
			PUT("%-7s %-8s %-24s %s\n", lv[x->level % 3], x->rule, x->subject, x->text);
			continue;
		}
		PUT("%s{\"level\":\"%s\",\"rule\":\"%s\",\"subject\":\"", i ? "," : "", lv[x->level % 3], x->rule);
		at = json_str(buf, len, at, x->subject);
		PUT("\",\"text\":\"");
		at = json_str(buf, len, at, x->text);
		PUT("\"}");
	}
	if (json)
		PUT("]\n");
#undef PUT
	if (len)
		buf[at < len ? at : len - 1] = 0;
	return at;
}

void check_free(struct check_findings *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}
