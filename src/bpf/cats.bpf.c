/*
 * The eBPF data plane: SRv6 at tc clsact ingress, for kernels built without
 * seg6 lightweight tunnels (docs/dataplane.md, DESIGN.md 2.3).
 *
 * One program per kind of link (Ethernet, or the handover TUN with no link
 * header) attached at the ingress of every interface of a node.  For each
 * IPv6 packet it does what the kernel's seg6 routes of the same node would:
 *
 *   destination is one of our SIDs (sid6)   End.DT6, End.DX6 or End.DX4
 *   (client, CS-ID) is steered (steer6)     H.Encaps toward the chosen SID
 *   (client's prefix, CS-ID) (steer6_src)   the same, for the prefix
 *   destination has a route (route6)        H.Encaps (return path, the old
 *                                           ingress's forward, MUP steering)
 *   anything else                           untouched: the next tc
 *                                           filter, then the kernel
 *
 * The packets on the wire are those of seg6 (RFC 8986 4.4, 4.6, 4.7, 5.1):
 * an outer IPv6 header, an SRH with one segment and Segments Left 0, the
 * inner packet intact but for the hop limit a router takes.  An
 * encapsulated packet goes back to the kernel, which routes it by its outer
 * destination like any other (hop limit, neighbours, MTU: all the
 * kernel's); End.DX6/DX4 send to their next hop with bpf_redirect_neigh.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <stddef.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"

#define ETH_HLEN_	14
#define IP6_HLEN	40
#define SRH_HLEN	8			/* before the segments */
#define ENCAP_LEN	(IP6_HLEN + SRH_HLEN + 16)	/* one segment: 64 */
#define NH_ROUTING	43
#define NH_IPV6		41
#define NH_IPV4		4
#define SRH_TYPE	4			/* RFC 8754 2 */
/* Not ours: the next filter on the hook (another catsd's table, an
 * operator's) sees the packet, then the kernel. */
#define PASS		TC_ACT_UNSPEC
#define AF_INET_	2			/* bpf_redir_neigh.nh_family */
#define AF_INET6_	10

/* Not preallocated: a node that steers ten clients holds ten entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct cats_pair_key);
	__type(value, struct cats_encap);
	__uint(max_entries, CATS_BPF_MAX_STEER);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} steer6_exact SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct cats_addr_key);
	__type(value, struct cats_encap);
	__uint(max_entries, CATS_BPF_MAX_ROUTE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} route6_exact SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct cats_steer_key);
	__type(value, struct cats_encap);
	__uint(max_entries, CATS_BPF_MAX_PREFIX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} steer6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct cats_src_key);
	__type(value, struct cats_encap);
	__uint(max_entries, CATS_BPF_MAX_STEER);	/* one per client's prefix */
	__uint(map_flags, BPF_F_NO_PREALLOC);
} steer6_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct cats_route6_key);
	__type(value, struct cats_encap);
	__uint(max_entries, CATS_BPF_MAX_PREFIX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} route6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct cats_addr_key);
	__type(value, struct cats_sid);
	__uint(max_entries, CATS_BPF_MAX_SID);
} sid6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, CATS_DROP_MAX);
} drops SEC(".maps");

/* When we last carried a packet from (encapsulated) or to (End.DT6) an
 * address: the ingress's "transaction in progress" (mobility 3, the
 * continuity flag).  LRU: the oldest go first when it fills. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct cats_addr_key);
	__type(value, __u64);
	__uint(max_entries, CATS_BPF_MAX_ACTIVE);
} active6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct cats_cfg);
	__uint(max_entries, 1);
} cfg SEC(".maps");

/* The SRH of RFC 8754 2 with its one segment. */
struct srh1 {
	__u8	nexthdr;
	__u8	hdrlen;		/* 8-octet units after the first 8 */
	__u8	type;
	__u8	segments_left;
	__u8	last_entry;
	__u8	flags;
	__u16	tag;
	__u8	seg[16];
};

struct encap_hdr {
	struct ipv6hdr	ip;
	struct srh1	srh;
};

static __always_inline int
drop(__u32 why)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &why);

	if (n != NULL)
		*n += 1;
	return TC_ACT_SHOT;
}

static __always_inline void
count(__u64 *packets, __u64 *bytes, __u32 len)
{
	__sync_fetch_and_add(packets, 1);
	__sync_fetch_and_add(bytes, len);
}

static __always_inline void
touch(const struct cats_addr_key *k)
{
	__u64 now = bpf_ktime_get_ns(), *t;

	if ((t = bpf_map_lookup_elem(&active6, k)) == NULL) {
		bpf_map_update_elem(&active6, k, &now, BPF_ANY);
		return;
	}
	if (now - *t > CATS_ACTIVE_GRAIN_NS)
		*t = now;
}

