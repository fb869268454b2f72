/*
 * Tests of the state-transfer protocol's decisions (cats/xfer.h), which
 * catsd's xfer.c and the simulator share: the actions in order, "state
 * sent" only on the new egress's acknowledgement, the state given back to
 * the edge only when the new egress cannot have it, and the bounds on the
 * states kept for their import.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cats/xfer.h"

static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
	[15] = 0x10 };
static const uint8_t egress1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1,
	[15] = 1 };
static const uint8_t egress2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe2,
	[15] = 1 };

#define MAX_ACTS	8

/* What the caller was asked to do, with a copy of the state. */
struct rec {
	struct xfer_act	 a[MAX_ACTS];
	uint32_t	 state[MAX_ACTS];	/* the opaque state: a number */
	uint8_t		 peer[MAX_ACTS][16];	/* where ev.peer pointed */
	size_t		 n;
};

static void
record(void *arg, const struct xfer_act *a)
{
	struct rec *r = arg;

	assert_true(r->n < MAX_ACTS);
	r->a[r->n] = *a;
	r->state[r->n] = 0;
	if (a->state != NULL && a->state_len == sizeof(uint32_t))
		memcpy(&r->state[r->n], a->state, sizeof(uint32_t));
	if (a->type == XA_EVENT && a->ev.peer != NULL)
		memcpy(r->peer[r->n], a->ev.peer, 16);
	r->n++;
}

static void
intent(struct dp_intent *in, enum dp_op op, const uint8_t *peer)
{
	memset(in, 0, sizeof(*in));
	in->op = op;
	memcpy(in->client, client, 16);
	if (peer != NULL)
		memcpy(in->peer, peer, 16);
	in->service = 2;
	in->instance = 101;
	in->tx.next_seq = 9999;		/* the engine's guess */
}

/* Export, the edge's state, the acknowledgement: "state sent" comes with
 * the acknowledgement, not when the state left (mobility fig. 3). */
static void
test_old_egress(void **state)
{
	struct mh_tx tx = { .id = 1, .next_seq = 38 };
	uint32_t st = 0xabcd;
	struct dp_intent in;
	struct rec r = { 0 };
	struct xfer_fsm *x = xfer_fsm_new(record, &r);

	(void)state;
	intent(&in, DP_STATE_EXPORT, egress2);
	assert_true(xfer_fsm_export(x, &in));
	assert_int_equal(r.n, 1);
	assert_int_equal(r.a[0].type, XA_EDGE_EXPORT);
	assert_int_equal(r.a[0].instance, 101);
	assert_memory_equal(r.a[0].peer, egress2, 16);
	/* asked twice: one transfer */
	assert_false(xfer_fsm_export(x, &in));
	assert_int_equal(r.n, 1);
	/* an acknowledgement before anything was sent means nothing */
	assert_false(xfer_fsm_acked(x, client, 2, &tx));
	assert_true(xfer_fsm_exported(x, client, 2, &tx, &st, sizeof(st)));
	assert_int_equal(r.n, 2);
	assert_int_equal(r.a[1].type, XA_SEND);
	assert_int_equal(r.a[1].tx.next_seq, 38);	/* the edge's, not 9999 */
	assert_int_equal(r.state[1], 0xabcd);
	assert_memory_equal(r.a[1].peer, egress2, 16);
	/* sent, not yet acknowledged: no event */
	assert_int_equal(r.n, 2);
	assert_true(xfer_fsm_acked(x, client, 2, &tx));
	assert_int_equal(r.n, 3);
	assert_int_equal(r.a[2].type, XA_EVENT);
	assert_int_equal(r.a[2].ev.type, EV_STATE_SENT);
	assert_int_equal(r.a[2].ev.service, 2);
	assert_int_equal(r.a[2].ev.tx.id, 1);
	assert_int_equal(r.a[2].ev.tx.next_seq, 38);
	assert_memory_equal(r.a[2].ev.client, client, 16);
	assert_memory_equal(r.peer[2], egress2, 16);
	/* done: a second acknowledgement raises nothing */
	assert_false(xfer_fsm_acked(x, client, 2, &tx));
	assert_int_equal(r.n, 3);
	assert_int_equal(xfer_fsm_counters(x)->sent, 1);
	xfer_fsm_free(x);
}

/* An acknowledgement of another transaction or position is a failure. */
static void
test_wrong_ack(void **state)
{
	struct mh_tx tx = { .id = 1, .next_seq = 38 }, bad = tx;
	uint32_t st = 1;
	struct dp_intent in;
	struct rec r = { 0 };
	struct xfer_fsm *x = xfer_fsm_new(record, &r);

	(void)state;
	intent(&in, DP_STATE_EXPORT, egress2);
	xfer_fsm_export(x, &in);
	xfer_fsm_exported(x, client, 2, &tx, &st, sizeof(st));
	bad.next_seq = 37;
	assert_false(xfer_fsm_acked(x, client, 2, &bad));
	assert_int_equal(r.n, 2);			/* no event */
	assert_int_equal(xfer_fsm_counters(x)->failed, 1);
	/* and the transfer is over: the right one is too late */
	assert_false(xfer_fsm_acked(x, client, 2, &tx));
	xfer_fsm_free(x);
}

