/*
 * Tests of the Mobility Header codec: byte-exact vectors for every message
 * kind and option, a hand-derived PBU, the checksum against a plain RFC 1071
 * sum, named malformed cases, edge values, and the cursor API.
 *
 * CATS_MH_GEN=1 prints the vectors' hex instead of checking them (used once
 * to fill the table; every byte was then read against docs/wire.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/buf.h"
#include "cats/mh.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Building messages                                                   */

static const uint8_t nai[] = "ue1@cats.example";
static const uint8_t svc[] = "video.cats";
static const uint8_t aff[] = { MH_AFF_AVOID, 10, 't', 'r', 'a', 'n', 's',
	'c', 'o', 'd', 'e', 'r' };
static const uint8_t llid[] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
static const uint8_t authdata[] = { 0xa5, 0xa5, 0xa5, 0xa5, 0x5a, 0x5a,
	0x5a, 0x5a, 0x11, 0x22, 0x33, 0x44 };
static const uint8_t egress1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xe1,
	[15] = 1 };
static const uint8_t ingress1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x11,
	[15] = 1 };
static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a,
	[15] = 0x10 };

static const struct mh_addrs addrs = {
	.src = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x11, [15] = 1 },
	.dst = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xe1, [15] = 1 },
};

static void
fill_req(struct mh_cats_req *r, uint32_t scale)
{
	r->min_bw = 1250000 * scale;		/* 10 Mbit/s */
	r->max_lat = 20000000 / scale;		/* 20 ms */
	r->max_jitter = 5000000 / scale;	/* 5 ms */
	r->max_loss = 1000000 / scale;		/* 0.1 % */
	r->comp_lat = 10000000 / scale;		/* 10 ms */
	r->affinity.p = aff;
	r->affinity.len = sizeof(aff);
}

/* Give every option in 'bits' a realistic value. */
static void
fill(struct mh_msg *m, uint32_t bits)
{
	m->present |= bits;
	m->mnid_subtype = MH_NAI_SUBTYPE;
	m->mnid.p = nai;
	m->mnid.len = sizeof(nai) - 1;
	m->hi = 1;			/* attachment over a new interface */
	m->att = 4;			/* IEEE 802.11a/b/g */
	m->llid.p = llid;
	m->llid.len = sizeof(llid);
	m->n_hnp = (bits & MH_BIT(MH_O_HNP)) ? 1 : 0;
	m->hnp[0].len = 64;
	memcpy(m->hnp[0].addr, "\x20\x01\x0d\xb8\x00\x01\x00\x01", 8);
	m->timestamp = (uint64_t)1790000000 << 16 | 0x8000;
	memcpy(m->lla, "\xfe\x80\0\0\0\0\0\0\x02\x00\x5e\xff\xfe\x10\x00\x01", 16);
	m->crid_format = MH_CRID_IP;
	m->crid.p = egress1;
	m->crid.len = 16;
	m->service_id.p = svc;
	m->service_id.len = sizeof(svc) - 1;
	fill_req(&m->req, 1);
	fill_req(&m->cond, 2);
	m->svc_prefix.len = 64;
	memcpy(m->svc_prefix.addr, "\x20\x01\x0d\xb8\x5e\x00\x00\x01", 8);
	memcpy(m->client_addr, client, 16);
	memcpy(m->cats_addr, egress1, 16);
	m->tx.id = 42;
	m->tx.next_seq = 1001;
	m->tx.state_len = 4096;
	m->tx.port = 5437;
	m->cis_id = 101;
	m->metrics = (struct mh_metrics){ .scope = MH_MS_INSTANCE, .n = 2,
	    .cis_id = 101, .s = {
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.25 },
		{ CATS_M_PROC_DELAY, CATS_STAT_MEAN, 5000, 2e6 } } };
	m->auth_subtype = 1;		/* RFC 4285 MN-HA */
	m->auth_spi = 0x100;
	m->auth_data.p = authdata;
	m->auth_data.len = sizeof(authdata);
}

#define B(o)	MH_BIT(MH_O_##o)

struct vector {
	const char	*name;
	uint8_t		 kind;
	uint32_t	 opts;		/* besides the kind's mandatory ones */
	uint16_t	 flags;		/* besides C and X */
	uint8_t		 status;
	const char	*hex;
};

