/* plot_kinds: the data and variables of each chart kind (see plot_kinds.h and plot.h). */
#include "plot_kinds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static int plot_kinds_oom(struct error *err)
{
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

/* --- helpers --- */

/* "ttft_ms_p99 (ms)": a metric with its unit. */
static void plot_metric_label(char *buf, size_t len, const char *metric)
{
    const char *unit = sweep_table_unit(metric);
    if (*unit)
        snprintf(buf, len, "%s (%s)", metric, unit);
    else
        snprintf(buf, len, "%s", metric);
}

/* Lower is better for latency, cost, energy and failures; higher for these. */
static bool plot_higher_is_better(const char *metric)
{
    static const char *const higher[] = {"accuracy",           "throughput_rps",
                                         "throughput_tok_s",   "battery_min_frac",
                                         "requests_completed", "bild_speedup"};
    for (size_t i = 0; i < sizeof higher / sizeof higher[0]; i++)
        if (strcmp(metric, higher[i]) == 0)
            return true;
    return false;
}

/* An axis value without the double quotes the sweep put around it (for labels). */
static void plot_unquote(char *buf, size_t len, const char *text)
{
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '"' && text[n - 1] == '"')
        snprintf(buf, len, "%.*s", (int)(n - 2), text + 1);
    else
        snprintf(buf, len, "%s", text);
}

static bool plot_axis_numeric(const struct sweep_table_axis *ax)
{
    for (size_t i = 0; i < ax->n_values; i++) {
        char *end;
        double x = strtod(ax->values[i], &end);
        if (!ax->values[i][0] || *end || !isfinite(x))
            return false;
    }
    return true;
}

/* A data-file string: double-quoted, with the quotes it holds replaced. */
static void plot_data_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : *s == '\n' ? ' ' : *s, f);
    fputc('"', f);
}

/* The gnuplot command that names the tics of a category axis: set xtics ("a" 0, "b" 1). */
static void plot_tics_command(struct plot_vars *vars, const char *var, const char *axis,
                              const struct sweep_table_axis *ax)
{
    plot_vars_printf(vars, "%s = 'set %s (", var, axis);
    for (size_t i = 0; i < ax->n_values; i++) {
        char label[256];
        plot_unquote(label, sizeof label, ax->values[i]);
        plot_vars_printf(vars, "%s\"", i ? ", " : "");
        /* Inside a gnuplot double-quoted string inside a single-quoted one. */
        for (const char *c = label; *c; c++) {
            if (*c == '"' || *c == '\\')
                plot_vars_printf(vars, "_");
            else if (*c == '\'')
                plot_vars_printf(vars, "''");
            else
                plot_vars_printf(vars, "%c", *c);
        }
        plot_vars_printf(vars, "\" %zu", i);
    }
    plot_vars_printf(vars, ")'\n");
}

static long plot_first_point(const struct plot_request *r, const struct sweep_table *t)
{
    for (size_t p = 0; p < t->n_points; p++)
        if (plot_point_selected(r, t, p))
            return (long)p;
    return -1;
}

/* varies[a]: whether swept key a takes more than one value among the selected points. */
static void plot_varying_axes(const struct plot_request *r, const struct sweep_table *t,
                              bool *varies)
{
    long first = plot_first_point(r, t);
    for (size_t a = 0; a < t->n_axes; a++)
        varies[a] = false;
    for (size_t p = 0; first >= 0 && p < t->n_points; p++)
        for (size_t a = 0; a < t->n_axes; a++)
            if (plot_point_selected(r, t, p))
                varies[a] |= t->points[p].value_index[a] != t->points[first].value_index[a];
}

/* "rate_rps=2, slots=8" naming only the keys that vary (a label for one point). */
static void plot_describe(const struct sweep_table *t, const bool *varies, size_t p, char *buf,
                          size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < t->n_axes && pos < len; a++) {
        if (!varies[a])
            continue;
        const char *key = t->axes[a].key, *dot = strrchr(key, '.');
        int n = snprintf(buf + pos, len - pos, "%s%s=%s", pos ? ", " : "", dot ? dot + 1 : key,
                         sweep_table_point_value(t, p, a));
        pos += n > 0 ? (size_t)n : 0;
    }
}

static int plot_no_point(const struct plot_request *r, struct error *err)
{
    if (r->point)
        return error_set(err, NULL, 0, 0, NULL,
                         "point %zu is not a complete point of these results (or does not match "
                         "where)",
                         r->point);
    return error_set(err, NULL, 0, 0, NULL, "no complete point of these results matches");
}

