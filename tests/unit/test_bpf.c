/*
 * Tests of the eBPF data plane's tc programs (src/bpf/cats.bpf.c) through
 * BPF_PROG_TEST_RUN: crafted packets go through cats_eth (and cats_l3, on
 * a TUN) with the maps filled as dp_bpf.c fills them, and what comes out
 * (verdict, bytes, counters, drops by reason) is checked against what the
 * kernel's seg6 routes of docs/dataplane.md would do.
 *
 * Loading BPF needs root; without it, or when the kernel refuses the
 * programs, every test is skipped with the reason (never passed).
 *
 * Two facts of BPF_PROG_TEST_RUN on tc programs shape some cases:
 *  - it takes every packet as an Ethernet frame (eth_type_trans), so the
 *    skb has a 14-octet link header even for cats_l3; cats_l3 is tested
 *    on a real TUN instead, in a throw-away network namespace;
 *  - bpf_redirect_neigh only records where to send: the redirect itself
 *    happens after the program, in the tc core, which test_run does not
 *    call.  So End.DX6/DX4 return TC_ACT_REDIRECT whatever the interface
 *    or neighbour.
 */
#define _GNU_SOURCE		/* unshare, setns */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cats/dataplane.h"
#include "cats/kroute.h"
#include "cats.skel.h"
#include "maps.h"
#include "testutil.h"

#define ETH_LEN		14
#define IP6_LEN		40
#define IP4_LEN		20
#define SRH1_LEN	24	/* an SRH of one segment */
#define UDP_LEN		16	/* 8 of header, 8 of data */
#define PKT_MAX		512

#define ET_IPV6		0x86dd
#define ET_IPV4		0x0800
#define ET_ARP		0x0806
#define NH_UDP		17
#define NH_ICMP6	58
#define NH_ROUTING	43
#define NH_IPV6		41
#define NH_IPV4		4

#define A6(...)	((const uint8_t[16]){ __VA_ARGS__ })

/* A node's addresses, as in docs/dataplane.md's path. */
static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
	[15] = 0x10 };
static const uint8_t client2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
	[15] = 0x11 };
static const uint8_t csid[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe,
	[15] = 1 };
static const uint8_t me[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t peer[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2,
	[15] = 1 };
/* egress SID + instance 1 (End.DX6), + 2 (End.DX4) */
static const uint8_t sid_dx6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1,
	[15] = 1 };
static const uint8_t sid_dx4[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1,
	[15] = 2 };
/* an ingress's base SID (End.DT6), and the new ingress's */
static const uint8_t sid_i1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x11 };
static const uint8_t sid_i2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x12 };
static const uint8_t edge6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 3,
	[15] = 0x10 };
static const uint8_t edge4[4] = { 192, 0, 2, 10 };
static const uint8_t client4[4] = { 10, 0, 0, 10 };

/* Version 6, traffic class 0xb8 (EF), flow label 0x12345: the outer
 * header must copy them from the inner. */
#define VTF	0x6b812345u

