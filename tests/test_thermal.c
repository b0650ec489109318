/* Tests of thermal: the closed forms of heating and cooling, the time of work under
 * throttling (Newton's solution against W(t) = w and against limits worked by hand),
 * monotonicity, splitting work, the published throttled rate, and loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simtime.h"
#include "thermal.h"
#include "ydoc.h"

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, rel);
}

static struct thermal_config config(double f, double heat_s, double cool_s)
{
    return (struct thermal_config){true, f, heat_s, cool_s};
}

/* W(t) written out independently of thermal.c: the integral of m(h(u)) from 0 to t. */
static double work_done(double t, double f, double h0, double tau)
{
    double a = 1 - f;
    return (1 - a) * t - a * (1 - h0) * tau * expm1(-t / tau); /* expm1: t ≪ τ stays exact */
}

static void throttle_factor_one_never_slows(void **state)
{
    (void)state;
    struct thermal_config c = config(1.0, 60, 60);
    struct thermal_state s = {0.5, 0};
    assert_true(thermal_busy_time_s(&s, &c, 12.5) == 12.5);
    /* The device still heats (for reporting), it just does not slow down. */
    assert_close(s.heat, 1 - 0.5 * exp(-12.5 / 60), 1e-15);
    assert_int_equal(s.since_ns, 12500000000);
    assert_true(thermal_speed(&c, s.heat) == 1.0);

    struct thermal_config off;
    struct error err;
    assert_int_equal(thermal_load(&off, NULL, &err), 0);
    assert_false(off.enabled);
    struct thermal_state cold = {0, 0};
    assert_true(thermal_busy_time_s(&cold, &off, 1000) == 1000);
    assert_true(cold.heat == 0.0);
    assert_true(thermal_speed(&off, 1.0) == 1.0);
}

/* Worked by hand: f = 0.5 (a = 0.5), τh = 100 s, h0 = 0. Busy for t = τh does
 * W = 0.5·100 + 0.5·100·(1 − e^−1) = 81.606 s of work and ends at heat 1 − e^−1 = 0.632. So
 * work of 81.606 s must take exactly 100 s. */
static void busy_time_matches_closed_form_worked_by_hand(void **state)
{
    (void)state;
    struct thermal_config c = config(0.5, 100, 100);
    struct thermal_state s = {0, 0};
    double w = 50 + 50 * (1 - exp(-1.0));
    assert_close(w, 81.60602794142788, 1e-15);
    double t = thermal_busy_time_s(&s, &c, w);
    assert_close(t, 100, 1e-12);
    assert_close(s.heat, 1 - exp(-1.0), 1e-12);
    assert_close(thermal_speed(&c, s.heat), 1 - 0.5 * (1 - exp(-1.0)), 1e-12);
}

/* Fully hot, the speed is f throughout: t = w/f exactly. */
static void fully_hot_work_takes_w_over_f(void **state)
{
    (void)state;
    struct thermal_config c = config(0.585, 120, 120);
    struct thermal_state s = {1.0, 0};
    assert_close(thermal_busy_time_s(&s, &c, 10), 10 / 0.585, 1e-15);
    assert_true(s.heat == 1.0);
}

/* Cold and short (w ≪ τh): W(t) ≈ t − a·t²/(2τh), so t ≈ w·(1 + a·w/(2τh)), with an error
 * of order (w/τh)². */
static void cold_short_work_is_almost_unthrottled(void **state)
{
    (void)state;
    struct thermal_config c = config(0.5, 100, 100);
    struct thermal_state s = {0, 0};
    double w = 0.1;
    double t = thermal_busy_time_s(&s, &c, w);
    assert_true(t > w);
    assert_close(t, w * (1 + 0.5 * w / 200), 1e-6);
    assert_close(s.heat, 1 - exp(-t / 100), 1e-15);
}

