/* Tests of outage: the file process at its interval bounds (exact times), the alternating
 * renewal process against renewal theory (availability E[U]/(E[U]+E[D]) and the
 * equilibrium residual E[X²]/(2E[X]), Ross, Stochastic Processes 1996, §3.4.1 and §3.5),
 * lazy generation under monotone queries, and every loading error with its location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outage.h"
#include "rng.h"
#include "simtime.h"
#include "ydoc.h"

#include "map_fixture.h"

#define SAMPLE_CSV HAISIM_SOURCE_DIR "/tests/data/outages-sample.csv"

static int64_t at_s(double seconds)
{
    return simtime_from_s(seconds);
}

static int load_outage(void *cfg, struct ydoc_node *map, struct error *err)
{
    return outage_config_load(cfg, map, err);
}

/* Loads `text` and reads the outage map at top-level key "outage" (absent: NULL node). */
static int load_text(const char *text, struct outage_config *cfg, struct error *err)
{
    return fixture_load_map(text, "outage", load_outage, cfg, err);
}

static void load_ok(const char *text, struct outage_config *cfg)
{
    struct error err;
    if (load_text(text, cfg, &err) != 0)
        fail_msg("%s: unexpected error: %s", text, err.msg);
}

/* Expects an error containing `want` at test.yaml:line:col with key path `path`, and a
 * config left safe to free. */
static void load_fails(const char *text, const char *want, int line, int col, const char *path)
{
    struct outage_config cfg;
    struct error err;
    if (load_text(text, &cfg, &err) == 0)
        fail_msg("%s: loaded, expected an error containing '%s'", text, want);
    fixture_assert_error_at(&err, want, line, col, path);
    assert_int_equal(cfg.kind, OUTAGE_NONE);
    outage_config_free(&cfg);
}

static void load_sample(struct outage_config *cfg)
{
    char text[1024];
    snprintf(text, sizeof text, "outage: {file: '%s'}\n", SAMPLE_CSV);
    load_ok(text, cfg);
    assert_int_equal(cfg->kind, OUTAGE_FILE);
}

/* --- always up --- */

static void absent_outage_is_always_up(void **unused)
{
    struct outage_config cfg;
    struct outage_state st;
    struct error err;
    assert_int_equal(outage_config_load(&cfg, NULL, &err), 0); /* no `outage` key */
    assert_int_equal(cfg.kind, OUTAGE_NONE);
    assert_false(cfg.shared);
    outage_state_init(&st, &cfg, NULL);
    for (double t = 0; t < 1e6; t += 1234.5) {
        assert_true(outage_is_up(&st, &cfg, at_s(t)));
        assert_int_equal(outage_next_up_ns(&st, &cfg, at_s(t)), at_s(t));
        assert_int_equal(outage_next_change_ns(&st, &cfg, at_s(t)), SIMTIME_NEVER);
    }
    assert_true(outage_availability(&cfg, at_s(100)) == 1.0);
    outage_config_free(&cfg);
}

/* --- the file process --- */

