/*
 * egress: the egress CATS router (ECR; LMA-like).  Answers queries with its
 * site's conditions, anchors a client's service prefix on a CATS request
 * (anchoring 3), sends results to whichever ingress the client is behind
 * (mobility indications), and moves a transaction to another egress
 * (mobility fig. 3).
 */
#include <stdlib.h>
#include <string.h>

#include "node_int.h"

#define SWEEP_MS	5000		/* how often expired bindings go */

enum eb_state {
	EB_ACTIVE,		/* results go to 'ingress' */
	EB_EXPORTING,		/* the edge is handing the state to another egress */
	EB_EXPORTED,		/* done; kept to re-answer a retransmission */
	EB_AWAIT_STATE,		/* told a state will come (transfer notify) */
	EB_STATE_ONLY,		/* the state came before the notify */
};

struct bkey {
	uint8_t		 client[16];
	uint16_t	 service;
};

struct binding {
	struct bkey	 key;
	uint8_t		 state;
	bool		 has_seq;
	uint16_t	 last_seq;	/* last request accepted (RFC 5213 5.5) */
	uint16_t	 ans_seq;	/* echoed by tx-confirm / tx-received */
	int16_t		 ingress;	/* peer the results go to */
	int16_t		 requester;	/* peer waiting for tx-confirm */
	uint32_t	 prefix;	/* pool index + 1, 0 for none */
	struct mh_prefix moved;		/* a prefix another egress anchored,
					 * kept after a transaction switch */
	uint64_t	 last_ts;	/* timestamp of the last accepted request */
	uint64_t	 expires;	/* ms, 0 for never */
	struct mh_tx	 tx;
	uint8_t		 owner;		/* node_charge: the ingress it serves */
};

struct egress {
	struct table	 bindings;
	uint32_t	 pool_size;	/* prefixes in the pool */
	uint32_t	 pool_next;	/* first never handed out */
	uint32_t	*freed;		/* handed back, for reuse */
	uint32_t	 nfreed, capfreed;
	bool		 sweeping;
	/* by cfg.instances index: the agent said its edge is gone
	 * (node_report_instance_gone, docs/engine.md §7) */
	bool		 gone[NODE_MAX_INSTANCES];
};

static struct egress *
E(const struct node *n)
{
	return n->state[ROLE_EGRESS];
}

static bool
eg_init(struct node *n, const char **why)
{
	struct egress *e = calloc(1, sizeof(*e));
	int bits = n->cfg.pool_plen - n->cfg.pool.len;

	if (e == NULL || !table_init(&e->bindings, sizeof(struct binding),
	    sizeof(struct bkey), n->cfg.max_sessions)) {
		free(e);
		*why = "out of memory";
		return false;
	}
	if (bits < 0 || n->cfg.pool_plen > 128) {
		table_free(&e->bindings);
		free(e);
		*why = "prefix pool longer than the prefixes carved from it";
		return false;
	}
	e->pool_size = bits >= 31 ? 1u << 31 : 1u << bits;
	n->state[ROLE_EGRESS] = e;
	return true;
}

static void
eg_free(struct node *n)
{
	table_free(&E(n)->bindings);
	free(E(n)->freed);
	free(E(n));
	n->state[ROLE_EGRESS] = NULL;
}

/* ------------------------------------------------------------------ */
/* The service prefix pool (anchoring 3: the egress allocates it)      */

static uint32_t
pool_get(struct egress *e)
{
	if (e->nfreed > 0)
		return e->freed[--e->nfreed] + 1;
	if (e->pool_next >= e->pool_size)
		return 0;
	return ++e->pool_next;
}

static void
pool_put(struct egress *e, uint32_t idx1)
{
	uint32_t *f;

	if (idx1 == 0)
		return;
	if (e->nfreed == e->capfreed) {
		f = realloc(e->freed, (e->capfreed ? e->capfreed * 2 : 64) * sizeof(*f));
		if (f == NULL)
			return;		/* the prefix is lost to reuse, not to safety */
		e->freed = f;
		e->capfreed = e->capfreed ? e->capfreed * 2 : 64;
	}
	e->freed[e->nfreed++] = idx1 - 1;
}

