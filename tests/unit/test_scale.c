/* Unit tests for cats-sim's scale runs: the world file, the generator, the
 * engine's orderings where the answer is known, handover costs from the
 * real engine, transaction switching, and the same offered load for every
 * policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/scale.h"

/* Files served from memory: "two.edges" and "t.trace". */
static const char two_edges[] =
    "# one near site, one far\n"
    "node near access\n"
    "node far access\n"
    "link near far delay 20ms bw 10Gbps\n";

static const char trace_text[] =
    "1000 0 far\n"
    "2000 0 near\n";

static char *
mem_read(void *arg, const char *path, size_t *len, struct file_err *err)
{
	const char *text = NULL;
	char *buf;

	(void)arg;
	if (strcmp(path, "d/two.edges") == 0)
		text = two_edges;
	else if (strcmp(path, "d/t.trace") == 0)
		text = trace_text;
	if (text == NULL) {
		file_err_set(err, path, 0, "no such file");
		return NULL;
	}
	*len = strlen(text);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	memcpy(buf, text, *len + 1);
	return buf;
}

/* The world where the answer is known: clients only at 'near', whose one
 * site has 2 servers; 'far' (20 ms away) has 12.  Offered about 10
 * Erlangs: nearest drowns the near site, CATS must not. */
static const char near_far[] =
    "topology two.edges\n"
    "service job work_ms 100 max_ms 400 state_kb 100\n"
    "site near job servers 2\n"
    "site far job servers 12\n"
    "clients 2000\n"
    "duration_s 600\n"
    "session_s 60\n"
    "think_ms 2000\n"
    "seed 7\n";

static void
world_from(struct scale_world *w, const char *text)
{
	struct file_err e;
	char msg[512];

	if (scale_world_parse(w, text, strlen(text), "w", "d", mem_read, NULL,
	    &e) != 0) {
		file_err_format(&e, msg, sizeof(msg));
		fail_msg("refused: %s", msg);
	}
	assert_int_equal(scale_world_prepare(w, &e), 0);
}

static void
run(const struct scale_world *w, uint32_t policy, enum scale_method m,
    bool sw, struct scale_result *r)
{
	struct scale_variant v = { policy, m, sw };
	struct scale_opts o;
	char why[128];

	scale_opts_default(&o);
	assert_int_equal(scale_run(w, &v, &o, r, why, sizeof(why)), 0);
	assert_true(r->tx > 0);
}

static double
p95(const struct scale_result *r)
{
	return scale_hist_quantile(&r->rt, 0.95);
}

static void
test_known_order(void **state)
{
	struct scale_world w;
	struct scale_result rt, l2, near, oracle;

	(void)state;
	world_from(&w, near_far);
	assert_int_equal(w.naccess, 2);
	/* clients arrive at either node: pin them to 'near' */
	w.naccess = 1;
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_REACTIVE_LOCATOR, false, &rt);
	run(&w, CATS_POL_L2, SCALE_HO_REACTIVE_LOCATOR, false, &l2);
	run(&w, CATS_POL_NEAREST, SCALE_HO_REACTIVE_LOCATOR, false, &near);
	run(&w, SCALE_POL_ORACLE, SCALE_HO_REACTIVE_LOCATOR, false, &oracle);
	print_message("p95 ms: response-time %.1f l2 %.1f nearest %.1f "
	    "oracle %.1f\n", p95(&rt) / 1000, p95(&l2) / 1000,
	    p95(&near) / 1000, p95(&oracle) / 1000);
	assert_true(p95(&rt) < p95(&near));
	assert_true(p95(&l2) < p95(&near));
	assert_true(p95(&oracle) <= p95(&rt));
	assert_true(p95(&oracle) <= p95(&l2));
	assert_true(rt.missed < near.missed);
	/* the same clients asked the same work of every policy */
	assert_int_equal(rt.clients, near.clients);
	assert_int_equal(rt.tx, near.tx);
	assert_int_equal(rt.tx, oracle.tx);
	assert_int_equal(rt.clients, 2000);
	/* nothing moves: nothing lost */
	assert_int_equal(rt.lost + near.lost + oracle.lost, 0);
	assert_int_equal(rt.handovers, 0);
	assert_true(rt.metric_msgs > 0);
	scale_world_free(&w);
}

