/*
 * mh: the CATS signaling codec, a Mobility Header (RFC 6275 section 6.1)
 * carrying Proxy Binding Updates and Acknowledgements (RFC 5213) with the
 * extensions of the anchoring draft (draft-bernardos-cats-ip-address-
 * anchoring-01 section 4) and the mobility draft (Lee, CATS mobility
 * management, section 4).
 *
 * Sans-I/O: bytes in, a struct mh_msg out, and back.  The same bytes travel
 * in IPv6 next header 135 and in UDP port 5436.  Every code point the drafts
 * leave "TBD" is fixed here, in this one header; docs/wire.md explains each.
 */
#ifndef CATS_MH_H
#define CATS_MH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/metric.h"

#define MH_IPPROTO		135	/* IPv6 next header of the MH */
#define MH_UDP_PORT		5436	/* PMIPv6 over UDP (RFC 5844 IPv4 transport) */
#define MH_PAYLOAD_NONE		59	/* RFC 6275 6.1.1: payload proto */
#define MH_MAX_LEN		2048	/* (255 + 1) * 8: largest header length */
#define MH_FIXED_LEN		12	/* MH header + BU/BA fixed fields */

#define MH_TYPE_BU		5
#define MH_TYPE_BA		6

/*
 * Binding Update flags (RFC 6275 6.1.7, RFC 5213 8.1, IANA).  The drafts put
 * their C and X/N bits right after P, on top of F and T; we put them on the
 * first free bits instead, so no assigned flag changes meaning.
 */
#define MH_BU_A			0x8000
#define MH_BU_H			0x4000
#define MH_BU_L			0x2000
#define MH_BU_K			0x1000
#define MH_BU_M			0x0800
#define MH_BU_R			0x0400
#define MH_BU_P			0x0200
#define MH_BU_F			0x0100
#define MH_BU_T			0x0080
#define MH_BU_B			0x0040
#define MH_BU_S			0x0020
#define MH_BU_D			0x0010
#define MH_BU_C			0x0008	/* CATS message (both drafts' C) */
#define MH_BU_X			0x0004	/* request kind (anchoring X, mobility N) */

/* Binding Acknowledgement flags: only 0x01 is free, so the C bit goes there
 * and the CATS message option alone tells a response from an ACK. */
#define MH_BA_K			0x80
#define MH_BA_R			0x40
#define MH_BA_P			0x20
#define MH_BA_T			0x10
#define MH_BA_B			0x08
#define MH_BA_S			0x04
#define MH_BA_D			0x02
#define MH_BA_C			0x01

/* BA status codes: RFC 6275 6.1.8, RFC 5213 8.9, and the CATS codes. */
#define MH_ST_ACCEPTED			0
#define MH_ST_CATS_AVAILABLE		100	/* anchoring 4.1: success, CATS sites available */
#define MH_ST_UNSPECIFIED		128
#define MH_ST_PROHIBITED		129
#define MH_ST_INSUFFICIENT_RESOURCES	130
#define MH_ST_SEQ_OUT_OF_WINDOW		135
#define MH_ST_NOT_LMA_FOR_MN		152
#define MH_ST_NOT_AUTHORIZED_PROXY	153
#define MH_ST_NOT_AUTHORIZED_HNP	154
#define MH_ST_TIMESTAMP_MISMATCH	155
#define MH_ST_TIMESTAMP_LOWER		156
#define MH_ST_MISSING_HNP		157
#define MH_ST_BCE_PREFIX_MISMATCH	158
#define MH_ST_MISSING_MNID		159
#define MH_ST_MISSING_HI		160
#define MH_ST_MISSING_ATT		161
#define MH_ST_GRE_KEY_REQUIRED		162
#define MH_ST_CATS_UNAVAILABLE		200	/* anchoring 4.1: error, no CATS sites available */
#define MH_ST_CATS_UNKNOWN_CLIENT	201	/* no binding or record for this client */
#define MH_ST_CATS_NOT_PEER		202	/* sender is not a configured CATS peer */

/*
 * Mobility option types.  RFC ones from the IANA registry; the CATS ones are
 * "TBD" in the drafts and taken from the unassigned range (71..255), high
 * enough to stay clear of the next IANA assignments.
 */
