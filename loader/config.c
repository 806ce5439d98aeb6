// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's configuration file (see config.h). Pure: parsing and
 * syntax only; devices and tunnels are checked when it is applied. */
#include "config.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parse {
	struct xconfig *c;
	const char *path;
	char *err;
	size_t len;
	FILE *f;
	int line;      /* lines read so far: the current one in the handler */
	bool failed;
	char *raw;     /* the current line, whole */
	size_t rawcap;
	char *long_value; /* of a line too long for inih (reader) */
};

/* Stands for the value of a line longer than inih's buffer. */
#define LONG_MARK "\x01"

static int bad(struct parse *p, const char *fmt, const char *a, const char *b)
{
	char msg[512];

	if (p->failed)
		return 0; /* inih goes on after an error: keep the first */
	snprintf(msg, sizeof(msg), fmt, a, b);
	snprintf(p->err, p->len, "%s", msg);
	p->failed = true;
	return 0; /* inih stops and reports this line */
}

/* Check a CLI line now, keep its text for when the file is applied. */
static int keep(struct parse *p, struct config_line **v, size_t *n, char *text)
{
	struct cli_req r;
	char msg[512], *copy = strdup(text);
	struct config_line *nv;

	if (!copy)
		return bad(p, "out of memory%s%s", "", "");
	if (cli_parse_line(copy, p->c->pin_root, &r, msg, sizeof(msg))) {
		free(copy);
		return bad(p, "%s%s", msg, "");
	}
	free(copy);
	if (!(nv = realloc(*v, (*n + 1) * sizeof(**v))))
		return bad(p, "out of memory%s%s", "", "");
	*v = nv;
	nv[*n].text = strdup(text);
	nv[(*n)++].lineno = p->line;
	return 1;
}

static int set_main(struct parse *p, const char *name, const char *value)
{
	struct xconfig *c = p->c;
	char *end;

	if (!strcmp(name, "pin-root")) {
		snprintf(c->pin_root, sizeof(c->pin_root), "%s", value);
	} else if (!strcmp(name, "attach")) {
		char buf[1024], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", value);
		for (char *d = strtok_r(buf, " \t,", &save); d; d = strtok_r(NULL, " \t,", &save)) {
			if (c->nattach == CLI_MAX_DEVS || strlen(d) >= IFNAME_LEN)
				return bad(p, "attach: too many devices, or a name too long ('%s')%s", d, "");
			snprintf(c->attach[c->nattach++], IFNAME_LEN, "%s", d);
		}
	} else if (!strcmp(name, "mode")) {
		if (strcmp(value, "native") && strcmp(value, "generic"))
			return bad(p, "mode is 'native' or 'generic', not '%s'%s", value, "");
		c->mode = !strcmp(value, "generic") ? XFWD_MODE_GENERIC : XFWD_MODE_NATIVE;
	} else if (!strcmp(name, "mirror-table")) {
		unsigned long t = strtoul(value, &end, 10);

		if (!*value || *end || t > 0xffffffffu)
			return bad(p, "mirror-table is a kernel table number (e.g. 100), not '%s'%s", value, "");
		c->mirror_table = (uint32_t)t;
	} else if (!strcmp(name, "on-health-change")) {
		if (strlen(value) >= sizeof(c->on_health))
			return bad(p, "on-health-change: the command is too long (511 characters at most): put it in a script%s%s",
				   "", "");
		snprintf(c->on_health, sizeof(c->on_health), "%s", value);
	} else {
		return bad(p, "unknown setting '%s' in [xfwd] (pin-root, attach, mode, mirror-table, on-health-change)%s",
			   name, "");
	}
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct xconfig *c = p->c;
	char line[CONFIG_LINE_MAX];
	int ok;

	if (!strcmp(value, LONG_MARK))
		value = p->long_value ? p->long_value : "";
	if (strlen(value) > sizeof(line) - 16) { /* room for "tunnel add " */
		char most[16];

		snprintf(most, sizeof(most), "%zu", sizeof(line) - 16);
		return bad(p, "the line is too long (%s characters at most)%s", most, "");
	}
	if (!strcmp(section, "xfwd"))
		return set_main(p, name, value);
	/* "tunnel = NAME ..." and "route = PREFIX ...": ':' ends an ini key,
	 * so an IPv6 prefix cannot be one. */
	if (!strcmp(section, "tunnels")) {
		if (strcmp(name, "tunnel"))
			return bad(p, "[tunnels] takes 'tunnel = NAME type ...' lines, not '%s'%s", name, "");
		snprintf(line, sizeof(line), "tunnel add %s", value);
		ok = keep(p, &c->tunnels, &c->ntunnels, line);
	} else if (!strcmp(section, "routes")) {
		if (strcmp(name, "route"))
			return bad(p, "[routes] takes 'route = PREFIX ...' lines, not '%s'%s", name, "");
		snprintf(line, sizeof(line), "route add %s", value);
		ok = keep(p, &c->routes, &c->nroutes, line);
	} else {
		return bad(p, "unknown section [%s] (xfwd, tunnels, routes)%s", section, "");
	}
	return ok;
}

