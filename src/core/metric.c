/*
 * metric: L0 validation, L1/L2 normalization, the M/M/c compute model and
 * damping at the source.  See include/cats/metric.h and docs/selection.md.
 */
#include "cats/metric.h"
#include "cats/buf.h"

#include <math.h>
#include <string.h>

/* A day: longer windows are a unit mistake, not a measurement. */
#define WINDOW_MAX_MS	86400000u

/* Per-metric facts in one table (like BIRD's attribute table) rather than a
 * switch in every function.  Ranges are what a sane agent can report; a
 * value outside them is an error in the sender, not a bad site. */
static const struct mdesc {
	const char		*name;
	enum cats_metric_kind	 kind;
	double			 lo, hi;
} mdesc[CATS_M__COUNT] = {
	[CATS_M_UTIL]       = { "utilisation",      CATS_MK_COMPUTE, 0, 1 },
	[CATS_M_CAPACITY]   = { "capacity",         CATS_MK_COMPUTE, 0, 1e9 },
	[CATS_M_QUEUE]      = { "queue-length",     CATS_MK_COMPUTE, 0, 1e9 },
	[CATS_M_PROC_DELAY] = { "processing-delay", CATS_MK_COMPUTE, 0, 6e10 },
	[CATS_M_OWD]        = { "one-way-delay",    CATS_MK_NETWORK, 0, 1e10 },
	[CATS_M_DELAY_VAR]  = { "delay-variation",  CATS_MK_NETWORK, 0, 1e10 },
	[CATS_M_LOSS]       = { "loss",             CATS_MK_NETWORK, 0, 1e9 },
	[CATS_M_BANDWIDTH]  = { "bandwidth",        CATS_MK_NETWORK, 0, 1e13 },
};

static const char *const merr_name[CATS_MERR__COUNT] = {
	[CATS_MERR_OK]               = "ok",
	[CATS_MERR_UNKNOWN_METRIC]   = "unknown-metric",
	[CATS_MERR_WRONG_KIND]       = "wrong-kind",
	[CATS_MERR_BAD_STAT]         = "bad-statistic",
	[CATS_MERR_NOT_FINITE]       = "not-finite",
	[CATS_MERR_RANGE]            = "out-of-range",
	[CATS_MERR_BAD_WINDOW]       = "bad-window",
	[CATS_MERR_DUPLICATE]        = "duplicate",
	[CATS_MERR_EMPTY]            = "empty",
	[CATS_MERR_UNKNOWN_INSTANCE] = "unknown-instance",
	[CATS_MERR_UNKNOWN_INGRESS]  = "unknown-ingress",
	[CATS_MERR_UNKNOWN_EGRESS]   = "unknown-egress",
	[CATS_MERR_STALE]            = "stale",
};

static const char *const stat_name[CATS_STAT__COUNT] = {
	[CATS_STAT_CUR] = "cur", [CATS_STAT_MEAN] = "mean",
	[CATS_STAT_MIN] = "min", [CATS_STAT_MAX] = "max",
};

const char *
cats_metric_name(enum cats_metric_id id)
{
	if ((unsigned)id >= CATS_M__COUNT)
		return "?";
	return mdesc[id].name;
}

const char *
cats_metric_err_name(enum cats_metric_err e)
{
	if ((unsigned)e >= CATS_MERR__COUNT)
		return "?";
	return merr_name[e];
}

const char *
cats_stat_name(enum cats_stat s)
{
	if ((unsigned)s >= CATS_STAT__COUNT)
		return "?";
	return stat_name[s];
}

