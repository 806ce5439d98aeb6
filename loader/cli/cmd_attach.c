// SPDX-License-Identifier: GPL-2.0-only
/* xfwd attach / detach: the work is kernel/attach.c's. */
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "cmd.h"

int cmd_attach(const struct cli_req *r, char *err, size_t len)
{
	struct attach_req a = { .pin_root = r->pin_root, .ndevs = r->ndevs, .mode = r->mode,
				.sizes = r->sizes, .no_table_sync = r->no_table_sync };
	int ret;

	memcpy(a.devs, r->devs, sizeof(a.devs));
	ret = attach_devices(&a, err, len);
	if (!ret && !r->json)
		for (int i = 0; i < r->ndevs; i++)
			printf("xfwd attached to %s (%s)\n", r->devs[i],
			       r->mode == XFWD_MODE_GENERIC ? "generic" : "native");
	return ret;
}

int cmd_detach(const struct cli_req *r, char *err, size_t len)
{
	return detach_devices(r->pin_root, r->devs, r->ndevs, err, len);
}
