// SPDX-License-Identifier: GPL-2.0-only
/* A device's driver (the sysfs link), MTU and combined channels
 * (ETHTOOL_GCHANNELS, as `ethtool -l` reads them). */
#include "devfacts.h"

#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void driver_of(const char *name, char *out, size_t len)
{
	char path[96], target[PATH_MAX];
	ssize_t n;
	const char *base;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", name);
	if ((n = readlink(path, target, sizeof(target) - 1)) <= 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) < len)
		memcpy(out, base, strlen(base) + 1);
}

int dev_facts_read(const char *name, struct dev_facts *d)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		ret = -errno;
	else
		d->mtu = (uint32_t)ifr.ifr_mtu;
	ifr.ifr_data = (void *)&ch;
	if (!ret && !ioctl(fd, SIOCETHTOOL, &ifr)) {
		d->queues = ch.combined_count;
		d->max_queues = ch.max_combined;
	}
	close(fd);
	driver_of(name, d->driver, sizeof(d->driver));
	return ret;
}

/* ENA says no to native XDP with a bare EINVAL: say why, and the command
 * that fixes it (the rule of `xfwd check`, core/check.c). */
int dev_xdp_refusal(const char *name, char *err, size_t len)
{
	struct check_findings f = { 0 };
	struct dev_facts d;
	int ret = 0;

	if (dev_facts_read(name, &d))
		return 0;
	if (check_ena(&d, &f) && f.n) {
		snprintf(err, len, "cannot attach XDP to %s: %s", name, f.v[0].text);
		ret = 1;
	}
	check_free(&f);
	return ret;
}
