/* arbiter_cascade: the device's small model answers every request; a confidence signal on
 * that answer (as good as a stated AUC: the binormal score of arbiter.h) sends the request
 * on to the remote tier when it falls below `threshold`, and the remote answer replaces the
 * device's. An escalated request pays both (FrugalGPT, Chen et al. 2023; AutoMix, Aggarwal
 * et al. 2023). */
#include "arbiter.h"

static const struct arbiter_param arbiter_cascade_params[] = {
    {"auc", {0.5, 1.0, false, true}, 0.75, "how well the confidence separates right from wrong"},
    {"threshold", RANGE_ANY, 0.5, "escalate when the confidence is below this"},
};

static int arbiter_cascade_decide(const struct arbiter_call *c)
{
    return LOCATION_DEVICE;
}

static bool arbiter_cascade_escalate(const struct arbiter_call *c)
{
    return arbiter_binormal_score(c, arbiter_param(c, 0)) < arbiter_param(c, 1);
}

const struct arbiter_ops arbiter_cascade = {
    .name = "cascade",
    .summary = "answer on the device, escalate to the remote tier when not confident",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .needs_device_accuracy = true,
    .params = arbiter_cascade_params,
    .n_params = sizeof arbiter_cascade_params / sizeof arbiter_cascade_params[0],
    .decide = arbiter_cascade_decide,
    .escalate = arbiter_cascade_escalate,
};
