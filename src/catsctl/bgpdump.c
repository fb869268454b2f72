/*
 * bgpdump: BGP messages to JSON (bgpdump.h), and "catsctl pkt bgp".
 *
 * Decoding is the core's (bgp_hdr_decode, bgp_open_decode,
 * bgp_update_decode, bgp_mup_next, bgp_prefix_next ...): this file only
 * frames the streams and names what the decoders found.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cats/bgp.h"
#include "cats/buf.h"
#include "catsctl/bgp_json.h"
#include "catsctl/bgpdump.h"
#include "catsctl/frame.h"
#include "catsctl/hex.h"
#include "catsctl/pkt.h"
#include "catsctl/tcp.h"

#define J(x)		((json_int_t)(x))
#define MARKER_LEN	16
#define HEX_STREAM	TCP_MAX_DIRS	/* the framer of hex input */

/* One direction of a stream cut into messages (RFC 4271 4.1). */
struct framer {
	uint8_t		 buf[BGP_MAX_LEN];
	size_t		 have;
	size_t		 want;		/* the header's length, once read */
	uint64_t	 off;		/* stream offset of buf[0] */
	uint64_t	 pos;		/* stream offset of the next octet */
	bool		 lost;		/* looking for a marker */
	const struct tcp_dir *dir;	/* NULL for hex input */
};

/* What RFC 6793 4 needs: did each side's OPEN offer 4-octet AS? */
struct conn {
	bool		 open[2];
	bool		 as4[2];
};

struct bgpdump {
	json_t		*list;
	unsigned long	 errors;
	FILE		*warn;
	FILE		*out;		/* print as they come, else keep */
	unsigned long	 printed;
	bool		 out_failed;
	bool		 as2;
	struct tcp_reasm *tcp;
	struct framer	*fr[TCP_MAX_DIRS + 1];
	struct conn	 conn[TCP_MAX_DIRS + 2];
};

/* Where a message came from: a TCP direction, or hex input (d NULL). */
struct origin {
	const struct tcp_dir *d;
	unsigned long	 packet;
};

/* ------------------------------------------------------------------ */
/* Names                                                               */

static const char *const action_names[] = {
	[BGP_ACT_NONE] = "none",
	[BGP_ACT_ATTR_DISCARD] = "attribute-discard",
	[BGP_ACT_TREAT_AS_WITHDRAW] = "treat-as-withdraw",
	[BGP_ACT_SESSION_RESET] = "session-reset",
};

/* RFC 4271 4.5, RFC 7313 5. */
static const char *const notif_names[] = {
	[BGP_NC_HEADER] = "message header error",
	[BGP_NC_OPEN] = "OPEN message error",
	[BGP_NC_UPDATE] = "UPDATE message error",
	[BGP_NC_HOLD] = "hold timer expired",
	[BGP_NC_FSM] = "finite state machine error",
	[BGP_NC_CEASE] = "cease",
	[BGP_NC_ROUTE_REFRESH] = "ROUTE-REFRESH message error",
};

/* The IANA names of the attributes, by the bit 'seen' has for them. */
static const struct {
	uint64_t	 bit;
	const char	*name;
} attr_names[] = {
	{ BGP_SEEN(BGP_ATTR_ORIGIN), "ORIGIN" },
	{ BGP_SEEN(BGP_ATTR_AS_PATH), "AS_PATH" },
	{ BGP_SEEN(BGP_ATTR_NEXT_HOP), "NEXT_HOP" },
	{ BGP_SEEN(BGP_ATTR_MED), "MULTI_EXIT_DISC" },
	{ BGP_SEEN(BGP_ATTR_LOCAL_PREF), "LOCAL_PREF" },
	{ BGP_SEEN(BGP_ATTR_ATOMIC_AGG), "ATOMIC_AGGREGATE" },
	{ BGP_SEEN(BGP_ATTR_AGGREGATOR), "AGGREGATOR" },
	{ BGP_SEEN(BGP_ATTR_COMMUNITIES), "COMMUNITIES" },
	{ BGP_SEEN(BGP_ATTR_ORIGINATOR_ID), "ORIGINATOR_ID" },
	{ BGP_SEEN(BGP_ATTR_CLUSTER_LIST), "CLUSTER_LIST" },
	{ BGP_SEEN(BGP_ATTR_MP_REACH), "MP_REACH_NLRI" },
	{ BGP_SEEN(BGP_ATTR_MP_UNREACH), "MP_UNREACH_NLRI" },
	{ BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES), "EXTENDED_COMMUNITIES" },
	{ BGP_SEEN(BGP_ATTR_AS4_PATH), "AS4_PATH" },
	{ BGP_SEEN(BGP_ATTR_AS4_AGGREGATOR), "AS4_AGGREGATOR" },
	{ BGP_SEEN_PREFIX_SID, "PREFIX_SID" },
	{ BGP_SEEN_CATS, "CATS" },
};

