/* chart: data and gnuplot scripts for the run charts (see chart.h). */
#include "chart.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gnuplot.h"
#include "outfile.h"
#include "plot.h"

/* Variant names become gnuplot words: blanks and quotes would split or end them. */
static void chart_word(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < len; i++)
        dst[i] =
            (src[i] == ' ' || src[i] == '\t' || src[i] == '"' || src[i] == '\'') ? '_' : src[i];
    dst[i] = '\0';
}

static int chart_cdf_data(const char *dir, const struct experiment_results *res, struct error *err)
{
    struct outfile out;
    if (outfile_open(&out, dir, "latency_cdf.dat", err) != 0)
        return -1;
    fputs("# p", out.f);
    for (size_t v = 0; v < res->n_variants; v++)
        fprintf(out.f, " e2e_ms[%zu] ttft_ms[%zu]", v + 1, v + 1);
    fputc('\n', out.f);
    for (size_t k = 0; k < EXPERIMENT_CDF_POINTS; k++) {
        fprintf(out.f, "%.2f", (double)(k + 1) / EXPERIMENT_CDF_POINTS);
        for (size_t v = 0; v < res->n_variants; v++)
            fprintf(out.f, " %.6g %.6g", experiment_cdf(res, v, METRIC_LATENCY_E2E)[k],
                    experiment_cdf(res, v, METRIC_LATENCY_TTFT)[k]);
        fputc('\n', out.f);
    }
    return outfile_commit(&out, err);
}

int chart_latency_cdf(const char *dir, const struct experiment *ex,
                      const struct experiment_results *res, struct error *err)
{
    char header[2048], names[1024] = "", word[128];
    for (size_t v = 0; v < res->n_variants; v++) {
        chart_word(word, sizeof word, ex->variants[v].name);
        strncat(names, v ? " " : "", sizeof names - strlen(names) - 1);
        strncat(names, word, sizeof names - strlen(names) - 1);
    }
    chart_word(word, sizeof word, ex->name);
    snprintf(header, sizeof header,
             "# Written by haisim run for scenario %s.\n"
             "datafile = 'latency_cdf.dat'\noutfile = 'latency_cdf.png'\n"
             "terminal_name = 'pngcairo'\nterminal_size = '1200,500'\n"
             "chart_title = 'Latency CDF: %s (seed %llu, replication 1)'\n"
             "variants = '%s'\nnvariants = %zu\n\n",
             word, word, (unsigned long long)ex->seed, names, res->n_variants);
    if (chart_cdf_data(dir, res, err) != 0 ||
        plot_write_script(dir, "latency_cdf.gp", "latency_cdf", header, err) != 0)
        return -1;
    enum gnuplot_status st = gnuplot_run(dir, "latency_cdf.gp", err);
    if (st == GNUPLOT_FAILED) {
        /* Never leave a half-drawn image behind. */
        char png[1100];
        snprintf(png, sizeof png, "%s/latency_cdf.png", dir);
        unlink(png);
    }
    return st == GNUPLOT_OK ? 0 : st == GNUPLOT_MISSING ? 1 : -1;
}
