/* journey: a request's hops, decision and ending (see journey.h). */
#include "journey.h"

#include <math.h>

#include "device.h"
#include "drafting.h"
#include "guidance.h"
#include "rng.h"

/* Purpose tag of the hash that picks a request's replayed question ("row"). */
#define JOURNEY_ROW_PURPOSE UINT64_C(0x726f77)

static struct run *journey_run(struct sim *sim)
{
    return (struct run *)sim; /* struct run begins with its sim */
}

/* --- hops --- */

/* The link between tier `from` and tier `to` for req (from != to), and the direction. */
struct hop {
    const struct netlink_config *link;
    struct netlink_state *state;
    enum netlink_direction dir; /* up: towards the cloud */
};

static struct hop journey_hop(struct run *run, const struct request *req, enum location from,
                              enum location to)
{
    struct hop h;
    if (from == LOCATION_DEVICE || to == LOCATION_DEVICE) {
        enum location remote = from == LOCATION_DEVICE ? to : from;
        h.link = &run->sc->populations[req->population].link[remote];
        h.state = &run->devices[req->device].link[remote];
        h.dir = from == LOCATION_DEVICE ? NETLINK_UP : NETLINK_DOWN;
    } else {
        h.link = &run->sc->edge_cloud;
        h.state = &run->edge_cloud;
        h.dir = from == LOCATION_EDGE ? NETLINK_UP : NETLINK_DOWN;
    }
    return h;
}

/* Radio energy of the device's own transfers (energy.h), charged to the request. */
static void journey_radio(struct run *run, struct request *req, double up_bytes, double down_bytes)
{
    const struct energy_config *power = &run->sc->populations[req->population].power;
    struct device *dev = &run->devices[req->device];
    /* The radio stays in its high-power state for up to tail_s after a transfer: the gap
     * since the previous transfer is charged to the request that ends it (energy.h). */
    double tail_j =
        dev->radio_used
            ? energy_radio_tail_j(power, simtime_to_s(run->sim.now_ns - dev->radio_last_ns))
            : 0;
    dev->radio_used = true;
    dev->radio_last_ns = run->sim.now_ns;
    run_device_energy(run, req, energy_radio_j(power, up_bytes, down_bytes) + tail_j);
}

/* A message of req carrying `tokens` tokens has been delivered to server tier `to`: the
 * tier has seen the request (exposure, trust.h). Every message to a server tier passes
 * here, so this record is what the privacy checks are measured against, whichever path
 * the request took. Returns the time the tier's attestation adds: a private-cloud tier is
 * attested once per request, when the request first reaches it (docs/model.md). */
static int64_t journey_seen(const struct run *run, struct request *req, enum location to,
                            double tokens)
{
    uint8_t bit = (uint8_t)(1u << to);
    int64_t attestation_ns = 0;
    if (!(req->tiers_seen & bit)) {
        req->tiers_seen |= bit;
        attestation_ns = run->sc->tier[to].attestation_ns;
    }
    if (tokens > req->tokens_seen[to])
        req->tokens_seen[to] = (uint32_t)tokens;
    return attestation_ns;
}

/* Sends a message of `bytes` bytes carrying `tokens` tokens from one tier to another, now.
 * Every attempt's bytes are counted (retransmissions included). */
static struct netlink_result journey_transmit_bytes(struct run *run, struct request *req,
                                                    enum location from, enum location to,
                                                    double tokens, double bytes)
{
    struct hop h = journey_hop(run, req, from, to);
    struct netlink_result res =
        netlink_send(h.link, h.state, h.dir, run->sim.now_ns, bytes, run->rng.network);
    if (res.status == NETLINK_DELIVERED) {
        double on_air = bytes * (res.retransmissions + 1.0);
        if (h.dir == NETLINK_UP)
            req->bytes_up += on_air;
        else
            req->bytes_down += on_air;
        if (from == LOCATION_DEVICE || to == LOCATION_DEVICE)
            journey_radio(run, req, h.dir == NETLINK_UP ? on_air : 0,
                          h.dir == NETLINK_DOWN ? on_air : 0);
        if (to != LOCATION_DEVICE)
            res.time_ns += journey_seen(run, req, to, tokens);
    }
    return res;
}

