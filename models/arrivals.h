/* arrivals: the arrival process of one device population — when requests are issued and by
 * which device — read from the YAML map `arrival:` (docs/keys/workload.md).
 *
 * Open processes (the population issues requests whatever the system does):
 *
 *   poisson  {rate_rps: λ}. Gaps i.i.d. exponential with mean 1/λ.
 *
 *   gamma    {rate_rps: λ, cv: c}. A renewal process: gaps i.i.d. with mean 1/λ and coefficient
 *            of variation c. Gamma(shape k, scale θ) has mean kθ and variance kθ², so
 *            c² = 1/k: k = 1/c², θ = c²/λ (Johnson, Kotz & Balakrishnan, "Continuous
 *            Univariate Distributions" vol. 1, 2nd ed., ch. 17).
 *   weibull  {rate_rps: λ, cv: c}. Weibull(shape k, scale s): mean s·Γ(1+1/k), variance
 *            s²(Γ(1+2/k) − Γ(1+1/k)²) (JKB vol. 1, ch. 21), so
 *                c² = Γ(1+2/k) / Γ(1+1/k)² − 1,   s = (1/λ) / Γ(1+1/k).
 *            c is decreasing in k; k is found by bisection on ln k over [0.1, 100] (which
 *            brackets c ∈ [0.1, 10]: c(100) = 0.0128, c(0.1) = 430) until the bracket stops
 *            shrinking in double precision, with c² evaluated as
 *            expm1(lgamma(1+2/k) − 2 lgamma(1+1/k)). The CV of the solved k matches the
 *            requested one to a relative 1e-12 or better over the whole range (tested on a
 *            grid); k = 1 exactly gives c = 1 (exponential).
 *            Both accept c ∈ [0.1, 10]: below 0.1 the process is nearly deterministic, above
 *            10 sample moments converge too slowly to be checked in tests.
 *            Both renewal processes start in equilibrium (Cox, "Renewal Theory", 1962: the
 *            equilibrium renewal process): the first gap has density (1 − F(x))/μ, sampled
 *            as U·X* with U uniform on (0, 1) and X* length-biased, density x f(x)/μ — for the
 *            gamma X* ~ Gamma(k+1, θ); for the Weibull X* = s·Y^(1/k), Y ~ Gamma(1+1/k, 1).
 *            So E N(0, t] = λt for every t, not only asymptotically, and a run needs no
 *            warm-up to shed an artificial "arrival at time 0". For large t,
 *            Var N(0, t] ≈ λ t c² (Cox 1962).
 *
 *   mmpp     {rates_rps: [r0, r1], mean_sojourn_s: [m0, m1]}. Two-state Markov-modulated
 *            Poisson process: while in state i arrivals are Poisson of rate r_i, and the
 *            state lasts an exponential time of mean m_i. r0 = 0 (on/off bursts) is allowed,
 *            both zero is not. The start state is drawn from the stationary distribution
 *            π_i = m_i / (m0 + m1), so the process is stationary from t = 0. With
 *            s = 1/m0 + 1/m1 and Δ = r0 − r1 (Fischer & Meier-Hellstern, "The
 *            Markov-modulated Poisson process (MMPP) cookbook", Performance Evaluation 18,
 *            1993):
 *                mean rate    λ̄ = (r0 m0 + r1 m1) / (m0 + m1)
 *                Var N(0, t] = λ̄t + (2 Δ² π0 π1 / s²)(s t − 1 + e^(−s t)),
 *            so the index of dispersion Var N / E N exceeds 1 whenever r0 ≠ r1.
 *
 *   diurnal  {rate_rps: λ, period_s: P, shape: [[t_s, multiplier], ...]}. A nonhomogeneous
 *            Poisson process of intensity λ(t) = λ·m̂(t mod P), where m̂ is the
 *            piecewise-linear periodic curve through the points (wrapping from the last
 *            point to the first point + P) divided by its own time average, so that the
 *            time-average rate over a period is exactly λ whatever the multipliers' scale.
 *            Sampled by thinning (Lewis & Shedler, "Simulation of nonhomogeneous Poisson
 *            processes by thinning", Naval Research Logistics Quarterly 26(3), 1979):
 *            candidates from a Poisson process of rate λ_max = λ·max m̂, each kept with
 *            probability λ(t)/λ_max; the expected number of candidates per arrival is
 *            max m̂ (the peak-to-mean ratio). Time 0 is phase 0 of the shape.
 *
 *   trace    {file, format: azure, time_scale, start_s, loop, assign}. Replays a trace
 *            (trace.h): row i arrives at (t_i − start) · time_scale, carrying its prompt
 *            and output tokens; rows before start_s are skipped. With loop, the rows from
 *            start_s on repeat with period L = (t_last − start) + ḡ, where ḡ is the mean gap
 *            of those rows, so a looped replay keeps the trace's own mean rate
 *            n_used / (L · time_scale). Without loop the process ends after the last row.
 *
 * Every open process but the trace sends each arrival to a device drawn uniformly from the
 * population; the trace uses `assign` (uniform or round robin). The process describes the
 * population's stream: splitting a Poisson stream at random gives D independent Poisson
 * streams of rate λ/D, but splitting a bursty renewal stream gives per-device streams that
 * are less bursty than the whole (Rényi's thinning theorem: they tend to Poisson as D grows).
 *
 * Closed process (requests depend on the system):
 *
 *   closed   {think_s: <distribution>, users_per_device: N}. Each user issues a request,
 *            waits for its answer, thinks for a time drawn from think_s, issues the next.
 *            With N_total users, mean response time R and mean think time Z, throughput is
 *            X = N_total / (R + Z) (interactive response time law; Lazowska et al.,
 *            "Quantitative System Performance", 1984, ch. 3) — a check for the engine.
 *
 * Ownership: an arrival_config owns its distribution, diurnal points and trace arrays; an
 * arrival_state borrows its config (which must outlive it) and holds O(1) memory. All
 * randomness comes from the gsl_rng passed in (the engine's "arrivals" stream); a state
 * draws from it in arrival order only, so policies cannot shift the arrival stream. */
