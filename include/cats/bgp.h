/*
 * bgp: a sans-I/O BGP-4 speaker for the MUP SAFI and the CATS extensions
 * of draft-dcn-dmm-cats-mup.
 *
 * Three layers, each usable on its own:
 *   codec   messages (RFC 4271 section 4), capabilities (RFC 5492, 4760,
 *           6793, 2918), path attributes with the error handling of
 *           RFC 7606, MUP NLRI (draft-ietf-bess-mup-safi), the MUP and
 *           route-target extended communities, the Prefix-SID attribute's
 *           SRv6 L3 Service TLV (RFC 9252) and the CATS attribute
 *           (docs/wire.md, "BGP").
 *   peer    the RFC 4271 section 8 finite state machine of one session;
 *           bytes in, bytes and timers out through the driver's ops.
 *   rib     the routes learnt from peers, attribute sets shared.
 *
 * Everything reads and writes through buf.h.  Decoders never keep a pointer
 * into the message past the call unless the field is documented as a view.
 */
#ifndef CATS_BGP_H
#define CATS_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/buf.h"
#include "cats/metric.h"

#define BGP_PORT		179
#define BGP_VERSION		4
#define BGP_HDR_LEN		19
#define BGP_MAX_LEN		4096	/* RFC 4271 4.1; no RFC 8654 */
#define BGP_OPEN_MIN		29
#define BGP_AS_TRANS		23456	/* RFC 6793 */

enum bgp_type {
	BGP_OPEN		= 1,
	BGP_UPDATE		= 2,
	BGP_NOTIFICATION	= 3,
	BGP_KEEPALIVE		= 4,
	BGP_ROUTE_REFRESH	= 5,
};

#define BGP_AFI_IPV4		1
#define BGP_AFI_IPV6		2
#define BGP_SAFI_UNICAST	1
#define BGP_SAFI_MUP		85

/* The address families this speaker negotiates, as bits in bgp_open.afs. */
enum bgp_af {
	BGP_AF_IPV4_MUP,
	BGP_AF_IPV6_MUP,
	BGP_AF_IPV6_UNICAST,	/* CS-ID anycast prefixes */
	BGP_AF__COUNT
};

/* RFC 4271 4.5 error codes and the subcodes we send. */
enum bgp_notif_code {
	BGP_NC_HEADER		= 1,
	BGP_NC_OPEN		= 2,
	BGP_NC_UPDATE		= 3,
	BGP_NC_HOLD		= 4,
	BGP_NC_FSM		= 5,
	BGP_NC_CEASE		= 6,
	BGP_NC_ROUTE_REFRESH	= 7,	/* RFC 7313 */
};

/* Attribute type codes we know. */
enum bgp_attr_code {
	BGP_ATTR_ORIGIN		= 1,
	BGP_ATTR_AS_PATH	= 2,
	BGP_ATTR_NEXT_HOP	= 3,
	BGP_ATTR_MED		= 4,
	BGP_ATTR_LOCAL_PREF	= 5,
	BGP_ATTR_ATOMIC_AGG	= 6,
	BGP_ATTR_AGGREGATOR	= 7,
	BGP_ATTR_COMMUNITIES	= 8,
	BGP_ATTR_ORIGINATOR_ID	= 9,
	BGP_ATTR_CLUSTER_LIST	= 10,
	BGP_ATTR_MP_REACH	= 14,
	BGP_ATTR_MP_UNREACH	= 15,
	BGP_ATTR_EXT_COMMUNITIES = 16,
	BGP_ATTR_AS4_PATH	= 17,
	BGP_ATTR_AS4_AGGREGATOR	= 18,
	BGP_ATTR_PREFIX_SID	= 40,
	BGP_ATTR_CATS		= 255,	/* RFC 2042: reserved for development */
};

#define BGP_AF_OPTIONAL		0x80
#define BGP_AF_TRANSITIVE	0x40
#define BGP_AF_PARTIAL		0x20
#define BGP_AF_EXTLEN		0x10

/*
 * What went wrong while decoding.  Each has a name (bgp_err_name) and an
 * RFC 7606 action (bgp_err_action); a decoder also reports the octet
 * offset into the message where it stopped.
 */
