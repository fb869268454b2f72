/*
 * stamp: the sans-I/O core of the path prober (the C-NMA's network metric
 * agent), STAMP in unauthenticated mode (RFC 8762), which is on-wire
 * compatible with TWAMP-Light (RFC 5357 appendix I; RFC 8762 4.6).
 *
 * Three parts, none of which touches a socket or a clock:
 *   - the codec of the Session-Sender test packet (RFC 8762 4.2.1) and of
 *     the Session-Reflector test packet (4.3.1), with the timestamp and
 *     Error Estimate helpers (RFC 5905 6, RFC 4656 4.1.2, RFC 8186 2.3);
 *   - a stateless reflector (RFC 8762 4.3): what to send back for a test
 *     packet;
 *   - a sender session: the probes in flight and the replies of one path,
 *     turned into the network metrics of cats/metric.h (one-way delay,
 *     delay variation, loss) once per report window.
 *
 * The one-way delay is half the round trip less the reflector's residence
 * time: the two clocks need not be synchronised, and nothing here compares
 * a timestamp of one host with one of the other.  docs/probe.md has the
 * formulas and what is left to the daemon.
 */
#ifndef CATS_STAMP_H
#define CATS_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/metric.h"

#define STAMP_PORT		862	/* RFC 8762 4.1: the reflector's default */
#define STAMP_BASE_LEN		44	/* RFC 8762 4.2: both packets, unauthenticated */
#define STAMP_TEST_MIN_LEN	14	/* a TWAMP-Light sender's, RFC 5357 4.1.2 */
#define STAMP_REPLY_MIN_LEN	41	/* through Ses-Sender TTL, RFC 5357 4.2.1 */

/*
 * Error Estimate (RFC 4656 4.1.2; Z from RFC 8186 2.3, RFC 8762 4.2.1):
 *   S (1 bit)  the clock is synchronised to UTC by an external source
 *   Z (1 bit)  0: timestamps are NTP 64-bit (RFC 5905), 1: PTPv2 truncated
 *   Scale (6), Multiplier (8): error = Multiplier * 2^(Scale - 32) s
 */
#define STAMP_EE_S		0x8000
#define STAMP_EE_Z		0x4000
#define STAMP_EE_SCALE(e)	((unsigned)((e) >> 8) & 0x3f)
#define STAMP_EE_MULT(e)	((unsigned)(e) & 0xff)
/* Unsynchronised, NTP format, the largest error the field can state: what
 * a host that does not know its clock's error can honestly say. */
#define STAMP_EE_UNSYNC		0x3fff

/* Seconds from NTP era 0 (1900-01-01, RFC 5905 6) to the Unix epoch. */
#define STAMP_NTP_UNIX_OFFSET	2208988800u

enum stamp_err {
	STAMP_OK,
	STAMP_E_SHORT,		/* shorter than the fields the packet must carry */
	STAMP_E_MULTIPLIER,	/* Error Estimate Multiplier 0 (RFC 4656 4.1.2) */
	STAMP_E_PTP_NSEC,	/* PTP timestamp with nanoseconds >= 10^9 */
	STAMP_E_NOSPACE,	/* encode: output buffer too small */
	STAMP_E__COUNT
};

/* Session-Sender test packet (RFC 8762 4.2.1). */
struct stamp_test {
	uint32_t	 seq;
	uint64_t	 ts;		/* as on the wire: NTP, or PTP with Z */
	uint16_t	 errest;
	/* Octets after the base 44 (decode: a view into the input).  The
	 * reflector sends them back (RFC 8762 4.3: symmetric size). */
	const uint8_t	*pad;
	size_t		 pad_len;
};

/* Session-Reflector test packet (RFC 8762 4.3.1). */
struct stamp_reply {
	uint32_t	 seq;		/* stateless: the sender's, copied */
	uint64_t	 ts;		/* reflector transmit time */
	uint16_t	 errest;	/* of ts and rx_ts, which share its Z */
	uint64_t	 rx_ts;		/* reflector receive time */
	uint32_t	 sender_seq;	/* copies of the test packet's fields */
	uint64_t	 sender_ts;
	uint16_t	 sender_errest;
	uint8_t		 sender_ttl;	/* IPv4 TTL / IPv6 hop limit received */
	const uint8_t	*pad;		/* octets after the base 44 */
	size_t		 pad_len;
};

