/* arbiter_edge: every request goes to the edge server (edge-only deployment). */
#include "arbiter.h"

static enum location arbiter_edge_decide(const struct run *run, const struct request *req)
{
    (void)run;
    (void)req;
    return LOCATION_EDGE;
}

const struct arbiter_ops arbiter_edge = {
    .name = "edge",
    .summary = "always send the request to the edge server",
    .uses = 1u << LOCATION_EDGE,
    .decide = arbiter_edge_decide,
};
