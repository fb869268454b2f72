/* Unit tests for the metric model: validation, normalization, M/M/c,
 * L1/L2 aggregation and damping. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cats/metric.h"

#define MS	1e6	/* ns per ms */

struct sample_case {
	const char		*name;
	struct cats_sample	 s;
	enum cats_metric_kind	 kind;
	enum cats_metric_err	 want;
};

static const struct sample_case sample_cases[] = {
	{ "util-ok", { CATS_M_UTIL, CATS_STAT_CUR, 0, 0.5 },
	    CATS_MK_COMPUTE, CATS_MERR_OK },
	{ "owd-mean-ok", { CATS_M_OWD, CATS_STAT_MEAN, 1000, 5 * MS },
	    CATS_MK_NETWORK, CATS_MERR_OK },
	{ "unknown-id", { (enum cats_metric_id)99, CATS_STAT_CUR, 0, 1 },
	    CATS_MK_COMPUTE, CATS_MERR_UNKNOWN_METRIC },
	{ "net-in-compute", { CATS_M_LOSS, CATS_STAT_CUR, 0, 1 },
	    CATS_MK_COMPUTE, CATS_MERR_WRONG_KIND },
	{ "compute-in-net", { CATS_M_QUEUE, CATS_STAT_CUR, 0, 1 },
	    CATS_MK_NETWORK, CATS_MERR_WRONG_KIND },
	{ "bad-stat", { CATS_M_UTIL, (enum cats_stat)7, 0, 0.5 },
	    CATS_MK_COMPUTE, CATS_MERR_BAD_STAT },
	{ "nan", { CATS_M_UTIL, CATS_STAT_CUR, 0, NAN },
	    CATS_MK_COMPUTE, CATS_MERR_NOT_FINITE },
	{ "inf", { CATS_M_OWD, CATS_STAT_CUR, 0, INFINITY },
	    CATS_MK_NETWORK, CATS_MERR_NOT_FINITE },
	{ "util-over-1", { CATS_M_UTIL, CATS_STAT_CUR, 0, 1.01 },
	    CATS_MK_COMPUTE, CATS_MERR_RANGE },
	{ "negative-delay", { CATS_M_PROC_DELAY, CATS_STAT_CUR, 0, -1 },
	    CATS_MK_COMPUTE, CATS_MERR_RANGE },
	{ "loss-over-1e9", { CATS_M_LOSS, CATS_STAT_MAX, 10, 1e9 + 1 },
	    CATS_MK_NETWORK, CATS_MERR_RANGE },
	{ "mean-no-window", { CATS_M_OWD, CATS_STAT_MEAN, 0, 1 },
	    CATS_MK_NETWORK, CATS_MERR_BAD_WINDOW },
	{ "window-over-day", { CATS_M_OWD, CATS_STAT_MIN, 86400001, 1 },
	    CATS_MK_NETWORK, CATS_MERR_BAD_WINDOW },
};

static void
test_sample_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sample_cases) / sizeof(*sample_cases);
	    i++) {
		const struct sample_case *c = &sample_cases[i];
		enum cats_metric_err got = cats_sample_check(&c->s, c->kind);

		if (got != c->want)
			fail_msg("%s: got %s want %s", c->name,
			    cats_metric_err_name(got),
			    cats_metric_err_name(c->want));
	}
}

static void
test_samples_whole_update(void **state)
{
	struct cats_sample s[2] = {
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.2 },
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.3 },
	};

	(void)state;
	assert_int_equal(cats_samples_check(s, 2, CATS_MK_COMPUTE),
	    CATS_MERR_DUPLICATE);
	assert_int_equal(cats_samples_check(s, 0, CATS_MK_COMPUTE),
	    CATS_MERR_EMPTY);
	assert_int_equal(cats_samples_check(NULL, 1, CATS_MK_COMPUTE),
	    CATS_MERR_EMPTY);
	s[1].id = CATS_M_QUEUE;
	assert_int_equal(cats_samples_check(s, 2, CATS_MK_COMPUTE),
	    CATS_MERR_OK);
	assert_string_equal(cats_metric_err_name(CATS_MERR_STALE), "stale");
	assert_string_equal(cats_metric_err_name((enum cats_metric_err)99),
	    "?");
}

