/*
 * bgp_attr: UPDATE messages (RFC 4271 4.3) and their path attributes, with
 * the revised error handling of RFC 7606.
 *
 * Every attribute is read from its own sub-cursor.  What the RFCs say about
 * each known attribute (flags, fixed length, error and RFC 7606 action) is
 * one row of attr_tab; the value decoders only check what a row cannot
 * say.  Errors never stop the walk short of a session reset: a
 * treat-as-withdraw UPDATE still needs its MP_REACH_NLRI and
 * MP_UNREACH_NLRI found, so that every route it carries can be withdrawn
 * (RFC 7606 3.j).
 */
#include <stdio.h>
#include <string.h>

#include "cats/bgp.h"

#define OT_MASK		(BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE)
#define WELL_KNOWN	BGP_AF_TRANSITIVE
#define OPT_NONTRANS	BGP_AF_OPTIONAL
#define OPT_TRANS	(BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE)
#define ANY_LEN		0xffff

#define EC_TYPE_MUP		0x0c	/* draft-ietf-bess-mup-safi 3.2 */
#define EC_SUB_RT		0x02	/* RFC 4360 4, RFC 5668 */
#define PSID_SRV6_L3		5	/* RFC 9252 2 */
#define SRV6_SID_INFO		1	/* RFC 9252 3.1 */
#define SRV6_SID_STRUCT		1	/* RFC 9252 3.2.1 */
#define SID_INFO_LEN		21	/* reserved, SID, flags, behavior, reserved */
#define SID_STRUCT_LEN		6

#define RESET	BGP_ACT_SESSION_RESET
#define TAW	BGP_ACT_TREAT_AS_WITHDRAW
#define DISCARD	BGP_ACT_ATTR_DISCARD

/* A known attribute: its O and T flags, length bounds, and what a
 * malformed one is (error and RFC 7606 action). */
struct attr_row {
	uint8_t		 known;
	uint8_t		 flags;
	uint16_t	 min, max;
	uint8_t		 err;		/* enum bgp_err */
	uint8_t		 act;		/* enum bgp_action */
};

static const struct attr_row attr_tab[256] = {
	/* RFC 7606 3.e: the attributes of route selection withdraw. */
	[BGP_ATTR_ORIGIN] = { 1, WELL_KNOWN, 1, 1, BGP_E_ORIGIN, TAW },	/* 7.1 */
	[BGP_ATTR_AS_PATH] = { 1, WELL_KNOWN, 0, ANY_LEN, BGP_E_AS_PATH, TAW },
	[BGP_ATTR_NEXT_HOP] = { 1, WELL_KNOWN, 4, 4, BGP_E_NEXT_HOP, TAW },
	[BGP_ATTR_MED] = { 1, OPT_NONTRANS, 4, 4, BGP_E_ATTR_LENGTH, TAW },
	[BGP_ATTR_LOCAL_PREF] = { 1, WELL_KNOWN, 4, 4, BGP_E_ATTR_LENGTH, TAW },
	/* RFC 7606 3.f, 7.6, 7.7: these two are discarded. */
	[BGP_ATTR_ATOMIC_AGG] = { 1, WELL_KNOWN, 0, 0, BGP_E_ATTR_LENGTH, DISCARD },
	[BGP_ATTR_AGGREGATOR] = { 1, OPT_TRANS, 6, 8, BGP_E_ATTR_LENGTH, DISCARD },
	[BGP_ATTR_COMMUNITIES] = { 1, OPT_TRANS, 4, ANY_LEN, BGP_E_ATTR_LENGTH,
				   TAW },				/* 7.8 */
	[BGP_ATTR_ORIGINATOR_ID] = { 1, OPT_NONTRANS, 4, 4, BGP_E_CLUSTER, TAW },
	[BGP_ATTR_CLUSTER_LIST] = { 1, OPT_NONTRANS, 4, ANY_LEN, BGP_E_CLUSTER,
				    TAW },				/* 7.10 */
	/* RFC 7606 7.11, 7.12, 5.3: without them no NLRI can be found. */
	[BGP_ATTR_MP_REACH] = { 1, OPT_NONTRANS, 5, ANY_LEN, BGP_E_MP, RESET },
	[BGP_ATTR_MP_UNREACH] = { 1, OPT_NONTRANS, 3, ANY_LEN, BGP_E_MP, RESET },
	[BGP_ATTR_EXT_COMMUNITIES] = { 1, OPT_TRANS, 8, ANY_LEN, BGP_E_EXT_COMM,
				       TAW },				/* 7.14 */
	/* RFC 6793 6: a malformed AS4_PATH or AS4_AGGREGATOR is discarded. */
	[BGP_ATTR_AS4_PATH] = { 1, OPT_TRANS, 0, ANY_LEN, BGP_E_AS_PATH, DISCARD },
	[BGP_ATTR_AS4_AGGREGATOR] = { 1, OPT_TRANS, 8, 8, BGP_E_ATTR_LENGTH,
				      DISCARD },
	/* RFC 9252 3.4 for the SRv6 Service TLVs (RFC 8669 6 would discard). */
	[BGP_ATTR_PREFIX_SID] = { 1, OPT_TRANS, 3, ANY_LEN, BGP_E_PREFIX_SID, TAW },
	/* docs/wire.md: the metrics would be wrong, the route must go. */
	[BGP_ATTR_CATS] = { 1, OPT_TRANS, 0, ANY_LEN, BGP_E_CATS, TAW },
};

