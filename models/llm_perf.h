/* llm_perf: how long a language model takes on one processor (a phone SoC, a laptop, an edge
 * or cloud GPU), read from a scenario's `model:` map. It answers four questions for the
 * device and server models: how long a prefill of P prompt tokens takes, how long one decode
 * step takes for a batch of b sequences holding C context tokens in all, how many tokens of
 * KV cache fit, and how long the fixed per-request overhead is. It keeps no state over time
 * (queues, batches and thermal throttling belong to the callers; see thermal.h).
 *
 * A model map gives its timing in exactly one of three forms (docs/keys/model.md):
 *
 * (a) rates — single-stream figures as published (ExecuTorch, llama.cpp, vendor pages):
 *         prefill(P)    = P / prefill_tok_s
 *         step(b, C)    = 1 / decode_tok_s            (independent of b and C)
 *
 * (b) coefficients — a fitted step-time model (DESIGN §4):
 *         prefill(P)    = p0 + p1·P + p2·P²
 *         step(b, C)    = d0 + d1·b + d2·C
 *     b = sequences in the batch, C = Σ context tokens (prompt + generated so far) of the
 *     batch. The linear terms are the weight read (d0), per-sequence work (d1) and the KV-cache
 *     read (d2); p2 is attention's quadratic cost in the prompt.
 *
 * (c) roofline — derived from hardware and model size by the roofline bound (Williams,
 *     Waterman & Patterson, "Roofline: an insightful visual performance model for multicore
 *     architectures", CACM 52(4), 2009): a phase takes the larger of its memory time and its
 *     compute time. With N parameters, W = N·bytes_per_param weight bytes, k KV-cache bytes
 *     per token, effective bandwidth B = mem_bw·mbu and effective compute F = peak·mfu:
 *         step(b, C)    = max((W + C·k) / B, 2·N·b / F) + s
 *         prefill(P)    = max(2·N·P / F, W / B) + s
 *     2·N FLOPs per token is the forward-pass cost of a dense transformer (Kaplan et al.,
 *     "Scaling Laws for Neural Language Models", 2020, §2.1: C_forward ≈ 2N + 2·n_layer·
 *     n_ctx·d_attn; the attention term is dropped here, which underestimates prefill of long
 *     prompts — by about 7 % for an 8k-token prompt on Llama-3-8B, whose causal mask gives a
 *     mean context of P/2). A decode step reads every weight once
 *     and the KV cache of the whole batch (memory-bound at small b); a prefill does 2·N·P
 *     FLOPs while reading the weights once (compute-bound once P > P* = bytes_per_param·F /
 *     (2·B)). s = step_overhead_ms. This is reference-numbers §4.2 "Model for a DES profile"
 *     (decode step ≈ max(weights/HBM_BW, FLOPs/peak) + overhead).
 *         k = 2 (K and V) · layers · kv_dim · kv_element_bytes, kv_dim default hidden
 *     (grouped-query attention: kv_dim = kv_heads · head_dim, e.g. 8·128 = 1024 for Llama-3-8B
 *     whose hidden is 4096), unless kv_bytes_per_token is given.
 *         KV capacity   = ⌊(mem_gb·10⁹ − W) / k⌋ tokens   (activations are neglected)
 *
 * Common keys: name, overhead_ms (a distribution, per request), kv_cache_tokens (an explicit
 * capacity that overrides the derived one), max_batch (default 1 for every form: a processor
 * runs one sequence at a time unless the scenario says it batches; the rates form's step is
 * independent of b, so batching it multiplies throughput — only do that on purpose).
 *
 * Units: GB = 10⁹ bytes, GB/s = 10⁹ bytes/s, TFLOP/s = 10¹² FLOP/s, params_b = 10⁹ params. */
#ifndef HAISIM_LLM_PERF_H
#define HAISIM_LLM_PERF_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dist.h"
#include "error.h"
#include "ydoc.h"

enum llm_perf_form { LLM_PERF_RATES, LLM_PERF_COEFFICIENTS, LLM_PERF_ROOFLINE };

/* The rates and coefficients forms, in seconds; the rates form is stored as p1 = 1/r_p and
 * d0 = 1/r_d with the other terms 0, so both forms share one evaluation. */
