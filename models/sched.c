/* sched: the registry of scheduling policies, their loading, predicted lengths and the
 * waiting queue of a replica (see sched.h). */
#include "sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "dist.h"
#include "suggest.h"

const struct sched_ops *const sched_registry[] = {
    &sched_fcfs, &sched_spf, &sched_psrf, &sched_bucketed, &sched_s3,
};
const size_t sched_registry_len = sizeof sched_registry / sizeof sched_registry[0];

const struct sched_ops *sched_find(const char *name)
{
    for (size_t i = 0; i < sched_registry_len; i++)
        if (strcmp(sched_registry[i]->name, name) == 0)
            return sched_registry[i];
    return NULL;
}

/* --- loading --- */

static int sched_unknown(struct ydoc_node *at, const char *name, struct error *err)
{
    const char *names[sizeof sched_registry / sizeof sched_registry[0]];
    char known[256] = "";
    for (size_t i = 0; i < sched_registry_len; i++) {
        names[i] = sched_registry[i]->name;
        strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, names[i], sizeof known - strlen(known) - 1);
    }
    const char *close = suggest_closest(name, names, sched_registry_len);
    if (close)
        return ydoc_error(at, err, "unknown scheduler '%s' (did you mean '%s'?); known: %s", name,
                          close, known);
    return ydoc_error(at, err, "unknown scheduler '%s'; known: %s", name, known);
}

/* "none", "static and continuous", ... for an error message. */
static void sched_modes_text(unsigned modes, char *buf, size_t len)
{
    static const char *const names[] = {"none", "static", "continuous"};
    size_t n = 0, count = 0, total = 0;
    for (unsigned bit = 0; bit < 3; bit++)
        total += (modes >> bit) & 1u;
    buf[0] = '\0';
    for (unsigned bit = 0; bit < 3 && n < len; bit++) {
        if (!((modes >> bit) & 1u))
            continue;
        const char *sep = count == 0 ? "" : count + 1 == total ? " or " : ", ";
        n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, names[bit]);
        count++;
    }
}

static int sched_mode_bit_index(unsigned mode)
{
    return mode == SCHED_MODE_NONE ? 0 : mode == SCHED_MODE_STATIC ? 1 : 2;
}

int sched_config_load(struct sched_config *cfg, struct ydoc_node *tier, unsigned batching_mode,
                      struct error *err)
{
    *cfg = (struct sched_config){
        .ops = &sched_fcfs,
        .by = SCHED_BY_OUTPUT,
        .preemption = SCHED_PREEMPT_RECOMPUTE,
        .bucket_tokens = 50,
        .group = 256,
        .fcr = true,
        .max_output_tokens = -1,
        .on_overflow = SCHED_OVERFLOW_REALLOCATE,
        .growth = 2.0,
    };
    struct ydoc_node *node = ydoc_get(tier, "scheduler");
    if (!node)
        return 0;
    struct ydoc_node *name_node = node, *map = NULL;
    if (ydoc_kind(node) == YDOC_MAP) {
        map = node;
        if (ydoc_require(map, "policy", &name_node, err) != 0)
            return -1;
    }
    if (ydoc_expect(name_node, YDOC_SCALAR, err) != 0)
        return -1;
    const struct sched_ops *ops = sched_find(ydoc_text(name_node));
    if (!ops)
        return sched_unknown(name_node, ydoc_text(name_node), err);
    if (!(ops->modes & batching_mode)) {
        static const char *const mode_names[] = {"none", "static", "continuous"};
        char modes[64];
        sched_modes_text(ops->modes, modes, sizeof modes);
        return ydoc_error(name_node, err,
                          "scheduler '%s' runs under batching mode %s; this tier's mode is '%s'",
                          ops->name, modes, mode_names[sched_mode_bit_index(batching_mode)]);
    }
    cfg->ops = ops;
    /* `prediction` is read under every policy, so that a sweep can switch policies; only
     * those that predict use it. */
    if (sched_prediction_load(&cfg->prediction, ydoc_get(map, "prediction"), err) != 0)
        return -1;
    if (ops->load && map && ops->load(cfg, map, err) != 0)
        return -1;
    if (cfg->preemption == SCHED_PREEMPT_RESUME && batching_mode != SCHED_MODE_NONE)
        return ydoc_error(ydoc_get(map, "preemption"), err,
                          "preemption 'resume' is modelled for slots (batching none) only; "
                          "continuous batching preempts by recompute");
    return 0;
}

void sched_config_free(struct sched_config *cfg)
{
    sched_prediction_free(&cfg->prediction);
    free(cfg->sizes);
    cfg->sizes = NULL;
    cfg->n_sizes = 0;
}

static int sched_compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *const sched_error_families[] = {"lognormal", "empirical"};