enum bgp_err {
	BGP_OK = 0,
	/* header, RFC 4271 6.1: session reset */
	BGP_E_MARKER,
	BGP_E_LENGTH,		/* length field out of 19..4096 or short */
	BGP_E_TYPE,		/* unknown message type */
	BGP_E_MSG_LENGTH,	/* length wrong for the type */
	/* OPEN, RFC 4271 6.2 */
	BGP_E_OPEN_VERSION,
	BGP_E_OPEN_AS,		/* bad peer AS (0, or AS_TRANS without AS4) */
	BGP_E_OPEN_HOLD,	/* 1 or 2 seconds */
	BGP_E_OPEN_ID,		/* BGP identifier 0 */
	BGP_E_OPEN_PARAM,	/* optional parameters malformed */
	BGP_E_OPEN_CAP,		/* a capability malformed */
	/* UPDATE, RFC 4271 6.3 and RFC 7606 */
	BGP_E_UPD_LENGTHS,	/* withdrawn/attribute lengths overrun: reset */
	BGP_E_ATTR_FLAGS,	/* flags wrong for a known attribute */
	BGP_E_ATTR_LENGTH,	/* attribute length wrong for its type */
	BGP_E_ATTR_OVERRUN,	/* attribute runs past the attribute block */
	BGP_E_ATTR_DUP,		/* the same attribute twice (7606 3.g) */
	BGP_E_ATTR_MISSING,	/* a mandatory attribute absent */
	BGP_E_ORIGIN,
	BGP_E_AS_PATH,
	BGP_E_NEXT_HOP,
	BGP_E_MP_DUP,		/* MP_REACH or MP_UNREACH twice: reset */
	BGP_E_MP,		/* MP attribute malformed: reset (7606 7.3) */
	BGP_E_NLRI,		/* an NLRI malformed: reset (7606 5.3) */
	BGP_E_EXT_COMM,		/* extended communities malformed */
	BGP_E_PREFIX_SID,	/* Prefix-SID malformed (RFC 8669 6) */
	BGP_E_CATS,		/* CATS attribute malformed */
	BGP_E_CLUSTER,		/* CLUSTER_LIST or ORIGINATOR_ID malformed */
	/* NOTIFICATION, ROUTE-REFRESH */
	BGP_E_NOTIF,
	BGP_E_REFRESH,
	BGP_E__COUNT
};

/* RFC 7606 section 2: what the receiver does about an error. */
enum bgp_action {
	BGP_ACT_NONE,
	BGP_ACT_ATTR_DISCARD,		/* drop the attribute, keep the routes */
	BGP_ACT_TREAT_AS_WITHDRAW,	/* every route of the UPDATE withdrawn */
	BGP_ACT_SESSION_RESET,		/* NOTIFICATION and close */
};

const char	*bgp_err_name(enum bgp_err);
enum bgp_action	 bgp_err_action(enum bgp_err);
/* The NOTIFICATION code and subcode sent for an error that resets. */
void		 bgp_err_notif(enum bgp_err, uint8_t *code, uint8_t *subcode);
const char	*bgp_type_name(uint8_t type);
const char	*bgp_af_name(enum bgp_af);
/* enum bgp_af of (afi, safi), or -1 if we do not speak it. */
int		 bgp_af_of(uint16_t afi, uint8_t safi);
void		 bgp_af_tuple(enum bgp_af, uint16_t *afi, uint8_t *safi);

/* ---- header and framing ---- */

/*
 * Check the header at the start of 'p' (at least BGP_HDR_LEN octets).
 * On BGP_OK, *type and *len (whole message, header included) are set; the
 * caller waits for len octets before decoding the body.
 */
enum bgp_err	 bgp_hdr_decode(const uint8_t *p, size_t n, uint8_t *type,
		    uint16_t *len);
/* Write a header for a message of 'len' octets in all. */
void		 bgp_hdr_encode(struct wbuf *, uint8_t type, uint16_t len);
/* Fix the length field of a message written from offset 'start'. */
void		 bgp_msg_finish(struct wbuf *, size_t start);

/* ---- OPEN ---- */

struct bgp_open {
	uint8_t		 version;
	uint32_t	 as;		/* 4-octet AS if the capability came */
	uint16_t	 hold;		/* seconds */
	uint32_t	 id;		/* BGP identifier, host order */
	uint32_t	 afs;		/* bit (1 << enum bgp_af) per MP capability */
	bool		 as4;		/* RFC 6793 capability present */
	bool		 route_refresh;	/* RFC 2918 */
	uint8_t		 unknown_caps;	/* capabilities we ignored */
};

/* Whole message, header included.  Always advertises AS4 and
 * route refresh; one MP capability per bit in afs. */
