/* Tests of the device energy model: compute, idle and radio energy against hand-computed
 * joules and published per-token figures, the radio profiles and tail, conservation of
 * energy over a sequence of operations, the battery, and errors in `power:` maps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "energy.h"
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

/* Loads the `power:` map of text into *cfg; returns energy_load's status, error in *err. */
static int load(const char *text, struct energy_config *cfg, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, "e.yaml", err);
    assert_non_null(doc);
    struct ydoc_node *power = ydoc_get(ydoc_root(doc), "power");
    int rc = energy_load(cfg, power, err);
    if (rc == 0 && power) { /* every key of a well-formed map is consumed */
        struct error unused;
        error_clear(&unused);
        assert_int_equal(ydoc_check_unused(doc, &unused), 0);
    }
    ydoc_free(doc);
    return rc;
}

static struct energy_config load_ok(const char *text)
{
    struct energy_config cfg;
    struct error err;
    if (load(text, &cfg, &err) != 0)
        print_error("unexpected error: %d:%d: %s: %s\n", err.line, err.col, err.path, err.msg);
    assert_int_equal(err.msg[0], '\0');
    return cfg;
}

static void compute_energy_is_power_times_phase_time(void **state)
{
    (void)state;
    /* Made-up phone: 4 W prefill, 3 W decode. 0.5 s + 10 s → 2 + 30 = 32 J. */
    struct energy_config c = load_ok("power: {idle_w: 0.1, prefill_w: 4, decode_w: 3}");
    assert_near(energy_compute_j(&c, 0.5, 10.0), 32.0, 1e-12);
    assert_near(energy_idle_j(&c, 3600.0), 360.0, 1e-9); /* 0.1 W for an hour */
    assert_near(energy_radio_j(&c, 1e6, 1e6), 0.0, 0.0); /* no radio map: no radio energy */
    energy_free(&c);

    /* active_w sets both phases: 5 W · 10.5 s = 52.5 J; idle_w defaults to 0. */
    c = load_ok("power: {active_w: 5}");
    assert_near(energy_compute_j(&c, 0.5, 10.0), 52.5, 1e-12);
    assert_near(energy_idle_j(&c, 100.0), 0.0, 0.0);
    energy_free(&c);
}

static void joules_per_token_match_published_figures(void **state)
{
    (void)state;
    /* J/token = decode_w / decode_tok_s (reference-numbers §4.4):
     * Phi Silica NPU ~1.5 W at ~27 tok/s → ≈ 0.056 J/token (Windows developer blog 2024);
     * RTX 4050 laptop, Qwen2.5-1.5B 4-bit, 34.1 W at 131.7 tok/s → 0.26 J/token. */
    struct energy_config npu = load_ok("power: {active_w: 1.5}");
    assert_near(energy_compute_j(&npu, 0.0, 1.0 / 27.0), 0.056, 0.0005);
    struct energy_config gpu = load_ok("power: {active_w: 34.1}");
    assert_near(energy_compute_j(&gpu, 0.0, 1.0 / 131.7), 0.26, 0.005);
    energy_free(&npu);
    energy_free(&gpu);
}

static void radio_profiles_use_published_energy_per_bit(void **state)
{
    (void)state;
    /* DESIGN §4 / Huang et al. (MobiSys 2012): Wi-Fi 283 tx / 137 rx, cellular 438 / 52 nJ/bit.
     * 1 MB = 8e6 bits: Wi-Fi up 8e6 · 283e-9 = 2.264 J, down 1.096 J; cellular up 3.504 J,
     * down 0.416 J. */
    struct energy_config wifi = load_ok("power: {active_w: 2, radio: {technology: wifi}}");
    assert_near(wifi.tx_nj_per_bit, 283.0, 0.0);
    assert_near(wifi.rx_nj_per_bit, 137.0, 0.0);
    assert_near(energy_radio_j(&wifi, 1e6, 0), 2.264, 1e-12);
    assert_near(energy_radio_j(&wifi, 0, 1e6), 1.096, 1e-12);
    struct energy_config cell = load_ok("power: {active_w: 2, radio: {technology: cellular}}");
    assert_near(energy_radio_j(&cell, 1e6, 0), 3.504, 1e-12);
    assert_near(energy_radio_j(&cell, 0, 1e6), 0.416, 1e-12);
    /* A 200-token prompt as text at ≈ 4 B/token (reference-numbers §4.3) = 800 B up over
     * cellular: 6,400 bits · 438 nJ = 2.8032 mJ; plus a 300-token answer down: 9,600 · 52 nJ. */
    assert_near(energy_radio_j(&cell, 800, 1200), 2.8032e-3 + 0.4992e-3, 1e-15);
    energy_free(&wifi);
    energy_free(&cell);

    /* Explicit values override a profile, and stand alone without one. */
    struct energy_config mixed =
        load_ok("power: {active_w: 2, radio: {technology: cellular, tx_nj_per_bit: 500}}");
    assert_near(mixed.tx_nj_per_bit, 500.0, 0.0);
    assert_near(mixed.rx_nj_per_bit, 52.0, 0.0);
    struct energy_config own =
        load_ok("power: {active_w: 2, radio: {tx_nj_per_bit: 100, rx_nj_per_bit: 50}}");
    assert_near(energy_radio_j(&own, 10, 20), 8 * (10 * 100 + 20 * 50) * 1e-9, 1e-18);
    energy_free(&mixed);
    energy_free(&own);
}

