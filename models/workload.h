/* workload: what a device population asks for and when — its arrival process
 * (arrivals.h: Poisson, renewal, MMPP, diurnal, closed loop, trace replay) and its task
 * classes (tasks.h: lengths, difficulty, privacy, retrieval) — read from the population's
 * `workload:` map (docs/keys/workload.md).
 *
 * Common random numbers: the arrival process draws from the population's "arrivals/<name>"
 * stream and each request's task from its "workload/<name>" stream, in arrival order, which
 * no policy can influence for open-loop processes, so variants run on one seed see the same
 * requests. (In a closed loop, arrival times depend on response times, so they cannot.) */
#ifndef HAISIM_WORKLOAD_H
#define HAISIM_WORKLOAD_H

#include "arrivals.h"
#include "error.h"
#include "request.h"
#include "tasks.h"
#include "ydoc.h"

struct workload_config {
    struct arrival_config arrival;
    struct task_set tasks;
};

/* Reads `arrival` (required) and the task keys of a workload map. */
int workload_config_load(struct workload_config *cfg, struct ydoc_node *map, struct error *err);
void workload_config_free(struct workload_config *cfg);

/* Fills req's task fields from a draw, with the lengths the arrival carries (trace replay)
 * or the class's distributions. */
void workload_fill_request(const struct workload_config *cfg, const struct arrival *arrival,
                           gsl_rng *workload, struct request *req);

#endif
