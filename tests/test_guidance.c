/* Tests of guidance-based knowledge transfer (GKT, models/guidance.c): one guided request's
 * timeline, bytes and cost against a hand computation (tests/scenarios/guidance.yaml); the
 * accuracy curve and its common random numbers; guidance jobs in continuous batches; lost
 * guidance; bad input; and the reproduction of Yao, Li & Zhao (ACL Findings 2024, arXiv
 * 2405.19635) in scenarios/gallery/gkt.yaml and gkt-chatgpt.yaml, saying each time which
 * figure is derived and which is calibrated (docs/policies.md, "Guidance"). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "experiment.h"
#include "experiment_fixture.h"
#include "guidance.h"
#include "run.h"

/* Loads a scenario from a file (path relative to the source tree) or from text, with
 * optional --set overrides; fails the test on any error. */
static void load(struct experiment *ex, const char *file, const char *text, const char *const *sets,
                 size_t n_sets)
{
    struct experiment_options opt = {
        .sets = sets, .n_sets = n_sets, .profiles_builtin_dir = HAISIM_PROFILES_DIR};
    struct error err;
    error_clear(&err);
    int rc;
    if (file) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", HAISIM_SOURCE_DIR, file);
        rc = experiment_load(ex, path, &opt, &err);
    } else {
        rc = experiment_load_text(ex, text, "guidance.yaml", &opt, &err);
    }
    if (rc != 0)
        fail_msg("%s:%d:%d: %s: %s", err.file, err.line, err.col, err.path, err.msg);
}

static void run_all(const struct experiment *ex, struct experiment_results *res)
{
    struct error err;
    error_clear(&err);
    if (experiment_run(ex, res, &err) != 0)
        fail_msg("%s", err.msg);
}

static size_t variant_index(const struct experiment *ex, const char *name)
{
    for (size_t v = 0; v < ex->n_variants; v++)
        if (strcmp(ex->variants[v].name, name) == 0)
            return v;
    fail_msg("no variant %s", name);
    return 0;
}

static double value(const struct experiment *ex, const struct experiment_results *res,
                    const char *variant, const char *metric)
{
    long m = metric_find(metric);
    assert_true(m >= 0);
    return experiment_value(res, variant_index(ex, variant), 0)[m];
}

/* --- the curve --- */

static void gap_closed_saturates_at_the_teacher(void **state)
{
    struct guidance_config g = {.enabled = true, .tokens = 40, .half_tokens = 20};
    assert_true(guidance_gap_closed(&g, 0) == 0);
    assert_true(fabs(guidance_gap_closed(&g, 20) - 0.5) < 1e-15);
    assert_true(fabs(guidance_gap_closed(&g, 40) - 0.75) < 1e-15);
    assert_true(fabs(guidance_gap_closed(&g, 2000) - 1) < 1e-15);
    double prev = -1;
    for (int k = 0; k <= 400; k++) { /* strictly increasing */
        double f = guidance_gap_closed(&g, k);
        assert_true(f > prev && f < 1 + 1e-15);
        prev = f;
    }
    /* The student's accuracy at k = 0, the teacher's in the limit, in between on the way. */
    assert_true(guidance_p_correct(&g, 0.2, 0.8, 0) == 0.2);
    assert_true(fabs(guidance_p_correct(&g, 0.2, 0.8, 20) - 0.5) < 1e-15);
    assert_true(fabs(guidance_p_correct(&g, 0.2, 0.8, 1e6) - 0.8) < 1e-12);
    /* GSM8K calibration (scenarios/gallery/gkt.yaml): 40 tokens close 14.18 of the 42.2
     * points between Llama-2-7B (14.6 %) and Llama-2-70B (56.8 %) with h = 67.7. */
    struct guidance_config gsm = {.enabled = true, .tokens = 40, .half_tokens = 67.7};
    double lift = guidance_p_correct(&gsm, 0.146, 0.568, 40) - 0.146;
    printf("  GSM8K: h 67.7 gives +%.4f points at k = 40 (published +0.1418)\n", lift);
    assert_true(fabs(lift - 0.1418) < 5e-5);
}

