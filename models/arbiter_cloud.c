/* arbiter_cloud: every request goes to the cloud LLM (cloud-only deployment). */
#include "arbiter.h"

static int arbiter_cloud_decide(const struct arbiter_call *c)
{
    (void)c;
    return LOCATION_CLOUD;
}

const struct arbiter_ops arbiter_cloud = {
    .name = "cloud",
    .summary = "always send the request to the cloud LLM",
    .uses = ARBITER_USES_CLOUD,
    .decide = arbiter_cloud_decide,
};
