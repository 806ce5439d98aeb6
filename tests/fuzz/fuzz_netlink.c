// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: one datagram from the kernel's route socket, each
 * message handed to the parser the loader uses for its type: routes
 * (mirror_parse), neighbours (rtnl_neigh_parse), links (rtnl_link_parse),
 * addresses (rtnl_addr_parse), error acks (nl_ack_parse). Next-hop-object
 * messages (RTM_NEWNEXTHOP) are not parsed: xfwd reads routes over them
 * in the kernel's compat mode (docs/daemon.md), so they fall through.
 */
#include <linux/rtnetlink.h>

#include "datagram.h"
#include "mirror.h"

static int one(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_event n;
	struct addr_event a;
	struct link_info l;
	struct mroute m;

	(void)data;
	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH: case RTM_DELNEIGH:
		rtnl_neigh_parse(nlh, &n);
		break;
	case RTM_NEWLINK: case RTM_DELLINK:
		rtnl_link_parse(nlh, &l);
		break;
	case RTM_NEWADDR: case RTM_DELADDR:
		rtnl_addr_parse(nlh, &a);
		break;
	case RTM_NEWROUTE: case RTM_DELROUTE:
		mirror_parse(nlh, &m);
		break;
	}
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_datagram(data, size, one);
	return 0;
}
