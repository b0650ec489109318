/* Tests of length-aware scheduling (models/sched*.c through models/server.c): the
 * learning-to-rank toy example of Fu et al. 2024 under FCFS and shortest-first, each
 * policy's ordering and preemption decisions on timelines worked out by hand from the step
 * times, Zheng et al.'s bucketing of a group, failure collection and recomputation, S³'s
 * predicted reservations and their overflow, the prediction error models and their common
 * random numbers, and the configuration errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rng.h"
#include "sched.h"
#include "server.h"

#include "server_fixture.h"

/* --- 1. the learning-to-rank toy example --- */

/* Fu et al., "Efficient LLM Scheduling by Learning to Rank", NeurIPS 2024, Fig. 1: no
 * prefill, 1 token/s, requests of 10, 2 and 1 tokens arrive in that order at time 0 on one
 * slot. Per-token latency = completion time / tokens. FCFS: 10/10, 12/2, 13/1 → mean 6.67 s;
 * shortest first: 1/1, 3/2, 13/10 → mean 1.27 s (a 5.3× reduction). Here "1 token/s with no
 * prefill" is a one-token prompt prefilled at 1 token/s (the prefill produces the first
 * token, as every other token, in 1 s) and decode at 1 token/s, so O tokens take O s. */
static double toy_mean_per_token_latency(const char *scheduler_yaml)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml, "model: {prefill_tok_s: 1, decode_tok_s: 1}\nslots: 1\n%s",
             scheduler_yaml);
    struct fixture fx;
    fixture_setup(&fx, yaml);
    const uint32_t tokens[3] = {10, 2, 1};
    for (int i = 0; i < 3; i++)
        add_request(&fx, i, 1, tokens[i], 0.0);
    run(&fx);
    double sum = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fx.seen.dones[i], 1);
        sum += simtime_to_s(fx.seen.done_ns[i]) / tokens[i];
    }
    fixture_teardown(&fx);
    return sum / 3;
}

static void learning_to_rank_toy_example_fcfs_6_67_shortest_first_1_27(void **state)
{
    double fcfs = toy_mean_per_token_latency("");
    double fcfs_named = toy_mean_per_token_latency("scheduler: fcfs\n");
    double spf = toy_mean_per_token_latency("scheduler: spf\n");
    double psrf = toy_mean_per_token_latency("scheduler: {policy: psrf, preemption: resume}\n");
    printf("  toy example: FCFS %.4f s/token (published 6.67), shortest first %.4f "
           "(published 1.27), psrf %.4f\n",
           fcfs, spf, psrf);
    assert_true(fabs(fcfs - 20.0 / 3) < 1e-9); /* (1 + 6 + 13) / 3 */
    assert_true(fabs(fcfs_named - fcfs) < 1e-12);
    assert_true(fabs(spf - 3.8 / 3) < 1e-9); /* (1 + 1.5 + 1.3) / 3 */
    assert_true(fabs(psrf - spf) < 1e-9);
    /* Through continuous batching of one sequence: prefill 1 s, then 1-s decode steps. */
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 1}\n"
                       "batching: {mode: continuous}\nscheduler: spf\n");
    add_request(&fx, 0, 1, 10, 0.0);
    add_request(&fx, 1, 1, 2, 0.0);
    add_request(&fx, 2, 1, 1, 0.0);
    run(&fx);
    assert_time(fx.seen.done_ns[2], 1.0);
    assert_time(fx.seen.done_ns[1], 3.0);
    assert_time(fx.seen.done_ns[0], 13.0);
    fixture_teardown(&fx);
}

/* --- 2. spf: order by prediction, aging --- */

/* One slot, O tokens take O s (as above). R0 (5 tokens) starts at 0 alone; R1 (10) arrives
 * at 1, R2 (2) at 2, R3 (2) at 3; at t = 5 the queue is chosen by key = Ô + a·t_tier:
 *   a = 0:  R2 (2), R3 (2), R1 (10)           → R2 5–7, R3 7–9, R1 9–19
 *   a = 5:  R2 (12), R1 (15), R3 (17)         → R2 5–7, R1 7–17, R3 17–19
 *   a = 10: R1 (20), R2 (22), R3 (32)         → R1 5–15, R2 15–17, R3 17–19
 * (R1 overtakes R2 once a > 8: it arrived 1 s earlier and is 8 tokens longer). */
