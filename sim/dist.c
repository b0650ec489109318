/* dist: distribution families as a registry of dist_ops tables, parsed from YAML (see dist.h).
 *
 * Parameters are stored as GSL's sampling functions take them (GSL Reference Manual,
 * "Random Number Distributions"); the mean and variance formulas are the standard closed
 * forms (Johnson, Kotz & Balakrishnan, "Continuous Univariate Distributions", 2nd ed.):
 *   constant     p = {value}             mean value, variance 0
 *   uniform      p = {min, max}          gsl_ran_flat(a = min, b = max)
 *   exponential  p = {mean}              gsl_ran_exponential(mu = mean)
 *   normal       p = {mean, sd}          mean + gsl_ran_gaussian(sigma = sd)
 *   lognormal    p = {mu, sigma}         gsl_ran_lognormal(zeta = mu, sigma)
 *   gamma        p = {shape, scale}      gsl_ran_gamma(a = shape, b = scale)
 *   weibull      p = {scale, shape}      gsl_ran_weibull(a = scale, b = shape)
 *   pareto       p = {shape, scale}      gsl_ran_pareto(a = shape, b = scale = x_m)
 *   empirical    p = {mean, variance}    of the owned values, each equally likely
 *
 * dist_parse and the builders overwrite *d without freeing what it held (they initialise);
 * after a failed parse *d is constant 0, so dist_free is always safe. */
#include "dist.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "infile.h"
#include "suggest.h"

/* Distribution parameters must be finite; the open infinite bounds exclude infinities. */
#define DIST_FINITE ((struct range){-INFINITY, INFINITY, true, true})
#define DIST_POSITIVE ((struct range){0.0, INFINITY, true, true})
#define DIST_NONNEGATIVE ((struct range){0.0, INFINITY, false, true})

/* A required parameter: a missing key and a bad value are both errors. */
static int dist_param(struct ydoc_node *n, const char *key, struct range r, double *out,
                      struct error *err)
{
    struct ydoc_node *value;
    if (ydoc_require(n, key, &value, err) != 0)
        return -1;
    return ydoc_read_f64(n, key, r, out, err);
}

/* For families with two parameterisations: *which = 0 when the map gives keys[0] and/or
 * keys[1], 1 when it gives keys[2] and/or keys[3]. Giving keys of both pairs, or none, is an
 * error; a pair given in part is caught by dist_param. */
static int dist_pick_pair(struct ydoc_node *n, const char *const keys[4], int *which,
                          struct error *err)
{
    struct ydoc_node *v[4];
    for (int i = 0; i < 4; i++)
        v[i] = ydoc_get(n, keys[i]);
    bool first = v[0] || v[1], second = v[2] || v[3];
    if (first && second)
        return ydoc_error(v[2] ? v[2] : v[3], err,
                          "give either %s and %s, or %s and %s, not keys of both", keys[0], keys[1],
                          keys[2], keys[3]);
    if (!first && !second)
        return ydoc_error(n, err, "missing parameters: give %s and %s, or %s and %s", keys[0],
                          keys[1], keys[2], keys[3]);
    *which = second;
    return 0;
}

/* --- constant --- */

static int dist_constant_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    return dist_param(n, "value", DIST_FINITE, &d->p[0], err);
}

static double dist_constant_sample(const struct dist *d, gsl_rng *rng)
{
    return d->p[0];
}

static double dist_constant_mean(const struct dist *d)
{
    return d->p[0];
}

static double dist_zero_variance(const struct dist *d)
{
    return 0.0;
}

static const struct dist_ops dist_constant_ops = {
    .name = "constant",
    .parse = dist_constant_parse,
    .sample = dist_constant_sample,
    .mean = dist_constant_mean,
    .variance = dist_zero_variance,
};

/* --- uniform on [min, max) --- */

static int dist_uniform_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    if (dist_param(n, "min", DIST_FINITE, &d->p[0], err) != 0 ||
        dist_param(n, "max", DIST_FINITE, &d->p[1], err) != 0)
        return -1;
    if (!(d->p[0] < d->p[1]))
        return ydoc_error(ydoc_get(n, "max"), err, "max (%g) must be greater than min (%g)",
                          d->p[1], d->p[0]);
    return 0;
}

