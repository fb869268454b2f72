/*
 * Tests of the STAMP prober core (cats/stamp.h): both packets laid out by
 * hand from RFC 8762 4.2.1 (Figure 2) and 4.3.1 (Figure 5), encoded and
 * compared byte for byte, decoded and compared field by field; what the
 * decoders take liberally (RFC 8762 4.6, MBZ ignored on receipt) and a
 * table of named malformed packets; the stateless reflector; NTP and PTP
 * conversions with their rounding; and the sender session with synthetic
 * times: constant delay, a known jitter pattern, k of N lost, duplicates,
 * late replies, reordering, the sequence number wrap, a residence longer
 * than the round trip, empty windows, stale replies, the ring's limit.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/stamp.h"
#include "testutil.h"

#define MS	1000000ull
#define T0	(1000 * MS)		/* the sessions start here */
#define PTP1	0x4001			/* S=0 Z=1 Scale 0 Multiplier 1 */

/* RFC 8762 4.2.1, Figure 2: a Session-Sender test packet. */
static const char test_hex[] =
	"00000005"			/* Sequence Number */
	"e9a1b2c3 80000000"		/* Timestamp, NTP: ... + 0.5 s */
	"8c01"				/* Error Estimate: S=1 Z=0 Scale 12 Mult 1 */
	"0000 00000000 00000000 00000000 00000000 00000000 00000000 00000000";
					/* MBZ, 30 octets */

/* RFC 8762 4.3.1, Figure 5: the stateless reflector's reply to it. */
static const char reply_hex[] =
	"00000005"			/* Sequence Number: the sender's (stateless) */
	"e9a1b2c3 c0000000"		/* Timestamp (transmit), + 0.75 s */
	"0c01"				/* Error Estimate: S=0 Z=0 Scale 12 Mult 1 */
	"0000"				/* MBZ */
	"e9a1b2c3 a0000000"		/* Receive Timestamp, + 0.625 s */
	"00000005"			/* Session-Sender Sequence Number */
	"e9a1b2c3 80000000"		/* Session-Sender Timestamp */
	"8c01"				/* Session-Sender Error Estimate */
	"0000"				/* MBZ */
	"3e"				/* Ses-Sender TTL: 62 */
	"000000";			/* MBZ */

static size_t
hex(const char *h, uint8_t *b, size_t cap)
{
	size_t n = hex2bin(h, b, cap);

	assert_true(n != (size_t)-1);
	return n;
}

static void
test_test_bytes(void **state)
{
	uint8_t want[64], out[64];
	struct stamp_test m = { .seq = 5, .ts = 0xe9a1b2c380000000ull,
		.errest = 0x8c01 }, d;
	size_t n, len = 0;

	(void)state;
	n = hex(test_hex, want, sizeof(want));
	assert_int_equal(n, STAMP_BASE_LEN);
	assert_int_equal(stamp_encode_test(&m, out, sizeof(out), &len),
	    STAMP_OK);
	assert_int_equal(len, n);
	assert_memory_equal(out, want, n);
	assert_int_equal(stamp_decode_test(want, n, &d), STAMP_OK);
	assert_int_equal(d.seq, 5);
	assert_true(d.ts == 0xe9a1b2c380000000ull);
	assert_int_equal(d.errest, 0x8c01);
	assert_true(d.errest & STAMP_EE_S);
	assert_false(d.errest & STAMP_EE_Z);
	assert_int_equal(STAMP_EE_SCALE(d.errest), 12);
	assert_int_equal(STAMP_EE_MULT(d.errest), 1);
	assert_null(d.pad);
	assert_int_equal(d.pad_len, 0);
}

static void
test_reply_bytes(void **state)
{
	uint8_t want[64], out[64];
	struct stamp_reply m = {
		.seq = 5, .ts = 0xe9a1b2c3c0000000ull, .errest = 0x0c01,
		.rx_ts = 0xe9a1b2c3a0000000ull, .sender_seq = 5,
		.sender_ts = 0xe9a1b2c380000000ull, .sender_errest = 0x8c01,
		.sender_ttl = 62,
	}, d;
	size_t n, len = 0;

	(void)state;
	n = hex(reply_hex, want, sizeof(want));
	assert_int_equal(n, STAMP_BASE_LEN);
	assert_int_equal(stamp_encode_reply(&m, out, sizeof(out), &len),
	    STAMP_OK);
	assert_int_equal(len, n);
	assert_memory_equal(out, want, n);
	assert_int_equal(stamp_decode_reply(want, n, &d), STAMP_OK);
	assert_int_equal(d.seq, 5);
	assert_true(d.ts == 0xe9a1b2c3c0000000ull);
	assert_int_equal(d.errest, 0x0c01);
	assert_true(d.rx_ts == 0xe9a1b2c3a0000000ull);
	assert_int_equal(d.sender_seq, 5);
	assert_true(d.sender_ts == 0xe9a1b2c380000000ull);
	assert_int_equal(d.sender_errest, 0x8c01);
	assert_int_equal(d.sender_ttl, 62);
	assert_int_equal(d.pad_len, 0);
	/* the residence these two timestamps state: 0.125 s */
	assert_int_equal(stamp_ts_diff_ns(d.ts, d.rx_ts, d.errest), 125 * MS);
}

