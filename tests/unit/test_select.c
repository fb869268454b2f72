/* Unit tests for the CATS path selector: requirements, reasons, ties,
 * hysteresis, affinity, herding, bad input, index against scan. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "cats/select.h"

#define MS	1e6

/* Limits for n instances, one ingress, one service. */
static void
small_cfg(struct cats_sel_cfg *cfg, uint32_t n)
{
	cats_sel_cfg_default(cfg);
	cfg->max_ingresses = 1;
	cfg->max_egresses = n;
	cfg->max_instances = n;
	cfg->max_services = 1;
}

/* A small world: instance i sits behind egress i. */
static struct cats_sel *
world(enum cats_policy pol, uint32_t ninst, uint32_t herd_max)
{
	struct cats_sel_cfg cfg;
	struct cats_sel *sel;

	small_cfg(&cfg, 64);
	cfg.max_ingresses = 4;
	cfg.max_services = 4;
	cfg.max_flows = 4096;
	cfg.policy = pol;
	cfg.herd_max = herd_max;
	sel = cats_sel_create(&cfg);
	assert_non_null(sel);
	for (uint32_t i = 0; i < ninst; i++) {
		struct cats_instance_def d = { i, 0, i, 1, 1000 };

		assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_OK);
	}
	return sel;
}

static enum cats_metric_err
compute(struct cats_sel *sel, uint32_t inst, double util, double proc_ns,
    uint64_t ts)
{
	struct cats_sample s[2] = {
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, util },
		{ CATS_M_PROC_DELAY, CATS_STAT_MEAN, 1000, proc_ns },
	};

	return cats_sel_update_compute(sel, inst, s, 2, ts);
}

struct path {
	double	owd, dv, loss, bw;
};

static enum cats_metric_err
network(struct cats_sel *sel, uint32_t g, uint32_t e, const struct path *p,
    uint64_t ts)
{
	struct cats_sample s[4] = {
		{ CATS_M_OWD, CATS_STAT_MEAN, 1000, p->owd },
		{ CATS_M_DELAY_VAR, CATS_STAT_MAX, 1000, p->dv },
		{ CATS_M_LOSS, CATS_STAT_MEAN, 1000, p->loss },
		{ CATS_M_BANDWIDTH, CATS_STAT_MIN, 1000, p->bw },
	};

	return cats_sel_update_net(sel, g, e, s, 4, ts);
}

static void
net_owd(struct cats_sel *sel, uint32_t g, uint32_t e, double owd, uint64_t ts)
{
	struct path p = { owd, 0, 0, 1e9 };

	assert_int_equal(network(sel, g, e, &p, ts), CATS_MERR_OK);
}

/* The same metrics (timestamp 1, ingress 0) into several selectors. */
static void
feed(struct cats_sel *const *sels, size_t n, uint32_t inst, double util,
    double owd)
{
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(compute(sels[k], inst, util, 1 * MS, 1),
		    CATS_MERR_OK);
		net_owd(sels[k], 0, inst, owd, 1);
	}
}

/* ---- hard requirements: never broken, and the reason when unmet ---- */

#define RQ_INST	24

struct truth {
	struct path	p[RQ_INST];
	double		resp[RQ_INST];
	bool		runs_y[RQ_INST];
	bool		has_g[RQ_INST];		/* the resource "G" */
};

static bool
meets(const struct truth *t, uint32_t i, const struct cats_reqs *r,
    uint64_t y_bit)
{
	return t->p[i].bw >= r->min_bw && t->p[i].owd <= r->max_latency &&
	    t->p[i].dv <= r->max_latency_var && t->p[i].loss <= r->max_loss &&
	    t->resp[i] <= r->max_comp_latency &&
	    !(t->runs_y[i] && (r->avoid & y_bit)) &&
	    (t->has_g[i] || r->needs == 0);
}

static void
random_reqs(struct cats_reqs *r, const struct cats_sel *sel)
{
	cats_reqs_none(r);
	if (rand() % 2)
		r->min_bw = (uint32_t)(rand() % 1000) * 1000000u;
	if (rand() % 2)
		r->max_latency = (uint32_t)(rand() % 40) * 1000000u;
	if (rand() % 3 == 0)
		r->max_latency_var = (uint32_t)(rand() % 5) * 1000000u;
	if (rand() % 3 == 0)
		r->max_loss = (uint32_t)(rand() % 20000000);
	if (rand() % 3 == 0)
		r->max_comp_latency = (uint32_t)(rand() % 20) * 1000000u;
	if (rand() % 4 == 0)
		cats_reqs_avoid(sel, r, "Y");
	if (rand() % 4 == 0)
		cats_reqs_needs(sel, r, "G");
}

