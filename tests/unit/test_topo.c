/* Unit tests for the topology readers (GML, edge list), the great-circle
 * delay, shortest delays and the mobility trace reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "cats/topo.h"
#include "cats/trace.h"

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
parse_ok(struct topo *t, int (*fn)(struct topo *, const char *, size_t,
    const char *, struct file_err *), const char *text)
{
	struct file_err e;
	char msg[512];

	if (fn(t, text, strlen(text), "t", &e) != 0) {
		file_err_format(&e, msg, sizeof(msg));
		fail_msg("refused: %s", msg);
	}
	return 0;
}

static const struct topo_link *
link_of(const struct topo *t, const char *a, const char *b)
{
	int ia = topo_find(t, a), ib = topo_find(t, b);

	for (size_t i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		if ((l->a == (uint32_t)ia && l->b == (uint32_t)ib) ||
		    (l->a == (uint32_t)ib && l->b == (uint32_t)ia))
			return l;
	}
	fail_msg("no link %s-%s", a, b);
	return NULL;
}

/* ------------------------------------------------------------------ */

static void
test_great_circle(void **state)
{
	(void)state;
	/* London - Paris, about 344 km. */
	assert_float_equal(topo_great_circle_km(51.5074, -0.1278, 48.8566,
	    2.3522), 343.5, 2.0);
	/* New York - Los Angeles, about 3936 km. */
	assert_float_equal(topo_great_circle_km(40.7128, -74.0060, 34.0522,
	    -118.2437), 3936, 10);
	assert_float_equal(topo_great_circle_km(10, 20, 10, 20), 0, 1e-9);
	/* Antipodes: half the circumference, pi R. */
	assert_float_equal(topo_great_circle_km(0, 0, 0, 180),
	    3.14159265358979 * 6371, 1e-6);
	assert_float_equal(topo_great_circle_km(90, 0, -90, 0),
	    3.14159265358979 * 6371, 1e-6);

	/* 2/3 c = 199861.639 km/s: a hair under 199.8616 km a ms. */
	assert_int_equal(topo_fiber_delay_us(199.8616), 1000);
	assert_int_equal(topo_fiber_delay_us(1), 6);	/* 5.0035 up */
	assert_int_equal(topo_fiber_delay_us(0), 1);
	assert_int_equal(topo_fiber_delay_us(-5), 1);
	assert_int_equal(topo_fiber_delay_us(1e12), TOPO_MAX_DELAY_US);
}

static void
test_file_err(void **state)
{
	struct file_err e;
	char out[64];

	(void)state;
	assert_int_equal(file_err_set(&e, "w.gml", 7, "bad %d", 3), -1);
	file_err_format(&e, out, sizeof(out));
	assert_string_equal(out, "w.gml:7: bad 3");
	e.line = 0;
	file_err_format(&e, out, sizeof(out));
	assert_string_equal(out, "w.gml: bad 3");
}

