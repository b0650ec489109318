/* The Big-Little Decoder (models/bild.c): the token process against closed forms and hand-worked
 * requests, the two calibrations against Kim et al.'s table (NeurIPS 2023; fallback 3–30 % and
 * rollback 2–4 % of tokens from a reproduction, reference-numbers.md §1.3), the direction of
 * the speed/quality trade-off, determinism, the coupling with the server's slots, and bad
 * input. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bild.h"
#include "experiment.h"
#include "experiment_fixture.h"

/* A config with a uniform confidence, no rollback (σ 0, median below any threshold) and no
 * cap on small runs, for the closed forms. */
static struct bild_config plain_config(double fallback, double small_cost)
{
    return (struct bild_config){.enabled = true,
                                .fallback_threshold = fallback,
                                .rollback_threshold_nats = 3,
                                .small_cost = small_cost,
                                .max_small_tokens = 1000000000,
                                .confidence_a = 1,
                                .confidence_b = 1,
                                .agreement_exponent = 1,
                                .confident_disagreement = 0,
                                .disagreement_median_nats = 1,
                                .disagreement_sigma = 0};
}

/* The calibrated config `calibration` with the given thresholds, read as a scenario would. */
static struct bild_config calibrated(const char *calibration, double rollback, double fallback)
{
    char text[256];
    snprintf(text, sizeof text,
             "big_little: {calibration: %s, rollback_threshold: %g, fallback_threshold: %g}\n",
             calibration, rollback, fallback);
    struct error err;
    struct ydoc *doc = ydoc_load_string(text, "bild.yaml", &err);
    assert_non_null(doc);
    struct bild_config cfg;
    if (bild_load(&cfg, ydoc_root(doc), &err) != 0 || ydoc_check_unused(doc, &err) != 0)
        fail_msg("%s: %s", err.path, err.msg);
    ydoc_free(doc);
    assert_true(cfg.enabled);
    return cfg;
}

static struct bild_stats decode_many(const struct bild_config *cfg, uint32_t tokens,
                                     uint64_t requests, uint64_t seed)
{
    struct bild_stats s = {0};
    for (uint64_t id = 0; id < requests; id++)
        bild_decode(cfg, tokens, seed, 0, id, &s);
    return s;
}

/* Decode speed-up against the large model alone: (O − 1) plain steps per request. */
static double decode_speedup(const struct bild_stats *s)
{
    return (s->output_tokens - s->requests) / s->decode_steps;
}

static void fallbacks_follow_the_confidence_distribution(void **state)
{
    (void)state;
    /* Uniform confidence: P(c < 0.3) = 0.3. Kumaraswamy(2, 0.5): 1 − (1 − 0.6²)^0.5 = 0.2. */
    struct bild_config uniform = plain_config(0.3, 0.3), skewed = plain_config(0.6, 0.3);
    skewed.confidence_a = 2;
    skewed.confidence_b = 0.5;
    const struct {
        struct bild_config *cfg;
        double p;
    } cases[] = {{&uniform, 0.3}, {&skewed, 0.2}};
    for (size_t i = 0; i < 2; i++) {
        assert_true(fabs(bild_fallback_probability(cases[i].cfg) - cases[i].p) < 1e-12);
        struct bild_stats s = decode_many(cases[i].cfg, 500, 2000, 11);
        /* Every small step falls back independently with probability p: a binomial share. */
        double per_step = s.fallbacks / s.small_steps, p = cases[i].p;
        double se = sqrt(p * (1 - p) / s.small_steps);
        /* Without a cap or rollbacks a cycle is K ~ geometric small tokens and one large one,
         * E[K + 1] = 1/p, so fallbacks per output token → p (less the last, cut cycle). */
        double per_token = bild_fallback_rate(&s);
        printf("  P(c < %.1f) = %.4f: per small step %.4f (%.1f SE), per token %.4f\n",
               cases[i].cfg->fallback_threshold, p, per_step, (per_step - p) / se, per_token);
        assert_true(fabs(per_step - p) < 4 * se);
        assert_true(fabs(per_token / p - 1) < 0.02);
        assert_true(s.rollbacks == 0);
    }
}

