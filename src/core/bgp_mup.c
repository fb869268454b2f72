/*
 * bgp_mup: the NLRI of the MUP SAFI (draft-ietf-bess-mup-safi, layouts
 * checked against GoBGP's pkg/packet/bgp/mup.go, which gobgpd 3.10 runs)
 * and unicast prefixes (RFC 4760 5).
 *
 * A MUP NLRI is architecture type (1), route type (2), length (1) and a
 * body of that length that starts with an RD (8).  The body is decoded
 * from its own cursor and must be consumed exactly.  Prefix bits past the
 * prefix length are cleared on decode and never sent, so one route has
 * one wire form, which is its key.  A session transformed route may end
 * in TLVs (draft-ietf-bess-mup-safi-01 3.1.5), outside the key.
 */
#include <string.h>

#include "cats/bgp.h"

#define MUP_RD_LEN	8
#define TEID_BITS	32

/* Octets of an address of the family; 0 for an AFI we do not know. */
static unsigned
addr_octets(uint16_t afi)
{
	switch (afi) {
	case BGP_AFI_IPV4:
		return 4;
	case BGP_AFI_IPV6:
		return 16;
	default:
		return 0;
	}
}

static unsigned
bits_octets(unsigned bits)
{
	return (bits + 7) / 8;
}

/* Clear the bits of p[0..octets) past 'bits'. */
static void
mask_bits(uint8_t *p, unsigned bits, unsigned octets)
{
	unsigned i;

	for (i = bits / 8; i < octets; i++)
		p[i] = i == bits / 8 ? (uint8_t)(p[i] & (0xff00 >> (bits % 8))) : 0;
}

/* Prefix length (1) and ceil(plen / 8) octets, RFC 4271 4.3 style. */
static bool
dec_prefix(struct cur *c, unsigned max_bits, uint8_t *plen, uint8_t *addr)
{
	unsigned n;

	if (!cur_u8(c, plen) || *plen > max_bits)
		return false;
	n = bits_octets(*plen);
	if (!cur_bytes(c, addr, n))
		return false;
	mask_bits(addr, *plen, n);
	return true;
}

static void
enc_prefix(struct wbuf *w, uint8_t plen, const uint8_t *addr)
{
	unsigned n = bits_octets(plen);
	uint8_t *q;

	wb_u8(w, plen);
	if ((q = wb_room(w, n)) == NULL || n == 0)
		return;
	memcpy(q, addr, n);
	mask_bits(q, plen, n);
}

/* An endpoint or source address given by its length in bits (T1ST). */
static bool
dec_addr_bits(struct cur *c, uint8_t *len, uint8_t *addr, bool may_be_0)
{
	if (!cur_u8(c, len))
		return false;
	if (*len == 0)
		return may_be_0;
	if (*len != 32 && *len != 128)
		return false;
	return cur_bytes(c, addr, *len / 8);
}

/* ------------------------------------------------------------------ */
/* TLVs of the session transformed routes, draft-ietf-bess-mup-safi-01 */
/* 3.1.5: type (1), length (1), value.  Not part of the route's key;  */
/* unknown ones are kept and passed on unchanged.                      */

static const char *const tlv_err_tab[BGP_MUP_TLV_E__COUNT] = {
	[BGP_MUP_TLV_OK] = "ok",
	[BGP_MUP_TLV_E_TRUNC] = "a TLV runs past the NLRI",
	[BGP_MUP_TLV_E_EMPTY] = "a TLV of length 0",
	[BGP_MUP_TLV_E_LEN] = "a TLV of the wrong length for its type",
	[BGP_MUP_TLV_E_DUP] = "a TLV type twice",
};

const char *
bgp_mup_tlv_strerror(enum bgp_mup_tlv_err e)
{
	return (unsigned)e < BGP_MUP_TLV_E__COUNT ? tlv_err_tab[e] : "?";
}

/* An address TLV's value: 4 or 16 octets (3.1.5.2, 3.1.5.3). */
static bool
tlv_addr(struct cur *v, uint8_t *len, uint8_t *out)
{
	size_t n = cur_left(v);

	if (n != 4 && n != 16)
		return false;
	*len = (uint8_t)n;
	return cur_bytes(v, out, n);
}