#undef RESET
#undef TAW
#undef DISCARD

/* The bit of 'seen' an attribute sets. */
static uint64_t
seen_bit(uint8_t code)
{
	return code == BGP_ATTR_CATS ? BGP_SEEN_CATS : BGP_SEEN(code & 63);
}

/* ------------------------------------------------------------------ */
/* Value decoders: each gets a cursor holding exactly the value and    */
/* says whether it is well formed; cur_done() is checked by the caller. */

static bool
dec_origin(struct cur *c, struct bgp_attrs *a)
{
	return cur_u8(c, &a->origin) && a->origin <= 2;	/* RFC 4271 5.1.1 */
}

/* RFC 4271 4.3 / RFC 7606 7.2: segments of a known type, none empty, each
 * of whole AS numbers of the session's size. */
static bool
as_path_valid(struct cur *c, unsigned asz)
{
	uint8_t type, n;

	while (cur_left(c) > 0) {
		cur_u8(c, &type);
		if (!cur_u8(c, &n) || type < 1 || type > 4 || n == 0 ||
		    !cur_skip(c, (size_t)n * asz))
			return false;
	}
	return true;
}

/* Checked on a copy of the cursor, then kept as a view. */
static bool
dec_as_path(struct cur *c, struct bgp_attrs *a, bool as4)
{
	struct cur check = *c;

	if (!as_path_valid(&check, as4 ? 4 : 2))
		return false;
	a->as_path_len = (uint16_t)cur_left(c);
	return cur_view(c, &a->as_path, a->as_path_len);
}

/* RFC 7606 7.10: a non-zero multiple of four. */
static bool
dec_cluster(struct cur *c, struct bgp_attrs *a)
{
	a->cluster_len = (uint16_t)cur_left(c);
	return a->cluster_len % 4 == 0 &&
	    cur_view(c, &a->cluster_list, a->cluster_len);
}

/* RFC 4760 3: AFI, SAFI, next hop, reserved, NLRI.  The next hop is an
 * IPv4 address, an IPv6 one, or global and link-local (RFC 2545 3). */
static bool
dec_mp_reach(struct cur *c, struct bgp_attrs *a)
{
	cur_u16(c, &a->reach_afi);
	cur_u8(c, &a->reach_safi);
	if (!cur_u8(c, &a->nh_len) ||
	    (a->nh_len != 4 && a->nh_len != 16 && a->nh_len != 32))
		return false;
	cur_bytes(c, a->nh, a->nh_len);
	cur_skip(c, 1);
	a->reach_len = (uint16_t)cur_left(c);
	return cur_view(c, &a->reach, a->reach_len);
}

static bool
dec_mp_unreach(struct cur *c, struct bgp_attrs *a)
{
	cur_u16(c, &a->unreach_afi);
	cur_u8(c, &a->unreach_safi);
	a->unreach_len = (uint16_t)cur_left(c);
	return cur_view(c, &a->unreach, a->unreach_len);
}

/* RFC 4360 3 / RFC 7606 7.14: communities of 8 octets.  The first MUP
 * community of a sub-type draft-ietf-bess-mup-safi-01 3.2 defines (the
 * CS-ID in CATS-MUP) and route targets are kept; route targets past
 * BGP_MAX_RT and other communities are ignored (RFC 4360 3). */
