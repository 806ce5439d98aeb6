// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: a config file (/etc/xfwd/xfwd.conf), read by
 * config_load as `xfwd run` reads it: the [xfwd] keys, and each tunnel
 * and route line through the grammar the CLI shares.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct xconfig c;
	char err[1024];

	if (fd < 0) {
		fd = memfd_create("xfwd-fuzz-conf", 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	if (!config_load(path, &c, err, sizeof(err)))
		config_free(&c);
	return 0;
}
