/* device: a user device running its population's small model, one request at a time,
 * FIFO (one stream: phones and laptops serve a single user). Timing is the single-stream
 * form of the population's model (llm_single_stream in server.h). */
#ifndef HAISIM_DEVICE_H
#define HAISIM_DEVICE_H

#include "run.h"

/* Queues req on its origin device and starts it if the device is idle; when its last
 * token is produced, journey_device_done() is called. */
void device_submit(struct run *run, struct request *req);

/* Queues a device job of device-drafted speculation for req (req->spec.draft_job, lasting
 * req->spec.job_s at full speed, stretched by heat, charged to its energy); journey_device_done()
 * is called when it ends. Jobs go ahead of requests waiting for the device (not of the one it
 * is serving): drafting is interactive work for a request already being answered. */
void device_submit_job(struct run *run, struct request *req);

/* Cancels req's device job (queued or running; none: nothing to do): a running one is
 * charged for the time it ran and the device takes its next work. req->spec.draft_job
 * becomes DRAFT_JOB_NONE. */
void device_cancel_job(struct run *run, struct request *req);

#endif
