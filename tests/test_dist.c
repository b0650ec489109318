/* Tests of dist: moments of samples against the closed forms for every family, the closed
 * forms themselves, and parsing from YAML (both parameterisations, CSV columns, errors with
 * their file:line:column and key path). */
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

#include "dist.h"
#include "rng.h"
#include "ydoc.h"

/* --- helpers --- */

/* Loads `text`, parses the distribution at top-level key `key`; returns dist_parse's status.
 * The document is freed; err is cleared first. */
static int parse_text(const char *text, const char *key, struct dist *d, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", err);
    assert_non_null(doc);
    struct ydoc_node *n = ydoc_get(ydoc_root(doc), key);
    assert_non_null(n);
    int rc = dist_parse(d, n, err);
    if (rc == 0) {
        /* Every key of a good distribution was read: nothing is reported as unknown. */
        struct error unused;
        error_clear(&unused);
        assert_int_equal(ydoc_check_unused(doc, &unused), 0);
    }
    ydoc_free(doc);
    return rc;
}

/* Parses text and expects success. */
static void parse_ok(const char *text, struct dist *d)
{
    struct error err;
    if (parse_text(text, "x", d, &err) != 0)
        fail_msg("%s: unexpected error %d:%d %s: %s", text, err.line, err.col, err.path, err.msg);
}

/* Parses text and expects an error whose message contains `want`, located at line:col of
 * test.yaml with key path `path`. */
static void parse_fails(const char *text, const char *want, int line, int col, const char *path)
{
    struct dist d;
    struct error err;
    if (parse_text(text, "x", &d, &err) == 0)
        fail_msg("%s: parsed, expected an error containing '%s'", text, want);
    print_message("    %s -> %d:%d %s: %s\n", text, err.line, err.col, err.path, err.msg);
    if (!strstr(err.msg, want))
        fail_msg("%s: message '%s' lacks '%s'", text, err.msg, want);
    assert_string_equal(err.file, "test.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
    /* A failed parse leaves a constant 0 that is safe to free. */
    assert_string_equal(dist_name(&d), "constant");
    assert_null(d.values);
    dist_free(&d);
}

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, rel);
}

enum { SAMPLES = 200000 };

/* Draws SAMPLES values and checks the sample mean and variance against dist_mean and
 * dist_variance. The sample mean has standard error sqrt(var / n). The sample variance has
 * standard error sqrt((mu4 - var^2) / n) to first order, with mu4 the fourth central moment,
 * estimated here from the same sample; families are given parameters for which mu4 exists
 * (pareto shape > 4). Both checks allow 5 standard errors: with a fixed seed the test is
 * deterministic, and 5 SE keeps a correct sampler far from the bound. */
static void check_moments(const struct dist *d, const char *stream)
{
    gsl_rng *rng = rng_stream_new(20240601, 0, stream);
    assert_non_null(rng);
    double *x = malloc(SAMPLES * sizeof x[0]);
    assert_non_null(x);
    double sum = 0;
    for (int i = 0; i < SAMPLES; i++) {
        x[i] = dist_sample(d, rng);
        assert_true(isfinite(x[i]));
        sum += x[i];
    }
    double mean = sum / SAMPLES, m2 = 0, m4 = 0;
    for (int i = 0; i < SAMPLES; i++) {
        double dev = (x[i] - mean) * (x[i] - mean);
        m2 += dev;
        m4 += dev * dev;
    }
    double var = m2 / (SAMPLES - 1);
    m4 /= SAMPLES;
    double want_mean = dist_mean(d), want_var = dist_variance(d);
    double se_mean = sqrt(want_var / SAMPLES), se_var = sqrt((m4 - var * var) / SAMPLES);
    print_message("    %-12s mean %.6g (want %.6g, %+.2f SE)  variance %.6g (want %.6g, "
                  "%+.2f SE)\n",
                  dist_name(d), mean, want_mean, (mean - want_mean) / se_mean, var, want_var,
                  (var - want_var) / se_var);
    assert_true(fabs(mean - want_mean) < 5 * se_mean);
    assert_true(fabs(var - want_var) < 5 * se_var);
    free(x);
    gsl_rng_free(rng);
}

/* --- sampling --- */

static void constant_always_returns_its_value(void **state)
{
    struct dist d;
    dist_constant(&d, 3.5);
    gsl_rng *rng = rng_stream_new(1, 0, "constant");
    for (int i = 0; i < 1000; i++)
        assert_true(dist_sample(&d, rng) == 3.5);
    assert_true(dist_mean(&d) == 3.5);
    assert_true(dist_variance(&d) == 0.0);
    gsl_rng_free(rng);
    dist_free(&d);
}