static json_t *
family(uint16_t afi, uint8_t safi)
{
	char s[32];

	if ((afi == BGP_AFI_IPV4 || afi == BGP_AFI_IPV6) &&
	    (safi == BGP_SAFI_UNICAST || safi == BGP_SAFI_MUP)) {
		snprintf(s, sizeof(s), "ipv%c-%s", afi == BGP_AFI_IPV4 ? '4' :
		    '6', safi == BGP_SAFI_MUP ? "mup" : "unicast");
		return json_string(s);
	}
	snprintf(s, sizeof(s), "afi%u-safi%u", afi, safi);
	return json_string(s);
}

static json_t *
hex_json(const uint8_t *p, size_t n)
{
	char *h = hex_string(p, n);
	json_t *j = json_string(h != NULL ? h : "");

	free(h);
	return j;
}

/* ------------------------------------------------------------------ */
/* One message                                                         */

/*
 * The error of a message: the core's reason, the offset into the whole
 * message and the RFC 7606 action taken on the message, which is the
 * strongest of its errors' (3.h; an UPDATE's is bgp_update_decode's).  A
 * stronger error replaces a weaker one: a malformed NLRI resets the
 * session whatever attribute was wrong before it.
 */
struct msgerr {
	enum bgp_err	 err;
	size_t		 off;
	enum bgp_action	 act;
};

static void
set_err_act(struct msgerr *e, enum bgp_err err, size_t off,
    enum bgp_action act)
{
	if (e->err == BGP_OK || act > e->act)
		*e = (struct msgerr){ err, off, act };
}

static void
set_err(struct msgerr *e, enum bgp_err err, size_t off)
{
	set_err_act(e, err, off, bgp_err_action(err));
}

/* A BGP identifier, ORIGINATOR_ID or CLUSTER_ID (RFC 4271 4.2, RFC 4456
 * 8), host order, as a dotted quad. */
