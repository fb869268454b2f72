/*
 * scale.c: the request-level engine of cats-sim's scale runs.
 *
 * Events, in microseconds of simulated time:
 *   arrive    a client arrives at a random access node (Poisson)
 *   tx        it starts a transaction: its ingress asks the C-PS (or the
 *             oracle) for an instance, the request travels there
 *   site-in   the request reaches the site: served now or queued (FIFO,
 *             'servers' in parallel, exponential work / speed)
 *   site-done the result leaves toward the ingress the return path names
 *   result    the result reaches that ingress: to the client if it is
 *             there, forwarded to its new ingress by a handover method, or
 *             lost (method none)
 *   move      the client moves; the handover costs what the real engine
 *             says (handover.c); with switching, its transactions follow
 *             a better instance after the handover
 *   sample    every site's utilisation and queue, offered to damping
 *             (cats_damp_offer) and delivered to the C-PS 'delay' later
 *
 * Each client draws from its own two streams (transactions, moves), and
 * arrivals from a third, so every variant of a run sees the same clients
 * asking the same work at the same times.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/scale.h"
#include "cats/sim.h"

#define NONE32		UINT32_MAX
#define US_PER_MS	1000.0
#define STATE_US_PER_KB	8.0	/* transaction state at 1 Gbit/s */
#define PROGRESS_EVERY	(1u << 20)

enum evk {
	EV_ARRIVE,
	EV_TX,		/* u: client */
	EV_SITE_IN,	/* u: tx */
	EV_SITE_DONE,	/* u: tx, a: its generation */
	EV_RESULT,	/* u: tx, a: ingress (access index) */
	EV_MOVE,	/* u: client; a: trace index + 1, or 0 (waypoint) */
	EV_SWITCH,	/* u: client, a: the instance it moves to */
	EV_SAMPLE,
	EV_DELIVER,	/* p: struct batch */
};

enum tx_state { TX_FREE, TX_NET, TX_QUEUED, TX_SERVING, TX_BACK };

struct tx {
	uint32_t	 client;
	uint32_t	 site;
	uint32_t	 ing;		/* the ingress it was sent through */
	uint32_t	 next, prev;	/* the site's queue, or the free list */
	uint32_t	 cnext;		/* the client's transactions */
	uint32_t	 gen;		/* site-done events of an old service */
	uint8_t		 state;
	double		 start;		/* issued, us */
	double		 work;		/* left, us at speed 1 */
	double		 since;		/* service began */
};

struct client {
	struct sim_rng	 txr, mob;
	uint32_t	 ing;		/* access index */
	uint32_t	 service;
	uint32_t	 inst;		/* of its newest transaction */
	uint32_t	 goal;		/* waypoint */
	uint32_t	 txs;		/* first transaction in flight */
	double		 leave;		/* session end, us */
	double		 ho_done;	/* last handover complete, us */
	double		 next_move;	/* waypoint: the next move; else 0 */
	bool		 active;
};

struct site_st {
	uint32_t	 busy, qlen;
	uint32_t	 qhead, qtail;
	uint32_t	 egress;
	double		 area;		/* busy server-us since the sample */
	double		 last;		/* when busy last changed */
	double		 ewma;		/* the agent's smoothed utilisation */
	struct cats_damp damp;
};

/* Metric updates that passed damping at one sample. */
struct upd {
	uint32_t		 site;
	uint32_t		 n;
	struct cats_sample	 s[2];
};
struct batch {
	size_t		 n;
	struct upd	 u[];
};

struct run {
	const struct scale_world *w;
	const struct scale_variant *v;
	const struct scale_opts *o;
	struct scale_result	*r;
	struct sim_queue	*q;
	struct cats_sel		*sel;
	struct scale_ho_cache	*ho;
	struct sim_rng		 arr;
	struct client		*c;
	uint64_t		 arrived;
	struct tx		*tx;
	size_t			 ntx, captx;
	uint32_t		 free_tx;
	uint64_t		 live_tx, active;
	struct site_st		*st;
	uint32_t		*by_svc;	/* site indices, by service */
	size_t			 svc_first[SCALE_MAX_SERVICES + 1];
	double			*util;
	double			 now;
	double			 last_load;
	struct cats_reqs	 reqs[SCALE_MAX_SERVICES];
	bool			 failed;
};

/* ---- histograms ---- */

#define HIST_K	100.5	/* bins per e-fold: 1 % wide */

void
scale_hist_add(struct scale_hist *h, double us)
{
	size_t b = us < 1 ? 0 : (size_t)(log(us) * HIST_K) + 1;

	if (b >= SCALE_HIST_BINS)
		b = SCALE_HIST_BINS - 1;
	h->bin[b]++;
	h->n++;
	h->sum += us;
}

