/* Tests of the accuracy models: the logistic (item-response) curve against hand values and
 * Haley's normal-ogive bound, the per-class table and its binding, replay of per-query
 * correctness (a made-up sample, then RouteLLM's real MMLU results with their published
 * weak/strong/oracle/random-router figures), the coupling of the correctness draw, and
 * errors located in the scenario or in the CSV file. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "accuracy.h"
#include "error.h"
#include "rng.h"
#include "ydoc.h"

#define SAMPLE_DIR HAISIM_SOURCE_DIR "/tests/data"
#define ROUTELLM_DIR HAISIM_SHARED_DATA_DIR "/routellm"

/* |got - want| <= tol, printing both on failure (cmocka 1.1 has no double assertion). */
#define assert_near(got, want, tol) assert_near_at((got), (want), (tol), __FILE__, __LINE__)
static void assert_near_at(double got, double want, double tol, const char *file, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s:%d: got %.17g, want %.17g (tolerance %g)\n", file, line, got, want, tol);
        fail();
    }
}

/* A loaded accuracy map: the document stays alive as long as the test needs its nodes. */
struct loaded {
    struct ydoc *doc;
    struct accuracy_model acc;
    struct error err;
    int rc;
};

/* Loads `text` (a document with a top-level `accuracy:` map) as if it were the file `name`,
 * so that relative replay paths resolve against name's directory. */
static struct loaded load_named(const char *text, const char *name, struct accuracy_datasets *data)
{
    struct loaded l;
    error_clear(&l.err);
    l.doc = ydoc_load_string(text, name, &l.err);
    if (!l.doc)
        print_error("unexpected YAML error: %s\n", l.err.msg);
    assert_non_null(l.doc);
    l.rc = accuracy_load(&l.acc, ydoc_get(ydoc_root(l.doc), "accuracy"), data, &l.err);
    return l;
}

static struct loaded load_ok(const char *text, const char *name, struct accuracy_datasets *data)
{
    struct loaded l = load_named(text, name, data);
    if (l.rc != 0) {
        char buf[1400];
        error_format(&l.err, buf, sizeof buf);
        print_error("unexpected error: %s\n", buf);
    }
    assert_int_equal(l.rc, 0);
    /* Every key of a well-formed map is consumed. */
    struct error unused;
    error_clear(&unused);
    assert_int_equal(ydoc_check_unused(l.doc, &unused), 0);
    return l;
}

static void unload(struct loaded *l)
{
    accuracy_free(&l->acc);
    ydoc_free(l->doc);
}

static void assert_located(const struct error *err, const char *file, int line, int col,
                           const char *path, const char *msg_part)
{
    if (!strstr(err->msg, msg_part))
        print_error("message '%s' lacks '%s'\n", err->msg, msg_part);
    assert_non_null(strstr(err->msg, msg_part));
    assert_string_equal(err->file, file);
    assert_int_equal(err->line, line);
    assert_int_equal(err->col, col);
    assert_string_equal(err->path, path);
}

static double p_at(const struct accuracy_model *acc, double difficulty)
{
    struct accuracy_query q = {.difficulty = difficulty};
    return accuracy_p_correct(acc, &q);
}

/* --- logistic --- */

static void logistic_is_one_half_where_skill_equals_difficulty(void **state)
{
    (void)state;
    struct loaded l = load_ok("accuracy: {skill: 1.3, discrimination: 2.5}", "t.yaml", NULL);
    assert_int_equal(l.acc.kind, ACCURACY_LOGISTIC);
    assert_near(p_at(&l.acc, 1.3), 0.5, 0.0);
    unload(&l);
}

