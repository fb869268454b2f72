/*
 * sim: a deterministic discrete-event simulator of a small CATS domain.
 *
 * The same nodes (node.h) the daemon runs are driven here by a simulated
 * clock in milliseconds and a simulated network: two ingresses, two
 * egresses with an edge server each, a controller, a location server and
 * one client that is scripted to attach, ask for service, move and detach.
 * Packets follow the daemon's own data plane (cats/dataplane.h on its
 * memory backend, one per ingress and egress) and the core's hold and
 * state-transfer rules (cats/hold.h, cats/xfer.h), the code catsd runs, so
 * the simulator and catsd cannot drift apart.  Signaling links can lose, duplicate and
 * reorder messages from one seeded generator, so a run is reproducible from
 * its options alone; data links (results, client data, the transaction
 * state stream) are FIFO and lossless.  Nothing here reads a clock.
 *
 * Layers, each usable on its own (the harness tests drive them directly):
 *   sim_rng      splitmix64, the one source of randomness
 *   sim_queue    4-ary heap of events ordered by (time, insertion order)
 *   sim_impair   the fate of one signaling packet (lost, dup, reordered)
 *   struct sim   a scenario's world: nodes, links, data plane, client
 */
#ifndef CATS_SIM_H
#define CATS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/node.h"

/* ---- randomness ---- */

struct sim_rng {
	uint64_t	 s;
};

void		 sim_rng_seed(struct sim_rng *, uint64_t seed);
uint64_t	 sim_rng_next(struct sim_rng *);
double		 sim_rng_unit(struct sim_rng *);	/* [0, 1) */
/* Uniform in [lo, hi], both inclusive. */
uint32_t	 sim_rng_range(struct sim_rng *, uint32_t lo, uint32_t hi);

/* ---- event queue ---- */

/* One queued event.  'seq' is set by the queue: equal times pop in the
 * order they were pushed, which keeps a run deterministic. */
struct sim_item {
	uint64_t	 at;
	uint64_t	 seq;
	uint32_t	 kind;		/* the owner's event type */
	uint32_t	 a;		/* the owner's small argument */
	uint64_t	 u;		/* the owner's wide argument */
	void		*p;		/* owned by the owner, see sim_queue_free */
};

struct sim_queue;

struct sim_queue *sim_queue_new(void);
/* Free the queue; 'drop' (may be NULL) is called on each item still in it. */
void		 sim_queue_free(struct sim_queue *,
		    void (*drop)(struct sim_item *));
/* false only when memory runs out. */
bool		 sim_queue_push(struct sim_queue *, const struct sim_item *);
bool		 sim_queue_pop(struct sim_queue *, struct sim_item *);
const struct sim_item *sim_queue_peek(const struct sim_queue *);
size_t		 sim_queue_len(const struct sim_queue *);

/* ---- signaling impairments ---- */

struct sim_impair {
	double		 loss;		/* probability a message is lost */
	double		 dup;		/* probability it is delivered twice */
	double		 reorder;	/* probability it gets 1..10 ms extra delay */
};

#define SIM_REORDER_MIN_MS	1
#define SIM_REORDER_MAX_MS	10

/* What happens to one message: 0, 1 or 2 copies, each with extra delay. */
struct sim_fate {
	unsigned	 copies;
	bool		 lost;
	bool		 dup;
	bool		 reordered;
	uint32_t	 extra_ms[2];
};

/* Draws in a fixed order (loss, then dup, then reorder per copy), so the
 * same seed gives the same fates. */
void		 sim_impair_draw(struct sim_rng *, const struct sim_impair *,
		    struct sim_fate *);

/* ---- the world ---- */

/* Endpoints of the topology, in a fixed order. */
enum sim_ep {
	SIM_CLIENT,
	SIM_INGRESS1,
	SIM_INGRESS2,
	SIM_EGRESS1,
	SIM_EGRESS2,
	SIM_CONTROLLER,
	SIM_LOCATOR,
	SIM_EDGE1,
	SIM_EDGE2,
	SIM_EP__COUNT
};
#define SIM_NODE_FIRST	SIM_INGRESS1	/* CATS nodes: INGRESS1..LOCATOR */
#define SIM_NODE_LAST	SIM_LOCATOR

