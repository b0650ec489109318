/* scenario: a complete, validated description of one simulated system, loaded from a
 * YAML document (docs/scenario-reference.md lists every key).
 *
 * A system is one or more device populations (each with its devices' small model, its
 * workload and its links to the edge and the cloud), an optional edge tier (an enterprise
 * server with its own model, linked to the cloud), an optional cloud tier, the place where
 * the arbiter runs (the orchestrator) and the arbiter.
 *
 * Loading reads every key a scenario may hold; after scenario_load the caller runs
 * ydoc_check_unused() on the document to reject keys nobody read. A scenario borrows
 * strings from its document (names), so the document must outlive it. */
#ifndef HAISIM_SCENARIO_H
#define HAISIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "arbiter.h"
#include "energy.h"
#include "error.h"
#include "guidance.h"
#include "llm_perf.h"
#include "llm_quality.h"
#include "netlink.h"
#include "outputs.h"
#include "rag.h"
#include "request.h"
#include "server.h"
#include "thermal.h"
#include "trust.h"
#include "workload.h"
#include "ydoc.h"

struct run_config {
    double duration_s; /* arrivals stop at this time (0: no limit) */
    double warmup_s;   /* requests arriving earlier are not measured */
    int64_t requests;  /* arrivals stop after this many (0: no limit) */
};

/* A group of identical devices with one workload. */
struct population_config {
    const char *name;
    int64_t count;
    uint32_t first_device; /* index of its first device among all devices */
    struct llm_perf model;
    struct llm_quality quality; /* the device model's accuracy (and price, usually none) */
    struct energy_config power;
    struct thermal_config thermal;
    struct workload_config workload;
    bool has_link[LOCATION_COUNT]; /* links to the edge and the cloud */
    struct netlink_config link[LOCATION_COUNT];
    bool fail_on_link_failure; /* network.on_failure: fail; otherwise the device serves it */
};

/* A server tier (edge or cloud). */
struct tier_config {
    bool present;
    struct server_config server;
    struct llm_quality quality;
    struct guidance_config guidance; /* GKT: the tier writes guidance, devices finish */
    enum trust_level trust; /* `trust` (trust.h); default edge enterprise-edge, cloud third-party */
    int64_t attestation_ns; /* private-cloud: charged once per request that reaches the tier */
};

struct scenario {
    const char *name;
    uint64_t seed;
    int64_t replications;
    struct run_config run;
    struct population_config *populations;
    size_t n_populations;
    int64_t n_devices;                       /* over all populations */
    struct tier_config tier[LOCATION_COUNT]; /* [LOCATION_EDGE], [LOCATION_CLOUD] */
    bool has_edge_cloud_link;
    struct netlink_config edge_cloud; /* up: edge → cloud */
    enum location orchestrator;       /* where the arbiter runs */
    struct rag_config rag;
    struct trust_policy privacy; /* `privacy`: who may see which class of request */
    /* Service-level objective (`slo: {ttft_ms, tpot_ms, e2e_ms}`): a served request meets it
     * when it is within every target given; INFINITY when not given. */
    double slo_ttft_ms, slo_tpot_ms, slo_e2e_ms;
    struct outputs_config outputs;
    struct accuracy_datasets *datasets; /* replayed correctness files, shared by all models */
    struct arbiter_config arbiter;
};

/* The trust level of tier loc: the device's own, or the server tier's `trust`. */
static inline enum trust_level scenario_trust(const struct scenario *sc, enum location loc)
{
    return loc == LOCATION_DEVICE ? TRUST_DEVICE : sc->tier[loc].trust;
}

/* The lowest trust level that has seen req: the device's, or that of a tier its prompt
 * reached (request.h, tiers_seen). */
static inline enum trust_level scenario_lowest_trust_seen(const struct scenario *sc,
                                                          const struct request *req)
{
    enum trust_level lowest = TRUST_DEVICE;
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        if (request_seen_by(req, (enum location)loc) && sc->tier[loc].trust < lowest)
            lowest = sc->tier[loc].trust;
    return lowest;
}

/* Reads the scenario at the document root. On error the scenario is left freeable. */
int scenario_load(struct scenario *sc, struct ydoc *doc, struct error *err);
void scenario_free(struct scenario *sc);

#endif
