/*
 * Tests of the BGP codec: byte-exact vectors for every message type, each
 * MUP route type in both families, prefixes and every attribute we write;
 * an UPDATE laid out by hand from the specifications; and a table of named
 * malformed messages, each with the error, RFC 7606 action and message
 * offset it must give.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/bgp.h"
#include "testutil.h"
#include "bgp_vectors.h"

static void
expect_bytes(const char *name, const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[BGP_MAX_LEN];
	char g[2 * BGP_MAX_LEN + 1];
	size_t wlen = hex(want, w, sizeof(w));

	if (wlen != len || memcmp(w, got, len) != 0) {
		bin2hex(got, len, g);
		fail_msg("%s: got %s", name, g);
	}
}

/* ------------------------------------------------------------------ */
/* OPEN, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH                        */

static void
test_open(void **state)
{
	struct bgp_open o = { .as = 65001, .hold = 90, .id = 0x0a000001,
	    .afs = 1u << BGP_AF_IPV4_MUP | 1u << BGP_AF_IPV6_MUP };
	struct bgp_open d;
	uint8_t b[128];
	struct wbuf w;
	uint8_t type;
	uint16_t len;
	size_t off;

	(void)state;
	wb_init(&w, b, sizeof(b));
	assert_true(bgp_open_encode(&w, &o));
	expect_bytes("open", b, w.len, open_hex);
	assert_int_equal(bgp_hdr_decode(b, w.len, &type, &len), BGP_OK);
	assert_int_equal(type, BGP_OPEN);
	assert_int_equal(len, w.len);
	assert_int_equal(bgp_open_decode(b + BGP_HDR_LEN, len - BGP_HDR_LEN, &d,
	    &off), BGP_OK);
	assert_int_equal(d.version, 4);
	assert_int_equal(d.as, 65001);
	assert_int_equal(d.hold, 90);
	assert_int_equal(d.id, 0x0a000001);
	assert_int_equal(d.afs, o.afs);
	assert_true(d.as4 && d.route_refresh);
	assert_int_equal(d.unknown_caps, 0);

	/* A 4-octet AS: AS_TRANS in My AS, the real one in the capability. */
	o.as = 4200000001u;
	o.afs = 1u << BGP_AF_IPV6_UNICAST;
	wb_init(&w, b, sizeof(b));
	assert_true(bgp_open_encode(&w, &o));
	assert_int_equal(b[20] << 8 | b[21], BGP_AS_TRANS);
	assert_int_equal(bgp_open_decode(b + BGP_HDR_LEN, w.len - BGP_HDR_LEN,
	    &d, &off), BGP_OK);
	assert_int_equal(d.as, 4200000001u);
	assert_int_equal(d.afs, 1u << BGP_AF_IPV6_UNICAST);
}

/* Unknown capabilities and MP families we do not speak are ignored;
 * several parameters, no capability at all, hold 0 are all fine. */
static void
test_open_lenient(void **state)
{
	uint8_t b[128];
	struct bgp_open d;
	size_t len, off;

	(void)state;
	len = hex("04 fde9 0000 0a000001 10"
	    "02 06 46 00 40 02 0078"		/* enhanced RR, graceful restart */
	    "02 06 01 04 0001 00 01",		/* ipv4-unicast: not ours */
	    b, sizeof(b));
	assert_int_equal(bgp_open_decode(b, len, &d, &off), BGP_OK);
	assert_int_equal(d.unknown_caps, 2);
	assert_int_equal(d.afs, 0);
	assert_false(d.as4);
	assert_int_equal(d.as, 65001);
	assert_int_equal(d.hold, 0);
	len = hex("04 fde9 0003 0a000001 00", b, sizeof(b));
	assert_int_equal(bgp_open_decode(b, len, &d, &off), BGP_OK);
}

