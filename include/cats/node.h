/*
 * node: a CATS node, the sans-I/O composition of its roles (ingress,
 * egress, controller, locator).
 *
 * One entry point takes an event (a received message, a fired timer, a local
 * event) with the current time; everything the node wants done comes out
 * through the driver's ops, in order: messages to send, timers to arm, and
 * data-plane intents.  The daemon binds the ops to sockets, timers and
 * netlink; the simulator and the tests bind them to a simulated network,
 * clock and data plane.  No role is wired by hand anywhere: a node runs the
 * roles its configuration names.
 */
#ifndef CATS_NODE_H
#define CATS_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/auth.h"
#include "cats/mh.h"
#include "cats/select.h"

#define NODE_NAME_MAX		16
#define NODE_MAX_PEERS		64
#define NODE_MAX_SERVICES	32
#define NODE_MAX_INSTANCES	64
#define NODE_SERVICE_ID_MAX	64
#define NODE_INST_FUNCS		4	/* functions named per instance */
#define NODE_INST_RES		4	/* resources named per instance */
#define NODE_FUNC_LEN		32	/* with the terminating NUL; also a
					 * resource's name */
#define NODE_AFFINITY_MAX	64	/* affinity octets an ingress keeps */

enum node_role {
	NODE_INGRESS		= 1 << 0,
	NODE_EGRESS		= 1 << 1,
	NODE_CONTROLLER		= 1 << 2,
	NODE_LOCATOR		= 1 << 3,
};

/* How an ingress starts a session: anchoring section 3, options 1 and 2. */
enum node_setup {
	SETUP_QUERY_EGRESSES	= 1,	/* ask every egress (or the 'query' subset) */
	SETUP_QUERY_CONTROLLER	= 2,	/* ask the controller (C-PS) */
};

/* How a new ingress finds the old one: mobility section 3. */
enum node_find {
	FIND_LOCATOR,			/* ask the location server */
	FIND_PREFIX,			/* the client's address is in a peer's sub-prefix */
};

/*
 * Bounded state (docs/catsd.md "Bounded state"): what one peer may make
 * this node hold and how fast it may signal, so that a peer that
 * misbehaves (keyed or not) cannot take every entry or all of the CPU.
 * In node_cfg a zero turns that bound off; in a peer's override a zero
 * takes the node's value.
 */
struct node_limits {
	uint32_t	 state;		/* entries per peer in each table */
	uint32_t	 rate;		/* signaling messages per second */
	uint32_t	 burst;		/* messages at once after a quiet spell */
};

#define NODE_LIMIT_STATE	(1u << 20)	/* a quarter of max_sessions */
#define NODE_LIMIT_RATE		20000
#define NODE_LIMIT_BURST	40000

/* The tables an entry charged to a peer is in (node_peer_state). */
enum node_state_kind {
	NODE_STATE_BINDING,	/* egress: bindings for the ingress */
	NODE_STATE_SESSION,	/* ingress: sessions a peer's word made */
	NODE_STATE_LOCATOR,	/* locator: records the ingress registered */
	NODE_STATE_PENDING,	/* every role: reliable messages to it */
	NODE_STATE__COUNT
};

/* Another CATS node this node talks to.  Messages from anyone else are
 * dropped and counted (NODE_DROP_NOT_PEER). */
struct node_peer {
	char		 name[NODE_NAME_MAX];
	uint8_t		 addr[16];
	uint32_t	 roles;		/* enum node_role bits it plays */
	struct mh_prefix subprefix;	/* ingress: clients' sub-prefix it owns */
	bool		 candidate;	/* ingress: notified on movement (fig. 1) */
	bool		 query;		/* egress: queried in option 1 */
	uint32_t	 sel_index;	/* its ingress/egress index in the C-PS */
	/* RFC 4285 keys (docs/catsd.md "Authentication and replay"): with
	 * any, every message to it is signed and timestamped, and every
	 * message from it must verify and pass the replay window */
	struct auth_keys auth;
	struct node_limits limits;	/* zero fields: the node's */
};

