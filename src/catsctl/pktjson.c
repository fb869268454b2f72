/*
 * pktjson: struct mh_msg to JSON.  One function per option, in a table
 * indexed by enum mh_opt; the reader (pktjson_read.c) mirrors it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catsctl/hex.h"
#include "catsctl/pktjson.h"

/* Build state: one flag for every allocation that can fail. */
struct pj_out {
	bool		 ok;
};

typedef json_t *(*pj_opt_fn)(struct pj_out *, const struct mh_msg *);

const char *
pj_flag_letters(uint8_t mh_type)
{
	return mh_type == MH_TYPE_BU ? "AHLKMRPFTBSDCX" : "KRPTBSDC";
}

uint16_t
pj_flag_bit(uint8_t mh_type, size_t i)
{
	return mh_type == MH_TYPE_BU ? (uint16_t)(0x8000u >> i) :
	    (uint16_t)(0x80u >> i);
}

const char *
pj_transport_name(enum pkt_transport t)
{
	switch (t) {
	case PKT_T_IPV6:
		return "ipv6";
	case PKT_T_UDP:
		return "udp";
	default:
		return NULL;
	}
}

const char *
pj_csum_name(enum pkt_csum c)
{
	switch (c) {
	case PKT_CSUM_OK:
		return "ok";
	case PKT_CSUM_BAD:
		return "bad";
	default:
		return "unchecked";
	}
}

/* ------------------------------------------------------------------ */
/* Helpers: each records a failed allocation in o->ok.                 */

static json_t *
chk(struct pj_out *o, json_t *v)
{
	if (v == NULL)
		o->ok = false;
	return v;
}

/* Like json_object_set_new, v is consumed even on failure. */
static void
set(struct pj_out *o, json_t *obj, const char *key, json_t *v)
{
	if (obj == NULL) {
		json_decref(v);
		o->ok = false;
		return;
	}
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		o->ok = false;
}

static void
append(struct pj_out *o, json_t *arr, json_t *v)
{
	if (arr == NULL) {
		json_decref(v);
		o->ok = false;
		return;
	}
	if (v == NULL || json_array_append_new(arr, v) != 0)
		o->ok = false;
}

static json_t *
jint(struct pj_out *o, uint64_t v)
{
	return chk(o, json_integer((json_int_t)v));
}

static json_t *
jstr(struct pj_out *o, const char *s)
{
	return chk(o, json_string(s));
}

/* Takes ownership of a malloc'ed string. */
static json_t *
jstr_take(struct pj_out *o, char *s)
{
	json_t *v;

	if (s == NULL) {
		o->ok = false;
		return NULL;
	}
	v = jstr(o, s);
	free(s);
	return v;
}

static json_t *
jhex(struct pj_out *o, const struct mh_bytes *b)
{
	return jstr_take(o, hex_string(b->p, b->len));
}

static json_t *
jaddr(struct pj_out *o, int af, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(af, a, s, sizeof(s)) == NULL) {
		o->ok = false;
		return NULL;
	}
	return jstr(o, s);
}

static json_t *
jprefix(struct pj_out *o, const struct mh_prefix *p)
{
	char s[INET6_ADDRSTRLEN + 4];
	size_t n;

	if (inet_ntop(AF_INET6, p->addr, s, INET6_ADDRSTRLEN) == NULL) {
		o->ok = false;
		return NULL;
	}
	n = strlen(s);
	snprintf(s + n, sizeof(s) - n, "/%u", p->len);
	return jstr(o, s);
}

/* Printable ASCII: shown as a string; anything else goes out as hex. */
static bool
printable(const struct mh_bytes *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (b->p[i] < 0x20 || b->p[i] > 0x7e)
			return false;
	return true;
}

static json_t *
jtext(struct pj_out *o, const struct mh_bytes *b)
{
	return chk(o, json_stringn((const char *)b->p, b->len));
}

