/*
 * mh: Mobility Header codec for the CATS PBU/PBA messages.
 *
 * Decoding walks the options once through bounded sub-cursors.  Each known
 * option is described by one row of opt_tab (lengths, alignment, how often
 * it may appear) and parsed by one function; the message kinds are rows of
 * kind_tab.  docs/wire.md is the prose of these two tables.
 */
#include <string.h>

#include "cats/buf.h"
#include "cats/mh.h"

#define MH_MAX_PAD_RUN	7	/* any xn+y alignment needs at most 7 octets */

typedef void (*opt_enc_fn)(struct wbuf *, const struct mh_msg *, int);

/* An option's facts and its encoder; its decoder is in dec_body(). */
/*
 * Where an option's body has reserved bits (sent 0, ignored on receipt),
 * a layout keeps what a peer sent in them: 'rsvd_len' octets at
 * 'rsvd_off', the bits of 'rsvd_mask' (docs/wire.md 7.1).
 */
struct opt_row {
	struct mh_opt_info	 info;
	opt_enc_fn		 enc;
	uint8_t			 rsvd_off, rsvd_len;
	uint16_t		 rsvd_mask;
};

/* ------------------------------------------------------------------ */
/* Field rules shared by the decoder and the encoder                   */

static bool
prefix_valid(const struct mh_prefix *p)
{
	return p->len <= 128;
}

/* Anchoring 4.2: the CR_ID length follows from its format. */
static bool
crid_valid(uint8_t format, uint8_t len)
{
	switch (format) {
	case MH_CRID_IP:
		return len == 4 || len == 16;
	case MH_CRID_L2:
		return len == 6 || len == 8;
	case MH_CRID_URI:
		return len >= 1;
	default:
		return false;
	}
}

/* Affinity entries: kind(1) len(1) name(len), kinds MH_AFF_* (1 to
 * MH_AFF_KIND_MAX), names non-empty. */
