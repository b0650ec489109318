/* Co-located speculative decoding against the rows of Table 2 of Leviathan, Kalman & Matias,
 * "Fast Inference from Transformers via Speculative Decoding", ICML 2023 (T5-XXL target,
 * T5-small/base/large drafts, EnDe translation and CNNDM summarisation, argmax T = 0 and
 * sampling T = 1; reference-numbers §1.1.2). Each row gives the draft length γ, the measured
 * acceptance rate α and the measured walltime speed-up S.
 *
 * Two levels (reference-numbers §1.1.3):
 *  (a) exact: for a row's (α, γ, c), the model's speculation_speedup() is the paper's
 *      Theorem 3.8, S = (1 − α^(γ+1)) / ((1 − α)(γc + 1)), and the engine's speed-up (TPOT
 *      without / with `speculation:` on a cloud tier of single-stream slots, 300 requests of
 *      1,001 tokens) is that S within 1 % (the last round of each request is cut short:
 *      test_speculation.c);
 *  (b) against the published speed-up, within 20 %.
 *
 * c, the draft's step time over the target's, is not in Table 2. It is a property of the
 * model pair and the task (the inputs' lengths), not of the sampling temperature, so each
 * (task, draft) pair gets one c, derived from its argmax row by inverting Theorem 3.8,
 * c = (E/S − 1)/γ with E = (1 − α^(γ+1))/(1 − α), and clamped at 0. The argmax rows are then
 * calibration (reproduced by construction, except where the clamp binds) and the six
 * sampling rows are predictions. The one c the paper states, 0.015 for T5-small on EnDe
 * (its Table 5), is of the same size as the 0.008 derived here.
 *
 * Why 20 %, and why i.i.d. acceptance falls short. The model accepts each draft token
 * independently with probability α (the paper's own assumption for eq. 1). Real acceptances
 * are bursty and depend on the position, and the measured baseline has fixed per-step costs
 * the formula leaves out, so in several rows the measured S exceeds E, the speed-up an
 * i.i.d. model reaches even with a free draft (c = 0): no c ≥ 0 reproduces those rows, and
 * the simulation must fall short of them. The test asserts that it does, by less than 20 %. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "experiment.h"
#include "metrics.h"
#include "speculation.h"

struct table2_row {
    const char *task, *draft;
    int temperature;  /* 0: argmax, 1: standard sampling */
    double gamma;     /* draft tokens per round */
    double alpha;     /* measured acceptance rate */
    double published; /* measured walltime speed-up */
};

/* Leviathan et al. 2023, Table 2 (reference-numbers §1.1.2); each argmax row precedes the
 * sampling row of its (task, draft) pair. */
static const struct table2_row table2[] = {
    {"EnDe", "T5-small", 0, 7, 0.75, 3.4},  {"EnDe", "T5-small", 1, 7, 0.62, 2.6},
    {"EnDe", "T5-base", 0, 7, 0.80, 2.8},   {"EnDe", "T5-base", 1, 5, 0.68, 2.4},
    {"EnDe", "T5-large", 0, 7, 0.82, 1.7},  {"EnDe", "T5-large", 1, 3, 0.71, 1.4},
    {"CNNDM", "T5-small", 0, 5, 0.65, 3.1}, {"CNNDM", "T5-small", 1, 5, 0.53, 2.3},
    {"CNNDM", "T5-base", 0, 5, 0.73, 3.0},  {"CNNDM", "T5-base", 1, 3, 0.55, 2.2},
    {"CNNDM", "T5-large", 0, 3, 0.74, 2.2}, {"CNNDM", "T5-large", 1, 3, 0.56, 1.7},
};
#define TABLE2_ROWS (sizeof table2 / sizeof table2[0])

/* Leviathan eq. 1: expected tokens per round under i.i.d. acceptance. */
static double tokens_per_round(double alpha, double gamma)
{
    return (1 - pow(alpha, gamma + 1)) / (1 - alpha);
}

/* Leviathan theorem 3.8: expected walltime improvement. */
static double walltime_speedup(double alpha, double gamma, double c)
{
    return tokens_per_round(alpha, gamma) / (gamma * c + 1);
}

/* c of a row's (task, draft) pair: theorem 3.8 inverted on the pair's argmax row, ≥ 0. */
static double pair_draft_cost(size_t row)
{
    const struct table2_row *r = &table2[row - row % 2];
    double c = (tokens_per_round(r->alpha, r->gamma) / r->published - 1) / r->gamma;
    return c > 0 ? c : 0;
}

