// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: one message from the kernel's route socket, handed to
 * the parsers the daemon uses: route messages (mirror_parse) and
 * neighbour messages (rtnl_neigh_parse). The kernel frames messages (the
 * header's length is the message's, as libmnl's walk has checked); what
 * follows the header is anything. The input is copied into a buffer of
 * its size padded to 4 bytes, as a datagram from the kernel is, so
 * AddressSanitizer sees any read past that.
 */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mirror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh;
	struct neigh_event e;
	struct mroute m;

	if (size < sizeof(*nlh) || size > 65536)
		return 0;
	nlh = calloc(1, NLMSG_ALIGN(size));
	memcpy(nlh, data, size);
	nlh->nlmsg_len = (uint32_t)size;
	if (nlh->nlmsg_type == RTM_NEWNEIGH || nlh->nlmsg_type == RTM_DELNEIGH)
		rtnl_neigh_parse(nlh, &e);
	else
		mirror_parse(nlh, &m);
	free(nlh);
	return 0;
}
