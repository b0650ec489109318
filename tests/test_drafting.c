/* Device-drafted speculation (speculation.h; rounds in journey.c, verification in server.c):
 * what the device pays for drafting, adaptive gamma against the best fixed gamma, per-class
 * acceptance, the payload of distributions, lost rounds, the `speculative` arbiter's
 * break-even rule, and bad input. The closed forms (break-even RTT, a busy batch) are in
 * test_speculation.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "experiment.h"
#include "experiment_fixture.h"
#include "speculation.h"

/* A device at 500 tok/s drafting for a cloud at 50 tok/s over a link of `rtt_ms` with free
 * bytes; `extra` is appended (variants, arbiter, …) and `spec` is the speculation map. */
static void scenario_text(char *out, size_t len, double rtt_ms, const char *workload,
                          const char *spec, const char *extra)
{
    snprintf(out, len,
             "name: drafting\nseed: 11\nrun: {requests: 100}\n"
             "devices:\n  count: 20\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 500}\n"
             "  workload: {arrival: {rate_rps: 0.01}, %s}\n"
             "  network: {cloud: {rtt_ms: %g, up_mbps: 1.0e9, down_mbps: 1.0e9, "
             "overhead_bytes: 0, bytes_per_token: 4}}\n"
             "cloud:\n  slots: 100\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 50}\n"
             "  speculation: %s\n%s",
             workload, rtt_ms, spec, extra);
}

/* Draft tokens per served request, from the reported means. */
static double drafted_per_request(const struct experiment_results *res, size_t v, double out)
{
    return fixture_value(res, v, "spec_gamma_mean") * (out - 1) /
           fixture_value(res, v, "spec_tokens_per_round");
}

/* One request, prompt 100 tokens at 100 tok/s on the device: the device prefills for 1 s
 * while the cloud answers the first token after one RTT (10 ms), so drafting starts at 1 s.
 * Energy: 6 W × 1 s of prefill plus 3 W × each draft token's 2 ms. */
