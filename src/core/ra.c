/*
 * ra: Router Advertisement builder, Router Solicitation and Router
 * Advertisement parsers (cats/ra.h).
 *
 * Options are walked once through bounded sub-cursors.  Each option we
 * know is one row of opt_tab: its lengths in 8-octet units, the messages
 * it may appear in, and its decoder; anything else is skipped, as RFC 4861
 * 4.1 and 4.2 require ("receivers MUST silently ignore any options they do
 * not recognize").  The checksum is the kernel's (see cats/ra.h).
 */
#include <string.h>

#include "cats/buf.h"
#include "cats/ra.h"

#define RA_OPT_SLLA	1	/* RFC 4861 4.6.1 */
#define RA_OPT_PIO	3	/* RFC 4861 4.6.2 */
#define RA_OPT_MTU	5	/* RFC 4861 4.6.4 */
#define RA_OPT_RIO	24	/* RFC 4191 2.3 */

#define RS_FIXED	8	/* type, code, checksum, reserved */
#define RA_FIXED	16	/* ... hop limit, flags, lifetime, 2 timers */

/* Where a decoded option goes: an RS keeps only the link-layer address. */
struct dec {
	uint8_t		*lladdr;
	uint8_t		*lladdr_len;
	struct ra_msg	*m;		/* NULL: an RS */
};

typedef enum ra_err (*opt_dec_fn)(struct cur *, uint8_t units, struct dec *);

struct opt_row {
	uint8_t		 type;
	uint8_t		 min, max;	/* length in 8-octet units */
	bool		 in_rs;		/* RFC 4861 4.1: only SLLA */
	opt_dec_fn	 dec;
};

/* ------------------------------------------------------------------ */
/* Field rules shared by the decoder and the encoder                   */

/* RFC 4861 4.6.2, RFC 4191 2.3: the bits after the prefix length are
 * zero from the sender and ignored by the receiver. */
static void
mask_prefix(uint8_t addr[16], uint8_t len)
{
	size_t i;

	for (i = 0; i < 16; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		addr[i] &= (uint8_t)(0xff00u >> len);
		len = 0;
	}
}

/* RFC 4191 2.3: Length 1 for a /0, 2 up to /64, 3 beyond; the sender
 * uses the shortest, the receiver accepts any long enough. */
static uint8_t
rio_units(uint8_t plen)
{
	return plen == 0 ? 1 : plen <= 64 ? 2 : 3;
}

/* ------------------------------------------------------------------ */
/* Option decoders                                                     */

static enum ra_err
dec_slla(struct cur *c, uint8_t units, struct dec *d)
{
	size_t n = (size_t)units * 8 - 2;

	*d->lladdr_len = (uint8_t)n;
	cur_bytes(c, d->lladdr, n);
	return RA_OK;
}

static enum ra_err
dec_pio(struct cur *c, uint8_t units, struct dec *d)
{
	struct ra_prefix *p;
	uint8_t flags;
	uint32_t reserved;

	(void)units;
	if (d->m->nprefixes == RA_MAX_PREFIXES)
		return RA_E_TOO_MANY;
	p = &d->m->prefixes[d->m->nprefixes];
	cur_u8(c, &p->len);
	cur_u8(c, &flags);
	cur_u32(c, &p->valid_s);
	cur_u32(c, &p->preferred_s);
	cur_u32(c, &reserved);		/* RFC 4861 4.6.2: ignored */
	cur_bytes(c, p->addr, 16);
	if (p->len > 128)
		return RA_E_OPT_VALUE;
	p->onlink = (flags & 0x80) != 0;
	p->autonomous = (flags & 0x40) != 0;
	mask_prefix(p->addr, p->len);
	d->m->nprefixes++;
	return RA_OK;
}

static enum ra_err
dec_mtu(struct cur *c, uint8_t units, struct dec *d)
{
	uint16_t reserved;

	(void)units;
	cur_u16(c, &reserved);
	cur_u32(c, &d->m->mtu);
	return RA_OK;
}

