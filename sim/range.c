/* range: membership and wording of numeric intervals (see range.h). */
#include "range.h"

#include <stdio.h>

bool range_contains(struct range r, double x)
{
    if (isnan(x))
        return false;
    /* Infinity passes only where a bound is itself infinite and closed. */
    bool above = r.lo_open ? x > r.lo : x >= r.lo;
    bool below = r.hi_open ? x < r.hi : x <= r.hi;
    return above && below;
}

void range_describe(struct range r, char *buf, size_t len)
{
    bool no_lo = isinf(r.lo) && r.lo < 0, no_hi = isinf(r.hi) && r.hi > 0;
    if (no_lo && no_hi)
        snprintf(buf, len, "any number");
    else if (no_hi)
        snprintf(buf, len, "a number %s %g", r.lo_open ? ">" : ">=", r.lo);
    else if (no_lo)
        snprintf(buf, len, "a number %s %g", r.hi_open ? "<" : "<=", r.hi);
    else
        snprintf(buf, len, "a number in %c%g, %g%c", r.lo_open ? '(' : '[', r.lo, r.hi,
                 r.hi_open ? ')' : ']');
}
