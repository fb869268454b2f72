/*
 * frame: find the Mobility Header in a captured frame, and build the
 * packet around one.  Sans-I/O, like the codec: bytes in, bytes out.
 */
#ifndef CATSCTL_FRAME_H
#define CATSCTL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "catsctl/pkt.h"

#define FRAME_HDR_MAX	48	/* IPv6 + UDP, the most frame_build adds */

struct frame {
	struct pkt_meta	 meta;		/* src, dst and transport */
	const uint8_t	*mh;		/* points into the frame */
	size_t		 mh_len;
	/* A frame without MH that carries TCP (not a fragment): its TCP
	 * header and payload, for the BGP decoder (tcp.h). */
	const uint8_t	*tcp;
	size_t		 tcp_len;
};

/*
 * Parse a frame of link type dlt (DLT_EN10MB, DLT_RAW, DLT_IPV4, DLT_IPV6,
 * DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP).  Returns 1 with the
 * MH in f, 0 for a frame that carries no MH (with f->tcp set when it
 * carries TCP), -1 with a reason in err.
 */
int	 frame_parse(int dlt, const uint8_t *p, size_t len, struct frame *f,
	    char *err, size_t errlen);

/* Is dlt a link type frame_parse reads? */
int	 frame_dlt_ok(int dlt);

/*
 * Build the IP packet around mh: IPv6 next header 135, or UDP port 5436
 * over IPv6 or IPv4 (meta->transport, address family of meta->src).
 * Returns 0, or -1 if it does not fit in cap or the addresses are wrong.
 */
int	 frame_build(const struct pkt_meta *meta, const uint8_t *mh,
	    size_t len, uint8_t *out, size_t cap, size_t *outlen);

#endif /* CATSCTL_FRAME_H */
