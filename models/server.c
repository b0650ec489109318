/* server: replicas of an LLM with slots, static batches or continuous batching (server.h). */
#include "server.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load_util.h"
#include "rng.h"
#include "simtime.h"

struct server;

/* Most decode iterations one event simulates (server_cont_iterate). */
enum { SERVER_MACRO_MAX_STEPS = 8 };

struct replica {
    struct server *server;
    struct sched_queue waiting;
    uint64_t running;                /* requests admitted and not finished */
    uint64_t held;                   /* bucketed: in a planned batch or waiting for recomputation */
    double busy_ns;                  /* none: summed over slots; batched: iteration time */
    struct sim_timer dispatch_timer; /* priority policies: the decision of this instant */
    /* none */
    int64_t busy_slots;
    /* static */
    struct sim_timer wait_timer;
    struct sched_plan plan;              /* bucketed: the batches of the current group */
    struct request *fcr_head, *fcr_tail; /* bucketed: cut requests to recompute */
    struct request *failing;             /* bucketed: cut in the batch in progress */
    uint32_t failing_len;
    struct request **group; /* bucketed: scratch for the group being planned */
    size_t group_cap;
    uint32_t batch_limit; /* bucketed: output tokens after which the batch in progress stops */
    /* continuous */
    bool iterating;             /* an iteration is in progress */
    struct request *prefilling; /* the requests of the prefill iteration in progress */
    struct request **heap;      /* running sequences by finish_iter */
    uint32_t heap_len, heap_cap;
    struct request *adm_head, *adm_tail; /* running sequences in admission order */
    uint64_t decode_iter;                /* decode iterations completed */
    double context_tokens;               /* Σ (P + generated) over running sequences */
    int64_t kv_used;
    int64_t iter_start_ns;
    uint64_t iter_seqs;          /* sequences in the decode iterations in progress */
    uint64_t macro_steps;        /* decode iterations simulated by the pending event */
    double macro_context;        /* context tokens when they started */
    struct sim_timer iter_timer; /* the end of the iteration(s) in progress */
    /* device-drafted speculation (speculation.h): sequences admitted and past their prefill,
     * away at the device or back with a draft; those back wait in the ready list (linked
     * through srv.adm_next) for the next decode iteration, which verifies them */
    uint64_t spec_seqs;
    struct request *spec_ready, *spec_ready_tail, *verifying;
    struct request *spec_streams, *spec_streams_tail; /* stopped drafting: join the batch at
                                                         the next iteration */
    uint64_t verify_seqs;  /* sequences the decode iteration in progress verifies */
    double verify_context; /* their context tokens */
};

struct server {
    const struct server_config *cfg;
    struct sim *sim;
    struct server_callbacks cb;
    gsl_rng *rng;
    struct replica *replicas;
    struct server_stats stats;
    uint64_t seed; /* keys predicted lengths (server_set_seed) */
    uint32_t replication;
};

/* --- configuration --- */

static const char *const server_batching_names[] = {"none", "static", "continuous"};
static const char *const server_kv_names[] = {"on_demand", "reserve_output"};

int server_config_load(struct server_config *cfg, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *model, *batching;
    int mode = SERVER_BATCH_NONE, kv = SERVER_KV_ON_DEMAND;
    double max_wait_ms = 0;
    memset(cfg, 0, sizeof *cfg);
    cfg->replicas = 1;
    cfg->slots = 1;
    cfg->max_batch = 1;
    if (ydoc_require(map, "model", &model, err) != 0 || ydoc_expect(model, YDOC_MAP, err) != 0 ||
        llm_perf_load(&cfg->model, model, err) != 0)
        return -1;
    if (ydoc_read_i64(map, "replicas", 1, 100000, &cfg->replicas, err) != 0 ||
        ydoc_read_i64(map, "slots", 1, 10000000, &cfg->slots, err) != 0)
        return -1;
    if ((batching = ydoc_get(map, "batching")) != NULL) {
        if (ydoc_expect(batching, YDOC_MAP, err) != 0 ||
            ydoc_read_enum(batching, "mode", server_batching_names, 3, &mode, err) != 0 ||
            ydoc_read_f64(batching, "max_wait_ms", RANGE_NONNEGATIVE, &max_wait_ms, err) != 0 ||
            ydoc_read_enum(batching, "kv_admission", server_kv_names, 2, &kv, err) != 0)
            return -1;
        if (mode != SERVER_BATCH_NONE && ydoc_get(map, "slots"))
            return ydoc_error(ydoc_get(map, "slots"), err,
                              "slots applies without batching; with batching the batch size is "
                              "the model's max_batch");
    }
    cfg->batching = (enum server_batching)mode;
    cfg->kv_admission = (enum server_kv_admission)kv;
    cfg->max_wait_s = max_wait_ms * 1e-3;
    cfg->kv_cache_tokens = llm_perf_kv_capacity_tokens(&cfg->model);
    cfg->max_batch = llm_perf_max_batch(&cfg->model);
    if (speculation_load(&cfg->speculation, map, err) != 0)
        return -1;
    const struct speculation_config *spec = &cfg->speculation;
    if (spec->enabled && !spec->from_device && mode != SERVER_BATCH_NONE)
        return ydoc_error(ydoc_get(map, "speculation"), err,
                          "a co-located draft model is modelled for single-stream slots "
                          "(batching: none); in a batch, use drafter: device");
    if (spec->enabled && mode == SERVER_BATCH_STATIC)
        return ydoc_error(ydoc_get(map, "speculation"), err,
                          "device drafting is modelled for slots and continuous batching, not "
                          "static batches");
    if (bild_load(&cfg->big_little, map, err) != 0)
        return -1;
    if (cfg->big_little.enabled && (cfg->speculation.enabled || mode != SERVER_BATCH_NONE))
        return ydoc_error(ydoc_get(map, "big_little"), err,
                          cfg->speculation.enabled
                              ? "big_little and speculation both decode with a second model; "
                                "a tier takes one of them"
                              : "big_little is modelled for single-stream slots (batching: "
                                "none), at batch 1 as in the paper");
    if (sched_config_load(&cfg->sched, map, 1u << mode, err) != 0)
        return -1;
    if (spec->enabled && mode == SERVER_BATCH_NONE && cfg->sched.ops->preemptive)
        return ydoc_error(ydoc_get(map, "scheduler"), err,
                          "a preemptive scheduler with speculation in slots is not modelled");
    if (cfg->big_little.enabled && cfg->sched.ops->preemptive)
        return ydoc_error(ydoc_get(map, "big_little"), err,
                          "big_little with a preemptive scheduler is not modelled (a preempted "
                          "request would finish with plain decoding)");
    /* s3's reservation replaces kv_admission (a sweep over policies keeps the tier's map). */
    if (cfg->sched.ops->reserves_predicted)
        cfg->kv_admission = SERVER_KV_RESERVE_PREDICTED;
    return 0;
}

void server_config_free(struct server_config *cfg)
{
    llm_perf_free(&cfg->model);
    sched_config_free(&cfg->sched);
    speculation_free(&cfg->speculation);
}

/* --- the event heap of a continuous batch: min by event_iter (the iteration at which a
 * sequence finishes, or fills its S³ reservation if that comes first), then id --- */

