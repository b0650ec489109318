/* sweep_cli: the command-line front ends of `haisim sweep`, `haisim merge`, `haisim plot` and
 * of `haisim run --expect` (docs/sweeps.md, docs/ci.md). They are main's work, kept out of
 * main.c so that it stays a short dispatcher: each parses its arguments, prints what the
 * user reads (stdout: results and reports, byte-identical across reruns; stderr: progress,
 * notes and errors) and returns the exit code — 0 success, 1 something failed (a point, an
 * expectation, a chart), 2 bad input (usage, files, keys). */
#ifndef HAISIM_SWEEP_CLI_H
#define HAISIM_SWEEP_CLI_H

#include <stdio.h>

#include "experiment.h"

/* argv[1] is the command's name; the options follow. */
int sweep_cli_sweep(int argc, char **argv);
int sweep_cli_merge(int argc, char **argv);
int sweep_cli_plot(int argc, char **argv);

/* Loads and checks the expectations a run will be held to (the file's and the scenario's
 * own) before it runs, so that bad input costs no simulation: 0, or 2 after printing why. */
int sweep_cli_check_expectations(const char *expect_file, const struct experiment *ex);

/* Checks a run's results against the expectations of expect_file (may be NULL) and of the
 * scenario's own `expect:` key (when the scenario loader accepts it), prints the report to
 * `report` and writes JUnit XML to junit_file (may be NULL). Returns 0 when every check
 * passed (or there is none), 1 when one failed, 2 on bad input (the file). */
int sweep_cli_run_expectations(const char *expect_file, const char *junit_file,
                               const struct experiment *ex, const struct experiment_results *res,
                               FILE *report);

/* Usage lines of the commands above, for `haisim --help`. */
extern const char sweep_cli_usage[];

#endif
