// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfwd-gen: a traffic generator for XDP forwarding benchmarks. It sends
 * 64-byte IPv4/UDP frames (IPv6/UDP with --ipv6) out of a device with BPF_PROG_RUN in live-frames
 * mode (the kernel transmits what the program returns XDP_TX for), each to
 * an address inside one of the given prefixes (the prefixes in a random
 * order, shuffled at start, then read in turn), and measures what
 * the whole pipeline costs on the one CPU it runs on:
 *
 *   xfwd-gen --dev DEV --dst-mac MAC (--dst ADDR | --prefixes FILE)
 *            [--src ADDR] [--size BYTES] [--seconds S] [--cpu N]
 *            [--sink NETNS:DEV] [--gre FROM,TO,KEY | --gwlb FROM,TO] [--ipv6]
 *
 * With --gre, each frame is inside GRE with that key from FROM to TO
 * (--size is then the inner frame's: the outer headers come on top), for
 * a forwarder that decapsulates. With --gwlb, inside GENEVE as AWS
 * Gateway Load Balancer sends it (UDP 6081, class 0x0108's options), for
 * an appliance that sends it back (docs/gwlb.md): --sink DEV's own
 * namespace and DEV then count what returns.
 *
 * With --sink, a counting XDP_DROP program is attached to DEV in network
 * namespace NETNS (/run/netns/NETNS) for the run; frames that reach it are
 * "delivered". Veth pairs process frames on the CPU that sent them, so all
 * the work happens on --cpu: the CPU cost per packet of generator + forwarder +
 * sink. Output: one line of key=value pairs; ns_per_pkt is the CPU time
 * of this process and of that CPU's ksoftirqd (where veth's softirq work
 * runs) per delivered frame, so other tasks sharing the CPU do not count.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "loader/core/prefix.h"
#include "xfwd-gen.skel.h"
#include "tests/bpf/pkt.h"

/* Destinations per map value, as in xfwd-gen.bpf.c. */
#define GEN_LINE 16
#define GEN_LINE6 4

struct opts {
	const char *dev, *prefixes, *sink_ns, *sink_dev;
	const char *src, *dst;
	char *gre_from, *gre_to; /* --gre, --gwlb: outer source, destination */
	int gwlb;                /* --gwlb: GENEVE, not GRE */
	uint32_t gre_key;
	uint8_t dmac[6];
	int size, cpu, ipv6;
	double seconds;
};

static void usage(void)
{
	fprintf(stderr, "usage: xfwd-gen --dev DEV --dst-mac MAC (--dst ADDR | --prefixes FILE)\n"
			"                [--src ADDR] [--size BYTES] [--seconds S] [--cpu N] [--sink NETNS:DEV]\n"
			"                [--gre FROM,TO,KEY | --gwlb FROM,TO] [--ipv6]\n");
	exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, "xfwd-gen: %s\n", what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Busy nanoseconds of one CPU so far (everything but idle and iowait). */
static uint64_t cpu_busy_ns(int cpu)
{
	char want[16], line[512];
	unsigned long long v[10] = { 0 }, busy = 0;
	FILE *f = fopen("/proc/stat", "r");

	snprintf(want, sizeof(want), "cpu%d ", cpu);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want))) {
			sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu",
			       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
			break;
		}
	if (f)
		fclose(f);
	for (int i = 0; i < 8; i++)
		if (i != 3 && i != 4) /* idle, iowait */
			busy += v[i];
	return busy * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* CPU time (utime + stime) of a task, in ns; 0 when unreadable. */
