/* arrivals: arrival processes of a device population (see arrivals.h for the model).
 *
 * Each process is a row of a registry table (STYLE rule 3) indexed by enum arrival_process:
 * its YAML name, its loader, its sampler and its mean rate. */
#include "arrivals.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_util.h"
#include "simtime.h"

/* Parameters must be finite: the open infinite bounds exclude infinities. */
#define ARRIVAL_POSITIVE ((struct range){0.0, INFINITY, true, true})
#define ARRIVAL_NONNEGATIVE ((struct range){0.0, INFINITY, false, true})
#define ARRIVAL_CV RANGE_CLOSED(0.1, 10.0)
#define ARRIVAL_PERIOD_S RANGE_CLOSED(1e-3, 1e9)

struct arrival_ops {
    const char *name;
    int (*load)(struct arrival_config *cfg, struct ydoc_node *n, struct error *err);
    /* Returns the next arrival's time and fills out (device, tokens); NULL for closed. */
    int64_t (*next)(struct arrival_state *st, gsl_rng *rng, struct arrival *out);
    double (*mean_rate_rps)(const struct arrival_config *cfg);
};

/* Adds a duration in seconds to a time, saturating at SIMTIME_NEVER. */
static int64_t arrival_advance(int64_t t_ns, double gap_s)
{
    int64_t next = t_ns + simtime_from_s(gap_s); /* both <= SIMTIME_NEVER: no overflow */
    return next < SIMTIME_NEVER ? next : SIMTIME_NEVER;
}

static void arrival_uniform_device(const struct arrival_state *st, gsl_rng *rng,
                                   struct arrival *out)
{
    out->device = (uint32_t)gsl_rng_uniform_int(rng, st->n_devices);
}

/* --- poisson --- */

static int arrival_poisson_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    return load_required_f64(n, "rate_rps", ARRIVAL_POSITIVE, &cfg->u.poisson.rate_rps, err);
}

static int64_t arrival_poisson_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out)
{
    double gap_s = gsl_ran_exponential(rng, 1.0 / st->cfg->u.poisson.rate_rps);
    st->clock_ns = arrival_advance(st->clock_ns, gap_s);
    arrival_uniform_device(st, rng, out);
    return st->clock_ns;
}

static double arrival_poisson_rate(const struct arrival_config *cfg)
{
    return cfg->u.poisson.rate_rps;
}

/* --- gamma and weibull renewal processes --- */

static double arrival_renewal_rate(const struct arrival_config *cfg)
{
    return cfg->u.renewal.rate_rps;
}

static int arrival_renewal_load_common(struct arrival_config *cfg, struct ydoc_node *n,
                                       struct error *err)
{
    return load_required_f64(n, "rate_rps", ARRIVAL_POSITIVE, &cfg->u.renewal.rate_rps, err) ||
           load_required_f64(n, "cv", ARRIVAL_CV, &cfg->u.renewal.cv, err);
}

static int arrival_gamma_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    if (arrival_renewal_load_common(cfg, n, err) != 0)
        return -1;
    double cv2 = cfg->u.renewal.cv * cfg->u.renewal.cv;
    cfg->u.renewal.shape = 1.0 / cv2;                       /* c² = 1/k */
    cfg->u.renewal.scale_s = cv2 / cfg->u.renewal.rate_rps; /* mean kθ = 1/λ */
    return 0;
}

static int64_t arrival_gamma_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out)
{
    double k = st->cfg->u.renewal.shape, theta = st->cfg->u.renewal.scale_s, gap_s;
    if (st->count == 0) /* equilibrium start: U times a length-biased gap, Gamma(k + 1, θ) */
        gap_s = gsl_rng_uniform(rng) * gsl_ran_gamma(rng, k + 1.0, theta);
    else
        gap_s = gsl_ran_gamma(rng, k, theta);
    st->clock_ns = arrival_advance(st->clock_ns, gap_s);
    arrival_uniform_device(st, rng, out);
    return st->clock_ns;
}

/* Squared CV of a Weibull of shape k: Γ(1+2/k)/Γ(1+1/k)² − 1, through log-gamma so that
 * small shapes do not overflow and expm1 so that large shapes (c² near 0) keep their digits.
 * gsl_sf_lngamma rather than lgamma, which writes the global signgam. */
static double arrival_weibull_cv2(double k)
{
    return expm1(gsl_sf_lngamma(1.0 + 2.0 / k) - 2.0 * gsl_sf_lngamma(1.0 + 1.0 / k));
}

