/*
 * libFuzzer harness of the topology readers.  Any input must parse or be
 * refused with a file, a line inside the input and a reason, leaving the
 * topo empty; what parses must hold its invariants (links between two
 * distinct known nodes, delays >= 1) and route from node 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int rc, const struct topo *t, const struct file_err *e, size_t size)
{
	uint32_t *d;
	uint16_t *h;

	if (rc != 0) {
		if (rc != -1 || t->nodes != NULL || t->links != NULL ||
		    e->line == 0 || e->line > size + 1 || e->reason[0] == '\0' ||
		    strcmp(e->file, "fuzz") != 0)
			abort();
		return;
	}
	if (t->nnodes == 0 || topo_naccess(t) == 0)
		abort();
	for (size_t i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a >= t->nnodes || l->b >= t->nnodes || l->a == l->b ||
		    l->delay_us == 0 || l->delay_us > TOPO_MAX_DELAY_US)
			abort();
	}
	d = malloc(t->nnodes * sizeof(*d));
	h = malloc(t->nnodes * sizeof(*h));
	if (d == NULL || h == NULL || topo_paths(t, 0, d, h) != 0 ||
	    d[0] != 0 || h[0] != 0)
		abort();
	for (size_t i = 0; i < t->nnodes; i++)
		if (d[i] == UINT32_MAX && h[i] != UINT16_MAX)
			abort();
	free(d);
	free(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct file_err e;
	struct topo t;

	check(topo_parse_gml(&t, buf, size, "fuzz", &e), &t, &e, size);
	topo_free(&t);
	check(topo_parse_edges(&t, buf, size, "fuzz", &e), &t, &e, size);
	topo_free(&t);
	check(topo_parse(&t, buf, size, "fuzz", &e), &t, &e, size);
	topo_free(&t);
	return 0;
}
