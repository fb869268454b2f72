/*
 * handover.c: what a move costs, asked of the real engine.
 *
 * The scale engine does not model signaling; it asks here.  A move from
 * one ingress to another, with the client's transaction at one site and
 * perhaps switched to another, is played once by the packet-level
 * simulator (sim.h): the same nodes as catsd (node.h), the same codec,
 * the same data-plane mapping, on the small world of enum sim_ep whose
 * links get this topology's one-way delays between the nodes those
 * endpoints stand for.  The interruption the client saw, the signaling
 * sent from the move on, and the results lost or duplicated are kept per
 * (method, switch, ingresses, sites) and reused for every later move of the
 * same shape.  The packet-level world counts in whole milliseconds: delays
 * are rounded to the nearest, and at least 1 ms.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cats/scale.h"
#include "cats/sim.h"

struct ho_key {
	uint32_t	 method;
	uint32_t	 sw;
	uint32_t	 from, to;	/* access indices */
	uint32_t	 site, site2;	/* topology nodes */
};

struct ho_ent {
	struct ho_key	 k;
	struct scale_ho	 v;
	bool		 used;
};

struct scale_ho_cache {
	const struct scale_world *w;
	struct ho_ent	*tab;
	size_t		 cap, n;
	uint64_t	 played;
	uint32_t	 setup_msgs;
	bool		 have_setup;
	uint32_t	**rows;		/* one-way us from a node, on demand */
};

/* The small world's scenario of each method. */
static const char *const scenario_of[SCALE_HO__COUNT] = {
	[SCALE_HO_PROACTIVE] = "proactive",
	[SCALE_HO_REACTIVE_LOCATOR] = "reactive-locator",
	[SCALE_HO_REACTIVE_PREFIX] = "reactive-prefix",
};

struct scale_ho_cache *
scale_ho_new(const struct scale_world *w)
{
	struct scale_ho_cache *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->w = w;
	h->cap = 1024;
	h->tab = calloc(h->cap, sizeof(*h->tab));
	h->rows = calloc(w->topo.nnodes, sizeof(*h->rows));
	if (h->tab == NULL || h->rows == NULL) {
		scale_ho_free(h);
		return NULL;
	}
	return h;
}

void
scale_ho_free(struct scale_ho_cache *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; h->rows != NULL && i < h->w->topo.nnodes; i++)
		free(h->rows[i]);
	free(h->rows);
	free(h->tab);
	free(h);
}

uint64_t
scale_ho_played(const struct scale_ho_cache *h)
{
	return h->played;
}

uint32_t
scale_ho_owd(struct scale_ho_cache *h, uint32_t a, uint32_t b)
{
	const struct scale_world *w = h->w;
	size_t nn = w->topo.nnodes;

	if (a >= nn || b >= nn)
		return UINT32_MAX;
	if (w->access_of[a] >= 0)
		return w->owd[(size_t)w->access_of[a] * nn + b];
	if (w->access_of[b] >= 0)
		return w->owd[(size_t)w->access_of[b] * nn + a];
	if (h->rows[a] == NULL) {
		if ((h->rows[a] = malloc(nn * sizeof(uint32_t))) == NULL)
			return UINT32_MAX;
		if (topo_paths(&w->topo, a, h->rows[a], NULL) != 0) {
			free(h->rows[a]);
			h->rows[a] = NULL;
			return UINT32_MAX;
		}
	}
	return h->rows[a][b];
}

/* ---- the small world under this topology's delays ---- */

static uint32_t
ms_of(uint32_t us)
{
	uint32_t ms;

	if (us == UINT32_MAX)
		return 1000;	/* unreachable: a long way, not forever */
	ms = (us + 500) / 1000;
	return ms ? ms : 1;
}