/* RFC 8762 4.3: the reply is symmetric, the content beyond the base
 * packet copied; 4.3.1: the sequence number copied (stateless). */
static void
test_reflect(void **state)
{
	uint8_t in[64], want[64], out[64];
	struct stamp_test t;
	struct stamp_reply r;
	size_t n, wn, len = 0;

	(void)state;
	n = hex(test_hex, in, sizeof(in));
	memcpy(in + n, "\xde\xad\xbe\xef", 4);
	n += 4;
	assert_int_equal(stamp_decode_test(in, n, &t), STAMP_OK);
	assert_int_equal(t.pad_len, 4);
	assert_ptr_equal(t.pad, in + STAMP_BASE_LEN);
	stamp_reflect(&t, 0xe9a1b2c3a0000000ull, 0xe9a1b2c3c0000000ull,
	    0x0c01, 62, &r);
	assert_int_equal(stamp_encode_reply(&r, out, sizeof(out), &len),
	    STAMP_OK);
	wn = hex(reply_hex, want, sizeof(want));
	memcpy(want + wn, "\xde\xad\xbe\xef", 4);
	wn += 4;
	assert_int_equal(len, wn);
	assert_int_equal(len, n);
	assert_memory_equal(out, want, wn);
	/* no room for the padding */
	assert_int_equal(stamp_encode_reply(&r, out, wn - 1, &len),
	    STAMP_E_NOSPACE);
}

/* RFC 8762 4.6: a TWAMP-Light sender's 14-octet packet (RFC 5357 4.1.2,
 * no padding) is taken and answered with the 44-octet base packet. */
static void
test_reflect_twamp_light(void **state)
{
	uint8_t in[16], out[64];
	struct stamp_test t;
	struct stamp_reply r, d;
	size_t n, len = 0;

	(void)state;
	n = hex("00000007 e9a1b2c3 80000000 8c01", in, sizeof(in));
	assert_int_equal(n, STAMP_TEST_MIN_LEN);
	assert_int_equal(stamp_decode_test(in, n, &t), STAMP_OK);
	assert_int_equal(t.seq, 7);
	assert_int_equal(t.errest, 0x8c01);
	assert_int_equal(t.pad_len, 0);
	stamp_reflect(&t, 1, 2, 0x0c01, 255, &r);
	assert_int_equal(stamp_encode_reply(&r, out, sizeof(out), &len),
	    STAMP_OK);
	assert_int_equal(len, STAMP_BASE_LEN);
	assert_int_equal(stamp_decode_reply(out, len, &d), STAMP_OK);
	assert_int_equal(d.seq, 7);
	assert_int_equal(d.sender_seq, 7);
	assert_true(d.sender_ts == 0xe9a1b2c380000000ull);
	assert_int_equal(d.sender_ttl, 255);
	assert_true(d.rx_ts == 1 && d.ts == 2);
}

/* What the decoders take: MBZ is "ignored on receipt" (4.2.1, 4.3.1), a
 * reply ends after Ses-Sender TTL at the earliest, and the Session-Sender
 * fields of a reply are copies, not checked. */
static void
test_liberal(void **state)
{
	uint8_t b[64], out[64];
	struct stamp_test t;
	struct stamp_reply r;
	size_t n, len = 0;

	(void)state;
	n = hex(test_hex, b, sizeof(b));
	memset(b + 14, 0xff, 30);
	assert_int_equal(stamp_decode_test(b, n, &t), STAMP_OK);
	assert_int_equal(t.seq, 5);
	assert_int_equal(t.pad_len, 0);
	/* and zeroed on the way out */
	assert_int_equal(stamp_encode_test(&t, out, sizeof(out), &len),
	    STAMP_OK);
	hex(test_hex, b, sizeof(b));
	assert_memory_equal(out, b, STAMP_BASE_LEN);

	n = hex(reply_hex, b, sizeof(b));
	b[14] = b[15] = 0xff;		/* MBZ after Error Estimate */
	b[38] = b[39] = 0xff;		/* MBZ after Session-Sender EE */
	b[41] = b[42] = b[43] = 0xff;	/* MBZ after TTL */
	b[37] = 0x00;			/* Session-Sender Multiplier 0 */
	assert_int_equal(stamp_decode_reply(b, n, &r), STAMP_OK);
	assert_int_equal(r.sender_errest, 0x8c00);
	assert_int_equal(r.sender_ttl, 62);
	assert_int_equal(stamp_decode_reply(b, STAMP_REPLY_MIN_LEN, &r),
	    STAMP_OK);
	assert_int_equal(r.sender_ttl, 62);
	assert_int_equal(r.pad_len, 0);
	/* PTP: 999999999 ns is the largest valid nanoseconds field */
	n = hex("00000001 00000001 3b9ac9ff 4001", b, sizeof(b));
	assert_int_equal(stamp_decode_test(b, n, &t), STAMP_OK);
}

struct bad {
	const char	*name;
	bool		 reply;		/* decode as a reply, else a test packet */
	const char	*hex;
	enum stamp_err	 err;
};

#define RP_TAIL	"00000005 e9a1b2c3 80000000 8c01 0000 3e 000000"

