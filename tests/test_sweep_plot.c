/* Tests of plot (the charts of sweeps): request checks, and the data each kind writes —
 * the Pareto frontier against a hand-worked set, the heatmap grid with missing cells, the
 * series of a line chart — with gnuplot absent, which must still leave the data and the
 * script behind. (Rendered images are checked by tests/cli/plot.sh.) */
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
#include "plot.h"
#include "sweep.h"

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

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_sweep_plot.XXXXXX");
    /* No gnuplot: plot_draw must still write the data and the script. */
    setenv("HAISIM_GNUPLOT", "/nonexistent/gnuplot", 1);
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    (void)state;
    return system(cmd);
}

static char *read_all(const char *path)
{
    struct error err;
    char *text = sweep_read_file(path, NULL, &err);
    if (!text)
        fail_with(&err);
    return text;
}

/* A table from a sweep text and CSV rows "point,<axis values>,variant,rep" each followed by
 * the values of the metrics named in `metrics` (space-separated). */
static void make_table(struct sweep_table *t, struct sweep *sw, const char *sweep_text,
                       const char *metrics, const char *const *rows, size_t n_rows)
{
    struct error err;
    error_clear(&err);
    if (sweep_load_text(sw, sweep_text, "s.yaml", &err) != 0 || sweep_table_for(t, sw, &err) != 0)
        fail_with(&err);
    char path[128];
    snprintf(path, sizeof path, "%s/rows.csv", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("point", f);
    for (size_t a = 0; a < sw->n_axes; a++)
        fprintf(f, ",%s", sw->axes[a].key);
    fputs(",variant,replication", f);
    for (size_t i = 0; metric_info(i).name[0]; i++)
        fprintf(f, ",%s", metric_info(i).name);
    fputc('\n', f);
    for (size_t r = 0; r < n_rows; r++) {
        /* rows[r] = "prefix|v1 v2 ..." with values in the order of `metrics` */
        const char *bar = strchr(rows[r], '|');
        fprintf(f, "%.*s", (int)(bar - rows[r]), rows[r]);
        for (size_t i = 0; metric_info(i).name[0]; i++) {
            char names[256], values[256];
            snprintf(names, sizeof names, "%s", metrics);
            snprintf(values, sizeof values, "%s", bar + 1);
            char *save_n, *save_v, *name = strtok_r(names, " ", &save_n),
                                   *value = strtok_r(values, " ", &save_v);
            const char *found = "";
            for (; name && value;
                 name = strtok_r(NULL, " ", &save_n), value = strtok_r(NULL, " ", &save_v))
                if (strcmp(name, metric_info(i).name) == 0)
                    found = value;
            fprintf(f, ",%s", found);
        }
        fputc('\n', f);
    }
    fclose(f);
    if (sweep_table_read_results(t, path, &err) != 0)
        fail_with(&err);
}

static int check(const struct plot_request *r, const struct sweep *sw, char *buf, size_t len)
{
    static const char *const variants[] = {"v", "w"};
    struct error err;
    error_clear(&err);
    int rc = plot_check(r, sw->axis_keys, sw->n_axes, variants, 2, &err);
    error_format(&err, buf, len);
    return rc;
}

static void requests_are_checked_before_anything_runs(void **state)
{
    struct sweep sw;
    struct error err;
    error_clear(&err);
    if (sweep_load_text(&sw, "base: x.yaml\naxes: [{key: a, values: [1]}, {key: b, values: [2]}]\n",
                        "s.yaml", &err) != 0)
        fail_with(&err);
    char buf[2048];
    struct plot_request r = {.kind = "lines", .output = "x.png"};
    assert_int_not_equal(check(&r, &sw, buf, sizeof buf), 0);
    assert_contains(buf, "--kind: unknown chart kind 'lines'");
    assert_contains(buf, "(did you mean 'line'?)");
    r = (struct plot_request){.kind = "line", .output = "x.jpg", .metric = "e2e_ms_p99"};
    assert_int_not_equal(check(&r, &sw, buf, sizeof buf), 0);
    assert_contains(buf, "ending in .png or .svg");
    r.output = "x.svg";
    assert_int_equal(check(&r, &sw, buf, sizeof buf), 0);
    r.metric = "e2e_p99";
    assert_int_not_equal(check(&r, &sw, buf, sizeof buf), 0);
    assert_contains(buf, "'e2e_p99' is not a metric");
    r = (struct plot_request){
        .kind = "heatmap", .output = "h.png", .metric = "e2e_ms_p99", .x = "a", .y = "c"};
    assert_int_not_equal(check(&r, &sw, buf, sizeof buf), 0);
    assert_contains(buf, "'c' is not a swept key");
    r.y = "a";
    assert_int_not_equal(check(&r, &sw, buf, sizeof buf), 0);
    assert_contains(buf, "x and y must be different");
    r.y = "b";
    r.baseline = "vv";
    assert_int_not_equal(check(&r, &sw, buf, sizeof buf), 0);
    assert_contains(buf, "'vv' is not a variant (did you mean 'v'?)");
    r = (struct plot_request){.kind = "pareto", .output = "p.png", .x = "cost_usd_per_req"};
    assert_int_not_equal(check(&r, &sw, buf, sizeof buf), 0);
    assert_contains(buf, "needs two metrics");
    r = (struct plot_request){.kind = "timeline", .output = "t.png"};
    assert_int_equal(check(&r, &sw, buf, sizeof buf), 0);
    sweep_free(&sw);
    (void)state;
}

/* Cost (USD) and accuracy of five designs: (1, 0.5), (2, 0.7), (3, 0.6), (2, 0.6), (4, 0.9).
 * Lower cost and higher accuracy are better, so (3, 0.6) and (2, 0.6) are dominated by
 * (2, 0.7); the frontier in cost order is (1, 0.5), (2, 0.7), (4, 0.9). */
static void pareto_frontier_keeps_exactly_the_undominated_points(void **state)
{
    static const char *const rows[] = {
        "1,1,v,1|1 0.5", "2,2,v,1|2 0.7", "3,3,v,1|3 0.6", "4,4,v,1|2 0.6", "5,5,v,1|4 0.9",
    };
    struct sweep sw;
    struct sweep_table t;
    make_table(&t, &sw, "base: x.yaml\naxes: [{key: a, range: {from: 1, to: 5, step: 1}}]\n",
               "cost_usd_per_req accuracy", rows, 5);
    char out[128], dat[128], gp[128], png[128];
    snprintf(out, sizeof out, "%s/pareto.png", tmpdir);
    snprintf(dat, sizeof dat, "%s/pareto.dat", tmpdir);
    snprintf(gp, sizeof gp, "%s/pareto.gp", tmpdir);
    snprintf(png, sizeof png, "%s/pareto.png", tmpdir);
    struct plot_request r = {
        .kind = "pareto", .output = out, .x = "cost_usd_per_req", .y = "accuracy"};
    struct error err;
    error_clear(&err);
    assert_int_equal(plot_draw(&r, &t, tmpdir, &err), 1); /* gnuplot missing */
    assert_contains(err.msg, "install gnuplot");
    assert_int_not_equal(access(png, F_OK), 0);
    char *data = read_all(dat), *script = read_all(gp);
    const char *frontier = strstr(data, "# Pareto frontier");
    assert_non_null(frontier);
    assert_contains(frontier, "\n1 0.5 \"v a=1\"\n2 0.7 \"v a=2\"\n4 0.9 \"v a=5\"\n");
    assert_null(strstr(frontier, "3 0.6"));
    assert_null(strstr(frontier, "2 0.6"));
    /* every design is in the scatter block */
    assert_contains(data, "3 0.6 1 \"a=3\"");
    assert_contains(script, "datafile = 'pareto.dat'\noutfile = 'pareto.png'\n"
                            "terminal_name = 'pngcairo'\n");
    assert_contains(script, "xlabel = 'cost_usd_per_req (USD), lower is better'");
    assert_contains(script, "ylabel = 'accuracy (fraction), higher is better'");
    assert_contains(script, "series[1] = 'v'");
    free(data);
    free(script);
    sweep_table_free(&t);
    sweep_free(&sw);
    (void)state;
}

/* A 3 × 2 grid of which point (a=3, b=y) is missing: its cell is NaN; cells are written with
 * x fastest, one scan line per y. */
static void heatmap_grid_has_a_cell_per_value_pair(void **state)
{
    static const char *const rows[] = {
        "1,1,x,v,1|10", "1,1,x,w,1|20", "2,1,y,v,1|11", "2,1,y,w,1|44", "3,2,x,v,1|12",
        "3,2,x,w,1|36", "4,2,y,v,1|13", "4,2,y,w,1|26", "5,3,x,v,1|14", "5,3,x,w,1|28",
    };
    struct sweep sw;
    struct sweep_table t;
    make_table(&t, &sw,
               "base: x.yaml\naxes: [{key: a, values: [1, 2, 3]}, {key: b, values: [x, y]}]\n",
               "e2e_ms_mean", rows, 10);
    char out[128], dat[128];
    snprintf(out, sizeof out, "%s/heat.svg", tmpdir);
    snprintf(dat, sizeof dat, "%s/heat.dat", tmpdir);
    struct plot_request r = {.kind = "heatmap",
                             .output = out,
                             .metric = "e2e_ms_mean",
                             .x = "a",
                             .y = "b",
                             .variant = "v",
                             .baseline = "w"};
    struct error err;
    error_clear(&err);
    assert_int_equal(plot_draw(&r, &t, tmpdir, &err), 1);
    char *data = read_all(dat);
    /* speed-up = w / v */
    assert_contains(data, "0 0 2\n1 0 3\n2 0 2\n\n0 1 4\n1 1 2\n2 1 NaN\n\n");
    free(data);
    snprintf(dat, sizeof dat, "%s/heat.gp", tmpdir);
    char *script = read_all(dat);
    assert_contains(script, "terminal_name = 'svg'");
    assert_contains(script, "xtics_command = 'set xtics (\"1\" 0, \"2\" 1, \"3\" 2)'");
    assert_contains(script, "ytics_command = 'set ytics (\"x\" 0, \"y\" 1)'");
    assert_contains(script, "nx = 3\nny = 2\n");
    free(script);
    sweep_table_free(&t);
    sweep_free(&sw);
    (void)state;
}

/* Two axes and two variants: without `where`, a line per variant and value of b. */
static void line_series_split_by_variant_and_the_other_keys(void **state)
{
    static const char *const rows[] = {
        "1,1,x,v,1|10", "1,1,x,v,2|12", "2,1,y,v,1|20", "3,4,x,v,1|30",
        "3,4,x,v,2|30", "4,4,y,v,1|40", "1,1,x,w,1|5",
    };
    struct sweep sw;
    struct sweep_table t;
    make_table(&t, &sw,
               "base: x.yaml\naxes: [{key: a, values: [1, 4]}, {key: b, values: [x, y]}]\n",
               "e2e_ms_p99", rows, 7);
    char out[128], dat[128];
    snprintf(out, sizeof out, "%s/line.png", tmpdir);
    snprintf(dat, sizeof dat, "%s/line.dat", tmpdir);
    struct plot_request r = {.kind = "line", .output = out, .metric = "e2e_ms_p99"};
    struct error err;
    error_clear(&err);
    assert_int_equal(plot_draw(&r, &t, tmpdir, &err), 1);
    char *data = read_all(dat);
    /* mean of {10, 12} = 11 with half-width t(0.975,1)·√2/√2 = 12.71 */
    assert_contains(data,
                    "# series 1: v, b=x\n# x mean ci95_half_width\n1 11 12.70620474\n4 30 0\n");
    assert_contains(data, "# series 2: w, b=x\n# x mean ci95_half_width\n1 5 0\n");
    assert_contains(data, "# series 3: v, b=y\n# x mean ci95_half_width\n1 20 0\n4 40 0\n");
    free(data);
    /* With b fixed, one line per variant and no b in the names. */
    const char *keys[] = {"b"}, *values[] = {"y"};
    r.n_where = 1;
    r.where_keys = keys;
    r.where_values = values;
    assert_int_equal(plot_draw(&r, &t, tmpdir, &err), 1);
    data = read_all(dat);
    assert_contains(data, "# series 1: v\n");
    assert_null(strstr(data, "# series 2"));
    free(data);
    sweep_table_free(&t);
    sweep_free(&sw);
    (void)state;
}

static void a_timeline_needs_the_requests_of_a_run(void **state)
{
    char out[128];
    snprintf(out, sizeof out, "%s/tl.png", tmpdir);
    struct plot_request r = {.kind = "timeline", .output = out, .requests = 3};
    struct error err;
    error_clear(&err);
    assert_int_equal(plot_draw(&r, NULL, tmpdir, &err), -1);
    assert_contains(err.msg, "add outputs: {requests: true}");
    /* Three requests, kept in order of arrival although they ended in another order. */
    char path[128];
    snprintf(path, sizeof path, "%s/requests.csv", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("variant,replication,id,location,outcome,arrival_s,tier_arrival_s,service_start_s,"
          "first_token_tier_s,last_token_tier_s,last_token_user_s,end_s\n"
          "c,1,7,cloud,completed,5.0,5.1,5.3,5.5,6.0,6.05,6.05\n"
          "c,1,3,device,completed,1.0,1.0,1.0,2.0,4.0,4.0,4.0\n"
          "c,2,3,device,completed,0.5,0.5,0.5,2.0,4.0,4.0,4.0\n"
          "c,1,9,cloud,rejected,7.0,7.1,,,,,7.1\n",
          f);
    fclose(f);
    assert_int_equal(plot_draw(&r, NULL, tmpdir, &err), 1);
    snprintf(path, sizeof path, "%s/tl.dat", tmpdir);
    char *data = read_all(path);
    /* Row 3 (top) is the first arrival, on the device: prefill then decode, no network. */
    assert_contains(data, "3 1.000000000 2.000000000 3 \"#3 device\"\n"
                          "3 2.000000000 4.000000000 4 \"#3 device\"\n"
                          "2 5.000000000 5.100000000 1 \"#7 cloud\"\n");
    assert_contains(data, "2 6.000000000 6.050000000 5 \"#7 cloud\"\n");
    assert_contains(data, "1 7.000000000 7.100000000 6 \"#9 cloud\"\n");
    free(data);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests_are_checked_before_anything_runs),
        cmocka_unit_test(pareto_frontier_keeps_exactly_the_undominated_points),
        cmocka_unit_test(heatmap_grid_has_a_cell_per_value_pair),
        cmocka_unit_test(line_series_split_by_variant_and_the_other_keys),
        cmocka_unit_test(a_timeline_needs_the_requests_of_a_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
