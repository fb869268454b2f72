/*
 * The scenarios of issue [3] in simulated time, with the real roles: the
 * exact message sequence each produces (the drafts' figures are marked),
 * every result received exactly once, the same run for the same seed, and
 * convergence with 5 % loss, 5 % duplication and 5 % reordering on the
 * signaling links over many seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cats/sim.h"

#define SEEDS		100
#define MAX_LINES	128

/* "SRC -> DST KIND" of each ladder line, the time and fields left out. */
struct seq {
	char	 line[MAX_LINES][80];
	size_t	 n;
};

static void
collect(void *arg, const char *line)
{
	struct seq *q = arg;
	char src[16], dst[16], kind[32];

	if (line[0] == '-' || strncmp(line, "summary", 7) == 0 ||
	    sscanf(line, "%*u %15s -> %15s %31s", src, dst, kind) != 3)
		return;
	assert_true(q->n < MAX_LINES);
	snprintf(q->line[q->n++], sizeof(q->line[0]), "%s -> %s %s", src, dst,
	    kind);
}

static void
run(const char *name, const struct sim_impair *imp, uint64_t seed,
    struct seq *q, struct sim_summary *sum)
{
	struct sim_opts o;
	struct sim *s;
	const char *why;

	sim_opts_default(&o);
	if (imp != NULL)
		o.impair = *imp;
	o.seed = seed;
	o.on_line = q != NULL ? collect : NULL;
	o.line_arg = q;
	if (q != NULL)
		q->n = 0;
	s = sim_new(name, &o, &why);
	if (s == NULL)
		fail_msg("%s: %s", name, why);
	sim_run(s);
	*sum = *sim_summary(s);
	sim_free(s);
}

static void
expect(const char *name, const char *const *want, size_t nwant)
{
	struct sim_summary sum;
	struct seq q;
	size_t i;

	run(name, NULL, 1, &q, &sum);
	for (i = 0; i < nwant && i < q.n; i++)
		if (strcmp(q.line[i], want[i]) != 0)
			fail_msg("%s line %zu: got \"%s\", want \"%s\"", name, i,
			    q.line[i], want[i]);
	assert_int_equal(q.n, nwant);
	/* every result exactly once */
	assert_true(sum.converged);
	assert_int_equal(sum.received, sum.expected);
	assert_int_equal(sum.missing, 0);
	assert_int_equal(sum.duplicated, 0);
}

#define EXPECT(name, arr)	expect(name, arr, sizeof(arr) / sizeof(arr[0]))

/* Anchoring section 3, the set-up every scenario starts with (option 2). */
#define SETUP_OPTION2							\
	"client -> ingress1 svc-request",				\
	"ingress1 -> controller cats-query",	/* option 2 query */	\
	"controller -> ingress1 cats-response",				\
	"ingress1 -> egress1 cats-request",	/* to the chosen ECR */	\
	"egress1 -> ingress1 cats-ack",		/* with the prefix */	\
	"ingress1 -> client svc-reply",					\
	"ingress1 -> locator loc-register",	/* mobility 3 */	\
	"locator -> ingress1 msg-ack"

static void
test_setup_option1(void **state)
{
	static const char *const want[] = {
		"client -> ingress1 svc-request",
		"ingress1 -> egress1 cats-query",	/* option 1: every egress */
		"ingress1 -> egress2 cats-query",
		"egress1 -> ingress1 cats-response",
		"egress2 -> ingress1 cats-response",
		"ingress1 -> egress1 cats-request",
		"egress1 -> ingress1 cats-ack",
		"ingress1 -> client svc-reply",
		"ingress1 -> locator loc-register",
		"locator -> ingress1 msg-ack",
		"ingress1 -> locator loc-register",	/* results done: removed */
		"locator -> ingress1 msg-ack",
	};

	(void)state;
	EXPECT("setup-option1", want);
}

static void
test_setup_option2(void **state)
{
	static const char *const want[] = {
		SETUP_OPTION2,
		"ingress1 -> locator loc-register",
		"locator -> ingress1 msg-ack",
	};

	(void)state;
	EXPECT("setup-option2", want);
}

static void
test_setup_unaware(void **state)
{
	static const char *const want[] = {
		/* no request: the first packet to the CS-ID starts it */
		"ingress1 -> controller cats-query",
		"controller -> ingress1 cats-response",
		"ingress1 -> egress1 cats-request",
		"egress1 -> ingress1 cats-ack",
		"ingress1 -> locator loc-register",
		"locator -> ingress1 msg-ack",
		"ingress1 -> locator loc-register",
		"locator -> ingress1 msg-ack",
	};

	(void)state;
	EXPECT("setup-unaware", want);
}

/* Mobility figure 1. */
static void
test_proactive(void **state)
{
	static const char *const want[] = {
		SETUP_OPTION2,
		"ingress1 -> ingress2 mob-notify",	/* fig. 1 notify msg */
		"ingress2 -> ingress1 msg-ack",
		"ingress2 -> ingress1 mob-indication",	/* fig. 1 ind. msg */
		"ingress2 -> egress1 mob-indication",	/* fig. 1 ind. msg */
		"ingress2 -> locator loc-register",
		"ingress1 -> ingress2 msg-ack",
		"locator -> ingress2 msg-ack",
		"egress1 -> ingress2 msg-ack",
		"ingress2 -> locator loc-register",	/* results done */
		"locator -> ingress2 msg-ack",
	};

	(void)state;
	EXPECT("proactive", want);
}

