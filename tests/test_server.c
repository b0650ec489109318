/* Tests of the LLM server tier (models/server.c): each batching mode against timelines
 * worked out by hand from the model's step times, KV-cache admission and preemption,
 * rejection, conservation, and continuous batching with batch size 1 against the M/D/1
 * Pollaczek-Khinchine mean wait. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "rng.h"
#include "server.h"

#include "server_fixture.h"

static void continuous_batch_follows_the_prefill_first_timeline(void **state)
{
    /* t=0: R0 admitted alone, prefill 100/100 = 1 s. t=1: R0's first token; R1 admitted,
     * prefill 200/100 = 2 s (R0 waits: prefill-first). t=3: R1's first token; decode steps
     * of 1/10 s for both: t=3.1 R1 has its 2 tokens; t=3.2 R0 has its 3. */
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 100, decode_tok_s: 10, max_batch: 8}\n"
                       "batching: {mode: continuous}\n");
    add_request(&fx, 0, 100, 3, 0.0);
    add_request(&fx, 1, 200, 2, 0.0);
    assert_int_equal(sim_run(&fx.sim, SIMTIME_NEVER), 0);
    assert_time(fx.seen.first_ns[0], 1.0);
    assert_time(fx.seen.first_ns[1], 3.0);
    assert_time(fx.seen.done_ns[1], 3.1);
    assert_time(fx.seen.done_ns[0], 3.2);
    struct server_stats st = server_stats(fx.server);
    assert_int_equal(st.iterations, 4); /* 2 prefills, 2 decode steps */
    assert_int_equal(st.batched_seqs, 3);
    assert_true(fabs(server_busy_s(fx.server) - 3.2) < 1e-8);
    fixture_teardown(&fx);
}

static void decode_steps_use_batch_and_context_coefficients(void **state)
{
    /* prefill 10 + 1·100 = 110 ms; steps 20 + 5·1 + 0.01·C ms with C = 101, then 102. */
    struct fixture fx;
    fixture_setup(&fx, "model:\n"
                       "  prefill: {base_ms: 10, per_token_ms: 1}\n"
                       "  decode_step: {base_ms: 20, per_seq_ms: 5, per_context_token_ms: 0.01}\n"
                       "  max_batch: 4\n"
                       "batching: {mode: continuous}\n");
    add_request(&fx, 0, 100, 3, 0.0);
    assert_int_equal(sim_run(&fx.sim, SIMTIME_NEVER), 0);
    assert_time(fx.seen.first_ns[0], 0.110);
    assert_time(fx.seen.done_ns[0], 0.110 + 0.02601 + 0.02602);
    fixture_teardown(&fx);
}

static void on_demand_kv_preempts_the_newest_and_recomputes(void **state)
{
    /* KV 10 tokens; both requests P=4, O=4; prefill 1 tok/s, decode 1 s per step.
     * t=0 R0 in (KV 5), prefill 4 s; t=4 R1 in (KV 10), prefill 4 s; t=8 a decode step
     * needs 12 > 10: R1 (newest) is preempted, R0 decodes alone: t=9, 10, 11 (done, KV 0).
     * R1 recomputes P + 1 generated = 5 tokens: t=16, then decodes: t=17, t=18 done. */
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 4, "
                       "kv_cache_tokens: 10}\n"
                       "batching: {mode: continuous, kv_admission: on_demand}\n");
    add_request(&fx, 0, 4, 4, 0.0);
    add_request(&fx, 1, 4, 4, 0.0);
    assert_int_equal(sim_run(&fx.sim, SIMTIME_NEVER), 0);
    assert_time(fx.seen.first_ns[0], 4.0);
    assert_time(fx.seen.first_ns[1], 8.0);
    assert_time(fx.seen.done_ns[0], 11.0);
    assert_time(fx.seen.done_ns[1], 18.0);
    assert_int_equal(fx.seen.firsts[1], 1); /* the recompute does not repeat the first token */
    struct server_stats st = server_stats(fx.server);
    assert_int_equal(st.preemptions, 1);
    assert_int_equal(st.recomputed_tokens, 1);
    assert_int_equal(st.peak_kv_tokens, 10);
    fixture_teardown(&fx);
}