static void
test_small_messages(void **state)
{
	static const uint8_t data[] = { 0x00, 0x02 };
	struct bgp_notif n = { .code = 6, .subcode = 2, .data = data,
	    .len = sizeof(data) }, d;
	uint8_t b[64];
	struct wbuf w;
	uint16_t afi;
	uint8_t safi;

	(void)state;
	wb_init(&w, b, sizeof(b));
	assert_true(bgp_keepalive_encode(&w));
	expect_bytes("keepalive", b, w.len, MARKER "0013 04");

	wb_init(&w, b, sizeof(b));
	assert_true(bgp_notif_encode(&w, &n));
	expect_bytes("notification", b, w.len, MARKER "0017 03 06 02 0002");
	assert_int_equal(bgp_notif_decode(b + 19, w.len - 19, &d), BGP_OK);
	assert_int_equal(d.code, 6);
	assert_int_equal(d.subcode, 2);
	assert_int_equal(d.len, 2);
	assert_memory_equal(d.data, data, 2);
	assert_int_equal(bgp_notif_decode(b + 19, 1, &d), BGP_E_NOTIF);

	wb_init(&w, b, sizeof(b));
	assert_true(bgp_refresh_encode(&w, BGP_AF_IPV6_MUP));
	expect_bytes("route-refresh", b, w.len, MARKER "0017 05 0002 00 55");
	assert_int_equal(bgp_refresh_decode(b + 19, 4, &afi, &safi), BGP_OK);
	assert_int_equal(afi, 2);
	assert_int_equal(safi, 85);
	assert_false(bgp_refresh_encode(&w, BGP_AF__COUNT));

	/* A writer too small fails as a whole. */
	wb_init(&w, b, 18);
	assert_false(bgp_keepalive_encode(&w));
}

/* ------------------------------------------------------------------ */
/* MUP NLRI and prefixes                                               */

static void
mup_build(struct bgp_mup *m, const struct mupvec *v)
{
	memset(m, 0, sizeof(*m));
	m->afi = v->afi;
	m->type = v->type;
	hex(RD, m->rd, sizeof(m->rd));
	m->plen = v->plen;
	if (v->type == BGP_MUP_DSD)
		hex(v->prefix, m->addr, sizeof(m->addr));
	else if (v->prefix != NULL)
		hex(v->prefix, m->prefix, sizeof(m->prefix));
	m->teid = v->teid;
	m->qfi = v->qfi;
	m->ep_len = v->ep_len;
	if (v->ep != NULL)
		hex(v->ep, m->ep, sizeof(m->ep));
	m->src_len = v->src_len;
	if (v->src != NULL)
		hex(v->src, m->src, sizeof(m->src));
}

static void
assert_mup_equal(const struct bgp_mup *a, const struct bgp_mup *b)
{
	assert_int_equal(a->afi, b->afi);
	assert_int_equal(a->type, b->type);
	assert_memory_equal(a->rd, b->rd, 8);
	assert_int_equal(a->plen, b->plen);
	assert_memory_equal(a->prefix, b->prefix, 16);
	assert_memory_equal(a->addr, b->addr, 16);
	assert_int_equal(a->teid, b->teid);
	assert_int_equal(a->qfi, b->qfi);
	assert_int_equal(a->ep_len, b->ep_len);
	assert_memory_equal(a->ep, b->ep, 16);
	assert_int_equal(a->src_len, b->src_len);
	assert_memory_equal(a->src, b->src, 16);
}

static void
test_mup_vectors(void **state)
{
	uint8_t b[256], key[256];
	struct bgp_mup m, d;
	enum bgp_err err;
	unsigned skipped = 0;
	struct wbuf w;
	struct cur c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mupvecs) / sizeof(mupvecs[0]); i++) {
		const struct mupvec *v = &mupvecs[i];

		mup_build(&m, v);
		wb_init(&w, b, sizeof(b));
		assert_true(bgp_mup_encode(&w, &m));
		expect_bytes(v->name, b, w.len, v->hex);
		assert_int_equal(bgp_mup_key(&m, key, sizeof(key)), w.len);
		assert_memory_equal(key, b, w.len);
		assert_int_equal(bgp_mup_key(&m, key, w.len - 1), 0);
		cur_init(&c, b, w.len);
		assert_int_equal(bgp_mup_next(&c, v->afi, &d, &skipped, &err), 1);
		assert_mup_equal(&m, &d);
		assert_int_equal(bgp_mup_next(&c, v->afi, &d, &skipped, &err), 0);
	}
	assert_int_equal(skipped, 0);
}

/* A T1ST whose source is given as length 0 is the same route as one
 * without the source fields (the form gobgpd 3.10 sends and reads). */
static void
test_t1st_source_forms(void **state)
{
	uint8_t b[128];
	struct bgp_mup d;
	enum bgp_err err;
	unsigned skipped = 0;
	struct cur c;
	size_t len;

	(void)state;
	len = hex("01 0003 18" RD "20 0a000001 00001234 09 20 c0000201 00", b,
	    sizeof(b));
	cur_init(&c, b, len);
	assert_int_equal(bgp_mup_next(&c, 1, &d, &skipped, &err), 1);
	assert_int_equal(d.src_len, 0);
	assert_int_equal(d.teid, 0x1234);
	/* A source length but no address is still malformed. */
	len = hex("01 0003 18" RD "20 0a000001 00001234 09 20 c0000201 20", b,
	    sizeof(b));
	cur_init(&c, b, len);
	assert_int_equal(bgp_mup_next(&c, 1, &d, &skipped, &err), -1);
	assert_int_equal(err, BGP_E_NLRI);
}