static bool
dec_ext_comm(struct cur *c, struct bgp_attrs *a)
{
	uint8_t type, sub;
	uint64_t v;

	if (cur_left(c) % 8 != 0)
		return false;
	while (cur_left(c) > 0) {
		cur_u64(c, &v);
		type = (uint8_t)(v >> 56);
		sub = (uint8_t)(v >> 48);
		if (type == EC_TYPE_MUP && sub < BGP_MUP_EC__COUNT &&
		    !a->has_mup_ec) {
			a->has_mup_ec = true;
			a->mup_ec.sub = sub;
			for (int k = 0; k < 6; k++)
				a->mup_ec.v[k] = (uint8_t)(v >> (40 - 8 * k));
		} else if (type <= 0x02 && sub == EC_SUB_RT &&
		    a->nrt < BGP_MAX_RT) {
			a->rt[a->nrt++] = v;
		}
	}
	return true;
}

/* The next TLV of type (1), length (2) (RFC 8669 3, RFC 9252 2-3), its
 * value as its own cursor; false if it runs past c. */
static bool
tlv16_next(struct cur *c, uint8_t *type, struct cur *v)
{
	uint16_t len;

	cur_u8(c, type);
	return cur_u16(c, &len) && cur_sub(c, len, v);
}

/* RFC 9252 3.2.1: six one-octet lengths. */
static bool
dec_sid_struct(struct cur *c, struct bgp_srv6_sid *s)
{
	if (cur_left(c) != SID_STRUCT_LEN)
		return false;
	s->has_structure = true;
	cur_u8(c, &s->lb_len);
	cur_u8(c, &s->ln_len);
	cur_u8(c, &s->fun_len);
	cur_u8(c, &s->arg_len);
	cur_u8(c, &s->tpos_len);
	cur_u8(c, &s->tpos_off);
	return true;
}

/* RFC 9252 3.1: SID Information, then Service Data Sub-Sub-TLVs, type (1)
 * length (2).  Only the first SID's values are kept ('keep'). */
static bool
dec_sid_info(struct cur *c, struct bgp_srv6_sid *s, bool keep)
{
	struct bgp_srv6_sid tmp;
	struct bgp_srv6_sid *d = keep ? s : &tmp;
	struct cur v;
	uint8_t type;

	memset(d, 0, sizeof(*d));
	cur_skip(c, 1);
	cur_bytes(c, d->sid, sizeof(d->sid));
	cur_u8(c, &d->flags);
	cur_u16(c, &d->behavior);
	if (!cur_skip(c, 1))
		return false;
	while (cur_left(c) > 0)
		if (!tlv16_next(c, &type, &v) ||
		    (type == SRV6_SID_STRUCT && !dec_sid_struct(&v, d)))
			return false;
	return true;
}

/* RFC 9252 2: reserved (1), then Service Sub-TLVs, type (1) length (2). */
static bool
dec_srv6_l3(struct cur *c, struct bgp_attrs *a, bool *have_sid)
{
	struct cur v;
	uint8_t type;

	if (!cur_skip(c, 1))
		return false;
	while (cur_left(c) > 0) {
		if (!tlv16_next(c, &type, &v))
			return false;
		if (type != SRV6_SID_INFO)
			continue;		/* RFC 9252 3.1: ignore unknown */
		if (!dec_sid_info(&v, &a->sid, !*have_sid))
			return false;
		*have_sid = true;
	}
	return true;
}

/* RFC 8669 3: TLVs of type (1), length (2); unknown ones are skipped. */
static bool
dec_prefix_sid(struct cur *c, struct bgp_attrs *a)
{
	bool have_sid = false;
	struct cur v;
	uint8_t type;

	while (cur_left(c) > 0)
		if (!tlv16_next(c, &type, &v) ||
		    (type == PSID_SRV6_L3 && !dec_srv6_l3(&v, a, &have_sid)))
			return false;
	return true;
}

/* A METRIC TLV: id, statistic, window, value; refused as metric.c would. */
static bool
dec_cats_metric(struct cur *c, struct bgp_cats *k, uint32_t *ids)
{
	struct cats_sample *s;

	if (cur_left(c) != CATS_SAMPLE_WIRE_LEN ||
	    k->nmetrics >= BGP_CATS_MAX_METRICS)
		return false;
	s = &k->metric[k->nmetrics];
	if (!cats_sample_read(c, s) || (*ids & (1u << s->id)))
		return false;
	*ids |= 1u << s->id;
	k->nmetrics++;
	return true;
}

/* A 4-octet identifier TLV, at most once. */
static bool
dec_cats_id(struct cur *c, bool *has, uint32_t *id)
{
	if (*has || cur_left(c) != 4)
		return false;
	*has = true;
	return cur_u32(c, id);
}

/* docs/wire.md "BGP": TLVs of type (1), length (1); unknown ones skipped,
 * a known one of the wrong length or repeated (metrics: by id) refused. */
