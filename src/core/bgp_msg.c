/*
 * bgp_msg: BGP-4 message framing (RFC 4271 section 4), OPEN with its
 * capabilities (RFC 5492, 4760, 2918, 6793), NOTIFICATION, KEEPALIVE,
 * ROUTE-REFRESH, and the one table of error names, RFC 7606 actions and
 * NOTIFICATION codes.  UPDATE is in bgp_attr.c, NLRI in bgp_mup.c;
 * docs/wire.md ("BGP") is the prose of all three.
 */
#include <string.h>

#include "cats/bgp.h"

#define CAP_MP			1	/* RFC 4760 8 */
#define CAP_ROUTE_REFRESH	2	/* RFC 2918 2 */
#define CAP_AS4			65	/* RFC 6793 9 */
#define OPT_PARAM_CAPS		2	/* RFC 5492 4 */

/* RFC 4271 6.1 and RFC 2918 3: the smallest legal message of each type. */
static const uint16_t type_min[] = {
	[BGP_OPEN] = BGP_OPEN_MIN,
	[BGP_UPDATE] = 23,
	[BGP_NOTIFICATION] = 21,
	[BGP_KEEPALIVE] = BGP_HDR_LEN,
	[BGP_ROUTE_REFRESH] = 23,
};

static const char *const type_names[] = {
	[BGP_OPEN] = "open",
	[BGP_UPDATE] = "update",
	[BGP_NOTIFICATION] = "notification",
	[BGP_KEEPALIVE] = "keepalive",
	[BGP_ROUTE_REFRESH] = "route-refresh",
};

/* The families we speak; names as gobgpd spells them. */
static const struct {
	uint16_t	 afi;
	uint8_t		 safi;
	const char	*name;
} af_tab[BGP_AF__COUNT] = {
	[BGP_AF_IPV4_MUP] = { BGP_AFI_IPV4, BGP_SAFI_MUP, "ipv4-mup" },
	[BGP_AF_IPV6_MUP] = { BGP_AFI_IPV6, BGP_SAFI_MUP, "ipv6-mup" },
	[BGP_AF_IPV6_UNICAST] = { BGP_AFI_IPV6, BGP_SAFI_UNICAST, "ipv6-unicast" },
};

/*
 * The error policy, in one place.  The action is the one RFC 7606 gives
 * the error where it does not depend on the attribute; bgp_update_decode
 * reports the attribute's own action in struct bgp_update (an AGGREGATOR
 * with a bad length is discarded, an ORIGIN withdraws the routes).  Code
 * and subcode are RFC 4271 4.5/6, RFC 7313 5 for ROUTE-REFRESH.
 */
#define RESET	BGP_ACT_SESSION_RESET
#define TAW	BGP_ACT_TREAT_AS_WITHDRAW
#define DISCARD	BGP_ACT_ATTR_DISCARD

static const struct {
	const char	*name;
	uint8_t		 action;
	uint8_t		 code, subcode;
} err_tab[BGP_E__COUNT] = {
	[BGP_OK] = { "ok", BGP_ACT_NONE, 0, 0 },
	[BGP_E_MARKER] = { "marker is not all ones", RESET, 1, 1 },
	[BGP_E_LENGTH] = { "length outside 19..4096", RESET, 1, 2 },
	[BGP_E_TYPE] = { "unknown message type", RESET, 1, 3 },
	[BGP_E_MSG_LENGTH] = { "length wrong for the message type", RESET, 1, 2 },
	[BGP_E_OPEN_VERSION] = { "unsupported version", RESET, 2, 1 },
	[BGP_E_OPEN_AS] = { "bad peer AS", RESET, 2, 2 },
	[BGP_E_OPEN_HOLD] = { "unacceptable hold time", RESET, 2, 6 },
	[BGP_E_OPEN_ID] = { "bad BGP identifier", RESET, 2, 3 },
	[BGP_E_OPEN_PARAM] = { "optional parameter unsupported or malformed",
			       RESET, 2, 4 },
	[BGP_E_OPEN_CAP] = { "capability malformed", RESET, 2, 0 },
	[BGP_E_UPD_LENGTHS] = { "withdrawn or attribute length overruns",
				RESET, 3, 1 },
	[BGP_E_ATTR_FLAGS] = { "attribute flags wrong, or unknown well-known "
			       "attribute", TAW, 3, 4 },
	[BGP_E_ATTR_LENGTH] = { "attribute length wrong for its type", TAW, 3, 5 },
	[BGP_E_ATTR_OVERRUN] = { "attribute runs past the attribute block",
				 TAW, 3, 1 },
	[BGP_E_ATTR_DUP] = { "attribute repeated", DISCARD, 3, 1 },
	[BGP_E_ATTR_MISSING] = { "mandatory attribute missing", TAW, 3, 3 },
	[BGP_E_ORIGIN] = { "invalid ORIGIN", TAW, 3, 6 },
	[BGP_E_AS_PATH] = { "malformed AS_PATH", TAW, 3, 11 },
	[BGP_E_NEXT_HOP] = { "invalid NEXT_HOP", TAW, 3, 8 },
	[BGP_E_MP_DUP] = { "MP_REACH_NLRI or MP_UNREACH_NLRI repeated",
			   RESET, 3, 1 },
	[BGP_E_MP] = { "MP_REACH_NLRI or MP_UNREACH_NLRI malformed", RESET, 3, 9 },
	[BGP_E_NLRI] = { "NLRI malformed", RESET, 3, 10 },
	[BGP_E_EXT_COMM] = { "extended communities malformed", TAW, 3, 9 },
	[BGP_E_PREFIX_SID] = { "Prefix-SID malformed", TAW, 3, 9 },
	[BGP_E_CATS] = { "CATS attribute malformed", TAW, 3, 9 },
	[BGP_E_CLUSTER] = { "ORIGINATOR_ID or CLUSTER_LIST malformed", TAW, 3, 9 },
	[BGP_E_NOTIF] = { "NOTIFICATION too short", RESET, 1, 2 },
	[BGP_E_REFRESH] = { "ROUTE-REFRESH length wrong", RESET, 7, 1 },
};

