// SPDX-License-Identifier: GPL-2.0-only
/*
 * Route churn for test_faults (docs/reliability.md): replaces COUNT /24
 * routes of a kernel table, 100.64.0.0/24 upwards, ROUNDS times over,
 * blackhole and unreachable in turn, at RATE changes a second (0: as
 * fast as the kernel takes them). `ip -batch` waits for the kernel's
 * answer to each line and peaks at ~12k a second here; this sends
 * hundreds of requests per datagram and asks for no answer but the
 * kernel's errors, and one acknowledgement at the end.
 *
 *   churn TABLE COUNT ROUNDS RATE
 *
 * Prints "churn: N route changes in S s (R a second)"; exits 1 if the
 * kernel refused any.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PER_SEND 512

struct req {
	struct nlmsghdr h;
	struct rtmsg r;
	struct rtattr dst_a;
	uint32_t dst;
	struct rtattr table_a;
	uint32_t table;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(struct req *q, uint32_t table, uint32_t i, int round, uint32_t seq, bool ack)
{
	memset(q, 0, sizeof(*q));
	q->h = (struct nlmsghdr){ sizeof(*q), RTM_NEWROUTE,
				  NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | (ack ? NLM_F_ACK : 0), seq, 0 };
	q->r = (struct rtmsg){ .rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_UNSPEC,
			       .rtm_protocol = RTPROT_STATIC, .rtm_scope = RT_SCOPE_UNIVERSE,
			       .rtm_type = round % 2 ? RTN_UNREACHABLE : RTN_BLACKHOLE };
	q->dst_a = (struct rtattr){ RTA_LENGTH(4), RTA_DST };
	q->dst = htonl(100u << 24 | (64u + i / 256) << 16 | (i % 256) << 8);
	q->table_a = (struct rtattr){ RTA_LENGTH(4), RTA_TABLE };
	q->table = table;
}

/* The kernel's answers so far: errors counted; true once seq is acked. */
static bool drain(int fd, uint32_t seq, unsigned long *errors, bool wait)
{
	char buf[65536];
	bool acked = false;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), wait ? 0 : MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error && ++*errors == 1)
				fprintf(stderr, "churn: the kernel refused a change: %s\n", strerror(-e->error));
			acked |= h->nlmsg_seq == seq;
		}
		if (acked)
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	static struct req batch[PER_SEND];
	unsigned long errors = 0, total, sent = 0;
	uint32_t table, count, rounds, seq = 1;
	double rate, t0, t1;
	int fd;

	if (argc != 5)
		return fprintf(stderr, "usage: churn TABLE COUNT ROUNDS RATE\n"), 2;
	table = (uint32_t)atoi(argv[1]);
	count = (uint32_t)atoi(argv[2]);
	rounds = (uint32_t)atoi(argv[3]);
	rate = atof(argv[4]);
	if (!count || count > 64 * 256)
		return fprintf(stderr, "churn: COUNT is 1 to 16384\n"), 2;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0)
		return perror("churn: socket"), 2;
	total = (unsigned long)count * rounds;
	t0 = now();
	while (sent < total) {
		size_t n = 0;
		double ahead;

		for (; n < PER_SEND && sent + n < total; n++)
			fill(&batch[n], table, (uint32_t)((sent + n) % count), (int)((sent + n) / count),
			     seq++, false);
		if (send(fd, batch, n * sizeof(batch[0]), 0) < 0)
			return perror("churn: send"), 2;
		sent += n;
		drain(fd, 0, &errors, false);
		if (rate > 0 && (ahead = t0 + (double)sent / rate - now()) > 0)
			usleep((useconds_t)(ahead * 1e6));
	}
	/* One more, acknowledged: the kernel has done all before it. */
	fill(&batch[0], table, 0, (int)((total - 1) / count), seq, true);
	if (send(fd, batch, sizeof(batch[0]), 0) < 0)
		return perror("churn: send"), 2;
	while (!drain(fd, seq, &errors, true))
		;
	t1 = now();
	printf("churn: %lu route changes in %.1f s (%.0f a second)\n", total, t1 - t0,
	       (double)total / (t1 - t0));
	return errors ? 1 : 0;
}
