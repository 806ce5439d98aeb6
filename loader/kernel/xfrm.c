// SPDX-License-Identifier: GPL-2.0-only
/*
 * IPsec through the kernel's xfrm (docs/ipsec.md): XDP cannot encrypt, so
 * a tunnel of type ipsec is an xfrm interface (loader/tundev.c) plus, with
 * static keys, the SAs and policies programmed here over NETLINK_XFRM.
 * Everything is bound to the interface's if_id, so the policies apply
 * only to packets the kernel routes into that interface, and carries
 * xfwd's reqid, so that removal takes exactly what xfwd installed.
 */
#include "xfrm.h"
#include "nlattr.h"
#include "nlmsg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "rtnl.h"

#define AEAD_ALG "rfc4106(gcm(aes))"
#define ICV_BITS 128
#define REPLAY_WINDOW 32
/* xfwd's SAs and policy templates: "XF" and the low bits of the if_id. */
#define XFWD_REQID(if_id) (0x58460000u | ((if_id) & 0xffffu))

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Hex text (blanks and one leading 0x allowed) to bytes. */
static int parse_hex(const char *s, struct xfrm_key *k)
{
	int half = -1;

	k->len = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s) || (half < 0 && k->len == XFRM_KEY_MAX))
			return -1;
		if (half < 0) {
			half = hexval(*s);
		} else {
			k->bytes[k->len++] = (uint8_t)(half << 4 | hexval(*s));
			half = -1;
		}
	}
	return half < 0 ? 0 : -1;
}

int xfrm_key_read(const char *path, struct xfrm_key *k, char *err, size_t len)
{
	char text[256];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret = 0;

	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, len, "key file %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, len, "key file %s is not a regular file", path);
	} else if (st.st_uid != 0 || (st.st_mode & 077)) {
		ret = -EPERM;
		snprintf(err, len, "key file %s can be read by others than root (owner uid %u, mode %04o): chown root %s && chmod 600 %s",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), path, path);
	} else if ((n = read(fd, text, sizeof(text) - 1)) < 0) {
		ret = -errno;
		snprintf(err, len, "key file %s: %s", path, strerror(errno));
	} else {
		text[n] = 0;
		if (parse_hex(text, k) || (k->len != 20 && k->len != 28 && k->len != 36)) {
			ret = -EINVAL;
			snprintf(err, len, "key file %s: want the hex of an AES-GCM key and its 4-byte salt: 20, 28 or 36 bytes (40, 56 or 72 hex digits), e.g. from: od -An -tx1 -N36 /dev/urandom | tr -d ' \\n'",
				 path);
		}
	}
	if (fd >= 0)
		close(fd);
	explicit_bzero(text, sizeof(text)); /* key material */
	return ret;
}

int xfrm_sa_read(const struct tunnel_spec *c, struct xfrm_sa *out, struct xfrm_sa *in,
		 char *err, size_t len)
{
	int ret = c->spi_out ? xfrm_key_read(c->key_out, &out->key, err, len) : 0;

	if (!ret && c->spi_in)
		ret = xfrm_key_read(c->key_in, &in->key, err, len);
	out->spi = c->spi_out;
	in->spi = c->spi_in;
	out->udp_encap = in->udp_encap = c->udp_encap;
	return ret;
}

static void put_addr(xfrm_address_t *x, const struct xaddr *a)
{
	memset(x, 0, sizeof(*x));
	memcpy(x, a->bytes, a->family == AF_INET ? 4 : 16);
}

static void lifetime_infinite(struct xfrm_lifetime_cfg *l)
{
	l->soft_byte_limit = l->hard_byte_limit = XFRM_INF;
	l->soft_packet_limit = l->hard_packet_limit = XFRM_INF;
}