#undef RESET
#undef TAW
#undef DISCARD

/* ------------------------------------------------------------------ */
/* Names and tables                                                    */

const char *
bgp_err_name(enum bgp_err e)
{
	return (unsigned)e < BGP_E__COUNT ? err_tab[e].name : "unknown error";
}

enum bgp_action
bgp_err_action(enum bgp_err e)
{
	return (unsigned)e < BGP_E__COUNT ? (enum bgp_action)err_tab[e].action :
	    BGP_ACT_SESSION_RESET;
}

void
bgp_err_notif(enum bgp_err e, uint8_t *code, uint8_t *subcode)
{
	if ((unsigned)e >= BGP_E__COUNT) {
		*code = BGP_NC_CEASE;
		*subcode = 0;
		return;
	}
	*code = err_tab[e].code;
	*subcode = err_tab[e].subcode;
}

const char *
bgp_type_name(uint8_t type)
{
	if (type == 0 || type > BGP_ROUTE_REFRESH)
		return "unknown";
	return type_names[type];
}

const char *
bgp_af_name(enum bgp_af af)
{
	return (unsigned)af < BGP_AF__COUNT ? af_tab[af].name : "unknown";
}

int
bgp_af_of(uint16_t afi, uint8_t safi)
{
	int i;

	for (i = 0; i < BGP_AF__COUNT; i++)
		if (af_tab[i].afi == afi && af_tab[i].safi == safi)
			return i;
	return -1;
}

void
bgp_af_tuple(enum bgp_af af, uint16_t *afi, uint8_t *safi)
{
	if ((unsigned)af >= BGP_AF__COUNT) {
		*afi = 0;
		*safi = 0;
		return;
	}
	*afi = af_tab[af].afi;
	*safi = af_tab[af].safi;
}

/* ------------------------------------------------------------------ */
/* Header                                                              */

enum bgp_err
bgp_hdr_decode(const uint8_t *p, size_t n, uint8_t *type, uint16_t *len)
{
	uint8_t marker[16];
	struct cur c;
	size_t i;

	*type = 0;
	*len = 0;
	cur_init(&c, p, n);
	if (!cur_bytes(&c, marker, sizeof(marker)))
		return BGP_E_LENGTH;
	/* RFC 4271 6.1: Connection Not Synchronized. */
	for (i = 0; i < sizeof(marker); i++)
		if (marker[i] != 0xff)
			return BGP_E_MARKER;
	if (!cur_u16(&c, len) || !cur_u8(&c, type))
		return BGP_E_LENGTH;
	if (*len < BGP_HDR_LEN || *len > BGP_MAX_LEN)
		return BGP_E_LENGTH;
	if (*type == 0 || *type > BGP_ROUTE_REFRESH)
		return BGP_E_TYPE;
	/* RFC 4271 6.1: per type; a KEEPALIVE is exactly the header. */
	if (*len < type_min[*type] ||
	    (*type == BGP_KEEPALIVE && *len != BGP_HDR_LEN))
		return BGP_E_MSG_LENGTH;
	return BGP_OK;
}