static void logistic_matches_hand_computed_values(void **state)
{
    (void)state;
    /* p = 1 / (1 + exp(-a (θ - b))), values from Python's math.exp. */
    struct loaded rasch = load_ok("accuracy: {skill: 1}", "t.yaml", NULL);
    assert_near(rasch.acc.discrimination, 1.0, 0.0); /* the default: Rasch */
    assert_near(p_at(&rasch.acc, 0.0), 0.7310585786300049, 1e-15);
    unload(&rasch);

    struct loaded two_pl = load_ok("accuracy: {skill: 0.5, discrimination: 1.7}", "t.yaml", NULL);
    assert_near(p_at(&two_pl.acc, -0.5), 0.8455347349164652, 1e-15);
    unload(&two_pl);

    struct loaded flat = load_ok("accuracy: {skill: -2, discrimination: 0.5}", "t.yaml", NULL);
    assert_near(p_at(&flat.acc, 1.0), 0.18242552380635635, 1e-15);
    /* Extreme logits give 0 and 1, never NaN. */
    assert_near(p_at(&flat.acc, -1e6), 1.0, 0.0);
    assert_near(p_at(&flat.acc, 1e6), 0.0, 0.0);
    unload(&flat);
}

static void logistic_with_a_1_7_is_within_0_01_of_the_normal_ogive(void **state)
{
    (void)state;
    /* Haley (1952), as cited by Lord & Novick (1968): with the scaling constant D = 1.7 the
     * logistic curve differs from the normal ogive Φ(θ - b) by less than 0.01 everywhere. */
    struct loaded l = load_ok("accuracy: {skill: 0, discrimination: 1.7}", "t.yaml", NULL);
    double worst = 0.0;
    for (int i = -6000; i <= 6000; i++) {
        double x = i / 1000.0;
        double d = fabs(p_at(&l.acc, -x) - gsl_cdf_ugaussian_P(x));
        worst = d > worst ? d : worst;
    }
    assert_true(worst < 0.01);
    assert_true(worst > 0.009); /* the bound is tight: max ≈ 0.0096 near |x| = 1.4 */
    unload(&l);
}

static void correctness_draw_is_coupled_across_models(void **state)
{
    (void)state;
    /* Same discrimination, higher skill: p_strong(b) > p_weak(b) for every b, so with one u
     * per request "weak correct" must imply "strong correct" (DESIGN §3-4). */
    struct loaded weak = load_ok("accuracy: {skill: 0.2, discrimination: 1.3}", "t.yaml", NULL);
    struct loaded strong = load_ok("accuracy: {skill: 1.4, discrimination: 1.3}", "t.yaml", NULL);
    unsigned weak_right = 0, strong_right = 0, strong_only = 0;
    for (uint64_t id = 0; id < 20000; id++) {
        struct accuracy_query q = {.difficulty = -3.0 + 6.0 * rng_hash_u01(7, 0, id, 99)};
        double u = accuracy_draw_u(7, 0, id);
        bool w = accuracy_is_correct(&weak.acc, &q, u);
        bool s = accuracy_is_correct(&strong.acc, &q, u);
        assert_true(!w || s);
        weak_right += w;
        strong_right += s;
        strong_only += s && !w;
    }
    assert_int_equal(strong_right - weak_right, strong_only); /* no request the other way */
    assert_true(strong_right > weak_right);
    unload(&weak);
    unload(&strong);
}

static void correct_share_converges_to_p(void **state)
{
    (void)state;
    /* u is uniform, so the share of correct requests at one difficulty is p (to 4 σ). */
    struct loaded l = load_ok("accuracy: {skill: 0.4}", "t.yaml", NULL);
    struct accuracy_query q = {.difficulty = 0.0};
    double p = accuracy_p_correct(&l.acc, &q);
    const int n = 100000;
    int right = 0;
    for (int id = 0; id < n; id++)
        right += accuracy_is_correct(&l.acc, &q, accuracy_draw_u(3, 1, (uint64_t)id));
    assert_near((double)right / n, p, 4.0 * sqrt(p * (1 - p) / n));
    /* The draw depends on the replication and the purpose, not only on the request id. */
    assert_true(accuracy_draw_u(3, 1, 5) != accuracy_draw_u(3, 2, 5));
    assert_near(accuracy_draw_u(3, 1, 5), rng_hash_u01(3, 1, 5, ACCURACY_PURPOSE), 0.0);
    unload(&l);
}