/* A service (CS-ID): its identifier as carried in Service_ID, and the
 * anycast address clients send to. */
struct node_service {
	uint8_t		 id[NODE_SERVICE_ID_MAX];
	uint8_t		 id_len;
	uint8_t		 addr[16];
	uint32_t	 sel_id;	/* service index in the C-PS */
};

/* An instance (CIS-ID): at an egress, one at its own site; at a
 * controller, every instance of the domain with the egress it sits behind. */
struct node_instance {
	uint32_t	 id;
	uint16_t	 service;	/* index into node_cfg.services */
	uint8_t		 edge[16];	/* the edge server's address */
	uint32_t	 egress_sel;	/* its egress's index in the C-PS */
	/* the functions it runs, for affinity (anchoring 3 step 1.e); the
	 * egress judges "with"/"avoid" on them, the controller gives them
	 * to the C-PS.  "" ends the list. */
	char		 functions[NODE_INST_FUNCS][NODE_FUNC_LEN];
	/* the computing resources it has (hardware features: "gpu",
	 * "fpga"), for "needs" (anchoring 3 step 1.d); judged and handed
	 * on like the functions.  "" ends the list. */
	char		 resources[NODE_INST_RES][NODE_FUNC_LEN];
};

struct node_cfg {
	char		 name[NODE_NAME_MAX];
	uint8_t		 addr[16];	/* signaling address */
	uint32_t	 roles;
	struct node_peer peers[NODE_MAX_PEERS];
	size_t		 npeers;
	struct node_service services[NODE_MAX_SERVICES];
	size_t		 nservices;

	/* ingress */
	enum node_setup	 setup;
	enum node_find	 find;
	struct mh_prefix subprefix;	/* the sub-prefix this ingress gives clients */
	uint32_t	 sel_index;	/* this ingress's index in the C-PS */
	uint32_t	 query_deadline_ms;	/* option 1: later responses ignored */
	uint16_t	 lifetime;	/* binding lifetime asked for, 4 s units */
	bool		 transaction_switch;	/* ask the C-PS after a handover */
	/* mobility 3: a client whose traffic the data plane saw within this
	 * many ms when it moves has a transaction in progress and needs
	 * service continuity (node_ops.activity) */
	uint32_t	 continuity_idle_ms;

	/* egress */
	struct mh_prefix pool;		/* service prefixes are carved from it */
	uint8_t		 pool_plen;	/* length of each client's prefix */
	struct node_instance instances[NODE_MAX_INSTANCES];
	size_t		 ninstances;
	/* what this site offers (anchoring 4.4), as a static override: when
	 * any field is set, responses carry it and requests are judged on it;
	 * otherwise both come from the C-PS's metrics ('sel'), per ingress */
	struct mh_cats_req conditions;

	/* controller, and ingress with SETUP_QUERY_EGRESSES: the C-PS.  Owned
	 * by the driver, which also feeds it metrics; may be shared. */
	struct cats_sel	*sel;

	/* every role: retransmission (RFC 6275 11.8 style exponential back-off)
	 * and the RFC 5213 5.5 timestamp window */
	uint32_t	 rtx_initial_ms;
	uint32_t	 rtx_max_ms;
	uint32_t	 rtx_tries;
	uint32_t	 ts_window_ms;
	uint32_t	 max_sessions;	/* per table; sizes the hash tables */
	struct node_limits limits;	/* per peer; zero fields: unbounded */

	/* liveness (RFC 5847 heartbeat, src/core/live.c): an ingress
	 * watches its egress and controller peers, a controller its
	 * egresses; one heartbeat each every heartbeat_ms, a peer that
	 * leaves heartbeat_misses in a row unanswered is down (hold time
	 * heartbeat_ms x heartbeat_misses).  0 ms: no heartbeats (the
	 * engine's default, so the simulator's message sequences stay the
	 * figures'; catsd's is 1000 ms x 3) */
	uint32_t	 heartbeat_ms;
	uint32_t	 heartbeat_misses;
};

