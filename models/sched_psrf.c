/* sched_psrf: preemptive shortest predicted remaining first (sched.h).
 *
 *     key(g) = max(Ô − g, 0)           (`by: output`, tokens)
 *     key(g) = predicted time left     (`by: time`, s; sched_predicted_time_s)
 *
 * with g the output tokens already produced. A running request's key only falls as it runs and
 * a waiting one's is fixed, so a waiting request can only become better than a running one
 * when it arrives; the server checks at every arrival (slots) or iteration boundary
 * (continuous batching). With exact predictions, `by: time` and `preemption: resume` on one
 * slot this is SRPT (Schrage & Miller, "The queue M/G/1 with the shortest remaining processing
 * time discipline", Operations Research 14(4), 1966) up to one token's granularity (the key
 * falls when a token is produced); with predictions it is Mitzenmacher's SPRPT
 * ("Scheduling with predictions and the price of misprediction", ITCS 2020). */
#include "sched.h"

static const char *const sched_by_names[] = {"output", "time"};
static const char *const sched_preemption_names[] = {"recompute", "resume"};

static int sched_psrf_load(struct sched_config *cfg, struct ydoc_node *map, struct error *err)
{
    int by = SCHED_BY_OUTPUT, preemption = SCHED_PREEMPT_RECOMPUTE;
    if (ydoc_read_enum(map, "by", sched_by_names, 2, &by, err) != 0 ||
        ydoc_read_enum(map, "preemption", sched_preemption_names, 2, &preemption, err) != 0)
        return -1;
    cfg->by = (enum sched_by)by;
    cfg->preemption = (enum sched_preemption)preemption;
    return 0;
}

static double sched_psrf_priority(const struct sched_config *cfg, const struct llm_perf *model,
                                  const struct request *req, uint32_t generated)
{
    if (cfg->by == SCHED_BY_TIME)
        return sched_predicted_time_s(model, req, generated);
    uint32_t predicted = req->srv.predicted_output;
    return predicted > generated ? (double)(predicted - generated) : 0.0;
}

const struct sched_ops sched_psrf = {
    .name = "psrf",
    .summary = "preemptive shortest predicted remaining first",
    .modes = SCHED_MODE_NONE | SCHED_MODE_CONTINUOUS,
    .uses_prediction = true,
    .preemptive = true,
    .load = sched_psrf_load,
    .priority = sched_psrf_priority,
};
