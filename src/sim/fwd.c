/*
 * fwd.c: the simulator's packets over the nodes' own routes.
 *
 * Each ingress and egress runs catsd's data plane (cats/dataplane.h) on
 * the memory backend: an intent becomes exactly the routes the daemon
 * installs, and a packet goes where dp_lookup says the kernel would send
 * it (SRv6 H.Encaps toward a peer's SID, End.DT6 and End.DX6 at our own,
 * the handover device, or the access link).  What the routes cannot do,
 * holding packets and a first packet's events, is the core's hold
 * (cats/hold.h), the same code catsd's tunbuf.c runs.  So nothing here
 * interprets an intent: a rule lives in one place for both.
 *
 * Every data hop is a lossless link with a fixed delay; the event queue
 * breaks equal times by insertion order, so each link is FIFO.
 */
#include <linux/seg6_local.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cats/dataplane.h"
#include "cats/hold.h"
#include "cats/sim.h"
#include "sim/world.h"

/* Interface indexes of the simulated devices. */
#define OIF_CORE	1
#define OIF_ACCESS	2
#define OIF_EDGE	3
#define OIF_HOLD	4	/* catsd's handover TUN */
#define SIM_TABLE	254	/* main, as catsd's default */

static const char *const dp_names[] = {
	[DP_STEER] = "steer",		[DP_UNSTEER] = "unsteer",
	[DP_PREFIX] = "prefix",		[DP_UNPREFIX] = "unprefix",
	[DP_BUFFER] = "buffer",		[DP_FORWARD] = "forward",
	[DP_UNFORWARD] = "unforward",	[DP_FLUSH] = "flush",
	[DP_RETURN] = "return",		[DP_UNRETURN] = "unreturn",
	[DP_STATE_EXPORT] = "state-export", [DP_STATE_IMPORT] = "state-import",
};

/* ---- SIDs: a /96 per endpoint, 2001:db8:5100:<ep>::/96 ---- */

static void
ep_sid(enum sim_ep e, uint8_t out[16])
{
	static const uint8_t base[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x51 };

	memcpy(out, base, 16);
	out[7] = (uint8_t)e;
}

static int
sid_owner(const uint8_t sid[16])
{
	uint8_t b[16];

	for (int e = SIM_NODE_FIRST; e <= SIM_NODE_LAST; e++) {
		ep_sid((enum sim_ep)e, b);
		if (memcmp(b, sid, 12) == 0)
			return e;
	}
	return -1;
}

static bool
is_ingress(enum sim_ep e)
{
	return e == SIM_INGRESS1 || e == SIM_INGRESS2;
}

/* ---- set-up ---- */

/* catsd's catch route (catsd.c): CS-ID packets no steering route takes go
 * to the hold.  Source-less here: the memory lookup backtracks to it, and
 * a client that moved keeps an address outside the new sub-prefix. */
static bool
catch_routes(struct dp *dp, const struct node_cfg *c)
{
	struct kr_route r;

	for (size_t i = 0; i < c->nservices; i++) {
		memset(&r, 0, sizeof(r));
		r.family = AF_INET6;
		r.table = SIM_TABLE;
		memcpy(r.dst, c->services[i].addr, 16);
		r.dst_len = 128;
		r.oif = OIF_HOLD;
		if (dp_route(dp, &r, KR_REPLACE) < 0)
			return false;
	}
	return true;
}

static void
dp_cfg_of(const struct node_cfg *c, enum sim_ep ep, struct dp_cfg *dc,
    struct dp_peer *peers, struct dp_service *svc, struct dp_instance *inst)
{
	memset(dc, 0, sizeof(*dc));
	dc->roles = c->roles;
	dc->table = SIM_TABLE;
	ep_sid(ep, dc->sid);
	dc->core_oif = OIF_CORE;
	dc->access_oif = OIF_ACCESS;
	dc->edge_oif = OIF_EDGE;
	dc->buffer_oif = OIF_HOLD;
	for (size_t i = 0; i < c->npeers; i++) {
		int p = sim_ep_by_addr(c->peers[i].addr);

		memcpy(peers[i].addr, c->peers[i].addr, 16);
		ep_sid(p < 0 ? SIM_EP__COUNT : (enum sim_ep)p, peers[i].sid);
	}
	for (size_t i = 0; i < c->nservices; i++) {
		memcpy(svc[i].addr, c->services[i].addr, 16);
		svc[i].plen = 128;
	}
	for (size_t i = 0; i < c->ninstances; i++) {
		inst[i].id = c->instances[i].id;
		memcpy(inst[i].edge, c->instances[i].edge, 16);
	}
	dc->peers = peers;
	dc->npeers = c->npeers;
	dc->services = svc;
	dc->nservices = c->nservices;
	dc->instances = inst;
	dc->ninstances = c->ninstances;
}

