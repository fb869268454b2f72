/*
 * hold: the ingress's packet hold, the rules catsd (src/catsd/tunbuf.c)
 * and the simulator (src/sim) share.  Sans-I/O: packets come in as bytes
 * with the time they arrived, decisions go out as verdicts and events for
 * the caller to raise, and released packets through a callback; no
 * sockets, no clock.
 *
 * Two things are held per client, in one queue, in arrival order:
 *
 *   - a CATS-unaware client's first packets to a CS-ID, while the ingress
 *     finds it an egress (anchoring section 3: the network, not the
 *     terminal, asks for the service): the first one raises an attach and
 *     then a service request (hold_first_events), the rest wait with it;
 *   - a detached client's packets (DP_BUFFER), until the new path exists
 *     (mobility section 3, figs. 1 and 2: the old ingress buffers, then
 *     forwards through the tunnel).
 *
 * Either ends with hold_release (DP_STEER, DP_FLUSH): the packets go back,
 * in order, and the hold is gone.  Every queue is bounded in packets and
 * in time, and every queue together in packets (hold_limits.total) and in
 * clients (HOLD_MAX_CLIENTS); what does not fit or waited too long is
 * dropped and counted.
 */
#ifndef CATS_HOLD_H
#define CATS_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/node.h"

/* catsd's buffer_packets and buffer_ms defaults (src/catsd/conf.c). */
#define HOLD_DEFAULT_PACKETS	1024
#define HOLD_DEFAULT_MS		2000
#define HOLD_DEFAULT_TOTAL	65536	/* buffer_total_packets */
#define HOLD_MAX_CLIENTS	(1u << 20)	/* past this, hold_start fails */
#define HOLD_FIRST_EVENTS	2	/* what a first packet raises */

struct hold_limits {
	uint32_t	 packets;	/* per client */
	uint32_t	 ms;		/* a packet older than this is dropped */
	uint32_t	 total;		/* packets, every client together */
};

struct hold_counters {
	uint64_t	 held;		/* packets queued */
	uint64_t	 released;	/* handed back by hold_release */
	uint64_t	 expired;	/* older than limits.ms: dropped */
	uint64_t	 overflow;	/* queue full, or no memory: dropped */
	uint64_t	 total_overflow;	/* the total is held: dropped */
	uint64_t	 unheld;	/* nobody holds this client: dropped */
	uint64_t	 first_packets;	/* CATS-unaware clients detected */
};

enum hold_verdict {
	HOLD_QUEUED,		/* held */
	HOLD_FIRST,		/* held, and the client's first packet: raise
				 * hold_first_events, in order */
	HOLD_UNHELD,		/* dropped: nobody holds this client */
	HOLD_OVERFLOW,		/* dropped: the queue is full */
};

struct holds;

/* NULL when out of memory.  A zero limit takes the default. */
struct holds	*holds_new(const struct hold_limits *);
void		 holds_free(struct holds *);
const struct hold_counters *holds_counters(const struct holds *);

/* DP_BUFFER: hold the client's packets from now on.  false (counted as
 * overflow) when no room is left for another client. */
bool		 hold_start(struct holds *, const uint8_t client[16]);
/* A packet from 'client' to a CS-ID that no steering route took: held,
 * and the first one of a client not yet held says HOLD_FIRST. */
enum hold_verdict hold_first(struct holds *, const uint8_t client[16],
		    const void *pkt, size_t len, uint64_t now_ms);
/* A packet to 'client' that the data plane routed into the hold. */
enum hold_verdict hold_to(struct holds *, const uint8_t client[16],
		    const void *pkt, size_t len, uint64_t now_ms);
/* DP_STEER, DP_FLUSH: the new route is in place.  Every packet still in
 * time goes to 'out', in arrival order, and the hold is gone; the number
 * released.  'out' may hold or release again (the hold is already gone). */
typedef void	(*hold_out_fn)(void *arg, const void *pkt, size_t len);
size_t		 hold_release(struct holds *, const uint8_t client[16],
		    uint64_t now_ms, hold_out_fn out, void *arg);
bool		 hold_holding(const struct holds *, const uint8_t client[16]);
size_t		 hold_queued(const struct holds *, const uint8_t client[16]);

/* What the ingress raises for a first packet, in order: EV_ATTACH (the
 * packet is how it learns the client is there) then EV_SERVICE_REQUEST
 * with no requirements (anchoring section 3, CATS-unaware terminal).
 * 'lladdr' may be NULL (a TUN device has no link header).  Returns the
 * number of events, HOLD_FIRST_EVENTS. */
size_t		 hold_first_events(const uint8_t client[16], uint16_t service,
		    const uint8_t *lladdr, size_t lladdr_len,
		    struct ev out[HOLD_FIRST_EVENTS]);

#endif /* CATS_HOLD_H */