/* An unknown architecture or route type is stepped over, not refused. */
static void
test_mup_unknown(void **state)
{
	uint8_t b[128];
	struct bgp_mup d;
	enum bgp_err err;
	unsigned skipped = 0;
	struct cur c;
	size_t len;

	(void)state;
	len = hex("02 0002 0c" RD "c0000201"		/* architecture 2 */
	    "01 0005 03 aabbcc"				/* route type 5 (CMU?) */
	    "01 0002 0c" RD "c0000202", b, sizeof(b));
	cur_init(&c, b, len);
	assert_int_equal(bgp_mup_next(&c, 1, &d, &skipped, &err), 1);
	assert_int_equal(skipped, 2);
	assert_int_equal(d.type, BGP_MUP_DSD);
	assert_int_equal(d.addr[3], 2);
	assert_int_equal(bgp_mup_next(&c, 1, &d, &skipped, &err), 0);
	/* Only unknown ones: the end, all counted. */
	cur_init(&c, b, 23);
	assert_int_equal(bgp_mup_next(&c, 1, &d, &skipped, &err), 0);
	assert_int_equal(skipped, 4);
	/* An AFI that has no address size cannot be read. */
	cur_init(&c, b + 23, len - 23);
	assert_int_equal(bgp_mup_next(&c, 3, &d, &skipped, &err), -1);
	assert_int_equal(err, BGP_E_NLRI);
	assert_int_equal(cur_off(&c), 0);
}

static void
test_prefix(void **state)
{
	struct bgp_prefix p = { 0 }, d;
	uint8_t b[64];
	enum bgp_err err;
	struct wbuf w;
	struct cur c;
	size_t len;

	(void)state;
	/* /33 with bits past the length: they are not sent. */
	p.plen = 33;
	hex("20010db8ffffffffffff", p.addr, sizeof(p.addr));
	wb_init(&w, b, sizeof(b));
	assert_true(bgp_prefix_encode(&w, &p));
	p.plen = 0;
	assert_true(bgp_prefix_encode(&w, &p));
	p.plen = 128;
	assert_true(bgp_prefix_encode(&w, &p));
	expect_bytes("prefixes", b, w.len, "21 20010db880 00"
	    "80 20010db8ffffffffffff000000000000");
	cur_init(&c, b, w.len);
	assert_int_equal(bgp_prefix_next(&c, 2, &d, &err), 1);
	assert_int_equal(d.plen, 33);
	assert_int_equal(d.addr[4], 0x80);
	assert_int_equal(d.addr[5], 0);
	assert_int_equal(bgp_prefix_next(&c, 2, &d, &err), 1);
	assert_int_equal(d.plen, 0);
	assert_int_equal(bgp_prefix_next(&c, 2, &d, &err), 1);
	assert_int_equal(d.plen, 128);
	assert_int_equal(bgp_prefix_next(&c, 2, &d, &err), 0);
	/* Received with host bits set: lenient, masked. */
	len = hex("1f 0a0b0cff", b, sizeof(b));
	cur_init(&c, b, len);
	assert_int_equal(bgp_prefix_next(&c, 1, &d, &err), 1);
	assert_int_equal(d.addr[3], 0xfe);
	/* Longer than the family, or cut short. */
	len = hex("21 0a0b0c0d0e", b, sizeof(b));
	cur_init(&c, b, len);
	assert_int_equal(bgp_prefix_next(&c, 1, &d, &err), -1);
	assert_int_equal(err, BGP_E_NLRI);
	len = hex("18 0a0b", b, sizeof(b));
	cur_init(&c, b, len);
	assert_int_equal(bgp_prefix_next(&c, 1, &d, &err), -1);
	p.plen = 129;
	assert_false(bgp_prefix_encode(&w, &p));
}

static void
test_mup_encode_refuses(void **state)
{
	struct bgp_mup m;
	uint8_t b[128];
	struct wbuf w;

	(void)state;
	mup_build(&m, &mupvecs[0]);
	m.plen = 33;				/* ISD v4 /33 */
	wb_init(&w, b, sizeof(b));
	assert_false(bgp_mup_encode(&w, &m));
	mup_build(&m, &mupvecs[8]);
	m.ep_len = 65;				/* T2ST: 33 TEID bits */
	assert_false(bgp_mup_encode(&w, &m));
	mup_build(&m, &mupvecs[5]);
	m.ep_len = 24;				/* T1ST endpoint */
	assert_false(bgp_mup_encode(&w, &m));
	m.ep_len = 32;
	m.afi = 3;
	assert_false(bgp_mup_encode(&w, &m));
	assert_int_equal(w.len, 0);
}