static void drafting_is_booked_on_the_device_with_its_energy(void **state)
{
    const char *text =
        "name: booked\nseed: 2\nrun: {requests: 1}\n"
        "devices:\n  model: {prefill_tok_s: 100, decode_tok_s: 500}\n"
        "  power: {prefill_w: 6, decode_w: 3}\n"
        "  workload: {arrival: {rate_rps: 1}, prompt_tokens: 100, output_tokens: 201}\n"
        "  network: {cloud: {rtt_ms: 10, up_mbps: 1.0e9, down_mbps: 1.0e9, overhead_bytes: 0, "
        "bytes_per_token: 0}}\n"
        "cloud:\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 50}\n"
        "  speculation: {gamma: 4, alpha: 0.8, drafter: device}\n"
        "arbiter: cloud\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double drafted = drafted_per_request(&res, 0, 201);
    double want_j = 6 * 1.0 + 3 * drafted * 0.002;
    double rounds = 200 / fixture_value(&res, 0, "spec_tokens_per_round");
    double e2e_ms = fixture_value(&res, 0, "e2e_ms_mean");
    printf("  energy %.6f J (6 W x 1 s + 3 W x %.0f x 2 ms = %.6f); TTFT %.3f ms; e2e %.1f ms "
           "= 1000 + %.0f rounds x %.2f ms\n",
           fixture_value(&res, 0, "energy_device_j_per_req"), drafted, want_j,
           fixture_value(&res, 0, "ttft_ms_mean"), e2e_ms, rounds, (e2e_ms - 1000) / rounds);
    assert_true(fabs(fixture_value(&res, 0, "energy_device_j_per_req") - want_j) < 1e-9);
    assert_true(fabs(fixture_value(&res, 0, "ttft_ms_mean") - 10.0) < 1e-3);
    /* After the prefill each round is drafting (γ × 2 ms, fewer in the last) + RTT + T. */
    double want_e2e_ms = 1000 + 2 * drafted + rounds * (10 + 20);
    assert_true(fabs(e2e_ms - want_e2e_ms) < 1e-3);
    assert_true(fixture_value(&res, 0, "util_device") > 0);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* A one-token answer is complete with the first result, while the device is still
 * prefilling to draft: the request ends once that job is done (it once waited forever), in
 * slots and in a continuous batch (whose prefill once finished it without sending the
 * token). */
static void a_one_token_answer_ends_while_the_device_still_prefills(void **state)
{
    const char *text =
        "name: short\nseed: 2\nrun: {requests: 3}\n"
        "devices:\n  model: {prefill_tok_s: 100, decode_tok_s: 500}\n"
        "  workload: {arrival: {rate_rps: 1}, prompt_tokens: 100, output_tokens: 1}\n"
        "  network: {cloud: {rtt_ms: 10, up_mbps: 1.0e9, down_mbps: 1.0e9, overhead_bytes: 0, "
        "bytes_per_token: 0}}\n"
        "cloud:\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 50}\n"
        "  speculation: {gamma: 4, alpha: 0.8, drafter: device}\n"
        "arbiter: cloud\n"
        "variants:\n  - {name: slots, set: {}}\n"
        "  - {name: continuous, set: {cloud.batching: {mode: continuous}}}\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    for (size_t v = 0; v < 2; v++) {
        printf("  %s: %.0f of 3 one-token answers completed, e2e %.3f ms\n",
               v ? "continuous" : "slots", fixture_value(&res, v, "requests_completed"),
               fixture_value(&res, v, "e2e_ms_mean"));
        assert_true(fixture_value(&res, v, "requests_completed") == 3);
        assert_true(fabs(fixture_value(&res, v, "e2e_ms_mean") - 10.0) < 1e-3);
    }
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* An escalated request's answer comes from the tier: its first drafted round replaces the
 * device's first token (as streaming's does), and adaptive gamma does not mistake the time
 * since the start of the run for a round trip (both once happened). */
static void an_escalated_request_takes_the_tiers_first_token(void **state)
{
    const char *text =
        "name: escalated\nseed: 5\nrun: {requests: 1, warmup_s: 0}\n"
        "devices:\n  model: {prefill_tok_s: 2000, decode_tok_s: 50, accuracy: {skill: 0}}\n"
        "  workload: {arrival: {rate_rps: 0.001}, prompt_tokens: 100, output_tokens: 200}\n"
        "  network: {cloud: {rtt_ms: 20, up_mbps: 20, down_mbps: 50}}\n"
        "cloud:\n  slots: 4\n  model: {prefill_tok_s: 20000, decode_tok_s: 20, "
        "accuracy: {skill: 2}}\n"
        "  speculation: {drafter: device, gamma: 4, alpha: 0.8, gamma_max: 8, adaptive: true}\n"
        "arbiter: {policy: cascade, auc: 0.8, threshold: 100}\n"
        "variants:\n  - {name: stream, set: {cloud.speculation.drafter: none}}\n"
        "  - {name: escalated, set: {}}\n  - {name: direct, set: {arbiter: cloud}}\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double ttft_stream = fixture_value(&res, 0, "ttft_ms_mean");
    double ttft = fixture_value(&res, 1, "ttft_ms_mean");
    printf("  escalated: TTFT %.3f ms drafted, %.3f ms streamed; mean gamma %.2f escalated, "
           "%.2f sent straight\n",
           ttft, ttft_stream, fixture_value(&res, 1, "spec_gamma_mean"),
           fixture_value(&res, 2, "spec_gamma_mean"));
    assert_true(fixture_value(&res, 1, "requests_escalated") == 1);
    assert_true(fabs(ttft - ttft_stream) < 1e-6);
    assert_true(fabs(fixture_value(&res, 1, "spec_gamma_mean") -
                     fixture_value(&res, 2, "spec_gamma_mean")) < 0.5);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* An escalated drafted request whose round is lost keeps the device's answer, with the
 * device's own first token (the tier's first result had replaced it): TPOT is the device's
 * 10 ms a token, not a mix of the two answers' timestamps. */
