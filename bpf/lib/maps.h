/* SPDX-License-Identifier: GPL-2.0-only */
/* Map declarations; only BPF code includes this. Types live in maps/. */
#ifndef XFWD_BPF_MAPS_H
#define XFWD_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../../maps/xfwd_maps.h"

/* Each map of maps/xfwd_maps.h, as xfwd_NAME pinned by name. */
#define XFWD_BPF_KEY_TYPED(k) __type(key, k);
#define XFWD_BPF_VALUE_TYPED(v) __type(value, v);
#define XFWD_BPF_KEY_SIZED(k) __uint(key_size, sizeof(k));
#define XFWD_BPF_VALUE_SIZED(v) __uint(value_size, sizeof(v));
#define XFWD_BPF_MAP(name, type_, key_, value_, max_, flags_, decl_)	\
	struct {							\
		__uint(type, type_);					\
		__uint(max_entries, max_);				\
		__uint(map_flags, flags_);				\
		XFWD_BPF_KEY_##decl_(key_)				\
		XFWD_BPF_VALUE_##decl_(value_)				\
		__uint(pinning, LIBBPF_PIN_BY_NAME);			\
	} xfwd_##name SEC(".maps");

XFWD_MAPS(XFWD_BPF_MAP)

#endif