static uint64_t task_ns(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
	fclose(f);
	return (ut + st) * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* The pid of ksoftirqd/cpu: softirq work the kernel defers runs there. */
static pid_t ksoftirqd(int cpu)
{
	char want[32], path[64], comm[32];
	pid_t found = 0;

	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	for (pid_t pid = 2; pid < 4096 && !found; pid++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			found = pid;
		fclose(f);
	}
	return found;
}

/* The pipeline's CPU time: this process (veth runs the router and the
 * sink in softirq on its way out of each BPF_PROG_RUN call) plus the
 * CPU's ksoftirqd; other tasks sharing the CPU are not counted. */
static uint64_t pipeline_ns(pid_t softirqd)
{
	return task_ns(getpid()) + (softirqd ? task_ns(softirqd) : 0);
}

/* v[0..n-1] in a random order, padded to whole lines with repeats. */
static __be32 *shuffled_lines(__be32 *v, size_t n)
{
	size_t lines = (n + GEN_LINE - 1) / GEN_LINE;
	__be32 *out = malloc(lines * GEN_LINE * sizeof(*out));

	srand48(time(NULL));
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(drand48() * (double)(i + 1));
		__be32 t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	for (size_t i = 0; i < lines * GEN_LINE; i++)
		out[i] = v[i % n];
	free(v);
	return out;
}

/* One address inside each prefix: the network address + 1 (the address
 * itself for /31 and /32). Returns how many lines of GEN_LINE
 * destinations *out holds. */
static uint32_t load_dsts(const struct opts *o, __be32 **out)
{
	char line[128], err[128];
	size_t n = 0, cap = 1024;
	__be32 *v = malloc(cap * sizeof(*v));
	FILE *f;

	if (o->dst) {
		if (inet_pton(AF_INET, o->dst, v) != 1)
			die("--dst needs an IPv4 address");
		*out = shuffled_lines(v, 1);
		return 1;
	}
	if (!(f = fopen(o->prefixes, "r")))
		die("cannot read the --prefixes file");
	while (fgets(line, sizeof(line), f)) {
		struct xprefix p;
		uint32_t a;

		line[strcspn(line, " \t\r\n")] = 0;
		if (!line[0] || strchr(line, ':') || xprefix_parse(line, &p, err, sizeof(err)))
			continue; /* IPv4 only */
		a = xaddr_v4(&p.addr) + (p.len < 31);
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = htonl(a);
	}
	fclose(f);
	if (!n)
		die("no IPv4 prefix in the --prefixes file");
	*out = shuffled_lines(v, n);
	return (uint32_t)((n + GEN_LINE - 1) / GEN_LINE);
}

/* --ipv6: one address inside each IPv6 prefix (the network address + 1),
 * shuffled, padded to whole lines of GEN_LINE6. Returns the lines. */
static uint32_t load_dsts6(const struct opts *o, struct in6_addr **out)
{
	char line[128], err[128];
	size_t n = 0, cap = 1024, lines;
	struct in6_addr *v = malloc(cap * sizeof(*v)), *w;
	FILE *f = fopen(o->prefixes, "r");

	if (!f)
		die("--ipv6 reads destinations from a --prefixes file");
	while (fgets(line, sizeof(line), f)) {
		struct xprefix p;

		line[strcspn(line, " \t\r\n")] = 0;
		if (!strchr(line, ':') || xprefix_parse(line, &p, err, sizeof(err)))
			continue;
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		memcpy(&v[n], p.addr.bytes, 16);
		v[n++].s6_addr[15] |= p.len < 128;
	}
	fclose(f);
	if (!n)
		die("no IPv6 prefix in the --prefixes file");
	srand48(time(NULL));
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(drand48() * (double)(i + 1));
		struct in6_addr t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	lines = (n + GEN_LINE6 - 1) / GEN_LINE6;
	w = malloc(lines * GEN_LINE6 * sizeof(*w));
	for (size_t i = 0; i < lines * GEN_LINE6; i++)
		w[i] = v[i % n];
	free(v);
	*out = w;
	return (uint32_t)lines;
}

/* Eth + IPv6 + UDP from 2001:db8:18::1, padded to size. */
static void template6(struct pkt *p, const struct opts *o)
{
	uint8_t smac[6] = { 0x02, 0, 0, 0, 0x9e, 0x01 };

	pkt_init(p);
	pkt_eth(p, o->dmac, smac, ETH_P_IPV6);
	pkt_ipv6(p, "2001:db8:18::1", "::", 17, 64);
	pkt_udp(p, 9, 9);
	pkt_payload(p, (size_t)o->size - p->len);
	pkt_finish(p);
}

/* GWLB's outer IPv4, UDP and GENEVE with its options (docs/gwlb.md). */
static void gwlb_outer(struct pkt *p, const struct opts *o)
{
	static const uint8_t geneve[8 + 32] = {
		8, 0, 0x08, 0x00, 0, 0, 0, 0, /* 32 bytes of options, IPv4 inside, VNI 0 */
		0x01, 0x08, 1, 2, 0x6a, 0x13, 0x52, 0x9c, 0x00, 0x11, 0x22, 0x33,
		0x01, 0x08, 2, 2, 0x8f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x01, 0x08, 3, 1, 0xc0, 0x0c, 0x1e, 0x5a,
	};

	pkt_ipv4(p, o->gre_from, o->gre_to, IPPROTO_UDP, 64, NULL, 0);
	pkt_udp(p, 61234, 6081);
	pkt_push(p, geneve, sizeof(geneve));
}

/* Eth + IPv4 + UDP, padded to size; the destination is set per packet.
 * With --gre: Eth + outer IPv4 + GRE (key) + that packet's IPv4 + UDP. */
static void template(struct pkt *p, const struct opts *o)
{
	uint8_t smac[6] = { 0x02, 0, 0, 0, 0x9e, 0x01 };
	struct pkt in;
	uint32_t gre[2] = { htonl(0x2000u << 16 | ETH_P_IP), htonl(o->gre_key) };

	pkt_init(&in);
	pkt_eth(&in, o->dmac, smac, ETH_P_IP);
	pkt_ipv4(&in, o->src, "0.0.0.0", 17, 64, NULL, 0);
	pkt_udp(&in, 9, 9);
	pkt_payload(&in, (size_t)o->size - in.len);
	pkt_finish(&in);
	((struct udphdr *)(in.b + in.l4))->check = 0;
	if (!o->gre_from) {
		*p = in;
		return;
	}
	pkt_init(p);
	pkt_eth(p, o->dmac, smac, ETH_P_IP);
	if (o->gwlb) {
		gwlb_outer(p, o);
	} else {
		pkt_ipv4(p, o->gre_from, o->gre_to, IPPROTO_GRE, 64, NULL, 0);
		pkt_push(p, gre, sizeof(gre));
	}
	pkt_push(p, in.b + sizeof(struct ethhdr), in.len - sizeof(struct ethhdr));
	pkt_finish(p); /* the outer lengths and checksum */
	if (o->gwlb)
		((struct udphdr *)(p->b + p->l4))->check = 0;
}

/* Attach (prog_fd >= 0) or detach the sink in another namespace. */
static void sink_attach(const struct opts *o, int prog_fd)
{
	char path[256];
	int home = open("/proc/self/ns/net", O_RDONLY), ns, ifindex;

	snprintf(path, sizeof(path), "/run/netns/%s", o->sink_ns);
	if (home < 0 || (ns = open(path, O_RDONLY)) < 0 || setns(ns, CLONE_NEWNET))
		die("cannot enter the --sink namespace");
	ifindex = (int)if_nametoindex(o->sink_dev);
	if (!ifindex)
		die("no --sink device in that namespace");
	if (prog_fd >= 0 ? bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL)
			 : bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL))
		die("cannot attach the sink program");
	if (setns(home, CLONE_NEWNET))
		die("cannot return to the generator's namespace");
	close(ns);
	close(home);
}

