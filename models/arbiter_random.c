/* arbiter_random: each request goes to the remote tier with probability `share`, else stays
 * on the device — the random router that routing papers use as their baseline (RouteLLM,
 * Ong et al. 2024: quality is linear in the share between the two models' accuracies). The
 * coin is a pure function of the request, so every variant flips the same coins. */
#include "arbiter.h"

enum { PURPOSE_COIN = 0x636f696e }; /* "coin" */

static const struct arbiter_param arbiter_random_params[] = {
    {"share", RANGE_UNIT, 0.5, "fraction of requests sent to the remote tier"},
};

static int arbiter_random_decide(const struct arbiter_call *c)
{
    return arbiter_uniform(c, PURPOSE_COIN) < arbiter_param(c, 0) ? (int)c->cfg->remote
                                                                  : LOCATION_DEVICE;
}

const struct arbiter_ops arbiter_random = {
    .name = "random",
    .summary = "send a fixed share of requests, chosen at random, to the remote tier",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .params = arbiter_random_params,
    .n_params = sizeof arbiter_random_params / sizeof arbiter_random_params[0],
    .decide = arbiter_random_decide,
};