int sched_prediction_load(struct sched_prediction *p, struct ydoc_node *map, struct error *err)
{
    *p = (struct sched_prediction){.error = SCHED_ERROR_NONE};
    if (!map)
        return 0;
    double cost_ms = 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_f64(map, "cost_ms", RANGE_CLOSED(0, 1e9), &cost_ms, err) != 0)
        return -1;
    p->cost_s = cost_ms * 1e-3;
    struct ydoc_node *e = ydoc_get(map, "error");
    if (!e)
        return 0;
    if (ydoc_kind(e) == YDOC_SCALAR) {
        if (strcmp(ydoc_text(e), "none") == 0)
            return 0;
        return ydoc_error(e, err,
                          "expected none, {dist: lognormal, sigma: S} or {dist: empirical, "
                          "file: F, column: C}, got '%s'",
                          ydoc_text(e));
    }
    if (ydoc_expect(e, YDOC_MAP, err) != 0)
        return -1;
    if (!ydoc_get(e, "dist"))
        return ydoc_error(e, err,
                          "missing required key 'dist': write {dist: lognormal, sigma: S} "
                          "(median 1 unless given) or {dist: empirical, file: F, column: C} "
                          "(ratios)");
    int family = 0;
    if (ydoc_read_enum(e, "dist", sched_error_families, 2, &family, err) != 0)
        return -1;
    if (family == 0) {
        struct ydoc_node *sigma;
        p->median = 1.0;
        if (ydoc_require(e, "sigma", &sigma, err) != 0 ||
            ydoc_read_f64(e, "sigma", RANGE_CLOSED(0, 10), &p->sigma, err) != 0 ||
            ydoc_read_f64(e, "median", (struct range){0, 1000, true, false}, &p->median, err) != 0)
            return -1;
        p->error = SCHED_ERROR_LOGNORMAL;
        return 0;
    }
    /* The empirical forms of dist.h (values, or file + column), read by dist_parse. */
    struct dist d;
    if (dist_parse(&d, e, err) != 0)
        return -1;
    for (size_t i = 0; i < d.n_values; i++)
        if (!(d.values[i] > 0) || !isfinite(d.values[i])) {
            double bad = d.values[i];
            dist_free(&d);
            return ydoc_error(e, err,
                              "prediction ratios must be finite and > 0 (predicted / true "
                              "length); value %zu is %g",
                              i + 1, bad);
        }
    p->ratios = malloc(d.n_values * sizeof p->ratios[0]);
    if (!p->ratios) {
        dist_free(&d);
        return ydoc_error(e, err, "out of memory");
    }
    memcpy(p->ratios, d.values, d.n_values * sizeof p->ratios[0]);
    p->n_ratios = d.n_values;
    dist_free(&d);
    /* Sorted, so that u → ε is the quantile function: a monotone coupling. */
    qsort(p->ratios, p->n_ratios, sizeof p->ratios[0], sched_compare_double);
    p->error = SCHED_ERROR_EMPIRICAL;
    return 0;
}

void sched_prediction_free(struct sched_prediction *p)
{
    free(p->ratios);
    p->ratios = NULL;
    p->n_ratios = 0;
}

/* --- predictions --- */

double sched_prediction_ratio(const struct sched_prediction *p, double u)
{
    switch (p->error) {
    case SCHED_ERROR_LOGNORMAL:
        return p->median * (p->sigma > 0 ? exp(p->sigma * gsl_cdf_ugaussian_Pinv(u)) : 1.0);
    case SCHED_ERROR_EMPIRICAL: {
        /* The ⌈u·n⌉-th smallest: each ratio has probability 1/n. */
        double k = ceil(u * (double)p->n_ratios);
        size_t i = k < 1 ? 0 : (size_t)k - 1;
        return p->ratios[i < p->n_ratios ? i : p->n_ratios - 1];
    }
    case SCHED_ERROR_NONE:
        break;
    }
    return 1.0;
}

uint32_t sched_predict(const struct sched_prediction *p, uint32_t output_tokens, double u)
{
    double x = (double)output_tokens * sched_prediction_ratio(p, u);
    const double most = 1073741824.0; /* 2^30 */
    x = floor((x < most ? x : most) + 0.5);
    return x < 1 ? 1u : (uint32_t)x;
}

double sched_predicted_time_s(const struct llm_perf *model, const struct request *req,
                              uint32_t generated)
{
    double predicted = req->srv.predicted_output;
    double done = generated > 0 ? generated : 1; /* the prefill makes the first token */
    double steps = predicted > done ? predicted - done : 0;
    double t = generated == 0 ? llm_perf_prefill_s(model, req->prompt_tokens) : 0;
    if (steps > 0)
        t += steps *
             llm_perf_decode_step_s(model, 1, req->prompt_tokens + (generated + predicted) / 2);
    return t;
}

/* --- the waiting queue --- */

void sched_queue_init(struct sched_queue *q, bool by_priority)
{
    *q = (struct sched_queue){.by_priority = by_priority};
}

