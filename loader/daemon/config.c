// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's configuration file (see config.h). Pure: parsing and
 * syntax only; devices and tunnels are checked when it is applied. */
#include "config.h"
#include "sizes.h"
#include "spec_parse.h"
#include "words.h"

#include <errno.h>
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

/* Parse a [tunnels] or [routes] value once, into the line kept: its
 * spec, and its text ("tunnel add ...", "route add ...") for messages. */
static int keep(struct parse *p, struct config_line **v, size_t *n, bool tunnel, const char *value)
{
	char msg[512], copy[CONFIG_LINE_MAX], text[CONFIG_LINE_MAX];
	struct config_line l = { .lineno = p->line, .is_tunnel = tunnel }, *nv;

	snprintf(copy, sizeof(copy), "%s", value);
	if (tunnel ? spec_parse_tunnel_line(copy, &l.tun, msg, sizeof(msg))
		   : spec_parse_route_line(copy, &l.route, msg, sizeof(msg)))
		return bad(p, "%s%s", msg, "");
	snprintf(text, sizeof(text), "%s add %s", tunnel ? "tunnel" : "route", value);
	if (!(nv = realloc(*v, (*n + 1) * sizeof(**v))) || !(l.text = strdup(text))) {
		if (nv)
			*v = nv;
		return bad(p, "out of memory%s%s", "", "");
	}
	*v = nv;
	nv[(*n)++] = l;
	return 1;
}

/* A file's text, NUL-terminated (*out: free()); -1 with errno. */
static int read_text(const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0, n = 0, got;
	char *t = NULL, *nt;

	if (!f)
		return -1;
	do {
		if (n + 4097 > cap) {
			if (!(nt = realloc(t, cap = 2 * cap + 8192))) {
				free(t);
				fclose(f);
				return -1;
			}
			t = nt;
		}
		n += got = fread(t + n, 1, cap - n - 1, f);
	} while (got);
	t[n] = 0;
	fclose(f);
	*out = t;
	return 0;
}

static bool same_target(const struct filter_spec *a, const struct filter_spec *b)
{
	return a->tunnel == b->tunnel && a->dir == b->dir && !strcmp(a->name, b->name);
}

/* A [filters] line: 'filter = tunnel NAME|dev DEV in|out [default
 * allow|deny] rules FILE'. Its rule file is read and checked now: a bad
 * one refuses the config whole. */
static int keep_filter(struct parse *p, const char *value)
{
	struct config_filter f = { .lineno = p->line }, *nv;
	char copy[CONFIG_LINE_MAX], msg[512], *argv[16], *text;
	int argc, n;

	snprintf(copy, sizeof(copy), "%s", value);
	argc = words_split(copy, argv, 16, msg, sizeof(msg));
	if (argc < 0 || filter_spec_parse(argc, argv, &f.spec, true, msg, sizeof(msg)))
		return bad(p, "%s%s", msg, "");
	if (!strcmp(f.spec.rules, "-"))
		return bad(p, "a filter of the config reads its rules from a file, not standard input%s%s", "", "");
	for (size_t i = 0; i < p->c->nfilters; i++)
		if (same_target(&p->c->filters[i].spec, &f.spec))
			return bad(p, "a second filter for %s %s: one set per tunnel or device and direction",
				   f.spec.tunnel ? "tunnel" : "dev", f.spec.name);
	if (read_text(f.spec.rules, &text))
		return bad(p, "cannot read the rule file %s: %s", f.spec.rules, strerror(errno));
	n = filter_rules_parse(text, f.spec.rules, &f.rules, msg, sizeof(msg));
	free(text);
	if (n < 0)
		return bad(p, "%s%s", msg, "");
	f.n = (uint32_t)n;
	if (!(nv = realloc(p->c->filters, (p->c->nfilters + 1) * sizeof(*nv)))) {
		free(f.rules);
		return bad(p, "out of memory%s%s", "", "");
	}
	p->c->filters = nv;
	nv[p->c->nfilters++] = f;
	return 1;
}