static uint64_t sink_count(struct xfwd_gen *s)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t v[ncpu], sum = 0;
	uint32_t k = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(s->maps.sink_packets), &k, v))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dev", 1, 0, 'd' }, { "dst-mac", 1, 0, 'm' }, { "dst", 1, 0, 'a' },
		{ "prefixes", 1, 0, 'p' }, { "src", 1, 0, 's' }, { "size", 1, 0, 'z' },
		{ "seconds", 1, 0, 't' }, { "cpu", 1, 0, 'c' }, { "sink", 1, 0, 'k' },
		{ "gre", 1, 0, 'g' }, { "gwlb", 1, 0, 'w' }, { "ipv6", 0, 0, '6' }, { 0 } };
	unsigned int m[6];
	char *colon;
	int c;

	*o = (struct opts){ .src = "198.18.0.1", .size = 64, .seconds = 1 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->dev = optarg; break;
		case 'a': o->dst = optarg; break;
		case 'p': o->prefixes = optarg; break;
		case 's': o->src = optarg; break;
		case 'z': o->size = atoi(optarg); break;
		case 't': o->seconds = atof(optarg); break;
		case 'c': o->cpu = atoi(optarg); break;
		case '6': o->ipv6 = 1; break;
		case 'm':
			if (sscanf(optarg, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
				die("--dst-mac needs a MAC address");
			for (int i = 0; i < 6; i++)
				o->dmac[i] = (uint8_t)m[i];
			break;
		case 'g':
			o->gre_from = strtok(optarg, ",");
			o->gre_to = strtok(NULL, ",");
			if (!o->gre_to || !(colon = strtok(NULL, ",")))
				die("--gre is FROM,TO,KEY");
			o->gre_key = (uint32_t)strtoul(colon, NULL, 0);
			break;
		case 'w':
			o->gwlb = 1;
			o->gre_from = strtok(optarg, ",");
			if (!(o->gre_to = strtok(NULL, ",")))
				die("--gwlb is FROM,TO");
			break;
		case 'k':
			o->sink_ns = optarg;
			if (!(colon = strchr(optarg, ':')))
				die("--sink is NETNS:DEV");
			*colon = 0;
			o->sink_dev = colon + 1;
			break;
		default: usage();
		}
	}
	if (!o->dev || (!o->dst == !o->prefixes) || o->size < (o->ipv6 ? 62 : 42) || o->size > 1500 ||
	    (o->ipv6 && (o->dst || o->gre_from)))
		usage();
}