bool
sim_fwd_init(struct sim *s, enum sim_ep ep)
{
	struct sim_nodectx *n = &s->nodes[ep];
	struct dp_peer peers[NODE_MAX_PEERS];
	struct dp_service svc[NODE_MAX_SERVICES];
	struct dp_instance inst[NODE_MAX_INSTANCES];
	struct dp_cfg dc;

	if (!(n->cfg.roles & (NODE_INGRESS | NODE_EGRESS)))
		return true;
	dp_cfg_of(&n->cfg, ep, &dc, peers, svc, inst);
	if ((n->dp = dp_new_memory(&dc)) == NULL || dp_start(n->dp) < 0)
		return false;
	if (!(n->cfg.roles & NODE_INGRESS))
		return true;
	return catch_routes(n->dp, &n->cfg) &&
	    (n->holds = holds_new(NULL)) != NULL;
}

void
sim_fwd_free(struct sim *s)
{
	for (int e = 0; e < SIM_EP__COUNT; e++) {
		dp_free(s->nodes[e].dp);
		holds_free(s->nodes[e].holds);
		s->nodes[e].dp = NULL;
		s->nodes[e].holds = NULL;
	}
}

/* ---- links ---- */

void
sim_fwd_send(struct sim *s, enum sim_ep from, enum sim_ep to,
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
	sim_world_push(s, s->now + sim_delay(s, from, to), EVK_DATA, to, 0, p);
}

static void
lost_here(struct sim *s, enum sim_ep ep)
{
	if (is_ingress(ep))
		s->sum.lost_at_ingress++;
	else
		s->sum.lost_at_egress++;
}

/* ---- forwarding ---- */

static void	fwd_inner(struct sim *, enum sim_ep, struct sim_pkt *);

/* The access link: a result reaches the client if it is attached here. */
static void
access_out(struct sim *s, enum sim_ep ep, struct sim_pkt *p)
{
	if (p->type != PKT_RESULT || s->client.at != (int)ep ||
	    memcmp(p->dst, sim_ep_addr(SIM_CLIENT), 16) != 0) {
		lost_here(s, ep);
		return;
	}
	p->epoch = s->client.epoch;
	sim_fwd_send(s, ep, SIM_CLIENT, p);
}

/* H.Encaps toward a peer's SID (steer, forward, flush, return). */
static void
encap_out(struct sim *s, enum sim_ep ep, struct sim_pkt *p,
    const struct kr_route *r)
{
	int to = sid_owner(r->segs[0]);

	if (to < 0) {
		lost_here(s, ep);
		return;
	}
	if (p->ttl == 0) {
		s->sum.lost_ttl++;	/* a forwarding loop, cut */
		return;
	}
	p->ttl--;
	p->encap = true;
	memcpy(p->sid, r->segs[0], 16);
	sim_fwd_send(s, ep, (enum sim_ep)to, p);
}

struct reinject {
	struct sim	*s;
	enum sim_ep	 ep;
};

/* A released packet goes back to the node's routes, which know the new
 * way now, as catsd writes it back into its TUN. */
static void
reinject(void *arg, const void *pkt, size_t len)
{
	struct reinject *r = arg;
	struct sim_pkt p;

	if (len != sizeof(p))
		return;
	memcpy(&p, pkt, sizeof(p));
	fwd_inner(r->s, r->ep, &p);
}

static void
first_packet(struct sim *s, enum sim_ep ep, const struct sim_pkt *p)
{
	struct ev ev[HOLD_FIRST_EVENTS];
	size_t n;

	/* the ingress sees the client's link-layer address on its frame */
	n = hold_first_events(p->client, p->service, s->client.lladdr,
	    sizeof(s->client.lladdr), ev);
	for (size_t i = 0; i < n; i++)
		sim_world_node_event(s, ep, &ev[i]);
}