static void spf_serves_the_shortest_prediction_and_aging_lets_the_old_overtake(void **state)
{
    const double aging[3] = {0, 5, 10};
    const double want_done[3][4] = {{5, 19, 7, 9}, {5, 17, 7, 19}, {5, 15, 17, 19}};
    for (int k = 0; k < 3; k++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
                 "scheduler: {policy: spf, aging_per_s: %g}\n",
                 aging[k]);
        struct fixture fx;
        fixture_setup(&fx, yaml);
        add_request(&fx, 0, 1, 5, 0.0);
        add_request(&fx, 1, 1, 10, 1.0);
        add_request(&fx, 2, 1, 2, 2.0);
        add_request(&fx, 3, 1, 2, 3.0);
        run(&fx);
        for (int i = 0; i < 4; i++)
            assert_time(fx.seen.done_ns[i], want_done[k][i]);
        assert_int_equal(server_stats(fx.server).preemptions, 0); /* non-preemptive */
        fixture_teardown(&fx);
    }
}

/* Static batches of 2 take the two best keys: R0..R3 at t = 0 with 4, 1, 3, 2 tokens, prompt
 * 1, max_wait 0 (the batch starts at the decision of the instant, when all four wait):
 * batch {R1, R3}: prefill 2 padded tokens = 2 s, R1 done at 2, R3 at 3; batch {R2, R0} at 3:
 * prefill 2 s → 5, R2 done at 7, R0 at 8. */
static void spf_forms_static_batches_of_the_shortest(void **state)
{
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 2}\n"
                       "batching: {mode: static, max_wait_ms: 0}\nscheduler: spf\n");
    const uint32_t out[4] = {4, 1, 3, 2};
    for (int i = 0; i < 4; i++)
        add_request(&fx, i, 1, out[i], 0.0);
    run(&fx);
    assert_time(fx.seen.done_ns[1], 2.0);
    assert_time(fx.seen.done_ns[3], 3.0);
    assert_time(fx.seen.done_ns[2], 7.0);
    assert_time(fx.seen.done_ns[0], 8.0);
    fixture_teardown(&fx);
}

/* --- 3. psrf on slots --- */

/* One slot; R0 (10 tokens) from t = 0 produces token k at t = k. R1 (2 tokens) arrives at
 * 3.5, when R0 has 3 tokens out and 7 predicted to go: 2 < 7, so R1 takes the slot
 * (first token 4.5, done 5.5). R0 then
 *   resume:    continues where it stopped: token 4 was due 0.5 s after the preemption, the
 *              last 6.5 s after → done at 5.5 + 6.5 = 12;
 *   recompute: re-prefills its prompt and 3 tokens (4 s; the prefill yields token 4 at 9.5),
 *              then 6 decode steps → done at 15.5.
 * A longer newcomer (R2, 9 tokens > 7 remaining) does not preempt. */
static void psrf_preempts_the_slot_with_the_longest_remaining(void **state)
{
    const char *modes[2] = {"resume", "recompute"};
    const double r0_done[2] = {12.0, 15.5};
    for (int k = 0; k < 2; k++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
                 "scheduler: {policy: psrf, preemption: %s}\n",
                 modes[k]);
        struct fixture fx;
        fixture_setup(&fx, yaml);
        add_request(&fx, 0, 1, 10, 0.0);
        add_request(&fx, 1, 1, 2, 3.5);
        run(&fx);
        assert_time(fx.seen.first_ns[0], 1.0);
        assert_int_equal(fx.seen.firsts[0], 1); /* not repeated after the preemption */
        assert_time(fx.seen.first_ns[1], 4.5);
        assert_time(fx.seen.done_ns[1], 5.5);
        assert_time(fx.seen.done_ns[0], r0_done[k]);
        struct server_stats st = server_stats(fx.server);
        assert_int_equal(st.priority_preemptions, 1);
        assert_int_equal(st.recomputed_tokens, k == 1 ? 3 : 0);
        /* Busy time excludes the part of R0's first segment that never ran. */
        assert_true(fabs(server_busy_s(fx.server) - r0_done[k]) < 1e-8);
        fixture_teardown(&fx);
    }
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1}\nscheduler: psrf\n");
    add_request(&fx, 0, 1, 10, 0.0);
    add_request(&fx, 2, 1, 9, 3.5);
    run(&fx);
    assert_time(fx.seen.done_ns[0], 10.0);
    assert_time(fx.seen.done_ns[2], 19.0);
    assert_int_equal(server_stats(fx.server).preemptions, 0);
    fixture_teardown(&fx);
}

/* --- 4. psrf under continuous batching --- */

