/* Unit tests of the simulation harness itself: the event queue, the random
 * generator, link delays and impairments, timers, the data-plane model and
 * the client, driven by a tiny fake node (sim_opts.impl) so that nothing
 * here depends on how the real roles behave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/mh.h"
#include "cats/sim.h"

/* ---- the fake node ---- */

#define FAKE_LOG	16384

struct rec {
	enum ev_type	 type;
	uint64_t	 now;
	uint64_t	 timer;
	int		 peer;		/* sim_ep of ev.peer, -1 none */
	uint16_t	 seq;		/* EV_MSG: the message's sequence */
	struct mh_tx	 tx;
};

struct fake {
	enum sim_ep	 ep;
	const struct node_ops *ops;
	void		*ctx;
	struct rec	*log;
	size_t		 n;
};

static struct fake *fakes[SIM_EP__COUNT];
/* What the current test makes the fakes do with an event. */
static void	(*hook)(struct fake *, const struct ev *, uint64_t);

static void *
fake_create(const struct node_cfg *cfg, const struct node_ops *ops,
    void *ctx, const char **why)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		*why = "out of memory";
		return NULL;
	}
	f->ep = (enum sim_ep)sim_ep_by_addr(cfg->addr);
	f->ops = ops;
	f->ctx = ctx;
	f->log = calloc(FAKE_LOG, sizeof(*f->log));
	fakes[f->ep] = f;
	return f;
}

static void
fake_event(void *node, const struct ev *ev, uint64_t now)
{
	struct fake *f = node;
	struct rec *r;
	struct mh_msg m;
	struct mh_error e;

	if (f->n < FAKE_LOG) {
		r = &f->log[f->n++];
		r->type = ev->type;
		r->now = now;
		r->timer = ev->timer;
		r->peer = ev->peer != NULL ? sim_ep_by_addr(ev->peer) : -1;
		r->tx = ev->tx;
		if (ev->type == EV_MSG &&
		    mh_decode(ev->buf, ev->len, NULL, &m, &e) == MH_OK)
			r->seq = m.seq;
	}
	if (hook != NULL)
		hook(f, ev, now);
}

static void
fake_destroy(void *node)
{
	struct fake *f = node;

	fakes[f->ep] = NULL;
	free(f->log);
	free(f);
}

static const struct sim_node_impl fake_impl = {
	fake_create, fake_event, fake_destroy,
};

static size_t
count(const struct fake *f, enum ev_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->log[i].type == t;
	return n;
}

static const struct rec *
first(const struct fake *f, enum ev_type t)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->log[i].type == t)
			return &f->log[i];
	return NULL;
}

static void
fake_opts(struct sim_opts *o)
{
	sim_opts_default(o);
	o->impl = &fake_impl;
	o->keep_ladder = true;
	hook = NULL;
}

static struct sim *
fake_world(const char *scenario, const struct sim_opts *o)
{
	const char *why = NULL;
	struct sim *s = sim_new(scenario, o, &why);

	assert_non_null(s);
	assert_null(why);
	return s;
}

/* With the checksum over src and dst, as the nodes send. */
static size_t
encode(enum mh_kind kind, uint16_t seq, uint8_t status, uint8_t *buf,
    enum sim_ep src, const uint8_t *dst)
{
	struct mh_addrs a;
	static const char sid[] = "video.cats";
	struct mh_msg m;
	struct mh_error e;
	size_t len = 0;

	mh_msg_init(&m, kind);
	m.seq = seq;
	m.status = status;
	m.present |= MH_BIT(MH_O_SERVICE_ID);
	m.service_id.p = (const uint8_t *)sid;
	m.service_id.len = sizeof(sid) - 1;
	memcpy(a.src, sim_ep_addr(src), 16);
	memcpy(a.dst, dst, 16);
	assert_int_equal(mh_encode(&m, &a, buf, MH_MAX_LEN, &len, &e), MH_OK);
	return len;
}