static double dist_uniform_sample(const struct dist *d, gsl_rng *rng)
{
    return gsl_ran_flat(rng, d->p[0], d->p[1]);
}

static double dist_uniform_mean(const struct dist *d)
{
    return 0.5 * (d->p[0] + d->p[1]);
}

static double dist_uniform_variance(const struct dist *d)
{
    double width = d->p[1] - d->p[0];
    return width * width / 12.0;
}

static const struct dist_ops dist_uniform_ops = {
    .name = "uniform",
    .parse = dist_uniform_parse,
    .sample = dist_uniform_sample,
    .mean = dist_uniform_mean,
    .variance = dist_uniform_variance,
};

/* --- exponential --- */

static int dist_exponential_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    return dist_param(n, "mean", DIST_POSITIVE, &d->p[0], err);
}

static double dist_exponential_sample(const struct dist *d, gsl_rng *rng)
{
    return gsl_ran_exponential(rng, d->p[0]);
}

static double dist_exponential_mean(const struct dist *d)
{
    return d->p[0];
}

static double dist_exponential_variance(const struct dist *d)
{
    return d->p[0] * d->p[0];
}

static const struct dist_ops dist_exponential_ops = {
    .name = "exponential",
    .parse = dist_exponential_parse,
    .sample = dist_exponential_sample,
    .mean = dist_exponential_mean,
    .variance = dist_exponential_variance,
};

/* --- normal --- */

static int dist_normal_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    if (dist_param(n, "mean", DIST_FINITE, &d->p[0], err) != 0 ||
        dist_param(n, "sd", DIST_NONNEGATIVE, &d->p[1], err) != 0)
        return -1;
    return 0;
}

static double dist_normal_sample(const struct dist *d, gsl_rng *rng)
{
    return d->p[0] + gsl_ran_gaussian(rng, d->p[1]);
}

static double dist_normal_mean(const struct dist *d)
{
    return d->p[0];
}

static double dist_normal_variance(const struct dist *d)
{
    return d->p[1] * d->p[1];
}

static const struct dist_ops dist_normal_ops = {
    .name = "normal",
    .parse = dist_normal_parse,
    .sample = dist_normal_sample,
    .mean = dist_normal_mean,
    .variance = dist_normal_variance,
};

/* --- lognormal: ln X ~ Normal(mu, sigma^2) --- */

/* From mean m and coefficient of variation cv: cv^2 = exp(sigma^2) - 1, so
 * sigma^2 = ln(1 + cv^2), and m = exp(mu + sigma^2 / 2), so mu = ln(m) - sigma^2 / 2. */
static void dist_lognormal_from_mean_cv(struct dist *d, double mean, double cv)
{
    double sigma2 = log1p(cv * cv);
    d->p[0] = log(mean) - 0.5 * sigma2;
    d->p[1] = sqrt(sigma2);
}

static int dist_lognormal_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    static const char *const keys[4] = {"mean", "cv", "mu", "sigma"};
    int which;
    if (dist_pick_pair(n, keys, &which, err) != 0)
        return -1;
    if (which == 1) {
        if (dist_param(n, "mu", DIST_FINITE, &d->p[0], err) != 0 ||
            dist_param(n, "sigma", DIST_POSITIVE, &d->p[1], err) != 0)
            return -1;
        return 0;
    }
    double mean, cv;
    if (dist_param(n, "mean", DIST_POSITIVE, &mean, err) != 0 ||
        dist_param(n, "cv", DIST_POSITIVE, &cv, err) != 0)
        return -1;
    dist_lognormal_from_mean_cv(d, mean, cv);
    return 0;
}

static double dist_lognormal_sample(const struct dist *d, gsl_rng *rng)
{
    return gsl_ran_lognormal(rng, d->p[0], d->p[1]);
}

