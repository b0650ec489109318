/* Tests of sweep: reading sweep files, expanding axes into points (grid and zip, values,
 * range and log_range), the --set text of each value, the options of a point, and errors
 * located in the sweep file (including errors met while loading a point's scenario). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sweep.h"

#define QUICKSTART HAISIM_SOURCE_DIR "/scenarios/quickstart.yaml"

static void fail_with(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

static void load(struct sweep *sw, const char *text)
{
    struct error err;
    error_clear(&err);
    if (sweep_load_text(sw, text, "test.yaml", &err) != 0)
        fail_with(&err);
}

/* Loads text that must fail; returns the formatted error. */
static void load_fails(const char *text, char *buf, size_t len)
{
    struct sweep sw;
    struct error err;
    error_clear(&err);
    assert_int_not_equal(sweep_load_text(&sw, text, "test.yaml", &err), 0);
    sweep_free(&sw);
    error_format(&err, buf, len);
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("'%s' does not contain '%s'", text, part);
}

/* The value text of axis a at point p. */
static const char *value_at(const struct sweep *sw, size_t p, size_t a)
{
    return sw->axes[a].values[sweep_value_index(sw, p, a)];
}

static void grid_is_the_cartesian_product_last_axis_fastest(void **state)
{
    struct sweep sw;
    load(&sw, "base: x.yaml\n"
              "axes:\n"
              "  - {key: arbiter, values: [device, cloud, edge]}\n"
              "  - {key: cloud.slots, range: {from: 1, to: 2, step: 1}}\n");
    assert_int_equal(sw.mode, SWEEP_GRID);
    assert_int_equal(sw.n_points, 6);
    /* Nested loops: arbiter outermost, slots fastest. */
    static const char *const want[6][2] = {{"device", "1"}, {"device", "2"}, {"cloud", "1"},
                                           {"cloud", "2"},  {"edge", "1"},   {"edge", "2"}};
    for (size_t p = 0; p < 6; p++) {
        assert_string_equal(value_at(&sw, p, 0), want[p][0]);
        assert_string_equal(value_at(&sw, p, 1), want[p][1]);
    }
    assert_string_equal(sw.axes[1].assignments[1], "cloud.slots=2");
    assert_string_equal(sw.name, "test"); /* from the file name "test.yaml" */
    sweep_free(&sw);
    (void)state;
}

static void zip_pairs_value_i_of_every_axis(void **state)
{
    struct sweep sw;
    load(&sw, "name: z\nbase: x.yaml\nmode: zip\n"
              "axes:\n"
              "  - {key: a, values: [1, 2, 3]}\n"
              "  - {key: b, values: [x, y, z]}\n"
              "  - {key: c, range: {from: 10, to: 30, step: 10}}\n");
    assert_int_equal(sw.n_points, 3);
    assert_string_equal(sw.name, "z");
    for (size_t p = 0; p < 3; p++)
        assert_int_equal(sweep_value_index(&sw, p, 2), p);
    assert_string_equal(value_at(&sw, 1, 0), "2");
    assert_string_equal(value_at(&sw, 1, 1), "y");
    assert_string_equal(value_at(&sw, 1, 2), "20");
    sweep_free(&sw);
    (void)state;
}

static void zip_with_unequal_lengths_is_located_at_the_axis(void **state)
{
    char buf[2048];
    load_fails("base: x.yaml\nmode: zip\naxes:\n"
               "  - {key: a, values: [1, 2, 3]}\n"
               "  - {key: b, values: [1, 2]}\n",
               buf, sizeof buf);
    assert_contains(buf, "test.yaml:5:5: axes[1]: mode zip needs axes of equal length");
    (void)state;
}

static void range_values_are_computed_not_accumulated(void **state)
{
    /* 0.1 added ten times is 0.9999999999999999 and 0.1·3 is 0.30000000000000004: the range
     * computes from + k·step and prints 12 significant digits, so it ends at exactly "1". */
    struct sweep sw;
    load(&sw, "base: x.yaml\naxes:\n  - {key: a, range: {from: 0, to: 1, step: 0.1}}\n");
    assert_int_equal(sw.axes[0].n_values, 11);
    assert_string_equal(sw.axes[0].values[3], "0.3");
    assert_string_equal(sw.axes[0].values[10], "1");
    assert_false(sw.axes[0].log_scale);
    sweep_free(&sw);
    (void)state;
}

