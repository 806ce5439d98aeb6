/* SPDX-License-Identifier: GPL-2.0-only */
/* Map declarations; only BPF code includes this. Types live in maps/. */
#ifndef XFWD_BPF_MAPS_H
#define XFWD_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../../maps/xfwd_maps.h"

/* Each map of maps/xfwd_maps.h, as xfwd_NAME pinned by name. */
#define XFWD_BPF_MAP(name, type_, key_, value_, max_, flags_)	\
	struct {						\
		__uint(type, type_);				\
		__uint(max_entries, max_);			\
		__uint(map_flags, flags_);			\
		__type(key, key_);				\
		__type(value, value_);				\
		__uint(pinning, LIBBPF_PIN_BY_NAME);		\
	} xfwd_##name SEC(".maps");

XFWD_MAPS(XFWD_BPF_MAP)

#endif
