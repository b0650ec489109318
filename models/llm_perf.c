/* llm_perf: prefill and decode-step times of a model on a processor (see llm_perf.h). */
#include "llm_perf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "load_util.h"

/* Defaults of the roofline form. They are assumptions, not published constants: mbu 0.7 sits
 * in the 0.6–0.85 band usually quoted for tuned GPU serving stacks (llama.cpp measurements in
 * reference-numbers §4.1 imply 0.35–0.62, so set it per runtime); mfu 0.5 is a typical
 * prefill utilisation of dense matrix multiplies. The KV cache defaults to 16-bit elements,
 * which is what serving engines keep unless told otherwise, even for 4-bit weights
 * (llama.cpp's --cache-type-k/v default f16). */
#define PERF_DEFAULT_MBU 0.7
#define PERF_DEFAULT_MFU 0.5
#define PERF_DEFAULT_KV_ELEMENT_BYTES 2.0

/* Representative prompt for the single-stream prefill rate in explanations: llama.cpp's
 * benchmark table (reference-numbers §4.1) reports a 1,024-token prompt evaluation. */
#define PERF_EXPLAIN_PROMPT_TOKENS 1024.0

#define PERF_MAX_KV_TOKENS INT64_C(1000000000000000) /* 10^15: beyond any real memory */

static const struct range RANGE_FRACTION = {0.0, 1.0, true, false};   /* (0, 1] */
static const struct range RANGE_BYTES_PER = {0.0, 16.0, true, false}; /* (0, 16] */
static const struct range RANGE_PARAMS_B = {0.0, 1e5, true, false};   /* (0, 100000] */

const char *llm_perf_form_name(enum llm_perf_form form)
{
    switch (form) {
    case LLM_PERF_RATES:
        return "rates";
    case LLM_PERF_COEFFICIENTS:
        return "coefficients";
    case LLM_PERF_ROOFLINE:
        return "roofline";
    }
    return "?";
}

/* --- loading --- */

/* True when node a appears after node b in the document (both non-NULL). */
static bool perf_node_after(const struct ydoc_node *a, const struct ydoc_node *b)
{
    if (ydoc_line(a) != ydoc_line(b))
        return ydoc_line(a) > ydoc_line(b);
    return ydoc_col(a) > ydoc_col(b);
}

/* A timing form found in a model map, with the key that announced it. */
struct perf_form_seen {
    enum llm_perf_form form;
    const char *key;
    struct ydoc_node *node;
};

/* Finds which timing form the map uses; several or none is an error. */
static int perf_detect_form(struct ydoc_node *map, enum llm_perf_form *form, struct error *err)
{
    struct perf_form_seen seen[3];
    struct ydoc_node *rate_p = ydoc_get(map, "prefill_tok_s");
    struct ydoc_node *rate_d = ydoc_get(map, "decode_tok_s");
    struct ydoc_node *coef_p = ydoc_get(map, "prefill");
    struct ydoc_node *coef_d = ydoc_get(map, "decode_step");
    struct ydoc_node *roof = ydoc_get(map, "roofline");
    size_t n = 0;
    if (rate_p || rate_d)
        seen[n++] = (struct perf_form_seen){
            LLM_PERF_RATES, rate_p ? "prefill_tok_s" : "decode_tok_s", rate_p ? rate_p : rate_d};
    if (coef_p || coef_d)
        seen[n++] = (struct perf_form_seen){
            LLM_PERF_COEFFICIENTS, coef_p ? "prefill" : "decode_step", coef_p ? coef_p : coef_d};
    if (roof)
        seen[n++] = (struct perf_form_seen){LLM_PERF_ROOFLINE, "roofline", roof};
    if (n == 1) {
        *form = seen[0].form;
        return 0;
    }
    if (n == 0)
        return ydoc_error(map, err,
                          "no timing given: add prefill_tok_s and decode_tok_s (rates), prefill "
                          "and decode_step (coefficients), or roofline");
    char list[256] = "";
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s ('%s')",
                 i == 0 ? "" : (i + 1 == n ? " and " : ", "), llm_perf_form_name(seen[i].form),
                 seen[i].key);
        if (perf_node_after(seen[i].node, seen[last].node))
            last = i;
    }
    return ydoc_error(seen[last].node, err,
                      "timing is given in %zu forms, %s; give exactly one: rates "
                      "(prefill_tok_s, decode_tok_s), coefficients (prefill, decode_step) or "
                      "roofline",
                      n, list);
}

