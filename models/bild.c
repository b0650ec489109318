/* bild: the Big-Little Decoder's token process and timing (see bild.h). */
#include "bild.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

#include "rng.h"

/* Keys BiLD's draws apart from every other rng_hash_u01 user ("bild-tok"). */
#define BILD_SALT UINT64_C(0x62696c642d746f6b)

enum bild_draw { BILD_DRAW_CONFIDENCE, BILD_DRAW_AGREEMENT, BILD_DRAW_DISAGREEMENT };

/* The token models fitted to Kim et al.'s table of score / speed-up at (α_RB, α_FB) (NeurIPS
 * 2023, as quoted in reference-numbers.md §1.3; docs/policies.md and docs/validation.md, "Big-
 * Little Decoder"): `calibration:` picks one as the defaults of the token-model keys.
 * "aligned" is a small model fine-tuned on the large model's outputs. */
struct bild_calibration {
    const char *name;
    double small_cost, confidence_a, confidence_b, agreement_exponent, confident_disagreement,
        disagreement_median_nats, disagreement_sigma;
};

static const struct bild_calibration bild_calibrations[] = {
    {"unaligned", 0.36, 1.48, 0.51, 0.28, 0.077, 2.27, 1.15},
    {"aligned", 0.36, 0.57, 0.092, 0.25, 0.065, 4.24, 1.09},
};
#define BILD_CALIBRATIONS (sizeof bild_calibrations / sizeof bild_calibrations[0])

static const char *const bild_calibration_names[BILD_CALIBRATIONS] = {"unaligned", "aligned"};

int bild_load(struct bild_config *cfg, struct ydoc_node *tier_map, struct error *err)
{
    struct ydoc_node *map = ydoc_get(tier_map, "big_little");
    int calibration = 0;
    *cfg = (struct bild_config){
        .fallback_threshold = 0.5, .rollback_threshold_nats = 3, .max_small_tokens = 10};
    if (map && (ydoc_expect(map, YDOC_MAP, err) != 0 ||
                ydoc_read_enum(map, "calibration", bild_calibration_names, BILD_CALIBRATIONS,
                               &calibration, err) != 0))
        return -1;
    const struct bild_calibration *c = &bild_calibrations[calibration];
    cfg->small_cost = c->small_cost;
    cfg->confidence_a = c->confidence_a;
    cfg->confidence_b = c->confidence_b;
    cfg->agreement_exponent = c->agreement_exponent;
    cfg->confident_disagreement = c->confident_disagreement;
    cfg->disagreement_median_nats = c->disagreement_median_nats;
    cfg->disagreement_sigma = c->disagreement_sigma;
    if (!map)
        return 0;
    cfg->enabled = true;
    const struct range shape = {0, 100, true, false};
    if (ydoc_read_f64(map, "fallback_threshold", RANGE_UNIT, &cfg->fallback_threshold, err) != 0 ||
        ydoc_read_f64(map, "rollback_threshold", (struct range){0, 1000, true, false},
                      &cfg->rollback_threshold_nats, err) != 0 ||
        ydoc_read_f64(map, "small_cost", RANGE_CLOSED(0, 10), &cfg->small_cost, err) != 0 ||
        ydoc_read_i64(map, "max_small_tokens", 1, 1000000000, &cfg->max_small_tokens, err) != 0 ||
        ydoc_read_f64(map, "confidence_a", shape, &cfg->confidence_a, err) != 0 ||
        ydoc_read_f64(map, "confidence_b", shape, &cfg->confidence_b, err) != 0 ||
        ydoc_read_f64(map, "agreement_exponent", shape, &cfg->agreement_exponent, err) != 0 ||
        ydoc_read_f64(map, "confident_disagreement", RANGE_UNIT, &cfg->confident_disagreement,
                      err) != 0 ||
        ydoc_read_f64(map, "disagreement_median_nats", shape, &cfg->disagreement_median_nats,
                      err) != 0 ||
        ydoc_read_f64(map, "disagreement_sigma", RANGE_CLOSED(0, 10), &cfg->disagreement_sigma,
                      err) != 0)
        return -1;
    return 0;
}

double bild_fallback_probability(const struct bild_config *cfg)
{
    return 1 - pow(1 - pow(cfg->fallback_threshold, cfg->confidence_a), cfg->confidence_b);
}

double bild_rollback_probability(const struct bild_config *cfg)
{
    double z = log(cfg->disagreement_median_nats / cfg->rollback_threshold_nats);
    if (cfg->disagreement_sigma == 0)
        return z > 0 ? 1 : 0;
    return gsl_cdf_ugaussian_P(z / cfg->disagreement_sigma);
}

/* The uniform of one draw at `position` (1-based output index) after `epoch` rollbacks. */
static double bild_u(uint64_t seed, uint32_t replication, uint64_t id, uint64_t epoch,
                     uint64_t position, enum bild_draw which)
{
    return rng_hash_u01(seed ^ BILD_SALT, replication, id,
                        (epoch << 34) ^ (position << 2) ^ (uint64_t)which);
}

