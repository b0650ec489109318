/* Tests of arrivals: every open process's long-run rate against its closed form, the gap CV
 * of the renewal processes against the requested CV, the equilibrium start, the MMPP's mean
 * rate and index of dispersion (Fischer & Meier-Hellstern 1993), the diurnal intensity and
 * counts per phase bin (chi-square), trace replay on the synthetic sample (exact times,
 * looping, offsets, device assignment), the closed loop's think draws, the Weibull shape
 * solver's accuracy, and bad input with its file:line:column and key path.
 *
 * Every statistical check uses a fixed-seed stream (rng_stream_new), so it is deterministic;
 * bounds are 5 standard errors of the estimator (stated at each check), which a correct
 * sampler stays far inside and a wrong rate or CV of a few percent does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arrivals.h"
#include "rng.h"
#include "simtime.h"
#include "ydoc.h"

/* The "file" the YAML snippets come from: relative trace paths resolve against tests/. */
#define TEST_YAML HAISIM_SOURCE_DIR "/tests/test.yaml"

/* --- helpers --- */

/* Loads `text` (a document with workload.arrival) into cfg; returns arrival_config_load's
 * status. A successful load must have read every key (nothing unknown is left). */
static int load_text(const char *text, struct arrival_config *cfg, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, TEST_YAML, err);
    if (!doc)
        fail_msg("YAML error in test text: %s", err->msg);
    struct ydoc_node *n = ydoc_get(ydoc_get(ydoc_root(doc), "workload"), "arrival");
    assert_non_null(n);
    int rc = arrival_config_load(cfg, n, err);
    if (rc == 0) {
        struct error unused;
        error_clear(&unused);
        if (ydoc_check_unused(doc, &unused) != 0)
            fail_msg("%s: %s", text, unused.msg);
    }
    ydoc_free(doc);
    return rc;
}

static void load_ok(const char *text, struct arrival_config *cfg)
{
    struct error err;
    if (load_text(text, cfg, &err) != 0)
        fail_msg("%s: unexpected error %d:%d %s: %s", text, err.line, err.col, err.path, err.msg);
}

/* Expects an error containing `want` at line:col of the test document, with key path. */
static void load_fails(const char *text, const char *want, int line, int col, const char *path)
{
    struct arrival_config cfg;
    struct error err;
    if (load_text(text, &cfg, &err) == 0)
        fail_msg("%s: loaded, expected an error containing '%s'", text, want);
    print_message("    %d:%d %s: %s\n", err.line, err.col, err.path, err.msg);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_string_equal(err.file, TEST_YAML);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
    arrival_config_free(&cfg); /* safe after a failed load */
}

/* Arrivals of cfg in [0, horizon_s] for n_devices devices: the count, and (when gaps is not
 * NULL) the gaps between consecutive arrivals in seconds, the first (from time 0) excluded. */
struct sample {
    size_t count;
    double *gaps;
    size_t n_gaps;
    size_t device_count[16];
    int64_t *times_ns; /* all arrival times, when asked for */
};

static void run_process(const struct arrival_config *cfg, double horizon_s, const char *stream,
                        bool keep_times, struct sample *s)
{
    gsl_rng *rng = rng_stream_new(20240917, 0, stream);
    assert_non_null(rng);
    struct arrival_state st;
    struct arrival a;
    size_t cap = 1024;
    *s = (struct sample){0};
    s->gaps = malloc(cap * sizeof s->gaps[0]);
    s->times_ns = keep_times ? malloc(cap * sizeof s->times_ns[0]) : NULL;
    assert_non_null(s->gaps);
    arrival_state_init(&st, cfg, 16, rng);
    int64_t horizon_ns = simtime_from_s(horizon_s), previous = 0;
    while (arrival_next(&st, rng, &a) <= horizon_ns) {
        assert_true(a.time_ns >= previous);
        assert_true(a.device < 16);
        assert_int_equal(a.prompt_tokens, -1);
        assert_int_equal(a.output_tokens, -1);
        if (s->count + 1 >= cap) {
            cap *= 2;
            s->gaps = realloc(s->gaps, cap * sizeof s->gaps[0]);
            assert_non_null(s->gaps);
            if (keep_times) {
                s->times_ns = realloc(s->times_ns, cap * sizeof s->times_ns[0]);
                assert_non_null(s->times_ns);
            }
        }
        if (s->count > 0)
            s->gaps[s->n_gaps++] = simtime_to_s(a.time_ns - previous);
        if (keep_times)
            s->times_ns[s->count] = a.time_ns;
        s->device_count[a.device]++;
        s->count++;
        previous = a.time_ns;
    }
    gsl_rng_free(rng);
}

static void sample_free(struct sample *s)
{
    free(s->gaps);
    free(s->times_ns);
}

