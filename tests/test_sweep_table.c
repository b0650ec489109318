/* Tests of sweep_table: exact number round trips, the CSV reader, results read back from
 * their files equal to the results written (the basis of byte-identical resume and merge),
 * and aggregates checked against hand-computed Student-t intervals. */
#include <float.h>
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

#include "metrics.h"
#include "sweep_table.h"

static void fail_with(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_sweep_table.XXXXXX");
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

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A two-point table over one axis "a" with values 1 and 2. */
static void init_table(struct sweep_table *t)
{
    char *values[] = {"1", "2"};
    struct sweep_table_axis axis = {.key = "a", .label = "a", .n_values = 2, .values = values};
    struct error err;
    error_clear(&err);
    if (sweep_table_init(t, "t", &axis, 1, 2, &err) != 0)
        fail_with(&err);
    t->points[1].value_index[0] = 1;
}

/* The header of a results file of init_table's shape. */
static void results_header(char *buf, size_t len)
{
    snprintf(buf, len, "point,a,variant,replication");
    for (size_t m = 0; metric_info(m).name[0]; m++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, ",%s", metric_info(m).name);
    }
    strncat(buf, "\n", len - strlen(buf) - 1);
}

/* A results row whose first metric is `first` and every other metric empty (NaN). */
static void results_row(char *buf, size_t len, const char *prefix, const char *first)
{
    snprintf(buf, len, "%s,%s", prefix, first);
    for (size_t m = 1; metric_info(m).name[0]; m++)
        strncat(buf, ",", len - strlen(buf) - 1);
    strncat(buf, "\n", len - strlen(buf) - 1);
}

static void numbers_round_trip_with_the_fewest_digits(void **state)
{
    char buf[64];
    sweep_format_double(buf, sizeof buf, 0.1);
    assert_string_equal(buf, "0.1");
    sweep_format_double(buf, sizeof buf, 0.1 + 0.2); /* not 0.3 as a double */
    assert_string_equal(buf, "0.30000000000000004");
    sweep_format_double(buf, sizeof buf, 1500);
    assert_string_equal(buf, "1500");
    sweep_format_double(buf, sizeof buf, NAN);
    assert_string_equal(buf, "");
    sweep_format_double(buf, sizeof buf, -INFINITY);
    assert_string_equal(buf, "-inf");
    const double xs[] = {1.0 / 3, 2.0 / 3,    DBL_MAX, DBL_MIN, 5e-324, 123456789.123456789,
                         -0.0,    M_PI * 1e10};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        sweep_format_double(buf, sizeof buf, xs[i]);
        double back = strtod(buf, NULL);
        assert_memory_equal(&back, &xs[i], sizeof back);
    }
    (void)state;
}

static void csv_reader_handles_quotes_commas_newlines_and_crlf(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/q.csv", tmpdir);
    write_file(path, "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\nlast");
    struct sweep_csv c;
    struct error err;
    error_clear(&err);
    assert_int_equal(sweep_csv_open(&c, path, &err), 0);
    assert_int_equal(sweep_csv_next(&c, path, &err), 1);
    assert_int_equal(c.n_fields, 3);
    assert_string_equal(sweep_csv_get(&c, 0), "a");
    assert_string_equal(sweep_csv_get(&c, 1), "b,c");
    assert_string_equal(sweep_csv_get(&c, 2), "say \"hi\"");
    assert_int_equal(sweep_csv_next(&c, path, &err), 1);
    assert_int_equal(c.n_fields, 3);
    assert_string_equal(sweep_csv_get(&c, 0), "two\nlines");
    assert_string_equal(sweep_csv_get(&c, 1), "");
    assert_string_equal(sweep_csv_get(&c, 5), ""); /* past the end */
    assert_int_equal(sweep_csv_next(&c, path, &err), 1);
    assert_string_equal(sweep_csv_get(&c, 0), "last");
    assert_int_equal(sweep_csv_next(&c, path, &err), 0);
    sweep_csv_close(&c);

    write_file(path, "a,\"open\n");
    assert_int_equal(sweep_csv_open(&c, path, &err), 0);
    assert_int_equal(sweep_csv_next(&c, path, &err), -1);
    assert_non_null(strstr(err.msg, "unterminated"));
    sweep_csv_close(&c);
    (void)state;
}

