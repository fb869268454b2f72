/*
 * Tests of kroute without a kernel: every route kind built into a buffer
 * and read back attribute by attribute; a dump captured from this kernel
 * (kroute_tool rawdump in a namespace) parsed, then filtered, truncated and
 * corrupted in named ways; error, ack, done and interrupted replies; and
 * the dataplane layer over its in-memory backend, with a hundred thousand
 * clients too, and over a backend that reports metrics as the kernel does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>

#include <libmnl/libmnl.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include <linux/seg6_iptunnel.h>
#include <linux/seg6_local.h>

#include "cats/dataplane.h"
#include "cats/kroute.h"
#include "testutil.h"

#define A6(...)	((const uint8_t[16]){ __VA_ARGS__ })

static const uint8_t cafe1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe,
	[15] = 1 };
static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
	[15] = 0x10 };
static const uint8_t sid_e1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1,
	[15] = 1 };
static const uint8_t sid_e99[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1,
	[15] = 0x99 };
static const uint8_t gw[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };
static const uint8_t edge[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 3, [15] = 0x10 };

/* Aligned buffers: netlink headers are read in place. */
static uint32_t msgbuf[KR_BUF_SIZE / 4];

/* ------------------------------------------------------------------ */
/* Reading a built message back                                        */

struct tb {
	const struct nlattr *a[RTA_MAX + 1];
};

static int
tb_cb(const struct nlattr *a, void *data)
{
	struct tb *t = data;

	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		t->a[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static const struct rtmsg *
open_msg(size_t len, uint16_t type, struct tb *t)
{
	const struct nlmsghdr *nlh = (const void *)msgbuf;

	assert_true(len > 0);
	assert_int_equal(nlh->nlmsg_len, len);
	assert_int_equal(nlh->nlmsg_type, type);
	memset(t, 0, sizeof(*t));
	assert_int_equal(mnl_attr_parse(nlh, sizeof(struct rtmsg), tb_cb, t),
	    MNL_CB_OK);
	return mnl_nlmsg_get_payload(nlh);
}

static void
nested(const struct nlattr *nest, struct tb *t)
{
	memset(t, 0, sizeof(*t));
	assert_non_null(nest);
	assert_int_equal(mnl_attr_parse_nested(nest, tb_cb, t), MNL_CB_OK);
}

static void
attr_bytes(const struct nlattr *a, const void *want, size_t len)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), len);
	assert_memory_equal(mnl_attr_get_payload(a), want, len);
}

static void
attr_u32(const struct nlattr *a, uint32_t want)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 4);
	assert_int_equal(mnl_attr_get_u32(a), want);
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

static void
test_build_encap6_source_specific(void **state)
{
	const struct nlmsghdr *nlh = (const void *)msgbuf;
	const struct rtmsg *rtm;
	struct kr_route r;
	struct tb t, e;
	char hex[200];
	size_t len;

	(void)state;
	kr_route_encap6(&r, 0, cafe1, 128, client, 128, &sid_e1, 1, 7, gw);
	len = kr_build(msgbuf, sizeof(msgbuf), &r, KR_ADD, RTPROT_CATS, 42);
	rtm = open_msg(len, RTM_NEWROUTE, &t);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(nlh->nlmsg_seq, 42);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_dst_len, 128);
	assert_int_equal(rtm->rtm_src_len, 128);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(rtm->rtm_protocol, RTPROT_CATS);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	attr_u32(t.a[RTA_TABLE], RT_TABLE_MAIN);
	attr_bytes(t.a[RTA_DST], cafe1, 16);
	attr_bytes(t.a[RTA_SRC], client, 16);
	attr_u32(t.a[RTA_OIF], 7);
	attr_bytes(t.a[RTA_GATEWAY], gw, 16);
	assert_null(t.a[RTA_PRIORITY]);
	assert_non_null(t.a[RTA_ENCAP_TYPE]);
	assert_int_equal(mnl_attr_get_u16(t.a[RTA_ENCAP_TYPE]),
	    LWTUNNEL_ENCAP_SEG6);
	nested(t.a[RTA_ENCAP], &e);
	assert_non_null(e.a[SEG6_IPTUNNEL_SRH]);
	/* mode 1 (encap, host order), SRH: next 0, hdrlen 2, type 4,
	 * segments left 0, last entry 0, flags 0, tag 0, then the SID. */
	assert_int_equal(mnl_attr_get_payload_len(e.a[SEG6_IPTUNNEL_SRH]),
	    4 + 8 + 16);
	bin2hex((const uint8_t *)mnl_attr_get_payload(e.a[SEG6_IPTUNNEL_SRH])
	    + 4, 24, hex);
	assert_string_equal(hex, "0002040000000000"
	    "20010db800e100000000000000000001");
	{
		int mode;

		memcpy(&mode, mnl_attr_get_payload(e.a[SEG6_IPTUNNEL_SRH]), 4);
		assert_int_equal(mode, SEG6_IPTUN_MODE_ENCAP);
	}
}