static void samples_match_mean_and_variance_of_every_family(void **state)
{
    const char *texts[] = {
        "x: {dist: uniform, min: 1, max: 4}",        "x: {dist: exponential, mean: 2}",
        "x: {dist: normal, mean: 10, sd: 2}",        "x: {dist: lognormal, mean: 10, cv: 0.5}",
        "x: {dist: lognormal, mu: 0, sigma: 0.25}",  "x: {dist: gamma, mean: 10, cv: 0.5}",
        "x: {dist: gamma, shape: 0.5, scale: 3}", /* shape < 1 takes GSL's other branch */
        "x: {dist: weibull, shape: 1.5, scale: 10}", "x: {dist: weibull, shape: 0.8, scale: 2}",
        "x: {dist: pareto, shape: 6, scale: 1}",     "x: {dist: empirical, values: [1, 2, 2, 5]}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct dist d;
        parse_ok(texts[i], &d);
        check_moments(&d, texts[i]);
        dist_free(&d);
    }
}

static void builders_sample_their_distributions(void **state)
{
    struct dist d;
    dist_exponential(&d, 0.5);
    check_moments(&d, "exponential");
    dist_lognormal_mean_cv(&d, 1000, 1.5);
    check_moments(&d, "lognormal");
    const double values[] = {3, -1, 4, 1, 5, 9, 2, 6};
    assert_int_equal(dist_empirical(&d, values, 8), 0);
    check_moments(&d, "empirical");
    dist_free(&d);
}

static void empirical_draws_only_listed_values_equally_often(void **state)
{
    const double values[] = {1, 2, 2, 5};
    struct dist d;
    assert_int_equal(dist_empirical(&d, values, 4), 0);
    assert_int_equal(d.n_values, 4);
    assert_true(d.values != values); /* copied */
    gsl_rng *rng = rng_stream_new(3, 0, "empirical");
    long count[6] = {0};
    for (int i = 0; i < SAMPLES; i++) {
        double x = dist_sample(&d, rng);
        assert_true(x == 1 || x == 2 || x == 5);
        count[(int)x]++;
    }
    /* Binomial counts: 5 standard errors of n p (1 - p). */
    double se_quarter = sqrt(SAMPLES * 0.25 * 0.75), se_half = sqrt(SAMPLES * 0.5 * 0.5);
    assert_true(fabs(count[1] - SAMPLES * 0.25) < 5 * se_quarter);
    assert_true(fabs(count[2] - SAMPLES * 0.5) < 5 * se_half);
    assert_true(fabs(count[5] - SAMPLES * 0.25) < 5 * se_quarter);
    gsl_rng_free(rng);
    dist_free(&d);
    assert_null(d.values);
    assert_string_equal(dist_name(&d), "constant");
}

static void same_stream_gives_same_samples(void **state)
{
    struct dist d;
    parse_ok("x: {dist: gamma, shape: 2, scale: 3}", &d);
    gsl_rng *a = rng_stream_new(9, 1, "service"), *b = rng_stream_new(9, 1, "service");
    for (int i = 0; i < 1000; i++)
        assert_true(dist_sample(&d, a) == dist_sample(&d, b));
    gsl_rng_free(a);
    gsl_rng_free(b);
    dist_free(&d);
}

/* --- closed forms --- */

