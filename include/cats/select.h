/*
 * select: the CATS Path Selector (C-PS).
 *
 * Holds the service instances, their compute metrics and the network metrics
 * from each ingress to each egress; answers "which instance should this
 * request from this ingress go to?" under the hard requirements of the
 * anchoring draft's CATS requirements option (draft-bernardos-cats-ip-
 * address-anchoring section 4.4), with flow affinity, hysteresis and a
 * herding guard.  One policy per selector, chosen from a table; the
 * simulator compares policies by running one selector per policy.
 *
 * For each (ingress, service) the instances sit in a tournament tree keyed
 * by (cost, CIS-ID) with per-subtree bounds on the requirement fields, so a
 * decision is O(1) without requirements and a branch-and-bound walk of
 * O(log n) per candidate with them; answers are cached per requirement
 * tuple until a leaf change can alter them.  A network update re-keys the
 * leaves it changes; a compute update is logged in O(1) and each ingress
 * re-keys the logged instances at its next decision.  docs/selection.md
 * explains the model, the rules and the structures.
 *
 * Identifiers are small integers below the limits given at creation: the
 * engine maps CS-IDs, CIS-IDs, ingress and egress addresses onto them.
 * Sans-I/O: time is an argument (milliseconds), nothing here reads a clock.
 * Memory is allocated at creation and when a service grows; select, better,
 * bind and release never allocate.
 */
#ifndef CATS_SELECT_H
#define CATS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/metric.h"

enum cats_policy {
	CATS_POL_RESPONSE_TIME,	/* predicted response time, M/M/c */
	CATS_POL_L1,		/* weighted L1 composition */
	CATS_POL_L2,		/* L2 score */
	CATS_POL_NEAREST,	/* lowest one-way delay */
	CATS_POL_ROUND_ROBIN,
	CATS_POL_RANDOM,
	CATS_POL_LEAST_LOADED,	/* lowest utilisation */
	CATS_POL__COUNT
};

/* Outcome of a decision.  Anything but CATS_SEL_OK is "no CATS sites
 * available", and says which requirement no instance met. */
enum cats_sel_reason {
	CATS_SEL_OK,
	CATS_SEL_BAD_ARG,		/* ingress or service out of range */
	CATS_SEL_NO_INSTANCE,		/* the service has no instance */
	CATS_SEL_NO_METRICS,		/* none has metrics from this ingress */
	CATS_SEL_BANDWIDTH,		/* NetMinBandwidth */
	CATS_SEL_LATENCY,		/* NetMaxLatency */
	CATS_SEL_LATENCY_VARIATION,	/* NetMaxLatencyVariation */
	CATS_SEL_LOSS,			/* NetMaxLoss */
	CATS_SEL_COMP_LATENCY,		/* CompMaxLatency */
	CATS_SEL_AFFINITY,		/* beside an excluded function, or
					 * without a required one */
	CATS_SEL_UNMEASURED,		/* a bounded network metric (bandwidth,
					 * delay variation, loss) never received */
	CATS_SEL_RESOURCES,		/* without a computing resource it
					 * needs (anchoring 3 step 1.d) */
	CATS_SEL_UNAVAILABLE,		/* its egress or itself is down
					 * (cats_sel_set_egress_up) */
	CATS_SEL__COUNT
};

/* Outcome of a management call. */
enum cats_sel_err {
	CATS_SERR_OK,
	CATS_SERR_RANGE,		/* an identifier over its limit */
	CATS_SERR_EXISTS,
	CATS_SERR_NOT_FOUND,
	CATS_SERR_NOMEM,
	CATS_SERR_BAD_ARG,
	CATS_SERR_TOO_MANY_FUNCTIONS,	/* over CATS_SEL_MAX_FUNCTIONS names */
	CATS_SERR_FULL,			/* affinity table full of live flows */
	CATS_SERR_TOO_MANY_RESOURCES,	/* over CATS_SEL_MAX_RESOURCES names */
	CATS_SERR__COUNT
};

#define CATS_SEL_MAX_FUNCTIONS	64
#define CATS_SEL_MAX_RESOURCES	64
#define CATS_SEL_MAX_SERVERS	4096u	/* c of M/M/c, per instance */
#define CATS_SEL_FUNCTION_LEN	64	/* with the terminating NUL; also
					 * a resource's name */
#define CATS_SEL_HERD_MAX	32
#define CATS_REQ_NONE		UINT32_MAX

/*
 * Hard requirements in the units of the wire option (section 4.4):
 * NetMinBandwidth octets/s, latencies ns, loss parts per billion.  0 for
 * bandwidth and CATS_REQ_NONE for the others mean "no requirement".
 * avoid: functions the instance must not run beside (cats_reqs_avoid);
 * with: functions it must run beside (cats_reqs_with);
 * needs: computing resources it must have (cats_reqs_needs).
 */
struct cats_reqs {
	uint32_t	min_bw;
	uint32_t	max_latency;
	uint32_t	max_latency_var;
	uint32_t	max_loss;
	uint32_t	max_comp_latency;
	uint64_t	avoid;
	uint64_t	with;
	uint64_t	needs;
};