/* The route into catsd's handover device: the core's hold takes it. */
static void
hold_in(struct sim *s, enum sim_ep ep, struct sim_pkt *p)
{
	struct holds *h = s->nodes[ep].holds;
	enum hold_verdict v;

	if (h == NULL) {
		lost_here(s, ep);
		return;
	}
	if (p->type == PKT_REQUEST)
		v = hold_first(h, p->client, p, sizeof(*p), s->now);
	else
		v = hold_to(h, p->dst, p, sizeof(*p), s->now);
	if (v == HOLD_UNHELD || v == HOLD_OVERFLOW)
		lost_here(s, ep);
	if (v == HOLD_FIRST)
		first_packet(s, ep, p);
}

/* The inner packet, as the node's routing table takes it. */
static void
fwd_inner(struct sim *s, enum sim_ep ep, struct sim_pkt *p)
{
	const uint8_t *src = p->type == PKT_REQUEST ? p->client : NULL;
	struct kr_route r;

	if (s->nodes[ep].dp == NULL ||
	    dp_lookup(s->nodes[ep].dp, AF_INET6, p->dst, src, &r) < 0) {
		access_out(s, ep, p);	/* no route of ours: connected */
		return;
	}
	if (r.encap == KR_ENCAP_SEG6 && r.nsegs > 0)
		encap_out(s, ep, p, &r);
	else if (r.encap == KR_ENCAP_NONE && r.oif == OIF_HOLD)
		hold_in(s, ep, p);
	else
		access_out(s, ep, p);
}

/* Addressed to one of our SIDs: End.DT6 decapsulates and looks the inner
 * packet up; End.DX6 hands it to the instance's edge. */
static void
fwd_sid(struct sim *s, enum sim_ep ep, struct sim_pkt *p)
{
	struct kr_route r;
	int edge;

	p->encap = false;
	if (dp_lookup(s->nodes[ep].dp, AF_INET6, p->sid, NULL, &r) < 0 ||
	    r.encap != KR_ENCAP_SEG6LOCAL) {
		lost_here(s, ep);
		return;
	}
	if (r.action == SEG6_LOCAL_ACTION_END_DT6) {
		fwd_inner(s, ep, p);
		return;
	}
	edge = r.action == SEG6_LOCAL_ACTION_END_DX6 && r.has_nh6 ?
	    sim_ep_by_addr(r.nh6) : -1;
	if (edge != SIM_EDGE1 && edge != SIM_EDGE2) {
		s->sum.lost_no_edge++;
		return;
	}
	sim_fwd_send(s, ep, (enum sim_ep)edge, p);
}

void
sim_fwd_arrive(struct sim *s, enum sim_ep at, struct sim_pkt *p)
{
	if (at == SIM_CLIENT) {
		sim_client_result(s, p);
		return;
	}
	if (at == SIM_EDGE1 || at == SIM_EDGE2) {
		if (p->type == PKT_REQUEST)
			sim_edge_request(s, at, p);
		return;
	}
	if (p->type == PKT_STATE || p->type == PKT_XFER ||
	    p->type == PKT_XFER_ACK) {
		sim_edge_state(s, at, p);
		return;
	}
	if (s->nodes[at].dp == NULL) {
		lost_here(s, at);
		return;
	}
	if (p->encap)
		fwd_sid(s, at, p);
	else
		fwd_inner(s, at, p);
}

/* ---- intents: applied as catsd's op_dp applies them ---- */

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
sim_fwd_intent(struct sim *s, enum sim_ep ep, const struct dp_intent *in)
{
	struct sim_nodectx *n = &s->nodes[ep];
	struct reinject ri = { s, ep };

	if ((unsigned)in->op > DP_STATE_IMPORT)
		return;
	intent_line(s, ep, in);
	/* the client configures the prefix the ingress advertises to it */
	if (in->op == DP_PREFIX &&
	    memcmp(in->client, sim_ep_addr(SIM_CLIENT), 16) == 0)
		s->client.prefix = in->prefix;
	/* hold before the route into the hold exists ... */
	if (in->op == DP_BUFFER && n->holds != NULL)
		(void)hold_start(n->holds, in->client);
	if (n->dp != NULL && dp_apply(n->dp, in) < 0)
		sim_ladder_note(s, "-- %llu %s dp %s: %s", (unsigned long long)
		    s->now, sim_ep_name(ep), dp_names[in->op], dp_error(n->dp));
	/* ... release after the new path replaced it */
	if ((in->op == DP_FLUSH || in->op == DP_STEER) && n->holds != NULL)
		(void)hold_release(n->holds, in->client, s->now, reinject, &ri);
	if (in->op == DP_STATE_EXPORT)
		sim_edge_export(s, ep, in);
	if (in->op == DP_STATE_IMPORT)
		sim_edge_import(s, ep, in);
}
