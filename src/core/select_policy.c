/*
 * select_policy: the ranking policies, one table.  A ranked policy is a
 * cost of an instance seen from an ingress (lower is better), computed when
 * a metric changes and kept in the index; the unranked baselines (round-
 * robin, random) pick by their own rule in select.c over the same
 * eligibility test.  docs/selection.md gives the formulas.
 */
#include <string.h>

#include "select_int.h"

typedef double cost_fn(const struct cats_sel_cfg *, const struct sel_inst *,
    const struct sel_net *);

static double
owd_ns(const struct sel_net *n)
{
	return n->m.m[CATS_M_OWD - CATS_M_NETWORK_FIRST].value;
}

/* Predicted response time: the request and its answer each cross the path
 * once, and the instance adds its M/M/c response time. */
static double
cost_response_time(const struct cats_sel_cfg *c, const struct sel_inst *i,
    const struct sel_net *n)
{
	(void)c;
	return 2 * owd_ns(n) + i->resp_ns;
}

static void
l1_scores(const struct cats_sel_cfg *c, const struct sel_inst *i,
    const struct sel_net *n, double l1[CATS_L1__COUNT])
{
	l1[CATS_L1_COMPUTING] = i->l1_comp;
	l1[CATS_L1_COMMUNICATION] = n->l1_comm;
	l1[CATS_L1_SERVICE] = i->l1_serv;
	l1[CATS_L1_COMPOSED] = cats_l1_composed(&c->metric,
	    2 * owd_ns(n) + i->resp_ns);
}

/* Weighted L1 composition with the C-PS's own weights. */
static double
cost_l1(const struct cats_sel_cfg *c, const struct sel_inst *i,
    const struct sel_net *n)
{
	double l1[CATS_L1__COUNT], sum = 0, wsum = 0;

	l1_scores(c, i, n, l1);
	for (int k = 0; k < CATS_L1__COUNT; k++) {
		sum += c->l1_weight[k] * l1[k];
		wsum += c->l1_weight[k];
	}
	return 10 - sum / wsum;
}

/* The single L2 score of the metric model (its own weights). */
static double
cost_l2(const struct cats_sel_cfg *c, const struct sel_inst *i,
    const struct sel_net *n)
{
	double l1[CATS_L1__COUNT];

	l1_scores(c, i, n, l1);
	return 10 - cats_l2(&c->metric, l1);
}

static double
cost_nearest(const struct cats_sel_cfg *c, const struct sel_inst *i,
    const struct sel_net *n)
{
	(void)c;
	(void)i;
	return owd_ns(n);
}

static double
cost_least_loaded(const struct cats_sel_cfg *c, const struct sel_inst *i,
    const struct sel_net *n)
{
	(void)c;
	(void)n;
	return i->m.m[CATS_M_UTIL - CATS_M_COMPUTE_FIRST].value;
}

static const struct policy {
	const char	*name;
	cost_fn		*cost;		/* NULL: unranked */
} policies[CATS_POL__COUNT] = {
	[CATS_POL_RESPONSE_TIME] = { "response-time", cost_response_time },
	[CATS_POL_L1]            = { "l1", cost_l1 },
	[CATS_POL_L2]            = { "l2", cost_l2 },
	[CATS_POL_NEAREST]       = { "nearest", cost_nearest },
	[CATS_POL_ROUND_ROBIN]   = { "round-robin", NULL },
	[CATS_POL_RANDOM]        = { "random", NULL },
	[CATS_POL_LEAST_LOADED]  = { "least-loaded", cost_least_loaded },
};

const char *
cats_policy_name(enum cats_policy p)
{
	if ((unsigned)p >= CATS_POL__COUNT)
		return "?";
	return policies[p].name;
}

int
cats_policy_from_name(const char *name)
{
	for (int p = 0; p < CATS_POL__COUNT; p++)
		if (strcmp(policies[p].name, name) == 0)
			return p;
	return -1;
}

bool
pol_ranked(enum cats_policy p)
{
	return policies[p].cost != NULL;
}

/* Unranked policies still keep every leaf at cost 0 so that the index
 * answers "is anything eligible" the same way for all policies. */
double
pol_cost(const struct cats_sel_cfg *c, const struct sel_inst *i,
    const struct sel_net *n)
{
	double v;

	if (policies[c->policy].cost == NULL)
		return 0;
	v = policies[c->policy].cost(c, i, n);
	/* A finite cost marks a leaf with metrics; keep it finite. */
	return isfinite(v) ? v : CATS_RESP_SATURATED * 4;
}
