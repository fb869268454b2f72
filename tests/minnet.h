/*
 * minnet: the smallest driver of nodes, for unit tests and the engine
 * benchmark.  Messages go into one FIFO and are delivered when mn_run() is
 * called, with no delay and no loss; timers are kept and fired only by
 * mn_fire(); data-plane intents are counted and the last ones kept.
 * The simulator (src/sim) is the full driver; this one isolates the engine.
 */
#ifndef CATS_MINNET_H
#define CATS_MINNET_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/node.h"

#define MN_NODES	8
#define MN_QUEUE	4096
#define MN_TIMERS	256
#define MN_DPS		64

struct mn_msg {
	int		 from;		/* node index, -1 for an outside sender */
	uint8_t		 src[16];
	uint8_t		 dst[16];
	uint16_t	 len;
	uint8_t		 buf[MH_MAX_LEN];
};

struct mn_timer {
	int		 node;
	uint64_t	 key;
	uint64_t	 at;
};

struct minnet;

struct mn_ctx {
	struct minnet	*net;
	int		 idx;
};

struct minnet {
	struct node	*nodes[MN_NODES];
	struct mn_ctx	 ctx[MN_NODES];
	size_t		 nn;
	struct mn_msg	*q;		/* ring of MN_QUEUE */
	size_t		 head, tail;
	uint64_t	 now;
	uint64_t	 sent, delivered, to_outside;
	struct mn_timer	 timers[MN_TIMERS];
	size_t		 ntimers;
	bool		 keep_timers;
	uint64_t	 dp_count[DP_STATE_IMPORT + 1];
	struct dp_intent dps[MN_DPS];
	size_t		 ndps;
	struct mn_msg	 last_out;	/* last message to an address not a node */
	int		 mute;		/* 1 + index of a node whose sends are lost */
	uint64_t	 muted;
	bool		 record;	/* keep kinds of everything sent */
	uint8_t		 kinds[MN_QUEUE];
	size_t		 nkinds;
	/* the CATS flags of the last message of each kind sent (the
	 * canonical encoding puts the CATS message option first) */
	uint8_t		 cflags[256];
	/* what the data plane says of a client's traffic (node_ops.activity):
	 * idle[node] ms ago, or -1 with errno act_errno; by default ENOTSUP */
	uint64_t	 idle[MN_NODES];
	int		 act_errno[MN_NODES];
	bool		 act_known[MN_NODES];
};

static inline int
mn_find(const struct minnet *net, const uint8_t addr[16])
{
	size_t i;

	for (i = 0; i < net->nn; i++)
		if (net->nodes[i] != NULL &&
		    memcmp(node_config(net->nodes[i])->addr, addr, 16) == 0)
			return (int)i;
	return -1;
}

static inline void
mn_send(void *ctx, const uint8_t dst[16], const uint8_t *buf, size_t len)
{
	struct mn_ctx *c = ctx;
	struct minnet *net = c->net;
	struct mn_msg *m;

	net->sent++;
	if (net->mute == c->idx + 1) {
		net->muted++;
		return;
	}
	if (net->record && net->nkinds < MN_QUEUE && len > 16)
		net->kinds[net->nkinds++] = buf[12] == MH_OT_CATS_MSG ? buf[14] :
		    (uint8_t)(buf[2] == MH_TYPE_BU ? MH_K_PBU : MH_K_PBA);
	if (len > 16 && buf[12] == MH_OT_CATS_MSG)
		net->cflags[buf[14]] = buf[15];
	if (mn_find(net, dst) < 0) {
		net->to_outside++;
		memcpy(net->last_out.dst, dst, 16);
		memcpy(net->last_out.buf, buf, len);
		net->last_out.len = (uint16_t)len;
		net->last_out.from = c->idx;
		return;
	}
	if ((net->tail + 1) % MN_QUEUE == net->head) {
		fprintf(stderr, "minnet: queue full\n");
		abort();
	}
	m = &net->q[net->tail];
	net->tail = (net->tail + 1) % MN_QUEUE;
	m->from = c->idx;
	memcpy(m->src, node_config(net->nodes[c->idx])->addr, 16);
	memcpy(m->dst, dst, 16);
	memcpy(m->buf, buf, len);
	m->len = (uint16_t)len;
}