static double plot_mean(const struct sweep_table *t, size_t p, size_t v, const char *metric)
{
    long m = sweep_table_metric(t, metric);
    return m < 0 ? NAN : sweep_table_ci(t, p, v, (size_t)m).mean;
}

static bool plot_variant_selected(const struct plot_request *r, const struct sweep_table *t,
                                  size_t p, size_t v)
{
    return t->reps[p * t->n_variants + v] > 0 &&
           (!r->variant || strcmp(r->variant, t->variants[v]) == 0);
}

/* The named variant, or the first one present at any selected point. */
static long plot_pick_variant(const struct plot_request *r, const struct sweep_table *t,
                              struct error *err)
{
    if (r->variant) {
        long v = sweep_table_variant(t, r->variant);
        if (v < 0)
            error_set(err, NULL, 0, 0, NULL, "no variant named '%s' in these results", r->variant);
        return v;
    }
    if (t->n_variants == 0)
        error_set(err, NULL, 0, 0, NULL, "these results hold no variant");
    return t->n_variants ? 0 : -1;
}

/* --- cdf: plots/latency_cdf.gp --- */

static int plot_cdf(const struct plot_request *r, const struct sweep_table *t,
                    const char *results_dir, FILE *data, struct plot_vars *vars, struct error *err)
{
    long p = plot_first_point(r, t);
    long e2e = sweep_table_family(t, "e2e_ms"), ttft = sweep_table_family(t, "ttft_ms");
    if (p < 0)
        return plot_no_point(r, err);
    if (e2e < 0 || ttft < 0)
        return error_set(err, NULL, 0, 0, NULL, "these results hold no latency CDFs");
    size_t n = 0;
    char names[2048] = "";
    fputs("# p", data);
    for (size_t v = 0; v < t->n_variants; v++) {
        if (!plot_variant_selected(r, t, (size_t)p, v))
            continue;
        n++;
        fprintf(data, " e2e_ms[%zu] ttft_ms[%zu]", n, n);
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s", used ? " " : "");
        for (const char *c = t->variants[v]; *c && strlen(names) + 2 < sizeof names; c++) {
            used = strlen(names);
            names[used] = (*c == ' ' || *c == '\t' || *c == '"' || *c == '\'') ? '_' : *c;
            names[used + 1] = '\0';
        }
    }
    fputc('\n', data);
    if (n == 0)
        return error_set(err, NULL, 0, 0, NULL, "no variant to draw at point %zu",
                         t->points[p].number);
    for (size_t k = 0; k < SWEEP_TABLE_CDF_POINTS; k++) {
        fprintf(data, "%.2f", (double)(k + 1) / SWEEP_TABLE_CDF_POINTS);
        for (size_t v = 0; v < t->n_variants; v++) {
            if (!plot_variant_selected(r, t, (size_t)p, v))
                continue;
            size_t base =
                (((size_t)p * t->n_variants + v) * t->n_families) * SWEEP_TABLE_CDF_POINTS;
            fprintf(data, " %.6g %.6g", t->cdf[base + (size_t)e2e * SWEEP_TABLE_CDF_POINTS + k],
                    t->cdf[base + (size_t)ttft * SWEEP_TABLE_CDF_POINTS + k]);
        }
        fputc('\n', data);
    }
    char desc[512], title[800];
    sweep_table_describe(t, (size_t)p, desc, sizeof desc);
    if (t->n_axes)
        snprintf(title, sizeof title, "Latency CDF: %s, point %zu (%s), replication 1", t->name,
                 t->points[p].number, desc);
    else
        snprintf(title, sizeof title, "Latency CDF: %s, replication 1", t->name);
    plot_vars_str(vars, "chart_title", title);
    plot_vars_str(vars, "variants", names);
    plot_vars_printf(vars, "nvariants = %zu\n", n);
    (void)results_dir;
    return 0;
}

/* --- line: plots/line.gp --- */

struct plot_series {
    size_t variant, point; /* the variant; a point carrying the other axes' values */
    size_t n;
    double *x, *mean, *half_width;
};

/* Same variant and the same values of every swept key but x. */
static bool plot_same_series(const struct sweep_table *t, const struct plot_series *s, size_t p,
                             size_t v, size_t xa)
{
    if (s->variant != v)
        return false;
    for (size_t a = 0; a < t->n_axes; a++)
        if (a != xa && t->points[p].value_index[a] != t->points[s->point].value_index[a])
            return false;
    return true;
}

static void plot_series_free(struct plot_series *series, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(series[i].x);
        free(series[i].mean);
        free(series[i].half_width);
    }
    free(series);
}

