/*
 * xfer.c: the state-transfer protocol's decisions (cats/xfer.h).  Two
 * small bounded arrays: the transfers this egress has under way as the old
 * one, and the states it keeps as the new one until their import.
 */
#include <stdlib.h>
#include <string.h>

#include "cats/xfer.h"

enum out_step {
	OUT_FREE,
	OUT_EXPORTING,		/* waiting for our edge's state */
	OUT_SENDING,		/* sent, waiting for the acknowledgement */
};

struct xout {
	enum out_step	 step;
	uint8_t		 client[16];
	uint16_t	 service;
	uint32_t	 instance;
	uint8_t		 peer[16];
	struct mh_tx	 tx;
	void		*state;
	size_t		 len;
};

struct xkept {
	bool		 used;
	uint8_t		 client[16];
	uint16_t	 service;
	uint64_t	 expires;
	struct mh_tx	 tx;
	void		*state;
	size_t		 len;
};

struct xfer_fsm {
	xfer_act_fn	 act;
	void		*arg;
	struct xout	 out[XFER_MAX_OUT];
	struct xkept	 kept[XFER_MAX_KEPT];
	struct xfer_counters_core cnt;
};

struct xfer_fsm *
xfer_fsm_new(xfer_act_fn act, void *arg)
{
	struct xfer_fsm *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->act = act;
	x->arg = arg;
	return x;
}

void
xfer_fsm_free(struct xfer_fsm *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < XFER_MAX_OUT; i++)
		free(x->out[i].state);
	for (size_t i = 0; i < XFER_MAX_KEPT; i++)
		free(x->kept[i].state);
	free(x);
}

const struct xfer_counters_core *
xfer_fsm_counters(const struct xfer_fsm *x)
{
	return &x->cnt;
}

static bool
same(const uint8_t a[16], uint16_t sa, const uint8_t b[16], uint16_t sb)
{
	return sa == sb && memcmp(a, b, 16) == 0;
}

/* A copy the fsm owns; NULL for an empty state or no memory. */
static void *
dup_state(const void *state, size_t len)
{
	void *p;

	if (state == NULL || len == 0 || (p = malloc(len)) == NULL)
		return NULL;
	memcpy(p, state, len);
	return p;
}

static void
act_init(struct xfer_act *a, enum xfer_act_type type,
    const uint8_t client[16], uint16_t service)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	memcpy(a->client, client, 16);
	a->service = service;
}

/* EV_STATE_SENT or EV_STATE_RECEIVED, about the other egress. */
static void
raise_ev(struct xfer_fsm *x, enum ev_type type, const uint8_t client[16],
    uint16_t service, const uint8_t peer[16], const struct mh_tx *tx)
{
	struct xfer_act a;

	act_init(&a, XA_EVENT, client, service);
	memcpy(a.peer, peer, 16);
	a.tx = *tx;
	a.ev.type = type;
	memcpy(a.ev.client, client, 16);
	a.ev.service = service;
	a.ev.tx = *tx;
	a.ev.peer = a.peer;
	x->act(x->arg, &a);
}

/* ---- the old egress ---- */

static struct xout *
out_find(struct xfer_fsm *x, const uint8_t client[16], uint16_t service)
{
	for (size_t i = 0; i < XFER_MAX_OUT; i++)
		if (x->out[i].step != OUT_FREE &&
		    same(x->out[i].client, x->out[i].service, client, service))
			return &x->out[i];
	return NULL;
}

static void
out_free(struct xout *o)
{
	free(o->state);
	memset(o, 0, sizeof(*o));
}

bool
xfer_fsm_export(struct xfer_fsm *x, const struct dp_intent *in)
{
	struct xout *o = NULL;
	struct xfer_act a;

	if (out_find(x, in->client, in->service) != NULL)
		return false;		/* the node asked twice: one is enough */
	for (size_t i = 0; o == NULL && i < XFER_MAX_OUT; i++)
		if (x->out[i].step == OUT_FREE)
			o = &x->out[i];
	if (o == NULL) {
		x->cnt.failed++;
		return false;
	}
	o->step = OUT_EXPORTING;
	memcpy(o->client, in->client, 16);
	o->service = in->service;
	o->instance = in->instance;
	memcpy(o->peer, in->peer, 16);
	o->tx = in->tx;
	x->cnt.exports++;
	act_init(&a, XA_EDGE_EXPORT, in->client, in->service);
	a.instance = in->instance;
	memcpy(a.peer, in->peer, 16);
	a.tx = in->tx;
	x->act(x->arg, &a);
	return true;
}

