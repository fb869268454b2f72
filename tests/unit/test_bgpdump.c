/*
 * Tests of "catsctl pkt bgp" (src/catsctl/bgpdump.c, tcp.c): test_bgp's
 * corpus (bgp_vectors.h) through the decoder, each field of its JSON
 * against the values the vectors were written from; every named malformed
 * message with its error, offset and RFC 7606 action; messages split over
 * any boundary; and TCP streams rebuilt from segments that come out of
 * order, twice, or never.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <pcap/dlt.h>

#include "cats/bgp.h"
#include "cats/metric.h"
#include "catsctl/bgpdump.h"
#include "testutil.h"
#include "bgp_vectors.h"

#define KEEPALIVE	MARKER "0013 04"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* One message through bgpdump_message; the object, which must be there. */
static json_t *
decode1(const uint8_t *b, size_t len, int want_rc)
{
	char err[160] = "";
	json_t *o = NULL;
	int rc = bgpdump_message(b, len, true, &o, err, sizeof(err));

	assert_non_null(o);
	if (rc != want_rc)
		fail_msg("rc %d, want %d (%s)", rc, want_rc, err);
	if (rc < 0)
		assert_true(strncmp(err, "offset ", 7) == 0);
	return o;
}

static json_t *
decode_hex1(const char *h)
{
	uint8_t b[BGP_MAX_LEN];

	return decode1(b, hex(h, b, sizeof(b)), 0);
}

/* The string at a path of keys and indexes, e.g. "attributes.cats.kind",
 * "announced.0.rd". */
static json_t *
at(json_t *o, const char *path)
{
	char buf[128], *part, *last;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &last); part != NULL && o != NULL;
	    part = strtok_r(NULL, ".", &last))
		o = json_is_array(o) ? json_array_get(o, strtoul(part, NULL,
		    10)) : json_object_get(o, part);
	if (o == NULL)
		fail_msg("no %s", path);
	return o;
}

static void
expect_str(json_t *o, const char *path, const char *want)
{
	json_t *v = at(o, path);

	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: got %s, want \"%s\"", path, json_is_string(v) ?
		    json_string_value(v) : "(not a string)", want);
}

static void
expect_int(json_t *o, const char *path, long long want)
{
	json_t *v = at(o, path);

	if (!json_is_integer(v) || json_integer_value(v) != want)
		fail_msg("%s: got %lld, want %lld", path, json_is_integer(v) ?
		    (long long)json_integer_value(v) : -1LL, want);
}

/* The text form of an address given as hex in a vector. */
static void
addr_str(const char *h, int af, char *out, size_t cap)
{
	uint8_t a[16] = { 0 };

	hex(h, a, sizeof(a));
	inet_ntop(af, a, out, (socklen_t)cap);
}

/* An UPDATE with no withdrawn routes around attributes given as hex. */
static size_t
update_of(const char *attrs, uint8_t *b, size_t cap)
{
	size_t h = hex(MARKER "0000 02 0000 0000", b, cap);
	size_t n = hex(attrs, b + h, cap - h);

	b[16] = (uint8_t)((h + n) >> 8);
	b[17] = (uint8_t)(h + n);
	b[21] = (uint8_t)(n >> 8);
	b[22] = (uint8_t)n;
	return h + n;
}

/* MP_REACH_NLRI (or MP_UNREACH_NLRI) of one NLRI given as hex. */
static void
mp_attr(char *out, size_t cap, bool reach, uint16_t afi, const char *nlri)
{
	uint8_t b[256];
	size_t n = hex(nlri, b, sizeof(b));
	size_t len = reach ? n + 5 + (afi == 1 ? 4 : 16) : n + 3;

	if (reach)
		snprintf(out, cap, "80 0e %02zx %04x 55 %s 00 %s", len, afi,
		    afi == 1 ? "04 c0000201" :
		    "10 20010db8000000000000000000000001", nlri);
	else
		snprintf(out, cap, "80 0f %02zx %04x 55 %s", len, afi, nlri);
}

/* ------------------------------------------------------------------ */
/* The corpus                                                          */

