/* arbiter_battery_aware: run on the device while its battery is at or above
 * `min_battery_frac`, offload below (a device without a battery counts as full). */
#include "arbiter.h"

#include "run.h"

static const struct arbiter_param arbiter_battery_aware_params[] = {
    {"min_battery_frac", RANGE_UNIT, 0.2, "below this battery level requests are offloaded"},
};

static int arbiter_battery_aware_decide(const struct arbiter_call *c)
{
    return run_battery_frac(c->run, c->req) < arbiter_param(c, 0) ? (int)c->cfg->remote
                                                                  : LOCATION_DEVICE;
}

const struct arbiter_ops arbiter_battery_aware = {
    .name = "battery-aware",
    .summary = "offload when the battery runs low",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .params = arbiter_battery_aware_params,
    .n_params = sizeof arbiter_battery_aware_params / sizeof arbiter_battery_aware_params[0],
    .decide = arbiter_battery_aware_decide,
};
