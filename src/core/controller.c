/*
 * controller: the CATS controller of the anchoring draft's option 2, and
 * the C-PS an ingress asks before transaction switching (mobility fig. 3).
 * Stateless: every answer comes from the path selector, which the driver
 * feeds with metrics.
 */
#include <string.h>

#include "cats/buf.h"
#include "node_int.h"

/* The instance with this CIS-ID if it serves 'service' here, or -1. */
static int64_t
current_instance(const struct node *n, int service, uint32_t id)
{
	size_t i;

	for (i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].service == service &&
		    n->cfg.instances[i].id == id)
			return id;
	return -1;
}

static bool
reqs_none(const struct cats_reqs *r)
{
	return r->min_bw == 0 && r->max_latency == CATS_REQ_NONE &&
	    r->max_latency_var == CATS_REQ_NONE &&
	    r->max_loss == CATS_REQ_NONE &&
	    r->max_comp_latency == CATS_REQ_NONE && r->avoid == 0 &&
	    r->with == 0;
}

/* A controller that is an egress too names itself as the egress of its
 * own instances: they have the egress index 0 in the C-PS (this node, the
 * first egress: conf.c assign_sel). */
#define EGRESS_SELF	(-2)

/* The egress behind a C-PS egress index: a peer, this node, or -1. */
static int
egress_by_sel(const struct node *n, uint32_t sel)
{
	if ((n->cfg.roles & NODE_EGRESS) && sel == 0)
		return EGRESS_SELF;
	return node_peer_by_sel(n, NODE_EGRESS, sel);
}

/* The egress an instance sits behind (as egress_by_sel), or -1. */
static int
egress_of(const struct node *n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].id == id)
			return egress_by_sel(n, n->cfg.instances[i].egress_sel);
	return -1;
}

static uint64_t
flow_key(const uint8_t client[16], int service)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ client[i]) * 0x100000001b3ull;
	return (h ^ (uint64_t)service) * 0x100000001b3ull;
}

/*
 * Anchoring 3 step 3.b: the C-PS chooses against every requirement the
 * query carries (reqs_from_msg; a "with" nobody runs, or a "needs" nobody
 * has, meets nothing).  A
 * switching query (mobility fig. 3) names the instance in use in CIS-ID:
 * a better one must beat it by the selector's hysteresis margin, and it
 * stays only while it still meets the requirements.  The answer names one
 * egress and its instance; -1 and *why when none qualifies.
 */
static int
choose(struct node *n, const struct rx *rx, int s, uint64_t now,
    uint32_t *instance, enum cats_sel_reason *why)
{
	const struct node_peer *ing = &n->cfg.peers[rx->peer];
	uint32_t sid = n->cfg.services[s].sel_id;
	struct cats_choice ch;
	struct cats_reqs r, none;
	int64_t cur = -1;

	if ((*why = reqs_from_msg(n->cfg.sel, &rx->m, &r)) != CATS_SEL_OK)
		return -1;
	if (rx->m.present & MH_BIT(MH_O_CIS_ID))
		cur = current_instance(n, s, rx->m.cis_id);
	if (cur >= 0) {
		if (cats_sel_better(n->cfg.sel, ing->sel_index, sid, &r,
		    (uint32_t)cur, &ch)) {
			*instance = ch.instance;
			return egress_by_sel(n, ch.egress);
		}
		/* mobility 3: a switch the requirements rule out is
		 * refused, and counted */
		cats_reqs_none(&none);
		if (!reqs_none(&r) && cats_sel_better(n->cfg.sel,
		    ing->sel_index, sid, &none, (uint32_t)cur, &ch))
			node_drop(n, NODE_DROP_SWITCH_REFUSED);
		if (cats_sel_judge(n->cfg.sel, ing->sel_index, (uint32_t)cur,
		    &r, NULL) == CATS_SEL_OK) {
			*instance = (uint32_t)cur;
			return egress_of(n, (uint32_t)cur);
		}
	}
	*why = cats_sel_select(n->cfg.sel, ing->sel_index, sid, &r,
	    (rx->m.present & MH_BIT(MH_O_CLIENT_ADDR)) ?
	    flow_key(rx->m.client_addr, s) : 0, now, &ch);
	if (*why != CATS_SEL_OK)
		return -1;
	*instance = ch.instance;
	return egress_by_sel(n, ch.egress);
}

