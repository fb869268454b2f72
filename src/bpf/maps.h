/*
 * The maps of the eBPF data plane, shared by the tc programs (cats.bpf.c)
 * and the backend that fills them (src/io/bpfdp.c).  Each map holds one
 * kind of kernel route of docs/dataplane.md, keyed as the kernel keys it;
 * the value carries what the route would (segment, next hop, interface)
 * plus its own counters.
 *
 * Only fixed-size types from linux/types.h: both sides compile this.
 */
#ifndef CATS_BPF_MAPS_H
#define CATS_BPF_MAPS_H

#include <linux/types.h>

/* How many routes of each kind a node holds at most.  Routes to a /128
 * (every CS-ID address and client catsd steers) go to hash maps: an
 * update there costs a fraction of an LPM trie's, whose walk and node
 * allocation grow with the trie.  Other prefixes go to LPM tries. */
#define CATS_BPF_MAX_STEER	(1u << 20)	/* (client, CS-ID) pairs */
#define CATS_BPF_MAX_ROUTE	(1u << 20)	/* return, forward, MUP steer */
#define CATS_BPF_MAX_PREFIX	(1u << 16)	/* the same, to shorter prefixes */
#define CATS_BPF_MAX_SID	4096		/* End.* behaviours */
#define CATS_BPF_MAX_ACTIVE	(1u << 16)	/* addresses with recent traffic */
/* active6 is written at most this often per address (bpf_ktime ns): the
 * age it gives is that coarse, and a busy flow costs a lookup, not a
 * write, per packet */
#define CATS_ACTIVE_GRAIN_NS	(10u * 1000 * 1000)

/* Upstream since 6.3; Debian's 6.1 uapi lacks them (DESIGN.md 2.3). */
#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV4
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV4	(1ULL << 7)
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV6	(1ULL << 8)
#endif

/* steer6_exact: "DST/128 from CLIENT/128 encap seg6". */
struct cats_pair_key {
	__u8	src[16];
	__u8	dst[16];
};

/* route6_exact: "DST/128 encap seg6".  sid6: "SID/128 encap seg6local". */
struct cats_addr_key {
	__u8	addr[16];
};

/* steer6: "DST/len from CLIENT/128 encap seg6": an LPM key whose first
 * 128 bits are the client (always whole) and the rest the destination
 * prefix, so prefixlen = 128 + dst_len. */
struct cats_steer_key {
	__u32	prefixlen;
	__u8	src[16];
	__u8	dst[16];
};

/* steer6_src: "DST/128 from SRC/len encap seg6" (0 < len < 128): the
 * steering of a client's service prefix to a CS-ID (anchoring 3 step 7).
 * An LPM key whose first 128 bits are the destination (always whole) and
 * the rest the source prefix, so prefixlen = 128 + src_len: the longest
 * source within the destination, as IPv6 subtrees choose. */
struct cats_src_key {
	__u32	prefixlen;
	__u8	dst[16];
	__u8	src[16];
};

/* route6: "DST/len encap seg6" (the client's /128 at an egress or an old
 * ingress; a MUP session's endpoint). */
struct cats_route6_key {
	__u32	prefixlen;
	__u8	dst[16];
};


/* What an H.Encaps route does, and what it has done.  The counters are
 * shared by every CPU (atomic adds): per route, so per client. */
struct cats_encap {
	__u8	seg[16];	/* the one segment: outer destination */
	__u32	oif;		/* as the route said; the outer is routed */
	__u32	table;		/* as the route said (dump) */
	__u32	metric;
	__u32	dst_len;	/* the LPM maps' longest-destination rule */
	__u64	packets;
	__u64	bytes;
};

/* What a SID does. */
enum cats_sid_action {
	CATS_END_DT6 = 1,	/* decapsulate, route the inner packet */
	CATS_END_DX6,		/* decapsulate, send to nh6 on oif */
	CATS_END_DX4,		/* decapsulate, send to nh4 on oif */
};

struct cats_sid {
	__u32	action;		/* enum cats_sid_action */
	__u32	oif;
	__u32	table;		/* of the route (dump) */
	__u32	lookup_table;	/* End.DT6: as the route said; main is used */
	__u32	metric;
	__u8	nh6[16];
	__u8	nh4[4];
	__u64	packets;
	__u64	bytes;
};

/* What every node's programs drop, by reason (a per-CPU array). */
enum cats_drop {
	CATS_DROP_SRH,		/* no SRH, another type, or truncated */
	CATS_DROP_SL,		/* Segments Left above 0 at an End.D* SID */
	CATS_DROP_INNER,	/* the inner packet is not what the SID takes */
	CATS_DROP_HOPLIMIT,	/* hop limit or TTL would reach 0 */
	CATS_DROP_ROOM,		/* bpf_skb_adjust_room refused */
	CATS_DROP_REDIRECT,	/* bpf_redirect_neigh refused its arguments;
				 * a missing neighbour or device shows only
				 * after the program, as the kernel's drop */
	CATS_DROP_MAX
};

/* The program's settings (an array of one). */
struct cats_cfg {
	__u8	src[16];	/* outer source of what we encapsulate */
};

#endif /* CATS_BPF_MAPS_H */
