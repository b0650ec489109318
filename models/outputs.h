/* outputs: optional detailed outputs of a run, asked for in the scenario and written to the
 * output directory (`haisim run -o DIR`):
 *
 *   outputs:
 *     requests: true            # DIR/requests.csv: one row per request, every timestamp
 *     timeseries_s: 10          # DIR/timeseries.csv: queue lengths, batch sizes, busy
 *                               #   devices and battery level every 10 simulated seconds
 *     trace: {from_s: 600, to_s: 630}   # DIR/trace.json: Chrome trace events of the requests
 *                               #   arriving in [from_s, to_s): open in https://ui.perfetto.dev
 *     replications: first       # first | all: which replications are written
 *
 * Rows are written as requests end (requests.csv) or at each sampling instant
 * (timeseries.csv), so memory stays O(requests in flight); files are written as
 * NAME.partial and renamed only when the whole experiment has succeeded. Every row names its
 * variant and replication. Times are seconds from the start of the run with nanosecond
 * precision, so the files are byte-identical across runs with the same seed. */
#ifndef HAISIM_OUTPUTS_H
#define HAISIM_OUTPUTS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "outfile.h"
#include "ydoc.h"

struct outputs_config {
    bool requests;
    double timeseries_s; /* 0: none */
    bool trace;
    double trace_from_s, trace_to_s;
    bool all_replications;
};

/* Reads the optional top-level `outputs` map. */
int outputs_config_load(struct outputs_config *cfg, struct ydoc_node *root, struct error *err);

/* True when the config asks for any file. */
bool outputs_wanted(const struct outputs_config *cfg);

struct run;
struct request;

/* The open output files of an experiment. */
struct outputs {
    const char *dir;
    struct outfile requests, timeseries, trace;
    bool requests_open, timeseries_open, trace_open;
    uint64_t trace_events;
    /* what the run being observed is */
    const char *variant;
    uint32_t replication;
    const struct outputs_config *cfg;
};

/* Opens the files that cfg asks for (once per experiment; later calls open what is new). */
int outputs_open(struct outputs *o, const char *dir, const struct outputs_config *cfg,
                 struct error *err);

/* Whether a replication is written. */
bool outputs_covers(const struct outputs_config *cfg, uint32_t replication);

/* Hooks called by the run (run.h's observer). */
void outputs_request_end(void *ctx, const struct run *run, const struct request *req);
void outputs_sample(void *ctx, const struct run *run);

/* Completes (renames) the files, or removes them when ok is false. */
int outputs_close(struct outputs *o, bool ok, struct error *err);

#endif