/* With a cap of N small tokens and no rollback, a cycle is K = min(G, N) kept small tokens
 * (G geometric: P(G ≥ k) = (1 − p)^k), a wasted step when it fell back (probability
 * 1 − (1 − p)^N), and one large pass: K + 1 tokens for c(K + 1{fell back}) + 1 steps, so by
 * renewal-reward S = (E[K] + 1) / (c E[K] + c (1 − (1 − p)^N) + 1) with
 * E[K] = (1 − p)(1 − (1 − p)^N) / p. */
static void decode_time_matches_the_renewal_formula(void **state)
{
    (void)state;
    const struct {
        double fallback, small_cost;
        int64_t cap;
    } cases[] = {{0.2, 0.3, 10}, {0.05, 0.2, 4}, {0.5, 0.4, 1000000000}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bild_config cfg = plain_config(cases[i].fallback, cases[i].small_cost);
        cfg.max_small_tokens = cases[i].cap;
        double p = cases[i].fallback, c = cases[i].small_cost;
        double q_n = cases[i].cap > 1000 ? 0 : pow(1 - p, (double)cases[i].cap);
        double k = (1 - p) * (1 - q_n) / p;
        double want = (k + 1) / (c * k + c * (1 - q_n) + 1);
        struct bild_stats s = decode_many(&cfg, 1001, 2000, 3);
        double got = decode_speedup(&s);
        printf("  p %.2f c %.1f N %lld: speed-up %.4f (renewal %.4f, %+.2f %%)\n", p, c,
               (long long)(cases[i].cap > 1000 ? -1 : cases[i].cap), got, want,
               100 * (got / want - 1));
        /* The last cycle of each request is cut short (< 1/1000 of its tokens) and the
         * sampling error is below 0.2 %: 1 %. */
        assert_true(fabs(got / want - 1) < 0.01);
    }
}

/* Three requests of O = 11 tokens worked by hand (c_s = 0.25, N = 4, token 1 from the
 * prefill, so positions 2 … 11 are decoded). */
static void hand_worked_requests(void **state)
{
    (void)state;
    struct bild_config cfg = plain_config(0, 0.25);
    cfg.max_small_tokens = 4;
    cfg.agreement_exponent = 0; /* c^0 = 1: the small model always agrees */
    struct bild_stats s = {0};
    /* Never falls back, always agrees: small 2–5, large 6, small 7–10, large 11:
     * 8 · 0.25 + 2 = 4 steps against 10. */
    bild_decode(&cfg, 11, 1, 0, 0, &s);
    assert_true(s.small_steps == 8 && s.large_passes == 2 && s.fallbacks == 0);
    assert_true(s.rollbacks == 0 && s.kept_disagreements == 0);
    assert_true(fabs(s.decode_steps - 4) < 1e-12);
    assert_true(fabs(decode_speedup(&s) - 2.5) < 1e-12);

    /* Always differs (ε = 1) and every difference rolls back (σ 0, median 5 > α_RB 3): each
     * cycle drafts 4, the check keeps the large model's token at the first of them and a
     * second large pass adds the next, so n = 1 → 3 → 5 → 7; then small 8 … 11 end the
     * output unchecked. 3 · (4 · 0.25 + 2) + 4 · 0.25 = 10 steps; 12 tokens rolled back;
     * the 4 unchecked tokens are kept disagreements. */
    cfg.confident_disagreement = 1;
    cfg.disagreement_median_nats = 5;
    s = (struct bild_stats){0};
    bild_decode(&cfg, 11, 1, 0, 0, &s);
    assert_true(s.small_steps == 16 && s.large_passes == 6 && s.rollbacks == 3);
    assert_true(s.rolled_back_tokens == 12 && s.kept_disagreements == 4);
    assert_true(fabs(s.decode_steps - 10) < 1e-12);
    assert_true(fabs(bild_rollback_rate(&s) - 3.0 / 11) < 1e-12);

    /* α_FB = 1: every small step falls back, so each token costs 0.25 + 1. */
    cfg.fallback_threshold = 1;
    s = (struct bild_stats){0};
    bild_decode(&cfg, 11, 1, 0, 0, &s);
    assert_true(s.small_steps == 10 && s.fallbacks == 10 && s.large_passes == 10);
    assert_true(fabs(s.decode_steps - 12.5) < 1e-12);
}

