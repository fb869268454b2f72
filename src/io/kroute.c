/*
 * kroute: SRv6 steering routes in the Linux kernel, through rtnetlink and
 * libmnl.  See include/cats/kroute.h and docs/dataplane.md.
 *
 * Two halves: pure functions that build requests into a buffer and parse
 * replies out of one (tested and fuzzed without a kernel), and the socket
 * that carries them.  Every request asks for an ACK and every reply is
 * checked; a dump entry that fails validation is counted and skipped.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <net/if.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/lwtunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seg6.h>
#include <linux/seg6_iptunnel.h>
#include <linux/seg6_local.h>

#include "cats/kroute.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif

#define SRH_TYPE_SEGMENT	4	/* RFC 8754 2: Segment Routing Header */
#define SRH_FIXED		8	/* SRH octets before the segment list */
#define SEG6_MODE_LEN		4	/* struct seg6_iptunnel_encap: int mode */
#define KR_RBUF_SIZE		32768	/* a dump batch; MNL_SOCKET_DUMP_SIZE */

struct kr {
	struct mnl_socket	*nl;
	uint32_t		 portid;
	uint32_t		 seq;
	uint8_t			 protocol;
	char			 err[KR_ERR_MAX];
	/* Netlink headers are read in place: NLMSG_ALIGNTO alignment. */
	_Alignas(8) uint8_t	 buf[KR_BUF_SIZE];
	_Alignas(8) uint8_t	 rbuf[KR_RBUF_SIZE];
};

static size_t
alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* ------------------------------------------------------------------ */
/* Route constructors                                                  */

static void
route_init(struct kr_route *r, uint8_t family, uint32_t table,
    const uint8_t *dst, uint8_t dst_len, uint32_t oif)
{
	memset(r, 0, sizeof(*r));
	r->family = family;
	r->table = table;
	memcpy(r->dst, dst, alen(family));
	r->dst_len = dst_len;
	r->oif = oif;
}

static void
route_segs(struct kr_route *r, const uint8_t (*segs)[16], uint8_t nsegs)
{
	r->encap = KR_ENCAP_SEG6;
	r->seg6_mode = SEG6_IPTUN_MODE_ENCAP;
	r->nsegs = nsegs;
	if (nsegs <= KR_MAX_SEGS)
		memcpy(r->segs, segs, (size_t)nsegs * 16);
}

void
kr_route_encap6(struct kr_route *r, uint32_t table, const uint8_t dst[16],
    uint8_t dst_len, const uint8_t *src, uint8_t src_len,
    const uint8_t (*segs)[16], uint8_t nsegs, uint32_t oif, const uint8_t *gw6)
{
	route_init(r, AF_INET6, table, dst, dst_len, oif);
	if (src != NULL) {
		memcpy(r->src, src, 16);
		r->src_len = src_len;
	}
	if (gw6 != NULL) {
		r->has_gw = true;
		memcpy(r->gw, gw6, 16);
	}
	route_segs(r, segs, nsegs);
}

void
kr_route_encap4(struct kr_route *r, uint32_t table, const uint8_t dst[4],
    uint8_t dst_len, const uint8_t (*segs)[16], uint8_t nsegs, uint32_t oif,
    const uint8_t *gw4)
{
	route_init(r, AF_INET, table, dst, dst_len, oif);
	if (gw4 != NULL) {
		r->has_gw = true;
		memcpy(r->gw, gw4, 4);
	}
	route_segs(r, segs, nsegs);
}

static void
route_local(struct kr_route *r, uint32_t table, const uint8_t sid[16],
    uint32_t action, uint32_t oif)
{
	route_init(r, AF_INET6, table, sid, 128, oif);
	r->encap = KR_ENCAP_SEG6LOCAL;
	r->action = action;
}

void
kr_route_dx6(struct kr_route *r, uint32_t table, const uint8_t sid[16],
    const uint8_t nh6[16], uint32_t oif)
{
	route_local(r, table, sid, SEG6_LOCAL_ACTION_END_DX6, oif);
	r->has_nh6 = true;
	memcpy(r->nh6, nh6, 16);
}

void
kr_route_dx4(struct kr_route *r, uint32_t table, const uint8_t sid[16],
    const uint8_t nh4[4], uint32_t oif)
{
	route_local(r, table, sid, SEG6_LOCAL_ACTION_END_DX4, oif);
	r->has_nh4 = true;
	memcpy(r->nh4, nh4, 4);
}

void
kr_route_dt6(struct kr_route *r, uint32_t table, const uint8_t sid[16],
    uint32_t lookup_table, uint32_t oif)
{
	route_local(r, table, sid, SEG6_LOCAL_ACTION_END_DT6, oif);
	r->lookup_table = lookup_table;
}

static uint32_t
table_of(const struct kr_route *r)
{
	return r->table == 0 ? RT_TABLE_MAIN : r->table;
}

/* Compare the first 'plen' bits only: the kernel ignores host bits. */
static bool
prefix_eq(const uint8_t *a, const uint8_t *b, uint8_t plen)
{
	size_t n = plen / 8;
	uint8_t mask;

	if (memcmp(a, b, n) != 0)
		return false;
	if (plen % 8 == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - plen % 8));
	return ((a[n] ^ b[n]) & mask) == 0;
}