#ifndef HAISIM_ARRIVALS_H
#define HAISIM_ARRIVALS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "trace.h"
#include "ydoc.h"

enum arrival_process {
    ARRIVAL_POISSON,
    ARRIVAL_GAMMA,
    ARRIVAL_WEIBULL,
    ARRIVAL_MMPP,
    ARRIVAL_DIURNAL,
    ARRIVAL_CLOSED,
    ARRIVAL_TRACE,
};

/* How trace arrivals are given to devices. */
enum arrival_assign { ARRIVAL_ASSIGN_UNIFORM, ARRIVAL_ASSIGN_ROUND_ROBIN };

/* A parsed `arrival:` map. Only the member of `u` named after the process is meaningful. It
 * owns memory: pass it by pointer, never copy it by value. */
struct arrival_config {
    enum arrival_process process;
    union {
        struct {
            double rate_rps;
        } poisson;
        struct { /* gamma and weibull */
            double rate_rps, cv;
            double shape;   /* gamma k = 1/cv²; weibull k solved from cv */
            double scale_s; /* gamma θ = cv²/rate; weibull s = (1/rate)/Γ(1+1/k) */
        } renewal;
        struct {
            double rate_rps[2], mean_sojourn_s[2];
        } mmpp;
        struct {
            double rate_rps, period_s;
            int64_t period_ns;
            size_t n_points;
            double *t_s;            /* owned; strictly increasing in [0, period_s) */
            double *multiplier;     /* owned; normalised to a time average of 1 */
            double peak_multiplier; /* max of multiplier[] */
        } diurnal;
        struct {
            struct dist think_s; /* owned */
            uint32_t users_per_device;
        } closed;
        struct {
            struct trace trace; /* owned */
            double time_scale;
            int64_t start_ns;  /* start_s in trace time */
            size_t first_row;  /* the first row at or after start_ns */
            int64_t period_ns; /* loop period L in trace time (0 when undefined) */
            bool loop;
            enum arrival_assign assign;
        } replay;
    } u;
};