/* ------------------------------------------------------------------ */
/* UPDATE                                                              */

static void
fill_dsd_attrs(struct bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH) |
	    BGP_SEEN(BGP_ATTR_LOCAL_PREF) | BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES) |
	    BGP_SEEN_PREFIX_SID | BGP_SEEN_CATS;
	a->local_pref = 100;
	a->has_mup_ec = true;
	bgp_mup_ec_as2(&a->mup_ec, 65000, 7);
	a->nrt = 1;
	a->rt[0] = bgp_rt_as2(65000, 1);
	hex("20010db800e10000 0000000000000000", a->sid.sid, 16);
	a->sid.behavior = 0x12;
	a->sid.has_structure = true;
	a->sid.lb_len = 32;
	a->sid.ln_len = 16;
	a->sid.fun_len = 16;
	a->cats.has_cis_id = true;
	a->cats.cis_id = 101;
	a->cats.nmetrics = 1;
	a->cats.metric[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_MEAN,
	    1000, 0.5 };
	a->nh_len = 16;
	hex("20010db800e10000 0000000000000001", a->nh, 16);
}

static void
test_hand_dsd(void **state)
{
	uint8_t b[BGP_MAX_LEN], out[BGP_MAX_LEN];
	struct bgp_update u;
	struct bgp_attrs a;
	struct bgp_mup m, d;
	enum bgp_err err;
	unsigned skipped = 0;
	struct wbuf w;
	struct cur c;
	uint16_t len;
	uint8_t type;
	size_t n;

	(void)state;
	n = hex(hand_dsd, b, sizeof(b));
	assert_int_equal(n, 173);
	assert_int_equal(bgp_hdr_decode(b, n, &type, &len), BGP_OK);
	assert_int_equal(type, BGP_UPDATE);
	bgp_update_decode(b + 19, len - 19, true, &u);
	assert_int_equal(u.err, BGP_OK);
	assert_int_equal(u.action, BGP_ACT_NONE);
	assert_int_equal(u.a.origin, 0);
	assert_int_equal(u.a.as_path_len, 0);
	assert_int_equal(u.a.local_pref, 100);
	assert_true(u.a.has_mup_ec);
	assert_int_equal(u.a.mup_ec.sub, BGP_MUP_EC_DIRECT_AS2);
	assert_int_equal(bgp_mup_ec_local(&u.a.mup_ec), 7);
	assert_int_equal(u.a.nrt, 1);
	assert_int_equal(u.a.rt[0], bgp_rt_as2(65000, 1));
	assert_int_equal(u.a.rt[0], 0x0002fde800000001ull);
	assert_int_equal(u.a.sid.behavior, 0x12);
	assert_int_equal(u.a.sid.sid[5], 0xe1);
	assert_true(u.a.sid.has_structure);
	assert_int_equal(u.a.sid.lb_len, 32);
	assert_int_equal(u.a.sid.fun_len, 16);
	assert_true(u.a.cats.has_cis_id);
	assert_false(u.a.cats.has_cs_id);
	assert_int_equal(u.a.cats.cis_id, 101);
	assert_int_equal(u.a.cats.nmetrics, 1);
	assert_int_equal(u.a.cats.metric[0].id, CATS_M_UTIL);
	assert_int_equal(u.a.cats.metric[0].stat, CATS_STAT_MEAN);
	assert_int_equal(u.a.cats.metric[0].window_ms, 1000);
	assert_true(u.a.cats.metric[0].value == 0.5);
	assert_int_equal(u.a.reach_afi, 2);
	assert_int_equal(u.a.reach_safi, 85);
	assert_int_equal(u.a.nh_len, 16);
	assert_int_equal(u.a.reach_len, 28);
	assert_ptr_equal(u.a.reach, b + 145);
	cur_init(&c, u.a.reach, u.a.reach_len);
	assert_int_equal(bgp_mup_next(&c, 2, &d, &skipped, &err), 1);
	mup_build(&m, &mupvecs[4]);
	hex("20010db800e10000 0000000000000001", m.addr, 16);
	assert_mup_equal(&m, &d);

	/* The encoder writes the same octets. */
	fill_dsd_attrs(&a);
	wb_init(&w, out, sizeof(out));
	assert_true(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, &m, 1, NULL, 0));
	assert_int_equal(w.len, n);
	assert_memory_equal(out, b, n);
}

