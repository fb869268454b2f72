/*
 * tcp: TCP stream reassembly from captured segments (tcp.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/buf.h"
#include "catsctl/tcp.h"

#define TCP_HDR_MIN	20

/* A segment that came before its turn, kept (copied) until it is due. */
struct held {
	struct held	*next;
	uint32_t	 seq;
	size_t		 len;
	uint8_t		 data[];
};

struct dirstate {
	struct tcp_dir	 pub;
	bool		 used;
	bool		 started;
	bool		 has_syn;
	uint32_t	 syn_seq;	/* the sequence number after it */
	uint32_t	 next;		/* RCV.NXT */
	struct held	*held;		/* sorted by seq */
	size_t		 nheld, held_octets;
};

struct tcp_reasm {
	const struct tcp_ops *ops;
	void		*ctx;
	unsigned	 conns;
	struct dirstate	 d[TCP_MAX_DIRS];
};

/* Sequence numbers compare modulo 2^32 (RFC 9293 3.4). */
static int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

int
tcp_parse(const uint8_t *p, size_t len, struct tcp_seg *s, char *err,
    size_t errlen)
{
	struct cur c;
	uint32_t ack;
	uint8_t off, flags;
	size_t hlen;

	cur_init(&c, p, len);
	cur_u16(&c, &s->sport);
	cur_u16(&c, &s->dport);
	cur_u32(&c, &s->seq);
	cur_u32(&c, &ack);
	cur_u8(&c, &off);
	cur_u8(&c, &flags);
	if (c.err) {
		snprintf(err, errlen, "TCP header truncated");
		return -1;
	}
	/* RFC 9293 3.1: Data Offset in 32-bit words, at least 5. */
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < TCP_HDR_MIN || hlen > len) {
		snprintf(err, errlen, "TCP data offset %zu wrong (%zu octets)",
		    hlen, len);
		return -1;
	}
	s->flags = flags;
	s->data = p + hlen;
	s->len = len - hlen;
	return 0;
}

struct tcp_reasm *
tcp_new(const struct tcp_ops *ops, void *ctx)
{
	struct tcp_reasm *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->ops = ops;
	r->ctx = ctx;
	return r;
}

static bool
same_addr(const struct pkt_addr *a, const struct pkt_addr *b)
{
	return a->af == b->af && memcmp(a->a, b->a, 16) == 0;
}

static bool
dir_is(const struct tcp_dir *d, const struct tcp_seg *s)
{
	return d->sport == s->sport && d->dport == s->dport &&
	    same_addr(&d->src, &s->src) && same_addr(&d->dst, &s->dst);
}

/* The other direction of the connection s belongs to, if seen. */
static const struct dirstate *
reverse_of(const struct tcp_reasm *r, const struct tcp_seg *s)
{
	struct tcp_seg rev = *s;

	rev.src = s->dst;
	rev.dst = s->src;
	rev.sport = s->dport;
	rev.dport = s->sport;
	for (size_t i = 0; i < TCP_MAX_DIRS; i++)
		if (r->d[i].used && dir_is(&r->d[i].pub, &rev))
			return &r->d[i];
	return NULL;
}

