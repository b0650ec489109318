/* cloud: the cloud LLM service reached over each device's link. First slice: a fixed
 * number of slots, each serving one request at the model's single-stream speed, FCFS
 * (no batching yet). The prompt travels up as one message; output tokens stream down,
 * one message per token. */
#ifndef HAISIM_CLOUD_H
#define HAISIM_CLOUD_H

#include "run.h"

/* Sends req up its device's link to the cloud. */
void cloud_submit(struct run *run, struct request *req);

#endif
