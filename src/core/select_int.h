/*
 * select internals shared by select.c (API, state, affinity, the log of
 * compute changes), select_index.c (the per-(ingress, service) tournament
 * trees, the decision cache and the reference scan) and select_policy.c (the policy table).  Not installed.
 */
#ifndef CATS_SELECT_INT_H
#define CATS_SELECT_INT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "cats/select.h"

#define NONE32	UINT32_MAX

/*
 * One node of a tournament tree.  A leaf holds its instance's ranking key
 * (cost, CIS-ID), ordered lexicographically so that ties go to the lower
 * id, and its requirement fields in the wire option's units, rounded so
 * that an integer comparison with a requirement is exact (maxima rounded
 * up, bandwidth down, all saturated to 32 bits).  An inner node holds the
 * best key below it and bounds over its leaves: the best of each field,
 * the AND and the OR of the function masks and the OR of the resource
 * masks, so that a subtree none of whose leaves can qualify is skipped.  Key and bounds share one node so that a visit
 * touches one cache line, not two.
 */
struct sel_node {
	double		cost;	/* INFINITY: no leaf with metrics below */
	uint32_t	id;
	uint32_t	pos;	/* leaf position in the service */
	uint32_t	bw;
	uint32_t	owd;
	uint32_t	dv;
	uint32_t	loss;
	uint32_t	comp;
	uint32_t	unmeasured;	/* leaf: SEL_UM_* of metrics never received */
	uint64_t	fmask;		/* AND of the leaves' functions */
	uint64_t	fany;		/* OR of the leaves' functions */
	uint64_t	rany;		/* OR of the leaves' resources */
};

/* sel_node.unmeasured: a bounded network metric never received. */
#define SEL_UM_BW	1u
#define SEL_UM_DV	2u
#define SEL_UM_LOSS	4u
#define SEL_UM_DOWN	8u	/* not a metric: the instance is unavailable
				 * (its leaf has no cost, like one without
				 * metrics, and says why) */

struct sel_inst {
	bool			present;
	bool			has_metrics;	/* utilisation and delay known */
	uint32_t		service;
	uint32_t		egress;
	uint32_t		pos;		/* in its service's array */
	uint32_t		gen;		/* bumps on remove */
	uint32_t		next_on_egress;
	uint32_t		servers;
	uint8_t			down;		/* SEL_DOWN_* */
	uint64_t		ts_ms;
	uint64_t		logged;		/* 1 + its last log entry, 0 none */
	uint64_t		fmask;		/* co-located functions */
	uint64_t		rmask;		/* its computing resources */
	struct cats_l0_set	m;
	double			resp_ns;	/* M/M/c prediction */
	double			spare;		/* requests/s free */
	double			l1_comp, l1_serv;
};

/* sel_inst.down: who says it is unavailable. */
#define SEL_DOWN_EGRESS		1u	/* its egress (cats_sel_set_egress_up) */
#define SEL_DOWN_SELF		2u	/* itself (cats_sel_set_instance_up) */

struct sel_net {
	struct cats_l0_set	m;
	uint64_t		ts_ms;
	double			l1_comm;
	bool			valid;		/* one-way delay known */
};

/* A ranking key: what a decision returns and a cache holds. */
struct sel_key {
	double		cost;
	uint32_t	id;
	uint32_t	pad;
};

/*
 * One cached answer for (ingress, service, requirements): the up to k best
 * qualifying leaves with cost <= thr, thr derived from the best alone (the
 * herding threshold; the best's own cost without the guard, k = 1).  n == 0
 * caches "none qualifies".  A leaf change drops the slot only if it can
 * change the answer (idx_set), so most answers outlive most updates.
 */
struct sel_cslot {
	struct cats_reqs r;
	double		 thr;
	uint32_t	 n;
	bool		 used;
};

#define SEL_CSLOTS	8	/* requirement tuples cached per ingress */

