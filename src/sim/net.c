/*
 * net.c: the simulated network: the topology's addresses and names, the
 * one-way delay of each link, and the impairments of signaling links.
 */
#include <string.h>

#include "cats/sim.h"
#include "sim/world.h"

struct ep_info {
	const char	*name;
	uint8_t		 addr[16];
};

#define A(a, b, c, last) { 0x20, 0x01, 0x0d, 0xb8, a, b, c, 0, 0, 0, 0, 0, \
	0, 0, (uint8_t)((last) >> 8), (uint8_t)(last) }

/* Exactly the addresses of the topology. */
static const struct ep_info eps[SIM_EP__COUNT] = {
	[SIM_CLIENT]	 = { "client",	   A(0x00, 0x0a, 0x00, 0x10) },
	[SIM_INGRESS1]	 = { "ingress1",   A(0x00, 0x11, 0x00, 0x01) },
	[SIM_INGRESS2]	 = { "ingress2",   A(0x00, 0x12, 0x00, 0x01) },
	[SIM_EGRESS1]	 = { "egress1",	   A(0x00, 0xe1, 0x00, 0x01) },
	[SIM_EGRESS2]	 = { "egress2",	   A(0x00, 0xe2, 0x00, 0x01) },
	[SIM_CONTROLLER] = { "controller", A(0x00, 0x0c, 0x00, 0x01) },
	[SIM_LOCATOR]	 = { "locator",	   A(0x00, 0x0d, 0x00, 0x01) },
	[SIM_EDGE1]	 = { "edge1",	   A(0x00, 0xe1, 0x00, 0x100) },
	[SIM_EDGE2]	 = { "edge2",	   A(0x00, 0xe2, 0x00, 0x100) },
};

const char *
sim_ep_name(enum sim_ep e)
{
	return (unsigned)e < SIM_EP__COUNT ? eps[e].name : "?";
}

const uint8_t *
sim_ep_addr(enum sim_ep e)
{
	return (unsigned)e < SIM_EP__COUNT ? eps[e].addr : NULL;
}

int
sim_ep_by_name(const char *name)
{
	for (int i = 0; i < SIM_EP__COUNT; i++)
		if (strcmp(eps[i].name, name) == 0)
			return i;
	return -1;
}

int
sim_ep_by_addr(const uint8_t addr[16])
{
	if (addr == NULL)
		return -1;
	for (int i = 0; i < SIM_EP__COUNT; i++)
		if (memcmp(eps[i].addr, addr, 16) == 0)
			return i;
	return -1;
}

static bool
is_ingress(enum sim_ep e)
{
	return e == SIM_INGRESS1 || e == SIM_INGRESS2;
}

static bool
is_egress(enum sim_ep e)
{
	return e == SIM_EGRESS1 || e == SIM_EGRESS2;
}

static bool
pair(enum sim_ep a, enum sim_ep b, bool (*pa)(enum sim_ep),
    bool (*pb)(enum sim_ep))
{
	return (pa(a) && pb(b)) || (pa(b) && pb(a));
}

static bool
is_client(enum sim_ep e)
{
	return e == SIM_CLIENT;
}

static bool
is_controller(enum sim_ep e)
{
	return e == SIM_CONTROLLER;
}

static bool
is_locator(enum sim_ep e)
{
	return e == SIM_LOCATOR;
}

static bool
is_edge(enum sim_ep e)
{
	return e == SIM_EDGE1 || e == SIM_EDGE2;
}

/* The delays; a pair it does not name (controller or locator to an
 * egress, controller to locator) gets SIM_DEFAULT_DELAY_MS. */
uint32_t
sim_link_delay(enum sim_ep a, enum sim_ep b)
{
	if (a == b)
		return 0;
	if (pair(a, b, is_client, is_ingress))
		return 1;
	if (is_ingress(a) && is_ingress(b))
		return 2;
	if (pair(a, b, is_ingress, is_egress))
		return 5;
	if (pair(a, b, is_ingress, is_controller) ||
	    pair(a, b, is_ingress, is_locator))
		return 3;
	if (is_egress(a) && is_egress(b))
		return 4;
	if (pair(a, b, is_egress, is_edge))
		return 1;
	return SIM_DEFAULT_DELAY_MS;
}

void
sim_impair_draw(struct sim_rng *r, const struct sim_impair *imp,
    struct sim_fate *f)
{
	memset(f, 0, sizeof(*f));
	/* Always draw the same numbers in the same order, whatever the
	 * outcome, so that changing one probability does not shift every
	 * later draw of the run. */
	double u_loss = sim_rng_unit(r), u_dup = sim_rng_unit(r);
	double u_ro[2] = { sim_rng_unit(r), sim_rng_unit(r) };
	uint32_t extra[2] = {
		sim_rng_range(r, SIM_REORDER_MIN_MS, SIM_REORDER_MAX_MS),
		sim_rng_range(r, SIM_REORDER_MIN_MS, SIM_REORDER_MAX_MS),
	};

	if (u_loss < imp->loss) {
		f->lost = true;
		return;
	}
	f->copies = 1;
	if (u_dup < imp->dup) {
		f->dup = true;
		f->copies = 2;
	}
	for (unsigned i = 0; i < f->copies; i++) {
		if (u_ro[i] >= imp->reorder)
			continue;
		f->reordered = true;
		f->extra_ms[i] = extra[i];
	}
}