static void
fill_random(struct cats_sel *sel, struct truth *t, uint64_t ts)
{
	static const char *const y[] = { "X", "Y" };
	static const char *const g[] = { "G" };

	for (uint32_t i = 0; i < RQ_INST; i++) {
		struct path *p = &t->p[i];
		double util = (rand() % 90) / 100.0, proc = 1 + rand() % 10;
		struct cats_l0_set m = { 0 };
		struct cats_sample s[2] = {
			{ CATS_M_UTIL, CATS_STAT_CUR, 0, util },
			{ CATS_M_PROC_DELAY, CATS_STAT_MEAN, 1000, proc * MS },
		};

		p->owd = (1 + rand() % 40) * MS + 0.5;
		p->dv = (rand() % 5) * MS;
		p->loss = rand() % 20000000;
		p->bw = (rand() % 1000) * 1e6;
		assert_int_equal(network(sel, 0, i, p, ts), CATS_MERR_OK);
		assert_int_equal(cats_sel_update_compute(sel, i, s, 2, ts),
		    CATS_MERR_OK);
		cats_l0_apply(&m, s, 2);
		t->resp[i] = cats_mmc_response_ns(&m, 1);
		t->runs_y[i] = rand() % 3 == 0;
		assert_int_equal(cats_sel_set_functions(sel, i, y,
		    t->runs_y[i] ? 2 : 1), CATS_SERR_OK);
		t->has_g[i] = rand() % 3 == 0;
		assert_int_equal(cats_sel_set_resources(sel, i, g,
		    t->has_g[i] ? 1 : 0), CATS_SERR_OK);
	}
}

static void
check_requirements(enum cats_policy pol)
{
	struct cats_sel *sel = world(pol, RQ_INST, 8);
	struct truth t;
	uint32_t ok = 0, none = 0;

	srand(7 + pol);
	for (int round = 0; round < 20; round++) {
		fill_random(sel, &t, (uint64_t)round + 1);
		for (int k = 0; k < 100; k++) {
			struct cats_reqs r;
			struct cats_choice c;
			enum cats_sel_reason why;
			bool any = false;

			random_reqs(&r, sel);
			why = cats_sel_select(sel, 0, 0, &r, 0, 0, &c);
			for (uint32_t i = 0; i < RQ_INST; i++)
				any |= meets(&t, i, &r, r.avoid);
			if (why == CATS_SEL_OK) {
				assert_true(meets(&t, c.instance, &r, r.avoid));
				ok++;
			} else {
				assert_false(any);
				assert_true(why >= CATS_SEL_BANDWIDTH);
				none++;
			}
		}
	}
	/* Both outcomes must have been exercised for the test to mean much. */
	assert_true(ok > 100);
	assert_true(none > 100);
	cats_sel_destroy(sel);
}

static void
test_requirements_all_policies(void **state)
{
	(void)state;
	for (int p = 0; p < CATS_POL__COUNT; p++)
		check_requirements((enum cats_policy)p);
}

struct reason_case {
	const char		*name;
	struct cats_reqs	 r;
	enum cats_sel_reason	 want;
};

static void
test_reasons(void **state)
{
	/* Both instances: owd 10 ms, dv 1 ms, loss 1e6 ppb, bw 1e8 B/s,
	 * compute ~2 ms, both run "Y". */
	static const struct reason_case cases[] = {
		{ "fits", { 1, 20000000, 2000000, 2000000, 5000000, 0, 0, 0 },
		    CATS_SEL_OK },
		{ "bandwidth", { 200000000, CATS_REQ_NONE, CATS_REQ_NONE,
		    CATS_REQ_NONE, CATS_REQ_NONE, 0, 0, 0 }, CATS_SEL_BANDWIDTH },
		{ "latency", { 0, 5000000, CATS_REQ_NONE, CATS_REQ_NONE,
		    CATS_REQ_NONE, 0, 0, 0 }, CATS_SEL_LATENCY },
		{ "latency-exact", { 0, 10000000, CATS_REQ_NONE, CATS_REQ_NONE,
		    CATS_REQ_NONE, 0, 0, 0 }, CATS_SEL_OK },
		{ "variation", { 0, CATS_REQ_NONE, 999999, CATS_REQ_NONE,
		    CATS_REQ_NONE, 0, 0, 0 }, CATS_SEL_LATENCY_VARIATION },
		{ "loss", { 0, CATS_REQ_NONE, CATS_REQ_NONE, 999999,
		    CATS_REQ_NONE, 0, 0, 0 }, CATS_SEL_LOSS },
		{ "compute", { 0, CATS_REQ_NONE, CATS_REQ_NONE, CATS_REQ_NONE,
		    1000000, 0, 0, 0 }, CATS_SEL_COMP_LATENCY },
		{ "affinity", { 0, CATS_REQ_NONE, CATS_REQ_NONE, CATS_REQ_NONE,
		    CATS_REQ_NONE, 1, 0, 0 }, CATS_SEL_AFFINITY },
	};
	static const char *const y[] = { "Y" };
	struct cats_sel *sel = world(CATS_POL_RESPONSE_TIME, 2, 8);
	struct path p = { 10 * MS, 1 * MS, 1e6, 1e8 };
	struct cats_reqs none;
	struct cats_choice c;

	(void)state;
	cats_reqs_none(&none);
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, 0, 0, &c),
	    CATS_SEL_NO_METRICS);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(compute(sel, i, 0.5, 1 * MS, 1), CATS_MERR_OK);
		assert_int_equal(network(sel, 0, i, &p, 1), CATS_MERR_OK);
		assert_int_equal(cats_sel_set_functions(sel, i, y, 1),
		    CATS_SERR_OK);
	}
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		enum cats_sel_reason got =
		    cats_sel_select(sel, 0, 0, &cases[k].r, 0, 0, &c);

		if (got != cases[k].want)
			fail_msg("%s: got %s want %s", cases[k].name,
			    cats_sel_reason_name(got),
			    cats_sel_reason_name(cases[k].want));
	}
	assert_int_equal(cats_sel_select(sel, 1, 0, &none, 0, 0, &c),
	    CATS_SEL_NO_METRICS);
	assert_int_equal(cats_sel_select(sel, 0, 1, &none, 0, 0, &c),
	    CATS_SEL_NO_INSTANCE);
	assert_int_equal(cats_sel_select(sel, 9, 0, &none, 0, 0, &c),
	    CATS_SEL_BAD_ARG);
	assert_false(cats_reqs_avoid(sel, &none, "nobody-runs-this"));
	assert_string_equal(cats_sel_reason_name(CATS_SEL_AFFINITY), "affinity");
	cats_sel_destroy(sel);
}