static enum ra_err
dec_rio(struct cur *c, uint8_t units, struct dec *d)
{
	struct ra_route r;
	uint8_t flags;

	memset(&r, 0, sizeof(r));
	cur_u8(c, &r.len);
	cur_u8(c, &flags);
	cur_u32(c, &r.lifetime_s);
	cur_bytes(c, r.addr, ((size_t)units - 1) * 8);
	if (r.len > 128)
		return RA_E_OPT_VALUE;
	/* RFC 4191 2.3: a prefix longer than the option carries */
	if (units < rio_units(r.len))
		return RA_E_OPT_LEN;
	r.pref = (enum ra_pref)((flags >> 3) & 3);
	if (r.pref == RA_PREF_RESERVED)	/* RFC 4191 2.3: MUST be ignored */
		return RA_OK;
	if (d->m->nroutes == RA_MAX_ROUTES)
		return RA_E_TOO_MANY;
	mask_prefix(r.addr, r.len);
	d->m->routes[d->m->nroutes++] = r;
	return RA_OK;
}

static const struct opt_row opt_tab[] = {
	{ RA_OPT_SLLA, 1, 2, true, dec_slla },
	{ RA_OPT_PIO, 4, 4, false, dec_pio },
	{ RA_OPT_MTU, 1, 1, false, dec_mtu },
	{ RA_OPT_RIO, 1, 3, false, dec_rio },
};

static const struct opt_row *
opt_find(uint8_t type, bool rs)
{
	size_t i;

	for (i = 0; i < sizeof(opt_tab) / sizeof(opt_tab[0]); i++)
		if (opt_tab[i].type == type && (opt_tab[i].in_rs || !rs))
			return &opt_tab[i];
	return NULL;
}

static enum ra_err
fail_at(size_t *off, size_t at, enum ra_err e)
{
	if (off != NULL)
		*off = at;
	return e;
}

/* RFC 4861 4.6: every option is type, length in 8-octet units, value. */
static enum ra_err
dec_opts(struct cur *c, struct dec *d, size_t *off)
{
	const struct opt_row *row;
	struct cur o;
	uint8_t type, units;
	size_t at;
	enum ra_err e;

	while (cur_left(c) > 0) {
		at = cur_off(c);
		if (cur_left(c) < 2)
			return fail_at(off, at, RA_E_OPT_TRUNC);
		cur_u8(c, &type);
		cur_u8(c, &units);
		/* RFC 4861 6.1.1, 6.1.2: a zero-length option is invalid */
		if (units == 0)
			return fail_at(off, at + 1, RA_E_OPT_ZERO);
		if (!cur_sub(c, (size_t)units * 8 - 2, &o))
			return fail_at(off, at, RA_E_OPT_TRUNC);
		if ((row = opt_find(type, d->m == NULL)) == NULL)
			continue;
		if (units < row->min || units > row->max)
			return fail_at(off, at, RA_E_OPT_LEN);
		if ((e = row->dec(&o, units, d)) != RA_OK)
			return fail_at(off, at, e);
		if (o.err)		/* the lengths above make this impossible */
			return fail_at(off, at, RA_E_OPT_TRUNC);
	}
	return RA_OK;
}

/* RFC 4861 6.1.1, 6.1.2: the checks common to both; the checksum was
 * the kernel's. */
static enum ra_err
dec_fixed(struct cur *c, uint8_t hop_limit, uint8_t want, size_t fixed,
    size_t *off)
{
	uint8_t type, code;

	if (hop_limit != RA_HOP_LIMIT)
		return fail_at(off, 0, RA_E_HOPLIMIT);
	if (cur_left(c) < fixed)
		return fail_at(off, cur_left(c), RA_E_SHORT);
	cur_u8(c, &type);
	cur_u8(c, &code);
	if (type != want)
		return fail_at(off, 0, RA_E_TYPE);
	if (code != 0)
		return fail_at(off, 1, RA_E_CODE);
	cur_skip(c, 2);			/* checksum */
	return RA_OK;
}

enum ra_err
ra_decode_rs(const uint8_t *buf, size_t len, uint8_t hop_limit,
    bool src_unspec, struct ra_rs *rs, size_t *off)
{
	struct dec d;
	struct cur c;
	enum ra_err e;

	memset(rs, 0, sizeof(*rs));
	cur_init(&c, buf, len);
	if ((e = dec_fixed(&c, hop_limit, RA_TYPE_RS, RS_FIXED, off)) != RA_OK)
		return e;
	cur_skip(&c, 4);		/* reserved: RFC 4861 4.1, ignored */
	d = (struct dec){ rs->lladdr, &rs->lladdr_len, NULL };
	if ((e = dec_opts(&c, &d, off)) != RA_OK)
		return e;
	/* RFC 4861 6.1.1: from ::, no source link-layer address option */
	if (src_unspec && rs->lladdr_len > 0)
		return fail_at(off, RS_FIXED, RA_E_SLLA_UNSPEC);
	return RA_OK;
}