double
scale_hist_upper(size_t b)
{
	return b == 0 ? 1 : exp(b / HIST_K);
}

double
scale_hist_quantile(const struct scale_hist *h, double q)
{
	uint64_t want, acc = 0;

	if (h->n == 0)
		return 0;
	want = (uint64_t)ceil(q * (double)h->n);
	if (want == 0)
		want = 1;
	for (size_t b = 0; b < SCALE_HIST_BINS; b++) {
		acc += h->bin[b];
		if (acc >= want)
			return scale_hist_upper(b);
	}
	return scale_hist_upper(SCALE_HIST_BINS - 1);
}

/* ---- names ---- */

static const char *const method_names[SCALE_HO__COUNT] = {
	[SCALE_HO_NONE] = "none",
	[SCALE_HO_PROACTIVE] = "proactive",
	[SCALE_HO_REACTIVE_LOCATOR] = "reactive-locator",
	[SCALE_HO_REACTIVE_PREFIX] = "reactive-prefix",
};

const char *
scale_method_name(enum scale_method m)
{
	return (unsigned)m < SCALE_HO__COUNT ? method_names[m] : "?";
}

int
scale_method_from_name(const char *s)
{
	for (int i = 0; i < SCALE_HO__COUNT; i++)
		if (strcmp(s, method_names[i]) == 0)
			return i;
	return -1;
}

const char *
scale_policy_name(uint32_t p)
{
	if (p == SCALE_POL_ORACLE)
		return "oracle";
	return p < CATS_POL__COUNT ? cats_policy_name(p) : "?";
}

int
scale_policy_from_name(const char *s)
{
	if (strcmp(s, "oracle") == 0)
		return SCALE_POL_ORACLE;
	return cats_policy_from_name(s);
}

/* The C-PS's own defaults, as catsd runs it. */
void
scale_opts_default(struct scale_opts *o)
{
	struct cats_sel_cfg c;

	cats_sel_cfg_default(&c);
	memset(o, 0, sizeof(*o));
	o->hyst_rel = c.hyst_rel;
	o->herd_max = c.herd_max;
}

/* ---- events ---- */

static void
push(struct run *r, double at, enum evk k, uint32_t a, uint64_t u, void *p)
{
	struct sim_item it = { .at = (uint64_t)llround(at), .kind = k,
	    .a = a, .u = u, .p = p };

	if (!sim_queue_push(r->q, &it))
		r->failed = true;
}

static double
expo(struct sim_rng *g, double mean)
{
	return -mean * log1p(-sim_rng_unit(g));
}

/* One-way us from access node 'a' to topology node 'n'. */
static double
owd(const struct run *r, uint32_t a, uint32_t n)
{
	return r->w->owd[(size_t)a * r->w->topo.nnodes + n];
}

static const struct scale_site *
site_of(const struct run *r, uint32_t i)
{
	return &r->w->site[i];
}

static bool
is_oracle(const struct run *r)
{
	return r->v->policy == SCALE_POL_ORACLE;
}

/* ---- transactions ---- */

static uint32_t
tx_new(struct run *r)
{
	uint32_t i;

	if (r->free_tx != NONE32) {
		i = r->free_tx;
		r->free_tx = r->tx[i].next;
		return i;
	}
	if (r->ntx == r->captx) {
		size_t cap = r->captx ? r->captx * 2 : 4096;
		struct tx *v = realloc(r->tx, cap * sizeof(*v));

		if (v == NULL) {
			r->failed = true;
			return NONE32;
		}
		r->tx = v;
		r->captx = cap;
	}
	return (uint32_t)r->ntx++;
}

static void
tx_free(struct run *r, uint32_t i)
{
	struct client *c = &r->c[r->tx[i].client];
	uint32_t *pp = &c->txs;

	while (*pp != NONE32 && *pp != i)
		pp = &r->tx[*pp].cnext;
	if (*pp == i)
		*pp = r->tx[i].cnext;
	r->tx[i].state = TX_FREE;
	r->tx[i].next = r->free_tx;
	r->free_tx = i;
	r->live_tx--;
}

/* ---- sites ---- */

static void
site_account(struct run *r, struct site_st *s)
{
	s->area += s->busy * (r->now - s->last);
	s->last = r->now;
}

static void
serve(struct run *r, uint32_t t)
{
	struct tx *x = &r->tx[t];
	struct site_st *s = &r->st[x->site];

	site_account(r, s);
	s->busy++;
	x->state = TX_SERVING;
	x->since = r->now;
	push(r, r->now + x->work / site_of(r, x->site)->speed, EV_SITE_DONE,
	    x->gen, t, NULL);
}

