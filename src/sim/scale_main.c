/*
 * scale_main.c: "cats-sim world": a scale run from the command line.
 *
 *   cats-sim world FILE | --generate SITES  [--clients N] [--seed N]
 *       [--duration S] [--policies LIST] [--methods LIST]
 *       [--switch no|yes|both] [--out DIR] [--requests FILE]
 *       [--load FILE] [--load-every MS] [--write PREFIX] [--csv] [--quiet]
 *
 * Every policy of LIST runs under every method and switching choice, on
 * the same world and seed.  Exit 0 when every run finished, 1 when one
 * failed, 2 on a usage error or a malformed file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cats/scale.h"
#include "sim/scale_main.h"

#define EXIT_USAGE	2
#define MAX_VARIANTS	(SCALE_POL__COUNT * SCALE_HO__COUNT * 2)

static const char usage_text[] =
    "usage: cats-sim world FILE | --generate SITES [--clients N] [--seed N]\n"
    "           [--duration S] [--policies LIST] [--methods LIST]\n"
    "           [--switch no|yes|both] [--out DIR] [--requests FILE]\n"
    "           [--load FILE] [--load-every MS] [--write PREFIX] [--csv]\n"
    "           [--quiet]\n"
    "  policies: response-time l1 l2 nearest round-robin random\n"
    "            least-loaded oracle (default all but l1)\n"
    "  methods:  none proactive reactive-locator reactive-prefix\n"
    "            (default reactive-locator)\n";

struct cli {
	const char	*file;
	uint32_t	 generate;	/* sites; 0: from a file */
	uint64_t	 clients, seed;
	double		 duration;
	bool		 set_clients, set_seed;
	uint32_t	 policies[SCALE_POL__COUNT];
	size_t		 npol;
	uint32_t	 methods[SCALE_HO__COUNT];
	size_t		 nmeth;
	bool		 sw_no, sw_yes;
	const char	*out, *requests, *load, *write;
	uint32_t	 load_every_ms;
	bool		 csv, quiet;
};

struct out {
	FILE		*req;
	FILE		*load;		/* load.dat of --out */
	FILE		*sites;		/* --load: every site, CSV */
	struct timespec	 t0, last;
	bool		 quiet;
};

static int
usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "cats-sim world: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return EXIT_USAGE;
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* A comma-separated list of names, each known to 'lookup', no repeats. */
static bool
parse_list(const char *s, int (*lookup)(const char *), uint32_t *out,
    size_t max, size_t *n)
{
	char buf[256], *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	*n = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		int v = lookup(t);

		if (v < 0 || *n == max)
			return false;
		for (size_t i = 0; i < *n; i++)
			if (out[i] == (uint32_t)v)
				return false;
		out[(*n)++] = (uint32_t)v;
	}
	return *n > 0;
}

static int
method_lookup(const char *s)
{
	return scale_method_from_name(s);
}

static int
policy_lookup(const char *s)
{
	return scale_policy_from_name(s);
}

static void
cli_defaults(struct cli *c)
{
	static const uint32_t pol[] = { CATS_POL_RESPONSE_TIME, CATS_POL_L2,
	    CATS_POL_NEAREST, CATS_POL_ROUND_ROBIN, CATS_POL_RANDOM,
	    CATS_POL_LEAST_LOADED, SCALE_POL_ORACLE };

	memset(c, 0, sizeof(*c));
	memcpy(c->policies, pol, sizeof(pol));
	c->npol = sizeof(pol) / sizeof(pol[0]);
	c->methods[0] = SCALE_HO_REACTIVE_LOCATOR;
	c->nmeth = 1;
	c->sw_no = true;
	c->load_every_ms = 10000;
}

