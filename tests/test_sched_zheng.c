/* Validation of bucketed scheduling (models/sched_bucketed.c through the whole engine)
 * against Zheng et al., "Response Length Perception and Sequence Scheduling: An
 * LLM-Empowered LLM Inference Pipeline", NeurIPS 2023: Vicuna-7B on an A100-80GB, 1,024
 * Alpaca prompts, max length 512, micro-batch 16. Published throughput: vanilla 1.22
 * samples/s, sequence scheduling with variable batch size (VBS) and failure collection and
 * recomputation (FCR) 2.27: +86 % (paper); the authors' rerun (README): 1.39 → 2.30, +65 %.
 * scenarios/gallery/length-bucketed.yaml states the calibration: the step time is fitted to the
 * vanilla figure alone, the length predictor to their failure ratio (16.5 %) and mean
 * absolute error (62 tokens); the gain of bucketed is then a prediction of the model.
 *
 * Tolerance. The gain the model predicts depends on how the fitted step time at batch 16
 * (31 ms) splits into a fixed and a per-sequence part, which one published throughput cannot
 * fix: from +58.3 % to +79.5 % over the plausible range (length-bucketed.yaml). The authors' own
 * two runs of the same code differ by 21 points (+65 %, +86 %). So the test claims the direction
 * and the rough size: the gain lies within 30 points of the paper's +86 % (that is, in
 * [+56 %, +116 %]), vanilla within 3 % of its calibrated 1.22, the failure ratio within 3
 * points of 16.5 %, and the ordering of the README's rows: sorting alone < sorting with VBS
 * and FCR < exact lengths. */
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
#include "metrics.h"
#include "run.h"
#include "server.h"

static void fail_with(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

/* Means over the scenario's replications. */
struct outcome {
    double throughput;    /* completed requests / last completion, samples/s */
    double completed;     /* per replication */
    double failure_ratio; /* FCR failures / requests */
    double wasted_tokens; /* per request */
    double sample_steps;  /* Σ batch size over decode iterations, per request */
};

static void run_variant(const struct experiment *ex, const char *name, struct outcome *out)
{
    size_t v = 0;
    while (v < ex->n_variants && strcmp(ex->variants[v].name, name) != 0)
        v++;
    if (v == ex->n_variants)
        fail_msg("no variant %s", name);
    *out = (struct outcome){0};
    double reps = (double)ex->replications;
    for (uint32_t rep = 0; rep < (uint32_t)ex->replications; rep++) {
        struct run run;
        struct run_result res;
        struct error err;
        error_clear(&err);
        int rc = run_init(&run, &ex->variants[v].sc, ex->seed, rep, &err);
        if (rc == 0)
            rc = run_execute(&run, &res, &err);
        if (rc != 0) {
            run_free(&run);
            fail_with(&err);
        }
        double completed = res.values[metric_find("requests_completed")];
        struct server_stats st = server_stats(run.server[LOCATION_CLOUD]);
        /* All requests arrive within ~1 ms over a network of zero delay: the longest
         * end-to-end latency is the time of the last completion. */
        out->throughput += completed / (res.values[metric_find("e2e_ms_max")] * 1e-3) / reps;
        out->completed += completed / reps;
        out->failure_ratio += (double)st.fcr_failures / completed / reps;
        out->wasted_tokens += (double)st.fcr_wasted_tokens / completed / reps;
        out->sample_steps += (double)st.batched_seqs / completed / reps;
        run_free(&run);
    }
}

static int setup(void **state)
{
    struct experiment *ex = calloc(1, sizeof *ex);
    struct experiment_options opt = {0};
    struct error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/gallery/length-bucketed.yaml", HAISIM_SOURCE_DIR);
    if (!ex || experiment_load(ex, path, &opt, &err) != 0) {
        free(ex);
        return -1;
    }
    *state = ex;
    return 0;
}

static int teardown(void **state)
{
    experiment_free(*state);
    free(*state);
    return 0;
}

static void bucketed_batching_reproduces_zheng_et_al_throughput_gain(void **state)
{
    const struct experiment *ex = *state;
    assert_int_equal(ex->replications, 8);
    struct outcome vanilla, seqsch, exact, sort_only;
    run_variant(ex, "vanilla", &vanilla);
    run_variant(ex, "seqsch-vbs-fcr", &seqsch);
    run_variant(ex, "ground-truth-vbs-fcr", &exact);
    run_variant(ex, "seqsch-only", &sort_only);
    double gain = seqsch.throughput / vanilla.throughput - 1;
    printf("  means of %lld replications of 1,024 requests:\n", (long long)ex->replications);
    printf("  vanilla            %.3f samples/s (paper 1.22, README 1.39)\n", vanilla.throughput);
    printf("  seqsch + VBS + FCR %.3f samples/s, %+.1f %% (paper 2.27, +86 %%; README 2.30, "
           "+65 %%)\n",
           seqsch.throughput, 100 * gain);
    printf("  FCR failures       %.1f %% of requests, %.0f wasted tokens per request (README "
           "16.5 %%)\n",
           100 * seqsch.failure_ratio, seqsch.wasted_tokens);
    printf("  sorting only       %.3f samples/s, %+.1f %% (README 1.64, +18 %%)\n",
           sort_only.throughput, 100 * (sort_only.throughput / vanilla.throughput - 1));
    printf("  exact lengths      %.3f samples/s, %+.1f %% (README, their oracle: 2.69, +94 %%)\n",
           exact.throughput, 100 * (exact.throughput / vanilla.throughput - 1));
    printf("  decode sample-steps per request: vanilla %.1f, seqsch %.1f (README: 370.84 -> "
           "215.06 average length)\n",
           vanilla.sample_steps, seqsch.sample_steps);
    assert_true(vanilla.completed == 1024 && seqsch.completed == 1024);
    assert_true(fabs(vanilla.throughput / 1.22 - 1) < 0.03);
    assert_true(gain > 0.56 && gain < 1.16);
    assert_true(fabs(seqsch.failure_ratio - 0.165) < 0.03);
    assert_true(vanilla.failure_ratio == 0);
    assert_true(exact.failure_ratio == 0); /* a bucket's bound covers its members' lengths */
    assert_true(sort_only.throughput > vanilla.throughput);
    assert_true(seqsch.throughput > sort_only.throughput);
    assert_true(exact.throughput > seqsch.throughput);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bucketed_batching_reproduces_zheng_et_al_throughput_gain,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