/* Sorts a series' rows by x (insertion sort: series are short and nearly sorted). */
static void plot_series_sort(struct plot_series *s)
{
    for (size_t i = 1; i < s->n; i++)
        for (size_t j = i; j > 0 && s->x[j] < s->x[j - 1]; j--) {
            double tx = s->x[j], tm = s->mean[j], th = s->half_width[j];
            s->x[j] = s->x[j - 1];
            s->mean[j] = s->mean[j - 1];
            s->half_width[j] = s->half_width[j - 1];
            s->x[j - 1] = tx;
            s->mean[j - 1] = tm;
            s->half_width[j - 1] = th;
        }
}

static int plot_line(const struct plot_request *r, const struct sweep_table *t,
                     const char *results_dir, FILE *data, struct plot_vars *vars, struct error *err)
{
    long xa = r->x ? sweep_table_axis(t, r->x) : 0, m = sweep_table_metric(t, r->metric);
    if (xa < 0 || t->n_axes == 0)
        return error_set(err, NULL, 0, 0, NULL, "'%s' is not a swept key of these results",
                         r->x ? r->x : "");
    if (m < 0)
        return error_set(err, NULL, 0, 0, NULL, "no metric '%s' in these results", r->metric);
    const struct sweep_table_axis *ax = &t->axes[xa];
    bool numeric = plot_axis_numeric(ax);
    size_t cap = t->n_points * (t->n_variants ? t->n_variants : 1), n = 0;
    struct plot_series *series = calloc(cap ? cap : 1, sizeof series[0]);
    bool *varies = calloc(t->n_axes, sizeof varies[0]);
    long first = plot_first_point(r, t);
    int rc = 0;
    if (!series || !varies)
        rc = plot_kinds_oom(err);
    else if (first < 0)
        rc = plot_no_point(r, err);
    for (size_t p = 0; rc == 0 && p < t->n_points; p++) {
        if (!plot_point_selected(r, t, p))
            continue;
        for (size_t a = 0; a < t->n_axes; a++)
            varies[a] |= t->points[p].value_index[a] != t->points[first].value_index[a];
        for (size_t v = 0; rc == 0 && v < t->n_variants; v++) {
            if (!plot_variant_selected(r, t, p, v))
                continue;
            struct stats_ci ci = sweep_table_ci(t, p, v, (size_t)m);
            if (isnan(ci.mean))
                continue;
            size_t s = 0;
            while (s < n && !plot_same_series(t, &series[s], p, v, (size_t)xa))
                s++;
            if (s == n) {
                series[n] = (struct plot_series){.variant = v, .point = p};
                series[n].x = calloc(t->n_points, sizeof(double));
                series[n].mean = calloc(t->n_points, sizeof(double));
                series[n].half_width = calloc(t->n_points, sizeof(double));
                n++;
                if (!series[s].x || !series[s].mean || !series[s].half_width) {
                    rc = plot_kinds_oom(err);
                    break;
                }
            }
            struct plot_series *se = &series[s];
            size_t vi = t->points[p].value_index[xa];
            se->x[se->n] = numeric ? strtod(ax->values[vi], NULL) : (double)vi;
            se->mean[se->n] = ci.mean;
            se->half_width[se->n] = ci.n > 1 ? ci.half_width : 0;
            se->n++;
        }
    }
    if (rc == 0 && n == 0)
        rc = error_set(err, NULL, 0, 0, NULL, "%s has no value at the selected points", r->metric);
    char **titles = rc == 0 ? calloc(n, sizeof titles[0]) : NULL;
    if (rc == 0 && !titles)
        rc = plot_kinds_oom(err);
    for (size_t s = 0; rc == 0 && s < n; s++) {
        char title[512];
        snprintf(title, sizeof title, "%s", t->variants[series[s].variant]);
        for (size_t a = 0; a < t->n_axes; a++) {
            if ((long)a == xa || !varies[a])
                continue;
            const char *key = t->axes[a].key, *dot = strrchr(key, '.');
            size_t used = strlen(title);
            snprintf(title + used, sizeof title - used, ", %s=%s", dot ? dot + 1 : key,
                     sweep_table_point_value(t, series[s].point, a));
        }
        if (!(titles[s] = strdup(title))) {
            rc = plot_kinds_oom(err);
            break;
        }
        plot_series_sort(&series[s]);
        fprintf(data, "%s# series %zu: %s\n# x mean ci95_half_width\n", s ? "\n\n" : "", s + 1,
                title);
        for (size_t i = 0; i < series[s].n; i++)
            fprintf(data, "%.10g %.10g %.10g\n", series[s].x[i], series[s].mean[i],
                    series[s].half_width[i]);
    }
    if (rc == 0) {
        char ylabel[128], title[700];
        plot_metric_label(ylabel, sizeof ylabel, r->metric);
        snprintf(title, sizeof title, "%s against %s: %s (mean and 95%% CI)", r->metric, ax->label,
                 t->name);
        plot_vars_str(vars, "chart_title", title);
        plot_vars_str(vars, "xlabel", ax->label);
        plot_vars_str(vars, "ylabel", ylabel);
        plot_vars_printf(vars, "logx = %d\nnseries = %zu\n", ax->log_scale && numeric, n);
        plot_vars_array(vars, "series", (const char *const *)titles, n);
        if (numeric)
            plot_vars_str(vars, "xtics_command", "");
        else
            plot_tics_command(vars, "xtics_command", "xtics", ax);
    }
    for (size_t s = 0; titles && s < n; s++)
        free(titles[s]);
    free(titles);
    plot_series_free(series, n);
    free(varies);
    (void)results_dir;
    return rc;
}