/* One row per message kind, and between them every option at least once. */
static const struct vector vectors[] = {
	{ "pbu", MH_K_PBU, B(MNID) | B(HI) | B(ATT) | B(HNP) | B(TIMESTAMP) |
	  B(LLID) | B(LLA), MH_BU_A | MH_BU_P, 0,
	  "3b0c050000000a0b82000096"				/* @0 header */
	  "0811017565314063617473 2e6578616d706c65"		/* @12 MNID */
	  "17020001 18020004"					/* @31 HI, ATT */
	  "010100 190800000200 5e100001"			/* @39 LLID */
	  "16120040 20010db8000100010000000000000000"		/* @52 HNP */
	  "0100 1b0800006ab13b808000"				/* @72 timestamp */
	  "0100 1a10fe8000000000000002005efffe100001" },
	{ "cats-query", MH_K_CATS_QUERY, B(CR_ID) | B(CATS_REQ) | B(TIMESTAMP),
	  MH_BU_P, 0,
	  "3b0e050000000a0b02080096c802010008110175653140636174732e"
	  "6578616d706c65010500000000001b0800006ab13b808000c9121001"
	  "20010db800e100000000000000000001ca0c0a00766964656f2e6361"
	  "7473cb20001312d001312d00004c4b40000f424000989680010a7472"
	  "616e73636f646572" },
	{ "cats-request", MH_K_CATS_REQUEST, B(CR_ID) | B(CATS_REQ) | B(HNP),
	  MH_BU_P, 0,
	  "3b0f050000000a0b020c0096c802020008110175653140636174732e"
	  "6578616d706c65001612004020010db8000100010000000000000000"
	  "c912100120010db800e100000000000000000001ca0c0a0076696465"
	  "6f2e63617473cb20001312d001312d00004c4b40000f424000989680"
	  "010a7472616e73636f64657201020000" },
	{ "mob-notify", MH_K_MOB_NOTIFY, B(SERVICE_ID), 0, 0,
	  "3b08050000000a0b00080096c8020380ca0c0a00766964656f2e6361"
	  "7473ce1020010db8000a00000000000000000010010400000000cf10"
	  "20010db800e100000000000000000001" },
	{ "mob-request", MH_K_MOB_REQUEST, B(LLID), 0, 0,
	  "3b05050000000a0b000c0096c802040001001908000002005e100001"
	  "0100ce1020010db8000a00000000000000000010" },
	{ "tx-transfer-request", MH_K_TX_TRANSFER_REQ, B(CR_ID), 0, 0,
	  "3b0e050000000a0b000c0096c8020500c912100120010db800e10000"
	  "0000000000000001ca0c0a00766964656f2e6361747301020000ce10"
	  "20010db8000a00000000000000000010010400000000cf1020010db8"
	  "00e1000000000000000000010100d0100000002a000003e900001000"
	  "153d000001020000" },
	{ "tx-transfer-notify", MH_K_TX_TRANSFER_NOTIFY, 0, 0, 0,
	  "3b0b050000000a0b00080096c8020600ca0c0a00766964656f2e6361"
	  "7473ce1020010db8000a00000000000000000010010400000000cf10"
	  "20010db800e1000000000000000000010100d0100000002a000003e9"
	  "00001000153d000001020000" },
	{ "loc-register", MH_K_LOC_REGISTER, B(LLID), 0, 0,
	  "3b08050000000a0b00080096c802070001001908000002005e100001"
	  "0100ce1020010db8000a00000000000000000010010400000000cf10"
	  "20010db800e100000000000000000001" },
	{ "loc-query", MH_K_LOC_QUERY, B(AUTH), 0, 0,
	  "3b07050000000a0b00080096c8020800010400000000ce1020010db8"
	  "000a000000000000000000100009110100000100a5a5a5a55a5a5a5a"
	  "1122334401020000" },
	{ "svc-request", MH_K_SVC_REQUEST, B(CATS_REQ) | B(CLIENT_ADDR), 0, 0,
	  "3b0a050000000a0b000c0096c8020900ca0c0a00766964656f2e6361"
	  "7473cb20001312d001312d00004c4b40000f424000989680010a7472"
	  "616e73636f646572010400000000ce1020010db8000a000000000000"
	  "00000010" },
	{ "pba", MH_K_PBA, B(MNID) | B(HNP) | B(TIMESTAMP), MH_BA_P,
	  MH_ST_ACCEPTED,
	  "3b080600000000200a0b009608110175653140636174732e6578616d"
	  "706c6501030000001612004020010db8000100010000000000000000"
	  "01001b0800006ab13b80800001020000" },
	{ "cats-response", MH_K_CATS_RESPONSE, B(CR_ID) | B(CATS_COND), MH_BA_P,
	  MH_ST_CATS_AVAILABLE,
	  "3b0a0600000064210a0b0096c8028100c912100120010db800e10000"
	  "0000000000000001ca0c0a00766964656f2e63617473cc20002625a0"
	  "00989680002625a00007a120004c4b40010a7472616e73636f646572"
	  "01020000" },
	{ "cats-response-none", MH_K_CATS_RESPONSE, 0, MH_BA_P,
	  MH_ST_CATS_UNAVAILABLE,
	  "3b0306000000c8210a0b0096c8028100ca0c0a00766964656f2e6361"
	  "74730100" },
	{ "cats-ack", MH_K_CATS_ACK, B(SVC_PREFIX) | B(MNID) | B(CIS_ID), MH_BA_P,
	  MH_ST_CATS_AVAILABLE,
	  "3b090600000064210a0b0096c802820008110175653140636174732e"
	  "6578616d706c65ca0c0a00766964656f2e63617473010100cd120040"
	  "20010db85e00000100000000000000000100d10400000065" },
	{ "svc-reply", MH_K_SVC_REPLY, B(SVC_PREFIX) | B(CR_ID), 0,
	  MH_ST_CATS_AVAILABLE,
	  "3b080600000064010a0b0096c8028700c912100120010db800e10000"
	  "0000000000000001ca0c0a00766964656f2e636174730100cd120040"
	  "20010db85e0000010000000000000000" },
	/* laid out by hand from docs/wire.md 5.9 */
	{ "metric-report", MH_K_METRIC_REPORT, B(TIMESTAMP), 0, 0,
	  "3b0805000000 0a0b 0008 0096"				/* @0 header */
	  "c8020a00 0100 1b0800006ab13b808000 0100"		/* @12 kind 10 */
	  "d224 01 02 0000 00000065"				/* @30 instance 101 */
	  "00 00 00000000 3fd0000000000000"			/* util, cur, 0.25 */
	  "03 01 00001388 413e848000000000"			/* proc, mean 5 s, 2e6 */
	  "01020000" },
	/* RFC 5847 heartbeat and its answer: the CATS message option alone */
	{ "heartbeat", MH_K_HEARTBEAT, 0, 0, 0,
	  "3b01050000000a0b00080096c8020b00" },
	{ "heartbeat-ack", MH_K_HEARTBEAT_ACK, 0, 0, MH_ST_ACCEPTED,
	  "3b010600000000010a0b0096c8028900" },
	{ "msg-ack", MH_K_MSG_ACK, B(CLIENT_ADDR), 0, MH_ST_CATS_UNKNOWN_CLIENT,
	  "3b0406000000c9010a0b0096c8028800010400000000ce1020010db8"
	  "000a00000000000000000010" },
	{ "mob-indication", MH_K_MOB_INDICATION, B(CATS_ADDR), 0, 0,
	  "3b070600000000010a0b0096c8028300010400000000ce1020010db8"
	  "000a00000000000000000010010400000000cf1020010db800110000"
	  "0000000000000001" },
	{ "tx-confirm", MH_K_TX_CONFIRM, B(SERVICE_ID), 0, 0,
	  "3b080600000000010a0b0096c8028400ca0c0a00766964656f2e6361"
	  "7473ce1020010db8000a000000000000000000100100d0100000002a"
	  "000003e900001000153d000001020000" },
	{ "tx-received", MH_K_TX_RECEIVED, 0, 0, 0,
	  "3b070600000000010a0b0096c8028500010400000000ce1020010db8"
	  "000a000000000000000000100100d0100000002a000003e900001000"
	  "153d000001020000" },
	{ "loc-reply", MH_K_LOC_REPLY, B(CATS_ADDR) | B(CR_ID), 0, 0,
	  "3b090600000000010a0b0096c8028600c912100120010db800110000"
	  "00000000000000010100ce1020010db8000a00000000000000000010"
	  "010400000000cf1020010db800e100000000000000000001" },
};

