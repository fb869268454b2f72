/*
 * stamp: STAMP codec, stateless reflector and sender session (cats/stamp.h,
 * docs/probe.md).
 *
 * Both packets have a fixed layout, so each is one table of fields (width
 * and the struct member it goes to); one loop decodes and one encodes, so
 * the two cannot disagree on an offset.  The rules a value must meet are
 * in one function per packet, shared by the decoder and the encoder.
 *
 * What RFC 8762 asks of a receiver, and where it is done:
 *   4.2.1, 4.3.1  MBZ "MUST be all zeroed on the transmission and MUST be
 *                 ignored on receipt": enc_fields writes zeros, dec_fields
 *                 skips them unread;
 *   4.3           the reflected packet is "symmetric to the packet
 *                 received from the Session-Sender copying the content
 *                 beyond the size of the base STAMP packet": the octets
 *                 after 44 are kept as a view and sent back (stamp_reflect);
 *   4.6           a reflector "will transmit the base packet ... if it
 *                 receives a packet smaller than the STAMP base packet" (a
 *                 TWAMP-Light sender's): a test packet is taken from 14
 *                 octets on, the MBZ it lacks read as absent, and the reply
 *                 is the 44-octet base packet;
 *   4.3.1         "In the stateless mode, the Session-Reflector copies the
 *                 value from the received STAMP-Test packet's Sequence
 *                 Number field": stamp_reflect.
 */
#include <stddef.h>
#include <string.h>

#include "cats/buf.h"
#include "cats/stamp.h"

#define NS_PER_S	1000000000ull
#define LOW32		0xffffffffull
#define FRAC_HALF	0x80000000ull	/* half of one ns in 2^-32 s units */
#define WIN_MASK	((uint64_t)STAMP_WIN_MAX - 1)

_Static_assert((STAMP_WIN_MAX & (STAMP_WIN_MAX - 1)) == 0 &&
    STAMP_WIN_MAX % 64 == 0, "STAMP_WIN_MAX: a power of two, 64 or more");
/* In time, the one-way delay is at most half the deadline, and that must
 * pass cats_sample_check's range for CATS_M_OWD (10^10 ns). */
_Static_assert(STAMP_DEADLINE_MAX_MS * 1000000ull / 2 <= 10000000000ull,
    "STAMP_DEADLINE_MAX_MS: a one-way delay beyond the metric's range");

/* ------------------------------------------------------------------ */
/* The two layouts                                                      */

enum fkind { F_U8, F_U16, F_U32, F_U64, F_MBZ };

struct field {
	uint8_t		 kind;
	uint8_t		 len;	/* octets on the wire */
	uint16_t	 off;	/* offsetof the member; unused for F_MBZ */
};

#define FT(k, n, m)	{ k, n, (uint16_t)offsetof(struct stamp_test, m) }
#define FR(k, n, m)	{ k, n, (uint16_t)offsetof(struct stamp_reply, m) }
#define MBZ(n)		{ F_MBZ, n, 0 }

/* RFC 8762 4.2.1, Figure 2. */
static const struct field test_fields[] = {
	FT(F_U32, 4, seq),
	FT(F_U64, 8, ts),
	FT(F_U16, 2, errest),
	MBZ(30),
};

/* RFC 8762 4.3.1, Figure 5. */
static const struct field reply_fields[] = {
	FR(F_U32, 4, seq),
	FR(F_U64, 8, ts),
	FR(F_U16, 2, errest),
	MBZ(2),
	FR(F_U64, 8, rx_ts),
	FR(F_U32, 4, sender_seq),
	FR(F_U64, 8, sender_ts),
	FR(F_U16, 2, sender_errest),
	MBZ(2),
	FR(F_U8, 1, sender_ttl),
	MBZ(3),
};

struct layout {
	const struct field	*f;
	size_t			 nf;
	size_t			 min_len;	/* where the last field read ends */
};

static const struct layout test_layout = {
	test_fields, sizeof(test_fields) / sizeof(test_fields[0]),
	STAMP_TEST_MIN_LEN,
};