bool
kr_route_same_key(const struct kr_route *a, const struct kr_route *b)
{
	return a->family == b->family && table_of(a) == table_of(b) &&
	    a->metric == b->metric &&
	    a->dst_len == b->dst_len && prefix_eq(a->dst, b->dst, a->dst_len) &&
	    a->src_len == b->src_len && prefix_eq(a->src, b->src, a->src_len);
}

bool
kr_route_equal(const struct kr_route *a, const struct kr_route *b)
{
	if (!kr_route_same_key(a, b) || a->oif != b->oif ||
	    a->has_gw != b->has_gw || a->encap != b->encap)
		return false;
	if (a->has_gw && memcmp(a->gw, b->gw, alen(a->family)) != 0)
		return false;
	switch (a->encap) {
	case KR_ENCAP_SEG6:
		return a->seg6_mode == b->seg6_mode && a->nsegs == b->nsegs &&
		    a->nsegs <= KR_MAX_SEGS &&
		    memcmp(a->segs, b->segs, (size_t)a->nsegs * 16) == 0;
	case KR_ENCAP_SEG6LOCAL:
		return a->action == b->action && a->has_nh6 == b->has_nh6 &&
		    a->has_nh4 == b->has_nh4 &&
		    (!a->has_nh6 || memcmp(a->nh6, b->nh6, 16) == 0) &&
		    (!a->has_nh4 || memcmp(a->nh4, b->nh4, 4) == 0) &&
		    a->lookup_table == b->lookup_table;
	case KR_ENCAP_NONE:
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

static const char *const action_names[] = {
	[SEG6_LOCAL_ACTION_END]		= "End",
	[SEG6_LOCAL_ACTION_END_X]	= "End.X",
	[SEG6_LOCAL_ACTION_END_T]	= "End.T",
	[SEG6_LOCAL_ACTION_END_DX2]	= "End.DX2",
	[SEG6_LOCAL_ACTION_END_DX6]	= "End.DX6",
	[SEG6_LOCAL_ACTION_END_DX4]	= "End.DX4",
	[SEG6_LOCAL_ACTION_END_DT6]	= "End.DT6",
	[SEG6_LOCAL_ACTION_END_DT4]	= "End.DT4",
};

static const char *
action_name(uint32_t a)
{
	if (a < sizeof(action_names) / sizeof(action_names[0]) &&
	    action_names[a] != NULL)
		return action_names[a];
	return "unknown";
}

/* Append to buf[*off..len); output is cut, never overrun. */
static void
app(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
app(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*off = (size_t)n >= len - *off ? len : *off + (size_t)n;
}

static const char *
ntop(int family, const uint8_t *a, char *s)
{
	return inet_ntop(family, a, s, INET6_ADDRSTRLEN);
}

char *
kr_route_fmt(const struct kr_route *r, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];
	size_t off = 0;
	int af = r->family == AF_INET ? AF_INET : AF_INET6;
	uint8_t i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	app(buf, len, &off, "%s/%u", ntop(af, r->dst, s), r->dst_len);
	if (r->src_len > 0)
		app(buf, len, &off, " from %s/%u", ntop(af, r->src, s),
		    r->src_len);
	if (r->encap == KR_ENCAP_SEG6) {
		app(buf, len, &off, " encap seg6 mode %s segs",
		    r->seg6_mode == SEG6_IPTUN_MODE_ENCAP ? "encap" :
		    r->seg6_mode == SEG6_IPTUN_MODE_INLINE ? "inline" : "other");
		for (i = 0; i < r->nsegs && i < KR_MAX_SEGS; i++)
			app(buf, len, &off, "%s%s", i ? "," : " ",
			    ntop(AF_INET6, r->segs[i], s));
	} else if (r->encap == KR_ENCAP_SEG6LOCAL) {
		app(buf, len, &off, " encap seg6local action %s",
		    action_name(r->action));
		if (r->has_nh6)
			app(buf, len, &off, " nh6 %s", ntop(AF_INET6, r->nh6, s));
		if (r->has_nh4)
			app(buf, len, &off, " nh4 %s", ntop(AF_INET, r->nh4, s));
		if (r->lookup_table != 0)
			app(buf, len, &off, " table %u", r->lookup_table);
	}
	if (r->has_gw)
		app(buf, len, &off, " via %s", ntop(af, r->gw, s));
	if (r->oif != 0)
		app(buf, len, &off, " oif %u", r->oif);
	app(buf, len, &off, " table %u", table_of(r));
	if (r->metric != 0)
		app(buf, len, &off, " metric %u", r->metric);
	if (r->protocol != 0)
		app(buf, len, &off, " proto %u", r->protocol);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Building requests                                                   */

/* Reject what the kernel would refuse, and what it would silently get
 * wrong: an IPv4 route with a source prefix is installed by this kernel as
 * if it had none (fib4 has no source-specific routing), steering every
 * client instead of one. */
bool
kr_route_valid(const struct kr_route *r, enum kr_op op)
{
	if (r->family != AF_INET && r->family != AF_INET6)
		return false;
	if (r->dst_len > alen(r->family) * 8)
		return false;
	if (r->src_len > 0 && r->family != AF_INET6)
		return false;
	if (r->src_len > 128)
		return false;
	if (op == KR_DELETE)
		return true;
	switch (r->encap) {
	case KR_ENCAP_NONE:
		return true;
	case KR_ENCAP_SEG6:
		if (r->nsegs == 0 || r->nsegs > KR_MAX_SEGS)
			return false;
		/* Inline mode inserts an SRH into an IPv6 packet: no IPv4. */
		return r->family == AF_INET6 ||
		    r->seg6_mode != SEG6_IPTUN_MODE_INLINE;
	case KR_ENCAP_SEG6LOCAL:
		if (r->family != AF_INET6 || r->action == 0 || r->oif == 0)
			return false;
		if (r->action == SEG6_LOCAL_ACTION_END_DX6 ||
		    r->action == SEG6_LOCAL_ACTION_END_X)
			return r->has_nh6;
		if (r->action == SEG6_LOCAL_ACTION_END_DX4)
			return r->has_nh4;
		if (r->action == SEG6_LOCAL_ACTION_END_DT6)
			return r->lookup_table != 0;
		return true;
	}
	return false;
}

/* struct seg6_iptunnel_encap with the SRH: mode (host order), then the
 * SRH of RFC 8754 with the segment list reversed (the last SID first). */
static size_t
seg6_tuninfo(const struct kr_route *r, uint8_t *out)
{
	int mode = (int)r->seg6_mode;
	uint8_t *srh = out + SEG6_MODE_LEN;
	uint8_t i;

	memcpy(out, &mode, SEG6_MODE_LEN);
	memset(srh, 0, SRH_FIXED);
	srh[1] = (uint8_t)(r->nsegs * 2);	/* hdrlen: 8-octet units - 1 */
	srh[2] = SRH_TYPE_SEGMENT;
	srh[3] = (uint8_t)(r->nsegs - 1);	/* segments left */
	srh[4] = (uint8_t)(r->nsegs - 1);	/* last entry */
	for (i = 0; i < r->nsegs; i++)
		memcpy(srh + SRH_FIXED + 16 * (size_t)(r->nsegs - 1 - i),
		    r->segs[i], 16);
	return SEG6_MODE_LEN + SRH_FIXED + 16 * (size_t)r->nsegs;
}

static bool
put_seg6(struct nlmsghdr *nlh, size_t cap, const struct kr_route *r)
{
	uint8_t tun[SEG6_MODE_LEN + SRH_FIXED + 16 * KR_MAX_SEGS];
	struct nlattr *nest;
	size_t len;

	len = seg6_tuninfo(r, tun);
	if ((nest = mnl_attr_nest_start_check(nlh, cap, RTA_ENCAP)) == NULL)
		return false;
	if (!mnl_attr_put_check(nlh, cap, SEG6_IPTUNNEL_SRH, len, tun))
		return false;
	mnl_attr_nest_end(nlh, nest);
	return mnl_attr_put_u16_check(nlh, cap, RTA_ENCAP_TYPE,
	    LWTUNNEL_ENCAP_SEG6);
}

static bool
put_seg6local(struct nlmsghdr *nlh, size_t cap, const struct kr_route *r)
{
	struct nlattr *nest;
	bool ok = true;

	if ((nest = mnl_attr_nest_start_check(nlh, cap, RTA_ENCAP)) == NULL)
		return false;
	ok &= mnl_attr_put_u32_check(nlh, cap, SEG6_LOCAL_ACTION, r->action);
	if (r->has_nh6)
		ok &= mnl_attr_put_check(nlh, cap, SEG6_LOCAL_NH6, 16, r->nh6);
	if (r->has_nh4)
		ok &= mnl_attr_put_check(nlh, cap, SEG6_LOCAL_NH4, 4, r->nh4);
	if (r->lookup_table != 0)
		ok &= mnl_attr_put_u32_check(nlh, cap, SEG6_LOCAL_TABLE,
		    r->lookup_table);
	if (!ok)
		return false;
	mnl_attr_nest_end(nlh, nest);
	return mnl_attr_put_u16_check(nlh, cap, RTA_ENCAP_TYPE,
	    LWTUNNEL_ENCAP_SEG6_LOCAL);
}

static struct nlmsghdr *
put_header(void *buf, size_t cap, uint16_t type, uint16_t flags,
    uint32_t seq, struct rtmsg **rtm)
{
	struct nlmsghdr *nlh;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(**rtm))) {
		errno = EMSGSIZE;
		return NULL;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	*rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(**rtm));
	return nlh;
}

static const uint16_t op_flags[] = {
	[KR_ADD]	= NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
	[KR_REPLACE]	= NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			  NLM_F_REPLACE,
	[KR_DELETE]	= NLM_F_REQUEST | NLM_F_ACK,
};

size_t
kr_build(void *buf, size_t cap, const struct kr_route *r, enum kr_op op,
    uint8_t protocol, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t al = alen(r->family);
	uint32_t table = table_of(r);
	bool ok = true;

	if ((unsigned)op > KR_DELETE || !kr_route_valid(r, op)) {
		errno = EINVAL;
		return 0;
	}
	nlh = put_header(buf, cap, op == KR_DELETE ? RTM_DELROUTE :
	    RTM_NEWROUTE, op_flags[op], seq, &rtm);
	if (nlh == NULL)
		return 0;
	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_src_len = r->src_len;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = protocol;
	rtm->rtm_type = RTN_UNICAST;
	/* iproute2's choice: delete at any scope; an IPv4 route without a
	 * gateway is on-link (scope link), like "ip route add ... dev X". */
	if (op == KR_DELETE)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	else if (r->family == AF_INET && !r->has_gw)
		rtm->rtm_scope = RT_SCOPE_LINK;
	else
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;

	ok &= mnl_attr_put_u32_check(nlh, cap, RTA_TABLE, table);
	if (r->dst_len > 0)
		ok &= mnl_attr_put_check(nlh, cap, RTA_DST, al, r->dst);
	if (r->src_len > 0)
		ok &= mnl_attr_put_check(nlh, cap, RTA_SRC, al, r->src);
	if (r->metric != 0)
		ok &= mnl_attr_put_u32_check(nlh, cap, RTA_PRIORITY, r->metric);
	if (op != KR_DELETE) {
		if (r->oif != 0)
			ok &= mnl_attr_put_u32_check(nlh, cap, RTA_OIF, r->oif);
		if (r->has_gw)
			ok &= mnl_attr_put_check(nlh, cap, RTA_GATEWAY, al,
			    r->gw);
		if (ok && r->encap == KR_ENCAP_SEG6)
			ok = put_seg6(nlh, cap, r);
		else if (ok && r->encap == KR_ENCAP_SEG6LOCAL)
			ok = put_seg6local(nlh, cap, r);
	}
	if (!ok) {
		errno = EMSGSIZE;
		return 0;
	}
	return nlh->nlmsg_len;
}

size_t
kr_build_dump(void *buf, size_t cap, const struct kr_filter *f, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = put_header(buf, cap, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP,
	    seq, &rtm);
	if (nlh == NULL)
		return 0;
	rtm->rtm_family = f->family;
	rtm->rtm_protocol = f->protocol;
	if (f->table != 0) {
		rtm->rtm_table = f->table < 256 ? (uint8_t)f->table : 0;
		if (!mnl_attr_put_u32_check(nlh, cap, RTA_TABLE, f->table)) {
			errno = EMSGSIZE;
			return 0;
		}
	}
	return nlh->nlmsg_len;
}

/* ------------------------------------------------------------------ */
/* Parsing replies                                                     */

/* How each attribute we read must look; anything else is skipped. */
#define LEN_ADDR	0xffff	/* 4 or 16 octets, by the route's family */

struct attr_rule {
	bool			 known;
	enum mnl_attr_data_type	 type;
	uint16_t		 len;	/* exact payload length; 0: any */
};

static const struct attr_rule rta_rules[RTA_MAX + 1] = {
	[RTA_DST]	= { true, MNL_TYPE_BINARY, LEN_ADDR },
	[RTA_SRC]	= { true, MNL_TYPE_BINARY, LEN_ADDR },
	[RTA_GATEWAY]	= { true, MNL_TYPE_BINARY, LEN_ADDR },
	[RTA_OIF]	= { true, MNL_TYPE_U32, 0 },
	[RTA_PRIORITY]	= { true, MNL_TYPE_U32, 0 },
	[RTA_TABLE]	= { true, MNL_TYPE_U32, 0 },
	[RTA_MULTIPATH]	= { true, MNL_TYPE_BINARY, 0 },
	[RTA_VIA]	= { true, MNL_TYPE_BINARY, 0 },
	[RTA_ENCAP_TYPE] = { true, MNL_TYPE_U16, 0 },
	[RTA_ENCAP]	= { true, MNL_TYPE_NESTED, 0 },
};

static const struct attr_rule seg6_rules[SEG6_IPTUNNEL_MAX + 1] = {
	[SEG6_IPTUNNEL_SRH] = { true, MNL_TYPE_BINARY, 0 },
};

static const struct attr_rule local_rules[SEG6_LOCAL_MAX + 1] = {
	[SEG6_LOCAL_ACTION]	= { true, MNL_TYPE_U32, 0 },
	[SEG6_LOCAL_TABLE]	= { true, MNL_TYPE_U32, 0 },
	[SEG6_LOCAL_NH4]	= { true, MNL_TYPE_BINARY, 4 },
	[SEG6_LOCAL_NH6]	= { true, MNL_TYPE_BINARY, 16 },
	[SEG6_LOCAL_SRH]	= { true, MNL_TYPE_BINARY, 0 },
	[SEG6_LOCAL_IIF]	= { true, MNL_TYPE_U32, 0 },
	[SEG6_LOCAL_OIF]	= { true, MNL_TYPE_U32, 0 },
	[SEG6_LOCAL_BPF]	= { true, MNL_TYPE_NESTED, 0 },
	[SEG6_LOCAL_VRFTABLE]	= { true, MNL_TYPE_U32, 0 },
};

struct attr_tab {
	const struct attr_rule	*rules;
	uint16_t		 max;
	uint16_t		 addr_len;
	const struct nlattr	**tb;
	bool			 bad;
};

/* mnl_attr_parse callback: validate against the table, keep the known
 * ones.  A bad attribute marks the whole message (the caller skips it)
 * and stops the walk. */
static int
attr_cb(const struct nlattr *a, void *data)
{
	struct attr_tab *t = data;
	uint16_t type = mnl_attr_get_type(a);
	const struct attr_rule *rule;
	size_t len;

	if (mnl_attr_type_valid(a, t->max) <= 0)
		return MNL_CB_OK;	/* newer than us: skip */
	rule = &t->rules[type];
	if (!rule->known)
		return MNL_CB_OK;
	len = rule->len == LEN_ADDR ? t->addr_len : rule->len;
	if ((len ? mnl_attr_validate2(a, rule->type, len) :
	    mnl_attr_validate(a, rule->type)) < 0) {
		t->bad = true;
		return MNL_CB_ERROR;
	}
	t->tb[type] = a;
	return MNL_CB_OK;
}

/* Whether a message header fits in 'left' octets.  Not mnl_nlmsg_ok: it
 * casts nlmsg_len to int, so a length above INT_MAX passes as negative
 * and the walk jumps outside the buffer (found by fuzz_kroute). */
static bool
msg_fits(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	    nlh->nlmsg_len <= left;
}

/* A datagram from the kernel holds whole messages only.  Checked before
 * mnl_cb_run2 walks it: that walk stops quietly at a message that does not
 * fit and reports "more to come" (the reader would wait for a reply that
 * was in the bytes skipped), and it trusts mnl_nlmsg_ok (above). */
static bool
whole_messages(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t left = len, step;

	if (len > INT_MAX)
		return false;
	while (left > 0) {
		if (!msg_fits((const struct nlmsghdr *)p, left))
			return false;
		step = MNL_ALIGN(((const struct nlmsghdr *)p)->nlmsg_len);
		if (step >= left)
			return true;
		p += step;
		left -= step;
	}
	return true;
}

/* mnl_attr_parse ends its walk quietly at an attribute whose length does
 * not fit, dropping it and everything after: a route would lose its
 * encapsulation and still look valid.  So the walk must end exactly at the
 * end of the attributes (the last one may lack its padding). */
static bool
attrs_whole(const void *start, size_t len)
{
	const struct nlattr *a = start;
	int left = (int)len;

	if (len > INT_MAX)
		return false;
	while (mnl_attr_ok(a, left)) {
		left -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return left <= 0;
}

static int
parse_nested(const struct nlattr *nest, const struct attr_rule *rules,
    uint16_t max, const struct nlattr **tb)
{
	struct attr_tab t = { rules, max, 0, tb, false };

	if (!attrs_whole(mnl_attr_get_payload(nest),
	    mnl_attr_get_payload_len(nest)))
		return -1;
	if (mnl_attr_parse_nested(nest, attr_cb, &t) != MNL_CB_OK || t.bad)
		return -1;
	return 0;
}

#define FAIL(code, msg)	do { *why = (msg); return (code); } while (0)

/* SEG6_IPTUNNEL_SRH: mode, then an SRH whose length is exactly the rest. */
static int
parse_srh(const struct nlattr *a, struct kr_route *r, const char **why)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);
	size_t srhlen, nsegs, i;
	int mode;

	if (len < SEG6_MODE_LEN + SRH_FIXED)
		FAIL(KR_MALFORMED, "seg6 tunnel info shorter than an SRH");
	memcpy(&mode, p, SEG6_MODE_LEN);
	p += SEG6_MODE_LEN;
	srhlen = ((size_t)p[1] + 1) * 8;
	if (srhlen != len - SEG6_MODE_LEN)
		FAIL(KR_MALFORMED, "SRH length disagrees with its attribute");
	if (p[2] != SRH_TYPE_SEGMENT)
		FAIL(KR_MALFORMED, "routing header is not an SRH");
	nsegs = (size_t)p[4] + 1;
	if (SRH_FIXED + 16 * nsegs > srhlen)
		FAIL(KR_MALFORMED, "SRH segment list overruns the header");
	if (nsegs > KR_MAX_SEGS)
		FAIL(KR_UNSUPPORTED, "more segments than KR_MAX_SEGS");
	if (mode < 0)
		FAIL(KR_MALFORMED, "negative seg6 mode");
	r->seg6_mode = (uint32_t)mode;
	r->nsegs = (uint8_t)nsegs;
	for (i = 0; i < nsegs; i++)
		memcpy(r->segs[i], p + SRH_FIXED + 16 * (nsegs - 1 - i), 16);
	return 0;
}

