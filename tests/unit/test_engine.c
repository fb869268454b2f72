/*
 * Tests of the protocol engine through node.h alone, on the minimal
 * synchronous network of tests/minnet.h: the set-up options, both
 * handovers, transaction switching, and messages that are valid on the wire
 * but wrong for the state (each answered with the right status or dropped
 * with a counted reason, and never changing a binding).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cats/node.h"
#include "domain.h"

struct opts {
	enum node_setup	 setup;
	enum node_find	 find;
	bool		 tswitch;	/* ingress2 switches transactions */
};

static void
tune(struct node_cfg *c, int me, const void *arg)
{
	const struct opts *o = arg;
	struct node_instance *in;

	c->setup = o->setup;
	c->find = o->find;
	c->transaction_switch = o->tswitch && me == IN2;
	/* for affinity only 101 runs "gpu"; for needs only 201 has a gpu */
	if ((in = dom_instance(c, 101)) != NULL)
		strcpy(in->functions[0], "gpu");
	if ((in = dom_instance(c, 201)) != NULL)
		strcpy(in->resources[0], "gpu");
}

/* The whole domain, with the address plan. */
static struct world *
world_new(enum node_setup setup, enum node_find find, bool tswitch)
{
	const struct opts o = { setup, find, tswitch };

	return dom_world(DOM_ALL, true, tune, &o);
}

static size_t
encode(struct mh_msg *m, const uint8_t src[16], const uint8_t dst[16],
    uint8_t *out)
{
	struct mh_addrs a;
	struct mh_error e;
	size_t len;

	memcpy(a.src, src, 16);
	memcpy(a.dst, dst, 16);
	assert_int_equal(mh_encode(m, &a, out, MH_MAX_LEN, &len, &e), MH_OK);
	return len;
}

/* The client attaches at 'ingress' and asks for the service. */
static void
client_request(struct world *w, int ingress)
{
	dom_svc_request(w, ingress, client, NULL);
}

static void
last_reply(struct world *w, struct mh_msg *m, uint8_t kind)
{
	struct mh_error e;

	assert_int_equal(mh_decode(w->net->last_out.buf, w->net->last_out.len,
	    NULL, m, &e), MH_OK);
	assert_int_equal(m->kind, kind);
}

static void
test_setup_option2(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m;

	(void)state;
	client_request(w, IN1);
	last_reply(w, &m, MH_K_SVC_REPLY);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_int_equal(m.seq, 77);
	assert_int_equal(m.svc_prefix.len, 64);
	assert_memory_equal(m.crid.p, addr_of[EG1], 16);	/* nearest is best */
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 1);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 1);
	assert_int_equal(node_session_count(w->net->nodes[EG2]), 0);
	assert_int_equal(node_session_count(w->net->nodes[LOC]), 1);
	assert_int_equal(w->net->dp_count[DP_STEER], 1);
	assert_int_equal(w->net->dp_count[DP_RETURN], 1);
	assert_int_equal(w->net->dp_count[DP_PREFIX], 1);
	/* the kernel needs the instance: its SID is the egress's plus the id */
	assert_int_equal(w->net->dps[0].op, DP_RETURN);
	assert_int_equal(w->net->dps[1].op, DP_STEER);
	assert_int_equal(w->net->dps[1].instance, 101);
	assert_int_equal(m.cis_id, 101);
	world_free(w);
}

static void
test_setup_option1(void **state)
{
	struct world *w = world_new(SETUP_QUERY_EGRESSES, FIND_LOCATOR, false);
	struct mh_msg m;

	(void)state;
	client_request(w, IN1);
	last_reply(w, &m, MH_K_SVC_REPLY);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_CATS_QUERY], 1);
	assert_int_equal(node_counters(w->net->nodes[EG2])->rx_kind[MH_K_CATS_QUERY], 1);
	assert_int_equal(node_counters(w->net->nodes[CTL])->rx, 0);
	assert_int_equal(node_session_count(w->net->nodes[EG1]) +
	    node_session_count(w->net->nodes[EG2]), 1);
	world_free(w);
}

static void
local(struct world *w, int node, enum ev_type t)
{
	mn_local(w->net, node, t, client, 0);
	mn_run(w->net);
}

static void
test_proactive(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);

	(void)state;
	client_request(w, IN1);
	local(w, IN1, EV_MOVE_DETECTED);
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	/* fig. 1: notify, indication to the old ingress, to the egress */
	assert_int_equal(node_counters(w->net->nodes[IN2])->rx_kind[MH_K_MOB_NOTIFY], 1);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rx_kind[MH_K_MOB_INDICATION], 1);
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_MOB_INDICATION], 1);
	assert_int_equal(w->net->dp_count[DP_BUFFER], 1);
	assert_int_equal(w->net->dp_count[DP_FORWARD], 1);
	assert_int_equal(w->net->dp_count[DP_FLUSH], 1);
	assert_int_equal(w->net->dp_count[DP_RETURN], 2);	/* set-up, then moved */
	assert_int_equal(w->net->dp_count[DP_STEER], 2);
	assert_int_equal(node_counters(w->net->nodes[IN2])->drop[NODE_DROP_UNEXPECTED], 0);
	assert_int_equal(node_counters(w->net->nodes[IN1])->drop[NODE_DROP_UNEXPECTED], 0);
	world_free(w);
}

static void
reactive(enum node_find find)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, find, false);

	client_request(w, IN1);
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	if (find == FIND_LOCATOR)
		assert_int_equal(node_counters(w->net->nodes[LOC])->rx_kind[MH_K_LOC_QUERY], 1);
	else
		assert_int_equal(node_counters(w->net->nodes[LOC])->rx, 0);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rx_kind[MH_K_MOB_REQUEST], 1);
	assert_int_equal(node_counters(w->net->nodes[IN2])->rx_kind[MH_K_MOB_NOTIFY], 1);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rx_kind[MH_K_MOB_INDICATION], 1);
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_MOB_INDICATION], 1);
	assert_int_equal(w->net->dp_count[DP_FORWARD], 1);
	assert_int_equal(w->net->dp_count[DP_RETURN], 2);
	/* the placeholder went, the session is here */
	assert_int_equal(node_session_count(w->net->nodes[IN2]), 1);
	world_free(w);
}

static void
test_reactive_locator(void **state)
{
	(void)state;
	reactive(FIND_LOCATOR);
}

static void
test_reactive_prefix(void **state)
{
	(void)state;
	reactive(FIND_PREFIX);
}

static void
state_event(struct world *w, int node, enum ev_type t, const struct dp_intent *d,
    int other)
{
	struct ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	memcpy(ev.client, client, 16);
	ev.service = d->service;
	ev.tx = d->tx;
	ev.peer = addr_of[other];
	node_event(w->net->nodes[node], &ev, w->net->now);
	mn_run(w->net);
}

