/* sched: length-aware scheduling at a server tier (edge or cloud) — which waiting request a
 * replica serves next, whether a shorter one may preempt a running one, how static batches
 * are formed, and how much KV cache a sequence reserves — read from the tier's `scheduler:`
 * map (docs/keys/scheduling.md). The server (server.c) owns the mechanisms (queues, slots,
 * batches, preemption, KV accounting); a policy is a `struct sched_ops` row that parametrises
 * them, registered by name in sched.c (adding one is one file and one row).
 *
 * Policies:
 *   fcfs      first come, first served (the server's behaviour without a scheduler).
 *   spf       shortest predicted first, non-preemptive: the waiting request with the smallest
 *             key runs next, key = L̂ + a·t_enter, L̂ the predicted length (`by: output`: Ô
 *             tokens; `by: time`: its predicted service time alone on the server, s), a =
 *             `aging_per_s`, t_enter the time it reached the tier. All waiting requests age at
 *             the same rate, so ordering by this static key is ordering by the aged priority
 *             L̂ − a·(t − t_enter): a request that has waited (L̂₁ − L̂₂)/a longer than a
 *             shorter one overtakes it, so nothing starves when a > 0.
 *   psrf      preemptive shortest predicted remaining first: key = predicted remaining length
 *             (Ô − g tokens, g = output tokens already produced, floored at 0; or its time).
 *             Slots (batching none): when every slot is busy and the best waiting key is
 *             smaller than the largest remaining key of a running request, that request is
 *             preempted at once and the waiting one takes its slot (preemption: recompute —
 *             its KV is dropped and it re-prefills prompt + generated tokens when it runs again,
 *             vLLM's recompute; or resume — it keeps its progress and continues where it
 *             stopped, the textbook preemptive-resume discipline). Continuous batching: at each
 *             iteration boundary, while the best waiting request cannot be admitted (the batch
 *             holds max_batch sequences or its KV does not fit) and its key is smaller than the
 *             largest remaining key of a running sequence, that sequence is preempted by
 *             recompute and requeued.
 *   bucketed  Zheng et al., "Response Length Perception and Sequence Scheduling: An
 *             LLM-Empowered LLM Inference Pipeline", NeurIPS 2023 (github.com/zhengzangw/
 *             Sequence-Scheduling, src/utils.py schedule(), src/generate.py generate_group()),
 *             under static batching: a group of up to `group` waiting requests (in order of
 *             arrival) is sorted by predicted length Ô and split into buckets of width w
 *             (bound B = ⌈Ô/w⌉·w); each bucket is cut into batches of its variable batch size
 *             (`batch_sizes`, larger for shorter bounds; bounded by the KV cache: n·(P_max + B)
 *             ≤ capacity); a last batch smaller than max(size/2, max_batch) moves up to the
 *             next bucket present. Failure collection and recomputation (`fcr`): a batch stops
 *             after B tokens; a member whose true length exceeds B has produced B wasted
 *             tokens, is collected, and after the group's batches is generated again from its
 *             prompt in batches of max_batch with no limit.
 *   s3        Jin et al., "S³: Increasing GPU Utilization during Generative Inference for
 *             Higher Throughput", NeurIPS 2023, under continuous batching: admission (FCFS)
 *             reserves KV for P + R tokens with R = Ô (the prediction) instead of the maximum
 *             or the true length. A sequence that has produced R tokens and is not finished
 *             has outgrown its reservation (S³'s misprediction); the supervisor then grows
 *             the reservation in place when the cache has room and preempts it otherwise
 *             (`on_overflow: reallocate`, the default), or always preempts it (`preempt`):
 *             KV released, requeued at the front, prompt and generated tokens recomputed when
 *             readmitted. Either way R becomes ⌈growth·R⌉ (capped so that P + R fits).
 *
 * Predictions (`prediction:`), common random numbers across policies: a request's
 * predicted output length is
 *     Ô = max(1, round(O · ε)),   ε = Q(u),   u = rng_hash_u01(seed, replication, id, purpose)
 * with Q the quantile function of the error model: none (ε = 1), lognormal with median m
 * (default 1; Q(u) = m·exp(σ·Φ⁻¹(u))), or an empirical distribution of ratios (Q(u) = the
 * ⌈u·n⌉-th smallest of n ratios). The same u gives the same ε under every policy and every σ (a
 * larger σ scales the same normal deviate), so comparisons see the same predictions. `cost_ms` is
 * the time the device's small model takes to predict (Zheng et al.'s "length perception"); it
 * delays the request's entry into the server's queue and is paid only by policies that use
 * predictions (the device's occupancy is not modelled). */
