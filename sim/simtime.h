/* simtime: the simulation clock's unit. Time is a signed 64-bit count of nanoseconds
 * (about 292 years of range). Durations are computed in double seconds by the models and
 * rounded to nanoseconds once, here, so that rounding never accumulates across hops. */
#ifndef HAISIM_SIMTIME_H
#define HAISIM_SIMTIME_H

#include <math.h>
#include <stdint.h>

#define SIMTIME_NS_PER_S INT64_C(1000000000)
#define SIMTIME_NS_PER_MS INT64_C(1000000)
/* Far enough in the future that no run reaches it, with room to add durations to it. */
#define SIMTIME_NEVER (INT64_MAX / 4)

/* Rounds a duration in seconds to the nearest nanosecond; negative and NaN give 0, and
 * durations beyond SIMTIME_NEVER saturate at it. */
static inline int64_t simtime_from_s(double seconds)
{
    if (!(seconds > 0.0))
        return 0;
    double ns = seconds * 1e9;
    if (ns >= (double)SIMTIME_NEVER)
        return SIMTIME_NEVER;
    /* Round half away from zero, as llround() does, without the library call (this is on
     * the hot path): ns - trunc(ns) is exact, and beyond 2^53 ns has no fraction left. */
    int64_t whole = (int64_t)ns;
    return ns - (double)whole >= 0.5 ? whole + 1 : whole;
}

static inline double simtime_to_s(int64_t ns)
{
    return (double)ns * 1e-9;
}

static inline double simtime_to_ms(int64_t ns)
{
    return (double)ns * 1e-6;
}

#endif