static const struct bad bad[] = {
	{ "test-empty", false, "", STAMP_E_SHORT },
	{ "test-13", false, "00000005 e9a1b2c3 80000000 8c", STAMP_E_SHORT },
	{ "test-multiplier-0", false, "00000005 e9a1b2c3 80000000 8c00",
	  STAMP_E_MULTIPLIER },
	{ "test-ptp-1e9-ns", false, "00000005 00000001 3b9aca00 4001",
	  STAMP_E_PTP_NSEC },
	{ "reply-empty", true, "", STAMP_E_SHORT },
	{ "reply-40", true, "00000005 e9a1b2c3 c0000000 0c01 0000 "
	  "e9a1b2c3 a0000000 00000005 e9a1b2c3 80000000 8c01 0000",
	  STAMP_E_SHORT },
	{ "reply-test-packet", true, "00000005 e9a1b2c3 80000000 8c01",
	  STAMP_E_SHORT },
	{ "reply-multiplier-0", true, "00000005 e9a1b2c3 c0000000 0c00 0000 "
	  "e9a1b2c3 a0000000 " RP_TAIL, STAMP_E_MULTIPLIER },
	{ "reply-ptp-ts", true, "00000005 00000002 3b9aca00 4001 0000 "
	  "00000001 00000000 " RP_TAIL, STAMP_E_PTP_NSEC },
	{ "reply-ptp-rx-ts", true, "00000005 00000002 00000000 4001 0000 "
	  "00000001 ffffffff " RP_TAIL, STAMP_E_PTP_NSEC },
};

static void
test_decode_errors(void **state)
{
	uint8_t b[64];
	struct stamp_test t;
	struct stamp_reply r;
	enum stamp_err e;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = hex(bad[i].hex, b, sizeof(b));
		e = bad[i].reply ? stamp_decode_reply(b, n, &r) :
		    stamp_decode_test(b, n, &t);
		if (e != bad[i].err)
			fail_msg("%s: got %s, want %s", bad[i].name,
			    stamp_strerror(e), stamp_strerror(bad[i].err));
	}
}

static void
test_encode_errors(void **state)
{
	uint8_t out[64];
	struct stamp_test t = { .seq = 1, .ts = 2, .errest = 0x0c01 };
	struct stamp_reply r = { .errest = 0x0c01 };
	size_t len = 0;

	(void)state;
	assert_int_equal(stamp_encode_test(&t, out, 43, &len), STAMP_E_NOSPACE);
	assert_int_equal(stamp_encode_test(&t, out, 44, &len), STAMP_OK);
	assert_int_equal(stamp_encode_reply(&r, out, 43, &len),
	    STAMP_E_NOSPACE);
	/* RFC 4656 4.1.2: "Multiplier MUST NOT be set to zero" */
	t.errest = 0x0c00;
	assert_int_equal(stamp_encode_test(&t, out, sizeof(out), &len),
	    STAMP_E_MULTIPLIER);
	r.errest = 0x8000;
	assert_int_equal(stamp_encode_reply(&r, out, sizeof(out), &len),
	    STAMP_E_MULTIPLIER);
	t.errest = PTP1;
	t.ts = 0x000000013b9aca00ull;
	assert_int_equal(stamp_encode_test(&t, out, sizeof(out), &len),
	    STAMP_E_PTP_NSEC);
	r.errest = PTP1;
	r.rx_ts = 0x00000001ffffffffull;
	assert_int_equal(stamp_encode_reply(&r, out, sizeof(out), &len),
	    STAMP_E_PTP_NSEC);
}

/* RFC 5905 6: 32 bits of seconds, 32 of fraction; both ways to the
 * nearest. */
static void
test_ntp(void **state)
{
	(void)state;
	assert_true(stamp_ntp_from_ns(0) == 0);
	assert_true(stamp_ntp_from_ns(500 * MS) == 0x80000000ull);
	assert_true(stamp_ntp_from_ns(1250 * MS) == 0x0000000140000000ull);
	/* 1 ns = 4.294967296 units: 4; and 4 units = 0.93 ns: 1 */
	assert_true(stamp_ntp_from_ns(1) == 4);
	assert_true(stamp_ntp_to_ns(4) == 1);
	/* 0.23, 0.47 and 0.70 ns */
	assert_true(stamp_ntp_to_ns(1) == 0);
	assert_true(stamp_ntp_to_ns(2) == 0);
	assert_true(stamp_ntp_to_ns(3) == 1);
	/* 999999999 ns = 4294967291.7 units: 0xfffffffc, and back */
	assert_true(stamp_ntp_from_ns(999999999) == 0xfffffffcull);
	assert_true(stamp_ntp_to_ns(0xfffffffcull) == 999999999);
	/* within half a ns of the next second: rounds into it */
	assert_true(stamp_ntp_to_ns(0xffffffffull) == 1000 * MS);
	assert_true(stamp_ntp_to_ns(0x0000000180000000ull) == 1500 * MS);
	/* 2^-9 s is a whole number of ns: exact both ways */
	assert_true(stamp_ntp_from_ns(1953125) == 0x00800000ull);
	assert_true(stamp_ntp_to_ns(0x00800000ull) == 1953125);
	/* the Unix epoch in era 0; era 1 begins 2036-02-07 06:28:16 UTC */
	assert_true(stamp_ntp_from_unix_ns(0) == 0x83aa7e8000000000ull);
	assert_true(stamp_ntp_from_unix_ns(2085978496ull * 1000 * MS) == 0);
	assert_true(stamp_ntp_from_unix_ns(2085978497500ull * MS) ==
	    0x0000000180000000ull);
	/* a difference across the era boundary, both ways */
	assert_int_equal(stamp_ts_diff_ns(0x0000000100000000ull,
	    0xffffffff80000000ull, 0x0c01), 1500 * MS);
	assert_int_equal(stamp_ts_diff_ns(0xffffffff80000000ull,
	    0x0000000100000000ull, 0x0c01), -(int64_t)(1500 * MS));
	assert_int_equal(stamp_ts_diff_ns(5, 5, 0x0c01), 0);
}

