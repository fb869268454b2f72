/*
 * ingress: the ingress CATS router (ICR; MAG-like).  Starts a client's
 * session (anchoring section 3, options 1 and 2), keeps it alive, hands it
 * over when the client moves (mobility fig. 1 proactive, fig. 2 reactive)
 * and moves its transaction to a better edge (fig. 3).
 *
 * Sessions live in a slab (stable index, generation) found by (client,
 * service) through a table; timers and pending messages name a session by
 * index and generation, so nothing dangles when one goes.  A client that
 * arrived from another ingress and whose services are not known yet has a
 * placeholder session with service ANY_SERVICE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"

#define ANY_SERVICE	0xffff
#define REFRESH_PCT	80		/* refresh at 80 % of the lifetime */
#define SWEEP_MS	5000

enum is_state {
	IS_QUERYING,		/* asked egresses (option 1) or the controller (2) */
	IS_REQUESTING,		/* CATS request sent to the chosen egress */
	IS_ESTABLISHED,		/* steering; the client is here */
	IS_LEFT,		/* the client left; its results are held */
	IS_FORWARDING,		/* old ingress: results go to the new ingress */
	IS_EXPECTED,		/* new ingress: notified, the client is not here */
	IS_LOCATING,		/* new ingress: asked the locator (placeholder) */
	IS_ASKING,		/* new ingress: asked the old ingress (placeholder) */
	IS_MOVED_IN,		/* new ingress: serving a session that moved here */
	IS_SWITCHING,		/* new ingress: transaction switching (fig. 3) */
	IS_UNMET,		/* moved off an egress that went down, and no
				 * other instance met its requirements: kept,
				 * asked again when a peer comes back */
};

/* Session flags. */
#define SF_AWARE	0x01	/* a CATS-aware client: answer with svc-reply */
#define SF_CONTINUITY	0x02	/* the client needs service continuity */
#define SF_LOCREG	0x04	/* registered with the locator */
#define SF_SWITCHED	0x08	/* transaction switching done or not needed */
#define SF_PREFIXED	0x10	/* a route of ours has the prefix (DP_PREFIX,
				 * DP_FORWARD): DP_UNPREFIX when it ends */
#define SF_DONE		0x20	/* the driver said every result came */
#define SF_REASKED	0x40	/* asked the controller again after it named
				 * the instance the session moved off */

/* What a pending message or timer is about (low byte of its cookie). */
enum what {
	W_QUERY = 1, W_REQUEST, W_NOTIFY, W_IND_OLD, W_IND_EGRESS, W_LOCREG,
	W_LOCQUERY, W_MOBREQ, W_SWITCHQ, W_TX_REQ, W_TX_NOTIFY,
	T_DEADLINE, T_REFRESH, T_LOCATE, T_SWEEP,
};

/* Answers a moved-in session still waits for. */
#define P_IND_OLD	0x01
#define P_IND_EGRESS	0x02
#define P_TX_CONFIRM	0x04
#define P_TX_RECEIVED	0x08

struct skey {
	uint8_t		 client[16];
	uint16_t	 service;
};

struct skey_ent {
	struct skey	 key;
	uint32_t	 idx;
};

struct isess {
	struct skey	 key;
	uint8_t		 state;
	uint8_t		 flags;
	uint8_t		 pending;
	uint8_t		 offers;	/* option 1 responses so far */
	uint8_t		 queried;	/* option 1 queries sent */
	uint8_t		 stale;		/* 135/156 answers in a row */
	uint8_t		 rounds;	/* option 1 query rounds */
	int8_t		 egress;	/* peer indices, -1 none */
	int8_t		 other;		/* old ingress (new side) or new (old side) */
	int8_t		 new_egress;	/* switching target */
	int8_t		 best;		/* option 1 best offer so far */
	uint8_t		 owner;		/* node_charge: the peer whose word
					 * made it (mobility notify), 0 none */
	uint16_t	 client_seq;	/* the client's svc-request, echoed */
	uint32_t	 best_cost;
	uint32_t	 tx_id;
	uint32_t	 instance;	/* CIS-ID; 0 not known */
	struct mh_prefix prefix;
	uint64_t	 expires;
	/* the client's requirements (anchoring 3 step 1), kept for the
	 * session and carried into transaction switching (mobility 3):
	 * affinity in aff (msg_reqs puts it into a message) */
	struct mh_cats_req req;
	uint8_t		 aff_len;
	uint8_t		 why;		/* option 1: why an offer failed */
	uint8_t		 aff[NODE_AFFINITY_MAX];
	/* site failure: the egress it was last moved off (peer index + 1,
	 * 0 never), the heartbeats that egress had missed, or the instance
	 * there that was gone (0: the egress was down), and when */
	uint8_t		 moved_from;
	uint8_t		 moved_missed;
	uint32_t	 moved_inst;
	uint64_t	 moved_at;
};

struct client {
	uint8_t		 addr[16];	/* key */
	bool		 attached;
	uint8_t		 ho;		/* enum node_ho of its last attach */
	uint64_t	 attached_at;	/* node time of its last attach */
	uint8_t		 ll_len;
	uint8_t		 ll[8];
};

struct ingress {
	struct table	 keys;		/* skey -> slab index */
	struct slab	 sess;
	struct table	 clients;
	uint32_t	 next_tx;
	bool		 sweeping;
};

static struct ingress *
I(const struct node *n)
{
	return n->state[ROLE_INGRESS];
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */

static uint64_t
cookie_of(const struct node *n, uint32_t idx, enum what w)
{
	return (uint64_t)(slab_gen(&I(n)->sess, idx) & 0xffff) << 40 |
	    (uint64_t)idx << 8 | w;
}

/* The session a cookie names, if it is still the same one. */
static struct isess *
sess_of_cookie(const struct node *n, uint64_t cookie, uint32_t *idx)
{
	*idx = (uint32_t)(cookie >> 8);
	if ((slab_gen(&I(n)->sess, *idx) & 0xffff) != (cookie >> 40 & 0xffff))
		return NULL;
	return slab_at(&I(n)->sess, *idx);
}

static uint32_t
sess_find(const struct node *n, const uint8_t client[16], uint16_t service)
{
	struct skey k;
	const struct skey_ent *e;

	memset(&k, 0, sizeof(k));
	memcpy(k.client, client, 16);
	k.service = service;
	e = table_get(&I(n)->keys, &k);
	return e != NULL ? e->idx : 0;
}

static uint32_t
sess_new(struct node *n, const uint8_t client[16], uint16_t service)
{
	struct skey_ent *e;
	struct isess *s;
	struct skey k;
	bool created;
	uint32_t idx;

	memset(&k, 0, sizeof(k));
	memcpy(k.client, client, 16);
	k.service = service;
	if ((e = table_put(&I(n)->keys, &k, &created)) == NULL)
		return 0;
	if (!created)
		return e->idx;
	if ((idx = slab_alloc(&I(n)->sess)) == 0) {
		table_del(&I(n)->keys, e);
		return 0;
	}
	e->idx = idx;
	s = slab_at(&I(n)->sess, idx);
	s->key = k;
	s->egress = s->other = s->new_egress = s->best = -1;
	s->req.max_lat = s->req.max_jitter = MH_REQ_UNSET;
	s->req.max_loss = s->req.comp_lat = MH_REQ_UNSET;
	return idx;
}

static void	dp(struct node *, enum dp_op, struct isess *, int);

/* The session ends here, whatever the reason (released, refused, run out,
 * handed over away and forgotten): every route made for it has gone with
 * its withdrawal intents, the prefix's last (anchoring 3 step 7). */
static void
sess_del(struct node *n, uint32_t idx)
{
	struct isess *s = slab_at(&I(n)->sess, idx);
	enum what w;

	if (s == NULL)
		return;
	if (s->flags & SF_PREFIXED)
		dp(n, DP_UNPREFIX, s, -1);
	for (w = W_QUERY; w <= W_TX_NOTIFY; w++)
		node_rtx_cancel(n, ROLE_INGRESS, cookie_of(n, idx, w));
	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_DEADLINE), 0);
	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_REFRESH), 0);
	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_LOCATE), 0);
	node_release(n, NODE_STATE_SESSION, &s->owner);
	table_del(&I(n)->keys, table_get(&I(n)->keys, &s->key));
	slab_release(&I(n)->sess, idx);
}

static struct isess *
S(const struct node *n, uint32_t idx)
{
	return slab_at(&I(n)->sess, idx);
}

