/*
 * bench_select: decisions per second of the C-PS, indexed against a plain
 * linear scan over the same inputs, and metric updates per second.
 *
 * Setup: one service with 1000 instances, each behind its own egress, seen
 * from 100 ingresses; policy predicted response time with the herding guard
 * on (the defaults).  Requests cycle through a table of random ingresses;
 * a metric update (compute or network, alternately) lands every 1000
 * decisions.  Two request mixes: select.indexed/scan without hard
 * requirements (pure ranking), and select.reqs.* where half the requests
 * carry latency, bandwidth+loss, compute-latency or latency+variation
 * bounds that 10-20 % of the instances meet.
 *
 * Honesty: before timing, every decision of a verification run is made by
 * both paths from the same state (same PRNG state) and must agree; the
 * chosen ids feed a checksum that is printed, so the work cannot be
 * optimised away.  The scan reads the very leaves the index holds.  But
 * the index path also keeps, per ingress and requirement tuple, the
 * candidates of its last decision until a leaf change can alter them, and
 * the scan has no such cache: select.speedup and select.reqs.speedup are
 * the index with its cache against the scan without.  select.nocache.*
 * compares the two with no cache on either side: every request carries a
 * latency bound that every instance meets (owd is at most 50 ms), a
 * different one per request of the table, which changes no decision but
 * makes every index decision a cache miss.
 *
 * A compute update only logs the instance; each ingress applies the log at
 * its next decision.  So that metric.update* count that deferred work, each
 * run ends, inside the timed region, with a decision from every ingress,
 * which brings every tree up to date.  metric.update.settled goes further:
 * after every update, a decision from every ingress (NINGRESS decisions per
 * update), the cost of an update when every ingress decides between two
 * updates.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cats/select.h"

#define NINST		1000u
#define NINGRESS	100u
#define NREQ		4096u
#define NUPD		4096u
#define UPDATE_EVERY	1000u
#define VERIFY_N	200000u
#define IDX_N		30000000u
#define SCAN_N		1000000u
#define REQ_IDX_N	3000000u
#define REQ_SCAN_N	300000u
#define NOCACHE_IDX_N	3000000u
#define NOCACHE_SCAN_N	1000000u
#define LOOSE_LATENCY	1000000000u	/* 1 s: above every owd of make_net */
#define UPD_N		100000u

struct req {
	uint32_t	ingress;
	struct cats_reqs r;
};

struct upd {
	bool			compute;
	uint32_t		a, b;		/* instance, or ingress/egress */
	struct cats_sample	s[4];
};

static uint64_t rs = 42;