static void
test_open(void **state)
{
	json_t *o = decode_hex1(open_hex);

	(void)state;
	expect_str(o, "type", "open");
	expect_int(o, "length", 51);
	expect_int(o, "open.version", 4);
	expect_int(o, "open.as", 65001);
	expect_int(o, "open.hold_time", 90);
	expect_str(o, "open.bgp_id", "10.0.0.1");
	expect_str(o, "open.capabilities.families.0", "ipv4-mup");
	expect_str(o, "open.capabilities.families.1", "ipv6-mup");
	assert_true(json_is_true(at(o, "open.capabilities.four_octet_as")));
	assert_true(json_is_true(at(o, "open.capabilities.route_refresh")));
	expect_int(o, "open.capabilities.unknown", 0);
	json_decref(o);
}

static void
test_small_messages(void **state)
{
	json_t *o;

	(void)state;
	o = decode_hex1(KEEPALIVE);
	expect_str(o, "type", "keepalive");
	assert_int_equal(json_object_size(o), 2);
	json_decref(o);
	o = decode_hex1(MARKER "0017 03 06 02 0002");
	expect_int(o, "notification.code", 6);
	expect_int(o, "notification.subcode", 2);
	expect_str(o, "notification.name", "cease");
	expect_str(o, "notification.data", "0002");
	json_decref(o);
	o = decode_hex1(MARKER "0017 05 0002 00 55");
	expect_str(o, "type", "route-refresh");
	expect_str(o, "route_refresh.family", "ipv6-mup");
	json_decref(o);
	o = decode_hex1(MARKER "001d 02 0000 0006 80 0f 03 0001 55");
	expect_str(o, "end_of_rib", "ipv4-mup");
	assert_int_equal(json_array_size(at(o, "announced")), 0);
	json_decref(o);
}

/* The key fields of a route against its vector. */
static void
expect_key(json_t *r, const struct mupvec *v)
{
	int af = v->afi == 1 ? AF_INET : AF_INET6;
	char want[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN];
	static const char *const types[] = { "prefix", "isd", "dsd", "t1st",
	    "t2st" };

	expect_str(r, "family", v->afi == 1 ? "ipv4-mup" : "ipv6-mup");
	expect_str(r, "type", types[v->type]);
	expect_str(r, "rd", "65000:100");
	switch (v->type) {
	case BGP_MUP_ISD:
	case BGP_MUP_T1ST:
		addr_str(v->prefix, af, a, sizeof(a));
		snprintf(want, sizeof(want), "%s/%u", a, v->plen);
		expect_str(r, "prefix", want);
		break;
	case BGP_MUP_DSD:
		addr_str(v->prefix, af, a, sizeof(a));
		expect_str(r, "address", a);
		break;
	}
	if (v->type == BGP_MUP_T1ST || v->type == BGP_MUP_T2ST) {
		expect_int(r, "teid", v->teid);
		addr_str(v->ep, v->type == BGP_MUP_T2ST ? af : v->ep_len == 32 ?
		    AF_INET : AF_INET6, a, sizeof(a));
		expect_str(r, "endpoint", a);
	}
	if (v->type == BGP_MUP_T1ST) {
		expect_int(r, "qfi", v->qfi);
		if (v->src_len != 0) {
			addr_str(v->src, v->src_len == 32 ? AF_INET : AF_INET6,
			    a, sizeof(a));
			expect_str(r, "source", a);
		} else {
			assert_null(json_object_get(r, "source"));
		}
	}
	if (v->type == BGP_MUP_T2ST)
		expect_int(r, "endpoint_length", v->ep_len);
}

/* Every MUP route of the corpus announced, then withdrawn: the same key. */
static void
test_mup_vectors(void **state)
{
	uint8_t b[BGP_MAX_LEN];
	char attrs[1024], mp[512];
	json_t *ann, *wd;

	(void)state;
	for (size_t i = 0; i < sizeof(mupvecs) / sizeof(mupvecs[0]); i++) {
		const struct mupvec *v = &mupvecs[i];

		mp_attr(mp, sizeof(mp), true, v->afi, v->hex);
		snprintf(attrs, sizeof(attrs), ORG ASP "%s", mp);
		ann = decode1(b, update_of(attrs, b, sizeof(b)), 0);
		assert_int_equal(json_array_size(at(ann, "announced")), 1);
		expect_key(at(ann, "announced.0"), v);
		expect_int(ann, "attributes.mp_reach.safi", 85);
		expect_str(ann, "attributes.mp_reach.next_hop", v->afi == 1 ?
		    "192.0.2.1" : "2001:db8::1");
		mp_attr(mp, sizeof(mp), false, v->afi, v->hex);
		wd = decode1(b, update_of(mp, b, sizeof(b)), 0);
		assert_int_equal(json_array_size(at(wd, "withdrawn")), 1);
		if (!json_equal(at(wd, "withdrawn.0"), at(ann, "announced.0")))
			fail_msg("%s: withdrawn key differs", v->name);
		json_decref(ann);
		json_decref(wd);
	}
}