/* --- pareto: plots/pareto.gp --- */

struct plot_item {
    double x, y;
    size_t point, variant;
};

/* Frontier order: better x first; among equal x, better y first. */
static int plot_item_cmp(const struct plot_item *a, const struct plot_item *b, bool x_high,
                         bool y_high)
{
    if (a->x != b->x)
        return (a->x < b->x) != x_high ? -1 : 1;
    if (a->y != b->y)
        return (a->y > b->y) == y_high ? -1 : 1;
    return a->point != b->point ? (a->point < b->point ? -1 : 1)
                                : (a->variant < b->variant ? -1 : a->variant > b->variant);
}

static int plot_pareto(const struct plot_request *r, const struct sweep_table *t,
                       const char *results_dir, FILE *data, struct plot_vars *vars,
                       struct error *err)
{
    size_t cap = t->n_points * (t->n_variants ? t->n_variants : 1), n = 0;
    struct plot_item *items = calloc(cap ? cap : 1, sizeof items[0]);
    if (!items)
        return plot_kinds_oom(err);
    for (size_t p = 0; p < t->n_points; p++)
        for (size_t v = 0; v < t->n_variants; v++) {
            if (!plot_point_selected(r, t, p) || !plot_variant_selected(r, t, p, v))
                continue;
            struct plot_item it = {plot_mean(t, p, v, r->x), plot_mean(t, p, v, r->y), p, v};
            if (!isnan(it.x) && !isnan(it.y))
                items[n++] = it;
        }
    if (n == 0) {
        free(items);
        return error_set(err, NULL, 0, 0, NULL, "no point has values of both %s and %s", r->x,
                         r->y);
    }
    bool x_high = plot_higher_is_better(r->x), y_high = plot_higher_is_better(r->y);
    /* Insertion sort into frontier order (n is points × variants: small). */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && plot_item_cmp(&items[j], &items[j - 1], x_high, y_high) < 0;
             j--) {
            struct plot_item tmp = items[j];
            items[j] = items[j - 1];
            items[j - 1] = tmp;
        }
    bool *varies = calloc(t->n_axes + 1, sizeof varies[0]);
    if (!varies) {
        free(items);
        return plot_kinds_oom(err);
    }
    plot_varying_axes(r, t, varies);
    fputs("# every point and variant: x y variant_index label\n", data);
    for (size_t v = 0; v < t->n_variants; v++)
        for (size_t i = 0; i < n; i++) {
            if (items[i].variant != v)
                continue;
            char desc[512];
            plot_describe(t, varies, items[i].point, desc, sizeof desc);
            fprintf(data, "%.10g %.10g %zu ", items[i].x, items[i].y, v + 1);
            plot_data_string(data, desc);
            fputc('\n', data);
        }
    /* A point is on the frontier when no point before it in frontier order has a y at least
     * as good: walking in x order, keep each point that strictly improves the best y. */
    fputs("\n\n# Pareto frontier: x y label\n", data);
    /* Labels closer than 8 % of the x range and 4 % of the y range to the previous label
     * would overlap it: they are left empty. */
    double x_lo = items[0].x, x_hi = items[0].x, y_lo = items[0].y, y_hi = items[0].y;
    for (size_t i = 1; i < n; i++) {
        x_lo = fmin(x_lo, items[i].x);
        x_hi = fmax(x_hi, items[i].x);
        y_lo = fmin(y_lo, items[i].y);
        y_hi = fmax(y_hi, items[i].y);
    }
    double best = NAN, last_x = NAN, last_y = NAN;
    for (size_t i = 0; i < n; i++) {
        bool better = isnan(best) || (y_high ? items[i].y > best : items[i].y < best);
        if (!better)
            continue;
        best = items[i].y;
        char desc[512], label[700] = "";
        bool crowded = fabs(items[i].x - last_x) < 0.08 * (x_hi - x_lo) &&
                       fabs(items[i].y - last_y) < 0.04 * (y_hi - y_lo);
        plot_describe(t, varies, items[i].point, desc, sizeof desc);
        if (!crowded) {
            snprintf(label, sizeof label, "%s%s%s", t->variants[items[i].variant], *desc ? " " : "",
                     desc);
            last_x = items[i].x;
            last_y = items[i].y;
        }
        fprintf(data, "%.10g %.10g ", items[i].x, items[i].y);
        plot_data_string(data, label);
        fputc('\n', data);
    }
    free(items);
    free(varies);
    char xlabel[160], ylabel[160], title[600], metric[128];
    plot_metric_label(metric, sizeof metric, r->x);
    snprintf(xlabel, sizeof xlabel, "%s, %s is better", metric, x_high ? "higher" : "lower");
    plot_metric_label(metric, sizeof metric, r->y);
    snprintf(ylabel, sizeof ylabel, "%s, %s is better", metric, y_high ? "higher" : "lower");
    snprintf(title, sizeof title, "%s against %s with the Pareto frontier: %s", r->y, r->x,
             t->name);
    plot_vars_str(vars, "chart_title", title);
    plot_vars_str(vars, "xlabel", xlabel);
    plot_vars_str(vars, "ylabel", ylabel);
    plot_vars_printf(vars, "nvariants = %zu\n", t->n_variants);
    plot_vars_array(vars, "series", (const char *const *)t->variants, t->n_variants);
    (void)results_dir;
    return 0;
}