/* The Weibull shape with CV cv ∈ [0.1, 10]: bisection on ln k over [ln 0.1, ln 100], where
 * c²(k) is decreasing, until the midpoint equals an end (about 60 halvings). */
static double arrival_weibull_shape(double cv)
{
    double target = cv * cv, lo = log(0.1), hi = log(100.0);
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (arrival_weibull_cv2(exp(mid)) > target)
            lo = mid;
        else
            hi = mid;
    }
    return exp(0.5 * (lo + hi));
}

static int arrival_weibull_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    if (arrival_renewal_load_common(cfg, n, err) != 0)
        return -1;
    double k = arrival_weibull_shape(cfg->u.renewal.cv);
    cfg->u.renewal.shape = k;
    cfg->u.renewal.scale_s = (1.0 / cfg->u.renewal.rate_rps) / tgamma(1.0 + 1.0 / k);
    return 0;
}

static int64_t arrival_weibull_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out)
{
    double k = st->cfg->u.renewal.shape, s = st->cfg->u.renewal.scale_s, gap_s;
    if (st->count == 0) /* equilibrium start: U times s Y^(1/k), Y ~ Gamma(1 + 1/k, 1) */
        gap_s = gsl_rng_uniform(rng) * s * pow(gsl_ran_gamma(rng, 1.0 + 1.0 / k, 1.0), 1.0 / k);
    else
        gap_s = gsl_ran_weibull(rng, s, k);
    st->clock_ns = arrival_advance(st->clock_ns, gap_s);
    arrival_uniform_device(st, rng, out);
    return st->clock_ns;
}

/* --- mmpp --- */

/* A list of exactly two numbers in r (one per MMPP state). */
static int arrival_read_pair(struct ydoc_node *map, const char *key, struct range r, double out[2],
                             struct ydoc_node **list, struct error *err)
{
    if (ydoc_require(map, key, list, err) != 0 || ydoc_expect(*list, YDOC_SEQ, err) != 0)
        return -1;
    if (ydoc_len(*list) != 2)
        return ydoc_error(*list, err, "expected a list of 2 numbers (one per state), got %zu",
                          ydoc_len(*list));
    for (size_t i = 0; i < 2; i++)
        if (ydoc_as_f64(ydoc_item(*list, i), r, &out[i], err) != 0)
            return -1;
    return 0;
}

static int arrival_mmpp_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    struct ydoc_node *rates, *sojourns;
    if (arrival_read_pair(n, "rates_rps", ARRIVAL_NONNEGATIVE, cfg->u.mmpp.rate_rps, &rates, err) !=
            0 ||
        arrival_read_pair(n, "mean_sojourn_s", ARRIVAL_POSITIVE, cfg->u.mmpp.mean_sojourn_s,
                          &sojourns, err) != 0)
        return -1;
    if (cfg->u.mmpp.rate_rps[0] == 0.0 && cfg->u.mmpp.rate_rps[1] == 0.0)
        return ydoc_error(rates, err, "the two rates must not both be 0 (no request would come)");
    return 0;
}

static int64_t arrival_mmpp_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out)
{
    const double *rate = st->cfg->u.mmpp.rate_rps, *sojourn = st->cfg->u.mmpp.mean_sojourn_s;
    int64_t t = st->clock_ns;
    for (;;) {
        /* Both the gap and the sojourn are memoryless, so a gap that would cross the switch
         * is discarded and a fresh one drawn in the next state. */
        double r = rate[st->mmpp_state];
        if (r > 0.0) {
            int64_t candidate = arrival_advance(t, gsl_ran_exponential(rng, 1.0 / r));
            if (candidate < st->mmpp_switch_ns) {
                st->clock_ns = candidate;
                arrival_uniform_device(st, rng, out);
                return candidate;
            }
        }
        if (st->mmpp_switch_ns >= SIMTIME_NEVER)
            return st->clock_ns = SIMTIME_NEVER;
        t = st->mmpp_switch_ns;
        st->mmpp_state ^= 1;
        st->mmpp_switch_ns = arrival_advance(t, gsl_ran_exponential(rng, sojourn[st->mmpp_state]));
    }
}