static bool server_heap_less(const struct request *a, const struct request *b)
{
    if (a->srv.event_iter != b->srv.event_iter)
        return a->srv.event_iter < b->srv.event_iter;
    return a->id < b->id;
}

static void server_heap_set(struct replica *r, uint32_t pos, struct request *req)
{
    r->heap[pos] = req;
    req->srv.heap_pos = pos;
}

static void server_heap_sift_up(struct replica *r, uint32_t pos)
{
    struct request *req = r->heap[pos];
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!server_heap_less(req, r->heap[parent]))
            break;
        server_heap_set(r, pos, r->heap[parent]);
        pos = parent;
    }
    server_heap_set(r, pos, req);
}

static void server_heap_sift_down(struct replica *r, uint32_t pos)
{
    struct request *req = r->heap[pos];
    for (;;) {
        uint32_t child = 2 * pos + 1;
        if (child >= r->heap_len)
            break;
        if (child + 1 < r->heap_len && server_heap_less(r->heap[child + 1], r->heap[child]))
            child++;
        if (!server_heap_less(r->heap[child], req))
            break;
        server_heap_set(r, pos, r->heap[child]);
        pos = child;
    }
    server_heap_set(r, pos, req);
}

static int server_heap_push(struct replica *r, struct request *req)
{
    if (r->heap_len == r->heap_cap) {
        uint32_t cap = r->heap_cap ? 2 * r->heap_cap : 64;
        struct request **heap = realloc(r->heap, cap * sizeof *heap);
        if (!heap)
            return -1;
        r->heap = heap;
        r->heap_cap = cap;
    }
    server_heap_set(r, r->heap_len++, req);
    server_heap_sift_up(r, r->heap_len - 1);
    return 0;
}

static void server_heap_remove(struct replica *r, struct request *req)
{
    uint32_t pos = req->srv.heap_pos;
    struct request *last = r->heap[--r->heap_len];
    if (pos == r->heap_len)
        return;
    server_heap_set(r, pos, last);
    server_heap_sift_down(r, pos);
    server_heap_sift_up(r, last->srv.heap_pos);
}

/* --- shared helpers --- */

static struct server *server_of(const struct replica *r)
{
    return r->server;
}

struct llm_single_stream llm_single_stream(const struct llm_perf *m, uint32_t prompt_tokens,
                                           uint32_t output_tokens, double overhead_s)
{
    struct llm_single_stream t;
    t.first_token_s = overhead_s + llm_perf_prefill_s(m, prompt_tokens);
    double steps = output_tokens > 1 ? output_tokens - 1.0 : 0.0;
    double mid_context = prompt_tokens + (steps + 1) / 2; /* mean of P+1 .. P+steps */
    t.last_token_s =
        t.first_token_s + (steps > 0 ? steps * llm_perf_decode_step_s(m, 1, mid_context) : 0);
    return t;
}

static void server_first_token(struct server *s, struct request *req)
{
    req->srv.first_token_sent = true;
    req->first_token_tier_ns = s->sim->now_ns;
    s->cb.on_first_token(s->sim, req, s->cb.ctx);
}

static const struct sched_ops *server_sched(const struct server *s)
{
    return s->cfg->sched.ops;
}

/* The key of req with `generated` tokens out under a priority policy. */
static double server_priority(const struct server *s, const struct request *req, uint32_t generated)
{
    return server_sched(s)->priority(&s->cfg->sched, &s->cfg->model, req, generated);
}

/* Queues req at its replica: by its key under a priority policy (front: ahead of equal
 * keys), else at the tail or, when front, at the head (a preempted request). */
static void server_queue(struct replica *r, struct request *req, bool front)
{
    struct server *s = server_of(r);
    if (server_sched(s)->priority)
        req->srv.priority = server_priority(s, req, req->srv.generated);
    int status =
        front ? sched_queue_push_front(&r->waiting, req) : sched_queue_push(&r->waiting, req);
    if (status != 0)
        sim_out_of_memory(s->sim);
}

/* Running requests are listed in admission order through srv.adm_prev/adm_next
 * (continuous batching; slots under a preemptive policy). */
static void server_adm_append(struct replica *r, struct request *req);
static void server_adm_remove(struct replica *r, struct request *req);

static void server_done(struct server *s, struct request *req)
{
    req->last_token_tier_ns = s->sim->now_ns;
    s->cb.on_done(s->sim, req, s->cb.ctx);
}

/* --- batching none: independent single-stream slots ---
 * A slot's service of a request is one segment, or several when a preemptive policy
 * interrupts it. A segment that starts with g tokens out produces token g + 1 at
 * segment_token_ns and the rest evenly until segment_end_ns (the midpoint rule of
 * llm_single_stream): first segment overhead + prefill(P) then O − 1 steps; after a
 * recompute preemption prefill(P + g) (which produces token g + 1, as vLLM's recompute does)
 * then O − g − 1 steps from context P + g + 1; after a resume preemption the rest of the
 * interrupted segment, shifted in time. */

static void server_slot_dispatch(struct replica *r);

static void server_slot_first_token(struct sim *sim, void *payload)
{
    struct request *req = payload;
    struct replica *r = req->srv.replica;
    server_first_token(server_of(r), req);
}

static void server_slot_done(struct sim *sim, void *payload)
{
    struct request *req = payload;
    struct replica *r = req->srv.replica;
    struct server *s = server_of(r);
    r->busy_slots--;
    r->running--;
    if (server_sched(s)->preemptive)
        server_adm_remove(r, req);
    server_slot_dispatch(r);
    server_done(s, req);
}

/* --- device-drafted speculation (speculation.h): the server's side of a round --- */

/* Verification of req's draft is done: its accepted tokens plus one are out. Returns
 * whether that was its last token; the journey learns of the round through on_verified. */
static bool server_spec_round(struct server *s, struct request *req)
{
    const struct speculation_config *spec = &s->cfg->speculation;
    uint32_t accepted = speculation_accepted(speculation_alpha(spec, req->task), req->spec.gamma,
                                             s->seed, s->replication, req->id, req->spec.rounds);
    uint32_t left = req->output_tokens - req->srv.generated;
    uint32_t tokens = accepted + 1 < left ? accepted + 1 : left;
    req->spec.rounds++;
    req->spec.accepted += accepted;
    req->spec.drafted += req->spec.gamma;
    req->spec.rejections += accepted < req->spec.gamma;
    req->srv.generated += tokens;
    req->spec.round_tokens = tokens;
    s->cb.on_verified(s->sim, req, s->cb.ctx);
    return req->srv.generated >= req->output_tokens;
}

/* A slot's speculative request produced its first token (prefill), or a verification
 * ended: the result goes to the device, or the slot frees when the answer is complete. */
static void server_slot_spec_first(struct sim *sim, void *payload)
{
    struct request *req = payload;
    struct server *s = server_of(req->srv.replica);
    server_first_token(s, req);
    req->srv.generated = 1;
    req->spec.round_tokens = 1;
    s->cb.on_verified(sim, req, s->cb.ctx);
    if (req->output_tokens <= 1)
        server_slot_done(sim, req);
}

static void server_slot_spec_verified(struct sim *sim, void *payload)
{
    struct request *req = payload;
    if (server_spec_round(server_of(req->srv.replica), req))
        server_slot_done(sim, req);
}