/* --- per task class --- */

static void class_table_binds_names_to_indices(void **state)
{
    (void)state;
    struct loaded l =
        load_ok("accuracy:\n  by_class: {chat: 0.82, code: 0.6}\n  default: 0.7\n", "t.yaml", NULL);
    const char *const classes[] = {"code", "chat", "math"};
    struct error err;
    error_clear(&err);
    assert_int_equal(accuracy_bind_classes(&l.acc, classes, 3, &err), 0);
    double want[] = {0.6, 0.82, 0.7}; /* math has no entry: default */
    for (uint32_t i = 0; i < 3; i++) {
        struct accuracy_query q = {.class_index = i};
        assert_near(accuracy_p_correct(&l.acc, &q), want[i], 0.0);
        assert_int_equal(accuracy_is_correct(&l.acc, &q, 0.65), want[i] > 0.65);
    }
    /* Rebinding to another class list (e.g. another variant's workload) replaces the first. */
    const char *const reordered[] = {"other", "code", "chat"};
    assert_int_equal(accuracy_bind_classes(&l.acc, reordered, 3, &err), 0);
    double want2[] = {0.7, 0.6, 0.82};
    for (uint32_t i = 0; i < 3; i++) {
        struct accuracy_query q = {.class_index = i};
        assert_near(accuracy_p_correct(&l.acc, &q), want2[i], 0.0);
    }
    assert_int_equal(l.acc.n_bound, 3);
    unload(&l);
}

static void class_errors_name_the_entry(void **state)
{
    (void)state;
    const char *const classes[] = {"chat", "code"};
    struct error err;
    /* A misspelt class: located at its value, with did-you-mean. */
    struct loaded l =
        load_ok("accuracy:\n  by_class: {chta: 0.8}\n  default: 0.5\n", "c.yaml", NULL);
    error_clear(&err);
    assert_int_equal(accuracy_bind_classes(&l.acc, classes, 2, &err), -1);
    assert_located(&err, "c.yaml", 2, 20, "accuracy.by_class.chta", "did you mean 'chat'?");
    unload(&l);

    /* A workload class with no entry and no default: located at the table. */
    l = load_ok("accuracy:\n  by_class: {chat: 0.8}\n", "c.yaml", NULL);
    error_clear(&err);
    assert_int_equal(accuracy_bind_classes(&l.acc, classes, 2, &err), -1);
    assert_located(&err, "c.yaml", 2, 13, "accuracy.by_class",
                   "task class 'code' and no 'default'");
    unload(&l);

    /* Probabilities must be in [0, 1]. */
    l = load_named("accuracy:\n  by_class: {chat: 1.5}\n", "c.yaml", NULL);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, "c.yaml", 2, 20, "accuracy.by_class.chat", "[0, 1]");
    unload(&l);
}

static void form_errors_are_located(void **state)
{
    (void)state;
    struct loaded l =
        load_named("accuracy: {skill: 1, replay: {file: a.csv, column: x}}", "f.yaml", NULL);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, "f.yaml", 1, 30, "accuracy.replay", "cannot be combined with 'skill'");
    unload(&l);

    l = load_named("accuracy: {skil: 1}", "f.yaml", NULL);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, "f.yaml", 1, 11, "accuracy", "expected one of 'skill'");
    unload(&l);

    l = load_named("accuracy: {by_class: {chat: 0.5}, discrimination: 2}", "f.yaml", NULL);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, "f.yaml", 1, 51, "accuracy.discrimination", "only with 'skill'");
    unload(&l);

    l = load_named("accuracy: {skill: 1, discrimination: 0}", "f.yaml", NULL);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, "f.yaml", 1, 38, "accuracy.discrimination", "in (0, 100]");
    unload(&l);

    l = load_named("accuracy: {skill: 1, default: 0.5}", "f.yaml", NULL);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, "f.yaml", 1, 31, "accuracy.default", "only with 'by_class'");
    unload(&l);
}

