/* range: an interval of allowed numeric values, used to validate scenario inputs and to
 * phrase the error when a value falls outside ("expected a number > 0"). */
#ifndef HAISIM_RANGE_H
#define HAISIM_RANGE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

struct range {
    double lo, hi;
    bool lo_open, hi_open; /* true: the bound itself is excluded */
};

#define RANGE_ANY ((struct range){-INFINITY, INFINITY, false, false})
#define RANGE_POSITIVE ((struct range){0.0, INFINITY, true, false})
#define RANGE_NONNEGATIVE ((struct range){0.0, INFINITY, false, false})
#define RANGE_UNIT ((struct range){0.0, 1.0, false, false})
#define RANGE_CLOSED(a, b) ((struct range){(a), (b), false, false})

/* True when x is finite-or-allowed-infinite and inside r (NaN is never inside). */
bool range_contains(struct range r, double x);

/* Writes a phrase such as "a number > 0", "a number in [0, 1]" or "any number". */
void range_describe(struct range r, char *buf, size_t len);

#endif
