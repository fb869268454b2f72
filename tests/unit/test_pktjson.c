/*
 * Tests of catsctl's JSON layer (src/catsctl/pktjson*.c): every message
 * kind through JSON and back, decode(encode(x)) == x and encode(decode(b))
 * == b through the JSON text, edge values, and named malformed inputs whose
 * error must name the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <jansson.h>

#include "cats/mh.h"
#include "catsctl/pktjson.h"

static const uint8_t nai[] = "ue7@cats.example";
static const uint8_t svc[] = "ar-render.cats.example";
static const uint8_t llid[] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x07 };
static const uint8_t aff[] = { MH_AFF_AVOID, 3, 'f', 'w', '1',
	MH_AFF_WITH, 4, 'g', 'p', 'u', '0', MH_AFF_NEEDS, 4, 's', 'g', 'x', '2' };
static const uint8_t crid6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xe1,
	[15] = 7 };
static const uint8_t authdata[] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02 };

static const struct pkt_meta meta6 = {
	.src = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x11, [15] = 1 } },
	.dst = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x22, [15] = 1 } },
	.transport = PKT_T_IPV6,
	.csum = PKT_CSUM_OK,
	.packet = 3,
};

static void
fill_req(struct mh_cats_req *r, uint32_t scale)
{
	r->min_bw = 1250000 * scale;
	r->max_lat = 20000000 / scale;
	r->max_jitter = MH_REQ_UNSET;
	r->max_loss = 1000 / scale;
	r->comp_lat = 5000000 / scale;
	r->affinity.p = aff;
	r->affinity.len = sizeof(aff);
}

/* Realistic values for every option in bits. */
static void
fill(struct mh_msg *m, uint32_t bits)
{
	m->present |= bits;
	m->cats_flags = MH_CF_CONTINUITY;
	m->mnid_subtype = MH_NAI_SUBTYPE;
	m->mnid.p = nai;
	m->mnid.len = sizeof(nai) - 1;
	m->hi = 4;
	m->att = 4;
	m->llid.p = llid;
	m->llid.len = sizeof(llid);
	m->n_hnp = (bits & MH_BIT(MH_O_HNP)) ? 2 : 0;
	m->hnp[0].len = 64;
	memcpy(m->hnp[0].addr, "\x20\x01\x0d\xb8\x00\x07\x00\x01", 8);
	m->hnp[1].len = 56;
	memcpy(m->hnp[1].addr, "\x20\x01\x0d\xb8\x00\x07\x02", 7);
	m->timestamp = (uint64_t)1795000000 << 16 | 0x4000;
	memcpy(m->lla, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	m->crid_format = MH_CRID_IP;
	m->crid.p = crid6;
	m->crid.len = 16;
	m->service_id.p = svc;
	m->service_id.len = sizeof(svc) - 1;
	fill_req(&m->req, 1);
	fill_req(&m->cond, 2);
	m->svc_prefix.len = 48;
	memcpy(m->svc_prefix.addr, "\x20\x01\x0d\xb8\x50\x00", 6);
	memcpy(m->client_addr, "\x20\x01\x0d\xb8\x10\x07\0\0\0\0\0\0\0\0\0\x10",
	    16);
	memcpy(m->cats_addr, crid6, 16);
	m->tx.id = 4711;
	m->tx.next_seq = 18;
	m->tx.state_len = 1u << 20;
	m->tx.port = 7400;
	/* the path scope here (test_mh has the instance one); values that
	 * must come back to the last bit through JSON */
	m->metrics = (struct mh_metrics){ .scope = MH_MS_PATH, .n = 3, .s = {
		{ CATS_M_OWD, CATS_STAT_MEAN, 1000, 4012345.678901234 },
		{ CATS_M_DELAY_VAR, CATS_STAT_MEAN, 1000, 0.1 },
		{ CATS_M_LOSS, CATS_STAT_CUR, 0, 15625000 } } };
	memcpy(m->metrics.egress, crid6, 16);
	m->auth_subtype = 1;
	m->auth_spi = 0x100;
	m->auth_data.p = authdata;
	m->auth_data.len = sizeof(authdata);
}

static void
build(struct mh_msg *m, const struct mh_kind_info *ki, bool all)
{
	mh_msg_init(m, ki->kind);
	fill(m, ki->mandatory | (all ? ki->optional : 0));
	m->seq = (uint16_t)(1000 + ki->kind);
	m->lifetime = 150;
	if (ki->mh_type == MH_TYPE_BU) {
		m->flags |= MH_BU_A | MH_BU_P;
	} else {
		m->flags |= MH_BA_P;
		m->status = ki->kind == MH_K_CATS_RESPONSE ?
		    MH_ST_CATS_AVAILABLE : MH_ST_ACCEPTED;
	}
}

static void
encode(const struct mh_msg *m, uint8_t *out, size_t *len)
{
	struct mh_addrs a;
	struct mh_error e;

	memcpy(a.src, meta6.src.a, 16);
	memcpy(a.dst, meta6.dst.a, 16);
	assert_int_equal(mh_encode(m, &a, out, MH_MAX_LEN, len, &e), MH_OK);
}

/* m to JSON text and back through the reader; pm holds the result. */
static void
through_json(const struct mh_msg *m, struct pj_msg *pm, json_t **jout)
{
	char err[256], *text;
	json_error_t je;
	json_t *j, *back;

	j = pj_from_msg(m, &meta6, NULL);
	assert_non_null(j);
	text = json_dumps(j, JSON_INDENT(2));
	assert_non_null(text);
	back = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(back);
	free(text);
	if (pj_to_msg(back, pm, err, sizeof(err)) != 0)
		fail_msg("reader: %s", err);
	assert_true(json_equal(j, back));
	json_decref(back);
	*jout = j;
}

static void
check_kind(const struct mh_kind_info *ki, bool all)
{
	static struct pj_msg pm, pm2;
	struct mh_msg m, d;
	struct mh_error e;
	uint8_t b1[MH_MAX_LEN], b2[MH_MAX_LEN];
	size_t l1, l2;
	json_t *j1, *j2;

	build(&m, ki, all);
	encode(&m, b1, &l1);

	/* decode(encode(x)) == x, through JSON */
	through_json(&m, &pm, &j1);
	if (!mh_msg_equal(&m, &pm.m))
		fail_msg("%s: message changed through JSON", ki->name);
	assert_int_equal(pm.meta.src.af, AF_INET6);
	assert_memory_equal(pm.meta.src.a, meta6.src.a, 16);
	assert_int_equal(pm.meta.packet, meta6.packet);
	encode(&pm.m, b2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);

	/* encode(decode(b)) == b, through JSON */
	assert_int_equal(mh_decode(b1, l1, NULL, &d, &e), MH_OK);
	through_json(&d, &pm2, &j2);
	if (!mh_msg_equal(&d, &pm2.m))
		fail_msg("%s: decoded message changed through JSON", ki->name);
	encode(&pm2.m, b2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	assert_true(json_equal(j1, j2));
	json_decref(j1);
	json_decref(j2);
}

static void
test_every_kind_mandatory(void **state)
{
	const struct mh_kind_info *ki;
	size_t i;

	(void)state;
	for (i = 0; (ki = mh_kind_at(i)) != NULL; i++)
		check_kind(ki, false);
	assert_int_equal(i, MH_KIND_MAX);
}

static void
test_every_kind_all_options(void **state)
{
	const struct mh_kind_info *ki;
	size_t i;

	(void)state;
	for (i = 0; (ki = mh_kind_at(i)) != NULL; i++)
		check_kind(ki, true);
}

/* Values off the common path: each must survive JSON unchanged. */
static void
test_edge_values(void **state)
{
	static const uint8_t raw_id[] = { 0x00, 0xff, 0x10 };
	static const uint8_t crid4[] = { 192, 0, 2, 7 };
	static const uint8_t crid_l2[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t uri[] = "coap://cr.example/x";
	static struct pj_msg pm;
	struct mh_msg m;
	uint8_t b1[MH_MAX_LEN], b2[MH_MAX_LEN];
	size_t l1, l2;
	json_t *j;
	int v;

	(void)state;
	for (v = 0; v < 3; v++) {
		mh_msg_init(&m, MH_K_CATS_QUERY);
		fill(&m, MH_BIT(MH_O_MNID) | MH_BIT(MH_O_SERVICE_ID) |
		    MH_BIT(MH_O_CR_ID) | MH_BIT(MH_O_CATS_REQ) |
		    MH_BIT(MH_O_AUTH));
		m.seq = 65535;
		m.lifetime = 65535;
		m.flags |= 0x0003;			/* bits without a letter */
		m.cats_flags = 0x7f;			/* all but continuity */
		m.mnid_subtype = 7;
		m.mnid.p = raw_id;
		m.mnid.len = sizeof(raw_id);
		m.service_id = m.mnid;			/* not printable */
		m.req.min_bw = 0;
		m.req.max_lat = m.req.max_jitter = MH_REQ_UNSET;
		m.req.max_loss = m.req.comp_lat = MH_REQ_UNSET;
		m.req.affinity.len = 0;
		m.timestamp = UINT64_MAX;
		m.auth_data.len = 0;
		m.crid_format = (uint8_t)(MH_CRID_IP + v);
		m.crid.p = v == 0 ? crid4 : v == 1 ? crid_l2 : uri;
		m.crid.len = (uint8_t)(v == 0 ? 4 : v == 1 ? 8 : sizeof(uri) - 1);
		m.present |= MH_BIT(MH_O_TIMESTAMP);
		encode(&m, b1, &l1);
		through_json(&m, &pm, &j);
		assert_true(mh_msg_equal(&m, &pm.m));
		encode(&pm.m, b2, &l2);
		assert_int_equal(l1, l2);
		assert_memory_equal(b1, b2, l1);
		json_decref(j);
	}
}

/* docs/wire.md 5.9 G: "gone": true, no metric, both ways. */
static void
test_metrics_gone(void **state)
{
	static struct pj_msg pm;
	struct mh_msg m;
	uint8_t b1[MH_MAX_LEN], b2[MH_MAX_LEN];
	size_t l1, l2;
	json_t *j;

	(void)state;
	mh_msg_init(&m, MH_K_METRIC_REPORT);
	m.present |= MH_BIT(MH_O_CATS_METRICS);
	m.seq = 7;
	m.metrics = (struct mh_metrics){ .scope = MH_MS_INSTANCE,
	    .cis_id = 101, .gone = true };
	encode(&m, b1, &l1);
	through_json(&m, &pm, &j);
	assert_true(json_is_true(json_object_get(json_object_get(
	    json_object_get(j, "options"), "cats-metrics"), "gone")));
	assert_true(mh_msg_equal(&m, &pm.m));
	encode(&pm.m, b2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	json_decref(j);
}

/* The printed form of a known message: what docs/wire.md shows. */
static void
test_printed_form(void **state)
{
	struct mh_msg m;
	json_t *j, *o;

	(void)state;
	mh_msg_init(&m, MH_K_CATS_REQUEST);
	fill(&m, MH_BIT(MH_O_MNID) | MH_BIT(MH_O_SERVICE_ID) |
	    MH_BIT(MH_O_HNP) | MH_BIT(MH_O_CATS_REQ));
	m.flags |= MH_BU_P;
	m.lifetime = 15;
	j = pj_from_msg(&m, NULL, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "flags")),
	    "PCX");
	assert_string_equal(json_string_value(json_object_get(j, "type")),
	    "BU");
	assert_int_equal(json_integer_value(json_object_get(j, "mh_type")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "kind")),
	    "cats-request");
	assert_int_equal(json_integer_value(json_object_get(j, "lifetime")), 60);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "lifetime_units")), 15);
	assert_string_equal(json_string_value(json_object_get(j, "checksum")),
	    "unchecked");
	assert_null(json_object_get(j, "src"));
	o = json_object_get(j, "options");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "mn-id"), "nai")), "ue7@cats.example");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o,
	    "home-network-prefix"), 1)), "2001:db8:7:200::/56");
	o = json_object_get(json_object_get(o, "cats-requirements"), "affinity");
	assert_string_equal(json_string_value(json_object_get(json_array_get(o,
	    1), "kind")), "with");
	/* anchoring 3 step 1.d: a computing resource, by name */
	assert_string_equal(json_string_value(json_object_get(json_array_get(o,
	    2), "kind")), "needs");
	assert_string_equal(json_string_value(json_object_get(json_array_get(o,
	    2), "name")), "sgx2");
	json_decref(j);
}