static void means_and_variances_equal_closed_forms(void **state)
{
    const double pi = 3.14159265358979323846, e = 2.71828182845904523536;
    struct {
        const char *text, *name;
        double mean, variance;
    } cases[] = {
        {"x: 3.5", "constant", 3.5, 0},
        {"x: {dist: constant, value: -2}", "constant", -2, 0},
        {"x: {dist: uniform, min: 1, max: 4}", "uniform", 2.5, 0.75},
        {"x: {dist: exponential, mean: 2}", "exponential", 2, 4},
        {"x: {dist: normal, mean: 10, sd: 2}", "normal", 10, 4},
        {"x: {dist: normal, mean: 10, sd: 0}", "normal", 10, 0},
        /* mean m and cv give variance (cv m)^2 whatever the family */
        {"x: {dist: lognormal, mean: 10, cv: 0.5}", "lognormal", 10, 25},
        {"x: {dist: lognormal, mu: 0, sigma: 1}", "lognormal", sqrt(e), (e - 1) * e},
        {"x: {dist: gamma, mean: 10, cv: 0.5}", "gamma", 10, 25},
        {"x: {dist: gamma, shape: 2, scale: 3}", "gamma", 6, 18},
        /* weibull shape 1 is exponential; shape 2 is Rayleigh: sqrt(pi)/2, 1 - pi/4 */
        {"x: {dist: weibull, shape: 1, scale: 10}", "weibull", 10, 100},
        {"x: {dist: weibull, shape: 2, scale: 1}", "weibull", sqrt(pi) / 2, 1 - pi / 4},
        /* pareto: 3 * 1 / 2 and 1 * 3 / (2^2 * 1) */
        {"x: {dist: pareto, shape: 3, scale: 1}", "pareto", 1.5, 0.75},
        {"x: {dist: pareto, shape: 2, scale: 1}", "pareto", 2, INFINITY},
        {"x: {dist: pareto, shape: 1, scale: 1}", "pareto", INFINITY, INFINITY},
        {"x: {dist: pareto, shape: 0.5, scale: 4}", "pareto", INFINITY, INFINITY},
        {"x: {dist: empirical, values: [1, 2, 2, 5]}", "empirical", 2.5, 2.25},
        {"x: {dist: empirical, values: [7]}", "empirical", 7, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dist d;
        parse_ok(cases[i].text, &d);
        assert_string_equal(dist_name(&d), cases[i].name);
        if (isinf(cases[i].mean))
            assert_true(isinf(dist_mean(&d)) && dist_mean(&d) > 0);
        else if (cases[i].mean == 0)
            assert_true(dist_mean(&d) == 0);
        else
            assert_close(dist_mean(&d), cases[i].mean, 1e-12);
        if (isinf(cases[i].variance))
            assert_true(isinf(dist_variance(&d)) && dist_variance(&d) > 0);
        else if (cases[i].variance == 0)
            assert_true(dist_variance(&d) == 0);
        else
            assert_close(dist_variance(&d), cases[i].variance, 1e-12);
        dist_free(&d);
    }
}

static void lognormal_and_gamma_parameterisations_agree(void **state)
{
    /* lognormal mean 10, cv 0.5: sigma^2 = ln 1.25, mu = ln 10 - sigma^2 / 2 */
    struct dist a, b;
    parse_ok("x: {dist: lognormal, mean: 10, cv: 0.5}", &a);
    assert_close(a.p[1], sqrt(log(1.25)), 1e-15);
    assert_close(a.p[0], log(10) - 0.5 * log(1.25), 1e-15);
    dist_lognormal_mean_cv(&b, 10, 0.5);
    assert_memory_equal(a.p, b.p, sizeof a.p);
    dist_free(&a);
    dist_free(&b);

    /* gamma mean 10, cv 0.5: shape 1 / 0.25 = 4, scale 10 * 0.25 = 2.5 */
    parse_ok("x: {dist: gamma, mean: 10, cv: 0.5}", &a);
    parse_ok("x: {dist: gamma, shape: 4, scale: 2.5}", &b);
    assert_memory_equal(a.p, b.p, sizeof a.p);
    dist_free(&a);
    dist_free(&b);
}

/* --- parsing errors --- */

static void unknown_key_in_a_distribution_is_reported_later(void **state)
{
    struct error err;
    error_clear(&err);
    struct ydoc *doc =
        ydoc_load_string("x: {dist: exponential, mean: 2, meen: 3}\n", "test.yaml", &err);
    assert_non_null(doc);
    struct dist d;
    assert_int_equal(dist_parse(&d, ydoc_get(ydoc_root(doc), "x"), &err), 0);
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    print_message("    %d:%d %s: %s\n", err.line, err.col, err.path, err.msg);
    assert_non_null(strstr(err.msg, "meen"));
    assert_non_null(strstr(err.msg, "did you mean 'mean'"));
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 33);
    dist_free(&d);
    ydoc_free(doc);
}

static void unknown_family_suggests_the_closest(void **state)
{
    parse_fails("x: {dist: exponentail, mean: 2}", "did you mean 'exponential'", 1, 11, "x.dist");
    parse_fails("x:\n  dist: gama\n  mean: 2\n", "did you mean 'gamma'", 2, 9, "x.dist");
}

static void shapes_other_than_number_or_map_are_errors(void **state)
{
    parse_fails("x: fast", "a distribution is a number or a map", 1, 4, "x");
    parse_fails("x: [1, 2]", "expected a number or a map with 'dist', got a list", 1, 4, "x");
    parse_fails("x: {mean: 2}", "missing required key 'dist'", 1, 4, "x");
}