static int
parse_encap(const struct nlattr **tb, struct kr_route *r, const char **why)
{
	const struct nlattr *sub[SEG6_LOCAL_MAX + 1] = { 0 };
	uint16_t type;

	if (tb[RTA_ENCAP] == NULL && tb[RTA_ENCAP_TYPE] == NULL)
		return 0;
	if (tb[RTA_ENCAP] == NULL || tb[RTA_ENCAP_TYPE] == NULL)
		FAIL(KR_MALFORMED, "RTA_ENCAP without its type, or the reverse");
	type = mnl_attr_get_u16(tb[RTA_ENCAP_TYPE]);
	if (type == LWTUNNEL_ENCAP_SEG6) {
		if (parse_nested(tb[RTA_ENCAP], seg6_rules, SEG6_IPTUNNEL_MAX,
		    sub) < 0)
			FAIL(KR_MALFORMED, "bad attribute in seg6 encap");
		if (sub[SEG6_IPTUNNEL_SRH] == NULL)
			FAIL(KR_MALFORMED, "seg6 encap without an SRH");
		r->encap = KR_ENCAP_SEG6;
		return parse_srh(sub[SEG6_IPTUNNEL_SRH], r, why);
	}
	if (type != LWTUNNEL_ENCAP_SEG6_LOCAL)
		FAIL(KR_UNSUPPORTED, "an encapsulation other than seg6");
	if (parse_nested(tb[RTA_ENCAP], local_rules, SEG6_LOCAL_MAX, sub) < 0)
		FAIL(KR_MALFORMED, "bad attribute in seg6local encap");
	if (sub[SEG6_LOCAL_ACTION] == NULL)
		FAIL(KR_MALFORMED, "seg6local without an action");
	r->encap = KR_ENCAP_SEG6LOCAL;
	r->action = mnl_attr_get_u32(sub[SEG6_LOCAL_ACTION]);
	if (sub[SEG6_LOCAL_NH6] != NULL) {
		r->has_nh6 = true;
		memcpy(r->nh6, mnl_attr_get_payload(sub[SEG6_LOCAL_NH6]), 16);
	}
	if (sub[SEG6_LOCAL_NH4] != NULL) {
		r->has_nh4 = true;
		memcpy(r->nh4, mnl_attr_get_payload(sub[SEG6_LOCAL_NH4]), 4);
	}
	if (sub[SEG6_LOCAL_TABLE] != NULL)
		r->lookup_table = mnl_attr_get_u32(sub[SEG6_LOCAL_TABLE]);
	return 0;
}