static struct dirstate *
find_dir(struct tcp_reasm *r, const struct tcp_seg *s)
{
	const struct dirstate *rev;
	struct dirstate *free_slot = NULL;

	for (size_t i = 0; i < TCP_MAX_DIRS; i++) {
		if (r->d[i].used && dir_is(&r->d[i].pub, s))
			return &r->d[i];
		if (!r->d[i].used && free_slot == NULL)
			free_slot = &r->d[i];
	}
	if (free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->pub.src = s->src;
	free_slot->pub.dst = s->dst;
	free_slot->pub.sport = s->sport;
	free_slot->pub.dport = s->dport;
	free_slot->pub.index = (size_t)(free_slot - r->d);
	rev = reverse_of(r, s);
	free_slot->pub.conn = rev != NULL ? rev->pub.conn : ++r->conns;
	free_slot->pub.dir = rev != NULL ? 1 - rev->pub.dir : 0;
	return free_slot;
}

/* Octets at seq: what lies before RCV.NXT was delivered already. */
static void
deliver(struct tcp_reasm *r, struct dirstate *d, uint32_t seq,
    const uint8_t *p, size_t n, unsigned long packet)
{
	int32_t behind = seq_diff(d->next, seq);

	if (behind > 0) {
		size_t old = (size_t)behind < n ? (size_t)behind : n;

		d->pub.retransmitted += old;
		p += old;
		n -= old;
	}
	if (n == 0)
		return;
	d->next += (uint32_t)n;
	r->ops->data(r->ctx, &d->pub, p, n, packet);
}

/* Held segments that are due now, in order. */
static void
drain(struct tcp_reasm *r, struct dirstate *d, unsigned long packet)
{
	struct held *h;

	while ((h = d->held) != NULL && seq_diff(h->seq, d->next) <= 0) {
		d->held = h->next;
		d->nheld--;
		d->held_octets -= h->len;
		deliver(r, d, h->seq, h->data, h->len, packet);
		free(h);
	}
}

/* The octets before the first held segment will not come: say so, and go
 * on from there. */
static void
skip_gap(struct tcp_reasm *r, struct dirstate *d, unsigned long packet)
{
	uint32_t missing;

	if (d->held == NULL)
		return;
	if (seq_diff(d->held->seq, d->next) <= 0) {	/* nothing missing */
		drain(r, d, packet);
		return;
	}
	missing = d->held->seq - d->next;
	d->pub.lost += missing;
	r->ops->gap(r->ctx, &d->pub, d->next, missing, packet);
	d->next = d->held->seq;
	drain(r, d, packet);
}

/* RFC 9293 3.5: a new incarnation of the connection (the ports reused).
 * The old one's held octets will never be delivered. */
static void
restart(struct tcp_reasm *r, struct dirstate *d, uint32_t seq,
    unsigned long packet)
{
	struct held *h;

	while ((h = d->held) != NULL) {
		d->held = h->next;
		d->pub.lost += h->len;
		free(h);
	}
	d->nheld = d->held_octets = 0;
	d->next = seq;
	r->ops->restart(r->ctx, &d->pub, packet);
}

static bool
hold(struct dirstate *d, uint32_t seq, const uint8_t *p, size_t n)
{
	struct held *h, **at;

	if ((h = malloc(sizeof(*h) + n)) == NULL)
		return false;
	h->seq = seq;
	h->len = n;
	memcpy(h->data, p, n);
	for (at = &d->held; *at != NULL && seq_diff((*at)->seq, seq) <= 0;
	    at = &(*at)->next)
		;
	h->next = *at;
	*at = h;
	d->nheld++;
	d->held_octets += n;
	return true;
}

void
tcp_input(struct tcp_reasm *r, const struct tcp_seg *s, unsigned long packet)
{
	struct dirstate *d = find_dir(r, s);
	uint32_t seq = s->seq;

	if (d == NULL) {
		r->ops->error(r->ctx, packet, "too many TCP connections "
		    "in the capture");
		return;
	}
	if (s->flags & TCP_F_SYN)
		seq++;		/* the SYN takes one sequence number */
	/* Without the SYN (a capture begun mid-stream) the first segment
	 * seen starts the stream. */
	if (!d->started) {
		d->started = true;
		d->next = seq;
	} else if ((s->flags & TCP_F_SYN) && (!d->has_syn ||
	    seq != d->syn_seq)) {
		restart(r, d, seq, packet);
	}
	if (s->flags & TCP_F_SYN) {	/* a SYN again is a retransmission */
		d->has_syn = true;
		d->syn_seq = seq;
	}
	if (s->len == 0)
		return;
	if (seq_diff(seq, d->next) <= 0) {
		deliver(r, d, seq, s->data, s->len, packet);
		drain(r, d, packet);
		return;
	}
	while (d->held != NULL && (d->nheld >= TCP_MAX_SEGS ||
	    d->held_octets + s->len > TCP_MAX_HELD))
		skip_gap(r, d, packet);
	/* skipping may have passed this segment's start: it is due now */
	if (seq_diff(seq, d->next) <= 0) {
		deliver(r, d, seq, s->data, s->len, packet);
		drain(r, d, packet);
		return;
	}
	if (s->len > TCP_MAX_HELD || !hold(d, seq, s->data, s->len)) {
		r->ops->error(r->ctx, packet, "TCP segment cannot be held");
		return;
	}
}

void
tcp_finish(struct tcp_reasm *r)
{
	for (size_t i = 0; i < TCP_MAX_DIRS; i++)
		while (r->d[i].used && r->d[i].held != NULL)
			skip_gap(r, &r->d[i], 0);
}

void
tcp_free(struct tcp_reasm *r)
{
	struct held *h;

	if (r == NULL)
		return;
	for (size_t i = 0; i < TCP_MAX_DIRS; i++)
		while ((h = r->d[i].held) != NULL) {
			r->d[i].held = h->next;
			free(h);
		}
	free(r);
}