static void
test_transaction_switch(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, true);
	struct dp_intent exp;
	size_t i;

	(void)state;
	client_request(w, IN1);
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	/* fig. 3: the C-PS finds egress2 better from ingress2 */
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_TX_TRANSFER_REQ], 1);
	assert_int_equal(node_counters(w->net->nodes[EG2])->rx_kind[MH_K_TX_TRANSFER_NOTIFY], 1);
	assert_int_equal(w->net->dp_count[DP_STATE_EXPORT], 1);
	for (i = 0; i < MN_DPS && w->net->dps[i].op != DP_STATE_EXPORT; i++)
		;
	exp = w->net->dps[i];
	assert_memory_equal(exp.peer, addr_of[EG2], 16);
	exp.tx.next_seq = 37;
	state_event(w, EG2, EV_STATE_RECEIVED, &exp, EG1);
	state_event(w, EG1, EV_STATE_SENT, &exp, EG2);
	assert_int_equal(w->net->dp_count[DP_STATE_IMPORT], 1);
	assert_int_equal(node_counters(w->net->nodes[IN2])->rx_kind[MH_K_TX_RECEIVED], 1);
	assert_int_equal(node_counters(w->net->nodes[IN2])->rx_kind[MH_K_TX_CONFIRM], 1);
	assert_int_equal(w->net->dp_count[DP_UNRETURN], 1);	/* old tunnel closed */
	assert_int_equal(w->net->dp_count[DP_STEER], 3);	/* set-up, moved, switched */
	for (i = w->net->ndps; i-- > 0;)
		if (w->net->dps[i % MN_DPS].op == DP_STEER)
			break;
	assert_memory_equal(w->net->dps[i % MN_DPS].peer, addr_of[EG2], 16);
	assert_int_equal(w->net->dps[i % MN_DPS].instance, 201);
	assert_int_equal(node_counters(w->net->nodes[IN2])->drop[NODE_DROP_UNEXPECTED], 0);
	world_free(w);
}

/* ------------------------------------------------------------------ */
/* Valid on the wire, wrong for the state                              */

static void
fill_request(struct mh_msg *m, uint16_t seq, uint64_t ts)
{
	static const char nai[] = "ue@x";

	mh_msg_init(m, MH_K_CATS_REQUEST);
	m->seq = seq;
	m->lifetime = 75;
	m->present |= MH_BIT(MH_O_SERVICE_ID) | MH_BIT(MH_O_MNID) |
	    MH_BIT(MH_O_CLIENT_ADDR) | MH_BIT(MH_O_TIMESTAMP);
	m->service_id.p = (const uint8_t *)svc;
	m->service_id.len = sizeof(svc) - 1;
	m->mnid_subtype = MH_NAI_SUBTYPE;
	m->mnid.p = (const uint8_t *)nai;
	m->mnid.len = sizeof(nai) - 1;
	memcpy(m->client_addr, client, 16);
	m->timestamp = ts;
}

/* A message about our client and its service. */
static void
msg_fill_client(struct mh_msg *m)
{
	m->present |= MH_BIT(MH_O_CLIENT_ADDR) | MH_BIT(MH_O_SERVICE_ID);
	memcpy(m->client_addr, client, 16);
	m->service_id.p = (const uint8_t *)svc;
	m->service_id.len = sizeof(svc) - 1;
	m->seq = 900;
}

/* What a node queued last for another node, decoded. */
static void
queued_answer(struct world *w, struct mh_msg *m)
{
	struct mn_msg *q = &w->net->q[(w->net->tail + MN_QUEUE - 1) % MN_QUEUE];
	struct mh_error e;

	assert_true(w->net->head != w->net->tail);
	assert_int_equal(mh_decode(q->buf, q->len, NULL, m, &e), MH_OK);
}

static void
inject_to(struct world *w, int to, const uint8_t src[16], struct mh_msg *m)
{
	uint8_t buf[MH_MAX_LEN];
	size_t len = encode(m, src, addr_of[to], buf);

	mn_inject(w->net, to, src, buf, len);
}

static void
test_stale_sequence(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m, a;
	uint64_t ts = (uint64_t)1 << 16;

	(void)state;
	w->net->now = 1000;
	fill_request(&m, 10, ts);
	inject_to(w, EG1, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_CATS_AVAILABLE);
	mn_run(w->net);				/* ingress1: an ACK it never asked for */
	assert_int_equal(node_counters(w->net->nodes[IN1])->drop[NODE_DROP_UNEXPECTED], 1);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 1);
	assert_int_equal(w->net->dp_count[DP_RETURN], 1);
	/* RFC 5213 5.5: without a timestamp, an older sequence number from
	 * the same ingress is refused, and nothing changes */
	fill_request(&m, 9, ts);
	m.present &= ~MH_BIT(MH_O_TIMESTAMP);
	inject_to(w, EG1, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_SEQ_OUT_OF_WINDOW);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_STALE_SEQ], 1);
	assert_int_equal(w->net->dp_count[DP_RETURN], 1);	/* unchanged */
	mn_run(w->net);				/* ingress1 drops that answer too */
	/* a timestamp far from our clock: 155, and still nothing changes */
	fill_request(&m, 11, ts + ((uint64_t)3600 << 16));
	inject_to(w, EG1, addr_of[IN2], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_TIMESTAMP_MISMATCH);
	/* older than the last accepted: 156 */
	fill_request(&m, 12, ts - 1);
	inject_to(w, EG1, addr_of[IN2], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_TIMESTAMP_LOWER);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_TIMESTAMP], 2);
	assert_int_equal(w->net->dp_count[DP_RETURN], 1);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 1);
	world_free(w);
}

static void
test_not_a_peer(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m;

	(void)state;
	fill_request(&m, 1, 0);
	m.present &= ~MH_BIT(MH_O_TIMESTAMP);
	inject_to(w, EG1, stranger, &m);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_NOT_PEER], 1);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 0);
	assert_true(w->net->head == w->net->tail);	/* no answer to strangers */
	world_free(w);
}

static void
test_indication_unknown_client(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m, a;

	(void)state;
	/* to an egress (names the old ingress) and to an old ingress */
	mh_msg_init(&m, MH_K_MOB_INDICATION);
	m.present |= MH_BIT(MH_O_CLIENT_ADDR) | MH_BIT(MH_O_SERVICE_ID) |
	    MH_BIT(MH_O_CATS_ADDR);
	memcpy(m.client_addr, client, 16);
	memcpy(m.cats_addr, addr_of[IN1], 16);
	m.service_id.p = (const uint8_t *)svc;
	m.service_id.len = sizeof(svc) - 1;
	m.seq = 5;
	inject_to(w, EG1, addr_of[IN2], &m);
	queued_answer(w, &a);
	assert_int_equal(a.kind, MH_K_MSG_ACK);
	assert_int_equal(a.status, MH_ST_CATS_UNKNOWN_CLIENT);
	assert_int_equal(a.seq, 5);
	m.present &= ~MH_BIT(MH_O_CATS_ADDR);
	inject_to(w, IN1, addr_of[IN2], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_CATS_UNKNOWN_CLIENT);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_UNKNOWN_CLIENT], 1);
	assert_int_equal(node_counters(w->net->nodes[IN1])->drop[NODE_DROP_UNKNOWN_CLIENT], 1);
	assert_int_equal(w->net->dp_count[DP_RETURN] + w->net->dp_count[DP_FORWARD], 0);
	world_free(w);
}

