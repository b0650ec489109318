/* haisim: the command line. Parses arguments, wires the experiment, report and chart
 * modules, prints errors and chooses the exit code (the only place that does):
 *   0  success
 *   1  the simulation or writing its output failed
 *   2  bad input: usage, scenario file, keys, types, ranges */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "experiment.h"
#include "outfile.h"
#include "profiles.h"
#include "report.h"
#include "sweep_cli.h"

enum { EXIT_RUN_FAILED = 1, EXIT_BAD_INPUT = 2 };

static const char usage_text[] =
    "usage: haisim COMMAND [ARGS]\n"
    "\n"
    "Discrete-event simulator of hybrid AI systems: small models on devices, large models\n"
    "in the cloud, networks in between, and the policies that choose where work runs.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml [options]   simulate and print a summary\n"
    "      -o, --output DIR          also write DIR/summary.json, DIR/summary.csv and a\n"
    "                                latency chart (DIR/latency_cdf.png via gnuplot)\n"
    "      --seed N                  master random seed (default: the scenario's)\n"
    "      --reps N                  replications (default: the scenario's)\n"
    "      --set KEY.PATH=VALUE      override a scenario key (repeatable)\n"
    "      --format table|json|csv   summary format on stdout (default: table)\n"
    "      --expect FILE             check the expectations in FILE (a map with an expect:\n"
    "                                list, docs/sweeps.md); report on stderr, exit 1 if any\n"
    "                                fails\n"
    "      --junit FILE              write the checks as JUnit XML (docs/ci.md)\n"
    "  validate SCENARIO.yaml [--set KEY.PATH=VALUE]... [--explain]\n"
    "                                check a scenario without running it; --explain also\n"
    "                                prints how each model's timing is derived\n"
    "  profiles [NAME]               list the named profiles (or show one) with sources\n";

/* After the sweep commands' lines (sweep_cli_usage). */
static const char usage_tail[] =
    "  --help                        this text\n"
    "  --version                     the version\n"
    "\n"
    "Profiles are searched in the scenario's profiles/ directory, then $HAISIM_PROFILES_PATH\n"
    "(colon-separated), then haisim's own scenarios/profiles/.\n"
    "Exit codes: 0 success, 1 run failed (or an expectation), 2 bad input.\n"
    "Documentation: docs/ (scenario keys: docs/scenario-reference.md).\n";

struct cli {
    const char *command;
    const char *scenario;
    const char *output_dir;
    const char *expect_file, *junit_file;
    const char **sets;
    size_t n_sets;
    enum report_format format;
    bool explain;
    struct experiment_options opt;
};

static int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "haisim: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nRun 'haisim --help' for usage.\n");
    va_end(ap);
    return EXIT_BAD_INPUT;
}

static int cli_print_error(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fprintf(stderr, "haisim: error: %s\n", buf);
    return EXIT_BAD_INPUT;
}