void
bgp_hdr_encode(struct wbuf *w, uint8_t type, uint16_t len)
{
	uint8_t *m = wb_room(w, 16);

	if (m != NULL)
		memset(m, 0xff, 16);
	wb_u16(w, len);
	wb_u8(w, type);
}

/* A message over BGP_MAX_LEN fails the writer: RFC 4271 4.1 (no RFC 8654). */
void
bgp_msg_finish(struct wbuf *w, size_t start)
{
	size_t len = w->len - start;

	if (len > BGP_MAX_LEN) {
		w->err = true;
		return;
	}
	wb_set_u16(w, start + 16, (uint16_t)len);
}

/* ------------------------------------------------------------------ */
/* OPEN                                                                */

static void
enc_cap_mp(struct wbuf *w, enum bgp_af af)
{
	uint16_t afi;
	uint8_t safi;

	bgp_af_tuple(af, &afi, &safi);
	wb_u8(w, CAP_MP);
	wb_u8(w, 4);
	wb_u16(w, afi);
	wb_u8(w, 0);			/* reserved, RFC 4760 8 */
	wb_u8(w, safi);
}

bool
bgp_open_encode(struct wbuf *w, const struct bgp_open *o)
{
	size_t start = w->len, plen_at, caps_at;
	int af;

	bgp_hdr_encode(w, BGP_OPEN, 0);
	wb_u8(w, BGP_VERSION);
	/* RFC 6793 4.1: an AS that needs 4 octets is AS_TRANS here. */
	wb_u16(w, o->as > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)o->as);
	wb_u16(w, o->hold);
	wb_u32(w, o->id);
	plen_at = w->len;
	wb_u8(w, 0);
	wb_u8(w, OPT_PARAM_CAPS);
	caps_at = w->len;
	wb_u8(w, 0);
	for (af = 0; af < BGP_AF__COUNT; af++)
		if (o->afs & (1u << af))
			enc_cap_mp(w, (enum bgp_af)af);
	wb_u8(w, CAP_ROUTE_REFRESH);
	wb_u8(w, 0);
	wb_u8(w, CAP_AS4);
	wb_u8(w, 4);
	wb_u32(w, o->as);
	wb_set_u8(w, caps_at, (uint8_t)(w->len - caps_at - 1));
	wb_set_u8(w, plen_at, (uint8_t)(w->len - plen_at - 1));
	bgp_msg_finish(w, start);
	return wb_ok(w);
}

static enum bgp_err
open_fail(size_t *off, size_t at, enum bgp_err e)
{
	*off = at;
	return e;
}

/* One capability's value, from its own cursor; false if malformed. */
static bool
dec_cap(struct cur *c, uint8_t code, struct bgp_open *o, uint32_t *as4)
{
	uint16_t afi;
	uint8_t safi;
	int af;

	switch (code) {
	case CAP_MP:			/* RFC 4760 8 */
		cur_u16(c, &afi);
		cur_skip(c, 1);
		cur_u8(c, &safi);
		/* A family we do not speak is not negotiated, not an error. */
		if (cur_done(c) && (af = bgp_af_of(afi, safi)) >= 0)
			o->afs |= 1u << af;
		return cur_done(c);
	case CAP_ROUTE_REFRESH:		/* RFC 2918 2: no value */
		o->route_refresh = true;
		return cur_left(c) == 0;
	case CAP_AS4:			/* RFC 6793 9 */
		o->as4 = true;
		cur_u32(c, as4);
		return cur_done(c);
	default:			/* RFC 5492 3: ignore what we do not know */
		if (o->unknown_caps < UINT8_MAX)
			o->unknown_caps++;
		return true;
	}
}

/* The next TLV of type (1), length (1), its value as its own cursor. */
static bool
tlv8_next(struct cur *c, uint8_t *type, struct cur *v)
{
	uint8_t len;

	cur_u8(c, type);
	return cur_u8(c, &len) && cur_sub(c, len, v);
}

static enum bgp_err
dec_caps(struct cur *c, struct bgp_open *o, uint32_t *as4, size_t *off)
{
	struct cur v;
	uint8_t code;
	size_t at;

	while (cur_left(c) > 0) {
		at = cur_off(c);
		if (!tlv8_next(c, &code, &v) || !dec_cap(&v, code, o, as4))
			return open_fail(off, at, BGP_E_OPEN_CAP);
	}
	return BGP_OK;
}