static void
ctl_query(struct node *n, const struct rx *rx, uint64_t now)
{
	struct mh_msg a;
	enum cats_sel_reason why = CATS_SEL_OK;
	struct cats_reqs r, offer;
	int s, egress = -1;
	uint32_t instance = 0;

	if (!(n->cfg.peers[rx->peer].roles & NODE_INGRESS)) {
		node_drop(n, NODE_DROP_NOT_PEER);
		return;
	}
	if ((s = msg_service_index(n, &rx->m)) >= 0)
		egress = choose(n, rx, s, now, &instance, &why);
	mh_msg_init(&a, MH_K_CATS_RESPONSE);
	a.seq = rx->m.seq;
	a.flags |= MH_BA_P;
	a.present |= MH_BIT(MH_O_SERVICE_ID);	/* mandatory, so present */
	a.service_id = rx->m.service_id;
	if (rx->m.present & MH_BIT(MH_O_CLIENT_ADDR))
		msg_client(&a, rx->m.client_addr);
	if (egress == -1) {
		a.status = MH_ST_CATS_UNAVAILABLE;	/* anchoring 4.1 */
		if (s >= 0)
			node_unmet(n, why);
	} else {
		a.status = MH_ST_CATS_AVAILABLE;
		/* anchoring 3 step 3.b.iii: the conditions of the chosen
		 * instance, from the metrics the C-PS holds for this ingress */
		cats_reqs_none(&r);
		cats_sel_judge(n->cfg.sel, n->cfg.peers[rx->peer].sel_index,
		    instance, &r, &offer);
		cond_from_offer(&a.cond, &offer);
		a.present |= MH_BIT(MH_O_CR_ID) | MH_BIT(MH_O_CIS_ID) |
		    MH_BIT(MH_O_CATS_COND);
		a.cis_id = instance;
		a.crid_format = MH_CRID_IP;
		a.crid.p = egress == EGRESS_SELF ? n->cfg.addr :
		    node_peer_addr(n, egress);
		a.crid.len = 16;
	}
	node_send(n, rx->src, &a);
}

static bool
ctl_msg(struct node *n, const struct rx *rx, uint64_t now)
{
	if (rx->m.kind != MH_K_CATS_QUERY)
		return false;
	ctl_query(n, rx, now);
	return true;
}

/* The names of one list of an instance ("" ends it), for the C-PS. */
static size_t
names_of(const char (*list)[NODE_FUNC_LEN], size_t max, const char **names)
{
	size_t k;

	for (k = 0; k < max && list[k][0]; k++)
		names[k] = list[k];
	return k;
}

/* The functions each instance runs (affinity, anchoring 3 step 1.e) and
 * the computing resources it has (1.d) go to the C-PS. */
static bool
ctl_init(struct node *n, const char **why)
{
	const char *names[NODE_INST_FUNCS > NODE_INST_RES ? NODE_INST_FUNCS :
	    NODE_INST_RES];
	size_t i, k;

	for (i = 0; i < n->cfg.ninstances && n->cfg.sel != NULL; i++) {
		const struct node_instance *in = &n->cfg.instances[i];

		k = names_of(in->functions, NODE_INST_FUNCS, names);
		if (k > 0 && cats_sel_set_functions(n->cfg.sel, in->id, names,
		    k) != CATS_SERR_OK) {
			*why = "the path selector refused an instance's functions";
			return false;
		}
		k = names_of(in->resources, NODE_INST_RES, names);
		if (k > 0 && cats_sel_set_resources(n->cfg.sel, in->id, names,
		    k) != CATS_SERR_OK) {
			*why = "the path selector refused an instance's resources";
			return false;
		}
	}
	n->state[ROLE_CONTROLLER] = n;		/* stateless, but present */
	return true;
}

static void
ctl_free(struct node *n)
{
	n->state[ROLE_CONTROLLER] = NULL;
}

/*
 * Site failure (docs/engine.md): an egress that stopped answering
 * heartbeats takes its instances out of the C-PS, so no query is answered
 * with them (anchoring 3 step 3.b chooses among sites that can serve);
 * heard again, they compete again on their metrics.
 */
static void
ctl_egress_up(struct node *n, int peer, bool up)
{
	const struct node_peer *p = &n->cfg.peers[peer];

	if (!(p->roles & NODE_EGRESS) || n->cfg.sel == NULL)
		return;
	(void)cats_sel_set_egress_up(n->cfg.sel, p->sel_index, up);
}

static void
ctl_peer_down(struct node *n, int peer, uint32_t missed, uint64_t now)
{
	(void)missed;
	(void)now;
	ctl_egress_up(n, peer, false);
}

static void
ctl_peer_up(struct node *n, int peer, uint64_t now)
{
	(void)now;
	ctl_egress_up(n, peer, true);
}

const struct role role_controller = {
	.name = "controller",
	.bit = NODE_CONTROLLER,
	.init = ctl_init,
	.free = ctl_free,
	.msg = ctl_msg,
	.peer_down = ctl_peer_down,
	.peer_up = ctl_peer_up,
};