static void
test_abilene(void **state)
{
	struct topo t;
	struct file_err e;
	size_t len;
	char *buf = read_file("data/topo/abilene.gml", &len);
	uint32_t d[11], d2[11];
	uint16_t h[11];
	const struct topo_link *l;
	int sea, sun, nyc;

	(void)state;
	assert_int_equal(topo_parse(&t, buf, len, "abilene.gml", &e), 0);
	assert_int_equal(t.nnodes, 11);
	assert_int_equal(t.nlinks, 14);
	assert_int_equal(t.dup_links, 0);
	assert_int_equal(topo_naccess(&t), 11);	/* none marked: all */
	sea = topo_find(&t, "Seattle");
	sun = topo_find(&t, "Sunnyvale");
	nyc = topo_find(&t, "New York");
	assert_true(sea >= 0 && sun >= 0 && nyc >= 0);
	assert_int_equal(topo_find(&t, "Boston"), -1);
	l = link_of(&t, "Seattle", "Sunnyvale");
	assert_int_equal(l->bw_bps, UINT64_C(10000000000));
	/* ~1140 km of great circle at 2/3 c: about 5.7 ms. */
	assert_int_equal(l->delay_us, topo_fiber_delay_us(topo_great_circle_km(
	    t.nodes[sea].lat, t.nodes[sea].lon, t.nodes[sun].lat,
	    t.nodes[sun].lon)));
	assert_in_range(l->delay_us, 5300, 5900);
	for (size_t i = 0; i < t.nlinks; i++)
		assert_int_not_equal(t.links[i].delay_us, 0);

	/* Every PoP reachable; delays symmetric; Seattle - New York goes
	 * Seattle Denver Kansas-City Indianapolis Chicago New-York (5 hops). */
	assert_int_equal(topo_paths(&t, (uint32_t)sea, d, h), 0);
	assert_int_equal(d[sea], 0);
	assert_int_equal(h[sea], 0);
	for (size_t i = 0; i < t.nnodes; i++)
		assert_true(d[i] != UINT32_MAX);
	assert_int_equal(topo_paths(&t, (uint32_t)nyc, d2, NULL), 0);
	assert_int_equal(d[nyc], d2[sea]);
	assert_int_equal(h[nyc], 5);
	assert_int_equal(d[nyc],
	    link_of(&t, "Seattle", "Denver")->delay_us +
	    link_of(&t, "Denver", "Kansas City")->delay_us +
	    link_of(&t, "Kansas City", "Indianapolis")->delay_us +
	    link_of(&t, "Indianapolis", "Chicago")->delay_us +
	    link_of(&t, "Chicago", "New York")->delay_us);
	topo_free(&t);
	assert_null(t.nodes);
	free(buf);
}

/* Ids out of order and negative, nested unknown lists, comments, every
 * delay spelling, parallel links, access marks. */
static const char gml_small[] =
    "# a comment line\n"
    "Creator \"hand\"\n"
    "graph [\n"
    "  directed 1\n"
    "  node [ id 10 label \" Alpha \" Latitude 0 Longitude 0\n"
    "    graphics [ x 1.0 y -2e3 w [ deep [ er 1 ] ] ] ]\n"
    "  node [ id -3 label \"Beta\" access 1 ]\n"
    "  node [ id 7 Internal 1 ]\n"
    "  node [ id 2 label \"Delta\" Latitude 0 Longitude 1.0 access 1 ]\n"
    "  edge [ source 10 target -3 LinkDelay 1.5 ]\n"
    "  edge [ source -3 target 7 delay \"500 us\" bandwidth \"2.5 Gbps\" ]\n"
    "  edge [ source 7 target 10 LinkDelay \"2ms\" LinkSpeedRaw 1e9 ]\n"
    "  edge [ source 10 target 7 LinkDelay \"3 ms\" LinkSpeedRaw 4e9 ]\n"
    "  edge [ source 10 target 2 id \"e1\" ]\n"
    "  edge [ source 2 target 10 LinkDelay 0 ]\n"
    "]\n";

static void
test_gml_small(void **state)
{
	struct topo t;
	const struct topo_link *l;

	(void)state;
	parse_ok(&t, topo_parse_gml, gml_small);
	assert_int_equal(t.nnodes, 4);
	assert_string_equal(t.nodes[0].name, "Alpha");	/* trimmed */
	assert_string_equal(t.nodes[1].name, "Beta");
	assert_string_equal(t.nodes[2].name, "7");	/* no label: id */
	assert_true(t.nodes[0].geo && !t.nodes[1].geo);
	assert_false(t.nodes[0].access);
	assert_true(t.nodes[1].access && t.nodes[3].access);
	assert_int_equal(topo_naccess(&t), 2);
	assert_int_equal(t.nlinks, 4);
	assert_int_equal(t.dup_links, 2);
	assert_int_equal(link_of(&t, "Alpha", "Beta")->delay_us, 1500);
	l = link_of(&t, "Beta", "7");
	assert_int_equal(l->delay_us, 500);
	assert_int_equal(l->bw_bps, UINT64_C(2500000000));
	/* Parallel: lowest delay, highest bandwidth. */
	l = link_of(&t, "7", "Alpha");
	assert_int_equal(l->delay_us, 2000);
	assert_int_equal(l->bw_bps, UINT64_C(4000000000));
	/* Parallel with a great-circle one: 0 ms rounds up to 1 us. */
	assert_int_equal(link_of(&t, "Alpha", "Delta")->delay_us, 1);
	topo_free(&t);

	/* Without the zero-delay twin: 1 degree at the equator, 111.19 km,
	 * 556.3 us up to 557. */
	parse_ok(&t, topo_parse_gml,
	    "graph [ node [ id 1 Latitude 0 Longitude 0 ]\n"
	    "node [ id 2 Latitude 0 Longitude 1 ] edge [ source 1 target 2 ] ]");
	assert_int_equal(t.links[0].delay_us, 557);
	topo_free(&t);
}