/* The next session of a client, walking its services (and the placeholder
 * last) from *k, which starts at 0; 0 at the end.  A client has a handful
 * of sessions at most, so this is a few lookups, never a scan. */
static uint32_t
client_next(const struct node *n, const uint8_t client[16], size_t *k)
{
	uint32_t idx;
	uint16_t sv;

	while (*k <= n->cfg.nservices) {
		sv = *k == n->cfg.nservices ? ANY_SERVICE : (uint16_t)*k;
		(*k)++;
		if ((idx = sess_find(n, client, sv)) != 0)
			return idx;
	}
	return 0;
}

static bool
serving(const struct isess *s)
{
	return s->state == IS_ESTABLISHED || s->state == IS_LEFT ||
	    s->state == IS_MOVED_IN || s->state == IS_SWITCHING;
}

static bool
has_sessions(const struct node *n, const uint8_t client[16])
{
	size_t k = 0;

	return client_next(n, client, &k) != 0;
}

static struct client *
client_get(struct node *n, const uint8_t addr[16], bool create)
{
	bool created;

	if (!create)
		return table_get(&I(n)->clients, addr);
	return table_put(&I(n)->clients, addr, &created);
}

static bool
attached(struct node *n, const uint8_t addr[16])
{
	const struct client *c = client_get(n, addr, false);

	return c != NULL && c->attached;
}

static void
sweep_arm(struct node *n, uint64_t now)
{
	if (I(n)->sweeping)
		return;
	I(n)->sweeping = true;
	node_timer(n, ROLE_INGRESS, T_SWEEP, now + SWEEP_MS);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

/* Every intent carries the session's prefix: the data plane steers and
 * routes it with the client's address.  SF_PREFIXED follows whether a
 * route of ours holds the prefix's key. */
static void
dp(struct node *n, enum dp_op op, struct isess *s, int peer)
{
	struct dp_intent d;

	if (s->prefix.len > 0 && (op == DP_PREFIX || op == DP_FORWARD))
		s->flags |= SF_PREFIXED;
	else if (op == DP_UNPREFIX || op == DP_UNFORWARD)
		s->flags &= (uint8_t)~SF_PREFIXED;

	memset(&d, 0, sizeof(d));
	d.op = op;
	memcpy(d.client, s->key.client, 16);
	if (peer >= 0)
		memcpy(d.peer, node_peer_addr(n, peer), 16);
	d.service = s->key.service;
	d.prefix = s->prefix;
	d.instance = s->instance;
	d.tx.id = s->tx_id;
	node_dp(n, &d);
}

/* A message about a session: its client and service. */
static void
msg_about(struct mh_msg *m, const struct node *n, const struct isess *s,
    enum mh_kind kind)
{
	mh_msg_init(m, kind);
	msg_client(m, s->key.client);
	if (s->key.service != ANY_SERVICE)
		msg_service(m, n, s->key.service);
}

static void
send_rel(struct node *n, uint32_t idx, int peer, struct mh_msg *m, enum what w,
    uint64_t now)
{
	node_rtx_send(n, ROLE_INGRESS, node_peer_addr(n, peer), m,
	    cookie_of(n, idx, w), now);
}

/* The terminal identifier (anchoring 4.1: MN Identifier, an NAI); the
 * client's address is the identity the network has for it. */
static void
msg_mnid(struct mh_msg *m, const struct isess *s, char *buf, size_t len)
{
	size_t i, k = 0;
	static const char hex[] = "0123456789abcdef";

	for (i = 0; i < 16 && k + 2 < len; i++) {
		buf[k++] = hex[s->key.client[i] >> 4];
		buf[k++] = hex[s->key.client[i] & 15];
	}
	m->present |= MH_BIT(MH_O_MNID);
	m->mnid_subtype = MH_NAI_SUBTYPE;
	m->mnid.p = (const uint8_t *)buf;
	m->mnid.len = (uint8_t)k;
}

/* Keep requirements on the session, affinity included (anchoring 3 step
 * 1.e).  False when the affinity is longer than a session keeps. */
static bool
keep_reqs(struct isess *s, const struct mh_cats_req *req)
{
	if (req->affinity.len > sizeof(s->aff))
		return false;
	s->req = *req;
	s->aff_len = req->affinity.len;
	if (s->aff_len > 0)
		memcpy(s->aff, req->affinity.p, s->aff_len);
	s->req.affinity.p = NULL;	/* the slab may move: msg_reqs points */
	s->req.affinity.len = 0;
	return true;
}

/* The session's requirements (anchoring 3 step 2.a.iv, 3.a.iv, 5). */
static void
msg_reqs(struct mh_msg *m, const struct isess *s)
{
	m->present |= MH_BIT(MH_O_CATS_REQ);
	m->req = s->req;
	m->req.affinity.p = s->aff_len > 0 ? s->aff : NULL;
	m->req.affinity.len = s->aff_len;
}

/* The ICR ID (anchoring 3 step 2.a.iii, 3.a.iii): this ingress, by its
 * signaling address. */
static void
msg_icr(struct mh_msg *m, const struct node *n)
{
	m->present |= MH_BIT(MH_O_CR_ID);
	m->crid_format = MH_CRID_IP;
	m->crid.p = n->cfg.addr;
	m->crid.len = 16;
}

static void
reply_client(struct node *n, struct isess *s, uint8_t status)
{
	struct mh_msg m;

	if (!(s->flags & SF_AWARE))
		return;
	msg_about(&m, n, s, MH_K_SVC_REPLY);
	m.seq = s->client_seq;
	m.status = status;
	if (status == MH_ST_CATS_AVAILABLE) {
		m.present |= MH_BIT(MH_O_SVC_PREFIX) | MH_BIT(MH_O_CR_ID);
		m.svc_prefix = s->prefix;
		m.crid_format = MH_CRID_IP;
		m.crid.p = node_peer_addr(n, s->egress);
		m.crid.len = 16;
		if (s->instance != 0) {
			m.present |= MH_BIT(MH_O_CIS_ID);
			m.cis_id = s->instance;
		}
	}
	node_send(n, s->key.client, &m);
}

/* ------------------------------------------------------------------ */
/* Session set-up (anchoring section 3)                                */

static void
send_request(struct node *n, uint32_t idx, uint16_t lifetime, uint64_t now)
{
	struct isess *s = S(n, idx);
	char nai[40];
	struct mh_msg m;

	msg_about(&m, n, s, MH_K_CATS_REQUEST);
	msg_mnid(&m, s, nai, sizeof(nai));
	m.flags |= MH_BU_P;
	m.lifetime = lifetime;
	m.present |= MH_BIT(MH_O_TIMESTAMP);
	m.timestamp = node_stamp(n);
	/* anchoring 3 step 5: "the same information" as the query */
	msg_reqs(&m, s);
	msg_icr(&m, n);
	send_rel(n, idx, s->egress, &m, W_REQUEST, now);
}

static void
send_queries(struct node *n, uint32_t idx, uint64_t now)
{
	struct isess *s = S(n, idx);
	char nai[40];
	struct mh_msg m;
	size_t i;

	msg_about(&m, n, s, MH_K_CATS_QUERY);
	msg_mnid(&m, s, nai, sizeof(nai));
	m.flags |= MH_BU_P;
	msg_reqs(&m, s);
	msg_icr(&m, n);
	s->offers = 0;
	s->queried = 0;
	s->why = CATS_SEL_OK;
	s->best = -1;
	for (i = 0; i < n->cfg.npeers; i++) {
		const struct node_peer *p = &n->cfg.peers[i];

		if (n->cfg.setup == SETUP_QUERY_CONTROLLER ?
		    !(p->roles & NODE_CONTROLLER) :
		    !((p->roles & NODE_EGRESS) && p->query) ||
		    live_down(n, (int)i))	/* a site that is down offers nothing */
			continue;
		send_rel(n, idx, (int)i, &m, W_QUERY, now);
		if (n->cfg.setup == SETUP_QUERY_CONTROLLER)
			return;
		s->queried++;
	}
	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_DEADLINE),
	    now + n->cfg.query_deadline_ms);
}

