/*
 * libFuzzer harness of the STAMP prober core (cats/stamp.h).
 *
 * Codec: the input is decoded as a Session-Sender and as a Session-
 * Reflector packet.  Either decodes or fails with a named error; what
 * decodes re-encodes to 44 octets plus its padding (the input itself when
 * it was 44 or more: MBZ aside) and decodes to the same fields, and the
 * reflection of a test packet encodes and decodes to what was reflected.
 * The timestamp conversions round-trip within their rounding, and the
 * wall clock's agrees with the era's.
 *
 * Session: the input is also a script.  Octet 0 picks the loss window,
 * 1-2 the deadline, 3-6 the first sequence number; then events, each an
 * opcode and a time step (16 bits, in ms when the opcode's top bit is set,
 * else in us): probe (a timestamp follows), reply (to one of the last 16
 * probes or to any number, received up to 65 ms in the past, with a chosen
 * residence, format and timestamp), a datagram, a report.  After
 * every event the counters add up; every report passes cats_samples_check
 * with its loss in 0..10^9.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/buf.h"
#include "cats/stamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_IN		65536
#define RECENT		16
#define MS		1000000ull

static uint8_t out[STAMP_BASE_LEN + MAX_IN];

static bool
test_eq(const struct stamp_test *a, const struct stamp_test *b)
{
	return a->seq == b->seq && a->ts == b->ts && a->errest == b->errest &&
	    a->pad_len == b->pad_len &&
	    (a->pad_len == 0 || memcmp(a->pad, b->pad, a->pad_len) == 0);
}

static bool
reply_eq(const struct stamp_reply *a, const struct stamp_reply *b)
{
	return a->seq == b->seq && a->ts == b->ts && a->errest == b->errest &&
	    a->rx_ts == b->rx_ts && a->sender_seq == b->sender_seq &&
	    a->sender_ts == b->sender_ts &&
	    a->sender_errest == b->sender_errest &&
	    a->sender_ttl == b->sender_ttl && a->pad_len == b->pad_len &&
	    (a->pad_len == 0 || memcmp(a->pad, b->pad, a->pad_len) == 0);
}

/* What was encoded is 44 octets and the padding, and nothing shorter
 * than the input when that had the base packet. */
static void
check_len(size_t len, size_t pad_len, size_t in)
{
	if (len != STAMP_BASE_LEN + pad_len || (in >= STAMP_BASE_LEN &&
	    len != in))
		abort();
}

static void
codec_reply(const uint8_t *d, size_t n)
{
	struct stamp_reply r, r2;
	enum stamp_err e;
	size_t len = 0;

	e = stamp_decode_reply(d, n, &r);
	if ((unsigned)e >= STAMP_E__COUNT)
		abort();
	if (e != STAMP_OK)
		return;
	if (stamp_encode_reply(&r, out, sizeof(out), &len) != STAMP_OK)
		abort();
	check_len(len, r.pad_len, n);
	if (stamp_decode_reply(out, len, &r2) != STAMP_OK || !reply_eq(&r, &r2))
		abort();
	(void)stamp_ts_diff_ns(r.ts, r.rx_ts, r.errest);
	(void)stamp_errest_ns(r.errest);
}

static void
codec_test(const uint8_t *d, size_t n)
{
	struct stamp_test t, t2;
	struct stamp_reply r, r2;
	enum stamp_err e;
	size_t len = 0;

	e = stamp_decode_test(d, n, &t);
	if ((unsigned)e >= STAMP_E__COUNT)
		abort();
	if (e != STAMP_OK)
		return;
	if (stamp_encode_test(&t, out, sizeof(out), &len) != STAMP_OK)
		abort();
	check_len(len, t.pad_len, n);
	if (stamp_decode_test(out, len, &t2) != STAMP_OK || !test_eq(&t, &t2))
		abort();
	/* the reflection, its timestamps taken from the packet's own */
	stamp_reflect(&t, t.ts >> 1, t.ts >> 1, 0x0c01, d[0], &r);
	if (stamp_encode_reply(&r, out, sizeof(out), &len) != STAMP_OK)
		abort();
	check_len(len, t.pad_len, n);
	if (stamp_decode_reply(out, len, &r2) != STAMP_OK || !reply_eq(&r, &r2) ||
	    r2.seq != t.seq || r2.sender_seq != t.seq ||
	    r2.sender_ts != t.ts || r2.sender_errest != t.errest)
		abort();
}

