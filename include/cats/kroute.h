/*
 * kroute: the kernel routes of the CATS data plane, through rtnetlink.
 *
 * Named after OpenBGPD's kroute.c: the one place that talks to the kernel's
 * routing table.  It installs, replaces and deletes the few kinds of route
 * CATS needs (SRv6 H.Encaps toward an egress or another ingress, possibly
 * source-specific; seg6local End.DX6/End.DX4/End.DT6 decapsulation), all
 * under the project's own routing protocol id, and dumps them back so a
 * restarted daemon can reconcile with what it left behind.
 *
 * Message building and dump parsing are pure functions on buffers
 * (kr_build, kr_parse_dump), so the unit tests and the fuzzer exercise them
 * without a kernel; struct kr is the socket that sends them.
 */
#ifndef CATS_KROUTE_H
#define CATS_KROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Our routes carry rtm_protocol RTPROT_CATS, so a dump finds exactly them
 * and "ip route show proto 252" lists them.  The kernel does not interpret
 * values above RTPROT_STATIC (linux/rtnetlink.h); 252 is assigned neither
 * there nor in iproute2's rt_protos (the highest used is 192, EIGRP), and it
 * sits apart from the 186..196 block routing suites take (FRR).  It is
 * 8 bits, so a config may override it where 252 is already in use.
 */
#define RTPROT_CATS		252

#define KR_MAX_SEGS		8	/* SRv6 segments per encapsulation */
#define KR_BUF_SIZE		8192	/* one request; far above what we build */
#define KR_ERR_MAX		256

enum kr_op {
	KR_ADD,			/* NLM_F_CREATE|NLM_F_EXCL: fails if it exists */
	KR_REPLACE,		/* NLM_F_CREATE|NLM_F_REPLACE: add or overwrite */
	KR_DELETE,
};

enum kr_encap {
	KR_ENCAP_NONE,		/* a plain route (dev, gateway) */
	KR_ENCAP_SEG6,		/* SRv6 H.Encaps: lwtunnel SEG6 */
	KR_ENCAP_SEG6LOCAL,	/* SRv6 endpoint behaviour: lwtunnel SEG6_LOCAL */
};

/*
 * One route.  Addresses are in network order, 4 (AF_INET) or 16 octets
 * used.  Segments are in travel order: segs[0] is the first SID the packet
 * visits (the kernel's SRH keeps them reversed; kroute converts).
 */
struct kr_route {
	uint8_t		 family;	/* AF_INET6 or AF_INET */
	uint8_t		 protocol;	/* set by a dump; kr_build uses its own */
	uint32_t	 table;		/* 0 means main (254) */
	uint32_t	 metric;	/* RTA_PRIORITY; 0: kernel default */
	uint8_t		 dst[16];
	uint8_t		 dst_len;
	uint8_t		 src[16];	/* source-specific (IPv6 only) */
	uint8_t		 src_len;	/* 0: any source */
	uint32_t	 oif;		/* output interface index */
	bool		 has_gw;
	uint8_t		 gw[16];	/* same family as the route */

	enum kr_encap	 encap;
	/* KR_ENCAP_SEG6 */
	uint32_t	 seg6_mode;	/* SEG6_IPTUN_MODE_ENCAP (1) */
	uint8_t		 nsegs;
	uint8_t		 segs[KR_MAX_SEGS][16];
	/* KR_ENCAP_SEG6LOCAL */
	uint32_t	 action;	/* SEG6_LOCAL_ACTION_END_DX6, ... */
	bool		 has_nh6, has_nh4;
	uint8_t		 nh6[16];	/* End.X, End.DX6 */
	uint8_t		 nh4[4];	/* End.DX4 */
	uint32_t	 lookup_table;	/* End.DT6: SEG6_LOCAL_TABLE */
};

/* What a dump saw besides the routes it handed on. */
struct kr_dump_stats {
	uint64_t	 routes;	/* handed to the callback */
	uint64_t	 other_proto;	/* another protocol or family: ignored */
	uint64_t	 other_table;
	uint64_t	 unsupported;	/* ours, but a shape kroute does not build */
	uint64_t	 malformed;	/* bad lengths or attributes: skipped */
	uint64_t	 unexpected;	/* a message type a route dump has no business sending */
	bool		 interrupted;	/* NLM_F_DUMP_INTR: the table changed meanwhile */
};

/* Which routes a dump hands on: family AF_UNSPEC for both, table 0 for any. */
struct kr_filter {
	uint8_t		 family;
	uint8_t		 protocol;	/* 0: any */
	uint32_t	 table;
};

typedef void	(*kr_route_cb)(const struct kr_route *, void *arg);

/* Route constructors, one per kind the data plane installs.  'table' 0 is
 * main.  They only fill 'r'; kr_change installs it. */