static void
test_malformed_counted(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	uint8_t junk[24] = { 0x3b, 0x02, 0x05 };

	(void)state;
	mn_inject(w->net, EG1, addr_of[IN1], junk, sizeof(junk));
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_DECODE], 1);
	assert_int_equal(node_counters(w->net->nodes[EG1])->decode_err[MH_E_CHECKSUM] +
	    node_counters(w->net->nodes[EG1])->decode_err[MH_E_OPT_TRUNC] +
	    node_counters(w->net->nodes[EG1])->decode_err[MH_E_PAD], 1);
	world_free(w);
}

/* Retransmission: the request is sent again with back-off until answered. */
static void
test_retransmission(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m;

	(void)state;
	client_request(w, IN1);
	/* the refresh at 80 % of 300 s is lost, and its first retry */
	w->net->mute = IN1 + 1;
	mn_fire(w->net, 240 * 1000 + 200);
	assert_int_equal(w->net->muted, 2);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rtx, 1);
	/* the second retry, 400 ms after the first (back-off), gets through */
	w->net->mute = 0;
	mn_fire(w->net, 240 * 1000 + 599);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rtx, 1);
	mn_fire(w->net, 240 * 1000 + 600);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rtx, 2);
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_CATS_REQUEST], 2);
	last_reply(w, &m, MH_K_SVC_REPLY);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 1);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 1);
	world_free(w);
}

/* A client that leaves and is claimed by nobody: its session runs out and
 * the egress binding is deregistered; one that moved is kept alive by its
 * new ingress. */
static void
test_lifetime(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);

	(void)state;
	client_request(w, IN1);
	local(w, IN1, EV_DETACH);
	mn_fire(w->net, 310 * 1000);		/* lifetime 300 s, then a sweep */
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 0);
	assert_int_equal(w->net->dp_count[DP_UNRETURN], 1);
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_CATS_REQUEST], 2);
	world_free(w);

	w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	client_request(w, IN1);
	local(w, IN1, EV_MOVE_DETECTED);
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	mn_fire(w->net, 700 * 1000);		/* two lifetimes */
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 1);
	assert_int_equal(node_session_count(w->net->nodes[IN2]), 1);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_STALE_SEQ], 0);
	assert_true(node_counters(w->net->nodes[IN2])->rx_kind[MH_K_CATS_ACK] >= 2);
	assert_int_equal(w->net->dp_count[DP_UNRETURN], 0);
	world_free(w);
}

/* ------------------------------------------------------------------ */
/* Found by review, kept as regression tests                           */

static struct dp_intent
last_dp(const struct world *w, enum dp_op op)
{
	size_t i;

	for (i = w->net->ndps; i-- > 0;)
		if (w->net->dps[i % MN_DPS].op == op)
			return w->net->dps[i % MN_DPS];
	fail_msg("no intent %d", op);
	return w->net->dps[0];
}

static void
svc_request_from(struct world *w, int to, const uint8_t src[16], uint16_t seq)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;
	size_t len;

	mh_msg_init(&m, MH_K_SVC_REQUEST);
	m.seq = seq;
	m.present |= MH_BIT(MH_O_SERVICE_ID);
	m.service_id.p = (const uint8_t *)svc;
	m.service_id.len = sizeof(svc) - 1;
	len = encode(&m, src, addr_of[to], buf);
	mn_inject(w->net, to, src, buf, len);
	mn_run(w->net);
}

/* A short absence across the refresh point must not let the binding die. */
static void
test_blip_across_refresh(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);

	(void)state;
	client_request(w, IN1);
	mn_fire(w->net, 239 * 1000);
	local(w, IN1, EV_DETACH);
	mn_fire(w->net, 241 * 1000);
	local(w, IN1, EV_ATTACH);
	mn_fire(w->net, 330 * 1000);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 1);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 1);
	assert_int_equal(w->net->dp_count[DP_UNSTEER] + w->net->dp_count[DP_UNRETURN], 0);
	world_free(w);
}

/* Reactive there and back: the first ingress stops forwarding, the egress
 * returns to it again. */
static void
test_ping_pong(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);

	(void)state;
	client_request(w, IN1);
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	local(w, IN2, EV_DETACH);
	local(w, IN1, EV_ATTACH);
	assert_int_equal(w->net->dp_count[DP_UNFORWARD], 1);
	assert_memory_equal(last_dp(w, DP_RETURN).peer, addr_of[IN1], 16);
	assert_memory_equal(last_dp(w, DP_FORWARD).peer, addr_of[IN1], 16);
	mn_fire(w->net, 330 * 1000);		/* and it stays alive */
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 1);
	world_free(w);
}

/* Only an attached client may anchor a binding. */
static void
test_request_from_stranger(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	uint8_t src[16];
	int i;

	(void)state;
	for (i = 0; i < 50; i++) {
		memcpy(src, stranger, 16);
		src[15] = (uint8_t)i;
		svc_request_from(w, IN1, src, 1);
	}
	assert_int_equal(node_counters(w->net->nodes[IN1])->drop[NODE_DROP_UNKNOWN_CLIENT], 50);
	assert_int_equal(node_session_count(w->net->nodes[EG1]) +
	    node_session_count(w->net->nodes[EG2]), 0);
	assert_int_equal(w->net->to_outside, 0);	/* no answer to them */
	world_free(w);
}

/* RFC 5213 5.5: with timestamps, the timestamp orders requests and an
 * "old" sequence number (after the 16-bit counter moved far) is fine. */
static void
test_timestamp_orders(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m, a;
	uint64_t ts = (uint64_t)1 << 16;

	(void)state;
	w->net->now = 1000;
	fill_request(&m, 40000, ts);
	inject_to(w, EG1, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_CATS_AVAILABLE);
	fill_request(&m, 5, ts + 1);		/* 40000 -> 5: "stale" by number */
	inject_to(w, EG1, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_CATS_AVAILABLE);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_STALE_SEQ], 0);
	world_free(w);
}

/* A CATS-unaware client that then asks gets its answer. */
static void
test_aware_after_unaware(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m;

	(void)state;
	local(w, IN1, EV_ATTACH);
	local(w, IN1, EV_SERVICE_REQUEST);
	assert_int_equal(w->net->to_outside, 0);
	svc_request_from(w, IN1, client, 78);
	last_reply(w, &m, MH_K_SVC_REPLY);
	assert_int_equal(m.seq, 78);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	world_free(w);
}