/* λ̄ = (r0 m0 + r1 m1) / (m0 + m1) (Fischer & Meier-Hellstern 1993). */
static double arrival_mmpp_rate(const struct arrival_config *cfg)
{
    const double *r = cfg->u.mmpp.rate_rps, *m = cfg->u.mmpp.mean_sojourn_s;
    return (r[0] * m[0] + r[1] * m[1]) / (m[0] + m[1]);
}

/* --- diurnal --- */

/* The normalised multiplier m̂ at phase_s ∈ [0, period): linear between neighbouring points,
 * and from the last point to the first point + period across the end of the period. */
static double arrival_diurnal_multiplier(const struct arrival_config *cfg, double phase_s)
{
    size_t n = cfg->u.diurnal.n_points;
    const double *t = cfg->u.diurnal.t_s, *m = cfg->u.diurnal.multiplier;
    double t0, m0, t1, m1;
    if (n == 1)
        return m[0];
    if (phase_s < t[0] || phase_s >= t[n - 1]) {
        t0 = t[n - 1];
        m0 = m[n - 1];
        t1 = t[0] + cfg->u.diurnal.period_s;
        m1 = m[0];
        if (phase_s < t[0])
            phase_s += cfg->u.diurnal.period_s;
    } else {
        size_t lo = 0, hi = n - 1; /* invariant: t[lo] <= phase_s < t[hi] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (t[mid] <= phase_s)
                lo = mid;
            else
                hi = mid;
        }
        t0 = t[lo];
        m0 = m[lo];
        t1 = t[hi];
        m1 = m[hi];
    }
    return m0 + (m1 - m0) * (phase_s - t0) / (t1 - t0);
}

/* Reads one shape point [t_s, multiplier]; t_s must exceed *previous_t (−1 at first). */
static int arrival_diurnal_point(struct ydoc_node *item, double period_s, double previous_t,
                                 double *t_s, double *multiplier, struct error *err)
{
    if (ydoc_expect(item, YDOC_SEQ, err) != 0)
        return -1;
    if (ydoc_len(item) != 2)
        return ydoc_error(item, err, "expected a point [t_s, multiplier], got %zu number%s",
                          ydoc_len(item), ydoc_len(item) == 1 ? "" : "s");
    struct range t_range = {0.0, period_s, false, true}; /* [0, period_s) */
    if (ydoc_as_f64(ydoc_item(item, 0), t_range, t_s, err) != 0 ||
        ydoc_as_f64(ydoc_item(item, 1), ARRIVAL_NONNEGATIVE, multiplier, err) != 0)
        return -1;
    if (!(*t_s > previous_t))
        return ydoc_error(ydoc_item(item, 0), err,
                          "t_s (%g) must be greater than the previous point's (%g): list the "
                          "points in increasing time",
                          *t_s, previous_t);
    return 0;
}

static int arrival_diurnal_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    struct ydoc_node *shape;
    cfg->u.diurnal.period_s = 86400.0;
    if (load_required_f64(n, "rate_rps", ARRIVAL_POSITIVE, &cfg->u.diurnal.rate_rps, err) != 0 ||
        ydoc_read_f64(n, "period_s", ARRIVAL_PERIOD_S, &cfg->u.diurnal.period_s, err) != 0 ||
        ydoc_require(n, "shape", &shape, err) != 0 || ydoc_expect(shape, YDOC_SEQ, err) != 0)
        return -1;
    double period_s = cfg->u.diurnal.period_s;
    size_t count = ydoc_len(shape);
    if (count == 0)
        return ydoc_error(shape, err, "expected at least one point [t_s, multiplier]");
    double *t = malloc(count * sizeof t[0]), *m = malloc(count * sizeof m[0]);
    cfg->u.diurnal.t_s = t;
    cfg->u.diurnal.multiplier = m;
    if (!t || !m)
        return ydoc_error(shape, err, "out of memory");
    cfg->u.diurnal.n_points = count;
    for (size_t i = 0; i < count; i++)
        if (arrival_diurnal_point(ydoc_item(shape, i), period_s, i ? t[i - 1] : -1.0, &t[i], &m[i],
                                  err) != 0)
            return -1;
    /* Time average of the piecewise-linear curve: trapezoids, including the wrap-around
     * segment from the last point to the first point + period. */
    double area = 0.0;
    for (size_t i = 0; i < count; i++) {
        double t_next = i + 1 < count ? t[i + 1] : t[0] + period_s;
        double m_next = i + 1 < count ? m[i + 1] : m[0];
        area += 0.5 * (m[i] + m_next) * (t_next - t[i]);
    }
    double average = area / period_s;
    if (!(average > 0.0))
        return ydoc_error(shape, err, "the multipliers must not all be 0");
    double peak = 0.0;
    for (size_t i = 0; i < count; i++) {
        m[i] /= average;
        peak = fmax(peak, m[i]);
    }
    cfg->u.diurnal.peak_multiplier = peak;
    cfg->u.diurnal.period_ns = simtime_from_s(period_s);
    return 0;
}

/* Thinning (Lewis & Shedler 1979): candidates at the peak rate, each kept with probability
 * λ(t)/λ_max. */
static int64_t arrival_diurnal_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out)
{
    const struct arrival_config *cfg = st->cfg;
    double peak = cfg->u.diurnal.peak_multiplier;
    double mean_gap_s = 1.0 / (cfg->u.diurnal.rate_rps * peak);
    int64_t t = st->clock_ns;
    do {
        t = arrival_advance(t, gsl_ran_exponential(rng, mean_gap_s));
        if (t >= SIMTIME_NEVER)
            return st->clock_ns = SIMTIME_NEVER;
    } while (gsl_rng_uniform(rng) * peak >=
             arrival_diurnal_multiplier(cfg, simtime_to_s(t % cfg->u.diurnal.period_ns)));
    st->clock_ns = t;
    arrival_uniform_device(st, rng, out);
    return t;
}