/* Copy an address attribute; a prefix length without its address is only
 * allowed for the zero-length prefix. */
static int
parse_prefix(const struct nlattr *a, uint8_t plen, uint8_t *out,
    size_t al)
{
	if (a != NULL)
		memcpy(out, mnl_attr_get_payload(a), al);
	return a == NULL && plen > 0 ? -1 : 0;
}

int
kr_parse_route(const void *msg, size_t len, struct kr_route *r,
    const char **why)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct nlmsghdr *nlh = msg;
	const struct rtmsg *rtm;
	struct attr_tab t = { rta_rules, RTA_MAX, 0, tb, false };
	const void *start;
	size_t al;

	memset(r, 0, sizeof(*r));
	if (!msg_fits(nlh, len))
		FAIL(KR_MALFORMED, "netlink length field out of bounds");
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		FAIL(KR_UNSUPPORTED, "not an RTM_NEWROUTE");
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		FAIL(KR_MALFORMED, "shorter than struct rtmsg");
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		FAIL(KR_UNSUPPORTED, "neither IPv4 nor IPv6");
	al = alen(rtm->rtm_family);
	if (rtm->rtm_dst_len > al * 8 || rtm->rtm_src_len > al * 8)
		FAIL(KR_MALFORMED, "prefix length longer than the address");
	t.addr_len = (uint16_t)al;
	start = mnl_nlmsg_get_payload_offset(nlh, sizeof(*rtm));
	if (mnl_nlmsg_get_payload_len(nlh) < MNL_ALIGN(sizeof(*rtm)) ||
	    !attrs_whole(start, (size_t)((const char *)nlh + nlh->nlmsg_len -
	    (const char *)start)))
		FAIL(KR_MALFORMED, "attribute length past the message");
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &t) != MNL_CB_OK ||
	    t.bad)
		FAIL(KR_MALFORMED, "attribute fails validation");

	r->family = rtm->rtm_family;
	r->protocol = rtm->rtm_protocol;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
	    rtm->rtm_table;
	r->dst_len = rtm->rtm_dst_len;
	r->src_len = rtm->rtm_src_len;
	if (parse_prefix(tb[RTA_DST], r->dst_len, r->dst, al) < 0 ||
	    parse_prefix(tb[RTA_SRC], r->src_len, r->src, al) < 0)
		FAIL(KR_MALFORMED, "prefix length without its address");
	if (tb[RTA_MULTIPATH] != NULL || tb[RTA_VIA] != NULL)
		FAIL(KR_UNSUPPORTED, "multipath or RTA_VIA route");
	/* IPv4 has no source routing here (docs/dataplane.md): kr_build
	 * refuses such a route, so one from a dump could not even be deleted */
	if (r->family == AF_INET && r->src_len > 0)
		FAIL(KR_UNSUPPORTED, "an IPv4 route with a source prefix");
	if (tb[RTA_OIF] != NULL)
		r->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY] != NULL)
		r->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_GATEWAY] != NULL) {
		r->has_gw = true;
		memcpy(r->gw, mnl_attr_get_payload(tb[RTA_GATEWAY]), al);
	}
	return parse_encap(tb, r, why);
}

