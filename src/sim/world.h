/*
 * world.h: the simulator's insides, shared by its files (not installed).
 */
#ifndef CATS_SIM_WORLD_H
#define CATS_SIM_WORLD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/node.h"
#include "cats/sim.h"

struct dp;
struct holds;
struct xfer_fsm;

#define SIM_DEFAULT_DELAY_MS	5	/* a pair the topology does not name */
#define SIM_MAX_TX		8	/* transactions per edge */
#define SIM_RESULT_MS		5	/* the edge streams one result this often */
#define SIM_PKT_TTL		8	/* hops before a forwarding loop is cut */
#define SIM_SVC_RTX_MS		200	/* client: svc-request retransmission */
#define SIM_SVC_TRIES		10
#define SIM_LINE_MAX		512

#define SIM_SERVICE_NAME	"video.cats"
#define SIM_MAX_LAT_NS		50000000u	/* the client's NetMaxLatency */

/* Kinds of queued events. */
enum sim_evk {
	EVK_SCRIPT,		/* a: step index */
	EVK_SIG,		/* p: struct sim_sig */
	EVK_TIMER,		/* a: node, u: key, p: struct sim_tmark */
	EVK_DATA,		/* a: destination, p: struct sim_pkt */
	EVK_EDGE_TICK,		/* a: edge, u: gen << 8 | slot */
	EVK_CLIENT_RTX,		/* u: svc-request try it follows */
};

struct sim_sig {
	enum sim_ep	 src, dst;
	size_t		 len;
	uint8_t		 buf[];
};

struct sim_tmark {
	uint64_t	 gen;
};

enum sim_pkt_type {
	PKT_REQUEST,		/* the client's first packet to the CS-ID */
	PKT_RESULT,		/* one numbered result of a transaction */
	PKT_STATE,		/* a transaction's state, edge to old egress */
	PKT_XFER,		/* the state, old egress to new (fig. 3) */
	PKT_XFER_ACK,		/* its acknowledgement, new egress to old */
};

/*
 * A data packet.  'dst' is the inner destination (the CS-ID, or the
 * client), what the nodes' routes match; 'encap' with 'sid' is the outer
 * SRv6 header an H.Encaps route put on it.
 */
struct sim_pkt {
	enum sim_pkt_type type;
	enum sim_ep	 src;		/* the hop it comes from */
	uint8_t		 client[16];
	uint8_t		 dst[16];
	bool		 encap;
	uint8_t		 sid[16];
	uint16_t	 service;
	uint32_t	 tx;
	uint32_t	 seq;
	uint32_t	 epoch;		/* client attachment it was sent in */
	uint8_t		 ttl;
	struct mh_tx	 state;		/* PKT_STATE, PKT_XFER, PKT_XFER_ACK */
};

struct sim_timer {
	uint64_t	 key;
	uint64_t	 at;
	uint64_t	 gen;
};

struct sim_nodectx {
	struct sim	*sim;
	enum sim_ep	 ep;
	void		*handle;	/* what impl->create returned */
	struct node_cfg	 cfg;
	struct sim_timer *timers;
	size_t		 ntimers, ctimers;
	uint64_t	 timer_gen;
	struct dp	*dp;		/* ingress, egress: catsd's data plane on
					 * the memory backend */
	struct holds	*holds;		/* ingress: the core's hold */
	struct xfer_fsm	*xfer;		/* egress: the core's state transfer */
};

struct sim_edge_tx {
	bool		 used;
	bool		 active;
	uint8_t		 client[16];
	uint16_t	 service;
	uint32_t	 id;
	uint32_t	 next;		/* next result to send */
	uint64_t	 gen;
	enum sim_ep	 egress;	/* where results go */
};

struct sim_edge {
	struct sim_edge_tx tx[SIM_MAX_TX];
};

struct sim_client {
	int		 at;		/* ingress ep attached to, -1: none */
	int		 last_at;
	uint32_t	 epoch;
	uint8_t		 lladdr[6];
	uint16_t	 svc_seq;
	uint32_t	 svc_tries;
	bool		 replied;
	bool		 started;
	struct mh_prefix prefix;
	uint8_t		*got;		/* [N + 1] receptions per sequence */
	bool		 any_rx;
	uint64_t	 last_rx_ms;
	bool		 detached_once;
	uint64_t	 detach_ms;
	bool		 await_after_move;
};