/* A [translations] line: 'xlat = REAL to MAPPED tunnel NAME|dev DEV';
 * refused when it overlaps an earlier line's rule on the same target. */
static int keep_xlat(struct parse *p, const char *value)
{
	struct config_xlat x = { .lineno = p->line }, *nv;
	struct xfwd_xlat_rule a, b;
	char copy[CONFIG_LINE_MAX], msg[512], *argv[16];
	int argc;

	snprintf(copy, sizeof(copy), "%s", value);
	argc = words_split(copy, argv, 16, msg, sizeof(msg));
	if (argc < 0 || xlat_spec_parse(argc, argv, &x.spec, true, msg, sizeof(msg)))
		return bad(p, "%s%s", msg, "");
	xlat_rule_of(&x.spec, 0, &a);
	for (size_t i = 0; i < p->c->nxlats; i++) {
		const struct config_xlat *o = &p->c->xlats[i];

		xlat_rule_of(&o->spec, 0, &b);
		if (o->spec.tunnel == x.spec.tunnel && !strcmp(o->spec.name, x.spec.name) &&
		    xlat_rules_overlap(&a, &b)) {
			char ln[16];

			snprintf(ln, sizeof(ln), "%d", o->lineno);
			return bad(p, "this translation overlaps line %s's on the same target: translation is one to one both ways (one prefix, one rule)%s",
				   ln, "");
		}
	}
	if (!(nv = realloc(p->c->xlats, (p->c->nxlats + 1) * sizeof(*nv))))
		return bad(p, "out of memory%s%s", "", "");
	p->c->xlats = nv;
	nv[p->c->nxlats++] = x;
	return 1;
}

/* capacity = tunnel NAME RATE | dev DEV RATE */
static int keep_capacity(struct parse *p, const char *value)
{
	struct config_capacity c = { .lineno = p->line }, *nv;
	char copy[CONFIG_LINE_MAX], msg[512], *argv[8];
	int argc;

	snprintf(copy, sizeof(copy), "%s", value);
	argc = words_split(copy, argv, 8, msg, sizeof(msg));
	if (argc != 3 || (strcmp(argv[0], "tunnel") && strcmp(argv[0], "dev")) || strlen(argv[1]) >= sizeof(c.name) ||
	    parse_rate(argv[2], &c.bps))
		return bad(p, "[capacity] takes 'capacity = tunnel NAME RATE' or 'dev DEV RATE' (bits a second: 1.25G, 500M), not '%s'%s",
			   value, "");
	c.dev = !strcmp(argv[0], "dev");
	snprintf(c.name, sizeof(c.name), "%s", argv[1]);
	for (size_t i = 0; i < p->c->ncaps; i++)
		if (p->c->caps[i].dev == c.dev && !strcmp(p->c->caps[i].name, c.name))
			return bad(p, "%s has a capacity already: one line each%s", c.name, "");
	if (!(nv = realloc(p->c->caps, (p->c->ncaps + 1) * sizeof(*nv))))
		return bad(p, "out of memory%s%s", "", "");
	p->c->caps = nv;
	nv[p->c->ncaps++] = c;
	return 1;
}

