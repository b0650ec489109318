/* Analytic validation of the engine against queueing theory, through scenario files and
 * the real experiment/run code (DESIGN §8). Each test runs >= 10 replications and checks
 * that the textbook mean wait lies inside the 95 % confidence interval of the simulated
 * mean and within 2 % of it.
 *   M/M/1:  Wq = rho / (mu - lambda)
 *   M/M/c:  Wq = C(c, a) / (c mu - lambda), C = Erlang's C formula, a = lambda / mu
 *   M/G/1:  Wq = lambda E[S^2] / (2 (1 - rho))          (Pollaczek-Khinchine)
 * (Kleinrock, Queueing Systems Vol. 1, 1975: §3.2, §3.5, §5.5.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "experiment.h"
#include "stats.h"

/* Runs tests/scenarios/NAME and returns the CI of queue_ms_mean across replications. */
static struct stats_ci simulated_wait_ms(const char *name, size_t *reps)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/scenarios/%s", HAISIM_SOURCE_DIR, name);
    struct experiment ex;
    struct experiment_results res;
    struct experiment_options opt = {0};
    struct error err;
    error_clear(&err);
    if (experiment_load(&ex, path, &opt, &err) != 0 || experiment_run(&ex, &res, &err) != 0) {
        char buf[2048];
        error_format(&err, buf, sizeof buf);
        fail_msg("%s", buf);
    }
    long m = metric_find("queue_ms_mean");
    assert_true(m >= 0);
    double *xs = malloc(res.n_reps * sizeof *xs);
    assert_non_null(xs);
    for (size_t r = 0; r < res.n_reps; r++)
        xs[r] = experiment_value(&res, 0, r)[m];
    struct stats_ci ci = stats_ci95(xs, res.n_reps);
    *reps = res.n_reps;
    free(xs);
    experiment_results_free(&res);
    experiment_free(&ex);
    return ci;
}

static void assert_matches_formula(const char *name, double theory_ms)
{
    size_t reps = 0;
    struct stats_ci ci = simulated_wait_ms(name, &reps);
    double rel = fabs(ci.mean - theory_ms) / theory_ms;
    printf("  %s: theory %.2f ms, simulated %.2f ± %.2f ms (%zu reps), error %.2f %%\n", name,
           theory_ms, ci.mean, ci.half_width, reps, 100 * rel);
    assert_true(reps >= 10);
    assert_true(fabs(ci.mean - theory_ms) <= ci.half_width);
    assert_true(rel <= 0.02);
}

/* Erlang C: probability that an arrival waits in M/M/c with offered load a = lambda/mu. */
static double erlang_c(int c, double a)
{
    double term = 1.0, sum = 1.0; /* sum_{k=0}^{c-1} a^k / k! */
    for (int k = 1; k < c; k++) {
        term *= a / k;
        sum += term;
    }
    double last = term * a / c * c / (c - a); /* a^c / c! * c / (c - a) */
    return last / (sum + last);
}

static void mm1_mean_wait_matches_theory(void **state)
{
    const double lambda = 0.5, mu = 1.0;
    assert_matches_formula("mm1.yaml", 1000.0 * (lambda / mu) / (mu - lambda));
}

static void mmc_mean_wait_matches_erlang_c(void **state)
{
    const int c = 4;
    const double lambda = 3.0, mu = 1.0;
    double wq_s = erlang_c(c, lambda / mu) / (c * mu - lambda);
    assert_matches_formula("mmc.yaml", 1000.0 * wq_s);
}

static void md1_mean_wait_matches_pollaczek_khinchine(void **state)
{
    const double lambda = 0.7, s = 1.0; /* deterministic service: E[S^2] = s^2 */
    double rho = lambda * s;
    assert_matches_formula("md1.yaml", 1000.0 * lambda * s * s / (2 * (1 - rho)));
}

static void mg1_lognormal_mean_wait_matches_pollaczek_khinchine(void **state)
{
    const double lambda = 0.4, mean = 1.0, cv = 1.0;
    double es2 = mean * mean * (1 + cv * cv);
    double rho = lambda * mean;
    assert_matches_formula("mg1_lognormal.yaml", 1000.0 * lambda * es2 / (2 * (1 - rho)));
}

/* SLO attainment: in M/M/1 the time in system is exponential with rate mu − lambda
 * (Kleinrock Vol. 1, §3.2), so P(T <= t) = 1 − exp(−(mu − lambda) t); with one output token
 * the first token ends the request, so TTFT = T. */
static void mm1_slo_attainment_matches_the_sojourn_distribution(void **state)
{
    const double lambda = 0.5, mu = 1.0, target_s = 1.0;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/scenarios/mm1.yaml", HAISIM_SOURCE_DIR);
    const char *sets[] = {"slo={ttft_ms: 1000}"};
    struct experiment ex;
    struct experiment_results res;
    struct experiment_options opt = {.sets = sets, .n_sets = 1};
    struct error err;
    error_clear(&err);
    if (experiment_load(&ex, path, &opt, &err) != 0 || experiment_run(&ex, &res, &err) != 0)
        fail_msg("%s", err.msg);
    double shares[64], goodput = 0;
    assert_true(res.n_reps <= 64);
    for (size_t r = 0; r < res.n_reps; r++) {
        const double *x = experiment_value(&res, 0, r);
        shares[r] = x[metric_find("slo_attainment")];
        goodput += x[metric_find("goodput_rps")] / (double)res.n_reps;
    }
    struct stats_ci ci = stats_ci95(shares, res.n_reps);
    double want = 1 - exp(-(mu - lambda) * target_s);
    printf("  M/M/1 P(TTFT <= 1 s): simulated %.4f ± %.4f (%zu reps), theory %.4f; goodput "
           "%.4f req/s, theory %.4f\n",
           ci.mean, ci.half_width, res.n_reps, want, goodput, lambda * want);
    assert_true(res.n_reps >= 10);
    assert_true(fabs(ci.mean - want) <= ci.half_width);
    assert_true(fabs(ci.mean - want) / want <= 0.02);
    assert_true(fabs(goodput - lambda * want) / (lambda * want) <= 0.02);
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void erlang_c_matches_a_published_value(void **state)
{
    /* c = 2, a = 1 (rho = 0.5): C = 1/3 (e.g. Kleinrock Vol. 1 eq. 3.40 worked by hand). */
    assert_true(fabs(erlang_c(2, 1.0) - 1.0 / 3.0) < 1e-12);
    /* c = 1 reduces to rho. */
    assert_true(fabs(erlang_c(1, 0.7) - 0.7) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(erlang_c_matches_a_published_value),
        cmocka_unit_test(mm1_mean_wait_matches_theory),
        cmocka_unit_test(mm1_slo_attainment_matches_the_sojourn_distribution),
        cmocka_unit_test(mmc_mean_wait_matches_erlang_c),
        cmocka_unit_test(md1_mean_wait_matches_pollaczek_khinchine),
        cmocka_unit_test(mg1_lognormal_mean_wait_matches_pollaczek_khinchine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
