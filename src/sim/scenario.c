/*
 * scenario.c: the topology every scenario shares (node configurations and
 * the C-PS with its metrics) and the table of scenarios: a name, what each
 * changes in the node configurations, and the client's script.
 */
#include <stdio.h>
#include <string.h>

#include "cats/select.h"
#include "cats/sim.h"
#include "sim/world.h"

#define MS_NS		1000000.0

/* ---- the topology ---- */

static const uint8_t service_addr[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

static struct mh_prefix
pfx48(uint8_t hi, uint8_t lo)
{
	struct mh_prefix p = { .len = 48 };

	p.addr[0] = 0x20;
	p.addr[1] = 0x01;
	p.addr[2] = 0x0d;
	p.addr[3] = 0xb8;
	p.addr[4] = hi;
	p.addr[5] = lo;
	return p;
}

/* Per CATS endpoint: roles, C-PS index, and the ingress sub-prefix or the
 * egress pool and instance. */
struct ep_role {
	uint32_t	 roles;
	uint32_t	 sel_index;
	uint8_t		 pfx_hi, pfx_lo;	/* sub-prefix or pool, /48 */
	uint32_t	 instance;
	enum sim_ep	 edge;
};

static const struct ep_role ep_roles[SIM_EP__COUNT] = {
	[SIM_INGRESS1]	 = { NODE_INGRESS, 0, 0x00, 0x0a, 0, 0 },
	[SIM_INGRESS2]	 = { NODE_INGRESS, 1, 0x00, 0x0b, 0, 0 },
	[SIM_EGRESS1]	 = { NODE_EGRESS, 0, 0x5e, 0x01, 101, SIM_EDGE1 },
	[SIM_EGRESS2]	 = { NODE_EGRESS, 1, 0x5e, 0x02, 201, SIM_EDGE2 },
	[SIM_CONTROLLER] = { NODE_CONTROLLER, 0, 0, 0, 0, 0 },
	[SIM_LOCATOR]	 = { NODE_LOCATOR, 0, 0, 0, 0, 0 },
};

static void
add_peer(struct node_cfg *c, enum sim_ep self, enum sim_ep e)
{
	struct node_peer *p = &c->peers[c->npeers++];
	const struct ep_role *r = &ep_roles[e];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", sim_ep_name(e));
	memcpy(p->addr, sim_ep_addr(e), 16);
	p->roles = r->roles;
	p->sel_index = r->sel_index;
	if (r->roles & NODE_INGRESS) {
		p->subprefix = pfx48(r->pfx_hi, r->pfx_lo);
		/* ingresses are each other's candidates (mobility fig. 1) */
		p->candidate = (ep_roles[self].roles & NODE_INGRESS) != 0;
	}
	if (r->roles & NODE_EGRESS)
		p->query = true;
}

static void
add_service(struct node_cfg *c)
{
	struct node_service *sv = &c->services[c->nservices++];

	memset(sv, 0, sizeof(*sv));
	sv->id_len = (uint8_t)strlen(SIM_SERVICE_NAME);
	memcpy(sv->id, SIM_SERVICE_NAME, sv->id_len);
	memcpy(sv->addr, service_addr, 16);
	sv->sel_id = 0;
}

static void
add_instance(struct node_cfg *c, enum sim_ep egress)
{
	const struct ep_role *r = &ep_roles[egress];
	struct node_instance *ni = &c->instances[c->ninstances++];

	memset(ni, 0, sizeof(*ni));
	ni->id = r->instance;
	ni->service = 0;
	memcpy(ni->edge, sim_ep_addr(r->edge), 16);
	ni->egress_sel = r->sel_index;
}

static void
role_cfg(struct node_cfg *c, enum sim_ep e, struct cats_sel *sel)
{
	const struct ep_role *r = &ep_roles[e];

	c->roles = r->roles;
	c->sel_index = r->sel_index;
	if (r->roles & NODE_INGRESS) {
		c->subprefix = pfx48(r->pfx_hi, r->pfx_lo);
		c->sel = sel;
	}
	if (r->roles & NODE_CONTROLLER) {
		/* the controller knows every instance and where it sits */
		c->sel = sel;
		add_instance(c, SIM_EGRESS1);
		add_instance(c, SIM_EGRESS2);
	}
	if (r->roles & NODE_EGRESS) {
		c->pool = pfx48(r->pfx_hi, r->pfx_lo);
		c->pool_plen = 64;
		add_instance(c, e);
		/* what the site offers: 1 Gbit/s, within 20 ms of any ingress */
		c->conditions.min_bw = 125000000;
		c->conditions.max_lat = 20000000;
	}
}

void
sim_scn_cfg(const struct scenario *sc, enum sim_ep e, struct cats_sel *sel,
    struct node_cfg *c)
{
	node_cfg_default(c);
	snprintf(c->name, sizeof(c->name), "%s", sim_ep_name(e));
	memcpy(c->addr, sim_ep_addr(e), 16);
	c->max_sessions = 64;	/* one client: keep the tables small */
	for (int p = SIM_NODE_FIRST; p <= SIM_NODE_LAST; p++)
		if (p != (int)e)
			add_peer(c, e, (enum sim_ep)p);
	add_service(c);
	role_cfg(c, e, sel);
	if (sc->tweak != NULL)
		sc->tweak(c, e);
}

/* ---- the C-PS: nearest is best; after a move the other site wins ---- */

static bool
sel_feed(struct cats_sel *sel)
{
	static const double owd_ms[2][2] = { { 5, 20 }, { 20, 5 } };
	static const uint32_t inst[2] = { 101, 201 };
	bool ok = true;

	for (uint32_t e = 0; e < 2; e++) {
		struct cats_sample comp[2] = {
			{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.5 },
			{ CATS_M_PROC_DELAY, CATS_STAT_MEAN, 1000, 2 * MS_NS },
		};

		ok &= cats_sel_update_compute(sel, inst[e], comp, 2, 0) ==
		    CATS_MERR_OK;
	}
	for (uint32_t g = 0; g < 2; g++) {
		for (uint32_t e = 0; e < 2; e++) {
			struct cats_sample net[4] = {
				{ CATS_M_OWD, CATS_STAT_MEAN, 1000,
				    owd_ms[g][e] * MS_NS },
				{ CATS_M_DELAY_VAR, CATS_STAT_MAX, 1000, 0.5 * MS_NS },
				{ CATS_M_LOSS, CATS_STAT_MEAN, 1000, 0 },
				{ CATS_M_BANDWIDTH, CATS_STAT_MIN, 1000, 1.25e9 },
			};

			ok &= cats_sel_update_net(sel, g, e, net, 4, 0) ==
			    CATS_MERR_OK;
		}
	}
	return ok;
}

struct cats_sel *
sim_scn_sel(uint64_t seed)
{
	struct cats_sel_cfg cfg;
	struct cats_sel *sel;
	struct cats_instance_def d[2] = {
		{ 101, 0, 0, 1, 1000 },
		{ 201, 0, 1, 1, 1000 },
	};

	cats_sel_cfg_default(&cfg);
	cfg.max_ingresses = 2;
	cfg.max_egresses = 2;
	cfg.max_services = 1;
	cfg.max_instances = 256;	/* CIS-IDs 101 and 201 are indices */
	cfg.max_flows = 64;
	cfg.seed = seed;
	if ((sel = cats_sel_create(&cfg)) == NULL)
		return NULL;
	for (size_t i = 0; i < 2; i++) {
		if (cats_sel_add_instance(sel, &d[i]) != CATS_SERR_OK) {
			cats_sel_destroy(sel);
			return NULL;
		}
	}
	if (!sel_feed(sel)) {
		cats_sel_destroy(sel);
		return NULL;
	}
	return sel;
}

/* ---- the scenarios ---- */

static bool
is_ingress(enum sim_ep e)
{
	return e == SIM_INGRESS1 || e == SIM_INGRESS2;
}

static void
tw_option1(struct node_cfg *c, enum sim_ep e)
{
	if (is_ingress(e))
		c->setup = SETUP_QUERY_EGRESSES;
}

static void
tw_option2(struct node_cfg *c, enum sim_ep e)
{
	if (is_ingress(e))
		c->setup = SETUP_QUERY_CONTROLLER;
}

static void
tw_locator(struct node_cfg *c, enum sim_ep e)
{
	tw_option2(c, e);
	if (is_ingress(e))
		c->find = FIND_LOCATOR;
}

static void
tw_prefix(struct node_cfg *c, enum sim_ep e)
{
	tw_option2(c, e);
	if (is_ingress(e))
		c->find = FIND_PREFIX;
}

static void
tw_switch(struct node_cfg *c, enum sim_ep e)
{
	tw_locator(c, e);
	if (e == SIM_INGRESS2)
		c->transaction_switch = true;
}

#define STEPS(a)	a, sizeof(a) / sizeof(a[0])

static const struct sc_step st_setup[] = {
	{ 0, SC_ATTACH, SIM_INGRESS1 },
	{ 10, SC_SVC_REQUEST, SIM_INGRESS1 },
};

static const struct sc_step st_unaware[] = {
	{ 0, SC_ATTACH, SIM_INGRESS1 },
	{ 10, SC_DATA, SIM_INGRESS1 },
};

static const struct sc_step st_proactive[] = {
	{ 0, SC_ATTACH, SIM_INGRESS1 },
	{ 10, SC_SVC_REQUEST, SIM_INGRESS1 },
	{ 200, SC_MOVE_DETECTED, SIM_INGRESS1 },
	{ 210, SC_DETACH, SIM_INGRESS1 },
	{ 230, SC_ATTACH, SIM_INGRESS2 },
};

static const struct sc_step st_reactive[] = {
	{ 0, SC_ATTACH, SIM_INGRESS1 },
	{ 10, SC_SVC_REQUEST, SIM_INGRESS1 },
	{ 210, SC_DETACH, SIM_INGRESS1 },
	{ 230, SC_ATTACH, SIM_INGRESS2 },
};

static const struct scenario scenarios[] = {
	{ "setup-option1", "session setup, ingress queries the egresses "
	    "(anchoring option 1)", tw_option1, STEPS(st_setup) },
	{ "setup-option2", "session setup, ingress queries the controller "
	    "(anchoring option 2)", tw_option2, STEPS(st_setup) },
	{ "setup-unaware", "CATS-unaware client: its first packet to the "
	    "CS-ID starts option 2", tw_option2, STEPS(st_unaware) },
	{ "proactive", "option 2, move detected at ingress1, then "
	    "ingress1 -> ingress2 (mobility fig. 1)", tw_option2,
	    STEPS(st_proactive) },
	{ "reactive-locator", "unannounced move ingress1 -> ingress2, old "
	    "ingress found by the locator (fig. 2)", tw_locator,
	    STEPS(st_reactive) },
	{ "reactive-prefix", "unannounced move, old ingress found by the "
	    "client's sub-prefix (fig. 2)", tw_prefix, STEPS(st_reactive) },
	{ "transaction-switch", "reactive-locator, then the transaction moves "
	    "to egress2 (fig. 3)", tw_switch, STEPS(st_reactive) },
	{ "idle", "the topology and no client script (for tests that inject "
	    "messages)", tw_option2, NULL, 0 },
};

#define NSCENARIOS	(sizeof(scenarios) / sizeof(scenarios[0]))

size_t
sim_scenario_count(void)
{
	return NSCENARIOS;
}

const char *
sim_scenario_name(size_t i)
{
	return i < NSCENARIOS ? scenarios[i].name : NULL;
}

const char *
sim_scenario_desc(size_t i)
{
	return i < NSCENARIOS ? scenarios[i].desc : NULL;
}

const struct scenario *
sim_scn_find(const char *name)
{
	for (size_t i = 0; i < NSCENARIOS; i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}