bool
mh_affinity_valid(const struct mh_bytes *a)
{
	struct cur c;
	uint8_t kind, len;

	cur_init(&c, a->p, a->len);
	while (cur_left(&c) > 0) {
		cur_u8(&c, &kind);
		cur_u8(&c, &len);
		if (c.err || kind < MH_AFF_AVOID || kind > MH_AFF_KIND_MAX ||
		    len == 0 || !cur_skip(&c, len))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Option decoders: each gets a cursor holding exactly its body.        */

static bool
dec_cats_msg(struct cur *c, struct mh_msg *m)
{
	cur_u8(c, &m->kind);
	cur_u8(c, &m->cats_flags);
	return true;
}

static bool
dec_mnid(struct cur *c, struct mh_msg *m)
{
	cur_u8(c, &m->mnid_subtype);
	m->mnid.len = (uint8_t)cur_left(c);
	cur_view(c, &m->mnid.p, m->mnid.len);
	return m->mnid_subtype != 0;
}

static bool
dec_hi(struct cur *c, struct mh_msg *m)
{
	cur_skip(c, 1);
	cur_u8(c, &m->hi);
	return true;
}

static bool
dec_att(struct cur *c, struct mh_msg *m)
{
	cur_skip(c, 1);
	cur_u8(c, &m->att);
	return true;
}

static bool
dec_llid(struct cur *c, struct mh_msg *m)
{
	cur_skip(c, 2);
	m->llid.len = (uint8_t)cur_left(c);
	cur_view(c, &m->llid.p, m->llid.len);
	return true;
}

static bool
dec_prefix(struct cur *c, struct mh_prefix *p)
{
	cur_skip(c, 1);
	cur_u8(c, &p->len);
	cur_bytes(c, p->addr, 16);
	return prefix_valid(p);
}

static bool
dec_hnp(struct cur *c, struct mh_msg *m)
{
	return dec_prefix(c, &m->hnp[m->n_hnp++]);
}

static bool
dec_timestamp(struct cur *c, struct mh_msg *m)
{
	cur_u64(c, &m->timestamp);
	return true;
}

static bool
dec_lla(struct cur *c, struct mh_msg *m)
{
	cur_bytes(c, m->lla, 16);
	return true;
}

static bool
dec_crid(struct cur *c, struct mh_msg *m)
{
	uint8_t len;

	cur_u8(c, &len);
	cur_u8(c, &m->crid_format);
	if (len != cur_left(c))
		return false;
	m->crid.len = len;
	cur_view(c, &m->crid.p, len);
	return crid_valid(m->crid_format, len);
}

static bool
dec_service_id(struct cur *c, struct mh_msg *m)
{
	uint8_t len;

	cur_u8(c, &len);
	cur_skip(c, 1);
	if (len == 0 || len != cur_left(c))
		return false;
	m->service_id.len = len;
	cur_view(c, &m->service_id.p, len);
	return true;
}

static bool
dec_req_body(struct cur *c, struct mh_cats_req *r)
{
	cur_u32(c, &r->min_bw);
	cur_u32(c, &r->max_lat);
	cur_u32(c, &r->max_jitter);
	cur_u32(c, &r->max_loss);
	cur_u32(c, &r->comp_lat);
	r->affinity.len = (uint8_t)cur_left(c);
	cur_view(c, &r->affinity.p, r->affinity.len);
	return mh_affinity_valid(&r->affinity);
}

static bool
dec_req(struct cur *c, struct mh_msg *m)
{
	return dec_req_body(c, &m->req);
}

static bool
dec_cond(struct cur *c, struct mh_msg *m)
{
	return dec_req_body(c, &m->cond);
}

static bool
dec_svc_prefix(struct cur *c, struct mh_msg *m)
{
	return dec_prefix(c, &m->svc_prefix);
}

static bool
dec_client_addr(struct cur *c, struct mh_msg *m)
{
	cur_bytes(c, m->client_addr, 16);
	return true;
}

static bool
dec_cats_addr(struct cur *c, struct mh_msg *m)
{
	cur_bytes(c, m->cats_addr, 16);
	return true;
}

static bool
dec_tx(struct cur *c, struct mh_msg *m)
{
	cur_u32(c, &m->tx.id);
	cur_u32(c, &m->tx.next_seq);
	cur_u32(c, &m->tx.state_len);
	cur_u16(c, &m->tx.port);
	cur_skip(c, 2);
	return true;
}

static bool
dec_cis_id(struct cur *c, struct mh_msg *m)
{
	cur_u32(c, &m->cis_id);
	return true;
}

/*
 * docs/wire.md 5.9: scope, count, reserved, then the subject (a CIS-ID, or
 * the egress's address) and count metrics.  Each metric is checked as
 * metric.c checks one, of the kind the scope reports, and at most once.
 * G (the instance is gone) is about an instance, and a gone instance has
 * no metrics: scope 1 and count 0, or it is MH_E_OPT_VALUE; without G,
 * count is 1..8.
 */
static bool
metrics_valid(const struct mh_metrics *x)
{
	enum cats_metric_kind want = x->scope == MH_MS_INSTANCE ?
	    CATS_MK_COMPUTE : CATS_MK_NETWORK;

	if (x->scope != MH_MS_INSTANCE && x->scope != MH_MS_PATH)
		return false;
	if (x->scope == MH_MS_INSTANCE && x->cis_id == 0)
		return false;
	if (x->gone)
		return x->scope == MH_MS_INSTANCE && x->n == 0;
	return x->n > 0 && x->n <= MH_MAX_METRICS &&
	    cats_samples_check(x->s, x->n, want) == CATS_MERR_OK;
}

static bool
dec_metrics(struct cur *c, struct mh_msg *m)
{
	struct mh_metrics *x = &m->metrics;
	uint16_t flags = 0;

	cur_u8(c, &x->scope);
	cur_u8(c, &x->n);
	cur_u16(c, &flags);
	x->gone = (flags & MH_MF_GONE) != 0;	/* other bits: ignored */
	if (x->scope == MH_MS_INSTANCE)
		cur_u32(c, &x->cis_id);
	else
		cur_bytes(c, x->egress, 16);
	if (x->n > MH_MAX_METRICS ||
	    cur_left(c) != (size_t)x->n * CATS_SAMPLE_WIRE_LEN)
		return false;
	for (uint8_t i = 0; i < x->n; i++)
		if (!cats_sample_read(c, &x->s[i]))
			return false;
	return metrics_valid(x);
}

static bool
dec_auth(struct cur *c, struct mh_msg *m)
{
	cur_u8(c, &m->auth_subtype);
	cur_u32(c, &m->auth_spi);
	m->auth_data.len = (uint8_t)cur_left(c);
	cur_view(c, &m->auth_data.p, m->auth_data.len);
	return m->auth_subtype != 0;
}

/* ------------------------------------------------------------------ */
/* Option encoders: write the body; the caller writes type and length. */

static void
enc_cats_msg(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u8(w, m->kind);
	wb_u8(w, m->cats_flags);
}

static void
enc_mnid(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u8(w, m->mnid_subtype);
	wb_bytes(w, m->mnid.p, m->mnid.len);
}

static void
enc_hi(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u8(w, 0);
	wb_u8(w, m->hi);
}

static void
enc_att(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u8(w, 0);
	wb_u8(w, m->att);
}

static void
enc_llid(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u16(w, 0);
	wb_bytes(w, m->llid.p, m->llid.len);
}

static void
enc_prefix(struct wbuf *w, const struct mh_prefix *p)
{
	wb_u8(w, 0);
	wb_u8(w, p->len);
	wb_bytes(w, p->addr, 16);
}

static void
enc_hnp(struct wbuf *w, const struct mh_msg *m, int i)
{
	enc_prefix(w, &m->hnp[i]);
}

static void
enc_timestamp(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u64(w, m->timestamp);
}

static void
enc_lla(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_bytes(w, m->lla, 16);
}

static void
enc_crid(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u8(w, m->crid.len);
	wb_u8(w, m->crid_format);
	wb_bytes(w, m->crid.p, m->crid.len);
}

static void
enc_service_id(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u8(w, m->service_id.len);
	wb_u8(w, 0);
	wb_bytes(w, m->service_id.p, m->service_id.len);
}

static void
enc_req_body(struct wbuf *w, const struct mh_cats_req *r)
{
	wb_u32(w, r->min_bw);
	wb_u32(w, r->max_lat);
	wb_u32(w, r->max_jitter);
	wb_u32(w, r->max_loss);
	wb_u32(w, r->comp_lat);
	wb_bytes(w, r->affinity.p, r->affinity.len);
}

static void
enc_req(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	enc_req_body(w, &m->req);
}

static void
enc_cond(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	enc_req_body(w, &m->cond);
}

static void
enc_svc_prefix(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	enc_prefix(w, &m->svc_prefix);
}

static void
enc_client_addr(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_bytes(w, m->client_addr, 16);
}

static void
enc_cats_addr(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_bytes(w, m->cats_addr, 16);
}

static void
enc_tx(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u32(w, m->tx.id);
	wb_u32(w, m->tx.next_seq);
	wb_u32(w, m->tx.state_len);
	wb_u16(w, m->tx.port);
	wb_u16(w, 0);
}

static void
enc_cis_id(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u32(w, m->cis_id);
}

static void
enc_metrics(struct wbuf *w, const struct mh_msg *m, int i)
{
	const struct mh_metrics *x = &m->metrics;

	(void)i;
	wb_u8(w, x->scope);
	wb_u8(w, x->n);
	wb_u16(w, x->gone ? MH_MF_GONE : 0);
	if (x->scope == MH_MS_INSTANCE)
		wb_u32(w, x->cis_id);
	else
		wb_bytes(w, x->egress, 16);
	for (uint8_t k = 0; k < x->n && k < MH_MAX_METRICS; k++)
		cats_sample_write(w, &x->s[k]);
}

static void
enc_auth(struct wbuf *w, const struct mh_msg *m, int i)
{
	(void)i;
	wb_u8(w, m->auth_subtype);
	wb_u32(w, m->auth_spi);
	wb_bytes(w, m->auth_data.p, m->auth_data.len);
}

/* ------------------------------------------------------------------ */
/* The tables                                                          */

/*
 * Lengths are of the option body (RFC 6275 6.2: without type and length).
 * Alignment moduli n are powers of two, so xn+y is checked with a mask.
 * Alignment xn+y is RFC 6275 6.2 / RFC 5213 8 for the RFC options; for the
 * CATS ones it puts each address or 32-bit field on its natural boundary.
 * Table order is encoding order; the authentication option stays last.
 */
static const struct opt_row opt_tab[MH_O__COUNT] = {
	[MH_O_CATS_MSG]    = { { MH_OT_CATS_MSG, "cats-msg", 2, 2, 0, 0, 1 },
			       enc_cats_msg, 0, 0, 0 },
	[MH_O_MNID]        = { { MH_OT_MNID, "mn-id", 2, 255, 0, 0, 1 },
			       enc_mnid, 0, 0, 0 },
	[MH_O_HI]          = { { MH_OT_HI, "handoff-indicator", 2, 2, 0, 0, 1 },
			       enc_hi, 0, 1, 0xff },
	[MH_O_ATT]         = { { MH_OT_ATT, "access-tech-type", 2, 2, 0, 0, 1 },
			       enc_att, 0, 1, 0xff },
	[MH_O_LLID]        = { { MH_OT_LLID, "mn-link-layer-id", 3, 255, 8, 2, 1 },
			       enc_llid, 0, 2, 0xffff },
	[MH_O_HNP]         = { { MH_OT_HNP, "home-network-prefix", 18, 18, 8, 4,
				 MH_MAX_HNP }, enc_hnp, 0, 1, 0xff },
	[MH_O_TIMESTAMP]   = { { MH_OT_TIMESTAMP, "timestamp", 8, 8, 8, 2, 1 },
			       enc_timestamp, 0, 0, 0 },
	[MH_O_LLA]         = { { MH_OT_LLA, "link-local-address", 16, 16, 8, 6, 1 },
			       enc_lla, 0, 0, 0 },
	[MH_O_CR_ID]       = { { MH_OT_CR_ID, "cr-id", 3, 255, 0, 0, 1 },
			       enc_crid, 0, 0, 0 },
	[MH_O_SERVICE_ID]  = { { MH_OT_SERVICE_ID, "service-id", 3, 255, 0, 0, 1 },
			       enc_service_id, 1, 1, 0xff },
	[MH_O_CATS_REQ]    = { { MH_OT_CATS_REQ, "cats-requirements", 20, 255, 4, 2,
				 1 }, enc_req, 0, 0, 0 },
	[MH_O_CATS_COND]   = { { MH_OT_CATS_COND, "cats-conditions", 20, 255, 4, 2,
				 1 }, enc_cond, 0, 0, 0 },
	[MH_O_SVC_PREFIX]  = { { MH_OT_SVC_PREFIX, "service-prefix", 18, 18, 8, 4, 1 },
			       enc_svc_prefix, 0, 1, 0xff },
	[MH_O_CLIENT_ADDR] = { { MH_OT_CLIENT_ADDR, "client-addr", 16, 16, 8, 6, 1 },
			       enc_client_addr, 0, 0, 0 },
	[MH_O_CATS_ADDR]   = { { MH_OT_CATS_ADDR, "cats-addr", 16, 16, 8, 6, 1 },
			       enc_cats_addr, 0, 0, 0 },
	[MH_O_TRANSACTION] = { { MH_OT_TRANSACTION, "transaction", 16, 16, 4, 2, 1 },
			       enc_tx, 14, 2, 0xffff },
	[MH_O_CIS_ID]      = { { MH_OT_CIS_ID, "cis-id", 4, 4, 4, 2, 1 },
			       enc_cis_id, 0, 0, 0 },
	[MH_O_CATS_METRICS] = { { MH_OT_CATS_METRICS, "cats-metrics",
				 8,	/* G: a CIS-ID, no metric */
				 20 + MH_MAX_METRICS * CATS_SAMPLE_WIRE_LEN, 4, 2,
				 1 }, enc_metrics, 2, 2, (uint16_t)~MH_MF_GONE },
	[MH_O_AUTH]        = { { MH_OT_AUTH, "authentication", 5, 255, 4, 1, 1 },
			       enc_auth, 0, 0, 0 },
};

/* Option type -> row of opt_tab plus one; 0 for unknown types. */
static const uint8_t opt_index1[256] = {
	[MH_OT_CATS_MSG] = MH_O_CATS_MSG + 1,
	[MH_OT_MNID] = MH_O_MNID + 1,
	[MH_OT_HI] = MH_O_HI + 1,
	[MH_OT_ATT] = MH_O_ATT + 1,
	[MH_OT_LLID] = MH_O_LLID + 1,
	[MH_OT_HNP] = MH_O_HNP + 1,
	[MH_OT_TIMESTAMP] = MH_O_TIMESTAMP + 1,
	[MH_OT_LLA] = MH_O_LLA + 1,
	[MH_OT_CR_ID] = MH_O_CR_ID + 1,
	[MH_OT_SERVICE_ID] = MH_O_SERVICE_ID + 1,
	[MH_OT_CATS_REQ] = MH_O_CATS_REQ + 1,
	[MH_OT_CATS_COND] = MH_O_CATS_COND + 1,
	[MH_OT_SVC_PREFIX] = MH_O_SVC_PREFIX + 1,
	[MH_OT_CLIENT_ADDR] = MH_O_CLIENT_ADDR + 1,
	[MH_OT_CATS_ADDR] = MH_O_CATS_ADDR + 1,
	[MH_OT_TRANSACTION] = MH_O_TRANSACTION + 1,
	[MH_OT_CIS_ID] = MH_O_CIS_ID + 1,
	[MH_OT_CATS_METRICS] = MH_O_CATS_METRICS + 1,
	[MH_OT_AUTH] = MH_O_AUTH + 1,
};

#define B(o)	MH_BIT(MH_O_##o)
#define COMMON	(B(MNID) | B(TIMESTAMP) | B(AUTH))

/*
 * The message kinds.  Mandatory sets follow the drafts: anchoring 4.1 (the
 * terminal is named by the MN Identifier; the service by Service_ID),
 * mobility 4.1-4.2 (client node address, and the CATS address naming the
 * egress in a notification and the old ingress in an indication to the
 * egress).  Kinds the drafts leave without a format (transaction switching,
 * locator, the client's own service request) are ours; docs/wire.md gives
 * the reasoning.
 */
static const struct mh_kind_info kind_tab[] = {
	{ MH_K_PBU, MH_TYPE_BU, false, "pbu", 0,
	  COMMON | B(HI) | B(ATT) | B(LLID) | B(HNP) | B(LLA) },
	{ MH_K_CATS_QUERY, MH_TYPE_BU, false, "cats-query",
	  B(MNID) | B(SERVICE_ID),
	  COMMON | B(CR_ID) | B(CATS_REQ) | B(CLIENT_ADDR) | B(HNP) |
	  B(CIS_ID) },
	{ MH_K_CATS_REQUEST, MH_TYPE_BU, true, "cats-request",
	  B(MNID) | B(SERVICE_ID),
	  COMMON | B(CR_ID) | B(CATS_REQ) | B(CLIENT_ADDR) | B(HNP) | B(HI) |
	  B(ATT) },
	{ MH_K_MOB_NOTIFY, MH_TYPE_BU, false, "mob-notify",
	  B(CLIENT_ADDR) | B(CATS_ADDR),
	  COMMON | B(SERVICE_ID) | B(LLID) | B(SVC_PREFIX) | B(CIS_ID) |
	  B(CATS_REQ) },
	{ MH_K_MOB_REQUEST, MH_TYPE_BU, true, "mob-request",
	  B(CLIENT_ADDR), COMMON | B(SERVICE_ID) | B(LLID) },
	{ MH_K_TX_TRANSFER_REQ, MH_TYPE_BU, true, "tx-transfer-request",
	  B(CLIENT_ADDR) | B(CATS_ADDR) | B(SERVICE_ID) | B(TRANSACTION),
	  COMMON | B(CR_ID) },
	{ MH_K_TX_TRANSFER_NOTIFY, MH_TYPE_BU, false, "tx-transfer-notify",
	  B(CLIENT_ADDR) | B(CATS_ADDR) | B(SERVICE_ID) | B(TRANSACTION),
	  COMMON | B(CR_ID) | B(SVC_PREFIX) },
	{ MH_K_LOC_REGISTER, MH_TYPE_BU, false, "loc-register",
	  B(CLIENT_ADDR) | B(CATS_ADDR), COMMON | B(LLID) | B(SERVICE_ID) },
	{ MH_K_LOC_QUERY, MH_TYPE_BU, false, "loc-query",
	  B(CLIENT_ADDR), COMMON | B(LLID) },
	{ MH_K_SVC_REQUEST, MH_TYPE_BU, true, "svc-request",
	  B(SERVICE_ID), COMMON | B(CATS_REQ) | B(CLIENT_ADDR) },
	{ MH_K_METRIC_REPORT, MH_TYPE_BU, false, "metric-report",
	  B(CATS_METRICS), COMMON },
	/* RFC 5847 3: a peer that answers is alive; docs/wire.md says why
	 * it is a CATS kind here rather than MH type 23 */
	{ MH_K_HEARTBEAT, MH_TYPE_BU, false, "heartbeat", 0, COMMON },
	{ MH_K_PBA, MH_TYPE_BA, false, "pba", 0,
	  COMMON | B(HI) | B(ATT) | B(LLID) | B(HNP) | B(LLA) },
	{ MH_K_CATS_RESPONSE, MH_TYPE_BA, false, "cats-response",
	  B(SERVICE_ID), COMMON | B(CR_ID) | B(CATS_COND) | B(CATS_ADDR) |
	  B(CIS_ID) },
	{ MH_K_CATS_ACK, MH_TYPE_BA, false, "cats-ack",
	  B(SERVICE_ID), COMMON | B(CR_ID) | B(SVC_PREFIX) | B(HNP) | B(CATS_COND) |
	  B(CIS_ID) },
	{ MH_K_MOB_INDICATION, MH_TYPE_BA, false, "mob-indication",
	  B(CLIENT_ADDR), COMMON | B(CATS_ADDR) | B(SERVICE_ID) },
	{ MH_K_TX_CONFIRM, MH_TYPE_BA, false, "tx-confirm",
	  B(CLIENT_ADDR) | B(TRANSACTION), COMMON | B(SERVICE_ID) },
	{ MH_K_TX_RECEIVED, MH_TYPE_BA, false, "tx-received",
	  B(CLIENT_ADDR) | B(TRANSACTION), COMMON | B(SERVICE_ID) | B(CIS_ID) },
	{ MH_K_LOC_REPLY, MH_TYPE_BA, false, "loc-reply",
	  B(CLIENT_ADDR), COMMON | B(CR_ID) | B(CATS_ADDR) | B(LLID) },
	{ MH_K_SVC_REPLY, MH_TYPE_BA, false, "svc-reply",
	  B(SERVICE_ID), COMMON | B(SVC_PREFIX) | B(CR_ID) | B(CATS_COND) |
	  B(CIS_ID) },
	{ MH_K_MSG_ACK, MH_TYPE_BA, false, "msg-ack",
	  0, COMMON | B(CLIENT_ADDR) | B(SERVICE_ID) },
	{ MH_K_HEARTBEAT_ACK, MH_TYPE_BA, false, "heartbeat-ack", 0, COMMON },
};
_Static_assert(sizeof(kind_tab) / sizeof(kind_tab[0]) == MH_KIND_MAX,
    "MH_KIND_MAX must count kind_tab");

#undef B
#undef COMMON

static const struct {
	uint8_t		 code;
	const char	*name;
} status_tab[] = {
	{ MH_ST_ACCEPTED, "accepted" },
	{ MH_ST_CATS_AVAILABLE, "cats-sites-available" },
	{ MH_ST_UNSPECIFIED, "reason-unspecified" },
	{ MH_ST_PROHIBITED, "administratively-prohibited" },
	{ MH_ST_INSUFFICIENT_RESOURCES, "insufficient-resources" },
	{ MH_ST_SEQ_OUT_OF_WINDOW, "sequence-out-of-window" },
	{ MH_ST_NOT_LMA_FOR_MN, "not-lma-for-this-mobile-node" },
	{ MH_ST_NOT_AUTHORIZED_PROXY, "not-authorized-for-proxy-reg" },
	{ MH_ST_NOT_AUTHORIZED_HNP, "not-authorized-for-home-network-prefix" },
	{ MH_ST_TIMESTAMP_MISMATCH, "timestamp-mismatch" },
	{ MH_ST_TIMESTAMP_LOWER, "timestamp-lower-than-prev-accepted" },
	{ MH_ST_MISSING_HNP, "missing-home-network-prefix-option" },
	{ MH_ST_BCE_PREFIX_MISMATCH, "bce-pbu-prefix-set-do-not-match" },
	{ MH_ST_MISSING_MNID, "missing-mn-identifier-option" },
	{ MH_ST_MISSING_HI, "missing-handoff-indicator-option" },
	{ MH_ST_MISSING_ATT, "missing-access-tech-type-option" },
	{ MH_ST_GRE_KEY_REQUIRED, "gre-key-option-required" },
	{ MH_ST_CATS_UNAVAILABLE, "no-cats-sites-available" },
	{ MH_ST_CATS_UNKNOWN_CLIENT, "unknown-client" },
	{ MH_ST_CATS_NOT_PEER, "not-a-cats-peer" },
};

static const char *const err_tab[MH_E__COUNT] = {
	[MH_OK] = "ok",
	[MH_E_SHORT] = "shorter than a binding update or acknowledgement",
	[MH_E_HDRLEN] = "header length runs past the end",
	[MH_E_TRAILING] = "bytes after the header length",
	[MH_E_PROTO] = "payload proto is not 59 (no next header)",
	[MH_E_TYPE] = "MH type is not binding update or acknowledgement",
	[MH_E_CHECKSUM] = "checksum does not verify",
	[MH_E_OPT_TRUNC] = "option runs past the end",
	[MH_E_OPT_LEN] = "option length wrong for its type",
	[MH_E_OPT_ALIGN] = "option breaks its alignment rule",
	[MH_E_PAD] = "padding over 7 octets or PadN not zero",
	[MH_E_OPT_DUP] = "option repeated where one is allowed",
	[MH_E_OPT_VALUE] = "invalid option field value",
	[MH_E_AUTH_NOT_LAST] = "option after the authentication option",
	[MH_E_KIND] = "CATS flag, message kind and request flag disagree",
	[MH_E_MISSING] = "mandatory option missing for the message kind",
	[MH_E_NOSPACE] = "output buffer too small",
	[MH_E_LAYOUT] = "options and their layout disagree",
};

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

const struct mh_kind_info *
mh_kind_info(uint8_t kind)
{
	size_t i;

	for (i = 0; i < MH_KIND_MAX; i++)
		if (kind_tab[i].kind == kind)
			return &kind_tab[i];
	return NULL;
}

const struct mh_kind_info *
mh_kind_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < MH_KIND_MAX; i++)
		if (strcmp(kind_tab[i].name, name) == 0)
			return &kind_tab[i];
	return NULL;
}