/* NTP both ways: within the rounding of each step, the seconds mod 2^32. */
static void
conversions(uint64_t x)
{
	uint64_t ns = x % (4294967296ull * 1000000000ull), p;
	int64_t d;

	d = (int64_t)(stamp_ntp_from_ns(stamp_ntp_to_ns(x)) - x);
	if (d < -3 || d > 3)
		abort();
	d = (int64_t)(stamp_ntp_to_ns(stamp_ntp_from_ns(ns)) - ns);
	if (d < -1 || d > 1)
		abort();
	if (!stamp_ptp_to_ns(stamp_ptp_from_ns(ns), &p) || p != ns)
		abort();
	if (stamp_ts_diff_ns(x, x, 0) != 0 || stamp_ts_diff_ns(x, x, 0x4000))
		abort();
	/* the wall clock is ns since 1970, 2208988800 s into era 0 */
	if (stamp_ntp_from_unix_ns(ns) != stamp_ntp_from_ns(ns +
	    STAMP_NTP_UNIX_OFFSET * 1000000000ull))
		abort();
	if (stamp_strerror((enum stamp_err)(x % 8)) == NULL ||
	    stamp_rx_name((enum stamp_rx)(x % 8)) == NULL)
		abort();
}

/* ------------------------------------------------------------------ */
/* The session script                                                  */

struct script {
	struct stamp_sess	 s;
	uint64_t		 now;
	uint64_t		 fed;		/* replies and datagrams offered */
	uint64_t		 probes;
	uint32_t		 seq[RECENT];
	uint64_t		 ts[RECENT];
	uint64_t		 sent[RECENT];
};

static void
check_counters(const struct script *x)
{
	const struct stamp_counters *c = &x->s.cnt;

	if (c->replies + c->late + c->duplicate + c->unknown + c->stale +
	    c->malformed != x->fed || c->sent != x->probes ||
	    c->replies + c->lost > c->sent)
		abort();
}

static void
ev_probe(struct script *x, struct cur *c)
{
	struct stamp_test t;
	uint64_t ts;
	uint32_t seq;
	unsigned k = (unsigned)(x->probes % RECENT);

	cur_u64(c, &ts);
	seq = stamp_sess_probe(&x->s, x->now, ts, &t);
	if (t.seq != seq || t.ts != ts || seq != x->s.cfg.first_seq +
	    (uint32_t)x->probes)
		abort();
	x->seq[k] = seq;
	x->ts[k] = ts;
	x->sent[k] = x->now;
	x->probes++;
}

/* k, back (us), residence (ns), flags: 1 PTP, 2 any sequence number,
 * 4 another timestamp, 8 a negative residence. */
static void
ev_reply(struct script *x, struct cur *c)
{
	struct stamp_reply r;
	uint8_t k, flags;
	uint16_t back;
	uint32_t res, any;
	uint64_t base = 7000 * MS, rx;
	enum stamp_rx rc;

	cur_u8(c, &k);
	cur_u16(c, &back);
	cur_u32(c, &res);
	cur_u8(c, &flags);
	cur_u32(c, &any);
	memset(&r, 0, sizeof(r));
	k %= RECENT;
	r.errest = (flags & 1) ? 0x4001 : 0x0c01;
	r.sender_seq = (flags & 2) || x->probes == 0 ? any : x->seq[k];
	r.sender_ts = x->ts[k] ^ ((flags & 4) ? 1 : 0);
	r.rx_ts = (flags & 1) ? stamp_ptp_from_ns(base) : stamp_ntp_from_ns(base);
	rx = (flags & 8) ? base - res : base + res;
	r.ts = (flags & 1) ? stamp_ptp_from_ns(rx) : stamp_ntp_from_ns(rx);
	rx = x->now > back * 1000ull ? x->now - back * 1000ull : 0;
	rc = stamp_sess_reply(&x->s, &r, rx);
	if ((unsigned)rc >= STAMP_RX__COUNT || rc == STAMP_RX_MALFORMED)
		abort();
	x->fed++;
}

