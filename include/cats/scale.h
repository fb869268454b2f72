/*
 * scale: cats-sim's request-level simulator of a CATS domain at scale.
 *
 * A world is a topology (topo.h) with service sites on its nodes and a
 * population of clients that arrive (Poisson), run transactions against
 * services and move between the access nodes (random waypoint or a trace).
 * One run compares steering policies on the same world: every policy of
 * the C-PS (select.h, one selector per policy, fed the metrics a network
 * would feed it: sampled at the site, damped by cats_damp_offer and
 * delivered late) and an oracle that reads every site's true current
 * state.  Arrivals, transactions and moves come from per-client random
 * streams, so every policy sees the same offered load.
 *
 * A handover costs what the real engine says it costs: each (method, old
 * ingress, new ingress, sites) is played once by the packet-level
 * simulator (sim.h) with the nodes of node.h, under this topology's
 * delays; its interruption, signaling and losses are then applied to every
 * client making the same move (handover.c).  docs/scale.md has the
 * model, docs/results.md the numbers.
 *
 * Nothing here reads a clock: time is simulated, in microseconds.
 */
#ifndef CATS_SCALE_H
#define CATS_SCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cats/select.h"
#include "cats/topo.h"
#include "cats/trace.h"

#define SCALE_NAME_MAX		32
#define SCALE_MAX_SERVICES	64
#define SCALE_MAX_NEAR		4	/* waypoint steps: nearest access nodes */

/* A service: what one transaction costs and what its client requires. */
struct scale_service {
	char		 name[SCALE_NAME_MAX];
	double		 work_ms;	/* mean service time on a speed-1 server */
	double		 max_ms;	/* requirement: response time; 0 none */
	double		 net_ms;	/* NetMaxLatency to the C-PS; 0 none */
	double		 state_kb;	/* transaction state moved on a switch */
	double		 weight;	/* share of transactions, relative */
};

/* A service instance (CIS-ID): servers at a topology node. */
struct scale_site {
	uint32_t	 node;
	uint32_t	 service;
	uint32_t	 servers;
	double		 speed;		/* work per ms of one server */
};

enum scale_mobility {
	SCALE_MOB_WAYPOINT,	/* steps to near access nodes toward a goal */
	SCALE_MOB_TRACE,	/* moves from a trace file (trace.h) */
};

struct scale_world {
	struct topo		 topo;
	struct scale_service	 svc[SCALE_MAX_SERVICES];
	size_t			 nsvc;
	struct scale_site	*site;
	size_t			 nsite;
	uint32_t		*access;	/* access node indices */
	size_t			 naccess;
	int32_t			*access_of;	/* node -> access index or -1 */

	uint64_t		 clients;	/* arrivals over 'duration' */
	double			 duration_s;
	double			 session_s;	/* mean session length */
	double			 think_ms;	/* mean gap between transactions */
	double			 move_s;	/* mean stay at an ingress; 0: none */
	enum scale_mobility	 mobility;
	struct trace		 trace;
	double			 access_ms;	/* client <-> ingress, one way */
	uint32_t		 controller;	/* node of the C-PS */
	uint32_t		 locator;	/* node of the location server */
	uint32_t		 metric_interval_ms;
	uint32_t		 metric_delay_ms;
	uint32_t		 metric_window_ms;	/* EWMA; 0: the interval */
	double			 damp_rel;
	uint64_t		 seed;

	/* Derived by scale_world_prepare. */
	uint32_t		*owd;		/* [access][node] one-way us */
	uint32_t		*near;		/* [access][SCALE_MAX_NEAR] */
};

/* How a world file's topology and trace are read: the whole file,
 * NUL-terminated, malloc'd; NULL with 'err' filled.  (The fuzz harness
 * serves them from memory.) */
typedef char	*(*scale_read_fn)(void *arg, const char *path, size_t *len,
		    struct file_err *err);

/* Read a world file (docs/scale.md); its topology and trace paths are
 * relative to it.  -1 with 'err' naming the file, line and reason. */
int	 scale_world_load(struct scale_world *, const char *path,
	    struct file_err *);
/* The same from text; 'dir' resolves the files it names, 'read' (NULL:
 * the file system) reads them. */
int	 scale_world_parse(struct scale_world *, const char *buf, size_t len,
	    const char *file, const char *dir, scale_read_fn read, void *arg,
	    struct file_err *);
/* A synthetic world of 'sites' sites, seeded: a random geometric graph
 * over a continent-sized area, every fifth node an access node. */
int	 scale_world_generate(struct scale_world *, uint32_t sites,
	    uint64_t clients, uint64_t seed, struct file_err *);
/* Paths from every access node, the waypoint neighbours; after a load. */
int	 scale_world_prepare(struct scale_world *, struct file_err *);
void	 scale_world_free(struct scale_world *);
/* The world as a world file and an edge list (for a generated one). */
int	 scale_world_write(const struct scale_world *, FILE *world,
	    FILE *edges, const char *edges_name);

/* ---- a run ---- */

/* How a client's move is handled: the mobility draft's methods, or none
 * (results sent to the old ingress are lost). */
enum scale_method {
	SCALE_HO_NONE,
	SCALE_HO_PROACTIVE,
	SCALE_HO_REACTIVE_LOCATOR,
	SCALE_HO_REACTIVE_PREFIX,
	SCALE_HO__COUNT
};