static __always_inline bool
is_local_scope(const struct in6_addr *a)
{
	/* multicast (ff00::/8) or link-local (fe80::/10): neighbour
	 * discovery and the like stay with the kernel */
	return a->in6_u.u6_addr8[0] == 0xff ||
	    (a->in6_u.u6_addr8[0] == 0xfe &&
	    (a->in6_u.u6_addr8[1] & 0xc0) == 0x80);
}

/*
 * H.Encaps (RFC 8986 5.1) with one segment, as Linux seg6 writes it: the
 * outer header takes the inner's traffic class and flow label.  A router
 * forwards before it encapsulates, so the inner hop limit drops by one and
 * the outer starts from the inner's; the kernel then forwards the outer,
 * which takes one more.
 */
static __always_inline void
outer(struct encap_hdr *h, const struct ipv6hdr *in, __u32 inner_len,
    const struct cats_encap *e, const struct cats_cfg *c)
{
	__builtin_memcpy(&h->ip, in, 4);	/* version, class, label */
	h->ip.payload_len = bpf_htons((__u16)(inner_len + sizeof(h->srh)));
	h->ip.nexthdr = NH_ROUTING;
	h->ip.hop_limit = in->hop_limit;
	__builtin_memcpy(&h->ip.saddr, c->src, 16);
	__builtin_memcpy(&h->ip.daddr, e->seg, 16);
	h->srh.nexthdr = NH_IPV6;
	h->srh.hdrlen = 2;
	h->srh.type = SRH_TYPE;
	h->srh.segments_left = 0;
	h->srh.last_entry = 0;
	h->srh.flags = 0;
	h->srh.tag = 0;
	__builtin_memcpy(h->srh.seg, e->seg, 16);
}

/*
 * Encapsulate the IPv6 packet at 'off' (the link header's end, or past an
 * outer header being replaced) toward e.  'room' is what must be added
 * before it: ENCAP_LEN for a bare packet, 0 where an old outer header of
 * that size is overwritten.  A packet that may not be forwarded is left
 * to the kernel, which answers it (ICMPv6 Time Exceeded).
 */
static __always_inline int
encap_at(struct __sk_buff *skb, __u32 l2, __u32 off, __u32 room,
    struct cats_encap *e)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ipv6hdr *in = data + off;
	struct encap_hdr h;
	struct cats_cfg *c;
	struct cats_addr_key src;
	__u32 zero = 0, len = skb->len - off;
	__u8 hl;

	if ((void *)(in + 1) > end)
		return TC_ACT_OK;
	if ((hl = in->hop_limit) <= 1)
		return TC_ACT_OK;
	if ((c = bpf_map_lookup_elem(&cfg, &zero)) == NULL)
		return TC_ACT_OK;
	__builtin_memcpy(src.addr, &in->saddr, 16);
	outer(&h, in, len, e, c);
	hl--;
	if (bpf_skb_store_bytes(skb, off + offsetof(struct ipv6hdr, hop_limit),
	    &hl, 1, BPF_F_RECOMPUTE_CSUM) < 0)
		return drop(CATS_DROP_ROOM);
	/* ENCAP_L3_IPV6 lets GSO segment the result; FIXED_GSO keeps the
	 * segment size (DESIGN.md 2.3: without them merged packets drop) */
	if (room != 0 && bpf_skb_adjust_room(skb, (__s32)room,
	    BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 |
	    BPF_F_ADJ_ROOM_FIXED_GSO) < 0)
		return drop(CATS_DROP_ROOM);
	if (bpf_skb_store_bytes(skb, l2, &h, sizeof(h),
	    BPF_F_RECOMPUTE_CSUM) < 0)
		return drop(CATS_DROP_ROOM);
	count(&e->packets, &e->bytes, len);
	touch(&src);
	return TC_ACT_OK;
}

/* What the kernel's routing table would find for a packet that is not for
 * one of our SIDs, as IPv6 subtrees order it: the longest destination
 * first, then the longest source within it.  /128 destinations (hash
 * maps) before shorter prefixes (LPM), and at each, a route with the
 * client as source before one without.  NULL: none of ours. */
