/* Tests of the arbiter policies (models/arbiter*.c) through the whole engine: each policy's
 * decisions against a closed form or a published figure.
 *   random   share offloaded = p (binomial bound); on the real MMLU per-query data
 *            (RouteLLM), accuracy = 68.08 % + p · 12.50 points
 *   oracle   85.86 % accuracy with 17.78 % strong calls (RouteLLM's oracle router)
 *   cascade and self-assessed: the binormal model of arbiter.h gives the share offloaded,
 *            p_right · Φ(t − d') + (1 − p_right) · Φ(t), d' = √2 Φ⁻¹(AUC)
 *   rules, budget, battery-aware, load-aware: their rule, checked on the metrics */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "experiment.h"
#include "experiment_fixture.h"

/* Mean of a metric over the replications of variant v. */
static double mean_of(const struct experiment_results *res, size_t v, const char *metric)
{
    long m = metric_find(metric);
    assert_true(m >= 0);
    double sum = 0;
    for (size_t r = 0; r < res->n_reps; r++)
        sum += experiment_value(res, v, r)[m];
    return sum / (double)res->n_reps;
}

/* Sum of a metric over the replications of variant v. */
static double sum_of(const struct experiment_results *res, size_t v, const char *metric)
{
    return mean_of(res, v, metric) * (double)res->n_reps;
}

/* A device population and a cloud with zero-delay links; %s: accuracy maps and the rest.
 * These tests measure the policies' own choices, so the privacy rule is off: on, it would
 * keep the 25 % personal requests from the (third-party) cloud whatever the policy chose
 * (trust.h; tests/test_trust.c checks that). */
static const char base_fmt[] =
    "name: arbiters\nseed: 11\nreplications: %d\nrun: {%s}\nprivacy: {enforce: false}\n"
    "devices:\n  count: 1000\n"
    "  model: {prefill_tok_s: 1.0e6, decode_tok_s: 1.0e6, accuracy: %s}\n"
    "  workload:\n    arrival: {process: poisson, rate_rps: 10}\n"
    "    tasks: [{name: any, share: 1, prompt_tokens: 100, output_tokens: 10, "
    "difficulty: {dist: normal, mean: 0, sd: 1.5}, private_share: 0.25}]\n"
    "  network:\n    cloud: {rtt_ms: 0, up_mbps: 1.0e9, down_mbps: 1.0e9}\n"
    "cloud:\n  slots: 1000\n"
    "  model: {prefill_tok_s: 1.0e6, decode_tok_s: 1.0e6, accuracy: %s, "
    "price: {input_usd_per_mtok: 10, output_usd_per_mtok: 100}}\n"
    "%s";

