/* Tests of the simulation loop: clock, handler order, lazy cancellation, stop, horizon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim.h"

struct trace {
    int64_t times[16];
    int ids[16];
    int n;
};

struct tagged {
    struct trace *trace;
    int id;
};

static void record(struct sim *sim, void *payload)
{
    struct tagged *t = payload;
    t->trace->times[t->trace->n] = sim->now_ns;
    t->trace->ids[t->trace->n++] = t->id;
}

static void handlers_run_in_time_then_schedule_order(void **state)
{
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct trace tr = {0};
    struct tagged a = {&tr, 1}, b = {&tr, 2}, c = {&tr, 3}, d = {&tr, 4};
    sim_at(&sim, 20, record, &a);
    sim_at(&sim, 10, record, &b);
    sim_at(&sim, 20, record, &c);
    sim_at(&sim, 10, record, &d);
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    assert_int_equal(tr.n, 4);
    const int want_ids[] = {2, 4, 1, 3};
    const int64_t want_times[] = {10, 10, 20, 20};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(tr.ids[i], want_ids[i]);
        assert_int_equal(tr.times[i], want_times[i]);
    }
    assert_int_equal(sim.events_handled, 4);
    sim_free(&sim);
}

static void cancelled_timer_never_fires(void **state)
{
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct trace tr = {0};
    struct tagged a = {&tr, 1}, b = {&tr, 2};
    struct sim_timer ta = {0}, tb = {0};
    sim_timer_arm(&sim, &ta, 100, record, &a);
    sim_timer_arm(&sim, &tb, 50, record, &b);
    assert_true(sim_timer_armed(&ta));
    sim_timer_cancel(&ta);
    assert_false(sim_timer_armed(&ta));
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    assert_int_equal(tr.n, 1);
    assert_int_equal(tr.ids[0], 2);
    assert_int_equal(sim.events_stale, 1);
    assert_int_equal(sim.events_handled, 1);
    assert_false(sim_timer_armed(&tb));
    sim_free(&sim);
}

static void rearmed_timer_fires_once_at_the_new_time(void **state)
{
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct trace tr = {0};
    struct tagged a = {&tr, 7};
    struct sim_timer t = {0};
    sim_timer_arm(&sim, &t, 100, record, &a);
    sim_timer_arm(&sim, &t, 300, record, &a);
    sim_timer_arm(&sim, &t, 200, record, &a);
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    assert_int_equal(tr.n, 1);
    assert_int_equal(tr.times[0], 200);
    assert_int_equal(sim.events_stale, 2);
    sim_free(&sim);
}

static void stopper(struct sim *sim, void *payload)
{
    record(sim, payload);
    sim_stop(sim);
}

static void stop_returns_after_the_current_handler(void **state)
{
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct trace tr = {0};
    struct tagged a = {&tr, 1}, b = {&tr, 2};
    sim_at(&sim, 10, stopper, &a);
    sim_at(&sim, 20, record, &b);
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    assert_int_equal(tr.n, 1);
    assert_int_equal(evq_len(&sim.queue), 1);
    /* Running again resumes where it stopped. */
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    assert_int_equal(tr.n, 2);
    sim_free(&sim);
}

static void run_until_leaves_later_events_queued(void **state)
{
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct trace tr = {0};
    struct tagged a = {&tr, 1}, b = {&tr, 2};
    sim_at(&sim, 10, record, &a);
    sim_at(&sim, 1000, record, &b);
    assert_int_equal(sim_run(&sim, 500), 0);
    assert_int_equal(tr.n, 1);
    assert_int_equal(sim.now_ns, 500);
    assert_int_equal(evq_len(&sim.queue), 1);
    sim_free(&sim);
}

static void scheduling_in_the_past_runs_now(void **state)
{
    struct sim sim;
    assert_int_equal(sim_init(&sim), 0);
    struct trace tr = {0};
    struct tagged a = {&tr, 1};
    sim.now_ns = 100;
    sim_at(&sim, 5, record, &a);
    assert_int_equal(sim_run(&sim, SIMTIME_NEVER), 0);
    assert_int_equal(tr.times[0], 100);
    sim_free(&sim);
}

static void seconds_round_to_the_nearest_nanosecond(void **state)
{
    assert_int_equal(simtime_from_s(1.0), 1000000000);
    assert_int_equal(simtime_from_s(1.4e-9), 1);
    assert_int_equal(simtime_from_s(1.6e-9), 2);
    assert_int_equal(simtime_from_s(-3.0), 0);
    assert_int_equal(simtime_from_s(0.0 / 0.0), 0);
    assert_int_equal(simtime_from_s(1e300), SIMTIME_NEVER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handlers_run_in_time_then_schedule_order),
        cmocka_unit_test(cancelled_timer_never_fires),
        cmocka_unit_test(rearmed_timer_fires_once_at_the_new_time),
        cmocka_unit_test(stop_returns_after_the_current_handler),
        cmocka_unit_test(run_until_leaves_later_events_queued),
        cmocka_unit_test(scheduling_in_the_past_runs_now),
        cmocka_unit_test(seconds_round_to_the_nearest_nanosecond),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