/* --- replay: the made-up sample file --- */

static void replay_reads_the_sample_file(void **state)
{
    (void)state;
    struct accuracy_datasets *data = accuracy_datasets_new();
    assert_non_null(data);
    assert_int_equal(accuracy_row_count(data), 0);
    /* The sample has a quoted comma, escaped quotes, a blank line and a two-line field. */
    struct loaded weak = load_ok("accuracy: {replay: {file: correctness-sample.csv, column: weak}}",
                                 SAMPLE_DIR "/s.yaml", data);
    struct loaded strong =
        load_ok("accuracy: {replay: {file: ./correctness-sample.csv, column: strong}}",
                SAMPLE_DIR "/s.yaml", data);
    assert_int_equal(accuracy_row_count(data), 5);
    const int want_weak[] = {1, 0, 0, 1, 0}, want_strong[] = {1, 1, 0, 0, 1};
    for (uint32_t r = 0; r < 5; r++) {
        struct accuracy_query q = {.row = r};
        assert_near(accuracy_p_correct(&weak.acc, &q), want_weak[r], 0.0);
        assert_near(accuracy_p_correct(&strong.acc, &q), want_strong[r], 0.0);
        /* p is 0 or 1, so any u in (0, 1) gives the recorded answer. */
        assert_int_equal(accuracy_is_correct(&strong.acc, &q, 1.0 - 0x1.0p-53), want_strong[r]);
        assert_int_equal(accuracy_is_correct(&weak.acc, &q, 0x1.0p-53), want_weak[r]);
    }
    /* Another model on the same column (spelt differently) shares the cached column. */
    struct loaded again =
        load_ok("accuracy: {replay: {file: " SAMPLE_DIR "/correctness-sample.csv, column: weak}}",
                "elsewhere/x.yaml", data);
    assert_ptr_equal(again.acc.replay_column, weak.acc.replay_column);
    unload(&again);
    unload(&weak);
    unload(&strong);
    accuracy_datasets_free(data);
}

static void replay_errors_point_into_the_csv(void **state)
{
    (void)state;
    struct accuracy_datasets *data = accuracy_datasets_new();
    /* The prompt column is text: the first cell is reported with its unescaped content. */
    struct loaded l =
        load_named("accuracy: {replay: {file: correctness-sample.csv, column: prompt}}",
                   SAMPLE_DIR "/s.yaml", data);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, SAMPLE_DIR "/correctness-sample.csv", 2, 12, "accuracy.replay.column",
                   "found 'What is 2+2, in words?'");
    unload(&l);

    /* Missing column: located at the key, with did-you-mean and the header. */
    l = load_named("accuracy:\n  replay: {file: correctness-sample.csv, column: stronk}\n",
                   SAMPLE_DIR "/s.yaml", data);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, SAMPLE_DIR "/s.yaml", 2, 50, "accuracy.replay.column",
                   "no column 'stronk'");
    assert_non_null(strstr(l.err.msg, "did you mean 'strong'?"));
    assert_non_null(strstr(l.err.msg, "query_id, subject, prompt, weak, strong"));
    unload(&l);

    /* Missing file: located at the file key. */
    l = load_named("accuracy:\n  replay: {file: nope.csv, column: x}\n", SAMPLE_DIR "/s.yaml",
                   data);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, SAMPLE_DIR "/s.yaml", 2, 18, "accuracy.replay.file",
                   "cannot open replay file '" SAMPLE_DIR "/nope.csv': No such file");
    unload(&l);

    /* Missing column key. */
    l = load_named("accuracy:\n  replay: {file: correctness-sample.csv}\n", SAMPLE_DIR "/s.yaml",
                   data);
    assert_int_equal(l.rc, -1);
    assert_located(&l.err, SAMPLE_DIR "/s.yaml", 2, 11, "accuracy.replay", "'column'");
    unload(&l);
    accuracy_datasets_free(data);
}

