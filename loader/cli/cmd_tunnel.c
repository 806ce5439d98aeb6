// SPDX-License-Identifier: GPL-2.0-only
/* xfwd tunnel add|del|show */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "counters.h"
#include "bfd.h"
#include "json.h"
#include "log.h"
#include "kio_kernel.h"
#include "table.h"
#include "xfrm.h"

/* The tunnel's underlay addresses. */
static void tunnel_addrs(const struct xfwd_tunnel *tun, struct xaddr *l, struct xaddr *rm)
{
	*l = (struct xaddr){ .family = tun->family };
	*rm = (struct xaddr){ .family = tun->family };
	memcpy(l->bytes, tun->local, 16);
	memcpy(rm->bytes, tun->remote, 16);
}

static int tunnel_change(struct xtable *t, const struct cli_req *r)
{
	int ret;

	uint32_t id;

	if (r->cmd == CMD_TUNNEL_DEL)
		return xt_tunnel_del(t, r->tun.name);
	if (r->cmd == CMD_TUNNEL_CHANGE)
		return (id = xt_tunnel_need(t, r->tun.name)) ? xt_tunnel_change(t, id, &r->tun) : -ENOENT;
	ret = xt_tunnel_add(t, &r->tun);
	if (!ret && r->tun.udp_encap) /* the command holds no socket; the daemon does */
		xlog(LOG_NOTICE, "note: ESP in UDP %d arriving for tunnel %s is decrypted only while 'xfwd run' (or an IKE daemon) holds UDP %d (docs/ipsec.md)",
			XFRM_ENCAP_PORT, r->tun.name, XFRM_ENCAP_PORT);
	return ret;
}

int cmd_tunnel_change(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_table(r, err, len, tunnel_change, TABLE_WRITE);
}

static int tunnel_rekey(struct xtable *t, const struct cli_req *r)
{
	uint32_t id = xt_tunnel_need(t, r->tun.name);
	struct xaddr l, rm;
	struct xfrm_sa out = { 0 }, in = { 0 };
	int ret;

	if (!id)
		return -ENOENT;
	if (xt_tunnel(t, id)->type != XFWD_TUN_IPSEC || !(xt_tunnel(t, id)->flags & XFWD_TUN_F_OWN_SA)) {
		xt_error(t, "tunnel %s is not an ipsec tunnel with static keys: %s",
			 r->tun.name, xt_tunnel(t, id)->type == XFWD_TUN_IPSEC ? "its IKE daemon rekeys it" : "only those are rekeyed");
		return -EINVAL;
	}
	tunnel_addrs(xt_tunnel(t, id), &l, &rm);
	ret = xfrm_sa_read(&r->tun, &out, &in, t->err, t->errlen);
	out.udp_encap = in.udp_encap = xt_tunnel(t, id)->flags & XFWD_TUN_F_UDP_ENCAP; /* as the tunnel's */
	if (!ret)
		ret = xfrm_rekey(&l, &rm, xt_tunnel(t, id)->key, &in, &out, r->tun.retire_in, t->err, t->errlen);
	explicit_bzero(&out, sizeof(out)); /* key material */
	explicit_bzero(&in, sizeof(in));
	return ret;
}

int cmd_tunnel_rekey(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, tunnel_rekey);
}

/* An ipsec tunnel: its if_id, who keys it, and the kernel's SAs bound to
 * it (SPI, direction, counters, age; never keys). */
