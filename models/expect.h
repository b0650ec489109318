/* expect: expectations on results — thresholds on metrics that a sweep or a run must meet —
 * checked after the run, reported readably, as JUnit XML for CI, and through the exit code
 * (docs/sweeps.md, "Expectations"; docs/ci.md).
 *
 *   expect:
 *     - metric: ttft_ms_p99          # a metric of the catalogue (metrics.h)
 *       op: "<="                     # <  <=  >  >=  ==  !=   (quote it: > starts a YAML block)
 *       threshold: 1500              # in the metric's unit
 *       aggregate: mean              # mean | ci_upper | ci_lower | every   (default mean)
 *       variants: [cloud-only]       # a name or a list; default: every variant
 *       where: {cloud.slots: [4, 8]} # sweeps: only points with these axis values
 *       name: p99 TTFT within 1.5 s  # optional label
 *
 * A *check* is one expectation at one point (a plain run is one point). It passes when, for
 * every selected variant, the chosen statistic of the metric across replications satisfies
 * `statistic op threshold`:
 *   mean      x̄, the mean over the replications that measured the metric;
 *   ci_upper  x̄ + h and ci_lower x̄ − h, h the Student-t 95 % half-width t₀.₉₇₅,ₙ₋₁·s/√n
 *             (stats_ci95): "<= T on ci_upper" asks that even the pessimistic end of the
 *             interval meets the target;
 *   every     each replication's value.
 * A value that is missing (a metric the run did not measure, such as accuracy without an
 * accuracy model; a variant missing at a point; a point that failed) fails the check: in CI
 * silence must not pass. `where` keeps the points whose axis value equals one of the listed
 * values (numerically when both are numbers, else as text).
 *
 * An expect_list borrows its strings from the document it was read from, which must outlive
 * it, except when read with expect_load_file (the list then owns the document). */
#ifndef HAISIM_EXPECT_H
#define HAISIM_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "sweep_table.h"
#include "ydoc.h"

enum expect_op { EXPECT_LT, EXPECT_LE, EXPECT_GT, EXPECT_GE, EXPECT_EQ, EXPECT_NE };
enum expect_aggregate { EXPECT_MEAN, EXPECT_CI_UPPER, EXPECT_CI_LOWER, EXPECT_EVERY };

struct expect_where {
    const char *key; /* an axis key of the sweep */
    size_t n_values;
    const char **values; /* scalar texts */
    struct ydoc_node *node;
};

struct expect {
    char label[256]; /* the name, or "metric op threshold" */
    const char *metric;
    enum expect_op op;
    double threshold;
    enum expect_aggregate aggregate;
    size_t n_variants;
    const char **variants; /* empty: every variant */
    size_t n_where;
    struct expect_where *where;
    struct ydoc_node *node; /* the list item, for messages */
};

struct expect_list {
    size_t n;
    struct expect *items;
    struct ydoc *doc; /* owned when read by expect_load_file; NULL otherwise */
};

/* Reads an `expect:` list (node may be NULL: an empty list). Metric names are checked against
 * the catalogue ("did you mean"); ops, aggregates and thresholds are checked. */
int expect_load(struct expect_list *l, struct ydoc_node *list, struct error *err);
/* Reads a file whose top level is a map with an `expect:` list (and nothing else). */
int expect_load_file(struct expect_list *l, const char *path, struct error *err);
/* Checks an `expect:` list without keeping it: for a scenario loader that accepts the key
 * (scenario_load), so that unknown keys inside it are caught like any other. */
int expect_validate(struct ydoc_node *list, struct error *err);
void expect_list_free(struct expect_list *l);

/* Checks names against what the results will hold: `where` keys against the swept keys
 * (none in a plain run), variant names against the variants (skipped when variants is NULL). */
int expect_check_names(const struct expect_list *l, const char *const *axis_keys, size_t n_axes,
                       const char *const *variants, size_t n_variants, struct error *err);

/* The outcome of one check: expectation `expectation` at table point `point`. */
struct expect_check {
    size_t expectation, point;
    bool passed;
    char detail[512]; /* why it failed: "cloud-only: mean 1820 (95% CI ± 40), needs <= 1500" */
};

struct expect_report {
    size_t n_checks, n_failed;
    struct expect_check *checks; /* by expectation, then point */
};

/* Evaluates every expectation at every point it selects. -1 only on out of memory. */
int expect_evaluate(const struct expect_list *l, const struct sweep_table *t,
                    struct expect_report *out, struct error *err);
void expect_report_free(struct expect_report *r);

/* The readable report: one line per expectation (ok / FAIL with how many points passed), and
 * under a failing one each failing check. Nothing when the list is empty. */
void expect_report_print(FILE *f, const struct expect_list *l, const struct sweep_table *t,
                         const struct expect_report *r);

/* JUnit XML: one <testsuite> named after the table, one <testcase> per check (expectation ×
 * point), a <failure> in each failing one. No times or hosts: reruns are byte-identical. */
int expect_write_junit(FILE *f, const struct expect_list *l, const struct sweep_table *t,
                       const struct expect_report *r);

#endif
