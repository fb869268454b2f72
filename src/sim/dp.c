/*
 * dp.c: the data-plane model: what the nodes' intents do to the client's
 * packets, and the edge service that streams numbered results.
 *
 * Every data hop is a lossless link with a fixed delay; the event queue
 * breaks equal times by insertion order, so each link is FIFO.  A result
 * therefore travels edge -> egress -> ingress(es) -> client in order, and
 * an export after result k-1 left the edge means every result below k is
 * already on its way (the property transaction switching relies on).
 */
#include <stdlib.h>
#include <string.h>

#include "cats/sim.h"
#include "sim/world.h"

static const uint8_t zero16[16];

static const char *const dp_names[] = {
	[DP_STEER] = "steer",		[DP_UNSTEER] = "unsteer",
	[DP_PREFIX] = "prefix",		[DP_BUFFER] = "buffer",
	[DP_FORWARD] = "forward",	[DP_UNFORWARD] = "unforward",
	[DP_FLUSH] = "flush",		[DP_RETURN] = "return",
	[DP_UNRETURN] = "unreturn",	[DP_STATE_EXPORT] = "state-export",
	[DP_STATE_IMPORT] = "state-import",
};

/* ---- packet queues ---- */

static bool
pktq_push(struct sim_pktq *q, const struct sim_pkt *p)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct sim_pkt *v = realloc(q->v, cap * sizeof(*v));

		if (v == NULL)
			return false;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n++] = *p;
	return true;
}

/* Hand the queue's packets to the caller (who frees 'v') and empty it. */
static struct sim_pktq
pktq_take(struct sim_pktq *q)
{
	struct sim_pktq all = *q;

	memset(q, 0, sizeof(*q));
	return all;
}

/* ---- per-client entries ---- */

static struct sim_dpc *
dpc_get(struct sim *s, enum sim_ep ep, const uint8_t client[16], bool create)
{
	struct sim_nodectx *n = &s->nodes[ep];
	struct sim_dpc *free_slot = NULL;

	for (size_t i = 0; i < SIM_MAX_CLIENTS; i++) {
		struct sim_dpc *d = &n->dpc[i];

		if (d->used && memcmp(d->client, client, 16) == 0)
			return d;
		if (!d->used && free_slot == NULL)
			free_slot = d;
	}
	if (!create || free_slot == NULL)
		return NULL;
	free_slot->used = true;
	memcpy(free_slot->client, client, 16);
	return free_slot;
}

static struct sim_steer *
steer_find(struct sim_dpc *d, uint16_t service)
{
	for (size_t i = 0; i < d->nsteer; i++)
		if (d->steer[i].service == service)
			return &d->steer[i];
	return NULL;
}

/* ---- links ---- */

void
sim_dp_send(struct sim *s, enum sim_ep from, enum sim_ep to,
    const struct sim_pkt *pkt)
{
	struct sim_pkt *p = malloc(sizeof(*p));

	if (p == NULL) {
		s->failed = true;
		return;
	}
	*p = *pkt;
	p->src = from;
	s->sum.data_sent++;
	sim_world_push(s, s->now + sim_link_delay(from, to), EVK_DATA, to, 0, p);
}

static bool
client_here(const struct sim *s, enum sim_ep ingress, const uint8_t c[16])
{
	return s->client.at == (int)ingress &&
	    memcmp(c, sim_ep_addr(SIM_CLIENT), 16) == 0;
}

/* ---- ingress ---- */

/* A result reached an ingress (from an egress, a peer ingress or a flush):
 * the client if it is here, else the handover tunnel, else the buffer. */
static void
ingress_result(struct sim *s, enum sim_ep ep, struct sim_pkt *p)
{
	struct sim_dpc *d = dpc_get(s, ep, p->client, false);

	if (client_here(s, ep, p->client)) {
		p->epoch = s->client.epoch;
		sim_dp_send(s, ep, SIM_CLIENT, p);
		return;
	}
	if (d != NULL && d->forward >= 0 && p->ttl > 0) {
		p->ttl--;
		sim_dp_send(s, ep, (enum sim_ep)d->forward, p);
		return;
	}
	if (d != NULL && d->forward >= 0) {
		s->sum.lost_ttl++;
		return;
	}
	if (d != NULL && d->buffering) {
		if (!pktq_push(&d->held, p))
			s->failed = true;
		return;
	}
	s->sum.lost_at_ingress++;
}

