/* Tests of rng: the generator against an independent reference, stream seeding,
 * reproducibility and independence of streams, uniformity, and the counter-based hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "rng.h"

/* --- reference algorithms, written out from the published sources, not from rng.c --- */

/* Vigna, splitmix64.c: next() with its state in *x. */
static uint64_t ref_splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Blackman & Vigna, xoshiro256starstar.c: next(). */
static uint64_t ref_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t ref_xoshiro_next(uint64_t s[4])
{
    const uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

/* The documented seeding: the state is the first four splitmix64 outputs from the seed. */
static void ref_seed(uint64_t s[4], uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        s[i] = ref_splitmix64_next(&seed);
}

/* --- tests --- */

static void reference_xoshiro_reproduces_published_outputs(void **state)
{
    /* Outputs of the reference xoshiro256** from state {1, 2, 3, 4}; the first two by hand:
     * rotl(2 * 5, 7) * 9 = 1280 * 9 = 11520, then s[1] becomes 2 ^ (3 ^ 1) = 0. */
    uint64_t s[4] = {1, 2, 3, 4};
    const uint64_t want[] = {11520, 0, 1509978240, 1215971899390074240ULL};
    for (size_t i = 0; i < 4; i++)
        assert_true(ref_xoshiro_next(s) == want[i]);
}

static void mix64_is_the_splitmix64_finaliser(void **state)
{
    /* Every step of the finaliser maps 0 to 0. */
    assert_true(rng_mix64(0) == 0);
    /* splitmix64 started at 0 outputs mix64(k * gamma) for k = 1, 2, ...; these four values
     * are the published first outputs. */
    const uint64_t want[] = {0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL, 0x06c45d188009454fULL,
                             0xf88bb8a8724c81ecULL};
    uint64_t x = 0;
    for (uint64_t k = 1; k <= 4; k++) {
        assert_true(rng_mix64(k * 0x9e3779b97f4a7c15ULL) == want[k - 1]);
        assert_true(ref_splitmix64_next(&x) == want[k - 1]);
    }
}

static void fnv1a64_matches_published_test_vectors(void **state)
{
    assert_true(rng_fnv1a64("") == 0xcbf29ce484222325ULL);
    assert_true(rng_fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    assert_true(rng_fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

static void stream_seed_follows_documented_formula(void **state)
{
    const uint64_t seeds[] = {0, 1, 42, UINT64_MAX};
    const uint32_t reps[] = {0, 1, 7, UINT32_MAX};
    const char *names[] = {"", "arrivals", "workload"};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            for (size_t k = 0; k < 3; k++) {
                uint64_t want =
                    rng_mix64(rng_mix64(seeds[i] ^ rng_mix64(reps[j])) ^ rng_fnv1a64(names[k]));
                assert_true(rng_stream_seed(seeds[i], reps[j], names[k]) == want);
            }
}

static void generator_matches_reference_xoshiro256ss(void **state)
{
    assert_string_equal(rng_xoshiro256ss->name, "xoshiro256**");
    assert_true(rng_xoshiro256ss->min == 0);
    assert_true(rng_xoshiro256ss->max == 0xffffffffUL);

    /* Through rng_stream_new: seeded with the full 64-bit stream seed. */
    gsl_rng *r = rng_stream_new(2024, 3, "device");
    assert_non_null(r);
    assert_string_equal(gsl_rng_name(r), "xoshiro256**");
    uint64_t s[4];
    ref_seed(s, rng_stream_seed(2024, 3, "device"));
    for (int i = 0; i < 1000; i++) {
        assert_true(gsl_rng_get(r) == ref_xoshiro_next(s) >> 32);
        assert_true(gsl_rng_uniform(r) == (double)(ref_xoshiro_next(s) >> 11) * 0x1.0p-53);
    }
    gsl_rng_free(r);

    /* Through gsl_rng_alloc and gsl_rng_set, with a seed that needs more than 32 bits. */
    r = gsl_rng_alloc(rng_xoshiro256ss);
    assert_non_null(r);
    gsl_rng_set(r, 0x123456789abcdefUL);
    ref_seed(s, 0x123456789abcdefULL);
    for (int i = 0; i < 1000; i++)
        assert_true(gsl_rng_get(r) == ref_xoshiro_next(s) >> 32);
    gsl_rng_free(r);
}

static void get_double_formula_stays_below_one(void **state)
{
    /* The largest 64-bit output maps to (2^53 - 1) / 2^53, which is exact and below 1. */
    assert_true((double)(UINT64_MAX >> 11) * 0x1.0p-53 < 1.0);
    assert_true((double)(UINT64_MAX >> 11) * 0x1.0p-53 == 1.0 - 0x1.0p-53);
}

static void same_seed_replication_and_name_give_same_sequence(void **state)
{
    gsl_rng *a = rng_stream_new(7, 2, "network");
    gsl_rng *b = rng_stream_new(7, 2, "network");
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 10000; i++)
        assert_true(gsl_rng_get(a) == gsl_rng_get(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/* Number of equal outputs in the first n draws of two streams. */
static int count_equal_draws(gsl_rng *a, gsl_rng *b, int n)
{
    int equal = 0;
    for (int i = 0; i < n; i++)
        equal += gsl_rng_get(a) == gsl_rng_get(b);
    return equal;
}

static void different_name_replication_or_seed_gives_different_sequence(void **state)
{
    struct {
        uint64_t seed;
        uint32_t replication;
        const char *name;
    } other[] = {{7, 2, "cloud"}, {7, 3, "network"}, {8, 2, "network"}, {7, 2, "networK"}};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        gsl_rng *a = rng_stream_new(7, 2, "network");
        gsl_rng *b = rng_stream_new(other[i].seed, other[i].replication, other[i].name);
        /* Equal 32-bit draws happen by chance with probability 2^-32 each. */
        assert_true(count_equal_draws(a, b, 1000) <= 1);
        gsl_rng_free(a);
        gsl_rng_free(b);
    }

    /* No two of 1000 replications x 5 names share a stream seed. */
    enum { REPS = 1000, NAMES = 5 };
    const char *names[NAMES] = {"arrivals", "workload", "network", "device", "cloud"};
    uint64_t *seeds = malloc(REPS * NAMES * sizeof seeds[0]);
    assert_non_null(seeds);
    for (uint32_t rep = 0; rep < REPS; rep++)
        for (int k = 0; k < NAMES; k++)
            seeds[rep * NAMES + k] = rng_stream_seed(1, rep, names[k]);
    for (size_t i = 0; i < REPS * NAMES; i++)
        for (size_t j = i + 1; j < REPS * NAMES; j++)
            assert_true(seeds[i] != seeds[j]);
    free(seeds);
}

static void adding_a_stream_does_not_change_another(void **state)
{
    enum { N = 100 };
    double alone[N], together[N];
    gsl_rng *a = rng_stream_new(5, 0, "arrivals");
    for (int i = 0; i < N; i++)
        alone[i] = gsl_rng_uniform(a);
    gsl_rng_free(a);

    a = rng_stream_new(5, 0, "arrivals");
    gsl_rng *b = rng_stream_new(5, 0, "workload");
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i % 3; j++)
            gsl_rng_uniform(b);
        together[i] = gsl_rng_uniform(a);
    }
    assert_memory_equal(alone, together, sizeof alone);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/* Sample correlation of n paired uniforms from two streams. */
static double stream_correlation(gsl_rng *a, gsl_rng *b, int n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        double x = gsl_rng_uniform(a), y = gsl_rng_uniform(b);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    double cxy = sxy - sx * sy / n, cxx = sxx - sx * sx / n, cyy = syy - sy * sy / n;
    return cxy / sqrt(cxx * cyy);
}

static void neighbouring_streams_are_uncorrelated(void **state)
{
    /* Under independence the sample correlation has standard error 1/sqrt(n). */
    enum { N = 200000 };
    const double bound = 5.0 / sqrt(N);
    gsl_rng *a = rng_stream_new(1, 0, "device");
    gsl_rng *b = rng_stream_new(1, 1, "device");
    gsl_rng *c = rng_stream_new(1, 0, "devicf");
    gsl_rng *d = rng_stream_new(2, 0, "device");
    assert_true(fabs(stream_correlation(a, b, N)) < bound);
    assert_true(fabs(stream_correlation(a, c, N)) < bound);
    assert_true(fabs(stream_correlation(a, d, N)) < bound);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
    gsl_rng_free(d);
}

enum { UNIFORM_N = 1000000, UNIFORM_BINS = 100 };

/* Checks that x[0..n) lie in [0, 1) (in (0, 1) when lo_open), that the mean is within 5 standard
 * errors of 1/2, and that the chi-square statistic over 100 equal bins is below the
 * critical value at level 1e-4 (99 degrees of freedom). */
static void check_uniform(const double *x, int n, int lo_open)
{
    long counts[UNIFORM_BINS] = {0};
    double sum = 0;
    for (int i = 0; i < n; i++) {
        assert_true(lo_open ? x[i] > 0.0 : x[i] >= 0.0);
        assert_true(x[i] < 1.0);
        sum += x[i];
        counts[(int)(x[i] * UNIFORM_BINS)]++;
    }
    double se = sqrt(1.0 / 12.0 / n);
    assert_true(fabs(sum / n - 0.5) < 5 * se);
    double expected = (double)n / UNIFORM_BINS, chi2 = 0;
    for (int b = 0; b < UNIFORM_BINS; b++)
        chi2 += (counts[b] - expected) * (counts[b] - expected) / expected;
    double critical = gsl_cdf_chisq_Qinv(1e-4, UNIFORM_BINS - 1);
    print_message("mean %.6f (se %.6f), chi2 %.1f (critical %.1f)\n", sum / n, se, chi2, critical);
    assert_true(chi2 < critical);
}

static void uniforms_pass_mean_and_chi_square_checks(void **state)
{
    double *x = malloc(UNIFORM_N * sizeof x[0]);
    assert_non_null(x);
    gsl_rng *r = rng_stream_new(99, 0, "workload");
    for (int i = 0; i < UNIFORM_N; i++)
        x[i] = gsl_rng_uniform(r);
    check_uniform(x, UNIFORM_N, 0);
    /* The integer output, scaled to [0, 1), passes too. */
    for (int i = 0; i < UNIFORM_N; i++)
        x[i] = (double)gsl_rng_get(r) * 0x1.0p-32;
    check_uniform(x, UNIFORM_N, 0);
    gsl_rng_free(r);
    free(x);
}

static void hash_u01_is_pure_uniform_and_in_open_interval(void **state)
{
    double u = rng_hash_u01(1, 2, 3, 4);
    assert_true(u == rng_hash_u01(1, 2, 3, 4));
    assert_true(u != rng_hash_u01(0, 2, 3, 4));
    assert_true(u != rng_hash_u01(1, 0, 3, 4));
    assert_true(u != rng_hash_u01(1, 2, 0, 4));
    assert_true(u != rng_hash_u01(1, 2, 3, 0));
    /* Swapping id and purpose is a different question. */
    assert_true(rng_hash_u01(1, 2, 3, 4) != rng_hash_u01(1, 2, 4, 3));

    const uint64_t extremes[] = {0, 1, UINT64_MAX};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            double v = rng_hash_u01(extremes[i], (uint32_t)extremes[j], extremes[j], extremes[i]);
            assert_true(v > 0.0 && v < 1.0);
        }

    /* Consecutive ids and purposes give uniform values. */
    double *x = malloc(UNIFORM_N * sizeof x[0]);
    assert_non_null(x);
    for (int i = 0; i < UNIFORM_N; i++)
        x[i] = rng_hash_u01(0, 0, (uint64_t)i / 4, (uint64_t)i % 4);
    check_uniform(x, UNIFORM_N, 1);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_xoshiro_reproduces_published_outputs),
        cmocka_unit_test(mix64_is_the_splitmix64_finaliser),
        cmocka_unit_test(fnv1a64_matches_published_test_vectors),
        cmocka_unit_test(stream_seed_follows_documented_formula),
        cmocka_unit_test(generator_matches_reference_xoshiro256ss),
        cmocka_unit_test(get_double_formula_stays_below_one),
        cmocka_unit_test(same_seed_replication_and_name_give_same_sequence),
        cmocka_unit_test(different_name_replication_or_seed_gives_different_sequence),
        cmocka_unit_test(adding_a_stream_does_not_change_another),
        cmocka_unit_test(neighbouring_streams_are_uncorrelated),
        cmocka_unit_test(uniforms_pass_mean_and_chi_square_checks),
        cmocka_unit_test(hash_u01_is_pure_uniform_and_in_open_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
