/*
 * node: one CATS node, its roles behind one event entry point.
 *
 * The node decodes every message once, checks its sender against the
 * configured peers, counts it, and hands it to the first role that claims
 * its kind.  It also owns what every role needs the same way: sequence
 * numbers, reliable sending with exponential back-off, and timers.
 */
#include <stdlib.h>
#include <string.h>

#include "cats/buf.h"
#include "node_int.h"

#define RTX_MAX_PENDING	(1u << 16)	/* one per sequence number */

static const struct role *const roles[ROLE__COUNT] = {
	[ROLE_INGRESS] = &role_ingress,
	[ROLE_EGRESS] = &role_egress,
	[ROLE_CONTROLLER] = &role_controller,
	[ROLE_LOCATOR] = &role_locator,
};

static const char *const drop_names[NODE_DROP__COUNT] = {
	[NODE_DROP_DECODE] = "malformed",
	[NODE_DROP_NOT_PEER] = "not-a-peer",
	[NODE_DROP_NO_ROLE] = "no-role-for-kind",
	[NODE_DROP_UNKNOWN_CLIENT] = "unknown-client",
	[NODE_DROP_UNEXPECTED] = "unexpected",
	[NODE_DROP_STALE_SEQ] = "stale-sequence",
	[NODE_DROP_TIMESTAMP] = "timestamp-out-of-window",
	[NODE_DROP_DUPLICATE] = "duplicate",
	[NODE_DROP_UNKNOWN_SERVICE] = "unknown-service",
	[NODE_DROP_NO_RESOURCES] = "no-resources",
	[NODE_DROP_RTX_EXHAUSTED] = "retransmissions-exhausted",
	[NODE_DROP_WRONG_ROLE] = "wrong-role",
	[NODE_DROP_UNMET] = "requirements-unmet",
	[NODE_DROP_SWITCH_REFUSED] = "switch-refused",
	[NODE_DROP_METRIC] = "metric-refused",
	[NODE_DROP_NO_AUTH] = "no-auth",
	[NODE_DROP_BAD_AUTH] = "bad-auth",
	[NODE_DROP_UNKNOWN_SPI] = "unknown-spi",
	[NODE_DROP_REPLAY] = "replay",
	[NODE_DROP_NO_TIMESTAMP] = "no-timestamp",
	[NODE_DROP_PEER_LIMIT] = "peer-limit",
	[NODE_DROP_RATE_LIMITED] = "rate-limited",
};

static const char *const state_names[NODE_STATE__COUNT] = {
	[NODE_STATE_BINDING] = "bindings",
	[NODE_STATE_SESSION] = "sessions",
	[NODE_STATE_LOCATOR] = "locator_records",
	[NODE_STATE_PENDING] = "pending",
};

/*
 * Kinds that answer a message and echo its sequence number: they carry
 * the asker's number, not the sender's, so they are outside the sender's
 * sequence window (the asker matches them to what it sent, node_rtx_done)
 * and are what the answer cache keeps.  Every other kind carries the
 * sender's own number.
 */
static const uint8_t answer_kinds[] = {
	MH_K_PBA, MH_K_CATS_RESPONSE, MH_K_CATS_ACK, MH_K_TX_CONFIRM,
	MH_K_TX_RECEIVED, MH_K_LOC_REPLY, MH_K_SVC_REPLY, MH_K_MSG_ACK,
	MH_K_HEARTBEAT_ACK,
};

static bool
is_answer_kind(uint8_t kind)
{
	for (size_t i = 0; i < sizeof(answer_kinds); i++)
		if (answer_kinds[i] == kind)
			return true;
	return false;
}

bool
node_drop_is_auth(enum node_drop d)
{
	switch (d) {
	case NODE_DROP_NO_AUTH:
	case NODE_DROP_BAD_AUTH:
	case NODE_DROP_UNKNOWN_SPI:
	case NODE_DROP_REPLAY:
	case NODE_DROP_NO_TIMESTAMP:
	case NODE_DROP_TIMESTAMP:
		return true;
	default:
		return false;
	}
}

/*
 * Who may send what: a peer in the wrong role (the locator sending an
 * indication, an egress asking another egress to export a client's state)
 * is refused before any role sees the message.  Kinds not listed (msg-ack,
 * plain PBU/PBA) may come from any peer; svc-request only from a client.
 */
static const struct {
	uint8_t		 kind;
	uint32_t	 roles;
} sender_tab[] = {
	{ MH_K_CATS_QUERY, NODE_INGRESS },
	{ MH_K_CATS_REQUEST, NODE_INGRESS },
	{ MH_K_MOB_NOTIFY, NODE_INGRESS },
	{ MH_K_MOB_REQUEST, NODE_INGRESS },
	{ MH_K_MOB_INDICATION, NODE_INGRESS },
	{ MH_K_TX_TRANSFER_REQ, NODE_INGRESS },
	{ MH_K_TX_TRANSFER_NOTIFY, NODE_INGRESS },
	{ MH_K_LOC_REGISTER, NODE_INGRESS },
	{ MH_K_LOC_QUERY, NODE_INGRESS },
	{ MH_K_CATS_RESPONSE, NODE_EGRESS | NODE_CONTROLLER },
	{ MH_K_CATS_ACK, NODE_EGRESS },
	{ MH_K_TX_CONFIRM, NODE_EGRESS },
	{ MH_K_TX_RECEIVED, NODE_EGRESS },
	{ MH_K_LOC_REPLY, NODE_LOCATOR },
	{ MH_K_METRIC_REPORT, NODE_INGRESS | NODE_EGRESS },
};