/* Kim et al.'s table of score / speed-up at (α_RB, α_FB) (reference-numbers.md §1.3; mT5 for
 * IWSLT and WMT, T5 for XSUM and CNNDM; T4 GPU, batch 1), the first row of each pair the
 * "no degradation" setting. */
static const struct published {
    const char *task, *calibration;
    double rollback, fallback, speedup;
} published[] = {
    {"IWSLT", "unaligned", 2, 0.6, 1.43}, {"IWSLT", "unaligned", 3, 0.5, 1.58},
    {"WMT", "unaligned", 2, 0.6, 1.34},   {"WMT", "unaligned", 3, 0.5, 1.43},
    {"XSUM", "unaligned", 3, 0.5, 1.48},  {"XSUM", "unaligned", 5, 0.3, 1.72},
    {"CNNDM", "unaligned", 3, 0.4, 1.71}, {"CNNDM", "unaligned", 6, 0.2, 2.05},
    {"IWSLT", "aligned", 3, 0.9, 1.62},   {"IWSLT", "aligned", 4, 0.6, 1.78},
    {"WMT", "aligned", 2, 0.8, 1.47},     {"WMT", "aligned", 5, 0.6, 1.70},
    {"XSUM", "aligned", 2, 0.6, 1.50},    {"XSUM", "aligned", 5, 0.4, 1.80},
    {"CNNDM", "aligned", 3, 0.3, 1.85},   {"CNNDM", "aligned", 6, 0.2, 2.12},
};

static void calibrations_reproduce_the_published_ranges(void **state)
{
    (void)state;
    enum { N = sizeof published / sizeof published[0] };
    double speedup[N], loss[N], worst = 0;
    printf("  task   calibration (RB, FB)  fallback rollback  speed-up (published)  loss\n");
    for (size_t i = 0; i < N; i++) {
        const struct published *p = &published[i];
        struct bild_config cfg = calibrated(p->calibration, p->rollback, p->fallback);
        /* 30 output tokens: XSUM summaries average 27 (the reproduction's eval_gen_len). */
        struct bild_stats s = decode_many(&cfg, 30, 20000, 42);
        double fb = bild_fallback_rate(&s), rb = bild_rollback_rate(&s);
        speedup[i] = decode_speedup(&s);
        loss[i] = bild_quality_loss(&s);
        double err = speedup[i] / p->speedup - 1;
        worst = fmax(worst, fabs(err));
        printf("  %-6s %-9s (%g, %.1f)  %6.2f %%  %6.2f %%  %.3f (%.2f, %+5.1f %%)  %5.2f %%\n",
               p->task, p->calibration, p->rollback, p->fallback, 100 * fb, 100 * rb, speedup[i],
               p->speedup, 100 * err, 100 * loss[i]);
        /* The reproduction's typical ranges (reference-numbers.md §1.3). */
        assert_true(fb >= 0.03 && fb <= 0.30);
        assert_true(rb >= 0.02 && rb <= 0.04);
        /* One token model per calibration for four tasks whose speed-ups differ by up to
         * 10 % at equal thresholds: 12 %. */
        assert_true(fabs(err) < 0.12);
    }
    printf("  largest speed-up error %.1f %%\n", 100 * worst);
    /* Within each task, the second setting is the faster one with the lower score: the
     * simulation must be faster there and lose more. */
    for (size_t i = 0; i < N; i += 2) {
        assert_true(speedup[i + 1] > speedup[i]);
        assert_true(loss[i + 1] > loss[i]);
    }
}