/* --- heatmap: plots/heatmap.gp --- */

static int plot_heatmap(const struct plot_request *r, const struct sweep_table *t,
                        const char *results_dir, FILE *data, struct plot_vars *vars,
                        struct error *err)
{
    long xa = sweep_table_axis(t, r->x), ya = sweep_table_axis(t, r->y);
    long v = plot_pick_variant(r, t, err), b = -1;
    long first = plot_first_point(r, t);
    if (xa < 0 || ya < 0)
        return error_set(err, NULL, 0, 0, NULL, "x and y must be swept keys of these results");
    if (v < 0)
        return -1;
    if (r->baseline && (b = sweep_table_variant(t, r->baseline)) < 0)
        return error_set(err, NULL, 0, 0, NULL, "no variant named '%s' in these results",
                         r->baseline);
    if (first < 0)
        return plot_no_point(r, err);
    size_t nx = t->axes[xa].n_values, ny = t->axes[ya].n_values;
    double *grid = malloc(nx * ny * sizeof grid[0]);
    if (!grid)
        return plot_kinds_oom(err);
    for (size_t i = 0; i < nx * ny; i++)
        grid[i] = NAN;
    /* The other swept keys stay at the first selected point's values. */
    char pinned[512] = "";
    for (size_t a = 0; a < t->n_axes; a++) {
        if ((long)a == xa || (long)a == ya)
            continue;
        const char *key = t->axes[a].key, *dot = strrchr(key, '.');
        size_t used = strlen(pinned);
        snprintf(pinned + used, sizeof pinned - used, "%s%s=%s", used ? ", " : "",
                 dot ? dot + 1 : key, sweep_table_point_value(t, (size_t)first, a));
    }
    for (size_t p = 0; p < t->n_points; p++) {
        if (!plot_point_selected(r, t, p))
            continue;
        bool same = true;
        for (size_t a = 0; a < t->n_axes && same; a++)
            same = (long)a == xa || (long)a == ya ||
                   t->points[p].value_index[a] == t->points[first].value_index[a];
        if (!same)
            continue;
        double value = plot_mean(t, p, (size_t)v, r->metric);
        if (b >= 0)
            value = plot_mean(t, p, (size_t)b, r->metric) / value;
        grid[t->points[p].value_index[xa] * ny + t->points[p].value_index[ya]] = value;
    }
    fprintf(data, "# x_index y_index value: %s\n", b >= 0 ? "baseline / variant" : r->metric);
    for (size_t j = 0; j < ny; j++) {
        for (size_t i = 0; i < nx; i++) {
            double value = grid[i * ny + j];
            if (isnan(value) || isinf(value))
                fprintf(data, "%zu %zu NaN\n", i, j);
            else
                fprintf(data, "%zu %zu %.10g\n", i, j, value);
        }
        fputc('\n', data);
    }
    free(grid);
    char metric[128], cblabel[400], title[900];
    plot_metric_label(metric, sizeof metric, r->metric);
    if (b >= 0)
        snprintf(cblabel, sizeof cblabel, "speed-up: %s of %s / of %s", r->metric, t->variants[b],
                 t->variants[v]);
    else
        snprintf(cblabel, sizeof cblabel, "%s, %s", metric, t->variants[v]);
    snprintf(title, sizeof title, "%s over %s × %s: %s%s%s%s", b >= 0 ? "speed-up" : r->metric,
             t->axes[xa].label, t->axes[ya].label, t->name, *pinned ? " (" : "", pinned,
             *pinned ? ")" : "");
    plot_vars_str(vars, "chart_title", title);
    plot_vars_str(vars, "xlabel", t->axes[xa].label);
    plot_vars_str(vars, "ylabel", t->axes[ya].label);
    plot_vars_str(vars, "cblabel", cblabel);
    plot_vars_printf(vars, "nx = %zu\nny = %zu\n", nx, ny);
    plot_tics_command(vars, "xtics_command", "xtics", &t->axes[xa]);
    plot_tics_command(vars, "ytics_command", "ytics", &t->axes[ya]);
    (void)results_dir;
    return 0;
}