static json_t *
j_id(uint32_t v)
{
	uint8_t id[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return bgp_json_ip(BGP_AFI_IPV4, id);
}

static json_t *
j_clusters(const struct bgp_attrs *a)
{
	json_t *l = json_array();
	struct cur c;
	uint32_t id;

	cur_init(&c, a->cluster_list, a->cluster_len);
	while (cur_left(&c) >= 4 && cur_u32(&c, &id))
		json_array_append_new(l, j_id(id));
	return l;
}

static json_t *
j_open(const struct bgp_open *op)
{
	json_t *fams = json_array();

	for (int af = 0; af < BGP_AF__COUNT; af++)
		if (op->afs & (1u << af))
			json_array_append_new(fams,
			    json_string(bgp_af_name((enum bgp_af)af)));
	return json_pack("{s:i,s:I,s:i,s:o,s:{s:o,s:b,s:b,s:i}}",
	    "version", op->version, "as", J(op->as), "hold_time", op->hold,
	    "bgp_id", j_id(op->id), "capabilities",
	    "families", fams, "four_octet_as", op->as4, "route_refresh",
	    op->route_refresh, "unknown", op->unknown_caps);
}

/* RFC 4271 4.3 (RFC 6793 for 4-octet AS): segments the core checked. */
static json_t *
j_as_path(const uint8_t *p, size_t len, bool as4)
{
	static const char *const seg[] = { "?", "set", "sequence",
	    "confed-sequence", "confed-set" };
	json_t *path = json_array(), *asns;
	uint8_t type, count;
	uint32_t as;
	uint16_t as16;
	struct cur c;

	cur_init(&c, p, len);
	while (cur_left(&c) > 0 && cur_u8(&c, &type) && cur_u8(&c, &count)) {
		asns = json_array();
		for (unsigned i = 0; i < count; i++) {
			if (as4 ? !cur_u32(&c, &as) : !cur_u16(&c, &as16))
				break;
			json_array_append_new(asns, json_integer(as4 ? J(as) :
			    J(as16)));
		}
		json_array_append_new(path, json_pack("{s:s,s:o}", "type",
		    type < 5 ? seg[type] : "unknown", "as", asns));
	}
	return path;
}

/*
 * Every NLRI of a block into 'list' (route keys of bgp_json.h): MUP routes
 * (draft-ietf-bess-mup-safi 3.1) or prefixes (RFC 4760 5).  On a malformed
 * one (RFC 7606 5.3) the error at its offset in the message.
 */
static void
walk_nlri(json_t *list, const uint8_t *msg, const uint8_t *p, size_t len,
    uint16_t afi, uint8_t safi, struct msgerr *e, unsigned *skipped)
{
	struct bgp_prefix pf;
	struct bgp_mup m;
	enum bgp_err err = BGP_OK;
	struct cur c;
	int rc;

	if (safi != BGP_SAFI_MUP && safi != BGP_SAFI_UNICAST) {
		*skipped += len > 0;
		return;
	}
	cur_init(&c, p, len);
	for (;;) {
		memset(&m, 0, sizeof(m));
		if (safi == BGP_SAFI_MUP) {
			rc = bgp_mup_next(&c, afi, &m, skipped, &err);
		} else if ((rc = bgp_prefix_next(&c, afi, &pf, &err)) == 1) {
			m.afi = afi;
			m.type = BGP_MUP_PREFIX;
			m.plen = pf.plen;
			memcpy(m.prefix, pf.addr, sizeof(m.prefix));
		}
		if (rc != 1)
			break;
		json_array_append_new(list, bgp_json_key(&m));
	}
	if (rc < 0)
		set_err(e, err, (size_t)(p - msg) + cur_off(&c));
}

/* The attributes of bgp_json.h (shared with "show bgp routes"), less what
 * did not come, and the rest of what the UPDATE carried. */
static json_t *
j_attrs(const struct bgp_attrs *a, bool as4)
{
	struct bgp_rattr ra;
	json_t *o, *seen = json_array();

	bgp_rattr_from(&ra, a);
	o = bgp_json_attrs(&ra);
	if (!(a->seen & BGP_SEEN(BGP_ATTR_ORIGIN)))
		json_object_del(o, "origin");
	if (!(a->seen & BGP_SEEN(BGP_ATTR_LOCAL_PREF)))
		json_object_del(o, "local_pref");
	if (!(a->seen & BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES)))
		json_object_del(o, "route_targets");
	if (a->seen & BGP_SEEN(BGP_ATTR_AS_PATH))
		json_object_set_new(o, "as_path", j_as_path(a->as_path,
		    a->as_path_len, as4));
	if (a->seen & BGP_SEEN(BGP_ATTR_NEXT_HOP))
		json_object_set_new(o, "ipv4_next_hop",
		    bgp_json_ip(BGP_AFI_IPV4, a->next_hop));
	if (a->seen & BGP_SEEN(BGP_ATTR_MED))
		json_object_set_new(o, "med", json_integer(J(a->med)));
	if (a->seen & BGP_SEEN(BGP_ATTR_ATOMIC_AGG))
		json_object_set_new(o, "atomic_aggregate", json_true());
	if (a->seen & BGP_SEEN(BGP_ATTR_ORIGINATOR_ID))
		json_object_set_new(o, "originator_id", j_id(a->originator_id));
	if (a->seen & BGP_SEEN(BGP_ATTR_CLUSTER_LIST))
		json_object_set_new(o, "cluster_list", j_clusters(a));
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (a->seen & attr_names[i].bit)
			json_array_append_new(seen,
			    json_string(attr_names[i].name));
	json_object_set_new(o, "present", seen);
	if (a->discarded > 0)
		json_object_set_new(o, "discarded", json_integer(a->discarded));
	return o;
}

