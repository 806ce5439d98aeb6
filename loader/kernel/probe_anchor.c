// SPDX-License-Identifier: GPL-2.0-only
/*
 * The probe sender's anchor (docs/probe-batching.md). BPF_PROG_RUN with
 * `repeat` above 1 puts the program into the kernel's XDP dispatcher for
 * the call and takes it out after: two dispatcher rebuilds, each waiting
 * for an RCU grace period (45 ms of wall time per call here). A program
 * already there (attached to a device) costs a reference count instead.
 * So the daemon attaches the probe program, in generic mode, to a bridge
 * of its own that stays down and has no ports: it never runs there.
 */
#include "probe_anchor.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "rtnl.h"

static int bridge_make(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *li;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE; /* one left by a daemon before is taken over */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, PROBE_ANCHOR_DEV);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, li);
	return rtnl_request(nlh, NULL, NULL);
}

int probe_anchor_make(int prog_fd, char *err, size_t len)
{
	unsigned int ifindex;
	int ret;

	if ((ret = bridge_make())) {
		snprintf(err, len, "cannot make the bridge %s: %s", PROBE_ANCHOR_DEV, strerror(-ret));
		return ret;
	}
	if (!(ifindex = if_nametoindex(PROBE_ANCHOR_DEV)))
		ret = -errno;
	else
		ret = bpf_xdp_attach((int)ifindex, prog_fd, XDP_FLAGS_SKB_MODE, NULL);
	if (ret) {
		snprintf(err, len, "cannot attach the probe program to %s: %s", PROBE_ANCHOR_DEV, strerror(-ret));
		probe_anchor_drop();
	}
	return ret;
}

void probe_anchor_drop(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = RTM_DELLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, PROBE_ANCHOR_DEV);
	rtnl_request(nlh, NULL, NULL);
}