int main(int argc, char **argv)
{
	struct xdp_md ctx = { 0 };
	struct xfwd_gen *s;
	struct opts o;
	struct pkt frame;
	__be32 *dsts = NULL;
	struct in6_addr *dsts6 = NULL;
	uint32_t n;
	uint64_t sent = 0, busy0, busy1, task0, task1, got;
	pid_t softirqd;
	cpu_set_t cpus;
	double t0, t1;

	parse(argc, argv, &o);
	CPU_ZERO(&cpus);
	CPU_SET(o.cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die("cannot pin to --cpu");
	if (!(ctx.ingress_ifindex = if_nametoindex(o.dev)))
		die("no --dev device");
	if (!(s = xfwd_gen__open()))
		die("cannot open the BPF object");
	if (o.ipv6) {
		n = load_dsts6(&o, &dsts6);
		s->rodata->ndst = n * GEN_LINE6;
		template6(&frame, &o);
		memcpy(s->bss->gen6_hdr, frame.b, sizeof(s->bss->gen6_hdr));
		bpf_map__set_max_entries(s->maps.gen_dsts6, n);
	} else {
		n = load_dsts(&o, &dsts);
		s->rodata->ndst = n * GEN_LINE;
		template(&frame, &o);
		if (o.gwlb)
			memcpy(s->bss->gen_gwlb_hdr, frame.b, sizeof(s->bss->gen_gwlb_hdr));
		else if (o.gre_from)
			memcpy(s->bss->gen_gre_hdr, frame.b, sizeof(s->bss->gen_gre_hdr));
		else
			memcpy(s->bss->gen_hdr, frame.b, sizeof(s->bss->gen_hdr));
		bpf_map__set_max_entries(s->maps.gen_dsts, n);
	}
	if (xfwd_gen__load(s))
		die("the kernel refused the generator program");
	for (uint32_t i = 0; i < n; i++)
		if (o.ipv6)
			bpf_map_update_elem(bpf_map__fd(s->maps.gen_dsts6), &i, &dsts6[i * GEN_LINE6], 0);
		else
			bpf_map_update_elem(bpf_map__fd(s->maps.gen_dsts), &i, &dsts[i * GEN_LINE], 0);
	ctx.data_end = (uint32_t)frame.len;
	if (o.sink_ns)
		sink_attach(&o, bpf_program__fd(s->progs.sink));
	softirqd = ksoftirqd(o.cpu);
	busy0 = cpu_busy_ns(o.cpu);
	task0 = pipeline_ns(softirqd);
	t0 = now();
	do {
		LIBBPF_OPTS(bpf_test_run_opts, r, .data_in = frame.b, .data_size_in = (uint32_t)frame.len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1 << 16,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

		if (bpf_prog_test_run_opts(bpf_program__fd(o.ipv6 ? s->progs.gen6 : o.gwlb ? s->progs.gen_gwlb :
						 o.gre_from ? s->progs.gen_gre : s->progs.gen), &r))
			die("BPF_PROG_RUN with live frames failed (kernel >= 5.18 needed)");
		sent += 1 << 16;
	} while ((t1 = now()) - t0 < o.seconds);
	usleep(10000); /* let the last frames drain */
	busy1 = cpu_busy_ns(o.cpu);
	task1 = pipeline_ns(softirqd);
	got = o.sink_ns ? sink_count(s) : sent;
	if (o.sink_ns)
		sink_attach(&o, -1);
	printf("sent=%llu delivered=%llu seconds=%.3f cpu=%d cpu_busy_ms=%.1f pipeline_ms=%.1f ns_per_pkt=%.1f dsts=%u\n",
	       (unsigned long long)sent, (unsigned long long)got, t1 - t0, o.cpu,
	       (double)(busy1 - busy0) / 1e6, (double)(task1 - task0) / 1e6,
	       got ? (double)(task1 - task0) / (double)got : 0.0, n);
	free(dsts);
	free(dsts6);
	xfwd_gen__destroy(s);
	return got ? 0 : 1;
}
