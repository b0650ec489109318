/* llm_timing: per-request phase durations of a model on a processor (see llm_timing.h). */
#include "llm_timing.h"

#include "load_util.h"
#include "simtime.h"

int llm_timing_load(struct llm_timing *t, struct ydoc_node *map, struct error *err)
{
    dist_constant(&t->overhead_ms, 0.0);
    if (load_required_f64(map, "prefill_tok_s", RANGE_POSITIVE, &t->prefill_tok_s, err) != 0 ||
        load_required_f64(map, "decode_tok_s", RANGE_POSITIVE, &t->decode_tok_s, err) != 0)
        return -1;
    struct ydoc_node *overhead = ydoc_get(map, "overhead_ms");
    if (overhead && dist_parse(&t->overhead_ms, overhead, err) != 0)
        return -1;
    return 0;
}

void llm_timing_free(struct llm_timing *t)
{
    dist_free(&t->overhead_ms);
}

struct llm_phases llm_timing_phases(const struct llm_timing *t, uint32_t prompt_tokens,
                                    uint32_t output_tokens, gsl_rng *rng)
{
    double overhead_s = dist_sample(&t->overhead_ms, rng) * 1e-3;
    if (overhead_s < 0)
        overhead_s = 0;
    double first_s = overhead_s + (double)prompt_tokens / t->prefill_tok_s;
    double decode_s = (double)(output_tokens > 0 ? output_tokens - 1 : 0) / t->decode_tok_s;
    /* Round each phase boundary once, from the start of service. */
    struct llm_phases p = {simtime_from_s(first_s), simtime_from_s(first_s + decode_s)};
    return p;
}