/*
 * How a CATS node is made and driven.  NULL in sim_opts means the real
 * node (node_new, node_event, node_free); the harness tests put a small fake
 * here to exercise links, timers and the data plane without the roles.
 */
struct sim_node_impl {
	void	*(*create)(const struct node_cfg *, const struct node_ops *,
		    void *ctx, const char **why);
	void	 (*event)(void *node, const struct ev *, uint64_t now_ms);
	void	 (*destroy)(void *node);
};

typedef void	(*sim_line_fn)(void *arg, const char *line);

struct sim_opts {
	struct sim_impair impair;	/* signaling links only */
	uint64_t	 seed;
	uint32_t	 results;	/* N results per transaction */
	uint64_t	 time_limit_ms;	/* simulated time */
	/* Events processed before the run is cut short (and reported as
	 * hit_event_limit, never as missing results).  0: the default,
	 * sim_event_limit_for(results), which scales with the results asked
	 * for; a run streams a few events per result. */
	uint64_t	 event_limit;
	uint64_t	 drain_ms;	/* keep running this long after the client
					 * has everything (late dups, cleanup) */
	bool		 keep_ladder;	/* keep the lines for sim_ladder_line */
	bool		 events;	/* also "-- " lines for script events and
					 * data-plane intents */
	sim_line_fn	 on_line;	/* called with each line, may be NULL */
	void		*line_arg;
	const struct sim_node_impl *impl;
	/* Per-link one-way delays.  NULL: the fixed delays of sim_link_delay.
	 * Else delay_ms[a][b] is the delay in ms from endpoint a to endpoint
	 * b, used for every message and packet of the run (signaling and
	 * data alike); the array must outlive the run. */
	const uint32_t	 (*delay_ms)[SIM_EP__COUNT];
	/* The client's move (its detection, its detach and every script
	 * step after the first of them) happens this much later than the
	 * scenario says, so that a set-up over long links is done first.
	 * 0 keeps the script as written. */
	uint64_t	 move_shift_ms;
};

struct sim_summary {
	/* the client: every result sequence number it received */
	uint32_t	 expected;	/* N */
	uint32_t	 received;	/* unique */
	uint32_t	 missing;	/* N - unique at the end of a run that
					 * ended by itself; 0 when a limit cut
					 * it short (see unreached) */
	uint32_t	 unreached;	/* N - unique when a limit cut the run
					 * short: not known to be lost */
	uint32_t	 duplicated;
	uint64_t	 longest_gap_ms;	/* between two results received */
	uint64_t	 interruption_ms;	/* detach -> first result after the
						 * new attach; 0 with no move */
	bool		 done;		/* the client had all N results */
	bool		 converged;	/* done and within the limits */
	bool		 hit_time_limit;
	bool		 hit_event_limit;
	uint64_t	 done_ms;
	uint64_t	 end_ms;
	uint64_t	 events;
	/* signaling */
	uint64_t	 sig_sent;
	uint64_t	 sig_after_move;	/* sent from the client's first
						 * detach on; 0 with no move */
	uint64_t	 sig_lost;
	uint64_t	 sig_dup;
	uint64_t	 sig_reordered;
	uint64_t	 sig_no_route;	/* to an address the sim does not know */
	/* data plane */
	uint64_t	 data_sent;
	uint64_t	 lost_at_ingress;
	uint64_t	 lost_at_egress;
	uint64_t	 lost_on_access;	/* client gone while in flight */
	uint64_t	 lost_no_edge;	/* request for a service with no instance */
	uint64_t	 lost_ttl;	/* forwarding loop */
	uint64_t	 state_moved;	/* tx-state messages */
	uint64_t	 svc_requests;	/* svc-request tries by the client */
	uint64_t	 client_bad_sig;	/* undecodable or bad checksum */
	uint8_t		 svc_status;	/* status of the svc-reply, 0xff none */
};

struct sim;

void		 sim_opts_default(struct sim_opts *);
/* The event limit a run of 'results' results gets when opts.event_limit
 * is 0: SIM_EVENT_BASE plus SIM_EVENTS_PER_RESULT per result. */