/* Anchoring 3 step 1.d: "needs" a computing resource; only an instance
 * that has it qualifies, and when none does the reason is "resources". */
static void
test_needs_resources(void **state)
{
	static const char *const gpu[] = { "gpu" }, *const fpga[] = { "fpga" };
	struct cats_sel *sel = world(CATS_POL_RESPONSE_TIME, 2, 0);
	struct path near = { 1 * MS, 0, 0, 1e9 }, far = { 9 * MS, 0, 0, 1e9 };
	struct cats_reqs r, offer;
	struct cats_choice c;

	(void)state;
	for (uint32_t i = 0; i < 2; i++)
		assert_int_equal(compute(sel, i, 0.5, 1 * MS, 1), CATS_MERR_OK);
	assert_int_equal(network(sel, 0, 0, &near, 1), CATS_MERR_OK);
	assert_int_equal(network(sel, 0, 1, &far, 1), CATS_MERR_OK);
	/* nobody has anything yet: a need can be met nowhere */
	cats_reqs_none(&r);
	assert_false(cats_reqs_needs(sel, &r, "gpu"));
	assert_int_equal(r.needs, 0);
	assert_int_equal(cats_sel_set_resources(sel, 0, gpu, 1), CATS_SERR_OK);
	assert_int_equal(cats_sel_set_resources(sel, 1, fpga, 1), CATS_SERR_OK);

	/* met: the nearer instance has the gpu, the farther the fpga */
	assert_true(cats_reqs_needs(sel, &r, "gpu"));
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 0, &c), CATS_SEL_OK);
	assert_int_equal(c.instance, 0);
	cats_reqs_none(&r);
	assert_true(cats_reqs_needs(sel, &r, "fpga"));
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 0, &c), CATS_SEL_OK);
	assert_int_equal(c.instance, 1);
	assert_int_equal(cats_sel_select_scan(sel, 0, 0, &r, 0, 0, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 1);
	/* a function name is not a resource, nor the other way round */
	assert_false(cats_reqs_with(sel, &r, "fpga"));

	/* unmet: nobody has both */
	assert_true(cats_reqs_needs(sel, &r, "gpu"));
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 0, &c),
	    CATS_SEL_RESOURCES);
	assert_int_equal(cats_sel_select_scan(sel, 0, 0, &r, 0, 0, &c),
	    CATS_SEL_RESOURCES);
	assert_string_equal(cats_sel_reason_name(CATS_SEL_RESOURCES),
	    "resources");
	/* one instance judged (egress, switching), and what it offers */
	assert_int_equal(cats_sel_judge(sel, 0, 0, &r, &offer),
	    CATS_SEL_RESOURCES);
	cats_reqs_none(&r);
	assert_true(cats_reqs_needs(sel, &r, "gpu"));
	assert_int_equal(cats_sel_judge(sel, 0, 0, &r, &offer), CATS_SEL_OK);
	assert_int_equal(offer.needs, r.needs);
	/* the current instance loses it: a switch is better at once */
	assert_true(cats_sel_better(sel, 0, 0, &r, 1, &c));
	assert_int_equal(c.instance, 0);
	assert_int_equal(cats_sel_set_resources(sel, 0, gpu, 0), CATS_SERR_OK);
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 0, &c),
	    CATS_SEL_RESOURCES);
	cats_sel_destroy(sel);
}

/* ---- ties, determinism ---- */

static void
test_ties(void **state)
{
	struct cats_sel *a = world(CATS_POL_RESPONSE_TIME, 6, 0);
	struct cats_sel *b = world(CATS_POL_RESPONSE_TIME, 6, 8);
	struct cats_sel *b2 = world(CATS_POL_RESPONSE_TIME, 6, 8);
	struct cats_reqs none;
	struct cats_choice c, c2;

	(void)state;
	cats_reqs_none(&none);
	/* All equal, added in order 0..5; make 3 and 5 differ only by id. */
	for (uint32_t i = 0; i < 6; i++) {
		struct cats_sel *const all[3] = { a, b, b2 };

		feed(all, 3, i, 0.2, (i == 3 || i == 5) ? 1 * MS : 9 * MS);
	}
	for (int k = 0; k < 50; k++) {
		assert_int_equal(cats_sel_select(a, 0, 0, &none, 0, 0, &c),
		    CATS_SEL_OK);
		assert_int_equal(c.instance, 3);
	}
	/* Remove and re-add 3: it now sits after 5, the tie still goes to
	 * the lower id, not to the position. */
	assert_int_equal(cats_sel_remove_instance(a, 3), CATS_SERR_OK);
	assert_int_equal(cats_sel_select(a, 0, 0, &none, 0, 0, &c), CATS_SEL_OK);
	assert_int_equal(c.instance, 5);
	{
		struct cats_instance_def d = { 3, 0, 3, 1, 1000 };

		assert_int_equal(cats_sel_add_instance(a, &d), CATS_SERR_OK);
		compute(a, 3, 0.2, 1 * MS, 2);
	}
	assert_int_equal(cats_sel_select(a, 0, 0, &none, 0, 0, &c), CATS_SEL_OK);
	assert_int_equal(c.instance, 3);
	/* With the herding guard, the draw is a function of the seed. */
	for (int k = 0; k < 200; k++) {
		cats_sel_select(b, 0, 0, &none, 0, 0, &c);
		cats_sel_select(b2, 0, 0, &none, 0, 0, &c2);
		assert_int_equal(c.instance, c2.instance);
		assert_true(c.instance == 3 || c.instance == 5);
	}
	cats_sel_destroy(a);
	cats_sel_destroy(b);
	cats_sel_destroy(b2);
}

