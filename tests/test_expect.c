/* Tests of expect: reading expectations, evaluating each aggregate (mean, CI ends, every
 * replication) with hand-computed values, the filters (variants, where), missing values and
 * failed points failing their checks, the readable report and the JUnit XML. */
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

#include "expect.h"
#include "metrics.h"

static void fail_with(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("'%s' does not contain '%s'", text, part);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_expect.XXXXXX");
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    (void)state;
    return system(cmd);
}

/* Results over one axis "slots" = 1, 2, 4 with two variants; e2e_ms_p99 (ms) per replication:
 *   slots 1: v = 100, 120 (mean 110)     w = 30, 30
 *   slots 2: v = 50, 60   (mean 55, 95% CI half-width t(0.975,1)·7.0711/√2 = 63.53)
 *   slots 4: v = 10, (not measured)      w did not run */
static void make_table(struct sweep_table *t)
{
    char *values[] = {"1", "2", "4"};
    struct sweep_table_axis axis = {
        .key = "slots", .label = "slots", .n_values = 3, .values = values};
    struct error err;
    error_clear(&err);
    if (sweep_table_init(t, "results <&>", &axis, 1, 3, &err) != 0)
        fail_with(&err);
    for (size_t p = 0; p < 3; p++)
        t->points[p].value_index[0] = p;
    long m = metric_find("e2e_ms_p99");
    assert_true(m >= 0);
    static const struct {
        const char *prefix, *value;
    } rows[] = {{"1,1,v,1", "100"}, {"1,1,v,2", "120"}, {"1,1,w,1", "30"}, {"1,1,w,2", "30"},
                {"2,2,v,1", "50"},  {"2,2,v,2", "60"},  {"2,2,w,1", "30"}, {"2,2,w,2", "30"},
                {"3,4,v,1", "10"},  {"3,4,v,2", ""}};
    char path[128];
    snprintf(path, sizeof path, "%s/r.csv", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("point,slots,variant,replication", f);
    for (size_t i = 0; metric_info(i).name[0]; i++)
        fprintf(f, ",%s", metric_info(i).name);
    fputc('\n', f);
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        fputs(rows[r].prefix, f);
        for (size_t i = 0; metric_info(i).name[0]; i++)
            fprintf(f, ",%s", (long)i == m ? rows[r].value : "");
        fputc('\n', f);
    }
    fclose(f);
    if (sweep_table_read_results(t, path, &err) != 0)
        fail_with(&err);
}

struct loaded {
    struct ydoc *doc;
    struct expect_list list;
};

static void load(struct loaded *l, const char *text)
{
    struct error err;
    error_clear(&err);
    l->doc = ydoc_load_string(text, "e.yaml", &err);
    if (!l->doc || expect_load(&l->list, ydoc_root(l->doc), &err) != 0 ||
        ydoc_check_unused(l->doc, &err) != 0)
        fail_with(&err);
}

static void unload(struct loaded *l)
{
    expect_list_free(&l->list);
    ydoc_free(l->doc);
}

static void load_fails(const char *text, const char *want)
{
    struct error err;
    struct expect_list list;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(text, "e.yaml", &err);
    assert_non_null(doc);
    int rc = expect_load(&list, ydoc_root(doc), &err);
    if (rc == 0)
        rc = ydoc_check_unused(doc, &err);
    assert_int_not_equal(rc, 0);
    char buf[2048];
    error_format(&err, buf, sizeof buf);
    assert_contains(buf, want);
    assert_contains(buf, "e.yaml:");
    expect_list_free(&list);
    ydoc_free(doc);
}

/* The check of expectation i at point p. */
static const struct expect_check *check_of(const struct expect_report *r, size_t i, size_t p)
{
    for (size_t c = 0; c < r->n_checks; c++)
        if (r->checks[c].expectation == i && r->checks[c].point == p)
            return &r->checks[c];
    fail_msg("no check of expectation %zu at point %zu", i, p + 1);
    return NULL;
}

