/* speculation: co-located speculative decoding in a server tier (Leviathan, Kalman & Matias,
 * "Fast Inference from Transformers via Speculative Decoding", ICML 2023):
 *
 *   speculation: {gamma: 4, alpha: 0.8, draft_cost: 0.05}   # in an `edge:` or `cloud:` map
 *
 * Each round a draft model proposes gamma tokens, costing gamma · c target decode steps
 * (c = draft_cost, the draft's step time relative to the target's), and the target verifies
 * them in one step. Each proposed token is accepted independently with probability alpha
 * until the first rejection, so the accepted count N has P(N ≥ k) = alpha^k for k ≤ gamma,
 * and a round yields N + 1 tokens (the verification gives one more): on average
 *     E[tokens per round] = (1 − alpha^(gamma+1)) / (1 − alpha)             (Leviathan eq. 1)
 * for (gamma · c + 1) step times, so decoding is faster by
 *     S = (1 − alpha^(gamma+1)) / ((1 − alpha)(gamma · c + 1))               (Leviathan thm. 3.8)
 * Rounds continue until the request's output is complete (the last round's extra tokens are
 * discarded). N of round k of request i is a pure function of (seed, replication, i, k), so
 * every policy sees the same acceptances (common random numbers).
 *
 * Device–cloud speculation (`drafter: device`): the user's device drafts the gamma tokens at
 * its own decode speed and sends them up; the tier verifies them in one step and sends the
 * result down. A round then takes gamma · t_draft + RTT + (draft and result serialisation)
 * + T instead of (gamma · c + 1) · T, with the link's mean RTT, so the time per output
 * token at the user is about (gamma · t_draft + RTT + T) / E[tokens per round], against T
 * for plain streaming from the tier: speculation pays off while
 *     RTT < T · (E[tokens per round] − 1) − gamma · t_draft            (break-even RTT)
 * The device's drafting time is not booked on the device's queue (it drafts between its
 * own requests) and its energy is not charged: both are simplifications of this first model.
 *
 * Modelled for a tier serving single-stream slots (`batching: none`); with batching the
 * verify step would join the batch (issue 4), which is not modelled yet and is an error. */
#ifndef HAISIM_SPECULATION_H
#define HAISIM_SPECULATION_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "ydoc.h"

struct speculation_config {
    bool enabled;
    double gamma;      /* draft tokens per round, integer ≥ 1 */
    double alpha;      /* acceptance rate per token, [0, 1) */
    double draft_cost; /* c: draft step time / target step time, ≥ 0 (colocated) */
    bool from_device;  /* drafter: device — the user's device drafts over the link */
};

/* Reads the optional `speculation` map of a server tier. */
int speculation_load(struct speculation_config *cfg, struct ydoc_node *tier_map, struct error *err);

/* Decode time, in target decode steps, of `tokens` output tokens for request `id`: the sum of
 * (gamma · c + 1) over the rounds it takes. */
double speculation_decode_steps(const struct speculation_config *cfg, double tokens, uint64_t seed,
                                uint32_t replication, uint64_t id);

/* Rounds needed for `tokens` output tokens of request `id`. */
double speculation_rounds(const struct speculation_config *cfg, double tokens, uint64_t seed,
                          uint32_t replication, uint64_t id);

/* Leviathan's expected tokens per round and walltime improvement factor. */
double speculation_tokens_per_round(const struct speculation_config *cfg);
double speculation_speedup(const struct speculation_config *cfg);

#endif