static void
raise_service_request(struct sim *s, enum sim_ep ep, const struct sim_pkt *p)
{
	struct ev ev = { .type = EV_SERVICE_REQUEST, .service = p->service };

	memcpy(ev.client, p->client, 16);
	memcpy(ev.lladdr, s->client.lladdr, sizeof(s->client.lladdr));
	ev.lladdr_len = sizeof(s->client.lladdr);
	sim_world_node_event(s, ep, &ev);
}

/* The client's packet to the CS-ID: steered, or held until it is (and, the
 * first time, the ingress hears of a CATS-unaware client's request). */
static void
ingress_request(struct sim *s, enum sim_ep ep, struct sim_pkt *p)
{
	struct sim_dpc *d = dpc_get(s, ep, p->client, true);
	struct sim_steer *st;

	if (d == NULL) {
		s->sum.lost_at_ingress++;
		return;
	}
	if ((st = steer_find(d, p->service)) != NULL) {
		sim_dp_send(s, ep, st->egress, p);
		return;
	}
	if (!pktq_push(&d->pending, p)) {
		s->failed = true;
		return;
	}
	if (d->raised)
		return;
	d->raised = true;
	raise_service_request(s, ep, p);
}

static void
ingress_steer(struct sim *s, enum sim_ep ep, struct sim_dpc *d,
    uint16_t service, int egress)
{
	struct sim_steer *st = steer_find(d, service);
	struct sim_pktq keep = { 0 }, all;

	if (egress < 0)
		return;
	if (st == NULL && d->nsteer == SIM_MAX_STEER)
		return;
	if (st == NULL)
		st = &d->steer[d->nsteer++];
	st->service = service;
	st->egress = (enum sim_ep)egress;
	d->raised = false;
	all = pktq_take(&d->pending);
	for (size_t i = 0; i < all.n; i++) {
		if (all.v[i].service == service)
			sim_dp_send(s, ep, st->egress, &all.v[i]);
		else if (!pktq_push(&keep, &all.v[i]))
			s->failed = true;
	}
	free(all.v);
	d->pending = keep;
}

static void
ingress_unsteer(struct sim_dpc *d, uint16_t service)
{
	struct sim_steer *st = steer_find(d, service);

	if (st != NULL)
		*st = d->steer[--d->nsteer];
}

/* DP_FLUSH: held results, in order, to the peer ingress or (no peer) to
 * wherever the client is now reachable from here. */
static void
ingress_flush(struct sim *s, enum sim_ep ep, struct sim_dpc *d, int peer)
{
	struct sim_pktq all = pktq_take(&d->held);

	d->buffering = false;
	for (size_t i = 0; i < all.n; i++) {
		if (peer >= 0)
			sim_dp_send(s, ep, (enum sim_ep)peer, &all.v[i]);
		else
			ingress_result(s, ep, &all.v[i]);
	}
	free(all.v);
}

static void
ingress_dp(struct sim *s, enum sim_ep ep, const struct dp_intent *in,
    int peer)
{
	struct sim_dpc *d = dpc_get(s, ep, in->client, true);

	if (d == NULL) {
		s->failed = true;
		return;
	}
	switch (in->op) {
	case DP_STEER:
		ingress_steer(s, ep, d, in->service, peer);
		break;
	case DP_UNSTEER:
		ingress_unsteer(d, in->service);
		break;
	case DP_PREFIX:
		if (memcmp(in->client, sim_ep_addr(SIM_CLIENT), 16) == 0)
			s->client.prefix = in->prefix;
		break;
	case DP_BUFFER:
		d->buffering = true;
		break;
	case DP_FORWARD:
		d->forward = peer;
		break;
	case DP_UNFORWARD:
		d->forward = -1;
		break;
	case DP_FLUSH:
		ingress_flush(s, ep, d, memcmp(in->peer, zero16, 16) ? peer : -1);
		break;
	default:
		sim_ladder_note(s, "-- %llu %s ignores dp %s (not an ingress intent)",
		    (unsigned long long)s->now, sim_ep_name(ep),
		    dp_names[in->op]);
		break;
	}
}