/* |count − mean| < 5 sd, with sd the standard deviation of the count. */
static void check_count(const char *what, size_t count, double mean, double sd)
{
    print_message("    %-28s count %zu, expected %.1f (%+.2f sd)\n", what, count, mean,
                  ((double)count - mean) / sd);
    if (!(fabs((double)count - mean) < 5.0 * sd))
        fail_msg("%s: count %zu, expected %.1f +- 5 x %.1f", what, count, mean, sd);
}

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, rel);
}

/* --- poisson --- */

static void poisson_count_matches_rate_and_devices_are_uniform(void **state)
{
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: poisson, rate_rps: 50}", &cfg);
    assert_string_equal(arrival_process_name(&cfg), "poisson");
    assert_false(arrival_is_closed(&cfg));
    assert_false(arrival_gives_lengths(&cfg));
    assert_true(arrival_mean_rate_rps(&cfg) == 50.0);
    assert_true(arrival_intensity_rps(&cfg, 123.0) == 50.0);
    struct sample s;
    double horizon_s = 2000;
    run_process(&cfg, horizon_s, "poisson", false, &s);
    /* N(T) ~ Poisson(λT): sd √(λT). */
    check_count("poisson 50/s", s.count, 50 * horizon_s, sqrt(50 * horizon_s));
    /* Device counts: multinomial with p = 1/16; chi-square with 15 degrees of freedom. */
    double expected = (double)s.count / 16, chi2 = 0;
    for (int d = 0; d < 16; d++)
        chi2 += (s.device_count[d] - expected) * (s.device_count[d] - expected) / expected;
    print_message("    devices chi2 = %.2f, p = %.3f\n", chi2, gsl_cdf_chisq_Q(chi2, 15));
    assert_true(gsl_cdf_chisq_Q(chi2, 15) > 0.001);
    /* Exponential gaps have CV 1. */
    double sum = 0, sq = 0;
    for (size_t i = 0; i < s.n_gaps; i++)
        sum += s.gaps[i];
    double mean = sum / (double)s.n_gaps;
    for (size_t i = 0; i < s.n_gaps; i++)
        sq += (s.gaps[i] - mean) * (s.gaps[i] - mean);
    double cv = sqrt(sq / (double)(s.n_gaps - 1)) / mean;
    assert_true(fabs(cv - 1.0) < 5.0 / sqrt((double)s.n_gaps)); /* SE of ĉ at c = 1: 1/√n */
    sample_free(&s);
    arrival_config_free(&cfg);
}

/* --- renewal processes --- */

/* Central moments (mean, variance, third, fourth) of the gap distribution, from its raw
 * moments E X^n: gamma θ^n Γ(k+n)/Γ(k), Weibull s^n Γ(1+n/k) (JKB vol. 1, ch. 17 and 21). */
static void gap_moments(const struct arrival_config *cfg, double *mu, double *var, double *mu3,
                        double *mu4)
{
    double k = cfg->u.renewal.shape, scale = cfg->u.renewal.scale_s, raw[5];
    for (int n = 1; n <= 4; n++)
        raw[n] = cfg->process == ARRIVAL_GAMMA ? pow(scale, n) * exp(lgamma(k + n) - lgamma(k))
                                               : pow(scale, n) * tgamma(1.0 + n / k);
    double m = raw[1];
    *mu = m;
    *var = raw[2] - m * m;
    *mu3 = raw[3] - 3 * m * raw[2] + 2 * m * m * m;
    *mu4 = raw[4] - 4 * m * raw[3] + 6 * m * m * raw[2] - 3 * m * m * m * m;
}

/* Runs a renewal process and checks (1) the count, whose variance is ≈ λ T c² for large T
 * (Cox, "Renewal Theory", 1962), (2) the mean gap 1/λ (SE σ/√n), and (3) the sample CV of
 * the gaps against c, with the delta-method standard error of ĉ = S/X̄:
 *   Var ĉ ≈ (1/n) [σ⁴/μ⁴ + (μ4 − σ⁴)/(4 μ² σ²) − μ3/μ³]
 * computed from the distribution's exact moments. */
static void check_renewal(const char *text, enum arrival_process process, double rate, double cv)
{
    struct arrival_config cfg;
    load_ok(text, &cfg);
    assert_int_equal(cfg.process, process);
    assert_true(arrival_mean_rate_rps(&cfg) == rate);
    double mu, var, mu3, mu4;
    gap_moments(&cfg, &mu, &var, &mu3, &mu4);
    assert_close(mu, 1.0 / rate, 1e-12);     /* the parameters give mean 1/λ... */
    assert_close(sqrt(var) / mu, cv, 1e-10); /* ...and CV c */
    struct sample s;
    double horizon_s = 150000.0 / rate;
    run_process(&cfg, horizon_s, text, false, &s);
    check_count(text, s.count, rate * horizon_s, sqrt(rate * horizon_s * cv * cv));
    double n = (double)s.n_gaps, sum = 0, sq = 0;
    for (size_t i = 0; i < s.n_gaps; i++)
        sum += s.gaps[i];
    double mean = sum / n;
    for (size_t i = 0; i < s.n_gaps; i++)
        sq += (s.gaps[i] - mean) * (s.gaps[i] - mean);
    double sample_cv = sqrt(sq / (n - 1)) / mean;
    double se_mean = sqrt(var / n);
    double se_cv = sqrt(
        (var * var / pow(mu, 4) + (mu4 - var * var) / (4 * mu * mu * var) - mu3 / pow(mu, 3)) / n);
    print_message("    mean gap %.6g (want %.6g, %+.2f SE), CV %.5f (want %g, %+.2f SE)\n", mean,
                  mu, (mean - mu) / se_mean, sample_cv, cv, (sample_cv - cv) / se_cv);
    assert_true(fabs(mean - mu) < 5 * se_mean);
    assert_true(fabs(sample_cv - cv) < 5 * se_cv);
    sample_free(&s);
    arrival_config_free(&cfg);
}

