/* arbiter_rules: fixed rules in the order a product would apply them (Qualcomm's hybrid AI
 * white paper lists privacy, prompt size, device state and connectivity as the inputs):
 *   1. a private (personal or confidential) request stays on the device
 *      (private_on_device = 1);
 *   2. if the device's link to the remote tier is down, stay on the device;
 *   3. if the battery is below min_battery_frac, offload;
 *   4. if the prompt or the expected output is longer than the device is given, offload;
 *   5. otherwise run on the device.
 * The output length the rule sees is the request's true length: an oracle, the best a
 * length predictor can do (issue 4's length predictors can replace it). */
#include "arbiter.h"

#include <math.h>

#include "run.h"

static const struct arbiter_param arbiter_rules_params[] = {
    {"private_on_device", RANGE_UNIT, 1, "1: private requests never leave the device"},
    {"max_device_prompt_tokens", RANGE_POSITIVE, INFINITY, "longer prompts are offloaded"},
    {"max_device_output_tokens", RANGE_POSITIVE, INFINITY, "longer answers are offloaded"},
    {"min_battery_frac", RANGE_UNIT, 0, "below this battery level requests are offloaded"},
};

static int arbiter_rules_decide(const struct arbiter_call *c)
{
    const struct request *req = c->req;
    int remote = (int)c->cfg->remote;
    if (request_is_private(req) && arbiter_param(c, 0) >= 0.5)
        return LOCATION_DEVICE;
    if (!run_link_is_up(c->run, req, c->cfg->remote))
        return LOCATION_DEVICE;
    if (run_battery_frac(c->run, req) < arbiter_param(c, 3))
        return remote;
    if (req->prompt_tokens > arbiter_param(c, 1) || req->output_tokens > arbiter_param(c, 2))
        return remote;
    return LOCATION_DEVICE;
}

const struct arbiter_ops arbiter_rules = {
    .name = "rules",
    .summary = "privacy, connectivity, battery and length rules",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .params = arbiter_rules_params,
    .n_params = sizeof arbiter_rules_params / sizeof arbiter_rules_params[0],
    .decide = arbiter_rules_decide,
};