static void log_range_is_geometric_with_exact_ends(void **state)
{
    struct sweep sw;
    load(&sw, "base: x.yaml\naxes:\n"
              "  - {key: a, log_range: {from: 1, to: 1000, points: 4}}\n"
              "  - {key: b, log_range: {from: 1, to: 256, points: 5, round: true}}\n"
              "  - {key: c, log_range: {from: 1, to: 3, points: 5, round: true}}\n"
              "  - {key: d, log_range: {from: 0.25, to: 8, points: 6}}\n");
    static const char *const a[] = {"1", "10", "100", "1000"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(sw.axes[0].values[i], a[i]);
    /* 256^(k/4) = 1, 4, 16, 64, 256 */
    static const char *const b[] = {"1", "4", "16", "64", "256"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(sw.axes[1].values[i], b[i]);
    /* 3^(k/4) = 1, 1.316, 1.732, 2.280, 3 → rounded 1, 1, 2, 2, 3 → duplicates dropped */
    assert_int_equal(sw.axes[2].n_values, 3);
    assert_string_equal(sw.axes[2].values[1], "2");
    /* 0.25·32^(k/5) doubles at each step */
    assert_string_equal(sw.axes[3].values[1], "0.5");
    assert_string_equal(sw.axes[3].values[5], "8");
    assert_true(sw.axes[3].log_scale);
    assert_int_equal(sw.n_points, 4 * 5 * 3 * 6);
    sweep_free(&sw);
    (void)state;
}

static void values_become_flow_yaml_for_set(void **state)
{
    struct sweep sw;
    load(&sw, "base: x.yaml\naxes:\n"
              "  - key: devices.workload.prompt_tokens\n"
              "    values:\n"
              "      - {dist: exponential, mean: 3}\n"
              "      - 'a b'\n"
              "      - [1, 2]\n"
              "      - 'say \"hi\"'\n");
    assert_string_equal(sw.axes[0].values[0], "{dist: exponential, mean: 3}");
    assert_string_equal(sw.axes[0].values[1], "\"a b\"");
    assert_string_equal(sw.axes[0].values[2], "[1, 2]");
    assert_string_equal(sw.axes[0].values[3], "\"say \\\"hi\\\"\"");
    assert_string_equal(sw.axes[0].assignments[0],
                        "devices.workload.prompt_tokens={dist: exponential, mean: 3}");
    /* The label comes from the key's last part and its unit suffix. */
    assert_string_equal(sw.axes[0].label, "prompt tokens");
    sweep_free(&sw);
    (void)state;
}

static void labels_show_the_unit_of_the_key(void **state)
{
    struct sweep sw;
    load(&sw, "base: x.yaml\naxes:\n"
              "  - {key: devices.workload.arrival.rate_rps, values: [1]}\n"
              "  - {key: devices.network.cloud.rtt_ms, values: [1]}\n"
              "  - {key: cloud.slots, values: [1], label: GPU slots}\n");
    assert_string_equal(sw.axes[0].label, "rate (req/s)");
    assert_string_equal(sw.axes[1].label, "rtt (ms)");
    assert_string_equal(sw.axes[2].label, "GPU slots");
    sweep_free(&sw);
    (void)state;
}

static void point_options_apply_sets_then_axes_with_seed_and_replications(void **state)
{
    struct sweep sw;
    load(&sw, "base: x.yaml\nseed: 7\nreplications: 4\n"
              "set: {run.duration_s: 60, outputs: {requests: true}}\n"
              "axes:\n  - {key: cloud.slots, values: [1, 2]}\n  - {key: a.b, values: [x]}\n");
    assert_int_equal(sweep_point_n_sets(&sw), 4);
    const char *sets[4];
    struct experiment_options base = {.profiles_builtin_dir = "dir"}, opt;
    sweep_point_options(&sw, 1, &base, sets, &opt);
    assert_int_equal(opt.n_sets, 4);
    assert_string_equal(opt.sets[0], "run.duration_s=60");
    assert_string_equal(opt.sets[1], "outputs={requests: true}");
    assert_string_equal(opt.sets[2], "cloud.slots=2");
    assert_string_equal(opt.sets[3], "a.b=x");
    assert_true(opt.has_seed);
    assert_int_equal(opt.seed, 7);
    assert_int_equal(opt.replications, 4);
    assert_string_equal(opt.profiles_builtin_dir, "dir");
    sweep_free(&sw);
    (void)state;
}

static void base_resolves_against_the_sweep_file(void **state)
{
    struct sweep sw;
    struct error err;
    error_clear(&err);
    if (sweep_load_text(&sw, "base: ../quickstart.yaml\naxes: [{key: a, values: [1]}]\n",
                        "scenarios/sweeps/s.yaml", &err) != 0)
        fail_with(&err);
    assert_string_equal(sw.base_path, "scenarios/sweeps/../quickstart.yaml");
    assert_false(sw.has_seed);
    assert_int_equal(sw.replications, 0);
    sweep_free(&sw);
    (void)state;
}

/* A relative path in an axis value or a `set:` resolves against the sweep file's directory,
 * like `base`, whatever the current directory (it once resolved against the latter). */
static void relative_paths_in_values_resolve_against_the_sweep_file(void **state)
{
    struct sweep sw;
    struct error err;
    error_clear(&err);
    const char *text = "base: ../scenarios/outage.yaml\n"
                       "set: {devices.network.cloud.outage: {file: outages-sample.csv}}\n"
                       "axes:\n  - key: devices.workload\n"
                       "    values: [{arrival: {process: trace, file: sys_outage_trace.csv}}]\n";
    if (sweep_load_text(&sw, text, HAISIM_SOURCE_DIR "/tests/data/s.yaml", &err) != 0)
        fail_with(&err);
    struct experiment ex;
    struct experiment_options base = {.profiles_builtin_dir = HAISIM_PROFILES_DIR}, opt;
    const char *sets[2];
    sweep_point_options(&sw, 0, &base, sets, &opt);
    assert_string_equal(opt.sets_origin, HAISIM_SOURCE_DIR "/tests/data/--set");
    if (experiment_load(&ex, sw.base_path, &opt, &err) != 0)
        fail_with(&err);
    experiment_free(&ex);
    sweep_free(&sw);
    (void)state;
}

static void bad_sweep_files_are_located_errors(void **state)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"base: x.yaml\naxis: [{key: a, values: [1]}]\n",
         "unknown key 'axis' (did you mean 'axes'?)"},
        {"axes: [{key: a, values: [1]}]\n", "missing required key 'base'"},
        {"base: x.yaml\naxes: []\n", "axes must list at least one axis"},
        {"base: x.yaml\naxes: [{key: a, values: [1], range: {from: 1, to: 2, step: 1}}]\n",
         "exactly one of values, range, log_range"},
        {"base: x.yaml\naxes: [{key: a, values: [1]}, {key: a, values: [2]}]\n",
         "key 'a' is swept twice"},
        {"base: x.yaml\naxes: [{key: variant, values: [1]}]\n", "names a results column"},
        {"base: x.yaml\naxes: [{key: a, range: {from: 2, to: 1, step: 1}}]\n",
         "to must be >= from"},
        {"base: x.yaml\naxes: [{key: a, range: {from: 1, to: 2, step: 0}}]\n", "step"},
        {"base: x.yaml\naxes: [{key: a, log_range: {from: 0, to: 2, points: 3}}]\n", "from"},
        {"base: x.yaml\naxes: [{key: a, values: []}]\n", "at least one value"},
        {"base: x.yaml\nmode: cross\naxes: [{key: a, values: [1]}]\n", "expected one of grid, zip"},
        {"base: x.yaml\naxes:\n  - {key: a, range: {from: 1, to: 1000, step: 1}}\n"
         "  - {key: b, range: {from: 1, to: 1000, step: 1}}\n  - {key: c, values: [1, 2]}\n",
         "the sweep has 2000000 points; at most 1000000"},
        {"base: x.yaml\naxes: [{key: a, values: [1]}]\nexpect: [{metric: e2e_ms_p99, op: '<', "
         "threshold: 1, where: {b: 1}}]\n",
         "'b' is not a swept key"},
        {"base: x.yaml\naxes: [{key: a, values: [1]}]\nplots: [{kind: heatmap, metric: "
         "e2e_ms_p99, x: a, output: h.png}]\n",
         "needs two swept keys"},
        {"base: x.yaml\naxes: [{key: a, values: [1]}]\nplots: [{kind: line, metric: e2e_ms_p99, "
         "output: ../h.png}]\n",
         "inside its output directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[2048];
        load_fails(cases[i].text, buf, sizeof buf);
        assert_contains(buf, cases[i].want);
        assert_contains(buf, "test.yaml:"); /* every message is located in the file */
    }
    (void)state;
}