static int set_main(struct parse *p, const char *name, const char *value)
{
	struct xconfig *c = p->c;
	char *end;

	if (!strcmp(name, "pin-root")) {
		if (strlen(value) > XFWD_PIN_ROOT_MAX)
			return bad(p, "pin-root: a path of at most %s characters%s", XFWD_STR(XFWD_PIN_ROOT_MAX), "");
		snprintf(c->pin_root, sizeof(c->pin_root), "%s", value);
	} else if (!strcmp(name, "attach")) {
		char buf[1024], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", value);
		for (char *d = strtok_r(buf, " \t,", &save); d; d = strtok_r(NULL, " \t,", &save)) {
			if (c->nattach == CLI_MAX_DEVS || strlen(d) >= IFNAME_LEN)
				return bad(p, "attach: too many devices, or a name too long ('%s')%s", d, "");
			snprintf(c->attach[c->nattach++], IFNAME_LEN, "%s", d);
		}
		c->attach_line = p->line;
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
	} else if (!strcmp(name, "metrics-file")) {
		size_t n = strlen(value);

		if (n >= sizeof(c->metrics_file) || value[0] != '/' || n < 7 || strcmp(value + n - 5, ".prom"))
			return bad(p, "metrics-file is an absolute path ending in .prom (node_exporter's textfile collector reads only those: /var/lib/prometheus/node-exporter/xfwd.prom), not '%s'%s",
				   value, "");
		snprintf(c->metrics_file, sizeof(c->metrics_file), "%s", value);
	} else if (!strcmp(name, "capacity-window")) {
		unsigned long s = strtoul(value, &end, 10);

		if (!*value || *end || s < 2 || s > 3600)
			return bad(p, "capacity-window is whole seconds from 2 to 3600, not '%s'%s", value, "");
		c->capacity_window = (unsigned int)s;
	} else if (!strcmp(name, "bfd-realtime")) {
		if (strcmp(value, "yes") && strcmp(value, "no"))
			return bad(p, "bfd-realtime is 'yes' (BFD's thread at SCHED_FIFO: docs/bfd.md) or 'no', not '%s'%s", value, "");
		c->bfd_normal = !strcmp(value, "no");
	} else if (!strcmp(name, "health-check")) {
		char kind[8];
		unsigned int port;
		int used = 0;

		if (sscanf(value, "%7s %u%n", kind, &port, &used) != 2 || value[used] || !port || port > 65535 ||
		    (strcmp(kind, "tcp") && strcmp(kind, "http")))
			return bad(p, "health-check is 'tcp PORT' or 'http PORT' (the load balancer's check: docs/gwlb.md), not '%s'%s",
				   value, "");
		c->hcheck_port = (uint16_t)port;
		c->hcheck_http = !strcmp(kind, "http");
	} else if (!strcmp(name, "metrics-interval")) {
		unsigned long s = strtoul(value, &end, 10);

		if (!*value || *end || s < 1 || s > 3600)
			return bad(p, "metrics-interval is whole seconds from 1 to 3600, not '%s'%s", value, "");
		c->metrics_interval = (unsigned int)s;
	} else if (map_size_is(name)) {
		char msg[160];

		if (map_size_set(&c->sizes, name, value, msg, sizeof(msg)))
			return bad(p, "%s%s", msg, "");
	} else {
		return bad(p, "unknown setting '%s' in [xfwd] (pin-root, attach, mode, mirror-table, on-health-change, metrics-file, metrics-interval, capacity-window, bfd-realtime, health-check, %s)",
			   name, map_size_words());
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
		ok = keep(p, &c->tunnels, &c->ntunnels, true, value);
	} else if (!strcmp(section, "routes")) {
		if (strcmp(name, "route"))
			return bad(p, "[routes] takes 'route = PREFIX ...' lines, not '%s'%s", name, "");
		ok = keep(p, &c->routes, &c->nroutes, false, value);
	} else if (!strcmp(section, "filters")) {
		if (strcmp(name, "filter"))
			return bad(p, "[filters] takes 'filter = tunnel NAME|dev DEV in|out ... rules FILE' lines, not '%s'%s", name, "");
		ok = keep_filter(p, value);
	} else if (!strcmp(section, "translations")) {
		if (strcmp(name, "xlat"))
			return bad(p, "[translations] takes 'xlat = REAL to MAPPED tunnel NAME|dev DEV' lines, not '%s'%s", name, "");
		ok = keep_xlat(p, value);
	} else if (!strcmp(section, "capacity")) {
		if (strcmp(name, "capacity"))
			return bad(p, "[capacity] takes 'capacity = tunnel NAME RATE' lines, not '%s'%s", name, "");
		ok = keep_capacity(p, value);
	} else {
		return bad(p, "unknown section [%s] (xfwd, tunnels, routes, filters, translations, capacity)%s", section, "");
	}
	return ok;
}

/* A comment after a value is a ';' between blanks, or a ';' then the
 * line's end: "x ; why" and "x ;" end at x, but a shell command's
 * "case $1 in up) ... ;; esac" or "a ;b" keep every character (inih's own
 * rule, any ';' after a blank, cut such a command silently). */