/* The idx-th prefix of length pool_plen in the pool. */
static void
pool_prefix(const struct node *n, uint32_t idx1, struct mh_prefix *p)
{
	uint32_t idx = idx1 - 1;
	int b, pos;

	*p = n->cfg.pool;
	p->len = n->cfg.pool_plen;
	for (b = 0; b < p->len - n->cfg.pool.len && b < 32; b++) {
		pos = p->len - 1 - b;
		if (idx >> b & 1)
			p->addr[pos / 8] |= (uint8_t)(0x80 >> (pos % 8));
		else
			p->addr[pos / 8] &= (uint8_t)~(0x80 >> (pos % 8));
	}
}

/* The client's service prefix: ours from the pool, or the one it brought
 * from the egress its transaction moved from. */
static void
binding_prefix(const struct node *n, const struct binding *b,
    struct mh_prefix *p)
{
	if (b->prefix != 0)
		pool_prefix(n, b->prefix, p);
	else
		*p = b->moved;
}

/* ------------------------------------------------------------------ */

static bool
has_instance(const struct node *n, int service)
{
	size_t i;

	for (i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].service == service)
			return true;
	return false;
}

/* Index in cfg.instances of the service's instance here, or -1. */
static int
instance_index(const struct node *n, int service)
{
	size_t i;

	for (i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].service == service)
			return (int)i;
	return -1;
}

/* The sender's index in the C-PS: the querying ingress, whose path the
 * conditions describe. */
static uint32_t
ingress_sel(const struct node *n, const struct rx *rx)
{
	return rx->peer >= 0 ? n->cfg.peers[rx->peer].sel_index : 0;
}

static uint32_t
instance_of(const struct node *n, int service)
{
	size_t i;

	for (i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].service == service)
			return n->cfg.instances[i].id;
	return 0;
}

static void
dp_client(struct node *n, enum dp_op op, const struct binding *b,
    const uint8_t *peer)
{
	struct dp_intent d;

	memset(&d, 0, sizeof(d));
	d.op = op;
	memcpy(d.client, b->key.client, 16);
	if (peer != NULL)
		memcpy(d.peer, peer, 16);
	d.service = b->key.service;
	d.instance = instance_of(n, b->key.service);
	binding_prefix(n, b, &d.prefix);
	d.tx = b->tx;
	node_dp(n, &d);
}

/* The binding goes, and its prefix back to the pool: the caller has
 * withdrawn its routes (DP_UNRETURN, which covers the prefix) already. */
static void
binding_del(struct node *n, struct binding *b)
{
	pool_put(E(n), b->prefix);
	node_release(n, NODE_STATE_BINDING, &b->owner);
	table_del(&E(n)->bindings, b);
}

static struct binding *
binding_of(struct node *n, const struct rx *rx, int *service)
{
	struct bkey k;

	*service = msg_service_index(n, &rx->m);
	if (*service < 0 || !(rx->m.present & MH_BIT(MH_O_CLIENT_ADDR)))
		return NULL;
	memset(&k, 0, sizeof(k));
	memcpy(k.client, rx->m.client_addr, 16);
	k.service = (uint16_t)*service;
	return table_get(&E(n)->bindings, &k);
}

/* Anchoring 3 steps 2.b and 6 on instance i (cfg.instances): while it is
 * gone (docs/engine.md §7) "unavailable", the reason the selector gives a
 * down instance; else its conditions against the requirements. */
static enum cats_sel_reason
judge(const struct node *n, int i, const struct rx *rx,
    struct mh_cats_req *cond)
{
	if (E(n)->gone[i])
		return CATS_SEL_UNAVAILABLE;
	return reqs_judge(n, (size_t)i, ingress_sel(n, rx), &rx->m, cond);
}

