/*
 * bgp_json: routes and attributes as JSON (bgp_json.h names the keys).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "catsctl/bgp_json.h"

#define J(x)	((json_int_t)(x))

json_t *
bgp_json_ip(uint16_t afi, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(afi == BGP_AFI_IPV4 ? AF_INET : AF_INET6, a, s, sizeof(s));
	return json_string(s);
}

json_t *
bgp_json_prefix(uint16_t afi, const uint8_t *a, unsigned plen)
{
	char s[INET6_ADDRSTRLEN + 5];

	inet_ntop(afi == BGP_AFI_IPV4 ? AF_INET : AF_INET6, a, s,
	    INET6_ADDRSTRLEN);
	snprintf(s + strlen(s), 5, "/%u", plen);
	return json_string(s);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* RFC 4364 4.2: the three route distinguisher types. */
json_t *
bgp_json_rd(const uint8_t rd[8])
{
	char s[40];

	switch (be16(rd)) {
	case 0:
		snprintf(s, sizeof(s), "%u:%u", be16(rd + 2), be32(rd + 4));
		break;
	case 1:
		snprintf(s, sizeof(s), "%u.%u.%u.%u:%u", rd[2], rd[3], rd[4],
		    rd[5], be16(rd + 6));
		break;
	case 2:
		snprintf(s, sizeof(s), "%u:%u", be32(rd + 2), be16(rd + 6));
		break;
	default:
		snprintf(s, sizeof(s), "type%u:%02x%02x%02x%02x%02x%02x",
		    be16(rd), rd[2], rd[3], rd[4], rd[5], rd[6], rd[7]);
	}
	return json_string(s);
}

/* A route target (RFC 4360 4, RFC 5668): its 8 octets as one number, the
 * type and subtype 0x02 first. */
json_t *
bgp_json_rt(uint64_t rt)
{
	uint8_t o[8];
	char s[40];

	for (int i = 0; i < 8; i++)
		o[i] = (uint8_t)(rt >> (56 - 8 * i));
	if (o[1] == 0x02 && o[0] == 0x00)
		snprintf(s, sizeof(s), "%u:%u", be16(o + 2), be32(o + 4));
	else if (o[1] == 0x02 && o[0] == 0x01)
		snprintf(s, sizeof(s), "%u.%u.%u.%u:%u", o[2], o[3], o[4], o[5],
		    be16(o + 6));
	else if (o[1] == 0x02 && o[0] == 0x02)
		snprintf(s, sizeof(s), "%u:%u", be32(o + 2), be16(o + 6));
	else
		snprintf(s, sizeof(s), "0x%016llx", (unsigned long long)rt);
	return json_string(s);
}

static const char *const mup_type_names[] = {
	[BGP_MUP_PREFIX] = "prefix", [BGP_MUP_ISD] = "isd",
	[BGP_MUP_DSD] = "dsd", [BGP_MUP_T1ST] = "t1st", [BGP_MUP_T2ST] = "t2st",
};

static const char *
family_name(const struct bgp_mup *m)
{
	if (m->type == BGP_MUP_PREFIX)
		return m->afi == BGP_AFI_IPV4 ? "ipv4-unicast" : "ipv6-unicast";
	return m->afi == BGP_AFI_IPV4 ? "ipv4-mup" : "ipv6-mup";
}

/* The fields of each route type, draft-ietf-bess-mup-safi 3.1.1-3.1.4. */
static void
key_fields(json_t *o, const struct bgp_mup *m)
{
	uint16_t afi = m->afi;

	switch (m->type) {
	case BGP_MUP_PREFIX:
	case BGP_MUP_ISD:
		json_object_set_new(o, "prefix", bgp_json_prefix(afi, m->prefix,
		    m->plen));
		break;
	case BGP_MUP_DSD:
		json_object_set_new(o, "address", bgp_json_ip(afi, m->addr));
		break;
	case BGP_MUP_T1ST:
		json_object_set_new(o, "prefix", bgp_json_prefix(afi, m->prefix,
		    m->plen));
		json_object_set_new(o, "teid", json_integer(J(m->teid)));
		json_object_set_new(o, "qfi", json_integer(m->qfi));
		json_object_set_new(o, "endpoint", bgp_json_ip(m->ep_len == 32 ?
		    BGP_AFI_IPV4 : BGP_AFI_IPV6, m->ep));
		if (m->src_len != 0)
			json_object_set_new(o, "source", bgp_json_ip(
			    m->src_len == 32 ? BGP_AFI_IPV4 : BGP_AFI_IPV6,
			    m->src));
		break;
	case BGP_MUP_T2ST:
		json_object_set_new(o, "endpoint", bgp_json_ip(afi, m->ep));
		json_object_set_new(o, "endpoint_length",
		    json_integer(m->ep_len));
		json_object_set_new(o, "teid", json_integer(J(m->teid)));
		break;
	default:
		break;
	}
}

/* draft-ietf-bess-mup-safi-01 3.1.5: what the TLVs say, their octets as
 * they came (unknown ones too), and what is wrong with them, if anything
 * (the route is then withdrawn: docs/wire.md 8.5). */
