/*
 * pktjson_read: JSON to struct mh_msg, as strict as the network decoder.
 * Every error names its key as a path: "key options.cr-id.format: ...".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catsctl/hex.h"
#include "catsctl/pktjson.h"

struct pj_in {
	char		 path[160];	/* key being read, e.g. "options.hnp[1]" */
	size_t		 plen;
	char		*err;
	size_t		 errlen;
};

typedef int (*pj_opt_fn)(struct pj_in *, json_t *, struct pj_msg *);

/* ------------------------------------------------------------------ */
/* Key paths and errors                                                */

static size_t
enter(struct pj_in *in, const char *key)
{
	size_t old = in->plen;
	int n;

	n = snprintf(in->path + old, sizeof(in->path) - old, "%s%s",
	    old > 0 ? "." : "", key);
	if (n > 0)
		in->plen = old + (size_t)n < sizeof(in->path) ?
		    old + (size_t)n : sizeof(in->path) - 1;
	return old;
}

static size_t
enter_idx(struct pj_in *in, size_t i)
{
	size_t old = in->plen;
	int n;

	n = snprintf(in->path + old, sizeof(in->path) - old, "[%zu]", i);
	if (n > 0)
		in->plen = old + (size_t)n < sizeof(in->path) ?
		    old + (size_t)n : sizeof(in->path) - 1;
	return old;
}

static void
leave(struct pj_in *in, size_t old)
{
	in->plen = old;
	in->path[old] = '\0';
}

/* "key <path>[.<key>]: <reason>"; always returns -1. */
static int
fail(struct pj_in *in, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	int r;

	r = snprintf(in->err, in->errlen, "key %s%s%s: ", in->path,
	    key != NULL && in->plen > 0 ? "." : "", key != NULL ? key : "");
	n = r < 0 ? 0 : (size_t)r;
	if (n >= in->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(in->err + n, in->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Typed readers: each checks type and range and names the key.        */

static int
check_keys(struct pj_in *in, json_t *obj, const char *const allowed[])
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(obj))
		return fail(in, NULL, "must be an object");
	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return fail(in, key, "unknown key");
	}
	return 0;
}