static void
fake_send(enum sim_ep from, enum sim_ep to, uint16_t seq)
{
	uint8_t buf[MH_MAX_LEN];
	size_t len = encode(MH_K_MSG_ACK, seq, MH_ST_ACCEPTED, buf, from,
	    sim_ep_addr(to));

	fakes[from]->ops->send(fakes[from]->ctx, sim_ep_addr(to), buf, len);
}

static void
fake_dp(enum sim_ep at, enum dp_op op, enum sim_ep peer,
    const struct mh_tx *tx)
{
	struct dp_intent in = { .op = op };

	memcpy(in.client, sim_ep_addr(SIM_CLIENT), 16);
	/* the instance behind each egress (scenario.c): a steer names it, as
	 * the real roles do; the data plane has no route for an egress's
	 * base SID */
	if (at == SIM_EGRESS1 || (at != SIM_EGRESS2 && (int)peer == SIM_EGRESS1))
		in.instance = 101;
	if (at == SIM_EGRESS2 || (at != SIM_EGRESS1 && (int)peer == SIM_EGRESS2))
		in.instance = 201;
	if ((int)peer >= 0)
		memcpy(in.peer, sim_ep_addr(peer), 16);
	if (tx != NULL)
		in.tx = *tx;
	fakes[at]->ops->dp(fakes[at]->ctx, &in);
}

static bool
ladder_has(const struct sim *s, const char *needle)
{
	for (size_t i = 0; i < sim_ladder_count(s); i++)
		if (strstr(sim_ladder_line(s, i), needle) != NULL)
			return true;
	return false;
}

/* ---- queue ---- */

static void
test_queue_ties(void **state)
{
	struct sim_queue *q = sim_queue_new();
	static const struct { uint64_t at; uint32_t a; } in[] = {
		{ 5, 1 }, { 3, 2 }, { 5, 3 }, { 3, 4 }, { 0, 5 }, { 5, 6 },
	};
	static const uint32_t want[] = { 5, 2, 4, 1, 3, 6 };
	struct sim_item it;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		struct sim_item x = { .at = in[i].at, .a = in[i].a };

		assert_true(sim_queue_push(q, &x));
	}
	assert_int_equal(sim_queue_len(q), 6);
	assert_int_equal(sim_queue_peek(q)->a, 5);
	for (size_t i = 0; i < 6; i++) {
		assert_true(sim_queue_pop(q, &it));
		assert_int_equal(it.a, want[i]);
	}
	assert_false(sim_queue_pop(q, &it));
	assert_null(sim_queue_peek(q));
	sim_queue_free(q, NULL);
}

static void
drop_free(struct sim_item *it)
{
	free(it->p);
}

/* Many random times with many ties: (at, insertion) order, always. */
static void
test_queue_order(void **state)
{
	struct sim_queue *q = sim_queue_new();
	struct sim_rng r;
	struct sim_item it, prev = { 0 };

	(void)state;
	sim_rng_seed(&r, 42);
	for (uint32_t i = 0; i < 20000; i++) {
		struct sim_item x = { .at = sim_rng_range(&r, 0, 500), .a = i };

		assert_true(sim_queue_push(q, &x));
	}
	for (uint32_t i = 0; i < 20000; i++) {
		assert_true(sim_queue_pop(q, &it));
		if (i > 0) {
			assert_true(it.at >= prev.at);
			if (it.at == prev.at)
				assert_true(it.a > prev.a);
		}
		prev = it;
	}
	/* items left in a freed queue go to the drop callback (ASan: no leak) */
	for (int i = 0; i < 10; i++) {
		struct sim_item x = { .at = 1, .p = malloc(8) };

		assert_true(sim_queue_push(q, &x));
	}
	sim_queue_free(q, drop_free);
}

/* ---- randomness and impairments ---- */

