/* llm_timing: how long a language model takes on one processor, per request.
 *
 * Phases of one request served alone (no batching yet):
 *   overhead      a per-request delay drawn from `overhead_ms` (tokenisation, scheduling,
 *                 API gateway; 0 by default)
 *   prefill       prompt_tokens / prefill_tok_s; it produces the first output token
 *   decode        (output_tokens - 1) steps of 1 / decode_tok_s, one token each
 * so first token = start + overhead + prefill, last token = first token + decode.
 * This is DESIGN §4's prefill time p0 + p1·P and decode step d0 with p0 = overhead,
 * p1 = 1/prefill_tok_s, d0 = 1/decode_tok_s; batching terms come with the server model. */
#ifndef HAISIM_LLM_TIMING_H
#define HAISIM_LLM_TIMING_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "ydoc.h"

struct llm_timing {
    double prefill_tok_s;
    double decode_tok_s;
    struct dist overhead_ms;
};

/* Reads prefill_tok_s and decode_tok_s (required, > 0) and overhead_ms (a distribution,
 * default 0; negative draws count as 0) from map. */
int llm_timing_load(struct llm_timing *t, struct ydoc_node *map, struct error *err);
void llm_timing_free(struct llm_timing *t);

/* Phase durations in ns for one request started at time 0. */
struct llm_phases {
    int64_t first_token_ns; /* overhead + prefill */
    int64_t last_token_ns;  /* first token + (output_tokens - 1) decode steps */
};

struct llm_phases llm_timing_phases(const struct llm_timing *t, uint32_t prompt_tokens,
                                    uint32_t output_tokens, gsl_rng *rng);

#endif
