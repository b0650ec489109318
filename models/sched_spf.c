/* sched_spf: shortest predicted first, non-preemptive, with linear aging (sched.h).
 *
 *     key = L̂ + a · t_tier
 *
 * L̂ is the predicted output Ô (tokens, `by: output`) or the predicted service time alone on
 * the server (s, `by: time`, sched_predicted_time_s); a = aging_per_s in key units per second;
 * t_tier the time the request reached the tier. At time t every waiting request's aged
 * priority L̂ − a·(t − t_tier) differs from its key by the same a·t, so the static key orders
 * the queue exactly as the aged priority would: a request overtakes one predicted shorter by ΔL̂
 * after waiting ΔL̂/a longer, which bounds every wait (no starvation) when a > 0. With a = 0 this is
 * the non-preemptive shortest-job-first of queueing theory (Kleinrock, Queueing Systems
 * vol. 2, 1976, ch. 3; with predictions: Mitzenmacher, "Scheduling with predictions and the
 * price of misprediction", ITCS 2020). */
#include "sched.h"

#include "simtime.h"

static const char *const sched_by_names[] = {"output", "time"};

static int sched_spf_load(struct sched_config *cfg, struct ydoc_node *map, struct error *err)
{
    int by = SCHED_BY_OUTPUT;
    if (ydoc_read_enum(map, "by", sched_by_names, 2, &by, err) != 0 ||
        ydoc_read_f64(map, "aging_per_s", RANGE_CLOSED(0, 1e12), &cfg->aging_per_s, err) != 0)
        return -1;
    cfg->by = (enum sched_by)by;
    return 0;
}

static double sched_spf_priority(const struct sched_config *cfg, const struct llm_perf *model,
                                 const struct request *req, uint32_t generated)
{
    (void)generated; /* non-preemptive: the key does not change as it runs */
    double length = cfg->by == SCHED_BY_TIME ? sched_predicted_time_s(model, req, 0)
                                             : (double)req->srv.predicted_output;
    return length + cfg->aging_per_s * simtime_to_s(req->tier_arrival_ns);
}

const struct sched_ops sched_spf = {
    .name = "spf",
    .summary = "shortest predicted first, non-preemptive, optional aging",
    .modes = SCHED_MODE_NONE | SCHED_MODE_STATIC | SCHED_MODE_CONTINUOUS,
    .uses_prediction = true,
    .load = sched_spf_load,
    .priority = sched_spf_priority,
};
