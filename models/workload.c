/* workload: Poisson arrivals and request lengths (see workload.h). */
#include "workload.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "load_util.h"

static const char *const workload_processes[] = {"poisson"};

int workload_config_load(struct workload_config *cfg, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *arrival, *prompt, *output;
    int process = 0;
    dist_constant(&cfg->prompt_tokens, 1);
    dist_constant(&cfg->output_tokens, 1);
    cfg->max_prompt_tokens = 1000000;
    cfg->max_output_tokens = 1000000;
    if (ydoc_require(map, "arrival", &arrival, err) != 0 ||
        ydoc_expect(arrival, YDOC_MAP, err) != 0 ||
        ydoc_read_enum(arrival, "process", workload_processes, 1, &process, err) != 0 ||
        load_required_f64(arrival, "rate_rps", RANGE_POSITIVE, &cfg->rate_rps, err) != 0)
        return -1;
    if (ydoc_require(map, "prompt_tokens", &prompt, err) != 0 ||
        dist_parse(&cfg->prompt_tokens, prompt, err) != 0 ||
        ydoc_require(map, "output_tokens", &output, err) != 0 ||
        dist_parse(&cfg->output_tokens, output, err) != 0)
        return -1;
    return ydoc_read_i64(map, "max_prompt_tokens", 1, INT32_MAX, &cfg->max_prompt_tokens, err) ||
           ydoc_read_i64(map, "max_output_tokens", 1, INT32_MAX, &cfg->max_output_tokens, err);
}

void workload_config_free(struct workload_config *cfg)
{
    dist_free(&cfg->prompt_tokens);
    dist_free(&cfg->output_tokens);
}

double workload_next_gap_s(const struct workload_config *cfg, gsl_rng *arrivals)
{
    return gsl_ran_exponential(arrivals, 1.0 / cfg->rate_rps);
}

static uint32_t workload_tokens(const struct dist *d, int64_t max_tokens, gsl_rng *rng)
{
    double x = round(dist_sample(d, rng));
    if (!(x >= 1.0)) /* also catches NaN */
        return 1;
    return x > (double)max_tokens ? (uint32_t)max_tokens : (uint32_t)x;
}

void workload_fill_request(const struct workload_config *cfg, uint32_t device_count,
                           gsl_rng *workload, struct request *req)
{
    req->device = (uint32_t)gsl_rng_uniform_int(workload, device_count);
    req->prompt_tokens = workload_tokens(&cfg->prompt_tokens, cfg->max_prompt_tokens, workload);
    req->output_tokens = workload_tokens(&cfg->output_tokens, cfg->max_output_tokens, workload);
}