static __always_inline struct cats_encap *
lookup(struct __sk_buff *skb, __u32 off)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip = data + off;
	struct cats_steer_key sk;
	struct cats_src_key xk;
	struct cats_route6_key rk;
	struct cats_pair_key pk;
	struct cats_encap *e, *r;

	if ((void *)(ip + 1) > end)
		return NULL;
	if (is_local_scope(&ip->daddr) || is_local_scope(&ip->saddr))
		return NULL;
	__builtin_memcpy(pk.src, &ip->saddr, 16);
	__builtin_memcpy(pk.dst, &ip->daddr, 16);
	if ((e = bpf_map_lookup_elem(&steer6_exact, &pk)) != NULL)
		return e;
	/* the same /128 destination from a shorter source (a client's
	 * service prefix) before none */
	xk.prefixlen = 256;
	__builtin_memcpy(xk.dst, &ip->daddr, 16);
	__builtin_memcpy(xk.src, &ip->saddr, 16);
	if ((e = bpf_map_lookup_elem(&steer6_src, &xk)) != NULL)
		return e;
	if ((e = bpf_map_lookup_elem(&route6_exact, pk.dst)) != NULL)
		return e;
	sk.prefixlen = 256;
	__builtin_memcpy(sk.src, &ip->saddr, 16);
	__builtin_memcpy(sk.dst, &ip->daddr, 16);
	rk.prefixlen = 128;
	__builtin_memcpy(rk.dst, &ip->daddr, 16);
	e = bpf_map_lookup_elem(&steer6, &sk);
	r = bpf_map_lookup_elem(&route6, &rk);
	/* both match: the longer destination, the steer (with a source) at
	 * equal length */
	if (e != NULL && r != NULL)
		return r->dst_len > e->dst_len ? r : e;
	return e != NULL ? e : r;
}

static __always_inline int
route(struct __sk_buff *skb, __u32 l2)
{
	struct cats_encap *e = lookup(skb, l2);

	return e != NULL ? encap_at(skb, l2, l2, ENCAP_LEN, e) : PASS;
}

/* The SRH of a packet for one of our End.D* SIDs: there may be none
 * (plain IPv6-in-IPv6, which the kernel's seg6local takes too); if there
 * is one it must be whole, of type 4, with Segments Left 0 (RFC 8986 4.4:
 * an End.DX6 with segments left is an error).  Returns the length of all
 * that goes, outer header and SRH, or 0 with the packet counted and
 * dropped in '*verdict'. */
static __always_inline __u32
outer_len(struct __sk_buff *skb, __u32 l2, __u8 inner, int *verdict)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip = data + l2;
	struct srh1 *s;
	__u32 len;

	*verdict = TC_ACT_SHOT;
	if ((void *)(ip + 1) > end)
		return 0;
	if (ip->nexthdr == inner)
		return IP6_HLEN;
	if (ip->nexthdr != NH_ROUTING) {
		*verdict = drop(CATS_DROP_INNER);
		return 0;
	}
	s = (void *)(ip + 1);
	if ((void *)s + SRH_HLEN > end || s->type != SRH_TYPE) {
		*verdict = drop(CATS_DROP_SRH);
		return 0;
	}
	len = IP6_HLEN + SRH_HLEN + (__u32)s->hdrlen * 8;
	if (data + l2 + len > end || s->hdrlen < 2 || (s->hdrlen & 1)) {
		*verdict = drop(CATS_DROP_SRH);
		return 0;
	}
	if (s->segments_left != 0) {
		*verdict = drop(CATS_DROP_SL);
		return 0;
	}
	if (s->nexthdr != inner) {
		*verdict = drop(CATS_DROP_INNER);
		return 0;
	}
	return len;
}

static __always_inline int
decap(struct __sk_buff *skb, __u32 len, __u64 flag)
{
	if (bpf_skb_adjust_room(skb, -(__s32)len, BPF_ADJ_ROOM_MAC,
	    flag | BPF_F_ADJ_ROOM_FIXED_GSO) < 0)
		return drop(CATS_DROP_ROOM);
	return 0;
}

/* The inner IPv6 packet leaves through 'oif' toward nh6 (End.DX6): a
 * forwarding step, so the hop limit drops. */
static __always_inline int
send6(struct __sk_buff *skb, __u32 l2, struct cats_sid *s)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip = data + l2;
	struct bpf_redir_neigh nh = { .nh_family = AF_INET6_ };

	if ((void *)(ip + 1) > end)
		return drop(CATS_DROP_INNER);
	if (ip->hop_limit <= 1)
		return drop(CATS_DROP_HOPLIMIT);
	ip->hop_limit--;
	__builtin_memcpy(nh.ipv6_nh, s->nh6, 16);
	if (bpf_redirect_neigh(s->oif, &nh, sizeof(nh), 0) != TC_ACT_REDIRECT)
		return drop(CATS_DROP_REDIRECT);
	return TC_ACT_REDIRECT;
}

