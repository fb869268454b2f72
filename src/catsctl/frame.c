/*
 * frame: link layer, IPv4/IPv6 and UDP around the Mobility Header.
 * Every read goes through a bounded cursor (cats/buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <pcap/pcap.h>

#include "cats/buf.h"
#include "cats/mh.h"
#include "catsctl/frame.h"

#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_VLAN	0x8100
#define ETH_P_QINQ	0x88a8
#define IPPROTO_UDP_	17
#define IPPROTO_TCP_	6
#define IP6_HDR_LEN	40
#define IP4_HDR_LEN	20
#define UDP_HDR_LEN	8
#define HOP_LIMIT	64

/* IPv6 extension headers, RFC 8200 4. */
#define NH_HOPOPTS	0
#define NH_ROUTING	43
#define NH_FRAGMENT	44
#define NH_AH		51
#define NH_DSTOPTS	60

static int
bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* UDP: port 5436 on either side; the payload is the MH. */
static int
parse_udp(struct cur *c, struct frame *f, char *err, size_t errlen)
{
	uint16_t sport, dport, len, sum;

	cur_u16(c, &sport);
	cur_u16(c, &dport);
	cur_u16(c, &len);
	cur_u16(c, &sum);
	if (c->err)
		return bad(err, errlen, "UDP header truncated");
	if (sport != MH_UDP_PORT && dport != MH_UDP_PORT)
		return 0;
	if (len < UDP_HDR_LEN || (size_t)(len - UDP_HDR_LEN) > cur_left(c))
		return bad(err, errlen, "UDP length %u wrong", len);
	f->meta.transport = PKT_T_UDP;
	f->mh_len = len - UDP_HDR_LEN;
	cur_view(c, &f->mh, f->mh_len);
	return 1;
}

/* One extension header: step over it and learn the next one.  A
 * non-first fragment or a fragmented MH cannot be read: 0. */
static int
skip_ext(struct cur *c, uint8_t *nh)
{
	uint8_t next, hlen;
	uint16_t frag;

	cur_u8(c, &next);
	cur_u8(c, &hlen);
	switch (*nh) {
	case NH_FRAGMENT:
		cur_u16(c, &frag);
		cur_skip(c, 4);
		if (frag & 0xfff9)	/* offset or M flag: a fragment */
			return 0;
		break;
	case NH_AH:			/* RFC 4302: length in 4-octet units */
		cur_skip(c, ((size_t)hlen + 2) * 4 - 2);
		break;
	default:			/* RFC 8200: 8-octet units */
		cur_skip(c, (size_t)hlen * 8 + 6);
		break;
	}
	*nh = next;
	return c->err ? -1 : 1;
}

static int
parse_ipv6(struct cur *c, struct frame *f, char *err, size_t errlen)
{
	struct cur body;
	uint32_t vtf;
	uint16_t plen;
	uint8_t nh, hlim;
	int rc;

	cur_u32(c, &vtf);
	cur_u16(c, &plen);
	cur_u8(c, &nh);
	cur_u8(c, &hlim);
	f->meta.src.af = f->meta.dst.af = AF_INET6;
	cur_bytes(c, f->meta.src.a, 16);
	cur_bytes(c, f->meta.dst.a, 16);
	if (c->err)
		return bad(err, errlen, "IPv6 header truncated");
	if (vtf >> 28 != 6)
		return bad(err, errlen, "IP version %u, not 6", vtf >> 28);
	if (plen > cur_left(c))
		return bad(err, errlen, "IPv6 payload length %u past the "
		    "captured %zu octets", plen, cur_left(c));
	cur_sub(c, plen != 0 ? plen : cur_left(c), &body);  /* 0: jumbogram */
	for (;;) {
		switch (nh) {
		case MH_IPPROTO:
			f->meta.transport = PKT_T_IPV6;
			f->mh_len = cur_left(&body);
			cur_view(&body, &f->mh, f->mh_len);
			return 1;
		case IPPROTO_UDP_:
			return parse_udp(&body, f, err, errlen);
		case IPPROTO_TCP_:
			f->tcp_len = cur_left(&body);
			cur_view(&body, &f->tcp, f->tcp_len);
			return 0;
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_FRAGMENT:
		case NH_AH:
		case NH_DSTOPTS:
			if ((rc = skip_ext(&body, &nh)) < 0)
				return bad(err, errlen, "IPv6 extension "
				    "header truncated");
			if (rc == 0)
				return 0;
			break;
		default:
			return 0;
		}
	}
}