void bild_decode(const struct bild_config *cfg, uint32_t tokens, uint64_t seed,
                 uint32_t replication, uint64_t id, struct bild_stats *acc)
{
    struct bild_stats s = {.requests = 1, .output_tokens = tokens};
    const double p_fallback = bild_fallback_probability(cfg);
    const double p_rollback = bild_rollback_probability(cfg);
    /* The small token agrees when u' < (1 − ε) c^κ, with c = Q(u) = (1 − (1 − u)^(1/b))^(1/a)
     * the Kumaraswamy quantile. A kept step has c ≥ α_FB, so u' < (1 − ε) α_FB^κ agrees
     * whatever c is: most steps are decided without the two powers. */
    const double keep = 1 - cfg->confident_disagreement, inv_b = 1 / cfg->confidence_b,
                 kappa_a = cfg->agreement_exponent / cfg->confidence_a,
                 sure_agree = keep * pow(cfg->fallback_threshold, cfg->agreement_exponent);
    const uint64_t max_run = (uint64_t)cfg->max_small_tokens;
    uint64_t done = tokens > 0 ? 1 : 0, epoch = 0; /* the prefill gave token 1 */
    while (done < tokens) {
        /* The small model's run: positions done + 1, … until a fallback, N tokens or the end. */
        uint64_t run = 0, first_bad = 0, differ = 0, differ_before_bad = 0;
        bool fell_back = false;
        while (done < tokens && run < max_run) {
            uint64_t pos = done + 1;
            s.small_steps++;
            double u = bild_u(seed, replication, id, epoch, pos, BILD_DRAW_CONFIDENCE);
            if (u < p_fallback) { /* c < α_FB: this step is thrown away */
                s.fallbacks++;
                fell_back = true;
                break;
            }
            double u_agree = bild_u(seed, replication, id, epoch, pos, BILD_DRAW_AGREEMENT);
            if (u_agree >= sure_agree && u_agree >= keep * pow(1 - pow(1 - u, inv_b), kappa_a)) {
                if (!first_bad && bild_u(seed, replication, id, epoch, pos,
                                         BILD_DRAW_DISAGREEMENT) < p_rollback) {
                    first_bad = pos;
                    differ_before_bad = differ;
                }
                differ++;
            }
            done++;
            run++;
        }
        if (done >= tokens && !fell_back) { /* the last run is not checked */
            s.kept_disagreements += (double)differ;
            break;
        }
        /* The large model's pass over the run, which also yields the next token. */
        s.large_passes++;
        if (first_bad) {
            s.rollbacks++;
            s.rolled_back_tokens += (double)(done - first_bad + 1);
            s.kept_disagreements += (double)differ_before_bad;
            done = first_bad; /* now the large model's token */
            epoch++;
            if (done < tokens) { /* one more large pass gives the token after it */
                s.large_passes++;
                done++;
            }
        } else {
            s.kept_disagreements += (double)differ;
            done++;
        }
    }
    s.decode_steps = cfg->small_cost * s.small_steps + s.large_passes;
    bild_stats_add(acc, &s);
}

double bild_slot_decode_s(const struct bild_config *cfg, const struct llm_perf *m,
                          const struct request *req, uint64_t seed, uint32_t replication,
                          struct bild_stats *acc)
{
    uint32_t out = req->output_tokens;
    double prefill_s = llm_perf_prefill_s(m, req->prompt_tokens);
    /* At the mean context, as llm_single_stream sums plain steps. */
    double step_s = llm_perf_decode_step_s(m, 1, req->prompt_tokens + out / 2.0);
    struct bild_stats s = {0};
    bild_decode(cfg, out, seed, replication, req->id, &s);
    double decode_s = cfg->small_cost * prefill_s + s.decode_steps * step_s;
    s.large_only_s = prefill_s + (out > 1 ? out - 1.0 : 0.0) * step_s;
    s.bild_s = prefill_s + decode_s;
    bild_stats_add(acc, &s);
    return decode_s;
}

void bild_stats_add(struct bild_stats *acc, const struct bild_stats *x)
{
    acc->requests += x->requests;
    acc->output_tokens += x->output_tokens;
    acc->small_steps += x->small_steps;
    acc->large_passes += x->large_passes;
    acc->fallbacks += x->fallbacks;
    acc->rollbacks += x->rollbacks;
    acc->rolled_back_tokens += x->rolled_back_tokens;
    acc->kept_disagreements += x->kept_disagreements;
    acc->decode_steps += x->decode_steps;
    acc->large_only_s += x->large_only_s;
    acc->bild_s += x->bild_s;
}

static double bild_per_token(const struct bild_stats *s, double count)
{
    return s->output_tokens > 0 ? count / s->output_tokens : NAN;
}

double bild_fallback_rate(const struct bild_stats *s)
{
    return bild_per_token(s, s->fallbacks);
}

double bild_rollback_rate(const struct bild_stats *s)
{
    return bild_per_token(s, s->rollbacks);
}

double bild_quality_loss(const struct bild_stats *s)
{
    return bild_per_token(s, s->kept_disagreements);
}

double bild_speedup(const struct bild_stats *s)
{
    return s->bild_s > 0 ? s->large_only_s / s->bild_s : NAN;
}
