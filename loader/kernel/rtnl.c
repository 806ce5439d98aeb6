// SPDX-License-Identifier: GPL-2.0-only
#include "rtnl.h"
#include "nlattr.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grow.h"
#include "mirror.h"
#include "nlmsg.h"
#include "thread.h"

#ifndef NDA_FLAGS_EXT
#define NDA_FLAGS_EXT 15
#endif
#ifndef NTF_EXT_MANAGED
#define NTF_EXT_MANAGED (1 << 0)
#endif

/* The kernel's own words for the last request it refused on this thread
 * (its extended ack), for the error xfwd prints. */
static __thread char ack_msg[256];

const char *nl_ack_msg(void)
{
	return ack_msg;
}

/* NLMSG_ERROR, as libmnl's own handler reads it, keeping the text. */
static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	int error;

	(void)data;
	if (nl_ack_parse(nlh, &error, ack_msg, sizeof(ack_msg))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	errno = -error;
	return error ? MNL_CB_ERROR : MNL_CB_STOP;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

/* libmnl's control handlers but for NLMSG_ERROR; a type left NULL is
 * skipped (NLMSG_NOOP, NLMSG_OVERRUN: libmnl ignores them too). */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = ack_cb, [NLMSG_DONE] = done_cb };

/* Every message of one datagram: cb for data, ack_cb for errors. */
static int run_cbs(const char *buf, size_t len, unsigned int seq, unsigned int portid, mnl_cb_t cb,
		   void *data)
{
	if (!nl_datagram_ok(buf, len)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return mnl_cb_run2(buf, len, seq, portid, cb, data, ctl_cbs, NLMSG_MIN_TYPE);
}

int nl_connect_kernel(struct mnl_socket *nl)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK }; /* nl_pid 0: the kernel */

	return connect(mnl_socket_get_fd(nl), (struct sockaddr *)&k, sizeof(k));
}

/* A socket with the request sent on it (sequence number seq): 0, or
 * -errno with *nl NULL. */
static int send_request(int proto, struct nlmsghdr *nlh, struct mnl_socket **nl,
			unsigned int *seq, bool strict)
{
	int ret, one = 1;

	if (!(*nl = mnl_socket_open(proto)))
		return -errno;
	/* Strict: the kernel applies a dump's filters (table, protocol); a
	 * kernel without it dumps everything and the callback filters. */
	if (strict)
		mnl_socket_setsockopt(*nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	/* Errors with the kernel's text, without the request echoed back. */
	mnl_socket_setsockopt(*nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(*nl, NETLINK_CAP_ACK, &one, sizeof(one));
	ack_msg[0] = '\0';
	*seq = (unsigned int)time(NULL);
	nlh->nlmsg_seq = *seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0 || nl_connect_kernel(*nl) ||
	    mnl_socket_sendto(*nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		mnl_socket_close(*nl);
		*nl = NULL;
		return ret;
	}
	return 0;
}

static int request(int proto, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, bool strict)
{
	char buf[32768]; /* libmnl's recommended dump buffer size */
	struct mnl_socket *nl;
	unsigned int seq, portid;
	int ret = send_request(proto, nlh, &nl, &seq, strict);

	if (ret)
		return ret;
	portid = mnl_socket_get_portid(nl);
	do {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0) {
			ret = ret < 0 ? -errno : -EIO;
			break;
		}
		ret = run_cbs(buf, (size_t)ret, seq, portid, cb, data);
	} while (ret > 0);
	if (ret < 0)
		ret = -errno;
	mnl_socket_close(nl);
	return ret;
}

int nl_request(int proto, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return request(proto, nlh, cb, data, false);
}

int nl_request_strict(int proto, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return request(proto, nlh, cb, data, true);
}

int rtnl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return nl_request(NETLINK_ROUTE, nlh, cb, data);
}

/* ---- a large dump, received on a thread of its own ---- */

/* The kernel builds each part of a dump inside the recvmsg that asks for
 * it: at a full table that is a second of kernel time. A reader thread
 * receives into a ring of buffers while the caller parses. */
#define RING 64
#define PART 32768

struct dump_ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mnl_socket *nl;
	char (*buf)[PART];
	int len[RING]; /* bytes, or -errno */
	unsigned int head, tail; /* parts taken, parts received */
	bool stop;
};