static void gamma_renewal_has_requested_rate_and_cv(void **state)
{
    check_renewal("workload:\n  arrival: {process: gamma, rate_rps: 100, cv: 0.5}", ARRIVAL_GAMMA,
                  100, 0.5);
    check_renewal("workload:\n  arrival: {process: gamma, rate_rps: 20, cv: 3}", ARRIVAL_GAMMA, 20,
                  3);
}

static void weibull_renewal_has_requested_rate_and_cv(void **state)
{
    check_renewal("workload:\n  arrival: {process: weibull, rate_rps: 100, cv: 0.5}",
                  ARRIVAL_WEIBULL, 100, 0.5);
    check_renewal("workload:\n  arrival: {process: weibull, rate_rps: 20, cv: 2}", ARRIVAL_WEIBULL,
                  20, 2);
}

/* The Weibull shape solver: over a grid of 60 CVs spanning [0.1, 10] the solved shape
 * reproduces the CV to 1e-12 relative, recomputed here with tgamma; c = 1 gives k = 1 (the
 * exponential) and scale 1/λ. The gamma shape is 1/c² exactly. */
static void weibull_shape_solver_reaches_the_requested_cv(void **state)
{
    double worst = 0;
    for (int i = 0; i < 60; i++) {
        double cv = 0.1 * pow(100.0, i / 59.0);
        char text[160];
        snprintf(text, sizeof text,
                 "workload:\n  arrival: {process: weibull, rate_rps: 3, cv: %.17g}", cv);
        struct arrival_config cfg;
        load_ok(text, &cfg);
        double k = cfg.u.renewal.shape;
        double g1 = tgamma(1 + 1 / k), g2 = tgamma(1 + 2 / k);
        double achieved = sqrt(g2 / (g1 * g1) - 1);
        worst = fmax(worst, fabs(achieved - cv) / cv);
        assert_close(cfg.u.renewal.scale_s * g1, 1.0 / 3, 1e-13); /* mean gap 1/λ */
        arrival_config_free(&cfg);
    }
    print_message("    worst relative CV error over [0.1, 10]: %.2g\n", worst);
    assert_true(worst < 1e-12);
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: weibull, rate_rps: 4, cv: 1}", &cfg);
    assert_close(cfg.u.renewal.shape, 1.0, 1e-13);
    assert_close(cfg.u.renewal.scale_s, 0.25, 1e-13);
    arrival_config_free(&cfg);
    load_ok("workload:\n  arrival: {process: gamma, rate_rps: 4, cv: 0.25}", &cfg);
    assert_true(cfg.u.renewal.shape == 16.0);
    assert_true(cfg.u.renewal.scale_s == 0.25 * 0.25 / 4);
    arrival_config_free(&cfg);
}

/* A stationary (equilibrium) renewal process has E N(0, t] = λt for every t (Cox 1962).
 * With λ = 1 and t = 0.5, an ordinary renewal process started by a full gap would give
 * E N(0, 0.5] ≈ 1.76 for the Weibull with c = 3 and ≈ 2.80 for the gamma with c = 3 (by
 * simulation in Python), so this test tells the two starts apart. Bound: 5 sample SE over
 * R replications. */
static void renewal_processes_start_in_equilibrium(void **state)
{
    const char *texts[] = {
        "workload:\n  arrival: {process: weibull, rate_rps: 1, cv: 3}",
        "workload:\n  arrival: {process: gamma, rate_rps: 1, cv: 3}",
        "workload:\n  arrival: {process: poisson, rate_rps: 1}",
    };
    for (size_t i = 0; i < 3; i++) {
        struct arrival_config cfg;
        load_ok(texts[i], &cfg);
        gsl_rng *rng = rng_stream_new(5, 0, texts[i]);
        enum { R = 40000 };
        double sum = 0, sq = 0;
        for (int r = 0; r < R; r++) {
            struct arrival_state st;
            struct arrival a;
            arrival_state_init(&st, &cfg, 1, rng);
            int n = 0;
            while (arrival_next(&st, rng, &a) <= simtime_from_s(0.5))
                n++;
            sum += n;
            sq += (double)n * n;
        }
        double mean = sum / R, se = sqrt((sq / R - mean * mean) / R);
        print_message("    %s: E N(0, 0.5] = %.4f (want 0.5, %+.2f SE)\n", texts[i], mean,
                      (mean - 0.5) / se);
        assert_true(fabs(mean - 0.5) < 5 * se);
        gsl_rng_free(rng);
        arrival_config_free(&cfg);
    }
}

