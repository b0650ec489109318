/* arbiter_device: every request runs on its own device (device-only deployment). */
#include "arbiter.h"

static int arbiter_device_decide(const struct arbiter_call *c)
{
    (void)c;
    return LOCATION_DEVICE;
}

const struct arbiter_ops arbiter_device = {
    .name = "device",
    .summary = "always run on the device's small model",
    .uses = ARBITER_USES_DEVICE,
    .decide = arbiter_device_decide,
};