static int comment_at(const char *start, const char *e)
{
	return *e == ';' && e > start && (e[-1] == ' ' || e[-1] == '\t') &&
	       (!e[1] || strchr(" \t\r\n", e[1]));
}

/* A value with no blanks around and no comment after it. */
static void keep_value(struct parse *p, const char *v)
{
	char *e;

	v += strspn(v, " \t");
	free(p->long_value);
	if (!(p->long_value = strdup(v)))
		return;
	for (e = p->long_value; *e; e++)
		if (comment_at(p->long_value, e))
			break;
	while (e > p->long_value && strchr(" \t\r\n", e[-1]))
		e--;
	*e = 0;
}

/* inih reads into a buffer of 200 bytes (Debian's build), and a longer
 * line (an ipsec tunnel with key paths and probe settings) would reach
 * it cut in two; its comment rule cuts values at any ' ;'. So whole
 * lines are read here, and every "name = value" goes to inih as
 * "name = LONG_MARK", its value kept for the handler (keep_value). */
static char *reader(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	ssize_t n = getline(&p->raw, &p->rawcap, p->f);
	char *eq;

	if (n < 0)
		return NULL;
	p->line++;
	eq = strchr(p->raw, '=');
	if (n < size && (!eq || strchr(";#[", p->raw[strspn(p->raw, " \t")]))) {
		memcpy(buf, p->raw, (size_t)n + 1);
		return buf;
	}
	if (!eq || eq - p->raw + (long)sizeof(" = " LONG_MARK "\n") > size) {
		snprintf(buf, size, "?\n"); /* inih: "not 'name = value'" */
		return buf;
	}
	keep_value(p, eq + 1);
	snprintf(buf, size, "%.*s= %s\n", (int)(eq - p->raw), p->raw, LONG_MARK);
	return buf;
}

static bool same_endpoints(const struct tunnel_spec *a, const struct tunnel_spec *b)
{
	return a->type == b->type && a->type != XFWD_TUN_IPSEC && xaddr_eq(&a->local, &b->local) &&
	       xaddr_eq(&a->remote, &b->remote) && a->has_key == b->has_key &&
	       (!a->has_key || a->key == b->key);
}

/* Two tunnel lines that cannot both be: the same name, or the same
 * endpoints and key (XDP could not tell their packets apart). */
static int tunnel_conflicts(const struct xconfig *c, char *err, size_t len)
{
	for (size_t i = 0; i < c->ntunnels; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct tunnel_spec *a = &c->tunnels[j].tun, *b = &c->tunnels[i].tun;

			if (!strcmp(a->name, b->name))
				snprintf(err, len, "%d: tunnel %s is given twice (line %d too): one line per tunnel",
					 c->tunnels[i].lineno, b->name, c->tunnels[j].lineno);
			else if (same_endpoints(a, b))
				snprintf(err, len, "%d: tunnel %s joins the same endpoints with the same key as %s (line %d): give each its own key or vni",
					 c->tunnels[i].lineno, b->name, a->name, c->tunnels[j].lineno);
			else
				continue;
			return -1;
		}
	}
	return 0;
}

struct route_at {
	struct xprefix p;
	const struct config_line *l;
};

static int route_at_cmp(const void *x, const void *y)
{
	const struct route_at *a = x, *b = y;
	int d = memcmp(&a->p, &b->p, sizeof(a->p));

	return d ? d : a->l->lineno - b->l->lineno;
}

/* The same prefix on two route lines: the file would not say which. */
static int route_conflicts(const struct xconfig *c, char *err, size_t len)
{
	struct route_at *v = calloc(c->nroutes ? c->nroutes : 1, sizeof(*v));

	if (!v)
		return snprintf(err, len, "out of memory"), -1;
	for (size_t i = 0; i < c->nroutes; i++) {
		v[i].p = c->routes[i].route.prefix; /* xprefix_parse zeroes what it does not set */
		v[i].l = &c->routes[i];
	}
	qsort(v, c->nroutes, sizeof(*v), route_at_cmp);
	for (size_t i = 1; i < c->nroutes; i++) {
		char p[XPREFIX_STRLEN];

		if (!xprefix_eq(&v[i].p, &v[i - 1].p))
			continue;
		snprintf(err, len, "%d: route %s is given twice (line %d too): one line per prefix",
			 v[i].l->lineno, xprefix_str(&v[i].p, p), v[i - 1].l->lineno);
		free(v);
		return -1;
	}
	free(v);
	return 0;
}

