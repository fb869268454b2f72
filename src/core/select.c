/*
 * select: the C-PS state (instances, metrics, affinity) and its decisions.
 * The index lives in select_index.c, the policies in select_policy.c.
 *
 * A compute update does not touch the trees: it logs the instance in its
 * service's ring (log_instance), and each ingress applies the log at its
 * next decision (catch_up), so an update costs O(1) and each ingress pays
 * O(log n) per instance changed since it last decided, or one O(n) rebuild
 * when more changed than the ring holds.  Every reader of a tree catches up
 * first.
 */
#include <stdlib.h>
#include <string.h>

#include "select_int.h"

/* Bounds that keep every size_t product below well below overflow and a
 * selector within a few GiB at most. */
#define LIMIT_IDS	(1u << 24)
#define LIMIT_PATHS	(1u << 26)
#define CAP_MIN		4u

static const char *const reason_name[CATS_SEL__COUNT] = {
	[CATS_SEL_OK]                = "ok",
	[CATS_SEL_BAD_ARG]           = "bad-argument",
	[CATS_SEL_NO_INSTANCE]       = "no-instance",
	[CATS_SEL_NO_METRICS]        = "no-metrics",
	[CATS_SEL_BANDWIDTH]         = "bandwidth",
	[CATS_SEL_LATENCY]           = "latency",
	[CATS_SEL_LATENCY_VARIATION] = "latency-variation",
	[CATS_SEL_LOSS]              = "loss",
	[CATS_SEL_COMP_LATENCY]      = "compute-latency",
	[CATS_SEL_AFFINITY]          = "affinity",
	[CATS_SEL_UNMEASURED]        = "no-metric",
	[CATS_SEL_RESOURCES]         = "resources",
	[CATS_SEL_UNAVAILABLE]       = "unavailable",
};

static const char *const err_name[CATS_SERR__COUNT] = {
	[CATS_SERR_OK]                 = "ok",
	[CATS_SERR_RANGE]              = "out-of-range",
	[CATS_SERR_EXISTS]             = "exists",
	[CATS_SERR_NOT_FOUND]          = "not-found",
	[CATS_SERR_NOMEM]              = "no-memory",
	[CATS_SERR_BAD_ARG]            = "bad-argument",
	[CATS_SERR_TOO_MANY_FUNCTIONS] = "too-many-functions",
	[CATS_SERR_FULL]               = "affinity-table-full",
	[CATS_SERR_TOO_MANY_RESOURCES] = "too-many-resources",
};

const char *
cats_sel_reason_name(enum cats_sel_reason r)
{
	if ((unsigned)r >= CATS_SEL__COUNT)
		return "?";
	return reason_name[r];
}

const char *
cats_sel_err_name(enum cats_sel_err e)
{
	if ((unsigned)e >= CATS_SERR__COUNT)
		return "?";
	return err_name[e];
}

/* ---- random numbers: splitmix64, state in the selector ---- */

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
rng_next(struct cats_sel *sel)
{
	sel->rng += 0x9e3779b97f4a7c15ull;
	return mix64(sel->rng);
}