/* A service: its instances and, per ingress, a tree of 2 * cap nodes. */
struct sel_svc {
	uint32_t	n, cap;
	uint32_t	*inst;		/* CIS-ID by position */
	struct sel_node	*node;		/* [ingress][2 * cap] */
	uint32_t	*rr;		/* round-robin cursor per ingress */
	/*
	 * Compute changes not yet applied to every ingress's tree: a ring
	 * of cap CIS-IDs, dhead entries logged so far; ingress g has
	 * applied those before dseen[g].  dcons is dhead when an ingress
	 * last caught up: an entry at or after it is unread by all.
	 */
	uint32_t	*dlog;		/* [cap] */
	uint64_t	*dseen;		/* [ingress] */
	uint64_t	 dhead;
	uint64_t	 dcons;
	/* Decision cache: SEL_CSLOTS slots of ck keys per ingress. */
	struct sel_cslot *cslot;	/* [ingress][SEL_CSLOTS] */
	struct sel_key	*ckey;		/* [ingress][SEL_CSLOTS][ck] */
	uint32_t	*cnext;		/* per ingress: the slot to reuse */
	uint32_t	 ck;
};

struct sel_flow {
	uint64_t	key;		/* 0: empty slot */
	uint64_t	expires_ms;
	uint32_t	inst;
	uint32_t	gen;
};

/* Names a requirement refers to by bit: the functions instances run, or
 * the computing resources they have (one table each, its limit given). */
#define SEL_NAMES_MAX	64	/* the bits of a mask */
_Static_assert(CATS_SEL_MAX_FUNCTIONS <= SEL_NAMES_MAX &&
    CATS_SEL_MAX_RESOURCES <= SEL_NAMES_MAX, "a name is one bit of 64");

struct sel_names {
	uint32_t	 n;
	char		 name[SEL_NAMES_MAX][CATS_SEL_FUNCTION_LEN];
};

struct cats_sel {
	struct cats_sel_cfg	 cfg;
	struct sel_inst		*inst;		/* [max_instances] */
	struct sel_svc		*svc;		/* [max_services] */
	struct sel_net		*net;		/* [ingress][egress] */
	uint32_t		*egress_head;	/* first instance per egress */
	struct sel_flow		*flows;
	uint32_t		 flow_mask;
	uint32_t		 flow_count;
	struct sel_names	 func;		/* CATS_SEL_MAX_FUNCTIONS */
	struct sel_names	 res;		/* CATS_SEL_MAX_RESOURCES */
	uint64_t		 rng;
};

static inline bool
node_less(double ca, uint32_t ia, double cb, uint32_t ib)
{
	return ca < cb || (ca == cb && ia < ib);
}

static inline bool
agg_ok(const struct sel_node *a, const struct cats_reqs *r)
{
	return a->bw >= r->min_bw && a->owd <= r->max_latency &&
	    a->dv <= r->max_latency_var && a->loss <= r->max_loss &&
	    a->comp <= r->max_comp_latency && (a->fmask & r->avoid) == 0 &&
	    (a->fany & r->with) == r->with && (a->rany & r->needs) == r->needs;
}

static inline struct sel_node *
svc_nodes(const struct sel_svc *s, uint32_t ingress)
{
	return s->node + (size_t)ingress * 2 * s->cap;
}

/* select_index.c */
void		idx_empty(struct sel_node *);
void		idx_set(struct sel_svc *, uint32_t ingress, uint32_t pos,
		    const struct sel_node *);
void		idx_build(struct sel_svc *, uint32_t ingress);
bool		idx_best(const struct sel_svc *, uint32_t ingress,
		    const struct cats_reqs *, struct sel_node *);
uint32_t	idx_near(const struct sel_svc *, uint32_t ingress,
		    const struct cats_reqs *, double thr, struct sel_node *,
		    uint32_t k);
const struct sel_cslot *idx_cache_find(const struct sel_svc *,
		    uint32_t ingress, const struct cats_reqs *);
struct sel_cslot *idx_cache_claim(struct sel_svc *, uint32_t ingress,
		    const struct cats_reqs *);
struct sel_key	*idx_cache_keys(const struct sel_svc *, uint32_t ingress,
		    const struct sel_cslot *);
bool		scan_best(const struct sel_svc *, uint32_t ingress,
		    const struct cats_reqs *, struct sel_node *);
uint32_t	scan_near(const struct sel_svc *, uint32_t ingress,
		    const struct cats_reqs *, double thr, struct sel_node *,
		    uint32_t k);
bool		reqs_trivial(const struct cats_reqs *);

/* select_policy.c */
bool		pol_ranked(enum cats_policy);
double		pol_cost(const struct cats_sel_cfg *, const struct sel_inst *,
		    const struct sel_net *);

#endif