static void
test_rng(void **state)
{
	struct sim_rng a, b;

	(void)state;
	sim_rng_seed(&a, 7);
	sim_rng_seed(&b, 7);
	for (int i = 0; i < 1000; i++)
		assert_true(sim_rng_next(&a) == sim_rng_next(&b));
	sim_rng_seed(&b, 8);
	assert_true(sim_rng_next(&a) != sim_rng_next(&b));
	for (int i = 0; i < 10000; i++) {
		uint32_t v = sim_rng_range(&a, 1, 10);
		double u = sim_rng_unit(&a);

		assert_true(v >= 1 && v <= 10);
		assert_true(u >= 0 && u < 1);
	}
	assert_int_equal(sim_rng_range(&a, 4, 4), 4);
}

static void
test_impair_stats(void **state)
{
	struct sim_impair imp = { 0.05, 0.10, 0.20 };
	unsigned lost = 0, dup = 0, ro = 0, extra_bad = 0;
	struct sim_rng r;
	struct sim_fate f;

	(void)state;
	sim_rng_seed(&r, 1);
	for (int i = 0; i < 10000; i++) {
		sim_impair_draw(&r, &imp, &f);
		lost += f.lost;
		dup += f.dup;
		ro += f.reordered;
		assert_int_equal(f.copies, f.lost ? 0 : f.dup ? 2 : 1);
		for (unsigned c = 0; c < f.copies; c++)
			extra_bad += f.extra_ms[c] != 0 &&
			    (f.extra_ms[c] < SIM_REORDER_MIN_MS ||
			    f.extra_ms[c] > SIM_REORDER_MAX_MS);
	}
	assert_in_range(lost, 400, 600);
	/* of the ~9500 delivered, ~10 % doubled */
	assert_in_range(dup, 800, 1100);
	assert_in_range(ro, 1700, 2300);
	assert_int_equal(extra_bad, 0);

	/* no impairment: always exactly one copy on time */
	memset(&imp, 0, sizeof(imp));
	for (int i = 0; i < 1000; i++) {
		sim_impair_draw(&r, &imp, &f);
		assert_int_equal(f.copies, 1);
		assert_int_equal(f.extra_ms[0], 0);
		assert_false(f.lost || f.dup || f.reordered);
	}
}

static void
test_link_delays(void **state)
{
	(void)state;
	assert_int_equal(sim_link_delay(SIM_CLIENT, SIM_INGRESS1), 1);
	assert_int_equal(sim_link_delay(SIM_INGRESS2, SIM_CLIENT), 1);
	assert_int_equal(sim_link_delay(SIM_INGRESS1, SIM_INGRESS2), 2);
	assert_int_equal(sim_link_delay(SIM_INGRESS1, SIM_EGRESS2), 5);
	assert_int_equal(sim_link_delay(SIM_EGRESS1, SIM_INGRESS2), 5);
	assert_int_equal(sim_link_delay(SIM_INGRESS2, SIM_CONTROLLER), 3);
	assert_int_equal(sim_link_delay(SIM_LOCATOR, SIM_INGRESS1), 3);
	assert_int_equal(sim_link_delay(SIM_EGRESS1, SIM_EGRESS2), 4);
	assert_int_equal(sim_link_delay(SIM_EGRESS2, SIM_EDGE2), 1);
	assert_int_equal(sim_link_delay(SIM_EDGE1, SIM_EGRESS1), 1);
}

static void
test_endpoints(void **state)
{
	static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
	const char *why;

	(void)state;
	for (int e = 0; e < SIM_EP__COUNT; e++) {
		assert_int_equal(sim_ep_by_name(sim_ep_name((enum sim_ep)e)), e);
		assert_int_equal(sim_ep_by_addr(sim_ep_addr((enum sim_ep)e)), e);
	}
	assert_memory_equal(sim_ep_addr(SIM_CLIENT), client, 16);
	assert_int_equal(sim_ep_by_name("nobody"), -1);
	assert_null(sim_new("no-such-scenario", NULL, &why));
	assert_string_equal(why, "unknown scenario");
	for (size_t i = 0; i < sim_scenario_count(); i++)
		for (size_t j = i + 1; j < sim_scenario_count(); j++)
			assert_string_not_equal(sim_scenario_name(i),
			    sim_scenario_name(j));
	assert_null(sim_scenario_name(sim_scenario_count()));
}

