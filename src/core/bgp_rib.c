/*
 * bgp_rib: the routes learnt from peers (an Adj-RIB-In per peer, in one
 * table), sized for a million MUP session routes.
 *
 * A route is its NLRI in wire form plus a reference to an interned
 * attribute set: sessions' T2ST routes come a hundred to an UPDATE with the
 * same attributes, so attributes are stored once per distinct set.  Routes
 * live in a byte arena addressed by 32-bit offsets, in size classes of 8
 * octets with a free list each, and are found through an open-addressing
 * table of (hash, offset) with linear probing and backward-shift deletion,
 * so there are no tombstones to age the table.  A million IPv6 T2ST routes
 * cost about 64 octets each.
 */
#include <stdlib.h>
#include <string.h>

#include "cats/bgp.h"

#define KEY_MAX		80	/* longest MUP NLRI: IPv6 T1ST is 71 */
#define TLV_MAX		UINT8_MAX	/* a route's TLVs, bgp_mup.tlv_len */
#define CHUNK_SHIFT	20
#define CHUNK_SIZE	(1u << CHUNK_SHIFT)
#define MAX_CHUNKS	4096	/* 4 GiB of routes */
#define CLASS_MAX	((sizeof(struct rent) + KEY_MAX + TLV_MAX + 7) / 8 + 1)

/* One route in the arena: 'key' runs keylen octets, then its TLVs
 * (draft-ietf-bess-mup-safi-01 3.1.5, not part of the key) tlvlen. */
struct rent {
	uint32_t	 attr;		/* index into attrs */
	uint16_t	 peer;
	uint8_t		 fam;		/* fam_of() */
	uint8_t		 keylen;
	uint8_t		 tlvlen;
	uint8_t		 key[];
};

struct slot {
	uint32_t	 hash;
	uint32_t	 off;		/* 0: empty */
};

struct aset {
	struct bgp_rattr a;
	uint32_t	 hash;
	uint32_t	 refs;		/* 0: on the free list */
	uint32_t	 next;		/* hash chain, or free list */
};

struct bgp_rib {
	bgp_rib_fn	 fn;
	void		*ctx;
	/* routes */
	struct slot	*slots;
	size_t		 nslots;	/* power of two */
	size_t		 nroutes;
	uint8_t		*chunk[MAX_CHUNKS];
	size_t		 nchunks;
	uint32_t	 top;		/* next free offset in the last chunk */
	uint32_t	 free_class[CLASS_MAX];
	/* attribute sets */
	struct aset	*attrs;
	size_t		 nattrs, cattrs, live_attrs;
	uint32_t	*abuckets;
	size_t		 nabuckets;	/* power of two */
	uint32_t	 afree;		/* 1-based free list head */
	uint32_t	 npeers;	/* highest peer index seen + 1 */
	size_t		*per_peer;	/* routes held, by peer (npeers) */
	size_t		*per_af;	/* and by family: [peer * AF + af] */
	struct bgp_rib_stats st;
};

/* The family byte of a route: the AFI, bit 7 set for a unicast prefix. */
#define FAM_PREFIX	0x80

static uint8_t
fam_of(const struct bgp_mup *m)
{
	return (uint8_t)(m->afi | (m->type == BGP_MUP_PREFIX ? FAM_PREFIX : 0));
}

/* The address family a route counts in (max_prefix); -1 for none. */
static int
af_of_fam(uint8_t fam)
{
	switch (fam) {
	case BGP_AFI_IPV4:
		return BGP_AF_IPV4_MUP;
	case BGP_AFI_IPV6:
		return BGP_AF_IPV6_MUP;
	case BGP_AFI_IPV6 | FAM_PREFIX:
		return BGP_AF_IPV6_UNICAST;
	default:
		return -1;
	}
}

/* A route of 'peer' and family 'fam' comes, or goes. */
static void
count_route(struct bgp_rib *r, uint32_t peer, uint8_t fam, bool add)
{
	int af = af_of_fam(fam);
	size_t *f = af >= 0 ?
	    &r->per_af[(size_t)peer * BGP_AF__COUNT + (size_t)af] : NULL;

	if (add) {
		r->per_peer[peer]++;
		if (f != NULL)
			(*f)++;
	} else {
		r->per_peer[peer]--;
		if (f != NULL)
			(*f)--;
	}
}

