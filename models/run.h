/* run: one replication of a scenario — the run object that owns everything a simulation
 * touches (kernel, RNG streams, devices, servers, links, requests, metrics), so
 * replications share nothing and can run side by side.
 *
 * Request life cycle (journey.c):
 *   arrival at the user's device
 *   → to the orchestrator (device: nothing to send; edge or cloud: the prompt goes up)
 *   → the arbiter decides where it runs
 *   → to the serving tier (device, edge server or cloud server) over the links between
 *   → served (device.c, server.c)
 *   → first and last tokens travel back to the user along the way the request came
 *   → done: measured, and its request record is reused.
 * Arrivals stop at run.duration_s or after run.requests, and the run continues until every
 * request has ended, so none is lost. */
#ifndef HAISIM_RUN_H
#define HAISIM_RUN_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "energy.h"
#include "error.h"
#include "metrics.h"
#include "netlink.h"
#include "request.h"
#include "scenario.h"
#include "server.h"
#include "sim.h"
#include "thermal.h"

struct device {
    uint32_t population;
    struct request_fifo queue;
    /* Speculation jobs (prefill to draft, drafting) of requests served elsewhere, linked
     * through spec.job_next: they go ahead of the requests waiting in queue. */
    struct request *jobs_head, *jobs_tail;
    struct sim_timer job_timer; /* the end of the speculation job it runs */
    int64_t job_start_ns;
    struct thermal_state job_thermal; /* its heat when the job started */
    double job_stretch;               /* the job's throttled / full-speed time */
    struct request *serving;
    struct netlink_state link[LOCATION_COUNT]; /* to the edge, to the cloud */
    gsl_rng *outage_rng[LOCATION_COUNT];       /* own outage process per link, when any */
    int64_t busy_ns;
    struct thermal_state thermal;
    struct battery battery;
    double energy_j;       /* compute + radio, over the whole run */
    bool radio_used;       /* a transfer has happened (for the radio's tail energy) */
    int64_t radio_last_ns; /* when the last one started */
};

/* Named RNG streams, one per component (rng.h). */
struct run_streams {
    gsl_rng *network;
    gsl_rng *rag;
    gsl_rng *device;
    gsl_rng *server[LOCATION_COUNT]; /* "edge", "cloud" */
};

struct run_population;

/* Hooks for detailed outputs (outputs.h): called as requests end and every sample_every_ns
 * of simulated time while the run has arrivals to come or requests in flight. */
struct run_observer {
    void (*request_end)(void *ctx, const struct run *run, const struct request *req);
    void (*sample)(void *ctx, const struct run *run);
    int64_t sample_every_ns; /* 0: no sampling */
    void *ctx;
};

struct run {
    struct sim sim;
    const struct scenario *sc;
    uint64_t seed;
    uint32_t replication;
    struct run_streams rng;
    struct device *devices;
    struct run_population *populations;    /* arrival state, one per population */
    struct server *server[LOCATION_COUNT]; /* [LOCATION_EDGE], [LOCATION_CLOUD]; NULL if absent */
    struct netlink_state edge_cloud;
    struct outage_state edge_cloud_outage; /* its process when `shared` (one link anyway) */
    gsl_rng *edge_cloud_outage_rng;
    struct request_pool pool;
    struct metrics metrics;
    uint64_t arrivals;         /* requests created so far */
    uint32_t open_populations; /* open-loop populations whose process has not finished */
    int64_t arrivals_end_ns;   /* when the arrival process stopped */
    int64_t warmup_ns;
    int64_t horizon_ns; /* arrivals stop at this time (SIMTIME_NEVER: no limit) */
    bool out_of_memory;
    const struct run_observer *observer; /* NULL: none */
    /* What the orchestrator last saw of the tiers' queues (arbiters; may be stale). */
    uint64_t view_waiting[LOCATION_COUNT];
    int64_t view_ns;
    bool view_valid;
    /* The budget arbiter's spend in the current clock hour. */
    int64_t budget_hour;
    double budget_spent_usd;
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

/* Attaches detailed-output hooks (before run_execute). */
void run_observe(struct run *run, const struct run_observer *observer);

/* Simulates to the end and fills result. */
int run_execute(struct run *run, struct run_result *result, struct error *err);

void run_free(struct run *run);

/* Called when a request has ended (its outcome set): measures it and recycles it. */
void run_request_end(struct run *run, struct request *req);

/* Charges energy_j to req's device (and its battery) and to req. */
void run_device_energy(struct run *run, struct request *req, double energy_j);

/* --- state that arbiters read (arbiter.h) --- */

/* Whether req's device can reach tier `to` now (true for the device itself). */
bool run_link_is_up(struct run *run, const struct request *req, enum location to);
/* The battery level of req's device, 0..1 (1 without a battery). */
double run_battery_frac(const struct run *run, const struct request *req);
/* What req would cost at tier `to` at its per-token price. */
double run_remote_cost_usd(const struct run *run, const struct request *req, enum location to);
/* Charges cost to this clock hour's budget if it fits within usd_per_hour; false if not. */
bool run_budget_charge(struct run *run, double cost_usd, double usd_per_hour);
/* Requests waiting at a tier as the orchestrator sees it: refreshed when older than
 * max_age_s. */
double run_view_waiting(struct run *run, enum location tier, double max_age_s);
/* Estimated end-to-end seconds of req on its device, and at a remote tier (arbiter
 * latency-aware). */
double run_estimate_device_s(const struct run *run, const struct request *req);
double run_estimate_remote_s(struct run *run, const struct request *req, enum location tier,
                             double max_age_s);

#endif
