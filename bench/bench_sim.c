/*
 * bench_sim: cats-sim's scale engine.
 *
 *   sim.events        events per wall second, a generated world of 1000
 *                     sites and 100 000 clients over one simulated hour,
 *                     the response-time policy, reactive-locator moves
 *   sim.1m_clients_s  wall seconds for 1 000 000 clients over the same
 *                     1000 sites for one simulated hour with mobility
 *                     (issue [9]'s target: under 60 s on this machine)
 *
 * Both build the world with the generator (seed 1); the world's set-up
 * (paths from every access node) is timed apart, as sim.prepare_s.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "cats/scale.h"

#define SITES		1000
#define TARGET_1M_S	60.0

static int
one(uint64_t clients, struct scale_result *r, double *prep_s, double *run_s)
{
	struct scale_variant v = { CATS_POL_RESPONSE_TIME,
	    SCALE_HO_REACTIVE_LOCATOR, false };
	struct scale_world w;
	struct scale_opts o;
	struct file_err e;
	char why[256];
	double t0, t1, t2;
	int rc;

	t0 = bench_now();
	if (scale_world_generate(&w, SITES, clients, 1, &e) != 0 ||
	    scale_world_prepare(&w, &e) != 0) {
		fprintf(stderr, "bench_sim: %s\n", e.reason);
		return -1;
	}
	t1 = bench_now();
	scale_opts_default(&o);
	rc = scale_run(&w, &v, &o, r, why, sizeof(why));
	t2 = bench_now();
	if (rc != 0)
		fprintf(stderr, "bench_sim: %s\n", why);
	scale_world_free(&w);
	*prep_s = t1 - t0;
	*run_s = t2 - t1;
	return rc;
}

int
main(void)
{
	struct scale_result *r = calloc(1, sizeof(*r));
	double prep, run;

	if (r == NULL || one(100000, r, &prep, &run) != 0)
		return 1;
	printf("sim.prepare_s: %.2f s (1000 sites: the generator and the "
	    "paths from %u access nodes)\n", prep, SITES / 5);
	printf("sim.events: %.0f events/s (%llu events, 100000 clients, %llu "
	    "transactions, %llu handovers, %llu played by the packet-level "
	    "engine)\n", r->events / run, (unsigned long long)r->events,
	    (unsigned long long)r->tx, (unsigned long long)r->handovers,
	    (unsigned long long)r->ho_cache_miss);
	if (one(1000000, r, &prep, &run) != 0)
		return 1;
	printf("sim.1m_clients_s: %.1f s (1000000 clients, 1000 sites, one "
	    "simulated hour with mobility: %llu transactions, %llu handovers; "
	    "target under %.0f s: %s)\n", prep + run,
	    (unsigned long long)r->tx, (unsigned long long)r->handovers,
	    TARGET_1M_S, prep + run < TARGET_1M_S ? "met" : "NOT met");
	printf("sim.1m_events: %.0f events/s\n", r->events / run);
	free(r);
	return 0;
}