static void
enqueue(struct run *r, uint32_t t)
{
	struct tx *x = &r->tx[t];
	struct site_st *s = &r->st[x->site];

	x->state = TX_QUEUED;
	x->next = NONE32;
	x->prev = s->qtail;
	if (s->qtail != NONE32)
		r->tx[s->qtail].next = t;
	else
		s->qhead = t;
	s->qtail = t;
	s->qlen++;
}

static void
dequeue(struct run *r, uint32_t t)
{
	struct tx *x = &r->tx[t];
	struct site_st *s = &r->st[x->site];

	if (x->prev != NONE32)
		r->tx[x->prev].next = x->next;
	else
		s->qhead = x->next;
	if (x->next != NONE32)
		r->tx[x->next].prev = x->prev;
	else
		s->qtail = x->prev;
	s->qlen--;
}

static void
site_in(struct run *r, uint32_t t)
{
	struct tx *x = &r->tx[t];

	if (r->st[x->site].busy < site_of(r, x->site)->servers)
		serve(r, t);
	else
		enqueue(r, t);
}

/* A server is free: the queue's head takes it. */
static void
site_next(struct run *r, uint32_t site)
{
	struct site_st *s = &r->st[site];
	uint32_t h = s->qhead;

	if (h == NONE32)
		return;
	dequeue(r, h);
	serve(r, h);
}

static void
site_release(struct run *r, uint32_t t)
{
	struct tx *x = &r->tx[t];
	struct site_st *s = &r->st[x->site];

	site_account(r, s);
	s->busy--;
	x->gen++;
	site_next(r, x->site);
}

/* ---- choosing an instance ---- */

/* What the oracle expects a new request to take at a site right now: the
 * round trip plus the wait its queue really has plus a mean service. */
static double
oracle_cost(const struct run *r, uint32_t ing, uint32_t i)
{
	const struct scale_site *s = site_of(r, i);
	const struct site_st *st = &r->st[i];
	double svc = r->w->svc[s->service].work_ms * US_PER_MS / s->speed;
	double wait = 0;

	if (st->busy >= s->servers)
		wait = (st->qlen + 1.0) * svc / s->servers;
	return 2 * owd(r, ing, s->node) + wait + svc;
}

static bool
oracle_ok(const struct run *r, uint32_t ing, uint32_t i)
{
	const struct scale_service *sv = &r->w->svc[site_of(r, i)->service];

	return sv->net_ms == 0 ||
	    owd(r, ing, site_of(r, i)->node) <= sv->net_ms * US_PER_MS;
}

static uint32_t
oracle_best(const struct run *r, uint32_t ing, uint32_t svc, double *cost)
{
	uint32_t best = NONE32;
	double bc = INFINITY;

	for (size_t k = r->svc_first[svc]; k < r->svc_first[svc + 1]; k++) {
		uint32_t i = r->by_svc[k];
		double cst;

		if (!oracle_ok(r, ing, i))
			continue;
		cst = oracle_cost(r, ing, i);
		if (cst < bc) {
			bc = cst;
			best = i;
		}
	}
	*cost = bc;
	return best;
}

static uint64_t
flow_of(uint32_t client)
{
	return (uint64_t)client + 1;
}

/* The instance for a client's next transaction, NONE32 when none meets
 * its requirements. */
static uint32_t
choose(struct run *r, uint32_t ci)
{
	struct client *c = &r->c[ci];
	struct cats_choice ch;
	double cost;

	/* the oracle is the bound: it decides each transaction afresh with
	 * the sites' true state, where the C-PS decides once a session */
	if (is_oracle(r)) {
		c->inst = oracle_best(r, c->ing, c->service, &cost);
		return c->inst;
	}
	if (cats_sel_select(r->sel, c->ing, c->service, &r->reqs[c->service],
	    flow_of(ci), (uint64_t)(r->now / US_PER_MS), &ch) != CATS_SEL_OK)
		return NONE32;
	return ch.instance;
}

/* Transaction switching: a better instance from the client's ingress by
 * the hysteresis margin, or NONE32. */
static uint32_t
better(struct run *r, uint32_t ci, uint32_t cur)
{
	struct client *c = &r->c[ci];
	struct cats_choice ch;
	double bc, cc;
	uint32_t b;

	if (!is_oracle(r))
		return cats_sel_better(r->sel, c->ing, c->service,
		    &r->reqs[c->service], cur, &ch) ? ch.instance : NONE32;
	b = oracle_best(r, c->ing, c->service, &bc);
	cc = oracle_cost(r, c->ing, cur);
	if (b == NONE32 || b == cur || !(bc < cc - r->o->hyst_rel * cc))
		return NONE32;
	return b;
}

/* ---- clients ---- */

static void
session_end(struct run *r, uint32_t ci)
{
	struct client *c = &r->c[ci];

	c->active = false;
	r->active--;
	if (!is_oracle(r))
		cats_sel_release(r->sel, flow_of(ci));
}