/* Next route of a block: a MUP NLRI, or a unicast prefix as type 0.  An
 * unknown MUP route type is stepped over (and counted by the codec). */
static int
next_nlri(struct cur *c, uint16_t afi, bool mup, struct bgp_mup *m,
    enum bgp_err *err)
{
	struct bgp_prefix pf;
	unsigned skipped = 0;
	int rc;

	if (mup) {
		do
			rc = bgp_mup_next(c, afi, m, &skipped, err);
		while (rc == 0 && cur_left(c) != 0 && !c->err);
		return rc;
	}
	if ((rc = bgp_prefix_next(c, afi, &pf, err)) != 1)
		return rc;
	memset(m, 0, sizeof(*m));
	m->afi = afi;
	m->type = BGP_MUP_PREFIX;
	m->plen = pf.plen;
	memcpy(m->prefix, pf.addr, sizeof(m->prefix));
	return 1;
}

/* The route a stored entry is. */
static bool
rent_decode(const struct rent *e, struct bgp_mup *m)
{
	enum bgp_err err;
	struct cur c;

	cur_init(&c, e->key, e->keylen);
	if (next_nlri(&c, e->fam & ~FAM_PREFIX, !(e->fam & FAM_PREFIX), m,
	    &err) != 1)
		return false;
	if (e->tlvlen > 0)
		bgp_mup_tlv_parse(m, e->key + e->keylen, e->tlvlen);
	return true;
}

/* Wire form of a route's NLRI, its key; 0 if it has none. */
static size_t
route_key(const struct bgp_mup *m, uint8_t *key, size_t cap)
{
	struct bgp_prefix pf;
	struct wbuf w;

	if (m->type != BGP_MUP_PREFIX)
		return bgp_mup_key(m, key, cap);
	pf.plen = m->plen;
	memcpy(pf.addr, m->prefix, sizeof(pf.addr));
	wb_init(&w, key, cap);
	if (!bgp_prefix_encode(&w, &pf) || !wb_ok(&w))
		return 0;
	return w.len;
}

/* FNV-1a for attribute sets: it runs once per UPDATE. */
static uint32_t
hash_bytes(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Keys are hashed eight octets at a time (a multiply-xorshift mix): on a
 * million-route ingest the hash is on the path of every NLRI. */
static uint32_t
route_hash(uint32_t peer, uint8_t fam, const uint8_t *key, size_t len)
{
	uint64_t h = ((uint64_t)peer << 8 | fam) * 0x9e3779b97f4a7c15ull;
	uint64_t v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&v, key + i, 8);
		h = (h ^ v) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	v = 0;
	memcpy(&v, key + i, len - i);
	h = (h ^ v ^ len) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 32;
	return (uint32_t)h != 0 ? (uint32_t)h : 1;
}

static struct rent *
rent_at(const struct bgp_rib *r, uint32_t off)
{
	return (struct rent *)(void *)(r->chunk[off >> CHUNK_SHIFT] +
	    (off & (CHUNK_SIZE - 1)));
}

static size_t
rent_class(size_t keylen)
{
	return (sizeof(struct rent) + keylen + 7) / 8;
}

/* Arena offset of a free record of this class; 0 when memory runs out. */
static uint32_t
rent_alloc(struct bgp_rib *r, size_t cls)
{
	uint32_t off = r->free_class[cls];
	size_t need = cls * 8;

	if (off != 0) {
		memcpy(&r->free_class[cls], rent_at(r, off), sizeof(off));
		return off;
	}
	if (r->nchunks == 0 || r->top + need > CHUNK_SIZE) {
		if (r->nchunks == MAX_CHUNKS)
			return 0;
		if ((r->chunk[r->nchunks] = malloc(CHUNK_SIZE)) == NULL)
			return 0;
		r->nchunks++;
		/* Offset 0 means "empty slot", so chunk 0 starts at 8. */
		r->top = r->nchunks == 1 ? 8 : 0;
		r->st.bytes += CHUNK_SIZE;
	}
	off = (uint32_t)((r->nchunks - 1) << CHUNK_SHIFT) + r->top;
	r->top += (uint32_t)need;
	return off;
}