/* Real results of a tiny scenario survive a write and a read bit for bit. */
static void results_read_back_equal_the_results_written(void **state)
{
    static const char scenario[] =
        "name: tiny\nseed: 3\nreplications: 3\nrun: {duration_s: 120}\n"
        "devices:\n  count: 5\n  model: {prefill_tok_s: 90, decode_tok_s: 20}\n"
        "  workload:\n    arrival: {process: poisson, rate_rps: 0.5}\n"
        "    prompt_tokens: 100\n    output_tokens: {dist: lognormal, mean: 50, cv: 0.8}\n"
        "  network:\n    cloud: {rtt_ms: 50, up_mbps: 6, down_mbps: 20}\n"
        "cloud:\n  slots: 4\n  model: {prefill_tok_s: 5000, decode_tok_s: 80}\n"
        "variants:\n  - {name: 'on device', set: {arbiter: device}}\n"
        "  - {name: 'cloud, \"api\"', set: {arbiter: cloud}}\n";
    struct experiment ex;
    struct experiment_results res = {0};
    struct experiment_options opt = {0};
    struct error err;
    error_clear(&err);
    if (experiment_load_text(&ex, scenario, "tiny.yaml", &opt, &err) != 0 ||
        experiment_run(&ex, &res, &err) != 0)
        fail_with(&err);
    struct sweep_table a, b;
    init_table(&a);
    init_table(&b);
    if (sweep_table_store(&a, 1, &ex, &res, &err) != 0)
        fail_with(&err);
    char results[128], cdf[128];
    snprintf(results, sizeof results, "%s/r.csv", tmpdir);
    snprintf(cdf, sizeof cdf, "%s/c.csv", tmpdir);
    FILE *f = fopen(results, "w");
    assert_int_equal(sweep_table_write_results(f, &a, 0, 1, true), 0);
    fclose(f);
    f = fopen(cdf, "w");
    assert_int_equal(sweep_table_write_cdf(f, &a, 0, 1, true), 0);
    fclose(f);
    if (sweep_table_read_results(&b, results, &err) != 0 ||
        sweep_table_read_cdf(&b, cdf, &err) != 0)
        fail_with(&err);
    assert_int_equal(b.n_variants, 2);
    assert_int_equal(b.n_reps, 3);
    assert_string_equal(b.variants[1], "cloud, \"api\"");
    assert_int_equal(b.points[0].status, SWEEP_POINT_MISSING);
    assert_int_equal(b.points[1].status, SWEEP_POINT_DONE);
    size_t n_values = a.n_points * a.n_variants * a.n_reps * a.n_metrics;
    size_t n_cdf = a.n_points * a.n_variants * a.n_families * SWEEP_TABLE_CDF_POINTS;
    assert_memory_equal(a.values, b.values, n_values * sizeof(double));
    assert_memory_equal(a.cdf, b.cdf, n_cdf * sizeof(double));
    /* The table holds what the experiment measured. */
    long m = metric_find("e2e_ms_p90");
    assert_true(m >= 0);
    assert_true(sweep_table_value(&b, 1, 1, 2, (size_t)m) == experiment_value(&res, 1, 2)[m]);
    sweep_table_free(&a);
    sweep_table_free(&b);
    experiment_results_free(&res);
    experiment_free(&ex);
    (void)state;
}

/* Mean and half-width of {1, 2, 3}: x̄ = 2, s = 1, h = t(0.975, 2)·s/√3 = 4.302652729749/√3
 * = 2.484137712; of {10, NaN}: one value, so no half-width and n = 1. */
