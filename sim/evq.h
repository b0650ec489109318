/* evq: the future-event list, a 4-ary min-heap of events held by value in one array.
 *
 * Invariant: every element's key (time_ns, seq) is >= its parent's key, so the root is the
 * earliest event; equal times pop in seq order, and seq is assigned by the caller at
 * scheduling time, so ties break deterministically (first scheduled, first fired).
 * A 4-ary heap halves the depth of a binary heap and keeps the four children of a node in
 * one or two cache lines (events are 32 bytes). Push and pop are O(log n); nothing else is
 * offered (no search, no removal: cancellation is lazy, see sim.h). */
#ifndef HAISIM_EVQ_H
#define HAISIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim;
typedef void (*sim_handler)(struct sim *sim, void *payload);

struct evq_event {
    int64_t time_ns;
    uint64_t seq;
    sim_handler handler;
    void *payload;
};

struct evq {
    struct evq_event *heap;
    size_t len;
    size_t cap;
};

/* initial_cap may be 0. Returns -1 on out-of-memory. */
int evq_init(struct evq *q, size_t initial_cap);
void evq_free(struct evq *q);
/* Returns -1 on out-of-memory (the event is not queued). */
int evq_push(struct evq *q, const struct evq_event *ev);
/* Removes the earliest event into *out; false when empty. */
bool evq_pop(struct evq *q, struct evq_event *out);

static inline size_t evq_len(const struct evq *q)
{
    return q->len;
}

/* The earliest event, or NULL when empty. */
static inline const struct evq_event *evq_peek(const struct evq *q)
{
    return q->len ? &q->heap[0] : NULL;
}

#endif
