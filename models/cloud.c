/* cloud: FCFS slots behind the device links (see cloud.h). */
#include "cloud.h"

static void cloud_first_token(struct sim *sim, void *payload);
static void cloud_finish(struct sim *sim, void *payload);

static void cloud_start(struct run *run, struct request *req)
{
    int64_t now = run->sim.now_ns;
    struct llm_phases ph = llm_timing_phases(&run->sc->cloud.model, req->prompt_tokens,
                                             req->output_tokens, run->rng.cloud);
    run->cloud.busy_slots++;
    run->cloud.busy_ns += ph.last_token_ns;
    req->service_start_ns = now;
    req->first_token_tier_ns = now + ph.first_token_ns;
    req->last_token_tier_ns = now + ph.last_token_ns;
    /* The first token's downlink message is sent when it is produced, so that it takes
     * its place in the link's FIFO order at that time. */
    sim_at(&run->sim, req->first_token_tier_ns, cloud_first_token, req);
}

static void cloud_arrive(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim;
    struct request *req = payload;
    req->tier_arrival_ns = sim->now_ns;
    if (run->cloud.busy_slots < run->sc->cloud.slots)
        cloud_start(run, req);
    else
        request_fifo_push(&run->cloud.queue, req);
}

static void cloud_first_token(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim;
    struct request *req = payload;
    const struct link_config *net = &run->sc->network;
    double bytes = link_message_bytes(net, 1);
    req->bytes_down += bytes;
    req->first_token_user_ns = link_send(net, &run->devices[req->device].down, net->down_bytes_s,
                                         sim->now_ns, bytes, run->rng.network);
    sim_at(sim, req->last_token_tier_ns, cloud_finish, req);
}

static void cloud_finish(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim;
    struct request *req = payload;
    const struct link_config *net = &run->sc->network;
    run->cloud.busy_slots--;
    struct request *next = request_fifo_pop(&run->cloud.queue);
    if (next)
        cloud_start(run, next);
    /* Tokens 2..O stream down as they are produced, one message each. Decoding is far
     * slower than the link, so only the last message can be delayed by the link: it alone
     * is timed; the others' bytes are counted (DESIGN §4 link model, docs/model.md). */
    if (req->output_tokens > 1) {
        double message = link_message_bytes(net, 1);
        req->bytes_down += (double)(req->output_tokens - 1) * message;
        req->last_token_user_ns = link_send(net, &run->devices[req->device].down, net->down_bytes_s,
                                            sim->now_ns, message, run->rng.network);
    } else {
        req->last_token_user_ns = req->first_token_user_ns;
    }
    run_request_done(run, req);
}

void cloud_submit(struct run *run, struct request *req)
{
    const struct link_config *net = &run->sc->network;
    double bytes = link_message_bytes(net, req->prompt_tokens);
    req->location = LOCATION_CLOUD;
    req->bytes_up += bytes;
    int64_t at = link_send(net, &run->devices[req->device].up, net->up_bytes_s, run->sim.now_ns,
                           bytes, run->rng.network);
    sim_at(&run->sim, at, cloud_arrive, req);
}