/* One SA src -> dst. */
static int sa_add(const struct xaddr *src, const struct xaddr *dst, uint32_t if_id,
		  const struct xfrm_sa *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_usersa_info *sa;
	union {
		struct xfrm_algo_aead a;
		char room[sizeof(struct xfrm_algo_aead) + XFRM_KEY_MAX];
	} aead = { 0 };
	int ret;

	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	sa = mnl_nlmsg_put_extra_header(nlh, sizeof(*sa));
	put_addr(&sa->id.daddr, dst);
	put_addr(&sa->saddr, src);
	sa->id.spi = htonl(s->spi);
	sa->id.proto = IPPROTO_ESP;
	sa->family = (uint16_t)src->family;
	sa->mode = XFRM_MODE_TUNNEL;
	sa->reqid = XFWD_REQID(if_id);
	sa->replay_window = REPLAY_WINDOW;
	sa->flags = XFRM_STATE_AF_UNSPEC; /* IPv4 and IPv6 inside */
	lifetime_infinite(&sa->lft);
	snprintf(aead.a.alg_name, sizeof(aead.a.alg_name), "%s", AEAD_ALG);
	aead.a.alg_key_len = (unsigned)(s->key.len * 8);
	aead.a.alg_icv_len = ICV_BITS;
	memcpy(aead.a.alg_key, s->key.bytes, s->key.len);
	mnl_attr_put(nlh, XFRMA_ALG_AEAD, sizeof(aead.a) + s->key.len, &aead);
	mnl_attr_put_u32(nlh, XFRMA_IF_ID, if_id);
	if (s->udp_encap) {
		struct xfrm_encap_tmpl e = { .encap_type = UDP_ENCAP_ESPINUDP,
					     .encap_sport = htons(XFRM_ENCAP_PORT),
					     .encap_dport = htons(XFRM_ENCAP_PORT) };

		mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(e), &e);
	}
	ret = nl_request(NETLINK_XFRM, nlh, NULL, NULL);
	explicit_bzero(buf, sizeof(buf)); /* key material */
	explicit_bzero(&aead, sizeof(aead));
	return ret;
}

static void policy_sel(struct xfrm_selector *sel, int inner)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = (uint16_t)inner; /* any address of that family */
}

/* The policy of direction dir for inner family `inner`: through the SA
 * src -> dst. */
static int policy_add(int dir, int inner, const struct xaddr *src, const struct xaddr *dst,
		      uint32_t if_id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_info *p;
	struct xfrm_user_tmpl t = { 0 };

	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	p = mnl_nlmsg_put_extra_header(nlh, sizeof(*p));
	policy_sel(&p->sel, inner);
	lifetime_infinite(&p->lft);
	p->dir = (uint8_t)dir;
	p->action = XFRM_POLICY_ALLOW;
	put_addr(&t.id.daddr, dst);
	put_addr(&t.saddr, src);
	t.id.proto = IPPROTO_ESP;
	t.family = (uint16_t)src->family;
	t.reqid = XFWD_REQID(if_id);
	t.mode = XFRM_MODE_TUNNEL;
	t.aalgos = t.ealgos = t.calgos = ~0u;
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	mnl_attr_put_u32(nlh, XFRMA_IF_ID, if_id);
	return nl_request(NETLINK_XFRM, nlh, NULL, NULL);
}

static int policy_del(int dir, int inner, uint32_t if_id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_id *p;

	nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
	p = mnl_nlmsg_put_extra_header(nlh, sizeof(*p));
	policy_sel(&p->sel, inner);
	p->dir = (uint8_t)dir;
	mnl_attr_put_u32(nlh, XFRMA_IF_ID, if_id);
	return nl_request(NETLINK_XFRM, nlh, NULL, NULL);
}

static const int dirs[] = { XFRM_POLICY_OUT, XFRM_POLICY_IN, XFRM_POLICY_FWD };
static const int inners[] = { AF_INET, AF_INET6 };
#define NPOLICIES 6 /* each direction for each inner family */

/* Policy k of NPOLICIES: out through local -> remote, in and fwd through
 * remote -> local. */
static int policy_k(bool add, int k, const struct xaddr *local, const struct xaddr *remote,
		    uint32_t if_id)
{
	int dir = dirs[k / 2], inner = inners[k % 2];
	bool out = dir == XFRM_POLICY_OUT;

	if (!add)
		return policy_del(dir, inner, if_id);
	return policy_add(dir, inner, out ? local : remote, out ? remote : local, if_id);
}

