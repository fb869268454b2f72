/*
 * Tests of the Router Advertisement builder and the RS/RA parsers: an RA
 * laid out by hand from RFC 4861 4.2, 4.6.1, 4.6.2 and RFC 4191 2.3 (one
 * PIO; RIOs of /128, /64 and /0, the three option lengths), compared byte
 * for byte and decoded back; valid solicitations; a table of named
 * malformed RS and RA, each with its error and offset; encoder refusals.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/ra.h"
#include "testutil.h"

static const uint8_t pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x5e, 0x01 };
static const uint8_t cafe1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe,
	[15] = 1 };
static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };

/* The client's RA: its /64 (A set, L clear), its service's /128, a /64
 * and a default route, each with its own preference. */
static void
client_ra(struct ra_msg *m, uint32_t lifetime)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->lladdr, mac, 6);
	m->lladdr_len = 6;
	memcpy(m->prefixes[0].addr, pfx, 16);
	m->prefixes[0].len = 64;
	m->prefixes[0].autonomous = true;
	m->prefixes[0].valid_s = m->prefixes[0].preferred_s = lifetime;
	m->nprefixes = 1;
	memcpy(m->routes[0].addr, cafe1, 16);
	m->routes[0].len = 128;
	m->routes[0].pref = RA_PREF_MEDIUM;
	m->routes[0].lifetime_s = lifetime;
	memcpy(m->routes[1].addr, cafe1, 16);	/* host bits cleared on the wire */
	m->routes[1].len = 64;
	m->routes[1].pref = RA_PREF_HIGH;
	m->routes[1].lifetime_s = 1800;
	m->routes[2].len = 0;
	m->routes[2].pref = RA_PREF_LOW;
	m->routes[2].lifetime_s = lifetime;
	m->nroutes = 3;
}

/* RFC 4861 4.2, 4.6.1, 4.6.2; RFC 4191 2.3. */
static const char ra_hex[] =
	/* type 134, code 0, checksum (the kernel's) */
	"86 00 0000"
	/* cur hop limit 0, M=0 O=0 Prf=00, router lifetime 0 */
	"00 00 0000"
	"00000000"			/* reachable time */
	"00000000"			/* retrans timer */
	/* SLLA: type 1, length 1 (8 octets), the Ethernet address */
	"01 01 02005e005301"
	/* PIO: type 3, length 4, /64, L=0 A=1, valid 90, preferred 90,
	 * reserved2, prefix */
	"03 04 40 40 0000005a 0000005a 00000000"
	"20010db85e0100000000000000000000"
	/* RIO: type 24, length 3 (/128 > 64), Prf=00, lifetime 90 */
	"18 03 80 00 0000005a 20010db8cafe00000000000000000001"
	/* RIO: length 2 (/64), Prf=01 high (0x08), lifetime 1800 */
	"18 02 40 08 00000708 20010db8cafe0000"
	/* RIO: length 1 (/0, no prefix octets), Prf=11 low (0x18) */
	"18 01 00 18 0000005a";

static void
test_ra_bytes(void **state)
{
	uint8_t want[256], out[RA_MAX_LEN];
	size_t wlen, len = 0, off = 0;
	struct ra_msg m, d;

	(void)state;
	wlen = hex2bin(ra_hex, want, sizeof(want));
	assert_int_equal(wlen, 104);
	client_ra(&m, 90);
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_OK);
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, wlen);
	assert_int_equal(ra_decode_ra(out, len, 255, &d, &off), RA_OK);
	/* what was sent, host bits of the /64 route aside */
	memset(m.routes[1].addr + 8, 0, 8);
	assert_true(ra_msg_equal(&m, &d));
}

/* The withdrawal: the same options with lifetimes 0 (RFC 4191 3.1: a
 * route lifetime of 0 removes the route). */
static void
test_ra_withdraw(void **state)
{
	uint8_t out[RA_MAX_LEN];
	struct ra_msg m, d;
	size_t len = 0;

	(void)state;
	client_ra(&m, 0);
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_OK);
	/* PIO valid and preferred lifetimes at 28..35 (after the 16-octet
	 * header and the 8-octet SLLA), the /128 RIO's lifetime at 60 */
	assert_memory_equal(out + 28, "\0\0\0\0\0\0\0\0", 8);
	assert_memory_equal(out + 60, "\0\0\0\0", 4);
	assert_int_equal(ra_decode_ra(out, len, 255, &d, NULL), RA_OK);
	assert_int_equal(d.routes[0].lifetime_s, 0);
	assert_int_equal(d.prefixes[0].valid_s, 0);
}