static void
test_build_two_segments_reversed(void **state)
{
	uint8_t segs[2][16];
	struct kr_route r;
	struct tb t, e;
	char hex[200];
	size_t len;

	(void)state;
	memcpy(segs[0], sid_e99, 16);
	memcpy(segs[1], sid_e1, 16);
	kr_route_encap6(&r, 100, client, 128, NULL, 0,
	    (const uint8_t (*)[16])segs, 2, 3, NULL);
	len = kr_build(msgbuf, sizeof(msgbuf), &r, KR_REPLACE, RTPROT_CATS, 1);
	open_msg(len, RTM_NEWROUTE, &t);
	assert_null(t.a[RTA_SRC]);
	assert_null(t.a[RTA_GATEWAY]);
	attr_u32(t.a[RTA_TABLE], 100);
	nested(t.a[RTA_ENCAP], &e);
	/* RFC 8754 2: the list is reversed, segments left = last entry = 1 */
	bin2hex((const uint8_t *)mnl_attr_get_payload(e.a[SEG6_IPTUNNEL_SRH])
	    + 4, 40, hex);
	assert_string_equal(hex, "0004040101000000"
	    "20010db800e100000000000000000001"
	    "20010db800e100000000000000000099");
	assert_int_equal(((const struct nlmsghdr *)msgbuf)->nlmsg_flags,
	    NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
}

static void
test_build_encap4(void **state)
{
	const uint8_t dst[4] = { 192, 0, 2, 1 };
	const struct rtmsg *rtm;
	struct kr_route r;
	struct tb t, e;
	size_t len;

	(void)state;
	kr_route_encap4(&r, 0, dst, 32, &sid_e1, 1, 3, NULL);
	len = kr_build(msgbuf, sizeof(msgbuf), &r, KR_ADD, RTPROT_CATS, 1);
	rtm = open_msg(len, RTM_NEWROUTE, &t);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	attr_bytes(t.a[RTA_DST], dst, 4);
	assert_null(t.a[RTA_SRC]);
	assert_int_equal(mnl_attr_get_u16(t.a[RTA_ENCAP_TYPE]),
	    LWTUNNEL_ENCAP_SEG6);
	nested(t.a[RTA_ENCAP], &e);
	assert_int_equal(mnl_attr_get_payload_len(e.a[SEG6_IPTUNNEL_SRH]),
	    28);
}

static void
test_build_seg6local(void **state)
{
	const uint8_t nh4[4] = { 10, 3, 0, 10 };
	struct kr_route r;
	struct tb t, e;
	size_t len;

	(void)state;
	kr_route_dx6(&r, 0, sid_e1, edge, 5);
	len = kr_build(msgbuf, sizeof(msgbuf), &r, KR_ADD, RTPROT_CATS, 1);
	open_msg(len, RTM_NEWROUTE, &t);
	attr_bytes(t.a[RTA_DST], sid_e1, 16);
	attr_u32(t.a[RTA_OIF], 5);
	assert_int_equal(mnl_attr_get_u16(t.a[RTA_ENCAP_TYPE]),
	    LWTUNNEL_ENCAP_SEG6_LOCAL);
	nested(t.a[RTA_ENCAP], &e);
	attr_u32(e.a[SEG6_LOCAL_ACTION], SEG6_LOCAL_ACTION_END_DX6);
	attr_bytes(e.a[SEG6_LOCAL_NH6], edge, 16);
	assert_null(e.a[SEG6_LOCAL_NH4]);
	assert_null(e.a[SEG6_LOCAL_TABLE]);

	kr_route_dx4(&r, 0, sid_e1, nh4, 5);
	len = kr_build(msgbuf, sizeof(msgbuf), &r, KR_ADD, RTPROT_CATS, 1);
	open_msg(len, RTM_NEWROUTE, &t);
	nested(t.a[RTA_ENCAP], &e);
	attr_u32(e.a[SEG6_LOCAL_ACTION], SEG6_LOCAL_ACTION_END_DX4);
	attr_bytes(e.a[SEG6_LOCAL_NH4], nh4, 4);
	assert_null(e.a[SEG6_LOCAL_NH6]);

	kr_route_dt6(&r, 0, sid_e1, 254, 5);
	len = kr_build(msgbuf, sizeof(msgbuf), &r, KR_ADD, RTPROT_CATS, 1);
	open_msg(len, RTM_NEWROUTE, &t);
	nested(t.a[RTA_ENCAP], &e);
	attr_u32(e.a[SEG6_LOCAL_ACTION], SEG6_LOCAL_ACTION_END_DT6);
	attr_u32(e.a[SEG6_LOCAL_TABLE], 254);
}

static void
test_build_delete(void **state)
{
	const struct nlmsghdr *nlh = (const void *)msgbuf;
	const struct rtmsg *rtm;
	struct kr_route r;
	struct tb t;
	size_t len;

	(void)state;
	kr_route_encap6(&r, 300, cafe1, 128, client, 128, &sid_e1, 1, 7, gw);
	r.metric = 1024;
	len = kr_build(msgbuf, sizeof(msgbuf), &r, KR_DELETE, 252, 9);
	rtm = open_msg(len, RTM_DELROUTE, &t);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	/* Matches only our protocol, at any scope; the key, nothing else. */
	assert_int_equal(rtm->rtm_protocol, 252);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_NOWHERE);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);	/* > 255 */
	attr_u32(t.a[RTA_TABLE], 300);
	attr_bytes(t.a[RTA_DST], cafe1, 16);
	attr_bytes(t.a[RTA_SRC], client, 16);
	attr_u32(t.a[RTA_PRIORITY], 1024);
	assert_null(t.a[RTA_OIF]);
	assert_null(t.a[RTA_GATEWAY]);
	assert_null(t.a[RTA_ENCAP]);
	assert_null(t.a[RTA_ENCAP_TYPE]);
}

static void
test_build_dump_request(void **state)
{
	const struct nlmsghdr *nlh = (const void *)msgbuf;
	struct kr_filter f = { AF_INET6, RTPROT_CATS, 1000 };
	const struct rtmsg *rtm;
	struct tb t;
	size_t len;

	(void)state;
	len = kr_build_dump(msgbuf, sizeof(msgbuf), &f, 5);
	rtm = open_msg(len, RTM_GETROUTE, &t);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_protocol, RTPROT_CATS);
	/* NETLINK_GET_STRICT_CHK wants the other header fields zero. */
	assert_int_equal(rtm->rtm_dst_len | rtm->rtm_src_len | rtm->rtm_tos |
	    rtm->rtm_scope | rtm->rtm_type | rtm->rtm_flags, 0);
	attr_u32(t.a[RTA_TABLE], 1000);
}

/* Named refusals: what kr_build must not send. */
static void
test_build_refused(void **state)
{
	const uint8_t v4[4] = { 10, 0, 0, 10 };
	struct kr_route r, ok;
	size_t cap, full;

	(void)state;
	kr_route_encap4(&r, 0, v4, 32, &sid_e1, 1, 3, NULL);
	memcpy(r.src, v4, 4);
	r.src_len = 32;		/* "ipv4-from": fib4 would ignore it */
	assert_int_equal(kr_build(msgbuf, sizeof(msgbuf), &r, KR_ADD, 252, 1),
	    0);
	assert_int_equal(errno, EINVAL);

	kr_route_encap6(&r, 0, cafe1, 128, NULL, 0, &sid_e1, 0, 3, NULL);
	assert_false(kr_route_valid(&r, KR_ADD));	/* "no-segments" */
	r.nsegs = KR_MAX_SEGS + 1;
	assert_false(kr_route_valid(&r, KR_ADD));	/* "too-many-segments" */
	kr_route_encap6(&r, 0, cafe1, 129, NULL, 0, &sid_e1, 1, 3, NULL);
	assert_false(kr_route_valid(&r, KR_ADD));	/* "dst-len-129" */
	kr_route_dx6(&r, 0, sid_e1, edge, 0);
	assert_false(kr_route_valid(&r, KR_ADD));	/* "seg6local-no-dev" */
	assert_true(kr_route_valid(&r, KR_DELETE));
	kr_route_dx6(&r, 0, sid_e1, edge, 3);
	r.has_nh6 = false;
	assert_false(kr_route_valid(&r, KR_ADD));	/* "dx6-no-nh6" */
	kr_route_dt6(&r, 0, sid_e1, 0, 3);
	assert_false(kr_route_valid(&r, KR_ADD));	/* "dt6-no-table" */
	r.family = AF_UNSPEC;
	assert_false(kr_route_valid(&r, KR_DELETE));
	assert_int_equal(kr_build(msgbuf, sizeof(msgbuf), &r, 7, 252, 1), 0);

	/* Every buffer too small fails with EMSGSIZE, never writes past. */
	kr_route_encap6(&ok, 0, cafe1, 128, client, 128, &sid_e1, 1, 7, gw);
	full = kr_build(msgbuf, sizeof(msgbuf), &ok, KR_ADD, 252, 1);
	for (cap = 0; cap < full; cap++) {
		uint8_t *b = (uint8_t *)msgbuf;

		memset(b, 0xee, full + 8);
		errno = 0;
		assert_int_equal(kr_build(msgbuf, cap, &ok, KR_ADD, 252, 1), 0);
		assert_int_equal(errno, EMSGSIZE);
		assert_int_equal(b[cap], 0xee);
	}
}

