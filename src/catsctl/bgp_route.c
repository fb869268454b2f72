/*
 * bgp_route: a MUP route to originate, checked (bgp_route.h).  The fields
 * are one table: the word catsctl takes, the JSON key, its kind, and for
 * which route types it is part of the key (draft-ietf-bess-mup-safi 3.1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catsctl/bgp_route.h"
#include "catsctl/hex.h"

#define T(x)		(1u << (x))
#define ALL_TYPES	(T(BGP_MUP_ISD) | T(BGP_MUP_DSD) | T(BGP_MUP_T1ST) | \
			 T(BGP_MUP_T2ST))
#define CIS_ID_MAX	0x7fffffff	/* below MUP_CMU_RD_BIT (mup.h) */

enum kind { K_STR, K_INT, K_LIST };

struct field {
	const char	*word;		/* catsctl's */
	const char	*key;		/* the request's */
	enum kind	 kind;
	unsigned	 need;		/* T(type): a key field of that type */
	unsigned	 may;		/* T(type): allowed with that type */
	bool		 attr;		/* a path attribute: add only */
};

static const struct field fields[] = {
	{ "rd", "rd", K_STR, ALL_TYPES, ALL_TYPES, false },
	{ "prefix", "prefix", K_STR, T(BGP_MUP_ISD) | T(BGP_MUP_T1ST),
	  T(BGP_MUP_ISD) | T(BGP_MUP_T1ST), false },
	{ "address", "address", K_STR, T(BGP_MUP_DSD), T(BGP_MUP_DSD), false },
	{ "endpoint", "endpoint", K_STR, T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST),
	  T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST), false },
	{ "teid", "teid", K_INT, T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST),
	  T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST), false },
	{ "qfi", "qfi", K_INT, T(BGP_MUP_T1ST), T(BGP_MUP_T1ST), false },
	{ "source", "source", K_STR, 0, T(BGP_MUP_T1ST), false },
	{ "rt", "rt", K_LIST, 0, ALL_TYPES, true },
	{ "mup", "mup", K_STR, 0, ALL_TYPES, true },
	{ "mup-interwork", "mup_interwork", K_STR, 0, ALL_TYPES, true },
	{ "sid", "sid", K_STR, 0, ALL_TYPES, true },
	{ "behavior", "behavior", K_INT, 0, ALL_TYPES, true },
	{ "cs-id", "cs_id", K_INT, 0, ALL_TYPES, true },
	{ "cis-id", "cis_id", K_INT, 0, ALL_TYPES, true },
	{ "nexthop", "nexthop", K_STR, 0, ALL_TYPES, true },
	/* TLVs, draft-ietf-bess-mup-safi-01 3.1.5: not of the key, add only */
	{ "session-teid", "session_teid", K_INT, 0,
	  T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST), true },
	{ "session-qfi", "session_qfi", K_INT, 0,
	  T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST), true },
	{ "interwork", "interwork", K_STR, 0,
	  T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST), true },
	{ "source-address", "source_address", K_STR, 0,
	  T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST), true },
	{ "tlv", "tlv", K_LIST, 0, T(BGP_MUP_T1ST) | T(BGP_MUP_T2ST), true },
};
#define NFIELDS		(sizeof(fields) / sizeof(fields[0]))

static const char *const type_names[] = {
	[BGP_MUP_ISD] = "isd", [BGP_MUP_DSD] = "dsd", [BGP_MUP_T1ST] = "t1st",
	[BGP_MUP_T2ST] = "t2st",
};
/* The key field a type's route names right after the type (catsctl). */
static const char *const first_key[] = {
	[BGP_MUP_ISD] = "prefix", [BGP_MUP_DSD] = "address",
	[BGP_MUP_T1ST] = "prefix", [BGP_MUP_T2ST] = "endpoint",
};

static const struct field *
field_by(const char *s, bool word)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(s, word ? fields[i].word : fields[i].key) == 0)
			return &fields[i];
	return NULL;
}