static void missing_and_partial_parameters_are_errors(void **state)
{
    parse_fails("x: {dist: exponential}", "missing required key 'mean'", 1, 4, "x");
    parse_fails("x: {dist: uniform, max: 3}", "missing required key 'min'", 1, 4, "x");
    parse_fails("x: {dist: gamma}", "give mean and cv, or shape and scale", 1, 4, "x");
    parse_fails("x: {dist: gamma, mean: 3}", "missing required key 'cv'", 1, 4, "x");
    parse_fails("x: {dist: lognormal, sigma: 1}", "missing required key 'mu'", 1, 4, "x");
    parse_fails("x: {dist: empirical}", "give values, or file and column", 1, 4, "x");
    parse_fails("x: {dist: empirical, file: a.csv}", "missing required key 'column'", 1, 4, "x");
}

static void both_parameterisations_at_once_are_an_error(void **state)
{
    parse_fails("x: {dist: lognormal, mean: 1, cv: 1, mu: 0}",
                "give either mean and cv, or mu and sigma, not keys of both", 1, 42, "x.mu");
    parse_fails("x:\n  dist: gamma\n  mean: 1\n  scale: 2\n", "not keys of both", 4, 10, "x.scale");
    parse_fails("x: {dist: empirical, values: [1], file: a.csv, column: c}",
                "give either values, or file and column, not both", 1, 41, "x.file");
}

static void out_of_range_parameters_are_errors(void **state)
{
    parse_fails("x: {dist: lognormal, mean: 10, cv: 0}", "> 0", 1, 36, "x.cv");
    parse_fails("x: {dist: gamma, mean: 10, cv: -0.5}", "> 0", 1, 32, "x.cv");
    parse_fails("x: {dist: exponential, mean: 0}", "> 0", 1, 30, "x.mean");
    parse_fails("x: {dist: normal, mean: 0, sd: -1}", ">= 0", 1, 32, "x.sd");
    parse_fails("x: {dist: uniform, min: 4, max: 4}", "max (4) must be greater than min (4)", 1, 33,
                "x.max");
    parse_fails("x: {dist: uniform, min: 5, max: 4}", "must be greater than min", 1, 33, "x.max");
    parse_fails("x: {dist: weibull, shape: 0, scale: 1}", "> 0", 1, 27, "x.shape");
    parse_fails("x: {dist: pareto, shape: 2, scale: -1}", "> 0", 1, 36, "x.scale");
    parse_fails("x: {dist: lognormal, mu: 1, sigma: 0}", "> 0", 1, 36, "x.sigma");
    parse_fails("x: {dist: exponential, mean: two}", "two", 1, 30, "x.mean");
}

static void empirical_values_must_be_a_non_empty_list_of_numbers(void **state)
{
    parse_fails("x: {dist: empirical, values: []}", "must not be empty", 1, 30, "x.values");
    parse_fails("x: {dist: empirical, values: [1, b, 3]}", "'b'", 1, 34, "x.values[1]");
    parse_fails("x: {dist: empirical, values: 3}", "expected a list", 1, 30, "x.values");
}

/* --- empirical from a CSV file next to the scenario --- */

struct csv_fixture {
    char dir[64];
    char scenario[128];
    char csv[128];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Writes lengths.csv (unless csv is NULL) and scenario.yaml with the given body into a new
 * temporary directory, loads the scenario by its absolute path (the working directory is
 * elsewhere, so only resolution against the scenario's directory finds the CSV) and parses
 * workload.prompt_tokens. */
static int parse_csv(struct csv_fixture *fx, const char *csv, const char *scenario, struct dist *d,
                     struct error *err)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/haisim-test-dist-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->scenario, sizeof fx->scenario, "%s/scenario.yaml", fx->dir);
    snprintf(fx->csv, sizeof fx->csv, "%s/lengths.csv", fx->dir);
    if (csv)
        write_file(fx->csv, csv);
    write_file(fx->scenario, scenario);
    error_clear(err);
    struct ydoc *doc = ydoc_load_file(fx->scenario, err);
    assert_non_null(doc);
    struct ydoc_node *workload = ydoc_get(ydoc_root(doc), "workload");
    int rc = dist_parse(d, ydoc_get(workload, "prompt_tokens"), err);
    ydoc_free(doc);
    if (csv)
        assert_int_equal(unlink(fx->csv), 0);
    assert_int_equal(unlink(fx->scenario), 0);
    assert_int_equal(rmdir(fx->dir), 0);
    if (rc != 0)
        print_message("    %s:%d:%d %s: %s\n", err->file, err->line, err->col, err->path, err->msg);
    return rc;
}