const struct mh_kind_info *
mh_kind_at(size_t i)
{
	return i < MH_KIND_MAX ? &kind_tab[i] : NULL;
}

const struct mh_opt_info *
mh_opt_info(enum mh_opt o)
{
	return (unsigned)o < MH_O__COUNT ? &opt_tab[o].info : NULL;
}

uint16_t
mh_opt_rsvd(uint8_t type)
{
	uint8_t idx1 = opt_index1[type];

	return idx1 != 0 && opt_tab[idx1 - 1].rsvd_len ?
	    opt_tab[idx1 - 1].rsvd_mask : 0;
}

const char *
mh_strerror(enum mh_err e)
{
	return (unsigned)e < MH_E__COUNT ? err_tab[e] : "unknown error";
}

const char *
mh_status_name(uint8_t status)
{
	size_t i;

	for (i = 0; i < sizeof(status_tab) / sizeof(status_tab[0]); i++)
		if (status_tab[i].code == status)
			return status_tab[i].name;
	return NULL;
}

bool
mh_status_accepted(uint8_t status)
{
	return status < 128;	/* RFC 6275 6.1.8 */
}

/* ------------------------------------------------------------------ */
/* Checksum: RFC 6275 6.1.1, one's complement over the IPv6 pseudo-header
 * (RFC 8200 8.1) with next header 135, then the whole MH.  Words are summed
 * in host order 32 bits at a time (RFC 1071 2(B)); one swap at the end.  */