static void sa_del(const struct xfrm_usersa_id *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = XFRM_MSG_DELSA;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(*id)), id, sizeof(*id));
	nl_request(NETLINK_XFRM, nlh, NULL, NULL);
}

static void sa_del_spi(const struct xaddr *dst, uint32_t spi)
{
	struct xfrm_usersa_id id = { .spi = htonl(spi), .family = (uint16_t)dst->family,
				     .proto = IPPROTO_ESP };

	put_addr(&id.daddr, dst);
	sa_del(&id);
}

/* The message for ret; the error to return: a kernel without ESP is
 * the system's problem (-ENOPKG, exit 2), not the input's. */
static int install_error(int ret, const char *what, char *err, size_t len)
{
	if (ret == -ENOPROTOOPT || ret == -EPROTONOSUPPORT || ret == -ENOENT) {
		snprintf(err, len, "cannot install %s: this kernel has no ESP or AES-GCM (%s): modprobe esp4 esp6 xfrm_interface",
			 what, strerror(-ret));
		return -ENOPKG;
	}
	if (ret == -EEXIST)
		snprintf(err, len, "cannot install %s: an SA or policy with the same SPI or if_id exists (ip xfrm state; ip xfrm policy): choose other SPIs or if-id",
			 what);
	else
		snprintf(err, len, "cannot install %s: %s%s%s", what, strerror(-ret),
			 *nl_ack_msg() ? ": " : "", nl_ack_msg());
	return ret;
}

/* On failure, exactly what this call installed is removed again: an SA
 * or policy that was there before (another tunnel's, an IKE daemon's) is
 * what made it fail, and stays. */
int xfrm_install(const struct xaddr *local, const struct xaddr *remote, uint32_t if_id,
		 const struct xfrm_sa *out, const struct xfrm_sa *in, char *err, size_t len)
{
	int ret, k = 0;

	if ((ret = sa_add(local, remote, if_id, out))) {
		return install_error(ret, "the outbound SA", err, len);
	}
	if ((ret = sa_add(remote, local, if_id, in))) {
		ret = install_error(ret, "the inbound SA", err, len);
		sa_del_spi(remote, out->spi);
		return ret;
	}
	while (k < NPOLICIES && !(ret = policy_k(true, k, local, remote, if_id)))
		k++;
	if (!ret)
		return 0;
	ret = install_error(ret, "the policies", err, len);
	while (k--)
		policy_k(false, k, local, remote, if_id);
	sa_del_spi(remote, out->spi);
	sa_del_spi(local, in->spi);
	return ret;
}

/* ---- reading SAs back ---- */

struct sa_dump {
	uint32_t if_id;
	const struct xaddr *local;
	struct xfrm_sa_state *sa;
	int max, n;
	bool ours_only;
	/* for removal: the ids of xfwd's own SAs */
	struct xfrm_usersa_id *ids;
};

static int sa_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_dump *d = data;
	const struct xfrm_usersa_info *sa;
	struct sa_msg m;
	int i;

	if (xfrm_sa_parse(nlh, &m) || m.if_id != d->if_id ||
	    (d->ours_only && m.info.reqid != XFWD_REQID(d->if_id)))
		return MNL_CB_OK;
	if ((i = d->n++) >= d->max)
		return MNL_CB_OK;
	sa = &m.info;
	if (d->ids) {
		d->ids[i] = (struct xfrm_usersa_id){ .daddr = sa->id.daddr, .spi = sa->id.spi,
						     .family = sa->family, .proto = sa->id.proto };
		return MNL_CB_OK;
	}
	d->sa[i] = (struct xfrm_sa_state){
		.spi = ntohl(sa->id.spi),
		.out = !memcmp(&sa->saddr, d->local->bytes, d->local->family == AF_INET ? 4 : 16),
		.packets = sa->curlft.packets,
		.bytes = sa->curlft.bytes,
		.add_time = sa->curlft.add_time,
		.auth_failed = sa->stats.integrity_failed,
		.replay = sa->stats.replay,
	};
	return MNL_CB_OK;
}

