/* SPDX-License-Identifier: GPL-2.0-only */
/* The grammar of a tunnel's and a route's words (spec_parse.c). Each
 * returns 0, or -1 with a one-line message (problem and fix) in err. */
#ifndef XFWD_SPEC_PARSE_H
#define XFWD_SPEC_PARSE_H

#include <stddef.h>

#include "spec.h"
#include "words.h"

/* "NAME type gre local ADDR remote ADDR ...": a [tunnels] line. */
int spec_parse_tunnel_line(char *line, struct tunnel_spec *t, char *err, size_t len);
/* "PREFIX via ADDR dev DEV ... | tunnel NAME ... | blackhole | kernel". */
int spec_parse_route_line(char *line, struct route_spec *r, char *err, size_t len);

/* The same from a word reader, after the name / the prefix. */
int spec_tunnel_opts(struct args *a, struct tunnel_spec *t);
int spec_route_target(struct args *a, struct route_spec *r);
/* One ipsec option (spi-out, key-in, ...), also for `tunnel rekey`. */
int spec_ipsec_opt(struct args *a, struct tunnel_spec *t, const char *w);

#endif
