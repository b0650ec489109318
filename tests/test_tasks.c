/* Tests of tasks: the single-class default, shares normalised and respected (chi-square),
 * per-class length and difficulty means, private and RAG fractions, length clamps, lengths
 * given by a trace, common random numbers across a change of private_share, and bad input
 * with its file:line:column and key path.
 *
 * Statistical bounds are 5 standard errors of the estimator, with a fixed-seed stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rng.h"
#include "tasks.h"
#include "ydoc.h"

/* --- helpers --- */

static int load_text(const char *text, bool from_arrivals, struct task_set *set, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", err);
    if (!doc)
        fail_msg("YAML error in test text: %s", err->msg);
    int rc = task_set_load(set, ydoc_get(ydoc_root(doc), "workload"), from_arrivals, err);
    if (rc == 0) {
        struct error unused;
        error_clear(&unused);
        if (ydoc_check_unused(doc, &unused) != 0)
            fail_msg("%s: %s", text, unused.msg);
    }
    ydoc_free(doc);
    return rc;
}

static void load_ok(const char *text, bool from_arrivals, struct task_set *set)
{
    struct error err;
    if (load_text(text, from_arrivals, set, &err) != 0)
        fail_msg("%s: unexpected error %d:%d %s: %s", text, err.line, err.col, err.path, err.msg);
}