/* ---- signaling through the world ---- */

static void
test_signal_delay(void **state)
{
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	s = fake_world("idle", &o);
	fake_send(SIM_INGRESS1, SIM_EGRESS1, 7);
	fake_send(SIM_INGRESS1, SIM_INGRESS2, 8);
	fake_send(SIM_INGRESS2, SIM_CONTROLLER, 9);
	fake_send(SIM_EGRESS2, SIM_EGRESS1, 10);
	sim_run(s);
	assert_int_equal(fakes[SIM_EGRESS1]->n, 2);
	assert_int_equal(fakes[SIM_EGRESS1]->log[0].now, 4);
	assert_int_equal(fakes[SIM_EGRESS1]->log[0].peer, SIM_EGRESS2);
	assert_int_equal(fakes[SIM_EGRESS1]->log[1].now, 5);
	assert_int_equal(fakes[SIM_EGRESS1]->log[1].peer, SIM_INGRESS1);
	assert_int_equal(fakes[SIM_EGRESS1]->log[1].seq, 7);
	assert_int_equal(first(fakes[SIM_INGRESS2], EV_MSG)->now, 2);
	assert_int_equal(first(fakes[SIM_CONTROLLER], EV_MSG)->now, 3);
	assert_true(ladder_has(s, "0 ingress1 -> egress1 msg-ack seq=7 "
	    "status=accepted service=video.cats"));
	/* nothing reaches a client that is not on this ingress */
	fake_send(SIM_INGRESS1, SIM_CLIENT, 11);
	assert_true(ladder_has(s, "ingress1 -> client msg-ack seq=11"));
	assert_int_equal(sim_summary(s)->sig_no_route, 1);
	sim_free(s);
}

static void
test_inject(void **state)
{
	uint8_t buf[MH_MAX_LEN];
	size_t len = encode(MH_K_MSG_ACK, 3, 0, buf, SIM_LOCATOR,
	    sim_ep_addr(SIM_INGRESS2));
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	o.impair.loss = 1;	/* injection bypasses impairments */
	s = fake_world("idle", &o);
	assert_true(sim_inject(s, SIM_LOCATOR, SIM_INGRESS2, 7, buf, len));
	sim_run(s);
	assert_int_equal(first(fakes[SIM_INGRESS2], EV_MSG)->now, 7);
	assert_int_equal(first(fakes[SIM_INGRESS2], EV_MSG)->peer,
	    SIM_LOCATOR);
	assert_true(ladder_has(s, "locator -> ingress2 msg-ack seq=3"));
	assert_true(ladder_has(s, "[inject]"));
	assert_null(sim_node(s, SIM_INGRESS1));	/* fakes are not nodes */
	assert_non_null(sim_node_handle(s, SIM_INGRESS1));
	assert_null(sim_node_handle(s, SIM_CLIENT));
	sim_free(s);
}

#define BURST	10000

struct burst {
	uint64_t	 arrivals[BURST * 2];
	size_t		 n;
	uint64_t	 hash;
};