/* The engine's speed-up: TPOT of plain decoding over TPOT with speculation, same requests. */
static double engine_speedup(double alpha, double gamma, double c)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name: leviathan\nseed: 11\nrun: {requests: 300}\n"
             "devices:\n  count: 10\n  model: {prefill_tok_s: 1, decode_tok_s: 1}\n"
             "  workload: {arrival: {rate_rps: 0.01}, prompt_tokens: 1, output_tokens: 1001}\n"
             "  network: {cloud: {rtt_ms: 0, up_mbps: 1.0e9, down_mbps: 1.0e9}}\n"
             "cloud:\n  slots: 4\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 50}\n"
             "arbiter: cloud\nvariants:\n  - {name: plain, set: {}}\n"
             "  - {name: speculative, set: {cloud.speculation: {gamma: %.0f, alpha: %.17g, "
             "draft_cost: %.17g}}}\n",
             gamma, alpha, c);
    struct experiment ex;
    struct experiment_results res;
    struct experiment_options opt = {0};
    struct error err;
    error_clear(&err);
    if (experiment_load_text(&ex, text, "leviathan.yaml", &opt, &err) != 0 ||
        experiment_run(&ex, &res, &err) != 0)
        fail_msg("%s:%d:%d: %s: %s", err.file, err.line, err.col, err.path, err.msg);
    long tpot = metric_find("tpot_ms_mean");
    double s = experiment_value(&res, 0, 0)[tpot] / experiment_value(&res, 1, 0)[tpot];
    experiment_results_free(&res);
    experiment_free(&ex);
    return s;
}

static void model_formulas_are_leviathans_theorem_3_8(void **state)
{
    for (size_t i = 0; i < TABLE2_ROWS; i++) {
        const struct table2_row *r = &table2[i];
        double c = pair_draft_cost(i);
        struct speculation_config cfg = {
            .enabled = true, .gamma = r->gamma, .alpha = r->alpha, .draft_cost = c};
        assert_true(fabs(speculation_tokens_per_round(&cfg) -
                         tokens_per_round(r->alpha, r->gamma)) < 1e-12);
        assert_true(fabs(speculation_speedup(&cfg) - walltime_speedup(r->alpha, r->gamma, c)) <
                    1e-12);
    }
    /* Hand values: EnDe T5-small argmax, E = (1 − 0.75⁸)/0.25 = 3.599548; CNNDM T5-large
     * argmax, E = (1 − 0.74⁴)/0.26 = 2.692824. */
    assert_true(fabs(tokens_per_round(0.75, 7) - 3.59954833984375) < 1e-12);
    assert_true(fabs(tokens_per_round(0.74, 3) - 2.692824) < 1e-12);
}

static void table2_rows_through_the_engine(void **state)
{
    printf("  %-5s %-8s T  gamma alpha     c      E   formula  engine  published  sim/pub\n",
           "task", "draft");
    size_t predictions = 0, short_of_iid = 0;
    for (size_t i = 0; i < TABLE2_ROWS; i++) {
        const struct table2_row *r = &table2[i];
        double c = pair_draft_cost(i), e = tokens_per_round(r->alpha, r->gamma);
        double formula = walltime_speedup(r->alpha, r->gamma, c);
        double sim = engine_speedup(r->alpha, r->gamma, c);
        double vs_published = sim / r->published - 1;
        bool iid_ceiling = r->published > e; /* no c ≥ 0 reaches the measured speed-up */
        printf("  %-5s %-8s %d  %5.0f %5.2f %6.3f %6.3f %7.3f %7.3f %8.1f  %+6.1f %%%s%s\n",
               r->task, r->draft, r->temperature, r->gamma, r->alpha, c, e, formula, sim,
               r->published, 100 * vs_published, r->temperature ? "  (prediction)" : "",
               iid_ceiling ? "  (above the i.i.d. ceiling E)" : "");
        /* (a) the engine reproduces theorem 3.8 for the row's (α, γ, c). */
        assert_true(fabs(sim / formula - 1) < 0.01);
        /* (b) within 20 % of the measured speed-up. */
        assert_true(fabs(vs_published) < 0.20);
        /* Where the measurement beats every i.i.d. model, the simulation falls short. */
        if (iid_ceiling) {
            assert_true(sim < r->published);
            short_of_iid++;
        }
        predictions += r->temperature == 1;
    }
    printf("  %zu sampling rows predicted from their pair's argmax c; %zu rows above the "
           "i.i.d. ceiling\n",
           predictions, short_of_iid);
    /* Four rows measured above E: EnDe T5-small T = 1, CNNDM T5-small T = 0 and 1, CNNDM
     * T5-base T = 1 (the rows of negative implied c in reference-numbers §1.1.2, whose
     * §1.1.3 says five). */
    assert_int_equal(short_of_iid, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_formulas_are_leviathans_theorem_3_8),
        cmocka_unit_test(table2_rows_through_the_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
