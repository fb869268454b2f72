/*
 * world.c: a scenario's world: it creates the nodes, gives them the
 * driver's ops (signaling over simulated links, timers, data-plane intents)
 * and runs the event loop under its time and event limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/select.h"
#include "cats/sim.h"
#include "sim/world.h"

static bool
is_node(int e)
{
	return e >= SIM_NODE_FIRST && e <= SIM_NODE_LAST;
}

void
sim_opts_default(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->results = 100;
	o->time_limit_ms = 10000;
	o->event_limit = 0;	/* sim_event_limit_for(results) */
	o->drain_ms = 100;
}

/* A run streams a handful of events per result (edge tick, egress,
 * ingress, client, and more on a tunnel); a fixed cap would cut a big run
 * short, so the default grows with the results asked for. */
uint64_t
sim_event_limit_for(uint32_t results)
{
	return SIM_EVENT_BASE + (uint64_t)SIM_EVENTS_PER_RESULT * results;
}

uint32_t
sim_delay(const struct sim *s, enum sim_ep a, enum sim_ep b)
{
	if (s->opts.delay_ms == NULL || (unsigned)a >= SIM_EP__COUNT ||
	    (unsigned)b >= SIM_EP__COUNT)
		return sim_link_delay(a, b);
	return s->opts.delay_ms[a][b];
}

void
sim_world_push(struct sim *s, uint64_t at, enum sim_evk kind, uint32_t a,
    uint64_t u, void *p)
{
	struct sim_item it = { .at = at, .kind = kind, .a = a, .u = u, .p = p };

	if (!sim_queue_push(s->q, &it)) {
		free(p);
		s->failed = true;
	}
}

void
sim_world_drop_item(struct sim_item *it)
{
	free(it->p);
	it->p = NULL;
}

/* ---- nodes ---- */

static void *
real_create(const struct node_cfg *cfg, const struct node_ops *ops,
    void *ctx, const char **why)
{
	return node_new(cfg, ops, ctx, why);
}

static void
real_event(void *n, const struct ev *ev, uint64_t now)
{
	node_event(n, ev, now);
}

static void
real_destroy(void *n)
{
	node_free(n);
}

static const struct sim_node_impl real_impl = {
	real_create, real_event, real_destroy,
};

void
sim_world_node_event(struct sim *s, enum sim_ep ep, struct ev *ev)
{
	if (!is_node(ep) || s->nodes[ep].handle == NULL)
		return;
	s->impl.event(s->nodes[ep].handle, ev, s->now);
}

/* ---- signaling ---- */

/* A message to the client goes only over the access link it is on. */
static bool
reachable(const struct sim *s, enum sim_ep src, int dst)
{
	if (dst < 0 || dst == (int)src)
		return false;
	if (dst == SIM_CLIENT)
		return s->client.at == (int)src;
	if (src == SIM_CLIENT)
		return s->client.at == dst;
	return is_node(dst);
}

static void
sig_schedule(struct sim *s, enum sim_ep src, enum sim_ep dst,
    const uint8_t *buf, size_t len, uint32_t extra)
{
	struct sim_sig *g = malloc(sizeof(*g) + len);

	if (g == NULL) {
		s->failed = true;
		return;
	}
	g->src = src;
	g->dst = dst;
	g->len = len;
	memcpy(g->buf, buf, len);
	sim_world_push(s, s->now + sim_delay(s, src, dst) + extra, EVK_SIG, 0, 0,
	    g);
}

static void
fate_tag(const struct sim_fate *f, char *tag, size_t cap)
{
	size_t off = 0;

	tag[0] = '\0';
	if (f->lost) {
		snprintf(tag, cap, "[lost]");
		return;
	}
	if (f->dup)
		off += (size_t)snprintf(tag + off, cap - off, "[dup]");
	for (unsigned i = 0; i < f->copies && off < cap; i++) {
		if (f->extra_ms[i] == 0)
			continue;
		off += (size_t)snprintf(tag + off, cap - off, "%s[reordered +%ums]",
		    off ? " " : "", f->extra_ms[i]);
	}
}