/* max_batch 1; R0 (10 tokens): prefill 0–1, then one event for its 9 decode steps. R1 (2)
 * arrives at 3.5: the event is cut at the end of the step in progress (t = 4, R0 has 4
 * tokens, 6 to go > 2), where R0 is preempted by recompute. R1: prefill 4–5, decode 5–6.
 * R0 readmitted at 6: prefill of 1 + 4 tokens → 11 (token 5), 5 steps → done at 16. */
static void psrf_preempts_at_an_iteration_boundary(void **state)
{
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 1}\n"
                       "batching: {mode: continuous}\nscheduler: psrf\n");
    add_request(&fx, 0, 1, 10, 0.0);
    add_request(&fx, 1, 1, 2, 3.5);
    run(&fx);
    assert_time(fx.seen.first_ns[1], 5.0);
    assert_time(fx.seen.done_ns[1], 6.0);
    assert_time(fx.seen.done_ns[0], 16.0);
    assert_int_equal(fx.seen.firsts[0], 1);
    struct server_stats st = server_stats(fx.server);
    assert_int_equal(st.priority_preemptions, 1);
    assert_int_equal(st.recomputed_tokens, 4);
    fixture_teardown(&fx);
}

/* Under on-demand KV a priority policy preempts the running sequence with the worst key,
 * not the newest: KV 10, P = 4, R0 (4 tokens, key 4) and R1 (2 tokens, key 2) at t = 0 are
 * prefilled together (the decision of the instant: R1 first, then R0; 8 tokens = 8 s). At
 * t = 8 a decode step needs 12 > 10 tokens: spf preempts R0 (key 4), not R1 (admitted
 * last). R1 decodes 8–9 (done, 2 tokens). R0 readmitted at 9: prefill 4 + 1 = 5 s → 14,
 * then 2 steps → done 16. */
static void kv_preemption_under_spf_takes_the_worst_key(void **state)
{
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 4, "
                       "kv_cache_tokens: 10}\n"
                       "batching: {mode: continuous, kv_admission: on_demand}\n"
                       "scheduler: spf\n");
    add_request(&fx, 0, 4, 4, 0.0);
    add_request(&fx, 1, 4, 2, 0.0);
    run(&fx);
    assert_time(fx.seen.first_ns[0], 8.0);
    assert_time(fx.seen.done_ns[1], 9.0);
    assert_time(fx.seen.done_ns[0], 16.0);
    assert_int_equal(server_stats(fx.server).preemptions, 1);
    fixture_teardown(&fx);
}

/* --- 5. bucketed: Zheng et al.'s plan of a group --- */

static void bucketed_plan_follows_the_authors_schedule(void **state)
{
    /* w = 50, sizes {≤50: 4, ≤100: 2}, micro-batch (max_batch) 2; predictions of requests
     * 0..8: 120, 10, 60, 20, 30, 70, 40, 15, 55. Sorted: 1(10) 7(15) 3(20) 4(30) 6(40)
     * 8(55) 2(60) 5(70) 0(120). Bucket 50 = [1 7 3 4 6], size 4: batch [1 7 3 4]; the
     * last [6] is smaller than max(4/2, 2) and moves up. Bucket 100 = [8 2 5] + [6], size 2:
     * [8 2], [5 6]. Bucket 150 (beyond the table: max_batch 2) = [0], the last: kept.
     * With FCR each batch stops at its bucket's bound. */
    struct error err;
    struct ydoc *doc = ydoc_load_string("model: {prefill_tok_s: 1, decode_tok_s: 1, "
                                        "max_batch: 2}\n"
                                        "batching: {mode: static}\n"
                                        "scheduler: {policy: bucketed, bucket_tokens: 50, "
                                        "batch_sizes: [[50, 4], [100, 2]]}\n",
                                        "t.yaml", &err);
    assert_non_null(doc);
    struct server_config cfg;
    if (server_config_load(&cfg, ydoc_root(doc), &err) != 0)
        fail_with(&err);
    const uint32_t predicted[9] = {120, 10, 60, 20, 30, 70, 40, 15, 55};
    struct request reqs[9], *group[9];
    for (int i = 0; i < 9; i++) {
        reqs[i] = (struct request){.id = (uint64_t)i, .prompt_tokens = 10};
        reqs[i].srv.predicted_output = predicted[i];
        group[i] = &reqs[i];
    }
    const int want[4][4] = {{1, 7, 3, 4}, {8, 2, -1, -1}, {5, 6, -1, -1}, {0, -1, -1, -1}};
    const uint32_t want_n[4] = {4, 2, 2, 1}, want_limit[4] = {50, 100, 100, 150};
    struct sched_plan plan = {0};
    assert_int_equal(cfg.sched.ops->plan(&cfg.sched, group, 9, 2, -1, &plan), 0);
    assert_int_equal(plan.n, 4);
    for (size_t b = 0; b < plan.n; b++) {
        assert_int_equal(plan.batches[b].n, want_n[b]);
        assert_int_equal(plan.batches[b].limit_tokens, want_limit[b]);
        int i = 0;
        for (struct request *q = plan.batches[b].head; q; q = q->srv.adm_next, i++)
            assert_int_equal((int)q->id, want[b][i]);
        assert_int_equal(i, (int)want_n[b]);
    }
    /* Bounded by memory: a cache of 130 tokens holds 2 sequences of 10 + 50 (bucket 50) and
     * 1 of 10 + 100: [1 7] [3 4] then [6] moves up; [8] [2] [5] then [6] moves up; bucket
     * 150 [0] [6]. */
    plan.n = plan.next = 0;
    assert_int_equal(cfg.sched.ops->plan(&cfg.sched, group, 9, 2, 130, &plan), 0);
    const uint32_t kv_n[7] = {2, 2, 1, 1, 1, 1, 1};
    const int kv_first[7] = {1, 3, 8, 2, 5, 0, 6};
    assert_int_equal(plan.n, 7);
    for (size_t b = 0; b < plan.n; b++) {
        assert_int_equal(plan.batches[b].n, kv_n[b]);
        assert_int_equal((int)plan.batches[b].head->id, kv_first[b]);
    }
    sched_plan_free(&plan);
    server_config_free(&cfg);
    ydoc_free(doc);
}

