/* server: an LLM server tier (edge or cloud): replicas of one model, each running requests
 * one at a time per slot, in static batches, or with continuous batching bounded by its
 * KV cache. It knows requests and time, and nothing of where requests come from: the engine
 * submits requests and is called back when a request's first token is produced and when its
 * last token is produced.
 *
 * Step times come from the model (llm_perf.h): prefill(P) for a prompt of P tokens and
 * decode_step(b, C) for one decode iteration of b sequences holding C context tokens.
 *
 * Batching modes (`batching.mode`):
 *   none        each replica has `slots` independent single-stream slots (a request holds one
 *               slot from its prefill to its last token); the queue is FCFS. With
 *               `slots: c` and one replica this is an M/G/c queue.
 *   static      a replica forms a batch of up to `max_batch` waiting requests when it is idle
 *               and either `max_batch` are waiting or the oldest has waited `max_wait_ms`;
 *               prompts are padded to the longest (prefill of n × P_max tokens) and the batch
 *               decodes for O_max − 1 steps (FasterTransformer-style); each request's last
 *               token comes at its own step, but the batch holds the replica to the end.
 *   continuous  iteration-level scheduling (Orca, Yu et al., OSDI 2022; vLLM, Kwon et al.,
 *               SOSP 2023): before every iteration the replica admits waiting requests while
 *               the batch has fewer than `max_batch` sequences and the KV cache has room; an
 *               iteration that admits requests is a prefill iteration (vLLM's default
 *               prefill-first schedule: duration prefill(Σ P_new); each produces its first
 *               token at its end); otherwise it
 *               is a decode iteration of every running sequence (duration decode_step(b, C));
 *               each sequence gains one token per decode iteration and leaves when it has
 *               all O tokens.
 *               KV admission (`kv_admission`):
 *                 on_demand       a sequence holds P + generated tokens of KV; admission
 *                                 needs room for P + generated + 1; when a decode iteration
 *                                 would overflow, the most recently admitted sequences are
 *                                 preempted and requeued at the front, and recompute their
 *                                 prompt and generated tokens in one prefill when readmitted
 *                                 (vLLM's recompute preemption).
 *                 reserve_output  admission reserves P + O tokens (the request's true output
 *                                 length, as if the client's max_tokens were exact); never
 *                                 preempts.
 *               A request that cannot fit in an empty replica's cache (P + O > capacity) is
 *               rejected at submission (on_rejected), as a server rejects a request beyond
 *               its context limit.
 *
 * Per replica a continuous batch costs O(1) per iteration plus O(log b) per finishing
 * sequence: sequences are kept in a min-heap keyed by the decode iteration at which they
 * finish, and context and KV totals are updated incrementally.
 *
 * Per-request overhead (the model's overhead_ms): without batching it is part of the
 * slot's service time (so `none` is exactly M/G/c); with batching it is the request's own
 * delay (gateway, tokenisation) before it joins a replica's queue, and never stalls a batch.
 *
 * Replicas: a request goes to the replica with the fewest requests (waiting + running),
 * ties to the lowest index (join-the-shortest-queue), when it joins.
 *
 * Scheduling (`scheduler:`, sched.h): the order of each replica's queue, preemption by a
 * shorter request, bucketed static batches and predicted KV reservations. Without it the
 * queue is FCFS and everything above holds as written. With a priority policy (spf, psrf)
 * the replica decides once per instant, after every request that arrives at that instant
 * has queued (an event at the same time, scheduled after theirs), as an iteration-level
 * scheduler sees every request that arrived before its next step; a request preempted by
 * the KV cache (on_demand) is then the running one with the worst key, not the newest.
 * Predicted lengths are drawn when a request is submitted (sched.h), from the seed set by
 * server_set_seed.
 *
 * Multi-iteration events stay exact under every policy: a continuous batch simulates several
 * decode iterations in one event only while nobody waits (a waiting request — arrived,
 * preempted, or requeued after outgrowing its reservation — cuts them to one), and never past
 * the iteration at which a sequence finishes or fills its S³ reservation. */
#ifndef HAISIM_SERVER_H
#define HAISIM_SERVER_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "bild.h"
#include "error.h"
#include "llm_perf.h"
#include "request.h"
#include "sched.h"
#include "sim.h"
#include "speculation.h"
#include "ydoc.h"

enum server_batching { SERVER_BATCH_NONE, SERVER_BATCH_STATIC, SERVER_BATCH_CONTINUOUS };
/* RESERVE_PREDICTED is set by the s3 scheduler (not a `kv_admission` name): P + R reserved,
 * R from the prediction (sched.h). */
enum server_kv_admission {
    SERVER_KV_ON_DEMAND,
    SERVER_KV_RESERVE_OUTPUT,
    SERVER_KV_RESERVE_PREDICTED
};