/* ---- hysteresis ---- */

static uint32_t
count_switches(double hyst_rel)
{
	struct cats_sel_cfg cfg;
	struct cats_sel *sel;
	struct cats_reqs none;
	struct cats_choice c;
	uint32_t cur = 0, switches = 0;

	small_cfg(&cfg, 2);
	cfg.hyst_rel = hyst_rel;
	sel = cats_sel_create(&cfg);
	assert_non_null(sel);
	cats_reqs_none(&none);
	for (uint32_t i = 0; i < 2; i++) {
		struct cats_instance_def d = { i, 0, i, 1, 1000 };

		cats_sel_add_instance(sel, &d);
		compute(sel, i, 0.1, 1 * MS, 1);
	}
	net_owd(sel, 0, 0, 20 * MS, 1);
	/* Instance 1's delay swings 3 % either side of instance 0's. */
	for (uint64_t t = 2; t < 202; t++) {
		net_owd(sel, 0, 1, (t % 2 ? 19.4 : 20.6) * MS, t);
		if (cats_sel_better(sel, 0, 0, &none, cur, &c)) {
			cur = c.instance;
			switches++;
		}
	}
	cats_sel_destroy(sel);
	return switches;
}

static void
test_hysteresis(void **state)
{
	(void)state;
	assert_true(count_switches(0) >= 150);	/* flaps without a margin */
	assert_int_equal(count_switches(0.10), 0);
	assert_true(count_switches(0.01) >= 150);
}

static void
test_better_moves_when_clearly_better(void **state)
{
	struct cats_sel *sel = world(CATS_POL_RESPONSE_TIME, 2, 0);
	struct cats_reqs r;
	struct cats_choice c;

	(void)state;
	cats_reqs_none(&r);
	feed(&sel, 1, 0, 0.1, 10 * MS);
	feed(&sel, 1, 1, 0.1, 30 * MS);
	assert_false(cats_sel_better(sel, 0, 0, &r, 0, &c));
	assert_true(cats_sel_better(sel, 0, 0, &r, 1, &c));
	assert_int_equal(c.instance, 0);
	/* A current instance that breaks a requirement is always beaten. */
	r.max_latency = 5000000;
	net_owd(sel, 0, 1, 4 * MS, 2);
	assert_true(cats_sel_better(sel, 0, 0, &r, 0, &c));
	assert_int_equal(c.instance, 1);
	cats_sel_destroy(sel);
}

/* ---- affinity ---- */

static void
test_affinity_timeout(void **state)
{
	struct cats_sel *sel = world(CATS_POL_RESPONSE_TIME, 2, 0);
	struct cats_reqs none;
	struct cats_choice c;
	const uint64_t flow = 0xabcdef;

	(void)state;
	cats_reqs_none(&none);
	feed(&sel, 1, 0, 0.1, 10 * MS);
	feed(&sel, 1, 1, 0.1, 20 * MS);
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 1000, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 0);
	assert_true(c.bound);
	assert_false(c.sticky);
	/* Instance 1 becomes far better; the flow stays until idle 30 s. */
	net_owd(sel, 0, 0, 50 * MS, 2);
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 20000, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 0);
	assert_true(c.sticky);
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 49999, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 0);	/* refreshed at 20000 */
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 79998, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 0);	/* 1 ms before it ends */
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 79998 + 30000,
	    &c), CATS_SEL_OK);
	assert_int_equal(c.instance, 1);	/* expired: chosen afresh */
	assert_false(c.sticky);
	/* Release ends it at once; re-binding by hand (transaction switch). */
	assert_int_equal(cats_sel_bind(sel, flow, 0, 200000), CATS_SERR_OK);
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 200001, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 0);
	assert_true(cats_sel_release(sel, flow));
	assert_false(cats_sel_release(sel, flow));
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 200002, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 1);
	/* A removed instance does not hold its flows. */
	assert_int_equal(cats_sel_remove_instance(sel, 1), CATS_SERR_OK);
	assert_int_equal(cats_sel_select(sel, 0, 0, &none, flow, 200003, &c),
	    CATS_SEL_OK);
	assert_int_equal(c.instance, 0);
	assert_int_equal(cats_sel_flow_count(sel), 1);
	cats_sel_destroy(sel);
}

