/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /etc/xfwd/xfwd.conf (docs/daemon.md), read with inih:
 *
 *   [xfwd]
 *   pin-root = /sys/fs/bpf/xfwd
 *   attach = eth1 eth2
 *   mode = native
 *   mirror-table = 100
 *   tbl6-nodes = 131072        (the sizes `xfwd attach` takes: core/sizes.h)
 *   [tunnels]
 *   tunnel = tgw1 type gre local 192.0.2.1 remote 198.51.100.7 key 42
 *   [routes]
 *   route = 10.30.0.0/16 tunnel tgw1
 *   [filters]
 *   filter = tunnel tgw1 in default deny rules /etc/xfwd/tgw1.rules
 *   [translations]
 *   xlat = 10.1.0.0/16 to 100.64.1.0/16 tunnel tgw1
 *
 * Tunnel and route lines use the CLI's words (core/spec_parse.c), parsed
 * once into specs. A file is checked whole: the first error is reported
 * with its line, and nothing is used. A reload is the difference of two
 * (config_dropped).
 */
#ifndef XFWD_CONFIG_H
#define XFWD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"
#include "filter.h"
#include "xlat.h"

/* The longest config_line text, with its terminating NUL. */
#define CONFIG_LINE_MAX 2048

struct config_line {
	int lineno;
	char *text; /* as the CLI would take it: "tunnel add NAME ...", "route add ..." */
	bool is_tunnel;
	struct tunnel_spec tun;   /* [tunnels] */
	struct route_spec route;  /* [routes] */
};

/* A [filters] line, its rule file read and checked with the config. */
struct config_filter {
	int lineno;
	struct filter_spec spec;
	struct xfwd_filter_rule *rules;
	uint32_t n;
};

/* A [translations] line (docs/translation.md). */
struct config_xlat {
	int lineno;
	struct xlat_spec spec;
};

/* A [capacity] line: what a tunnel can carry (docs/capacity.md). */
struct config_capacity {
	int lineno;
	bool dev;     /* name is a device (the next hops out of it), else a tunnel */
	char name[16];
	uint64_t bps;
};

struct xconfig {
	char pin_root[256];
	char attach[CLI_MAX_DEVS][IFNAME_LEN];
	int nattach;
	int attach_line; /* where 'attach =' is, for messages */
	int mode; /* enum xfwd_xdp_mode */
	struct map_sizes sizes; /* ipv4-table, tbl6-nodes, ...: when the maps are made */
	uint32_t mirror_table; /* 0: none */
	char on_health[512]; /* run by /bin/sh on each tunnel verdict ("": none) */
	char metrics_file[256]; /* Prometheus textfile written every metrics_interval s ("": none) */
	unsigned int metrics_interval; /* 0: the default, 10 */
	bool bfd_normal; /* bfd-realtime = no: BFD's thread at the normal priority */
	uint16_t hcheck_port; /* health-check = tcp|http PORT (docs/gwlb.md); 0: none */
	bool hcheck_http;
	unsigned int capacity_window;  /* seconds utilisation is averaged over; 0: 10 */
	struct config_capacity *caps;
	size_t ncaps;
	struct config_line *tunnels, *routes;
	size_t ntunnels, nroutes;
	struct config_filter *filters;
	size_t nfilters;
	struct config_xlat *xlats;
	size_t nxlats;
};

/* 0, or -1 with "FILE:LINE: problem" in err. */
int config_load(const char *path, struct xconfig *c, char *err, size_t len);
void config_free(struct xconfig *c);
/* What a line is about ("tunnel NAME", "route PREFIX"): two lines of two
 * files with the same subject describe the same thing. */
void config_subject(const struct config_line *l, char *buf, size_t len);
/* Does c have a line about subject? */
bool config_has(const struct xconfig *c, const char *subject);
/* A reload cannot move the daemon to other maps (pin-root) or another
 * kernel table (mirror-table): -1 with err naming the setting and the
 * fix (a restart) when now changes one of them, else 0. */
int config_restart_needed(const struct xconfig *old, const struct xconfig *now, char *err, size_t len);
/* The lines of old whose subject now lacks, to be removed on reload: the
 * routes (last first), then the tunnels they may use. */
void config_dropped(const struct xconfig *old, const struct xconfig *now,
		    void (*fn)(const struct config_line *l, void *arg), void *arg);

#endif