/* An error met while loading a point's scenario points at the axis value that caused it. */
static void point_errors_point_at_the_value_in_the_sweep_file(void **state)
{
    struct sweep sw;
    load(&sw, "base: " QUICKSTART "\n"
              "set: {run.duration_s: 60, run.warmup_s: 0}\n"
              "axes:\n"
              "  - {key: cloud.slots, values: [4, 0]}\n");
    struct experiment ex;
    struct experiment_options base = {.profiles_builtin_dir = HAISIM_PROFILES_DIR}, opt;
    const char *sets[3];
    struct error err;
    error_clear(&err);
    sweep_point_options(&sw, 0, &base, sets, &opt);
    if (experiment_load(&ex, sw.base_path, &opt, &err) != 0)
        fail_with(&err);
    experiment_free(&ex);
    sweep_point_options(&sw, 1, &base, sets, &opt);
    assert_int_not_equal(experiment_load(&ex, sw.base_path, &opt, &err), 0);
    experiment_free(&ex);
    sweep_point_error(&sw, 1, &err);
    char buf[2048];
    error_format(&err, buf, sizeof buf);
    /* Line 4, column 36: the 0 in "values: [4, 0]". */
    assert_contains(buf,
                    "test.yaml:4:36: axes[0].values[1]: point 2 (cloud.slots=0): cloud.slots:");
    sweep_free(&sw);
    (void)state;
}