/* A message carrying `tokens` tokens (0: a control message). */
static struct netlink_result journey_transmit(struct run *run, struct request *req,
                                              enum location from, enum location to, double tokens)
{
    return journey_transmit_bytes(
        run, req, from, to, tokens,
        netlink_message_bytes(journey_hop(run, req, from, to).link, tokens));
}

/* Whether the privacy rule lets tier loc see req (trust.h): the device always may; with
 * the rule off, every tier may. One comparison per hop. */
static bool journey_class_may_see(const struct run *run, enum privacy_class privacy,
                                  enum location loc)
{
    const struct trust_policy *rule = &run->sc->privacy;
    return !rule->enforce || trust_allows(rule, privacy, scenario_trust(run->sc, loc));
}

static bool journey_may_see(const struct run *run, const struct request *req, enum location loc)
{
    return journey_class_may_see(run, req->privacy, loc);
}

/* As journey_transmit; on_arrival(req) runs when it arrives, on_failure(req) when the link
 * gives up (outage with on_outage fail or timeout). */
static void journey_send(struct run *run, struct request *req, enum location from, enum location to,
                         double tokens, sim_handler on_arrival, sim_handler on_failure)
{
    struct netlink_result res = journey_transmit(run, req, from, to, tokens);
    sim_at(&run->sim, res.time_ns, res.status == NETLINK_DELIVERED ? on_arrival : on_failure, req);
}

/* As journey_send, for a message of `bytes` bytes carrying `tokens` tokens that is counted
 * as in flight until it arrives or fails. */
void journey_send_tracked(struct run *run, struct request *req, enum location from,
                          enum location to, double tokens, double bytes, sim_handler on_arrival,
                          sim_handler on_failure)
{
    struct netlink_result res = journey_transmit_bytes(run, req, from, to, tokens, bytes);
    req->messages_in_flight++;
    sim_at(&run->sim, res.time_ns, res.status == NETLINK_DELIVERED ? on_arrival : on_failure, req);
}

/* --- ending --- */

/* Settles req's outcome. A completed request ends when its last token reaches the user,
 * which may be later than now (its last hop is computed, not simulated). */
static const struct llm_quality *journey_quality(const struct run *run, const struct request *req,
                                                 enum location loc)
{
    return loc == LOCATION_DEVICE ? &run->sc->populations[req->population].quality
                                  : &run->sc->tier[loc].quality;
}

double journey_p_correct(const struct run *run, const struct request *req, enum location loc)
{
    const struct llm_quality *q = journey_quality(run, req, loc);
    uint32_t rows = accuracy_row_count(run->sc->datasets);
    struct accuracy_query query = {.difficulty = req->difficulty, .class_index = req->task};
    if (rows > 0) {
        /* The replayed question: a pure function of the request, like its uniform. */
        double u = rng_hash_u01(run->seed, run->replication, req->id, JOURNEY_ROW_PURPOSE);
        query.row = (uint32_t)(u * rows);
        if (query.row >= rows)
            query.row = rows - 1;
    }
    return accuracy_p_correct(&q->accuracy, &query);
}

bool journey_correct_on(const struct run *run, const struct request *req, enum location loc)
{
    return journey_quality(run, req, loc)->has_accuracy &&
           accuracy_draw_u(run->seed, run->replication, req->id) < journey_p_correct(run, req, loc);
}

/* Scores a served request on the model that served it: correctness (accuracy.h, with the
 * request's own uniform, the same under every policy) and the per-token price. */
static void journey_score(struct run *run, struct request *req)
{
    if (guidance_is_guided(req)) {
        guidance_score(run, req);
        return;
    }
    const struct llm_quality *q = journey_quality(run, req, req->location);
    req->cost_usd += cost_request_usd(&q->price, req->prompt_tokens, req->output_tokens);
    if (!q->has_accuracy)
        return;
    req->scored = true;
    req->correct = journey_correct_on(run, req, req->location);
}

