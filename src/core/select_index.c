/*
 * select_index: per-(ingress, service) tournament trees, the cache of their
 * answers per requirement tuple, and the plain scan that must give the same
 * answers (tests and bench/bench_select.c check it).
 *
 * The tree is an implicit binary heap of 2 * cap nodes: leaves at
 * [cap, 2 * cap), node i has children 2i and 2i + 1, the root is 1.  Each
 * inner node holds the best (cost, id) key below it and bounds on the
 * requirement fields (struct sel_node).  Searches are depth-first, better
 * child first, and prune a subtree whose best key cannot improve on what is
 * already found or whose bounds show that no leaf meets the requirements.
 *
 * A leaf change repairs its path only as far as an inner node changes, and
 * drops only the cached answers it can change (cache_keeps), so the cost of
 * an update is mostly a few nodes, not the tree's height.
 */
#include <string.h>

#include "select_int.h"

/* Enough for the deepest path plus one pending sibling per level. */
#define STACK_MAX	64

void
idx_empty(struct sel_node *n)
{
	n->cost = INFINITY;
	n->id = NONE32;
	n->pos = NONE32;
	/* Neutral for the merge: max of bw, min of the others, AND of masks. */
	n->bw = 0;
	n->owd = n->dv = n->loss = n->comp = NONE32;
	n->unmeasured = 0;
	n->fmask = UINT64_MAX;
	n->fany = 0;
	n->rany = 0;
}

/* Recompute inner node i from its children; false if it did not change,
 * in which case no ancestor changes either. */
static bool
pull(struct sel_node *node, uint32_t i)
{
	const struct sel_node *la = &node[2 * i], *ra = &node[2 * i + 1];
	const struct sel_node *b =
	    node_less(ra->cost, ra->id, la->cost, la->id) ? ra : la;
	struct sel_node a = node[i];

	a.cost = b->cost;
	a.id = b->id;
	a.pos = b->pos;
	a.bw = la->bw > ra->bw ? la->bw : ra->bw;
	a.owd = la->owd < ra->owd ? la->owd : ra->owd;
	a.dv = la->dv < ra->dv ? la->dv : ra->dv;
	a.loss = la->loss < ra->loss ? la->loss : ra->loss;
	a.comp = la->comp < ra->comp ? la->comp : ra->comp;
	a.fmask = la->fmask & ra->fmask;
	a.fany = la->fany | ra->fany;
	a.rany = la->rany | ra->rany;
	if (memcmp(&a, &node[i], sizeof(a)) == 0)
		return false;
	node[i] = a;
	return true;
}

static struct sel_cslot *
cslots(const struct sel_svc *s, uint32_t ingress)
{
	return s->cslot + (size_t)ingress * SEL_CSLOTS;
}

struct sel_key *
idx_cache_keys(const struct sel_svc *s, uint32_t ingress,
    const struct sel_cslot *c)
{
	size_t slot = (size_t)(c - cslots(s, ingress));

	return s->ckey + ((size_t)ingress * SEL_CSLOTS + slot) * s->ck;
}

static bool
key_in(const struct sel_key *k, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (k[i].id == id)
			return true;
	return false;
}

/*
 * Does the answer c stand after one leaf changes from o to nw?  Taking o
 * out changes nothing if o was not in the answer (the best, hence thr,
 * stays).  Putting nw in changes nothing if nw does not qualify, or ranks
 * after thr (then after the best too: thr >= its cost), or after the last
 * of a full list.  Otherwise the slot must be recomputed.
 */
static bool
cache_keeps(const struct sel_cslot *c, const struct sel_key *k, uint32_t ck,
    const struct sel_node *o, const struct sel_node *nw)
{
	if (o->id != NONE32 && key_in(k, c->n, o->id))
		return false;
	if (!isfinite(nw->cost) || !agg_ok(nw, &c->r))
		return true;
	if (c->n == 0)
		return false;
	if (nw->cost > c->thr)
		return true;
	return c->n == ck &&
	    !node_less(nw->cost, nw->id, k[ck - 1].cost, k[ck - 1].id);
}