static bool
dec_cats(struct cur *c, struct bgp_attrs *a)
{
	struct bgp_cats *k = &a->cats;
	bool has_kind = false;
	uint32_t ids = 0;
	struct cur v;
	uint8_t type, len;
	bool ok;

	memset(k, 0, sizeof(*k));
	while (cur_left(c) > 0) {
		cur_u8(c, &type);
		if (!cur_u8(c, &len) || !cur_sub(c, len, &v))
			return false;
		switch (type) {
		case BGP_CATS_TLV_KIND:
			ok = !has_kind && len == 1 && cur_u8(&v, &k->kind);
			has_kind = true;
			break;
		case BGP_CATS_TLV_CS_ID:
			ok = dec_cats_id(&v, &k->has_cs_id, &k->cs_id);
			break;
		case BGP_CATS_TLV_CIS_ID:
			ok = dec_cats_id(&v, &k->has_cis_id, &k->cis_id);
			break;
		case BGP_CATS_TLV_METRIC:
			ok = dec_cats_metric(&v, k, &ids);
			break;
		default:
			ok = true;
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

/* A switch, so that the compiler inlines the decoders (see mh.c). */
static bool
dec_value(uint8_t code, struct cur *c, struct bgp_attrs *a, bool as4)
{
	switch (code) {
	case BGP_ATTR_ORIGIN:		return dec_origin(c, a);
	case BGP_ATTR_AS_PATH:		return dec_as_path(c, a, as4);
	case BGP_ATTR_NEXT_HOP:		return cur_bytes(c, a->next_hop, 4);
	case BGP_ATTR_MED:		return cur_u32(c, &a->med);
	case BGP_ATTR_LOCAL_PREF:	return cur_u32(c, &a->local_pref);
	case BGP_ATTR_AGGREGATOR:	/* RFC 6793 4.1: AS of the session's size */
		return cur_left(c) == (as4 ? 8u : 6u) && cur_skip(c, cur_left(c));
	case BGP_ATTR_COMMUNITIES:	/* RFC 7606 7.8 */
		return cur_left(c) % 4 == 0 && cur_skip(c, cur_left(c));
	case BGP_ATTR_ORIGINATOR_ID:	return cur_u32(c, &a->originator_id);
	case BGP_ATTR_CLUSTER_LIST:	return dec_cluster(c, a);
	case BGP_ATTR_MP_REACH:		return dec_mp_reach(c, a);
	case BGP_ATTR_MP_UNREACH:	return dec_mp_unreach(c, a);
	case BGP_ATTR_EXT_COMMUNITIES:	return dec_ext_comm(c, a);
	case BGP_ATTR_AS4_PATH:		return as_path_valid(c, 4);
	case BGP_ATTR_AS4_AGGREGATOR:	return cur_skip(c, 8);
	case BGP_ATTR_PREFIX_SID:	return dec_prefix_sid(c, a);
	case BGP_ATTR_CATS:		return dec_cats(c, a);
	default:			return true;	/* ATOMIC_AGGREGATE */
	}
}

/* ------------------------------------------------------------------ */
/* The attribute walk                                                  */

/*
 * RFC 7606 3.h: the strongest action wins.  err and off are those of the
 * first error that called for it, so that bgp_err_notif() names the error
 * that resets the session, not an earlier discard.
 */
static void
note(struct bgp_update *u, enum bgp_err e, enum bgp_action act, size_t off)
{
	if (act <= u->action)
		return;
	u->action = act;
	u->err = e;
	u->off = off;
}

/* Attribute header: flags, type, length of 1 or 2 octets (extended).
 * When it is cut short, *code is the type if that much was there, else 0. */
static bool
attr_header(struct cur *c, uint8_t *flags, uint8_t *code, uint16_t *len)
{
	uint8_t l8;

	cur_u8(c, flags);
	cur_u8(c, code);
	if (*flags & BGP_AF_EXTLEN)
		return cur_u16(c, len);
	cur_u8(c, &l8);
	*len = l8;
	return !c->err;
}

/* Duplicates, RFC 7606 3.g: the first counts, the others are dropped,
 * but two MP_REACH_NLRI or MP_UNREACH_NLRI cannot be reconciled. */
static bool
attr_dup(struct bgp_update *u, uint64_t dup[4], uint8_t code, size_t at)
{
	uint64_t bit = UINT64_C(1) << (code & 63);

	if (!(dup[code >> 6] & bit)) {
		dup[code >> 6] |= bit;
		return false;
	}
	if (code == BGP_ATTR_MP_REACH || code == BGP_ATTR_MP_UNREACH) {
		note(u, BGP_E_MP_DUP, BGP_ACT_SESSION_RESET, at);
		return true;
	}
	if (u->a.discarded < UINT8_MAX)
		u->a.discarded++;
	note(u, BGP_E_ATTR_DUP, BGP_ACT_ATTR_DISCARD, at);
	return true;
}

static void
attr_malformed(struct bgp_update *u, const struct attr_row *r, enum bgp_err e,
    size_t off)
{
	if (r->act == BGP_ACT_ATTR_DISCARD && u->a.discarded < UINT8_MAX)
		u->a.discarded++;
	note(u, e, (enum bgp_action)r->act, off);
}

/* One attribute whose header and value cursor are read. */
static void
attr_one(struct bgp_update *u, uint8_t flags, uint8_t code, struct cur *v,
    size_t at, bool as4)
{
	const struct attr_row *r = &attr_tab[code];
	size_t vlen = cur_left(v), voff = cur_off(v);

	if (!r->known) {
		/* RFC 4271 5 / 9: an unknown optional attribute is ignored; an
		 * unknown well-known one (RFC 4271 6.3 would reset) withdraws. */
		if (!(flags & BGP_AF_OPTIONAL))
			note(u, BGP_E_ATTR_FLAGS, BGP_ACT_TREAT_AS_WITHDRAW, at);
		return;
	}
	/* RFC 7606 3.c: O or T wrong is the attribute malformed. */
	if ((flags & OT_MASK) != r->flags) {
		attr_malformed(u, r, BGP_E_ATTR_FLAGS, at);
		return;
	}
	/* RFC 7606 4 (and 7.x per attribute): a length its type forbids. */
	if (vlen < r->min || vlen > r->max) {
		attr_malformed(u, r, BGP_E_ATTR_LENGTH, at + 2);
		return;
	}
	if (!dec_value(code, v, &u->a, as4) || !cur_done(v)) {
		attr_malformed(u, r, (enum bgp_err)r->err, voff);
		return;
	}
	u->a.seen |= seen_bit(code);
}

/*
 * RFC 7606 4: an attribute that runs past the block, or fewer octets left
 * than a header, is treat-as-withdraw, the NLRI being found from the Total
 * Path Attribute Length; unless it is MP_REACH_NLRI or MP_UNREACH_NLRI,
 * whose routes then cannot be found (3.j): session reset.
 */
static void
attr_overrun(struct bgp_update *u, uint8_t code, size_t at)
{
	if (code == BGP_ATTR_MP_REACH || code == BGP_ATTR_MP_UNREACH)
		note(u, BGP_E_ATTR_OVERRUN, BGP_ACT_SESSION_RESET, at);
	else
		note(u, BGP_E_ATTR_OVERRUN, BGP_ACT_TREAT_AS_WITHDRAW, at);
}

static void
attrs_walk(struct bgp_update *u, struct cur *c, bool as4)
{
	uint64_t dup[4] = { 0 };
	struct cur v;
	uint8_t flags, code;
	uint16_t len;
	size_t at;

	while (cur_left(c) > 0 && u->action != BGP_ACT_SESSION_RESET) {
		at = cur_off(c);
		if (!attr_header(c, &flags, &code, &len) || !cur_sub(c, len, &v)) {
			attr_overrun(u, code, at);
			return;
		}
		if (attr_dup(u, dup, code, at))
			continue;
		attr_one(u, flags, code, &v, at, as4);
	}
}

/* RFC 7606 3.d: routes without ORIGIN and AS_PATH (and NEXT_HOP for the
 * IPv4 NLRI field, RFC 4760 3) are withdrawn. */
static void
check_mandatory(struct bgp_update *u, size_t end)
{
	uint64_t need = 0;

	if (u->nlri_len > 0)
		need |= BGP_SEEN(BGP_ATTR_NEXT_HOP);
	if (u->nlri_len > 0 || u->a.reach_len > 0)
		need |= BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH);
	if (need & ~u->a.seen)
		note(u, BGP_E_ATTR_MISSING, BGP_ACT_TREAT_AS_WITHDRAW, end);
}

void
bgp_update_decode(const uint8_t *body, size_t len, bool as4,
    struct bgp_update *u)
{
	struct cur c, attrs;
	uint16_t wlen, alen;
	size_t at;

	memset(u, 0, sizeof(*u));
	cur_init(&c, body, len);
	/* RFC 4271 6.3 / RFC 7606 3.b: lengths that overrun reset. */
	if (!cur_u16(&c, &wlen) || !cur_view(&c, &u->withdrawn, wlen)) {
		note(u, BGP_E_UPD_LENGTHS, BGP_ACT_SESSION_RESET, 0);
		return;
	}
	u->withdrawn_len = wlen;
	at = cur_off(&c);
	if (!cur_u16(&c, &alen) || !cur_sub(&c, alen, &attrs)) {
		note(u, BGP_E_UPD_LENGTHS, BGP_ACT_SESSION_RESET, at);
		return;
	}
	u->nlri_len = (uint16_t)cur_left(&c);
	cur_view(&c, &u->nlri, u->nlri_len);
	attrs_walk(u, &attrs, as4);
	if (u->action != BGP_ACT_SESSION_RESET)
		check_mandatory(u, at + 2 + alen);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

/* Flags, type and a 1- or 2-octet length (RFC 4271 4.3: extended length
 * only when the value needs it). */
static void
attr_put_header(struct wbuf *w, uint8_t flags, uint8_t code, size_t len)
{
	if (len > UINT8_MAX) {
		wb_u8(w, flags | BGP_AF_EXTLEN);
		wb_u8(w, code);
		wb_u16(w, (uint16_t)len);
		return;
	}
	wb_u8(w, flags);
	wb_u8(w, code);
	wb_u8(w, (uint8_t)len);
}

/* An attribute whose value was written to a scratch writer. */
static void
attr_put(struct wbuf *w, uint8_t flags, uint8_t code, const struct wbuf *val)
{
	if (!wb_ok(val) || val->len > UINT16_MAX) {
		w->err = true;
		return;
	}
	attr_put_header(w, flags, code, val->len);
	wb_bytes(w, val->p, val->len);
}

static void
enc_ext_comm(struct wbuf *v, const struct bgp_attrs *a)
{
	unsigned i;

	if (a->has_mup_ec) {
		wb_u8(v, EC_TYPE_MUP);
		wb_u8(v, a->mup_ec.sub);
		wb_bytes(v, a->mup_ec.v, sizeof(a->mup_ec.v));
	}
	for (i = 0; i < a->nrt && i < BGP_MAX_RT; i++)
		wb_u64(v, a->rt[i]);
}

/* RFC 9252 2, 3.1, 3.2.1: one L3 Service TLV, one SID Information. */
static void
enc_prefix_sid(struct wbuf *v, const struct bgp_srv6_sid *s)
{
	uint16_t info = SID_INFO_LEN + (s->has_structure ? 3 + SID_STRUCT_LEN : 0);

	wb_u8(v, PSID_SRV6_L3);
	wb_u16(v, (uint16_t)(1 + 3 + info));
	wb_u8(v, 0);
	wb_u8(v, SRV6_SID_INFO);
	wb_u16(v, info);
	wb_u8(v, 0);
	wb_bytes(v, s->sid, sizeof(s->sid));
	wb_u8(v, s->flags);
	wb_u16(v, s->behavior);
	wb_u8(v, 0);
	if (!s->has_structure)
		return;
	wb_u8(v, SRV6_SID_STRUCT);
	wb_u16(v, SID_STRUCT_LEN);
	wb_u8(v, s->lb_len);
	wb_u8(v, s->ln_len);
	wb_u8(v, s->fun_len);
	wb_u8(v, s->arg_len);
	wb_u8(v, s->tpos_len);
	wb_u8(v, s->tpos_off);
}

static void
enc_cats_u32(struct wbuf *v, uint8_t type, uint32_t val)
{
	wb_u8(v, type);
	wb_u8(v, 4);
	wb_u32(v, val);
}

static void
enc_cats(struct wbuf *v, const struct bgp_cats *k)
{
	const struct cats_sample *s;
	unsigned i;

	if (k->kind != BGP_CATS_KIND_NONE) {
		wb_u8(v, BGP_CATS_TLV_KIND);
		wb_u8(v, 1);
		wb_u8(v, k->kind);
	}
	if (k->has_cs_id)
		enc_cats_u32(v, BGP_CATS_TLV_CS_ID, k->cs_id);
	if (k->has_cis_id)
		enc_cats_u32(v, BGP_CATS_TLV_CIS_ID, k->cis_id);
	for (i = 0; i < k->nmetrics && i < BGP_CATS_MAX_METRICS; i++) {
		s = &k->metric[i];
		wb_u8(v, BGP_CATS_TLV_METRIC);
		wb_u8(v, CATS_SAMPLE_WIRE_LEN);
		cats_sample_write(v, s);
	}
}

/* The attributes a route carries, in type-code order. */
static void
enc_path_attrs(struct wbuf *w, const struct bgp_attrs *a)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf v;

	wb_init(&v, buf, sizeof(buf));
	wb_u8(&v, a->origin);
	attr_put(w, WELL_KNOWN, BGP_ATTR_ORIGIN, &v);
	wb_init(&v, buf, sizeof(buf));
	wb_bytes(&v, a->as_path, a->as_path_len);
	attr_put(w, WELL_KNOWN, BGP_ATTR_AS_PATH, &v);
	if (a->seen & BGP_SEEN(BGP_ATTR_LOCAL_PREF)) {
		wb_init(&v, buf, sizeof(buf));
		wb_u32(&v, a->local_pref);
		attr_put(w, WELL_KNOWN, BGP_ATTR_LOCAL_PREF, &v);
	}
}

/* Those after MP_UNREACH_NLRI (15) in type-code order. */
static void
enc_path_attrs_tail(struct wbuf *w, const struct bgp_attrs *a)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf v;

	/* RFC 7606 7.14: an empty extended communities attribute is malformed. */
	if ((a->seen & BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES)) &&
	    (a->has_mup_ec || a->nrt > 0)) {
		wb_init(&v, buf, sizeof(buf));
		enc_ext_comm(&v, a);
		attr_put(w, OPT_TRANS, BGP_ATTR_EXT_COMMUNITIES, &v);
	}
	if (a->seen & BGP_SEEN_PREFIX_SID) {
		wb_init(&v, buf, sizeof(buf));
		enc_prefix_sid(&v, &a->sid);
		attr_put(w, OPT_TRANS, BGP_ATTR_PREFIX_SID, &v);
	}
	if (a->seen & BGP_SEEN_CATS) {
		wb_init(&v, buf, sizeof(buf));
		enc_cats(&v, &a->cats);
		attr_put(w, OPT_TRANS, BGP_ATTR_CATS, &v);
	}
}

