/* fuzz_scenario: libFuzzer harnesses for the scenario loader (docs/fuzzing.md).
 *
 * The loader is a pure function of its input (experiment.h: experiment_load_text), so any
 * byte string can be thrown at it. Two harnesses share this file:
 *
 *   fuzz_scenario  the input is a whole scenario file: parsed (no --set), profiles
 *                  expanded from the source tree's scenarios/profiles, every variant
 *                  loaded and checked (the same path as `haisim validate`);
 *   fuzz_set       the input is a list of `--set` assignments, one per non-empty line,
 *                  applied to a fixed valid scenario (FUZZ_SET_BASE) and then to each of
 *                  its variants, which exercises ydoc_set's path parser and node placement
 *                  on a document that loads.
 *
 * Besides the sanitizers' findings (memory errors, leaks, undefined behaviour), each run
 * checks the loader's contract and aborts when it is broken, so libFuzzer reports it:
 *   - a failure returns -1 with a non-empty message and the file it points into (every
 *     user error is located; only "out of memory" may lack a file);
 *   - a success gives at least one variant, each loaded and named, and at least one
 *     replication.
 *
 * Relative file paths in an input resolve against the current directory (the "file" is
 * called fuzz.yaml); scripts/fuzz and tests/test_fuzz_regressions.c run from
 * tests/scenarios so that the seeds' data files (../data/...) are found.
 *
 * The same code runs without libFuzzer: tests/test_fuzz_regressions.c includes this file
 * and calls fuzz_scenario_text and fuzz_scenario_sets on every kept reproducer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"

/* Larger inputs are rejected: scenarios are a few kB, and long inputs only slow the search. */
#define FUZZ_MAX_INPUT_BYTES (64 * 1024)
/* fuzz_set: assignments beyond this many are ignored. */
#define FUZZ_MAX_SETS 64

/* The scenario fuzz_set edits: small, valid, and touching every section a --set is likely
 * to reach (three tiers, networks, distributions, variants). */
static const char FUZZ_SET_BASE[] = "name: fuzz-set\n"
                                    "seed: 1\n"
                                    "replications: 2\n"
                                    "run: {duration_s: 60, warmup_s: 6}\n"
                                    "devices:\n"
                                    "  count: 2\n"
                                    "  model: {prefill_tok_s: 100, decode_tok_s: 10}\n"
                                    "  workload:\n"
                                    "    arrival: {process: poisson, rate_rps: 1}\n"
                                    "    prompt_tokens: {dist: lognormal, mean: 200, cv: 1}\n"
                                    "    output_tokens: 20\n"
                                    "  network:\n"
                                    "    edge: {rtt_ms: 10, up_mbps: 100, down_mbps: 100}\n"
                                    "    cloud: {rtt_ms: {dist: uniform, min: 40, max: 60},\n"
                                    "            up_mbps: 10, down_mbps: 20}\n"
                                    "edge:\n"
                                    "  model: {prefill_tok_s: 1000, decode_tok_s: 100}\n"
                                    "  network:\n"
                                    "    cloud: {rtt_ms: 20, up_mbps: 1000, down_mbps: 1000}\n"
                                    "cloud:\n"
                                    "  slots: 8\n"
                                    "  model: {prefill_tok_s: 10000, decode_tok_s: 100}\n"
                                    "arbiter: cloud\n"
                                    "variants:\n"
                                    "  - {name: device, set: {arbiter: device}}\n"
                                    "  - {name: edge, set: {orchestrator: edge, arbiter: edge}}\n";

/* Both return the loader's status (0 or -1, the contract checked), or 1 when the input was
 * skipped; err_out (may be NULL) receives the loader's error record. */
int fuzz_scenario_text(const uint8_t *data, size_t size, const char *name, struct error *err_out);
int fuzz_scenario_sets(const uint8_t *data, size_t size, struct error *err_out);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what, int rc, const struct error *err)
{
    char where[1400];
    error_format(err, where, sizeof where);
    fprintf(stderr, "fuzz_scenario: loader contract broken: %s (rc %d, error \"%s\")\n", what, rc,
            where);
    abort();
}

/* Checks the contract stated at the top of this file; aborts when it is broken. */
static void fuzz_check(int rc, const struct experiment *ex, const struct error *err)
{
    if (rc != 0) {
        if (rc != -1)
            fuzz_fail("a failure that is not -1", rc, err);
        if (!err->msg[0])
            fuzz_fail("a failure with an empty message", rc, err);
        if (!err->file[0] && !strstr(err->msg, "out of memory"))
            fuzz_fail("a failure that names no file", rc, err);
        return;
    }
    if (ex->n_variants < 1 || !ex->variants)
        fuzz_fail("a success without variants", rc, err);
    if (ex->replications < 1)
        fuzz_fail("a success with fewer than one replication", rc, err);
    for (size_t i = 0; i < ex->n_variants; i++)
        if (!ex->variants[i].loaded || !ex->variants[i].name || !ex->variants[i].doc)
            fuzz_fail("a success with a variant not loaded or unnamed", rc, err);
}

/* A NUL-terminated copy of the input; NULL (skip the input) when it holds a NUL byte or is
 * too long, as text files cannot and the loader takes C strings. */
static char *fuzz_text(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT_BYTES || memchr(data, 0, size))
        return NULL;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* Loads data as a scenario file called `name` with default options. */
int fuzz_scenario_text(const uint8_t *data, size_t size, const char *name, struct error *err_out)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 1;
    struct experiment_options opt = {.profiles_env_path = NULL,
                                     .profiles_builtin_dir = HAISIM_PROFILES_DIR};
    struct experiment ex;
    struct error err;
    error_clear(&err);
    int rc = experiment_load_text(&ex, text, name, &opt, &err);
    fuzz_check(rc, &ex, &err);
    experiment_free(&ex);
    free(text);
    if (err_out)
        *err_out = err;
    return rc;
}

/* Applies each line of data as a --set assignment to FUZZ_SET_BASE and loads the result. */
int fuzz_scenario_sets(const uint8_t *data, size_t size, struct error *err_out)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 1;
    const char *sets[FUZZ_MAX_SETS];
    size_t n = 0;
    for (char *line = text; line && n < FUZZ_MAX_SETS;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0]) /* blank lines separate nothing; a trailing newline is not a --set */
            sets[n++] = line;
        line = next;
    }
    struct experiment_options opt = {.sets = sets,
                                     .n_sets = n,
                                     .profiles_env_path = NULL,
                                     .profiles_builtin_dir = HAISIM_PROFILES_DIR};
    struct experiment ex;
    struct error err;
    error_clear(&err);
    int rc = experiment_load_text(&ex, FUZZ_SET_BASE, "fuzz.yaml", &opt, &err);
    fuzz_check(rc, &ex, &err);
    experiment_free(&ex);
    free(text);
    if (err_out)
        *err_out = err;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_SET
    fuzz_scenario_sets(data, size, NULL);
#else
    fuzz_scenario_text(data, size, "fuzz.yaml", NULL);
#endif
    return 0;
}