static json_t *
tlvs(const struct bgp_mup *m)
{
	static const char hexd[] = "0123456789abcdef";
	char hex[2 * UINT8_MAX + 1];
	json_t *o = json_object();

	if (m->tlv_seen & BGP_MUP_TLV_BIT(BGP_MUP_TLV_SESSION))
		json_object_set_new(o, "session", json_pack("{s:I,s:i}",
		    "teid", J(m->sp_teid), "qfi", m->sp_qfi));
	if (m->tlv_seen & BGP_MUP_TLV_BIT(BGP_MUP_TLV_INTERWORK))
		json_object_set_new(o, "interwork", bgp_json_ip(m->iw_len == 4 ?
		    BGP_AFI_IPV4 : BGP_AFI_IPV6, m->iw));
	if (m->tlv_seen & BGP_MUP_TLV_BIT(BGP_MUP_TLV_SOURCE))
		json_object_set_new(o, "source_address", bgp_json_ip(
		    m->sa_len == 4 ? BGP_AFI_IPV4 : BGP_AFI_IPV6, m->sa));
	for (size_t i = 0; i < m->tlv_len; i++) {
		hex[2 * i] = hexd[m->tlv[i] >> 4];
		hex[2 * i + 1] = hexd[m->tlv[i] & 15];
	}
	hex[2 * m->tlv_len] = '\0';
	json_object_set_new(o, "octets", json_string(hex));
	if (m->tlv_err != BGP_MUP_TLV_OK)
		json_object_set_new(o, "error", json_string(
		    bgp_mup_tlv_strerror(m->tlv_err)));
	return o;
}

json_t *
bgp_json_key(const struct bgp_mup *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "family", json_string(family_name(m)));
	json_object_set_new(o, "type", json_string(m->type <= BGP_MUP_T2ST ?
	    mup_type_names[m->type] : "unknown"));
	if (m->type != BGP_MUP_PREFIX)
		json_object_set_new(o, "rd", bgp_json_rd(m->rd));
	key_fields(o, m);
	if (m->tlv_len > 0)
		json_object_set_new(o, "tlvs", tlvs(m));
	return o;
}

/* docs/wire.md 8.4: metrics by the names catsctl's other outputs use. */
json_t *
bgp_json_cats(const struct bgp_cats *c)
{
	json_t *o = json_object(), *ms = json_array();

	json_object_set_new(o, "kind", json_string(c->kind ==
	    BGP_CATS_KIND_CMU ? "cmu" : c->kind == BGP_CATS_KIND_NONE ?
	    "none" : "unknown"));
	if (c->has_cs_id)
		json_object_set_new(o, "cs_id", json_integer(J(c->cs_id)));
	if (c->has_cis_id)
		json_object_set_new(o, "cis_id", json_integer(J(c->cis_id)));
	for (size_t i = 0; i < c->nmetrics && i < BGP_CATS_MAX_METRICS; i++) {
		const struct cats_sample *s = &c->metric[i];
		const char *mn = cats_metric_name(s->id);
		const char *sn = cats_stat_name(s->stat);

		json_array_append_new(ms, json_pack("{s:s,s:s,s:I,s:f}",
		    "metric", mn ? mn : "unknown", "stat", sn ? sn : "unknown",
		    "window_ms", J(s->window_ms), "value", s->value));
	}
	json_object_set_new(o, "metrics", ms);
	return o;
}

/* RFC 9252 2: the SRv6 SID of the L3 Service TLV, its behavior (RFC 8986)
 * and SID Structure. */
static json_t *
j_sid(const struct bgp_srv6_sid *sid)
{
	json_t *s = json_pack("{s:o,s:i,s:i}", "sid",
	    bgp_json_ip(BGP_AFI_IPV6, sid->sid), "behavior", sid->behavior,
	    "flags", sid->flags);

	if (sid->has_structure)
		json_object_set_new(s, "structure", json_pack("[i,i,i,i,i,i]",
		    sid->lb_len, sid->ln_len, sid->fun_len, sid->arg_len,
		    sid->tpos_len, sid->tpos_off));
	return s;
}

json_t *
bgp_json_attrs(const struct bgp_rattr *a)
{
	json_t *o = json_object(), *rts = json_array();
	char ec[32];

	if (a->nh_len == 4 || a->nh_len == 16)
		json_object_set_new(o, "next_hop", bgp_json_ip(a->nh_len == 4 ?
		    BGP_AFI_IPV4 : BGP_AFI_IPV6, a->nh));
	else if (a->nh_len == 32)	/* global and link-local: the global */
		json_object_set_new(o, "next_hop", bgp_json_ip(BGP_AFI_IPV6,
		    a->nh));
	json_object_set_new(o, "origin", json_integer(a->origin));
	json_object_set_new(o, "local_pref", json_integer(J(a->local_pref)));
	for (size_t i = 0; i < a->nrt && i < BGP_MAX_RT; i++)
		json_array_append_new(rts, bgp_json_rt(a->rt[i]));
	json_object_set_new(o, "route_targets", rts);
	if (a->has_mup_ec) {
		bgp_mup_ec_str(&a->mup_ec, ec, sizeof(ec));
		json_object_set_new(o, bgp_mup_ec_direct(&a->mup_ec) ? "mup" :
		    "mup_interwork", json_string(ec));
	}
	if (a->has_sid)
		json_object_set_new(o, "prefix_sid", j_sid(&a->sid));
	if (a->has_cats)
		json_object_set_new(o, "cats", bgp_json_cats(&a->cats));
	return o;
}