/* A decimal number with nothing around it. */
static int
decimal(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *v <= max ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

/*
 * "ASN:N" or "A.B.C.D:N" as the type (0, 1 or 2) and six value octets of a
 * route distinguisher (RFC 4364 4.2) or a route target (RFC 4360 3.1,
 * RFC 5668): a two-octet AS takes a four-octet number (type 0), an IPv4
 * address or a four-octet AS a two-octet one (1, 2).
 */
static int
admin_pair(const char *s, uint8_t *type, uint8_t v[6])
{
	char head[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	unsigned long long a, n;
	uint8_t ip[4];
	size_t hl;

	if (colon == NULL || (hl = (size_t)(colon - s)) == 0 ||
	    hl >= sizeof(head))
		return -1;
	memcpy(head, s, hl);
	head[hl] = '\0';
	if (inet_pton(AF_INET, head, ip) == 1) {
		if (decimal(colon + 1, UINT16_MAX, &n) < 0)
			return -1;
		*type = 1;
		memcpy(v, ip, 4);
		v[4] = (uint8_t)(n >> 8), v[5] = (uint8_t)n;
		return 0;
	}
	if (decimal(head, UINT32_MAX, &a) < 0)
		return -1;
	if (a <= UINT16_MAX) {
		if (decimal(colon + 1, UINT32_MAX, &n) < 0)
			return -1;
		*type = 0;
		v[0] = (uint8_t)(a >> 8), v[1] = (uint8_t)a;
		for (int i = 0; i < 4; i++)
			v[2 + i] = (uint8_t)(n >> (24 - 8 * i));
		return 0;
	}
	if (decimal(colon + 1, UINT16_MAX, &n) < 0)
		return -1;
	*type = 2;
	for (int i = 0; i < 4; i++)
		v[i] = (uint8_t)(a >> (24 - 8 * i));
	v[4] = (uint8_t)(n >> 8), v[5] = (uint8_t)n;
	return 0;
}

/* An address of the family (AF_INET, AF_INET6, or 0: either); its length
 * in octets, 0 if it does not parse. */
static size_t
address(const char *s, int family, uint8_t out[16])
{
	memset(out, 0, 16);
	if (family != AF_INET6 && inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (family != AF_INET && inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return 0;
}

/* "ADDR/LEN" of the family, no bit set past LEN. */
static int
prefix(const char *s, int family, uint8_t out[16], uint8_t *plen)
{
	char a[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long long n;
	size_t alen, al;

	if (slash == NULL || (al = (size_t)(slash - s)) >= sizeof(a))
		return -1;
	memcpy(a, s, al);
	a[al] = '\0';
	if ((alen = address(a, family, out)) == 0 ||
	    decimal(slash + 1, alen * 8, &n) < 0)
		return -1;
	*plen = (uint8_t)n;
	for (size_t bit = n; bit < alen * 8; bit++)
		if (out[bit / 8] & (0x80 >> (bit % 8)))
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The request                                                         */

struct ctx {
	json_t		*req;
	char		*err;
	size_t		 len;
	int		 family;	/* of the route's addresses */
	const char	*type;
};

static int
bad(struct ctx *c, const char *key, const char *what)
{
	snprintf(c->err, c->len, "bgp route: key \"%s\": expected %s", key,
	    what);
	return -1;
}

/* The string of a key, NULL if absent; -1 if not a string. */
static int
str(struct ctx *c, const char *key, const char **out)
{
	json_t *v = json_object_get(c->req, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return bad(c, key, "a string");
	*out = json_string_value(v);
	return 0;
}

/* An integer key in [lo, hi]; 1 if absent. */
static int
num(struct ctx *c, const char *key, json_int_t lo, json_int_t hi,
    uint32_t *out)
{
	json_t *v = json_object_get(c->req, key);
	char what[64];

	if (v == NULL)
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi) {
		snprintf(what, sizeof(what), "an integer from %lld to %lld",
		    (long long)lo, (long long)hi);
		return bad(c, key, what);
	}
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int
addr_key(struct ctx *c, const char *key, int family, uint8_t out[16],
    size_t *alen)
{
	const char *s;
	size_t n;

	if (str(c, key, &s) < 0)
		return -1;
	if (s == NULL) {
		*alen = 0;
		return 0;
	}
	if ((n = address(s, family, out)) == 0)
		return bad(c, key, family == AF_INET ? "an IPv4 address" :
		    family == AF_INET6 ? "an IPv6 address" : "an address");
	*alen = n;
	return 0;
}

/* Every key known, allowed with the type and the action; every key field
 * of the type there. */
static int
check_keys(struct ctx *c, unsigned type, bool add)
{
	const struct field *f;
	const char *k;
	json_t *v;

	json_object_foreach(c->req, k, v) {
		if (strcmp(k, "cmd") == 0 || strcmp(k, "what") == 0 ||
		    strcmp(k, "action") == 0 || strcmp(k, "family") == 0 ||
		    strcmp(k, "type") == 0)
			continue;
		if ((f = field_by(k, false)) == NULL) {
			snprintf(c->err, c->len, "bgp route: unknown key "
			    "\"%.40s\"", k);
			return -1;
		}
		if (!(f->may & T(type))) {
			snprintf(c->err, c->len, "bgp route: key \"%s\" is "
			    "not a field of a route of type %s", k, c->type);
			return -1;
		}
		if (f->attr && !add) {
			snprintf(c->err, c->len, "bgp route del: key \"%s\": "
			    "del names the route only (rd and its key fields)",
			    k);
			return -1;
		}
	}
	for (size_t i = 0; i < NFIELDS; i++)
		if ((fields[i].need & T(type)) &&
		    json_object_get(c->req, fields[i].key) == NULL) {
			snprintf(c->err, c->len, "bgp route: a route of type "
			    "%s needs key \"%s\"", c->type, fields[i].key);
			return -1;
		}
	return 0;
}

/* An "X:N" key (admin_pair); 1 if absent. */
static int
pair_key(struct ctx *c, const char *key, uint8_t *t, uint8_t v[6],
    const char *expect)
{
	const char *s;

	if (str(c, key, &s) < 0)
		return -1;
	if (s == NULL)
		return 1;
	return admin_pair(s, t, v) < 0 ? bad(c, key, expect) : 0;
}

static int
parse_key(struct ctx *c, struct bgp_mup *m)
{
	const char *s;
	uint8_t t, v[6];
	uint32_t n;
	size_t alen;

	if (pair_key(c, "rd", &t, v, "ASN:N or A.B.C.D:N (route "
	    "distinguisher)") != 0)
		return -1;
	m->rd[1] = t;
	memcpy(m->rd + 2, v, 6);
	if ((m->type == BGP_MUP_ISD || m->type == BGP_MUP_T1ST) &&
	    (str(c, "prefix", &s) < 0 ||
	    prefix(s, c->family, m->prefix, &m->plen) < 0))
		return bad(c, "prefix", c->family == AF_INET ?
		    "an IPv4 prefix, no bits past its length" :
		    "an IPv6 prefix, no bits past its length");
	if (m->type == BGP_MUP_DSD &&
	    addr_key(c, "address", c->family, m->addr, &alen) < 0)
		return -1;
	if (m->type == BGP_MUP_T1ST || m->type == BGP_MUP_T2ST) {
		if (num(c, "teid", 1, UINT32_MAX, &m->teid) < 0 ||
		    addr_key(c, "endpoint", m->type == BGP_MUP_T1ST ? 0 :
		    c->family, m->ep, &alen) < 0)
			return -1;
		/* T2ST: the whole TEID after the address */
		m->ep_len = (uint8_t)(alen * 8 + (m->type == BGP_MUP_T2ST ?
		    32 : 0));
	}
	if (m->type == BGP_MUP_T1ST) {
		if (num(c, "qfi", 0, 63, &n) < 0 ||	/* 6 bits, TS 38.415 */
		    addr_key(c, "source", 0, m->src, &alen) < 0)
			return -1;
		m->qfi = (uint8_t)n;
		m->src_len = (uint8_t)(alen * 8);
	}
	return 0;
}

static int
parse_rts(struct ctx *c, struct bgp_rattr *a)
{
	json_t *l = json_object_get(c->req, "rt"), *v;
	uint8_t t, o[6];
	uint64_t rt;
	size_t i;

	if (l == NULL)
		return 0;
	if (!json_is_array(l) || json_array_size(l) == 0 ||
	    json_array_size(l) > BGP_MAX_RT)
		return bad(c, "rt", "a list of 1 to 8 route targets");
	json_array_foreach(l, i, v) {
		if (!json_is_string(v) ||
		    admin_pair(json_string_value(v), &t, o) < 0)
			return bad(c, "rt", "route targets as ASN:N or "
			    "A.B.C.D:N");
		/* RFC 4360 4: type t, subtype 2 (route target) */
		rt = (uint64_t)t << 56 | (uint64_t)2 << 48;
		for (int k = 0; k < 6; k++)
			rt |= (uint64_t)o[k] << (40 - 8 * k);
		if (bgp_rattr_has_rt(a, rt))
			return bad(c, "rt", "each route target once");
		a->rt[a->nrt++] = rt;
	}
	return 0;
}

/*
 * The MUP community, draft-ietf-bess-mup-safi-01 3.2: "mup" a direct
 * segment, "mup_interwork" an interwork one, each ASN:N (two-octet AS,
 * four-octet N), A.B.C.D:N or ASN4:N (two-octet N), as a route target;
 * their sub-types follow the same order (0-2 direct, 3-5 interwork).
 */
static int
parse_mup_ec(struct ctx *c, struct bgp_rattr *a)
{
	static const char expect[] = "ASN:N, A.B.C.D:N or ASN4:N";
	uint8_t t, v[6];
	int rc, rc2;

	if ((rc = pair_key(c, "mup", &t, v, expect)) < 0)
		return -1;
	if ((rc2 = pair_key(c, "mup_interwork", &t, v, expect)) < 0)
		return -1;
	if (rc == 0 && rc2 == 0)
		return bad(c, "mup_interwork", "one MUP community: not with "
		    "\"mup\"");
	if (rc != 0 && rc2 != 0)
		return 0;
	a->has_mup_ec = true;
	a->mup_ec.sub = (uint8_t)(t + (rc2 == 0 ? BGP_MUP_EC_IW_AS2 : 0));
	memcpy(a->mup_ec.v, v, sizeof(v));
	return 0;
}

static int
parse_attrs(struct ctx *c, struct bgp_rattr *a)
{
	size_t alen;
	uint32_t n;
	int rc;

	if (parse_rts(c, a) < 0 || parse_mup_ec(c, a) < 0)
		return -1;
	if (addr_key(c, "sid", AF_INET6, a->sid.sid, &alen) < 0 ||
	    (rc = num(c, "behavior", 1, UINT16_MAX, &n)) < 0)
		return -1;
	if ((alen != 0) != (rc == 0)) {
		snprintf(c->err, c->len, "bgp route: keys \"sid\" and "
		    "\"behavior\" go together (the SRv6 L3 service SID)");
		return -1;
	}
	a->has_sid = alen != 0;
	a->sid.behavior = rc == 0 ? (uint16_t)n : 0;
	if ((rc = num(c, "cs_id", 0, UINT32_MAX, &a->cats.cs_id)) < 0)
		return -1;
	a->cats.has_cs_id = rc == 0;
	if ((rc = num(c, "cis_id", 1, CIS_ID_MAX, &a->cats.cis_id)) < 0)
		return -1;
	a->cats.has_cis_id = rc == 0;
	a->has_cats = a->cats.has_cs_id || a->cats.has_cis_id;
	if (addr_key(c, "nexthop", 0, a->nh, &alen) < 0)
		return -1;
	a->nh_len = (uint8_t)alen;
	return 0;
}

/* A string key that must be one of 'names' (NULL entries skipped). */
static int
pick(struct ctx *c, const char *key, const char *const *names, size_t n,
    const char *expect)
{
	const char *s;

	if (str(c, key, &s) < 0 || s == NULL)
		return bad(c, key, expect);
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return (int)i;
	return bad(c, key, expect);
}

/* "T:HEX": a TLV of a type draft-ietf-bess-mup-safi-01 does not define
 * (4 to 255), its value of 1 to 255 octets. */
static int
raw_tlv(struct ctx *c, const char *s, struct wbuf *w)
{
	static const char expect[] = "\"T:HEX\", T from 4 to 255 (1 to 3 "
	    "have their own keys), 1 to 255 octets of value";
	const char *colon = strchr(s, ':');
	unsigned long long t;
	char head[8], herr[64];
	uint8_t *v;
	size_t n;
	bool ok;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(head))
		return bad(c, "tlv", expect);
	memcpy(head, s, (size_t)(colon - s));
	head[colon - s] = '\0';
	if (decimal(head, UINT8_MAX, &t) < 0 || t < 4 ||
	    hex_parse(colon + 1, &v, &n, herr, sizeof(herr)) < 0)
		return bad(c, "tlv", expect);
	ok = n >= 1 && n <= UINT8_MAX &&
	    bgp_mup_tlv_put(w, (uint8_t)t, v, (uint8_t)n);
	free(v);
	return ok ? 0 : bad(c, "tlv", expect);
}

/* An address TLV (3.1.5.2, 3.1.5.3) from an address key, if given. */
static int
addr_tlv(struct ctx *c, const char *key, uint8_t type, struct wbuf *w)
{
	uint8_t a[16];
	size_t alen;

	if (addr_key(c, key, 0, a, &alen) < 0)
		return -1;
	if (alen != 0)
		bgp_mup_tlv_put(w, type, a, (uint8_t)alen);
	return 0;
}

/* The TLVs of a T1ST or T2ST, in the order of 3.1.5, into r->tlv. */
static int
parse_tlvs(struct ctx *c, struct bgp_route *r)
{
	uint8_t sp[5], nlri[300];
	uint32_t teid = 0, qfi = 0;
	struct wbuf w, n;
	json_t *l, *e;
	size_t i;
	int rt, rq;

	wb_init(&w, r->tlv, sizeof(r->tlv));
	if ((rt = num(c, "session_teid", 0, UINT32_MAX, &teid)) < 0 ||
	    (rq = num(c, "session_qfi", 0, 63, &qfi)) < 0)	/* 6 bits */
		return -1;
	if (rt != rq)
		return bad(c, rt == 0 ? "session_qfi" : "session_teid",
		    "session_teid and session_qfi together (the 3gpp-5g "
		    "session parameters TLV)");
	if (rt == 0) {
		for (int k = 0; k < 4; k++)
			sp[k] = (uint8_t)(teid >> (24 - 8 * k));
		sp[4] = (uint8_t)qfi;
		bgp_mup_tlv_put(&w, BGP_MUP_TLV_SESSION, sp, sizeof(sp));
	}
	if (addr_tlv(c, "interwork", BGP_MUP_TLV_INTERWORK, &w) < 0 ||
	    addr_tlv(c, "source_address", BGP_MUP_TLV_SOURCE, &w) < 0)
		return -1;
	if ((l = json_object_get(c->req, "tlv")) != NULL &&
	    !json_is_array(l))
		return bad(c, "tlv", "a list of \"T:HEX\"");
	json_array_foreach(l, i, e)
		if (!json_is_string(e) ||
		    raw_tlv(c, json_string_value(e), &w) < 0)
			return -1;
	if (w.len == 0)
		return 0;
	r->key.tlv = r->tlv;
	r->key.tlv_len = (uint8_t)w.len;
	wb_init(&n, nlri, sizeof(nlri));
	if (!wb_ok(&w) || bgp_mup_tlv_parse(&r->key, r->tlv, w.len) !=
	    BGP_MUP_TLV_OK || !bgp_mup_encode(&n, &r->key)) {
		snprintf(c->err, c->len, "bgp route: the TLVs do not fit in "
		    "one NLRI (255 octets with the route's fields)");
		return -1;
	}
	return 0;
}

int
bgp_route_parse(json_t *req, struct bgp_route *r, char *err, size_t len)
{
	static const char *const actions[] = { "del", "add" };
	static const char *const fams[] = { "ipv4-mup", "ipv6-mup" };
	struct ctx c = { req, err, len, 0, NULL };
	int act, fam, type;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(req))
		return bad(&c, "", "an object");
	if ((act = pick(&c, "action", actions, 2, "\"add\" or \"del\"")) < 0 ||
	    (fam = pick(&c, "family", fams, 2, "\"ipv4-mup\" or "
	    "\"ipv6-mup\"")) < 0 ||
	    (type = pick(&c, "type", type_names, 5, "\"isd\", \"dsd\", "
	    "\"t1st\" or \"t2st\"")) < 0)
		return -1;
	r->add = act == 1;
	r->af = fam == 0 ? BGP_AF_IPV4_MUP : BGP_AF_IPV6_MUP;
	r->key.afi = fam == 0 ? BGP_AFI_IPV4 : BGP_AFI_IPV6;
	r->key.type = (uint8_t)type;
	c.family = fam == 0 ? AF_INET : AF_INET6;
	c.type = type_names[type];
	if (check_keys(&c, (unsigned)type, r->add) < 0 ||
	    parse_key(&c, &r->key) < 0)
		return -1;
	if (!r->add)
		return 0;
	return parse_attrs(&c, &r->attr) < 0 || parse_tlvs(&c, r) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* catsctl's words                                                     */

static int
put_word(json_t *req, const struct field *f, const char *val, char *err,
    size_t len)
{
	unsigned long long n;
	json_t *l;

	if (f->kind == K_LIST) {
		if ((l = json_object_get(req, f->key)) == NULL) {
			l = json_array();
			json_object_set_new(req, f->key, l);
		}
		json_array_append_new(l, json_string(val));
		return 0;
	}
	if (json_object_get(req, f->key) != NULL) {
		snprintf(err, len, "bgp route: \"%s\" given twice", f->word);
		return -1;
	}
	if (f->kind == K_STR) {
		json_object_set_new(req, f->key, json_string(val));
		return 0;
	}
	if (decimal(val, UINT32_MAX, &n) < 0) {
		snprintf(err, len, "bgp route: %s: expected a number from 0 to "
		    "4294967295, not \"%.40s\"", f->word, val);
		return -1;
	}
	json_object_set_new(req, f->key, json_integer((json_int_t)n));
	return 0;
}

json_t *
bgp_route_request(int argc, char **argv, char *err, size_t len)
{
	const struct field *f;
	struct bgp_route r;
	json_t *req;
	size_t t;

	if (argc < 4) {
		snprintf(err, len, "bgp route: expected add|del FAMILY TYPE "
		    "and the route's key");
		return NULL;
	}
	req = json_pack("{s:s,s:s,s:s,s:s,s:s}", "cmd", "bgp", "what", "route",
	    "action", argv[0], "family", argv[1], "type", argv[2]);
	for (t = BGP_MUP_ISD; t <= BGP_MUP_T2ST; t++)
		if (strcmp(argv[2], type_names[t]) == 0)
			json_object_set_new(req, first_key[t],
			    json_string(argv[3]));
	for (int i = 4; i < argc; i += 2) {
		if ((f = field_by(argv[i], true)) == NULL) {
			snprintf(err, len, "bgp route: unknown word \"%.40s\"",
			    argv[i]);
			goto fail;
		}
		if (i + 1 == argc) {
			snprintf(err, len, "bgp route: %s: expected a value",
			    argv[i]);
			goto fail;
		}
		if (put_word(req, f, argv[i + 1], err, len) < 0)
			goto fail;
	}
	if (bgp_route_parse(req, &r, err, len) == 0)
		return req;
fail:
	json_decref(req);
	return NULL;
}