/* RFC 4760 3: family and next hop (global, then link-local when 32). */
static json_t *
j_mp_reach(const struct bgp_attrs *a)
{
	json_t *o = json_pack("{s:i,s:i,s:o}", "afi", a->reach_afi, "safi",
	    a->reach_safi, "family", family(a->reach_afi, a->reach_safi));

	if (a->nh_len == 4)
		json_object_set_new(o, "next_hop", bgp_json_ip(BGP_AFI_IPV4,
		    a->nh));
	if (a->nh_len >= 16)
		json_object_set_new(o, "next_hop", bgp_json_ip(BGP_AFI_IPV6,
		    a->nh));
	if (a->nh_len == 32)
		json_object_set_new(o, "next_hop_link_local",
		    bgp_json_ip(BGP_AFI_IPV6, a->nh + 16));
	return o;
}

static void
update_json(json_t *o, const uint8_t *msg, size_t len, bool as4,
    struct msgerr *e)
{
	struct bgp_update u;
	const struct bgp_attrs *a = &u.a;
	json_t *ann = json_array(), *wd = json_array(), *attrs;
	unsigned skipped = 0;

	bgp_update_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, as4, &u);
	if (u.err != BGP_OK)
		set_err_act(e, u.err, BGP_HDR_LEN + u.off, u.action);
	if (u.action == BGP_ACT_SESSION_RESET) {
		json_decref(ann);
		json_decref(wd);
		return;	/* RFC 7606 3: no length can be trusted */
	}
	walk_nlri(wd, msg, u.withdrawn, u.withdrawn_len, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, e, &skipped);
	if (a->seen & BGP_SEEN(BGP_ATTR_MP_REACH))
		walk_nlri(ann, msg, a->reach, a->reach_len, a->reach_afi,
		    a->reach_safi, e, &skipped);
	if (a->seen & BGP_SEEN(BGP_ATTR_MP_UNREACH))
		walk_nlri(wd, msg, a->unreach, a->unreach_len, a->unreach_afi,
		    a->unreach_safi, e, &skipped);
	walk_nlri(ann, msg, u.nlri, u.nlri_len, BGP_AFI_IPV4, BGP_SAFI_UNICAST,
	    e, &skipped);
	attrs = j_attrs(a, as4);
	if (a->seen & BGP_SEEN(BGP_ATTR_MP_REACH))
		json_object_set_new(attrs, "mp_reach", j_mp_reach(a));
	if (a->seen & BGP_SEEN(BGP_ATTR_MP_UNREACH))
		json_object_set_new(attrs, "mp_unreach", json_pack(
		    "{s:i,s:i,s:o}", "afi", a->unreach_afi, "safi",
		    a->unreach_safi, "family", family(a->unreach_afi,
		    a->unreach_safi)));
	/* RFC 4724 2: End-of-RIB is an UPDATE with nothing but an empty
	 * MP_UNREACH_NLRI (or nothing at all, for IPv4 unicast). */
	if (len == BGP_HDR_LEN + 4)
		json_object_set_new(o, "end_of_rib",
		    json_string("ipv4-unicast"));
	else if (a->seen == BGP_SEEN(BGP_ATTR_MP_UNREACH) &&
	    a->unreach_len == 0 && u.withdrawn_len == 0 && u.nlri_len == 0)
		json_object_set_new(o, "end_of_rib", family(a->unreach_afi,
		    a->unreach_safi));
	json_object_set_new(o, "withdrawn", wd);
	json_object_set_new(o, "attributes", attrs);
	json_object_set_new(o, "announced", ann);
	if (skipped > 0)
		json_object_set_new(o, "skipped_nlri", json_integer(skipped));
}

/* The body of a message whose header bgp_hdr_decode accepted. */
static void
body_json(json_t *o, uint8_t type, const uint8_t *msg, size_t len, bool as4,
    struct msgerr *e, struct bgp_open *op)
{
	const uint8_t *body = msg + BGP_HDR_LEN;
	size_t blen = len - BGP_HDR_LEN, off = 0;
	struct bgp_notif n;
	enum bgp_err err;
	uint16_t afi;
	uint8_t safi;