void
sim_world_sig_send(struct sim *s, enum sim_ep src, const uint8_t dst[16],
    const uint8_t *buf, size_t len)
{
	int d = sim_ep_by_addr(dst);
	struct sim_fate f;
	char tag[64];

	s->sum.sig_sent++;
	/* the handover's control cost: everything from the first detach on */
	if (s->client.detached_once)
		s->sum.sig_after_move++;
	if (!reachable(s, src, d)) {
		s->sum.sig_no_route++;
		sim_ladder_sig(s, src, d, buf, len, "[no-route]");
		return;
	}
	sim_impair_draw(&s->rng, &s->opts.impair, &f);
	fate_tag(&f, tag, sizeof(tag));
	sim_ladder_sig(s, src, d, buf, len, tag);
	if (f.lost) {
		s->sum.sig_lost++;
		return;
	}
	s->sum.sig_dup += f.dup;
	s->sum.sig_reordered += f.reordered;
	for (unsigned i = 0; i < f.copies; i++)
		sig_schedule(s, src, (enum sim_ep)d, buf, len, f.extra_ms[i]);
}

bool
sim_inject(struct sim *s, enum sim_ep src, enum sim_ep dst,
    uint64_t delay_ms, const uint8_t *buf, size_t len)
{
	struct sim_sig *g;

	if ((unsigned)src >= SIM_EP__COUNT || (unsigned)dst >= SIM_EP__COUNT)
		return false;
	g = malloc(sizeof(*g) + len);
	if (g == NULL)
		return false;
	g->src = src;
	g->dst = dst;
	g->len = len;
	memcpy(g->buf, buf, len);
	sim_ladder_sig(s, src, (int)dst, buf, len, "[inject]");
	sim_world_push(s, s->now + delay_ms, EVK_SIG, 0, 0, g);
	return !s->failed;
}

static void
sig_deliver(struct sim *s, const struct sim_sig *g)
{
	struct ev ev = { .type = EV_MSG };

	if (g->dst == SIM_CLIENT) {
		sim_client_sig(s, g);
		return;
	}
	ev.peer = sim_ep_addr(g->src);
	ev.buf = g->buf;
	ev.len = g->len;
	sim_world_node_event(s, g->dst, &ev);
}

/* ---- timers: one live entry per (node, key); a queued firing that no
 * longer matches its entry's generation was re-armed or cancelled ---- */

static struct sim_timer *
timer_find(struct sim_nodectx *n, uint64_t key)
{
	for (size_t i = 0; i < n->ntimers; i++)
		if (n->timers[i].key == key)
			return &n->timers[i];
	return NULL;
}

static void
timer_remove(struct sim_nodectx *n, struct sim_timer *t)
{
	*t = n->timers[--n->ntimers];
}

