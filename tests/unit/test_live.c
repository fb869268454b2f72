/*
 * Site failure (docs/engine.md "Site failure"): heartbeats between the
 * nodes (RFC 5847), a silent egress declared down after exactly
 * heartbeat_misses unanswered heartbeats, its sessions moved to the other
 * egress with their requirements honoured (options 1 and 2), a session
 * nothing else can serve kept as "unmet" and counted, and the egress
 * usable again once it answers.  Also the C-PS's availability API.  On
 * tests/minnet.h: a muted node's sends are lost, as a killed daemon's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cats/node.h"
#include "domain.h"

#define HB_MS		1000
#define HB_MISSES	3

/* One ingress, both egresses and the controller: no mobility here. */
#define MEMBERS	(DOM_NODE(IN1) | DOM_NODE(EG1) | DOM_NODE(EG2) | DOM_NODE(CTL))

static const uint8_t client1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a,
	[15] = 0x10 };
static const uint8_t client2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a,
	[15] = 0x20 };

/* Heartbeats on; 101 behind egress1 (5 ms from the ingress, runs "gpu"),
 * 201 behind egress2 (20 ms): egress1 is the first choice. */
static void
tune(struct node_cfg *c, int me, const void *arg)
{
	struct node_instance *in;

	(void)me;
	c->setup = *(const enum node_setup *)arg;
	c->find = FIND_PREFIX;
	c->heartbeat_ms = HB_MS;
	c->heartbeat_misses = HB_MISSES;
	if ((in = dom_instance(c, 101)) != NULL)
		strcpy(in->functions[0], "gpu");
}

static struct world *
world_new(enum node_setup setup)
{
	return dom_world(MEMBERS, false, tune, &setup);
}

/* A client attaches at the ingress and asks for the service, with at most
 * 30 ms of one-way delay (both egresses meet it), and with "with gpu"
 * (only instance 101 behind egress1 runs it) when gpu is set. */
static void
client_request(struct world *w, const uint8_t who[16], bool gpu)
{
	static const uint8_t with_gpu[] = { MH_AFF_WITH, 3, 'g', 'p', 'u' };
	struct mh_cats_req r = { .max_lat = 30000000,
	    .max_jitter = MH_REQ_UNSET, .max_loss = MH_REQ_UNSET,
	    .comp_lat = MH_REQ_UNSET };

	if (gpu) {
		r.affinity.p = with_gpu;
		r.affinity.len = sizeof(with_gpu);
	}
	dom_svc_request(w, IN1, who, &r);
}

struct seen {
	const uint8_t	*client;
	struct node_session_info i;
	int		 n;
};

static void
seen_cb(void *arg, const struct node_session_info *i)
{
	struct seen *s = arg;

	if (memcmp(i->client, s->client, 16) == 0) {
		s->i = *i;
		s->n++;
	}
}

/* The ingress's session of a client. */
static struct node_session_info
session(struct world *w, const uint8_t who[16])
{
	struct seen s = { .client = who };

	node_walk(w->net->nodes[IN1], seen_cb, &s);
	assert_int_equal(s.n, 1);
	return s.i;
}

static struct node_peer_live
live(struct world *w, int node, int peer_node)
{
	const struct node_cfg *c = node_config(w->net->nodes[node]);
	struct node_peer_live l;

	assert_true(node_peer_liveness(w->net->nodes[node],
	    node_peer_find(c, addr_of[peer_node]), &l));
	return l;
}

static int
peer_index(struct world *w, int node, int peer_node)
{
	return node_peer_find(node_config(w->net->nodes[node]),
	    addr_of[peer_node]);
}