static void
rent_release(struct bgp_rib *r, uint32_t off)
{
	struct rent *e = rent_at(r, off);
	size_t cls = rent_class((size_t)e->keylen + e->tlvlen);

	memcpy(e, &r->free_class[cls], sizeof(off));
	r->free_class[cls] = off;
}

/* ---- attribute sets ---- */

void
bgp_rattr_from(struct bgp_rattr *ra, const struct bgp_attrs *a)
{
	memset(ra, 0, sizeof(*ra));
	ra->nh_len = a->nh_len > 16 ? 16 : a->nh_len;
	memcpy(ra->nh, a->nh, ra->nh_len);
	ra->origin = a->origin;
	ra->local_pref = a->local_pref;
	ra->has_mup_ec = a->has_mup_ec;
	ra->mup_ec = a->mup_ec;
	ra->nrt = a->nrt > BGP_MAX_RT ? BGP_MAX_RT : a->nrt;
	memcpy(ra->rt, a->rt, ra->nrt * sizeof(ra->rt[0]));
	ra->has_sid = (a->seen & BGP_SEEN_PREFIX_SID) != 0;
	if (ra->has_sid)
		ra->sid = a->sid;
	ra->has_cats = (a->seen & BGP_SEEN_CATS) != 0;
	if (!ra->has_cats)
		return;
	/* Field by field: struct padding must stay zero for interning. */
	ra->cats.kind = a->cats.kind;
	ra->cats.has_cs_id = a->cats.has_cs_id;
	ra->cats.has_cis_id = a->cats.has_cis_id;
	ra->cats.cs_id = a->cats.cs_id;
	ra->cats.cis_id = a->cats.cis_id;
	ra->cats.nmetrics = a->cats.nmetrics;
	for (size_t i = 0; i < a->cats.nmetrics && i < BGP_CATS_MAX_METRICS;
	    i++) {
		ra->cats.metric[i].id = a->cats.metric[i].id;
		ra->cats.metric[i].stat = a->cats.metric[i].stat;
		ra->cats.metric[i].window_ms = a->cats.metric[i].window_ms;
		ra->cats.metric[i].value = a->cats.metric[i].value;
	}
}

void
bgp_rattr_to(const struct bgp_rattr *ra, struct bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH);
	a->origin = ra->origin;
	a->nh_len = ra->nh_len;
	memcpy(a->nh, ra->nh, ra->nh_len);
	a->local_pref = ra->local_pref;
	if (ra->local_pref != 0)
		a->seen |= BGP_SEEN(BGP_ATTR_LOCAL_PREF);
	a->has_mup_ec = ra->has_mup_ec;
	a->mup_ec = ra->mup_ec;
	a->nrt = ra->nrt;
	memcpy(a->rt, ra->rt, sizeof(a->rt));
	if (ra->has_mup_ec || ra->nrt != 0)
		a->seen |= BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES);
	if (ra->has_sid) {
		a->sid = ra->sid;
		a->seen |= BGP_SEEN_PREFIX_SID;
	}
	if (ra->has_cats) {
		a->cats = ra->cats;
		a->seen |= BGP_SEEN_CATS;
	}
}

bool
bgp_rattr_has_rt(const struct bgp_rattr *ra, uint64_t rt)
{
	for (size_t i = 0; i < ra->nrt; i++)
		if (ra->rt[i] == rt)
			return true;
	return false;
}

static bool
attrs_grow_buckets(struct bgp_rib *r)
{
	size_t n = r->nabuckets ? r->nabuckets * 2 : 64;
	uint32_t *b = calloc(n, sizeof(*b));

	if (b == NULL)
		return false;
	for (size_t i = 0; i < r->nattrs; i++) {
		struct aset *s = &r->attrs[i];

		if (s->refs == 0)
			continue;
		s->next = b[s->hash & (n - 1)];
		b[s->hash & (n - 1)] = (uint32_t)i + 1;
	}
	free(r->abuckets);
	r->abuckets = b;
	r->nabuckets = n;
	return true;
}