/* A CMU (docs/wire.md): a DSD-shaped key whose RD's assigned number is
 * the CIS-ID with bit 31 set, KIND=CMU, metrics; and a withdrawal. */
static void
test_cmu_and_withdraw(void **state)
{
	uint8_t out[BGP_MAX_LEN];
	struct bgp_update u;
	struct bgp_attrs a;
	struct bgp_mup m;
	struct wbuf w;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.seen = BGP_SEEN_CATS | BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES);
	a.nrt = 1;
	a.rt[0] = bgp_rt_as2(65000, 2);
	a.cats.kind = BGP_CATS_KIND_CMU;
	a.cats.has_cs_id = a.cats.has_cis_id = true;
	a.cats.cs_id = 7;
	a.cats.cis_id = 101;
	a.cats.nmetrics = 2;
	a.cats.metric[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_CUR, 0,
	    0.25 };
	a.cats.metric[1] = (struct cats_sample){ CATS_M_PROC_DELAY,
	    CATS_STAT_MEAN, 5000, 2e6 };
	a.nh_len = 16;
	mup_build(&m, &mupvecs[4]);
	hex("0000fde8 80000065", m.rd, 8);
	wb_init(&w, out, sizeof(out));
	assert_true(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, &m, 1, NULL, 0));
	/* After ORIGIN, AS_PATH and EXT_COMMUNITIES: docs/wire.md's example. */
	expect_bytes("cmu cats attribute", out + 41, 50, cmu_cats_hex);
	bgp_update_decode(out + 19, w.len - 19, true, &u);
	assert_int_equal(u.err, BGP_OK);
	assert_int_equal(u.a.cats.kind, BGP_CATS_KIND_CMU);
	assert_int_equal(u.a.cats.cs_id, 7);
	assert_int_equal(u.a.cats.nmetrics, 2);
	assert_true(u.a.cats.metric[1].value == 2e6);
	assert_int_equal(u.a.cats.metric[1].id, CATS_M_PROC_DELAY);
	assert_false(u.a.seen & BGP_SEEN_PREFIX_SID);
	assert_false(u.a.seen & BGP_SEEN(BGP_ATTR_LOCAL_PREF));
	/* The withdrawal carries only MP_UNREACH_NLRI (RFC 4760 4). */
	wb_init(&w, out, sizeof(out));
	assert_true(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, NULL, 0, &m, 1));
	expect_bytes("withdraw", out, w.len, MARKER "0039 02 0000 0022"
	    "80 0f 1f 0002 55 01 0002 18 0000fde8 80000065"
	    "20010db8000000000000000000000002");
	bgp_update_decode(out + 19, w.len - 19, true, &u);
	assert_int_equal(u.err, BGP_OK);
	assert_int_equal(u.a.seen, BGP_SEEN(BGP_ATTR_MP_UNREACH));
	assert_int_equal(u.a.unreach_len, 28);
}

/* IPv6 unicast prefixes (the CS-ID anycast prefixes), next hop global and
 * link-local, an AS_PATH, and a MP_REACH_NLRI over 255 octets. */
static void
test_prefix_update_extlen(void **state)
{
	static const uint8_t path[] = { 2, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe9 };
	struct bgp_prefix pf[40], d;
	uint8_t out[BGP_MAX_LEN];
	struct bgp_update u;
	struct bgp_attrs a;
	enum bgp_err err;
	struct wbuf w;
	struct cur c;
	size_t i, at;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.origin = 2;
	a.as_path = path;
	a.as_path_len = sizeof(path);
	a.nh_len = 32;
	memset(a.nh, 0xfe, 32);
	for (i = 0; i < 40; i++) {
		pf[i].plen = 64;
		hex("20010db8 5e000000", pf[i].addr, 16);
		pf[i].addr[7] = (uint8_t)i;
	}
	wb_init(&w, out, sizeof(out));
	assert_true(bgp_update_encode_prefix(&w, BGP_AF_IPV6_UNICAST, &a, pf, 40,
	    pf, 2));
	/* ORIGIN @23, AS_PATH @27 (10), MP_UNREACH @40, MP_REACH @63. */
	at = 23 + 4 + 13 + 3 + 3 + 2 * 9;
	assert_int_equal(out[at], BGP_AF_OPTIONAL | BGP_AF_EXTLEN);
	assert_int_equal(out[at + 1], BGP_ATTR_MP_REACH);
	assert_int_equal(out[at + 2] << 8 | out[at + 3], 5 + 32 + 40 * 9);
	bgp_update_decode(out + 19, w.len - 19, true, &u);
	assert_int_equal(u.err, BGP_OK);
	assert_int_equal(u.a.origin, 2);
	assert_int_equal(u.a.as_path_len, sizeof(path));
	assert_memory_equal(u.a.as_path, path, sizeof(path));
	assert_int_equal(u.a.nh_len, 32);
	assert_int_equal(u.a.unreach_len, 18);
	cur_init(&c, u.a.reach, u.a.reach_len);
	for (i = 0; i < 40; i++) {
		assert_int_equal(bgp_prefix_next(&c, 2, &d, &err), 1);
		assert_int_equal(d.addr[7], i);
	}
	assert_int_equal(bgp_prefix_next(&c, 2, &d, &err), 0);
	/* Families and lists the encoder refuses. */
	assert_false(bgp_update_encode_prefix(&w, BGP_AF_IPV6_MUP, &a, pf, 1,
	    NULL, 0));
	assert_false(bgp_update_encode_mup(&w, BGP_AF_IPV6_UNICAST, &a, NULL, 0,
	    NULL, 0));
	assert_false(bgp_update_encode_prefix(&w, BGP_AF_IPV6_UNICAST, &a, NULL,
	    0, NULL, 0));
}

