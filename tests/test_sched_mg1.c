/* Validation of shortest-predicted-first (models/sched_spf.c through models/server.c) against
 * the M/G/1 non-preemptive priority queue, with exact and with noisy predictions.
 *
 * One slot serves requests of O output tokens in S = O·δ seconds (a one-token prompt
 * prefilled at 1/δ tokens/s makes the first token, then O − 1 decode steps of δ), O geometric
 * with mean m (the discrete exponential), arrivals Poisson with rate λ. Under spf each
 * predicted length y is a priority class served FIFO within itself, so the mean wait of a
 * request predicted y is Cobham's non-preemptive priority formula (Cobham, "Priority
 * assignment in waiting line problems", Operations Research 2(1), 1954; Kleinrock, Queueing
 * Systems vol. 2, 1976, ch. 3):
 *
 *     W(y) = W₀ / ((1 − σ_<y)(1 − σ_≤y)),   W₀ = λ·E[S²]/2,   σ_<y = λ·E[S·1{Ŷ < y}]
 *
 * With continuous sizes the two factors merge into (1 − ρ_<x)², the M/G/1 SJF formula
 * E[W(x)] = (λE[S²]/2)/(1 − ρ_<x)² with ρ_<x = λ∫₀ˣ t dF(t) (reference-numbers §2.4); with
 * predictions Ŷ the classes are the predicted values and ρ_<y is the load of requests
 * predicted below y (Mitzenmacher, "Scheduling with predictions and the price of
 * misprediction", ITCS 2020). The overall mean is E[W] = Σ_y P(Ŷ = y)·W(y), summed here over
 * the exact joint law of (O, Ŷ): Ŷ = max(1, round(O·ε)) with ln ε ~ N(0, σ²), so
 * P(Ŷ ≤ y | O = o) = Φ(ln((y + ½)/o)/σ). FCFS, the control, is Pollaczek–Khinchine:
 * E[W] = W₀/(1 − ρ). */
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

#define MEAN_TOKENS 25.0 /* m: E[O] */
#define DELTA_S (1.0 / MEAN_TOKENS)
#define LAMBDA 0.7 /* ρ = λ·m·δ = 0.7 */

static double phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* Σ_y P(Ŷ = y)·W(y) over the geometric sizes; sigma = 0: exact predictions. */
static double spf_mean_wait_s(double sigma)
{
    const double p = 1.0 / MEAN_TOKENS;
    size_t o_max = 1;
    while (pow(1 - p, (double)o_max) > 1e-14)
        o_max++;
    double *weight = malloc((o_max + 1) * sizeof *weight); /* p_o */
    double *f_prev = calloc(o_max + 1, sizeof *f_prev);    /* P(Ŷ ≤ y − 1 | o) */
    assert_non_null(weight);
    assert_non_null(f_prev);
    double es2 = 0;
    for (size_t o = 1; o <= o_max; o++) {
        weight[o] = p * pow(1 - p, (double)(o - 1));
        es2 += weight[o] * (o * DELTA_S) * (o * DELTA_S);
    }
    double w0 = LAMBDA * es2 / 2, mean = 0, mass = 0, sigma_lt = 0;
    for (size_t y = 1; mass < 1 - 1e-12 && y < 100 * o_max; y++) {
        double sigma_le = 0, p_y = 0;
        for (size_t o = 1; o <= o_max; o++) {
            double f = sigma > 0 ? phi(log((y + 0.5) / (double)o) / sigma) : (o <= y ? 1 : 0);
            sigma_le += LAMBDA * weight[o] * (o * DELTA_S) * f;
            p_y += weight[o] * (f - f_prev[o]);
            f_prev[o] = f;
        }
        mean += p_y * w0 / ((1 - sigma_lt) * (1 - sigma_le));
        mass += p_y;
        sigma_lt = sigma_le;
    }
    free(weight);
    free(f_prev);
    return mean;
}

/* --- the simulation --- */

struct mg1 {
    struct server *server;
    gsl_rng *rng;
    struct request *reqs;
    size_t n, next, warmup;
    double wait_sum_s, batch_sum_s[20];
    size_t measured;
};

static void mg1_arrival(struct sim *sim, void *payload)
{
    struct mg1 *st = payload;
    struct request *req = &st->reqs[st->next];
    *req = (struct request){.id = st->next,
                            .prompt_tokens = 1,
                            .output_tokens = gsl_ran_geometric(st->rng, 1 / MEAN_TOKENS)};
    st->next++;
    if (st->next < st->n)
        sim_after(sim, simtime_from_s(gsl_ran_exponential(st->rng, 1 / LAMBDA)), mg1_arrival, st);
    assert_int_equal(server_submit(st->server, req), 0);
}

