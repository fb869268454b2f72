/*
 * scale_world.c: a scale world from a world file, or generated; the paths
 * and waypoint neighbours every run uses.
 *
 * The world file is one statement a line, '#' starts a comment
 * (docs/scale.md has the table):
 *
 *	topology FILE			GML or edge list (topo.h), first
 *	service NAME work_ms X [max_ms X] [net_ms X] [state_kb X] [weight X]
 *	site NODE SERVICE [servers N] [speed X]
 *	clients N | duration_s X | session_s X | think_ms X | move_s X
 *	mobility waypoint | mobility trace FILE
 *	access_ms X | controller NODE | locator NODE | seed N
 *	metrics interval_ms N delay_ms N [window_ms N] [damp_rel X]
 *
 * A malformed line refuses the file with its name, line and reason.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/scale.h"
#include "cats/sim.h"

#define WORLD_MAX_BYTES		(64u << 20)
#define WORLD_MAX_WORDS		16
#define WORLD_MAX_SITES		1000000
#define WORLD_MAX_CLIENTS	100000000ull
#define WORLD_MAX_WORK_MS	60000	/* a service time the C-PS can hear */
#define WORLD_MAX_CAPACITY	1e9	/* requests/s, likewise */

/* A whole file into memory, NUL-terminated; NULL with 'err' filled. */
static char *
slurp(void *arg, const char *path, size_t *len, struct file_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	(void)arg;
	if (f == NULL) {
		file_err_set(err, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	do {
		if (cap - n < 65536) {
			char *nb;

			cap = cap ? cap * 2 : 131072;
			if (cap > WORLD_MAX_BYTES ||
			    (nb = realloc(buf, cap + 1)) == NULL) {
				file_err_set(err, path, 0, "too large or out of memory");
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		file_err_set(err, path, 0, "read error");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ---- the world file ---- */

struct wparse {
	struct scale_world	*w;
	const char		*file;
	const char		*dir;
	scale_read_fn		 read;
	void			*arg;
	unsigned		 line;
	struct file_err		*err;
	bool			 have_topo;
	bool			 have_ctl, have_loc;
	char			*words[WORLD_MAX_WORDS];
	size_t			 nwords;
};

static int
bad(struct wparse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
bad(struct wparse *p, const char *fmt, ...)
{
	char reason[sizeof(p->err->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return file_err_set(p->err, p->file, p->line, "%s", reason);
}

/* A finite decimal number in [lo, hi], nothing after it. */
static int
num(struct wparse *p, const char *what, const char *s, double lo, double hi,
    double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v))
		return bad(p, "%s: not a number: \"%.40s\"", what, s);
	if (v < lo || v > hi)
		return bad(p, "%s: %g is outside [%g, %g]", what, v, lo, hi);
	*out = v;
	return 0;
}

static int
uint_arg(struct wparse *p, const char *what, const char *s, uint64_t hi,
    uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return bad(p, "%s: not an unsigned integer: \"%.40s\"", what, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > hi)
		return bad(p, "%s: not an integer up to %llu: \"%.40s\"", what,
		    (unsigned long long)hi, s);
	*out = v;
	return 0;
}

static int
node_arg(struct wparse *p, const char *s, uint32_t *out)
{
	int i;

	if (!p->have_topo)
		return bad(p, "a node is named before the topology line");
	if ((i = topo_find(&p->w->topo, s)) < 0)
		return bad(p, "no node \"%.60s\" in the topology", s);
	*out = (uint32_t)i;
	return 0;
}

static int
svc_find(const struct scale_world *w, const char *name)
{
	for (size_t i = 0; i < w->nsvc; i++)
		if (strcmp(w->svc[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* FILE relative to the world file's directory unless absolute. */
static void
path_join(const struct wparse *p, const char *name, char *out, size_t cap)
{
	if (name[0] == '/' || p->dir == NULL || p->dir[0] == '\0')
		snprintf(out, cap, "%s", name);
	else
		snprintf(out, cap, "%s/%s", p->dir, name);
}

/* A file the world names; a failure to read it is said at the world's
 * line that names it. */
static char *
read_named(struct wparse *p, const char *path, size_t *len)
{
	struct file_err e;
	char *buf;

	memset(&e, 0, sizeof(e));
	if ((buf = p->read(p->arg, path, len, &e)) == NULL)
		bad(p, "%.100s: %.50s", path, e.reason);
	return buf;
}

static int
st_topology(struct wparse *p)
{
	char path[1024];
	char *buf;
	size_t len;
	int rc;

	if (p->nwords != 2)
		return bad(p, "usage: topology FILE");
	if (p->have_topo)
		return bad(p, "a second topology line");
	path_join(p, p->words[1], path, sizeof(path));
	if ((buf = read_named(p, path, &len)) == NULL)
		return -1;
	rc = topo_parse(&p->w->topo, buf, len, path, p->err);
	free(buf);
	if (rc != 0)
		return -1;
	p->have_topo = true;
	return 0;
}

/* KEY VALUE pairs after the first 'skip' words, each key from 'keys'. */
static int
pairs(struct wparse *p, size_t skip, const char *const *keys, size_t nkeys,
    const double *lo, const double *hi, double *vals, bool *seen)
{
	if ((p->nwords - skip) % 2 != 0)
		return bad(p, "\"%s\": a key without its value", p->words[0]);
	for (size_t i = skip; i < p->nwords; i += 2) {
		size_t k;

		for (k = 0; k < nkeys; k++)
			if (strcmp(p->words[i], keys[k]) == 0)
				break;
		if (k == nkeys)
			return bad(p, "\"%s\": unknown key \"%.40s\"",
			    p->words[0], p->words[i]);
		if (seen[k])
			return bad(p, "\"%s\": \"%s\" given twice",
			    p->words[0], keys[k]);
		seen[k] = true;
		if (num(p, keys[k], p->words[i + 1], lo[k], hi[k], &vals[k]))
			return -1;
	}
	return 0;
}

static int
st_service(struct wparse *p)
{
	static const char *const keys[] = { "work_ms", "max_ms", "net_ms",
	    "state_kb", "weight" };
	static const double lo[] = { 0.001, 0, 0, 0, 0 };
	static const double hi[] = { WORLD_MAX_WORK_MS, 3.6e6, 4000, 1e7, 1e6 };
	double v[5] = { 0, 0, 0, 0, 1 };
	bool seen[5] = { false };
	struct scale_service *s;

	if (p->nwords < 2)
		return bad(p, "usage: service NAME work_ms X [max_ms X] "
		    "[net_ms X] [state_kb X] [weight X]");
	if (strlen(p->words[1]) >= SCALE_NAME_MAX)
		return bad(p, "service name longer than %d", SCALE_NAME_MAX - 1);
	if (svc_find(p->w, p->words[1]) >= 0)
		return bad(p, "service \"%s\" defined twice", p->words[1]);
	if (p->w->nsvc == SCALE_MAX_SERVICES)
		return bad(p, "more than %d services", SCALE_MAX_SERVICES);
	if (pairs(p, 2, keys, 5, lo, hi, v, seen))
		return -1;
	if (!seen[0])
		return bad(p, "service \"%s\" has no work_ms", p->words[1]);
	s = &p->w->svc[p->w->nsvc++];
	snprintf(s->name, sizeof(s->name), "%s", p->words[1]);
	s->work_ms = v[0];
	s->max_ms = v[1];
	s->net_ms = v[2];
	s->state_kb = v[3];
	s->weight = v[4];
	return 0;
}

static int
site_push(struct scale_world *w, const struct scale_site *s)
{
	struct scale_site *v;

	if (w->nsite == WORLD_MAX_SITES) {
		errno = E2BIG;
		return -1;
	}
	if ((w->nsite & (w->nsite - 1)) == 0) {
		size_t cap = w->nsite ? w->nsite * 2 : 16;

		if ((v = realloc(w->site, cap * sizeof(*v))) == NULL)
			return -1;
		w->site = v;
	}
	w->site[w->nsite++] = *s;
	return 0;
}

static int
st_site(struct wparse *p)
{
	static const char *const keys[] = { "servers", "speed" };
	static const double lo[] = { 1, 0.001 };
	static const double hi[] = { CATS_SEL_MAX_SERVERS, 1000 };
	double v[2] = { 1, 1 };
	bool seen[2] = { false };
	struct scale_site s;
	int svc;

	if (p->nwords < 3)
		return bad(p, "usage: site NODE SERVICE [servers N] [speed X]");
	if (node_arg(p, p->words[1], &s.node))
		return -1;
	if ((svc = svc_find(p->w, p->words[2])) < 0)
		return bad(p, "no service \"%.40s\" (define it before its sites)",
		    p->words[2]);
	if (pairs(p, 3, keys, 2, lo, hi, v, seen))
		return -1;
	if (v[0] != floor(v[0]))
		return bad(p, "servers: not a whole number");
	s.service = (uint32_t)svc;
	s.servers = (uint32_t)v[0];
	s.speed = v[1];
	for (size_t i = 0; i < p->w->nsite; i++)
		if (p->w->site[i].node == s.node &&
		    p->w->site[i].service == s.service)
			return bad(p, "a second site of \"%s\" at \"%s\"",
			    p->words[2], p->words[1]);
	if (site_push(p->w, &s))
		return bad(p, "too many sites (%d at most)", WORLD_MAX_SITES);
	return 0;
}

static int
st_trace(struct wparse *p)
{
	char path[1024];
	char *buf;
	size_t len;
	int rc;

	if (!p->have_topo)
		return bad(p, "the trace is named before the topology line");
	path_join(p, p->words[2], path, sizeof(path));
	if ((buf = read_named(p, path, &len)) == NULL)
		return -1;
	trace_free(&p->w->trace);
	rc = trace_parse(&p->w->trace, &p->w->topo, buf, len, path, p->err);
	free(buf);
	if (rc != 0)
		return -1;
	p->w->mobility = SCALE_MOB_TRACE;
	return 0;
}

static int
st_mobility(struct wparse *p)
{
	if (p->nwords == 2 && strcmp(p->words[1], "waypoint") == 0) {
		p->w->mobility = SCALE_MOB_WAYPOINT;
		return 0;
	}
	if (p->nwords == 3 && strcmp(p->words[1], "trace") == 0)
		return st_trace(p);
	return bad(p, "usage: mobility waypoint | mobility trace FILE");
}

static int
st_metrics(struct wparse *p)
{
	static const char *const keys[] = { "interval_ms", "delay_ms",
	    "damp_rel", "window_ms" };
	static const double lo[] = { 1, 0, 0, 0 };
	static const double hi[] = { 3.6e6, 3.6e6, 10, 8.64e7 };
	double v[4];
	bool seen[4] = { false };

	v[0] = p->w->metric_interval_ms;
	v[1] = p->w->metric_delay_ms;
	v[2] = p->w->damp_rel;
	v[3] = p->w->metric_window_ms;
	if (pairs(p, 1, keys, 4, lo, hi, v, seen))
		return -1;
	p->w->metric_interval_ms = (uint32_t)v[0];
	p->w->metric_delay_ms = (uint32_t)v[1];
	p->w->damp_rel = v[2];
	p->w->metric_window_ms = (uint32_t)v[3];
	return 0;
}

/* One-number statements: the word, its range, where it goes. */
struct scalar {
	const char	*name;
	double		 lo, hi;
	size_t		 off;
};

#define SC(n, l, h)	{ #n, l, h, offsetof(struct scale_world, n) }
static const struct scalar scalars[] = {
	SC(duration_s, 0.001, 1e7),
	SC(session_s, 0.001, 1e7),
	SC(think_ms, 0.001, 1e9),
	SC(move_s, 0, 1e7),
	SC(access_ms, 0, 1000),
};
#undef SC

static int
st_scalar(struct wparse *p, const struct scalar *sc)
{
	if (p->nwords != 2)
		return bad(p, "usage: %s VALUE", sc->name);
	return num(p, sc->name, p->words[1], sc->lo, sc->hi,
	    (double *)((char *)p->w + sc->off));
}

static int
st_other(struct wparse *p)
{
	const char *k = p->words[0];
	uint64_t v = 0;

	if (strcmp(k, "clients") == 0 || strcmp(k, "seed") == 0) {
		if (p->nwords != 2)
			return bad(p, "usage: %s N", k);
		if (uint_arg(p, k, p->words[1], k[0] == 'c' ?
		    WORLD_MAX_CLIENTS : UINT64_MAX, &v))
			return -1;
		*(k[0] == 'c' ? &p->w->clients : &p->w->seed) = v;
		return 0;
	}
	if (strcmp(k, "controller") == 0 || strcmp(k, "locator") == 0) {
		bool ctl = k[0] == 'c';

		if (p->nwords != 2)
			return bad(p, "usage: %s NODE", k);
		*(ctl ? &p->have_ctl : &p->have_loc) = true;
		return node_arg(p, p->words[1],
		    ctl ? &p->w->controller : &p->w->locator);
	}
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (strcmp(k, scalars[i].name) == 0)
			return st_scalar(p, &scalars[i]);
	return bad(p, "unknown statement \"%.40s\"", k);
}

static int
statement(struct wparse *p)
{
	static const struct {
		const char	*name;
		int		(*fn)(struct wparse *);
	} st[] = {
		{ "topology", st_topology }, { "service", st_service },
		{ "site", st_site }, { "mobility", st_mobility },
		{ "metrics", st_metrics },
	};

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (strcmp(p->words[0], st[i].name) == 0) {
			if (i > 0 && !p->have_topo && i != 1)
				return bad(p, "\"%s\" before the topology line",
				    st[i].name);
			return st[i].fn(p);
		}
	return st_other(p);
}

/* Split a line in place into words; a word in double quotes may hold
 * blanks (node names like "New York").  -1 with the reason said. */
static int
split(struct wparse *p, char *s)
{
	p->nwords = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0' || *s == '#')
			return 0;
		if (p->nwords == WORLD_MAX_WORDS)
			return bad(p, "more than %d words", WORLD_MAX_WORDS);
		if (*s == '"') {
			char *end = strchr(s + 1, '"');

			if (end == NULL)
				return bad(p, "a quote without its end");
			p->words[p->nwords++] = s + 1;
			*end = '\0';
			s = end + 1;
			if (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '\r')
				return bad(p, "a quoted word runs into the "
				    "next");
			continue;
		}
		p->words[p->nwords++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r' &&
		    *s != '#')
			s++;
		if (*s == '#') {
			*s = '\0';
			return 0;
		}
		if (*s != '\0')
			*s++ = '\0';
	}
}

static void
world_defaults(struct scale_world *w)
{
	memset(w, 0, sizeof(*w));
	w->clients = 1000;
	w->duration_s = 600;
	w->session_s = 120;
	w->think_ms = 1000;
	w->access_ms = 1;
	w->metric_interval_ms = 1000;
	w->metric_delay_ms = 200;
	w->metric_window_ms = 5000;
	w->damp_rel = 0.10;
	w->seed = 1;
}

/* What a complete world needs, said at the last line. */
static int
world_check(struct wparse *p)
{
	if (!p->have_topo)
		return bad(p, "no topology line");
	if (p->w->nsvc == 0)
		return bad(p, "no service");
	for (size_t i = 0; i < p->w->nsite; i++) {
		const struct scale_site *st = &p->w->site[i];

		double work = p->w->svc[st->service].work_ms;

		/* the processing-delay metric (metric.h) carries up to 60 s,
		 * the capacity metric up to 1e9 requests/s */
		if (work / st->speed > WORLD_MAX_WORK_MS)
			return bad(p, "site of \"%s\" at \"%s\": a mean service "
			    "time over %d ms", p->w->svc[st->service].name,
			    p->w->topo.nodes[st->node].name, WORLD_MAX_WORK_MS);
		if (st->servers * st->speed * 1000 / work > WORLD_MAX_CAPACITY)
			return bad(p, "site of \"%s\" at \"%s\": a capacity over "
			    "%g requests/s", p->w->svc[st->service].name,
			    p->w->topo.nodes[st->node].name, WORLD_MAX_CAPACITY);
	}
	for (size_t s = 0; s < p->w->nsvc; s++) {
		bool any = false;

		for (size_t i = 0; i < p->w->nsite && !any; i++)
			any = p->w->site[i].service == s;
		if (!any)
			return bad(p, "service \"%s\" has no site",
			    p->w->svc[s].name);
	}
	return 0;
}

int
scale_world_parse(struct scale_world *w, const char *buf, size_t len,
    const char *file, const char *dir, scale_read_fn read, void *arg,
    struct file_err *err)
{
	struct wparse p = { .w = w, .file = file, .dir = dir,
	    .read = read != NULL ? read : slurp, .arg = arg, .err = err };
	char line[1024];
	size_t i = 0;

	world_defaults(w);
	if (len > WORLD_MAX_BYTES)
		return bad(&p, "larger than %u bytes", WORLD_MAX_BYTES);
	while (i < len) {
		size_t n = 0;

		p.line++;
		while (i < len && buf[i] != '\n') {
			if (buf[i] == '\0') {
				bad(&p, "a NUL byte");
				goto fail;
			}
			if (n + 1 == sizeof(line)) {
				bad(&p, "a line longer than %zu bytes",
				    sizeof(line) - 1);
				goto fail;
			}
			line[n++] = buf[i++];
		}
		i++;
		line[n] = '\0';
		if (split(&p, line) != 0)
			goto fail;
		if (p.nwords > 0 && statement(&p) != 0)
			goto fail;
	}
	if (world_check(&p) != 0)
		goto fail;
	if (!p.have_ctl || !p.have_loc) {
		uint32_t first = 0;

		for (size_t k = 0; k < w->topo.nnodes; k++)
			if (w->topo.nodes[k].access) {
				first = (uint32_t)k;
				break;
			}
		if (!p.have_ctl)
			w->controller = first;
		if (!p.have_loc)
			w->locator = first;
	}
	return 0;
fail:
	scale_world_free(w);
	return -1;
}

int
scale_world_load(struct scale_world *w, const char *path,
    struct file_err *err)
{
	char dir[1024];
	const char *slash;
	char *buf;
	size_t len;
	int rc;

	world_defaults(w);
	if ((buf = slurp(NULL, path, &len, err)) == NULL)
		return -1;
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s",
	    slash ? (int)(slash - path) : 0, path);
	rc = scale_world_parse(w, buf, len, path, dir, NULL, NULL, err);
	free(buf);
	return rc;
}

void
scale_world_free(struct scale_world *w)
{
	topo_free(&w->topo);
	trace_free(&w->trace);
	free(w->site);
	free(w->access);
	free(w->access_of);
	free(w->owd);
	free(w->near);
	world_defaults(w);
}

/* ---- derived: paths and waypoint neighbours ---- */

static int
prepare_access(struct scale_world *w)
{
	const struct topo *t = &w->topo;

	w->access = calloc(t->nnodes, sizeof(*w->access));
	w->access_of = malloc(t->nnodes * sizeof(*w->access_of));
	if (w->access == NULL || w->access_of == NULL)
		return -1;
	w->naccess = 0;
	for (size_t n = 0; n < t->nnodes; n++) {
		w->access_of[n] = -1;
		if (!t->nodes[n].access)
			continue;
		w->access_of[n] = (int32_t)w->naccess;
		w->access[w->naccess++] = (uint32_t)n;
	}
	return 0;
}

/* The SCALE_MAX_NEAR access nodes nearest to access node a (fewer exist:
 * repeated), by one-way delay: the steps of a random waypoint walk. */
static void
prepare_near(struct scale_world *w, size_t a)
{
	const uint32_t *row = w->owd + a * w->topo.nnodes;
	uint32_t *near = w->near + a * SCALE_MAX_NEAR;
	size_t got = 0;

	for (size_t b = 0; b < w->naccess; b++) {
		uint32_t d = row[w->access[b]];
		size_t k;

		if (b == a || d == UINT32_MAX)
			continue;
		for (k = got; k > 0 &&
		    row[w->access[near[k - 1]]] > d; k--)
			if (k < SCALE_MAX_NEAR)
				near[k] = near[k - 1];
		if (k < SCALE_MAX_NEAR) {
			near[k] = (uint32_t)b;
			if (got < SCALE_MAX_NEAR)
				got++;
		}
	}
	for (size_t k = got; k < SCALE_MAX_NEAR; k++)
		near[k] = got ? near[k % got] : (uint32_t)a;
}

int
scale_world_prepare(struct scale_world *w, struct file_err *err)
{
	const struct topo *t = &w->topo;

	free(w->access);
	free(w->access_of);
	free(w->owd);
	free(w->near);
	w->owd = NULL;
	w->near = NULL;
	if (prepare_access(w) != 0)
		goto nomem;
	if (w->naccess == 0) {
		file_err_set(err, "world", 0, "no access node");
		return -1;
	}
	w->owd = malloc(w->naccess * t->nnodes * sizeof(*w->owd));
	w->near = malloc(w->naccess * SCALE_MAX_NEAR * sizeof(*w->near));
	if (w->owd == NULL || w->near == NULL)
		goto nomem;
	for (size_t a = 0; a < w->naccess; a++)
		if (topo_paths(t, w->access[a], w->owd + a * t->nnodes,
		    NULL) != 0)
			goto nomem;
	for (size_t a = 0; a < w->naccess; a++)
		prepare_near(w, a);
	return 0;
nomem:
	file_err_set(err, "world", 0, "out of memory for %zu x %zu paths",
	    w->naccess, t->nnodes);
	return -1;
}

/* ---- a synthetic world ---- */

/* Sites at random points of a continent-sized box (Europe: 36..60 N,
 * 10 W..30 E), each linked to its three nearest; a chain in order of
 * longitude keeps the graph connected. */
#define GEN_LAT0	36.0
#define GEN_LAT1	60.0
#define GEN_LON0	-10.0
#define GEN_LON1	30.0
#define GEN_DEGREE	3
#define GEN_GRID	64

struct gen {
	struct topo	*t;
	uint32_t	*cell_first, *cell_next;
	size_t		 cap_links;
};

static size_t
cell_of(const struct topo_node *n)
{
	size_t x = (size_t)((n->lon - GEN_LON0) / (GEN_LON1 - GEN_LON0) *
	    GEN_GRID), y = (size_t)((n->lat - GEN_LAT0) /
	    (GEN_LAT1 - GEN_LAT0) * GEN_GRID);

	x = x < GEN_GRID ? x : GEN_GRID - 1;
	y = y < GEN_GRID ? y : GEN_GRID - 1;
	return y * GEN_GRID + x;
}

static int
gen_link(struct gen *g, uint32_t a, uint32_t b)
{
	struct topo *t = g->t;
	const struct topo_node *na = &t->nodes[a], *nb = &t->nodes[b];

	for (size_t i = t->nlinks; i > 0 && i + 8 > t->nlinks; i--)
		if ((t->links[i - 1].a == a && t->links[i - 1].b == b) ||
		    (t->links[i - 1].a == b && t->links[i - 1].b == a))
			return 0;
	if (t->nlinks == g->cap_links) {
		size_t cap = g->cap_links * 2 + 64;
		struct topo_link *v = realloc(t->links, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		t->links = v;
		g->cap_links = cap;
	}
	t->links[t->nlinks].a = a;
	t->links[t->nlinks].b = b;
	t->links[t->nlinks].delay_us = topo_fiber_delay_us(
	    topo_great_circle_km(na->lat, na->lon, nb->lat, nb->lon));
	t->links[t->nlinks].bw_bps = 10000000000ull;
	t->nlinks++;
	return 0;
}

/* The k nearest of node a among the grid cells around it (a ring at a
 * time until k are found and the ring is farther than the k-th). */
static int
gen_nearest(struct gen *g, uint32_t a)
{
	const struct topo_node *n = &g->t->nodes[a];
	uint32_t best[GEN_DEGREE];
	double bd[GEN_DEGREE];
	size_t got = 0, c = cell_of(n);
	int cx = (int)(c % GEN_GRID), cy = (int)(c / GEN_GRID);

	for (int r = 0; r < GEN_GRID; r++) {
		for (int y = cy - r; y <= cy + r; y++)
			for (int x = cx - r; x <= cx + r; x++) {
				if (x < 0 || y < 0 || x >= GEN_GRID ||
				    y >= GEN_GRID || (abs(x - cx) != r &&
				    abs(y - cy) != r))
					continue;
				for (uint32_t b = g->cell_first[y * GEN_GRID + x];
				    b != UINT32_MAX; b = g->cell_next[b]) {
					const struct topo_node *m = &g->t->nodes[b];
					double d = hypot(m->lat - n->lat,
					    m->lon - n->lon);
					size_t k;

					if (b == a)
						continue;
					for (k = got; k > 0 && bd[k - 1] > d; k--)
						if (k < GEN_DEGREE) {
							bd[k] = bd[k - 1];
							best[k] = best[k - 1];
						}
					if (k < GEN_DEGREE) {
						bd[k] = d;
						best[k] = b;
						if (got < GEN_DEGREE)
							got++;
					}
				}
			}
		/* a ring r cells out is at least (r) cells away */
		if (got == GEN_DEGREE && bd[got - 1] <
		    r * (GEN_LAT1 - GEN_LAT0) / GEN_GRID)
			break;
	}
	for (size_t k = 0; k < got; k++)
		if (gen_link(g, a, best[k]) != 0)
			return -1;
	return 0;
}

struct by_lon {
	double		 lon;
	uint32_t	 node;
};

static int
lon_cmp(const void *x, const void *y)
{
	double a = ((const struct by_lon *)x)->lon;
	double b = ((const struct by_lon *)y)->lon;

	return (a > b) - (a < b);
}

static int
gen_topology(struct topo *t, uint32_t n, struct sim_rng *rng)
{
	struct gen g = { .t = t };
	struct by_lon *order;
	int rc = -1;

	t->nodes = calloc(n, sizeof(*t->nodes));
	g.cell_first = malloc(GEN_GRID * GEN_GRID * sizeof(uint32_t));
	g.cell_next = malloc(n * sizeof(uint32_t));
	order = malloc(n * sizeof(*order));
	if (t->nodes == NULL || g.cell_first == NULL || g.cell_next == NULL ||
	    order == NULL)
		goto out;
	t->nnodes = n;
	memset(g.cell_first, 0xff, GEN_GRID * GEN_GRID * sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		struct topo_node *nd = &t->nodes[i];
		size_t c;

		snprintf(nd->name, sizeof(nd->name), "n%u", i);
		nd->lat = GEN_LAT0 + sim_rng_unit(rng) * (GEN_LAT1 - GEN_LAT0);
		nd->lon = GEN_LON0 + sim_rng_unit(rng) * (GEN_LON1 - GEN_LON0);
		nd->geo = true;
		nd->access = i % 5 == 0;
		c = cell_of(nd);
		g.cell_next[i] = g.cell_first[c];
		g.cell_first[c] = i;
		order[i].lon = nd->lon;
		order[i].node = i;
	}
	for (uint32_t i = 0; i < n; i++)
		if (gen_nearest(&g, i) != 0)
			goto out;
	qsort(order, n, sizeof(*order), lon_cmp);
	for (uint32_t i = 1; i < n; i++)
		if (gen_link(&g, order[i - 1].node, order[i].node) != 0)
			goto out;
	rc = 0;
out:
	free(g.cell_first);
	free(g.cell_next);
	free(order);
	return rc;
}

/* Four services of different shapes: short interactive ones, a video
 * pipeline and long analytics jobs whose state is worth moving. */
static const struct scale_service gen_services[] = {
	{ "ar",        20,   100,  20,   64, 4 },
	{ "video",     50,   300,  0,   256, 3 },
	{ "game",       5,    50,  15,   16, 2 },
	{ "analytics", 2000, 6000, 0,  4096, 1 },
};

/*
 * Capacity follows demand: the servers of each service, summed over its
 * sites, carry its offered load at about 60 % utilisation, spread over
 * the sites unevenly (speed 0.5..2, servers drawn in proportion).
 */
static int
gen_sites(struct scale_world *w, uint32_t sites, struct sim_rng *rng)
{
	double per_client_tx = w->session_s * 1000 / w->think_ms;
	double rate = w->clients / w->duration_s * per_client_tx;
	double wsum = 0;

	for (size_t s = 0; s < w->nsvc; s++)
		wsum += w->svc[s].weight;
	for (uint32_t n = 0; n < sites; n++) {
		uint32_t mask = 0;

		while (mask == 0)
			for (size_t s = 0; s < w->nsvc; s++)
				if (sim_rng_unit(rng) < 0.5)
					mask |= 1u << s;
		for (size_t s = 0; s < w->nsvc; s++) {
			struct scale_site st = { .node = n,
			    .service = (uint32_t)s };
			double load, share;

			if (!(mask & (1u << s)))
				continue;
			/* offered Erlangs of this service, per hosting site */
			load = rate * w->svc[s].weight / wsum *
			    w->svc[s].work_ms / 1000;
			share = load / (sites * 0.5) / 0.6;
			st.speed = 0.5 + 1.5 * sim_rng_unit(rng);
			st.servers = (uint32_t)ceil(share / st.speed *
			    (0.5 + sim_rng_unit(rng)));
			if (st.servers == 0)
				st.servers = 1;
			if (st.servers > CATS_SEL_MAX_SERVERS)
				st.servers = CATS_SEL_MAX_SERVERS;
			if (site_push(w, &st) != 0)
				return -1;
		}
	}
	return 0;
}

int
scale_world_generate(struct scale_world *w, uint32_t sites, uint64_t clients,
    uint64_t seed, struct file_err *err)
{
	struct sim_rng rng;

	world_defaults(w);
	if (sites < 2 || sites > TOPO_MAX_NODES) {
		file_err_set(err, "generator", 0, "sites: %u is outside [2, %d]", sites,
		    TOPO_MAX_NODES);
		return -1;
	}
	w->clients = clients;
	w->duration_s = 3600;
	w->session_s = 120;
	w->think_ms = 5000;
	w->move_s = 60;
	w->seed = seed;
	sim_rng_seed(&rng, seed ^ 0x5ca1e5ca1eull);
	memcpy(w->svc, gen_services, sizeof(gen_services));
	w->nsvc = sizeof(gen_services) / sizeof(gen_services[0]);
	if (gen_topology(&w->topo, sites, &rng) != 0 ||
	    gen_sites(w, sites, &rng) != 0) {
		file_err_set(err, "generator", 0, "out of memory");
		scale_world_free(w);
		return -1;
	}
	w->controller = 0;
	w->locator = 0;
	return 0;
}

/* ---- writing a world back ---- */

int
scale_world_write(const struct scale_world *w, FILE *wf, FILE *ef,
    const char *edges_name)
{
	const struct topo *t = &w->topo;

	for (size_t n = 0; n < t->nnodes; n++)
		fprintf(ef, "node %s lat %.5f lon %.5f%s\n", t->nodes[n].name,
		    t->nodes[n].lat, t->nodes[n].lon,
		    t->nodes[n].access ? " access" : "");
	for (size_t l = 0; l < t->nlinks; l++)
		fprintf(ef, "link %s %s delay %uus bw %llubps\n",
		    t->nodes[t->links[l].a].name, t->nodes[t->links[l].b].name,
		    t->links[l].delay_us,
		    (unsigned long long)t->links[l].bw_bps);
	fprintf(wf, "topology %s\n", edges_name);
	for (size_t s = 0; s < w->nsvc; s++)
		fprintf(wf, "service %s work_ms %g max_ms %g net_ms %g "
		    "state_kb %g weight %g\n", w->svc[s].name, w->svc[s].work_ms,
		    w->svc[s].max_ms, w->svc[s].net_ms, w->svc[s].state_kb,
		    w->svc[s].weight);
	for (size_t i = 0; i < w->nsite; i++)
		fprintf(wf, "site \"%s\" %s servers %u speed %.17g\n",
		    t->nodes[w->site[i].node].name,
		    w->svc[w->site[i].service].name, w->site[i].servers,
		    w->site[i].speed);
	fprintf(wf, "clients %llu\nduration_s %g\nsession_s %g\nthink_ms %g\n"
	    "move_s %g\naccess_ms %g\ncontroller \"%s\"\nlocator \"%s\"\n"
	    "metrics interval_ms %u delay_ms %u window_ms %u damp_rel %g\n"
	    "seed %llu\n",
	    (unsigned long long)w->clients, w->duration_s, w->session_s,
	    w->think_ms, w->move_s, w->access_ms,
	    t->nodes[w->controller].name, t->nodes[w->locator].name,
	    w->metric_interval_ms, w->metric_delay_ms, w->metric_window_ms,
	    w->damp_rel,
	    (unsigned long long)w->seed);
	return ferror(wf) || ferror(ef) ? -1 : 0;
}
