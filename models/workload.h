/* workload: the open-loop request stream (first slice: Poisson arrivals) and the lengths
 * of each request.
 *
 * Arrivals form one Poisson process of rate `rate_rps` for the whole device population;
 * each request comes from a device chosen uniformly at random (for Poisson arrivals this is
 * the same as every device running its own Poisson process of rate rate_rps / count).
 * Prompt and output lengths are drawn from distributions, rounded to the nearest integer
 * and clamped to [1, max]. Everything here draws from the "arrivals" and "workload" RNG
 * streams in arrival order, which no policy can influence, so two variants run on one seed
 * see the same requests (common random numbers, DESIGN §3). */
#ifndef HAISIM_WORKLOAD_H
#define HAISIM_WORKLOAD_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "request.h"
#include "ydoc.h"

struct workload_config {
    double rate_rps;
    struct dist prompt_tokens;
    struct dist output_tokens;
    int64_t max_prompt_tokens;
    int64_t max_output_tokens;
};

/* Reads arrival {process: poisson, rate_rps}, prompt_tokens, output_tokens (distributions,
 * required) and the optional max_prompt_tokens / max_output_tokens. */
int workload_config_load(struct workload_config *cfg, struct ydoc_node *map, struct error *err);
void workload_config_free(struct workload_config *cfg);

/* Seconds to the next arrival. */
double workload_next_gap_s(const struct workload_config *cfg, gsl_rng *arrivals);

/* Fills a new request's origin device and lengths. */
void workload_fill_request(const struct workload_config *cfg, uint32_t device_count,
                           gsl_rng *workload, struct request *req);

#endif