static int perf_load_rates(struct llm_perf *p, struct ydoc_node *map, struct error *err)
{
    if (load_required_f64(map, "prefill_tok_s", RANGE_POSITIVE, &p->prefill_tok_s, err) != 0 ||
        load_required_f64(map, "decode_tok_s", RANGE_POSITIVE, &p->decode_tok_s, err) != 0)
        return -1;
    p->coef.prefill_per_token_s = 1.0 / p->prefill_tok_s;
    p->coef.decode_base_s = 1.0 / p->decode_tok_s;
    return 0;
}

/* A required sub-map. */
static int perf_required_map(struct ydoc_node *map, const char *key, struct ydoc_node **out,
                             struct error *err)
{
    if (ydoc_require(map, key, out, err) != 0)
        return -1;
    return ydoc_expect(*out, YDOC_MAP, err);
}

static int perf_load_coefficients(struct llm_perf *p, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *pre, *dec;
    double p0, p1, p2 = 0, d0, d1 = 0, d2 = 0;
    if (perf_required_map(map, "prefill", &pre, err) != 0 ||
        load_required_f64(pre, "base_ms", RANGE_NONNEGATIVE, &p0, err) != 0 ||
        load_required_f64(pre, "per_token_ms", RANGE_NONNEGATIVE, &p1, err) != 0 ||
        ydoc_read_f64(pre, "per_token2_ms", RANGE_NONNEGATIVE, &p2, err) != 0 ||
        perf_required_map(map, "decode_step", &dec, err) != 0 ||
        load_required_f64(dec, "base_ms", RANGE_NONNEGATIVE, &d0, err) != 0 ||
        ydoc_read_f64(dec, "per_seq_ms", RANGE_NONNEGATIVE, &d1, err) != 0 ||
        ydoc_read_f64(dec, "per_context_token_ms", RANGE_NONNEGATIVE, &d2, err) != 0)
        return -1;
    /* A step that costs nothing would let a batch decode any number of tokens in zero time. */
    if (!(d0 + d1 > 0))
        return ydoc_error(dec, err,
                          "a decode step of one sequence would take 0 ms: base_ms + per_seq_ms "
                          "must be > 0");
    p->coef = (struct llm_perf_coefficients){p0 * 1e-3, p1 * 1e-3, p2 * 1e-3,
                                             d0 * 1e-3, d1 * 1e-3, d2 * 1e-3};
    return 0;
}

/* A required integer: missing key and bad value are both errors. */
static int perf_required_i64(struct ydoc_node *map, const char *key, int64_t lo, int64_t hi,
                             int64_t *out, struct error *err)
{
    struct ydoc_node *node;
    if (ydoc_require(map, key, &node, err) != 0)
        return -1;
    return ydoc_read_i64(map, key, lo, hi, out, err);
}

/* The KV-cache bytes per token: given directly, or derived from the model's shape. */
static int perf_load_kv_bytes(struct llm_perf_roofline *r, struct ydoc_node *model,
                              struct error *err)
{
    static const char *const shape_keys[] = {"layers", "hidden", "kv_dim", "kv_element_bytes"};
    struct ydoc_node *direct = ydoc_get(model, "kv_bytes_per_token");
    if (direct) {
        /* Two sources for one number could disagree silently; refuse the mix. */
        for (size_t i = 0; i < sizeof shape_keys / sizeof shape_keys[0]; i++) {
            struct ydoc_node *n = ydoc_get(model, shape_keys[i]);
            if (n)
                return ydoc_error(n, err,
                                  "'%s' is not used when kv_bytes_per_token is given; give "
                                  "either kv_bytes_per_token or the model's shape (layers, "
                                  "hidden, kv_dim, kv_element_bytes)",
                                  shape_keys[i]);
        }
        return ydoc_read_f64(model, "kv_bytes_per_token", RANGE_POSITIVE, &r->kv_bytes_per_token,
                             err);
    }
    r->kv_element_bytes = PERF_DEFAULT_KV_ELEMENT_BYTES;
    if (perf_required_i64(model, "layers", 1, 100000, &r->layers, err) != 0 ||
        perf_required_i64(model, "hidden", 1, 100000000, &r->hidden, err) != 0)
        return -1;
    r->kv_dim = r->hidden;
    if (ydoc_read_i64(model, "kv_dim", 1, 100000000, &r->kv_dim, err) != 0 ||
        ydoc_read_f64(model, "kv_element_bytes", RANGE_BYTES_PER, &r->kv_element_bytes, err) != 0)
        return -1;
    /* K and V, one vector of kv_dim elements each, per layer, per token. */
    r->kv_bytes_per_token = 2.0 * (double)r->layers * (double)r->kv_dim * r->kv_element_bytes;
    return 0;
}

