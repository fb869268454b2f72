/*
 * locator: the location server of the mobility draft, section 3.  An
 * ingress registers each client it serves (IP and link-layer address) with
 * its egress; a new ingress asks where a client came from; the record goes
 * when every result has reached the client.
 */
#include <stdlib.h>
#include <string.h>

#include "node_int.h"

#define LOC_SWEEP_MS	5000

struct loc_rec {
	uint8_t		 client[16];	/* key */
	uint64_t	 expires;	/* the registration's lifetime */
	int16_t		 ingress;	/* peer that registered it */
	int16_t		 egress;	/* peer, -1 if not one */
	uint8_t		 egress_addr[16];
	uint8_t		 ll[8];
	uint8_t		 ll_len;
	uint8_t		 owner;		/* node_charge: the ingress holding it */
};

struct locator {
	struct table	 recs;
	bool		 sweeping;
};

static struct locator *
L(const struct node *n)
{
	return n->state[ROLE_LOCATOR];
}

static bool
loc_init(struct node *n, const char **why)
{
	struct locator *l = calloc(1, sizeof(*l));

	if (l == NULL || !table_init(&l->recs, sizeof(struct loc_rec), 16,
	    n->cfg.max_sessions)) {
		free(l);
		*why = "out of memory";
		return false;
	}
	n->state[ROLE_LOCATOR] = l;
	return true;
}

/* Every record goes through here: its ingress's charge with it. */
static void
rec_del(struct node *n, struct loc_rec *r)
{
	node_release(n, NODE_STATE_LOCATOR, &r->owner);
	table_del(&L(n)->recs, r);
}

static void
loc_free(struct node *n)
{
	table_free(&L(n)->recs);
	free(L(n));
	n->state[ROLE_LOCATOR] = NULL;
}

/* Lifetime 0 removes the record, but only for the ingress that holds it:
 * an old ingress cleaning up late must not erase the new one's record. */
/* A record lives as long as its registration says: an ingress that lost
 * its client without a goodbye cannot leave it behind for ever. */
static void
loc_sweep_arm(struct node *n, uint64_t now)
{
	if (L(n)->sweeping)
		return;
	L(n)->sweeping = true;
	node_timer(n, ROLE_LOCATOR, 1, now + LOC_SWEEP_MS);
}

static void
loc_timer(struct node *n, uint64_t sub, uint64_t now)
{
	struct loc_rec *r;
	size_t pos = 0;

	(void)sub;
	L(n)->sweeping = false;
	while ((r = table_next(&L(n)->recs, &pos)) != NULL)
		if (r->expires <= now)
			rec_del(n, r);
	if (L(n)->recs.n > 0)
		loc_sweep_arm(n, now);
}

static void
loc_register(struct node *n, const struct rx *rx, uint64_t now)
{
	const struct mh_msg *m = &rx->m;
	struct loc_rec *r;
	bool created;

	if (m->lifetime == 0) {
		r = table_get(&L(n)->recs, m->client_addr);
		if (r != NULL && r->ingress == rx->peer)
			rec_del(n, r);
		node_ack(n, rx, MH_ST_ACCEPTED);
		return;
	}
	r = table_put(&L(n)->recs, m->client_addr, &created);
	if (r == NULL) {
		node_drop(n, NODE_DROP_NO_RESOURCES);
		node_ack(n, rx, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	/* the record is charged to the ingress that holds it, the last to
	 * register it (a client moves); one at its quota is refused and the
	 * record stays as it was */
	if (!node_recharge(n, rx->peer, NODE_STATE_LOCATOR, &r->owner)) {
		if (created)
			table_del(&L(n)->recs, r);
		node_ack(n, rx, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	r->ingress = (int16_t)rx->peer;
	r->expires = now + (uint64_t)m->lifetime * 4000;
	loc_sweep_arm(n, now);
	memcpy(r->egress_addr, m->cats_addr, 16);
	r->egress = (int16_t)node_peer_find(&n->cfg, m->cats_addr);
	r->ll_len = 0;
	if ((m->present & MH_BIT(MH_O_LLID)) && m->llid.len <= sizeof(r->ll)) {
		memcpy(r->ll, m->llid.p, m->llid.len);
		r->ll_len = m->llid.len;
	}
	node_ack(n, rx, MH_ST_ACCEPTED);
}

static void
loc_query(struct node *n, const struct rx *rx)
{
	const struct loc_rec *r = table_get(&L(n)->recs, rx->m.client_addr);
	struct mh_msg a;

	mh_msg_init(&a, MH_K_LOC_REPLY);
	a.seq = rx->m.seq;
	msg_client(&a, rx->m.client_addr);
	if (r == NULL) {
		node_drop(n, NODE_DROP_UNKNOWN_CLIENT);
		a.status = MH_ST_CATS_UNKNOWN_CLIENT;
		node_send(n, rx->src, &a);
		return;
	}
	a.status = MH_ST_ACCEPTED;
	a.present |= MH_BIT(MH_O_CR_ID) | MH_BIT(MH_O_CATS_ADDR);
	a.crid_format = MH_CRID_IP;
	a.crid.p = node_peer_addr(n, r->ingress);
	a.crid.len = 16;
	memcpy(a.cats_addr, r->egress_addr, 16);
	if (r->ll_len > 0) {
		a.present |= MH_BIT(MH_O_LLID);
		a.llid.p = r->ll;
		a.llid.len = r->ll_len;
	}
	node_send(n, rx->src, &a);
}

static bool
loc_msg(struct node *n, const struct rx *rx, uint64_t now)
{
	switch (rx->m.kind) {
	case MH_K_LOC_REGISTER:
		loc_register(n, rx, now);
		return true;
	case MH_K_LOC_QUERY:
		loc_query(n, rx);
		return true;
	default:
		return false;
	}
}

static size_t
loc_walk(const struct node *n, size_t *pos, size_t max, node_walk_fn fn,
    void *arg)
{
	const struct loc_rec *r;
	struct node_session_info i;
	size_t k = 0;

	while (k < max && (r = table_next(&L(n)->recs, pos)) != NULL) {
		memset(&i, 0, sizeof(i));
		i.role = "locator";
		i.state = "registered";
		memcpy(i.client, r->client, 16);
		i.service = -1;
		i.egress = r->egress;
		i.other = r->ingress;
		i.expires_ms = r->expires;
		fn(arg, &i);
		k++;
	}
	return k;
}

static size_t
loc_sessions(const struct node *n)
{
	return L(n)->recs.n;
}

static size_t
loc_memory(const struct node *n)
{
	return sizeof(struct locator) + table_memory(&L(n)->recs);
}

const struct role role_locator = {
	.name = "locator",
	.bit = NODE_LOCATOR,
	.init = loc_init,
	.free = loc_free,
	.msg = loc_msg,
	.timer = loc_timer,
	.walk = loc_walk,
	.sessions = loc_sessions,
	.memory = loc_memory,
};
