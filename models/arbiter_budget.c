/* arbiter_budget: offload while the remote tier's spend in the current clock hour stays
 * within `usd_per_hour`; once the hour's budget is used up, run on the device until the
 * next hour. A request's cost is counted when it is sent (its per-token price at the remote
 * tier for its prompt and output length). */
#include "arbiter.h"

#include <math.h>

#include "run.h"

static const struct arbiter_param arbiter_budget_params[] = {
    {"usd_per_hour", RANGE_NONNEGATIVE, NAN, "remote spend allowed per hour"},
};

static int arbiter_budget_decide(const struct arbiter_call *c)
{
    double cost = run_remote_cost_usd(c->run, c->req, c->cfg->remote);
    if (!run_budget_charge(c->run, cost, arbiter_param(c, 0)))
        return LOCATION_DEVICE;
    return (int)c->cfg->remote;
}

const struct arbiter_ops arbiter_budget = {
    .name = "budget",
    .summary = "offload within a spending budget per hour",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .params = arbiter_budget_params,
    .n_params = sizeof arbiter_budget_params / sizeof arbiter_budget_params[0],
    .decide = arbiter_budget_decide,
};
