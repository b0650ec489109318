/* experiment: a scenario file with its variants and overrides, run for a number of
 * replications; what `haisim run` executes.
 *
 * A scenario may list `variants: [{name: ..., set: {key.path: value, ...}}, ...]`; each
 * variant is the base scenario with those keys replaced, run on the same seed, so their
 * differences come from the design, not from noise (common random numbers). Without
 * variants the base scenario is the one variant, named after the scenario.
 * Command-line overrides (--set) apply to the base and again after each variant's own
 * settings, so what the user types always wins. Every variant is loaded and checked
 * (unknown keys, types, ranges) before anything runs. */
#ifndef HAISIM_EXPERIMENT_H
#define HAISIM_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "metrics.h"
#include "scenario.h"
#include "ydoc.h"

struct variant {
    const char *name;
    struct ydoc_node *set; /* the variant's overrides, in the base document; may be NULL */
    struct ydoc *doc;
    struct scenario sc;
    bool loaded;
};

struct experiment {
    struct ydoc *base;
    const char *name;
    uint64_t seed;
    int64_t replications;
    size_t n_variants;
    struct variant *variants;
};

struct experiment_options {
    const char *const *sets; /* "key.path=value" overrides */
    size_t n_sets;
    bool has_seed;
    uint64_t seed;
    int64_t replications; /* 0: take the scenario's */
};

int experiment_load(struct experiment *ex, const char *path, const struct experiment_options *opt,
                    struct error *err);
void experiment_free(struct experiment *ex);

/* Quantile points kept per variant for CDF charts (replication 1): p = k/100, k = 1..100. */
#define EXPERIMENT_CDF_POINTS 100

struct experiment_results {
    size_t n_variants;
    size_t n_reps;
    double *values; /* [variant][replication][metric] */
    double *cdf;    /* [variant][latency family][EXPERIMENT_CDF_POINTS], ms */
    uint64_t events;
};

static inline double *experiment_value(const struct experiment_results *r, size_t variant,
                                       size_t rep)
{
    return r->values + (variant * r->n_reps + rep) * METRIC_COUNT;
}

static inline double *experiment_cdf(const struct experiment_results *r, size_t variant,
                                     size_t latency)
{
    return r->cdf + (variant * METRIC_LATENCY_COUNT + latency) * EXPERIMENT_CDF_POINTS;
}

/* Runs every variant for every replication. */
int experiment_run(const struct experiment *ex, struct experiment_results *res, struct error *err);
void experiment_results_free(struct experiment_results *res);

#endif