/* tests/data/outages-sample.csv: down [1, 3), [5, 5.5), [10, 20) s. */
static void file_outages_switch_exactly_at_interval_bounds(void **unused)
{
    struct outage_config cfg;
    struct outage_state st;
    load_sample(&cfg);
    assert_int_equal(cfg.n_intervals, 3);
    outage_state_init(&st, &cfg, NULL);
    const struct {
        int64_t t_ns;
        bool up;
        int64_t next_up_ns, next_change_ns;
    } cases[] = {
        {0, true, 0, at_s(1)},
        {at_s(1) - 1, true, at_s(1) - 1, at_s(1)},
        {at_s(1), false, at_s(3), at_s(3)}, /* down at the interval's start */
        {at_s(2.5), false, at_s(3), at_s(3)},
        {at_s(3) - 1, false, at_s(3), at_s(3)},
        {at_s(3), true, at_s(3), at_s(5)}, /* up again at its end */
        {at_s(5.25), false, at_s(5.5), at_s(5.5)},
        {at_s(5.5), true, at_s(5.5), at_s(10)},
        {at_s(10), false, at_s(20), at_s(20)},
        {at_s(19.999), false, at_s(20), at_s(20)},
        {at_s(20), true, at_s(20), SIMTIME_NEVER},
        {at_s(1e6), true, at_s(1e6), SIMTIME_NEVER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = cases[i].t_ns;
        if (outage_is_up(&st, &cfg, t) != cases[i].up)
            fail_msg("t = %lld ns: expected %s", (long long)t, cases[i].up ? "up" : "down");
        assert_int_equal(outage_next_up_ns(&st, &cfg, t), cases[i].next_up_ns);
        assert_int_equal(outage_next_change_ns(&st, &cfg, t), cases[i].next_change_ns);
    }
    outage_config_free(&cfg);
}

static void file_availability_is_the_up_share_of_the_horizon(void **unused)
{
    struct outage_config cfg;
    load_sample(&cfg);
    /* [0, 30): down 2 + 0.5 + 10 = 12.5 s; [0, 15): down 2 + 0.5 + 5 = 7.5 s. */
    assert_true(fabs(outage_availability(&cfg, at_s(30)) - (1 - 12.5 / 30)) < 1e-12);
    assert_true(fabs(outage_availability(&cfg, at_s(15)) - 0.5) < 1e-12);
    assert_true(fabs(outage_availability(&cfg, at_s(1)) - 1.0) < 1e-12);
    outage_config_free(&cfg);
}

/* --- CSV files in a temporary directory, named relative to the YAML file --- */

struct csv_fixture {
    char dir[64], yaml[128], csv[128];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Writes outages.csv (unless csv is NULL) and scenario.yaml ("outage: {file: outages.csv}"
 * on line 2) into a new directory and loads the outage from the YAML file by its absolute
 * path, so only resolution against the YAML file's directory finds the CSV. */
static int load_csv(struct csv_fixture *fx, const char *csv, struct outage_config *cfg,
                    struct error *err)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/haisim-test-outage-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->yaml, sizeof fx->yaml, "%s/scenario.yaml", fx->dir);
    snprintf(fx->csv, sizeof fx->csv, "%s/outages.csv", fx->dir);
    if (csv)
        write_file(fx->csv, csv);
    write_file(fx->yaml, "# link outages\noutage: {file: outages.csv}\n");
    error_clear(err);
    struct ydoc *doc = ydoc_load_file(fx->yaml, err);
    assert_non_null(doc);
    int rc = outage_config_load(cfg, ydoc_get(ydoc_root(doc), "outage"), err);
    ydoc_free(doc);
    if (csv)
        assert_int_equal(unlink(fx->csv), 0);
    assert_int_equal(unlink(fx->yaml), 0);
    assert_int_equal(rmdir(fx->dir), 0);
    if (rc != 0)
        print_message("    %s:%d:%d %s: %s\n", err->file, err->line, err->col, err->path, err->msg);
    return rc;
}

static void touching_rows_merge_and_other_columns_are_ignored(void **unused)
{
    struct csv_fixture fx;
    struct outage_config cfg;
    struct error err;
    /* Columns in another order plus a note; CRLF; blanks; trailing blank lines. */
    const char *csv = "note, end_s ,start_s\r\n"
                      "cell handover,2,1\r\n"
                      "same outage, 4 , 2\r\n"
                      "tunnel,7.5,6\r\n"
                      "\r\n\n";
    if (load_csv(&fx, csv, &cfg, &err) != 0)
        fail_msg("unexpected error: %s", err.msg);
    assert_int_equal(cfg.kind, OUTAGE_FILE);
    assert_int_equal(cfg.n_intervals, 2); /* [1, 2) and [2, 4) merged */
    assert_int_equal(cfg.down_start_ns[0], at_s(1));
    assert_int_equal(cfg.down_end_ns[0], at_s(4));
    assert_int_equal(cfg.down_start_ns[1], at_s(6));
    assert_int_equal(cfg.down_end_ns[1], at_s(7.5));
    struct outage_state st;
    outage_state_init(&st, &cfg, NULL);
    assert_false(outage_is_up(&st, &cfg, at_s(2))); /* no up instant at the seam */
    assert_int_equal(outage_next_up_ns(&st, &cfg, at_s(2)), at_s(4));
    outage_config_free(&cfg);

    /* A header alone: no outages. */
    assert_int_equal(load_csv(&fx, "start_s,end_s\n", &cfg, &err), 0);
    assert_int_equal(cfg.kind, OUTAGE_FILE);
    assert_int_equal(cfg.n_intervals, 0);
    outage_state_init(&st, &cfg, NULL);
    assert_true(outage_is_up(&st, &cfg, at_s(5)));
    assert_int_equal(outage_next_change_ns(&st, &cfg, at_s(5)), SIMTIME_NEVER);
    outage_config_free(&cfg);
}