static void thresholds_trade_speed_for_quality(void **state)
{
    (void)state;
    const char *const calibrations[] = {"unaligned", "aligned"};
    for (size_t k = 0; k < 2; k++) {
        double last_fb = -1, last_speedup = INFINITY;
        for (double fallback = 0.1; fallback < 0.95; fallback += 0.2) {
            struct bild_config cfg = calibrated(calibrations[k], 3, fallback);
            struct bild_stats s = decode_many(&cfg, 30, 4000, 5);
            /* Raising α_FB hands more tokens to the large model: more fallbacks, slower. */
            assert_true(bild_fallback_rate(&s) > last_fb);
            assert_true(decode_speedup(&s) < last_speedup);
            last_fb = bild_fallback_rate(&s);
            last_speedup = decode_speedup(&s);
        }
        double last_rb = INFINITY, last_loss = -1;
        last_speedup = 0;
        for (double rollback = 1; rollback <= 8; rollback += 1) {
            struct bild_config cfg = calibrated(calibrations[k], rollback, 0.5);
            struct bild_stats s = decode_many(&cfg, 30, 4000, 5);
            /* Raising α_RB tolerates more disagreement: fewer rollbacks, faster, more loss. */
            assert_true(bild_rollback_rate(&s) < last_rb);
            assert_true(bild_quality_loss(&s) > last_loss);
            assert_true(decode_speedup(&s) > last_speedup);
            last_rb = bild_rollback_rate(&s);
            last_loss = bild_quality_loss(&s);
            last_speedup = decode_speedup(&s);
        }
    }
}

static void decoding_is_a_pure_function_of_the_request(void **state)
{
    (void)state;
    struct bild_config cfg = calibrated("unaligned", 3, 0.5);
    struct bild_stats a = {0}, b = {0}, other = {0};
    for (uint64_t id = 0; id < 200; id++) {
        bild_decode(&cfg, 40, 9, 2, id, &a);
        bild_decode(&cfg, 40, 9, 2, id, &b);
        bild_decode(&cfg, 40, 9, 3, id, &other);
    }
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(a.small_steps != other.small_steps || a.fallbacks != other.fallbacks);
}

/* Through the engine: a cloud slot of 20 ms steps with a free prefill; each request's time
 * after its first token is its own decode steps × 20 ms, so its TPOT is steps · T / (O − 1),
 * the same numbers bild_decode gives for its id. */
