/*
 * metric: the CATS metric model (draft-ietf-cats-metric-definition).
 *
 * Three levels, as in the draft's "Definition of Metrics":
 *   L0  raw metrics with units: compute (utilisation, capacity, queue
 *       length, processing delay) and network (one-way delay, delay
 *       variation, loss, available bandwidth);
 *   L1  one unitless score 0..10 per category: computing, communication,
 *       service (predicted compute response time) and composed (predicted
 *       end-to-end response time);
 *   L2  one score 0..10 aggregated from the L1 scores.
 * A score of 10 is best.  Each L0 value carries its statistic (RFC 9439
 * section 3.2: current, mean, min, max) and the window it was measured over.
 *
 * Also here: validation of received samples (one reason per rejection), the
 * M/M/c queueing model that predicts compute delay from load, and damping at
 * the source (advertise on a large enough move or when a refresh is due).
 *
 * Pure functions and caller-owned state: no allocation, no clock, no globals.
 */
#ifndef CATS_METRIC_H
#define CATS_METRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* L0 metrics.  The compute ones come first, then the network ones. */
enum cats_metric_id {
	CATS_M_UTIL,		/* compute busy fraction, 0..1 */
	CATS_M_CAPACITY,	/* requests/s served at full load */
	CATS_M_QUEUE,		/* requests waiting */
	CATS_M_PROC_DELAY,	/* ns to serve one request, no queueing */
	CATS_M_OWD,		/* one-way delay ingress->egress, ns */
	CATS_M_DELAY_VAR,	/* one-way delay variation, ns */
	CATS_M_LOSS,		/* packet loss, parts per billion */
	CATS_M_BANDWIDTH,	/* available bandwidth, octets/s */
	CATS_M__COUNT
};

#define CATS_M_COMPUTE_FIRST	CATS_M_UTIL
#define CATS_M_NETWORK_FIRST	CATS_M_OWD
#define CATS_M_PER_KIND		4

enum cats_metric_kind {
	CATS_MK_COMPUTE,	/* reported per service instance (C-SMA) */
	CATS_MK_NETWORK,	/* reported per ingress->egress path (C-NMA) */
};

/* RFC 9439 section 3.2 statistics, which the draft reuses for L0. */
enum cats_stat {
	CATS_STAT_CUR,
	CATS_STAT_MEAN,
	CATS_STAT_MIN,
	CATS_STAT_MAX,
	CATS_STAT__COUNT
};

enum cats_l1_cat {
	CATS_L1_COMPUTING,
	CATS_L1_COMMUNICATION,
	CATS_L1_SERVICE,
	CATS_L1_COMPOSED,
	CATS_L1__COUNT
};

/* Why a metric update was refused.  A refused update changes nothing. */
enum cats_metric_err {
	CATS_MERR_OK,
	CATS_MERR_UNKNOWN_METRIC,	/* id outside enum cats_metric_id */
	CATS_MERR_WRONG_KIND,		/* network metric in a compute update... */
	CATS_MERR_BAD_STAT,		/* statistic outside enum cats_stat */
	CATS_MERR_NOT_FINITE,		/* NaN or infinity */
	CATS_MERR_RANGE,		/* outside the metric's valid range */
	CATS_MERR_BAD_WINDOW,		/* aggregate without a window, or > 1 day */
	CATS_MERR_DUPLICATE,		/* same metric twice in one update */
	CATS_MERR_EMPTY,		/* no sample, or a NULL array */
	CATS_MERR_UNKNOWN_INSTANCE,
	CATS_MERR_UNKNOWN_INGRESS,
	CATS_MERR_UNKNOWN_EGRESS,
	CATS_MERR_STALE,		/* older than the value held */
	CATS_MERR__COUNT
};

/* One L0 value as received: what, how aggregated, over which window. */
struct cats_sample {
	enum cats_metric_id	id;
	enum cats_stat		stat;
	uint32_t		window_ms;	/* 0 only with CATS_STAT_CUR */
	double			value;
};

/* One L0 value as held. */
struct cats_l0 {
	double		value;
	uint32_t	window_ms;
	uint8_t		stat;		/* enum cats_stat */
	bool		present;	/* received at least once */
};

/* The four compute or the four network L0 values, indexed by
 * id - CATS_M_COMPUTE_FIRST or id - CATS_M_NETWORK_FIRST. */
struct cats_l0_set {
	struct cats_l0	m[CATS_M_PER_KIND];
};

/* Normalization of one L0 value to an L1 input score 0..10 (10 best). */
enum cats_norm_fn {
	CATS_NORM_MINMAX,	/* linear between lo and hi, clamped */
	CATS_NORM_SIGMOID,	/* 10 / (1 + exp((x - mid) / scale)) */
};

