/* journey: a request's hops, decision and ending (see journey.h). */
#include "journey.h"

#include "device.h"

/* --- hops --- */

/* The link and direction states between tier `a` and tier `b` for req (a != b). */
struct hop {
    const struct link_config *link;
    struct link_direction *dir;
    double bandwidth_bytes_s;
    bool upward; /* towards the cloud */
};

static struct hop journey_hop(struct run *run, const struct request *req, enum location from,
                              enum location to)
{
    const struct population_config *pop = &run->sc->populations[req->population];
    struct device *dev = &run->devices[req->device];
    struct hop h;
    if (from == LOCATION_DEVICE || to == LOCATION_DEVICE) {
        enum location remote = from == LOCATION_DEVICE ? to : from;
        h.link = &pop->link[remote];
        h.upward = from == LOCATION_DEVICE;
        h.dir = h.upward ? &dev->up[remote] : &dev->down[remote];
    } else {
        h.link = &run->sc->edge_cloud;
        h.upward = from == LOCATION_EDGE;
        h.dir = h.upward ? &run->edge_cloud_up : &run->edge_cloud_down;
    }
    h.bandwidth_bytes_s = h.upward ? h.link->up_bytes_s : h.link->down_bytes_s;
    return h;
}

/* Sends a message carrying `tokens` tokens (0: a control message) from one tier to
 * another, now; handler(req) runs when it arrives. */
static void journey_send(struct run *run, struct request *req, enum location from,
                         enum location to, double tokens, sim_handler handler)
{
    struct hop h = journey_hop(run, req, from, to);
    double bytes = link_message_bytes(h.link, tokens);
    if (h.upward)
        req->bytes_up += bytes;
    else
        req->bytes_down += bytes;
    int64_t at = link_send(h.link, h.dir, h.bandwidth_bytes_s, run->sim.now_ns, bytes,
                           run->rng.network);
    sim_at(&run->sim, at, handler, req);
}

/* Sends a token message over the last hop, to the user, now: nothing else happens on its
 * arrival, so its time is computed, not simulated (two events fewer per request). */
static int64_t journey_send_to_user(struct run *run, struct request *req, enum location from)
{
    struct hop h = journey_hop(run, req, from, LOCATION_DEVICE);
    double bytes = link_message_bytes(h.link, 1);
    req->bytes_down += bytes;
    return link_send(h.link, h.dir, h.bandwidth_bytes_s, run->sim.now_ns, bytes,
                     run->rng.network);
}

static struct run *journey_run(struct sim *sim)
{
    return (struct run *)sim; /* struct run begins with its sim */
}

/* --- ending --- */

/* Settles req's outcome. A completed request ends when its last token reaches the user,
 * which may be later than now (journey_send_to_user). */
static void journey_end(struct run *run, struct request *req, enum request_outcome outcome)
{
    req->outcome = outcome;
    req->end_ns = outcome == OUTCOME_COMPLETED && req->last_token_user_ns > run->sim.now_ns
                      ? req->last_token_user_ns
                      : run->sim.now_ns;
    run_request_end(run, req);
}

void journey_device_done(struct run *run, struct request *req)
{
    journey_end(run, req, OUTCOME_COMPLETED);
}

/* --- serving --- */

static void journey_serve_here(struct run *run, struct request *req)
{
    if (req->location == LOCATION_DEVICE) {
        device_submit(run, req);
        return;
    }
    if (server_submit(run->server[req->location], req) != 0)
        sim_out_of_memory(&run->sim);
}

static void journey_at_tier(struct sim *sim, void *payload)
{
    journey_serve_here(journey_run(sim), payload);
}