static void an_escalated_request_that_loses_a_round_keeps_the_device_answer(void **state)
{
    const char *text =
        "name: escalated-round-lost\nseed: 3\nrun: {requests: 40, warmup_s: 0}\n"
        "devices:\n  count: 2\n"
        "  model: {prefill_tok_s: 2000, decode_tok_s: 100, accuracy: {skill: 0}}\n"
        "  workload: {arrival: {rate_rps: 1}, prompt_tokens: 50, output_tokens: 40}\n"
        "  network:\n    on_failure: fallback\n"
        "    cloud: {rtt_ms: 20, up_mbps: 50, down_mbps: 50, outage: {up_s: 0.5, down_s: 0.5}, "
        "on_outage: fail}\n"
        "cloud:\n  slots: 8\n  model: {prefill_tok_s: 20000, decode_tok_s: 50, "
        "accuracy: {skill: 2}}\n"
        "  speculation: {drafter: device, gamma: 3, alpha: 0.7}\n"
        "arbiter: {policy: cascade, to: cloud, auc: 0.8, threshold: 10}\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    printf("  %.0f of 40 fell back to the device's answer; TPOT mean %.4f, max %.4f ms\n",
           fixture_value(&res, 0, "requests_fallback"), fixture_value(&res, 0, "tpot_ms_mean"),
           fixture_value(&res, 0, "tpot_ms_max"));
    assert_true(fixture_value(&res, 0, "requests_fallback") == 40);
    assert_true(fabs(fixture_value(&res, 0, "tpot_ms_mean") - 10.0) < 1e-6);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* A request whose tier rejects it, or whose answer is complete, stops its device's prefill
 * for drafting at once: with every request rejected (P + O beyond the KV cache) the device
 * is busy only for the few ms the prompt takes to reach the tier, not the 5 s prefill. */
static void a_rejected_request_stops_its_devices_prefill(void **state)
{
    const char *text =
        "name: rejected\nseed: 3\nrun: {requests: 10, warmup_s: 0}\n"
        "devices:\n  model: {prefill_tok_s: 100, decode_tok_s: 20}\n"
        "  workload: {arrival: {process: closed, think_s: 0.1, users_per_device: 1}, "
        "prompt_tokens: 500, output_tokens: 20}\n"
        "  network: {cloud: {rtt_ms: 20, up_mbps: 20, down_mbps: 50}}\n"
        "cloud:\n  batching: {mode: continuous}\n"
        "  model: {prefill_tok_s: 20000, decode_tok_s: 50, kv_cache_tokens: 400}\n"
        "  speculation: {drafter: device, gamma: 4, alpha: 0.7}\n"
        "arbiter: cloud\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    printf("  %.0f of 10 rejected; device busy %.4f of the run\n",
           fixture_value(&res, 0, "requests_rejected"), fixture_value(&res, 0, "util_device"));
    assert_true(fixture_value(&res, 0, "requests_rejected") == 10);
    assert_true(fixture_value(&res, 0, "util_device") < 0.1);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* A cancelled prefill heats the device only for the time it ran: one-token answers cancel
 * their device's 5 s prefill within a round trip, so the requests the device serves itself
 * are no slower than when the tier merely streams (they once were: 3.2 s against 2.0 s). */
