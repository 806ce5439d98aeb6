// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU a bare wake-up costs on this host: a thread that only sleeps in
 * poll() for INTERVAL ms, COUNT times, as the daemon sleeps between probe
 * rounds. Prints the thread's CPU ns per wake-up (the floor under any
 * per-wake-up work; bench/health_run.sh).
 * With DEV and FRAMES, each wake-up also sends FRAMES bare 96-byte frames
 * out of DEV with one sendmmsg() on a packet socket (qdisc bypassed): the
 * least a sender in user space can do to put frames on a device, with
 * nothing encapsulated and nothing read back.
 *   wake_cost INTERVAL-MS COUNT [DEV FRAMES]
 */
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_FRAMES 256

static long long cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
/* Broadcast from a local MAC, IPv4 ethertype: nothing the far end keeps. */
static unsigned char frame[96] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
static struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
static struct mmsghdr msgs[MAX_FRAMES];

static int sender(const char *dev, int frames)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || !(to.sll_ifindex = (int)if_nametoindex(dev)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		perror(dev);
		return -1;
	}
	for (int i = 0; i < frames; i++)
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &to, .msg_namelen = sizeof(to),
						   .msg_iov = &iov, .msg_iovlen = 1 };
	return fd;
}

int main(int argc, char **argv)
{
	int interval, count, frames = 0, fd = -1;
	long long t0;

	if ((argc != 3 && argc != 5) || (interval = atoi(argv[1])) <= 0 || (count = atoi(argv[2])) <= 0 ||
	    (argc == 5 && ((frames = atoi(argv[4])) <= 0 || frames > MAX_FRAMES))) {
		fprintf(stderr, "usage: wake_cost INTERVAL-MS COUNT [DEV FRAMES(1-%d)]\n", MAX_FRAMES);
		return 2;
	}
	if (frames && (fd = sender(argv[3], frames)) < 0)
		return 1;
	t0 = cpu_ns();
	for (int i = 0; i < count; i++) {
		poll(NULL, 0, interval);
		if (frames && sendmmsg(fd, msgs, (unsigned int)frames, 0) != frames) {
			perror("sendmmsg");
			return 1;
		}
	}
	printf("%lld\n", (cpu_ns() - t0) / count);
	return 0;
}