static int perf_load_roofline(struct llm_perf *p, struct ydoc_node *map, struct error *err)
{
    struct llm_perf_roofline *r = &p->roof;
    struct ydoc_node *roof, *hw, *model;
    double step_overhead_ms = 0;
    r->mbu = PERF_DEFAULT_MBU;
    r->mfu = PERF_DEFAULT_MFU;
    if (perf_required_map(map, "roofline", &roof, err) != 0 ||
        perf_required_map(roof, "hardware", &hw, err) != 0 ||
        load_required_f64(hw, "mem_bw_gbs", RANGE_POSITIVE, &r->mem_bw_gbs, err) != 0 ||
        load_required_f64(hw, "peak_tflops", RANGE_POSITIVE, &r->peak_tflops, err) != 0 ||
        load_required_f64(hw, "mem_gb", RANGE_POSITIVE, &r->mem_gb, err) != 0 ||
        ydoc_read_f64(hw, "mbu", RANGE_FRACTION, &r->mbu, err) != 0 ||
        ydoc_read_f64(hw, "mfu", RANGE_FRACTION, &r->mfu, err) != 0 ||
        ydoc_read_f64(hw, "step_overhead_ms", RANGE_NONNEGATIVE, &step_overhead_ms, err) != 0 ||
        perf_required_map(roof, "model", &model, err) != 0 ||
        load_required_f64(model, "params_b", RANGE_PARAMS_B, &r->params_b, err) != 0 ||
        load_required_f64(model, "bytes_per_param", RANGE_BYTES_PER, &r->bytes_per_param, err) !=
            0 ||
        perf_load_kv_bytes(r, model, err) != 0)
        return -1;
    double params = r->params_b * 1e9;
    r->step_overhead_s = step_overhead_ms * 1e-3;
    r->weight_bytes = params * r->bytes_per_param;
    r->bw_eff_bytes_s = r->mem_bw_gbs * 1e9 * r->mbu;
    r->flops_eff_s = r->peak_tflops * 1e12 * r->mfu;
    r->flops_per_token = 2.0 * params;

    double free_bytes = r->mem_gb * 1e9 - r->weight_bytes;
    if (!(free_bytes >= r->kv_bytes_per_token)) {
        struct ydoc_node *mem = ydoc_get(hw, "mem_gb");
        char what[160];
        snprintf(what, sizeof what, "W = params_b %g x 1e9 x bytes_per_param %g = %.4g GB",
                 r->params_b, r->bytes_per_param, r->weight_bytes * 1e-9);
        if (free_bytes < 0)
            return ydoc_error(mem, err, "the weights do not fit: %s > mem_gb %g GB", what,
                              r->mem_gb);
        return ydoc_error(mem, err,
                          "the weights leave no room for the KV cache: %s leaves %.4g GB of "
                          "mem_gb %g GB, less than one token of KV cache (%g bytes)",
                          what, free_bytes * 1e-9, r->mem_gb, r->kv_bytes_per_token);
    }
    double tokens = floor(free_bytes / r->kv_bytes_per_token);
    p->kv_cache_tokens = tokens < (double)PERF_MAX_KV_TOKENS ? (int64_t)tokens : PERF_MAX_KV_TOKENS;
    return 0;
}

static int perf_load_name(struct llm_perf *p, struct ydoc_node *map, struct error *err)
{
    const char *name = NULL;
    if (ydoc_read_str(map, "name", &name, err) != 0)
        return -1;
    if (!name)
        return 0;
    if (strlen(name) >= sizeof p->name)
        return ydoc_error(ydoc_get(map, "name"), err, "name is longer than %zu characters",
                          sizeof p->name - 1);
    snprintf(p->name, sizeof p->name, "%s", name);
    return 0;
}

