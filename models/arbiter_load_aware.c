/* arbiter_load_aware: offload unless the remote tier has more than `max_waiting` requests
 * queued (as the orchestrator last saw it, up to state_age_ms old); then stay on the
 * device. */
#include "arbiter.h"

#include "run.h"

static const struct arbiter_param arbiter_load_aware_params[] = {
    {"max_waiting", RANGE_NONNEGATIVE, 0, "remote queue length above which requests stay"},
};

static int arbiter_load_aware_decide(const struct arbiter_call *c)
{
    double waiting = run_view_waiting(c->run, c->cfg->remote, c->cfg->state_age_s);
    return waiting > arbiter_param(c, 0) ? LOCATION_DEVICE : (int)c->cfg->remote;
}

const struct arbiter_ops arbiter_load_aware = {
    .name = "load-aware",
    .summary = "offload unless the remote queue is long",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .params = arbiter_load_aware_params,
    .n_params = sizeof arbiter_load_aware_params / sizeof arbiter_load_aware_params[0],
    .decide = arbiter_load_aware_decide,
};