/* Script steps. */
enum sc_act {
	SC_ATTACH,
	SC_DETACH,
	SC_MOVE_DETECTED,
	SC_SVC_REQUEST,		/* CATS-aware: svc-request */
	SC_DATA,		/* CATS-unaware: first packet to the CS-ID */
};

struct sc_step {
	uint64_t	 at;
	enum sc_act	 act;
	enum sim_ep	 where;
};

struct scenario {
	const char	*name;
	const char	*desc;
	void		(*tweak)(struct node_cfg *, enum sim_ep);
	const struct sc_step *steps;
	size_t		 nsteps;
};

struct sim {
	struct sim_opts	 opts;
	const struct scenario *sc;
	struct sim_node_impl impl;
	struct sim_queue *q;
	struct sim_rng	 rng;
	uint64_t	 now;
	struct cats_sel	*sel;
	struct sim_nodectx nodes[SIM_EP__COUNT];	/* CATS ones used */
	struct sim_edge	 edges[2];
	uint32_t	 next_tx;
	struct sim_client client;
	struct sim_summary sum;
	bool		 failed;	/* out of memory: stop */
	char		**ladder;
	size_t		 nladder, cladder;
};

/* world.c */
void		 sim_world_push(struct sim *, uint64_t at, enum sim_evk,
		    uint32_t a, uint64_t u, void *p);
void		 sim_world_dispatch(struct sim *, struct sim_item *);
void		 sim_world_drop_item(struct sim_item *);
void		 sim_world_node_event(struct sim *, enum sim_ep, struct ev *);
void		 sim_world_sig_send(struct sim *, enum sim_ep src,
		    const uint8_t dst[16], const uint8_t *buf, size_t len);
extern const struct node_ops sim_world_node_ops;

/* client.c */
void		 sim_client_script(struct sim *, const struct sc_step *);
void		 sim_client_sig(struct sim *, const struct sim_sig *);
void		 sim_client_result(struct sim *, const struct sim_pkt *);
void		 sim_client_rtx(struct sim *, uint64_t try);
bool		 sim_client_init(struct sim *);

/* fwd.c: packets over the nodes' routes (the memory data plane) */
bool		 sim_fwd_init(struct sim *, enum sim_ep);
void		 sim_fwd_intent(struct sim *, enum sim_ep, const struct dp_intent *);
void		 sim_fwd_arrive(struct sim *, enum sim_ep, struct sim_pkt *);
void		 sim_fwd_send(struct sim *, enum sim_ep from, enum sim_ep to,
		    const struct sim_pkt *);
void		 sim_fwd_free(struct sim *);

/* edge.c: the edge services and the state transfer between egresses */
bool		 sim_edge_init(struct sim *, enum sim_ep egress);
void		 sim_edge_request(struct sim *, enum sim_ep edge,
		    const struct sim_pkt *);
void		 sim_edge_tick(struct sim *, enum sim_ep edge, uint64_t u);
void		 sim_edge_state(struct sim *, enum sim_ep egress,
		    const struct sim_pkt *);
void		 sim_edge_export(struct sim *, enum sim_ep egress,
		    const struct dp_intent *);
void		 sim_edge_import(struct sim *, enum sim_ep egress,
		    const struct dp_intent *);
void		 sim_edge_free(struct sim *);

/* scenario.c */
const struct scenario *sim_scn_find(const char *);
void		 sim_scn_cfg(const struct scenario *, enum sim_ep,
		    struct cats_sel *, struct node_cfg *);
struct cats_sel	*sim_scn_sel(uint64_t seed);

/* ladder.c */
void		 sim_ladder_emit(struct sim *, const char *line);
void		 sim_ladder_sig(struct sim *, enum sim_ep src, int dst,
		    const uint8_t *buf, size_t len, const char *tag);
void		 sim_ladder_event(struct sim *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* "-- " lines: script events and intents, only with opts.events */
void		 sim_ladder_note(struct sim *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
const char	*sim_ladder_addr(const uint8_t addr[16], char *out, size_t cap);
void		 sim_ladder_free(struct sim *);

#endif /* CATS_SIM_WORLD_H */