/* A string if printable, else {"hex": "..."}. */
static json_t *
jtext_or_hex(struct pj_out *o, const struct mh_bytes *b)
{
	json_t *v;

	if (printable(b))
		return jtext(o, b);
	v = chk(o, json_object());
	set(o, v, "hex", jhex(o, b));
	return v;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static json_t *
opt_cats_msg(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_object());

	set(o, v, "kind", jint(o, m->kind));
	set(o, v, "continuity",
	    chk(o, json_boolean(m->cats_flags & MH_CF_CONTINUITY)));
	if (m->cats_flags & ~MH_CF_CONTINUITY)
		set(o, v, "flags_other",
		    jint(o, m->cats_flags & ~MH_CF_CONTINUITY));
	return v;
}

static json_t *
opt_mnid(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_object());

	set(o, v, "subtype", jint(o, m->mnid_subtype));
	if (m->mnid_subtype == MH_NAI_SUBTYPE && printable(&m->mnid))
		set(o, v, "nai", jtext(o, &m->mnid));
	else
		set(o, v, "hex", jhex(o, &m->mnid));
	return v;
}

static json_t *
opt_hi(struct pj_out *o, const struct mh_msg *m)
{
	return jint(o, m->hi);
}

static json_t *
opt_att(struct pj_out *o, const struct mh_msg *m)
{
	return jint(o, m->att);
}

static json_t *
opt_llid(struct pj_out *o, const struct mh_msg *m)
{
	return jstr_take(o, hex_colon_string(m->llid.p, m->llid.len));
}

static json_t *
opt_hnp(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_array());
	int i;

	for (i = 0; i < m->n_hnp && i < MH_MAX_HNP; i++)
		append(o, v, jprefix(o, &m->hnp[i]));
	return v;
}

static json_t *
opt_timestamp(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_object());

	set(o, v, "seconds", jint(o, m->timestamp >> 16));
	set(o, v, "fraction", jint(o, m->timestamp & 0xffff));
	return v;
}

static json_t *
opt_lla(struct pj_out *o, const struct mh_msg *m)
{
	return jaddr(o, AF_INET6, m->lla);
}

/* The CR_ID value in the text form of its format, when it has one. */
static json_t *
crid_value(struct pj_out *o, const struct mh_msg *m)
{
	const struct mh_bytes *b = &m->crid;

	if (m->crid_format == MH_CRID_IP && b->len == 4)
		return jaddr(o, AF_INET, b->p);
	if (m->crid_format == MH_CRID_IP && b->len == 16)
		return jaddr(o, AF_INET6, b->p);
	if (m->crid_format == MH_CRID_L2 && b->len > 0)
		return jstr_take(o, hex_colon_string(b->p, b->len));
	if (m->crid_format == MH_CRID_URI && printable(b))
		return jtext(o, b);
	return NULL;
}

static const char *const crid_names[] = {
	[MH_CRID_IP] = "ip", [MH_CRID_L2] = "l2", [MH_CRID_URI] = "uri",
};

static json_t *
opt_crid(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_object()), *val = NULL;
	uint8_t f = m->crid_format;

	if (f < sizeof(crid_names) / sizeof(crid_names[0]) && crid_names[f])
		val = crid_value(o, m);
	if (val != NULL) {
		set(o, v, "format", jstr(o, crid_names[f]));
		set(o, v, "value", val);
		return v;
	}
	set(o, v, "format", jint(o, f));
	set(o, v, "hex", jhex(o, &m->crid));
	return v;
}

static json_t *
opt_service_id(struct pj_out *o, const struct mh_msg *m)
{
	return jtext_or_hex(o, &m->service_id);
}

static const char *
aff_kind_name(uint8_t kind)
{
	switch (kind) {
	case MH_AFF_AVOID:
		return "avoid";
	case MH_AFF_WITH:
		return "with";
	case MH_AFF_NEEDS:
		return "needs";
	default:
		return NULL;
	}
}