#define SIM_EVENT_BASE		2000000u
#define SIM_EVENTS_PER_RESULT	16u
uint64_t	 sim_event_limit_for(uint32_t results);

size_t		 sim_scenario_count(void);
const char	*sim_scenario_name(size_t i);	/* NULL past the end */
const char	*sim_scenario_desc(size_t i);

/* Build a scenario's world, its nodes and script; NULL with *why set. */
struct sim	*sim_new(const char *scenario, const struct sim_opts *,
		    const char **why);
void		 sim_free(struct sim *);

/* Process one event; false when the run is over (done and drained, out of
 * events, or a limit reached). */
bool		 sim_step(struct sim *);
/* Run to the end; the summary is final afterwards. */
const struct sim_summary *sim_run(struct sim *);
/* Run every event due at or before t (bounded by the limits too). */
void		 sim_run_until(struct sim *, uint64_t t_ms);
const struct sim_summary *sim_summary(const struct sim *);
uint64_t	 sim_now(const struct sim *);

/* The ladder kept with opts.keep_ladder. */
size_t		 sim_ladder_count(const struct sim *);
const char	*sim_ladder_line(const struct sim *, size_t i);

/* Endpoints. */
const char	*sim_ep_name(enum sim_ep);
const uint8_t	*sim_ep_addr(enum sim_ep);
int		 sim_ep_by_name(const char *);	/* -1 if unknown */
int		 sim_ep_by_addr(const uint8_t addr[16]);	/* -1 if unknown */
/* The real node at a CATS endpoint (NULL with a fake impl or not a node). */
struct node	*sim_node(struct sim *, enum sim_ep);
/* What impl->create returned for a CATS endpoint. */
void		*sim_node_handle(struct sim *, enum sim_ep);
/* Counters of a real node (NULL as sim_node). */
const struct node_counters *sim_node_counters(struct sim *, enum sim_ep);
/* The configuration the scenario gave a CATS endpoint. */
const struct node_cfg *sim_node_cfg(const struct sim *, enum sim_ep);
/* The C-PS shared by the controller and the ingresses. */
struct cats_sel	*sim_sel(struct sim *);

/* Deliver a signaling message from src to dst 'delay_ms' from now, over no
 * impairment; it goes into the ladder marked [inject]. */
bool		 sim_inject(struct sim *, enum sim_ep src, enum sim_ep dst,
		    uint64_t delay_ms, const uint8_t *buf, size_t len);

/* One-way delay between two endpoints (ms): the fixed topology's. */
uint32_t	 sim_link_delay(enum sim_ep, enum sim_ep);
/* The delay a run uses: opts.delay_ms[a][b] if given, else the above. */
uint32_t	 sim_delay(const struct sim *, enum sim_ep, enum sim_ep);

/* The summary as cats-sim prints it (no newline). */
void		 sim_summary_format(const struct sim_summary *, char *out,
		    size_t cap);

/* ---- CATS-MUP scenarios (src/sim/mup.c) ---- */

/*
 * draft-dcn-dmm-cats-mup figures 3, 4, 6 and 7 with the real CATS-MUP
 * roles, BGP codec and RIB behind a route-target-filtering reflector.
 * Deterministic: no randomness, no impairments.
 */
struct sim_mup_result {
	uint64_t	 updates;	/* UPDATEs delivered */
	uint64_t	 lines;		/* ladder lines */
	uint32_t	 final_cis;	/* where the session ends, at its RAN PE */
	bool		 stale;		/* the other RAN PE still steers it */
	bool		 ok;		/* ended as the figure says */
};

size_t		 sim_mup_count(void);
const char	*sim_mup_name(size_t i);	/* NULL past the end */
const char	*sim_mup_desc(size_t i);
/* Run one; each ladder line goes to 'line' (may be NULL).  false with
 * *why set when it could not run ("unknown scenario"). */
bool		 sim_mup_run(const char *name, sim_line_fn line, void *arg,
		    struct sim_mup_result *, const char **why);

#endif /* CATS_SIM_H */