/* RFC 8186 2.3: PTPv2 truncated, 32 bits of seconds, 32 of ns. */
static void
test_ptp(void **state)
{
	uint64_t ns = 0;

	(void)state;
	assert_true(stamp_ptp_from_ns(1500 * MS) == 0x000000011dcd6500ull);
	assert_true(stamp_ptp_to_ns(0x000000011dcd6500ull, &ns));
	assert_true(ns == 1500 * MS);
	assert_false(stamp_ptp_to_ns(0x000000003b9aca00ull, &ns));
	assert_true(stamp_ptp_to_ns(0x000000003b9ac9ffull, &ns));
	assert_true(ns == 999999999);
	/* across the 2^32 s wrap: 4294967295.999999999 s to 0.000000001 s */
	assert_int_equal(stamp_ts_diff_ns(0x0000000000000001ull,
	    0xffffffff3b9ac9ffull, PTP1), 2);
	assert_int_equal(stamp_ts_diff_ns(0xffffffff3b9ac9ffull,
	    0x0000000000000001ull, PTP1), -2);
	assert_int_equal(stamp_ts_diff_ns(stamp_ptp_from_ns(7 * MS),
	    stamp_ptp_from_ns(1002 * MS), PTP1), -(int64_t)(995 * MS));
}

/* RFC 4656 4.1.2: Multiplier * 2^(Scale - 32) s. */
static void
test_errest(void **state)
{
	(void)state;
	assert_int_equal(stamp_errest(true, false, 12, 1), 0x8c01);
	assert_int_equal(stamp_errest(false, true, 0, 1), PTP1);
	assert_int_equal(stamp_errest(false, false, 63, 255), STAMP_EE_UNSYNC);
	assert_true(stamp_errest_ns(stamp_errest(false, false, 32, 1)) ==
	    1000 * MS);
	assert_true(stamp_errest_ns(stamp_errest(false, false, 33, 3)) ==
	    6000 * MS);
	/* 2^-20 s = 953.67 ns */
	assert_true(stamp_errest_ns(0x8c01) == 954);
	assert_true(stamp_errest_ns(stamp_errest(false, false, 0, 1)) == 0);
	assert_true(stamp_errest_ns(STAMP_EE_UNSYNC) == UINT64_MAX);
}

/* ------------------------------------------------------------------ */
/* The session                                                         */

static void
sess(struct stamp_sess *s, uint32_t n, uint32_t deadline_ms, uint32_t first)
{
	struct stamp_sess_cfg c;

	stamp_sess_cfg_default(&c);
	c.loss_window = n;
	c.deadline_ms = deadline_ms;
	c.first_seq = first;
	assert_true(stamp_sess_init(s, &c, T0));
}

/* What the probe sent at t carries: distinct per probe. */
static uint64_t
ts_of(uint64_t t)
{
	return stamp_ntp_from_ns(t);
}

static uint32_t
probe(struct stamp_sess *s, uint64_t t)
{
	struct stamp_test m;
	uint32_t seq = stamp_sess_probe(s, t, ts_of(t), &m);

	assert_int_equal(m.seq, seq);
	assert_true(m.ts == ts_of(t));
	assert_int_equal(m.errest, STAMP_EE_UNSYNC);
	return seq;
}

/* The reply to the probe (seq, sent at sent) received at rx, with the
 * reflector's residence res ns, its timestamps in PTP (exact in ns). */
static enum stamp_rx
reply(struct stamp_sess *s, uint32_t seq, uint64_t sent, uint64_t rx,
    uint64_t res)
{
	struct stamp_reply r = {
		.seq = seq, .errest = PTP1, .sender_seq = seq,
		.sender_ts = ts_of(sent), .sender_errest = STAMP_EE_UNSYNC,
		.sender_ttl = 64,
	};

	r.rx_ts = stamp_ptp_from_ns(5000 * MS);
	r.ts = stamp_ptp_from_ns(5000 * MS + res);
	return stamp_sess_reply(s, &r, rx);
}

/* A reply showing a one-way delay of owd ms, no residence. */
static void
answer(struct stamp_sess *s, uint32_t seq, uint64_t sent, uint64_t owd_ms)
{
	assert_int_equal(reply(s, seq, sent, sent + 2 * owd_ms * MS, 0),
	    STAMP_RX_OK);
}