static int
read_uint(struct pj_in *in, json_t *v, const char *key, uint64_t max,
    uint64_t *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return fail(in, key, "must be an integer");
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max)
		return fail(in, key, "%lld out of range 0..%llu", (long long)n,
		    (unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}

/* An optional unsigned member; *out keeps its value when absent. */
static int
opt_uint(struct pj_in *in, json_t *obj, const char *key, uint64_t max,
    uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	return v == NULL ? 0 : read_uint(in, v, key, max, out);
}

static int
opt_u8(struct pj_in *in, json_t *obj, const char *key, uint8_t *out)
{
	uint64_t n = *out;

	if (opt_uint(in, obj, key, UINT8_MAX, &n) < 0)
		return -1;
	*out = (uint8_t)n;
	return 0;
}

static int
opt_u16(struct pj_in *in, json_t *obj, const char *key, uint16_t *out)
{
	uint64_t n = *out;

	if (opt_uint(in, obj, key, UINT16_MAX, &n) < 0)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

static int
opt_u32(struct pj_in *in, json_t *obj, const char *key, uint32_t *out)
{
	uint64_t n = *out;

	if (opt_uint(in, obj, key, UINT32_MAX, &n) < 0)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int
read_str(struct pj_in *in, json_t *v, const char *key, const char **out)
{
	if (!json_is_string(v))
		return fail(in, key, "must be a string");
	*out = json_string_value(v);
	return 0;
}

/* A string of min..max octets copied into dst, as the bytes of b. */
static int
read_text(struct pj_in *in, json_t *v, const char *key, size_t min,
    size_t max, uint8_t *dst, struct mh_bytes *b)
{
	size_t len;

	if (!json_is_string(v))
		return fail(in, key, "must be a string");
	len = json_string_length(v);
	if (len < min || len > max || len > PJ_BYTES_MAX)
		return fail(in, key, "length %zu out of range %zu..%zu", len,
		    min, max);
	memcpy(dst, json_string_value(v), len);
	b->p = dst;
	b->len = (uint8_t)len;
	return 0;
}

/* Plain hex of min..max octets into dst. */
static int
read_hex(struct pj_in *in, json_t *v, const char *key, size_t min,
    size_t max, uint8_t *dst, struct mh_bytes *b)
{
	const char *s = NULL;
	uint8_t *buf;
	size_t len, i;
	char herr[80];

	if (read_str(in, v, key, &s) < 0)
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return fail(in, key, "not hex: \"%s\"", s);
	if (hex_parse(s, &buf, &len, herr, sizeof(herr)) < 0)
		return fail(in, key, "%s", herr);
	if (len < min || len > max || len > PJ_BYTES_MAX) {
		free(buf);
		return fail(in, key, "%zu octets out of range %zu..%zu", len,
		    min, max);
	}
	if (len > 0)
		memcpy(dst, buf, len);
	free(buf);
	b->p = dst;
	b->len = (uint8_t)len;
	return 0;
}

/* "aa:bb:cc" of min..max octets into dst. */
static int
read_colon(struct pj_in *in, json_t *v, const char *key, size_t min,
    size_t max, uint8_t *dst, struct mh_bytes *b)
{
	const char *s = NULL;
	size_t len;

	if (read_str(in, v, key, &s) < 0)
		return -1;
	if (hex_colon_parse(s, dst, PJ_BYTES_MAX, &len) < 0)
		return fail(in, key, "not a link-layer identifier "
		    "(aa:bb:...): \"%s\"", s);
	if (len < min || len > max)
		return fail(in, key, "%zu octets out of range %zu..%zu", len,
		    min, max);
	b->p = dst;
	b->len = (uint8_t)len;
	return 0;
}

static int
read_addr6(struct pj_in *in, json_t *v, const char *key, uint8_t out[16])
{
	const char *s = NULL;

	if (read_str(in, v, key, &s) < 0)
		return -1;
	if (inet_pton(AF_INET6, s, out) != 1)
		return fail(in, key, "not an IPv6 address: \"%s\"", s);
	return 0;
}

static int
read_addr(struct pj_in *in, json_t *v, const char *key, struct pkt_addr *a)
{
	const char *s = NULL;

	if (read_str(in, v, key, &s) < 0)
		return -1;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, s, a->a) == 1)
		a->af = AF_INET6;
	else if (inet_pton(AF_INET, s, a->a) == 1)
		a->af = AF_INET;
	else
		return fail(in, key, "not an IP address: \"%s\"", s);
	return 0;
}

/* "2001:db8::/64": an IPv6 prefix with its length, 0..128. */
static int
read_prefix(struct pj_in *in, json_t *v, const char *key, struct mh_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *s = NULL, *slash;
	size_t alen, i;
	unsigned len = 0;

	if (read_str(in, v, key, &s) < 0)
		return -1;
	slash = strchr(s, '/');
	alen = slash != NULL ? (size_t)(slash - s) : 0;
	if (slash == NULL || alen >= sizeof(addr) || slash[1] == '\0' ||
	    strlen(slash + 1) > 3)
		return fail(in, key, "not a prefix (2001:db8::/64): \"%s\"", s);
	for (i = 1; slash[i] != '\0'; i++) {
		if (slash[i] < '0' || slash[i] > '9')
			return fail(in, key, "bad prefix length: \"%s\"", s);
		len = len * 10 + (unsigned)(slash[i] - '0');
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (len > 128)
		return fail(in, key, "prefix length over 128: \"%s\"", s);
	if (inet_pton(AF_INET6, addr, p->addr) != 1)
		return fail(in, key, "not an IPv6 prefix: \"%s\"", s);
	p->len = (uint8_t)len;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static int
in_cats_msg(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "kind", "continuity",
	    "flags_other", NULL };
	struct mh_msg *m = &pm->m;
	json_t *c = json_object_get(v, "continuity");
	uint8_t kind = m->kind, other = 0;

	if (check_keys(in, v, keys) < 0 || opt_u8(in, v, "kind", &kind) < 0 ||
	    opt_u8(in, v, "flags_other", &other) < 0)
		return -1;
	if (kind != m->kind)
		return fail(in, "kind", "%u disagrees with the message kind "
		    "(%u)", kind, m->kind);
	if (other & MH_CF_CONTINUITY)
		return fail(in, "flags_other", "0x%02x is the continuity flag",
		    MH_CF_CONTINUITY);
	if (c != NULL && !json_is_boolean(c))
		return fail(in, "continuity", "must be true or false");
	m->cats_flags = (uint8_t)(other |
	    (json_is_true(c) ? MH_CF_CONTINUITY : 0));
	return 0;
}

/* RFC 4283: subtype (1) then the identifier; "nai" only for subtype 1. */
static int
in_mnid(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "subtype", "nai", "hex", NULL };
	json_t *nai = json_object_get(v, "nai"), *hex;
	struct mh_msg *m = &pm->m;

	hex = json_object_get(v, "hex");
	m->mnid_subtype = MH_NAI_SUBTYPE;
	if (check_keys(in, v, keys) < 0 ||
	    opt_u8(in, v, "subtype", &m->mnid_subtype) < 0)
		return -1;
	if (m->mnid_subtype == 0)
		return fail(in, "subtype", "0 is reserved");
	if ((nai == NULL) == (hex == NULL))
		return fail(in, NULL, "needs one of \"nai\" or \"hex\"");
	if (hex != NULL)
		return read_hex(in, hex, "hex", 1, 254, pm->mnid, &m->mnid);
	if (m->mnid_subtype != MH_NAI_SUBTYPE)
		return fail(in, "nai", "only with subtype %u", MH_NAI_SUBTYPE);
	return read_text(in, nai, "nai", 1, 254, pm->mnid, &m->mnid);
}

static int
in_hi(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	uint64_t n = 0;

	if (read_uint(in, v, NULL, UINT8_MAX, &n) < 0)
		return -1;
	pm->m.hi = (uint8_t)n;
	return 0;
}

static int
in_att(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	uint64_t n = 0;

	if (read_uint(in, v, NULL, UINT8_MAX, &n) < 0)
		return -1;
	pm->m.att = (uint8_t)n;
	return 0;
}

/* RFC 5213 8.6: two reserved octets, then the identifier. */
static int
in_llid(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	return read_colon(in, v, NULL, 1, 253, pm->llid, &pm->m.llid);
}

static int
in_hnp(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	struct mh_msg *m = &pm->m;
	size_t i, n, old;
	int rc;

	if (!json_is_array(v))
		return fail(in, NULL, "must be a list of prefixes");
	n = json_array_size(v);
	if (n == 0 || n > MH_MAX_HNP)
		return fail(in, NULL, "%zu prefixes, want 1..%d", n, MH_MAX_HNP);
	for (i = 0; i < n; i++) {
		old = enter_idx(in, i);
		rc = read_prefix(in, json_array_get(v, i), NULL, &m->hnp[i]);
		if (rc < 0)
			return -1;
		leave(in, old);
	}
	m->n_hnp = (uint8_t)n;
	return 0;
}

/* RFC 5213 8.8: 48-bit seconds and a 16-bit fraction. */
static int
in_timestamp(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "seconds", "fraction", NULL };
	uint64_t sec = 0, frac = 0;

	if (check_keys(in, v, keys) < 0)
		return -1;
	if (json_object_get(v, "seconds") == NULL)
		return fail(in, "seconds", "missing");
	if (opt_uint(in, v, "seconds", (1ull << 48) - 1, &sec) < 0 ||
	    opt_uint(in, v, "fraction", UINT16_MAX, &frac) < 0)
		return -1;
	pm->m.timestamp = sec << 16 | frac;
	return 0;
}