static void
start_session(struct node *n, const uint8_t client[16], int service,
    const struct mh_cats_req *req, bool aware, uint16_t client_seq, uint64_t now)
{
	uint32_t idx = sess_find(n, client, (uint16_t)service);
	struct isess *s;

	if (idx != 0 && serving(S(n, idx)) && S(n, idx)->state != IS_LEFT) {
		s = S(n, idx);			/* asked again: same answer */
		s->flags |= aware ? SF_AWARE : 0;
		s->client_seq = client_seq;
		reply_client(n, s, MH_ST_CATS_AVAILABLE);
		return;
	}
	if (idx == 0 && (idx = sess_new(n, client, (uint16_t)service)) == 0) {
		node_drop(n, NODE_DROP_NO_RESOURCES);
		return;
	}
	s = S(n, idx);
	if ((s->state == IS_QUERYING && s->rounds > 0) ||
	    s->state == IS_REQUESTING) {
		s->flags |= aware ? SF_AWARE : 0;
		s->client_seq = client_seq;	/* already asking: answer this one */
		return;
	}
	s->state = IS_QUERYING;
	s->flags |= aware ? SF_AWARE : 0;
	s->client_seq = client_seq;
	if (req != NULL && !keep_reqs(s, req)) {
		/* more affinity than a session keeps: refuse rather than drop
		 * a requirement silently */
		node_unmet(n, CATS_SEL_AFFINITY);
		reply_client(n, s, MH_ST_CATS_UNAVAILABLE);
		sess_del(n, idx);
		return;
	}
	s->tx_id = ++I(n)->next_tx;
	s->rounds = 1;
	send_queries(n, idx, now);
}

/* Anchoring 3 step 2.b, 4.4: what a site offers (conditions) must meet
 * every hard requirement, and a field it does not know meets none; among
 * those that do, the lowest offered latency wins. */
static bool
offer_meets(struct isess *s, const struct mh_cats_req *c)
{
	enum cats_sel_reason why = cond_reason(c, &s->req, false);

	if (why != CATS_SEL_OK)
		s->why = (uint8_t)why;
	return why == CATS_SEL_OK;
}

static uint32_t
offer_cost(const struct mh_cats_req *c)
{
	uint64_t sum = (uint64_t)c->max_lat + c->comp_lat;

	return sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

static void	keep_unmet(struct node *, uint32_t, uint64_t);

static void
choose_egress(struct node *n, uint32_t idx, int egress, uint64_t now)
{
	struct isess *s = S(n, idx);

	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_DEADLINE), 0);
	node_rtx_cancel(n, ROLE_INGRESS, cookie_of(n, idx, W_QUERY));
	if (egress < 0) {
		/* option 1: offers came but none met the requirements */
		if (s->why != CATS_SEL_OK)
			node_unmet(n, (enum cats_sel_reason)s->why);
		reply_client(n, s, MH_ST_CATS_UNAVAILABLE);
		if (s->moved_from != 0)
			keep_unmet(n, idx, now);
		else
			sess_del(n, idx);
		return;
	}
	s->egress = (int8_t)egress;
	s->state = IS_REQUESTING;
	send_request(n, idx, n->cfg.lifetime, now);
}

/* Option 1: the lowest-cost offer meeting the requirements; ties go to
 * the lower peer index, so the choice does not depend on arrival order. */
static void
consider(struct isess *s, int egress, uint32_t cost, uint32_t instance)
{
	if (s->best < 0 || cost < s->best_cost ||
	    (cost == s->best_cost && egress < s->best)) {
		s->best = (int8_t)egress;
		s->best_cost = cost;
		s->instance = instance;
	}
}

/* The CIS-ID an answer names, or what we had. */
static uint32_t
instance_in(const struct mh_msg *m, uint32_t had)
{
	return (m->present & MH_BIT(MH_O_CIS_ID)) ? m->cis_id : had;
}

/*
 * The controller named the instance this session just moved off (its
 * egress said it is gone): the G report and our query crossed on the way
 * to it.  Asked again once, a heartbeat later; after that its answer
 * stands (the instance may be back).
 */
static bool
names_gone(struct isess *s, int egress, const struct mh_msg *m)
{
	if (s->moved_inst == 0 || (s->flags & SF_REASKED) || egress < 0 ||
	    egress != s->moved_from - 1 || instance_in(m, 0) != s->moved_inst)
		return false;
	s->flags |= SF_REASKED;
	return true;
}

static void
on_response(struct node *n, uint32_t idx, const struct rx *rx, uint64_t now)
{
	struct isess *s = S(n, idx);
	int egress = -1;

	if (s->state != IS_QUERYING) {
		node_drop(n, NODE_DROP_UNEXPECTED);
		return;
	}
	if (rx->m.status == MH_ST_CATS_AVAILABLE &&
	    (rx->m.present & MH_BIT(MH_O_CR_ID)) && rx->m.crid.len == 16)
		egress = node_peer_find(&n->cfg, rx->m.crid.p);
	if (n->cfg.setup == SETUP_QUERY_CONTROLLER) {
		/* the controller has not seen that site go yet: ask again
		 * once its own heartbeats can have told it */
		if (live_down(n, egress) || names_gone(s, egress, &rx->m)) {
			s->why = CATS_SEL_UNAVAILABLE;
			node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_DEADLINE),
			    now + n->cfg.heartbeat_ms);
			return;
		}
		s->instance = instance_in(&rx->m, 0);
		choose_egress(n, idx, egress, now);
		return;
	}
	s->offers++;
	if (egress >= 0 && (rx->m.present & MH_BIT(MH_O_CATS_COND)) &&
	    offer_meets(s, &rx->m.cond))
		consider(s, egress, offer_cost(&rx->m.cond),
		    instance_in(&rx->m, 0));
	/* everyone answered: no need to wait for the deadline */
	if (s->offers == s->queried)
		choose_egress(n, idx, s->best, now);
}

static void
on_deadline(struct node *n, uint32_t idx, uint64_t now)
{
	struct isess *s = S(n, idx);

	if (s->state == IS_UNMET) {		/* a peer came back: try again */
		s->state = IS_QUERYING;
		s->rounds = 1;
		send_queries(n, idx, now);
		return;
	}
	if (s->state != IS_QUERYING)
		return;
	if (s->offers == 0 && s->rounds < n->cfg.rtx_tries) {
		s->rounds++;			/* every answer lost: ask again */
		node_rtx_cancel(n, ROLE_INGRESS, cookie_of(n, idx, W_QUERY));
		send_queries(n, idx, now);
		return;
	}
	choose_egress(n, idx, s->best, now);
}

static void
locator_register(struct node *n, uint32_t idx, uint16_t lifetime, uint64_t now)
{
	struct isess *s = S(n, idx);
	const struct client *c = client_get(n, s->key.client, false);
	struct mh_msg m;
	size_t i;

	if (n->cfg.find != FIND_LOCATOR)
		return;
	for (i = 0; i < n->cfg.npeers; i++) {
		if (!(n->cfg.peers[i].roles & NODE_LOCATOR))
			continue;
		msg_about(&m, n, s, MH_K_LOC_REGISTER);
		m.lifetime = lifetime;
		m.present |= MH_BIT(MH_O_CATS_ADDR);
		memcpy(m.cats_addr, node_peer_addr(n, s->egress), 16);
		if (c != NULL && c->ll_len > 0) {
			m.present |= MH_BIT(MH_O_LLID);
			m.llid.p = c->ll;
			m.llid.len = c->ll_len;
		}
		send_rel(n, idx, (int)i, &m, W_LOCREG, now);
		s->flags = (uint8_t)(lifetime ? s->flags | SF_LOCREG :
		    s->flags & ~SF_LOCREG);
		return;
	}
}

static void
refresh_arm(struct node *n, uint32_t idx, uint16_t lifetime, uint64_t now)
{
	uint64_t ms = (uint64_t)lifetime * 4000;

	S(n, idx)->expires = now + ms;
	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_REFRESH),
	    now + ms * REFRESH_PCT / 100);
	sweep_arm(n, now);
}

