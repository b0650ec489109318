/* device: single-stream FIFO service of requests on the user's device (see device.h). */
#include "device.h"

#include "journey.h"

static void device_finish(struct sim *sim, void *payload);

static void device_start(struct run *run, struct device *dev, struct request *req)
{
    int64_t now = run->sim.now_ns;
    const struct llm_perf *m = &run->sc->populations[dev->population].model;
    struct llm_single_stream t = llm_single_stream(m, req->prompt_tokens, req->output_tokens,
                                                   llm_perf_overhead_s(m, run->rng.device));
    dev->serving = req;
    req->service_start_ns = now;
    /* On the device the model's tokens are already at the user. */
    req->first_token_tier_ns = req->first_token_user_ns = now + simtime_from_s(t.first_token_s);
    req->last_token_tier_ns = req->last_token_user_ns = now + simtime_from_s(t.last_token_s);
    dev->busy_ns += req->last_token_user_ns - now;
    sim_at(&run->sim, req->last_token_user_ns, device_finish, req);
}

static void device_finish(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim; /* struct run begins with its sim */
    struct request *req = payload;
    struct device *dev = &run->devices[req->device];
    dev->serving = NULL;
    struct request *next = request_fifo_pop(&dev->queue);
    journey_device_done(run, req);
    if (next)
        device_start(run, dev, next);
}

void device_submit(struct run *run, struct request *req)
{
    struct device *dev = &run->devices[req->device];
    req->tier_arrival_ns = run->sim.now_ns;
    if (dev->serving)
        request_fifo_push(&dev->queue, req);
    else
        device_start(run, dev, req);
}
