/* SPDX-License-Identifier: GPL-2.0-only */
/* `xfwd check` (docs/check.md): a deployment's findings, each with the
 * rule it comes from, from a model of what is configured and running.
 * Pure: the facts come in (the config, the live routes, each attached
 * device's driver, MTU and queues), findings and their text go out. */
#ifndef XFWD_CHECK_H
#define XFWD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"
#include "xlat.h"

enum check_level { CHECK_INFO, CHECK_WARN, CHECK_ERROR };

struct finding {
	uint8_t level;     /* enum check_level */
	char rule[16];     /* overlap, spof, mtu, flow, probe, ena, xlat */
	char subject[48];  /* what it is about: "tunnel t1", "dev eth1", "10.1.0.0/16" */
	char text[320];    /* the finding and the fix */
};

struct check_findings {
	struct finding *v;
	size_t n, cap;
};

/* An attached device as `xfwd check` and `xfwd attach` see it. */
struct dev_facts {
	char name[16];
	char driver[32];      /* "" unknown */
	uint32_t mtu;
	uint32_t queues, max_queues; /* combined channels (ethtool -l); 0 unknown */
};

struct check_model {
	const struct tunnel_spec *tunnels;
	size_t ntunnels;
	const struct route_spec *routes; /* the config's and, where xfwd runs, the live ones */
	size_t nroutes;
	const struct xlat_spec *xlats;
	size_t nxlats;
	const struct dev_facts *devs;   /* the attached devices */
	size_t ndevs;
};

/* The ena driver's limits for native XDP (drivers/net/ethernet/amazon/
 * ena): a frame must fit one 4 KiB buffer with XDP's headroom and the
 * skb's shared info (MTU <= 3498, no multi-buffer), and XDP takes a TX
 * queue per RX queue (at most half the maximum channels in use). */
#define ENA_XDP_MAX_MTU 3498u

/* Every rule over m, appended to f; 0, or -1 out of memory. */
int check_run(const struct check_model *m, struct check_findings *f);
/* The route rules (check_routes.c): single points of failure and
 * overlapping spokes, in one sweep over the routes sorted by prefix. */
int check_routes(const struct check_model *m, struct check_findings *f);
/* A finding appended to f: 0, or -1 out of memory. */
__attribute__((format(printf, 5, 6)))
int check_add(struct check_findings *f, enum check_level level, const char *rule, const char *subject,
	      const char *fmt, ...);
/* The ENA readiness rule alone (xfwd attach says the same): 0 when d
 * can take native XDP, else -1 with its findings appended to f. */
int check_ena(const struct dev_facts *d, struct check_findings *f);
/* The worst level found, or -1 when none. */
int check_worst(const struct check_findings *f);
/* Text (a line each) or JSON (an array) into buf; the length needed. */
size_t check_format(const struct check_findings *f, bool json, char *buf, size_t len);
void check_free(struct check_findings *f);

#endif
