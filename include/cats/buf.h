/*
 * buf: the one bounded cursor API for reading and writing wire data.
 *
 * Every codec in cats reads through a struct cur and writes through a struct
 * wbuf; none indexes a packet pointer itself.  A reader that runs short fails
 * and sets a sticky error flag, so a sequence of reads can be checked once.
 * Each TLV is parsed from a sub-cursor limited to its length (cur_sub), so an
 * inner parser cannot read past its option; cur_done() then says whether it
 * consumed exactly what it was given.  Writers accumulate one error flag
 * (overflow) that the caller checks once at the end (wb_ok).
 *
 * The functions are inline: they sit on every decode path, and the decoder
 * is expected to run at tens of millions of messages a second.
 */
#ifndef CATS_BUF_H
#define CATS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t	*p;	/* start of this window */
	size_t		 len;	/* window length */
	size_t		 pos;	/* read position in the window */
	size_t		 base;	/* offset of p in the outermost buffer */
	bool		 err;	/* a read failed (sticky) */
};

struct wbuf {
	uint8_t		*p;
	size_t		 cap;
	size_t		 len;
	bool		 err;	/* a write did not fit (sticky) */
};

static inline void
cur_init(struct cur *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->pos = 0;
	c->base = 0;
	c->err = false;
}

static inline size_t
cur_left(const struct cur *c)
{
	return c->len - c->pos;
}

/* Offset of the read position in the outermost buffer, for error reports. */
static inline size_t
cur_off(const struct cur *c)
{
	return c->base + c->pos;
}

/* Everything consumed and no read failed. */
static inline bool
cur_done(const struct cur *c)
{
	return !c->err && c->pos == c->len;
}

static inline bool
cur_need(struct cur *c, size_t n)
{
	if (c->err || n > c->len - c->pos) {
		c->err = true;
		return false;
	}
	return true;
}

static inline bool
cur_u8(struct cur *c, uint8_t *v)
{
	if (!cur_need(c, 1)) {
		*v = 0;
		return false;
	}
	*v = c->p[c->pos++];
	return true;
}

static inline bool
cur_u16(struct cur *c, uint16_t *v)
{
	const uint8_t *q;

	if (!cur_need(c, 2)) {
		*v = 0;
		return false;
	}
	q = c->p + c->pos;
	*v = (uint16_t)(q[0] << 8 | q[1]);
	c->pos += 2;
	return true;
}

static inline bool
cur_u32(struct cur *c, uint32_t *v)
{
	const uint8_t *q;

	if (!cur_need(c, 4)) {
		*v = 0;
		return false;
	}
	q = c->p + c->pos;
	*v = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
	c->pos += 4;
	return true;
}

static inline bool
cur_u64(struct cur *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (!cur_need(c, 8)) {
		*v = 0;
		return false;
	}
	cur_u32(c, &hi);
	cur_u32(c, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

static inline bool
cur_bytes(struct cur *c, void *dst, size_t n)
{
	if (!cur_need(c, n)) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, c->p + c->pos, n);
	c->pos += n;
	return true;
}

/* A view of the next n bytes without copying; valid as long as the buffer. */
static inline bool
cur_view(struct cur *c, const uint8_t **v, size_t n)
{
	if (!cur_need(c, n)) {
		*v = NULL;
		return false;
	}
	*v = c->p + c->pos;
	c->pos += n;
	return true;
}

static inline bool
cur_skip(struct cur *c, size_t n)
{
	if (!cur_need(c, n))
		return false;
	c->pos += n;
	return true;
}

static inline bool
cur_peek_u8(const struct cur *c, uint8_t *v)
{
	if (c->err || c->pos >= c->len) {
		*v = 0;
		return false;
	}
	*v = c->p[c->pos];
	return true;
}

/* Split off the next n bytes as their own cursor and step over them. */
static inline bool
cur_sub(struct cur *c, size_t n, struct cur *sub)
{
	if (!cur_need(c, n)) {
		cur_init(sub, NULL, 0);
		sub->err = true;
		return false;
	}
	sub->p = c->p + c->pos;
	sub->len = n;
	sub->pos = 0;
	sub->base = c->base + c->pos;
	sub->err = false;
	c->pos += n;
	return true;
}

static inline void
wb_init(struct wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = false;
}

static inline bool
wb_ok(const struct wbuf *w)
{
	return !w->err;
}

/* Room for n more bytes; on overflow the flag is set and nothing written. */
static inline uint8_t *
wb_room(struct wbuf *w, size_t n)
{
	uint8_t *q;

	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	q = w->p + w->len;
	w->len += n;
	return q;
}

static inline void
wb_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *q = wb_room(w, 1);

	if (q != NULL)
		q[0] = v;
}

static inline void
wb_u16(struct wbuf *w, uint16_t v)
{
	uint8_t *q = wb_room(w, 2);

	if (q == NULL)
		return;
	q[0] = (uint8_t)(v >> 8);
	q[1] = (uint8_t)v;
}

static inline void
wb_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *q = wb_room(w, 4);

	if (q == NULL)
		return;
	q[0] = (uint8_t)(v >> 24);
	q[1] = (uint8_t)(v >> 16);
	q[2] = (uint8_t)(v >> 8);
	q[3] = (uint8_t)v;
}

static inline void
wb_u64(struct wbuf *w, uint64_t v)
{
	wb_u32(w, (uint32_t)(v >> 32));
	wb_u32(w, (uint32_t)v);
}

static inline void
wb_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *q = wb_room(w, n);

	if (q != NULL && n > 0)
		memcpy(q, src, n);
}

static inline void
wb_zero(struct wbuf *w, size_t n)
{
	uint8_t *q = wb_room(w, n);

	if (q != NULL)
		memset(q, 0, n);
}

/* Overwrite a 16-bit field written earlier (lengths, checksums). */
static inline void
wb_set_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->err || off + 2 > w->len) {
		w->err = true;
		return;
	}
	w->p[off] = (uint8_t)(v >> 8);
	w->p[off + 1] = (uint8_t)v;
}

static inline void
wb_set_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (w->err || off >= w->len) {
		w->err = true;
		return;
	}
	w->p[off] = v;
}

#endif /* CATS_BUF_H */