void	kr_route_encap6(struct kr_route *r, uint32_t table,
	    const uint8_t dst[16], uint8_t dst_len,
	    const uint8_t *src, uint8_t src_len,
	    const uint8_t (*segs)[16], uint8_t nsegs, uint32_t oif,
	    const uint8_t *gw6);
void	kr_route_encap4(struct kr_route *r, uint32_t table,
	    const uint8_t dst[4], uint8_t dst_len,
	    const uint8_t (*segs)[16], uint8_t nsegs, uint32_t oif,
	    const uint8_t *gw4);
void	kr_route_dx6(struct kr_route *r, uint32_t table, const uint8_t sid[16],
	    const uint8_t nh6[16], uint32_t oif);
void	kr_route_dx4(struct kr_route *r, uint32_t table, const uint8_t sid[16],
	    const uint8_t nh4[4], uint32_t oif);
void	kr_route_dt6(struct kr_route *r, uint32_t table, const uint8_t sid[16],
	    uint32_t lookup_table, uint32_t oif);

/* The kernel's key of a route: what KR_DELETE matches and what makes two
 * routes "the same" for KR_REPLACE (family, table, dst, src, metric). */
bool	kr_route_same_key(const struct kr_route *, const struct kr_route *);
/* Same key and same forwarding (oif, gateway, encapsulation). */
bool	kr_route_equal(const struct kr_route *, const struct kr_route *);
/* "2001:db8::1/128 from 2001:db8:a::10/128 encap seg6 ... table 254"; the
 * words of ip-route(8), for logs and the test tool.  Returns 'buf'. */
char	*kr_route_fmt(const struct kr_route *, char *buf, size_t len);

/* Whether kr_build accepts 'r' for 'op': consistent fields, and nothing
 * the kernel would install wrongly (an IPv4 source prefix, which this
 * kernel ignores instead of refusing). */
bool	kr_route_valid(const struct kr_route *, enum kr_op);
/* Build one RTM_NEWROUTE/RTM_DELROUTE request with NLM_F_ACK into 'buf'.
 * Returns its length, or 0 (errno EINVAL: the route is inconsistent,
 * EMSGSIZE: 'cap' too small). */
size_t	kr_build(void *buf, size_t cap, const struct kr_route *, enum kr_op,
	    uint8_t protocol, uint32_t seq);
/* Build the RTM_GETROUTE dump request for 'f' (the filter is also applied
 * by the kernel under NETLINK_GET_STRICT_CHK).  Returns its length or 0. */
size_t	kr_build_dump(void *buf, size_t cap, const struct kr_filter *,
	    uint32_t seq);

/* Parse one RTM_NEWROUTE message of 'len' octets.  0 on success;
 * KR_MALFORMED (bad lengths, attributes that fail validation) or
 * KR_UNSUPPORTED (well formed, but not a shape kroute builds: multipath,
 * another encapsulation...), with 'why' set to a static sentence. */
#define KR_MALFORMED		(-1)
#define KR_UNSUPPORTED		(-2)
int	kr_parse_route(const void *nlh, size_t len, struct kr_route *,
	    const char **why);
/*
 * Parse a buffer of dump replies, as read from the socket.  Routes that
 * match 'f' go to 'cb'; everything else is counted in 'st' and skipped.
 * Returns 1 while more is to come, 0 at NLMSG_DONE, -1 on an error reply or
 * a broken stream (errno set).  'seq' and 'portid' 0 accept any.  'buf' is
 * 4-aligned (NLMSG_ALIGNTO), as a socket read into an aligned buffer is.
 */
int	kr_parse_dump(const void *buf, size_t len, uint32_t seq,
	    uint32_t portid, const struct kr_filter *, kr_route_cb cb,
	    void *arg, struct kr_dump_stats *st);

/* The rtnetlink socket.  Calls return 0, or -1 with errno the kernel's
 * (or a local one) and kr_strerror() a sentence naming the route. */
struct kr;

struct kr	*kr_open(uint8_t protocol, char *err, size_t errlen);
void		 kr_close(struct kr *);
int		 kr_change(struct kr *, const struct kr_route *, enum kr_op);
/* The callback must not call kr_change on this handle: the dump is still
 * being read.  Collect, then act (kr_flush_proto does). */
int		 kr_dump(struct kr *, const struct kr_filter *, kr_route_cb,
		    void *arg, struct kr_dump_stats *);
/* Delete every route of our protocol in 'table' (0: every table) of
 * 'family' (AF_UNSPEC: both); '*deleted' counts them. */
int		 kr_flush_proto(struct kr *, uint8_t family, uint32_t table,
		    size_t *deleted);
const char	*kr_strerror(const struct kr *);
/* Whether the kernel takes seg6/seg6local routes: 1 or 0, 'why' the
 * kernel's word (a probe route added and deleted in 100::/64). */
int		 kr_probe_seg6(struct kr *, char *why, size_t len);
uint8_t		 kr_protocol(const struct kr *);

#endif /* CATS_KROUTE_H */