/* An option with a value: 0 taken, 1 not this option, 2 bad. */
static int
opt_value(struct cli *c, const char *o, const char *v)
{
	uint64_t u;

	if (strcmp(o, "--generate") == 0) {
		if (!parse_u64(v, 1000000, &u) || u < 2)
			return usage_err("--generate: sites in [2, 1000000], "
			    "not \"%s\"", v);
		c->generate = (uint32_t)u;
	} else if (strcmp(o, "--clients") == 0) {
		if (!parse_u64(v, 100000000, &c->clients))
			return usage_err("--clients: not a count up to 1e8: "
			    "\"%s\"", v);
		c->set_clients = true;
	} else if (strcmp(o, "--seed") == 0) {
		if (!parse_u64(v, UINT64_MAX, &c->seed))
			return usage_err("--seed: not a number: \"%s\"", v);
		c->set_seed = true;
	} else if (strcmp(o, "--duration") == 0) {
		if (!parse_u64(v, 10000000, &u) || u == 0)
			return usage_err("--duration: seconds in [1, 1e7], "
			    "not \"%s\"", v);
		c->duration = (double)u;
	} else if (strcmp(o, "--load-every") == 0) {
		if (!parse_u64(v, 3600000, &u))
			return usage_err("--load-every: ms up to 3600000, "
			    "not \"%s\"", v);
		c->load_every_ms = (uint32_t)u;
	} else if (strcmp(o, "--policies") == 0) {
		if (!parse_list(v, policy_lookup, c->policies,
		    SCALE_POL__COUNT, &c->npol))
			return usage_err("--policies: a bad list: \"%s\"", v);
	} else if (strcmp(o, "--methods") == 0) {
		if (!parse_list(v, method_lookup, c->methods, SCALE_HO__COUNT,
		    &c->nmeth))
			return usage_err("--methods: a bad list: \"%s\"", v);
	} else if (strcmp(o, "--switch") == 0) {
		c->sw_no = strcmp(v, "no") == 0 || strcmp(v, "both") == 0;
		c->sw_yes = strcmp(v, "yes") == 0 || strcmp(v, "both") == 0;
		if (!c->sw_no && !c->sw_yes)
			return usage_err("--switch: no, yes or both, not "
			    "\"%s\"", v);
	} else if (strcmp(o, "--out") == 0)
		c->out = v;
	else if (strcmp(o, "--requests") == 0)
		c->requests = v;
	else if (strcmp(o, "--load") == 0)
		c->load = v;
	else if (strcmp(o, "--write") == 0)
		c->write = v;
	else
		return 1;
	return 0;
}

static int
parse_cli(struct cli *c, int argc, char **argv)
{
	cli_defaults(c);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int rc;

		if (strcmp(a, "--csv") == 0) {
			c->csv = true;
			continue;
		}
		if (strcmp(a, "--quiet") == 0) {
			c->quiet = true;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return -1;
		}
		if (a[0] != '-') {
			if (c->file != NULL)
				return usage_err("a second world file: \"%s\"",
				    a);
			c->file = a;
			continue;
		}
		if (i + 1 == argc)
			return usage_err("%s needs a value", a);
		if ((rc = opt_value(c, a, argv[i + 1])) == 1)
			return usage_err("unknown option \"%s\"", a);
		if (rc != 0)
			return rc;
		i++;
	}
	if ((c->file == NULL) == (c->generate == 0))
		return usage_err("%s", "give a world file or --generate SITES");
	return 0;
}

/* ---- output callbacks ---- */

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
on_progress(void *arg, const struct scale_result *r, double frac)
{
	struct out *o = arg;
	struct timespec now;

	if (o->quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&o->last, &now) < 2)
		return;
	o->last = now;
	fprintf(stderr, "cats-sim: %s/%s%s: %3.0f %% of the arrivals' time, "
	    "%.1f M events, %.0f s\n", scale_policy_name(r->v.policy),
	    scale_method_name(r->v.method), r->v.tx_switch ? "+switch" : "",
	    frac * 100, r->events / 1e6, since(&o->t0, &now));
}