/* The oracle follows the C-PS policies. */
#define SCALE_POL_ORACLE	CATS_POL__COUNT
#define SCALE_POL__COUNT	(CATS_POL__COUNT + 1)

struct scale_variant {
	uint32_t		 policy;	/* enum cats_policy or ORACLE */
	enum scale_method	 method;
	bool			 tx_switch;
};

/* Log-spaced histogram of microseconds: about 1 % resolution. */
#define SCALE_HIST_BINS	2400
struct scale_hist {
	uint64_t	 n;
	double		 sum;
	uint64_t	 bin[SCALE_HIST_BINS];
};

void	 scale_hist_add(struct scale_hist *, double us);
double	 scale_hist_quantile(const struct scale_hist *, double q);
double	 scale_hist_upper(size_t bin);	/* upper edge of a bin, us */

struct scale_result {
	struct scale_variant v;
	uint64_t	 events;
	uint64_t	 clients;
	uint64_t	 tx;		/* transactions started */
	uint64_t	 done;		/* results that reached their client */
	uint64_t	 lost;		/* results that never did */
	uint64_t	 duplicated;
	uint64_t	 missed;	/* lost or later than the service's max */
	uint64_t	 refused;	/* no instance met the requirements */
	uint64_t	 handovers;
	uint64_t	 switched;	/* transactions moved to another site */
	uint64_t	 sig_msgs;	/* signaling: set-ups, handovers, switches */
	uint64_t	 ho_msgs;	/* of which handovers and switches */
	uint64_t	 metric_msgs;	/* metric updates delivered to the C-PS */
	uint64_t	 ho_cache_miss;	/* handovers played by the real engine */
	uint64_t	 ho_unconverged;	/* moves whose play did not converge */
	struct scale_hist rt;		/* response time */
	struct scale_hist ho;		/* handover interruption */
};

typedef void	(*scale_tx_fn)(void *arg, const struct scale_result *,
		    uint64_t client, uint32_t service, uint32_t site,
		    double start_us, double rt_us, bool lost, bool missed);
typedef void	(*scale_load_fn)(void *arg, const struct scale_result *,
		    double t_s, const double *util, size_t nsite);
/* 'frac': simulated time over the world's duration, roughly. */
typedef void	(*scale_progress_fn)(void *arg, const struct scale_result *,
		    double frac);

struct scale_ho_cache;

struct scale_opts {
	double		 hyst_rel;
	uint32_t	 herd_max;
	uint32_t	 load_every_ms;		/* load_fn period; 0 none */
	scale_tx_fn	 tx_fn;			/* per transaction, may be NULL */
	scale_load_fn	 load_fn;
	void		*arg;
	scale_progress_fn progress;		/* every 2^20 events */
	struct scale_ho_cache *ho;		/* shared by runs; NULL: own */
	uint64_t	 event_limit;		/* 0: none */
};

void	 scale_opts_default(struct scale_opts *);
const char *scale_method_name(enum scale_method);
int	 scale_method_from_name(const char *);		/* -1 if unknown */
const char *scale_policy_name(uint32_t);
int	 scale_policy_from_name(const char *);		/* -1 if unknown */

/* Simulate the world under one variant.  -1 (errno) when memory ran out
 * or the world cannot be steered at all (a reason in 'why'). */
int	 scale_run(const struct scale_world *, const struct scale_variant *,
	    const struct scale_opts *, struct scale_result *,
	    char *why, size_t whylen);

/* ---- handover costs from the real engine (handover.c) ---- */

struct scale_ho {
	uint32_t	 interruption_us;
	uint32_t	 messages;	/* signaling from the move on */
	uint32_t	 lost;		/* results the small world lost */
	uint32_t	 duplicated;
	bool		 ok;		/* the small world converged */
};

struct scale_ho_cache *scale_ho_new(const struct scale_world *);
void	 scale_ho_free(struct scale_ho_cache *);
/* The cost of a move of a client from access index 'from' to 'to' whose
 * transaction runs at node 'site'; 'site2' is where switching would move
 * it (== site: no switch). */
const struct scale_ho *scale_ho_get(struct scale_ho_cache *,
	    enum scale_method, bool tx_switch, uint32_t from, uint32_t to,
	    uint32_t site, uint32_t site2);
uint64_t scale_ho_played(const struct scale_ho_cache *);
/* One-way delay between two nodes, us (rows computed on first use);
 * UINT32_MAX when unreachable or out of memory. */
uint32_t scale_ho_owd(struct scale_ho_cache *, uint32_t a, uint32_t b);
/* Signaling messages of one session set-up (anchoring option 2). */
uint32_t scale_ho_setup_messages(struct scale_ho_cache *);

/* ---- output (scale_out.c) ---- */

/* The summary: a table for people, or CSV. */
void	 scale_summary(FILE *, const struct scale_result *, size_t n,
	    double duration_s, bool csv);
/* Response-time CDF of each result and interruption per handover method
 * as gnuplot data files, and plots.gp drawing them (with load.csv when
 * there) as PNG and SVG, in 'dir'.  0 or -1 with errno. */
#define SCALE_PLOT_SITES	48	/* a plot per variant up to this */
int	 scale_plot_data(const char *dir, const struct scale_result *,
	    size_t n, size_t nsite);

#endif /* CATS_SCALE_H */