/* Build, then parse the same bytes: the route comes back equal. */
static void
test_build_parse_round_trip(void **state)
{
	const uint8_t v4[4] = { 192, 0, 2, 1 }, nh4[4] = { 10, 3, 0, 10 };
	uint8_t segs[3][16];
	struct kr_route in[6], out;
	const char *why;
	size_t i, len;

	(void)state;
	memcpy(segs[0], sid_e99, 16);
	memcpy(segs[1], gw, 16);
	memcpy(segs[2], sid_e1, 16);
	kr_route_encap6(&in[0], 0, cafe1, 128, client, 128, &sid_e1, 1, 7, gw);
	kr_route_encap6(&in[1], 100, client, 64, NULL, 0,
	    (const uint8_t (*)[16])segs, 3, 7, NULL);
	kr_route_encap4(&in[2], 0, v4, 24, &sid_e1, 1, 3, NULL);
	kr_route_dx6(&in[3], 0, sid_e1, edge, 5);
	kr_route_dx4(&in[4], 0, sid_e1, nh4, 5);
	kr_route_dt6(&in[5], 0, sid_e1, 254, 5);
	in[5].metric = 512;
	for (i = 0; i < 6; i++) {
		len = kr_build(msgbuf, sizeof(msgbuf), &in[i], KR_ADD, 252, 1);
		assert_true(len > 0);
		assert_int_equal(kr_parse_route(msgbuf, len, &out, &why), 0);
		assert_int_equal(out.protocol, 252);
		assert_true(kr_route_equal(&in[i], &out));
	}
}

static void
test_fmt_and_keys(void **state)
{
	struct kr_route a, b;
	char s[256];

	(void)state;
	kr_route_encap6(&a, 0, cafe1, 128, client, 128, &sid_e1, 1, 7, gw);
	assert_string_equal(kr_route_fmt(&a, s, sizeof(s)),
	    "2001:db8:cafe::1/128 from 2001:db8:a::10/128 encap seg6 mode "
	    "encap segs 2001:db8:e1::1 via 2001:db8:1::2 oif 7 table 254");
	kr_route_fmt(&a, s, 10);
	assert_int_equal(strlen(s), 9);
	/* Host bits beyond the prefix do not make another key. */
	kr_route_encap6(&a, 0, cafe1, 48, NULL, 0, &sid_e1, 1, 7, NULL);
	b = a;
	b.dst[15] = 0x77;
	b.table = 254;
	assert_true(kr_route_same_key(&a, &b));
	assert_true(kr_route_equal(&a, &b));
	b.segs[0][0] ^= 1;
	assert_false(kr_route_equal(&a, &b));
	b = a;
	b.metric = 1;
	assert_false(kr_route_same_key(&a, &b));
}

/* ------------------------------------------------------------------ */
/* A dump from this kernel                                             */

/* kroute_tool rawdump in a namespace with one route of each kind and a
 * plain one (the last route message), then NLMSG_DONE. */
static const char *const canned[] = {
	/* 192.0.2.1/32 encap seg6 segs 2001:db8:e1::4 dev 3 */
	"600000001800020001000000a86d000002200000fefcfd010000000008000f00"
	"fe00000008000100c00002010800040003000000240016002000010001000000"
	"000204000000000020010db800e1000000000000000000040600150005000000",
	/* 2001:db8:a::10/128 segs 2001:db8:e1::99,2001:db8:11:: */
	"b00000001800020001000000a86d00000a800000fefc00010000000008000f00"
	"fe0000001400010020010db8000a000000000000000000100800060000040000"
	"0800040003000000340016003000010001000000000404010100000020010db8"
	"00110000000000000000000020010db800e10000000000000000009906001500"
	"0500000024000c00000000000000000000000000000000000000000000000000"
	"00000000000000000500140000000000",
	/* 2001:db8:11::/128 End.DT6 table 254 */
	"900000001800020001000000a86d00000a800000fefc00010000000008000f00"
	"fe0000001400010020010db80011000000000000000000000800060000040000"
	"080004000300000014001600080001000700000008000300fe00000006001500"
	"0700000024000c00000000000000000000000000000000000000000000000000"
	"00000000000000000500140000000000",
	/* 2001:db8:77::/64 dev 3, no encapsulation */
	"740000001800020001000000a86d00000a400000fefc00010000000008000f00"
	"fe0000001400010020010db80077000000000000000000000800060000040000"
	"080004000300000024000c000000000000000000000000000000000000000000"
	"0000000000000000000000000500140000000000",
	/* 2001:db8:e1::1/128 End.DX6 nh6 2001:db8:3::10 */
	"9c0000001800020001000000a86d00000a800000fefc00010000000008000f00"
	"fe0000001400010020010db800e1000000000000000000010800060000040000"
	"08000400030000002000160008000100050000001400050020010db800030000"
	"0000000000000010060015000700000024000c00000000000000000000000000"
	"00000000000000000000000000000000000000000500140000000000",
	/* 2001:db8:e1::4/128 End.DX4 nh4 10.3.0.10 */
	"900000001800020001000000a86d00000a800000fefc00010000000008000f00"
	"fe0000001400010020010db800e1000000000000000000040800060000040000"
	"0800040003000000140016000800010006000000080004000a03000a06001500"
	"0700000024000c00000000000000000000000000000000000000000000000000"
	"00000000000000000500140000000000",
	/* 2001:db8:cafe::1/128 from 2001:db8:a::10/128 via 2001:db8:1::2 */
	"c80000001800020001000000a86d00000a808000fefc00010000000008000f00"
	"fe0000001400010020010db8cafe000000000000000000011400020020010db8"
	"000a0000000000000000001008000600000400001400050020010db800010000"
	"0000000000000002080004000300000024001600200001000100000000020400"
	"0000000020010db800e100000000000000000001060015000500000024000c00"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0500140000000000",
	/* NLMSG_DONE */
	"140000000300020001000000a86d000000000000",
};
#define NCANNED	(sizeof(canned) / sizeof(canned[0]))

static const char *const canned_fmt[] = {
	"192.0.2.1/32 encap seg6 mode encap segs 2001:db8:e1::4 oif 3 "
	    "table 254 proto 252",
	"2001:db8:a::10/128 encap seg6 mode encap segs "
	    "2001:db8:e1::99,2001:db8:11:: oif 3 table 254 metric 1024 proto 252",
	"2001:db8:11::/128 encap seg6local action End.DT6 table 254 oif 3 "
	    "table 254 metric 1024 proto 252",
	"2001:db8:77::/64 oif 3 table 254 metric 1024 proto 252",
	"2001:db8:e1::1/128 encap seg6local action End.DX6 nh6 2001:db8:3::10 "
	    "oif 3 table 254 metric 1024 proto 252",
	"2001:db8:e1::4/128 encap seg6local action End.DX4 nh4 10.3.0.10 "
	    "oif 3 table 254 metric 1024 proto 252",
	"2001:db8:cafe::1/128 from 2001:db8:a::10/128 encap seg6 mode encap "
	    "segs 2001:db8:e1::1 via 2001:db8:1::2 oif 3 table 254 "
	    "metric 1024 proto 252",
};

static uint32_t dumpbuf[4096];
static size_t offs[NCANNED + 1];	/* where each message starts */

static size_t
load(void)
{
	uint8_t *b = (uint8_t *)dumpbuf;
	size_t i, off = 0, n;

	for (i = 0; i < NCANNED; i++) {
		offs[i] = off;
		n = hex2bin(canned[i], b + off, sizeof(dumpbuf) - off);
		assert_true(n != (size_t)-1 && n % 4 == 0);
		off += n;
	}
	offs[NCANNED] = off;
	return off;
}

struct seen {
	size_t	 n;
	char	 fmt[16][256];
};

static void
seen_cb(const struct kr_route *r, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16)
		kr_route_fmt(r, s->fmt[s->n], sizeof(s->fmt[0]));
	s->n++;
}

static int
parse(size_t len, const struct kr_filter *f, struct seen *s,
    struct kr_dump_stats *st)
{
	memset(s, 0, sizeof(*s));
	memset(st, 0, sizeof(*st));
	return kr_parse_dump(dumpbuf, len, 0, 0, f, seen_cb, s, st);
}