static json_t *
aff_entry(struct pj_out *o, uint8_t kind, const struct mh_bytes *name)
{
	json_t *v = chk(o, json_object());
	const char *kn = aff_kind_name(kind);

	set(o, v, "kind", kn != NULL ? jstr(o, kn) : jint(o, kind));
	if (printable(name))
		set(o, v, "name", jtext(o, name));
	else
		set(o, v, "hex", jhex(o, name));
	return v;
}

/* Affinity entries, kind(1) len(1) name(len); the decoder checked them. */
static json_t *
affinity(struct pj_out *o, const struct mh_bytes *a)
{
	json_t *v = chk(o, json_array());
	struct mh_bytes name;
	size_t i = 0;
	uint8_t kind;

	while (i + 2 <= a->len) {
		kind = a->p[i];
		name.len = a->p[i + 1];
		name.p = a->p + i + 2;
		if (i + 2 + name.len > a->len)
			break;
		append(o, v, aff_entry(o, kind, &name));
		i += 2 + (size_t)name.len;
	}
	if (i != a->len) {		/* not well formed: keep the bytes */
		json_decref(v);
		return jhex(o, a);
	}
	return v;
}

static json_t *
req_body(struct pj_out *o, const struct mh_cats_req *r)
{
	json_t *v = chk(o, json_object());

	if (r->min_bw != 0)
		set(o, v, "min_bw", jint(o, r->min_bw));
	if (r->max_lat != MH_REQ_UNSET)
		set(o, v, "max_lat", jint(o, r->max_lat));
	if (r->max_jitter != MH_REQ_UNSET)
		set(o, v, "max_jitter", jint(o, r->max_jitter));
	if (r->max_loss != MH_REQ_UNSET)
		set(o, v, "max_loss", jint(o, r->max_loss));
	if (r->comp_lat != MH_REQ_UNSET)
		set(o, v, "comp_lat", jint(o, r->comp_lat));
	if (r->affinity.len > 0)
		set(o, v, "affinity", affinity(o, &r->affinity));
	return v;
}

static json_t *
opt_req(struct pj_out *o, const struct mh_msg *m)
{
	return req_body(o, &m->req);
}

static json_t *
opt_cond(struct pj_out *o, const struct mh_msg *m)
{
	return req_body(o, &m->cond);
}

static json_t *
opt_svc_prefix(struct pj_out *o, const struct mh_msg *m)
{
	return jprefix(o, &m->svc_prefix);
}

static json_t *
opt_client_addr(struct pj_out *o, const struct mh_msg *m)
{
	return jaddr(o, AF_INET6, m->client_addr);
}

static json_t *
opt_cats_addr(struct pj_out *o, const struct mh_msg *m)
{
	return jaddr(o, AF_INET6, m->cats_addr);
}

static json_t *
opt_tx(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_object());

	set(o, v, "id", jint(o, m->tx.id));
	set(o, v, "next_seq", jint(o, m->tx.next_seq));
	set(o, v, "state_len", jint(o, m->tx.state_len));
	set(o, v, "port", jint(o, m->tx.port));
	return v;
}

static json_t *
opt_cis_id(struct pj_out *o, const struct mh_msg *m)
{
	return jint(o, m->cis_id);
}

/* docs/wire.md 5.9: named as metric.c names them, values in its units. */
static json_t *
opt_metrics(struct pj_out *o, const struct mh_msg *m)
{
	const struct mh_metrics *x = &m->metrics;
	json_t *v = chk(o, json_object()), *l = chk(o, json_array());

	if (x->scope == MH_MS_INSTANCE) {
		set(o, v, "scope", jstr(o, "instance"));
		set(o, v, "cis_id", jint(o, x->cis_id));
	} else {
		set(o, v, "scope", jstr(o, "path"));
		set(o, v, "egress", jaddr(o, AF_INET6, x->egress));
	}
	if (x->gone)			/* G: the instance is gone, no metric */
		set(o, v, "gone", chk(o, json_true()));
	for (uint8_t i = 0; i < x->n && i < MH_MAX_METRICS; i++) {
		json_t *e = chk(o, json_object());

		set(o, e, "metric", jstr(o, cats_metric_name(x->s[i].id)));
		set(o, e, "stat", jstr(o, cats_stat_name(x->s[i].stat)));
		set(o, e, "window_ms", jint(o, x->s[i].window_ms));
		set(o, e, "value", chk(o, json_real(x->s[i].value)));
		append(o, l, e);
	}
	set(o, v, "metrics", l);
	return v;
}

