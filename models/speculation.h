/* speculation: speculative decoding at a server tier, drafted by a co-located draft model
 * or by the user's device (Leviathan, Kalman & Matias, "Fast Inference from Transformers via
 * Speculative Decoding", ICML 2023):
 *
 *   speculation: {gamma: 4, alpha: 0.8, draft_cost: 0.05}        # in an `edge:` or `cloud:` map
 *   speculation: {drafter: device, gamma: 4, alpha: 0.8, alpha_by_class: {code: 0.6},
 *                 adaptive: true, payload: ids}
 *
 * Acceptance. Each round a drafter proposes gamma tokens and the target verifies them in one
 * step. Each proposed token is accepted independently with probability alpha (the model
 * pair's acceptance rate; `alpha_by_class` overrides it per task class) until the first
 * rejection, so the accepted count N has P(N ≥ k) = alpha^k for k ≤ gamma, and a round yields
 * N + 1 tokens (the verification gives one more): on average
 *     E[tokens per round] = (1 − alpha^(gamma+1)) / (1 − alpha)             (Leviathan eq. 1)
 * N of round k of request i is a pure function of (seed, replication, i, k), so every policy
 * sees the same acceptances (common random numbers). The last round's extra tokens are
 * discarded.
 *
 * Co-located drafting (`drafter: colocated`, the default; single-stream slots only): a draft
 * model beside the target costs gamma · c target decode steps a round (c = draft_cost), so
 * decoding is faster by
 *     S = (1 − alpha^(gamma+1)) / ((1 − alpha)(gamma · c + 1))               (Leviathan thm. 3.8)
 *
 * Device drafting (`drafter: device`; slots or continuous batching): the user's device
 * prefills the prompt while the request travels up and the tier prefills it; every round the
 * tier's result (the first token, then each round's N + 1 tokens) travels down the device's
 * link, the device drafts gamma tokens (gamma decode steps of its own model, queued on the
 * device with its other work and charged to its energy), the draft travels up, and the tier
 * verifies it as one step — in a continuous batch, as one sequence of the next decode
 * iteration (a verification of gamma + 1 tokens costs one decode step of its context: the
 * memory-bound regime Leviathan assumes). Every message is a real link message (its own RTT
 * draw, loss, outages, radio energy). Between rounds the sequence keeps its KV cache at the
 * tier (reserved P + O at admission: it is never preempted). With a constant RTT and nothing
 * else queued the time per output token at the user is (gamma · t_draft + RTT + T) /
 * E[tokens per round] against T for plain streaming, so speculation pays off while
 *     RTT < T · (E[tokens per round] − 1) − gamma · t_draft            (break-even RTT)
 *
 * `drafter: none` turns speculation off while keeping the map (a variant without it).
 *
 * Payload (`payload`): `ids` sends the draft's token ids (the link's bytes_per_token each);
 * `distributions` also sends the drafter's probability distribution of each draft token,
 * vocab_size × prob_bytes bytes (needed to verify sampled, not greedy, drafts losslessly).
 *
 * Adaptive gamma (`adaptive: true`; device drafting): before each round the device picks the
 * gamma in [1, gamma_max] that maximises E[tokens per round](alpha_hat, gamma) / (gamma ·
 * t_draft + overhead_hat), where alpha_hat is the acceptance measured on this request so far
 * (the maximum-likelihood estimate of a capped geometric, Σ N / (Σ N + rejections), started
 * from the configured alpha as two pseudo-rounds) and overhead_hat the mean measured round
 * time beyond drafting (RTT, serialisation, queueing and verification). `gamma` is the first
 * round's. With `stop_when_slower: true`, from the third round on the device compares that
 * best rate with streaming's, 1 / v_hat, v_hat the mean measured verification time at the tier
 * (from a draft's arrival to its result leaving: one step, plus any wait for an iteration),
 * and when drafting is the slower it sends a control message up instead of a draft: the tier
 * streams the remaining tokens (server_speculation_stream). */
#ifndef HAISIM_SPECULATION_H
#define HAISIM_SPECULATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "ydoc.h"

