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
#include "profiles.h"
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
    const char *output_dir;     /* where detailed outputs go (outputs.h); NULL: none */
    struct ydoc *base;          /* the file after --set, before profiles: variants start here */
    struct ydoc *base_expanded; /* the same with profiles merged: validated on its own */
    struct ydoc *variant_base;  /* the base with an empty variant list: each variant's start */
    struct profiles_path profiles;
    const char *name;
    uint64_t seed;
    int64_t replications;
    size_t n_variants;
    struct variant *variants;
};

struct experiment_options {
    const char *const *sets; /* "key.path=value" overrides */
    size_t n_sets;
    /* The file the overrides' nodes name in messages; relative paths in them resolve against
     * its directory (NULL: "--set", the current directory; a sweep passes "DIR/--set"). */
    const char *sets_origin;
    bool has_seed;
    uint64_t seed;
    int64_t replications; /* 0: take the scenario's */
    /* Profile search path beyond the scenario's own profiles/ directory: the colon-separated
     * $HAISIM_PROFILES_PATH (main reads the environment) and the built-in directory. */
    const char *profiles_env_path;
    const char *profiles_builtin_dir;
};

/* Loads the scenario file at path, applies the overrides, expands profiles, and checks
 * every variant (unknown keys, types, ranges) before anything runs. */
int experiment_load(struct experiment *ex, const char *path, const struct experiment_options *opt,
                    struct error *err);

/* The same from text in memory (NUL-terminated); `name` stands for the file in messages
 * and relative paths resolve against the current directory. A pure function of its input
 * and options, for tests and fuzzing. */
int experiment_load_text(struct experiment *ex, const char *text, const char *name,
                         const struct experiment_options *opt, struct error *err);
void experiment_free(struct experiment *ex);

/* True when some variant asks for detailed outputs (which need an output directory). */
bool experiment_wants_outputs(const struct experiment *ex);

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