static bool
tlv_is_known(uint8_t type)
{
	return type >= BGP_MUP_TLV_SESSION && type <= BGP_MUP_TLV_SOURCE;
}

/* What a known TLV says; false if its length is wrong for its type. */
static bool
tlv_known(uint8_t type, struct cur *v, struct bgp_mup *m)
{
	switch (type) {
	case BGP_MUP_TLV_SESSION:	/* 3.1.5.1: TEID (4), QFI (1) */
		return cur_left(v) == 5 && cur_u32(v, &m->sp_teid) &&
		    cur_u8(v, &m->sp_qfi);
	case BGP_MUP_TLV_INTERWORK:
		return tlv_addr(v, &m->iw_len, m->iw);
	case BGP_MUP_TLV_SOURCE:
		return tlv_addr(v, &m->sa_len, m->sa);
	default:
		return false;
	}
}

enum bgp_mup_tlv_err
bgp_mup_tlv_parse(struct bgp_mup *m, const uint8_t *p, size_t len)
{
	struct cur c, v;
	uint8_t type, tlen;

	m->tlv = len > 0 ? p : NULL;
	m->tlv_len = (uint8_t)len;
	m->tlv_seen = 0;
	cur_init(&c, p, len);
	while (cur_left(&c) > 0) {
		cur_u8(&c, &type);
		if (!cur_u8(&c, &tlen) || !cur_sub(&c, tlen, &v))
			return BGP_MUP_TLV_E_TRUNC;
		if (tlen == 0)
			return BGP_MUP_TLV_E_EMPTY;
		if (!tlv_is_known(type))
			continue;		/* kept, not read (3.1.3) */
		if (m->tlv_seen & BGP_MUP_TLV_BIT(type))
			return BGP_MUP_TLV_E_DUP;
		if (!tlv_known(type, &v, m))
			return BGP_MUP_TLV_E_LEN;
		m->tlv_seen |= (uint8_t)BGP_MUP_TLV_BIT(type);
	}
	return BGP_MUP_TLV_OK;
}

bool
bgp_mup_tlv_put(struct wbuf *w, uint8_t type, const uint8_t *v, uint8_t len)
{
	wb_u8(w, type);
	wb_u8(w, len);
	wb_bytes(w, v, len);
	return wb_ok(w);
}

/* The rest of a session transformed route's body: its TLVs. */
static void
dec_tlvs(struct cur *c, struct bgp_mup *m)
{
	size_t n = cur_left(c);
	const uint8_t *p = NULL;

	if (n == 0)
		return;
	cur_view(c, &p, n);
	m->tlv_err = (uint8_t)bgp_mup_tlv_parse(m, p, n);
}

/* ------------------------------------------------------------------ */
/* Route type bodies, after the RD                                     */

/* ISD: prefix length and prefix. */
static bool
dec_isd(struct cur *c, unsigned alen, struct bgp_mup *m)
{
	return dec_prefix(c, alen * 8, &m->plen, m->prefix);
}

/* DSD: the PE's address, 4 or 16 octets by AFI. */
static bool
dec_dsd(struct cur *c, unsigned alen, struct bgp_mup *m)
{
	return cur_bytes(c, m->addr, alen);
}

/* T1ST: UE prefix, TEID (4), QFI (1), endpoint (length in bits, then
 * address), then an optional source (length in bits, then address), then
 * TLVs.  The source came later to draft-ietf-bess-mup-safi; gobgpd 3.10
 * leaves both its fields out, so the body may end after the endpoint;
 * with TLVs after it, the source length is there (0 without a source). */
static bool
dec_t1st(struct cur *c, unsigned alen, struct bgp_mup *m)
{
	if (!dec_prefix(c, alen * 8, &m->plen, m->prefix) ||
	    !cur_u32(c, &m->teid) || !cur_u8(c, &m->qfi) ||
	    !dec_addr_bits(c, &m->ep_len, m->ep, false))
		return false;
	if (cur_left(c) == 0) {
		m->src_len = 0;
		return true;
	}
	if (!dec_addr_bits(c, &m->src_len, m->src, true))
		return false;
	dec_tlvs(c, m);
	return true;
}

