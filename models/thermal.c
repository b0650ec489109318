/* thermal: heat of a device and the time its work takes when throttled (see thermal.h). */
#include "thermal.h"

#include <float.h>
#include <math.h>

#include "load_util.h"
#include "simtime.h"

static const struct range RANGE_FACTOR = {0.0, 1.0, true, false}; /* (0, 1] */

int thermal_load(struct thermal_config *cfg, struct ydoc_node *map, struct error *err)
{
    *cfg = (struct thermal_config){false, 1.0, 1.0, 1.0};
    if (!map)
        return 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        load_required_f64(map, "throttle_factor", RANGE_FACTOR, &cfg->throttle_factor, err) != 0 ||
        load_required_f64(map, "heat_time_s", RANGE_POSITIVE, &cfg->heat_time_s, err) != 0)
        return -1;
    cfg->cool_time_s = cfg->heat_time_s;
    if (ydoc_read_f64(map, "cool_time_s", RANGE_POSITIVE, &cfg->cool_time_s, err) != 0)
        return -1;
    cfg->enabled = true;
    return 0;
}

void thermal_idle(struct thermal_state *state, const struct thermal_config *cfg, int64_t now_ns)
{
    if (now_ns <= state->since_ns)
        return;
    if (cfg->enabled)
        state->heat *= exp(-simtime_to_s(now_ns - state->since_ns) / cfg->cool_time_s);
    state->since_ns = now_ns;
}

double thermal_speed(const struct thermal_config *cfg, double heat)
{
    if (!cfg->enabled)
        return 1.0;
    return 1.0 - (1.0 - cfg->throttle_factor) * heat;
}

/* Work done in t seconds of busy time from heat h0: W(t) = (1−a)t + a(1−h0)τ(1−e^(−t/τ)).
 * −expm1 keeps 1 − e^(−x) accurate when t ≪ τ. */
static double thermal_work_s(double t, double a, double h0, double tau)
{
    return (1.0 - a) * t - a * (1.0 - h0) * tau * expm1(-t / tau);
}

/* Solves W(t) = work_s for t by Newton's method inside the bracket [w, w/f]. From the left
 * end, the concavity of W makes every Newton step land at or left of the root, so the
 * iterates rise monotonically; a step that leaves the bracket (rounding) is replaced by
 * bisection. Converges to a few ulps in a handful of iterations. */
static double thermal_solve_time_s(double work_s, double a, double h0, double tau)
{
    double lo = work_s, hi = work_s / (1.0 - a);
    double t = lo;
    for (int i = 0; i < 100; i++) {
        double g = thermal_work_s(t, a, h0, tau) - work_s;
        if (g == 0.0)
            return t;
        if (g < 0)
            lo = t;
        else
            hi = t;
        double slope = 1.0 - a * (1.0 - (1.0 - h0) * exp(-t / tau)); /* m(h(t)) ≥ f */
        double next = t - g / slope;
        if (!(next >= lo && next <= hi))
            next = 0.5 * (lo + hi);
        if (fabs(next - t) <= 4.0 * DBL_EPSILON * next)
            return next;
        t = next;
    }
    return t;
}

double thermal_busy_time_s(struct thermal_state *state, const struct thermal_config *cfg,
                           double work_s)
{
    if (!(work_s > 0))
        return 0.0;
    double t = work_s;
    if (cfg->enabled) {
        double a = 1.0 - cfg->throttle_factor, h0 = state->heat, tau = cfg->heat_time_s;
        if (a > 0 && h0 < 1.0)
            t = thermal_solve_time_s(work_s, a, h0, tau);
        else if (a > 0)
            t = work_s / cfg->throttle_factor; /* fully hot: constant speed f */
        state->heat = 1.0 - (1.0 - h0) * exp(-t / tau);
    }
    state->since_ns += simtime_from_s(t);
    return t;
}
