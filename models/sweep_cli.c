/* sweep_cli: `haisim sweep`, `merge`, `plot` and `run --expect` (see sweep_cli.h). */
#include "sweep_cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "outfile.h"
#include "plot.h"
#include "sweep.h"
#include "sweep_exec.h"
#include "sweep_table.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_BAD_INPUT = 2 };

const char sweep_cli_usage[] =
    "  sweep SWEEP.yaml [options]    run a parameter sweep (docs/sweeps.md)\n"
    "      -o, --output DIR          results directory (default: out/NAME)\n"
    "      -j, --jobs N              worker processes (default: the number of cores)\n"
    "      --resume                  keep the points already complete in DIR, run the rest\n"
    "      --shard I/N               run slice I of N (default: from SLURM_ARRAY_TASK_ID and\n"
    "                                SLURM_ARRAY_TASK_COUNT); join slices with 'merge'\n"
    "      --junit FILE              write the expectations' checks as JUnit XML\n"
    "      --dry-run                 check every point and list them, run nothing\n"
    "  merge -o DIR SHARD_DIR...     join the slices of a sharded sweep into DIR\n"
    "      [--junit FILE]            (then as 'sweep' does: results, charts, expectations)\n"
    "  plot RESULTS --kind KIND -o FILE.png|FILE.svg [options]\n"
    "                                draw a chart from a sweep's directory (timeline: also\n"
    "                                from a run's -o directory); kinds: cdf, line, pareto,\n"
    "                                heatmap, bars, timeline; FILE.gp and FILE.dat beside it\n"
    "      --metric M  --x KEY|METRIC  --y KEY|METRIC  --variant V  --baseline V\n"
    "      --point N  --where KEY=VALUE  --title T  --requests N  --from-s S\n";

static int cli_fail(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int cli_fail(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "haisim %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nRun 'haisim --help' for usage.\n");
    va_end(ap);
    return CLI_BAD_INPUT;
}

static int cli_error(const struct error *err, int code)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fprintf(stderr, "haisim: error: %s\n", buf);
    return code;
}