static const struct kr_filter ours = { AF_UNSPEC, RTPROT_CATS, 0 };

static void
test_dump_canned(void **state)
{
	struct kr_dump_stats st;
	struct seen s;
	size_t i;

	(void)state;
	assert_int_equal(parse(load(), &ours, &s, &st), 0);	/* DONE */
	assert_int_equal(s.n, NCANNED - 1);
	for (i = 0; i < s.n; i++)
		assert_string_equal(s.fmt[i], canned_fmt[i]);
	assert_int_equal(st.routes, 7);
	assert_int_equal(st.malformed + st.unsupported + st.unexpected +
	    st.other_proto + st.other_table, 0);
	assert_false(st.interrupted);
}

static void
test_dump_filters(void **state)
{
	const struct kr_filter bgp = { AF_UNSPEC, RTPROT_BGP, 0 };
	const struct kr_filter t100 = { AF_UNSPEC, RTPROT_CATS, 100 };
	const struct kr_filter v4 = { AF_INET, RTPROT_CATS, 254 };
	struct kr_dump_stats st;
	struct seen s;
	size_t len = load();

	(void)state;
	assert_int_equal(parse(len, &bgp, &s, &st), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.other_proto, 7);
	assert_int_equal(parse(len, &t100, &s, &st), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.other_table, 7);
	assert_int_equal(parse(len, &v4, &s, &st), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.fmt[0], canned_fmt[0]);
}

/* Every cut of the stream: never a crash, never a route from a cut
 * message, and a cut inside a message is a broken datagram. */
static void
test_dump_truncated(void **state)
{
	struct kr_dump_stats st;
	struct seen s;
	size_t len = load(), cut, whole, i;
	int rc;

	(void)state;
	for (cut = 0; cut < len; cut++) {
		rc = parse(cut, &ours, &s, &st);
		for (whole = 0, i = 0; i < NCANNED; i++)
			if (offs[i + 1] <= cut)
				whole = i + 1;
		if (cut == offs[whole]) {
			assert_int_equal(rc, 1);	/* more to come */
			assert_int_equal(s.n, whole);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(errno, EBADMSG);
			assert_int_equal(s.n, 0);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Named corruptions of one canned message                             */

static struct nlattr *
attr_at(size_t msg, uint16_t type)
{
	struct nlmsghdr *nlh = (void *)((uint8_t *)dumpbuf + offs[msg]);
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(a) == type)
			return a;
	fail_msg("attribute %u not in message %zu", type, msg);
	return NULL;
}

static struct nlattr *
nested_at(size_t msg, uint16_t type)
{
	struct nlattr *nest = attr_at(msg, RTA_ENCAP), *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	fail_msg("nested attribute %u not in message %zu", type, msg);
	return NULL;
}

static struct rtmsg *
rtm_at(size_t msg)
{
	return mnl_nlmsg_get_payload((void *)((uint8_t *)dumpbuf + offs[msg]));
}

enum expect { MALFORMED, UNSUPPORTED, UNEXPECTED };

static const struct {
	const char	*name;
	size_t		 msg;		/* which canned message to spoil */
	enum expect	 expect;
} corrupt[] = {
	{ "short-rtmsg",		1, MALFORMED },
	{ "dst-len-129",		1, MALFORMED },
	{ "dst-15-octets",		1, MALFORMED },
	{ "oif-2-octets",		1, MALFORMED },
	{ "table-5-octets",		1, MALFORMED },
	{ "plen-without-dst",		1, MALFORMED },
	{ "encap-without-type",		1, MALFORMED },
	{ "encap-type-mpls",		1, UNSUPPORTED },
	{ "srh-hdrlen-mismatch",	1, MALFORMED },
	{ "srh-not-type-4",		1, MALFORMED },
	{ "srh-last-entry-overrun",	1, MALFORMED },
	{ "srh-short",			1, MALFORMED },
	{ "seg6local-no-action",	4, MALFORMED },
	{ "seg6local-nh6-short",	4, MALFORMED },
	{ "attr-len-past-message",	6, MALFORMED },
	{ "multipath",			6, UNSUPPORTED },
	{ "family-decnet",		6, UNSUPPORTED },
	{ "type-newlink",		6, UNEXPECTED },
};

static void
spoil(size_t k)
{
	const char *n = corrupt[k].name;
	size_t m = corrupt[k].msg;
	struct nlmsghdr *nlh = (void *)((uint8_t *)dumpbuf + offs[m]);
	struct nlattr *a;
	uint8_t *p;

	if (strcmp(n, "short-rtmsg") == 0) {
		/* Keep the datagram whole: a NOOP-sized hole after it. */
		nlh->nlmsg_len = 16 + 8;
		((struct nlmsghdr *)((uint8_t *)nlh + 24))->nlmsg_len =
		    (uint32_t)(offs[m + 1] - offs[m] - 24);
		((struct nlmsghdr *)((uint8_t *)nlh + 24))->nlmsg_type =
		    NLMSG_NOOP;
	} else if (strcmp(n, "dst-len-129") == 0)
		rtm_at(m)->rtm_dst_len = 129;
	else if (strcmp(n, "dst-15-octets") == 0)
		attr_at(m, RTA_DST)->nla_len = 4 + 15;
	else if (strcmp(n, "oif-2-octets") == 0)
		attr_at(m, RTA_OIF)->nla_len = 4 + 2;
	else if (strcmp(n, "table-5-octets") == 0)
		attr_at(m, RTA_TABLE)->nla_len = 4 + 5;
	else if (strcmp(n, "plen-without-dst") == 0)
		attr_at(m, RTA_DST)->nla_type = 0x7ff0;	/* unknown: skipped */
	else if (strcmp(n, "encap-without-type") == 0)
		attr_at(m, RTA_ENCAP_TYPE)->nla_type = 0x7ff0;
	else if (strcmp(n, "encap-type-mpls") == 0) {
		a = attr_at(m, RTA_ENCAP_TYPE);
		p = mnl_attr_get_payload(a);
		p[0] = LWTUNNEL_ENCAP_MPLS;
		p[1] = 0;
	} else if (strcmp(n, "srh-hdrlen-mismatch") == 0)
		((uint8_t *)mnl_attr_get_payload(nested_at(m,
		    SEG6_IPTUNNEL_SRH)))[4 + 1] = 2;
	else if (strcmp(n, "srh-not-type-4") == 0)
		((uint8_t *)mnl_attr_get_payload(nested_at(m,
		    SEG6_IPTUNNEL_SRH)))[4 + 2] = 0;
	else if (strcmp(n, "srh-last-entry-overrun") == 0)
		((uint8_t *)mnl_attr_get_payload(nested_at(m,
		    SEG6_IPTUNNEL_SRH)))[4 + 4] = 2;
	else if (strcmp(n, "srh-short") == 0)
		nested_at(m, SEG6_IPTUNNEL_SRH)->nla_len = 4 + 4 + 4;
	else if (strcmp(n, "seg6local-no-action") == 0)
		nested_at(m, SEG6_LOCAL_ACTION)->nla_type = 0x7ff0;
	else if (strcmp(n, "seg6local-nh6-short") == 0)
		nested_at(m, SEG6_LOCAL_NH6)->nla_len = 4 + 8;
	else if (strcmp(n, "attr-len-past-message") == 0)
		attr_at(m, RTA_PRIORITY)->nla_len = 0x4000;
	else if (strcmp(n, "multipath") == 0)
		attr_at(m, RTA_PRIORITY)->nla_type = RTA_MULTIPATH;
	else if (strcmp(n, "family-decnet") == 0)
		rtm_at(m)->rtm_family = 12;
	else if (strcmp(n, "type-newlink") == 0)
		nlh->nlmsg_type = RTM_NEWLINK;
	else
		fail_msg("no spoiler for %s", n);
}

static void
test_dump_corrupt(void **state)
{
	const struct kr_filter any = { AF_UNSPEC, 0, 0 };
	struct kr_dump_stats st;
	struct seen s;
	size_t k, len;
	int rc;

	(void)state;
	for (k = 0; k < sizeof(corrupt) / sizeof(corrupt[0]); k++) {
		len = load();
		spoil(k);
		rc = parse(len, corrupt[k].msg == 6 &&
		    corrupt[k].expect == UNSUPPORTED ? &any : &ours, &s, &st);
		if (rc != 0 || s.n != NCANNED - 2 ||
		    st.malformed != (corrupt[k].expect == MALFORMED) ||
		    st.unsupported != (corrupt[k].expect == UNSUPPORTED) ||
		    st.unexpected != (corrupt[k].expect == UNEXPECTED))
			fail_msg("%s: rc %d, %zu routes, %llu malformed, "
			    "%llu unsupported, %llu unexpected", corrupt[k].name,
			    rc, s.n, (unsigned long long)st.malformed,
			    (unsigned long long)st.unsupported,
			    (unsigned long long)st.unexpected);
	}
}

/* ------------------------------------------------------------------ */
/* Control replies                                                     */

static size_t
put_error(uint8_t *b, int err, const char *ext, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags = NLM_F_CAPPED | (ext ? NLM_F_ACK_TLVS : 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg.nlmsg_len = sizeof(e->msg);
	if (ext != NULL)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, ext);
	return nlh->nlmsg_len;
}

static void
test_control_replies(void **state)
{
	uint8_t *b = (uint8_t *)dumpbuf;
	struct kr_dump_stats st;
	struct nlmsghdr *nlh;
	struct seen s;
	size_t len;

	(void)state;
	memset(dumpbuf, 0, sizeof(dumpbuf));
	len = put_error(b, 0, NULL, 3);			/* the ACK */
	assert_int_equal(parse(len, &ours, &s, &st), 0);
	len = put_error(b, -EEXIST, "File exists, said the kernel", 3);
	assert_int_equal(parse(len, &ours, &s, &st), -1);
	assert_int_equal(errno, EEXIST);
	len = put_error(b, -EEXIST, NULL, 3);
	((struct nlmsghdr *)b)->nlmsg_len = 16 + 2;	/* "error-short" */
	assert_int_equal(parse(len, &ours, &s, &st), -1);
	assert_int_equal(errno, EBADMSG);
	/* A sequence number that is not ours. */
	len = put_error(b, 0, NULL, 3);
	memset(&st, 0, sizeof(st));
	assert_int_equal(kr_parse_dump(dumpbuf, len, 4, 0, &ours, seen_cb, &s,
	    &st), -1);
	assert_int_equal(errno, EPROTO);

	/* NLMSG_DONE carrying the dump's own error. */
	nlh = mnl_nlmsg_put_header(b);
	nlh->nlmsg_type = NLMSG_DONE;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -ENOENT;
	assert_int_equal(parse(nlh->nlmsg_len, &ours, &s, &st), -1);
	assert_int_equal(errno, ENOENT);

	/* Interrupted: the table changed during the dump. */
	len = load();
	((struct nlmsghdr *)dumpbuf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	assert_int_equal(parse(len, &ours, &s, &st), -1);
	assert_int_equal(errno, EINTR);
	assert_true(st.interrupted);

	nlh = mnl_nlmsg_put_header(b);
	nlh->nlmsg_type = NLMSG_OVERRUN;
	assert_int_equal(parse(nlh->nlmsg_len, &ours, &s, &st), -1);
	assert_int_equal(errno, ENOBUFS);
	nlh->nlmsg_type = NLMSG_NOOP;
	assert_int_equal(parse(nlh->nlmsg_len, &ours, &s, &st), 1);
}

/* ------------------------------------------------------------------ */
/* The dataplane over the memory backend                               */

static const uint8_t e_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 };
static const uint8_t e_sid[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1 };
static const uint8_t j_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 };
static const uint8_t j_sid[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x12 };

static struct dp *
mem_dp(uint32_t roles)
{
	static const struct dp_peer peers[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 },
		  { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1 } },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 },
		  { 0x20, 0x01, 0x0d, 0xb8, 0, 0x12 } },
	};
	static const struct dp_service svcs[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, [15] = 1 }, 128 },
	};
	static const struct dp_instance inst[] = {
		{ 1, { 0x20, 0x01, 0x0d, 0xb8, 0, 3, [15] = 0x10 } },
		{ 4, { [10] = 0xff, [11] = 0xff, 10, 3, 0, 10 } },
	};
	struct dp_cfg c;
	struct dp *dp;

	memset(&c, 0, sizeof(c));
	c.roles = roles;
	memcpy(c.sid, j_sid, 16);
	c.core_oif = 2;
	c.access_oif = 3;
	c.edge_oif = 4;
	c.peers = peers;
	c.npeers = 2;
	c.services = svcs;
	c.nservices = 1;
	c.instances = inst;
	c.ninstances = 2;
	dp = dp_new_memory(&c);
	assert_non_null(dp);
	return dp;
}

