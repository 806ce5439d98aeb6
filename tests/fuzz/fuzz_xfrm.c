// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: one datagram from the kernel's xfrm socket (an SA
 * dump's part, or the answer to a get), each SA handed to xfrm_sa_parse
 * and read the way `xfwd tunnel show` and the key check read it.
 */
#include <linux/xfrm.h>

#include "datagram.h"

static int one(const struct nlmsghdr *nlh, void *data)
{
	static volatile uint64_t sink;
	struct sa_msg m;

	(void)data;
	if (xfrm_sa_parse(nlh, &m))
		return MNL_CB_OK;
	sink += m.info.curlft.packets + m.info.stats.replay + m.if_id;
	for (size_t i = 0; i < m.aead_key_len; i++)
		sink += m.aead_key[i];
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_datagram(data, size, one);
	return 0;
}
