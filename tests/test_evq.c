/* Tests of the event queue: heap order, tie-breaking, growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "evq.h"

static uint64_t test_rand_state = 12345;
static uint64_t test_rand(void)
{
    /* splitmix64, local so that the test does not depend on sim/rng.c */
    uint64_t z = (test_rand_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void pops_in_time_order_after_random_pushes(void **state)
{
    struct evq q;
    assert_int_equal(evq_init(&q, 0), 0);
    enum { N = 100000 };
    for (uint64_t i = 0; i < N; i++) {
        struct evq_event ev = {(int64_t)(test_rand() % 1000000), i + 1, NULL, NULL};
        assert_int_equal(evq_push(&q, &ev), 0);
    }
    assert_int_equal(evq_len(&q), N);
    struct evq_event prev = {-1, 0, NULL, NULL}, ev;
    size_t popped = 0;
    while (evq_pop(&q, &ev)) {
        assert_true(ev.time_ns > prev.time_ns || (ev.time_ns == prev.time_ns && ev.seq > prev.seq));
        prev = ev;
        popped++;
    }
    assert_int_equal(popped, N);
    evq_free(&q);
}

static void pops_equal_times_in_schedule_order(void **state)
{
    struct evq q;
    assert_int_equal(evq_init(&q, 4), 0);
    /* Push equal times with sequence numbers in a scrambled order. */
    const uint64_t seqs[] = {7, 3, 9, 1, 5, 2, 8, 4, 6, 10};
    for (size_t i = 0; i < 10; i++) {
        struct evq_event ev = {42, seqs[i], NULL, NULL};
        assert_int_equal(evq_push(&q, &ev), 0);
    }
    struct evq_event early = {41, 99, NULL, NULL};
    assert_int_equal(evq_push(&q, &early), 0);
    struct evq_event ev;
    assert_true(evq_pop(&q, &ev));
    assert_int_equal(ev.time_ns, 41);
    for (uint64_t want = 1; want <= 10; want++) {
        assert_true(evq_pop(&q, &ev));
        assert_int_equal(ev.time_ns, 42);
        assert_int_equal(ev.seq, want);
    }
    assert_false(evq_pop(&q, &ev));
    evq_free(&q);
}

static void interleaved_push_pop_keeps_order(void **state)
{
    /* A hold model: pop the minimum, push a later event, and check the popped sequence
     * never goes back in time. */
    struct evq q;
    assert_int_equal(evq_init(&q, 0), 0);
    uint64_t seq = 1;
    for (int i = 0; i < 1000; i++) {
        struct evq_event ev = {(int64_t)(test_rand() % 1000), seq++, NULL, NULL};
        evq_push(&q, &ev);
    }
    int64_t now = 0;
    for (int i = 0; i < 200000; i++) {
        struct evq_event ev;
        assert_true(evq_pop(&q, &ev));
        assert_true(ev.time_ns >= now);
        now = ev.time_ns;
        struct evq_event next = {now + (int64_t)(test_rand() % 1000), seq++, NULL, NULL};
        evq_push(&q, &next);
    }
    assert_int_equal(evq_len(&q), 1000);
    evq_free(&q);
}

static void peek_shows_the_minimum_without_removing_it(void **state)
{
    struct evq q;
    assert_int_equal(evq_init(&q, 0), 0);
    assert_null(evq_peek(&q));
    struct evq_event a = {5, 1, NULL, NULL}, b = {3, 2, NULL, NULL};
    evq_push(&q, &a);
    evq_push(&q, &b);
    assert_int_equal(evq_peek(&q)->time_ns, 3);
    assert_int_equal(evq_len(&q), 2);
    evq_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pops_in_time_order_after_random_pushes),
        cmocka_unit_test(pops_equal_times_in_schedule_order),
        cmocka_unit_test(interleaved_push_pop_keeps_order),
        cmocka_unit_test(peek_shows_the_minimum_without_removing_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