/* The slot holds the request from its prefill to its last verification; it is busy (for
 * utilisation) only while it computes. */
static void server_slot_spec_start(struct replica *r, struct request *req, double first_token_s)
{
    struct server *s = server_of(r);
    int64_t now = s->sim->now_ns;
    req->service_start_ns = now;
    req->srv.admissions++;
    r->busy_slots++;
    r->running++;
    int64_t token_ns = now + simtime_from_s(first_token_s);
    r->busy_ns += (double)(token_ns - now);
    sim_at(s->sim, token_ns, server_slot_spec_first, req);
}

static void server_slot_spec_verify(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    double context = (double)req->prompt_tokens + req->srv.generated;
    int64_t step_ns = simtime_from_s(llm_perf_decode_step_s(&s->cfg->model, 1, context));
    r->busy_ns += (double)step_ns;
    sim_at(s->sim, s->sim->now_ns + step_ns, server_slot_spec_verified, req);
}

static void server_slot_start(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    const struct llm_perf *m = &s->cfg->model;
    int64_t now = s->sim->now_ns;
    uint32_t g = req->srv.generated, out = req->output_tokens;
    int64_t token_ns, last_ns;
    double step_ns;
    if (req->srv.admissions == 0) {
        struct llm_single_stream t =
            llm_single_stream(m, req->prompt_tokens, out, llm_perf_overhead_s(m, s->rng));
        if (request_drafting(req)) {
            server_slot_spec_start(r, req, t.first_token_s);
            return;
        }
        if (s->cfg->speculation.enabled && !s->cfg->speculation.from_device && out > 1) {
            /* Co-located speculative rounds replace plain steps (speculation.h), at the mean
             * context: each round is one verification step plus gamma · c steps of the draft
             * model. */
            const struct speculation_config *spec = &s->cfg->speculation;
            double rounds = speculation_rounds(spec, speculation_alpha(spec, req->task), out - 1.0,
                                               s->seed, s->replication, req->id);
            double step_s = llm_perf_decode_step_s(m, 1, req->prompt_tokens + out / 2.0);
            t.last_token_s =
                t.first_token_s + rounds * (spec->gamma * spec->draft_cost + 1) * step_s;
        } else if (s->cfg->big_little.enabled && out > 1) {
            /* The Big-Little Decoder (bild.h): the small model decodes, this one checks. */
            t.last_token_s =
                t.first_token_s + bild_slot_decode_s(&s->cfg->big_little, m, req, s->seed,
                                                     s->replication, &s->stats.bild);
        }
        token_ns = now + simtime_from_s(t.first_token_s);
        last_ns = now + simtime_from_s(t.last_token_s);
        step_ns = out > 1 ? (double)(last_ns - token_ns) / (out - 1) : 0;
        req->service_start_ns = now;
    } else if (req->srv.resume) {
        /* segment_token_ns and segment_end_ns hold offsets from the preemption. */
        token_ns = now + req->srv.segment_token_ns;
        last_ns = now + req->srv.segment_end_ns;
        step_ns = req->srv.segment_step_ns;
    } else {
        double steps = out > g + 1 ? out - g - 1.0 : 0.0;
        double token_s = llm_perf_prefill_s(m, (double)req->prompt_tokens + g);
        double mid_context = req->prompt_tokens + (g + (double)out) / 2;
        token_ns = now + simtime_from_s(token_s);
        last_ns = now + simtime_from_s(
                            token_s +
                            (steps > 0 ? steps * llm_perf_decode_step_s(m, 1, mid_context) : 0));
        step_ns = steps > 0 ? (double)(last_ns - token_ns) / steps : 0;
        s->stats.recomputed_tokens += g;
    }
    req->srv.segment_generated = g;
    req->srv.segment_token_ns = token_ns;
    req->srv.segment_step_ns = step_ns;
    req->srv.segment_end_ns = last_ns;
    r->busy_slots++;
    r->running++;
    r->busy_ns += (double)(last_ns - now);
    req->srv.admissions++;
    if (!server_sched(s)->preemptive) {
        /* Nothing cancels these events: plain ones, without the timers' trampoline. */
        if (!req->srv.first_token_sent)
            sim_at(s->sim, token_ns, server_slot_first_token, req);
        sim_at(s->sim, last_ns, server_slot_done, req);
        return;
    }
    if (!req->srv.first_token_sent)
        sim_timer_arm(s->sim, &req->srv.first_timer, token_ns, server_slot_first_token, req);
    sim_timer_arm(s->sim, &req->srv.done_timer, last_ns, server_slot_done, req);
    server_adm_append(r, req);
}

/* Output tokens a slot's request has produced before now: those of its segment whose time is
 * earlier than now (a token due now may not have been delivered yet). */
static uint32_t server_slot_generated(const struct request *req, int64_t now)
{
    uint32_t g0 = req->srv.segment_generated, left = req->output_tokens - g0;
    if (now <= req->srv.segment_token_ns)
        return g0;
    if (!(req->srv.segment_step_ns > 0))
        return req->output_tokens;
    double k = ceil((double)(now - req->srv.segment_token_ns) / req->srv.segment_step_ns);
    return k >= left ? req->output_tokens : g0 + (uint32_t)k;
}

/* Stops a running request now and queues it with its remaining key. */
static void server_slot_preempt(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    int64_t now = s->sim->now_ns;
    uint32_t g = server_slot_generated(req, now);
    sim_timer_cancel(&req->srv.first_timer);
    sim_timer_cancel(&req->srv.done_timer);
    r->busy_slots--;
    r->running--;
    r->busy_ns -= (double)(req->srv.segment_end_ns - now);
    server_adm_remove(r, req);
    if (s->cfg->sched.preemption == SCHED_PREEMPT_RESUME) {
        /* Keep the rest of the segment as offsets: token g + 1 was due at
         * segment_token_ns + (g − g0)·step. */
        double next_ns = (double)req->srv.segment_token_ns +
                         (double)(g - req->srv.segment_generated) * req->srv.segment_step_ns;
        int64_t next = (int64_t)llround(next_ns);
        req->srv.segment_token_ns = next > now ? next - now : 0;
        req->srv.segment_end_ns -= now;
        req->srv.resume = true;
    }
    req->srv.generated = g;
    s->stats.preemptions++;
    s->stats.priority_preemptions++;
    server_queue(r, req, false);
}

/* Fills free slots from the queue; under a preemptive policy, then lets the best waiting
 * request take the slot of the running one with the largest key while its own key is
 * smaller (ties: the most recently started is preempted, as it loses the least). */
static void server_slot_dispatch(struct replica *r)
{
    struct server *s = server_of(r);
    while (r->busy_slots < s->cfg->slots && sched_queue_len(&r->waiting) > 0)
        server_slot_start(r, sched_queue_pop(&r->waiting));
    if (!server_sched(s)->preemptive)
        return;
    for (;;) {
        struct request *w = sched_queue_peek(&r->waiting), *victim = NULL;
        if (!w)
            return;
        double worst = -INFINITY;
        for (struct request *q = r->adm_head; q; q = q->srv.adm_next) {
            double key = server_priority(s, q, server_slot_generated(q, s->sim->now_ns));
            if (key >= worst) {
                worst = key;
                victim = q;
            }
        }
        if (!victim || !(w->srv.priority < worst))
            return;
        server_slot_preempt(r, victim);
        server_slot_start(r, sched_queue_pop(&r->waiting));
    }
}