static void slots_serve_each_request_in_its_decoded_time(void **state)
{
    (void)state;
    const char *text =
        "name: bild\nseed: 5\nrun: {requests: 400}\n"
        "devices:\n  count: 10\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
        "  workload: {arrival: {rate_rps: 0.5}, prompt_tokens: 1, output_tokens: 31}\n"
        "  network: {cloud: {rtt_ms: 0, up_mbps: 1.0e9, down_mbps: 1.0e9}}\n"
        "cloud:\n  slots: 2\n  model: {prefill_tok_s: 1.0e12, decode_tok_s: 50}\n"
        "arbiter: cloud\nvariants:\n  - {name: large, set: {}}\n"
        "  - {name: bild, set: {cloud.big_little: {calibration: aligned, "
        "rollback_threshold: 5, fallback_threshold: 0.4}}}\n";
    struct experiment ex;
    struct experiment_results res;
    fixture_run_text(text, &ex, &res);
    struct bild_config cfg = calibrated("aligned", 5, 0.4);
    struct bild_stats want = {0};
    double tpot_sum = 0;
    for (uint64_t id = 0; id < 400; id++) {
        struct bild_stats one = {0};
        bild_decode(&cfg, 31, 5, 0, id, &one);
        tpot_sum += one.decode_steps * 20.0 / 30;
        bild_stats_add(&want, &one);
    }
    const double *large = experiment_value(&res, 0, 0), *bild = experiment_value(&res, 1, 0);
    double tpot_large = large[metric_find("tpot_ms_mean")];
    double tpot_bild = bild[metric_find("tpot_ms_mean")];
    double speedup = bild[metric_find("bild_speedup")];
    printf("  TPOT %.4f ms alone, %.4f ms with BiLD (decoded %.4f); speed-up %.4f (%.4f)\n",
           tpot_large, tpot_bild, tpot_sum / 400, speedup, decode_speedup(&want));
    assert_true(fabs(tpot_large - 20) < 1e-6);
    assert_true(fabs(tpot_bild / (tpot_sum / 400) - 1) < 1e-6);
    assert_true(fabs(speedup / decode_speedup(&want) - 1) < 1e-6);
    assert_true(bild[metric_find("bild_fallback_rate")] == bild_fallback_rate(&want));
    assert_true(bild[metric_find("bild_rollback_rate")] == bild_rollback_rate(&want));
    assert_true(bild[metric_find("bild_quality_loss")] == bild_quality_loss(&want));
    /* Without big_little the BiLD metrics are absent, not zero. */
    assert_true(isnan(large[metric_find("bild_speedup")]));
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void bad_input_is_located(void **state)
{
    (void)state;
    const char *head =
        "run: {requests: 1}\ndevices:\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
        "  workload: {arrival: {rate_rps: 1}, prompt_tokens: 1, output_tokens: 1}\n"
        "  network: {cloud: {rtt_ms: 0, up_mbps: 1, down_mbps: 1}}\n"
        "cloud:\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n";
    const struct {
        const char *tail, *path, *msg;
    } cases[] = {
        {"  big_little: {fallback_threshold: 1.5}\n", "cloud.big_little.fallback_threshold",
         "[0, 1]"},
        {"  big_little: {rollback_threshold: 0}\n", "cloud.big_little.rollback_threshold",
         "(0, 1000]"},
        {"  big_little: {rollback_treshold: 3}\n", "cloud.big_little.rollback_treshold",
         "did you mean 'rollback_threshold'"},
        {"  big_little: {calibration: alinged}\n", "cloud.big_little.calibration",
         "did you mean 'aligned'"},
        {"  big_little: {max_small_tokens: 2.5}\n", "cloud.big_little.max_small_tokens", "integer"},
        {"  big_little: 3\n", "cloud.big_little", "expected a map"},
        {"  big_little: {}\n  speculation: {gamma: 4}\n", "cloud.big_little", "takes one"},
        {"  big_little: {}\n  batching: {mode: continuous}\n", "cloud.big_little", "single-stream"},
        {"  big_little: {}\n  scheduler: psrf\n", "cloud.big_little", "preemptive"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", head, cases[i].tail);
        struct experiment ex;
        struct experiment_options opt = {0};
        struct error err;
        error_clear(&err);
        assert_int_equal(experiment_load_text(&ex, text, "bad.yaml", &opt, &err), -1);
        printf("  bad.yaml:%d:%d: %s: %s\n", err.line, err.col, err.path, err.msg);
        assert_string_equal(err.path, cases[i].path);
        assert_non_null(strstr(err.msg, cases[i].msg));
        assert_int_equal(err.line, 8);
        experiment_free(&ex);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fallbacks_follow_the_confidence_distribution),
        cmocka_unit_test(decode_time_matches_the_renewal_formula),
        cmocka_unit_test(hand_worked_requests),
        cmocka_unit_test(calibrations_reproduce_the_published_ranges),
        cmocka_unit_test(thresholds_trade_speed_for_quality),
        cmocka_unit_test(decoding_is_a_pure_function_of_the_request),
        cmocka_unit_test(slots_serve_each_request_in_its_decoded_time),
        cmocka_unit_test(bad_input_is_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