static void
intent(struct dp *dp, enum dp_op op, const uint8_t *peer, int want)
{
	struct dp_intent in;

	memset(&in, 0, sizeof(in));
	in.op = op;
	memcpy(in.client, client, 16);
	if (peer != NULL)
		memcpy(in.peer, peer, 16);
	in.instance = 1;
	assert_int_equal(dp_apply(dp, &in), want);
}

static void
count_cb(const struct kr_route *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
}

static size_t
routes(struct dp *dp)
{
	size_t n = 0;

	assert_int_equal(dp_dump(dp, count_cb, &n), 0);
	return n;
}

static void
test_dp_ingress(void **state)
{
	const uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
		[15] = 0x11 };
	struct dp *dp = mem_dp(NODE_INGRESS);
	struct kr_route r;
	uint8_t sid[16];
	char s[256];

	(void)state;
	assert_int_equal(dp_start(dp), 0);		/* End.DT6 */
	assert_int_equal(routes(dp), 1);
	intent(dp, DP_STEER, e_addr, 0);
	assert_int_equal(routes(dp), 2);
	/* Only this client's packets to the CS-ID go to E's instance 1. */
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, client, &r), 0);
	dp_sid(e_sid, 1, sid);
	assert_int_equal(r.encap, KR_ENCAP_SEG6);
	assert_memory_equal(r.segs[0], sid, 16);
	assert_string_equal(kr_route_fmt(&r, s, sizeof(s)),
	    "2001:db8:cafe::1/128 from 2001:db8:a::10/128 encap seg6 mode "
	    "encap segs 2001:db8:e1::1 oif 2 table 254 proto 252");
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, other, &r), -1);
	/* The SID of this node decapsulates and looks up. */
	assert_int_equal(dp_lookup(dp, AF_INET6, j_sid, NULL, &r), 0);
	assert_int_equal(r.action, SEG6_LOCAL_ACTION_END_DT6);

	/* Handover at the old ingress: the client's /128 goes to J. */
	intent(dp, DP_FORWARD, j_addr, 0);
	assert_int_equal(dp_lookup(dp, AF_INET6, client, NULL, &r), 0);
	assert_memory_equal(r.segs[0], j_sid, 16);
	intent(dp, DP_FLUSH, j_addr, 0);		/* same route: replaced */
	assert_int_equal(routes(dp), 3);
	intent(dp, DP_UNFORWARD, NULL, 0);
	intent(dp, DP_UNFORWARD, NULL, 0);		/* gone already: fine */
	assert_int_equal(dp_counters(dp)->absent, 1);
	intent(dp, DP_UNSTEER, e_addr, 0);
	assert_int_equal(routes(dp), 1);
	intent(dp, DP_STATE_EXPORT, e_addr, 0);
	intent(dp, DP_BUFFER, NULL, 0);			/* no TUN configured */
	assert_int_equal(dp_counters(dp)->not_kernel, 2);

	/* Refusals, each with a sentence. */
	intent(dp, DP_STEER, cafe1, -1);		/* not a peer */
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(dp_error(dp), "peer"));
	{
		struct dp_intent in = { .op = DP_STEER };

		memcpy(in.peer, e_addr, 16);
		in.client[10] = in.client[11] = 0xff;	/* an IPv4 client */
		assert_int_equal(dp_apply(dp, &in), -1);
		assert_int_equal(errno, EAFNOSUPPORT);
		in.service = 9;
		assert_int_equal(dp_apply(dp, &in), -1);
		in.op = (enum dp_op)99;
		assert_int_equal(dp_apply(dp, &in), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(dp_flush(dp), 0);
	assert_int_equal(routes(dp), 0);
	dp_free(dp);
}

static void
test_dp_egress_and_reconcile(void **state)
{
	struct dp *dp = mem_dp(NODE_EGRESS);
	struct kr_route r;
	uint8_t sid[16];
	size_t nd, na;

	(void)state;
	assert_int_equal(dp_start(dp), 0);	/* DX6 for 1, DX4 for 4 */
	dp_sid(j_sid, 4, sid);
	assert_int_equal(dp_lookup(dp, AF_INET6, sid, NULL, &r), 0);
	assert_int_equal(r.action, SEG6_LOCAL_ACTION_END_DX4);
	assert_int_equal(r.nh4[0], 10);
	assert_int_equal(r.oif, 4);
	dp_sid(j_sid, 1, sid);
	assert_int_equal(dp_lookup(dp, AF_INET6, sid, NULL, &r), 0);
	assert_int_equal(r.action, SEG6_LOCAL_ACTION_END_DX6);
	assert_memory_equal(r.nh6, edge, 16);
	intent(dp, DP_RETURN, j_addr, 0);
	intent(dp, DP_STEER, e_addr, 0);
	assert_int_equal(routes(dp), 4);

	/* A restart: the state is rebuilt without touching the routes; the
	 * steer is no longer wanted and the return path now goes to E. */
	dp_defer(dp);
	assert_int_equal(dp_start(dp), 0);
	intent(dp, DP_RETURN, e_addr, 0);
	assert_int_equal(dp_lookup(dp, AF_INET6, client, NULL, &r), 0);
	assert_memory_equal(r.segs[0], j_sid, 16);	/* not yet */
	assert_int_equal(dp_reconcile(dp, &nd, &na), 0);
	assert_int_equal(nd, 2);	/* the steer, the old return path */
	assert_int_equal(na, 1);	/* the new return path */
	assert_int_equal(dp_lookup(dp, AF_INET6, client, NULL, &r), 0);
	assert_memory_equal(r.segs[0], e_sid, 16);
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, client, &r), -1);
	assert_int_equal(dp_reconcile(dp, &nd, &na), 0);
	assert_int_equal(nd + na, 0);		/* nothing left to do */
	assert_int_equal(routes(dp), 3);
	dp_free(dp);
}