/* A failure before any of the state can have reached the new egress
 * gives it back to our edge; after, nothing (two copies would send
 * results twice). */
static void
test_failed(void **state)
{
	struct mh_tx tx = { .id = 4, .next_seq = 10 };
	uint32_t st = 77;
	struct dp_intent in;
	struct rec r = { 0 };
	struct xfer_fsm *x = xfer_fsm_new(record, &r);

	(void)state;
	intent(&in, DP_STATE_EXPORT, egress2);
	xfer_fsm_export(x, &in);
	xfer_fsm_exported(x, client, 2, &tx, &st, sizeof(st));
	xfer_fsm_failed(x, client, 2, false);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.a[2].type, XA_EDGE_IMPORT);
	assert_int_equal(r.a[2].instance, 101);
	assert_int_equal(r.a[2].tx.next_seq, 10);
	assert_int_equal(r.state[2], 77);
	assert_int_equal(xfer_fsm_counters(x)->taken_back, 1);

	r.n = 0;
	xfer_fsm_export(x, &in);
	xfer_fsm_exported(x, client, 2, &tx, &st, sizeof(st));
	xfer_fsm_failed(x, client, 2, true);
	assert_int_equal(r.n, 2);			/* nothing more */

	/* the edge never answered: nothing to give back */
	r.n = 0;
	xfer_fsm_export(x, &in);
	xfer_fsm_failed(x, client, 2, false);
	assert_int_equal(r.n, 1);
	assert_true(xfer_fsm_export(x, &in));		/* free again */
	xfer_fsm_free(x);
}

/* The new egress: the acknowledgement before the event (the event may
 * start the import), then the import of what was kept. */
static void
test_new_egress(void **state)
{
	struct mh_tx tx = { .id = 1, .next_seq = 38 };
	uint32_t st = 0x5a5a;
	struct dp_intent in;
	struct rec r = { 0 };
	struct xfer_fsm *x = xfer_fsm_new(record, &r);

	(void)state;
	assert_true(xfer_fsm_received(x, egress1, client, 2, &tx, &st,
	    sizeof(st), 1000));
	assert_int_equal(r.n, 2);
	assert_int_equal(r.a[0].type, XA_ACK);
	assert_memory_equal(r.a[0].peer, egress1, 16);
	assert_int_equal(r.state[0], 0x5a5a);
	assert_int_equal(r.a[1].type, XA_EVENT);
	assert_int_equal(r.a[1].ev.type, EV_STATE_RECEIVED);
	assert_int_equal(r.a[1].ev.tx.next_seq, 38);
	assert_memory_equal(r.peer[1], egress1, 16);
	intent(&in, DP_STATE_IMPORT, NULL);
	assert_true(xfer_fsm_import(x, &in, 1001));
	assert_int_equal(r.n, 3);
	assert_int_equal(r.a[2].type, XA_EDGE_IMPORT);
	assert_int_equal(r.a[2].instance, 101);
	assert_int_equal(r.a[2].tx.id, 1);
	assert_int_equal(r.state[2], 0x5a5a);
	/* it went with the import */
	assert_false(xfer_fsm_import(x, &in, 1002));
	xfer_fsm_free(x);
}

/* Kept states are bounded in number and in time; an expired one frees
 * its slot and cannot be imported. */
static void
test_kept_bounds(void **state)
{
	struct mh_tx tx = { .id = 1, .next_seq = 1 };
	uint8_t c[16];
	uint32_t st = 1;
	struct dp_intent in;
	struct rec r = { 0 };
	struct xfer_fsm *x;

	(void)state;
	x = xfer_fsm_new(record, &r);
	for (uint32_t i = 0; i < XFER_MAX_KEPT; i++) {
		memcpy(c, client, 16);
		memcpy(c + 8, &i, sizeof(i));
		r.n = 0;
		assert_true(xfer_fsm_received(x, egress1, c, 2, &tx, &st,
		    sizeof(st), 0));
	}
	memcpy(c, client, 16);
	c[7] = 0xff;
	r.n = 0;
	assert_false(xfer_fsm_received(x, egress1, c, 2, &tx, &st,
	    sizeof(st), 1));
	assert_int_equal(r.n, 0);		/* no acknowledgement either */
	/* the same client again replaces its own state */
	memcpy(c, client, 16);
	memset(c + 8, 0, 4);
	assert_true(xfer_fsm_received(x, egress1, c, 2, &tx, &st,
	    sizeof(st), 1));
	/* once they expired, the slots come back */
	c[7] = 0xff;
	r.n = 0;
	assert_true(xfer_fsm_received(x, egress1, c, 2, &tx, &st,
	    sizeof(st), XFER_KEEP_MS));
	/* and an expired state is not imported */
	intent(&in, DP_STATE_IMPORT, NULL);
	memcpy(in.client, client, 16);
	memcpy(in.client + 8, &(uint32_t){ 5 }, 4);
	assert_false(xfer_fsm_import(x, &in, XFER_KEEP_MS));
	xfer_fsm_free(x);
	xfer_fsm_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_egress),
		cmocka_unit_test(test_wrong_ack),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_new_egress),
		cmocka_unit_test(test_kept_bounds),
	};

	return cmocka_run_group_tests_name("xfer", tests, NULL, NULL);
}