/* --- static batching --- */

static void server_static_try(struct replica *r);

static void server_static_member_done(struct sim *sim, void *payload)
{
    struct request *req = payload;
    struct replica *r = req->srv.replica;
    r->running--;
    server_done(server_of(r), req);
}

/* The batch has ended: members cut at its limit (bucketed FCR) wait for recomputation. */
static void server_static_batch_end(struct sim *sim, void *payload)
{
    struct replica *r = payload;
    r->iterating = false;
    for (struct request *q = r->failing, *next; q; q = next) {
        next = q->srv.adm_next;
        q->srv.adm_next = NULL;
        if (r->fcr_tail)
            r->fcr_tail->srv.adm_next = q;
        else
            r->fcr_head = q;
        r->fcr_tail = q;
    }
    r->running -= r->failing_len;
    r->held += r->failing_len;
    r->failing = NULL;
    r->failing_len = 0;
    server_static_try(r);
}

/* The prefill of a static batch has ended: first tokens out, schedule each member's last
 * token at its own decode step and the batch's end at the longest. With a limit of L tokens
 * (bucketed FCR) the batch stops after L tokens: members longer than L have produced L
 * tokens for nothing and are collected for recomputation. */
static void server_static_prefill_end(struct sim *sim, void *payload)
{
    struct replica *r = payload;
    struct server *s = server_of(r);
    const struct llm_perf *m = &s->cfg->model;
    uint32_t n = 0, p_max = 0, limit = r->batch_limit;
    for (struct request *q = r->prefilling; q; q = q->srv.adm_next) {
        n++;
        p_max = q->prompt_tokens > p_max ? q->prompt_tokens : p_max;
    }
    /* Members in order of output length, so one pass over the decode steps finds each
     * member's last step. The list is short (max_batch): insertion sort. */
    struct request *sorted = NULL;
    for (struct request *q = r->prefilling, *next; q; q = next) {
        next = q->srv.adm_next;
        struct request **at = &sorted;
        while (*at && (*at)->output_tokens <= q->output_tokens)
            at = &(*at)->srv.adm_next;
        q->srv.adm_next = *at;
        *at = q;
    }
    r->prefilling = NULL;
    for (struct request *q = sorted; q; q = q->srv.adm_next)
        if (!q->srv.first_token_sent)
            server_first_token(s, q);
    double elapsed_s = 0;
    uint32_t step = 0; /* decode steps done; a member with O tokens ends after O - 1 */
    int64_t now = sim->now_ns;
    for (struct request *q = sorted, *next; q; q = next) {
        next = q->srv.adm_next;
        if (limit > 0 && q->output_tokens > limit) {
            /* This member and every longer one are cut after `limit` tokens. */
            for (; step + 1 < limit; step++)
                elapsed_s += llm_perf_decode_step_s(m, n, (double)n * (p_max + step + 1));
            r->failing = q;
            for (struct request *f = q; f; f = f->srv.adm_next) {
                r->failing_len++;
                s->stats.fcr_failures++;
                s->stats.fcr_wasted_tokens += limit;
            }
            break;
        }
        for (; step + 1 < q->output_tokens; step++)
            elapsed_s += llm_perf_decode_step_s(m, n, (double)n * (p_max + step + 1));
        sim_at(sim, now + simtime_from_s(elapsed_s), server_static_member_done, q);
    }
    int64_t end_ns = now + simtime_from_s(elapsed_s);
    r->busy_ns += (double)(end_ns - now);
    s->stats.iterations += step;
    s->stats.batched_seqs += (uint64_t)step * n;
    sim_at(sim, end_ns, server_static_batch_end, r);
}

/* Starts a batch of the n requests linked from head through srv.adm_next: a prefill of
 * n × P_max padded tokens. */
static void server_static_launch(struct replica *r, struct request *head, uint32_t n,
                                 uint32_t limit)
{
    struct server *s = server_of(r);
    const struct llm_perf *m = &s->cfg->model;
    uint32_t p_max = 0;
    for (struct request *req = head; req; req = req->srv.adm_next) {
        p_max = req->prompt_tokens > p_max ? req->prompt_tokens : p_max;
        if (req->srv.admissions++ == 0)
            req->service_start_ns = s->sim->now_ns;
    }
    r->prefilling = head;
    r->running += n;
    r->batch_limit = limit;
    double prefill_s = llm_perf_prefill_s(m, (double)n * p_max);
    int64_t end_ns = s->sim->now_ns + simtime_from_s(prefill_s);
    r->busy_ns += (double)(end_ns - s->sim->now_ns);
    r->iterating = true;
    s->stats.iterations++;
    sim_at(s->sim, end_ns, server_static_prefill_end, r);
}

/* A batch of up to max_batch waiting requests in queue order. */
static void server_static_start(struct replica *r)
{
    struct server *s = server_of(r);
    uint32_t n = 0;
    struct request *head = NULL, **tail = &head;
    while (n < s->cfg->max_batch && sched_queue_len(&r->waiting) > 0) {
        struct request *req = sched_queue_pop(&r->waiting);
        req->srv.adm_next = NULL;
        *tail = req;
        tail = &req->srv.adm_next;
        n++;
    }
    server_static_launch(r, head, n, 0);
}

static void server_static_timer(struct sim *sim, void *payload)
{
    server_static_try(payload); /* re-checks: the batch may have started meanwhile */
}

/* Starts the group's next batch; after the group's batches, the recomputation batches of
 * its cut requests (max_batch each, in the order they were cut, no limit). Returns false
 * when the group is done. */
static bool server_bucketed_next(struct replica *r)
{
    struct server *s = server_of(r);
    if (r->plan.next == r->plan.n && r->fcr_head) {
        r->plan.n = r->plan.next = 0;
        while (r->fcr_head) {
            struct request *head = r->fcr_head, *q = head;
            uint32_t n = 1;
            while (n < s->cfg->max_batch && q->srv.adm_next) {
                q = q->srv.adm_next;
                n++;
            }
            r->fcr_head = q->srv.adm_next;
            q->srv.adm_next = NULL;
            if (sched_plan_add(&r->plan, head, n, 0) != 0) {
                sim_out_of_memory(s->sim);
                return false;
            }
        }
        r->fcr_tail = NULL;
    }
    if (r->plan.next == r->plan.n)
        return false;
    struct sched_batch b = r->plan.batches[r->plan.next++];
    r->held -= b.n;
    server_static_launch(r, b.head, b.n, b.limit_tokens);
    return true;
}

/* Takes a group of up to `group` waiting requests (arrival order) and plans its batches. */
static void server_bucketed_group(struct replica *r)
{
    struct server *s = server_of(r);
    size_t n = sched_queue_len(&r->waiting);
    if (n > (size_t)s->cfg->sched.group)
        n = (size_t)s->cfg->sched.group;
    if (n > r->group_cap) {
        struct request **group = realloc(r->group, n * sizeof *group);
        if (!group) {
            sim_out_of_memory(s->sim);
            return;
        }
        r->group = group;
        r->group_cap = n;
    }
    for (size_t i = 0; i < n; i++)
        r->group[i] = sched_queue_pop(&r->waiting);
    r->plan.n = r->plan.next = 0;
    if (server_sched(s)->plan(&s->cfg->sched, r->group, n, s->cfg->max_batch,
                              s->cfg->kv_cache_tokens, &r->plan) != 0) {
        sim_out_of_memory(s->sim);
        return;
    }
    r->held += n;
    server_bucketed_next(r);
}