enum mh_opt_type {
	MH_OT_PAD1		= 0,
	MH_OT_PADN		= 1,
	MH_OT_MNID		= 8,	/* RFC 4283 */
	MH_OT_AUTH		= 9,	/* RFC 4285 */
	MH_OT_HNP		= 22,	/* RFC 5213 8.3 */
	MH_OT_HI		= 23,	/* RFC 5213 8.4 */
	MH_OT_ATT		= 24,	/* RFC 5213 8.5 */
	MH_OT_LLID		= 25,	/* RFC 5213 8.6 */
	MH_OT_LLA		= 26,	/* RFC 5213 8.7 */
	MH_OT_TIMESTAMP		= 27,	/* RFC 5213 8.8 */
	MH_OT_CATS_MSG		= 200,	/* message kind and CATS flags */
	MH_OT_CR_ID		= 201,	/* anchoring 4.2 */
	MH_OT_SERVICE_ID	= 202,	/* anchoring 4.3 */
	MH_OT_CATS_REQ		= 203,	/* anchoring 4.4, requirements */
	MH_OT_CATS_COND		= 204,	/* anchoring 4.4, conditions */
	MH_OT_SVC_PREFIX	= 205,	/* anchoring 4.5 */
	MH_OT_CLIENT_ADDR	= 206,	/* mobility 4.3, client node address */
	MH_OT_CATS_ADDR		= 207,	/* mobility 4.3, CATS address */
	MH_OT_TRANSACTION	= 208,	/* transaction switching (mobility fig. 3) */
	MH_OT_CIS_ID		= 209,	/* the service instance (CIS-ID) chosen */
	MH_OT_CATS_METRICS	= 210,	/* metrics of an instance or a path (5.9) */
};

/* Index of each known option in the option table; bit i of mh_msg.present. */
enum mh_opt {
	MH_O_CATS_MSG,
	MH_O_MNID,
	MH_O_HI,
	MH_O_ATT,
	MH_O_LLID,
	MH_O_HNP,
	MH_O_TIMESTAMP,
	MH_O_LLA,
	MH_O_CR_ID,
	MH_O_SERVICE_ID,
	MH_O_CATS_REQ,
	MH_O_CATS_COND,
	MH_O_SVC_PREFIX,
	MH_O_CLIENT_ADDR,
	MH_O_CATS_ADDR,
	MH_O_TRANSACTION,
	MH_O_CIS_ID,
	MH_O_CATS_METRICS,
	MH_O_AUTH,		/* RFC 4285: always the last option */
	MH_O__COUNT
};
#define MH_BIT(o)		(1u << (o))

/* Message kinds: the value is the kind code in the CATS message option. */
enum mh_kind {
	MH_K_PBU		= 0,	/* RFC 5213 PBU, no C flag */
	MH_K_CATS_QUERY		= 1,	/* anchoring: ingress -> egress/controller */
	MH_K_CATS_REQUEST	= 2,	/* anchoring: ingress -> chosen egress */
	MH_K_MOB_NOTIFY		= 3,	/* mobility fig. 1/2: old -> new ingress */
	MH_K_MOB_REQUEST	= 4,	/* mobility fig. 2: new -> old ingress */
	MH_K_TX_TRANSFER_REQ	= 5,	/* fig. 3: new ingress -> old egress */
	MH_K_TX_TRANSFER_NOTIFY	= 6,	/* fig. 3: new ingress -> new egress */
	MH_K_LOC_REGISTER	= 7,	/* ingress -> locator (lifetime 0 removes) */
	MH_K_LOC_QUERY		= 8,	/* new ingress -> locator */
	MH_K_SVC_REQUEST	= 9,	/* CATS-aware client -> its ingress */
	MH_K_METRIC_REPORT	= 10,	/* C-SMA/C-NMA -> the C-PS (framework 5.2) */
	MH_K_HEARTBEAT		= 11,	/* liveness probe, RFC 5847 3 (request) */
	MH_K_PBA		= 128,	/* RFC 5213 PBA, no C flag */
	MH_K_CATS_RESPONSE	= 129,	/* answers a query */
	MH_K_CATS_ACK		= 130,	/* answers a request */
	MH_K_MOB_INDICATION	= 131,	/* mobility 4.2: new ingress -> old ingress/egress */
	MH_K_TX_CONFIRM		= 132,	/* fig. 3: old egress -> new ingress */
	MH_K_TX_RECEIVED	= 133,	/* fig. 3: new egress -> new ingress */
	MH_K_LOC_REPLY		= 134,	/* locator -> new ingress */
	MH_K_SVC_REPLY		= 135,	/* ingress -> client: prefix or no site */
	MH_K_MSG_ACK		= 136,	/* answers a message the drafts leave
					 * unanswered (notify, indication,
					 * register); echoes its sequence */
	MH_K_HEARTBEAT_ACK	= 137,	/* answers a heartbeat (RFC 5847 3,
					 * response); echoes its sequence */
};
#define MH_KIND_MAX		22	/* number of kinds in the kind table */

