/* Tests of stats: Welford moments, the exact/DDSketch quantile sketch, Student-t intervals.
 * Data come from GSL's mt19937 with fixed seeds, so the test does not depend on sim/rng.c. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

enum { SKETCH_N = 1000000 };

/* Floating-point slack of the sketch's bound at bucket boundaries (see stats.c). */
#define SKETCH_SLACK 1e-12

static gsl_rng *new_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, seed);
    return r;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *sorted_copy(const double *xs, size_t n)
{
    double *s = malloc(n * sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = xs[i];
    qsort(s, n, sizeof *s, compare_double);
    return s;
}

/* The nearest-rank quantile x_(k), k = max(1, ceil(j n / m)), in integer arithmetic. */
static double nearest_rank(const double *sorted, size_t n, uint64_t j, uint64_t m)
{
    uint64_t k = (j * n + m - 1) / m;
    if (k < 1)
        k = 1;
    return sorted[k - 1];
}

/* --- moments -------------------------------------------------------------------------- */

static void welford_matches_two_pass_with_large_offset(void **state)
{
    (void)state;
    enum { N = 100000 };
    gsl_rng *r = new_rng(1);
    double *xs = malloc(N * sizeof *xs);
    assert_non_null(xs);
    struct stats_acc a;
    stats_acc_init(&a);
    for (size_t i = 0; i < N; i++) {
        xs[i] = 1e9 + gsl_ran_gaussian(r, 1.0);
        stats_acc_add(&a, xs[i]);
    }
    /* Reference: two passes on the deviations from 1e9, which are exact (Sterbenz). */
    double sum = 0;
    for (size_t i = 0; i < N; i++)
        sum += xs[i] - 1e9;
    double mean = 1e9 + sum / N, ss = 0;
    for (size_t i = 0; i < N; i++)
        ss += (xs[i] - mean) * (xs[i] - mean);
    double var = ss / (N - 1);

    /* The textbook one-pass formula (sum x^2 - (sum x)^2 / n) loses every digit here:
     * x^2 ~ 1e18 has an ulp of 128, so the data do test stability. */
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < N; i++) {
        s1 += xs[i];
        s2 += xs[i] * xs[i];
    }
    double naive = (s2 - s1 * s1 / N) / (N - 1);
    assert_true(fabs(naive - var) > 1.0);

    /* Welford's running mean is rounded to ulp(1e9) = 1.2e-7 at each step and drifts by a
     * few ulps over 1e5 steps; that drift costs m2 ~1e-8 relative (measured 7e-9). */
    assert_int_equal(a.n, N);
    assert_true(fabs(a.mean - mean) <= 1e-5);
    assert_true(fabs(stats_acc_variance(&a) - var) <= 1e-6 * var);
    assert_true(fabs(var - 1.0) < 0.02); /* and the data really have unit variance */
    free(xs);
    gsl_rng_free(r);
}

static void acc_tracks_min_and_max(void **state)
{
    (void)state;
    const double xs[] = {3.5, -2.0, 7.25, 0.0, -2.5, 7.0};
    struct stats_acc a;
    stats_acc_init(&a);
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        stats_acc_add(&a, xs[i]);
    assert_true(a.min == -2.5);
    assert_true(a.max == 7.25);
    assert_true(fabs(a.mean - 13.25 / 6) < 1e-15);
}

static void variance_is_zero_below_two_values(void **state)
{
    (void)state;
    struct stats_acc a;
    stats_acc_init(&a);
    assert_true(stats_acc_variance(&a) == 0.0);
    stats_acc_add(&a, 42.0);
    assert_true(stats_acc_variance(&a) == 0.0);
    assert_true(a.mean == 42.0 && a.min == 42.0 && a.max == 42.0);
    stats_acc_add(&a, 44.0);
    assert_true(stats_acc_variance(&a) == 2.0);
}

/* --- qsketch, exact mode -------------------------------------------------------------- */

/* p = j / 100 for the p values the brief names. */
static const uint64_t exact_p_percent[] = {0, 1, 50, 90, 95, 99, 100};