	switch (type) {
	case BGP_OPEN:
		if ((err = bgp_open_decode(body, blen, op, &off)) != BGP_OK)
			set_err(e, err, BGP_HDR_LEN + off);
		else
			json_object_set_new(o, "open", j_open(op));
		break;
	case BGP_UPDATE:
		update_json(o, msg, len, as4, e);
		break;
	case BGP_NOTIFICATION:
		if ((err = bgp_notif_decode(body, blen, &n)) != BGP_OK) {
			set_err(e, err, BGP_HDR_LEN);
			break;
		}
		json_object_set_new(o, "notification", json_pack(
		    "{s:i,s:i,s:s,s:o}", "code", n.code, "subcode", n.subcode,
		    "name", n.code >= BGP_NC_HEADER && n.code <=
		    BGP_NC_ROUTE_REFRESH ? notif_names[n.code] : "unknown",
		    "data", hex_json(n.data, n.len)));
		break;
	case BGP_ROUTE_REFRESH:
		if ((err = bgp_refresh_decode(body, blen, &afi, &safi)) !=
		    BGP_OK)
			set_err(e, err, BGP_HDR_LEN);
		else
			json_object_set_new(o, "route_refresh", json_pack(
			    "{s:i,s:i,s:o}", "afi", afi, "safi", safi,
			    "family", family(afi, safi)));
		break;
	default:		/* KEEPALIVE: nothing but the header */
		break;
	}
}

/* Where bgp_hdr_decode's errors are (RFC 4271 4.1: marker at 0, length
 * at 16, type at 18). */
static size_t
hdr_err_off(enum bgp_err err)
{
	return err == BGP_E_MARKER ? 0 : err == BGP_E_TYPE ? 18 : 16;
}