/* ------------------------------------------------------------------ */
/* Packets                                                             */

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* The Internet checksum (RFC 1071) of b, added to a running sum. */
static uint16_t
csum(const uint8_t *b, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(b + i);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t
put_eth(uint8_t *b, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	memcpy(b, macs, 12);
	put16(b + 12, type);
	return ETH_LEN;
}

static size_t
put_ip6(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t nh,
    uint8_t hl, size_t plen)
{
	put16(b, VTF >> 16);
	put16(b + 2, VTF & 0xffff);
	put16(b + 4, (uint16_t)plen);
	b[6] = nh;
	b[7] = hl;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
	return IP6_LEN;
}

/* An SRH (RFC 8754) holding nsegs segments, all 'seg', Last Entry
 * nsegs - 1. */
static size_t
put_srh(uint8_t *b, uint8_t nh, uint8_t type, uint8_t sl,
    const uint8_t *seg, uint8_t nsegs)
{
	b[0] = nh;
	b[1] = (uint8_t)(2 * nsegs);
	b[2] = type;
	b[3] = sl;
	b[4] = (uint8_t)(nsegs - 1);
	memset(b + 5, 0, 3);
	for (uint8_t i = 0; i < nsegs; i++)
		memcpy(b + 8 + 16 * i, seg, 16);
	return 8 + 16u * nsegs;
}

/* UDP with eight octets of data; the checksum over the IPv6
 * pseudo-header when 'ip6' is the header before it. */
static size_t
put_udp(uint8_t *b, const uint8_t *ip6)
{
	uint8_t ph[40] = { 0 };

	put16(b, 40000);
	put16(b + 2, 443);
	put16(b + 4, UDP_LEN);
	put16(b + 6, 0);
	memcpy(b + 8, "CATS-BPF", 8);
	if (ip6 != NULL) {
		memcpy(ph, ip6 + 8, 32);
		ph[35] = UDP_LEN;
		ph[39] = NH_UDP;
		put16(b + 6, csum(b, UDP_LEN, ~csum(ph, 40, 0) & 0xffff));
	}
	return UDP_LEN;
}

/* An IPv6 UDP packet, the client's kind of traffic. */
static size_t
put_udp6(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t hl)
{
	size_t n = put_ip6(b, src, dst, NH_UDP, hl, UDP_LEN);

	return n + put_udp(b + n, b);
}

/* An IPv4 UDP packet (an IPv4 edge's), header checksum right. */
static size_t
put_udp4(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t ttl)
{
	memset(b, 0, IP4_LEN);
	b[0] = 0x45;
	put16(b + 2, IP4_LEN + UDP_LEN);
	put16(b + 4, 0x1234);
	b[8] = ttl;
	b[9] = NH_UDP;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	put16(b + 10, csum(b, IP4_LEN, 0));
	return IP4_LEN + put_udp(b + IP4_LEN, NULL);
}

/* What seg6 encap sends to 'seg': outer IPv6 from 'src' with the inner's
 * class and label, an SRH of that one segment (unless !srh), the inner
 * packet of kind 'inner_nh'. */
static size_t
put_srv6(uint8_t *b, const uint8_t *src, const uint8_t *seg, uint8_t hl,
    bool srh, uint8_t inner_nh, const uint8_t *inner, size_t ilen)
{
	size_t n;

	n = put_ip6(b, src, seg, srh ? NH_ROUTING : inner_nh, hl,
	    (srh ? SRH1_LEN : 0) + ilen);
	if (srh)
		n += put_srh(b + n, inner_nh, 4, 0, seg, 1);
	memcpy(b + n, inner, ilen);
	return n + ilen;
}

/* An Ethernet frame around what the builders above laid out. */
struct frame {
	uint8_t	b[PKT_MAX];
	size_t	len;
};

static uint8_t *
frame_start(struct frame *f, uint16_t type)
{
	f->len = put_eth(f->b, type);
	return f->b + f->len;
}

/* ------------------------------------------------------------------ */
/* The programs and their maps                                         */

struct ctx {
	struct cats_bpf	*skel;
	char		 why[160];	/* why skipped */
	int		 home;		/* our network namespace, or -1 */
	int		 tun[2];	/* the TUN test's, or -1 */
};

static int
setup(void **state)
{
	static struct ctx c;
	uint32_t zero = 0;
	struct cats_cfg cf;

	memset(&c, 0, sizeof(c));
	c.home = c.tun[0] = c.tun[1] = -1;
	*state = &c;
	if (geteuid() != 0) {
		snprintf(c.why, sizeof(c.why), "not root: loading BPF "
		    "programs needs root");
		return 0;
	}
	if ((c.skel = cats_bpf__open_and_load()) == NULL) {
		snprintf(c.why, sizeof(c.why), "the kernel refused the "
		    "programs: %s", strerror(errno));
		return 0;
	}
	memset(&cf, 0, sizeof(cf));
	memcpy(cf.src, me, 16);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(c.skel->maps.cfg),
	    &zero, &cf, BPF_ANY), 0);
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	for (int i = 0; i < 2; i++)
		if (c->tun[i] >= 0)
			close(c->tun[i]);
	/* back home: the throw-away namespace goes with its last user */
	if (c->home >= 0) {
		assert_int_equal(setns(c->home, CLONE_NEWNET), 0);
		close(c->home);
	}
	cats_bpf__destroy(c->skel);
	c->skel = NULL;
	return 0;
}

/* The loaded programs, or the test skipped with the reason. */
static struct cats_bpf *
need(void **state)
{
	struct ctx *c = *state;

	if (c->skel == NULL) {
		print_message("skipped: %s\n", c->why);
		skip();
	}
	return c->skel;
}

struct out {
	int		ret;
	uint8_t		b[PKT_MAX];
	uint32_t	len;
};

static void
run_prog(const struct bpf_program *p, const uint8_t *in, size_t len,
    struct out *o)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = in,
	    .data_size_in = (uint32_t)len, .data_out = o->b,
	    .data_size_out = sizeof(o->b));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(p), &t), 0);
	o->ret = (int)t.retval;
	o->len = t.data_size_out;
}

static void
run_eth(struct cats_bpf *s, const struct frame *f, struct out *o)
{
	run_prog(s->progs.cats_eth, f->b, f->len, o);
}

/* Any map's key. */
union key {
	struct cats_pair_key	pair;
	struct cats_addr_key	addr;
	struct cats_steer_key	steer;
	struct cats_src_key	src;
	struct cats_route6_key	route;
};

/* The map and key of an H.Encaps route "dst/len [from src/128]" (src
 * NULL: none), where dp_bpf.c puts it: a /128 destination in a hash map,
 * a shorter prefix in an LPM trie. */
static int
encap_key(struct cats_bpf *s, const uint8_t *src, const uint8_t *dst,
    uint32_t len, union key *k)
{
	memset(k, 0, sizeof(*k));
	if (src != NULL && len == 128) {
		memcpy(k->pair.src, src, 16);
		memcpy(k->pair.dst, dst, 16);
		return bpf_map__fd(s->maps.steer6_exact);
	}
	if (len == 128) {
		memcpy(k->addr.addr, dst, 16);
		return bpf_map__fd(s->maps.route6_exact);
	}
	if (src != NULL) {
		k->steer.prefixlen = 128 + len;
		memcpy(k->steer.src, src, 16);
		memcpy(k->steer.dst, dst, 16);
		return bpf_map__fd(s->maps.steer6);
	}
	k->route.prefixlen = len;
	memcpy(k->route.dst, dst, 16);
	return bpf_map__fd(s->maps.route6);
}

