/* sweep_table: the results of a sweep (or of one run) as one table, and the CSV files it
 * is read from and written to (docs/sweeps.md, "Output files").
 *
 * A table holds, for every point of a sweep, the point's axis values and, for every variant
 * and replication, one value per metric of the catalogue (metrics.h); plus replication 1's
 * latency quantiles for CDF charts. Missing values (a metric that was not measured, a variant
 * or replication a point lacks, a point that failed or has not run) are NaN.
 *
 * Files, all with a header row and one row per observation (tidy data):
 *   results.csv    point, <axis keys>, variant, replication, <metrics>
 *   aggregate.csv  point, <axis keys>, variant, metric, unit, mean, ci95_half_width,
 *                  replications
 *   cdf.csv        point, <axis keys>, variant, p, <latency families in ms>
 * Values in results.csv and cdf.csv are written with the fewest digits that read back to the
 * same double (15, 16 or 17 significant digits), so a table read back from its files is
 * exactly the table that was written and everything computed from it (aggregates,
 * expectations, charts) is the same whether it comes from memory, a resumed sweep or merged
 * shards. Aggregates are the mean over the replications that have a value and the half-width
 * of its Student-t 95 % confidence interval (stats_ci95), as in summary.csv, formatted like
 * summary.csv (%.10g). Nothing in any file depends on time, host or path, so reruns are
 * byte-identical.
 *
 * The table owns every string and array it holds. */
#ifndef HAISIM_SWEEP_TABLE_H
#define HAISIM_SWEEP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "experiment.h"
#include "stats.h"

#define SWEEP_TABLE_CDF_POINTS EXPERIMENT_CDF_POINTS

enum sweep_point_status { SWEEP_POINT_MISSING, SWEEP_POINT_DONE, SWEEP_POINT_FAILED };

/* A swept key and its values in sweep order. */
struct sweep_table_axis {
    char *key;   /* scenario key path: the column name */
    char *label; /* for charts: "arrival rate (req/s)" */
    bool log_scale;
    size_t n_values;
    char **values; /* YAML text of each value */
};

struct sweep_table_point {
    size_t number; /* 1-based point number in the sweep */
    enum sweep_point_status status;
    char *error;         /* why a failed point failed */
    size_t *value_index; /* [axis]: index into the axis's values */
};

struct sweep_table {
    char *name; /* the sweep's or scenario's name */
    size_t n_axes;
    struct sweep_table_axis *axes;
    size_t n_points;
    struct sweep_table_point *points;
    size_t n_variants;
    char **variants; /* in order of first appearance */
    size_t n_reps;
    size_t n_metrics;
    char **metrics;
    size_t n_families;
    char **families; /* latency families of the CDF data ("ttft_ms", ...) */
    size_t *reps;    /* [point][variant]: replications stored (0: variant absent) */
    double *values;  /* [point][variant][rep][metric] */
    double *cdf;     /* [point][variant][family][SWEEP_TABLE_CDF_POINTS], ms */
};

/* An empty table of n_points points over the given axes (deep-copied), with every metric of
 * the catalogue and every latency family; points numbered 1..n_points, all MISSING. */
int sweep_table_init(struct sweep_table *t, const char *name, const struct sweep_table_axis *axes,
                     size_t n_axes, size_t n_points, struct error *err);
void sweep_table_free(struct sweep_table *t);

/* Stores an experiment's results as table point `point` (0-based; its axis value indices
 * must have been set), marking it DONE. Variants are matched by name, added when new. */
int sweep_table_store(struct sweep_table *t, size_t point, const struct experiment *ex,
                      const struct experiment_results *res, struct error *err);

/* Value of metric m for (point, variant, replication); NaN when missing. */
double sweep_table_value(const struct sweep_table *t, size_t point, size_t variant, size_t rep,
                         size_t metric);
/* Mean and 95 % CI half-width over the replications with a value (n = 0: mean NaN). */
struct stats_ci sweep_table_ci(const struct sweep_table *t, size_t point, size_t variant,
                               size_t metric);
/* Index of a metric / variant / axis / family by name, or -1. */
long sweep_table_metric(const struct sweep_table *t, const char *name);
long sweep_table_variant(const struct sweep_table *t, const char *name);
long sweep_table_axis(const struct sweep_table *t, const char *key);
long sweep_table_family(const struct sweep_table *t, const char *name);
/* The YAML text of axis a's value at a point. */
const char *sweep_table_point_value(const struct sweep_table *t, size_t point, size_t axis);
/* "key=value, key=value" of a point (empty without axes); labels shortened to the last key. */
void sweep_table_describe(const struct sweep_table *t, size_t point, char *buf, size_t len);
/* True when an axis value as the table holds it (YAML text, double-quoted when it had to be)
 * equals `want`: numerically when both are numbers, else as text. */
bool sweep_table_value_matches(const char *axis_text, const char *want);
/* Unit of a metric from the catalogue ("" when unknown). */
const char *sweep_table_unit(const char *metric);

/* Writers. `first`..`last` (0-based, inclusive) select points; only DONE points write rows.
 * The header is written when `header` is true. Return -1 on a write error (ferror). */
int sweep_table_write_results(FILE *f, const struct sweep_table *t, size_t first, size_t last,
                              bool header);
int sweep_table_write_cdf(FILE *f, const struct sweep_table *t, size_t first, size_t last,
                          bool header);
int sweep_table_write_aggregate(FILE *f, const struct sweep_table *t, bool header);

/* Reads the rows of a results or cdf file written by the writers above into the table (whose
 * points and axes must match: rows name their point number). Marks the points it fills DONE.
 * Errors name the file and line. */
int sweep_table_read_results(struct sweep_table *t, const char *path, struct error *err);
int sweep_table_read_cdf(struct sweep_table *t, const char *path, struct error *err);

/* The shortest decimal text that reads back (strtod) as exactly x; "" for NaN. */
void sweep_format_double(char *buf, size_t len, double x);

/* --- CSV (RFC 4180) --- */

/* A reader of CSV rows: fields may be quoted ("a ""b"", c") and span lines. */
struct sweep_csv {
    FILE *f;
    size_t line; /* line number of the row last read (1-based) */
    char *buf;
    size_t len, cap;
    size_t *starts;
    size_t n_fields, cap_fields;
};

/* Opens path; -1 with err filled when it cannot be read. */
int sweep_csv_open(struct sweep_csv *c, const char *path, struct error *err);
/* Reads the next row: 1 when a row was read, 0 at the end, -1 on a malformed row or out of
 * memory (err names the file and line). */
int sweep_csv_next(struct sweep_csv *c, const char *path, struct error *err);
/* Field i of the row last read ("" past the end). */
const char *sweep_csv_get(const struct sweep_csv *c, size_t i);
void sweep_csv_close(struct sweep_csv *c);

#endif