static inline void
mn_timer(void *ctx, uint64_t key, uint64_t at)
{
	struct mn_ctx *c = ctx;
	struct minnet *net = c->net;
	size_t i;

	if (!net->keep_timers)
		return;
	for (i = 0; i < net->ntimers; i++) {
		if (net->timers[i].node == c->idx && net->timers[i].key == key) {
			if (at == 0)
				net->timers[i] = net->timers[--net->ntimers];
			else
				net->timers[i].at = at;
			return;
		}
	}
	if (at != 0 && net->ntimers < MN_TIMERS)
		net->timers[net->ntimers++] =
		    (struct mn_timer){ .node = c->idx, .key = key, .at = at };
}

static inline void
mn_dp(void *ctx, const struct dp_intent *d)
{
	struct mn_ctx *c = ctx;

	c->net->dp_count[d->op]++;
	c->net->dps[c->net->ndps++ % MN_DPS] = *d;
}

static inline int
mn_activity(void *ctx, const uint8_t client[16], uint64_t *idle_ms)
{
	struct mn_ctx *c = ctx;

	(void)client;
	if (!c->net->act_known[c->idx]) {
		errno = c->net->act_errno[c->idx] != 0 ?
		    c->net->act_errno[c->idx] : ENOTSUP;
		return -1;
	}
	*idle_ms = c->net->idle[c->idx];
	return 0;
}

static const struct node_ops mn_ops = {
	.send = mn_send,
	.timer = mn_timer,
	.dp = mn_dp,
	.activity = mn_activity,
};

static inline struct minnet *
mn_new(void)
{
	struct minnet *net = calloc(1, sizeof(*net));

	if (net == NULL || (net->q = calloc(MN_QUEUE, sizeof(*net->q))) == NULL) {
		free(net);
		return NULL;
	}
	return net;
}

static inline int
mn_add(struct minnet *net, const struct node_cfg *cfg)
{
	const char *why;
	int i = (int)net->nn;

	net->ctx[i].net = net;
	net->ctx[i].idx = i;
	net->nodes[i] = node_new(cfg, &mn_ops, &net->ctx[i], &why);
	if (net->nodes[i] == NULL) {
		fprintf(stderr, "minnet: %s: %s\n", cfg->name, why);
		return -1;
	}
	net->nn++;
	return i;
}

/* Leave the next index without a node (a test that numbers its nodes
 * builds only some of them): messages to no node go outside. */
static inline void
mn_hole(struct minnet *net)
{
	net->nodes[net->nn++] = NULL;
}

static inline void
mn_free(struct minnet *net)
{
	size_t i;

	for (i = 0; i < net->nn; i++)
		node_free(net->nodes[i]);
	free(net->q);
	free(net);
}

/* Deliver everything queued, and what that causes; bounded. */
static inline size_t
mn_run(struct minnet *net)
{
	struct ev ev;
	struct mn_msg *m;
	size_t n = 0;
	int to;

	while (net->head != net->tail && n < 1000000) {
		m = &net->q[net->head];
		net->head = (net->head + 1) % MN_QUEUE;
		to = mn_find(net, m->dst);
		memset(&ev, 0, sizeof(ev));
		ev.type = EV_MSG;
		ev.peer = m->src;
		ev.buf = m->buf;
		ev.len = m->len;
		net->delivered++;
		node_event(net->nodes[to], &ev, net->now);
		n++;
	}
	return n;
}

/* Inject a message from outside (a client, or a crafted packet). */
static inline void
mn_inject(struct minnet *net, int to, const uint8_t src[16],
    const uint8_t *buf, size_t len)
{
	struct ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = EV_MSG;
	ev.peer = src;
	ev.buf = buf;
	ev.len = len;
	node_event(net->nodes[to], &ev, net->now);
}

static inline void
mn_local(struct minnet *net, int to, enum ev_type type,
    const uint8_t client[16], uint16_t service)
{
	struct ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	memcpy(ev.client, client, 16);
	ev.service = service;
	node_event(net->nodes[to], &ev, net->now);
}

/* Fire every timer due at or before 'until', in time order. */
static inline void
mn_fire(struct minnet *net, uint64_t until)
{
	struct ev ev;
	size_t i, best;

	for (;;) {
		best = SIZE_MAX;
		for (i = 0; i < net->ntimers; i++)
			if (net->timers[i].at <= until &&
			    (best == SIZE_MAX || net->timers[i].at < net->timers[best].at))
				best = i;
		if (best == SIZE_MAX)
			break;
		memset(&ev, 0, sizeof(ev));
		ev.type = EV_TIMER_FIRED;
		ev.timer = net->timers[best].key;
		net->now = net->timers[best].at;
		i = (size_t)net->timers[best].node;
		net->timers[best] = net->timers[--net->ntimers];
		node_event(net->nodes[i], &ev, net->now);
		mn_run(net);
	}
	net->now = until;
}

#endif