static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static double
uni(double lo, double hi)
{
	return lo + (hi - lo) * (double)(rnd() >> 11) * 0x1.0p-53;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
sample(struct cats_sample *s, enum cats_metric_id id, double v)
{
	s->id = id;
	s->stat = CATS_STAT_MEAN;
	s->window_ms = 1000;
	s->value = v;
}

static void
make_compute(struct upd *u, uint32_t inst)
{
	u->compute = true;
	u->a = inst;
	sample(&u->s[0], CATS_M_UTIL, uni(0.05, 0.95));
	sample(&u->s[1], CATS_M_PROC_DELAY, uni(1e6, 10e6));
	sample(&u->s[2], CATS_M_QUEUE, (double)(rnd() % 20));
	sample(&u->s[3], CATS_M_CAPACITY, uni(100, 2000));
}

static void
make_net(struct upd *u, uint32_t ingress, uint32_t egress)
{
	u->compute = false;
	u->a = ingress;
	u->b = egress;
	sample(&u->s[0], CATS_M_OWD, uni(1e6, 50e6));
	sample(&u->s[1], CATS_M_DELAY_VAR, uni(0, 5e6));
	sample(&u->s[2], CATS_M_LOSS, uni(0, 2e7));
	sample(&u->s[3], CATS_M_BANDWIDTH, uni(1e6, 1e9));
}

static void
apply(struct cats_sel *sel, const struct upd *u, uint64_t ts)
{
	enum cats_metric_err e;

	if (u->compute)
		e = cats_sel_update_compute(sel, u->a, u->s, 4, ts);
	else
		e = cats_sel_update_net(sel, u->a, u->b, u->s, 4, ts);
	if (e != CATS_MERR_OK) {
		fprintf(stderr, "bench: update refused: %s\n",
		    cats_metric_err_name(e));
		exit(1);
	}
}

static struct cats_sel *
setup(void)
{
	struct cats_sel_cfg cfg;
	struct cats_sel *sel;
	struct upd u;

	cats_sel_cfg_default(&cfg);
	cfg.max_ingresses = NINGRESS;
	cfg.max_egresses = NINST;
	cfg.max_services = 1;
	cfg.max_instances = NINST;
	cfg.max_flows = 0;
	sel = cats_sel_create(&cfg);
	if (sel == NULL)
		exit(1);
	for (uint32_t i = 0; i < NINST; i++) {
		struct cats_instance_def d = { i, 0, i, 1 + i % 8, 1000 };

		if (cats_sel_add_instance(sel, &d) != CATS_SERR_OK)
			exit(1);
		make_compute(&u, i);
		apply(sel, &u, 1);
		for (uint32_t g = 0; g < NINGRESS; g++) {
			make_net(&u, g, i);
			apply(sel, &u, 1);
		}
	}
	return sel;
}

static void
make_reqs(struct req *q, bool hard)
{
	for (uint32_t i = 0; i < NREQ; i++) {
		cats_reqs_none(&q[i].r);
		q[i].ingress = (uint32_t)(rnd() % NINGRESS);
		switch (hard ? rnd() % 8 : 0) {
		case 4:
			q[i].r.max_latency = 10000000;		/* 10 ms */
			break;
		case 5:
			q[i].r.min_bw = 500000000;		/* 4 Gbit/s */
			q[i].r.max_loss = 5000000;		/* 0.5 % */
			break;
		case 6:
			q[i].r.max_comp_latency = 3000000;	/* 3 ms */
			break;
		case 7:
			q[i].r.max_latency = 25000000;
			q[i].r.max_latency_var = 2000000;
			break;
		default:
			break;
		}
	}
}

/* Requests that the cache does not serve: a latency bound all meet, a
 * different one per request, so no two share a cache slot. */
static void
make_loose_reqs(struct req *q)
{
	for (uint32_t i = 0; i < NREQ; i++) {
		cats_reqs_none(&q[i].r);
		q[i].ingress = (uint32_t)(rnd() % NINGRESS);
		q[i].r.max_latency = LOOSE_LATENCY + i;
	}
}

static void
make_upds(struct upd *u)
{
	for (uint32_t i = 0; i < NUPD; i++) {
		if (i % 2 == 0)
			make_compute(&u[i], (uint32_t)(rnd() % NINST));
		else
			make_net(&u[i], (uint32_t)(rnd() % NINGRESS),
			    (uint32_t)(rnd() % NINST));
	}
}

typedef enum cats_sel_reason select_fn(struct cats_sel *, uint32_t, uint32_t,
    const struct cats_reqs *, uint64_t, uint64_t, struct cats_choice *);

/* n decisions with an update every UPDATE_EVERY; returns a checksum. */
static uint64_t
run(struct cats_sel *sel, select_fn *fn, const struct req *q,
    const struct upd *u, uint32_t n, uint64_t *ts)
{
	struct cats_choice c;
	uint64_t sum = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct req *r = &q[i % NREQ];

		if (i % UPDATE_EVERY == UPDATE_EVERY - 1)
			apply(sel, &u[(i / UPDATE_EVERY) % NUPD], ++*ts);
		if (fn(sel, r->ingress, 0, &r->r, 0, *ts, &c) == CATS_SEL_OK)
			sum = sum * 31 + c.instance;
		else
			sum = sum * 31 + 7;
	}
	return sum;
}

/* Both paths from the same state must choose the same instance. */
static uint32_t
verify(struct cats_sel *sel, const struct req *q, const struct upd *u,
    uint64_t *ts)
{
	uint32_t bad = 0;

	for (uint32_t i = 0; i < VERIFY_N; i++) {
		const struct req *r = &q[i % NREQ];
		struct cats_choice a, b;
		enum cats_sel_reason ra, rb;
		uint64_t st = cats_sel_rng_state(sel);

		if (i % UPDATE_EVERY == UPDATE_EVERY - 1)
			apply(sel, &u[(i / UPDATE_EVERY) % NUPD], ++*ts);
		ra = cats_sel_select_scan(sel, r->ingress, 0, &r->r, 0, *ts, &a);
		cats_sel_seed(sel, st);
		rb = cats_sel_select(sel, r->ingress, 0, &r->r, 0, *ts, &b);
		if (ra != rb || (ra == CATS_SEL_OK && a.instance != b.instance))
			bad++;
	}
	return bad;
}