/* ---- egress and edge ---- */

/* The edge serving 'service' (and 'instance' when given) behind an egress. */
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
sim_dp_edge_tick(struct sim *s, enum sim_ep edge, uint64_t u)
{
	struct sim_edge_tx *t = &s->edges[edge - SIM_EDGE1].tx[u & 0xff];
	struct sim_pkt p = { .type = PKT_RESULT, .ttl = SIM_PKT_TTL };

	if (!t->used || !t->active || t->gen != u >> 8)
		return;
	memcpy(p.client, t->client, 16);
	p.service = t->service;
	p.tx = t->id;
	p.seq = t->next++;
	sim_dp_send(s, edge, t->egress, &p);
	t->active = t->next <= s->opts.results;
	if (t->active)
		edge_schedule(s, edge, t, s->now + SIM_RESULT_MS);
}

/* A request packet reached the edge: a new transaction, unless this
 * client's transaction for the service is already running here. */
static void
edge_request(struct sim *s, enum sim_ep edge, const struct sim_pkt *p)
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

/* The state reached the new egress from the old one. */
static void
egress_state_arrive(struct sim *s, enum sim_ep ep, const struct sim_pkt *p)
{
	struct ev ev = { .type = EV_STATE_RECEIVED, .service = p->service };

	memcpy(ev.client, p->client, 16);
	ev.tx = p->state;
	ev.peer = sim_ep_addr(p->src);
	sim_world_node_event(s, ep, &ev);
}

void
sim_dp_state_sent(struct sim *s, enum sim_ep ep, const struct sim_pkt *p)
{
	struct ev ev = { .type = EV_STATE_SENT, .service = p->service };

	memcpy(ev.client, p->client, 16);
	ev.tx = p->state;
	ev.peer = sim_ep_addr(p->peer);
	sim_world_node_event(s, ep, &ev);
}

/* The exported state reached the old egress from its edge, behind every
 * result the edge sent before it (the link is FIFO): the old egress hands
 * it to the stream toward the new egress, and may now close the tunnel
 * and confirm (mobility fig. 3) without losing a result. */
static void
egress_state_out(struct sim *s, enum sim_ep ep, const struct sim_pkt *p)
{
	sim_ladder_event(s, "%llu %s -> %s tx-state tx=%u next=%u",
	    (unsigned long long)s->now, sim_ep_name(ep), sim_ep_name(p->peer),
	    p->state.id, p->state.next_seq);
	sim_dp_send(s, ep, p->peer, p);
	sim_dp_state_sent(s, ep, p);
}

static void
egress_arrive(struct sim *s, enum sim_ep ep, struct sim_pkt *p)
{
	struct sim_dpc *d;
	int edge;

	switch (p->type) {
	case PKT_REQUEST:
		if ((edge = edge_of(s, ep, p->service, 0)) < 0) {
			s->sum.lost_no_edge++;
			return;
		}
		sim_dp_send(s, ep, (enum sim_ep)edge, p);
		return;
	case PKT_RESULT:
		d = dpc_get(s, ep, p->client, false);
		if (d == NULL || d->ret < 0) {
			s->sum.lost_at_egress++;
			return;
		}
		sim_dp_send(s, ep, (enum sim_ep)d->ret, p);
		return;
	case PKT_STATE:
		if (p->src == SIM_EGRESS1 || p->src == SIM_EGRESS2)
			egress_state_arrive(s, ep, p);
		else
			egress_state_out(s, ep, p);
		return;
	}
}

/* DP_STATE_EXPORT: the edge stops; its next unsent result k (not what the
 * intent guessed) travels as one tx-state message from the edge through
 * the old egress to the new one. */
