/* arbiter_cloud: every request goes to the cloud LLM (cloud-only deployment). */
#include "arbiter.h"

static enum location arbiter_cloud_decide(const struct run *run, const struct request *req)
{
    (void)run;
    (void)req;
    return LOCATION_CLOUD;
}

const struct arbiter_ops arbiter_cloud = {
    .name = "cloud",
    .summary = "always send the request to the cloud LLM",
    .uses = 1u << LOCATION_CLOUD,
    .decide = arbiter_cloud_decide,
};