static void
sweep_arm(struct node *n, uint64_t now)
{
	if (E(n)->sweeping)
		return;
	E(n)->sweeping = true;
	node_timer(n, ROLE_EGRESS, 1, now + SWEEP_MS);
}

/* ------------------------------------------------------------------ */
/* Session set-up: anchoring section 3                                 */

/*
 * Anchoring 3 step 2.b: answer with the site's conditions for this
 * ingress (its path and the instance's compute metrics, reqs_judge), and
 * "no CATS sites available" when they break a requirement the query
 * carries, affinity included.
 */
static void
eg_query(struct node *n, const struct rx *rx)
{
	enum cats_sel_reason why = CATS_SEL_NO_INSTANCE;
	struct mh_cats_req cond;
	struct mh_msg a;
	int s = msg_service_index(n, &rx->m);
	int i = s < 0 ? -1 : instance_index(n, s);

	mh_msg_init(&a, MH_K_CATS_RESPONSE);
	a.seq = rx->m.seq;
	a.flags |= MH_BA_P;
	a.present |= MH_BIT(MH_O_SERVICE_ID);
	a.service_id = rx->m.service_id;
	if (rx->m.present & MH_BIT(MH_O_CLIENT_ADDR))
		msg_client(&a, rx->m.client_addr);
	if (i >= 0)
		why = judge(n, i, rx, &cond);
	if (why != CATS_SEL_OK) {
		a.status = MH_ST_CATS_UNAVAILABLE;
		if (i >= 0)
			node_unmet(n, why);
	} else {
		a.status = MH_ST_CATS_AVAILABLE;
		a.present |= MH_BIT(MH_O_CR_ID) | MH_BIT(MH_O_CATS_COND) |
		    MH_BIT(MH_O_CIS_ID);
		a.crid_format = MH_CRID_IP;
		a.crid.p = n->cfg.addr;
		a.crid.len = 16;
		a.cond = cond;
		a.cis_id = instance_of(n, s);
	}
	node_send(n, rx->src, &a);
}

static void
ack_request(struct node *n, const struct rx *rx, const struct binding *b,
    uint8_t status)
{
	struct mh_msg a;

	mh_msg_init(&a, MH_K_CATS_ACK);
	a.seq = rx->m.seq;
	a.status = status;
	a.flags |= MH_BA_P;
	a.lifetime = status == MH_ST_CATS_AVAILABLE ? rx->m.lifetime : 0;
	a.present |= MH_BIT(MH_O_SERVICE_ID) | MH_BIT(MH_O_CR_ID);
	a.service_id = rx->m.service_id;
	a.crid_format = MH_CRID_IP;
	a.crid.p = n->cfg.addr;
	a.crid.len = 16;
	if (rx->m.present & MH_BIT(MH_O_CLIENT_ADDR))
		msg_client(&a, rx->m.client_addr);
	if (b != NULL && status == MH_ST_CATS_AVAILABLE) {
		/* anchoring 3 step 6: the conditions it accepted on */
		int i = instance_index(n, b->key.service);

		if (i >= 0) {
			(void)reqs_judge(n, (size_t)i, ingress_sel(n, rx), &rx->m,
			    &a.cond);
			a.present |= MH_BIT(MH_O_CATS_COND);
		}
		binding_prefix(n, b, &a.svc_prefix);
		a.present |= MH_BIT(MH_O_CIS_ID) |
		    (a.svc_prefix.len > 0 ? MH_BIT(MH_O_SVC_PREFIX) : 0);
		a.cis_id = instance_of(n, b->key.service);
	}
	node_send(n, rx->src, &a);
}

/* RFC 6275 9.5.1: a sequence number not greater than the last accepted,
 * modulo 2^16 in a window of half the space, is stale. */
static bool
seq_stale(uint16_t seq, uint16_t last)
{
	return (uint16_t)(seq - last) == 0 || (uint16_t)(seq - last) > 0x8000;
}

/* RFC 5213 5.5: the timestamp must be within the window of our clock and
 * not older than the last one accepted for this binding. */