static void
egress_export(struct sim *s, enum sim_ep ep, const struct dp_intent *in,
    int peer)
{
	int edge = edge_of(s, ep, in->service, in->instance);
	struct sim_pkt p = { .type = PKT_STATE, .service = in->service };
	struct sim_edge_tx *t = NULL;

	if ((peer != SIM_EGRESS1 && peer != SIM_EGRESS2) || edge < 0) {
		sim_ladder_note(s, "-- %llu %s state-export to a non-egress",
		    (unsigned long long)s->now, sim_ep_name(ep));
		return;
	}
	t = edge_tx(s, (enum sim_ep)edge, in->client, in->service, false);
	p.state = in->tx;
	if (t != NULL) {
		t->active = false;
		t->gen++;
		p.state.id = t->id;
		p.state.next_seq = t->next;
	}
	memcpy(p.client, in->client, 16);
	p.tx = p.state.id;
	p.peer = (enum sim_ep)peer;
	s->sum.state_moved++;
	sim_dp_send(s, (enum sim_ep)edge, ep, &p);
}

static void
egress_import(struct sim *s, enum sim_ep ep, const struct dp_intent *in)
{
	int edge = edge_of(s, ep, in->service, in->instance);
	struct sim_edge_tx *t;

	if (edge < 0) {
		s->sum.lost_no_edge++;
		return;
	}
	t = edge_tx(s, (enum sim_ep)edge, in->client, in->service, true);
	if (t == NULL) {
		s->failed = true;
		return;
	}
	t->id = in->tx.id;
	t->next = in->tx.next_seq > 0 ? in->tx.next_seq : 1;
	edge_start(s, (enum sim_ep)edge, t, ep);
}

static void
egress_dp(struct sim *s, enum sim_ep ep, const struct dp_intent *in, int peer)
{
	struct sim_dpc *d = dpc_get(s, ep, in->client, true);

	if (d == NULL) {
		s->failed = true;
		return;
	}
	switch (in->op) {
	case DP_RETURN:
		d->ret = peer;
		break;
	case DP_UNRETURN:
		d->ret = -1;
		break;
	case DP_STATE_EXPORT:
		egress_export(s, ep, in, peer);
		break;
	case DP_STATE_IMPORT:
		egress_import(s, ep, in);
		break;
	default:
		sim_ladder_note(s, "-- %llu %s ignores dp %s (not an egress intent)",
		    (unsigned long long)s->now, sim_ep_name(ep),
		    dp_names[in->op]);
		break;
	}
}

/* ---- entry points ---- */

static void
intent_line(struct sim *s, enum sim_ep ep, const struct dp_intent *in)
{
	char c[64], p[64];

	sim_ladder_note(s, "-- %llu %s dp %s client=%s peer=%s service=%u",
	    (unsigned long long)s->now, sim_ep_name(ep), dp_names[in->op],
	    sim_ladder_addr(in->client, c, sizeof(c)),
	    sim_ladder_addr(in->peer, p, sizeof(p)), in->service);
}

void
sim_dp_apply(struct sim *s, enum sim_ep ep, const struct dp_intent *in)
{
	int peer = sim_ep_by_addr(in->peer);

	if ((unsigned)in->op > DP_STATE_IMPORT)
		return;
	intent_line(s, ep, in);
	if (ep == SIM_INGRESS1 || ep == SIM_INGRESS2)
		ingress_dp(s, ep, in, peer);
	else if (ep == SIM_EGRESS1 || ep == SIM_EGRESS2)
		egress_dp(s, ep, in, peer);
}

void
sim_dp_arrive(struct sim *s, enum sim_ep at, struct sim_pkt *p)
{
	switch (at) {
	case SIM_CLIENT:
		sim_client_result(s, p);
		return;
	case SIM_INGRESS1:
	case SIM_INGRESS2:
		if (p->type == PKT_REQUEST)
			ingress_request(s, at, p);
		else
			ingress_result(s, at, p);
		return;
	case SIM_EGRESS1:
	case SIM_EGRESS2:
		egress_arrive(s, at, p);
		return;
	case SIM_EDGE1:
	case SIM_EDGE2:
		if (p->type == PKT_REQUEST)
			edge_request(s, at, p);
		return;
	default:
		return;
	}
}

void
sim_dp_free(struct sim *s)
{
	for (int e = 0; e < SIM_EP__COUNT; e++) {
		for (size_t i = 0; i < SIM_MAX_CLIENTS; i++) {
			free(s->nodes[e].dpc[i].held.v);
			free(s->nodes[e].dpc[i].pending.v);
		}
	}
}
