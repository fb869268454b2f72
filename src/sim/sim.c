/*
 * sim.c: the simulator's clockwork: the random generator and the event
 * queue.  Nothing here knows about CATS.
 */
#include <stdlib.h>
#include <string.h>

#include "cats/sim.h"

/* ---- splitmix64: tiny, fast, and every seed (even 0) is a good one ---- */

void
sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double
sim_rng_unit(struct sim_rng *r)
{
	/* 53 random bits: exactly representable, never 1.0 */
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

uint32_t
sim_rng_range(struct sim_rng *r, uint32_t lo, uint32_t hi)
{
	uint64_t span;

	if (hi <= lo)
		return lo;
	span = (uint64_t)hi - lo + 1;
	/* the modulo bias is below 2^-32 for these spans: fine for a sim */
	return lo + (uint32_t)(sim_rng_next(r) % span);
}

/* ---- 4-ary min-heap keyed by (at, seq) ---- */

struct sim_queue {
	struct sim_item	*v;
	size_t		 n, cap;
	uint64_t	 next_seq;
};

struct sim_queue *
sim_queue_new(void)
{
	return calloc(1, sizeof(struct sim_queue));
}

void
sim_queue_free(struct sim_queue *q, void (*drop)(struct sim_item *))
{
	if (q == NULL)
		return;
	for (size_t i = 0; drop != NULL && i < q->n; i++)
		drop(&q->v[i]);
	free(q->v);
	free(q);
}

static bool
before(const struct sim_item *x, const struct sim_item *y)
{
	if (x->at != y->at)
		return x->at < y->at;
	return x->seq < y->seq;
}

/*
 * A 4-ary heap: half the depth of a binary one, and a node's four children
 * share a cache line or two, which is what a pop at a million pending
 * events pays for.  Both sifts move a hole instead of swapping.
 */
#define ARITY	4

static void
sift_up(struct sim_queue *q, size_t i)
{
	struct sim_item it = q->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / ARITY;

		if (!before(&it, &q->v[parent]))
			break;
		q->v[i] = q->v[parent];
		i = parent;
	}
	q->v[i] = it;
}

static void
sift_down(struct sim_queue *q, size_t i)
{
	struct sim_item it = q->v[i];

	for (;;) {
		size_t first = ARITY * i + 1, m = first, end;

		if (first >= q->n)
			break;
		end = first + ARITY < q->n ? first + ARITY : q->n;
		for (size_t c = first + 1; c < end; c++)
			if (before(&q->v[c], &q->v[m]))
				m = c;
		if (!before(&q->v[m], &it))
			break;
		q->v[i] = q->v[m];
		i = m;
	}
	q->v[i] = it;
}

bool
sim_queue_push(struct sim_queue *q, const struct sim_item *it)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct sim_item *v = realloc(q->v, cap * sizeof(*v));

		if (v == NULL)
			return false;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n] = *it;
	q->v[q->n].seq = q->next_seq++;
	sift_up(q, q->n++);
	return true;
}

bool
sim_queue_pop(struct sim_queue *q, struct sim_item *out)
{
	if (q->n == 0)
		return false;
	*out = q->v[0];
	q->v[0] = q->v[--q->n];
	sift_down(q, 0);
	return true;
}

const struct sim_item *
sim_queue_peek(const struct sim_queue *q)
{
	return q->n > 0 ? &q->v[0] : NULL;
}

size_t
sim_queue_len(const struct sim_queue *q)
{
	return q->n;
}