/* A peer in the wrong role, or not holding the binding, changes nothing. */
static void
test_wrong_sender(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m;

	(void)state;
	client_request(w, IN1);
	mh_msg_init(&m, MH_K_MOB_INDICATION);
	msg_fill_client(&m);
	inject_to(w, IN1, addr_of[LOC], &m);		/* the locator */
	m.present |= MH_BIT(MH_O_CATS_ADDR);
	memcpy(m.cats_addr, addr_of[IN1], 16);
	inject_to(w, EG1, addr_of[EG2], &m);		/* another egress */
	assert_int_equal(node_counters(w->net->nodes[IN1])->drop[NODE_DROP_WRONG_ROLE], 1);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_WRONG_ROLE], 1);
	mh_msg_init(&m, MH_K_TX_TRANSFER_REQ);
	msg_fill_client(&m);
	m.present |= MH_BIT(MH_O_CATS_ADDR) | MH_BIT(MH_O_TRANSACTION);
	memcpy(m.cats_addr, addr_of[EG2], 16);
	inject_to(w, EG1, addr_of[IN2], &m);		/* not the holder */
	memcpy(m.cats_addr, stranger, 16);
	inject_to(w, EG1, addr_of[IN1], &m);		/* not to an egress */
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_UNEXPECTED], 2);
	assert_int_equal(w->net->dp_count[DP_FORWARD] + w->net->dp_count[DP_STATE_EXPORT], 0);
	assert_int_equal(w->net->dp_count[DP_RETURN], 1);
	world_free(w);
}

/* A late indication cannot take the results back once the client moved
 * on: it must be timestamped, and not older than the last registration. */
static void
test_late_indication(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m, a;

	(void)state;
	client_request(w, IN1);
	local(w, IN1, EV_MOVE_DETECTED);
	local(w, IN1, EV_DETACH);
	w->net->now += 1000;
	local(w, IN2, EV_ATTACH);
	local(w, IN2, EV_MOVE_DETECTED);
	local(w, IN2, EV_DETACH);
	w->net->now += 1000;
	local(w, IN1, EV_ATTACH);			/* back at ingress1 */
	assert_memory_equal(last_dp(w, DP_RETURN).peer, addr_of[IN1], 16);
	mh_msg_init(&m, MH_K_MOB_INDICATION);
	msg_fill_client(&m);
	m.present |= MH_BIT(MH_O_CATS_ADDR);
	memcpy(m.cats_addr, addr_of[IN1], 16);
	inject_to(w, EG1, addr_of[IN2], &m);		/* no timestamp */
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_TIMESTAMP_MISMATCH);
	m.present |= MH_BIT(MH_O_TIMESTAMP);
	m.timestamp = (uint64_t)1 << 16;		/* from t = 1 s */
	inject_to(w, EG1, addr_of[IN2], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_TIMESTAMP_LOWER);
	assert_memory_equal(last_dp(w, DP_RETURN).peer, addr_of[IN1], 16);
	world_free(w);
}

/* Records of a client that left and was never claimed do not stay. */
static void
test_locator_expiry(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);

	(void)state;
	client_request(w, IN1);
	assert_int_equal(node_session_count(w->net->nodes[LOC]), 1);
	local(w, IN1, EV_DETACH);
	mn_fire(w->net, 3600 * 1000);
	assert_int_equal(node_session_count(w->net->nodes[LOC]), 0);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
	world_free(w);
}

/* show sessions' walk in steps (node_walk_step): the same sessions as the
 * whole walk, each once, at most max a step, and an end. */
static void
count_walked(void *arg, const struct node_session_info *i)
{
	uint8_t *seen = arg;

	assert_true(i->client[15] < 50);
	seen[i->client[15]]++;
}

static void
test_walk_step(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	uint8_t buf[MH_MAX_LEN], whole[50] = { 0 }, steps[50] = { 0 };
	struct node_cursor c = { 0, 0 };
	struct mh_msg m;
	size_t len;
	int i, calls = 0;
	bool more;

	(void)state;
	for (i = 0; i < 50; i++) {
		mh_msg_init(&m, MH_K_LOC_REGISTER);
		m.seq = (uint16_t)(100 + i);
		m.lifetime = 1000;
		m.present |= MH_BIT(MH_O_CLIENT_ADDR) | MH_BIT(MH_O_CATS_ADDR);
		memcpy(m.client_addr, client, 16);
		m.client_addr[15] = (uint8_t)i;
		memcpy(m.cats_addr, addr_of[EG1], 16);
		len = encode(&m, addr_of[IN1], addr_of[LOC], buf);
		mn_inject(w->net, LOC, addr_of[IN1], buf, len);
	}
	mn_run(w->net);
	assert_int_equal(node_session_count(w->net->nodes[LOC]), 50);
	node_walk(w->net->nodes[LOC], count_walked, whole);
	do {
		uint8_t before[50];
		int k, n = 0;

		memcpy(before, steps, sizeof(before));
		more = node_walk_step(w->net->nodes[LOC], &c, 7, count_walked,
		    steps);
		for (k = 0; k < 50; k++)
			n += steps[k] - before[k];
		assert_true(n <= 7);
		assert_true(!more || n == 7);
		assert_true(++calls <= 50 / 7 + 2);
	} while (more);
	for (i = 0; i < 50; i++) {
		assert_int_equal(whole[i], 1);
		assert_int_equal(steps[i], 1);
	}
	world_free(w);
}

/* After a transaction switch the client keeps its prefix behind the new
 * egress, and the old egress never gives it to anyone else. */
static void
test_prefix_after_switch(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, true);
	uint8_t other[16];
	struct dp_intent exp;
	struct mh_msg m;
	struct mh_prefix moved;

	(void)state;
	client_request(w, IN1);
	last_reply(w, &m, MH_K_SVC_REPLY);
	moved = m.svc_prefix;
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	exp = last_dp(w, DP_STATE_EXPORT);
	state_event(w, EG2, EV_STATE_RECEIVED, &exp, EG1);
	state_event(w, EG1, EV_STATE_SENT, &exp, EG2);
	/* the old egress's tunnel closed for the prefix too */
	assert_memory_equal(last_dp(w, DP_UNRETURN).prefix.addr, moved.addr,
	    16);
	assert_int_equal(last_dp(w, DP_UNRETURN).prefix.len, 64);
	mn_fire(w->net, 250 * 1000);			/* refreshed at egress2 */
	assert_memory_equal(last_dp(w, DP_RETURN).prefix.addr, moved.addr, 16);
	memcpy(other, client, 16);
	other[15] = 0x99;
	mn_local(w->net, IN1, EV_ATTACH, other, 0);
	svc_request_from(w, IN1, other, 5);
	last_reply(w, &m, MH_K_SVC_REPLY);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_memory_not_equal(m.svc_prefix.addr, moved.addr, 16);
	world_free(w);
}

/* Anchoring 3 step 7: the intents that make a session's routes carry
 * its prefix, and every one of them is withdrawn when the session goes:
 * the prefix's own (DP_UNPREFIX) last at the ingress, the return path's
 * (DP_UNRETURN) before the egress's pool takes the prefix back. */
static void
assert_prefix(const struct dp_intent *in, const struct mh_prefix *p)
{
	assert_int_equal(in->prefix.len, p->len);
	assert_memory_equal(in->prefix.addr, p->addr, 16);
}