static const struct layout reply_layout = {
	reply_fields, sizeof(reply_fields) / sizeof(reply_fields[0]),
	STAMP_REPLY_MIN_LEN,
};

/* Reads every field into m.  An MBZ field is skipped unread, and one cut
 * short by the end of a short packet is no error (RFC 8762 4.6). */
static void
dec_fields(struct cur *c, const struct layout *l, void *m)
{
	uint8_t *b = m;
	size_t i, n;

	for (i = 0; i < l->nf; i++) {
		void *p = b + l->f[i].off;

		switch (l->f[i].kind) {
		case F_U8:
			cur_u8(c, p);
			break;
		case F_U16:
			cur_u16(c, p);
			break;
		case F_U32:
			cur_u32(c, p);
			break;
		case F_U64:
			cur_u64(c, p);
			break;
		default:
			n = l->f[i].len;
			cur_skip(c, n < cur_left(c) ? n : cur_left(c));
			break;
		}
	}
}

static void
enc_fields(struct wbuf *w, const struct layout *l, const void *m)
{
	const uint8_t *b = m;
	size_t i;

	for (i = 0; i < l->nf; i++) {
		const void *p = b + l->f[i].off;

		switch (l->f[i].kind) {
		case F_U8:
			wb_u8(w, *(const uint8_t *)p);
			break;
		case F_U16:
			wb_u16(w, *(const uint16_t *)p);
			break;
		case F_U32:
			wb_u32(w, *(const uint32_t *)p);
			break;
		case F_U64:
			wb_u64(w, *(const uint64_t *)p);
			break;
		default:
			wb_zero(w, l->f[i].len);
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Field rules shared by the decoders and the encoders                 */

/* RFC 8186 2.3: with Z set a timestamp is PTPv2 truncated, whose second
 * half counts nanoseconds. */
static enum stamp_err
ts_valid(uint64_t ts, uint16_t errest)
{
	if ((errest & STAMP_EE_Z) && (ts & LOW32) >= NS_PER_S)
		return STAMP_E_PTP_NSEC;
	return STAMP_OK;
}

/* RFC 4656 4.1.2: "Multiplier MUST NOT be set to zero.  If Multiplier is
 * zero, the packet SHOULD be considered corrupt and discarded." */
static enum stamp_err
errest_valid(uint16_t errest)
{
	return STAMP_EE_MULT(errest) == 0 ? STAMP_E_MULTIPLIER : STAMP_OK;
}

static enum stamp_err
test_valid(const struct stamp_test *m)
{
	enum stamp_err e;

	if ((e = errest_valid(m->errest)) != STAMP_OK)
		return e;
	return ts_valid(m->ts, m->errest);
}

/* The reflector's own Error Estimate covers its two timestamps (RFC 8762
 * 4.3.1).  The Session-Sender fields are copies, the sender's to judge:
 * the session matches them against what it sent. */
static enum stamp_err
reply_valid(const struct stamp_reply *m)
{
	enum stamp_err e;

	if ((e = errest_valid(m->errest)) != STAMP_OK)
		return e;
	if ((e = ts_valid(m->ts, m->errest)) != STAMP_OK)
		return e;
	return ts_valid(m->rx_ts, m->errest);
}

/* ------------------------------------------------------------------ */
/* Decoders and encoders                                               */

static enum stamp_err
decode(const struct layout *l, const uint8_t *buf, size_t len, void *m,
    const uint8_t **pad, size_t *pad_len)
{
	struct cur c;

	if (len < l->min_len)
		return STAMP_E_SHORT;
	cur_init(&c, buf, len);
	dec_fields(&c, l, m);
	if (c.err)		/* min_len covers every field read */
		return STAMP_E_SHORT;
	*pad_len = cur_left(&c);
	cur_view(&c, pad, *pad_len);
	if (*pad_len == 0)
		*pad = NULL;
	return STAMP_OK;
}

enum stamp_err
stamp_decode_test(const uint8_t *buf, size_t len, struct stamp_test *m)
{
	enum stamp_err e;

	memset(m, 0, sizeof(*m));
	if ((e = decode(&test_layout, buf, len, m, &m->pad, &m->pad_len)) !=
	    STAMP_OK)
		return e;
	return test_valid(m);
}

enum stamp_err
stamp_decode_reply(const uint8_t *buf, size_t len, struct stamp_reply *m)
{
	enum stamp_err e;

	memset(m, 0, sizeof(*m));
	if ((e = decode(&reply_layout, buf, len, m, &m->pad, &m->pad_len)) !=
	    STAMP_OK)
		return e;
	return reply_valid(m);
}

static enum stamp_err
encode(const struct layout *l, const void *m, const uint8_t *pad,
    size_t pad_len, uint8_t *buf, size_t cap, size_t *len)
{
	struct wbuf w;

	wb_init(&w, buf, cap);
	enc_fields(&w, l, m);
	wb_bytes(&w, pad, pad_len);
	if (!wb_ok(&w))
		return STAMP_E_NOSPACE;
	*len = w.len;
	return STAMP_OK;
}

enum stamp_err
stamp_encode_test(const struct stamp_test *m, uint8_t *buf, size_t cap,
    size_t *len)
{
	enum stamp_err e;

	if ((e = test_valid(m)) != STAMP_OK)
		return e;
	return encode(&test_layout, m, m->pad, m->pad_len, buf, cap, len);
}

enum stamp_err
stamp_encode_reply(const struct stamp_reply *m, uint8_t *buf, size_t cap,
    size_t *len)
{
	enum stamp_err e;

	if ((e = reply_valid(m)) != STAMP_OK)
		return e;
	return encode(&reply_layout, m, m->pad, m->pad_len, buf, cap, len);
}

static const char *const err_tab[STAMP_E__COUNT] = {
	[STAMP_OK] = "ok",
	[STAMP_E_SHORT] = "too short",
	[STAMP_E_MULTIPLIER] = "error estimate multiplier is 0",
	[STAMP_E_PTP_NSEC] = "PTP timestamp nanoseconds >= 10^9",
	[STAMP_E_NOSPACE] = "output buffer too small",
};

const char *
stamp_strerror(enum stamp_err e)
{
	return (unsigned)e < STAMP_E__COUNT ? err_tab[e] : "unknown error";
}

/* ------------------------------------------------------------------ */
/* The stateless reflector                                             */

void
stamp_reflect(const struct stamp_test *t, uint64_t rx_ts, uint64_t tx_ts,
    uint16_t errest, uint8_t ttl, struct stamp_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->seq = t->seq;		/* 4.3.1, stateless: the sender's */
	out->ts = tx_ts;
	out->errest = errest;
	out->rx_ts = rx_ts;
	/* 4.3.1: "copies of the corresponding fields in the STAMP-Test
	 * packet sent by the Session-Sender"; the TTL is "the copy of the
	 * TTL field in IPv4 (or Hop Limit in IPv6)" as received. */
	out->sender_seq = t->seq;
	out->sender_ts = t->ts;
	out->sender_errest = t->errest;
	out->sender_ttl = ttl;
	/* 4.3: symmetric size, the content beyond the base packet copied;
	 * a short (TWAMP-Light) packet has none and gets the base (4.6). */
	out->pad = t->pad;
	out->pad_len = t->pad_len;
}

/* ------------------------------------------------------------------ */
/* Error Estimate and timestamps                                       */

uint16_t
stamp_errest(bool sync, bool ptp, unsigned scale, unsigned mult)
{
	return (uint16_t)((sync ? STAMP_EE_S : 0) | (ptp ? STAMP_EE_Z : 0) |
	    (scale & 0x3f) << 8 | (mult & 0xff));
}

/* RFC 4656 4.1.2: Multiplier * 2^(-32) * 2^Scale seconds. */
uint64_t
stamp_errest_ns(uint16_t errest)
{
	uint64_t m = STAMP_EE_MULT(errest) * NS_PER_S;
	unsigned scale = STAMP_EE_SCALE(errest), k;

	if (scale < 32) {
		k = 32 - scale;
		return (m + (1ull << (k - 1))) >> k;
	}
	k = scale - 32;
	return m > (UINT64_MAX >> k) ? UINT64_MAX : m << k;
}

/* 2^-32 s units to ns, to the nearest. */
static uint64_t
units_to_ns(uint64_t u)
{
	return (u >> 32) * NS_PER_S + (((u & LOW32) * NS_PER_S + FRAC_HALF) >> 32);
}

/* Nanoseconds within a second to 2^-32 s, to the nearest: below 10^9 ns
 * this stays below 2^32, so there is no carry into the seconds. */
static uint64_t
ns_to_frac(uint64_t ns)
{
	return ((ns << 32) + NS_PER_S / 2) / NS_PER_S;
}

uint64_t
stamp_ntp_from_ns(uint64_t ns)
{
	return ((ns / NS_PER_S) & LOW32) << 32 | ns_to_frac(ns % NS_PER_S);
}

uint64_t
stamp_ntp_to_ns(uint64_t ntp)
{
	return units_to_ns(ntp);
}

/* RFC 5905 6: era 0 began 1900-01-01; the seconds field wraps into era 1
 * in 2036, which the mask does. */
uint64_t
stamp_ntp_from_unix_ns(uint64_t unix_ns)
{
	uint64_t s = unix_ns / NS_PER_S + STAMP_NTP_UNIX_OFFSET;

	return (s & LOW32) << 32 | ns_to_frac(unix_ns % NS_PER_S);
}

uint64_t
stamp_ptp_from_ns(uint64_t ns)
{
	return ((ns / NS_PER_S) & LOW32) << 32 | ns % NS_PER_S;
}

bool
stamp_ptp_to_ns(uint64_t ptp, uint64_t *ns)
{
	if ((ptp & LOW32) >= NS_PER_S)
		return false;
	*ns = (ptp >> 32) * NS_PER_S + (ptp & LOW32);
	return true;
}

int64_t
stamp_ts_diff_ns(uint64_t later, uint64_t earlier, uint16_t errest)
{
	uint64_t d, ds;

	if (errest & STAMP_EE_Z) {
		/* seconds mod 2^32, taken as the nearer way round */
		ds = ((later >> 32) - (earlier >> 32)) & LOW32;
		return (ds >= 0x80000000ull ? (int64_t)ds - (1ll << 32) :
		    (int64_t)ds) * (int64_t)NS_PER_S +
		    ((int64_t)(later & LOW32) - (int64_t)(earlier & LOW32));
	}
	/* NTP: the difference mod 2^64 is right across an era boundary */
	d = later - earlier;
	if (d >> 63)
		return -(int64_t)units_to_ns(~d + 1);
	return (int64_t)units_to_ns(d);
}

/* ------------------------------------------------------------------ */
/* The sender session                                                  */

/*
 * What the session measures (docs/probe.md):
 *
 * One-way delay: half the round trip less the reflector's residence
 * (take_reply); the mean over the replies of the report window.
 *
 * Delay variation: the mean absolute IPDV of the window.  IPDV (RFC 3393
 * 2.4, RFC 5481 1) is the difference between the one-way delays of a
 * selected pair of packets; the selection here is consecutive packets in
 * sending order (sequence numbers n and n + 1, both answered in time; a
 * pair with a lost packet has no IPDV, RFC 3393 4.1, and is skipped),
 * and the statistic is the mean of |IPDV|.  Why this one: it is
 * a mean over exactly the report window, which is what CATS_STAT_MEAN with
 * the window's length claims, and it is exact and testable.  RFC 3550
 * 6.4.1's interarrival jitter estimates the same mean |D|, but as a
 * running filter (gain 1/16) that remembers earlier windows, and it
 * pairs packets in arrival order, so reordering reads as jitter.  PDV
 * (RFC 5481: delay above the window's minimum) suits buffer sizing;
 * the selector wants how much a path's delay moves from packet to packet.
 * The delays are halved round trips, so this is the variation of both
 * directions together, halved.
 *
 * Loss: the fraction of the last N probes whose deadline has passed
 * (settled) that got no reply in time, in parts per 10^9.  A probe is
 * settled once: lost, or not.  Probes still in flight are not counted
 * either way, so a path that just went silent shows up one deadline later.
 */

/* Each reason's counter and name, in one row. */
static const struct {
	const char	*name;
	size_t		 cnt;	/* offsetof in struct stamp_counters */
} rx_tab[STAMP_RX__COUNT] = {
	[STAMP_RX_OK] = { "ok", offsetof(struct stamp_counters, replies) },
	[STAMP_RX_LATE] = { "late", offsetof(struct stamp_counters, late) },
	[STAMP_RX_DUPLICATE] = { "duplicate",
	    offsetof(struct stamp_counters, duplicate) },
	[STAMP_RX_UNKNOWN] = { "unknown",
	    offsetof(struct stamp_counters, unknown) },
	[STAMP_RX_STALE] = { "stale", offsetof(struct stamp_counters, stale) },
	[STAMP_RX_MALFORMED] = { "malformed",
	    offsetof(struct stamp_counters, malformed) },
};

const char *
stamp_rx_name(enum stamp_rx r)
{
	return (unsigned)r < STAMP_RX__COUNT ? rx_tab[r].name : "?";
}

static enum stamp_rx
count(struct stamp_sess *s, enum stamp_rx r)
{
	uint64_t *c = (uint64_t *)((uint8_t *)&s->cnt + rx_tab[r].cnt);

	(*c)++;
	return r;
}

static bool
pow2(uint32_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

void
stamp_sess_cfg_default(struct stamp_sess_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->loss_window = 64;
	c->deadline_ms = 1000;
	c->errest = STAMP_EE_UNSYNC;
	c->first_seq = 0;
}

bool
stamp_sess_cfg_valid(const struct stamp_sess_cfg *c)
{
	return pow2(c->loss_window) && c->loss_window <= STAMP_WIN_MAX &&
	    c->deadline_ms >= 1 && c->deadline_ms <= STAMP_DEADLINE_MAX_MS &&
	    errest_valid(c->errest) == STAMP_OK;
}

bool
stamp_sess_init(struct stamp_sess *s, const struct stamp_sess_cfg *c,
    uint64_t now_ns)
{
	if (!stamp_sess_cfg_valid(c))
		return false;
	memset(s, 0, sizeof(*s));
	s->cfg = *c;
	s->next_seq = c->first_seq;
	s->start_ns = s->win_start_ns = now_ns;
	return true;
}

static uint64_t
deadline_ns(const struct stamp_sess *s)
{
	return (uint64_t)s->cfg.deadline_ms * 1000000;
}

static struct stamp_slot *
slot_of(struct stamp_sess *s, uint64_t ord)
{
	return &s->slot[ord & WIN_MASK];
}

static bool
bit_get(const uint64_t *b, uint64_t ord)
{
	uint64_t i = ord & WIN_MASK;

	return (b[i / 64] >> (i % 64)) & 1;
}

static void
bit_put(uint64_t *b, uint64_t ord, bool on)
{
	uint64_t i = ord & WIN_MASK, m = 1ull << (i % 64);

	b[i / 64] = on ? b[i / 64] | m : b[i / 64] & ~m;
}

/* Probe ordinal ord is still remembered: sent, and its slot not reused. */
static bool
in_ring(const struct stamp_sess *s, uint64_t ord)
{
	return ord < s->nsent && s->nsent - ord <= STAMP_WIN_MAX;
}

/*
 * The ordinal of the probe that carried seq, if it is one of the last
 * STAMP_WIN_MAX sent.  Sequence numbers wrap at 2^32 (RFC 8762 4.2.1: a
 * four-octet field incremented with each packet): the distance back from
 * the newest is taken mod 2^32.
 */
static bool
ord_of(const struct stamp_sess *s, uint32_t seq, uint64_t *ord)
{
	uint32_t back = s->next_seq - 1u - seq;

	if (back >= s->nsent || back >= STAMP_WIN_MAX)
		return false;
	*ord = s->nsent - 1 - back;
	return true;
}

/* The oldest unsettled probe is lost or not, for good. */
static void
settle_one(struct stamp_sess *s)
{
	if (!bit_get(s->answered, s->settled))
		s->cnt.lost++;
	s->settled++;
}

/* Settle every probe whose deadline passed by now.  Send times never go
 * back (stamp_sess_probe), so these are a prefix of the unsettled. */
static void
settle(struct stamp_sess *s, uint64_t now)
{
	const struct stamp_slot *sl;

	while (s->settled < s->nsent) {
		sl = slot_of(s, s->settled);
		if (now <= sl->sent_ns || now - sl->sent_ns <= deadline_ns(s))
			return;
		settle_one(s);
	}
}

uint32_t
stamp_sess_probe(struct stamp_sess *s, uint64_t now_ns, uint64_t ts,
    struct stamp_test *out)
{
	struct stamp_slot *sl;
	uint32_t seq = s->next_seq;
	uint64_t low = s->start_ns;

	settle(s, now_ns);
	/* The slot goes to this probe: the one it held, STAMP_WIN_MAX back,
	 * is settled now whatever its deadline, as a reply to it could no
	 * longer be matched. */
	while (s->nsent >= STAMP_WIN_MAX &&
	    s->settled <= s->nsent - STAMP_WIN_MAX)
		settle_one(s);
	if (s->nsent > 0 && slot_of(s, s->nsent - 1)->sent_ns > low)
		low = slot_of(s, s->nsent - 1)->sent_ns;
	sl = slot_of(s, s->nsent);
	sl->sent_ns = now_ns > low ? now_ns : low;
	sl->ts = ts;
	sl->owd_ns = 0;
	bit_put(s->answered, s->nsent, false);
	bit_put(s->seen, s->nsent, false);
	s->nsent++;
	s->next_seq++;
	s->cnt.sent++;
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->seq = seq;
		out->ts = ts;
		out->errest = s->cfg.errest;
	}
	return seq;
}

/* A delay-variation pair: probes a and a + 1, both answered in time. */
static void
pair(struct stamp_sess *s, uint64_t a)
{
	uint64_t x, y;

	if (!in_ring(s, a) || !in_ring(s, a + 1) ||
	    !bit_get(s->answered, a) || !bit_get(s->answered, a + 1))
		return;
	x = slot_of(s, a)->owd_ns;
	y = slot_of(s, a + 1)->owd_ns;
	s->win_pairs++;
	s->win_dv_sum += x > y ? x - y : y - x;
}

/*
 * A reply in time.  Round trip = (receive - send) - (reflector transmit -
 * reflector receive); the one-way delay is half of it.  Each difference
 * is between two readings of one clock, so neither needs the other host's
 * time.  A negative residence (the reflector's clock stepped between its
 * two readings) is taken as none; one longer than the round trip (its
 * clock runs fast) leaves a delay of 0.
 */
static void
take_reply(struct stamp_sess *s, const struct stamp_reply *r, uint64_t rx,
    uint64_t ord)
{
	struct stamp_slot *sl = slot_of(s, ord);
	uint64_t rtt = rx - sl->sent_ns;
	int64_t res = stamp_ts_diff_ns(r->ts, r->rx_ts, r->errest);

	if (res < 0)
		res = 0;
	rtt = (uint64_t)res >= rtt ? 0 : rtt - (uint64_t)res;
	sl->owd_ns = rtt / 2;
	bit_put(s->answered, ord, true);
	s->win_replies++;
	s->win_owd_sum += sl->owd_ns;
	/* The pairs this reply completes, whichever arrived first: in
	 * sending order, so that reordering does not count as variation. */
	if (ord > 0)
		pair(s, ord - 1);
	pair(s, ord);
}

enum stamp_rx
stamp_sess_reply(struct stamp_sess *s, const struct stamp_reply *r,
    uint64_t rx_ns)
{
	const struct stamp_slot *sl;
	uint64_t ord;

	if (rx_ns < s->start_ns)
		return count(s, STAMP_RX_STALE);
	if (!ord_of(s, r->sender_seq, &ord))
		return count(s, STAMP_RX_UNKNOWN);
	sl = slot_of(s, ord);
	/* Our number but not our timestamp (4.3.1: the reflector copies
	 * it): a probe of an earlier session, before a restart; or a reply
	 * that predates the probe it names. */
	if (r->sender_ts != sl->ts || rx_ns < sl->sent_ns)
		return count(s, STAMP_RX_STALE);
	if (bit_get(s->seen, ord))
		return count(s, STAMP_RX_DUPLICATE);
	bit_put(s->seen, ord, true);
	/* Past its deadline, or settled as lost by an earlier call. */
	settle(s, rx_ns);
	if (ord < s->settled)
		return count(s, STAMP_RX_LATE);
	take_reply(s, r, rx_ns, ord);
	return count(s, STAMP_RX_OK);
}

enum stamp_rx
stamp_sess_input(struct stamp_sess *s, const uint8_t *buf, size_t len,
    uint64_t rx_ns)
{
	struct stamp_reply r;

	if (stamp_decode_reply(buf, len, &r) != STAMP_OK)
		return count(s, STAMP_RX_MALFORMED);
	return stamp_sess_reply(s, &r, rx_ns);
}

void
stamp_sess_malformed(struct stamp_sess *s)
{
	count(s, STAMP_RX_MALFORMED);
}

/* Loss over the last N settled probes still remembered. */
static void
loss_stats(struct stamp_sess *s, struct stamp_stats *st)
{
	uint64_t hi = s->settled, lo = 0, o;

	if (hi > s->cfg.loss_window)
		lo = hi - s->cfg.loss_window;
	if (s->nsent > STAMP_WIN_MAX && lo < s->nsent - STAMP_WIN_MAX)
		lo = s->nsent - STAMP_WIN_MAX;
	if (lo >= hi)
		return;
	for (o = lo; o < hi; o++)
		if (!bit_get(s->answered, o))
			st->lost++;
	st->probes = (uint32_t)(hi - lo);
	st->loss_ppb = (double)st->lost * 1e9 / st->probes;
	st->oldest_ns = slot_of(s, lo)->sent_ns;
}

void
stamp_sess_stats(struct stamp_sess *s, uint64_t now_ns, struct stamp_stats *st)
{
	memset(st, 0, sizeof(*st));
	settle(s, now_ns);
	st->replies = s->win_replies;
	if (st->replies > 0)
		st->owd_ns = (double)s->win_owd_sum / (double)st->replies;
	st->pairs = s->win_pairs;
	if (st->pairs > 0)
		st->dv_ns = (double)s->win_dv_sum / (double)st->pairs;
	loss_stats(s, st);
}

/* A mean needs a window of at least 1 ms, and at most a day
 * (cats_sample_check); partial milliseconds round up. */
static uint32_t
window_ms(uint64_t from, uint64_t to)
{
	uint64_t d = to > from ? to - from : 0;
	uint64_t ms = d / 1000000 + (d % 1000000 != 0);

	if (ms < 1)
		return 1;
	return ms > STAMP_WINDOW_MAX_MS ? STAMP_WINDOW_MAX_MS : (uint32_t)ms;
}

size_t
stamp_sess_report(struct stamp_sess *s, uint64_t now_ns,
    struct cats_sample out[STAMP_SAMPLES_MAX])
{
	struct stamp_stats st;
	uint32_t w = window_ms(s->win_start_ns, now_ns);
	size_t n = 0;

	stamp_sess_stats(s, now_ns, &st);
	if (st.replies > 0)
		out[n++] = (struct cats_sample){ CATS_M_OWD, CATS_STAT_MEAN, w,
		    st.owd_ns };
	if (st.pairs > 0)
		out[n++] = (struct cats_sample){ CATS_M_DELAY_VAR,
		    CATS_STAT_MEAN, w, st.dv_ns };
	/* Loss is reported with no reply at all: that is when it is 10^9. */
	if (st.probes > 0)
		out[n++] = (struct cats_sample){ CATS_M_LOSS, CATS_STAT_MEAN,
		    window_ms(st.oldest_ns, now_ns), st.loss_ppb };
	s->win_start_ns = now_ns;
	s->win_replies = s->win_owd_sum = 0;
	s->win_pairs = s->win_dv_sum = 0;
	return n;
}