/* --- 6. bucketed: failure collection and recomputation through the server --- */

/* Every prediction is half the true length (ratio 0.5): O = 3, 4, 8, 6 → Ô = 2, 2, 4, 3,
 * all in bucket 4 (w = 4, size 2). One group of 4 at t = 0 (max_wait 1 s, group 4):
 * batch {R0, R1} limit 4: prefill 2×1 = 2 s; R0 done at 4, R1 (4 ≤ 4) at 5.
 * batch {R3, R2} limit 4 at 5: first tokens at 7; both longer than 4: cut after 4 tokens at
 * 10 (2 failures, 8 wasted tokens). Recomputation batch {R3, R2} (no limit) at 10: prefill
 * to 12 (no second first token), R3 (6) done at 17, R2 (8) at 19. */
static void bucketed_cuts_at_the_bucket_and_recomputes_after_the_group(void **state)
{
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 2}\n"
                       "batching: {mode: static, max_wait_ms: 1000}\n"
                       "scheduler:\n"
                       "  policy: bucketed\n"
                       "  bucket_tokens: 4\n"
                       "  batch_sizes: [[4, 2], [8, 2]]\n"
                       "  group: 4\n"
                       "  prediction: {error: {dist: empirical, values: [0.5]}}\n");
    const uint32_t out[4] = {3, 4, 8, 6};
    for (int i = 0; i < 4; i++)
        add_request(&fx, i, 1, out[i], 0.0);
    run(&fx);
    assert_time(fx.seen.done_ns[0], 4.0);
    assert_time(fx.seen.done_ns[1], 5.0);
    assert_time(fx.seen.first_ns[2], 7.0);
    assert_time(fx.seen.first_ns[3], 7.0);
    assert_int_equal(fx.seen.firsts[2], 1);
    assert_time(fx.seen.done_ns[3], 17.0);
    assert_time(fx.seen.done_ns[2], 19.0);
    struct server_stats st = server_stats(fx.server);
    assert_int_equal(st.fcr_failures, 2);
    assert_int_equal(st.fcr_wasted_tokens, 8);
    assert_int_equal(server_waiting(fx.server) + server_running(fx.server), 0);
    fixture_teardown(&fx);
}

/* --- 7. s3: predicted reservations --- */

/* KV 14, P = 2, O = 8. reserve_output (S³'s oracle) reserves 10 each: one at a time. s3
 * with exact predictions reserves the same: the same timeline. With Ô = O/2 = 4, s3 reserves
 * 6 each and admits both at 0: prefill 4 tokens → 4 (token 1 each); the reservation of 4
 * tokens is full after 3 decode steps (one event for the 3 steps, not 7) at t = 7.
 *   reallocate (growth 2 → R = 8, +4 each): R0 does not fit (12 + 4 > 14) and is preempted;
 *     then R1 grows (6 + 4 ≤ 14) and decodes 4 more steps → done 11; R0 readmitted at 11:
 *     prefill 2 + 4 = 6 s → 17 (token 5), 3 steps → 20.
 *   preempt: both are preempted (R1 last, so first in the queue): R1 prefill 6 s 7–13, 3
 *     steps → 16; R0 16–22, → 25. */