#ifndef HAISIM_SCHED_H
#define HAISIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "llm_perf.h"
#include "request.h"
#include "ydoc.h"

/* Batching modes a policy runs under (server.h's enum server_batching, as bits). */
enum { SCHED_MODE_NONE = 1u, SCHED_MODE_STATIC = 2u, SCHED_MODE_CONTINUOUS = 4u };

enum sched_error_model { SCHED_ERROR_NONE, SCHED_ERROR_LOGNORMAL, SCHED_ERROR_EMPIRICAL };

struct sched_prediction {
    enum sched_error_model error;
    double sigma;   /* lognormal: σ of ln ε */
    double median;  /* lognormal: median of ε (1: unbiased in the median) */
    double *ratios; /* empirical: the ratios ε, sorted ascending, owned */
    size_t n_ratios;
    double cost_s; /* time to predict, before the request joins the queue */
};

enum sched_by { SCHED_BY_OUTPUT, SCHED_BY_TIME };
enum sched_preemption { SCHED_PREEMPT_RECOMPUTE, SCHED_PREEMPT_RESUME };
enum sched_overflow { SCHED_OVERFLOW_PREEMPT, SCHED_OVERFLOW_REALLOCATE };

/* bucketed: buckets with bound ≤ max_tokens get batches of `batch`. */
struct sched_batch_size {
    int64_t max_tokens;
    int64_t batch;
};

struct sched_ops;

struct sched_config {
    const struct sched_ops *ops;
    struct sched_prediction prediction;
    enum sched_by by;                 /* spf, psrf */
    double aging_per_s;               /* spf: key units per second of waiting */
    enum sched_preemption preemption; /* psrf */
    /* bucketed */
    int64_t bucket_tokens;          /* bucket width w */
    struct sched_batch_size *sizes; /* by increasing max_tokens, owned */
    size_t n_sizes;
    int64_t group;             /* requests scheduled together */
    bool fcr;                  /* failure collection and recomputation */
    int64_t max_output_tokens; /* predictions are clipped here; -1: no clip */
    /* s3 */
    enum sched_overflow on_overflow;
    double growth;
};

/* One static batch of a bucketed plan: members linked through srv.adm_next. */
struct sched_batch {
    struct request *head;
    uint32_t n;
    uint32_t limit_tokens; /* the batch stops after this many output tokens; 0: no limit */
};

/* Batches to run in order; next is the first not started. */
struct sched_plan {
    struct sched_batch *batches;
    size_t n, cap, next;
};

struct sched_ops {
    const char *name;
    const char *summary;
    unsigned modes;          /* SCHED_MODE_* bits it runs under */
    bool uses_prediction;    /* requests get Ô (and pay prediction.cost_s) */
    bool preemptive;         /* a waiting request may preempt a running one (psrf) */
    bool reserves_predicted; /* continuous KV admission reserves P + R (s3) */
    /* Reads the policy's own keys from the scheduler map; NULL when it has none. */
    int (*load)(struct sched_config *cfg, struct ydoc_node *map, struct error *err);
    /* Key of req with `generated` output tokens produced (lower is served first; ties go to
     * the earlier entry); NULL: first come, first served. */
    double (*priority)(const struct sched_config *cfg, const struct llm_perf *model,
                       const struct request *req, uint32_t generated);
    /* Splits a group of n waiting requests (in arrival order) into static batches appended to
     * plan; NULL: batches of max_batch in arrival order. Returns -1 on out-of-memory. */
    int (*plan)(const struct sched_config *cfg, struct request **group, size_t n, int64_t max_batch,
                int64_t kv_cache_tokens, struct sched_plan *plan);
};