static void
test_heartbeats_flow(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER);

	(void)state;
	mn_fire(w->net, 4500);		/* ticks at 1, 1001, 2001, 3001, 4001 */
	/* the ingress watches both egresses and the controller, the
	 * controller both egresses; the egresses answer, watching nobody */
	assert_int_equal(node_counters(w->net->nodes[EG1])->rx_kind[MH_K_HEARTBEAT], 10);
	assert_int_equal(node_counters(w->net->nodes[EG2])->rx_kind[MH_K_HEARTBEAT], 10);
	assert_int_equal(node_counters(w->net->nodes[CTL])->rx_kind[MH_K_HEARTBEAT], 5);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rx_kind[MH_K_HEARTBEAT_ACK], 15);
	assert_int_equal(node_counters(w->net->nodes[IN1])->rx_kind[MH_K_HEARTBEAT], 0);
	assert_int_equal(live(w, IN1, EG1).state, NODE_LIVE_UP);
	assert_int_equal(live(w, IN1, CTL).state, NODE_LIVE_UP);
	assert_int_equal(live(w, CTL, EG2).state, NODE_LIVE_UP);
	assert_int_equal(live(w, CTL, IN1).state, NODE_LIVE_UNWATCHED);
	assert_int_equal(live(w, EG1, IN1).state, NODE_LIVE_UNWATCHED);
	assert_int_equal(live(w, IN1, EG1).heard_ms, 4001);
	assert_int_equal(live(w, IN1, EG1).missed, 0);
	/* heartbeats change no session and are not answers to keep */
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
	assert_int_equal(node_counters(w->net->nodes[IN1])->drop[NODE_DROP_UNEXPECTED], 0);
	world_free(w);
}

/* Silent from 1500: the heartbeat of 2001 is the first unanswered, missed
 * at 3001 (1), 4001 (2) and 5001 (3 = heartbeat_misses): down then, and
 * not a tick before. */
static void
test_down_after_exact_misses(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER);

	(void)state;
	mn_fire(w->net, 1500);
	w->net->mute = EG1 + 1;
	mn_fire(w->net, 5000);
	assert_int_equal(live(w, IN1, EG1).state, NODE_LIVE_UP);
	assert_int_equal(live(w, IN1, EG1).missed, HB_MISSES - 1);
	mn_fire(w->net, 5001);
	assert_int_equal(live(w, IN1, EG1).state, NODE_LIVE_DOWN);
	assert_int_equal(live(w, IN1, EG1).since_ms, 5001);
	assert_int_equal(live(w, IN1, EG1).missed, HB_MISSES);
	assert_int_equal(live(w, IN1, EG1).downs, 1);
	assert_int_equal(live(w, CTL, EG1).state, NODE_LIVE_DOWN);
	assert_int_equal(live(w, IN1, EG2).state, NODE_LIVE_UP);
	assert_int_equal(node_counters(w->net->nodes[IN1])->peer_down, 1);
	assert_false(cats_sel_available(w->sel, 101));
	assert_true(cats_sel_available(w->sel, 201));
	/* the hold time from the last answer is within (misses, misses + 1]
	 * intervals */
	assert_true(5001 - 1001 > HB_MISSES * HB_MS &&
	    5001 - 1001 <= (HB_MISSES + 1) * HB_MS);
	world_free(w);
}

/*
 * Two clients on egress1; egress1 goes silent.  The one asking only for
 * 30 ms moves to egress2 (20 ms away: its requirement holds); the one
 * that also wants "with gpu" has nowhere else to go (only 101 runs it):
 * kept as "unmet" and counted.  Egress1 back: the unmet one returns to
 * it, the other stays where it is.
 */