/* A report, checked as the C-PS will check it; the sample of id, or
 * NULL. */
static size_t
report(struct stamp_sess *s, uint64_t now, struct cats_sample *out)
{
	size_t n = stamp_sess_report(s, now, out);

	assert_true(n <= STAMP_SAMPLES_MAX);
	if (n > 0)
		assert_int_equal(cats_samples_check(out, n, CATS_MK_NETWORK),
		    CATS_MERR_OK);
	return n;
}

static const struct cats_sample *
find(const struct cats_sample *s, size_t n, enum cats_metric_id id)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].id == id)
			return &s[i];
	return NULL;
}

static void
test_sess_cfg(void **state)
{
	struct stamp_sess_cfg c;

	(void)state;
	stamp_sess_cfg_default(&c);
	assert_true(stamp_sess_cfg_valid(&c));
	assert_int_equal(c.loss_window, 64);
	c.loss_window = 0;
	assert_false(stamp_sess_cfg_valid(&c));
	c.loss_window = 48;
	assert_false(stamp_sess_cfg_valid(&c));
	c.loss_window = STAMP_WIN_MAX * 2;
	assert_false(stamp_sess_cfg_valid(&c));
	c.loss_window = STAMP_WIN_MAX;
	assert_true(stamp_sess_cfg_valid(&c));
	c.deadline_ms = 0;
	assert_false(stamp_sess_cfg_valid(&c));
	c.deadline_ms = STAMP_DEADLINE_MAX_MS + 1;
	assert_false(stamp_sess_cfg_valid(&c));
	c.deadline_ms = STAMP_DEADLINE_MAX_MS;
	assert_true(stamp_sess_cfg_valid(&c));
	c.errest = 0x3f00;		/* Multiplier 0 */
	assert_false(stamp_sess_cfg_valid(&c));
}

/* Ten probes 100 ms apart, each back 11 ms later after a residence of
 * 2^-9 s = 1953125 ns (exact in NTP, the format used here): one-way
 * (11000000 - 1953125) / 2 = 4523437.5 ns, floored. */
static void
test_sess_constant(void **state)
{
	static struct stamp_sess s;
	struct stamp_reply r;
	struct stamp_stats st;
	struct cats_sample out[STAMP_SAMPLES_MAX];
	const struct cats_sample *x;
	uint64_t t, now;
	size_t n;

	(void)state;
	sess(&s, 64, 1000, 0);
	for (uint32_t i = 0; i < 10; i++) {
		t = T0 + i * 100 * MS;
		assert_int_equal(probe(&s, t), i);
		memset(&r, 0, sizeof(r));
		r.seq = r.sender_seq = i;
		r.sender_ts = ts_of(t);
		r.errest = 0x0c01;	/* NTP */
		r.rx_ts = stamp_ntp_from_ns(5000 * MS);
		r.ts = stamp_ntp_from_ns(5000 * MS + 1953125);
		assert_int_equal(stamp_sess_reply(&s, &r, t + 11 * MS),
		    STAMP_RX_OK);
	}
	now = T0 + 1900 * MS + 1;
	stamp_sess_stats(&s, now, &st);
	assert_int_equal(st.replies, 10);
	assert_true(st.owd_ns == 4523437);
	assert_int_equal(st.pairs, 9);
	assert_true(st.dv_ns == 0);
	assert_int_equal(st.probes, 10);
	assert_int_equal(st.lost, 0);
	assert_true(st.loss_ppb == 0);
	n = report(&s, now, out);
	assert_int_equal(n, 3);
	x = find(out, n, CATS_M_OWD);
	assert_non_null(x);
	assert_int_equal(x->stat, CATS_STAT_MEAN);
	assert_int_equal(x->window_ms, 1901);	/* 1900 ms and 1 ns, rounded up */
	assert_true(x->value == 4523437);
	x = find(out, n, CATS_M_DELAY_VAR);
	assert_non_null(x);
	assert_true(x->value == 0);
	x = find(out, n, CATS_M_LOSS);
	assert_non_null(x);
	assert_int_equal(x->window_ms, 1901);
	assert_true(x->value == 0);
	assert_true(s.cnt.sent == 10 && s.cnt.replies == 10 && s.cnt.lost == 0);
}

/* One-way delays 10, 12, 9, 9, 15 ms: consecutive differences 2, 3, 0, 6,
 * mean 2.75 ms; mean delay 11 ms. */
static void
test_sess_jitter(void **state)
{
	static struct stamp_sess s;
	static const uint64_t owd[] = { 10, 12, 9, 9, 15 };
	struct cats_sample out[STAMP_SAMPLES_MAX];
	const struct cats_sample *x;
	uint64_t t;
	size_t n;

	(void)state;
	sess(&s, 64, 1000, 0);
	for (uint32_t i = 0; i < 5; i++) {
		t = T0 + i * 20 * MS;
		probe(&s, t);
		answer(&s, i, t, owd[i]);
	}
	/* 500 ms in: no deadline has passed, no loss sample yet */
	n = report(&s, T0 + 500 * MS, out);
	assert_int_equal(n, 2);
	x = find(out, n, CATS_M_OWD);
	assert_true(x != NULL && x->value == 11e6 && x->window_ms == 500);
	x = find(out, n, CATS_M_DELAY_VAR);
	assert_true(x != NULL && x->value == 2750000 && x->window_ms == 500);
	assert_null(find(out, n, CATS_M_LOSS));
}

