/*
 * scale_out.c: what a scale run leaves for people: the summary table (or
 * CSV), and gnuplot data with the script that draws it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cats/scale.h"

static double
ms(double us)
{
	return us / 1000;
}

static double
pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static void
variant_name(const struct scale_result *r, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s%s", scale_policy_name(r->v.policy),
	    scale_method_name(r->v.method), r->v.tx_switch ? "+switch" : "");
}

static const char csv_head[] =
    "policy,mobility,switch,clients,transactions,done,lost,duplicated,"
    "missed_pct,refused,mean_ms,p50_ms,p95_ms,p99_ms,handovers,switched,"
    "ho_mean_ms,ho_p95_ms,msgs_per_handover,msgs_per_s,metric_msgs_per_s,"
    "events,engine_plays,engine_unconverged\n";

static void
csv_row(FILE *f, const struct scale_result *r, double dur)
{
	fprintf(f, "%s,%s,%s,%llu,%llu,%llu,%llu,%llu,%.3f,%llu,%.3f,%.3f,"
	    "%.3f,%.3f,%llu,%llu,%.3f,%.3f,%.2f,%.2f,%.2f,%llu,%llu,%llu\n",
	    scale_policy_name(r->v.policy), scale_method_name(r->v.method),
	    r->v.tx_switch ? "yes" : "no",
	    (unsigned long long)r->clients, (unsigned long long)r->tx,
	    (unsigned long long)r->done, (unsigned long long)r->lost,
	    (unsigned long long)r->duplicated, pct(r->missed, r->tx),
	    (unsigned long long)r->refused,
	    r->rt.n ? ms(r->rt.sum / r->rt.n) : 0,
	    ms(scale_hist_quantile(&r->rt, 0.5)),
	    ms(scale_hist_quantile(&r->rt, 0.95)),
	    ms(scale_hist_quantile(&r->rt, 0.99)),
	    (unsigned long long)r->handovers, (unsigned long long)r->switched,
	    r->ho.n ? ms(r->ho.sum / r->ho.n) : 0,
	    ms(scale_hist_quantile(&r->ho, 0.95)),
	    r->handovers ? (double)r->ho_msgs / r->handovers : 0,
	    dur > 0 ? r->sig_msgs / dur : 0,
	    dur > 0 ? r->metric_msgs / dur : 0,
	    (unsigned long long)r->events,
	    (unsigned long long)r->ho_cache_miss,
	    (unsigned long long)r->ho_unconverged);
}

static void
table_row(FILE *f, const struct scale_result *r, double dur)
{
	char name[64];

	variant_name(r, name, sizeof(name));
	fprintf(f, "| %-34s | %9.2f | %8.2f | %8.2f | %8.2f | %6.2f %% | "
	    "%7llu | %5llu | %8llu | %7.2f | %7.2f | %6.1f | %8.1f |\n", name,
	    r->rt.n ? ms(r->rt.sum / r->rt.n) : 0,
	    ms(scale_hist_quantile(&r->rt, 0.5)),
	    ms(scale_hist_quantile(&r->rt, 0.95)),
	    ms(scale_hist_quantile(&r->rt, 0.99)), pct(r->missed, r->tx),
	    (unsigned long long)r->lost, (unsigned long long)r->duplicated,
	    (unsigned long long)r->handovers,
	    r->ho.n ? ms(r->ho.sum / r->ho.n) : 0,
	    ms(scale_hist_quantile(&r->ho, 0.95)),
	    r->handovers ? (double)r->ho_msgs / r->handovers : 0,
	    dur > 0 ? (r->sig_msgs + r->metric_msgs) / dur : 0);
}

void
scale_summary(FILE *f, const struct scale_result *r, size_t n, double dur,
    bool csv)
{
	if (csv) {
		fputs(csv_head, f);
		for (size_t i = 0; i < n; i++)
			csv_row(f, &r[i], dur);
		return;
	}
	fprintf(f, "| %-34s | %9s | %8s | %8s | %8s | %8s | %7s | %5s | "
	    "%8s | %7s | %7s | %6s | %8s |\n", "policy/mobility", "mean ms",
	    "p50 ms", "p95 ms", "p99 ms", "missed", "lost", "dup",
	    "handover", "int. ms", "int.p95", "msg/ho", "msg/s");
	fprintf(f, "|%s|%s:|%s:|%s:|%s:|%s:|%s:|%s:|%s:|%s:|%s:|%s:|%s:|\n",
	    "------------------------------------", "----------", "---------",
	    "---------", "---------", "---------", "--------", "------",
	    "---------", "--------", "--------", "-------", "---------");
	for (size_t i = 0; i < n; i++)
		table_row(f, &r[i], dur);
}

/* ---- plots ---- */

static FILE *
open_in(const char *dir, const char *name, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", dir, name);
	return fopen(path, "w");
}