static double arrival_diurnal_rate(const struct arrival_config *cfg)
{
    return cfg->u.diurnal.rate_rps;
}

/* --- closed --- */

static int arrival_closed_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    struct ydoc_node *think;
    int64_t users = 1;
    dist_constant(&cfg->u.closed.think_s, 0.0);
    if (ydoc_require(n, "think_s", &think, err) != 0 ||
        dist_parse(&cfg->u.closed.think_s, think, err) != 0 ||
        ydoc_read_i64(n, "users_per_device", 1, 1000000, &users, err) != 0)
        return -1;
    cfg->u.closed.users_per_device = (uint32_t)users;
    double mean = dist_mean(&cfg->u.closed.think_s);
    if (!(mean >= 0.0 && isfinite(mean)))
        return ydoc_error(think, err, "the think time must have a finite mean >= 0, got %g", mean);
    return 0;
}

static double arrival_closed_rate(const struct arrival_config *cfg)
{
    return NAN;
}

/* --- trace --- */

static const char *const arrival_trace_formats[] = {"azure"};
static const char *const arrival_assign_names[] = {"uniform", "round_robin"};

/* Loads the trace file named by the `file` key; a CSV error is relocated to that key. */
static int arrival_trace_read(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    struct ydoc_node *file_node;
    const char *file;
    int format = 0;
    if (ydoc_require(n, "file", &file_node, err) != 0 ||
        ydoc_read_str(n, "file", &file, err) != 0 ||
        ydoc_read_enum(n, "format", arrival_trace_formats, 1, &format, err) != 0)
        return -1;
    char dir[4096], path[4096];
    ydoc_dir(n, dir, sizeof dir);
    int len = file[0] == '/' ? snprintf(path, sizeof path, "%s", file)
                             : snprintf(path, sizeof path, "%s/%s", dir, file);
    if (len < 0 || (size_t)len >= sizeof path)
        return ydoc_error(file_node, err, "path is too long");
    struct error csv;
    error_clear(&csv);
    if (trace_load_azure(&cfg->u.replay.trace, path, &csv) == 0)
        return 0;
    if (csv.line > 0)
        return ydoc_error(file_node, err, "%s:%d:%d: %s", csv.file, csv.line, csv.col, csv.msg);
    return ydoc_error(file_node, err, "%s: %s", csv.file, csv.msg);
}