static void
test_prefix_lifecycle(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct dp_intent steer, ret, pfx;
	struct mh_prefix p;
	struct mh_msg m;
	uint8_t other[16];

	(void)state;
	client_request(w, IN1);
	last_reply(w, &m, MH_K_SVC_REPLY);
	p = m.svc_prefix;
	assert_int_equal(p.len, 64);
	steer = last_dp(w, DP_STEER);
	ret = last_dp(w, DP_RETURN);
	pfx = last_dp(w, DP_PREFIX);
	assert_prefix(&steer, &p);
	assert_prefix(&ret, &p);
	assert_prefix(&pfx, &p);
	assert_int_equal(w->net->dp_count[DP_UNPREFIX], 0);

	/* the client vanishes: the session runs out at both ends */
	local(w, IN1, EV_DETACH);
	assert_int_equal(w->net->dp_count[DP_UNPREFIX], 0);	/* held */
	mn_fire(w->net, 310 * 1000);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 0);
	assert_int_equal(w->net->dp_count[DP_UNSTEER], 1);
	assert_int_equal(w->net->dp_count[DP_UNPREFIX], 1);
	assert_int_equal(w->net->dp_count[DP_UNRETURN], 1);
	assert_int_equal(w->net->dp_count[DP_FLUSH], 1);	/* buffer route */
	steer = last_dp(w, DP_UNSTEER);
	ret = last_dp(w, DP_UNRETURN);
	pfx = last_dp(w, DP_UNPREFIX);
	assert_prefix(&steer, &p);
	assert_prefix(&ret, &p);
	assert_prefix(&pfx, &p);
	assert_memory_equal(pfx.client, client, 16);

	/* its routes gone, the pool gives the prefix out again */
	memcpy(other, client, 16);
	other[15] = 0x99;
	mn_local(w->net, IN1, EV_ATTACH, other, 0);
	svc_request_from(w, IN1, other, 5);
	last_reply(w, &m, MH_K_SVC_REPLY);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_memory_equal(m.svc_prefix.addr, p.addr, 16);
	world_free(w);
}

/* Handed over away: the old ingress forwards the prefix with the client's
 * address, and withdraws both when its session runs out; the new ingress
 * steers the prefix and routes it onto its access link. */
static void
test_prefix_handover(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct dp_intent in;
	struct mh_prefix p;
	struct mh_msg m;

	(void)state;
	client_request(w, IN1);
	last_reply(w, &m, MH_K_SVC_REPLY);
	p = m.svc_prefix;
	local(w, IN1, EV_MOVE_DETECTED);
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	in = last_dp(w, DP_FORWARD);
	assert_prefix(&in, &p);
	assert_memory_equal(in.peer, addr_of[IN2], 16);
	in = last_dp(w, DP_STEER);			/* at the new ingress */
	assert_prefix(&in, &p);
	in = last_dp(w, DP_RETURN);			/* moved to it */
	assert_prefix(&in, &p);
	assert_memory_equal(in.peer, addr_of[IN2], 16);
	assert_int_equal(w->net->dp_count[DP_PREFIX], 2);
	assert_int_equal(w->net->dp_count[DP_UNSTEER], 0);	/* may come back */
	mn_fire(w->net, 700 * 1000);		/* two lifetimes */
	assert_int_equal(node_session_count(w->net->nodes[IN2]), 1);
	assert_int_equal(w->net->dp_count[DP_UNFORWARD], 1);
	in = last_dp(w, DP_UNFORWARD);
	assert_prefix(&in, &p);
	/* the old ingress's session ran out: its forward (the prefix's
	 * route there) and its steering go; nothing of the session at the
	 * new ingress */
	assert_int_equal(w->net->dp_count[DP_UNPREFIX], 0);
	assert_int_equal(w->net->dp_count[DP_UNSTEER], 1);
	in = last_dp(w, DP_UNSTEER);
	assert_prefix(&in, &p);
	assert_memory_equal(in.peer, addr_of[EG1], 16);
	world_free(w);
}

/* ------------------------------------------------------------------ */
/* Requirements (anchoring 3 steps 1-3 and 6, 4.4; mobility 3)          */

/* Bandwidth, delay variation and loss on every path, so that each bound
 * can be met (they are never received otherwise). */
static void
sel_net_full(struct world *w)
{
	struct cats_sample d[3] = {
		{ CATS_M_BANDWIDTH, CATS_STAT_CUR, 0, 1e8 },
		{ CATS_M_DELAY_VAR, CATS_STAT_CUR, 0, 1e6 },
		{ CATS_M_LOSS, CATS_STAT_CUR, 0, 1000 },
	};
	uint32_t i, e;

	for (i = 0; i < 2; i++)
		for (e = 0; e < 2; e++)
			assert_int_equal(cats_sel_update_net(w->sel, i, e, d, 3, 2),
			    CATS_MERR_OK);
}

static void
req_none(struct mh_cats_req *r)
{
	memset(r, 0, sizeof(*r));
	r->max_lat = r->max_jitter = r->max_loss = r->comp_lat = MH_REQ_UNSET;
}

/* One affinity entry, kind and name, in buf. */
static void
req_affinity(struct mh_cats_req *r, uint8_t *buf, uint8_t kind,
    const char *name)
{
	buf[0] = kind;
	buf[1] = (uint8_t)strlen(name);
	memcpy(buf + 2, name, buf[1]);
	r->affinity.p = buf;
	r->affinity.len = (uint8_t)(2 + buf[1]);
}

/* The client asks at 'ingress' with requirements; the svc-reply. */
static void
request_with(struct world *w, int ingress, const struct mh_cats_req *req,
    struct mh_msg *reply)
{
	dom_svc_request(w, ingress, client, req);
	last_reply(w, reply, MH_K_SVC_REPLY);
}

struct req_case {
	const char		*what;
	enum cats_sel_reason	 why;		/* when unmet */
	uint32_t		 met, unmet;	/* the bound, met and not */
};

static const struct req_case req_cases[] = {
	{ "bandwidth", CATS_SEL_BANDWIDTH, 10000000, 1000000000 },
	{ "latency", CATS_SEL_LATENCY, 10000000, 1000000 },
	{ "latency-variation", CATS_SEL_LATENCY_VARIATION, 2000000, 100000 },
	{ "loss", CATS_SEL_LOSS, 10000, 10 },
	{ "comp-latency", CATS_SEL_COMP_LATENCY, 10000000, 1000000 },
};

static void
req_set(struct mh_cats_req *r, size_t k, uint32_t v)
{
	req_none(r);
	switch (k) {
	case 0: r->min_bw = v; break;
	case 1: r->max_lat = v; break;
	case 2: r->max_jitter = v; break;
	case 3: r->max_loss = v; break;
	default: r->comp_lat = v; break;
	}
}

/* Each requirement kind, met and unmet, where the choice is made: the
 * controller (option 2) and each egress (option 1).  Unmet: status 200,
 * nothing anchored or steered, the reason counted. */