/* The NLRI of one list, MUP or prefixes, into a scratch writer. */
static bool
enc_nlri(struct wbuf *v, bool mup, const void *list, size_t n)
{
	const struct bgp_mup *m = list;
	const struct bgp_prefix *p = list;
	size_t i;

	for (i = 0; i < n; i++)
		if (!(mup ? bgp_mup_encode(v, &m[i]) : bgp_prefix_encode(v, &p[i])))
			return false;
	return wb_ok(v);
}

static bool
enc_mp_unreach(struct wbuf *w, uint16_t afi, uint8_t safi, bool mup,
    const void *list, size_t n)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf v;

	wb_init(&v, buf, sizeof(buf));
	wb_u16(&v, afi);
	wb_u8(&v, safi);
	if (!enc_nlri(&v, mup, list, n))
		return false;
	attr_put(w, OPT_NONTRANS, BGP_ATTR_MP_UNREACH, &v);
	return true;
}

static bool
enc_mp_reach(struct wbuf *w, uint16_t afi, uint8_t safi,
    const struct bgp_attrs *a, bool mup, const void *list, size_t n)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf v;

	if (a->nh_len != 4 && a->nh_len != 16 && a->nh_len != 32)
		return false;
	wb_init(&v, buf, sizeof(buf));
	wb_u16(&v, afi);
	wb_u8(&v, safi);
	wb_u8(&v, a->nh_len);
	wb_bytes(&v, a->nh, a->nh_len);
	wb_u8(&v, 0);			/* reserved, RFC 4760 3 */
	if (!enc_nlri(&v, mup, list, n))
		return false;
	attr_put(w, OPT_NONTRANS, BGP_ATTR_MP_REACH, &v);
	return true;
}