static int arrival_trace_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    double start_s = 0.0;
    int assign = 0;
    cfg->u.replay.time_scale = 1.0;
    cfg->u.replay.loop = false;
    if (arrival_trace_read(cfg, n, err) != 0 ||
        ydoc_read_f64(n, "time_scale", ARRIVAL_POSITIVE, &cfg->u.replay.time_scale, err) != 0 ||
        ydoc_read_f64(n, "start_s", ARRIVAL_NONNEGATIVE, &start_s, err) != 0 ||
        ydoc_read_bool(n, "loop", &cfg->u.replay.loop, err) != 0 ||
        ydoc_read_enum(n, "assign", arrival_assign_names, 2, &assign, err) != 0)
        return -1;
    cfg->u.replay.assign = (enum arrival_assign)assign;
    const struct trace *tr = &cfg->u.replay.trace;
    int64_t start_ns = simtime_from_s(start_s);
    size_t lo = 0, hi = tr->n_rows; /* first row with time_ns >= start_ns */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->time_ns[mid] < start_ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == tr->n_rows)
        return ydoc_error(ydoc_get(n, "start_s"), err,
                          "start_s (%g) is after the trace's last row (at %.9g s)", start_s,
                          trace_duration_s(tr));
    cfg->u.replay.start_ns = start_ns;
    cfg->u.replay.first_row = lo;
    /* Loop period L = (t_last − start) + mean gap of the rows used. */
    size_t used = tr->n_rows - lo;
    int64_t last = tr->time_ns[tr->n_rows - 1];
    int64_t mean_gap = used > 1 ? (last - tr->time_ns[lo]) / (int64_t)(used - 1) : 0;
    cfg->u.replay.period_ns = last - start_ns + mean_gap;
    if (cfg->u.replay.loop && cfg->u.replay.period_ns <= 0)
        return ydoc_error(ydoc_get(n, "loop"), err,
                          "cannot loop: the %zu row%s replayed from start_s on span no time", used,
                          used == 1 ? "" : "s");
    return 0;
}

static int64_t arrival_trace_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out)
{
    const struct arrival_config *cfg = st->cfg;
    const struct trace *tr = &cfg->u.replay.trace;
    if (st->row == tr->n_rows) {
        if (!cfg->u.replay.loop)
            return SIMTIME_NEVER;
        st->row = cfg->u.replay.first_row;
        st->pass++;
    }
    int64_t period = cfg->u.replay.period_ns;
    if (st->pass > 0 && st->pass >= SIMTIME_NEVER / period)
        return SIMTIME_NEVER;
    int64_t trace_ns = st->pass * period + tr->time_ns[st->row] - cfg->u.replay.start_ns;
    /* One rounding per arrival from the trace's own offset: scaling never accumulates. */
    double scaled = (double)trace_ns * cfg->u.replay.time_scale;
    if (scaled >= (double)SIMTIME_NEVER)
        return SIMTIME_NEVER;
    st->clock_ns = (int64_t)llround(scaled);
    out->prompt_tokens = tr->prompt_tokens[st->row];
    out->output_tokens = tr->output_tokens[st->row];
    if (cfg->u.replay.assign == ARRIVAL_ASSIGN_ROUND_ROBIN)
        out->device = (uint32_t)(st->count % st->n_devices);
    else
        arrival_uniform_device(st, rng, out);
    st->row++;
    return st->clock_ns;
}

static double arrival_trace_rate(const struct arrival_config *cfg)
{
    if (cfg->u.replay.period_ns <= 0)
        return NAN;
    double used = (double)(cfg->u.replay.trace.n_rows - cfg->u.replay.first_row);
    return used / (simtime_to_s(cfg->u.replay.period_ns) * cfg->u.replay.time_scale);
}

/* --- registry, in enum arrival_process order --- */

static const struct arrival_ops arrival_registry[] = {
    [ARRIVAL_POISSON] = {"poisson", arrival_poisson_load, arrival_poisson_next,
                         arrival_poisson_rate},
    [ARRIVAL_GAMMA] = {"gamma", arrival_gamma_load, arrival_gamma_next, arrival_renewal_rate},
    [ARRIVAL_WEIBULL] = {"weibull", arrival_weibull_load, arrival_weibull_next,
                         arrival_renewal_rate},
    [ARRIVAL_MMPP] = {"mmpp", arrival_mmpp_load, arrival_mmpp_next, arrival_mmpp_rate},
    [ARRIVAL_DIURNAL] = {"diurnal", arrival_diurnal_load, arrival_diurnal_next,
                         arrival_diurnal_rate},
    [ARRIVAL_CLOSED] = {"closed", arrival_closed_load, NULL, arrival_closed_rate},
    [ARRIVAL_TRACE] = {"trace", arrival_trace_load, arrival_trace_next, arrival_trace_rate},
};

enum { ARRIVAL_PROCESSES = sizeof arrival_registry / sizeof arrival_registry[0] };