static uint32_t
aset_new(struct bgp_rib *r, const struct bgp_rattr *ra, uint32_t h)
{
	struct aset *s;
	uint32_t i;

	if (r->afree != 0) {
		i = r->afree - 1;
		r->afree = r->attrs[i].next;
	} else {
		if (r->nattrs == r->cattrs) {
			size_t n = r->cattrs ? r->cattrs * 2 : 64;
			struct aset *a = realloc(r->attrs, n * sizeof(*a));

			if (a == NULL)
				return UINT32_MAX;
			r->st.bytes += (n - r->cattrs) * sizeof(*a);
			r->attrs = a;
			r->cattrs = n;
		}
		i = (uint32_t)r->nattrs++;
	}
	s = &r->attrs[i];
	s->a = *ra;
	s->hash = h;
	s->refs = 0;
	s->next = r->abuckets[h & (r->nabuckets - 1)];
	r->abuckets[h & (r->nabuckets - 1)] = i + 1;
	r->live_attrs++;
	return i;
}

/* The interned copy of 'ra' (one more reference), UINT32_MAX if no memory. */
static uint32_t
aset_get(struct bgp_rib *r, const struct bgp_rattr *ra)
{
	uint32_t h = hash_bytes(2166136261u, ra, sizeof(*ra)), i;

	if (r->live_attrs + 1 > r->nabuckets && !attrs_grow_buckets(r))
		return UINT32_MAX;
	for (uint32_t k = r->abuckets[h & (r->nabuckets - 1)]; k != 0;
	    k = r->attrs[k - 1].next) {
		struct aset *s = &r->attrs[k - 1];

		if (s->hash == h && memcmp(&s->a, ra, sizeof(*ra)) == 0) {
			s->refs++;
			return k - 1;
		}
	}
	if ((i = aset_new(r, ra, h)) != UINT32_MAX)
		r->attrs[i].refs = 1;
	return i;
}

static void
aset_put(struct bgp_rib *r, uint32_t i)
{
	struct aset *s = &r->attrs[i];
	uint32_t *pp;

	if (--s->refs != 0)
		return;
	for (pp = &r->abuckets[s->hash & (r->nabuckets - 1)]; *pp != i + 1;
	    pp = &r->attrs[*pp - 1].next)
		;
	*pp = s->next;
	s->next = r->afree;
	r->afree = i + 1;
	r->live_attrs--;
}

/* ---- the route table ---- */

static bool
slots_grow(struct bgp_rib *r)
{
	size_t n = r->nslots ? r->nslots * 2 : 1024;
	struct slot *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return false;
	for (size_t i = 0; i < r->nslots; i++) {
		size_t j;

		if (r->slots[i].off == 0)
			continue;
		for (j = r->slots[i].hash & (n - 1); s[j].off != 0;
		    j = (j + 1) & (n - 1))
			;
		s[j] = r->slots[i];
	}
	r->st.bytes += (n - r->nslots) * sizeof(*s);
	free(r->slots);
	r->slots = s;
	r->nslots = n;
	return true;
}

/* Slot of the route, or of the empty slot where it would go. */
static size_t
find(const struct bgp_rib *r, uint32_t h, uint32_t peer, uint8_t fam,
    const uint8_t *key, size_t len)
{
	size_t mask = r->nslots - 1, i;

	for (i = h & mask; r->slots[i].off != 0; i = (i + 1) & mask) {
		const struct rent *e;

		if (r->slots[i].hash != h)
			continue;
		e = rent_at(r, r->slots[i].off);
		if (e->peer == peer && e->fam == fam && e->keylen == len &&
		    memcmp(e->key, key, len) == 0)
			return i;
	}
	return i;
}

/* Backward-shift deletion for linear probing (Knuth 6.4 algorithm R). */
static void
slot_delete(struct bgp_rib *r, size_t i)
{
	size_t mask = r->nslots - 1, j = i, k;

	for (;;) {
		r->slots[i].off = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (r->slots[j].off == 0)
				return;
			k = r->slots[j].hash & mask;
			/* Move j back to i unless its home k lies in (i, j]. */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		r->slots[i] = r->slots[j];
		i = j;
	}
}

struct bgp_rib *
bgp_rib_new(bgp_rib_fn fn, void *ctx)
{
	struct bgp_rib *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fn = fn;
	r->ctx = ctx;
	if (!slots_grow(r) || !attrs_grow_buckets(r)) {
		bgp_rib_free(r);
		return NULL;
	}
	return r;
}

