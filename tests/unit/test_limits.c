/*
 * Bounded state (node_limits, docs/catsd.md "Bounded state"): a peer over
 * its quota of bindings, locator records or expected sessions is refused
 * with "insufficient resources" and counted while another peer is still
 * served; the charges go back to zero on every path an entry goes by
 * (the engine's scenarios, run to their end); the signaling rate drops
 * what exceeds the burst, refills with time, and a forgery in a keyed
 * peer's name does not spend that peer's rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cats/auth.h"
#include "cats/hold.h"
#include "cats/node.h"
#include "domain.h"

#define NOW	1000000000ull		/* ms: timestamps need a real-ish clock */

/* ---- the domain of test_engine.c, with the address plan ---- */

static void
cfg_of(struct node_cfg *c, int me, struct cats_sel *sel, enum node_find find)
{
	dom_cfg(c, me, sel, DOM_ALL, true);
	c->find = find;
}

/* The peer index of node 'who' in node 'at's configuration. */
static int
peer_ix(struct minnet *net, int at, int who)
{
	return node_peer_find(node_config(net->nodes[at]), addr_of[who]);
}

/* Every node of the domain; 'only' >= 0 builds that node alone (the
 * others are addresses whose messages the test crafts), with 'lim'. */
static struct minnet *
domain(struct cats_sel *sel, enum node_find find, bool tswitch, int only,
    const struct node_limits *lim)
{
	struct minnet *net = mn_new();
	struct node_cfg c;

	assert_non_null(net);
	net->keep_timers = true;
	net->now = NOW;
	for (int i = 0; i < NNODES; i++) {
		if (only >= 0 && i != only)
			continue;
		cfg_of(&c, i, sel, find);
		c.transaction_switch = tswitch && i == IN2;
		if (lim != NULL)
			c.limits = *lim;
		assert_true(mn_add(net, &c) >= 0);
	}
	return net;
}

static void
client_addr(uint8_t a[16], int site, uint32_t host)
{
	memset(a, 0, 16);
	memcpy(a, "\x20\x01\x0d\xb8", 4);
	a[5] = (uint8_t)site;
	a[14] = (uint8_t)(host >> 8);
	a[15] = (uint8_t)host;
}

/* ---- crafted messages ---- */

static void
msg_for(struct mh_msg *m, enum mh_kind kind, uint16_t seq, uint32_t host)
{
	mh_msg_init(m, kind);
	m->seq = seq;
	m->present |= MH_BIT(MH_O_CLIENT_ADDR) | MH_BIT(MH_O_SERVICE_ID) |
	    MH_BIT(MH_O_TIMESTAMP);
	client_addr(m->client_addr, 0x0a, host);
	m->service_id.p = (const uint8_t *)svc;
	m->service_id.len = sizeof(svc) - 1;
	m->timestamp = (NOW / 1000) << 16;
}

/* Send m from 'from' to the only node; the status of what came back. */
static uint8_t
ask(struct minnet *net, int from, struct mh_msg *m, const struct auth_key *k)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_addrs a;
	struct mh_error e;
	struct mh_msg r;
	size_t len;

	memcpy(a.src, addr_of[from], 16);
	memcpy(a.dst, node_config(net->nodes[0])->addr, 16);
	if (k != NULL)
		assert_int_equal(auth_encode(m, k, &a, buf, MH_MAX_LEN, &len, &e),
		    MH_OK);
	else
		assert_int_equal(mh_encode(m, &a, buf, MH_MAX_LEN, &len, &e),
		    MH_OK);
	net->last_out.len = 0;
	mn_inject(net, 0, addr_of[from], buf, len);
	if (net->last_out.len == 0)
		return 0xff;		/* no answer */
	assert_int_equal(mh_decode(net->last_out.buf, net->last_out.len, NULL,
	    &r, &e), MH_OK);
	return r.status;
}

