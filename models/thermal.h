/* thermal: optional thermal throttling of a device — the longer it computes without a break,
 * the slower it gets, and it recovers while idle.
 *
 * Model. A normalised heat h ∈ [0, 1] (0 = cold, 1 = the steady temperature of sustained
 * work) follows a first-order lumped thermal RC model (a single node of the RC networks of
 * Skadron et al., "Temperature-aware microarchitecture", ISCA 2003 — Newton's law of cooling):
 *     busy:  dh/dt = (1 − h) / τh      so h(t) = 1 − (1 − h0)·e^(−t/τh)
 *     idle:  dh/dt = −h / τc           so h(t) = h0·e^(−t/τc)
 * A single RC node heats and cools with the same constant, so cool_time_s defaults to
 * heat_time_s; a separate value approximates a chassis that sheds heat faster or slower
 * than the die gains it. The device runs at speed multiplier
 *     m(h) = 1 − (1 − f)·h,   f = throttle_factor = speed when fully hot,
 * so work of w seconds at full speed, started at heat h0, takes the time t that solves
 *     W(t) = ∫₀ᵗ m(h(u)) du = (1 − a)·t + a·(1 − h0)·τh·(1 − e^(−t/τh)) = w,   a = 1 − f.
 * W is increasing (W' = m ≥ f > 0) and concave, so t lies in [w, w/f] and Newton's method
 * from t = w climbs to the root without overshooting; it is kept inside that bracket anyway.
 *
 * Linearity in h and the exponential shape are assumptions (real governors step the clock at
 * trip temperatures). The size of the effect is published: Qwen2.5-1.5B 4-bit on an iPhone 16
 * Pro fell from 40.5 to a steady 23.7 tok/s within about 20 runs (arXiv 2603.23640), i.e.
 * f ≈ 0.585; a Galaxy S25 Ultra CPU went from 37 to 19 tok/s at 42 °C in a 10-minute stress
 * test (f ≈ 0.51; anecdotal) — reference-numbers §4.1, §4.4. No source gives τh; minutes is
 * the scale those tests imply.
 *
 * Ownership: a struct thermal_state per device, owned by the caller; nothing allocates. */
#ifndef HAISIM_THERMAL_H
#define HAISIM_THERMAL_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "ydoc.h"

struct thermal_config {
    bool enabled;           /* false: the section is absent and the device never slows */
    double throttle_factor; /* f ∈ (0, 1]: speed multiplier when fully hot */
    double heat_time_s;     /* τh > 0 */
    double cool_time_s;     /* τc > 0 */
};

/* A device's heat and when it was last brought up to date. A zeroed state is cold at
 * time 0. */
struct thermal_state {
    double heat;      /* h ∈ [0, 1] */
    int64_t since_ns; /* simulated time at which `heat` holds */
};

/* Reads a `thermal:` section (keys throttle_factor, heat_time_s required; cool_time_s,
 * default heat_time_s). map == NULL (the section is absent) gives a disabled config. */
int thermal_load(struct thermal_config *cfg, struct ydoc_node *map, struct error *err);

/* Cools the device while idle from state->since_ns to now_ns and sets since_ns = now_ns.
 * Call it when the device starts work. now_ns < since_ns changes nothing. */
void thermal_idle(struct thermal_state *state, const struct thermal_config *cfg, int64_t now_ns);

/* Runs work_s seconds of full-speed work starting from the current heat: returns the time
 * it takes in seconds (≥ work_s; == work_s when disabled or f = 1), heats the device over
 * that time and advances since_ns by the rounded duration, so that the next thermal_idle
 * cools over the idle gap only. Work split into pieces run back to back takes the same
 * total time as one piece. work_s ≤ 0 takes 0 s. */
double thermal_busy_time_s(struct thermal_state *state, const struct thermal_config *cfg,
                           double work_s);

/* Speed multiplier m(h) = 1 − (1 − f)·h at heat h (1 when disabled). */
double thermal_speed(const struct thermal_config *cfg, double heat);

#endif
