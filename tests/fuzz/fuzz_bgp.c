/*
 * libFuzzer harness of the BGP codec.  The input is one whole message:
 * header, then the body's decoder for its type.  Nothing may crash or read
 * out of bounds, every error must have a name and an offset inside the
 * body.  What decodes must encode and decode to the same thing: each MUP
 * NLRI and prefix through its key, an UPDATE of our families as a whole
 * (attributes we write, both NLRI lists), OPEN and NOTIFICATION.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/bgp.h"

#define MAX_ROUTES	BGP_MAX_LEN	/* a /0 prefix is one octet */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct routes {
	uint16_t	 afi;
	bool		 mup;
	size_t		 n;
	struct bgp_mup	 m[MAX_ROUTES];
	struct bgp_prefix p[MAX_ROUTES];
};

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
mup_eq(const struct bgp_mup *a, const struct bgp_mup *b)
{
	return a->afi == b->afi && a->type == b->type &&
	    memcmp(a->rd, b->rd, 8) == 0 && a->plen == b->plen &&
	    memcmp(a->prefix, b->prefix, 16) == 0 &&
	    memcmp(a->addr, b->addr, 16) == 0 && a->teid == b->teid &&
	    a->qfi == b->qfi && a->ep_len == b->ep_len &&
	    memcmp(a->ep, b->ep, 16) == 0 && a->src_len == b->src_len &&
	    memcmp(a->src, b->src, 16) == 0;
}

static bool
prefix_eq(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->plen == b->plen && memcmp(a->addr, b->addr, 16) == 0;
}

/* One NLRI through its wire form and back. */
static void
key_roundtrip(const struct bgp_mup *m)
{
	uint8_t key[256];
	struct bgp_mup d;
	enum bgp_err err;
	unsigned skipped = 0;
	struct wbuf w;
	struct cur c;
	size_t n;

	n = bgp_mup_key(m, key, sizeof(key));
	check(n > 0);
	cur_init(&c, key, n);
	check(bgp_mup_next(&c, m->afi, &d, &skipped, &err) == 1);
	check(mup_eq(m, &d) && cur_left(&c) == 0 && skipped == 0);
	check(d.tlv_len == 0);
	if (m->tlv_len == 0 || m->tlv_err != BGP_MUP_TLV_OK)
		return;
	/* with its TLVs (draft-ietf-bess-mup-safi-01 3.1.5): the same ones */
	wb_init(&w, key, sizeof(key));
	check(bgp_mup_encode(&w, m));
	cur_init(&c, key, w.len);
	check(bgp_mup_next(&c, m->afi, &d, &skipped, &err) == 1);
	check(mup_eq(m, &d) && d.tlv_len == m->tlv_len &&
	    memcmp(d.tlv, m->tlv, m->tlv_len) == 0 && d.tlv_seen == m->tlv_seen);
}

static void
prefix_roundtrip(const struct bgp_prefix *p, uint16_t afi)
{
	uint8_t key[32];
	struct bgp_prefix d;
	enum bgp_err err;
	struct wbuf w;
	struct cur c;

	wb_init(&w, key, sizeof(key));
	check(bgp_prefix_encode(&w, p));
	cur_init(&c, key, w.len);
	check(bgp_prefix_next(&c, afi, &d, &err) == 1 && prefix_eq(p, &d));
}

/* Every NLRI of a block; false on a malformed one (a session reset). */
static bool
collect(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi,
    struct routes *r)
{
	enum bgp_err err;
	unsigned skipped = 0;
	struct cur c;
	int rc = 1;

	r->afi = afi;
	r->mup = safi == BGP_SAFI_MUP;
	r->n = 0;
	cur_init(&c, p, len);
	while (rc == 1 && r->n < MAX_ROUTES) {
		if (r->mup)
			rc = bgp_mup_next(&c, afi, &r->m[r->n], &skipped, &err);
		else
			rc = bgp_prefix_next(&c, afi, &r->p[r->n], &err);
		if (rc == 1 && r->mup)
			key_roundtrip(&r->m[r->n]);
		if (rc == 1 && !r->mup)
			prefix_roundtrip(&r->p[r->n], afi);
		r->n += rc == 1;
	}
	if (rc == -1)
		check(err == BGP_E_NLRI && cur_off(&c) < len);
	return rc != -1;
}

