/*
 * Tests of catsd's configuration (src/catsd/conf*.c): every example loads
 * and survives print/parse unchanged; golden files in tests/conf (NAME.json
 * gives the canonical form or the error line in NAME.ok); named bad
 * configurations, each with its exact error line; defaults; limits.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <cmocka.h>

#include "cats/conf.h"

/* ---- helpers ---- */

#define NAME_LEN	300	/* a directory and a file name */

/* JSON in C strings with ' for ", so the tables stay readable. */
static char *
q(const char *s)
{
	char *t = strdup(s);

	assert_non_null(t);
	for (char *p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static int
parse_q(const char *text, struct conf *c, char *err)
{
	char *t = q(text);
	int r = conf_parse(t, strlen(t), "t.json", c, err, CONF_ERR_MAX);

	free(t);
	return r;
}

static char *
print_str(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(conf_print(c, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "r");
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
	return buf;
}

/*
 * parse(print(c)) == c, byte for byte (conf_parse builds from a zeroed
 * object, so padding compares too), and printing that gives the same text.
 */
static void
round_trip(const struct conf *c)
{
	static struct conf c2;
	char err[CONF_ERR_MAX];
	char *t1 = print_str(c), *t2;

	if (conf_parse(t1, strlen(t1), c->path, &c2, err, sizeof(err)) != 0)
		fail_msg("printed form does not parse: %s\n%s", err, t1);
	assert_memory_equal(c, &c2, sizeof(c2));
	t2 = print_str(&c2);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
}

/* The files in dir ending in ext, sorted. */
static size_t
list_files(const char *dir, const char *ext, char names[][NAME_LEN], size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, el = strlen(ext);

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l <= el || strcmp(e->d_name + l - el, ext) != 0)
			continue;
		assert_true(n < max);
		snprintf(names[n++], NAME_LEN, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, NAME_LEN, (int (*)(const void *, const void *))strcmp);
	return n;
}

/* ---- examples ---- */

static void
test_examples_load(void **state)
{
	static struct conf c;
	char names[32][NAME_LEN], err[CONF_ERR_MAX];
	size_t n = list_files("examples", ".json", names, 32);

	(void)state;
	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		if (conf_load(names[i], &c, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_string_equal(c.path, names[i]);
		round_trip(&c);
	}
}

static void
load(const char *path, struct conf *c)
{
	char err[CONF_ERR_MAX];

	if (conf_load(path, c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static const uint8_t *
addr6(const char *s)
{
	static uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
	return a;
}

static void
test_example_ingress(void **state)
{
	static struct conf c;
	const struct node_cfg *n = &c.node;

	(void)state;
	load("examples/ingress.json", &c);
	assert_string_equal(n->name, "ingress1");
	assert_memory_equal(n->addr, addr6("2001:db8:11::1"), 16);
	assert_int_equal(n->roles, NODE_INGRESS);
	assert_int_equal(n->npeers, 5);
	/* this ingress is ingress 0, ingress2 is 1; egresses 0 and 1 */
	assert_int_equal(n->sel_index, 0);
	assert_int_equal(n->peers[0].sel_index, 1);
	assert_int_equal(n->peers[1].sel_index, 0);
	assert_int_equal(n->peers[2].sel_index, 1);
	assert_true(n->peers[0].candidate);
	assert_int_equal(n->peers[0].subprefix.len, 48);
	assert_true(n->peers[1].query);
	assert_memory_equal(c.peers[1].sid, addr6("fc00:e1::"), 16);
	assert_int_equal(n->peers[3].roles, NODE_CONTROLLER);
	assert_int_equal(n->setup, SETUP_QUERY_CONTROLLER);
	assert_int_equal(n->find, FIND_LOCATOR);
	assert_int_equal(n->lifetime, 75);
	assert_true(n->transaction_switch);
	assert_int_equal(n->subprefix.len, 48);
	assert_memory_equal(n->subprefix.addr, addr6("2001:db8:a::"), 16);
	assert_int_equal(n->nservices, 1);
	assert_int_equal(n->services[0].id_len, 10);
	assert_memory_equal(n->services[0].id, "video.cats", 10);
	assert_null(n->sel);
	assert_false(c.has_sel);
	assert_int_equal(c.transport, CONF_TRANSPORT_UDP);
	assert_int_equal(c.udp_port, 5436);
	assert_int_equal(c.log_level, LOG_INFO);
	assert_int_equal(c.dataplane, CONF_DP_KERNEL);
	assert_int_equal(c.table, 100);
	assert_string_equal(c.access_if, "veth-a");
	assert_string_equal(c.core_if, "veth-c");
	assert_string_equal(c.control, "/run/catsd/ingress1.sock");
}

static void
test_example_egress(void **state)
{
	static struct conf c;
	const struct node_cfg *n = &c.node;

	(void)state;
	load("examples/egress.json", &c);
	assert_int_equal(n->roles, NODE_EGRESS);
	assert_int_equal(n->pool.len, 48);
	assert_int_equal(n->pool_plen, 64);
	assert_int_equal(n->ninstances, 1);
	assert_int_equal(n->instances[0].id, 101);
	assert_int_equal(n->instances[0].service, 0);
	assert_int_equal(n->instances[0].egress_sel, 0);
	assert_memory_equal(n->instances[0].edge, addr6("2001:db8:e1::100"), 16);
	assert_string_equal(c.instances[0].edge_control, "[2001:db8:e1::100]:7001");
	assert_int_equal(c.transfer_port, 5437);
	assert_int_equal(n->conditions.min_bw, 125000000);
	assert_int_equal(n->conditions.max_lat, 20000000);
	assert_int_equal(n->conditions.max_jitter, MH_REQ_UNSET);
	/* this egress is egress 0, so egress2 is 1 */
	assert_int_equal(n->peers[2].sel_index, 1);
	assert_false(c.has_sel);
	/* the control socket's default follows the node's name */
	assert_string_equal(c.control, "/run/catsd/egress1.sock");
}

static void
test_example_controller(void **state)
{
	static struct conf c;
	const struct node_cfg *n = &c.node;

	(void)state;
	load("examples/controller.json", &c);
	assert_true(c.has_sel);
	assert_int_equal(c.sel.policy, CATS_POL_RESPONSE_TIME);
	assert_int_equal(n->ninstances, 2);
	assert_int_equal(n->instances[0].egress_sel, 0);
	assert_int_equal(n->instances[1].egress_sel, 1);
	assert_int_equal(n->instances[1].id, 201);
	assert_int_equal(c.nmetrics, 2);
	assert_int_equal(c.metrics[1].instance, 201);
	assert_true(c.metrics[1].util == 0.3);
	assert_true(c.metrics[0].proc_delay_ns == 2e6);
	assert_true(c.syslog);
	assert_int_equal(c.log_level, LOG_NOTICE);
}

static void
test_example_combined(void **state)
{
	static struct conf c;
	const struct node_cfg *n = &c.node;

	(void)state;
	load("examples/egress-controller.json", &c);
	assert_int_equal(n->roles, NODE_EGRESS | NODE_CONTROLLER);
	/* the egress's instance first, behind this node (egress 0) */
	assert_int_equal(n->ninstances, 2);
	assert_int_equal(n->instances[0].id, 101);
	assert_int_equal(n->instances[0].egress_sel, 0);
	assert_int_equal(n->instances[1].id, 201);
	assert_int_equal(n->instances[1].egress_sel, 1);
	assert_int_equal(n->peers[2].sel_index, 1);
	assert_int_equal(c.sel.policy, CATS_POL_L2);
	assert_true(c.metrics[1].capacity == 1200.5);

	load("examples/ingress-option1.json", &c);
	assert_true(c.has_sel);
	assert_int_equal(n->setup, SETUP_QUERY_EGRESSES);
	assert_int_equal(n->find, FIND_PREFIX);
	assert_int_equal(c.transport, CONF_TRANSPORT_RAW);
	assert_true(n->peers[0].candidate);	/* default on an ingress */
	assert_true(n->peers[1].query);		/* default */
	assert_false(n->peers[2].query);
	assert_int_equal(n->services[1].sel_id, 1);
	assert_int_equal(n->rtx_tries, 5);
	assert_int_equal(n->ts_window_ms, 7000);
}

/* ---- golden files ---- */

static void
test_golden(void **state)
{
	static struct conf c;
	char names[128][NAME_LEN], okname[NAME_LEN + 8], err[CONF_ERR_MAX];
	size_t n = list_files("tests/conf", ".json", names, 128);
	char *ok, *out;

	(void)state;
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		snprintf(okname, sizeof(okname), "%.*s.ok",
		    (int)strlen(names[i]) - 5, names[i]);
		ok = read_text(okname);
		if (conf_load(names[i], &c, err, sizeof(err)) == 0) {
			out = print_str(&c);
			round_trip(&c);
		} else {
			size_t l = strlen(err);

			out = malloc(l + 2);
			assert_non_null(out);
			memcpy(out, err, l);
			memcpy(out + l, "\n", 2);
		}
		if (strcmp(out, ok) != 0)
			fail_msg("%s: got\n%s\nexpected\n%s", names[i], out, ok);
		free(out);
		free(ok);
	}
}

/* ---- named bad configurations ---- */

#define NODE_LOC	"'node': { 'name': 'n1', 'address': '2001:db8::1', " \
			"'roles': ['locator'] }"
#define NODE(roles)	"'node': { 'name': 'n1', 'address': '2001:db8::1', " \
			"'roles': [" roles "] }"
#define SVC		"'services': [ { 'id': 'video.cats', " \
			"'address': '2001:db8:cafe::1' } ]"
#define PEERS_ING	"'peers': [ { 'name': 'c', 'address': '2001:db8::c', " \
			"'roles': ['controller'] }, { 'name': 'l', " \
			"'address': '2001:db8::d', 'roles': ['locator'] } ]"
#define PEERS_CTL	"'peers': [ { 'name': 'i1', 'address': '2001:db8::11', " \
			"'roles': ['ingress'] }, { 'name': 'e1', " \
			"'address': '2001:db8::e1', 'roles': ['egress'] } ]"
#define BGP_MIN_OPEN	"'bgp': { 'asn': 65000, 'router_id': '10.0.0.1'"
#define BGP_MIN		BGP_MIN_OPEN
#define EGRESS_MIN	"'egress': { 'pool': '2001:db8:5e::/48' }"

struct bad {
	const char	*name;
	const char	*text;
	const char	*err;
};

static const struct bad bad[] = {
	{ "syntax-line-column", "{\n  'node': {\n    'name': 'n1',,\n",
	  "t.json:3:18: string or '}' expected near ','" },
	{ "empty-file", "",
	  "t.json:1:0: '[' or '{' expected near end of file" },
	{ "duplicate-json-key", "{ " NODE_LOC ",\n 'log': {}, 'log': {} }",
	  "t.json:2:17: duplicate object key near '\"log\"'" },
	{ "top-not-object", "[ 1 ]",
	  "t.json: expected an object, got an array" },
	{ "missing-node", "{ 'log': { 'level': 'info' } }",
	  "t.json: node: expected an object, got nothing" },
	{ "unknown-top-key", "{ " NODE_LOC ", 'nodes': 1 }",
	  "t.json: nodes: unknown key; expected one of: node, signaling, "
	  "control, log, privileges, prometheus, services, peers, ingress, "
	  "egress, "
	  "controller, "
	  "selector, dataplane, ra, probe, timers, bgp, mup" },
	{ "group-without-user", "{ " NODE_LOC ", 'privileges': "
	  "{ 'group': 'nogroup' } }",
	  "t.json: privileges.group: expected only with \"user\"" },
	{ "seccomp-unknown", "{ " NODE_LOC ", 'privileges': "
	  "{ 'user': 'nobody', 'seccomp': 'trap' } }",
	  "t.json: privileges.seccomp: expected \"kill\", \"log\" or "
	  "\"off\", got \"trap\"" },
	{ "user-not-a-name", "{ " NODE_LOC ", 'privileges': "
	  "{ 'user': 'no body' } }",
	  "t.json: privileges.user: expected null or a name of 1 to 32 "
	  "characters (letters, digits, '.', '_', '-'), got \"no body\"" },
	{ "unknown-node-key",
	  "{ 'node': { 'name': 'n1', 'colour': 'red', 'address': '2001:db8::1', "
	  "'roles': ['locator'] } }",
	  "t.json: node.colour: unknown key; expected one of: name, address, "
	  "roles, limits" },
	{ "unknown-peer-key", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'], 'weight': 2 } ] }",
	  "t.json: peers[0].weight: unknown key; expected one of: name, "
	  "address, roles, sid, probe, query, candidate, subprefix, auth, "
	  "limits" },
	{ "limits-rate-range", "{ 'node': { 'name': 'n1', 'address': "
	  "'2001:db8::1', 'roles': ['locator'], 'limits': { 'rate': -1 } } }",
	  "t.json: node.limits.rate: expected an integer from 0 to 10000000, "
	  "got -1" },
	{ "peer-limits-unknown", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'], 'limits': "
	  "{ 'sessions': 2 } } ] }",
	  "t.json: peers[0].limits.sessions: unknown key; expected one of: "
	  "per_peer, rate, burst" },
	{ "auth-spi-reserved", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'], 'auth': [ { "
	  "'spi': 9, 'key': '000102030405060708090a0b0c0d0e0f' } ] } ] }",
	  "t.json: peers[0].auth[0].spi: expected an integer from 256 to "
	  "4294967295, got 9" },
	{ "auth-key-short", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'], 'auth': [ { "
	  "'spi': 256, 'key': '0001' } ] } ] }",
	  "t.json: peers[0].auth[0].key: expected 16 to 64 octets in "
	  "hexadecimal, got \"0001\"" },
	{ "auth-three-keys", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'], 'auth': [ "
	  "{ 'spi': 256, 'key': '000102030405060708090a0b0c0d0e0f' }, "
	  "{ 'spi': 257, 'key': '000102030405060708090a0b0c0d0e0f' }, "
	  "{ 'spi': 258, 'key': '000102030405060708090a0b0c0d0e0f' } ] } ] }",
	  "t.json: peers[0].auth: expected at most 2 keys, got 3" },
	{ "auth-same-spi", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'], 'auth': [ "
	  "{ 'spi': 256, 'key': '000102030405060708090a0b0c0d0e0f' }, "
	  "{ 'spi': 256, 'key': '101112131415161718191a1b1c1d1e1f' } ] } ] }",
	  "t.json: peers[0].auth[1].spi: expected an spi the other key has "
	  "not, got 256" },
	{ "unknown-condition-key", "{ " NODE("'egress'") ", 'egress': { "
	  "'pool': '2001:db8:5e::/48', 'conditions': { 'max_lat': 5 } } }",
	  "t.json: egress.conditions.max_lat: unknown key; expected one of: "
	  "min_bw, max_latency_ns, max_jitter_ns, max_loss_ppb, "
	  "comp_latency_ns" },
	{ "comment-not-string", "{ " NODE_LOC ", 'log': { 'comment': 7 } }",
	  "t.json: log.comment: expected a string, got 7" },
	{ "bad-node-address", "{ 'node': { 'name': 'n1', "
	  "'address': '2001:db8::zz', 'roles': ['locator'] } }",
	  "t.json: node.address: expected an IPv6 address, got "
	  "\"2001:db8::zz\"" },
	{ "unspecified-address", "{ 'node': { 'name': 'n1', "
	  "'address': '::', 'roles': ['locator'] } }",
	  "t.json: node.address: expected an IPv6 address other than ::, "
	  "got \"::\"" },
	{ "bad-peer-address", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'] }, { 'name': 'b', "
	  "'address': '10.0.0.1', 'roles': ['ingress'] } ] }",
	  "t.json: peers[1].address: expected an IPv6 address, got "
	  "\"10.0.0.1\"" },
	{ "node-name-type", "{ 'node': { 'name': 12, "
	  "'address': '2001:db8::1', 'roles': ['locator'] } }",
	  "t.json: node.name: expected a name of 1 to 15 characters "
	  "(letters, digits, '.', '_', '-'), got 12" },
	{ "node-name-too-long", "{ 'node': { 'name': 'abcdefghijklmnop', "
	  "'address': '2001:db8::1', 'roles': ['locator'] } }",
	  "t.json: node.name: expected a name of 1 to 15 characters "
	  "(letters, digits, '.', '_', '-'), got \"abcdefghijklmnop\"" },
	{ "empty-roles", "{ 'node': { 'name': 'n1', "
	  "'address': '2001:db8::1', 'roles': [] } }",
	  "t.json: node.roles: expected a non-empty array of roles, got "
	  "an array" },
	{ "unknown-role", "{ " NODE("'locator', 'router'") " }",
	  "t.json: node.roles[1]: expected \"ingress\", \"egress\", "
	  "\"controller\" or \"locator\", got \"router\"" },
	{ "duplicate-role", "{ " NODE("'locator', 'locator'") " }",
	  "t.json: node.roles[1]: expected each role once, got \"locator\" "
	  "again" },
	{ "role-section-without-role", "{ " NODE_LOC ", " EGRESS_MIN " }",
	  "t.json: egress: expected only on a node with role \"egress\"" },
	{ "egress-without-section", "{ " NODE("'egress'") " }",
	  "t.json: egress: expected an object (an egress needs a pool), got "
	  "nothing" },
	{ "duplicate-peer-name", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::a', 'roles': ['ingress'] }, { 'name': 'a', "
	  "'address': '2001:db8::b', 'roles': ['ingress'] } ] }",
	  "t.json: peers[1].name: expected a name neither this node nor "
	  "another peer has, got \"a\"" },
	{ "duplicate-peer-address", "{ " NODE_LOC ", 'peers': [ { 'name': "
	  "'a', 'address': '2001:db8::a', 'roles': ['ingress'] }, { 'name': "
	  "'b', 'address': '2001:db8:0::a', 'roles': ['ingress'] } ] }",
	  "t.json: peers[1].address: expected an address no other peer has, "
	  "got \"2001:db8:0::a\"" },
	{ "self-as-peer", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::1', 'roles': ['ingress'] } ] }",
	  "t.json: peers[0].address: expected an address other than this "
	  "node's, got \"2001:db8::1\"" },
	{ "peer-named-like-node", "{ " NODE_LOC ", 'peers': [ { 'name': 'n1', "
	  "'address': '2001:db8::2', 'roles': ['ingress'] } ] }",
	  "t.json: peers[0].name: expected a name neither this node nor "
	  "another peer has, got \"n1\"" },
	{ "peer-ingress-and-egress", "{ " NODE_LOC ", 'peers': [ { 'name': "
	  "'a', 'address': '2001:db8::2', 'roles': ['ingress', 'egress'] } ] }",
	  "t.json: peers[0].roles: expected \"ingress\" or \"egress\", not "
	  "both (a peer has one index in the path selector)" },
	{ "query-on-ingress-peer", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::2', 'roles': ['ingress'], 'query': true } ] }",
	  "t.json: peers[0].query: expected only on a peer with role "
	  "\"egress\"" },
	{ "peer-sid-bad", "{ " NODE_LOC ", 'peers': [ { 'name': 'a', "
	  "'address': '2001:db8::2', 'roles': ['ingress'], 'sid': 5 } ] }",
	  "t.json: peers[0].sid: expected null or an IPv6 address, got 5" },
	{ "prefix-length-129", "{ " NODE("'ingress'") ", " PEERS_ING ", "
	  "'ingress': { 'subprefix': '2001:db8:a::/129' } }",
	  "t.json: ingress.subprefix: expected null or an IPv6 prefix "
	  "ADDRESS/LENGTH with LENGTH from 1 to 128, got \"2001:db8:a::/129\"" },
	{ "prefix-without-length", "{ " NODE("'egress'") ", 'egress': { "
	  "'pool': '2001:db8:5e::' } }",
	  "t.json: egress.pool: expected an IPv6 prefix ADDRESS/LENGTH with "
	  "LENGTH from 1 to 127, got \"2001:db8:5e::\"" },
	{ "prefix-host-bits", "{ " NODE("'egress'") ", 'egress': { "
	  "'pool': '2001:db8:5e::1/48' } }",
	  "t.json: egress.pool: expected no address bits set after /48, got "
	  "\"2001:db8:5e::1/48\"" },
	{ "prefix-length-not-longer", "{ " NODE("'egress'") ", 'egress': { "
	  "'pool': '2001:db8:5e::/64', 'prefix_length': 64 } }",
	  "t.json: egress.prefix_length: expected a length from 65 to 128 "
	  "(longer than the pool's), got 64" },
	{ "unknown-service-in-instance", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'audio.cats', 'edge': '2001:db8::100' } ] } }",
	  "t.json: egress.instances[0].service: expected the id of one of "
	  "services, got \"audio.cats\"" },
	{ "instance-edge-unspecified", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '::' } ] } }",
	  "t.json: egress.instances[0].edge: expected an IPv6 address other "
	  "than ::, got \"::\"" },
	{ "edge-control-no-port", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', "
	  "'edge_control': '[2001:db8::100]' } ] } }",
	  "t.json: egress.instances[0].edge_control: expected null, "
	  "\"[IPv6]:PORT\", \"IPv4:PORT\" or \"unix:PATH\", got "
	  "\"[2001:db8::100]\"" },
	{ "edge-control-v6-unbracketed", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', "
	  "'edge_control': '2001:db8::100:7001' } ] } }",
	  "t.json: egress.instances[0].edge_control: expected null, "
	  "\"[IPv6]:PORT\", \"IPv4:PORT\" or \"unix:PATH\", got "
	  "\"2001:db8::100:7001\"" },
	{ "edge-control-port-0", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', "
	  "'edge_control': '192.0.2.1:0' } ] } }",
	  "t.json: egress.instances[0].edge_control: expected null, "
	  "\"[IPv6]:PORT\", \"IPv4:PORT\" or \"unix:PATH\", got "
	  "\"192.0.2.1:0\"" },
	{ "edge-control-unix-empty", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', "
	  "'edge_control': 'unix:' } ] } }",
	  "t.json: egress.instances[0].edge_control: expected null, "
	  "\"[IPv6]:PORT\", \"IPv4:PORT\" or \"unix:PATH\", got "
	  "\"unix:\"" },
	{ "transfer-port-big", "{ " NODE("'egress'") ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'transfer_port': 65536 } }",
	  "t.json: egress.transfer_port: expected an integer from 0 to 65535, "
	  "got 65536" },
	{ "instance-missing-id", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { "
	  "'service': 'video.cats', 'edge': '2001:db8::100' } ] } }",
	  "t.json: egress.instances[0].id: expected an integer from 0 to "
	  "4294967295, got nothing" },
	{ "resources-not-array", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', "
	  "'resources': 'gpu' } ] } }",
	  "t.json: egress.instances[0].resources: expected an array of at "
	  "most 4 resource names, got \"gpu\"" },
	{ "resources-five", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', "
	  "'resources': ['a', 'b', 'c', 'd', 'e'] } ] } }",
	  "t.json: egress.instances[0].resources: expected an array of at "
	  "most 4 resource names, got an array" },
	{ "resource-empty", "{ " NODE("'controller'") ", " SVC ", " PEERS_CTL
	  ", 'controller': { 'instances': [ { 'id': 1, 'service': "
	  "'video.cats', 'egress': 'e1', 'resources': ['gpu', ''] } ] } }",
	  "t.json: controller.instances[0].resources[1]: expected a resource "
	  "name of 1 to 31 characters, got \"\"" },
	{ "resource-not-string", "{ " NODE("'controller'") ", " SVC ", "
	  PEERS_CTL ", 'controller': { 'instances': [ { 'id': 1, 'service': "
	  "'video.cats', 'egress': 'e1', 'resources': [7] } ] } }",
	  "t.json: controller.instances[0].resources[0]: expected a resource "
	  "name of 1 to 31 characters, got 7" },
	{ "resource-32-characters", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', 'resources': "
	  "['0123456789abcdef0123456789abcdef'] } ] } }",
	  "t.json: egress.instances[0].resources[0]: expected a resource "
	  "name of 1 to 31 characters, got "
	  "\"0123456789abcdef0123456789abcdef\"" },
	{ "function-not-string", "{ " NODE("'egress'") ", " SVC ", "
	  "'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'edge': '2001:db8::100', "
	  "'functions': ['x', null] } ] } }",
	  "t.json: egress.instances[0].functions[1]: expected a function "
	  "name of 1 to 31 characters, got null" },
	{ "unknown-egress-in-controller", "{ " NODE("'controller'") ", " SVC
	  ", " PEERS_CTL ", 'controller': { 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'egress': 'e2' } ] } }",
	  "t.json: controller.instances[0].egress: expected the name of a "
	  "peer with role \"egress\", got \"e2\"" },
	{ "controller-egress-is-ingress", "{ " NODE("'controller'") ", " SVC
	  ", " PEERS_CTL ", 'controller': { 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'egress': 'i1' } ] } }",
	  "t.json: controller.instances[0].egress: expected the name of a "
	  "peer with role \"egress\", got \"i1\"" },
	{ "duplicate-instance", "{ " NODE("'controller'") ", " SVC ", "
	  PEERS_CTL ", 'controller': { 'instances': [ { 'id': 1, "
	  "'service': 'video.cats', 'egress': 'e1' }, { 'id': 1, "
	  "'service': 'video.cats', 'egress': 'e1' } ] } }",
	  "t.json: controller.instances[1].id: expected an id no other "
	  "instance has, got 1" },
	{ "instance-over-selector-limit", "{ " NODE("'controller'") ", " SVC
	  ", " PEERS_CTL ", 'controller': { 'instances': [ { 'id': 4096, "
	  "'service': 'video.cats', 'egress': 'e1' } ] } }",
	  "t.json: controller.instances[0].id: expected an integer from 0 to "
	  "4095 (the path selector's limit), got 4096" },
	{ "unknown-policy", "{ " NODE("'controller'") ", 'selector': { "
	  "'policy': 'fastest' } }",
	  "t.json: selector.policy: expected \"response-time\", \"l1\", "
	  "\"l2\", \"nearest\", \"round-robin\", \"random\" or "
	  "\"least-loaded\", got \"fastest\"" },
	{ "selector-without-role", "{ " NODE("'egress'") ", " EGRESS_MIN ", "
	  "'selector': { 'policy': 'l2' } }",
	  "t.json: selector: expected only on a node with role \"controller\", "
	  "or \"ingress\" with setup \"egresses\"" },
	{ "metric-unknown-instance", "{ " NODE("'controller'") ", "
	  "'selector': { 'metrics': [ { 'instance': 7, 'util': 0.5 } ] } }",
	  "t.json: selector.metrics[0].instance: expected the id of one of "
	  "this node's instances, got 7" },
	{ "metric-util-over-1", "{ " NODE("'controller'") ", 'selector': { "
	  "'metrics': [ { 'instance': 7, 'util': 1.5 } ] } }",
	  "t.json: selector.metrics[0].util: expected a number from 0 to 1, "
	  "got 1.5" },
	{ "negative-hysteresis", "{ " NODE("'controller'") ", 'selector': { "
	  "'hysteresis_rel': -0.5 } }",
	  "t.json: selector.hysteresis_rel: expected a number >= 0, got -0.5" },
	{ "port-0", "{ " NODE_LOC ", 'signaling': { 'port': 0 } }",
	  "t.json: signaling.port: expected an integer from 1 to 65535, got 0" },
	{ "port-real", "{ " NODE_LOC ", 'signaling': { 'port': 5436.0 } }",
	  "t.json: signaling.port: expected an integer from 1 to 65535, got "
	  "5436.0" },
	{ "unknown-transport", "{ " NODE_LOC ", 'signaling': { 'transport': "
	  "'tcp' } }",
	  "t.json: signaling.transport: expected \"udp\" or \"raw\", got "
	  "\"tcp\"" },
	{ "negative-number", "{ " NODE_LOC ", 'timers': { 'rtx_tries': -1 } }",
	  "t.json: timers.rtx_tries: expected an integer from 1 to 100, got "
	  "-1" },
	{ "overflowing-u32", "{ " NODE_LOC ", 'dataplane': { 'table': "
	  "4294967296 } }",
	  "t.json: dataplane.table: expected an integer from 0 to 4294967295, "
	  "got 4294967296" },
	{ "overflowing-json-integer", "{ " NODE_LOC ", 'dataplane': { "
	  "'table': 99999999999999999999 } }",
	  "t.json:1:120: too big integer near '99999999999999999999'" },
	{ "rtx-max-below-initial", "{ " NODE_LOC ", 'timers': { "
	  "'rtx_initial_ms': 500, 'rtx_max_ms': 400 } }",
	  "t.json: timers.rtx_max_ms: expected at least rtx_initial_ms (500), "
	  "got 400" },
	{ "lifetime-not-multiple-of-4", "{ " NODE("'ingress'") ", " PEERS_ING
	  ", 'ingress': { 'lifetime_s': 301 } }",
	  "t.json: ingress.lifetime_s: expected a multiple of 4 from 4 to "
	  "262140, got 301" },
	{ "ingress-without-controller", "{ " NODE("'ingress'") " }",
	  "t.json: ingress.setup: expected a peer with role \"controller\" for "
	  "setup \"controller\" (the default)" },
	{ "ingress-without-locator", "{ " NODE("'ingress'") ", 'peers': [ { "
	  "'name': 'c', 'address': '2001:db8::c', 'roles': ['controller'] } ] }",
	  "t.json: ingress.find: expected a peer with role \"locator\" for "
	  "find \"locator\" (the default)" },
	{ "option1-without-queried-egress", "{ " NODE("'ingress'") ", "
	  "'peers': [ { 'name': 'e', 'address': '2001:db8::e', 'roles': "
	  "['egress'], 'query': false } ], 'ingress': { 'setup': 'egresses', "
	  "'find': 'prefix' } }",
	  "t.json: ingress.setup: expected a peer with role \"egress\" and "
	  "query true for setup \"egresses\"" },
	{ "kernel-without-sid", "{ " NODE_LOC ", 'dataplane': { 'backend': "
	  "'kernel', 'core_interface': 'eth0' } }",
	  "t.json: dataplane.sid: expected an IPv6 address for backend "
	  "\"kernel\", got none" },
	{ "interface-name-slash", "{ " NODE_LOC ", 'dataplane': { "
	  "'core_interface': 'eth/0' } }",
	  "t.json: dataplane.core_interface: expected null or an interface "
	  "name of 1 to 15 characters, got \"eth/0\"" },
	{ "log-level-unknown", "{ " NODE_LOC ", 'log': { 'level': 'verbose' } }",
	  "t.json: log.level: expected \"err\", \"warning\", \"notice\", "
	  "\"info\" or \"debug\", got \"verbose\"" },
	{ "syslog-not-bool", "{ " NODE_LOC ", 'log': { 'syslog': 'yes' } }",
	  "t.json: log.syslog: expected true or false, got \"yes\"" },
	{ "duplicate-service", "{ " NODE_LOC ", 'services': [ { 'id': 'a', "
	  "'address': '2001:db8:cafe::1' }, { 'id': 'a', "
	  "'address': '2001:db8:cafe::2' } ] }",
	  "t.json: services[1].id: expected an id no other service has, got "
	  "\"a\"" },
	{ "service-id-too-long", "{ " NODE_LOC ", 'services': [ { 'id': "
	  "'0123456789012345678901234567890123456789012345678901234567890123"
	  "456789012345678901234567890123456789', "
	  "'address': '2001:db8:cafe::1' } ] }",
	  "t.json: services[0].id: expected a string of 1 to 64 octets, got "
	  "\"01234567890123456789012345678901234567890123456789012345678901"
	  "23456789012345678901234567890..." },
	{ "loss-over-a-billion", "{ " NODE("'egress'") ", 'egress': { "
	  "'pool': '2001:db8:5e::/48', 'conditions': { 'max_loss_ppb': "
	  "1000000001 } } }",
	  "t.json: egress.conditions.max_loss_ppb: expected null or an "
	  "integer from 0 to 1000000000, got 1000000001" },
	{ "duplicate-service-address", "{ " NODE_LOC ", 'services': [ { "
	  "'id': 'a', 'address': '2001:db8:cafe::1' }, { 'id': 'b', "
	  "'address': '2001:db8:cafe::1' } ] }",
	  "t.json: services[1].address: expected an address no other service "
	  "has, got \"2001:db8:cafe::1\"" },
	{ "subprefix-on-egress-peer", "{ " NODE_LOC ", 'peers': [ { 'name': "
	  "'e', 'address': '2001:db8::e', 'roles': ['egress'], 'subprefix': "
	  "'2001:db8:a::/48' } ] }",
	  "t.json: peers[0].subprefix: expected only on a peer with role "
	  "\"ingress\"" },
	{ "kernel-ingress-without-access", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'dataplane': { 'backend': 'kernel', 'sid': 'fc00::', "
	  "'core_interface': 'c0' } }",
	  "t.json: dataplane.access_interface: expected an interface name for "
	  "backend \"kernel\" on an ingress, got none" },
	{ "control-empty", "{ " NODE_LOC ", 'control': '' }",
	  "t.json: control: expected a string of 1 to 107 characters, got "
	  "\"\"" },
	{ "bgp-without-router-id", "{ " NODE_LOC ", 'bgp': { 'asn': 65000 } }",
	  "t.json: bgp.router_id: expected a dotted quad other than 0.0.0.0, "
	  "got nothing" },
	{ "bgp-router-id-zero", "{ " NODE_LOC ", 'bgp': { 'asn': 65000, "
	  "'router_id': '0.0.0.0' } }",
	  "t.json: bgp.router_id: expected a dotted quad other than 0.0.0.0, "
	  "got \"0.0.0.0\"" },
	{ "bgp-asn-0", "{ " NODE_LOC ", 'bgp': { 'asn': 0, 'router_id': "
	  "'10.0.0.1' } }",
	  "t.json: bgp.asn: expected an integer from 1 to 4294967295, got 0" },
	{ "bgp-hold-2", "{ " NODE_LOC ", " BGP_MIN_OPEN ", 'hold_time': 2 } }",
	  "t.json: bgp.hold_time: expected 0 or an integer from 3 to 65535, "
	  "got 2" },
	{ "bgp-unknown-family", "{ " NODE_LOC ", " BGP_MIN_OPEN ", "
	  "'neighbors': [ { 'name': 'a', 'address': '2001:db8::2', 'asn': 1, "
	  "'families': ['ipv6-vpn'] } ] } }",
	  "t.json: bgp.neighbors[0].families[0]: expected \"ipv6-mup\", "
	  "\"ipv4-mup\" or \"ipv6-unicast\", got \"ipv6-vpn\"" },
	{ "bgp-duplicate-neighbor", "{ " NODE_LOC ", " BGP_MIN_OPEN ", "
	  "'neighbors': [ { 'name': 'a', 'address': '2001:db8::2', 'asn': 1 }, "
	  "{ 'name': 'b', 'address': '2001:db8::2', 'asn': 1 } ] } }",
	  "t.json: bgp.neighbors[1].address: expected an address no other "
	  "neighbor has, got \"2001:db8::2\"" },
	{ "bgp-local-address-family", "{ " NODE_LOC ", " BGP_MIN_OPEN ", "
	  "'neighbors': [ { 'name': 'a', 'address': '2001:db8::2', 'asn': 1, "
	  "'local_address': '10.0.0.1' } ] } }",
	  "t.json: bgp.neighbors[0].local_address: expected an address of the "
	  "neighbor's family, got \"10.0.0.1\"" },
	{ "bgp-password-empty", "{ " NODE_LOC ", " BGP_MIN_OPEN ", "
	  "'neighbors': [ { 'name': 'a', 'address': '2001:db8::2', 'asn': 1, "
	  "'password': '' } ] } }",
	  "t.json: bgp.neighbors[0].password: expected null or a string of 1 to "
	  "80 octets (TCP MD5 key), got \"\"" },
	{ "mup-without-bgp", "{ " NODE_LOC ", 'mup': { 'roles': ['site-pe'], "
	  "'address': '2001:db8::1' } }",
	  "t.json: mup: expected only with a \"bgp\" section (the roles speak "
	  "BGP)" },
	{ "mup-cis-id-top-bit", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['site-pe'], 'address': '2001:db8::1', 'instances': [ { "
	  "'cs_id': 1, 'cis_id': 2147483648, 'sid': 'fc00::1' } ] } }",
	  "t.json: mup.instances[0].cis_id: expected an integer from 1 to "
	  "2147483647, got 2147483648" },
	{ "mup-controller-without-rans", "{ " NODE_LOC ", " BGP_MIN " }, "
	  "'mup': { 'roles': ['controller'], 'address': '2001:db8::1' } }",
	  "t.json: mup.rans: expected the RAN PEs' addresses for role "
	  "\"controller\", got none" },
	{ "mup-ran-family", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { 'roles': "
	  "['ran-pe'], 'address': '10.0.0.1', 'rans': ['2001:db8::2'] } }",
	  "t.json: mup.rans[0]: expected an IPv4 address (the family of "
	  "mup.address), got \"2001:db8::2\"" },
	{ "mup-unknown-mode", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['site-pe'], 'mode': 'both', 'address': '2001:db8::1' } }",
	  "t.json: mup.mode: expected \"central\" or \"distributed\", got "
	  "\"both\"" },
	{ "mup-duplicate-cis-id", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['site-pe'], 'address': '2001:db8::1', 'instances': [ { "
	  "'cs_id': 1, 'cis_id': 2, 'sid': 'fc00::1' }, { 'cs_id': 1, "
	  "'cis_id': 2, 'sid': 'fc00::2' } ] } }",
	  "t.json: mup.instances[1].cis_id: expected a cis_id no other "
	  "instance has, got 2" },
	{ "mup-unknown-role", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['pe'], 'address': '2001:db8::1' } }",
	  "t.json: mup.roles[0]: expected \"site-pe\", \"ran-pe\" or "
	  "\"controller\", got \"pe\"" },
	{ "mup-edge-control-no-port", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['site-pe'], 'address': '2001:db8::1', 'instances': [ { "
	  "'cs_id': 1, 'cis_id': 2, 'sid': 'fc00::1', 'edge_control': "
	  "'[::1]' } ] } }",
	  "t.json: mup.instances[0].edge_control: expected null, "
	  "\"[IPv6]:PORT\", \"IPv4:PORT\" or \"unix:PATH\", got \"[::1]\"" },
	{ "mup-probe-sites-central", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['ran-pe'], 'address': '2001:db8::1', 'probe_sites': [ { "
	  "'site': '2001:db8::a', 'probe': 'fc00:a::1:0:0' } ] } }",
	  "t.json: mup.probe_sites: expected only on a RAN PE with a C-PS of "
	  "its own (mode \"distributed\", or the controller listing it in "
	  "rans)" },
	{ "mup-probe-sites-site-pe", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['site-pe'], 'mode': 'distributed', 'address': "
	  "'2001:db8::1', 'probe_sites': [ { 'site': '2001:db8::a', "
	  "'probe': 'fc00:a::1:0:0' } ] } }",
	  "t.json: mup.probe_sites: expected only on a RAN PE with a C-PS of "
	  "its own (mode \"distributed\", or the controller listing it in "
	  "rans)" },
	{ "mup-probe-sites-twice", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['ran-pe'], 'mode': 'distributed', 'address': "
	  "'2001:db8::1', 'probe_sites': [ { 'site': '2001:db8::a', "
	  "'probe': 'fc00:a::1:0:0' }, { 'site': '2001:db8::a', "
	  "'probe': 'fc00:b::1:0:0' } ] } }",
	  "t.json: mup.probe_sites[1].site: expected a site no other entry "
	  "has, got \"2001:db8::a\"" },
	{ "mup-probe-sites-same-reflector", "{ " NODE_LOC ", " BGP_MIN " }, "
	  "'mup': { 'roles': ['ran-pe'], 'mode': 'distributed', 'address': "
	  "'2001:db8::1', 'probe_sites': [ { 'site': '2001:db8::a', "
	  "'probe': 'fc00:a::1:0:0' }, { 'site': '2001:db8::b', "
	  "'probe': 'fc00:a::1:0:0' } ] } }",
	  "t.json: mup.probe_sites[1].probe: expected a reflector no other "
	  "entry has, got \"fc00:a::1:0:0\"" },
	{ "mup-probe-sites-family", "{ " NODE_LOC ", " BGP_MIN " }, 'mup': { "
	  "'roles': ['ran-pe'], 'mode': 'distributed', 'address': "
	  "'10.0.0.1', 'probe_sites': [ { 'site': '2001:db8::a', "
	  "'probe': 'fc00:a::1:0:0' } ] } }",
	  "t.json: mup.probe_sites[0].site: expected an IPv4 address (the "
	  "family of mup.address), got \"2001:db8::a\"" },
	{ "mup-probe-sites-v4-reflector", "{ " NODE_LOC ", " BGP_MIN " }, "
	  "'mup': { 'roles': ['ran-pe'], 'mode': 'distributed', 'address': "
	  "'2001:db8::1', 'probe_sites': [ { 'site': '2001:db8::a', "
	  "'probe': '10.0.0.9' } ] } }",
	  "t.json: mup.probe_sites[0].probe: expected an IPv6 address, got "
	  "\"10.0.0.9\"" },
	{ "mup-four-octet-as", "{ " NODE_LOC ", 'bgp': { 'asn': 4200000000, "
	  "'router_id': '10.0.0.1' }, 'mup': { 'roles': ['site-pe'], "
	  "'address': '2001:db8::1' } }",
	  "t.json: bgp.asn: expected an AS from 1 to 65535 with a \"mup\" "
	  "section, got 4200000000" },
	{ "ra-not-ingress", "{ " NODE_LOC ", 'ra': { 'enabled': true } }",
	  "t.json: ra: expected only on a node with role \"ingress\"" },
	{ "ra-without-access-interface", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'ra': { 'enabled': true } }",
	  "t.json: ra.enabled: expected dataplane.access_interface (the link "
	  "the advertisements go on), got none" },
	{ "ra-interval-too-short", "{ " NODE("'ingress'") ", " PEERS_ING
	  ", 'ra': { 'interval_s': 3 } }",
	  "t.json: ra.interval_s: expected an integer from 4 to 1800, got 3" },
	{ "ra-lifetime-below-interval", "{ " NODE("'ingress'") ", " PEERS_ING
	  ", 'dataplane': { 'access_interface': 'acc0' }, 'ra': { "
	  "'enabled': true, 'interval_s': 60, 'lifetime_s': 30 } }",
	  "t.json: ra.lifetime_s: expected at least interval_s (60), got 30" },
	{ "ra-router-lifetime-below-interval", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'dataplane': { 'access_interface': 'acc0' }, 'ra': { "
	  "'enabled': true, 'router_lifetime_s': 10 } }",
	  "t.json: ra.router_lifetime_s: expected 0 or at least interval_s "
	  "(30), got 10" },
	{ "ra-router-lifetime-over-9000", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'ra': { 'router_lifetime_s': 9001 } }",
	  "t.json: ra.router_lifetime_s: expected an integer from 0 to 9000, "
	  "got 9001" },
	{ "ra-unknown-preference", "{ " NODE("'ingress'") ", " PEERS_ING
	  ", 'ra': { 'preference': 'reserved' } }",
	  "t.json: ra.preference: expected \"low\", \"medium\" or \"high\", "
	  "got \"reserved\"" },
	{ "probe-on-a-controller-peer", "{ " NODE("'ingress'") ", "
	  "'peers': [ { 'name': 'c', 'address': '2001:db8::c', 'roles': "
	  "['controller'], 'probe': 'fc00:c::1:0:0' } ] }",
	  "t.json: peers[0].probe: expected only on a peer with role "
	  "\"egress\"" },
	{ "probe-window-not-power-of-two", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'probe': { 'loss_window': 100 } }",
	  "t.json: probe.loss_window: expected a power of two, got 100" },
	{ "probe-report-below-interval", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'probe': { 'interval_ms': 500, 'report_ms': 200 } }",
	  "t.json: probe.report_ms: expected at least interval_ms (500), "
	  "got 200" },
	{ "probe-interval-too-short", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'probe': { 'interval_ms': 1 } }",
	  "t.json: probe.interval_ms: expected an integer from 10 to 60000, "
	  "got 1" },
	{ "probe-reflect-not-egress", "{ " NODE("'ingress'") ", "
	  PEERS_ING ", 'probe': { 'reflect': true } }",
	  "t.json: probe.reflect: expected only on an egress or a MUP site PE "
	  "(the ingresses and RAN PEs probe them)" },
};

static void
test_bad(void **state)
{
	static struct conf c;
	char err[CONF_ERR_MAX];

	size_t wrong = 0;

	(void)state;
	/* every case is tried, and each wrong one reported */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(err, 0, sizeof(err));
		if (parse_q(bad[i].text, &c, err) == 0) {
			print_message("%s: parsed\n", bad[i].name);
			wrong++;
		} else if (strcmp(err, bad[i].err) != 0) {
			print_message("%s:\n got      %s\n expected %s\n",
			    bad[i].name, err, bad[i].err);
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

/* A refused configuration leaves the caller's object as it was. */
static void
test_untouched_on_error(void **state)
{
	static struct conf c, before;
	char err[CONF_ERR_MAX];

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	before = c;
	assert_int_not_equal(parse_q("{ " NODE_LOC ", 'timers': { "
	    "'rtx_tries': 0 } }", &c, err), 0);
	assert_memory_equal(&c, &before, sizeof(c));
}

/* What an instance runs (functions, anchoring 3 step 1.e) and has
 * (resources, 1.d), on an egress and a controller; both print and parse
 * back. */
static void
test_instance_names(void **state)
{
	static struct conf c;
	char err[CONF_ERR_MAX];
	const struct node_instance *in = c.node.instances;

	(void)state;
	if (parse_q("{ " NODE("'egress', 'controller'") ", " SVC ", " PEERS_CTL
	    ", 'egress': { 'pool': '2001:db8:5e::/48', 'instances': [ { "
	    "'id': 1, 'service': 'video.cats', 'edge': '2001:db8::100', "
	    "'functions': ['transcoder'], 'resources': ['gpu', 'sgx', "
	    "'fpga', 'x'] } ] }, 'controller': { 'instances': [ { 'id': 2, "
	    "'service': 'video.cats', 'egress': 'e1', 'resources': "
	    "['0123456789abcdef0123456789abcde'] } ] } }", &c, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.node.ninstances, 2);
	assert_string_equal(in[0].functions[0], "transcoder");
	assert_string_equal(in[0].functions[1], "");
	assert_string_equal(in[0].resources[0], "gpu");
	assert_string_equal(in[0].resources[1], "sgx");
	assert_string_equal(in[0].resources[3], "x");
	assert_string_equal(in[1].functions[0], "");
	assert_string_equal(in[1].resources[0],
	    "0123456789abcdef0123456789abcde");
	assert_string_equal(in[1].resources[1], "");
	round_trip(&c);
}

/* ---- defaults, comments, limits ---- */

static void
test_defaults(void **state)
{
	static struct conf c, d;
	struct node_cfg n;
	char err[CONF_ERR_MAX];

	(void)state;
	assert_int_equal(parse_q("{ " NODE_LOC " }", &c, err), 0);
	conf_default(&d);
	node_cfg_default(&n);
	assert_int_equal(c.node.rtx_initial_ms, n.rtx_initial_ms);
	assert_int_equal(c.node.rtx_max_ms, n.rtx_max_ms);
	assert_int_equal(c.node.rtx_tries, n.rtx_tries);
	assert_int_equal(c.node.ts_window_ms, n.ts_window_ms);
	assert_int_equal(c.node.max_sessions, n.max_sessions);
	assert_int_equal(c.node.lifetime, n.lifetime);
	assert_int_equal(c.node.setup, n.setup);
	assert_int_equal(c.udp_port, 5436);
	assert_int_equal(c.transport, CONF_TRANSPORT_UDP);
	assert_int_equal(c.log_level, LOG_NOTICE);
	assert_false(c.syslog);
	assert_int_equal(c.dataplane, CONF_DP_NONE);
	assert_int_equal(c.buffer_packets, d.buffer_packets);
	assert_int_equal(c.buffer_ms, d.buffer_ms);
	assert_int_equal(c.transfer_port, 5437);
	assert_string_equal(c.instances[0].edge_control, "");
	assert_memory_equal(&c.sel, &d.sel, sizeof(c.sel));
	assert_false(c.has_sel);
	assert_int_equal(c.node.npeers, 0);
	assert_string_equal(c.path, "t.json");
	assert_string_equal(c.control, "/run/catsd/n1.sock");
	round_trip(&c);
}

static void
test_comments_anywhere(void **state)
{
	static struct conf c;
	char err[CONF_ERR_MAX];

	(void)state;
	if (parse_q("{ 'comment': 'top', 'node': { 'comment': 'n', "
	    "'name': 'n1', 'address': '2001:db8::1', 'roles': ['controller'] }, "
	    SVC ", 'peers': [ { 'comment': 'p', 'name': 'e', "
	    "'address': '2001:db8::e', 'roles': ['egress'] } ], "
	    "'controller': { 'comment': 'c', 'instances': [ { 'comment': 'i', "
	    "'id': 3, 'service': 'video.cats', 'egress': 'e' } ] }, "
	    "'selector': { 'comment': 's', 'metrics': [ { 'comment': 'm', "
	    "'instance': 3 } ] }, 'timers': { 'comment': '' } }",
	    &c, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.node.ninstances, 1);
	assert_int_equal(c.nmetrics, 1);
}

/* A config with n peers, services or instances. */
static char *
many(const char *what, size_t n)
{
	size_t cap = 256 + n * 160, len = 0;
	char *s = malloc(cap);
	bool ctl = strcmp(what, "instances") == 0;

	assert_non_null(s);
	len += (size_t)snprintf(s + len, cap - len, "{ \"node\": { \"name\": "
	    "\"n\", \"address\": \"2001:db8::1\", \"roles\": [\"%s\"] }, ",
	    ctl ? "controller" : "locator");
	if (ctl)
		len += (size_t)snprintf(s + len, cap - len, "\"services\": [ { "
		    "\"id\": \"s\", \"address\": \"2001:db8:cafe::1\" } ], "
		    "\"peers\": [ { \"name\": \"e\", \"address\": "
		    "\"2001:db8::e\", \"roles\": [\"egress\"] } ], "
		    "\"controller\": { ");
	len += (size_t)snprintf(s + len, cap - len, "\"%s\": [", what);
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : ",";

		if (strcmp(what, "peers") == 0)
			len += (size_t)snprintf(s + len, cap - len, "%s{ \"name\": "
			    "\"p%zu\", \"address\": \"2001:db8:1::%zx\", "
			    "\"roles\": [\"ingress\"] }", sep, i, i + 1);
		else if (strcmp(what, "services") == 0)
			len += (size_t)snprintf(s + len, cap - len, "%s{ \"id\": "
			    "\"s%zu\", \"address\": \"2001:db8:2::%zx\" }", sep,
			    i, i + 1);
		else
			len += (size_t)snprintf(s + len, cap - len, "%s{ \"id\": "
			    "%zu, \"service\": \"s\", \"egress\": \"e\" }", sep,
			    i);
	}
	snprintf(s + len, cap - len, "]%s }", ctl ? " }" : "");
	return s;
}

static void
limit_case(const char *what, size_t max, const char *expect)
{
	static struct conf c;
	char err[CONF_ERR_MAX];
	char *s = many(what, max);

	if (conf_parse(s, strlen(s), "t.json", &c, err, sizeof(err)) != 0)
		fail_msg("%s at the limit: %s", what, err);
	round_trip(&c);
	free(s);
	s = many(what, max + 1);
	assert_int_not_equal(conf_parse(s, strlen(s), "t.json", &c, err,
	    sizeof(err)), 0);
	assert_string_equal(err, expect);
	free(s);
}

static void
test_limits(void **state)
{
	(void)state;
	limit_case("peers", NODE_MAX_PEERS,
	    "t.json: peers: expected at most 64 peers, got 65");
	limit_case("services", NODE_MAX_SERVICES,
	    "t.json: services: expected at most 32 services, got 33");
	limit_case("instances", NODE_MAX_INSTANCES,
	    "t.json: controller.instances: expected at most 64 instances, "
	    "got 65");
}

/* Reals print in their shortest exact form and come back identical. */
static void
test_reals(void **state)
{
	static struct conf c;
	char err[CONF_ERR_MAX], *t;

	(void)state;
	if (parse_q("{ " NODE("'controller'") ", " SVC ", 'peers': [ { "
	    "'name': 'e', 'address': '2001:db8::e', 'roles': ['egress'] } ], "
	    "'controller': { 'instances': [ { 'id': 1, 'service': "
	    "'video.cats', 'egress': 'e' }, { 'id': 2, 'service': "
	    "'video.cats', 'egress': 'e' } ] }, 'selector': { "
	    "'hysteresis_abs': 1e300, 'herd_rel': -0.0, 'metrics': [ { "
	    "'instance': 1, 'util': 0.1, 'capacity': 3.0 }, { 'instance': 2, "
	    "'util': 0.333333333333333314829616256247390992939472198486328125,"
	    " 'proc_delay_ns': 1e-300 } ] } }", &c, err) != 0)
		fail_msg("%s", err);
	assert_true(c.metrics[1].util == 1.0 / 3);
	t = print_str(&c);
	assert_non_null(strstr(t, "\"capacity\": 3,"));
	assert_non_null(strstr(t, "\"herd_rel\": 0,"));
	assert_non_null(strstr(t, "\"util\": 0.1,"));
	assert_non_null(strstr(t, "\"util\": 0.3333333333333333,"));
	assert_non_null(strstr(t, "\"hysteresis_abs\": 1e300,"));
	assert_non_null(strstr(t, "\"proc_delay_ns\": 1e-300\n"));
	round_trip(&c);
	free(t);
}

static void
test_load_errors(void **state)
{
	static struct conf c;
	char err[CONF_ERR_MAX];

	(void)state;
	assert_int_not_equal(conf_load("tests/conf/no-such-file.json", &c,
	    err, sizeof(err)), 0);
	assert_string_equal(err, "tests/conf/no-such-file.json: No such file "
	    "or directory");
	/* a short error buffer is cut, never overrun */
	assert_int_not_equal(parse_q("{}", &c, err), 0);
	assert_int_not_equal(conf_parse("{}", 2, "t.json", &c, err, 8), 0);
	assert_string_equal(err, "t.json:");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_load),
		cmocka_unit_test(test_example_ingress),
		cmocka_unit_test(test_example_egress),
		cmocka_unit_test(test_example_controller),
		cmocka_unit_test(test_example_combined),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_untouched_on_error),
		cmocka_unit_test(test_instance_names),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_comments_anywhere),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_load_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
