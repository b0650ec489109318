/* evq: 4-ary min-heap of events ordered by (time_ns, seq). See evq.h for the invariant. */
#include "evq.h"

#include <stdlib.h>

enum { EVQ_ARITY = 4 };

static inline bool evq_before(const struct evq_event *a, const struct evq_event *b)
{
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

int evq_init(struct evq *q, size_t initial_cap)
{
    q->len = 0;
    q->cap = initial_cap ? initial_cap : 64;
    q->heap = malloc(q->cap * sizeof q->heap[0]);
    return q->heap ? 0 : -1;
}

void evq_free(struct evq *q)
{
    free(q->heap);
    q->heap = NULL;
    q->len = q->cap = 0;
}

static int evq_grow(struct evq *q)
{
    size_t cap = q->cap * 2;
    struct evq_event *heap = realloc(q->heap, cap * sizeof heap[0]);
    if (!heap)
        return -1;
    q->heap = heap;
    q->cap = cap;
    return 0;
}

int evq_push(struct evq *q, const struct evq_event *ev)
{
    if (q->len == q->cap && evq_grow(q) != 0)
        return -1;
    /* Sift up with a hole: move parents down until ev's place is found. */
    struct evq_event *h = q->heap;
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / EVQ_ARITY;
        if (!evq_before(ev, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = *ev;
    return 0;
}

bool evq_pop(struct evq *q, struct evq_event *out)
{
    if (q->len == 0)
        return false;
    struct evq_event *h = q->heap;
    *out = h[0];
    size_t n = --q->len;
    if (n == 0)
        return true;
    /* Sift the last element down from the root with a hole. */
    const struct evq_event last = h[n];
    size_t i = 0;
    for (;;) {
        size_t first = i * EVQ_ARITY + 1;
        if (first >= n)
            break;
        size_t end = first + EVQ_ARITY < n ? first + EVQ_ARITY : n;
        size_t best = first;
        for (size_t c = first + 1; c < end; c++)
            if (evq_before(&h[c], &h[best]))
                best = c;
        if (!evq_before(&h[best], &last))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = last;
    return true;
}