static uint8_t
cats_request(struct minnet *net, int from, uint32_t host, uint16_t lifetime)
{
	struct mh_msg m;

	/* a number of its own: the same again is a retransmission */
	msg_for(&m, MH_K_CATS_REQUEST, (uint16_t)(host + 100u * lifetime), host);
	m.flags |= MH_BU_P;
	m.lifetime = lifetime;
	m.present |= MH_BIT(MH_O_MNID);		/* anchoring 4.1 */
	m.mnid_subtype = MH_NAI_SUBTYPE;
	m.mnid.p = (const uint8_t *)"mn";
	m.mnid.len = 2;
	return ask(net, from, &m, NULL);
}

static uint8_t
loc_register(struct minnet *net, int from, uint32_t host, uint16_t lifetime,
    uint16_t seq)
{
	struct mh_msg m;

	msg_for(&m, MH_K_LOC_REGISTER, seq, host);
	m.lifetime = lifetime;
	m.present |= MH_BIT(MH_O_CATS_ADDR);
	memcpy(m.cats_addr, addr_of[EG1], 16);
	return ask(net, from, &m, NULL);
}

static uint8_t
mob_notify(struct minnet *net, int from, uint32_t host)
{
	struct mh_msg m;

	msg_for(&m, MH_K_MOB_NOTIFY, (uint16_t)host, host);
	m.present |= MH_BIT(MH_O_CATS_ADDR);
	memcpy(m.cats_addr, addr_of[EG1], 16);
	return ask(net, from, &m, NULL);
}

static size_t
state_of(struct minnet *net, int at, int who, enum node_state_kind k)
{
	return node_peer_state(net->nodes[at], peer_ix(net, at, who), k);
}

static const struct node_limits quota4 = { .state = 4 };

/* ---- quotas ---- */

static void
test_egress_quota(void **state)
{
	struct minnet *net = domain(NULL, FIND_LOCATOR, false, EG1, &quota4);
	const struct node_counters *c = node_counters(net->nodes[0]);
	uint32_t h;

	(void)state;
	for (h = 1; h <= 4; h++)
		assert_int_equal(cats_request(net, IN1, h, 75),
		    MH_ST_CATS_AVAILABLE);
	/* over its quota: refused, said, counted by reason and by peer */
	assert_int_equal(cats_request(net, IN1, 5, 75),
	    MH_ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(cats_request(net, IN1, 6, 75),
	    MH_ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(c->drop[NODE_DROP_PEER_LIMIT], 2);
	assert_int_equal(c->drop[NODE_DROP_NO_RESOURCES], 0);
	assert_int_equal(c->peer_limited[peer_ix(net, 0, IN1)], 2);
	assert_int_equal(state_of(net, 0, IN1, NODE_STATE_BINDING), 4);
	assert_string_equal(node_drop_name(NODE_DROP_PEER_LIMIT), "peer-limit");
	/* a refresh of a binding it holds is not a new entry */
	assert_int_equal(cats_request(net, IN1, 1, 75), MH_ST_CATS_AVAILABLE);
	/* the other ingress is served all the same */
	assert_int_equal(cats_request(net, IN2, 7, 75), MH_ST_CATS_AVAILABLE);
	assert_int_equal(c->peer_limited[peer_ix(net, 0, IN2)], 0);
	/* a client moving to IN2 (refresh from there) moves the charge; IN2
	 * at its quota would keep it where it was */
	assert_int_equal(cats_request(net, IN2, 2, 75), MH_ST_CATS_AVAILABLE);
	assert_int_equal(state_of(net, 0, IN1, NODE_STATE_BINDING), 3);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_BINDING), 2);
	/* deregistration gives it back, and a new one fits again */
	assert_int_equal(cats_request(net, IN1, 3, 0), MH_ST_CATS_AVAILABLE);
	assert_int_equal(state_of(net, 0, IN1, NODE_STATE_BINDING), 2);
	assert_int_equal(cats_request(net, IN1, 5, 75), MH_ST_CATS_AVAILABLE);
	/* expiry gives back the rest */
	mn_fire(net, NOW + 400000);
	assert_int_equal(node_session_count(net->nodes[0]), 0);
	assert_int_equal(state_of(net, 0, IN1, NODE_STATE_BINDING), 0);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_BINDING), 0);
	mn_free(net);
}