struct cats_sel_cfg {
	uint32_t		max_ingresses;
	uint32_t		max_egresses;
	uint32_t		max_services;
	uint32_t		max_instances;
	uint32_t		max_flows;	/* affinity bindings */
	enum cats_policy	policy;
	/* Hysteresis: a challenger must beat the current instance's cost by
	 * max(hyst_abs, hyst_rel * |cost|) (policy cost units). */
	double			hyst_rel;
	double			hyst_abs;
	uint64_t		affinity_timeout_ms;	/* idle timeout */
	/* Herding guard: new flows go to one of the herd_max best instances
	 * whose cost is within max(herd_abs, herd_rel * |best|) of the best,
	 * drawn in proportion to spare capacity.  herd_max <= 1 turns it off. */
	double			herd_rel;
	double			herd_abs;
	uint32_t		herd_max;
	uint64_t		seed;
	double			l1_weight[CATS_L1__COUNT];	/* CATS_POL_L1 */
	struct cats_metric_cfg	metric;
};

struct cats_instance_def {
	uint32_t	instance;	/* CIS-ID */
	uint32_t	service;	/* CS-ID */
	uint32_t	egress;		/* the egress/site it sits behind */
	uint32_t	servers;	/* parallel servers (c of M/M/c), >= 1 */
	double		capacity;	/* requests/s at full load, >= 0 */
};

struct cats_choice {
	uint32_t	instance;
	uint32_t	egress;
	double		cost;		/* policy cost from the ingress, lower better */
	bool		sticky;		/* kept by flow affinity */
	bool		bound;		/* the flow now has an affinity binding */
};

struct cats_sel;

const char	*cats_policy_name(enum cats_policy);
int		 cats_policy_from_name(const char *);	/* -1 if unknown */
const char	*cats_sel_reason_name(enum cats_sel_reason);
const char	*cats_sel_err_name(enum cats_sel_err);

void		 cats_sel_cfg_default(struct cats_sel_cfg *);
struct cats_sel	*cats_sel_create(const struct cats_sel_cfg *);
void		 cats_sel_destroy(struct cats_sel *);
void		 cats_sel_seed(struct cats_sel *, uint64_t);
uint64_t	 cats_sel_rng_state(const struct cats_sel *);

enum cats_sel_err cats_sel_add_instance(struct cats_sel *,
		    const struct cats_instance_def *);
enum cats_sel_err cats_sel_remove_instance(struct cats_sel *, uint32_t);
enum cats_sel_err cats_sel_set_functions(struct cats_sel *, uint32_t instance,
		    const char *const *names, size_t n);
enum cats_sel_err cats_sel_set_resources(struct cats_sel *, uint32_t instance,
		    const char *const *names, size_t n);

enum cats_metric_err cats_sel_update_compute(struct cats_sel *,
		    uint32_t instance, const struct cats_sample *, size_t,
		    uint64_t ts_ms);
enum cats_metric_err cats_sel_update_net(struct cats_sel *, uint32_t ingress,
		    uint32_t egress, const struct cats_sample *, size_t,
		    uint64_t ts_ms);

void		 cats_reqs_none(struct cats_reqs *);
bool		 cats_reqs_avoid(const struct cats_sel *, struct cats_reqs *,
		    const char *function);
bool		 cats_reqs_with(const struct cats_sel *, struct cats_reqs *,
		    const char *function);
bool		 cats_reqs_needs(const struct cats_sel *, struct cats_reqs *,
		    const char *resource);

enum cats_sel_reason cats_sel_select(struct cats_sel *, uint32_t ingress,
		    uint32_t service, const struct cats_reqs *, uint64_t flow,
		    uint64_t now_ms, struct cats_choice *);
enum cats_sel_reason cats_sel_select_scan(struct cats_sel *, uint32_t ingress,
		    uint32_t service, const struct cats_reqs *, uint64_t flow,
		    uint64_t now_ms, struct cats_choice *);
bool		 cats_sel_better(struct cats_sel *, uint32_t ingress,
		    uint32_t service, const struct cats_reqs *, uint32_t current,
		    struct cats_choice *);
enum cats_sel_err cats_sel_bind(struct cats_sel *, uint64_t flow,
		    uint32_t instance, uint64_t now_ms);
bool		 cats_sel_release(struct cats_sel *, uint64_t flow);
size_t		 cats_sel_flow_count(const struct cats_sel *);
/*
 * One instance from one ingress against r: CATS_SEL_OK or the first
 * requirement it breaks.  With offer, what it can give, in the same units
 * (the conditions of anchoring 4.4; "none" when it has no metrics; with =
 * its functions, needs = its resources).  Read-only, like cats_sel_cost.
 */
enum cats_sel_reason cats_sel_judge(const struct cats_sel *, uint32_t ingress,
		    uint32_t instance, const struct cats_reqs *r,
		    struct cats_reqs *offer);
bool		 cats_sel_cost(const struct cats_sel *, uint32_t ingress,
		    uint32_t instance, double *cost);

/*
 * Availability (site failure, docs/engine.md): an instance that is down,
 * or behind an egress that is down, is never chosen, kept by flow
 * affinity or judged to meet anything (CATS_SEL_UNAVAILABLE), whatever
 * its metrics say; back up, it competes again on them.  The egress's
 * state and the instance's own are kept apart: an egress coming back
 * does not revive an instance that is down on its own.
 * cats_sel_set_egress_up returns how many instances sit behind it.
 */
size_t		 cats_sel_set_egress_up(struct cats_sel *, uint32_t egress,
		    bool up);
enum cats_sel_err cats_sel_set_instance_up(struct cats_sel *,
		    uint32_t instance, bool up);
bool		 cats_sel_available(const struct cats_sel *, uint32_t instance);

#endif