static void reserve_output_admits_only_what_fits_whole(void **state)
{
    /* Each request reserves P + O = 8 of 10 tokens: R1 waits for R0 to finish (t=7:
     * prefill 4 s + 3 steps), then runs 4 + 3 s: first token at 11, done at 14. */
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 4, "
                       "kv_cache_tokens: 10}\n"
                       "batching: {mode: continuous, kv_admission: reserve_output}\n");
    add_request(&fx, 0, 4, 4, 0.0);
    add_request(&fx, 1, 4, 4, 0.0);
    assert_int_equal(sim_run(&fx.sim, SIMTIME_NEVER), 0);
    assert_time(fx.seen.done_ns[0], 7.0);
    assert_time(fx.seen.first_ns[1], 11.0);
    assert_time(fx.seen.done_ns[1], 14.0);
    assert_int_equal(server_stats(fx.server).preemptions, 0);
    fixture_teardown(&fx);
}

static void a_request_larger_than_the_cache_is_rejected(void **state)
{
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 1, decode_tok_s: 1, max_batch: 4, "
                       "kv_cache_tokens: 10}\n"
                       "batching: {mode: continuous}\n");
    add_request(&fx, 0, 8, 3, 0.0); /* 11 > 10 */
    add_request(&fx, 1, 7, 3, 0.0); /* 10 fits */
    assert_int_equal(sim_run(&fx.sim, SIMTIME_NEVER), 0);
    assert_int_equal(fx.seen.rejections[0], 1);
    assert_int_equal(fx.seen.firsts[0] + fx.seen.dones[0], 0);
    assert_int_equal(fx.seen.rejections[1], 0);
    assert_int_equal(fx.seen.dones[1], 1);
    fixture_teardown(&fx);
}

static void static_batch_pads_to_the_longest_prompt(void **state)
{
    /* max_batch 2, max_wait 1 s. R0 at 0 waits; R1 at 0.5 fills the batch: prefill of
     * 2 × 200 padded tokens at 100 tok/s = 4 s → first tokens at 4.5; decode steps of
     * 0.1 s: R1 (O=2) done at 4.6, R0 (O=3) at 4.7. R2 alone at 10 starts at its deadline
     * 11: prefill 1 s, first token at 12, done at 12.1. */
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 100, decode_tok_s: 10, max_batch: 2}\n"
                       "batching: {mode: static, max_wait_ms: 1000}\n");
    add_request(&fx, 0, 100, 3, 0.0);
    add_request(&fx, 1, 200, 2, 0.5);
    add_request(&fx, 2, 100, 2, 10.0);
    assert_int_equal(sim_run(&fx.sim, SIMTIME_NEVER), 0);
    assert_time(fx.seen.first_ns[0], 4.5);
    assert_time(fx.seen.first_ns[1], 4.5);
    assert_time(fx.seen.done_ns[1], 4.6);
    assert_time(fx.seen.done_ns[0], 4.7);
    assert_time(fx.seen.first_ns[2], 12.0);
    assert_time(fx.seen.done_ns[2], 12.1);
    fixture_teardown(&fx);
}

static void slots_serve_fcfs_and_replicas_share_the_load(void **state)
{
    /* 2 replicas × 1 slot, each request 1 s prefill + 1 s decode: R0 and R1 start at once
     * on different replicas; R2 waits for the first free one. */
    struct fixture fx;
    fixture_setup(&fx, "model: {prefill_tok_s: 10, decode_tok_s: 1}\n"
                       "replicas: 2\nslots: 1\n");
    add_request(&fx, 0, 10, 2, 0.0);
    add_request(&fx, 1, 10, 2, 0.0);
    add_request(&fx, 2, 10, 2, 0.0);
    assert_int_equal(sim_run(&fx.sim, SIMTIME_NEVER), 0);
    assert_time(fx.seen.done_ns[0], 2.0);
    assert_time(fx.seen.done_ns[1], 2.0);
    assert_time(fx.seen.first_ns[2], 3.0);
    assert_time(fx.seen.done_ns[2], 4.0);
    assert_true(fabs(server_capacity(fx.server) - 2.0) < 1e-12);
    fixture_teardown(&fx);
}