static void
test_affinity_table_full(void **state)
{
	struct cats_sel_cfg cfg;
	struct cats_sel *sel;
	struct cats_reqs none;
	struct cats_choice c;

	(void)state;
	small_cfg(&cfg, 1);
	cfg.max_flows = 8;
	sel = cats_sel_create(&cfg);
	{
		struct cats_instance_def d = { 0, 0, 0, 1, 1000 };

		cats_sel_add_instance(sel, &d);
	}
	compute(sel, 0, 0.1, 1 * MS, 1);
	net_owd(sel, 0, 0, 1 * MS, 1);
	cats_reqs_none(&none);
	for (uint64_t f = 1; f <= 8; f++) {
		cats_sel_select(sel, 0, 0, &none, f, 0, &c);
		assert_true(c.bound);
	}
	cats_sel_select(sel, 0, 0, &none, 9, 0, &c);
	assert_false(c.bound);			/* full of live flows */
	for (uint64_t f = 1; f <= 8; f += 2)	/* holes in probe chains */
		assert_true(cats_sel_release(sel, f));
	for (uint64_t f = 2; f <= 8; f += 2) {
		cats_sel_select(sel, 0, 0, &none, f, 1, &c);
		assert_true(c.sticky);
	}
	for (uint64_t f = 11; f <= 14; f++) {
		cats_sel_select(sel, 0, 0, &none, f, 1, &c);
		assert_true(c.bound);
	}
	assert_int_equal(cats_sel_flow_count(sel), 8);
	cats_sel_select(sel, 0, 0, &none, 100, 40000, &c);
	assert_true(c.bound);			/* expired ones purged */
	assert_int_equal(cats_sel_flow_count(sel), 1);
	cats_sel_destroy(sel);
}

/* ---- herding guard ---- */

static void
herd_world(struct cats_sel *sel)
{
	/* Three near-best instances with spare capacity 500, 300 and 200
	 * requests/s; instance 3 is far. */
	static const double util[4] = { 0.5, 0.7, 0.8, 0.0 };
	static const double owd[4] = { 10 * MS, 10.1 * MS, 10.2 * MS, 40 * MS };

	for (uint32_t i = 0; i < 4; i++) {
		struct cats_instance_def d = { i, 0, i, 1000, 1000 };

		assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_OK);
		/* Many servers and a short service time: the load changes the
		 * predicted delay little, so the costs stay near. */
		assert_int_equal(compute(sel, i, util[i], 0.01 * MS, 1),
		    CATS_MERR_OK);
		net_owd(sel, 0, i, owd[i], 1);
	}
}

static void
test_herding(void **state)
{
	struct cats_sel_cfg cfg;
	struct cats_sel *sel;
	struct cats_reqs none;
	struct cats_choice c;
	uint32_t count[4] = { 0 };

	(void)state;
	small_cfg(&cfg, 4);
	sel = cats_sel_create(&cfg);
	herd_world(sel);
	cats_reqs_none(&none);
	for (uint64_t f = 1; f <= 1000; f++) {
		assert_int_equal(cats_sel_select(sel, 0, 0, &none, f, 5, &c),
		    CATS_SEL_OK);
		count[c.instance]++;
	}
	assert_int_equal(count[3], 0);
	assert_in_range(count[0], 450, 550);
	assert_in_range(count[1], 250, 350);
	assert_in_range(count[2], 160, 240);
	/* Same clients again: affinity keeps every one where it was. */
	for (uint64_t f = 1; f <= 1000; f++) {
		cats_sel_select(sel, 0, 0, &none, f, 6, &c);
		assert_true(c.sticky);
	}
	cats_sel_destroy(sel);
	/* Without the guard, all land on the single best. */
	cfg.herd_max = 0;
	sel = cats_sel_create(&cfg);
	herd_world(sel);
	for (uint64_t f = 1; f <= 1000; f++) {
		cats_sel_select(sel, 0, 0, &none, f, 5, &c);
		assert_int_equal(c.instance, 0);
	}
	cats_sel_destroy(sel);
}

/* ---- bad input changes nothing ---- */

struct bad_case {
	const char		*name;
	bool			 net;
	uint32_t		 a, b;	/* instance, or ingress and egress */
	struct cats_sample	 s;
	uint64_t		 ts;
	enum cats_metric_err	 want;
};

