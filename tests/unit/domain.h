/*
 * The CATS domain the engine's unit tests run on (test_engine, test_limits,
 * test_live), over tests/minnet.h: two ingresses, two egresses, the
 * controller and the locator, one service, two instances (101 behind
 * egress1, 201 behind egress2) and a C-PS where ingress i is 5 ms from
 * egress i and 20 ms from the other.  A test builds all of it or some of
 * its nodes, and tunes each node for what it tests.  Include after
 * <cmocka.h>.
 */
#ifndef CATS_TEST_DOMAIN_H
#define CATS_TEST_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cats/node.h"
#include "minnet.h"

enum { IN1, IN2, EG1, EG2, CTL, LOC, NNODES };

/* A set of the domain's nodes. */
#define DOM_NODE(i)	(1u << (i))
#define DOM_ALL		(DOM_NODE(NNODES) - 1)

static const char *const names[NNODES] = {
	"ingress1", "ingress2", "egress1", "egress2", "controller", "locator"
};
static const uint32_t roles_of[NNODES] = {
	NODE_INGRESS, NODE_INGRESS, NODE_EGRESS, NODE_EGRESS, NODE_CONTROLLER,
	NODE_LOCATOR
};
static const uint8_t addr_of[NNODES][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x11, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x12, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xe1, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xe2, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0d, [15] = 1 },
};
/* a client from ingress1's sub-prefix, and an address no node knows */
static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a,
	[15] = 0x10 };
static const uint8_t stranger[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad,
	[15] = 1 };
static const char svc[] = "video.cats";

struct world {
	struct minnet	*net;
	struct cats_sel	*sel;
};

/* What a test sets on node 'me' beyond the domain's part. */
typedef void dom_tune(struct node_cfg *c, int me, const void *arg);

/* The C-PS: the two instances, loaded alike; nearest is best. */
static inline struct cats_sel *
dom_sel_new(void)
{
	static const struct cats_sample c[3] = {
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.3 },
		{ CATS_M_CAPACITY, CATS_STAT_CUR, 0, 1000 },
		{ CATS_M_PROC_DELAY, CATS_STAT_CUR, 0, 2e6 },
	};
	struct cats_instance_def d;
	struct cats_sel_cfg sc;
	struct cats_sample owd;
	struct cats_sel *sel;
	uint32_t i, e;

	cats_sel_cfg_default(&sc);
	sel = cats_sel_create(&sc);
	assert_non_null(sel);
	for (i = 0; i < 2; i++) {
		d = (struct cats_instance_def){ .instance = 101 + 100 * i,
		    .service = 0, .egress = i, .servers = 1, .capacity = 1000 };
		assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_OK);
		assert_int_equal(cats_sel_update_compute(sel, d.instance, c, 3,
		    1), CATS_MERR_OK);
	}
	for (i = 0; i < 2; i++)
		for (e = 0; e < 2; e++) {
			owd = (struct cats_sample){ CATS_M_OWD, CATS_STAT_CUR, 0,
			    i == e ? 5e6 : 20e6 };
			assert_int_equal(cats_sel_update_net(sel, i, e, &owd, 1,
			    1), CATS_MERR_OK);
		}
	return sel;
}

/* The address plan of mobility 3: ingress1 owns 2001:db8:a::/48,
 * ingress2 2001:db8:b::/48 (the prefix's length is set by the caller). */
static inline void
dom_subprefix(struct mh_prefix *p, int owner)
{
	memcpy(p->addr, "\x20\x01\x0d\xb8", 4);
	p->addr[5] = owner == IN2 ? 0x0b : 0x0a;
}

/* Node 'me' of the domain, on 'sel': its name, address and roles, the
 * service, its pool, its instances, and the other nodes of 'members' as
 * its peers.  With 'plan', the address plan (mobility 3) and ingresses
 * told of a movement (fig. 1). */
