/* arbiter_device: every request runs on its own device (device-only deployment). */
#include "arbiter.h"

static enum location arbiter_device_decide(const struct run *run, const struct request *req)
{
    (void)run;
    (void)req;
    return LOCATION_DEVICE;
}

const struct arbiter_ops arbiter_device = {
    .name = "device",
    .summary = "always run on the device's small model",
    .uses = 1u << LOCATION_DEVICE,
    .decide = arbiter_device_decide,
};
