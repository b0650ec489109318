/* Co-located speculative decoding (models/speculation.c) against Leviathan, Kalman & Matias
 * (ICML 2023): E[tokens per round] = (1 − α^(γ+1)) / (1 − α) (their eq. 1) and the walltime
 * improvement S = (1 − α^(γ+1)) / ((1 − α)(γc + 1)) (their theorem 3.8), first for the
 * round sampler alone, then through the whole engine as the ratio of TPOT without and with
 * speculation on a cloud tier (issue 4: within 1 %). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "experiment.h"
#include "experiment_fixture.h"
#include "speculation.h"

static const struct speculation_config cases[] = {
    {.enabled = true, .gamma = 4, .alpha = 0.8, .draft_cost = 0.05},
    {.enabled = true, .gamma = 3, .alpha = 0.6, .draft_cost = 0.1},
    {.enabled = true, .gamma = 7, .alpha = 0.9, .draft_cost = 0.02},
    {.enabled = true, .gamma = 1, .alpha = 0.5, .draft_cost = 0.0},
};

static void formulas_match_hand_computed_values(void **state)
{
    /* α 0.8, γ 4: (1 − 0.32768) / 0.2 = 3.3616 tokens a round; c 0.05: S = 3.3616 / 1.2. */
    assert_true(fabs(speculation_tokens_per_round(&cases[0]) - 3.3616) < 1e-12);
    assert_true(fabs(speculation_speedup(&cases[0]) - 3.3616 / 1.2) < 1e-12);
    /* γ 1, α 0.5: 1.5 tokens a round; free draft: S = 1.5. */
    assert_true(fabs(speculation_speedup(&cases[3]) - 1.5) < 1e-12);
}

static void rounds_yield_leviathans_expected_tokens(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct speculation_config *c = &cases[i];
        double rounds = 0, tokens = 0;
        /* 20,000 requests of 1,000 tokens (a request's last round is cut short). */
        for (uint64_t id = 0; id < 20000; id++) {
            rounds += speculation_rounds(c, c->alpha, 1000, 7, 0, id);
            tokens += 1000;
        }
        double per_round = tokens / rounds, want = speculation_tokens_per_round(c);
        printf("  alpha %.2f gamma %.0f: %.4f tokens a round (Leviathan %.4f, %+.3f %%)\n",
               c->alpha, c->gamma, per_round, want, 100 * (per_round / want - 1));
        /* The discarded tail of each request's last round lowers the count by at most
         * γ / 1000 a request; 1 % covers it and the sampling error (< 0.1 %). */
        assert_true(fabs(per_round / want - 1) < 0.01);
    }
}

static void engine_tpot_speedup_matches_the_walltime_formula(void **state)
{
    for (size_t i = 0; i < 3; i++) {
        const struct speculation_config *c = &cases[i];
        char text[2048];
        snprintf(text, sizeof text,
                 "name: spec\nseed: 5\nrun: {requests: 300}\n"
                 "devices:\n  count: 10\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
                 "  workload: {arrival: {rate_rps: 0.01}, prompt_tokens: 1, "
                 "output_tokens: 1001}\n"
                 "  network: {cloud: {rtt_ms: 0, up_mbps: 1.0e9, down_mbps: 1.0e9}}\n"
                 "cloud:\n  slots: 4\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 50}\n"
                 "arbiter: cloud\nvariants:\n  - {name: plain, set: {}}\n"
                 "  - {name: speculative, set: {cloud.speculation: {gamma: %.0f, alpha: %g, "
                 "draft_cost: %g}}}\n",
                 c->gamma, c->alpha, c->draft_cost);
        struct experiment ex;
        struct experiment_results res;
        fixture_run_text(text, &ex, &res);
        double plain = fixture_value(&res, 0, "tpot_ms_mean");
        double spec = fixture_value(&res, 1, "tpot_ms_mean");
        double want = speculation_speedup(c);
        printf("  alpha %.2f gamma %.0f c %.2f: TPOT %.3f -> %.3f ms, speed-up %.4f "
               "(Leviathan %.4f, %+.2f %%)\n",
               c->alpha, c->gamma, c->draft_cost, plain, spec, plain / spec, want,
               100 * (plain / spec / want - 1));
        assert_true(fabs(plain / spec / want - 1) < 0.01);
        experiment_results_free(&res);
        experiment_free(&ex);
    }
}

/* Device–cloud speculation: the device (decode 500 tok/s, t_d = 2 ms) drafts gamma 4 tokens,
 * the cloud (T = 20 ms) verifies, alpha 0.8 (E = 3.3616 tokens a round). TPOT at the user is
 * (RTT + gamma t_d + T) / E against T for plain streaming, so it pays off while
 * RTT < T (E − 1) − gamma t_d = 39.23 ms. */
