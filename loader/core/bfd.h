/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BFD (RFC 5880 asynchronous mode; 5881 single hop, 5883 multihop): the
 * control packet and one session's state machine, pure. The caller gives
 * the time and moves the bytes (daemon/bfd.c); docs/bfd.md.
 */
#ifndef XFWD_BFD_H
#define XFWD_BFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BFD_PORT 3784u    /* single hop (RFC 5881) */
#define BFD_MH_PORT 4784u /* multihop (RFC 5883) */
#define BFD_LEN 24u       /* a control packet without authentication */
#define BFD_SLOW_US 1000000u /* the least desired tx while not up (6.8.3) */

enum bfd_state { BFD_ADMIN_DOWN = 0, BFD_DOWN = 1, BFD_INIT = 2, BFD_UP = 3 };

enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_EXPIRED = 1,       /* control detection time expired */
	BFD_DIAG_ECHO = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3, /* neighbor signaled session down */
	BFD_DIAG_FWD_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REV_CONCAT = 8,
};

/* The flag bits of the second byte, under the state. */
#define BFD_F_POLL 0x20
#define BFD_F_FINAL 0x10
#define BFD_F_CPI 0x08
#define BFD_F_AUTH 0x04
#define BFD_F_DEMAND 0x02
#define BFD_F_MULTI 0x01

/* A control packet, parsed. */
struct bfd_ctrl {
	uint8_t diag, state, flags, mult;
	uint32_t my_discr, your_discr;
	uint32_t min_tx_us, min_rx_us, min_echo_rx_us;
};

/* One session. The configured timers apply while it is up; before,
 * it sends no faster than once a second. */
struct bfd_session {
	uint8_t state, remote_state, diag, remote_diag;
	uint8_t mult, remote_mult;
	uint8_t down_diag; /* why it last left Up */
	bool poll;       /* sending Poll: new timers wait for the Final */
	bool final_due;  /* a Poll came: the next packet carries the Final, now */
	bool demand;     /* the peer asked for demand mode (not honoured: docs/bfd.md) */
	uint32_t my_discr, your_discr;
	uint32_t cfg_tx_us, cfg_rx_us;  /* configured desired min tx, required min rx */
	uint32_t adv_tx_us, adv_rx_us;  /* advertised now */
	uint32_t eff_tx_us, eff_rx_us;  /* in force (the old ones until a Final) */
	uint32_t remote_tx_us, remote_rx_us;
	uint64_t next_tx, detect_at;    /* ns; detect_at 0: no timer */
	uint64_t sent, received, downs; /* downs: times it left Up */
	uint32_t rnd;                   /* jitter */
};

/* 0 and *c, or -1 with why the packet is dropped (RFC 5880 6.8.6). */
int bfd_parse(const uint8_t *p, size_t len, struct bfd_ctrl *c, const char **why);
void bfd_init(struct bfd_session *s, uint32_t my_discr, uint32_t tx_us, uint32_t rx_us,
	      uint8_t mult, uint64_t now);
/* New timers: in force at once while down, through Poll/Final while up. */
void bfd_set_timers(struct bfd_session *s, uint32_t tx_us, uint32_t rx_us, uint8_t mult);
/* A packet for this session (its discriminators matched): returns true
 * when the state changed; a packet is then due (next_tx moves to now). */
bool bfd_rx(struct bfd_session *s, const struct bfd_ctrl *c, uint64_t now);
/* The detection time expired by now: true when the state changed. */
bool bfd_expire(struct bfd_session *s, uint64_t now);
/* The packet to send at now (next_tx <= now or a Final due), into p
 * (BFD_LEN bytes); sets the next transmission. Returns its length, or
 * 0 when the peer asked for none (its min rx is 0). */
size_t bfd_tx(struct bfd_session *s, uint8_t *p, uint64_t now);
/* The earliest time anything is due. */
uint64_t bfd_due(const struct bfd_session *s);
/* The peer's detection time of us, and ours of the peer, in us. */
uint32_t bfd_detect_us(const struct bfd_session *s);
uint32_t bfd_tx_interval_us(const struct bfd_session *s);
const char *bfd_state_name(unsigned int state);
const char *bfd_diag_name(unsigned int diag);

#endif