static void
cache_leaf_changed(struct sel_svc *s, uint32_t ingress,
    const struct sel_node *o, const struct sel_node *nw)
{
	struct sel_cslot *c = cslots(s, ingress);

	for (uint32_t i = 0; i < SEL_CSLOTS; i++)
		if (c[i].used && !cache_keeps(&c[i],
		    idx_cache_keys(s, ingress, &c[i]), s->ck, o, nw))
			c[i].used = false;
}

static void
cache_clear(struct sel_svc *s, uint32_t ingress)
{
	struct sel_cslot *c = cslots(s, ingress);

	for (uint32_t i = 0; i < SEL_CSLOTS; i++)
		c[i].used = false;
}

/* Set one leaf and repair the path to the root, stopping at the first
 * inner node that stays as it was: O(log n) at worst. */
void
idx_set(struct sel_svc *s, uint32_t ingress, uint32_t pos,
    const struct sel_node *n)
{
	struct sel_node *node = svc_nodes(s, ingress);
	uint32_t i = s->cap + pos;

	cache_leaf_changed(s, ingress, &node[i], n);
	node[i] = *n;
	for (i >>= 1; i >= 1; i >>= 1)
		if (!pull(node, i))
			break;
}

/* Recompute every inner node from the leaves (after a resize or when an
 * ingress fell too far behind the log). */
void
idx_build(struct sel_svc *s, uint32_t ingress)
{
	struct sel_node *node = svc_nodes(s, ingress);

	for (uint32_t i = s->cap - 1; i >= 1; i--)
		pull(node, i);
	cache_clear(s, ingress);
}

bool
reqs_trivial(const struct cats_reqs *r)
{
	return r->min_bw == 0 && r->max_latency == CATS_REQ_NONE &&
	    r->max_latency_var == CATS_REQ_NONE &&
	    r->max_loss == CATS_REQ_NONE &&
	    r->max_comp_latency == CATS_REQ_NONE && r->avoid == 0 &&
	    r->with == 0 && r->needs == 0;
}

/* Push the two children of i so that the better one is popped first. */
static uint32_t
push_children(const struct sel_node *node, uint32_t *stack, uint32_t sp,
    uint32_t i)
{
	uint32_t l = 2 * i, r = l + 1;

	if (node_less(node[r].cost, node[r].id, node[l].cost, node[l].id)) {
		stack[sp++] = l;
		stack[sp++] = r;
	} else {
		stack[sp++] = r;
		stack[sp++] = l;
	}
	return sp;
}

/* Best leaf meeting the requirements.  Without requirements the root
 * already holds it: O(1). */
bool
idx_best(const struct sel_svc *s, uint32_t ingress, const struct cats_reqs *r,
    struct sel_node *best)
{
	const struct sel_node *node = svc_nodes(s, ingress);
	uint32_t stack[STACK_MAX], sp = 0;

	if (reqs_trivial(r)) {
		*best = node[1];
		return isfinite(best->cost);
	}
	best->cost = INFINITY;
	best->id = NONE32;
	stack[sp++] = 1;
	while (sp > 0) {
		uint32_t i = stack[--sp];

		if (!node_less(node[i].cost, node[i].id, best->cost, best->id))
			continue;
		if (!agg_ok(&node[i], r))
			continue;
		if (i >= s->cap)
			*best = node[i];
		else
			sp = push_children(node, stack, sp, i);
	}
	return isfinite(best->cost);
}

/* Insert x into the sorted array c of n <= k entries, keeping the k best. */
static uint32_t
cand_insert(struct sel_node *c, uint32_t n, uint32_t k,
    const struct sel_node *x)
{
	uint32_t i = n < k ? n : k - 1;

	if (n == k && !node_less(x->cost, x->id, c[k - 1].cost, c[k - 1].id))
		return n;
	while (i > 0 && node_less(x->cost, x->id, c[i - 1].cost, c[i - 1].id)) {
		c[i] = c[i - 1];
		i--;
	}
	c[i] = *x;
	return n < k ? n + 1 : n;
}