static void
resteer(enum node_setup setup)
{
	struct world *w = world_new(setup);
	struct node_session_info a, b;
	const struct node_counters *c = node_counters(w->net->nodes[IN1]);
	uint64_t steers;

	client_request(w, client1, false);
	client_request(w, client2, true);
	a = session(w, client1);
	b = session(w, client2);
	assert_string_equal(a.state, "established");
	assert_string_equal(b.state, "established");
	assert_int_equal(a.egress, peer_index(w, IN1, EG1));
	assert_int_equal(b.egress, peer_index(w, IN1, EG1));
	assert_string_equal(a.why, "");
	steers = w->net->dp_count[DP_STEER];

	/* silent from 200: the heartbeat of 1001 is the first missed, and
	 * 4001 sees the third */
	w->net->mute = EG1 + 1;
	mn_fire(w->net, 4001 + 2 * HB_MS);
	a = session(w, client1);
	b = session(w, client2);
	assert_string_equal(a.state, "established");
	assert_int_equal(a.egress, peer_index(w, IN1, EG2));
	assert_int_equal(a.prefix.len, 64);
	assert_int_equal(a.prefix.addr[5], 2);	/* egress2's pool */
	assert_string_equal(a.why, "egress egress1 down: 3 heartbeats missed");
	assert_int_equal(a.moved_ms, 4001);
	assert_string_equal(b.state, "unmet");
	assert_int_equal(b.egress, -1);
	assert_non_null(strstr(b.why, "egress egress1 down: 3 heartbeats missed; "
	    "no instance meets"));
	assert_int_equal(c->resteered, 1);
	assert_int_equal(c->resteer_unmet, 1);
	assert_int_equal(w->net->dp_count[DP_STEER], steers + 1);
	assert_int_equal(w->net->dp_count[DP_UNSTEER], 2);
	assert_int_equal(w->net->dp_count[DP_UNPREFIX], 2);
	assert_int_equal(node_session_count(w->net->nodes[EG2]), 1);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 2);

	/* egress1 answers again: usable again, the unmet session with it */
	w->net->mute = 0;
	mn_fire(w->net, w->net->now + 3 * HB_MS);
	assert_int_equal(live(w, IN1, EG1).state, NODE_LIVE_UP);
	assert_true(cats_sel_available(w->sel, 101));
	b = session(w, client2);
	assert_string_equal(b.state, "established");
	assert_int_equal(b.egress, peer_index(w, IN1, EG1));
	a = session(w, client1);
	assert_int_equal(a.egress, peer_index(w, IN1, EG2));
	assert_int_equal(c->resteered, 2);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 2);
	world_free(w);
}

static void
test_resteer_option2(void **state)
{
	(void)state;
	resteer(SETUP_QUERY_CONTROLLER);
}

static void
test_resteer_option1(void **state)
{
	(void)state;
	resteer(SETUP_QUERY_EGRESSES);
}

/* ------------------------------------------------------------------ */
/* Instance failure: the egress lives, its edge is gone (engine.md §7)  */

/* The controller with a C-PS of its own, so that what it learns comes
 * from the egress's report and not from the shared one. */
struct gone_arg {
	enum node_setup	 setup;
	struct cats_sel	*ctl_sel;
};

static void
gone_tune(struct node_cfg *c, int me, const void *arg)
{
	const struct gone_arg *g = arg;

	tune(c, me, &g->setup);
	if (me == CTL)
		c->sel = g->ctl_sel;
}

/* A client that avoids "gpu": only instance 201 behind egress2 serves. */
static void
client_avoid_gpu(struct world *w, const uint8_t who[16])
{
	static const uint8_t avoid_gpu[] = { MH_AFF_AVOID, 3, 'g', 'p', 'u' };
	struct mh_cats_req r = { .max_lat = 30000000,
	    .max_jitter = MH_REQ_UNSET, .max_loss = MH_REQ_UNSET,
	    .comp_lat = MH_REQ_UNSET,
	    .affinity = { .p = avoid_gpu, .len = sizeof(avoid_gpu) } };

	dom_svc_request(w, IN1, who, &r);
}

/* A gone report about 'id' in the name of node 'from', to node 'to'. */
static void
inject_gone(struct world *w, int from, int to, uint32_t id)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_addrs a;
	struct mh_error e;
	struct mh_msg m;
	size_t len;

	mh_msg_init(&m, MH_K_METRIC_REPORT);
	m.seq = 900;
	m.present |= MH_BIT(MH_O_CATS_METRICS);
	m.metrics = (struct mh_metrics){ .scope = MH_MS_INSTANCE,
	    .cis_id = id, .gone = true };
	memcpy(a.src, addr_of[from], 16);
	memcpy(a.dst, addr_of[to], 16);
	assert_int_equal(mh_encode(&m, &a, buf, sizeof(buf), &len, &e), MH_OK);
	mn_inject(w->net, to, addr_of[from], buf, len);
	mn_run(w->net);
}