/* Anchoring 3 step 7: the session's prefix (2001:db8:b:1::/64) rides on
 * the intents.  At the ingress traffic from PREFIX::5 to the CS-ID is
 * steered as the client's own, at the egress results to it go back to the
 * ingress, at an old ingress they follow the client; and when the session
 * ends nothing of it is left. */
static void
prefix_intent(struct dp *dp, enum dp_op op, const uint8_t *peer)
{
	struct dp_intent in;

	memset(&in, 0, sizeof(in));
	in.op = op;
	memcpy(in.client, client, 16);
	if (peer != NULL)
		memcpy(in.peer, peer, 16);
	in.instance = 1;
	memcpy(in.prefix.addr, A6(0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, 0, 1), 16);
	in.prefix.len = 64;
	assert_int_equal(dp_apply(dp, &in), 0);
}

static void
test_dp_prefix(void **state)
{
	const uint8_t *in_pfx = A6(0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, 0, 1,
	    [15] = 5);
	const uint8_t *out_pfx = A6(0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, 0, 2,
	    [15] = 5);
	struct dp *dp = mem_dp(NODE_INGRESS);
	struct kr_route r;
	uint8_t sid[16];
	char s[256];

	(void)state;
	assert_int_equal(dp_start(dp), 0);		/* End.DT6 */
	prefix_intent(dp, DP_STEER, e_addr);
	prefix_intent(dp, DP_PREFIX, NULL);
	assert_int_equal(routes(dp), 4);
	dp_sid(e_sid, 1, sid);
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, in_pfx, &r), 0);
	assert_memory_equal(r.segs[0], sid, 16);
	assert_string_equal(kr_route_fmt(&r, s, sizeof(s)),
	    "2001:db8:cafe::1/128 from 2001:db8:b:1::/64 encap seg6 mode "
	    "encap segs 2001:db8:e1::1 oif 2 table 254 proto 252");
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, client, &r), 0);
	assert_int_equal(r.src_len, 128);		/* its own, as before */
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, out_pfx, &r), -1);
	assert_int_equal(dp_lookup(dp, AF_INET6, in_pfx, NULL, &r), 0);
	assert_int_equal(r.encap, KR_ENCAP_NONE);	/* onto the access link */
	assert_int_equal(r.oif, 3);

	/* Handover away: the prefix follows the client to J, then goes. */
	prefix_intent(dp, DP_FORWARD, j_addr);
	assert_int_equal(dp_lookup(dp, AF_INET6, in_pfx, NULL, &r), 0);
	assert_memory_equal(r.segs[0], j_sid, 16);
	prefix_intent(dp, DP_UNSTEER, e_addr);
	prefix_intent(dp, DP_UNFORWARD, NULL);
	assert_int_equal(routes(dp), 1);
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, in_pfx, &r), -1);
	assert_int_equal(dp_lookup(dp, AF_INET6, in_pfx, NULL, &r), -1);

	/* Ended in place: DP_UNSTEER and DP_UNPREFIX leave the End.DT6. */
	prefix_intent(dp, DP_STEER, e_addr);
	prefix_intent(dp, DP_PREFIX, NULL);
	prefix_intent(dp, DP_UNSTEER, e_addr);
	prefix_intent(dp, DP_UNPREFIX, NULL);
	assert_int_equal(routes(dp), 1);
	assert_int_equal(dp_counters(dp)->absent, 0);
	prefix_intent(dp, DP_UNPREFIX, NULL);		/* twice: fine */
	assert_int_equal(dp_counters(dp)->absent, 1);
	/* a flush back onto the access link keeps the prefix's route */
	prefix_intent(dp, DP_PREFIX, NULL);
	prefix_intent(dp, DP_FLUSH, NULL);
	assert_int_equal(dp_lookup(dp, AF_INET6, in_pfx, NULL, &r), 0);
	assert_int_equal(r.oif, 3);
	dp_free(dp);

	/* The egress: results to PREFIX::5 go back to the ingress (J). */
	dp = mem_dp(NODE_EGRESS);
	assert_int_equal(dp_start(dp), 0);		/* two End.DX* */
	prefix_intent(dp, DP_RETURN, j_addr);
	assert_int_equal(routes(dp), 4);
	assert_int_equal(dp_lookup(dp, AF_INET6, in_pfx, NULL, &r), 0);
	assert_memory_equal(r.segs[0], j_sid, 16);
	assert_int_equal(dp_lookup(dp, AF_INET6, out_pfx, NULL, &r), -1);
	prefix_intent(dp, DP_RETURN, e_addr);		/* moved: replaced */
	assert_int_equal(routes(dp), 4);
	assert_int_equal(dp_lookup(dp, AF_INET6, in_pfx, NULL, &r), 0);
	assert_memory_equal(r.segs[0], e_sid, 16);
	prefix_intent(dp, DP_UNRETURN, NULL);
	assert_int_equal(routes(dp), 2);
	assert_int_equal(dp_lookup(dp, AF_INET6, in_pfx, NULL, &r), -1);
	dp_free(dp);
}

