// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's own ceiling for route updates (make bench). BIRD and the
 * kernel together add or remove ~130k routes/s here, below what the
 * daemon can follow; this tool feeds it the kernel's route notifications
 * directly, as fast as it takes them.
 *
 * A root (CAP_NET_ADMIN) rtnetlink socket may send to a multicast group:
 * every subscriber, the daemon among them, receives the message as if
 * the kernel had sent it. The same datagram is then sent to a port no
 * one has, so the kernel does not act on it. One message per datagram,
 * as the kernel sends them. The feed keeps the daemon's socket queue
 * under QUEUE_MAX bytes (/proc/net/netlink), so it measures the rate the
 * daemon keeps up with, never an overrun.
 *
 *   nl_replay PIN_ROOT PREFIXES TABLE add|del GW1 IFINDEX1 GW2 IFINDEX2
 *
 * Prints "N routes in S s": from the first message to the end marker (a
 * route sent last) being in the data path's tbl24.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../maps/xfwd_maps.h"

#define QUEUE_MAX (24u << 20)
#define NOBODY 0x7ffffff0u /* a port id no socket has */
#define MARKER "198.18.255.0" /* benchmarking range: not in a real table */

struct msg {
	struct nlmsghdr h;
	struct rtmsg r;
	char attrs[128];
};

static void put_attr(struct msg *m, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (void *)((char *)m + NLMSG_ALIGN(m->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	m->h.nlmsg_len = NLMSG_ALIGN(m->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* The kernel's notification of a two-path route (RTA_MULTIPATH). */
static void build(struct msg *m, int type, uint32_t table, struct in_addr dst, int len,
		  const struct in_addr gw[2], const int oif[2])
{
	char mp[2 * (sizeof(struct rtnexthop) + RTA_SPACE(4))], *p = mp;

	memset(m, 0, sizeof(*m));
	m->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	m->h.nlmsg_type = (unsigned short)type;
	m->r = (struct rtmsg){ .rtm_family = AF_INET, .rtm_dst_len = (unsigned char)len,
			       .rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC,
			       .rtm_protocol = 12 /* bird */, .rtm_scope = RT_SCOPE_UNIVERSE,
			       .rtm_type = RTN_UNICAST };
	put_attr(m, RTA_TABLE, &table, 4);
	put_attr(m, RTA_DST, &dst, 4);
	for (int i = 0; i < 2; i++) {
		struct rtnexthop *nh = (void *)p;
		struct rtattr *a = RTNH_DATA(nh);

		nh->rtnh_len = sizeof(*nh) + RTA_SPACE(4);
		nh->rtnh_flags = 0;
		nh->rtnh_hops = 0;
		nh->rtnh_ifindex = oif[i];
		a->rta_type = RTA_GATEWAY;
		a->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(a), &gw[i], 4);
		p += nh->rtnh_len;
	}
	put_attr(m, RTA_MULTIPATH, mp, sizeof(mp));
}

/* Bytes queued on the route listener with the most queued (the daemon). */
static unsigned long queued(void)
{
	FILE *f = fopen("/proc/net/netlink", "r");
	unsigned long most = 0, rmem, groups;
	char line[256];
	int eth;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %d %*u %lx %lu", &eth, &groups, &rmem) == 3 &&
		    eth == NETLINK_ROUTE && (groups & RTMGRP_IPV4_ROUTE) && rmem > most)
			most = rmem;
	fclose(f);
	return most;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int send_msg(int fd, const struct msg *m)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = NOBODY,
				  .nl_groups = RTMGRP_IPV4_ROUTE };

	/* The multicast copy is out before the unicast part fails. */
	if (sendto(fd, m, m->h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	    errno != ECONNREFUSED) {
		perror("nl_replay: sendto");
		return -1;
	}
	return 0;
}

static int marker_live(int tbl24)
{
	struct xfwd_lpm_line line;
	struct in_addr a;
	uint32_t idx, key;

	inet_pton(AF_INET, MARKER, &a);
	idx = ntohl(a.s_addr) >> 8;
	key = idx / XFWD_LPM_LINE;
	return !bpf_map_lookup_elem(tbl24, &key, &line) && line.e[idx % XFWD_LPM_LINE];
}

int main(int argc, char **argv)
{
	struct in_addr gw[2], dst;
	int oif[2], fd, tbl24, type, n = 0, len;
	char path[512], line[128];
	uint32_t table;
	struct msg m;
	FILE *f;
	double t0;

	if (argc != 9) {
		fprintf(stderr, "usage: nl_replay PIN_ROOT PREFIXES TABLE add|del GW1 IFINDEX1 GW2 IFINDEX2\n");
		return 2;
	}
	table = (uint32_t)atoi(argv[3]);
	type = !strcmp(argv[4], "del") ? RTM_DELROUTE : RTM_NEWROUTE;
	inet_pton(AF_INET, argv[5], &gw[0]);
	oif[0] = atoi(argv[6]);
	inet_pton(AF_INET, argv[7], &gw[1]);
	oif[1] = atoi(argv[8]);
	snprintf(path, sizeof(path), "%s/" XFWD_PIN(tbl24), argv[1]);
	if ((tbl24 = bpf_obj_get(path)) < 0 || !(f = fopen(argv[2], "r")) ||
	    (fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) < 0) {
		fprintf(stderr, "nl_replay: %s: %s\n", tbl24 < 0 ? path : argv[2], strerror(errno));
		return 1;
	}
	if (marker_live(tbl24)) {
		fprintf(stderr, "nl_replay: the marker %s/24 is in the table already\n", MARKER);
		return 1;
	}
	t0 = now();
	while (fgets(line, sizeof(line), f)) {
		char *slash = strchr(line, '/');

		if (!slash || (*slash = 0, inet_pton(AF_INET, line, &dst) != 1))
			continue;
		len = atoi(slash + 1);
		build(&m, type, table, dst, len, gw, oif);
		if (send_msg(fd, &m))
			return 1;
		if (++n % 1024 == 0)
			while (queued() > QUEUE_MAX)
				usleep(200);
	}
	inet_pton(AF_INET, MARKER, &dst);
	build(&m, RTM_NEWROUTE, table, dst, 24, gw, oif);
	if (send_msg(fd, &m))
		return 1;
	while (!marker_live(tbl24)) {
		if (now() - t0 > 120) {
			fprintf(stderr, "nl_replay: the marker never reached the data path\n");
			return 1;
		}
		usleep(200);
	}
	printf("%d routes in %.3f s\n", n, now() - t0);
	/* Leave no marker behind. */
	build(&m, RTM_DELROUTE, table, dst, 24, gw, oif);
	return send_msg(fd, &m) ? 1 : 0;
}