/* Starts a batch when the replica is idle and the batch (bucketed: the group) is full or the
 * oldest request has waited long enough; otherwise arms the timer for the oldest request's
 * deadline. A bucketed replica first finishes its current group. */
static void server_static_try(struct replica *r)
{
    struct server *s = server_of(r);
    if (r->iterating)
        return;
    bool bucketed = server_sched(s)->plan != NULL;
    if (bucketed && server_bucketed_next(r))
        return;
    if (sched_queue_len(&r->waiting) == 0)
        return;
    int64_t deadline =
        sched_queue_oldest(&r->waiting)->tier_arrival_ns + simtime_from_s(s->cfg->max_wait_s);
    size_t full = bucketed ? (size_t)s->cfg->sched.group : (size_t)s->cfg->max_batch;
    if (sched_queue_len(&r->waiting) >= full || s->sim->now_ns >= deadline) {
        if (bucketed)
            server_bucketed_group(r);
        else
            server_static_start(r);
    } else {
        sim_timer_arm(s->sim, &r->wait_timer, deadline, server_static_timer, r);
    }
}

/* --- continuous batching --- */

static void server_cont_iterate(struct replica *r);

static void server_adm_append(struct replica *r, struct request *req)
{
    req->srv.adm_next = NULL;
    req->srv.adm_prev = r->adm_tail;
    if (r->adm_tail)
        r->adm_tail->srv.adm_next = req;
    else
        r->adm_head = req;
    r->adm_tail = req;
}

static void server_adm_remove(struct replica *r, struct request *req)
{
    if (req->srv.adm_prev)
        req->srv.adm_prev->srv.adm_next = req->srv.adm_next;
    else
        r->adm_head = req->srv.adm_next;
    if (req->srv.adm_next)
        req->srv.adm_next->srv.adm_prev = req->srv.adm_prev;
    else
        r->adm_tail = req->srv.adm_prev;
    req->srv.adm_prev = req->srv.adm_next = NULL;
}

/* Output tokens a running sequence has, from the decode iterations since it joined. */
static uint32_t server_cont_generated(const struct replica *r, const struct request *req)
{
    return (uint32_t)(req->output_tokens - (req->srv.finish_iter - r->decode_iter));
}

/* KV tokens a sequence needs to be admitted now. */
static int64_t server_cont_kv_need(const struct server *s, const struct request *req)
{
    if (request_drafting(req)) /* away between rounds, it is never preempted: it reserves */
        return (int64_t)req->prompt_tokens + req->output_tokens;
    switch (s->cfg->kv_admission) {
    case SERVER_KV_RESERVE_OUTPUT:
        return (int64_t)req->prompt_tokens + req->output_tokens;
    case SERVER_KV_RESERVE_PREDICTED:
        return (int64_t)req->prompt_tokens + req->srv.reserved_output;
    case SERVER_KV_ON_DEMAND:
        break;
    }
    return (int64_t)req->prompt_tokens + req->srv.generated + 1;
}

/* KV tokens a running sequence holds now: its context when allocated on demand, its
 * reservation otherwise. */
static int64_t server_cont_kv_held(const struct replica *r, const struct request *req)
{
    if (server_of(r)->cfg->kv_admission != SERVER_KV_ON_DEMAND)
        return req->srv.kv_tokens;
    return (int64_t)req->prompt_tokens + server_cont_generated(r, req);
}

static bool server_cont_fits(const struct replica *r, int64_t tokens)
{
    int64_t cap = server_of(r)->cfg->kv_cache_tokens;
    return cap < 0 || r->kv_used + tokens <= cap;
}

static void server_cont_prefill_end(struct sim *sim, void *payload);
static void server_cont_decode_end(struct sim *sim, void *payload);
static void server_cont_spec_release(struct replica *r, struct request *req, bool done);
static int server_cont_join(struct replica *r, struct request *req);

/* Takes a running sequence out of the batch, releasing its KV; it keeps its generated
 * tokens, to be recomputed with its prompt when readmitted (vLLM's recompute preemption). */
static void server_cont_evict(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    uint32_t generated = server_cont_generated(r, req);
    r->kv_used -= server_cont_kv_held(r, req);
    server_adm_remove(r, req);
    server_heap_remove(r, req);
    r->running--;
    r->context_tokens -= (double)req->prompt_tokens + generated;
    req->srv.generated = generated;
    req->srv.kv_tokens = 0;
    s->stats.preemptions++;
}

/* The running sequence with the largest key (ties: the most recently admitted). */
static struct request *server_cont_worst(const struct replica *r, double *key)
{
    const struct server *s = server_of(r);
    struct request *worst = NULL;
    *key = -INFINITY;
    for (struct request *q = r->adm_head; q; q = q->srv.adm_next) {
        double k = server_priority(s, q, server_cont_generated(r, q));
        if (k >= *key) {
            *key = k;
            worst = q;
        }
    }
    return worst;
}

/* Preempts running sequences until a decode iteration fits in the cache: the newest first
 * (vLLM's FCFS), or under a priority policy the one with the largest key (vLLM's priority
 * scheduling preempts its lowest priority). */
static void server_cont_preempt(struct replica *r)
{
    struct server *s = server_of(r);
    bool by_key = server_sched(s)->priority != NULL;
    while (r->adm_tail && !server_cont_fits(r, (int64_t)r->running)) {
        double key;
        struct request *req = by_key ? server_cont_worst(r, &key) : r->adm_tail;
        server_cont_evict(r, req);
        server_queue(r, req, true);
    }
}

/* psrf: while the best waiting request cannot be admitted (the batch is full or its KV does
 * not fit) and its key is smaller than the largest key running, that sequence is preempted
 * (by recompute) and requeued. */
static void server_cont_priority_preempt(struct replica *r)
{
    struct server *s = server_of(r);
    for (;;) {
        struct request *w = sched_queue_peek(&r->waiting);
        if (!w || (r->running + r->spec_seqs < (uint64_t)s->cfg->max_batch &&
                   server_cont_fits(r, server_cont_kv_need(s, w))))
            return;
        double worst;
        struct request *victim = server_cont_worst(r, &worst);
        if (!victim || !(w->srv.priority < worst))
            return;
        server_cont_evict(r, victim);
        s->stats.priority_preemptions++;
        server_queue(r, victim, false);
    }
}

/* The iteration at which a running sequence needs attention: its last token, or (s3) the
 * iteration after which it has filled its reservation of R output tokens. */
static void server_cont_set_event(struct replica *r, struct request *req)
{
    req->srv.event_iter = req->srv.finish_iter;
    if (server_of(r)->cfg->kv_admission == SERVER_KV_RESERVE_PREDICTED &&
        req->srv.reserved_output < req->output_tokens) {
        uint64_t full = req->srv.finish_iter - req->output_tokens + req->srv.reserved_output;
        req->srv.event_iter = full < req->srv.event_iter ? full : req->srv.event_iter;
    }
}