/* Too many routes for 4096 octets: false, and the writer as it was. */
static void
test_update_too_big(void **state)
{
	static struct bgp_mup many[200];
	uint8_t out[2 * BGP_MAX_LEN];
	struct bgp_attrs a;
	struct wbuf w;
	size_t i;

	(void)state;
	fill_dsd_attrs(&a);
	for (i = 0; i < 200; i++)
		mup_build(&many[i], &mupvecs[4]);
	wb_init(&w, out, sizeof(out));
	wb_u8(&w, 0xaa);
	assert_false(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, many, 200,
	    NULL, 0));
	assert_int_equal(w.len, 1);
	assert_true(wb_ok(&w));
	/* 140 DSDs of 28 octets fit (3920 + attributes < 4096). */
	assert_true(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, many, 140,
	    NULL, 0));
	assert_true(w.len - 1 <= BGP_MAX_LEN);
	/* A writer smaller than the message: false too. */
	wb_init(&w, out, 100);
	assert_false(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, many, 1,
	    NULL, 0));
	assert_int_equal(w.len, 0);
}

static void
test_eor(void **state)
{
	uint8_t out[64];
	struct bgp_update u;
	struct wbuf w;

	(void)state;
	wb_init(&w, out, sizeof(out));
	assert_true(bgp_eor_encode(&w, BGP_AF_IPV4_MUP));
	expect_bytes("eor", out, w.len, MARKER "001d 02 0000 0006 80 0f 03 0001 55");
	bgp_update_decode(out + 19, w.len - 19, false, &u);
	assert_int_equal(u.err, BGP_OK);
	assert_int_equal(u.a.unreach_afi, 1);
	assert_int_equal(u.a.unreach_safi, 85);
	assert_int_equal(u.a.unreach_len, 0);
	assert_int_equal(u.a.seen, BGP_SEEN(BGP_ATTR_MP_UNREACH));
	assert_false(bgp_eor_encode(&w, BGP_AF__COUNT));
}

/* Known attributes we keep but do not send, an unknown optional one, and
 * a 2-octet AS session. */
static void
test_other_attrs(void **state)
{
	uint8_t b[256];
	struct bgp_update u;
	size_t len;

	(void)state;
	len = hex("0000 003c"
	    "40 01 01 01"			/* ORIGIN EGP */
	    "40 02 04 02 01 fde8"		/* AS_PATH 65000, 2-octet */
	    "40 03 04 c0000201"			/* NEXT_HOP */
	    "80 04 04 0000000a"			/* MED 10 */
	    "40 06 00"				/* ATOMIC_AGGREGATE */
	    "c0 07 06 fde8 c0000201"		/* AGGREGATOR, 2-octet */
	    "80 09 04 0a000009"			/* ORIGINATOR_ID */
	    "80 0a 08 0a000001 0a000002"	/* CLUSTER_LIST */
	    "e0 63 02 abcd"			/* unknown optional transitive */
	    "18 0a0b0c", b, sizeof(b));		/* IPv4 NLRI 10.11.12/24 */
	bgp_update_decode(b, len, false, &u);
	assert_int_equal(u.err, BGP_OK);
	assert_int_equal(u.a.origin, 1);
	assert_int_equal(u.a.next_hop[3], 1);
	assert_int_equal(u.a.med, 10);
	assert_int_equal(u.a.originator_id, 0x0a000009);
	assert_int_equal(u.a.cluster_len, 8);
	assert_true(u.a.seen & BGP_SEEN(BGP_ATTR_ATOMIC_AGG));
	assert_true(u.a.seen & BGP_SEEN(BGP_ATTR_AGGREGATOR));
	assert_false(u.a.seen & BGP_SEEN(0x63 & 63));
	assert_int_equal(u.nlri_len, 4);
	assert_ptr_equal(u.nlri, b + len - 4);
	/* The same AGGREGATOR on a 4-octet session is discarded, not fatal. */
	bgp_update_decode(b, len, true, &u);
	assert_int_equal(u.action, BGP_ACT_TREAT_AS_WITHDRAW);
	assert_int_equal(u.err, BGP_E_AS_PATH);
	assert_int_equal(u.a.discarded, 1);
	assert_false(u.a.seen & BGP_SEEN(BGP_ATTR_AGGREGATOR));
}