static void expectations_are_read_with_their_defaults(void **state)
{
    struct loaded l;
    load(&l, "- {metric: ttft_ms_p99, op: '<=', threshold: 1500}\n"
             "- {metric: requests_rejected, op: '==', threshold: 0, aggregate: every, "
             "variants: cloud-only, name: nothing rejected}\n"
             "- {metric: accuracy, op: '>', threshold: 0.8, variants: [a, b], "
             "where: {cloud.slots: [4, 8], arbiter: device}}\n");
    assert_int_equal(l.list.n, 3);
    const struct expect *e = l.list.items;
    assert_string_equal(e[0].label, "ttft_ms_p99 <= 1500");
    assert_int_equal(e[0].op, EXPECT_LE);
    assert_int_equal(e[0].aggregate, EXPECT_MEAN);
    assert_int_equal(e[0].n_variants, 0);
    assert_string_equal(e[1].label, "nothing rejected");
    assert_int_equal(e[1].aggregate, EXPECT_EVERY);
    assert_int_equal(e[1].n_variants, 1);
    assert_string_equal(e[1].variants[0], "cloud-only");
    assert_int_equal(e[2].n_variants, 2);
    assert_int_equal(e[2].n_where, 2);
    assert_string_equal(e[2].where[0].key, "cloud.slots");
    assert_int_equal(e[2].where[0].n_values, 2);
    assert_string_equal(e[2].where[0].values[1], "8");
    assert_string_equal(e[2].where[1].values[0], "device");
    unload(&l);
    (void)state;
}

static void bad_expectations_are_located_errors(void **state)
{
    load_fails("- {metric: ttft_ms_p999, op: '<', threshold: 1}\n",
               "unknown metric 'ttft_ms_p999' (did you mean 'ttft_ms_p99'?)");
    load_fails("- {metric: ttft_ms_p99, op: '=<', threshold: 1}\n", "expected one of <, <=");
    load_fails("- {metric: ttft_ms_p99, op: '<'}\n", "missing required key 'threshold'");
    load_fails("- {metric: ttft_ms_p99, op: '<', threshold: fast}\n", "threshold");
    load_fails("- {metric: ttft_ms_p99, op: '<', threshold: 1, aggregate: median}\n",
               "expected one of mean, ci_upper, ci_lower, every");
    load_fails("- {metric: ttft_ms_p99, op: '<', threshold: 1, variant: x}\n",
               "unknown key 'variant' (did you mean 'variants'?)");
    load_fails("- {metric: ttft_ms_p99, op: '<', threshold: 1, where: {}}\n",
               "where needs at least one key");
    load_fails("{metric: ttft_ms_p99}\n", "expected a list");
    (void)state;
}

static void names_are_checked_against_the_results(void **state)
{
    struct loaded where, variant;
    load(&where, "- {metric: ttft_ms_p99, op: '<', threshold: 1, where: {cloud.slots: 4}}\n");
    load(&variant, "- {metric: ttft_ms_p99, op: '<', threshold: 1, variants: cloud-onl}\n");
    const char *variants[] = {"device-only", "cloud-only"}, *axes[] = {"cloud.slot"};
    struct error err;
    char buf[2048];
    error_clear(&err);
    assert_int_not_equal(expect_check_names(&where.list, axes, 1, variants, 2, &err), 0);
    error_format(&err, buf, sizeof buf);
    assert_contains(buf, "'cloud.slots' is not a swept key (did you mean 'cloud.slot'?)");
    assert_int_not_equal(expect_check_names(&where.list, NULL, 0, variants, 2, &err), 0);
    error_format(&err, buf, sizeof buf);
    assert_contains(buf, "a run has no swept keys");
    assert_int_not_equal(expect_check_names(&variant.list, NULL, 0, variants, 2, &err), 0);
    error_format(&err, buf, sizeof buf);
    assert_contains(buf, "e.yaml:1:58: [0].variants: no variant named 'cloud-onl' (did you mean "
                         "'cloud-only'?)");
    /* Without the variants (a sweep file before its base is loaded) names are not checked. */
    assert_int_equal(expect_check_names(&variant.list, NULL, 0, NULL, 0, &err), 0);
    unload(&where);
    unload(&variant);
    (void)state;
}