/* Expects the CSV load to fail with `want` in the message, located at the YAML `file`
 * value (scenario.yaml line 2, column 16, key path outage.file). */
static void csv_fails(const char *csv, const char *want)
{
    struct csv_fixture fx;
    struct outage_config cfg;
    struct error err;
    assert_int_equal(load_csv(&fx, csv, &cfg, &err), -1);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_string_equal(err.file, fx.yaml);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 16);
    assert_string_equal(err.path, "outage.file");
    assert_int_equal(cfg.kind, OUTAGE_NONE);
    assert_null(cfg.down_start_ns);
    outage_config_free(&cfg);
}

static void csv_errors_name_the_file_and_line(void **unused)
{
    csv_fails(NULL, "cannot read");
    csv_fails("", "is empty: a header row start_s,end_s is required");
    csv_fails("start_s,stop_s\n1,2\n", "outages.csv:1: the header must name the columns "
                                       "start_s and end_s (no column 'end_s'); found: "
                                       "start_s,stop_s");
    csv_fails("begin,end_s\n", "(no column 'start_s')");
    csv_fails("start_s,end_s\n1,2\nx,4\n", "outages.csv:3: start_s must be a number, got 'x'");
    csv_fails("start_s,end_s\n1,\n", "outages.csv:2: end_s must be a number, got ''");
    csv_fails("start_s,end_s\n1,inf\n", "outages.csv:2: end_s must be a number, got 'inf'");
    csv_fails("start_s,end_s\n3\n", "outages.csv:2: expected cells start_s and end_s, got 1 cell");
    csv_fails("start_s,end_s\n-1,2\n", "outages.csv:2: start_s must be >= 0");
    csv_fails("start_s,end_s\n1,1\n", "outages.csv:2: end_s (1) must be greater than start_s (1)");
    csv_fails("start_s,end_s\n1,5\n4,6\n",
              "outages.csv:3: the interval starting at 4 s begins before the previous one ends "
              "(5 s); rows must be sorted and must not overlap");
    csv_fails("start_s,end_s\n5,6\n1,2\n", "outages.csv:3: the interval starting at 1 s");
    csv_fails("start_s,end_s\n1,2\n\n3,4\n", "outages.csv:3: blank line inside the data");
    csv_fails("start_s,end_s\n1,1.0000000001\n", "outages.csv:2: the interval [1, 1) s is "
                                                 "shorter than 1 ns");
}

/* --- YAML errors --- */

static void yaml_errors_are_located(void **unused)
{
    load_fails("outage: 3\n", "expected a map", 1, 9, "outage");
    load_fails("outage: {}\n", "needs either file (down intervals), or up_s and down_s", 1, 9,
               "outage");
    load_fails("outage: {shared: true}\n", "needs either file", 1, 9, "outage");
    load_fails("outage: {file: x.csv, up_s: 3}\n", "'up_s' does not apply to an outage file", 1, 29,
               "outage.up_s");
    load_fails("outage: {file: x.csv, start: up}\n", "'start' does not apply", 1, 30,
               "outage.start");
    load_fails("outage: {up_s: 30}\n", "missing required key 'down_s'", 1, 9, "outage");
    load_fails("outage: {down_s: 30}\n", "missing required key 'up_s'", 1, 9, "outage");
    load_fails("outage:\n  up_s: 30\n  down_s: 2\n  start: stationery\n",
               "expected one of up, down, stationary, got 'stationery' (did you mean "
               "'stationary'?)",
               4, 10, "outage.start");
    load_fails("outage: {up_s: 0, down_s: 2}\n", "the mean up duration must be finite and > 0", 1,
               16, "outage.up_s");
    load_fails("outage: {up_s: 3, down_s: {dist: pareto, shape: 0.9, scale: 1}}\n",
               "the mean down duration must be finite and > 0, got inf s", 1, 27, "outage.down_s");
    load_fails("outage: {up_s: {dist: gamma, mean: 3}, down_s: 1}\n", "missing", 1, 16,
               "outage.up_s");
    load_fails("outage: {up_s: 3, down_s: 1, shared: maybe}\n", "expected true or false", 1, 38,
               "outage.shared");
    load_fails("outage:\n  up_s: {dist: normal, mean: 30, sd: 5}\n  down_s: 2\n"
               "  start: stationary\n",
               "start: stationary needs a duration distribution whose length-biased form is "
               "known",
               2, 9, "outage.up_s");
    load_fails("outage:\n  up_s: 3\n  down_s: {dist: uniform, min: -1, max: 3}\n"
               "  start: stationary\n",
               "start: stationary needs durations >= 0", 3, 11, "outage.down_s");
    load_fails("outage:\n  up_s: 3\n  down_s: {dist: empirical, values: [2, -1, 5]}\n"
               "  start: stationary\n",
               "can give negative values", 3, 11, "outage.down_s");
}

