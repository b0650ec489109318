/* plot: chart requests, their checks, and drawing through gnuplot (see plot.h). */
#include "plot.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gnuplot.h"
#include "metrics.h"
#include "outfile.h"
#include "plot_kinds.h"
#include "suggest.h"

static int plot_oom(struct error *err)
{
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

/* --- gnuplot variables --- */

void plot_vars_printf(struct plot_vars *v, const char *fmt, ...)
{
    if (v->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (v->len + (size_t)n + 1 > v->cap) {
        size_t cap = v->cap ? v->cap : 256;
        while (v->len + (size_t)n + 1 > cap)
            cap *= 2;
        char *grown = realloc(v->s, cap);
        if (!grown) {
            v->oom = true;
            return;
        }
        v->s = grown;
        v->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(v->s + v->len, v->cap - v->len, fmt, ap);
    va_end(ap);
    v->len += (size_t)n;
}

/* A gnuplot single-quoted string: no escapes but '' for a quote; newlines become spaces. */
static void plot_vars_quoted(struct plot_vars *v, const char *value)
{
    plot_vars_printf(v, "'");
    for (const char *c = value; *c; c++) {
        if (*c == '\'')
            plot_vars_printf(v, "''");
        else
            plot_vars_printf(v, "%c", *c == '\n' || *c == '\r' ? ' ' : *c);
    }
    plot_vars_printf(v, "'");
}

void plot_vars_str(struct plot_vars *v, const char *name, const char *value)
{
    plot_vars_printf(v, "%s = ", name);
    plot_vars_quoted(v, value);
    plot_vars_printf(v, "\n");
}

void plot_vars_array(struct plot_vars *v, const char *name, const char *const *values, size_t n)
{
    plot_vars_printf(v, "array %s[%zu]\n", name, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        plot_vars_printf(v, "%s[%zu] = ", name, i + 1);
        plot_vars_quoted(v, values[i]);
        plot_vars_printf(v, "\n");
    }
}

void plot_vars_free(struct plot_vars *v)
{
    free(v->s);
    memset(v, 0, sizeof *v);
}

/* --- requests --- */

const char *plot_kind_names(void)
{
    return "cdf, line, pareto, heatmap, bars, timeline";
}

void plot_request_free(struct plot_request *r)
{
    free(r->where_keys);
    free(r->where_values);
    r->where_keys = r->where_values = NULL;
    r->n_where = 0;
}

static int plot_request_load(struct plot_request *r, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *node, *where;
    int64_t point = 0;
    r->node = map;
    r->requests = 12;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 || ydoc_require(map, "kind", &node, err) != 0 ||
        ydoc_require(map, "output", &node, err) != 0 ||
        ydoc_read_str(map, "kind", &r->kind, err) != 0 ||
        ydoc_read_str(map, "output", &r->output, err) != 0 ||
        ydoc_read_str(map, "metric", &r->metric, err) != 0 ||
        ydoc_read_str(map, "x", &r->x, err) != 0 || ydoc_read_str(map, "y", &r->y, err) != 0 ||
        ydoc_read_str(map, "variant", &r->variant, err) != 0 ||
        ydoc_read_str(map, "baseline", &r->baseline, err) != 0 ||
        ydoc_read_str(map, "title", &r->title, err) != 0 ||
        ydoc_read_i64(map, "point", 1, 1000000, &point, err) != 0 ||
        ydoc_read_i64(map, "requests", 1, 200, &r->requests, err) != 0 ||
        ydoc_read_f64(map, "from_s", RANGE_NONNEGATIVE, &r->from_s, err) != 0)
        return -1;
    r->point = (size_t)point;
    if ((where = ydoc_get(map, "where")) == NULL)
        return 0;
    if (ydoc_expect(where, YDOC_MAP, err) != 0)
        return -1;
    size_t n = ydoc_len(where);
    r->where_keys = calloc(n ? n : 1, sizeof r->where_keys[0]);
    r->where_values = calloc(n ? n : 1, sizeof r->where_values[0]);
    if (!r->where_keys || !r->where_values)
        return plot_oom(err);
    for (; r->n_where < n; r->n_where++) {
        struct ydoc_node *value = ydoc_entry_value(where, r->n_where);
        if (ydoc_kind(value) != YDOC_SCALAR)
            return ydoc_error(value, err, "expected one value, got %s",
                              ydoc_kind_name(ydoc_kind(value)));
        r->where_keys[r->n_where] = ydoc_entry_key(where, r->n_where);
        r->where_values[r->n_where] = ydoc_text(value);
    }
    return 0;
}

int plot_list_load(struct plot_list *l, struct ydoc_node *list, struct error *err)
{
    memset(l, 0, sizeof *l);
    if (!list)
        return 0;
    if (ydoc_expect(list, YDOC_SEQ, err) != 0)
        return -1;
    if (ydoc_len(list) == 0)
        return 0;
    if (!(l->items = calloc(ydoc_len(list), sizeof l->items[0])))
        return plot_oom(err);
    for (; l->n < ydoc_len(list); l->n++)
        if (plot_request_load(&l->items[l->n], ydoc_item(list, l->n), err) != 0) {
            l->n++;
            return -1;
        }
    return 0;
}

void plot_list_free(struct plot_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        plot_request_free(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* --- checks --- */

/* An error at the request's `key` (or at the request, or unlocated from the command line). */
static int plot_error(const struct plot_request *r, const char *key, struct error *err,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int plot_error(const struct plot_request *r, const char *key, struct error *err,
                      const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!r->node)
        return error_set(err, NULL, 0, 0, NULL, "--%s: %s", key, msg);
    struct ydoc_node *at = ydoc_get(r->node, key);
    return ydoc_error(at ? at : r->node, err, "%s", msg);
}

static int plot_check_name(const struct plot_request *r, const char *key, const char *name,
                           const char *what, const char *const *names, size_t n, struct error *err)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 0;
    const char *close = suggest_closest(name, names, n);
    return plot_error(r, key, err, "'%s' is not %s%s%s%s", name, what,
                      close ? " (did you mean '" : "", close ? close : "", close ? "'?)" : "");
}

static int plot_check_metric(const struct plot_request *r, const char *key, const char *name,
                             struct error *err)
{
    if (metric_find(name) >= 0)
        return 0;
    size_t n = 0;
    while (metric_info(n).name[0])
        n++;
    struct metric_info *infos = calloc(n, sizeof infos[0]);
    const char **names = calloc(n, sizeof names[0]);
    int rc = -1;
    if (infos && names) {
        for (size_t i = 0; i < n; i++) {
            infos[i] = metric_info(i);
            names[i] = infos[i].name;
        }
        rc = plot_check_name(r, key, name, "a metric (the rows of summary.csv)", names, n, err);
    } else {
        plot_oom(err);
    }
    free(infos);
    free(names);
    return rc;
}

static bool plot_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

int plot_check(const struct plot_request *r, const char *const *axis_keys, size_t n_axes,
               const char *const *variants, size_t n_variants, struct error *err)
{
    const struct plot_kind *kind = r->kind ? plot_kind_find(r->kind) : NULL;
    if (!kind) {
        const char *names[16];
        size_t n = plot_kind_count();
        for (size_t i = 0; i < n && i < 16; i++)
            names[i] = plot_kind_at(i)->name;
        const char *close = r->kind ? suggest_closest(r->kind, names, n) : NULL;
        return plot_error(r, "kind", err, "unknown chart kind '%s': expected one of %s%s%s%s",
                          r->kind ? r->kind : "", plot_kind_names(),
                          close ? " (did you mean '" : "", close ? close : "", close ? "'?)" : "");
    }
    if (!r->output || !(plot_ends_with(r->output, ".png") || plot_ends_with(r->output, ".svg")))
        return plot_error(r, "output", err, "the image must be a file ending in .png or .svg");
    if (r->node && (r->output[0] == '/' || strstr(r->output, "..")))
        return plot_error(r, "output", err,
                          "a sweep's chart goes inside its output directory: a relative path "
                          "without ..");
    if (kind->needs & PLOT_NEEDS_METRIC) {
        if (!r->metric)
            return plot_error(r, "metric", err, "a %s chart needs a metric", kind->name);
        if (plot_check_metric(r, "metric", r->metric, err) != 0)
            return -1;
    }
    if (kind->needs & PLOT_NEEDS_XY_METRIC) {
        if (!r->x || !r->y)
            return plot_error(r, r->x ? "y" : "x", err,
                              "a %s chart needs two metrics, x and y (such as "
                              "cost_usd_per_req and accuracy)",
                              kind->name);
        if (plot_check_metric(r, "x", r->x, err) != 0 || plot_check_metric(r, "y", r->y, err) != 0)
            return -1;
    }
    if (kind->needs & (PLOT_NEEDS_X_AXIS | PLOT_NEEDS_Y_AXIS)) {
        if (n_axes == 0)
            return plot_error(r, "kind", err, "a %s chart needs a sweep", kind->name);
        bool need_x = (kind->needs & PLOT_NEEDS_Y_AXIS) != 0; /* heatmap: both required */
        if (need_x && (!r->x || !r->y))
            return plot_error(r, r->x ? "y" : "x", err, "a %s chart needs two swept keys, x and y",
                              kind->name);
        if (r->x && plot_check_name(r, "x", r->x, "a swept key", axis_keys, n_axes, err) != 0)
            return -1;
        if ((kind->needs & PLOT_NEEDS_Y_AXIS) &&
            plot_check_name(r, "y", r->y, "a swept key", axis_keys, n_axes, err) != 0)
            return -1;
        if ((kind->needs & PLOT_NEEDS_Y_AXIS) && strcmp(r->x, r->y) == 0)
            return plot_error(r, "y", err, "x and y must be different swept keys");
    }
    for (size_t w = 0; w < r->n_where; w++)
        if (plot_check_name(r, "where", r->where_keys[w], "a swept key", axis_keys, n_axes, err) !=
            0)
            return -1;
    if (variants && r->variant &&
        plot_check_name(r, "variant", r->variant, "a variant", variants, n_variants, err) != 0)
        return -1;
    if (variants && r->baseline &&
        plot_check_name(r, "baseline", r->baseline, "a variant", variants, n_variants, err) != 0)
        return -1;
    return 0;
}

bool plot_point_selected(const struct plot_request *r, const struct sweep_table *t, size_t p)
{
    if (t->points[p].status != SWEEP_POINT_DONE)
        return false;
    if (r->point && t->points[p].number != r->point)
        return false;
    for (size_t w = 0; w < r->n_where; w++) {
        long a = sweep_table_axis(t, r->where_keys[w]);
        if (a < 0 || !sweep_table_value_matches(sweep_table_point_value(t, p, (size_t)a),
                                                r->where_values[w]))
            return false;
    }
    return true;
}

/* --- drawing --- */

/* Where the templates live: $HAISIM_PLOTS_DIR, else the source tree's plots/. */
static const char *plot_templates_dir(void)
{
    const char *dir = getenv("HAISIM_PLOTS_DIR");
    return dir && *dir ? dir : HAISIM_PLOTS_DIR;
}

int plot_write_script(const char *dir, const char *name, const char *template_name,
                      const char *header, struct error *err)
{
    char template_path[1200];
    snprintf(template_path, sizeof template_path, "%s/%s.gp", plot_templates_dir(), template_name);
    FILE *in = fopen(template_path, "r");
    if (!in)
        return error_set(err, template_path, 0, 0, NULL,
                         "chart template not found (set HAISIM_PLOTS_DIR to haisim's plots/)");
    struct outfile out;
    if (outfile_open(&out, dir, name, err) != 0) {
        fclose(in);
        return -1;
    }
    fputs(header, out.f);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out.f);
    int failed = ferror(in);
    fclose(in);
    if (failed) {
        outfile_abort(&out);
        return error_set(err, template_path, 0, 0, NULL, "cannot read the chart template");
    }
    return outfile_commit(&out, err);
}

int plot_draw(const struct plot_request *r, const struct sweep_table *t, const char *results_dir,
              struct error *err)
{
    const struct plot_kind *kind = plot_kind_find(r->kind);
    if (!kind)
        return error_set(err, NULL, 0, 0, NULL, "unknown chart kind '%s'", r->kind);
    if ((kind->needs & PLOT_NEEDS_TABLE) && !t)
        return error_set(err, results_dir, 0, 0, NULL,
                         "a %s chart is drawn from a sweep's results (haisim sweep -o DIR)",
                         kind->name);
    /* OUTPUT = DIR/BASE.EXT: the data and script go beside the image. */
    char dir[1024], base[256], data_name[300], script_name[300], image_name[300];
    const char *slash = strrchr(r->output, '/');
    const char *file = slash ? slash + 1 : r->output;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - r->output), r->output);
    else
        snprintf(dir, sizeof dir, ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    bool svg = plot_ends_with(file, ".svg");
    snprintf(base, sizeof base, "%.*s", (int)(strlen(file) - 4), file);
    snprintf(data_name, sizeof data_name, "%s.dat", base);
    snprintf(script_name, sizeof script_name, "%s.gp", base);
    snprintf(image_name, sizeof image_name, "%s", file);
    if (outfile_mkdirs(dir, err) != 0)
        return -1;

    struct plot_vars vars = {0};
    struct outfile data;
    if (outfile_open(&data, dir, data_name, err) != 0)
        return -1;
    plot_vars_printf(&vars,
                     "# Written by haisim (chart kind %s): these variables, then the "
                     "template plots/%s.gp.\n",
                     kind->name, kind->template_name);
    plot_vars_str(&vars, "datafile", data_name);
    plot_vars_str(&vars, "outfile", image_name);
    plot_vars_str(&vars, "terminal_name", svg ? "svg" : "pngcairo");
    plot_vars_str(&vars, "terminal_size", kind->size);
    if (kind->write(r, t, results_dir, data.f, &vars, err) != 0) {
        outfile_abort(&data);
        plot_vars_free(&vars);
        return -1;
    }
    if (r->title)
        plot_vars_str(&vars, "chart_title", r->title);
    plot_vars_printf(&vars, "\n");
    int rc = outfile_commit(&data, err);
    if (rc == 0 && vars.oom)
        rc = plot_oom(err);
    if (rc == 0)
        rc = plot_write_script(dir, script_name, kind->template_name, vars.s, err);
    plot_vars_free(&vars);
    if (rc != 0)
        return -1;
    enum gnuplot_status st = gnuplot_run(dir, script_name, err);
    if (st == GNUPLOT_FAILED) {
        /* Never leave a half-drawn image behind. */
        char image[1400];
        snprintf(image, sizeof image, "%s/%s", dir, image_name);
        unlink(image);
    }
    return st == GNUPLOT_OK ? 0 : st == GNUPLOT_MISSING ? 1 : -1;
}