static void
instance_gone(enum node_setup setup)
{
	static const uint8_t client3[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00,
		0x0a, [15] = 0x30 };
	struct gone_arg g = { setup, dom_sel_new() };
	struct world *w = dom_world(MEMBERS, false, gone_tune, &g);
	struct node *eg1 = w->net->nodes[EG1];
	const struct node_counters *c = node_counters(w->net->nodes[IN1]);
	const struct node_counters *k = node_counters(w->net->nodes[CTL]);
	static const struct cats_sample back[2] = {
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.3 },
		{ CATS_M_CAPACITY, CATS_STAT_CUR, 0, 1000 },
	};
	struct node_session_info a, b, d;
	uint64_t refused;

	client_request(w, client1, false);
	client_request(w, client2, true);
	client_avoid_gpu(w, client3);
	assert_int_equal(session(w, client1).egress, peer_index(w, IN1, EG1));
	assert_int_equal(session(w, client2).egress, peer_index(w, IN1, EG1));
	d = session(w, client3);
	assert_string_equal(d.state, "established");
	assert_int_equal(d.egress, peer_index(w, IN1, EG2));

	/* edge of 101 gone: the controller and ingress1 (its bindings) told */
	assert_int_equal(node_report_instance_gone(eg1, 101, true,
	    w->net->now), 2);
	mn_run(w->net);
	mn_fire(w->net, w->net->now + 100);	/* option 1's deadline */
	assert_false(cats_sel_available(g.ctl_sel, 101));
	assert_true(cats_sel_available(g.ctl_sel, 201));
	assert_int_equal(k->instance_gone, 1);
	a = session(w, client1);
	b = session(w, client2);
	assert_string_equal(a.state, "established");
	assert_int_equal(a.egress, peer_index(w, IN1, EG2));
	assert_int_equal(a.prefix.addr[5], 2);	/* egress2's pool */
	assert_string_equal(a.why, "instance 101 at egress1 gone");
	/* "with gpu" kept: only 101 runs it, so nothing meets it */
	assert_string_equal(b.state, "unmet");
	assert_non_null(strstr(b.why, "instance 101 at egress1 gone; "
	    "no instance meets"));
	d = session(w, client3);		/* on 201: untouched */
	assert_int_equal(d.egress, peer_index(w, IN1, EG2));
	assert_string_equal(d.why, "");
	assert_int_equal(c->instance_gone, 1);
	assert_int_equal(c->resteer_gone, 2);
	assert_int_equal(c->resteered, 1);
	assert_int_equal(c->resteer_unmet, 1);
	assert_int_equal(c->peer_down, 0);	/* egress1 is alive */
	if (setup == SETUP_QUERY_EGRESSES)	/* egress1 refused 101 itself */
		assert_true(node_counters(eg1)->unmet[CATS_SEL_UNAVAILABLE] > 0);

	/* only the egress hosting 101 may say so: egress2 may not, at the
	 * controller (it knows where 101 is) or at the ingress (none of its
	 * sessions is on 101 at egress2) */
	assert_int_equal(node_report_instance_gone(w->net->nodes[EG2], 101,
	    true, w->net->now), -1);
	/* back: its edge reports again, to the controller and every ingress */
	assert_int_equal(node_report_instance(eg1, 101, back, 2, w->net->now),
	    CATS_MERR_OK);
	mn_run(w->net);
	assert_true(cats_sel_available(g.ctl_sel, 101));
	refused = k->drop[NODE_DROP_METRIC];
	inject_gone(w, EG2, CTL, 101);
	assert_int_equal(k->drop[NODE_DROP_METRIC], refused + 1);
	assert_true(cats_sel_available(g.ctl_sel, 101));
	refused = c->drop[NODE_DROP_METRIC];
	inject_gone(w, EG2, IN1, 101);
	assert_int_equal(c->drop[NODE_DROP_METRIC], refused + 1);
	assert_int_equal(c->resteer_gone, 2);

	/* usable again, the unmet session on it one heartbeat later */
	mn_fire(w->net, w->net->now + HB_MS + 200);
	b = session(w, client2);
	assert_string_equal(b.state, "established");
	assert_int_equal(b.egress, peer_index(w, IN1, EG1));
	assert_int_equal(session(w, client1).egress, peer_index(w, IN1, EG2));
	assert_int_equal(session(w, client3).egress, peer_index(w, IN1, EG2));
	assert_int_equal(c->resteered, 2);
	world_free(w);
	cats_sel_destroy(g.ctl_sel);
}