static json_t *
opt_auth(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_object());

	set(o, v, "subtype", jint(o, m->auth_subtype));
	set(o, v, "spi", jint(o, m->auth_spi));
	set(o, v, "data", jhex(o, &m->auth_data));
	return v;
}

static const pj_opt_fn opt_out[MH_O__COUNT] = {
	[MH_O_CATS_MSG] = opt_cats_msg,
	[MH_O_MNID] = opt_mnid,
	[MH_O_HI] = opt_hi,
	[MH_O_ATT] = opt_att,
	[MH_O_LLID] = opt_llid,
	[MH_O_HNP] = opt_hnp,
	[MH_O_TIMESTAMP] = opt_timestamp,
	[MH_O_LLA] = opt_lla,
	[MH_O_CR_ID] = opt_crid,
	[MH_O_SERVICE_ID] = opt_service_id,
	[MH_O_CATS_REQ] = opt_req,
	[MH_O_CATS_COND] = opt_cond,
	[MH_O_SVC_PREFIX] = opt_svc_prefix,
	[MH_O_CLIENT_ADDR] = opt_client_addr,
	[MH_O_CATS_ADDR] = opt_cats_addr,
	[MH_O_TRANSACTION] = opt_tx,
	[MH_O_CIS_ID] = opt_cis_id,
	[MH_O_CATS_METRICS] = opt_metrics,
	[MH_O_AUTH] = opt_auth,
};

/* ------------------------------------------------------------------ */
/* The message                                                         */

static json_t *
options(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_object());
	int i;

	for (i = 0; i < MH_O__COUNT; i++)
		if (m->present & MH_BIT(i))
			set(o, v, mh_opt_info(i)->name, opt_out[i](o, m));
	return v;
}

static json_t *
unknown(struct pj_out *o, const struct mh_msg *m)
{
	json_t *v = chk(o, json_array()), *u;
	int i;

	for (i = 0; i < m->n_unknown && i < MH_MAX_UNKNOWN; i++) {
		u = chk(o, json_object());
		set(o, u, "type", jint(o, m->unknown[i].type));
		set(o, u, "length", jint(o, m->unknown[i].len));
		set(o, u, "offset", jint(o, m->unknown[i].off));
		append(o, v, u);
	}
	return v;
}

/*
 * The options area element by element: option names (with what their
 * reserved bits held, if not 0), "pad1", {"padn": N} and unknown options
 * with their octets.
 */
static json_t *
layout_elem(struct pj_out *o, const struct mh_layout *lay,
    const struct mh_elem *el)
{
	const struct mh_opt_info *oi;
	struct mh_bytes b;
	json_t *u;
	int i;

	if (el->type == MH_OT_PAD1)
		return jstr(o, "pad1");
	if (el->type == MH_OT_PADN) {
		u = chk(o, json_object());
		set(o, u, "padn", jint(o, el->len));
		return u;
	}
	for (i = 0; i < MH_O__COUNT; i++) {
		if ((oi = mh_opt_info(i))->type != el->type)
			continue;
		if (el->rsvd == 0)
			return jstr(o, oi->name);
		u = chk(o, json_object());
		set(o, u, "option", jstr(o, oi->name));
		set(o, u, "reserved", jint(o, el->rsvd));
		return u;
	}
	b.p = lay->octets + el->data;
	b.len = el->len;
	u = chk(o, json_object());
	set(o, u, "type", jint(o, el->type));
	set(o, u, "data", jhex(o, &b));
	return u;
}