/* Mobility figure 2, the old ingress found through the location server. */
static void
test_reactive_locator(void **state)
{
	static const char *const want[] = {
		SETUP_OPTION2,
		"ingress2 -> locator loc-query",
		"locator -> ingress2 loc-reply",
		"ingress2 -> ingress1 mob-request",	/* fig. 2 req. msg */
		"ingress1 -> ingress2 mob-notify",	/* fig. 2 notify msg */
		"ingress2 -> ingress1 msg-ack",
		"ingress2 -> ingress1 mob-indication",
		"ingress2 -> egress1 mob-indication",	/* fig. 2 ind. msg */
		"ingress2 -> locator loc-register",
		"ingress1 -> ingress2 msg-ack",
		"locator -> ingress2 msg-ack",
		"egress1 -> ingress2 msg-ack",
		"ingress2 -> locator loc-register",
		"locator -> ingress2 msg-ack",
	};

	(void)state;
	EXPECT("reactive-locator", want);
}

/* Mobility figure 2, the old ingress found from the client's sub-prefix. */
static void
test_reactive_prefix(void **state)
{
	static const char *const want[] = {
		"client -> ingress1 svc-request",
		"ingress1 -> controller cats-query",
		"controller -> ingress1 cats-response",
		"ingress1 -> egress1 cats-request",
		"egress1 -> ingress1 cats-ack",
		"ingress1 -> client svc-reply",
		"ingress2 -> ingress1 mob-request",	/* fig. 2 req. msg */
		"ingress1 -> ingress2 mob-notify",	/* fig. 2 notify msg */
		"ingress2 -> ingress1 msg-ack",
		"ingress2 -> ingress1 mob-indication",
		"ingress2 -> egress1 mob-indication",	/* fig. 2 ind. msg */
		"ingress1 -> ingress2 msg-ack",
		"egress1 -> ingress2 msg-ack",
	};

	(void)state;
	EXPECT("reactive-prefix", want);
}

/* Mobility figure 3, after a reactive handover. */
static void
test_transaction_switch(void **state)
{
	static const char *const want[] = {
		SETUP_OPTION2,
		"ingress2 -> locator loc-query",
		"locator -> ingress2 loc-reply",
		"ingress2 -> ingress1 mob-request",
		"ingress1 -> ingress2 mob-notify",
		"ingress2 -> ingress1 msg-ack",
		"ingress2 -> ingress1 mob-indication",
		"ingress2 -> egress1 mob-indication",
		"ingress2 -> locator loc-register",
		"ingress1 -> ingress2 msg-ack",
		"locator -> ingress2 msg-ack",
		"egress1 -> ingress2 msg-ack",
		"ingress2 -> controller cats-query",	/* fig. 3 query */
		"controller -> ingress2 cats-response",	/* fig. 3 response */
		"ingress2 -> egress1 tx-transfer-request",	/* fig. 3 */
		"ingress2 -> egress2 tx-transfer-notify",	/* notification */
		"egress1 -> egress2 tx-state",		/* transaction information */
		"egress1 -> ingress2 tx-confirm",	/* confirmation, close */
		"egress2 -> ingress2 tx-received",	/* notification */
		"ingress2 -> locator loc-register",
		"locator -> ingress2 msg-ack",
	};

	(void)state;
	EXPECT("transaction-switch", want);
}

/* The same seed gives the same run, message for message. */
static void
test_deterministic(void **state)
{
	static const struct sim_impair imp = { 0.05, 0.05, 0.05 };
	static struct seq a, b;
	struct sim_summary sa, sb;
	size_t i;

	(void)state;
	run("transaction-switch", &imp, 7, &a, &sa);
	run("transaction-switch", &imp, 7, &b, &sb);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++)
		assert_string_equal(a.line[i], b.line[i]);
	assert_int_equal(sa.end_ms, sb.end_ms);
	assert_int_equal(sa.sig_lost, sb.sig_lost);
}

/* 5 % loss, duplication and reordering: every scenario, many seeds. */
static void
test_impaired(void **state)
{
	static const struct sim_impair imp = { 0.05, 0.05, 0.05 };
	struct sim_summary sum;
	uint64_t lost = 0, dup = 0, reord = 0;
	size_t i;
	uint64_t seed;
	const char *name;

	(void)state;
	for (i = 0; (name = sim_scenario_name(i)) != NULL; i++) {
		if (strcmp(name, "idle") == 0)
			continue;
		for (seed = 1; seed <= SEEDS; seed++) {
			run(name, &imp, seed, NULL, &sum);
			if (!sum.converged || sum.missing || sum.duplicated)
				fail_msg("%s seed %llu: received %u missing %u dup %u",
				    name, (unsigned long long)seed, sum.received,
				    sum.missing, sum.duplicated);
			lost += sum.sig_lost;
			dup += sum.sig_dup;
			reord += sum.sig_reordered;
		}
	}
	/* the impairments really happened */
	assert_true(lost > 50 && dup > 50 && reord > 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_option1),
		cmocka_unit_test(test_setup_option2),
		cmocka_unit_test(test_setup_unaware),
		cmocka_unit_test(test_proactive),
		cmocka_unit_test(test_reactive_locator),
		cmocka_unit_test(test_reactive_prefix),
		cmocka_unit_test(test_transaction_switch),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_impaired),
	};

	return cmocka_run_group_tests_name("scenarios", tests, NULL, NULL);
}