/* 64-bit words with end-around carry: 2^64 = 1 modulo 0xffff (RFC 1071). */
static uint64_t
sum_bytes(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t q, carry = 0;
	uint16_t h;
	uint8_t last[2];

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&q, p, 8);
		sum += q;
		carry += sum < q;
	}
	for (; len >= 2; p += 2, len -= 2) {
		memcpy(&h, p, 2);
		sum += h;
		carry += sum < h;
	}
	if (len == 1) {
		last[0] = p[0];
		last[1] = 0;
		memcpy(&h, last, 2);
		sum += h;
		carry += sum < h;
	}
	sum += carry;
	return sum + (sum < carry);
}

static uint16_t
sum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint64_t
sum_be32(uint64_t sum, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return sum_bytes(sum, b, 4);
}

/* The folded sum in network order as a number: 0xffff means it verifies. */
static uint16_t
csum_total(const uint8_t *mh, size_t len, const struct mh_addrs *a,
    uint8_t next_header)
{
	uint64_t sum = 0;
	uint16_t folded;
	uint8_t be[2];

	sum = sum_bytes(sum, a->src, 16);
	sum = sum_bytes(sum, a->dst, 16);
	sum = sum_be32(sum, (uint32_t)len);
	sum = sum_be32(sum, next_header);
	sum = sum_bytes(sum, mh, len);
	folded = sum_fold(sum);
	memcpy(be, &folded, 2);
	return (uint16_t)(be[0] << 8 | be[1]);
}