/* A datagram: fed whole (stamp_sess_input) or, with bit 0x40 of the
 * opcode, decoded here and counted with stamp_sess_malformed. */
static void
ev_raw(struct script *x, struct cur *c, uint8_t op)
{
	struct stamp_reply r;
	const uint8_t *p;
	enum stamp_rx rc;
	uint8_t n;

	cur_u8(c, &n);
	if (n > cur_left(c))
		n = (uint8_t)cur_left(c);
	cur_view(c, &p, n);
	if (c->err)
		return;
	if (!(op & 0x40))
		rc = stamp_sess_input(&x->s, p, n, x->now);
	else if (stamp_decode_reply(p, n, &r) == STAMP_OK)
		rc = stamp_sess_reply(&x->s, &r, x->now);
	else {
		stamp_sess_malformed(&x->s);
		rc = STAMP_RX_MALFORMED;
	}
	if ((unsigned)rc >= STAMP_RX__COUNT)
		abort();
	x->fed++;
}

static void
ev_report(struct script *x)
{
	struct cats_sample s[STAMP_SAMPLES_MAX];
	struct stamp_stats st;
	size_t n, i;

	stamp_sess_stats(&x->s, x->now, &st);
	if (st.lost > st.probes || st.probes > x->s.cfg.loss_window ||
	    st.loss_ppb < 0 || st.loss_ppb > 1e9 || st.owd_ns < 0 ||
	    st.owd_ns > 1e10 || st.dv_ns < 0 || st.dv_ns > 1e10)
		abort();
	n = stamp_sess_report(&x->s, x->now, s);
	if (n > STAMP_SAMPLES_MAX)
		abort();
	if (n > 0 && cats_samples_check(s, n, CATS_MK_NETWORK) != CATS_MERR_OK)
		abort();
	for (i = 0; i < n; i++)
		if (s[i].id == CATS_M_LOSS && (s[i].value < 0 || s[i].value > 1e9))
			abort();
	if (x->s.win_replies != 0 || x->s.win_pairs != 0)
		abort();
}

static void
session(const uint8_t *d, size_t size)
{
	static struct script x;
	struct stamp_sess_cfg cfg;
	struct cur c;
	uint8_t op, w;
	uint16_t dl, dt;

	cur_init(&c, d, size);
	memset(&x, 0, sizeof(x));
	stamp_sess_cfg_default(&cfg);
	cur_u8(&c, &w);
	cur_u16(&c, &dl);
	cur_u32(&c, &cfg.first_seq);
	cfg.loss_window = 1u << (w % 11);
	cfg.deadline_ms = 1 + dl % STAMP_DEADLINE_MAX_MS;
	x.now = 1000 * MS;
	if (c.err || !stamp_sess_init(&x.s, &cfg, x.now))
		return;
	while (cur_u8(&c, &op) && cur_u16(&c, &dt)) {
		x.now += (op & 0x80) ? dt * MS : dt * 1000ull;
		switch (op & 3) {
		case 0:
			ev_probe(&x, &c);
			break;
		case 1:
			ev_reply(&x, &c);
			break;
		case 2:
			ev_raw(&x, &c, op);
			break;
		default:
			ev_report(&x);
			break;
		}
		check_counters(&x);
	}
	ev_report(&x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v = 0;

	if (size > MAX_IN)
		return 0;
	if (size > 0)
		codec_test(data, size);
	codec_reply(data, size);
	if (size > 0)
		memcpy(&v, data, size < 8 ? size : 8);
	conversions(v);
	session(data, size);
	return 0;
}