static int
in_lla(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	return read_addr6(in, v, NULL, pm->m.lla);
}

static int
crid_format(struct pj_in *in, json_t *f, uint8_t *out)
{
	static const char *const names[] = { [MH_CRID_IP] = "ip",
	    [MH_CRID_L2] = "l2", [MH_CRID_URI] = "uri" };
	uint64_t n = 0;
	size_t i;

	if (f == NULL)
		return fail(in, "format", "missing");
	if (json_is_string(f)) {
		for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(json_string_value(f), names[i]) == 0)
				break;
		n = i;
	} else if (read_uint(in, f, "format", UINT8_MAX, &n) < 0) {
		return -1;
	}
	if (n < MH_CRID_IP || n > MH_CRID_URI)
		return fail(in, "format", "must be \"ip\", \"l2\" or \"uri\"");
	*out = (uint8_t)n;
	return 0;
}

/* Anchoring 4.2: the value in the text form of its format. */
static int
crid_value(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	struct mh_msg *m = &pm->m;
	const char *s = NULL;

	if (m->crid_format == MH_CRID_URI)
		return read_text(in, v, "value", 1, 253, pm->crid, &m->crid);
	if (m->crid_format == MH_CRID_L2) {
		if (read_colon(in, v, "value", 6, 8, pm->crid, &m->crid) < 0)
			return -1;
		if (m->crid.len == 7)
			return fail(in, "value", "an L2 address has 6 or 8 "
			    "octets");
		return 0;
	}
	if (read_str(in, v, "value", &s) < 0)
		return -1;
	m->crid.p = pm->crid;
	if (inet_pton(AF_INET6, s, pm->crid) == 1)
		m->crid.len = 16;
	else if (inet_pton(AF_INET, s, pm->crid) == 1)
		m->crid.len = 4;
	else
		return fail(in, "value", "not an IP address: \"%s\"", s);
	return 0;
}

static int
in_crid(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "format", "value", "hex", NULL };
	json_t *val = json_object_get(v, "value"), *hex;
	struct mh_msg *m = &pm->m;

	hex = json_object_get(v, "hex");
	if (check_keys(in, v, keys) < 0 ||
	    crid_format(in, json_object_get(v, "format"), &m->crid_format) < 0)
		return -1;
	if ((val == NULL) == (hex == NULL))
		return fail(in, NULL, "needs one of \"value\" or \"hex\"");
	if (val != NULL)
		return crid_value(in, val, pm);
	if (read_hex(in, hex, "hex", 1, 253, pm->crid, &m->crid) < 0)
		return -1;
	if ((m->crid_format == MH_CRID_IP && m->crid.len != 4 &&
	    m->crid.len != 16) || (m->crid_format == MH_CRID_L2 &&
	    m->crid.len != 6 && m->crid.len != 8))
		return fail(in, "hex", "%u octets wrong for the format",
		    m->crid.len);
	return 0;
}

/* Anchoring 4.3: a printable string, or {"hex": ...} for other bytes. */
static int
in_service_id(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "hex", NULL };

	if (json_is_string(v))
		return read_text(in, v, NULL, 1, 253, pm->service_id,
		    &pm->m.service_id);
	if (!json_is_object(v))
		return fail(in, NULL, "must be a string or {\"hex\": ...}");
	if (check_keys(in, v, keys) < 0)
		return -1;
	return read_hex(in, json_object_get(v, "hex"), "hex", 1, 253,
	    pm->service_id, &pm->m.service_id);
}

/* The entry kinds by name (docs/wire.md 5.4), in code order. */
static const char *const aff_kinds[MH_AFF_KIND_MAX + 1] = {
	[MH_AFF_AVOID] = "avoid",
	[MH_AFF_WITH] = "with",
	[MH_AFF_NEEDS] = "needs",
};
#define AFF_KINDS_TEXT	"must be \"avoid\", \"with\" or \"needs\""

static int
aff_kind(struct pj_in *in, json_t *k, uint8_t *out)
{
	uint64_t n = 0;

	if (k == NULL)
		return fail(in, "kind", "missing");
	if (json_is_string(k)) {
		for (n = MH_AFF_AVOID; n <= MH_AFF_KIND_MAX; n++)
			if (strcmp(json_string_value(k), aff_kinds[n]) == 0)
				break;
	} else if (read_uint(in, k, "kind", UINT8_MAX, &n) < 0)
		return -1;
	if (n < MH_AFF_AVOID || n > MH_AFF_KIND_MAX)
		return fail(in, "kind", AFF_KINDS_TEXT);
	*out = (uint8_t)n;
	return 0;
}