/* RFC 4271 4.2 / RFC 5492 4: only the capabilities parameter is known. */
static enum bgp_err
dec_params(struct cur *c, struct bgp_open *o, uint32_t *as4, size_t *off)
{
	struct cur v;
	uint8_t type;
	size_t at;
	enum bgp_err e;

	while (cur_left(c) > 0) {
		at = cur_off(c);
		if (!tlv8_next(c, &type, &v) || type != OPT_PARAM_CAPS)
			return open_fail(off, at, BGP_E_OPEN_PARAM);
		if ((e = dec_caps(&v, o, as4, off)) != BGP_OK)
			return e;
	}
	return BGP_OK;
}

enum bgp_err
bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o,
    size_t *off)
{
	struct cur c, params;
	uint16_t my_as;
	uint32_t as4 = 0;
	uint8_t plen;
	enum bgp_err e;

	memset(o, 0, sizeof(*o));
	*off = 0;
	cur_init(&c, body, len);
	if (len < BGP_OPEN_MIN - BGP_HDR_LEN)
		return open_fail(off, len, BGP_E_MSG_LENGTH);
	cur_u8(&c, &o->version);
	cur_u16(&c, &my_as);
	cur_u16(&c, &o->hold);
	cur_u32(&c, &o->id);
	cur_u8(&c, &plen);
	if (o->version != BGP_VERSION)
		return open_fail(off, 0, BGP_E_OPEN_VERSION);
	/* RFC 4271 6.2: a hold time of 1 or 2 seconds is refused. */
	if (o->hold == 1 || o->hold == 2)
		return open_fail(off, 3, BGP_E_OPEN_HOLD);
	if (o->id == 0)
		return open_fail(off, 5, BGP_E_OPEN_ID);
	if (plen != cur_left(&c))
		return open_fail(off, 9, BGP_E_OPEN_PARAM);
	cur_sub(&c, plen, &params);
	if ((e = dec_params(&params, o, &as4, off)) != BGP_OK)
		return e;
	/* RFC 6793 4.2: with the capability the AS is its 4-octet value;
	 * AS_TRANS without it, or AS 0 (RFC 7607 2), is a bad peer AS. */
	o->as = o->as4 ? as4 : my_as;
	if (o->as == 0 || (!o->as4 && my_as == BGP_AS_TRANS))
		return open_fail(off, 1, BGP_E_OPEN_AS);
	return BGP_OK;
}

/* ------------------------------------------------------------------ */
/* NOTIFICATION, KEEPALIVE, ROUTE-REFRESH                              */

bool
bgp_notif_encode(struct wbuf *w, const struct bgp_notif *n)
{
	size_t start = w->len;

	bgp_hdr_encode(w, BGP_NOTIFICATION, 0);
	wb_u8(w, n->code);
	wb_u8(w, n->subcode);
	wb_bytes(w, n->data, n->len);
	bgp_msg_finish(w, start);
	return wb_ok(w);
}

enum bgp_err
bgp_notif_decode(const uint8_t *body, size_t len, struct bgp_notif *n)
{
	struct cur c;

	memset(n, 0, sizeof(*n));
	cur_init(&c, body, len);
	if (!cur_u8(&c, &n->code) || !cur_u8(&c, &n->subcode) ||
	    cur_left(&c) > BGP_MAX_LEN)
		return BGP_E_NOTIF;
	n->len = (uint16_t)cur_left(&c);
	cur_view(&c, &n->data, n->len);
	return BGP_OK;
}

bool
bgp_keepalive_encode(struct wbuf *w)
{
	bgp_hdr_encode(w, BGP_KEEPALIVE, BGP_HDR_LEN);
	return wb_ok(w);
}

bool
bgp_refresh_encode(struct wbuf *w, enum bgp_af af)
{
	uint16_t afi;
	uint8_t safi;

	if ((unsigned)af >= BGP_AF__COUNT)
		return false;
	bgp_af_tuple(af, &afi, &safi);
	bgp_hdr_encode(w, BGP_ROUTE_REFRESH, BGP_HDR_LEN + 4);
	wb_u16(w, afi);
	wb_u8(w, 0);		/* RFC 2918 3 reserved; RFC 7313 subtype 0 */
	wb_u8(w, safi);
	return wb_ok(w);
}

/* RFC 2918 3 and RFC 7313 5: the body is exactly AFI, reserved, SAFI
 * (we negotiate no ORF, RFC 5291, that would follow it). */
enum bgp_err
bgp_refresh_decode(const uint8_t *body, size_t len, uint16_t *afi,
    uint8_t *safi)
{
	struct cur c;

	*afi = 0;
	*safi = 0;
	if (len != 4)
		return BGP_E_REFRESH;
	cur_init(&c, body, len);
	cur_u16(&c, afi);
	cur_skip(&c, 1);
	cur_u8(&c, safi);
	return BGP_OK;
}
