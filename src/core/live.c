/*
 * live: signaling liveness of the peers a node depends on, after the
 * Proxy Mobile IPv6 heartbeat (RFC 5847 section 3).
 *
 * Every heartbeat_ms the node sends each watched peer a heartbeat; the
 * peer answers with a heartbeat-ack echoing its sequence number.  A
 * heartbeat still unanswered when the next is due is missed (RFC 5847
 * 3.1: "before sending the next Heartbeat Request"); heartbeat_misses
 * missed in a row and the peer is down (RFC 5847 3.2, "the peer is
 * unreachable").  Any message from the peer, not only an answer, shows it
 * is alive: it clears the count, and a peer that was down is up again.
 * The roles are told through their peer_down / peer_up hooks; what they
 * do about it (re-steer, withdraw from the C-PS) is theirs.
 *
 * Who watches whom: an ingress its egress and controller peers (where it
 * steers clients and whom it asks), a controller its egress peers (whose
 * instances its C-PS chooses).  Every node answers any peer's heartbeat.
 */
#include <stdlib.h>
#include <string.h>

#include "node_int.h"

struct live_peer {
	bool		 watched;
	bool		 outstanding;	/* the last heartbeat is unanswered */
	enum node_live_state state;
	uint32_t	 missed;
	uint64_t	 since;
	uint64_t	 heard;
	uint64_t	 downs;
};

struct live {
	size_t		 n;
	struct live_peer p[];
};

static const char *const live_names[] = {
	[NODE_LIVE_UNWATCHED] = "unwatched",
	[NODE_LIVE_UNKNOWN] = "unknown",
	[NODE_LIVE_UP] = "up",
	[NODE_LIVE_DOWN] = "down",
};

const char *
node_live_name(enum node_live_state s)
{
	return (unsigned)s < sizeof(live_names) / sizeof(live_names[0]) ?
	    live_names[s] : "?";
}

/* An ingress depends on its egresses and controllers, a controller on its
 * egresses (docs/engine.md "Site failure"). */
static bool
watches(const struct node *n, const struct node_peer *p)
{
	uint32_t want = 0;

	if (n->cfg.roles & NODE_INGRESS)
		want |= NODE_EGRESS | NODE_CONTROLLER;
	if (n->cfg.roles & NODE_CONTROLLER)
		want |= NODE_EGRESS;
	return (p->roles & want) != 0;
}

static void
tick_arm(struct node *n, uint64_t at)
{
	n->ops->timer(n->ctx, TIMER_KEY(TIMER_LIVE, 0), at);
}

bool
live_init(struct node *n)
{
	struct live *l;
	size_t i, k = 0;

	if (n->cfg.heartbeat_ms == 0 || n->cfg.heartbeat_misses == 0)
		return true;
	l = calloc(1, sizeof(*l) + n->cfg.npeers * sizeof(l->p[0]));
	if (l == NULL)
		return false;
	l->n = n->cfg.npeers;
	for (i = 0; i < l->n; i++) {
		l->p[i].watched = watches(n, &n->cfg.peers[i]);
		l->p[i].state = l->p[i].watched ? NODE_LIVE_UNKNOWN :
		    NODE_LIVE_UNWATCHED;
		k += l->p[i].watched;
	}
	n->live = l;
	/* the node does not know the time yet: a time in the past is "at
	 * once" to every driver, and the first tick arms the next */
	if (k > 0)
		tick_arm(n, 1);
	return true;
}

void
live_free(struct node *n)
{
	free(n->live);
	n->live = NULL;
}

static struct live_peer *
watched_peer(const struct node *n, int peer)
{
	if (n->live == NULL || peer < 0 || (size_t)peer >= n->live->n ||
	    !n->live->p[peer].watched)
		return NULL;
	return &n->live->p[peer];
}

bool
live_down(const struct node *n, int peer)
{
	const struct live_peer *p = watched_peer(n, peer);

	return p != NULL && p->state == NODE_LIVE_DOWN;
}

/* Anything from the peer shows it is alive (RFC 5847 3.1 resets the
 * count on a response; any authenticated message is as good). */
static void
heard(struct node *n, int peer, uint64_t now)
{
	struct live_peer *p = watched_peer(n, peer);
	bool was_down;

	if (p == NULL)
		return;
	p->heard = now;
	p->missed = 0;
	p->outstanding = false;
	if (p->state == NODE_LIVE_UP)
		return;
	was_down = p->state == NODE_LIVE_DOWN;
	p->state = NODE_LIVE_UP;
	p->since = now;
	if (was_down)
		node_peer_up(n, peer, now);
}

static void
answer(struct node *n, const struct rx *rx)
{
	struct mh_msg a;

	mh_msg_init(&a, MH_K_HEARTBEAT_ACK);
	a.seq = rx->m.seq;
	node_send(n, rx->src, &a);
}

bool
live_rx(struct node *n, const struct rx *rx, uint64_t now)
{
	if (rx->peer < 0)
		return false;
	heard(n, rx->peer, now);
	switch (rx->m.kind) {
	case MH_K_HEARTBEAT:
		answer(n, rx);		/* every node answers, watching or not */
		return true;
	case MH_K_HEARTBEAT_ACK:
		return true;
	default:
		return false;
	}
}

static void
declare_down(struct node *n, int peer, uint64_t now)
{
	struct live_peer *p = &n->live->p[peer];

	p->state = NODE_LIVE_DOWN;
	p->since = now;
	p->downs++;
	node_peer_down(n, peer, p->missed, now);
}

static void
beat(struct node *n, int peer)
{
	struct mh_msg m;

	mh_msg_init(&m, MH_K_HEARTBEAT);
	m.seq = node_next_seq(n);
	node_send(n, node_peer_addr(n, peer), &m);
}

/* RFC 5847 3.1-3.2: count the heartbeat left unanswered, declare the peer
 * down at the heartbeat_misses-th in a row, and send the next one (a peer
 * that is down is still probed, to see it come back). */
void
live_tick(struct node *n, uint64_t now)
{
	struct live_peer *p;
	size_t i;

	if (n->live == NULL)
		return;
	for (i = 0; i < n->live->n; i++) {
		p = &n->live->p[i];
		if (!p->watched)
			continue;
		if (p->outstanding && ++p->missed >= n->cfg.heartbeat_misses &&
		    p->state != NODE_LIVE_DOWN)
			declare_down(n, (int)i, now);
		p->outstanding = true;
		beat(n, (int)i);
	}
	tick_arm(n, now + n->cfg.heartbeat_ms);
}

bool
node_peer_liveness(const struct node *n, int peer, struct node_peer_live *out)
{
	const struct live_peer *p;

	if (peer < 0 || (size_t)peer >= n->cfg.npeers)
		return false;
	memset(out, 0, sizeof(*out));
	if ((p = watched_peer(n, peer)) == NULL)
		return true;		/* NODE_LIVE_UNWATCHED */
	out->state = p->state;
	out->since_ms = p->since;
	out->heard_ms = p->heard;
	out->missed = p->missed;
	out->downs = p->downs;
	return true;
}