static void exact_mode_equals_sorted_nearest_rank(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 2, 7, 100, 101, 1000, QSKETCH_DEFAULT_EXACT_LIMIT};
    gsl_rng *r = new_rng(2);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        struct qsketch *q = qsketch_new(QSKETCH_DEFAULT_EPS, QSKETCH_DEFAULT_EXACT_LIMIT);
        assert_non_null(q);
        double *xs = malloc(n * sizeof *xs);
        assert_non_null(xs);
        for (size_t i = 0; i < n; i++) {
            xs[i] = gsl_ran_gaussian(r, 10.0);
            assert_int_equal(qsketch_add(q, xs[i]), 0);
        }
        assert_true(qsketch_is_exact(q));
        assert_int_equal(qsketch_count(q), n);
        assert_int_equal(qsketch_buckets(q), 0);
        double *sorted = sorted_copy(xs, n);
        for (size_t i = 0; i < sizeof exact_p_percent / sizeof exact_p_percent[0]; i++) {
            uint64_t j = exact_p_percent[i];
            assert_true(qsketch_quantile(q, (double)j / 100) == nearest_rank(sorted, n, j, 100));
        }
        assert_true(qsketch_quantile(q, 0) == sorted[0]);
        assert_true(qsketch_quantile(q, 1) == sorted[n - 1]);
        free(sorted);
        free(xs);
        qsketch_free(q);
    }
    gsl_rng_free(r);
}

static void exact_mode_resorts_after_adds_following_a_query(void **state)
{
    (void)state;
    struct qsketch *q = qsketch_new(QSKETCH_DEFAULT_EPS, 100);
    assert_non_null(q);
    for (int i = 10; i >= 1; i--)
        qsketch_add(q, i);
    assert_true(qsketch_quantile(q, 0.5) == 5);
    qsketch_add(q, -1);
    qsketch_add(q, 0.5);
    assert_true(qsketch_quantile(q, 0) == -1);
    assert_true(qsketch_quantile(q, 2.0 / 12) == 0.5);
    assert_true(qsketch_quantile(q, 1) == 10);
    qsketch_free(q);
}

static void decimal_p_gives_the_intended_rank(void **state)
{
    (void)state;
    /* On 1..n the nearest-rank quantile is the rank itself, so each answer must equal
     * max(1, ceil(j n / 100)) computed in integers, e.g. p = 0.07 of 100 is 7 (the double
     * product 0.07 * 100 is 7.000000000000001). */
    for (size_t n = 1; n <= 1000; n++) {
        struct qsketch *q = qsketch_new(QSKETCH_DEFAULT_EPS, 1000);
        assert_non_null(q);
        for (size_t i = 1; i <= n; i++)
            qsketch_add(q, (double)i);
        for (uint64_t j = 0; j <= 100; j++) {
            uint64_t k = (j * n + 99) / 100;
            if (k < 1)
                k = 1;
            assert_true(qsketch_quantile(q, (double)j / 100) == (double)k);
        }
        qsketch_free(q);
    }
}

static void empty_nan_and_bad_arguments(void **state)
{
    (void)state;
    struct qsketch *q = qsketch_new(QSKETCH_DEFAULT_EPS, 0);
    assert_non_null(q);
    assert_true(isnan(qsketch_quantile(q, 0.5)));
    assert_int_equal(qsketch_add(q, NAN), 0);
    assert_int_equal(qsketch_count(q), 0);
    assert_true(isnan(qsketch_quantile(q, 0.5)));
    qsketch_add(q, 1.0);
    assert_true(isnan(qsketch_quantile(q, -0.1)));
    assert_true(isnan(qsketch_quantile(q, 1.1)));
    assert_true(isnan(qsketch_quantile(q, NAN)));
    assert_true(qsketch_quantile(q, 0.5) == 1.0);
    qsketch_free(q);
    qsketch_free(NULL);

    assert_null(qsketch_new(0.0, 10));
    assert_null(qsketch_new(0.5, 10));
    assert_null(qsketch_new(-0.1, 10));
    assert_null(qsketch_new(NAN, 10));
    assert_null(qsketch_new(1e-17, 10));
}

/* --- qsketch, sketch mode ------------------------------------------------------------- */

/* Quantiles checked: p = j / m for every j / 1000 and a few deep tails. */
struct p_frac {
    uint64_t j, m;
};

static size_t p_grid(struct p_frac *grid)
{
    size_t n = 0;
    for (uint64_t j = 0; j <= 1000; j++)
        grid[n++] = (struct p_frac){j, 1000};
    const uint64_t tails[] = {1, 10, 99990, 99999};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++)
        grid[n++] = (struct p_frac){tails[i], 100000};
    return n;
}