/* --- one request against a hand computation --- */

struct expected_guided {
    const char *variant;
    double ttft_ms, e2e_ms, bytes_up, bytes_down, cost_usd, guided;
};

/* Derivations (ms) for tests/scenarios/guidance.yaml, P = 100, O = 50, k = 10 unless named:
 *  k10    up 50; cloud prefill 10: token 1 at 60, at the user 110 (TTFT); 9 steps of 1: token
 *         10 at 69, on the device at 119; device prefill of P + k = 110 tokens: 1100, token
 *         11 at 1219; 39 steps of 100: 5119. Bytes down 10 tokens × 104. Cost: cloud
 *         100 · 1000 + 10 · 10000, device 110 · 10 + 40 · 100 (per 10⁶): 0.2 + 0.0051
 *  k1     the first token is the whole guidance: on the device at 110, prefill 101 → 1010,
 *         48 steps → 5920; cost 0.1 + 0.01 + (101 · 10 + 49 · 100)/10⁶ = 0.11591
 *  k49    token 49 at 60 + 48 = 108, device at 158; prefill 149 → 1490: token 50 = the last
 *         at 1648; cost 0.1 + 0.49 + (149 · 10 + 100)/10⁶ = 0.59159
 *  k50    k ≥ O: a plain cloud request, 50 + 10 + 49 + 50 = 159; cost 0.1 + 0.5
 *  off    the same
 *  edge-orchestrated   up 5 + 20: at the cloud at 25, token 1 at 35, straight down to the
 *         user at 85; token 10 at 44, device at 94; + 1100 + 3900 = 5094. Up 500 twice
 *  edge-tier   up 5; edge prefill 100: 105, at the user 110; 9 steps of 10: 195, device at
 *         200; + 5000 = 5200. The edge is free: cost 0.0051 (the device's) */
static const struct expected_guided timelines[] = {
    {"k10", 110, 5119, 500, 10 * 104, 0.2051, 1},
    {"k1", 110, 5920, 500, 104, 0.11591, 1},
    {"k49", 110, 1648, 500, 49 * 104, 0.59159, 1},
    {"k50", 110, 159, 500, 50 * 104, 0.6, 0},
    {"off", 110, 159, 500, 50 * 104, 0.6, 0},
    {"edge-orchestrated", 85, 5094, 1000, 10 * 104, 0.2051, 1},
    {"edge-tier", 110, 5200, 500, 10 * 104, 0.0051, 1},
};

