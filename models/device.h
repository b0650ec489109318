/* device: a user device running a small model, one request at a time, FIFO.
 * Timing comes from the device population's llm_timing (see llm_timing.h). */
#ifndef HAISIM_DEVICE_H
#define HAISIM_DEVICE_H

#include "run.h"

/* Queues req on its origin device and starts it if the device is idle. */
void device_submit(struct run *run, struct request *req);

#endif
