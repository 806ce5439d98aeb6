/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading a line a word at a time, for the grammars of specs
 * (spec_parse.c) and commands (cli/). Errors: -1 with the message in a->err. */
#ifndef XFWD_WORDS_H
#define XFWD_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct args {
	int argc;
	char **argv;
	int i;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
int arg_fail(struct args *a, const char *fmt, ...);
const char *arg_peek(struct args *a);
const char *arg_next(struct args *a);
bool arg_is(const char *s, const char *word);
const char *arg_value(struct args *a, const char *kw);
int parse_u32(struct args *a, const char *kw, uint32_t min,
		     uint32_t max, uint32_t *out);
int parse_mac(const char *v, uint8_t mac[6]);
/* A rate in bits a second, as an engineer writes it: 1.25G, 500M, 100k,
 * 64000 (powers of 1000): 0, or -1 when it is none. */
int parse_rate(const char *v, uint64_t *bps);
bool ifname_ok(const char *n);
int copy_dev(struct args *a, const char *name, char *dst);

/* Split line at blanks (it is modified) into at most max - 1 words and a
 * NULL: how many, or -1 with "too many words" in err. */
int words_split(char *line, char **argv, int max, char *err, size_t len);

#endif