static void radio_tail_is_cut_short_by_the_next_transfer(void **state)
{
    (void)state;
    /* Made-up tail: 1 W for 10 s after the last transfer. */
    struct energy_config c =
        load_ok("power: {active_w: 2, radio: {technology: cellular, tail_w: 1, tail_s: 10}}");
    assert_near(energy_radio_tail_j(&c, 3.0), 3.0, 0.0);   /* next transfer after 3 s */
    assert_near(energy_radio_tail_j(&c, 20.0), 10.0, 0.0); /* the whole tail */
    assert_near(energy_radio_tail_j(&c, INFINITY), 10.0, 0.0);
    assert_near(energy_radio_tail_j(&c, 0.0), 0.0, 0.0);
    energy_free(&c);
    struct energy_config none = load_ok("power: {active_w: 2, radio: {technology: cellular}}");
    assert_near(energy_radio_tail_j(&none, 5.0), 0.0, 0.0);
    energy_free(&none);
}

static void energy_is_conserved_over_a_sequence_of_operations(void **state)
{
    (void)state;
    /* One device over T = 100 s: two requests served locally and one offloaded. The parts,
     * charged one operation at a time, must add up to power × total phase time + radio,
     * and the battery must fall by exactly that sum. */
    struct energy_config c = load_ok("power: {idle_w: 0.2, prefill_w: 6, decode_w: 3.5,\n"
                                     "        radio: {technology: wifi}, battery_wh: 1}");
    struct battery b;
    battery_init(&b, &c);
    assert_near(b.capacity_j, 3600.0, 0.0);
    struct op {
        double prefill_s, decode_s, idle_s, up_bytes, down_bytes;
    } ops[] = {
        {0, 0, 12.5, 0, 0}, {0.4, 6.0, 0, 0, 0}, {0, 0, 20.0, 0, 0},   {0, 0, 0, 1600, 0},
        {0, 0, 9.1, 0, 0},  {0, 0, 0, 0, 2400},  {1.2, 12.5, 0, 0, 0}, {0, 0, 38.3, 0, 0},
    };
    double sum = 0, t_prefill = 0, t_decode = 0, t_idle = 0, up = 0, down = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const struct op *o = &ops[i];
        double e = energy_compute_j(&c, o->prefill_s, o->decode_s) + energy_idle_j(&c, o->idle_s) +
                   energy_radio_j(&c, o->up_bytes, o->down_bytes);
        sum += e;
        assert_false(battery_drain(&b, e));
        t_prefill += o->prefill_s;
        t_decode += o->decode_s;
        t_idle += o->idle_s;
        up += o->up_bytes;
        down += o->down_bytes;
    }
    assert_near(t_prefill + t_decode + t_idle, 100.0, 1e-12);
    /* By hand: 6·1.6 + 3.5·18.5 + 0.2·79.9 + 8·(1600·283 + 2400·137)e-9
     *        = 9.6 + 64.75 + 15.98 + 0.0062528 = 90.3362528 J. */
    assert_near(sum, 90.3362528, 1e-9);
    assert_near(sum, 6 * t_prefill + 3.5 * t_decode + 0.2 * t_idle + 8e-9 * (283 * up + 137 * down),
                1e-12);
    assert_near(b.level_j, b.initial_j - sum, 1e-9);
    assert_near(battery_level_fraction(&b), (3600.0 - 90.3362528) / 3600.0, 1e-12);
    assert_false(battery_is_empty(&b));
    energy_free(&c);
}

