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
 * That is the memory backend: the layer's own cost.  Then the same through
 * the eBPF backend, which catsd runs on a kernel without seg6 (root; its
 * maps only, no interface): dp.intents_per_s.bpf.*, dp.intents_growth.bpf,
 * and dp.steer_us, the time one client's steering takes to change there
 * (10 000 changes, back and forth between two egresses), against the
 * 30 us a netlink route change costs (DESIGN.md 2.3).
 */
#include <sys/socket.h>

#include <malloc.h>
#include <stdio.h>
#include <unistd.h>
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

/* Whatever a backend holds back is in the kernel: part of the time. */
static void
sync_dp(struct dp *dp)
{
	if (dp_sync(dp) == 0)
		return;
	fprintf(stderr, "bench: dp_sync: %s\n", dp_error(dp));
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
	sync_dp(dp);
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

/* NULL where eBPF cannot be had (not root, a kernel that refuses). */
static struct dp *
bpf_dp(void)
{
	struct dp_cfg c;
	struct dp *dp;
	char err[KR_ERR_MAX];

	config(&c);
	c.core_oif = c.access_oif = 0;		/* maps only */
	if ((dp = dp_new_bpf(&c, err, sizeof(err))) == NULL)
		printf("dp.bpf: skipped: %s\n", err);
	return dp;
}

static void
print_rate(const char *name, const char *be, double rate, uint32_t clients,
    double setup)
{
	printf("dp.intents_per_s.%s: %.0f intents/s (%s backend, %u "
	    "re-steers among %u clients; set-up %.0f/s", name, rate, be,
	    RESTEERS, clients, setup);
	if (clients == 1000000)
		printf("; target >= %.0f: %s", RATE_TARGET,
		    rate >= RATE_TARGET ? "met" : "NOT met");
	printf(")\n");
}

#define STEERS		10000u

/* One client steered back and forth: the microseconds of one change. */
static double
steer_us(struct dp *dp)
{
	struct dp_intent in;
	double t0;
	uint32_t i;

	t0 = bench_now();
	for (i = 0; i < STEERS; i++) {
		steer(&in, 7, i);
		apply(dp, &in);
		sync_dp(dp);		/* each change on its own */
	}
	return (bench_now() - t0) / STEERS * 1e6;
}

static void
bench_bpf(void)
{
	static const struct {
		const char	*name;
		uint32_t	 clients;
	} pop[] = { { "bpf.10k", 10000 }, { "bpf.1m", 1000000 } };
	double rate[2], setup, us, growth;
	struct dp *dp;
	size_t i;

	if (geteuid() != 0) {
		printf("dp.bpf: skipped: not root (eBPF maps need it)\n");
		return;
	}
	if ((dp = bpf_dp()) == NULL)
		return;
	us = steer_us(dp);
	dp_free(dp);
	printf("dp.steer_us: %.2f us (eBPF backend: one client's steering "
	    "changed %u times through dp_apply; a netlink route: about 30 us)\n",
	    us, STEERS);
	for (i = 0; i < 2; i++) {
		if ((dp = bpf_dp()) == NULL)
			return;
		rate[i] = measure(dp, pop[i].clients, &setup);
		dp_free(dp);
		print_rate(pop[i].name, "eBPF", rate[i], pop[i].clients, setup);
	}
	growth = rate[0] / rate[1];
	printf("dp.intents_growth.bpf: %.2f x (10k rate / 1m rate; target <= "
	    "%.1f: %s)\n", growth, GROWTH_TARGET,
	    growth <= GROWTH_TARGET ? "met" : "NOT met");
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
		print_rate(pop[i].name, "memory", rate[i], pop[i].clients, setup);
	}
	growth = rate[0] / rate[2];
	printf("dp.intents_growth: %.2f x (10k rate / 1m rate; target <= %.1f: "
	    "%s)\n", growth, GROWTH_TARGET,
	    growth <= GROWTH_TARGET ? "met" : "NOT met");
	printf("dp.bytes_per_client.1m: %.0f octets (wanted set and memory "
	    "table, %zu-octet routes)\n", (double)bytes / 1e6,
	    sizeof(struct kr_route));
	bench_bpf();
	return 0;
}