static void fingerprint_changes_with_the_sweep_text(void **state)
{
    struct sweep a, b;
    uint64_t fa, fb, fa2;
    struct error err;
    error_clear(&err);
    load(&a, "base: " QUICKSTART "\naxes: [{key: cloud.slots, values: [1, 2]}]\n");
    load(&b, "base: " QUICKSTART "\naxes: [{key: cloud.slots, values: [1, 3]}]\n");
    assert_int_equal(sweep_fingerprint(&a, &fa, &err), 0);
    assert_int_equal(sweep_fingerprint(&a, &fa2, &err), 0);
    assert_int_equal(sweep_fingerprint(&b, &fb, &err), 0);
    assert_true(fa == fa2);
    assert_true(fa != fb);
    sweep_free(&a);
    sweep_free(&b);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grid_is_the_cartesian_product_last_axis_fastest),
        cmocka_unit_test(zip_pairs_value_i_of_every_axis),
        cmocka_unit_test(zip_with_unequal_lengths_is_located_at_the_axis),
        cmocka_unit_test(range_values_are_computed_not_accumulated),
        cmocka_unit_test(log_range_is_geometric_with_exact_ends),
        cmocka_unit_test(values_become_flow_yaml_for_set),
        cmocka_unit_test(labels_show_the_unit_of_the_key),
        cmocka_unit_test(point_options_apply_sets_then_axes_with_seed_and_replications),
        cmocka_unit_test(base_resolves_against_the_sweep_file),
        cmocka_unit_test(relative_paths_in_values_resolve_against_the_sweep_file),
        cmocka_unit_test(bad_sweep_files_are_located_errors),
        cmocka_unit_test(point_errors_point_at_the_value_in_the_sweep_file),
        cmocka_unit_test(fingerprint_changes_with_the_sweep_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