static void ipsec_detail(const struct xfwd_tunnel *tun, struct jw *w)
{
	struct xaddr l, rm;
	struct xfrm_sa_state sa[16];
	const char *keyed = (tun->flags & XFWD_TUN_F_OWN_SA) ? "static" : "external";
	bool udp = tun->flags & XFWD_TUN_F_UDP_ENCAP; /* static keys only: an IKE daemon's are its own */
	time_t now = time(NULL);
	int n;

	tunnel_addrs(tun, &l, &rm);
	n = xfrm_sa_list(tun->key, &l, sa, 16);
	n = n < 0 ? 0 : n > 16 ? 16 : n;
	if (!w) {
		printf(" if-id %u keyed-by %s%s sas %d", tun->key, keyed, udp ? " encap udp" : "", n);
		for (int i = 0; i < n; i++)
			printf(" [%s spi 0x%08x pkts %llu bytes %llu age %llds auth-failed %u replay %u]",
			       sa[i].out ? "out" : "in", sa[i].spi, (unsigned long long)sa[i].packets,
			       (unsigned long long)sa[i].bytes, (long long)(now - (time_t)sa[i].add_time),
			       sa[i].auth_failed, sa[i].replay);
		return;
	}
	jw_uint(w, "if_id", tun->key);
	jw_str(w, "keyed_by", keyed);
	if (tun->flags & XFWD_TUN_F_OWN_SA)
		jw_str(w, "encap", udp ? "udp" : "none");
	jw_arr_begin(w, "sas");
	for (int i = 0; i < n; i++) {
		jw_obj_begin(w, NULL);
		jw_str(w, "dir", sa[i].out ? "out" : "in");
		jw_uint(w, "spi", sa[i].spi);
		jw_uint(w, "packets", sa[i].packets);
		jw_uint(w, "bytes", sa[i].bytes);
		jw_uint(w, "age_s", (uint64_t)(now - (time_t)sa[i].add_time));
		jw_uint(w, "auth_failed", sa[i].auth_failed);
		jw_uint(w, "replay", sa[i].replay);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static const char *const urpf_modes[] = { "off", "strict", "loose" };

/* A tunnel's inner-source validation (docs/urpf.md): its mode, drops and
 * configured sources. */
static void urpf_detail(const struct xfwd_tunnel *tun, const struct xfwd_tunnel_counters *c,
			const struct xprefix *allow, int n, struct jw *w)
{
	char p[XPREFIX_STRLEN];

	if (!w) {
		if (!tun->urpf && !n)
			return;
		printf(" urpf %s dropped %llu", urpf_modes[tun->urpf % 3],
		       (unsigned long long)c->urpf_drops);
		for (int i = 0; i < n; i++)
			printf("%s%s", i ? "," : " urpf-allow ", xprefix_str(&allow[i], p));
		return;
	}
	jw_str(w, "urpf", urpf_modes[tun->urpf % 3]);
	jw_uint(w, "urpf_drops", c->urpf_drops);
	jw_arr_begin(w, "urpf_allow");
	for (int i = 0; i < n; i++)
		jw_str(w, NULL, xprefix_str(&allow[i], p));
	jw_arr_end(w);
}

/* A learning tunnel's peer MAC before it is known: "none-yet". */
static const char *peer_mac_text(const struct xfwd_tunnel *tun, char *buf)
{
	static const uint8_t none[6];

	if (!memcmp(tun->peer_mac, none, 6))
		return "none-yet";
	return mac_str(tun->peer_mac, buf);
}

static void tunnel_line(struct xtable *t, const struct xfwd_tunnel *tun, uint32_t id,
			const struct xfwd_tunnel_counters *c, struct jw *w)
{
	struct xprefix allow[XFWD_URPF_ALLOW_TUNNEL];
	int nallow = xt_urpf_read(t, id, allow, XFWD_URPF_ALLOW_TUNNEL);

	struct xaddr l, rm;
	char a[XADDR_STRLEN], b[XADDR_STRLEN], m[18];
	static const char *const types[] = { "?", "gre", "ipip", "vxlan", "geneve", "ipsec" };
	bool gwlb = tun->flags & XFWD_TUN_F_GWLB;
	const char *type = gwlb ? "gwlb" : tun->type < 6 ? types[tun->type] : "?";
	const char *keyword = tun->type == XFWD_TUN_GRE ? "key" : "vni";
	const char *payload = (tun->flags & XFWD_TUN_F_INNER_IP) ? "ip" : "eth";
	bool udp = tun->type == XFWD_TUN_VXLAN || tun->type == XFWD_TUN_GENEVE;
	/* The kernel device for this host's own traffic (loader/tundev.c). */
	const char *kdev = (tun->flags & XFWD_TUN_F_OWN_DEV) ? "created" :
			   if_nametoindex(tun->name) ? "adopted" : "none";
	/* The host's own traffic in the tunnel (its BGP, BFD, pings) crosses
	 * that device, not XDP's counters: shown apart. */
	struct link_info dev = { 0 };
	uint32_t ifindex = if_nametoindex(tun->name);
	bool host = ifindex && !KIO(&t->io, link_get, ifindex, &dev);

	tunnel_addrs(tun, &l, &rm);
	if (!w) {
		printf("%s: id %u type %s local %s remote %s", tun->name, id, type,
		       xaddr_str(&l, a), gwlb ? "any" : xaddr_str(&rm, b));
		if (tun->flags & XFWD_TUN_F_KEY)
			printf(" %s %u", keyword, tun->key);
		if (udp)
			printf(" payload %s", payload);
		if (udp && !(tun->flags & XFWD_TUN_F_INNER_IP))
			printf(" peer-mac %s%s", peer_mac_text(tun, m),
			       tun->flags & XFWD_TUN_F_PEER_LEARN ? " (learned)" : "");
		if (tun->type == XFWD_TUN_IPSEC)
			ipsec_detail(tun, NULL);
		printf(" kernel-dev %s", kdev);
		urpf_detail(tun, c, allow, nallow > 0 ? nallow : 0, NULL);
		printf(" ttl %u%s rx %llu pkts %llu bytes tx %llu pkts %llu bytes", tun->ttl,
		       "", (unsigned long long)c->rx_packets, (unsigned long long)c->rx_bytes,
		       (unsigned long long)c->tx_packets, (unsigned long long)c->tx_bytes);
		if (host)
			printf(" host-rx %llu pkts %llu bytes host-tx %llu pkts %llu bytes",
			       (unsigned long long)dev.rx_packets, (unsigned long long)dev.rx_bytes,
			       (unsigned long long)dev.tx_packets, (unsigned long long)dev.tx_bytes);
		printf("\n");
		return;
	}
	jw_obj_begin(w, NULL);
	jw_str(w, "name", tun->name);
	jw_uint(w, "id", id);
	jw_str(w, "type", type);
	jw_str(w, "local", xaddr_str(&l, a));
	jw_str(w, "remote", gwlb ? "any" : xaddr_str(&rm, b));
	if (tun->flags & XFWD_TUN_F_KEY)
		jw_uint(w, keyword, tun->key);
	if (udp)
		jw_str(w, "payload", payload);
	if (udp && !(tun->flags & XFWD_TUN_F_INNER_IP)) {
		jw_str(w, "peer_mac", peer_mac_text(tun, m));
		jw_bool(w, "peer_mac_learned", tun->flags & XFWD_TUN_F_PEER_LEARN);
	}
	if (tun->type == XFWD_TUN_IPSEC)
		ipsec_detail(tun, w);
	jw_str(w, "kernel_dev", kdev);
	if (host) {
		jw_uint(w, "host_rx_packets", dev.rx_packets);
		jw_uint(w, "host_rx_bytes", dev.rx_bytes);
		jw_uint(w, "host_tx_packets", dev.tx_packets);
		jw_uint(w, "host_tx_bytes", dev.tx_bytes);
	}
	urpf_detail(tun, c, allow, nallow > 0 ? nallow : 0, w);
	jw_uint(w, "ttl", tun->ttl);
	jw_uint(w, "rx_packets", c->rx_packets);
	jw_uint(w, "rx_bytes", c->rx_bytes);
	jw_uint(w, "tx_packets", c->tx_packets);
	jw_uint(w, "tx_bytes", c->tx_bytes);
	jw_obj_end(w);
}

static int tunnel_show(struct xtable *t, const struct cli_req *r)
{
	struct xfwd_tunnel_counters c;
	struct jw w;

	jw_init(&w, stdout);
	if (r->json)
		jw_arr_begin(&w, NULL);
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		if (!xt_tunnel(t, id)->type)
			continue;
		xc_tunnel(kio_xb(t), id, &c);
		tunnel_line(t, xt_tunnel(t, id), id, &c, r->json ? &w : NULL);
	}
	if (r->json)
		jw_arr_end(&w);
	return 0;
}

int cmd_tunnel_show(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, tunnel_show);
}