/* ------------------------------------------------------------------ */
/* Malformed messages                                                  */

/*
 * The decoding a peer does: header, body, then (short of a reset) every
 * NLRI of MP_REACH_NLRI and MP_UNREACH_NLRI.  The offset is into the whole
 * message.
 */
struct outcome {
	enum bgp_err	 err;
	enum bgp_action	 act;
	size_t		 off;
};

static const size_t hdr_err_off[BGP_E_MSG_LENGTH + 1] = {
	[BGP_E_MARKER] = 0, [BGP_E_LENGTH] = 16, [BGP_E_TYPE] = 18,
	[BGP_E_MSG_LENGTH] = 16,
};

/* Walk one NLRI block; on a malformed NLRI, its offset in the message. */
static bool
walk_nlri(const uint8_t *msg, const uint8_t *p, size_t len, uint16_t afi,
    uint8_t safi, struct outcome *o)
{
	struct bgp_prefix pf;
	struct bgp_mup m;
	enum bgp_err err;
	unsigned skipped = 0;
	struct cur c;
	int rc;

	cur_init(&c, p, len);
	do
		rc = safi == BGP_SAFI_MUP ?
		    bgp_mup_next(&c, afi, &m, &skipped, &err) :
		    bgp_prefix_next(&c, afi, &pf, &err);
	while (rc == 1);
	if (rc == 0)
		return true;
	*o = (struct outcome){ err, BGP_ACT_SESSION_RESET,
	    (size_t)(p - msg) + cur_off(&c) };
	return false;
}

static void
decode_update(const uint8_t *b, uint16_t len, struct outcome *o)
{
	struct bgp_update u;

	bgp_update_decode(b + BGP_HDR_LEN, len - BGP_HDR_LEN, true, &u);
	*o = (struct outcome){ u.err, u.action, BGP_HDR_LEN + u.off };
	if (u.action == BGP_ACT_SESSION_RESET)
		return;
	if (!walk_nlri(b, u.a.reach, u.a.reach_len, u.a.reach_afi,
	    u.a.reach_safi, o))
		return;
	walk_nlri(b, u.a.unreach, u.a.unreach_len, u.a.unreach_afi,
	    u.a.unreach_safi, o);
}

static void
decode_msg(const uint8_t *b, size_t n, struct outcome *o)
{
	struct bgp_open op;
	struct bgp_notif nt;
	enum bgp_err e = BGP_OK;
	uint16_t len, afi;
	uint8_t type, safi;
	size_t off = 0;

	memset(o, 0, sizeof(*o));
	e = bgp_hdr_decode(b, n, &type, &len);
	if (e != BGP_OK) {
		*o = (struct outcome){ e, bgp_err_action(e), hdr_err_off[e] };
		return;
	}
	switch (type) {
	case BGP_OPEN:
		e = bgp_open_decode(b + 19, len - 19, &op, &off);
		break;
	case BGP_UPDATE:
		decode_update(b, len, o);
		return;
	case BGP_NOTIFICATION:
		e = bgp_notif_decode(b + 19, len - 19, &nt);
		break;
	case BGP_ROUTE_REFRESH:
		e = bgp_refresh_decode(b + 19, len - 19, &afi, &safi);
		break;
	}
	if (e != BGP_OK)
		*o = (struct outcome){ e, bgp_err_action(e), 19 + off };
}

/*
 * One line per case a peer can send in Established (not OPEN nor
 * NOTIFICATION): "bad NAME ACTION CODE SUBCODE HEX ERROR", where ACTION is
 * reset, withdraw, discard or none, CODE/SUBCODE the NOTIFICATION a reset
 * sends and ERROR the reason's name (several words) to the end.
 */
