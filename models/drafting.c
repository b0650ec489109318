/* drafting: device-drafted speculative decoding's rounds between a device and its serving
 * tier (speculation.h has the model and its equations): which requests draft, the device's
 * prefill and drafting jobs (device.h), the draft going up and each result coming down as
 * link messages (journey.c sends them), the verification at the tier (server.h), adaptive
 * gamma, the first and last tokens at the user, and what a lost round does. */
#include "drafting.h"

#include "cost.h"
#include "device.h"
#include "journey.h"
#include "server.h"

static struct run *drafting_run(struct sim *sim)
{
    return (struct run *)sim; /* struct run begins with its sim */
}

static const struct speculation_config *drafting_config(const struct run *run,
                                                        const struct request *req)
{
    return &run->sc->tier[req->location].server.speculation;
}

/* The device's own link to the request's tier, which every round's messages take. */
static const struct netlink_config *drafting_link(const struct run *run, const struct request *req)
{
    return &run->sc->populations[req->population].link[req->location];
}

/* One decode step of the device's model at the request's context now. */
static double drafting_draft_step_s(const struct run *run, const struct request *req)
{
    return llm_perf_decode_step_s(&run->sc->populations[req->population].model, 1,
                                  (double)req->prompt_tokens + req->spec.tokens_at_user);
}

/* The request leaves for its serving tier: whether its device drafts for it (the arbiter's
 * choice, or the tier's `drafter: device`) — if so the device prefills the prompt meanwhile,
 * to draft from it (with a remote orchestrator, as if told at once). */
void drafting_choose(struct run *run, struct request *req)
{
    if (req->location == LOCATION_DEVICE) {
        req->spec.on = false;
        return;
    }
    const struct speculation_config *spec = drafting_config(run, req);
    if (!run->sc->arbiter.ops->decides_speculation)
        req->spec.on = spec->enabled && spec->from_device;
    if (!req->spec.on)
        return;
    req->spec.draft_job = DRAFT_JOB_PREFILL;
    req->spec.job_s =
        llm_perf_prefill_s(&run->sc->populations[req->population].model, req->prompt_tokens);
    device_submit_job(run, req);
}

static void drafting_stream_arrived(struct sim *sim, void *payload)
{
    struct run *run = drafting_run(sim);
    struct request *req = payload;
    req->messages_in_flight--;
    server_speculation_stream(run->server[req->location], req);
}

static void drafting_lost(struct sim *sim, void *payload);

/* Drafting is the slower (stop_when_slower): the device asks the tier to stream the rest. */
static void drafting_stream(struct run *run, struct request *req)
{
    const struct netlink_config *link = drafting_link(run, req);
    req->spec.streaming = true;
    journey_send_tracked(run, req, LOCATION_DEVICE, req->location, 0,
                         netlink_message_bytes(link, 0), drafting_stream_arrived, drafting_lost);
}

/* The device drafts the next round: gamma fixed, or chosen from this request's measured
 * acceptance and round time (speculation.h), and never more than the answer still needs. */
static void drafting_draft(struct run *run, struct request *req)
{
    const struct speculation_config *spec = drafting_config(run, req);
    double step_s = drafting_draft_step_s(run, req);
    uint32_t gamma = (uint32_t)spec->gamma;
    if (spec->adaptive && req->spec.rounds > 0) {
        double alpha_hat = speculation_alpha_estimate(speculation_alpha(spec, req->task),
                                                      req->spec.accepted, req->spec.rejections);
        double overhead_s = req->spec.overhead_s / req->spec.rounds;
        gamma = speculation_best_gamma(spec, alpha_hat, step_s, overhead_s);
        double verify_s = req->spec.verify_s / req->spec.rounds;
        if (spec->stop_when_slower && req->spec.rounds >= 2 &&
            speculation_round_rate(alpha_hat, gamma, step_s, overhead_s) * verify_s < 1) {
            drafting_stream(run, req);
            return;
        }
    }
    uint32_t left = req->output_tokens - req->spec.tokens_at_user;
    if (gamma + 1 > left) /* γ = 0 for the last token: an empty draft, one verification */
        gamma = left - 1;
    req->spec.gamma = gamma;
    req->spec.draft_job = DRAFT_JOB_TOKENS;
    req->spec.job_s = gamma * step_s;
    device_submit_job(run, req);
}

/* The device decodes the rest of the answer alone, after a lost round. */
static void drafting_finish(struct run *run, struct request *req)
{
    req->spec.draft_job = DRAFT_JOB_FINISH;
    req->spec.job_s =
        (req->output_tokens - req->spec.tokens_at_user) * drafting_draft_step_s(run, req);
    device_submit_job(run, req);
}

/* A round's message was lost: the tier lets the sequence go unless it has finished, and the
 * request fails or (on_failure: fallback) the device finishes it. */