static const char csv_scenario[] = "# lengths from a trace\n"
                                   "workload:\n"
                                   "  prompt_tokens: {dist: empirical, file: lengths.csv, "
                                   "column: tokens}\n";

/* Expects the CSV parse to fail with `want` in the message, located in the scenario at
 * line 3, column col, key path `path`. */
static void csv_fails(const char *csv, const char *scenario, const char *want, int col,
                      const char *path)
{
    struct csv_fixture fx;
    struct dist d;
    struct error err;
    assert_int_equal(parse_csv(&fx, csv, scenario, &d, &err), -1);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_string_equal(err.file, fx.scenario);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
    dist_free(&d);
}

static void empirical_reads_a_csv_column_relative_to_the_scenario(void **state)
{
    struct csv_fixture fx;
    struct dist d;
    struct error err;
    /* CRLF line ends, blanks around cells, other columns, trailing blank lines. */
    const char *csv = "id,tokens,note\r\n1,10,a\r\n2, 20 ,b\r\n3,30.5,\r\n4,1e2,c\r\n\r\n";
    assert_int_equal(parse_csv(&fx, csv, csv_scenario, &d, &err), 0);
    assert_string_equal(dist_name(&d), "empirical");
    assert_int_equal(d.n_values, 4);
    const double want[] = {10, 20, 30.5, 100};
    assert_memory_equal(d.values, want, sizeof want);
    assert_close(dist_mean(&d), 40.125, 1e-15);
    dist_free(&d);

    /* A last line without a line end, and the only column. */
    assert_int_equal(parse_csv(&fx, "tokens\n5\n7", csv_scenario, &d, &err), 0);
    assert_int_equal(d.n_values, 2);
    assert_close(dist_mean(&d), 6, 1e-15);
    dist_free(&d);
}

static void empirical_csv_errors_name_the_file_line_and_column(void **state)
{
    const char *path = "workload.prompt_tokens.file";
    csv_fails("id,tokns\n1,10\n", csv_scenario, "no column 'tokens'", 63,
              "workload.prompt_tokens.column");
    csv_fails("id,tokns\n1,10\n", csv_scenario, "did you mean 'tokns'?", 63,
              "workload.prompt_tokens.column");
    csv_fails("id,tokens\n1,10\n2,abc\n", csv_scenario, "lengths.csv:3: expected a number", 42,
              path);
    csv_fails("id,tokens\n1,10\n2,\n3,4\n", csv_scenario, "lengths.csv:3: empty cell", 42, path);
    csv_fails("id,tokens\n1,10\n2\n", csv_scenario, "lengths.csv:3: no cell for column", 42, path);
    csv_fails("id,tokens\n1,10\n\n3,4\n", csv_scenario, "lengths.csv:3: blank line", 42, path);
    csv_fails("id,tokens\n1,inf\n", csv_scenario, "got 'inf'", 42, path);
    csv_fails("id,tokens\n", csv_scenario, "has no values", 42, path);
    csv_fails("", csv_scenario, "header row", 42, path);
    csv_fails(NULL, csv_scenario, "cannot read", 42, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_always_returns_its_value),
        cmocka_unit_test(samples_match_mean_and_variance_of_every_family),
        cmocka_unit_test(builders_sample_their_distributions),
        cmocka_unit_test(empirical_draws_only_listed_values_equally_often),
        cmocka_unit_test(same_stream_gives_same_samples),
        cmocka_unit_test(means_and_variances_equal_closed_forms),
        cmocka_unit_test(lognormal_and_gamma_parameterisations_agree),
        cmocka_unit_test(unknown_key_in_a_distribution_is_reported_later),
        cmocka_unit_test(unknown_family_suggests_the_closest),
        cmocka_unit_test(shapes_other_than_number_or_map_are_errors),
        cmocka_unit_test(missing_and_partial_parameters_are_errors),
        cmocka_unit_test(both_parameterisations_at_once_are_an_error),
        cmocka_unit_test(out_of_range_parameters_are_errors),
        cmocka_unit_test(empirical_values_must_be_a_non_empty_list_of_numbers),
        cmocka_unit_test(empirical_reads_a_csv_column_relative_to_the_scenario),
        cmocka_unit_test(empirical_csv_errors_name_the_file_line_and_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