static int
message(const uint8_t *msg, size_t len, bool as4, json_t **out, char *err,
    size_t errlen, struct bgp_open *op)
{
	struct msgerr e = { BGP_OK, 0, BGP_ACT_NONE };
	enum bgp_err herr;
	uint16_t mlen = 0;
	uint8_t type = 0;
	json_t *o;

	op->version = 0;
	*out = o = json_object();
	if (o == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	herr = len < BGP_HDR_LEN ? BGP_E_LENGTH :
	    bgp_hdr_decode(msg, len, &type, &mlen);
	if (herr == BGP_OK && mlen != len)
		herr = BGP_E_LENGTH;
	if (herr != BGP_OK && len >= BGP_HDR_LEN)
		type = msg[18];	/* what the header said, if anything */
	json_object_set_new(o, "type", json_string(bgp_type_name(type)));
	if (strcmp(bgp_type_name(type), "unknown") == 0)
		json_object_set_new(o, "type_code", json_integer(type));
	json_object_set_new(o, "length", json_integer(J(len)));
	if (herr != BGP_OK)
		set_err(&e, herr, hdr_err_off(herr));
	else
		body_json(o, type, msg, len, as4, &e, op);
	if (e.err == BGP_OK)
		return 0;
	snprintf(err, errlen, "offset %zu: %s (%s)", e.off, bgp_err_name(e.err),
	    action_names[e.act]);
	json_object_set_new(o, "error", json_pack("{s:s,s:I,s:s}", "reason",
	    bgp_err_name(e.err), "offset", J(e.off), "action",
	    action_names[e.act]));
	return -1;
}

int
bgpdump_message(const uint8_t *msg, size_t len, bool as4, json_t **out,
    char *err, size_t errlen)
{
	struct bgp_open op;

	return message(msg, len, as4, out, err, errlen, &op);
}

/* ------------------------------------------------------------------ */
/* Streams                                                             */

static void
warn(struct bgpdump *b, const struct origin *from, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "10.0.0.1:179", "[fd00::1]:179" (RFC 5952 6) */
static void
endpoint(const struct pkt_addr *a, uint16_t port, char *s, size_t len)
{
	char t[INET6_ADDRSTRLEN];

	inet_ntop(a->af, a->a, t, sizeof(t));
	snprintf(s, len, a->af == AF_INET6 ? "[%s]:%u" : "%s:%u", t, port);
}

/* "packet 7, 10.0.0.1:179 -> 10.0.0.2:40000: " */
static void
where(const struct origin *from, char *s, size_t len)
{
	char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];
	const struct tcp_dir *d = from->d;

	s[0] = '\0';
	if (d == NULL)
		return;
	endpoint(&d->src, d->sport, a, sizeof(a));
	endpoint(&d->dst, d->dport, b, sizeof(b));
	if (from->packet != 0)
		snprintf(s, len, "packet %lu, %s -> %s: ", from->packet, a, b);
	else
		snprintf(s, len, "end of capture, %s -> %s: ", a, b);
}

static void
warn(struct bgpdump *b, const struct origin *from, const char *fmt, ...)
{
	char w[160];
	va_list ap;

	b->errors++;
	if (b->warn == NULL)
		return;
	where(from, w, sizeof(w));
	fprintf(b->warn, "catsctl: %s", w);
	va_start(ap, fmt);
	vfprintf(b->warn, fmt, ap);
	va_end(ap);
	fputc('\n', b->warn);
}

static void
set_addr(json_t *o, const char *key, const struct pkt_addr *a)
{
	json_object_set_new(o, key, bgp_json_ip(a->af == AF_INET ?
	    BGP_AFI_IPV4 : BGP_AFI_IPV6, a->a));
}

static void
add_meta(json_t *o, const struct origin *from, uint64_t off)
{
	const struct tcp_dir *d = from->d;
	json_t *m = json_object();

	if (d != NULL) {
		json_object_set_new(m, "packet", json_integer(J(from->packet)));
		json_object_set_new(m, "connection", json_integer(d->conn));
		set_addr(m, "src", &d->src);
		json_object_set_new(m, "sport", json_integer(d->sport));
		set_addr(m, "dst", &d->dst);
		json_object_set_new(m, "dport", json_integer(d->dport));
		json_object_set_new(m, "direction", json_string(d->dport ==
		    BGP_PORT ? "to-179" : "from-179"));
	}
	json_object_set_new(m, "offset", json_integer(J(off)));
	json_object_update(m, o);
	json_object_clear(o);
	json_object_update(o, m);
	json_decref(m);
}

static struct conn *
conn_of(struct bgpdump *b, const struct origin *from)
{
	return &b->conn[from->d != NULL ? from->d->conn : 0];
}

/* RFC 6793 4: 4-octet AS numbers once both sides offered them; before
 * both OPENs are seen, as the user said (-2: two octets). */
static bool
as4_of(struct bgpdump *b, const struct origin *from)
{
	const struct conn *c = conn_of(b, from);

	if (c->open[0] && c->open[1])
		return c->as4[0] && c->as4[1];
	return !b->as2;
}

static void
emit(struct bgpdump *b, const struct origin *from, struct framer *f)
{
	struct bgp_open op;
	char err[160];
	json_t *o;
	struct conn *c = conn_of(b, from);
	unsigned dir = from->d != NULL ? from->d->dir : 0;

	if (message(f->buf, f->have, as4_of(b, from), &o, err, sizeof(err),
	    &op) < 0)
		warn(b, from, "message at stream offset %llu: %s",
		    (unsigned long long)f->off, err);
	if (op.version != 0) {
		c->open[dir] = true;
		c->as4[dir] = op.as4;
	}
	if (o == NULL)
		return;
	add_meta(o, from, f->off);
	if (b->out == NULL) {
		json_array_append_new(b->list, o);
		return;
	}
	/* One element of the array the caller opened: memory stays bounded
	 * however long the capture. */
	if ((b->printed++ > 0 && fputs(",\n", b->out) == EOF) ||
	    json_dumpf(o, b->out, JSON_INDENT(2)) != 0)
		b->out_failed = true;
	json_decref(o);
}

/* Looking for a marker (RFC 4271 4.1: sixteen 0xff) after a header that
 * could not be trusted or a gap. */
static void
hunt(struct framer *f, uint8_t octet)
{
	if (octet != 0xff) {
		f->have = 0;
		return;
	}
	f->buf[f->have++] = octet;
	if (f->have == MARKER_LEN) {
		f->lost = false;
		f->off = f->pos + 1 - MARKER_LEN;
	}
}

/* A whole header in: its length, or the error and a hunt. */
static void
header(struct bgpdump *b, const struct origin *from, struct framer *f)
{
	uint16_t len;
	uint8_t type;

	if (bgp_hdr_decode(f->buf, f->have, &type, &len) == BGP_OK) {
		f->want = len;
		return;
	}
	emit(b, from, f);	/* the error, named */
	f->have = 0;
	f->want = 0;
	f->lost = true;
}

static void
feed(struct bgpdump *b, const struct origin *from, struct framer *f,
    const uint8_t *p, size_t n)
{
	size_t need, take;

	while (n > 0) {
		if (f->lost) {
			hunt(f, *p++);
			f->pos++;
			n--;
			continue;
		}
		if (f->have == 0)
			f->off = f->pos;
		need = (f->want != 0 ? f->want : BGP_HDR_LEN) - f->have;
		take = need < n ? need : n;
		memcpy(f->buf + f->have, p, take);
		f->have += take;
		f->pos += take;
		p += take;
		n -= take;
		if (f->want == 0 && f->have == BGP_HDR_LEN)
			header(b, from, f);
		if (f->want != 0 && f->have == f->want) {
			emit(b, from, f);
			f->have = f->want = 0;
		}
	}
}

static struct framer *
framer(struct bgpdump *b, size_t i)
{
	if (b->fr[i] == NULL)
		b->fr[i] = calloc(1, sizeof(struct framer));
	return b->fr[i];
}

static void
on_data(void *ctx, const struct tcp_dir *d, const uint8_t *p, size_t n,
    unsigned long packet)
{
	struct bgpdump *b = ctx;
	struct origin from = { d, packet };
	struct framer *f = framer(b, d->index);

	if (f == NULL) {
		warn(b, &from, "out of memory");
		return;
	}
	f->dir = d;
	feed(b, &from, f, p, n);
}

static void
on_gap(void *ctx, const struct tcp_dir *d, uint32_t seq, uint32_t missing,
    unsigned long packet)
{
	struct bgpdump *b = ctx;
	struct origin from = { d, packet };
	struct framer *f = framer(b, d->index);

	warn(b, &from, "%u octets from TCP sequence number %u never "
	    "captured", missing, seq);
	if (f == NULL)
		return;
	f->dir = d;
	if (f->have > 0 && !f->lost)
		warn(b, &from, "message at stream offset %llu cut by the gap",
		    (unsigned long long)f->off);
	f->pos += missing;
	f->have = f->want = 0;
	f->lost = true;
}

static void
on_error(void *ctx, unsigned long packet, const char *why)
{
	struct origin from = { NULL, packet };

	warn(ctx, &from, "packet %lu: %s", packet, why);
}

/* The ports reused by a new connection: its OPENs are to come. */
static void
on_restart(void *ctx, const struct tcp_dir *d, unsigned long packet)
{
	struct bgpdump *b = ctx;
	struct origin from = { d, packet };
	struct framer *f = b->fr[d->index];

	b->conn[d->conn].open[d->dir] = false;
	if (f == NULL)
		return;
	if (f->have > 0 && !f->lost)
		warn(b, &from, "message at stream offset %llu cut by a new "
		    "connection (SYN)", (unsigned long long)f->off);
	memset(f, 0, sizeof(*f));
}

static const struct tcp_ops ops = { on_data, on_gap, on_error, on_restart };

struct bgpdump *
bgpdump_new(FILE *w, bool as2)
{
	struct bgpdump *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->warn = w;
	b->as2 = as2;
	b->list = json_array();
	b->tcp = tcp_new(&ops, b);
	if (b->list == NULL || b->tcp == NULL) {
		bgpdump_free(b);
		return NULL;
	}
	return b;
}

void
bgpdump_free(struct bgpdump *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i <= TCP_MAX_DIRS; i++)
		free(b->fr[i]);
	tcp_free(b->tcp);
	json_decref(b->list);
	free(b);
}

