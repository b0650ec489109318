/* Tests of the cost model: API prices per token and self-hosted GPU-hours against
 * hand-computed dollars, the busy/provisioned split, and errors in `price:` maps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cost.h"
#include "error.h"
#include "ydoc.h"

/* |got - want| <= tol, printing both on failure (cmocka 1.1 has no double assertion). */
#define assert_near(got, want, tol) assert_near_at((got), (want), (tol), __FILE__, __LINE__)
static void assert_near_at(double got, double want, double tol, const char *file, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s:%d: got %.17g, want %.17g (tolerance %g)\n", file, line, got, want, tol);
        fail();
    }
}

/* Loads the `price:` map of text into *cfg; returns cost_load's status, error in *err. */
static int load(const char *text, struct cost_config *cfg, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, "p.yaml", err);
    assert_non_null(doc);
    struct ydoc_node *price = ydoc_get(ydoc_root(doc), "price");
    int rc = cost_load(cfg, price, err);
    if (rc == 0 && price) { /* every key of a well-formed map is consumed */
        struct error unused;
        error_clear(&unused);
        assert_int_equal(ydoc_check_unused(doc, &unused), 0);
    }
    ydoc_free(doc);
    return rc;
}

static void api_price_is_per_million_tokens(void **state)
{
    (void)state;
    /* GPT-4o at $2.50 in / $10 out per 1M tokens (reference-numbers §4.5, Aug-2024 price):
     * 1,000 prompt tokens + 500 output tokens = 0.0025 + 0.005 = $0.0075. */
    struct cost_config c;
    struct error err;
    assert_int_equal(load("price: {input_usd_per_mtok: 2.5, output_usd_per_mtok: 10}", &c, &err),
                     0);
    assert_int_equal(c.kind, COST_PER_TOKEN);
    assert_near(cost_request_usd(&c, 1000, 500), 0.0075, 1e-15);
    assert_near(cost_request_usd(&c, 1e6, 0), 2.5, 1e-12);
    assert_near(cost_request_usd(&c, 0, 1e6), 10.0, 1e-12);
    /* Nothing is provisioned and there is no busy-time charge. */
    assert_near(cost_provisioned_usd(&c, 3600), 0.0, 0.0);
    assert_near(cost_busy_usd(&c, 10), 0.0, 0.0);
    cost_free(&c);

    /* RouteLLM's blended GPT-4 price, $24.7 per 1M tokens either way (Ong et al. 2024):
     * a 300-token prompt with a 200-token answer costs 500 · 24.7e-6 = $0.01235. */
    assert_int_equal(load("price: {input_usd_per_mtok: 24.7, output_usd_per_mtok: 24.7}", &c, &err),
                     0);
    assert_near(cost_request_usd(&c, 300, 200), 0.01235, 1e-15);
    cost_free(&c);
}

static void gpu_hours_split_into_busy_and_provisioned(void **state)
{
    (void)state;
    /* A made-up 8-GPU server at $3 per GPU-hour: one hour provisioned = 8 · 3 = $24.
     * A request holding 0.9 s of busy time: 8 · 3 · 0.9 / 3600 = $0.006. */
    struct cost_config c;
    struct error err;
    assert_int_equal(load("price: {gpu_hour_usd: 3, gpus: 8}", &c, &err), 0);
    assert_int_equal(c.kind, COST_PER_GPU_HOUR);
    assert_near(cost_provisioned_usd(&c, 3600), 24.0, 1e-12);
    assert_near(cost_busy_usd(&c, 0.9), 0.006, 1e-15);
    assert_near(cost_request_usd(&c, 1000, 1000), 0.0, 0.0);

    /* Attribution conserves dollars: a 2-s batch step shared by 4 requests gives each 0.5 s;
     * their charges add up to the cost of the step, which is at most the provisioned cost
     * of the same interval (equal here: the server was busy throughout). */
    double sum = 0;
    for (int r = 0; r < 4; r++)
        sum += cost_busy_usd(&c, 2.0 / 4);
    assert_near(sum, cost_busy_usd(&c, 2.0), 1e-15);
    assert_near(sum, cost_provisioned_usd(&c, 2.0), 1e-15);
    cost_free(&c);

    /* gpus defaults to 1. */
    assert_int_equal(load("price: {gpu_hour_usd: 2.5}", &c, &err), 0);
    assert_near(c.gpus, 1.0, 0.0);
    assert_near(cost_provisioned_usd(&c, 7200), 5.0, 1e-12);
    cost_free(&c);
}

static void missing_price_is_free(void **state)
{
    (void)state;
    struct cost_config c;
    struct error err;
    assert_int_equal(load("other: 1", &c, &err), 0);
    assert_near(cost_request_usd(&c, 1e6, 1e6), 0.0, 0.0);
    assert_near(cost_provisioned_usd(&c, 1e6), 0.0, 0.0);
    cost_free(&c);
}

static void assert_error(const char *text, int line, int col, const char *path, const char *part)
{
    struct cost_config c;
    struct error err;
    assert_int_equal(load(text, &c, &err), -1);
    if (!strstr(err.msg, part))
        print_error("message '%s' lacks '%s'\n", err.msg, part);
    assert_non_null(strstr(err.msg, part));
    assert_string_equal(err.file, "p.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
}

static void price_errors_are_located(void **state)
{
    (void)state;
    assert_error("price: {input_usd_per_mtok: 2.5, gpu_hour_usd: 3}", 1, 48, "price.gpu_hour_usd",
                 "not both");
    assert_error("price: {}", 1, 8, "price", "expected input_usd_per_mtok");
    assert_error("price: {input_usd_per_mtok: 2.5}", 1, 8, "price",
                 "missing required key 'output_usd_per_mtok'");
    assert_error("price: {input_usd_per_mtok: -1, output_usd_per_mtok: 1}", 1, 29,
                 "price.input_usd_per_mtok", "[0, 10000]");
    assert_error("price: {gpus: 4}", 1, 8, "price", "missing required key 'gpu_hour_usd'");
    assert_error("price: {gpu_hour_usd: 3, gpus: 0}", 1, 32, "price.gpus", "0");
    assert_error("price: {gpu_hour_usd: 3, gpus: 1.5}", 1, 32, "price.gpus", "1.5");
    assert_error("price: 12", 1, 8, "price", "expected a map");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_price_is_per_million_tokens),
        cmocka_unit_test(gpu_hours_split_into_busy_and_provisioned),
        cmocka_unit_test(missing_price_is_free),
        cmocka_unit_test(price_errors_are_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
