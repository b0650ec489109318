/* outage: a link's up/down process, lazily generated or read from a file (see outage.h). */
#include "outage.h"

#include <assert.h>
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "csv.h"
#include "infile.h"
#include "simtime.h"

/* --- loading: the alternating renewal process --- */

/* Families whose length-biased density x f(x) / E[X] we can sample exactly (outage.h).
 * `stationary` needs one; the parameters are read from struct dist's p[] in the layout
 * dist.c documents, which test_outage checks family by family through E[R]. */
static const char *const outage_stationary_families[] = {
    "constant", "uniform", "exponential", "gamma", "lognormal", "weibull", "pareto", "empirical",
};

enum {
    OUTAGE_STATIONARY_FAMILIES =
        sizeof outage_stationary_families / sizeof outage_stationary_families[0]
};

/* Errors unless d can start in equilibrium: a family above, with no negative durations. */
static int outage_check_stationary(const struct dist *d, struct ydoc_node *n, struct error *err)
{
    const char *name = dist_name(d);
    bool known = false;
    for (size_t i = 0; i < OUTAGE_STATIONARY_FAMILIES; i++)
        known = known || strcmp(name, outage_stationary_families[i]) == 0;
    if (!known)
        return ydoc_error(n, err,
                          "start: stationary needs a duration distribution whose length-biased "
                          "form is known (constant, uniform, exponential, gamma, lognormal, "
                          "weibull, pareto, empirical), got %s",
                          name);
    bool negative = false;
    if (strcmp(name, "uniform") == 0)
        negative = d->p[0] < 0;
    for (size_t i = 0; i < d->n_values; i++)
        negative = negative || d->values[i] < 0;
    if (negative)
        return ydoc_error(n, err,
                          "start: stationary needs durations >= 0, but this %s distribution "
                          "can give negative values",
                          name);
    return 0;
}

/* Reads one period distribution (required) and checks that its mean is finite and > 0:
 * the availability E[U] / (E[U] + E[D]) needs both, and a zero mean would make every
 * period the 1 ns minimum. */
static int outage_read_period(struct ydoc_node *map, const char *key, struct dist *d,
                              struct error *err)
{
    struct ydoc_node *n;
    if (ydoc_require(map, key, &n, err) != 0 || dist_parse(d, n, err) != 0)
        return -1;
    double mean = dist_mean(d);
    if (!(mean > 0) || !isfinite(mean))
        return ydoc_error(n, err, "the mean %s duration must be finite and > 0, got %g s",
                          strcmp(key, "up_s") == 0 ? "up" : "down", mean);
    return 0;
}

static int outage_load_renewal(struct outage_config *cfg, struct ydoc_node *map, struct error *err)
{
    static const char *const starts[] = {"up", "down", "stationary"};
    int start = OUTAGE_START_UP;
    if (outage_read_period(map, "up_s", &cfg->up_s, err) != 0 ||
        outage_read_period(map, "down_s", &cfg->down_s, err) != 0 ||
        ydoc_read_enum(map, "start", starts, 3, &start, err) != 0)
        return -1;
    cfg->start = (enum outage_start)start;
    if (cfg->start == OUTAGE_START_STATIONARY &&
        (outage_check_stationary(&cfg->up_s, ydoc_get(map, "up_s"), err) != 0 ||
         outage_check_stationary(&cfg->down_s, ydoc_get(map, "down_s"), err) != 0))
        return -1;
    cfg->kind = OUTAGE_RENEWAL;
    return 0;
}

/* --- loading: a CSV file of down intervals --- */

enum { OUTAGE_CSV_MAX_COLUMNS = 64 };