/* The documented memory bound: per sign, 2 s + 16 counters, s = buckets spanned by |x|. */
static size_t bucket_bound(const double *xs, size_t n, double eps)
{
    double log_gamma = log((1 + eps) / (1 - eps));
    size_t bound = 0;
    for (int sign = -1; sign <= 1; sign += 2) {
        double lo = INFINITY, hi = 0;
        for (size_t i = 0; i < n; i++) {
            double a = sign * xs[i];
            if (a > 0 && a < INFINITY) {
                lo = a < lo ? a : lo;
                hi = a > hi ? a : hi;
            }
        }
        if (hi > 0) {
            double s = ceil(log(hi) / log_gamma) - ceil(log(lo) / log_gamma) + 1;
            bound += 2 * (size_t)s + 16;
        }
    }
    return bound;
}

/* Feeds xs to a sketch and checks every grid quantile against the exact one and the
 * bucket count against its bound; returns the largest relative error seen. */
static double check_sketch(const double *xs, const double *sorted, size_t n, double eps,
                           size_t exact_limit, size_t *buckets_out)
{
    struct qsketch *q = qsketch_new(eps, exact_limit);
    assert_non_null(q);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(qsketch_add(q, xs[i]), 0);
    assert_int_equal(qsketch_count(q), n);
    assert_false(qsketch_is_exact(q));
    size_t buckets = qsketch_buckets(q), bound = bucket_bound(xs, n, eps);
    if (buckets > bound)
        fail_msg("%zu buckets, bound %zu", buckets, bound);
    *buckets_out = buckets;

    struct p_frac grid[1100];
    size_t n_grid = p_grid(grid);
    double worst = 0;
    for (size_t g = 0; g < n_grid; g++) {
        double want = nearest_rank(sorted, n, grid[g].j, grid[g].m);
        double got = qsketch_quantile(q, (double)grid[g].j / (double)grid[g].m);
        double rel = want == 0 ? (got == 0 ? 0 : INFINITY) : fabs(got - want) / fabs(want);
        if (rel > eps + SKETCH_SLACK)
            fail_msg("p=%llu/%llu: got %.17g, exact %.17g, relative error %g > eps %g",
                     (unsigned long long)grid[g].j, (unsigned long long)grid[g].m, got, want, rel,
                     eps);
        worst = rel > worst ? rel : worst;
    }
    qsketch_free(q);
    return worst;
}

/* Checks xs with always-sketch (exact_limit 0) and with the defaults. */
static void check_distribution(const char *name, const double *xs, size_t n)
{
    double *sorted = sorted_copy(xs, n);
    size_t buckets, buckets_default, buckets_coarse; /* each checked against its bound */
    double worst = check_sketch(xs, sorted, n, QSKETCH_DEFAULT_EPS, 0, &buckets);
    double worst_default = check_sketch(xs, sorted, n, QSKETCH_DEFAULT_EPS,
                                        QSKETCH_DEFAULT_EXACT_LIMIT, &buckets_default);
    double worst_coarse = check_sketch(xs, sorted, n, 0.05, 0, &buckets_coarse);
    printf("  %-16s max relative error %.9f (limit 0), %.9f (default), %.9f (eps 0.05);"
           " buckets %zu / %zu\n",
           name, worst, worst_default, worst_coarse, buckets, buckets_coarse);
    free(sorted);
}

static double *sample(unsigned long seed, double (*draw)(gsl_rng *r))
{
    gsl_rng *r = new_rng(seed);
    double *xs = malloc(SKETCH_N * sizeof *xs);
    assert_non_null(xs);
    for (size_t i = 0; i < SKETCH_N; i++)
        xs[i] = draw(r);
    gsl_rng_free(r);
    return xs;
}

static double draw_lognormal(gsl_rng *r)
{
    return gsl_ran_lognormal(r, 0.0, 1.5);
}

static double draw_exponential(gsl_rng *r)
{
    return gsl_ran_exponential(r, 3.0);
}

static double draw_uniform(gsl_rng *r)
{
    return gsl_ran_flat(r, 5.0, 10.0);
}

static double draw_pareto(gsl_rng *r)
{
    return gsl_ran_pareto(r, 0.5, 1.0); /* infinite mean; max near 1e12 */
}

