/* arbiter_self_assessed: the device's small model first judges "can I answer this, or does
 * it need the bigger model?" — it spends a prefill of the prompt and `assess_tokens` output
 * tokens on the question (the "difficulty token" idea; Ding et al. 2024's router reads the
 * query the same way) — and the request is offloaded when its judgement score falls below
 * `threshold`. The judgement is as good as a stated AUC: the binormal score of arbiter.h. */
#include "arbiter.h"

static const struct arbiter_param arbiter_self_assessed_params[] = {
    {"auc", {0.5, 1.0, false, true}, 0.75, "how well the judgement separates right from wrong"},
    {"threshold", RANGE_ANY, 0.5, "offload when the judgement score is below this"},
    {"assess_tokens", RANGE_CLOSED(0, 10000), 5, "output tokens the judgement costs"},
};

static int arbiter_self_assessed_decide(const struct arbiter_call *c)
{
    return ARBITER_ASSESS;
}

static enum location arbiter_self_assessed_after(const struct arbiter_call *c)
{
    return arbiter_binormal_score(c, arbiter_param(c, 0)) < arbiter_param(c, 1) ? c->cfg->remote
                                                                                : LOCATION_DEVICE;
}

static double arbiter_self_assessed_tokens(const struct arbiter_config *cfg)
{
    return cfg->params[2];
}

const struct arbiter_ops arbiter_self_assessed = {
    .name = "self-assessed",
    .summary = "the small model judges each request and offloads the ones it doubts",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .needs_device_accuracy = true,
    .params = arbiter_self_assessed_params,
    .n_params = sizeof arbiter_self_assessed_params / sizeof arbiter_self_assessed_params[0],
    .decide = arbiter_self_assessed_decide,
    .after_assessment = arbiter_self_assessed_after,
    .assess_tokens = arbiter_self_assessed_tokens,
};