/* ------------------------------------------------------------------ */
/* Malformed input: each error names its key.                          */

struct bad_case {
	const char	*name;
	const char	*json;
	const char	*err;		/* must appear in the message */
};

#define Q	"\"kind\":\"cats-query\",\"options\":{\"mn-id\":{\"nai\":\"a\"}," \
		"\"service-id\":\"s\""

static const struct bad_case bad_cases[] = {
	{ "not-object", "[1]", "must be a JSON object" },
	/* found by fuzz_pktjson: an affinity in hex the codec refuses
	 * (an entry kind without its length) was taken, then did not encode */
	{ "affinity-hex-malformed", "{\"kind\":\"svc-reply\",\"options\":"
	  "{\"service-id\":\"8\",\"cats-requirements\":{\"affinity\":\"02\"}}}",
	  "key options.cats-requirements.affinity: not a list of entries" },
	{ "kind-missing", "{\"seq\":1}", "key kind: missing" },
	{ "kind-unknown", "{\"kind\":\"pbx\"}", "key kind: unknown message" },
	{ "kind-type", "{\"kind\":5}", "key kind: must be a string" },
	{ "top-unknown-key", "{\"kind\":\"pbu\",\"sequence\":1}",
	  "key sequence: unknown key" },
	{ "seq-string", "{\"kind\":\"pbu\",\"seq\":\"1\"}",
	  "key seq: must be an integer" },
	{ "seq-real", "{\"kind\":\"pbu\",\"seq\":1.0}",
	  "key seq: must be an integer" },
	{ "seq-range", "{\"kind\":\"pbu\",\"seq\":65536}",
	  "key seq: 65536 out of range" },
	{ "seq-negative", "{\"kind\":\"pbu\",\"seq\":-1}",
	  "key seq: -1 out of range" },
	{ "type-mismatch", "{\"kind\":\"pba\",\"type\":\"BU\"}", "key type:" },
	{ "mh-type-mismatch", "{\"kind\":\"pbu\",\"mh_type\":6}",
	  "key mh_type:" },
	{ "lifetime-not-4", "{\"kind\":\"pbu\",\"lifetime\":6}",
	  "key lifetime: 6 s is not a multiple of 4" },
	{ "lifetime-range", "{\"kind\":\"pbu\",\"lifetime\":262144}",
	  "key lifetime: 262144 out of range" },
	{ "lifetime-units-disagree",
	  "{\"kind\":\"pbu\",\"lifetime\":8,\"lifetime_units\":3}",
	  "key lifetime_units:" },
	{ "flags-letter", "{\"kind\":\"pbu\",\"flags\":\"PZ\"}",
	  "key flags: no flag 'Z'" },
	{ "flags-ba-letter", "{\"kind\":\"pba\",\"flags\":\"A\"}",
	  "key flags: no flag 'A' in a BA" },
	{ "flags-twice", "{\"kind\":\"pbu\",\"flags\":\"PP\"}",
	  "key flags: 'P' given twice" },
	{ "flags-c-on-pbu", "{\"kind\":\"pbu\",\"flags\":\"C\"}",
	  "key flags: 'C' does not go with kind pbu" },
	{ "flags-x-on-query", "{" Q "},\"flags\":\"CX\"}",
	  "key flags: 'X' does not go with kind cats-query" },
	{ "flags-other-overlap", "{\"kind\":\"pbu\",\"flags_other\":512}",
	  "key flags_other:" },
	{ "status-on-bu", "{\"kind\":\"pbu\",\"status\":0}",
	  "key status: only in a BA" },
	{ "status-name-unknown", "{\"kind\":\"pba\",\"status\":\"fine\"}",
	  "key status: unknown status" },
	{ "status-range", "{\"kind\":\"pba\",\"status\":256}",
	  "key status: 256 out of range" },
	{ "status-name-mismatch",
	  "{\"kind\":\"pba\",\"status\":0,\"status_name\":\"timestamp-mismatch\"}",
	  "key status_name:" },
	{ "src-bad", "{\"kind\":\"pbu\",\"src\":\"2001:db8::g\"}",
	  "key src: not an IP address" },
	{ "src-dst-family", "{\"kind\":\"pbu\",\"src\":\"192.0.2.1\","
	  "\"dst\":\"2001:db8::1\"}", "key dst:" },
	{ "transport-bad", "{\"kind\":\"pbu\",\"transport\":\"sctp\"}",
	  "key transport:" },
	{ "transport-v4-native", "{\"kind\":\"pbu\",\"transport\":\"ipv6\","
	  "\"src\":\"192.0.2.1\"}", "key transport:" },
	{ "checksum-bad", "{\"kind\":\"pbu\",\"checksum\":\"fine\"}",
	  "key checksum:" },
	{ "unknown-options", "{\"kind\":\"pbu\",\"unknown\":[{\"type\":99}]}",
	  "key unknown: unknown options are encoded only from \"layout\"" },
	{ "options-type", "{\"kind\":\"pbu\",\"options\":[]}",
	  "key options: must be an object" },
	{ "option-unknown", "{\"kind\":\"pbu\",\"options\":{\"gre-key\":1}}",
	  "key options.gre-key: unknown option" },
	{ "mandatory-missing", "{\"kind\":\"cats-query\",\"options\":"
	  "{\"mn-id\":{\"nai\":\"a\"}}}",
	  "key options: a cats-query message needs option \"service-id\"" },
	{ "cats-msg-on-pbu", "{\"kind\":\"pbu\",\"options\":{\"cats-msg\":{}}}",
	  "key options.cats-msg: only in CATS messages" },
	{ "cats-msg-kind", "{" Q ",\"cats-msg\":{\"kind\":2}}}",
	  "key options.cats-msg.kind:" },
	{ "cats-msg-continuity", "{" Q ",\"cats-msg\":{\"continuity\":1}}}",
	  "key options.cats-msg.continuity: must be true or false" },
	{ "cats-msg-key", "{" Q ",\"cats-msg\":{\"urgent\":true}}}",
	  "key options.cats-msg.urgent: unknown key" },
	{ "mnid-both", "{\"kind\":\"pbu\",\"options\":{\"mn-id\":"
	  "{\"nai\":\"a\",\"hex\":\"00\"}}}", "key options.mn-id: needs one" },
	{ "mnid-nai-subtype", "{\"kind\":\"pbu\",\"options\":{\"mn-id\":"
	  "{\"subtype\":2,\"nai\":\"a\"}}}", "key options.mn-id.nai:" },
	{ "mnid-empty", "{\"kind\":\"pbu\",\"options\":{\"mn-id\":"
	  "{\"nai\":\"\"}}}", "key options.mn-id.nai: length 0" },
	{ "mnid-subtype-0", "{\"kind\":\"pbu\",\"options\":{\"mn-id\":"
	  "{\"subtype\":0,\"hex\":\"00\"}}}", "key options.mn-id.subtype:" },
	{ "mnid-hex-odd", "{\"kind\":\"pbu\",\"options\":{\"mn-id\":"
	  "{\"subtype\":2,\"hex\":\"abc\"}}}", "key options.mn-id.hex:" },
	{ "hi-range", "{\"kind\":\"pbu\",\"options\":{\"handoff-indicator\":"
	  "256}}", "key options.handoff-indicator: 256 out of range" },
	{ "llid-bad", "{\"kind\":\"pbu\",\"options\":{\"mn-link-layer-id\":"
	  "\"02:00:5e:1\"}}", "key options.mn-link-layer-id: not a link" },
	{ "hnp-not-list", "{\"kind\":\"pbu\",\"options\":"
	  "{\"home-network-prefix\":\"2001:db8::/64\"}}",
	  "key options.home-network-prefix: must be a list" },
	{ "hnp-empty", "{\"kind\":\"pbu\",\"options\":"
	  "{\"home-network-prefix\":[]}}",
	  "key options.home-network-prefix: 0 prefixes" },
	{ "hnp-five", "{\"kind\":\"pbu\",\"options\":{\"home-network-prefix\":"
	  "[\"::/0\",\"::/0\",\"::/0\",\"::/0\",\"::/0\"]}}",
	  "key options.home-network-prefix: 5 prefixes" },
	{ "hnp-no-len", "{\"kind\":\"pbu\",\"options\":"
	  "{\"home-network-prefix\":[\"2001:db8::/64\",\"2001:db8::\"]}}",
	  "key options.home-network-prefix[1]: not a prefix" },
	{ "hnp-len-129", "{\"kind\":\"pbu\",\"options\":"
	  "{\"home-network-prefix\":[\"2001:db8::/129\"]}}",
	  "key options.home-network-prefix[0]: prefix length over 128" },
	{ "hnp-len-sign", "{\"kind\":\"pbu\",\"options\":"
	  "{\"home-network-prefix\":[\"2001:db8::/+6\"]}}",
	  "key options.home-network-prefix[0]: bad prefix length" },
	{ "hnp-v4", "{\"kind\":\"pbu\",\"options\":"
	  "{\"home-network-prefix\":[\"192.0.2.0/24\"]}}",
	  "key options.home-network-prefix[0]: not an IPv6 prefix" },
	{ "timestamp-missing", "{\"kind\":\"pbu\",\"options\":{\"timestamp\":"
	  "{\"fraction\":1}}}", "key options.timestamp.seconds: missing" },
	{ "timestamp-range", "{\"kind\":\"pbu\",\"options\":{\"timestamp\":"
	  "{\"seconds\":281474976710656}}}",
	  "key options.timestamp.seconds: 281474976710656 out of range" },
	{ "lla-v4", "{\"kind\":\"pbu\",\"options\":{\"link-local-address\":"
	  "\"192.0.2.1\"}}", "key options.link-local-address: not an IPv6" },
	{ "crid-format", "{" Q ",\"cr-id\":{\"format\":\"dns\","
	  "\"value\":\"x\"}}}", "key options.cr-id.format:" },
	{ "crid-format-num", "{" Q ",\"cr-id\":{\"format\":4,\"hex\":\"00\"}}}",
	  "key options.cr-id.format:" },
	{ "crid-l2-7", "{" Q ",\"cr-id\":{\"format\":\"l2\","
	  "\"value\":\"01:02:03:04:05:06:07\"}}}", "key options.cr-id.value:" },
	{ "crid-ip-bad", "{" Q ",\"cr-id\":{\"format\":\"ip\","
	  "\"value\":\"cr1\"}}}", "key options.cr-id.value: not an IP" },
	{ "crid-ip-hex-len", "{" Q ",\"cr-id\":{\"format\":1,"
	  "\"hex\":\"0102\"}}}", "key options.cr-id.hex:" },
	{ "crid-none", "{" Q ",\"cr-id\":{\"format\":\"uri\"}}}",
	  "key options.cr-id: needs one" },
	{ "service-id-type", "{\"kind\":\"cats-query\",\"options\":{\"mn-id\":"
	  "{\"nai\":\"a\"},\"service-id\":7}}", "key options.service-id: must" },
	{ "service-id-empty", "{\"kind\":\"cats-query\",\"options\":{\"mn-id\":"
	  "{\"nai\":\"a\"},\"service-id\":\"\"}}",
	  "key options.service-id: length 0" },
	{ "req-range", "{" Q ",\"cats-requirements\":{\"max_lat\":4294967296}}}",
	  "key options.cats-requirements.max_lat: 4294967296 out of range" },
	{ "req-key", "{" Q ",\"cats-requirements\":{\"latency\":1}}}",
	  "key options.cats-requirements.latency: unknown key" },
	{ "aff-kind", "{" Q ",\"cats-requirements\":{\"affinity\":"
	  "[{\"kind\":\"near\",\"name\":\"x\"}]}}}",
	  "key options.cats-requirements.affinity[0].kind:" },
	{ "aff-kind-num", "{" Q ",\"cats-requirements\":{\"affinity\":"
	  "[{\"kind\":\"needs\",\"name\":\"x\"},{\"kind\":4,\"name\":\"x\"}]}}}",
	  "key options.cats-requirements.affinity[1].kind:" },
	{ "aff-name-empty", "{" Q ",\"cats-requirements\":{\"affinity\":"
	  "[{\"kind\":\"with\",\"name\":\"\"}]}}}",
	  "key options.cats-requirements.affinity[0].name: length 0" },
	{ "aff-too-long", "{" Q ",\"cats-requirements\":{\"affinity\":["
	  "{\"kind\":\"with\",\"name\":\"" "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "\"}]}}}", "key options.cats-requirements.affinity[0]: affinity over" },
	{ "prefix-bad", "{\"kind\":\"cats-ack\",\"options\":{\"service-id\":\"s\","
	  "\"service-prefix\":\"2001:db8::/\"}}", "key options.service-prefix:" },
	{ "client-addr-bad", "{\"kind\":\"mob-request\",\"options\":"
	  "{\"client-addr\":\"2001:db8::1::2\"}}",
	  "key options.client-addr: not an IPv6 address" },
	{ "tx-port", "{\"kind\":\"tx-confirm\",\"options\":{\"client-addr\":"
	  "\"::1\",\"transaction\":{\"port\":65536}}}",
	  "key options.transaction.port: 65536 out of range" },
	{ "gone-path", "{\"kind\":\"metric-report\",\"options\":{\"cats-metrics\":"
	  "{\"scope\":\"path\",\"egress\":\"::1\",\"gone\":true}}}",
	  "key options.cats-metrics.gone: only with scope" },
	{ "gone-with-metrics", "{\"kind\":\"metric-report\",\"options\":"
	  "{\"cats-metrics\":{\"scope\":\"instance\",\"cis_id\":101,"
	  "\"gone\":true,\"metrics\":[{\"metric\":\"capacity\",\"value\":1}]}}}",
	  "key options.cats-metrics.metrics: must be absent or empty" },
	{ "gone-not-bool", "{\"kind\":\"metric-report\",\"options\":"
	  "{\"cats-metrics\":{\"scope\":\"instance\",\"cis_id\":101,"
	  "\"gone\":1}}}", "key options.cats-metrics.gone: must be true" },
	{ "auth-subtype-0", "{\"kind\":\"pbu\",\"options\":{\"authentication\":"
	  "{\"subtype\":0}}}", "key options.authentication.subtype: 0 is" },
	{ "auth-data-hex", "{\"kind\":\"pbu\",\"options\":{\"authentication\":"
	  "{\"subtype\":1,\"data\":\"0x00\"}}}",
	  "key options.authentication.data: not hex" },
};