/* End.DX4: the same for an IPv4 inner packet, TTL and header checksum
 * (RFC 1624) done by hand, as the redirect bypasses ip_forward. */
static __always_inline int
send4(struct __sk_buff *skb, __u32 l2, struct cats_sid *s)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + l2;
	struct bpf_redir_neigh nh = { .nh_family = AF_INET_ };
	__be16 proto = bpf_htons(ETH_P_IP);
	__u16 old, new;

	if ((void *)(ip + 1) > end)
		return drop(CATS_DROP_INNER);
	if (ip->ttl <= 1)
		return drop(CATS_DROP_HOPLIMIT);
	old = *(__u16 *)&ip->ttl;
	ip->ttl--;
	new = *(__u16 *)&ip->ttl;
	if (bpf_l3_csum_replace(skb, l2 + offsetof(struct iphdr, check), old,
	    new, 2) < 0)
		return drop(CATS_DROP_INNER);
	if (l2 == ETH_HLEN_ && bpf_skb_store_bytes(skb, 12, &proto, 2, 0) < 0)
		return drop(CATS_DROP_ROOM);
	__builtin_memcpy(&nh.ipv4_nh, s->nh4, 4);
	if (bpf_redirect_neigh(s->oif, &nh, sizeof(nh), 0) != TC_ACT_REDIRECT)
		return drop(CATS_DROP_REDIRECT);
	return TC_ACT_REDIRECT;
}

/* End.DT6 (RFC 8986 4.6), End.DX6 (4.4), End.DX4 (4.5). */
static __always_inline int
end_d(struct __sk_buff *skb, __u32 l2, struct cats_sid *s)
{
	__u8 inner = s->action == CATS_END_DX4 ? NH_IPV4 : NH_IPV6;
	__u64 flag = inner == NH_IPV4 ? BPF_F_ADJ_ROOM_DECAP_L3_IPV4 :
	    BPF_F_ADJ_ROOM_DECAP_L3_IPV6;
	__u32 len, plen = skb->len;
	int verdict;
	struct cats_addr_key dst;
	struct ipv6hdr *ip;

	struct cats_encap *e = NULL;

	if ((len = outer_len(skb, l2, inner, &verdict)) == 0)
		return verdict;
	count(&s->packets, &s->bytes, plen - l2);
	/* End.DT6 at an ingress: the inner packet is for a client */
	if (s->action == CATS_END_DT6) {
		ip = (void *)(long)skb->data + l2 + len;
		if ((void *)(ip + 1) > (void *)(long)skb->data_end)
			return drop(CATS_DROP_INNER);
		__builtin_memcpy(dst.addr, &ip->daddr, 16);
		touch(&dst);
	}
	/* End.DT6 whose inner packet we route on (the old ingress's forward
	 * during a handover): a new outer header over the old one, in place.
	 * Decapsulating and encapsulating again would fail: the skb still
	 * says it is encapsulated (EALREADY).  The inner packet is looked up
	 * once, here; the entry is map memory and outlives the decap. */
	if (s->action == CATS_END_DT6 &&
	    (e = lookup(skb, l2 + len)) != NULL && len == ENCAP_LEN)
		return encap_at(skb, l2, l2 + ENCAP_LEN, 0, e);
	if (decap(skb, len, flag) != 0)
		return TC_ACT_SHOT;
	switch (s->action) {
	case CATS_END_DX6:
		return send6(skb, l2, s);
	case CATS_END_DX4:
		return send4(skb, l2, s);
	default:
		/* End.DT6: the inner packet is routed as the kernel's
		 * lookup would, our steering included */
		return e != NULL ? encap_at(skb, l2, l2, ENCAP_LEN, e) : PASS;
	}
}

static __always_inline int
ingress(struct __sk_buff *skb, __u32 l2)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip = data + l2;
	struct cats_addr_key k;
	struct cats_sid *s;

	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return PASS;
	if ((void *)(ip + 1) > end)
		return PASS;
	__builtin_memcpy(k.addr, &ip->daddr, 16);
	if ((s = bpf_map_lookup_elem(&sid6, &k)) != NULL)
		return end_d(skb, l2, s);
	return route(skb, l2);
}

SEC("tc")
int
cats_eth(struct __sk_buff *skb)
{
	return ingress(skb, ETH_HLEN_);
}

/* The handover TUN (IFF_TUN, no link header): released packets meet the
 * old ingress's forward here, as they meet its route with seg6. */
SEC("tc")
int
cats_l3(struct __sk_buff *skb)
{
	return ingress(skb, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