static bool
sender_allowed(const struct node *n, const struct rx *rx)
{
	size_t i;

	for (i = 0; i < sizeof(sender_tab) / sizeof(sender_tab[0]); i++)
		if (sender_tab[i].kind == rx->m.kind)
			return (n->cfg.peers[rx->peer].roles & sender_tab[i].roles) != 0;
	return true;
}

/* A message sent reliably, waiting for its answer. */
struct rtx_entry {
	uint16_t	 seq;		/* key */
	uint8_t		 role;
	uint8_t		 tries;
	uint32_t	 backoff_ms;
	uint8_t		 dst[16];
	uint64_t	 cookie;
	uint16_t	 len;
	uint8_t		 owner;		/* node_charge: the peer it waits on */
	uint8_t		*buf;
};

const char *
node_drop_name(enum node_drop d)
{
	return (unsigned)d < NODE_DROP__COUNT ? drop_names[d] : "unknown";
}

/* 1 ms to 10 s: a proactive handover's few ms to a reactive one that
 * waited for retransmissions */
const uint32_t node_ho_le_ms[NODE_HO_BUCKETS] = {
	1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000,
};

const char *
node_ho_name(enum node_ho h)
{
	static const char *const names[NODE_HO__COUNT] = {
		"proactive", "reactive-locator", "reactive-prefix",
	};

	return (unsigned)h < NODE_HO__COUNT ? names[h] : "unknown";
}

void
node_cfg_default(struct node_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->setup = SETUP_QUERY_CONTROLLER;
	c->find = FIND_LOCATOR;
	c->query_deadline_ms = 50;
	c->lifetime = 75;			/* 300 s */
	c->pool_plen = 64;
	c->conditions.max_lat = MH_REQ_UNSET;
	c->conditions.max_jitter = MH_REQ_UNSET;
	c->conditions.max_loss = MH_REQ_UNSET;
	c->conditions.comp_lat = MH_REQ_UNSET;
	/* RFC 6275 12: INITIAL_BINDACK_TIMEOUT 1 s, MAX_BINDACK_TIMEOUT 32 s;
	 * shorter here, signaling stays inside one domain. */
	c->rtx_initial_ms = 200;
	c->rtx_max_ms = 3200;
	c->rtx_tries = 6;
	c->ts_window_ms = 7000;			/* RFC 5213 5.5 TimestampValidityWindow */
	c->max_sessions = 1u << 22;
	c->limits.state = NODE_LIMIT_STATE;
	c->limits.rate = NODE_LIMIT_RATE;
	c->limits.burst = NODE_LIMIT_BURST;
	c->continuity_idle_ms = 2000;
}

int
node_peer_find(const struct node_cfg *c, const uint8_t addr[16])
{
	size_t i;

	for (i = 0; i < c->npeers; i++)
		if (memcmp(c->peers[i].addr, addr, 16) == 0)
			return (int)i;
	return -1;
}

int
node_service_find(const struct node_cfg *c, const uint8_t *id, size_t len)
{
	size_t i;

	for (i = 0; i < c->nservices; i++)
		if (c->services[i].id_len == len &&
		    memcmp(c->services[i].id, id, len) == 0)
			return (int)i;
	return -1;
}

int
node_peer_by_sel(const struct node *n, uint32_t roles_mask, uint32_t sel_index)
{
	size_t i;

	for (i = 0; i < n->cfg.npeers; i++)
		if ((n->cfg.peers[i].roles & roles_mask) &&
		    n->cfg.peers[i].sel_index == sel_index)
			return (int)i;
	return -1;
}

const uint8_t *
node_peer_addr(const struct node *n, int peer)
{
	return n->cfg.peers[peer].addr;
}