static void
on_ack(struct node *n, uint32_t idx, const struct rx *rx, uint64_t now)
{
	struct isess *s = S(n, idx);

	/* RFC 6275 11.7.1: a stale sequence number or timestamp is our own
	 * retransmission overtaken by a newer request, to send again, new;
	 * unless the client has left, when it is a newer registration by the
	 * ingress it went to, which must win. */
	if (rx->m.status == MH_ST_SEQ_OUT_OF_WINDOW ||
	    rx->m.status == MH_ST_TIMESTAMP_LOWER) {
		if (attached(n, s->key.client) && ++s->stale < n->cfg.rtx_tries)
			send_request(n, idx, n->cfg.lifetime, now);
		else if (s->state == IS_REQUESTING)
			sess_del(n, idx);
		return;
	}
	if (rx->m.status != MH_ST_CATS_AVAILABLE) {
		if (s->state == IS_REQUESTING && s->moved_from != 0) {
			reply_client(n, s, MH_ST_CATS_UNAVAILABLE);
			keep_unmet(n, idx, now);	/* the new site refused */
			return;
		}
		if (s->state == IS_REQUESTING)
			reply_client(n, s, MH_ST_CATS_UNAVAILABLE);
		dp(n, DP_UNSTEER, s, -1);
		sess_del(n, idx);
		return;
	}
	refresh_arm(n, idx, rx->m.lifetime, now);
	s->stale = 0;
	if (s->state != IS_REQUESTING)
		return;				/* a refresh */
	if (rx->m.present & MH_BIT(MH_O_SVC_PREFIX))
		s->prefix = rx->m.svc_prefix;
	s->instance = instance_in(&rx->m, s->instance);	/* the egress knows best */
	s->state = attached(n, s->key.client) ? IS_ESTABLISHED : IS_LEFT;
	dp(n, DP_STEER, s, s->egress);
	if (s->prefix.len > 0)
		dp(n, DP_PREFIX, s, -1);
	if (s->state == IS_LEFT)
		dp(n, DP_BUFFER, s, -1);
	if (s->moved_from != 0)
		n->cnt.resteered++;
	reply_client(n, s, MH_ST_CATS_AVAILABLE);
	locator_register(n, idx, n->cfg.lifetime, now);
}

/* ------------------------------------------------------------------ */
/* Handover, old side                                                  */

/* Fig. 1: tell the candidate ingresses where the client's service runs. */
static void
notify(struct node *n, uint32_t idx, int peer, uint64_t now)
{
	struct isess *s = S(n, idx);
	struct mh_msg m;

	msg_about(&m, n, s, MH_K_MOB_NOTIFY);
	m.present |= MH_BIT(MH_O_CATS_ADDR);
	memcpy(m.cats_addr, node_peer_addr(n, s->egress), 16);
	m.cats_flags = (s->flags & SF_CONTINUITY) ? MH_CF_CONTINUITY : 0;
	if (s->instance != 0) {
		m.present |= MH_BIT(MH_O_CIS_ID);
		m.cis_id = s->instance;
	}
	if (s->prefix.len > 0) {
		m.present |= MH_BIT(MH_O_SVC_PREFIX);
		m.svc_prefix = s->prefix;
	}
	/* the requirements travel with the session (mobility 3), for the
	 * new ingress's switching query */
	msg_reqs(&m, s);
	send_rel(n, idx, peer, &m, W_NOTIFY, now);
}


/*
 * Mobility 3: the old ingress tells the new one "whether the client needs
 * service continuity": a transaction in progress, which is traffic from
 * or to the client that the data plane carried in the last
 * continuity_idle_ms.  A data plane that cannot tell (the kernel's seg6
 * routes count nothing) leaves the driver's word: needed until it says
 * every result came (EV_RESULTS_DONE).
 */
static bool
needs_continuity(struct node *n, const struct isess *s)
{
	uint64_t idle;

	if (n->ops->activity != NULL) {
		if (n->ops->activity(n->ctx, s->key.client, &idle) == 0)
			return idle <= n->cfg.continuity_idle_ms;
		if (errno == ENOENT)
			return false;		/* no packet ever */
	}
	return !(s->flags & SF_DONE);
}

static void
continuity_set(struct node *n, struct isess *s)
{
	if (needs_continuity(n, s))
		s->flags |= SF_CONTINUITY;
	else
		s->flags &= (uint8_t)~SF_CONTINUITY;
}

static void
move_detected(struct node *n, const uint8_t client[16], uint64_t now)
{
	struct isess *s;
	uint32_t idx;
	size_t k = 0, i;

	while ((idx = client_next(n, client, &k)) != 0) {
		s = S(n, idx);
		if (!serving(s))
			continue;
		continuity_set(n, s);
		for (i = 0; i < n->cfg.npeers; i++)
			if ((n->cfg.peers[i].roles & NODE_INGRESS) &&
			    n->cfg.peers[i].candidate)
				notify(n, idx, (int)i, now);
	}
}

/* Results for a client that has left are held until we know where it is. */
static void
detach(struct node *n, const uint8_t client[16])
{
	struct client *c = client_get(n, client, false);
	struct isess *s;
	uint32_t idx;
	size_t k = 0;

	if (c != NULL && !has_sessions(n, client)) {
		table_del(&I(n)->clients, c);	/* nothing to remember it by */
		return;
	}
	if (c != NULL)
		c->attached = false;
	while ((idx = client_next(n, client, &k)) != 0) {
		s = S(n, idx);
		/* a set-up still running is abandoned: the client will ask the
		 * ingress it goes to, whose registration must not be overtaken
		 * by ours arriving late */
		if (s->state == IS_QUERYING || s->state == IS_REQUESTING) {
			sess_del(n, idx);
			continue;
		}
		if (s->state == IS_ESTABLISHED || s->state == IS_MOVED_IN ||
		    s->state == IS_SWITCHING) {
			s->state = IS_LEFT;
			dp(n, DP_BUFFER, s, -1);
		}
	}
}

static void
forward_to(struct node *n, struct isess *s, int peer)
{
	if (s->state == IS_FORWARDING && s->other == peer)
		return;
	/* what arrives for the client and its prefix follows it (DP_FORWARD
	 * replaces the prefix's access route); its steering stays until the
	 * session runs out here, for a client that comes back */
	s->state = IS_FORWARDING;
	s->other = (int8_t)peer;
	dp(n, DP_FORWARD, s, peer);
	dp(n, DP_FLUSH, s, peer);
}

/* Mobility 4.2: the new ingress has the client; send its results there. */
static void
on_indication_old(struct node *n, const struct rx *rx)
{
	int sv = msg_service_index(n, &rx->m);
	uint32_t idx = sv < 0 ? 0 : sess_find(n, rx->m.client_addr, (uint16_t)sv);
	struct isess *s = S(n, idx);

	if (s == NULL || !(serving(s) || s->state == IS_FORWARDING)) {
		node_drop(n, NODE_DROP_UNKNOWN_CLIENT);
		node_ack(n, rx, MH_ST_CATS_UNKNOWN_CLIENT);
		return;
	}
	forward_to(n, s, rx->peer);
	node_ack(n, rx, MH_ST_ACCEPTED);
}

/* Fig. 2: the new ingress asks for a client; answer with a notification per
 * service (reliably) and start forwarding. */
static void
on_mob_request(struct node *n, const struct rx *rx, uint64_t now)
{
	struct isess *s;
	uint32_t idx;
	size_t k = 0;
	bool any = false;

	while ((idx = client_next(n, rx->m.client_addr, &k)) != 0) {
		s = S(n, idx);
		if (!(serving(s) || s->state == IS_FORWARDING))
			continue;
		any = true;
		continuity_set(n, s);
		forward_to(n, s, rx->peer);
		notify(n, idx, rx->peer, now);
	}
	if (!any) {
		node_drop(n, NODE_DROP_UNKNOWN_CLIENT);
		node_ack(n, rx, MH_ST_CATS_UNKNOWN_CLIENT);
	}
}

/* ------------------------------------------------------------------ */
/* Handover, new side                                                  */

/* A handover done here: its interruption as this ingress saw it, from
 * the client's attach to now (node_counters.handover) */
static void
handover_count(struct node *n, const uint8_t client[16], uint64_t now)
{
	const struct client *c = client_get(n, client, false);
	uint64_t ms;
	unsigned b = 0;

	if (c == NULL || !c->attached)
		return;
	ms = now > c->attached_at ? now - c->attached_at : 0;
	while (b < NODE_HO_BUCKETS && ms > node_ho_le_ms[b])
		b++;
	n->cnt.handover[c->ho]++;
	n->cnt.handover_ms_sum[c->ho] += ms;
	if (b < NODE_HO_BUCKETS)
		n->cnt.handover_le[c->ho][b]++;
}