static void each_aggregate_is_compared_as_defined(void **state)
{
    struct sweep_table t;
    make_table(&t);
    struct loaded l;
    load(&l, "- {metric: e2e_ms_p99, op: '<=', threshold: 100, variants: v}\n"
             "- {metric: e2e_ms_p99, op: '<', threshold: 115, aggregate: every, variants: v}\n"
             "- {metric: e2e_ms_p99, op: '<=', threshold: 70, aggregate: ci_upper, "
             "variants: v, where: {slots: 2}}\n"
             "- {metric: e2e_ms_p99, op: '>=', threshold: -10, aggregate: ci_lower, "
             "variants: v, where: {slots: 2}}\n"
             "- {metric: e2e_ms_p99, op: '==', threshold: 30, where: {slots: [1, 2.0]}}\n");
    struct expect_report r;
    struct error err;
    error_clear(&err);
    if (expect_evaluate(&l.list, &t, &r, &err) != 0)
        fail_with(&err);
    /* 3 + 3 points, then 1, 1 and 2 selected by where. */
    assert_int_equal(r.n_checks, 10);
    /* mean <= 100: 110 fails, 55 and 10 pass. */
    assert_false(check_of(&r, 0, 0)->passed);
    assert_contains(check_of(&r, 0, 0)->detail, "v: mean 110 (95% CI ± ");
    assert_contains(check_of(&r, 0, 0)->detail, "needs <= 100");
    assert_true(check_of(&r, 0, 1)->passed);
    assert_true(check_of(&r, 0, 2)->passed);
    /* every < 115: 120 fails at slots 1; slots 4 has an unmeasured replication. */
    assert_false(check_of(&r, 1, 0)->passed);
    assert_contains(check_of(&r, 1, 0)->detail, "replication 2: 120, needs < 115");
    assert_true(check_of(&r, 1, 1)->passed);
    assert_false(check_of(&r, 1, 2)->passed);
    assert_contains(check_of(&r, 1, 2)->detail, "replication 2: no value");
    /* ci_upper at slots 2: 55 + 63.53 = 118.5 > 70 although the mean (55) is below it. */
    assert_false(check_of(&r, 2, 1)->passed);
    assert_contains(check_of(&r, 2, 1)->detail, "ci_upper 118.5");
    /* ci_lower: 55 − 63.53 = −8.53 >= −10. */
    assert_true(check_of(&r, 3, 1)->passed);
    /* No variant filter: both variants, and both are 30 only for w. */
    assert_false(check_of(&r, 4, 0)->passed);
    assert_contains(check_of(&r, 4, 0)->detail, "v: mean 110");
    assert_false(strstr(check_of(&r, 4, 0)->detail, "w:"));
    assert_int_equal(r.n_failed, 6);
    expect_report_free(&r);
    unload(&l);
    sweep_table_free(&t);
    (void)state;
}

static void missing_values_and_failed_points_fail_their_checks(void **state)
{
    struct sweep_table t;
    make_table(&t);
    t.points[1].status = SWEEP_POINT_FAILED;
    t.points[1].error = strdup("out of memory");
    struct loaded l;
    load(&l, "- {metric: e2e_ms_p99, op: '<', threshold: 1000, variants: w}\n"
             "- {metric: accuracy, op: '>', threshold: 0.5, variants: v, where: {slots: 1}}\n");
    struct expect_report r;
    struct error err;
    error_clear(&err);
    if (expect_evaluate(&l.list, &t, &r, &err) != 0)
        fail_with(&err);
    assert_true(check_of(&r, 0, 0)->passed);
    assert_false(check_of(&r, 0, 1)->passed);
    assert_string_equal(check_of(&r, 0, 1)->detail, "the point failed: out of memory");
    assert_false(check_of(&r, 0, 2)->passed);
    assert_string_equal(check_of(&r, 0, 2)->detail, "w: did not run at this point");
    assert_false(check_of(&r, 1, 0)->passed);
    assert_string_equal(check_of(&r, 1, 0)->detail, "v: no value (accuracy was not measured)");

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    expect_report_print(f, &l.list, &t, &r);
    fclose(f);
    assert_contains(text, "  FAIL  e2e_ms_p99 < 1000 (mean; w): 1 of 3 points\n"
                          "          point 2 (slots=2): the point failed: out of memory\n");
    assert_contains(text, "expectations: 0 of 2 met (3 of 4 checks failed)\n");
    free(text);
    expect_report_free(&r);
    unload(&l);
    sweep_table_free(&t);
    (void)state;
}

/* Counts occurrences of part in text. */
static size_t count(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *s = text; (s = strstr(s, part)) != NULL; s += strlen(part))
        n++;
    return n;
}