static void
test_malformed(void **state)
{
	static struct pj_msg pm;
	json_error_t je;
	char err[256];
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		j = json_loads(c->json, JSON_REJECT_DUPLICATES, &je);
		if (j == NULL)
			fail_msg("%s: fixture is not JSON: %s", c->name, je.text);
		if (pj_to_msg(j, &pm, err, sizeof(err)) == 0)
			fail_msg("%s: accepted", c->name);
		if (strstr(err, c->err) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", c->name, err,
			    c->err);
		json_decref(j);
	}
}

/* Input niceties: C/X may be left out, status by name, units alone. */
static void
test_lenient_where_documented(void **state)
{
	static struct pj_msg pm;
	char err[256];
	json_t *j;

	(void)state;
	j = json_loads("{\"kind\":\"cats-request\",\"flags\":\"P\","
	    "\"lifetime_units\":15,\"options\":{\"mn-id\":{\"nai\":\"a\"},"
	    "\"service-id\":\"s\"}}", 0, NULL);
	assert_non_null(j);
	if (pj_to_msg(j, &pm, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(pm.m.flags, MH_BU_P | MH_BU_C | MH_BU_X);
	assert_int_equal(pm.m.lifetime, 15);
	json_decref(j);

	j = json_loads("{\"kind\":\"pba\",\"status\":\"timestamp-mismatch\"}",
	    0, NULL);
	assert_non_null(j);
	if (pj_to_msg(j, &pm, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(pm.m.status, MH_ST_TIMESTAMP_MISMATCH);
	json_decref(j);
}

/* ------------------------------------------------------------------ */
/* Layout: any order and padding a peer chooses comes back octet for   */
/* octet (docs/wire.md 7.1).                                           */

struct rawopt {
	uint8_t		 type, len;
	const uint8_t	*body;
};

static unsigned
rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/* The options of an encoded message, pads left out: the test's own walk. */
static size_t
split_opts(const uint8_t *b, size_t len, struct rawopt *o)
{
	size_t off = MH_FIXED_LEN, n = 0;

	while (off < len) {
		if (b[off] == MH_OT_PAD1) {
			off++;
			continue;
		}
		if (b[off] != MH_OT_PADN)
			o[n++] = (struct rawopt){ b[off], b[off + 1], b + off + 2 };
		off += 2u + b[off + 1];
	}
	return n;
}

/* p octets of padding, as Pad1s and PadNs chosen at random. */
static size_t
put_pad(uint8_t *b, size_t off, size_t p, unsigned *seed)
{
	size_t k;

	while (p > 0) {
		if (p == 1 || rnd(seed, 3) == 0) {
			b[off++] = MH_OT_PAD1;
			p--;
			continue;
		}
		k = 2 + rnd(seed, (unsigned)p - 1);
		b[off] = MH_OT_PADN;
		b[off + 1] = (uint8_t)(k - 2);
		memset(b + off + 2, 0, k - 2);
		off += k;
		p -= k;
	}
	return off;
}

/* Pad before an option of type t: what its xn+y needs, and sometimes a
 * few octets more where the run stays within 7. */
static size_t
pad_for(uint8_t *b, size_t off, uint8_t t, unsigned *seed)
{
	const struct mh_opt_info *oi = NULL;
	size_t p = 0;
	int i;

	for (i = 0; i < MH_O__COUNT; i++)
		if (mh_opt_info(i)->type == t)
			oi = mh_opt_info(i);
	if (oi != NULL && oi->align_n != 0) {
		p = (oi->align_y - off) & (oi->align_n - 1u);
		if (oi->align_n == 4 && p < 4 && rnd(seed, 2))
			p += 4;
	} else {
		p = rnd(seed, 4);
	}
	return put_pad(b, off, p, seed);
}

/* The message b laid out again in a random order with random padding and
 * unknown options: the authentication option stays last (RFC 4285). */
static size_t
relayout(const uint8_t *b, size_t len, uint8_t *out, unsigned *seed)
{
	static const uint8_t unknown_types[] = { 3, 150, 199, 250 };
	struct rawopt o[64], t;
	uint8_t junk[8];
	size_t n = split_opts(b, len, o), off = MH_FIXED_LEN, i, j, last;
	struct mh_addrs a;

	last = n > 0 && o[n - 1].type == MH_OT_AUTH ? n - 1 : n;
	for (i = last; i > 1; i--) {
		j = rnd(seed, (unsigned)i);
		t = o[i - 1];
		o[i - 1] = o[j];
		o[j] = t;
	}
	memcpy(out, b, MH_FIXED_LEN);
	for (i = 0; i < n; i++) {
		if (i < last && rnd(seed, 4) == 0) {
			junk[0] = (uint8_t)rnd(seed, 256);
			out[off] = unknown_types[rnd(seed, 4)];
			out[off + 1] = (uint8_t)rnd(seed, 7);
			for (j = 0; j < out[off + 1]; j++)
				out[off + 2 + j] = (uint8_t)(junk[0] + j);
			off += 2u + out[off + 1];
		}
		off = pad_for(out, off, o[i].type, seed);
		out[off] = o[i].type;
		out[off + 1] = o[i].len;
		memcpy(out + off + 2, o[i].body, o[i].len);
		off += 2u + o[i].len;
	}
	off = put_pad(out, off, (8 - off % 8) % 8, seed);
	out[1] = (uint8_t)(off / 8 - 1);
	out[4] = out[5] = 0;
	memcpy(a.src, meta6.src.a, 16);
	memcpy(a.dst, meta6.dst.a, 16);
	j = mh_checksum(out, off, &a);
	out[4] = (uint8_t)(j >> 8);
	out[5] = (uint8_t)j;
	return off;
}

/* b decoded with its layout, to JSON text and back, encoded again. */
static void
layout_round_trip(const uint8_t *b, size_t len, const char *what)
{
	static struct mh_layout lay;
	static struct pj_msg pm;
	uint8_t again[MH_MAX_LEN];
	struct mh_addrs a;
	struct mh_error e;
	struct mh_msg d;
	json_error_t je;
	json_t *j, *back;
	char err[256], *text;
	size_t n, i;

	memcpy(a.src, meta6.src.a, 16);
	memcpy(a.dst, meta6.dst.a, 16);
	if (mh_decode_layout(b, len, &a, &d, &lay, &e) != MH_OK)
		fail_msg("%s: does not decode: %s at %zu", what,
		    mh_strerror(e.code), e.off);
	j = pj_from_msg(&d, &meta6, &lay);
	assert_non_null(j);
	text = json_dumps(j, 0);
	assert_non_null(text);
	back = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(back);
	if (pj_to_msg(back, &pm, err, sizeof(err)) != 0)
		fail_msg("%s: reader: %s (%s)", what, err, text);
	free(text);
	assert_true(pm.has_layout);
	if (pj_encode(&pm, &a, again, sizeof(again), &n, &e) != MH_OK)
		fail_msg("%s: does not encode: %s at %zu, option %u", what,
		    mh_strerror(e.code), e.off, e.opt);
	for (i = 0; i < n && i < len && again[i] == b[i]; i++)
		;
	if (n != len || i != n)
		fail_msg("%s: %zu octets came back as %zu, first differing "
		    "at %zu", what, len, n, i);
	json_decref(j);
	json_decref(back);
}

static void
test_layout_any_order(void **state)
{
	const struct mh_kind_info *ki;
	struct mh_msg m;
	uint8_t b[MH_MAX_LEN], r[MH_MAX_LEN];
	char what[96];
	unsigned seed, moved = 0;
	size_t i, len, rlen, round;

	(void)state;
	for (i = 0; (ki = mh_kind_at(i)) != NULL; i++) {
		build(&m, ki, true);
		encode(&m, b, &len);
		layout_round_trip(b, len, ki->name);
		for (round = 0; round < 200; round++) {
			seed = (unsigned)(i * 1000 + round + 1);
			rlen = relayout(b, len, r, &seed);
			snprintf(what, sizeof(what), "%s, order %zu", ki->name,
			    round);
			layout_round_trip(r, rlen, what);
			moved += rlen != len || memcmp(r, b, len) != 0;
		}
	}
	/* the orders were not ours: nearly all of 22 * 200 */
	assert_true(moved > 4000);
}

/* Each rule the encoder keeps when it follows a layout, by name. */
static void
test_layout_refusals(void **state)
{
	static struct mh_layout lay;
	struct mh_msg m;
	struct mh_error e;
	uint8_t out[MH_MAX_LEN];
	size_t len;

	(void)state;
	build(&m, mh_kind_info(MH_K_CATS_QUERY), false);
	/* cats-msg, mn-id, service-id: the mandatory set */
#define LAY(...) do {							\
	static const uint8_t t_[] = { __VA_ARGS__ };			\
	lay.n = lay.used = 0;						\
	for (size_t k_ = 0; k_ < sizeof(t_); k_++)			\
		assert_true(mh_layout_add(&lay, t_[k_], 0, NULL));	\
} while (0)
	LAY(MH_OT_SERVICE_ID, MH_OT_CATS_MSG, MH_OT_MNID);
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_E_LAYOUT);
	assert_int_equal(e.opt, 0);	/* does not end on 8 octets */
	assert_int_equal(e.off % 8, 5);	/* 12 + 26 + 4 + 19 */
	assert_true(mh_layout_add(&lay, MH_OT_PADN, 1, NULL));
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_OK);
	assert_int_equal(len, 64);
	assert_int_equal(out[MH_FIXED_LEN], MH_OT_SERVICE_ID);

	LAY(MH_OT_CATS_MSG, MH_OT_MNID);
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_E_LAYOUT);
	assert_int_equal(e.opt, MH_OT_SERVICE_ID);

	LAY(MH_OT_CATS_MSG, MH_OT_MNID, MH_OT_SERVICE_ID, MH_OT_CR_ID);
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_E_LAYOUT);
	assert_int_equal(e.opt, MH_OT_CR_ID);

	LAY(MH_OT_CATS_MSG, MH_OT_MNID, MH_OT_MNID, MH_OT_SERVICE_ID);
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_E_OPT_DUP);

	/* the CIS-ID wants 4n+2: at offset 12 + 4 it is not */
	m.present |= MH_BIT(MH_O_CIS_ID);
	m.cis_id = 7;
	LAY(MH_OT_CATS_MSG, MH_OT_CIS_ID, MH_OT_MNID, MH_OT_SERVICE_ID);
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_E_OPT_ALIGN);
	assert_int_equal(e.opt, MH_OT_CIS_ID);
	m.present &= ~MH_BIT(MH_O_CIS_ID);

	LAY(MH_OT_PADN, MH_OT_PADN, MH_OT_CATS_MSG, MH_OT_MNID,
	    MH_OT_SERVICE_ID);
	lay.e[1].len = 4;	/* 2 + 6 octets of padding in a row */
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_E_PAD);

	m.present |= MH_BIT(MH_O_AUTH);
	m.auth_subtype = 1;
	m.auth_spi = 300;
	m.auth_data.p = authdata;
	m.auth_data.len = sizeof(authdata);
	LAY(MH_OT_CATS_MSG, MH_OT_MNID, MH_OT_PADN, MH_OT_AUTH,
	    MH_OT_SERVICE_ID);	/* the authentication at 37, 4n+1 */
	assert_int_equal(mh_encode_layout(&m, &lay, NULL, out, sizeof(out),
	    &len, &e), MH_E_AUTH_NOT_LAST);