static void
send_indications(struct node *n, uint32_t idx, uint64_t now)
{
	struct isess *s = S(n, idx);
	struct mh_msg m;

	handover_count(n, s->key.client, now);
	s->state = IS_MOVED_IN;
	s->pending |= P_IND_OLD | P_IND_EGRESS;
	dp(n, DP_STEER, s, s->egress);
	if (s->prefix.len > 0)
		dp(n, DP_PREFIX, s, -1);
	msg_about(&m, n, s, MH_K_MOB_INDICATION);
	send_rel(n, idx, s->other, &m, W_IND_OLD, now);
	msg_about(&m, n, s, MH_K_MOB_INDICATION);
	/* timestamped: the egress orders it against the registrations it has
	 * seen, so a late copy cannot take the results back (RFC 5213 5.5) */
	m.present |= MH_BIT(MH_O_CATS_ADDR) | MH_BIT(MH_O_TIMESTAMP);
	m.timestamp = node_stamp(n);
	memcpy(m.cats_addr, node_peer_addr(n, s->other), 16);
	send_rel(n, idx, s->egress, &m, W_IND_EGRESS, now);
	/* the locator now points here, for the next move; and this ingress
	 * now keeps the egress binding alive */
	locator_register(n, idx, n->cfg.lifetime, now);
	refresh_arm(n, idx, n->cfg.lifetime, now);
}

/* The client's services are known now: the placeholder (and the request
 * still pending for it) goes. */
static void
placeholder_done(struct node *n, const uint8_t client[16])
{
	uint32_t idx = sess_find(n, client, ANY_SERVICE);

	if (idx != 0)
		sess_del(n, idx);
}

/* A notification: proactive (fig. 1, before the client comes) or the
 * answer to our request (fig. 2, the client is here). */
static void
on_notify(struct node *n, const struct rx *rx, uint64_t now)
{
	int sv = msg_service_index(n, &rx->m);
	int egress = node_peer_find(&n->cfg, rx->m.cats_addr);
	struct isess *s;
	uint32_t idx;
	uint8_t owner = 0;

	if (sv < 0 || egress < 0 || !(n->cfg.peers[egress].roles & NODE_EGRESS)) {
		node_ack(n, rx, sv < 0 ? MH_ST_CATS_UNAVAILABLE : MH_ST_CATS_NOT_PEER);
		return;
	}
	placeholder_done(n, rx->m.client_addr);
	idx = sess_find(n, rx->m.client_addr, (uint16_t)sv);
	if (idx != 0 && S(n, idx)->state == IS_FORWARDING) {
		/* the client is coming back here: stop forwarding it away */
		dp(n, DP_UNFORWARD, S(n, idx), S(n, idx)->other);
		S(n, idx)->state = IS_EXPECTED;
	}
	if (idx != 0 && S(n, idx)->state != IS_EXPECTED) {
		node_drop(n, NODE_DROP_DUPLICATE);
		node_ack(n, rx, MH_ST_ACCEPTED);
		return;
	}
	/* an expected session is the notifying ingress's to pay for: one
	 * that notifies clients without end fills its quota, not the table */
	if (idx == 0 && !node_charge(n, rx->peer, NODE_STATE_SESSION, &owner)) {
		node_ack(n, rx, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	if (idx == 0 && (idx = sess_new(n, rx->m.client_addr, (uint16_t)sv)) == 0) {
		node_release(n, NODE_STATE_SESSION, &owner);
		node_drop(n, NODE_DROP_NO_RESOURCES);
		node_ack(n, rx, MH_ST_INSUFFICIENT_RESOURCES);
		return;
	}
	s = S(n, idx);
	if (owner != 0)
		s->owner = owner;
	s->state = IS_EXPECTED;
	s->egress = (int8_t)egress;
	s->other = (int8_t)rx->peer;
	/* the old ingress's word, not what an earlier stay here left */
	s->flags &= (uint8_t)~SF_CONTINUITY;
	s->flags |= (rx->m.cats_flags & MH_CF_CONTINUITY) ? SF_CONTINUITY : 0;
	if (rx->m.present & MH_BIT(MH_O_SVC_PREFIX))
		s->prefix = rx->m.svc_prefix;
	s->instance = instance_in(&rx->m, 0);
	if ((rx->m.present & MH_BIT(MH_O_CATS_REQ)) && !keep_reqs(s, &rx->m.req))
		node_unmet(n, CATS_SEL_AFFINITY);	/* cannot happen: same limit */
	s->expires = now + (uint64_t)n->cfg.lifetime * 4000;
	sweep_arm(n, now);
	node_ack(n, rx, MH_ST_ACCEPTED);
	if (attached(n, s->key.client))
		send_indications(n, idx, now);
}

/* Mobility 3: with the address scheme, the old ingress owns the sub-prefix
 * the client's address comes from. */
static int
old_ingress_by_prefix(const struct node *n, const uint8_t client[16])
{
	size_t i;

	for (i = 0; i < n->cfg.npeers; i++)
		if ((n->cfg.peers[i].roles & NODE_INGRESS) &&
		    prefix_contains(&n->cfg.peers[i].subprefix, client))
			return (int)i;
	return -1;
}

static void
ask_old_ingress(struct node *n, uint32_t idx, int old, uint64_t now)
{
	struct isess *s = S(n, idx);
	struct mh_msg m;

	s->state = IS_ASKING;
	s->other = (int8_t)old;
	msg_about(&m, n, s, MH_K_MOB_REQUEST);
	send_rel(n, idx, old, &m, W_MOBREQ, now);
}

static void
ask_locator(struct node *n, uint32_t idx, uint64_t now)
{
	struct isess *s = S(n, idx);
	struct mh_msg m;
	size_t i;

	for (i = 0; i < n->cfg.npeers; i++) {
		if (!(n->cfg.peers[i].roles & NODE_LOCATOR))
			continue;
		s->state = IS_LOCATING;
		msg_about(&m, n, s, MH_K_LOC_QUERY);
		send_rel(n, idx, (int)i, &m, W_LOCQUERY, now);
		return;
	}
	sess_del(n, idx);			/* no locator: a new client */
}

/* A client back after a short absence: deliver what was held, and keep
 * the binding alive if its refresh fell in the absence. */
static void
come_back(struct node *n, uint32_t idx, uint64_t now)
{
	struct isess *s = S(n, idx);
	uint64_t ms = (uint64_t)n->cfg.lifetime * 4000;
	uint64_t due = s->expires - ms * (100 - REFRESH_PCT) / 100;

	s->state = IS_ESTABLISHED;
	dp(n, DP_FLUSH, s, -1);
	if (s->expires != 0 && due <= now)
		send_request(n, idx, n->cfg.lifetime, now);
}


static void
attach(struct node *n, const struct ev *ev, uint64_t now)
{
	struct client *c = client_get(n, ev->client, true);
	struct isess *s;
	uint32_t idx;
	size_t k;
	int old;

	if (c == NULL) {
		node_drop(n, NODE_DROP_NO_RESOURCES);
		return;
	}
	c->attached = true;
	c->attached_at = now;
	c->ho = NODE_HO_PROACTIVE;	/* unless asked for below */
	c->ll_len = ev->lladdr_len <= sizeof(c->ll) ? ev->lladdr_len : 0;
	memcpy(c->ll, ev->lladdr, c->ll_len);
	if (has_sessions(n, ev->client)) {
		k = 0;
		while ((idx = client_next(n, ev->client, &k)) != 0) {
			s = S(n, idx);
			if (s->state == IS_FORWARDING) {
				/* back where it was before the last move: stop
				 * sending its results away, and say it is here
				 * (the other ingress flushes what it holds) */
				dp(n, DP_UNFORWARD, s, s->other);
				s->state = IS_EXPECTED;
			}
			if (s->state == IS_EXPECTED)
				send_indications(n, idx, now);	/* fig. 1 */
			else if (s->state == IS_LEFT)
				come_back(n, idx, now);
		}
		return;
	}
	if (prefix_contains(&n->cfg.subprefix, ev->client))
		return;				/* one of ours: a new client */
	if ((idx = sess_new(n, ev->client, ANY_SERVICE)) == 0) {
		node_drop(n, NODE_DROP_NO_RESOURCES);
		return;
	}
	old = n->cfg.find == FIND_PREFIX ? old_ingress_by_prefix(n, ev->client) : -1;
	if (n->cfg.find == FIND_PREFIX && old < 0)
		sess_del(n, idx);
	else if (old >= 0) {
		c->ho = NODE_HO_REACTIVE_PREFIX;
		ask_old_ingress(n, idx, old, now);	/* fig. 2 by address */
	} else {
		c->ho = NODE_HO_REACTIVE_LOCATOR;
		ask_locator(n, idx, now);		/* fig. 2 by locator */
	}
}

/*
 * The locator may not know the client yet: the old ingress's registration
 * can still be on its way.  So an unknown client is not taken for a new
 * one at once: the address plan answers if there is one, else we ask again
 * with back-off, and only then treat the client as new.
 */
static void
on_loc_reply(struct node *n, uint32_t idx, const struct rx *rx, uint64_t now)
{
	struct isess *s = S(n, idx);
	int old = -1, self = node_peer_find(&n->cfg, n->cfg.addr);

	if (rx->m.status == MH_ST_ACCEPTED &&
	    (rx->m.present & MH_BIT(MH_O_CR_ID)) && rx->m.crid.len == 16)
		old = node_peer_find(&n->cfg, rx->m.crid.p);
	if (old < 0 || old == self)
		old = old_ingress_by_prefix(n, s->key.client);
	if (old >= 0 && old != self) {
		ask_old_ingress(n, idx, old, now);
		return;
	}
	if (++s->rounds >= n->cfg.rtx_tries) {
		sess_del(n, idx);		/* unknown everywhere: a new client */
		return;
	}
	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_LOCATE),
	    now + ((uint64_t)n->cfg.rtx_initial_ms << s->rounds));
}

