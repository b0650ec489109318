/* device: single-stream FIFO service of requests on the user's device (see device.h). */
#include "device.h"

static void device_finish(struct sim *sim, void *payload);

static void device_start(struct run *run, struct device *dev, struct request *req)
{
    int64_t now = run->sim.now_ns;
    struct llm_phases ph = llm_timing_phases(&run->sc->devices.model, req->prompt_tokens,
                                             req->output_tokens, run->rng.device);
    dev->serving = req;
    req->service_start_ns = now;
    /* On the device the model's tokens are already at the user. */
    req->first_token_tier_ns = req->first_token_user_ns = now + ph.first_token_ns;
    req->last_token_tier_ns = req->last_token_user_ns = now + ph.last_token_ns;
    dev->busy_ns += ph.last_token_ns;
    sim_at(&run->sim, req->last_token_user_ns, device_finish, req);
}

static void device_finish(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim; /* struct run begins with its sim */
    struct request *req = payload;
    struct device *dev = &run->devices[req->device];
    dev->serving = NULL;
    struct request *next = request_fifo_pop(&dev->queue);
    run_request_done(run, req);
    if (next)
        device_start(run, dev, next);
}

void device_submit(struct run *run, struct request *req)
{
    struct device *dev = &run->devices[req->device];
    req->location = LOCATION_DEVICE;
    req->tier_arrival_ns = run->sim.now_ns;
    if (dev->serving)
        request_fifo_push(&dev->queue, req);
    else
        device_start(run, dev, req);
}