/* ------------------------------------------------------------------ */
/* The dataplane with many clients                                     */

#define MANY	100000u

/* Client i: 2001:db8:a::/64 with i in the last 32 bits. */
static void
client_n(uint8_t a[16], uint32_t i)
{
	memcpy(a, client, 16);
	a[12] = (uint8_t)(i >> 24);
	a[13] = (uint8_t)(i >> 16);
	a[14] = (uint8_t)(i >> 8);
	a[15] = (uint8_t)i;
}

static uint32_t
client_index(const uint8_t a[16])
{
	return (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
	    (uint32_t)a[14] << 8 | a[15];
}

static int
steer_n(struct dp *dp, enum dp_op op, uint32_t i, const uint8_t *peer)
{
	struct dp_intent in;

	memset(&in, 0, sizeof(in));
	in.op = op;
	client_n(in.client, i);
	memcpy(in.peer, peer, 16);
	in.instance = 1;
	return dp_apply(dp, &in);
}

/* Client i's steering goes to instance 1 at the peer of base SID 'sid',
 * or there is none when sid is NULL. */
static void
assert_steered(const struct dp *dp, uint32_t i, const uint8_t *sid)
{
	struct kr_route r;
	uint8_t src[16], want[16];

	client_n(src, i);
	if (sid == NULL) {
		assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, src, &r), -1);
		return;
	}
	assert_int_equal(dp_lookup(dp, AF_INET6, cafe1, src, &r), 0);
	assert_memory_equal(r.src, src, 16);
	dp_sid(sid, 1, want);
	assert_memory_equal(r.segs[0], want, 16);
}

/* What a dump holds: every steered client once. */
struct clients_seen {
	uint8_t		*client;	/* per client: routes seen */
	size_t		 steer, other;
};

static void
clients_cb(const struct kr_route *r, void *arg)
{
	struct clients_seen *s = arg;
	uint32_t i = client_index(r->src);

	if (r->src_len == 0) {
		s->other++;
		return;
	}
	assert_true(i < MANY);
	s->client[i]++;
	s->steer++;
}

static void
assert_dump(struct dp *dp, size_t steered, size_t other, bool odd)
{
	struct clients_seen s = { calloc(MANY, 1), 0, 0 };
	uint32_t i;

	assert_non_null(s.client);
	assert_int_equal(dp_dump(dp, clients_cb, &s), 0);
	assert_int_equal(s.steer, steered);
	assert_int_equal(s.other, other);
	for (i = 0; i < MANY; i++)
		assert_int_equal(s.client[i], odd || i % 2 == 0 ? 1 : 0);
	free(s.client);
}

