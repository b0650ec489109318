/* cost: what serving requests costs in US dollars, read from a tier's or model's `price:` map.
 *
 * Two pricing forms (exactly one per map):
 *
 *   per token (an API)   {input_usd_per_mtok: 2.5, output_usd_per_mtok: 10}
 *       cost(request) = P · input_usd_per_mtok / 10^6 + O · output_usd_per_mtok / 10^6
 *     with P prompt (input) tokens and O output tokens. This is how LLM APIs bill, e.g.
 *     GPT-4o at $2.50 / $10 per 1M tokens (OpenAI price from Aug 2024; reference-numbers
 *     §4.5). Nothing is provisioned: cost_provisioned_usd is 0.
 *
 *   per GPU-hour (self-hosted)   {gpu_hour_usd: 3.0, gpus: 8}
 *       provisioned = gpus · gpu_hour_usd · T / 3600          (T: seconds the server exists)
 *       busy share  = gpus · gpu_hour_usd · s_r / 3600        (s_r: request r's busy seconds)
 *     The operator pays for provisioned time whether or not it is used; that is the cost of a
 *     run. To say what one request cost, the server's busy time is split among the requests
 *     that used it: s_r is r's share of the server's busy wall-clock seconds (a batch step of
 *     length Δ shared by k requests gives each Δ/k), so Σ_r busy share = cost of busy time
 *     ≤ provisioned cost, and the difference is the price of idle capacity (1 − utilisation).
 *     Per-token prices are 0 in this form (cost_request_usd returns 0).
 *
 * A request's attributed cost is always cost_request_usd + cost_busy_usd (one of them is 0);
 * a run's total is Σ cost_request_usd + cost_provisioned_usd. A missing `price:` map means
 * "free" (e.g. an owned device). Nothing here allocates. */
#ifndef HAISIM_COST_H
#define HAISIM_COST_H

#include "error.h"
#include "ydoc.h"

enum cost_kind { COST_PER_TOKEN, COST_PER_GPU_HOUR };

struct cost_config {
    enum cost_kind kind;
    double input_usd_per_mtok;  /* per token form */
    double output_usd_per_mtok; /* per token form */
    double gpu_hour_usd;        /* per GPU-hour form: price of one GPU for one hour */
    double gpus;                /* per GPU-hour form: GPUs held by the server (an integer) */
};

/* Reads a `price:` map. Per token: input_usd_per_mtok and output_usd_per_mtok, both required,
 * in [0, 10000]. Per GPU-hour: gpu_hour_usd required in [0, 1000], gpus an integer in
 * [1, 100000], default 1. Mixing keys of both forms, or a map with neither, is an error.
 * map == NULL gives a per-token config with zero prices. */
int cost_load(struct cost_config *cfg, struct ydoc_node *map, struct error *err);
void cost_free(struct cost_config *cfg);

/* Per-token charge of one request with the given input (prompt) and output token counts;
 * 0 for the per-GPU-hour form. */
double cost_request_usd(const struct cost_config *cfg, double input_tokens, double output_tokens);

/* Per-GPU-hour charge for busy_s seconds of the server's busy time (a request's share);
 * 0 for the per-token form. */
double cost_busy_usd(const struct cost_config *cfg, double busy_s);

/* Per-GPU-hour charge for holding the server for `seconds` (the run length); 0 for the
 * per-token form. */
double cost_provisioned_usd(const struct cost_config *cfg, double seconds);

#endif