static bool
cand_full_and_worse(const struct sel_node *c, uint32_t n, uint32_t k,
    const struct sel_node *x)
{
	return n == k && !node_less(x->cost, x->id, c[k - 1].cost, c[k - 1].id);
}

/* Up to k best leaves meeting the requirements with cost <= thr, sorted by
 * key.  Visits O(k log n) nodes: a subtree is entered only if its best key
 * could still make the list. */
uint32_t
idx_near(const struct sel_svc *s, uint32_t ingress, const struct cats_reqs *r,
    double thr, struct sel_node *c, uint32_t k)
{
	const struct sel_node *node = svc_nodes(s, ingress);
	uint32_t stack[STACK_MAX], sp = 0, n = 0;

	if (k == 0)
		return 0;
	stack[sp++] = 1;
	while (sp > 0) {
		uint32_t i = stack[--sp];

		if (!(node[i].cost <= thr) ||
		    cand_full_and_worse(c, n, k, &node[i]) ||
		    !agg_ok(&node[i], r))
			continue;
		if (i >= s->cap)
			n = cand_insert(c, n, k, &node[i]);
		else
			sp = push_children(node, stack, sp, i);
	}
	return n;
}

static bool
reqs_equal(const struct cats_reqs *a, const struct cats_reqs *b)
{
	return a->min_bw == b->min_bw && a->max_latency == b->max_latency &&
	    a->max_latency_var == b->max_latency_var &&
	    a->max_loss == b->max_loss &&
	    a->max_comp_latency == b->max_comp_latency && a->avoid == b->avoid &&
	    a->with == b->with && a->needs == b->needs;
}

/* The cached answer for these requirements from this ingress, if any. */
const struct sel_cslot *
idx_cache_find(const struct sel_svc *s, uint32_t ingress,
    const struct cats_reqs *r)
{
	const struct sel_cslot *c = cslots(s, ingress);

	for (uint32_t i = 0; i < SEL_CSLOTS; i++)
		if (c[i].used && reqs_equal(&c[i].r, r))
			return &c[i];
	return NULL;
}

/* A slot for r, taken round-robin: unused, the caller fills its keys, n,
 * thr and sets used. */
struct sel_cslot *
idx_cache_claim(struct sel_svc *s, uint32_t ingress, const struct cats_reqs *r)
{
	struct sel_cslot *c = cslots(s, ingress);
	uint32_t i = s->cnext[ingress];

	s->cnext[ingress] = (i + 1) % SEL_CSLOTS;
	c[i].used = false;
	c[i].r = *r;
	return &c[i];
}

/*
 * The reference: a linear pass over the same leaves.  It reads the costs
 * the index holds, so the only difference from idx_* is the index itself.
 */
bool
scan_best(const struct sel_svc *s, uint32_t ingress, const struct cats_reqs *r,
    struct sel_node *best)
{
	const struct sel_node *leaf = svc_nodes(s, ingress) + s->cap;

	best->cost = INFINITY;
	best->id = NONE32;
	for (uint32_t p = 0; p < s->n; p++) {
		if (!isfinite(leaf[p].cost) || !agg_ok(&leaf[p], r))
			continue;
		if (node_less(leaf[p].cost, leaf[p].id, best->cost, best->id))
			*best = leaf[p];
	}
	return isfinite(best->cost);
}

uint32_t
scan_near(const struct sel_svc *s, uint32_t ingress, const struct cats_reqs *r,
    double thr, struct sel_node *c, uint32_t k)
{
	const struct sel_node *leaf = svc_nodes(s, ingress) + s->cap;
	uint32_t n = 0;

	if (k == 0)
		return 0;
	for (uint32_t p = 0; p < s->n; p++) {
		if (!(leaf[p].cost <= thr) || !agg_ok(&leaf[p], r))
			continue;
		n = cand_insert(c, n, k, &leaf[p]);
	}
	return n;
}