/* One block per result, blank-line separated (gnuplot's "index"). */
static void
cdf_blocks(FILE *f, const struct scale_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t acc = 0;
		char name[64];

		variant_name(&r[i], name, sizeof(name));
		fprintf(f, "# %s\n", name);
		for (size_t b = 0; b < SCALE_HIST_BINS; b++) {
			if (r[i].rt.bin[b] == 0)
				continue;
			acc += r[i].rt.bin[b];
			fprintf(f, "%.4f %.6f\n", ms(scale_hist_upper(b)),
			    (double)acc / (double)r[i].rt.n);
		}
		fprintf(f, "\n\n");
	}
}

static void
ho_rows(FILE *f, const struct scale_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[64];

		if (r[i].handovers == 0)
			continue;
		variant_name(&r[i], name, sizeof(name));
		fprintf(f, "\"%s\" %.3f %.3f\n", name,
		    r[i].ho.n ? ms(r[i].ho.sum / r[i].ho.n) : 0,
		    ms(scale_hist_quantile(&r[i].ho, 0.95)));
	}
}

/* load.dat: a block per variant of "t max mean site0 site1 ...". */
static void
load_plots(FILE *f, const struct scale_result *r, size_t n, size_t nsite)
{
	fprintf(f, "  set output \"load.\".t\n"
	    "  set title \"Busiest site's utilisation over time\"\n"
	    "  set xlabel \"time (s)\"; set ylabel \"utilisation\"\n"
	    "  set key outside right; set yrange [0:1.05]\n  plot ");
	for (size_t i = 0; i < n; i++) {
		char name[64];

		variant_name(&r[i], name, sizeof(name));
		fprintf(f, "%s\"load.dat\" index %zu using 1:2 with lines "
		    "title \"%s\"", i ? ", \\\n    " : "", i, name);
	}
	fprintf(f, "\n");
	if (nsite > SCALE_PLOT_SITES)
		return;
	for (size_t i = 0; i < n; i++) {
		char name[64];

		variant_name(&r[i], name, sizeof(name));
		fprintf(f, "  set output \"load-%zu.\".t\n"
		    "  set title \"Utilisation per site over time: %s\"\n"
		    "  plot for [c=4:%zu] \"load.dat\" index %zu using 1:c "
		    "with lines title sprintf(\"site %%d\", c - 4)\n",
		    i, name, 3 + nsite, i);
	}
}

static void
script(FILE *f, const struct scale_result *r, size_t n, size_t nsite)
{
	fprintf(f, "# cats-sim plots: gnuplot plots.gp (in this directory)\n"
	    "set datafile separator whitespace\n"
	    "do for [t in \"png svg\"] {\n"
	    "  if (t eq \"png\") { set terminal png size 960,600 } "
	    "else { set terminal svg size 960,600 }\n"
	    "  set output \"cdf.\".t\n"
	    "  set title \"Response time, CDF per variant\"\n"
	    "  set xlabel \"response time (ms)\"; set ylabel \"share\"\n"
	    "  set logscale x; set key bottom right; set grid\n"
	    "  plot ");
	for (size_t i = 0; i < n; i++) {
		char name[64];

		variant_name(&r[i], name, sizeof(name));
		fprintf(f, "%s\"cdf.dat\" index %zu using 1:2 with lines "
		    "lw 2 title \"%s\"", i ? ", \\\n    " : "", i, name);
	}
	fprintf(f, "\n  unset logscale x\n"
	    "  set output \"interruption.\".t\n"
	    "  set title \"Handover interruption per method\"\n"
	    "  set style data histograms; set style fill solid 0.6\n"
	    "  set ylabel \"ms\"; set xlabel \"\"; set xtics rotate by -30\n"
	    "  set key top left\n"
	    "  plot \"interruption.dat\" using 2:xtic(1) title \"mean\", "
	    "\"\" using 3 title \"p95\"\n"
	    "  set xtics norotate; set style data lines\n");
	if (nsite > 0)
		load_plots(f, r, n, nsite);
	fprintf(f, "}\n");
}

int
scale_plot_data(const char *dir, const struct scale_result *r, size_t n,
    size_t nsite)
{
	char path[1024];
	FILE *f;

	if ((f = open_in(dir, "cdf.dat", path, sizeof(path))) == NULL)
		return -1;
	cdf_blocks(f, r, n);
	if (fclose(f) != 0)
		return -1;
	if ((f = open_in(dir, "interruption.dat", path, sizeof(path))) == NULL)
		return -1;
	ho_rows(f, r, n);
	fprintf(f, "\"-\" 0 0\n");
	if (fclose(f) != 0)
		return -1;
	if ((f = open_in(dir, "plots.gp", path, sizeof(path))) == NULL)
		return -1;
	script(f, r, n, nsite);
	return fclose(f);
}