static int
parse_ipv4(struct cur *c, struct frame *f, char *err, size_t errlen)
{
	struct cur body;
	uint8_t vihl, proto;
	uint16_t total, frag;
	size_t hlen;

	cur_u8(c, &vihl);
	cur_skip(c, 1);
	cur_u16(c, &total);
	cur_skip(c, 2);
	cur_u16(c, &frag);
	cur_skip(c, 1);
	cur_u8(c, &proto);
	cur_skip(c, 2);
	f->meta.src.af = f->meta.dst.af = AF_INET;
	cur_bytes(c, f->meta.src.a, 4);
	cur_bytes(c, f->meta.dst.a, 4);
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (c->err || hlen < IP4_HDR_LEN || !cur_skip(c, hlen - IP4_HDR_LEN))
		return bad(err, errlen, "IPv4 header truncated");
	if (vihl >> 4 != 4)
		return bad(err, errlen, "IP version %u, not 4", vihl >> 4);
	if (total < hlen || total - hlen > cur_left(c))
		return bad(err, errlen, "IPv4 total length %u wrong", total);
	if ((proto != IPPROTO_UDP_ && proto != IPPROTO_TCP_) ||
	    (frag & 0x3fff) != 0)
		return 0;		/* not UDP nor TCP, or a fragment */
	cur_sub(c, total - hlen, &body);
	if (proto == IPPROTO_TCP_) {
		f->tcp_len = cur_left(&body);
		cur_view(&body, &f->tcp, f->tcp_len);
		return 0;
	}
	return parse_udp(&body, f, err, errlen);
}

/* By the version nibble: raw IP link types and the loopback ones. */
static int
parse_ip(struct cur *c, struct frame *f, char *err, size_t errlen)
{
	uint8_t v;

	if (!cur_peek_u8(c, &v))
		return bad(err, errlen, "no IP header");
	if (v >> 4 == 6)
		return parse_ipv6(c, f, err, errlen);
	if (v >> 4 == 4)
		return parse_ipv4(c, f, err, errlen);
	return 0;
}

static int
parse_ethertype(struct cur *c, uint16_t type, struct frame *f, char *err,
    size_t errlen)
{
	switch (type) {
	case ETH_P_IPV6:
		return parse_ipv6(c, f, err, errlen);
	case ETH_P_IPV4:
		return parse_ipv4(c, f, err, errlen);
	default:
		return 0;
	}
}

static int
parse_ether(struct cur *c, struct frame *f, char *err, size_t errlen)
{
	uint16_t type;

	cur_skip(c, 12);
	cur_u16(c, &type);
	while (type == ETH_P_VLAN || type == ETH_P_QINQ) {
		cur_skip(c, 2);
		cur_u16(c, &type);
	}
	if (c->err)
		return bad(err, errlen, "Ethernet header truncated");
	return parse_ethertype(c, type, f, err, errlen);
}

int
frame_dlt_ok(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	default:
		return 0;
	}
}

