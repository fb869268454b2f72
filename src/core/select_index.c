/*
 * select_index: per-(ingress, service) tournament trees, and the plain scan
 * that must give the same answers (tests and bench/bench_select.c check it).
 *
 * The tree is an implicit binary heap of 2 * cap nodes: leaves at
 * [cap, 2 * cap), node i has children 2i and 2i + 1, the root is 1.  Each
 * inner node holds the best (cost, id) key below it and bounds on the
 * requirement fields (struct sel_node).  Searches are depth-first, better
 * child first, and prune a subtree whose best key cannot improve on what is
 * already found or whose bounds show that no leaf meets the requirements.
 */
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
	n->pad = 0;
	n->fmask = UINT64_MAX;
}

static void
pull(struct sel_node *node, uint32_t i)
{
	const struct sel_node *la = &node[2 * i], *ra = &node[2 * i + 1];
	const struct sel_node *b =
	    node_less(ra->cost, ra->id, la->cost, la->id) ? ra : la;
	struct sel_node *a = &node[i];

	a->cost = b->cost;
	a->id = b->id;
	a->pos = b->pos;
	a->bw = la->bw > ra->bw ? la->bw : ra->bw;
	a->owd = la->owd < ra->owd ? la->owd : ra->owd;
	a->dv = la->dv < ra->dv ? la->dv : ra->dv;
	a->loss = la->loss < ra->loss ? la->loss : ra->loss;
	a->comp = la->comp < ra->comp ? la->comp : ra->comp;
	a->fmask = la->fmask & ra->fmask;
}

/* Set one leaf and repair the path to the root: O(log n). */
void
idx_set(struct sel_svc *s, uint32_t ingress, uint32_t pos,
    const struct sel_node *n)
{
	struct sel_node *node = svc_nodes(s, ingress);
	uint32_t i = s->cap + pos;

	node[i] = *n;
	for (i >>= 1; i >= 1; i >>= 1)
		pull(node, i);
	s->ver[ingress]++;
}

/* Recompute every inner node from the leaves (after a resize). */
void
idx_build(struct sel_svc *s, uint32_t ingress)
{
	struct sel_node *node = svc_nodes(s, ingress);

	for (uint32_t i = s->cap - 1; i >= 1; i--)
		pull(node, i);
	s->ver[ingress]++;
}

bool
reqs_trivial(const struct cats_reqs *r)
{
	return r->min_bw == 0 && r->max_latency == CATS_REQ_NONE &&
	    r->max_latency_var == CATS_REQ_NONE &&
	    r->max_loss == CATS_REQ_NONE &&
	    r->max_comp_latency == CATS_REQ_NONE && r->avoid == 0;
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

/*
 * The near-best set when there are no requirements depends only on the
 * tree, so it is kept until the tree changes: between two metric updates
 * every such decision reuses it in O(1).  thr must be derived from the
 * tree alone (the best cost and the configuration), as in select.c.
 */
const struct sel_node *
idx_near_memo(struct sel_svc *s, uint32_t ingress, double thr, uint32_t k,
    uint32_t *n)
{
	static const struct cats_reqs none = {
		0, NONE32, NONE32, NONE32, NONE32, 0
	};
	struct sel_node *c = s->memo + (size_t)ingress * CATS_SEL_HERD_MAX;

	if (s->memo_ver[ingress] != s->ver[ingress] + 1) {
		s->memo_n[ingress] = idx_near(s, ingress, &none, thr, c, k);
		s->memo_ver[ingress] = s->ver[ingress] + 1;
	}
	*n = s->memo_n[ingress];
	return c;
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