/* Data-plane intents.  The daemon turns them into kernel routes (SRv6
 * encapsulation, End.DX6, source-specific routes) and a user-space buffer;
 * the simulator into its forwarding model. */
enum dp_op {
	DP_STEER,		/* ingress: client's packets for service -> egress 'peer' */
	DP_UNSTEER,
	DP_PREFIX,		/* ingress: give 'prefix' to the client for service */
	DP_UNPREFIX,		/* ingress: the session is over: its prefix goes */
	DP_BUFFER,		/* ingress: hold packets to the client (it left) */
	DP_FORWARD,		/* ingress: packets to the client -> ingress 'peer' */
	DP_UNFORWARD,
	DP_FLUSH,		/* ingress: release held packets to the client, or to
				 * 'peer' when it is set (handover tunnel) */
	DP_RETURN,		/* egress: results for the client -> ingress 'peer' */
	DP_UNRETURN,
	DP_STATE_EXPORT,	/* egress: edge stops the transaction at tx.next_seq
				 * and its state goes to egress 'peer' (fig. 3) */
	DP_STATE_IMPORT,	/* egress: edge resumes the transaction from
				 * tx.next_seq with the state received */
};

/* 'prefix' is the session's service prefix (len 0: none).  The steering,
 * return and forward intents carry it, and the data plane treats traffic
 * from it (DP_STEER) or to it (DP_RETURN, DP_FORWARD) as it treats the
 * client's own address: the engine says it once, in the intent. */
struct dp_intent {
	enum dp_op	 op;
	uint8_t		 client[16];
	uint8_t		 peer[16];	/* all zero when not used */
	uint16_t	 service;
	uint32_t	 instance;
	struct mh_prefix prefix;
	struct mh_tx	 tx;
};

/* Local events, from the access link, a mobility management system, the
 * edge service or a metric agent. */
enum ev_type {
	EV_MSG,			/* signaling received: peer, buf, len */
	EV_TIMER_FIRED,		/* a timer the node armed has fired: timer */
	EV_ATTACH,		/* client attached here: client, lladdr */
	EV_DETACH,		/* client left this ingress */
	EV_MOVE_DETECTED,	/* the client is about to move (proactive) */
	EV_SERVICE_REQUEST,	/* client asks for service, or sent its first
				 * packet to the CS-ID address (req NULL) */
	EV_RESULTS_DONE,	/* every result of the service reached the client */
	EV_STATE_SENT,		/* egress: the exported state reached 'peer' */
	EV_STATE_RECEIVED,	/* egress: state arrived for client/service/tx */
};

struct ev {
	enum ev_type	 type;
	const uint8_t	*peer;		/* EV_MSG source; EV_STATE_*: other egress */
	const uint8_t	*buf;
	size_t		 len;
	uint64_t	 timer;
	uint8_t		 client[16];
	uint8_t		 lladdr[8];
	uint8_t		 lladdr_len;
	uint16_t	 service;
	const struct mh_cats_req *req;	/* EV_SERVICE_REQUEST; NULL: none */
	struct mh_tx	 tx;
};