static void
test_bad_input(void **state)
{
	static const struct bad_case cases[] = {
		{ "nan", false, 0, 0, { CATS_M_UTIL, CATS_STAT_CUR, 0, NAN },
		    10, CATS_MERR_NOT_FINITE },
		{ "util-range", false, 0, 0,
		    { CATS_M_UTIL, CATS_STAT_CUR, 0, 2 }, 10, CATS_MERR_RANGE },
		{ "unknown-instance", false, 7, 0,
		    { CATS_M_UTIL, CATS_STAT_CUR, 0, 0.9 }, 10,
		    CATS_MERR_UNKNOWN_INSTANCE },
		{ "instance-over-limit", false, 1000, 0,
		    { CATS_M_UTIL, CATS_STAT_CUR, 0, 0.9 }, 10,
		    CATS_MERR_UNKNOWN_INSTANCE },
		{ "stale-compute", false, 0, 0,
		    { CATS_M_UTIL, CATS_STAT_CUR, 0, 0.9 }, 4, CATS_MERR_STALE },
		{ "wrong-kind", false, 0, 0,
		    { CATS_M_OWD, CATS_STAT_CUR, 0, 1 }, 10,
		    CATS_MERR_WRONG_KIND },
		{ "net-nan", true, 0, 0, { CATS_M_OWD, CATS_STAT_CUR, 0, NAN },
		    10, CATS_MERR_NOT_FINITE },
		{ "net-negative", true, 0, 0,
		    { CATS_M_OWD, CATS_STAT_CUR, 0, -1 }, 10, CATS_MERR_RANGE },
		{ "unknown-ingress", true, 9, 0,
		    { CATS_M_OWD, CATS_STAT_CUR, 0, 1 }, 10,
		    CATS_MERR_UNKNOWN_INGRESS },
		{ "unknown-egress", true, 0, 99,
		    { CATS_M_OWD, CATS_STAT_CUR, 0, 1 }, 10,
		    CATS_MERR_UNKNOWN_EGRESS },
		{ "stale-net", true, 0, 0, { CATS_M_OWD, CATS_STAT_CUR, 0, 1 },
		    4, CATS_MERR_STALE },
	};
	struct cats_sel *sel = world(CATS_POL_RESPONSE_TIME, 2, 8);
	double before, after;

	(void)state;
	compute(sel, 0, 0.5, 1 * MS, 5);
	compute(sel, 1, 0.5, 1 * MS, 5);
	net_owd(sel, 0, 0, 10 * MS, 5);
	assert_true(cats_sel_cost(sel, 0, 0, &before));
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		const struct bad_case *c = &cases[k];
		enum cats_metric_err got = c->net ?
		    cats_sel_update_net(sel, c->a, c->b, &c->s, 1, c->ts) :
		    cats_sel_update_compute(sel, c->a, &c->s, 1, c->ts);

		if (got != c->want)
			fail_msg("%s: got %s want %s", c->name,
			    cats_metric_err_name(got),
			    cats_metric_err_name(c->want));
		assert_true(cats_sel_cost(sel, 0, 0, &after));
		if (after != before)
			fail_msg("%s changed the cost", c->name);
	}
	/* One bad sample spoils the whole update: the good one is not kept. */
	{
		struct cats_sample s[2] = {
			{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.99 },
			{ CATS_M_QUEUE, CATS_STAT_CUR, 0, -3 },
		};

		assert_int_equal(cats_sel_update_compute(sel, 0, s, 2, 10),
		    CATS_MERR_RANGE);
		assert_true(cats_sel_cost(sel, 0, 0, &after));
		assert_true(after == before);
	}
	/* Same timestamp is not older: accepted. */
	assert_int_equal(compute(sel, 0, 0.9, 1 * MS, 5), CATS_MERR_OK);
	assert_true(cats_sel_cost(sel, 0, 0, &after));
	assert_true(after > before);
	cats_sel_destroy(sel);
}

static void
test_management_errors(void **state)
{
	struct cats_sel *sel = world(CATS_POL_L2, 2, 8);
	struct cats_instance_def d = { 1, 0, 1, 1, 10 };
	struct cats_sel_cfg cfg;
	char name[16];
	const char *one[1] = { name };

	(void)state;
	assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_EXISTS);
	d.instance = 64;
	assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_RANGE);
	d.instance = 5;
	d.servers = 0;
	assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_BAD_ARG);
	assert_int_equal(cats_sel_remove_instance(sel, 5),
	    CATS_SERR_NOT_FOUND);
	for (int i = 0; i < CATS_SEL_MAX_FUNCTIONS; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(cats_sel_set_functions(sel, 0, one, 1),
		    CATS_SERR_OK);
	}
	snprintf(name, sizeof(name), "extra");
	assert_int_equal(cats_sel_set_functions(sel, 0, one, 1),
	    CATS_SERR_TOO_MANY_FUNCTIONS);
	/* resources have their own table: "extra" still fits there */
	for (int i = 0; i < CATS_SEL_MAX_RESOURCES; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		assert_int_equal(cats_sel_set_resources(sel, 0, one, 1),
		    CATS_SERR_OK);
	}
	assert_int_equal(cats_sel_set_resources(sel, 0, one, 1), CATS_SERR_OK);
	snprintf(name, sizeof(name), "extra");
	assert_int_equal(cats_sel_set_resources(sel, 0, one, 1),
	    CATS_SERR_TOO_MANY_RESOURCES);
	name[0] = '\0';
	assert_int_equal(cats_sel_set_resources(sel, 0, one, 1),
	    CATS_SERR_BAD_ARG);
	assert_int_equal(cats_sel_set_resources(sel, 5, one, 1),
	    CATS_SERR_NOT_FOUND);
	assert_string_equal(cats_sel_err_name(CATS_SERR_TOO_MANY_RESOURCES),
	    "too-many-resources");
	assert_int_equal(cats_sel_bind(sel, 0, 0, 0), CATS_SERR_BAD_ARG);
	assert_string_equal(cats_sel_err_name(CATS_SERR_FULL),
	    "affinity-table-full");
	cats_sel_destroy(sel);
	cats_sel_cfg_default(&cfg);
	cfg.herd_rel = NAN;
	assert_null(cats_sel_create(&cfg));
	cats_sel_cfg_default(&cfg);
	cfg.max_ingresses = 0;
	assert_null(cats_sel_create(&cfg));
	assert_int_equal(cats_policy_from_name("least-loaded"),
	    CATS_POL_LEAST_LOADED);
	assert_int_equal(cats_policy_from_name("psychic"), -1);
}