static void
test_total_is_no_resources(void **state)
{
	struct minnet *net = mn_new();
	struct node_cfg cfg;

	(void)state;
	assert_non_null(net);
	net->now = NOW;
	cfg_of(&cfg, EG1, NULL, FIND_LOCATOR);
	cfg.max_sessions = 2;
	assert_int_equal(mn_add(net, &cfg), 0);
	assert_int_equal(cats_request(net, IN1, 1, 75), MH_ST_CATS_AVAILABLE);
	assert_int_equal(cats_request(net, IN2, 2, 75), MH_ST_CATS_AVAILABLE);
	/* the table's total, not a peer's quota: its own reason */
	assert_int_equal(cats_request(net, IN2, 3, 75),
	    MH_ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(node_counters(net->nodes[0])->drop[NODE_DROP_NO_RESOURCES], 1);
	assert_int_equal(node_counters(net->nodes[0])->drop[NODE_DROP_PEER_LIMIT], 0);
	mn_free(net);
}

static void
test_locator_quota(void **state)
{
	struct minnet *net = domain(NULL, FIND_LOCATOR, false, LOC, &quota4);
	uint32_t h;

	(void)state;
	for (h = 1; h <= 4; h++)
		assert_int_equal(loc_register(net, IN1, h, 75, (uint16_t)h),
		    MH_ST_ACCEPTED);
	assert_int_equal(loc_register(net, IN1, 9, 75, 9),
	    MH_ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(node_session_count(net->nodes[0]), 4);
	assert_int_equal(loc_register(net, IN2, 10, 75, 10), MH_ST_ACCEPTED);
	/* the client moved: the record is the new ingress's to pay for */
	assert_int_equal(loc_register(net, IN2, 1, 75, 11), MH_ST_ACCEPTED);
	assert_int_equal(state_of(net, 0, IN1, NODE_STATE_LOCATOR), 3);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_LOCATOR), 2);
	/* lifetime 0 from the holder removes it; from another, nothing */
	assert_int_equal(loc_register(net, IN1, 1, 0, 12), MH_ST_ACCEPTED);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_LOCATOR), 2);
	assert_int_equal(loc_register(net, IN2, 1, 0, 13), MH_ST_ACCEPTED);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_LOCATOR), 1);
	mn_fire(net, NOW + 400000);
	assert_int_equal(node_session_count(net->nodes[0]), 0);
	assert_int_equal(state_of(net, 0, IN1, NODE_STATE_LOCATOR), 0);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_LOCATOR), 0);
	mn_free(net);
}

/* The attack that found it: mob-notify for clients that never come. */
static void
test_expected_session_quota(void **state)
{
	struct minnet *net = domain(NULL, FIND_LOCATOR, false, IN1, &quota4);
	const struct node_counters *c = node_counters(net->nodes[0]);
	uint32_t h;

	(void)state;
	for (h = 1; h <= 4; h++)
		assert_int_equal(mob_notify(net, IN2, h), MH_ST_ACCEPTED);
	for (h = 5; h <= 50; h++)
		assert_int_equal(mob_notify(net, IN2, h),
		    MH_ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(node_session_count(net->nodes[0]), 4);
	assert_int_equal(c->peer_limited[peer_ix(net, 0, IN2)], 46);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_SESSION), 4);
	/* the phantoms run out; the charge with them */
	mn_fire(net, NOW + 400000);
	assert_int_equal(node_session_count(net->nodes[0]), 0);
	assert_int_equal(state_of(net, 0, IN2, NODE_STATE_SESSION), 0);
	mn_free(net);
}

/* Reliable messages to a peer that answers nothing: at its quota, sent
 * once and not kept; the rest of the table stays for the others. */
