/* speculation: co-located speculative decoding (see speculation.h). */
#include "speculation.h"

#include <math.h>
#include <string.h>

#include "rng.h"

int speculation_load(struct speculation_config *cfg, struct ydoc_node *tier_map, struct error *err)
{
    struct ydoc_node *map = ydoc_get(tier_map, "speculation");
    static const char *const drafters[] = {"colocated", "device"};
    int drafter = 0;
    int64_t gamma = 4;
    memset(cfg, 0, sizeof *cfg);
    cfg->alpha = 0.8;
    if (!map)
        return 0;
    cfg->enabled = true;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_i64(map, "gamma", 1, 64, &gamma, err) != 0 ||
        ydoc_read_f64(map, "alpha", (struct range){0, 1, false, true}, &cfg->alpha, err) != 0 ||
        ydoc_read_f64(map, "draft_cost", RANGE_CLOSED(0, 10), &cfg->draft_cost, err) != 0 ||
        ydoc_read_enum(map, "drafter", drafters, 2, &drafter, err) != 0)
        return -1;
    cfg->from_device = drafter == 1;
    cfg->gamma = (double)gamma;
    return 0;
}

/* Accepted draft tokens of one round: N with P(N ≥ k) = alpha^k, capped at gamma. */
static double speculation_accepted(const struct speculation_config *cfg, double u)
{
    if (cfg->alpha <= 0)
        return 0;
    double n = floor(log(u) / log(cfg->alpha));
    return n < cfg->gamma ? n : cfg->gamma;
}

double speculation_rounds(const struct speculation_config *cfg, double tokens, uint64_t seed,
                          uint32_t replication, uint64_t id)
{
    double produced = 0, rounds = 0;
    /* Round k's uniform is keyed by the request and the round: purpose = k + 1. */
    for (uint64_t k = 0; produced < tokens; k++) {
        double u = rng_hash_u01(seed ^ UINT64_C(0x737065632d646563), replication, id, k + 1);
        produced += speculation_accepted(cfg, u) + 1;
        rounds++;
    }
    return rounds;
}

double speculation_decode_steps(const struct speculation_config *cfg, double tokens, uint64_t seed,
                                uint32_t replication, uint64_t id)
{
    return speculation_rounds(cfg, tokens, seed, replication, id) *
           (cfg->gamma * cfg->draft_cost + 1);
}

double speculation_tokens_per_round(const struct speculation_config *cfg)
{
    return (1 - pow(cfg->alpha, cfg->gamma + 1)) / (1 - cfg->alpha);
}

double speculation_speedup(const struct speculation_config *cfg)
{
    return speculation_tokens_per_round(cfg) / (cfg->gamma * cfg->draft_cost + 1);
}
