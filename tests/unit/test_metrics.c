// SPDX-License-Identifier: GPL-2.0-only
/* The metrics text (loader/core/metrics.c): every sample's family has
 * its HELP and TYPE first, counters end in _total, labels are escaped,
 * unprobed tunnels have no state, the daemon's figures only when given.
 * (promtool and a real node_exporter check the format: test_metrics.sh.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/core/metrics.h"

static char *render(const struct metrics *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(metrics_write(f, m), 0);
	fclose(f);
	return text;
}

/* Each sample line's metric name was declared by the TYPE line before
 * it, and a counter's name ends in _total. */
static void assert_declared(const char *text)
{
	char fam[128] = "", type[16] = "";
	const char *l = text;

	while (*l) {
		const char *e = strchr(l, '\n');
		char name[128];

		assert_non_null(e);
		if (sscanf(l, "# TYPE %127s %15s", fam, type) == 2) {
			if (!strcmp(type, "counter"))
				assert_non_null(strstr(fam, "_total"));
		} else if (*l != '#') {
			assert_int_equal(sscanf(l, "%127[^{ ]", name), 1);
			assert_string_equal(name, fam);
		}
		l = e + 1;
	}
}

static void test_metrics_text(void **s)
{
	struct metrics_tunnel tun[2] = { { .name = "t1", .c = { .rx_packets = 7, .tx_bytes = 900 } },
					 { .name = "we\"ird", .probed = true } };
	struct metrics_daemon d = { .resyncs = 2, .reloads = 3, .reloads_refused = 1, .last_commit = 1.5e9,
				    .probe_calls = 7 };
	struct metrics m = { .tun = tun, .ntun = 2, .routes4 = 12, .routes4_max = 1000 };
	char *text;

	(void)s;
	m.reason[XFWD_R_FWD_REDIRECT].packets = 42;
	m.reason[XFWD_R_DROP_URPF].bytes = 1500;
	tun[1].h.state = XFWD_HEALTH_HOLD;
	tun[1].h.rtt_us = 2500;
	tun[1].h.loss_permille = 30;
	text = render(&m);
	assert_declared(text);
	assert_non_null(strstr(text, "xfwd_packets_total{reason=\"fwd_redirect\",action=\"redirect\"} 42\n"));
	assert_non_null(strstr(text, "xfwd_bytes_total{reason=\"drop_urpf\",action=\"drop\"} 1500\n"));
	assert_non_null(strstr(text, "xfwd_tunnel_packets_total{tunnel=\"t1\",direction=\"in\"} 7\n"));
	assert_non_null(strstr(text, "xfwd_tunnel_bytes_total{tunnel=\"t1\",direction=\"out\"} 900\n"));
	assert_non_null(strstr(text, "xfwd_tunnel_state{tunnel=\"we\\\"ird\",state=\"hold-down\"} 1\n"));
	assert_non_null(strstr(text, "xfwd_tunnel_state{tunnel=\"we\\\"ird\",state=\"up\"} 0\n"));
	assert_null(strstr(text, "xfwd_tunnel_state{tunnel=\"t1\""));
	assert_non_null(strstr(text, "xfwd_tunnel_rtt_seconds{tunnel=\"we\\\"ird\"} 0.002500\n"));
	assert_non_null(strstr(text, "xfwd_tunnel_probe_loss_ratio{tunnel=\"we\\\"ird\"} 0.030\n"));
	assert_non_null(strstr(text, "xfwd_routes{family=\"ipv4\"} 12\n"));
	assert_non_null(strstr(text, "xfwd_routes_limit{family=\"ipv4\"} 1000\n"));
	assert_null(strstr(text, "xfwd_reloads_total"));
	free(text);
	m.daemon = &d;
	m.paths = (const struct metrics_path[]){ { .name = "t1", .capacity_bps = 8000, .load_bps = 800 },
						 { .dev = true, .name = "eth2", .capacity_bps = 10000000000ull,
						   .backup_known = true, .backup_short = true } };
	m.npaths = 2;
	text = render(&m);
	assert_non_null(strstr(text, "xfwd_path_capacity_bytes_per_second{tunnel=\"t1\"} 1000\n"));
	assert_non_null(strstr(text, "xfwd_path_load_bytes_per_second{tunnel=\"t1\"} 100\n"));
	assert_null(strstr(text, "xfwd_path_backup_short{tunnel=\"t1\"}")); /* not known */
	assert_non_null(strstr(text, "xfwd_path_backup_short{dev=\"eth2\"} 1\n"));
	assert_non_null(strstr(text, "xfwd_path_capacity_bytes_per_second{dev=\"eth2\"} 1250000000\n"));
	assert_declared(text);
	assert_non_null(strstr(text, "xfwd_mirror_resyncs_total 2\n"));
	assert_non_null(strstr(text, "xfwd_reloads_total{result=\"applied\"} 3\n"));
	assert_non_null(strstr(text, "xfwd_reloads_total{result=\"refused\"} 1\n"));
	assert_non_null(strstr(text, "xfwd_probe_calls_total 7\n"));
	assert_non_null(strstr(text, "xfwd_last_commit_timestamp_seconds 1500000000\n"));
	free(text);
}

/* A verdict no daemon has looked at for more than two intervals and two
 * seconds is stale (xfwd health says so); never judged is not stale. */
static void test_health_stale(void **s)
{
	(void)s;
	assert_int_equal(health_stale_s(10, 1000, 1002), 0);
	assert_int_equal(health_stale_s(10, 1000, 1004), 0); /* 2 x 1 s (rounded up) + 2 */
	assert_int_equal(health_stale_s(10, 1000, 1005), 5);
	assert_int_equal(health_stale_s(60000, 1000, 1122), 0);
	assert_int_equal(health_stale_s(60000, 1000, 1123), 123);
	assert_int_equal(health_stale_s(10, 0, 5000), 0);    /* never judged */
	assert_int_equal(health_stale_s(10, 5000, 4000), 0); /* the clock went back */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_text),
		cmocka_unit_test(test_health_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