/* The value to put in the checksum field of mh (whose field must be 0). */
uint16_t
mh_checksum(const uint8_t *mh, size_t len, const struct mh_addrs *addrs)
{
	return ip6_checksum(mh, len, addrs, MH_IPPROTO);
}

uint16_t
ip6_checksum(const uint8_t *p, size_t len, const struct mh_addrs *addrs,
    uint8_t next_header)
{
	return (uint16_t)~csum_total(p, len, addrs, next_header);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

/* The type of the first mandatory option of the kind that is missing. */
static uint8_t
first_missing(uint32_t missing)
{
	int i;

	for (i = 0; i < MH_O__COUNT; i++)
		if (missing & MH_BIT(i))
			return opt_tab[i].info.type;
	return 0;
}

static enum mh_err
fail(struct mh_error *e, enum mh_err code, size_t off, uint8_t opt)
{
	e->code = code;
	e->off = off;
	e->opt = opt;
	return code;
}

static void
note_unknown(struct mh_msg *m, uint8_t type, uint8_t len, size_t off)
{
	if (m->n_unknown < MH_MAX_UNKNOWN) {
		m->unknown[m->n_unknown].type = type;
		m->unknown[m->n_unknown].len = len;
		m->unknown[m->n_unknown].off = (uint16_t)off;
	}
	if (m->n_unknown < UINT8_MAX)
		m->n_unknown++;
}

/* RFC 6275 6.2: Pad1 is one zero octet; PadN's data are zero octets. */
static enum mh_err
dec_pad(struct cur *body, size_t *run, size_t off, struct mh_error *e)
{
	uint8_t b;

	*run += 2 + cur_left(body);
	if (*run > MH_MAX_PAD_RUN)
		return fail(e, MH_E_PAD, off, MH_OT_PADN);
	while (cur_u8(body, &b))
		if (b != 0)
			return fail(e, MH_E_PAD, cur_off(body) - 1, MH_OT_PADN);
	return MH_OK;
}

/*
 * The option's decoder.  A switch, not a pointer in opt_tab, so that the
 * compiler inlines each one: this is the inner loop of every decode, and
 * it is measurably faster (make bench).  opt_tab keeps what is data.
 */
static bool
dec_body(uint8_t idx, struct cur *c, struct mh_msg *m)
{
	switch ((enum mh_opt)idx) {
	case MH_O_CATS_MSG:	return dec_cats_msg(c, m);
	case MH_O_MNID:		return dec_mnid(c, m);
	case MH_O_HI:		return dec_hi(c, m);
	case MH_O_ATT:		return dec_att(c, m);
	case MH_O_LLID:		return dec_llid(c, m);
	case MH_O_HNP:		return dec_hnp(c, m);
	case MH_O_TIMESTAMP:	return dec_timestamp(c, m);
	case MH_O_LLA:		return dec_lla(c, m);
	case MH_O_CR_ID:	return dec_crid(c, m);
	case MH_O_SERVICE_ID:	return dec_service_id(c, m);
	case MH_O_CATS_REQ:	return dec_req(c, m);
	case MH_O_CATS_COND:	return dec_cond(c, m);
	case MH_O_SVC_PREFIX:	return dec_svc_prefix(c, m);
	case MH_O_CLIENT_ADDR:	return dec_client_addr(c, m);
	case MH_O_CATS_ADDR:	return dec_cats_addr(c, m);
	case MH_O_TRANSACTION:	return dec_tx(c, m);
	case MH_O_CIS_ID:	return dec_cis_id(c, m);
	case MH_O_CATS_METRICS:	return dec_metrics(c, m);
	case MH_O_AUTH:		return dec_auth(c, m);
	case MH_O__COUNT:	break;
	}
	return false;
}

static enum mh_err
dec_known(struct cur *body, uint8_t idx, size_t off, uint8_t count[],
    struct mh_msg *m, struct mh_error *e)
{
	const struct opt_row *r = &opt_tab[idx];
	size_t len = cur_left(body);

	if (len < r->info.min_len || len > r->info.max_len)
		return fail(e, MH_E_OPT_LEN, off + 1, r->info.type);
	if (r->info.align_n && (off & (r->info.align_n - 1u)) != r->info.align_y)
		return fail(e, MH_E_OPT_ALIGN, off, r->info.type);
	if (count[idx] >= r->info.max_count)
		return fail(e, MH_E_OPT_DUP, off, r->info.type);
	count[idx]++;
	if (!dec_body(idx, body, m) || !cur_done(body))
		return fail(e, MH_E_OPT_VALUE, off + 2, r->info.type);
	m->present |= MH_BIT(idx);
	return MH_OK;
}

/* A known option's reserved field as it came, 0 if it has none. */
static uint16_t
rsvd_read(const struct opt_row *r, const uint8_t *body, uint8_t len)
{
	uint16_t v;

	if (r->rsvd_len == 0 || len < r->rsvd_off + r->rsvd_len)
		return 0;
	v = body[r->rsvd_off];
	if (r->rsvd_len == 2)
		v = (uint16_t)(v << 8 | body[r->rsvd_off + 1]);
	return v & r->rsvd_mask;
}

/* Record one element of the options area, when asked to (catsctl). */
static enum mh_err
dec_note(struct mh_layout *lay, uint8_t type, const struct cur *body,
    size_t off, struct mh_error *e)
{
	const uint8_t *p = NULL;
	uint8_t len = 0, idx1 = opt_index1[type];

	if (lay == NULL)
		return MH_OK;
	if (type != MH_OT_PAD1) {
		len = (uint8_t)cur_left(body);
		p = body->p + body->pos;
	}
	if (!mh_layout_add(lay, type, len, idx1 ? NULL : p))
		return fail(e, MH_E_NOSPACE, off, type);
	if (idx1 != 0)
		lay->e[lay->n - 1].rsvd = rsvd_read(&opt_tab[idx1 - 1], p, len);
	return MH_OK;
}

static enum mh_err
dec_options(struct cur *c, struct mh_msg *m, struct mh_layout *lay,
    struct mh_error *e)
{
	uint8_t count[MH_O__COUNT] = { 0 };
	struct cur body;
	size_t off, run = 0;
	uint8_t type, len, idx;
	enum mh_err rc;

	while (cur_left(c) > 0) {
		off = cur_off(c);
		cur_u8(c, &type);
		if (type == MH_OT_PAD1) {
			if (++run > MH_MAX_PAD_RUN)
				return fail(e, MH_E_PAD, off, MH_OT_PAD1);
			if ((rc = dec_note(lay, type, c, off, e)) != MH_OK)
				return rc;
			continue;
		}
		if (!cur_u8(c, &len) || !cur_sub(c, len, &body))
			return fail(e, MH_E_OPT_TRUNC, off, type);
		if ((rc = dec_note(lay, type, &body, off, e)) != MH_OK)
			return rc;
		if (type == MH_OT_PADN) {
			if ((rc = dec_pad(&body, &run, off, e)) != MH_OK)
				return rc;
			continue;
		}
		run = 0;
		if (m->present & MH_BIT(MH_O_AUTH))
			return fail(e, MH_E_AUTH_NOT_LAST, off, type);
		idx = opt_index1[type];
		if (idx-- == 0) {
			note_unknown(m, type, len, off);	/* RFC 6275 6.2.1 */
			continue;
		}
		if ((rc = dec_known(&body, idx, off, count, m, e)) != MH_OK)
			return rc;
	}
	return MH_OK;
}

/* The C flag, the CATS message option and the X flag must tell one kind. */
static enum mh_err
dec_kind(struct mh_msg *m, struct mh_error *e)
{
	bool is_bu = m->type == MH_TYPE_BU;
	bool c = m->flags & (is_bu ? MH_BU_C : MH_BA_C);
	bool has_opt = m->present & MH_BIT(MH_O_CATS_MSG);
	size_t flags_off = is_bu ? 8 : 7;
	const struct mh_kind_info *ki;

	if (!c && !has_opt) {
		m->kind = is_bu ? MH_K_PBU : MH_K_PBA;
		m->cats_flags = 0;
		return MH_OK;
	}
	if (c != has_opt)
		return fail(e, MH_E_KIND, flags_off, MH_OT_CATS_MSG);
	ki = mh_kind_info(m->kind);
	if (ki == NULL || ki->mh_type != m->type ||
	    m->kind == MH_K_PBU || m->kind == MH_K_PBA)
		return fail(e, MH_E_KIND, flags_off, MH_OT_CATS_MSG);
	if (is_bu && ki->x != !!(m->flags & MH_BU_X))
		return fail(e, MH_E_KIND, flags_off, MH_OT_CATS_MSG);
	return MH_OK;
}

static enum mh_err
dec_mandatory(const struct mh_msg *m, size_t end, struct mh_error *e)
{
	const struct mh_kind_info *ki = mh_kind_info(m->kind);
	uint32_t missing = ki->mandatory & ~m->present;

	if (missing == 0)
		return MH_OK;
	return fail(e, MH_E_MISSING, end, first_missing(missing));
}

static void
dec_fixed(struct cur *c, struct mh_msg *m)
{
	uint8_t flags8;

	if (m->type == MH_TYPE_BU) {
		m->status = 0;
		cur_u16(c, &m->seq);
		cur_u16(c, &m->flags);
		cur_u16(c, &m->lifetime);
		return;
	}
	cur_u8(c, &m->status);
	cur_u8(c, &flags8);
	m->flags = flags8;
	cur_u16(c, &m->seq);
	cur_u16(c, &m->lifetime);
}

enum mh_err
mh_decode(const uint8_t *buf, size_t len, const struct mh_addrs *addrs,
    struct mh_msg *m, struct mh_error *e)
{
	return mh_decode_layout(buf, len, addrs, m, NULL, e);
}

enum mh_err
mh_decode_layout(const uint8_t *buf, size_t len, const struct mh_addrs *addrs,
    struct mh_msg *m, struct mh_layout *lay, struct mh_error *e)
{
	struct cur c, opts;
	uint8_t proto, hlen;
	size_t total;
	enum mh_err rc;

	e->code = MH_OK;
	e->off = 0;
	e->opt = 0;
	m->present = 0;
	m->n_hnp = 0;
	m->n_unknown = 0;
	if (lay != NULL) {
		lay->n = lay->used = 0;
		lay->hdr_rsvd = len > 3 ? buf[3] : 0;
	}
	cur_init(&c, buf, len);
	if (len < MH_FIXED_LEN)
		return fail(e, MH_E_SHORT, len, 0);
	cur_u8(&c, &proto);
	cur_u8(&c, &hlen);
	cur_u8(&c, &m->type);
	total = ((size_t)hlen + 1) * 8;		/* RFC 6275 6.1.1 */
	if (total > len)
		return fail(e, MH_E_HDRLEN, 1, 0);
	if (total < len)
		return fail(e, MH_E_TRAILING, total, 0);
	if (proto != MH_PAYLOAD_NONE)
		return fail(e, MH_E_PROTO, 0, 0);
	if (m->type != MH_TYPE_BU && m->type != MH_TYPE_BA)
		return fail(e, MH_E_TYPE, 2, 0);
	cur_skip(&c, 3);			/* reserved, checksum */
	dec_fixed(&c, m);
	cur_sub(&c, cur_left(&c), &opts);
	if ((rc = dec_options(&opts, m, lay, e)) != MH_OK)
		return rc;
	if ((rc = dec_kind(m, e)) != MH_OK)
		return rc;
	if ((rc = dec_mandatory(m, total, e)) != MH_OK)
		return rc;
	/* Last, so that a message with a bad checksum is still fully read. */
	if (addrs != NULL && csum_total(buf, total, addrs, MH_IPPROTO) != 0xffff)
		return fail(e, MH_E_CHECKSUM, 4, 0);
	return MH_OK;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

/* RFC 6275 6.2: Pad1 or PadN so that the next option starts at xn+y
 * (every n in opt_tab is a power of two). */
static void
enc_pad_to(struct wbuf *w, unsigned n, unsigned y)
{
	size_t pad;

	if (n == 0)
		return;
	pad = (y - w->len) & (n - 1);
	if (pad == 1) {
		wb_u8(w, MH_OT_PAD1);
	} else if (pad > 1) {
		wb_u8(w, MH_OT_PADN);
		wb_u8(w, (uint8_t)(pad - 2));
		wb_zero(w, pad - 2);
	}
}

/* The type of the first option whose values break a rule, 0 if none. */
static uint8_t
enc_invalid_option(const struct mh_msg *m, uint32_t present)
{
	int i;

	for (i = 0; i < m->n_hnp && (present & MH_BIT(MH_O_HNP)); i++)
		if (!prefix_valid(&m->hnp[i]))
			return MH_OT_HNP;
	if ((present & MH_BIT(MH_O_SVC_PREFIX)) && !prefix_valid(&m->svc_prefix))
		return MH_OT_SVC_PREFIX;
	if ((present & MH_BIT(MH_O_CR_ID)) &&
	    !crid_valid(m->crid_format, m->crid.len))
		return MH_OT_CR_ID;
	if ((present & MH_BIT(MH_O_CATS_REQ)) && !mh_affinity_valid(&m->req.affinity))
		return MH_OT_CATS_REQ;
	if ((present & MH_BIT(MH_O_CATS_COND)) &&
	    !mh_affinity_valid(&m->cond.affinity))
		return MH_OT_CATS_COND;
	if ((present & MH_BIT(MH_O_CATS_METRICS)) &&
	    !metrics_valid(&m->metrics))
		return MH_OT_CATS_METRICS;
	if ((present & MH_BIT(MH_O_MNID)) && m->mnid_subtype == 0)
		return MH_OT_MNID;
	if ((present & MH_BIT(MH_O_AUTH)) && m->auth_subtype == 0)
		return MH_OT_AUTH;
	return 0;
}

/* One option at the current offset, its length filled in. */
static enum mh_err
enc_option_at(struct wbuf *w, const struct mh_msg *m, int idx, int i,
    struct mh_error *e)
{
	const struct opt_row *r = &opt_tab[idx];
	size_t start = w->len, blen;

	wb_u8(w, r->info.type);
	wb_u8(w, 0);
	r->enc(w, m, i);
	if (!wb_ok(w))
		return fail(e, MH_E_NOSPACE, start, r->info.type);
	blen = w->len - start - 2;
	if (blen < r->info.min_len || blen > r->info.max_len)
		return fail(e, MH_E_OPT_LEN, start + 1, r->info.type);
	wb_set_u8(w, start + 1, (uint8_t)blen);
	return MH_OK;
}

static enum mh_err
enc_options(struct wbuf *w, const struct mh_msg *m, uint32_t present,
    struct mh_error *e)
{
	const struct opt_row *r;
	enum mh_err rc;
	int idx, i, n;

	for (idx = 0; idx < MH_O__COUNT; idx++) {
		if (!(present & MH_BIT(idx)))
			continue;
		r = &opt_tab[idx];
		n = idx == MH_O_HNP ? m->n_hnp : 1;
		for (i = 0; i < n; i++) {
			enc_pad_to(w, r->info.align_n, r->info.align_y);
			if ((rc = enc_option_at(w, m, idx, i, e)) != MH_OK)
				return rc;
		}
	}
	enc_pad_to(w, 8, 0);		/* RFC 6275 6.1.1: multiple of 8 */
	return MH_OK;
}

bool
mh_layout_add(struct mh_layout *lay, uint8_t type, uint8_t len,
    const uint8_t *body)
{
	struct mh_elem *el;

	if (lay->n >= MH_MAX_ELEMS)
		return false;
	if (body != NULL && (size_t)lay->used + len > sizeof(lay->octets))
		return false;
	el = &lay->e[lay->n++];
	el->type = type;
	el->len = len;
	el->data = lay->used;
	el->rsvd = 0;
	if (body != NULL) {
		memcpy(lay->octets + lay->used, body, len);
		lay->used += len;
	}
	return true;
}

/* A pad element, as the decoder reads pads: runs of at most 7 octets. */
static enum mh_err
enc_layout_pad(struct wbuf *w, const struct mh_elem *el, size_t *run,
    struct mh_error *e)
{
	size_t start = w->len;

	*run += el->type == MH_OT_PAD1 ? 1 : 2u + el->len;
	if (*run > MH_MAX_PAD_RUN)
		return fail(e, MH_E_PAD, start, el->type);
	wb_u8(w, el->type);
	if (el->type == MH_OT_PADN) {
		wb_u8(w, el->len);
		wb_zero(w, el->len);
	}
	return MH_OK;
}

/* The reserved bits a layout kept, over what the encoder wrote there. */
static void
rsvd_write(struct wbuf *w, size_t start, const struct opt_row *r,
    uint16_t rsvd)
{
	size_t at = start + 2 + r->rsvd_off;
	uint16_t v;

	if (r->rsvd_len == 0 || rsvd == 0 || at + r->rsvd_len > w->len)
		return;
	if (r->rsvd_len == 1) {
		wb_set_u8(w, at, (uint8_t)((w->p[at] & ~r->rsvd_mask) |
		    (rsvd & r->rsvd_mask)));
		return;
	}
	v = (uint16_t)(w->p[at] << 8 | w->p[at + 1]);
	wb_set_u16(w, at, (uint16_t)((v & ~r->rsvd_mask) | (rsvd & r->rsvd_mask)));
}

/* A known option of the layout: the next instance of it in m. */
static enum mh_err
enc_layout_known(struct wbuf *w, const struct mh_msg *m, uint32_t present,
    const struct mh_elem *el, uint8_t used[], struct mh_error *e)
{
	uint8_t idx = opt_index1[el->type] - 1;
	const struct opt_row *r = &opt_tab[idx];
	uint8_t n = idx == MH_O_HNP ? m->n_hnp : 1;
	size_t start = w->len;
	enum mh_err rc;

	if (!(present & MH_BIT(idx)))
		return fail(e, MH_E_LAYOUT, start, r->info.type);
	if (used[idx] >= n)
		return fail(e, MH_E_OPT_DUP, start, r->info.type);
	if (r->info.align_n &&
	    (start & (r->info.align_n - 1u)) != r->info.align_y)
		return fail(e, MH_E_OPT_ALIGN, start, r->info.type);
	if ((rc = enc_option_at(w, m, idx, used[idx]++, e)) != MH_OK)
		return rc;
	rsvd_write(w, start, r, el->rsvd);
	return MH_OK;
}

/* What is left over: an option of m the layout did not place. */
static enum mh_err
enc_layout_rest(const struct wbuf *w, const struct mh_msg *m,
    uint32_t present, const uint8_t used[], struct mh_error *e)
{
	int idx;

	for (idx = 0; idx < MH_O__COUNT; idx++)
		if ((present & MH_BIT(idx)) &&
		    used[idx] != (idx == MH_O_HNP ? m->n_hnp : 1))
			return fail(e, MH_E_LAYOUT, w->len, opt_tab[idx].info.type);
	if (w->len % 8 != 0)		/* RFC 6275 6.1.1 */
		return fail(e, MH_E_LAYOUT, w->len, 0);
	return MH_OK;
}

/* The options in the layout's order and padding, checked as they go. */
static enum mh_err
enc_layout(struct wbuf *w, const struct mh_msg *m, uint32_t present,
    const struct mh_layout *lay, struct mh_error *e)
{
	uint8_t used[MH_O__COUNT] = { 0 };
	const struct mh_elem *el;
	size_t run = 0;
	bool authed = false;
	enum mh_err rc;
	uint16_t k;

	for (k = 0; k < lay->n; k++) {
		el = &lay->e[k];
		if (el->type == MH_OT_PAD1 || el->type == MH_OT_PADN) {
			if ((rc = enc_layout_pad(w, el, &run, e)) != MH_OK)
				return rc;
			continue;
		}
		run = 0;
		if (authed)			/* RFC 4285 5 */
			return fail(e, MH_E_AUTH_NOT_LAST, w->len, el->type);
		if (opt_index1[el->type] != 0) {
			rc = enc_layout_known(w, m, present, el, used, e);
			if (rc != MH_OK)
				return rc;
			authed = el->type == MH_OT_AUTH;
			continue;
		}
		if ((size_t)el->data + el->len > sizeof(lay->octets))
			return fail(e, MH_E_LAYOUT, w->len, el->type);
		wb_u8(w, el->type);
		wb_u8(w, el->len);
		wb_bytes(w, lay->octets + el->data, el->len);
	}
	if (!wb_ok(w))
		return fail(e, MH_E_NOSPACE, w->len, 0);
	return enc_layout_rest(w, m, present, used, e);
}

static void
enc_fixed(struct wbuf *w, const struct mh_msg *m, const struct mh_kind_info *ki)
{
	uint16_t flags = m->flags;
	bool cats = ki->kind != MH_K_PBU && ki->kind != MH_K_PBA;

	if (ki->mh_type == MH_TYPE_BU) {
		/* A plain PBU keeps 0x0004 as the reserved bit it is there. */
		flags &= (uint16_t)~(MH_BU_C | (cats ? MH_BU_X : 0));
		flags |= (cats ? MH_BU_C : 0) | (ki->x ? MH_BU_X : 0);
		wb_u16(w, m->seq);
		wb_u16(w, flags);
		wb_u16(w, m->lifetime);
		return;
	}
	flags = (uint16_t)((flags & ~MH_BA_C) | (cats ? MH_BA_C : 0));
	wb_u8(w, m->status);
	wb_u8(w, (uint8_t)flags);
	wb_u16(w, m->seq);
	wb_u16(w, m->lifetime);
}

enum mh_err
mh_encode(const struct mh_msg *m, const struct mh_addrs *addrs, uint8_t *out,
    size_t cap, size_t *outlen, struct mh_error *e)
{
	return mh_encode_layout(m, NULL, addrs, out, cap, outlen, e);
}

enum mh_err
mh_encode_layout(const struct mh_msg *m, const struct mh_layout *lay,
    const struct mh_addrs *addrs, uint8_t *out, size_t cap, size_t *outlen,
    struct mh_error *e)
{
	const struct mh_kind_info *ki = mh_kind_info(m->kind);
	struct wbuf w;
	uint32_t present;
	enum mh_err rc;
	uint8_t bad;

	e->code = MH_OK;
	e->off = 0;
	e->opt = 0;
	*outlen = 0;
	if (ki == NULL || ki->mh_type != m->type)
		return fail(e, MH_E_KIND, 2, MH_OT_CATS_MSG);
	present = m->present & ~MH_BIT(MH_O_CATS_MSG);
	if (ki->kind != MH_K_PBU && ki->kind != MH_K_PBA)
		present |= MH_BIT(MH_O_CATS_MSG);
	if (m->n_hnp > MH_MAX_HNP || ((present & MH_BIT(MH_O_HNP)) && !m->n_hnp))
		return fail(e, MH_E_OPT_DUP, 0, MH_OT_HNP);
	if (ki->mandatory & ~present)
		return fail(e, MH_E_MISSING, 0, first_missing(ki->mandatory & ~present));
	if ((bad = enc_invalid_option(m, present)) != 0)
		return fail(e, MH_E_OPT_VALUE, 0, bad);

	wb_init(&w, out, cap < MH_MAX_LEN ? cap : MH_MAX_LEN);
	wb_u8(&w, MH_PAYLOAD_NONE);
	wb_u8(&w, 0);			/* header length, set below */
	wb_u8(&w, m->type);
	wb_u8(&w, lay != NULL ? lay->hdr_rsvd : 0);	/* RFC 6275 6.1.1 */
	wb_u16(&w, 0);			/* checksum, set below */
	enc_fixed(&w, m, ki);
	rc = lay == NULL ? enc_options(&w, m, present, e) :
	    enc_layout(&w, m, present, lay, e);
	if (rc != MH_OK)
		return rc;
	if (!wb_ok(&w))
		return fail(e, MH_E_NOSPACE, w.len, 0);
	wb_set_u8(&w, 1, (uint8_t)(w.len / 8 - 1));
	if (addrs != NULL)
		wb_set_u16(&w, 4, mh_checksum(out, w.len, addrs));
	*outlen = w.len;
	return MH_OK;
}

/* ------------------------------------------------------------------ */
/* Building and comparing                                              */

void
mh_msg_init(struct mh_msg *m, enum mh_kind kind)
{
	const struct mh_kind_info *ki = mh_kind_info((uint8_t)kind);

	memset(m, 0, sizeof(*m));
	m->kind = (uint8_t)kind;
	m->type = ki != NULL ? ki->mh_type : MH_TYPE_BU;
	if (ki == NULL || kind == MH_K_PBU || kind == MH_K_PBA)
		return;
	m->present = MH_BIT(MH_O_CATS_MSG);
	if (ki->mh_type == MH_TYPE_BU)
		m->flags = MH_BU_C | (ki->x ? MH_BU_X : 0);
	else
		m->flags = MH_BA_C;
}

static bool
bytes_eq(const struct mh_bytes *a, const struct mh_bytes *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static bool
prefix_eq(const struct mh_prefix *a, const struct mh_prefix *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
}

static bool
req_eq(const struct mh_cats_req *a, const struct mh_cats_req *b)
{
	return a->min_bw == b->min_bw && a->max_lat == b->max_lat &&
	    a->max_jitter == b->max_jitter && a->max_loss == b->max_loss &&
	    a->comp_lat == b->comp_lat && bytes_eq(&a->affinity, &b->affinity);
}

static bool
metrics_eq(const struct mh_metrics *a, const struct mh_metrics *b)
{
	if (a->scope != b->scope || a->n != b->n || a->gone != b->gone ||
	    (a->scope == MH_MS_INSTANCE ? a->cis_id != b->cis_id :
	    memcmp(a->egress, b->egress, 16) != 0))
		return false;
	for (uint8_t i = 0; i < a->n && i < MH_MAX_METRICS; i++)
		if (a->s[i].id != b->s[i].id || a->s[i].stat != b->s[i].stat ||
		    a->s[i].window_ms != b->s[i].window_ms ||
		    memcmp(&a->s[i].value, &b->s[i].value, sizeof(double)) != 0)
			return false;
	return true;
}

static bool
opt_eq(const struct mh_msg *a, const struct mh_msg *b, int idx)
{
	int i;

	switch (idx) {
	case MH_O_CATS_MSG:
		return a->cats_flags == b->cats_flags;
	case MH_O_MNID:
		return a->mnid_subtype == b->mnid_subtype && bytes_eq(&a->mnid, &b->mnid);
	case MH_O_HI:
		return a->hi == b->hi;
	case MH_O_ATT:
		return a->att == b->att;
	case MH_O_LLID:
		return bytes_eq(&a->llid, &b->llid);
	case MH_O_HNP:
		if (a->n_hnp != b->n_hnp)
			return false;
		for (i = 0; i < a->n_hnp; i++)
			if (!prefix_eq(&a->hnp[i], &b->hnp[i]))
				return false;
		return true;
	case MH_O_TIMESTAMP:
		return a->timestamp == b->timestamp;
	case MH_O_LLA:
		return memcmp(a->lla, b->lla, 16) == 0;
	case MH_O_CR_ID:
		return a->crid_format == b->crid_format && bytes_eq(&a->crid, &b->crid);
	case MH_O_SERVICE_ID:
		return bytes_eq(&a->service_id, &b->service_id);
	case MH_O_CATS_REQ:
		return req_eq(&a->req, &b->req);
	case MH_O_CATS_COND:
		return req_eq(&a->cond, &b->cond);
	case MH_O_SVC_PREFIX:
		return prefix_eq(&a->svc_prefix, &b->svc_prefix);
	case MH_O_CLIENT_ADDR:
		return memcmp(a->client_addr, b->client_addr, 16) == 0;
	case MH_O_CATS_ADDR:
		return memcmp(a->cats_addr, b->cats_addr, 16) == 0;
	case MH_O_TRANSACTION:
		return a->tx.id == b->tx.id && a->tx.next_seq == b->tx.next_seq &&
		    a->tx.state_len == b->tx.state_len && a->tx.port == b->tx.port;
	case MH_O_CIS_ID:
		return a->cis_id == b->cis_id;
	case MH_O_CATS_METRICS:
		return metrics_eq(&a->metrics, &b->metrics);
	case MH_O_AUTH:
		return a->auth_subtype == b->auth_subtype &&
		    a->auth_spi == b->auth_spi && bytes_eq(&a->auth_data, &b->auth_data);
	default:
		return false;
	}
}

bool
mh_msg_equal(const struct mh_msg *a, const struct mh_msg *b)
{
	int idx;

	if (a->type != b->type || a->kind != b->kind || a->seq != b->seq ||
	    a->flags != b->flags || a->lifetime != b->lifetime ||
	    a->present != b->present)
		return false;
	if (a->type == MH_TYPE_BA && a->status != b->status)
		return false;
	for (idx = 0; idx < MH_O__COUNT; idx++)
		if ((a->present & MH_BIT(idx)) && !opt_eq(a, b, idx))
			return false;
	return true;
}