void
bgp_rib_free(struct bgp_rib *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nchunks; i++)
		free(r->chunk[i]);
	free(r->slots);
	free(r->attrs);
	free(r->abuckets);
	free(r->per_peer);
	free(r->per_af);
	free(r);
}

static bool
peers_grow(struct bgp_rib *r, uint32_t peer)
{
	size_t *v, *f, af = BGP_AF__COUNT;

	if ((v = realloc(r->per_peer, (peer + 1) * sizeof(*v))) == NULL)
		return false;
	memset(v + r->npeers, 0, (peer + 1 - r->npeers) * sizeof(*v));
	r->per_peer = v;
	if ((f = realloc(r->per_af, (peer + 1) * af * sizeof(*f))) == NULL)
		return false;
	memset(f + r->npeers * af, 0, (peer + 1 - r->npeers) * af * sizeof(*f));
	r->per_af = f;
	r->npeers = peer + 1;
	return true;
}

/* A route's TLVs as stored; true when they are m's. */
static bool
rent_same_tlv(const struct rent *e, const struct bgp_mup *m)
{
	return e->tlvlen == m->tlv_len && (m->tlv_len == 0 ||
	    memcmp(e->key + e->keylen, m->tlv, m->tlv_len) == 0);
}

/* A new entry for slot i's route with m's TLVs (another size), the old
 * one freed; false when there is no memory (the old one stays). */
static bool
rent_retlv(struct bgp_rib *r, size_t i, const struct bgp_mup *m)
{
	uint32_t old = r->slots[i].off, off;
	const struct rent *e = rent_at(r, old);
	struct rent *n;

	if ((off = rent_alloc(r, rent_class((size_t)e->keylen +
	    m->tlv_len))) == 0)
		return false;
	e = rent_at(r, old);		/* the arena may have grown */
	n = rent_at(r, off);
	memcpy(n, e, sizeof(*n) + e->keylen);
	n->tlvlen = m->tlv_len;
	if (m->tlv_len > 0)
		memcpy(n->key + n->keylen, m->tlv, m->tlv_len);
	rent_release(r, old);
	r->slots[i].off = off;
	return true;
}

/* The route is known: new attributes or TLVs replace the old. */
static bool
reannounce(struct bgp_rib *r, uint32_t peer, const struct bgp_mup *m,
    size_t i, uint32_t attr)
{
	struct rent *e = rent_at(r, r->slots[i].off);
	uint32_t old = e->attr;
	bool retlv = !rent_same_tlv(e, m);

	if (retlv && !rent_retlv(r, i, m))
		return false;
	e = rent_at(r, r->slots[i].off);
	r->attrs[attr].refs++;
	e->attr = attr;
	r->st.replaces++;
	if (r->fn != NULL && (old != attr || retlv))
		r->fn(r->ctx, peer, BGP_RIB_REPLACE, m, &r->attrs[old].a,
		    &r->attrs[attr].a);
	aset_put(r, old);
	return true;
}

/* false when the route could not be kept (no memory). */
static bool
announce(struct bgp_rib *r, uint32_t peer, const struct bgp_mup *m,
    const uint8_t *key, size_t len, uint32_t attr)
{
	uint32_t h = route_hash(peer, fam_of(m), key, len), off;
	struct rent *e;
	size_t i;

	if ((r->nroutes + 1) * 4 > r->nslots * 3 && !slots_grow(r))
		return false;
	if (peer >= r->npeers && !peers_grow(r, peer))
		return false;
	i = find(r, h, peer, fam_of(m), key, len);
	if (r->slots[i].off != 0)
		return reannounce(r, peer, m, i, attr);
	if ((off = rent_alloc(r, rent_class(len + m->tlv_len))) == 0)
		return false;
	e = rent_at(r, off);
	e->attr = attr;
	e->peer = (uint16_t)peer;
	e->fam = fam_of(m);
	e->keylen = (uint8_t)len;
	e->tlvlen = m->tlv_len;
	memcpy(e->key, key, len);
	if (m->tlv_len > 0)
		memcpy(e->key + len, m->tlv, m->tlv_len);
	r->slots[i].hash = h;
	r->slots[i].off = off;
	r->nroutes++;
	r->attrs[attr].refs++;
	r->st.adds++;
	count_route(r, peer, e->fam, true);
	if (r->fn != NULL)
		r->fn(r->ctx, peer, BGP_RIB_ADD, m, NULL, &r->attrs[attr].a);
	return true;
}

