/* plot: charts of results drawn by gnuplot from the templates in plots/ (docs/sweeps.md,
 * "Charts"). `haisim plot RESULTS --kind K -o FILE.png|.svg` and a sweep's `plots:` list
 * both come here.
 *
 * Each chart writes three files side by side: NAME.dat (the data, with a comment header
 * naming its columns), NAME.gp (the template from plots/ after a header of variables: the
 * data file, the image, the terminal, title, labels, series names) and the image NAME.png
 * (gnuplot's pngcairo terminal) or NAME.svg (svg terminal). The script runs from its own
 * directory, so `gnuplot NAME.gp` redraws it after the user edits it. Without gnuplot the
 * data and the script are still written and plot_draw says how to install gnuplot.
 *
 * Kinds, a registry of `struct plot_kind` rows (plot_kinds.c):
 *   cdf       latency CDFs (TTFT and end to end) per variant at one point, replication 1
 *             (plots/latency_cdf.gp, the template of `haisim run -o`)
 *   line      a metric against a swept key, mean with 95 % CI error bars, one line per
 *             variant (and per value of the other swept keys, unless `where` fixes them)
 *   pareto    two metrics as a scatter of every point × variant (means), with the Pareto
 *             frontier: the points no other point beats on both (lower is better for
 *             latency, cost and energy, higher for accuracy and throughput)
 *   heatmap   a metric over two swept keys for one variant, or the ratio
 *             metric(baseline) / metric(variant) (a speed-up when the metric is a latency)
 *   bars      stacked bars per variant: where the served requests ran (shares of device,
 *             edge, cloud) and how all requests ended (completed, fallback, failed, rejected)
 *   timeline  a Gantt chart of the first requests of a run (requests.csv from a scenario's
 *             `outputs: {requests: true}`): network up, queue, prefill, decode, network down
 *
 * The strings of a request are borrowed (from the YAML document or argv). */
#ifndef HAISIM_PLOT_H
#define HAISIM_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sweep_table.h"
#include "ydoc.h"

struct plot_request {
    const char *kind;
    const char *output;   /* the image: a path ending in .png or .svg */
    const char *metric;   /* line, heatmap: the metric drawn */
    const char *x, *y;    /* line: x = swept key; heatmap: two swept keys; pareto: metrics */
    const char *variant;  /* heatmap, timeline: the variant (default: the first) */
    const char *baseline; /* heatmap: draw metric(baseline) / metric(variant) */
    size_t point;         /* cdf, bars, timeline: 1-based point (0: every point / the first) */
    size_t n_where;       /* keep the points whose swept keys have these values */
    const char **where_keys, **where_values;
    const char *title;      /* default: from the kind and its inputs */
    int64_t requests;       /* timeline: how many requests (default 12) */
    double from_s;          /* timeline: first arrival shown, s */
    struct ydoc_node *node; /* where a sweep file asked for it; NULL from the command line */
};

struct plot_list {
    size_t n;
    struct plot_request *items;
};

/* The names of the kinds, for messages and --help ("cdf, line, ..."). */
const char *plot_kind_names(void);

/* Reads a sweep's `plots:` list (NULL: empty); each item is a map of the request's keys
 * (kind, output, metric, x, y, variant, baseline, point, where, title, requests, from_s). */
int plot_list_load(struct plot_list *l, struct ydoc_node *list, struct error *err);
void plot_list_free(struct plot_list *l);
void plot_request_free(struct plot_request *r); /* frees the where arrays of one request */

/* Checks a request before anything runs: a known kind, an output ending in .png or .svg,
 * the inputs the kind needs, known metrics, swept keys among axis_keys, variant names among
 * variants (skipped when variants is NULL). Errors are located at the request's node. */
int plot_check(const struct plot_request *r, const char *const *axis_keys, size_t n_axes,
               const char *const *variants, size_t n_variants, struct error *err);

/* Draws the chart of r from table t; r->output relative paths are taken as they are (the
 * caller joins a sweep's directory). results_dir is where the results came from (timeline
 * reads requests.csv there, or in points/NNNN/ for a sweep point). Returns 0 when the image
 * was drawn, 1 when gnuplot is missing (err explains; data and script written), -1 on error. */
int plot_draw(const struct plot_request *r, const struct sweep_table *t, const char *results_dir,
              struct error *err);

/* Writes DIR/name: the header of gnuplot variable settings, then the template
 * plots/<template_name>.gp ($HAISIM_PLOTS_DIR overrides the directory), through a partial
 * file. Shared by run charts (chart.c) and sweep charts. */
int plot_write_script(const char *dir, const char *name, const char *template_name,
                      const char *header, struct error *err);

#endif