/* Lines checked against each other: "LINE: problem" in err. */
static int conflicts(const struct xconfig *c, char *err, size_t len)
{
	return tunnel_conflicts(c, err, len) || route_conflicts(c, err, len) ? -1 : 0;
}

int config_load(const char *path, struct xconfig *c, char *err, size_t len)
{
	struct parse p = { .c = c, .path = path, .err = err, .len = len };
	FILE *f = fopen(path, "r");
	char msg_buf[600];
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
	if (conflicts(c, msg_buf, sizeof(msg_buf))) {
		snprintf(err, len, "%s:%s", path, msg_buf);
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
	for (size_t i = 0; i < c->nfilters; i++)
		free(c->filters[i].rules);
	free(c->tunnels);
	free(c->routes);
	free(c->filters);
	free(c->xlats);
	c->xlats = NULL;
	c->nxlats = 0;
	free(c->caps);
	c->caps = NULL;
	c->ncaps = 0;
	c->tunnels = c->routes = NULL;
	c->filters = NULL;
	c->nfilters = 0;
	c->ntunnels = c->nroutes = 0;
}

void config_subject(const struct config_line *l, char *buf, size_t len)
{
	if (l->is_tunnel)
		snprintf(buf, len, "tunnel %s", l->tun.name);
	else
		xprefix_str(&l->route.prefix, buf + snprintf(buf, len, "route "));
}

int config_restart_needed(const struct xconfig *old, const struct xconfig *now, char *err, size_t len)
{
	if (strcmp(old->pin_root, now->pin_root)) {
		snprintf(err, len, "pin-root cannot change on reload (%s to %s): the running maps and program are under the old one; restart the daemon (systemctl restart xfwd)",
			 old->pin_root, now->pin_root);
		return -1;
	}
	if (old->hcheck_port != now->hcheck_port || old->hcheck_http != now->hcheck_http) {
		snprintf(err, len, "health-check cannot change on reload: restart the daemon (systemctl restart xfwd), which listens on the new port");
		return -1;
	}
	if (memcmp(&old->sizes, &now->sizes, sizeof(now->sizes))) {
		snprintf(err, len, "table sizes (%s) cannot change on reload: they are set when the maps are made; run 'xfwd detach', then restart the daemon (systemctl restart xfwd), which makes them anew (forwarding stops until it has attached)",
			 map_size_words());
		return -1;
	}
	if (old->mirror_table != now->mirror_table) {
		snprintf(err, len, "mirror-table cannot change on reload (%u to %u): restart the daemon (systemctl restart xfwd), which mirrors the new table from scratch",
			 old->mirror_table, now->mirror_table);
		return -1;
	}
	return 0;
}

bool config_has(const struct xconfig *c, const char *subject)
{
	char k[128];

	for (size_t i = 0; i < c->ntunnels + c->nroutes; i++) {
		config_subject(i < c->ntunnels ? &c->tunnels[i] : &c->routes[i - c->ntunnels], k, sizeof(k));
		if (!strcmp(k, subject))
			return true;
	}
	return false;
}

void config_dropped(const struct xconfig *old, const struct xconfig *now,
		    void (*fn)(const struct config_line *l, void *arg), void *arg)
{
	char k[128];

	for (size_t i = old->ntunnels + old->nroutes; i-- > 0;) {
		const struct config_line *l = i < old->ntunnels ? &old->tunnels[i]
							      : &old->routes[i - old->ntunnels];

		config_subject(l, k, sizeof(k));
		if (!config_has(now, k))
			fn(l, arg);
	}
}