/* ------------------------------------------------------------------ */
/* Transaction switching (mobility fig. 3)                             */

static void
maybe_switch(struct node *n, uint32_t idx, uint64_t now)
{
	struct isess *s = S(n, idx);
	char nai[40];
	struct mh_msg m;
	size_t i;

	if (s->pending != 0 || (s->flags & SF_SWITCHED) ||
	    !n->cfg.transaction_switch || !(s->flags & SF_CONTINUITY))
		return;
	for (i = 0; i < n->cfg.npeers; i++) {
		if (!(n->cfg.peers[i].roles & NODE_CONTROLLER))
			continue;
		s->state = IS_SWITCHING;
		/* mobility 3, fig. 3: the switching query carries the
		 * session's requirements, the ICR ID, and the instance in
		 * use (CIS-ID), which the C-PS keeps unless one that meets
		 * them is clearly better */
		msg_about(&m, n, s, MH_K_CATS_QUERY);
		msg_mnid(&m, s, nai, sizeof(nai));
		msg_reqs(&m, s);
		msg_icr(&m, n);
		if (s->instance != 0) {
			m.present |= MH_BIT(MH_O_CIS_ID);
			m.cis_id = s->instance;
		}
		send_rel(n, idx, (int)i, &m, W_SWITCHQ, now);
		return;
	}
	s->flags |= SF_SWITCHED;
}

static void
on_switch_answer(struct node *n, uint32_t idx, const struct rx *rx, uint64_t now)
{
	struct isess *s = S(n, idx);
	struct mh_msg m;
	int better = -1;

	if (rx->m.status == MH_ST_CATS_AVAILABLE &&
	    (rx->m.present & MH_BIT(MH_O_CR_ID)) && rx->m.crid.len == 16)
		better = node_peer_find(&n->cfg, rx->m.crid.p);
	/* a target whose conditions break the session's requirements is
	 * refused (anchoring 4.4 carried into mobility 3's switching) */
	if (better >= 0 && better != s->egress &&
	    (!(rx->m.present & MH_BIT(MH_O_CATS_COND)) ||
	    cond_reason(&rx->m.cond, &s->req, false) != CATS_SEL_OK)) {
		node_drop(n, NODE_DROP_SWITCH_REFUSED);
		better = -1;
	}
	if (better < 0 || better == s->egress) {
		s->flags |= SF_SWITCHED;	/* the current one stays best */
		s->state = IS_MOVED_IN;
		return;
	}
	s->new_egress = (int8_t)better;
	s->pending |= P_TX_CONFIRM | P_TX_RECEIVED;
	msg_about(&m, n, s, MH_K_TX_TRANSFER_REQ);
	m.present |= MH_BIT(MH_O_CATS_ADDR) | MH_BIT(MH_O_TRANSACTION);
	memcpy(m.cats_addr, node_peer_addr(n, better), 16);
	m.tx.id = s->tx_id;
	send_rel(n, idx, s->egress, &m, W_TX_REQ, now);
	msg_about(&m, n, s, MH_K_TX_TRANSFER_NOTIFY);
	m.present |= MH_BIT(MH_O_CATS_ADDR) | MH_BIT(MH_O_TRANSACTION);
	if (s->prefix.len > 0) {	/* the client keeps it: the new egress too */
		m.present |= MH_BIT(MH_O_SVC_PREFIX);
		m.svc_prefix = s->prefix;
	}
	memcpy(m.cats_addr, node_peer_addr(n, s->egress), 16);
	m.tx.id = s->tx_id;
	send_rel(n, idx, better, &m, W_TX_NOTIFY, now);
}

static void
on_tx_answer(struct node *n, uint32_t idx, const struct rx *rx, uint8_t bit)
{
	struct isess *s = S(n, idx);

	if (s->state != IS_SWITCHING || !(s->pending & bit)) {
		node_drop(n, NODE_DROP_UNEXPECTED);
		return;
	}
	s->pending &= (uint8_t)~bit;
	if (bit == P_TX_RECEIVED && rx->m.status == MH_ST_ACCEPTED) {
		/* the new edge resumes: steer the client's packets there */
		s->egress = s->new_egress;
		s->instance = instance_in(&rx->m, 0);
		dp(n, DP_STEER, s, s->egress);
	}
	if (s->pending == 0) {
		s->flags |= SF_SWITCHED;
		s->state = IS_MOVED_IN;
		s->new_egress = -1;
	}
}

/* ------------------------------------------------------------------ */
/* Answers to what we sent                                              */

static void
on_answer(struct node *n, const struct rx *rx, uint64_t now)
{
	uint64_t cookie;
	uint32_t idx;
	struct isess *s;

	if (!node_rtx_done(n, rx->m.seq, rx->src, &cookie) ||
	    (s = sess_of_cookie(n, cookie, &idx)) == NULL) {
		node_drop(n, NODE_DROP_UNEXPECTED);
		return;
	}
	switch ((enum what)(cookie & 0xff)) {
	case W_QUERY:
		on_response(n, idx, rx, now);
		break;
	case W_SWITCHQ:
		on_switch_answer(n, idx, rx, now);
		break;
	case W_REQUEST:
		on_ack(n, idx, rx, now);
		break;
	case W_IND_OLD:
	case W_IND_EGRESS:
		s->pending &= (uint8_t)~((cookie & 0xff) == W_IND_OLD ?
		    P_IND_OLD : P_IND_EGRESS);
		if (rx->m.status != MH_ST_ACCEPTED)
			node_drop(n, NODE_DROP_UNKNOWN_CLIENT);
		maybe_switch(n, idx, now);
		break;
	case W_LOCQUERY:
		on_loc_reply(n, idx, rx, now);
		break;
	case W_MOBREQ:				/* 201: the old one forgot it */
		sess_del(n, idx);
		break;
	case W_TX_REQ:
		on_tx_answer(n, idx, rx, P_TX_CONFIRM);
		break;
	case W_TX_NOTIFY:
		on_tx_answer(n, idx, rx, P_TX_RECEIVED);
		break;
	default:				/* W_NOTIFY, W_LOCREG: acked */
		break;
	}
}

/* The msg-ack, tx-confirm, tx-received, responses, ACKs and locator
 * replies all answer something we sent; the sequence number says what. */
static bool
is_answer(const struct rx *rx)
{
	switch (rx->m.kind) {
	case MH_K_CATS_RESPONSE:
	case MH_K_CATS_ACK:
	case MH_K_MSG_ACK:
	case MH_K_TX_CONFIRM:
	case MH_K_TX_RECEIVED:
	case MH_K_LOC_REPLY:
		return true;
	default:
		return false;
	}
}

static void
on_svc_request(struct node *n, const struct rx *rx, uint64_t now)
{
	int sv = msg_service_index(n, &rx->m);
	const uint8_t *client = rx->src;
	struct mh_msg a;

	/* Only a client on our access link may anchor a binding: anyone else
	 * reaching port 5436 could empty the prefix pools. */
	if (!attached(n, client)) {
		node_drop(n, NODE_DROP_UNKNOWN_CLIENT);
		return;
	}
	if (sv < 0) {
		mh_msg_init(&a, MH_K_SVC_REPLY);
		a.seq = rx->m.seq;
		a.status = MH_ST_CATS_UNAVAILABLE;
		a.present |= MH_BIT(MH_O_SERVICE_ID);
		a.service_id = rx->m.service_id;
		node_send(n, rx->src, &a);
		return;
	}
	start_session(n, client, sv, (rx->m.present & MH_BIT(MH_O_CATS_REQ)) ?
	    &rx->m.req : NULL, true, rx->m.seq, now);
}

