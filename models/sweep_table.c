/* sweep_table: results of a sweep as a table, and its CSV files (see sweep_table.h). */
#include "sweep_table.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "metrics.h"

static const char *const sweep_table_family_names[] = {
#define SWEEP_TABLE_FAMILY(id, name, desc) name,
    METRIC_LATENCIES(SWEEP_TABLE_FAMILY)
#undef SWEEP_TABLE_FAMILY
};

static int sweep_table_oom(struct error *err)
{
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

static char *sweep_strdup(const char *s)
{
    return strdup(s ? s : "");
}

static void sweep_free_strings(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

int sweep_table_init(struct sweep_table *t, const char *name, const struct sweep_table_axis *axes,
                     size_t n_axes, size_t n_points, struct error *err)
{
    memset(t, 0, sizeof *t);
    size_t n_metrics = 0;
    while (metric_info(n_metrics).name[0])
        n_metrics++;
    t->name = sweep_strdup(name);
    t->axes = calloc(n_axes ? n_axes : 1, sizeof t->axes[0]);
    t->points = calloc(n_points ? n_points : 1, sizeof t->points[0]);
    t->metrics = calloc(n_metrics, sizeof t->metrics[0]);
    t->n_families = sizeof sweep_table_family_names / sizeof sweep_table_family_names[0];
    t->families = calloc(t->n_families, sizeof t->families[0]);
    if (!t->name || !t->axes || !t->points || !t->metrics || !t->families)
        goto oom;
    t->n_axes = n_axes;
    for (size_t a = 0; a < n_axes; a++) {
        struct sweep_table_axis *dst = &t->axes[a];
        const struct sweep_table_axis *src = &axes[a];
        dst->key = sweep_strdup(src->key);
        dst->label = sweep_strdup(src->label);
        dst->log_scale = src->log_scale;
        dst->values = calloc(src->n_values ? src->n_values : 1, sizeof dst->values[0]);
        if (!dst->key || !dst->label || !dst->values)
            goto oom;
        for (; dst->n_values < src->n_values; dst->n_values++)
            if (!(dst->values[dst->n_values] = sweep_strdup(src->values[dst->n_values])))
                goto oom;
    }
    t->n_points = n_points;
    for (size_t p = 0; p < n_points; p++) {
        t->points[p].number = p + 1;
        if (!(t->points[p].value_index = calloc(n_axes ? n_axes : 1, sizeof(size_t))))
            goto oom;
    }
    for (; t->n_metrics < n_metrics; t->n_metrics++)
        if (!(t->metrics[t->n_metrics] = sweep_strdup(metric_info(t->n_metrics).name)))
            goto oom;
    for (size_t i = 0; i < t->n_families; i++)
        if (!(t->families[i] = sweep_strdup(sweep_table_family_names[i])))
            goto oom;
    return 0;
oom:
    sweep_table_free(t);
    return sweep_table_oom(err);
}

void sweep_table_free(struct sweep_table *t)
{
    for (size_t a = 0; t->axes && a < t->n_axes; a++) {
        free(t->axes[a].key);
        free(t->axes[a].label);
        sweep_free_strings(t->axes[a].values, t->axes[a].n_values);
    }
    free(t->axes);
    for (size_t p = 0; t->points && p < t->n_points; p++) {
        free(t->points[p].error);
        free(t->points[p].value_index);
    }
    free(t->points);
    sweep_free_strings(t->variants, t->n_variants);
    sweep_free_strings(t->metrics, t->n_metrics);
    sweep_free_strings(t->families, t->n_families);
    free(t->name);
    free(t->reps);
    free(t->values);
    free(t->cdf);
    memset(t, 0, sizeof *t);
}

/* --- layout --- */

static size_t sweep_table_value_at(const struct sweep_table *t, size_t point, size_t variant,
                                   size_t rep, size_t metric)
{
    return ((point * t->n_variants + variant) * t->n_reps + rep) * t->n_metrics + metric;
}

static size_t sweep_table_cdf_at(const struct sweep_table *t, size_t point, size_t variant,
                                 size_t family)
{
    return ((point * t->n_variants + variant) * t->n_families + family) * SWEEP_TABLE_CDF_POINTS;
}

/* Grows the dense arrays to n_variants × n_reps, keeping what they hold (new cells NaN). */
static int sweep_table_reshape(struct sweep_table *t, size_t n_variants, size_t n_reps,
                               struct error *err)
{
    if (n_variants <= t->n_variants && n_reps <= t->n_reps)
        return 0;
    if (n_variants < t->n_variants)
        n_variants = t->n_variants;
    if (n_reps < t->n_reps)
        n_reps = t->n_reps;
    size_t np = t->n_points ? t->n_points : 1;
    size_t n_values = np * n_variants * n_reps * t->n_metrics;
    size_t n_cdf = np * n_variants * t->n_families * SWEEP_TABLE_CDF_POINTS;
    double *values = malloc(n_values * sizeof values[0]);
    double *cdf = malloc(n_cdf * sizeof cdf[0]);
    size_t *reps = calloc(np * n_variants, sizeof reps[0]);
    if (!values || !cdf || !reps) {
        free(values);
        free(cdf);
        free(reps);
        return sweep_table_oom(err);
    }
    for (size_t i = 0; i < n_values; i++)
        values[i] = NAN;
    for (size_t i = 0; i < n_cdf; i++)
        cdf[i] = NAN;
    struct sweep_table grown = *t;
    grown.n_variants = n_variants;
    grown.n_reps = n_reps;
    for (size_t p = 0; p < t->n_points; p++)
        for (size_t v = 0; v < t->n_variants; v++) {
            reps[p * n_variants + v] = t->reps[p * t->n_variants + v];
            for (size_t r = 0; r < t->n_reps; r++)
                memcpy(&values[sweep_table_value_at(&grown, p, v, r, 0)],
                       &t->values[sweep_table_value_at(t, p, v, r, 0)],
                       t->n_metrics * sizeof values[0]);
            memcpy(&cdf[sweep_table_cdf_at(&grown, p, v, 0)],
                   &t->cdf[sweep_table_cdf_at(t, p, v, 0)],
                   t->n_families * SWEEP_TABLE_CDF_POINTS * sizeof cdf[0]);
        }
    free(t->values);
    free(t->cdf);
    free(t->reps);
    t->values = values;
    t->cdf = cdf;
    t->reps = reps;
    t->n_variants = n_variants;
    t->n_reps = n_reps;
    return 0;
}

/* Index of the named variant, added (and the table grown) when new; -1 on out of memory. */
static long sweep_table_add_variant(struct sweep_table *t, const char *name, struct error *err)
{
    long v = sweep_table_variant(t, name);
    if (v >= 0)
        return v;
    char **grown = realloc(t->variants, (t->n_variants + 1) * sizeof grown[0]);
    if (!grown)
        return sweep_table_oom(err);
    t->variants = grown;
    /* Reshape first (it reads the old n_variants), then name the new slot. */
    size_t n = t->n_variants;
    if (sweep_table_reshape(t, n + 1, t->n_reps ? t->n_reps : 1, err) != 0)
        return -1;
    if (!(t->variants[n] = sweep_strdup(name))) {
        t->n_variants = n;
        return sweep_table_oom(err);
    }
    return (long)n;
}

int sweep_table_store(struct sweep_table *t, size_t point, const struct experiment *ex,
                      const struct experiment_results *res, struct error *err)
{
    if (point >= t->n_points)
        return error_set(err, NULL, 0, 0, NULL, "point %zu is outside the table", point + 1);
    if (sweep_table_reshape(t, t->n_variants, res->n_reps, err) != 0)
        return -1;
    for (size_t v = 0; v < res->n_variants; v++) {
        long tv = sweep_table_add_variant(t, ex->variants[v].name, err);
        if (tv < 0)
            return -1;
        t->reps[point * t->n_variants + (size_t)tv] = res->n_reps;
        for (size_t r = 0; r < res->n_reps; r++) {
            const double *src = experiment_value(res, v, r);
            double *dst = &t->values[sweep_table_value_at(t, point, (size_t)tv, r, 0)];
            for (size_t m = 0; m < t->n_metrics; m++)
                dst[m] = src[m];
        }
        for (size_t fam = 0; fam < t->n_families; fam++)
            memcpy(&t->cdf[sweep_table_cdf_at(t, point, (size_t)tv, fam)],
                   experiment_cdf(res, v, fam), SWEEP_TABLE_CDF_POINTS * sizeof(double));
    }
    t->points[point].status = SWEEP_POINT_DONE;
    return 0;
}

/* --- queries --- */

double sweep_table_value(const struct sweep_table *t, size_t point, size_t variant, size_t rep,
                         size_t metric)
{
    if (point >= t->n_points || variant >= t->n_variants || rep >= t->n_reps ||
        metric >= t->n_metrics)
        return NAN;
    return t->values[sweep_table_value_at(t, point, variant, rep, metric)];
}

struct stats_ci sweep_table_ci(const struct sweep_table *t, size_t point, size_t variant,
                               size_t metric)
{
    double xs[256], *buf = t->n_reps <= 256 ? xs : malloc(t->n_reps * sizeof buf[0]);
    if (!buf)
        return (struct stats_ci){NAN, NAN, 0};
    size_t n = 0;
    for (size_t r = 0; r < t->n_reps; r++) {
        double x = sweep_table_value(t, point, variant, r, metric);
        if (!isnan(x))
            buf[n++] = x;
    }
    struct stats_ci ci = n ? stats_ci95(buf, n) : (struct stats_ci){NAN, NAN, 0};
    if (buf != xs)
        free(buf);
    return ci;
}

static long sweep_find(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

long sweep_table_metric(const struct sweep_table *t, const char *name)
{
    return sweep_find(t->metrics, t->n_metrics, name);
}

long sweep_table_variant(const struct sweep_table *t, const char *name)
{
    return sweep_find(t->variants, t->n_variants, name);
}

long sweep_table_family(const struct sweep_table *t, const char *name)
{
    return sweep_find(t->families, t->n_families, name);
}

long sweep_table_axis(const struct sweep_table *t, const char *key)
{
    for (size_t a = 0; a < t->n_axes; a++)
        if (strcmp(t->axes[a].key, key) == 0)
            return (long)a;
    return -1;
}

const char *sweep_table_point_value(const struct sweep_table *t, size_t point, size_t axis)
{
    return t->axes[axis].values[t->points[point].value_index[axis]];
}

void sweep_table_describe(const struct sweep_table *t, size_t point, char *buf, size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < t->n_axes && pos < len; a++) {
        const char *key = t->axes[a].key, *dot = strrchr(key, '.');
        int n = snprintf(buf + pos, len - pos, "%s%s=%s", a ? ", " : "", dot ? dot + 1 : key,
                         sweep_table_point_value(t, point, a));
        pos += n > 0 ? (size_t)n : 0;
    }
}

bool sweep_table_value_matches(const char *axis_text, const char *want)
{
    char *end_a, *end_b;
    double a = strtod(axis_text, &end_a), b = strtod(want, &end_b);
    if (*axis_text && *want && !*end_a && !*end_b)
        return a == b;
    size_t n = strlen(axis_text);
    if (n >= 2 && axis_text[0] == '"' && axis_text[n - 1] == '"') {
        /* Undo the quoting: \" and \\ are the escapes the sweep writes (and \n). */
        const char *s = axis_text + 1, *end = axis_text + n - 1, *w = want;
        for (; s < end; s++, w++) {
            char c = *s;
            if (c == '\\' && s + 1 < end) {
                c = *++s == 'n' ? '\n' : *s;
            }
            if (c != *w)
                return false;
        }
        return *w == '\0';
    }
    return strcmp(axis_text, want) == 0;
}

const char *sweep_table_unit(const char *metric)
{
    long m = metric_find(metric);
    return m < 0 ? "" : metric_info((size_t)m).unit;
}

/* --- numbers and CSV fields --- */

void sweep_format_double(char *buf, size_t len, double x)
{
    if (isnan(x)) {
        snprintf(buf, len, "%s", "");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, len, "%s", x > 0 ? "inf" : "-inf");
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* A number field: the shortest exact text, or %.10g for aggregates; empty for NaN. */
static void sweep_csv_number(FILE *f, double x, bool exact)
{
    char buf[64];
    if (isnan(x))
        return;
    if (exact)
        sweep_format_double(buf, sizeof buf, x);
    else
        snprintf(buf, sizeof buf, "%.10g", x);
    fputs(buf, f);
}

/* "point,<axis keys>," */
static void sweep_table_header_prefix(FILE *f, const struct sweep_table *t)
{
    fputs("point,", f);
    for (size_t a = 0; a < t->n_axes; a++) {
        csv_write_field(f, t->axes[a].key);
        fputc(',', f);
    }
}

/* "N,<axis values>,variant," */
static void sweep_table_row_prefix(FILE *f, const struct sweep_table *t, size_t p, size_t v)
{
    fprintf(f, "%zu,", t->points[p].number);
    for (size_t a = 0; a < t->n_axes; a++) {
        csv_write_field(f, sweep_table_point_value(t, p, a));
        fputc(',', f);
    }
    csv_write_field(f, t->variants[v]);
    fputc(',', f);
}

int sweep_table_write_results(FILE *f, const struct sweep_table *t, size_t first, size_t last,
                              bool header)
{
    if (header) {
        sweep_table_header_prefix(f, t);
        fputs("variant,replication", f);
        for (size_t m = 0; m < t->n_metrics; m++)
            fprintf(f, ",%s", t->metrics[m]);
        fputc('\n', f);
    }
    for (size_t p = first; p <= last && p < t->n_points; p++) {
        if (t->points[p].status != SWEEP_POINT_DONE)
            continue;
        for (size_t v = 0; v < t->n_variants; v++)
            for (size_t r = 0; r < t->reps[p * t->n_variants + v]; r++) {
                sweep_table_row_prefix(f, t, p, v);
                fprintf(f, "%zu", r + 1);
                for (size_t m = 0; m < t->n_metrics; m++) {
                    fputc(',', f);
                    sweep_csv_number(f, sweep_table_value(t, p, v, r, m), true);
                }
                fputc('\n', f);
            }
    }
    return ferror(f) ? -1 : 0;
}

int sweep_table_write_cdf(FILE *f, const struct sweep_table *t, size_t first, size_t last,
                          bool header)
{
    if (header) {
        sweep_table_header_prefix(f, t);
        fputs("variant,p", f);
        for (size_t fam = 0; fam < t->n_families; fam++)
            fprintf(f, ",%s", t->families[fam]);
        fputc('\n', f);
    }
    for (size_t p = first; p <= last && p < t->n_points; p++) {
        if (t->points[p].status != SWEEP_POINT_DONE)
            continue;
        for (size_t v = 0; v < t->n_variants; v++) {
            if (t->reps[p * t->n_variants + v] == 0)
                continue;
            for (size_t k = 0; k < SWEEP_TABLE_CDF_POINTS; k++) {
                sweep_table_row_prefix(f, t, p, v);
                fprintf(f, "%.2f", (double)(k + 1) / SWEEP_TABLE_CDF_POINTS);
                for (size_t fam = 0; fam < t->n_families; fam++) {
                    fputc(',', f);
                    sweep_csv_number(f, t->cdf[sweep_table_cdf_at(t, p, v, fam) + k], true);
                }
                fputc('\n', f);
            }
        }
    }
    return ferror(f) ? -1 : 0;
}

int sweep_table_write_aggregate(FILE *f, const struct sweep_table *t, bool header)
{
    if (header) {
        sweep_table_header_prefix(f, t);
        fputs("variant,metric,unit,mean,ci95_half_width,replications\n", f);
    }
    for (size_t p = 0; p < t->n_points; p++) {
        if (t->points[p].status != SWEEP_POINT_DONE)
            continue;
        for (size_t v = 0; v < t->n_variants; v++) {
            if (t->reps[p * t->n_variants + v] == 0)
                continue;
            for (size_t m = 0; m < t->n_metrics; m++) {
                struct stats_ci ci = sweep_table_ci(t, p, v, m);
                sweep_table_row_prefix(f, t, p, v);
                fprintf(f, "%s,%s,", t->metrics[m], sweep_table_unit(t->metrics[m]));
                sweep_csv_number(f, ci.mean, false);
                fputc(',', f);
                if (ci.n > 1)
                    sweep_csv_number(f, ci.half_width, false);
                fprintf(f, ",%zu\n", ci.n);
            }
        }
    }
    return ferror(f) ? -1 : 0;
}

/* --- reading --- */

int sweep_csv_open(struct sweep_csv *c, const char *path, struct error *err)
{
    memset(c, 0, sizeof *c);
    if (!(c->f = fopen(path, "r")))
        return error_set(err, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
    return 0;
}

void sweep_csv_close(struct sweep_csv *c)
{
    if (c->f)
        fclose(c->f);
    free(c->buf);
    free(c->starts);
    memset(c, 0, sizeof *c);
}

static int sweep_csv_put(struct sweep_csv *c, char ch)
{
    if (c->len + 1 >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        char *grown = realloc(c->buf, cap);
        if (!grown)
            return -1;
        c->buf = grown;
        c->cap = cap;
    }
    c->buf[c->len++] = ch;
    return 0;
}

/* Ends the current field and starts the next one at c->len. */
static int sweep_csv_new_field(struct sweep_csv *c)
{
    if (c->n_fields == c->cap_fields) {
        size_t cap = c->cap_fields ? c->cap_fields * 2 : 64;
        size_t *grown = realloc(c->starts, cap * sizeof grown[0]);
        if (!grown)
            return -1;
        c->starts = grown;
        c->cap_fields = cap;
    }
    c->starts[c->n_fields++] = c->len;
    return 0;
}

int sweep_csv_next(struct sweep_csv *c, const char *path, struct error *err)
{
    c->len = 0;
    c->n_fields = 0;
    c->line++;
    size_t row_line = c->line;
    int ch = getc(c->f);
    if (ch == EOF)
        return 0;
    if (sweep_csv_new_field(c) != 0)
        return sweep_table_oom(err);
    bool quoted = false, was_quoted = false;
    for (;; ch = getc(c->f)) {
        if (ch == EOF && quoted)
            return error_set(err, path, (int)row_line, 0, NULL, "unterminated quoted field");
        if (ch == EOF || (!quoted && ch == '\n'))
            break;
        if (quoted) {
            if (ch == '"') {
                int next = getc(c->f);
                if (next != '"') {
                    quoted = false;
                    ungetc(next, c->f);
                    continue;
                }
            } else if (ch == '\n') {
                c->line++;
            }
        } else if (ch == '"' && !was_quoted && c->len == c->starts[c->n_fields - 1]) {
            quoted = was_quoted = true;
            continue;
        } else if (ch == ',') {
            if (sweep_csv_put(c, '\0') != 0 || sweep_csv_new_field(c) != 0)
                return sweep_table_oom(err);
            was_quoted = false;
            continue;
        } else if (ch == '\r') {
            continue;
        }
        if (sweep_csv_put(c, (char)ch) != 0)
            return sweep_table_oom(err);
    }
    if (sweep_csv_put(c, '\0') != 0)
        return sweep_table_oom(err);
    return 1;
}

const char *sweep_csv_get(const struct sweep_csv *c, size_t i)
{
    return i < c->n_fields ? c->buf + c->starts[i] : "";
}

/* A number field: empty is NaN; anything else must be a whole number text. */
static int sweep_parse_number(const char *s, double *out)
{
    if (!*s) {
        *out = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return *end ? -1 : 0;
}

static int sweep_parse_index(const char *s, size_t lo, size_t hi, size_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Checks a header row: the prefix columns, then `names` after `tail` fixed columns. */
static int sweep_table_check_header(const struct sweep_table *t, const struct sweep_csv *c,
                                    const char *const *tail, size_t n_tail, char *const *names,
                                    size_t n_names, const char *path, struct error *err)
{
    size_t want = 1 + t->n_axes + n_tail + n_names, i = 0;
    bool ok = c->n_fields == want && strcmp(sweep_csv_get(c, i++), "point") == 0;
    for (size_t a = 0; ok && a < t->n_axes; a++)
        ok = strcmp(sweep_csv_get(c, i++), t->axes[a].key) == 0;
    for (size_t k = 0; ok && k < n_tail; k++)
        ok = strcmp(sweep_csv_get(c, i++), tail[k]) == 0;
    for (size_t k = 0; ok && k < n_names; k++)
        ok = strcmp(sweep_csv_get(c, i++), names[k]) == 0;
    if (!ok)
        return error_set(err, path, 1, 0, NULL,
                         "the columns are not those this sweep writes (a file from another sweep "
                         "or another version of haisim?)");
    return 0;
}

/* The point a row belongs to, checked against the sweep's axis values. */
static int sweep_table_row_point(const struct sweep_table *t, const struct sweep_csv *c,
                                 const char *path, size_t *point, struct error *err)
{
    size_t number;
    if (sweep_parse_index(sweep_csv_get(c, 0), 1, t->n_points, &number) != 0)
        return error_set(err, path, (int)c->line, 0, NULL,
                         "point '%s' is not a point of this sweep (1 to %zu)", sweep_csv_get(c, 0),
                         t->n_points);
    *point = number - 1;
    for (size_t a = 0; a < t->n_axes; a++)
        if (strcmp(sweep_csv_get(c, 1 + a), sweep_table_point_value(t, *point, a)) != 0)
            return error_set(err, path, (int)c->line, 0, NULL,
                             "point %zu has %s = '%s' here but '%s' in the sweep (results of "
                             "another sweep?)",
                             number, t->axes[a].key, sweep_csv_get(c, 1 + a),
                             sweep_table_point_value(t, *point, a));
    return 0;
}

int sweep_table_read_results(struct sweep_table *t, const char *path, struct error *err)
{
    static const char *const tail[] = {"variant", "replication"};
    struct sweep_csv c;
    if (sweep_csv_open(&c, path, err) != 0)
        return -1;
    int rc = sweep_csv_next(&c, path, err);
    if (rc == 0)
        rc = error_set(err, path, 0, 0, NULL, "empty file");
    if (rc > 0)
        rc = sweep_table_check_header(t, &c, tail, 2, t->metrics, t->n_metrics, path, err);
    size_t base = 1 + t->n_axes;
    while (rc == 0 && (rc = sweep_csv_next(&c, path, err)) > 0) {
        size_t p, rep;
        rc = -1;
        if (c.n_fields != base + 2 + t->n_metrics) {
            error_set(err, path, (int)c.line, 0, NULL, "expected %zu fields, found %zu",
                      base + 2 + t->n_metrics, c.n_fields);
            break;
        }
        if (sweep_table_row_point(t, &c, path, &p, err) != 0)
            break;
        if (sweep_parse_index(sweep_csv_get(&c, base + 1), 1, 100000000, &rep) != 0) {
            error_set(err, path, (int)c.line, 0, NULL, "bad replication '%s'",
                      sweep_csv_get(&c, base + 1));
            break;
        }
        long v = sweep_table_add_variant(t, sweep_csv_get(&c, base), err);
        if (v < 0 || sweep_table_reshape(t, t->n_variants, rep, err) != 0)
            break;
        double *dst = &t->values[sweep_table_value_at(t, p, (size_t)v, rep - 1, 0)];
        size_t m = 0;
        for (; m < t->n_metrics; m++)
            if (sweep_parse_number(sweep_csv_get(&c, base + 2 + m), &dst[m]) != 0)
                break;
        if (m < t->n_metrics) {
            error_set(err, path, (int)c.line, 0, NULL, "%s: not a number: '%s'", t->metrics[m],
                      sweep_csv_get(&c, base + 2 + m));
            break;
        }
        size_t *reps = &t->reps[p * t->n_variants + (size_t)v];
        if (*reps < rep)
            *reps = rep;
        t->points[p].status = SWEEP_POINT_DONE;
        rc = 0;
    }
    sweep_csv_close(&c);
    return rc < 0 ? -1 : 0;
}

int sweep_table_read_cdf(struct sweep_table *t, const char *path, struct error *err)
{
    static const char *const tail[] = {"variant", "p"};
    struct sweep_csv c;
    if (sweep_csv_open(&c, path, err) != 0)
        return -1;
    int rc = sweep_csv_next(&c, path, err);
    if (rc == 0)
        rc = error_set(err, path, 0, 0, NULL, "empty file");
    if (rc > 0)
        rc = sweep_table_check_header(t, &c, tail, 2, t->families, t->n_families, path, err);
    size_t base = 1 + t->n_axes;
    while (rc == 0 && (rc = sweep_csv_next(&c, path, err)) > 0) {
        size_t p;
        double prob;
        rc = -1;
        if (c.n_fields != base + 2 + t->n_families) {
            error_set(err, path, (int)c.line, 0, NULL, "expected %zu fields, found %zu",
                      base + 2 + t->n_families, c.n_fields);
            break;
        }
        if (sweep_table_row_point(t, &c, path, &p, err) != 0)
            break;
        long k = -1;
        if (sweep_parse_number(sweep_csv_get(&c, base + 1), &prob) == 0 && !isnan(prob))
            k = lround(prob * SWEEP_TABLE_CDF_POINTS) - 1;
        if (k < 0 || k >= SWEEP_TABLE_CDF_POINTS) {
            error_set(err, path, (int)c.line, 0, NULL, "bad probability '%s'",
                      sweep_csv_get(&c, base + 1));
            break;
        }
        long v = sweep_table_add_variant(t, sweep_csv_get(&c, base), err);
        if (v < 0)
            break;
        size_t fam = 0;
        for (; fam < t->n_families; fam++) {
            double *dst = &t->cdf[sweep_table_cdf_at(t, p, (size_t)v, fam) + (size_t)k];
            if (sweep_parse_number(sweep_csv_get(&c, base + 2 + fam), dst) != 0)
                break;
        }
        if (fam < t->n_families) {
            error_set(err, path, (int)c.line, 0, NULL, "%s: not a number: '%s'", t->families[fam],
                      sweep_csv_get(&c, base + 2 + fam));
            break;
        }
        rc = 0;
    }
    sweep_csv_close(&c);
    return rc < 0 ? -1 : 0;
}