/*
 * Decoders: STAMP_OK, STAMP_E_SHORT, STAMP_E_MULTIPLIER or
 * STAMP_E_PTP_NSEC.  MBZ octets are ignored and a packet shorter than 44
 * octets but long enough for its fields is taken (RFC 8762 4.6); *m's pad
 * points into buf.
 */
enum stamp_err	 stamp_decode_test(const uint8_t *buf, size_t len,
		    struct stamp_test *m);
enum stamp_err	 stamp_decode_reply(const uint8_t *buf, size_t len,
		    struct stamp_reply *m);
/* Encoders: 44 octets plus the padding, MBZ zeroed; STAMP_E_NOSPACE, or
 * the decoder's error for a value that must not be sent. */
enum stamp_err	 stamp_encode_test(const struct stamp_test *m, uint8_t *buf,
		    size_t cap, size_t *len);
enum stamp_err	 stamp_encode_reply(const struct stamp_reply *m, uint8_t *buf,
		    size_t cap, size_t *len);
const char	*stamp_strerror(enum stamp_err);

/*
 * The stateless reflector (RFC 8762 4.3, 4.3.1): the reply to the test
 * packet t, received at rx_ts and sent at tx_ts (both in the format that
 * errest's Z states), which arrived with IP TTL / hop limit ttl.  out->pad
 * is t->pad: encode the reply before t's buffer goes.
 */
void		 stamp_reflect(const struct stamp_test *t, uint64_t rx_ts,
		    uint64_t tx_ts, uint16_t errest, uint8_t ttl,
		    struct stamp_reply *out);

/* Error Estimate fields to the wire's 16 bits, and its value in ns
 * (saturating at UINT64_MAX). */
uint16_t	 stamp_errest(bool sync, bool ptp, unsigned scale,
		    unsigned mult);
uint64_t	 stamp_errest_ns(uint16_t errest);

/*
 * Timestamps.  NTP (RFC 5905 6): 32 bits of seconds, 32 of fraction,
 * rounded to the nearest 2^-32 s and back to the nearest ns.  "ns" counts
 * from the start of an NTP era (seconds wrap at 2^32, first in 2036).
 * PTPv2 truncated (RFC 8186 2.3): 32 bits of seconds, 32 of nanoseconds.
 */
uint64_t	 stamp_ntp_from_ns(uint64_t ns);
uint64_t	 stamp_ntp_to_ns(uint64_t ntp);
/* A wall-clock time (ns since 1970, e.g. CLOCK_REALTIME) as NTP. */
uint64_t	 stamp_ntp_from_unix_ns(uint64_t unix_ns);
uint64_t	 stamp_ptp_from_ns(uint64_t ns);
/* false when the nanoseconds field is 10^9 or more. */
bool		 stamp_ptp_to_ns(uint64_t ptp, uint64_t *ns);
/* later - earlier in ns, in the format errest's Z states; the seconds
 * fields may wrap once between the two (an NTP era, PTP's 2106). */
int64_t		 stamp_ts_diff_ns(uint64_t later, uint64_t earlier,
		    uint16_t errest);

/* ------------------------------------------------------------------ */
/* The sender session                                                  */

/* Probes remembered (a power of two): replies to older ones are unknown,
 * and the loss ratio covers at most this many minus those in flight. */
#define STAMP_WIN_MAX		1024
/* A reply later than this is late.  20 s bounds a one-way delay at
 * 10^10 ns, the largest cats_sample_check takes. */
#define STAMP_DEADLINE_MAX_MS	20000
/* The longest window a sample may state (cats_sample_check: a day). */
#define STAMP_WINDOW_MAX_MS	86400000u
#define STAMP_SAMPLES_MAX	3

struct stamp_sess_cfg {
	uint32_t	loss_window;	/* N: power of two, 1..STAMP_WIN_MAX */
	uint32_t	deadline_ms;	/* 1..STAMP_DEADLINE_MAX_MS */
	uint16_t	errest;		/* our probes' Error Estimate, mult > 0 */
	uint32_t	first_seq;	/* RFC 8762 4.2.1: 0; others for tests */
};

/* What became of each reply offered to the session. */
enum stamp_rx {
	STAMP_RX_OK,		/* used */
	STAMP_RX_LATE,		/* after the deadline: its probe is lost */
	STAMP_RX_DUPLICATE,	/* its probe was answered already */
	STAMP_RX_UNKNOWN,	/* not one of the last STAMP_WIN_MAX probes */
	STAMP_RX_STALE,		/* from before this session or its probe */
	STAMP_RX_MALFORMED,	/* did not decode (stamp_sess_input) */
	STAMP_RX__COUNT
};