bool		 bgp_open_encode(struct wbuf *, const struct bgp_open *);
/* Body only (after the header).  *off is set on error. */
enum bgp_err	 bgp_open_decode(const uint8_t *body, size_t len,
		    struct bgp_open *, size_t *off);

/* ---- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---- */

struct bgp_notif {
	uint8_t		 code;
	uint8_t		 subcode;
	const uint8_t	*data;		/* view */
	uint16_t	 len;
};

bool		 bgp_notif_encode(struct wbuf *, const struct bgp_notif *);
enum bgp_err	 bgp_notif_decode(const uint8_t *body, size_t len,
		    struct bgp_notif *);
bool		 bgp_keepalive_encode(struct wbuf *);
bool		 bgp_refresh_encode(struct wbuf *, enum bgp_af);
enum bgp_err	 bgp_refresh_decode(const uint8_t *body, size_t len,
		    uint16_t *afi, uint8_t *safi);

/* ---- routes ---- */

/*
 * The MUP extended community (type 0x0c), draft-ietf-bess-mup-safi-01
 * 3.2: a direct or an interwork segment, each named by a two-octet AS and
 * a four-octet number, an IPv4 address and a two-octet number, or a
 * four-octet AS and a two-octet number.  v is the 6 octets as sent.
 */
enum bgp_mup_ec_sub {
	BGP_MUP_EC_DIRECT_AS2	= 0x00,
	BGP_MUP_EC_DIRECT_IPV4	= 0x01,
	BGP_MUP_EC_DIRECT_AS4	= 0x02,
	BGP_MUP_EC_IW_AS2	= 0x03,
	BGP_MUP_EC_IW_IPV4	= 0x04,
	BGP_MUP_EC_IW_AS4	= 0x05,
	BGP_MUP_EC__COUNT
};

struct bgp_mup_ec {
	uint8_t		 sub;		/* enum bgp_mup_ec_sub */
	uint8_t		 v[6];
};

/* Direct segment (0x00-0x02), else interwork. */
bool		 bgp_mup_ec_direct(const struct bgp_mup_ec *);
/* The segment's number: the last 4 octets after a two-octet AS, else 2
 * (the CS-ID in CATS-MUP, docs/mup.md). */
uint32_t	 bgp_mup_ec_local(const struct bgp_mup_ec *);
/* "65000:7", "192.0.2.1:7", "4200000000:7"; its length, as snprintf. */
int		 bgp_mup_ec_str(const struct bgp_mup_ec *, char *buf, size_t len);
/* A direct segment of a two-octet AS (what CATS-MUP sends). */
void		 bgp_mup_ec_as2(struct bgp_mup_ec *, uint16_t asn, uint32_t id);

/* MUP route types, architecture 1 (3gpp-5g). */
enum bgp_mup_type {
	BGP_MUP_PREFIX	= 0,	/* not MUP: a unicast prefix (prefix/plen),
				 * kept in the same RIB (bgp_rib) */
	BGP_MUP_ISD	= 1,	/* interwork segment discovery */
	BGP_MUP_DSD	= 2,	/* direct segment discovery */
	BGP_MUP_T1ST	= 3,	/* type 1 session transformed */
	BGP_MUP_T2ST	= 4,	/* type 2 session transformed */
};
#define BGP_MUP_ARCH_3GPP_5G	1

/*
 * One MUP route key.  afi says whether addresses are 4 or 16 octets (IPv4
 * addresses sit in the first 4 octets of the arrays).
 *   ISD   rd, prefix/plen
 *   DSD   rd, addr (the PE's address)
 *   T1ST  rd, prefix/plen (UE), teid, qfi, ep/ep_len (endpoint),
 *         src/src_len (optional source)
 *   T2ST  rd, ep_len bits of endpoint address then TEID, ep, teid
 * A T1ST or T2ST may carry TLVs after its fields (draft-ietf-bess-mup-
 * safi-01 3.1.5): not part of the key, kept as they came (unknown ones
 * too) to be passed on, and what the known ones say, decoded.
 */
#define BGP_MUP_TLV_SESSION	1	/* 3gpp-5g session parameters: TEID, QFI */
#define BGP_MUP_TLV_INTERWORK	2	/* interwork endpoint address */
#define BGP_MUP_TLV_SOURCE	3	/* source address */
#define BGP_MUP_TLV_BIT(t)	(1u << (t))

/* Why a route's TLVs are malformed: RFC 7606 treat-as-withdraw of that
 * route, its key being sound (docs/wire.md 8.2). */