enum speculation_payload { SPECULATION_PAYLOAD_IDS, SPECULATION_PAYLOAD_DISTRIBUTIONS };

struct speculation_config {
    bool enabled;
    double gamma;          /* draft tokens per round, integer ≥ 1 (adaptive: the first round's) */
    double alpha;          /* acceptance rate per token, [0, 1) */
    double draft_cost;     /* c: draft step time / target step time, ≥ 0 (colocated) */
    bool from_device;      /* drafter: device — the user's device drafts over the link */
    bool adaptive;         /* device drafting: gamma chosen per round */
    bool stop_when_slower; /* adaptive: switch to streaming when drafting is the slower */
    double gamma_max;      /* adaptive: the largest gamma tried */
    enum speculation_payload payload;
    double vocab_size; /* distributions: probabilities per draft token */
    double prob_bytes; /* distributions: bytes per probability */
    /* alpha_by_class, bound to the task classes by speculation_bind_classes: alpha of class i
     * (NULL: alpha for every class). */
    struct ydoc_node *alpha_by_class_node;
    double *class_alpha;
    size_t n_class_alpha;
};

/* Reads the optional `speculation` map of a server tier. */
int speculation_load(struct speculation_config *cfg, struct ydoc_node *tier_map, struct error *err);
void speculation_free(struct speculation_config *cfg);

/* Resolves `alpha_by_class` against the scenario's task class names (an unknown name is an
 * error located at it). */
int speculation_bind_classes(struct speculation_config *cfg, const char *const *names, size_t n,
                             struct error *err);

/* The acceptance rate for a request of task class class_index. */
double speculation_alpha(const struct speculation_config *cfg, uint32_t class_index);

/* Accepted draft tokens of round `round` (from 0) of request `id`: capped geometric, as
 * above. */
uint32_t speculation_accepted(double alpha, uint32_t gamma, uint64_t seed, uint32_t replication,
                              uint64_t id, uint64_t round);

/* Co-located: rounds needed for `tokens` output tokens of request `id`. */
double speculation_rounds(const struct speculation_config *cfg, double alpha, double tokens,
                          uint64_t seed, uint32_t replication, uint64_t id);

/* Leviathan's expected tokens per round at (alpha, gamma), and the configured tier's
 * expected tokens per round and walltime improvement factor. */
double speculation_expected_tokens(double alpha, double gamma);

/* Device drafting's break-even RTT in seconds: T·(E − 1) − gamma·t_draft for a tier step of
 * step_s and a device step of draft_step_s (negative: it never pays). */
double speculation_break_even_s(double alpha, double gamma, double step_s, double draft_step_s);
double speculation_tokens_per_round(const struct speculation_config *cfg);
double speculation_speedup(const struct speculation_config *cfg);

/* For validate --explain: what the tier's speculation does, in numbers. step_s is the tier's
 * decode step at batch 1; each of the n drafting populations has its name, its device's
 * decode step draft_step_s[i] and its link's mean RTT rtt_s[i]. */
void speculation_explain(const struct speculation_config *cfg, double step_s, size_t n,
                         const char *const *names, const double *draft_step_s, const double *rtt_s,
                         const char *indent, FILE *out);

/* Bytes beyond the draft's token ids that a draft of `gamma` tokens carries (payload). */
double speculation_draft_extra_bytes(const struct speculation_config *cfg, double gamma);

/* Adaptive gamma: the estimate of alpha after `accepted` accepted tokens and `rejections`
 * rounds that ended in a rejection, and the gamma in [1, gamma_max] with the most expected
 * tokens per unit of round time. */
double speculation_alpha_estimate(double prior_alpha, double accepted, double rejections);
uint32_t speculation_best_gamma(const struct speculation_config *cfg, double alpha_hat,
                                double draft_step_s, double overhead_s);
/* Expected tokens per second of rounds of gamma drafts: E(alpha_hat, gamma) / (gamma ·
 * draft_step_s + overhead_s). */
double speculation_round_rate(double alpha_hat, double gamma, double draft_step_s,
                              double overhead_s);

#endif