/* The same route from another peer, if one still has it. */
static const struct rent *
other_path(const struct bgp_rib *r, uint32_t peer, uint8_t fam,
    const uint8_t *key, size_t len)
{
	for (uint32_t q = 0; q < r->npeers; q++) {
		size_t i;

		if (q == peer)
			continue;
		i = find(r, route_hash(q, fam, key, len), q, fam, key, len);
		if (r->slots[i].off != 0)
			return rent_at(r, r->slots[i].off);
	}
	return NULL;
}

/* The owner's view when 'peer' withdraws a route: it goes, or another
 * peer's copy (a second route reflector's) stays, with that copy's
 * attributes and TLVs (draft-ietf-bess-mup-safi-01 3.1.5). */
static void
withdraw_tell(struct bgp_rib *r, uint32_t peer, const struct bgp_mup *m,
    uint32_t attr, const struct rent *o, bool same_tlv)
{
	struct bgp_mup k = *m, om;

	if (o != NULL && (o->attr != attr || !same_tlv) && rent_decode(o, &om)) {
		r->fn(r->ctx, o->peer, BGP_RIB_REPLACE, &om,
		    &r->attrs[attr].a, &r->attrs[o->attr].a);
		return;
	}
	if (o != NULL)
		return;
	/* the key alone: m's TLVs may be a view of what was just freed */
	k.tlv = NULL;
	k.tlv_len = 0;
	k.tlv_seen = 0;
	r->fn(r->ctx, peer, BGP_RIB_WITHDRAW, &k, &r->attrs[attr].a, NULL);
}

static void
withdraw_key(struct bgp_rib *r, uint32_t peer, uint8_t fam,
    const struct bgp_mup *m, const uint8_t *key, size_t len)
{
	uint32_t h = route_hash(peer, fam, key, len), attr;
	size_t i = find(r, h, peer, fam, key, len);
	uint32_t off = r->slots[i].off;
	const struct rent *e, *o = NULL;
	bool same_tlv = true;

	if (off == 0) {
		r->st.unknown_withdraws++;
		return;
	}
	e = rent_at(r, off);
	attr = e->attr;
	if (r->fn != NULL && (o = other_path(r, peer, fam, key, len)) != NULL)
		same_tlv = e->tlvlen == o->tlvlen && memcmp(e->key + e->keylen,
		    o->key + o->keylen, e->tlvlen) == 0;
	slot_delete(r, i);
	rent_release(r, off);
	r->nroutes--;
	count_route(r, peer, fam, false);
	r->st.withdraws++;
	if (r->fn != NULL)
		withdraw_tell(r, peer, m, attr, o, same_tlv);
	aset_put(r, attr);
}

/* Walk one NLRI block, announcing (attr set) or withdrawing each. */
static long
apply_block(struct bgp_rib *r, uint32_t peer, const uint8_t *p, size_t n,
    uint16_t afi, uint8_t safi, uint32_t attr, enum bgp_err *err)
{
	uint8_t key[KEY_MAX];
	struct cur c;
	struct bgp_mup m;
	long count = 0;
	size_t len;
	int rc;

	cur_init(&c, p, n);
	for (;;) {
		if ((rc = next_nlri(&c, afi, safi == BGP_SAFI_MUP, &m, err)) < 0)
			return -1;
		if (rc == 0)
			return count;
		/* The key is the route encoded again, not the bytes received:
		 * bits past a prefix length (RFC 4271 4.3) must not make two
		 * keys of one route. */
		if ((len = route_key(&m, key, sizeof(key))) == 0) {
			r->st.dropped++;
			continue;
		}
		/* Its key is sound but its TLVs are not: RFC 7606 treat-as-
		 * withdraw, for this route (docs/wire.md 8.2). */
		if (m.tlv_err != BGP_MUP_TLV_OK) {
			r->st.tlv_malformed++;
			withdraw_key(r, peer, fam_of(&m), &m, key, len);
			count++;
			continue;
		}
		if (attr == UINT32_MAX)
			withdraw_key(r, peer, fam_of(&m), &m, key, len);
		else if (!announce(r, peer, &m, key, len, attr))
			r->st.dropped++;
		count++;
	}
}