static int sa_dump(struct sa_dump *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = XFRM_MSG_GETSA;
	nlh->nlmsg_flags = NLM_F_DUMP; /* no header: a dump parses none ("bytes leftover") */
	return nl_request(NETLINK_XFRM, nlh, sa_cb, d);
}

int xfrm_sa_list(uint32_t if_id, const struct xaddr *local, struct xfrm_sa_state *sa, int max)
{
	struct sa_dump d = { .if_id = if_id, .local = local, .sa = sa, .max = max };
	int ret = sa_dump(&d);

	return ret ? ret : d.n;
}

/* ---- the config against the kernel ---- */

/* What one SA get found: the if_id and key of the SA with that id. */
struct sa_get {
	uint32_t if_id;
	bool found;
	const struct xfrm_key *want;
	bool same_key;
};

static int sa_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_get *g = data;
	struct sa_msg m;

	if (xfrm_sa_parse(nlh, &m))
		return MNL_CB_OK;
	g->found = true;
	g->if_id = m.if_id;
	g->same_key = m.aead_key && m.aead_key_len == g->want->len &&
		      !memcmp(m.aead_key, g->want->bytes, g->want->len);
	return MNL_CB_OK;
}

/* The SA to dst with this SPI: 1 bound to if_id with this key, 0 not
 * there (or bound elsewhere), -EKEYREJECTED another key, or -errno. */
static int sa_matches(const struct xaddr *dst, uint32_t if_id, const struct xfrm_sa *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_usersa_id *id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
	struct sa_get g = { .want = &s->key };
	int ret;

	nlh->nlmsg_type = XFRM_MSG_GETSA;
	put_addr(&id->daddr, dst);
	id->spi = htonl(s->spi);
	id->family = (uint16_t)dst->family;
	id->proto = IPPROTO_ESP;
	ret = nl_request(NETLINK_XFRM, nlh, sa_get_cb, &g);
	explicit_bzero(buf, sizeof(buf)); /* the reply held the key */
	if (ret == -ESRCH || ret == -ENOENT || (!ret && (!g.found || g.if_id != if_id)))
		return 0;
	if (ret)
		return ret;
	return g.same_key ? 1 : -EKEYREJECTED;
}

static int sa_check_one(const struct xaddr *dst, uint32_t if_id, const struct xfrm_sa *s,
			const char *dir, const char *file, char *err, size_t len)
{
	int ret = sa_matches(dst, if_id, s);

	if (ret == 1)
		return 0;
	if (!ret)
		snprintf(err, len, "the kernel has no %sbound SA with spi-%s 0x%x", dir, dir, s->spi);
	else if (ret == -EKEYREJECTED)
		snprintf(err, len, "the %sbound SA 0x%x holds another key than key-%s %s", dir, s->spi,
			 dir, file);
	else
		snprintf(err, len, "cannot read the %sbound SA 0x%x: %s", dir, s->spi, strerror(-ret));
	return ret ? ret : -ENOENT;
}

int xfrm_sa_check(const struct tunnel_spec *c, uint32_t if_id, char *err, size_t len)
{
	struct xfrm_sa out = { 0 }, in = { 0 };
	int ret = xfrm_sa_read(c, &out, &in, err, len);

	if (!ret)
		ret = sa_check_one(&c->remote, if_id, &out, "out", c->key_out, err, len);
	if (!ret)
		ret = sa_check_one(&c->local, if_id, &in, "in", c->key_in, err, len);
	explicit_bzero(&out, sizeof(out));
	explicit_bzero(&in, sizeof(in));
	return ret;
}

/* ---- rekey ---- */

#define OWN_MAX 16

/* xfwd's own SAs of this tunnel: how many (at most OWN_MAX), or -errno. */
static int own_sas(uint32_t if_id, const struct xaddr *local, struct xfrm_sa_state *sa)
{
	struct sa_dump d = { .if_id = if_id, .local = local, .sa = sa, .max = OWN_MAX, .ours_only = true };
	int ret = sa_dump(&d);

	return ret ? ret : d.n < OWN_MAX ? d.n : OWN_MAX;
}