enum bgp_mup_tlv_err {
	BGP_MUP_TLV_OK = 0,
	BGP_MUP_TLV_E_TRUNC,		/* a TLV runs past the NLRI */
	BGP_MUP_TLV_E_EMPTY,		/* a TLV of length 0 */
	BGP_MUP_TLV_E_LEN,		/* a known TLV of the wrong length */
	BGP_MUP_TLV_E_DUP,		/* a known TLV twice */
	BGP_MUP_TLV_E__COUNT
};

struct bgp_mup {
	uint16_t	 afi;
	uint8_t		 type;		/* enum bgp_mup_type */
	uint8_t		 rd[8];
	uint8_t		 plen;
	uint8_t		 prefix[16];
	uint8_t		 addr[16];
	uint32_t	 teid;
	uint8_t		 qfi;
	uint8_t		 ep_len;	/* bits, as on the wire */
	uint8_t		 ep[16];
	uint8_t		 src_len;	/* bits, 0 when absent */
	uint8_t		 src[16];
	/* TLVs (T1ST, T2ST) */
	const uint8_t	*tlv;		/* view, tlv_len octets as on the wire */
	uint8_t		 tlv_len;
	uint8_t		 tlv_err;	/* enum bgp_mup_tlv_err of a decode */
	uint8_t		 tlv_seen;	/* BGP_MUP_TLV_BIT()s of those decoded */
	uint8_t		 sp_qfi;	/* session parameters */
	uint32_t	 sp_teid;
	uint8_t		 iw_len;	/* interwork endpoint: 4 or 16 octets */
	uint8_t		 iw[16];
	uint8_t		 sa_len;	/* source address: 4 or 16 octets */
	uint8_t		 sa[16];
};

/* An IPv6 (or IPv4) unicast prefix, RFC 4760 section 5 encoding. */
struct bgp_prefix {
	uint8_t		 plen;
	uint8_t		 addr[16];
};

/*
 * Next NLRI from a MUP NLRI block (the view from MP_REACH/MP_UNREACH).
 * Returns 1 with *m set, 0 at the end, -1 on a malformed NLRI (*err set;
 * RFC 7606 5.3: the NLRI length cannot be trusted, so the session resets).
 * An NLRI of an unknown architecture or route type is well formed: it is
 * skipped and counted in *skipped, since its length field says its size.
 * A route whose TLVs are malformed is returned (1) with m->tlv_err set:
 * the caller withdraws it.  m->tlv is a view into the block.
 */
int		 bgp_mup_next(struct cur *, uint16_t afi, struct bgp_mup *,
		    unsigned *skipped, enum bgp_err *err);
/* The NLRI with its TLVs (m->tlv, unchanged); false if m breaks a rule
 * the decoder enforces or does not fit. */
bool		 bgp_mup_encode(struct wbuf *, const struct bgp_mup *);
/* Wire form of the NLRI without TLVs (type, length and body), for keys:
 * returns its length, 0 if it does not fit in cap. */
size_t		 bgp_mup_key(const struct bgp_mup *, uint8_t *out, size_t cap);
/* Decode TLVs (p, len) into m: tlv, tlv_len, tlv_seen and the fields;
 * returns what is wrong with them (BGP_MUP_TLV_OK). */
enum bgp_mup_tlv_err bgp_mup_tlv_parse(struct bgp_mup *m, const uint8_t *p,
		    size_t len);
/* Append a known TLV to a buffer for m->tlv: false if it does not fit. */
bool		 bgp_mup_tlv_put(struct wbuf *, uint8_t type, const uint8_t *v,
		    uint8_t len);
const char	*bgp_mup_tlv_strerror(enum bgp_mup_tlv_err);

int		 bgp_prefix_next(struct cur *, uint16_t afi,
		    struct bgp_prefix *, enum bgp_err *err);
bool		 bgp_prefix_encode(struct wbuf *, const struct bgp_prefix *);

/* ---- path attributes ---- */

/* Prefix-SID (RFC 8669), SRv6 L3 Service TLV (RFC 9252 section 2): the
 * first SID Information sub-TLV, with its SID Structure if present. */
struct bgp_srv6_sid {
	uint8_t		 sid[16];
	uint8_t		 flags;
	uint16_t	 behavior;	/* RFC 8986 endpoint behavior code */
	bool		 has_structure;
	uint8_t		 lb_len, ln_len, fun_len, arg_len;
	uint8_t		 tpos_len, tpos_off;
};

/* The CATS attribute (optional transitive, code 255), docs/wire.md.  Its
 * body is a list of TLVs: type (1), length (1), value. */