static void s3_reserves_the_prediction_and_regrows_on_overflow(void **state)
{
    const char *base = "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 4, "
                       "kv_cache_tokens: 14}\n";
    const char *variants[5] = {
        "batching: {mode: continuous, kv_admission: reserve_output}\n",
        "batching: {mode: continuous}\nscheduler: s3\n",
        /* s3's reservation replaces the tier's kv_admission. */
        "batching: {mode: continuous, kv_admission: on_demand}\nscheduler: s3\n",
        "batching: {mode: continuous}\nscheduler: {policy: s3, on_overflow: reallocate, "
        "prediction: {error: {dist: empirical, values: [0.5]}}}\n",
        "batching: {mode: continuous}\nscheduler: {policy: s3, on_overflow: preempt, "
        "prediction: {error: {dist: empirical, values: [0.5]}}}\n",
    };
    /* Oracle: R0 prefill 0–2, 7 steps → 9; R1 prefill 9–11, → 18. */
    const double want[5][2] = {{9, 18}, {9, 18}, {9, 18}, {20, 11}, {25, 16}};
    const uint64_t overflows[5] = {0, 0, 0, 2, 2}, reallocations[5] = {0, 0, 0, 1, 0};
    const uint64_t preemptions[5] = {0, 0, 0, 1, 2};
    for (int k = 0; k < 5; k++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml, "%s%s", base, variants[k]);
        struct fixture fx;
        fixture_setup(&fx, yaml);
        add_request(&fx, 0, 2, 8, 0.0);
        add_request(&fx, 1, 2, 8, 0.0);
        run(&fx);
        assert_time(fx.seen.done_ns[0], want[k][0]);
        assert_time(fx.seen.done_ns[1], want[k][1]);
        assert_int_equal(fx.seen.firsts[0], 1);
        struct server_stats st = server_stats(fx.server);
        assert_int_equal(st.overflows, overflows[k]);
        assert_int_equal(st.reallocations, reallocations[k]);
        assert_int_equal(st.preemptions, preemptions[k]);
        assert_true(st.peak_kv_tokens <= 14);
        fixture_teardown(&fx);
    }
}

/* --- 8. predictions --- */

static void prediction_errors_follow_their_model_with_common_random_numbers(void **state)
{
    struct error err;
    /* Lognormal, median 1: ln ε = σ·Φ⁻¹(u) has mean 0 and sd σ. */
    struct sched_prediction p = {.error = SCHED_ERROR_LOGNORMAL, .sigma = 0.5, .median = 1};
    double sum = 0, sum2 = 0;
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        double u = rng_hash_u01(3, 0, (uint64_t)i, SCHED_PREDICTION_PURPOSE);
        double x = log(sched_prediction_ratio(&p, u));
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    assert_true(fabs(mean) < 0.02); /* 4 standard errors: 4 · 0.5/√20000 = 0.014 */
    assert_true(fabs(sd - 0.5) < 0.01);
    /* Rounding and the floor at 1. */
    assert_int_equal(sched_predict(&p, 100, 0.5), 100);
    assert_int_equal(sched_predict(&p, 1, 1e-9), 1);
    /* Empirical: the ⌈u·n⌉-th smallest ratio (the file order does not matter). */
    struct ydoc *doc = ydoc_load_string("error: {dist: empirical, values: [2, 0.5, 1]}\n"
                                        "cost_ms: 5\n",
                                        "t.yaml", &err);
    struct sched_prediction e;
    if (sched_prediction_load(&e, ydoc_root(doc), &err) != 0)
        fail_with(&err);
    assert_true(fabs(e.cost_s - 0.005) < 1e-15);
    assert_true(sched_prediction_ratio(&e, 0.2) == 0.5);
    assert_true(sched_prediction_ratio(&e, 0.5) == 1.0);
    assert_true(sched_prediction_ratio(&e, 0.9) == 2.0);
    assert_int_equal(sched_predict(&e, 7, 0.9), 14);
    sched_prediction_free(&e);
    ydoc_free(doc);
    /* The same request gets the same prediction under every policy (and on every tier keyed
     * by the same seed). */
    const char *policies[3] = {"{policy: spf", "{policy: psrf", "{policy: s3"};
    uint32_t seen[3][MAX_REQ];
    for (int k = 0; k < 3; k++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "model: {prefill_tok_s: 1000, decode_tok_s: 100, max_batch: 4}\n"
                 "batching: {mode: continuous}\n"
                 "scheduler: %s, prediction: {error: {dist: lognormal, sigma: 0.8}}}\n",
                 policies[k]);
        struct fixture fx;
        fixture_setup(&fx, yaml);
        for (int i = 0; i < MAX_REQ; i++)
            add_request(&fx, i, 10, 50 + 10 * (uint32_t)i, 0.01 * i);
        run(&fx);
        for (int i = 0; i < MAX_REQ; i++) {
            seen[k][i] = fx.req[i].srv.predicted_output;
            assert_int_equal(fx.seen.dones[i], 1);
        }
        fixture_teardown(&fx);
    }
    int differs = 0;
    for (int i = 0; i < MAX_REQ; i++) {
        assert_int_equal(seen[0][i], seen[1][i]);
        assert_int_equal(seen[0][i], seen[2][i]);
        differs += seen[0][i] != 50 + 10 * (uint32_t)i;
    }
    assert_true(differs > MAX_REQ / 2); /* σ = 0.8 is visible */
}

