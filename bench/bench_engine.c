/*
 * engine.handover: proactive handovers per second through the engine alone
 * (notify, indications and their acknowledgements, every message encoded,
 * checksummed and decoded), on the synchronous network of tests/minnet.h.
 * engine.bytes_per_session: what the allocator handed out (mallinfo2: heap
 * and mmapped blocks in use) for establishing a million sessions, all four
 * nodes together, divided by that million; the growth of resident memory
 * and the engine's own account of its tables (node_memory) beside it.
 * Issue targets: at least 200 thousand handovers/s on one core, at most
 * 512 octets per session.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "minnet.h"

#define SESSIONS	1000000u
#define MOVERS		100000u		/* clients handed over per round */
#define ROUNDS		4
#define HANDOVER_TARGET	200e3
#define BYTES_TARGET	512

enum { IN1, IN2, EG1, CTL, NNODES };

static const char svc[] = "video.cats";

static void
addr(uint8_t a[16], uint8_t site, uint32_t host)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = site;
	a[12] = (uint8_t)(host >> 24);
	a[13] = (uint8_t)(host >> 16);
	a[14] = (uint8_t)(host >> 8);
	a[15] = (uint8_t)host;
}

static const uint8_t site_of[NNODES] = { 0x11, 0x12, 0xe1, 0x0c };
static const uint32_t role_of[NNODES] = {
	NODE_INGRESS, NODE_INGRESS, NODE_EGRESS, NODE_CONTROLLER
};

static struct cats_sel *
selector(void)
{
	struct cats_sel_cfg sc;
	struct cats_sel *sel;
	struct cats_instance_def d = { .instance = 101, .service = 0,
	    .egress = 0, .servers = 4, .capacity = 1e6 };
	struct cats_sample c[3] = {
		{ CATS_M_UTIL, CATS_STAT_CUR, 0, 0.3 },
		{ CATS_M_CAPACITY, CATS_STAT_CUR, 0, 1e6 },
		{ CATS_M_PROC_DELAY, CATS_STAT_CUR, 0, 1e6 },
	};
	struct cats_sample o = { CATS_M_OWD, CATS_STAT_CUR, 0, 5e6 };

	cats_sel_cfg_default(&sc);
	sc.max_flows = 0;		/* no flow affinity: one choice each */
	if ((sel = cats_sel_create(&sc)) == NULL ||
	    cats_sel_add_instance(sel, &d) != CATS_SERR_OK ||
	    cats_sel_update_compute(sel, 101, c, 3, 1) != CATS_MERR_OK ||
	    cats_sel_update_net(sel, 0, 0, &o, 1, 1) != CATS_MERR_OK ||
	    cats_sel_update_net(sel, 1, 0, &o, 1, 1) != CATS_MERR_OK) {
		fprintf(stderr, "bench: selector set-up failed\n");
		exit(1);
	}
	return sel;
}

static void
config(struct node_cfg *c, int me, struct cats_sel *sel)
{
	int i;

	node_cfg_default(c);
	snprintf(c->name, sizeof(c->name), "node%d", me);
	addr(c->addr, site_of[me], 1);
	c->roles = role_of[me];
	/* minnet's clock stands still: a million messages from one peer at
	 * one instant would be rate limited (node_limits), which is not what
	 * is measured here */
	c->limits.rate = 0;
	c->sel = sel;
	c->sel_index = me == IN2 ? 1 : 0;
	c->find = FIND_PREFIX;
	c->nservices = 1;
	memcpy(c->services[0].id, svc, sizeof(svc) - 1);
	c->services[0].id_len = sizeof(svc) - 1;
	addr(c->subprefix.addr, me == IN2 ? 0x0b : 0x0a, 0);
	c->subprefix.len = 48;
	addr(c->pool.addr, 0x5e, 0);
	c->pool.len = 32;
	c->pool_plen = 64;
	c->ninstances = me == EG1 ? 1 : 0;
	c->instances[0] = (struct node_instance){ .id = 101 };
	for (i = 0; i < NNODES; i++) {
		struct node_peer *p;

		if (i == me)
			continue;
		p = &c->peers[c->npeers++];
		snprintf(p->name, sizeof(p->name), "node%d", i);
		addr(p->addr, site_of[i], 1);
		p->roles = role_of[i];
		p->candidate = true;
		p->sel_index = i == IN2 ? 1 : 0;
		p->subprefix = c->subprefix;
		addr(p->subprefix.addr, i == IN2 ? 0x0b : 0x0a, 0);
	}
}