long
bgp_rib_apply(struct bgp_rib *r, uint32_t peer, const struct bgp_update *u,
    enum bgp_err *err)
{
	const struct bgp_attrs *a = &u->a;
	struct bgp_rattr ra;
	uint32_t attr = UINT32_MAX;
	long n1 = 0, n2 = 0;
	bool as_withdraw = u->action == BGP_ACT_TREAT_AS_WITHDRAW;

	*err = BGP_OK;
	if (peer > UINT16_MAX)		/* stored in 16 bits */
		return -1;
	if (a->unreach_len != 0) {
		n1 = apply_block(r, peer, a->unreach, a->unreach_len,
		    a->unreach_afi, a->unreach_safi, UINT32_MAX, err);
		if (n1 < 0)
			return -1;
	}
	if (a->reach_len == 0)
		return n1;
	if (!as_withdraw) {
		bgp_rattr_from(&ra, a);
		if ((attr = aset_get(r, &ra)) == UINT32_MAX) {
			r->st.dropped++;
			return n1;
		}
	}
	n2 = apply_block(r, peer, a->reach, a->reach_len, a->reach_afi,
	    a->reach_safi, attr, err);
	/* aset_get's reference only held the set while routes took theirs. */
	if (attr != UINT32_MAX)
		aset_put(r, attr);
	return n2 < 0 ? -1 : n1 + n2;
}

size_t
bgp_rib_flush(struct bgp_rib *r, uint32_t peer)
{
	struct bgp_mup m;
	size_t n = 0, i = 0;

	while (i < r->nslots) {
		const struct rent *e;

		if (r->slots[i].off == 0 ||
		    (e = rent_at(r, r->slots[i].off))->peer != peer) {
			i++;
			continue;
		}
		if (!rent_decode(e, &m)) {
			memset(&m, 0, sizeof(m));
			m.afi = e->fam & ~FAM_PREFIX;
		}
		/* Deleting shifts a later route into slot i: look again. */
		withdraw_key(r, peer, e->fam, &m, e->key, e->keylen);
		n++;
	}
	return n;
}

const struct bgp_rattr *
bgp_rib_get(const struct bgp_rib *r, uint32_t peer, const struct bgp_mup *m)
{
	uint8_t key[KEY_MAX];
	size_t len = route_key(m, key, sizeof(key));
	uint32_t h;
	size_t i;

	if (len == 0)
		return NULL;
	h = route_hash(peer, fam_of(m), key, len);
	i = find(r, h, peer, fam_of(m), key, len);
	if (r->slots[i].off == 0)
		return NULL;
	return &r->attrs[rent_at(r, r->slots[i].off)->attr].a;
}

size_t
bgp_rib_peer_routes(const struct bgp_rib *r, uint32_t peer)
{
	return peer < r->npeers ? r->per_peer[peer] : 0;
}

size_t
bgp_rib_peer_af_routes(const struct bgp_rib *r, uint32_t peer,
    enum bgp_af af)
{
	if (peer >= r->npeers || (unsigned)af >= BGP_AF__COUNT)
		return 0;
	return r->per_af[(size_t)peer * BGP_AF__COUNT + af];
}

void
bgp_rib_stats(const struct bgp_rib *r, struct bgp_rib_stats *st)
{
	*st = r->st;
	st->routes = r->nroutes;
	st->attrs = r->live_attrs;
	st->bytes += sizeof(*r) + r->nabuckets * sizeof(uint32_t);
}

void
bgp_rib_walk(const struct bgp_rib *r,
    bool (*fn)(void *, uint32_t, const struct bgp_mup *,
    const struct bgp_rattr *), void *arg)
{
	struct bgp_mup m;

	for (size_t i = 0; i < r->nslots; i++) {
		const struct rent *e;

		if (r->slots[i].off == 0)
			continue;
		e = rent_at(r, r->slots[i].off);
		if (!rent_decode(e, &m))
			continue;
		if (!fn(arg, e->peer, &m, &r->attrs[e->attr].a))
			return;
	}
}