/* Flags of the CATS message option. */
#define MH_CF_CONTINUITY	0x80	/* client needs service continuity (mobility 3) */

/* CR_ID formats, anchoring 4.2. */
#define MH_CRID_IP		1
#define MH_CRID_L2		2
#define MH_CRID_URI		3

#define MH_NAI_SUBTYPE		1	/* RFC 4283: MNID subtype NAI */
#define MH_MAX_HNP		4	/* RFC 5213 allows several HNP options */
#define MH_MAX_UNKNOWN		8	/* unknown options reported by position */
#define MH_REQ_UNSET		0xffffffffu	/* a max-type requirement not given */

/* A view into the decoded buffer (or, for encoding, the caller's memory). */
struct mh_bytes {
	const uint8_t	*p;
	uint8_t		 len;
};

struct mh_prefix {
	uint8_t		 len;		/* bits, <= 128 */
	uint8_t		 addr[16];
};

/* CATS requirements (what the client needs) or conditions (what a site can
 * give): anchoring 4.4.  Units: octets/s, ns, ns, parts per 10^9, ns. */
struct mh_cats_req {
	uint32_t	 min_bw;
	uint32_t	 max_lat;
	uint32_t	 max_jitter;
	uint32_t	 max_loss;
	uint32_t	 comp_lat;
	struct mh_bytes	 affinity;	/* entries: kind(1) len(1) name(len) */
};

/* Affinity entry kinds inside mh_cats_req.affinity. */
#define MH_AFF_AVOID		1	/* not where this function runs */
#define MH_AFF_WITH		2	/* only where this function runs */
#define MH_AFF_NEEDS		3	/* only an instance with this computing
					 * resource (anchoring 3 step 1.d) */
#define MH_AFF_KIND_MAX		MH_AFF_NEEDS

/* What a metric report describes (docs/wire.md 5.9). */
#define MH_MS_INSTANCE		1	/* compute metrics of an instance (CIS-ID) */
#define MH_MS_PATH		2	/* network metrics of the path from the
					 * sender (an ingress) to an egress */
#define MH_MAX_METRICS		8	/* as the BGP CATS attribute (8.4) */
#define MH_MF_GONE		0x8000	/* reserved field, G: the instance is
					 * gone (scope 1, count 0) */

struct mh_metrics {
	uint8_t		 scope;		/* MH_MS_* */
	uint8_t		 n;
	bool		 gone;		/* G: scope 1, n 0 (docs/wire.md 5.9) */
	uint32_t	 cis_id;	/* MH_MS_INSTANCE */
	uint8_t		 egress[16];	/* MH_MS_PATH: the egress's address */
	struct cats_sample s[MH_MAX_METRICS];
};

/* Transaction switching (mobility fig. 3): what identifies the moved state. */
struct mh_tx {
	uint32_t	 id;		/* client transaction */
	uint32_t	 next_seq;	/* first result the new edge must send */
	uint32_t	 state_len;	/* octets of state moved over the stream */
	uint16_t	 port;		/* TCP port the state stream uses, 0 = default */
};

struct mh_unknown {
	uint8_t		 type;
	uint8_t		 len;
	uint16_t	 off;		/* octet offset of the option in the MH */
};

/*
 * One decoded message.  A field is valid only when its option's bit is in
 * 'present' (decoding does not clear the rest, for speed).  Byte views
 * point into the decoded buffer.
 */