bool
prefix_contains(const struct mh_prefix *p, const uint8_t a[16])
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->len == 0 || memcmp(p->addr, a, full) != 0)
		return false;
	return rest == 0 ||
	    ((p->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static const char *
cfg_check(const struct node_cfg *c)
{
	if (c->roles == 0)
		return "no role configured";
	if (c->npeers > NODE_MAX_PEERS || c->nservices > NODE_MAX_SERVICES ||
	    c->ninstances > NODE_MAX_INSTANCES)
		return "too many peers, services or instances";
	if (c->rtx_initial_ms == 0 || c->rtx_max_ms < c->rtx_initial_ms)
		return "retransmission timers must be positive and ordered";
	if ((c->roles & NODE_CONTROLLER) && c->sel == NULL)
		return "a controller needs a path selector";
	for (size_t i = 0; i < c->npeers; i++)
		if (c->peers[i].auth.nkeys > AUTH_KEYS_MAX ||
		    (c->peers[i].auth.nkeys > 0 &&
		    c->peers[i].auth.send >= c->peers[i].auth.nkeys))
			return "a peer has more than two keys, or no key to send with";
	return NULL;
}

struct node *
node_new(const struct node_cfg *cfg, const struct node_ops *ops, void *ctx,
    const char **why)
{
	struct node *n;
	int r;

	*why = cfg_check(cfg);
	if (*why != NULL)
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	n->cfg = *cfg;
	n->ops = ops;
	n->ctx = ctx;
	n->seq = 1;
	n->prx = calloc(cfg->npeers > 0 ? cfg->npeers : 1, sizeof(*n->prx));
	if (n->prx == NULL || !table_init(&n->rtx, sizeof(struct rtx_entry),
	    sizeof(uint16_t), RTX_MAX_PENDING)) {
		free(n->prx);
		free(n);
		*why = "out of memory";
		return NULL;
	}
	for (r = 0; r < ROLE__COUNT; r++) {
		if (!(cfg->roles & roles[r]->bit))
			continue;
		if (!roles[r]->init(n, why)) {
			node_free(n);
			return NULL;
		}
	}
	if (!live_init(n)) {
		node_free(n);
		*why = "out of memory";
		return NULL;
	}
	return n;
}

void
node_free(struct node *n)
{
	struct rtx_entry *e;
	size_t pos = 0;
	int r;

	if (n == NULL)
		return;
	for (r = 0; r < ROLE__COUNT; r++)
		if (n->state[r] != NULL)
			roles[r]->free(n);
	while ((e = table_next(&n->rtx, &pos)) != NULL)
		free(e->buf);
	table_free(&n->rtx);
	live_free(n);
	for (size_t i = 0; i < n->cfg.npeers; i++)
		for (size_t j = 0; j < NODE_ANSWERS; j++)
			free(n->prx[i].ans[j].buf);
	free(n->prx);
	free(n);
}

bool
node_rekey(struct node *n, const struct node_cfg *c)
{
	bool changed = false;
	size_t i;

	if (c->npeers != n->cfg.npeers)
		return false;
	for (i = 0; i < c->npeers; i++) {
		if (memcmp(c->peers[i].addr, n->cfg.peers[i].addr, 16) != 0 ||
		    c->peers[i].auth.nkeys > AUTH_KEYS_MAX ||
		    (c->peers[i].auth.nkeys > 0 &&
		    c->peers[i].auth.send >= c->peers[i].auth.nkeys))
			return false;
		changed = changed || memcmp(&c->peers[i].auth,
		    &n->cfg.peers[i].auth, sizeof(c->peers[i].auth)) != 0;
	}
	if (!changed)
		return false;
	for (i = 0; i < c->npeers; i++)
		n->cfg.peers[i].auth = c->peers[i].auth;
	return true;
}

const struct node_cfg *
node_config(const struct node *n)
{
	return &n->cfg;
}

const struct node_counters *
node_counters(const struct node *n)
{
	return &n->cnt;
}

size_t
node_session_count(const struct node *n)
{
	size_t total = 0;
	int r;

	for (r = 0; r < ROLE__COUNT; r++)
		if (n->state[r] != NULL && roles[r]->sessions != NULL)
			total += roles[r]->sessions(n);
	return total;
}

void
node_walk(const struct node *n, node_walk_fn fn, void *arg)
{
	struct node_cursor c = { 0, 0 };

	while (node_walk_step(n, &c, SIZE_MAX, fn, arg))
		;
}

bool
node_walk_step(const struct node *n, struct node_cursor *c, size_t max,
    node_walk_fn fn, void *arg)
{
	size_t k = 0;

	for (; c->role < ROLE__COUNT; c->role++, c->pos = 0) {
		if (n->state[c->role] == NULL || roles[c->role]->walk == NULL)
			continue;
		k += roles[c->role]->walk(n, &c->pos, max - k, fn, arg);
		if (k == max)
			return true;
	}
	return false;
}

size_t
node_memory(const struct node *n)
{
	size_t total = sizeof(*n) + table_memory(&n->rtx);
	int r;

	for (r = 0; r < ROLE__COUNT; r++)
		if (n->state[r] != NULL && roles[r]->memory != NULL)
			total += roles[r]->memory(n);
	return total;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

void
node_drop(struct node *n, enum node_drop d)
{
	n->cnt.drop[d]++;
}

uint16_t
node_next_seq(struct node *n)
{
	return n->seq++;
}

/* RFC 5213 8.8: 48-bit seconds and a 16-bit fraction of a second. */
uint64_t
node_timestamp(uint64_t now_ms)
{
	return (now_ms / 1000) << 16 | ((now_ms % 1000) * 65536 / 1000);
}

uint64_t
node_stamp(const struct node *n)
{
	if (n->ops->wall == NULL)
		return node_timestamp(n->now);
	return node_timestamp(n->ops->wall(n->ctx));
}

/*
 * To a peer with keys: timestamped (RFC 5213 5.5, the receiver's replay
 * window needs it) and signed with its send key (RFC 4285, auth.c).
 */
static bool
encode(struct node *n, const uint8_t dst[16], const struct mh_msg *m,
    uint8_t *out, size_t *len)
{
	const struct auth_keys *k;
	struct mh_addrs a;
	struct mh_error e;
	struct mh_msg s;
	int p;

	memcpy(a.src, n->cfg.addr, 16);
	memcpy(a.dst, dst, 16);
	p = node_peer_find(&n->cfg, dst);
	if (p < 0 || (k = &n->cfg.peers[p].auth)->nkeys == 0)
		return mh_encode(m, &a, out, MH_MAX_LEN, len, &e) == MH_OK;
	s = *m;
	if (!(s.present & MH_BIT(MH_O_TIMESTAMP))) {
		s.present |= MH_BIT(MH_O_TIMESTAMP);
		s.timestamp = node_stamp(n);
	}
	return auth_encode(&s, &k->keys[k->send], &a, out, MH_MAX_LEN, len,
	    &e) == MH_OK;
}

/* Keep an answer to a keyed peer for a retransmission of its question. */
static void
answer_keep(struct node *n, const uint8_t dst[16], const struct mh_msg *m,
    const uint8_t *buf, size_t len)
{
	struct node_peer_rx *r;
	struct node_answer *an;
	uint8_t *copy;
	int p;

	/* not a heartbeat's: one a second would push out the answers that
	 * matter, and a lost heartbeat is never sent again */
	if (!is_answer_kind(m->kind) || m->kind == MH_K_HEARTBEAT_ACK ||
	    (p = node_peer_find(&n->cfg, dst)) < 0 ||
	    n->cfg.peers[p].auth.nkeys == 0 || (copy = malloc(len)) == NULL)
		return;
	memcpy(copy, buf, len);
	r = &n->prx[p];
	an = &r->ans[r->next++ % NODE_ANSWERS];
	free(an->buf);
	an->buf = copy;
	an->len = (uint16_t)len;
	an->seq = m->seq;
}

/* Every datagram the node sends goes out here, counted: in all, and by
 * the peer it goes to (a client's are in tx only). */
static void
transmit(struct node *n, const uint8_t dst[16], const uint8_t *buf,
    size_t len)
{
	int p = node_peer_find(&n->cfg, dst);

	n->cnt.tx++;
	if (p >= 0)
		n->cnt.peer_tx[p]++;
	n->ops->send(n->ctx, dst, buf, len);
}

bool
node_send(struct node *n, const uint8_t dst[16], struct mh_msg *m)
{
	uint8_t buf[MH_MAX_LEN];
	size_t len;

	if (!encode(n, dst, m, buf, &len))
		return false;
	n->cnt.tx_kind[m->kind]++;
	answer_keep(n, dst, m, buf, len);
	transmit(n, dst, buf, len);
	return true;
}

static void
rtx_arm(struct node *n, const struct rtx_entry *e, uint64_t now)
{
	n->ops->timer(n->ctx, TIMER_KEY(TIMER_RTX, e->seq), now + e->backoff_ms);
}

/*
 * Keep a copy to retransmit, charged to the peer it waits on.  A peer
 * holding its quota of pending messages (it answers nothing, or we are
 * told to send it too much) gets this one once, not kept: like a full
 * table, what is lost is the retransmission, not the message.
 */
static struct rtx_entry *
rtx_keep(struct node *n, uint16_t seq, const uint8_t dst[16],
    const uint8_t *buf, size_t len)
{
	struct rtx_entry *e;
	uint8_t owner;
	bool created;

	if (!node_charge(n, node_peer_find(&n->cfg, dst), NODE_STATE_PENDING,
	    &owner))
		return NULL;
	e = table_put(&n->rtx, &seq, &created);
	if (e != NULL && !created) {
		free(e->buf);		/* all 65536 pending: the oldest number goes */
		node_release(n, NODE_STATE_PENDING, &e->owner);
	}
	if (e == NULL || (e->buf = malloc(len)) == NULL) {
		if (e != NULL)
			table_del(&n->rtx, e);
		node_release(n, NODE_STATE_PENDING, &owner);
		node_drop(n, NODE_DROP_NO_RESOURCES);
		return NULL;
	}
	memcpy(e->buf, buf, len);
	e->len = (uint16_t)len;
	e->owner = owner;
	return e;
}

uint16_t
node_rtx_send(struct node *n, enum role_id role, const uint8_t dst[16],
    struct mh_msg *m, uint64_t cookie, uint64_t now)
{
	uint8_t buf[MH_MAX_LEN];
	struct rtx_entry *e;
	size_t len;

	/* a number still waiting for its answer is not given out again: its
	 * answer would be taken for ours */
	do
		m->seq = node_next_seq(n);
	while (table_get(&n->rtx, &m->seq) != NULL && n->rtx.n < RTX_MAX_PENDING);
	if (!encode(n, dst, m, buf, &len))
		return m->seq;
	n->cnt.tx_kind[m->kind]++;
	if ((e = rtx_keep(n, m->seq, dst, buf, len)) != NULL) {
		e->role = (uint8_t)role;
		e->tries = 0;
		e->backoff_ms = n->cfg.rtx_initial_ms;
		memcpy(e->dst, dst, 16);
		e->cookie = cookie;
		rtx_arm(n, e, now);
	}
	transmit(n, dst, buf, len);
	return m->seq;
}

static void
rtx_free(struct node *n, struct rtx_entry *e)
{
	n->ops->timer(n->ctx, TIMER_KEY(TIMER_RTX, e->seq), 0);
	free(e->buf);
	node_release(n, NODE_STATE_PENDING, &e->owner);
	table_del(&n->rtx, e);
}

bool
node_rtx_done(struct node *n, uint16_t seq, const uint8_t src[16],
    uint64_t *cookie)
{
	struct rtx_entry *e = table_get(&n->rtx, &seq);

	if (e == NULL || memcmp(e->dst, src, 16) != 0)
		return false;
	*cookie = e->cookie;
	rtx_free(n, e);
	return true;
}

void
node_rtx_cancel(struct node *n, enum role_id role, uint64_t cookie)
{
	struct rtx_entry *e;
	size_t pos = 0;

	while ((e = table_next(&n->rtx, &pos)) != NULL)
		if (e->role == role && e->cookie == cookie)
			rtx_free(n, e);
}

/* RFC 6275 11.8: double the wait after each try, up to the maximum. */
static void
rtx_fire(struct node *n, uint16_t seq, uint64_t now)
{
	struct rtx_entry *e = table_get(&n->rtx, &seq);
	uint64_t cookie;
	uint8_t role;

	if (e == NULL)
		return;
	if (++e->tries >= n->cfg.rtx_tries) {
		cookie = e->cookie;
		role = e->role;
		rtx_free(n, e);
		node_drop(n, NODE_DROP_RTX_EXHAUSTED);
		if (roles[role]->rtx_failed != NULL)
			roles[role]->rtx_failed(n, cookie, now);
		return;
	}
	e->backoff_ms = e->backoff_ms * 2 > n->cfg.rtx_max_ms ?
	    n->cfg.rtx_max_ms : e->backoff_ms * 2;
	n->cnt.rtx++;
	transmit(n, e->dst, e->buf, e->len);
	rtx_arm(n, e, now);
}

void
node_ack(struct node *n, const struct rx *rx, uint8_t status)
{
	struct mh_msg a;

	mh_msg_init(&a, MH_K_MSG_ACK);
	a.seq = rx->m.seq;
	a.status = status;
	if (rx->m.present & MH_BIT(MH_O_CLIENT_ADDR))
		msg_client(&a, rx->m.client_addr);
	node_send(n, rx->src, &a);
}

void
node_timer(struct node *n, enum role_id role, uint64_t sub, uint64_t at_ms)
{
	n->ops->timer(n->ctx, TIMER_KEY(role, sub), at_ms);
}

void
node_dp(struct node *n, const struct dp_intent *d)
{
	n->ops->dp(n->ctx, d);
}

void
msg_client(struct mh_msg *m, const uint8_t client[16])
{
	m->present |= MH_BIT(MH_O_CLIENT_ADDR);
	memcpy(m->client_addr, client, 16);
}

void
msg_service(struct mh_msg *m, const struct node *n, uint16_t service)
{
	m->present |= MH_BIT(MH_O_SERVICE_ID);
	m->service_id.p = n->cfg.services[service].id;
	m->service_id.len = n->cfg.services[service].id_len;
}

int
msg_service_index(struct node *n, const struct mh_msg *m)
{
	int s = -1;

	if (m->present & MH_BIT(MH_O_SERVICE_ID))
		s = node_service_find(&n->cfg, m->service_id.p, m->service_id.len);
	if (s < 0)
		node_drop(n, NODE_DROP_UNKNOWN_SERVICE);
	return s;
}

/* ------------------------------------------------------------------ */
/* Requirements (anchoring 3 steps 1-3 and 6, 4.4)                      */

static void
reqs_numbers(const struct mh_msg *m, struct cats_reqs *r)
{
	cats_reqs_none(r);
	if (!(m->present & MH_BIT(MH_O_CATS_REQ)))
		return;
	r->min_bw = m->req.min_bw;
	r->max_latency = m->req.max_lat;
	r->max_latency_var = m->req.max_jitter;
	r->max_loss = m->req.max_loss;
	r->max_comp_latency = m->req.comp_lat;
}

/*
 * What each affinity entry kind (docs/wire.md 5.4) asks of an instance:
 * anchoring 3 step 1.e "avoid" and "with" on the functions it runs, 1.d
 * "needs" on the computing resources it has.  One table for both judges:
 * the egress's, on the names configured on its instance (aff_inst), and
 * the C-PS's, on the masks it holds (aff_sel: to_sel adds the name to
 * the requirements); a name the C-PS does not know is judged as for an
 * instance without it.
 */
struct aff_rule {
	bool		 resource;	/* on its resources, else its functions */
	bool		 must;		/* it must have the name, else must not */
	enum cats_sel_reason unmet;	/* the reason counted when it is not met */
	bool		(*to_sel)(const struct cats_sel *, struct cats_reqs *,
			    const char *);
};

static const struct aff_rule aff_rules[MH_AFF_KIND_MAX + 1] = {
	[MH_AFF_AVOID] = { false, false, CATS_SEL_AFFINITY, cats_reqs_avoid },
	[MH_AFF_WITH]  = { false, true, CATS_SEL_AFFINITY, cats_reqs_with },
	[MH_AFF_NEEDS] = { true, true, CATS_SEL_RESOURCES, cats_reqs_needs },
};

/* One entry on an instance that has the name, or has not. */
static enum cats_sel_reason
aff_verdict(const struct aff_rule *k, bool has)
{
	return has == k->must ? CATS_SEL_OK : k->unmet;
}

/* The affinity entries (kind, name) of a message, one call each, up to
 * the first one unmet (wire order); the codec checked their layout and
 * kinds (mh.c:affinity_valid). */
typedef enum cats_sel_reason (*aff_fn)(void *arg, const struct aff_rule *,
    const char *name);

static enum cats_sel_reason
aff_walk(const struct mh_msg *m, aff_fn fn, void *arg)
{
	char name[CATS_SEL_FUNCTION_LEN];
	enum cats_sel_reason why = CATS_SEL_OK;
	const struct aff_rule *k;
	uint8_t kind, len;
	const uint8_t *p;
	struct cur c;

	if (!(m->present & MH_BIT(MH_O_CATS_REQ)))
		return CATS_SEL_OK;
	cur_init(&c, m->req.affinity.p, m->req.affinity.len);
	while (why == CATS_SEL_OK && cur_u8(&c, &kind) && cur_u8(&c, &len) &&
	    cur_view(&c, &p, len)) {
		if (kind == 0 || kind > MH_AFF_KIND_MAX)
			continue;
		k = &aff_rules[kind];
		if (len >= sizeof(name)) {
			/* longer than any name: no instance has it */
			why = aff_verdict(k, false);
			continue;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		why = fn(arg, k, name);
	}
	return why;
}

static enum cats_sel_reason
aff_sel(void *arg, const struct aff_rule *k, const char *name)
{
	void **a = arg;

	return k->to_sel(a[0], a[1], name) ? CATS_SEL_OK :
	    aff_verdict(k, false);
}

enum cats_sel_reason
reqs_from_msg(const struct cats_sel *sel, const struct mh_msg *m,
    struct cats_reqs *r)
{
	void *a[2] = { (void *)(uintptr_t)sel, r };

	reqs_numbers(m, r);
	return sel != NULL ? aff_walk(m, aff_sel, a) : CATS_SEL_OK;
}

static bool
has_name(const char (*list)[NODE_FUNC_LEN], size_t n, const char *name)
{
	for (size_t i = 0; i < n && list[i][0]; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* At an egress: the entry against the names configured on its instance. */
static enum cats_sel_reason
aff_inst(void *arg, const struct aff_rule *k, const char *name)
{
	const struct node_instance *in = arg;

	return aff_verdict(k, k->resource ?
	    has_name(in->resources, NODE_INST_RES, name) :
	    has_name(in->functions, NODE_INST_FUNCS, name));
}

static bool
cond_set(const struct mh_cats_req *c)
{
	return c->min_bw != 0 || c->max_lat != MH_REQ_UNSET ||
	    c->max_jitter != MH_REQ_UNSET || c->max_loss != MH_REQ_UNSET ||
	    c->comp_lat != MH_REQ_UNSET;
}

/* One field: met, unmet, or not known (0 bandwidth, an unset maximum). */
static bool
field_unmet(uint32_t have, uint32_t bound, bool maximum, bool unknown_ok,
    bool *unknown)
{
	bool unk = maximum ? have == MH_REQ_UNSET : have == 0;

	if (maximum ? have <= bound : have >= bound)
		return false;
	*unknown = unk;
	return !(unk && unknown_ok);
}

enum cats_sel_reason
cond_reason(const struct mh_cats_req *c, const struct mh_cats_req *w,
    bool unknown_ok)
{
	bool u = false;

	if (field_unmet(c->min_bw, w->min_bw, false, unknown_ok, &u))
		return u ? CATS_SEL_UNMEASURED : CATS_SEL_BANDWIDTH;
	if (field_unmet(c->max_lat, w->max_lat, true, unknown_ok, &u))
		return u ? CATS_SEL_UNMEASURED : CATS_SEL_LATENCY;
	if (field_unmet(c->max_jitter, w->max_jitter, true, unknown_ok, &u))
		return u ? CATS_SEL_UNMEASURED : CATS_SEL_LATENCY_VARIATION;
	if (field_unmet(c->max_loss, w->max_loss, true, unknown_ok, &u))
		return u ? CATS_SEL_UNMEASURED : CATS_SEL_LOSS;
	if (field_unmet(c->comp_lat, w->comp_lat, true, unknown_ok, &u))
		return u ? CATS_SEL_UNMEASURED : CATS_SEL_COMP_LATENCY;
	return CATS_SEL_OK;
}

void
cond_from_offer(struct mh_cats_req *c, const struct cats_reqs *o)
{
	memset(c, 0, sizeof(*c));
	c->min_bw = o->min_bw;
	c->max_lat = o->max_latency;
	c->max_jitter = o->max_latency_var;
	c->max_loss = o->max_loss;
	c->comp_lat = o->max_comp_latency;
}

enum cats_sel_reason
reqs_judge(const struct node *n, size_t i, uint32_t ingress,
    const struct mh_msg *m, struct mh_cats_req *cond)
{
	const struct node_instance *in = &n->cfg.instances[i];
	struct cats_reqs none, offer;
	struct mh_cats_req c, w;
	enum cats_sel_reason why = CATS_SEL_OK;

	if (cond_set(&n->cfg.conditions) || n->cfg.sel == NULL) {
		c = n->cfg.conditions;
	} else {
		cats_reqs_none(&none);
		(void)cats_sel_judge(n->cfg.sel, ingress, in->id, &none, &offer);
		cond_from_offer(&c, &offer);
	}
	/* what this node does not know it leaves to the chooser, which
	 * counts it unmet (the C-PS, or the option 1 ingress on these
	 * conditions); what it knows it vetoes on */
	if (m->present & MH_BIT(MH_O_CATS_REQ)) {
		w = m->req;
		why = cond_reason(&c, &w, true);
	}
	if (why == CATS_SEL_OK)
		why = aff_walk(m, aff_inst, (void *)(uintptr_t)in);
	if (cond != NULL) {
		*cond = c;
		cond->affinity.p = NULL;
		cond->affinity.len = 0;
	}
	return why;
}

void
node_unmet(struct node *n, enum cats_sel_reason why)
{
	if ((unsigned)why < CATS_SEL__COUNT)
		n->cnt.unmet[why]++;
	node_drop(n, NODE_DROP_UNMET);
}

/* ------------------------------------------------------------------ */
/* Bounded state (docs/catsd.md "Bounded state")                       */

const char *
node_state_name(enum node_state_kind k)
{
	return (unsigned)k < NODE_STATE__COUNT ? state_names[k] : "unknown";
}

size_t
node_peer_state(const struct node *n, int peer, enum node_state_kind k)
{
	if (peer < 0 || (size_t)peer >= n->cfg.npeers ||
	    (unsigned)k >= NODE_STATE__COUNT)
		return 0;
	return n->prx[peer].used[k];
}

/* A sender's bounds: the peer's own where it sets them, else the node's. */
static struct node_limits
limits_of(const struct node *n, int peer)
{
	struct node_limits l = n->cfg.limits;
	const struct node_limits *o;

	if (peer < 0)
		return l;
	o = &n->cfg.peers[peer].limits;
	l.state = o->state != 0 ? o->state : l.state;
	l.rate = o->rate != 0 ? o->rate : l.rate;
	l.burst = o->burst != 0 ? o->burst : l.burst;
	return l;
}

/* The pending table holds RTX_MAX_PENDING in all, whatever max_sessions
 * says: a peer that answers nothing must leave three quarters of it to
 * the others. */
static uint32_t
quota_of(const struct node *n, int peer, enum node_state_kind k)
{
	uint32_t q = limits_of(n, peer).state;

	if (k == NODE_STATE_PENDING && (q == 0 || q > RTX_MAX_PENDING / 4))
		q = RTX_MAX_PENDING / 4;
	return q;
}

/* A limit bit for a peer: counted by reason and by peer, and told to the
 * driver, which logs it at most once in a while (catsd's op_refused). */
static void
limit_bit(struct node *n, int peer, enum node_drop why)
{
	node_drop(n, why);
	if (peer < 0)
		return;			/* the shared bucket: no one to name */
	if (why == NODE_DROP_PEER_LIMIT)
		n->cnt.peer_limited[peer]++;
	else
		n->cnt.peer_rate_limited[peer]++;
	if (n->ops->refused != NULL)
		n->ops->refused(n->ctx, peer, node_peer_addr(n, peer), (int)why);
}

bool
node_charge(struct node *n, int peer, enum node_state_kind k, uint8_t *owner)
{
	uint32_t q;

	*owner = 0;
	if (peer < 0 || (size_t)peer >= n->cfg.npeers)
		return true;
	q = quota_of(n, peer, k);
	if (q != 0 && n->prx[peer].used[k] >= q) {
		limit_bit(n, peer, NODE_DROP_PEER_LIMIT);
		return false;
	}
	n->prx[peer].used[k]++;
	*owner = (uint8_t)(peer + 1);
	return true;
}

void
node_release(struct node *n, enum node_state_kind k, uint8_t *owner)
{
	if (*owner == 0)
		return;
	if (n->prx[*owner - 1].used[k] > 0)
		n->prx[*owner - 1].used[k]--;
	*owner = 0;
}

bool
node_recharge(struct node *n, int peer, enum node_state_kind k,
    uint8_t *owner)
{
	uint8_t fresh;

	if (*owner == (uint8_t)(peer < 0 ? 0 : peer + 1))
		return true;
	if (!node_charge(n, peer, k, &fresh))
		return false;
	node_release(n, k, owner);
	*owner = fresh;
	return true;
}

/*
 * Token bucket: 'rate' tokens a second up to 'burst', one a message, full
 * at the first message.  The refill is capped before it is multiplied, so
 * no quiet spell, however long, overflows it.
 */
static bool
bucket_take(struct node_bucket *b, const struct node_limits *l, uint64_t now)
{
	uint64_t cap, el;

	if (l->rate == 0)
		return true;
	cap = (uint64_t)(l->burst != 0 ? l->burst : l->rate) * 1000;
	if (!b->primed) {
		b->milli = cap;
		b->last = now;
		b->primed = true;
	}
	el = now > b->last ? now - b->last : 0;
	if (el > cap / l->rate + 1)
		el = cap / l->rate + 1;
	b->milli += el * l->rate;	/* ms x messages/s: thousandths */
	if (b->milli > cap)
		b->milli = cap;
	b->last = now > b->last ? now : b->last;
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

/* One message from 'peer' (-1: any sender not a peer, one shared bucket):
 * within its rate, or dropped and counted. */
static bool
rate_ok(struct node *n, int peer, uint64_t now)
{
	struct node_limits l = limits_of(n, peer);

	if (bucket_take(peer >= 0 ? &n->prx[peer].bucket : &n->others, &l,
	    now))
		return true;
	limit_bit(n, peer, NODE_DROP_RATE_LIMITED);
	return false;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */

static void
refuse(struct node *n, const struct rx *rx, enum node_drop why)
{
	node_drop(n, why);
	n->cnt.peer_refused[rx->peer]++;
	if (n->ops->refused != NULL)
		n->ops->refused(n->ctx, rx->peer, rx->src, (int)why);
}

/* A retransmission of a message already handled: its answers again. */
static void
answer_again(struct node *n, const struct rx *rx)
{
	const struct node_peer_rx *r = &n->prx[rx->peer];
	size_t i;

	node_drop(n, NODE_DROP_DUPLICATE);
	for (i = 0; i < NODE_ANSWERS; i++) {
		if (r->ans[i].buf == NULL || r->ans[i].seq != rx->m.seq)
			continue;
		n->cnt.dup_answered++;
		transmit(n, rx->src, r->ans[i].buf, r->ans[i].len);
	}
}

/*
 * A message from a peer with keys (docs/catsd.md "Authentication and
 * replay"): RFC 4285 authenticator first (a forged message must not
 * even move the replay window), then RFC 5213 5.5 freshness and the
 * sender's sequence window together.  The same bytes again are a
 * retransmission whatever their age: answered from the cache, no role
 * sees them, so they cannot change anything.
 */
static bool
admit(struct node *n, const struct rx *rx, const struct mh_addrs *a,
    const uint8_t *buf, size_t len)
{
	static const enum node_drop by_verdict[] = {
		[AUTH_NONE] = NODE_DROP_NO_AUTH,
		[AUTH_BAD] = NODE_DROP_BAD_AUTH,
		[AUTH_UNKNOWN_SPI] = NODE_DROP_UNKNOWN_SPI,
	};
	struct auth_window *w = &n->prx[rx->peer].win;
	enum auth_verdict v;
	enum auth_seq sq = AUTH_SEQ_NEW;
	bool has_ts = (rx->m.present & MH_BIT(MH_O_TIMESTAMP)) != 0;
	bool answer = is_answer_kind(rx->m.kind);
	uint64_t digest = auth_digest(buf, len);

	v = auth_verify(&n->cfg.peers[rx->peer].auth, a, buf, len, &rx->m);
	if (v != AUTH_OK) {
		refuse(n, rx, by_verdict[v]);
		return false;
	}
	/* its rate is spent only by what it signed (on_message says why) */
	if (!rate_ok(n, rx->peer, n->now))
		return false;
	if (!answer)
		sq = auth_window_check(w, rx->m.seq, digest, has_ts,
		    rx->m.timestamp, false);
	if (sq == AUTH_SEQ_DUPLICATE) {
		answer_again(n, rx);
		return false;
	}
	if (!has_ts) {
		refuse(n, rx, NODE_DROP_NO_TIMESTAMP);
		return false;
	}
	if (!auth_ts_fresh(rx->m.timestamp, node_stamp(n),
	    node_timestamp(n->cfg.ts_window_ms))) {
		refuse(n, rx, NODE_DROP_TIMESTAMP);
		return false;
	}
	if (sq == AUTH_SEQ_REPLAY) {
		refuse(n, rx, NODE_DROP_REPLAY);
		return false;
	}
	if (!answer)
		(void)auth_window_check(w, rx->m.seq, digest, true,
		    rx->m.timestamp, true);
	return true;
}

static void
on_message(struct node *n, const struct ev *ev, uint64_t now)
{
	struct mh_addrs a;
	struct mh_error e;
	struct rx rx;
	int r;

	n->cnt.rx++;
	rx.src = ev->peer;
	rx.peer = node_peer_find(&n->cfg, ev->peer);
	if (rx.peer >= 0)
		n->cnt.peer_rx[rx.peer]++;
	else
		n->cnt.stranger_rx++;
	/*
	 * The signaling rate (node_limits), as early as it can be judged.  A
	 * peer without keys and any other sender (one bucket shared by all
	 * the clients) are charged before decoding, so a flood costs a
	 * lookup a message; a forged flood in an unkeyed peer's name then
	 * starves that peer, which nothing can tell from a flood it sends
	 * itself (give it keys).  A peer with keys is charged in admit(),
	 * once the authenticator verifies: a forged flood in its name then
	 * costs a decode and an HMAC a message but cannot spend its rate.
	 */
	if ((rx.peer < 0 || n->cfg.peers[rx.peer].auth.nkeys == 0) &&
	    !rate_ok(n, rx.peer, now))
		return;
	memcpy(a.src, ev->peer, 16);
	memcpy(a.dst, n->cfg.addr, 16);
	if (mh_decode(ev->buf, ev->len, &a, &rx.m, &e) != MH_OK) {
		n->cnt.decode_err[e.code]++;
		node_drop(n, NODE_DROP_DECODE);
		return;
	}
	n->cnt.rx_kind[rx.m.kind]++;
	/* Only a client's own request may come from outside the peers. */
	if (rx.peer < 0 && rx.m.kind != MH_K_SVC_REQUEST) {
		node_drop(n, NODE_DROP_NOT_PEER);
		return;
	}
	/* authenticated and fresh before any role sees it */
	if (rx.peer >= 0 && n->cfg.peers[rx.peer].auth.nkeys > 0 &&
	    !admit(n, &rx, &a, ev->buf, ev->len))
		return;
	if (rx.peer >= 0 && !sender_allowed(n, &rx)) {
		node_drop(n, NODE_DROP_WRONG_ROLE);
		return;
	}
	/* the peer was heard; heartbeats stop here (live.c) */
	if (live_rx(n, &rx, now))
		return;
	/* the C-PS is the node's, whichever role holds it */
	if (rx.m.kind == MH_K_METRIC_REPORT && node_report_rx(n, &rx, now))
		return;
	for (r = 0; r < ROLE__COUNT; r++)
		if (n->state[r] != NULL && roles[r]->msg(n, &rx, now))
			return;
	node_drop(n, NODE_DROP_NO_ROLE);
}

static void
on_timer(struct node *n, uint64_t key, uint64_t now)
{
	unsigned r = TIMER_ROLE(key);

	if (r == TIMER_RTX) {
		rtx_fire(n, (uint16_t)TIMER_SUB(key), now);
		return;
	}
	if (r == TIMER_LIVE) {
		live_tick(n, now);
		return;
	}
	if (r < ROLE__COUNT && n->state[r] != NULL && roles[r]->timer != NULL)
		roles[r]->timer(n, TIMER_SUB(key), now);
}

void
node_peer_down(struct node *n, int peer, uint32_t missed, uint64_t now)
{
	int r;

	n->cnt.peer_down++;
	for (r = 0; r < ROLE__COUNT; r++)
		if (n->state[r] != NULL && roles[r]->peer_down != NULL)
			roles[r]->peer_down(n, peer, missed, now);
}

void
node_peer_up(struct node *n, int peer, uint64_t now)
{
	int r;

	for (r = 0; r < ROLE__COUNT; r++)
		if (n->state[r] != NULL && roles[r]->peer_up != NULL)
			roles[r]->peer_up(n, peer, now);
}

void
node_event(struct node *n, const struct ev *ev, uint64_t now)
{
	int r;

	n->now = now;
	switch (ev->type) {
	case EV_MSG:
		on_message(n, ev, now);
		return;
	case EV_TIMER_FIRED:
		on_timer(n, ev->timer, now);
		return;
	default:
		for (r = 0; r < ROLE__COUNT; r++)
			if (n->state[r] != NULL && roles[r]->local != NULL &&
			    roles[r]->local(n, ev, now))
				return;
	}
}