struct cats_norm {
	enum cats_norm_fn	fn;
	bool			higher_better;
	double			lo, hi;		/* min-max */
	double			mid, scale;	/* sigmoid, scale > 0 */
};

struct cats_metric_cfg {
	struct cats_norm	norm[CATS_M__COUNT];
	double			w0[CATS_M__COUNT];	/* weight inside L1 */
	struct cats_norm	service;	/* of predicted compute ns */
	struct cats_norm	composed;	/* of predicted end-to-end ns */
	double			w2[CATS_L1__COUNT];	/* weight inside L2 */
};

/*
 * Damping at the source: advertise when the value moved by more than
 * max(abs[id], rel * |last|), or when max_interval_ms passed since it was
 * last advertised (a refresh).  draft-dcn-dmm-cats-mup section 3: "updating
 * frequency can be set to at least 30 seconds" (after draft-ietf-idr-5g-
 * edge-service-metadata): with min_interval_ms, nothing is advertised
 * sooner than that after the previous advertisement of the same source; a
 * change in between is held (cats_damp_next says until when) and goes out
 * then if it still stands.  0: no such floor.
 */
struct cats_damp_cfg {
	double		rel;
	double		abs[CATS_M__COUNT];
	uint64_t	max_interval_ms;
	uint64_t	min_interval_ms;
};

struct cats_damp {
	double		last[CATS_M__COUNT];
	uint64_t	last_ms[CATS_M__COUNT];
	uint32_t	sent;		/* bit per metric id: advertised once */
	uint32_t	held;		/* bit per metric id: due, held back */
	uint64_t	last_any_ms;	/* the source's last advertisement */
};

/* Predicted compute response time saturates here (ns): an instance at or
 * beyond full load ranks last but stays comparable. */
#define CATS_RESP_SATURATED	1e11

const char		*cats_metric_name(enum cats_metric_id);
const char		*cats_metric_err_name(enum cats_metric_err);
const char		*cats_stat_name(enum cats_stat);
/* The id of a name the functions above give, or -1. */
int			 cats_metric_by_name(const char *);
int			 cats_stat_by_name(const char *);
enum cats_metric_kind	 cats_metric_kind_of(enum cats_metric_id);
/* The values cats_sample_check takes for a metric: [lo, hi]. */
void			 cats_metric_range(enum cats_metric_id, double *lo,
			    double *hi);
enum cats_metric_err	 cats_sample_check(const struct cats_sample *,
			    enum cats_metric_kind);
enum cats_metric_err	 cats_samples_check(const struct cats_sample *, size_t,
			    enum cats_metric_kind);
void			 cats_l0_apply(struct cats_l0_set *,
			    const struct cats_sample *, size_t);

/* The 14 octets a metric takes on the wire, in the BGP CATS attribute and
 * the signaling's metric option alike (docs/wire.md 5.9, 8.4): id (1),
 * statistic (1), window in ms (4), value (8, IEEE 754 binary64, big
 * endian).  Reading refuses what cats_sample_check refuses. */
#define CATS_SAMPLE_WIRE_LEN	14
struct cur;
struct wbuf;
bool			 cats_sample_read(struct cur *, struct cats_sample *);
void			 cats_sample_write(struct wbuf *,
			    const struct cats_sample *);

void	 cats_metric_cfg_default(struct cats_metric_cfg *);
bool	 cats_metric_cfg_valid(const struct cats_metric_cfg *);
bool	 cats_norm_valid(const struct cats_norm *);
double	 cats_norm_apply(const struct cats_norm *, double);

double	 cats_mmc_response_ns(const struct cats_l0_set *, uint32_t servers);
double	 cats_spare_capacity(const struct cats_l0_set *);
double	 cats_l1_computing(const struct cats_metric_cfg *,
	    const struct cats_l0_set *);
double	 cats_l1_communication(const struct cats_metric_cfg *,
	    const struct cats_l0_set *);
double	 cats_l1_service(const struct cats_metric_cfg *, double resp_ns);
double	 cats_l1_composed(const struct cats_metric_cfg *, double e2e_ns);
double	 cats_l2(const struct cats_metric_cfg *, const double l1[CATS_L1__COUNT]);

void	 cats_damp_cfg_default(struct cats_damp_cfg *);
void	 cats_damp_init(struct cats_damp *);
bool	 cats_damp_offer(const struct cats_damp_cfg *, struct cats_damp *,
	    const struct cats_sample *, uint64_t now_ms);
/* When a held change may go out (offer the value again then); 0 when
 * nothing is held. */
uint64_t cats_damp_next(const struct cats_damp_cfg *,
	    const struct cats_damp *);

#endif
