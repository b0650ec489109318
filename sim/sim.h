/* sim: the simulation loop, its clock and lazy cancellation.
 *
 * A `struct sim` owns the event queue and the clock; everything a run needs hangs off the
 * run object that embeds it, so runs share nothing and can run in parallel. The loop is
 * short on purpose (STYLE: "the hot loop free of surprises"): pop the earliest event, set
 * the clock, call its handler. All domain work happens in handlers.
 *
 * Scheduling never fails from a handler's point of view: on out-of-memory the sim records
 * the failure, stops at the next event, and sim_run reports it.
 *
 * Cancellation is lazy: a `struct sim_timer` remembers the sequence number of the event
 * that currently arms it. Cancelling or re-arming changes that number, so the stale event
 * is recognised and dropped when it reaches the top of the heap; the heap is never searched.
 * A timer must stay alive while an event for it may still be queued. */
#ifndef HAISIM_SIM_H
#define HAISIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "evq.h"
#include "simtime.h"

struct sim {
    struct evq queue;
    int64_t now_ns;
    uint64_t next_seq;
    uint64_t current_seq;    /* seq of the event being handled */
    uint64_t events_handled; /* handlers called (stale timer events excluded) */
    uint64_t events_stale;   /* cancelled timer events dropped */
    bool stop_requested;
    bool out_of_memory;
};

struct sim_timer {
    uint64_t armed_seq; /* seq of the live event, 0 when disarmed */
    sim_handler handler;
    void *payload;
};

/* Returns -1 on out-of-memory. */
int sim_init(struct sim *sim);
void sim_free(struct sim *sim);

/* Schedules handler(sim, payload) at absolute time_ns (clamped to now if earlier). */
static inline void sim_at(struct sim *sim, int64_t time_ns, sim_handler handler, void *payload)
{
    struct evq_event ev = {time_ns < sim->now_ns ? sim->now_ns : time_ns, sim->next_seq++, handler,
                           payload};
    if (evq_push(&sim->queue, &ev) != 0) {
        sim->out_of_memory = true;
        sim->stop_requested = true;
    }
}

static inline void sim_after(struct sim *sim, int64_t delay_ns, sim_handler handler, void *payload)
{
    sim_at(sim, sim->now_ns + delay_ns, handler, payload);
}

/* Arms (or re-arms) timer to call handler(sim, payload) at time_ns; a previous arming is
 * cancelled. */
void sim_timer_arm(struct sim *sim, struct sim_timer *timer, int64_t time_ns, sim_handler handler,
                   void *payload);
void sim_timer_cancel(struct sim_timer *timer);
static inline bool sim_timer_armed(const struct sim_timer *timer)
{
    return timer->armed_seq != 0;
}

/* Records that a handler could not allocate and stops the loop (sim_run returns -1). */
static inline void sim_out_of_memory(struct sim *sim)
{
    sim->out_of_memory = true;
    sim->stop_requested = true;
}

/* Asks the loop to return after the current handler. */
static inline void sim_stop(struct sim *sim)
{
    sim->stop_requested = true;
}

/* Handles events in (time, seq) order until the queue is empty, sim_stop is called, or the
 * next event lies after until_ns (it then stays queued and the clock is set to until_ns).
 * Returns 0, or -1 when scheduling ran out of memory. */
int sim_run(struct sim *sim, int64_t until_ns);

#endif
