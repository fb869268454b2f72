/*
 * node_int.h: what the node gives its roles, and the role interface.
 *
 * A role is a module with a few hooks (BIRD's protocols are the model): it
 * claims the message kinds and local events it handles, owns its tables,
 * and talks to the world only through the node (node_send, node_rtx_*,
 * node_timer, node_dp).  The node never knows what a role does.
 */
#ifndef CATS_NODE_INT_H
#define CATS_NODE_INT_H

#include "cats/node.h"
#include "table.h"

enum role_id {
	ROLE_INGRESS,
	ROLE_EGRESS,
	ROLE_CONTROLLER,
	ROLE_LOCATOR,
	ROLE__COUNT
};

/* Timer keys: role in the top byte, the role's own key below. */
#define TIMER_KEY(role, k)	((uint64_t)(role) << 56 | ((k) & 0x00ffffffffffffffull))
#define TIMER_ROLE(key)		((unsigned)((key) >> 56))
#define TIMER_SUB(key)		((key) & 0x00ffffffffffffffull)
#define TIMER_RTX		0xff	/* the node's own retransmission timers */
#define TIMER_LIVE		0xfe	/* the heartbeat tick (live.c) */

/* A received, decoded message. */
struct rx {
	const uint8_t	*src;		/* sender address */
	int		 peer;		/* index in cfg.peers, -1 for a client */
	struct mh_msg	 m;
};

struct role {
	const char	*name;
	enum node_role	 bit;
	bool		(*init)(struct node *, const char **why);
	void		(*free)(struct node *);
	/* true when the role handled (or deliberately dropped) the message */
	bool		(*msg)(struct node *, const struct rx *, uint64_t now);
	bool		(*local)(struct node *, const struct ev *, uint64_t now);
	void		(*timer)(struct node *, uint64_t sub, uint64_t now);
	/* a reliable message got no answer after the last retransmission */
	void		(*rtx_failed)(struct node *, uint64_t cookie, uint64_t now);
	/* report up to max sessions from *pos on (0: the first), leave *pos
	 * where the next call resumes; how many it reported (fewer than max:
	 * the role has no more) */
	size_t		(*walk)(const struct node *, size_t *pos, size_t max,
			    node_walk_fn, void *);
	size_t		(*sessions)(const struct node *);
	size_t		(*memory)(const struct node *);
	/* liveness (live.c): peer 'peer' was declared down ('missed'
	 * heartbeats in a row unanswered), or is heard again after that */
	void		(*peer_down)(struct node *, int peer, uint32_t missed,
			    uint64_t now);
	void		(*peer_up)(struct node *, int peer, uint64_t now);
};

struct rtx_entry;

/* An answer sent to a peer, kept to answer a retransmission of what it
 * answers (its sequence number) without any role seeing it again. */
#define NODE_ANSWERS	8		/* per peer */
struct node_answer {
	uint16_t	 seq;
	uint16_t	 len;
	uint8_t		*buf;
};

/* A token bucket (node_limits rate and burst), in thousandths of a
 * message so that a refill of a few milliseconds is not lost. */
struct node_bucket {
	uint64_t		 milli;	/* tokens x 1000 */
	uint64_t		 last;	/* ms of the last refill */
	bool			 primed; /* full from the first message on */
};

/* What the node keeps per peer for authentication and replay, and what
 * the peer holds here (node_charge). */
struct node_peer_rx {
	struct auth_window	 win;
	struct node_answer	 ans[NODE_ANSWERS];
	unsigned		 next;	/* ring position in ans */
	uint32_t		 used[NODE_STATE__COUNT];
	struct node_bucket	 bucket;
};

struct node {
	struct node_cfg		 cfg;
	const struct node_ops	*ops;
	void			*ctx;
	struct node_counters	 cnt;
	uint16_t		 seq;		/* next sequence number to send */
	void			*state[ROLE__COUNT];
	struct table		 rtx;		/* pending reliable messages by seq */
	struct node_peer_rx	*prx;		/* by peer index, cfg.npeers */
	struct node_bucket	 others;	/* every sender not a peer */
	uint64_t		 now;		/* of the event being handled */
	struct live		*live;		/* live.c; NULL: no heartbeats */
};

extern const struct role role_ingress, role_egress, role_controller,
    role_locator;

/* Sending.  node_send encodes m to dst; m->seq is used as given. */
bool		 node_send(struct node *, const uint8_t dst[16], struct mh_msg *);
uint16_t	 node_next_seq(struct node *);
/*
 * Send m reliably: it is retransmitted with exponential back-off until
 * node_rtx_done() is called with its sequence number and the address that
 * answered, or the tries run out (then role->rtx_failed(cookie)).
 * The sequence number is assigned here and returned.
 */
uint16_t	 node_rtx_send(struct node *, enum role_id, const uint8_t dst[16],
		    struct mh_msg *, uint64_t cookie, uint64_t now);
/* Take the pending message answered by 'seq' from 'src'; false if none. */
bool		 node_rtx_done(struct node *, uint16_t seq, const uint8_t src[16],
		    uint64_t *cookie);
/* Forget every pending message with this cookie (its session is gone). */
void		 node_rtx_cancel(struct node *, enum role_id, uint64_t cookie);
/* Answer a received message with a msg-ack of the given status. */
void		 node_ack(struct node *, const struct rx *, uint8_t status);