static void batching_errors_name_the_key(void **state)
{
    struct error err;
    struct server_config cfg;
    const char *cases[][2] = {
        {"model: {prefill_tok_s: 1, decode_tok_s: 1}\nbatching: {mode: dynamic}\n",
         "batching.mode"},
        {"model: {prefill_tok_s: 1, decode_tok_s: 1}\nslots: 4\nbatching: {mode: static}\n",
         "slots"},
        {"model: {prefill_tok_s: 1, decode_tok_s: 1}\nreplicas: 0\n", "replicas"},
        {"replicas: 2\n", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ydoc *doc = ydoc_load_string(cases[i][0], "t.yaml", &err);
        assert_non_null(doc);
        assert_int_equal(server_config_load(&cfg, ydoc_root(doc), &err), -1);
        assert_string_equal(err.path, cases[i][1]);
        assert_true(err.line >= 1);
        server_config_free(&cfg);
        ydoc_free(doc);
    }
}

/* Continuous batching with max_batch 1 is a single-server FCFS queue: M/D/1 with service
 * prefill(100)/200 + 25 steps of 1/50 = 1 s. Pollaczek-Khinchine: Wq = λ/(2(1-λ)) s. */
struct md1_state {
    struct server *server;
    gsl_rng *rng;
    struct request *reqs;
    size_t n, next;
    double wait_sum_s;
    size_t measured;
};

static void md1_arrival(struct sim *sim, void *payload)
{
    struct md1_state *st = payload;
    struct request *req = &st->reqs[st->next];
    *req = (struct request){.id = st->next, .prompt_tokens = 100, .output_tokens = 26};
    st->next++;
    if (st->next < st->n)
        sim_after(sim, simtime_from_s(gsl_ran_exponential(st->rng, 1 / 0.7)), md1_arrival, st);
    assert_int_equal(server_submit(st->server, req), 0);
}

static void md1_first(struct sim *sim, struct request *req, void *ctx)
{
    struct md1_state *st = ctx;
    if (req->id >= 1000) { /* warm-up */
        st->wait_sum_s += simtime_to_s(req->service_start_ns - req->tier_arrival_ns);
        st->measured++;
    }
}

static void md1_done(struct sim *sim, struct request *req, void *ctx) {}

static void continuous_batch_of_one_is_md1(void **state)
{
    struct error err;
    struct ydoc *doc =
        ydoc_load_string("model: {prefill_tok_s: 200, decode_tok_s: 50, max_batch: 1}\n"
                         "batching: {mode: continuous}\n",
                         "t.yaml", &err);
    struct server_config cfg;
    assert_int_equal(server_config_load(&cfg, ydoc_root(doc), &err), 0);
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct md1_state st = {.n = 200000};
    st.rng = rng_stream_new(5, 0, "md1");
    st.reqs = calloc(st.n, sizeof st.reqs[0]);
    struct server_callbacks cb = {
        .on_first_token = md1_first, .on_done = md1_done, .on_rejected = on_rejected, .ctx = &st};
    st.server = server_new(&cfg, &sim, cb, st.rng);
    sim_at(&sim, 0, md1_arrival, &st);
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    double wq = st.wait_sum_s / (double)st.measured, theory = 0.7 / (2 * 0.3);
    printf("  M/D/1 through continuous batching (max_batch 1): Wq %.4f s, theory %.4f s, "
           "error %.2f %%\n",
           wq, theory, 100 * fabs(wq - theory) / theory);
    assert_true(fabs(wq - theory) / theory < 0.03);
    server_free(st.server);
    free(st.reqs);
    gsl_rng_free(st.rng);
    sim_free(&sim);
    server_config_free(&cfg);
    ydoc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(continuous_batch_follows_the_prefill_first_timeline),
        cmocka_unit_test(decode_steps_use_batch_and_context_coefficients),
        cmocka_unit_test(on_demand_kv_preempts_the_newest_and_recomputes),
        cmocka_unit_test(reserve_output_admits_only_what_fits_whole),
        cmocka_unit_test(a_request_larger_than_the_cache_is_rejected),
        cmocka_unit_test(static_batch_pads_to_the_longest_prompt),
        cmocka_unit_test(slots_serve_fcfs_and_replicas_share_the_load),
        cmocka_unit_test(batching_errors_name_the_key),
        cmocka_unit_test(continuous_batch_of_one_is_md1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
