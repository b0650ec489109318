/* request: one user request's life — what it asks for, where it ran, and its timestamps —
 * plus the pool it is allocated from and the FIFO queues it waits in.
 *
 * Memory is O(requests in flight): a request is taken from the pool at arrival and given
 * back when its last token reaches the user; the pool recycles freed requests and grows in
 * blocks, so the hot path does not call malloc once the run is warm. All timestamps are
 * absolute simulation times in ns; -1 means "not reached". */
#ifndef HAISIM_REQUEST_H
#define HAISIM_REQUEST_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "trust.h"

/* Where a request is served (or, for failures, where it was last). */
enum location { LOCATION_DEVICE, LOCATION_EDGE, LOCATION_CLOUD, LOCATION_COUNT };

/* "device", "edge", "cloud". */
const char *location_name(enum location loc);

/* How a request ended. Every request ends in exactly one state; the summary counts each. */
enum request_outcome {
    OUTCOME_PENDING,        /* still in flight */
    OUTCOME_COMPLETED,      /* its last token reached the user (location says where) */
    OUTCOME_FALLBACK,       /* a link failed on the way to a remote tier; the device served it */
    OUTCOME_FAILED_NETWORK, /* a link failed and the scenario says fail */
    OUTCOME_REJECTED,       /* a server could not hold it (prompt + output beyond its KV cache) */
    OUTCOME_REFUSED,        /* no tier its privacy class allows could take it (refusal says why) */
    OUTCOME_COUNT
};

/* "pending", "completed", "fallback", "failed_network", "rejected", "refused". */
const char *outcome_name(enum request_outcome outcome);

/* Why a request was refused (OUTCOME_REFUSED). */
enum request_refusal {
    REFUSAL_NONE,
    REFUSAL_ORCHESTRATOR, /* the orchestrator's tier is below the request's floor (trust.h) */
    REFUSAL_COUNT
};

/* "", "orchestrator". */
const char *refusal_name(enum request_refusal refusal);

/* Per-request state that belongs to the server serving it (server.c). */
struct request_server_state {
    void *replica;            /* the replica holding the request */
    uint32_t replica_index;   /* its index, for reports */
    struct request *adm_prev; /* running sequences in admission order (continuous) */
    struct request *adm_next;
    uint64_t finish_iter; /* decode iteration at which the last token is produced */
    uint32_t heap_pos;    /* position in the replica's finish heap */
    uint32_t generated;   /* output tokens produced so far */
    uint32_t admissions;  /* how many times admitted (> 1 after preemption) */
    int64_t kv_tokens;    /* KV-cache tokens held or reserved */
    /* Length-aware scheduling (sched.h). */
    uint32_t predicted_output; /* predicted output tokens (0: the policy predicts none) */
    uint32_t reserved_output;  /* s3: output tokens its KV reservation covers */
    uint64_t event_iter;       /* continuous: finish_iter, or earlier when the reservation ends */
    double priority;           /* waiting-queue key, lower first */
    int64_t queue_seq;         /* order of entering the queue: ties of priority go to the lower */
    uint32_t queue_pos;        /* position in the replica's priority heap */
    struct request *queue_prev, *queue_next; /* the priority queue's entry-order list */
    bool first_token_sent;                   /* not repeated when it runs again */
    bool resume;                /* slots: a preempted request continues where it stopped */
    uint32_t segment_generated; /* slots: output tokens when the current service segment began */
    int64_t segment_token_ns;   /* slots: when token segment_generated + 1 is produced */
    double segment_step_ns;     /* slots: time between the segment's later tokens */
    int64_t segment_end_ns;     /* slots: when the segment's (the request's) last token comes */
    struct sim_timer first_timer, done_timer; /* slots: the segment's token events */
};

/* The device job a request is queued for on its device besides being served there. */
/* FINISH: after a lost round, the device writes the rest of the answer alone. */
enum draft_job { DRAFT_JOB_NONE, DRAFT_JOB_PREFILL, DRAFT_JOB_TOKENS, DRAFT_JOB_FINISH };

/* Per-request state of device-drafted speculation (speculation.h; drafting.c drives the
 * rounds, server.c verifies). */
struct request_speculation {
    bool on;                /* the device drafts and the serving tier verifies */
    uint8_t draft_job;      /* enum draft_job: the device job queued or running for it */
    bool finish_wanted;     /* a round was lost while the device was still prefilling */
    bool first_result_seen; /* the tier's first token has reached the device */
    bool streaming;         /* drafting stopped: the tier streams the rest (stop_when_slower) */
    uint32_t gamma;         /* draft tokens of the round in progress */
    uint32_t round_tokens;  /* tokens the last verification (or the prefill) produced */
    uint32_t tokens_at_user;
    uint32_t rounds;               /* verifications done */
    uint32_t accepted;             /* Σ accepted draft tokens */
    uint32_t drafted;              /* Σ draft tokens sent */
    uint32_t rejections;           /* rounds that ended in a rejection */
    double job_s;                  /* the queued device job's length at full speed */
    double overhead_s;             /* Σ measured round time beyond drafting (adaptive gamma) */
    int64_t draft_sent_ns;         /* when the last draft left the device */
    int64_t device_first_token_ns; /* escalated: the device's own first token, replaced by
                                      the tier's first result (restored if a round is lost) */
    int64_t verify_start_ns;       /* when the last draft reached the tier */
    double verify_s;          /* Σ time from a draft reaching the tier to its result leaving */
    struct request *job_next; /* the device's job queue (the request may also be queued at
                                 its serving tier, through next) */
};