enum ra_err
ra_decode_ra(const uint8_t *buf, size_t len, uint8_t hop_limit,
    struct ra_msg *m, size_t *off)
{
	struct dec d;
	struct cur c;
	uint8_t flags;
	enum ra_err e;

	memset(m, 0, sizeof(*m));
	cur_init(&c, buf, len);
	if ((e = dec_fixed(&c, hop_limit, RA_TYPE_RA, RA_FIXED, off)) != RA_OK)
		return e;
	cur_u8(&c, &m->cur_hop_limit);
	cur_u8(&c, &flags);
	cur_u16(&c, &m->router_lifetime_s);
	cur_u32(&c, &m->reachable_ms);
	cur_u32(&c, &m->retrans_ms);
	m->managed = (flags & 0x80) != 0;
	m->other = (flags & 0x40) != 0;
	m->router_pref = (enum ra_pref)((flags >> 3) & 3);
	/* RFC 4191 2.2: a reserved preference is taken as medium */
	if (m->router_pref == RA_PREF_RESERVED)
		m->router_pref = RA_PREF_MEDIUM;
	d = (struct dec){ m->lladdr, &m->lladdr_len, m };
	return dec_opts(&c, &d, off);
}

/* ------------------------------------------------------------------ */
/* Encoder                                                             */

static void
enc_pio(struct wbuf *w, const struct ra_prefix *p)
{
	uint8_t a[16];

	memcpy(a, p->addr, 16);
	mask_prefix(a, p->len);
	wb_u8(w, RA_OPT_PIO);
	wb_u8(w, 4);
	wb_u8(w, p->len);
	wb_u8(w, (uint8_t)((p->onlink ? 0x80 : 0) | (p->autonomous ? 0x40 : 0)));
	wb_u32(w, p->valid_s);
	wb_u32(w, p->preferred_s);
	wb_u32(w, 0);			/* Reserved2 */
	wb_bytes(w, a, 16);
}

static void
enc_rio(struct wbuf *w, const struct ra_route *r)
{
	uint8_t a[16], units = rio_units(r->len);

	memcpy(a, r->addr, 16);
	mask_prefix(a, r->len);
	wb_u8(w, RA_OPT_RIO);
	wb_u8(w, units);
	wb_u8(w, r->len);
	wb_u8(w, (uint8_t)((unsigned)r->pref << 3));
	wb_u32(w, r->lifetime_s);
	wb_bytes(w, a, ((size_t)units - 1) * 8);
}

/* What must not go on the wire at all. */
static bool
msg_valid(const struct ra_msg *m)
{
	size_t i;

	if (m->nprefixes > RA_MAX_PREFIXES || m->nroutes > RA_MAX_ROUTES ||
	    m->lladdr_len > RA_LLADDR_MAX)
		return false;
	/* RFC 4191 2.2: reserved never sent; with lifetime 0, medium (00) */
	if (m->router_pref == RA_PREF_RESERVED ||
	    (m->router_lifetime_s == 0 && m->router_pref != RA_PREF_MEDIUM))
		return false;
	for (i = 0; i < m->nprefixes; i++)
		if (m->prefixes[i].len > 128)
			return false;
	for (i = 0; i < m->nroutes; i++)
		if (m->routes[i].len > 128 ||
		    m->routes[i].pref == RA_PREF_RESERVED)
			return false;
	return true;
}

enum ra_err
ra_encode(const struct ra_msg *m, uint8_t *buf, size_t cap, size_t *len)
{
	struct wbuf w;
	size_t i, units;

	if (!msg_valid(m))
		return RA_E_OPT_VALUE;
	wb_init(&w, buf, cap);
	wb_u8(&w, RA_TYPE_RA);
	wb_u8(&w, 0);			/* code */
	wb_u16(&w, 0);			/* checksum: the kernel's */
	wb_u8(&w, m->cur_hop_limit);
	wb_u8(&w, (uint8_t)((m->managed ? 0x80 : 0) | (m->other ? 0x40 : 0) |
	    (unsigned)m->router_pref << 3));
	wb_u16(&w, m->router_lifetime_s);
	wb_u32(&w, m->reachable_ms);
	wb_u32(&w, m->retrans_ms);
	if (m->lladdr_len > 0) {	/* RFC 4861 4.6.1, padded to 8 */
		units = (2 + (size_t)m->lladdr_len + 7) / 8;
		wb_u8(&w, RA_OPT_SLLA);
		wb_u8(&w, (uint8_t)units);
		wb_bytes(&w, m->lladdr, m->lladdr_len);
		wb_zero(&w, units * 8 - 2 - m->lladdr_len);
	}
	if (m->mtu != 0) {		/* RFC 4861 4.6.4 */
		wb_u8(&w, RA_OPT_MTU);
		wb_u8(&w, 1);
		wb_u16(&w, 0);
		wb_u32(&w, m->mtu);
	}
	for (i = 0; i < m->nprefixes; i++)
		enc_pio(&w, &m->prefixes[i]);
	for (i = 0; i < m->nroutes; i++)
		enc_rio(&w, &m->routes[i]);
	if (!wb_ok(&w))
		return RA_E_NOSPACE;
	*len = w.len;
	return RA_OK;
}