/* One affinity entry, kind(1) len(1) name(len), appended at *used. */
static int
aff_entry(struct pj_in *in, json_t *e, uint8_t *buf, size_t cap,
    size_t *used)
{
	static const char *const keys[] = { "kind", "name", "hex", NULL };
	json_t *name = json_object_get(e, "name"), *hex;
	struct mh_bytes b;
	uint8_t kind = 0, tmp[PJ_BYTES_MAX];

	hex = json_object_get(e, "hex");
	if (check_keys(in, e, keys) < 0 ||
	    aff_kind(in, json_object_get(e, "kind"), &kind) < 0)
		return -1;
	if ((name == NULL) == (hex == NULL))
		return fail(in, NULL, "needs one of \"name\" or \"hex\"");
	if (name != NULL && read_text(in, name, "name", 1, PJ_BYTES_MAX, tmp,
	    &b) < 0)
		return -1;
	if (hex != NULL && read_hex(in, hex, "hex", 1, PJ_BYTES_MAX, tmp,
	    &b) < 0)
		return -1;
	if (*used + 2 + b.len > cap)
		return fail(in, NULL, "affinity over %zu octets", cap);
	buf[(*used)++] = kind;
	buf[(*used)++] = b.len;
	memcpy(buf + *used, b.p, b.len);
	*used += b.len;
	return 0;
}

/* The option body is at most 255 octets: 20 of numbers, the rest entries. */
#define AFF_MAX		(255 - 20)

static int
affinity(struct pj_in *in, json_t *v, uint8_t *buf, struct mh_bytes *out)
{
	size_t i, used = 0, old;

	if (!json_is_array(v))
		return fail(in, NULL, "must be a list");
	for (i = 0; i < json_array_size(v); i++) {
		old = enter_idx(in, i);
		if (aff_entry(in, json_array_get(v, i), buf, AFF_MAX, &used) < 0)
			return -1;
		leave(in, old);
	}
	out->p = buf;
	out->len = (uint8_t)used;
	return 0;
}

static int
req_body(struct pj_in *in, json_t *v, uint8_t *buf, struct mh_cats_req *r)
{
	static const char *const keys[] = { "min_bw", "max_lat", "max_jitter",
	    "max_loss", "comp_lat", "affinity", NULL };
	json_t *aff = json_object_get(v, "affinity");
	size_t old;

	r->min_bw = 0;
	r->max_lat = r->max_jitter = r->max_loss = MH_REQ_UNSET;
	r->comp_lat = MH_REQ_UNSET;
	r->affinity.p = buf;
	r->affinity.len = 0;
	if (check_keys(in, v, keys) < 0 ||
	    opt_u32(in, v, "min_bw", &r->min_bw) < 0 ||
	    opt_u32(in, v, "max_lat", &r->max_lat) < 0 ||
	    opt_u32(in, v, "max_jitter", &r->max_jitter) < 0 ||
	    opt_u32(in, v, "max_loss", &r->max_loss) < 0 ||
	    opt_u32(in, v, "comp_lat", &r->comp_lat) < 0)
		return -1;
	if (aff == NULL)
		return 0;
	old = enter(in, "affinity");
	if (json_is_string(aff)) {	/* the entries in hex */
		if (read_hex(in, aff, NULL, 0, AFF_MAX, buf, &r->affinity) < 0)
			return -1;
		/* the codec's rule: what is taken here must encode */
		if (!mh_affinity_valid(&r->affinity))
			return fail(in, NULL, "not a list of entries kind(1) "
			    "length(1) name (1 to %d, length not 0)",
			    MH_AFF_KIND_MAX);
	} else if (affinity(in, aff, buf, &r->affinity) < 0) {
		return -1;
	}
	leave(in, old);
	return 0;
}

static int
in_req(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	return req_body(in, v, pm->req_aff, &pm->m.req);
}

static int
in_cond(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	return req_body(in, v, pm->cond_aff, &pm->m.cond);
}

static int
in_svc_prefix(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	return read_prefix(in, v, NULL, &pm->m.svc_prefix);
}

static int
in_client_addr(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	return read_addr6(in, v, NULL, pm->m.client_addr);
}

static int
in_cats_addr(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	return read_addr6(in, v, NULL, pm->m.cats_addr);
}

static int
in_tx(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "id", "next_seq", "state_len",
	    "port", NULL };
	struct mh_tx *tx = &pm->m.tx;

	if (check_keys(in, v, keys) < 0 ||
	    opt_u32(in, v, "id", &tx->id) < 0 ||
	    opt_u32(in, v, "next_seq", &tx->next_seq) < 0 ||
	    opt_u32(in, v, "state_len", &tx->state_len) < 0 ||
	    opt_u16(in, v, "port", &tx->port) < 0)
		return -1;
	return 0;
}

static int
in_cis_id(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	uint64_t n = 0;

	if (read_uint(in, v, NULL, UINT32_MAX, &n) < 0)
		return -1;
	pm->m.cis_id = (uint32_t)n;
	return 0;
}

/* One metric of docs/wire.md 5.9, by metric.c's names; metric.c judges
 * the value (and the encoder refuses what it refuses). */
static int
metric_entry(struct pj_in *in, json_t *e, struct cats_sample *s)
{
	static const char *const keys[] = { "metric", "stat", "window_ms",
	    "value", NULL };
	const char *name = NULL, *stat = "cur";
	json_t *v = json_object_get(e, "value");
	uint64_t w = 0;
	int id, st;

	if (!json_is_object(e))
		return fail(in, NULL, "must be an object");
	if (check_keys(in, e, keys) < 0 ||
	    read_str(in, json_object_get(e, "metric"), "metric", &name) < 0 ||
	    (json_object_get(e, "stat") != NULL &&
	    read_str(in, json_object_get(e, "stat"), "stat", &stat) < 0) ||
	    opt_uint(in, e, "window_ms", UINT32_MAX, &w) < 0)
		return -1;
	if ((id = cats_metric_by_name(name)) < 0)
		return fail(in, "metric", "unknown metric \"%s\"", name);
	if ((st = cats_stat_by_name(stat)) < 0)
		return fail(in, "stat", "unknown statistic \"%s\" (cur, mean, "
		    "min, max)", stat);
	if (!json_is_number(v))
		return fail(in, "value", "must be a number");
	*s = (struct cats_sample){ (enum cats_metric_id)id, (enum cats_stat)st,
	    (uint32_t)w, json_number_value(v) };
	return 0;
}