struct mh_msg {
	uint8_t		 type;		/* MH_TYPE_BU or MH_TYPE_BA */
	uint8_t		 kind;		/* enum mh_kind */
	uint8_t		 status;	/* BA only */
	uint8_t		 cats_flags;	/* MH_CF_* */
	uint16_t	 seq;
	uint16_t	 flags;		/* BU: 16 bits; BA: low 8 bits */
	uint16_t	 lifetime;	/* units of 4 s (RFC 6275 6.1.7) */
	uint32_t	 present;	/* MH_BIT(enum mh_opt) */

	uint8_t		 mnid_subtype;
	struct mh_bytes	 mnid;
	uint8_t		 hi, att;
	struct mh_bytes	 llid;
	uint8_t		 n_hnp;
	struct mh_prefix hnp[MH_MAX_HNP];
	uint64_t	 timestamp;	/* 48-bit seconds, 16-bit fraction */
	uint8_t		 lla[16];
	uint8_t		 crid_format;
	struct mh_bytes	 crid;
	struct mh_bytes	 service_id;
	struct mh_cats_req req, cond;
	struct mh_prefix svc_prefix;
	uint8_t		 client_addr[16];
	uint8_t		 cats_addr[16];
	struct mh_tx	 tx;
	uint32_t	 cis_id;
	struct mh_metrics metrics;
	uint8_t		 auth_subtype;
	uint32_t	 auth_spi;
	struct mh_bytes	 auth_data;

	uint8_t		 n_unknown;	/* may exceed MH_MAX_UNKNOWN */
	struct mh_unknown unknown[MH_MAX_UNKNOWN];
};

/* Addresses of the carrying IPv6 packet, for the pseudo-header checksum. */
struct mh_addrs {
	uint8_t		 src[16];
	uint8_t		 dst[16];
};

enum mh_err {
	MH_OK = 0,
	MH_E_SHORT,		/* shorter than a BU/BA header */
	MH_E_HDRLEN,		/* header length runs past the buffer */
	MH_E_TRAILING,		/* bytes after the header length */
	MH_E_PROTO,		/* payload proto is not 59 */
	MH_E_TYPE,		/* MH type is not BU or BA */
	MH_E_CHECKSUM,		/* pseudo-header checksum does not verify */
	MH_E_OPT_TRUNC,		/* an option runs past the end */
	MH_E_OPT_LEN,		/* option length wrong for its type */
	MH_E_OPT_ALIGN,		/* option breaks its xn+y alignment */
	MH_E_PAD,		/* pad run over 7 octets, or PadN not zero */
	MH_E_OPT_DUP,		/* option repeated where one is allowed */
	MH_E_OPT_VALUE,		/* a field value is invalid */
	MH_E_AUTH_NOT_LAST,	/* RFC 4285: authentication must be last */
	MH_E_KIND,		/* C flag, kind option and X flag disagree */
	MH_E_MISSING,		/* a mandatory option of the kind is absent */
	MH_E_NOSPACE,		/* encode: output buffer too small */
	MH_E_LAYOUT,		/* encode: options and layout disagree */
	MH_E__COUNT
};

struct mh_error {
	enum mh_err	 code;
	size_t		 off;		/* octet offset in the MH */
	uint8_t		 opt;		/* option type involved, if any */
};

/*
 * The options area as it is on the wire: every option and pad in order,
 * what a peer's encoder chose and ours would not (RFC 6275 6.2 leaves the
 * order of options and the choice of padding to the sender).  With it a
 * decoded message is encoded again octet for octet (catsctl pkt,
 * docs/wire.md 7.1).  Bodies of unknown options are copied into 'octets'.
 */
#define MH_MAX_ELEMS		(MH_MAX_LEN - MH_FIXED_LEN)	/* a Pad1 each */

struct mh_elem {
	uint8_t		 type;		/* option type; MH_OT_PAD1, MH_OT_PADN */
	uint8_t		 len;		/* body octets on the wire; 0 for Pad1 */
	uint16_t	 data;		/* unknown option: its body in octets[] */
	uint16_t	 rsvd;		/* known option: its reserved bits */
};

struct mh_layout {
	uint8_t		 hdr_rsvd;	/* the MH header's reserved octet */
	uint16_t	 n;
	uint16_t	 used;		/* octets[] taken */
	struct mh_elem	 e[MH_MAX_ELEMS];
	uint8_t		 octets[MH_MAX_LEN];
};