static void load_fails(const char *text, bool from_arrivals, const char *want, int line, int col,
                       const char *path)
{
    struct task_set set;
    struct error err;
    if (load_text(text, from_arrivals, &set, &err) == 0)
        fail_msg("%s: loaded, expected an error containing '%s'", text, want);
    print_message("    %d:%d %s: %s\n", err.line, err.col, err.path, err.msg);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_string_equal(err.file, "test.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
    task_set_free(&set); /* safe after a failed load */
    assert_null(set.classes);
}

/* |got − want| < 5 se */
static void check_mean(const char *what, double got, double want, double se)
{
    print_message("    %-24s %.5g (want %.5g, %+.2f SE)\n", what, got, want, (got - want) / se);
    if (!(fabs(got - want) < 5 * se))
        fail_msg("%s: %.9g, want %.9g +- 5 x %.3g", what, got, want, se);
}

/* --- single class --- */

static void without_tasks_one_default_class_uses_workload_lengths(void **state)
{
    struct task_set set;
    load_ok("workload:\n  prompt_tokens: 200\n  output_tokens: {dist: uniform, min: 10, max: 20}\n",
            false, &set);
    assert_int_equal(set.n_classes, 1);
    assert_string_equal(set.classes[0].name, "default");
    assert_true(set.classes[0].share == 1.0);
    assert_true(set.max_prompt_tokens == 1000000 && set.max_output_tokens == 1000000);
    assert_int_equal(task_find(&set, "default"), 0);
    assert_int_equal(task_find(&set, "chat"), -1);
    gsl_rng *rng = rng_stream_new(1, 0, "workload");
    for (int i = 0; i < 1000; i++) {
        struct task_draw d;
        task_draw(&set, rng, &d);
        assert_int_equal(d.class_index, 0);
        assert_int_equal(d.prompt_tokens, 200);
        assert_true(d.output_tokens >= 10 && d.output_tokens <= 20);
        assert_true(d.difficulty == 0.0);
        assert_int_equal(d.privacy, PRIVACY_PUBLIC);
        assert_false(d.needs_rag);
    }
    gsl_rng_free(rng);
    task_set_free(&set);
    assert_null(set.classes);
}

/* --- mixes --- */

static const char mix[] = "workload:\n"
                          "  tasks:\n"
                          "    - name: chat\n"
                          "      share: 7\n"
                          "      prompt_tokens: {dist: lognormal, mean: 300, cv: 0.5}\n"
                          "      output_tokens: {dist: exponential, mean: 50}\n"
                          "      private_share: 0.25\n"
                          "      rag_share: 0.4\n"
                          "    - name: code\n"
                          "      share: 2\n"
                          "      prompt_tokens: 2000\n"
                          "      output_tokens: {dist: gamma, mean: 120, cv: 0.5}\n"
                          "      difficulty: {dist: normal, mean: 1, sd: 0.5}\n"
                          "      privacy: {personal: 0.3, confidential: 0.2}\n"
                          "    - name: secret\n"
                          "      share: 1\n"
                          "      prompt_tokens: 80\n"
                          "      output_tokens: 20\n"
                          "      difficulty: -2\n"
                          "      privacy: {confidential: 1}\n";

/* Shares 7 : 2 : 1 normalise to 0.7, 0.2, 0.1. Class counts over N draws: Pearson's
 * chi-square with 2 degrees of freedom must not reject at 0.1 %. Per class: length means
 * against the distributions' means (SE sd/√n; rounding to whole tokens moves a mean by far
 * less than a token), difficulty mean, and the privacy-class and RAG fractions (binomial SE
 * √(p(1−p)/n)); privacy and RAG are independent, so P(private and RAG) = 0.25 · 0.4.
 * chat's `private_share: 0.25` is the older spelling of `privacy: {personal: 0.25}`. */
static void shares_lengths_and_flags_follow_the_classes(void **state)
{
    struct task_set set;
    load_ok(mix, false, &set);
    assert_int_equal(set.n_classes, 3);
    const double share[3] = {0.7, 0.2, 0.1};
    for (int c = 0; c < 3; c++)
        assert_true(fabs(set.classes[c].share - share[c]) < 1e-15);
    assert_true(set.classes[2].cumulative_share == 1.0);
    assert_int_equal(task_find(&set, "code"), 1);

    enum { N = 200000 };
    gsl_rng *rng = rng_stream_new(7, 0, "workload");
    double n[3] = {0}, prompt[3] = {0}, output[3] = {0}, difficulty[3] = {0};
    double personal[3] = {0}, confidential[3] = {0}, rag[3] = {0}, both = 0;
    for (int i = 0; i < N; i++) {
        struct task_draw d;
        task_draw(&set, rng, &d);
        assert_true(d.class_index < 3);
        int c = (int)d.class_index;
        n[c]++;
        prompt[c] += d.prompt_tokens;
        output[c] += d.output_tokens;
        difficulty[c] += d.difficulty;
        personal[c] += d.privacy == PRIVACY_PERSONAL;
        confidential[c] += d.privacy == PRIVACY_CONFIDENTIAL;
        rag[c] += d.needs_rag;
        both += c == 0 && d.privacy != PRIVACY_PUBLIC && d.needs_rag;
    }
    double chi2 = 0;
    for (int c = 0; c < 3; c++)
        chi2 += (n[c] - N * share[c]) * (n[c] - N * share[c]) / (N * share[c]);
    double p = gsl_cdf_chisq_Q(chi2, 2);
    print_message("    class counts %.0f %.0f %.0f, chi2 = %.2f, p = %.3f\n", n[0], n[1], n[2],
                  chi2, p);
    assert_true(p > 0.001);

    check_mean("chat prompt mean", prompt[0] / n[0], 300, 150 / sqrt(n[0]));
    check_mean("chat output mean", output[0] / n[0], 50, 50 / sqrt(n[0]));
    check_mean("chat personal fraction", personal[0] / n[0], 0.25, sqrt(0.25 * 0.75 / n[0]));
    assert_true(confidential[0] == 0);
    check_mean("chat RAG fraction", rag[0] / n[0], 0.4, sqrt(0.4 * 0.6 / n[0]));
    check_mean("chat private and RAG", both / n[0], 0.1, sqrt(0.1 * 0.9 / n[0]));
    assert_true(difficulty[0] == 0.0); /* the default */
    assert_true(prompt[1] == 2000 * n[1]);
    check_mean("code output mean", output[1] / n[1], 120, 60 / sqrt(n[1]));
    check_mean("code difficulty mean", difficulty[1] / n[1], 1, 0.5 / sqrt(n[1]));
    check_mean("code personal fraction", personal[1] / n[1], 0.3, sqrt(0.3 * 0.7 / n[1]));
    check_mean("code confidential fraction", confidential[1] / n[1], 0.2, sqrt(0.2 * 0.8 / n[1]));
    assert_true(rag[1] == 0);
    assert_true(confidential[2] == n[2]); /* confidential: 1, every request */
    assert_true(difficulty[2] == -2 * n[2]);
    gsl_rng_free(rng);
    task_set_free(&set);
}

/* Changing private_share in a variant must not move any other draw: the privacy and RAG
 * uniforms are drawn whatever the shares (common random numbers). Adding confidential
 * requests on top of a personal share (c) keeps every personal request personal, and takes
 * the confidential ones from the public ones only. */
static void private_share_does_not_shift_other_draws(void **state)
{
    struct task_set a, b, c;
    load_ok("workload:\n  tasks:\n"
            "    - {name: x, share: 1, prompt_tokens: {dist: exponential, mean: 100},\n"
            "       output_tokens: {dist: exponential, mean: 10}}\n"
            "    - {name: y, share: 3, prompt_tokens: 50, output_tokens: 5,\n"
            "       difficulty: {dist: normal, mean: 0, sd: 1}}\n",
            false, &a);
    load_ok("workload:\n  tasks:\n"
            "    - {name: x, share: 1, prompt_tokens: {dist: exponential, mean: 100},\n"
            "       output_tokens: {dist: exponential, mean: 10}, private_share: 0.5}\n"
            "    - {name: y, share: 3, prompt_tokens: 50, output_tokens: 5,\n"
            "       difficulty: {dist: normal, mean: 0, sd: 1}, rag_share: 1}\n",
            false, &b);
    load_ok("workload:\n  tasks:\n"
            "    - {name: x, share: 1, prompt_tokens: {dist: exponential, mean: 100},\n"
            "       output_tokens: {dist: exponential, mean: 10},\n"
            "       privacy: {personal: 0.5, confidential: 0.3}}\n"
            "    - {name: y, share: 3, prompt_tokens: 50, output_tokens: 5,\n"
            "       difficulty: {dist: normal, mean: 0, sd: 1}, rag_share: 1}\n",
            false, &c);
    gsl_rng *ra = rng_stream_new(11, 0, "workload"), *rb = rng_stream_new(11, 0, "workload");
    gsl_rng *rc = rng_stream_new(11, 0, "workload");
    int private_count = 0, confidential_count = 0;
    for (int i = 0; i < 2000; i++) {
        struct task_draw da, db, dc;
        task_draw(&a, ra, &da);
        task_draw(&b, rb, &db);
        task_draw(&c, rc, &dc);
        assert_int_equal(dc.class_index, db.class_index);
        assert_int_equal(dc.prompt_tokens, db.prompt_tokens);
        if (db.privacy == PRIVACY_PERSONAL)
            assert_int_equal(dc.privacy, PRIVACY_PERSONAL);
        else
            assert_true(dc.privacy != PRIVACY_PERSONAL);
        confidential_count += dc.privacy == PRIVACY_CONFIDENTIAL;
        assert_int_equal(da.class_index, db.class_index);
        assert_int_equal(da.prompt_tokens, db.prompt_tokens);
        assert_int_equal(da.output_tokens, db.output_tokens);
        assert_true(da.difficulty == db.difficulty);
        assert_false(da.privacy != PRIVACY_PUBLIC || da.needs_rag);
        assert_true(db.needs_rag == (db.class_index == 1));
        assert_true(db.privacy == PRIVACY_PUBLIC || db.privacy == PRIVACY_PERSONAL);
        private_count += db.privacy != PRIVACY_PUBLIC;
    }
    assert_true(private_count > 0 && confidential_count > 0); /* the classes did change */
    gsl_rng_free(ra);
    gsl_rng_free(rb);
    gsl_rng_free(rc);
    task_set_free(&a);
    task_set_free(&b);
    task_set_free(&c);
}

/* --- clamps and trace lengths --- */

static void lengths_are_rounded_and_clamped(void **state)
{
    struct task_set set;
    load_ok("workload:\n  max_prompt_tokens: 4096\n  max_output_tokens: 64\n  tasks:\n"
            "    - {name: long, share: 1, prompt_tokens: 5000, output_tokens: 1000}\n"
            "    - {name: short, share: 1, prompt_tokens: {dist: uniform, min: 1.5, max: 2.5},\n"
            "       output_tokens: {dist: uniform, min: -5, max: 1.4}}\n",
            false, &set);
    assert_true(set.max_prompt_tokens == 4096 && set.max_output_tokens == 64);
    gsl_rng *rng = rng_stream_new(2, 0, "workload");
    int seen[2] = {0};
    for (int i = 0; i < 1000; i++) {
        struct task_draw d;
        task_draw(&set, rng, &d);
        seen[d.class_index]++;
        if (d.class_index == 0) {
            assert_int_equal(d.prompt_tokens, 4096);
            assert_int_equal(d.output_tokens, 64);
        } else {
            assert_true(d.prompt_tokens == 2 || d.prompt_tokens == 3); /* round([1.5, 2.5)) */
            assert_int_equal(d.output_tokens, 1); /* round(x) <= 1, raised to 1 */
        }
    }
    assert_true(seen[0] > 0 && seen[1] > 0);
    struct task_draw d = {.prompt_tokens = 17, .output_tokens = 9};
    task_draw_set_lengths(&set, -1, -1, &d);
    assert_int_equal(d.prompt_tokens, 17);
    assert_int_equal(d.output_tokens, 9);
    task_draw_set_lengths(&set, 0, 100000, &d);
    assert_int_equal(d.prompt_tokens, 1);
    assert_int_equal(d.output_tokens, 64);
    task_draw_set_lengths(&set, 2048, 7, &d);
    assert_int_equal(d.prompt_tokens, 2048);
    assert_int_equal(d.output_tokens, 7);
    gsl_rng_free(rng);
    task_set_free(&set);
}

static void lengths_from_a_trace_need_no_length_keys(void **state)
{
    struct task_set set;
    load_ok("workload:\n  max_prompt_tokens: 8192\n", true, &set);
    assert_int_equal(set.n_classes, 1);
    assert_true(set.lengths_from_arrivals);
    load_fails("workload:\n  prompt_tokens: 100\n", true, "gives each request's lengths", 2, 18,
               "workload.prompt_tokens");
    task_set_free(&set);
    load_ok("workload:\n  tasks:\n    - {name: a, share: 1, private_share: 0.5}\n"
            "    - {name: b, share: 1, difficulty: 2}\n",
            true, &set);
    gsl_rng *rng = rng_stream_new(4, 0, "workload");
    struct task_draw d;
    task_draw(&set, rng, &d);
    assert_int_equal(d.prompt_tokens, 1); /* placeholders until the trace's values are set */
    task_draw_set_lengths(&set, 1234, 56, &d);
    assert_int_equal(d.prompt_tokens, 1234);
    assert_int_equal(d.output_tokens, 56);
    load_fails("workload:\n  tasks:\n    - {name: a, share: 1, output_tokens: 5}\n", true,
               "remove output_tokens", 3, 42, "workload.tasks[0].output_tokens");
    gsl_rng_free(rng);
    task_set_free(&set);
}

/* --- bad input --- */

static void bad_input_is_located(void **state)
{
    load_fails("workload:\n  output_tokens: 5\n", false, "missing required key 'prompt_tokens'", 2,
               3, "workload");
    load_fails("workload:\n  tasks: {a: 1}\n", false, "expected a list", 2, 10, "workload.tasks");
    load_fails("workload:\n  tasks: []\n", false, "at least one task class", 2, 10,
               "workload.tasks");
    load_fails("workload:\n  tasks: [3]\n", false, "expected a map", 2, 11, "workload.tasks[0]");
    load_fails("workload:\n  tasks:\n    - {name: a, prompt_tokens: 1, output_tokens: 1}\n", false,
               "missing required key 'share'", 3, 7, "workload.tasks[0]");
    load_fails("workload:\n  tasks:\n    - {share: 1, prompt_tokens: 1, output_tokens: 1}\n", false,
               "missing required key 'name'", 3, 7, "workload.tasks[0]");
    load_fails(
        "workload:\n  tasks:\n    - {name: '', share: 1, prompt_tokens: 1, output_tokens: 1}\n",
        false, "must not be empty", 3, 14, "workload.tasks[0].name");
    load_fails(
        "workload:\n  tasks:\n    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1}\n"
        "    - {name: b, share: 0, prompt_tokens: 1, output_tokens: 1}\n",
        false, "> 0", 4, 24, "workload.tasks[1].share");
    load_fails(
        "workload:\n  tasks:\n    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1}\n"
        "    - {name: b, share: 1, prompt_tokens: 1, output_tokens: 1}\n"
        "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1}\n",
        false, "duplicate task name 'a' (also tasks[0], line 3)", 5, 14, "workload.tasks[2].name");
    load_fails("workload:\n  tasks:\n    - {name: a, share: 1, output_tokens: 1}\n", false,
               "missing required key 'prompt_tokens'", 3, 7, "workload.tasks[0]");
    load_fails(
        "workload:\n  tasks:\n"
        "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1, private_share: 1.5}\n",
        false, "[0, 1]", 3, 78, "workload.tasks[0].private_share");
    load_fails("workload:\n  tasks:\n"
               "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1, rag_share: -0.1}\n",
               false, "[0, 1]", 3, 74, "workload.tasks[0].rag_share");
    /* Privacy classes (trust.h). */
    load_fails("workload:\n  tasks:\n"
               "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1,\n"
               "       privacy: {personal: 0.7, confidential: 0.4}}\n",
               false, "add up to more than 1", 4, 17, "workload.tasks[0].privacy");
    load_fails("workload:\n  tasks:\n"
               "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1,\n"
               "       privacy: {confidential: 2}}\n",
               false, "[0, 1]", 4, 32, "workload.tasks[0].privacy.confidential");
    load_fails("workload:\n  tasks:\n"
               "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1,\n"
               "       privacy: 0.5}\n",
               false, "expected a map", 4, 17, "workload.tasks[0].privacy");
    load_fails("workload:\n  tasks:\n"
               "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1,\n"
               "       privacy: {personal: 0.5}, private_share: 0.5}\n",
               false, "not both", 4, 49, "workload.tasks[0].private_share");
    load_fails("workload:\n  tasks:\n"
               "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1,\n"
               "       difficulty: {dist: normal, mean: 0}}\n",
               false, "missing required key 'sd'", 4, 20, "workload.tasks[0].difficulty");
    load_fails("workload:\n  prompt_tokens: 5\n"
               "  tasks:\n    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1}\n",
               false, "cannot be combined with tasks", 2, 18, "workload.prompt_tokens");
    load_fails("workload:\n  prompt_tokens: 5\n  output_tokens: 5\n  max_output_tokens: 0\n", false,
               "[1, 2147483647]", 4, 22, "workload.max_output_tokens");
}

/* Misspelt keys of a task are left unread, so the unknown-key check reports them. */
static void misspelt_task_keys_are_reported(void **state)
{
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(
        "workload:\n  tasks:\n"
        "    - {name: a, share: 1, prompt_tokens: 1, output_tokens: 1, private_shar: 0.5}\n",
        "test.yaml", &err);
    assert_non_null(doc);
    struct task_set set;
    assert_int_equal(task_set_load(&set, ydoc_get(ydoc_root(doc), "workload"), false, &err), 0);
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    print_message("    %d:%d %s: %s\n", err.line, err.col, err.path, err.msg);
    assert_non_null(strstr(err.msg, "did you mean 'private_share'"));
    assert_string_equal(err.path, "workload.tasks[0].private_shar");
    ydoc_free(doc);
    task_set_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_tasks_one_default_class_uses_workload_lengths),
        cmocka_unit_test(shares_lengths_and_flags_follow_the_classes),
        cmocka_unit_test(private_share_does_not_shift_other_draws),
        cmocka_unit_test(lengths_are_rounded_and_clamped),
        cmocka_unit_test(lengths_from_a_trace_need_no_length_keys),
        cmocka_unit_test(bad_input_is_located),
        cmocka_unit_test(misspelt_task_keys_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