/* 10000 messages ingress1 -> egress1 at t=0 over an impaired link. */
static void
burst(const struct sim_impair *imp, uint64_t seed, struct burst *b)
{
	struct sim_opts o;
	struct sim *s;
	const struct sim_summary *m;
	size_t lost_lines = 0, dup_lines = 0;

	fake_opts(&o);
	o.impair = *imp;
	o.seed = seed;
	s = fake_world("idle", &o);
	for (int i = 0; i < BURST; i++)
		fake_send(SIM_INGRESS1, SIM_EGRESS1, (uint16_t)i);
	m = sim_run(s);
	b->n = fakes[SIM_EGRESS1]->n;
	b->hash = 1469598103934665603ull;
	for (size_t i = 0; i < b->n; i++) {
		b->arrivals[i] = fakes[SIM_EGRESS1]->log[i].now << 16 |
		    fakes[SIM_EGRESS1]->log[i].seq;
		b->hash = (b->hash ^ b->arrivals[i]) * 1099511628211ull;
	}
	for (size_t i = 0; i < sim_ladder_count(s); i++) {
		lost_lines += strstr(sim_ladder_line(s, i), "[lost]") != NULL;
		dup_lines += strstr(sim_ladder_line(s, i), "[dup]") != NULL;
	}
	assert_int_equal(m->sig_sent, BURST);
	assert_int_equal(lost_lines, m->sig_lost);
	assert_int_equal(dup_lines, m->sig_dup);
	assert_int_equal(b->n, BURST - m->sig_lost + m->sig_dup);
	sim_free(s);
}

static void
test_loss_dup_reorder_world(void **state)
{
	struct sim_impair imp = { 0.05, 0, 0 };
	struct burst *b = calloc(1, sizeof(*b));
	uint64_t lo = UINT64_MAX, hi = 0;

	(void)state;
	burst(&imp, 3, b);
	assert_in_range(b->n, BURST - 600, BURST - 400);
	imp = (struct sim_impair){ 0, 0.05, 0 };
	burst(&imp, 3, b);
	assert_in_range(b->n, BURST + 400, BURST + 600);
	/* every message reordered: 1..10 ms late, never early */
	imp = (struct sim_impair){ 0, 0, 1 };
	burst(&imp, 3, b);
	assert_int_equal(b->n, BURST);
	for (size_t i = 0; i < b->n; i++) {
		uint64_t t = b->arrivals[i] >> 16;

		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	assert_int_equal(lo, 5 + SIM_REORDER_MIN_MS);
	assert_int_equal(hi, 5 + SIM_REORDER_MAX_MS);
	free(b);
}

static void
test_same_seed_same_run(void **state)
{
	struct sim_impair imp = { 0.1, 0.1, 0.3 };
	struct burst *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));

	(void)state;
	burst(&imp, 99, a);
	burst(&imp, 99, b);
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->arrivals, b->arrivals, a->n * sizeof(uint64_t));
	burst(&imp, 100, b);
	assert_true(a->hash != b->hash);
	free(a);
	free(b);
}

/* ---- timers ---- */

static void
timer_hook(struct fake *f, const struct ev *ev, uint64_t now)
{
	/* key 5 re-arms itself from inside its own firing, three times */
	if (ev->type == EV_TIMER_FIRED && ev->timer == 5 && now < 130)
		f->ops->timer(f->ctx, 5, now + 10);
}

static void
test_timers(void **state)
{
	struct fake *f;
	struct sim_opts o;
	struct sim *s;
	uint64_t k1 = 0, k3 = 0, k5 = 0;

	(void)state;
	fake_opts(&o);
	s = fake_world("idle", &o);
	hook = timer_hook;
	f = fakes[SIM_INGRESS1];
	f->ops->timer(f->ctx, 1, 50);
	f->ops->timer(f->ctx, 1, 70);	/* re-arm later */
	f->ops->timer(f->ctx, 2, 60);
	f->ops->timer(f->ctx, 2, 0);	/* cancel */
	f->ops->timer(f->ctx, 3, 40);
	f->ops->timer(f->ctx, 3, 30);	/* re-arm earlier */
	f->ops->timer(f->ctx, 4, 0);	/* cancel what was never armed */
	f->ops->timer(f->ctx, 5, 100);
	fakes[SIM_INGRESS2]->ops->timer(fakes[SIM_INGRESS2]->ctx, 1, 20);
	sim_run(s);
	for (size_t i = 0; i < f->n; i++) {
		const struct rec *r = &f->log[i];

		assert_int_equal(r->type, EV_TIMER_FIRED);
		assert_true(r->timer != 2 && r->timer != 4);
		if (r->timer == 1) {
			assert_int_equal(r->now, 70);
			k1++;
		}
		if (r->timer == 3) {
			assert_int_equal(r->now, 30);
			k3++;
		}
		if (r->timer == 5) {
			assert_int_equal(r->now, 100 + 10 * k5);
			k5++;
		}
	}
	assert_int_equal(k1, 1);
	assert_int_equal(k3, 1);
	assert_int_equal(k5, 4);	/* 100, 110, 120, 130 */
	/* the same key on another node is another timer */
	assert_int_equal(fakes[SIM_INGRESS2]->n, 1);
	assert_int_equal(fakes[SIM_INGRESS2]->log[0].now, 20);
	sim_free(s);
}