/* T2ST: length in bits of address and TEID together, the address, then
 * the TEID's leading bits in ceil(bits / 8) octets (kept left-aligned). */
static bool
dec_t2st(struct cur *c, unsigned alen, struct bgp_mup *m)
{
	uint8_t teid[4] = { 0 };
	unsigned tbits;

	if (!cur_u8(c, &m->ep_len) || m->ep_len < alen * 8)
		return false;
	tbits = m->ep_len - alen * 8;
	if (tbits > TEID_BITS || !cur_bytes(c, m->ep, alen) ||
	    !cur_bytes(c, teid, bits_octets(tbits)))
		return false;
	mask_bits(teid, tbits, sizeof(teid));
	m->teid = (uint32_t)teid[0] << 24 | (uint32_t)teid[1] << 16 |
	    (uint32_t)teid[2] << 8 | teid[3];
	dec_tlvs(c, m);
	return true;
}

static bool
dec_body(struct cur *c, unsigned alen, struct bgp_mup *m)
{
	if (!cur_bytes(c, m->rd, MUP_RD_LEN))
		return false;
	switch (m->type) {
	case BGP_MUP_ISD:	return dec_isd(c, alen, m);
	case BGP_MUP_DSD:	return dec_dsd(c, alen, m);
	case BGP_MUP_T1ST:	return dec_t1st(c, alen, m);
	case BGP_MUP_T2ST:	return dec_t2st(c, alen, m);
	default:		return false;
	}
}

static bool
known_route(uint8_t arch, uint16_t type)
{
	return arch == BGP_MUP_ARCH_3GPP_5G && type >= BGP_MUP_ISD &&
	    type <= BGP_MUP_T2ST;
}

/* On -1 the cursor is left at the start of the malformed NLRI, so that
 * cur_off() tells the caller where it is. */
static int
nlri_fail(struct cur *c, size_t pos, enum bgp_err *err)
{
	*err = BGP_E_NLRI;
	c->pos = pos;
	c->err = true;
	return -1;
}