static int perf_load(struct llm_perf *p, struct ydoc_node *map, struct error *err)
{
    if (!map)
        return error_set(err, NULL, 0, 0, NULL, "missing model map");
    if (ydoc_expect(map, YDOC_MAP, err) != 0 || perf_load_name(p, map, err) != 0 ||
        perf_detect_form(map, &p->form, err) != 0)
        return -1;
    int rc = 0;
    switch (p->form) {
    case LLM_PERF_RATES:
        rc = perf_load_rates(p, map, err);
        break;
    case LLM_PERF_COEFFICIENTS:
        rc = perf_load_coefficients(p, map, err);
        break;
    case LLM_PERF_ROOFLINE:
        rc = perf_load_roofline(p, map, err);
        break;
    }
    if (rc != 0)
        return -1;
    struct ydoc_node *overhead = ydoc_get(map, "overhead_ms");
    if (overhead && dist_parse(&p->overhead_ms, overhead, err) != 0)
        return -1;
    int64_t kv_tokens = 0;
    if (ydoc_read_i64(map, "kv_cache_tokens", 1, PERF_MAX_KV_TOKENS, &kv_tokens, err) != 0 ||
        ydoc_read_i64(map, "max_batch", 1, 1000000, &p->max_batch, err) != 0)
        return -1;
    if (kv_tokens > 0) {
        p->kv_cache_tokens = kv_tokens;
        p->kv_cache_explicit = true;
    }
    return 0;
}

int llm_perf_load(struct llm_perf *p, struct ydoc_node *map, struct error *err)
{
    memset(p, 0, sizeof *p);
    dist_constant(&p->overhead_ms, 0.0);
    snprintf(p->name, sizeof p->name, "model");
    p->kv_cache_tokens = -1;
    p->max_batch = 1;
    if (perf_load(p, map, err) != 0) {
        llm_perf_free(p);
        return -1;
    }
    return 0;
}

void llm_perf_free(struct llm_perf *p)
{
    dist_free(&p->overhead_ms);
}

/* --- evaluation --- */

/* The two roofline terms of a decode step (seconds, without the step overhead). */
static void perf_step_terms(const struct llm_perf_roofline *r, double batch_seqs,
                            double context_tokens, double *memory_s, double *compute_s)
{
    *memory_s = (r->weight_bytes + context_tokens * r->kv_bytes_per_token) / r->bw_eff_bytes_s;
    *compute_s = r->flops_per_token * batch_seqs / r->flops_eff_s;
}

/* The two roofline terms of a prefill (seconds, without the step overhead). */
static void perf_prefill_terms(const struct llm_perf_roofline *r, double prompt_tokens,
                               double *memory_s, double *compute_s)
{
    *memory_s = r->weight_bytes / r->bw_eff_bytes_s;
    *compute_s = r->flops_per_token * prompt_tokens / r->flops_eff_s;
}

double llm_perf_prefill_s(const struct llm_perf *p, double prompt_tokens)
{
    if (!(prompt_tokens > 0))
        return 0;
    if (p->form == LLM_PERF_ROOFLINE) {
        double memory_s, compute_s;
        perf_prefill_terms(&p->roof, prompt_tokens, &memory_s, &compute_s);
        return fmax(memory_s, compute_s) + p->roof.step_overhead_s;
    }
    const struct llm_perf_coefficients *c = &p->coef;
    return c->prefill_base_s +
           prompt_tokens * (c->prefill_per_token_s + prompt_tokens * c->prefill_per_token2_s);
}

double llm_perf_decode_step_s(const struct llm_perf *p, double batch_seqs, double context_tokens)
{
    if (!(batch_seqs > 0))
        return 0;
    if (!(context_tokens > 0))
        context_tokens = 0;
    if (p->form == LLM_PERF_ROOFLINE) {
        double memory_s, compute_s;
        perf_step_terms(&p->roof, batch_seqs, context_tokens, &memory_s, &compute_s);
        return fmax(memory_s, compute_s) + p->roof.step_overhead_s;
    }
    const struct llm_perf_coefficients *c = &p->coef;
    return c->decode_base_s + c->decode_per_seq_s * batch_seqs +
           c->decode_per_context_tok_s * context_tokens;
}

double llm_perf_overhead_s(const struct llm_perf *p, gsl_rng *rng)
{
    double ms = dist_sample(&p->overhead_ms, rng);
    return ms > 0 ? ms * 1e-3 : 0.0;
}

