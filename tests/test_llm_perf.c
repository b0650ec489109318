/* Tests of llm_perf: each timing form against hand-computed cases, the roofline against the
 * published figures of reference-numbers §4 (H100 ideal decode step, llama.cpp on Apple
 * laptops), the prefill and batch crossovers, the KV-cache capacity, the explanation, and
 * the loader's errors with their file:line:column and key path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "llm_perf.h"
#include "rng.h"
#include "ydoc.h"

/* --- helpers --- */

/* Loads `text` (a document with a top-level `model:` map) into p; returns llm_perf_load's
 * status. A successful load must leave no key unread. */
static int load_text(const char *text, struct llm_perf *p, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", err);
    assert_non_null(doc);
    int rc = llm_perf_load(p, ydoc_get(ydoc_root(doc), "model"), err);
    if (rc == 0) {
        struct error unused;
        error_clear(&unused);
        if (ydoc_check_unused(doc, &unused) != 0)
            fail_msg("unread key: %d:%d %s: %s", unused.line, unused.col, unused.path, unused.msg);
    }
    ydoc_free(doc); /* p must not refer to the document */
    return rc;
}

static void load_ok(const char *text, struct llm_perf *p)
{
    struct error err;
    if (load_text(text, p, &err) != 0)
        fail_msg("unexpected error %d:%d %s: %s", err.line, err.col, err.path, err.msg);
}

/* Expects an error whose message contains `want`, located at line:col with key path. */
static void load_fails(const char *text, const char *want, int line, int col, const char *path)
{
    struct llm_perf p;
    struct error err;
    if (load_text(text, &p, &err) == 0)
        fail_msg("loaded, expected an error containing '%s'", want);
    print_message("    -> %d:%d %s: %s\n", err.line, err.col, err.path, err.msg);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_string_equal(err.file, "test.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
    llm_perf_free(&p); /* a failed load is safe to free */
}

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, rel);
}

/* Llama-3-8B (8.03e9 parameters, 32 layers, hidden 4096, 8 KV heads × 128 = kv_dim 1024) in
 * FP16 on one H100 SXM: 3.35 TB/s HBM3 (reference-numbers §4.2), 989 TFLOP/s dense BF16
 * (NVIDIA H100 datasheet), 80 GB. */
#define H100_LLAMA3_8B(mbu_mfu)                                                                    \
    "model:\n"                                                                                     \
    "  name: llama-3-8b\n"                                                                         \
    "  roofline:\n"                                                                                \
    "    hardware: {mem_bw_gbs: 3350, peak_tflops: 989, mem_gb: 80" mbu_mfu "}\n"                  \
    "    model: {params_b: 8.03, bytes_per_param: 2, layers: 32, hidden: 4096, kv_dim: 1024}\n"

static const double LLAMA3_8B_PARAMS = 8.03e9;
static const double LLAMA3_8B_KV_BYTES = 2.0 * 32 * 1024 * 2; /* 131,072 bytes per token */

/* --- rates --- */

/* ExecuTorch README, Llama 3.2 3B SpinQuant on a OnePlus 12 CPU: 89.7 tok/s prefill,
 * 19.7 tok/s decode (reference-numbers §4.1). */
static void rates_form_uses_published_single_stream_figures(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok("model: {prefill_tok_s: 89.7, decode_tok_s: 19.7}\n", &p);
    assert_int_equal(p.form, LLM_PERF_RATES);
    assert_string_equal(p.name, "model");
    assert_close(llm_perf_prefill_s(&p, 500), 500 / 89.7, 1e-15);
    assert_close(llm_perf_decode_step_s(&p, 1, 0), 1 / 19.7, 1e-15);
    /* Batch- and context-independent by definition of the form. */
    assert_close(llm_perf_decode_step_s(&p, 8, 40000), 1 / 19.7, 1e-15);
    assert_true(llm_perf_prefill_s(&p, 0) == 0.0);
    assert_true(llm_perf_decode_step_s(&p, 0, 100) == 0.0);
    assert_int_equal(llm_perf_kv_capacity_tokens(&p), -1);
    assert_int_equal(llm_perf_max_batch(&p), 1);
    llm_perf_free(&p);
}