static uint32_t
pick_service(const struct run *r, struct sim_rng *g)
{
	double total = 0, u;

	for (size_t s = 0; s < r->w->nsvc; s++)
		total += r->w->svc[s].weight;
	u = sim_rng_unit(g) * total;
	for (size_t s = 0; s < r->w->nsvc; s++) {
		if (u < r->w->svc[s].weight)
			return (uint32_t)s;
		u -= r->w->svc[s].weight;
	}
	return (uint32_t)r->w->nsvc - 1;
}

static void
arrive(struct run *r)
{
	const struct scale_world *w = r->w;
	uint32_t ci = (uint32_t)r->arrived++;
	struct client *c = &r->c[ci];

	/* per-client streams: the same whatever the variant does */
	sim_rng_seed(&c->txr, w->seed * 0x9e3779b97f4a7c15ull + 2 * ci + 1);
	sim_rng_seed(&c->mob, w->seed * 0xc2b2ae3d27d4eb4full + 2 * ci + 2);
	c->ing = sim_rng_range(&c->mob, 0, (uint32_t)w->naccess - 1);
	c->goal = sim_rng_range(&c->mob, 0, (uint32_t)w->naccess - 1);
	c->service = pick_service(r, &c->txr);
	c->leave = r->now + expo(&c->txr, w->session_s * 1e6);
	c->inst = NONE32;
	c->txs = NONE32;
	c->ho_done = 0;
	c->active = true;
	r->active++;
	r->r->clients++;
	r->r->sig_msgs += scale_ho_setup_messages(r->ho);
	push(r, r->now + expo(&c->txr, w->think_ms * US_PER_MS), EV_TX, 0, ci,
	    NULL);
	c->next_move = INFINITY;
	if (w->mobility == SCALE_MOB_TRACE)
		c->next_move = 0;	/* unknown: results take the event path */
	else if (w->move_s > 0) {
		c->next_move = r->now + expo(&c->mob, w->move_s * 1e6);
		push(r, c->next_move, EV_MOVE, 0, ci, NULL);
	}
	if (r->arrived < w->clients)
		push(r, r->now + expo(&r->arr, w->duration_s * 1e6 /
		    (double)w->clients), EV_ARRIVE, 0, 0, NULL);
}

static void
start_tx(struct run *r, uint32_t ci)
{
	struct client *c = &r->c[ci];
	const struct scale_service *sv = &r->w->svc[c->service];
	double work, send;
	uint32_t inst, t;

	if (!c->active)
		return;
	if (r->now >= c->leave) {
		session_end(r, ci);
		return;
	}
	/* drawn whatever happens next, to keep the streams aligned */
	work = expo(&c->txr, sv->work_ms * US_PER_MS);
	push(r, r->now + expo(&c->txr, r->w->think_ms * US_PER_MS), EV_TX, 0,
	    ci, NULL);
	r->r->tx++;
	if ((inst = choose(r, ci)) == NONE32) {
		r->r->refused++;
		r->r->missed++;
		return;
	}
	if ((t = tx_new(r)) == NONE32)
		return;
	r->tx[t] = (struct tx){ .client = ci, .site = inst, .ing = c->ing,
	    .cnext = c->txs, .state = TX_NET, .start = r->now, .work = work };
	c->txs = t;
	c->inst = inst;
	r->live_tx++;
	/* during a handover the client's packets wait for it */
	send = r->now > c->ho_done ? r->now : c->ho_done;
	push(r, send + r->w->access_ms * US_PER_MS +
	    owd(r, c->ing, site_of(r, inst)->node), EV_SITE_IN, 0, t, NULL);
}

static void	 deliver_at(struct run *, uint32_t, double);

static void
site_done(struct run *r, uint32_t t, uint32_t gen)
{
	struct tx *x = &r->tx[t];
	const struct client *c;
	double arrive_at;
	uint32_t to;

	if (x->state != TX_SERVING || x->gen != gen)
		return;		/* moved away by a switch */
	site_release(r, t);
	c = &r->c[x->client];
	/* after a handover the egress's return path names the new ingress */
	to = x->ing;
	if (r->v->method != SCALE_HO_NONE && c->ing != x->ing &&
	    r->now >= c->ho_done)
		to = c->ing;
	x->state = TX_BACK;
	arrive_at = r->now + owd(r, to, site_of(r, x->site)->node);
	/* the client stays where the result goes until it is there: no need
	 * to look again when it arrives */
	if (c->ing == to && c->next_move > arrive_at) {
		deliver_at(r, t, arrive_at);
		return;
	}
	push(r, arrive_at, EV_RESULT, to, t, NULL);
}