static void
print_case(const struct bad *t, const uint8_t *b, size_t len, char *h)
{
	static const char *const act[] = { "none", "discard", "withdraw",
	    "reset" };
	uint8_t code = 0, sub = 0;

	if (t->kind == OPEN || t->kind == NOTIF)
		return;
	if (t->act == BGP_ACT_SESSION_RESET)
		bgp_err_notif(t->err, &code, &sub);
	bin2hex(b, len, h);
	printf("bad %s %s %u %u %s %s\n", t->name, act[t->act], code, sub, h,
	    bgp_err_name(t->err));
}

static void
test_malformed(void **state)
{
	uint8_t b[BGP_MAX_LEN];
	char h[2 * BGP_MAX_LEN + 1];
	struct outcome o;
	size_t i, len;
	bool gen = getenv("CATS_BGP_GEN_BAD") != NULL;
	bool table = getenv("CATS_BGP_BAD_TABLE") != NULL;

	(void)state;
	assert_true(sizeof(bads) / sizeof(bads[0]) >= 30);
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *t = &bads[i];

		len = bad_bytes(t, b, sizeof(b));
		if (gen) {	/* seeds for tests/fuzz/seeds/bgp.hex */
			bin2hex(b, len, h);
			printf("%s %s\n", t->name, h);
			continue;
		}
		if (table) {	/* what tests/sh/bgp.sh sends a running catsd */
			print_case(t, b, len, h);
			continue;
		}
		decode_msg(b, len, &o);
		if (o.err != t->err || o.act != t->act || o.off != t->off)
			fail_msg("%s: got \"%s\" action %d at %zu, want \"%s\" "
			    "action %d at %zu", t->name, bgp_err_name(o.err),
			    o.act, o.off, bgp_err_name(t->err), t->act, t->off);
		assert_string_not_equal(bgp_err_name(o.err), "unknown error");
	}
}

/* Every error has a name, an action, and a NOTIFICATION if it resets. */
static void
test_names(void **state)
{
	uint8_t code, sub;
	int e;

	(void)state;
	for (e = 1; e < BGP_E__COUNT; e++) {
		assert_string_not_equal(bgp_err_name((enum bgp_err)e), "unknown error");
		assert_int_not_equal(bgp_err_action((enum bgp_err)e), BGP_ACT_NONE);
		bgp_err_notif((enum bgp_err)e, &code, &sub);
		assert_true(code >= BGP_NC_HEADER && code <= BGP_NC_ROUTE_REFRESH);
	}
	assert_string_equal(bgp_err_name(BGP_E__COUNT), "unknown error");
	bgp_err_notif(BGP_E_MARKER, &code, &sub);
	assert_true(code == 1 && sub == 1);
	bgp_err_notif(BGP_E_OPEN_HOLD, &code, &sub);
	assert_true(code == 2 && sub == 6);
	bgp_err_notif(BGP_E_NLRI, &code, &sub);
	assert_true(code == 3 && sub == 10);
	bgp_err_notif(BGP_E_MP_DUP, &code, &sub);
	assert_true(code == 3 && sub == 1);
	assert_string_equal(bgp_type_name(BGP_ROUTE_REFRESH), "route-refresh");
	assert_string_equal(bgp_type_name(9), "unknown");
	assert_string_equal(bgp_af_name(BGP_AF_IPV6_MUP), "ipv6-mup");
	assert_int_equal(bgp_af_of(2, 85), BGP_AF_IPV6_MUP);
	assert_int_equal(bgp_af_of(1, 1), -1);
	for (e = 0; e < BGP_AF__COUNT; e++) {
		uint16_t afi;
		uint8_t safi;

		bgp_af_tuple((enum bgp_af)e, &afi, &safi);
		assert_int_equal(bgp_af_of(afi, safi), e);
	}
	assert_int_equal(bgp_rt_as2(65000, 1), 0x0002fde800000001ull);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_open_lenient),
		cmocka_unit_test(test_small_messages),
		cmocka_unit_test(test_mup_vectors),
		cmocka_unit_test(test_mup_unknown),
		cmocka_unit_test(test_t1st_source_forms),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_mup_encode_refuses),
		cmocka_unit_test(test_hand_dsd),
		cmocka_unit_test(test_cmu_and_withdraw),
		cmocka_unit_test(test_prefix_update_extlen),
		cmocka_unit_test(test_update_too_big),
		cmocka_unit_test(test_eor),
		cmocka_unit_test(test_other_attrs),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("bgp", tests, NULL, NULL);
}
