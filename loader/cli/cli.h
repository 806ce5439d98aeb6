/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line grammar (pure: no I/O), in iproute2's shape:
 *   xfwd [GLOBAL OPTIONS] OBJECT COMMAND [ARGS]
 * Parsing fills a request; main.c runs it.
 */
#ifndef XFWD_CLI_H
#define XFWD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "maps/xfwd_abi.h"

enum cli_cmd {
	CMD_HELP,
	CMD_VERSION,
	CMD_ATTACH,
	CMD_DETACH,
	CMD_ROUTE_ADD,
	CMD_ROUTE_REPLACE,
	CMD_ROUTE_DEL,
	CMD_ROUTE_SHOW,
	CMD_ROUTE_GET,
	CMD_NEXTHOP_SHOW,
	CMD_NEXTHOP_REFRESH,
	CMD_STATS,
	CMD_STATS_RESET,
	CMD_STATUS,
	CMD_TUNNEL_ADD,
	CMD_TUNNEL_DEL,
	CMD_TUNNEL_SHOW,
	CMD_TUNNEL_REKEY,
	CMD_HEALTH,
	CMD_BATCH,
	CMD_RUN,
};

#define CLI_MAX_DEVS 64
#define IFNAME_LEN 16
/* A pin root is a path of at most this many characters (the config keeps 256 bytes). */
#define XFWD_PIN_ROOT_MAX 255
#define XFWD_STR_(x) #x
#define XFWD_STR(x) XFWD_STR_(x) /* a number macro as text, for messages */

struct cli_via {
	struct xaddr gw;
	char dev[IFNAME_LEN];
};

struct cli_tunnel {
	char name[IFNAME_LEN];
	int type; /* enum xfwd_tun_type */
	struct xaddr local, remote;
	bool has_key, key_is_vni; /* 'key N' (GRE) or 'vni N' (VXLAN, GENEVE) */
	uint32_t key;
	uint32_t ttl, mtu;
	char dev[IFNAME_LEN];
	bool has_peer_mac;
	uint8_t peer_mac[6]; /* VXLAN, GENEVE: the peer device's inner MAC */
	bool inner_ip;       /* GENEVE 'payload ip': no inner Ethernet */
	struct xfwd_probe_cfg probe; /* mode 0: not probed */
	/* ipsec (docs/ipsec.md) */
	uint32_t if_id;        /* 0: the tunnel's id */
	bool external;         /* 'keyed-by external': an IKE daemon installs the SAs */
	uint32_t spi_out, spi_in;
	char key_out[256], key_in[256]; /* key files (static keys) */
	bool udp_encap;        /* 'encap udp': ESP in UDP 4500 (RFC 3948) */
	uint32_t retire_in;    /* rekey: the inbound SPI to remove */
	bool has_inner;        /* 'inner ADDR/LEN': this host's address on the xfrm interface */
	struct xaddr inner;
	uint32_t inner_len;
};

struct cli_sizes {
	uint32_t tbl8_groups, routes4, routes6, nexthops, groups;
};

struct cli_req {
	enum cli_cmd cmd;
	bool json;
	const char *pin_root;
	const char *batch; /* -batch FILE ("-": standard input) */
	const char *config; /* run -c FILE */
	/* attach / detach */
	char devs[CLI_MAX_DEVS][IFNAME_LEN];
	int ndevs;
	int mode; /* enum xfwd_xdp_mode */
	bool no_table_sync; /* the daemon's start: it syncs the table itself */
	struct cli_sizes sizes;
	/* route */
	struct xprefix prefix;
	bool has_prefix;
	int kind; /* enum xfwd_nh_kind */
	struct cli_via via[XFWD_ECMP_MAX];
	int nvia;
	char tunnels[XFWD_ECMP_MAX][IFNAME_LEN]; /* route ... tunnel NAME */
	int ntunnels;
	/* tunnel add|del|show */
	struct cli_tunnel tun;
	/* route get: the flow whose decision to show */
	struct xaddr dst, src;
	bool has_src;
	uint8_t proto;
	uint16_t sport, dport;
};

/* Returns 0, or -1 with a one-line message (problem and fix) in err. */
/* One batch line ("route add ..."): split at blanks (the line is
 * modified), parsed as if after "xfwd"; pin_root carried over. */
int cli_parse_line(char *line, const char *pin_root, struct cli_req *r,
		   char *err, size_t errlen);
int cli_parse(int argc, char **argv, struct cli_req *r, char *err,
	      size_t errlen);
const char *cli_usage(void);

#endif