static void
encap(struct cats_bpf *s, const uint8_t *src, const uint8_t *dst,
    uint32_t len, const uint8_t *seg)
{
	struct cats_encap v;
	union key k;
	int fd = encap_key(s, src, dst, len, &k);

	memset(&v, 0, sizeof(v));
	memcpy(v.seg, seg, 16);
	v.dst_len = len;		/* as dp_bpf.c fills it */
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
}

static void
encap_counts(struct cats_bpf *s, const uint8_t *src, const uint8_t *dst,
    uint32_t len, uint64_t packets, uint64_t bytes)
{
	struct cats_encap v;
	union key k;
	int fd = encap_key(s, src, dst, len, &k);

	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0);
	assert_int_equal(v.packets, packets);
	assert_int_equal(v.bytes, bytes);
}

static void
sid(struct cats_bpf *s, const uint8_t *addr, uint32_t action, uint32_t oif)
{
	struct cats_addr_key k;
	struct cats_sid v;

	memcpy(k.addr, addr, 16);
	memset(&v, 0, sizeof(v));
	v.action = action;
	v.oif = oif;
	memcpy(v.nh6, edge6, 16);
	memcpy(v.nh4, edge4, 4);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.sid6), &k,
	    &v, BPF_ANY), 0);
}

static void
sid_counts(struct cats_bpf *s, const uint8_t *addr, uint64_t packets,
    uint64_t bytes)
{
	struct cats_addr_key k;
	struct cats_sid v;

	memcpy(k.addr, addr, 16);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.sid6), &k,
	    &v), 0);
	assert_int_equal(v.packets, packets);
	assert_int_equal(v.bytes, bytes);
}

/* The drops of one reason, over every CPU (CATS_DROP_MAX: all). */
static uint64_t
drops(struct cats_bpf *s, uint32_t why)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per, sum = 0;

	assert_true(ncpu > 0);
	per = calloc((size_t)ncpu, sizeof(*per));
	assert_non_null(per);
	for (uint32_t i = 0; i < CATS_DROP_MAX; i++) {
		if (why != CATS_DROP_MAX && i != why)
			continue;
		assert_int_equal(bpf_map_lookup_elem(
		    bpf_map__fd(s->maps.drops), &i, per), 0);
		for (int c = 0; c < ncpu; c++)
			sum += per[c];
	}
	free(per);
	return sum;
}

/* Dropped, and counted under 'why' alone. */
static void
assert_dropped(struct cats_bpf *s, const struct out *o, uint32_t why)
{
	assert_int_equal(o->ret, TC_ACT_SHOT);
	assert_int_equal(drops(s, why), 1);
	assert_int_equal(drops(s, CATS_DROP_MAX), 1);
}