/* --- bars: plots/bars.gp --- */

static double plot_zero_nan(double x)
{
    return isnan(x) ? 0 : x;
}

static int plot_bars(const struct plot_request *r, const struct sweep_table *t,
                     const char *results_dir, FILE *data, struct plot_vars *vars, struct error *err)
{
    static const char *const shares[] = {"share_device", "share_edge", "share_cloud"};
    static const char *const ends[] = {"requests_completed", "requests_fallback",
                                       "requests_failed_network", "requests_rejected",
                                       "requests_refused"};
    size_t selected = 0, bars = 0;
    for (size_t p = 0; p < t->n_points; p++)
        selected += plot_point_selected(r, t, p);
    if (selected == 0)
        return plot_no_point(r, err);
    bool *varies = calloc(t->n_axes + 1, sizeof varies[0]);
    if (!varies)
        return plot_kinds_oom(err);
    plot_varying_axes(r, t, varies);
    fputs("# label share_device share_edge share_cloud completed fallback failed_network "
          "rejected refused (shares of served requests; fractions of arrived requests)\n",
          data);
    for (size_t p = 0; p < t->n_points; p++) {
        if (!plot_point_selected(r, t, p))
            continue;
        for (size_t v = 0; v < t->n_variants; v++) {
            if (!plot_variant_selected(r, t, p, v))
                continue;
            char desc[512], label[800];
            plot_describe(t, varies, p, desc, sizeof desc);
            if (*desc)
                snprintf(label, sizeof label, "%s (%s)", t->variants[v], desc);
            else
                snprintf(label, sizeof label, "%s", t->variants[v]);
            plot_data_string(data, label);
            for (size_t i = 0; i < 3; i++)
                fprintf(data, " %.6g", plot_zero_nan(plot_mean(t, p, v, shares[i])));
            double arrived = plot_mean(t, p, v, "requests_arrived");
            for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
                fprintf(data, " %.6g",
                        arrived > 0 ? plot_zero_nan(plot_mean(t, p, v, ends[i]) / arrived) : 0.0);
            fputc('\n', data);
            bars++;
        }
    }
    if (bars == 0) {
        free(varies);
        return error_set(err, NULL, 0, 0, NULL, "no variant to draw");
    }
    /* The title names the swept keys that the selection holds fixed. */
    char title[700], desc[512] = "";
    long first = plot_first_point(r, t);
    if (r->n_where > 0 || r->point) {
        for (size_t a = 0; a < t->n_axes; a++)
            varies[a] = !varies[a];
        plot_describe(t, varies, (size_t)first, desc, sizeof desc);
    }
    free(varies);
    snprintf(title, sizeof title, "Where requests ran and how they ended: %s%s%s%s", t->name,
             *desc ? " (" : "", desc, *desc ? ")" : "");
    plot_vars_str(vars, "chart_title", title);
    plot_vars_printf(vars, "nbars = %zu\n", bars);
    (void)results_dir;
    return 0;
}

/* --- timeline: plots/timeline.gp --- */

enum { PLOT_MAX_TIMELINE = 200 };

