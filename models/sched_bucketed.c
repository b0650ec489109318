/* sched_bucketed: length-bucketed static batches with variable batch size and failure
 * collection & recomputation — Zheng et al., "Response Length Perception and Sequence
 * Scheduling: An LLM-Empowered LLM Inference Pipeline", NeurIPS 2023 (sched.h).
 *
 * The plan of one group follows the authors' code (github.com/zhengzangw/Sequence-Scheduling,
 * src/utils.py: schedule() with vbs, buckit(), len_bs_dict; src/generate.py:
 * generate_group()):
 *   1. sort the group by predicted length Ô (stable: ties keep arrival order), Ô clipped to
 *      max_output_tokens when given;
 *   2. bucket bound B = ⌈Ô/w⌉·w (buckit with cell w = bucket_tokens);
 *   3. in increasing B, cut each bucket (its own members, then any moved up to it) into
 *      batches of its size s(B) (`batch_sizes`: the first entry with max_tokens ≥ B, else the
 *      model's max_batch — len_bs_dict_fn's default 16 is the micro-batch); a last batch
 *      smaller than max(⌊s/2⌋, max_batch) moves to the next bucket present, except from the
 *      last bucket;
 *   4. a batch generates at most B tokens (FCR; without fcr it runs until its longest member
 *      ends).
 * The authors' sizes fit an A100-80GB; here a batch is also cut where n·(P_max + B) would
 * exceed the KV cache (when it is bounded), P_max the longest prompt in the batch (prompts
 * are padded to it). */
#include <stdlib.h>

#include "sched.h"

/* The authors' len_bs_dict (src/utils.py): bucket bound → batch size. */
static const struct sched_batch_size sched_zheng_sizes[] = {
    {50, 256}, {100, 128}, {150, 64}, {200, 32}, {250, 16}, {300, 16},
};

static int sched_bucketed_load_sizes(struct sched_config *cfg, struct ydoc_node *list,
                                     struct error *err)
{
    size_t n = list ? ydoc_len(list) : sizeof sched_zheng_sizes / sizeof sched_zheng_sizes[0];
    if (list && (ydoc_expect(list, YDOC_SEQ, err) != 0))
        return -1;
    if (list && n == 0)
        return ydoc_error(list, err, "batch_sizes must list at least one [max_tokens, batch]");
    cfg->sizes = calloc(n, sizeof cfg->sizes[0]);
    if (!cfg->sizes)
        return ydoc_error(list, err, "out of memory");
    cfg->n_sizes = n;
    for (size_t i = 0; i < n; i++) {
        if (!list) {
            cfg->sizes[i] = sched_zheng_sizes[i];
            continue;
        }
        struct ydoc_node *pair = ydoc_item(list, i);
        if (ydoc_expect(pair, YDOC_SEQ, err) != 0)
            return -1;
        if (ydoc_len(pair) != 2)
            return ydoc_error(pair, err, "expected [max_tokens, batch], got %zu numbers",
                              ydoc_len(pair));
        if (ydoc_as_i64(ydoc_item(pair, 0), 1, INT32_MAX, &cfg->sizes[i].max_tokens, err) != 0 ||
            ydoc_as_i64(ydoc_item(pair, 1), 1, 1000000, &cfg->sizes[i].batch, err) != 0)
            return -1;
        if (i > 0 && cfg->sizes[i].max_tokens <= cfg->sizes[i - 1].max_tokens)
            return ydoc_error(ydoc_item(pair, 0), err,
                              "batch_sizes must be in increasing max_tokens (%lld after %lld)",
                              (long long)cfg->sizes[i].max_tokens,
                              (long long)cfg->sizes[i - 1].max_tokens);
    }
    return 0;
}

static int sched_bucketed_load(struct sched_config *cfg, struct ydoc_node *map, struct error *err)
{
    if (ydoc_read_i64(map, "bucket_tokens", 1, 1000000, &cfg->bucket_tokens, err) != 0 ||
        ydoc_read_i64(map, "group", 1, 100000000, &cfg->group, err) != 0 ||
        ydoc_read_bool(map, "fcr", &cfg->fcr, err) != 0 ||
        ydoc_read_i64(map, "max_output_tokens", 1, INT32_MAX, &cfg->max_output_tokens, err) != 0)
        return -1;
    return sched_bucketed_load_sizes(cfg, ydoc_get(map, "batch_sizes"), err);
}