static void
test_rs_valid(void **state)
{
	uint8_t b[64];
	struct ra_rs rs;
	size_t n;

	(void)state;
	/* RFC 4861 4.1: type 133, code 0, checksum, reserved, SLLA */
	n = hex2bin("85 00 1234 00000000 01 01 02005e100001", b, sizeof(b));
	assert_int_equal(ra_decode_rs(b, n, 255, false, &rs, NULL), RA_OK);
	assert_int_equal(rs.lladdr_len, 6);
	assert_memory_equal(rs.lladdr, "\x02\x00\x5e\x10\x00\x01", 6);
	/* from :: without an SLLA; reserved bits set are ignored (4.1) */
	n = hex2bin("85 00 0000 ffffffff", b, sizeof(b));
	assert_int_equal(ra_decode_rs(b, n, 255, true, &rs, NULL), RA_OK);
	assert_int_equal(rs.lladdr_len, 0);
	/* an unknown option, and a PIO (not an RS option), are skipped */
	n = hex2bin("85 00 0000 00000000 c8 01 000000000000 "
	    "03 04 40c0 0000005a 0000005a 00000000 "
	    "20010db85e0100000000000000000000", b, sizeof(b));
	assert_int_equal(ra_decode_rs(b, n, 255, false, &rs, NULL), RA_OK);
}

struct bad {
	const char	*name;
	const char	*hex;
	uint8_t		 hop_limit;
	bool		 src_unspec;
	enum ra_err	 err;
	size_t		 off;
};

/* RFC 4861 6.1.1: what makes a solicitation invalid. */
static const struct bad bad_rs[] = {
	{ "hop-limit-254", "85 00 0000 00000000", 254, false,
	  RA_E_HOPLIMIT, 0 },
	{ "hop-limit-1", "85 00 0000 00000000", 1, false, RA_E_HOPLIMIT, 0 },
	{ "short-7", "85 00 0000 000000", 255, false, RA_E_SHORT, 7 },
	{ "empty", "", 255, false, RA_E_SHORT, 0 },
	{ "type-ra", "86 00 0000 00000000", 255, false, RA_E_TYPE, 0 },
	{ "code-1", "85 01 0000 00000000", 255, false, RA_E_CODE, 1 },
	{ "opt-zero-length", "85 00 0000 00000000 01 00 000000000000", 255,
	  false, RA_E_OPT_ZERO, 9 },
	{ "unknown-opt-zero-length", "85 00 0000 00000000 c8 00", 255, false,
	  RA_E_OPT_ZERO, 9 },
	{ "opt-header-trunc", "85 00 0000 00000000 01", 255, false,
	  RA_E_OPT_TRUNC, 8 },
	{ "opt-body-trunc", "85 00 0000 00000000 01 01 02005e", 255, false,
	  RA_E_OPT_TRUNC, 8 },
	{ "second-opt-trunc", "85 00 0000 00000000 01 01 02005e100001 01 02 "
	  "02005e100001", 255, false, RA_E_OPT_TRUNC, 16 },
	{ "slla-three-units", "85 00 0000 00000000 01 03 "
	  "00000000000000000000000000000000000000000000", 255, false,
	  RA_E_OPT_LEN, 8 },
	{ "slla-from-unspecified", "85 00 0000 00000000 01 01 02005e100001",
	  255, true, RA_E_SLLA_UNSPEC, 8 },
};

static void
test_rs_malformed(void **state)
{
	uint8_t b[128];
	struct ra_rs rs;
	size_t i, n, off;
	enum ra_err e;

	(void)state;
	for (i = 0; i < sizeof(bad_rs) / sizeof(bad_rs[0]); i++) {
		n = hex2bin(bad_rs[i].hex, b, sizeof(b));
		assert_true(n != (size_t)-1);
		off = 9999;
		e = ra_decode_rs(b, n, bad_rs[i].hop_limit, bad_rs[i].src_unspec,
		    &rs, &off);
		if (e != bad_rs[i].err || off != bad_rs[i].off)
			fail_msg("%s: got %s at %zu, want %s at %zu",
			    bad_rs[i].name, ra_strerror(e), off,
			    ra_strerror(bad_rs[i].err), bad_rs[i].off);
	}
}

