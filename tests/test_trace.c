/* Tests of trace: timestamps converted to integer nanoseconds exactly (hand-computed epoch
 * values, leap days, a year boundary), the synthetic sample tests/data/azure-sample.csv with
 * exact expected values, tolerated variants (CRLF, byte-order mark, reordered and extra
 * columns), every error with its CSV line and column, the published statistics of the real
 * Azure LLM inference traces (Patel et al., "Splitwise", ISCA 2024; figures from
 * ../shared/data/README.md) and their replay through the arrival process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arrivals.h"
#include "rng.h"
#include "simtime.h"
#include "trace.h"
#include "ydoc.h"

#define SAMPLE_CSV HAISIM_SOURCE_DIR "/tests/data/azure-sample.csv"
#define AZURE_DIR HAISIM_SHARED_DATA_DIR "/azure-llm-2023"

/* --- helpers --- */

/* A scratch directory for the files a test writes. */
static char scratch[256];

static int make_scratch(void **state)
{
    snprintf(scratch, sizeof scratch, "/tmp/haisim-test-trace-XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

static int remove_scratch(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text (verbatim, so CRLF stays CRLF) to scratch/name; path receives the file name. */
static void write_file(const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", scratch, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void load_ok(const char *path, struct trace *t)
{
    struct error err;
    error_clear(&err);
    if (trace_load_azure(t, path, &err) != 0)
        fail_msg("%s: unexpected error %s:%d:%d: %s", path, err.file, err.line, err.col, err.msg);
}

/* Writes text to a file, expects the load to fail at line:col with a message containing
 * want, and the trace to be left empty. */
static void load_fails(const char *text, const char *want, int line, int col)
{
    char path[512];
    write_file("bad.csv", text, path, sizeof path);
    struct trace t;
    struct error err;
    error_clear(&err);
    if (trace_load_azure(&t, path, &err) == 0)
        fail_msg("loaded, expected an error containing '%s'", want);
    print_message("    -> %d:%d %s\n", err.line, err.col, err.msg);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, "");
    assert_int_equal(t.n_rows, 0);
    assert_null(t.time_ns);
    trace_free(&t);
}

static int64_t stamp(const char *text)
{
    int64_t ns = -1;
    if (trace_parse_timestamp(text, &ns) != 0)
        fail_msg("'%s' was refused", text);
    return ns;
}

/* --- timestamps --- */

static void timestamps_convert_to_exact_nanoseconds(void **state)
{
    assert_true(stamp("1970-01-01 00:00:00") == 0);
    assert_true(stamp("1970-01-01 00:00:00.000000001") == 1);
    assert_true(stamp("1970-01-02 00:00:00") == INT64_C(86400000000000));
    assert_true(stamp("1969-12-31 23:59:59.5") == INT64_C(-500000000));
    /* `date -u -d '2000-02-29 12:00:00' +%s` = 951825600: a leap day of a 400-year. */
    assert_true(stamp("2000-02-29 12:00:00") == INT64_C(951825600000000000));
    /* The first row of conv.csv; `date -u -d '2023-11-16 18:15:46' +%s` = 1700158546. The
     * 7 fractional digits are 100 ns units: no floating-point step can lose them. */
    assert_true(stamp("2023-11-16 18:15:46.6805900") == INT64_C(1700158546680590000));
    assert_true(stamp("2023-11-16T18:15:46.68059") == INT64_C(1700158546680590000));
    assert_true(stamp("2023-11-16 18:15:46.6805901") - stamp("2023-11-16 18:15:46.6805900") == 100);
    /* Across a year end: 2023-12-31 23:59:59.9999999 to 2024-01-01 00:00:00.0000001. */
    assert_true(stamp("2024-01-01 00:00:00.0000001") - stamp("2023-12-31 23:59:59.9999999") == 200);
}

static void invalid_timestamps_are_refused(void **state)
{
    const char *bad[] = {
        "",
        "2023-11-16",
        "2023-11-16 18:15",
        "2023-1-16 18:15:46",
        "2023-11-16 18:15:46.",           /* a point without digits */
        "2023-11-16 18:15:46.1234567891", /* finer than 1 ns */
        "2023-11-16 18:15:46Z",           /* trailing text */
        "2023-11-16  18:15:46",           /* two blanks */
        "2023-02-29 00:00:00",            /* 2023 is not a leap year */
        "2100-02-29 00:00:00",            /* nor is 2100 */
        "2023-04-31 00:00:00",            /* April has 30 days */
        "2023-13-01 00:00:00",
        "2023-00-01 00:00:00",
        "2023-11-00 00:00:00",
        "2023-11-16 24:00:00",
        "2023-11-16 18:60:00",
        "2023-11-16 18:15:60",
        "1899-12-31 23:59:59", /* outside the int64 ns range we accept */
        "2201-01-01 00:00:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ns = 42;
        if (trace_parse_timestamp(bad[i], &ns) == 0)
            fail_msg("'%s' was accepted as %lld", bad[i], (long long)ns);
        assert_true(ns == 42);
    }
    int64_t ns;
    assert_int_equal(trace_parse_timestamp("2024-02-29 23:59:59.999999999", &ns), 0);
}

/* --- the synthetic sample --- */

static void sample_loads_with_exact_values(void **state)
{
    struct trace t;
    load_ok(SAMPLE_CSV, &t);
    assert_int_equal(t.n_rows, 6);
    /* `date -u -d '2023-12-31 23:59:58' +%s` = 1704067198. */
    assert_true(t.first_unix_ns == INT64_C(1704067198500000000));
    const int64_t want_ns[6] = {0, 1499999900, 1500000100, 1500000100, 2750000000, 5000000000};
    const int32_t want_prompt[6] = {100, 2048, 0, 7, 1500, 64};
    const int32_t want_output[6] = {10, 1, 250, 7, 300, 32};
    for (int i = 0; i < 6; i++) {
        assert_true(t.time_ns[i] == want_ns[i]);
        assert_int_equal(t.prompt_tokens[i], want_prompt[i]);
        assert_int_equal(t.output_tokens[i], want_output[i]);
    }
    assert_true(trace_duration_s(&t) == 5.0);
    trace_free(&t);
    assert_null(t.time_ns);
    trace_free(&t); /* twice is harmless */
}

static void crlf_bom_and_reordered_columns_are_tolerated(void **state)
{
    char path[512];
    write_file("crlf.csv",
               "\xEF\xBB\xBFGeneratedTokens, Extra ,TIMESTAMP,ContextTokens\r\n"
               "5,x,2023-11-16 18:15:46.6805900,12\r\n"
               "6,y,2023-11-16 18:15:47.0000000,13\r\n"
               "\r\n"
               "\n",
               path, sizeof path);
    struct trace t;
    load_ok(path, &t);
    assert_int_equal(t.n_rows, 2);
    assert_true(t.first_unix_ns == INT64_C(1700158546680590000));
    assert_true(t.time_ns[1] == 319410000);
    assert_int_equal(t.prompt_tokens[0], 12);
    assert_int_equal(t.output_tokens[1], 6);
    trace_free(&t);

    write_file("one.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,1,2", path,
               sizeof path); /* no newline at the end */
    load_ok(path, &t);
    assert_int_equal(t.n_rows, 1);
    assert_true(trace_duration_s(&t) == 0.0);
    trace_free(&t);
}

static void malformed_files_are_reported_with_line_and_column(void **state)
{
    const char *header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
    char text[512];
    load_fails("", "the file is empty", 1, 1);
    load_fails("TIMESTAMP,ContextTokens\n2023-11-16 18:15:46,1\n", "no column 'GeneratedTokens'", 1,
               1);
    load_fails("timestamp,ContextTokens,GeneratedTokens\n", "no column 'TIMESTAMP'", 1, 1);
    load_fails(header, "no rows", 1, 1);
    snprintf(text, sizeof text, "%s2023-11-16 18:15:46,1,2\n2023-11-16 18:15:4x,1,2\n", header);
    load_fails(text, "expected a TIMESTAMP", 3, 1);
    snprintf(text, sizeof text, "%s2023-11-16 18:15:46,1,2\n2023-11-16 18:15:47,-1,2\n", header);
    load_fails(text, "in column 'ContextTokens', got '-1'", 3, 21);
    snprintf(text, sizeof text, "%s2023-11-16 18:15:46,1,2.5\n", header);
    load_fails(text, "in column 'GeneratedTokens', got '2.5'", 2, 23);
    snprintf(text, sizeof text, "%s2023-11-16 18:15:46,1,2147483648\n", header);
    load_fails(text, "[0, 2147483647]", 2, 23);
    snprintf(text, sizeof text, "%s2023-11-16 18:15:46,1,\n", header);
    load_fails(text, "got ''", 2, 23);
    snprintf(text, sizeof text, "%s2023-11-16 18:15:46,1\n", header);
    load_fails(text, "expected 3 cells as in the header, got 2", 2, 1);
    snprintf(text, sizeof text,
             "%s2023-11-16 18:15:46,1,2\n2023-11-16 18:15:47,1,2\n"
             "2023-11-16 18:15:46.9999999,1,2\n",
             header);
    load_fails(text, "earlier than the row before (line 3)", 4, 1);
    snprintf(text, sizeof text, "%s2023-11-16 18:15:46,1,2\n\n2023-11-16 18:15:47,1,2\n", header);
    load_fails(text, "blank line inside the data", 3, 1);

    struct trace t;
    struct error err;
    error_clear(&err);
    assert_int_equal(trace_load_azure(&t, "/nonexistent/trace.csv", &err), -1);
    assert_non_null(strstr(err.msg, "cannot read the trace"));
    assert_string_equal(err.file, "/nonexistent/trace.csv");
    trace_free(&t);
}

/* --- the real Azure traces --- */

struct trace_stats {
    double duration_s, rate_rps, prompt_mean, output_mean, gap_cv, max_gap_s;
    int32_t prompt_max, output_max, prompt_median, output_median;
    int64_t prompt_sum, output_sum;
};

static int compare_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Upper median (the element at n/2 after sorting); the README's medians are the same value
 * for both files whichever convention is used. */
static int32_t median_i32(const int32_t *values, size_t n)
{
    int32_t *copy = malloc(n * sizeof copy[0]);
    assert_non_null(copy);
    memcpy(copy, values, n * sizeof copy[0]);
    qsort(copy, n, sizeof copy[0], compare_i32);
    int32_t median = copy[n / 2];
    free(copy);
    return median;
}

static void compute_stats(const struct trace *t, struct trace_stats *s)
{
    size_t n = t->n_rows;
    *s = (struct trace_stats){0};
    s->duration_s = trace_duration_s(t);
    s->rate_rps = (double)(n - 1) / s->duration_s; /* 1 / mean gap */
    double gap_sum = 0, gap_sq = 0;
    for (size_t i = 0; i < n; i++) {
        s->prompt_sum += t->prompt_tokens[i];
        s->output_sum += t->output_tokens[i];
        s->prompt_max = t->prompt_tokens[i] > s->prompt_max ? t->prompt_tokens[i] : s->prompt_max;
        s->output_max = t->output_tokens[i] > s->output_max ? t->output_tokens[i] : s->output_max;
        if (i > 0) {
            double gap = simtime_to_s(t->time_ns[i] - t->time_ns[i - 1]);
            gap_sum += gap;
            s->max_gap_s = fmax(s->max_gap_s, gap);
        }
    }
    double gap_mean = gap_sum / (double)(n - 1);
    for (size_t i = 1; i < n; i++) {
        double d = simtime_to_s(t->time_ns[i] - t->time_ns[i - 1]) - gap_mean;
        gap_sq += d * d;
    }
    s->gap_cv = sqrt(gap_sq / (double)(n - 2)) / gap_mean;
    s->prompt_mean = (double)s->prompt_sum / (double)n;
    s->output_mean = (double)s->output_sum / (double)n;
    s->prompt_median = median_i32(t->prompt_tokens, n);
    s->output_median = median_i32(t->output_tokens, n);
}

/* Loads ../shared/data/azure-llm-2023/<name>, or skips the test visibly when it is absent. */
static void load_real_or_skip(const char *name, struct trace *t)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", AZURE_DIR, name);
    if (access(path, R_OK) != 0) {
        print_message("SKIPPED: %s is absent (shared data not installed)\n", path);
        skip();
    }
    load_ok(path, t);
}

static void assert_within(const char *what, double got, double want, double tolerance)
{
    print_message("    %-22s %.6g (published %g)\n", what, got, want);
    if (!(fabs(got - want) <= tolerance))
        fail_msg("%s: got %.9g, want %g +- %g", what, got, want, tolerance);
}

/* README: "code: 8,819 requests over about 3,436 s; 2.57 req/s mean, bursty (inter-arrival
 * CV 13.2, gaps up to 217 s); prompt tokens mean 2,047.8, median 1,469, max 7,437; output
 * tokens mean 27.9, median 13, max 1,899." Each figure is checked to the precision stated. */
static void azure_code_trace_matches_published_statistics(void **state)
{
    struct trace t;
    struct trace_stats s;
    load_real_or_skip("code.csv", &t);
    compute_stats(&t, &s);
    assert_int_equal(t.n_rows, 8819);
    assert_within("duration_s", s.duration_s, 3436, 0.5);
    assert_within("rate_rps", s.rate_rps, 2.57, 0.005);
    assert_within("inter-arrival CV", s.gap_cv, 13.2, 0.05);
    assert_within("max gap_s", s.max_gap_s, 217, 0.5);
    assert_within("prompt mean", s.prompt_mean, 2047.8, 0.05);
    assert_within("output mean", s.output_mean, 27.9, 0.05);
    assert_int_equal(s.prompt_median, 1469);
    assert_int_equal(s.prompt_max, 7437);
    assert_int_equal(s.output_median, 13);
    assert_int_equal(s.output_max, 1899);
    /* Exact token totals, computed independently with Python's csv module. */
    assert_true(s.prompt_sum == 18059974);
    assert_true(s.output_sum == 245896);
    trace_free(&t);
}

/* README: "conv: 19,366 requests over about 3,502 s; 5.53 req/s, inter-arrival CV 1.09 (close
 * to Poisson); prompt mean 1,154.7, median 1,020, max 14,050; output mean 211.1, median 129,
 * max 1,000." */
static void azure_conv_trace_matches_published_statistics(void **state)
{
    struct trace t;
    struct trace_stats s;
    load_real_or_skip("conv.csv", &t);
    compute_stats(&t, &s);
    assert_int_equal(t.n_rows, 19366);
    assert_true(t.first_unix_ns == INT64_C(1700158546680590000)); /* 2023-11-16 18:15:46.68059 */
    assert_within("duration_s", s.duration_s, 3502, 0.5);
    assert_within("rate_rps", s.rate_rps, 5.53, 0.005);
    assert_within("inter-arrival CV", s.gap_cv, 1.09, 0.005);
    assert_within("prompt mean", s.prompt_mean, 1154.7, 0.05);
    assert_within("output mean", s.output_mean, 211.1, 0.05);
    assert_int_equal(s.prompt_median, 1020);
    assert_int_equal(s.prompt_max, 14050);
    assert_int_equal(s.output_median, 129);
    assert_int_equal(s.output_max, 1000);
    assert_true(s.prompt_sum == 22361870);
    assert_true(s.output_sum == 4088665);
    trace_free(&t);
}

/* Replays <name> through the arrival process with the given time_scale; checks every arrival
 * against the trace row it came from and returns the time of the last one. */
static int64_t replay(const char *path, double time_scale, struct arrival_config *cfg)
{
    char text[1024];
    snprintf(text, sizeof text,
             "arrival: {process: trace, file: '%s', time_scale: %g, assign: round_robin}", path,
             time_scale);
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", &err);
    assert_non_null(doc);
    if (arrival_config_load(cfg, ydoc_get(ydoc_root(doc), "arrival"), &err) != 0)
        fail_msg("%s:%d:%d %s: %s", err.file, err.line, err.col, err.path, err.msg);
    assert_int_equal(ydoc_check_unused(doc, &err), 0);
    ydoc_free(doc);
    const struct trace *t = &cfg->u.replay.trace;
    struct arrival_state st;
    struct arrival a;
    arrival_state_init(&st, cfg, 7, NULL); /* round robin draws nothing */
    int64_t last = 0;
    for (size_t i = 0; i < t->n_rows; i++) {
        last = arrival_next(&st, NULL, &a);
        assert_true(last == llround((double)t->time_ns[i] * time_scale));
        assert_int_equal(a.device, i % 7);
        assert_int_equal(a.prompt_tokens, t->prompt_tokens[i]);
        assert_int_equal(a.output_tokens, t->output_tokens[i]);
    }
    assert_true(arrival_next(&st, NULL, &a) == SIMTIME_NEVER);
    assert_true(a.time_ns == SIMTIME_NEVER);
    return last;
}

/* time_scale multiplies every gap, so 0.5 replays the same rows in half the time: twice the
 * rate. Checked on the real trace (or the sample when the shared data is absent). */
static void replay_with_time_scale_one_half_doubles_the_rate(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/conv.csv", AZURE_DIR);
    if (access(path, R_OK) != 0) {
        print_message("SKIPPED: %s is absent; replaying the synthetic sample instead\n", path);
        snprintf(path, sizeof path, "%s", SAMPLE_CSV);
    }
    struct arrival_config full, half;
    int64_t last_full = replay(path, 1.0, &full), last_half = replay(path, 0.5, &half);
    size_t n = full.u.replay.trace.n_rows;
    double rate_full = (double)(n - 1) / simtime_to_s(last_full);
    double rate_half = (double)(n - 1) / simtime_to_s(last_half);
    print_message("    replayed rate %.6g req/s at time_scale 1, %.6g at 0.5\n", rate_full,
                  rate_half);
    assert_true(fabs(rate_half / rate_full - 2.0) < 1e-9);
    assert_true(fabs(arrival_mean_rate_rps(&half) / arrival_mean_rate_rps(&full) - 2.0) < 1e-12);
    /* The looped mean rate n/L equals the trace's own 1/mean gap, (n − 1)/duration, to within
     * the ns rounding of L. */
    assert_true(fabs(arrival_mean_rate_rps(&full) - rate_full) < 1e-6 * rate_full);
    arrival_config_free(&full);
    arrival_config_free(&half);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamps_convert_to_exact_nanoseconds),
        cmocka_unit_test(invalid_timestamps_are_refused),
        cmocka_unit_test(sample_loads_with_exact_values),
        cmocka_unit_test(crlf_bom_and_reordered_columns_are_tolerated),
        cmocka_unit_test(malformed_files_are_reported_with_line_and_column),
        cmocka_unit_test(azure_code_trace_matches_published_statistics),
        cmocka_unit_test(azure_conv_trace_matches_published_statistics),
        cmocka_unit_test(replay_with_time_scale_one_half_doubles_the_rate),
    };
    return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
