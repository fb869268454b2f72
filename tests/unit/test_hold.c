/*
 * Tests of the ingress's hold (cats/hold.h), the rules catsd's tunbuf.c
 * and the simulator share: what a first packet raises, the bound in
 * packets (drops counted), the bound in time, the release order, and a
 * release whose packets come back to the hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cats/hold.h"

static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
	[15] = 0x10 };
static const uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b,
	[15] = 0x20 };

/* What a release hands out, in order. */
struct got {
	int		 v[16];
	size_t		 n;
	struct holds	*h;		/* re-entry: hand each back */
	enum hold_verdict back;
};

static void
collect(void *arg, const void *pkt, size_t len)
{
	struct got *g = arg;
	int x;

	assert_int_equal(len, sizeof(x));
	memcpy(&x, pkt, sizeof(x));
	if (g->n < 16)
		g->v[g->n++] = x;
	if (g->h != NULL)
		g->back = hold_to(g->h, client, &x, sizeof(x), 0);
}

static enum hold_verdict
first(struct holds *h, int x, uint64_t now)
{
	return hold_first(h, client, &x, sizeof(x), now);
}

static enum hold_verdict
to(struct holds *h, const uint8_t *c, int x, uint64_t now)
{
	return hold_to(h, c, &x, sizeof(x), now);
}

/* Anchoring section 3: the first packet tells of the client and its
 * request; the others wait with it. */
static void
test_first_packet(void **state)
{
	struct holds *h = holds_new(NULL);
	const struct hold_counters *c = holds_counters(h);
	struct got g = { 0 };

	(void)state;
	assert_int_equal(first(h, 1, 10), HOLD_FIRST);
	assert_int_equal(first(h, 2, 11), HOLD_QUEUED);
	assert_true(hold_holding(h, client));
	assert_int_equal(hold_queued(h, client), 2);
	assert_int_equal(c->first_packets, 1);
	assert_int_equal(c->held, 2);
	/* steered: both go, the first first, and the hold is gone */
	assert_int_equal(hold_release(h, client, 12, collect, &g), 2);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.v[0], 1);
	assert_int_equal(g.v[1], 2);
	assert_false(hold_holding(h, client));
	assert_int_equal(c->released, 2);
	/* a later miss is a first packet again */
	assert_int_equal(first(h, 3, 20), HOLD_FIRST);
	assert_int_equal(c->first_packets, 2);
	holds_free(h);
}

/* catsd's tunbuf first_packet and the simulator raise exactly this. */
static void
test_first_events(void **state)
{
	static const uint8_t ll[6] = { 2, 0, 0x5e, 0x10, 0, 1 };
	struct ev ev[HOLD_FIRST_EVENTS];

	(void)state;
	assert_int_equal(hold_first_events(client, 3, ll, sizeof(ll), ev), 2);
	assert_int_equal(ev[0].type, EV_ATTACH);
	assert_int_equal(ev[1].type, EV_SERVICE_REQUEST);
	for (int i = 0; i < 2; i++) {
		assert_memory_equal(ev[i].client, client, 16);
		assert_int_equal(ev[i].service, 3);
		assert_int_equal(ev[i].lladdr_len, sizeof(ll));
		assert_memory_equal(ev[i].lladdr, ll, sizeof(ll));
		assert_null(ev[i].req);		/* CATS-unaware: none */
		assert_null(ev[i].peer);
	}
	/* a TUN has no link header */
	hold_first_events(client, 0, NULL, 0, ev);
	assert_int_equal(ev[0].lladdr_len, 0);
	/* too long for the event: left out, not cut */
	hold_first_events(client, 0, ll, 9, ev);
	assert_int_equal(ev[1].lladdr_len, 0);
}

/* The bound in packets: what does not fit is dropped and counted, and
 * what fit comes out in order. */