/* E[X] = exp(mu + sigma^2 / 2). */
static double dist_lognormal_mean(const struct dist *d)
{
    return exp(d->p[0] + 0.5 * d->p[1] * d->p[1]);
}

/* Var[X] = (exp(sigma^2) - 1) exp(2 mu + sigma^2). */
static double dist_lognormal_variance(const struct dist *d)
{
    double sigma2 = d->p[1] * d->p[1];
    return expm1(sigma2) * exp(2.0 * d->p[0] + sigma2);
}

static const struct dist_ops dist_lognormal_ops = {
    .name = "lognormal",
    .parse = dist_lognormal_parse,
    .sample = dist_lognormal_sample,
    .mean = dist_lognormal_mean,
    .variance = dist_lognormal_variance,
};

/* --- gamma: density x^(k-1) e^(-x/theta) / (Gamma(k) theta^k) --- */

static int dist_gamma_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    static const char *const keys[4] = {"mean", "cv", "shape", "scale"};
    int which;
    if (dist_pick_pair(n, keys, &which, err) != 0)
        return -1;
    if (which == 1) {
        if (dist_param(n, "shape", DIST_POSITIVE, &d->p[0], err) != 0 ||
            dist_param(n, "scale", DIST_POSITIVE, &d->p[1], err) != 0)
            return -1;
        return 0;
    }
    double mean, cv;
    if (dist_param(n, "mean", DIST_POSITIVE, &mean, err) != 0 ||
        dist_param(n, "cv", DIST_POSITIVE, &cv, err) != 0)
        return -1;
    /* mean = k theta and cv^2 = 1 / k, so k = 1 / cv^2 and theta = mean cv^2. */
    d->p[0] = 1.0 / (cv * cv);
    d->p[1] = mean * cv * cv;
    return 0;
}

static double dist_gamma_sample(const struct dist *d, gsl_rng *rng)
{
    return gsl_ran_gamma(rng, d->p[0], d->p[1]);
}

static double dist_gamma_mean(const struct dist *d)
{
    return d->p[0] * d->p[1];
}

static double dist_gamma_variance(const struct dist *d)
{
    return d->p[0] * d->p[1] * d->p[1];
}

static const struct dist_ops dist_gamma_ops = {
    .name = "gamma",
    .parse = dist_gamma_parse,
    .sample = dist_gamma_sample,
    .mean = dist_gamma_mean,
    .variance = dist_gamma_variance,
};

/* --- weibull: P(X > x) = exp(-(x / lambda)^k), p = {lambda, k} --- */

static int dist_weibull_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    if (dist_param(n, "shape", DIST_POSITIVE, &d->p[1], err) != 0 ||
        dist_param(n, "scale", DIST_POSITIVE, &d->p[0], err) != 0)
        return -1;
    return 0;
}

static double dist_weibull_sample(const struct dist *d, gsl_rng *rng)
{
    return gsl_ran_weibull(rng, d->p[0], d->p[1]);
}

/* E[X] = lambda Gamma(1 + 1/k). */
static double dist_weibull_mean(const struct dist *d)
{
    return d->p[0] * tgamma(1.0 + 1.0 / d->p[1]);
}

/* Var[X] = lambda^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2). */
static double dist_weibull_variance(const struct dist *d)
{
    double g1 = tgamma(1.0 + 1.0 / d->p[1]), g2 = tgamma(1.0 + 2.0 / d->p[1]);
    return d->p[0] * d->p[0] * (g2 - g1 * g1);
}

static const struct dist_ops dist_weibull_ops = {
    .name = "weibull",
    .parse = dist_weibull_parse,
    .sample = dist_weibull_sample,
    .mean = dist_weibull_mean,
    .variance = dist_weibull_variance,
};

/* --- pareto (type I): P(X > x) = (x_m / x)^alpha for x >= x_m, p = {alpha, x_m} --- */

static int dist_pareto_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    if (dist_param(n, "shape", DIST_POSITIVE, &d->p[0], err) != 0 ||
        dist_param(n, "scale", DIST_POSITIVE, &d->p[1], err) != 0)
        return -1;
    return 0;
}