static void keys_are_exposed_and_unknown_keys_reported(void **unused)
{
    struct outage_config cfg;
    load_ok("outage: {up_s: {dist: exponential, mean: 300}, down_s: 20, start: down, "
            "shared: true}\n",
            &cfg);
    assert_int_equal(cfg.kind, OUTAGE_RENEWAL);
    assert_true(cfg.shared);
    assert_int_equal(cfg.start, OUTAGE_START_DOWN);
    assert_string_equal(dist_name(&cfg.up_s), "exponential");
    assert_true(fabs(outage_availability(&cfg, 0) - 300.0 / 320.0) < 1e-15);
    outage_config_free(&cfg);

    /* A misspelt key is left for ydoc_check_unused, with a suggestion. */
    struct error err;
    struct ydoc *doc =
        ydoc_load_string("outage: {up_s: 3, down_s: 1, sharred: true}\n", "test.yaml", &err);
    assert_non_null(doc);
    assert_int_equal(outage_config_load(&cfg, ydoc_get(ydoc_root(doc), "outage"), &err), 0);
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_non_null(strstr(err.msg, "unknown key 'sharred' (did you mean 'shared'?)"));
    ydoc_free(doc);
    outage_config_free(&cfg);
}

/* --- the alternating renewal process --- */

/* Long-run availability A = E[U] / (E[U] + E[D]) (Ross §3.4.1), measured exactly over
 * CYCLES cycles by walking the state changes. Up exponential(3 s), down lognormal(mean 1 s,
 * cv 0.5): A = 0.75. The cycle-ratio estimator's standard error is
 * sd(U(1−A) − A·D) / (E[U+D] √n) = sqrt(0.0625·9 + 0.5625·0.25) / (4 √n) ≈ 0.00066 for
 * n = 1e5; the tolerance is 6 of those. */
static void renewal_availability_is_eu_over_eu_plus_ed(void **unused)
{
    enum { CYCLES = 100000 };
    struct outage_config cfg;
    load_ok("outage:\n  up_s: {dist: exponential, mean: 3}\n"
            "  down_s: {dist: lognormal, mean: 1, cv: 0.5}\n",
            &cfg);
    assert_true(fabs(outage_availability(&cfg, 0) - 0.75) < 1e-15);
    gsl_rng *rng = rng_stream_new(1, 0, "outage");
    struct outage_state st;
    outage_state_init(&st, &cfg, rng);
    int64_t t = 0, up_ns = 0, changes = 0;
    bool up = outage_is_up(&st, &cfg, 0);
    assert_true(up); /* start: up is the default */
    while (changes < 2 * CYCLES) {
        int64_t next = outage_next_change_ns(&st, &cfg, t);
        assert_true(next > t);
        if (up)
            up_ns += next - t;
        t = next;
        bool now_up = outage_is_up(&st, &cfg, t);
        assert_true(now_up != up); /* the state flips at every change */
        up = now_up;
        changes++;
    }
    double measured = (double)up_ns / (double)t;
    print_message("    availability over %d cycles: %.5f (theory 0.75)\n", CYCLES, measured);
    assert_true(fabs(measured - 0.75) < 0.004);
    /* Time average by sampling a grid, a second estimator of the same limit. */
    outage_state_init(&st, &cfg, rng);
    long hits = 0, points = 400000;
    for (long i = 0; i < points; i++)
        hits += outage_is_up(&st, &cfg, (int64_t)i * SIMTIME_NS_PER_S);
    print_message("    share of grid points up: %.5f\n", (double)hits / (double)points);
    assert_true(fabs((double)hits / (double)points - 0.75) < 0.006);
    gsl_rng_free(rng);
    outage_config_free(&cfg);
}

/* With constant periods (up 3 s, down 1 s) the share of independent processes up at
 * t = 3.5 s is 0 when all start up (all are in their first down period), 1 when all start
 * down (up during [1, 4)), and A = 0.75 when they start in equilibrium, as at any t. */