/* ------------------------------------------------------------------ */
/* Names, equality                                                     */

static const char *const err_tab[RA_E__COUNT] = {
	[RA_OK] = "ok",
	[RA_E_SHORT] = "shorter than the fixed part",
	[RA_E_HOPLIMIT] = "hop limit is not 255",
	[RA_E_TYPE] = "wrong ICMPv6 type",
	[RA_E_CODE] = "ICMPv6 code is not 0",
	[RA_E_OPT_TRUNC] = "option runs past the end",
	[RA_E_OPT_ZERO] = "option of length 0",
	[RA_E_OPT_LEN] = "option length wrong for its type",
	[RA_E_OPT_VALUE] = "invalid option field value",
	[RA_E_SLLA_UNSPEC] = "source link-layer address from ::",
	[RA_E_TOO_MANY] = "more prefixes or routes than kept",
	[RA_E_NOSPACE] = "output buffer too small",
};

/* ------------------------------------------------------------------ */
/* The schedule                                                        */

uint32_t
ra_next_delay_ms(uint32_t max_s, unsigned sent, double u)
{
	double max = (double)max_s * 1000.0, min, d;

	/* RFC 4861 6.2.1: MinRtrAdvInterval's default */
	min = max_s >= 9 ? 0.33 * max : max;
	if (!(u > 0))			/* also NaN */
		u = 0;
	if (u > 1)
		u = 1;
	d = min + (max - min) * u;
	/* 6.2.4: "if the randomly chosen interval is greater than
	 * MAX_INITIAL_RTR_ADVERT_INTERVAL, the timer SHOULD be set to
	 * MAX_INITIAL_RTR_ADVERT_INTERVAL instead" */
	if (sent < RA_MAX_INITIAL_ADVERTS && d > RA_MAX_INITIAL_INTERVAL_MS)
		d = RA_MAX_INITIAL_INTERVAL_MS;
	return d >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

const char *
ra_strerror(enum ra_err e)
{
	return (unsigned)e < RA_E__COUNT ? err_tab[e] : "unknown error";
}

const char *
ra_pref_name(enum ra_pref p)
{
	switch (p) {
	case RA_PREF_LOW:
		return "low";
	case RA_PREF_MEDIUM:
		return "medium";
	case RA_PREF_HIGH:
		return "high";
	default:
		return NULL;
	}
}

static bool
prefix_equal(const struct ra_prefix *a, const struct ra_prefix *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, 16) == 0 &&
	    a->onlink == b->onlink && a->autonomous == b->autonomous &&
	    a->valid_s == b->valid_s && a->preferred_s == b->preferred_s;
}

static bool
route_equal(const struct ra_route *a, const struct ra_route *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, 16) == 0 &&
	    a->pref == b->pref && a->lifetime_s == b->lifetime_s;
}

bool
ra_msg_equal(const struct ra_msg *a, const struct ra_msg *b)
{
	size_t i;

	if (a->cur_hop_limit != b->cur_hop_limit || a->managed != b->managed ||
	    a->other != b->other || a->router_pref != b->router_pref ||
	    a->router_lifetime_s != b->router_lifetime_s ||
	    a->reachable_ms != b->reachable_ms ||
	    a->retrans_ms != b->retrans_ms || a->mtu != b->mtu ||
	    a->lladdr_len != b->lladdr_len ||
	    memcmp(a->lladdr, b->lladdr, a->lladdr_len) != 0 ||
	    a->nprefixes != b->nprefixes || a->nroutes != b->nroutes)
		return false;
	for (i = 0; i < a->nprefixes; i++)
		if (!prefix_equal(&a->prefixes[i], &b->prefixes[i]))
			return false;
	for (i = 0; i < a->nroutes; i++)
		if (!route_equal(&a->routes[i], &b->routes[i]))
			return false;
	return true;
}