/*
 * One UPDATE.  Path attributes go with announcements only (a withdrawal
 * needs none, RFC 4760 4).  MP_REACH_NLRI goes last, against RFC 7606
 * 5.1's advice to put it first: gobgpd 3.10 misreads what follows a
 * short-prefix ISD (docs/wire.md, "BGP").  On false, w is as it was.
 */
static bool
enc_update(struct wbuf *w, enum bgp_af af, bool mup, const struct bgp_attrs *a,
    const void *reach, size_t nreach, const void *unreach, size_t nun)
{
	size_t start = w->len, alen_at;
	uint16_t afi;
	uint8_t safi;
	bool ok = true;

	if ((unsigned)af >= BGP_AF__COUNT || w->err ||
	    mup != (af != BGP_AF_IPV6_UNICAST) || nreach + nun == 0)
		return false;
	bgp_af_tuple(af, &afi, &safi);
	bgp_hdr_encode(w, BGP_UPDATE, 0);
	wb_u16(w, 0);			/* no IPv4 unicast withdrawals */
	alen_at = w->len;
	wb_u16(w, 0);
	if (nreach > 0)
		enc_path_attrs(w, a);
	if (nun > 0)
		ok = enc_mp_unreach(w, afi, safi, mup, unreach, nun);
	if (ok && nreach > 0) {
		enc_path_attrs_tail(w, a);
		ok = enc_mp_reach(w, afi, safi, a, mup, reach, nreach);
	}
	if (ok && w->len - alen_at - 2 <= UINT16_MAX)
		wb_set_u16(w, alen_at, (uint16_t)(w->len - alen_at - 2));
	if (ok)
		bgp_msg_finish(w, start);
	if (ok && wb_ok(w))
		return true;
	w->len = start;
	w->err = false;
	return false;
}

