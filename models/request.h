/* request: one user request's life — what it asks for, where it ran, and its timestamps —
 * plus the pool it is allocated from and the FIFO queues it waits in.
 *
 * Memory is O(requests in flight): a request is taken from the pool at arrival and given
 * back when its last token reaches the user; the pool recycles freed requests and grows in
 * blocks, so the hot path does not call malloc once the run is warm. All timestamps are
 * absolute simulation times in ns; -1 means "not reached". */
#ifndef HAISIM_REQUEST_H
#define HAISIM_REQUEST_H

#include <stddef.h>
#include <stdint.h>

/* Where a request is served. */
enum location { LOCATION_DEVICE, LOCATION_CLOUD, LOCATION_COUNT };

/* "device", "cloud". */
const char *location_name(enum location loc);

struct request {
    uint64_t id;     /* arrival order, from 0 */
    uint32_t device; /* origin device index */
    uint32_t prompt_tokens;
    uint32_t output_tokens;
    enum location location;
    int64_t arrival_ns;          /* at the user */
    int64_t tier_arrival_ns;     /* reaches the serving tier (after any uplink) */
    int64_t service_start_ns;    /* leaves the tier's queue */
    int64_t first_token_tier_ns; /* first output token produced by the model */
    int64_t last_token_tier_ns;
    int64_t first_token_user_ns; /* first output token at the user */
    int64_t last_token_user_ns;
    double bytes_up;
    double bytes_down;
    struct request *next; /* queue link; also the pool's free-list link */
};

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