static void battery_never_goes_below_zero_and_reports_empty_once(void **state)
{
    (void)state;
    /* 0.01 Wh = 36 J, starting half full: 18 J. Drains 5, 5, 5, 5, 1. */
    struct energy_config c =
        load_ok("power: {active_w: 2, battery_wh: 0.01, battery_initial: 0.5}");
    struct battery b;
    battery_init(&b, &c);
    assert_near(b.capacity_j, 36.0, 1e-12);
    assert_near(b.level_j, 18.0, 1e-12);
    assert_near(battery_level_fraction(&b), 0.5, 1e-15);
    const double drains[] = {5, 5, 5, 5, 1};
    const bool empties[] = {false, false, false, true, false};
    double total = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(battery_drain(&b, drains[i]), empties[i]);
        total += drains[i];
        assert_true(b.level_j >= 0.0);
        assert_near(b.initial_j - b.level_j + b.deficit_j, total, 1e-12);
    }
    assert_near(b.level_j, 0.0, 0.0);
    assert_near(b.deficit_j, 3.0, 1e-12); /* 21 J asked for, 18 J there */
    assert_true(battery_is_empty(&b));
    assert_near(battery_level_fraction(&b), 0.0, 0.0);
    assert_false(battery_drain(&b, -4.0)); /* negative drains are ignored */
    assert_near(b.deficit_j, 3.0, 1e-12);
    energy_free(&c);

    /* A battery drained to exactly zero reports empty on that drain. */
    c = load_ok("power: {active_w: 2, battery_wh: 0.001}"); /* 3.6 J */
    battery_init(&b, &c);
    assert_false(battery_drain(&b, 1.6));
    assert_true(battery_drain(&b, 2.0));
    assert_near(b.deficit_j, 0.0, 1e-15);

    /* A mains-powered device: no battery, reads full, never empties. */
    c = load_ok("power: {active_w: 2}");
    battery_init(&b, &c);
    assert_false(battery_drain(&b, 1e9));
    assert_near(battery_level_fraction(&b), 1.0, 0.0);
    assert_false(battery_is_empty(&b));

    /* A phone battery: ~19 Wh (5,000 mAh × 3.88 V, reference-numbers §4.4) = 68,400 J. */
    c = load_ok("power: {active_w: 2, battery_wh: 19}");
    battery_init(&b, &c);
    assert_near(b.capacity_j, 68400.0, 1e-9);
}

static void assert_error(const char *text, int line, int col, const char *path, const char *part)
{
    struct energy_config c;
    struct error err;
    assert_int_equal(load(text, &c, &err), -1);
    if (!strstr(err.msg, part))
        print_error("message '%s' lacks '%s'\n", err.msg, part);
    assert_non_null(strstr(err.msg, part));
    assert_string_equal(err.file, "e.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
}

static void power_errors_are_located(void **state)
{
    (void)state;
    assert_error("power: {idle_w: 1}", 1, 8, "power", "missing active_w");
    assert_error("power: {active_w: 2, decode_w: 3}", 1, 32, "power.decode_w", "not both");
    assert_error("power: {prefill_w: 3}", 1, 20, "power.prefill_w", "needs decode_w");
    assert_error("power: {decode_w: 3}", 1, 19, "power.decode_w", "needs prefill_w");
    assert_error("power: {active_w: -1}", 1, 19, "power.active_w", "[0, 100000]");
    assert_error("power: {active_w: 2, radio: {technology: wfi}}", 1, 42, "power.radio.technology",
                 "did you mean 'wifi'?");
    assert_error("power: {active_w: 2, radio: {tx_nj_per_bit: 1}}", 1, 29, "power.radio",
                 "missing required key 'rx_nj_per_bit'");
    assert_error("power: {active_w: 2, radio: {technology: wifi, tail_w: 1}}", 1, 56,
                 "power.radio.tail_w", "needs tail_s");
    assert_error("power: {active_w: 2, radio: 5}", 1, 29, "power.radio", "expected a map");
    assert_error("power: {active_w: 2, battery_initial: 0.5}", 1, 39, "power.battery_initial",
                 "needs battery_wh");
    assert_error("power: {active_w: 2, battery_wh: 0}", 1, 34, "power.battery_wh", "in (0, 1e+06]");
    assert_error("power: {active_w: 2, battery_wh: 5, battery_initial: 1.5}", 1, 54,
                 "power.battery_initial", "[0, 1]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compute_energy_is_power_times_phase_time),
        cmocka_unit_test(joules_per_token_match_published_figures),
        cmocka_unit_test(radio_profiles_use_published_energy_per_bit),
        cmocka_unit_test(radio_tail_is_cut_short_by_the_next_transfer),
        cmocka_unit_test(energy_is_conserved_over_a_sequence_of_operations),
        cmocka_unit_test(battery_never_goes_below_zero_and_reports_empty_once),
        cmocka_unit_test(power_errors_are_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