/* Clients move every 10 s between the two nodes.  Without a method the
 * results sent to the old ingress are lost; with one, none is, and each
 * move costs what the packet-level engine measured. */
static void
test_mobility(void **state)
{
	struct scale_world w;
	struct scale_result none, pro, loc, pfx;

	(void)state;
	world_from(&w, near_far);
	w.move_s = 10;
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_NONE, false, &none);
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_PROACTIVE, false, &pro);
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_REACTIVE_LOCATOR, false, &loc);
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_REACTIVE_PREFIX, false, &pfx);
	assert_true(none.handovers > 1000);
	assert_int_equal(none.handovers, pro.handovers);
	assert_true(none.lost > 0);
	assert_int_equal(pro.lost + loc.lost + pfx.lost, 0);
	assert_true(pro.ho_cache_miss > 0);
	/* 20 ms between the ingresses: each method's signaling crosses it
	 * at least once before traffic flows again */
	assert_true(pro.ho.sum / pro.ho.n >= 20000);
	assert_true(loc.ho.sum / loc.ho.n >= 20000);
	assert_true(pfx.ho.sum / pfx.ho.n >= 20000);
	/* the locator's round trip makes the reactive-locator move slower */
	assert_true(loc.ho.sum / loc.ho.n > pfx.ho.sum / pfx.ho.n);
	assert_true(pro.ho_msgs > 0 && loc.ho_msgs > 0 && pfx.ho_msgs > 0);
	/* every move the engine played ended as the method says */
	assert_int_equal(pro.ho_unconverged + loc.ho_unconverged +
	    pfx.ho_unconverged, 0);
	scale_world_free(&w);
}

/* Long transactions at 'near' whose client moves to 'far': switching
 * moves them to the far site, which then serves them. */
static void
test_switch(void **state)
{
	static const char text[] =
	    "topology two.edges\n"
	    "service job work_ms 3000 state_kb 100\n"
	    "site near job servers 4\n"
	    "site far job servers 4\n"
	    "clients 200\n"
	    "duration_s 300\n"
	    "session_s 60\n"
	    "think_ms 5000\n"
	    "move_s 20\n"
	    "seed 3\n";
	struct scale_world w;
	struct scale_result no, yes;

	(void)state;
	world_from(&w, text);
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_REACTIVE_LOCATOR, false, &no);
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_REACTIVE_LOCATOR, true, &yes);
	assert_int_equal(no.switched, 0);
	assert_true(yes.switched > 0);
	assert_int_equal(yes.lost, 0);
	assert_int_equal(yes.done, no.done);
	/* a switch adds the transfer's messages to the move's */
	assert_true(yes.ho_msgs > no.ho_msgs);
	scale_world_free(&w);
}

/* A trace moves client 0 to 'far' at 1 s and back at 2 s. */
static void
test_trace(void **state)
{
	static const char text[] =
	    "topology two.edges\n"
	    "service job work_ms 10\n"
	    "site near job\n"
	    "clients 1\n"
	    "duration_s 10\n"
	    "session_s 100\n"
	    "think_ms 100\n"
	    "mobility trace t.trace\n";
	struct scale_world w;
	struct scale_result r;

	(void)state;
	world_from(&w, text);
	assert_int_equal(w.trace.n, 2);
	run(&w, CATS_POL_RESPONSE_TIME, SCALE_HO_PROACTIVE, false, &r);
	/* the client arrived at a random node: one of the two moves is a
	 * move, or both */
	assert_true(r.handovers >= 1 && r.handovers <= 2);
	scale_world_free(&w);
}

static void
test_generate(void **state)
{
	struct scale_world a, b;
	struct file_err e;

	(void)state;
	assert_int_equal(scale_world_generate(&a, 300, 1000, 5, &e), 0);
	assert_int_equal(scale_world_generate(&b, 300, 1000, 5, &e), 0);
	assert_int_equal(a.topo.nnodes, 300);
	assert_int_equal(a.topo.nlinks, b.topo.nlinks);
	assert_int_equal(a.nsite, b.nsite);
	assert_memory_equal(a.site, b.site, a.nsite * sizeof(*a.site));
	assert_int_equal(scale_world_prepare(&a, &e), 0);
	assert_int_equal(a.naccess, 60);
	/* connected: every access node reaches every node */
	for (size_t i = 0; i < a.naccess * a.topo.nnodes; i++)
		assert_true(a.owd[i] != UINT32_MAX);
	scale_world_free(&a);
	scale_world_free(&b);
	assert_int_equal(scale_world_generate(&a, 1, 10, 5, &e), -1);
	assert_non_null(strstr(e.reason, "sites"));
}