/* Passed on, not a byte changed, nothing dropped. */
static void
assert_untouched(struct cats_bpf *s, const struct frame *f,
    const struct out *o)
{
	assert_int_equal(o->ret, TC_ACT_UNSPEC);
	assert_int_equal(o->len, f->len);
	assert_memory_equal(o->b, f->b, f->len);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

static void
assert_bytes(const struct out *o, const uint8_t *want, size_t len)
{
	char got[2 * PKT_MAX + 1], exp[2 * PKT_MAX + 1];

	bin2hex(o->b, o->len, got);
	bin2hex(want, len, exp);
	assert_string_equal(got, exp);	/* prints both on a mismatch */
}

/* ------------------------------------------------------------------ */
/* H.Encaps                                                            */

/* The client's packet to the CS-ID leaves toward the chosen instance's
 * SID: outer header and SRH exactly as Linux seg6 writes them. */
static void
test_encap_steer(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen, n;

	encap(s, client, csid, 128, sid_dx6);
	ilen = put_udp6(frame_start(&f, ET_IPV6), client, csid, 64);
	f.len += ilen;
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_OK);
	assert_int_equal(o.len, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);
	/* the Ethernet header, then the outer header and SRH field by
	 * field: class and label from the inner, payload 24 + 56, next
	 * header 43, hop limit 64 (the inner's before it took one);
	 * SRH next header 41, hdr ext len 2, type 4, SL 0, last entry 0 */
	n = hex2bin("020000000001 020000000002 86dd"
	    "6b812345 0050 2b 40"
	    "20010db8000100000000000000000001"
	    "20010db800e100000000000000000001"
	    "29 02 04 00 00 00 0000"
	    "20010db800e100000000000000000001", want, sizeof(want));
	assert_int_equal(n, ETH_LEN + IP6_LEN + SRH1_LEN);
	memcpy(inner, f.b + ETH_LEN, ilen);
	inner[7] = 63;
	memcpy(want + n, inner, ilen);
	assert_bytes(&o, want, n + ilen);
	encap_counts(s, client, csid, 128, 1, ilen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

/* A destination route without a source (the egress's return path to
 * the client) encapsulates too, toward the client's ingress. */
static void
test_encap_route(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	encap(s, NULL, client, 128, sid_i1);
	ilen = put_udp6(frame_start(&f, ET_IPV6), csid, client, 5);
	f.len += ilen;
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_OK);
	memcpy(inner, f.b + ETH_LEN, ilen);
	inner[7] = 4;
	put_eth(want, ET_IPV6);
	put_srv6(want + ETH_LEN, me, sid_i1, 5, true, NH_IPV6, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);
	encap_counts(s, NULL, client, 128, 1, ilen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

/* ------------------------------------------------------------------ */
/* End.DT6, End.DX6, End.DX4                                           */

/* An encapsulated packet for a DT6 SID: 'srh' or plain IPv6-in-IPv6. */
static size_t
srv6_frame(struct frame *f, const uint8_t *seg, bool srh, uint8_t inner_nh,
    const uint8_t *inner, size_t ilen)
{
	f->len = put_eth(f->b, ET_IPV6);
	f->len += put_srv6(f->b + ETH_LEN, peer, seg, 60, srh, inner_nh,
	    inner, ilen);
	return f->len - ETH_LEN;
}

/* The ingress's End.DT6: out comes the inner packet, untouched (the
 * kernel routes it and takes the hop), behind the same link header. */
static void
dt6(void **state, bool srh)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen, olen;

	sid(s, sid_i1, CATS_END_DT6, 0);
	ilen = put_udp6(inner, csid, client, 63);
	olen = srv6_frame(&f, sid_i1, srh, NH_IPV6, inner, ilen);
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_UNSPEC);
	put_eth(want, ET_IPV6);
	memcpy(want + ETH_LEN, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + ilen);
	sid_counts(s, sid_i1, 1, olen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

static void
test_dt6(void **state)
{
	dt6(state, true);
}

static void
test_dt6_no_srh(void **state)
{
	dt6(state, false);
}

/* The old ingress during a handover: End.DT6, and the inner destination
 * (the client) has a route toward the new ingress.  The outer header is
 * rewritten in place: from us, to the new SID, hop limit the inner's. */
static void
test_dt6_forward(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen, olen;

	sid(s, sid_i1, CATS_END_DT6, 0);
	encap(s, NULL, client, 128, sid_i2);
	ilen = put_udp6(inner, csid, client, 63);
	olen = srv6_frame(&f, sid_i1, true, NH_IPV6, inner, ilen);
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_OK);
	inner[7] = 62;
	put_eth(want, ET_IPV6);
	put_srv6(want + ETH_LEN, me, sid_i2, 63, true, NH_IPV6, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);
	sid_counts(s, sid_i1, 1, olen);
	encap_counts(s, NULL, client, 128, 1, ilen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

/* The egress's End.DX6 toward the edge: decapsulated, the hop taken, and
 * handed to bpf_redirect_neigh (see the top for why 7 is certain). */
static void
test_dx6(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen, olen;

	sid(s, sid_dx6, CATS_END_DX6, 1);
	ilen = put_udp6(inner, client, csid, 63);
	olen = srv6_frame(&f, sid_dx6, true, NH_IPV6, inner, ilen);
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_REDIRECT);
	inner[7] = 62;
	put_eth(want, ET_IPV6);
	memcpy(want + ETH_LEN, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + ilen);
	sid_counts(s, sid_dx6, 1, olen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

/* End.DX4 to an IPv4 edge: the inner IPv4 packet with its TTL taken and
 * its header checksum still right, behind an Ethernet type of IPv4. */
static void
test_dx4(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen, olen;

	sid(s, sid_dx4, CATS_END_DX4, 1);
	ilen = put_udp4(inner, client4, edge4, 64);
	olen = srv6_frame(&f, sid_dx4, true, NH_IPV4, inner, ilen);
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_REDIRECT);
	assert_int_equal(o.len, ETH_LEN + ilen);
	assert_int_equal(get16(o.b + 12), ET_IPV4);
	assert_int_equal(o.b[ETH_LEN + 8], 63);
	assert_int_equal(csum(o.b + ETH_LEN, IP4_LEN, 0), 0);
	put_eth(want, ET_IPV4);
	put_udp4(want + ETH_LEN, client4, edge4, 63);
	assert_bytes(&o, want, ETH_LEN + ilen);
	sid_counts(s, sid_dx4, 1, olen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

/* The steering of a client's service prefix to the CS-ID, where dp_bpf.c
 * puts "CSID/128 from PREFIX/len": the steer6_src trie. */
static void
encap_from_prefix(struct cats_bpf *s, const uint8_t *pfx, uint32_t len,
    const uint8_t *seg)
{
	struct cats_encap v;
	union key k;

	memset(&k, 0, sizeof(k));
	k.src.prefixlen = 128 + len;
	memcpy(k.src.dst, csid, 16);
	memcpy(k.src.src, pfx, 16);
	memset(&v, 0, sizeof(v));
	memcpy(v.seg, seg, 16);
	v.dst_len = 128;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.steer6_src),
	    &k, &v, BPF_ANY), 0);
}

/* Anchoring 3 step 7: a packet from an address the client configured in
 * its service prefix (PREFIX::5) to the CS-ID takes the tunnel as one
 * from the client's own address does; the client's /128 steering still
 * wins for its own address, and an address outside the prefix passes. */
static void
test_encap_steer_from_prefix(void **state)
{
	static const uint8_t pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, 0,
		0x01 };
	static const uint8_t in_pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b,
		0, 0x01, [15] = 5 };
	static const uint8_t out_pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b,
		0, 0x02, [15] = 5 };
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	union key k;
	size_t ilen;
	int fd;

	/* the prefix's steering, and a /128 source that must win over it */
	encap_from_prefix(s, pfx, 64, sid_dx6);
	encap(s, in_pfx, csid, 128, sid_i2);
	ilen = put_udp6(frame_start(&f, ET_IPV6), in_pfx, csid, 64);
	f.len += ilen;
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_OK);
	memcpy(inner, f.b + ETH_LEN, ilen);
	inner[7] = 63;
	put_eth(want, ET_IPV6);
	put_srv6(want + ETH_LEN, me, sid_i2, 64, true, NH_IPV6, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);

	/* without the /128: PREFIX::5 to the CS-ID takes the prefix's */
	fd = encap_key(s, in_pfx, csid, 128, &k);
	assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_OK);
	put_srv6(want + ETH_LEN, me, sid_dx6, 64, true, NH_IPV6, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);

	/* an address outside the prefix is not steered */
	f.len += put_udp6(frame_start(&f, ET_IPV6), out_pfx, csid, 64);
	run_eth(s, &f, &o);
	assert_untouched(s, &f, &o);
}

