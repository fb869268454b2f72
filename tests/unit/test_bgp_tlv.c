/*
 * What draft-ietf-bess-mup-safi-01 added: the TLVs after a session
 * transformed route (3.1.5) and the six MUP extended community sub-types
 * (3.2).  Byte-exact vectors laid out by hand from the draft, each
 * decoded and encoded again; the named malformed TLVs and the route each
 * leaves (treat-as-withdraw of that route, its key being sound); TLVs
 * kept outside the key through the RIB, replaced when they change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/bgp.h"
#include "catsctl/bgp_route.h"
#include "testutil.h"

#define RD	"0000fde8 00000064"		/* 65000:100 */

static size_t
hx(const char *h, uint8_t *out, size_t cap)
{
	size_t n = hex2bin(h, out, cap);

	assert_true(n != (size_t)-1);
	return n;
}

static bool
contains(const uint8_t *p, size_t n, const uint8_t *q, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(p + i, q, m) == 0)
			return true;
	return false;
}

/* One NLRI decoded: 1, the route in *m. */
static int
decode1(const uint8_t *b, size_t len, uint16_t afi, struct bgp_mup *m)
{
	unsigned skipped = 0;
	enum bgp_err err;
	struct cur c;
	int rc;

	cur_init(&c, b, len);
	rc = bgp_mup_next(&c, afi, m, &skipped, &err);
	if (rc == 1)
		assert_true(cur_done(&c));
	return rc;
}

static void
same_again(const struct bgp_mup *m, const uint8_t *b, size_t len)
{
	uint8_t out[300];
	struct wbuf w;

	wb_init(&w, out, sizeof(out));
	assert_true(bgp_mup_encode(&w, m));
	assert_int_equal(w.len, len);
	assert_memory_equal(out, b, len);
}

/* 3.1.5.1: a T2ST (IPv6, TEID 100) with the session parameters TLV. */
static void
test_t2st_session(void **state)
{
	static const char v[] = "01 0004 24" RD "a0"
	    "20010db8 00000000 00000000 00000099" "00000064"
	    "01 05 00000064 09";
	uint8_t b[128], key[128];
	struct bgp_mup m;
	size_t n, k;

	(void)state;
	n = hx(v, b, sizeof(b));
	assert_int_equal(decode1(b, n, BGP_AFI_IPV6, &m), 1);
	assert_int_equal(m.type, BGP_MUP_T2ST);
	assert_int_equal(m.teid, 100);
	assert_int_equal(m.tlv_err, BGP_MUP_TLV_OK);
	assert_int_equal(m.tlv_len, 7);
	assert_int_equal(m.tlv_seen, BGP_MUP_TLV_BIT(BGP_MUP_TLV_SESSION));
	assert_int_equal(m.sp_teid, 100);
	assert_int_equal(m.sp_qfi, 9);
	same_again(&m, b, n);
	/* the key is the route without its TLVs, its length 7 less */
	k = bgp_mup_key(&m, key, sizeof(key));
	assert_int_equal(k, n - 7);
	assert_int_equal(key[3], 0x24 - 7);
	assert_memory_equal(key + 4, b + 4, k - 4);
}

/* 3.1.5.2, 3.1.5.3: a T1ST (IPv4) with a source length of 0 written
 * out, then the interwork endpoint and source address TLVs. */
static void
test_t1st_addresses(void **state)
{
	static const char v[] = "01 0003 23" RD "18 0a0101" "000003e8" "05"
	    "20 c0000201" "00" "02 04 c0000202" "03 04 c0000203";
	static const char key_v[] = "01 0003 16" RD "18 0a0101" "000003e8"
	    "05" "20 c0000201";
	uint8_t b[128], key[128], want[128];
	struct bgp_mup m;
	size_t n, k;

	(void)state;
	n = hx(v, b, sizeof(b));
	assert_int_equal(decode1(b, n, BGP_AFI_IPV4, &m), 1);
	assert_int_equal(m.src_len, 0);
	assert_int_equal(m.qfi, 5);
	assert_int_equal(m.tlv_seen, BGP_MUP_TLV_BIT(BGP_MUP_TLV_INTERWORK) |
	    BGP_MUP_TLV_BIT(BGP_MUP_TLV_SOURCE));
	assert_int_equal(m.iw_len, 4);
	assert_int_equal(m.iw[3], 2);
	assert_int_equal(m.sa_len, 4);
	assert_int_equal(m.sa[3], 3);
	same_again(&m, b, n);
	/* without TLVs the source length is left out again (gobgpd 3.10) */
	k = bgp_mup_key(&m, key, sizeof(key));
	assert_int_equal(k, hx(key_v, want, sizeof(want)));
	assert_memory_equal(key, want, k);
}

