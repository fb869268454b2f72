/*
 * controller: the CATS controller of the anchoring draft's option 2, and
 * the C-PS an ingress asks before transaction switching (mobility fig. 3).
 * Stateless: every answer comes from the path selector, which the driver
 * feeds with metrics.
 */
#include <string.h>

#include "cats/buf.h"
#include "node_int.h"

/* Anchoring 4.4 requirements in the selector's terms (same units).  Only
 * "avoid" affinity entries map onto the selector; a function no instance
 * runs cannot exclude anything, so an unknown name is not an error. */
static void
reqs_from_wire(const struct cats_sel *sel, const struct mh_msg *m,
    struct cats_reqs *r)
{
	const struct mh_cats_req *w = &m->req;
	char name[CATS_SEL_FUNCTION_LEN];
	struct cur c;
	uint8_t kind, len;
	const uint8_t *p;

	cats_reqs_none(r);
	if (!(m->present & MH_BIT(MH_O_CATS_REQ)))
		return;
	r->min_bw = w->min_bw;
	r->max_latency = w->max_lat;
	r->max_latency_var = w->max_jitter;
	r->max_loss = w->max_loss;
	r->max_comp_latency = w->comp_lat;
	cur_init(&c, w->affinity.p, w->affinity.len);
	while (cur_u8(&c, &kind) && cur_u8(&c, &len) && cur_view(&c, &p, len)) {
		if (kind != MH_AFF_AVOID || len >= sizeof(name))
			continue;
		memcpy(name, p, len);
		name[len] = '\0';
		cats_reqs_avoid(sel, r, name);
	}
}

/* The instance of 'service' behind the egress at 'addr', or -1. */
static int64_t
current_instance(const struct node *n, int service, const uint8_t addr[16])
{
	int peer = node_peer_find(&n->cfg, addr);
	size_t i;

	if (peer < 0)
		return -1;
	for (i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].service == service &&
		    n->cfg.instances[i].egress_sel == n->cfg.peers[peer].sel_index)
			return n->cfg.instances[i].id;
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
 * A query naming the egress in use (CR_ID, format IP) asks whether a better
 * one beats it by the selector's hysteresis margin; without it, which is
 * best.  Either way the answer names one egress in CR_ID.
 */
static int
choose(struct node *n, const struct rx *rx, int s, uint64_t now,
    uint32_t *instance)
{
	const struct node_peer *ing = &n->cfg.peers[rx->peer];
	uint32_t sid = n->cfg.services[s].sel_id;
	struct cats_choice ch;
	struct cats_reqs r;
	int64_t cur = -1;

	reqs_from_wire(n->cfg.sel, &rx->m, &r);
	if ((rx->m.present & MH_BIT(MH_O_CR_ID)) && rx->m.crid.len == 16)
		cur = current_instance(n, s, rx->m.crid.p);
	if (cur >= 0) {
		if (!cats_sel_better(n->cfg.sel, ing->sel_index, sid, &r,
		    (uint32_t)cur, &ch)) {
			*instance = (uint32_t)cur;
			return node_peer_find(&n->cfg, rx->m.crid.p);
		}
		*instance = ch.instance;
		return node_peer_by_sel(n, NODE_EGRESS, ch.egress);
	}
	if (cats_sel_select(n->cfg.sel, ing->sel_index, sid, &r,
	    (rx->m.present & MH_BIT(MH_O_CLIENT_ADDR)) ?
	    flow_key(rx->m.client_addr, s) : 0, now, &ch) != CATS_SEL_OK)
		return -1;
	*instance = ch.instance;
	return node_peer_by_sel(n, NODE_EGRESS, ch.egress);
}

static void
ctl_query(struct node *n, const struct rx *rx, uint64_t now)
{
	struct mh_msg a;
	int s, egress = -1;
	uint32_t instance = 0;

	if (!(n->cfg.peers[rx->peer].roles & NODE_INGRESS)) {
		node_drop(n, NODE_DROP_NOT_PEER);
		return;
	}
	if ((s = msg_service_index(n, &rx->m)) >= 0)
		egress = choose(n, rx, s, now, &instance);
	mh_msg_init(&a, MH_K_CATS_RESPONSE);
	a.seq = rx->m.seq;
	a.flags |= MH_BA_P;
	a.present |= MH_BIT(MH_O_SERVICE_ID);	/* mandatory, so present */
	a.service_id = rx->m.service_id;
	if (rx->m.present & MH_BIT(MH_O_CLIENT_ADDR))
		msg_client(&a, rx->m.client_addr);
	if (egress < 0) {
		a.status = MH_ST_CATS_UNAVAILABLE;	/* anchoring 4.1 */
	} else {
		a.status = MH_ST_CATS_AVAILABLE;
		a.present |= MH_BIT(MH_O_CR_ID) | MH_BIT(MH_O_CIS_ID);
		a.cis_id = instance;
		a.crid_format = MH_CRID_IP;
		a.crid.p = node_peer_addr(n, egress);
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

static bool
ctl_init(struct node *n, const char **why)
{
	(void)why;
	n->state[ROLE_CONTROLLER] = n;		/* stateless, but present */
	return true;
}

static void
ctl_free(struct node *n)
{
	n->state[ROLE_CONTROLLER] = NULL;
}

const struct role role_controller = {
	.name = "controller",
	.bit = NODE_CONTROLLER,
	.init = ctl_init,
	.free = ctl_free,
	.msg = ctl_msg,
};
