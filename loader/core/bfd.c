// SPDX-License-Identifier: GPL-2.0-only
/* BFD control packets and the session state machine (RFC 5880 6.8;
 * docs/bfd.md). Section numbers below are RFC 5880's. */
#include "bfd.h"

#include <string.h>

#define US 1000ull

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int drop(const char **why, const char *what)
{
	*why = what;
	return -1;
}

/* 6.8.6's checks that need no session. */
int bfd_parse(const uint8_t *p, size_t len, struct bfd_ctrl *c, const char **why)
{
	if (len < BFD_LEN)
		return drop(why, "shorter than a control packet");
	if (p[0] >> 5 != 1)
		return drop(why, "not version 1");
	if (p[3] < BFD_LEN || p[3] > len)
		return drop(why, "its length field is wrong");
	c->diag = p[0] & 0x1f;
	c->state = p[1] >> 6;
	c->flags = p[1] & 0x3f;
	c->mult = p[2];
	c->my_discr = get32(p + 4);
	c->your_discr = get32(p + 8);
	c->min_tx_us = get32(p + 12);
	c->min_rx_us = get32(p + 16);
	c->min_echo_rx_us = get32(p + 20);
	if (c->flags & BFD_F_AUTH)
		return drop(why, "authenticated (not supported)");
	if (!c->mult)
		return drop(why, "detect multiplier 0");
	if (c->flags & BFD_F_MULTI)
		return drop(why, "multipoint bit set");
	if (!c->my_discr)
		return drop(why, "my discriminator 0");
	if (!c->your_discr && c->state != BFD_DOWN && c->state != BFD_ADMIN_DOWN)
		return drop(why, "your discriminator 0 while not down");
	if ((c->flags & BFD_F_POLL) && (c->flags & BFD_F_FINAL))
		return drop(why, "both poll and final");
	return 0;
}

/* 6.8.3: no faster than once a second while not up. */
static uint32_t slow(const struct bfd_session *s, uint32_t tx)
{
	return s->state == BFD_UP || tx > BFD_SLOW_US ? tx : BFD_SLOW_US;
}

void bfd_init(struct bfd_session *s, uint32_t my_discr, uint32_t tx_us, uint32_t rx_us,
	      uint8_t mult, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->state = s->remote_state = BFD_DOWN;
	s->my_discr = my_discr;
	s->rnd = my_discr | 1;
	s->mult = mult;
	s->cfg_tx_us = tx_us;
	s->cfg_rx_us = rx_us;
	s->adv_tx_us = s->eff_tx_us = slow(s, tx_us);
	s->adv_rx_us = s->eff_rx_us = rx_us;
	s->remote_rx_us = 1; /* until the peer says: send (slowly) */
	s->next_tx = now;
}

/* What to advertise now; a change while up goes through Poll/Final:
 * a slower tx and a faster rx wait for the Final (6.8.3), the others
 * apply at once. */
static void timers_apply(struct bfd_session *s)
{
	uint32_t tx = slow(s, s->cfg_tx_us), rx = s->cfg_rx_us;

	if (tx == s->adv_tx_us && rx == s->adv_rx_us)
		return;
	s->adv_tx_us = tx;
	s->adv_rx_us = rx;
	if (s->state != BFD_UP) {
		s->eff_tx_us = tx;
		s->eff_rx_us = rx;
		s->poll = false;
		return;
	}
	if (tx < s->eff_tx_us)
		s->eff_tx_us = tx;
	if (rx > s->eff_rx_us)
		s->eff_rx_us = rx;
	s->poll = true;
}

void bfd_set_timers(struct bfd_session *s, uint32_t tx_us, uint32_t rx_us, uint8_t mult)
{
	s->cfg_tx_us = tx_us;
	s->cfg_rx_us = rx_us;
	s->mult = mult;
	timers_apply(s);
}

uint32_t bfd_detect_us(const struct bfd_session *s)
{
	uint32_t iv = s->eff_rx_us > s->remote_tx_us ? s->eff_rx_us : s->remote_tx_us;

	return s->remote_mult * iv;
}

uint32_t bfd_tx_interval_us(const struct bfd_session *s)
{
	return s->eff_tx_us > s->remote_rx_us ? s->eff_tx_us : s->remote_rx_us;
}

static void set_state(struct bfd_session *s, uint8_t state, uint8_t diag, uint64_t now)
{
	if (s->state == BFD_UP) {
		s->downs++;
		s->down_diag = diag;
	}
	s->state = state;
	if (state != BFD_UP)
		s->diag = diag;
	else
		s->diag = BFD_DIAG_NONE;
	timers_apply(s); /* up: the configured rates, by Poll; down: slow at once */
	s->next_tx = now; /* tell the peer now, not at the next interval */
}