static void
test_norm(void **state)
{
	struct cats_norm mm = { CATS_NORM_MINMAX, false, 0, 100, 0, 0 };
	struct cats_norm sg = { CATS_NORM_SIGMOID, false, 0, 0, 50, 10 };

	(void)state;
	assert_float_equal(cats_norm_apply(&mm, 0), 10, 1e-12);
	assert_float_equal(cats_norm_apply(&mm, 25), 7.5, 1e-12);
	assert_float_equal(cats_norm_apply(&mm, 1000), 0, 1e-12);
	assert_float_equal(cats_norm_apply(&mm, -5), 10, 1e-12);
	mm.higher_better = true;
	assert_float_equal(cats_norm_apply(&mm, 25), 2.5, 1e-12);
	assert_float_equal(cats_norm_apply(&sg, 50), 5, 1e-12);
	assert_true(cats_norm_apply(&sg, 40) > 7 && cats_norm_apply(&sg, 40) < 8);
	assert_true(cats_norm_apply(&sg, 0) > 9.9);
	sg.higher_better = true;
	assert_true(cats_norm_apply(&sg, 0) < 0.1);
	sg.scale = 0;
	assert_false(cats_norm_valid(&sg));
	mm.hi = mm.lo;
	assert_false(cats_norm_valid(&mm));
}

static struct cats_l0_set
compute_set(double util, double proc_ns, double queue)
{
	struct cats_l0_set m = { 0 };
	struct cats_sample s[3] = {
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, util },
		{ CATS_M_PROC_DELAY, CATS_STAT_CUR, 0, proc_ns },
		{ CATS_M_QUEUE, CATS_STAT_CUR, 0, queue },
	};

	cats_l0_apply(&m, s, 3);
	return m;
}

/* Closed forms: M/M/1 R = S / (1 - rho); M/M/2 at rho = 0.5 has
 * C = 1/3, so R = S + S/3. */
static void
test_mmc(void **state)
{
	struct cats_l0_set m = compute_set(0.5, 10 * MS, 0);

	(void)state;
	assert_float_equal(cats_mmc_response_ns(&m, 1), 20 * MS, 1);
	assert_float_equal(cats_mmc_response_ns(&m, 2), 10 * MS * 4 / 3, 1);
	m = compute_set(0.9, 1 * MS, 0);
	assert_float_equal(cats_mmc_response_ns(&m, 1), 10 * MS, 1);
	m = compute_set(1.0, 1 * MS, 0);
	assert_float_equal(cats_mmc_response_ns(&m, 4), CATS_RESP_SATURATED, 0);
	/* A reported backlog outweighs a low windowed utilisation. */
	m = compute_set(0.1, 1 * MS, 10);
	assert_float_equal(cats_mmc_response_ns(&m, 1), 11 * MS, 1);
	/* More servers at the same load wait less. */
	m = compute_set(0.8, 1 * MS, 0);
	assert_true(cats_mmc_response_ns(&m, 8) < cats_mmc_response_ns(&m, 1));
}

static void
test_l1_l2(void **state)
{
	struct cats_metric_cfg cfg;
	struct cats_l0_set idle = compute_set(0.0, 1 * MS, 0);
	struct cats_l0_set busy = compute_set(0.95, 40 * MS, 200);
	double l1[CATS_L1__COUNT] = { 10, 0, 10, 0 };

	(void)state;
	cats_metric_cfg_default(&cfg);
	assert_true(cats_metric_cfg_valid(&cfg));
	assert_true(cats_l1_computing(&cfg, &idle) >
	    cats_l1_computing(&cfg, &busy));
	assert_true(cats_l1_service(&cfg, 5 * MS) >
	    cats_l1_service(&cfg, 200 * MS));
	assert_float_equal(cats_l2(&cfg, l1), 5, 1e-12);
	cfg.w2[CATS_L1_COMMUNICATION] = 0;
	cfg.w2[CATS_L1_COMPOSED] = 0;
	assert_float_equal(cats_l2(&cfg, l1), 10, 1e-12);
	cfg.w0[CATS_M_OWD] = -1;
	assert_false(cats_metric_cfg_valid(&cfg));
}