static void
build(struct mh_msg *m, const struct vector *v)
{
	const struct mh_kind_info *ki = mh_kind_info(v->kind);

	assert_non_null(ki);
	mh_msg_init(m, (enum mh_kind)v->kind);
	fill(m, ki->mandatory | v->opts);
	m->flags |= v->flags;
	m->status = v->status;
	m->seq = 0x0a0b;
	m->lifetime = 150;		/* 600 s */
	if (v->kind == MH_K_MOB_NOTIFY)
		m->cats_flags = MH_CF_CONTINUITY;
	/* Mobility 4.2: an indication to the egress names the old ingress;
	 * the locator names the old ingress in the CR_ID. */
	if (v->kind == MH_K_MOB_INDICATION)
		memcpy(m->cats_addr, ingress1, 16);
	if (v->kind == MH_K_LOC_REPLY)
		m->crid.p = ingress1;
}

static void
test_vectors(void **state)
{
	uint8_t out[MH_MAX_LEN], want[MH_MAX_LEN];
	char hex[2 * MH_MAX_LEN + 1];
	struct mh_msg m, d;
	struct mh_error e;
	size_t i, len, wlen;
	bool gen = getenv("CATS_MH_GEN") != NULL;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];

		build(&m, v);
		assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_OK);
		bin2hex(out, len, hex);
		if (gen) {
			printf("%s %s\n", v->name, hex);
			continue;
		}
		if (v->hex != NULL) {
			wlen = hex2bin(v->hex, want, sizeof(want));
			if (wlen != len || memcmp(want, out, len) != 0)
				fail_msg("%s: got %s", v->name, hex);
		}
		/* decode(encode(x)) == x and encode(decode(b)) == b */
		assert_int_equal(mh_decode(out, len, NULL, &d, &e), MH_OK);
		assert_true(mh_msg_equal(&m, &d));
		assert_int_equal(mh_encode(&d, NULL, want, sizeof(want), &wlen, &e), MH_OK);
		assert_int_equal(wlen, len);
		assert_memory_equal(want, out, len);
	}
}

/* Every kind in the kind table encodes and decodes to itself. */
static void
test_every_kind(void **state)
{
	const struct mh_kind_info *ki;
	uint8_t out[MH_MAX_LEN];
	struct mh_msg m, d;
	struct mh_error e;
	size_t i, len;
	unsigned seen = 0;

	(void)state;
	for (i = 0; (ki = mh_kind_at(i)) != NULL; i++) {
		mh_msg_init(&m, (enum mh_kind)ki->kind);
		fill(&m, ki->mandatory | ki->optional);
		assert_int_equal(mh_encode(&m, &addrs, out, sizeof(out), &len, &e), MH_OK);
		assert_int_equal(len % 8, 0);
		assert_int_equal(mh_decode(out, len, &addrs, &d, &e), MH_OK);
		assert_true(mh_msg_equal(&m, &d));
		assert_ptr_equal(mh_kind_by_name(ki->name), ki);
		seen |= d.present;
	}
	assert_int_equal(i, MH_KIND_MAX);
	assert_int_equal(seen, MH_BIT(MH_O__COUNT) - 1);
}

/*
 * A PBU laid out by hand from RFC 6275 6.1.1/6.1.7 and RFC 5213 8, with the
 * padding each option's alignment asks for.  Independent of the encoder.
 */
