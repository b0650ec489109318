/* arbiter_latency_aware: run the request where its estimated end-to-end time is smaller.
 * Device: (requests queued on the device + 1) × this request's service time there.
 * Remote: the link's mean round trip + this request's service time there, stretched by
 * the remote tier's queue per unit of capacity ((waiting / capacity) + 1). Queue figures come
 * from the orchestrator's view, which may be up to state_age_ms old. */
#include "arbiter.h"

#include "run.h"

static int arbiter_latency_aware_decide(const struct arbiter_call *c)
{
    double device_s = run_estimate_device_s(c->run, c->req);
    double remote_s = run_estimate_remote_s(c->run, c->req, c->cfg->remote, c->cfg->state_age_s);
    return remote_s < device_s ? (int)c->cfg->remote : LOCATION_DEVICE;
}

const struct arbiter_ops arbiter_latency_aware = {
    .name = "latency-aware",
    .summary = "run where the estimated end-to-end time is smaller",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .decide = arbiter_latency_aware_decide,
};