static void device_drafting_breaks_even_at_the_closed_form_rtt(void **state)
{
    const double t_d = 0.002, step = 0.020, gamma = 4;
    struct speculation_config c = {.enabled = true, .gamma = gamma, .alpha = 0.8};
    double e = speculation_tokens_per_round(&c),
           break_even_ms = 1e3 * (step * (e - 1) - gamma * t_d);
    /* By hand: 20 ms × 2.3616 − 4 × 2 ms = 39.232 ms; the arbiter's helper agrees. */
    assert_true(fabs(break_even_ms - 39.232) < 1e-9);
    assert_true(fabs(1e3 * speculation_break_even_s(0.8, gamma, step, t_d) - 39.232) < 1e-9);
    const double rtts_ms[] = {10, 30, 50, 80};
    for (size_t i = 0; i < sizeof rtts_ms / sizeof rtts_ms[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text,
                 "name: dc\nseed: 3\nrun: {requests: 200}\n"
                 "devices:\n  count: 10\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 500}\n"
                 "  workload: {arrival: {rate_rps: 0.01}, prompt_tokens: 1, "
                 "output_tokens: 1001}\n"
                 "  network: {cloud: {rtt_ms: %g, up_mbps: 1.0e9, down_mbps: 1.0e9, "
                 "overhead_bytes: 0, bytes_per_token: 0}}\n"
                 "cloud:\n  slots: 4\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 50}\n"
                 "arbiter: cloud\nvariants:\n  - {name: plain, set: {}}\n"
                 "  - {name: speculative, set: {cloud.speculation: {gamma: 4, alpha: 0.8, "
                 "drafter: device}}}\n",
                 rtts_ms[i]);
        struct experiment ex;
        struct experiment_results res;
        fixture_run_text(text, &ex, &res);
        double plain = fixture_value(&res, 0, "tpot_ms_mean");
        double spec = fixture_value(&res, 1, "tpot_ms_mean");
        double want = (rtts_ms[i] + 1e3 * (gamma * t_d + step)) / e;
        printf("  RTT %3.0f ms: TPOT plain %.3f ms, device-drafted %.3f ms (closed form %.3f, "
               "%+.2f %%); break-even RTT %.2f ms\n",
               rtts_ms[i], plain, spec, want, 100 * (spec / want - 1), break_even_ms);
        assert_true(fabs(plain - 1e3 * step) < 1e-6);
        assert_true(fabs(spec / want - 1) < 0.01);
        /* Faster than plain streaming exactly below the break-even RTT. */
        assert_true((spec < plain) == (rtts_ms[i] < break_even_ms));
        experiment_results_free(&res);
        experiment_free(&ex);
    }
}

/* The same device drafting with the verification inside a continuous batch: a verification
 * that finds the replica idle starts at once, so a request alone meets the closed form. */