/* s3: req has produced its R reserved tokens and is not finished (S³'s misprediction). Its
 * reservation becomes min(⌈growth·R⌉, capacity − P); it grows in place when the policy
 * reallocates and the cache has room, otherwise the sequence is preempted and requeued at
 * the front. */
static void server_cont_overflow(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    const struct sched_config *sc = &s->cfg->sched;
    uint32_t reserved = req->srv.reserved_output;
    double grown = ceil(sc->growth * reserved);
    uint64_t next = grown > reserved ? (uint64_t)grown : (uint64_t)reserved + 1;
    int64_t cap = s->cfg->kv_cache_tokens;
    if (cap >= 0 && (int64_t)(req->prompt_tokens + next) > cap)
        next = (uint64_t)(cap - req->prompt_tokens); /* ≥ O: the request fits the cache */
    if (next > UINT32_MAX / 2)
        next = UINT32_MAX / 2; /* an unbounded cache: keeps R in range */
    s->stats.overflows++;
    int64_t more = (int64_t)(next - reserved);
    if (sc->on_overflow == SCHED_OVERFLOW_REALLOCATE && server_cont_fits(r, more)) {
        r->kv_used += more;
        req->srv.kv_tokens += more;
        req->srv.reserved_output = (uint32_t)next;
        if ((uint64_t)r->kv_used > s->stats.peak_kv_tokens)
            s->stats.peak_kv_tokens = (uint64_t)r->kv_used;
        s->stats.reallocations++;
        server_cont_set_event(r, req);
        server_heap_sift_down(r, req->srv.heap_pos);
        return;
    }
    server_cont_evict(r, req);
    req->srv.reserved_output = (uint32_t)next;
    server_queue(r, req, true);
}

/* Settles the sequences whose event iteration has come: finished ones leave, those that
 * filled their reservation overflow. */
static void server_cont_finish(struct replica *r, struct request *req);

static void server_cont_settle(struct replica *r)
{
    while (r->heap_len > 0 && r->heap[0]->srv.event_iter <= r->decode_iter) {
        struct request *req = r->heap[0];
        if (req->srv.finish_iter <= r->decode_iter) {
            server_heap_remove(r, req);
            server_cont_finish(r, req);
        } else {
            server_cont_overflow(r, req);
        }
    }
}

/* Admits waiting requests that fit, in queue order, stopping at the first that does not;
 * returns how many, and their prefill work. */
static uint32_t server_cont_admit(struct replica *r, double *tokens)
{
    struct server *s = server_of(r);
    uint32_t n = 0;
    struct request **tail = &r->prefilling;
    *tokens = 0;
    while (sched_queue_len(&r->waiting) > 0 &&
           r->running + r->spec_seqs < (uint64_t)s->cfg->max_batch) {
        struct request *req = sched_queue_peek(&r->waiting);
        int64_t need = server_cont_kv_need(s, req);
        if (!server_cont_fits(r, need))
            break;
        sched_queue_pop(&r->waiting);
        r->kv_used += need;
        req->srv.kv_tokens = need;
        if (req->srv.admissions++ == 0)
            req->service_start_ns = s->sim->now_ns;
        else
            s->stats.recomputed_tokens += req->srv.generated;
        *tokens += (double)req->prompt_tokens + req->srv.generated;
        req->srv.adm_next = NULL;
        *tail = req;
        tail = &req->srv.adm_next;
        r->running++;
        n++;
    }
    if ((uint64_t)r->kv_used > s->stats.peak_kv_tokens)
        s->stats.peak_kv_tokens = (uint64_t)r->kv_used;
    return n;
}

/* Starts the next iteration: a prefill of newly admitted requests if any fit, else a
 * decode step of the running batch, else the replica goes idle. */
static void server_cont_iterate(struct replica *r)
{
    struct server *s = server_of(r);
    const struct llm_perf *m = &s->cfg->model;
    double tokens;
    r->iter_start_ns = s->sim->now_ns;
    if (s->cfg->kv_admission == SERVER_KV_RESERVE_PREDICTED)
        server_cont_settle(r); /* sequences that filled their reservation in a prefill */
    if (server_sched(s)->preemptive)
        server_cont_priority_preempt(r);
    if (server_cont_admit(r, &tokens) > 0) {
        r->iterating = true;
        double d = llm_perf_prefill_s(m, tokens);
        s->stats.iterations++;
        sim_timer_arm(s->sim, &r->iter_timer, s->sim->now_ns + simtime_from_s(d),
                      server_cont_prefill_end, r);
        return;
    }
    struct request *streams = r->spec_streams;
    r->spec_streams = r->spec_streams_tail = NULL;
    for (struct request *req = streams, *next; req; req = next) {
        next = req->srv.adm_next; /* server_cont_join links it into the batch */
        if (server_cont_join(r, req) != 0)
            return;
    }
    if (s->cfg->kv_admission == SERVER_KV_ON_DEMAND)
        server_cont_preempt(r);
    if (r->running == 0 && !r->spec_ready) {
        r->iterating = false;
        return;
    }
    r->iterating = true;
    r->iter_seqs = r->running;
    r->macro_context = r->context_tokens;
    /* Drafts that are back join this iteration, each verified as one sequence. */
    r->verifying = r->spec_ready;
    r->spec_ready = r->spec_ready_tail = NULL;
    r->verify_seqs = 0;
    r->verify_context = 0;
    for (struct request *q = r->verifying; q; q = q->srv.adm_next) {
        r->verify_seqs++;
        r->verify_context += (double)q->prompt_tokens + q->srv.generated;
    }
    /* Nothing changes the batch before its next sequence finishes or fills its reservation
     * unless a request joins (server_cont_cut) or the KV cache fills: one event simulates
     * all those iterations, each still rounded to the ns on its own, so times are those of
     * one event per iteration. A waiting request (arrived, or preempted) limits the event to
     * one iteration, after which it may be admitted or preempt. */
    uint64_t steps = 1;
    if (sched_queue_len(&r->waiting) == 0 && r->verify_seqs == 0) {
        steps = r->heap[0]->srv.event_iter - r->decode_iter;
        int64_t cap = s->cfg->kv_cache_tokens;
        if (s->cfg->kv_admission == SERVER_KV_ON_DEMAND && cap >= 0) {
            uint64_t room = (uint64_t)(cap - r->kv_used) / r->running;
            steps = room < steps ? room : steps;
        }
        steps = steps > 0 ? steps : 1;
        /* Each step's time is computed now, and a joining request recomputes the steps up
         * to its cut: a bound keeps that work small when batches change often (at 100
         * requests/s over 8 replicas a batch changes every few iterations). */
        steps = steps < SERVER_MACRO_MAX_STEPS ? steps : SERVER_MACRO_MAX_STEPS;
    }
    r->macro_steps = steps;
    int64_t end_ns = s->sim->now_ns;
    double context = r->context_tokens + r->verify_context;
    double seqs = (double)(r->running + r->verify_seqs);
    for (uint64_t j = 0; j < steps; j++, context += (double)r->running)
        end_ns += simtime_from_s(llm_perf_decode_step_s(m, seqs, context));
    sim_timer_arm(s->sim, &r->iter_timer, end_ns, server_cont_decode_end, r);
}