/* Remove xfwd's outbound SAs of this tunnel, all but the one with SPI keep. */
static void drop_outbound(uint32_t if_id, const struct xaddr *local, const struct xaddr *remote,
			  uint32_t keep)
{
	struct xfrm_sa_state sa[OWN_MAX];
	int n = own_sas(if_id, local, sa);

	for (int i = 0; i < n; i++)
		if (sa[i].out && sa[i].spi != keep)
			sa_del_spi(remote, sa[i].spi);
}

/* spi is one of xfwd's inbound SAs here, and not the last one left. */
static int retire_check(uint32_t if_id, const struct xaddr *local, uint32_t spi, bool adding,
			char *err, size_t len)
{
	struct xfrm_sa_state sa[OWN_MAX];
	int n = own_sas(if_id, local, sa), in = 0;
	bool found = false;

	if (n < 0) {
		snprintf(err, len, "cannot read the tunnel's SAs: %s", strerror(-n));
		return n;
	}
	for (int i = 0; i < n; i++) {
		in += !sa[i].out;
		found |= !sa[i].out && sa[i].spi == spi;
	}
	if (!found) {
		snprintf(err, len, "'retire-in 0x%x': no inbound SA of this tunnel has that SPI (xfwd tunnel show)", spi);
		return -ENOENT;
	}
	if (in == 1 && !adding) {
		snprintf(err, len, "'retire-in 0x%x' would leave the tunnel no inbound SA: add the next one first (spi-in N key-in FILE)", spi);
		return -EINVAL;
	}
	return 0;
}

/* Make before break: the kernel sends on the newest outbound SA of a
 * policy's template, and a new SA invalidates the routes cached on the
 * old one, so the old outbound SA carries nothing once the new one is in;
 * it goes a moment later, after packets already on their way through it. */
int xfrm_rekey(const struct xaddr *local, const struct xaddr *remote, uint32_t if_id,
	       const struct xfrm_sa *in, const struct xfrm_sa *out, uint32_t retire_in,
	       char *err, size_t len)
{
	int ret;

	if (retire_in && (ret = retire_check(if_id, local, retire_in, in->spi, err, len)))
		return ret;
	if (in->spi && (ret = sa_add(remote, local, if_id, in))) {
		return install_error(ret, "the new inbound SA", err, len);
	}
	if (out->spi && (ret = sa_add(local, remote, if_id, out))) {
		ret = install_error(ret, "the new outbound SA", err, len);
		if (in->spi)
			sa_del_spi(local, in->spi);
		return ret;
	}
	if (out->spi) {
		usleep(100 * 1000);
		drop_outbound(if_id, local, remote, out->spi);
	}
	if (retire_in)
		sa_del_spi(local, retire_in);
	return 0;
}

void xfrm_remove(uint32_t if_id)
{
	struct xfrm_usersa_id ids[16];
	struct sa_dump d = { .if_id = if_id, .max = 16, .ours_only = true, .ids = ids };

	for (int k = 0; k < NPOLICIES; k++)
		policy_k(false, k, NULL, NULL, if_id);
	if (sa_dump(&d))
		return;
	for (int i = 0; i < d.n && i < d.max; i++)
		sa_del(&ids[i]);
}

int xfrm_encap_socket(int family, char *err, size_t len)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(XFRM_ENCAP_PORT) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(XFRM_ENCAP_PORT) };
	int one = 1, encap = UDP_ENCAP_ESPINUDP, ret = 0;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    (family == AF_INET6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6))
				: bind(fd, (struct sockaddr *)&a4, sizeof(a4))) ||
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
		ret = -errno;
	if (!ret)
		return fd;
	snprintf(err, len, "cannot hold UDP %d (%s) for ESP in UDP: %s%s", XFRM_ENCAP_PORT,
		 family == AF_INET6 ? "IPv6" : "IPv4", strerror(-ret),
		 ret == -EADDRINUSE ? " (an IKE daemon's socket decapsulates it as well; anything else there leaves ESP in UDP undelivered: ss -ulnp sport = 4500)" : "");
	if (fd >= 0)
		close(fd);
	return ret;
}