/* b holds exactly the first n routes of a. */
static bool
routes_eq(const struct routes *a, const struct routes *b, size_t n)
{
	size_t i;

	if (b->n != n || n > a->n)
		return false;
	for (i = 0; i < n; i++)
		if (a->mup ? !mup_eq(&a->m[i], &b->m[i]) :
		    !prefix_eq(&a->p[i], &b->p[i]))
			return false;
	return true;
}

static bool
sid_eq(const struct bgp_srv6_sid *a, const struct bgp_srv6_sid *b)
{
	return memcmp(a->sid, b->sid, 16) == 0 && a->flags == b->flags &&
	    a->behavior == b->behavior && a->has_structure == b->has_structure &&
	    a->lb_len == b->lb_len && a->ln_len == b->ln_len &&
	    a->fun_len == b->fun_len && a->arg_len == b->arg_len &&
	    a->tpos_len == b->tpos_len && a->tpos_off == b->tpos_off;
}

static bool
cats_eq(const struct bgp_cats *a, const struct bgp_cats *b)
{
	uint8_t i;

	if (a->kind != b->kind || a->has_cs_id != b->has_cs_id ||
	    a->has_cis_id != b->has_cis_id || a->cs_id != b->cs_id ||
	    a->cis_id != b->cis_id || a->nmetrics != b->nmetrics)
		return false;
	for (i = 0; i < a->nmetrics; i++)
		if (a->metric[i].id != b->metric[i].id ||
		    a->metric[i].stat != b->metric[i].stat ||
		    a->metric[i].window_ms != b->metric[i].window_ms ||
		    memcmp(&a->metric[i].value, &b->metric[i].value,
		    sizeof(double)) != 0)
			return false;
	return true;
}

/* The attributes the encoder writes, as it writes them. */
static bool
attrs_eq(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	bool ec = (a->seen & BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES)) &&
	    (a->has_mup_ec || a->nrt > 0);

	if (a->origin != b->origin || a->as_path_len != b->as_path_len ||
	    (a->as_path_len > 0 &&
	    memcmp(a->as_path, b->as_path, a->as_path_len) != 0) ||
	    a->nh_len != b->nh_len || memcmp(a->nh, b->nh, a->nh_len) != 0)
		return false;
	if ((a->seen & BGP_SEEN(BGP_ATTR_LOCAL_PREF)) &&
	    a->local_pref != b->local_pref)
		return false;
	if (ec && (a->has_mup_ec != b->has_mup_ec || a->nrt != b->nrt ||
	    memcmp(&a->mup_ec, &b->mup_ec, sizeof(a->mup_ec)) != 0 ||
	    memcmp(a->rt, b->rt, sizeof(a->rt[0]) * a->nrt) != 0))
		return false;
	if ((a->seen & BGP_SEEN_PREFIX_SID) && !sid_eq(&a->sid, &b->sid))
		return false;
	return !(a->seen & BGP_SEEN_CATS) || cats_eq(&a->cats, &b->cats);
}

static struct routes reach, unreach, reach2, unreach2;