static bool
in_msg(struct node *n, const struct rx *rx, uint64_t now)
{
	if (rx->m.kind == MH_K_SVC_REQUEST) {
		on_svc_request(n, rx, now);
		return true;
	}
	if (rx->peer < 0)
		return false;
	if (is_answer(rx)) {
		on_answer(n, rx, now);
		return true;
	}
	switch (rx->m.kind) {
	case MH_K_MOB_NOTIFY:
		on_notify(n, rx, now);
		return true;
	case MH_K_MOB_REQUEST:
		on_mob_request(n, rx, now);
		return true;
	case MH_K_MOB_INDICATION:
		if (rx->m.present & MH_BIT(MH_O_CATS_ADDR))
			return false;		/* to an egress */
		on_indication_old(n, rx);
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* Local events and timers                                             */

static bool
other_service_here(const struct node *n, uint32_t idx)
{
	const struct isess *s = S(n, idx);
	uint32_t o;
	size_t k = 0;

	while ((o = client_next(n, s->key.client, &k)) != 0)
		if (o != idx && serving(S(n, o)) && (S(n, o)->flags & SF_CONTINUITY))
			return true;
	return false;
}

static void
results_done(struct node *n, const struct ev *ev, uint64_t now)
{
	uint32_t idx = sess_find(n, ev->client, ev->service);
	struct isess *s = S(n, idx);

	if (s == NULL)
		return;
	/* Mobility 3: the locator record goes once every result is delivered,
	 * of every service: the record is the client's, not one service's. */
	if ((s->flags & SF_LOCREG) && !other_service_here(n, idx))
		locator_register(n, idx, 0, now);
	s->flags &= (uint8_t)~SF_CONTINUITY;
	s->flags |= SF_DONE;
}

static bool
in_local(struct node *n, const struct ev *ev, uint64_t now)
{
	switch (ev->type) {
	case EV_SERVICE_REQUEST:
		if (ev->service >= n->cfg.nservices) {
			node_drop(n, NODE_DROP_UNKNOWN_SERVICE);
			return true;
		}
		start_session(n, ev->client, ev->service, ev->req, false, 0, now);
		return true;
	case EV_ATTACH:
		attach(n, ev, now);
		return true;
	case EV_DETACH:
		detach(n, ev->client);
		return true;
	case EV_MOVE_DETECTED:
		move_detected(n, ev->client, now);
		return true;
	case EV_RESULTS_DONE:
		results_done(n, ev, now);
		return true;
	default:
		return false;
	}
}

/* RFC 5213 5.3.5 style: lifetime 0 removes the binding at the egress.
 * Sent once: if it is lost, the egress's own expiry removes it. */
static void
deregister(struct node *n, uint32_t idx)
{
	struct isess *s = S(n, idx);
	char nai[40];
	struct mh_msg m;

	if (s->egress < 0)
		return;
	msg_about(&m, n, s, MH_K_CATS_REQUEST);
	msg_mnid(&m, s, nai, sizeof(nai));
	m.flags |= MH_BU_P;
	m.seq = node_next_seq(n);
	m.lifetime = 0;
	m.present |= MH_BIT(MH_O_TIMESTAMP);
	m.timestamp = node_stamp(n);
	node_send(n, node_peer_addr(n, s->egress), &m);
}

static void
sweep(struct node *n, uint64_t now)
{
	const struct skey_ent *e;
	struct isess *s;
	size_t pos = 0;
	uint32_t idx;

	I(n)->sweeping = false;
	while ((e = table_next(&I(n)->keys, &pos)) != NULL) {
		idx = e->idx;
		s = S(n, idx);
		if (s->expires == 0 || s->expires > now)
			continue;
		if (s->state == IS_FORWARDING)
			dp(n, DP_UNFORWARD, s, s->other);
		/* a session handed over away was steered here too */
		if (serving(s) || s->state == IS_FORWARDING)
			dp(n, DP_UNSTEER, s, s->egress);
		if (s->state == IS_LEFT) {
			/* the client vanished: its buffer route goes too */
			dp(n, DP_FLUSH, s, -1);
			deregister(n, idx);
			if (s->flags & SF_LOCREG)
				locator_register(n, idx, 0, now);
		}
		sess_del(n, idx);
	}
	if (I(n)->sess.n > 0)
		sweep_arm(n, now);
}

static void
in_timer(struct node *n, uint64_t sub, uint64_t now)
{
	struct isess *s;
	uint32_t idx;

	if (sub == T_SWEEP) {
		sweep(n, now);
		return;
	}
	if ((s = sess_of_cookie(n, sub, &idx)) == NULL)
		return;
	switch ((enum what)(sub & 0xff)) {
	case T_DEADLINE:
		on_deadline(n, idx, now);
		break;
	case T_REFRESH:
		/* whoever has the client keeps its binding alive; a session
		 * whose client left is let run out (the sweep deregisters it) */
		if (serving(s) && s->state != IS_LEFT)
			send_request(n, idx, n->cfg.lifetime, now);
		break;
	case T_LOCATE:
		if (s->state == IS_LOCATING)
			ask_locator(n, idx, now);
		break;
	default:
		break;
	}
}

/* The last retransmission got no answer: give the session up where it
 * cannot go on, and count it. */
static void
in_rtx_failed(struct node *n, uint64_t cookie, uint64_t now)
{
	struct isess *s;
	uint32_t idx;

	if ((s = sess_of_cookie(n, cookie, &idx)) == NULL)
		return;
	switch ((enum what)(cookie & 0xff)) {
	case W_QUERY:
		if (n->cfg.setup == SETUP_QUERY_EGRESSES)
			return;			/* the deadline decides */
		/* fall through */
	case W_REQUEST:
		if (s->state == IS_QUERYING || s->state == IS_REQUESTING) {
			reply_client(n, s, MH_ST_CATS_UNAVAILABLE);
			if (s->moved_from != 0)
				keep_unmet(n, idx, now);
			else
				sess_del(n, idx);
		}
		return;
	case W_LOCQUERY:
	case W_MOBREQ:
		sess_del(n, idx);
		return;
	case W_IND_OLD:
	case W_IND_EGRESS:
		s->pending &= (uint8_t)~((cookie & 0xff) == W_IND_OLD ?
		    P_IND_OLD : P_IND_EGRESS);
		return;
	case W_SWITCHQ:
	case W_TX_REQ:
	case W_TX_NOTIFY:
		/* the switch is given up; the session stays as it was, unless
		 * it has since gone on (the client left again: its state is
		 * the handover's now, not the switch's) */
		s->flags |= SF_SWITCHED;
		s->pending = 0;
		if (s->state == IS_SWITCHING)
			s->state = IS_MOVED_IN;
		return;
	default:
		return;
	}
}

/* ------------------------------------------------------------------ */

static bool
in_init(struct node *n, const char **why)
{
	struct ingress *in = calloc(1, sizeof(*in));

	if (in == NULL ||
	    !table_init(&in->keys, sizeof(struct skey_ent), sizeof(struct skey),
	    n->cfg.max_sessions) ||
	    !table_init(&in->clients, sizeof(struct client), 16,
	    n->cfg.max_sessions) || !slab_init(&in->sess, sizeof(struct isess))) {
		if (in != NULL) {
			table_free(&in->keys);
			table_free(&in->clients);
		}
		free(in);
		*why = "out of memory";
		return false;
	}
	n->state[ROLE_INGRESS] = in;
	return true;
}

static void
in_free(struct node *n)
{
	table_free(&I(n)->keys);
	table_free(&I(n)->clients);
	slab_free(&I(n)->sess);
	free(I(n));
	n->state[ROLE_INGRESS] = NULL;
}

/* ------------------------------------------------------------------ */
/* Site failure (docs/engine.md "Site failure")                        */

/* Nothing met the requirements of a session moved off a dead egress: it
 * stays, named "unmet" and counted, to be asked for again when a peer
 * comes back (in_peer_up), until its lifetime runs out (the sweep). */
static void
keep_unmet(struct node *n, uint32_t idx, uint64_t now)
{
	struct isess *s = S(n, idx);

	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_DEADLINE), 0);
	s->state = IS_UNMET;
	s->egress = -1;
	s->instance = 0;
	s->expires = now + (uint64_t)n->cfg.lifetime * 4000;
	n->cnt.resteer_unmet++;
	sweep_arm(n, now);
}