/* What the callbacks of one request share. */
struct nl_ctx {
	const struct kr_filter	*f;
	kr_route_cb		 cb;
	void			*arg;
	struct kr_dump_stats	*st;
	char			*ext;	/* the kernel's extended ack message */
	size_t			 extlen;
};

static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ctx *c = data;
	const struct rtmsg *rtm;
	struct kr_route r;
	const char *why;
	int rc;

	if (nlh->nlmsg_type != RTM_NEWROUTE) {
		c->st->unexpected++;
		return MNL_CB_OK;
	}
	/* Cheap filters first, from the fixed header, once it is whole. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm)) {
		c->st->malformed++;
		return MNL_CB_OK;
	}
	rtm = mnl_nlmsg_get_payload(nlh);
	if ((c->f->family != AF_UNSPEC && rtm->rtm_family != c->f->family) ||
	    (c->f->protocol != 0 && rtm->rtm_protocol != c->f->protocol)) {
		c->st->other_proto++;
		return MNL_CB_OK;
	}
	rc = kr_parse_route(nlh, nlh->nlmsg_len, &r, &why);
	if (rc == KR_MALFORMED)
		c->st->malformed++;
	else if (rc == KR_UNSUPPORTED)
		c->st->unsupported++;
	else if (c->f->table != 0 && table_of(&r) != c->f->table)
		c->st->other_table++;
	else {
		c->st->routes++;
		if (c->cb != NULL)
			c->cb(&r, c->arg);
	}
	return MNL_CB_OK;
}

static int
ext_cb(const struct nlattr *a, void *data)
{
	struct nl_ctx *c = data;

	if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG ||
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	snprintf(c->ext, c->extlen, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* The extended ack (NETLINK_EXT_ACK) follows struct nlmsgerr, after the
 * echoed request unless NETLINK_CAP_ACK capped it. */