static void mg1_first(struct sim *sim, struct request *req, void *ctx)
{
    struct mg1 *st = ctx;
    if (req->id < st->warmup)
        return;
    double w = simtime_to_s(req->service_start_ns - req->tier_arrival_ns);
    st->wait_sum_s += w;
    st->batch_sum_s[(req->id - st->warmup) * 20 / (st->n - st->warmup)] += w;
    st->measured++;
}

static void mg1_done(struct sim *sim, struct request *req, void *ctx) {}

static void mg1_rejected(struct sim *sim, struct request *req, void *ctx)
{
    fail_msg("rejected");
}

/* Mean wait of n requests (after a warm-up) through one slot under `scheduler`, with the
 * half-width of a 95 % interval from 20 batch means. */
static double simulate_mean_wait_s(const char *scheduler, size_t n, uint64_t seed,
                                   double *half_width_s)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml, "model: {prefill_tok_s: %.17g, decode_tok_s: %.17g}\nslots: 1\n%s",
             1 / DELTA_S, 1 / DELTA_S, scheduler);
    struct error err;
    struct ydoc *doc = ydoc_load_string(yaml, "t.yaml", &err);
    assert_non_null(doc);
    struct server_config cfg;
    assert_int_equal(server_config_load(&cfg, ydoc_root(doc), &err), 0);
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct mg1 st = {.n = n, .warmup = n / 50};
    st.rng = rng_stream_new(seed, 0, "mg1");
    st.reqs = calloc(st.n, sizeof st.reqs[0]);
    assert_non_null(st.reqs);
    struct server_callbacks cb = {
        .on_first_token = mg1_first, .on_done = mg1_done, .on_rejected = mg1_rejected, .ctx = &st};
    st.server = server_new(&cfg, &sim, cb, st.rng);
    server_set_seed(st.server, seed, 0);
    sim_at(&sim, 0, mg1_arrival, &st);
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    assert_int_equal(st.measured, n - st.warmup);
    double mean = st.wait_sum_s / (double)st.measured, ss = 0;
    for (int b = 0; b < 20; b++) {
        double x = st.batch_sum_s[b] / ((double)st.measured / 20) - mean;
        ss += x * x;
    }
    *half_width_s = 2.093 * sqrt(ss / 19 / 20); /* t(0.975, 19) */
    server_free(st.server);
    free(st.reqs);
    gsl_rng_free(st.rng);
    sim_free(&sim);
    server_config_free(&cfg);
    ydoc_free(doc);
    return mean;
}

static void check(const char *what, const char *scheduler, double theory_s, size_t n)
{
    double hw, sim = simulate_mean_wait_s(scheduler, n, 11, &hw);
    double err = fabs(sim - theory_s) / theory_s;
    printf("  %-34s E[W] simulated %.4f s (±%.4f), formula %.4f s, error %.2f %%\n", what, sim, hw,
           theory_s, 100 * err);
    assert_true(err < 0.03);
}

static void fcfs_matches_pollaczek_khinchine(void **state)
{
    /* E[O²] = (2 − p)/p² for the geometric; W₀ = λ δ² E[O²]/2; ρ = 0.7. */
    double p = 1 / MEAN_TOKENS, w0 = LAMBDA * DELTA_S * DELTA_S * (2 - p) / (p * p) / 2;
    check("FCFS (Pollaczek-Khinchine)", "", w0 / (1 - LAMBDA), 400000);
}

static void spf_with_exact_sizes_matches_the_sjf_formula(void **state)
{
    check("SJF, exact predictions (Cobham)", "scheduler: spf\n", spf_mean_wait_s(0), 400000);
}

static void spf_with_lognormal_errors_matches_mitzenmacher(void **state)
{
    check("SPJF, lognormal sigma 0.5 (Mitzenmacher)",
          "scheduler: {policy: spf, prediction: {error: {dist: lognormal, sigma: 0.5}}}\n",
          spf_mean_wait_s(0.5), 400000);
    /* Noise costs: the noisy mean lies between exact SJF and FCFS. */
    double p = 1 / MEAN_TOKENS, w0 = LAMBDA * DELTA_S * DELTA_S * (2 - p) / (p * p) / 2;
    assert_true(spf_mean_wait_s(0) < spf_mean_wait_s(0.5));
    assert_true(spf_mean_wait_s(0.5) < w0 / (1 - LAMBDA));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fcfs_matches_pollaczek_khinchine),
        cmocka_unit_test(spf_with_exact_sizes_matches_the_sjf_formula),
        cmocka_unit_test(spf_with_lognormal_errors_matches_mitzenmacher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
