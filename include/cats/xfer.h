/*
 * xfer: the state-transfer protocol of transaction switching (mobility
 * section 3, fig. 3), the rules catsd (src/catsd/xfer.c, over TCP and the
 * edges' control ports) and the simulator (src/sim/edge.c) share.
 * Sans-I/O: the caller reports what happened (an intent, the edge's
 * answer, the new egress's acknowledgement, a transfer received, a
 * failure) and performs the actions handed to its callback; no sockets,
 * no clock.
 *
 *   old egress: DP_STATE_EXPORT -> XA_EDGE_EXPORT; the edge's state ->
 *     XA_SEND to the new egress; its acknowledgement (the same
 *     transaction and next result) -> XA_EVENT EV_STATE_SENT, upon which
 *     the node confirms and closes the tunnel.  "State sent" means the
 *     new egress has it ("the transfer of service status information is
 *     complete"), not that it left.
 *   new egress: a transfer -> kept per (client, service), XA_ACK, then
 *     XA_EVENT EV_STATE_RECEIVED ("upon receiving a service status
 *     transfer message ... transmits a notification"); DP_STATE_IMPORT ->
 *     XA_EDGE_IMPORT of the kept state.
 *
 * A transfer that fails before any of the state reached the new egress
 * gives the state back to our edge (XA_EDGE_IMPORT), so the client goes on
 * being served from here; once it may have arrived, a second copy would
 * send results twice, so nothing is taken back.  Everything is bounded:
 * XFER_MAX_OUT transfers under way, XFER_MAX_KEPT states waiting for their
 * import, each for XFER_KEEP_MS.
 *
 * The state itself is opaque here (catsd's struct app_state, the
 * simulator's struct mh_tx); 'tx' says which transaction and where it
 * stands.
 */
#ifndef CATS_XFER_H
#define CATS_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/node.h"

#define XFER_MAX_OUT		256
#define XFER_MAX_KEPT		256
#define XFER_KEEP_MS		60000	/* a received state waits this for
					 * its import */

enum xfer_act_type {
	XA_EDGE_EXPORT,		/* ask our edge 'instance' for the client's
				 * transaction state */
	XA_SEND,		/* the state to the new egress 'peer' */
	XA_ACK,			/* acknowledge the state to 'peer' (echo it) */
	XA_EDGE_IMPORT,		/* hand the state to our edge 'instance' */
	XA_EVENT,		/* raise 'ev' at the node */
};

struct xfer_act {
	enum xfer_act_type type;
	uint8_t		 client[16];
	uint16_t	 service;
	uint32_t	 instance;
	uint8_t		 peer[16];	/* the other egress */
	struct mh_tx	 tx;
	const void	*state;		/* XA_SEND, XA_ACK, XA_EDGE_IMPORT */
	size_t		 state_len;
	struct ev	 ev;		/* XA_EVENT; ev.peer points at 'peer' */
};

typedef void	(*xfer_act_fn)(void *arg, const struct xfer_act *);

struct xfer_counters_core {
	uint64_t	 exports;	/* transfers started */
	uint64_t	 sent;		/* acknowledged: EV_STATE_SENT */
	uint64_t	 received;	/* EV_STATE_RECEIVED */
	uint64_t	 imports;	/* kept states handed to our edge */
	uint64_t	 taken_back;	/* failed before the new egress had it */
	uint64_t	 failed;
};

struct xfer_fsm;

/* NULL when out of memory. */
struct xfer_fsm	*xfer_fsm_new(xfer_act_fn, void *arg);
void		 xfer_fsm_free(struct xfer_fsm *);
const struct xfer_counters_core *xfer_fsm_counters(const struct xfer_fsm *);

/* ---- the old egress ---- */
/* DP_STATE_EXPORT.  false (nothing done) when a transfer for the client
 * and service is already under way or XFER_MAX_OUT are. */
bool		 xfer_fsm_export(struct xfer_fsm *, const struct dp_intent *);
/* Our edge handed the state over: it goes to the new egress.  false when
 * no export was asked for it. */
bool		 xfer_fsm_exported(struct xfer_fsm *, const uint8_t client[16],
		    uint16_t service, const struct mh_tx *, const void *state,
		    size_t len);
/* The new egress acknowledged 'ack'.  true: EV_STATE_SENT raised; false:
 * not the transaction sent, or none under way (the transfer failed). */
bool		 xfer_fsm_acked(struct xfer_fsm *, const uint8_t client[16],
		    uint16_t service, const struct mh_tx *ack);
/* The transfer failed; 'reached' when any of the state may have reached
 * the new egress.  Gives the state back to our edge when it cannot have. */
void		 xfer_fsm_failed(struct xfer_fsm *, const uint8_t client[16],
		    uint16_t service, bool reached);

/* ---- the new egress ---- */
/* A state from egress 'peer'.  false when there is no room to keep it
 * (nothing done: the sender hears no acknowledgement). */
bool		 xfer_fsm_received(struct xfer_fsm *, const uint8_t peer[16],
		    const uint8_t client[16], uint16_t service,
		    const struct mh_tx *, const void *state, size_t len,
		    uint64_t now_ms);
/* DP_STATE_IMPORT.  false when no state was received for it. */
bool		 xfer_fsm_import(struct xfer_fsm *, const struct dp_intent *,
		    uint64_t now_ms);

#endif /* CATS_XFER_H */
