/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fuzz input as one datagram from a netlink socket: copied into a
 * buffer of its size padded to 4 bytes (as the kernel's are), so
 * AddressSanitizer sees a read past it, and walked the way the loader
 * walks what it receives: its framing checked (nl_datagram_ok), then
 * libmnl's mnl_cb_run2 with the loader's handler for error acks.
 */
#ifndef XFWD_FUZZ_DATAGRAM_H
#define XFWD_FUZZ_DATAGRAM_H

#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nlmsg.h"

static int fuzz_ack(const struct nlmsghdr *nlh, void *data)
{
	char msg[256];
	int error;

	(void)data;
	if (nl_ack_parse(nlh, &error, msg, sizeof(msg)))
		return MNL_CB_ERROR;
	return error ? MNL_CB_ERROR : MNL_CB_STOP;
}

static void fuzz_datagram(const uint8_t *data, size_t size, mnl_cb_t cb)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = fuzz_ack };
	char *buf;

	if (size > 65536)
		return;
	buf = calloc(1, MNL_ALIGN(size) + 1);
	memcpy(buf, data, size);
	if (nl_datagram_ok(buf, size))
		mnl_cb_run2(buf, size, 0, 0, cb, NULL, ctl, NLMSG_MIN_TYPE);
	free(buf);
}

#endif