int64_t llm_perf_kv_capacity_tokens(const struct llm_perf *p)
{
    return p->kv_cache_tokens;
}

int64_t llm_perf_max_batch(const struct llm_perf *p)
{
    return p->max_batch;
}

/* --- explanation --- */

/* A duration for people: milliseconds below a second, seconds above. */
struct perf_duration {
    char text[32];
};

static struct perf_duration perf_duration(double seconds)
{
    struct perf_duration d;
    if (seconds >= 1.0)
        snprintf(d.text, sizeof d.text, "%.4g s", seconds);
    else
        snprintf(d.text, sizeof d.text, "%.4g ms", seconds * 1e3);
    return d;
}

static const char *perf_bound_name(double memory_s, double compute_s)
{
    return memory_s >= compute_s ? "memory-bound" : "compute-bound";
}

/* One line for a roofline decode step at (b, C). */
static void perf_explain_step(const struct llm_perf *p, const char *indent, FILE *out,
                              double batch_seqs, double context_tokens, const char *note)
{
    double memory_s, compute_s;
    perf_step_terms(&p->roof, batch_seqs, context_tokens, &memory_s, &compute_s);
    double step_s = llm_perf_decode_step_s(p, batch_seqs, context_tokens);
    fprintf(out, "%s  b = %.0f%s, C = %.0f: memory %s, compute %s -> %s; step %s = %.4g tok/s\n",
            indent, batch_seqs, note, context_tokens, perf_duration(memory_s).text,
            perf_duration(compute_s).text, perf_bound_name(memory_s, compute_s),
            perf_duration(step_s).text, batch_seqs / step_s);
}

static void perf_explain_roofline(const struct llm_perf *p, const char *indent, FILE *out)
{
    const struct llm_perf_roofline *r = &p->roof;
    fprintf(out,
            "%shardware: bandwidth %g GB/s x mbu %g = B %.4g GB/s; peak %g TFLOP/s x mfu %g = "
            "F %.4g TFLOP/s; memory %g GB; step overhead s = %s\n",
            indent, r->mem_bw_gbs, r->mbu, r->bw_eff_bytes_s * 1e-9, r->peak_tflops, r->mfu,
            r->flops_eff_s * 1e-12, r->mem_gb, perf_duration(r->step_overhead_s).text);
    fprintf(out, "%sweights: W = N x bytes_per_param = %g e9 x %g = %.4g GB\n", indent, r->params_b,
            r->bytes_per_param, r->weight_bytes * 1e-9);
    if (r->layers > 0)
        fprintf(out,
                "%sKV cache: k = 2 x layers %lld x kv_dim %lld x %g bytes = %.6g bytes/token\n",
                indent, (long long)r->layers, (long long)r->kv_dim, r->kv_element_bytes,
                r->kv_bytes_per_token);
    else
        fprintf(out, "%sKV cache: k = %.6g bytes/token (given)\n", indent, r->kv_bytes_per_token);
    double derived = floor((r->mem_gb * 1e9 - r->weight_bytes) / r->kv_bytes_per_token);
    fprintf(out, "%sKV capacity from memory: (%g GB - W) / k = %.0f tokens\n", indent, r->mem_gb,
            derived);

    /* Both crossovers come from equating the two terms: compute grows with b (decode, at
     * C = 0) or with P (prefill) while the weight read is fixed, so b* = P* = W·F/(2·N·B). */
    double crossover = r->weight_bytes / r->bw_eff_bytes_s * r->flops_eff_s / r->flops_per_token;
    fprintf(out,
            "%sdecode step(b, C) = max((W + C*k)/B, 2*N*b/F) + s, 2*N = %.4g FLOP/token; at C = 0 "
            "compute-bound beyond b* = %.4g sequences\n",
            indent, r->flops_per_token, crossover);
    perf_explain_step(p, indent, out, 1, 0, "");
    if (p->max_batch > 1)
        perf_explain_step(p, indent, out, (double)p->max_batch, 0, " (max_batch)");
    if (p->kv_cache_tokens > 0)
        perf_explain_step(p, indent, out, (double)p->max_batch, (double)p->kv_cache_tokens,
                          p->max_batch > 1 ? " (max_batch), KV cache full" : ", KV cache full");

    double memory_s, compute_s;
    perf_prefill_terms(r, PERF_EXPLAIN_PROMPT_TOKENS, &memory_s, &compute_s);
    double prefill_s = llm_perf_prefill_s(p, PERF_EXPLAIN_PROMPT_TOKENS);
    fprintf(out, "%sprefill(P) = max(2*N*P/F, W/B) + s; compute-bound beyond P* = %.4g tokens\n",
            indent, crossover);
    fprintf(out, "%s  P = %.0f: compute %s, memory %s -> %s; %s = %.4g tok/s\n", indent,
            PERF_EXPLAIN_PROMPT_TOKENS, perf_duration(compute_s).text, perf_duration(memory_s).text,
            perf_bound_name(memory_s, compute_s), perf_duration(prefill_s).text,
            PERF_EXPLAIN_PROMPT_TOKENS / prefill_s);
}