/* The orchestrator has the request: the arbiter decides, and the request moves on. */
static void journey_decide(struct run *run, struct request *req)
{
    enum location here = run->sc->orchestrator;
    req->decided_ns = run->sim.now_ns;
    req->location = run->sc->arbiter->decide(run, req);
    if (req->location == here) {
        journey_serve_here(run, req);
        return;
    }
    /* The device already has the prompt: a remote orchestrator only tells it to go. */
    double tokens = req->location == LOCATION_DEVICE ? 0 : req->prompt_tokens;
    journey_send(run, req, here, req->location, tokens, journey_at_tier);
}

static void journey_at_orchestrator(struct sim *sim, void *payload)
{
    journey_decide(journey_run(sim), payload);
}

void journey_start(struct run *run, struct request *req)
{
    enum location orchestrator = run->sc->orchestrator;
    if (orchestrator == LOCATION_DEVICE)
        journey_decide(run, req);
    else
        journey_send(run, req, LOCATION_DEVICE, orchestrator, req->prompt_tokens,
                     journey_at_orchestrator);
}

/* --- tokens back to the user --- */

/* Whether the reply from the cloud goes through the edge. */
static bool journey_via_edge(const struct run *run, const struct request *req)
{
    return req->location == LOCATION_CLOUD && run->sc->orchestrator == LOCATION_EDGE;
}

/* The first or last token has reached the edge on its way from the cloud: on to the user. */
static void journey_first_at_edge(struct sim *sim, void *payload)
{
    struct request *req = payload;
    struct run *run = journey_run(sim);
    req->first_token_user_ns = journey_send_to_user(run, req, LOCATION_EDGE);
    if (req->output_tokens < 2) { /* the first token was the last */
        req->last_token_user_ns = req->first_token_user_ns;
        journey_end(run, req, OUTCOME_COMPLETED);
    }
}

static void journey_last_at_edge(struct sim *sim, void *payload)
{
    struct request *req = payload;
    struct run *run = journey_run(sim);
    req->last_token_user_ns = journey_send_to_user(run, req, LOCATION_EDGE);
    journey_end(run, req, OUTCOME_COMPLETED);
}

static void journey_server_first_token(struct sim *sim, struct request *req, void *ctx)
{
    struct run *run = ctx;
    if (journey_via_edge(run, req)) {
        journey_send(run, req, LOCATION_CLOUD, LOCATION_EDGE, 1, journey_first_at_edge);
        return;
    }
    req->first_token_user_ns = journey_send_to_user(run, req, req->location);
    if (req->output_tokens < 2) { /* the first token was the last */
        req->last_token_user_ns = req->first_token_user_ns;
        journey_end(run, req, OUTCOME_COMPLETED);
    }
}

static void journey_server_done(struct sim *sim, struct request *req, void *ctx)
{
    struct run *run = ctx;
    if (req->output_tokens < 2)
        return; /* the first token was the last: it has ended the request */
    /* Tokens 2 .. O-1 stream down one message each; their bytes are counted here (on every
     * hop of the way back), and only the last message is timed. */
    double middle = req->output_tokens - 2.0;
    const struct link_config *to_user =
        &run->sc->populations[req->population].link[journey_via_edge(run, req) ? LOCATION_EDGE
                                                                              : req->location];
    req->bytes_down += middle * link_message_bytes(to_user, 1);
    if (journey_via_edge(run, req)) {
        req->bytes_down += middle * link_message_bytes(&run->sc->edge_cloud, 1);
        journey_send(run, req, LOCATION_CLOUD, LOCATION_EDGE, 1, journey_last_at_edge);
        return;
    }
    req->last_token_user_ns = journey_send_to_user(run, req, req->location);
    journey_end(run, req, OUTCOME_COMPLETED);
}

static void journey_server_rejected(struct sim *sim, struct request *req, void *ctx)
{
    journey_end(ctx, req, OUTCOME_REJECTED);
}

struct server_callbacks journey_server_callbacks(struct run *run)
{
    return (struct server_callbacks){
        .on_first_token = journey_server_first_token,
        .on_done = journey_server_done,
        .on_rejected = journey_server_rejected,
        .ctx = run,
    };
}
