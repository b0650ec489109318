/* guidance: guidance-based knowledge transfer (GKT; Yao, Li & Zhao, "GKT: A Novel
 * Guidance-Based Knowledge Transfer Framework For Efficient Cloud-edge Collaboration LLM
 * Deployment", ACL Findings 2024, arXiv 2405.19635) at an edge or cloud tier:
 *
 *   cloud:
 *     guidance: {tokens: 40, half_tokens: 67.7}     # enabled: true by default
 *
 * A request that the arbiter sends to such a tier is answered in two parts. The tier's model
 * (the teacher) writes the first k = `tokens` tokens of the answer, the guidance, as an
 * ordinary k-token job of its server (so it is batched with other users' work by the tier's
 * batching mode); the guidance streams down the device's own link to the tier; the device's
 * model (the student) reads prompt and guidance and writes the rest of the answer at batch
 * size 1, booked on the device like any device work (its FIFO queue, energy and heat).
 *
 * Timeline of a request with P prompt tokens and O output tokens (k < O):
 *   the prompt reaches the tier (as for any request sent there)
 *   tier      overhead + prefill(P) → guidance token 1, streamed down: the user's first token
 *             + k − 1 decode steps in the batch → guidance token k, streamed down
 *   device    when token k arrives: prefill(P + k) → token k + 1, then O − k − 1 decode
 *             steps → token O, the last (on the device, tokens are at the user at once)
 * As everywhere in haisim a prefill produces the next token (llm_single_stream), so "the
 * tier decodes k tokens" is a prefill and k − 1 steps, and "the device decodes O − k" is a
 * prefill of P + k and O − k − 1 steps. The device prefills only once the guidance has
 * arrived (it could prefill P while waiting; not modelled).
 *
 * TTFT: the first guidance token at the user. GKT shows the guidance to the user as the
 * beginning of the answer (the student continues it), so it is the first token the user
 * sees; TTFT-server is the tier's. TPOT = (last − first) / (O − 1) spans both models.
 *
 * Cost: the tier's price for P input and k output tokens, plus the device model's price
 * (usually none) for P + k input and O − k output tokens. A GPU-hour priced tier is paid for
 * its provisioned time as always (cost.h).
 *
 * Accuracy. With p_s and p_t the device's and the tier's probabilities of answering this
 * request correctly (accuracy.h), the guided answer is correct with probability
 *     p(k) = p_s + (p_t − p_s) · (1 − 2^(−k / h)),      h = half_tokens
 * a saturating curve: p(0) = p_s, half of the gap is closed at k = h, p → p_t as k grows.
 * It is a calibrated input, not a derivation: h is fitted to a published (k, accuracy)
 * point (docs/policies.md). The request is correct iff u < p(k) with its own uniform u
 * (accuracy_draw_u), so when p_t ≥ p_s a request the device gets right stays right with any
 * guidance, and more guidance never turns a right answer wrong (common random numbers).
 * Without an accuracy model on both the tier and the device the request is not scored.
 *
 * Not guided (served as a plain tier request): a request with k ≥ O (the tier would write
 * the whole answer, which is then the teacher's answer: the teacher's accuracy and price),
 * and a request the device answered and the arbiter escalated (a cascade asks for the
 * larger model's own answer). If a guidance message is lost to a link failure the request
 * fails (failed_network), as a lost answer does. */
#ifndef HAISIM_GUIDANCE_H
#define HAISIM_GUIDANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "request.h"
#include "ydoc.h"

struct guidance_config {
    bool enabled;       /* the tier guides the requests sent to it */
    int64_t tokens;     /* k, guidance tokens per request, ≥ 1 */
    double half_tokens; /* h: guidance tokens that close half of the accuracy gap, > 0 */
};

/* Reads the optional `guidance` map of a tier map (absent: disabled). */
int guidance_load(struct guidance_config *cfg, struct ydoc_node *tier_map, struct error *err);

/* Share of the student–teacher accuracy gap closed by k guidance tokens: 1 − 2^(−k/h). */
double guidance_gap_closed(const struct guidance_config *cfg, double k);

/* P(correct) of a guided answer: p_student + (p_teacher − p_student) · gap_closed(k). */
double guidance_p_correct(const struct guidance_config *cfg, double p_student, double p_teacher,
                          double k);

/* --- the journey of a guided request (journey.c calls these) --- */

struct run;

/* At its serving tier, before server_submit: makes req a guided request (the server then
 * sees a k-token job) when the tier guides and req qualifies (see the top of this file). */
void guidance_prepare(struct run *run, struct request *req);

/* Whether req is guided (its device writes the rest of the answer). */
static inline bool guidance_is_guided(const struct request *req)
{
    return req->guidance_tokens > 0;
}

/* The tier has produced the first guidance token / the last one (server callbacks). */
void guidance_first_token(struct run *run, struct request *req);
void guidance_tier_done(struct run *run, struct request *req);

/* Gives req its answer's output tokens back if the tier still holds its guidance job
 * (a request that ends at the tier, e.g. rejected). Idempotent. */
void guidance_restore(struct request *req);

/* Prices and scores a completed guided request (cost and correctness, above). */
void guidance_score(struct run *run, struct request *req);

#endif