/* What the driver provides.  'ctx' is the driver's own pointer. */
struct node_ops {
	/* Send signaling; the node encoded it.  'dst' is a peer or a client. */
	void	(*send)(void *ctx, const uint8_t dst[16], const uint8_t *buf,
		    size_t len);
	/* Arm (or re-arm) timer 'key' to fire at 'at_ms'; at_ms 0 cancels. */
	void	(*timer)(void *ctx, uint64_t key, uint64_t at_ms);
	void	(*dp)(void *ctx, const struct dp_intent *);
	/* Optional: how long ago the data plane last carried a packet from
	 * or to 'client', in *idle_ms: 0, or -1 when it never did or cannot
	 * tell (errno ENOENT, ENOTSUP).  NULL: the driver cannot tell. */
	int	(*activity)(void *ctx, const uint8_t client[16],
		    uint64_t *idle_ms);
	/* Optional: a message from 'src' (peer index, or -1) was refused by
	 * authentication or replay protection, or a limit bit (its quota,
	 * its rate: node_limits); the driver logs it, rate limited.  NULL:
	 * not told. */
	void	(*refused)(void *ctx, int peer, const uint8_t src[16],
		    int why);
	/* Optional: the wall clock, ms since the Unix epoch, for the RFC
	 * 5213 timestamps the peers compare with theirs.  Every other time
	 * the node is given (now_ms) may be any clock that never steps back
	 * or jumps: catsd's is CLOCK_MONOTONIC, so a clock step expires no
	 * binding.  NULL: now_ms is the wall clock too (the simulator's one
	 * clock). */
	uint64_t (*wall)(void *ctx);
};

/* Why a message was dropped or refused; counted per node. */
enum node_drop {
	NODE_DROP_DECODE,	/* malformed (see the per-error counters) */
	NODE_DROP_NOT_PEER,	/* from an address that is not a configured peer */
	NODE_DROP_NO_ROLE,	/* no role here handles this kind */
	NODE_DROP_UNKNOWN_CLIENT,	/* about a client with no binding */
	NODE_DROP_UNEXPECTED,	/* an answer to nothing sent, or wrong state */
	NODE_DROP_STALE_SEQ,	/* sequence number out of window (RFC 5213 5.5) */
	NODE_DROP_TIMESTAMP,	/* timestamp outside the window (RFC 5213 5.5) */
	NODE_DROP_DUPLICATE,	/* a retransmission already handled (re-answered) */
	NODE_DROP_UNKNOWN_SERVICE,
	NODE_DROP_NO_RESOURCES,	/* a table or the prefix pool is full */
	NODE_DROP_RTX_EXHAUSTED,	/* gave up after the last retransmission */
	NODE_DROP_WRONG_ROLE,	/* a peer sent what its role never sends */
	NODE_DROP_UNMET,	/* a requirement is not met (reason: unmet[]) */
	NODE_DROP_SWITCH_REFUSED,	/* a switch target breaks a requirement */
	NODE_DROP_METRIC,	/* a metric report the sender may not make, or
				 * that the C-PS refuses */
	/* authentication and replay (auth.h), from a peer with keys */
	NODE_DROP_NO_AUTH,	/* no Authentication option */
	NODE_DROP_BAD_AUTH,	/* the authenticator does not verify */
	NODE_DROP_UNKNOWN_SPI,	/* no key with the SPI it names */
	NODE_DROP_REPLAY,	/* a sequence number seen, or behind the window */
	NODE_DROP_NO_TIMESTAMP,	/* no Timestamp option (RFC 5213 5.5) */
	/* bounded state (node_limits): NODE_DROP_NO_RESOURCES is a table's
	 * total (max_sessions) */
	NODE_DROP_PEER_LIMIT,	/* the peer holds its quota of a table */
	NODE_DROP_RATE_LIMITED,	/* the sender's signaling rate is spent */
	NODE_DROP__COUNT
};

/*
 * Handovers a new ingress completed, by how it learnt of the client
 * (mobility fig. 1 proactive; fig. 2 reactive, asking the locator or the
 * old ingress found by the address plan), and the interruption each saw
 * there: from the client's attach to its steering (send_indications), in
 * NODE_HO_BUCKETS buckets of at most node_ho_le_ms[i] ms (not cumulative;
 * those over the last are the count's rest).
 */
enum node_ho {
	NODE_HO_PROACTIVE,
	NODE_HO_REACTIVE_LOCATOR,
	NODE_HO_REACTIVE_PREFIX,
	NODE_HO__COUNT
};
#define NODE_HO_BUCKETS	12
extern const uint32_t node_ho_le_ms[NODE_HO_BUCKETS];
const char	*node_ho_name(enum node_ho);