void journey_end(struct run *run, struct request *req, enum request_outcome outcome)
{
    device_cancel_job(run, req); /* its device may still be prefilling to draft */
    guidance_restore(req);       /* a guided request that ends at its tier */
    if (outcome == OUTCOME_COMPLETED || outcome == OUTCOME_FALLBACK)
        journey_score(run, req);
    req->outcome = outcome;
    req->end_ns = outcome == OUTCOME_COMPLETED && req->last_token_user_ns > run->sim.now_ns
                      ? req->last_token_user_ns
                      : run->sim.now_ns;
    const struct arbiter_config *arbiter = &run->sc->arbiter;
    if (arbiter->ops->feedback)
        arbiter->ops->feedback(&(struct arbiter_call){arbiter, run, req});
    run_request_end(run, req);
}

/* No tier the request's class allows can take it (trust.h): it ends here, on its device. */
static void journey_refuse(struct run *run, struct request *req, enum request_refusal why)
{
    req->refusal = why;
    journey_end(run, req, OUTCOME_REFUSED);
}

static void journey_at_tier(struct sim *sim, void *payload);
static void journey_forward_failed(struct sim *sim, void *payload);
static void journey_dispatch(struct run *run, struct request *req, enum location where);

void journey_device_done(struct run *run, struct request *req)
{
    if (req->spec.draft_job != DRAFT_JOB_NONE) {
        drafting_job_done(run, req);
        return;
    }
    const struct arbiter_config *arbiter = &run->sc->arbiter;
    struct arbiter_call call = {arbiter, run, req};
    if (req->assessing) { /* the device has judged it: now the arbiter decides */
        req->assessing = false;
        req->decided_ns = run->sim.now_ns;
        journey_dispatch(run, req, arbiter->ops->after_assessment(&call));
        return;
    }
    if (!req->fell_back && !guidance_is_guided(req) && arbiter->ops->escalate &&
        arbiter->ops->escalate(&call)) {
        if (!journey_may_see(run, req, arbiter->remote)) {
            /* The remote tier may not see it: the device's answer stands. */
            req->privacy_rerouted = true;
            journey_end(run, req, OUTCOME_COMPLETED);
            return;
        }
        /* The device's answer is not trusted: the remote tier answers again, and its
         * answer is the one the user gets (its timestamps replace the device's as they
         * happen; if the escalation fails, the device's answer stands). */
        req->escalated = true;
        req->location = arbiter->remote;
        drafting_choose(run, req);
        journey_send(run, req, LOCATION_DEVICE, req->location, req->prompt_tokens, journey_at_tier,
                     journey_forward_failed);
        return;
    }
    journey_end(run, req, req->fell_back ? OUTCOME_FALLBACK : OUTCOME_COMPLETED);
}

/* --- serving --- */

static void journey_serve_here(struct run *run, struct request *req)
{
    if (req->location == LOCATION_DEVICE) {
        device_submit(run, req);
        return;
    }
    guidance_prepare(run, req);
    if (server_submit(run->server[req->location], req) != 0)
        sim_out_of_memory(&run->sim);
}

static void journey_at_tier(struct sim *sim, void *payload)
{
    journey_serve_here(journey_run(sim), payload);
}

/* A link on the way to the serving tier gave up: the device serves the request itself
 * (network.on_failure: fallback, the default) or the request fails. The device is taken
 * to learn of the failure when the link reports it. */
static void journey_forward_failed(struct sim *sim, void *payload)
{
    struct run *run = journey_run(sim);
    struct request *req = payload;
    device_cancel_job(run, req); /* its device may have been prefilling to draft */
    req->spec.on = false;
    if (req->escalated) { /* the device's answer is already there: it stands */
        req->location = LOCATION_DEVICE;
        req->fell_back = true;
        journey_end(run, req, OUTCOME_FALLBACK);
        return;
    }
    if (run->sc->populations[req->population].fail_on_link_failure) {
        journey_end(run, req, OUTCOME_FAILED_NETWORK);
        return;
    }
    req->fell_back = true;
    req->location = LOCATION_DEVICE;
    device_submit(run, req);
}

static double journey_edge_context(const struct run *run, const struct request *req,
                                   enum location here);

