/* scenario: a complete, validated description of one simulated system, loaded from a
 * YAML document (docs/scenario-reference.md lists every key).
 *
 * Loading reads every key a scenario may hold; after scenario_load the caller runs
 * ydoc_check_unused() on the document to reject keys nobody read. A scenario borrows
 * strings from its document (name), so the document must outlive it. */
#ifndef HAISIM_SCENARIO_H
#define HAISIM_SCENARIO_H

#include <stdint.h>

#include "arbiter.h"
#include "error.h"
#include "link.h"
#include "llm_timing.h"
#include "workload.h"
#include "ydoc.h"

struct run_config {
    double duration_s; /* arrivals stop at this time (0: no limit) */
    double warmup_s;   /* requests arriving earlier are not measured */
    int64_t requests;  /* arrivals stop after this many (0: no limit) */
};

struct device_config {
    int64_t count;
    struct llm_timing model;
};

struct cloud_config {
    int64_t slots; /* requests served at once, each at the model's single-stream speed */
    struct llm_timing model;
};

struct scenario {
    const char *name;
    uint64_t seed;
    int64_t replications;
    struct run_config run;
    struct workload_config workload;
    struct device_config devices;
    struct link_config network;
    struct cloud_config cloud;
    const struct arbiter_ops *arbiter;
};

/* Reads the scenario at the document root. On error the scenario is left freeable. */
int scenario_load(struct scenario *sc, struct ydoc *doc, struct error *err);
void scenario_free(struct scenario *sc);

#endif