/* 3.1.3: a TLV of a type we do not know is kept and passed on as is. */
static void
test_unknown_kept(void **state)
{
	static const char v[] = "01 0004 16" RD "40 c0000299" "00000064"
	    "c8 03 aabbcc";
	uint8_t b[128];
	struct bgp_mup m;
	size_t n;

	(void)state;
	n = hx(v, b, sizeof(b));
	assert_int_equal(decode1(b, n, BGP_AFI_IPV4, &m), 1);
	assert_int_equal(m.tlv_err, BGP_MUP_TLV_OK);
	assert_int_equal(m.tlv_seen, 0);
	assert_int_equal(m.tlv_len, 5);
	same_again(&m, b, n);
}

/* The named malformed TLVs: each leaves a route with a sound key and
 * the error that makes its receiver withdraw it (docs/wire.md 8.5). */
static void
test_malformed(void **state)
{
	static const struct {
		const char	*name, *tlvs;
		enum bgp_mup_tlv_err err;
	} t[] = {
		{ "runs past the NLRI", "01 09 00000064 09", BGP_MUP_TLV_E_TRUNC },
		{ "one octet left", "01", BGP_MUP_TLV_E_TRUNC },
		{ "length 0", "c8 00", BGP_MUP_TLV_E_EMPTY },
		{ "session parameters of 4", "01 04 00000064",
		  BGP_MUP_TLV_E_LEN },
		{ "source address of 5", "03 05 c000020300", BGP_MUP_TLV_E_LEN },
		{ "interwork endpoint twice", "02 04 c0000202 02 04 c0000202",
		  BGP_MUP_TLV_E_DUP },
	};
	char v[256];
	uint8_t b[128];
	struct bgp_mup m;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t tl[64];
		size_t tn = hx(t[i].tlvs, tl, sizeof(tl));

		snprintf(v, sizeof(v), "01 0004 %02zx" RD "40 c0000299"
		    "00000064 %s", 17 + tn, t[i].tlvs);
		n = hx(v, b, sizeof(b));
		if (decode1(b, n, BGP_AFI_IPV4, &m) != 1)
			fail_msg("%s: the route itself is sound", t[i].name);
		if (m.tlv_err != t[i].err)
			fail_msg("%s: %s, want %s", t[i].name,
			    bgp_mup_tlv_strerror(m.tlv_err),
			    bgp_mup_tlv_strerror(t[i].err));
		assert_int_equal(m.teid, 100);
	}
}

/* 3.2: each sub-type, its 8 octets in an UPDATE and back. */
static void
test_ec_subtypes(void **state)
{
	static const struct {
		const char	*ec, *str;
		bool		 direct;
		uint32_t	 local;
	} t[] = {
		{ "0c00 fde8 00000007", "65000:7", true, 7 },
		{ "0c01 c0000201 0007", "192.0.2.1:7", true, 7 },
		{ "0c02 fa56ea00 0007", "4200000000:7", true, 7 },
		{ "0c03 fde8 00000007", "65000:7", false, 7 },
		{ "0c04 c0000201 0007", "192.0.2.1:7", false, 7 },
		{ "0c05 fa56ea00 0009", "4200000000:9", false, 9 },
	};
	uint8_t out[BGP_MAX_LEN], ec[8];
	struct bgp_attrs a;
	struct bgp_update u;
	struct bgp_mup m;
	struct wbuf w;
	char s[64];
	size_t i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.afi = BGP_AFI_IPV6;
	m.type = BGP_MUP_DSD;
	m.addr[15] = 2;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH) |
		    BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES);
		a.nh_len = 16;
		a.nh[15] = 1;
		hx(t[i].ec, ec, sizeof(ec));
		a.has_mup_ec = true;
		a.mup_ec.sub = ec[1];
		memcpy(a.mup_ec.v, ec + 2, 6);
		wb_init(&w, out, sizeof(out));
		assert_true(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, &m,
		    1, NULL, 0));
		/* "c0 10 08" + the community, as laid out by hand */
		assert_true(contains(out, w.len, ec, sizeof(ec)));
		bgp_update_decode(out + 19, w.len - 19, true, &u);
		assert_int_equal(u.err, BGP_OK);
		assert_true(u.a.has_mup_ec);
		assert_int_equal(u.a.mup_ec.sub, ec[1]);
		assert_memory_equal(u.a.mup_ec.v, ec + 2, 6);
		assert_int_equal(bgp_mup_ec_direct(&u.a.mup_ec), t[i].direct);
		assert_int_equal(bgp_mup_ec_local(&u.a.mup_ec), t[i].local);
		bgp_mup_ec_str(&u.a.mup_ec, s, sizeof(s));
		assert_string_equal(s, t[i].str);
	}
}