/* The registry, in display order. */
extern const struct sched_ops *const sched_registry[];
extern const size_t sched_registry_len;

/* The policy named name, or NULL. */
const struct sched_ops *sched_find(const char *name);

/* Reads `scheduler: NAME` or `scheduler: {policy: NAME, ...}` from a server tier map (absent:
 * fcfs). `batching_mode` is the tier's mode as a SCHED_MODE_* bit: a policy that does not run
 * under it is an error naming the modes it needs. An unknown name lists the known ones with
 * "did you mean". On failure cfg is safe to sched_config_free. */
int sched_config_load(struct sched_config *cfg, struct ydoc_node *tier, unsigned batching_mode,
                      struct error *err);
void sched_config_free(struct sched_config *cfg);

/* Reads a `prediction:` map into p (absent: exact predictions, no cost). */
int sched_prediction_load(struct sched_prediction *p, struct ydoc_node *map, struct error *err);
void sched_prediction_free(struct sched_prediction *p);

/* The multiplicative error ε = Q(u) for u in (0, 1). */
double sched_prediction_ratio(const struct sched_prediction *p, double u);

/* Ô = max(1, round(O·Q(u))), capped at 2³⁰. */
uint32_t sched_predict(const struct sched_prediction *p, uint32_t output_tokens, double u);

/* The rng_hash_u01 purpose of predicted lengths ("lenpred"): an arbiter that wants the same
 * prediction as the server draws u = rng_hash_u01(seed, replication, id, this). */
#define SCHED_PREDICTION_PURPOSE UINT64_C(0x6c656e70726564)

/* Predicted service time in seconds of req alone on model with `generated` tokens already out
 * and predicted output Ô: prefill(P) if generated = 0, plus max(Ô − max(g, 1), 0) decode steps
 * of one sequence at the mean context P + (g + Ô)/2. */
double sched_predicted_time_s(const struct llm_perf *model, const struct request *req,
                              uint32_t generated);

/* --- the waiting queue of a replica ---
 * FIFO (a request_fifo) when the policy has no priority; otherwise a binary min-heap by
 * (srv.priority, srv.queue_seq), plus the order of entry as a doubly linked list so that the
 * request that entered first is found in O(1) (static batching's deadline). */
struct sched_queue {
    bool by_priority;
    struct request_fifo fifo;
    struct request **heap;
    uint32_t len, cap;
    struct request *first, *last; /* entry order (priority mode) */
    int64_t back_seq, front_seq;
};

void sched_queue_init(struct sched_queue *q, bool by_priority);
void sched_queue_free(struct sched_queue *q);
size_t sched_queue_len(const struct sched_queue *q);
/* Adds req behind the others of equal priority (FIFO: at the tail); -1 on out-of-memory. */
int sched_queue_push(struct sched_queue *q, struct request *req);
/* Adds req ahead of the others of equal priority (FIFO: at the head); -1 on out-of-memory. */
int sched_queue_push_front(struct sched_queue *q, struct request *req);
/* The request served next (NULL when empty); pop also removes it. */
struct request *sched_queue_peek(const struct sched_queue *q);
struct request *sched_queue_pop(struct sched_queue *q);
/* The request that entered first (a preempted one counts as entering when requeued at the
 * front); NULL when empty. */
struct request *sched_queue_oldest(const struct sched_queue *q);

/* Appends a batch to plan; -1 on out-of-memory. */
int sched_plan_add(struct sched_plan *plan, struct request *head, uint32_t n,
                   uint32_t limit_tokens);
void sched_plan_free(struct sched_plan *plan);

/* The policies (one file each). */
extern const struct sched_ops sched_fcfs;
extern const struct sched_ops sched_spf;
extern const struct sched_ops sched_psrf;
extern const struct sched_ops sched_bucketed;
extern const struct sched_ops sched_s3;

#endif
