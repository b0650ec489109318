/* request: the request pool (see request.h). */
#include "request.h"

#include <stdlib.h>

enum { REQUEST_BLOCK = 1024 };

const char *location_name(enum location loc)
{
    static const char *const names[LOCATION_COUNT] = {"device", "edge", "cloud"};
    return (unsigned)loc < LOCATION_COUNT ? names[loc] : "?";
}

const char *outcome_name(enum request_outcome outcome)
{
    static const char *const names[OUTCOME_COUNT] = {"pending",        "completed", "fallback",
                                                     "failed_network", "rejected",  "refused"};
    return (unsigned)outcome < OUTCOME_COUNT ? names[outcome] : "?";
}

const char *refusal_name(enum request_refusal refusal)
{
    static const char *const names[REFUSAL_COUNT] = {"", "orchestrator"};
    return (unsigned)refusal < REFUSAL_COUNT ? names[refusal] : "?";
}

void request_pool_init(struct request_pool *pool)
{
    *pool = (struct request_pool){0};
}

void request_pool_free(struct request_pool *pool)
{
    for (size_t i = 0; i < pool->n_blocks; i++)
        free(pool->blocks[i]);
    free(pool->blocks);
    *pool = (struct request_pool){0};
}

static int request_pool_grow(struct request_pool *pool)
{
    if (pool->n_blocks == pool->cap_blocks) {
        size_t cap = pool->cap_blocks ? 2 * pool->cap_blocks : 16;
        void **blocks = realloc(pool->blocks, cap * sizeof *blocks);
        if (!blocks)
            return -1;
        pool->blocks = blocks;
        pool->cap_blocks = cap;
    }
    struct request *block = malloc(REQUEST_BLOCK * sizeof *block);
    if (!block)
        return -1;
    pool->blocks[pool->n_blocks++] = block;
    for (size_t i = REQUEST_BLOCK; i-- > 0;) {
        block[i].next = pool->free_list;
        pool->free_list = &block[i];
    }
    return 0;
}

struct request *request_alloc(struct request_pool *pool)
{
    if (!pool->free_list && request_pool_grow(pool) != 0)
        return NULL;
    struct request *req = pool->free_list;
    pool->free_list = req->next;
    *req = (struct request){
        .arrival_ns = -1,
        .decided_ns = -1,
        .end_ns = -1,
        .tier_arrival_ns = -1,
        .service_start_ns = -1,
        .first_token_tier_ns = -1,
        .last_token_tier_ns = -1,
        .first_token_user_ns = -1,
        .last_token_user_ns = -1,
    };
    if (++pool->in_use > pool->peak_in_use)
        pool->peak_in_use = pool->in_use;
    return req;
}

void request_release(struct request_pool *pool, struct request *req)
{
    req->next = pool->free_list;
    pool->free_list = req;
    pool->in_use--;
}