static void
parse_extack(const struct nlmsghdr *nlh, const struct nlmsgerr *e,
    struct nl_ctx *c)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	size_t off = sizeof(*e);

	if (c->ext == NULL || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg) ||
		    e->msg.nlmsg_len - sizeof(e->msg) > plen - off)
			return;
		off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
	}
	if (off > plen)
		return;
	mnl_attr_parse(nlh, (unsigned)off, ext_cb, c);
}

static int
set_errno(int neg)
{
	errno = neg < 0 && neg != INT_MIN ? -neg : EPROTO;
	return MNL_CB_ERROR;
}

static int
error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	e = mnl_nlmsg_get_payload(nlh);
	if (e->error == 0)
		return MNL_CB_STOP;	/* the ACK */
	parse_extack(nlh, e, data);
	return set_errno(e->error);
}

/* A dump ends with NLMSG_DONE, whose int is the dump's own error. */
static int
done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	return err < 0 ? set_errno(err) : MNL_CB_STOP;
}

static int
noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int
overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOBUFS;
	return MNL_CB_ERROR;
}

/* mnl_cb_run2 calls no default for a control type inside this array, so
 * every one is named.  Not const only because libmnl's prototype is not. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP]	= noop_cb,
	[NLMSG_ERROR]	= error_cb,
	[NLMSG_DONE]	= done_cb,
	[NLMSG_OVERRUN]	= overrun_cb,
};


static int
run(const void *buf, size_t len, uint32_t seq, uint32_t portid,
    struct nl_ctx *c)
{
	int rc;

	if (!whole_messages(buf, len)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	rc = mnl_cb_run2(buf, len, seq, portid, route_cb, c, ctl_cbs,
	    NLMSG_MIN_TYPE);
	if (rc == MNL_CB_ERROR && errno == EINTR)
		c->st->interrupted = true;	/* NLM_F_DUMP_INTR */
	return rc;
}