/* The columns of requests.csv the timeline reads (outputs.h). */
static const char *const plot_timeline_columns[] = {
    "variant",           "replication",       "id",
    "location",          "outcome",           "arrival_s",
    "tier_arrival_s",    "service_start_s",   "first_token_tier_s",
    "last_token_tier_s", "last_token_user_s", "end_s",
};
enum {
    TL_VARIANT,
    TL_REPLICATION,
    TL_ID,
    TL_LOCATION,
    TL_OUTCOME,
    TL_ARRIVAL,
    TL_TIER_ARRIVAL,
    TL_SERVICE_START,
    TL_FIRST_TOKEN_TIER,
    TL_LAST_TOKEN_TIER,
    TL_LAST_TOKEN_USER,
    TL_END,
    TL_COLUMNS
};

struct plot_request_row {
    double t[TL_COLUMNS]; /* times (NaN when not reached); unused for text columns */
    char label[96];
    bool on_device;
};

static double plot_time(const char *s)
{
    char *end;
    double x = strtod(s, &end);
    return *s && !*end ? x : NAN;
}

static int plot_timeline(const struct plot_request *r, const struct sweep_table *t,
                         const char *results_dir, FILE *data, struct plot_vars *vars,
                         struct error *err)
{
    char path[1400];
    size_t point = r->point ? r->point : 1;
    if (t && t->n_axes)
        snprintf(path, sizeof path, "%s/points/%04zu/requests.csv", results_dir, point);
    else
        snprintf(path, sizeof path, "%s/requests.csv", results_dir);
    struct sweep_csv csv;
    if (sweep_csv_open(&csv, path, err) != 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return error_set(err, path, 0, 0, NULL,
                         "%s: a timeline needs the requests of a run: add outputs: {requests: "
                         "true} to the scenario (or the sweep's set:)",
                         why);
    }
    long col[TL_COLUMNS];
    int rc = sweep_csv_next(&csv, path, err);
    if (rc == 0)
        rc = error_set(err, path, 0, 0, NULL, "empty file");
    for (size_t k = 0; rc > 0 && k < TL_COLUMNS; k++) {
        col[k] = -1;
        for (size_t i = 0; i < csv.n_fields; i++)
            if (strcmp(sweep_csv_get(&csv, i), plot_timeline_columns[k]) == 0)
                col[k] = (long)i;
        if (col[k] < 0)
            rc = error_set(err, path, 1, 0, NULL, "no column '%s'", plot_timeline_columns[k]);
    }
    size_t want = (size_t)r->requests, n = 0;
    struct plot_request_row *rows = calloc(want, sizeof rows[0]);
    char variant[256] = "";
    if (r->variant)
        snprintf(variant, sizeof variant, "%s", r->variant);
    if (rc > 0 && !rows)
        rc = plot_kinds_oom(err);
    /* Keep the `want` earliest arrivals at or after from_s (rows come in order of ending). */
    while (rc > 0 && (rc = sweep_csv_next(&csv, path, err)) > 0) {
        if (!variant[0])
            snprintf(variant, sizeof variant, "%s", sweep_csv_get(&csv, (size_t)col[TL_VARIANT]));
        if (strcmp(sweep_csv_get(&csv, (size_t)col[TL_VARIANT]), variant) != 0 ||
            strcmp(sweep_csv_get(&csv, (size_t)col[TL_REPLICATION]), "1") != 0)
            continue;
        struct plot_request_row row;
        for (size_t k = TL_ARRIVAL; k < TL_COLUMNS; k++)
            row.t[k] = plot_time(sweep_csv_get(&csv, (size_t)col[k]));
        if (isnan(row.t[TL_ARRIVAL]) || row.t[TL_ARRIVAL] < r->from_s)
            continue;
        const char *location = sweep_csv_get(&csv, (size_t)col[TL_LOCATION]);
        row.on_device = strcmp(location, "device") == 0;
        snprintf(row.label, sizeof row.label, "#%s %s", sweep_csv_get(&csv, (size_t)col[TL_ID]),
                 location);
        if (n == want && row.t[TL_ARRIVAL] >= rows[n - 1].t[TL_ARRIVAL])
            continue;
        size_t at = n < want ? n++ : n - 1;
        while (at > 0 && rows[at - 1].t[TL_ARRIVAL] > row.t[TL_ARRIVAL]) {
            rows[at] = rows[at - 1];
            at--;
        }
        rows[at] = row;
    }
    sweep_csv_close(&csv);
    if (rc == 0 && n == 0)
        rc = error_set(err, path, 0, 0, NULL,
                       "no request of variant '%s', replication 1, arrived at or after %g s",
                       variant, r->from_s);
    if (rc < 0) {
        free(rows);
        return -1;
    }
    /* Phases: 1 network up, 2 queue, 3 prefill, 4 decode, 5 network down. */
    fputs("# row start_s end_s phase label (phases: 1 network up, 2 queue, 3 prefill, 4 "
          "decode, 5 network down)\n",
          data);
    for (size_t i = 0; i < n; i++) {
        const struct plot_request_row *row = &rows[i];
        const double *tt = row->t;
        double spans[5][2] = {
            {tt[TL_ARRIVAL], tt[TL_TIER_ARRIVAL]},
            {tt[TL_TIER_ARRIVAL], tt[TL_SERVICE_START]},
            {tt[TL_SERVICE_START], tt[TL_FIRST_TOKEN_TIER]},
            {tt[TL_FIRST_TOKEN_TIER], tt[TL_LAST_TOKEN_TIER]},
            {tt[TL_LAST_TOKEN_TIER], tt[TL_LAST_TOKEN_USER]},
        };
        size_t y = n - i; /* the earliest request on top */
        for (int k = 0; k < 5; k++) {
            if (row->on_device && (k == 0 || k == 4))
                continue;
            double a = spans[k][0], b = spans[k][1];
            if (isnan(a) || isnan(b) || b <= a)
                continue;
            fprintf(data, "%zu %.9f %.9f %d ", y, a, b, k + 1);
            plot_data_string(data, row->label);
            fputc('\n', data);
        }
        /* A request that ended without service (failed, rejected) shows as a thin mark. */
        if (isnan(tt[TL_SERVICE_START]) && !isnan(tt[TL_END])) {
            fprintf(data, "%zu %.9f %.9f 6 ", y, tt[TL_ARRIVAL],
                    tt[TL_END] > tt[TL_ARRIVAL] ? tt[TL_END] : tt[TL_ARRIVAL] + 1e-3);
            plot_data_string(data, row->label);
            fputc('\n', data);
        }
    }
    /* Row labels as tics: the earliest request (row n) on top. */
    plot_vars_printf(vars, "ytics_command = 'set ytics (");
    for (size_t i = 0; i < n; i++) {
        plot_vars_printf(vars, "%s\"", i ? ", " : "");
        for (const char *c = rows[i].label; *c; c++)
            plot_vars_printf(vars, "%c", *c == '"' || *c == '\\' || *c == '\'' ? '_' : *c);
        plot_vars_printf(vars, "\" %zu", n - i);
    }
    plot_vars_printf(vars, ")'\n");
    free(rows);
    static const char *const phases[] = {"network up", "queue",        "prefill",
                                         "decode",     "network down", "not served"};
    char title[700];
    snprintf(title, sizeof title, "Timeline of %zu requests: %s, replication 1", n, variant);
    if (t && t->n_axes) {
        char desc[512] = "";
        for (size_t p = 0; p < t->n_points; p++)
            if (t->points[p].number == point)
                sweep_table_describe(t, p, desc, sizeof desc);
        size_t used = strlen(title);
        snprintf(title + used, sizeof title - used, ", point %zu (%s)", point, desc);
    }
    plot_vars_str(vars, "chart_title", title);
    plot_vars_printf(vars, "nrows = %zu\nnphases = 6\n", n);
    plot_vars_array(vars, "phases", phases, 6);
    return 0;
}

