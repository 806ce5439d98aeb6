/* SPDX-License-Identifier: GPL-2.0-only */
/* A device's driver, MTU and channel counts (sysfs, ethtool), for the
 * ENA readiness rule of `xfwd check` and `xfwd attach`. */
#ifndef XFWD_DEVFACTS_H
#define XFWD_DEVFACTS_H

#include "check.h"

/* 0, or -errno (no such device). Unknown parts stay empty. */
int dev_facts_read(const char *name, struct dev_facts *d);
/* Native XDP refused on name: 1 with the reason and its fix in err when
 * a rule knows it (ENA), else 0 (the kernel's error stands). */
int dev_xdp_refusal(const char *name, char *err, size_t len);

#endif