bool
bgp_update_encode_mup(struct wbuf *w, enum bgp_af af, const struct bgp_attrs *a,
    const struct bgp_mup *reach, size_t nreach, const struct bgp_mup *unreach,
    size_t nun)
{
	return enc_update(w, af, true, a, reach, nreach, unreach, nun);
}

bool
bgp_update_encode_prefix(struct wbuf *w, enum bgp_af af,
    const struct bgp_attrs *a, const struct bgp_prefix *reach, size_t nreach,
    const struct bgp_prefix *unreach, size_t nun)
{
	return enc_update(w, af, false, a, reach, nreach, unreach, nun);
}

/* RFC 4724 2: an UPDATE whose only content is an empty MP_UNREACH_NLRI. */
bool
bgp_eor_encode(struct wbuf *w, enum bgp_af af)
{
	size_t start = w->len;
	uint16_t afi;
	uint8_t safi;

	if ((unsigned)af >= BGP_AF__COUNT)
		return false;
	bgp_af_tuple(af, &afi, &safi);
	bgp_hdr_encode(w, BGP_UPDATE, 0);
	wb_u16(w, 0);
	wb_u16(w, 6);
	attr_put_header(w, OPT_NONTRANS, BGP_ATTR_MP_UNREACH, 3);
	wb_u16(w, afi);
	wb_u8(w, safi);
	bgp_msg_finish(w, start);
	return wb_ok(w);
}

