/*
 * edge.c: the edge services behind the egresses, and the state transfer
 * between egresses that moves a transaction from one edge to another.
 *
 * An edge streams numbered results of a transaction toward the egress the
 * request came through, one every SIM_RESULT_MS.  What the transfer does
 * (export, send, acknowledge, import, and when "state sent" and "state
 * received" are raised) is the core's protocol (cats/xfer.h), the same
 * code catsd's xfer.c runs over TCP; here its messages are data packets
 * on the simulated links: the state leaves the edge behind every result
 * the edge sent before it (the link is FIFO), so an export after result
 * k-1 means every result below k is already on its way.
 */
#include <stdlib.h>
#include <string.h>

#include "cats/sim.h"
#include "cats/xfer.h"
#include "sim/world.h"

/* ---- the edges ---- */

/* The edge serving 'service' (and 'instance' when given) behind an egress:
 * the edge_control of catsd's instance. */
static int
edge_of(const struct sim *s, enum sim_ep egress, uint16_t service,
    uint32_t instance)
{
	const struct node_cfg *c = &s->nodes[egress].cfg;

	for (size_t i = 0; i < c->ninstances; i++) {
		const struct node_instance *ni = &c->instances[i];
		int e = sim_ep_by_addr(ni->edge);

		if (ni->service != service)
			continue;
		if (instance != 0 && ni->id != instance)
			continue;
		if (e == SIM_EDGE1 || e == SIM_EDGE2)
			return e;
	}
	return -1;
}

static struct sim_edge_tx *
edge_tx(struct sim *s, enum sim_ep edge, const uint8_t client[16],
    uint16_t service, bool create)
{
	struct sim_edge *e = &s->edges[edge - SIM_EDGE1];
	struct sim_edge_tx *free_slot = NULL;

	for (size_t i = 0; i < SIM_MAX_TX; i++) {
		struct sim_edge_tx *t = &e->tx[i];

		if (t->used && t->service == service &&
		    memcmp(t->client, client, 16) == 0)
			return t;
		if (!t->used && free_slot == NULL)
			free_slot = t;
	}
	if (!create || free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->service = service;
	memcpy(free_slot->client, client, 16);
	return free_slot;
}

static void
edge_schedule(struct sim *s, enum sim_ep edge, struct sim_edge_tx *t,
    uint64_t at)
{
	size_t slot = (size_t)(t - s->edges[edge - SIM_EDGE1].tx);

	sim_world_push(s, at, EVK_EDGE_TICK, edge, t->gen << 8 | slot, NULL);
}

/* Start (or resume, from t->next) streaming results to 'egress'. */
static void
edge_start(struct sim *s, enum sim_ep edge, struct sim_edge_tx *t,
    enum sim_ep egress)
{
	t->egress = egress;
	t->gen++;
	t->active = t->next <= s->opts.results;
	if (t->active)
		edge_schedule(s, edge, t, s->now);
}

void
sim_edge_tick(struct sim *s, enum sim_ep edge, uint64_t u)
{
	struct sim_edge_tx *t = &s->edges[edge - SIM_EDGE1].tx[u & 0xff];
	struct sim_pkt p = { .type = PKT_RESULT, .ttl = SIM_PKT_TTL };

	if (!t->used || !t->active || t->gen != u >> 8)
		return;
	memcpy(p.client, t->client, 16);
	memcpy(p.dst, t->client, 16);
	p.service = t->service;
	p.tx = t->id;
	p.seq = t->next++;
	sim_fwd_send(s, edge, t->egress, &p);
	t->active = t->next <= s->opts.results;
	if (t->active)
		edge_schedule(s, edge, t, s->now + SIM_RESULT_MS);
}

/* A request packet reached the edge: a new transaction, unless this
 * client's transaction for the service is already running here. */
void
sim_edge_request(struct sim *s, enum sim_ep edge, const struct sim_pkt *p)
{
	struct sim_edge_tx *t = edge_tx(s, edge, p->client, p->service, true);

	if (t == NULL) {
		s->failed = true;
		return;
	}
	if (t->active)
		return;
	t->id = s->next_tx++;
	t->next = 1;
	edge_start(s, edge, t, p->src);
	sim_ladder_note(s, "-- %llu %s starts tx=%u for %s", (unsigned long long)
	    s->now, sim_ep_name(edge), t->id, sim_ep_name(p->src));
}

/* ---- the transfer protocol's actions ---- */

static void
xfer_pkt(struct sim_pkt *p, enum sim_pkt_type type, const struct xfer_act *a)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->ttl = SIM_PKT_TTL;
	memcpy(p->client, a->client, 16);
	p->service = a->service;
	p->state = a->tx;
	p->tx = a->tx.id;
}

/* The edge stops; its next unsent result k (not what the intent guessed)
 * travels back to the egress behind every result before it. */