static double draw_zeros_and_negatives(gsl_rng *r)
{
    double u = gsl_rng_uniform(r);
    if (u < 0.2)
        return 0.0;
    double x = gsl_ran_lognormal(r, 1.0, 2.0);
    return u < 0.55 ? -x : x;
}

static double draw_two_sided_wide(gsl_rng *r)
{
    double x = gsl_ran_lognormal(r, 0.0, 4.0);
    return gsl_rng_uniform(r) < 0.5 ? -x : x;
}

static void sketch_within_eps_on_lognormal(void **state)
{
    (void)state;
    double *xs = sample(10, draw_lognormal);
    check_distribution("lognormal(0,1.5)", xs, SKETCH_N);
    free(xs);
}

static void sketch_within_eps_on_exponential(void **state)
{
    (void)state;
    double *xs = sample(11, draw_exponential);
    check_distribution("exponential(3)", xs, SKETCH_N);
    free(xs);
}

static void sketch_within_eps_on_uniform(void **state)
{
    (void)state;
    double *xs = sample(12, draw_uniform);
    check_distribution("uniform(5,10)", xs, SKETCH_N);
    free(xs);
}

static void sketch_within_eps_on_heavy_tailed_pareto(void **state)
{
    (void)state;
    double *xs = sample(13, draw_pareto);
    check_distribution("pareto(0.5,1)", xs, SKETCH_N);
    free(xs);
}

static void sketch_within_eps_with_zeros_and_negatives(void **state)
{
    (void)state;
    double *xs = sample(14, draw_zeros_and_negatives);
    check_distribution("zeros+negatives", xs, SKETCH_N);
    free(xs);
}

static void sketch_within_eps_on_sorted_inputs(void **state)
{
    (void)state;
    /* Sorted input grows each store from one end only: ascending walks the negative store
     * down from the largest |x| and the positive store up; descending does the reverse. */
    double *xs = sample(15, draw_two_sided_wide);
    qsort(xs, SKETCH_N, sizeof *xs, compare_double);
    check_distribution("ascending", xs, SKETCH_N);
    for (size_t i = 0; i < SKETCH_N / 2; i++) {
        double t = xs[i];
        xs[i] = xs[SKETCH_N - 1 - i];
        xs[SKETCH_N - 1 - i] = t;
    }
    check_distribution("descending", xs, SKETCH_N);
    free(xs);
}

static void sketch_memory_stays_bounded_under_alternating_extremes(void **state)
{
    (void)state;
    /* New minimum, new maximum, new minimum...: growth alternates sides every add. */
    enum { N = 20000 };
    double *xs = malloc(N * sizeof *xs);
    assert_non_null(xs);
    for (size_t i = 0; i < N; i++) {
        double step = pow(1.001, (double)(i / 2));
        xs[i] = i % 2 ? step : 1 / step;
    }
    struct qsketch *q = qsketch_new(QSKETCH_DEFAULT_EPS, 0);
    assert_non_null(q);
    for (size_t i = 0; i < N; i++)
        qsketch_add(q, xs[i]);
    size_t bound = bucket_bound(xs, N, QSKETCH_DEFAULT_EPS);
    assert_true(qsketch_buckets(q) <= bound);
    /* And far below one counter per value. */
    assert_true(qsketch_buckets(q) < N / 4);
    qsketch_free(q);
    free(xs);
}

static void transition_at_exact_limit_boundary(void **state)
{
    (void)state;
    const size_t limits[] = {0, 1, 2, 100, QSKETCH_DEFAULT_EXACT_LIMIT};
    gsl_rng *r = new_rng(3);
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
        size_t limit = limits[l];
        struct qsketch *q = qsketch_new(QSKETCH_DEFAULT_EPS, limit);
        assert_non_null(q);
        double *xs = malloc((limit + 1) * sizeof *xs);
        assert_non_null(xs);
        assert_true(qsketch_is_exact(q));
        for (size_t i = 0; i < limit; i++) {
            xs[i] = gsl_ran_lognormal(r, 0.0, 1.0);
            qsketch_add(q, xs[i]);
        }
        assert_int_equal(qsketch_count(q), limit);
        assert_true(qsketch_is_exact(q)); /* count == exact_limit: still exact */
        if (limit > 0) {
            double *sorted = sorted_copy(xs, limit);
            for (uint64_t j = 0; j <= 100; j++)
                assert_true(qsketch_quantile(q, (double)j / 100) ==
                            nearest_rank(sorted, limit, j, 100));
            free(sorted);
        }
        xs[limit] = gsl_ran_lognormal(r, 0.0, 1.0);
        qsketch_add(q, xs[limit]);
        assert_int_equal(qsketch_count(q), limit + 1);
        assert_false(qsketch_is_exact(q)); /* count == exact_limit + 1: sketch */
        assert_true(qsketch_buckets(q) > 0);
        double *sorted = sorted_copy(xs, limit + 1);
        for (uint64_t j = 0; j <= 100; j++) {
            double want = nearest_rank(sorted, limit + 1, j, 100);
            double got = qsketch_quantile(q, (double)j / 100);
            assert_true(fabs(got - want) <= (QSKETCH_DEFAULT_EPS + SKETCH_SLACK) * want);
        }
        free(sorted);
        free(xs);
        qsketch_free(q);
    }
    gsl_rng_free(r);
}

