/*
 * ra: Router Advertisement builder and Router Solicitation / Router
 * Advertisement parsers (RFC 4861 4.1, 4.2, 4.6; RFC 4191 2.2, 2.3),
 * sans-I/O.
 *
 * An ingress conveys a client's allocated prefix to the terminal with an
 * RA (anchoring section 3 step 8): a Prefix Information option for the
 * prefix and a Route Information option (RFC 4191) for the service's
 * CS-ID address, so that an unmodified host routes the service through
 * the ingress.  docs/ra.md says what is sent when.
 *
 * The ICMPv6 checksum field is written as zero and never verified here:
 * on a raw ICMPv6 socket the kernel computes it on send and verifies it
 * on receive (RFC 3542 3.1: IPV6_CHECKSUM is always on for ICMPv6), and
 * it needs the pseudo-header, which the socket owns.
 */
#ifndef CATS_RA_H
#define CATS_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RA_TYPE_RS		133
#define RA_TYPE_RA		134
#define RA_HOP_LIMIT		255	/* RFC 4861 6.1.1, 6.1.2 */
#define RA_MAX_PREFIXES		8
#define RA_MAX_ROUTES		8
#define RA_LLADDR_MAX		14	/* an option of two 8-octet units */
#define RA_MAX_LEN		1280	/* the IPv6 minimum MTU bounds one RA */

/* RFC 4861 10, router constants: the first few RAs come sooner. */
#define RA_MAX_INITIAL_ADVERTS	3	/* MAX_INITIAL_RTR_ADVERTISEMENTS */
#define RA_MAX_INITIAL_INTERVAL_MS 16000 /* MAX_INITIAL_RTR_ADVERT_INTERVAL */

/* Route preference, as on the wire (RFC 4191 2.1). */
enum ra_pref {
	RA_PREF_MEDIUM		= 0,
	RA_PREF_HIGH		= 1,
	RA_PREF_RESERVED	= 2,	/* RFC 4191 2.3: such an RIO is ignored */
	RA_PREF_LOW		= 3,
};

enum ra_err {
	RA_OK,
	RA_E_SHORT,		/* shorter than the message's fixed part */
	RA_E_HOPLIMIT,		/* IPv6 hop limit is not 255 */
	RA_E_TYPE,		/* ICMPv6 type is not the one expected */
	RA_E_CODE,		/* ICMPv6 code is not 0 */
	RA_E_OPT_TRUNC,		/* an option runs past the end */
	RA_E_OPT_ZERO,		/* an option of length 0 */
	RA_E_OPT_LEN,		/* option length wrong for its type */
	RA_E_OPT_VALUE,		/* an invalid option field (prefix length) */
	RA_E_SLLA_UNSPEC,	/* source link-layer option from :: */
	RA_E_TOO_MANY,		/* more prefixes or routes than we keep */
	RA_E_NOSPACE,		/* encode: output buffer too small */
	RA_E__COUNT
};

/* Prefix Information option (RFC 4861 4.6.2). */
struct ra_prefix {
	uint8_t		 addr[16];
	uint8_t		 len;
	bool		 onlink;	/* L */
	bool		 autonomous;	/* A: SLAAC (RFC 4862 5.5.3) */
	uint32_t	 valid_s;	/* 0xffffffff: infinity */
	uint32_t	 preferred_s;
};

/* Route Information option (RFC 4191 2.3). */
struct ra_route {
	uint8_t		 addr[16];
	uint8_t		 len;
	enum ra_pref	 pref;
	uint32_t	 lifetime_s;	/* 0: withdraw the route */
};

/* A Router Advertisement (RFC 4861 4.2), the options we know. */
struct ra_msg {
	uint8_t		 cur_hop_limit;	/* 0: unspecified */
	bool		 managed;	/* M */
	bool		 other;		/* O */
	enum ra_pref	 router_pref;	/* RFC 4191 2.2 Prf */
	uint16_t	 router_lifetime_s;	/* 0: not a default router */
	uint32_t	 reachable_ms;
	uint32_t	 retrans_ms;
	uint8_t		 lladdr[RA_LLADDR_MAX];	/* source link-layer address */
	uint8_t		 lladdr_len;	/* 0: no option */
	uint32_t	 mtu;		/* 0: no option */
	struct ra_prefix prefixes[RA_MAX_PREFIXES];
	size_t		 nprefixes;
	struct ra_route	 routes[RA_MAX_ROUTES];
	size_t		 nroutes;
};

/* A Router Solicitation (RFC 4861 4.1). */
struct ra_rs {
	uint8_t		 lladdr[RA_LLADDR_MAX];
	uint8_t		 lladdr_len;	/* 0: no source link-layer option */
};

/* Encode m as an ICMPv6 RA (checksum 0: the kernel's).  RA_OK and *len,
 * RA_E_NOSPACE, or RA_E_OPT_VALUE / RA_E_TOO_MANY for a message that must
 * not be sent. */
enum ra_err	 ra_encode(const struct ra_msg *m, uint8_t *buf, size_t cap,
		    size_t *len);
/*
 * Decode an RS with the RFC 4861 6.1.1 validity checks the kernel leaves
 * to us: hop_limit is the packet's IPv6 hop limit (IPV6_RECVHOPLIMIT),
 * src_unspec whether its source was ::.  On error *off (when not NULL) is
 * the offset of the offending octet.
 */
enum ra_err	 ra_decode_rs(const uint8_t *buf, size_t len, uint8_t hop_limit,
		    bool src_unspec, struct ra_rs *rs, size_t *off);
/* Decode an RA (RFC 4861 6.1.2), for tests and tools. */
enum ra_err	 ra_decode_ra(const uint8_t *buf, size_t len, uint8_t hop_limit,
		    struct ra_msg *m, size_t *off);
/*
 * When the next unsolicited RA goes, in ms after the last one, when 'sent'
 * have gone since advertising began (RFC 4861 6.2.4): uniformly between
 * MinRtrAdvInterval and MaxRtrAdvInterval (max_s) as u goes from 0 to 1,
 * MinRtrAdvInterval at its default (6.2.1: 0.33 max_s, or max_s itself
 * under 9 s); while sent is below RA_MAX_INITIAL_ADVERTS, at most
 * RA_MAX_INITIAL_INTERVAL_MS.  u outside [0, 1] is taken as its bound.
 */
uint32_t	 ra_next_delay_ms(uint32_t max_s, unsigned sent, double u);
const char	*ra_strerror(enum ra_err);
/* "low", "medium", "high"; NULL for the reserved value. */
const char	*ra_pref_name(enum ra_pref);
bool		 ra_msg_equal(const struct ra_msg *, const struct ra_msg *);

#endif /* CATS_RA_H */