/* A request joins a replica that is simulating several decode iterations in one event:
 * cut them short at the end of the iteration in progress, where it can be admitted. */
static void server_cont_cut(struct replica *r)
{
    struct server *s = server_of(r);
    if (!r->iterating || r->prefilling || r->macro_steps <= 1)
        return;
    const struct llm_perf *m = &s->cfg->model;
    int64_t end_ns = r->iter_start_ns;
    double context = r->macro_context;
    uint64_t j = 0;
    while (j < r->macro_steps) {
        end_ns += simtime_from_s(llm_perf_decode_step_s(m, (double)r->iter_seqs, context));
        context += (double)r->iter_seqs;
        j++;
        if (end_ns >= s->sim->now_ns)
            break;
    }
    if (j < r->macro_steps) {
        r->macro_steps = j;
        sim_timer_arm(s->sim, &r->iter_timer, end_ns, server_cont_decode_end, r);
    }
}

static void server_cont_finish(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    r->kv_used -= server_cont_kv_held(r, req);
    server_adm_remove(r, req);
    r->running--;
    r->context_tokens -= (double)req->prompt_tokens + req->output_tokens;
    req->srv.kv_tokens = 0;
    server_done(s, req);
}

static void server_cont_prefill_end(struct sim *sim, void *payload)
{
    struct replica *r = payload;
    struct server *s = server_of(r);
    r->busy_ns += (double)(sim->now_ns - r->iter_start_ns);
    struct request *list = r->prefilling;
    r->prefilling = NULL;
    for (struct request *req = list, *next; req; req = next) {
        next = req->srv.adm_next;
        bool first = !req->srv.first_token_sent;
        req->srv.generated++; /* the prefill produces the next token */
        if (first)
            server_first_token(s, req);
        if (request_drafting(req)) { /* its first token goes to the device, which drafts */
            req->spec.round_tokens = 1;
            s->cb.on_verified(sim, req, s->cb.ctx);
        }
        if (req->srv.generated >= req->output_tokens) {
            r->running--;
            r->kv_used -= req->srv.kv_tokens;
            req->srv.kv_tokens = 0;
            server_done(s, req);
            continue;
        }
        if (request_drafting(req)) {
            r->running--;
            r->spec_seqs++;
            continue;
        }
        r->context_tokens += (double)req->prompt_tokens + req->srv.generated;
        req->srv.finish_iter = r->decode_iter + (req->output_tokens - req->srv.generated);
        server_cont_set_event(r, req);
        server_adm_append(r, req);
        if (server_heap_push(r, req) != 0) {
            sim_out_of_memory(sim);
            return;
        }
    }
    server_cont_iterate(r);
}

static void server_cont_decode_end(struct sim *sim, void *payload)
{
    struct replica *r = payload;
    struct server *s = server_of(r);
    uint64_t steps = r->macro_steps;
    r->busy_ns += (double)(sim->now_ns - r->iter_start_ns);
    r->decode_iter += steps;
    r->context_tokens += (double)(r->iter_seqs * steps);
    if (s->cfg->kv_admission == SERVER_KV_ON_DEMAND)
        r->kv_used += (int64_t)(r->iter_seqs * steps); /* each sequence wrote a token a step */
    s->stats.iterations += steps;
    s->stats.batched_seqs += r->iter_seqs * steps + r->verify_seqs;
    server_cont_settle(r);
    struct request *verified = r->verifying;
    r->verifying = NULL;
    r->verify_seqs = 0;
    r->verify_context = 0;
    for (struct request *req = verified, *next; req; req = next) {
        next = req->srv.adm_next;
        req->srv.adm_next = NULL;
        if (server_spec_round(s, req))
            server_cont_spec_release(r, req, true);
    }
    server_cont_iterate(r);
}

/* A sequence whose device stopped drafting joins the batch as a streaming one, at an
 * iteration boundary: it keeps its KV cache (on demand: down to what it holds; s3: its
 * reservation covers the whole output). */
static int server_cont_join(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    uint32_t generated = req->srv.generated;
    r->spec_seqs--;
    r->running++;
    if (s->cfg->kv_admission == SERVER_KV_ON_DEMAND) {
        r->kv_used -= req->srv.kv_tokens - ((int64_t)req->prompt_tokens + generated);
        req->srv.kv_tokens = (int64_t)req->prompt_tokens + generated;
    }
    req->srv.reserved_output = req->output_tokens;
    r->context_tokens += (double)req->prompt_tokens + generated;
    req->srv.finish_iter = r->decode_iter + (req->output_tokens - generated);
    server_cont_set_event(r, req);
    server_adm_append(r, req);
    if (server_heap_push(r, req) != 0) {
        sim_out_of_memory(s->sim);
        return -1;
    }
    return 0;
}

/* A speculative sequence leaves the replica, done (done: its last token is out) or
 * abandoned (its round's message was lost). */
static void server_cont_spec_release(struct replica *r, struct request *req, bool done)
{
    r->spec_seqs--;
    r->kv_used -= req->srv.kv_tokens;
    req->srv.kv_tokens = 0;
    if (done)
        server_done(server_of(r), req);
}

/* --- the server --- */

struct server *server_new(const struct server_config *cfg, struct sim *sim,
                          struct server_callbacks cb, gsl_rng *rng)
{
    struct server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    *s = (struct server){.cfg = cfg, .sim = sim, .cb = cb, .rng = rng};
    s->replicas = calloc((size_t)cfg->replicas, sizeof s->replicas[0]);
    if (!s->replicas) {
        free(s);
        return NULL;
    }
    bool by_priority = cfg->sched.ops->priority != NULL;
    for (int64_t i = 0; i < cfg->replicas; i++) {
        s->replicas[i].server = s;
        sched_queue_init(&s->replicas[i].waiting, by_priority);
    }
    /* A key for predicted lengths drawn from a copy of rng, so rng's own draws (overheads)
     * are the same whatever the policy. */
    if (rng && cfg->sched.ops->uses_prediction) {
        gsl_rng *copy = gsl_rng_clone(rng);
        if (!copy) {
            server_free(s);
            return NULL;
        }
        s->seed = rng_mix64(((uint64_t)gsl_rng_get(copy) << 32) ^ gsl_rng_get(copy));
        gsl_rng_free(copy);
    }
    return s;
}

void server_set_seed(struct server *s, uint64_t seed, uint32_t replication)
{
    s->seed = seed;
    s->replication = replication;
}

void server_free(struct server *s)
{
    if (!s)
        return;
    for (int64_t i = 0; i < s->cfg->replicas; i++) {
        struct replica *r = &s->replicas[i];
        free(r->heap);
        free(r->group);
        sched_plan_free(&r->plan);
        sched_queue_free(&r->waiting);
    }
    free(s->replicas);
    free(s);
}

/* Requests a replica holds: waiting, planned (bucketed) and running. */
static uint64_t server_load(const struct replica *r)
{
    return sched_queue_len(&r->waiting) + r->held + r->running + r->spec_seqs;
}