static double dist_pareto_sample(const struct dist *d, gsl_rng *rng)
{
    return gsl_ran_pareto(rng, d->p[0], d->p[1]);
}

/* E[X] = alpha x_m / (alpha - 1) for alpha > 1, infinite otherwise. */
static double dist_pareto_mean(const struct dist *d)
{
    double alpha = d->p[0], x_m = d->p[1];
    return alpha > 1.0 ? alpha * x_m / (alpha - 1.0) : INFINITY;
}

/* Var[X] = x_m^2 alpha / ((alpha - 1)^2 (alpha - 2)) for alpha > 2, infinite otherwise. */
static double dist_pareto_variance(const struct dist *d)
{
    double alpha = d->p[0], x_m = d->p[1];
    if (!(alpha > 2.0))
        return INFINITY;
    return x_m * x_m * alpha / ((alpha - 1.0) * (alpha - 1.0) * (alpha - 2.0));
}

static const struct dist_ops dist_pareto_ops = {
    .name = "pareto",
    .parse = dist_pareto_parse,
    .sample = dist_pareto_sample,
    .mean = dist_pareto_mean,
    .variance = dist_pareto_variance,
};

/* --- empirical: each of n values with probability 1/n --- */

/* Takes ownership of values[0..n), n > 0, and stores their mean and (population)
 * variance, computed in two passes for accuracy. */
static void dist_empirical_take(struct dist *d, double *values, size_t n);

/* Finds `column` in the header row; errors at column_node with the columns present. */
static int dist_csv_find_column(char *header, const char *path, const char *column,
                                struct ydoc_node *column_node, size_t *index, struct error *err)
{
    enum { MAX_COLUMNS = 256 };
    char *names[MAX_COLUMNS];
    size_t count = csv_split(header, names, MAX_COLUMNS);
    if (count > MAX_COLUMNS)
        count = MAX_COLUMNS; /* columns past the limit cannot be chosen */
    for (size_t i = 0; i < count; i++)
        if (strcmp(names[i], column) == 0) {
            *index = i;
            return 0;
        }
    char listed[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < count && used < sizeof listed; i++)
        used +=
            (size_t)snprintf(listed + used, sizeof listed - used, "%s%s", i ? ", " : "", names[i]);
    const char *close = suggest_closest(column, (const char *const *)names, count);
    if (close)
        return ydoc_error(column_node, err,
                          "no column '%s' in %s (did you mean '%s'?); its columns are: %s", column,
                          path, close, listed);
    return ydoc_error(column_node, err, "no column '%s' in %s; its columns are: %s", column, path,
                      listed);
}

/* Reads the numbers of one column of a CSV file with a header row. Errors are located at
 * file_node (or column_node for a missing column) and name the CSV line. */