static const char hand_pbu[] =
	"3b 07 05 00 0000"		/* proto 59, len (64/8)-1, BU, cksum */
	"0001 0200 004b"		/* seq 1, P, lifetime 75 (300 s) */
	"08 04 01 614062"		/* @12 MNID NAI "a@b" */
	"17 02 00 01"			/* @18 handoff indicator 1 */
	"18 02 00 04"			/* @22 access tech type 4 */
	"01 00"				/* @26 PadN: HNP wants 8n+4 */
	"16 12 00 40 20010db8000100000000000000000000"	/* @28 HNP /64 */
	"01 00"				/* @48 PadN: timestamp wants 8n+2 */
	"1b 08 0000 6ab13b80 0000"	/* @50 timestamp */
	"01 02 0000";			/* @60 PadN to 64 */

static void
test_hand_pbu(void **state)
{
	uint8_t b[128], out[128];
	struct mh_msg m;
	struct mh_error e;
	size_t len, olen;

	(void)state;
	len = hex2bin(hand_pbu, b, sizeof(b));
	assert_int_equal(len, 64);
	assert_int_equal(mh_decode(b, len, NULL, &m, &e), MH_OK);
	assert_int_equal(m.kind, MH_K_PBU);
	assert_int_equal(m.seq, 1);
	assert_int_equal(m.flags, MH_BU_P);
	assert_int_equal(m.lifetime, 75);
	assert_int_equal(m.mnid.len, 3);
	assert_memory_equal(m.mnid.p, "a@b", 3);
	assert_int_equal(m.hi, 1);
	assert_int_equal(m.att, 4);
	assert_int_equal(m.n_hnp, 1);
	assert_int_equal(m.hnp[0].len, 64);
	assert_int_equal(m.hnp[0].addr[5], 1);
	assert_int_equal(m.timestamp, (uint64_t)1790000000 << 16);
	assert_int_equal(m.n_unknown, 0);
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &olen, &e), MH_OK);
	assert_int_equal(olen, len);
	assert_memory_equal(out, b, len);
}

/*
 * Anchoring 3 step 1.d, docs/wire.md 5.4 (the same octets as its example):
 * an svc-request whose requirements need a computing resource ("needs"
 * gpu, kind 3) and avoid a function, laid out by hand.
 */
static const char hand_needs[] =
	"3b 08 05 00 0000 0a0b 000c 0096"	/* BU, 72 octets, C X, 600 s */
	"c8 02 09 00"				/* @12 svc-request */
	"ca 0c 0a 00 766964656f2e63617473"	/* @16 Service_ID */
	"cb 25"					/* @30 requirements, 37 */
	"00000000 ffffffff ffffffff ffffffff"	/* no bw, latency, ... */
	"00989680"				/* CompMaxLatency 10 ms */
	"03 03 677075"				/* @52 needs "gpu" */
	"01 0a 7472616e73636f646572"		/* @57 avoid "transcoder" */
	"01 01 00";				/* @69 PadN to 72 */

static void
test_affinity_needs(void **state)
{
	static const uint8_t want_aff[] = { MH_AFF_NEEDS, 3, 'g', 'p', 'u',
	    MH_AFF_AVOID, 10, 't', 'r', 'a', 'n', 's', 'c', 'o', 'd', 'e', 'r' };
	uint8_t b[128], out[128];
	struct mh_msg m, d;
	struct mh_error e;
	size_t len, olen;

	(void)state;
	len = hex2bin(hand_needs, b, sizeof(b));
	assert_int_equal(len, 72);
	assert_int_equal(mh_decode(b, len, NULL, &m, &e), MH_OK);
	assert_int_equal(m.kind, MH_K_SVC_REQUEST);
	assert_true(m.present & MH_BIT(MH_O_CATS_REQ));
	assert_int_equal(m.req.min_bw, 0);
	assert_int_equal(m.req.max_lat, MH_REQ_UNSET);
	assert_int_equal(m.req.comp_lat, 10000000);
	assert_int_equal(m.req.affinity.len, sizeof(want_aff));
	assert_memory_equal(m.req.affinity.p, want_aff, sizeof(want_aff));

	/* built from fields, it encodes to the same octets */
	mh_msg_init(&d, MH_K_SVC_REQUEST);
	d.seq = 0x0a0b;
	d.lifetime = 150;
	d.present |= MH_BIT(MH_O_SERVICE_ID) | MH_BIT(MH_O_CATS_REQ);
	d.service_id.p = svc;
	d.service_id.len = sizeof(svc) - 1;
	d.req.min_bw = 0;
	d.req.max_lat = d.req.max_jitter = d.req.max_loss = MH_REQ_UNSET;
	d.req.comp_lat = 10000000;
	d.req.affinity.p = want_aff;
	d.req.affinity.len = sizeof(want_aff);
	assert_int_equal(mh_encode(&d, NULL, out, sizeof(out), &olen, &e), MH_OK);
	assert_int_equal(olen, len);
	assert_memory_equal(out, b, len);
	assert_true(mh_msg_equal(&m, &d));
}