/* Malformed world files: the line and the reason. */
static const struct {
	const char	*text;
	unsigned	 line;
	const char	*reason;
} bad_worlds[] = {
	{ "site near a\n", 1, "before the topology" },
	{ "topology two.edges\nsite near x\n", 2, "no service" },
	{ "topology nope.edges\n", 1, "d/nope.edges: no such file" },
	{ "topology two.edges\ntopology two.edges\n", 2, "second topology" },
	{ "topology two.edges\nservice a\n", 2, "no work_ms" },
	{ "topology two.edges\nservice a work_ms 0\n", 2, "outside" },
	{ "topology two.edges\nservice a work_ms x\n", 2, "not a number" },
	{ "topology two.edges\nservice a work_ms 1 work_ms 2\n", 2,
	    "given twice" },
	{ "topology two.edges\nservice a work_ms 1 foo 2\n", 2,
	    "unknown key" },
	{ "topology two.edges\nservice a work_ms\n", 2, "without its value" },
	{ "topology two.edges\nservice a work_ms 1\nservice a work_ms 1\n", 3,
	    "defined twice" },
	{ "topology two.edges\nservice a work_ms 1\nsite moon a\n", 3,
	    "no node" },
	{ "topology two.edges\nservice a work_ms 1\nsite near a servers 1.5\n",
	    3, "whole number" },
	{ "topology two.edges\nservice a work_ms 1\nsite near a\n"
	    "site near a\n", 4, "a second site" },
	{ "topology two.edges\nservice a work_ms 1\n", 2, "has no site" },
	{ "topology two.edges\nclients -1\n", 2, "not an unsigned" },
	{ "topology two.edges\nclients 1e3\n", 2, "not an integer" },
	{ "topology two.edges\nduration_s 0\n", 2, "outside" },
	{ "topology two.edges\nmove_s\n", 2, "usage" },
	{ "topology two.edges\nwarp 9\n", 2, "unknown statement" },
	{ "topology two.edges\nmobility teleport\n", 2, "usage" },
	{ "topology two.edges\nmobility trace nope\n", 2, "no such file" },
	{ "topology two.edges\ncontroller moon\n", 2, "no node" },
	{ "topology two.edges\nmetrics interval_ms 0\n", 2, "outside" },
	{ "topology two.edges\n\x01\x02 3\n", 2, "unknown statement" },
	{ "topology two.edges\na b c d e f g h i j k l m n o p q\n", 2,
	    "more than 16 words" },
	{ "", 0, "no topology" },
};

static void
test_bad_worlds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_worlds) / sizeof(bad_worlds[0]);
	    i++) {
		struct scale_world w;
		struct file_err e;
		const char *t = bad_worlds[i].text;

		memset(&e, 0, sizeof(e));
		if (scale_world_parse(&w, t, strlen(t), "w", "d", mem_read,
		    NULL, &e) == 0)
			fail_msg("case %zu accepted", i);
		if (bad_worlds[i].line != 0 &&
		    e.line != bad_worlds[i].line)
			fail_msg("case %zu: line %u, not %u (%s)", i, e.line,
			    bad_worlds[i].line, e.reason);
		if (strstr(e.reason, bad_worlds[i].reason) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.reason,
			    bad_worlds[i].reason);
		assert_null(w.site);
	}
}

static void
test_hist(void **state)
{
	struct scale_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (int i = 1; i <= 1000; i++)
		scale_hist_add(&h, i * 1000.0);
	/* 1 % bins: the quantiles land within 1 % above the true values */
	assert_true(scale_hist_quantile(&h, 0.5) >= 500000);
	assert_true(scale_hist_quantile(&h, 0.5) <= 505000 * 1.011);
	assert_true(scale_hist_quantile(&h, 0.99) >= 990000);
	assert_true(scale_hist_quantile(&h, 0.99) <= 990000 * 1.011);
	assert_true(h.sum / h.n > 500000 && h.sum / h.n < 501000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_order),
		cmocka_unit_test(test_mobility),
		cmocka_unit_test(test_switch),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_bad_worlds),
		cmocka_unit_test(test_hist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