static void
outcome(struct run *r, uint32_t t, double rt, bool lost)
{
	const struct tx *x = &r->tx[t];
	const struct scale_service *sv = &r->w->svc[r->c[x->client].service];
	bool missed = lost || (sv->max_ms > 0 && rt > sv->max_ms * US_PER_MS);

	if (lost)
		r->r->lost++;
	else {
		r->r->done++;
		scale_hist_add(&r->r->rt, rt);
	}
	if (missed)
		r->r->missed++;
	if (r->o->tx_fn != NULL)
		r->o->tx_fn(r->o->arg, r->r, x->client, r->c[x->client].service,
		    x->site, x->start, rt, lost, missed);
}

/* A result at the client's own ingress at 'at' (us): to the client once
 * any handover in progress is done. */
static void
deliver_at(struct run *r, uint32_t t, double at)
{
	const struct client *c = &r->c[r->tx[t].client];
	double when = (at > c->ho_done ? at : c->ho_done) +
	    r->w->access_ms * US_PER_MS;

	outcome(r, t, when - r->tx[t].start, false);
	tx_free(r, t);
}

/* A result reached ingress 'at': the client, its new ingress, or lost. */
static void
result(struct run *r, uint32_t t, uint32_t at)
{
	const struct client *c = &r->c[r->tx[t].client];
	double when;

	if (c->ing == at) {
		deliver_at(r, t, r->now);
		return;
	}
	if (r->v->method == SCALE_HO_NONE) {
		outcome(r, t, 0, true);
		tx_free(r, t);
		return;
	}
	when = (r->now > c->ho_done ? r->now : c->ho_done) +
	    scale_ho_owd(r->ho, r->w->access[at], r->w->access[c->ing]) +
	    r->w->access_ms * US_PER_MS;
	outcome(r, t, when - r->tx[t].start, false);
	tx_free(r, t);
}

/* ---- moves ---- */

/* A random waypoint walk over the access nodes: a step to the near one
 * closest to the goal, a new goal when there. */
static uint32_t
waypoint_step(struct run *r, struct client *c)
{
	const struct scale_world *w = r->w;
	const uint32_t *near = w->near + (size_t)c->ing * SCALE_MAX_NEAR;
	uint32_t best = near[0];
	double bd = INFINITY;

	if (c->goal == c->ing)
		c->goal = sim_rng_range(&c->mob, 0, (uint32_t)w->naccess - 1);
	for (size_t k = 0; k < SCALE_MAX_NEAR; k++) {
		double d = owd(r, c->goal, w->access[near[k]]);

		if (near[k] == c->goal)
			return near[k];
		if (d < bd) {
			bd = d;
			best = near[k];
		}
	}
	return best;
}

/* The instance the client's transactions run at now (its newest). */
static uint32_t
current_inst(const struct run *r, const struct client *c)
{
	(void)r;
	return c->inst;
}

static void
handover(struct run *r, uint32_t ci, uint32_t to)
{
	struct client *c = &r->c[ci];
	uint32_t from = c->ing, cur = current_inst(r, c), sw = NONE32;
	const struct scale_ho *h;
	uint32_t site, site2;

	r->r->handovers++;
	c->ing = to;
	if (r->v->method == SCALE_HO_NONE) {
		/* no continuity: a new session from the new ingress */
		r->r->sig_msgs += scale_ho_setup_messages(r->ho);
		r->r->ho_msgs += scale_ho_setup_messages(r->ho);
		if (!is_oracle(r))
			cats_sel_release(r->sel, flow_of(ci));
		c->inst = NONE32;
		c->ho_done = r->now;
		scale_hist_add(&r->r->ho, 0);
		return;
	}
	if (r->v->tx_switch && cur != NONE32)
		sw = better(r, ci, cur);
	site = cur != NONE32 ? site_of(r, cur)->node : r->w->access[from];
	site2 = sw != NONE32 ? site_of(r, sw)->node : site;
	h = scale_ho_get(r->ho, r->v->method, sw != NONE32, from, to, site,
	    site2);
	if (h == NULL) {
		r->failed = true;
		return;
	}
	c->ho_done = r->now + h->interruption_us;
	if (!h->ok)
		r->r->ho_unconverged++;
	r->r->sig_msgs += h->messages;
	r->r->ho_msgs += h->messages;
	r->r->duplicated += h->duplicated;
	scale_hist_add(&r->r->ho, h->interruption_us);
	if (sw != NONE32)
		push(r, c->ho_done, EV_SWITCH, sw, ci, NULL);
}

static void
move(struct run *r, uint32_t ci, uint32_t trace_ix)
{
	struct client *c = &r->c[ci];
	uint32_t to;

	if (ci >= r->arrived || !c->active)
		return;
	if (trace_ix == 0) {
		to = waypoint_step(r, c);
		c->next_move = r->now + expo(&c->mob, r->w->move_s * 1e6);
		push(r, c->next_move, EV_MOVE, 0, ci, NULL);
	} else {
		to = (uint32_t)r->w->access_of[
		    r->w->trace.ev[trace_ix - 1].node];
	}
	if (to != c->ing)
		handover(r, ci, to);
}