void
bgpdump_bytes(struct bgpdump *b, const uint8_t *p, size_t n)
{
	struct origin from = { NULL, 0 };
	struct framer *f = framer(b, HEX_STREAM);

	if (f == NULL) {
		warn(b, &from, "out of memory");
		return;
	}
	feed(b, &from, f, p, n);
}

void
bgpdump_frame(const struct cap_frame *cf, void *arg)
{
	struct bgpdump *b = arg;
	struct origin from = { NULL, cf->n };
	struct tcp_seg s;
	struct frame fr;
	char err[160];

	if (frame_parse(cf->dlt, cf->p, cf->caplen, &fr, err,
	    sizeof(err)) < 0) {
		warn(b, &from, "packet %lu: %s%s", cf->n, err,
		    cf->caplen < cf->len ? " (capture cut short)" : "");
		return;
	}
	if (fr.tcp == NULL)
		return;
	if (tcp_parse(fr.tcp, fr.tcp_len, &s, err, sizeof(err)) < 0) {
		warn(b, &from, "packet %lu: %s", cf->n, err);
		return;
	}
	if (s.sport != BGP_PORT && s.dport != BGP_PORT)
		return;
	s.src = fr.meta.src;
	s.dst = fr.meta.dst;
	tcp_input(b->tcp, &s, cf->n);
}

