/* server: replicas of an LLM with slots, static batches or continuous batching (server.h). */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "load_util.h"
#include "simtime.h"

struct server;

struct replica {
    struct server *server;
    struct request_fifo waiting;
    uint64_t running; /* requests admitted and not finished */
    double busy_ns;   /* none: summed over slots; batched: iteration time */
    /* none */
    int64_t busy_slots;
    /* static */
    struct sim_timer wait_timer;
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
};

struct server {
    const struct server_config *cfg;
    struct sim *sim;
    struct server_callbacks cb;
    gsl_rng *rng;
    struct replica *replicas;
    struct server_stats stats;
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
    return 0;
}

void server_config_free(struct server_config *cfg)
{
    llm_perf_free(&cfg->model);
}

/* --- the finish heap of a continuous batch (min by finish_iter, then admission id) --- */

static bool server_heap_less(const struct request *a, const struct request *b)
{
    if (a->srv.finish_iter != b->srv.finish_iter)
        return a->srv.finish_iter < b->srv.finish_iter;
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
    req->first_token_tier_ns = s->sim->now_ns;
    s->cb.on_first_token(s->sim, req, s->cb.ctx);
}

static void server_done(struct server *s, struct request *req)
{
    req->last_token_tier_ns = s->sim->now_ns;
    s->cb.on_done(s->sim, req, s->cb.ctx);
}

/* --- batching none: independent single-stream slots --- */

static void server_slot_start(struct replica *r, struct request *req);

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
    r->busy_slots--;
    r->running--;
    struct request *next = request_fifo_pop(&r->waiting);
    if (next)
        server_slot_start(r, next);
    server_done(server_of(r), req);
}

static void server_slot_start(struct replica *r, struct request *req)
{
    struct server *s = server_of(r);
    const struct llm_perf *m = &s->cfg->model;
    struct llm_single_stream t = llm_single_stream(m, req->prompt_tokens, req->output_tokens,
                                                   llm_perf_overhead_s(m, s->rng));
    int64_t now = s->sim->now_ns;
    int64_t first_ns = now + simtime_from_s(t.first_token_s);
    int64_t last_ns = now + simtime_from_s(t.last_token_s);
    r->busy_slots++;
    r->running++;
    r->busy_ns += (double)(last_ns - now);
    req->service_start_ns = now;
    req->srv.admissions = 1;
    sim_at(s->sim, first_ns, server_slot_first_token, req);
    sim_at(s->sim, last_ns, server_slot_done, req);
}