static void junit_has_one_testcase_per_check_and_escapes_text(void **state)
{
    struct sweep_table t;
    make_table(&t);
    struct loaded l;
    load(&l, "- {metric: e2e_ms_p99, op: '<=', threshold: 100, variants: v}\n"
             "- {metric: e2e_ms_p99, op: '>', threshold: 0, name: 'positive & \"sane\"'}\n");
    struct expect_report r;
    struct error err;
    error_clear(&err);
    if (expect_evaluate(&l.list, &t, &r, &err) != 0)
        fail_with(&err);
    char *xml = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&xml, &len);
    assert_int_equal(expect_write_junit(f, &l.list, &t, &r), 0);
    fclose(f);
    assert_int_equal(count(xml, "<testcase "), 6);
    assert_int_equal(count(xml, "<failure "), (size_t)r.n_failed);
    assert_int_equal(count(xml, "</failure>"), (size_t)r.n_failed);
    assert_contains(xml, "<testsuites name=\"haisim\" tests=\"6\" failures=\"1\" errors=\"0\">");
    assert_contains(xml, "<testsuite name=\"results &lt;&amp;&gt;\"");
    assert_contains(xml, "name=\"e2e_ms_p99 &lt;= 100 (mean; v) @ point 1 (slots=1)\"");
    assert_contains(xml, "name=\"positive &amp; &quot;sane&quot; (mean) @ point 3 (slots=4)\"");
    /* No raw '<' or '&' inside attribute values or text: every one starts markup/entity. */
    for (const char *s = xml; (s = strchr(s, '&')) != NULL; s++)
        assert_true(strncmp(s, "&lt;", 4) == 0 || strncmp(s, "&gt;", 4) == 0 ||
                    strncmp(s, "&amp;", 5) == 0 || strncmp(s, "&quot;", 6) == 0 ||
                    strncmp(s, "&apos;", 6) == 0);
    free(xml);
    expect_report_free(&r);
    unload(&l);
    sweep_table_free(&t);
    (void)state;
}

static void an_expectation_file_holds_only_an_expect_list(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/x.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("expect:\n  - {metric: e2e_ms_p99, op: '<', threshold: 5}\nexpects: []\n", f);
    fclose(f);
    struct expect_list l;
    struct error err;
    error_clear(&err);
    assert_int_not_equal(expect_load_file(&l, path, &err), 0);
    assert_contains(err.msg, "unknown key 'expects' (did you mean 'expect'?)");
    expect_list_free(&l);
    f = fopen(path, "w");
    fputs("expect:\n  - {metric: e2e_ms_p99, op: '<', threshold: 5}\n", f);
    fclose(f);
    if (expect_load_file(&l, path, &err) != 0)
        fail_with(&err);
    assert_int_equal(l.n, 1);
    assert_true(l.items[0].threshold == 5);
    expect_list_free(&l);
    (void)state;
}

/* What scenario_load does to accept `expect:` in a scenario: expect_validate reads (and so
 * marks as known) every key of the list, so the unknown-key check passes, and still rejects
 * a bad expectation. */
static void a_scenario_loader_can_accept_expect_through_expect_validate(void **state)
{
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(
        "name: s\nexpect:\n  - {metric: e2e_ms_p99, op: '<', threshold: 5, variants: [a]}\n",
        "s.yaml", &err);
    assert_non_null(doc);
    struct ydoc_node *root = ydoc_root(doc);
    ydoc_get(root, "name");
    assert_int_equal(expect_validate(ydoc_get(root, "expect"), &err), 0);
    assert_int_equal(ydoc_check_unused(doc, &err), 0);
    ydoc_free(doc);
    doc = ydoc_load_string("expect:\n  - {metric: e2e_ms_p99, op: '<', threshold: 5, when: 1}\n",
                           "s.yaml", &err);
    assert_non_null(doc);
    int rc = expect_validate(ydoc_get(ydoc_root(doc), "expect"), &err);
    if (rc == 0)
        rc = ydoc_check_unused(doc, &err);
    assert_int_not_equal(rc, 0);
    assert_contains(err.msg, "unknown key 'when'");
    ydoc_free(doc);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expectations_are_read_with_their_defaults),
        cmocka_unit_test(bad_expectations_are_located_errors),
        cmocka_unit_test(names_are_checked_against_the_results),
        cmocka_unit_test(each_aggregate_is_compared_as_defined),
        cmocka_unit_test(missing_values_and_failed_points_fail_their_checks),
        cmocka_unit_test(junit_has_one_testcase_per_check_and_escapes_text),
        cmocka_unit_test(an_expectation_file_holds_only_an_expect_list),
        cmocka_unit_test(a_scenario_loader_can_accept_expect_through_expect_validate),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