/* 6.8.6's state machine, for a packet that found this session. */
static bool transition(struct bfd_session *s, const struct bfd_ctrl *c, uint64_t now)
{
	uint8_t was = s->state;

	if (c->state == BFD_ADMIN_DOWN) {
		if (s->state != BFD_DOWN)
			set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
	} else if (s->state == BFD_DOWN) {
		if (c->state == BFD_DOWN)
			set_state(s, BFD_INIT, s->diag, now);
		else if (c->state == BFD_INIT)
			set_state(s, BFD_UP, 0, now);
	} else if (s->state == BFD_INIT) {
		if (c->state == BFD_INIT || c->state == BFD_UP)
			set_state(s, BFD_UP, 0, now);
	} else if (c->state == BFD_DOWN) {
		set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
	}
	return s->state != was;
}

bool bfd_rx(struct bfd_session *s, const struct bfd_ctrl *c, uint64_t now)
{
	bool changed;

	s->received++;
	s->your_discr = c->my_discr;
	s->remote_state = c->state;
	s->remote_diag = c->diag;
	s->remote_mult = c->mult;
	s->demand = c->flags & BFD_F_DEMAND;
	s->remote_rx_us = c->min_rx_us;
	s->remote_tx_us = c->min_tx_us;
	if ((c->flags & BFD_F_FINAL) && s->poll) {
		s->poll = false;
		s->eff_tx_us = s->adv_tx_us;
		s->eff_rx_us = s->adv_rx_us;
	}
	changed = transition(s, c, now);
	if (c->flags & BFD_F_POLL) {
		s->final_due = true;
		s->next_tx = now;
	}
	/* 6.8.4: the detection time from the newest packet. */
	s->detect_at = now + (uint64_t)bfd_detect_us(s) * US;
	if (s->remote_rx_us && s->next_tx > now + (uint64_t)bfd_tx_interval_us(s) * US)
		s->next_tx = now + (uint64_t)bfd_tx_interval_us(s) * US; /* the peer wants them faster */
	return changed;
}

bool bfd_expire(struct bfd_session *s, uint64_t now)
{
	if (!s->detect_at || now < s->detect_at)
		return false;
	s->detect_at = 0;
	s->your_discr = 0; /* 6.8.1: forgotten when the detection time expires */
	s->remote_state = BFD_DOWN;
	if (s->state != BFD_INIT && s->state != BFD_UP)
		return false;
	set_state(s, BFD_DOWN, BFD_DIAG_EXPIRED, now);
	return true;
}

/* 6.8.7: 75-100% of the interval (75-90% with a multiplier of 1). */
static uint64_t jittered(struct bfd_session *s, uint32_t iv_us)
{
	uint32_t span = s->mult == 1 ? 15 : 25;

	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 17;
	s->rnd ^= s->rnd << 5;
	return (uint64_t)iv_us * (75 + s->rnd % (span + 1)) / 100 * US;
}

size_t bfd_tx(struct bfd_session *s, uint8_t *p, uint64_t now)
{
	bool final = s->final_due;

	s->final_due = false;
	s->next_tx = now + jittered(s, bfd_tx_interval_us(s));
	if (!s->remote_rx_us && !final)
		return 0;
	p[0] = (uint8_t)(1 << 5 | (s->diag & 0x1f));
	p[1] = (uint8_t)(s->state << 6 | (final ? BFD_F_FINAL : s->poll ? BFD_F_POLL : 0));
	p[2] = s->mult;
	p[3] = BFD_LEN;
	put32(p + 4, s->my_discr);
	put32(p + 8, s->your_discr);
	put32(p + 12, s->adv_tx_us);
	put32(p + 16, s->adv_rx_us);
	put32(p + 20, 0); /* no echo */
	s->sent++;
	return BFD_LEN;
}

uint64_t bfd_due(const struct bfd_session *s)
{
	return s->detect_at && s->detect_at < s->next_tx ? s->detect_at : s->next_tx;
}

const char *bfd_state_name(unsigned int state)
{
	static const char *const n[] = { "admin-down", "down", "init", "up" };

	return state < 4 ? n[state] : "?";
}

const char *bfd_diag_name(unsigned int diag)
{
	static const char *const n[] = {
		"none", "detection time expired", "echo failed", "neighbor signaled down",
		"forwarding reset", "path down", "concatenated path down", "admin down",
		"reverse concatenated path down",
	};

	return diag < sizeof(n) / sizeof(n[0]) ? n[diag] : "?";
}