int
frame_parse(int dlt, const uint8_t *p, size_t len, struct frame *f,
    char *err, size_t errlen)
{
	struct cur c;
	uint16_t type;

	memset(f, 0, sizeof(*f));
	cur_init(&c, p, len);
	switch (dlt) {
	case DLT_EN10MB:
		return parse_ether(&c, f, err, errlen);
	case DLT_LINUX_SLL:		/* protocol at offset 14 of 16 */
		cur_skip(&c, 14);
		cur_u16(&c, &type);
		break;
	case DLT_LINUX_SLL2:		/* protocol at offset 0 of 20 */
		cur_u16(&c, &type);
		cur_skip(&c, 18);
		break;
	case DLT_NULL:			/* 4-octet family, any byte order */
	case DLT_LOOP:
		if (!cur_skip(&c, 4))
			return bad(err, errlen, "loopback header truncated");
		return parse_ip(&c, f, err, errlen);
	default:			/* DLT_RAW, DLT_IPV4, DLT_IPV6 */
		return parse_ip(&c, f, err, errlen);
	}
	if (c.err)
		return bad(err, errlen, "Linux cooked header truncated");
	return parse_ethertype(&c, type, f, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

/* RFC 1071 sum of big-endian 16-bit words. */
static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP checksum over the pseudo-header (RFC 8200 8.1 / RFC 768). */
static uint16_t
udp_sum(const struct pkt_meta *meta, const uint8_t *udp, size_t len)
{
	size_t alen = meta->src.af == AF_INET6 ? 16 : 4;
	uint32_t sum = 0;
	uint16_t r;

	sum = sum16(sum, meta->src.a, alen);
	sum = sum16(sum, meta->dst.a, alen);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum += IPPROTO_UDP_;
	sum = sum16(sum, udp, len);
	r = fold(sum);
	return r == 0 ? 0xffff : r;	/* 0 means "no checksum" */
}

static void
put_ipv6(struct wbuf *w, const struct pkt_meta *meta, uint8_t nh, size_t plen)
{
	wb_u32(w, 6u << 28);
	wb_u16(w, (uint16_t)plen);
	wb_u8(w, nh);
	wb_u8(w, HOP_LIMIT);
	wb_bytes(w, meta->src.a, 16);
	wb_bytes(w, meta->dst.a, 16);
}

static void
put_ipv4(struct wbuf *w, const struct pkt_meta *meta, size_t total)
{
	size_t start = w->len;

	wb_u8(w, 0x45);
	wb_u8(w, 0);
	wb_u16(w, (uint16_t)total);
	wb_u16(w, 0);			/* identification */
	wb_u16(w, 0x4000);		/* DF */
	wb_u8(w, HOP_LIMIT);
	wb_u8(w, IPPROTO_UDP_);
	wb_u16(w, 0);			/* checksum, below */
	wb_bytes(w, meta->src.a, 4);
	wb_bytes(w, meta->dst.a, 4);
	if (wb_ok(w))
		wb_set_u16(w, start + 10, fold(sum16(0, w->p + start,
		    IP4_HDR_LEN)));
}

static void
put_udp(struct wbuf *w, const struct pkt_meta *meta, const uint8_t *mh,
    size_t len)
{
	size_t start = w->len;

	wb_u16(w, MH_UDP_PORT);
	wb_u16(w, MH_UDP_PORT);
	wb_u16(w, (uint16_t)(UDP_HDR_LEN + len));
	wb_u16(w, 0);
	wb_bytes(w, mh, len);
	if (wb_ok(w))
		wb_set_u16(w, start + 6, udp_sum(meta, w->p + start,
		    UDP_HDR_LEN + len));
}

int
frame_build(const struct pkt_meta *meta, const uint8_t *mh, size_t len,
    uint8_t *out, size_t cap, size_t *outlen)
{
	struct wbuf w;
	int af = meta->src.af;

	*outlen = 0;
	if (af != meta->dst.af || (af != AF_INET6 && af != AF_INET) ||
	    (af == AF_INET && meta->transport != PKT_T_UDP) ||
	    len > MH_MAX_LEN)
		return -1;
	wb_init(&w, out, cap);
	if (meta->transport != PKT_T_UDP) {
		put_ipv6(&w, meta, MH_IPPROTO, len);
		wb_bytes(&w, mh, len);
	} else if (af == AF_INET6) {
		put_ipv6(&w, meta, IPPROTO_UDP_, UDP_HDR_LEN + len);
		put_udp(&w, meta, mh, len);
	} else {
		put_ipv4(&w, meta, IP4_HDR_LEN + UDP_HDR_LEN + len);
		put_udp(&w, meta, mh, len);
	}
	if (!wb_ok(&w))
		return -1;
	*outlen = w.len;
	return 0;
}
