/*
 * libFuzzer harness of cats-sim's world file reader, and of the scale
 * engine on what it accepts.  Every file the world names is served from
 * memory: a small topology whatever its name, a trace for "t.trace".  Any
 * input must parse or be refused with a line inside it and a reason,
 * leaving nothing allocated; a world that parses is run briefly (its sizes
 * capped so one input stays fast) under one CATS policy with moves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/scale.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char topo_text[] =
    "node a access\nnode b access\nnode c\n"
    "link a b delay 2ms\nlink b c delay 5ms\n";
static const char trace_text[] = "10 0 a\n20 1 b\n30 0 b\n";

static char *
mem_read(void *arg, const char *path, size_t *len, struct file_err *err)
{
	const char *t = strcmp(path, "d/t.trace") == 0 ? trace_text : topo_text;
	char *buf;

	(void)arg;
	(void)err;
	*len = strlen(t);
	if ((buf = malloc(*len + 1)) == NULL)
		abort();
	memcpy(buf, t, *len + 1);
	return buf;
}

static void
run_small(struct scale_world *w)
{
	struct scale_variant v = { CATS_POL_RESPONSE_TIME,
	    SCALE_HO_PROACTIVE, true };
	struct scale_opts o;
	struct scale_result r;
	struct file_err e;
	char why[128];

	if (w->clients > 20)
		w->clients = 20;
	if (w->duration_s > 5)
		w->duration_s = 5;
	if (w->session_s > 5)
		w->session_s = 5;
	if (w->think_ms < 50)
		w->think_ms = 50;
	if (w->move_s > 0 && w->move_s < 1)
		w->move_s = 1;
	if (scale_world_prepare(w, &e) != 0)
		return;
	scale_opts_default(&o);
	o.event_limit = 20000;
	if (scale_run(w, &v, &o, &r, why, sizeof(why)) != 0)
		abort();
	if (r.done + r.lost > r.tx)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scale_world w;
	struct file_err e;

	memset(&e, 0, sizeof(e));
	if (scale_world_parse(&w, (const char *)data, size, "fuzz", "d",
	    mem_read, NULL, &e) != 0) {
		if (w.site != NULL || w.topo.nodes != NULL ||
		    e.line > size + 1 || e.reason[0] == '\0')
			abort();
		return 0;
	}
	run_small(&w);
	scale_world_free(&w);
	return 0;
}