static void aggregate_is_the_mean_and_student_t_interval(void **state)
{
    struct sweep_table t;
    init_table(&t);
    char path[128], text[16384], row[4096];
    snprintf(path, sizeof path, "%s/agg.csv", tmpdir);
    results_header(text, sizeof text);
    const char *rows[][2] = {{"1,1,v,1", "1"},  {"1,1,v,2", "2"}, {"1,1,v,3", "3"},
                             {"2,2,v,1", "10"}, {"2,2,v,2", ""},  {"2,2,w,1", "7"}};
    for (size_t i = 0; i < 6; i++) {
        results_row(row, sizeof row, rows[i][0], rows[i][1]);
        strncat(text, row, sizeof text - strlen(text) - 1);
    }
    write_file(path, text);
    struct error err;
    error_clear(&err);
    if (sweep_table_read_results(&t, path, &err) != 0)
        fail_with(&err);
    struct stats_ci ci = sweep_table_ci(&t, 0, 0, 0);
    assert_float_equal(ci.mean, 2.0, 1e-12);
    assert_float_equal(ci.half_width, 2.484137712, 1e-9);
    assert_int_equal(ci.n, 3);
    ci = sweep_table_ci(&t, 1, 0, 0);
    assert_float_equal(ci.mean, 10.0, 1e-12);
    assert_int_equal(ci.n, 1);
    /* Variant w did not run at point 1. */
    assert_int_equal(t.reps[0 * t.n_variants + 1], 0);
    assert_int_equal(t.reps[1 * t.n_variants + 1], 1);

    FILE *f = fopen(path, "w");
    assert_int_equal(sweep_table_write_aggregate(f, &t, true), 0);
    fclose(f);
    f = fopen(path, "r");
    char line[512], first[512] = "", third[512] = "";
    int k = 0;
    while (fgets(line, sizeof line, f)) {
        if (k == 1)
            snprintf(first, sizeof first, "%s", line);
        k++;
    }
    fclose(f);
    snprintf(third, sizeof third, "1,1,v,%s,%s,2,2.484137712,3\n", metric_info(0).name,
             metric_info(0).unit);
    assert_string_equal(first, third);
    /* point 1 × v, point 2 × v, point 2 × w, each with every metric; plus the header. */
    size_t n_metrics = t.n_metrics;
    assert_int_equal(k, 1 + 3 * (int)n_metrics);
    sweep_table_free(&t);
    (void)state;
}

static void rows_of_another_sweep_are_rejected(void **state)
{
    struct sweep_table t;
    char path[128], text[16384], row[4096];
    struct error err;
    snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
    static const struct {
        const char *prefix, *want;
    } cases[] = {
        {"3,1,v,1", "point '3' is not a point of this sweep"},
        {"1,2,v,1", "point 1 has a = '2' here but '1' in the sweep"},
        {"1,1,v,0", "bad replication '0'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        init_table(&t);
        results_header(text, sizeof text);
        results_row(row, sizeof row, cases[i].prefix, "1");
        strncat(text, row, sizeof text - strlen(text) - 1);
        write_file(path, text);
        error_clear(&err);
        assert_int_not_equal(sweep_table_read_results(&t, path, &err), 0);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("'%s' lacks '%s'", err.msg, cases[i].want);
        sweep_table_free(&t);
    }
    init_table(&t);
    write_file(path, "point,b,variant,replication\n");
    assert_int_not_equal(sweep_table_read_results(&t, path, &err), 0);
    assert_non_null(strstr(err.msg, "columns are not those this sweep writes"));
    sweep_table_free(&t);
    (void)state;
}

static void axis_values_match_numerically_or_as_text(void **state)
{
    assert_true(sweep_table_value_matches("4", "4.0"));
    assert_true(sweep_table_value_matches("0.5", "5e-1"));
    assert_false(sweep_table_value_matches("4", "5"));
    assert_true(sweep_table_value_matches("device", "device"));
    assert_true(sweep_table_value_matches("\"a b\"", "a b"));
    assert_true(sweep_table_value_matches("\"say \\\"hi\\\"\"", "say \"hi\""));
    assert_false(sweep_table_value_matches("\"a b\"", "a"));
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_round_trip_with_the_fewest_digits),
        cmocka_unit_test(csv_reader_handles_quotes_commas_newlines_and_crlf),
        cmocka_unit_test(results_read_back_equal_the_results_written),
        cmocka_unit_test(aggregate_is_the_mean_and_student_t_interval),
        cmocka_unit_test(rows_of_another_sweep_are_rejected),
        cmocka_unit_test(axis_values_match_numerically_or_as_text),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