/* ---- baselines ---- */

static void
test_baselines(void **state)
{
	/* Round-robin cycles over what qualifies; least-loaded and nearest
	 * skip the idle but far instance 3. */
	static const enum cats_policy pol[3] = {
		CATS_POL_ROUND_ROBIN, CATS_POL_LEAST_LOADED, CATS_POL_NEAREST
	};
	static const double util[4] = { 0.9, 0.2, 0.5, 0.1 };
	static const double owd[4] = { 3, 1, 2, 30 };
	struct cats_sel *sel[3];
	struct cats_reqs r;
	struct cats_choice c;

	(void)state;
	for (int k = 0; k < 3; k++)
		sel[k] = world(pol[k], 4, 0);
	for (uint32_t i = 0; i < 4; i++)
		feed(sel, 3, i, util[i], owd[i] * MS);
	cats_reqs_none(&r);
	r.max_latency = 10000000;
	for (uint32_t k = 0; k < 9; k++) {
		assert_int_equal(cats_sel_select(sel[0], 0, 0, &r, 0, 0, &c),
		    CATS_SEL_OK);
		assert_int_equal(c.instance, k % 3);
	}
	for (int k = 1; k < 3; k++) {
		assert_int_equal(cats_sel_select(sel[k], 0, 0, &r, 0, 0, &c),
		    CATS_SEL_OK);
		assert_int_equal(c.instance, 1);
		cats_sel_destroy(sel[k]);
	}
	cats_sel_destroy(sel[0]);
}

static void
test_random_seeded(void **state)
{
	struct cats_sel *a = world(CATS_POL_RANDOM, 8, 8);
	struct cats_sel *b = world(CATS_POL_RANDOM, 8, 8);
	struct cats_reqs r;
	struct cats_choice ca, cb;
	uint32_t seen = 0;

	(void)state;
	cats_reqs_none(&r);
	for (uint32_t i = 0; i < 8; i++) {
		struct cats_sel *const all[2] = { a, b };

		feed(all, 2, i, 0.3, 5 * MS);
	}
	for (int k = 0; k < 400; k++) {
		cats_sel_select(a, 0, 0, &r, 0, 0, &ca);
		cats_sel_select(b, 0, 0, &r, 0, 0, &cb);
		assert_int_equal(ca.instance, cb.instance);
		seen |= 1u << ca.instance;
	}
	assert_int_equal(seen, 0xff);
	cats_sel_seed(b, 99);
	cats_sel_select(a, 0, 0, &r, 0, 0, &ca);
	cats_sel_destroy(a);
	cats_sel_destroy(b);
}

/* ---- index and scan agree, through updates and removals ---- */

static void
test_index_matches_scan(void **state)
{
	(void)state;
	for (int p = 0; p < CATS_POL__COUNT; p++) {
		struct cats_sel *sel;

		/* Round-robin has no index and its cursor moves on every
		 * call, so two calls cannot be compared. */
		if (p == CATS_POL_ROUND_ROBIN)
			continue;
		sel = world((enum cats_policy)p, 40, 8);
		struct truth t;
		uint32_t checked = 0;

		srand(100 + p);
		for (int round = 0; round < 10; round++) {
			fill_random(sel, &t, (uint64_t)round + 1);
			for (int k = 0; k < 200; k++) {
				struct cats_reqs r;
				struct cats_choice ci, cs;
				enum cats_sel_reason wi, ws;
				uint64_t st = cats_sel_rng_state(sel);

				random_reqs(&r, sel);
				if (k % 2)
					cats_reqs_none(&r);
				ws = cats_sel_select_scan(sel, 0, 0, &r, 0, 0,
				    &cs);
				cats_sel_seed(sel, st);
				wi = cats_sel_select(sel, 0, 0, &r, 0, 0, &ci);
				assert_int_equal(wi, ws);
				if (wi == CATS_SEL_OK)
					assert_int_equal(ci.instance,
					    cs.instance);
				checked += wi == CATS_SEL_OK;
			}
		}
		assert_true(checked > 500);
		cats_sel_destroy(sel);
	}
}

/* ---- lazy re-keying and the decision cache, under churn ---- */

#define CH_INST		40
#define CH_INGRESS	4

/* A few requirement tuples, as flow classes give: the cache serves them. */
static void
churn_reqs(struct cats_reqs *r, const struct cats_sel *sel, int k)
{
	cats_reqs_none(r);
	switch (k) {
	case 1:
		r->max_latency = 20 * MS;
		break;
	case 2:
		r->min_bw = 400000000;
		r->max_loss = 10000000;
		break;
	case 3:
		r->max_comp_latency = 4 * MS;
		cats_reqs_avoid(sel, r, "Y");
		cats_reqs_needs(sel, r, "G");
		break;
	default:
		break;
	}
}

/* The choice is the cheapest instance of service 0 by the current metrics
 * (cats_sel_cost reads them, not the tree): a tree that missed a logged
 * compute change shows here. */