static void
test_pending_quota(void **state)
{
	struct node_limits lim = { .state = 3 };
	struct minnet *net = domain(NULL, FIND_LOCATOR, false, IN1, &lim);
	uint8_t a[16];
	uint32_t h;

	(void)state;
	for (h = 1; h <= 5; h++) {
		client_addr(a, 0x0a, h);
		mn_local(net, 0, EV_ATTACH, a, 0);
		mn_local(net, 0, EV_SERVICE_REQUEST, a, 0);
	}
	/* five queries to the controller, which is not there */
	assert_int_equal(state_of(net, 0, CTL, NODE_STATE_PENDING), 3);
	assert_int_equal(node_counters(net->nodes[0])->drop[NODE_DROP_PEER_LIMIT], 2);
	assert_int_equal(node_counters(net->nodes[0])->tx, 5);
	/* the tries run out, the sessions fail, nothing is left charged */
	mn_fire(net, NOW + 600000);
	assert_int_equal(state_of(net, 0, CTL, NODE_STATE_PENDING), 0);
	mn_free(net);
}

/* ---- no charge leaks: the engine's scenarios, run to their end ---- */

static void
local(struct minnet *net, int node, enum ev_type t, const uint8_t a[16])
{
	mn_local(net, node, t, a, 0);
	mn_run(net);
}

static void
assert_all_released(struct minnet *net)
{
	for (size_t i = 0; i < net->nn; i++) {
		const struct node_cfg *c = node_config(net->nodes[i]);

		assert_int_equal(node_session_count(net->nodes[i]), 0);
		for (size_t p = 0; p < c->npeers; p++)
			for (int k = 0; k < NODE_STATE__COUNT; k++)
				assert_int_equal(node_peer_state(net->nodes[i],
				    (int)p, (enum node_state_kind)k), 0);
	}
}

/* Fig. 3: the edges hand the state over (the data plane's events). */
static void
state_moves(struct minnet *net)
{
	static const enum ev_type t[2] = { EV_STATE_RECEIVED, EV_STATE_SENT };
	static const int at[2] = { EG2, EG1 };
	struct dp_intent d;
	struct ev ev;
	size_t i;

	for (i = 0; i < MN_DPS && net->dps[i].op != DP_STATE_EXPORT; i++)
		;
	assert_true(i < MN_DPS);
	d = net->dps[i];
	for (i = 0; i < 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = t[i];
		memcpy(ev.client, d.client, 16);
		ev.service = d.service;
		ev.tx = d.tx;
		ev.peer = addr_of[at[1 - i]];
		node_event(net->nodes[at[i]], &ev, net->now);
		mn_run(net);
	}
}

/* Set up at IN1, move to IN2 (proactive with a notify, or reactive by
 * the locator or the address plan), optionally switch the transaction,
 * then leave: every entry runs out and every charge comes back. */
static void
scenario(enum node_find find, bool proactive, bool tswitch)
{
	struct cats_sel *sel = dom_sel_new();
	struct minnet *net = domain(sel, find, tswitch, -1, NULL);
	uint8_t a[16];
	bool charged = false;

	client_addr(a, 0x0a, 0x10);
	local(net, IN1, EV_ATTACH, a);
	local(net, IN1, EV_SERVICE_REQUEST, a);
	assert_int_equal(node_session_count(net->nodes[EG1]), 1);
	assert_int_equal(state_of(net, EG1, IN1, NODE_STATE_BINDING), 1);
	if (proactive)
		local(net, IN1, EV_MOVE_DETECTED, a);
	local(net, IN1, EV_DETACH, a);
	local(net, IN2, EV_ATTACH, a);
	if (tswitch)
		state_moves(net);
	mn_fire(net, net->now + 1000);
	/* something was charged along the way, to the ingress it serves */
	for (int e = EG1; e <= EG2; e++)
		charged = charged || state_of(net, e, IN2, NODE_STATE_BINDING) == 1;
	assert_true(charged);
	local(net, IN2, EV_DETACH, a);
	mn_fire(net, net->now + 3600000);
	assert_all_released(net);
	mn_free(net);
	cats_sel_destroy(sel);
}