/* RFC 1071 the slow way, byte pair by byte pair, for comparison. */
static uint16_t
ref_checksum(const uint8_t *mh, size_t len, const struct mh_addrs *a)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < 16; i += 2)
		sum += (uint32_t)(a->src[i] << 8 | a->src[i + 1]) +
		    (uint32_t)(a->dst[i] << 8 | a->dst[i + 1]);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + MH_IPPROTO;
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(mh[i] << 8 | (i + 1 < len ? mh[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
test_checksum(void **state)
{
	uint8_t out[MH_MAX_LEN], odd[33];
	struct mh_msg m, d;
	struct mh_error e;
	struct mh_addrs other = addrs;
	size_t i, len;
	uint16_t ck;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		build(&m, &vectors[i]);
		assert_int_equal(mh_encode(&m, &addrs, out, sizeof(out), &len, &e), MH_OK);
		ck = (uint16_t)(out[4] << 8 | out[5]);
		out[4] = out[5] = 0;
		assert_int_equal(ck, ref_checksum(out, len, &addrs));
		out[4] = (uint8_t)(ck >> 8);
		out[5] = (uint8_t)ck;
		assert_int_equal(mh_decode(out, len, &addrs, &d, &e), MH_OK);
		/* Another destination must fail, and the message is still read. */
		other.dst[15] ^= 1;
		assert_int_equal(mh_decode(out, len, &other, &d, &e), MH_E_CHECKSUM);
		assert_int_equal(e.off, 4);
		assert_true(mh_msg_equal(&m, &d));
		other.dst[15] ^= 1;
		/* Without addresses nothing is checked. */
		out[5] ^= 0xff;
		assert_int_equal(mh_decode(out, len, NULL, &d, &e), MH_OK);
	}
	/* Odd length, for the tail of the sum. */
	for (i = 0; i < sizeof(odd); i++)
		odd[i] = (uint8_t)(i * 37 + 1);
	assert_int_equal(mh_checksum(odd, sizeof(odd), &addrs),
	    ref_checksum(odd, sizeof(odd), &addrs));
}

/* ------------------------------------------------------------------ */
/* Malformed messages                                                  */

/*
 * A malformed case is the options after a fixed header the test writes
 * (with the right header length), or, with hdr RAW, the whole message.
 */
enum hdr { RAW, BU, CBU, CBUX, CBA };

struct bad {
	const char	*name;
	enum hdr	 hdr;
	const char	*hex;
	enum mh_err	 err;
	size_t		 off;
};

static const char *const hdr_hex[] = {
	[RAW] = "",
	[BU] = "3b00 0500 0000 0001 0000 0000",	/* seq 1, no flags */
	[CBU] = "3b00 0500 0000 0001 0008 0000",	/* C */
	[CBUX] = "3b00 0500 0000 0001 000c 0000",	/* C and X */
	[CBA] = "3b00 0600 0000 0001 0001 0000",	/* status 0, C, seq 1 */
};

static const struct bad bads[] = {
	{ "empty", RAW, "", MH_E_SHORT, 0 },
	{ "truncated-header", RAW, "3b0105000000", MH_E_SHORT, 6 },
	{ "truncated-fixed", RAW, "3b00 0500 0000 0001 0000 00", MH_E_SHORT, 11 },
	{ "hdrlen-past-buffer", RAW, "3b02 0500 0000 0001 0000 0000 01020000",
	  MH_E_HDRLEN, 1 },
	{ "hdrlen-past-buffer-max", RAW, "3bff 0500 0000 0001 0000 0000 01020000",
	  MH_E_HDRLEN, 1 },
	{ "trailing-bytes", RAW, "3b01 0500 0000 0001 0000 0000 01020000 00000000",
	  MH_E_TRAILING, 16 },
	{ "payload-proto-tcp", RAW, "0601 0500 0000 0001 0000 0000 01020000",
	  MH_E_PROTO, 0 },
	{ "mh-type-brr", RAW, "3b01 0000 0000 0001 0000 0000 01020000", MH_E_TYPE, 2 },
	{ "mh-type-be", RAW, "3b01 0700 0000 0001 0000 0000 01020000", MH_E_TYPE, 2 },
	{ "option-past-end", BU, "1608 0000", MH_E_OPT_TRUNC, 12 },
	{ "option-len-missing", BU, "000000 16", MH_E_OPT_TRUNC, 15 },
	{ "nai-longer-than-option", BU, "0810 01 7565314063617473 00",
	  MH_E_OPT_TRUNC, 12 },
	{ "hnp-wrong-length", BU, "1611 0040 20010db80000000000000000000000 00",
	  MH_E_OPT_LEN, 13 },
	{ "timestamp-wrong-length", BU, "1b07 00006ab13b8000 000000", MH_E_OPT_LEN, 13 },
	{ "hi-wrong-length", BU, "1701 00 00", MH_E_OPT_LEN, 13 },
	{ "client-addr-short", CBU,
	  "c8020300 ce0f 20010db8000a000000000000000000 0105 0000000000",
	  MH_E_OPT_LEN, 17 },
	{ "svc-prefix-wrong-length", CBA,
	  "c8028200 cd11 0040 20010db85e00000000000000000000 0103 000000",
	  MH_E_OPT_LEN, 17 },
	{ "hnp-misaligned", BU,
	  "00 1612 0040 20010db8000100000000000000000000 0105 0000000000",
	  MH_E_OPT_ALIGN, 13 },
	{ "timestamp-misaligned", BU, "1b08 00006ab13b800000 0100", MH_E_OPT_ALIGN, 12 },
	{ "padn-run-8", BU, "0106 000000000000 01020000", MH_E_PAD, 12 },
	{ "pad1-run-8", BU, "0000000000000000 01020000", MH_E_PAD, 19 },
	{ "padn-not-zero", BU, "01020001", MH_E_PAD, 15 },
	{ "mnid-duplicated", BU, "0802 0161 0802 0162 01020000", MH_E_OPT_DUP, 16 },
	{ "hi-duplicated", BU, "1702 0001 1702 0001 01020000", MH_E_OPT_DUP, 16 },
	{ "hnp-five-times", BU,
	  "1612 0040 20010db8000100000000000000000000 01020000"
	  "1612 0040 20010db8000200000000000000000000 01020000"
	  "1612 0040 20010db8000300000000000000000000 01020000"
	  "1612 0040 20010db8000400000000000000000000 01020000"
	  "1612 0040 20010db8000500000000000000000000",
	  MH_E_OPT_DUP, 108 },
	{ "mnid-subtype-zero", BU, "0802 0061", MH_E_OPT_VALUE, 14 },
	{ "hnp-prefix-len-129", BU, "1612 0081 20010db8000100000000000000000000",
	  MH_E_OPT_VALUE, 14 },
	{ "svc-prefix-len-200", CBA,
	  "c8028200 01020000 cd12 00c8 20010db85e0000000000000000000000",
	  MH_E_OPT_VALUE, 22 },
	{ "crid-ip-len-5", CBU, "c8020100 c907 0501 0a00000105 0105 0000000000",
	  MH_E_OPT_VALUE, 18 },
	{ "crid-len-mismatch", CBU, "c8020100 c906 0801 0a000001", MH_E_OPT_VALUE, 18 },
	{ "crid-format-zero", CBU, "c8020100 c906 0400 0a000001", MH_E_OPT_VALUE, 18 },
	{ "service-id-no-room", CBU, "c8020100 ca02 0000 01020000", MH_E_OPT_LEN, 17 },
	{ "service-id-len-zero", CBU, "c8020100 ca03 0000 61 000000", MH_E_OPT_VALUE, 18 },
	{ "affinity-bad-kind", CBU,
	  "c8020100 0100 cb17 001312d0 01312d00 004c4b40 000f4240 00989680 040161"
	  "0103000000", MH_E_OPT_VALUE, 20 },
	{ "affinity-kind-0", CBU,
	  "c8020100 0100 cb17 001312d0 01312d00 004c4b40 000f4240 00989680 000161"
	  "0103000000", MH_E_OPT_VALUE, 20 },
	{ "affinity-needs-empty-name", CBU,
	  "c8020100 0100 cb16 001312d0 01312d00 004c4b40 000f4240 00989680 0300"
	  "010400000000", MH_E_OPT_VALUE, 20 },
	{ "affinity-entry-past-end", CBU,
	  "c8020100 0100 cb17 001312d0 01312d00 004c4b40 000f4240 00989680 010561"
	  "0103000000", MH_E_OPT_VALUE, 20 },
	{ "auth-not-last", BU, "00 0905 01 00000100 1702 0001", MH_E_AUTH_NOT_LAST, 20 },
	{ "c-flag-without-kind", CBU, "01020000", MH_E_KIND, 8 },
	{ "kind-without-c-flag", BU, "c8020100", MH_E_KIND, 8 },
	{ "kind-unknown", CBU, "c8026300", MH_E_KIND, 8 },
	{ "kind-of-ba-in-bu", CBU, "c8028100", MH_E_KIND, 8 },
	{ "x-flag-on-query", CBUX, "c8020100", MH_E_KIND, 8 },
	{ "x-flag-missing-on-request", CBU, "c8020200", MH_E_KIND, 8 },
	{ "ba-c-flag-without-kind", CBA, "01020000", MH_E_KIND, 7 },
	{ "query-without-service-id", CBU, "c8020100 0805 01 61406263 00",
	  MH_E_MISSING, 24 },
	{ "metrics-count-mismatch", CBU, "c8020a00 0100 d216 01020000 00000065"
	  "0000 00000000 3fd0000000000000 0104 00000000", MH_E_OPT_VALUE, 20 },
	{ "metrics-scope-unknown", CBU, "c8020a00 0100 d216 03010000 00000065"
	  "0000 00000000 3fd0000000000000 0104 00000000", MH_E_OPT_VALUE, 20 },
	{ "metrics-cis-id-zero", CBU, "c8020a00 0100 d216 01010000 00000000"
	  "0000 00000000 3fd0000000000000 0104 00000000", MH_E_OPT_VALUE, 20 },
	{ "metrics-network-in-instance", CBU, "c8020a00 0100 d216 01010000 00000065"
	  "0400 00000000 40f86a0000000000 0104 00000000", MH_E_OPT_VALUE, 20 },
	{ "metrics-not-finite", CBU, "c8020a00 0100 d216 01010000 00000065"
	  "0000 00000000 7ff8000000000000 0104 00000000", MH_E_OPT_VALUE, 20 },
	{ "metrics-same-twice", CBU, "c8020a00 0100 d224 01020000 00000065"
	  "0000 00000000 3fd0000000000000 0000 00000000 3fe0000000000000",
	  MH_E_OPT_VALUE, 20 },
	/* 8..132 octets since G (a gone instance, no metric): 21 is a
	 * length the count does not explain */
	{ "metrics-too-short", CBU, "c8020a00 0100 d215 01010000 00000065"
	  "0000 00000000 3fd00000000000 0105 0000000000", MH_E_OPT_VALUE, 20 },
	{ "metrics-too-short-for-cis-id", CBU, "c8020a00 0100 d206 01008000 0000"
	  "0104 00000000", MH_E_OPT_LEN, 19 },
	/* docs/wire.md 5.9 G: scope 1 and count 0 only; no G, count 1..8 */
	{ "metrics-gone-with-metrics", CBU, "c8020a00 0100 d216 01018000 00000065"
	  "0000 00000000 3fd0000000000000 0104 00000000", MH_E_OPT_VALUE, 20 },
	{ "metrics-gone-path", CBU, "c8020a00 0100 d214 02008000"
	  "20010db800e100000000000000000001", MH_E_OPT_VALUE, 20 },
	{ "metrics-none-not-gone", CBU, "c8020a00 0100 d208 01000000 00000065"
	  "01020000", MH_E_OPT_VALUE, 20 },
	{ "metrics-misaligned", CBU, "c8020a00 d216 01010000 00000065"
	  "0000 00000000 3fd0000000000000 0106 000000000000", MH_E_OPT_ALIGN, 16 },
	{ "report-without-metrics", CBU, "c8020a00", MH_E_MISSING, 16 },
	{ "notify-without-cats-addr", CBU,
	  "c8020300 0104 00000000 ce10 20010db8000a00000000000000000010",
	  MH_E_MISSING, 40 },
};

/* The test's own header: the case's options must fill 8-octet units. */
static size_t
bad_bytes(const struct bad *t, uint8_t *b, size_t cap)
{
	size_t h, n;

	h = hex2bin(hdr_hex[t->hdr], b, cap);
	n = hex2bin(t->hex, b + h, cap - h);
	if (h == (size_t)-1 || n == (size_t)-1)
		fail_msg("%s: bad hex in the test", t->name);
	if (t->hdr != RAW) {
		if ((h + n) % 8 != 0)
			fail_msg("%s: %zu octets, not a multiple of 8", t->name, h + n);
		b[1] = (uint8_t)((h + n) / 8 - 1);
	}
	return h + n;
}

static void
test_malformed(void **state)
{
	uint8_t b[MH_MAX_LEN + 64];
	char hex[2 * (MH_MAX_LEN + 64) + 1];
	struct mh_msg m;
	struct mh_error e;
	size_t i, len;
	bool gen = getenv("CATS_MH_GEN_BAD") != NULL;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *t = &bads[i];

		len = bad_bytes(t, b, sizeof(b));
		if (gen) {	/* the corpus tests/data/mh-malformed.hex */
			bin2hex(b, len, hex);
			printf("%s %s\n", t->name, hex);
			continue;
		}
		if (mh_decode(b, len, NULL, &m, &e) != t->err || e.off != t->off)
			fail_msg("%s: got \"%s\" at %zu, want \"%s\" at %zu", t->name,
			    mh_strerror(e.code), e.off, mh_strerror(t->err), t->off);
		assert_string_not_equal(mh_strerror(e.code), "unknown error");
	}
}

/* Unknown options are skipped and reported with their offset. */
static void
test_unknown_options(void **state)
{
	uint8_t b[64];
	struct mh_msg m;
	struct mh_error e;
	size_t len;

	(void)state;
	len = hex2bin("3b02 0500 0000 0001 0000 0000 4703 aabbcc f000 0802 0161 00",
	    b, sizeof(b));
	assert_int_equal(mh_decode(b, len, NULL, &m, &e), MH_OK);
	assert_int_equal(m.n_unknown, 2);
	assert_int_equal(m.unknown[0].type, 0x47);
	assert_int_equal(m.unknown[0].len, 3);
	assert_int_equal(m.unknown[0].off, 12);
	assert_int_equal(m.unknown[1].type, 0xf0);
	assert_int_equal(m.unknown[1].off, 17);
	assert_true(m.present & MH_BIT(MH_O_MNID));
}

/* Sequence and lifetime at their extremes; the largest NAI; prefix /128. */
static void
test_edges(void **state)
{
	static const uint16_t vals[] = { 0, 1, 0x7fff, 0x8000, 0xffff };
	uint8_t out[MH_MAX_LEN], big[255];
	struct mh_msg m, d;
	struct mh_error e;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		mh_msg_init(&m, MH_K_PBU);
		m.seq = vals[i];
		m.lifetime = vals[sizeof(vals) / sizeof(vals[0]) - 1 - i];
		assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_OK);
		assert_int_equal(len, 16);
		assert_int_equal(mh_decode(out, len, NULL, &d, &e), MH_OK);
		assert_int_equal(d.seq, m.seq);
		assert_int_equal(d.lifetime, m.lifetime);
	}
	memset(big, 'n', sizeof(big));
	mh_msg_init(&m, MH_K_PBU);
	fill(&m, MH_BIT(MH_O_MNID) | MH_BIT(MH_O_HNP));
	m.mnid.p = big;
	m.mnid.len = 254;			/* option length 255 */
	m.hnp[0].len = 128;
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_OK);
	assert_int_equal(mh_decode(out, len, NULL, &d, &e), MH_OK);
	assert_true(mh_msg_equal(&m, &d));
	m.mnid.len = sizeof(big);		/* one more: option length 256 */
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_E_OPT_LEN);
}