/* --- coefficients --- */

static void coefficients_form_matches_hand_computed_steps(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok("model:\n"
            "  prefill: {base_ms: 12, per_token_ms: 0.5, per_token2_ms: 0.001}\n"
            "  decode_step: {base_ms: 20, per_seq_ms: 0.5, per_context_token_ms: 0.001}\n"
            "  max_batch: 16\n",
            &p);
    assert_int_equal(p.form, LLM_PERF_COEFFICIENTS);
    /* 12 + 0.5·100 + 0.001·100² = 72 ms */
    assert_close(llm_perf_prefill_s(&p, 100), 0.072, 1e-12);
    /* 20 + 0.5·4 + 0.001·2000 = 24 ms */
    assert_close(llm_perf_decode_step_s(&p, 4, 2000), 0.024, 1e-12);
    /* Negative context is treated as none: 20 + 0.5 = 20.5 ms */
    assert_close(llm_perf_decode_step_s(&p, 1, -5), 0.0205, 1e-12);
    assert_int_equal(llm_perf_max_batch(&p), 16);
    assert_int_equal(llm_perf_kv_capacity_tokens(&p), -1);
    llm_perf_free(&p);
}

static void coefficients_form_defaults_optional_terms_to_zero(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok("model:\n"
            "  prefill: {base_ms: 5, per_token_ms: 0.25}\n"
            "  decode_step: {base_ms: 30}\n"
            "  kv_cache_tokens: 4096\n",
            &p);
    assert_close(llm_perf_prefill_s(&p, 1000), 0.255, 1e-12);
    assert_close(llm_perf_decode_step_s(&p, 3, 9000), 0.030, 1e-12);
    assert_int_equal(llm_perf_kv_capacity_tokens(&p), 4096);
    assert_true(p.kv_cache_explicit);
    llm_perf_free(&p);
}

/* --- roofline --- */

/* reference-numbers §4.2: "8B FP16 (16 GB) at batch 1 -> ~5 ms ideal" on an H100 SXM. With
 * mbu = mfu = 1 the step is exactly W/B = 16.06e9 / 3.35e12 = 4.794 ms. */
static void roofline_llama3_8b_on_h100_ideal_step_is_about_5_ms(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok(H100_LLAMA3_8B(", mbu: 1, mfu: 1"), &p);
    assert_int_equal(p.form, LLM_PERF_ROOFLINE);
    assert_string_equal(p.name, "llama-3-8b");
    double weight_bytes = LLAMA3_8B_PARAMS * 2;
    assert_close(p.roof.weight_bytes, 16.06e9, 1e-12);
    assert_close(p.roof.kv_bytes_per_token, 131072, 1e-15);
    double step = llm_perf_decode_step_s(&p, 1, 0);
    assert_close(step, weight_bytes / 3.35e12, 1e-12);
    assert_close(step, 4.794029850746268e-3, 1e-12);
    assert_true(step > 4.5e-3 && step < 5.0e-3); /* "~5 ms ideal" */
    /* KV capacity = ⌊(80e9 − 16.06e9) / 131072⌋ = ⌊487,823.49⌋ */
    assert_int_equal(llm_perf_kv_capacity_tokens(&p), 487823);
    assert_false(p.kv_cache_explicit);
    llm_perf_free(&p);
}

/* The decode step grows by k/B per context token, and turns compute-bound when the batch's
 * 2·N·b FLOPs outlast the weight read: b* = bytes_per_param·F/(2·B) = 2·989/(2·3.35) = 295.2
 * at mbu = mfu = 1 — the H100's ridge point of 295 FLOP/byte. */
static void roofline_step_has_context_term_and_batch_crossover(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok(H100_LLAMA3_8B(", mbu: 1, mfu: 1"), &p);
    double weight_bytes = LLAMA3_8B_PARAMS * 2, bw = 3.35e12, flops = 989e12;
    double with_context = llm_perf_decode_step_s(&p, 4, 10000);
    assert_close(with_context, (weight_bytes + 10000 * LLAMA3_8B_KV_BYTES) / bw, 1e-12);
    /* Memory-bound below b*: the batch rides on the weight read for free. */
    assert_close(llm_perf_decode_step_s(&p, 295, 0), weight_bytes / bw, 1e-12);
    /* Compute-bound above it. */
    assert_close(llm_perf_decode_step_s(&p, 296, 0), 2 * LLAMA3_8B_PARAMS * 296 / flops, 1e-12);
    assert_close(llm_perf_decode_step_s(&p, 1000, 0), 16.06e12 / 989e12, 1e-12);
    llm_perf_free(&p);
}