/* Join the shortest queue: fewest requests waiting or running, lowest index on ties. */
static struct replica *server_pick(struct server *s)
{
    struct replica *best = &s->replicas[0];
    uint64_t best_load = server_load(best);
    for (int64_t i = 1; i < s->cfg->replicas && best_load > 0; i++) {
        uint64_t load = server_load(&s->replicas[i]);
        if (load < best_load) {
            best = &s->replicas[i];
            best_load = load;
        }
    }
    return best;
}

/* A priority policy decides once per instant, after every request arriving at that instant
 * has been queued (server.h). */
static void server_dispatch_event(struct sim *sim, void *payload)
{
    struct replica *r = payload;
    switch (server_of(r)->cfg->batching) {
    case SERVER_BATCH_NONE:
        server_slot_dispatch(r);
        break;
    case SERVER_BATCH_STATIC:
        server_static_try(r);
        break;
    case SERVER_BATCH_CONTINUOUS:
        if (!r->iterating)
            server_cont_iterate(r);
        break;
    }
}

/* A request enters a replica: picked now, queued or started per the batching mode. */
static void server_enter(struct server *s, struct request *req)
{
    struct replica *r = server_pick(s);
    req->srv.replica = r;
    req->srv.replica_index = (uint32_t)(r - s->replicas);
    if (server_sched(s)->priority) {
        server_queue(r, req, false);
        if (s->cfg->batching == SERVER_BATCH_CONTINUOUS)
            server_cont_cut(r);
        if (!sim_timer_armed(&r->dispatch_timer))
            sim_timer_arm(s->sim, &r->dispatch_timer, s->sim->now_ns, server_dispatch_event, r);
        return;
    }
    switch (s->cfg->batching) {
    case SERVER_BATCH_NONE:
        if (r->busy_slots < s->cfg->slots)
            server_slot_start(r, req);
        else
            server_queue(r, req, false);
        break;
    case SERVER_BATCH_STATIC:
        server_queue(r, req, false);
        server_static_try(r);
        break;
    case SERVER_BATCH_CONTINUOUS:
        server_queue(r, req, false);
        if (!r->iterating)
            server_cont_iterate(r);
        else
            server_cont_cut(r);
        break;
    }
}

static void server_enter_event(struct sim *sim, void *payload)
{
    struct request *req = payload;
    server_enter(req->srv.replica, req); /* srv.replica holds the server until entry */
}

int server_submit(struct server *s, struct request *req)
{
    req->tier_arrival_ns = s->sim->now_ns;
    req->srv = (struct request_server_state){0};
    int64_t cap = s->cfg->kv_cache_tokens;
    if (s->cfg->batching == SERVER_BATCH_CONTINUOUS && cap >= 0 &&
        (int64_t)req->prompt_tokens + req->output_tokens > cap) {
        s->cb.on_rejected(s->sim, req, s->cb.ctx);
        return 0;
    }
    /* Without batching the overhead is part of a slot's service (slot_start). With batching
     * it is the request's own gateway and tokenisation time before it queues: it delays
     * this request, not the batch. A prediction made on the device delays it too. */
    double delay_s =
        s->cfg->batching == SERVER_BATCH_NONE ? 0 : llm_perf_overhead_s(&s->cfg->model, s->rng);
    const struct sched_config *sc = &s->cfg->sched;
    if (sc->ops->uses_prediction) {
        double u = rng_hash_u01(s->seed, s->replication, req->id, SCHED_PREDICTION_PURPOSE);
        req->srv.predicted_output = sched_predict(&sc->prediction, req->output_tokens, u);
        if (s->cfg->kv_admission == SERVER_KV_RESERVE_PREDICTED) {
            uint32_t reserve = req->srv.predicted_output;
            if (cap >= 0 && (int64_t)req->prompt_tokens + reserve > cap)
                reserve = (uint32_t)(cap - req->prompt_tokens); /* ≥ O: it was not rejected */
            req->srv.reserved_output = reserve;
        }
        delay_s += sc->prediction.cost_s;
    }
    if (delay_s > 0) {
        req->srv.replica = s;
        sim_after(s->sim, simtime_from_s(delay_s), server_enter_event, req);
    } else {
        server_enter(s, req);
    }
    return 0;
}

double server_busy_s(const struct server *s)
{
    double ns = 0;
    for (int64_t i = 0; i < s->cfg->replicas; i++)
        ns += s->replicas[i].busy_ns;
    return ns * 1e-9;
}

double server_capacity(const struct server *s)
{
    double per_replica = s->cfg->batching == SERVER_BATCH_NONE ? (double)s->cfg->slots : 1.0;
    return per_replica * (double)s->cfg->replicas;
}

uint64_t server_waiting(const struct server *s)
{
    uint64_t n = 0;
    for (int64_t i = 0; i < s->cfg->replicas; i++)
        n += sched_queue_len(&s->replicas[i].waiting) + s->replicas[i].held;
    return n;
}

uint64_t server_running(const struct server *s)
{
    uint64_t n = 0;
    for (int64_t i = 0; i < s->cfg->replicas; i++)
        n += s->replicas[i].running + s->replicas[i].spec_seqs;
    return n;
}

/* A speculative sequence is back for its replica's next iteration (to be verified, or to
 * join as a streaming one): appended to the list at *head (linked through srv.adm_next, in
 * arrival order), and the replica starts an iteration now if idle, else cuts a multi-step
 * one at the end of the iteration in progress. */
static void server_cont_hand_in(struct replica *r, struct request **head, struct request **tail,
                                struct request *req)
{
    req->srv.adm_next = NULL;
    if (*tail)
        (*tail)->srv.adm_next = req;
    else
        *head = req;
    *tail = req;
    if (!r->iterating)
        server_cont_iterate(r);
    else
        server_cont_cut(r);
}

void server_speculation_verify(struct server *s, struct request *req)
{
    struct replica *r = req->srv.replica;
    if (s->cfg->batching == SERVER_BATCH_NONE) {
        server_slot_spec_verify(r, req);
        return;
    }
    server_cont_hand_in(r, &r->spec_ready, &r->spec_ready_tail, req);
}

void server_speculation_stream(struct server *s, struct request *req)
{
    struct replica *r = req->srv.replica;
    if (s->cfg->batching == SERVER_BATCH_NONE) {
        /* The slot decodes the remaining tokens one step each, at their mean context. */
        const struct llm_perf *m = &s->cfg->model;
        uint32_t g = req->srv.generated, out = req->output_tokens;
        double step_s = llm_perf_decode_step_s(m, 1, req->prompt_tokens + (g + (double)out) / 2);
        int64_t steps_ns = simtime_from_s((out - g) * step_s);
        r->busy_ns += (double)steps_ns;
        sim_at(s->sim, s->sim->now_ns + steps_ns, server_slot_done, req);
        return;
    }
    server_cont_hand_in(r, &r->spec_streams, &r->spec_streams_tail, req);
}

void server_speculation_abandon(struct server *s, struct request *req)
{
    struct replica *r = req->srv.replica;
    if (s->cfg->batching == SERVER_BATCH_NONE) {
        r->busy_slots--;
        r->running--;
        server_slot_dispatch(r);
        return;
    }
    server_cont_spec_release(r, req, false);
    if (!r->iterating)
        server_cont_iterate(r); /* its KV is free: a waiting request may fit */
}

struct server_stats server_stats(const struct server *s)
{
    return s->stats;
}