static void
client_ev(struct minnet *net, int node, enum ev_type t, uint32_t i)
{
	uint8_t a[16];

	addr(a, 0x0a, i + 16);
	mn_local(net, node, t, a, 0);
	mn_run(net);
}

static double
establish(struct minnet *net)
{
	double t0 = bench_now();
	uint32_t i;

	for (i = 0; i < SESSIONS; i++) {
		client_ev(net, IN1, EV_ATTACH, i);
		client_ev(net, IN1, EV_SERVICE_REQUEST, i);
	}
	return bench_now() - t0;
}

/* Octets the allocator has handed out and not taken back: the heap's
 * blocks in use and the blocks it mmapped (the big tables). */
static size_t
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Resident memory of this process, from /proc/self/statm; 0 if unread. */
static size_t
resident(void)
{
	unsigned long size, res;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

/* One proactive handover: movement detected, detach, attach elsewhere. */
static void
handover(struct minnet *net, int from, int to, uint32_t i)
{
	client_ev(net, from, EV_MOVE_DETECTED, i);
	client_ev(net, from, EV_DETACH, i);
	client_ev(net, to, EV_ATTACH, i);
}

int
main(void)
{
	struct minnet *net = mn_new();
	struct cats_sel *sel = selector();
	struct node_cfg c;
	double t_setup, t0, t, per;
	uint64_t before, fwd;
	size_t mem, n_in, n_eg, heap0, rss0, heap, rss;
	uint32_t i, r;
	int k;

	for (k = 0; k < NNODES; k++) {
		config(&c, k, sel);
		if (mn_add(net, &c) != k)
			return 1;
	}
	heap0 = heap_in_use();
	rss0 = resident();
	t_setup = establish(net);
	heap = heap_in_use() - heap0;
	rss = resident() - rss0;
	n_in = node_session_count(net->nodes[IN1]);
	n_eg = node_session_count(net->nodes[EG1]);
	if (n_in != SESSIONS || n_eg != SESSIONS) {
		fprintf(stderr, "bench: %zu/%zu sessions established\n", n_in, n_eg);
		return 1;
	}
	mem = node_memory(net->nodes[IN1]) + node_memory(net->nodes[EG1]);

	before = net->delivered;
	fwd = net->dp_count[DP_FORWARD];
	t0 = bench_now();
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < MOVERS; i++)
			handover(net, r % 2 ? IN2 : IN1, r % 2 ? IN1 : IN2, i);
	t = bench_now() - t0;
	if (net->dp_count[DP_FORWARD] - fwd != (uint64_t)ROUNDS * MOVERS) {
		fprintf(stderr, "bench: %llu handovers forwarded, want %u\n",
		    (unsigned long long)(net->dp_count[DP_FORWARD] - fwd),
		    ROUNDS * MOVERS);
		return 1;
	}
	printf("engine.setup: %.0f sessions/s (svc request to steering, %u sessions)\n",
	    SESSIONS / t_setup, SESSIONS);
	printf("engine.handover: %.0f handovers/s (proactive, %u clients x %d rounds "
	    "among %u sessions, %.1f messages each; target %.0f: %s)\n",
	    ROUNDS * MOVERS / t, MOVERS, ROUNDS, SESSIONS,
	    (double)(net->delivered - before) / (ROUNDS * MOVERS), HANDOVER_TARGET,
	    ROUNDS * MOVERS / t >= HANDOVER_TARGET ? "met" : "NOT met");
	per = (double)heap / SESSIONS;
	printf("engine.bytes_per_session: %.0f (allocator's bytes in use, "
	    "mallinfo2, after %u sessions minus before, all nodes; resident "
	    "memory grew %.0f a session, node_memory of ingress and egress "
	    "says %.0f; target %d: %s)\n", per, SESSIONS,
	    (double)rss / SESSIONS, (double)mem / SESSIONS, BYTES_TARGET,
	    per <= BYTES_TARGET ? "met" : "NOT met");
	mn_free(net);
	cats_sel_destroy(sel);
	return 0;
}
