/* Tests of a request's path (models/journey.c): every orchestrator placement × serving
 * tier of tests/scenarios/journey.yaml against timelines and byte counts worked out by hand
 * (the scenario's header gives the inputs). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "experiment.h"

struct expected_path {
    const char *variant; /* orchestrator/serving tier */
    double ttft_ms, e2e_ms, bytes_up, bytes_down;
};

/* Derivations (ms): d = device, e = edge, c = cloud; one-way d-e 5, d-c 50, e-c 20.
 *  device/device  decide at once; first 1000, last 2000
 *  device/edge    up 5; first 5+100, +5 = 110; last 5+200+5 = 210
 *  device/cloud   up 50; first 50+10+50 = 110; last 50+20+50 = 120
 *  edge/device    up 5, control down 5; first 10+1000; last 10+2000
 *  edge/edge      as device/edge: 110, 210
 *  edge/cloud     up 5 + 20; first 25+10 back 20+5 = 60; last 25+20+25 = 70
 *  cloud/device   up 50, control down 50; first 100+1000; last 100+2000
 *  cloud/edge     up 50, cloud->edge 20; first 70+100+5 = 175; last 70+200+5 = 275
 *  cloud/cloud    up 50; first 50+10+50 = 110; last 50+20+50 = 120
 * Bytes: prompt 500, token 104 (11 tokens, one message each), control 100; tokens through
 * the edge count on both hops. */
static const struct expected_path paths[] = {
    {"device/device", 1000, 2000, 0, 0},       {"device/edge", 110, 210, 500, 11 * 104},
    {"device/cloud", 110, 120, 500, 11 * 104}, {"edge/device", 1010, 2010, 500, 100},
    {"edge/edge", 110, 210, 500, 11 * 104},    {"edge/cloud", 60, 70, 1000, 22 * 104},
    {"cloud/device", 1100, 2100, 500, 100},    {"cloud/edge", 175, 275, 500, 500 + 11 * 104},
    {"cloud/cloud", 110, 120, 500, 11 * 104},
};

/* Loads tests/scenarios/NAME.yaml with the `--set` overrides sets[0..n_sets) and runs it;
 * fails the test on any error. */
static void run_scenario_with(const char *name, const char *const *sets, size_t n_sets,
                              struct experiment *ex, struct experiment_results *res)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/scenarios/%s.yaml", HAISIM_SOURCE_DIR, name);
    struct experiment_options opt = {.sets = sets, .n_sets = n_sets};
    struct error err;
    error_clear(&err);
    if (experiment_load(ex, path, &opt, &err) != 0 || experiment_run(ex, res, &err) != 0)
        fail_msg("%s:%d:%d: %s: %s", err.file, err.line, err.col, err.path, err.msg);
}

static void run_scenario(const char *name, struct experiment *ex, struct experiment_results *res)
{
    run_scenario_with(name, NULL, 0, ex, res);
}

static double value(const struct experiment_results *res, size_t v, const char *metric)
{
    long m = metric_find(metric);
    assert_true(m >= 0);
    return experiment_value(res, v, 0)[m];
}