static void
test_edges_small(void **state)
{
	struct topo t;
	const struct topo_link *l;

	(void)state;
	parse_ok(&t, topo_parse_edges,
	    "# an edge list\n"
	    "node a lat 0 lon 0 access\n"
	    "\n"
	    "link a b delay 5ms bw 10Gbps   # glued units\n"
	    "link b c delay 250 us bw 100 Mbps\r\n"
	    "link c a delay 1.5ms\n"
	    "link a d\n"
	    "link d a delay 1 s\n"
	    "node d lat 0 lon 0.5\n"	/* declared by use, now placed */
	    "node e\n");
	assert_int_equal(t.nnodes, 5);
	assert_string_equal(t.nodes[1].name, "b");
	assert_int_equal(topo_naccess(&t), 1);
	l = link_of(&t, "a", "b");
	assert_int_equal(l->delay_us, 5000);
	assert_int_equal(l->bw_bps, UINT64_C(10000000000));
	l = link_of(&t, "b", "c");
	assert_int_equal(l->delay_us, 250);
	assert_int_equal(l->bw_bps, UINT64_C(100000000));
	assert_int_equal(link_of(&t, "a", "c")->delay_us, 1500);
	assert_int_equal(link_of(&t, "a", "c")->bw_bps, 0);
	/* Half a degree: 55.6 km, 278.2 us up to 279, below the 1 s twin. */
	assert_int_equal(link_of(&t, "a", "d")->delay_us, 279);
	assert_int_equal(t.nlinks, 4);
	assert_int_equal(t.dup_links, 1);
	topo_free(&t);
}

static void
test_detect(void **state)
{
	struct topo t;

	(void)state;
	parse_ok(&t, topo_parse, "  # c\n\n graph [ node [ id 1 ] ]");
	assert_int_equal(t.nnodes, 1);
	topo_free(&t);
	parse_ok(&t, topo_parse, "# c\nlink x y delay 1ms\n");
	assert_int_equal(t.nnodes, 2);
	assert_int_equal(t.nlinks, 1);
	topo_free(&t);
	parse_ok(&t, topo_parse, "Version 1 graph [ node [ id 1 ] ]");
	assert_int_equal(t.nnodes, 1);
	topo_free(&t);
	parse_ok(&t, topo_parse, "node only\n");
	assert_int_equal(t.nnodes, 1);
	topo_free(&t);
}

/*
 * By hand:   A -10- B -10- C -1- D     E (alone)
 *            A -------20------ C        (ties A-B-C: fewer hops wins)
 *            B -50- D
 * From A: A 0/0, B 10/1, C 20/1, D 21/2, E unreachable.
 */
static void
test_paths(void **state)
{
	struct topo t;
	uint32_t d[5];
	uint16_t h[5];

	(void)state;
	parse_ok(&t, topo_parse_edges,
	    "node A\nnode B\nnode C\nnode D\nnode E\n"
	    "link A B delay 10us\nlink B C delay 10us\nlink A C delay 20us\n"
	    "link C D delay 1us\nlink B D delay 50us\n");
	assert_int_equal(topo_paths(&t, 0, d, h), 0);
	assert_int_equal(d[0], 0);
	assert_int_equal(d[1], 10);
	assert_int_equal(d[2], 20);
	assert_int_equal(d[3], 21);
	assert_int_equal(d[4], UINT32_MAX);
	assert_int_equal(h[1], 1);
	assert_int_equal(h[2], 1);
	assert_int_equal(h[3], 2);
	assert_int_equal(h[4], UINT16_MAX);
	/* From D: C 1, B 11 (D-C-B), A 21 (D-C-A, 2 hops, not D-C-B-A). */
	assert_int_equal(topo_paths(&t, 3, d, h), 0);
	assert_int_equal(d[2], 1);
	assert_int_equal(d[1], 11);
	assert_int_equal(d[0], 21);
	assert_int_equal(h[0], 2);
	assert_int_equal(topo_paths(&t, 5, d, h), -1);
	topo_free(&t);
}

