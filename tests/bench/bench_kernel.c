/* bench_kernel: the kernel's event rate on the classic hold model, beside a bare binary
 * array heap doing the same work in the same binary.
 *
 * Hold model (Vaucher & Duval 1975): fill the queue with N events, then repeatedly take
 * the earliest and schedule one new event at now + an exponential increment, so the queue
 * size stays N. The kernel path goes through sim_run: pop, set the clock, call a handler
 * through a pointer, which schedules with sim_at. The bare path is an inline binary heap of
 * (time, seq) pairs with no handler call: the floor the kernel is compared against.
 * Both draw increments from the same precomputed table, so the work is identical.
 *
 * Output, one line per size:
 *   hold N=<n> kernel_ev_s=<x> bare_ev_s=<y> ratio=<x/y>
 * Timings are wall-clock; the best of several repeats is reported. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim.h"

enum { INCREMENT_TABLE_SIZE = 1 << 16 };

struct hold_ctx {
    const int64_t *increments;
    uint64_t next;
    uint64_t remaining;
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t *make_increments(void)
{
    int64_t *inc = malloc(INCREMENT_TABLE_SIZE * sizeof *inc);
    if (!inc)
        return NULL;
    uint64_t s = 88172645463325252ULL;
    for (size_t i = 0; i < INCREMENT_TABLE_SIZE; i++) {
        s ^= s << 13; /* xorshift64: a fixed, reproducible sequence */
        s ^= s >> 7;
        s ^= s << 17;
        double u = ((double)(s >> 11) + 0.5) * 0x1p-53;
        inc[i] = (int64_t)(-log(u) * 1e6); /* mean 1 ms */
    }
    return inc;
}

static void hold_handler(struct sim *sim, void *payload)
{
    struct hold_ctx *ctx = payload;
    if (ctx->remaining == 0)
        return;
    ctx->remaining--;
    int64_t inc = ctx->increments[ctx->next++ & (INCREMENT_TABLE_SIZE - 1)];
    sim_at(sim, sim->now_ns + inc, hold_handler, ctx);
}

static double kernel_rate(size_t n, uint64_t holds, const int64_t *increments)
{
    struct sim sim;
    if (sim_init(&sim) != 0)
        return 0;
    struct hold_ctx ctx = {increments, 0, 0};
    for (size_t i = 0; i < n; i++)
        sim_at(&sim, increments[ctx.next++ & (INCREMENT_TABLE_SIZE - 1)], hold_handler, &ctx);
    ctx.remaining = holds;
    uint64_t before = sim.events_handled;
    double t0 = wall_s();
    /* Stop once the hold budget is spent: the remaining n events are not timed. */
    while (ctx.remaining > 0 && sim_run(&sim, sim.now_ns + SIMTIME_NS_PER_S) == 0)
        ;
    double dt = wall_s() - t0;
    uint64_t handled = sim.events_handled - before;
    sim_free(&sim);
    return (double)handled / dt;
}

/* The bare floor: a binary heap of (time, seq) keys, inline, no handler dispatch. */
struct bare_key {
    int64_t time_ns;
    uint64_t seq;
};

static inline int bare_before(const struct bare_key *a, const struct bare_key *b)
{
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
}

static void bare_push(struct bare_key *h, size_t *len, struct bare_key k)
{
    size_t i = (*len)++;
    while (i > 0 && bare_before(&k, &h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = k;
}

static struct bare_key bare_pop(struct bare_key *h, size_t *len)
{
    struct bare_key top = h[0];
    struct bare_key last = h[--(*len)];
    size_t i = 0, n = *len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && bare_before(&h[c + 1], &h[c]))
            c++;
        if (!bare_before(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (n > 0)
        h[i] = last;
    return top;
}

static double bare_rate(size_t n, uint64_t holds, const int64_t *increments)
{
    struct bare_key *h = malloc((n + 1) * sizeof *h);
    if (!h)
        return 0;
    size_t len = 0;
    uint64_t next = 0, seq = 1;
    for (size_t i = 0; i < n; i++)
        bare_push(h, &len,
                  (struct bare_key){increments[next++ & (INCREMENT_TABLE_SIZE - 1)], seq++});
    double t0 = wall_s();
    for (uint64_t i = 0; i < holds; i++) {
        struct bare_key k = bare_pop(h, &len);
        k.time_ns += increments[next++ & (INCREMENT_TABLE_SIZE - 1)];
        k.seq = seq++;
        bare_push(h, &len, k);
    }
    double dt = wall_s() - t0;
    /* Use the heap so the compiler cannot drop the loop. */
    volatile int64_t sink = h[0].time_ns;
    (void)sink;
    free(h);
    return (double)holds / dt;
}

int main(int argc, char **argv)
{
    const size_t sizes[] = {1000, 100000, 1000000};
    const int repeats = argc > 1 ? atoi(argv[1]) : 3;
    int64_t *increments = make_increments();
    if (!increments)
        return 1;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint64_t holds = n * 10 > 10000000 ? n * 10 : 10000000;
        double best_kernel = 0, best_bare = 0;
        for (int r = 0; r < repeats; r++) {
            double k = kernel_rate(n, holds, increments);
            double b = bare_rate(n, holds, increments);
            best_kernel = k > best_kernel ? k : best_kernel;
            best_bare = b > best_bare ? b : best_bare;
        }
        printf("hold N=%zu kernel_ev_s=%.0f bare_ev_s=%.0f ratio=%.2f\n", n, best_kernel, best_bare,
               best_kernel / best_bare);
        fflush(stdout);
    }
    free(increments);
    return 0;
}