/* The topology node each endpoint of the small world stands for. */
static void
nodes_of(const struct scale_world *w, const struct ho_key *k,
    uint32_t node[SIM_EP__COUNT])
{
	node[SIM_CLIENT] = w->access[k->from];
	node[SIM_INGRESS1] = w->access[k->from];
	node[SIM_INGRESS2] = w->access[k->to];
	node[SIM_EGRESS1] = k->site;
	node[SIM_EGRESS2] = k->site2;
	node[SIM_EDGE1] = k->site;
	node[SIM_EDGE2] = k->site2;
	node[SIM_CONTROLLER] = w->controller;
	node[SIM_LOCATOR] = w->locator;
}

static void
delays_of(struct scale_ho_cache *h, const struct ho_key *k,
    uint32_t d[SIM_EP__COUNT][SIM_EP__COUNT])
{
	uint32_t node[SIM_EP__COUNT];
	uint32_t acc = ms_of((uint32_t)(h->w->access_ms * 1000));

	nodes_of(h->w, k, node);
	for (int a = 0; a < SIM_EP__COUNT; a++)
		for (int b = 0; b < SIM_EP__COUNT; b++)
			d[a][b] = ms_of(scale_ho_owd(h, node[a], node[b]));
	/* the client's radio link, to either ingress; an edge server sits
	 * beside its egress */
	for (int a = 0; a < SIM_EP__COUNT; a++) {
		d[SIM_CLIENT][a] = d[SIM_CLIENT][a] + acc - 1;
		d[a][SIM_CLIENT] = d[SIM_CLIENT][a];
	}
	d[SIM_CLIENT][SIM_INGRESS2] = d[SIM_INGRESS2][SIM_CLIENT] = acc;
	d[SIM_EDGE1][SIM_EGRESS1] = d[SIM_EGRESS1][SIM_EDGE1] = 1;
	d[SIM_EDGE2][SIM_EGRESS2] = d[SIM_EGRESS2][SIM_EDGE2] = 1;
}

/*
 * The scenarios move the client at 200-230 ms, set up in less on their own
 * 1-5 ms links.  Over a continent a set-up takes a few round trips of the
 * longest link: the move waits 8 of its one-way delays, and the edge keeps
 * streaming (a result every 5 ms) until long after the new attach.
 */
#define PLAY_SETUP_DELAYS	8
#define PLAY_MOVE_END_MS	230
#define PLAY_AFTER_MS		100
#define PLAY_RESULT_MS		5

static uint32_t
max_delay(const uint32_t d[SIM_EP__COUNT][SIM_EP__COUNT])
{
	uint32_t m = 0;

	for (int a = 0; a < SIM_EP__COUNT; a++)
		for (int b = 0; b < SIM_EP__COUNT; b++)
			m = d[a][b] > m ? d[a][b] : m;
	return m;
}

static int
play(struct scale_ho_cache *h, const char *scenario, const struct ho_key *k,
    struct sim_summary *out)
{
	uint32_t d[SIM_EP__COUNT][SIM_EP__COUNT];
	struct sim_opts o;
	struct sim *s;
	const char *why;
	uint64_t shift;

	delays_of(h, k, d);
	sim_opts_default(&o);
	o.delay_ms = (const uint32_t (*)[SIM_EP__COUNT])d;
	o.seed = 1;
	shift = (uint64_t)PLAY_SETUP_DELAYS * max_delay(d);
	o.move_shift_ms = shift;
	o.results = (uint32_t)((PLAY_MOVE_END_MS + shift + PLAY_AFTER_MS +
	    4 * max_delay(d)) / PLAY_RESULT_MS);
	if ((s = sim_new(scenario, &o, &why)) == NULL)
		return -1;
	*out = *sim_run(s);
	sim_free(s);
	h->played++;
	return 0;
}

/*
 * A result on the radio link when the client detaches is lost whatever the
 * method (lost_on_access); whether one is depends on where the move falls
 * in the edge's 5 ms stream, which the scale engine does not model.  What
 * a play says of the method is the rest.
 */
static uint32_t
lost_by_protocol(const struct sim_summary *m)
{
	return m->missing > m->lost_on_access ?
	    (uint32_t)(m->missing - m->lost_on_access) : 0;
}

/* The client then waits for that result until the time limit: that
 * limit is no failure, the event limit (a loop) is. */