static int dist_csv_read(const char *path, const char *column, struct ydoc_node *file_node,
                         struct ydoc_node *column_node, double **out, size_t *n_out,
                         struct error *err)
{
    const char *why;
    FILE *f = infile_open(path, "r", &why);
    if (!f)
        return ydoc_error(file_node, err, "cannot read %s: %s", path, why);
    char *line = NULL, **fields = NULL;
    size_t line_cap = 0, index = 0, n = 0, cap = 0, blank_line = 0;
    double *values = NULL;
    int status = -1;
    ssize_t got = getline(&line, &line_cap, f);
    if (got < 0) {
        ydoc_error(file_node, err, "%s is empty: a header row naming the columns is required",
                   path);
        goto done;
    }
    csv_chomp(line, (size_t)got);
    if (dist_csv_find_column(line, path, column, column_node, &index, err) != 0)
        goto done;
    if (!(fields = malloc((index + 1) * sizeof fields[0]))) {
        ydoc_error(file_node, err, "out of memory reading %s", path);
        goto done;
    }
    for (size_t line_no = 2; (got = getline(&line, &line_cap, f)) >= 0; line_no++) {
        if (csv_chomp(line, (size_t)got) == 0) {
            /* Blank lines are allowed only at the end of the file. */
            if (!blank_line)
                blank_line = line_no;
            continue;
        }
        if (blank_line) {
            ydoc_error(file_node, err, "%s:%zu: blank line inside the data", path, blank_line);
            goto done;
        }
        size_t count = csv_split(line, fields, index + 1);
        if (count <= index) {
            ydoc_error(file_node, err, "%s:%zu: no cell for column '%s' (the row has %zu cell%s)",
                       path, line_no, column, count, count == 1 ? "" : "s");
            goto done;
        }
        const char *cell = fields[index];
        if (cell[0] == '\0') {
            ydoc_error(file_node, err, "%s:%zu: empty cell in column '%s'", path, line_no, column);
            goto done;
        }
        char *end;
        errno = 0;
        double x = strtod(cell, &end);
        if (*end != '\0' || !isfinite(x)) {
            ydoc_error(file_node, err, "%s:%zu: expected a number in column '%s', got '%s'", path,
                       line_no, column, cell);
            goto done;
        }
        if (n == cap) {
            size_t new_cap = cap ? 2 * cap : 256;
            double *grown = realloc(values, new_cap * sizeof values[0]);
            if (!grown) {
                ydoc_error(file_node, err, "out of memory reading %s", path);
                goto done;
            }
            values = grown;
            cap = new_cap;
        }
        values[n++] = x;
    }
    if (!feof(f)) {
        ydoc_error(file_node, err, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (n == 0) {
        ydoc_error(file_node, err, "column '%s' of %s has no values", column, path);
        goto done;
    }
    *out = values;
    *n_out = n;
    values = NULL;
    status = 0;
done:
    free(values);
    free(fields);
    free(line);
    fclose(f);
    return status;
}

/* values: a non-empty list of numbers. */
static int dist_empirical_parse_list(struct dist *d, struct ydoc_node *list, struct error *err)
{
    if (ydoc_expect(list, YDOC_SEQ, err) != 0)
        return -1;
    size_t n = ydoc_len(list);
    if (n == 0)
        return ydoc_error(list, err, "empirical values must not be empty");
    double *values = malloc(n * sizeof values[0]);
    if (!values)
        return ydoc_error(list, err, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (ydoc_as_f64(ydoc_item(list, i), DIST_FINITE, &values[i], err) != 0) {
            free(values);
            return -1;
        }
    dist_empirical_take(d, values, n);
    return 0;
}

/* file + column: the file's path is relative to the scenario file's directory. */
static int dist_empirical_parse_file(struct dist *d, struct ydoc_node *n, struct error *err)
{
    struct ydoc_node *file_node, *column_node;
    const char *file, *column;
    if (ydoc_require(n, "file", &file_node, err) != 0 ||
        ydoc_read_str(n, "file", &file, err) != 0 ||
        ydoc_require(n, "column", &column_node, err) != 0 ||
        ydoc_read_str(n, "column", &column, err) != 0)
        return -1;
    char dir[4096], path[4096];
    ydoc_dir(n, dir, sizeof dir);
    int len = file[0] == '/' ? snprintf(path, sizeof path, "%s", file)
                             : snprintf(path, sizeof path, "%s/%s", dir, file);
    if (len < 0 || (size_t)len >= sizeof path)
        return ydoc_error(file_node, err, "path is too long");
    double *values = NULL;
    size_t count = 0;
    if (dist_csv_read(path, column, file_node, column_node, &values, &count, err) != 0)
        return -1;
    dist_empirical_take(d, values, count);
    return 0;
}

static int dist_empirical_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    struct ydoc_node *list = ydoc_get(n, "values"), *file = ydoc_get(n, "file");
    struct ydoc_node *column = ydoc_get(n, "column");
    if (list && (file || column))
        return ydoc_error(file ? file : column, err,
                          "give either values, or file and column, not both");
    if (list)
        return dist_empirical_parse_list(d, list, err);
    if (!file && !column)
        return ydoc_error(n, err, "missing parameters: give values, or file and column");
    return dist_empirical_parse_file(d, n, err);
}

static double dist_empirical_sample(const struct dist *d, gsl_rng *rng)
{
    return d->values[gsl_rng_uniform_int(rng, d->n_values)];
}

static double dist_empirical_mean(const struct dist *d)
{
    return d->p[0];
}

static double dist_empirical_variance(const struct dist *d)
{
    return d->p[1];
}

static const struct dist_ops dist_empirical_ops = {
    .name = "empirical",
    .parse = dist_empirical_parse,
    .sample = dist_empirical_sample,
    .mean = dist_empirical_mean,
    .variance = dist_empirical_variance,
};

static void dist_empirical_take(struct dist *d, double *values, size_t n)
{
    double sum = 0.0, squares = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += values[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        squares += (values[i] - mean) * (values[i] - mean);
    *d = (struct dist){&dist_empirical_ops, {mean, squares / (double)n, 0.0}, values, n};
}

/* --- registry --- */

static const struct dist_ops *const dist_registry[] = {
    &dist_constant_ops, &dist_uniform_ops,   &dist_exponential_ops,
    &dist_normal_ops,   &dist_lognormal_ops, &dist_gamma_ops,
    &dist_weibull_ops,  &dist_pareto_ops,    &dist_empirical_ops,
};

enum { DIST_FAMILIES = sizeof dist_registry / sizeof dist_registry[0] };

int dist_parse(struct dist *d, struct ydoc_node *n, struct error *err)
{
    dist_constant(d, 0.0);
    enum ydoc_kind kind = ydoc_kind(n);
    if (kind == YDOC_SCALAR) {
        if (ydoc_as_f64(n, DIST_FINITE, &d->p[0], err) == 0)
            return 0;
        d->p[0] = 0.0;
        return error_set(err, err->file, err->line, err->col, err->path,
                         "%s; a distribution is a number or a map such as "
                         "{dist: exponential, mean: 2}",
                         err->msg);
    }
    if (kind != YDOC_MAP)
        return ydoc_error(n, err, "expected a number or a map with 'dist', got %s",
                          ydoc_kind_name(kind));
    const char *names[DIST_FAMILIES];
    for (size_t i = 0; i < DIST_FAMILIES; i++)
        names[i] = dist_registry[i]->name;
    struct ydoc_node *family;
    int index = 0;
    if (ydoc_require(n, "dist", &family, err) != 0 ||
        ydoc_read_enum(n, "dist", names, DIST_FAMILIES, &index, err) != 0)
        return -1;
    struct dist parsed = {.ops = dist_registry[index]};
    if (parsed.ops->parse(&parsed, n, err) != 0) {
        dist_free(&parsed);
        return -1;
    }
    *d = parsed;
    return 0;
}

void dist_constant(struct dist *d, double value)
{
    *d = (struct dist){&dist_constant_ops, {value, 0.0, 0.0}, NULL, 0};
}

void dist_exponential(struct dist *d, double mean)
{
    *d = (struct dist){&dist_exponential_ops, {mean, 0.0, 0.0}, NULL, 0};
}

void dist_lognormal_mean_cv(struct dist *d, double mean, double cv)
{
    *d = (struct dist){&dist_lognormal_ops, {0.0, 0.0, 0.0}, NULL, 0};
    dist_lognormal_from_mean_cv(d, mean, cv);
}

int dist_empirical(struct dist *d, const double *values, size_t n)
{
    dist_constant(d, 0.0);
    double *copy = n ? malloc(n * sizeof copy[0]) : NULL;
    if (!copy) /* n == 0 has no distribution: the same failure */
        return -1;
    memcpy(copy, values, n * sizeof copy[0]);
    dist_empirical_take(d, copy, n);
    return 0;
}

double dist_sample(const struct dist *d, gsl_rng *rng)
{
    return d->ops->sample(d, rng);
}

double dist_mean(const struct dist *d)
{
    return d->ops->mean(d);
}

double dist_variance(const struct dist *d)
{
    return d->ops->variance(d);
}

const char *dist_name(const struct dist *d)
{
    return d->ops->name;
}

void dist_free(struct dist *d)
{
    free(d->values);
    dist_constant(d, 0.0);
}
