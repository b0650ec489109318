/* Regression tests for the fuzz harnesses (docs/fuzzing.md), without libFuzzer: the harness
 * code of tests/fuzz/fuzz_scenario.c runs over the fuzzer's seed corpus (every YAML file
 * under scenarios/, every test scenario, the seeds of tests/fuzz/seeds/) and over every
 * reproducer kept in tests/fuzz/regressions/, under the normal test build's sanitizers.
 * Each input must load or fail with a located message (the harness itself aborts when the
 * loader's contract is broken); the fuzz seeds must load.
 *
 * Reproducers are run as the fuzzer ran them: from tests/scenarios, as a file called
 * fuzz.yaml; a file whose name starts with "set-" is a fuzz_set input (--set assignments,
 * one per line), any other file a fuzz_scenario input. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fuzz/fuzz_scenario.c"

#define FUZZ_DIR HAISIM_SOURCE_DIR "/tests/fuzz/regressions"

/* Reads a whole file; the caller frees *data. */
static void read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *data = buf;
    *size = n;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls visit(path) on every regular file under dir whose name ends with suffix (""
 * matches all), in sorted order, descending into subdirectories when recurse, skipping
 * dot files and READMEs; returns how many files were visited. The directory must exist
 * (opened or the test fails), so a wrong path cannot pass by finding nothing. */
static size_t for_each_file(const char *dir, const char *suffix, bool recurse,
                            void (*visit)(const char *path))
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        names = realloc(names, (n + 1) * sizeof names[0]);
        assert_non_null(names);
        names[n] = strdup(e->d_name);
        assert_non_null(names[n++]);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof names[0], compare_names);
    size_t visited = 0, slen = strlen(suffix);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        assert_int_equal(stat(path, &st), 0);
        size_t len = strlen(names[i]);
        if (S_ISDIR(st.st_mode) && recurse)
            visited += for_each_file(path, suffix, recurse, visit);
        else if (S_ISREG(st.st_mode) && len >= slen && strcmp(names[i] + len - slen, suffix) == 0) {
            visit(path);
            visited++;
        }
        free(names[i]);
    }
    free(names);
    return visited;
}

/* Prints the outcome of loading path (when it is not the expected one). */
static void print_outcome(const char *path, int rc, const struct error *err)
{
    char where[1400];
    error_format(err, where, sizeof where);
    print_message("%s: rc %d: %s\n", path, rc, rc == 0 ? "loaded" : where);
}

/* A failure must carry a message and the file it points into (the harness aborts first if
 * not). */
static void assert_located(const char *path, int rc, const struct error *err)
{
    if (rc == 0)
        return;
    if (rc != -1 || !err->msg[0] || !err->file[0])
        print_outcome(path, rc, err);
    assert_int_equal(rc, -1);
    assert_true(err->msg[0] != '\0');
    assert_true(err->file[0] != '\0');
}

/* Every seed goes through the harness as the fuzzer gives it (as fuzz.yaml, from
 * tests/scenarios): it must load or fail located. Not every shipped YAML file is a scenario
 * (profiles, sweep definitions), so only the seeds written for fuzzing must load. */
static void check_seed(const char *path)
{
    uint8_t *data;
    size_t size;
    read_file(path, &data, &size);
    struct error err;
    error_clear(&err);
    int rc = fuzz_scenario_text(data, size, "fuzz.yaml", &err);
    free(data);
    assert_true(rc != 1);
    assert_located(path, rc, &err);
    if (strstr(path, "/tests/fuzz/seeds/")) {
        if (rc != 0)
            print_outcome(path, rc, &err);
        assert_int_equal(rc, 0);
    }
}

static void check_regression(const char *path)
{
    uint8_t *data;
    size_t size;
    read_file(path, &data, &size);
    const char *base = strrchr(path, '/') + 1;
    struct error err;
    error_clear(&err);
    int rc = strncmp(base, "set-", 4) == 0 ? fuzz_scenario_sets(data, size, &err)
                                           : fuzz_scenario_text(data, size, "fuzz.yaml", &err);
    free(data);
    assert_true(rc != 1); /* a reproducer the harness skips would test nothing */
    assert_located(path, rc, &err);
}

static int enter_scenarios_dir(void **state)
{
    return chdir(HAISIM_SOURCE_DIR "/tests/scenarios");
}

static void seeds_load_or_fail_located(void **state)
{
    size_t n = for_each_file(HAISIM_SOURCE_DIR "/scenarios", ".yaml", true, check_seed);
    n += for_each_file(HAISIM_SOURCE_DIR "/tests/scenarios", ".yaml", false, check_seed);
    n += for_each_file(HAISIM_SOURCE_DIR "/tests/fuzz/seeds", ".yaml", false, check_seed);
    print_message("%zu seeds\n", n);
    assert_true(n >= 10); /* quickstart, benchmarks, profiles, test scenarios, fuzz seeds */
}

static void kept_reproducers_load_or_fail_located(void **state)
{
    size_t n = for_each_file(FUZZ_DIR, "", false, check_regression);
    print_message("%zu reproducers in tests/fuzz/regressions\n", n);
}

/* The fixed scenario fuzz_set edits must stay valid, or fuzz_set explores nothing but one
 * error; assignments land in it and bad ones are located at --set. */
static void set_harness_base_loads_and_assignments_apply(void **state)
{
    struct error err;
    assert_int_equal(fuzz_scenario_sets((const uint8_t *)"", 0, &err), 0);
    const char ok[] = "cloud.slots=16\ndevices.workload.output_tokens={dist: uniform, min: 1, "
                      "max: 9}\nvariants[1].set.arbiter=cloud";
    assert_int_equal(fuzz_scenario_sets((const uint8_t *)ok, strlen(ok), &err), 0);
    const char bad[] = "cloud.slots=16\ncloud.slot=3";
    assert_int_equal(fuzz_scenario_sets((const uint8_t *)bad, strlen(bad), &err), -1);
    assert_string_equal(err.file, "--set");
    assert_non_null(strstr(err.msg, "did you mean 'slots'"));
}

/* Inputs a text file cannot be (embedded NUL) or too long are skipped, not loaded. */
static void harness_skips_nul_bytes_and_oversized_inputs(void **state)
{
    static const uint8_t nul[] = "name: a\0b";
    assert_int_equal(fuzz_scenario_text(nul, sizeof nul - 1, "fuzz.yaml", NULL), 1);
    size_t big = FUZZ_MAX_INPUT_BYTES + 1;
    uint8_t *text = malloc(big);
    assert_non_null(text);
    memset(text, '#', big);
    assert_int_equal(fuzz_scenario_text(text, big, "fuzz.yaml", NULL), 1);
    assert_int_equal(fuzz_scenario_text(text, big - 1, "fuzz.yaml", NULL), -1);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seeds_load_or_fail_located),
        cmocka_unit_test(kept_reproducers_load_or_fail_located),
        cmocka_unit_test(set_harness_base_loads_and_assignments_apply),
        cmocka_unit_test(harness_skips_nul_bytes_and_oversized_inputs),
    };
    return cmocka_run_group_tests(tests, enter_scenarios_dir, NULL);
}