/* Writes text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

/* Loads `column` of `csv_text` (written as dir/data.csv) and returns the error. */
static struct error csv_error(const char *dir, const char *csv_text, const char *column)
{
    write_file(dir, "data.csv", csv_text);
    char yaml[256], name[512];
    snprintf(yaml, sizeof yaml, "accuracy: {replay: {file: data.csv, column: %s}}", column);
    snprintf(name, sizeof name, "%s/s.yaml", dir);
    struct accuracy_datasets *data = accuracy_datasets_new();
    struct loaded l = load_named(yaml, name, data);
    assert_int_equal(l.rc, -1);
    struct error err = l.err;
    unload(&l);
    accuracy_datasets_free(data);
    remove_file(dir, "data.csv");
    return err;
}

static void csv_format_errors_carry_file_line_and_column(void **state)
{
    (void)state;
    char dir[] = "/tmp/haisim-accuracy-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char csv[512];
    snprintf(csv, sizeof csv, "%s/data.csv", dir); /* as resolved from the scenario */

    /* A cell that is not 0/1, after a two-line quoted field and CRLF line ends. */
    struct error err = csv_error(dir, "id,text,m\r\na,\"x\r\ny\",1\r\nb,z,2\r\n", "m");
    assert_located(&err, csv, 4, 5, "accuracy.replay.column",
                   "must hold 0 or 1 (correct or not), found '2'");

    err = csv_error(dir, "id,m\na,1\nb,1,0\n", "m");
    assert_located(&err, csv, 3, 1, "accuracy.replay.file",
                   "row has 3 fields but the header has 2");

    err = csv_error(dir, "id,m\na,\"1\n", "m");
    assert_located(&err, csv, 2, 3, "accuracy.replay.file", "unterminated quoted field");

    err = csv_error(dir, "id,m\na,\"1\"x\n", "m");
    assert_located(&err, csv, 2, 6, "accuracy.replay.file", "after a quoted field");

    err = csv_error(dir, "id,m,m\na,1,1\n", "m");
    assert_located(&err, csv, 1, 6, "accuracy.replay.file", "duplicate column name 'm'");

    err = csv_error(dir, "", "m");
    assert_located(&err, csv, 1, 1, "accuracy.replay.file", "empty file");

    err = csv_error(dir, "id,m\n\n", "m");
    assert_located(&err, csv, 3, 1, "accuracy.replay.file", "no data rows");

    /* Files replayed together must have the same rows. */
    write_file(dir, "a.csv", "id,m\nq0,1\nq1,0\n");
    write_file(dir, "b.csv", "id,m\nq0,1\n");
    char name[512];
    snprintf(name, sizeof name, "%s/s.yaml", dir);
    struct accuracy_datasets *data = accuracy_datasets_new();
    struct loaded a = load_ok("accuracy: {replay: {file: a.csv, column: m}}", name, data);
    struct loaded b = load_named("accuracy: {replay: {file: b.csv, column: m}}", name, data);
    assert_int_equal(b.rc, -1);
    assert_located(&b.err, name, 1, 27, "accuracy.replay.file", "has 1 rows but");
    assert_int_equal(accuracy_row_count(data), 2);
    unload(&a);
    unload(&b);
    accuracy_datasets_free(data);
    remove_file(dir, "a.csv");
    remove_file(dir, "b.csv");
    rmdir(dir);
}

/* --- replay: RouteLLM's MMLU results --- */

static bool have_routellm(void)
{
    if (access(ROUTELLM_DIR "/mmlu.csv", R_OK) == 0)
        return true;
    printf("SKIPPED: " ROUTELLM_DIR "/mmlu.csv is absent; RouteLLM MMLU checks not run\n");
    return false;
}