static void device_drafting_in_a_continuous_batch_meets_the_closed_form_alone(void **state)
{
    const double t_d = 0.002, step = 0.020, gamma = 4, rtt_ms = 10;
    double e = speculation_expected_tokens(0.8, gamma);
    const char *text =
        "name: dc\nseed: 3\nrun: {requests: 200}\n"
        "devices:\n  count: 10\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 500}\n"
        "  workload: {arrival: {rate_rps: 0.005}, prompt_tokens: 1, output_tokens: 1001}\n"
        "  network: {cloud: {rtt_ms: 10, up_mbps: 1.0e9, down_mbps: 1.0e9, overhead_bytes: 0, "
        "bytes_per_token: 0}}\n"
        "cloud:\n  batching: {mode: continuous}\n"
        "  model: {prefill: {base_ms: 0, per_token_ms: 0}, decode_step: {base_ms: 20}, "
        "max_batch: 64}\n"
        "  speculation: {gamma: 4, alpha: 0.8, drafter: device}\n"
        "arbiter: cloud\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double tpot = fixture_value(&res, 0, "tpot_ms_mean");
    double want = (rtt_ms + 1e3 * (gamma * t_d + step)) / e;
    printf("  continuous batch, RTT 10 ms: TPOT %.3f ms (closed form %.3f, %+.2f %%), "
           "%.4f tokens a round (Leviathan %.4f)\n",
           tpot, want, 100 * (tpot / want - 1), fixture_value(&res, 0, "spec_tokens_per_round"), e);
    assert_true(fabs(tpot / want - 1) < 0.01);
    assert_true(fixture_value(&res, 0, "spec_requests") ==
                fixture_value(&res, 0, "requests_completed"));
    assert_true(fabs(fixture_value(&res, 0, "spec_tokens_per_round") / e - 1) < 0.01);
    assert_true(fabs(fixture_value(&res, 0, "spec_acceptance") - 0.8) < 0.01);
    assert_true(fabs(fixture_value(&res, 0, "spec_gamma_mean") - gamma) < 0.01);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* In a batch kept busy by plain streams, a draft that arrives mid-iteration waits for the
 * next one: with a 20 ms step and a draft back 30 ms after its verification ended
 * (RTT 22 ms + 4 × 2 ms drafting), it joins the iteration that starts at +40 ms, so a round
 * takes 60 ms instead of 50 ms alone, and TPOT is 60 ms / E. The `speculative` arbiter lets
 * the near population draft (break-even RTT 39.23 ms) and streams to the far one (RTT
 * 200 ms), whose long answers keep the batch busy (8 in it on average: it is empty
 * e^−8 = 0.03 % of the time). */
static void a_draft_waits_for_the_next_iteration_of_a_busy_batch(void **state)
{
    const char *text =
        "name: busy\nseed: 4\nrun: {duration_s: 300, warmup_s: 20}\n"
        "devices:\n"
        "  - name: far\n    count: 50\n    model: {prefill_tok_s: 1.0e9, decode_tok_s: 500}\n"
        "    workload: {arrival: {rate_rps: 1}, prompt_tokens: 1, output_tokens: 400}\n"
        "    network: {cloud: {rtt_ms: 200, up_mbps: 1.0e9, down_mbps: 1.0e9, "
        "overhead_bytes: 0, bytes_per_token: 0}}\n"
        "  - name: near\n    count: 5\n    model: {prefill_tok_s: 1.0e9, decode_tok_s: 500}\n"
        "    workload: {arrival: {rate_rps: 0.3}, prompt_tokens: 1, output_tokens: 301}\n"
        "    network: {cloud: {rtt_ms: 22, up_mbps: 1.0e9, down_mbps: 1.0e9, "
        "overhead_bytes: 0, bytes_per_token: 0}}\n"
        "cloud:\n  batching: {mode: continuous}\n"
        "  model: {prefill: {base_ms: 0, per_token_ms: 0}, decode_step: {base_ms: 20}, "
        "max_batch: 256}\n"
        "  speculation: {gamma: 4, alpha: 0.8, drafter: device}\n"
        "arbiter: speculative\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double e = speculation_expected_tokens(0.8, 4);
    double tokens_per_round = fixture_value(&res, 0, "spec_tokens_per_round");
    double spec = fixture_value(&res, 0, "spec_requests"),
           served = fixture_value(&res, 0, "requests_completed");
    /* TPOT over all served requests mixes far (20 ms) and near: recover the near mean. */
    double tpot_all = fixture_value(&res, 0, "tpot_ms_mean");
    double near_tpot = (tpot_all * served - 20.0 * (served - spec)) / spec;
    double want = 60.0 / tokens_per_round;
    printf("  busy batch: %.0f of %.0f requests drafted; near TPOT %.3f ms (60 ms / %.4f "
           "tokens = %.3f, %+.2f %%; alone it would be %.3f); batch %.1f\n",
           spec, served, near_tpot, tokens_per_round, want, 100 * (near_tpot / want - 1), 50.0 / e,
           fixture_value(&res, 0, "batch_mean_cloud"));
    assert_true(spec > 50 && spec < served / 3);
    assert_true(fabs(fixture_value(&res, 0, "tpot_ms_p50") - 20.0) < 0.5); /* the far streams */
    assert_true(fabs(near_tpot / want - 1) < 0.01);
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void a_colocated_draft_inside_a_batch_is_refused(void **state)
{
    const char *text =
        "run: {requests: 1}\ndevices:\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
        "  workload: {arrival: {rate_rps: 1}, prompt_tokens: 1, output_tokens: 1}\n"
        "  network: {cloud: {rtt_ms: 0, up_mbps: 1, down_mbps: 1}}\n"
        "cloud:\n  batching: {mode: continuous}\n"
        "  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
        "  speculation: {gamma: 4, alpha: 0.8}\n";
    fixture_expect_load_error(text, "cloud.speculation", "use drafter: device");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formulas_match_hand_computed_values),
        cmocka_unit_test(rounds_yield_leviathans_expected_tokens),
        cmocka_unit_test(engine_tpot_speedup_matches_the_walltime_formula),
        cmocka_unit_test(device_drafting_breaks_even_at_the_closed_form_rtt),
        cmocka_unit_test(device_drafting_in_a_continuous_batch_meets_the_closed_form_alone),
        cmocka_unit_test(a_draft_waits_for_the_next_iteration_of_a_busy_batch),
        cmocka_unit_test(a_colocated_draft_inside_a_batch_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