/* The arbiter has chosen `where`: the request moves on from the orchestrator. A tier its
 * privacy class does not allow is replaced by the device (the most trusted tier, always
 * allowed, and one that has a model), whichever policy chose it. */
static void journey_dispatch(struct run *run, struct request *req, enum location where)
{
    enum location here = run->sc->orchestrator;
    if (!journey_may_see(run, req, where)) {
        req->privacy_rerouted = true;
        where = LOCATION_DEVICE;
    }
    req->location = where;
    drafting_choose(run, req);
    if (req->location == here) {
        journey_serve_here(run, req);
        return;
    }
    /* The device already has the prompt: a remote orchestrator only tells it to go (with
     * any context retrieved at the edge). */
    double tokens = req->location == LOCATION_DEVICE ? journey_edge_context(run, req, here)
                                                     : req->prompt_tokens;
    journey_send(run, req, here, req->location, tokens, journey_at_tier, journey_forward_failed);
}

/* The orchestrator has the request: the arbiter decides, or first lets the device judge it
 * (self-assessment: only with the orchestrator on the device, checked at load). */
static void journey_decide(struct run *run, struct request *req)
{
    const struct arbiter_config *arbiter = &run->sc->arbiter;
    struct arbiter_call call = {arbiter, run, req};
    req->decided_ns = run->sim.now_ns;
    int where = arbiter->ops->decide(&call);
    if (where == ARBITER_SPECULATE) {
        req->spec.on = true;
        where = arbiter->remote;
    }
    if (where == ARBITER_ASSESS) {
        req->assessing = true;
        req->assess_tokens = (uint32_t)arbiter->ops->assess_tokens(arbiter);
        req->location = LOCATION_DEVICE;
        device_submit(run, req);
        return;
    }
    journey_dispatch(run, req, (enum location)where);
}

/* Context tokens that the edge retrieved and the device does not have yet. */
static double journey_edge_context(const struct run *run, const struct request *req,
                                   enum location here)
{
    return here == LOCATION_EDGE && run->sc->rag.present && run->sc->rag.at == LOCATION_EDGE
               ? req->rag_tokens_added
               : 0;
}

/* Retrieval is done: its context joins the prompt (rag.h). */
static void journey_add_context(struct run *run, struct request *req)
{
    req->prompt_tokens += req->rag_tokens;
    req->rag_tokens_added = req->rag_tokens;
    if (run->sc->rag.personal && req->privacy < PRIVACY_PERSONAL)
        req->privacy = PRIVACY_PERSONAL;
}

static void journey_after_edge_retrieval(struct sim *sim, void *payload)
{
    journey_add_context(journey_run(sim), payload);
    journey_decide(journey_run(sim), payload);
}

static void journey_at_orchestrator(struct sim *sim, void *payload)
{
    struct run *run = journey_run(sim);
    struct request *req = payload;
    if (req->needs_rag && run->sc->rag.present && run->sc->rag.at == LOCATION_EDGE &&
        run->sc->orchestrator == LOCATION_EDGE) {
        /* The documents are here: retrieve, then decide. */
        sim_after(sim, req->rag_latency_ns, journey_after_edge_retrieval, req);
        return;
    }
    journey_decide(run, req);
}

/* The request is ready to go to its orchestrator (after any retrieval on the way). The
 * orchestrator must read the prompt to decide, so it must be allowed to see it; if not,
 * nothing can route the request (a cloud-centric system has no path around its
 * orchestrator) and it is refused. */
static void journey_to_orchestrator(struct run *run, struct request *req)
{
    enum location orchestrator = run->sc->orchestrator;
    if (orchestrator == LOCATION_DEVICE) {
        journey_decide(run, req);
        return;
    }
    if (!journey_may_see(run, req, orchestrator)) {
        journey_refuse(run, req, REFUSAL_ORCHESTRATOR);
        return;
    }
    journey_send(run, req, LOCATION_DEVICE, orchestrator, req->prompt_tokens,
                 journey_at_orchestrator, journey_forward_failed);
}

/* Retrieval is done (on the device, or the edge's context has reached it). */
static void journey_after_device_retrieval(struct sim *sim, void *payload)
{
    struct run *run = journey_run(sim);
    journey_add_context(run, payload);
    journey_to_orchestrator(run, payload);
}

