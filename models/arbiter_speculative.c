/* arbiter_speculative: for each request, stream from the remote tier or let the device draft
 * for it (speculation.h), whichever the break-even rule says is faster for this request:
 * with T the tier's decode step and t_d the device's at the request's mean context, the
 * link's mean RTT, and E the expected tokens per round at the request's class acceptance,
 * device drafting pays off while
 *     RTT + margin_ms < T · (E − 1) − gamma · t_d                         (speculation.h)
 * A device that cannot reach the tier serves the request itself. The remote tier must have
 * `speculation: {drafter: device}` (checked at load). */
#include "arbiter.h"

#include "run.h"
#include "scenario.h"

static const struct arbiter_param arbiter_speculative_params[] = {
    {"margin_ms", RANGE_NONNEGATIVE, 0,
     "how far below the break-even RTT the link must be for device drafting"},
};

static int arbiter_speculative_decide(const struct arbiter_call *c)
{
    const struct scenario *sc = c->run->sc;
    const struct request *req = c->req;
    enum location to = c->cfg->remote;
    if (!run_link_is_up(c->run, req, to))
        return LOCATION_DEVICE;
    const struct population_config *pop = &sc->populations[req->population];
    const struct speculation_config *spec = &sc->tier[to].server.speculation;
    double context = req->prompt_tokens + req->output_tokens / 2.0;
    double step_s = llm_perf_decode_step_s(&sc->tier[to].server.model, 1, context);
    double draft_step_s = llm_perf_decode_step_s(&pop->model, 1, context);
    double break_even_s = speculation_break_even_s(speculation_alpha(spec, req->task), spec->gamma,
                                                   step_s, draft_step_s);
    double rtt_s = dist_mean(&pop->link[to].rtt_ms) * 1e-3;
    return rtt_s + arbiter_param(c, 0) * 1e-3 < break_even_s ? ARBITER_SPECULATE : (int)to;
}

const struct arbiter_ops arbiter_speculative = {
    .name = "speculative",
    .summary = "let the device draft for the remote tier where it beats streaming",
    .uses = ARBITER_USES_DEVICE | ARBITER_USES_REMOTE,
    .decides_speculation = true,
    .params = arbiter_speculative_params,
    .n_params = sizeof arbiter_speculative_params / sizeof arbiter_speculative_params[0],
    .decide = arbiter_speculative_decide,
};