static json_t *
layout(struct pj_out *o, const struct mh_layout *lay)
{
	json_t *v = chk(o, json_array());
	uint16_t k;

	for (k = 0; k < lay->n; k++)
		append(o, v, layout_elem(o, lay, &lay->e[k]));
	return v;
}

/* Flags by letter; bits without a letter go to "flags_other". */
static void
flags(struct pj_out *o, json_t *v, const struct mh_msg *m)
{
	const char *letters = pj_flag_letters(m->type);
	char s[17];
	size_t i, n = 0;
	uint16_t named = 0;

	for (i = 0; letters[i] != '\0'; i++) {
		named |= pj_flag_bit(m->type, i);
		if (m->flags & pj_flag_bit(m->type, i))
			s[n++] = letters[i];
	}
	s[n] = '\0';
	set(o, v, "flags", jstr(o, s));
	if (m->flags & ~named)
		set(o, v, "flags_other", jint(o, m->flags & ~named));
}

static void
meta_keys(struct pj_out *o, json_t *v, const struct pkt_meta *meta)
{
	const char *t;

	if (meta->packet != 0)
		set(o, v, "packet", jint(o, meta->packet));
	if (meta->src.af != 0)
		set(o, v, "src", jaddr(o, meta->src.af, meta->src.a));
	if (meta->dst.af != 0)
		set(o, v, "dst", jaddr(o, meta->dst.af, meta->dst.a));
	if ((t = pj_transport_name(meta->transport)) != NULL)
		set(o, v, "transport", jstr(o, t));
	set(o, v, "checksum", jstr(o, pj_csum_name(meta->csum)));
	/* Unchecked (no addresses): the value is the only way to have it
	 * back (docs/wire.md 7.1). */
	if (meta->csum == PKT_CSUM_UNCHECKED && meta->csum_value != 0)
		set(o, v, "checksum_value", jint(o, meta->csum_value));
}

json_t *
pj_from_msg(const struct mh_msg *m, const struct pkt_meta *meta,
    const struct mh_layout *lay)
{
	const struct mh_kind_info *ki = mh_kind_info(m->kind);
	struct pj_out o = { .ok = true };
	json_t *v = chk(&o, json_object());
	const char *st;

	if (meta != NULL)
		meta_keys(&o, v, meta);
	else
		set(&o, v, "checksum", jstr(&o, pj_csum_name(PKT_CSUM_UNCHECKED)));
	set(&o, v, "type", jstr(&o, m->type == MH_TYPE_BU ? "BU" : "BA"));
	set(&o, v, "mh_type", jint(&o, m->type));
	set(&o, v, "kind", ki != NULL ? jstr(&o, ki->name) : jint(&o, m->kind));
	set(&o, v, "seq", jint(&o, m->seq));
	flags(&o, v, m);
	if (m->type == MH_TYPE_BA) {
		set(&o, v, "status", jint(&o, m->status));
		if ((st = mh_status_name(m->status)) != NULL)
			set(&o, v, "status_name", jstr(&o, st));
	}
	set(&o, v, "lifetime", jint(&o, (uint32_t)m->lifetime * 4));
	set(&o, v, "lifetime_units", jint(&o, m->lifetime));
	set(&o, v, "options", options(&o, m));
	if (m->n_unknown > 0)
		set(&o, v, "unknown", unknown(&o, m));
	if (m->n_unknown > MH_MAX_UNKNOWN)
		set(&o, v, "unknown_total", jint(&o, m->n_unknown));
	if (lay != NULL && lay->hdr_rsvd != 0)
		set(&o, v, "mh_reserved", jint(&o, lay->hdr_rsvd));
	if (lay != NULL)
		set(&o, v, "layout", layout(&o, lay));
	if (!o.ok) {
		json_decref(v);
		return NULL;
	}
	return v;
}