/* N = 8: of probes 8..15 three go unanswered (9, 12, 14); 2 is lost too,
 * but by then outside the last 8. */
static void
test_sess_loss(void **state)
{
	static struct stamp_sess s;
	struct stamp_stats st;
	struct cats_sample out[STAMP_SAMPLES_MAX];
	const struct cats_sample *x;
	uint64_t t;
	size_t n;

	(void)state;
	sess(&s, 8, 1000, 0);
	for (uint32_t i = 0; i < 16; i++) {
		t = T0 + i * 100 * MS;
		probe(&s, t);
		if (i != 2 && i != 9 && i != 12 && i != 14)
			answer(&s, i, t, 5);
	}
	/* probes 0..10 settled: the last 8 are 3..10, of which 9 is lost */
	stamp_sess_stats(&s, T0 + 2000 * MS + 1, &st);
	assert_int_equal(st.probes, 8);
	assert_int_equal(st.lost, 1);
	assert_true(st.loss_ppb == 125000000);
	assert_true(st.oldest_ns == T0 + 300 * MS);
	/* all settled: 8..15, three lost */
	n = report(&s, T0 + 2500 * MS + 1, out);
	x = find(out, n, CATS_M_LOSS);
	assert_non_null(x);
	assert_true(x->value == 375000000);
	assert_int_equal(x->stat, CATS_STAT_MEAN);
	assert_int_equal(x->window_ms, 1701);	/* since probe 8 was sent */
	assert_true(s.cnt.lost == 4 && s.cnt.sent == 16 && s.cnt.replies == 12);
	/* a delay pair needs both probes: 0-1, 3-4 ... 7-8, 10-11 */
	assert_int_equal(s.win_pairs, 0);	/* the report started anew */
	assert_true(find(out, n, CATS_M_DELAY_VAR)->value == 0);
}

static void
test_sess_duplicate(void **state)
{
	static struct stamp_sess s;
	struct stamp_stats st;

	(void)state;
	sess(&s, 64, 1000, 0);
	probe(&s, T0);
	probe(&s, T0 + 10 * MS);
	answer(&s, 0, T0, 4);
	/* the same reply again, and one showing another delay */
	assert_int_equal(reply(&s, 0, T0, T0 + 8 * MS, 0), STAMP_RX_DUPLICATE);
	assert_int_equal(reply(&s, 0, T0, T0 + 30 * MS, 0),
	    STAMP_RX_DUPLICATE);
	answer(&s, 1, T0 + 10 * MS, 6);
	stamp_sess_stats(&s, T0 + 100 * MS, &st);
	assert_int_equal(st.replies, 2);
	assert_true(st.owd_ns == 5e6);
	assert_int_equal(st.pairs, 1);
	assert_true(st.dv_ns == 2e6);
	assert_true(s.cnt.duplicate == 2 && s.cnt.replies == 2);
}

/* Deadline 50 ms: at 50 ms in time, after it late (and its probe lost);
 * a duplicate of a late reply is a duplicate; and a reply for a probe an
 * earlier report already settled as lost is late, whatever its time. */
static void
test_sess_late(void **state)
{
	static struct stamp_sess s;
	struct cats_sample out[STAMP_SAMPLES_MAX];
	const struct cats_sample *x;
	size_t n;

	(void)state;
	sess(&s, 64, 50, 0);
	probe(&s, T0);
	probe(&s, T0 + 10 * MS);
	probe(&s, T0 + 20 * MS);
	assert_int_equal(reply(&s, 0, T0, T0 + 50 * MS, 0), STAMP_RX_OK);
	assert_int_equal(reply(&s, 1, T0 + 10 * MS, T0 + 60 * MS + 1, 0),
	    STAMP_RX_LATE);
	assert_int_equal(reply(&s, 1, T0 + 10 * MS, T0 + 61 * MS, 0),
	    STAMP_RX_DUPLICATE);
	n = report(&s, T0 + 100 * MS, out);
	assert_int_equal(n, 2);		/* one delay, no pair, loss */
	x = find(out, n, CATS_M_OWD);
	assert_true(x != NULL && x->value == 25e6);
	x = find(out, n, CATS_M_LOSS);
	assert_non_null(x);
	assert_true(fabs(x->value - 2e9 / 3) < 1);	/* 1 and 2 of 3 lost */
	assert_int_equal(reply(&s, 2, T0 + 20 * MS, T0 + 30 * MS, 0),
	    STAMP_RX_LATE);
	assert_true(s.cnt.late == 2 && s.cnt.lost == 2 && s.cnt.replies == 1);
	/* nothing arrived in the new window, and the late replies add no
	 * delay: loss only */
	n = report(&s, T0 + 200 * MS, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].id, CATS_M_LOSS);
}

/* Delays by sequence number 10, 16, 10, 16, 10 ms; sent 1 ms apart they
 * arrive as 0, 2, 4, 1, 3.  In sending order every difference is 6 ms;
 * in arrival order (10, 10, 10, 16, 16) the mean would be 1.5 ms. */