static void
test_damping(void **state)
{
	struct cats_damp_cfg cfg;
	struct cats_damp d;
	struct cats_sample s = { CATS_M_OWD, CATS_STAT_MEAN, 1000, 10 * MS };
	struct cats_sample bad = { CATS_M_UTIL, CATS_STAT_CUR, 0, NAN };

	(void)state;
	cats_damp_cfg_default(&cfg);
	cats_damp_init(&d);
	assert_true(cats_damp_offer(&cfg, &d, &s, 1000));	/* first */
	s.value = 10.5 * MS;					/* 5 % */
	assert_false(cats_damp_offer(&cfg, &d, &s, 2000));
	s.value = 12 * MS;					/* 20 % */
	assert_true(cats_damp_offer(&cfg, &d, &s, 3000));
	s.value = 12.1 * MS;
	assert_false(cats_damp_offer(&cfg, &d, &s, 3000 + 29999));
	assert_true(cats_damp_offer(&cfg, &d, &s, 3000 + 30000)); /* refresh */
	assert_false(cats_damp_offer(&cfg, &d, &bad, 100000));
	/* Small absolute values: the absolute floor damps noise. */
	s.id = CATS_M_UTIL;
	s.value = 0.01;
	assert_true(cats_damp_offer(&cfg, &d, &s, 40000));
	s.value = 0.04;
	assert_false(cats_damp_offer(&cfg, &d, &s, 41000));
}

/* draft-dcn-dmm-cats-mup section 3: "at least 30 seconds" between
 * updates.  A change inside the floor is held, goes when the floor allows
 * if it still stands, and is forgotten if it came back. */
static void
test_damping_floor(void **state)
{
	struct cats_damp_cfg cfg;
	struct cats_damp d;
	struct cats_sample u = { CATS_M_UTIL, CATS_STAT_CUR, 0, 0.2 };
	struct cats_sample q = { CATS_M_QUEUE, CATS_STAT_CUR, 0, 0 };

	(void)state;
	cats_damp_cfg_default(&cfg);
	cfg.min_interval_ms = 30000;
	cats_damp_init(&d);
	assert_true(cats_damp_offer(&cfg, &d, &u, 1000));	/* first */
	assert_int_equal(cats_damp_next(&cfg, &d), 0);
	u.value = 0.9;						/* a jump */
	assert_false(cats_damp_offer(&cfg, &d, &u, 2000));
	assert_int_equal(cats_damp_next(&cfg, &d), 31000);
	/* the floor is the source's: another metric is held too */
	assert_false(cats_damp_offer(&cfg, &d, &q, 3000));
	assert_false(cats_damp_offer(&cfg, &d, &u, 30999));
	assert_true(cats_damp_offer(&cfg, &d, &u, 31000));	/* it stood */
	assert_int_equal(cats_damp_next(&cfg, &d), 61000);	/* q still held */
	assert_false(cats_damp_offer(&cfg, &d, &q, 31000));	/* floor again */
	assert_true(cats_damp_offer(&cfg, &d, &q, 61000));
	assert_int_equal(cats_damp_next(&cfg, &d), 0);
	/* a change that comes back inside the floor is never sent */
	q.value = 5;
	assert_false(cats_damp_offer(&cfg, &d, &q, 62000));
	assert_int_equal(cats_damp_next(&cfg, &d), 91000);
	q.value = 0;
	assert_false(cats_damp_offer(&cfg, &d, &q, 63000));
	assert_int_equal(cats_damp_next(&cfg, &d), 0);
	/* without a floor a change goes at once, as before */
	cfg.min_interval_ms = 0;
	u.value = 0.1;
	assert_true(cats_damp_offer(&cfg, &d, &u, 64000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_check),
		cmocka_unit_test(test_samples_whole_update),
		cmocka_unit_test(test_norm),
		cmocka_unit_test(test_mmc),
		cmocka_unit_test(test_l1_l2),
		cmocka_unit_test(test_damping),
		cmocka_unit_test(test_damping_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