static bool
played_out(const struct sim_summary *m)
{
	return !m->hit_event_limit && lost_by_protocol(m) == 0 &&
	    m->received > 0;
}

/* Switching after a method other than the reactive-locator one: the
 * method's own move, plus what switching adds to reactive-locator. */
static int
play_key(struct scale_ho_cache *h, const struct ho_key *k, struct scale_ho *v)
{
	struct sim_summary m, sw, base;
	const char *name = scenario_of[k->method];

	if (k->sw && k->method == SCALE_HO_REACTIVE_LOCATOR)
		name = "transaction-switch";
	if (name == NULL || play(h, name, k, &m) != 0)
		return -1;
	v->interruption_us = (uint32_t)(m.interruption_ms * 1000);
	v->messages = (uint32_t)m.sig_after_move;
	v->lost = lost_by_protocol(&m);
	v->duplicated = m.duplicated;
	v->ok = played_out(&m);
	if (!k->sw || k->method == SCALE_HO_REACTIVE_LOCATOR)
		return 0;
	if (play(h, "transaction-switch", k, &sw) != 0 ||
	    play(h, "reactive-locator", k, &base) != 0)
		return -1;
	if (sw.sig_after_move > base.sig_after_move)
		v->messages += (uint32_t)(sw.sig_after_move -
		    base.sig_after_move);
	v->ok = v->ok && played_out(&sw);
	return 0;
}

static uint64_t
key_hash(const struct ho_key *k)
{
	uint64_t x = ((uint64_t)k->method << 1 | k->sw) ^
	    ((uint64_t)k->from << 8) ^ ((uint64_t)k->to << 32);

	x ^= ((uint64_t)k->site << 20) ^ ((uint64_t)k->site2 << 44);
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	return x ^ (x >> 33);
}

static struct ho_ent *
slot(struct ho_ent *tab, size_t cap, const struct ho_key *k)
{
	size_t i = key_hash(k) & (cap - 1);

	while (tab[i].used && memcmp(&tab[i].k, k, sizeof(*k)) != 0)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int
grow(struct scale_ho_cache *h)
{
	size_t cap = h->cap * 2;
	struct ho_ent *tab = calloc(cap, sizeof(*tab));

	if (tab == NULL)
		return -1;
	for (size_t i = 0; i < h->cap; i++)
		if (h->tab[i].used)
			*slot(tab, cap, &h->tab[i].k) = h->tab[i];
	free(h->tab);
	h->tab = tab;
	h->cap = cap;
	return 0;
}

const struct scale_ho *
scale_ho_get(struct scale_ho_cache *h, enum scale_method m, bool sw,
    uint32_t from, uint32_t to, uint32_t site, uint32_t site2)
{
	struct ho_key k;
	struct ho_ent *e;

	if ((unsigned)m >= SCALE_HO__COUNT || m == SCALE_HO_NONE) {
		errno = EINVAL;
		return NULL;
	}
	memset(&k, 0, sizeof(k));
	k = (struct ho_key){ m, sw, from, to, site, sw ? site2 : site };
	e = slot(h->tab, h->cap, &k);
	if (e->used)
		return &e->v;
	if (play_key(h, &k, &e->v) != 0)
		return NULL;
	e->k = k;
	e->used = true;
	if (++h->n * 2 > h->cap) {
		if (grow(h) != 0)
			return NULL;
		return &slot(h->tab, h->cap, &k)->v;
	}
	return &e->v;
}

uint32_t
scale_ho_setup_messages(struct scale_ho_cache *h)
{
	struct ho_key k = { SCALE_HO_NONE, 0, 0, 0, 0, 0 };
	struct sim_summary s;

	if (h->have_setup)
		return h->setup_msgs;
	h->have_setup = true;
	k.site = k.site2 = h->w->nsite ? h->w->site[0].node : 0;
	if (play(h, "setup-option2", &k, &s) == 0)
		h->setup_msgs = (uint32_t)s.sig_sent;
	return h->setup_msgs;
}