enum bgp_cats_tlv {
	BGP_CATS_TLV_KIND	= 1,	/* 1 octet, enum bgp_cats_kind */
	BGP_CATS_TLV_CS_ID	= 2,	/* 4 octets */
	BGP_CATS_TLV_CIS_ID	= 3,	/* 4 octets */
	BGP_CATS_TLV_METRIC	= 4,	/* id 1, stat 1, window_ms 4, value 8
					 * (IEEE 754 binary64, big endian) */
};

/* What a CATS-MUP route is, when its MUP route type does not say it. */
enum bgp_cats_kind {
	BGP_CATS_KIND_NONE	= 0,
	BGP_CATS_KIND_CMU	= 1,	/* CATS metric update (a DSD key) */
};

#define BGP_CATS_MAX_METRICS	CATS_M__COUNT

struct bgp_cats {
	uint8_t		 kind;
	bool		 has_cs_id;
	bool		 has_cis_id;
	uint32_t	 cs_id;
	uint32_t	 cis_id;
	uint8_t		 nmetrics;
	struct cats_sample metric[BGP_CATS_MAX_METRICS];
};

#define BGP_MAX_RT		8

/*
 * The decoded path attributes of one UPDATE.  Views point into the
 * message and live as long as it.  'seen' has bit (1 << i) for each
 * attribute code i < 64 that came, and BGP_SEEN_PREFIX_SID /
 * BGP_SEEN_CATS for those two.  For encoding, fill what is wanted and set
 * the bits in 'seen'.
 */
#define BGP_SEEN(code)		(UINT64_C(1) << (code))
#define BGP_SEEN_PREFIX_SID	(UINT64_C(1) << 40)
#define BGP_SEEN_CATS		(UINT64_C(1) << 63)

struct bgp_attrs {
	uint64_t	 seen;
	uint8_t		 origin;
	const uint8_t	*as_path;	/* view, raw segments */
	uint16_t	 as_path_len;
	uint8_t		 next_hop[4];	/* NEXT_HOP (IPv4 unicast only) */
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 originator_id;
	const uint8_t	*cluster_list;	/* view */
	uint16_t	 cluster_len;
	/* MP_REACH_NLRI */
	uint16_t	 reach_afi;
	uint8_t		 reach_safi;
	uint8_t		 nh_len;	/* 4, 16 or 32 */
	uint8_t		 nh[32];
	const uint8_t	*reach;		/* view of the NLRI */
	uint16_t	 reach_len;
	/* MP_UNREACH_NLRI */
	uint16_t	 unreach_afi;
	uint8_t		 unreach_safi;
	const uint8_t	*unreach;	/* view */
	uint16_t	 unreach_len;
	/* extended communities */
	bool		 has_mup_ec;
	struct bgp_mup_ec mup_ec;	/* the first MUP one */
	uint8_t		 nrt;
	uint64_t	 rt[BGP_MAX_RT];	/* route targets, the 8 octets */
	struct bgp_srv6_sid sid;
	struct bgp_cats	 cats;
	/* attributes discarded under RFC 7606 (attribute discard) */
	uint8_t		 discarded;
};

/*
 * An UPDATE, decoded.  The IPv4 unicast withdrawn and NLRI fields are
 * views; this speaker negotiates no IPv4 unicast, so a route there is
 * ignored and counted by the peer.  After bgp_update_decode:
 *   err == BGP_OK                     use it
 *   action == BGP_ACT_ATTR_DISCARD    use it; 'a.discarded' attributes gone
 *   action == BGP_ACT_TREAT_AS_WITHDRAW  withdraw every NLRI it carries
 *                                      (reach and unreach both)
 *   action == BGP_ACT_SESSION_RESET   send NOTIFICATION (bgp_err_notif)
 * The first error is kept (err, off); later discards only count.
 */
struct bgp_update {
	const uint8_t	*withdrawn;
	uint16_t	 withdrawn_len;
	const uint8_t	*nlri;
	uint16_t	 nlri_len;
	struct bgp_attrs a;
	enum bgp_err	 err;
	enum bgp_action	 action;
	size_t		 off;
};

/* Body only.  as4: the session negotiated 4-octet AS numbers. */
void		 bgp_update_decode(const uint8_t *body, size_t len, bool as4,
		    struct bgp_update *);