static void
test_reqs_each_kind(void **state)
{
	static const enum node_setup setups[] = { SETUP_QUERY_CONTROLLER,
	    SETUP_QUERY_EGRESSES };
	struct mh_cats_req r;
	struct mh_msg m;
	size_t k, i;

	(void)state;
	for (i = 0; i < 2; i++)
		for (k = 0; k < sizeof(req_cases) / sizeof(req_cases[0]); k++) {
			struct world *w = world_new(setups[i], FIND_LOCATOR, false);
			const struct node_counters *c;

			sel_net_full(w);
			req_set(&r, k, req_cases[k].met);
			request_with(w, IN1, &r, &m);
			assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
			assert_memory_equal(m.crid.p, addr_of[EG1], 16);
			assert_int_equal(w->net->dp_count[DP_STEER], 1);
			world_free(w);

			w = world_new(setups[i], FIND_LOCATOR, false);
			sel_net_full(w);
			req_set(&r, k, req_cases[k].unmet);
			request_with(w, IN1, &r, &m);
			assert_int_equal(m.status, MH_ST_CATS_UNAVAILABLE);
			assert_int_equal(w->net->dp_count[DP_STEER], 0);
			assert_int_equal(w->net->dp_count[DP_RETURN], 0);
			assert_int_equal(w->net->dp_count[DP_PREFIX], 0);
			assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
			c = node_counters(w->net->nodes[i == 0 ? CTL : EG1]);
			assert_int_equal(c->unmet[req_cases[k].why], 1);
			assert_int_equal(c->drop[NODE_DROP_UNMET], 1);
			world_free(w);
		}
}

/* A bounded metric never received is unmet where the choice is made, and
 * says so ("no-metric"). */
static void
test_reqs_no_metric(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_cats_req r;
	struct mh_msg m;

	(void)state;
	req_set(&r, 3, 1000000);	/* a loss bound, no loss metric */
	request_with(w, IN1, &r, &m);
	assert_int_equal(m.status, MH_ST_CATS_UNAVAILABLE);
	assert_int_equal(node_counters(w->net->nodes[CTL])->unmet[CATS_SEL_UNMEASURED], 1);
	assert_int_equal(w->net->dp_count[DP_STEER], 0);
	world_free(w);
	/* option 1: each egress leaves what it does not know to the ingress,
	 * whose offers then carry no loss, and the ingress counts it */
	w = world_new(SETUP_QUERY_EGRESSES, FIND_LOCATOR, false);
	request_with(w, IN1, &r, &m);
	assert_int_equal(m.status, MH_ST_CATS_UNAVAILABLE);
	assert_int_equal(node_counters(w->net->nodes[EG1])->drop[NODE_DROP_UNMET], 0);
	assert_int_equal(node_counters(w->net->nodes[IN1])->unmet[CATS_SEL_UNMEASURED], 1);
	assert_int_equal(w->net->dp_count[DP_STEER], 0);
	world_free(w);
}

/* Affinity (anchoring 3 step 1.e) is kept and honoured: "with" takes the
 * client to the farther instance that runs the function, "avoid" away from
 * the nearer one that does; a function nobody runs meets nothing. */
static void
test_reqs_affinity(void **state)
{
	struct world *w;
	struct mh_cats_req r;
	struct mh_msg m;
	uint8_t aff[32];

	(void)state;
	w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	req_none(&r);
	req_affinity(&r, aff, MH_AFF_WITH, "gpu");
	request_with(w, IN2, &r, &m);		/* egress2 is nearer ingress2 */
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_memory_equal(m.crid.p, addr_of[EG1], 16);
	assert_int_equal(m.cis_id, 101);
	world_free(w);

	w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	req_affinity(&r, aff, MH_AFF_AVOID, "gpu");
	request_with(w, IN1, &r, &m);		/* egress1 is nearer ingress1 */
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_memory_equal(m.crid.p, addr_of[EG2], 16);
	world_free(w);

	w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	req_affinity(&r, aff, MH_AFF_WITH, "fpga");
	request_with(w, IN1, &r, &m);
	assert_int_equal(m.status, MH_ST_CATS_UNAVAILABLE);
	assert_int_equal(node_counters(w->net->nodes[CTL])->unmet[CATS_SEL_AFFINITY], 1);
	assert_int_equal(w->net->dp_count[DP_STEER], 0);
	world_free(w);

	/* option 1: egress1 judges on its own instance's functions */
	w = world_new(SETUP_QUERY_EGRESSES, FIND_LOCATOR, false);
	req_affinity(&r, aff, MH_AFF_AVOID, "gpu");
	request_with(w, IN1, &r, &m);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_memory_equal(m.crid.p, addr_of[EG2], 16);
	assert_int_equal(node_counters(w->net->nodes[EG1])->unmet[CATS_SEL_AFFINITY], 1);
	world_free(w);
}

/*
 * Anchoring 3 step 1.d: "needs" a computing resource (kind 3) takes the
 * client to the instance that has it, wherever the choice is made: the
 * controller's C-PS (option 2), each egress in option 1 and before its
 * ACK.  A resource nobody has: 200, nothing steered, the reason
 * "resources" counted.  Functions and resources are apart: instance 101
 * runs a function "gpu", only 201 has a gpu.
 */
static void
test_reqs_needs(void **state)
{
	static const enum node_setup setups[] = { SETUP_QUERY_CONTROLLER,
	    SETUP_QUERY_EGRESSES };
	struct world *w;
	struct mh_cats_req r;
	struct mh_msg m, a;
	uint8_t aff[32];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* met: ingress1 is nearer egress1, whose instance has none */
		w = world_new(setups[i], FIND_LOCATOR, false);
		req_none(&r);
		req_affinity(&r, aff, MH_AFF_NEEDS, "gpu");
		request_with(w, IN1, &r, &m);
		assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
		assert_memory_equal(m.crid.p, addr_of[EG2], 16);
		assert_int_equal(w->net->dp_count[DP_STEER], 1);
		/* option 1: egress1 judged its own instance and said 200 */
		assert_int_equal(node_counters(w->net->nodes[EG1])->unmet[
		    CATS_SEL_RESOURCES], i == 1 ? 1 : 0);
		world_free(w);

		/* unmet: nobody has a tpu */
		w = world_new(setups[i], FIND_LOCATOR, false);
		req_affinity(&r, aff, MH_AFF_NEEDS, "tpu");
		request_with(w, IN1, &r, &m);
		assert_int_equal(m.status, MH_ST_CATS_UNAVAILABLE);
		assert_int_equal(w->net->dp_count[DP_STEER], 0);
		assert_int_equal(w->net->dp_count[DP_PREFIX], 0);
		assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
		if (i == 0) {
			assert_int_equal(node_counters(w->net->nodes[CTL])->
			    unmet[CATS_SEL_RESOURCES], 1);
		} else {
			assert_int_equal(node_counters(w->net->nodes[EG1])->
			    unmet[CATS_SEL_RESOURCES], 1);
			assert_int_equal(node_counters(w->net->nodes[EG2])->
			    unmet[CATS_SEL_RESOURCES], 1);
		}
		world_free(w);
	}

	/* the function "gpu" is not the resource: "with" goes to 101 */
	w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	req_affinity(&r, aff, MH_AFF_WITH, "gpu");
	request_with(w, IN2, &r, &m);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	assert_int_equal(m.cis_id, 101);
	world_free(w);

	/* anchoring 3 step 6: egress1 checks before it ACKs */
	w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	w->net->now = 1000;
	fill_request(&m, 10, (uint64_t)1 << 16);
	m.present |= MH_BIT(MH_O_CATS_REQ);
	req_none(&m.req);
	req_affinity(&m.req, aff, MH_AFF_NEEDS, "gpu");
	inject_to(w, EG1, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.kind, MH_K_CATS_ACK);
	assert_int_equal(a.status, MH_ST_CATS_UNAVAILABLE);
	assert_false(a.present & MH_BIT(MH_O_SVC_PREFIX));
	assert_int_equal(node_counters(w->net->nodes[EG1])->unmet[
	    CATS_SEL_RESOURCES], 1);
	assert_int_equal(w->net->dp_count[DP_RETURN], 0);
	mn_run(w->net);
	fill_request(&m, 11, (uint64_t)1 << 16);
	m.present |= MH_BIT(MH_O_CATS_REQ);
	req_none(&m.req);
	req_affinity(&m.req, aff, MH_AFF_NEEDS, "gpu");
	inject_to(w, EG2, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_CATS_AVAILABLE);
	assert_int_equal(w->net->dp_count[DP_RETURN], 1);
	world_free(w);
}