static void
act_export(struct sim *s, enum sim_ep ep, const struct xfer_act *a)
{
	int edge = edge_of(s, ep, a->service, a->instance);
	struct sim_edge_tx *t;
	struct sim_pkt p;

	if (edge < 0 || sim_ep_by_addr(a->peer) < 0) {
		sim_ladder_note(s, "-- %llu %s state-export: no edge or peer",
		    (unsigned long long)s->now, sim_ep_name(ep));
		xfer_fsm_failed(s->nodes[ep].xfer, a->client, a->service, false);
		return;
	}
	xfer_pkt(&p, PKT_STATE, a);
	if ((t = edge_tx(s, (enum sim_ep)edge, a->client, a->service,
	    false)) != NULL) {
		t->active = false;
		t->gen++;
		p.state.id = p.tx = t->id;
		p.state.next_seq = t->next;
	}
	s->sum.state_moved++;
	sim_fwd_send(s, (enum sim_ep)edge, ep, &p);
}

static void
act_send(struct sim *s, enum sim_ep ep, const struct xfer_act *a)
{
	int to = sim_ep_by_addr(a->peer);
	struct sim_pkt p;

	sim_ladder_event(s, "%llu %s -> %s tx-state tx=%u next=%u",
	    (unsigned long long)s->now, sim_ep_name(ep), sim_ep_name(
	    (enum sim_ep)to), a->tx.id, a->tx.next_seq);
	xfer_pkt(&p, PKT_XFER, a);
	sim_fwd_send(s, ep, (enum sim_ep)to, &p);
}

static void
act_ack(struct sim *s, enum sim_ep ep, const struct xfer_act *a)
{
	int to = sim_ep_by_addr(a->peer);
	struct sim_pkt p;

	sim_ladder_note(s, "-- %llu %s acknowledges tx-state tx=%u to %s",
	    (unsigned long long)s->now, sim_ep_name(ep), a->tx.id,
	    sim_ep_name((enum sim_ep)to));
	if (to < 0)
		return;
	xfer_pkt(&p, PKT_XFER_ACK, a);
	sim_fwd_send(s, ep, (enum sim_ep)to, &p);
}

static void
act_import(struct sim *s, enum sim_ep ep, const struct xfer_act *a)
{
	int edge = edge_of(s, ep, a->service, a->instance);
	struct sim_edge_tx *t;

	if (edge < 0) {
		s->sum.lost_no_edge++;
		return;
	}
	t = edge_tx(s, (enum sim_ep)edge, a->client, a->service, true);
	if (t == NULL) {
		s->failed = true;
		return;
	}
	t->id = a->tx.id;
	t->next = a->tx.next_seq > 0 ? a->tx.next_seq : 1;
	edge_start(s, (enum sim_ep)edge, t, ep);
}

static void
xfer_act(void *arg, const struct xfer_act *a)
{
	struct sim_nodectx *n = arg;
	struct ev ev;

	switch (a->type) {
	case XA_EDGE_EXPORT:
		act_export(n->sim, n->ep, a);
		break;
	case XA_SEND:
		act_send(n->sim, n->ep, a);
		break;
	case XA_ACK:
		act_ack(n->sim, n->ep, a);
		break;
	case XA_EDGE_IMPORT:
		act_import(n->sim, n->ep, a);
		break;
	case XA_EVENT:
		ev = a->ev;
		sim_world_node_event(n->sim, n->ep, &ev);
		break;
	}
}

/* ---- entry points ---- */

bool
sim_edge_init(struct sim *s, enum sim_ep ep)
{
	struct sim_nodectx *n = &s->nodes[ep];

	if (!(n->cfg.roles & NODE_EGRESS))
		return true;
	n->xfer = xfer_fsm_new(xfer_act, n);
	return n->xfer != NULL;
}

void
sim_edge_free(struct sim *s)
{
	for (int e = 0; e < SIM_EP__COUNT; e++) {
		xfer_fsm_free(s->nodes[e].xfer);
		s->nodes[e].xfer = NULL;
	}
}

void
sim_edge_export(struct sim *s, enum sim_ep ep, const struct dp_intent *in)
{
	if (s->nodes[ep].xfer == NULL ||
	    !xfer_fsm_export(s->nodes[ep].xfer, in))
		sim_ladder_note(s, "-- %llu %s state-export refused",
		    (unsigned long long)s->now, sim_ep_name(ep));
}

void
sim_edge_import(struct sim *s, enum sim_ep ep, const struct dp_intent *in)
{
	if (s->nodes[ep].xfer == NULL ||
	    !xfer_fsm_import(s->nodes[ep].xfer, in, s->now))
		sim_ladder_note(s, "-- %llu %s state-import: no state received",
		    (unsigned long long)s->now, sim_ep_name(ep));
}

/* A transfer message reached an egress. */
void
sim_edge_state(struct sim *s, enum sim_ep ep, const struct sim_pkt *p)
{
	struct xfer_fsm *x = s->nodes[ep].xfer;
	bool ok = false;

	if (x == NULL) {
		s->sum.lost_at_egress++;
		return;
	}
	switch (p->type) {
	case PKT_STATE:
		ok = xfer_fsm_exported(x, p->client, p->service, &p->state,
		    &p->state, sizeof(p->state));
		break;
	case PKT_XFER:
		ok = xfer_fsm_received(x, sim_ep_addr(p->src), p->client,
		    p->service, &p->state, &p->state, sizeof(p->state), s->now);
		break;
	case PKT_XFER_ACK:
		ok = xfer_fsm_acked(x, p->client, p->service, &p->state);
		break;
	default:
		break;
	}
	if (!ok)
		sim_ladder_note(s, "-- %llu %s ignores a transfer message",
		    (unsigned long long)s->now, sim_ep_name(ep));
}