/*
 * Write one UPDATE: the attributes in 'a' (origin, as_path, local_pref,
 * ext communities, Prefix-SID, CATS as 'seen' says), then MP_UNREACH with
 * 'nun' routes and MP_REACH with 'nreach' routes of family 'af', next hop
 * a->nh.  Returns false if it does not fit in BGP_MAX_LEN; the caller
 * splits.  Either list may be empty (then its attribute is left out).
 */
bool		 bgp_update_encode_mup(struct wbuf *, enum bgp_af,
		    const struct bgp_attrs *a,
		    const struct bgp_mup *reach, size_t nreach,
		    const struct bgp_mup *unreach, size_t nun);
bool		 bgp_update_encode_prefix(struct wbuf *, enum bgp_af,
		    const struct bgp_attrs *a,
		    const struct bgp_prefix *reach, size_t nreach,
		    const struct bgp_prefix *unreach, size_t nun);
/* End-of-RIB marker of RFC 4724 for a family. */
bool		 bgp_eor_encode(struct wbuf *, enum bgp_af);

/* The route target of RFC 4360, two-octet AS specific, as 8 octets. */
uint64_t	 bgp_rt_as2(uint16_t asn, uint32_t value);

/* ---- peer: one session's finite state machine (RFC 4271 section 8) ---- */

enum bgp_state {
	BGP_ST_IDLE,
	BGP_ST_CONNECT,
	BGP_ST_ACTIVE,
	BGP_ST_OPENSENT,
	BGP_ST_OPENCONFIRM,
	BGP_ST_ESTABLISHED,
	BGP_ST__COUNT
};

struct bgp_peer_cfg {
	char		 name[32];
	uint32_t	 local_as;
	uint32_t	 peer_as;	/* 0: accept any (only for tests) */
	uint32_t	 router_id;	/* host order, non-zero */
	uint16_t	 hold;		/* proposed hold time, s: 0 or >= 3 */
	uint32_t	 afs;		/* families to negotiate (1 << bgp_af) */
	bool		 passive;	/* wait for the peer to connect */
	uint32_t	 connect_retry_ms;	/* ConnectRetryTimer, 0: 5000 */
	uint32_t	 idle_hold_ms;	/* back-off after an error, 0: 1000 */
	uint32_t	 idle_hold_max_ms;	/* its cap, 0: 60000 */
	/* DampPeerOscillations (RFC 4271 8.1.1): the back-off goes back to
	 * idle_hold_ms only after a session stayed Established this long
	 * and at least its hold time; 0: 60000. */
	uint32_t	 stable_ms;
	/*
	 * Maximum prefixes (RFC 4271 8.1.2's "upper bound", RFC 4486 4): the
	 * routes held from the peer in any one address family (the owner's
	 * 'routes' op counts them) may not exceed max_prefix, 0: no limit.
	 * Past it: Cease 6/1 with AFI, SAFI and the limit as data, Idle, and
	 * no restart for max_prefix_restart_s (0: until bgp_peer_start).
	 * At max_prefix_warn_pct percent of it (0: never) the 'prefix_limit'
	 * op hears it once per family and session.
	 */
	uint32_t	 max_prefix;
	uint8_t		 max_prefix_warn_pct;	/* 0..100 */
	uint32_t	 max_prefix_restart_s;
};

/*
 * The driver's side.  Everything the FSM wants done comes out here, in
 * order.  'timer' arms the session's one wake-up (0 cancels); when it is
 * due the driver calls bgp_peer_tick.  'update' hands over each UPDATE that
 * decoded to something usable (see struct bgp_update for the actions).
 */
struct bgp_peer_ops {
	void	(*send)(void *ctx, const uint8_t *buf, size_t len);
	void	(*connect)(void *ctx);
	void	(*disconnect)(void *ctx);
	void	(*timer)(void *ctx, uint64_t at_ms);
	void	(*state)(void *ctx, enum bgp_state from, enum bgp_state to);
	void	(*update)(void *ctx, const struct bgp_update *);
	void	(*refresh)(void *ctx, enum bgp_af);
	void	(*error)(void *ctx, enum bgp_err, size_t off, bool sent);
	/* Routes held from this peer in a family (after 'update' applied
	 * them); needed for max_prefix, which is ignored without it. */
	size_t	(*routes)(void *ctx, enum bgp_af);
	/* The count crossed the warning threshold, or (exceeded) the limit:
	 * the Cease follows this call. */
	void	(*prefix_limit)(void *ctx, enum bgp_af, size_t routes,
		    bool exceeded);
	/*
	 * RFC 4271 6.8, the neighbor's second connection (bgp_peer_second):
	 * 'send2' writes on it, 'close2' closes it, 'swap' closes the
	 * session's connection and makes the second one the session's.
	 * Without all three a second connection is refused.
	 */
	void	(*send2)(void *ctx, const uint8_t *buf, size_t len);
	void	(*close2)(void *ctx);
	void	(*swap)(void *ctx);
};

