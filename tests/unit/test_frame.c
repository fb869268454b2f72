/*
 * Tests of catsctl's frame layer (src/catsctl/frame.c): the MH found under
 * every link type, through IPv6 extension headers and UDP 5436, packets
 * built by frame_build parsed back, and named malformed frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <pcap/pcap.h>

#include "cats/mh.h"
#include "catsctl/frame.h"

#define BUFSZ	(MH_MAX_LEN + FRAME_HDR_MAX + 64)

/* A 16-octet stand-in for an MH: the frame layer does not read it. */
static const uint8_t mh[16] = { 0x3b, 0x01, 0x05, 0, 0, 0, 0, 1,
	0x82, 0, 0, 0x0f, 1, 2, 0, 0 };

static struct pkt_meta
meta(int af, enum pkt_transport t)
{
	struct pkt_meta m = { .transport = t };

	m.src.af = m.dst.af = af;
	if (af == AF_INET6) {
		memcpy(m.src.a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		memcpy(m.dst.a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	} else {
		memcpy(m.src.a, "\xc0\x00\x02\x01", 4);
		memcpy(m.dst.a, "\xc0\x00\x02\x02", 4);
	}
	return m;
}

static size_t
packet(int af, enum pkt_transport t, uint8_t *out)
{
	struct pkt_meta m = meta(af, t);
	size_t len;

	assert_int_equal(frame_build(&m, mh, sizeof(mh), out, BUFSZ, &len), 0);
	return len;
}

/* Prepend hdr to the packet in buf. */
static size_t
wrap(uint8_t *buf, size_t len, const void *hdr, size_t hlen)
{
	memmove(buf + hlen, buf, len);
	memcpy(buf, hdr, hlen);
	return len + hlen;
}

static void
expect_mh(int dlt, const uint8_t *p, size_t len, int af,
    enum pkt_transport t)
{
	struct frame f;
	char err[128];
	struct pkt_meta m = meta(af, t);

	err[0] = '\0';
	if (frame_parse(dlt, p, len, &f, err, sizeof(err)) != 1)
		fail_msg("no MH: %s", err);
	assert_int_equal(f.mh_len, sizeof(mh));
	assert_memory_equal(f.mh, mh, sizeof(mh));
	assert_int_equal(f.meta.transport, t);
	assert_int_equal(f.meta.src.af, af);
	assert_memory_equal(f.meta.src.a, m.src.a, af == AF_INET6 ? 16 : 4);
	assert_memory_equal(f.meta.dst.a, m.dst.a, af == AF_INET6 ? 16 : 4);
}

static void
test_link_types(void **state)
{
	static const uint8_t eth[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
		0x81, 0x00, 0x00, 0x64, 0x86, 0xdd };	/* with a VLAN tag */
	static const uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, [14] = 0x86,
		[15] = 0xdd };
	static const uint8_t sll2[20] = { 0x86, 0xdd, [9] = 1 };
	static const uint8_t null_le[4] = { 10, 0, 0, 0 };   /* AF_INET6 Linux */
	static const uint8_t loop_be[4] = { 0, 0, 0, 30 };   /* AF_INET6 BSD */
	uint8_t buf[BUFSZ];
	size_t len;

	(void)state;
	len = packet(AF_INET6, PKT_T_IPV6, buf);
	expect_mh(DLT_RAW, buf, len, AF_INET6, PKT_T_IPV6);
	expect_mh(DLT_IPV6, buf, len, AF_INET6, PKT_T_IPV6);
	len = wrap(buf, packet(AF_INET6, PKT_T_IPV6, buf), eth, sizeof(eth));
	expect_mh(DLT_EN10MB, buf, len, AF_INET6, PKT_T_IPV6);
	len = wrap(buf, packet(AF_INET6, PKT_T_UDP, buf), sll, sizeof(sll));
	expect_mh(DLT_LINUX_SLL, buf, len, AF_INET6, PKT_T_UDP);
	len = wrap(buf, packet(AF_INET6, PKT_T_IPV6, buf), sll2, sizeof(sll2));
	expect_mh(DLT_LINUX_SLL2, buf, len, AF_INET6, PKT_T_IPV6);
	len = wrap(buf, packet(AF_INET6, PKT_T_IPV6, buf), null_le, 4);
	expect_mh(DLT_NULL, buf, len, AF_INET6, PKT_T_IPV6);
	len = wrap(buf, packet(AF_INET, PKT_T_UDP, buf), loop_be, 4);
	expect_mh(DLT_LOOP, buf, len, AF_INET, PKT_T_UDP);
	len = packet(AF_INET, PKT_T_UDP, buf);
	expect_mh(DLT_IPV4, buf, len, AF_INET, PKT_T_UDP);
	assert_true(frame_dlt_ok(DLT_LINUX_SLL2));
	assert_false(frame_dlt_ok(DLT_IEEE802_11));
}

/* Insert an extension header ext (next header nh) after the IPv6 header. */
static size_t
add_ext(uint8_t *buf, size_t len, uint8_t nh, uint8_t *ext, size_t elen)
{
	uint16_t plen = (uint16_t)(buf[4] << 8 | buf[5]);

	ext[0] = buf[6];
	buf[6] = nh;
	plen = (uint16_t)(plen + elen);
	buf[4] = (uint8_t)(plen >> 8);
	buf[5] = (uint8_t)plen;
	memmove(buf + 40 + elen, buf + 40, len - 40);
	memcpy(buf + 40, ext, elen);
	return len + elen;
}

static void
test_ipv6_extension_headers(void **state)
{
	uint8_t hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };	/* PadN */
	uint8_t dst[16] = { 0, 1, 1, 12 };		/* 16 octets */
	uint8_t ah[16] = { 0, 2 };			/* (2 + 2) * 4 */
	uint8_t frag0[8] = { 0 };			/* atomic fragment */
	uint8_t frag[8] = { 0, 0, 0, 1 };		/* M: first fragment */
	uint8_t buf[BUFSZ];
	struct frame f;
	char err[128];
	size_t len;

	(void)state;
	len = packet(AF_INET6, PKT_T_IPV6, buf);
	len = add_ext(buf, len, 60, dst, sizeof(dst));
	len = add_ext(buf, len, 51, ah, sizeof(ah));
	len = add_ext(buf, len, 44, frag0, sizeof(frag0));
	len = add_ext(buf, len, 0, hbh, sizeof(hbh));
	expect_mh(DLT_RAW, buf, len, AF_INET6, PKT_T_IPV6);

	len = packet(AF_INET6, PKT_T_UDP, buf);
	len = add_ext(buf, len, 60, dst, sizeof(dst));
	expect_mh(DLT_RAW, buf, len, AF_INET6, PKT_T_UDP);

	len = packet(AF_INET6, PKT_T_IPV6, buf);
	len = add_ext(buf, len, 44, frag, sizeof(frag));
	assert_int_equal(frame_parse(DLT_RAW, buf, len, &f, err, sizeof(err)),
	    0);
}