/* RFC 4360 4: type 0x00 (two-octet AS specific), subtype 0x02. */
uint64_t
bgp_rt_as2(uint16_t asn, uint32_t value)
{
	return (uint64_t)EC_SUB_RT << 48 | (uint64_t)asn << 32 | value;
}

/* ---- the MUP extended community, draft-ietf-bess-mup-safi-01 3.2 ---- */

bool
bgp_mup_ec_direct(const struct bgp_mup_ec *ec)
{
	return ec->sub <= BGP_MUP_EC_DIRECT_AS4;
}

/* The two-octet AS forms put 4 octets after it, the others 2. */
static bool
ec_as2(const struct bgp_mup_ec *ec)
{
	return ec->sub == BGP_MUP_EC_DIRECT_AS2 || ec->sub == BGP_MUP_EC_IW_AS2;
}

uint32_t
bgp_mup_ec_local(const struct bgp_mup_ec *ec)
{
	const uint8_t *v = ec->v;

	if (ec_as2(ec))
		return (uint32_t)v[2] << 24 | (uint32_t)v[3] << 16 |
		    (uint32_t)v[4] << 8 | v[5];
	return (uint32_t)v[4] << 8 | v[5];
}

int
bgp_mup_ec_str(const struct bgp_mup_ec *ec, char *buf, size_t len)
{
	const uint8_t *v = ec->v;

	if (ec_as2(ec))
		return snprintf(buf, len, "%u:%u", (unsigned)(v[0] << 8 | v[1]),
		    bgp_mup_ec_local(ec));
	if (ec->sub == BGP_MUP_EC_DIRECT_IPV4 || ec->sub == BGP_MUP_EC_IW_IPV4)
		return snprintf(buf, len, "%u.%u.%u.%u:%u", v[0], v[1], v[2],
		    v[3], bgp_mup_ec_local(ec));
	return snprintf(buf, len, "%lu:%u", (unsigned long)((uint32_t)v[0] << 24 |
	    (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]),
	    bgp_mup_ec_local(ec));
}

void
bgp_mup_ec_as2(struct bgp_mup_ec *ec, uint16_t asn, uint32_t id)
{
	ec->sub = BGP_MUP_EC_DIRECT_AS2;
	ec->v[0] = (uint8_t)(asn >> 8);
	ec->v[1] = (uint8_t)asn;
	ec->v[2] = (uint8_t)(id >> 24);
	ec->v[3] = (uint8_t)(id >> 16);
	ec->v[4] = (uint8_t)(id >> 8);
	ec->v[5] = (uint8_t)id;
}