struct bgp_peer_counters {
	uint64_t	 rx_msgs[6];	/* by type, 0 unused */
	uint64_t	 tx_msgs[6];
	uint64_t	 rx_err[BGP_E__COUNT];	/* by reason */
	uint64_t	 treat_as_withdraw;
	uint64_t	 attr_discard;
	uint64_t	 notif_rx;
	uint64_t	 notif_tx;
	uint64_t	 ignored_nlri;	/* families not negotiated, IPv4 unicast */
	uint64_t	 fsm_errors;	/* messages unexpected in the state */
	uint64_t	 established;	/* times the session came up */
	uint64_t	 flaps;		/* times it went down from Established */
	uint64_t	 max_prefix;	/* sessions ended for max_prefix */
	uint64_t	 max_prefix_warnings;
	/* RFC 4271 6.8 collisions, by whose connection stayed: the one we
	 * opened, or the one the neighbor opened */
	uint64_t	 collision_ours;
	uint64_t	 collision_theirs;
};

struct bgp_peer;

const char	*bgp_state_name(enum bgp_state);
/* NULL with *why set if the configuration is unusable. */
struct bgp_peer	*bgp_peer_new(const struct bgp_peer_cfg *,
		    const struct bgp_peer_ops *, void *ctx, const char **why);
void		 bgp_peer_free(struct bgp_peer *);
/* ManualStart / ManualStop (Cease, administrative shutdown).  A start
 * also ends the hold-down after max_prefix (bgp_peer_prefix_down). */
void		 bgp_peer_start(struct bgp_peer *, uint64_t now_ms);
void		 bgp_peer_stop(struct bgp_peer *, uint64_t now_ms);
/* The transport came up or went away; 'connected' is the one we opened
 * (after the 'connect' op), 'accepted' one the neighbor opened. */
void		 bgp_peer_connected(struct bgp_peer *, uint64_t now_ms);
void		 bgp_peer_accepted(struct bgp_peer *, uint64_t now_ms);
void		 bgp_peer_closed(struct bgp_peer *, uint64_t now_ms);
/*
 * RFC 4271 6.8: a second connection of the neighbor's while the session has
 * one past Connect (inbound: the neighbor opened it).  False: refused, the
 * driver closes it.  Else it is the FSM's through send2/close2/swap: it
 * gets our OPEN, and once both connections have the neighbor's OPEN the
 * BGP Identifiers decide which stays; the other gets Cease 6/7 (RFC 4486).
 * Against an Established session the second always loses.  Its bytes go
 * to bgp_peer_input2, its end to bgp_peer_closed2.
 */
bool		 bgp_peer_second(struct bgp_peer *, bool inbound,
		    uint64_t now_ms);
void		 bgp_peer_input2(struct bgp_peer *, const uint8_t *, size_t,
		    uint64_t now_ms);
void		 bgp_peer_closed2(struct bgp_peer *, uint64_t now_ms);
/* Bytes of the stream; partial messages are kept until complete. */
void		 bgp_peer_input(struct bgp_peer *, const uint8_t *, size_t,
		    uint64_t now_ms);
void		 bgp_peer_tick(struct bgp_peer *, uint64_t now_ms);
/*
 * An error the owner found in what the peer sent (an NLRI the RIB could not
 * read, RFC 7606 5.3): NOTIFICATION for it, close, and the usual automatic
 * restart.  Safe to call from the update op; the rest of that read is
 * dropped.
 */
void		 bgp_peer_reset(struct bgp_peer *, enum bgp_err, size_t off,
		    uint64_t now_ms);
/* Send a whole UPDATE written by the caller; false unless Established. */
bool		 bgp_peer_send(struct bgp_peer *, const uint8_t *msg,
		    size_t len, uint64_t now_ms);
enum bgp_state	 bgp_peer_state(const struct bgp_peer *);
const struct bgp_open *bgp_peer_remote(const struct bgp_peer *);
/* Families both sides negotiated (1 << bgp_af). */
uint32_t	 bgp_peer_afs(const struct bgp_peer *);
uint16_t	 bgp_peer_hold(const struct bgp_peer *);
/* Why the session last left Established ("hold timer expired",
 * "NOTIFICATION received", ...): valid in the 'state' op of that drop. */