static void a_cancelled_job_heats_the_device_only_while_it_ran(void **state)
{
    const char *text =
        "name: therm\nseed: 2\nrun: {requests: 400, warmup_s: 0}\n"
        "devices:\n  count: 2\n  model: {prefill_tok_s: 200, decode_tok_s: 20}\n"
        "  thermal: {throttle_factor: 0.3, heat_time_s: 5}\n"
        "  workload: {arrival: {rate_rps: 0.1}, prompt_tokens: 1000, output_tokens: 1}\n"
        "  network: {cloud: {rtt_ms: 20, up_mbps: 50, down_mbps: 50}}\n"
        "cloud:\n  slots: 8\n  model: {prefill_tok_s: 50000, decode_tok_s: 50}\n"
        "  speculation: {drafter: device, gamma: 3, alpha: 0.7}\n"
        "arbiter: {policy: random, to: cloud, share: 0.8}\n"
        "variants:\n  - {name: drafting, set: {}}\n"
        "  - {name: streaming, set: {cloud.speculation.drafter: none}}\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double drafting = fixture_value(&res, 0, "e2e_ms_mean");
    double streaming = fixture_value(&res, 1, "e2e_ms_mean");
    printf("  e2e %.1f ms with drafting (prefills cancelled), %.1f ms streaming\n", drafting,
           streaming);
    assert_true(fabs(drafting / streaming - 1) < 0.01);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* RTT 60 ms, alpha 0.9, t_d 2 ms, T 20 ms: E(γ)/(γ t_d + 80 ms) is largest at a large γ.
 * Adaptive gamma, started at 2, should come within 3 % of the best fixed gamma's TPOT. */
static void adaptive_gamma_comes_close_to_the_best_fixed_gamma(void **state)
{
    char variants[4096] = "arbiter: cloud\nvariants:\n";
    size_t used = strlen(variants);
    for (int g = 1; g <= 16; g++)
        used += (size_t)snprintf(variants + used, sizeof variants - used,
                                 "  - {name: g%d, set: {cloud.speculation.gamma: %d}}\n", g, g);
    snprintf(variants + used, sizeof variants - used,
             "  - {name: adaptive, set: {cloud.speculation.gamma: 2, "
             "cloud.speculation.adaptive: true}}\n");
    char text[8192];
    scenario_text(text, sizeof text, 60, "prompt_tokens: 1, output_tokens: 1001",
                  "{gamma: 4, alpha: 0.9, drafter: device, gamma_max: 16}", variants);
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double best = INFINITY;
    int best_gamma = 0;
    for (int g = 1; g <= 16; g++) {
        double tpot = fixture_value(&res, (size_t)g - 1, "tpot_ms_mean");
        if (tpot < best) {
            best = tpot;
            best_gamma = g;
        }
    }
    double adaptive = fixture_value(&res, 16, "tpot_ms_mean");
    printf("  best fixed gamma %d: TPOT %.3f ms; gamma 2: %.3f ms; adaptive (from 2): %.3f ms "
           "(%+.2f %% of the best), mean gamma %.2f\n",
           best_gamma, best, fixture_value(&res, 1, "tpot_ms_mean"), adaptive,
           100 * (adaptive / best - 1), fixture_value(&res, 16, "spec_gamma_mean"));
    assert_true(best_gamma > 4);
    assert_true(adaptive < 1.03 * best);
    assert_true(adaptive < 0.9 * fixture_value(&res, 1, "tpot_ms_mean"));
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* stop_when_slower: at RTT 80 ms drafting loses to streaming (break-even 39.23 ms), so after
 * two rounds the device asks the tier to stream the rest — TPOT close to streaming's, far
 * below drafting's; at RTT 10 ms drafting wins and nothing changes. In slots and in a
 * continuous batch. */
static void stop_when_slower_streams_when_drafting_loses(void **state)
{
    const double rtts_ms[] = {80, 10};
    const char *const modes[] = {"none", "continuous"};
    for (size_t m = 0; m < 2; m++)
        for (size_t i = 0; i < 2; i++) {
            char text[4096];
            snprintf(text, sizeof text,
                     "name: stop\nseed: 8\nrun: {requests: 60}\n"
                     "devices:\n  count: 20\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 500}\n"
                     "  workload: {arrival: {rate_rps: 0.02}, prompt_tokens: 1, "
                     "output_tokens: 301}\n"
                     "  network: {cloud: {rtt_ms: %g, up_mbps: 1.0e9, down_mbps: 1.0e9, "
                     "overhead_bytes: 0, bytes_per_token: 0}}\n"
                     "cloud:\n  batching: {mode: %s}\n"
                     "  model: {prefill: {base_ms: 0, per_token_ms: 0}, decode_step: "
                     "{base_ms: 20}, max_batch: 64}\n"
                     "  speculation: {gamma: 4, alpha: 0.8, drafter: device, adaptive: true}\n"
                     "arbiter: cloud\nvariants:\n"
                     "  - {name: stream, set: {cloud.speculation.drafter: none}}\n"
                     "  - {name: adaptive, set: {}}\n"
                     "  - {name: stop, set: {cloud.speculation.stop_when_slower: true}}\n",
                     rtts_ms[i], modes[m]);
            struct experiment ex;
            struct experiment_results res;
            fixture_run_text(text, &ex, &res);
            double stream = fixture_value(&res, 0, "tpot_ms_mean");
            double adaptive = fixture_value(&res, 1, "tpot_ms_mean");
            double stop = fixture_value(&res, 2, "tpot_ms_mean");
            printf("  %s, RTT %2.0f ms: TPOT streaming %.3f, adaptive %.3f, stop_when_slower "
                   "%.3f ms; %.0f completed\n",
                   modes[m], rtts_ms[i], stream, adaptive, stop,
                   fixture_value(&res, 2, "requests_completed"));
            assert_true(fixture_value(&res, 2, "requests_completed") == 60);
            if (i == 0) { /* drafting loses: stop streams after two rounds */
                assert_true(adaptive > 1.3 * stream);
                assert_true(stop < 1.1 * stream);
            } else { /* drafting wins: stop never triggers */
                assert_true(adaptive < stream);
                assert_true(fabs(stop - adaptive) < 1e-9);
            }
            experiment_results_free(&res);
            experiment_free(&ex);
        }
}

/* alpha_by_class overrides alpha for its class; the measured acceptance follows. */
static void alpha_by_class_sets_each_class_acceptance(void **state)
{
    char text[4096];
    scenario_text(text, sizeof text, 10,
                  "tasks: [{name: chat, share: 1, prompt_tokens: 1, output_tokens: 1001}]",
                  "{gamma: 4, alpha: 0.9, drafter: device}",
                  "arbiter: cloud\nvariants:\n  - {name: default, set: {}}\n"
                  "  - {name: by-class, set: {cloud.speculation.alpha_by_class: {chat: 0.5}}}\n");
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    printf("  measured acceptance %.4f (alpha 0.9), %.4f (chat: 0.5)\n",
           fixture_value(&res, 0, "spec_acceptance"), fixture_value(&res, 1, "spec_acceptance"));
    assert_true(fabs(fixture_value(&res, 0, "spec_acceptance") - 0.9) < 0.01);
    assert_true(fabs(fixture_value(&res, 1, "spec_acceptance") - 0.5) < 0.01);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* Sending the drafter's distributions adds vocab_size × prob_bytes bytes per draft token
 * to the uplink, and nothing else changes in what is drafted. */
static void distributions_payload_adds_a_vocabulary_per_draft_token(void **state)
{
    char text[4096];
    scenario_text(text, sizeof text, 10, "prompt_tokens: 1, output_tokens: 301",
                  "{gamma: 4, alpha: 0.8, drafter: device}",
                  "arbiter: cloud\nvariants:\n  - {name: ids, set: {}}\n"
                  "  - {name: dist, set: {cloud.speculation.payload: distributions, "
                  "cloud.speculation.vocab_size: 32000, cloud.speculation.prob_bytes: 2}}\n");
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double drafted = drafted_per_request(&res, 0, 301);
    double extra =
        fixture_value(&res, 1, "bytes_up_per_req") - fixture_value(&res, 0, "bytes_up_per_req");
    printf("  uplink bytes per request: ids %.0f, distributions %.0f (+%.0f = %.0f draft tokens "
           "x 64,000)\n",
           fixture_value(&res, 0, "bytes_up_per_req"), fixture_value(&res, 1, "bytes_up_per_req"),
           extra, drafted);
    assert_true(fabs(drafted - drafted_per_request(&res, 1, 301)) < 1e-9);
    assert_true(fabs(extra / (drafted * 64000) - 1) < 1e-9);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* Outages that fail messages lose rounds: those requests fail (on_failure: fail) or their
 * devices finish them alone (fallback, the tier still paid for its part); the tier lets their
 * sequences go (a KV cache for 3 requests keeps serving), and every request ends once. */
static void lost_rounds_fail_their_requests_and_free_the_tier(void **state)
{
    const char *text =
        "name: lossy\nseed: 5\nrun: {requests: 400}\n"
        "devices:\n  count: 20\n  model: {prefill_tok_s: 1.0e4, decode_tok_s: 500}\n"
        "  workload: {arrival: {rate_rps: 2}, prompt_tokens: 10, output_tokens: 101}\n"
        "  network:\n    cloud: {rtt_ms: 20, up_mbps: 10, down_mbps: 10, on_outage: fail,\n"
        "            outage: {up_s: {dist: exponential, mean: 5}, down_s: 0.5}}\n"
        "    on_failure: fail\n"
        "cloud:\n  batching: {mode: continuous}\n"
        "  model: {prefill_tok_s: 1.0e6, decode_tok_s: 50, kv_cache_tokens: 333, "
        "price: {input_usd_per_mtok: 1000, output_usd_per_mtok: 0}}\n"
        "  speculation: {gamma: 4, alpha: 0.8, drafter: device, adaptive: true}\n"
        "arbiter: cloud\n"
        "variants:\n  - {name: fail, set: {}}\n"
        "  - {name: fallback, set: {devices.network.on_failure: fallback}}\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    double fallback = fixture_value(&res, 1, "requests_fallback");
    printf("  fallback: %.0f completed, %.0f finished by their device, %.0f failed\n",
           fixture_value(&res, 1, "requests_completed"), fallback,
           fixture_value(&res, 1, "requests_failed_network"));
    assert_true(fallback > 10 && fixture_value(&res, 1, "requests_failed_network") == 0);
    /* Every request whose prompt reached the tier pays for its 10 prompt tokens at $1,000
     * per million, those its device finished after a lost round too (they were once free). */
    double reached = fixture_value(&res, 1, "exposed_requests_third_party_api");
    double want_usd = reached * 10 * 1000e-6 / 400;
    printf("  cost per served request $%.6f (%.0f prompts billed: $%.6f)\n",
           fixture_value(&res, 1, "cost_usd_per_req"), reached, want_usd);
    assert_true(fabs(fixture_value(&res, 1, "cost_usd_per_req") - want_usd) < 1e-12);
    assert_true(fixture_value(&res, 1, "requests_completed") + fallback == 400);
    double arrived = fixture_value(&res, 0, "requests_arrived");
    double completed = fixture_value(&res, 0, "requests_completed");
    double failed = fixture_value(&res, 0, "requests_failed_network");
    printf("  %.0f arrived: %.0f completed, %.0f failed on the link, %.0f rejected\n", arrived,
           completed, failed, fixture_value(&res, 0, "requests_rejected"));
    assert_true(arrived == 400);
    assert_true(failed > 10 && completed > 200);
    assert_true(completed + failed + fixture_value(&res, 0, "requests_fallback") +
                    fixture_value(&res, 0, "requests_rejected") ==
                arrived);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* The break-even RTT of T 20 ms, t_d 2 ms, gamma 4, alpha 0.8 is 39.23 ms: the `speculative`
 * arbiter drafts below it and streams above it. */
static void the_speculative_arbiter_drafts_below_the_break_even_rtt(void **state)
{
    const double rtts[] = {39, 40};
    for (size_t i = 0; i < 2; i++) {
        char text[4096];
        scenario_text(text, sizeof text, rtts[i], "prompt_tokens: 1, output_tokens: 101",
                      "{gamma: 4, alpha: 0.8, drafter: device}", "arbiter: speculative\n");
        struct experiment ex;
        struct experiment_results res;
        fixture_run_text(text, &ex, &res);
        double spec = fixture_value(&res, 0, "spec_requests");
        printf("  RTT %.0f ms: %.0f of %.0f requests drafted\n", rtts[i], spec,
               fixture_value(&res, 0, "requests_completed"));
        assert_true(spec == (i == 0 ? 100 : 0));
        assert_true(fixture_value(&res, 0, "share_cloud") == 1);
        /* Not drafted is plainly streamed, at the tier's 20 ms a token (it once got the
         * tier's co-located speculation for free). */
        if (i == 1)
            assert_true(fabs(fixture_value(&res, 0, "tpot_ms_mean") - 20.0) < 1e-6);
        experiment_results_free(&res);
        experiment_free(&ex);
    }
}

static void bad_drafting_input_is_located(void **state)
{
    char text[4096];
    scenario_text(text, sizeof text, 10,
                  "tasks: [{name: chat, share: 1, prompt_tokens: 1, output_tokens: 11}]",
                  "{drafter: device, alpha_by_class: {caht: 0.5}}", "arbiter: cloud\n");
    fixture_expect_load_error(text, "cloud.speculation.alpha_by_class.caht", "did you mean 'chat'");
    scenario_text(text, sizeof text, 10, "prompt_tokens: 1, output_tokens: 11", "{adaptive: true}",
                  "arbiter: cloud\n");
    fixture_expect_load_error(text, "cloud.speculation", "drafter: device");
    scenario_text(text, sizeof text, 10, "prompt_tokens: 1, output_tokens: 11",
                  "{drafter: device, adaptive: true, gamma: 8, gamma_max: 4}", "arbiter: cloud\n");
    fixture_expect_load_error(text, "cloud.speculation.gamma", "gamma_max");
    scenario_text(text, sizeof text, 10, "prompt_tokens: 1, output_tokens: 11",
                  "{drafter: device, payload: logits}", "arbiter: cloud\n");
    fixture_expect_load_error(text, "cloud.speculation.payload", "distributions");
    scenario_text(text, sizeof text, 10, "prompt_tokens: 1, output_tokens: 11",
                  "{drafter: colocated}", "arbiter: speculative\n");
    fixture_expect_load_error(text, "arbiter", "drafter: device");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drafting_is_booked_on_the_device_with_its_energy),
        cmocka_unit_test(a_one_token_answer_ends_while_the_device_still_prefills),
        cmocka_unit_test(an_escalated_request_takes_the_tiers_first_token),
        cmocka_unit_test(an_escalated_request_that_loses_a_round_keeps_the_device_answer),
        cmocka_unit_test(a_rejected_request_stops_its_devices_prefill),
        cmocka_unit_test(a_cancelled_job_heats_the_device_only_while_it_ran),
        cmocka_unit_test(adaptive_gamma_comes_close_to_the_best_fixed_gamma),
        cmocka_unit_test(stop_when_slower_streams_when_drafting_loses),
        cmocka_unit_test(alpha_by_class_sets_each_class_acceptance),
        cmocka_unit_test(distributions_payload_adds_a_vocabulary_per_draft_token),
        cmocka_unit_test(lost_rounds_fail_their_requests_and_free_the_tier),
        cmocka_unit_test(the_speculative_arbiter_drafts_below_the_break_even_rtt),
        cmocka_unit_test(bad_drafting_input_is_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