int
cats_metric_by_name(const char *name)
{
	for (unsigned i = 0; i < CATS_M__COUNT; i++)
		if (strcmp(mdesc[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
cats_stat_by_name(const char *name)
{
	for (unsigned i = 0; i < CATS_STAT__COUNT; i++)
		if (strcmp(stat_name[i], name) == 0)
			return (int)i;
	return -1;
}

enum cats_metric_kind
cats_metric_kind_of(enum cats_metric_id id)
{
	return id < CATS_M_NETWORK_FIRST ? CATS_MK_COMPUTE : CATS_MK_NETWORK;
}

void
cats_metric_range(enum cats_metric_id id, double *lo, double *hi)
{
	*lo = (unsigned)id < CATS_M__COUNT ? mdesc[id].lo : 0;
	*hi = (unsigned)id < CATS_M__COUNT ? mdesc[id].hi : -1;
}

static unsigned
kind_first(enum cats_metric_kind k)
{
	return k == CATS_MK_COMPUTE ? CATS_M_COMPUTE_FIRST :
	    CATS_M_NETWORK_FIRST;
}

enum cats_metric_err
cats_sample_check(const struct cats_sample *s, enum cats_metric_kind want)
{
	if ((unsigned)s->id >= CATS_M__COUNT)
		return CATS_MERR_UNKNOWN_METRIC;
	if (mdesc[s->id].kind != want)
		return CATS_MERR_WRONG_KIND;
	if ((unsigned)s->stat >= CATS_STAT__COUNT)
		return CATS_MERR_BAD_STAT;
	if (!isfinite(s->value))
		return CATS_MERR_NOT_FINITE;
	if (s->value < mdesc[s->id].lo || s->value > mdesc[s->id].hi)
		return CATS_MERR_RANGE;
	/* A mean, min or max is only meaningful over some window. */
	if (s->window_ms > WINDOW_MAX_MS ||
	    (s->stat != CATS_STAT_CUR && s->window_ms == 0))
		return CATS_MERR_BAD_WINDOW;
	return CATS_MERR_OK;
}

/* Check a whole update before any of it is applied, so that a refused
 * update changes nothing. */
enum cats_metric_err
cats_samples_check(const struct cats_sample *s, size_t n,
    enum cats_metric_kind want)
{
	uint32_t seen = 0;

	if (s == NULL || n == 0)
		return CATS_MERR_EMPTY;
	for (size_t i = 0; i < n; i++) {
		enum cats_metric_err e = cats_sample_check(&s[i], want);

		if (e != CATS_MERR_OK)
			return e;
		if (seen & (1u << s[i].id))
			return CATS_MERR_DUPLICATE;
		seen |= 1u << s[i].id;
	}
	return CATS_MERR_OK;
}

bool
cats_sample_read(struct cur *c, struct cats_sample *s)
{
	uint8_t id, stat;
	uint64_t bits;

	if (cur_left(c) < CATS_SAMPLE_WIRE_LEN)
		return false;
	cur_u8(c, &id);
	cur_u8(c, &stat);
	cur_u32(c, &s->window_ms);
	cur_u64(c, &bits);
	if (id >= CATS_M__COUNT)
		return false;
	s->id = (enum cats_metric_id)id;
	s->stat = (enum cats_stat)stat;
	memcpy(&s->value, &bits, sizeof(bits));
	return cats_sample_check(s, cats_metric_kind_of(s->id)) == CATS_MERR_OK;
}

void
cats_sample_write(struct wbuf *w, const struct cats_sample *s)
{
	uint64_t bits;

	memcpy(&bits, &s->value, sizeof(bits));
	wb_u8(w, (uint8_t)s->id);
	wb_u8(w, (uint8_t)s->stat);
	wb_u32(w, s->window_ms);
	wb_u64(w, bits);
}

/* Samples must have passed cats_samples_check for the set's kind. */
void
cats_l0_apply(struct cats_l0_set *set, const struct cats_sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned k = (unsigned)s[i].id -
		    kind_first(cats_metric_kind_of(s[i].id));
		struct cats_l0 *m = &set->m[k];

		m->value = s[i].value;
		m->window_ms = s[i].window_ms;
		m->stat = (uint8_t)s[i].stat;
		m->present = true;
	}
}

static void
norm_set(struct cats_norm *n, enum cats_norm_fn fn, bool higher_better,
    double a, double b)
{
	memset(n, 0, sizeof(*n));
	n->fn = fn;
	n->higher_better = higher_better;
	if (fn == CATS_NORM_MINMAX) {
		n->lo = a;
		n->hi = b;
	} else {
		n->mid = a;
		n->scale = b;
	}
}

/*
 * Defaults, stated so that a run can be reproduced (docs/selection.md has
 * the table): latency-like metrics use a sigmoid centred on a value an
 * interactive edge service tolerates; bounded ones use min-max.
 */
void
cats_metric_cfg_default(struct cats_metric_cfg *c)
{
	memset(c, 0, sizeof(*c));
	norm_set(&c->norm[CATS_M_UTIL], CATS_NORM_MINMAX, false, 0, 1);
	norm_set(&c->norm[CATS_M_CAPACITY], CATS_NORM_SIGMOID, true, 1000, 500);
	norm_set(&c->norm[CATS_M_QUEUE], CATS_NORM_SIGMOID, false, 50, 20);
	norm_set(&c->norm[CATS_M_PROC_DELAY], CATS_NORM_SIGMOID, false,
	    20e6, 10e6);
	norm_set(&c->norm[CATS_M_OWD], CATS_NORM_MINMAX, false, 0, 100e6);
	norm_set(&c->norm[CATS_M_DELAY_VAR], CATS_NORM_MINMAX, false, 0, 20e6);
	norm_set(&c->norm[CATS_M_LOSS], CATS_NORM_SIGMOID, false, 10e6, 5e6);
	norm_set(&c->norm[CATS_M_BANDWIDTH], CATS_NORM_MINMAX, true, 0, 1.25e9);
	norm_set(&c->service, CATS_NORM_SIGMOID, false, 50e6, 20e6);
	norm_set(&c->composed, CATS_NORM_SIGMOID, false, 100e6, 40e6);
	for (int i = 0; i < CATS_M__COUNT; i++)
		c->w0[i] = 1;
	for (int i = 0; i < CATS_L1__COUNT; i++)
		c->w2[i] = 1;
}

bool
cats_norm_valid(const struct cats_norm *n)
{
	if (n->fn == CATS_NORM_MINMAX)
		return isfinite(n->lo) && isfinite(n->hi) && n->hi > n->lo;
	if (n->fn == CATS_NORM_SIGMOID)
		return isfinite(n->mid) && isfinite(n->scale) && n->scale > 0;
	return false;
}

static bool
weights_valid(const double *w, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(w[i]) || w[i] < 0)
			return false;
		sum += w[i];
	}
	return sum > 0;
}

bool
cats_metric_cfg_valid(const struct cats_metric_cfg *c)
{
	for (int i = 0; i < CATS_M__COUNT; i++)
		if (!cats_norm_valid(&c->norm[i]))
			return false;
	return cats_norm_valid(&c->service) && cats_norm_valid(&c->composed) &&
	    weights_valid(c->w0, CATS_M_PER_KIND) &&
	    weights_valid(c->w0 + CATS_M_NETWORK_FIRST, CATS_M_PER_KIND) &&
	    weights_valid(c->w2, CATS_L1__COUNT);
}

double
cats_norm_apply(const struct cats_norm *n, double x)
{
	double s;

	if (n->fn == CATS_NORM_MINMAX) {
		s = (x - n->lo) / (n->hi - n->lo);
		s = s < 0 ? 0 : s > 1 ? 1 : s;
	} else {
		s = 1 / (1 + exp((x - n->mid) / n->scale));
		s = 1 - s;	/* rises with x, like min-max */
	}
	return 10 * (n->higher_better ? s : 1 - s);
}

/*
 * Erlang C: probability that an arrival waits, for c servers offered
 * a = c * rho Erlangs.  Built from the Erlang B recursion, which is stable
 * for large c where the textbook factorial form overflows.
 */
static double
erlang_c(uint32_t c, double rho)
{
	double a = rho * c, b = 1;

	for (uint32_t k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	return b / (1 - rho * (1 - b));
}

/*
 * Predicted compute response time R = W + S of an M/M/c station: c servers,
 * mean service time S (processing delay), utilisation rho.
 *   W_model = C(c, c*rho) * S / (c * (1 - rho))
 *   W_queue = Q * S / c            (Little: the reported queue drains at c/S)
 *   R       = S + max(W_model, W_queue), saturated at CATS_RESP_SATURATED
 * The queue term catches a burst that a windowed utilisation hides.
 */
double
cats_mmc_response_ns(const struct cats_l0_set *m, uint32_t servers)
{
	double rho = m->m[CATS_M_UTIL].value;
	double s = m->m[CATS_M_PROC_DELAY].value;
	double q = m->m[CATS_M_QUEUE].present ? m->m[CATS_M_QUEUE].value : 0;
	double c = servers ? servers : 1;
	double w, wq, r;

	if (rho >= 1)
		return CATS_RESP_SATURATED;
	w = erlang_c(servers ? servers : 1, rho) * s / (c * (1 - rho));
	wq = q * s / c;
	r = s + (w > wq ? w : wq);
	return r < CATS_RESP_SATURATED ? r : CATS_RESP_SATURATED;
}

/* Requests/s still free: capacity * (1 - rho).  The herding guard spreads
 * new clients in proportion to it. */
double
cats_spare_capacity(const struct cats_l0_set *m)
{
	double rho = m->m[CATS_M_UTIL].value;

	if (!m->m[CATS_M_CAPACITY].present || rho >= 1)
		return 0;
	return m->m[CATS_M_CAPACITY].value * (1 - rho);
}

/* Weighted mean of the normalized metrics of one kind.  A metric never
 * received scores 0: unknown is not good. */
static double
l1_of_kind(const struct cats_metric_cfg *c, const struct cats_l0_set *m,
    unsigned first)
{
	double sum = 0, wsum = 0;

	for (unsigned k = 0; k < CATS_M_PER_KIND; k++) {
		double w = c->w0[first + k];

		wsum += w;
		if (m->m[k].present)
			sum += w * cats_norm_apply(&c->norm[first + k],
			    m->m[k].value);
	}
	return wsum > 0 ? sum / wsum : 0;
}

double
cats_l1_computing(const struct cats_metric_cfg *c, const struct cats_l0_set *m)
{
	return l1_of_kind(c, m, CATS_M_COMPUTE_FIRST);
}

double
cats_l1_communication(const struct cats_metric_cfg *c,
    const struct cats_l0_set *m)
{
	return l1_of_kind(c, m, CATS_M_NETWORK_FIRST);
}

double
cats_l1_service(const struct cats_metric_cfg *c, double resp_ns)
{
	return cats_norm_apply(&c->service, resp_ns);
}

double
cats_l1_composed(const struct cats_metric_cfg *c, double e2e_ns)
{
	return cats_norm_apply(&c->composed, e2e_ns);
}

double
cats_l2(const struct cats_metric_cfg *c, const double l1[CATS_L1__COUNT])
{
	double sum = 0, wsum = 0;

	for (int i = 0; i < CATS_L1__COUNT; i++) {
		sum += c->w2[i] * l1[i];
		wsum += c->w2[i];
	}
	return wsum > 0 ? sum / wsum : 0;
}

void
cats_damp_cfg_default(struct cats_damp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->rel = 0.10;
	c->abs[CATS_M_UTIL] = 0.05;
	c->abs[CATS_M_CAPACITY] = 1;
	c->abs[CATS_M_QUEUE] = 1;
	c->abs[CATS_M_PROC_DELAY] = 100e3;
	c->abs[CATS_M_OWD] = 100e3;
	c->abs[CATS_M_DELAY_VAR] = 50e3;
	c->abs[CATS_M_LOSS] = 100e3;
	c->abs[CATS_M_BANDWIDTH] = 125e3;
	/* draft-dcn-dmm-cats-mup section 3: "at least 30 seconds". */
	c->max_interval_ms = 30000;
}

void
cats_damp_init(struct cats_damp *d)
{
	memset(d, 0, sizeof(*d));
}

/* Has the sample moved enough, or is its refresh due? */
static bool
damp_due(const struct cats_damp_cfg *c, const struct cats_damp *d,
    const struct cats_sample *s, uint64_t now_ms)
{
	double last = d->last[s->id], thr = c->rel * fabs(last);

	if (!(d->sent & (1u << s->id)))
		return true;
	if (thr < c->abs[s->id])
		thr = c->abs[s->id];
	return fabs(s->value - last) > thr ||
	    now_ms - d->last_ms[s->id] >= c->max_interval_ms ||
	    now_ms < d->last_ms[s->id];
}

/*
 * Should this sample be advertised now?  Yes the first time, when it moved
 * by more than the threshold since the last advertisement, or when the
 * refresh interval ran out; but not within min_interval_ms of the source's
 * previous advertisement (then it is held).  On yes the state records it
 * as advertised.  A sample that fails cats_sample_check of its own kind is
 * never sent.
 */
bool
cats_damp_offer(const struct cats_damp_cfg *c, struct cats_damp *d,
    const struct cats_sample *s, uint64_t now_ms)
{
	uint32_t bit;

	if (cats_sample_check(s, cats_metric_kind_of(s->id)) != CATS_MERR_OK)
		return false;
	bit = 1u << s->id;
	if (!damp_due(c, d, s, now_ms)) {
		d->held &= ~bit;	/* back within the threshold */
		return false;
	}
	if (c->min_interval_ms > 0 && d->sent != 0 &&
	    now_ms >= d->last_any_ms &&
	    now_ms - d->last_any_ms < c->min_interval_ms) {
		d->held |= bit;
		return false;
	}
	d->sent |= bit;
	d->held &= ~bit;
	d->last[s->id] = s->value;
	d->last_ms[s->id] = now_ms;
	d->last_any_ms = now_ms;
	return true;
}

uint64_t
cats_damp_next(const struct cats_damp_cfg *c, const struct cats_damp *d)
{
	if (d->held == 0)
		return 0;
	return d->last_any_ms + c->min_interval_ms;
}