/* --- mmpp --- */

/* Var N(0, t] of a two-state MMPP (from the covariance Δ² π0 π1 e^(−sτ) of its rate):
 * λ̄t + (2 Δ² π0 π1 / s²)(st − 1 + e^(−st)); Fischer & Meier-Hellstern 1993. */
static double mmpp_count_variance(const struct arrival_config *cfg, double t)
{
    const double *r = cfg->u.mmpp.rate_rps, *m = cfg->u.mmpp.mean_sojourn_s;
    double s = 1 / m[0] + 1 / m[1], p0 = m[0] / (m[0] + m[1]), p1 = 1 - p0;
    double delta = r[0] - r[1], mean = (r[0] * m[0] + r[1] * m[1]) / (m[0] + m[1]);
    return mean * t + 2 * delta * delta * p0 * p1 / (s * s) * (s * t - 1 + exp(-s * t));
}

static void check_mmpp(const char *text, double want_rate, double window_s)
{
    struct arrival_config cfg;
    load_ok(text, &cfg);
    assert_close(arrival_mean_rate_rps(&cfg), want_rate, 1e-15);
    struct sample s;
    double horizon_s = 200000.0 / want_rate;
    run_process(&cfg, horizon_s, text, true, &s);
    check_count(text, s.count, want_rate * horizon_s, sqrt(mmpp_count_variance(&cfg, horizon_s)));
    /* Index of dispersion of counts in windows much longer than the modulation's correlation
     * time 1/s, so windows are nearly independent; K windows give the sample variance a
     * relative SE near √(2/K) ≈ 3 % for K = 2000 (more with the counts' excess kurtosis):
     * 15 % tolerance. */
    size_t windows = (size_t)(horizon_s / window_s);
    size_t *counts = calloc(windows, sizeof counts[0]);
    assert_non_null(counts);
    for (size_t i = 0; i < s.count; i++) {
        size_t w = (size_t)(simtime_to_s(s.times_ns[i]) / window_s);
        if (w < windows)
            counts[w]++;
    }
    double sum = 0, sq = 0;
    for (size_t w = 0; w < windows; w++)
        sum += (double)counts[w];
    double mean = sum / (double)windows;
    for (size_t w = 0; w < windows; w++)
        sq += ((double)counts[w] - mean) * ((double)counts[w] - mean);
    double idc = sq / (double)(windows - 1) / mean;
    double want_idc = mmpp_count_variance(&cfg, window_s) / (want_rate * window_s);
    print_message("    index of dispersion over %g s: %.3f (theory %.3f)\n", window_s, idc,
                  want_idc);
    assert_true(idc > 1.5);
    assert_true(fabs(idc - want_idc) < 0.15 * want_idc);
    free(counts);
    sample_free(&s);
    arrival_config_free(&cfg);
}

static void mmpp_mean_rate_and_dispersion_match_theory(void **state)
{
    /* On/off: λ̄ = (0·2 + 40·1)/3; bursty, I(10 s) ≈ 32. */
    check_mmpp("workload:\n  arrival: {process: mmpp, rates_rps: [0, 40], mean_sojourn_s: [2, 1]}",
               40.0 / 3.0, 10.0);
    /* λ̄ = (5·10 + 50·2)/12 = 12.5. */
    check_mmpp("workload:\n  arrival: {process: mmpp, rates_rps: [5, 50], mean_sojourn_s: [10, 2]}",
               12.5, 40.0);
}

static void same_stream_gives_same_arrivals(void **state)
{
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: mmpp, rates_rps: [1, 9], mean_sojourn_s: [3, 1]}",
            &cfg);
    gsl_rng *a = rng_stream_new(9, 2, "arrivals"), *b = rng_stream_new(9, 2, "arrivals");
    struct arrival_state sa, sb;
    arrival_state_init(&sa, &cfg, 5, a);
    arrival_state_init(&sb, &cfg, 5, b);
    for (int i = 0; i < 1000; i++) {
        struct arrival x, y;
        assert_true(arrival_next(&sa, a, &x) == arrival_next(&sb, b, &y));
        assert_int_equal(x.device, y.device);
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
    arrival_config_free(&cfg);
}

/* --- diurnal --- */

/* Shape [[0, 1], [50, 3]] over a 100 s period: up from 1 to 3 and back, time average 2, so
 * the normalised intensity is λ(t) = rate · m(t) / 2. Bins of 5 s align with the break at
 * 50 s, so the expected count of a bin over P periods is P · (rate/2) · 5 · (m(a) + m(b))/2.
 * Pearson's chi-square over 20 bins (19 degrees of freedom) must not reject at 0.1 %. */