/* Anchoring 3 step 6: the egress checks before it ACKs.  A request whose
 * requirement its path cannot meet gets 200, with nothing anchored. */
static void
test_reqs_egress_ack(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	struct mh_msg m, a;

	(void)state;
	w->net->now = 1000;
	fill_request(&m, 10, (uint64_t)1 << 16);
	m.present |= MH_BIT(MH_O_CATS_REQ);
	req_set(&m.req, 1, 1000000);		/* 1 ms; the path is 5 */
	inject_to(w, EG1, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.kind, MH_K_CATS_ACK);
	assert_int_equal(a.status, MH_ST_CATS_UNAVAILABLE);
	assert_int_equal(a.lifetime, 0);
	assert_false(a.present & MH_BIT(MH_O_SVC_PREFIX));
	assert_int_equal(node_counters(w->net->nodes[EG1])->unmet[CATS_SEL_LATENCY], 1);
	assert_int_equal(node_session_count(w->net->nodes[EG1]), 0);
	assert_int_equal(w->net->dp_count[DP_RETURN], 0);
	mn_run(w->net);
	/* met: the ACK carries the conditions of ingress1's path */
	fill_request(&m, 11, (uint64_t)1 << 16);
	m.present |= MH_BIT(MH_O_CATS_REQ);
	req_set(&m.req, 1, 10000000);
	inject_to(w, EG1, addr_of[IN1], &m);
	queued_answer(w, &a);
	assert_int_equal(a.status, MH_ST_CATS_AVAILABLE);
	assert_true(a.present & MH_BIT(MH_O_CATS_COND));
	assert_int_equal(a.cond.max_lat, 5000000);
	assert_int_equal(w->net->dp_count[DP_RETURN], 1);
	world_free(w);
}

/* The query, the request and the response: ICR ID, requirements and the
 * conditions derived per ingress (anchoring 3 steps 2-3). */
static void
test_reqs_on_the_wire(void **state)
{
	struct world *w = world_new(SETUP_QUERY_EGRESSES, FIND_LOCATOR, false);
	struct mh_msg m;
	size_t i;
	int queries = 0, responses = 0, requests = 0;

	(void)state;
	client_request(w, IN1);
	/* the ring keeps what it delivered: everything, from slot 0 */
	assert_true(w->net->sent < MN_QUEUE);
	for (i = 0; i < w->net->tail; i++) {
		struct mh_error e;

		if (mh_decode(w->net->q[i].buf, w->net->q[i].len, NULL, &m,
		    &e) != MH_OK)
			continue;
		if (m.kind == MH_K_CATS_QUERY || m.kind == MH_K_CATS_REQUEST) {
			assert_true(m.present & MH_BIT(MH_O_CR_ID));
			assert_memory_equal(m.crid.p, addr_of[IN1], 16);
			assert_true(m.present & MH_BIT(MH_O_CATS_REQ));
			queries += m.kind == MH_K_CATS_QUERY;
			requests += m.kind == MH_K_CATS_REQUEST;
		}
		if (m.kind == MH_K_CATS_RESPONSE) {
			/* each egress's own path from ingress1: 5 and 20 ms */
			assert_true(m.present & MH_BIT(MH_O_CATS_COND));
			assert_int_equal(m.cond.max_lat,
			    memcmp(m.crid.p, addr_of[EG1], 16) == 0 ?
			    5000000 : 20000000);
			responses++;
		}
	}
	assert_int_equal(queries, 2);
	assert_int_equal(responses, 2);
	assert_int_equal(requests, 1);
	world_free(w);
}

/* Mobility 3, fig. 3: the requirements travel with the session to the new
 * ingress and into its switching query; the nearer egress2 does not run
 * "gpu", so the switch to it is refused and counted, and the client stays. */
static void
test_reqs_switch_refused(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, true);
	struct mh_cats_req r;
	struct mh_msg m;
	uint8_t aff[32];

	(void)state;
	req_none(&r);
	req_affinity(&r, aff, MH_AFF_WITH, "gpu");
	request_with(w, IN1, &r, &m);
	assert_int_equal(m.status, MH_ST_CATS_AVAILABLE);
	local(w, IN1, EV_DETACH);
	local(w, IN2, EV_ATTACH);
	assert_int_equal(node_counters(w->net->nodes[CTL])->rx_kind[MH_K_CATS_QUERY], 2);
	assert_int_equal(node_counters(w->net->nodes[CTL])->drop[NODE_DROP_SWITCH_REFUSED], 1);
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_TX_TRANSFER_REQ], 0);
	assert_int_equal(node_counters(w->net->nodes[EG2])->rx_kind[MH_K_TX_TRANSFER_NOTIFY], 0);
	assert_int_equal(w->net->dp_count[DP_STATE_EXPORT], 0);
	world_free(w);
}

/*
 * The agents' metrics reach the C-PS that chooses (framework 5.2, 5.3;
 * report.c, docs/wire.md 5.9): only the controller has a selector here.
 * An egress's load report about its instance, and an ingress's probe
 * result about its path, change the controller's choice; a report the
 * sender may not make is refused, counted, and changes nothing.
 */
static int
ctl_choice(struct cats_sel *sel, uint32_t ingress, uint64_t now)
{
	struct cats_choice ch;
	struct cats_reqs none;

	cats_reqs_none(&none);
	if (cats_sel_select(sel, ingress, 0, &none, 0, now, &ch) != CATS_SEL_OK)
		return -1;
	return (int)ch.instance;
}

static void
report_from(struct minnet *net, int from, struct mh_metrics *x)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg m;
	size_t len;

	mh_msg_init(&m, MH_K_METRIC_REPORT);
	m.present |= MH_BIT(MH_O_CATS_METRICS);
	m.metrics = *x;
	m.seq = 77;
	len = encode(&m, addr_of[from], addr_of[CTL], buf);
	mn_inject(net, CTL, addr_of[from], buf, len);
}