struct request {
    uint64_t id;         /* arrival order, from 0 */
    uint32_t population; /* index of the device population */
    uint32_t device;     /* origin device, index within all devices */
    uint32_t task;       /* task class index */
    void *user;          /* closed loop: the user who asked (run.c), else NULL */
    uint32_t prompt_tokens;
    uint32_t output_tokens;
    uint32_t rag_tokens;       /* context tokens retrieval will add (drawn at arrival) */
    uint32_t rag_tokens_added; /* ... once added to prompt_tokens */
    double difficulty;
    enum privacy_class privacy; /* drawn with its class; raised by personal context (rag.h) */
    bool needs_rag;
    bool fell_back;             /* a link failed on the way; the device serves it instead */
    bool response_failed;       /* a token message was lost to a link failure */
    bool scored;                /* the serving model has an accuracy model; `correct` is set */
    bool assessing;             /* the device is judging it for the arbiter (arbiter.h) */
    bool escalated;             /* the device answered, and the arbiter sent it on */
    bool server_finished;       /* the serving tier is done with it (on_done) */
    bool answer_delivered;      /* its last token reached the user, or was lost */
    uint8_t messages_in_flight; /* token messages between tiers, simulated as events */
    uint32_t assess_tokens;     /* output tokens of that judgement */
    /* Exposure: bit loc of tiers_seen is set when a message carrying the prompt (or a
     * retrieval query) was delivered to tier loc; tokens_seen[loc] is the largest such
     * message in tokens. The device, where the request starts, is not marked. */
    uint8_t tiers_seen;
    uint32_t tokens_seen[LOCATION_COUNT];
    bool privacy_rerouted;        /* the privacy rule kept it from a tier (journey.c) */
    enum request_refusal refusal; /* with OUTCOME_REFUSED */
    int64_t rag_latency_ns;       /* retrieval time drawn at arrival (needs_rag only) */
    enum location location;
    enum request_outcome outcome;
    bool correct;
    int64_t arrival_ns;          /* at the user */
    int64_t decided_ns;          /* the arbiter's decision */
    int64_t tier_arrival_ns;     /* reaches the serving tier (after any uplink) */
    int64_t service_start_ns;    /* admitted by the serving tier (first admission) */
    int64_t first_token_tier_ns; /* first output token produced by the model */
    int64_t last_token_tier_ns;
    int64_t first_token_user_ns; /* first output token at the user */
    int64_t last_token_user_ns;
    int64_t end_ns;  /* when the outcome was settled */
    double bytes_up; /* on device links, both directions counted from the device */
    double bytes_down;
    double energy_j;                 /* device energy spent on this request */
    double cost_usd;                 /* server cost attributed to this request */
    struct request_speculation spec; /* device-drafted speculation (speculation.h) */
    /* GKT (guidance.h): k, the tokens its tier writes (0: not guided), and the answer's O,
     * kept here while the tier's server sees output_tokens = k (0 otherwise). */
    uint32_t guidance_tokens;
    uint32_t guidance_answer_tokens;
    struct request_server_state srv;
    struct request *next; /* queue link; also the pool's free-list link */
};

/* Whether the request is personal or confidential (the older "private" flag). */
static inline bool request_is_private(const struct request *req)
{
    return req->privacy != PRIVACY_PUBLIC;
}

/* Whether the request's prompt went over a link to the edge or the cloud. */
static inline bool request_left_device(const struct request *req)
{
    return req->tiers_seen != 0;
}

/* Whether tier loc received the request's prompt. */
static inline bool request_seen_by(const struct request *req, enum location loc)
{
    return (req->tiers_seen >> loc) & 1u;
}

/* Whether req's device drafts for it now (its tier verifies rounds rather than streaming). */
static inline bool request_drafting(const struct request *req)
{
    return req->spec.on && !req->spec.streaming;
}

/* The user-facing latencies of a served request (DESIGN §6), in ms: time to first token and
 * end-to-end from its arrival, and time per output token after the first (NaN with a single
 * output token, which has none). */
static inline double request_ttft_ms(const struct request *req)
{
    return simtime_to_ms(req->first_token_user_ns - req->arrival_ns);
}

static inline double request_e2e_ms(const struct request *req)
{
    return simtime_to_ms(req->last_token_user_ns - req->arrival_ns);
}

static inline double request_tpot_ms(const struct request *req)
{
    if (req->output_tokens < 2)
        return NAN;
    return simtime_to_ms(req->last_token_user_ns - req->first_token_user_ns) /
           (double)(req->output_tokens - 1);
}

struct request_pool {
    struct request *free_list;
    void **blocks; /* every block allocated, freed together */
    size_t n_blocks, cap_blocks;
    size_t in_use, peak_in_use;
};

void request_pool_init(struct request_pool *pool);
void request_pool_free(struct request_pool *pool);
/* A zeroed request with all timestamps -1; NULL on out-of-memory. */
struct request *request_alloc(struct request_pool *pool);
void request_release(struct request_pool *pool, struct request *req);

/* A FIFO queue linked through request.next. */
struct request_fifo {
    struct request *head, *tail;
    size_t len;
};

static inline void request_fifo_push(struct request_fifo *q, struct request *req)
{
    req->next = NULL;
    if (q->tail)
        q->tail->next = req;
    else
        q->head = req;
    q->tail = req;
    q->len++;
}

/* Puts req at the head (a preempted request goes back to the front of the queue). */
static inline void request_fifo_push_front(struct request_fifo *q, struct request *req)
{
    req->next = q->head;
    q->head = req;
    if (!q->tail)
        q->tail = req;
    q->len++;
}

static inline struct request *request_fifo_pop(struct request_fifo *q)
{
    struct request *req = q->head;
    if (req) {
        q->head = req->next;
        if (!q->head)
            q->tail = NULL;
        q->len--;
        req->next = NULL;
    }
    return req;
}

#endif