struct llm_perf_coefficients {
    double prefill_base_s;           /* p0 */
    double prefill_per_token_s;      /* p1 */
    double prefill_per_token2_s;     /* p2 */
    double decode_base_s;            /* d0 */
    double decode_per_seq_s;         /* d1 */
    double decode_per_context_tok_s; /* d2 */
};

/* The roofline form: inputs as read, then the derived quantities used by the equations. */
struct llm_perf_roofline {
    double mem_bw_gbs, peak_tflops, mem_gb, mbu, mfu, step_overhead_s;
    double params_b, bytes_per_param;
    int64_t layers, hidden, kv_dim; /* 0 when kv_bytes_per_token was given directly */
    double kv_element_bytes;        /* 0 when kv_bytes_per_token was given directly */
    double weight_bytes;            /* W = N · bytes_per_param */
    double kv_bytes_per_token;      /* k */
    double bw_eff_bytes_s;          /* B = mem_bw · mbu */
    double flops_eff_s;             /* F = peak · mfu */
    double flops_per_token;         /* 2 · N */
};

struct llm_perf {
    char name[64];
    enum llm_perf_form form;
    double prefill_tok_s, decode_tok_s; /* rates form inputs; 0 otherwise */
    struct llm_perf_coefficients coef;  /* rates and coefficients forms */
    struct llm_perf_roofline roof;      /* roofline form */
    struct dist overhead_ms;            /* per request; negative draws count as 0 */
    int64_t kv_cache_tokens;            /* capacity in tokens; -1 = unlimited */
    bool kv_cache_explicit;             /* kv_cache_tokens came from the map */
    int64_t max_batch;                  /* sequences decoded together, ≥ 1 */
};

/* Reads a model map (keys above; docs/keys/model.md). Exactly one timing form must be
 * present: several or none is an error naming them, located at the later form's key (or at
 * the map when none). Every error carries file:line:column and the key path; in the roofline
 * form, weights that leave no room for one token of KV cache are an error at
 * hardware.mem_gb. On failure *p is left safe to llm_perf_free (and need not be). Strings
 * are copied: p does not refer to the document afterwards. */
int llm_perf_load(struct llm_perf *p, struct ydoc_node *map, struct error *err);

/* Releases the overhead distribution; safe on a zeroed or failed struct, and twice. */
void llm_perf_free(struct llm_perf *p);

/* Time of a prefill of prompt_tokens (≥ 0) in seconds; 0 tokens take 0 s (nothing runs). */
double llm_perf_prefill_s(const struct llm_perf *p, double prompt_tokens);

/* Time of one decode step in seconds: every sequence of the batch gains one token.
 * batch_seqs ≥ 1 (0 gives 0 s); context_tokens = Σ over the batch of prompt + generated
 * tokens before the step. The caller keeps batch_seqs ≤ max_batch. */
double llm_perf_decode_step_s(const struct llm_perf *p, double batch_seqs, double context_tokens);

/* One draw of the per-request overhead in seconds from rng (negative draws give 0). */
double llm_perf_overhead_s(const struct llm_perf *p, gsl_rng *rng);

/* KV-cache capacity in tokens (explicit kv_cache_tokens, else the roofline's derived one);
 * -1 = unlimited (rates and coefficients forms without kv_cache_tokens). */
int64_t llm_perf_kv_capacity_tokens(const struct llm_perf *p);

/* Maximum sequences per decode step (max_batch, default 1). */
int64_t llm_perf_max_batch(const struct llm_perf *p);

/* Writes the derivation in words and numbers (for `haisim validate --explain`): the form and
 * its inputs; for the roofline W, k, B, F, each term of a step at batch 1 and at max_batch
 * (with C = 0 and with the KV cache full) and which bound dominates; the prefill crossover
 * P*; single-stream prefill tok/s at P = 1024 (llama.cpp's benchmark prompt) and decode
 * tok/s at C = 0; the KV capacity. Every line starts with `indent`. */
void llm_perf_explain(const struct llm_perf *p, const char *indent, FILE *out);

/* Name of a form ("rates", "coefficients", "roofline"). */
const char *llm_perf_form_name(enum llm_perf_form form);

#endif
