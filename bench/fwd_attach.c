// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attach one of the comparison forwarders of bench/fwd.bpf.c, in the
 * current network namespace; it stays attached after exit
 * (remove with `ip link set dev IN xdp off`).
 *
 *   fwd_attach floor IN OUT DST_MAC   MAC rewrite + redirect, no lookup
 *   fwd_attach fib IN OUT...          bpf_fib_lookup forwarder
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fwd.skel.h"

static int dev_mac(const char *dev, unsigned char mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return ret;
}

static int fail(const char *what)
{
	fprintf(stderr, "fwd_attach: %s\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	bool floor = argc == 5 && !strcmp(argv[1], "floor");
	unsigned int in = argc > 2 ? if_nametoindex(argv[2]) : 0, m[6];
	struct fwd *s;
	int prog;

	if (!floor && (argc < 4 || strcmp(argv[1], "fib")))
		return fail("usage: fwd_attach floor IN OUT DST_MAC | fwd_attach fib IN OUT...");
	if (!in || !(s = fwd__open()))
		return fail("no such device, or cannot open the BPF object");
	if (floor) {
		s->rodata->floor_ifindex = if_nametoindex(argv[3]);
		if (sscanf(argv[4], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6 ||
		    dev_mac(argv[3], (unsigned char *)s->rodata->floor_smac))
			return fail("bad DST_MAC or OUT device");
		for (int i = 0; i < 6; i++)
			s->rodata->floor_dmac[i] = (__u8)m[i];
	}
	if (fwd__load(s))
		return fail("the kernel refused the program");
	for (int i = 3; i < (floor ? 4 : argc); i++) {
		struct bpf_devmap_val v = { .ifindex = if_nametoindex(argv[i]) };

		if (!v.ifindex || bpf_map_update_elem(bpf_map__fd(s->maps.fwd_ports), &v.ifindex, &v, 0))
			return fail("cannot add an OUT device to the devmap");
	}
	prog = bpf_program__fd(floor ? s->progs.fwd_floor : s->progs.fwd_fib);
	if (bpf_xdp_attach((int)in, prog, XDP_FLAGS_DRV_MODE, NULL))
		return fail("cannot attach to IN");
	fwd__destroy(s);
	return 0;
}