/* ------------------------------------------------------------------ */
/* Through the RIB                                                     */

struct seen {
	int		 adds, replaces, withdraws;
	uint8_t		 tlv[64];
	uint8_t		 tlv_len;
	uint8_t		 qfi;
};

static void
on_route(void *ctx, uint32_t peer, enum bgp_rib_op op,
    const struct bgp_mup *m, const struct bgp_rattr *old,
    const struct bgp_rattr *now)
{
	struct seen *s = ctx;

	(void)peer, (void)old, (void)now;
	if (op == BGP_RIB_ADD)
		s->adds++;
	else if (op == BGP_RIB_REPLACE)
		s->replaces++;
	else
		s->withdraws++;
	s->tlv_len = m->tlv_len;
	if (m->tlv_len > 0)
		memcpy(s->tlv, m->tlv, m->tlv_len);
	s->qfi = m->sp_qfi;
}

/* An UPDATE from 'peer' with one T2ST of IPv4 and the TLVs given (hex);
 * NULL: its withdrawal. */
static long
apply_from(struct bgp_rib *r, uint32_t peer, const char *tlvs)
{
	uint8_t out[BGP_MAX_LEN], tl[64];
	struct bgp_attrs a;
	struct bgp_update u;
	struct bgp_mup m;
	enum bgp_err err;
	struct wbuf w;

	memset(&m, 0, sizeof(m));
	m.afi = BGP_AFI_IPV4;
	m.type = BGP_MUP_T2ST;
	m.ep_len = 64;
	m.ep[0] = 192, m.ep[3] = 0x99;
	m.teid = 100;
	m.tlv_len = tlvs != NULL ? (uint8_t)hx(tlvs, tl, sizeof(tl)) : 0;
	m.tlv = tl;
	memset(&a, 0, sizeof(a));
	a.seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH);
	a.nh_len = 16;
	a.nh[15] = 1;
	wb_init(&w, out, sizeof(out));
	assert_true(tlvs != NULL ?
	    bgp_update_encode_mup(&w, BGP_AF_IPV4_MUP, &a, &m, 1, NULL, 0) :
	    bgp_update_encode_mup(&w, BGP_AF_IPV4_MUP, &a, NULL, 0, &m, 1));
	bgp_update_decode(out + 19, w.len - 19, true, &u);
	assert_int_equal(u.err, BGP_OK);
	return bgp_rib_apply(r, peer, &u, &err);
}

static long
apply(struct bgp_rib *r, const char *tlvs)
{
	return apply_from(r, 0, tlvs);
}

static bool
walk_one(void *arg, uint32_t peer, const struct bgp_mup *m,
    const struct bgp_rattr *a)
{
	struct seen *s = arg;

	(void)peer, (void)a;
	s->tlv_len = m->tlv_len;
	memcpy(s->tlv, m->tlv, m->tlv_len);
	s->qfi = m->sp_qfi;
	return true;
}

static void
test_rib_keeps_tlvs(void **state)
{
	struct seen s = { 0 }, w = { 0 };
	struct bgp_rib_stats st;
	struct bgp_rib *r = bgp_rib_new(on_route, &s);

	(void)state;
	assert_non_null(r);
	assert_int_equal(apply(r, "01 05 00000064 09"), 1);
	assert_int_equal(s.adds, 1);
	assert_int_equal(s.qfi, 9);
	bgp_rib_walk(r, walk_one, &w);
	assert_int_equal(w.tlv_len, 7);
	assert_int_equal(w.qfi, 9);
	/* the same TLVs again change nothing the owner sees */
	assert_int_equal(apply(r, "01 05 00000064 09"), 1);
	assert_int_equal(s.replaces, 0);
	/* other TLVs (longer) are the same route, replaced */
	assert_int_equal(apply(r, "01 05 00000064 07 c8 02 abcd"), 1);
	assert_int_equal(s.replaces, 1);
	assert_int_equal(s.qfi, 7);
	bgp_rib_walk(r, walk_one, &w);
	assert_int_equal(w.tlv_len, 11);
	assert_int_equal(w.tlv[9], 0xab);
	bgp_rib_stats(r, &st);
	assert_int_equal(st.routes, 1);
	/* malformed TLVs withdraw the route, counted; the session stays */
	assert_int_equal(apply(r, "01 04 00000064"), 1);
	assert_int_equal(s.withdraws, 1);
	bgp_rib_stats(r, &st);
	assert_int_equal(st.routes, 0);
	assert_int_equal(st.tlv_malformed, 1);
	bgp_rib_free(r);
}

/* ------------------------------------------------------------------ */
/* catsctl bgp route add: the TLVs and communities from words          */

