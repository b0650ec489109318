/* sweep: a parameter sweep read from a sweep file (docs/sweeps.md): a base scenario, the
 * scenario keys to vary (axes) and how their values combine into points, the seed and
 * replications, the expectations checked on the results and the charts drawn from them.
 *
 *   name: load-sweep
 *   base: ../quickstart.yaml            # the scenario, relative to this file
 *   set: {run.duration_s: 600}          # overrides applied to the base at every point
 *   axes:
 *     - {key: devices.workload.arrival.rate_rps, values: [0.5, 1, 2]}
 *     - {key: cloud.slots, range: {from: 8, to: 32, step: 8}}
 *     - {key: devices.network.cloud.rtt_ms, log_range: {from: 10, to: 1000, points: 3}}
 *   mode: grid                          # grid (cartesian product) | zip (value i of each)
 *   replications: 3                     # default: the scenario's
 *   seed: 42                            # default: the scenario's
 *   expect: [...]                       # expect.h
 *   plots: [...]                        # plot.h
 *
 * Points. Axis a has values v_a[0..n_a). In grid mode the points are the cartesian product,
 * numbered like nested loops with the first axis outermost and the last fastest:
 *   point p (0-based) = ((i_1·n_2 + i_2)·n_3 + i_3)·… + i_k.
 * In zip mode all axes have the same length n and point p takes value p of each.
 * A range {from, to, step} holds from + k·step for k = 0, 1, … while it is <= to (plus a
 * relative 1e-9 so that 0.1-steps reach their end; k·step is computed, never accumulated, so
 * values do not drift); a log_range {from, to, points} holds the geometric sequence
 * from·(to/from)^(k/(points−1)), k = 0..points−1, printed to 6 significant digits, or
 * rounded to whole numbers (duplicates dropped) with `round: true`.
 *
 * Each point is the base scenario with the sweep's `set:` overrides, then the point's axis
 * values, applied as --set overrides (experiment_options.sets), run on the sweep's seed.
 * Every point therefore draws the same random streams (common random numbers): differences
 * between points come from the parameters, not from noise.
 *
 * A sweep owns its document, the file's text and every string it builds. */
#ifndef HAISIM_SWEEP_H
#define HAISIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "expect.h"
#include "experiment.h"
#include "plot.h"
#include "sweep_table.h"
#include "ydoc.h"

enum sweep_mode { SWEEP_GRID, SWEEP_ZIP };

/* Most points and values per axis a sweep may have (bad input beyond). */
#define SWEEP_MAX_POINTS 1000000
#define SWEEP_MAX_AXIS_VALUES 100000

struct sweep_axis {
    const char *key; /* scenario key path */
    char *label;     /* for charts: `label:` or derived from the key ("rate (req/s)") */
    bool log_scale;  /* the values came from a log_range: charts use a log axis */
    size_t n_values;
    char **values;                  /* YAML text of each value, as given to --set */
    char **assignments;             /* "key=value" for each value */
    struct ydoc_node *node;         /* the axis map */
    struct ydoc_node **value_nodes; /* each value's node; the range map for generated ones */
};

/* The file name of nodes made from a sweep's overrides, in the sweep file's directory. */
#define SWEEP_SETS_ORIGIN "--set"

struct sweep {
    struct ydoc *doc;
    char *text;        /* the sweep file as read */
    char *name;        /* `name:`, else the file's base name */
    char *base_path;   /* the base scenario, resolved against the sweep file's directory */
    char *sets_origin; /* "DIR/--set": the file the overrides' nodes name (experiment.h) */
    struct ydoc_node *base_node;
    size_t n_sets;
    char **sets; /* the `set:` overrides as "key=value" */
    struct ydoc_node **set_nodes;
    size_t n_axes;
    struct sweep_axis *axes;
    const char **axis_keys; /* [n_axes] */
    enum sweep_mode mode;
    size_t n_points;
    bool has_seed;
    uint64_t seed;
    int64_t replications; /* 0: the scenario's */
    struct expect_list expect;
    struct plot_list plots;
};

/* Reads and checks a sweep file (not the base scenario: sweep_exec checks every point). */
int sweep_load(struct sweep *sw, const char *path, struct error *err);
/* The same from text; `name` is the file in messages and relative paths resolve against
 * its directory. */
int sweep_load_text(struct sweep *sw, const char *text, const char *name, struct error *err);
void sweep_free(struct sweep *sw);

/* Index into axis a's values at point p (0-based). */
size_t sweep_value_index(const struct sweep *sw, size_t point, size_t axis);

/* Number of override strings a point needs (sets_buf size for sweep_point_options). */
size_t sweep_point_n_sets(const struct sweep *sw);

/* The experiment options of point p: `base` (the profile search path) with the sweep's seed,
 * replications and `set:` overrides, then the point's axis values. sets_buf must hold
 * sweep_point_n_sets(sw) pointers; the options borrow it and the sweep's strings. */
void sweep_point_options(const struct sweep *sw, size_t point,
                         const struct experiment_options *base, const char **sets_buf,
                         struct experiment_options *out);

/* Rewrites an error met while loading point p so that it points into the sweep file: at the
 * axis value or `set:` entry whose key it concerns, else at `base:`, naming the point. */
void sweep_point_error(const struct sweep *sw, size_t point, struct error *err);

/* The table axes of the sweep (borrowing its strings), for sweep_table_init. The caller
 * frees the returned array (not the strings). NULL on out of memory. */
struct sweep_table_axis *sweep_table_axes(const struct sweep *sw);
/* An empty results table shaped like the sweep (every point MISSING). */
int sweep_table_for(struct sweep_table *t, const struct sweep *sw, struct error *err);

/* A 64-bit fingerprint of the sweep file's text, the base scenario file's text and haisim's
 * version: results with another fingerprint came from another sweep. */
int sweep_fingerprint(const struct sweep *sw, uint64_t *out, struct error *err);

/* Reads a whole file into a NUL-terminated string (the caller frees it). */
char *sweep_read_file(const char *path, size_t *len, struct error *err);

#endif