static inline void
dom_cfg(struct node_cfg *c, int me, struct cats_sel *sel, unsigned members,
    bool plan)
{
	struct node_peer *p;
	int i;

	node_cfg_default(c);
	snprintf(c->name, sizeof(c->name), "%s", names[me]);
	memcpy(c->addr, addr_of[me], 16);
	c->roles = roles_of[me];
	c->sel = sel;
	c->sel_index = me == IN2 ? 1 : 0;
	if (plan) {
		c->subprefix.len = 48;
		dom_subprefix(&c->subprefix, me);
	}
	c->nservices = 1;
	memcpy(c->services[0].id, svc, sizeof(svc) - 1);
	c->services[0].id_len = sizeof(svc) - 1;
	c->pool.len = 48;
	memcpy(c->pool.addr, "\x20\x01\x0d\xb8\x5e", 5);
	c->pool.addr[5] = me == EG2 ? 2 : 1;
	if (me == EG1 || me == EG2) {
		c->ninstances = 1;
		c->instances[0] = (struct node_instance){
		    .id = me == EG1 ? 101 : 201, .egress_sel = me == EG1 ? 0 : 1 };
	}
	if (me == CTL) {
		c->ninstances = 2;
		c->instances[0] = (struct node_instance){ .id = 101, .egress_sel = 0 };
		c->instances[1] = (struct node_instance){ .id = 201, .egress_sel = 1 };
	}
	for (i = 0; i < NNODES; i++) {
		if (i == me || !(members & DOM_NODE(i)))
			continue;
		p = &c->peers[c->npeers++];
		snprintf(p->name, sizeof(p->name), "%s", names[i]);
		memcpy(p->addr, addr_of[i], 16);
		p->roles = roles_of[i];
		p->query = true;
		p->sel_index = (i == IN2 || i == EG2) ? 1 : 0;
		if (plan) {
			p->candidate = true;
			p->subprefix.len = (i == IN1 || i == IN2) ? 48 : 0;
			dom_subprefix(&p->subprefix, i);
		}
	}
}

/* Instance 'id' of node c, NULL if c has none by that number. */
static inline struct node_instance *
dom_instance(struct node_cfg *c, uint32_t id)
{
	size_t i;

	for (i = 0; i < c->ninstances; i++)
		if (c->instances[i].id == id)
			return &c->instances[i];
	return NULL;
}

/* The nodes of 'members' on a minnet that keeps timers, node i at index
 * i (one left out leaves a hole: an address no node answers), on a new
 * C-PS; each node as dom_cfg makes it, then as 'tune' (with 'arg') does. */
static inline struct world *
dom_world(unsigned members, bool plan, dom_tune *tune, const void *arg)
{
	static struct world w;
	struct node_cfg c;
	int i;

	w.net = mn_new();
	assert_non_null(w.net);
	w.sel = dom_sel_new();
	w.net->keep_timers = true;
	for (i = 0; i < NNODES; i++) {
		if (!(members & DOM_NODE(i))) {
			mn_hole(w.net);
			continue;
		}
		dom_cfg(&c, i, w.sel, members, plan);
		tune(&c, i, arg);
		assert_int_equal(mn_add(w.net, &c), i);
	}
	return &w;
}

/* Client 'who' attaches at 'ingress' and asks for the service, with 'req'
 * unless NULL; then everything runs, up to option 1's deadline. */
static inline void
dom_svc_request(struct world *w, int ingress, const uint8_t who[16],
    const struct mh_cats_req *req)
{
	uint8_t buf[MH_MAX_LEN];
	struct mh_addrs a;
	struct mh_error e;
	struct mh_msg m;
	struct ev ev;
	size_t len;

	memset(&ev, 0, sizeof(ev));
	ev.type = EV_ATTACH;
	memcpy(ev.client, who, 16);
	node_event(w->net->nodes[ingress], &ev, w->net->now);
	mh_msg_init(&m, MH_K_SVC_REQUEST);
	m.seq = 77;
	m.present |= MH_BIT(MH_O_SERVICE_ID);
	m.service_id.p = (const uint8_t *)svc;
	m.service_id.len = sizeof(svc) - 1;
	if (req != NULL) {
		m.present |= MH_BIT(MH_O_CATS_REQ);
		m.req = *req;
	}
	memcpy(a.src, who, 16);
	memcpy(a.dst, addr_of[ingress], 16);
	assert_int_equal(mh_encode(&m, &a, buf, sizeof(buf), &len, &e), MH_OK);
	mn_inject(w->net, ingress, who, buf, len);
	mn_run(w->net);
	mn_fire(w->net, w->net->now + 100);	/* option 1's deadline */
}

static inline void
world_free(struct world *w)
{
	mn_free(w->net);
	cats_sel_destroy(w->sel);
}

#endif