/* Percentage within ±0.005 points, i.e. equal to the published figure at two decimals. */
static void assert_percent(double measured, double published)
{
    if (fabs(measured - published) > 0.005 + 1e-9)
        print_error("measured %.4f %%, published %.2f %%\n", measured, published);
    assert_true(fabs(measured - published) <= 0.005 + 1e-9);
}

static void mmlu_replay_reproduces_routellm_figures(void **state)
{
    (void)state;
    if (!have_routellm()) {
        skip();
        return;
    }
    struct accuracy_datasets *data = accuracy_datasets_new();
    struct loaded weak = load_ok("accuracy: {replay: {file: mmlu.csv, column: mixtral_8x7b}}",
                                 ROUTELLM_DIR "/scenario.yaml", data);
    struct loaded strong = load_ok("accuracy: {replay: {file: mmlu.csv, column: gpt_4_1106}}",
                                   ROUTELLM_DIR "/scenario.yaml", data);
    uint32_t n = accuracy_row_count(data);
    assert_int_equal(n, 14042); /* MMLU test set: 14,042 questions */

    /* Figures published with the data (shared/data/README, from Ong et al. 2024's files). */
    double weak_right = 0, strong_right = 0, either = 0, strong_only = 0, weak_only = 0;
    double route[3] = {0, 0, 0}; /* expected accuracy of random routing with share 0, .5, 1 */
    const double share[3] = {0.0, 0.5, 1.0};
    double sampled = 0;
    for (uint32_t r = 0; r < n; r++) {
        struct accuracy_query q = {.row = r};
        double u = accuracy_draw_u(42, 0, r);
        bool w = accuracy_is_correct(&weak.acc, &q, u);
        bool s = accuracy_is_correct(&strong.acc, &q, u);
        weak_right += w;
        strong_right += s;
        either += w || s;
        strong_only += s && !w;
        weak_only += w && !s;
        /* A random router independent of correctness: the request is correct with
         * probability (1 - p)·[weak right] + p·[strong right]. */
        for (int k = 0; k < 3; k++)
            route[k] += (1.0 - share[k]) * w + share[k] * s;
        /* One sampled random router at p = 0.5, with its own draw per request. */
        sampled += rng_hash_u01(42, 0, r, 0x726f757465ULL) < 0.5 ? s : w;
    }
    assert_int_equal((int)weak_right, 9560);
    assert_int_equal((int)strong_right, 11315);
    assert_percent(100.0 * weak_right / n, 68.08);
    assert_percent(100.0 * strong_right / n, 80.58);
    assert_percent(100.0 * either / n, 85.86);      /* oracle router */
    assert_percent(100.0 * strong_only / n, 17.78); /* strong right, weak wrong */
    assert_percent(100.0 * weak_only / n, 5.28);    /* weak right, strong wrong */
    for (int k = 0; k < 3; k++)                     /* 68.08 % + p · 12.50 points */
        assert_percent(100.0 * route[k] / n, 68.08 + share[k] * 12.50);
    /* Sampling adds noise of σ = sqrt(0.25 · 0.2306 / n) ≈ 0.2 points; allow 3σ. */
    assert_near(100.0 * sampled / n, 74.33, 0.61);

    unload(&weak);
    unload(&strong);
    accuracy_datasets_free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logistic_is_one_half_where_skill_equals_difficulty),
        cmocka_unit_test(logistic_matches_hand_computed_values),
        cmocka_unit_test(logistic_with_a_1_7_is_within_0_01_of_the_normal_ogive),
        cmocka_unit_test(correctness_draw_is_coupled_across_models),
        cmocka_unit_test(correct_share_converges_to_p),
        cmocka_unit_test(class_table_binds_names_to_indices),
        cmocka_unit_test(class_errors_name_the_entry),
        cmocka_unit_test(form_errors_are_located),
        cmocka_unit_test(replay_reads_the_sample_file),
        cmocka_unit_test(replay_errors_point_into_the_csv),
        cmocka_unit_test(csv_format_errors_carry_file_line_and_column),
        cmocka_unit_test(mmlu_replay_reproduces_routellm_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