struct node_counters {
	uint64_t	 rx;
	/* rx by sender, whatever became of it: by peer index, and from
	 * any address that is no peer (clients, strangers) */
	uint64_t	 peer_rx[NODE_MAX_PEERS];
	uint64_t	 stranger_rx;
	uint64_t	 peer_tx[NODE_MAX_PEERS];	/* tx by peer index */
	uint64_t	 tx;
	uint64_t	 rtx;		/* retransmissions */
	uint64_t	 rx_kind[256];	/* by enum mh_kind */
	uint64_t	 tx_kind[256];	/* first sendings (not retransmissions,
					 * nor duplicates answered again) */
	uint64_t	 decode_err[MH_E__COUNT];
	uint64_t	 drop[NODE_DROP__COUNT];
	uint64_t	 unmet[CATS_SEL__COUNT];	/* by the requirement broken */
	uint64_t	 metric_tx;	/* metric reports sent */
	uint64_t	 metric_rx;	/* metric reports taken into the C-PS */
	/* by peer index: messages refused by authentication or replay
	 * protection (no-auth .. no-timestamp, timestamp-out-of-window) */
	uint64_t	 peer_refused[NODE_MAX_PEERS];
	uint64_t	 dup_answered;	/* duplicates answered from the cache */
	/* site failure (live.c): peers declared down, sessions moved off a
	 * peer declared down, and those for which nothing met their
	 * requirements (kept in state "unmet") */
	uint64_t	 peer_down;
	uint64_t	 resteered;
	uint64_t	 resteer_unmet;
	/* instance failure (report.c): gone reports taken from the egress
	 * hosting the instance, and sessions moved off a gone instance */
	uint64_t	 instance_gone;
	uint64_t	 resteer_gone;
	/* by peer index: refused for its quota, for its rate */
	uint64_t	 peer_limited[NODE_MAX_PEERS];
	uint64_t	 peer_rate_limited[NODE_MAX_PEERS];
	/* handovers at this new ingress (enum node_ho) */
	uint64_t	 handover[NODE_HO__COUNT];
	uint64_t	 handover_ms_sum[NODE_HO__COUNT];
	uint64_t	 handover_le[NODE_HO__COUNT][NODE_HO_BUCKETS];
};

struct node;

void		 node_cfg_default(struct node_cfg *);
/* NULL with *why set when the configuration cannot run. */
struct node	*node_new(const struct node_cfg *, const struct node_ops *,
		    void *ctx, const char **why);
void		 node_free(struct node *);
void		 node_event(struct node *, const struct ev *, uint64_t now_ms);

/*
 * Metric reports (report.c, docs/wire.md 5.9): what this node's agents
 * measured goes into its own C-PS when it has one and to the peers that
 * choose: an instance's compute metrics from its egress to every
 * controller; the path from this ingress to egress peer 'egress' to every
 * controller and to that egress.  Returns the own C-PS's verdict (enum
 * cats_metric_err) or NODE_REPORT_NO_CPS.
 */
#define NODE_REPORT_NO_CPS	(-1)
int		 node_report_instance(struct node *, uint32_t cis_id,
		    const struct cats_sample *, size_t, uint64_t now_ms);
int		 node_report_path(struct node *, int egress,
		    const struct cats_sample *, size_t, uint64_t now_ms);
/*
 * Instance failure (docs/engine.md §7, docs/wire.md 5.9 G): this egress's
 * agent says its instance cis_id is gone (its edge stopped answering) or
 * back.  Gone, the egress refuses new requests for it ("unavailable") and
 * says so to every controller and to every ingress holding a binding on
 * it, which re-steer; back, to every controller and ingress.  Returns the
 * reports sent, or -1 when cis_id is not an instance of this egress.
 */