static uint8_t
ts_check(const struct node *n, const struct mh_msg *m, const struct binding *b)
{
	uint64_t ours = node_stamp(n), win;

	if (!(m->present & MH_BIT(MH_O_TIMESTAMP)))
		return MH_ST_ACCEPTED;
	win = node_timestamp(n->cfg.ts_window_ms);
	if (m->timestamp + win < ours || m->timestamp > ours + win)
		return MH_ST_TIMESTAMP_MISMATCH;
	if (b != NULL && b->has_seq && m->timestamp < b->last_ts)
		return MH_ST_TIMESTAMP_LOWER;
	return MH_ST_ACCEPTED;
}

/* A refused request changes nothing: the checks run before the binding is
 * created or touched. */
static bool
m_has_ts(const struct mh_msg *m)
{
	return (m->present & MH_BIT(MH_O_TIMESTAMP)) != 0;
}

static uint8_t
request_check(struct node *n, const struct rx *rx, const struct binding *b)
{
	uint8_t st;

	/* RFC 5213 5.5: with a timestamp, the timestamp orders requests (from
	 * one ingress or several) and the sequence number only pairs a request
	 * with its answer; without one, sequence numbers are per sender. */
	if (m_has_ts(&rx->m))
		goto timestamp;
	if (b != NULL && b->has_seq && b->ingress == rx->peer &&
	    seq_stale(rx->m.seq, b->last_seq)) {
		node_drop(n, rx->m.seq == b->last_seq ? NODE_DROP_DUPLICATE :
		    NODE_DROP_STALE_SEQ);
		return rx->m.seq == b->last_seq ? MH_ST_ACCEPTED :
		    MH_ST_SEQ_OUT_OF_WINDOW;
	}
timestamp:
	if ((st = ts_check(n, &rx->m, b)) != MH_ST_ACCEPTED)
		node_drop(n, NODE_DROP_TIMESTAMP);
	return st;
}

/* The same request again (a retransmission): same sender, number and, if
 * any, timestamp.  It gets its answer again and changes nothing. */
static bool
is_repeat(const struct binding *b, const struct rx *rx)
{
	return b != NULL && b->has_seq && b->ingress == rx->peer &&
	    rx->m.seq == b->last_seq &&
	    (!m_has_ts(&rx->m) || rx->m.timestamp == b->last_ts);
}