static void
test_sess_reorder(void **state)
{
	static struct stamp_sess s;
	static const uint64_t owd[] = { 10, 16, 10, 16, 10 };
	static const uint32_t order[] = { 0, 2, 4, 1, 3 };
	struct stamp_stats st;
	uint32_t i, k;

	(void)state;
	sess(&s, 64, 1000, 0);
	for (i = 0; i < 5; i++)
		probe(&s, T0 + i * MS);
	for (i = 0; i < 5; i++) {
		k = order[i];
		answer(&s, k, T0 + k * MS, owd[k]);
		if (i == 2) {	/* 0, 2, 4 answered: no consecutive pair yet */
			stamp_sess_stats(&s, T0 + 25 * MS, &st);
			assert_int_equal(st.pairs, 0);
		}
	}
	stamp_sess_stats(&s, T0 + 40 * MS, &st);
	assert_int_equal(st.pairs, 4);
	assert_true(st.dv_ns == 6e6);
	assert_true(st.owd_ns == 12.4e6);
}

/* RFC 8762 4.2.1: a four-octet sequence number; across 2^32. */
static void
test_sess_wrap(void **state)
{
	static struct stamp_sess s;
	static const uint64_t owd[] = { 10, 12, 10, 12 };
	static const uint32_t order[] = { 2, 0, 3, 1 };
	struct stamp_stats st;
	uint32_t i, k, seq[4];

	(void)state;
	sess(&s, 64, 1000, 0xfffffffeu);
	for (i = 0; i < 4; i++)
		seq[i] = probe(&s, T0 + i * 10 * MS);
	assert_true(seq[0] == 0xfffffffeu && seq[1] == 0xffffffffu &&
	    seq[2] == 0 && seq[3] == 1);
	for (i = 0; i < 4; i++) {
		k = order[i];
		answer(&s, seq[k], T0 + k * 10 * MS, owd[k]);
	}
	/* never sent: the next number, and the one before the first */
	assert_int_equal(reply(&s, 2, T0, T0 + 50 * MS, 0), STAMP_RX_UNKNOWN);
	assert_int_equal(reply(&s, 0xfffffffdu, T0, T0 + 50 * MS, 0),
	    STAMP_RX_UNKNOWN);
	stamp_sess_stats(&s, T0 + 2000 * MS, &st);
	assert_int_equal(st.replies, 4);
	assert_true(st.owd_ns == 11e6);
	assert_int_equal(st.pairs, 3);
	assert_true(st.dv_ns == 2e6);
	assert_int_equal(st.probes, 4);
	assert_int_equal(st.lost, 0);
	assert_true(s.cnt.unknown == 2);
}

/* A reflector that says it held the packet 12 ms of a 10 ms round trip:
 * delay 0, not negative; one whose transmit precedes its receive time
 * (its clock stepped): residence taken as none. */
static void
test_sess_residence(void **state)
{
	static struct stamp_sess s;
	struct stamp_reply r = { .errest = PTP1, .sender_seq = 1 };
	struct cats_sample out[STAMP_SAMPLES_MAX];
	const struct cats_sample *x;
	size_t n;

	(void)state;
	sess(&s, 64, 1000, 0);
	probe(&s, T0);
	probe(&s, T0 + 100 * MS);
	assert_int_equal(reply(&s, 0, T0, T0 + 10 * MS, 12 * MS), STAMP_RX_OK);
	r.sender_ts = ts_of(T0 + 100 * MS);
	r.rx_ts = stamp_ptp_from_ns(7000 * MS);
	r.ts = stamp_ptp_from_ns(6999 * MS);
	assert_int_equal(stamp_sess_reply(&s, &r, T0 + 110 * MS), STAMP_RX_OK);
	n = report(&s, T0 + 200 * MS, out);
	x = find(out, n, CATS_M_OWD);
	assert_non_null(x);
	assert_true(x->value == 2.5e6);		/* (0 + 5 ms) / 2 */
	x = find(out, n, CATS_M_DELAY_VAR);
	assert_true(x != NULL && x->value == 5e6);
}

/* Nothing to say: at the start, and while the only probe is in flight;
 * then its deadline passes unanswered: loss 10^9 and no delay. */
static void
test_sess_empty(void **state)
{
	static struct stamp_sess s;
	struct cats_sample out[STAMP_SAMPLES_MAX];

	(void)state;
	sess(&s, 64, 1000, 0);
	assert_int_equal(report(&s, T0, out), 0);
	assert_int_equal(report(&s, T0 + 1000 * MS, out), 0);
	probe(&s, T0 + 1000 * MS);
	assert_int_equal(report(&s, T0 + 2000 * MS, out), 0);
	assert_int_equal(report(&s, T0 + 2000 * MS + 1, out), 1);
	assert_int_equal(out[0].id, CATS_M_LOSS);
	assert_true(out[0].value == 1e9);
	assert_int_equal(out[0].window_ms, 1001);
	assert_true(s.cnt.lost == 1 && s.cnt.replies == 0);
}

/* From before the session: received before it started, or carrying our
 * sequence number but another timestamp (a probe of an earlier session),
 * or received before its probe left. */