/* The transactions of a client still at its old instance go to 'to':
 * the work left and the state, across the sites' path (mobility draft
 * section 3, figure 3). */
static void
switch_to(struct run *r, uint32_t ci, uint32_t to)
{
	struct client *c = &r->c[ci];
	const struct scale_service *sv = &r->w->svc[c->service];

	if (!c->active)
		return;
	c->inst = to;
	if (!is_oracle(r)) {
		cats_sel_release(r->sel, flow_of(ci));
		(void)cats_sel_bind(r->sel, flow_of(ci), to,
		    (uint64_t)(r->now / US_PER_MS));
	}
	for (uint32_t t = c->txs; t != NONE32; t = r->tx[t].cnext) {
		struct tx *x = &r->tx[t];
		uint32_t from = x->site;

		if (x->state != TX_QUEUED && x->state != TX_SERVING)
			continue;
		if (x->state == TX_QUEUED)
			dequeue(r, t);
		else {
			x->work -= (r->now - x->since) *
			    site_of(r, from)->speed;
			if (x->work < 0)
				x->work = 0;
			site_release(r, t);
		}
		x->site = to;
		x->state = TX_NET;
		r->r->switched++;
		push(r, r->now + scale_ho_owd(r->ho, site_of(r, from)->node,
		    site_of(r, to)->node) + sv->state_kb * STATE_US_PER_KB,
		    EV_SITE_IN, 0, t, NULL);
	}
}

/* ---- metrics ---- */

static void
sample_site(struct run *r, uint32_t i, double interval, struct batch *b)
{
	struct site_st *s = &r->st[i];
	const struct scale_site *d = site_of(r, i);
	uint32_t win = r->w->metric_window_ms ? r->w->metric_window_ms :
	    r->w->metric_interval_ms;
	double a = r->w->metric_window_ms ? 1 - exp(-(double)
	    r->w->metric_interval_ms / r->w->metric_window_ms) : 1;
	struct upd u = { .site = i };
	struct cats_sample sm[2] = {
		{ CATS_M_UTIL, CATS_STAT_MEAN, win, 0 },
		{ CATS_M_QUEUE, CATS_STAT_CUR, 0, s->qlen },
	};
	struct cats_damp_cfg dc;
	uint64_t ms = (uint64_t)(r->now / US_PER_MS);
	double busy;

	site_account(r, s);
	busy = s->area / (interval * d->servers);
	r->util[i] = busy > 1 ? 1 : busy;
	s->area = 0;
	/* the site's agent reports a mean over its window: an exponentially
	 * weighted one, with the window as its time constant (0: the last
	 * interval alone) */
	s->ewma += a * (r->util[i] - s->ewma);
	sm[0].value = s->ewma;
	cats_damp_cfg_default(&dc);
	dc.rel = r->w->damp_rel;
	for (int k = 0; k < 2; k++)
		if (cats_damp_offer(&dc, &s->damp, &sm[k], ms))
			u.s[u.n++] = sm[k];
	if (u.n > 0)
		b->u[b->n++] = u;
}

static bool
running(const struct run *r)
{
	return r->arrived < r->w->clients || r->active > 0 || r->live_tx > 0;
}

static void
sample(struct run *r)
{
	double interval = r->w->metric_interval_ms * US_PER_MS;
	struct batch *b = malloc(sizeof(*b) + r->w->nsite * sizeof(b->u[0]));

	if (b == NULL) {
		r->failed = true;
		return;
	}
	b->n = 0;
	for (uint32_t i = 0; i < r->w->nsite; i++)
		sample_site(r, i, interval, b);
	if (b->n > 0 && !is_oracle(r))
		push(r, r->now + r->w->metric_delay_ms * US_PER_MS, EV_DELIVER,
		    0, 0, b);
	else
		free(b);
	if (r->o->load_fn != NULL && r->o->load_every_ms > 0 &&
	    r->now - r->last_load >= r->o->load_every_ms * US_PER_MS) {
		r->last_load = r->now;
		r->o->load_fn(r->o->arg, r->r, r->now / 1e6, r->util,
		    r->w->nsite);
	}
	if (running(r))
		push(r, r->now + interval, EV_SAMPLE, 0, 0, NULL);
}

static void
deliver(struct run *r, struct batch *b)
{
	uint64_t ms = (uint64_t)(r->now / US_PER_MS);

	for (size_t k = 0; k < b->n; k++) {
		if (cats_sel_update_compute(r->sel, b->u[k].site, b->u[k].s,
		    b->u[k].n, ms) != CATS_MERR_OK)
			r->failed = true;
		r->r->metric_msgs++;
	}
	free(b);
}

