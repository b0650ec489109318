/* arbiter_oracle: the best any router can do with the two models it has — send a request to
 * the remote tier exactly when the device's model would answer it wrongly and the remote
 * model rightly. Not a deployable policy (it reads the answers' correctness): the upper
 * bound routing papers report (RouteLLM, Ong et al. 2024: 85.86 % on MMLU with 17.78 % of
 * calls to GPT-4). */
#include "arbiter.h"

#include "journey.h"

static int arbiter_oracle_decide(const struct arbiter_call *c)
{
    bool device_right = journey_correct_on(c->run, c->req, LOCATION_DEVICE);
    bool remote_right = journey_correct_on(c->run, c->req, c->cfg->remote);
    return !device_right && remote_right ? (int)c->cfg->remote : LOCATION_DEVICE;
}

const struct arbiter_ops arbiter_oracle = {
    .name = "oracle",
    .summary = "offload exactly the requests only the remote model answers right (bound)",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .needs_device_accuracy = true,
    .decide = arbiter_oracle_decide,
};