/* Defaults mbu 0.7, mfu 0.5: B = 2.345 TB/s, F = 494.5 TFLOP/s, so P* = 2·F/(2·B) = 210.9
 * tokens. Below P* a prefill costs the weight read (6.849 ms); above, 2·N·P/F (1024 tokens:
 * 33.26 ms). The step overhead adds to both phases. */
static void roofline_prefill_is_compute_bound_beyond_crossover(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok(H100_LLAMA3_8B(", step_overhead_ms: 1"), &p);
    double weight_read = LLAMA3_8B_PARAMS * 2 / (3.35e12 * 0.7);
    double per_token = 2 * LLAMA3_8B_PARAMS / (989e12 * 0.5);
    assert_close(weight_read, 6.848614072494669e-3, 1e-12);
    assert_close(llm_perf_prefill_s(&p, 200), weight_read + 1e-3, 1e-12);
    assert_close(llm_perf_prefill_s(&p, 210), weight_read + 1e-3, 1e-12);
    assert_close(llm_perf_prefill_s(&p, 211), 211 * per_token + 1e-3, 1e-12);
    assert_close(llm_perf_prefill_s(&p, 1024), 33.25670374115268e-3 + 1e-3, 1e-12);
    assert_close(llm_perf_decode_step_s(&p, 1, 0), weight_read + 1e-3, 1e-12);
    llm_perf_free(&p);
}

/* llama.cpp, Llama-3 8B Q4_K_M (4.9 GB; reference-numbers §4.1), single stream, 1,024
 * generated tokens: M1 Max 34.49 tok/s, M3 Max 50.74 tok/s, both 400 GB/s. The ideal step
 * W/BW = 4.9e9/400e9 = 12.25 ms (81.6 tok/s; "ideal ≈ 80 tok/s" in the reference), so the
 * implied mbu is 34.49 × 12.25 ms = 0.4225 (M1 Max) and 50.74 × 12.25 ms = 0.6216 (M3 Max).
 * With that mbu the model reproduces the measured rate, and the KV read of a ~512-token mean
 * context (F16 cache) costs only 1.4 % more. */
static void roofline_implied_mbu_of_llama_cpp_on_apple_laptops(void **state)
{
    (void)state;
    static const struct {
        const char *machine;
        double tok_s, implied_mbu;
    } runs[] = {{"M1 Max", 34.49, 0.4225025}, {"M3 Max", 50.74, 0.621565}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        struct llm_perf p;
        char text[512];
        snprintf(text, sizeof text,
                 "model:\n"
                 "  roofline:\n"
                 "    hardware: {mem_bw_gbs: 400, peak_tflops: 16, mem_gb: 64, mbu: 1}\n"
                 "    model: {params_b: 8.03, bytes_per_param: %.17g, layers: 32,\n"
                 "            hidden: 4096, kv_dim: 1024}\n",
                 4.9 / 8.03);
        load_ok(text, &p);
        double ideal_step = llm_perf_decode_step_s(&p, 1, 0);
        assert_close(ideal_step, 12.25e-3, 1e-12);
        double implied_mbu = runs[i].tok_s * ideal_step;
        print_message("    %s: ideal %.1f tok/s, measured %.2f tok/s, implied mbu %.4f\n",
                      runs[i].machine, 1 / ideal_step, runs[i].tok_s, implied_mbu);
        assert_close(implied_mbu, runs[i].implied_mbu, 1e-9);
        llm_perf_free(&p);

        snprintf(text, sizeof text,
                 "model:\n"
                 "  roofline:\n"
                 "    hardware: {mem_bw_gbs: 400, peak_tflops: 16, mem_gb: 64, mbu: %.17g}\n"
                 "    model: {params_b: 8.03, bytes_per_param: %.17g, layers: 32,\n"
                 "            hidden: 4096, kv_dim: 1024}\n",
                 implied_mbu, 4.9 / 8.03);
        load_ok(text, &p);
        assert_close(1 / llm_perf_decode_step_s(&p, 1, 0), runs[i].tok_s, 1e-9);
        double with_kv = llm_perf_decode_step_s(&p, 1, 512);
        assert_close(with_kv / llm_perf_decode_step_s(&p, 1, 0), 1 + 512 * 131072 / 4.9e9, 1e-12);
        llm_perf_free(&p);
    }
}