static void
test_bounded(void **state)
{
	struct hold_limits lim = { .packets = 3, .ms = 1000 };
	struct holds *h = holds_new(&lim);
	const struct hold_counters *c = holds_counters(h);
	struct got g = { 0 };

	(void)state;
	assert_true(hold_start(h, client));
	for (int i = 1; i <= 3; i++)
		assert_int_equal(to(h, client, i, 0), HOLD_QUEUED);
	assert_int_equal(to(h, client, 4, 0), HOLD_OVERFLOW);
	assert_int_equal(to(h, client, 5, 0), HOLD_OVERFLOW);
	assert_int_equal(c->held, 3);
	assert_int_equal(c->overflow, 2);
	assert_int_equal(hold_queued(h, client), 3);
	/* a first packet of a held client is only queued, and may overflow */
	assert_int_equal(first(h, 6, 0), HOLD_OVERFLOW);
	assert_int_equal(c->first_packets, 0);
	assert_int_equal(hold_release(h, client, 1, collect, &g), 3);
	assert_int_equal(g.v[0], 1);
	assert_int_equal(g.v[1], 2);
	assert_int_equal(g.v[2], 3);
	holds_free(h);
}

/* Nobody holds the client: dropped, counted; other clients untouched. */
static void
test_unheld(void **state)
{
	struct holds *h = holds_new(NULL);
	const struct hold_counters *c = holds_counters(h);
	struct got g = { 0 };

	(void)state;
	assert_int_equal(to(h, client, 1, 0), HOLD_UNHELD);
	assert_int_equal(c->unheld, 1);
	assert_true(hold_start(h, other));
	assert_int_equal(to(h, client, 2, 0), HOLD_UNHELD);
	assert_int_equal(to(h, other, 3, 0), HOLD_QUEUED);
	assert_int_equal(hold_release(h, client, 0, collect, &g), 0);
	assert_int_equal(hold_queued(h, other), 1);
	holds_free(h);			/* frees what 'other' still holds */
}

/* The bound in time: a packet older than limits.ms goes, on the next
 * packet or at the release, and is counted. */
static void
test_expiry(void **state)
{
	struct hold_limits lim = { .packets = 10, .ms = 100 };
	struct holds *h = holds_new(&lim);
	const struct hold_counters *c = holds_counters(h);
	struct got g = { 0 };

	(void)state;
	assert_true(hold_start(h, client));
	to(h, client, 1, 0);
	to(h, client, 2, 50);
	to(h, client, 3, 100);		/* 0 + 100 is not older than 100 */
	assert_int_equal(c->expired, 0);
	to(h, client, 4, 160);		/* 1 and 2 are */
	assert_int_equal(c->expired, 2);
	assert_int_equal(hold_queued(h, client), 2);
	assert_int_equal(hold_release(h, client, 201, collect, &g), 1);
	assert_int_equal(c->expired, 3);
	assert_int_equal(g.v[0], 4);
	holds_free(h);
}

/* What a release sends may come straight back (a route still into the
 * hold): the hold is already gone, so it is dropped, not looped. */
static void
test_release_reentry(void **state)
{
	struct holds *h = holds_new(NULL);
	struct got g = { 0 };

	(void)state;
	g.h = h;
	assert_true(hold_start(h, client));
	to(h, client, 1, 0);
	assert_int_equal(hold_release(h, client, 0, collect, &g), 1);
	assert_int_equal(g.back, HOLD_UNHELD);
	assert_false(hold_holding(h, client));
	holds_free(h);
}

/* Zero limits take catsd's defaults. */
static void
test_defaults(void **state)
{
	struct hold_limits lim = { 0 };
	struct holds *h = holds_new(&lim);
	const struct hold_counters *c = holds_counters(h);

	(void)state;
	assert_true(hold_start(h, client));
	for (int i = 0; i < HOLD_DEFAULT_PACKETS + 1; i++)
		to(h, client, i, 0);
	assert_int_equal(c->held, HOLD_DEFAULT_PACKETS);
	assert_int_equal(c->overflow, 1);
	to(h, client, 0, HOLD_DEFAULT_MS + 1);
	assert_int_equal(c->expired, HOLD_DEFAULT_PACKETS);
	holds_free(h);
	holds_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_packet),
		cmocka_unit_test(test_first_events),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_unheld),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_release_reentry),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests_name("hold", tests, NULL, NULL);
}