static void stationary_start_is_up_with_probability_a_at_any_time(void **unused)
{
    enum { PROCESSES = 20000 };
    static const char *const starts[] = {"up", "down", "stationary"};
    const double want[] = {0.0, 1.0, 0.75}, want_at_0[] = {1.0, 0.0, 0.75};
    gsl_rng *rng = rng_stream_new(2, 0, "outage");
    for (int s = 0; s < 3; s++) {
        char text[128];
        snprintf(text, sizeof text, "outage: {up_s: 3, down_s: 1, start: %s}\n", starts[s]);
        struct outage_config cfg;
        load_ok(text, &cfg);
        long up_at_0 = 0, up_later = 0;
        for (int i = 0; i < PROCESSES; i++) {
            struct outage_state st;
            outage_state_init(&st, &cfg, rng);
            up_at_0 += outage_is_up(&st, &cfg, 0);
            up_later += outage_is_up(&st, &cfg, at_s(3.5));
        }
        double share = (double)up_later / PROCESSES;
        print_message("    start %s: share up at 0 = %.4f, at 3.5 s = %.4f (want %.2f)\n",
                      starts[s], (double)up_at_0 / PROCESSES, share, want[s]);
        /* Binomial sd sqrt(0.1875 / 20000) = 0.0031; the deterministic cases are exact. */
        assert_true(fabs(share - want[s]) < 0.016);
        assert_true(fabs((double)up_at_0 / PROCESSES - want_at_0[s]) < 0.016);
        outage_config_free(&cfg);
    }
    gsl_rng_free(rng);
}

/* The equilibrium residual R of the period covering time 0 has E[R] = E[X²] / (2 E[X])
 * (Ross §3.5; Cox 1962). Checked for every family that `stationary` accepts, which also
 * checks each closed-form length-biased sampler. Up periods follow the family; down
 * periods are 1 µs, so almost every process starts up and its first change is at R. */
static void stationary_residual_has_mean_ex2_over_2ex_for_every_family(void **unused)
{
    enum { PROCESSES = 40000 };
    static const char *const families[] = {
        "2",
        "{dist: uniform, min: 1, max: 3}",
        "{dist: exponential, mean: 2}",
        "{dist: gamma, mean: 2, cv: 0.5}",
        "{dist: lognormal, mean: 2, cv: 1}",
        "{dist: weibull, shape: 1.5, scale: 2}",
        "{dist: pareto, shape: 4.5, scale: 1}",
        "{dist: empirical, values: [1, 2, 6]}",
    };
    gsl_rng *rng = rng_stream_new(3, 0, "outage");
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        char text[256];
        snprintf(text, sizeof text, "outage: {up_s: %s, down_s: 1e-6, start: stationary}\n",
                 families[f]);
        struct outage_config cfg;
        load_ok(text, &cfg);
        double m = dist_mean(&cfg.up_s), ex2 = dist_variance(&cfg.up_s) + m * m;
        double want = ex2 / (2 * m);
        double sum = 0, sum2 = 0;
        long n = 0;
        for (int i = 0; i < PROCESSES; i++) {
            struct outage_state st;
            outage_state_init(&st, &cfg, rng);
            if (!outage_is_up(&st, &cfg, 0))
                continue;
            double r = simtime_to_s(outage_next_change_ns(&st, &cfg, 0));
            sum += r;
            sum2 += r * r;
            n++;
        }
        double mean = sum / (double)n, sd = sqrt(sum2 / (double)n - mean * mean);
        double tolerance = 5 * sd / sqrt((double)n);
        print_message("    %-40s E[R] = %.4f, theory %.4f (tolerance %.4f)\n", families[f], mean,
                      want, tolerance);
        assert_true(n > PROCESSES * 0.99);
        if (!(fabs(mean - want) <= tolerance))
            fail_msg("%s: mean residual %g, want %g", families[f], mean, want);
        outage_config_free(&cfg);
    }
    gsl_rng_free(rng);
}

/* Periods shorter than 1 ns (here, the many negative normal draws) last 1 ns: the state
 * still flips at every change and time always advances. */