static double shape_up_down(double t)
{
    return t <= 50 ? 1 + 2 * t / 50 : 3 - 2 * (t - 50) / 50;
}

static void diurnal_counts_per_bin_follow_the_shape(void **state)
{
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: diurnal, rate_rps: 50, period_s: 100,\n"
            "            shape: [[0, 1], [50, 3]]}",
            &cfg);
    assert_true(arrival_mean_rate_rps(&cfg) == 50.0);
    assert_close(cfg.u.diurnal.peak_multiplier, 1.5, 1e-15);
    enum { PERIODS = 40, BINS = 20 };
    struct sample s;
    run_process(&cfg, PERIODS * 100.0, "diurnal", true, &s);
    /* The time average is the rate: over whole periods N ~ Poisson(λT). */
    check_count("diurnal 50/s", s.count, 50.0 * PERIODS * 100, sqrt(50.0 * PERIODS * 100));
    double observed[BINS] = {0}, chi2 = 0, worst = 0;
    for (size_t i = 0; i < s.count; i++) {
        int bin = (int)(simtime_to_s(s.times_ns[i] % simtime_from_s(100.0)) / 5.0);
        observed[bin < BINS ? bin : BINS - 1]++;
    }
    for (int b = 0; b < BINS; b++) {
        double a = 5.0 * b,
               e = PERIODS * 25.0 * 5.0 * 0.5 * (shape_up_down(a) + shape_up_down(a + 5));
        chi2 += (observed[b] - e) * (observed[b] - e) / e;
        worst = fmax(worst, fabs(observed[b] - e) / sqrt(e));
    }
    double p = gsl_cdf_chisq_Q(chi2, BINS - 1);
    print_message("    chi2 = %.2f (19 df), p = %.3f, worst bin %.2f sd\n", chi2, p, worst);
    assert_true(p > 0.001);
    assert_true(worst < 5);
    sample_free(&s);
    arrival_config_free(&cfg);
}

/* Shape [[25, 0], [75, 4]] wraps from (75, 4) to (125, 0): average (100 + 100)/100 = 2, so
 * m̂ goes 0 at 25 s, 2 at 75 s, 1 at 0/50/100 s. Intensities are hand-computed. The time
 * average over a period (trapezoid rule, 10⁵ steps; exact for a piecewise-linear curve up to
 * the steps that straddle a break) equals rate_rps. With all of the period in the thinning
 * test, the zero at 25 s must hold no arrivals nearby. */
static void diurnal_intensity_is_normalised_and_wraps(void **state)
{
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: diurnal, rate_rps: 10, period_s: 100,\n"
            "            shape: [[25, 0], [75, 4]]}",
            &cfg);
    const double t[] = {25, 75, 50, 0, 100, 12.5, 87.5, -25, 175, 1e6 + 50};
    const double want[] = {0, 20, 10, 10, 10, 5, 15, 20, 20, 10};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double got = arrival_intensity_rps(&cfg, t[i]);
        if (!(fabs(got - want[i]) < 1e-9))
            fail_msg("intensity at %g s: got %.17g, want %g", t[i], got, want[i]);
    }
    double area = 0;
    enum { STEPS = 100000 };
    for (int i = 0; i < STEPS; i++) {
        double a = 100.0 * i / STEPS, b = 100.0 * (i + 1) / STEPS;
        area += 0.5 * (arrival_intensity_rps(&cfg, a) + arrival_intensity_rps(&cfg, b)) * (b - a);
    }
    assert_close(area / 100.0, 10.0, 1e-6);
    struct sample s;
    run_process(&cfg, 20000.0, "diurnal-wrap", true, &s);
    check_count("diurnal wrap 10/s", s.count, 200000, sqrt(200000.0));
    /* Near the zero λ(25 ± x) = rate · (2/50) · x = 0.4 x, so the expected count in
     * [24.5, 25.5] per period is 2 ∫0^0.5 0.4 x dx = 0.1: 20 over 200 periods, against 2000 for
     * a flat rate. Poisson: 5 sd = 5 √20. */
    size_t near_zero = 0;
    for (size_t i = 0; i < s.count; i++) {
        double phase = simtime_to_s(s.times_ns[i] % simtime_from_s(100.0));
        near_zero += phase >= 24.5 && phase <= 25.5;
    }
    print_message("    arrivals within 0.5 s of the zero: %zu (expected 20)\n", near_zero);
    assert_true(fabs((double)near_zero - 20) < 5 * sqrt(20.0));
    sample_free(&s);
    arrival_config_free(&cfg);

    load_ok("workload:\n  arrival: {process: diurnal, rate_rps: 3, shape: [[3600, 7]]}", &cfg);
    assert_true(cfg.u.diurnal.period_s == 86400.0); /* the default */
    assert_true(arrival_intensity_rps(&cfg, 0) == 3.0);
    assert_true(arrival_intensity_rps(&cfg, 50000) == 3.0);
    arrival_config_free(&cfg);
}