/* ---- data plane and client ---- */

/* An ingress that steers on request: to egress1, or answers a svc-request
 * with a svc-reply first. */
static void
steer_hook(struct fake *f, const struct ev *ev, uint64_t now)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;
	struct mh_error e;
	size_t len;

	(void)now;
	if (f->ep != SIM_INGRESS1 && f->ep != SIM_INGRESS2)
		return;
	if (ev->type == EV_SERVICE_REQUEST) {
		fake_dp(f->ep, DP_STEER, SIM_EGRESS1, NULL);
		return;
	}
	if (ev->type != EV_MSG ||
	    mh_decode(ev->buf, ev->len, NULL, &m, &e) != MH_OK ||
	    m.kind != MH_K_SVC_REQUEST)
		return;
	fake_dp(f->ep, DP_STEER, SIM_EGRESS1, NULL);
	len = encode(MH_K_SVC_REPLY, m.seq, MH_ST_CATS_AVAILABLE, buf, f->ep,
	    ev->peer);
	f->ops->send(f->ctx, ev->peer, buf, len);
}

static void
test_unaware_fifo(void **state)
{
	const struct sim_summary *m;
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	/* signaling impairments never touch the data plane */
	o.impair = (struct sim_impair){ 0.5, 0.5, 1 };
	s = fake_world("setup-unaware", &o);
	hook = steer_hook;
	fake_dp(SIM_EGRESS1, DP_RETURN, SIM_INGRESS1, NULL);
	m = sim_run(s);
	assert_true(m->converged);
	assert_int_equal(m->received, 100);
	assert_int_equal(m->missing, 0);
	assert_int_equal(m->duplicated, 0);
	assert_int_equal(m->longest_gap_ms, 5);
	assert_int_equal(m->interruption_ms, 0);
	/* packet at 10: ingress 11, egress1 16, edge 17 (result 1), egress 18,
	 * ingress 23, client 24; result 100 495 ms later */
	assert_int_equal(m->done_ms, 24 + 495);
	assert_int_equal(count(fakes[SIM_INGRESS1], EV_SERVICE_REQUEST), 1);
	assert_int_equal(first(fakes[SIM_INGRESS1], EV_SERVICE_REQUEST)->now,
	    11);
	assert_int_equal(count(fakes[SIM_INGRESS1], EV_RESULTS_DONE), 1);
	assert_int_equal(m->lost_at_egress + m->lost_at_ingress, 0);
	sim_free(s);
}

static void
test_aware_client(void **state)
{
	const struct sim_summary *m;
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	o.results = 20;
	s = fake_world("setup-option2", &o);
	hook = steer_hook;
	fake_dp(SIM_EGRESS1, DP_RETURN, SIM_INGRESS1, NULL);
	m = sim_run(s);
	assert_true(m->converged);
	assert_int_equal(m->received, 20);
	assert_int_equal(m->svc_status, MH_ST_CATS_AVAILABLE);
	assert_int_equal(m->svc_requests, 1);
	assert_true(ladder_has(s, "10 client -> ingress1 svc-request seq=1"));
	assert_true(ladder_has(s, "11 ingress1 -> client svc-reply seq=1 "
	    "status=cats-sites-available"));
	/* steered before the packet came: no EV_SERVICE_REQUEST */
	assert_int_equal(count(fakes[SIM_INGRESS1], EV_SERVICE_REQUEST), 0);
	sim_free(s);
}