/* The edge's context could not reach the device: go on without it. */
static void journey_context_lost(struct sim *sim, void *payload)
{
    journey_to_orchestrator(journey_run(sim), payload);
}

static void journey_retrieved_at_edge(struct sim *sim, void *payload)
{
    struct request *req = payload;
    journey_send(journey_run(sim), req, LOCATION_EDGE, LOCATION_DEVICE, req->rag_tokens,
                 journey_after_device_retrieval, journey_context_lost);
}

static void journey_query_at_edge(struct sim *sim, void *payload)
{
    struct request *req = payload;
    sim_after(sim, req->rag_latency_ns, journey_retrieved_at_edge, req);
}

void journey_start(struct run *run, struct request *req)
{
    const struct rag_config *rag = &run->sc->rag;
    /* Personal documents will make it personal: refused before anything else (before its
     * query reaches the edge) when its orchestrator may not see it then. */
    enum privacy_class after_retrieval =
        req->needs_rag && rag->present && rag->personal && req->privacy < PRIVACY_PERSONAL
            ? PRIVACY_PERSONAL
            : req->privacy;
    if (!journey_class_may_see(run, after_retrieval, run->sc->orchestrator)) {
        journey_refuse(run, req, REFUSAL_ORCHESTRATOR);
    } else if (!req->needs_rag || !rag->present) {
        journey_to_orchestrator(run, req);
    } else if (rag->at == LOCATION_DEVICE) {
        sim_after(&run->sim, req->rag_latency_ns, journey_after_device_retrieval, req);
    } else if (run->sc->orchestrator == LOCATION_EDGE) {
        journey_to_orchestrator(run, req); /* retrieval happens at the edge */
    } else if (!journey_may_see(run, req, LOCATION_EDGE)) {
        /* The edge may not see the query: go on without its context. */
        req->privacy_rerouted = true;
        journey_to_orchestrator(run, req);
    } else {
        /* The device asks the edge for the context before anything else. */
        journey_send(run, req, LOCATION_DEVICE, LOCATION_EDGE, req->prompt_tokens,
                     journey_query_at_edge, journey_context_lost);
    }
}

/* --- tokens back to the user --- */

/* Whether the reply from the cloud goes through the edge. */
static bool journey_via_edge(const struct run *run, const struct request *req)
{
    return req->location == LOCATION_CLOUD && run->sc->orchestrator == LOCATION_EDGE;
}

/* Sends a token message over the last hop, to the user, now: nothing else happens on its
 * arrival, so its time is computed, not simulated (two events fewer per request). Returns
 * the arrival time, or -1 when the link gave up (the request is then marked failed). */
int64_t journey_send_to_user(struct run *run, struct request *req, enum location from)
{
    struct netlink_result res = journey_transmit(run, req, from, LOCATION_DEVICE, 1);
    if (res.status == NETLINK_DELIVERED)
        return res.time_ns;
    req->response_failed = true;
    return -1;
}

/* A request served at the edge or in the cloud ends when both the server is done with it
 * (on_done, the server's last touch) and its answer has reached the user (or was lost),
 * whichever comes second — a one-token answer can reach the user before on_done — and no
 * message of it is still travelling (a lost last token can overtake the first). */
void journey_try_end(struct run *run, struct request *req)
{
    if (!req->server_finished || !req->answer_delivered || req->messages_in_flight > 0 ||
        req->spec.draft_job != DRAFT_JOB_NONE)
        return;
    enum request_outcome outcome = req->response_failed ? OUTCOME_FAILED_NETWORK
                                   : req->fell_back     ? OUTCOME_FALLBACK
                                                        : OUTCOME_COMPLETED;
    journey_end(run, req, outcome);
}

/* The first token reached the user at `at_ns` (or was lost: -1). */
static void journey_first_delivered(struct run *run, struct request *req, int64_t at_ns)
{
    req->first_token_user_ns = at_ns;
    if (req->output_tokens >= 2) {
        journey_try_end(run, req); /* the last token may have been lost before this */
        return;
    }
    /* The first token was the last. */
    req->last_token_user_ns = at_ns;
    req->answer_delivered = true;
    journey_try_end(run, req);
}