/* Parses a finite number from a cell; -1 on anything else. */
static int outage_csv_number(const char *cell, double *out)
{
    char *end;
    if (cell[0] == '\0')
        return -1;
    double x = strtod(cell, &end);
    if (*end != '\0' || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

/* Appends [start_ns, end_ns) to cfg's intervals, merging it with the previous interval when
 * they touch. -1 on out-of-memory. */
static int outage_add_interval(struct outage_config *cfg, size_t *cap, int64_t start_ns,
                               int64_t end_ns)
{
    size_t n = cfg->n_intervals;
    if (n > 0 && start_ns <= cfg->down_end_ns[n - 1]) {
        cfg->down_end_ns[n - 1] = end_ns;
        return 0;
    }
    if (n == *cap) {
        size_t new_cap = *cap ? 2 * *cap : 64;
        int64_t *starts = realloc(cfg->down_start_ns, new_cap * sizeof starts[0]);
        if (!starts)
            return -1;
        cfg->down_start_ns = starts;
        int64_t *ends = realloc(cfg->down_end_ns, new_cap * sizeof ends[0]);
        if (!ends)
            return -1;
        cfg->down_end_ns = ends;
        *cap = new_cap;
    }
    cfg->down_start_ns[n] = start_ns;
    cfg->down_end_ns[n] = end_ns;
    cfg->n_intervals = n + 1;
    return 0;
}

/* Finds the start_s and end_s columns of the header row. */
static int outage_csv_header(char *header, const char *path, struct ydoc_node *file_node,
                             size_t *start_col, size_t *end_col, struct error *err)
{
    char *names[OUTAGE_CSV_MAX_COLUMNS];
    size_t count = csv_split(header, names, OUTAGE_CSV_MAX_COLUMNS);
    if (count > OUTAGE_CSV_MAX_COLUMNS)
        count = OUTAGE_CSV_MAX_COLUMNS;
    bool have_start = false, have_end = false;
    for (size_t i = 0; i < count; i++) {
        if (!have_start && strcmp(names[i], "start_s") == 0) {
            *start_col = i;
            have_start = true;
        } else if (!have_end && strcmp(names[i], "end_s") == 0) {
            *end_col = i;
            have_end = true;
        }
    }
    if (have_start && have_end)
        return 0;
    char listed[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < count && used < sizeof listed; i++)
        used +=
            (size_t)snprintf(listed + used, sizeof listed - used, "%s%s", i ? "," : "", names[i]);
    return ydoc_error(file_node, err,
                      "%s:1: the header must name the columns start_s and end_s (no column "
                      "'%s'); found: %s",
                      path, have_start ? "end_s" : "start_s", listed);
}

/* Checks and converts one data row; prev_end_s is the previous row's end (-inf first). */
static int outage_csv_row(struct outage_config *cfg, size_t *cap, char *line, size_t line_no,
                          size_t start_col, size_t end_col, double *prev_end_s, const char *path,
                          struct ydoc_node *file_node, struct error *err)
{
    char *fields[OUTAGE_CSV_MAX_COLUMNS];
    size_t need = (start_col > end_col ? start_col : end_col) + 1;
    size_t count = csv_split(line, fields, OUTAGE_CSV_MAX_COLUMNS);
    if (count < need)
        return ydoc_error(file_node, err,
                          "%s:%zu: expected cells start_s and end_s, got %zu cell%s", path, line_no,
                          count, count == 1 ? "" : "s");
    double start_s, end_s;
    if (outage_csv_number(fields[start_col], &start_s) != 0)
        return ydoc_error(file_node, err, "%s:%zu: start_s must be a number, got '%s'", path,
                          line_no, fields[start_col]);
    if (outage_csv_number(fields[end_col], &end_s) != 0)
        return ydoc_error(file_node, err, "%s:%zu: end_s must be a number, got '%s'", path, line_no,
                          fields[end_col]);
    if (start_s < 0)
        return ydoc_error(file_node, err,
                          "%s:%zu: start_s must be >= 0 (seconds from the run's "
                          "start), got %g",
                          path, line_no, start_s);
    if (!(end_s > start_s))
        return ydoc_error(file_node, err, "%s:%zu: end_s (%g) must be greater than start_s (%g)",
                          path, line_no, end_s, start_s);
    if (start_s < *prev_end_s)
        return ydoc_error(file_node, err,
                          "%s:%zu: the interval starting at %g s begins before the previous one "
                          "ends (%g s); rows must be sorted and must not overlap",
                          path, line_no, start_s, *prev_end_s);
    int64_t start_ns = simtime_from_s(start_s), end_ns = simtime_from_s(end_s);
    if (end_ns <= start_ns)
        return ydoc_error(file_node, err, "%s:%zu: the interval [%g, %g) s is shorter than 1 ns",
                          path, line_no, start_s, end_s);
    if (outage_add_interval(cfg, cap, start_ns, end_ns) != 0)
        return ydoc_error(file_node, err, "out of memory reading %s", path);
    *prev_end_s = end_s;
    return 0;
}

static int outage_load_file(struct outage_config *cfg, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *file_node = ydoc_get(map, "file");
    const char *file;
    if (ydoc_read_str(map, "file", &file, err) != 0)
        return -1;
    char dir[4096], path[4096];
    ydoc_dir(map, dir, sizeof dir);
    int len = file[0] == '/' ? snprintf(path, sizeof path, "%s", file)
                             : snprintf(path, sizeof path, "%s/%s", dir, file);
    if (len < 0 || (size_t)len >= sizeof path)
        return ydoc_error(file_node, err, "path is too long");
    const char *why;
    FILE *f = infile_open(path, "r", &why);
    if (!f)
        return ydoc_error(file_node, err, "cannot read %s: %s", path, why);
    cfg->kind = OUTAGE_FILE;
    char *line = NULL;
    size_t line_cap = 0, cap = 0, blank_line = 0, start_col = 0, end_col = 0;
    double prev_end_s = -INFINITY;
    int status = -1;
    ssize_t got = getline(&line, &line_cap, f);
    if (got < 0) {
        ydoc_error(file_node, err, "%s is empty: a header row start_s,end_s is required", path);
        goto done;
    }
    csv_chomp(line, (size_t)got);
    if (outage_csv_header(line, path, file_node, &start_col, &end_col, err) != 0)
        goto done;
    for (size_t line_no = 2; (got = getline(&line, &line_cap, f)) >= 0; line_no++) {
        if (csv_chomp(line, (size_t)got) == 0) {
            if (!blank_line) /* blank lines are allowed only at the end of the file */
                blank_line = line_no;
            continue;
        }
        if (blank_line) {
            ydoc_error(file_node, err, "%s:%zu: blank line inside the data", path, blank_line);
            goto done;
        }
        if (outage_csv_row(cfg, &cap, line, line_no, start_col, end_col, &prev_end_s, path,
                           file_node, err) != 0)
            goto done;
    }
    if (!feof(f)) {
        ydoc_error(file_node, err, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    status = 0;
done:
    free(line);
    fclose(f);
    return status;
}

/* --- the configuration --- */

int outage_config_load(struct outage_config *cfg, struct ydoc_node *node, struct error *err)
{
    *cfg = (struct outage_config){.kind = OUTAGE_NONE, .start = OUTAGE_START_UP};
    dist_constant(&cfg->up_s, 0.0);
    dist_constant(&cfg->down_s, 0.0);
    if (!node)
        return 0;
    if (ydoc_expect(node, YDOC_MAP, err) != 0)
        return -1;
    struct ydoc_node *file = ydoc_get(node, "file"), *up = ydoc_get(node, "up_s");
    struct ydoc_node *down = ydoc_get(node, "down_s"), *start = ydoc_get(node, "start");
    int status;
    if (ydoc_read_bool(node, "shared", &cfg->shared, err) != 0) {
        status = -1;
    } else if (file && (up || down || start)) {
        struct ydoc_node *extra = up ? up : down ? down : start;
        status = ydoc_error(extra, err,
                            "'%s' does not apply to an outage file: give either file, or up_s "
                            "and down_s",
                            up     ? "up_s"
                            : down ? "down_s"
                                   : "start");
    } else if (file) {
        status = outage_load_file(cfg, node, err);
    } else if (!up && !down) {
        status = ydoc_error(node, err,
                            "an outage process needs either file (down intervals), or up_s and "
                            "down_s (alternating periods)");
    } else {
        status = outage_load_renewal(cfg, node, err);
    }
    if (status != 0)
        outage_config_free(cfg);
    return status;
}

void outage_config_free(struct outage_config *cfg)
{
    dist_free(&cfg->up_s);
    dist_free(&cfg->down_s);
    free(cfg->down_start_ns);
    free(cfg->down_end_ns);
    *cfg = (struct outage_config){.kind = OUTAGE_NONE};
    dist_constant(&cfg->up_s, 0.0);
    dist_constant(&cfg->down_s, 0.0);
}

double outage_availability(const struct outage_config *cfg, int64_t horizon_ns)
{
    switch (cfg->kind) {
    case OUTAGE_RENEWAL: {
        double up = dist_mean(&cfg->up_s), down = dist_mean(&cfg->down_s);
        return up / (up + down); /* Ross §3.4.1 */
    }
    case OUTAGE_FILE: {
        if (horizon_ns <= 0)
            return 1.0;
        int64_t down_ns = 0;
        for (size_t i = 0; i < cfg->n_intervals && cfg->down_start_ns[i] < horizon_ns; i++) {
            int64_t end = cfg->down_end_ns[i] < horizon_ns ? cfg->down_end_ns[i] : horizon_ns;
            down_ns += end - cfg->down_start_ns[i];
        }
        return 1.0 - (double)down_ns / (double)horizon_ns;
    }
    case OUTAGE_NONE:
        break;
    }
    return 1.0;
}

/* --- the process --- */

/* A period's length: at least 1 ns, so that the state changes only at period ends. */
static int64_t outage_period_ns(const struct dist *d, gsl_rng *rng)
{
    int64_t ns = simtime_from_s(dist_sample(d, rng));
    return ns > 0 ? ns : 1;
}

/* A draw from the length-biased density x f(x) / E[X] (the length of the period that
 * covers a random time point); outage_check_stationary admitted d's family. */
static double outage_length_biased(const struct dist *d, gsl_rng *rng)
{
    const char *name = dist_name(d);
    const double *p = d->p;
    if (strcmp(name, "uniform") == 0) /* density ∝ x on [a, b]: invert the CDF */
        return sqrt(p[0] * p[0] + gsl_rng_uniform(rng) * (p[1] * p[1] - p[0] * p[0]));
    if (strcmp(name, "exponential") == 0) /* p = {mean} */
        return gsl_ran_gamma(rng, 2.0, p[0]);
    if (strcmp(name, "gamma") == 0) /* p = {shape, scale} */
        return gsl_ran_gamma(rng, p[0] + 1.0, p[1]);
    if (strcmp(name, "lognormal") == 0) /* p = {mu, sigma} */
        return gsl_ran_lognormal(rng, p[0] + p[1] * p[1], p[1]);
    if (strcmp(name, "weibull") == 0) /* p = {scale, shape}: (X/λ)^k is length-biased exp */
        return p[0] * pow(gsl_ran_gamma(rng, 1.0 + 1.0 / p[1], 1.0), 1.0 / p[1]);
    if (strcmp(name, "pareto") == 0) /* p = {alpha, x_m} */
        return gsl_ran_pareto(rng, p[0] - 1.0, p[1]);
    if (strcmp(name, "empirical") == 0) { /* value i with probability v_i / Σv */
        double target = gsl_rng_uniform(rng) * dist_mean(d) * (double)d->n_values;
        for (size_t i = 0; i < d->n_values; i++) {
            target -= d->values[i];
            if (target < 0)
                return d->values[i];
        }
        return d->values[d->n_values - 1];
    }
    return dist_sample(d, rng); /* constant */
}

void outage_state_init(struct outage_state *st, const struct outage_config *cfg, gsl_rng *rng)
{
    *st = (struct outage_state){.up = true, .period_end_ns = SIMTIME_NEVER, .rng = rng};
    if (cfg->kind != OUTAGE_RENEWAL)
        return;
    switch (cfg->start) {
    case OUTAGE_START_UP:
        st->period_end_ns = outage_period_ns(&cfg->up_s, rng);
        break;
    case OUTAGE_START_DOWN:
        st->up = false;
        st->period_end_ns = outage_period_ns(&cfg->down_s, rng);
        break;
    case OUTAGE_START_STATIONARY: {
        /* Equilibrium alternating renewal process: up with probability A, and the residual
         * of the current period is V·L, V ~ U(0,1), L length-biased (Ross §3.5). */
        st->up = gsl_rng_uniform(rng) < outage_availability(cfg, 0);
        const struct dist *d = st->up ? &cfg->up_s : &cfg->down_s;
        double residual_s = gsl_rng_uniform(rng) * outage_length_biased(d, rng);
        int64_t ns = simtime_from_s(residual_s);
        st->period_end_ns = ns > 0 ? ns : 1;
        break;
    }
    }
}

/* Brings st to now_ns (monotone: see outage.h) and returns the time to answer for. */
static int64_t outage_advance(struct outage_state *st, const struct outage_config *cfg,
                              int64_t now_ns)
{
    assert(now_ns >= st->last_query_ns && "outage queries must not go back in time");
    if (now_ns < st->last_query_ns)
        now_ns = st->last_query_ns;
    st->last_query_ns = now_ns;
    if (cfg->kind == OUTAGE_RENEWAL) {
        /* One draw per period, in period order, however far a query jumps. */
        while (now_ns >= st->period_end_ns && st->period_end_ns < SIMTIME_NEVER) {
            st->up = !st->up;
            int64_t len = outage_period_ns(st->up ? &cfg->up_s : &cfg->down_s, st->rng);
            st->period_end_ns =
                len >= SIMTIME_NEVER - st->period_end_ns ? SIMTIME_NEVER : st->period_end_ns + len;
        }
    } else if (cfg->kind == OUTAGE_FILE) {
        while (st->next < cfg->n_intervals && cfg->down_end_ns[st->next] <= now_ns)
            st->next++;
        st->up = !(st->next < cfg->n_intervals && cfg->down_start_ns[st->next] <= now_ns);
    }
    return now_ns;
}

bool outage_is_up(struct outage_state *st, const struct outage_config *cfg, int64_t now_ns)
{
    outage_advance(st, cfg, now_ns);
    return st->up;
}

int64_t outage_next_up_ns(struct outage_state *st, const struct outage_config *cfg, int64_t now_ns)
{
    now_ns = outage_advance(st, cfg, now_ns);
    if (st->up)
        return now_ns;
    /* Down: the period (or interval) ends with an up period of at least 1 ns. */
    return cfg->kind == OUTAGE_FILE ? cfg->down_end_ns[st->next] : st->period_end_ns;
}

int64_t outage_next_change_ns(struct outage_state *st, const struct outage_config *cfg,
                              int64_t now_ns)
{
    outage_advance(st, cfg, now_ns);
    switch (cfg->kind) {
    case OUTAGE_RENEWAL:
        return st->period_end_ns;
    case OUTAGE_FILE:
        if (!st->up)
            return cfg->down_end_ns[st->next];
        return st->next < cfg->n_intervals ? cfg->down_start_ns[st->next] : SIMTIME_NEVER;
    case OUTAGE_NONE:
        break;
    }
    return SIMTIME_NEVER;
}