static void
test_not_mh(void **state)
{
	uint8_t buf[BUFSZ];
	struct frame f;
	char err[128];
	size_t len;

	(void)state;
	len = packet(AF_INET6, PKT_T_UDP, buf);
	buf[40] = 0x13;				/* source port 5000 */
	buf[41] = 0x88;
	buf[42] = 0x13;
	buf[43] = 0x88;
	assert_int_equal(frame_parse(DLT_RAW, buf, len, &f, err, sizeof(err)),
	    0);
	len = packet(AF_INET6, PKT_T_IPV6, buf);
	buf[6] = 58;				/* ICMPv6 */
	assert_int_equal(frame_parse(DLT_RAW, buf, len, &f, err, sizeof(err)),
	    0);
}

struct bad_frame {
	const char	*name;
	size_t		 cut;		/* octets kept, 0 = all */
	size_t		 off;		/* octet to change */
	uint8_t		 val;
	const char	*err;
};

static const struct bad_frame bad_frames[] = {
	{ "ipv6-short", 30, 0, 0x60, "IPv6 header truncated" },
	{ "ipv6-plen-long", 0, 5, 0xff, "IPv6 payload length" },
	{ "ipv6-cut", 50, 0, 0x60, "IPv6 payload length" },
	{ "not-ip", 0, 0, 0x50, NULL },			/* version 5: skipped */
	{ "udp-len", 0, 45, 0x03, "UDP length" },
	{ "udp-short", 44, 4, 0x00, "IPv6 payload length" },
};

static void
test_malformed(void **state)
{
	uint8_t buf[BUFSZ];
	struct frame f;
	char err[128];
	size_t i, len;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad_frames) / sizeof(bad_frames[0]); i++) {
		const struct bad_frame *b = &bad_frames[i];

		len = packet(AF_INET6, PKT_T_UDP, buf);
		buf[b->off] = b->val;
		if (b->cut != 0)
			len = b->cut;
		err[0] = '\0';
		rc = frame_parse(DLT_RAW, buf, len, &f, err, sizeof(err));
		if (b->err == NULL && rc != 0)
			fail_msg("%s: rc %d, want 0", b->name, rc);
		if (b->err != NULL && (rc != -1 || strstr(err, b->err) == NULL))
			fail_msg("%s: rc %d \"%s\", want \"%s\"", b->name, rc,
			    err, b->err);
	}
}

/* The UDP checksum frame_build writes verifies (RFC 768 / RFC 8200 8.1). */
static void
test_udp_checksum(void **state)
{
	uint8_t buf[BUFSZ];
	uint32_t sum = 0;
	size_t len, i, alen, ip;
	int v;

	(void)state;
	for (v = 0; v < 2; v++) {
		int af = v == 0 ? AF_INET6 : AF_INET;

		len = packet(af, PKT_T_UDP, buf);
		alen = af == AF_INET6 ? 16 : 4;
		ip = af == AF_INET6 ? 40 : 20;
		sum = 0;
		for (i = 0; i < 2 * alen; i += 2)	/* src and dst */
			sum += (uint32_t)(buf[ip - 2 * alen + i] << 8 |
			    buf[ip - 2 * alen + i + 1]);
		sum += (uint32_t)(len - ip) + 17;
		for (i = ip; i + 1 < len; i += 2)
			sum += (uint32_t)(buf[i] << 8 | buf[i + 1]);
		if (i < len)
			sum += (uint32_t)buf[i] << 8;
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		assert_int_equal(sum, 0xffff);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_not_mh),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_udp_checksum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