static void sketch_handles_extreme_magnitudes_and_infinities(void **state)
{
    (void)state;
    const double xs[] = {DBL_MAX, -DBL_MAX, DBL_MIN,   -DBL_MIN, 1.0,    -0.0,
                         0.0,     INFINITY, -INFINITY, 1e300,    1e-300, -3.0};
    const size_t n = sizeof xs / sizeof xs[0];
    struct qsketch *q = qsketch_new(QSKETCH_DEFAULT_EPS, 0);
    assert_non_null(q);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(qsketch_add(q, xs[i]), 0);
    assert_int_equal(qsketch_count(q), n);
    double *sorted = sorted_copy(xs, n);
    for (uint64_t k = 1; k <= n; k++) {
        double want = sorted[k - 1];
        double got = qsketch_quantile(q, (double)k / (double)n);
        if (isinf(want) || want == 0)
            assert_true(got == want);
        else
            assert_true(fabs(got - want) <= (QSKETCH_DEFAULT_EPS + SKETCH_SLACK) * fabs(want));
    }
    /* No overflow to infinity from g^i near DBL_MAX, in either sign. */
    assert_true(isfinite(qsketch_quantile(q, 2.0 / n)));
    assert_true(isfinite(qsketch_quantile(q, 11.0 / n)));
    free(sorted);
    qsketch_free(q);
}

static void sketch_within_eps_at_bucket_boundaries(void **state)
{
    (void)state;
    /* Values at computed bucket boundaries g^i and one ulp either side, across the whole
     * normal range, where rounding in log and the division may pick the neighbour bucket:
     * the bound must hold within the documented slack. */
    const double eps = QSKETCH_DEFAULT_EPS, gamma = (1 + eps) / (1 - eps);
    const int lo = (int)ceil(log(DBL_MIN) / log(gamma)) + 1;
    const int hi = (int)floor(log(DBL_MAX) / log(gamma)) - 1;
    const int stride = 293;
    size_t cap = (size_t)(3 * ((hi - lo) / stride + 1)), n = 0;
    double *xs = malloc(cap * sizeof *xs);
    assert_non_null(xs);
    for (int i = lo; i <= hi; i += stride) {
        double b = pow(gamma, i);
        xs[n++] = nextafter(b, 0);
        xs[n++] = b;
        xs[n++] = nextafter(b, INFINITY);
    }
    double *sorted = sorted_copy(xs, n);
    struct qsketch *q = qsketch_new(eps, 0);
    assert_non_null(q);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(qsketch_add(q, xs[i]), 0);
    assert_true(qsketch_buckets(q) <= bucket_bound(xs, n, eps));
    double worst = 0;
    for (uint64_t k = 1; k <= n; k++) {
        double want = sorted[k - 1];
        double rel = fabs(qsketch_quantile(q, (double)k / (double)n) - want) / want;
        if (rel > eps + SKETCH_SLACK)
            fail_msg("rank %llu of %zu: exact %.17g, relative error %.17g", (unsigned long long)k,
                     n, want, rel);
        worst = rel > worst ? rel : worst;
    }
    printf("  %zu boundary values: max relative error - eps = %.3g\n", n, worst - eps);
    qsketch_free(q);
    free(sorted);
    free(xs);
}

/* --- stats_stream --------------------------------------------------------------------- */