/* Per-kind facts: one row per message, the table docs/wire.md mirrors. */
struct mh_kind_info {
	uint8_t		 kind;
	uint8_t		 mh_type;
	bool		 x;		/* BU X flag set for this kind */
	const char	*name;		/* "cats-query" */
	uint32_t	 mandatory;	/* MH_BIT()s besides the CATS message option */
	uint32_t	 optional;
};

struct mh_opt_info {
	uint8_t		 type;
	const char	*name;		/* "client-addr" */
	uint8_t		 min_len;	/* option body, without type and length */
	uint8_t		 max_len;
	uint8_t		 align_n;	/* RFC 6275 6.2.1 xn+y; 0 = none */
	uint8_t		 align_y;
	uint8_t		 max_count;
};

/*
 * Decode one message.  With addrs the checksum is verified, last, so that a
 * message failing only its checksum (MH_E_CHECKSUM) is still fully decoded;
 * without addrs it is not checked.
 */
enum mh_err	 mh_decode(const uint8_t *buf, size_t len,
		    const struct mh_addrs *addrs, struct mh_msg *m,
		    struct mh_error *e);

/*
 * Encode m into out.  The C and X flags follow m->kind; the checksum is
 * filled when addrs is given, else left zero (a raw IPPROTO_MH socket on
 * Linux fills it).  Returns MH_OK and the length in *outlen.
 */
enum mh_err	 mh_encode(const struct mh_msg *m, const struct mh_addrs *addrs,
		    uint8_t *out, size_t cap, size_t *outlen,
		    struct mh_error *e);

/*
 * The same, also recording the options area in *lay: every option, pad
 * and unknown option in wire order.
 */
enum mh_err	 mh_decode_layout(const uint8_t *buf, size_t len,
		    const struct mh_addrs *addrs, struct mh_msg *m,
		    struct mh_layout *lay, struct mh_error *e);

/*
 * Encode m with its options in the order and padding of lay (NULL: our
 * own order, mh_encode), reserved bits as lay keeps them (the header's,
 * each option's: mh_opt_rsvd).  Every option of m must be in lay once (each
 * home network prefix once), and lay must keep the decoder's rules:
 * alignment, pad runs, authentication last, 8-octet end (MH_E_LAYOUT
 * names the first option that breaks them).
 */
enum mh_err	 mh_encode_layout(const struct mh_msg *m,
		    const struct mh_layout *lay, const struct mh_addrs *addrs,
		    uint8_t *out, size_t cap, size_t *outlen,
		    struct mh_error *e);
/* Append an element (rsvd 0); false when lay is full or octets would
 * overflow. */
bool		 mh_layout_add(struct mh_layout *lay, uint8_t type, uint8_t len,
		    const uint8_t *body);

/* Start a message of a kind: type, C/X flags and an empty option set. */
void		 mh_msg_init(struct mh_msg *m, enum mh_kind kind);
/* An affinity list as the codec takes it (docs/wire.md 5.4): entries of
 * kind(1) len(1) name(len), known kinds, names not empty. */
bool		 mh_affinity_valid(const struct mh_bytes *a);
/* Same message: header fields and every present option, field by field. */
bool		 mh_msg_equal(const struct mh_msg *a, const struct mh_msg *b);

uint16_t	 mh_checksum(const uint8_t *mh, size_t len,
		    const struct mh_addrs *addrs);
/* The same for any upper layer over IPv6 (RFC 8200 8.1): UDP's is
 * ip6_checksum(udp, len, addrs, 17), 0 sent as 0xffff. */
uint16_t	 ip6_checksum(const uint8_t *p, size_t len,
		    const struct mh_addrs *addrs, uint8_t next_header);

const struct mh_kind_info *mh_kind_info(uint8_t kind);
const struct mh_kind_info *mh_kind_by_name(const char *name);
const struct mh_kind_info *mh_kind_at(size_t i);	/* NULL past the end */
const struct mh_opt_info *mh_opt_info(enum mh_opt o);
/* Bits of an option type's reserved field a layout keeps; 0 if none. */
uint16_t	 mh_opt_rsvd(uint8_t type);
const char	*mh_strerror(enum mh_err);
const char	*mh_status_name(uint8_t status);	/* NULL if unknown */
bool		 mh_status_accepted(uint8_t status);	/* RFC 6275: < 128 */

#endif /* CATS_MH_H */