#define RA_HDR	"86 00 0000 40 00 0000 00000000 00000000 "

/* RFC 4861 6.1.2, 4.6.2; RFC 4191 2.3. */
static const struct bad bad_ra[] = {
	{ "ra-hop-limit", RA_HDR, 64, false, RA_E_HOPLIMIT, 0 },
	{ "ra-short-15", "86 00 0000 40 00 0000 00000000 000000", 255, false,
	  RA_E_SHORT, 15 },
	{ "ra-type-rs", "85 00 0000 40 00 0000 00000000 00000000", 255, false,
	  RA_E_TYPE, 0 },
	{ "pio-length-3", RA_HDR "03 03 40c0 0000005a 0000005a 00000000 "
	  "20010db85e010000", 255, false, RA_E_OPT_LEN, 16 },
	{ "pio-prefix-129", RA_HDR "03 04 81c0 0000005a 0000005a 00000000 "
	  "20010db85e0100000000000000000000", 255, false, RA_E_OPT_VALUE, 16 },
	{ "rio-65-in-length-2", RA_HDR "18 02 41 00 0000005a 20010db8cafe0000",
	  255, false, RA_E_OPT_LEN, 16 },
	{ "rio-1-in-length-1", RA_HDR "18 01 01 00 0000005a", 255, false,
	  RA_E_OPT_LEN, 16 },
	{ "rio-129", RA_HDR "18 03 81 00 0000005a "
	  "20010db8cafe00000000000000000001", 255, false, RA_E_OPT_VALUE, 16 },
	{ "rio-length-4", RA_HDR "18 04 80 00 0000005a "
	  "20010db8cafe00000000000000000001 0000000000000000", 255, false,
	  RA_E_OPT_LEN, 16 },
	{ "mtu-length-2", RA_HDR "05 02 0000 000005dc 0000000000000000", 255,
	  false, RA_E_OPT_LEN, 16 },
	{ "ra-opt-zero", RA_HDR "18 00", 255, false, RA_E_OPT_ZERO, 17 },
};

static void
test_ra_malformed(void **state)
{
	uint8_t b[128];
	struct ra_msg m;
	size_t i, n, off;
	enum ra_err e;

	(void)state;
	for (i = 0; i < sizeof(bad_ra) / sizeof(bad_ra[0]); i++) {
		n = hex2bin(bad_ra[i].hex, b, sizeof(b));
		assert_true(n != (size_t)-1);
		off = 9999;
		e = ra_decode_ra(b, n, bad_ra[i].hop_limit, &m, &off);
		if (e != bad_ra[i].err || off != bad_ra[i].off)
			fail_msg("%s: got %s at %zu, want %s at %zu",
			    bad_ra[i].name, ra_strerror(e), off,
			    ra_strerror(bad_ra[i].err), bad_ra[i].off);
	}
}

/* RFC 4191 2.2, 2.3: reserved preferences on receipt. */
static void
test_ra_reserved_pref(void **state)
{
	uint8_t b[128];
	struct ra_msg m;
	size_t n;

	(void)state;
	/* header Prf=10 (0x10) with lifetime 1800: taken as medium; an RIO
	 * with Prf=10 is ignored; the /128 after it is kept */
	n = hex2bin("86 00 0000 40 10 0708 00000000 00000000 "
	    "18 02 30 10 0000005a 20010db8cafe0000 "
	    "18 03 80 18 0000005a 20010db8cafe00000000000000000001",
	    b, sizeof(b));
	assert_int_equal(ra_decode_ra(b, n, 255, &m, NULL), RA_OK);
	assert_int_equal(m.router_pref, RA_PREF_MEDIUM);
	assert_int_equal(m.router_lifetime_s, 1800);
	assert_int_equal(m.cur_hop_limit, 64);
	assert_int_equal(m.nroutes, 1);
	assert_int_equal(m.routes[0].len, 128);
	assert_int_equal(m.routes[0].pref, RA_PREF_LOW);
	assert_memory_equal(m.routes[0].addr, cafe1, 16);
}