/* The value of a long line as inih would give it: no blanks around, no
 * "; comment" after a blank. */
static void long_value(struct parse *p, const char *v)
{
	char *e;

	v += strspn(v, " \t");
	free(p->long_value);
	if (!(p->long_value = strdup(v)))
		return;
	for (e = p->long_value; *e; e++)
		if (*e == ';' && e > p->long_value && (e[-1] == ' ' || e[-1] == '\t'))
			break;
	while (e > p->long_value && strchr(" \t\r\n", e[-1]))
		e--;
	*e = 0;
}

/* inih reads into a buffer of 200 bytes (Debian's build), and a longer
 * line (an ipsec tunnel with key paths and probe settings) would reach
 * it cut in two. So whole lines are read here, and a long "name = value"
 * goes to inih as "name = LONG_MARK", its value kept for the handler. */
static char *reader(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	ssize_t n = getline(&p->raw, &p->rawcap, p->f);
	char *eq;

	if (n < 0)
		return NULL;
	p->line++;
	if (n < size) {
		memcpy(buf, p->raw, (size_t)n + 1);
		return buf;
	}
	eq = strchr(p->raw, '=');
	if (!eq || eq - p->raw + (long)sizeof(" = " LONG_MARK "\n") > size) {
		snprintf(buf, size, "?\n"); /* inih: "not 'name = value'" */
		return buf;
	}
	long_value(p, eq + 1);
	snprintf(buf, size, "%.*s= %s\n", (int)(eq - p->raw), p->raw, LONG_MARK);
	return buf;
}

int config_load(const char *path, struct xconfig *c, char *err, size_t len)
{
	struct parse p = { .c = c, .path = path, .err = err, .len = len };
	FILE *f = fopen(path, "r");
	int line;

	memset(c, 0, sizeof(*c));
	snprintf(c->pin_root, sizeof(c->pin_root), "%s", XFWD_PIN_ROOT_DEFAULT);
	if (!f) {
		snprintf(err, len, "cannot read %s: %m", path);
		return -1;
	}
	p.f = f;
	line = ini_parse_stream(reader, &p, handler, &p);
	fclose(f);
	free(p.raw);
	free(p.long_value);
	if (line) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s", p.failed ? err : "not 'name = value', '[section]' or a comment");
		snprintf(err, len, "%s:%d: %s", path, line, msg);
		config_free(c);
		return -1;
	}
	if (!c->nattach) {
		snprintf(err, len, "%s: no 'attach = DEV...' in [xfwd]: xfwd needs at least one interface", path);
		config_free(c);
		return -1;
	}
	return 0;
}

void config_free(struct xconfig *c)
{
	for (size_t i = 0; i < c->ntunnels; i++)
		free(c->tunnels[i].text);
	for (size_t i = 0; i < c->nroutes; i++)
		free(c->routes[i].text);
	free(c->tunnels);
	free(c->routes);
	c->tunnels = c->routes = NULL;
	c->ntunnels = c->nroutes = 0;
}