static void
test_no_leak_proactive(void **state)
{
	(void)state;
	scenario(FIND_LOCATOR, true, false);
}

static void
test_no_leak_reactive_locator(void **state)
{
	(void)state;
	scenario(FIND_LOCATOR, false, false);
}

static void
test_no_leak_reactive_prefix(void **state)
{
	(void)state;
	scenario(FIND_PREFIX, false, false);
}

static void
test_no_leak_switch(void **state)
{
	(void)state;
	scenario(FIND_LOCATOR, true, true);
}

/* ---- the signaling rate ---- */

static void
test_rate(void **state)
{
	struct node_limits lim = { .rate = 10, .burst = 5 };
	struct minnet *net = domain(NULL, FIND_LOCATOR, false, LOC, &lim);
	const struct node_counters *c = node_counters(net->nodes[0]);
	uint16_t seq = 1;
	int i, ok = 0;

	(void)state;
	/* the burst, then nothing */
	for (i = 0; i < 8; i++)
		ok += loc_register(net, IN1, 1, 75, seq++) == MH_ST_ACCEPTED;
	assert_int_equal(ok, 5);
	assert_int_equal(c->drop[NODE_DROP_RATE_LIMITED], 3);
	assert_int_equal(c->peer_rate_limited[peer_ix(net, 0, IN1)], 3);
	assert_string_equal(node_drop_name(NODE_DROP_RATE_LIMITED),
	    "rate-limited");
	/* another peer has its own bucket */
	assert_int_equal(loc_register(net, IN2, 2, 75, 1), MH_ST_ACCEPTED);
	/* 10 a second: 300 ms later, three more */
	net->now += 300;
	for (ok = 0, i = 0; i < 5; i++)
		ok += loc_register(net, IN1, 1, 75, seq++) == MH_ST_ACCEPTED;
	assert_int_equal(ok, 3);
	/* a long quiet spell fills it to the burst, no more */
	net->now += 86400000ull * 365;
	for (ok = 0, i = 0; i < 8; i++)
		ok += loc_register(net, IN1, 1, 75, seq++) == MH_ST_ACCEPTED;
	assert_int_equal(ok, 5);
	mn_free(net);
}

/* Senders that are not peers share one bucket, charged before decoding. */
static void
test_rate_others(void **state)
{
	struct node_limits lim = { .rate = 1, .burst = 2 };
	struct minnet *net = domain(NULL, FIND_LOCATOR, false, LOC, &lim);
	const struct node_counters *c = node_counters(net->nodes[0]);
	const uint8_t junk[4] = { 0 };

	(void)state;
	for (int i = 0; i < 5; i++)
		mn_inject(net, 0, stranger, junk, sizeof(junk));
	assert_int_equal(c->drop[NODE_DROP_DECODE], 2);
	assert_int_equal(c->drop[NODE_DROP_RATE_LIMITED], 3);
	assert_int_equal(loc_register(net, IN1, 1, 75, 1), MH_ST_ACCEPTED);
	mn_free(net);
}

/* A flood forged in a keyed peer's name is refused by authentication and
 * spends none of its rate: the peer itself is still heard. */
