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

#define SIM_DEFAULT_DELAY_MS	5	/* a pair the topology does not name */
#define SIM_MAX_CLIENTS		8	/* data-plane entries per node */
#define SIM_MAX_STEER		4	/* services steered per client */
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
	PKT_STATE,		/* a transaction's state, egress to egress */
};

struct sim_pkt {
	enum sim_pkt_type type;
	enum sim_ep	 src;		/* the hop it comes from */
	uint8_t		 client[16];
	uint16_t	 service;
	uint32_t	 tx;
	uint32_t	 seq;
	uint32_t	 epoch;		/* client attachment it was sent in */
	uint8_t		 ttl;
	struct mh_tx	 state;		/* PKT_STATE */
	enum sim_ep	 peer;		/* PKT_STATE: the other egress */
};

/* A FIFO of packets held by an ingress. */
struct sim_pktq {
	struct sim_pkt	*v;
	size_t		 n, cap;
};

struct sim_steer {
	uint16_t	 service;
	enum sim_ep	 egress;
};

/* A node's data plane for one client. */
struct sim_dpc {
	bool		 used;
	uint8_t		 client[16];
	struct sim_steer steer[SIM_MAX_STEER];
	size_t		 nsteer;
	int		 forward;	/* ingress ep, -1: none */
	bool		 buffering;
	bool		 raised;	/* EV_SERVICE_REQUEST given */
	struct sim_pktq	 held;		/* results held (DP_BUFFER) */
	struct sim_pktq	 pending;	/* client packets waiting for DP_STEER */
	int		 ret;		/* egress: DP_RETURN ingress, -1: none */
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
	struct sim_dpc	 dpc[SIM_MAX_CLIENTS];
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

/* dp.c */
void		 sim_dp_apply(struct sim *, enum sim_ep, const struct dp_intent *);
void		 sim_dp_arrive(struct sim *, enum sim_ep, struct sim_pkt *);
void		 sim_dp_edge_tick(struct sim *, enum sim_ep, uint64_t u);
void		 sim_dp_state_sent(struct sim *, enum sim_ep, const struct sim_pkt *);
void		 sim_dp_send(struct sim *, enum sim_ep from, enum sim_ep to,
		    const struct sim_pkt *);
void		 sim_dp_free(struct sim *);

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
