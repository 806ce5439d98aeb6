// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: one line of words, as `xfwd -batch` reads a file's
 * lines (cli_parse_line), and as the config's [tunnels] and [routes]
 * values are parsed (spec_parse_tunnel_line, spec_parse_route_line).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spec_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), err[512];
	struct tunnel_spec t;
	struct route_spec r;
	struct cli_req req;

	memcpy(line, data, size);
	line[size] = 0;
	cli_parse_line(line, "/sys/fs/bpf/xfwd-fuzz", &req, err, sizeof(err));
	memcpy(line, data, size);
	spec_parse_tunnel_line(line, &t, err, sizeof(err));
	memcpy(line, data, size);
	spec_parse_route_line(line, &r, err, sizeof(err));
	free(line);
	return 0;
}