/* docs/wire.md 5.9 G: "instance 101 is gone", laid out by hand; it
 * decodes, encodes back to the same octets, and the encoder refuses G
 * with a metric or about a path, and no G with no metric. */
static void
test_metrics_gone(void **state)
{
	static const char hex[] =
	    "3b03050000000a0b00080096"			/* @0 header */
	    "c8020a00 0100"				/* @12 kind 10 */
	    "d208 01 00 8000 00000065"			/* @18 G, instance 101 */
	    "01020000";
	uint8_t b[64], out[64];
	struct mh_msg m;
	struct mh_error e;
	size_t len, n;

	(void)state;
	n = hex2bin(hex, b, sizeof(b));
	assert_int_equal(mh_decode(b, n, NULL, &m, &e), MH_OK);
	assert_int_equal(m.kind, MH_K_METRIC_REPORT);
	assert_true(m.metrics.gone);
	assert_int_equal(m.metrics.scope, MH_MS_INSTANCE);
	assert_int_equal(m.metrics.cis_id, 101);
	assert_int_equal(m.metrics.n, 0);
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_OK);
	assert_int_equal(len, n);
	assert_memory_equal(out, b, n);
	m.metrics.n = 1;
	m.metrics.s[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_CUR, 0,
	    0.5 };
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e),
	    MH_E_OPT_VALUE);
	assert_int_equal(e.opt, MH_OT_CATS_METRICS);
	m.metrics.n = 0;
	m.metrics.scope = MH_MS_PATH;
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e),
	    MH_E_OPT_VALUE);
	m.metrics.scope = MH_MS_INSTANCE;
	m.metrics.gone = false;
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e),
	    MH_E_OPT_VALUE);
}