/* The client's svc-request is retried when lost, a bounded number of
 * times. */
static void
test_client_retries(void **state)
{
	const struct sim_summary *m;
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	o.impair.loss = 1;
	s = fake_world("setup-option2", &o);
	m = sim_run(s);
	assert_false(m->done);
	assert_int_equal(m->svc_requests, 10);	/* SIM_SVC_TRIES */
	assert_int_equal(m->missing, 100);
	sim_free(s);
}

/* Old ingress buffers on detach; the new one, on attach, has it flush to
 * it and forward what comes later. */
static void
handover_hook(struct fake *f, const struct ev *ev, uint64_t now)
{
	steer_hook(f, ev, now);
	if (f->ep == SIM_INGRESS1 && ev->type == EV_DETACH)
		fake_dp(SIM_INGRESS1, DP_BUFFER, -1, NULL);
	if (f->ep == SIM_INGRESS2 && ev->type == EV_ATTACH) {
		fake_dp(SIM_INGRESS1, DP_FORWARD, SIM_INGRESS2, NULL);
		fake_dp(SIM_INGRESS1, DP_FLUSH, SIM_INGRESS2, NULL);
	}
}

static void
test_handover_buffer(void **state)
{
	const struct sim_summary *m;
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	s = fake_world("reactive-locator", &o);
	hook = handover_hook;
	fake_dp(SIM_EGRESS1, DP_RETURN, SIM_INGRESS1, NULL);
	m = sim_run(s);
	assert_true(m->converged);
	assert_int_equal(m->received, 100);
	assert_int_equal(m->duplicated, 0);
	assert_int_equal(m->lost_at_ingress + m->lost_on_access, 0);
	/* detach at 210, attach at 230; the flush leaves ingress1 at 230 and
	 * reaches ingress2 at 232, the client at 233 */
	assert_int_equal(m->interruption_ms, 233 - 210);
	assert_true(m->longest_gap_ms >= 20);
	assert_int_equal(count(fakes[SIM_INGRESS2], EV_RESULTS_DONE), 1);
	sim_free(s);
}

/* Without buffer or tunnel, a detached client's results are lost at the
 * old ingress and counted there. */
static void
test_handover_loss_counted(void **state)
{
	const struct sim_summary *m;
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	o.time_limit_ms = 2000;
	s = fake_world("reactive-prefix", &o);
	hook = steer_hook;
	fake_dp(SIM_EGRESS1, DP_RETURN, SIM_INGRESS1, NULL);
	m = sim_run(s);
	assert_false(m->converged);
	assert_true(m->missing > 0);
	assert_int_equal(m->missing, m->lost_at_ingress);
	assert_int_equal(m->received + m->missing, 100);
	sim_free(s);
}

/* egress1 exports the transaction at 200; egress2 imports it and returns
 * results to ingress1: nothing lost, nothing twice. */
static void
export_hook(struct fake *f, const struct ev *ev, uint64_t now)
{
	steer_hook(f, ev, now);
	if (f->ep == SIM_EGRESS1 && ev->type == EV_TIMER_FIRED) {
		struct mh_tx guess = { .id = 0, .next_seq = 9999 };

		fake_dp(SIM_EGRESS1, DP_STATE_EXPORT, SIM_EGRESS2, &guess);
	}
	if (f->ep == SIM_EGRESS2 && ev->type == EV_STATE_RECEIVED) {
		fake_dp(SIM_EGRESS2, DP_RETURN, SIM_INGRESS1, NULL);
		fake_dp(SIM_EGRESS2, DP_STATE_IMPORT, -1, &ev->tx);
	}
}

