/* outage: the up/down process of a network link (when the link can carry messages).
 *
 * Three kinds, chosen by the YAML map under a link's `outage` key:
 *
 *   (absent)                                   always up
 *   {up_s: D, down_s: D, start: up|down|stationary, shared: false}
 *                                              alternating renewal process
 *   {file: outages.csv, shared: false}         down intervals read from a file
 *
 * Alternating renewal process (Ross, Stochastic Processes, 2nd ed. 1996, §3.4.1): up periods
 * U1, U2, ... i.i.d. from `up_s` alternate with down periods D1, D2, ... i.i.d. from
 * `down_s`, all independent. Long-run availability (the share of time up, and the limit of
 * P(up at t) for non-lattice periods) is
 *
 *     A = E[U] / (E[U] + E[D])                                           (Ross §3.4.1)
 *
 * `start` says what happens at t = 0: `up` (an up period begins), `down` (a down period
 * begins) or `stationary` (the equilibrium process: the link is up with probability A and
 * the current period's remaining length R has the equilibrium density (1 − F(x)) / E[X];
 * R is drawn as V·L with V ~ U(0,1) and L from the length-biased density x f(x) / E[X],
 * so E[R] = E[X²] / (2 E[X]); Ross §3.5, Cox, Renewal Theory 1962). With `stationary`,
 * P(up at t) = A at every t, not only in the limit, so independent per-device processes
 * start out of phase instead of all starting up together. Length-biased draws have closed
 * forms for constant, uniform, exponential (→ gamma(2)), gamma(k, θ) (→ gamma(k+1, θ)),
 * lognormal(μ, σ) (→ lognormal(μ+σ², σ)), weibull(λ, k) (→ λ·G^(1/k), G ~ gamma(1+1/k))
 * and pareto(α, x_m) (→ pareto(α−1, x_m)) and empirical (value v_i with probability
 * v_i / Σv) distributions; other families (normal) are refused for `stationary`.
 * Each period lasts at least 1 ns (a non-positive or sub-nanosecond draw counts as 1 ns),
 * so the state changes only at period ends and every up period is real. Periods are
 * generated lazily, one draw per period, as queries advance: O(1) memory whatever the run
 * length.
 *
 * File: a CSV with a header row naming the columns `start_s` and `end_s` (any order; other
 * columns are ignored), one down interval [start_s, end_s) per row, in seconds from the
 * start of the run; rows sorted, not overlapping (an interval may start where the previous
 * one ends: the two are merged). The link is down at start_s and up again at end_s.
 *
 * `shared` is parsed and exposed for the caller: true means one process for a whole device
 * population (a cell outage), false one independent process per device.
 *
 * Common random numbers: the renewal process draws its periods from the generator given to
 * outage_state_init, one draw per period in period order, so the realised process is a
 * function of that stream alone. Give each independent process its own stream (never the
 * stream used for per-message draws): then two policies compared on one seed see the same
 * outages whatever traffic they send.
 *
 * Queries must be monotone: every query time must be >= the previous query time on the
 * same state (the simulation clock is). A query that goes back in time is a programming
 * error: it fails an assert in debug builds and is answered for the latest queried time
 * in release builds. */
#ifndef HAISIM_OUTAGE_H
#define HAISIM_OUTAGE_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "ydoc.h"

enum outage_kind {
    OUTAGE_NONE,    /* always up */
    OUTAGE_RENEWAL, /* alternating up/down periods */
    OUTAGE_FILE,    /* down intervals from a CSV file */
};

enum outage_start { OUTAGE_START_UP, OUTAGE_START_DOWN, OUTAGE_START_STATIONARY };

struct outage_config {
    enum outage_kind kind;
    bool shared; /* one process per population (true) or per device (false, default) */
    /* OUTAGE_RENEWAL */
    struct dist up_s, down_s; /* period lengths in seconds */
    enum outage_start start;
    /* OUTAGE_FILE: n_intervals down intervals [down_start_ns[i], down_end_ns[i]), sorted,
     * disjoint and not touching (touching rows are merged at load); owned. */
    int64_t *down_start_ns, *down_end_ns;
    size_t n_intervals;
};

/* The process's position at the latest query. It borrows its generator: two states must
 * not share one generator if both are queried (their draws would interleave). */
struct outage_state {
    bool up;               /* state during the current period */
    int64_t period_end_ns; /* renewal: the current period ends (state flips) here */
    size_t next;           /* file: first interval that ends after the last query */
    int64_t last_query_ns; /* latest query time, for the monotonicity check */
    gsl_rng *rng;          /* borrowed: draws the renewal periods */
};

/* Reads an `outage` map. node == NULL (key absent) gives OUTAGE_NONE. Keys: up_s and
 * down_s (distributions in seconds, both required together, finite mean > 0), start
 * (up | down | stationary, default up), file (CSV path, relative to the YAML file's
 * directory), shared (bool, default false). Errors (file:line:column, key path; for CSV
 * problems also "FILE.csv:LINE") leave cfg safe to free. */
int outage_config_load(struct outage_config *cfg, struct ydoc_node *node, struct error *err);

/* Releases the intervals and distributions; cfg becomes OUTAGE_NONE. Safe on a zeroed
 * struct and after a failed load. */
void outage_config_free(struct outage_config *cfg);

/* Long-run share of time up: 1 for OUTAGE_NONE, E[U]/(E[U]+E[D]) for OUTAGE_RENEWAL (the
 * horizon is ignored), and the exact up share of [0, horizon_ns) for OUTAGE_FILE (1 when
 * horizon_ns <= 0). */
double outage_availability(const struct outage_config *cfg, int64_t horizon_ns);

/* Positions st at time 0. rng (borrowed, must outlive st) draws the renewal periods; it
 * may be NULL for OUTAGE_NONE and OUTAGE_FILE, which draw nothing. */
void outage_state_init(struct outage_state *st, const struct outage_config *cfg, gsl_rng *rng);

/* True when the link is up at now_ns (a down interval [s, e) is down at s, up at e). */
bool outage_is_up(struct outage_state *st, const struct outage_config *cfg, int64_t now_ns);

/* The earliest time >= now_ns at which the link is up: now_ns when up, else the end of
 * the current down period. */
int64_t outage_next_up_ns(struct outage_state *st, const struct outage_config *cfg, int64_t now_ns);

/* The first time > now_ns at which the state differs from the state at now_ns, or
 * SIMTIME_NEVER when it never changes again (for an event that wakes a queue when the
 * link comes back, or a chart of the process). */
int64_t outage_next_change_ns(struct outage_state *st, const struct outage_config *cfg,
                              int64_t now_ns);

#endif