static void one_request_follows_the_hand_worked_timeline(void **state)
{
    struct experiment ex;
    struct experiment_results res;
    load(&ex, "tests/scenarios/guidance.yaml", NULL, NULL, 0);
    run_all(&ex, &res);
    assert_int_equal(ex.n_variants, sizeof timelines / sizeof timelines[0]);
    for (size_t i = 0; i < ex.n_variants; i++) {
        const struct expected_guided *w = &timelines[i];
        assert_string_equal(ex.variants[i].name, w->variant);
        double ttft = value(&ex, &res, w->variant, "ttft_ms_mean");
        double e2e = value(&ex, &res, w->variant, "e2e_ms_mean");
        double up = value(&ex, &res, w->variant, "bytes_up_per_req");
        double down = value(&ex, &res, w->variant, "bytes_down_per_req");
        double cost = value(&ex, &res, w->variant, "cost_usd_per_req");
        printf("  %-17s ttft %7.3f (want %4.0f)  e2e %8.3f (want %4.0f)  bytes %4.0f/%4.0f  "
               "cost %.5f (want %.5f)\n",
               w->variant, ttft, w->ttft_ms, e2e, w->e2e_ms, up, down, cost, w->cost_usd);
        assert_true(fabs(ttft - w->ttft_ms) < 1e-5);
        assert_true(fabs(e2e - w->e2e_ms) < 1e-5);
        assert_true(fabs(up - w->bytes_up) < 1e-9 && fabs(down - w->bytes_down) < 1e-9);
        assert_true(fabs(cost - w->cost_usd) < 1e-12);
        assert_true(value(&ex, &res, w->variant, "guided_share") == w->guided);
        assert_true(value(&ex, &res, w->variant, "requests_completed") == 1);
    }
    /* TPOT spans both models: (5119 − 110) / 49. The tier's TTFT is its prefill, 10 ms. */
    assert_true(fabs(value(&ex, &res, "k10", "tpot_ms_mean") - (5119.0 - 110) / 49) < 1e-6);
    assert_true(fabs(value(&ex, &res, "k10", "ttft_server_ms_mean") - 10) < 1e-6);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* --- per-request observations --- */

struct observed {
    uint8_t *correct;  /* per request id, per variant */
    size_t n_requests; /* requests per variant */
};

static void observe_end(void *ctx, const struct run *run, const struct request *req)
{
    struct observed *o = ctx;
    assert_true(req->id < o->n_requests);
    assert_true(req->scored);
    o->correct[req->id] = req->correct;
}

/* What one variant's run leaves behind besides its metrics. */
struct run_totals {
    double cloud_busy_s, device_busy_s;
    double values[METRIC_COUNT];
};

/* Runs variant v's replication 1 alone, with an optional per-request observer. */
static struct run_totals run_variant(const struct experiment *ex, size_t v, struct observed *obs)
{
    struct run run;
    struct run_result result;
    struct error err;
    error_clear(&err);
    const struct run_observer observer = {.request_end = observe_end, .ctx = obs};
    if (run_init(&run, &ex->variants[v].sc, ex->seed, 0, &err) != 0)
        fail_msg("%s", err.msg);
    if (obs)
        run_observe(&run, &observer);
    if (run_execute(&run, &result, &err) != 0)
        fail_msg("%s", err.msg);
    struct run_totals t = {0};
    t.cloud_busy_s = run.server[LOCATION_CLOUD] ? server_busy_s(run.server[LOCATION_CLOUD]) : 0;
    for (int64_t i = 0; i < run.sc->n_devices; i++)
        t.device_busy_s += simtime_to_s(run.devices[i].busy_ns);
    memcpy(t.values, result.values, sizeof t.values);
    run_free(&run);
    return t;
}

static const char accuracy_text[] =
    "name: gkt-accuracy\nseed: 11\nrun: {requests: 20000}\n"
    "devices:\n  count: 200\n"
    "  model: {prefill_tok_s: 1000, decode_tok_s: 100, accuracy: {skill: 0}}\n"
    "  workload:\n    arrival: {process: poisson, rate_rps: 20}\n"
    "    tasks:\n      - {name: q, share: 1, prompt_tokens: 20, output_tokens: 100,\n"
    "         difficulty: {dist: normal, mean: 0, sd: 1}}\n"
    "  network: {cloud: {rtt_ms: 10, up_mbps: 100, down_mbps: 100}}\n"
    "cloud:\n  slots: 1000\n"
    "  model: {prefill_tok_s: 100000, decode_tok_s: 1000, accuracy: {skill: 2}}\n"
    "  guidance: {tokens: 5, half_tokens: 20}\n"
    "arbiter: cloud\n"
    "variants:\n"
    "  - {name: device, set: {arbiter: device}}\n"
    "  - {name: k5, set: {}}\n"
    "  - {name: k20, set: {cloud.guidance.tokens: 20}}\n"
    "  - {name: k80, set: {cloud.guidance.tokens: 80}}\n"
    "  - {name: k100, set: {cloud.guidance.tokens: 100}}\n"
    "  - {name: cloud, set: {cloud.guidance.enabled: false}}\n";

/* E_b[p(k)] for the Rasch models of accuracy_text (skills 0 and 2, b ~ N(0, 1)): midpoint
 * rule over ±10 standard deviations, far finer than the test's tolerance. */
static double expected_accuracy(double gap_closed)
{
    double sum = 0, db = 1e-3;
    for (double b = -10 + db / 2; b < 10; b += db) {
        double ps = 1 / (1 + exp(b)), pt = 1 / (1 + exp(b - 2));
        sum += (ps + (pt - ps) * gap_closed) * exp(-b * b / 2) / 2.5066282746310002 * db;
    }
    return sum;
}

static void guided_correctness_is_monotone_in_k_per_request(void **state)
{
    struct experiment ex;
    load(&ex, NULL, accuracy_text, NULL, 0);
    enum { N = 20000, V = 6 };
    static const double k_of[V] = {0, 5, 20, 80, -1, -1}; /* -1: the teacher's accuracy */
    uint8_t *correct = calloc((size_t)V * N, 1);
    assert_non_null(correct);
    assert_int_equal(ex.n_variants, V);
    struct guidance_config g = {.enabled = true, .tokens = 1, .half_tokens = 20};
    for (size_t v = 0; v < V; v++) {
        struct observed obs = {correct + v * N, N};
        struct run_totals t = run_variant(&ex, v, &obs);
        double acc = t.values[metric_find("accuracy")];
        double want = expected_accuracy(k_of[v] < 0 ? 1 : guidance_gap_closed(&g, k_of[v]));
        double se = sqrt(want * (1 - want) / N);
        printf("  %-6s accuracy %.4f, expected %.4f (%+.1f SE), guided share %.2f\n",
               ex.variants[v].name, acc, want, (acc - want) / se,
               t.values[metric_find("guided_share")]);
        assert_true(fabs(acc - want) < 4 * se);
    }
    /* Common random numbers: every request right on the device is right with 5 guidance
     * tokens, then with 20, with 80, and in the cloud; k ≥ O is the cloud's own answer. */
    for (size_t id = 0; id < N; id++) {
        for (size_t v = 0; v + 2 < V; v++)
            assert_true(correct[v * N + id] <= correct[(v + 1) * N + id]);
        assert_true(correct[3 * N + id] <= correct[5 * N + id]);
        assert_true(correct[4 * N + id] == correct[5 * N + id]);
    }
    free(correct);
    experiment_free(&ex);
}

/* --- batching, the KV cache and failures --- */

static const char batching_text[] =
    "name: gkt-batching\nseed: 5\nrun: {requests: 2000}\n"
    "devices:\n  count: 500\n  model: {prefill_tok_s: 500, decode_tok_s: 20}\n"
    "  workload: {arrival: {process: poisson, rate_rps: 50}, prompt_tokens: 200,\n"
    "             output_tokens: 200}\n"
    "  network: {cloud: {rtt_ms: 20, up_mbps: 100, down_mbps: 100}}\n"
    "cloud:\n  batching: {mode: continuous}\n"
    "  model:\n    max_batch: 64\n    kv_cache_tokens: 100000\n"
    "    prefill: {base_ms: 0, per_token_ms: 0.1}\n"
    "    decode_step: {base_ms: 20, per_seq_ms: 0.5, per_context_token_ms: 0}\n"
    "  guidance: {tokens: 20, half_tokens: 10}\n"
    "arbiter: cloud\n"
    "variants:\n"
    "  - {name: gkt, set: {}}\n"
    "  - {name: plain-small-cache, set: {cloud.guidance.enabled: false,\n"
    "                                    cloud.model.kv_cache_tokens: 300}}\n"
    "  - {name: gkt-small-cache, set: {cloud.model.kv_cache_tokens: 300}}\n";

static void guidance_jobs_batch_and_the_device_books_the_rest(void **state)
{
    struct experiment ex;
    load(&ex, NULL, batching_text, NULL, 0);
    struct run_totals gkt = run_variant(&ex, 0, NULL);
    double n = gkt.values[metric_find("requests_completed")];
    double batch = gkt.values[metric_find("batch_mean_cloud")];
    /* Each device finishes its answers alone: prefill of P + k = 220 tokens at 500 tok/s,
     * then O − k − 1 = 179 steps of 50 ms (llm_single_stream), with no overhead. */
    double per_request_s = 220.0 / 500 + 179 * 0.05;
    printf("  continuous: %.0f completed, cloud batch %.2f, device busy %.3f s (want %.3f s)\n", n,
           batch, gkt.device_busy_s, n * per_request_s);
    assert_true(n == 2000 && gkt.values[metric_find("guided_share")] == 1);
    assert_true(batch > 2); /* 50 req/s × about 0.4 s in the cloud */
    assert_true(fabs(gkt.device_busy_s - n * per_request_s) < n * 1e-9);
    /* The tier holds only the guidance: P + k = 220 fits a 300-token cache where P + O = 400
     * does not, so the plain tier rejects everything and the guided one serves everything. */
    struct run_totals plain = run_variant(&ex, 1, NULL), small = run_variant(&ex, 2, NULL);
    assert_true(plain.values[metric_find("requests_rejected")] == 2000);
    assert_true(small.values[metric_find("requests_completed")] == 2000);
    /* One job fits at a time: 19 decode steps of one sequence per prefill iteration. */
    printf("  300-token cache: plain rejects %.0f, guided completes %.0f, cloud batch %.3f\n",
           plain.values[metric_find("requests_rejected")],
           small.values[metric_find("requests_completed")],
           small.values[metric_find("batch_mean_cloud")]);
    assert_true(fabs(small.values[metric_find("batch_mean_cloud")] - 19.0 / 20) < 1e-12);
    experiment_free(&ex);
}

static void lost_guidance_ends_every_request_once(void **state)
{
    /* tests/scenarios/outage.yaml: the cloud link is down 12.5 of 20 s and messages handed
     * to it then fail; its answers are 5 tokens, so 3 guidance tokens leave 2 to the device. */
    static const char *const sets[] = {"cloud.guidance={tokens: 3, half_tokens: 5}"};
    struct experiment ex;
    struct experiment_results res;
    load(&ex, "tests/scenarios/outage.yaml", NULL, sets, 1);
    run_all(&ex, &res);
    const char *ends[] = {"requests_completed", "requests_fallback", "requests_failed_network",
                          "requests_rejected"};
    for (size_t v = 0; v < ex.n_variants; v++)
        for (size_t r = 0; r < res.n_reps; r++) {
            const double *x = experiment_value(&res, v, r);
            double sum = 0;
            for (size_t i = 0; i < 4; i++)
                sum += x[metric_find(ends[i])];
            assert_true(sum == x[metric_find("requests_arrived")]);
            assert_true(x[metric_find("requests_failed_network")] > 0);
            assert_true(x[metric_find("guided_share")] > 0.2);
        }
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* --- bad input --- */

static void bad_guidance_maps_are_refused_with_their_place(void **state)
{
    static const struct {
        const char *guidance, *part;
    } cases[] = {
        {"guidance: {tokens: 0, half_tokens: 5}", "cloud.guidance.tokens"},
        {"guidance: {tokens: 2.5, half_tokens: 5}", "cloud.guidance.tokens"},
        {"guidance: {tokens: 4}", "half_tokens"},
        {"guidance: {half_tokens: 4}", "key 'tokens'"},
        {"guidance: {tokens: 4, half_tokens: 0}", "cloud.guidance.half_tokens"},
        {"guidance: {tokens: 4, half_tokens: 5, tokns: 3}", "did you mean"},
        {"guidance: {tokens: 4, half_tokens: 5, enabled: maybe}", "cloud.guidance.enabled"},
        {"guidance: 40", "cloud.guidance"},
        {"guidance: {tokens: 4, half_tokens: 5}\n  speculation: {gamma: 2, drafter: device}",
         "not modelled together"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "run: {requests: 1}\ndevices:\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
                 "  workload: {arrival: {rate_rps: 1}, prompt_tokens: 1, output_tokens: 9}\n"
                 "  network: {cloud: {rtt_ms: 0, up_mbps: 1, down_mbps: 1}}\n"
                 "cloud:\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n  %s\narbiter: cloud\n",
                 cases[i].guidance);
        fixture_expect_load_error_containing(text, cases[i].part);
    }
}

/* --- the published figures --- */

/* Time a static batch of n requests holds the replica (server.c, static mode): a prefill of
 * n · P padded tokens, then k − 1 steps of the n sequences over a growing context. */
static double static_batch_s(const struct llm_perf *m, double n, double p, double k)
{
    double s = llm_perf_prefill_s(m, n * p);
    for (double step = 0; step + 1 < k; step++)
        s += llm_perf_decode_step_s(m, n, n * (p + step + 1));
    return s;
}

static void gsm8k_speedup_and_accuracy_gain_reproduce_gkt(void **state)
{
    struct experiment ex;
    load(&ex, "scenarios/gallery/gkt.yaml", NULL, NULL, 0);
    size_t v_alone = variant_index(&ex, "teacher-alone"), v_gkt = variant_index(&ex, "gkt");
    size_t v_batched = variant_index(&ex, "teacher-batched");
    struct run_totals alone = run_variant(&ex, v_alone, NULL), gkt = run_variant(&ex, v_gkt, NULL);
    struct run_totals batched = run_variant(&ex, v_batched, NULL);
    /* The paper's accounting: the guidance stage and the completion stage run one after the
     * other, so GKT's time is the teacher's busy time plus the student's. */
    double s_seq = alone.cloud_busy_s / (gkt.cloud_busy_s + gkt.device_busy_s);
    /* The same by hand from the two models (P = 1,024, O = 300 alone, 340 = 40 + 300 with
     * guidance; 1,319 requests = 131 batches of 10 and one of 9). */
    const struct llm_perf *teacher = &ex.variants[v_gkt].sc.tier[LOCATION_CLOUD].server.model;
    const struct llm_perf *student = &ex.variants[v_gkt].sc.populations[0].model;
    double t_alone = 1319 * llm_single_stream(teacher, 1024, 300, 0).last_token_s;
    double t_guide =
        131 * static_batch_s(teacher, 10, 1024, 40) + static_batch_s(teacher, 9, 1024, 40);
    double t_finish = 1319 * llm_single_stream(student, 1024 + 40, 300, 0).last_token_s;
    double s_hand = t_alone / (t_guide + t_finish);
    long e2e_max = metric_find("e2e_ms_max");
    double s_pipe = alone.values[e2e_max] / gkt.values[e2e_max];
    double s_batched = batched.cloud_busy_s / (gkt.cloud_busy_s + gkt.device_busy_s);
    printf("  busy: teacher alone %.0f s; gkt teacher %.0f s + student %.0f s (hand %.0f + %.0f)\n",
           alone.cloud_busy_s, gkt.cloud_busy_s, gkt.device_busy_s, t_guide, t_finish);
    printf("  speed-up, stages in sequence: %.3fx (hand %.3fx; published 10.72x, calibrated)\n",
           s_seq, s_hand);
    printf("  speed-up, stages overlapped: %.2fx; over the teacher in batches of 10: %.2fx\n",
           s_pipe, s_batched);
    /* The mechanism: the simulated busy times are the hand-composed ones (ns rounding). */
    assert_true(fabs(alone.cloud_busy_s / t_alone - 1) < 1e-6);
    assert_true(fabs(gkt.cloud_busy_s / t_guide - 1) < 1e-6);
    assert_true(fabs(gkt.device_busy_s / t_finish - 1) < 1e-6);
    /* The calibration: the teacher's mbu (0.142) was chosen for 10.72x; this guards it. */
    assert_true(fabs(s_seq / 10.72 - 1) < 0.005);
    /* Overlapping the stages makes the student the bottleneck: about its time alone. */
    assert_true(s_pipe > s_seq);
    experiment_free(&ex);

    /* Accuracy on 20,000 questions, so that the coupled lift (a binomial share of the
     * requests, SE 0.0025) is checked within 4 SE of the calibrated +14.18 points. */
    static const char *const sets[] = {"run.requests=20000"};
    struct experiment_results res;
    load(&ex, "scenarios/gallery/gkt.yaml", NULL, sets, 1);
    run_all(&ex, &res);
    double acc_student = value(&ex, &res, "student-alone", "accuracy");
    double acc_guided = value(&ex, &res, "gkt", "accuracy");
    double acc_teacher = value(&ex, &res, "teacher-alone", "accuracy");
    double lift = acc_guided - acc_student, se = sqrt(0.1418 * (1 - 0.1418) / 20000);
    printf("  accuracy: student %.4f, gkt %.4f, teacher %.4f; gain %+.4f (published +0.1418, "
           "%+.1f SE)\n",
           acc_student, acc_guided, acc_teacher, lift, (lift - 0.1418) / se);
    assert_true(fabs(lift - 0.1418) < 4 * se);
    assert_true(acc_student < acc_guided && acc_guided < acc_teacher);
    experiment_results_free(&res);
    experiment_free(&ex);
}

static void chatgpt_teacher_cost_share_is_derived_from_prices(void **state)
{
    static const char *const sets[] = {"run.requests=20000"};
    struct experiment ex;
    struct experiment_results res;
    load(&ex, "scenarios/gallery/gkt-chatgpt.yaml", NULL, sets, 1);
    run_all(&ex, &res);
    double cost_share = value(&ex, &res, "gkt", "cost_usd_per_req") /
                        value(&ex, &res, "teacher-alone", "cost_usd_per_req");
    double acc_share =
        value(&ex, &res, "gkt", "accuracy") / value(&ex, &res, "teacher-alone", "accuracy");
    /* Derived: (600 · 0.5 + 40 · 1.5) / (600 · 0.5 + 300 · 1.5) per 10⁶ tokens. */
    double want_cost = (600 * 0.5 + 40 * 1.5) / (600 * 0.5 + 300 * 1.5);
    printf("  cost share %.4f (price model %.4f; published 0.52), accuracy share %.4f "
           "(calibrated input 0.95)\n",
           cost_share, want_cost, acc_share);
    assert_true(fabs(cost_share - want_cost) < 1e-12);
    /* Stated tolerance ±0.05: the prompt length is an estimate (±10 % moves the share by
     * ±0.02) and the paper's ChatGPT snapshot and answer length are unknown. */
    assert_true(fabs(cost_share - 0.52) < 0.05);
    /* The accuracy share is an input (half_tokens fitted to 95 %); 0.01 is over 5 SE of the
     * coupled gap between teacher and guided student on 20,000 requests. */
    assert_true(fabs(acc_share - 0.95) < 0.01);
    experiment_results_free(&res);
    experiment_free(&ex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gap_closed_saturates_at_the_teacher),
        cmocka_unit_test(one_request_follows_the_hand_worked_timeline),
        cmocka_unit_test(guided_correctness_is_monotone_in_k_per_request),
        cmocka_unit_test(guidance_jobs_batch_and_the_device_books_the_rest),
        cmocka_unit_test(lost_guidance_ends_every_request_once),
        cmocka_unit_test(bad_guidance_maps_are_refused_with_their_place),
        cmocka_unit_test(gsm8k_speedup_and_accuracy_gain_reproduce_gkt),
        cmocka_unit_test(chatgpt_teacher_cost_share_is_derived_from_prices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