/* Without kv_dim the KV cache is full multi-head: 2·32·4096·2 = 524,288 bytes per token;
 * kv_element_bytes changes the element size (FP8 cache: 1); kv_bytes_per_token is taken as
 * given. */
static void roofline_kv_bytes_per_token_forms(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok("model:\n"
            "  roofline:\n"
            "    hardware: {mem_bw_gbs: 3350, peak_tflops: 989, mem_gb: 80}\n"
            "    model: {params_b: 8.03, bytes_per_param: 2, layers: 32, hidden: 4096}\n",
            &p);
    assert_close(p.roof.kv_bytes_per_token, 524288, 1e-15);
    assert_int_equal(llm_perf_kv_capacity_tokens(&p), (int64_t)floor(63.94e9 / 524288));
    llm_perf_free(&p);

    load_ok("model:\n"
            "  roofline:\n"
            "    hardware: {mem_bw_gbs: 3350, peak_tflops: 989, mem_gb: 80}\n"
            "    model: {params_b: 8.03, bytes_per_param: 1, layers: 32, hidden: 4096,\n"
            "            kv_dim: 1024, kv_element_bytes: 1}\n",
            &p);
    assert_close(p.roof.kv_bytes_per_token, 65536, 1e-15);
    llm_perf_free(&p);

    load_ok("model:\n"
            "  kv_cache_tokens: 1000\n"
            "  roofline:\n"
            "    hardware: {mem_bw_gbs: 100, peak_tflops: 10, mem_gb: 8}\n"
            "    model: {params_b: 1, bytes_per_param: 1, kv_bytes_per_token: 32768}\n",
            &p);
    assert_close(p.roof.kv_bytes_per_token, 32768, 1e-15);
    /* The explicit capacity overrides the derived ⌊7e9 / 32768⌋ = 213,623. */
    assert_int_equal(llm_perf_kv_capacity_tokens(&p), 1000);
    assert_close(llm_perf_decode_step_s(&p, 1, 1000), (1e9 + 1000 * 32768) / (100e9 * 0.7), 1e-12);
    llm_perf_free(&p);
}

/* --- common keys --- */

static void overhead_is_drawn_in_seconds_and_never_negative(void **state)
{
    (void)state;
    gsl_rng *rng = rng_stream_new(1, 0, "device");
    assert_non_null(rng);
    struct llm_perf p;
    load_ok("model: {prefill_tok_s: 100, decode_tok_s: 10, overhead_ms: 30}\n", &p);
    assert_close(llm_perf_overhead_s(&p, rng), 0.030, 1e-15);
    llm_perf_free(&p);
    /* Mean −5 ms, sd 1 ms: every draw is negative and counts as 0. */
    load_ok("model: {prefill_tok_s: 100, decode_tok_s: 10,\n"
            "        overhead_ms: {dist: normal, mean: -5, sd: 1}}\n",
            &p);
    for (int i = 0; i < 1000; i++)
        assert_true(llm_perf_overhead_s(&p, rng) == 0.0);
    llm_perf_free(&p);
    load_ok("model: {prefill_tok_s: 100, decode_tok_s: 10}\n", &p);
    assert_true(llm_perf_overhead_s(&p, rng) == 0.0);
    llm_perf_free(&p);
    gsl_rng_free(rng);
}

