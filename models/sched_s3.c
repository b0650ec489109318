/* sched_s3: predicted-length KV reservation under continuous batching — Jin, Wu, Brooks &
 * Wei, "S³: Increasing GPU Utilization during Generative Inference for Higher Throughput",
 * NeurIPS 2023 (sched.h).
 *
 * Admission (first come, first served, head of line) reserves P + R KV tokens with R = Ô,
 * the predicted output, instead of the worst case (vLLM's max_tokens, ORCA's maximum
 * sequence length) or the true length (`kv_admission: reserve_output`, S³'s oracle). S³'s
 * supervisor handles a misprediction — a sequence that has produced R tokens and is not
 * finished — by preempting it or giving it more memory; here:
 *     on_overflow: reallocate  the reservation grows in place if the cache has room, else as
 *                              preempt (the default: a server preempts only when it must);
 *     on_overflow: preempt     always: KV released, requeued at the front, prompt and
 *                              generated tokens recomputed in one prefill when readmitted
 *                              (what S³'s supervisor does when memory is full);
 * and either way R ← min(⌈growth·R⌉, capacity − P), so a sequence overflows at most
 * ⌈log_growth(O/Ô)⌉ times. S³ predicts with a classifier over length buckets and packs
 * batches by decreasing first fit; neither is modelled (the prediction is the error model of
 * `prediction:`, the admission order FCFS). */
#include "sched.h"

static const char *const sched_overflow_names[] = {"preempt", "reallocate"};

static int sched_s3_load(struct sched_config *cfg, struct ydoc_node *map, struct error *err)
{
    int overflow = cfg->on_overflow;
    if (ydoc_read_enum(map, "on_overflow", sched_overflow_names, 2, &overflow, err) != 0 ||
        ydoc_read_f64(map, "growth", (struct range){1.0, 1000.0, true, false}, &cfg->growth, err) !=
            0)
        return -1;
    cfg->on_overflow = (enum sched_overflow)overflow;
    return 0;
}

const struct sched_ops sched_s3 = {
    .name = "s3",
    .summary = "KV reserved for the predicted length, overflow preempted or regrown (S3)",
    .modes = SCHED_MODE_CONTINUOUS,
    .uses_prediction = true,
    .reserves_predicted = true,
    .load = sched_s3_load,
};
