/* llm_quality: what a model's answers are worth and cost — its accuracy (accuracy.h) and
 * its price (cost.h) — read from the same `model:` map as its timing (llm_perf.h):
 *
 *   model:
 *     prefill_tok_s: ...            # timing, llm_perf.h
 *     accuracy: {skill: 1.2}        # optional: P(correct); absent = not measured
 *     price: {input_usd_per_mtok: 2.5, output_usd_per_mtok: 10}   # optional: free
 *
 * Replayed correctness files are loaded once into the scenario's shared datasets, so every
 * model reads the same rows. */
#ifndef HAISIM_LLM_QUALITY_H
#define HAISIM_LLM_QUALITY_H

#include <stdbool.h>

#include "accuracy.h"
#include "cost.h"
#include "error.h"
#include "ydoc.h"

struct llm_quality {
    bool has_accuracy;
    struct ydoc_node *accuracy_node; /* where the accuracy map was written, for messages */
    struct accuracy_model accuracy;
    struct cost_config price;
};

/* Reads `accuracy` and `price` from a model map. */
int llm_quality_load(struct llm_quality *q, struct ydoc_node *model_map,
                     struct accuracy_datasets *datasets, struct error *err);
void llm_quality_free(struct llm_quality *q);

#endif