static int cli_count(const char *text, unsigned long long lo, unsigned long long hi,
                     unsigned long long *out)
{
    char *end;
    if (!text[0] || text[0] == '-' || text[0] == '+')
        return -1;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* "I/N" with 1 <= I <= N. */
static int cli_shard(const char *text, unsigned *shard, unsigned *shards)
{
    char buf[64];
    unsigned long long i, n;
    const char *slash = strchr(text, '/');
    if (!slash || (size_t)(slash - text) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%.*s", (int)(slash - text), text);
    if (cli_count(buf, 1, 100000, &i) != 0 || cli_count(slash + 1, 1, 100000, &n) != 0 || i > n)
        return -1;
    *shard = (unsigned)i;
    *shards = (unsigned)n;
    return 0;
}

/* A Slurm job array: task ids from SLURM_ARRAY_TASK_MIN (0 when unset), count tasks. */
static int cli_slurm_shard(unsigned *shard, unsigned *shards)
{
    const char *id = getenv("SLURM_ARRAY_TASK_ID"), *count = getenv("SLURM_ARRAY_TASK_COUNT");
    const char *min = getenv("SLURM_ARRAY_TASK_MIN");
    unsigned long long i, n, lo = 0;
    if (!id || !count)
        return 0;
    if (cli_count(id, 0, 10000000, &i) != 0 || cli_count(count, 1, 100000, &n) != 0 ||
        (min && cli_count(min, 0, 10000000, &lo) != 0) || i < lo || i - lo >= n) {
        fprintf(stderr,
                "haisim sweep: SLURM_ARRAY_TASK_ID=%s, SLURM_ARRAY_TASK_COUNT=%s and "
                "SLURM_ARRAY_TASK_MIN=%s do not name a task of the array; use --array=0-%s "
                "style ids or pass --shard I/N\n",
                id, count, min ? min : "(unset)", count);
        return -1;
    }
    *shard = (unsigned)(i - lo + 1);
    *shards = (unsigned)n;
    fprintf(stderr, "haisim sweep: shard %u/%u (from SLURM_ARRAY_TASK_ID)\n", *shard, *shards);
    return 0;
}

/* Writes text through a partial file at path (its directory created). */
static int cli_open_file(struct outfile *out, const char *path, struct error *err)
{
    char dir[1024];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    if (outfile_mkdirs(dir, err) != 0)
        return -1;
    return outfile_open(out, dir, slash ? slash + 1 : path, err);
}

static int cli_write_junit(const char *path, const struct expect_list *l,
                           const struct sweep_table *t, const struct expect_report *r,
                           struct error *err)
{
    struct outfile out;
    if (cli_open_file(&out, path, err) != 0)
        return -1;
    if (expect_write_junit(out.f, l, t, r) != 0) {
        outfile_abort(&out);
        return error_set(err, path, 0, 0, NULL, "cannot write");
    }
    return outfile_commit(&out, err);
}

/* Checks, prints and writes JUnit: CLI_OK or CLI_FAILED (a check failed or I/O). */
static int cli_expectations(const struct expect_list *l, const struct sweep_table *t,
                            const char *junit, FILE *report)
{
    struct expect_report r;
    struct error err;
    error_clear(&err);
    if (expect_evaluate(l, t, &r, &err) != 0)
        return cli_error(&err, CLI_FAILED);
    if (l->n > 0) {
        fputs("expectations:\n", report);
        expect_report_print(report, l, t, &r);
    }
    int rc = r.n_failed > 0 ? CLI_FAILED : CLI_OK;
    if (junit && cli_write_junit(junit, l, t, &r, &err) != 0)
        rc = cli_error(&err, CLI_FAILED);
    expect_report_free(&r);
    return rc;
}

/* --- finishing a sweep: assemble, chart, check (shared by sweep and merge) --- */

static int cli_plots(const struct sweep *sw, const struct sweep_table *t, const char *dir)
{
    int rc = CLI_OK;
    for (size_t i = 0; i < sw->plots.n; i++) {
        struct plot_request r = sw->plots.items[i];
        char output[2048];
        snprintf(output, sizeof output, "%s/%s", dir, r.output);
        r.output = output;
        struct error err;
        error_clear(&err);
        int drawn = plot_draw(&r, t, dir, &err);
        if (drawn == 0) {
            printf("chart: %s\n", output);
        } else if (drawn > 0) {
            char buf[2048];
            error_format(&err, buf, sizeof buf);
            fprintf(stderr, "haisim: note: %s\n", buf);
            printf("chart (data and script only, no gnuplot): %s\n", output);
        } else {
            /* A chart that cannot be drawn does not hide the results or the checks. */
            rc = cli_error(&err, CLI_FAILED);
        }
    }
    return rc;
}

static int cli_finish(const struct sweep *sw, const char *dir, const char *junit)
{
    struct sweep_table t;
    struct error err;
    error_clear(&err);
    if (sweep_exec_collect(&t, sw, dir, &err) != 0)
        return cli_error(&err, CLI_FAILED);
    if (sweep_exec_assemble(&t, dir, &err) != 0) {
        sweep_table_free(&t);
        return cli_error(&err, CLI_FAILED);
    }
    size_t done = 0, failed = 0;
    for (size_t p = 0; p < t.n_points; p++) {
        done += t.points[p].status == SWEEP_POINT_DONE;
        failed += t.points[p].status == SWEEP_POINT_FAILED;
    }
    printf("sweep %s: %zu point%s × %zu variant%s × %zu replication%s\n", t.name, t.n_points,
           t.n_points == 1 ? "" : "s", t.n_variants, t.n_variants == 1 ? "" : "s", t.n_reps,
           t.n_reps == 1 ? "" : "s");
    for (size_t p = 0; p < t.n_points; p++) {
        if (t.points[p].status == SWEEP_POINT_DONE)
            continue;
        char desc[512];
        sweep_table_describe(&t, p, desc, sizeof desc);
        printf("point %zu (%s) %s%s\n", p + 1, desc,
               t.points[p].status == SWEEP_POINT_FAILED ? "failed: " : "has no results",
               t.points[p].error ? t.points[p].error : "");
    }
    printf("results: %s/results.csv, %s/aggregate.csv, %s/cdf.csv (%zu of %zu points)\n", dir, dir,
           dir, done, t.n_points);
    int rc = done + failed < t.n_points || failed > 0 ? CLI_FAILED : CLI_OK;
    if (cli_plots(sw, &t, dir) != CLI_OK)
        rc = CLI_FAILED;
    if (cli_expectations(&sw->expect, &t, junit, stdout) != CLI_OK)
        rc = CLI_FAILED;
    sweep_table_free(&t);
    return rc;
}

/* --- haisim sweep --- */

static void cli_print_points(const struct sweep *sw, const struct sweep_exec_options *opt)
{
    printf("sweep %s: %zu point%s (%s of %zu ax%s), base %s\n", sw->name, sw->n_points,
           sw->n_points == 1 ? "" : "s", sw->mode == SWEEP_GRID ? "grid" : "zip", sw->n_axes,
           sw->n_axes == 1 ? "is" : "es", sw->base_path);
    for (size_t p = 0; p < sw->n_points; p++) {
        if (!sweep_exec_in_shard(p, opt->shard, opt->shards))
            continue;
        printf("%zu", p + 1);
        for (size_t a = 0; a < sw->n_axes; a++)
            printf("%s%s=%s", a ? ", " : " ", sw->axes[a].key,
                   sw->axes[a].values[sweep_value_index(sw, p, a)]);
        putchar('\n');
    }
}

int sweep_cli_sweep(int argc, char **argv)
{
    enum { OPT_RESUME = 256, OPT_SHARD, OPT_JUNIT, OPT_DRY_RUN };
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"resume", no_argument, NULL, OPT_RESUME},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {NULL, 0, NULL, 0},
    };
    struct sweep_exec_options opt = {.shard = 1, .shards = 1};
    const char *junit = NULL;
    bool dry_run = false, shard_given = false;
    unsigned long long n;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    opt.jobs = cores > 0 ? (unsigned)cores : 1;
    optind = 2;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:j:", options, NULL)) != -1) {
        switch (c) {
        case 'o':
            opt.dir = optarg;
            break;
        case 'j':
            if (cli_count(optarg, 1, 4096, &n) != 0)
                return cli_fail("sweep", "-j expects a whole number from 1 to 4096, got '%s'",
                                optarg);
            opt.jobs = (unsigned)n;
            break;
        case OPT_RESUME:
            opt.resume = true;
            break;
        case OPT_SHARD:
            if (cli_shard(optarg, &opt.shard, &opt.shards) != 0)
                return cli_fail("sweep", "--shard expects I/N with 1 <= I <= N, got '%s'", optarg);
            shard_given = true;
            break;
        case OPT_JUNIT:
            junit = optarg;
            break;
        case OPT_DRY_RUN:
            dry_run = true;
            break;
        case ':':
            return cli_fail("sweep", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_fail("sweep", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_fail("sweep", "missing the sweep file");
    if (optind + 1 < argc)
        return cli_fail("sweep", "unexpected argument '%s'", argv[optind + 1]);
    if (!shard_given && cli_slurm_shard(&opt.shard, &opt.shards) != 0)
        return CLI_BAD_INPUT;
    if (opt.shards > 1 && junit)
        return cli_fail("sweep", "--junit goes with a whole sweep or with 'merge', not a shard");
    opt.scenario.profiles_env_path = getenv("HAISIM_PROFILES_PATH");
    opt.scenario.profiles_builtin_dir = HAISIM_PROFILES_DIR;
    opt.progress = isatty(STDERR_FILENO) ? stderr : NULL;

    struct sweep sw;
    struct error err;
    error_clear(&err);
    if (sweep_load(&sw, argv[optind], &err) != 0) {
        sweep_free(&sw);
        return cli_error(&err, CLI_BAD_INPUT);
    }
    char default_dir[1100];
    if (!opt.dir) {
        snprintf(default_dir, sizeof default_dir, "out/%s", sw.name);
        opt.dir = default_dir;
    }
    int rc = CLI_OK;
    if (sweep_exec_check(&sw, &opt, &err) != 0) {
        rc = cli_error(&err, CLI_BAD_INPUT);
    } else if (dry_run) {
        cli_print_points(&sw, &opt);
    } else {
        struct sweep_exec_summary s;
        if (sweep_exec_run(&sw, &opt, &s, &err) != 0) {
            rc = cli_error(&err, CLI_FAILED);
        } else {
            if (s.already_done > 0)
                fprintf(stderr, "haisim sweep: resumed: %zu of %zu points were complete\n",
                        s.already_done, s.in_shard);
            if (s.failed > 0)
                fprintf(stderr, "haisim sweep: %zu point%s failed (see %s/points/*.error)\n",
                        s.failed, s.failed == 1 ? "" : "s", opt.dir);
            if (opt.shards > 1) {
                printf("sweep %s: shard %u of %u: %zu of %zu points in %s; join the shards with "
                       "'haisim merge -o DIR SHARD_DIR...'\n",
                       sw.name, opt.shard, opt.shards, s.in_shard, sw.n_points, opt.dir);
                rc = s.failed > 0 ? CLI_FAILED : CLI_OK;
            } else {
                rc = cli_finish(&sw, opt.dir, junit);
            }
        }
    }
    sweep_free(&sw);
    return rc;
}

/* --- haisim merge --- */

int sweep_cli_merge(int argc, char **argv)
{
    enum { OPT_JUNIT = 256 };
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *junit = NULL;
    optind = 2;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case OPT_JUNIT:
            junit = optarg;
            break;
        case ':':
            return cli_fail("merge", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_fail("merge", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!out)
        return cli_fail("merge", "missing -o DIR (where the joined results go)");
    if (optind >= argc)
        return cli_fail("merge", "missing the shards' directories");
    struct error err;
    error_clear(&err);
    if (sweep_exec_merge(out, (const char *const *)argv + optind, (size_t)(argc - optind), &err) !=
        0)
        return cli_error(&err, CLI_FAILED);
    struct sweep sw;
    if (sweep_exec_open(&sw, out, &err) != 0) {
        sweep_free(&sw);
        return cli_error(&err, CLI_FAILED);
    }
    int rc = cli_finish(&sw, out, junit);
    sweep_free(&sw);
    return rc;
}

/* --- haisim plot --- */

int sweep_cli_plot(int argc, char **argv)
{
    enum {
        OPT_KIND = 256,
        OPT_METRIC,
        OPT_X,
        OPT_Y,
        OPT_VARIANT,
        OPT_BASELINE,
        OPT_POINT,
        OPT_WHERE,
        OPT_TITLE,
        OPT_REQUESTS,
        OPT_FROM_S
    };
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"kind", required_argument, NULL, OPT_KIND},
        {"metric", required_argument, NULL, OPT_METRIC},
        {"x", required_argument, NULL, OPT_X},
        {"y", required_argument, NULL, OPT_Y},
        {"variant", required_argument, NULL, OPT_VARIANT},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"point", required_argument, NULL, OPT_POINT},
        {"where", required_argument, NULL, OPT_WHERE},
        {"title", required_argument, NULL, OPT_TITLE},
        {"requests", required_argument, NULL, OPT_REQUESTS},
        {"from-s", required_argument, NULL, OPT_FROM_S},
        {NULL, 0, NULL, 0},
    };
    struct plot_request r = {.requests = 12};
    const char **keys = calloc((size_t)argc, sizeof keys[0]);
    const char **values = calloc((size_t)argc, sizeof values[0]);
    char **owned = calloc((size_t)argc, sizeof owned[0]);
    size_t n_owned = 0;
    unsigned long long n = 0;
    int rc = CLI_OK;
    if (!keys || !values || !owned)
        rc = CLI_FAILED;
    r.where_keys = keys;
    r.where_values = values;
    optind = 2;
    opterr = 0;
    int c;
    while (rc == CLI_OK && (c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o':
            r.output = optarg;
            break;
        case OPT_KIND:
            r.kind = optarg;
            break;
        case OPT_METRIC:
            r.metric = optarg;
            break;
        case OPT_X:
            r.x = optarg;
            break;
        case OPT_Y:
            r.y = optarg;
            break;
        case OPT_VARIANT:
            r.variant = optarg;
            break;
        case OPT_BASELINE:
            r.baseline = optarg;
            break;
        case OPT_TITLE:
            r.title = optarg;
            break;
        case OPT_POINT:
            if (cli_count(optarg, 1, 1000000, &n) != 0)
                rc = cli_fail("plot", "--point expects a point number >= 1, got '%s'", optarg);
            r.point = (size_t)n;
            break;
        case OPT_REQUESTS:
            if (cli_count(optarg, 1, 200, &n) != 0)
                rc = cli_fail("plot", "--requests expects a whole number from 1 to 200, got '%s'",
                              optarg);
            r.requests = (int64_t)n;
            break;
        case OPT_FROM_S:
            r.from_s = strtod(optarg, &end);
            if (!optarg[0] || *end || !(r.from_s >= 0))
                rc = cli_fail("plot", "--from-s expects a time in seconds >= 0, got '%s'", optarg);
            break;
        case OPT_WHERE: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !(owned[n_owned] = strndup(optarg, (size_t)(eq - optarg)))) {
                rc = cli_fail("plot", "--where expects KEY=VALUE, got '%s'", optarg);
                break;
            }
            keys[r.n_where] = owned[n_owned++];
            values[r.n_where++] = eq + 1;
            break;
        }
        case ':':
            rc = cli_fail("plot", "option '%s' needs a value", argv[optind - 1]);
            break;
        default:
            rc = cli_fail("plot", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc == CLI_OK && optind >= argc)
        rc = cli_fail("plot", "missing the results directory");
    else if (rc == CLI_OK && optind + 1 < argc)
        rc = cli_fail("plot", "unexpected argument '%s'", argv[optind + 1]);
    else if (rc == CLI_OK && !r.kind)
        rc = cli_fail("plot", "missing --kind (one of %s)", plot_kind_names());
    else if (rc == CLI_OK && !r.output)
        rc = cli_fail("plot", "missing -o FILE.png or FILE.svg");
    struct sweep sw = {0};
    struct sweep_table t = {0};
    bool have_table = false;
    struct error err;
    error_clear(&err);
    const char *results = rc == CLI_OK ? argv[optind] : NULL;
    if (rc == CLI_OK) {
        char path[1100];
        snprintf(path, sizeof path, "%s/sweep.yaml", results);
        bool is_sweep = access(path, F_OK) == 0;
        if (is_sweep && (sweep_exec_open(&sw, results, &err) != 0 ||
                         sweep_exec_collect(&t, &sw, results, &err) != 0))
            rc = cli_error(&err, CLI_BAD_INPUT);
        have_table = is_sweep && rc == CLI_OK;
        if (!is_sweep && strcmp(r.kind, "timeline") != 0)
            rc = cli_fail("plot",
                          "%s is not a sweep's output directory (no sweep.yaml); only a "
                          "timeline is drawn from a run's directory",
                          results);
    }
    if (rc == CLI_OK) {
        const char **variants = have_table ? (const char **)t.variants : NULL;
        const char **axis_keys = calloc(t.n_axes + 1, sizeof axis_keys[0]);
        for (size_t a = 0; axis_keys && a < t.n_axes; a++)
            axis_keys[a] = t.axes[a].key;
        if (!axis_keys)
            rc = CLI_FAILED;
        else if (plot_check(&r, axis_keys, t.n_axes, variants, t.n_variants, &err) != 0)
            rc = cli_error(&err, CLI_BAD_INPUT);
        free(axis_keys);
    }
    if (rc == CLI_OK) {
        int drawn = plot_draw(&r, have_table ? &t : NULL, results, &err);
        if (drawn == 0)
            printf("wrote %s (data and gnuplot script beside it)\n", r.output);
        else
            rc = cli_error(&err, CLI_FAILED);
    }
    if (have_table)
        sweep_table_free(&t);
    sweep_free(&sw);
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    free(owned);
    free(keys);
    free(values);
    return rc;
}

/* --- haisim run --expect --- */

/* The expectations of a run: those of the scenario's own `expect:` key (read only when the
 * scenario loader accepts it) followed by those of the file. `all` borrows the items. */
struct cli_run_expect {
    struct expect_list own, from_file, all;
};

static void cli_run_expect_free(struct cli_run_expect *e)
{
    free(e->all.items);
    expect_list_free(&e->own);
    expect_list_free(&e->from_file);
}

static int cli_run_expect_load(struct cli_run_expect *e, const char *expect_file,
                               const struct experiment *ex)
{
    memset(e, 0, sizeof *e);
    struct error err;
    error_clear(&err);
    struct ydoc_node *own_list =
        ex->base_expanded ? ydoc_get(ydoc_root(ex->base_expanded), "expect") : NULL;
    if ((expect_file && expect_load_file(&e->from_file, expect_file, &err) != 0) ||
        expect_load(&e->own, own_list, &err) != 0)
        return cli_error(&err, CLI_BAD_INPUT);
    size_t n = e->own.n + e->from_file.n;
    if (n == 0)
        return CLI_OK;
    if (!(e->all.items = calloc(n, sizeof e->all.items[0])))
        return CLI_FAILED;
    for (size_t i = 0; i < e->own.n; i++)
        e->all.items[e->all.n++] = e->own.items[i];
    for (size_t i = 0; i < e->from_file.n; i++)
        e->all.items[e->all.n++] = e->from_file.items[i];
    const char **variants = calloc(ex->n_variants + 1, sizeof variants[0]);
    if (!variants)
        return CLI_FAILED;
    for (size_t v = 0; v < ex->n_variants; v++)
        variants[v] = ex->variants[v].name;
    int rc = expect_check_names(&e->all, NULL, 0, variants, ex->n_variants, &err) != 0
                 ? cli_error(&err, CLI_BAD_INPUT)
                 : CLI_OK;
    free(variants);
    return rc;
}

int sweep_cli_check_expectations(const char *expect_file, const struct experiment *ex)
{
    struct cli_run_expect e;
    int rc = cli_run_expect_load(&e, expect_file, ex);
    cli_run_expect_free(&e);
    return rc;
}

int sweep_cli_run_expectations(const char *expect_file, const char *junit_file,
                               const struct experiment *ex, const struct experiment_results *res,
                               FILE *report)
{
    struct cli_run_expect e;
    struct sweep_table t = {0};
    struct error err;
    error_clear(&err);
    int rc = cli_run_expect_load(&e, expect_file, ex);
    if (rc == CLI_OK && (e.all.n > 0 || junit_file) &&
        (sweep_table_init(&t, ex->name, NULL, 0, 1, &err) != 0 ||
         sweep_table_store(&t, 0, ex, res, &err) != 0))
        rc = cli_error(&err, CLI_FAILED);
    if (rc == CLI_OK && (e.all.n > 0 || junit_file))
        rc = cli_expectations(&e.all, &t, junit_file, report);
    sweep_table_free(&t);
    cli_run_expect_free(&e);
    return rc;
}