/* One decision from every ingress: every tree applies the logged changes.
 * Returns a checksum so that the calls stay. */
static uint64_t
settle(struct cats_sel *sel, uint64_t ts)
{
	struct cats_reqs none;
	struct cats_choice c;
	uint64_t sum = 0;

	cats_reqs_none(&none);
	for (uint32_t g = 0; g < NINGRESS; g++)
		if (cats_sel_select(sel, g, 0, &none, 0, ts, &c) == CATS_SEL_OK)
			sum = sum * 31 + c.instance;
	return sum;
}

/* Updates per second, the deferred work included: settle at the end, or
 * after every update (each). */
static double
bench_updates(struct cats_sel *sel, const struct upd *u, bool compute,
    bool net, bool each, uint64_t *ts, uint64_t *sum)
{
	uint32_t done = 0, n = each ? UPD_N / 50 : UPD_N;
	double t0 = now_s();

	for (uint32_t i = 0; i < n; i++) {
		const struct upd *x = &u[i % NUPD];

		if ((x->compute && !compute) || (!x->compute && !net))
			continue;
		apply(sel, x, ++*ts);
		done++;
		if (each)
			*sum += settle(sel, *ts);
	}
	*sum += settle(sel, *ts);
	return done / (now_s() - t0);
}

/* Verify, then time both paths on one request mix; false on mismatch.
 * what says what the speedup compares. */
static bool
compare(struct cats_sel *sel, const char *name, const char *what,
    const struct req *q, const struct upd *u, uint32_t nidx, uint32_t nscan,
    uint64_t *ts)
{
	uint32_t bad = verify(sel, q, u, ts);
	uint64_t ci, cs;
	double t0, idx, scan;

	printf("%s.verify: %" PRIu32 " mismatches in %u decisions\n", name,
	    bad, VERIFY_N);
	if (bad != 0)
		return false;
	t0 = now_s();
	ci = run(sel, cats_sel_select, q, u, nidx, ts);
	idx = nidx / (now_s() - t0);
	t0 = now_s();
	cs = run(sel, cats_sel_select_scan, q, u, nscan, ts);
	scan = nscan / (now_s() - t0);
	printf("%s.indexed: %.0f decisions/s\n", name, idx);
	printf("%s.scan: %.0f decisions/s\n", name, scan);
	printf("%s.speedup: %.1f x (%s)\n", name, idx / scan, what);
	printf("%s.checksum: %016" PRIx64 " %016" PRIx64 " hex\n", name,
	    ci, cs);
	return true;
}

int
main(void)
{
	static struct req q[NREQ];
	static struct upd u[NUPD];
	struct cats_sel *sel = setup();
	uint64_t ts = 1, sum = 0;

	make_upds(u);
	make_reqs(q, false);
	if (!compare(sel, "select", "indexed, answering from its cache per "
	    "(ingress, requirements) until a change can alter the answer, vs "
	    "scan, which has no cache; no requirements, an update every 1000 "
	    "decisions", q, u, IDX_N, SCAN_N, &ts))
		return 1;
	make_reqs(q, true);
	if (!compare(sel, "select.reqs", "indexed vs scan; half the "
	    "requests carry one of four requirement tuples, half none; the "
	    "index serves both from its cache, the scan caches nothing", q, u,
	    REQ_IDX_N, REQ_SCAN_N, &ts))
		return 1;
	make_loose_reqs(q);
	if (!compare(sel, "select.nocache", "indexed vs scan, neither "
	    "caching: every request carries its own latency bound, which all "
	    "instances meet, so the index misses its cache", q, u,
	    NOCACHE_IDX_N, NOCACHE_SCAN_N, &ts))
		return 1;
	printf("metric.update: %.0f updates/s\n",
	    bench_updates(sel, u, true, true, false, &ts, &sum));
	printf("metric.update.compute: %.0f updates/s\n",
	    bench_updates(sel, u, true, false, false, &ts, &sum));
	printf("metric.update.network: %.0f updates/s\n",
	    bench_updates(sel, u, false, true, false, &ts, &sum));
	printf("metric.update.settled: %.0f updates/s (each followed by a "
	    "decision from each of the %u ingresses)\n",
	    bench_updates(sel, u, true, true, true, &ts, &sum), NINGRESS);
	printf("metric.checksum: %016" PRIx64 " hex\n", sum);
	cats_sel_destroy(sel);
	return 0;
}