static const char *health_state(const struct xfwd_tunnel *tun, const struct xfwd_health *h)
{
	return tun->probe.mode ? health_state_name(h->state) : "not-probed";
}

static const char *probe_mode(unsigned int mode)
{
	static const char *const n[] = { "none", "udp", "icmp", "bfd", "bfd-multihop" };

	return mode < sizeof(n) / sizeof(n[0]) ? n[mode] : "?";
}

static bool bfd(const struct xfwd_tunnel *tun)
{
	return tun->probe.mode == XFWD_PROBE_BFD || tun->probe.mode == XFWD_PROBE_BFD_MH;
}

/* A BFD session's own state beside the tunnel's verdict (docs/bfd.md). */
static void bfd_line(const struct xfwd_health *h, struct jw *w)
{
	if (!w) {
		printf(" session %s remote %s diag %s tx %u us detect %u us discr %u/%u",
		       bfd_state_name(h->bfd_state), bfd_state_name(h->bfd_remote_state),
		       bfd_diag_name(h->bfd_diag), h->bfd_tx_us, h->bfd_detect_us,
		       h->bfd_my_discr, h->bfd_your_discr);
		return;
	}
	jw_obj_begin(w, "bfd");
	jw_str(w, "session", bfd_state_name(h->bfd_state));
	jw_str(w, "remote", bfd_state_name(h->bfd_remote_state));
	jw_str(w, "diag", bfd_diag_name(h->bfd_diag));
	jw_str(w, "remote_diag", bfd_diag_name(h->bfd_remote_diag));
	jw_uint(w, "tx_us", h->bfd_tx_us);
	jw_uint(w, "detect_us", h->bfd_detect_us);
	jw_uint(w, "my_discriminator", h->bfd_my_discr);
	jw_uint(w, "your_discriminator", h->bfd_your_discr);
	jw_obj_end(w);
}