static void
test_dp_many_clients(void **state)
{
	struct dp *dp = mem_dp(NODE_INGRESS);
	uint32_t i;

	(void)state;
	assert_int_equal(dp_start(dp), 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(steer_n(dp, DP_STEER, i, e_addr), 0);
	assert_int_equal(routes(dp), MANY + 1);
	assert_dump(dp, MANY, 1, true);
	assert_steered(dp, 0, e_sid);
	assert_steered(dp, MANY - 1, e_sid);

	/* Re-steering replaces: half the clients go to J, no route more. */
	for (i = 0; i < MANY; i += 2)
		assert_int_equal(steer_n(dp, DP_STEER, i, j_addr), 0);
	assert_int_equal(routes(dp), MANY + 1);
	for (i = 0; i < 40; i++)
		assert_steered(dp, i, i % 2 ? e_sid : j_sid);

	/* The other half leaves; a second leave is only counted. */
	for (i = 1; i < MANY; i += 2)
		assert_int_equal(steer_n(dp, DP_UNSTEER, i, e_addr), 0);
	assert_int_equal(steer_n(dp, DP_UNSTEER, 1, e_addr), 0);
	assert_int_equal(dp_counters(dp)->absent, 1);
	assert_int_equal(routes(dp), MANY / 2 + 1);
	assert_dump(dp, MANY / 2, 1, false);
	for (i = 0; i < 40; i++)
		assert_steered(dp, i, i % 2 ? NULL : j_sid);
	assert_steered(dp, MANY - 2, j_sid);
	/* Every key left is found again after the deletes shifted them. */
	for (i = 0; i < MANY; i += 2)
		assert_int_equal(steer_n(dp, DP_STEER, i, e_addr), 0);
	assert_int_equal(routes(dp), MANY / 2 + 1);
	assert_steered(dp, MANY - 2, e_sid);

	/* Back again: deleted keys are found free, live ones still found. */
	for (i = 1; i < MANY; i += 2)
		assert_int_equal(steer_n(dp, DP_STEER, i, e_addr), 0);
	assert_int_equal(routes(dp), MANY + 1);
	assert_dump(dp, MANY, 1, true);
	assert_int_equal(dp_flush(dp), 0);
	assert_int_equal(routes(dp), 0);
	dp_free(dp);
}

/* A restart with a hundred thousand clients: of the even ones still
 * steered, those with i % 4 == 2 now go elsewhere; the odd ones are gone. */
static void
test_dp_many_reconcile(void **state)
{
	struct dp *dp = mem_dp(NODE_INGRESS);
	size_t nd, na;
	uint32_t i;

	(void)state;
	assert_int_equal(dp_start(dp), 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(steer_n(dp, DP_STEER, i, j_addr), 0);
	dp_defer(dp);
	assert_int_equal(dp_start(dp), 0);
	for (i = 0; i < MANY; i += 2)
		assert_int_equal(steer_n(dp, DP_STEER, i,
		    i % 4 == 2 ? e_addr : j_addr), 0);
	/* Deferred: recorded, the old routes still in place. */
	assert_steered(dp, 2, j_sid);
	assert_steered(dp, 1, j_sid);
	assert_int_equal(dp_reconcile(dp, &nd, &na), 0);
	assert_int_equal(nd, MANY / 2 + MANY / 4);	/* odd; i % 4 == 2 */
	assert_int_equal(na, MANY / 4);
	assert_int_equal(routes(dp), MANY / 2 + 1);
	assert_dump(dp, MANY / 2, 1, false);
	for (i = 0; i < 40; i++)
		assert_steered(dp, i, i % 2 ? NULL : i % 4 ? e_sid : j_sid);
	assert_int_equal(dp_reconcile(dp, &nd, &na), 0);
	assert_int_equal(nd + na, 0);
	dp_free(dp);
}

/* Random steers, re-steers and leaves of a few thousand clients, against
 * a model of what each client should have. */
static void
test_dp_random_changes(void **state)
{
	enum { N = 4000, OPS = 200000 };
	const uint8_t *const peer[3] = { NULL, e_addr, j_addr };
	const uint8_t *const sid[3] = { NULL, e_sid, j_sid };
	static uint8_t model[N];
	struct dp *dp = mem_dp(NODE_INGRESS);
	uint64_t x = 0x9e3779b97f4a7c15ull, absent = 0;
	size_t live = 0;
	uint32_t i, k, to;

	(void)state;
	memset(model, 0, sizeof(model));
	for (k = 0; k < OPS; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (uint32_t)(x % N);
		to = (uint32_t)(x >> 32) % 3;
		if (to == 0) {
			assert_int_equal(steer_n(dp, DP_UNSTEER, i, e_addr), 0);
			absent += model[i] == 0;
		} else {
			assert_int_equal(steer_n(dp, DP_STEER, i, peer[to]), 0);
		}
		model[i] = (uint8_t)to;
	}
	for (i = 0; i < N; i++)
		live += model[i] != 0;
	assert_int_equal(dp_counters(dp)->absent, absent);
	assert_int_equal(routes(dp), live);
	for (i = 0; i < N; i++)
		assert_steered(dp, i, sid[model[i]]);
	dp_free(dp);
}

/* A dump's callback may take away the route it is handed. */
struct unsteer {
	struct dp	*dp;
	size_t		 seen;
};

static void
unsteer_cb(const struct kr_route *r, void *arg)
{
	struct unsteer *u = arg;

	u->seen++;
	if (r->src_len != 0)
		assert_int_equal(steer_n(u->dp, DP_UNSTEER,
		    client_index(r->src), e_addr), 0);
}

static void
test_dp_delete_while_dumping(void **state)
{
	struct unsteer u = { mem_dp(NODE_INGRESS), 0 };
	uint32_t i;

	(void)state;
	assert_int_equal(dp_start(u.dp), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(steer_n(u.dp, DP_STEER, i, e_addr), 0);
	assert_int_equal(dp_dump(u.dp, unsteer_cb, &u), 0);
	assert_int_equal(u.seen, 1001);
	assert_int_equal(routes(u.dp), 1);
	assert_int_equal(dp_counters(u.dp)->absent, 0);
	dp_free(u.dp);
}

/*
 * A backend that behaves as the kernel does where the memory one does
 * not: an IPv6 route installed with metric 0 dumps with metric 1024.  Its
 * table is a plain array (a test's few thousand routes).
 */
struct kern {
	struct kr_route	*v;
	size_t		 n;
};

static ssize_t
kern_find(const struct kern *k, const struct kr_route *r)
{
	struct kr_route key = *r;
	size_t i;

	if (key.metric == 0)
		key.metric = 1024;
	for (i = 0; i < k->n; i++)
		if (kr_route_same_key(&k->v[i], &key))
			return (ssize_t)i;
	return -1;
}

static int
kern_change(void *ctx, const struct kr_route *r, enum kr_op op)
{
	struct kern *k = ctx;
	ssize_t i = kern_find(k, r);

	if (op == KR_DELETE) {
		if (i < 0) {
			errno = ESRCH;
			return -1;
		}
		k->v[i] = k->v[--k->n];
		return 0;
	}
	if (i < 0)
		i = (ssize_t)k->n++;
	k->v[i] = *r;
	if (k->v[i].metric == 0)
		k->v[i].metric = 1024;
	return 0;
}

static int
kern_dump(void *ctx, kr_route_cb cb, void *arg)
{
	struct kern *k = ctx;
	size_t i;

	for (i = 0; i < k->n; i++)
		cb(&k->v[i], arg);
	return 0;
}

static const char *
kern_error(void *ctx)
{
	(void)ctx;
	return "kern";
}

static void
kern_free(void *ctx)
{
	free(((struct kern *)ctx)->v);
}

static void
test_dp_reconcile_kernel_metric(void **state)
{
	static const struct dp_backend be = {
		kern_change, kern_dump, kern_error, kern_free, NULL, NULL,
		NULL,
	};
	static const struct dp_peer peers[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 },
		  { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1 } },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 },
		  { 0x20, 0x01, 0x0d, 0xb8, 0, 0x12 } },
	};
	static const struct dp_service svcs[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, [15] = 1 }, 128 },
	};
	struct kern k = { calloc(4000, sizeof(struct kr_route)), 0 };
	struct dp_cfg c = { .roles = NODE_INGRESS, .core_oif = 2,
	    .access_oif = 3, .peers = peers, .npeers = 2, .services = svcs,
	    .nservices = 1 };
	struct dp *dp;
	size_t nd, na;
	uint32_t i;

	(void)state;
	assert_non_null(k.v);
	memcpy(c.sid, j_sid, 16);
	assert_non_null(dp = dp_new(&c, &be, &k));
	assert_int_equal(dp_start(dp), 0);
	for (i = 0; i < 3000; i++)
		assert_int_equal(steer_n(dp, DP_STEER, i, j_addr), 0);
	assert_int_equal(k.v[0].metric, 1024);
	/* Nothing changed: 1024 in the kernel is the 0 we asked for. */
	assert_int_equal(dp_reconcile(dp, &nd, &na), 0);
	assert_int_equal(nd + na, 0);
	dp_defer(dp);
	assert_int_equal(dp_start(dp), 0);
	for (i = 0; i < 3000; i += 3)
		assert_int_equal(steer_n(dp, DP_STEER, i,
		    i % 2 ? e_addr : j_addr), 0);
	assert_int_equal(dp_reconcile(dp, &nd, &na), 0);
	assert_int_equal(nd, 2000 + 500);	/* not i % 3; odd i % 3 == 0 */
	assert_int_equal(na, 500);
	assert_int_equal(k.n, 1001);
	assert_int_equal(dp_reconcile(dp, &nd, &na), 0);
	assert_int_equal(nd + na, 0);
	dp_free(dp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_encap6_source_specific),
		cmocka_unit_test(test_build_two_segments_reversed),
		cmocka_unit_test(test_build_encap4),
		cmocka_unit_test(test_build_seg6local),
		cmocka_unit_test(test_build_delete),
		cmocka_unit_test(test_build_dump_request),
		cmocka_unit_test(test_build_refused),
		cmocka_unit_test(test_build_parse_round_trip),
		cmocka_unit_test(test_fmt_and_keys),
		cmocka_unit_test(test_dump_canned),
		cmocka_unit_test(test_dump_filters),
		cmocka_unit_test(test_dump_truncated),
		cmocka_unit_test(test_dump_corrupt),
		cmocka_unit_test(test_control_replies),
		cmocka_unit_test(test_dp_ingress),
		cmocka_unit_test(test_dp_egress_and_reconcile),
		cmocka_unit_test(test_dp_prefix),
		cmocka_unit_test(test_dp_many_clients),
		cmocka_unit_test(test_dp_many_reconcile),
		cmocka_unit_test(test_dp_random_changes),
		cmocka_unit_test(test_dp_delete_while_dumping),
		cmocka_unit_test(test_dp_reconcile_kernel_metric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
