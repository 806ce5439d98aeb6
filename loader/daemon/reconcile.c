// SPDX-License-Identifier: GPL-2.0-only
/* The config file against the running table: checked whole, applied,
 * and on reload what the file dropped removed (docs/daemon.md). */
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
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#ifndef IFF_LOWER_UP /* <linux/if.h> has it, but clashes with <net/if.h> */
#define IFF_LOWER_UP 0x10000
#endif

#include "check.h"
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


/* An ipsec tunnel's key is its if_id (by default the id it was given)
 * who keys it and how ESP travels; its SPIs and keys live in the kernel's
 * SAs only: ipsec_keys_compare says what differs there (docs/ipsec.md). */
static bool ipsec_differs(const struct xfwd_tunnel *h, const struct tunnel_spec *w)
{
	return (w->if_id && h->key != w->if_id) || !(h->flags & XFWD_TUN_F_OWN_SA) != w->external ||
	       !(h->flags & XFWD_TUN_F_UDP_ENCAP) != !w->udp_encap;
}

/* What of a running tunnel a config line would change that cannot
 * change in place (docs/tunnel-change.md), or NULL. */
static const char *tunnel_fixed(const struct xfwd_tunnel *h, const struct tunnel_spec *w)
{
	if (w->type == XFWD_TUN_IPSEC && h->type == XFWD_TUN_IPSEC && ipsec_differs(h, w))
		return "an ipsec tunnel's keying";
	return xt_tunnel_fixed(h, w);
}

/* What `xfwd check` calls an error refuses the file (docs/check.md). */
static int findings_check(struct daemon *d, const struct xconfig *c)
{
	struct check_findings f = { 0 };
	int ret = 0;

	if (config_findings(c, false, &f)) {
		snprintf(d->err, sizeof(d->err), "%s: out of memory checking it", d->path);
		ret = -1;
	}
	for (size_t i = 0; !ret && i < f.n; i++)
		if (f.v[i].level == CHECK_ERROR) {
			snprintf(d->err, sizeof(d->err), "%s: %s (%s, rule %s; 'xfwd check -c %s' lists every finding)",
				 d->path, f.v[i].text, f.v[i].subject, f.v[i].rule, d->path);
			ret = -1;
		}
	check_free(&f);
	return ret;
}

/* One config line against the running state; err gets "FILE:LINE: ...". */
static int check_line(struct daemon *d, const struct xconfig *c, const struct config_line *l)
{
	char msg[512] = "";
	uint32_t id;

	if (l->is_tunnel) {
		const char *fixed;

		id = xt_tunnel_find(&d->t, l->tun.name);
		if (!id || !(fixed = tunnel_fixed(xt_tunnel(&d->t, id), &l->tun)))
			return 0;
		snprintf(msg, sizeof(msg), "tunnel %s: %s cannot change in place: remove it from the file, reload, then add it back",
			 l->tun.name, fixed);
		goto bad;
	}
	for (int i = 0; i < l->route.nvia && !msg[0]; i++)
		if (!if_nametoindex(l->route.via[i].dev))
			snprintf(msg, sizeof(msg), "no device '%s'", l->route.via[i].dev);
	for (int i = 0; i < l->route.ntunnels && !msg[0]; i++) {
		char key[128];

		snprintf(key, sizeof(key), "tunnel %s", l->route.tunnels[i]);
		if (!xt_tunnel_find(&d->t, l->route.tunnels[i]) && !config_has(c, key))
			snprintf(msg, sizeof(msg), "no tunnel %s in [tunnels] or running", l->route.tunnels[i]);
	}
	if (!msg[0])
		return 0;
bad:
	snprintf(d->err, sizeof(d->err), "%s:%d: %s", d->path, l->lineno, msg);
	return -1;
}

/* The metrics file's directory is there (node_exporter's package makes
 * it): else the file could never be written, and nobody would know. */
static int metrics_dir_check(struct daemon *d, const struct xconfig *c)
{
	char dir[sizeof(c->metrics_file)];
	struct stat st;

	if (!c->metrics_file[0])
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(c->metrics_file, '/') - c->metrics_file), c->metrics_file);
	if (!stat(dir[0] ? dir : "/", &st) && S_ISDIR(st.st_mode))
		return 0;
	snprintf(d->err, sizeof(d->err), "%s: metrics-file %s: no directory %s (install prometheus-node-exporter, which makes /var/lib/prometheus/node-exporter, or mkdir -p %s)",
		 d->path, c->metrics_file, dir, dir);
	return -1;
}

int config_check(struct daemon *d, const struct xconfig *c)
{
	if (metrics_dir_check(d, c))
		return -1;
	for (int i = 0; i < c->nattach; i++)
		if (!if_nametoindex(c->attach[i])) {
			snprintf(d->err, sizeof(d->err), "%s:%d: no device '%s' to attach (see 'ip link')",
				 d->path, c->attach_line, c->attach[i]);
			return -1;
		}
	for (size_t i = 0; i < c->ntunnels; i++)
		if (check_line(d, c, &c->tunnels[i]))
			return -1;
	for (size_t i = 0; i < c->nroutes; i++)
		if (check_line(d, c, &c->routes[i]))
			return -1;
	return filters_check(d, c) ?: xlats_check(d, c) ?: capacity_check(d, c) ?: findings_check(d, c);
}