static void health_line(const struct xfwd_tunnel *tun, const struct xfwd_health *h,
			struct jw *w)
{
	const char *mode = probe_mode(tun->probe.mode);
	char when[32] = "-";
	time_t s = (time_t)(h->changed_unix_ms / 1000);
	struct tm tm;

	uint32_t stale = tun->probe.mode ? health_stale_s(tun->probe.interval_ms, h->judged_unix_s,
							  (uint32_t)time(NULL)) : 0;

	if (h->changed_unix_ms && gmtime_r(&s, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!w) {
		printf("%s: %s", tun->name, health_state(tun, h));
		if (stale)
			printf(" (stale: not judged for %u s; is xfwd run running?)", stale);
		printf(" probe %s", mode);
		if (tun->probe.mode)
			printf(" every %u ms x%u hold-down %u ms", tun->probe.interval_ms,
			       tun->probe.multiplier, tun->probe.holddown_ms);
		if (bfd(tun) && h->state)
			bfd_line(h, NULL);
		else if (tun->probe.mode)
			printf(" rtt %u us loss %u.%u%%", h->rtt_us, h->loss_permille / 10, h->loss_permille % 10);
		if (tun->probe.mode)
			printf(" sent %llu received %llu since %s (%s)", (unsigned long long)h->sent,
			       (unsigned long long)h->received, when, h->reason[0] ? h->reason : "-");
		printf("\n");
		return;
	}
	jw_obj_begin(w, NULL);
	jw_str(w, "name", tun->name);
	jw_str(w, "state", health_state(tun, h));
	jw_str(w, "probe", mode);
	jw_uint(w, "interval_ms", tun->probe.interval_ms);
	jw_uint(w, "multiplier", tun->probe.multiplier);
	jw_uint(w, "hold_down_ms", tun->probe.holddown_ms);
	jw_uint(w, "rtt_us", h->rtt_us);
	jw_uint(w, "loss_permille", h->loss_permille);
	jw_uint(w, "probes_sent", h->sent);
	jw_uint(w, "probes_received", h->received);
	jw_str(w, "changed", when);
	jw_uint(w, "changed_unix_ms", h->changed_unix_ms);
	jw_str(w, "reason", h->reason);
	jw_uint(w, "judged_unix_s", h->judged_unix_s);
	jw_bool(w, "stale", stale);
	if (bfd(tun) && h->state)
		bfd_line(h, w);
	jw_obj_end(w);
}

static int health_show(struct xtable *t, const struct cli_req *r)
{
	struct jw w;

	jw_init(&w, stdout);
	if (r->json)
		jw_arr_begin(&w, NULL);
	for (uint32_t id = 1; id < XFWD_MAX_TUNNELS; id++) {
		struct xfwd_health h = { 0 };

		if (!xt_tunnel(t, id)->type)
			continue;
		bpf_map_lookup_elem(kio_xb(t)->fd.health, &id, &h);
		health_line(xt_tunnel(t, id), &h, r->json ? &w : NULL);
	}
	if (r->json)
		jw_arr_end(&w);
	return 0;
}

int cmd_health(const struct cli_req *r, char *err, size_t len)
{
	return cmd_with_nexthops(r, err, len, health_show);
}