static struct sim_timer *
timer_add(struct sim_nodectx *n, uint64_t key)
{
	if (n->ntimers == n->ctimers) {
		size_t cap = n->ctimers ? n->ctimers * 2 : 16;
		struct sim_timer *v = realloc(n->timers, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		n->timers = v;
		n->ctimers = cap;
	}
	n->timers[n->ntimers].key = key;
	return &n->timers[n->ntimers++];
}

static void
op_timer(void *ctx, uint64_t key, uint64_t at)
{
	struct sim_nodectx *n = ctx;
	struct sim_timer *t = timer_find(n, key);
	struct sim_tmark *m;

	if (at == 0) {
		if (t != NULL)
			timer_remove(n, t);
		return;
	}
	if (t == NULL && (t = timer_add(n, key)) == NULL) {
		n->sim->failed = true;
		return;
	}
	/* a time in the past fires now: the clock never runs backwards */
	t->at = at < n->sim->now ? n->sim->now : at;
	t->gen = ++n->timer_gen;
	if ((m = malloc(sizeof(*m))) == NULL) {
		n->sim->failed = true;
		return;
	}
	m->gen = t->gen;
	sim_world_push(n->sim, t->at, EVK_TIMER, n->ep, key, m);
}

static void
timer_fire(struct sim *s, enum sim_ep ep, uint64_t key,
    const struct sim_tmark *m)
{
	struct sim_nodectx *n = &s->nodes[ep];
	struct sim_timer *t = timer_find(n, key);
	struct ev ev = { .type = EV_TIMER_FIRED, .timer = key };

	if (t == NULL || t->gen != m->gen)
		return;
	timer_remove(n, t);
	sim_world_node_event(s, ep, &ev);
}

/* ---- the driver's ops ---- */

static void
op_send(void *ctx, const uint8_t dst[16], const uint8_t *buf, size_t len)
{
	struct sim_nodectx *n = ctx;

	sim_world_sig_send(n->sim, n->ep, dst, buf, len);
}

static void
op_dp(void *ctx, const struct dp_intent *in)
{
	struct sim_nodectx *n = ctx;

	sim_fwd_intent(n->sim, n->ep, in);
}

/* one clock: the simulated one is the wall clock too (no .wall) */
const struct node_ops sim_world_node_ops = {
	.send = op_send,
	.timer = op_timer,
	.dp = op_dp,
};

/* ---- the loop ---- */

void
sim_world_dispatch(struct sim *s, struct sim_item *it)
{
	switch ((enum sim_evk)it->kind) {
	case EVK_SCRIPT:
		sim_client_script(s, &s->sc->steps[it->a]);
		break;
	case EVK_SIG:
		sig_deliver(s, it->p);
		break;
	case EVK_TIMER:
		timer_fire(s, (enum sim_ep)it->a, it->u, it->p);
		break;
	case EVK_DATA:
		sim_fwd_arrive(s, (enum sim_ep)it->a, it->p);
		break;
	case EVK_EDGE_TICK:
		sim_edge_tick(s, (enum sim_ep)it->a, it->u);
		break;
	case EVK_CLIENT_RTX:
		sim_client_rtx(s, it->u);
		break;
	}
}

/* The run ends at the first limit, or drain_ms after the client had every
 * result (room for late duplicates and the nodes' clean-up). */
static bool
finished(struct sim *s)
{
	const struct sim_item *next = sim_queue_peek(s->q);

	if (s->failed || next == NULL)
		return true;
	if (s->sum.done && next->at > s->sum.done_ms + s->opts.drain_ms)
		return true;
	if (next->at > s->opts.time_limit_ms) {
		s->sum.hit_time_limit = true;
		return true;
	}
	if (s->sum.events >= s->opts.event_limit) {
		s->sum.hit_event_limit = true;
		return true;
	}
	return false;
}

static void
summarize(struct sim *s)
{
	struct sim_summary *m = &s->sum;

	m->expected = s->opts.results;
	/* a run cut short by its event budget has not lost what it did not
	 * get to: that is the limit's doing, not the data plane's */
	m->missing = m->hit_event_limit ? 0 : m->expected - m->received;
	m->unreached = m->hit_event_limit ? m->expected - m->received : 0;
	m->end_ms = s->now;
	m->converged = m->done && !m->hit_time_limit && !m->hit_event_limit &&
	    !s->failed;
}

bool
sim_step(struct sim *s)
{
	struct sim_item it;

	if (finished(s)) {
		summarize(s);
		return false;
	}
	sim_queue_pop(s->q, &it);
	s->now = it.at;
	s->sum.events++;
	sim_world_dispatch(s, &it);
	sim_world_drop_item(&it);
	summarize(s);
	return true;
}

const struct sim_summary *
sim_run(struct sim *s)
{
	while (sim_step(s))
		;
	return &s->sum;
}

void
sim_run_until(struct sim *s, uint64_t t)
{
	const struct sim_item *next;

	while ((next = sim_queue_peek(s->q)) != NULL && next->at <= t)
		if (!sim_step(s))
			break;
	if (s->now < t && !s->failed)
		s->now = t;
}

const struct sim_summary *
sim_summary(const struct sim *s)
{
	return &s->sum;
}

uint64_t
sim_now(const struct sim *s)
{
	return s->now;
}

/* ---- building and tearing down ---- */

static bool
nodes_create(struct sim *s, const char **why)
{
	static char msg[96];

	for (int e = SIM_NODE_FIRST; e <= SIM_NODE_LAST; e++) {
		struct sim_nodectx *n = &s->nodes[e];
		const char *w = "unknown reason";

		n->sim = s;
		n->ep = (enum sim_ep)e;
		sim_scn_cfg(s->sc, n->ep, s->sel, &n->cfg);
		/* the data plane first: a node may apply intents at once */
		if (!sim_fwd_init(s, n->ep) || !sim_edge_init(s, n->ep)) {
			*why = "out of memory";
			return false;
		}
		n->handle = s->impl.create(&n->cfg, &sim_world_node_ops, n, &w);
		if (n->handle == NULL) {
			snprintf(msg, sizeof(msg), "%s: %s", sim_ep_name(n->ep),
			    w != NULL ? w : "unknown reason");
			*why = msg;
			return false;
		}
	}
	return true;
}

static void
script_load(struct sim *s)
{
	uint64_t shift = 0;

	for (size_t i = 0; i < s->sc->nsteps; i++) {
		const struct sc_step *st = &s->sc->steps[i];

		if (st->act == SC_MOVE_DETECTED || st->act == SC_DETACH)
			shift = s->opts.move_shift_ms;
		sim_world_push(s, st->at + shift, EVK_SCRIPT, (uint32_t)i, 0,
		    NULL);
	}
}

struct sim *
sim_new(const char *name, const struct sim_opts *opts, const char **why)
{
	const struct scenario *sc = sim_scn_find(name);
	struct sim *s;

	*why = NULL;
	if (sc == NULL) {
		*why = "unknown scenario";
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (opts != NULL)
		s->opts = *opts;
	else
		sim_opts_default(&s->opts);
	s->sc = sc;
	if (s->opts.event_limit == 0)
		s->opts.event_limit = sim_event_limit_for(s->opts.results);
	s->impl = s->opts.impl != NULL ? *s->opts.impl : real_impl;
	s->sum.svc_status = 0xff;
	s->next_tx = 1;
	sim_rng_seed(&s->rng, s->opts.seed);
	s->q = sim_queue_new();
	s->sel = sim_scn_sel(s->opts.seed);
	if (s->q == NULL || s->sel == NULL || !sim_client_init(s)) {
		*why = "out of memory";
		sim_free(s);
		return NULL;
	}
	if (!nodes_create(s, why)) {
		sim_free(s);
		return NULL;
	}
	script_load(s);
	return s;
}

void
sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	for (int e = SIM_NODE_FIRST; e <= SIM_NODE_LAST; e++) {
		if (s->nodes[e].handle != NULL)
			s->impl.destroy(s->nodes[e].handle);
		free(s->nodes[e].timers);
	}
	sim_fwd_free(s);
	sim_edge_free(s);
	sim_queue_free(s->q, sim_world_drop_item);
	cats_sel_destroy(s->sel);
	free(s->client.got);
	sim_ladder_free(s);
	free(s);
}

/* ---- accessors ---- */

struct node *
sim_node(struct sim *s, enum sim_ep e)
{
	if (!is_node(e) || s->opts.impl != NULL)
		return NULL;
	return s->nodes[e].handle;
}

void *
sim_node_handle(struct sim *s, enum sim_ep e)
{
	return is_node(e) ? s->nodes[e].handle : NULL;
}

const struct node_counters *
sim_node_counters(struct sim *s, enum sim_ep e)
{
	struct node *n = sim_node(s, e);

	return n != NULL ? node_counters(n) : NULL;
}

const struct node_cfg *
sim_node_cfg(const struct sim *s, enum sim_ep e)
{
	return is_node(e) ? &s->nodes[e].cfg : NULL;
}

struct cats_sel *
sim_sel(struct sim *s)
{
	return s->sel;
}

void
sim_summary_format(const struct sim_summary *m, char *out, size_t cap)
{
	int n = snprintf(out, cap, "summary: results received=%u missing=%u "
	    "duplicated=%u longest_gap_ms=%llu interruption_ms=%llu",
	    m->received, m->missing, m->duplicated,
	    (unsigned long long)m->longest_gap_ms,
	    (unsigned long long)m->interruption_ms);

	/* say why the run stopped early rather than let it read as loss */
	if (!m->hit_event_limit || n < 0 || (size_t)n >= cap)
		return;
	snprintf(out + n, cap - (size_t)n, " event_limit=hit events=%llu "
	    "unreached=%u", (unsigned long long)m->events, m->unreached);
}