/* --- the registry --- */

static const struct plot_kind plot_kind_table[] = {
    {"cdf", "latency_cdf", "1200,500", PLOT_NEEDS_TABLE, plot_cdf},
    {"line", "line", "900,600", PLOT_NEEDS_TABLE | PLOT_NEEDS_METRIC | PLOT_NEEDS_X_AXIS,
     plot_line},
    {"pareto", "pareto", "900,650", PLOT_NEEDS_TABLE | PLOT_NEEDS_XY_METRIC, plot_pareto},
    {"heatmap", "heatmap", "900,650",
     PLOT_NEEDS_TABLE | PLOT_NEEDS_METRIC | PLOT_NEEDS_X_AXIS | PLOT_NEEDS_Y_AXIS, plot_heatmap},
    {"bars", "bars", "1200,550", PLOT_NEEDS_TABLE, plot_bars},
    {"timeline", "timeline", "1100,600", 0, plot_timeline},
};

size_t plot_kind_count(void)
{
    return sizeof plot_kind_table / sizeof plot_kind_table[0];
}

const struct plot_kind *plot_kind_at(size_t i)
{
    return i < plot_kind_count() ? &plot_kind_table[i] : NULL;
}

const struct plot_kind *plot_kind_find(const char *name)
{
    for (size_t i = 0; i < plot_kind_count(); i++)
        if (strcmp(plot_kind_table[i].name, name) == 0)
            return &plot_kind_table[i];
    return NULL;
}