static void drafting_lost(struct sim *sim, void *payload)
{
    struct run *run = drafting_run(sim);
    struct request *req = payload;
    req->messages_in_flight--;
    if (!req->server_finished) {
        server_speculation_abandon(run->server[req->location], req);
        req->server_finished = true;
    }
    /* The tier is paid for what it did: the prompt and the tokens it produced. */
    req->cost_usd += cost_request_usd(&run->sc->tier[req->location].quality.price,
                                      req->prompt_tokens, req->srv.generated);
    if (req->escalated || run->sc->populations[req->population].fail_on_link_failure) {
        /* Nothing more to draft: an escalated request keeps the device's earlier answer,
         * with its own first token (whatever on_failure says, as when the escalation's
         * prompt is lost); otherwise on_failure: fail. */
        device_cancel_job(run, req);
        if (req->escalated) {
            if (req->spec.first_result_seen)
                req->first_token_user_ns = req->spec.device_first_token_ns;
            req->fell_back = true;
            req->location = LOCATION_DEVICE;
        } else {
            req->response_failed = true;
        }
        req->answer_delivered = true;
        journey_try_end(run, req);
        return;
    }
    /* network.on_failure: fallback — the device has the prompt and every token so far in
     * its own cache: it finishes the answer alone. */
    req->fell_back = true;
    req->location = LOCATION_DEVICE;
    if (req->spec.draft_job == DRAFT_JOB_PREFILL)
        req->spec.finish_wanted = true;
    else
        drafting_finish(run, req);
}

static void drafting_draft_arrived(struct sim *sim, void *payload)
{
    struct run *run = drafting_run(sim);
    struct request *req = payload;
    req->messages_in_flight--;
    req->spec.verify_start_ns = run->sim.now_ns;
    server_speculation_verify(run->server[req->location], req);
}

void drafting_job_done(struct run *run, struct request *req)
{
    enum draft_job job = req->spec.draft_job;
    req->spec.draft_job = DRAFT_JOB_NONE;
    if (job == DRAFT_JOB_PREFILL) {
        /* A lost round waits for the prefill to finish alone; a result that arrived during it
         * waits for it to draft (an answer already complete or ended cancels the prefill). */
        if (req->spec.finish_wanted)
            drafting_finish(run, req);
        else if (req->spec.first_result_seen)
            drafting_draft(run, req);
        return;
    }
    if (job == DRAFT_JOB_FINISH) {
        /* Its tokens reached the user as the device wrote them, one decode step apart. */
        if (req->first_token_user_ns < 0)
            req->first_token_user_ns =
                run->sim.now_ns -
                simtime_from_s(req->spec.job_s *
                               (1 - 1.0 / (req->output_tokens - req->spec.tokens_at_user)));
        req->last_token_tier_ns = run->sim.now_ns;
        journey_last_delivered(run, req, run->sim.now_ns);
        return;
    }
    const struct speculation_config *spec = drafting_config(run, req);
    const struct netlink_config *link = drafting_link(run, req);
    double bytes = netlink_message_bytes(link, req->spec.gamma) +
                   speculation_draft_extra_bytes(spec, req->spec.gamma);
    req->spec.draft_sent_ns = run->sim.now_ns; /* its round trip starts */
    journey_send_tracked(run, req, LOCATION_DEVICE, req->location, req->spec.gamma, bytes,
                         drafting_draft_arrived, drafting_lost);
}

/* A round's result reached the device (and the user): the answer is complete, or the device
 * drafts the next round (after its prefill, if that is still running). */
static void drafting_result_arrived(struct sim *sim, void *payload)
{
    struct run *run = drafting_run(sim);
    struct request *req = payload;
    req->messages_in_flight--;
    if (!req->spec.first_result_seen) {
        /* The tier's first token (it replaces an escalated request's device answer). */
        req->spec.first_result_seen = true;
        req->spec.device_first_token_ns = req->first_token_user_ns; /* -1 unless escalated */
        req->first_token_user_ns = run->sim.now_ns;
    } else { /* the round trip of a draft: beyond drafting, what adaptive gamma weighs */
        req->spec.overhead_s += simtime_to_s(run->sim.now_ns - req->spec.draft_sent_ns);
    }
    req->spec.tokens_at_user += req->spec.round_tokens;
    if (req->spec.tokens_at_user >= req->output_tokens) {
        device_cancel_job(run, req); /* no draft needed: stop any prefill */
        journey_last_delivered(run, req, run->sim.now_ns);
        return;
    }
    if (req->spec.draft_job != DRAFT_JOB_PREFILL) /* else it drafts once prefilled */
        drafting_draft(run, req);
}

void drafting_verified(struct sim *sim, struct request *req, void *ctx)
{
    struct run *run = ctx;
    const struct netlink_config *link = drafting_link(run, req);
    if (req->spec.rounds > 0) /* a verification, not the prefill's token */
        req->spec.verify_s += simtime_to_s(run->sim.now_ns - req->spec.verify_start_ns);
    journey_send_tracked(run, req, req->location, LOCATION_DEVICE, req->spec.round_tokens,
                         netlink_message_bytes(link, req->spec.round_tokens),
                         drafting_result_arrived, drafting_lost);
}
