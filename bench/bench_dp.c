/*
 * dp.intents_per_s.10k, dp.intents_per_s.1m: DP_STEER intents per second
 * through dp_apply, each moving an existing client's steering to another
 * egress instance, among 10 000 and among 1 000 000 steered clients (one
 * source-specific route each, in the wanted set and in the backend).  The
 * clients are taken in a scattered order, as a busy ingress sees them.
 * dp.intents_per_s.100k, between them, shows where the rate levels off.
 * dp.intents_growth: the 10k rate over the 1m rate.
 * dp.bytes_per_client.1m: heap the data plane holds per steered client.
 * Issue targets: at least 500 thousand intents/s at a million clients, and
 * a million clients no more than 2x slower than ten thousand.  Each change
 * is a few hash probes whatever the population; what grows is where they
 * land: ten thousand clients' routes (5 MB) stay in the caches, a million
 * (500 MB) do not, and each change then waits on memory for the slot and
 * the route of its key in two tables.
 *
 * The backend is the memory one.  Another plugs in through measure(),
 * which needs only a struct dp built over it.
 */
#include <sys/socket.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cats/dataplane.h"

#define RESTEERS	200000u		/* timed changes per population */
#define RATE_TARGET	500e3
#define GROWTH_TARGET	2.0

static const struct dp_peer peers[] = {
	{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 },
	  { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe1 } },
	{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 },
	  { 0x20, 0x01, 0x0d, 0xb8, 0, 0xe2 } },
};

static const struct dp_service services[] = {
	{ { 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, [15] = 1 }, 128 },
};

/* An ingress with two egresses to steer between. */
static void
config(struct dp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->roles = NODE_INGRESS;
	c->core_oif = 2;
	c->access_oif = 3;
	c->peers = peers;
	c->npeers = sizeof(peers) / sizeof(peers[0]);
	c->services = services;
	c->nservices = 1;
}

/* Client i of 2001:db8:a::/64 steered to peer 'k % 2', instance 1 + k % 4. */
static void
steer(struct dp_intent *in, uint32_t i, uint32_t k)
{
	static const uint8_t pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a };

	memset(in, 0, sizeof(*in));
	in->op = DP_STEER;
	memcpy(in->client, pfx, sizeof(pfx));
	in->client[12] = (uint8_t)(i >> 24);
	in->client[13] = (uint8_t)(i >> 16);
	in->client[14] = (uint8_t)(i >> 8);
	in->client[15] = (uint8_t)i;
	memcpy(in->peer, peers[k % 2].addr, 16);
	in->instance = 1 + k % 4;
}

static void
apply(struct dp *dp, const struct dp_intent *in)
{
	if (dp_apply(dp, in) == 0)
		return;
	fprintf(stderr, "bench: dp_apply: %s\n", dp_error(dp));
	exit(1);
}

static void
count_cb(const struct kr_route *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
}

/* Whether dp holds one route per client and applied every intent. */
static void
check(struct dp *dp, uint32_t clients, uint64_t intents)
{
	size_t n = 0;

	if (dp_dump(dp, count_cb, &n) == 0 && n == clients &&
	    dp_counters(dp)->applied == intents &&
	    dp_counters(dp)->errors == 0)
		return;
	fprintf(stderr, "bench: %zu routes for %u clients, %llu of %llu "
	    "intents applied\n", n, clients,
	    (unsigned long long)dp_counters(dp)->applied,
	    (unsigned long long)intents);
	exit(1);
}

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Steer 'clients' new clients through 'dp' (empty, over any backend), then
 * time RESTEERS changes of their steering.  Returns the changes' rate; the
 * set-up rate goes to *setup.
 */
static double
measure(struct dp *dp, uint32_t clients, double *setup)
{
	struct dp_intent in;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	double t0, t;
	uint32_t i;

	t0 = bench_now();
	for (i = 0; i < clients; i++) {
		steer(&in, i, i);
		apply(dp, &in);
	}
	*setup = clients / (bench_now() - t0);
	t0 = bench_now();
	for (i = 0; i < RESTEERS; i++) {
		x ^= x << 13;			/* xorshift: a scattered order */
		x ^= x >> 7;
		x ^= x << 17;
		steer(&in, (uint32_t)(x % clients), i + 1);
		apply(dp, &in);
	}
	t = bench_now() - t0;
	check(dp, clients, (uint64_t)clients + RESTEERS);
	return RESTEERS / t;
}

static struct dp *
memory_dp(void)
{
	struct dp_cfg c;
	struct dp *dp;

	config(&c);
	if ((dp = dp_new_memory(&c)) == NULL) {
		fprintf(stderr, "bench: dp_new_memory failed\n");
		exit(1);
	}
	return dp;
}

static void
print_rate(const char *name, double rate, uint32_t clients, double setup)
{
	printf("dp.intents_per_s.%s: %.0f intents/s (memory backend, %u "
	    "re-steers among %u clients; set-up %.0f/s", name, rate, RESTEERS,
	    clients, setup);
	if (clients == 1000000)
		printf("; target >= %.0f: %s", RATE_TARGET,
		    rate >= RATE_TARGET ? "met" : "NOT met");
	printf(")\n");
}

int
main(void)
{
	static const struct {
		const char	*name;
		uint32_t	 clients;
	} pop[] = { { "10k", 10000 }, { "100k", 100000 }, { "1m", 1000000 } };
	double rate[3], setup, growth;
	size_t before, bytes = 0, i;
	struct dp *dp;

	for (i = 0; i < 3; i++) {
		before = heap_used();
		dp = memory_dp();
		rate[i] = measure(dp, pop[i].clients, &setup);
		bytes = heap_used() - before;
		dp_free(dp);
		print_rate(pop[i].name, rate[i], pop[i].clients, setup);
	}
	growth = rate[0] / rate[2];
	printf("dp.intents_growth: %.2f x (10k rate / 1m rate; target <= %.1f: "
	    "%s)\n", growth, GROWTH_TARGET,
	    growth <= GROWTH_TARGET ? "met" : "NOT met");
	printf("dp.bytes_per_client.1m: %.0f octets (wanted set and memory "
	    "table, %zu-octet routes)\n", (double)bytes / 1e6,
	    sizeof(struct kr_route));
	return 0;
}
