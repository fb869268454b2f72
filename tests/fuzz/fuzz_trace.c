/*
 * libFuzzer harness of the mobility trace reader, against a fixed small
 * topology.  Any input must parse or be refused with a line inside the
 * input and a reason, leaving the trace empty; what parses must be in time
 * order and name access nodes only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/topo.h"
#include "cats/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* GML, for a name with a blank in it. */
static const char world[] =
    "graph [ node [ id 1 label \"a\" access 1 ]\n"
    "node [ id 2 label \"b\" access 1 ]\n"
    "node [ id 3 label \"New York\" access 1 ]\n"
    "node [ id 4 label \"core\" ]\n"
    "edge [ source 1 target 2 LinkDelay 1 ]\n"
    "edge [ source 2 target 4 LinkDelay 2 ]\n"
    "edge [ source 4 target 3 LinkDelay 1 ] ]\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topo t;
	static int ready;
	struct file_err e;
	struct trace tr;

	if (!ready) {
		if (topo_parse_gml(&t, world, sizeof(world) - 1, "world", &e))
			abort();
		ready = 1;
	}
	if (trace_parse(&tr, &t, (const char *)data, size, "fuzz", &e) != 0) {
		if (tr.ev != NULL || tr.n != 0 || e.line == 0 ||
		    e.line > size + 1 || e.reason[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < tr.n; i++)
		if (tr.ev[i].node >= t.nnodes || !t.nodes[tr.ev[i].node].access ||
		    tr.ev[i].at_ms > TRACE_MAX_MS ||
		    (i > 0 && tr.ev[i].at_ms < tr.ev[i - 1].at_ms))
			abort();
	trace_free(&tr);
	return 0;
}