/* RFC 5213 8.8 timestamp of a time in milliseconds. */
uint64_t	 node_timestamp(uint64_t now_ms);
/* The timestamp of the event being handled, from the wall clock
 * (node_ops.wall). */
uint64_t	 node_stamp(const struct node *);
void		 node_timer(struct node *, enum role_id, uint64_t sub,
		    uint64_t at_ms);
void		 node_dp(struct node *, const struct dp_intent *);
void		 node_drop(struct node *, enum node_drop);

/*
 * Per-peer quotas (node_limits.state; docs/catsd.md "Bounded state").  An
 * entry a role makes because peer P asked (an egress binding, a session
 * from P's notification, a locator record, a pending message to P) is
 * charged to P while it lives.  The entry keeps the charge as an owner,
 * P's index + 1, 0 for none, so a zeroed entry owes nothing and a second
 * release does nothing.  node_charge with peer < 0 (a client, a local
 * event) charges nobody; false when P holds its quota: the caller refuses
 * (the drop, per-peer counter and log are done here).  node_recharge
 * moves an entry to another peer, false (nothing changed) when that one
 * holds its quota.  node_release on every path the entry goes by.
 */
bool		 node_charge(struct node *, int peer, enum node_state_kind,
		    uint8_t *owner);
bool		 node_recharge(struct node *, int peer, enum node_state_kind,
		    uint8_t *owner);
void		 node_release(struct node *, enum node_state_kind,
		    uint8_t *owner);

int		 node_peer_by_sel(const struct node *, uint32_t roles,
		    uint32_t sel_index);
const uint8_t	*node_peer_addr(const struct node *, int peer);
bool		 prefix_contains(const struct mh_prefix *, const uint8_t a[16]);

/* Fill the options every message about a client carries. */
void		 msg_client(struct mh_msg *, const uint8_t client[16]);
void		 msg_service(struct mh_msg *, const struct node *, uint16_t service);
/*
 * Requirements (anchoring 4.4) of a message in the C-PS's terms; the names
 * of the affinity entries are looked up in 'sel' when given.  CATS_SEL_OK,
 * or the reason nothing can meet them: a "with" names a function no
 * instance runs (affinity), a "needs" a resource none has (resources).
 */
enum cats_sel_reason reqs_from_msg(const struct cats_sel *,
		    const struct mh_msg *, struct cats_reqs *);
/* Judge the message's requirements against instance i of this node's
 * configuration from the ingress with C-PS index 'ingress': the static
 * conditions when configured, else the C-PS's metrics for that path and
 * instance, plus the instance's functions and resources.  Fields not
 * known pass (the chooser judged them).  Fills 'cond' with the conditions
 * (anchoring 4.4) when not NULL. */
enum cats_sel_reason reqs_judge(const struct node *, size_t i, uint32_t ingress,
		    const struct mh_msg *, struct mh_cats_req *cond);
/* Conditions against requirements, both in wire terms: CATS_SEL_OK or the
 * first requirement broken (anchoring 4.4 order).  A bounded field the
 * conditions leave unknown is unmet ("no-metric"), or passes with
 * unknown_ok (an egress vetoes only on what it knows). */
enum cats_sel_reason cond_reason(const struct mh_cats_req *cond,
		    const struct mh_cats_req *req, bool unknown_ok);
/* Conditions in wire terms from the C-PS's view of an instance. */
void		 cond_from_offer(struct mh_cats_req *, const struct cats_reqs *);
/* Count an unmet requirement (anchoring 3: "no CATS sites available"). */
void		 node_unmet(struct node *, enum cats_sel_reason);

/*
 * Liveness (live.c, RFC 5847).  live_init arms the first tick when the
 * node watches any peer; live_rx sees every message from a peer (it was
 * heard) and takes heartbeats and their answers (true: consumed);
 * live_tick runs at each TIMER_LIVE.  live_down: peer declared down.
 */
struct live;
bool		 live_init(struct node *);
void		 live_free(struct node *);
bool		 live_rx(struct node *, const struct rx *, uint64_t now);
void		 live_tick(struct node *, uint64_t now);
bool		 live_down(const struct node *, int peer);
/* Tell every role (role.peer_down / peer_up); live.c calls them. */
void		 node_peer_down(struct node *, int peer, uint32_t missed,
		    uint64_t now);
void		 node_peer_up(struct node *, int peer, uint64_t now);

/* A metric-report into the C-PS (report.c); false without a C-PS. */
bool		 node_report_rx(struct node *, const struct rx *, uint64_t now);
/*
 * Instance failure (docs/engine.md §7).  The egress: mark its instance
 * cis_id gone or back, and mark in 'on' the ingress peers holding a
 * binding on it; returns whether it was gone, -1 if not an instance here.  The ingress: re-steer every
 * session on instance cis_id at egress peer 'egress' (gone; false when
 * there is none), or ask again for the unmet ones (back; true).
 */
int		 eg_instance_gone(struct node *, uint32_t cis_id, bool gone,
		    bool on[NODE_MAX_PEERS]);
bool		 in_instance_gone(struct node *, int egress, uint32_t cis_id,
		    bool gone, uint64_t now);

/* The service a message names, or -1 (counted as unknown-service). */
int		 msg_service_index(struct node *, const struct mh_msg *);

#endif /* CATS_NODE_INT_H */
