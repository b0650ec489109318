/* run: one replication of a scenario (see run.h). */
#include "run.h"

#include <stdlib.h>

#include "cloud.h"
#include "device.h"
#include "rng.h"

static void run_arrival(struct sim *sim, void *payload);

static int run_oom(struct run *run, struct error *err)
{
    run->out_of_memory = true;
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

int run_init(struct run *run, const struct scenario *sc, uint64_t seed, uint32_t replication,
             struct error *err)
{
    *run = (struct run){.sc = sc};
    if (sim_init(&run->sim) != 0)
        return run_oom(run, err);
    request_pool_init(&run->pool);
    if (metrics_init(&run->metrics) != 0)
        return run_oom(run, err);
    struct {
        gsl_rng **slot;
        const char *name;
    } streams[] = {
        {&run->rng.arrivals, "arrivals"}, {&run->rng.workload, "workload"},
        {&run->rng.network, "network"},   {&run->rng.device, "device"},
        {&run->rng.cloud, "cloud"},
    };
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
        if (!(*streams[i].slot = rng_stream_new(seed, replication, streams[i].name)))
            return run_oom(run, err);
    run->devices = calloc((size_t)sc->devices.count, sizeof run->devices[0]);
    if (!run->devices)
        return run_oom(run, err);
    run->warmup_ns = simtime_from_s(sc->run.warmup_s);
    run->horizon_ns = sc->run.duration_s > 0 ? simtime_from_s(sc->run.duration_s) : SIMTIME_NEVER;
    run->arrivals_end_ns = -1;
    sim_at(&run->sim, simtime_from_s(workload_next_gap_s(&sc->workload, run->rng.arrivals)),
           run_arrival, NULL);
    return 0;
}

void run_free(struct run *run)
{
    gsl_rng *streams[] = {run->rng.arrivals, run->rng.workload, run->rng.network, run->rng.device,
                          run->rng.cloud};
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
        if (streams[i])
            gsl_rng_free(streams[i]);
    free(run->devices);
    metrics_free(&run->metrics);
    request_pool_free(&run->pool);
    sim_free(&run->sim);
}

static void run_stop_arrivals(struct run *run, int64_t at_ns)
{
    run->arrivals_end_ns = at_ns;
}

/* One pending arrival at a time: each arrival schedules the next, so the event queue
 * holds O(requests in flight) events. */
static void run_arrival(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim; /* struct run begins with its sim */
    const struct scenario *sc = run->sc;
    if (sim->now_ns >= run->horizon_ns) {
        run_stop_arrivals(run, run->horizon_ns);
        return;
    }
    struct request *req = request_alloc(&run->pool);
    if (!req) {
        run->out_of_memory = true;
        sim_stop(sim);
        return;
    }
    req->id = run->arrivals++;
    req->arrival_ns = sim->now_ns;
    workload_fill_request(&sc->workload, (uint32_t)sc->devices.count, run->rng.workload, req);
    if (sc->run.requests > 0 && run->arrivals >= (uint64_t)sc->run.requests)
        run_stop_arrivals(run, sim->now_ns);
    else
        sim_after(sim, simtime_from_s(workload_next_gap_s(&sc->workload, run->rng.arrivals)),
                  run_arrival, NULL);
    if (sc->arbiter->decide(run, req) == LOCATION_CLOUD)
        cloud_submit(run, req);
    else
        device_submit(run, req);
}

void run_request_done(struct run *run, struct request *req)
{
    if (req->arrival_ns >= run->warmup_ns)
        metrics_record(&run->metrics, req);
    request_release(&run->pool, req);
}

int run_execute(struct run *run, struct run_result *result, struct error *err)
{
    const struct scenario *sc = run->sc;
    if (sim_run(&run->sim, SIMTIME_NEVER) != 0 || run->out_of_memory)
        return run_oom(run, err);
    int64_t end_ns = run->sim.now_ns > 0 ? run->sim.now_ns : 1;
    struct metrics_context ctx = {0};
    ctx.window_s = simtime_to_s(run->arrivals_end_ns - run->warmup_ns);
    double device_busy_ns = 0;
    for (int64_t i = 0; i < sc->devices.count; i++)
        device_busy_ns += (double)run->devices[i].busy_ns;
    ctx.busy_fraction[LOCATION_DEVICE] =
        device_busy_ns / ((double)sc->devices.count * (double)end_ns);
    ctx.busy_fraction[LOCATION_CLOUD] =
        (double)run->cloud.busy_ns / ((double)sc->cloud.slots * (double)end_ns);
    metrics_finish(&run->metrics, &ctx, result->values);
    result->events = run->sim.events_handled;
    result->peak_requests_in_flight = run->pool.peak_in_use;
    result->sim_end_s = simtime_to_s(end_ns);
    return 0;
}