static void
on_tx(void *arg, const struct scale_result *r, uint64_t client,
    uint32_t service, uint32_t site, double start_us, double rt_us,
    bool lost, bool missed)
{
	struct out *o = arg;

	fprintf(o->req, "%s,%s,%d,%llu,%u,%u,%.3f,%.3f,%d,%d\n",
	    scale_policy_name(r->v.policy), scale_method_name(r->v.method),
	    r->v.tx_switch, (unsigned long long)client, service, site,
	    start_us / 1000, lost ? -1.0 : rt_us / 1000, lost, missed);
}

static void
on_load(void *arg, const struct scale_result *r, double t, const double *u,
    size_t n)
{
	struct out *o = arg;
	double max = 0, sum = 0;

	for (size_t i = 0; o->sites != NULL && i < n; i++)
		fprintf(o->sites, "%s,%s,%d,%.1f,%zu,%.4f\n",
		    scale_policy_name(r->v.policy),
		    scale_method_name(r->v.method), r->v.tx_switch, t, i, u[i]);
	if (o->load == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		sum += u[i];
		if (u[i] > max)
			max = u[i];
	}
	fprintf(o->load, "%.1f %.4f %.4f", t, max, n ? sum / n : 0);
	for (size_t i = 0; i < n && n <= SCALE_PLOT_SITES; i++)
		fprintf(o->load, " %.4f", u[i]);
	fprintf(o->load, "\n");
}

/* ---- the run ---- */

static int
load_world(const struct cli *c, struct scale_world *w)
{
	struct file_err e;
	char msg[512];

	memset(&e, 0, sizeof(e));
	if (c->generate ? scale_world_generate(w, c->generate,
	    c->set_clients ? c->clients : 1000000,
	    c->set_seed ? c->seed : 1, &e) : scale_world_load(w, c->file, &e)) {
		file_err_format(&e, msg, sizeof(msg));
		fprintf(stderr, "cats-sim world: %s\n", msg);
		return EXIT_USAGE;
	}
	if (c->set_clients)
		w->clients = c->clients;
	if (c->set_seed)
		w->seed = c->seed;
	if (c->duration > 0)
		w->duration_s = c->duration;
	if (scale_world_prepare(w, &e) != 0) {
		file_err_format(&e, msg, sizeof(msg));
		fprintf(stderr, "cats-sim world: %s\n", msg);
		return 1;
	}
	return 0;
}

static int
write_world(const struct cli *c, const struct scale_world *w)
{
	char wp[1024], ep[1024];
	const char *base;
	FILE *wf, *ef;
	int rc;

	snprintf(wp, sizeof(wp), "%s.world", c->write);
	snprintf(ep, sizeof(ep), "%s.edges", c->write);
	base = strrchr(ep, '/') ? strrchr(ep, '/') + 1 : ep;
	wf = fopen(wp, "w");
	ef = fopen(ep, "w");
	rc = wf && ef ? scale_world_write(w, wf, ef, base) : -1;
	if (wf != NULL && fclose(wf) != 0)
		rc = -1;
	if (ef != NULL && fclose(ef) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "cats-sim world: cannot write %s: %s\n", wp,
		    strerror(errno));
	return rc;
}

static FILE *
out_file(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		fprintf(stderr, "cats-sim world: %s: %s\n", path,
		    strerror(errno));
	return f;
}

/* gnuplot draws the plots where their data is; its absence is said. */
static void
draw(const char *dir)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (chdir(dir) == 0)
			execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		fprintf(stderr, "cats-sim world: no plots drawn in %s "
		    "(gnuplot missing or failed); the data is there\n", dir);
}

static size_t
variants(const struct cli *c, struct scale_variant *v)
{
	size_t n = 0;

	for (size_t m = 0; m < c->nmeth; m++)
		for (int s = 0; s < 2; s++) {
			if ((s == 0 && !c->sw_no) || (s == 1 && !c->sw_yes))
				continue;
			for (size_t p = 0; p < c->npol; p++)
				v[n++] = (struct scale_variant){ c->policies[p],
				    (enum scale_method)c->methods[m], s == 1 };
		}
	return n;
}