static int
in_metrics(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "scope", "cis_id", "egress",
	    "gone", "metrics", NULL };
	struct mh_metrics *x = &pm->m.metrics;
	json_t *l = json_object_get(v, "metrics");
	json_t *g = json_object_get(v, "gone");
	const char *scope = NULL;
	uint64_t id = 0;
	size_t i, old;

	memset(x, 0, sizeof(*x));
	if (check_keys(in, v, keys) < 0 ||
	    read_str(in, json_object_get(v, "scope"), "scope", &scope) < 0)
		return -1;
	if (strcmp(scope, "instance") == 0) {
		x->scope = MH_MS_INSTANCE;
		if (read_uint(in, json_object_get(v, "cis_id"), "cis_id",
		    UINT32_MAX, &id) < 0)
			return -1;
		x->cis_id = (uint32_t)id;
	} else if (strcmp(scope, "path") == 0) {
		x->scope = MH_MS_PATH;
		if (read_addr6(in, json_object_get(v, "egress"), "egress",
		    x->egress) < 0)
			return -1;
	} else
		return fail(in, "scope", "\"instance\" or \"path\"");
	if (g != NULL && !json_is_boolean(g))
		return fail(in, "gone", "must be true or false");
	/* docs/wire.md 5.9 G: an instance gone has no metric */
	if ((x->gone = json_is_true(g))) {
		if (x->scope != MH_MS_INSTANCE)
			return fail(in, "gone", "only with scope \"instance\"");
		if (l != NULL && (!json_is_array(l) || json_array_size(l) > 0))
			return fail(in, "metrics", "must be absent or empty "
			    "when gone");
		return 0;
	}
	if (!json_is_array(l) || json_array_size(l) == 0 ||
	    json_array_size(l) > MH_MAX_METRICS)
		return fail(in, "metrics", "must be a list of 1..%d metrics",
		    MH_MAX_METRICS);
	for (i = 0; i < json_array_size(l); i++) {
		old = enter_idx(in, i);
		if (metric_entry(in, json_array_get(l, i), &x->s[i]) < 0)
			return -1;
		leave(in, old);
	}
	x->n = (uint8_t)i;
	return 0;
}

/* RFC 4285: subtype, SPI, then the authenticator. */
static int
in_auth(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	static const char *const keys[] = { "subtype", "spi", "data", NULL };
	struct mh_msg *m = &pm->m;
	json_t *data = json_object_get(v, "data");

	if (check_keys(in, v, keys) < 0)
		return -1;
	if (json_object_get(v, "subtype") == NULL)
		return fail(in, "subtype", "missing");
	if (opt_u8(in, v, "subtype", &m->auth_subtype) < 0 ||
	    opt_u32(in, v, "spi", &m->auth_spi) < 0)
		return -1;
	if (m->auth_subtype == 0)
		return fail(in, "subtype", "0 is reserved");
	m->auth_data.p = pm->auth;
	m->auth_data.len = 0;
	if (data == NULL)
		return 0;
	return read_hex(in, data, "data", 0, 250, pm->auth, &m->auth_data);
}

static const pj_opt_fn opt_in[MH_O__COUNT] = {
	[MH_O_CATS_MSG] = in_cats_msg,
	[MH_O_MNID] = in_mnid,
	[MH_O_HI] = in_hi,
	[MH_O_ATT] = in_att,
	[MH_O_LLID] = in_llid,
	[MH_O_HNP] = in_hnp,
	[MH_O_TIMESTAMP] = in_timestamp,
	[MH_O_LLA] = in_lla,
	[MH_O_CR_ID] = in_crid,
	[MH_O_SERVICE_ID] = in_service_id,
	[MH_O_CATS_REQ] = in_req,
	[MH_O_CATS_COND] = in_cond,
	[MH_O_SVC_PREFIX] = in_svc_prefix,
	[MH_O_CLIENT_ADDR] = in_client_addr,
	[MH_O_CATS_ADDR] = in_cats_addr,
	[MH_O_TRANSACTION] = in_tx,
	[MH_O_CIS_ID] = in_cis_id,
	[MH_O_CATS_METRICS] = in_metrics,
	[MH_O_AUTH] = in_auth,
};

static int
opt_by_name(const char *name)
{
	int i;

	for (i = 0; i < MH_O__COUNT; i++)
		if (strcmp(mh_opt_info(i)->name, name) == 0)
			return i;
	return -1;
}

static int
opt_by_type(uint8_t type)
{
	int i;

	for (i = 0; i < MH_O__COUNT; i++)
		if (mh_opt_info(i)->type == type)
			return i;
	return -1;
}

static bool
is_cats_kind(uint8_t kind)
{
	return kind != MH_K_PBU && kind != MH_K_PBA;
}