/* A 1000-site world: 5000 nodes, 20000 links, read and routed fast. */
static void
test_scale(void **state)
{
	size_t cap = 2u << 20, n = 0;
	char *buf = malloc(cap);
	struct topo t;
	struct file_err e;
	uint32_t *d;
	struct timespec t0, t1;
	double sec;
	uint32_t x = 12345;

	(void)state;
	assert_non_null(buf);
	for (int i = 0; i < 5000; i++)
		n += (size_t)snprintf(buf + n, cap - n,
		    "node n%d lat %.3f lon %.3f%s\n", i, (i % 170) - 85.0,
		    (i % 350) - 175.0, i % 5 == 0 ? " access" : "");
	for (int i = 0; i < 20000; i++) {
		int a = i % 5000, b;

		x = x * 1103515245u + 12345u;
		b = (int)((x >> 8) % 5000);
		if (b == a)
			b = (a + 1) % 5000;
		n += (size_t)snprintf(buf + n, cap - n, i % 2 ?
		    "link n%d n%d delay %ums bw 10Gbps\n" : "link n%d n%d%.0u\n",
		    a, b, i % 2 ? x % 50 + 1 : 0);
	}
	assert_true(n < cap);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(topo_parse(&t, buf, n, "big", &e), 0);
	d = calloc(t.nnodes, sizeof(*d));
	assert_non_null(d);
	assert_int_equal(topo_paths(&t, 0, d, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sec = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("5000 nodes, %zu links (+%zu parallel): %.3f s "
	    "(sanitized build)\n", t.nlinks, t.dup_links, sec);
	assert_int_equal(t.nnodes, 5000);
	assert_int_equal(t.nlinks + t.dup_links, 20000);
	assert_int_equal(topo_naccess(&t), 1000);
	assert_true(sec < 1.0);
	free(d);
	topo_free(&t);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Named malformed inputs: each refused on its line for its reason.     */

enum fmt { GML, EDGES, AUTO };

struct bad_case {
	const char	*name;
	enum fmt	 fmt;
	const char	*text;
	size_t		 len;		/* 0: strlen */
	unsigned	 line;
	const char	*reason;	/* a substring */
};

#define LONG64 "0123456789012345678901234567890123456789012345678901234567890123"

static const struct bad_case bad_cases[] = {
	{ "gml-dup-id", GML, "graph [\n node [ id 1 ]\n node [ id 1 ]\n]\n", 0,
	    3, "duplicate node id 1 (first on line 2)" },
	{ "gml-unknown-target", GML, "graph [\n node [ id 1 ]\n"
	    " edge [ source 1 target 9 LinkDelay 1 ]\n]\n", 0,
	    3, "edge 1-9: unknown node id 9" },
	{ "gml-unknown-source", GML, "graph [\n node [ id 1 ]\n\n"
	    " edge [ source 4 target 1 LinkDelay 1 ]\n]\n", 0,
	    4, "edge 4-1: unknown node id 4" },
	{ "gml-self-loop", GML, "graph [\n node [ id 1 ]\n"
	    " edge [ source 1 target 1 LinkDelay 1 ]\n]\n", 0,
	    3, "edge 1-1: self-loop" },
	{ "gml-unclosed-graph", GML, "graph [\n node [ id 1 ]\n", 0,
	    2, "truncated: graph opened on line 1 not closed" },
	{ "gml-unclosed-node", GML, "graph [\n node [ id 1\n\n", 0,
	    3, "truncated: node opened on line 2 not closed" },
	{ "gml-unclosed-nested", GML, "graph [\n node [ id 1 g [ x 1\n", 0,
	    2, "truncated: list opened on line 2 not closed" },
	{ "gml-extra-close", GML, "graph [\n node [ id 1 ]\n]\n]\n", 0,
	    4, "']' without '['" },
	{ "gml-id-string", GML, "graph [\n node [ id \"a\" ]\n]\n", 0,
	    2, "id: expected an integer, found a string" },
	{ "gml-id-real", GML, "graph [\n node [ id 1.5 ]\n]\n", 0,
	    2, "id: expected an integer, found a real" },
	{ "gml-id-huge", GML, "graph [\n node [ id 99999999999999999999 ]\n]", 0,
	    2, "id: integer out of range" },
	{ "gml-label-number", GML, "graph [\n node [ id 1 label 5 ]\n]\n", 0,
	    2, "label: expected a string, found a number" },
	{ "gml-lat-list", GML, "graph [\n node [ id 1\n Latitude [ a 1 ] ]\n]", 0,
	    3, "Latitude: expected a number, found a list" },
	{ "gml-lat-range", GML, "graph [\n node [ id 1 Latitude 90.5 "
	    "Longitude 0 ]\n]\n", 0, 2, "Latitude: out of range [-90, 90]" },
	{ "gml-lon-range", GML, "graph [\n node [ id 1 Latitude 0\n"
	    " Longitude -180.01 ]\n]\n", 0,
	    3, "Longitude: out of range [-180, 180]" },
	{ "gml-lat-only", GML, "graph [\n node [ id 1 Latitude 1 ]\n]\n", 0,
	    2, "Latitude without Longitude" },
	{ "gml-neg-delay", GML, "graph [\n node [ id 1 ] node [ id 2 ]\n"
	    " edge [ source 1 target 2\n LinkDelay -0.5 ]\n]\n", 0,
	    4, "negative delay" },
	{ "gml-neg-delay-str", GML, "graph [\n node [ id 1 ] node [ id 2 ]\n"
	    " edge [ source 1 target 2 delay \"-3 us\" ]\n]\n", 0,
	    3, "negative delay" },
	{ "gml-delay-bad-unit", GML, "graph [\n node [ id 1 ] node [ id 2 ]\n"
	    " edge [ source 1 target 2 LinkDelay \"fast\" ]\n]\n", 0,
	    3, "bad delay \"fast\"" },
	{ "gml-delay-huge", GML, "graph [\n node [ id 1 ] node [ id 2 ]\n"
	    " edge [ source 1 target 2 LinkDelay 1e300 ]\n]\n", 0,
	    3, "delay out of range" },
	{ "gml-bw-neg", GML, "graph [\n node [ id 1 ] node [ id 2 ]\n"
	    " edge [ source 1 target 2 LinkDelay 1 LinkSpeedRaw -1 ]\n]\n", 0,
	    3, "negative bandwidth" },
	{ "gml-label-long", GML, "graph [\n node [ id 1\n label \"" LONG64
	    "\" ]\n]\n", 0, 2, "label too long (64 bytes, at most 63)" },
	{ "gml-label-empty", GML, "graph [\n node [ id 1 label \" \" ]\n]\n", 0,
	    2, "empty label" },
	{ "gml-no-delay-no-geo", GML, "graph [\n node [ id 3 ]\n"
	    " node [ id 7 Latitude 1 Longitude 1 ]\n"
	    " edge [ source 3 target 7 ]\n]\n", 0,
	    4, "edge 3-7: no delay and no coordinates" },
	{ "gml-empty-graph", GML, "graph [\n]\n", 0, 2, "empty graph: no nodes" },
	{ "gml-empty-file", GML, "", 0, 1, "no graph" },
	{ "gml-no-graph", GML, "Creator \"x\"\nVersion 1\n", 0, 2, "no graph" },
	{ "gml-two-graphs", GML, "graph [ node [ id 1 ] ]\ngraph [ ]\n", 0,
	    2, "second graph (first on line 1)" },
	{ "gml-graph-number", GML, "graph 5\n", 0,
	    1, "graph: expected a list, found a number" },
	{ "gml-node-string", GML, "graph [\n node \"x\"\n]\n", 0,
	    2, "node: expected a list, found a string" },
	{ "gml-unterminated", GML, "graph [\n node [ id 1 label \"abc\n]\n", 0,
	    2, "unterminated string" },
	{ "gml-nul", GML, "graph [\n node [ id 1 ]\0\n]\n", 24,
	    2, "NUL byte" },
	{ "gml-bad-number", GML, "graph [\n node [ id 1x ]\n]\n", 0,
	    2, "bad number '1x'" },
	{ "gml-bad-char", GML, "graph [\n node [ id 1 ] ;\n]\n", 0,
	    2, "unexpected character ';'" },
	{ "gml-directed-2", GML, "graph [\n directed 2\n]\n", 0,
	    2, "directed: expected 0 or 1" },
	{ "gml-access-2", GML, "graph [\n node [ id 1 access 2 ]\n]\n", 0,
	    2, "access: expected 0 or 1" },
	{ "gml-key-no-value", GML, "graph [\n node [ id", 0,
	    2, "truncated: key 'id' without a value" },
	{ "gml-key-then-close", GML, "graph [\n node [ id ]\n]", 0,
	    2, "key 'id': expected a value, found ']'" },
	{ "gml-value-no-key", GML, "graph [\n node [ 5 ]\n]", 0,
	    2, "node: expected a key, found a number" },
	{ "gml-dup-key", GML, "graph [\n node [ id 1\n id 2 ]\n]", 0,
	    3, "node: duplicate key 'id'" },
	{ "gml-node-no-id", GML, "graph [\n node [ label \"a\" ]\n]", 0,
	    2, "node without id" },
	{ "gml-edge-no-target", GML, "graph [\n node [ id 1 ]\n"
	    " edge [ source 1 ]\n]", 0, 3, "edge without source or target" },

	{ "el-unknown-statement", EDGES, "node a\nnodes b\n", 0,
	    2, "unknown statement 'nodes'" },
	{ "el-dup-node", EDGES, "link a b delay 1ms\nnode a\nnode a\n",
	    0, 3, "duplicate node 'a' (first on line 2)" },
	{ "el-self-loop", EDGES, "# x\nlink a a delay 1ms\n", 0,
	    2, "link a-a: self-loop" },
	{ "el-delay-no-unit", EDGES, "link a b delay 5\n", 0,
	    1, "delay: unit missing (us, ms or s)" },
	{ "el-delay-bad-unit", EDGES, "link a b delay 5xs\n", 0,
	    1, "delay: unknown unit 'xs'" },
	{ "el-delay-not-number", EDGES, "link a b delay fast\n", 0,
	    1, "delay: bad number 'fast'" },
	{ "el-delay-missing", EDGES, "link a b delay\n", 0,
	    1, "delay: value missing" },
	{ "el-neg-delay", EDGES, "link a b delay -1ms\n", 0,
	    1, "link: negative delay" },
	{ "el-delay-range", EDGES, "link a b delay 3601 s\n", 0,
	    1, "link: delay out of range" },
	{ "el-bw-no-unit", EDGES, "link a b delay 1ms bw 10 Gbit\n", 0,
	    1, "bw: unit missing" },
	{ "el-bw-range", EDGES, "link a b delay 1ms bw 2e7Tbps\n", 0,
	    1, "bandwidth out of range" },
	{ "el-delay-twice", EDGES, "link a b delay 1ms delay 2ms\n", 0,
	    1, "link: delay twice" },
	{ "el-unknown-option", EDGES, "link a b speed 1\n", 0,
	    1, "link: unknown option 'speed'" },
	{ "el-link-one-name", EDGES, "node a\nlink a\n", 0,
	    2, "link: expected two node names" },
	{ "el-node-no-name", EDGES, "node\n", 0, 1, "node: name missing" },
	{ "el-lat-range", EDGES, "node a lat 100 lon 0\n", 0,
	    1, "node: lat out of range [-90, 90]" },
	{ "el-lon-range", EDGES, "node a lat 0 lon 181\n", 0,
	    1, "node: lon out of range [-180, 180]" },
	{ "el-lat-no-lon", EDGES, "node a lat 10\n", 0,
	    1, "node: lat without lon" },
	{ "el-lat-bad", EDGES, "node a lat x lon 1\n", 0,
	    1, "node: lat: bad number 'x'" },
	{ "el-lat-inf", EDGES, "node a lat inf lon 1\n", 0,
	    1, "node: lat: bad number 'inf'" },
	{ "el-no-delay", EDGES, "node a\nnode b lat 0 lon 0\n\nlink a b\n", 0,
	    4, "link a-b: no delay and no coordinates" },
	{ "el-name-long", EDGES, "node a\nlink a " LONG64 " delay 1ms\n", 0,
	    2, "name too long (64 bytes, at most 63)" },
	{ "el-empty", EDGES, "# nothing\n\n", 0, 2, "empty graph: no nodes" },
	{ "el-nul", EDGES, "node a\nnode\0b\n", 13, 2, "NUL byte" },
	{ "el-words", EDGES, "link a b 1 2 3 4 5 6 7 8 9 10 11 12 13 14\n", 0,
	    1, "too many words" },
	{ "el-control", EDGES, "node a\x01\n", 0, 1, "control character" },
	{ "auto-gml", AUTO, "graph [\n node [ id 1 ]\n edge [ source 1 target 2 "
	    "delay 1 ]\n]", 0, 3, "unknown node id 2" },
	{ "auto-edges", AUTO, "link a b\n", 0,
	    1, "link a-b: no delay and no coordinates" },
};

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(*bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct topo t = { (void *)1, 9, (void *)1, 9, 9 };
		struct file_err e;
		char msg[512];
		int rc;

		memset(&e, 0, sizeof(e));
		rc = c->fmt == GML ? topo_parse_gml(&t, c->text, len, "w", &e) :
		    c->fmt == EDGES ? topo_parse_edges(&t, c->text, len, "w", &e) :
		    topo_parse(&t, c->text, len, "w", &e);
		file_err_format(&e, msg, sizeof(msg));
		if (rc != -1)
			fail_msg("%s: accepted", c->name);
		if (t.nodes != NULL || t.links != NULL || t.nnodes || t.nlinks)
			fail_msg("%s: topo not left empty", c->name);
		if (strcmp(e.file, "w") != 0 || e.line != c->line ||
		    strstr(e.reason, c->reason) == NULL)
			fail_msg("%s: got \"%s\", want line %u \"%s\"", c->name,
			    msg, c->line, c->reason);
	}
}

/* ------------------------------------------------------------------ */
/* Traces                                                               */

static const char trace_topo[] =
    "node a access\nnode b access\nnode c\n"
    "link a b delay 1ms\nlink b c delay 1ms\n";

static void
test_trace(void **state)
{
	struct topo t;
	struct trace tr;
	struct file_err e;
	const char *s =
	    "# time client node\n"
	    "0 1 a\n"
	    "  10\t2 b  \n"
	    "10 1 b\n"
	    "\n"
	    "   # indented comment\n"
	    "9007199254740992 4294967295 a";

	(void)state;
	parse_ok(&t, topo_parse_edges, trace_topo);
	assert_int_equal(trace_parse(&tr, &t, s, strlen(s), "tr", &e), 0);
	assert_int_equal(tr.n, 4);
	assert_int_equal(tr.ev[0].at_ms, 0);
	assert_int_equal(tr.ev[0].client, 1);
	assert_int_equal(tr.ev[0].node, 0);
	assert_int_equal(tr.ev[1].at_ms, 10);
	assert_int_equal(tr.ev[1].client, 2);
	assert_int_equal(tr.ev[1].node, 1);
	assert_int_equal(tr.ev[2].node, 1);
	assert_int_equal(tr.ev[3].at_ms, UINT64_C(1) << 53);
	assert_int_equal(tr.ev[3].client, UINT32_MAX);
	trace_free(&tr);
	assert_null(tr.ev);
	topo_free(&t);
}

static void
test_trace_abilene(void **state)
{
	struct topo t;
	struct trace tr;
	struct file_err e;
	size_t len;
	char *buf = read_file("data/topo/abilene.gml", &len);
	const char *s = "0 7 New York\n500 7  Kansas City \n";

	(void)state;
	assert_int_equal(topo_parse(&t, buf, len, "abilene.gml", &e), 0);
	assert_int_equal(trace_parse(&tr, &t, s, strlen(s), "tr", &e), 0);
	assert_int_equal(tr.n, 2);
	assert_int_equal(tr.ev[0].node, topo_find(&t, "New York"));
	assert_int_equal(tr.ev[1].node, topo_find(&t, "Kansas City"));
	trace_free(&tr);
	topo_free(&t);
	free(buf);
}

static const struct bad_case bad_traces[] = {
	{ "tr-back", AUTO, "10 1 a\n5 1 b\n", 0,
	    2, "time goes back (5 ms after 10 ms on line 1)" },
	{ "tr-unknown-node", AUTO, "0 1 a\n\n1 1 z\n", 0,
	    3, "unknown node 'z'" },
	{ "tr-not-access", AUTO, "0 1 c\n", 0,
	    1, "node 'c' is not an access node" },
	{ "tr-client-range", AUTO, "0 4294967296 a\n", 0,
	    1, "client out of range" },
	{ "tr-client-alpha", AUTO, "0 x1 a\n", 0,
	    1, "client: expected an unsigned integer" },
	{ "tr-client-neg", AUTO, "0 -1 a\n", 0,
	    1, "client: expected an unsigned integer" },
	{ "tr-time-range", AUTO, "9007199254740993 1 a\n", 0,
	    1, "time out of range" },
	{ "tr-time-huge", AUTO, "99999999999999999999999999 1 a\n", 0,
	    1, "time out of range" },
	{ "tr-time-neg", AUTO, "-1 1 a\n", 0,
	    1, "expected TIME_MS CLIENT NODE" },
	{ "tr-time-real", AUTO, "1.5 1 a\n", 0,
	    1, "expected TIME_MS CLIENT NODE" },
	{ "tr-no-client", AUTO, "# x\n5\n", 0, 2, "client missing" },
	{ "tr-no-node", AUTO, "5 1   \n", 0, 1, "node missing" },
	{ "tr-empty", AUTO, "# only a comment\n", 0,
	    1, "empty trace: no events" },
	{ "tr-empty-file", AUTO, "", 0, 1, "empty trace: no events" },
	{ "tr-nul", AUTO, "0 1 a\n1 1 b\0\n", 13, 2, "NUL byte" },
};

static void
test_trace_bad(void **state)
{
	struct topo t;

	(void)state;
	parse_ok(&t, topo_parse_edges, trace_topo);
	for (size_t i = 0; i < sizeof(bad_traces) / sizeof(*bad_traces); i++) {
		const struct bad_case *c = &bad_traces[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct trace tr = { (void *)1, 9 };
		struct file_err e;
		char msg[512];

		memset(&e, 0, sizeof(e));
		if (trace_parse(&tr, &t, c->text, len, "tr", &e) != -1)
			fail_msg("%s: accepted", c->name);
		file_err_format(&e, msg, sizeof(msg));
		if (tr.ev != NULL || tr.n != 0)
			fail_msg("%s: trace not left empty", c->name);
		if (strcmp(e.file, "tr") != 0 || e.line != c->line ||
		    strstr(e.reason, c->reason) == NULL)
			fail_msg("%s: got \"%s\", want line %u \"%s\"", c->name,
			    msg, c->line, c->reason);
	}
	topo_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_great_circle),
		cmocka_unit_test(test_file_err),
		cmocka_unit_test(test_abilene),
		cmocka_unit_test(test_gml_small),
		cmocka_unit_test(test_edges_small),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_trace_abilene),
		cmocka_unit_test(test_trace_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