static void
test_hand_dsd(void **state)
{
	json_t *o = decode_hex1(hand_dsd), *st;

	(void)state;
	expect_str(o, "type", "update");
	expect_int(o, "length", 173);
	assert_int_equal(json_array_size(at(o, "withdrawn")), 0);
	expect_int(o, "attributes.origin", 0);
	assert_int_equal(json_array_size(at(o, "attributes.as_path")), 0);
	expect_int(o, "attributes.local_pref", 100);
	expect_str(o, "attributes.route_targets.0", "65000:1");
	expect_str(o, "attributes.mup", "65000:7");
	expect_str(o, "attributes.prefix_sid.sid", "2001:db8:e1::");
	expect_int(o, "attributes.prefix_sid.behavior", 0x12);	/* End.DT6 */
	st = json_pack("[i,i,i,i,i,i]", 32, 16, 16, 0, 0, 0);
	assert_true(json_equal(at(o, "attributes.prefix_sid.structure"), st));
	json_decref(st);
	expect_str(o, "attributes.cats.kind", "none");
	expect_int(o, "attributes.cats.cis_id", 101);
	assert_null(json_object_get(at(o, "attributes.cats"), "cs_id"));
	expect_str(o, "attributes.cats.metrics.0.metric",
	    cats_metric_name(CATS_M_UTIL));
	expect_str(o, "attributes.cats.metrics.0.stat",
	    cats_stat_name(CATS_STAT_MEAN));
	expect_int(o, "attributes.cats.metrics.0.window_ms", 1000);
	assert_true(json_real_value(at(o, "attributes.cats.metrics.0.value")) ==
	    0.5);
	expect_str(o, "attributes.mp_reach.family", "ipv6-mup");
	expect_str(o, "attributes.mp_reach.next_hop", "2001:db8:e1::1");
	expect_str(o, "attributes.next_hop", "2001:db8:e1::1");
	expect_str(o, "attributes.present.5", "PREFIX_SID");
	expect_str(o, "attributes.present.6", "CATS");
	expect_str(o, "announced.0.type", "dsd");
	expect_str(o, "announced.0.address", "2001:db8:e1::1");
	json_decref(o);
}

static void
test_cmu(void **state)
{
	uint8_t b[BGP_MAX_LEN];
	char attrs[512];
	json_t *o;

	(void)state;
	snprintf(attrs, sizeof(attrs), "%s%s%s", ORG ASP
	    "c0 10 08 0002fde800000002", cmu_cats_hex, MPR);
	o = decode1(b, update_of(attrs, b, sizeof(b)), 0);
	expect_str(o, "attributes.cats.kind", "cmu");
	expect_int(o, "attributes.cats.cs_id", 7);
	expect_int(o, "attributes.cats.cis_id", 101);
	expect_str(o, "attributes.cats.metrics.0.metric",
	    cats_metric_name(CATS_M_UTIL));
	expect_str(o, "attributes.cats.metrics.0.stat",
	    cats_stat_name(CATS_STAT_CUR));
	assert_true(json_real_value(at(o, "attributes.cats.metrics.0.value")) ==
	    0.25);
	expect_str(o, "attributes.cats.metrics.1.metric",
	    cats_metric_name(CATS_M_PROC_DELAY));
	expect_int(o, "attributes.cats.metrics.1.window_ms", 5000);
	assert_true(json_real_value(at(o, "attributes.cats.metrics.1.value")) ==
	    2e6);
	expect_str(o, "attributes.route_targets.0", "65000:2");
	json_decref(o);
}

/* test_bgp's other attributes on a 2-octet AS session (--as2: no OPEN
 * says otherwise), and an IPv4 unicast route. */