/* A usable UPDATE of one of our families, written again and read back. */
static void
update_roundtrip(const struct bgp_update *u, bool as4)
{
	static uint8_t out[BGP_MAX_LEN];
	struct bgp_update d;
	struct wbuf w;
	int af = bgp_af_of(u->a.reach_afi, u->a.reach_safi);
	size_t nun;
	bool ok;

	if (af < 0 || reach.n == 0 || u->action > BGP_ACT_ATTR_DISCARD)
		return;
	nun = u->a.unreach_afi == u->a.reach_afi &&
	    u->a.unreach_safi == u->a.reach_safi ? unreach.n : 0;
	wb_init(&w, out, sizeof(out));
	if (reach.mup)
		ok = bgp_update_encode_mup(&w, (enum bgp_af)af, &u->a, reach.m,
		    reach.n, unreach.m, nun);
	else
		ok = bgp_update_encode_prefix(&w, (enum bgp_af)af, &u->a,
		    reach.p, reach.n, unreach.p, nun);
	/* Only a Prefix-SID without a SID can grow (we always write one). */
	if (!ok) {
		check(u->a.seen & BGP_SEEN_PREFIX_SID);
		return;
	}
	bgp_update_decode(out + BGP_HDR_LEN, w.len - BGP_HDR_LEN, as4, &d);
	check(d.err == BGP_OK && attrs_eq(&u->a, &d.a));
	check(collect(d.a.reach, d.a.reach_len, d.a.reach_afi, d.a.reach_safi,
	    &reach2) && routes_eq(&reach, &reach2, reach.n));
	check(collect(d.a.unreach, d.a.unreach_len, d.a.unreach_afi,
	    d.a.unreach_safi, &unreach2) && routes_eq(&unreach, &unreach2, nun));
}

static void
fuzz_update(const uint8_t *body, size_t len, bool as4)
{
	struct bgp_update u;

	bgp_update_decode(body, len, as4, &u);
	check(bgp_err_name(u.err) != NULL && u.off <= len);
	check((u.err == BGP_OK) == (u.action == BGP_ACT_NONE));
	if (u.action == BGP_ACT_SESSION_RESET)
		return;
	if (!collect(u.a.reach, u.a.reach_len, u.a.reach_afi, u.a.reach_safi,
	    &reach))
		return;
	if (!collect(u.a.unreach, u.a.unreach_len, u.a.unreach_afi,
	    u.a.unreach_safi, &unreach))
		return;
	update_roundtrip(&u, as4);
}

static void
fuzz_open(const uint8_t *body, size_t len)
{
	static uint8_t out[BGP_MAX_LEN];
	struct bgp_open o, d;
	struct wbuf w;
	size_t off;

	if (bgp_open_decode(body, len, &o, &off) != BGP_OK) {
		check(off <= len);
		return;
	}
	wb_init(&w, out, sizeof(out));
	check(bgp_open_encode(&w, &o));
	check(bgp_open_decode(out + BGP_HDR_LEN, w.len - BGP_HDR_LEN, &d,
	    &off) == BGP_OK);
	check(d.as == o.as && d.hold == o.hold && d.id == o.id &&
	    d.afs == o.afs && d.as4 && d.route_refresh);
}

static void
fuzz_notif(const uint8_t *body, size_t len)
{
	static uint8_t out[2 * BGP_MAX_LEN];
	struct bgp_notif n, d;
	struct wbuf w;

	if (bgp_notif_decode(body, len, &n) != BGP_OK)
		return;
	wb_init(&w, out, sizeof(out));
	check(bgp_notif_encode(&w, &n));
	check(bgp_notif_decode(out + BGP_HDR_LEN, w.len - BGP_HDR_LEN,
	    &d) == BGP_OK);
	check(d.code == n.code && d.subcode == n.subcode && d.len == n.len &&
	    memcmp(d.data, n.data, n.len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t len, afi;
	uint8_t type, safi;
	enum bgp_err e;

	if (size < BGP_HDR_LEN)
		return 0;
	e = bgp_hdr_decode(data, size, &type, &len);
	check(bgp_err_action(e) == (e == BGP_OK ? BGP_ACT_NONE :
	    BGP_ACT_SESSION_RESET));
	if (e != BGP_OK || len > size)
		return 0;
	data += BGP_HDR_LEN;
	len -= BGP_HDR_LEN;
	switch (type) {
	case BGP_OPEN:
		fuzz_open(data, len);
		break;
	case BGP_UPDATE:
		fuzz_update(data, len, size & 1);
		break;
	case BGP_NOTIFICATION:
		fuzz_notif(data, len);
		break;
	case BGP_ROUTE_REFRESH:
		bgp_refresh_decode(data, len, &afi, &safi);
		break;
	}
	return 0;
}