static void
test_encode_errors(void **state)
{
	uint8_t out[MH_MAX_LEN];
	struct mh_msg m;
	struct mh_error e;
	size_t len;

	(void)state;
	mh_msg_init(&m, MH_K_CATS_QUERY);
	fill(&m, MH_BIT(MH_O_MNID));		/* no Service_ID */
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_E_MISSING);
	assert_int_equal(e.opt, MH_OT_SERVICE_ID);
	fill(&m, MH_BIT(MH_O_SERVICE_ID) | MH_BIT(MH_O_CR_ID));
	m.crid.len = 5;				/* not an IPv4 or IPv6 length */
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_E_OPT_VALUE);
	assert_int_equal(e.opt, MH_OT_CR_ID);
	m.crid.len = 16;
	assert_int_equal(mh_encode(&m, NULL, out, 40, &len, &e), MH_E_NOSPACE);
	assert_int_equal(len, 0);
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_OK);
	m.type = MH_TYPE_BA;			/* a query is a BU */
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_E_KIND);
	mh_msg_init(&m, MH_K_PBU);
	fill(&m, MH_BIT(MH_O_HNP));
	m.hnp[0].len = 129;
	assert_int_equal(mh_encode(&m, NULL, out, sizeof(out), &len, &e), MH_E_OPT_VALUE);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(mh_status_name(MH_ST_CATS_AVAILABLE), "cats-sites-available");
	assert_string_equal(mh_status_name(MH_ST_CATS_UNAVAILABLE), "no-cats-sites-available");
	assert_null(mh_status_name(77));
	assert_true(mh_status_accepted(MH_ST_CATS_AVAILABLE));
	assert_false(mh_status_accepted(MH_ST_CATS_UNAVAILABLE));
	assert_null(mh_kind_info(99));
	assert_null(mh_kind_by_name("nope"));
	assert_string_equal(mh_opt_info(MH_O_CLIENT_ADDR)->name, "client-addr");
	assert_string_equal(mh_strerror(MH_E__COUNT), "unknown error");
}