/* A steered CS-ID prefix (the LPM trie) encapsulates as a /128 does. */
static void
test_encap_steer_prefix(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	encap(s, client, csid, 64, sid_dx6);
	ilen = put_udp6(frame_start(&f, ET_IPV6), client, csid, 64);
	f.len += ilen;
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_OK);
	memcpy(inner, f.b + ETH_LEN, ilen);
	inner[7] = 63;
	put_eth(want, ET_IPV6);
	put_srv6(want + ETH_LEN, me, sid_dx6, 64, true, NH_IPV6, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);
	encap_counts(s, client, csid, 64, 1, ilen);
}

/* As IPv6 subtrees choose: the longest destination first, a source only
 * within it.  A route to CS-ID/64 beats the client's steering of /48. */
static void
test_longest_destination_wins(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	encap(s, client, csid, 48, sid_dx6);
	encap(s, NULL, csid, 64, sid_i2);
	ilen = put_udp6(frame_start(&f, ET_IPV6), client, csid, 64);
	f.len += ilen;
	run_eth(s, &f, &o);
	assert_int_equal(o.ret, TC_ACT_OK);
	memcpy(inner, f.b + ETH_LEN, ilen);
	inner[7] = 63;
	put_eth(want, ET_IPV6);
	put_srv6(want + ETH_LEN, me, sid_i2, 64, true, NH_IPV6, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);
}

/* End.DT6 of plain IPv6-in-IPv6 whose inner destination has a route:
 * decapsulated, then encapsulated afresh toward the route's SID. */
static void
test_dt6_no_srh_forward(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t want[PKT_MAX], inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	encap(s, NULL, client, 128, sid_i2);
	sid(s, sid_i1, CATS_END_DT6, 0);
	ilen = put_udp6(inner, csid, client, 63);
	srv6_frame(&f, sid_i1, false, NH_IPV6, inner, ilen);
	run_eth(s, &f, &o);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
	assert_int_equal(o.ret, TC_ACT_OK);
	inner[7] = 62;
	put_eth(want, ET_IPV6);
	put_srv6(want + ETH_LEN, me, sid_i2, 63, true, NH_IPV6, inner, ilen);
	assert_bytes(&o, want, ETH_LEN + IP6_LEN + SRH1_LEN + ilen);
}

/* ------------------------------------------------------------------ */
/* Packets that are not ours                                             */

/* A route for everything (::/0), so that only the rule under test can
 * be what leaves a packet alone. */
static void
route_all(struct cats_bpf *s)
{
	encap(s, NULL, A6(0), 0, sid_i2);
}

/* Neighbour solicitation to the solicited-node group: the kernel's. */
static void
test_pass_neighbour_solicitation(void **state)
{
	static const uint8_t group[16] = { 0xff, 0x02, [11] = 1, 0xff, 0,
		0, 0x10 };
	struct cats_bpf *s = need(state);
	struct frame f;
	struct out o;
	uint8_t *p;

	route_all(s);
	encap(s, client, group, 128, sid_dx6);
	p = frame_start(&f, ET_IPV6);
	f.len += put_ip6(p, client, group, NH_ICMP6, 255, 24);
	memset(p + IP6_LEN, 0, 24);
	p[IP6_LEN] = 135;
	memcpy(p + IP6_LEN + 8, A6(0x20, 0x01, 0x0d, 0xb8, 0, 0x0a,
	    [15] = 1), 16);
	f.len += 24;
	run_eth(s, &f, &o);
	assert_untouched(s, &f, &o);
}

