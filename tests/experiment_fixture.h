/* experiment_fixture: tests that drive the whole engine from scenario text — load and run
 * it, failing the test with the located error if either fails, and read a metric of a
 * variant's first replication. Include after cmocka.h. */
#ifndef HAISIM_TEST_EXPERIMENT_FIXTURE_H
#define HAISIM_TEST_EXPERIMENT_FIXTURE_H

#include <string.h>

#include "experiment.h"

static inline void fixture_run_text(const char *text, struct experiment *ex,
                                    struct experiment_results *res)
{
    struct experiment_options opt = {0};
    struct error err;
    error_clear(&err);
    if (experiment_load_text(ex, text, "scenario.yaml", &opt, &err) != 0 ||
        experiment_run(ex, res, &err) != 0)
        fail_msg("%s:%d:%d: %s: %s", err.file, err.line, err.col, err.path, err.msg);
}

static inline double fixture_value(const struct experiment_results *res, size_t variant,
                                   const char *metric)
{
    long i = metric_find(metric);
    if (i < 0)
        fail_msg("no metric named '%s'", metric);
    return experiment_value(res, variant, 0)[i];
}

/* The text must fail to load with the error at key path `path` and `words` in its message. */
static inline void fixture_expect_load_error(const char *text, const char *path, const char *words)
{
    struct experiment ex;
    struct experiment_options opt = {0};
    struct error err;
    error_clear(&err);
    assert_int_equal(experiment_load_text(&ex, text, "bad.yaml", &opt, &err), -1);
    printf("  %s:%d:%d: %s: %s\n", err.file, err.line, err.col, err.path, err.msg);
    assert_string_equal(err.path, path);
    assert_non_null(strstr(err.msg, words));
    assert_true(err.line > 0);
    experiment_free(&ex);
}

/* The text must fail to load, located (line > 0), with `part` in the formatted message
 * (file:line:column: key path: message). */
static inline void fixture_expect_load_error_containing(const char *text, const char *part)
{
    struct experiment ex;
    struct experiment_options opt = {0};
    struct error err;
    error_clear(&err);
    assert_int_equal(experiment_load_text(&ex, text, "bad.yaml", &opt, &err), -1);
    char msg[2048];
    error_format(&err, msg, sizeof msg);
    printf("  %s\n", msg);
    if (!strstr(msg, part))
        fail_msg("'%s' lacks '%s'", msg, part);
    assert_true(err.line > 0);
    experiment_free(&ex);
}

#endif