int
bgp_mup_next(struct cur *c, uint16_t afi, struct bgp_mup *m,
    unsigned *skipped, enum bgp_err *err)
{
	unsigned alen = addr_octets(afi);
	struct cur body;
	uint8_t arch, blen;
	uint16_t type;
	size_t pos;

	*err = BGP_OK;
	while (cur_left(c) > 0 && !c->err) {
		pos = c->pos;
		cur_u8(c, &arch);
		cur_u16(c, &type);
		if (!cur_u8(c, &blen) || !cur_sub(c, blen, &body) || alen == 0)
			return nlri_fail(c, pos, err);
		if (!known_route(arch, type)) {
			(*skipped)++;		/* its length is sound: step over */
			continue;
		}
		memset(m, 0, sizeof(*m));
		m->afi = afi;
		m->type = (uint8_t)type;
		if (!dec_body(&body, alen, m) || !cur_done(&body))
			return nlri_fail(c, pos, err);
		return 1;
	}
	if (c->err) {
		*err = BGP_E_NLRI;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

static bool
addr_bits_valid(uint8_t len, bool may_be_0)
{
	return len == 32 || len == 128 || (may_be_0 && len == 0);
}

/* The rules the decoder enforces, so that nothing is sent it would refuse. */
static bool
mup_valid(const struct bgp_mup *m, unsigned alen)
{
	switch (m->type) {
	case BGP_MUP_ISD:
		return m->plen <= alen * 8;
	case BGP_MUP_DSD:
		return true;
	case BGP_MUP_T1ST:
		return m->plen <= alen * 8 && addr_bits_valid(m->ep_len, false) &&
		    addr_bits_valid(m->src_len, true);
	case BGP_MUP_T2ST:
		return m->ep_len >= alen * 8 && m->ep_len <= alen * 8 + TEID_BITS;
	default:
		return false;
	}
}

static void
enc_t2st(struct wbuf *w, unsigned alen, const struct bgp_mup *m)
{
	unsigned tbits = m->ep_len - alen * 8;
	uint8_t teid[4] = { (uint8_t)(m->teid >> 24), (uint8_t)(m->teid >> 16),
	    (uint8_t)(m->teid >> 8), (uint8_t)m->teid };

	wb_u8(w, m->ep_len);
	wb_bytes(w, m->ep, alen);
	mask_bits(teid, tbits, sizeof(teid));
	wb_bytes(w, teid, bits_octets(tbits));
}

/* The key leaves the TLVs out (draft-ietf-bess-mup-safi-01 3.1.5). */
static void
enc_body(struct wbuf *w, unsigned alen, const struct bgp_mup *m, bool tlvs)
{
	bool with = tlvs && m->tlv_len > 0 &&
	    (m->type == BGP_MUP_T1ST || m->type == BGP_MUP_T2ST);

	wb_bytes(w, m->rd, MUP_RD_LEN);
	switch (m->type) {
	case BGP_MUP_ISD:
		enc_prefix(w, m->plen, m->prefix);
		break;
	case BGP_MUP_DSD:
		wb_bytes(w, m->addr, alen);
		break;
	case BGP_MUP_T1ST:
		enc_prefix(w, m->plen, m->prefix);
		wb_u32(w, m->teid);
		wb_u8(w, m->qfi);
		wb_u8(w, m->ep_len);
		wb_bytes(w, m->ep, m->ep_len / 8);
		/* Without a source, its fields are left out, as gobgpd 3.10
		 * reads and writes a T1ST, unless TLVs follow. */
		if (m->src_len == 0 && !with)
			break;
		wb_u8(w, m->src_len);
		wb_bytes(w, m->src, m->src_len / 8);
		break;
	case BGP_MUP_T2ST:
		enc_t2st(w, alen, m);
		break;
	}
	if (with)
		wb_bytes(w, m->tlv, m->tlv_len);
}

static bool
encode(struct wbuf *w, const struct bgp_mup *m, bool tlvs)
{
	unsigned alen = addr_octets(m->afi);
	size_t len_at;

	if (alen == 0 || !mup_valid(m, alen))
		return false;
	wb_u8(w, BGP_MUP_ARCH_3GPP_5G);
	wb_u16(w, m->type);
	len_at = w->len;
	wb_u8(w, 0);
	enc_body(w, alen, m, tlvs);
	if (w->len - len_at - 1 > UINT8_MAX)	/* TLVs too long for one NLRI */
		return false;
	wb_set_u8(w, len_at, (uint8_t)(w->len - len_at - 1));
	return wb_ok(w);
}

bool
bgp_mup_encode(struct wbuf *w, const struct bgp_mup *m)
{
	return encode(w, m, true);
}

size_t
bgp_mup_key(const struct bgp_mup *m, uint8_t *out, size_t cap)
{
	struct wbuf w;

	wb_init(&w, out, cap);
	return encode(&w, m, false) ? w.len : 0;
}

/* ------------------------------------------------------------------ */
/* Unicast prefixes, RFC 4760 5                                        */

int
bgp_prefix_next(struct cur *c, uint16_t afi, struct bgp_prefix *p,
    enum bgp_err *err)
{
	unsigned alen = addr_octets(afi);
	size_t pos = c->pos;

	*err = BGP_OK;
	if (cur_left(c) == 0 && !c->err)
		return 0;
	memset(p, 0, sizeof(*p));
	/* A length over the family's bits cannot be stepped over: reset. */
	if (alen == 0 || !dec_prefix(c, alen * 8, &p->plen, p->addr))
		return nlri_fail(c, pos, err);
	return 1;
}

bool
bgp_prefix_encode(struct wbuf *w, const struct bgp_prefix *p)
{
	if (p->plen > 128)
		return false;
	enc_prefix(w, p->plen, p->addr);
	return wb_ok(w);
}