/* A link-local source (router solicitation, MLD ...): the kernel's. */
static void
test_pass_link_local(void **state)
{
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 0x10 };
	struct cats_bpf *s = need(state);
	struct frame f;
	struct out o;

	route_all(s);
	encap(s, ll, csid, 128, sid_dx6);
	f.len += put_udp6(frame_start(&f, ET_IPV6), ll, csid, 64);
	run_eth(s, &f, &o);
	assert_untouched(s, &f, &o);
}

/* Another client to the same CS-ID: its own steering, not the first's. */
static void
test_pass_other_client(void **state)
{
	struct cats_bpf *s = need(state);
	struct frame f;
	struct out o;

	encap(s, client, csid, 128, sid_dx6);
	f.len += put_udp6(frame_start(&f, ET_IPV6), client2, csid, 64);
	run_eth(s, &f, &o);
	assert_untouched(s, &f, &o);
	encap_counts(s, client, csid, 128, 0, 0);
}

static void
test_pass_ipv4(void **state)
{
	struct cats_bpf *s = need(state);
	struct frame f;
	struct out o;

	route_all(s);
	f.len += put_udp4(frame_start(&f, ET_IPV4), client4, edge4, 64);
	run_eth(s, &f, &o);
	assert_untouched(s, &f, &o);
}

static void
test_pass_arp(void **state)
{
	struct cats_bpf *s = need(state);
	struct frame f;
	struct out o;
	size_t n;

	route_all(s);
	/* who has 10.0.0.1? tell 10.0.0.10 */
	n = hex2bin("0001 0800 06 04 0001 020000000002 0a00000a"
	    "000000000000 0a000001", frame_start(&f, ET_ARP), 28);
	assert_int_equal(n, 28);
	f.len += n;
	run_eth(s, &f, &o);
	assert_untouched(s, &f, &o);
}

/* ------------------------------------------------------------------ */
/* Malformed or refused                                                */

/* An SRv6 frame to 'seg' with an SRH laid out by the caller. */
static void
srh_frame(struct frame *f, const uint8_t *seg, uint8_t type, uint8_t sl,
    uint8_t nsegs, uint8_t inner_nh, const uint8_t *inner, size_t ilen)
{
	uint8_t *p = frame_start(f, ET_IPV6);
	size_t n = IP6_LEN;

	n += put_srh(p + n, inner_nh, type, sl, seg, nsegs);
	memcpy(p + n, inner, ilen);
	put_ip6(p, peer, seg, NH_ROUTING, 60, n - IP6_LEN + ilen);
	f->len += n + ilen;
}

/* The SRH says it is longer than the packet. */
static void
test_drop_srh_truncated(void **state)
{
	struct cats_bpf *s = need(state);
	struct frame f;
	struct out o;

	sid(s, sid_dx6, CATS_END_DX6, 1);
	srh_frame(&f, sid_dx6, 4, 0, 1, NH_IPV6, f.b, 0);
	f.b[ETH_LEN + IP6_LEN + 1] = 10;	/* 88 octets of segments */
	run_eth(s, &f, &o);
	assert_dropped(s, &o, CATS_DROP_SRH);
}

/* RFC 8986 4.4: End.DX6 with segments left is an error. */
static void
test_drop_segments_left(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	sid(s, sid_dx6, CATS_END_DX6, 1);
	ilen = put_udp6(inner, client, csid, 63);
	srh_frame(&f, sid_dx6, 4, 1, 2, NH_IPV6, inner, ilen);
	run_eth(s, &f, &o);
	assert_dropped(s, &o, CATS_DROP_SL);
}

/* Routing type 3 (RPL), not an SRH. */
static void
test_drop_routing_type(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	sid(s, sid_dx6, CATS_END_DX6, 1);
	ilen = put_udp6(inner, client, csid, 63);
	srh_frame(&f, sid_dx6, 3, 0, 1, NH_IPV6, inner, ilen);
	run_eth(s, &f, &o);
	assert_dropped(s, &o, CATS_DROP_SRH);
}

/* IPv4 inside, for a SID that takes IPv6: with an SRH and without. */
static void
drop_inner(void **state, uint32_t action, bool srh)
{
	struct cats_bpf *s = need(state);
	uint8_t inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	sid(s, sid_i1, action, 1);
	ilen = put_udp4(inner, client4, edge4, 64);
	srv6_frame(&f, sid_i1, srh, NH_IPV4, inner, ilen);
	run_eth(s, &f, &o);
	assert_dropped(s, &o, CATS_DROP_INNER);
}

static void
test_drop_inner_dt6(void **state)
{
	drop_inner(state, CATS_END_DT6, true);
}

static void
test_drop_inner_dt6_no_srh(void **state)
{
	drop_inner(state, CATS_END_DT6, false);
}

static void
test_drop_inner_dx6(void **state)
{
	drop_inner(state, CATS_END_DX6, true);
}

/* End.DX6 forwards: an inner hop limit of 1 may go no further. */
static void
test_drop_hop_limit_dx6(void **state)
{
	struct cats_bpf *s = need(state);
	uint8_t inner[PKT_MAX];
	struct frame f;
	struct out o;
	size_t ilen;

	sid(s, sid_dx6, CATS_END_DX6, 1);
	ilen = put_udp6(inner, client, csid, 1);
	srv6_frame(&f, sid_dx6, true, NH_IPV6, inner, ilen);
	run_eth(s, &f, &o);
	assert_dropped(s, &o, CATS_DROP_HOPLIMIT);
}

