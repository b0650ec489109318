/* sim: the simulation loop and lazy timer cancellation (see sim.h). */
#include "sim.h"

int sim_init(struct sim *sim)
{
    *sim = (struct sim){.next_seq = 1};
    return evq_init(&sim->queue, 1024);
}

void sim_free(struct sim *sim)
{
    evq_free(&sim->queue);
}

/* Trampoline for timer events: fires only if the event is still the one arming the timer. */
static void sim_timer_fire(struct sim *sim, void *payload)
{
    struct sim_timer *timer = payload;
    if (timer->armed_seq != sim->current_seq) {
        sim->events_stale++;
        sim->events_handled--; /* the loop counted this event; it was not really handled */
        return;
    }
    timer->armed_seq = 0;
    timer->handler(sim, timer->payload);
}

void sim_timer_arm(struct sim *sim, struct sim_timer *timer, int64_t time_ns, sim_handler handler,
                   void *payload)
{
    timer->handler = handler;
    timer->payload = payload;
    timer->armed_seq = sim->next_seq; /* the seq sim_at is about to assign */
    sim_at(sim, time_ns, sim_timer_fire, timer);
}

void sim_timer_cancel(struct sim_timer *timer)
{
    timer->armed_seq = 0;
}

int sim_run(struct sim *sim, int64_t until_ns)
{
    struct evq *q = &sim->queue;
    struct evq_event ev;
    sim->stop_requested = sim->out_of_memory;
    while (!sim->stop_requested && q->len > 0) {
        if (q->heap[0].time_ns > until_ns) {
            sim->now_ns = until_ns;
            break;
        }
        evq_pop(q, &ev);
        sim->now_ns = ev.time_ns;
        sim->current_seq = ev.seq;
        sim->events_handled++;
        ev.handler(sim, ev.payload);
    }
    return sim->out_of_memory ? -1 : 0;
}