const char	*bgp_peer_down_why(const struct bgp_peer *);
const struct bgp_peer_counters *bgp_peer_counters(const struct bgp_peer *);
const struct bgp_peer_cfg *bgp_peer_config(const struct bgp_peer *);
/* Idle after max_prefix and held there: true, with *until_ms the restart
 * (0: none until bgp_peer_start). */
bool		 bgp_peer_prefix_down(const struct bgp_peer *,
		    uint64_t *until_ms);

/* ---- rib: routes learnt from peers ---- */

/*
 * Path attributes as a route keeps them: what the CATS-MUP roles use, with
 * no view into a message.  Interned: routes with equal attributes share one
 * (bgp_rattr_get), so a million routes of a few sessions' worth of
 * attributes cost little more than their keys.
 */
struct bgp_rattr {
	uint8_t		 nh[16];
	uint8_t		 nh_len;
	uint8_t		 origin;
	bool		 has_mup_ec;
	bool		 has_sid;
	bool		 has_cats;
	uint8_t		 nrt;
	struct bgp_mup_ec mup_ec;
	uint32_t	 local_pref;
	uint64_t	 rt[BGP_MAX_RT];
	struct bgp_srv6_sid sid;
	struct bgp_cats	 cats;
};

/* Reduce decoded attributes to what a route keeps. */
void		 bgp_rattr_from(struct bgp_rattr *, const struct bgp_attrs *);
/* And back, for encoding (views empty, 'seen' set from what is there). */
void		 bgp_rattr_to(const struct bgp_rattr *, struct bgp_attrs *);
bool		 bgp_rattr_has_rt(const struct bgp_rattr *, uint64_t rt);

enum bgp_rib_op {
	BGP_RIB_ADD,		/* new key */
	BGP_RIB_REPLACE,	/* same key, new attributes */
	BGP_RIB_WITHDRAW,
};

/*
 * Told of each change; 'old' is NULL on ADD, 'now' NULL on WITHDRAW.  The
 * owner sees a route while any peer has it: when one peer withdraws a
 * route another still has, the call is a REPLACE from that other peer.
 */
typedef void	(*bgp_rib_fn)(void *ctx, uint32_t peer, enum bgp_rib_op,
		    const struct bgp_mup *, const struct bgp_rattr *old,
		    const struct bgp_rattr *now);

struct bgp_rib;
struct bgp_rib_stats {
	size_t		 routes;
	size_t		 attrs;		/* distinct attribute sets */
	size_t		 bytes;		/* memory held for routes and attrs */
	uint64_t	 adds, replaces, withdraws, unknown_withdraws;
	uint64_t	 dropped;	/* not kept: no memory */
	uint64_t	 tlv_malformed;	/* routes withdrawn for their TLVs */
};

struct bgp_rib	*bgp_rib_new(bgp_rib_fn, void *ctx);
void		 bgp_rib_free(struct bgp_rib *);
/*
 * Apply one decoded UPDATE from 'peer' (below 65536): MUP withdrawals,
 * then MUP announcements with its attributes; a treat-as-withdraw UPDATE
 * withdraws both lists.  Returns the number of NLRI applied; -1 if an NLRI
 * was malformed (the caller resets the session, RFC 7606 5.3).
 */
long		 bgp_rib_apply(struct bgp_rib *, uint32_t peer,
		    const struct bgp_update *, enum bgp_err *);
/* Withdraw everything learnt from 'peer' (its session went down). */
size_t		 bgp_rib_flush(struct bgp_rib *, uint32_t peer);
const struct bgp_rattr *bgp_rib_get(const struct bgp_rib *, uint32_t peer,
		    const struct bgp_mup *);
void		 bgp_rib_stats(const struct bgp_rib *, struct bgp_rib_stats *);
/* Routes held from one peer (what it announced and did not withdraw). */
size_t		 bgp_rib_peer_routes(const struct bgp_rib *, uint32_t peer);
/* The same in one address family (max_prefix counts these). */
size_t		 bgp_rib_peer_af_routes(const struct bgp_rib *, uint32_t peer,
		    enum bgp_af);
/* Every route, in no order; stop when fn returns false. */
void		 bgp_rib_walk(const struct bgp_rib *,
		    bool (*fn)(void *, uint32_t peer, const struct bgp_mup *,
		    const struct bgp_rattr *), void *arg);

#endif /* CATS_BGP_H */