static void
eg_request(struct node *n, const struct rx *rx, uint64_t now)
{
	struct binding *b;
	struct bkey k;
	enum cats_sel_reason why;
	int s;
	uint8_t st;
	bool created;

	b = binding_of(n, rx, &s);
	if (s < 0 || !(rx->m.present & MH_BIT(MH_O_CLIENT_ADDR)) ||
	    !has_instance(n, s)) {
		ack_request(n, rx, NULL, MH_ST_CATS_UNAVAILABLE);
		return;
	}
	if (is_repeat(b, rx)) {
		node_drop(n, NODE_DROP_DUPLICATE);
		ack_request(n, rx, b, MH_ST_CATS_AVAILABLE);
		return;
	}
	st = request_check(n, rx, b);
	if (st != MH_ST_ACCEPTED) {
		/* a retransmission gets the answer again, nothing else */
		ack_request(n, rx, b, st == MH_ST_ACCEPTED ? MH_ST_CATS_AVAILABLE : st);
		return;
	}
	if (rx->m.lifetime == 0) {		/* RFC 5213 5.3.5 deregistration */
		/* only from the ingress holding it: a late one from an ingress
		 * the client left must not remove the new registration */
		if (b != NULL && b->ingress == rx->peer) {
			dp_client(n, DP_UNRETURN, b, NULL);
			binding_del(n, b);
		}
		ack_request(n, rx, NULL, MH_ST_CATS_AVAILABLE);
		return;
	}
	/* anchoring 3 step 6: the ECR checks the requirements before it
	 * ACKs; unmet, nothing is anchored or steered.  A binding already
	 * held (a refresh, a moved transaction) is not judged again: its
	 * session was accepted, and a refresh must not break it. */
	if (b == NULL && (why = judge(n, instance_index(n, s), rx, NULL)) !=
	    CATS_SEL_OK) {
		node_unmet(n, why);
		ack_request(n, rx, NULL, MH_ST_CATS_UNAVAILABLE);
		return;
	}
	memset(&k, 0, sizeof(k));
	memcpy(k.client, rx->m.client_addr, 16);
	k.service = (uint16_t)s;
	if ((b = table_put(&E(n)->bindings, &k, &created)) == NULL) {
		node_drop(n, NODE_DROP_NO_RESOURCES);
		ack_request(n, rx, NULL, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	/* charged to the ingress it serves, which a refresh from another
	 * one changes; at its quota the request is refused (RFC 5213 8.9
	 * "insufficient resources") and a binding held stays as it was */
	if (!node_recharge(n, rx->peer, NODE_STATE_BINDING, &b->owner)) {
		if (created)
			table_del(&E(n)->bindings, b);
		ack_request(n, rx, NULL, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	if (b->prefix == 0 && b->moved.len == 0 &&
	    (b->prefix = pool_get(E(n))) == 0) {
		binding_del(n, b);
		node_drop(n, NODE_DROP_NO_RESOURCES);
		ack_request(n, rx, NULL, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	b->state = EB_ACTIVE;
	b->has_seq = true;
	b->last_seq = rx->m.seq;
	b->last_ts = (rx->m.present & MH_BIT(MH_O_TIMESTAMP)) ? rx->m.timestamp : 0;
	b->expires = now + (uint64_t)rx->m.lifetime * 4000;
	if (created || b->ingress != rx->peer) {
		b->ingress = (int16_t)rx->peer;
		dp_client(n, DP_RETURN, b, rx->src);
	}
	sweep_arm(n, now);
	ack_request(n, rx, b, MH_ST_CATS_AVAILABLE);
}

/* ------------------------------------------------------------------ */
/* Instance failure (docs/engine.md §7)                                */

/* The ingresses whose clients the instance serves are the ones to tell:
 * a binding's results go to its ingress (EB_ACTIVE). */
static void
ingresses_on(const struct node *n, uint16_t service, bool on[NODE_MAX_PEERS])
{
	const struct binding *b;
	size_t pos = 0;

	while ((b = table_next(&E(n)->bindings, &pos)) != NULL)
		if (b->key.service == service && b->state == EB_ACTIVE &&
		    b->ingress >= 0 && b->ingress < NODE_MAX_PEERS)
			on[b->ingress] = true;
}

int
eg_instance_gone(struct node *n, uint32_t cis_id, bool gone,
    bool on[NODE_MAX_PEERS])
{
	bool was;
	size_t i;

	if (E(n) == NULL)
		return -1;
	for (i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].id == cis_id)
			break;
	if (i == n->cfg.ninstances || i >= NODE_MAX_INSTANCES)
		return -1;
	was = E(n)->gone[i];
	E(n)->gone[i] = gone;
	ingresses_on(n, n->cfg.instances[i].service, on);
	return was;
}

/* ------------------------------------------------------------------ */
/* Mobility: the indication from the new ingress (mobility 4.2)        */

static void
eg_indication(struct node *n, const struct rx *rx)
{
	struct binding *b;
	int s;

	b = binding_of(n, rx, &s);
	if (b == NULL || b->state != EB_ACTIVE) {
		node_drop(n, NODE_DROP_UNKNOWN_CLIENT);
		node_ack(n, rx, MH_ST_CATS_UNKNOWN_CLIENT);
		return;
	}
	/* mobility 4.2: the old ingress it names must be the one that holds
	 * the binding, and a late indication (older than the last
	 * registration) must not take the results back */
	if (b->ingress != rx->peer && (b->ingress < 0 ||
	    memcmp(node_peer_addr(n, b->ingress), rx->m.cats_addr, 16) != 0)) {
		node_drop(n, NODE_DROP_UNEXPECTED);
		node_ack(n, rx, MH_ST_PROHIBITED);
		return;
	}
	/* once registrations are timestamped, an indication must be too:
	 * without one it cannot be ordered against them */
	if (!m_has_ts(&rx->m) && b->last_ts != 0) {
		node_drop(n, NODE_DROP_TIMESTAMP);
		node_ack(n, rx, MH_ST_TIMESTAMP_MISMATCH);
		return;
	}
	if (m_has_ts(&rx->m) && rx->m.timestamp < b->last_ts) {
		node_drop(n, NODE_DROP_TIMESTAMP);
		node_ack(n, rx, MH_ST_TIMESTAMP_LOWER);
		return;
	}
	/* the binding now serves the new ingress: its charge goes with it */
	if (!node_recharge(n, rx->peer, NODE_STATE_BINDING, &b->owner)) {
		node_ack(n, rx, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	if (m_has_ts(&rx->m))
		b->last_ts = rx->m.timestamp;
	if (b->ingress != rx->peer) {
		b->ingress = (int16_t)rx->peer;
		b->has_seq = false;	/* the new ingress numbers its own */
		dp_client(n, DP_RETURN, b, rx->src);
	}
	node_ack(n, rx, MH_ST_ACCEPTED);
}

/* ------------------------------------------------------------------ */
/* Transaction switching (mobility fig. 3)                             */

static void
send_tx_answer(struct node *n, enum mh_kind kind, const struct binding *b,
    const uint8_t *dst, uint8_t status)
{
	struct mh_msg a;

	mh_msg_init(&a, kind);
	a.seq = b->ans_seq;
	a.status = status;
	msg_client(&a, b->key.client);
	msg_service(&a, n, b->key.service);
	a.present |= MH_BIT(MH_O_TRANSACTION);
	a.tx = b->tx;
	if (kind == MH_K_TX_RECEIVED) {		/* the instance resuming it */
		a.present |= MH_BIT(MH_O_CIS_ID);
		a.cis_id = instance_of(n, b->key.service);
	}
	node_send(n, dst, &a);
}

static bool
peer_is_egress(const struct node *n, const uint8_t addr[16])
{
	int p = node_peer_find(&n->cfg, addr);

	return p >= 0 && (n->cfg.peers[p].roles & NODE_EGRESS);
}

/* At the old egress: hand the state to the new egress (CATS address). */
static void
eg_transfer_request(struct node *n, const struct rx *rx)
{
	struct binding *b;
	struct binding none;
	int s;

	b = binding_of(n, rx, &s);
	if (b == NULL || b->state == EB_AWAIT_STATE || b->state == EB_STATE_ONLY) {
		node_drop(n, NODE_DROP_UNKNOWN_CLIENT);
		memset(&none, 0, sizeof(none));
		memcpy(none.key.client, rx->m.client_addr, 16);
		none.key.service = (uint16_t)(s < 0 ? 0 : s);
		none.ans_seq = rx->m.seq;
		none.tx = rx->m.tx;
		if (s >= 0)
			send_tx_answer(n, MH_K_TX_CONFIRM, &none, rx->src,
			    MH_ST_CATS_UNKNOWN_CLIENT);
		return;
	}
	if (b->ingress != rx->peer || !peer_is_egress(n, rx->m.cats_addr)) {
		node_drop(n, NODE_DROP_UNEXPECTED);
		return;
	}
	if (b->state == EB_EXPORTING) {
		node_drop(n, NODE_DROP_DUPLICATE);
		return;
	}
	if (b->state == EB_EXPORTED) {		/* the confirm was lost */
		node_drop(n, NODE_DROP_DUPLICATE);
		send_tx_answer(n, MH_K_TX_CONFIRM, b, rx->src, MH_ST_ACCEPTED);
		return;
	}
	b->state = EB_EXPORTING;
	b->requester = (int16_t)rx->peer;
	b->ans_seq = rx->m.seq;
	b->tx = rx->m.tx;
	dp_client(n, DP_STATE_EXPORT, b, rx->m.cats_addr);
}

/* At the new egress: the state will come from the old one. */
static void
start_import(struct node *n, struct binding *b)
{
	b->state = EB_ACTIVE;
	dp_client(n, DP_RETURN, b, node_peer_addr(n, b->ingress));
	dp_client(n, DP_STATE_IMPORT, b, NULL);
	send_tx_answer(n, MH_K_TX_RECEIVED, b, node_peer_addr(n, b->ingress),
	    MH_ST_ACCEPTED);
}

static void
eg_transfer_notify(struct node *n, const struct rx *rx, uint64_t now)
{
	struct binding *b;
	struct bkey k;
	int s;
	bool created;

	if ((s = msg_service_index(n, &rx->m)) < 0 || !has_instance(n, s)) {
		node_ack(n, rx, MH_ST_CATS_UNAVAILABLE);
		return;
	}
	memset(&k, 0, sizeof(k));
	memcpy(k.client, rx->m.client_addr, 16);
	k.service = (uint16_t)s;
	if ((b = table_put(&E(n)->bindings, &k, &created)) == NULL) {
		node_drop(n, NODE_DROP_NO_RESOURCES);
		return;
	}
	if (!created && b->state == EB_ACTIVE && b->ans_seq == rx->m.seq) {
		node_drop(n, NODE_DROP_DUPLICATE);	/* tx-received was lost */
		send_tx_answer(n, MH_K_TX_RECEIVED, b, rx->src, MH_ST_ACCEPTED);
		return;
	}
	if (!peer_is_egress(n, rx->m.cats_addr)) {
		node_drop(n, NODE_DROP_UNEXPECTED);
		if (created)
			table_del(&E(n)->bindings, b);
		return;
	}
	/* dropped at the quota, as when the table is full: the old egress
	 * keeps the transaction (its tx-confirm waits in vain) */
	if (!node_recharge(n, rx->peer, NODE_STATE_BINDING, &b->owner)) {
		if (created)
			table_del(&E(n)->bindings, b);
		return;
	}
	b->ingress = (int16_t)rx->peer;
	b->ans_seq = rx->m.seq;
	b->expires = now + (uint64_t)n->cfg.lifetime * 4000;
	if (b->prefix == 0 && (rx->m.present & MH_BIT(MH_O_SVC_PREFIX)))
		b->moved = rx->m.svc_prefix;	/* anchored elsewhere, kept */
	sweep_arm(n, now);
	if (created || b->state != EB_STATE_ONLY) {
		b->state = EB_AWAIT_STATE;
		b->tx = rx->m.tx;
		return;
	}
	start_import(n, b);
}

static struct binding *
binding_for_event(struct node *n, const struct ev *ev, bool create)
{
	struct bkey k;
	bool created;

	memset(&k, 0, sizeof(k));
	memcpy(k.client, ev->client, 16);
	k.service = ev->service;
	if (!create)
		return table_get(&E(n)->bindings, &k);
	return table_put(&E(n)->bindings, &k, &created);
}

static bool
eg_local(struct node *n, const struct ev *ev, uint64_t now)
{
	struct binding *b;

	switch (ev->type) {
	case EV_STATE_SENT:
		b = binding_for_event(n, ev, false);
		if (b == NULL || b->state != EB_EXPORTING)
			return true;
		b->state = EB_EXPORTED;
		b->tx = ev->tx;			/* what the edge actually handed over */
		b->expires = now + SWEEP_MS;	/* long enough to re-confirm */
		/* fig. 3: close tunnel, for the client and its prefix */
		dp_client(n, DP_UNRETURN, b, NULL);
		/* the client keeps its prefix behind the new egress: it must
		 * never go back into our pool (one prefix per moved client is
		 * lost to reuse; two clients sharing one would be far worse) */
		b->prefix = 0;
		send_tx_answer(n, MH_K_TX_CONFIRM, b,
		    node_peer_addr(n, b->requester), MH_ST_ACCEPTED);
		return true;
	case EV_STATE_RECEIVED:
		if ((b = binding_for_event(n, ev, true)) == NULL) {
			node_drop(n, NODE_DROP_NO_RESOURCES);
			return true;
		}
		b->tx = ev->tx;
		if (b->state == EB_AWAIT_STATE) {
			start_import(n, b);
			return true;
		}
		b->state = EB_STATE_ONLY;
		b->expires = now + (uint64_t)n->cfg.lifetime * 4000;
		sweep_arm(n, now);
		return true;
	default:
		return false;
	}
}

static void
eg_timer(struct node *n, uint64_t sub, uint64_t now)
{
	struct binding *b;
	size_t pos = 0;

	(void)sub;
	E(n)->sweeping = false;
	while ((b = table_next(&E(n)->bindings, &pos)) != NULL) {
		if (b->expires == 0 || b->expires > now)
			continue;
		/* its routes go first: only then may the pool give the
		 * prefix to another client */
		if (b->state == EB_ACTIVE || b->state == EB_EXPORTING)
			dp_client(n, DP_UNRETURN, b, NULL);
		binding_del(n, b);
	}
	if (E(n)->bindings.n > 0)
		sweep_arm(n, now);
}

static bool
eg_msg(struct node *n, const struct rx *rx, uint64_t now)
{
	if (rx->peer < 0)
		return false;
	switch (rx->m.kind) {
	case MH_K_CATS_QUERY:
		/* a node that is the C-PS too answers as the C-PS (anchoring
		 * option 2): its choice covers this egress's instances and
		 * every other's */
		if (n->cfg.roles & NODE_CONTROLLER)
			return false;
		eg_query(n, rx);
		return true;
	case MH_K_CATS_REQUEST:
		eg_request(n, rx, now);
		return true;
	case MH_K_MOB_INDICATION:
		/* to an egress it names the old ingress (mobility 4.2) */
		if (!(rx->m.present & MH_BIT(MH_O_CATS_ADDR)))
			return false;
		eg_indication(n, rx);
		return true;
	case MH_K_TX_TRANSFER_REQ:
		eg_transfer_request(n, rx);
		return true;
	case MH_K_TX_TRANSFER_NOTIFY:
		eg_transfer_notify(n, rx, now);
		return true;
	default:
		return false;
	}
}

static const char *const eb_names[] = {
	[EB_ACTIVE] = "active", [EB_EXPORTING] = "exporting",
	[EB_EXPORTED] = "exported", [EB_AWAIT_STATE] = "await-state",
	[EB_STATE_ONLY] = "state-only",
};

static size_t
eg_walk(const struct node *n, size_t *pos, size_t max, node_walk_fn fn,
    void *arg)
{
	const struct binding *b;
	struct node_session_info i;
	size_t k = 0;

	while (k < max && (b = table_next(&E(n)->bindings, pos)) != NULL) {
		memset(&i, 0, sizeof(i));
		i.role = "egress";
		i.state = eb_names[b->state];
		memcpy(i.client, b->key.client, 16);
		i.service = b->key.service;
		i.egress = -1;
		i.other = b->ingress;
		binding_prefix(n, b, &i.prefix);
		i.expires_ms = b->expires;
		fn(arg, &i);
		k++;
	}
	return k;
}

static size_t
eg_sessions(const struct node *n)
{
	return E(n)->bindings.n;
}

static size_t
eg_memory(const struct node *n)
{
	return sizeof(struct egress) + table_memory(&E(n)->bindings) +
	    E(n)->capfreed * sizeof(uint32_t);
}

const struct role role_egress = {
	.name = "egress",
	.bit = NODE_EGRESS,
	.init = eg_init,
	.free = eg_free,
	.msg = eg_msg,
	.local = eg_local,
	.timer = eg_timer,
	.walk = eg_walk,
	.sessions = eg_sessions,
	.memory = eg_memory,
};