/* The prediction's cost delays entry: spf with cost 0.5 s on one slot, O tokens in O s. */
static void prediction_cost_delays_the_request(void **state)
{
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
                       "scheduler: {policy: spf, prediction: {cost_ms: 500}}\n");
    add_request(&fx, 0, 1, 2, 0.0);
    run(&fx);
    assert_time(fx.seen.first_ns[0], 1.5);
    assert_time(fx.seen.done_ns[0], 2.5);
    fixture_teardown(&fx);
}

/* --- 9. configuration errors --- */

static void scheduler_errors_name_the_key(void **state)
{
    struct error err;
    struct server_config cfg;
    const char *m = "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 4}\n";
    const struct {
        const char *yaml, *path, *msg;
    } cases[] = {
        {"scheduler: sfp\n", "scheduler", "did you mean 'spf'"},
        {"batching: {mode: static}\nscheduler: {policy: psrf}\n", "scheduler.policy",
         "none or continuous"},
        {"batching: {mode: continuous}\nscheduler: bucketed\n", "scheduler", "static"},
        {"scheduler: s3\n", "scheduler", "continuous"},
        {"batching: {mode: continuous}\nscheduler: {policy: psrf, preemption: resume}\n",
         "scheduler.preemption", "slots"},
        {"scheduler: {policy: spf, prediction: {error: {sigma: 0.5}}}\n",
         "scheduler.prediction.error", "missing required key 'dist'"},
        {"scheduler: {policy: spf, prediction: {error: {dist: normal, sigma: 1}}}\n",
         "scheduler.prediction.error.dist", "lognormal"},
        {"scheduler: {policy: spf, prediction: {error: {dist: empirical, values: [1, 0]}}}\n",
         "scheduler.prediction.error", "> 0"},
        {"scheduler: {policy: spf, prediction: {error: often}}\n", "scheduler.prediction.error",
         "expected none"},
        {"batching: {mode: static}\nscheduler: {policy: bucketed, batch_sizes: [[100, 4], "
         "[50, 8]]}\n",
         "scheduler.batch_sizes[1][0]", "increasing"},
        {"scheduler: {policy: spf, aging_per_s: -1}\n", "scheduler.aging_per_s", ""},
        {"batching: {mode: continuous}\nscheduler: {policy: s3, growth: 1}\n", "scheduler.growth",
         ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml, "%s%s", m, cases[i].yaml);
        struct ydoc *doc = ydoc_load_string(yaml, "t.yaml", &err);
        assert_non_null(doc);
        error_clear(&err);
        if (server_config_load(&cfg, ydoc_root(doc), &err) == 0)
            fail_msg("case %zu loaded", i);
        if (strcmp(err.path, cases[i].path) != 0 || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: %s: %s", i, err.path, err.msg);
        assert_true(err.line >= 1);
        server_config_free(&cfg);
        ydoc_free(doc);
    }
    /* A key of another policy is unknown to this one, with "did you mean". */
    struct ydoc *doc = ydoc_load_string("model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
                                        "scheduler: {policy: spf, aging_per_sec: 1}\n",
                                        "t.yaml", &err);
    assert_int_equal(server_config_load(&cfg, ydoc_root(doc), &err), 0);
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_non_null(strstr(err.msg, "aging_per_s"));
    server_config_free(&cfg);
    ydoc_free(doc);
}

/* --- 10. every policy under load --- */

enum { LOAD_N = 600 };

struct load {
    struct server *server;
    struct request reqs[LOAD_N];
    int64_t first_ns[LOAD_N], done_ns[LOAD_N];
    int firsts[LOAD_N], dones[LOAD_N], rejected;
};

static void load_first(struct sim *sim, struct request *req, void *ctx)
{
    struct load *l = ctx;
    l->first_ns[req->id] = sim->now_ns;
    l->firsts[req->id]++;
}

static void load_done(struct sim *sim, struct request *req, void *ctx)
{
    struct load *l = ctx;
    l->done_ns[req->id] = sim->now_ns;
    l->dones[req->id]++;
}

static void load_rejected(struct sim *sim, struct request *req, void *ctx)
{
    struct load *l = ctx;
    l->rejected++;
    l->dones[req->id]++; /* ends here */
    l->firsts[req->id]++;
}

static void load_submit(struct sim *sim, void *payload)
{
    struct request *req = payload;
    struct load *l = (struct load *)((char *)(req - req->id) - offsetof(struct load, reqs));
    assert_int_equal(server_submit(l->server, req), 0);
}

/* LOAD_N requests, Poisson arrivals at 80 % of the single-stream capacity, P uniform in
 * [1, 64], O geometric with mean 40, all through a server of `yaml`. */
static struct load *run_load(const char *yaml, struct server_stats *stats, double *busy_s)
{
    struct error err;
    struct ydoc *doc = ydoc_load_string(yaml, "load.yaml", &err);
    if (!doc)
        fail_with(&err);
    struct server_config cfg;
    if (server_config_load(&cfg, ydoc_root(doc), &err) != 0)
        fail_with(&err);
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct load *l = calloc(1, sizeof *l);
    assert_non_null(l);
    gsl_rng *rng = rng_stream_new(5, 0, "load"), *draws = rng_stream_new(5, 0, "draws");
    struct server_callbacks cb = {
        .on_first_token = load_first, .on_done = load_done, .on_rejected = load_rejected, .ctx = l};
    l->server = server_new(&cfg, &sim, cb, rng);
    server_set_seed(l->server, 5, 0);
    double t = 0;
    for (int i = 0; i < LOAD_N; i++) {
        l->reqs[i] = (struct request){
            .id = (uint64_t)i,
            .prompt_tokens = 1 + (uint32_t)gsl_rng_uniform_int(draws, 64),
            .output_tokens = 1 + (uint32_t)(-40 * log(gsl_rng_uniform_pos(draws))),
        };
        sim_at(&sim, simtime_from_s(t), load_submit, &l->reqs[i]);
        t += -log(gsl_rng_uniform_pos(draws)) * 0.5;
    }
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    for (int i = 0; i < LOAD_N; i++) {
        if (l->firsts[i] != 1 || l->dones[i] != 1)
            fail_msg("request %d: %d first tokens, %d ends", i, l->firsts[i], l->dones[i]);
        assert_true(l->first_ns[i] <= l->done_ns[i]);
    }
    assert_int_equal(server_waiting(l->server) + server_running(l->server), 0);
    *stats = server_stats(l->server);
    *busy_s = server_busy_s(l->server);
    server_free(l->server);
    gsl_rng_free(rng);
    gsl_rng_free(draws);
    sim_free(&sim);
    server_config_free(&cfg);
    ydoc_free(doc);
    return l;
}

static void every_policy_serves_each_request_once_under_load(void **state)
{
    /* 40 tokens at 50 tok/s ≈ 0.8 s per request alone, 2 req/s: two slots or a batch of two
     * are busy 80 % of the time; a cache of 400 tokens holds about five requests. */
    const char *model = "model: {prefill_tok_s: 2000, decode_tok_s: 50, max_batch: 2, "
                        "kv_cache_tokens: 400}\n";
    const char *pred = "prediction: {error: {dist: lognormal, sigma: 0.7}}";
    /* "%s" marks where the prediction goes. */
    const char *cases[] = {
        "slots: 2\n",
        "slots: 2\nscheduler: {policy: spf, aging_per_s: 5, %s}\n",
        "slots: 2\nscheduler: {policy: psrf, preemption: recompute, %s}\n",
        "slots: 2\nscheduler: {policy: psrf, preemption: resume, by: time, %s}\n",
        "batching: {mode: static, max_wait_ms: 200}\nscheduler: {policy: spf, %s}\n",
        "batching: {mode: static, max_wait_ms: 200}\nscheduler: {policy: bucketed, "
        "bucket_tokens: 20, group: 32, batch_sizes: [[20, 16], [40, 8]], %s}\n",
        "batching: {mode: continuous}\nscheduler: {policy: spf, by: time, %s}\n",
        "batching: {mode: continuous}\nscheduler: {policy: psrf, %s}\n",
        "batching: {mode: continuous}\nscheduler: {policy: s3, on_overflow: reallocate, %s}\n",
        "batching: {mode: continuous}\nscheduler: {policy: s3, growth: 1.5, %s}\n",
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char yaml[1024];
        const char *mark = strstr(cases[k], "%s");
        if (mark)
            snprintf(yaml, sizeof yaml, "%s%.*s%s%s", model, (int)(mark - cases[k]), cases[k], pred,
                     mark + 2);
        else
            snprintf(yaml, sizeof yaml, "%s%s", model, cases[k]);
        struct server_stats st;
        double busy;
        struct load *l = run_load(yaml, &st, &busy);
        if (strstr(yaml, "resume")) {
            /* Preemptive-resume loses no work: busy time is the sum of the requests'
             * single-stream service times (each rounded to the ns). */
            double sum = 0;
            for (int i = 0; i < LOAD_N; i++) {
                struct llm_single_stream t =
                    llm_single_stream(&(struct llm_perf){.coef = {.prefill_per_token_s = 1 / 2000.0,
                                                                  .decode_base_s = 1 / 50.0}},
                                      l->reqs[i].prompt_tokens, l->reqs[i].output_tokens, 0);
                sum += simtime_to_s(simtime_from_s(t.last_token_s));
            }
            assert_true(st.priority_preemptions > 10);
            assert_true(fabs(busy - sum) < 1e-6 * LOAD_N);
        }
        if (strstr(yaml, "policy: psrf"))
            assert_true(st.priority_preemptions > 0);
        if (strstr(yaml, "policy: bucketed"))
            assert_true(st.fcr_failures > 0);
        if (strstr(yaml, "policy: s3")) {
            assert_true(st.overflows > 0);
            assert_true(st.peak_kv_tokens <= 400);
        }
        free(l);
    }
}

/* With exact predictions S³ reserves exactly P + O: event for event the oracle
 * reserve_output (the event heap keyed by the reservation's end changes nothing then). */
static void s3_with_exact_predictions_is_reserve_output(void **state)
{
    const char *model = "model: {prefill: {base_ms: 5, per_token_ms: 0.5}, decode_step: "
                        "{base_ms: 15, per_seq_ms: 1, per_context_token_ms: 0.001}, max_batch: 8, "
                        "kv_cache_tokens: 700}\n";
    char a[512], b[512];
    snprintf(a, sizeof a, "%sbatching: {mode: continuous, kv_admission: reserve_output}\n", model);
    snprintf(b, sizeof b, "%sbatching: {mode: continuous}\nscheduler: s3\n", model);
    struct server_stats sa, sb;
    double busy_a, busy_b;
    struct load *la = run_load(a, &sa, &busy_a), *lb = run_load(b, &sb, &busy_b);
    for (int i = 0; i < LOAD_N; i++) {
        assert_int_equal(la->first_ns[i], lb->first_ns[i]);
        assert_int_equal(la->done_ns[i], lb->done_ns[i]);
    }
    assert_int_equal(sb.overflows, 0);
    assert_int_equal(sa.iterations, sb.iterations);
    free(la);
    free(lb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(learning_to_rank_toy_example_fcfs_6_67_shortest_first_1_27),
        cmocka_unit_test(spf_serves_the_shortest_prediction_and_aging_lets_the_old_overtake),
        cmocka_unit_test(spf_forms_static_batches_of_the_shortest),
        cmocka_unit_test(psrf_preempts_the_slot_with_the_longest_remaining),
        cmocka_unit_test(psrf_preempts_at_an_iteration_boundary),
        cmocka_unit_test(kv_preemption_under_spf_takes_the_worst_key),
        cmocka_unit_test(bucketed_plan_follows_the_authors_schedule),
        cmocka_unit_test(bucketed_cuts_at_the_bucket_and_recomputes_after_the_group),
        cmocka_unit_test(s3_reserves_the_prediction_and_regrows_on_overflow),
        cmocka_unit_test(prediction_errors_follow_their_model_with_common_random_numbers),
        cmocka_unit_test(prediction_cost_delays_the_request),
        cmocka_unit_test(scheduler_errors_name_the_key),
        cmocka_unit_test(every_policy_serves_each_request_once_under_load),
        cmocka_unit_test(s3_with_exact_predictions_is_reserve_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
