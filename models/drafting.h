/* drafting: the rounds of device-drafted speculative decoding (speculation.h) — the
 * journey's side: which requests draft, the device's jobs, the messages of each round, the
 * tokens at the user, lost rounds. journey.c calls these; server.c verifies the drafts
 * (server_speculation_verify) and reports each round through on_verified. */
#ifndef HAISIM_DRAFTING_H
#define HAISIM_DRAFTING_H

#include "run.h"

/* req leaves for its serving tier (req->location): whether its device drafts for it (the
 * arbiter's ARBITER_SPECULATE, or the tier's `drafter: device`); if so the device starts
 * prefilling the prompt now. */
void drafting_choose(struct run *run, struct request *req);

/* req's device job (req->spec.draft_job) has ended (device.c, through journey_device_done). */
void drafting_job_done(struct run *run, struct request *req);

/* The tier's on_verified callback: a round's result (req->spec.round_tokens tokens) goes to
 * the device; ctx is the run. */
void drafting_verified(struct sim *sim, struct request *req, void *ctx);

#endif