#undef LAY
}

/*
 * tests/data/every-kind.json (the tshark and CLI fixture) holds every kind
 * of the kind table, each one encodable.  Run from the top of the tree, or
 * set CATS_TEST_DATA to the data directory.
 */
static void
test_fixture_covers_every_kind(void **state)
{
	static struct pj_msg pm;
	const struct mh_kind_info *ki;
	const char *dir = getenv("CATS_TEST_DATA");
	char path[512], err[256];
	bool seen[256] = { false };
	uint8_t out[MH_MAX_LEN];
	struct mh_error e;
	json_error_t je;
	json_t *list;
	size_t i, len;

	(void)state;
	snprintf(path, sizeof(path), "%s/every-kind.json",
	    dir != NULL ? dir : "tests/data");
	if ((list = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
		fail_msg("%s: %s", path, je.text);
	assert_true(json_is_array(list));
	for (i = 0; i < json_array_size(list); i++) {
		if (pj_to_msg(json_array_get(list, i), &pm, err,
		    sizeof(err)) != 0)
			fail_msg("%s message %zu: %s", path, i + 1, err);
		assert_int_equal(mh_encode(&pm.m, NULL, out, sizeof(out), &len,
		    &e), MH_OK);
		seen[pm.m.kind] = true;
	}
	for (i = 0; (ki = mh_kind_at(i)) != NULL; i++)
		if (!seen[ki->kind])
			fail_msg("%s lacks a %s message", path, ki->name);
	json_decref(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_mandatory),
		cmocka_unit_test(test_every_kind_all_options),
		cmocka_unit_test(test_edge_values),
		cmocka_unit_test(test_metrics_gone),
		cmocka_unit_test(test_printed_form),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_lenient_where_documented),
		cmocka_unit_test(test_fixture_covers_every_kind),
		cmocka_unit_test(test_layout_any_order),
		cmocka_unit_test(test_layout_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