/* Newton's answer solves W(t) = w to 1e-9 relative over wide ranges of w, h0 and f. */
static void newton_solves_work_equation_to_1e_9(void **state)
{
    (void)state;
    static const double fs[] = {0.05, 0.3, 0.585, 0.9, 0.999};
    static const double h0s[] = {0, 0.1, 0.5, 0.9, 0.999999};
    static const double ws[] = {1e-6, 0.01, 1, 30, 100, 1000, 1e5};
    int cases = 0;
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
        for (size_t j = 0; j < sizeof h0s / sizeof h0s[0]; j++)
            for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++) {
                struct thermal_config c = config(fs[i], 100, 100);
                struct thermal_state s = {h0s[j], 0};
                double t = thermal_busy_time_s(&s, &c, ws[k]);
                assert_true(t >= ws[k] && t <= ws[k] / fs[i] * (1 + 1e-15));
                assert_close(work_done(t, fs[i], h0s[j], 100), ws[k], 1e-9);
                cases++;
            }
    assert_int_equal(cases, 175);
}

/* More work takes longer and leaves the device hotter; a hotter start takes longer. */
static void busy_time_is_monotone_in_work_and_heat(void **state)
{
    (void)state;
    struct thermal_config c = config(0.4, 60, 60);
    double prev_t = 0, prev_heat = 0;
    for (double w = 1; w <= 600; w *= 1.5) {
        struct thermal_state s = {0.2, 0};
        double t = thermal_busy_time_s(&s, &c, w);
        assert_true(t > prev_t);
        assert_true(s.heat > prev_heat);
        prev_t = t;
        prev_heat = s.heat;
    }
    prev_t = 0;
    for (double h0 = 0; h0 <= 1.0; h0 += 0.125) {
        struct thermal_state s = {h0, 0};
        double t = thermal_busy_time_s(&s, &c, 30);
        assert_true(t > prev_t);
        prev_t = t;
    }
}

/* The heat equation is autonomous, so work run in pieces back to back takes as long as one
 * piece of the same total, and ends at the same heat. */
static void split_work_takes_the_same_time(void **state)
{
    (void)state;
    struct thermal_config c = config(0.585, 90, 90);
    struct thermal_state whole = {0.3, 0}, pieces = {0.3, 0};
    double t_whole = thermal_busy_time_s(&whole, &c, 200);
    double t_pieces = 0;
    for (int i = 0; i < 100; i++)
        t_pieces += thermal_busy_time_s(&pieces, &c, 2);
    assert_close(t_pieces, t_whole, 1e-12);
    assert_close(pieces.heat, whole.heat, 1e-12);
    /* since_ns advanced by the busy time (100 roundings of ≤ 0.5 ns each). */
    assert_true(llabs(pieces.since_ns - simtime_from_s(t_whole)) <= 50);
}

/* Idle: h = h0·e^(−Δ/τc) over the gap since the last update; nothing happens backwards. */
static void idle_cools_exponentially(void **state)
{
    (void)state;
    struct thermal_config c = config(0.5, 100, 40);
    struct thermal_state s = {0.8, 5 * SIMTIME_NS_PER_S};
    thermal_idle(&s, &c, 45 * SIMTIME_NS_PER_S);
    assert_close(s.heat, 0.8 * exp(-1.0), 1e-15);
    assert_int_equal(s.since_ns, 45 * SIMTIME_NS_PER_S);
    thermal_idle(&s, &c, 10 * SIMTIME_NS_PER_S);
    assert_close(s.heat, 0.8 * exp(-1.0), 1e-15);
    assert_int_equal(s.since_ns, 45 * SIMTIME_NS_PER_S);
    /* A long rest makes the device as fast as new. */
    thermal_idle(&s, &c, 10000 * SIMTIME_NS_PER_S);
    assert_true(s.heat < 1e-100);
    /* Busy then idle: the gap, not the busy time, cools. */
    struct thermal_state d = {0, 0};
    double t = thermal_busy_time_s(&d, &c, 50);
    double hot = d.heat;
    thermal_idle(&d, &c, simtime_from_s(t) + 40 * SIMTIME_NS_PER_S);
    assert_close(d.heat, hot * exp(-1.0), 1e-9);
}