void sched_queue_free(struct sched_queue *q)
{
    free(q->heap);
    q->heap = NULL;
    q->len = q->cap = 0;
}

size_t sched_queue_len(const struct sched_queue *q)
{
    return q->by_priority ? q->len : q->fifo.len;
}

static bool sched_queue_less(const struct request *a, const struct request *b)
{
    if (a->srv.priority != b->srv.priority)
        return a->srv.priority < b->srv.priority;
    return a->srv.queue_seq < b->srv.queue_seq;
}

static void sched_queue_set(struct sched_queue *q, uint32_t pos, struct request *req)
{
    q->heap[pos] = req;
    req->srv.queue_pos = pos;
}

static void sched_queue_sift_up(struct sched_queue *q, uint32_t pos)
{
    struct request *req = q->heap[pos];
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!sched_queue_less(req, q->heap[parent]))
            break;
        sched_queue_set(q, pos, q->heap[parent]);
        pos = parent;
    }
    sched_queue_set(q, pos, req);
}

static void sched_queue_sift_down(struct sched_queue *q, uint32_t pos)
{
    struct request *req = q->heap[pos];
    for (;;) {
        uint32_t child = 2 * pos + 1;
        if (child >= q->len)
            break;
        if (child + 1 < q->len && sched_queue_less(q->heap[child + 1], q->heap[child]))
            child++;
        if (!sched_queue_less(q->heap[child], req))
            break;
        sched_queue_set(q, pos, q->heap[child]);
        pos = child;
    }
    sched_queue_set(q, pos, req);
}

static int sched_queue_insert(struct sched_queue *q, struct request *req, bool front)
{
    if (q->len == q->cap) {
        uint32_t cap = q->cap ? 2 * q->cap : 64;
        struct request **heap = realloc(q->heap, cap * sizeof *heap);
        if (!heap)
            return -1;
        q->heap = heap;
        q->cap = cap;
    }
    req->srv.queue_seq = front ? --q->front_seq : q->back_seq++;
    if (front) {
        req->srv.queue_prev = NULL;
        req->srv.queue_next = q->first;
        if (q->first)
            q->first->srv.queue_prev = req;
        else
            q->last = req;
        q->first = req;
    } else {
        req->srv.queue_next = NULL;
        req->srv.queue_prev = q->last;
        if (q->last)
            q->last->srv.queue_next = req;
        else
            q->first = req;
        q->last = req;
    }
    sched_queue_set(q, q->len++, req);
    sched_queue_sift_up(q, q->len - 1);
    return 0;
}

int sched_queue_push(struct sched_queue *q, struct request *req)
{
    if (!q->by_priority) {
        request_fifo_push(&q->fifo, req);
        return 0;
    }
    return sched_queue_insert(q, req, false);
}

int sched_queue_push_front(struct sched_queue *q, struct request *req)
{
    if (!q->by_priority) {
        request_fifo_push_front(&q->fifo, req);
        return 0;
    }
    return sched_queue_insert(q, req, true);
}

struct request *sched_queue_peek(const struct sched_queue *q)
{
    if (!q->by_priority)
        return q->fifo.head;
    return q->len ? q->heap[0] : NULL;
}

struct request *sched_queue_pop(struct sched_queue *q)
{
    if (!q->by_priority)
        return request_fifo_pop(&q->fifo);
    if (q->len == 0)
        return NULL;
    struct request *req = q->heap[0];
    struct request *last = q->heap[--q->len];
    if (q->len > 0) {
        sched_queue_set(q, 0, last);
        sched_queue_sift_down(q, 0);
    }
    if (req->srv.queue_prev)
        req->srv.queue_prev->srv.queue_next = req->srv.queue_next;
    else
        q->first = req->srv.queue_next;
    if (req->srv.queue_next)
        req->srv.queue_next->srv.queue_prev = req->srv.queue_prev;
    else
        q->last = req->srv.queue_prev;
    req->srv.queue_prev = req->srv.queue_next = NULL;
    req->next = NULL;
    return req;
}

struct request *sched_queue_oldest(const struct sched_queue *q)
{
    return q->by_priority ? q->first : q->fifo.head;
}

/* --- plans --- */

int sched_plan_add(struct sched_plan *plan, struct request *head, uint32_t n, uint32_t limit_tokens)
{
    if (plan->n == plan->cap) {
        size_t cap = plan->cap ? 2 * plan->cap : 16;
        struct sched_batch *batches = realloc(plan->batches, cap * sizeof *batches);
        if (!batches)
            return -1;
        plan->batches = batches;
        plan->cap = cap;
    }
    plan->batches[plan->n++] = (struct sched_batch){head, n, limit_tokens};
    return 0;
}

void sched_plan_free(struct sched_plan *plan)
{
    free(plan->batches);
    *plan = (struct sched_plan){0};
}