static void every_path_matches_its_hand_worked_timeline(void **state)
{
    struct experiment ex;
    struct experiment_results res;
    run_scenario("journey", &ex, &res);
    assert_int_equal(ex.n_variants, sizeof paths / sizeof paths[0]);
    for (size_t v = 0; v < ex.n_variants; v++) {
        const struct expected_path *want = &paths[v];
        assert_string_equal(ex.variants[v].name, want->variant);
        double ttft = value(&res, v, "ttft_ms_mean"), e2e = value(&res, v, "e2e_ms_mean");
        double up = value(&res, v, "bytes_up_per_req"), down = value(&res, v, "bytes_down_per_req");
        printf("  %-13s ttft %8.3f ms (want %6.0f)  e2e %8.3f ms (want %6.0f)  bytes %5.0f up "
               "%5.0f down\n",
               want->variant, ttft, want->ttft_ms, e2e, want->e2e_ms, up, down);
        assert_true(fabs(ttft - want->ttft_ms) < 1e-5);
        assert_true(fabs(e2e - want->e2e_ms) < 1e-5);
        assert_true(fabs(up - want->bytes_up) < 1e-9);
        assert_true(fabs(down - want->bytes_down) < 1e-9);
        assert_true(value(&res, v, "requests_completed") == 1);
    }
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* Private-cloud tiers (trust.h) on the paths of tests/scenarios/journey.yaml: the edge
 * attested in 30 ms, the cloud in 40 ms. A request pays each private-cloud tier its prompt
 * reaches once, when it first arrives there, and nothing else changes, so each path's TTFT
 * and end-to-end latency are the table's above plus the attestations on its way:
 *  device/edge   5 + 30 + 100 + 5 = 140; last 5 + 30 + 200 + 5 = 240
 *  device/cloud  50 + 40 + 10 + 50 = 150; last 160
 *  edge/device   up 5, attest 30, control 5, then the device: 1040, 2040
 *  edge/edge     the orchestrator and the server are one tier, attested once: 140, 240
 *  edge/cloud    5 + 30 + 20 + 40 = 95 at the cloud; first 105 + 20 + 5 = 130; last 140
 *  cloud/device  50 + 40 + 50 + 1000 = 1140; 2140
 *  cloud/edge    50 + 40 + 20 + 30 = 140 at the edge; first 240 + 5 = 245; last 345
 *  cloud/cloud   attested once: 150, 160
 * A third variant gives attestation_ms to a tier that is not private-cloud: it is read
 * and checked but costs nothing (a sweep may switch trust alone). */
static void private_cloud_attestation_is_paid_once_per_tier_reached(void **state)
{
    static const double extra_ms[] = {0, 30, 40, 30, 30, 70, 40, 70, 40};
    static const char *const sets[] = {"edge.trust=private-cloud", "edge.attestation_ms=30",
                                       "cloud.trust=private-cloud", "cloud.attestation_ms=40"};
    static const char *const unused[] = {"cloud.attestation_ms=40"};
    struct experiment ex, ex_unused;
    struct experiment_results res, res_unused;
    run_scenario_with("journey", sets, 4, &ex, &res);
    run_scenario_with("journey", unused, 1, &ex_unused, &res_unused);
    assert_int_equal(ex.n_variants, sizeof paths / sizeof paths[0]);
    for (size_t v = 0; v < ex.n_variants; v++) {
        const struct expected_path *base = &paths[v];
        double ttft = value(&res, v, "ttft_ms_mean"), e2e = value(&res, v, "e2e_ms_mean");
        printf("  %-13s ttft %8.3f ms (want %6.0f)  e2e %8.3f ms (want %6.0f)\n", base->variant,
               ttft, base->ttft_ms + extra_ms[v], e2e, base->e2e_ms + extra_ms[v]);
        assert_true(fabs(ttft - (base->ttft_ms + extra_ms[v])) < 1e-5);
        assert_true(fabs(e2e - (base->e2e_ms + extra_ms[v])) < 1e-5);
        /* The attestation is not the server's time. */
        assert_true(fabs(value(&res, v, "ttft_server_ms_mean") -
                         value(&res_unused, v, "ttft_server_ms_mean")) < 1e-9);
        assert_true(fabs(value(&res_unused, v, "ttft_ms_mean") - base->ttft_ms) < 1e-5);
        assert_true(fabs(value(&res_unused, v, "e2e_ms_mean") - base->e2e_ms) < 1e-5);
    }
    experiment_results_free(&res);
    experiment_free(&ex);
    experiment_results_free(&res_unused);
    experiment_free(&ex_unused);
}

/* Sum of the outcome counts of replication r. */
static double outcomes(const struct experiment_results *res, size_t v, size_t r)
{
    const char *names[] = {"requests_completed", "requests_fallback", "requests_failed_network",
                           "requests_rejected", "requests_refused"};
    double sum = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        sum += experiment_value(res, v, r)[metric_find(names[i])];
    return sum;
}

static void outages_send_requests_back_to_the_device_or_fail_them(void **state)
{
    struct experiment ex;
    struct experiment_results res;
    run_scenario("outage", &ex, &res);
    const double down_share = 12.5 / 20; /* PASTA: the share of arrivals that meet it */
    long fallback = metric_find("requests_fallback"),
         failed = metric_find("requests_failed_network");
    double arrived = 0, fell_back = 0;
    for (size_t r = 0; r < res.n_reps; r++) {
        const double *fb = experiment_value(&res, 0, r), *fl = experiment_value(&res, 1, r);
        double a = fb[metric_find("requests_arrived")];
        assert_true(a > 0 && fl[metric_find("requests_arrived")] == a); /* same arrivals */
        assert_true(outcomes(&res, 0, r) == a && outcomes(&res, 1, r) == a);
        /* Prompts that met the outage fall back in one variant and fail in the other;
         * answers lost on the way down fail in both, and they are the same requests. */
        assert_true(fl[fallback] == 0);
        assert_true(fl[failed] == fb[fallback] + fb[failed]);
        arrived += a;
        fell_back += fb[fallback];
    }
    double share = fell_back / arrived, se = sqrt(down_share * (1 - down_share) / arrived);
    printf("  %.0f of %.0f prompts met the outage: %.4f (PASTA %.4f, %+.1f SE)\n", fell_back,
           arrived, share, down_share, (share - down_share) / se);
    assert_true(fabs(share - down_share) < 4 * se);
    /* Fallbacks are served on the device and measured; failures have no latency. */
    assert_true(experiment_value(&res, 0, 0)[metric_find("share_device")] > 0.5);
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void edge_link_failures_end_every_request_once(void **state)
{
    struct experiment ex;
    struct experiment_results res;
    run_scenario("edge_outage", &ex, &res);
    const double *x = experiment_value(&res, 0, 0);
    double arrived = x[metric_find("requests_arrived")];
    double failed = x[metric_find("requests_failed_network")];
    printf("  %.0f arrived = %.0f completed + %.0f fallback + %.0f failed\n", arrived,
           x[metric_find("requests_completed")], x[metric_find("requests_fallback")], failed);
    assert_true(failed > 0 && x[metric_find("requests_fallback")] > 0);
    assert_true(outcomes(&res, 0, 0) == arrived);
    experiment_results_free(&res);
    experiment_free(&ex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_path_matches_its_hand_worked_timeline),
        cmocka_unit_test(private_cloud_attestation_is_paid_once_per_tier_reached),
        cmocka_unit_test(outages_send_requests_back_to_the_device_or_fail_them),
        cmocka_unit_test(edge_link_failures_end_every_request_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