/* The explanation states the numbers of the worked example in docs/keys/model.md. */
static void explain_states_terms_bounds_and_capacity(void **state)
{
    (void)state;
    struct llm_perf p;
    load_ok("model:\n"
            "  name: llama-3-8b\n"
            "  max_batch: 64\n"
            "  roofline:\n"
            "    hardware: {mem_bw_gbs: 3350, peak_tflops: 989, mem_gb: 80}\n"
            "    model: {params_b: 8.03, bytes_per_param: 2, layers: 32, hidden: 4096,\n"
            "            kv_dim: 1024}\n",
            &p);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    llm_perf_explain(&p, "  ", out);
    fclose(out);
    fputs(text, stdout);
    static const char *const want[] = {
        "model 'llama-3-8b': roofline form",
        "W = N x bytes_per_param = 8.03 e9 x 2 = 16.06 GB",
        "k = 2 x layers 32 x kv_dim 1024 x 2 bytes = 131072 bytes/token",
        "= 487823 tokens",
        "b = 1, C = 0: memory 6.849 ms, compute 0.03248 ms -> memory-bound; step 6.849 ms = "
        "146 tok/s",
        "b = 64 (max_batch), C = 0: memory 6.849 ms, compute 2.079 ms -> memory-bound",
        "compute-bound beyond P* = 210.9 tokens",
        "P = 1024: compute 33.26 ms, memory 6.849 ms -> compute-bound; 33.26 ms = 3.079e+04 tok/s",
        "KV cache: 487823 tokens (derived from memory)",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("explanation lacks '%s'", want[i]);
    free(text);
    llm_perf_free(&p);

    load_ok("model: {name: phone-3b, prefill_tok_s: 89.7, decode_tok_s: 19.7}\n", &p);
    text = NULL;
    out = open_memstream(&text, &len);
    assert_non_null(out);
    llm_perf_explain(&p, "", out);
    fclose(out);
    fputs(text, stdout);
    assert_non_null(strstr(text, "model 'phone-3b': rates form"));
    assert_non_null(strstr(text, "1 / 19.7 tok/s = 50.76 ms"));
    assert_non_null(strstr(text, "KV cache: unlimited"));
    free(text);
    llm_perf_free(&p);
}

/* --- errors --- */

static void errors_name_conflicting_or_missing_forms(void **state)
{
    (void)state;
    /* Two forms: located at the later one's value. */
    load_fails("model:\n"
               "  prefill_tok_s: 90\n"
               "  decode_tok_s: 20\n"
               "  roofline: {hardware: {}, model: {}}\n",
               "2 forms, rates ('prefill_tok_s') and roofline ('roofline')", 4, 13,
               "model.roofline");
    load_fails("model:\n"
               "  decode_step: {base_ms: 20}\n"
               "  roofline: {}\n"
               "  decode_tok_s: 20\n",
               "3 forms, rates ('decode_tok_s'), coefficients ('decode_step') and roofline", 4, 17,
               "model.decode_tok_s");
    load_fails("model:\n"
               "  name: nothing\n",
               "no timing given", 2, 3, "model");
    /* Half of a form. */
    load_fails("model:\n"
               "  prefill_tok_s: 90\n",
               "missing required key 'decode_tok_s'", 2, 3, "model");
    load_fails("model:\n"
               "  prefill: {base_ms: 1, per_token_ms: 1}\n",
               "missing required key 'decode_step'", 2, 3, "model");
}

static void errors_reject_bad_values_at_their_key(void **state)
{
    (void)state;
    load_fails("model: {prefill_tok_s: 90, decode_tok_s: -3}\n", "expected a number > 0", 1, 42,
               "model.decode_tok_s");
    load_fails("model:\n"
               "  prefill: {base_ms: 1, per_token_ms: -0.5}\n"
               "  decode_step: {base_ms: 20}\n",
               "a number >= 0", 2, 39, "model.prefill.per_token_ms");
    load_fails("model:\n"
               "  prefill: {base_ms: 1, per_token_ms: 0.5}\n"
               "  decode_step: {base_ms: 0}\n",
               "base_ms + per_seq_ms must be > 0", 3, 16, "model.decode_step");
    load_fails(H100_LLAMA3_8B(", mbu: 1.5"), "in (0, 1]", 4, 69, "model.roofline.hardware.mbu");
    load_fails("model: {prefill_tok_s: 90, decode_tok_s: 20, max_batch: 0}\n",
               "expected an integer in [1, 1000000], got '0'", 1, 57, "model.max_batch");
    load_fails("model: {prefill_tok_s: 90, decode_tok_s: 20, kv_cache_tokens: 1.5}\n",
               "expected an integer", 1, 63, "model.kv_cache_tokens");
}

static void errors_roofline_weights_must_fit_and_kv_given_once(void **state)
{
    (void)state;
    /* 8B FP16 = 16.06 GB in an 8 GB phone. */
    load_fails("model:\n"
               "  roofline:\n"
               "    hardware: {mem_bw_gbs: 77, peak_tflops: 10, mem_gb: 8}\n"
               "    model: {params_b: 8.03, bytes_per_param: 2, layers: 32, hidden: 4096}\n",
               "the weights do not fit: W = params_b 8.03 x 1e9 x bytes_per_param 2 = 16.06 GB "
               "> mem_gb 8 GB",
               3, 57, "model.roofline.hardware.mem_gb");
    /* 1B at 1 byte/param in 1.0001 GB leaves 100 kB, less than one token (131,072 bytes). */
    load_fails("model:\n"
               "  roofline:\n"
               "    hardware: {mem_bw_gbs: 77, peak_tflops: 10, mem_gb: 1.0001}\n"
               "    model: {params_b: 1, bytes_per_param: 1, layers: 16, hidden: 2048}\n",
               "leaves 0.0001 GB of mem_gb 1.0001 GB, less than one token of KV cache (131072 "
               "bytes)",
               3, 57, "model.roofline.hardware.mem_gb");
    load_fails("model:\n"
               "  roofline:\n"
               "    hardware: {mem_bw_gbs: 77, peak_tflops: 10, mem_gb: 8}\n"
               "    model: {params_b: 1, bytes_per_param: 1, kv_bytes_per_token: 1000,\n"
               "            layers: 16}\n",
               "'layers' is not used when kv_bytes_per_token is given", 5, 21,
               "model.roofline.model.layers");
    load_fails("model:\n"
               "  roofline:\n"
               "    hardware: {mem_bw_gbs: 77, peak_tflops: 10, mem_gb: 8}\n"
               "    model: {params_b: 1, bytes_per_param: 1, layers: 16}\n",
               "missing required key 'hidden'", 4, 12, "model.roofline.model");
    load_fails("model:\n"
               "  roofline:\n"
               "    hardware: {peak_tflops: 10, mem_gb: 8}\n"
               "    model: {params_b: 1, bytes_per_param: 1, layers: 16, hidden: 2048}\n",
               "missing required key 'mem_bw_gbs'", 3, 15, "model.roofline.hardware");
    load_fails("model:\n"
               "  roofline:\n"
               "    hardware: {mem_bw_gbs: 77, peak_tflops: 10, mem_gb: 8}\n"
               "    model: {params_b: -1, bytes_per_param: 1, layers: 16, hidden: 2048}\n",
               "expected a number in (0, 100000], got '-1'", 4, 23,
               "model.roofline.model.params_b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_form_uses_published_single_stream_figures),
        cmocka_unit_test(coefficients_form_matches_hand_computed_steps),
        cmocka_unit_test(coefficients_form_defaults_optional_terms_to_zero),
        cmocka_unit_test(roofline_llama3_8b_on_h100_ideal_step_is_about_5_ms),
        cmocka_unit_test(roofline_step_has_context_term_and_batch_crossover),
        cmocka_unit_test(roofline_prefill_is_compute_bound_beyond_crossover),
        cmocka_unit_test(roofline_implied_mbu_of_llama_cpp_on_apple_laptops),
        cmocka_unit_test(roofline_kv_bytes_per_token_forms),
        cmocka_unit_test(overhead_is_drawn_in_seconds_and_never_negative),
        cmocka_unit_test(explain_states_terms_bounds_and_capacity),
        cmocka_unit_test(errors_name_conflicting_or_missing_forms),
        cmocka_unit_test(errors_reject_bad_values_at_their_key),
        cmocka_unit_test(errors_roofline_weights_must_fit_and_kv_given_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
