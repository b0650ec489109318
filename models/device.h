/* device: a user device running its population's small model, one request at a time,
 * FIFO (one stream: phones and laptops serve a single user). Timing is the single-stream
 * form of the population's model (llm_single_stream in server.h). */
#ifndef HAISIM_DEVICE_H
#define HAISIM_DEVICE_H

#include "run.h"

/* Queues req on its origin device and starts it if the device is idle; when its last
 * token is produced, journey_device_done() is called. */
void device_submit(struct run *run, struct request *req);

#endif