/* A running ipsec tunnel with static keys is adopted as it is; its SPIs
 * and keys live only in the kernel, so a config that names others is
 * said, not applied: switching alone would cut the peer off
 * (docs/ipsec-rekey.md). */
static void ipsec_keys_compare(struct daemon *d, const struct xfwd_tunnel *tun,
			       const struct tunnel_spec *c)
{
	char msg[512];

	if (!(tun->flags & XFWD_TUN_F_OWN_SA) || !xfrm_sa_check(c, tun->key, msg, sizeof(msg)))
		return;
	xlog(LOG_WARNING, "warning: tunnel %s: %s; the running SAs stay: rekey with 'xfwd tunnel rekey' on both sides (docs/ipsec-rekey.md) or put the running SPIs and keys back in %s",
	       c->name, msg, d->path);
}

/* A running tunnel changed in place, said in the log. */
static int tunnel_change(struct daemon *d, uint32_t id, const struct tunnel_spec *c)
{
	const struct xfwd_tunnel *h = xt_tunnel(&d->t, id);
	struct tunnel_spec probe_only = *c;

	probe_only.probe = h->probe;
	if (xt_tunnel_same(h, &probe_only) && !xt_tunnel_same(h, c))
		xlog(LOG_INFO, "tunnel %s: new probe settings, probing starts afresh", c->name);
	else if (!xt_tunnel_same(h, c))
		xlog(LOG_INFO, "tunnel %s: changed in place (its routes stay; probing starts afresh)", c->name);
	return xt_tunnel_change(&d->t, id, c);
}

/* A [tunnels] line: added, or changed in place (config_check refused
 * what cannot change so). */
static int tunnel_apply(struct daemon *d, const struct tunnel_spec *c)
{
	uint32_t id = xt_tunnel_find(&d->t, c->name);
	static const char *const modes[] = { "off", "strict", "loose" };
	int ret;

	if (!id)
		return xt_tunnel_add(&d->t, c);
	ipsec_keys_compare(d, xt_tunnel(&d->t, id), c);
	if (!xt_urpf_same(&d->t, id, c)) {
		xlog(LOG_INFO, "tunnel %s: urpf %s, %d configured source prefix(es)", c->name,
		     modes[c->urpf % 3], c->nurpf_allow);
		if ((ret = xt_tunnel_set_urpf(&d->t, id, c)))
			return ret;
	}
	return tunnel_change(d, id, c);
}

static int apply_line(struct daemon *d, const struct config_line *l)
{
	int ret = l->is_tunnel ? tunnel_apply(d, &l->tun)
			       : xt_route_apply(&d->t, &l->route, XFWD_ORIGIN_STATIC, true);

	if (ret)
		xlog(LOG_ERR, "%s:%d: %s", d->path, l->lineno, d->err);
	return ret;
}

static void remove_one(const struct config_line *l, void *arg)
{
	struct daemon *d = arg;
	int ret = 0;

	if (l->is_tunnel)
		ret = xt_tunnel_del(&d->t, l->tun.name);
	else if (xt_route_origin(&d->t, &l->route.prefix) == XFWD_ORIGIN_STATIC)
		ret = xt_route_del(&d->t, &l->route.prefix);
	if (ret)
		xlog(LOG_WARNING, "could not remove what the file no longer has: %s", d->err);
}

/* What `old` had and `now` does not: static routes first (they may use
 * the tunnels), then tunnels. */
void remove_dropped(struct daemon *d, const struct xconfig *old, const struct xconfig *now)
{
	filters_dropped(d, old, now);
	xlats_dropped(d, old, now);
	config_dropped(old, now, remove_one, d);
}

struct attach_req attach_req(const struct xconfig *c)
{
	struct attach_req r = { .pin_root = c->pin_root, .mode = c->mode, .ndevs = c->nattach };

	memcpy(r.devs, c->attach, sizeof(r.devs));
	return r;
}

int attach_all(struct daemon *d, const struct xconfig *c)
{
	struct attach_req r = attach_req(c);

	return attach_devices(&r, d->err, sizeof(d->err));
}

int table_open(struct daemon *d)
{
	int ret = xb_open(&d->b, d->cfg.pin_root, d->err, sizeof(d->err));

	if (!ret && (ret = kio_table_load(&d->t, &d->b, true, d->err, sizeof(d->err)))) {
		xt_free(&d->t);
		xb_close(&d->b);
	}
	d->t.no_wait = true;
	if (!ret)
		ret = xt_sync_local(&d->t);
	return ret;
}

int config_apply(struct daemon *d, const struct xconfig *c)
{
	int fails = 0;

	for (size_t i = 0; i < c->ntunnels; i++)
		fails += apply_line(d, &c->tunnels[i]) != 0;
	for (size_t i = 0; i < c->nroutes; i++)
		fails += apply_line(d, &c->routes[i]) != 0;
	fails += filters_apply(d, c);
	fails += xlats_apply(d, c);
	return fails ? -EIO : 0;
}