static void every_period_lasts_at_least_one_ns(void **unused)
{
    struct outage_config cfg;
    load_ok("outage: {up_s: {dist: normal, mean: 1e-9, sd: 1e-8}, down_s: 1e-9}\n", &cfg);
    gsl_rng *rng = rng_stream_new(4, 0, "outage");
    struct outage_state st;
    outage_state_init(&st, &cfg, rng);
    int64_t t = 0;
    long one_ns_up = 0;
    bool up = outage_is_up(&st, &cfg, 0);
    for (int i = 0; i < 100000; i++) {
        int64_t next = outage_next_change_ns(&st, &cfg, t);
        assert_true(next >= t + 1);
        one_ns_up += up && next == t + 1;
        t = next;
        bool now_up = outage_is_up(&st, &cfg, t);
        assert_true(now_up != up);
        if (!now_up) /* down: the next up instant is the end of this period */
            assert_int_equal(outage_next_up_ns(&st, &cfg, t), outage_next_change_ns(&st, &cfg, t));
        up = now_up;
    }
    assert_true(one_ns_up > 10000); /* P(draw < 1 ns) ≈ 0.5 per up period */
    gsl_rng_free(rng);
    outage_config_free(&cfg);
}

/* --- monotone queries --- */

/* Lazy generation draws one value per period in period order, so a state queried once far
 * ahead agrees with a state (on a twin stream) queried every 0.1 s up to the same time;
 * and repeating a query changes nothing. */
static void a_far_query_agrees_with_small_steps(void **unused)
{
    struct outage_config cfg;
    load_ok("outage: {up_s: {dist: gamma, mean: 5, cv: 2}, down_s: {dist: exponential, "
            "mean: 1}, start: stationary}\n",
            &cfg);
    gsl_rng *rng_a = rng_stream_new(5, 0, "outage"), *rng_b = rng_stream_new(5, 0, "outage");
    struct outage_state a, b;
    outage_state_init(&a, &cfg, rng_a);
    outage_state_init(&b, &cfg, rng_b);
    const int64_t end = at_s(20000);
    for (int64_t t = 0; t <= end; t += at_s(0.1)) {
        bool up = outage_is_up(&a, &cfg, t);
        assert_true(outage_is_up(&a, &cfg, t) == up); /* the same question, the same answer */
        assert_int_equal(outage_next_up_ns(&a, &cfg, t),
                         up ? t : outage_next_change_ns(&a, &cfg, t));
    }
    assert_true(outage_is_up(&b, &cfg, end) == outage_is_up(&a, &cfg, end));
    assert_int_equal(outage_next_change_ns(&b, &cfg, end), outage_next_change_ns(&a, &cfg, end));
    assert_int_equal(outage_next_up_ns(&b, &cfg, end), outage_next_up_ns(&a, &cfg, end));
    /* Both consumed exactly the same draws. */
    assert_int_equal(gsl_rng_get(rng_a), gsl_rng_get(rng_b));
    gsl_rng_free(rng_a);
    gsl_rng_free(rng_b);
    outage_config_free(&cfg);
}

/* A query earlier than the previous one is a programming error: in debug builds an assert
 * catches it (run in a child process, which must die of SIGABRT); in release builds it is
 * answered for the latest queried time. */
static void a_query_back_in_time_is_caught(void **unused)
{
    struct outage_config cfg;
    load_sample(&cfg); /* down during [1, 3) s */
    struct outage_state st;
    outage_state_init(&st, &cfg, NULL);
    assert_false(outage_is_up(&st, &cfg, at_s(2)));
#ifdef NDEBUG
    assert_false(outage_is_up(&st, &cfg, at_s(0.5))); /* answered for 2 s, not 0.5 s */
    assert_int_equal(outage_next_up_ns(&st, &cfg, at_s(0.5)), at_s(3));
    assert_int_equal(st.last_query_ns, at_s(2));
#else
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        if (!freopen("/dev/null", "w", stderr)) /* the assert's message is expected */
            _exit(2);
        outage_is_up(&st, &cfg, at_s(0.5));
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
    outage_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(absent_outage_is_always_up),
        cmocka_unit_test(file_outages_switch_exactly_at_interval_bounds),
        cmocka_unit_test(file_availability_is_the_up_share_of_the_horizon),
        cmocka_unit_test(touching_rows_merge_and_other_columns_are_ignored),
        cmocka_unit_test(csv_errors_name_the_file_and_line),
        cmocka_unit_test(yaml_errors_are_located),
        cmocka_unit_test(keys_are_exposed_and_unknown_keys_reported),
        cmocka_unit_test(renewal_availability_is_eu_over_eu_plus_ed),
        cmocka_unit_test(stationary_start_is_up_with_probability_a_at_any_time),
        cmocka_unit_test(stationary_residual_has_mean_ex2_over_2ex_for_every_family),
        cmocka_unit_test(every_period_lasts_at_least_one_ns),
        cmocka_unit_test(a_far_query_agrees_with_small_steps),
        cmocka_unit_test(a_query_back_in_time_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