static void
test_metric_report(void **state)
{
	struct cats_sample busy[2] = {
		{ CATS_M_UTIL, CATS_STAT_MEAN, 1000, 0.99 },
		{ CATS_M_QUEUE, CATS_STAT_CUR, 0, 500 },
	};
	struct cats_sample near = { CATS_M_OWD, CATS_STAT_MEAN, 1000, 1e6 };
	struct mh_metrics x = { .scope = MH_MS_INSTANCE, .n = 1, .cis_id = 201,
	    .s = { { CATS_M_UTIL, CATS_STAT_CUR, 0, 0.0 } } };
	const struct opts o = { SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false };
	struct minnet *net = mn_new();
	struct cats_sel *sel = dom_sel_new();
	const struct node_counters *k;
	struct node_cfg c;
	int i;

	(void)state;
	for (i = 0; i < NNODES; i++) {
		dom_cfg(&c, i, i == CTL ? sel : NULL, DOM_ALL, true);
		tune(&c, i, &o);
		assert_int_equal(mn_add(net, &c), i);
	}
	k = node_counters(net->nodes[CTL]);
	net->now = 5000;
	assert_int_equal(ctl_choice(sel, 0, net->now), 101);	/* the nearest */
	/* egress1's agent: its instance is saturated */
	assert_int_equal(node_report_instance(net->nodes[EG1], 101, busy, 2,
	    net->now), NODE_REPORT_NO_CPS);
	mn_run(net);
	assert_int_equal(node_counters(net->nodes[EG1])->metric_tx, 1);
	assert_int_equal(k->metric_rx, 1);
	assert_int_equal(ctl_choice(sel, 0, net->now + 1), 201);
	/* ingress2's probes: its path to egress1 is 1 ms (was 20) */
	net->now += 1000;
	assert_int_equal(node_report_path(net->nodes[IN2],
	    node_peer_find(node_config(net->nodes[IN2]), addr_of[EG1]),
	    &near, 1, net->now), NODE_REPORT_NO_CPS);
	mn_run(net);
	assert_int_equal(k->metric_rx, 2);
	/* ... to the controller and to egress1, which has no C-PS */
	assert_int_equal(node_counters(net->nodes[EG1])->drop[NODE_DROP_NO_ROLE], 1);
	/* not an egress peer: refused before the C-PS */
	assert_int_equal(node_report_path(net->nodes[IN2],
	    node_peer_find(node_config(net->nodes[IN2]), addr_of[LOC]), &near, 1,
	    net->now), CATS_MERR_UNKNOWN_EGRESS);
	/* refused: egress2 speaking for egress1's instance, an ingress for an
	 * instance, an egress for a path, a path to a node that is no
	 * egress, and the locator at all */
	x.cis_id = 101;
	report_from(net, EG2, &x);
	report_from(net, IN1, &x);
	x = (struct mh_metrics){ .scope = MH_MS_PATH, .n = 1, .s = { near } };
	memcpy(x.egress, addr_of[EG1], 16);
	report_from(net, EG2, &x);
	memcpy(x.egress, addr_of[LOC], 16);
	report_from(net, IN1, &x);
	assert_int_equal(k->drop[NODE_DROP_METRIC], 4);
	report_from(net, LOC, &x);
	assert_int_equal(k->drop[NODE_DROP_WRONG_ROLE], 1);
	assert_int_equal(k->metric_rx, 2);
	assert_int_equal(ctl_choice(sel, 0, net->now + 1), 201);
	mn_free(net);
	cats_sel_destroy(sel);
}

/*
 * Mobility 3: the old ingress tells whether the client needs service
 * continuity, a transaction in progress: traffic the data plane carried
 * within continuity_idle_ms (2 s).  Without a data plane that can tell,
 * the driver's "every result came" (EV_RESULTS_DONE) ends the need.
 */
static uint8_t
notified_flags(int known, uint64_t idle, int err, bool done)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER, FIND_LOCATOR, false);
	uint8_t f;

	client_request(w, IN1);
	w->net->act_known[IN1] = known;
	w->net->idle[IN1] = idle;
	w->net->act_errno[IN1] = err;
	if (done)
		local(w, IN1, EV_RESULTS_DONE);
	local(w, IN1, EV_MOVE_DETECTED);
	assert_int_equal(node_counters(w->net->nodes[IN2])->rx_kind[MH_K_MOB_NOTIFY], 1);
	f = w->net->cflags[MH_K_MOB_NOTIFY];
	world_free(w);
	return f;
}

static void
test_continuity(void **state)
{
	(void)state;
	/* results flowing 5 ms ago: a transaction in progress */
	assert_int_equal(notified_flags(true, 5, 0, false), MH_CF_CONTINUITY);
	assert_int_equal(notified_flags(true, 2000, 0, false), MH_CF_CONTINUITY);
	/* idle for longer, or never a packet: a new client for the next */
	assert_int_equal(notified_flags(true, 2001, 0, false), 0);
	assert_int_equal(notified_flags(false, 0, ENOENT, false), 0);
	/* the data plane cannot tell: until the results are done */
	assert_int_equal(notified_flags(false, 0, 0, false), MH_CF_CONTINUITY);
	assert_int_equal(notified_flags(false, 0, 0, true), 0);
	/* the data plane's word wins over the driver's */
	assert_int_equal(notified_flags(true, 10, 0, true), MH_CF_CONTINUITY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_option2),
		cmocka_unit_test(test_setup_option1),
		cmocka_unit_test(test_proactive),
		cmocka_unit_test(test_reactive_locator),
		cmocka_unit_test(test_reactive_prefix),
		cmocka_unit_test(test_transaction_switch),
		cmocka_unit_test(test_prefix_lifecycle),
		cmocka_unit_test(test_prefix_handover),
		cmocka_unit_test(test_reqs_each_kind),
		cmocka_unit_test(test_reqs_no_metric),
		cmocka_unit_test(test_reqs_affinity),
		cmocka_unit_test(test_reqs_needs),
		cmocka_unit_test(test_reqs_egress_ack),
		cmocka_unit_test(test_reqs_on_the_wire),
		cmocka_unit_test(test_reqs_switch_refused),
		cmocka_unit_test(test_stale_sequence),
		cmocka_unit_test(test_not_a_peer),
		cmocka_unit_test(test_indication_unknown_client),
		cmocka_unit_test(test_malformed_counted),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_blip_across_refresh),
		cmocka_unit_test(test_ping_pong),
		cmocka_unit_test(test_request_from_stranger),
		cmocka_unit_test(test_timestamp_orders),
		cmocka_unit_test(test_aware_after_unaware),
		cmocka_unit_test(test_wrong_sender),
		cmocka_unit_test(test_late_indication),
		cmocka_unit_test(test_locator_expiry),
		cmocka_unit_test(test_walk_step),
		cmocka_unit_test(test_prefix_after_switch),
		cmocka_unit_test(test_metric_report),
		cmocka_unit_test(test_continuity),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