static void
test_other_attrs(void **state)
{
	uint8_t b[256];
	struct bgpdump *d;
	json_t *o;
	size_t n;

	(void)state;
	n = update_of("40 01 01 01"		/* ORIGIN EGP */
	    "40 02 04 02 01 fde8"		/* AS_PATH 65000, 2-octet */
	    "40 03 04 c0000201"			/* NEXT_HOP */
	    "80 04 04 0000000a"			/* MED 10 */
	    "40 06 00"				/* ATOMIC_AGGREGATE */
	    "c0 07 06 fde8 c0000201"		/* AGGREGATOR, 2-octet */
	    "80 09 04 0a000009"			/* ORIGINATOR_ID */
	    "80 0a 08 0a000001 0a000002"	/* CLUSTER_LIST */
	    "e0 63 02 abcd", b, sizeof(b));	/* unknown optional transitive */
	n += hex("18 0a0b0c", b + n, sizeof(b) - n);	/* 10.11.12/24 */
	b[16] = (uint8_t)(n >> 8);
	b[17] = (uint8_t)n;
	assert_non_null(d = bgpdump_new(NULL, true));
	bgpdump_bytes(d, b, n);
	bgpdump_finish(d);
	assert_int_equal(bgpdump_errors(d), 0);
	o = json_array_get(bgpdump_list(d), 0);
	expect_int(o, "attributes.origin", 1);
	expect_str(o, "attributes.as_path.0.type", "sequence");
	expect_int(o, "attributes.as_path.0.as.0", 65000);
	expect_str(o, "attributes.ipv4_next_hop", "192.0.2.1");
	expect_int(o, "attributes.med", 10);
	assert_true(json_is_true(at(o, "attributes.atomic_aggregate")));
	expect_str(o, "attributes.originator_id", "10.0.0.9");
	expect_str(o, "attributes.cluster_list.1", "10.0.0.2");
	expect_str(o, "attributes.present.5", "AGGREGATOR");
	expect_str(o, "announced.0.family", "ipv4-unicast");
	expect_str(o, "announced.0.type", "prefix");
	expect_str(o, "announced.0.prefix", "10.11.12.0/24");
	bgpdump_free(d);
	/* On a 4-octet session the same AS_PATH is malformed (RFC 7606 7.2). */
	o = decode1(b, n, -1);
	expect_str(o, "error.action", "treat-as-withdraw");
	json_decref(o);
}

/* Every named malformed message: its error, offset and action; and in a
 * stream, counted, with the KEEPALIVE after it still read. */
static void
test_malformed(void **state)
{
	static const char *const act[] = { "none", "attribute-discard",
	    "treat-as-withdraw", "session-reset" };
	uint8_t b[BGP_MAX_LEN + 64];
	struct bgpdump *d;
	json_t *o, *last;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *t = &bads[i];

		len = bad_bytes(t, b, sizeof(b));
		o = decode1(b, len, -1);
		if (strcmp(json_string_value(at(o, "error.reason")),
		    bgp_err_name(t->err)) != 0 ||
		    json_integer_value(at(o, "error.offset")) != (json_int_t)t->off ||
		    strcmp(json_string_value(at(o, "error.action")),
		    act[t->act]) != 0)
			fail_msg("%s: got %s at %lld (%s)", t->name,
			    json_string_value(at(o, "error.reason")),
			    (long long)json_integer_value(at(o, "error.offset")),
			    json_string_value(at(o, "error.action")));
		json_decref(o);
		len += hex(KEEPALIVE, b + len, sizeof(b) - len);
		assert_non_null(d = bgpdump_new(NULL, false));
		bgpdump_bytes(d, b, len);
		bgpdump_finish(d);
		if (bgpdump_errors(d) < 1)
			fail_msg("%s: no error in the stream", t->name);
		last = json_array_get(bgpdump_list(d),
		    json_array_size(bgpdump_list(d)) - 1);
		if (strcmp(t->name, "header-cut-short") != 0 &&
		    (last == NULL || json_object_get(last, "error") != NULL ||
		    strcmp(json_string_value(json_object_get(last, "type")),
		    "keepalive") != 0))
			fail_msg("%s: the KEEPALIVE after it was not read",
			    t->name);
		bgpdump_free(d);
	}
}

