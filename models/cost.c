/* cost: API and GPU-hour pricing (see cost.h). */
#include "cost.h"

#include <stdint.h>
#include <string.h>

#include "load_util.h"

/* Upper bounds: well above any published price (GPT-4-32k output was $120 per 1M tokens;
 * cloud GPUs rent for a few dollars an hour), low enough to catch a price typed in cents
 * per token or similar unit slips. */
#define COST_MAX_USD_PER_MTOK 10000.0
#define COST_MAX_GPU_HOUR_USD 1000.0

int cost_load(struct cost_config *cfg, struct ydoc_node *map, struct error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = COST_PER_TOKEN;
    cfg->gpus = 1.0;
    if (!map)
        return 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0)
        return -1;

    struct ydoc_node *token_keys[] = {ydoc_get(map, "input_usd_per_mtok"),
                                      ydoc_get(map, "output_usd_per_mtok")};
    struct ydoc_node *gpu_keys[] = {ydoc_get(map, "gpu_hour_usd"), ydoc_get(map, "gpus")};
    struct ydoc_node *token_key = token_keys[0] ? token_keys[0] : token_keys[1];
    struct ydoc_node *gpu_key = gpu_keys[0] ? gpu_keys[0] : gpu_keys[1];
    if (token_key && gpu_key)
        return ydoc_error(gpu_key, err,
                          "a price is either per token (input_usd_per_mtok, output_usd_per_mtok) "
                          "or per GPU-hour (gpu_hour_usd, gpus), not both");
    if (!token_key && !gpu_key)
        return ydoc_error(map, err,
                          "expected input_usd_per_mtok and output_usd_per_mtok (API pricing) or "
                          "gpu_hour_usd and gpus (self-hosted)");

    if (token_key) {
        struct range r = RANGE_CLOSED(0.0, COST_MAX_USD_PER_MTOK);
        cfg->kind = COST_PER_TOKEN;
        if (load_required_f64(map, "input_usd_per_mtok", r, &cfg->input_usd_per_mtok, err) != 0 ||
            load_required_f64(map, "output_usd_per_mtok", r, &cfg->output_usd_per_mtok, err) != 0)
            return -1;
        return 0;
    }
    int64_t gpus = 1;
    cfg->kind = COST_PER_GPU_HOUR;
    if (load_required_f64(map, "gpu_hour_usd", RANGE_CLOSED(0.0, COST_MAX_GPU_HOUR_USD),
                          &cfg->gpu_hour_usd, err) != 0 ||
        ydoc_read_i64(map, "gpus", 1, 100000, &gpus, err) != 0)
        return -1;
    cfg->gpus = (double)gpus;
    return 0;
}

void cost_free(struct cost_config *cfg)
{
    (void)cfg; /* nothing is allocated; kept so that every loader has a matching free */
}

double cost_request_usd(const struct cost_config *cfg, double input_tokens, double output_tokens)
{
    if (cfg->kind != COST_PER_TOKEN)
        return 0.0;
    return (input_tokens * cfg->input_usd_per_mtok + output_tokens * cfg->output_usd_per_mtok) *
           1e-6;
}

double cost_busy_usd(const struct cost_config *cfg, double busy_s)
{
    if (cfg->kind != COST_PER_GPU_HOUR)
        return 0.0;
    return cfg->gpus * cfg->gpu_hour_usd * busy_s / 3600.0;
}

double cost_provisioned_usd(const struct cost_config *cfg, double seconds)
{
    if (cfg->kind != COST_PER_GPU_HOUR)
        return 0.0;
    return cfg->gpus * cfg->gpu_hour_usd * seconds / 3600.0;
}