static void stream_keeps_moments_and_quantiles_in_step(void **state)
{
    (void)state;
    struct stats_stream s;
    assert_int_equal(stats_stream_init(&s), 0);
    for (int i = 1; i <= 10000; i++)
        assert_int_equal(stats_stream_add(&s, (double)i), 0);
    assert_int_equal(stats_stream_add(&s, NAN), 0);
    assert_int_equal(s.acc.n, 10000);
    assert_int_equal(qsketch_count(s.q), 10000);
    assert_true(s.acc.mean == 5000.5);
    assert_true(s.acc.min == 1 && s.acc.max == 10000);
    assert_false(qsketch_is_exact(s.q));
    assert_true(fabs(qsketch_quantile(s.q, 0.5) - 5000) <= QSKETCH_DEFAULT_EPS * 5000);
    stats_stream_free(&s);
    assert_null(s.q);
    stats_stream_free(&s); /* idempotent */
}

/* --- confidence intervals ------------------------------------------------------------- */

static void ci95_matches_hand_computed_values(void **state)
{
    (void)state;
    /* mean 3, s = sqrt(2.5) = 1.5811388, t_{0.975,4} = 2.7764451,
     * half-width = 2.7764451 * 1.5811388 / sqrt(5) = 1.9632432. */
    const double xs[] = {1, 2, 3, 4, 5};
    struct stats_ci ci = stats_ci95(xs, 5);
    assert_int_equal(ci.n, 5);
    assert_true(fabs(ci.mean - 3.0) < 1e-15);
    assert_true(fabs(ci.half_width - 1.963243) < 1e-6);

    ci = stats_ci95(xs, 2); /* {1, 2}: s = 0.7071068, t_{0.975,1} = 12.7062047 */
    assert_true(fabs(ci.mean - 1.5) < 1e-15);
    assert_true(fabs(ci.half_width - 12.7062047 * 0.5) < 1e-6);

    ci = stats_ci95(xs + 3, 1);
    assert_true(ci.mean == 4.0 && ci.half_width == 0.0 && ci.n == 1);

    ci = stats_ci95(NULL, 0);
    assert_true(isnan(ci.mean) && ci.half_width == 0.0 && ci.n == 0);
}

static void ci95_covers_the_true_mean_95_percent_of_the_time(void **state)
{
    (void)state;
    enum { EXPERIMENTS = 2000, N = 10 };
    const double mu = 5.0, sigma = 2.0;
    gsl_rng *r = new_rng(4);
    size_t covered = 0;
    for (size_t e = 0; e < EXPERIMENTS; e++) {
        double xs[N];
        for (size_t i = 0; i < N; i++)
            xs[i] = mu + gsl_ran_gaussian(r, sigma);
        struct stats_ci ci = stats_ci95(xs, N);
        covered += fabs(ci.mean - mu) <= ci.half_width;
    }
    double fraction = (double)covered / EXPERIMENTS;
    printf("  coverage of 95%% CI (n=%d, %d experiments): %.4f\n", N, EXPERIMENTS, fraction);
    assert_true(fraction >= 0.93 && fraction <= 0.97);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(welford_matches_two_pass_with_large_offset),
        cmocka_unit_test(acc_tracks_min_and_max),
        cmocka_unit_test(variance_is_zero_below_two_values),
        cmocka_unit_test(exact_mode_equals_sorted_nearest_rank),
        cmocka_unit_test(exact_mode_resorts_after_adds_following_a_query),
        cmocka_unit_test(decimal_p_gives_the_intended_rank),
        cmocka_unit_test(empty_nan_and_bad_arguments),
        cmocka_unit_test(sketch_within_eps_on_lognormal),
        cmocka_unit_test(sketch_within_eps_on_exponential),
        cmocka_unit_test(sketch_within_eps_on_uniform),
        cmocka_unit_test(sketch_within_eps_on_heavy_tailed_pareto),
        cmocka_unit_test(sketch_within_eps_with_zeros_and_negatives),
        cmocka_unit_test(sketch_within_eps_on_sorted_inputs),
        cmocka_unit_test(sketch_memory_stays_bounded_under_alternating_extremes),
        cmocka_unit_test(transition_at_exact_limit_boundary),
        cmocka_unit_test(sketch_handles_extreme_magnitudes_and_infinities),
        cmocka_unit_test(sketch_within_eps_at_bucket_boundaries),
        cmocka_unit_test(stream_keeps_moments_and_quantiles_in_step),
        cmocka_unit_test(ci95_matches_hand_computed_values),
        cmocka_unit_test(ci95_covers_the_true_mean_95_percent_of_the_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