/* A member of the group with its sort key. */
struct sched_entry {
    struct request *req;
    uint32_t predicted; /* Ô, clipped */
    uint32_t index;     /* arrival order within the group */
};

static int sched_entry_compare(const void *a, const void *b)
{
    const struct sched_entry *x = a, *y = b;
    if (x->predicted != y->predicted)
        return x->predicted < y->predicted ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int64_t sched_bucketed_size(const struct sched_config *cfg, int64_t bound, int64_t max_batch)
{
    for (size_t i = 0; i < cfg->n_sizes; i++)
        if (bound <= cfg->sizes[i].max_tokens)
            return cfg->sizes[i].batch;
    return max_batch;
}

/* Links entries [from, to) through srv.adm_next and adds them as one batch. */
static int sched_bucketed_emit(struct sched_entry *e, size_t from, size_t to, uint32_t limit,
                               struct sched_plan *plan)
{
    for (size_t i = from; i < to; i++)
        e[i].req->srv.adm_next = i + 1 < to ? e[i + 1].req : NULL;
    return sched_plan_add(plan, e[from].req, (uint32_t)(to - from), limit);
}

static int sched_bucketed_plan(const struct sched_config *cfg, struct request **group, size_t n,
                               int64_t max_batch, int64_t kv_cache_tokens, struct sched_plan *plan)
{
    if (n == 0)
        return 0;
    /* e: sorted entries; work: the current bucket, its own members followed by those moved
     * up from the previous bucket (as the authors' list.extend does); carry: those moving. */
    struct sched_entry *e = malloc(3 * n * sizeof *e);
    if (!e)
        return -1;
    struct sched_entry *work = e + n, *carry = e + 2 * n;
    for (size_t i = 0; i < n; i++) {
        uint32_t p = group[i]->srv.predicted_output;
        if (cfg->max_output_tokens > 0 && p > cfg->max_output_tokens)
            p = (uint32_t)cfg->max_output_tokens;
        e[i] = (struct sched_entry){group[i], p, (uint32_t)i};
    }
    qsort(e, n, sizeof *e, sched_entry_compare);
    int64_t w = cfg->bucket_tokens;
    size_t carried = 0;
    int status = 0;
    for (size_t start = 0; start < n && status == 0;) {
        int64_t bound = ((int64_t)e[start].predicted + w - 1) / w * w;
        size_t end = start;
        while (end < n && ((int64_t)e[end].predicted + w - 1) / w * w == bound)
            end++;
        bool last_bucket = end == n;
        size_t len = 0;
        for (size_t i = start; i < end; i++)
            work[len++] = e[i];
        for (size_t i = 0; i < carried; i++)
            work[len++] = carry[i];
        carried = 0;
        int64_t size = sched_bucketed_size(cfg, bound, max_batch);
        int64_t min_size = size / 2 > max_batch ? size / 2 : max_batch;
        uint32_t limit = cfg->fcr ? (uint32_t)bound : 0;
        for (size_t from = 0; from < len && status == 0;) {
            size_t to = from;
            uint32_t p_max = 0;
            while (to < len && (int64_t)(to - from) < size) {
                uint32_t p = work[to].req->prompt_tokens;
                uint32_t pm = p > p_max ? p : p_max;
                /* Memory bound: n sequences of P_max + B tokens must fit the KV cache. */
                if (kv_cache_tokens >= 0 && to > from &&
                    (int64_t)(to - from + 1) * ((int64_t)pm + bound) > kv_cache_tokens)
                    break;
                p_max = pm;
                to++;
            }
            if (!last_bucket && to == len && (int64_t)(to - from) < min_size) {
                /* A short last batch moves up to the next bucket. */
                for (size_t i = from; i < to; i++)
                    carry[carried++] = work[i];
                break;
            }
            status = sched_bucketed_emit(work, from, to, limit, plan);
            from = to;
        }
        start = end;
    }
    free(e);
    return status;
}

const struct sched_ops sched_bucketed = {
    .name = "bucketed",
    .summary = "length buckets, variable batch size, failure recomputation (Zheng et al. 2023)",
    .modes = SCHED_MODE_STATIC,
    .uses_prediction = true,
    .load = sched_bucketed_load,
    .plan = sched_bucketed_plan,
};
