/* run: one replication of a scenario — the run object that owns everything a simulation
 * touches (kernel, RNG streams, devices, cloud, requests, metrics), so replications share
 * nothing and can run side by side.
 *
 * Request life cycle (first slice):
 *   arrival ─ arbiter ─┬─ device: FIFO queue on its device ─ overhead+prefill ─ decode ─ done
 *                      └─ cloud:  uplink ─ FCFS queue for a slot ─ overhead+prefill ─ decode,
 *                                 tokens stream down the device's downlink ─ done
 * A request is measured when its last token reaches the user; arrivals stop at
 * run.duration_s or after run.requests, and the run continues until every request is done,
 * so none is lost. */
#ifndef HAISIM_RUN_H
#define HAISIM_RUN_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "error.h"
#include "metrics.h"
#include "request.h"
#include "scenario.h"
#include "sim.h"

struct device {
    struct request_fifo queue;
    struct request *serving;
    struct link_direction up, down;
    int64_t busy_ns;
};

struct cloud {
    int64_t busy_slots;
    struct request_fifo queue;
    int64_t busy_ns; /* summed over slots */
};

/* Named RNG streams, one per component (rng.h). */
struct run_streams {
    gsl_rng *arrivals;
    gsl_rng *workload;
    gsl_rng *network;
    gsl_rng *device;
    gsl_rng *cloud;
};

struct run {
    struct sim sim;
    const struct scenario *sc;
    struct run_streams rng;
    struct device *devices;
    struct cloud cloud;
    struct request_pool pool;
    struct metrics metrics;
    uint64_t arrivals;       /* requests created so far */
    int64_t arrivals_end_ns; /* when the arrival process stopped */
    int64_t warmup_ns;
    int64_t horizon_ns; /* arrivals stop at this time (SIMTIME_NEVER: no limit) */
    bool out_of_memory;
};

/* What one replication reports. */
struct run_result {
    double values[METRIC_COUNT];
    uint64_t events;
    uint64_t peak_requests_in_flight;
    double sim_end_s;
};

/* Sets up a replication; -1 with err filled on out-of-memory. */
int run_init(struct run *run, const struct scenario *sc, uint64_t seed, uint32_t replication,
             struct error *err);
/* Simulates to the end and fills result. */
int run_execute(struct run *run, struct run_result *result, struct error *err);
void run_free(struct run *run);

/* Called by the tiers when a request's last token has reached the user. */
void run_request_done(struct run *run, struct request *req);

#endif