/* ---- set-up ---- */

static int
setup_sites(struct run *r)
{
	const struct scale_world *w = r->w;
	uint32_t *eg = malloc(w->topo.nnodes * sizeof(*eg));
	uint32_t neg = 0;

	r->st = calloc(w->nsite, sizeof(*r->st));
	r->by_svc = malloc(w->nsite * sizeof(*r->by_svc));
	r->util = calloc(w->nsite, sizeof(*r->util));
	if (eg == NULL || r->st == NULL || r->by_svc == NULL || r->util == NULL) {
		free(eg);
		return -1;
	}
	memset(eg, 0xff, w->topo.nnodes * sizeof(*eg));
	for (size_t i = 0; i < w->nsite; i++) {
		uint32_t n = w->site[i].node;

		if (eg[n] == NONE32)
			eg[n] = neg++;
		r->st[i].egress = eg[n];
		r->st[i].qhead = r->st[i].qtail = NONE32;
		cats_damp_init(&r->st[i].damp);
	}
	free(eg);
	/* sites of each service, contiguous (counting sort) */
	for (size_t i = 0; i < w->nsite; i++)
		r->svc_first[w->site[i].service + 1]++;
	for (size_t s = 0; s < w->nsvc; s++)
		r->svc_first[s + 1] += r->svc_first[s];
	{
		size_t fill[SCALE_MAX_SERVICES];

		memcpy(fill, r->svc_first, sizeof(fill));
		for (size_t i = 0; i < w->nsite; i++)
			r->by_svc[fill[w->site[i].service]++] = (uint32_t)i;
	}
	return (int)neg;
}

static int
setup_sel(struct run *r, uint32_t negress, char *why, size_t whylen)
{
	const struct scale_world *w = r->w;
	struct cats_sel_cfg cfg;

	cats_sel_cfg_default(&cfg);
	cfg.max_ingresses = (uint32_t)w->naccess;
	cfg.max_egresses = negress;
	cfg.max_services = (uint32_t)w->nsvc;
	cfg.max_instances = (uint32_t)w->nsite;
	cfg.max_flows = (uint32_t)(w->clients < (1u << 24) ? w->clients + 16 :
	    (1u << 24));
	cfg.policy = r->v->policy;
	cfg.hyst_rel = r->o->hyst_rel;
	cfg.herd_max = r->o->herd_max;
	cfg.seed = w->seed;
	/* a client's session keeps its instance while it is active */
	cfg.affinity_timeout_ms = (uint64_t)(w->think_ms * 20) + 30000;
	if ((r->sel = cats_sel_create(&cfg)) == NULL) {
		snprintf(why, whylen, "cannot create a C-PS for %zu ingresses "
		    "x %u egresses", w->naccess, negress);
		return -1;
	}
	return 0;
}

/* What the C-PS knows at the start: every instance, its service time,
 * an idle load; every path's one-way delay. */
static int
setup_metrics(struct run *r, char *why, size_t whylen)
{
	const struct scale_world *w = r->w;

	for (uint32_t i = 0; i < w->nsite; i++) {
		const struct scale_site *s = &w->site[i];
		double work = w->svc[s->service].work_ms;
		struct cats_instance_def d = { .instance = i,
		    .service = s->service, .egress = r->st[i].egress,
		    .servers = s->servers,
		    .capacity = s->servers * s->speed * 1000 / work };
		struct cats_sample sm[3] = {
			{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0 },
			{ CATS_M_QUEUE, CATS_STAT_CUR, 0, 0 },
			{ CATS_M_PROC_DELAY, CATS_STAT_MEAN, 60000,
			    work * 1e6 / s->speed },
		};

		enum cats_sel_err se;
		enum cats_metric_err me = CATS_MERR_OK;

		if ((se = cats_sel_add_instance(r->sel, &d)) != CATS_SERR_OK ||
		    (me = cats_sel_update_compute(r->sel, i, sm, 3, 0)) !=
		    CATS_MERR_OK) {
			snprintf(why, whylen, "site %u: the C-PS refused it: %s",
			    i, se != CATS_SERR_OK ? cats_sel_err_name(se) :
			    cats_metric_err_name(me));
			return -1;
		}
	}
	for (uint32_t a = 0; a < w->naccess; a++)
		for (uint32_t i = 0; i < w->nsite; i++) {
			struct cats_sample sm = { CATS_M_OWD, CATS_STAT_CUR, 0,
			    owd(r, a, w->site[i].node) * 1000 };

			if (sm.value > 6e10)
				continue;	/* unreachable */
			if (cats_sel_update_net(r->sel, a, r->st[i].egress, &sm,
			    1, 0) != CATS_MERR_OK) {
				snprintf(why, whylen, "the path from access "
				    "node %u to site %u: the C-PS refused it",
				    a, i);
				return -1;
			}
		}
	return 0;
}