/* The dump's last part holds NLMSG_DONE or an error. */
static bool last_part(const char *buf, int len)
{
	const struct nlmsghdr *h = (const void *)buf;

	for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

static void *dump_reader(void *arg)
{
	struct dump_ring *r = arg;
	bool end = false;

	while (!end) {
		unsigned int slot;
		int n;

		pthread_mutex_lock(&r->mu);
		while (r->tail - r->head == RING && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		slot = r->tail % RING;
		pthread_mutex_unlock(&r->mu);
		/* After a stop, parts are read and dropped until the end. */
		n = (int)mnl_socket_recvfrom(r->nl, r->buf[slot], PART);
		if (n <= 0)
			n = n < 0 ? -errno : -EIO;
		end = n < 0 || last_part(r->buf[slot], n);
		pthread_mutex_lock(&r->mu);
		if (!r->stop) {
			r->len[slot] = n;
			r->tail++;
			pthread_cond_broadcast(&r->cv);
		}
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

static int dump_consume(struct dump_ring *r, unsigned int seq, unsigned int portid,
			mnl_cb_t cb, void *data)
{
	int ret;

	do {
		unsigned int slot;

		pthread_mutex_lock(&r->mu);
		while (r->head == r->tail)
			pthread_cond_wait(&r->cv, &r->mu);
		slot = r->head % RING;
		pthread_mutex_unlock(&r->mu);
		ret = r->len[slot];
		if (ret > 0)
			ret = run_cbs(r->buf[slot], (size_t)ret, seq, portid, cb, data);
		if (ret < 0 && r->len[slot] > 0)
			ret = -errno;
		pthread_mutex_lock(&r->mu);
		r->head++;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	} while (ret > 0);
	return ret;
}

int rtnl_dump(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct dump_ring r = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	unsigned int seq;
	pthread_t th;
	int ret;

	if (!(r.buf = malloc(sizeof(*r.buf) * RING)))
		return -ENOMEM;
	if ((ret = send_request(NETLINK_ROUTE, nlh, &r.nl, &seq, false)) || (ret = thread_start(&th, dump_reader, &r)))
		goto out;
	ret = dump_consume(&r, seq, mnl_socket_get_portid(r.nl), cb, data);
	pthread_mutex_lock(&r.mu);
	r.stop = true;
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	pthread_join(th, NULL);
out:
	if (r.nl)
		mnl_socket_close(r.nl);
	free(r.buf);
	return ret;
}

/* ---- links ---- */

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	return rtnl_link_parse(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

int rtnl_link_get(uint32_t ifindex, struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	int ret;

	memset(li, 0, sizeof(*li));
	nlh->nlmsg_type = RTM_GETLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = (int)ifindex;
	ret = rtnl_request(nlh, link_cb, li);
	return ret == -ENODEV || (!ret && !li->ifindex) ? -ENODEV : ret;
}

int rtnl_link_by_name(const char *name, struct link_info *li)
{
	unsigned int idx = if_nametoindex(name);

	return idx ? rtnl_link_get(idx, li) : -ENODEV;
}

/* ---- neighbours ---- */

struct neigh_query {
	const struct xaddr *addr;
	uint32_t ifindex;
	uint8_t *mac;
	bool found;
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_query *q = data;
	struct neigh_event e;

	/* Any neighbour: a unicast one (IPv6 multicast entries map to 33:33:...). */
	if (!rtnl_neigh_parse(nlh, &e) && e.valid && e.ifindex == q->ifindex && !q->found &&
	    (q->addr->family ? xaddr_eq(&e.addr, q->addr) : !(e.mac[0] & 1))) {
		memcpy(q->mac, e.mac, 6);
		q->found = true;
	}
	return MNL_CB_OK;
}

int rtnl_neigh_mac(const struct xaddr *addr, uint32_t ifindex, uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct neigh_query q = { addr, ifindex, mac, false };
	struct ndmsg *nd;
	int ret;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_DUMP;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)addr->family;
	nd->ndm_ifindex = (int)ifindex;
	ret = rtnl_request(nlh, neigh_cb, &q);
	if (ret)
		return ret;
	return q.found ? 0 : -ENOENT;
}

static struct nlmsghdr *neigh_msg(char *buf, const struct xaddr *addr,
				   uint32_t ifindex, uint16_t flags, uint8_t ntf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = flags;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)addr->family;
	nd->ndm_ifindex = (int)ifindex;
	nd->ndm_state = NUD_NONE;
	nd->ndm_flags = ntf;
	mnl_attr_put(nlh, NDA_DST, addr->family == AF_INET ? 4 : 16, addr->bytes);
	return nlh;
}

int rtnl_neigh_manage(const struct xaddr *addr, uint32_t ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* NLM_F_CREATE without EXCL/REPLACE: an existing entry (static or
	 * learned) is left as it is; otherwise a managed one is made. */
	struct nlmsghdr *nlh = neigh_msg(buf, addr, ifindex, NLM_F_CREATE, 0);
	int ret;

	mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	ret = rtnl_request(nlh, NULL, NULL);
	if (ret && ret != -EEXIST)
		return ret;
	/* Managed entries are probed by delayed work; NTF_USE starts the
	 * resolution now. */
	return rtnl_request(neigh_msg(buf, addr, ifindex, NLM_F_REPLACE, NTF_USE), NULL, NULL);
}