static void
test_sess_stale(void **state)
{
	static struct stamp_sess s;
	struct stamp_reply r = { .errest = PTP1, .sender_seq = 0 };

	(void)state;
	sess(&s, 64, 1000, 0);
	assert_int_equal(reply(&s, 0, T0, T0 + 5 * MS, 0), STAMP_RX_UNKNOWN);
	probe(&s, T0 + 10 * MS);
	assert_int_equal(reply(&s, 0, T0 + 10 * MS, T0 - 1, 0),
	    STAMP_RX_STALE);
	r.sender_ts = ts_of(T0 + 10 * MS) + 1;
	assert_int_equal(stamp_sess_reply(&s, &r, T0 + 20 * MS),
	    STAMP_RX_STALE);
	assert_int_equal(reply(&s, 0, T0 + 10 * MS, T0 + 9 * MS, 0),
	    STAMP_RX_STALE);
	/* and the genuine reply still counts */
	assert_int_equal(reply(&s, 0, T0 + 10 * MS, T0 + 20 * MS, 0),
	    STAMP_RX_OK);
	assert_true(s.cnt.stale == 3 && s.cnt.unknown == 1 &&
	    s.cnt.replies == 1);
}

/* More probes in flight than the ring holds: the oldest are settled as
 * lost when their slots are reused, and a reply to one is unknown. */
static void
test_sess_ring(void **state)
{
	static struct stamp_sess s;
	struct stamp_stats st;
	uint32_t i, n = STAMP_WIN_MAX + 76;

	(void)state;
	sess(&s, 64, STAMP_DEADLINE_MAX_MS, 0);
	for (i = 0; i < n; i++)
		probe(&s, T0 + i * MS);
	assert_true(s.cnt.lost == 76);
	assert_int_equal(reply(&s, 75, T0 + 75 * MS, T0 + n * MS, 0),
	    STAMP_RX_UNKNOWN);
	assert_int_equal(reply(&s, 76, T0 + 76 * MS, T0 + n * MS, 0),
	    STAMP_RX_OK);
	/* the forced ones are out of the ring: nothing else settled yet */
	stamp_sess_stats(&s, T0 + n * MS, &st);
	assert_int_equal(st.probes, 0);
	stamp_sess_stats(&s, T0 + 20077 * MS, &st);
	assert_int_equal(st.probes, 1);		/* 76, answered */
	assert_int_equal(st.lost, 0);
}

/* stamp_sess_input: bytes in, decoded and fed. */
static void
test_sess_input(void **state)
{
	static struct stamp_sess s;
	struct stamp_test t;
	struct stamp_reply r;
	uint8_t b[64];
	size_t len = 0;

	(void)state;
	sess(&s, 64, 1000, 0);
	stamp_sess_probe(&s, T0, stamp_ntp_from_unix_ns(1700000000ull *
	    1000 * MS), &t);
	stamp_reflect(&t, stamp_ntp_from_ns(1000), stamp_ntp_from_ns(1000),
	    0x0c01, 63, &r);
	assert_int_equal(stamp_encode_reply(&r, b, sizeof(b), &len), STAMP_OK);
	assert_int_equal(stamp_sess_input(&s, b, 40, T0 + MS),
	    STAMP_RX_MALFORMED);
	b[13] = 0;			/* the reflector's Multiplier */
	assert_int_equal(stamp_sess_input(&s, b, len, T0 + MS),
	    STAMP_RX_MALFORMED);
	b[13] = 1;
	assert_int_equal(stamp_sess_input(&s, b, len, T0 + MS), STAMP_RX_OK);
	stamp_sess_malformed(&s);
	assert_true(s.cnt.malformed == 3 && s.cnt.replies == 1);
}

static void
test_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < STAMP_E__COUNT; i++)
		assert_non_null(stamp_strerror((enum stamp_err)i));
	assert_string_equal(stamp_strerror(STAMP_E_SHORT), "too short");
	assert_string_equal(stamp_strerror(STAMP_E__COUNT), "unknown error");
	for (i = 0; i < STAMP_RX__COUNT; i++)
		assert_non_null(stamp_rx_name((enum stamp_rx)i));
	assert_string_equal(stamp_rx_name(STAMP_RX_LATE), "late");
	assert_string_equal(stamp_rx_name(STAMP_RX__COUNT), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_test_bytes),
		cmocka_unit_test(test_reply_bytes),
		cmocka_unit_test(test_reflect),
		cmocka_unit_test(test_reflect_twamp_light),
		cmocka_unit_test(test_liberal),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_ntp),
		cmocka_unit_test(test_ptp),
		cmocka_unit_test(test_errest),
		cmocka_unit_test(test_sess_cfg),
		cmocka_unit_test(test_sess_constant),
		cmocka_unit_test(test_sess_jitter),
		cmocka_unit_test(test_sess_loss),
		cmocka_unit_test(test_sess_duplicate),
		cmocka_unit_test(test_sess_late),
		cmocka_unit_test(test_sess_reorder),
		cmocka_unit_test(test_sess_wrap),
		cmocka_unit_test(test_sess_residence),
		cmocka_unit_test(test_sess_empty),
		cmocka_unit_test(test_sess_stale),
		cmocka_unit_test(test_sess_ring),
		cmocka_unit_test(test_sess_input),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