/* --- trace replay (tests/data/azure-sample.csv; see test_trace.c for its rows) --- */

static void trace_replays_the_sample_exactly(void **state)
{
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: trace, file: data/azure-sample.csv}", &cfg);
    assert_true(arrival_gives_lengths(&cfg));
    assert_int_equal(cfg.u.replay.assign, ARRIVAL_ASSIGN_UNIFORM);
    /* Period L = 5 s + mean gap 1 s; mean rate 6 / 6 s. */
    assert_true(cfg.u.replay.period_ns == INT64_C(6000000000));
    assert_close(arrival_mean_rate_rps(&cfg), 1.0, 1e-15);
    const int64_t want_ns[6] = {0, 1499999900, 1500000100, 1500000100, 2750000000, 5000000000};
    const int32_t want_prompt[6] = {100, 2048, 0, 7, 1500, 64};
    const int32_t want_output[6] = {10, 1, 250, 7, 300, 32};
    gsl_rng *rng = rng_stream_new(1, 0, "trace");
    struct arrival_state st;
    struct arrival a;
    arrival_state_init(&st, &cfg, 3, rng);
    for (int i = 0; i < 6; i++) {
        assert_true(arrival_next(&st, rng, &a) == want_ns[i]);
        assert_true(a.time_ns == want_ns[i]);
        assert_true(a.device < 3);
        assert_int_equal(a.prompt_tokens, want_prompt[i]);
        assert_int_equal(a.output_tokens, want_output[i]);
    }
    assert_true(arrival_next(&st, rng, &a) == SIMTIME_NEVER);
    assert_true(arrival_next(&st, rng, &a) == SIMTIME_NEVER); /* and stays ended */
    assert_int_equal(a.prompt_tokens, -1);
    gsl_rng_free(rng);
    arrival_config_free(&cfg);
}

/* start_s 1.5 skips rows 1-2; times count from the offset; with loop the 4 rows used repeat
 * with period L = (5 − 1.5) s + mean gap (5 − 1.5000001)/3 s = 4,666,666,633 ns (integer
 * ns); time_scale 2 doubles every time; round robin cycles through the devices. */
static void trace_loops_from_an_offset_with_scaled_time(void **state)
{
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: trace, file: data/azure-sample.csv, start_s: 1.5,\n"
            "            loop: true, time_scale: 2, assign: round_robin, format: azure}",
            &cfg);
    assert_int_equal(cfg.u.replay.first_row, 2);
    const int64_t period = INT64_C(4666666633);
    assert_true(cfg.u.replay.period_ns == period);
    assert_close(arrival_mean_rate_rps(&cfg), 4.0 / (2 * 4.666666633), 1e-15);
    const int64_t offset_ns[4] = {100, 100, 1250000000, 3500000000};
    const int32_t prompt[4] = {0, 7, 1500, 64};
    struct arrival_state st;
    struct arrival a;
    arrival_state_init(&st, &cfg, 3, NULL);
    for (int i = 0; i < 12; i++) {
        int64_t want = 2 * ((i / 4) * period + offset_ns[i % 4]);
        assert_true(arrival_next(&st, NULL, &a) == want);
        assert_int_equal(a.device, i % 3);
        assert_int_equal(a.prompt_tokens, prompt[i % 4]);
    }
    arrival_config_free(&cfg);

    /* A start at the last row keeps that row alone, at time 0; it cannot loop. */
    load_ok("workload:\n  arrival: {process: trace, file: data/azure-sample.csv, start_s: 5}",
            &cfg);
    gsl_rng *rng = rng_stream_new(1, 0, "trace");
    arrival_state_init(&st, &cfg, 1, rng);
    assert_true(arrival_next(&st, rng, &a) == 0);
    assert_int_equal(a.prompt_tokens, 64);
    assert_int_equal(a.device, 0);
    assert_true(arrival_next(&st, rng, &a) == SIMTIME_NEVER);
    gsl_rng_free(rng);
    arrival_config_free(&cfg);
}

/* --- closed loop --- */