int
kr_parse_dump(const void *buf, size_t len, uint32_t seq, uint32_t portid,
    const struct kr_filter *f, kr_route_cb cb, void *arg,
    struct kr_dump_stats *st)
{
	struct nl_ctx c = { f, cb, arg, st, NULL, 0 };

	return run(buf, len, seq, portid, &c);
}

/* ------------------------------------------------------------------ */
/* The socket                                                          */

static void
setopt(struct mnl_socket *nl, int opt)
{
	int one = 1;

	/* Best effort: an older kernel without it still works, with
	 * shorter error messages or a client-side-only dump filter. */
	(void)setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, opt, &one,
	    sizeof(one));
}

/* A fresh socket: at open, and after a failed dump, whose remaining
 * replies would otherwise be read as answers to the next request. */
static int
sock_open(struct kr *k)
{
	if (k->nl != NULL)
		mnl_socket_close(k->nl);
	if ((k->nl = mnl_socket_open(NETLINK_ROUTE)) == NULL)
		return -1;
	if (mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	setopt(k->nl, NETLINK_CAP_ACK);
	setopt(k->nl, NETLINK_EXT_ACK);
	setopt(k->nl, NETLINK_GET_STRICT_CHK);
	k->portid = mnl_socket_get_portid(k->nl);
	return 0;
}

struct kr *
kr_open(uint8_t protocol, char *err, size_t errlen)
{
	struct kr *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "kroute: %s", strerror(errno));
		return NULL;
	}
	k->protocol = protocol ? protocol : RTPROT_CATS;
	k->seq = 1;
	if (sock_open(k) < 0) {
		snprintf(err, errlen, "kroute: rtnetlink socket: %s",
		    strerror(errno));
		kr_close(k);
		return NULL;
	}
	return k;
}

void
kr_close(struct kr *k)
{
	if (k == NULL)
		return;
	if (k->nl != NULL)
		mnl_socket_close(k->nl);
	free(k);
}

const char *
kr_strerror(const struct kr *k)
{
	return k->err;
}

uint8_t
kr_protocol(const struct kr *k)
{
	return k->protocol;
}

/* Send what is in k->buf and read replies until the ACK, NLMSG_DONE or an
 * error.  0 or -1 with errno. */
static int
talk(struct kr *k, size_t len, uint32_t seq, struct nl_ctx *c)
{
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(k->nl, k->buf, len) < 0)
		return -1;
	for (;;) {
		n = mnl_socket_recvfrom(k->nl, k->rbuf, sizeof(k->rbuf));
		if (n < 0 && errno == EINTR)
			continue;	/* a signal, not a dump */
		if (n < 0)
			return -1;
		rc = run(k->rbuf, (size_t)n, seq, k->portid, c);
		if (rc <= MNL_CB_STOP)
			return rc == MNL_CB_STOP ? 0 : -1;
	}
}

static const char *const op_names[] = {
	[KR_ADD] = "add", [KR_REPLACE] = "replace", [KR_DELETE] = "delete",
};