static int
options(struct pj_in *in, json_t *v, struct pj_msg *pm)
{
	const struct mh_kind_info *ki = mh_kind_info(pm->m.kind);
	const char *key;
	json_t *ov;
	size_t old;
	uint32_t missing;
	int i;

	if (!json_is_object(v))
		return fail(in, NULL, "must be an object");
	json_object_foreach(v, key, ov) {
		if ((i = opt_by_name(key)) < 0)
			return fail(in, key, "unknown option");
		if (i == MH_O_CATS_MSG && !is_cats_kind(pm->m.kind))
			return fail(in, key, "only in CATS messages");
		old = enter(in, key);
		if (opt_in[i](in, ov, pm) < 0)
			return -1;
		leave(in, old);
		pm->m.present |= MH_BIT(i);
	}
	if ((missing = ki->mandatory & ~pm->m.present) == 0)
		return 0;
	for (i = 0; !(missing & MH_BIT(i)); i++)
		;
	return fail(in, NULL, "a %s message needs option \"%s\"", ki->name,
	    mh_opt_info(i)->name);
}

/* ------------------------------------------------------------------ */
/* Header fields                                                       */

static int
read_kind(struct pj_in *in, json_t *j, struct mh_msg *m)
{
	const struct mh_kind_info *ki;
	json_t *v = json_object_get(j, "kind");
	const char *s = NULL, *type;
	uint64_t n = 0;

	if (v == NULL)
		return fail(in, "kind", "missing");
	if (read_str(in, v, "kind", &s) < 0)
		return -1;
	if ((ki = mh_kind_by_name(s)) == NULL)
		return fail(in, "kind", "unknown message kind \"%s\"", s);
	mh_msg_init(m, ki->kind);
	type = ki->mh_type == MH_TYPE_BU ? "BU" : "BA";
	if ((v = json_object_get(j, "type")) != NULL) {
		if (read_str(in, v, "type", &s) < 0)
			return -1;
		if (strcmp(s, type) != 0)
			return fail(in, "type", "a %s is a %s", ki->name, type);
	}
	n = ki->mh_type;
	if (opt_uint(in, j, "mh_type", UINT8_MAX, &n) < 0)
		return -1;
	if (n != ki->mh_type)
		return fail(in, "mh_type", "a %s has MH type %u", ki->name,
		    ki->mh_type);
	return 0;
}

/* Letters in the order of pj_flag_letters; C and X follow the kind. */
static int
read_flags(struct pj_in *in, json_t *j, struct mh_msg *m)
{
	const char *letters = pj_flag_letters(m->type), *s = "", *p;
	uint16_t kind_bits = m->flags, cx, flags = 0, named = 0, bit;
	uint64_t other = 0;
	json_t *v = json_object_get(j, "flags");
	size_t i;

	for (i = 0; letters[i] != '\0'; i++)
		named |= pj_flag_bit(m->type, i);
	/* a plain PBU's 0x0004 is the reserved bit it is there, free to set */
	cx = m->type == MH_TYPE_BA ? MH_BA_C :
	    is_cats_kind(m->kind) ? MH_BU_C | MH_BU_X : MH_BU_C;
	if (v != NULL && read_str(in, v, "flags", &s) < 0)
		return -1;
	for (i = 0; v != NULL && s[i] != '\0'; i++) {
		if ((p = strchr(letters, s[i])) == NULL)
			return fail(in, "flags", "no flag '%c' in a %s (%s)",
			    s[i], m->type == MH_TYPE_BU ? "BU" : "BA", letters);
		bit = pj_flag_bit(m->type, (size_t)(p - letters));
		if (flags & bit)
			return fail(in, "flags", "'%c' given twice", s[i]);
		flags |= bit;
	}
	if (flags & cx & ~kind_bits)
		return fail(in, "flags", "'%c' does not go with kind %s",
		    (flags & cx & ~kind_bits & MH_BU_X) && m->type == MH_TYPE_BU ?
		    'X' : 'C', mh_kind_info(m->kind)->name);
	if (opt_uint(in, j, "flags_other", m->type == MH_TYPE_BU ? UINT16_MAX :
	    UINT8_MAX, &other) < 0)
		return -1;
	if (other & named)
		return fail(in, "flags_other", "0x%llx overlaps lettered flags",
		    (unsigned long long)other);
	m->flags = (uint16_t)(flags | kind_bits | other);
	return 0;
}