static void
test_rate_keyed(void **state)
{
	struct auth_key k = { .spi = 256, .len = 32 }, bad;
	struct node_limits lim = { .rate = 10, .burst = 5 };
	struct minnet *net = mn_new();
	const struct node_counters *c;
	struct node_cfg cfg;
	struct mh_msg m;
	int i, ok = 0;

	(void)state;
	memset(k.key, 0x5a, sizeof(k.key));
	bad = k;
	bad.key[0] ^= 1;
	assert_non_null(net);
	net->keep_timers = true;
	net->now = NOW;
	cfg_of(&cfg, LOC, NULL, FIND_LOCATOR);
	cfg.limits = lim;
	i = node_peer_find(&cfg, addr_of[IN1]);
	cfg.peers[i].auth.nkeys = 1;
	cfg.peers[i].auth.keys[0] = k;
	assert_int_equal(mn_add(net, &cfg), 0);
	for (i = 0; i < 20; i++) {
		msg_for(&m, MH_K_LOC_REGISTER, (uint16_t)(100 + i), 1);
		m.lifetime = 75;
		m.present |= MH_BIT(MH_O_CATS_ADDR);
		memcpy(m.cats_addr, addr_of[EG1], 16);
		assert_int_equal(ask(net, IN1, &m, &bad), 0xff);
	}
	c = node_counters(net->nodes[0]);
	assert_int_equal(c->drop[NODE_DROP_BAD_AUTH], 20);
	assert_int_equal(c->drop[NODE_DROP_RATE_LIMITED], 0);
	for (i = 0; i < 7; i++) {
		msg_for(&m, MH_K_LOC_REGISTER, (uint16_t)(200 + i), 1);
		m.lifetime = 75;
		m.present |= MH_BIT(MH_O_CATS_ADDR);
		memcpy(m.cats_addr, addr_of[EG1], 16);
		ok += ask(net, IN1, &m, &k) == MH_ST_ACCEPTED;
	}
	/* its own burst, whole; what it signs beyond it is its rate's */
	assert_int_equal(ok, 5);
	assert_int_equal(c->drop[NODE_DROP_RATE_LIMITED], 2);
	mn_free(net);
}

/* ---- held packets: per client, and every client together ---- */

static void
out_none(void *arg, const void *pkt, size_t len)
{
	(void)pkt;
	*(size_t *)arg += len;
}

static void
test_hold_total(void **state)
{
	struct hold_limits lim = { .packets = 10, .ms = 1000, .total = 5 };
	struct holds *h = holds_new(&lim);
	const uint8_t pkt[40] = { 0x60 };
	uint8_t a[16];
	size_t out = 0;
	uint32_t c;

	(void)state;
	assert_non_null(h);
	for (c = 1; c <= 3; c++) {
		client_addr(a, 0x0a, c);
		assert_true(hold_start(h, a));
		assert_int_equal(hold_to(h, a, pkt, sizeof(pkt), NOW), HOLD_QUEUED);
		assert_int_equal(hold_to(h, a, pkt, sizeof(pkt), NOW),
		    c < 3 ? HOLD_QUEUED : HOLD_OVERFLOW);
	}
	/* each client under its bound, the total reached: dropped, counted */
	assert_int_equal(holds_counters(h)->total_overflow, 1);
	assert_int_equal(holds_counters(h)->overflow, 0);
	/* a release gives the room back */
	client_addr(a, 0x0a, 1);
	assert_int_equal(hold_release(h, a, NOW, out_none, &out), 2);
	client_addr(a, 0x0a, 3);
	assert_int_equal(hold_to(h, a, pkt, sizeof(pkt), NOW), HOLD_QUEUED);
	/* expiry too */
	client_addr(a, 0x0a, 2);
	assert_int_equal(hold_to(h, a, pkt, sizeof(pkt), NOW + 2000), HOLD_QUEUED);
	assert_int_equal(holds_counters(h)->expired, 2);
	holds_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_egress_quota),
		cmocka_unit_test(test_total_is_no_resources),
		cmocka_unit_test(test_locator_quota),
		cmocka_unit_test(test_expected_session_quota),
		cmocka_unit_test(test_pending_quota),
		cmocka_unit_test(test_no_leak_proactive),
		cmocka_unit_test(test_no_leak_reactive_locator),
		cmocka_unit_test(test_no_leak_reactive_prefix),
		cmocka_unit_test(test_no_leak_switch),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rate_others),
		cmocka_unit_test(test_rate_keyed),
		cmocka_unit_test(test_hold_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
