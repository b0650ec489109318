/* bild: the Big-Little Decoder (Kim et al., "Speculative Decoding with Big Little Decoder",
 * NeurIPS 2023, arXiv 2302.07863) in a server tier serving single-stream slots:
 *
 *   big_little: {fallback_threshold: 0.5, rollback_threshold: 3}   # in an `edge:` or `cloud:` map
 *
 * A small model decodes and a large one (the tier's `model`) steps in. Following the authors'
 * code (github.com/kssteven418/BigLittleDecoder, T5BiLDModel._greedy_search_body):
 *   - the large model's prefill gives the first output token;
 *   - the small model then generates token after token until its confidence (its largest
 *     probability) c falls below α_FB — a *fallback*: that small step is thrown away — or
 *     until it has produced N = max_small_tokens tokens in a row;
 *   - the large model then runs once over the small model's tokens since its last pass
 *     (non-autoregressively) and produces the next token. If some of those tokens have a
 *     disagreement d (the cross-entropy −ln p_L(y) of the small token y under the large
 *     model) above α_RB, the first of them is replaced by the large model's token and every
 *     small token after it is discarded — a *rollback* — and the large model runs once more
 *     to produce the token after it (the code `continue`s with the large model);
 *   - control returns to the small model. When the output is complete the last small run is
 *     not checked (the code stops at the last token).
 *
 * The stochastic token model (stated here, calibrated in docs/policies.md). At each small
 * step, independently:
 *     c ~ Kumaraswamy(a, b):  P(c ≤ x) = 1 − (1 − x^a)^b          (a Beta-like law on [0, 1]
 *                                                                  with a closed-form quantile)
 *     the small token equals the large model's choice with probability (1 − ε) c^κ
 *     a token that differs has d ~ lognormal(median m, σ);  one that agrees never rolls back
 *     (the code skips a rollback whose large token equals the small one)
 * so P(fallback at a step) = 1 − (1 − α_FB^a)^b and P(d > α_RB | differs) =
 * 1 − Φ(ln(α_RB / m) / σ). Tokens that differ from the large model's choice and are kept
 * (d ≤ α_RB, or unchecked at the end) are the quality loss. Every draw is
 *     u = rng_hash_u01(seed ^ salt, replication, request id, (epoch, position, which))
 * with epoch = rollbacks so far in the request: a pure function of the request, the same
 * under every policy and threshold until the paths part (common random numbers), and fresh
 * for a position generated again after a rollback.
 *
 * Timing, batch 1 as in the paper: a small step costs small_cost = c_s large decode steps, a
 * large pass one step (a non-autoregressive pass over ≤ N + 1 tokens at batch 1 reads the
 * weights once, like a decode step), and the small model's prefill c_s × the large prefill.
 * The speed-up against the large model alone is
 *     S = (prefill + (O − 1) · T) / ((1 + c_s) · prefill + steps · T)
 * summed over the requests served, T being the decode step time.
 *
 * Modelled for a tier serving single-stream slots (`batching: none`), not under a preemptive
 * scheduler, and exclusive with `speculation:`. The token model's parameters, their
 * calibrations and the checks: docs/policies.md and docs/validation.md ("Big-Little
 * Decoder"). */
#ifndef HAISIM_BILD_H
#define HAISIM_BILD_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "llm_perf.h"
#include "request.h"
#include "ydoc.h"

struct bild_config {
    bool enabled;
    double fallback_threshold;       /* α_FB: hand over when the confidence is below it, [0, 1] */
    double rollback_threshold_nats;  /* α_RB: roll back above this cross-entropy, nats, > 0 */
    double small_cost;               /* c_s: small step time / large step time */
    int64_t max_small_tokens;        /* N: small tokens in a row before the large model checks */
    double confidence_a;             /* Kumaraswamy a of the small model's confidence */
    double confidence_b;             /* Kumaraswamy b */
    double agreement_exponent;       /* κ: P(small token = large token | c) = (1 − ε) c^κ */
    double confident_disagreement;   /* ε: P(differ) even at full confidence */
    double disagreement_median_nats; /* m: median cross-entropy of a differing token, nats */
    double disagreement_sigma;       /* σ of its logarithm */
};

/* What decoding produced, per request or summed (counts of tokens and events). */
struct bild_stats {
    double requests;
    double output_tokens;      /* O, the first (the large prefill's) included */
    double small_steps;        /* small-model steps, the wasted ones included */
    double large_passes;       /* large-model passes after the prefill */
    double fallbacks;          /* confidence below α_FB */
    double rollbacks;          /* large passes that rolled back */
    double rolled_back_tokens; /* small tokens discarded by rollbacks */
    double kept_disagreements; /* kept small tokens that differ from the large model's */
    double decode_steps;       /* decode time in large steps: c_s · small + large */
    double large_only_s;       /* Σ prefill + (O − 1) · T: the large model alone */
    double bild_s;             /* Σ (1 + c_s) · prefill + decode_steps · T */
};

/* Reads the optional `big_little` map of a server tier (defaults: the unaligned calibration
 * of docs/validation.md). */
int bild_load(struct bild_config *cfg, struct ydoc_node *tier_map, struct error *err);

/* Decodes output tokens 2 … O of request `id` (O = tokens) and adds what happened to *acc
 * (requests, output_tokens, counts and decode_steps; not the times). */
void bild_decode(const struct bild_config *cfg, uint32_t tokens, uint64_t seed,
                 uint32_t replication, uint64_t id, struct bild_stats *acc);

/* Service time after the first token of req on a single-stream slot of model m: the small
 * prefill plus the decoding (bild_decode at the mean context), in seconds; adds the request
 * to *acc, times included. */
double bild_slot_decode_s(const struct bild_config *cfg, const struct llm_perf *m,
                          const struct request *req, uint64_t seed, uint32_t replication,
                          struct bild_stats *acc);

/* P(fallback at a small step) = 1 − (1 − α_FB^a)^b, and P(a differing token rolls back). */
double bild_fallback_probability(const struct bild_config *cfg);
double bild_rollback_probability(const struct bild_config *cfg);

/* acc += x, field by field. */
void bild_stats_add(struct bild_stats *acc, const struct bild_stats *x);

/* Rates per output token, the speed-up against the large model alone, and the quality loss
 * (kept disagreements per output token); NaN when nothing was decoded this way. */
double bild_fallback_rate(const struct bild_stats *s);
double bild_rollback_rate(const struct bild_stats *s);
double bild_speedup(const struct bild_stats *s);
double bild_quality_loss(const struct bild_stats *s);

#endif