/* ------------------------------------------------------------------ */
/* cats_l3 on a real TUN                                               */

/*
 * BPF_PROG_TEST_RUN cannot run cats_l3 as a TUN does: it makes every
 * packet an Ethernet frame, so bpf_skb_adjust_room (BPF_ADJ_ROOM_MAC)
 * inserts the outer header 14 octets into the IPv6 header.  So a bare
 * IPv6 packet is written into a TUN whose ingress runs cats_l3, the
 * kernel forwards the encapsulated packet by its outer destination, and
 * it is read from a second TUN that the segment's route points to, all in
 * a network namespace of our own.
 */

/* A TUN (no link header, no packet info), up. */
static int
tun_up(const char *name, struct ctx *c, uint32_t *ifindex)
{
	struct ifreq ifr;
	int fd, s;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK)) < 0) {
		snprintf(c->why, sizeof(c->why), "/dev/net/tun: %s",
		    strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	*ifindex = if_nametoindex(name);
	assert_true(*ifindex != 0);
	return fd;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The namespace: "l3" (cats_l3 at its ingress) and "core" (where the
 * route to 'seg' goes), forwarding on.  False: skipped, reason in c. */
static bool
tun_net(struct ctx *c, const uint8_t *seg)
{
	uint32_t l3, core;
	struct kr_route r;
	struct kr *k;
	char err[KR_ERR_MAX];

	if ((c->home = open("/proc/self/ns/net", O_RDONLY)) < 0 ||
	    unshare(CLONE_NEWNET) < 0) {
		snprintf(c->why, sizeof(c->why), "no network namespace: %s",
		    strerror(errno));
		return false;
	}
	if ((c->tun[0] = tun_up("l3", c, &l3)) < 0 ||
	    (c->tun[1] = tun_up("core", c, &core)) < 0)
		return false;
	write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	memcpy(r.dst, seg, 16);
	r.dst_len = 128;
	r.oif = core;
	k = kr_open(RTPROT_CATS, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(kr_change(k, &r, KR_ADD), 0);
	kr_close(k);
	{
		LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = (int)l3,
		    .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, o, .prog_fd =
		    bpf_program__fd(c->skel->progs.cats_l3));

		assert_int_equal(bpf_tc_hook_create(&h), 0);
		assert_int_equal(bpf_tc_attach(&h, &o), 0);
	}
	return true;
}

/* The next packet out of the TUN that is for 'seg' (the kernel sends its
 * own too: router solicitations, MLD reports), or 0 after two seconds. */
static size_t
tun_read(int fd, const uint8_t *seg, uint8_t *b, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (poll(&p, 1, 2000) == 1) {
		if ((n = read(fd, b, cap)) < 0)
			continue;
		if (n >= IP6_LEN && memcmp(b + 24, seg, 16) == 0)
			return (size_t)n;
	}
	return 0;
}

/* A bare IPv6 packet from the client, as the handover TUN releases it:
 * encapsulated as on Ethernet, then forwarded by the kernel, which takes
 * one more hop off the outer header. */
static void
test_l3_encap(void **state)
{
	struct cats_bpf *s = need(state);
	struct ctx *c = *state;
	uint8_t in[PKT_MAX], got[PKT_MAX], want[PKT_MAX];
	struct out o;
	size_t ilen;

	if (!tun_net(c, sid_dx6)) {
		print_message("skipped: %s\n", c->why);
		skip();
	}
	encap(s, client, csid, 128, sid_dx6);
	ilen = put_udp6(in, client, csid, 64);
	assert_int_equal(write(c->tun[0], in, ilen), (ssize_t)ilen);
	o.len = (uint32_t)tun_read(c->tun[1], sid_dx6, got, sizeof(got));
	memcpy(o.b, got, o.len);
	in[7] = 63;
	put_srv6(want, me, sid_dx6, 63, true, NH_IPV6, in, ilen);
	assert_bytes(&o, want, IP6_LEN + SRH1_LEN + ilen);
	encap_counts(s, client, csid, 128, 1, ilen);
	assert_int_equal(drops(s, CATS_DROP_MAX), 0);
}

/* The whole way, through the dataplane layer and dp_bpf.c: the intents
 * of a session with a prefix fill the maps, a packet from PREFIX::5 to
 * the CS-ID written into the handover TUN (the cats_l3 program, as
 * released packets meet it) leaves by the core encapsulated toward the
 * egress's instance; after DP_UNSTEER and DP_UNPREFIX only the node's
 * End.DT6 is left, and the same packet is no longer steered. */
static void
dump_cb(const struct kr_route *r, void *arg)
{
	char s[256];

	kr_route_fmt(r, s, sizeof(s));
	strncat(arg, s, 2047 - strlen(arg));
	strncat(arg, "\n", 2047 - strlen(arg));
}

static void
test_dp_prefix_steer(void **state)
{
	static const struct dp_peer peers[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 },
		  { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1 } },
	};
	static const struct dp_service svcs[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, [15] = 1 }, 128 },
	};
	static const uint8_t in_pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b,
		0, 0x01, [15] = 5 };
	struct ctx *c = *state;
	uint8_t in[PKT_MAX], got[PKT_MAX], want[PKT_MAX];
	char routes[2048] = "", err[KR_ERR_MAX];
	uint32_t hold = 0, acc = 0, core = 0;
	struct dp_intent it;
	struct kr_route r;
	struct dp_cfg dc;
	struct dp *dp;
	struct kr *k;
	struct out o;
	size_t ilen;

	(void)need(state);
	if ((c->home = open("/proc/self/ns/net", O_RDONLY)) < 0 ||
	    unshare(CLONE_NEWNET) < 0) {
		print_message("skipped: no network namespace\n");
		skip();
	}
	if ((c->tun[0] = tun_up("hold", c, &hold)) < 0 ||
	    (c->tun[1] = tun_up("core", c, &core)) < 0) {
		print_message("skipped: %s\n", c->why);
		skip();
	}
	assert_true(tun_up("acc", c, &acc) >= 0);	/* closed with the ns */
	write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	/* the egress's SID is reached by the core (not one of our routes) */
	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	memcpy(r.dst, sid_dx6, 16);
	r.dst_len = 128;
	r.oif = core;
	assert_non_null(k = kr_open(4, err, sizeof(err)));
	assert_int_equal(kr_change(k, &r, KR_ADD), 0);
	kr_close(k);

	memset(&dc, 0, sizeof(dc));
	dc.roles = NODE_INGRESS;
	memcpy(dc.sid, sid_i1, 16);
	memcpy(dc.encap_src, me, 16);
	dc.core_oif = core;
	dc.access_oif = acc;
	dc.buffer_oif = hold;
	dc.peers = peers;
	dc.npeers = 1;
	dc.services = svcs;
	dc.nservices = 1;
	dp = dp_new_bpf(&dc, err, sizeof(err));
	if (dp == NULL) {
		print_message("skipped: %s\n", err);
		skip();
	}
	assert_int_equal(dp_start(dp), 0);
	memset(&it, 0, sizeof(it));
	memcpy(it.client, client, 16);
	memcpy(it.peer, peers[0].addr, 16);
	it.instance = 1;
	memcpy(it.prefix.addr, in_pfx, 8);
	it.prefix.len = 64;
	it.op = DP_STEER;
	assert_int_equal(dp_apply(dp, &it), 0);
	it.op = DP_PREFIX;
	assert_int_equal(dp_apply(dp, &it), 0);
	assert_int_equal(dp_sync(dp), 0);
	assert_int_equal(dp_dump(dp, dump_cb, routes), 0);
	assert_non_null(strstr(routes, "2001:db8:cafe::1/128 from "
	    "2001:db8:b:1::/64 encap seg6 mode encap segs 2001:db8:e1::1"));
	assert_non_null(strstr(routes, "2001:db8:b:1::/64 oif"));

	ilen = put_udp6(in, in_pfx, csid, 64);
	assert_int_equal(write(c->tun[0], in, ilen), (ssize_t)ilen);
	o.len = (uint32_t)tun_read(c->tun[1], sid_dx6, got, sizeof(got));
	memcpy(o.b, got, o.len);
	memcpy(want, in, ilen);
	want[7] = 63;
	memcpy(in, want, ilen);
	put_srv6(want, me, sid_dx6, 63, true, NH_IPV6, in, ilen);
	assert_bytes(&o, want, IP6_LEN + SRH1_LEN + ilen);

	it.op = DP_UNSTEER;
	assert_int_equal(dp_apply(dp, &it), 0);
	it.op = DP_UNPREFIX;
	assert_int_equal(dp_apply(dp, &it), 0);
	routes[0] = '\0';
	assert_int_equal(dp_dump(dp, dump_cb, routes), 0);
	assert_null(strstr(routes, "2001:db8:b:1::"));
	assert_null(strstr(routes, "2001:db8:a::10"));
	assert_non_null(strstr(routes, "End.DT6"));
	assert_int_equal(dp_counters(dp)->absent, 0);
	ilen = put_udp6(in, in_pfx, csid, 64);
	assert_int_equal(write(c->tun[0], in, ilen), (ssize_t)ilen);
	assert_int_equal(tun_read(c->tun[1], sid_dx6, got, sizeof(got)), 0);
	dp_free(dp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_encap_steer),
		T(test_encap_route),
		T(test_dt6),
		T(test_dt6_no_srh),
		T(test_dt6_forward),
		T(test_dx6),
		T(test_dx4),
		T(test_encap_steer_prefix),
		T(test_encap_steer_from_prefix),
		T(test_longest_destination_wins),
		T(test_dt6_no_srh_forward),
		T(test_pass_neighbour_solicitation),
		T(test_pass_link_local),
		T(test_pass_other_client),
		T(test_pass_ipv4),
		T(test_pass_arp),
		T(test_drop_srh_truncated),
		T(test_drop_segments_left),
		T(test_drop_routing_type),
		T(test_drop_inner_dt6),
		T(test_drop_inner_dt6_no_srh),
		T(test_drop_inner_dx6),
		T(test_drop_hop_limit_dx6),
		T(test_l3_encap),
		T(test_dp_prefix_steer),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