static void closed_loop_draws_think_times(void **state)
{
    struct arrival_config cfg;
    load_ok("workload:\n  arrival: {process: closed, think_s: {dist: exponential, mean: 5},\n"
            "            users_per_device: 3}",
            &cfg);
    assert_true(arrival_is_closed(&cfg));
    assert_int_equal(arrival_users_per_device(&cfg), 3);
    assert_true(isnan(arrival_mean_rate_rps(&cfg)));
    assert_true(isnan(arrival_intensity_rps(&cfg, 1)));
    gsl_rng *rng = rng_stream_new(3, 0, "closed");
    struct arrival_state st;
    struct arrival a;
    arrival_state_init(&st, &cfg, 4, rng);
    assert_true(arrival_next(&st, rng, &a) == SIMTIME_NEVER);
    /* Think Z ~ Exp(mean 5): SE 5/√n. First request U·Z: mean 2.5, variance
     * E[U²]E[Z²] − 2.5² = (1/3)(50) − 6.25. */
    enum { N = 100000 };
    double think = 0, start = 0;
    for (int i = 0; i < N; i++) {
        think += simtime_to_s(arrival_think_ns(&cfg, rng));
        start += simtime_to_s(arrival_closed_start_ns(&cfg, rng));
    }
    think /= N;
    start /= N;
    print_message("    mean think %.4f s (want 5), mean first request %.4f s (want 2.5)\n", think,
                  start);
    assert_true(fabs(think - 5) < 5 * 5 / sqrt(N));
    assert_true(fabs(start - 2.5) < 5 * sqrt(50.0 / 3 - 6.25) / sqrt(N));
    arrival_config_free(&cfg);

    /* Negative draws count as zero; users_per_device defaults to 1. */
    load_ok("workload:\n  arrival: {process: closed, think_s: {dist: normal, mean: 0.1, sd: 1}}",
            &cfg);
    assert_int_equal(arrival_users_per_device(&cfg), 1);
    int zeros = 0;
    for (int i = 0; i < 10000; i++) {
        int64_t z = arrival_think_ns(&cfg, rng);
        assert_true(z >= 0);
        zeros += z == 0;
    }
    /* P(Z ≤ 0) = Φ(−0.1) = 0.4602; binomial SE √(p(1−p)/n) = 0.005. */
    assert_true(fabs(zeros / 10000.0 - 0.4602) < 5 * 0.005);
    gsl_rng_free(rng);
    arrival_config_free(&cfg);
}

/* --- bad input --- */

static void bad_input_is_located(void **state)
{
    load_fails("workload:\n  arrival: [1, 2]\n", "expected a map", 2, 12, "workload.arrival");
    load_fails("workload:\n  arrival:\n    process: poison\n    rate_rps: 1\n",
               "did you mean 'poisson'", 3, 14, "workload.arrival.process");
    load_fails("workload:\n  arrival:\n    process: poisson\n", "missing required key 'rate_rps'",
               3, 5, "workload.arrival");
    load_fails("workload:\n  arrival:\n    rate_rps: -2\n", "> 0", 3, 15,
               "workload.arrival.rate_rps");
    load_fails("workload:\n  arrival:\n    process: gamma\n    rate_rps: 2\n    cv: 0\n",
               "[0.1, 10]", 5, 9, "workload.arrival.cv");
    load_fails("workload:\n  arrival:\n    process: weibull\n    rate_rps: 2\n    cv: -1\n",
               "[0.1, 10]", 5, 9, "workload.arrival.cv");
    load_fails("workload:\n  arrival:\n    process: weibull\n    rate_rps: 2\n    cv: 11\n",
               "[0.1, 10]", 5, 9, "workload.arrival.cv");
    load_fails("workload:\n  arrival:\n    process: gamma\n    rate_rps: .inf\n    cv: 1\n", "> 0",
               4, 15, "workload.arrival.rate_rps");
    /* mmpp */
    load_fails("workload:\n  arrival:\n    process: mmpp\n    rates_rps: [0, 0]\n"
               "    mean_sojourn_s: [1, 1]\n",
               "must not both be 0", 4, 16, "workload.arrival.rates_rps");
    load_fails("workload:\n  arrival:\n    process: mmpp\n    rates_rps: [1, -2]\n"
               "    mean_sojourn_s: [1, 1]\n",
               ">= 0", 4, 20, "workload.arrival.rates_rps[1]");
    load_fails("workload:\n  arrival:\n    process: mmpp\n    rates_rps: [1, 2, 3]\n"
               "    mean_sojourn_s: [1, 1]\n",
               "expected a list of 2 numbers", 4, 16, "workload.arrival.rates_rps");
    load_fails("workload:\n  arrival:\n    process: mmpp\n    rates_rps: [1, 2]\n"
               "    mean_sojourn_s: [1, 0]\n",
               "> 0", 5, 25, "workload.arrival.mean_sojourn_s[1]");
    /* diurnal */
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n"
               "    shape: [[0, 1], [50, 2], [40, 3]]\n",
               "greater than the previous point's (50)", 5, 31, "workload.arrival.shape[2][0]");
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n"
               "    shape: [[-1, 1]]\n",
               "[0, 86400)", 5, 14, "workload.arrival.shape[0][0]");
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n    period_s: 60\n"
               "    shape: [[0, 1], [60, 2]]\n",
               "[0, 60)", 6, 22, "workload.arrival.shape[1][0]");
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n"
               "    shape: [[0, 1], [10, -2]]\n",
               ">= 0", 5, 26, "workload.arrival.shape[1][1]");
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n"
               "    shape: [[0, 0], [10, 0]]\n",
               "must not all be 0", 5, 12, "workload.arrival.shape");
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n"
               "    shape: [[0, 1, 2]]\n",
               "expected a point [t_s, multiplier]", 5, 13, "workload.arrival.shape[0]");
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n    shape: []\n",
               "at least one point", 5, 12, "workload.arrival.shape");
    load_fails("workload:\n  arrival:\n    process: diurnal\n    rate_rps: 1\n    period_s: 0\n"
               "    shape: [[0, 1]]\n",
               "[0.001, 1e+09]", 5, 15, "workload.arrival.period_s");
    /* closed */
    load_fails("workload:\n  arrival:\n    process: closed\n", "missing required key 'think_s'", 3,
               5, "workload.arrival");
    load_fails("workload:\n  arrival:\n    process: closed\n"
               "    think_s: {dist: normal, mean: -1, sd: 1}\n",
               "finite mean >= 0", 4, 14, "workload.arrival.think_s");
    load_fails("workload:\n  arrival:\n    process: closed\n    think_s: 1\n"
               "    users_per_device: 0\n",
               "[1, 1000000]", 5, 23, "workload.arrival.users_per_device");
    /* trace */
    load_fails("workload:\n  arrival:\n    process: trace\n    file: data/no-such.csv\n",
               "no-such.csv: cannot read the trace", 4, 11, "workload.arrival.file");
    load_fails("workload:\n  arrival:\n    process: trace\n    file: data/azure-sample.csv\n"
               "    time_scale: 0\n",
               "> 0", 5, 17, "workload.arrival.time_scale");
    load_fails("workload:\n  arrival:\n    process: trace\n    file: data/azure-sample.csv\n"
               "    start_s: 6\n",
               "after the trace's last row", 5, 14, "workload.arrival.start_s");
    load_fails("workload:\n  arrival:\n    process: trace\n    file: data/azure-sample.csv\n"
               "    start_s: 5\n    loop: true\n",
               "cannot loop", 6, 11, "workload.arrival.loop");
    load_fails("workload:\n  arrival:\n    process: trace\n    file: data/azure-sample.csv\n"
               "    assign: roundrobin\n",
               "did you mean 'round_robin'", 5, 13, "workload.arrival.assign");
    load_fails("workload:\n  arrival:\n    process: trace\n    file: data/azure-sample.csv\n"
               "    format: alibaba\n",
               "azure", 5, 13, "workload.arrival.format");
}

