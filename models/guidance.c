/* guidance: guidance-based knowledge transfer at a tier (see guidance.h). */
#include "guidance.h"

#include <math.h>
#include <string.h>

#include "device.h"
#include "journey.h"
#include "run.h"

int guidance_load(struct guidance_config *cfg, struct ydoc_node *tier_map, struct error *err)
{
    struct ydoc_node *map = ydoc_get(tier_map, "guidance"), *node;
    memset(cfg, 0, sizeof *cfg);
    if (!map)
        return 0;
    cfg->enabled = true;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_bool(map, "enabled", &cfg->enabled, err) != 0 ||
        ydoc_require(map, "tokens", &node, err) != 0 ||
        ydoc_read_i64(map, "tokens", 1, 1000000, &cfg->tokens, err) != 0 ||
        ydoc_require(map, "half_tokens", &node, err) != 0 ||
        ydoc_read_f64(map, "half_tokens", (struct range){0, 1e6, true, false}, &cfg->half_tokens,
                      err) != 0)
        return -1;
    return 0;
}

double guidance_gap_closed(const struct guidance_config *cfg, double k)
{
    return 1 - exp2(-k / cfg->half_tokens);
}

double guidance_p_correct(const struct guidance_config *cfg, double p_student, double p_teacher,
                          double k)
{
    return p_student + (p_teacher - p_student) * guidance_gap_closed(cfg, k);
}

static struct run *guidance_run(struct sim *sim)
{
    return (struct run *)sim; /* struct run begins with its sim */
}

void guidance_prepare(struct run *run, struct request *req)
{
    const struct guidance_config *cfg = &run->sc->tier[req->location].guidance;
    if (!cfg->enabled || req->escalated || (uint64_t)cfg->tokens >= req->output_tokens)
        return;
    req->guidance_tokens = (uint32_t)cfg->tokens;
    req->guidance_answer_tokens = req->output_tokens;
    req->output_tokens = req->guidance_tokens; /* the tier's job: the guidance */
}

void guidance_restore(struct request *req)
{
    if (req->guidance_answer_tokens == 0)
        return;
    req->output_tokens = req->guidance_answer_tokens;
    req->guidance_answer_tokens = 0;
}

void guidance_first_token(struct run *run, struct request *req)
{
    /* Streamed straight to the user, who sees it as the start of the answer: the TTFT. */
    req->first_token_user_ns = journey_send_to_user(run, req, req->location);
}

/* The whole guidance is on the device: it writes the rest of the answer. */
static void guidance_at_device(struct sim *sim, void *payload)
{
    device_submit(guidance_run(sim), payload);
}

void guidance_tier_done(struct run *run, struct request *req)
{
    req->server_finished = true;
    uint32_t k = req->guidance_tokens;
    guidance_restore(req);
    /* Tokens 2 .. k − 1 stream down one message each, counted but not timed; the last
     * one is timed. With k = 1 the first token was the whole guidance. */
    int64_t at_ns = req->first_token_user_ns;
    if (k >= 2) {
        journey_count_tokens_down(run, req, req->location, k - 2.0);
        at_ns = journey_send_to_user(run, req, req->location);
    }
    if (req->response_failed) {
        journey_end(run, req, OUTCOME_FAILED_NETWORK);
        return;
    }
    sim_at(&run->sim, at_ns, guidance_at_device, req);
}

void guidance_score(struct run *run, struct request *req)
{
    const struct llm_quality *teacher = &run->sc->tier[req->location].quality;
    const struct llm_quality *student = &run->sc->populations[req->population].quality;
    double k = req->guidance_tokens, p = req->prompt_tokens, o = req->output_tokens;
    req->cost_usd +=
        cost_request_usd(&teacher->price, p, k) + cost_request_usd(&student->price, p + k, o - k);
    if (!teacher->has_accuracy || !student->has_accuracy)
        return;
    double p_correct = guidance_p_correct(&run->sc->tier[req->location].guidance,
                                          journey_p_correct(run, req, LOCATION_DEVICE),
                                          journey_p_correct(run, req, req->location), k);
    req->scored = true;
    req->correct = accuracy_draw_u(run->seed, run->replication, req->id) < p_correct;
}