void journey_last_delivered(struct run *run, struct request *req, int64_t at_ns)
{
    req->last_token_user_ns = at_ns;
    req->answer_delivered = true;
    journey_try_end(run, req);
}

static void journey_response_failed(struct sim *sim, void *payload)
{
    struct request *req = payload;
    req->response_failed = true;
}

/* A token message from the cloud to the edge (the edge orchestrated a cloud request). */
static void journey_send_token_to_edge(struct run *run, struct request *req, sim_handler on_arrival,
                                       sim_handler on_failure)
{
    req->messages_in_flight++;
    journey_send(run, req, LOCATION_CLOUD, LOCATION_EDGE, 1, on_arrival, on_failure);
}

static void journey_first_at_edge(struct sim *sim, void *payload)
{
    struct run *run = journey_run(sim);
    ((struct request *)payload)->messages_in_flight--;
    journey_first_delivered(run, payload, journey_send_to_user(run, payload, LOCATION_EDGE));
}

static void journey_last_at_edge(struct sim *sim, void *payload)
{
    struct run *run = journey_run(sim);
    ((struct request *)payload)->messages_in_flight--;
    journey_last_delivered(run, payload, journey_send_to_user(run, payload, LOCATION_EDGE));
}

/* The last token's message from the cloud was lost on the way to the edge. */
static void journey_last_lost_to_edge(struct sim *sim, void *payload)
{
    struct request *req = payload;
    req->messages_in_flight--;
    req->response_failed = true;
    journey_last_delivered(journey_run(sim), req, -1);
}

/* The first token's message from the cloud was lost on the way to the edge; for a
 * one-token answer that ends the request. */
static void journey_first_lost_to_edge(struct sim *sim, void *payload)
{
    struct request *req = payload;
    req->messages_in_flight--;
    journey_response_failed(sim, req);
    journey_first_delivered(journey_run(sim), req, -1);
}

static void journey_server_first_token(struct sim *sim, struct request *req, void *ctx)
{
    struct run *run = ctx;
    if (req->spec.on) /* its first token is the first round's result (on_verified) */
        return;
    if (guidance_is_guided(req)) {
        guidance_first_token(run, req);
        return;
    }
    if (journey_via_edge(run, req))
        journey_send_token_to_edge(run, req, journey_first_at_edge, journey_first_lost_to_edge);
    else
        journey_first_delivered(run, req, journey_send_to_user(run, req, req->location));
}

void journey_count_tokens_down(struct run *run, struct request *req, enum location from,
                               double messages)
{
    const struct population_config *pop = &run->sc->populations[req->population];
    double bytes = messages * netlink_message_bytes(&pop->link[from], 1);
    req->bytes_down += bytes;
    journey_radio(run, req, 0, bytes);
}

static void journey_server_done(struct sim *sim, struct request *req, void *ctx)
{
    struct run *run = ctx;
    if (guidance_is_guided(req)) {
        guidance_tier_done(run, req);
        return;
    }
    req->server_finished = true;
    /* The first token was the last, already on its way; or every token went down with a
     * speculative round. */
    if (req->output_tokens < 2 || request_drafting(req)) {
        journey_try_end(run, req);
        return;
    }
    /* Tokens 2 .. O-1 stream down one message each; their bytes are counted here (on every
     * hop of the way back), and only the last message is timed. */
    /* (After drafting stopped, those of the rounds are already down.) */
    double middle =
        req->output_tokens - 2.0 - (req->spec.streaming ? req->spec.tokens_at_user - 1.0 : 0);
    bool via_edge = journey_via_edge(run, req);
    journey_count_tokens_down(run, req, via_edge ? LOCATION_EDGE : req->location, middle);
    if (via_edge) {
        req->bytes_down += middle * netlink_message_bytes(&run->sc->edge_cloud, 1);
        journey_send_token_to_edge(run, req, journey_last_at_edge, journey_last_lost_to_edge);
        return;
    }
    journey_last_delivered(run, req, journey_send_to_user(run, req, req->location));
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
        .on_verified = drafting_verified,
        .ctx = run,
    };
}