/* A CSV error is reported at the YAML `file` key and quotes the CSV's own file:line:col. */
static void trace_csv_errors_name_the_csv_line(void **state)
{
    char dir[] = "/tmp/haisim-test-arrivals-XXXXXX", path[256], text[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,1,2\n"
          "2023-11-16 18:15:47,1,x\n",
          f);
    fclose(f);
    snprintf(text, sizeof text, "workload:\n  arrival:\n    process: trace\n    file: %s\n", path);
    char want[300];
    snprintf(want, sizeof want, "%s:3:23: expected a whole number", path);
    load_fails(text, want, 4, 11, "workload.arrival.file");
    remove(path);
    rmdir(dir);
}

/* Keys of another process are not read, so the unknown-key check reports them. */
static void keys_of_other_processes_are_unknown(void **state)
{
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(
        "workload:\n  arrival: {process: poisson, rate_rps: 1, cv: 2}\n", TEST_YAML, &err);
    assert_non_null(doc);
    struct arrival_config cfg;
    assert_int_equal(
        arrival_config_load(&cfg, ydoc_get(ydoc_get(ydoc_root(doc), "workload"), "arrival"), &err),
        0);
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_non_null(strstr(err.msg, "unknown key 'cv'"));
    assert_string_equal(err.path, "workload.arrival.cv");
    ydoc_free(doc);
    arrival_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(poisson_count_matches_rate_and_devices_are_uniform),
        cmocka_unit_test(gamma_renewal_has_requested_rate_and_cv),
        cmocka_unit_test(weibull_renewal_has_requested_rate_and_cv),
        cmocka_unit_test(weibull_shape_solver_reaches_the_requested_cv),
        cmocka_unit_test(renewal_processes_start_in_equilibrium),
        cmocka_unit_test(mmpp_mean_rate_and_dispersion_match_theory),
        cmocka_unit_test(same_stream_gives_same_arrivals),
        cmocka_unit_test(diurnal_counts_per_bin_follow_the_shape),
        cmocka_unit_test(diurnal_intensity_is_normalised_and_wraps),
        cmocka_unit_test(trace_replays_the_sample_exactly),
        cmocka_unit_test(trace_loops_from_an_offset_with_scaled_time),
        cmocka_unit_test(closed_loop_draws_think_times),
        cmocka_unit_test(bad_input_is_located),
        cmocka_unit_test(trace_csv_errors_name_the_csv_line),
        cmocka_unit_test(keys_of_other_processes_are_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