/* A whole non-negative decimal number (no sign, no trailing text). */
static int cli_parse_count(const char *text, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (!text[0] || text[0] == '-' || text[0] == '+')
        return -1;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int cli_parse(int argc, char **argv, struct cli *cli)
{
    enum { OPT_SEED = 256, OPT_REPS, OPT_SET, OPT_FORMAT, OPT_EXPLAIN, OPT_EXPECT, OPT_JUNIT };
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"reps", required_argument, NULL, OPT_REPS},
        {"set", required_argument, NULL, OPT_SET},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"explain", no_argument, NULL, OPT_EXPLAIN},
        {"expect", required_argument, NULL, OPT_EXPECT},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {NULL, 0, NULL, 0},
    };
    cli->command = argv[1];
    optind = 2;
    opterr = 0;
    int c;
    unsigned long long n;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        switch (c) {
        case 'o':
            cli->output_dir = optarg;
            break;
        case OPT_SEED:
            if (cli_parse_count(optarg, UINT64_MAX, &n) != 0)
                return cli_fail("--seed expects a whole number >= 0, got '%s'", optarg);
            cli->opt.has_seed = true;
            cli->opt.seed = n;
            break;
        case OPT_REPS:
            if (cli_parse_count(optarg, 100000, &n) != 0 || n == 0)
                return cli_fail("--reps expects a whole number from 1 to 100000, got '%s'", optarg);
            cli->opt.replications = (int64_t)n;
            break;
        case OPT_SET:
            cli->sets[cli->n_sets++] = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") == 0)
                cli->format = REPORT_TABLE;
            else if (strcmp(optarg, "json") == 0)
                cli->format = REPORT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                cli->format = REPORT_CSV;
            else
                return cli_fail("--format expects table, json or csv, got '%s'", optarg);
            break;
        case OPT_EXPLAIN:
            if (strcmp(cli->command, "validate") != 0)
                return cli_fail("--explain goes with 'validate'");
            cli->explain = true;
            break;
        case OPT_EXPECT:
        case OPT_JUNIT:
            if (strcmp(cli->command, "run") != 0)
                return cli_fail("--expect and --junit go with 'run'");
            *(c == OPT_EXPECT ? &cli->expect_file : &cli->junit_file) = optarg;
            break;
        case ':':
            return cli_fail("option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_fail("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_fail("%s: missing the scenario file", cli->command);
    if (optind + 1 < argc)
        return cli_fail("unexpected argument '%s'", argv[optind + 1]);
    cli->scenario = argv[optind];
    cli->opt.sets = cli->sets;
    cli->opt.n_sets = cli->n_sets;
    cli->opt.profiles_env_path = getenv("HAISIM_PROFILES_PATH");
    cli->opt.profiles_builtin_dir = HAISIM_PROFILES_DIR;
    return 0;
}

/* Writes DIR/name through a partial file; the report must be complete to appear. */
static int write_report_file(const char *dir, const char *name, enum report_format format,
                             const struct experiment *ex, const struct experiment_results *res,
                             struct error *err)
{
    struct outfile out;
    if (outfile_open(&out, dir, name, err) != 0)
        return -1;
    if (report_write(out.f, format, ex, res) != 0) {
        outfile_abort(&out);
        return error_set(err, out.path, 0, 0, NULL, "cannot write the report");
    }
    return outfile_commit(&out, err);
}

/* The chart first and summary.json last: a reader that finds summary.json knows the
 * rest of the run's output is there too. */
static int write_outputs(const char *dir, const struct experiment *ex,
                         const struct experiment_results *res)
{
    struct error err;
    error_clear(&err);
    if (outfile_mkdirs(dir, &err) != 0) {
        cli_print_error(&err);
        return EXIT_RUN_FAILED;
    }
    int rc = chart_latency_cdf(dir, ex, res, &err);
    if (rc < 0) {
        cli_print_error(&err);
        return EXIT_RUN_FAILED;
    }
    if (rc > 0) { /* gnuplot missing: a notice, not a failure */
        char buf[2048];
        error_format(&err, buf, sizeof buf);
        fprintf(stderr, "haisim: note: %s\n", buf);
        error_clear(&err);
    }
    if (write_report_file(dir, "summary.csv", REPORT_CSV, ex, res, &err) != 0 ||
        write_report_file(dir, "summary.json", REPORT_JSON, ex, res, &err) != 0) {
        cli_print_error(&err);
        return EXIT_RUN_FAILED;
    }
    return 0;
}

static int cmd_run(const struct cli *cli)
{
    struct experiment ex;
    struct experiment_results res = {0};
    struct error err;
    error_clear(&err);
    if (experiment_load(&ex, cli->scenario, &cli->opt, &err) != 0) {
        experiment_free(&ex);
        return cli_print_error(&err);
    }
    int rc = 0;
    ex.output_dir = cli->output_dir;
    if (!cli->output_dir && experiment_wants_outputs(&ex))
        fprintf(stderr, "haisim: note: the scenario asks for detailed outputs (outputs:), "
                        "which need -o DIR; none written\n");
    if (sweep_cli_check_expectations(cli->expect_file, &ex) != 0) {
        experiment_free(&ex);
        return EXIT_BAD_INPUT;
    }
    if (experiment_run(&ex, &res, &err) != 0) {
        char buf[2048];
        error_format(&err, buf, sizeof buf);
        fprintf(stderr, "haisim: run failed: %s\n", buf);
        rc = EXIT_RUN_FAILED;
    }
    if (rc == 0 && cli->output_dir)
        rc = write_outputs(cli->output_dir, &ex, &res);
    if (rc == 0 && report_write(stdout, cli->format, &ex, &res) != 0)
        rc = EXIT_RUN_FAILED;
    /* Expectations report on stderr: stdout carries the summary in the chosen format. */
    if (rc == 0)
        rc = sweep_cli_run_expectations(cli->expect_file, cli->junit_file, &ex, &res, stderr);
    experiment_results_free(&res);
    experiment_free(&ex);
    return rc;
}

/* What a tier's speculation gives, per drafting population (speculation_explain). */
static void explain_speculation(const struct scenario *sc, enum location loc)
{
    const struct server_config *srv = &sc->tier[loc].server;
    size_t n = sc->n_populations;
    const char **names = malloc(n * sizeof names[0]);
    double *draft_s = malloc(n * sizeof draft_s[0]), *rtt_s = malloc(n * sizeof rtt_s[0]);
    if (names && draft_s && rtt_s) {
        for (size_t p = 0; p < n; p++) {
            names[p] = sc->populations[p].name;
            draft_s[p] = llm_perf_decode_step_s(&sc->populations[p].model, 1, 0);
            rtt_s[p] = dist_mean(&sc->populations[p].link[loc].rtt_ms) * 1e-3;
        }
        speculation_explain(&srv->speculation, llm_perf_decode_step_s(&srv->model, 1, 0), n, names,
                            draft_s, rtt_s, "    ", stdout);
    }
    free(names);
    free(draft_s);
    free(rtt_s);
}

/* How each variant's models are timed (llm_perf_explain), for validate --explain. */
static void explain_models(const struct experiment *ex)
{
    for (size_t v = 0; v < ex->n_variants; v++) {
        const struct scenario *sc = &ex->variants[v].sc;
        printf("\nvariant %s\n", ex->variants[v].name);
        for (size_t p = 0; p < sc->n_populations; p++) {
            printf("  devices '%s' (%lld), model:\n", sc->populations[p].name,
                   (long long)sc->populations[p].count);
            llm_perf_explain(&sc->populations[p].model, "    ", stdout);
        }
        for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++) {
            if (!sc->tier[loc].present)
                continue;
            printf("  %s tier (%lld replica%s), model:\n", location_name((enum location)loc),
                   (long long)sc->tier[loc].server.replicas,
                   sc->tier[loc].server.replicas == 1 ? "" : "s");
            llm_perf_explain(&sc->tier[loc].server.model, "    ", stdout);
            explain_speculation(sc, (enum location)loc);
        }
    }
}