static void
check_current(const struct cats_sel *sel, const uint32_t *svc, uint32_t g,
    const struct cats_choice *c)
{
	double best = INFINITY, cost;
	uint32_t id = UINT32_MAX;

	for (uint32_t i = 0; i < CH_INST; i++) {
		if (svc[i] != 0 || !cats_sel_cost(sel, g, i, &cost))
			continue;
		if (cost < best || (cost == best && i < id)) {
			best = cost;
			id = i;
		}
	}
	assert_int_equal(c->instance, id);
	assert_true(c->cost == best);
}

static void
churn_step(struct cats_sel *sel, uint32_t *svc, uint64_t ts)
{
	static const char *const y[] = { "Y" }, *const g[] = { "G" };
	uint32_t i = (uint32_t)rand() % CH_INST;
	struct path p = { (1 + rand() % 40) * MS, (rand() % 5) * MS,
	    rand() % 20000000, (rand() % 1000) * 1e6 };
	struct cats_instance_def d = { i, (uint32_t)rand() % 2, i, 1, 1000 };

	switch (rand() % 8) {
	case 0: case 1: case 2: case 3:
		compute(sel, i, (rand() % 95) / 100.0,
		    (1 + rand() % 5) * MS, ts);
		break;
	case 4: case 5:
		assert_int_equal(network(sel, (uint32_t)rand() % CH_INGRESS,
		    i, &p, ts), CATS_MERR_OK);
		break;
	case 6:
		assert_int_equal(cats_sel_set_functions(sel, i, y,
		    (size_t)(rand() % 2)), CATS_SERR_OK);
		assert_int_equal(cats_sel_set_resources(sel, i, g,
		    (size_t)(rand() % 2)), CATS_SERR_OK);
		break;
	default:
		/* Out, and back in service 0 or 1: the log still names it. */
		assert_int_equal(cats_sel_remove_instance(sel, i),
		    CATS_SERR_OK);
		assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_OK);
		svc[i] = d.service;
		break;
	}
}

/* Ingress 3 decides rarely, so more changes pile up for it than the log
 * holds (it rebuilds); the others catch up entry by entry. */
static uint32_t
churn_ingress(void)
{
	uint32_t g = (uint32_t)rand() % CH_INGRESS;

	return g == 3 && rand() % 200 != 0 ? 0 : g;
}

static void
churn(uint32_t herd_max)
{
	struct cats_sel *sel = world(CATS_POL_RESPONSE_TIME, CH_INST,
	    herd_max);
	uint32_t svc[CH_INST] = { 0 }, checked = 0;
	uint64_t ts = 1;

	srand(7 + herd_max);
	for (int step = 0; step < 60000; step++) {
		struct cats_reqs r;
		struct cats_choice ci, cs;
		enum cats_sel_reason wi, ws;
		uint32_t g = churn_ingress();
		int k = rand() % 4;
		uint64_t st;

		if (rand() % 3 == 0) {
			churn_step(sel, svc, ++ts);
			continue;
		}
		churn_reqs(&r, sel, k);
		st = cats_sel_rng_state(sel);
		ws = cats_sel_select_scan(sel, g, 0, &r, 0, ts, &cs);
		cats_sel_seed(sel, st);
		wi = cats_sel_select(sel, g, 0, &r, 0, ts, &ci);
		assert_int_equal(wi, ws);
		if (wi != CATS_SEL_OK)
			continue;
		assert_int_equal(ci.instance, cs.instance);
		assert_true(ci.cost == cs.cost);
		if (k == 0 && herd_max <= 1)
			check_current(sel, svc, g, &ci);
		checked++;
	}
	assert_true(checked > 15000);
	cats_sel_destroy(sel);
}

static void
test_churn_matches_scan(void **state)
{
	(void)state;
	churn(0);
	churn(8);
}

/* Growing a service past its first arrays keeps what it held. */
static void
test_growth(void **state)
{
	struct cats_sel *sel = world(CATS_POL_NEAREST, 3, 0);
	struct cats_reqs r;
	struct cats_choice c;

	(void)state;
	cats_reqs_none(&r);
	for (uint32_t i = 0; i < 3; i++) {
		compute(sel, i, 0.1, 1 * MS, 1);
		net_owd(sel, 0, i, (10 + i) * MS, 1);
	}
	for (uint32_t i = 3; i < 40; i++) {
		struct cats_instance_def d = { i, 0, i, 1, 100 };

		assert_int_equal(cats_sel_add_instance(sel, &d), CATS_SERR_OK);
		compute(sel, i, 0.1, 1 * MS, 1);
		net_owd(sel, 0, i, (50 - i) * MS, 1);
	}
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 0, &c), CATS_SEL_OK);
	assert_int_equal(c.instance, 0);	/* 10 ms; 39 has 11 ms */
	assert_int_equal(cats_sel_remove_instance(sel, 0), CATS_SERR_OK);
	assert_int_equal(cats_sel_select(sel, 0, 0, &r, 0, 0, &c), CATS_SEL_OK);
	assert_int_equal(c.instance, 1);	/* 11 ms, tie with 39: id */
	cats_sel_destroy(sel);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requirements_all_policies),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_needs_resources),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_better_moves_when_clearly_better),
		cmocka_unit_test(test_affinity_timeout),
		cmocka_unit_test(test_affinity_table_full),
		cmocka_unit_test(test_herding),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_management_errors),
		cmocka_unit_test(test_baselines),
		cmocka_unit_test(test_random_seeded),
		cmocka_unit_test(test_index_matches_scan),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_churn_matches_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