static double
rng_unit(struct cats_sel *sel)
{
	return (double)(rng_next(sel) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n) without a division (Lemire's multiply-shift). */
static uint32_t
rng_below(struct cats_sel *sel, uint32_t n)
{
	return (uint32_t)(((rng_next(sel) >> 32) * (uint64_t)n) >> 32);
}

void
cats_sel_seed(struct cats_sel *sel, uint64_t seed)
{
	sel->rng = seed;
}

uint64_t
cats_sel_rng_state(const struct cats_sel *sel)
{
	return sel->rng;
}

/* ---- configuration, creation ---- */

void
cats_sel_cfg_default(struct cats_sel_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->max_ingresses = 64;
	c->max_egresses = 256;
	c->max_services = 64;
	c->max_instances = 4096;
	c->max_flows = 16384;
	c->policy = CATS_POL_RESPONSE_TIME;
	c->hyst_rel = 0.10;
	c->affinity_timeout_ms = 30000;
	c->herd_rel = 0.05;
	c->herd_max = 8;
	c->seed = 1;
	for (int i = 0; i < CATS_L1__COUNT; i++)
		c->l1_weight[i] = 1;
	cats_metric_cfg_default(&c->metric);
}

static bool
nonneg(double x)
{
	return isfinite(x) && x >= 0;
}

static bool
cfg_valid(const struct cats_sel_cfg *c)
{
	double wsum = 0;

	if (c->max_ingresses == 0 || c->max_egresses == 0 ||
	    c->max_services == 0 || c->max_instances == 0 ||
	    c->max_ingresses > LIMIT_IDS || c->max_egresses > LIMIT_IDS ||
	    c->max_services > LIMIT_IDS || c->max_instances > LIMIT_IDS ||
	    c->max_flows > LIMIT_IDS ||
	    (uint64_t)c->max_ingresses * c->max_egresses > LIMIT_PATHS)
		return false;
	if ((unsigned)c->policy >= CATS_POL__COUNT ||
	    !nonneg(c->hyst_rel) || !nonneg(c->hyst_abs) ||
	    !nonneg(c->herd_rel) || !nonneg(c->herd_abs) ||
	    c->herd_max > CATS_SEL_HERD_MAX)
		return false;
	for (int i = 0; i < CATS_L1__COUNT; i++) {
		if (!nonneg(c->l1_weight[i]))
			return false;
		wsum += c->l1_weight[i];
	}
	return wsum > 0 && cats_metric_cfg_valid(&c->metric);
}

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

static bool
alloc_tables(struct cats_sel *sel)
{
	const struct cats_sel_cfg *c = &sel->cfg;
	size_t paths = (size_t)c->max_ingresses * c->max_egresses;

	sel->inst = calloc(c->max_instances, sizeof(*sel->inst));
	sel->svc = calloc(c->max_services, sizeof(*sel->svc));
	sel->net = calloc(paths, sizeof(*sel->net));
	sel->egress_head = malloc(c->max_egresses * sizeof(*sel->egress_head));
	if (c->max_flows > 0) {
		sel->flow_mask = pow2_at_least(2 * c->max_flows) - 1;
		sel->flows = calloc((size_t)sel->flow_mask + 1,
		    sizeof(*sel->flows));
	}
	if (!sel->inst || !sel->svc || !sel->net || !sel->egress_head ||
	    (c->max_flows > 0 && !sel->flows))
		return false;
	for (uint32_t e = 0; e < c->max_egresses; e++)
		sel->egress_head[e] = NONE32;
	return true;
}

struct cats_sel *
cats_sel_create(const struct cats_sel_cfg *cfg)
{
	struct cats_sel *sel;

	if (cfg == NULL || !cfg_valid(cfg))
		return NULL;
	sel = calloc(1, sizeof(*sel));
	if (sel == NULL)
		return NULL;
	sel->cfg = *cfg;
	sel->rng = cfg->seed;
	if (!alloc_tables(sel)) {
		cats_sel_destroy(sel);
		return NULL;
	}
	return sel;
}

void
cats_sel_destroy(struct cats_sel *sel)
{
	if (sel == NULL)
		return;
	if (sel->svc != NULL) {
		for (uint32_t s = 0; s < sel->cfg.max_services; s++) {
			free(sel->svc[s].inst);
			free(sel->svc[s].node);
			free(sel->svc[s].rr);
			free(sel->svc[s].dlog);
			free(sel->svc[s].dseen);
			free(sel->svc[s].cslot);
			free(sel->svc[s].ckey);
			free(sel->svc[s].cnext);
		}
	}
	free(sel->inst);
	free(sel->svc);
	free(sel->net);
	free(sel->egress_head);
	free(sel->flows);
	free(sel);
}

/* ---- leaves: what the index holds for (ingress, instance) ---- */

static struct sel_net *
net_at(const struct cats_sel *sel, uint32_t ingress, uint32_t egress)
{
	return &sel->net[(size_t)ingress * sel->cfg.max_egresses + egress];
}

/* Maxima round up and minima round down, saturating, so that comparing
 * with a 32-bit requirement is exact (section 4.4 units). */
static uint32_t
u32_up(double x)
{
	if (!(x > 0))
		return 0;
	return x >= (double)NONE32 ? NONE32 : (uint32_t)ceil(x);
}

static uint32_t
u32_down(double x)
{
	if (!(x > 0))
		return 0;
	return x >= (double)NONE32 ? NONE32 : (uint32_t)x;
}

/* A network metric never received counts as the worst value: an unknown
 * loss cannot satisfy a loss requirement. */
static uint32_t
net_field(const struct sel_net *n, enum cats_metric_id id, bool up)
{
	const struct cats_l0 *m = &n->m.m[id - CATS_M_NETWORK_FIRST];

	if (!m->present)
		return up ? NONE32 : 0;
	return up ? u32_up(m->value) : u32_down(m->value);
}

static void
leaf_of(const struct cats_sel *sel, uint32_t id, uint32_t ingress,
    struct sel_node *n)
{
	const struct sel_inst *in = &sel->inst[id];
	const struct sel_net *nt = net_at(sel, ingress, in->egress);

	idx_empty(n);
	if (in->down) {
		n->unmeasured = SEL_UM_DOWN;
		return;
	}
	if (!in->has_metrics || !nt->valid)
		return;
	n->cost = pol_cost(&sel->cfg, in, nt);
	n->id = id;
	n->pos = in->pos;
	n->bw = net_field(nt, CATS_M_BANDWIDTH, false);
	n->owd = net_field(nt, CATS_M_OWD, true);
	n->dv = net_field(nt, CATS_M_DELAY_VAR, true);
	n->loss = net_field(nt, CATS_M_LOSS, true);
	n->comp = u32_up(in->resp_ns);
	n->fmask = n->fany = in->fmask;
	n->rany = in->rmask;
	n->unmeasured =
	    (nt->m.m[CATS_M_BANDWIDTH - CATS_M_NETWORK_FIRST].present ? 0 : SEL_UM_BW) |
	    (nt->m.m[CATS_M_DELAY_VAR - CATS_M_NETWORK_FIRST].present ? 0 : SEL_UM_DV) |
	    (nt->m.m[CATS_M_LOSS - CATS_M_NETWORK_FIRST].present ? 0 : SEL_UM_LOSS);
}

static void
refresh_leaf(struct cats_sel *sel, uint32_t id, uint32_t ingress)
{
	const struct sel_inst *in = &sel->inst[id];
	struct sel_node n;

	leaf_of(sel, id, ingress, &n);
	idx_set(&sel->svc[in->service], ingress, in->pos, &n);
}

/* ---- the log of compute changes ---- */

/* A compute change (or a change of functions) moves the instance in every
 * ingress's tree: log it once for all of them.  An entry no ingress has read yet already stands
 * for the new change, so an instance is not logged twice. */
static void
log_instance(struct cats_sel *sel, uint32_t id)
{
	struct sel_inst *in = &sel->inst[id];
	struct sel_svc *s = &sel->svc[in->service];

	if (in->logged > s->dcons)
		return;
	s->dlog[s->dhead & (s->cap - 1)] = id;
	in->logged = ++s->dhead;
}

/* Every leaf of ingress g's tree from the current state, O(n). */
static void
tree_rebuild(struct cats_sel *sel, struct sel_svc *s, uint32_t g)
{
	struct sel_node *leaf = svc_nodes(s, g) + s->cap;

	for (uint32_t p = 0; p < s->n; p++)
		leaf_of(sel, s->inst[p], g, &leaf[p]);
	idx_build(s, g);
}

/* A logged instance may have been removed (or moved to another service)
 * since: its leaves were dealt with then. */
static void
refresh_logged(struct cats_sel *sel, const struct sel_svc *s, uint32_t id,
    uint32_t g)
{
	const struct sel_inst *in = &sel->inst[id];

	if (!in->present || &sel->svc[in->service] != s)
		return;
	refresh_leaf(sel, id, g);
}

/* Bring ingress g's tree up to date with the log.  The ring holds the last
 * cap entries: an ingress further behind rebuilds.  So does one behind by
 * more than an eighth of the instances: a re-key walks up to the root
 * (log n nodes) where a rebuild visits each node once, so past about
 * n / log n re-keys the rebuild is cheaper (an ingress that decides rarely,
 * among many, is always that far behind). */
static void
catch_up(struct cats_sel *sel, struct sel_svc *s, uint32_t g)
{
	uint64_t q = s->dseen[g];

	if (q == s->dhead)
		return;
	if (s->dhead - q > s->cap || s->dhead - q > 8 + s->n / 8)
		tree_rebuild(sel, s, g);
	else
		for (; q < s->dhead; q++)
			refresh_logged(sel, s, s->dlog[q & (s->cap - 1)], g);
	s->dseen[g] = s->dcons = s->dhead;
}

/* ---- instances ---- */

static void
svc_fill(const struct cats_sel *sel, struct sel_svc *s)
{
	size_t nodes = (size_t)sel->cfg.max_ingresses * 2 * s->cap;

	for (size_t i = 0; i < nodes; i++)
		idx_empty(&s->node[i]);
	for (uint32_t g = 0; g < sel->cfg.max_ingresses; g++) {
		for (uint32_t p = 0; p < s->n; p++)
			leaf_of(sel, s->inst[p], g,
			    &svc_nodes(s, g)[s->cap + p]);
		idx_build(s, g);
		s->dseen[g] = s->dhead;
	}
	s->dcons = s->dhead;
}

static void
svc_free_per_ingress(struct sel_svc *s)
{
	free(s->rr);
	free(s->dseen);
	free(s->cslot);
	free(s->ckey);
	free(s->cnext);
	s->rr = s->cnext = NULL;
	s->dseen = NULL;
	s->cslot = NULL;
	s->ckey = NULL;
}

/* Keys per cache slot: the herding set, or the best alone. */
static uint32_t
herd_k(const struct cats_sel_cfg *c)
{
	return c->herd_max > 1 ? c->herd_max : 1;
}

/* Per-ingress arrays that do not grow with the service; once. */
static bool
svc_per_ingress(const struct cats_sel *sel, struct sel_svc *s)
{
	size_t g = sel->cfg.max_ingresses;

	if (s->rr != NULL)
		return true;
	s->ck = herd_k(&sel->cfg);
	s->rr = calloc(g, sizeof(*s->rr));
	s->dseen = calloc(g, sizeof(*s->dseen));
	s->cslot = calloc(g * SEL_CSLOTS, sizeof(*s->cslot));
	s->ckey = calloc(g * SEL_CSLOTS * s->ck, sizeof(*s->ckey));
	s->cnext = calloc(g, sizeof(*s->cnext));
	if (s->rr && s->dseen && s->cslot && s->ckey && s->cnext)
		return true;
	svc_free_per_ingress(s);
	return false;
}

/* Grow a service's arrays by doubling; on failure it is left as it was. */
static bool
svc_reserve(struct cats_sel *sel, struct sel_svc *s, uint32_t need)
{
	uint32_t cap = s->cap ? s->cap : CAP_MIN;
	struct sel_node *node;
	uint32_t *inst, *dlog;

	if (need <= s->cap)
		return true;
	if (!svc_per_ingress(sel, s))
		return false;
	while (cap < need)
		cap *= 2;
	node = malloc((size_t)sel->cfg.max_ingresses * 2 * cap * sizeof(*node));
	inst = malloc(cap * sizeof(*inst));
	dlog = malloc(cap * sizeof(*dlog));
	if (node == NULL || inst == NULL || dlog == NULL) {
		free(node);
		free(inst);
		free(dlog);
		return false;
	}
	if (s->n > 0)
		memcpy(inst, s->inst, s->n * sizeof(*inst));
	free(s->node);
	free(s->inst);
	free(s->dlog);
	s->node = node;
	s->inst = inst;
	s->dlog = dlog;
	s->cap = cap;
	/* Every tree is rebuilt from the current state: the log is void. */
	svc_fill(sel, s);
	return true;
}

static bool
def_valid(const struct cats_sel_cfg *c, const struct cats_instance_def *d)
{
	return d->instance < c->max_instances && d->service < c->max_services &&
	    d->egress < c->max_egresses;
}

enum cats_sel_err
cats_sel_add_instance(struct cats_sel *sel, const struct cats_instance_def *d)
{
	struct sel_inst *in;
	struct sel_svc *s;
	uint32_t gen;

	if (d == NULL)
		return CATS_SERR_BAD_ARG;
	if (!def_valid(&sel->cfg, d))
		return CATS_SERR_RANGE;
	if (d->servers == 0 || d->servers > CATS_SEL_MAX_SERVERS ||
	    !nonneg(d->capacity) || d->capacity > 1e9)
		return CATS_SERR_BAD_ARG;
	in = &sel->inst[d->instance];
	if (in->present)
		return CATS_SERR_EXISTS;
	s = &sel->svc[d->service];
	if (s->n == NONE32 - 1 || !svc_reserve(sel, s, s->n + 1))
		return CATS_SERR_NOMEM;
	gen = in->gen;
	memset(in, 0, sizeof(*in));
	in->present = true;
	in->gen = gen;
	in->service = d->service;
	in->egress = d->egress;
	in->servers = d->servers;
	in->pos = s->n;
	in->m.m[CATS_M_CAPACITY].value = d->capacity;
	in->m.m[CATS_M_CAPACITY].present = true;
	s->inst[s->n++] = d->instance;
	in->next_on_egress = sel->egress_head[d->egress];
	sel->egress_head[d->egress] = d->instance;
	/* No metrics yet: its leaves stay empty until the first update. */
	return CATS_SERR_OK;
}

static void
egress_unlink(struct cats_sel *sel, uint32_t id)
{
	uint32_t *p = &sel->egress_head[sel->inst[id].egress];

	while (*p != NONE32 && *p != id)
		p = &sel->inst[*p].next_on_egress;
	if (*p == id)
		*p = sel->inst[id].next_on_egress;
}

enum cats_sel_err
cats_sel_remove_instance(struct cats_sel *sel, uint32_t id)
{
	struct sel_node empty;
	struct sel_svc *s;
	uint32_t pos, last;

	if (id >= sel->cfg.max_instances)
		return CATS_SERR_RANGE;
	if (!sel->inst[id].present)
		return CATS_SERR_NOT_FOUND;
	s = &sel->svc[sel->inst[id].service];
	pos = sel->inst[id].pos;
	last = s->n - 1;
	idx_empty(&empty);
	/* Keep positions dense: the last instance takes the hole. */
	if (pos != last) {
		uint32_t moved = s->inst[last];

		s->inst[pos] = moved;
		sel->inst[moved].pos = pos;
		for (uint32_t g = 0; g < sel->cfg.max_ingresses; g++)
			refresh_leaf(sel, moved, g);
	}
	for (uint32_t g = 0; g < sel->cfg.max_ingresses; g++)
		idx_set(s, g, last, &empty);
	s->n--;
	egress_unlink(sel, id);
	sel->inst[id].present = false;
	sel->inst[id].gen++;	/* invalidates affinity bindings to it */
	return CATS_SERR_OK;
}

static int
names_find(const struct sel_names *t, const char *name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return (int)i;
	return -1;
}

/* How many of names are not interned yet; -1 if one is unusable. */
static int
names_missing(const struct sel_names *t, const char *const *names, size_t n)
{
	int missing = 0;

	for (size_t i = 0; i < n; i++) {
		if (names[i] == NULL || names[i][0] == '\0' ||
		    strlen(names[i]) >= CATS_SEL_FUNCTION_LEN)
			return -1;
		if (names_find(t, names[i]) < 0)
			missing++;
	}
	return missing;
}

static uint64_t
names_intern(struct sel_names *t, const char *name)
{
	int i = names_find(t, name);

	if (i < 0) {
		i = (int)t->n++;
		strcpy(t->name[i], name);
	}
	return 1ull << i;
}

/* The names of one instance as a mask of table t (at most max names in
 * all), or the error; nothing changes on an error. */
static enum cats_sel_err
names_mask(struct cats_sel *sel, struct sel_names *t, uint32_t max,
    enum cats_sel_err full, uint32_t id, const char *const *names, size_t n,
    uint64_t *mask)
{
	int missing;

	if (id >= sel->cfg.max_instances)
		return CATS_SERR_RANGE;
	if (!sel->inst[id].present)
		return CATS_SERR_NOT_FOUND;
	if (n > 0 && names == NULL)
		return CATS_SERR_BAD_ARG;
	missing = names_missing(t, names, n);
	if (missing < 0)
		return CATS_SERR_BAD_ARG;
	if (t->n + (uint32_t)missing > max)
		return full;
	*mask = 0;
	for (size_t i = 0; i < n; i++)
		*mask |= names_intern(t, names[i]);
	return CATS_SERR_OK;
}

/* The functions co-located with an instance, for the affinity requirement
 * ("not to execute where function Y is already running", section 3). */
enum cats_sel_err
cats_sel_set_functions(struct cats_sel *sel, uint32_t id,
    const char *const *names, size_t n)
{
	enum cats_sel_err e;
	uint64_t mask;

	e = names_mask(sel, &sel->func, CATS_SEL_MAX_FUNCTIONS,
	    CATS_SERR_TOO_MANY_FUNCTIONS, id, names, n, &mask);
	if (e != CATS_SERR_OK)
		return e;
	sel->inst[id].fmask = mask;
	log_instance(sel, id);
	return CATS_SERR_OK;
}

/* The computing resources an instance has (hardware features), for the
 * requirement of anchoring 3 step 1.d. */
enum cats_sel_err
cats_sel_set_resources(struct cats_sel *sel, uint32_t id,
    const char *const *names, size_t n)
{
	enum cats_sel_err e;
	uint64_t mask;

	e = names_mask(sel, &sel->res, CATS_SEL_MAX_RESOURCES,
	    CATS_SERR_TOO_MANY_RESOURCES, id, names, n, &mask);
	if (e != CATS_SERR_OK)
		return e;
	sel->inst[id].rmask = mask;
	log_instance(sel, id);
	return CATS_SERR_OK;
}

/* ---- metric updates ---- */

static void
instance_derive(const struct cats_sel *sel, struct sel_inst *in)
{
	const struct cats_l0_set *m = &in->m;

	in->has_metrics = m->m[CATS_M_UTIL].present &&
	    m->m[CATS_M_PROC_DELAY].present;
	if (!in->has_metrics)
		return;
	in->resp_ns = cats_mmc_response_ns(m, in->servers);
	in->spare = cats_spare_capacity(m);
	in->l1_comp = cats_l1_computing(&sel->cfg.metric, m);
	in->l1_serv = cats_l1_service(&sel->cfg.metric, in->resp_ns);
}

enum cats_metric_err
cats_sel_update_compute(struct cats_sel *sel, uint32_t id,
    const struct cats_sample *s, size_t n, uint64_t ts_ms)
{
	struct sel_inst *in;
	enum cats_metric_err e;

	if (id >= sel->cfg.max_instances || !sel->inst[id].present)
		return CATS_MERR_UNKNOWN_INSTANCE;
	e = cats_samples_check(s, n, CATS_MK_COMPUTE);
	if (e != CATS_MERR_OK)
		return e;
	in = &sel->inst[id];
	if (ts_ms < in->ts_ms)
		return CATS_MERR_STALE;
	cats_l0_apply(&in->m, s, n);
	in->ts_ms = ts_ms;
	instance_derive(sel, in);
	log_instance(sel, id);
	return CATS_MERR_OK;
}

enum cats_metric_err
cats_sel_update_net(struct cats_sel *sel, uint32_t ingress, uint32_t egress,
    const struct cats_sample *s, size_t n, uint64_t ts_ms)
{
	struct sel_net *nt;
	enum cats_metric_err e;

	if (ingress >= sel->cfg.max_ingresses)
		return CATS_MERR_UNKNOWN_INGRESS;
	if (egress >= sel->cfg.max_egresses)
		return CATS_MERR_UNKNOWN_EGRESS;
	e = cats_samples_check(s, n, CATS_MK_NETWORK);
	if (e != CATS_MERR_OK)
		return e;
	nt = net_at(sel, ingress, egress);
	if (ts_ms < nt->ts_ms)
		return CATS_MERR_STALE;
	cats_l0_apply(&nt->m, s, n);
	nt->ts_ms = ts_ms;
	nt->valid = nt->m.m[CATS_M_OWD - CATS_M_NETWORK_FIRST].present;
	nt->l1_comm = cats_l1_communication(&sel->cfg.metric, &nt->m);
	/* Only the instances behind this egress, only in this ingress's
	 * trees, change. */
	for (uint32_t i = sel->egress_head[egress]; i != NONE32;
	    i = sel->inst[i].next_on_egress)
		refresh_leaf(sel, i, ingress);
	return CATS_MERR_OK;
}

/* ---- requirements ---- */

void
cats_reqs_none(struct cats_reqs *r)
{
	r->min_bw = 0;
	r->max_latency = CATS_REQ_NONE;
	r->max_latency_var = CATS_REQ_NONE;
	r->max_loss = CATS_REQ_NONE;
	r->max_comp_latency = CATS_REQ_NONE;
	r->avoid = 0;
	r->with = 0;
	r->needs = 0;
}

/* A function no instance advertises excludes nothing, so an unknown name
 * is accepted and returns false. */
bool
cats_reqs_avoid(const struct cats_sel *sel, struct cats_reqs *r,
    const char *function)
{
	int i;

	if (function == NULL)
		return false;
	i = names_find(&sel->func, function);
	if (i < 0)
		return false;
	r->avoid |= 1ull << i;
	return true;
}

/* "with": only where the function runs (anchoring 3 step 1.e).  A function
 * no instance runs can be met nowhere: false, and the caller refuses. */
bool
cats_reqs_with(const struct cats_sel *sel, struct cats_reqs *r,
    const char *function)
{
	int i;

	if (function == NULL || (i = names_find(&sel->func, function)) < 0)
		return false;
	r->with |= 1ull << i;
	return true;
}

/* "needs": only an instance that has the resource (anchoring 3 step 1.d).
 * A resource no instance has can be met nowhere: false, and the caller
 * refuses. */
bool
cats_reqs_needs(const struct cats_sel *sel, struct cats_reqs *r,
    const char *resource)
{
	int i;

	if (resource == NULL || (i = names_find(&sel->res, resource)) < 0)
		return false;
	r->needs |= 1ull << i;
	return true;
}

static enum cats_sel_reason leaf_reason(const struct sel_node *,
    const struct cats_reqs *);

/* ---- one instance against the requirements (egress, switching) ---- */

enum cats_sel_reason
cats_sel_judge(const struct cats_sel *sel, uint32_t ingress, uint32_t id,
    const struct cats_reqs *r, struct cats_reqs *offer)
{
	struct sel_node n;

	if (ingress >= sel->cfg.max_ingresses || id >= sel->cfg.max_instances ||
	    !sel->inst[id].present)
		return CATS_SEL_BAD_ARG;
	leaf_of(sel, id, ingress, &n);
	if (offer != NULL) {
		cats_reqs_none(offer);
		if (isfinite(n.cost)) {
			offer->min_bw = n.bw;
			offer->max_latency = n.owd;
			offer->max_latency_var = n.dv;
			offer->max_loss = n.loss;
			offer->max_comp_latency = n.comp;
			offer->with = n.fmask;
			offer->needs = n.rany;
		}
	}
	return leaf_reason(&n, r);
}

/* ---- affinity table: open addressing, linear probing ---- */

static uint32_t
flow_home(const struct cats_sel *sel, uint64_t key)
{
	return (uint32_t)mix64(key) & sel->flow_mask;
}

static uint32_t
flow_find(const struct cats_sel *sel, uint64_t key)
{
	uint32_t i;

	if (sel->flows == NULL)
		return NONE32;
	for (i = flow_home(sel, key); sel->flows[i].key != 0;
	    i = (i + 1) & sel->flow_mask)
		if (sel->flows[i].key == key)
			return i;
	return NONE32;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void
flow_del(struct cats_sel *sel, uint32_t i)
{
	uint32_t j = i, m = sel->flow_mask;

	for (;;) {
		uint32_t home;

		j = (j + 1) & m;
		if (sel->flows[j].key == 0)
			break;
		home = flow_home(sel, sel->flows[j].key);
		if (((j - home) & m) >= ((j - i) & m)) {
			sel->flows[i] = sel->flows[j];
			i = j;
		}
	}
	sel->flows[i].key = 0;
	sel->flow_count--;
}

static void
flow_purge(struct cats_sel *sel, uint64_t now_ms)
{
	for (uint32_t i = 0; i <= sel->flow_mask; i++)
		while (sel->flows[i].key != 0 &&
		    sel->flows[i].expires_ms <= now_ms)
			flow_del(sel, i);
}

static bool
flow_put(struct cats_sel *sel, uint64_t key, uint32_t id, uint64_t now_ms)
{
	uint32_t i = flow_find(sel, key);

	if (sel->flows == NULL)
		return false;
	if (i == NONE32) {
		if (sel->flow_count >= sel->cfg.max_flows)
			flow_purge(sel, now_ms);
		if (sel->flow_count >= sel->cfg.max_flows)
			return false;
		for (i = flow_home(sel, key); sel->flows[i].key != 0;
		    i = (i + 1) & sel->flow_mask)
			;
		sel->flows[i].key = key;
		sel->flow_count++;
	}
	sel->flows[i].inst = id;
	sel->flows[i].gen = sel->inst[id].gen;
	sel->flows[i].expires_ms = now_ms + sel->cfg.affinity_timeout_ms;
	return true;
}

enum cats_sel_err
cats_sel_bind(struct cats_sel *sel, uint64_t flow, uint32_t id,
    uint64_t now_ms)
{
	if (flow == 0)
		return CATS_SERR_BAD_ARG;
	if (id >= sel->cfg.max_instances)
		return CATS_SERR_RANGE;
	if (!sel->inst[id].present)
		return CATS_SERR_NOT_FOUND;
	return flow_put(sel, flow, id, now_ms) ? CATS_SERR_OK : CATS_SERR_FULL;
}

bool
cats_sel_release(struct cats_sel *sel, uint64_t flow)
{
	uint32_t i;

	if (flow == 0)
		return false;
	i = flow_find(sel, flow);
	if (i == NONE32)
		return false;
	flow_del(sel, i);
	return true;
}

size_t
cats_sel_flow_count(const struct cats_sel *sel)
{
	return sel->flow_count;
}

/* ---- decisions ---- */

static const struct sel_node *
leaf_at(const struct cats_sel *sel, uint32_t ingress, uint32_t id)
{
	const struct sel_inst *in = &sel->inst[id];
	const struct sel_svc *s = &sel->svc[in->service];

	return &svc_nodes(s, ingress)[s->cap + in->pos];
}

/* Is instance id of this service usable from this ingress right now? */
static bool
eligible(const struct cats_sel *sel, uint32_t ingress, uint32_t service,
    const struct cats_reqs *r, uint32_t id, const struct sel_node **leaf)
{
	if (id >= sel->cfg.max_instances || !sel->inst[id].present ||
	    sel->inst[id].service != service)
		return false;
	*leaf = leaf_at(sel, ingress, id);
	return isfinite((*leaf)->cost) && agg_ok(*leaf, r);
}

static void
key_of(const struct sel_node *n, struct sel_key *k)
{
	k->cost = n->cost;
	k->id = n->id;
	k->pad = 0;
}

static void
choice_fill(const struct cats_sel *sel, const struct sel_key *k,
    struct cats_choice *out, bool sticky)
{
	out->instance = k->id;
	out->egress = sel->inst[k->id].egress;
	out->cost = k->cost;
	out->sticky = sticky;
	out->bound = sticky;
}

static void
choice_of_node(const struct cats_sel *sel, const struct sel_node *n,
    struct cats_choice *out, bool sticky)
{
	struct sel_key k;

	key_of(n, &k);
	choice_fill(sel, &k, out, sticky);
}

/* An existing flow keeps its instance while the binding is live and the
 * instance still meets the hard requirements: a requirement outranks
 * affinity.  A use refreshes the idle timeout.  The instance's leaf is
 * computed from the current metrics, not read from the tree, so a sticky
 * decision does not make its ingress catch up with the log. */
static bool
flow_sticky(struct cats_sel *sel, uint32_t ingress, uint32_t service,
    const struct cats_reqs *r, uint64_t flow, uint64_t now_ms,
    struct cats_choice *out)
{
	uint32_t i = flow_find(sel, flow);
	struct sel_node leaf;
	struct sel_flow *f;

	if (i == NONE32)
		return false;
	f = &sel->flows[i];
	if (f->expires_ms <= now_ms || !sel->inst[f->inst].present ||
	    sel->inst[f->inst].gen != f->gen) {
		flow_del(sel, i);
		return false;
	}
	if (sel->inst[f->inst].service != service)
		return false;
	leaf_of(sel, f->inst, ingress, &leaf);
	if (!isfinite(leaf.cost) || !agg_ok(&leaf, r))
		return false;
	f->expires_ms = now_ms + sel->cfg.affinity_timeout_ms;
	choice_of_node(sel, &leaf, out, true);
	return true;
}

typedef bool best_fn(const struct sel_svc *, uint32_t,
    const struct cats_reqs *, struct sel_node *);
typedef uint32_t near_fn(const struct sel_svc *, uint32_t,
    const struct cats_reqs *, double, struct sel_node *, uint32_t);

struct finder {
	best_fn	*best;
	near_fn	*near;
	bool	 cached;	/* may answer from the cache (index only) */
};

static const struct finder by_index = { idx_best, idx_near, true };
static const struct finder by_scan = { scan_best, scan_near, false };

/* Herding guard: draw among the near-best in proportion to spare capacity,
 * so that a burst of new clients does not all land on one instance. */
static const struct sel_key *
herd_draw(struct cats_sel *sel, const struct sel_key *c, uint32_t n)
{
	double total = 0, u, acc = 0;

	if (n == 1)
		return &c[0];
	for (uint32_t i = 0; i < n; i++)
		total += sel->inst[c[i].id].spare;
	if (!(total > 0))
		return &c[0];
	u = rng_unit(sel) * total;
	for (uint32_t i = 0; i < n; i++) {
		acc += sel->inst[c[i].id].spare;
		if (u < acc)
			return &c[i];
	}
	return &c[n - 1];
}

static double
herd_margin(const struct cats_sel_cfg *c, double best)
{
	double margin = c->herd_rel * fabs(best);

	return margin < c->herd_abs ? c->herd_abs : margin;
}

/* The candidates of a ranked decision, best first: the up to herd_max best
 * qualifying instances within the herding threshold of the best, or the
 * best alone without the guard.  *thr: the threshold, which depends on the
 * best only (what the cache needs to know). */
static uint32_t
near_set(const struct cats_sel *sel, const struct finder *f,
    const struct sel_svc *s, uint32_t ingress, const struct cats_reqs *r,
    struct sel_key *out, double *thr)
{
	struct sel_node best, buf[CATS_SEL_HERD_MAX];
	uint32_t n;

	if (!f->best(s, ingress, r, &best))
		return 0;
	*thr = best.cost;
	if (sel->cfg.herd_max <= 1) {
		key_of(&best, &out[0]);
		return 1;
	}
	*thr = best.cost + herd_margin(&sel->cfg, best.cost);
	n = f->near(s, ingress, r, *thr, buf, sel->cfg.herd_max);
	for (uint32_t i = 0; i < n; i++)
		key_of(&buf[i], &out[i]);
	return n;
}

/* The candidates from the cache, computed by the index on a miss.  A
 * requirement tuple is a flow class, so a handful per ingress covers the
 * requests; an answer stays until a leaf change can alter it. */
static const struct sel_key *
cached_set(struct cats_sel *sel, struct sel_svc *s, uint32_t ingress,
    const struct cats_reqs *r, uint32_t *n)
{
	const struct sel_cslot *hit = idx_cache_find(s, ingress, r);
	struct sel_cslot *c;
	struct sel_key *k;

	if (hit != NULL) {
		*n = hit->n;
		return idx_cache_keys(s, ingress, hit);
	}
	c = idx_cache_claim(s, ingress, r);
	k = idx_cache_keys(s, ingress, c);
	c->n = near_set(sel, &by_index, s, ingress, r, k, &c->thr);
	c->used = true;
	*n = c->n;
	return k;
}

static bool
pick_ranked(struct cats_sel *sel, const struct finder *f, struct sel_svc *s,
    uint32_t ingress, const struct cats_reqs *r, struct sel_key *pick)
{
	struct sel_key buf[CATS_SEL_HERD_MAX];
	const struct sel_key *c = buf;
	double thr;
	uint32_t n;

	if (f->cached)
		c = cached_set(sel, s, ingress, r, &n);
	else
		n = near_set(sel, f, s, ingress, r, buf, &thr);
	if (n == 0)
		return false;
	*pick = *herd_draw(sel, c, n);
	return true;
}

/* Round-robin and random: start at the cursor or a random position and
 * take the first eligible instance after it. */
static bool
pick_unranked(struct cats_sel *sel, struct sel_svc *s, uint32_t ingress,
    const struct cats_reqs *r, struct sel_key *pick)
{
	const struct sel_node *leaf = svc_nodes(s, ingress) + s->cap;
	bool rr = sel->cfg.policy == CATS_POL_ROUND_ROBIN;
	uint32_t p = rr ? s->rr[ingress] % s->n : rng_below(sel, s->n);

	for (uint32_t k = 0; k < s->n; k++, p = p + 1 == s->n ? 0 : p + 1) {
		if (!isfinite(leaf[p].cost) || !agg_ok(&leaf[p], r))
			continue;
		key_of(&leaf[p], pick);
		if (rr)
			s->rr[ingress] = p + 1;
		return true;
	}
	return false;
}

/* The first requirement of the wire option (section 4.4 order) that this
 * leaf breaks. */
static enum cats_sel_reason
leaf_reason(const struct sel_node *a, const struct cats_reqs *r)
{
	if (!isfinite(a->cost))
		return (a->unmeasured & SEL_UM_DOWN) ? CATS_SEL_UNAVAILABLE :
		    CATS_SEL_NO_METRICS;
	/* A bounded network metric never received is unmet, and says so
	 * ("no-metric") rather than passing for its worst value. */
	if (a->bw < r->min_bw)
		return (a->unmeasured & SEL_UM_BW) ? CATS_SEL_UNMEASURED :
		    CATS_SEL_BANDWIDTH;
	if (a->owd > r->max_latency)
		return CATS_SEL_LATENCY;
	if (a->dv > r->max_latency_var)
		return (a->unmeasured & SEL_UM_DV) ? CATS_SEL_UNMEASURED :
		    CATS_SEL_LATENCY_VARIATION;
	if (a->loss > r->max_loss)
		return (a->unmeasured & SEL_UM_LOSS) ? CATS_SEL_UNMEASURED :
		    CATS_SEL_LOSS;
	if (a->comp > r->max_comp_latency)
		return CATS_SEL_COMP_LATENCY;
	if ((a->fmask & r->avoid) || (a->fany & r->with) != r->with)
		return CATS_SEL_AFFINITY;
	if ((a->rany & r->needs) != r->needs)
		return CATS_SEL_RESOURCES;
	return CATS_SEL_OK;
}

/* "No CATS sites available": say which requirement ruled out the most
 * instances that have metrics (ties: wire order); no-metrics only when no
 * instance has any.  Off the fast path: only on failure. */
static enum cats_sel_reason
diagnose(const struct sel_svc *s, uint32_t ingress, const struct cats_reqs *r)
{
	const struct sel_node *leaf = svc_nodes(s, ingress) + s->cap;
	uint32_t tally[CATS_SEL__COUNT] = { 0 };
	enum cats_sel_reason why = CATS_SEL_NO_METRICS;

	for (uint32_t p = 0; p < s->n; p++)
		tally[leaf_reason(&leaf[p], r)]++;
	for (int k = CATS_SEL_BANDWIDTH; k < CATS_SEL__COUNT; k++)
		if (tally[k] > (why == CATS_SEL_NO_METRICS ? 0 : tally[why]))
			why = (enum cats_sel_reason)k;
	return why;
}

static enum cats_sel_reason
decide(struct cats_sel *sel, const struct finder *f, uint32_t ingress,
    uint32_t service, const struct cats_reqs *r, uint64_t flow,
    uint64_t now_ms, struct cats_choice *out)
{
	struct sel_svc *s;
	struct sel_key pick;
	bool found;

	if (sel == NULL || r == NULL || out == NULL ||
	    ingress >= sel->cfg.max_ingresses ||
	    service >= sel->cfg.max_services)
		return CATS_SEL_BAD_ARG;
	s = &sel->svc[service];
	if (s->n == 0)
		return CATS_SEL_NO_INSTANCE;
	if (flow != 0 && flow_sticky(sel, ingress, service, r, flow, now_ms,
	    out))
		return CATS_SEL_OK;
	catch_up(sel, s, ingress);
	if (pol_ranked(sel->cfg.policy))
		found = pick_ranked(sel, f, s, ingress, r, &pick);
	else
		found = pick_unranked(sel, s, ingress, r, &pick);
	if (!found)
		return diagnose(s, ingress, r);
	choice_fill(sel, &pick, out, false);
	if (flow != 0)
		out->bound = flow_put(sel, flow, pick.id, now_ms);
	return CATS_SEL_OK;
}

enum cats_sel_reason
cats_sel_select(struct cats_sel *sel, uint32_t ingress, uint32_t service,
    const struct cats_reqs *r, uint64_t flow, uint64_t now_ms,
    struct cats_choice *out)
{
	return decide(sel, &by_index, ingress, service, r, flow, now_ms, out);
}

/* Same decision by a linear scan: the reference for tests and the bench. */
enum cats_sel_reason
cats_sel_select_scan(struct cats_sel *sel, uint32_t ingress, uint32_t service,
    const struct cats_reqs *r, uint64_t flow, uint64_t now_ms,
    struct cats_choice *out)
{
	return decide(sel, &by_scan, ingress, service, r, flow, now_ms, out);
}

/*
 * Transaction switching (mobility draft, figure 3) asks: is there an
 * instance better than the current one by the hysteresis margin?  A current
 * instance that no longer qualifies is always beaten by any that does.
 * Unranked policies never move a qualifying flow.
 */
bool
cats_sel_better(struct cats_sel *sel, uint32_t ingress, uint32_t service,
    const struct cats_reqs *r, uint32_t current, struct cats_choice *out)
{
	const struct sel_node *cur;
	struct sel_node best;
	double margin;

	if (sel == NULL || r == NULL || out == NULL ||
	    ingress >= sel->cfg.max_ingresses ||
	    service >= sel->cfg.max_services || sel->svc[service].n == 0)
		return false;
	catch_up(sel, &sel->svc[service], ingress);
	if (!idx_best(&sel->svc[service], ingress, r, &best))
		return false;
	if (!eligible(sel, ingress, service, r, current, &cur)) {
		choice_of_node(sel, &best, out, false);
		return true;
	}
	if (!pol_ranked(sel->cfg.policy) || best.id == current)
		return false;
	margin = sel->cfg.hyst_rel * fabs(cur->cost);
	if (margin < sel->cfg.hyst_abs)
		margin = sel->cfg.hyst_abs;
	if (!(best.cost < cur->cost - margin))
		return false;
	choice_of_node(sel, &best, out, false);
	return true;
}

/* From the current state rather than the tree, which may not have caught
 * up with the log yet (and this is a read-only call). */
bool
cats_sel_cost(const struct cats_sel *sel, uint32_t ingress, uint32_t id,
    double *cost)
{
	struct sel_node n;

	if (ingress >= sel->cfg.max_ingresses || id >= sel->cfg.max_instances ||
	    !sel->inst[id].present)
		return false;
	leaf_of(sel, id, ingress, &n);
	*cost = n.cost;
	return isfinite(n.cost);
}

/* ---- availability (site failure) ---- */

/* The instance's leaf changes in every ingress's tree: logged like a
 * compute change, each ingress catches up at its next decision. */
static void
down_set(struct cats_sel *sel, uint32_t id, uint8_t bit, bool up)
{
	struct sel_inst *in = &sel->inst[id];
	uint8_t was = in->down;

	in->down = up ? (uint8_t)(in->down & ~bit) : (uint8_t)(in->down | bit);
	if ((was != 0) != (in->down != 0))
		log_instance(sel, id);
}

size_t
cats_sel_set_egress_up(struct cats_sel *sel, uint32_t egress, bool up)
{
	size_t k = 0;

	if (sel == NULL || egress >= sel->cfg.max_egresses)
		return 0;
	for (uint32_t i = sel->egress_head[egress]; i != NONE32;
	    i = sel->inst[i].next_on_egress, k++)
		down_set(sel, i, SEL_DOWN_EGRESS, up);
	return k;
}

enum cats_sel_err
cats_sel_set_instance_up(struct cats_sel *sel, uint32_t id, bool up)
{
	if (sel == NULL || id >= sel->cfg.max_instances)
		return CATS_SERR_RANGE;
	if (!sel->inst[id].present)
		return CATS_SERR_NOT_FOUND;
	down_set(sel, id, SEL_DOWN_SELF, up);
	return CATS_SERR_OK;
}

bool
cats_sel_available(const struct cats_sel *sel, uint32_t id)
{
	return sel != NULL && id < sel->cfg.max_instances &&
	    sel->inst[id].present && sel->inst[id].down == 0;
}