static int cmd_validate(const struct cli *cli)
{
    struct experiment ex;
    struct error err;
    error_clear(&err);
    int rc = experiment_load(&ex, cli->scenario, &cli->opt, &err);
    if (rc == 0) {
        printf("%s: ok: scenario '%s', %zu variant%s, seed %llu, %lld replication%s\n",
               cli->scenario, ex.name, ex.n_variants, ex.n_variants == 1 ? "" : "s",
               (unsigned long long)ex.seed, (long long)ex.replications,
               ex.replications == 1 ? "" : "s");
        if (cli->explain)
            explain_models(&ex);
    }
    experiment_free(&ex);
    return rc == 0 ? 0 : cli_print_error(&err);
}

/* `haisim profiles [NAME]`: the built-in profiles and those on $HAISIM_PROFILES_PATH. */
static int cmd_profiles(int argc, char **argv)
{
    struct profiles_path path;
    struct profile_info *list = NULL;
    size_t n = 0;
    struct error err;
    error_clear(&err);
    if (argc > 3)
        return cli_fail("profiles: unexpected argument '%s'", argv[3]);
    if (profiles_path_init(&path, NULL, getenv("HAISIM_PROFILES_PATH"), HAISIM_PROFILES_DIR,
                           &err) != 0 ||
        profiles_list(path.dirs, path.n, &list, &n, &err) != 0) {
        profiles_path_free(&path);
        return cli_print_error(&err);
    }
    int rc = 0;
    const char *want = argc == 3 ? argv[2] : NULL;
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (!want) {
            printf("%-40s %-8s %s\n", list[i].name, list[i].kind, list[i].description);
        } else if (strcmp(list[i].name, want) == 0) {
            found = true;
            printf("%s (%s): %s\nsource: %s\nfile: %s\n", list[i].name, list[i].kind,
                   list[i].description, list[i].source, list[i].path);
        }
    }
    if (want && !found)
        rc = cli_fail("profiles: no profile named '%s' (run 'haisim profiles' for the list)", want);
    profile_info_free(list, n);
    profiles_path_free(&path);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail("missing command");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        fputs(sweep_cli_usage, stdout);
        fputs(usage_tail, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("haisim %s\n", HAISIM_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "profiles") == 0)
        return cmd_profiles(argc, argv);
    if (strcmp(argv[1], "sweep") == 0)
        return sweep_cli_sweep(argc, argv);
    if (strcmp(argv[1], "merge") == 0)
        return sweep_cli_merge(argc, argv);
    if (strcmp(argv[1], "plot") == 0)
        return sweep_cli_plot(argc, argv);
    if (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "validate") != 0)
        return cli_fail("unknown command '%s'", argv[1]);
    struct cli cli = {.format = REPORT_TABLE};
    cli.sets = calloc((size_t)argc, sizeof cli.sets[0]);
    if (!cli.sets)
        return EXIT_RUN_FAILED;
    int rc = cli_parse(argc, argv, &cli);
    if (rc == 0)
        rc = strcmp(cli.command, "run") == 0 ? cmd_run(&cli) : cmd_validate(&cli);
    free(cli.sets);
    return rc;
}