int
kr_change(struct kr *k, const struct kr_route *r, enum kr_op op)
{
	struct kr_dump_stats st = { 0 };
	struct kr_filter f = { 0 };
	char ext[128] = "", rs[256];
	struct nl_ctx c = { &f, NULL, NULL, &st, ext, sizeof(ext) };
	uint32_t seq = k->seq++;
	size_t len;
	int saved;

	k->err[0] = '\0';
	if ((len = kr_build(k->buf, sizeof(k->buf), r, op, k->protocol,
	    seq)) == 0) {
		saved = errno;
		snprintf(k->err, sizeof(k->err), "route %s %s: %s",
		    (unsigned)op <= KR_DELETE ? op_names[op] : "?",
		    kr_route_fmt(r, rs, sizeof(rs)), saved == EINVAL ?
		    "not a route kroute can install" : strerror(saved));
		errno = saved;
		return -1;
	}
	if (talk(k, len, seq, &c) == 0)
		return 0;
	saved = errno;
	snprintf(k->err, sizeof(k->err), "route %s %s: %s%s%s%s", op_names[op],
	    kr_route_fmt(r, rs, sizeof(rs)), strerror(saved),
	    ext[0] ? " (kernel: " : "", ext, ext[0] ? ")" : "");
	errno = saved;
	return -1;
}

int
kr_dump(struct kr *k, const struct kr_filter *f, kr_route_cb cb, void *arg,
    struct kr_dump_stats *st)
{
	char ext[128] = "";
	struct nl_ctx c = { f, cb, arg, st, ext, sizeof(ext) };
	uint32_t seq = k->seq++;
	size_t len;
	int saved;

	memset(st, 0, sizeof(*st));
	k->err[0] = '\0';
	if ((len = kr_build_dump(k->buf, sizeof(k->buf), f, seq)) == 0)
		return -1;
	if (talk(k, len, seq, &c) == 0)
		return 0;
	saved = errno;
	/* With strict checking, a filter on a table that does not exist
	 * fails the dump: such a table holds none of our routes. */
	if (saved == ENOENT && f->table != 0)
		return 0;
	snprintf(k->err, sizeof(k->err), "route dump%s: %s%s%s%s",
	    st->interrupted ? " (interrupted, table changed)" : "",
	    strerror(saved), ext[0] ? " (kernel: " : "", ext,
	    ext[0] ? ")" : "");
	/* The rest of an interrupted dump is still queued on the socket. */
	if (sock_open(k) < 0)
		snprintf(k->err, sizeof(k->err), "route dump: reopening the "
		    "rtnetlink socket: %s", strerror(errno));
	errno = saved;
	return -1;
}

/* Routes collected by a dump, acted on once it is over. */
struct kr_list {
	struct kr_route	*v;
	size_t		 n, cap;
	bool		 nomem;
};

static void
collect_cb(const struct kr_route *r, void *arg)
{
	struct kr_list *l = arg;
	struct kr_route *v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL) {
			l->nomem = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *r;
}

/* One round: dump our routes, then delete each.  Routes that vanished in
 * between (ESRCH) are not an error. */
static int
flush_round(struct kr *k, const struct kr_filter *f, struct kr_list *l,
    size_t *deleted)
{
	struct kr_dump_stats st;
	size_t i;

	l->n = 0;
	if (kr_dump(k, f, collect_cb, l, &st) < 0)
		return -1;
	if (l->nomem) {
		errno = ENOMEM;
		snprintf(k->err, sizeof(k->err), "route flush: out of memory");
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		if (kr_change(k, &l->v[i], KR_DELETE) == 0)
			(*deleted)++;
		else if (errno != ESRCH && errno != ENOENT)
			return -1;
	}
	return 0;
}

int
kr_flush_proto(struct kr *k, uint8_t family, uint32_t table, size_t *deleted)
{
	struct kr_filter f = { family, k->protocol, table };
	struct kr_list l = { 0 };
	int round, rc = -1;

	*deleted = 0;
	/* Repeat until a dump finds nothing: an interrupted dump or a route
	 * added meanwhile leaves some behind.  Bounded, for a racing peer. */
	for (round = 0; round < 8; round++) {
		if (flush_round(k, &f, &l, deleted) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (l.n == 0) {
			rc = 0;
			break;
		}
	}
	if (rc < 0 && round == 8) {
		snprintf(k->err, sizeof(k->err), "route flush: routes of "
		    "protocol %u keep coming back", k->protocol);
		errno = EAGAIN;
	}
	free(l.v);
	return rc;
}

/*
 * Whether this kernel takes seg6 lightweight tunnels (CONFIG_IPV6_SEG6_
 * LWTUNNEL): add an End.DT6 SID and an H.Encaps route toward it in the
 * discard-only prefix (RFC 6666), on the loopback, then delete them.  A
 * kernel without them refuses the first with EOPNOTSUPP ("lwt
 * encapsulation type not supported").  1 yes, 0 no; 'why' says the
 * kernel's answer either way.
 */
int
kr_probe_seg6(struct kr *k, char *why, size_t len)
{
	static const uint8_t sid[16] = { 0x01, [14] = 0xca, [15] = 0x75 };
	static const uint8_t dst[16] = { 0x01, [14] = 0xca, [15] = 0x76 };
	struct kr_route l, e;
	uint32_t lo = if_nametoindex("lo");
	int ok;

	kr_route_dt6(&l, 0, sid, 254, lo);
	kr_route_encap6(&e, 0, dst, 128, NULL, 0,
	    (const uint8_t (*)[16])sid, 1, lo, NULL);
	ok = kr_change(k, &l, KR_REPLACE) == 0 &&
	    kr_change(k, &e, KR_REPLACE) == 0;
	snprintf(why, len, "%s", ok ? "seg6 and seg6local routes work" :
	    k->err);
	(void)kr_change(k, &e, KR_DELETE);
	(void)kr_change(k, &l, KR_DELETE);
	k->err[0] = '\0';
	return ok;
}
