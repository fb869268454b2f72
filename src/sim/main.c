/*
 * cats-sim: run a simulated scenario and print its ladder and summary.
 *
 *   cats-sim list
 *   cats-sim scenario NAME [--ladder] [--events] [--stats] [--loss P]
 *       [--dup P] [--reorder P] [--seed N] [--results N] [--time-limit MS]
 *   cats-sim world FILE | --generate SITES [...]   (scale_main.c)
 *
 * Exit 0 when the run converged with no result missing or duplicated,
 * 1 when it did not, 2 on a usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/sim.h"
#include "sim/scale_main.h"

#define EXIT_USAGE	2

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cats-sim list\n"
	    "       cats-sim scenario NAME [--ladder] [--events] [--stats]\n"
	    "           [--loss P] [--dup P] [--reorder P] [--seed N]\n"
	    "           [--results N] [--time-limit MS]\n"
	    "       cats-sim world FILE | --generate SITES [options]"
	    " (cats-sim world --help)\n");
}

static int
bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cats-sim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	return EXIT_USAGE;
}

/* A probability: a decimal number in [0, 1], nothing after it. */
static bool
parse_prob(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 1)
		return false;
	*out = v;
	return true;
}

/* An unsigned decimal in [lo, hi]: digits only, no sign, no blanks. */
static bool
parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

struct args {
	const char	*scenario;
	bool		 ladder;
	bool		 stats;
	struct sim_opts	 opts;
};

/* One "--name value" option; returns how many argv entries it used, or 0
 * after printing the error. */
static int
value_opt(struct args *a, const char *name, const char *val)
{
	static const char *const known[] = { "--loss", "--dup", "--reorder",
	    "--seed", "--results", "--time-limit" };
	bool ok = false;
	uint64_t u;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= strcmp(name, known[i]) == 0;
	if (!ok)
		return bad("unknown option '%s'", name), 0;
	if (val == NULL)
		return bad("option %s needs a value", name), 0;
	if (strcmp(name, "--loss") == 0 || strcmp(name, "--dup") == 0 ||
	    strcmp(name, "--reorder") == 0) {
		double *p = name[2] == 'l' ? &a->opts.impair.loss :
		    name[2] == 'd' ? &a->opts.impair.dup :
		    &a->opts.impair.reorder;

		if (!parse_prob(val, p))
			return bad("%s: '%s' is not a probability in [0, 1]",
			    name, val), 0;
		return 2;
	}
	if (strcmp(name, "--seed") == 0) {
		if (!parse_u64(val, 0, UINT64_MAX, &a->opts.seed))
			return bad("%s: '%s' is not an unsigned integer", name,
			    val), 0;
		return 2;
	}
	if (strcmp(name, "--results") == 0) {
		if (!parse_u64(val, 1, 1000000, &u))
			return bad("%s: '%s' is not an integer in 1..1000000",
			    name, val), 0;
		a->opts.results = (uint32_t)u;
		return 2;
	}
	if (strcmp(name, "--time-limit") == 0) {
		if (!parse_u64(val, 1, 86400000, &a->opts.time_limit_ms))
			return bad("%s: '%s' is not a time in 1..86400000 ms",
			    name, val), 0;
		return 2;
	}
	return bad("unknown option '%s'", name), 0;
}

static int
parse(int argc, char **argv, struct args *a)
{
	sim_opts_default(&a->opts);
	if (argc < 3)
		return bad("scenario: missing NAME");
	a->scenario = argv[2];
	for (int i = 3; i < argc;) {
		int used;

		if (strcmp(argv[i], "--ladder") == 0) {
			a->ladder = true;
			i++;
			continue;
		}
		if (strcmp(argv[i], "--events") == 0) {
			a->opts.events = a->ladder = true;
			i++;
			continue;
		}
		if (strcmp(argv[i], "--stats") == 0) {
			a->stats = true;
			i++;
			continue;
		}
		used = value_opt(a, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
		if (used == 0)
			return EXIT_USAGE;
		i += used;
	}
	return 0;
}

static void
print_line(void *arg, const char *line)
{
	fprintf(arg, "%s\n", line);
}

static void
print_stats(const struct sim_summary *m)
{
	printf("stats: end_ms=%llu events=%llu done=%s signaling sent=%llu "
	    "lost=%llu dup=%llu reordered=%llu no_route=%llu data sent=%llu "
	    "lost_at_ingress=%llu lost_at_egress=%llu lost_on_access=%llu "
	    "state_moved=%llu time_limit=%s\n",
	    (unsigned long long)m->end_ms, (unsigned long long)m->events,
	    m->done ? "yes" : "no", (unsigned long long)m->sig_sent,
	    (unsigned long long)m->sig_lost, (unsigned long long)m->sig_dup,
	    (unsigned long long)m->sig_reordered,
	    (unsigned long long)m->sig_no_route,
	    (unsigned long long)m->data_sent,
	    (unsigned long long)m->lost_at_ingress,
	    (unsigned long long)m->lost_at_egress,
	    (unsigned long long)m->lost_on_access,
	    (unsigned long long)m->state_moved,
	    m->hit_time_limit ? "hit" : "no");
}

/* The CATS-MUP scenarios: BGP routes, not signaling; deterministic. */
static int
run_mup(const struct args *a)
{
	struct sim_mup_result r;
	const char *why;

	if (!sim_mup_run(a->scenario, a->ladder ? print_line : NULL, stdout,
	    &r, &why)) {
		fprintf(stderr, "cats-sim: %s: %s\n", a->scenario, why);
		return strcmp(why, "unknown scenario") == 0 ? EXIT_USAGE : 1;
	}
	if (!a->ladder)
		printf("%s: %s, %llu updates\n", a->scenario,
		    r.ok ? "as the figure" : "NOT as the figure",
		    (unsigned long long)r.updates);
	return r.ok ? 0 : 1;
}

static int
cmd_scenario(int argc, char **argv)
{
	const struct sim_summary *m;
	struct args a = { 0 };
	const char *why;
	struct sim *s;
	char line[256];
	int rc;

	if ((rc = parse(argc, argv, &a)) != 0)
		return rc;
	if (strncmp(a.scenario, "mup-", 4) == 0)
		return run_mup(&a);
	if (a.ladder) {
		a.opts.on_line = print_line;
		a.opts.line_arg = stdout;
	}
	if ((s = sim_new(a.scenario, &a.opts, &why)) == NULL) {
		fprintf(stderr, "cats-sim: %s: %s\n", a.scenario, why);
		return strcmp(why, "unknown scenario") == 0 ? EXIT_USAGE : 1;
	}
	m = sim_run(s);
	sim_summary_format(m, line, sizeof(line));
	printf("%s\n", line);
	if (a.stats)
		print_stats(m);
	rc = m->converged && m->missing == 0 && m->duplicated == 0 ? 0 : 1;
	sim_free(s);
	return rc;
}

static int
cmd_list(int argc)
{
	if (argc != 2)
		return bad("list takes no arguments");
	for (size_t i = 0; i < sim_scenario_count(); i++)
		printf("%-20s %s\n", sim_scenario_name(i), sim_scenario_desc(i));
	for (size_t i = 0; i < sim_mup_count(); i++)
		printf("%-24s %s\n", sim_mup_name(i), sim_mup_desc(i));
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc);
	if (strcmp(argv[1], "scenario") == 0)
		return cmd_scenario(argc, argv);
	if (strcmp(argv[1], "world") == 0)
		return scale_main(argc - 2, argv + 2);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	return bad("unknown command '%s'", argv[1]);
}
