/*
 * tcp: the byte streams of TCP connections rebuilt from captured segments,
 * for decoding what runs over them (BGP, bgpdump.h).  Sans-I/O: segments
 * in, in-order octets out through the caller's ops.
 *
 * Per direction of a connection: the next expected sequence number (from
 * the SYN, or the first segment seen when the capture began mid-stream);
 * a retransmission is trimmed to what is new (RFC 9293 3.10.7.4: the part
 * at or after RCV.NXT), a segment from the future is held until the gap
 * before it fills.  Memory is bounded: TCP_MAX_DIRS directions, and per
 * direction TCP_MAX_HELD octets in at most TCP_MAX_SEGS held segments;
 * past that, or at the end of the capture, the gap is declared lost (the
 * 'gap' op) and delivery goes on after it.
 */
#ifndef CATSCTL_TCP_H
#define CATSCTL_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "catsctl/pkt.h"

#define TCP_MAX_DIRS	256
#define TCP_MAX_HELD	(256 * 1024)
#define TCP_MAX_SEGS	1024

#define TCP_F_FIN	0x01
#define TCP_F_SYN	0x02
#define TCP_F_RST	0x04

/* One segment, as tcp_parse read it; data points into the frame. */
struct tcp_seg {
	struct pkt_addr	 src, dst;
	uint16_t	 sport, dport;
	uint32_t	 seq;
	uint8_t		 flags;
	const uint8_t	*data;
	size_t		 len;
};

/* One direction of a connection; 'conn' is shared by both directions
 * (numbered from 1 in order of appearance), 'dir' 0 for the first seen. */
struct tcp_dir {
	struct pkt_addr	 src, dst;
	uint16_t	 sport, dport;
	unsigned	 conn;
	unsigned	 dir;
	size_t		 index;		/* 0..TCP_MAX_DIRS-1, for the owner */
	uint64_t	 retransmitted;	/* octets seen twice */
	uint64_t	 lost;		/* octets never captured */
};

struct tcp_ops {
	/* In-order octets of d; 'packet' is the frame that completed them. */
	void	(*data)(void *ctx, const struct tcp_dir *d, const uint8_t *p,
		    size_t n, unsigned long packet);
	/* 'missing' octets from sequence number 'seq' will never come. */
	void	(*gap)(void *ctx, const struct tcp_dir *d, uint32_t seq,
		    uint32_t missing, unsigned long packet);
	/* A segment that could not be taken (table full). */
	void	(*error)(void *ctx, unsigned long packet, const char *why);
	/* A SYN of another initial sequence number on a direction already
	 * seen: a new connection on the same ports; what was held of the
	 * old one is dropped (counted in 'lost'). */
	void	(*restart)(void *ctx, const struct tcp_dir *d,
		    unsigned long packet);
};

struct tcp_reasm;

/* The TCP header at p (a frame's f->tcp): 0, or -1 with a reason. */
int	 tcp_parse(const uint8_t *p, size_t len, struct tcp_seg *s, char *err,
	    size_t errlen);
struct tcp_reasm *tcp_new(const struct tcp_ops *ops, void *ctx);
void	 tcp_input(struct tcp_reasm *, const struct tcp_seg *,
	    unsigned long packet);
/* End of the capture: every held segment delivered, past its gaps. */
void	 tcp_finish(struct tcp_reasm *);
void	 tcp_free(struct tcp_reasm *);

#endif /* CATSCTL_TCP_H */