static int
run_all(const struct cli *c, const struct scale_world *w, struct out *o,
    struct scale_result *res, size_t n, const struct scale_variant *v)
{
	struct scale_opts opts;
	char why[256];

	scale_opts_default(&opts);
	opts.arg = o;
	opts.progress = on_progress;
	opts.tx_fn = o->req ? on_tx : NULL;
	opts.load_fn = o->load || o->sites ? on_load : NULL;
	opts.load_every_ms = c->load_every_ms;
	if ((opts.ho = scale_ho_new(w)) == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (scale_run(w, &v[i], &opts, &res[i], why, sizeof(why))) {
			fprintf(stderr, "cats-sim world: %s/%s: %s\n",
			    scale_policy_name(v[i].policy),
			    scale_method_name(v[i].method), why);
			scale_ho_free(opts.ho);
			return 1;
		}
		if (o->load != NULL)
			fprintf(o->load, "\n\n");
	}
	scale_ho_free(opts.ho);
	return 0;
}

static int
report(const struct cli *c, const struct scale_world *w,
    const struct scale_result *res, size_t n)
{
	FILE *f;

	scale_summary(stdout, res, n, w->duration_s, c->csv);
	if (c->out == NULL)
		return 0;
	if ((f = out_file(c->out, "summary.csv")) == NULL)
		return 1;
	scale_summary(f, res, n, w->duration_s, true);
	fclose(f);
	if ((f = out_file(c->out, "summary.md")) == NULL)
		return 1;
	scale_summary(f, res, n, w->duration_s, false);
	fclose(f);
	if (scale_plot_data(c->out, res, n, w->nsite) != 0) {
		fprintf(stderr, "cats-sim world: %s: %s\n", c->out,
		    strerror(errno));
		return 1;
	}
	draw(c->out);
	return 0;
}

int
scale_main(int argc, char **argv)
{
	struct cli c;
	struct scale_world w;
	struct scale_variant v[MAX_VARIANTS];
	struct scale_result *res = NULL;
	struct out o = { 0 };
	size_t n;
	int rc;

	if ((rc = parse_cli(&c, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = load_world(&c, &w)) != 0)
		return rc;
	rc = 1;
	if (c.write != NULL && write_world(&c, &w) != 0)
		goto out;
	if (c.out != NULL && mkdir(c.out, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "cats-sim world: %s: %s\n", c.out,
		    strerror(errno));
		goto out;
	}
	if (c.out != NULL && (o.load = out_file(c.out, "load.dat")) == NULL)
		goto out;
	if (c.requests != NULL && (o.req = fopen(c.requests, "w")) == NULL) {
		fprintf(stderr, "cats-sim world: %s: %s\n", c.requests,
		    strerror(errno));
		goto out;
	}
	if (o.req != NULL)
		fprintf(o.req, "policy,mobility,switch,client,service,site,"
		    "start_ms,response_ms,lost,missed\n");
	if (c.load != NULL && (o.sites = fopen(c.load, "w")) == NULL) {
		fprintf(stderr, "cats-sim world: %s: %s\n", c.load,
		    strerror(errno));
		goto out;
	}
	if (o.sites != NULL)
		fprintf(o.sites, "policy,mobility,switch,time_s,site,"
		    "utilisation\n");
	n = variants(&c, v);
	if ((res = calloc(n, sizeof(*res))) == NULL)
		goto out;
	o.quiet = c.quiet;
	clock_gettime(CLOCK_MONOTONIC, &o.t0);
	o.last = o.t0;
	if (run_all(&c, &w, &o, res, n, v) == 0)
		rc = 0;
	if (o.load != NULL) {
		fclose(o.load);
		o.load = NULL;
	}
	if (rc == 0)
		rc = report(&c, &w, res, n);
out:
	if (o.req != NULL && fclose(o.req) != 0)
		rc = 1;
	if (o.sites != NULL && fclose(o.sites) != 0)
		rc = 1;
	if (o.load != NULL)
		fclose(o.load);
	free(res);
	scale_world_free(&w);
	return rc;
}