static void
setup_reqs(struct run *r)
{
	for (size_t s = 0; s < r->w->nsvc; s++) {
		cats_reqs_none(&r->reqs[s]);
		if (r->w->svc[s].net_ms > 0)
			r->reqs[s].max_latency =
			    (uint32_t)(r->w->svc[s].net_ms * 1e6);
	}
}

static void
run_free(struct run *r, bool own_ho)
{
	struct sim_item it;

	while (r->q != NULL && sim_queue_pop(r->q, &it))
		if (it.kind == EV_DELIVER)
			free(it.p);
	sim_queue_free(r->q, NULL);
	cats_sel_destroy(r->sel);
	if (own_ho)
		scale_ho_free(r->ho);
	free(r->c);
	free(r->tx);
	free(r->st);
	free(r->by_svc);
	free(r->util);
}

static void
dispatch(struct run *r, const struct sim_item *it)
{
	switch ((enum evk)it->kind) {
	case EV_ARRIVE:
		arrive(r);
		break;
	case EV_TX:
		start_tx(r, (uint32_t)it->u);
		break;
	case EV_SITE_IN:
		site_in(r, (uint32_t)it->u);
		break;
	case EV_SITE_DONE:
		site_done(r, (uint32_t)it->u, it->a);
		break;
	case EV_RESULT:
		result(r, (uint32_t)it->u, it->a);
		break;
	case EV_MOVE:
		move(r, (uint32_t)it->u, it->a);
		break;
	case EV_SWITCH:
		switch_to(r, (uint32_t)it->u, it->a);
		break;
	case EV_SAMPLE:
		sample(r);
		break;
	case EV_DELIVER:
		deliver(r, it->p);
		break;
	}
}

static void
schedule_trace(struct run *r)
{
	const struct trace *t = &r->w->trace;

	for (size_t k = 0; k < t->n; k++)
		if (t->ev[k].client < r->w->clients &&
		    r->w->access_of[t->ev[k].node] >= 0)
			push(r, t->ev[k].at_ms * US_PER_MS, EV_MOVE,
			    (uint32_t)k + 1, t->ev[k].client, NULL);
}

static void
loop(struct run *r)
{
	struct sim_item it;
	double horizon = r->w->duration_s * 1e6;

	while (!r->failed && sim_queue_pop(r->q, &it)) {
		r->now = (double)it.at;
		r->r->events++;
		dispatch(r, &it);
		if (r->o->event_limit && r->r->events >= r->o->event_limit)
			break;
		if (r->o->progress != NULL &&
		    (r->r->events & (PROGRESS_EVERY - 1)) == 0)
			r->o->progress(r->o->arg, r->r, r->now / horizon);
	}
}

int
scale_run(const struct scale_world *w, const struct scale_variant *v,
    const struct scale_opts *o, struct scale_result *res, char *why,
    size_t whylen)
{
	struct run r = { .w = w, .v = v, .o = o, .r = res,
	    .free_tx = NONE32 };
	int neg;

	memset(res, 0, sizeof(*res));
	res->v = *v;
	snprintf(why, whylen, "out of memory");
	if (w->naccess == 0 || w->owd == NULL || w->nsite == 0) {
		snprintf(why, whylen, "the world is not prepared");
		errno = EINVAL;
		return -1;
	}
	r.q = sim_queue_new();
	r.c = calloc(w->clients ? w->clients : 1, sizeof(*r.c));
	r.ho = o->ho != NULL ? o->ho : scale_ho_new(w);
	if (r.q == NULL || r.c == NULL || r.ho == NULL ||
	    (neg = setup_sites(&r)) < 0)
		goto fail;
	if (!is_oracle(&r) && (setup_sel(&r, (uint32_t)neg, why, whylen) ||
	    setup_metrics(&r, why, whylen))) {
		run_free(&r, o->ho == NULL);
		errno = EINVAL;
		return -1;
	}
	setup_reqs(&r);
	sim_rng_seed(&r.arr, w->seed ^ 0xa77a1a1ull);
	if (w->clients > 0)
		push(&r, 0, EV_ARRIVE, 0, 0, NULL);
	push(&r, w->metric_interval_ms * US_PER_MS, EV_SAMPLE, 0, 0, NULL);
	schedule_trace(&r);
	loop(&r);
	res->ho_cache_miss = scale_ho_played(r.ho);
	if (r.failed)
		goto fail;
	run_free(&r, o->ho == NULL);
	return 0;
fail:
	run_free(&r, o->ho == NULL);
	errno = ENOMEM;
	return -1;
}