/* A stream cut anywhere decodes as the whole. */
static void
test_stream_split(void **state)
{
	uint8_t b[1024];
	struct bgpdump *whole, *d;
	size_t len = 0;
	char *want, *got;

	(void)state;
	len += hex(open_hex, b + len, sizeof(b) - len);
	len += hex(hand_dsd, b + len, sizeof(b) - len);
	len += hex(KEEPALIVE, b + len, sizeof(b) - len);
	assert_non_null(whole = bgpdump_new(NULL, false));
	bgpdump_bytes(whole, b, len);
	bgpdump_finish(whole);
	assert_int_equal(bgpdump_errors(whole), 0);
	assert_int_equal(json_array_size(bgpdump_list(whole)), 3);
	expect_int(json_array_get(bgpdump_list(whole), 1), "offset", 51);
	want = json_dumps(bgpdump_list(whole), 0);
	for (size_t cut = 1; cut < len; cut++) {
		assert_non_null(d = bgpdump_new(NULL, false));
		bgpdump_bytes(d, b, cut);
		bgpdump_bytes(d, b + cut, len - cut);
		bgpdump_finish(d);
		got = json_dumps(bgpdump_list(d), 0);
		if (strcmp(got, want) != 0)
			fail_msg("cut at %zu: %s", cut, got);
		free(got);
		bgpdump_free(d);
	}
	free(want);
	bgpdump_free(whole);
	/* Cut short at the end: an error. */
	assert_non_null(d = bgpdump_new(NULL, false));
	bgpdump_bytes(d, b, 60);
	bgpdump_finish(d);
	assert_int_equal(bgpdump_errors(d), 1);
	assert_int_equal(json_array_size(bgpdump_list(d)), 1);
	bgpdump_free(d);
}

/* ------------------------------------------------------------------ */
/* TCP                                                                 */

#define A_SPEAKER	"0a000001"	/* 10.0.0.1, port 40000 */
#define A_PEER		"0a000002"	/* 10.0.0.2, port 179 */

/* A DLT_RAW IPv4 frame of one TCP segment. */
static size_t
segment(uint8_t *f, bool from_speaker, uint32_t seq, uint8_t flags,
    const uint8_t *data, size_t n)
{
	size_t total = 40 + n;

	hex("45000000 00004000 40060000", f, 12);
	f[2] = (uint8_t)(total >> 8);
	f[3] = (uint8_t)total;
	hex(from_speaker ? A_SPEAKER A_PEER : A_PEER A_SPEAKER, f + 12, 8);
	memset(f + 20, 0, 20);
	f[20] = from_speaker ? 0x9c : 0x00;	/* 40000 : 179 */
	f[21] = from_speaker ? 0x40 : 0xb3;
	f[22] = from_speaker ? 0x00 : 0x9c;
	f[23] = from_speaker ? 0xb3 : 0x40;
	f[24] = (uint8_t)(seq >> 24);
	f[25] = (uint8_t)(seq >> 16);
	f[26] = (uint8_t)(seq >> 8);
	f[27] = (uint8_t)seq;
	f[32] = 0x50;
	f[33] = flags;
	if (n > 0)
		memcpy(f + 40, data, n);
	return total;
}

static void
feed(struct bgpdump *d, unsigned long pkt, bool from_speaker, uint32_t seq,
    uint8_t flags, const uint8_t *data, size_t n)
{
	uint8_t f[2048];
	struct cap_frame cf = { .n = pkt, .dlt = DLT_RAW, .p = f };

	cf.caplen = cf.len = segment(f, from_speaker, seq, flags, data, n);
	bgpdump_frame(&cf, d);
}

/*
 * Speaker -> peer: SYN at 1000, then OPEN and the DSD UPDATE (51 + 173
 * octets) in three segments sent out of order, one retransmitted over the
 * others, a split inside the UPDATE; peer -> speaker: a KEEPALIVE.
 */