/* Why sessions move (docs/engine.md §7): egress 'from' declared down
 * after 'missed' heartbeats, or its instance 'instance' gone (not 0). */
struct move {
	int		 from;
	uint32_t	 missed;
	uint32_t	 instance;
};

/*
 * Move a session off egress 'from' (down, or its instance gone): its
 * steering and its prefix (from that egress's pool) go now, so the
 * client's packets stop going into a dead site; the session's selection
 * runs again with the same requirements (anchoring 3: option 1 queries
 * the egresses still up, option 2 the controller), and the cats-ack
 * steers it to the new site.  The old binding went with the egress or
 * its instance, or runs out with its lifetime.
 */
static void
resteer(struct node *n, uint32_t idx, const struct move *mv, uint64_t now)
{
	static const enum what to_old[] = {
		W_REQUEST, W_IND_EGRESS, W_SWITCHQ, W_TX_REQ, W_TX_NOTIFY,
	};
	struct isess *s = S(n, idx);
	size_t k;

	if (serving(s)) {
		dp(n, DP_UNSTEER, s, mv->from);
		if (s->flags & SF_PREFIXED)
			dp(n, DP_UNPREFIX, s, -1);
	}
	/* an instance gone behind a live egress: that egress lets the
	 * binding (and its prefix, charged to us) go now, not at expiry */
	if (mv->instance != 0 && s->state != IS_REQUESTING)
		deregister(n, idx);
	for (k = 0; k < sizeof(to_old) / sizeof(to_old[0]); k++)
		node_rtx_cancel(n, ROLE_INGRESS, cookie_of(n, idx, to_old[k]));
	node_timer(n, ROLE_INGRESS, cookie_of(n, idx, T_REFRESH), 0);
	memset(&s->prefix, 0, sizeof(s->prefix));
	s->egress = s->new_egress = -1;
	s->instance = 0;
	s->pending = 0;
	s->stale = 0;
	s->moved_from = (uint8_t)(mv->from + 1);
	s->moved_missed = (uint8_t)(mv->missed > 255 ? 255 : mv->missed);
	s->moved_inst = mv->instance;
	s->moved_at = now;
	s->flags &= (uint8_t)~SF_REASKED;
	s->state = IS_QUERYING;
	s->rounds = 1;
	send_queries(n, idx, now);
}

/* Every session steered (or being set up) to egress mv->from, on
 * instance mv->instance when it is not 0, moves; a session handed over
 * away, or only expected here, is the other ingress's.  Returns how many. */
static size_t
resteer_set(struct node *n, const struct move *mv, uint64_t now)
{
	const struct skey_ent *e;
	struct isess *s;
	size_t pos = 0, k = 0;

	while ((e = table_next(&I(n)->keys, &pos)) != NULL) {
		s = S(n, e->idx);
		/* a client that has left is the handover's: its results are
		 * held here until the new ingress takes it, which then finds
		 * the egress gone itself */
		if (s->egress != mv->from || s->state == IS_LEFT ||
		    (!serving(s) && s->state != IS_REQUESTING) ||
		    (mv->instance != 0 && s->instance != mv->instance))
			continue;
		resteer(n, e->idx, mv, now);
		k++;
	}
	return k;
}

static void
in_peer_down(struct node *n, int peer, uint32_t missed, uint64_t now)
{
	struct move mv = { .from = peer, .missed = missed };

	if (n->cfg.peers[peer].roles & NODE_EGRESS)
		(void)resteer_set(n, &mv, now);
}

/* Every unmet session asks again, one heartbeat later (a controller
 * hears the site come back by its own heartbeats). */
static void
retry_unmet(struct node *n, uint64_t now)
{
	const struct skey_ent *e;
	size_t pos = 0;

	while ((e = table_next(&I(n)->keys, &pos)) != NULL)
		if (S(n, e->idx)->state == IS_UNMET)
			node_timer(n, ROLE_INGRESS,
			    cookie_of(n, e->idx, T_DEADLINE),
			    now + n->cfg.heartbeat_ms);
}

static void
in_peer_up(struct node *n, int peer, uint64_t now)
{
	(void)peer;
	retry_unmet(n, now);
}

/* The instance a session moved off is back: a controller that names it
 * now means it (names_gone asks again no more). */
static void
back_again(struct node *n, int egress, uint32_t cis_id)
{
	const struct skey_ent *e;
	struct isess *s;
	size_t pos = 0;

	while ((e = table_next(&I(n)->keys, &pos)) != NULL) {
		s = S(n, e->idx);
		if (s->moved_inst == cis_id && s->moved_from == egress + 1)
			s->flags |= SF_REASKED;
	}
}

/* The egress hosting the instance said it is gone (docs/wire.md 5.9 G):
 * its sessions there move as off a dead egress (none: the report is
 * about nothing of ours); back, the unmet ask again (the controller
 * heard it in the same breath). */
bool
in_instance_gone(struct node *n, int egress, uint32_t cis_id, bool gone,
    uint64_t now)
{
	struct move mv = { .from = egress, .instance = cis_id };
	size_t k;

	if (I(n) == NULL)
		return false;
	if (!gone) {
		back_again(n, egress, cis_id);
		retry_unmet(n, now);
		return true;
	}
	k = resteer_set(n, &mv, now);
	n->cnt.resteer_gone += k;
	return k > 0;
}

/* "egress e1 down: 3 heartbeats missed" or "instance 101 at egress1
 * gone", for show sessions. */
static void
moved_why(const struct node *n, const struct isess *s, char *buf, size_t len)
{
	const char *eg;
	int k;

	buf[0] = '\0';
	if (s->moved_from == 0)
		return;
	eg = n->cfg.peers[s->moved_from - 1].name;
	if (s->moved_inst != 0)
		k = snprintf(buf, len, "instance %u at %s gone", s->moved_inst,
		    eg);
	else
		k = snprintf(buf, len, "egress %s down: %u heartbeats missed",
		    eg, s->moved_missed);
	if (s->state == IS_UNMET && k > 0 && (size_t)k < len)
		snprintf(buf + k, len - (size_t)k, "; no instance meets %s",
		    s->why != CATS_SEL_OK ?
		    cats_sel_reason_name((enum cats_sel_reason)s->why) :
		    "the requirements");
}

static const char *const is_names[] = {
	[IS_QUERYING] = "querying", [IS_REQUESTING] = "requesting",
	[IS_ESTABLISHED] = "established", [IS_LEFT] = "left",
	[IS_FORWARDING] = "forwarding", [IS_EXPECTED] = "expected",
	[IS_LOCATING] = "locating", [IS_ASKING] = "asking",
	[IS_MOVED_IN] = "moved-in", [IS_SWITCHING] = "switching",
	[IS_UNMET] = "unmet",
};

static size_t
in_walk(const struct node *n, size_t *pos, size_t max, node_walk_fn fn,
    void *arg)
{
	const struct skey_ent *e;
	const struct isess *s;
	struct node_session_info i;
	size_t k = 0;

	while (k < max && (e = table_next(&I(n)->keys, pos)) != NULL) {
		s = S(n, e->idx);
		memset(&i, 0, sizeof(i));
		i.role = "ingress";
		i.state = is_names[s->state];
		memcpy(i.client, s->key.client, 16);
		i.service = s->key.service == ANY_SERVICE ? -1 : s->key.service;
		i.egress = s->egress;
		i.other = s->other;
		i.prefix = s->prefix;
		i.expires_ms = s->expires;
		i.continuity = (s->flags & SF_CONTINUITY) != 0;
		moved_why(n, s, i.why, sizeof(i.why));
		i.moved_ms = s->moved_at;
		fn(arg, &i);
		k++;
	}
	return k;
}

static size_t
in_sessions(const struct node *n)
{
	return I(n)->sess.n;
}

static size_t
in_memory(const struct node *n)
{
	return sizeof(struct ingress) + table_memory(&I(n)->keys) +
	    table_memory(&I(n)->clients) + slab_memory(&I(n)->sess);
}

const struct role role_ingress = {
	.name = "ingress",
	.bit = NODE_INGRESS,
	.init = in_init,
	.free = in_free,
	.msg = in_msg,
	.local = in_local,
	.timer = in_timer,
	.rtx_failed = in_rtx_failed,
	.walk = in_walk,
	.sessions = in_sessions,
	.memory = in_memory,
	.peer_down = in_peer_down,
	.peer_up = in_peer_up,
};
