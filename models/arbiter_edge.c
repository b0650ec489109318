/* arbiter_edge: every request goes to the edge server (edge-only deployment). */
#include "arbiter.h"

static int arbiter_edge_decide(const struct arbiter_call *c)
{
    (void)c;
    return LOCATION_EDGE;
}

const struct arbiter_ops arbiter_edge = {
    .name = "edge",
    .summary = "always send the request to the edge server",
    .uses = ARBITER_USES_EDGE,
    .decide = arbiter_edge_decide,
};