/* ------------------------------------------------------------------ */
/* The cursor API                                                      */

static void
test_cursor(void **state)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	struct cur c, s, t;
	uint8_t v8, x[4];
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;
	const uint8_t *p;

	(void)state;
	cur_init(&c, b, sizeof(b));
	assert_true(cur_u8(&c, &v8) && v8 == 1);
	assert_true(cur_u16(&c, &v16) && v16 == 0x0203);
	assert_true(cur_sub(&c, 4, &s));
	assert_int_equal(cur_off(&s), 3);
	assert_true(cur_u32(&s, &v32) && v32 == 0x04050607);
	assert_true(cur_done(&s));
	assert_false(cur_u8(&s, &v8));		/* a sub-cursor stops at its end */
	assert_int_equal(v8, 0);
	assert_false(cur_done(&s));		/* and remembers it failed */
	assert_false(cur_sub(&c, 5, &t));	/* 4 left */
	assert_true(c.err);
	assert_false(cur_u8(&c, &v8));		/* sticky */
	cur_init(&c, b, sizeof(b));
	assert_true(cur_u64(&c, &v64) && v64 == 0x0102030405060708ull);
	assert_false(cur_u32(&c, &v32));
	cur_init(&c, b, sizeof(b));
	assert_true(cur_skip(&c, 7));
	assert_true(cur_view(&c, &p, 2) && p == b + 7);
	assert_true(cur_peek_u8(&c, &v8) && v8 == 10);
	assert_false(cur_bytes(&c, x, 3));
	assert_int_equal(x[0], 0);
}

static void
test_writer(void **state)
{
	uint8_t b[8];
	struct wbuf w;

	(void)state;
	wb_init(&w, b, sizeof(b));
	wb_u16(&w, 0x0102);
	wb_u32(&w, 0x03040506);
	wb_u8(&w, 7);
	assert_true(wb_ok(&w));
	wb_u16(&w, 0x0809);			/* one octet too many */
	assert_false(wb_ok(&w));
	assert_int_equal(w.len, 7);
	wb_u8(&w, 1);				/* still failed, nothing written */
	assert_int_equal(w.len, 7);
	wb_init(&w, b, sizeof(b));
	wb_zero(&w, 4);
	wb_set_u16(&w, 2, 0xbeef);
	assert_true(wb_ok(&w));
	assert_int_equal(b[2], 0xbe);
	wb_set_u16(&w, 3, 1);			/* past what was written */
	assert_false(wb_ok(&w));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_hand_pbu),
		cmocka_unit_test(test_affinity_needs),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_metrics_gone),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_writer),
	};

	return cmocka_run_group_tests_name("mh", tests, NULL, NULL);
}
