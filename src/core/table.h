/*
 * table: an open-addressing hash table of fixed-size entries, keyed by
 * their first key_len octets.  The roles keep their sessions and bindings
 * here: one allocation, no per-entry malloc, so a million sessions cost
 * their entry size over the load factor and nothing else.
 */
#ifndef CATS_TABLE_H
#define CATS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct table {
	uint8_t		*slots;		/* cap entries of esize octets */
	uint8_t		*used;		/* per slot: 0 free, 1 used, 2 deleted */
	size_t		 esize;
	size_t		 key_len;
	size_t		 cap;		/* power of two */
	size_t		 n;		/* used */
	size_t		 tomb;		/* deleted */
	size_t		 max;		/* refuse to grow past this many entries */
};

bool	 table_init(struct table *, size_t esize, size_t key_len, size_t max);
void	 table_free(struct table *);
void	*table_get(const struct table *, const void *key);
/* The entry for key, created zeroed (but for the key) if absent; NULL when
 * the table is full or out of memory. */
void	*table_put(struct table *, const void *key, bool *created);
void	 table_del(struct table *, void *entry);
/* Iterate: start with *pos = 0; NULL at the end.  Deleting the returned
 * entry while iterating is allowed. */
void	*table_next(const struct table *, size_t *pos);
size_t	 table_memory(const struct table *);



/*
 * slab: entries that keep their index for life, so that timers and pending
 * messages can name a session by index and generation while a table maps
 * its key to the index.  Index 0 is never used (0 means none).
 */
struct slab {
	uint8_t		*items;
	uint32_t	*gen;		/* bumped when an entry is freed */
	uint32_t	*free;		/* indices free for reuse */
	size_t		 esize;
	size_t		 cap;
	size_t		 next;		/* first index never used */
	size_t		 nfree;
	size_t		 n;		/* live entries */
};

bool	 slab_init(struct slab *, size_t esize);
void	 slab_free(struct slab *);
/* A zeroed entry's index, 0 when out of memory. */
uint32_t slab_alloc(struct slab *);
void	 slab_release(struct slab *, uint32_t idx);
void	*slab_at(const struct slab *, uint32_t idx);
uint32_t slab_gen(const struct slab *, uint32_t idx);
size_t	 slab_memory(const struct slab *);
#endif