static int
status_by_name(const char *s, uint8_t *out)
{
	const char *n;
	int i;

	for (i = 0; i <= UINT8_MAX; i++)
		if ((n = mh_status_name((uint8_t)i)) != NULL && strcmp(n, s) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	return -1;
}

/* BA only: a number, or a name of mh_status_name(). */
static int
read_status(struct pj_in *in, json_t *j, struct mh_msg *m)
{
	json_t *v = json_object_get(j, "status"), *nv;
	const char *s = NULL, *name;
	uint64_t n = 0;

	nv = json_object_get(j, "status_name");
	if (m->type == MH_TYPE_BU && (v != NULL || nv != NULL))
		return fail(in, v != NULL ? "status" : "status_name",
		    "only in a BA");
	if (v != NULL && json_is_string(v)) {
		if (status_by_name(json_string_value(v), &m->status) < 0)
			return fail(in, "status", "unknown status \"%s\"",
			    json_string_value(v));
	} else if (v != NULL) {
		if (read_uint(in, v, "status", UINT8_MAX, &n) < 0)
			return -1;
		m->status = (uint8_t)n;
	}
	if (nv == NULL)
		return 0;
	if (read_str(in, nv, "status_name", &s) < 0)
		return -1;
	name = mh_status_name(m->status);
	if (name == NULL || strcmp(name, s) != 0)
		return fail(in, "status_name", "\"%s\" is not status %u", s,
		    m->status);
	return 0;
}

/* Seconds (a multiple of 4) and/or wire units of 4 s; both must agree. */
static int
read_lifetime(struct pj_in *in, json_t *j, struct mh_msg *m)
{
	uint64_t sec = UINT64_MAX, units = UINT64_MAX;

	if (opt_uint(in, j, "lifetime", (uint64_t)UINT16_MAX * 4, &sec) < 0 ||
	    opt_uint(in, j, "lifetime_units", UINT16_MAX, &units) < 0)
		return -1;
	if (sec != UINT64_MAX && sec % 4 != 0)
		return fail(in, "lifetime", "%llu s is not a multiple of 4",
		    (unsigned long long)sec);
	if (sec != UINT64_MAX && units != UINT64_MAX && sec != units * 4)
		return fail(in, "lifetime_units", "%llu disagrees with "
		    "lifetime %llu s", (unsigned long long)units,
		    (unsigned long long)sec);
	if (units == UINT64_MAX)
		units = sec != UINT64_MAX ? sec / 4 : 0;
	m->lifetime = (uint16_t)units;
	return 0;
}

/* src, dst, transport, checksum, packet: the packet around the message. */
static int
read_meta(struct pj_in *in, json_t *j, struct pkt_meta *meta)
{
	json_t *v;
	const char *s = NULL;
	uint64_t n = 0;

	memset(meta, 0, sizeof(*meta));
	if ((v = json_object_get(j, "src")) != NULL &&
	    read_addr(in, v, "src", &meta->src) < 0)
		return -1;
	if ((v = json_object_get(j, "dst")) != NULL &&
	    read_addr(in, v, "dst", &meta->dst) < 0)
		return -1;
	if (meta->src.af != 0 && meta->dst.af != 0 &&
	    meta->src.af != meta->dst.af)
		return fail(in, "dst", "not the address family of src");
	if ((v = json_object_get(j, "transport")) != NULL) {
		if (read_str(in, v, "transport", &s) < 0)
			return -1;
		if (strcmp(s, "ipv6") == 0)
			meta->transport = PKT_T_IPV6;
		else if (strcmp(s, "udp") == 0)
			meta->transport = PKT_T_UDP;
		else
			return fail(in, "transport", "must be \"ipv6\" or "
			    "\"udp\"");
	}
	if (meta->transport == PKT_T_IPV6 && (meta->src.af == AF_INET ||
	    meta->dst.af == AF_INET))
		return fail(in, "transport", "IPv6 next header 135 needs "
		    "IPv6 addresses");
	if ((v = json_object_get(j, "checksum")) != NULL) {
		if (read_str(in, v, "checksum", &s) < 0)
			return -1;
		if (strcmp(s, "ok") != 0 && strcmp(s, "bad") != 0 &&
		    strcmp(s, "unchecked") != 0)
			return fail(in, "checksum", "must be \"ok\", \"bad\" "
			    "or \"unchecked\"");
	}
	if (opt_u16(in, j, "checksum_value", &meta->csum_value) < 0)
		return -1;
	if (opt_uint(in, j, "packet", UINT32_MAX, &n) < 0)
		return -1;
	meta->packet = (unsigned long)n;
	return 0;
}

/* {"padn": N}: N octets of zeros after type and length. */
static int
layout_padn(struct pj_in *in, json_t *v, struct mh_layout *lay)
{
	uint8_t n = 0;

	if (json_object_size(v) != 1)
		return fail(in, NULL, "a \"padn\" stands alone");
	if (opt_u8(in, v, "padn", &n) < 0)
		return -1;
	if (n > 5)		/* RFC 6275 6.2: runs of 7 at most */
		return fail(in, "padn", "%u octets: at most 5", n);
	return mh_layout_add(lay, MH_OT_PADN, n, NULL) ? 0 :
	    fail(in, NULL, "too many elements");
}

/* {"option": NAME, "reserved": BITS}: a known option whose reserved
 * field was not 0. */
static int
layout_known(struct pj_in *in, json_t *v, struct mh_layout *lay)
{
	const char *s = NULL;
	uint16_t rsvd = 0, mask;
	int i;

	if (read_str(in, json_object_get(v, "option"), "option", &s) < 0)
		return -1;
	if ((i = opt_by_name(s)) < 0)
		return fail(in, "option", "\"%s\": not an option name", s);
	mask = mh_opt_rsvd(mh_opt_info(i)->type);
	if (opt_u16(in, v, "reserved", &rsvd) < 0)
		return -1;
	if (rsvd & ~mask)
		return fail(in, "reserved", "%u: %s has reserved bits 0x%x",
		    rsvd, s, mask);
	if (!mh_layout_add(lay, mh_opt_info(i)->type, 0, NULL))
		return fail(in, NULL, "too many elements");
	lay->e[lay->n - 1].rsvd = rsvd;
	return 0;
}

/* {"type": T, "data": HEX}: an option the codec does not know. */
static int
layout_unknown(struct pj_in *in, json_t *v, struct mh_layout *lay)
{
	uint8_t data[PJ_BYTES_MAX], type = 0;
	struct mh_bytes b = { NULL, 0 };
	json_t *d;

	if (json_object_get(v, "type") == NULL || (d = json_object_get(v,
	    "data")) == NULL)
		return fail(in, NULL, "an unknown option needs \"type\" and "
		    "\"data\"");
	if (opt_u8(in, v, "type", &type) < 0 ||
	    read_hex(in, d, "data", 0, 255, data, &b) < 0)
		return -1;
	if (type == MH_OT_PAD1 || type == MH_OT_PADN || opt_by_type(type) >= 0)
		return fail(in, "type", "%u is a known option: give its name",
		    type);
	return mh_layout_add(lay, type, b.len, data) ? 0 :
	    fail(in, NULL, "too many elements");
}

static int
layout_obj(struct pj_in *in, json_t *v, struct mh_layout *lay)
{
	static const char *const keys[] = { "padn", "option", "reserved",
	    "type", "data", NULL };

	if (check_keys(in, v, keys) < 0)
		return -1;
	if (json_object_get(v, "padn") != NULL)
		return layout_padn(in, v, lay);
	if (json_object_get(v, "option") != NULL)
		return layout_known(in, v, lay);
	return layout_unknown(in, v, lay);
}

/* One element of "layout": an option name, "pad1", or an object. */
static int
layout_elem(struct pj_in *in, json_t *v, struct mh_layout *lay)
{
	const char *s = NULL;
	int i;

	if (json_is_object(v))
		return layout_obj(in, v, lay);
	if (read_str(in, v, NULL, &s) < 0)
		return -1;
	if (strcmp(s, "pad1") == 0)
		i = -2;
	else if ((i = opt_by_name(s)) < 0)
		return fail(in, NULL, "\"%s\": not an option name, \"pad1\", "
		    "{\"padn\": N} or {\"type\": T, \"data\": HEX}", s);
	if (!mh_layout_add(lay, i == -2 ? MH_OT_PAD1 : mh_opt_info(i)->type,
	    0, NULL))
		return fail(in, NULL, "too many elements");
	return 0;
}

/*
 * "layout": the options' order and padding as on the wire (decode gives
 * it for a message our encoder would lay out otherwise).  Whether it fits
 * the options is the encoder's rule (mh_encode_layout).
 */
static int
read_layout(struct pj_in *in, json_t *j, struct pj_msg *pm)
{
	json_t *v = json_object_get(j, "layout"), *el;
	size_t i, old, old_i;

	pm->has_layout = false;
	pm->lay.n = pm->lay.used = 0;
	pm->lay.hdr_rsvd = 0;
	if (v == NULL)
		return json_object_get(j, "mh_reserved") == NULL ? 0 :
		    fail(in, "mh_reserved", "goes with \"layout\"");
	if (opt_u8(in, j, "mh_reserved", &pm->lay.hdr_rsvd) < 0)
		return -1;
	if (!json_is_array(v))
		return fail(in, "layout", "must be a list");
	old = enter(in, "layout");
	json_array_foreach(v, i, el) {
		old_i = enter_idx(in, i);
		if (layout_elem(in, el, &pm->lay) < 0)
			return -1;
		leave(in, old_i);
	}
	leave(in, old);
	pm->has_layout = true;
	return 0;
}

/*
 * "unknown" and "unknown_total" say what the decoder could not name;
 * only "layout" carries such options' octets, so without it they cannot
 * be encoded again.
 */
static int
read_unknown(struct pj_in *in, json_t *j, const struct pj_msg *pm)
{
	json_t *v = json_object_get(j, "unknown");

	if (pm->has_layout)
		return 0;
	if (json_object_get(j, "unknown_total") != NULL)
		return fail(in, "unknown_total", "unknown options are encoded "
		    "only from \"layout\"");
	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return fail(in, "unknown", "must be a list");
	if (json_array_size(v) > 0)
		return fail(in, "unknown", "unknown options are encoded only "
		    "from \"layout\"");
	return 0;
}

int
pj_to_msg(json_t *j, struct pj_msg *out, char *err, size_t errlen)
{
	static const char *const keys[] = { "packet", "src", "dst",
	    "transport", "checksum", "type", "mh_type", "kind", "seq", "flags",
	    "flags_other", "status", "status_name", "lifetime",
	    "lifetime_units", "options", "unknown", "unknown_total", "layout",
	    "checksum_value", "verify", "mh_reserved", NULL };
	struct pj_in in = { .plen = 0, .err = err, .errlen = errlen };
	struct mh_msg *m = &out->m;
	json_t *opts;
	size_t old;

	in.path[0] = '\0';
	if (errlen > 0)
		err[0] = '\0';
	if (!json_is_object(j)) {
		snprintf(err, errlen, "a message must be a JSON object");
		return -1;
	}
	if (check_keys(&in, j, keys) < 0 || read_kind(&in, j, m) < 0 ||
	    read_meta(&in, j, &out->meta) < 0 ||
	    opt_u16(&in, j, "seq", &m->seq) < 0 ||
	    read_flags(&in, j, m) < 0 || read_status(&in, j, m) < 0 ||
	    read_lifetime(&in, j, m) < 0 || read_layout(&in, j, out) < 0 ||
	    read_unknown(&in, j, out) < 0)
		return -1;
	if ((opts = json_object_get(j, "options")) == NULL)
		opts = json_object();	/* so mandatory options are checked */
	else
		json_incref(opts);
	old = enter(&in, "options");
	if (options(&in, opts, out) < 0) {
		json_decref(opts);
		return -1;
	}
	leave(&in, old);
	json_decref(opts);
	return 0;
}

enum mh_err
pj_encode(const struct pj_msg *pm, const struct mh_addrs *addrs, uint8_t *out,
    size_t cap, size_t *len, struct mh_error *e)
{
	enum mh_err rc;

	rc = mh_encode_layout(&pm->m, pm->has_layout ? &pm->lay : NULL, addrs,
	    out, cap, len, e);
	if (rc == MH_OK && addrs == NULL && pm->meta.csum_value != 0) {
		out[4] = (uint8_t)(pm->meta.csum_value >> 8);
		out[5] = (uint8_t)pm->meta.csum_value;
	}
	return rc;
}