static void server_slot_submit(struct replica *r, struct request *req)
{
    if (r->busy_slots < server_of(r)->cfg->slots)
        server_slot_start(r, req);
    else
        request_fifo_push(&r->waiting, req);
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

static void server_static_batch_end(struct sim *sim, void *payload)
{
    struct replica *r = payload;
    r->iterating = false;
    server_static_try(r);
}

/* The prefill of a static batch has ended: first tokens out, schedule each member's last
 * token at its own decode step and the batch's end at the longest. */
static void server_static_prefill_end(struct sim *sim, void *payload)
{
    struct replica *r = payload;
    struct server *s = server_of(r);
    const struct llm_perf *m = &s->cfg->model;
    uint32_t n = 0, p_max = 0;
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
        server_first_token(s, q);
    double elapsed_s = 0;
    uint32_t step = 0; /* decode steps done; a member with O tokens ends after O - 1 */
    int64_t now = sim->now_ns;
    for (struct request *q = sorted, *next; q; q = next) {
        next = q->srv.adm_next;
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

static void server_static_start(struct replica *r)
{
    struct server *s = server_of(r);
    const struct llm_perf *m = &s->cfg->model;
    uint32_t n = 0, p_max = 0;
    struct request **tail = &r->prefilling;
    while (n < s->cfg->max_batch && r->waiting.len > 0) {
        struct request *req = request_fifo_pop(&r->waiting);
        p_max = req->prompt_tokens > p_max ? req->prompt_tokens : p_max;
        req->service_start_ns = s->sim->now_ns;
        req->srv.admissions = 1;
        req->srv.adm_next = NULL;
        *tail = req;
        tail = &req->srv.adm_next;
        r->running++;
        n++;
    }
    double prefill_s = llm_perf_prefill_s(m, (double)n * p_max);
    int64_t end_ns = s->sim->now_ns + simtime_from_s(prefill_s);
    r->busy_ns += (double)(end_ns - s->sim->now_ns);
    r->iterating = true;
    s->stats.iterations++;
    sim_at(s->sim, end_ns, server_static_prefill_end, r);
}

static void server_static_timer(struct sim *sim, void *payload)
{
    server_static_try(payload); /* re-checks: the batch may have started meanwhile */
}

/* Starts a batch when the replica is idle and the batch is full or the oldest request has
 * waited long enough; otherwise arms the timer for the oldest request's deadline. */
static void server_static_try(struct replica *r)
{
    struct server *s = server_of(r);
    if (r->iterating || r->waiting.len == 0)
        return;
    int64_t deadline = r->waiting.head->tier_arrival_ns + simtime_from_s(s->cfg->max_wait_s);
    if (r->waiting.len >= (size_t)s->cfg->max_batch || s->sim->now_ns >= deadline)
        server_static_start(r);
    else
        sim_timer_arm(s->sim, &r->wait_timer, deadline, server_static_timer, r);
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
    if (s->cfg->kv_admission == SERVER_KV_RESERVE_OUTPUT)
        return (int64_t)req->prompt_tokens + req->output_tokens;
    return (int64_t)req->prompt_tokens + req->srv.generated + 1;
}

/* KV tokens a running sequence holds now: its context when allocated on demand, its
 * reservation otherwise. */
static int64_t server_cont_kv_held(const struct replica *r, const struct request *req)
{
    if (server_of(r)->cfg->kv_admission == SERVER_KV_RESERVE_OUTPUT)
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

/* Preempts running sequences, newest first, until a decode iteration fits in the cache. */
static void server_cont_preempt(struct replica *r)
{
    struct server *s = server_of(r);
    while (r->adm_tail && !server_cont_fits(r, (int64_t)r->running)) {
        struct request *req = r->adm_tail;
        uint32_t generated = server_cont_generated(r, req);
        r->kv_used -= server_cont_kv_held(r, req);
        server_adm_remove(r, req);
        server_heap_remove(r, req);
        r->running--;
        r->context_tokens -= (double)req->prompt_tokens + generated;
        req->srv.generated = generated;
        req->srv.kv_tokens = 0;
        request_fifo_push_front(&r->waiting, req);
        s->stats.preemptions++;
    }
}

/* Admits waiting requests that fit; returns how many, and their prefill work. */
static uint32_t server_cont_admit(struct replica *r, double *tokens)
{
    struct server *s = server_of(r);
    uint32_t n = 0;
    struct request **tail = &r->prefilling;
    *tokens = 0;
    while (r->waiting.len > 0 && r->running < (uint64_t)s->cfg->max_batch) {
        struct request *req = r->waiting.head;
        int64_t need = server_cont_kv_need(s, req);
        if (!server_cont_fits(r, need))
            break;
        request_fifo_pop(&r->waiting);
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
    if (server_cont_admit(r, &tokens) > 0) {
        r->iterating = true;
        double d = llm_perf_prefill_s(m, tokens);
        s->stats.iterations++;
        sim_timer_arm(s->sim, &r->iter_timer, s->sim->now_ns + simtime_from_s(d),
                      server_cont_prefill_end, r);
        return;
    }
    if (s->cfg->kv_admission == SERVER_KV_ON_DEMAND)
        server_cont_preempt(r);
    if (r->running == 0) {
        r->iterating = false;
        return;
    }
    r->iterating = true;
    r->iter_seqs = r->running;
    r->macro_context = r->context_tokens;
    /* Nothing changes the batch before its next sequence finishes unless a request joins
     * (server_cont_cut) or the KV cache fills: one event simulates all those iterations,
     * each still rounded to the ns on its own, so times are those of one event per
     * iteration. */
    uint64_t steps = 1;
    if (r->waiting.len == 0) {
        steps = r->heap[0]->srv.finish_iter - r->decode_iter;
        int64_t cap = s->cfg->kv_cache_tokens;
        if (s->cfg->kv_admission == SERVER_KV_ON_DEMAND && cap >= 0) {
            uint64_t room = (uint64_t)(cap - r->kv_used) / r->running;
            steps = room < steps ? room : steps;
        }
        steps = steps > 0 ? steps : 1;
    }
    r->macro_steps = steps;
    int64_t end_ns = s->sim->now_ns;
    double context = r->context_tokens;
    for (uint64_t j = 0; j < steps; j++, context += (double)r->running)
        end_ns += simtime_from_s(llm_perf_decode_step_s(m, (double)r->running, context));
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
        bool first = req->srv.generated == 0;
        req->srv.generated++; /* the prefill produces the next token */
        if (first)
            server_first_token(s, req);
        if (req->srv.generated >= req->output_tokens) {
            r->running--;
            r->kv_used -= req->srv.kv_tokens;
            req->srv.kv_tokens = 0;
            server_done(s, req);
            continue;
        }
        r->context_tokens += (double)req->prompt_tokens + req->srv.generated;
        req->srv.finish_iter = r->decode_iter + (req->output_tokens - req->srv.generated);
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
    s->stats.batched_seqs += r->iter_seqs * steps;
    while (r->heap_len > 0 && r->heap[0]->srv.finish_iter <= r->decode_iter) {
        struct request *req = r->heap[0];
        server_heap_remove(r, req);
        server_cont_finish(r, req);
    }
    server_cont_iterate(r);
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
    for (int64_t i = 0; i < cfg->replicas; i++)
        s->replicas[i].server = s;
    return s;
}

void server_free(struct server *s)
{
    if (!s)
        return;
    for (int64_t i = 0; i < s->cfg->replicas; i++)
        free(s->replicas[i].heap);
    free(s->replicas);
    free(s);
}

/* Join the shortest queue: fewest requests waiting or running, lowest index on ties. */
static struct replica *server_pick(struct server *s)
{
    struct replica *best = &s->replicas[0];
    uint64_t best_load = best->waiting.len + best->running;
    for (int64_t i = 1; i < s->cfg->replicas && best_load > 0; i++) {
        uint64_t load = s->replicas[i].waiting.len + s->replicas[i].running;
        if (load < best_load) {
            best = &s->replicas[i];
            best_load = load;
        }
    }
    return best;
}

/* A request enters a replica: picked now, queued or started per the batching mode. */
static void server_enter(struct server *s, struct request *req)
{
    struct replica *r = server_pick(s);
    req->srv.replica = r;
    req->srv.replica_index = (uint32_t)(r - s->replicas);
    switch (s->cfg->batching) {
    case SERVER_BATCH_NONE:
        server_slot_submit(r, req);
        break;
    case SERVER_BATCH_STATIC:
        request_fifo_push(&r->waiting, req);
        server_static_try(r);
        break;
    case SERVER_BATCH_CONTINUOUS:
        request_fifo_push(&r->waiting, req);
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
     * this request, not the batch. */
    double overhead_s =
        s->cfg->batching == SERVER_BATCH_NONE ? 0 : llm_perf_overhead_s(&s->cfg->model, s->rng);
    if (overhead_s > 0) {
        req->srv.replica = s;
        sim_after(s->sim, simtime_from_s(overhead_s), server_enter_event, req);
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
        n += s->replicas[i].waiting.len;
    return n;
}

uint64_t server_running(const struct server *s)
{
    uint64_t n = 0;
    for (int64_t i = 0; i < s->cfg->replicas; i++)
        n += s->replicas[i].running;
    return n;
}

struct server_stats server_stats(const struct server *s)
{
    return s->stats;
}