/* The request of the words, checked; 0, or -1 with err. */
static int
route_words(const char *line, struct bgp_route *r, char *err, size_t len)
{
	char buf[512], *argv[64], *save = NULL;
	int argc = 0, rc;
	json_t *req;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t != NULL && argc < 64;
	    t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	if ((req = bgp_route_request(argc, argv, err, len)) == NULL)
		return -1;
	rc = bgp_route_parse(req, r, err, len);
	json_decref(req);
	return rc;
}

static void
test_route_words(void **state)
{
	static const char want[] = "01 05 00000064 09"
	    "02 10 20010db8000000000000000000000005"
	    "03 10 20010db8000000000000000000000001"
	    "c8 03 aabbcc";
	static const struct {
		const char	*line, *err;
	} bad[] = {
		{ "add ipv6-mup t2st 2001:db8::99 rd 1:1 teid 5 session-teid 5",
		  "session_teid and session_qfi together" },
		{ "add ipv6-mup t2st 2001:db8::99 rd 1:1 teid 5 session-teid 5 "
		  "session-qfi 64", "session_qfi\": expected an integer from 0 "
		  "to 63" },
		{ "add ipv6-mup t2st 2001:db8::99 rd 1:1 teid 5 tlv 2:00",
		  "T from 4 to 255" },
		{ "add ipv6-mup t2st 2001:db8::99 rd 1:1 teid 5 tlv 200:",
		  "1 to 255 octets" },
		{ "add ipv6-mup t2st 2001:db8::99 rd 1:1 teid 5 mup 1:1 "
		  "mup-interwork 1:2", "one MUP community" },
		{ "add ipv6-mup dsd 2001:db8::1 rd 1:1 source-address ::1",
		  "not a field of a route of type dsd" },
		{ "del ipv6-mup t2st 2001:db8::99 rd 1:1 teid 5 session-teid 5 "
		  "session-qfi 1", "del names the route only" },
	};
	static struct bgp_route r;
	uint8_t w[128];
	char err[256];
	size_t n, i;

	(void)state;
	if (route_words("add ipv6-mup t2st 2001:db8::99 rd 65000:100 teid 100 "
	    "session-teid 100 session-qfi 9 interwork 2001:db8::5 "
	    "source-address 2001:db8::1 tlv 200:aabbcc "
	    "mup-interwork 192.0.2.1:7", &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	n = hx(want, w, sizeof(w));
	assert_int_equal(r.key.tlv_len, n);
	assert_memory_equal(r.key.tlv, w, n);
	assert_int_equal(r.key.sp_qfi, 9);
	assert_true(r.attr.has_mup_ec);
	assert_int_equal(r.attr.mup_ec.sub, BGP_MUP_EC_IW_IPV4);
	assert_int_equal(bgp_mup_ec_local(&r.attr.mup_ec), 7);
	if (route_words("add ipv4-mup t2st 192.0.2.9 rd 1:1 teid 5 "
	    "mup 4200000000:3", &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(r.attr.mup_ec.sub, BGP_MUP_EC_DIRECT_AS4);
	assert_int_equal(r.key.tlv_len, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (route_words(bad[i].line, &r, err, sizeof(err)) == 0)
			fail_msg("\"%s\" taken", bad[i].line);
		if (strstr(err, bad[i].err) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].line,
			    err, bad[i].err);
	}
}

/* Two route reflectors hold the route with other TLVs: when one withdraws
 * it, the owner has the other's, TLVs and all; malformed TLVs from one
 * leave the other's. */
static void
test_rib_two_paths(void **state)
{
	struct seen s = { 0 };
	struct bgp_rib *r = bgp_rib_new(on_route, &s);

	(void)state;
	assert_non_null(r);
	assert_int_equal(apply_from(r, 0, "01 05 00000064 09"), 1);
	assert_int_equal(apply_from(r, 1, "01 05 00000064 03"), 1);
	assert_int_equal(apply_from(r, 0, NULL), 1);
	assert_int_equal(s.withdraws, 0);
	assert_int_equal(s.qfi, 3);		/* reflector 1's */
	assert_int_equal(apply_from(r, 0, "01 05 00000064 09"), 1);
	assert_int_equal(apply_from(r, 0, "01 05 00000064 09 01"), 1);
	assert_int_equal(s.qfi, 3);		/* not the malformed one's */
	assert_int_equal(apply_from(r, 1, NULL), 1);
	assert_int_equal(s.withdraws, 1);
	assert_int_equal(s.tlv_len, 0);		/* the key alone */
	bgp_rib_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t2st_session),
		cmocka_unit_test(test_t1st_addresses),
		cmocka_unit_test(test_unknown_kept),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ec_subtypes),
		cmocka_unit_test(test_rib_keeps_tlvs),
		cmocka_unit_test(test_route_words),
		cmocka_unit_test(test_rib_two_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