/* Qwen2.5-1.5B 4-bit on an iPhone 16 Pro (MLX): peak 40.5 tok/s, steady 23.7 tok/s after
 * sustained runs (arXiv 2603.23640; reference-numbers §4.1). With f = 23.7/40.5 a device kept
 * busy for many τh decodes at 23.7 tok/s, and the first token of a cold device at 40.5. */
static void sustained_decode_falls_to_published_throttled_rate(void **state)
{
    (void)state;
    struct thermal_config c = config(23.7 / 40.5, 60, 60);
    struct thermal_state s = {0, 0};
    double token_s = 1 / 40.5;
    assert_close(thermal_busy_time_s(&s, &c, token_s), token_s, 1e-4);
    double busy_s = 0;
    while (busy_s < 20 * 60)
        busy_s += thermal_busy_time_s(&s, &c, token_s);
    double tok_s = 1 / thermal_busy_time_s(&s, &c, token_s);
    print_message("    after %.0f s busy: heat %.9f, %.3f tok/s\n", busy_s, s.heat, tok_s);
    assert_close(tok_s, 23.7, 1e-6);
}

static int load_text(const char *text, struct thermal_config *c, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", err);
    assert_non_null(doc);
    int rc = thermal_load(c, ydoc_get(ydoc_root(doc), "thermal"), err);
    if (rc == 0) {
        struct error unused;
        error_clear(&unused);
        assert_int_equal(ydoc_check_unused(doc, &unused), 0);
    }
    ydoc_free(doc);
    return rc;
}

static void loads_keys_defaults_and_errors(void **state)
{
    (void)state;
    struct thermal_config c;
    struct error err;
    assert_int_equal(load_text("thermal: {throttle_factor: 0.585, heat_time_s: 120}\n", &c, &err),
                     0);
    assert_true(c.enabled);
    assert_true(c.throttle_factor == 0.585);
    assert_true(c.heat_time_s == 120 && c.cool_time_s == 120); /* one RC constant */
    assert_int_equal(
        load_text("thermal: {throttle_factor: 0.5, heat_time_s: 120, cool_time_s: 300}\n", &c,
                  &err),
        0);
    assert_true(c.cool_time_s == 300);

    assert_int_equal(load_text("thermal: {throttle_factor: 0, heat_time_s: 120}\n", &c, &err), -1);
    print_message("    -> %d:%d %s: %s\n", err.line, err.col, err.path, err.msg);
    assert_string_equal(err.path, "thermal.throttle_factor");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 28);
    assert_non_null(strstr(err.msg, "(0, 1]"));
    assert_int_equal(load_text("thermal: {throttle_factor: 0.5}\n", &c, &err), -1);
    assert_non_null(strstr(err.msg, "missing required key 'heat_time_s'"));
    assert_string_equal(err.path, "thermal");
    assert_int_equal(
        load_text("thermal: {throttle_factor: 0.5, heat_time_s: 1, cool_time_s: -2}\n", &c, &err),
        -1);
    assert_string_equal(err.path, "thermal.cool_time_s");
    assert_int_equal(load_text("thermal: [1]\n", &c, &err), -1);
    assert_non_null(strstr(err.msg, "expected a map"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(throttle_factor_one_never_slows),
        cmocka_unit_test(busy_time_matches_closed_form_worked_by_hand),
        cmocka_unit_test(fully_hot_work_takes_w_over_f),
        cmocka_unit_test(cold_short_work_is_almost_unthrottled),
        cmocka_unit_test(newton_solves_work_equation_to_1e_9),
        cmocka_unit_test(busy_time_is_monotone_in_work_and_heat),
        cmocka_unit_test(split_work_takes_the_same_time),
        cmocka_unit_test(idle_cools_exponentially),
        cmocka_unit_test(sustained_decode_falls_to_published_throttled_rate),
        cmocka_unit_test(loads_keys_defaults_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