int		 node_report_instance_gone(struct node *, uint32_t cis_id,
		    bool gone, uint64_t now_ms);

/*
 * Take the peers' keys of 'c' (key rollover on reload): applied only when
 * c has the same peers, by address and in order, as the running node and
 * some key differs; the replay windows stay.  True when applied.
 */
bool		 node_rekey(struct node *, const struct node_cfg *c);
const struct node_cfg *node_config(const struct node *);
const struct node_counters *node_counters(const struct node *);
const char	*node_drop_name(enum node_drop);
/* Reasons counted in peer_refused, for the driver's log. */
bool		 node_drop_is_auth(enum node_drop);
/* Index of the service with this CS-ID, or -1. */
int		 node_service_find(const struct node_cfg *, const uint8_t *id,
		    size_t len);
/* Index of the peer at this address, or -1. */
int		 node_peer_find(const struct node_cfg *, const uint8_t addr[16]);

/* One session, binding or record as a role holds it, for show commands. */
struct node_session_info {
	const char	*role;		/* "ingress", "egress", "locator" */
	const char	*state;
	uint8_t		 client[16];
	int		 service;	/* index into cfg.services, -1 unknown */
	int		 egress;	/* peer indices, -1 none */
	int		 other;		/* ingress: old or new ingress; egress: ingress */
	struct mh_prefix prefix;
	uint64_t	 expires_ms;	/* 0: not set */
	bool		 continuity;	/* ingress: the client needs service
					 * continuity (mobility 3) */
	/* ingress: why the session was last moved off its egress ("egress
	 * e1 down: 3 heartbeats missed"), "" never; and when (node time) */
	char		 why[80];
	uint64_t	 moved_ms;
};

typedef void	(*node_walk_fn)(void *arg, const struct node_session_info *);
void		 node_walk(const struct node *, node_walk_fn, void *arg);
/*
 * The same walk in steps, for a caller that must not hold the loop for a
 * million sessions (catsd's control socket streams show sessions): start
 * with a zeroed cursor; each call reports up to max sessions and returns
 * false once every role was walked to its end.  The node may change
 * between steps: a session added or removed meanwhile may or may not be
 * reported, and one whose table grew (rehashed) meanwhile may be reported
 * twice or not at all; never a freed one, and the walk always ends.
 */
struct node_cursor {
	int		 role;		/* enum role_id: the role being walked */
	size_t		 pos;		/* where in its table */
};
bool		 node_walk_step(const struct node *, struct node_cursor *,
		    size_t max, node_walk_fn, void *arg);

/* Entries of one kind charged to peer 'peer' (node_limits), for show
 * peers; 0 for a peer index out of range. */
size_t		 node_peer_state(const struct node *, int peer,
		    enum node_state_kind);
const char	*node_state_name(enum node_state_kind);

/* What the node knows of a peer's liveness (live.c), for show peers. */
enum node_live_state {
	NODE_LIVE_UNWATCHED,		/* no heartbeats to it (its role, or off) */
	NODE_LIVE_UNKNOWN,		/* watched, not heard yet: still usable */
	NODE_LIVE_UP,
	NODE_LIVE_DOWN,			/* heartbeat_misses unanswered in a row */
};

struct node_peer_live {
	enum node_live_state state;
	uint64_t	 since_ms;	/* node time of the last change, 0 none */
	uint64_t	 heard_ms;	/* node time it was last heard, 0 never */
	uint32_t	 missed;	/* heartbeats unanswered in a row */
	uint64_t	 downs;		/* times declared down */
};

const char	*node_live_name(enum node_live_state);
/* False when 'peer' is not a peer index. */
bool		 node_peer_liveness(const struct node *, int peer,
		    struct node_peer_live *);

/* Live sessions, for show commands and for benchmarks of memory. */
size_t		 node_session_count(const struct node *);
size_t		 node_memory(const struct node *);

#endif /* CATS_NODE_H */