int arrival_config_load(struct arrival_config *cfg, struct ydoc_node *n, struct error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->process = ARRIVAL_POISSON;
    if (ydoc_expect(n, YDOC_MAP, err) != 0)
        return -1;
    const char *names[ARRIVAL_PROCESSES];
    for (size_t i = 0; i < ARRIVAL_PROCESSES; i++)
        names[i] = arrival_registry[i].name;
    int process = ARRIVAL_POISSON;
    if (ydoc_read_enum(n, "process", names, ARRIVAL_PROCESSES, &process, err) != 0)
        return -1;
    cfg->process = (enum arrival_process)process;
    if (arrival_registry[process].load(cfg, n, err) != 0) {
        arrival_config_free(cfg);
        return -1;
    }
    return 0;
}

void arrival_config_free(struct arrival_config *cfg)
{
    switch (cfg->process) {
    case ARRIVAL_DIURNAL:
        free(cfg->u.diurnal.t_s);
        free(cfg->u.diurnal.multiplier);
        break;
    case ARRIVAL_CLOSED:
        dist_free(&cfg->u.closed.think_s);
        break;
    case ARRIVAL_TRACE:
        trace_free(&cfg->u.replay.trace);
        break;
    default:
        break;
    }
    memset(cfg, 0, sizeof *cfg);
    cfg->process = ARRIVAL_POISSON;
}

const char *arrival_process_name(const struct arrival_config *cfg)
{
    return arrival_registry[cfg->process].name;
}

bool arrival_is_closed(const struct arrival_config *cfg)
{
    return cfg->process == ARRIVAL_CLOSED;
}

bool arrival_gives_lengths(const struct arrival_config *cfg)
{
    return cfg->process == ARRIVAL_TRACE;
}

double arrival_mean_rate_rps(const struct arrival_config *cfg)
{
    return arrival_registry[cfg->process].mean_rate_rps(cfg);
}

double arrival_intensity_rps(const struct arrival_config *cfg, double t_s)
{
    if (cfg->process != ARRIVAL_DIURNAL)
        return arrival_mean_rate_rps(cfg);
    double phase_s = fmod(t_s, cfg->u.diurnal.period_s);
    if (phase_s < 0.0)
        phase_s += cfg->u.diurnal.period_s;
    return cfg->u.diurnal.rate_rps * arrival_diurnal_multiplier(cfg, phase_s);
}

void arrival_state_init(struct arrival_state *st, const struct arrival_config *cfg,
                        uint32_t n_devices, gsl_rng *rng)
{
    *st = (struct arrival_state){.cfg = cfg, .n_devices = n_devices ? n_devices : 1};
    if (cfg->process == ARRIVAL_MMPP) {
        /* Stationary start: state i with probability π_i = m_i / (m0 + m1); the residual
         * sojourn of an exponential state is again exponential with the same mean. */
        const double *m = cfg->u.mmpp.mean_sojourn_s;
        st->mmpp_state = gsl_rng_uniform(rng) < m[0] / (m[0] + m[1]) ? 0 : 1;
        st->mmpp_switch_ns = arrival_advance(0, gsl_ran_exponential(rng, m[st->mmpp_state]));
    }
    if (cfg->process == ARRIVAL_TRACE)
        st->row = cfg->u.replay.first_row;
}

int64_t arrival_next(struct arrival_state *st, gsl_rng *rng, struct arrival *out)
{
    *out = (struct arrival){.time_ns = SIMTIME_NEVER, .prompt_tokens = -1, .output_tokens = -1};
    const struct arrival_ops *ops = &arrival_registry[st->cfg->process];
    if (!ops->next)
        return SIMTIME_NEVER; /* closed: arrivals come from completions */
    int64_t t = ops->next(st, rng, out);
    if (t >= SIMTIME_NEVER) {
        *out = (struct arrival){.time_ns = SIMTIME_NEVER, .prompt_tokens = -1, .output_tokens = -1};
        return SIMTIME_NEVER;
    }
    out->time_ns = t;
    st->count++;
    return t;
}

uint32_t arrival_users_per_device(const struct arrival_config *cfg)
{
    return cfg->process == ARRIVAL_CLOSED ? cfg->u.closed.users_per_device : 0;
}

int64_t arrival_closed_start_ns(const struct arrival_config *cfg, gsl_rng *rng)
{
    double u = gsl_rng_uniform(rng);
    return simtime_from_s(u * dist_sample(&cfg->u.closed.think_s, rng));
}

int64_t arrival_think_ns(const struct arrival_config *cfg, gsl_rng *rng)
{
    return simtime_from_s(dist_sample(&cfg->u.closed.think_s, rng));
}
