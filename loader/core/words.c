// SPDX-License-Identifier: GPL-2.0-only
/* The grammar's word reader (words.h). */
#include "words.h"
#include "spec.h"


#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
int arg_fail(struct args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, a->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *arg_peek(struct args *a)
{
	return a->i < a->argc ? a->argv[a->i] : NULL;
}

const char *arg_next(struct args *a)
{
	return a->i < a->argc ? a->argv[a->i++] : NULL;
}

bool arg_is(const char *s, const char *word)
{
	return s && !strcmp(s, word);
}

/* The value after a keyword; errors name the keyword. */
const char *arg_value(struct args *a, const char *kw)
{
	const char *v = arg_next(a);

	if (!v)
		arg_fail(a, "'%s' needs a value", kw);
	return v;
}

int parse_u32(struct args *a, const char *kw, uint32_t min,
		     uint32_t max, uint32_t *out)
{
	const char *v = arg_value(a, kw);
	unsigned long long n;
	char *end;

	if (!v)
		return -1;
	if (v[0] == '0' && v[1] >= '0' && v[1] <= '9')
		return arg_fail(a, "'%s %s': a leading 0 reads as octal elsewhere; write %s (decimal) or 0x%llx (hex)",
			    kw, v, v + strspn(v, "0"), strtoull(v, NULL, 8));
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || end == v || *v == '-' || *v == '+' || n < min || n > max)
		return arg_fail(a, "'%s %s': expected a number from %u to %u", kw,
			    v, min, max);
	*out = (uint32_t)n;
	return 0;
}

/* "02:0:ab:00:00:1": six groups of one or two hex digits. */
int parse_mac(const char *v, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		size_t n = strspn(v, "0123456789abcdefABCDEF");

		if (n < 1 || n > 2 || v[n] != (i < 5 ? ':' : '\0'))
			return -1;
		mac[i] = (uint8_t)strtoul(v, NULL, 16);
		v += n + 1;
	}
	return 0;
}

/* The kernel's own rule (dev_valid_name): 1 to 15 characters, not "."
 * or "..", no '/', ':' or white space. */
bool ifname_ok(const char *n)
{
	if (!*n || strlen(n) >= IFNAME_LEN || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (; *n; n++)
		if (*n == '/' || *n == ':' || isspace((unsigned char)*n))
			return false;
	return true;
}

int copy_dev(struct args *a, const char *name, char *dst)
{
	if (!name || !ifname_ok(name))
		return arg_fail(a, "'%s' is not an interface name (1 to 15 characters, no '/', ':' or space)",
			    name ? name : "");
	strcpy(dst, name);
	return 0;
}

int words_split(char *line, char **argv, int max, char *err, size_t len)
{
	char *save = NULL;
	int argc = 0;

	for (char *w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == max - 1) {
			snprintf(err, len, "too many words");
			return -1;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc;
}

int parse_rate(const char *v, uint64_t *bps)
{
	static const char units[] = "kMGT";
	double n, m = 1;
	char *end;
	const char *u;

	if (!v || !*v || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	n = strtod(v, &end);
	if (errno || end == v || n <= 0)
		return -1;
	if (*end) {
		if (end[1] || !(u = strchr(units, *end == 'K' ? 'k' : *end)))
			return -1;
		for (long i = 0; i <= u - units; i++)
			m *= 1000;
	}
	if (n * m < 1 || n * m > 1e15)
		return -1;
	*bps = (uint64_t)(n * m + 0.5);
	return 0;
}
