/*
 * table: open addressing with linear probing and tombstones; grows by
 * doubling at a load of one half, so a probe stays short.
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define T_FREE		0
#define T_USED		1
#define T_DELETED	2
#define T_MIN_CAP	16

/* FNV-1a, then a final mix so that addresses differing only in their last
 * octets spread over the whole table. */
static uint64_t
hash_key(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static uint8_t *
slot(const struct table *t, size_t i)
{
	return t->slots + i * t->esize;
}

static bool
table_alloc(struct table *t, size_t cap)
{
	t->slots = calloc(cap, t->esize);
	t->used = calloc(cap, 1);
	if (t->slots == NULL || t->used == NULL) {
		free(t->slots);
		free(t->used);
		return false;
	}
	t->cap = cap;
	t->n = 0;
	t->tomb = 0;
	return true;
}

bool
table_init(struct table *t, size_t esize, size_t key_len, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->esize = esize;
	t->key_len = key_len;
	t->max = max;
	return table_alloc(t, T_MIN_CAP);
}

void
table_free(struct table *t)
{
	free(t->slots);
	free(t->used);
	memset(t, 0, sizeof(*t));
}

/* The slot holding key, or (when absent) the first free or deleted slot of
 * its probe sequence. */
static size_t
probe(const struct table *t, const void *key, bool *found)
{
	size_t mask = t->cap - 1, i = hash_key(key, t->key_len) & mask;
	size_t first_del = SIZE_MAX;

	for (;; i = (i + 1) & mask) {
		if (t->used[i] == T_FREE) {
			*found = false;
			return first_del != SIZE_MAX ? first_del : i;
		}
		if (t->used[i] == T_DELETED) {
			if (first_del == SIZE_MAX)
				first_del = i;
			continue;
		}
		if (memcmp(slot(t, i), key, t->key_len) == 0) {
			*found = true;
			return i;
		}
	}
}

static bool
table_grow(struct table *t, size_t cap)
{
	struct table old = *t;
	bool found;
	size_t i, j;

	if (!table_alloc(t, cap)) {
		*t = old;
		return false;
	}
	for (i = 0; i < old.cap; i++) {
		if (old.used[i] != T_USED)
			continue;
		j = probe(t, old.slots + i * old.esize, &found);
		memcpy(slot(t, j), old.slots + i * old.esize, t->esize);
		t->used[j] = T_USED;
		t->n++;
	}
	free(old.slots);
	free(old.used);
	return true;
}

void *
table_get(const struct table *t, const void *key)
{
	bool found;
	size_t i = probe(t, key, &found);

	return found ? slot(t, i) : NULL;
}

void *
table_put(struct table *t, const void *key, bool *created)
{
	bool found;
	size_t i;

	*created = false;
	i = probe(t, key, &found);
	if (found)
		return slot(t, i);
	if (t->max != 0 && t->n >= t->max)
		return NULL;
	if ((t->n + t->tomb + 1) * 2 > t->cap) {
		if (!table_grow(t, (t->n + 1) * 2 > t->cap ? t->cap * 2 : t->cap))
			return NULL;
		i = probe(t, key, &found);
	}
	if (t->used[i] == T_DELETED)
		t->tomb--;
	memset(slot(t, i), 0, t->esize);
	memcpy(slot(t, i), key, t->key_len);
	t->used[i] = T_USED;
	t->n++;
	*created = true;
	return slot(t, i);
}

void
table_del(struct table *t, void *entry)
{
	size_t i;

	if (entry == NULL)
		return;
	i = (size_t)((uint8_t *)entry - t->slots) / t->esize;
	if (i >= t->cap || t->used[i] != T_USED)
		return;
	t->used[i] = T_DELETED;
	t->n--;
	t->tomb++;
}

void *
table_next(const struct table *t, size_t *pos)
{
	for (; *pos < t->cap; (*pos)++)
		if (t->used[*pos] == T_USED)
			return slot(t, (*pos)++);
	return NULL;
}

size_t
table_memory(const struct table *t)
{
	return t->cap * (t->esize + 1);
}

/* ------------------------------------------------------------------ */
/* slab                                                                */

bool
slab_init(struct slab *s, size_t esize)
{
	memset(s, 0, sizeof(*s));
	s->esize = esize;
	s->next = 1;
	return true;
}

void
slab_free(struct slab *s)
{
	free(s->items);
	free(s->gen);
	free(s->free);
	memset(s, 0, sizeof(*s));
}

static bool
slab_grow(struct slab *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	uint8_t *items = realloc(s->items, cap * s->esize);
	uint32_t *gen, *fr;

	if (items == NULL)
		return false;
	s->items = items;
	if ((gen = realloc(s->gen, cap * sizeof(*gen))) == NULL)
		return false;
	s->gen = gen;
	memset(gen + s->cap, 0, (cap - s->cap) * sizeof(*gen));
	if ((fr = realloc(s->free, cap * sizeof(*fr))) == NULL)
		return false;
	s->free = fr;
	s->cap = cap;
	return true;
}

uint32_t
slab_alloc(struct slab *s)
{
	uint32_t idx;

	if (s->nfree > 0) {
		idx = s->free[--s->nfree];
	} else {
		if (s->next >= UINT32_MAX)
			return 0;
		if (s->next >= s->cap && !slab_grow(s))
			return 0;
		idx = (uint32_t)s->next++;
	}
	memset(s->items + (size_t)idx * s->esize, 0, s->esize);
	s->n++;
	return idx;
}

void
slab_release(struct slab *s, uint32_t idx)
{
	if (idx == 0 || idx >= s->next)
		return;
	s->gen[idx]++;
	s->free[s->nfree++] = idx;
	s->n--;
}

void *
slab_at(const struct slab *s, uint32_t idx)
{
	return idx != 0 && idx < s->next ? s->items + (size_t)idx * s->esize : NULL;
}

uint32_t
slab_gen(const struct slab *s, uint32_t idx)
{
	return idx < s->next ? s->gen[idx] : 0;
}

size_t
slab_memory(const struct slab *s)
{
	return s->cap * (s->esize + 2 * sizeof(uint32_t));
}