static void
test_tcp_reassembly(void **state)
{
	uint8_t s[512], ka[19];
	struct bgpdump *d;
	size_t n = 0;
	json_t *l;

	(void)state;
	n += hex(open_hex, s + n, sizeof(s) - n);
	n += hex(hand_dsd, s + n, sizeof(s) - n);
	hex(KEEPALIVE, ka, sizeof(ka));
	assert_non_null(d = bgpdump_new(NULL, false));
	feed(d, 1, true, 1000, 0x02, NULL, 0);			/* SYN */
	feed(d, 2, false, 5000, 0x12, NULL, 0);			/* SYN-ACK */
	feed(d, 3, true, 1001 + 100, 0x10, s + 100, n - 100);	/* 3rd */
	feed(d, 4, true, 1001 + 40, 0x10, s + 40, 60);		/* 2nd */
	feed(d, 5, false, 5001, 0x10, ka, sizeof(ka));
	feed(d, 6, true, 1001, 0x10, s, 80);	/* 1st, and 2nd's first half */
	feed(d, 7, true, 1001, 0x10, s, 80);	/* again */
	bgpdump_finish(d);
	l = bgpdump_list(d);
	assert_int_equal(bgpdump_errors(d), 0);
	assert_int_equal(json_array_size(l), 3);
	expect_str(json_array_get(l, 0), "type", "keepalive");
	expect_str(json_array_get(l, 0), "direction", "from-179");
	expect_int(json_array_get(l, 0), "packet", 5);
	expect_str(json_array_get(l, 1), "type", "open");
	expect_int(json_array_get(l, 1), "packet", 6);
	expect_str(json_array_get(l, 1), "src", "10.0.0.1");
	expect_int(json_array_get(l, 1), "sport", 40000);
	expect_str(json_array_get(l, 1), "dst", "10.0.0.2");
	expect_int(json_array_get(l, 1), "dport", 179);
	expect_str(json_array_get(l, 1), "direction", "to-179");
	expect_int(json_array_get(l, 1), "connection", 1);
	expect_str(json_array_get(l, 2), "type", "update");
	expect_int(json_array_get(l, 2), "packet", 6);
	expect_int(json_array_get(l, 2), "offset", 51);
	expect_str(json_array_get(l, 2), "announced.0.type", "dsd");
	bgpdump_free(d);
}

/* Octets never captured: counted, and the next message after the gap is
 * found by its marker. */
static void
test_tcp_gap(void **state)
{
	uint8_t s[512];
	struct bgpdump *d;
	size_t n = 0;
	json_t *l;

	(void)state;
	n += hex(hand_dsd, s + n, sizeof(s) - n);
	n += hex(KEEPALIVE, s + n, sizeof(s) - n);
	assert_non_null(d = bgpdump_new(NULL, false));
	feed(d, 1, true, 1000, 0x02, NULL, 0);
	feed(d, 2, true, 1001, 0x10, s, 30);
	feed(d, 3, true, 1001 + 60, 0x10, s + 60, n - 60);	/* 30 lost */
	bgpdump_finish(d);
	l = bgpdump_list(d);
	assert_int_equal(bgpdump_errors(d), 2);		/* the gap, the cut */
	assert_int_equal(json_array_size(l), 1);
	expect_str(json_array_get(l, 0), "type", "keepalive");
	expect_int(json_array_get(l, 0), "offset", 173);
	bgpdump_free(d);
}

/* The same ports again with a new SYN: a new connection; the message the
 * old one left unfinished is an error, the new stream starts at 0. */
static void
test_tcp_new_connection(void **state)
{
	uint8_t s[512], ka[19];
	struct bgpdump *d;
	json_t *l;

	(void)state;
	hex(hand_dsd, s, sizeof(s));
	hex(KEEPALIVE, ka, sizeof(ka));
	assert_non_null(d = bgpdump_new(NULL, false));
	feed(d, 1, true, 1000, 0x02, NULL, 0);
	feed(d, 2, true, 1001, 0x10, s, 30);
	feed(d, 3, true, 1000, 0x02, NULL, 0);		/* retransmitted SYN */
	feed(d, 4, true, 1001 + 100, 0x10, s + 100, 20);	/* held */
	feed(d, 5, true, 7000, 0x02, NULL, 0);		/* new connection */
	feed(d, 6, true, 7001, 0x10, ka, sizeof(ka));
	bgpdump_finish(d);
	l = bgpdump_list(d);
	assert_int_equal(bgpdump_errors(d), 1);
	assert_int_equal(json_array_size(l), 1);
	expect_str(json_array_get(l, 0), "type", "keepalive");
	expect_int(json_array_get(l, 0), "offset", 0);
	expect_int(json_array_get(l, 0), "packet", 6);
	bgpdump_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_small_messages),
		cmocka_unit_test(test_mup_vectors),
		cmocka_unit_test(test_hand_dsd),
		cmocka_unit_test(test_cmu),
		cmocka_unit_test(test_other_attrs),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_stream_split),
		cmocka_unit_test(test_tcp_reassembly),
		cmocka_unit_test(test_tcp_gap),
		cmocka_unit_test(test_tcp_new_connection),
	};

	return cmocka_run_group_tests_name("bgpdump", tests, NULL, NULL);
}