struct server_config {
    int64_t replicas;
    enum server_batching batching;
    int64_t slots;     /* none: concurrent single-stream requests per replica */
    int64_t max_batch; /* static, continuous: sequences per batch (the model's max_batch) */
    double max_wait_s; /* static: how long the oldest request may wait for a fuller batch */
    enum server_kv_admission kv_admission;
    int64_t kv_cache_tokens; /* per replica; -1: unlimited */
    struct llm_perf model;
    struct sched_config sched;
    struct speculation_config speculation; /* speculative decoding (speculation.h) */
    struct bild_config big_little;         /* Big-Little Decoder (slots only; bild.h) */
};

/* Reads a server tier map: `model` (required, see llm_perf.h), `replicas` (default 1),
 * `slots` (default 1; for batching none), `batching: {mode, max_wait_ms, kv_admission}`,
 * `scheduler` (sched.h; default fcfs; s3 replaces `kv_admission` by its reservation of the
 * predicted length). Batch size and KV capacity come from the model (max_batch; kv_cache_tokens
 * or its roofline). */
int server_config_load(struct server_config *cfg, struct ydoc_node *map, struct error *err);
void server_config_free(struct server_config *cfg);

struct server;

/* Called when req's first token (on_first_token) or last token (on_done) is produced at
 * the server, at sim->now_ns; for device-drafted speculation also after its prefill and
 * after every verification (on_verified, req->spec.round_tokens tokens out; before on_done
 * for the last). */
struct server_callbacks {
    void (*on_first_token)(struct sim *sim, struct request *req, void *ctx);
    void (*on_done)(struct sim *sim, struct request *req, void *ctx);
    void (*on_verified)(struct sim *sim, struct request *req, void *ctx);
    void (*on_rejected)(struct sim *sim, struct request *req, void *ctx);
    void *ctx;
};

/* Creates the server's replicas; NULL on out-of-memory. rng draws per-request overheads.
 * Until server_set_seed is called, predicted lengths are keyed by a number drawn from a copy
 * of rng (rng itself does not advance): common across policies, but not across tiers. */
struct server *server_new(const struct server_config *cfg, struct sim *sim,
                          struct server_callbacks cb, gsl_rng *rng);

/* Keys predicted lengths by the run's master seed and replication, so that every tier and
 * an arbiter using SCHED_PREDICTION_PURPOSE see the same prediction of a request. */
void server_set_seed(struct server *s, uint64_t seed, uint32_t replication);
void server_free(struct server *s);

/* Hands req to the server at sim->now_ns (sets tier_arrival_ns). Returns -1 on
 * out-of-memory. */
int server_submit(struct server *s, struct request *req);

/* Device-drafted speculation (speculation.h): req's draft of req->spec.gamma tokens has
 * arrived and joins the next verification (a slot's own step, or the next decode iteration
 * of its continuous batch). */
void server_speculation_verify(struct server *s, struct request *req);

/* req's device stopped drafting (speculation.h, stop_when_slower): the tier streams its
 * remaining tokens (a slot decodes them; a continuous batch takes the sequence in at its next
 * iteration) and calls on_done after the last. */
void server_speculation_stream(struct server *s, struct request *req);

/* req's round was lost on a link: the replica lets it go (its slot or KV cache) without
 * calling back. */
void server_speculation_abandon(struct server *s, struct request *req);

/* Busy time summed over replicas (a replica is busy while it runs any iteration or slot;
 * for none: summed over slots), and the capacity it is measured against (replicas, or
 * replicas × slots for none). */
double server_busy_s(const struct server *s);
double server_capacity(const struct server *s);

/* Requests waiting (not yet admitted; for bucketed also those planned into a batch or
 * waiting for recomputation) and running, over all replicas. */
uint64_t server_waiting(const struct server *s);
uint64_t server_running(const struct server *s);

/* Counters for reports. */
struct server_stats {
    uint64_t iterations;           /* prefill + decode iterations (batched modes) */
    uint64_t batched_seqs;         /* Σ batch size over decode iterations */
    uint64_t preemptions;          /* requests preempted, for any reason */
    uint64_t recomputed_tokens;    /* generated tokens prefilled again after preemption */
    uint64_t peak_kv_tokens;       /* largest KV occupancy of any replica */
    uint64_t priority_preemptions; /* psrf: preempted by a request with a smaller key */
    uint64_t overflows;            /* s3: sequences that outgrew their KV reservation */
    uint64_t reallocations;        /* s3: reservations grown in place */
    uint64_t fcr_failures;         /* bucketed: requests cut at their batch's limit */
    uint64_t fcr_wasted_tokens;    /* bucketed: output tokens those cut attempts produced */
    struct bild_stats bild;        /* big_little: what its requests' decoding did */
};
struct server_stats server_stats(const struct server *s);

/* Phase ends of one request served alone (a device, or a slot without batching), in
 * seconds from the start of service: the first token after overhead + prefill(P), the last
 * after O − 1 decode steps of one sequence whose context grows from P + 1 to P + O − 1.
 * The steps are summed by the midpoint rule: exact when the step time is affine in the
 * context (rates and coefficient models). */
struct llm_single_stream {
    double first_token_s;
    double last_token_s;
};
struct llm_single_stream llm_single_stream(const struct llm_perf *m, uint32_t prompt_tokens,
                                           uint32_t output_tokens, double overhead_s);

#endif