static void
test_instance_gone_option2(void **state)
{
	(void)state;
	instance_gone(SETUP_QUERY_CONTROLLER);
}

static void
test_instance_gone_option1(void **state)
{
	(void)state;
	instance_gone(SETUP_QUERY_EGRESSES);
}

/* Down, the unmet session runs out with its lifetime: nothing stays. */
static void
test_unmet_expires(void **state)
{
	struct world *w = world_new(SETUP_QUERY_CONTROLLER);

	(void)state;
	client_request(w, client2, true);
	w->net->mute = EG1 + 1;
	mn_fire(w->net, 7000);
	assert_string_equal(session(w, client2).state, "unmet");
	mn_fire(w->net, 7000 + 300000 + 10000);
	assert_int_equal(node_session_count(w->net->nodes[IN1]), 0);
	world_free(w);
}

/* The C-PS: down instances are not chosen, kept or judged fit, and an
 * egress coming back does not revive an instance down on its own. */
static void
test_sel_available(void **state)
{
	struct cats_sel *sel = dom_sel_new();
	struct cats_choice ch;
	struct cats_reqs r;

	(void)state;
	cats_reqs_none(&r);
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 42, 10, &ch), CATS_SEL_OK);
	assert_int_equal(ch.instance, 101);	/* and flow 42 is bound to it */
	assert_int_equal(cats_sel_set_egress_up(sel, 0, false), 1);
	assert_false(cats_sel_available(sel, 101));
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 42, 20, &ch), CATS_SEL_OK);
	assert_int_equal(ch.instance, 201);	/* affinity does not hold it */
	assert_int_equal(cats_sel_judge(sel, 0, 101, &r, NULL),
	    CATS_SEL_UNAVAILABLE);
	assert_int_equal(cats_sel_set_instance_up(sel, 201, false), CATS_SERR_OK);
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 30, &ch),
	    CATS_SEL_UNAVAILABLE);
	assert_string_equal(cats_sel_reason_name(CATS_SEL_UNAVAILABLE),
	    "unavailable");
	assert_int_equal(cats_sel_set_egress_up(sel, 1, true), 1);
	assert_false(cats_sel_available(sel, 201));	/* down on its own */
	assert_int_equal(cats_sel_set_egress_up(sel, 0, true), 1);
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 40, &ch), CATS_SEL_OK);
	assert_int_equal(ch.instance, 101);
	assert_int_equal(cats_sel_select_scan(sel, 0, 0, &r, 0, 40, &ch),
	    CATS_SEL_OK);
	assert_int_equal(ch.instance, 101);
	assert_int_equal(cats_sel_set_instance_up(sel, 999, false),
	    CATS_SERR_NOT_FOUND);
	assert_int_equal(cats_sel_set_instance_up(sel, 201, true), CATS_SERR_OK);
	assert_true(cats_sel_available(sel, 201));
	cats_sel_destroy(sel);
}

/* No heartbeats unless configured: the engine's default sends none. */
static void
test_off_by_default(void **state)
{
	struct node_cfg c;

	(void)state;
	node_cfg_default(&c);
	assert_int_equal(c.heartbeat_ms, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heartbeats_flow),
		cmocka_unit_test(test_down_after_exact_misses),
		cmocka_unit_test(test_resteer_option2),
		cmocka_unit_test(test_resteer_option1),
		cmocka_unit_test(test_instance_gone_option2),
		cmocka_unit_test(test_instance_gone_option1),
		cmocka_unit_test(test_unmet_expires),
		cmocka_unit_test(test_sel_available),
		cmocka_unit_test(test_off_by_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