/* The next arrival of an open process. */
struct arrival {
    int64_t time_ns;       /* absolute simulated time; SIMTIME_NEVER when the process ended */
    uint32_t device;       /* index in [0, n_devices) */
    int32_t prompt_tokens; /* from the trace; −1 when the process does not give it */
    int32_t output_tokens; /* likewise */
};

/* Per-run state of an open process: O(1) memory (the trace is held by the config). */
struct arrival_state {
    const struct arrival_config *cfg;
    uint32_t n_devices;
    uint64_t count;         /* arrivals produced so far */
    int64_t clock_ns;       /* time of the last arrival (0 before the first) */
    int mmpp_state;         /* mmpp: current state, 0 or 1 */
    int64_t mmpp_switch_ns; /* mmpp: when the current state ends */
    size_t row;             /* trace: next row to replay */
    int64_t pass;           /* trace: completed loops */
};

/* Reads an `arrival:` map (node n must be a map; `process` defaults to poisson). Relative
 * trace paths resolve against the YAML file's directory; a trace error is located at the
 * `file` key and quotes the CSV's file:line:column. On failure returns -1 with err filled,
 * and cfg is safe to free. */
int arrival_config_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err);

/* Releases what cfg owns; safe after a failed load and on a zeroed struct. */
void arrival_config_free(struct arrival_config *cfg);

/* "poisson", "gamma", "weibull", "mmpp", "diurnal", "closed" or "trace". */
const char *arrival_process_name(const struct arrival_config *cfg);

/* True for the closed loop (use arrival_closed_start_ns / arrival_think_ns, not
 * arrival_next). */
bool arrival_is_closed(const struct arrival_config *cfg);

/* True when arrivals carry prompt and output tokens (trace replay): the task mix must then
 * not draw lengths (tasks.h, task_set_load). */
bool arrival_gives_lengths(const struct arrival_config *cfg);

/* Long-run mean arrival rate of the population, requests/s: rate_rps for poisson, gamma,
 * weibull and diurnal; (r0 m0 + r1 m1)/(m0 + m1) for mmpp; n_used/(L·time_scale) for a
 * trace (NaN when its period is 0); NaN for closed. */
double arrival_mean_rate_rps(const struct arrival_config *cfg);

/* Intensity at simulated time t_s, requests/s: λ(t) for diurnal, the mean rate for the other
 * open processes (their intensity is random or constant), NaN for closed. */
double arrival_intensity_rps(const struct arrival_config *cfg, double t_s);

/* Starts an open process at time 0 for a population of n_devices ≥ 1 devices. Draws the
 * MMPP's start state from rng; other processes draw nothing here. */
void arrival_state_init(struct arrival_state *st, const struct arrival_config *cfg,
                        uint32_t n_devices, gsl_rng *rng);

/* Fills *out with the next arrival (times are non-decreasing; equal times are possible) and
 * returns out->time_ns, or SIMTIME_NEVER once a non-looping trace is exhausted. Call it once
 * at the start and then once each time the previous arrival fires: the process keeps its
 * own clock, so the time of the call does not matter. Open processes only. */
int64_t arrival_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out);

/* Closed loop: users per device (≥ 1); 0 for an open process. */
uint32_t arrival_users_per_device(const struct arrival_config *cfg);

/* Closed loop: when a user issues its first request, ns from time 0: a uniform fraction of a
 * think time (U·Z), so that users start spread out even with a constant think time. */
int64_t arrival_closed_start_ns(const struct arrival_config *cfg, gsl_rng *rng);

/* Closed loop: a think time in ns (negative draws count as 0); the user's next request is
 * issued at completion time + this. */
int64_t arrival_think_ns(const struct arrival_config *cfg, gsl_rng *rng);

#endif