static void
test_encode_errors(void **state)
{
	uint8_t out[RA_MAX_LEN];
	struct ra_msg m;
	size_t len = 0;

	(void)state;
	client_ra(&m, 90);
	assert_int_equal(ra_encode(&m, out, 103, &len), RA_E_NOSPACE);
	assert_int_equal(ra_encode(&m, out, 104, &len), RA_OK);
	/* RFC 4191 2.2: with router lifetime 0 the preference is 00 */
	m.router_pref = RA_PREF_HIGH;
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_E_OPT_VALUE);
	m.router_lifetime_s = 1800;
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_OK);
	assert_int_equal(out[5], 0x08);
	m.router_pref = RA_PREF_RESERVED;
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_E_OPT_VALUE);
	client_ra(&m, 90);
	m.routes[0].pref = RA_PREF_RESERVED;
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_E_OPT_VALUE);
	client_ra(&m, 90);
	m.prefixes[0].len = 129;
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_E_OPT_VALUE);
	client_ra(&m, 90);
	m.nroutes = RA_MAX_ROUTES + 1;
	assert_int_equal(ra_encode(&m, out, sizeof(out), &len), RA_E_OPT_VALUE);
}

/* RFC 4861 6.2.4 and 6.2.1: when the next unsolicited RA goes. */
struct sched_case {
	const char	*name;
	uint32_t	 max_s;
	unsigned	 sent;
	double		 u;
	uint32_t	 want_ms;
};

static void
test_schedule(void **state)
{
	static const struct sched_case cases[] = {
		/* MinRtrAdvInterval 0.33 max to MaxRtrAdvInterval */
		{ "30s-low", 30, 3, 0.0, 9900 },
		{ "30s-high", 30, 3, 1.0, 30000 },
		{ "30s-mid", 30, 3, 0.5, 19950 },
		{ "1800s-high", 1800, 3, 1.0, 1800000 },
		/* the first few: at most 16 s (MAX_INITIAL_RTR_ADVERT_INTERVAL) */
		{ "30s-first", 30, 1, 1.0, 16000 },
		{ "30s-second", 30, 2, 1.0, 16000 },
		{ "30s-first-short", 30, 1, 0.0, 9900 },
		{ "1800s-first", 1800, 1, 0.0, 16000 },
		{ "1800s-none-yet", 1800, 0, 0.5, 16000 },
		/* a chosen interval under 16 s stays */
		{ "10s-first", 10, 1, 1.0, 10000 },
		{ "20s-first-low", 20, 1, 0.0, 6600 },
		/* under 9 s, MinRtrAdvInterval defaults to the maximum */
		{ "4s", 4, 3, 0.0, 4000 },
		{ "8s", 8, 3, 0.7, 8000 },
		{ "9s", 9, 3, 0.0, 2970 },
		/* u out of [0, 1], or NaN, is taken as its bound */
		{ "u-negative", 30, 3, -1.0, 9900 },
		{ "u-over", 30, 3, 7.0, 30000 },
		{ "u-nan", 30, 3, NAN, 9900 },
		{ "huge", UINT32_MAX, 3, 1.0, UINT32_MAX },
	};
	size_t wrong = 0;
	uint32_t t = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sched_case *c = &cases[i];
		uint32_t got = ra_next_delay_ms(c->max_s, c->sent, c->u);

		if (got != c->want_ms) {
			print_message("%s: got %u ms, want %u\n", c->name, got,
			    c->want_ms);
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
	/* a new prefix with interval_s 1800: its first three RAs within
	 * 32 s, the fourth only a round later */
	for (unsigned sent = 1; sent < RA_MAX_INITIAL_ADVERTS; sent++)
		t += ra_next_delay_ms(1800, sent, 1.0);
	assert_int_equal(t, 2 * RA_MAX_INITIAL_INTERVAL_MS);
	assert_true(ra_next_delay_ms(1800, RA_MAX_INITIAL_ADVERTS, 0.0) >
	    RA_MAX_INITIAL_INTERVAL_MS);
}

static void
test_names(void **state)
{
	int e;

	(void)state;
	for (e = 0; e < RA_E__COUNT; e++)
		assert_non_null(ra_strerror((enum ra_err)e));
	assert_string_equal(ra_strerror(RA_E__COUNT), "unknown error");
	assert_string_equal(ra_pref_name(RA_PREF_HIGH), "high");
	assert_null(ra_pref_name(RA_PREF_RESERVED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ra_bytes),
		cmocka_unit_test(test_ra_withdraw),
		cmocka_unit_test(test_rs_valid),
		cmocka_unit_test(test_rs_malformed),
		cmocka_unit_test(test_ra_malformed),
		cmocka_unit_test(test_ra_reserved_pref),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