/* A message begun and never ended. */
static void
cut_short(struct bgpdump *b, struct framer *f)
{
	struct origin from = { NULL, 0 };

	if (f == NULL || f->lost || f->have == 0)
		return;
	from.d = f->dir;
	warn(b, &from, "message at stream offset %llu cut short: %zu of %zu "
	    "octets", (unsigned long long)f->off, f->have,
	    f->want != 0 ? f->want : (size_t)BGP_HDR_LEN);
}

void
bgpdump_finish(struct bgpdump *b)
{
	tcp_finish(b->tcp);
	for (size_t i = 0; i <= TCP_MAX_DIRS; i++)
		cut_short(b, b->fr[i]);
}

void
bgpdump_print_to(struct bgpdump *b, FILE *out)
{
	b->out = out;
}

json_t *
bgpdump_list(const struct bgpdump *b)
{
	return b->list;
}

unsigned long
bgpdump_errors(const struct bgpdump *b)
{
	return b->errors;
}

/* ------------------------------------------------------------------ */
/* catsctl pkt bgp                                                     */

static int
read_hex(struct bgpdump *b, int argc, char **argv)
{
	uint8_t *buf;
	size_t len;

	if (pkt_read_hex(argc, argv, &buf, &len) < 0)
		return -1;
	bgpdump_bytes(b, buf, len);
	free(buf);
	return 0;
}

static int
run(struct bgpdump *b, const char *file, int argc, char **argv)
{
	char err[512];

	if (file == NULL)
		return read_hex(b, argc, argv);
	if (cap_read(file, bgpdump_frame, b, err, sizeof(err)) < 0) {
		pkt_warnx("%s", err);
		return -1;
	}
	return 0;
}

int
pkt_bgp(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "as2", no_argument, NULL, '2' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	struct bgpdump *b;
	bool as2 = false;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "r:2h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			file = optarg;
			break;
		case '2':
			as2 = true;
			break;
		case 'h':
			pkt_usage("bgp");
			return 0;
		default:
			return pkt_usage("bgp");
		}
	}
	argc -= optind;
	argv += optind;
	if (file != NULL && argc > 0)
		return pkt_usage("bgp");
	if ((b = bgpdump_new(stderr, as2)) == NULL) {
		pkt_warnx("out of memory");
		return PKT_EXIT_FAIL;
	}
	bgpdump_print_to(b, stdout);
	fputs("[\n", stdout);
	rc = run(b, file, argc, argv);
	bgpdump_finish(b);
	if (b->out_failed || fputs("\n]\n", stdout) == EOF ||
	    fflush(stdout) == EOF) {
		pkt_warnx("cannot write the output");
		rc = -1;
	}
	if (b->errors > 0)
		pkt_warnx("%s: %lu error%s", file != NULL ? file : "hex input",
		    b->errors, b->errors == 1 ? "" : "s");
	rc = rc < 0 || b->errors > 0 ? PKT_EXIT_FAIL : 0;
	bgpdump_free(b);
	return rc;
}