bool
xfer_fsm_exported(struct xfer_fsm *x, const uint8_t client[16],
    uint16_t service, const struct mh_tx *tx, const void *state, size_t len)
{
	struct xout *o = out_find(x, client, service);
	struct xfer_act a;

	if (o == NULL || o->step != OUT_EXPORTING)
		return false;
	o->step = OUT_SENDING;
	o->tx = *tx;			/* what the edge actually handed over */
	o->state = dup_state(state, len);
	o->len = o->state != NULL ? len : 0;
	act_init(&a, XA_SEND, client, service);
	a.instance = o->instance;
	memcpy(a.peer, o->peer, 16);
	a.tx = *tx;
	a.state = state;
	a.state_len = len;
	x->act(x->arg, &a);
	return true;
}

bool
xfer_fsm_acked(struct xfer_fsm *x, const uint8_t client[16],
    uint16_t service, const struct mh_tx *ack)
{
	struct xout *o = out_find(x, client, service);
	uint8_t peer[16];
	struct mh_tx tx;

	if (o == NULL || o->step != OUT_SENDING)
		return false;
	/* the echo must be the very transaction and position sent */
	if (ack->id != o->tx.id || ack->next_seq != o->tx.next_seq) {
		x->cnt.failed++;
		out_free(o);
		return false;
	}
	memcpy(peer, o->peer, 16);
	tx = o->tx;
	out_free(o);
	x->cnt.sent++;
	raise_ev(x, EV_STATE_SENT, client, service, peer, &tx);
	return true;
}

void
xfer_fsm_failed(struct xfer_fsm *x, const uint8_t client[16],
    uint16_t service, bool reached)
{
	struct xout *o = out_find(x, client, service);
	struct xfer_act a;

	if (o == NULL)
		return;
	x->cnt.failed++;
	/* only a state our edge gave up and nobody else can have */
	if (o->step != OUT_SENDING || reached) {
		out_free(o);
		return;
	}
	act_init(&a, XA_EDGE_IMPORT, client, service);
	a.instance = o->instance;
	a.tx = o->tx;
	a.state = o->state;
	a.state_len = o->len;
	x->cnt.taken_back++;
	x->act(x->arg, &a);
	out_free(o);
}

/* ---- the new egress ---- */

static struct xkept *
kept_find(struct xfer_fsm *x, const uint8_t client[16], uint16_t service)
{
	for (size_t i = 0; i < XFER_MAX_KEPT; i++)
		if (x->kept[i].used &&
		    same(x->kept[i].client, x->kept[i].service, client, service))
			return &x->kept[i];
	return NULL;
}

/* A newer state for the same client and service replaces the old one;
 * states never imported expire, so their slots come back. */
static struct xkept *
kept_put(struct xfer_fsm *x, const uint8_t client[16], uint16_t service,
    uint64_t now)
{
	struct xkept *k = kept_find(x, client, service);

	for (size_t i = 0; k == NULL && i < XFER_MAX_KEPT; i++)
		if (!x->kept[i].used || x->kept[i].expires <= now)
			k = &x->kept[i];
	if (k == NULL)
		return NULL;
	free(k->state);
	memset(k, 0, sizeof(*k));
	k->used = true;
	memcpy(k->client, client, 16);
	k->service = service;
	k->expires = now + XFER_KEEP_MS;
	return k;
}

bool
xfer_fsm_received(struct xfer_fsm *x, const uint8_t peer[16],
    const uint8_t client[16], uint16_t service, const struct mh_tx *tx,
    const void *state, size_t len, uint64_t now)
{
	struct xkept *k = kept_put(x, client, service, now);
	struct xfer_act a;

	if (k == NULL) {
		x->cnt.failed++;
		return false;
	}
	k->tx = *tx;
	k->state = dup_state(state, len);
	k->len = k->state != NULL ? len : 0;
	/* the acknowledgement first: the event may start the import */
	act_init(&a, XA_ACK, client, service);
	memcpy(a.peer, peer, 16);
	a.tx = *tx;
	a.state = state;
	a.state_len = len;
	x->act(x->arg, &a);
	x->cnt.received++;
	raise_ev(x, EV_STATE_RECEIVED, client, service, peer, tx);
	return true;
}

bool
xfer_fsm_import(struct xfer_fsm *x, const struct dp_intent *in, uint64_t now)
{
	struct xkept *k = kept_find(x, in->client, in->service);
	struct xfer_act a;

	if (k == NULL || k->expires <= now) {
		x->cnt.failed++;
		return false;
	}
	act_init(&a, XA_EDGE_IMPORT, in->client, in->service);
	a.instance = in->instance;
	a.tx = k->tx;
	a.state = k->state;
	a.state_len = k->len;
	x->cnt.imports++;
	x->act(x->arg, &a);
	/* it goes with the import, right or wrong */
	free(k->state);
	memset(k, 0, sizeof(*k));
	return true;
}