static void
test_state_export(void **state)
{
	const struct sim_summary *m;
	const struct rec *rx, *sent;
	struct sim_opts o;
	struct sim *s;
	char want[64];

	(void)state;
	fake_opts(&o);
	s = fake_world("setup-unaware", &o);
	hook = export_hook;
	fake_dp(SIM_EGRESS1, DP_RETURN, SIM_INGRESS1, NULL);
	fakes[SIM_EGRESS1]->ops->timer(fakes[SIM_EGRESS1]->ctx, 1, 200);
	m = sim_run(s);
	assert_true(m->converged);
	assert_int_equal(m->received, 100);
	assert_int_equal(m->duplicated, 0);
	assert_int_equal(m->state_moved, 1);
	rx = first(fakes[SIM_EGRESS2], EV_STATE_RECEIVED);
	sent = first(fakes[SIM_EGRESS1], EV_STATE_SENT);
	assert_non_null(rx);
	assert_non_null(sent);
	/* edge1 -> egress1 (1 ms, behind the results), which hands it to the
	 * stream -> egress2 (4 ms, received), whose acknowledgement -> egress1
	 * (4 ms) is when the state counts as sent (cats/xfer.h) */
	assert_int_equal(sent->now, 209);
	assert_int_equal(sent->peer, SIM_EGRESS2);
	assert_int_equal(rx->now, 205);
	assert_int_equal(rx->peer, SIM_EGRESS1);
	/* first result left edge1 at 17, then every 5 ms: 1..37 by 197 */
	assert_int_equal(rx->tx.next_seq, 38);
	assert_int_equal(rx->tx.id, 1);
	snprintf(want, sizeof(want), "201 egress1 -> egress2 tx-state tx=1 "
	    "next=38");
	assert_true(ladder_has(s, want));
	sim_free(s);
}

static void
test_limits(void **state)
{
	const struct sim_summary *m;
	struct sim_opts o;
	struct sim *s;

	(void)state;
	fake_opts(&o);
	o.time_limit_ms = 100;
	s = fake_world("setup-unaware", &o);
	hook = steer_hook;
	fake_dp(SIM_EGRESS1, DP_RETURN, SIM_INGRESS1, NULL);
	m = sim_run(s);
	assert_true(m->hit_time_limit);
	assert_false(m->converged);
	assert_true(m->end_ms <= 100);
	sim_free(s);

	fake_opts(&o);
	o.event_limit = 10;
	s = fake_world("setup-unaware", &o);
	hook = steer_hook;
	fake_dp(SIM_EGRESS1, DP_RETURN, SIM_INGRESS1, NULL);
	m = sim_run(s);
	assert_true(m->hit_event_limit);
	assert_int_equal(m->events, 10);
	assert_false(m->converged);
	sim_free(s);
}

static void
test_summary_format(void **state)
{
	struct sim_summary m = { .received = 98, .missing = 2, .duplicated = 1,
	    .longest_gap_ms = 25, .interruption_ms = 23 };
	char line[256];

	(void)state;
	sim_summary_format(&m, line, sizeof(line));
	assert_string_equal(line, "summary: results received=98 missing=2 "
	    "duplicated=1 longest_gap_ms=25 interruption_ms=23");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_ties),
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_impair_stats),
		cmocka_unit_test(test_link_delays),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_signal_delay),
		cmocka_unit_test(test_inject),
		cmocka_unit_test(test_loss_dup_reorder_world),
		cmocka_unit_test(test_same_seed_same_run),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_unaware_fifo),
		cmocka_unit_test(test_aware_client),
		cmocka_unit_test(test_client_retries),
		cmocka_unit_test(test_handover_buffer),
		cmocka_unit_test(test_handover_loss_counted),
		cmocka_unit_test(test_state_export),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_summary_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