static void random_share_and_every_policy_loads(void **state)
{
    char text[4096];
    snprintf(text, sizeof text, base_fmt, 4, "requests: 5000", "{skill: 0}", "{skill: 2}",
             "arbiter: device\nvariants:\n"
             "  - {name: r0, set: {arbiter: {policy: random, share: 0}}}\n"
             "  - {name: r30, set: {arbiter: {policy: random, share: 0.3}}}\n"
             "  - {name: r100, set: {arbiter: {policy: random, share: 1}}}\n"
             "  - {name: rules, set: {arbiter: {policy: rules, max_device_prompt_tokens: 50}}}\n"
             "  - {name: latency, set: {arbiter: latency-aware}}\n"
             "  - {name: load, set: {arbiter: {policy: load-aware, max_waiting: 0}}}\n"
             "  - {name: battery, set: {arbiter: battery-aware}}\n");
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double n = sum_of(&res, 1, "requests_arrived");
    double share30 = mean_of(&res, 1, "share_cloud");
    double se = sqrt(0.3 * 0.7 / n);
    printf("  random 0.3: share_cloud %.4f (%.1f SE)\n", share30, (share30 - 0.3) / se);
    assert_true(mean_of(&res, 0, "share_cloud") == 0);
    assert_true(fabs(share30 - 0.3) < 4 * se);
    assert_true(mean_of(&res, 2, "share_cloud") == 1);
    /* Rules: private requests stay (25 %); the others have 100 > 50 prompt tokens. */
    double rules_cloud = mean_of(&res, 3, "share_cloud");
    assert_true(fabs(rules_cloud - 0.75) < 4 * sqrt(0.75 * 0.25 / n));
    assert_true(mean_of(&res, 3, "private_exposed_share") == 0);
    /* Latency-aware: both tiers take 0.11 ms, the device has no queue at 10 req/s over 1000
     * devices, and the cloud is never faster: everything stays on the device. */
    assert_true(mean_of(&res, 4, "share_device") == 1);
    /* Load-aware with an empty cloud queue (1000 slots) offloads everything. */
    assert_true(mean_of(&res, 5, "share_cloud") == 1);
    /* Battery-aware without batteries: devices count as full and keep their requests. */
    assert_true(mean_of(&res, 6, "share_device") == 1);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* Φ of the binormal model: the share of requests whose score falls below t. */
static double binormal_below(double p_right, double auc, double t)
{
    double d_prime = M_SQRT2 * gsl_cdf_ugaussian_Pinv(auc);
    return p_right * gsl_cdf_ugaussian_P(t - d_prime) + (1 - p_right) * gsl_cdf_ugaussian_P(t);
}

static void cascade_and_self_assessment_offload_the_binormal_share(void **state)
{
    char text[4096];
    snprintf(text, sizeof text, base_fmt, 4, "requests: 5000", "{by_class: {any: 0.6}}",
             "{by_class: {any: 0.9}}",
             "arbiter: device\nvariants:\n"
             "  - {name: cascade, set: {arbiter: {policy: cascade, auc: 0.8, threshold: 0.5}}}\n"
             "  - {name: assessed, set: {arbiter: {policy: self-assessed, auc: 0.8, "
             "threshold: 0.5, assess_tokens: 5}}}\n"
             "  - {name: device, set: {arbiter: device}}\n");
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double n = sum_of(&res, 0, "requests_arrived");
    double want = binormal_below(0.6, 0.8, 0.5), se = sqrt(want * (1 - want) / n);
    double escalated = sum_of(&res, 0, "requests_escalated") / n;
    double assessed_cloud = mean_of(&res, 1, "share_cloud");
    printf("  cascade escalated %.4f, self-assessed offloaded %.4f, binormal %.4f (SE %.4f)\n",
           escalated, assessed_cloud, want, se);
    assert_true(fabs(escalated - want) < 4 * se);
    assert_true(fabs(assessed_cloud - want) < 4 * se);
    /* The same score decides both: the same requests go to the cloud. */
    assert_true(fabs(escalated - assessed_cloud) < 1e-12);
    /* A cascade serves everything in the end where it decides: its accuracy beats the
     * device's, and an escalated request pays both, so its e2e exceeds the device's. */
    assert_true(mean_of(&res, 0, "accuracy") > mean_of(&res, 2, "accuracy"));
    assert_true(mean_of(&res, 0, "energy_device_j_per_req") >= 0);
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void budget_caps_the_spend_per_hour(void **state)
{
    /* Each cloud request costs 100·10/1e6 + 10·100/1e6 = 0.002 USD, so 7.2 USD an hour
     * buys exactly 3,600 cloud requests an hour; at 10 req/s an hour brings about 36,000.
     * Over exactly two hours (run.duration_s 7200) the cloud serves 7,200. */
    char text[4096];
    snprintf(text, sizeof text, base_fmt, 2, "duration_s: 7200", "{skill: 0}", "{skill: 2}",
             "arbiter: {policy: budget, usd_per_hour: 7.2}\n");
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    for (size_t r = 0; r < res.n_reps; r++) {
        const double *x = experiment_value(&res, 0, r);
        double cloud = x[metric_find("share_cloud")] * x[metric_find("requests_completed")];
        printf("  budget: %.0f cloud requests in 2 h (cap 7200), cost %.4f USD/request\n", cloud,
               x[metric_find("cost_usd_per_req")]);
        assert_true(fabs(cloud - 7200) < 0.5);
    }
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void routing_on_mmlu_reproduces_routellm(void **state)
{
    char mmlu[1024];
    snprintf(mmlu, sizeof mmlu, "%s/routellm/mmlu.csv", HAISIM_SHARED_DATA_DIR);
    if (access(mmlu, R_OK) != 0) {
        printf("SKIPPED: %s is absent; the MMLU routing checks did not run\n", mmlu);
        skip();
    }
    char weak[1200], strong[1200], text[8192];
    snprintf(weak, sizeof weak, "{replay: {file: '%s', column: mixtral_8x7b}}", mmlu);
    snprintf(strong, sizeof strong, "{replay: {file: '%s', column: gpt_4_1106}}", mmlu);
    snprintf(text, sizeof text, base_fmt, 5, "requests: 20000", weak, strong,
             "arbiter: device\nvariants:\n"
             "  - {name: weak, set: {arbiter: device}}\n"
             "  - {name: half, set: {arbiter: {policy: random, share: 0.5}}}\n"
             "  - {name: strong, set: {arbiter: cloud}}\n"
             "  - {name: oracle, set: {arbiter: oracle}}\n");
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double n = sum_of(&res, 0, "requests_arrived");
    struct {
        size_t v;
        double want_accuracy, want_strong_share;
    } rows[] = {
        {0, 0.6808, 0}, {1, 0.6808 + 0.5 * 0.1250, 0.5}, {2, 0.8058, 1}, {3, 0.8586, 0.1778}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double acc = mean_of(&res, rows[i].v, "accuracy");
        double share = mean_of(&res, rows[i].v, "share_cloud");
        double se_acc = sqrt(acc * (1 - acc) / n);
        double se_share = sqrt(fmax(share * (1 - share), 1e-12) / n);
        printf("  %-6s accuracy %.4f (published %.4f, %+.1f SE), strong calls %.4f "
               "(published %.4f)\n",
               ex.variants[rows[i].v].name, acc, rows[i].want_accuracy,
               (acc - rows[i].want_accuracy) / se_acc, share, rows[i].want_strong_share);
        /* Requests draw MMLU questions with replacement: a binomial sample of the file. */
        assert_true(fabs(acc - rows[i].want_accuracy) < 4 * se_acc);
        assert_true(fabs(share - rows[i].want_strong_share) < 4 * se_share + 1e-12);
    }
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void policies_needing_what_is_missing_are_refused(void **state)
{
    struct {
        const char *arbiter, *part;
    } cases[] = {
        {"arbiter: {policy: cascade}\n", "give the device model an 'accuracy' map"},
        {"arbiter: {policy: budget}\n", "needs 'usd_per_hour'"},
        {"arbiter: {policy: random, share: 2}\n", "arbiter.share"},
        {"arbiter: {policy: random, to: edge}\n", "no 'edge' tier"},
        {"arbiter: {policy: randon}\n", "did you mean 'random'"},
        {"arbiter: {policy: random, shares: 1}\n", "did you mean 'share'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096];
        snprintf(text, sizeof text,
                 "run: {requests: 1}\ndevices:\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
                 "  workload: {arrival: {rate_rps: 1}, prompt_tokens: 1, output_tokens: 1}\n"
                 "  network: {cloud: {rtt_ms: 0, up_mbps: 1, down_mbps: 1}}\n"
                 "cloud: {model: {prefill_tok_s: 1, decode_tok_s: 1}}\n%s",
                 cases[i].arbiter);
        fixture_expect_load_error_containing(text, cases[i].part);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_share_and_every_policy_loads),
        cmocka_unit_test(cascade_and_self_assessment_offload_the_binormal_share),
        cmocka_unit_test(budget_caps_the_spend_per_hour),
        cmocka_unit_test(routing_on_mmlu_reproduces_routellm),
        cmocka_unit_test(policies_needing_what_is_missing_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