/* The rates and coefficients forms. */
static void perf_explain_linear(const struct llm_perf *p, const char *indent, FILE *out)
{
    const struct llm_perf_coefficients *c = &p->coef;
    double prefill_s = llm_perf_prefill_s(p, PERF_EXPLAIN_PROMPT_TOKENS);
    double step1_s = llm_perf_decode_step_s(p, 1, 0);
    if (p->form == LLM_PERF_RATES) {
        fprintf(out, "%sprefill(P) = P / %g tok/s; P = %.0f: %s\n", indent, p->prefill_tok_s,
                PERF_EXPLAIN_PROMPT_TOKENS, perf_duration(prefill_s).text);
        fprintf(out,
                "%sdecode step = 1 / %g tok/s = %s whatever the batch and context; "
                "single-stream %.4g tok/s\n",
                indent, p->decode_tok_s, perf_duration(step1_s).text, 1 / step1_s);
    } else {
        fprintf(out,
                "%sprefill(P) = p0 + p1*P + p2*P^2 = %g ms + %g ms*P + %g ms*P^2; P = %.0f: %s "
                "= %.4g tok/s\n",
                indent, c->prefill_base_s * 1e3, c->prefill_per_token_s * 1e3,
                c->prefill_per_token2_s * 1e3, PERF_EXPLAIN_PROMPT_TOKENS,
                perf_duration(prefill_s).text, PERF_EXPLAIN_PROMPT_TOKENS / prefill_s);
        fprintf(out, "%sdecode step(b, C) = d0 + d1*b + d2*C = %g ms + %g ms*b + %g ms*C\n", indent,
                c->decode_base_s * 1e3, c->decode_per_seq_s * 1e3,
                c->decode_per_context_tok_s * 1e3);
        fprintf(out, "%s  b = 1, C = 0: %s = %.4g tok/s\n", indent, perf_duration(step1_s).text,
                1 / step1_s);
    }
    if (p->max_batch > 1) {
        double b = (double)p->max_batch;
        double step_s = llm_perf_decode_step_s(p, b, 0);
        fprintf(out, "%s  b = %.0f (max_batch), C = 0: %s = %.4g tok/s\n", indent, b,
                perf_duration(step_s).text, b / step_s);
    }
}

void llm_perf_explain(const struct llm_perf *p, const char *indent, FILE *out)
{
    static const char *const form_notes[] = {
        [LLM_PERF_RATES] = "published single-stream rates",
        [LLM_PERF_COEFFICIENTS] = "step-time coefficients",
        [LLM_PERF_ROOFLINE] = "roofline bound, Williams, Waterman & Patterson 2009",
    };
    fprintf(out, "%smodel '%s': %s form (%s)\n", indent, p->name, llm_perf_form_name(p->form),
            form_notes[p->form]);
    if (p->form == LLM_PERF_ROOFLINE)
        perf_explain_roofline(p, indent, out);
    else
        perf_explain_linear(p, indent, out);
    fprintf(out, "%sper-request overhead: %s distribution, mean %.4g ms\n", indent,
            dist_name(&p->overhead_ms), dist_mean(&p->overhead_ms));
    fprintf(out, "%smax_batch: %lld sequence%s per decode step\n", indent, (long long)p->max_batch,
            p->max_batch == 1 ? "" : "s");
    if (p->kv_cache_tokens < 0)
        fprintf(out, "%sKV cache: unlimited\n", indent);
    else
        fprintf(out, "%sKV cache: %lld tokens (%s)\n", indent, (long long)p->kv_cache_tokens,
                p->kv_cache_explicit ? "kv_cache_tokens" : "derived from memory");
}