/* Since the session started. */
struct stamp_counters {
	uint64_t	sent;
	uint64_t	replies;	/* STAMP_RX_OK */
	uint64_t	late;
	uint64_t	duplicate;
	uint64_t	unknown;
	uint64_t	stale;
	uint64_t	malformed;
	uint64_t	lost;		/* deadline passed without a reply in time */
};

/* The current report window, as stamp_sess_report would report it. */
struct stamp_stats {
	uint64_t	replies;	/* in time, in this window */
	double		owd_ns;		/* their mean one-way delay */
	uint64_t	pairs;		/* consecutive probes both answered */
	double		dv_ns;		/* mean |difference| of their delays */
	uint32_t	probes;		/* the loss ratio's: last N settled */
	uint32_t	lost;		/* of those */
	double		loss_ppb;
	uint64_t	oldest_ns;	/* when the oldest of those was sent */
};

struct stamp_slot {
	uint64_t	sent_ns;	/* monotonic */
	uint64_t	ts;		/* the timestamp it carried */
	uint64_t	owd_ns;		/* when answered in time */
};

/* One per path; fixed size, caller-owned, no allocation. */
struct stamp_sess {
	struct stamp_sess_cfg	cfg;
	struct stamp_counters	cnt;
	uint64_t		start_ns;
	uint64_t		nsent;		/* ordinal of the next probe */
	uint64_t		settled;	/* ordinals below: lost or not */
	uint32_t		next_seq;
	uint64_t		win_start_ns;
	uint64_t		win_replies;
	uint64_t		win_owd_sum;
	uint64_t		win_pairs;
	uint64_t		win_dv_sum;
	uint64_t		answered[STAMP_WIN_MAX / 64];	/* in time */
	uint64_t		seen[STAMP_WIN_MAX / 64];	/* any reply */
	struct stamp_slot	slot[STAMP_WIN_MAX];
};

/* N 64, deadline 1000 ms, STAMP_EE_UNSYNC, sequence from 0. */
void		 stamp_sess_cfg_default(struct stamp_sess_cfg *);
bool		 stamp_sess_cfg_valid(const struct stamp_sess_cfg *);
/* false (and nothing set) for an invalid configuration.  Times are
 * monotonic ns (CLOCK_MONOTONIC), the same clock in every call. */
bool		 stamp_sess_init(struct stamp_sess *,
		    const struct stamp_sess_cfg *, uint64_t now_ns);
/*
 * A probe leaves now: its sequence number, and in *out (when not NULL)
 * the test packet to encode, carrying ts (the wall-clock transmit time in
 * the format of cfg.errest's Z, e.g. stamp_ntp_from_unix_ns).  A reply
 * must echo ts to count.
 */
uint32_t	 stamp_sess_probe(struct stamp_sess *, uint64_t now_ns,
		    uint64_t ts, struct stamp_test *out);
/* A decoded reply, received at rx_ns. */
enum stamp_rx	 stamp_sess_reply(struct stamp_sess *,
		    const struct stamp_reply *, uint64_t rx_ns);
/* A received datagram: decoded, then as stamp_sess_reply. */
enum stamp_rx	 stamp_sess_input(struct stamp_sess *, const uint8_t *buf,
		    size_t len, uint64_t rx_ns);
/* Count a datagram that did not decode (when the caller decodes). */
void		 stamp_sess_malformed(struct stamp_sess *);
void		 stamp_sess_stats(struct stamp_sess *, uint64_t now_ns,
		    struct stamp_stats *);
/*
 * Up to STAMP_SAMPLES_MAX samples for the C-PS (CATS_M_OWD and
 * CATS_M_DELAY_VAR as CATS_STAT_MEAN over the window since the last
 * report, CATS_M_LOSS as CATS_STAT_MEAN over the time its probes span),
 * then a new window.  0: nothing to report (no reply in the window and no
 * probe settled).  What it fills passes cats_samples_check.
 */
size_t		 stamp_sess_report(struct stamp_sess *, uint64_t now_ns,
		    struct cats_sample out[STAMP_SAMPLES_MAX]);
const char	*stamp_rx_name(enum stamp_rx);

#endif /* CATS_STAMP_H */
