/* tasks: the task classes of a workload — what each request asks for — read from the
 * workload map (docs/keys/workload.md).
 *
 *   workload:
 *     tasks:
 *       - {name: chat, share: 0.7, prompt_tokens: ..., output_tokens: ..., difficulty: ...,
 *          privacy: {personal: 0.2, confidential: 0.05}, rag_share: 0}
 *       - {name: code, share: 0.3, ...}
 *     max_prompt_tokens: 8192     # clamps applied to every class
 *     max_output_tokens: 2048
 *
 * Each request belongs to class i with probability share_i / Σ share: shares must be > 0 and
 * are normalised by their sum, so 70/30, 0.7/0.3 and 7/3 mean the same mix. Without `tasks`,
 * one class named "default" is made from the workload-level prompt_tokens and output_tokens
 * (required then), with difficulty 0, every request public and none needing RAG.
 *
 * Privacy classes (trust.h): `privacy: {personal: p, confidential: q}` with p + q <= 1; the
 * rest is public. The older `private_share: p` means `privacy: {personal: p}`.
 *
 * A draw (task_draw) takes, in this order, from the generator passed in: one uniform for the
 * class (inverse CDF over the cumulative shares), the prompt length, the output length, the
 * difficulty, then one uniform for privacy and one for RAG — the two uniforms are drawn even
 * when the share is 0 or 1, so that changing the privacy shares or rag_share in a variant
 * does not shift any other request's draws (common random numbers, DESIGN §3). With u the
 * privacy uniform, a request is personal iff u < p, confidential iff p <= u < p + q, public
 * otherwise; it needs RAG iff its uniform < rag_share, so privacy and RAG are independent
 * of each other and of the lengths.
 *
 * Lengths are rounded to the nearest integer, raised to at least 1 and capped at the
 * workload's max_prompt_tokens / max_output_tokens. Difficulty is the item-response
 * difficulty b of the request (a logit; any real number), not clamped.
 *
 * When the arrival process gives the lengths (trace replay, arrival_gives_lengths), load with
 * lengths_from_arrivals: prompt_tokens / output_tokens are then not accepted anywhere (the
 * trace's values are used, through task_draw_set_lengths), and class, difficulty and flags
 * are still drawn.
 *
 * Ownership: a task_set owns its classes, their names and distributions; it does not refer to
 * the YAML document after loading. */
#ifndef HAISIM_TASKS_H
#define HAISIM_TASKS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "trust.h"
#include "ydoc.h"

struct task_class {
    char *name;                /* owned copy */
    double share;              /* normalised: the shares of a set sum to 1 */
    double cumulative_share;   /* Σ share of classes 0..this; 1 for the last class */
    struct dist prompt_tokens; /* tokens; constant 1 when lengths come from arrivals */
    struct dist output_tokens; /* tokens; likewise */
    struct dist difficulty;    /* logit; default constant 0 */
    double privacy_share[PRIVACY_CLASS_COUNT]; /* personal, confidential; public unused */
    double rag_share; /* probability that a request needs retrieval, [0, 1] */
};

struct task_set {
    size_t n_classes; /* >= 1 after a successful load */
    struct task_class *classes;
    int64_t max_prompt_tokens; /* [1, 2^31 − 1], default 1,000,000 */
    int64_t max_output_tokens; /* likewise */
    bool lengths_from_arrivals;
};

/* What one request asks for. */
struct task_draw {
    uint32_t class_index; /* index into set->classes */
    uint32_t prompt_tokens;
    uint32_t output_tokens;
    double difficulty;
    enum privacy_class privacy;
    bool needs_rag;
};

/* Reads `tasks` (or the single-class prompt_tokens / output_tokens) and the clamps from the
 * workload map. lengths_from_arrivals: see above. On failure returns -1 with err filled
 * (file:line:column and key path of the offending value) and set is safe to free. */
int task_set_load(struct task_set *set, struct ydoc_node *workload, bool lengths_from_arrivals,
                  struct error *err);

/* Releases what set owns; safe after a failed load and on a zeroed struct. */
void task_set_free(struct task_set *set);

/* Draws one request's class, lengths, difficulty and flags (draw order above). */
void task_draw(const struct task_set *set, gsl_rng *rng, struct task_draw *out);

/* Replaces the drawn lengths with ones given by the arrival (a trace): each value >= 0 is
 * raised to at least 1 and capped like a drawn length; a negative value (not given) leaves
 * the drawn length. */
void task_draw_set_lengths(const struct task_set *set, int64_t prompt_tokens, int64_t output_tokens,
                           struct task_draw *out);

/* Index of the class called name, or -1. */
int task_find(const struct task_set *set, const char *name);

#endif
