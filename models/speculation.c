/* speculation: speculative decoding's acceptance model and configuration (speculation.h). */
#include "speculation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "suggest.h"

static const char *const speculation_drafters[] = {"colocated", "device", "none"};
static const char *const speculation_payloads[] = {"ids", "distributions"};

int speculation_load(struct speculation_config *cfg, struct ydoc_node *tier_map, struct error *err)
{
    struct ydoc_node *map = ydoc_get(tier_map, "speculation");
    int drafter = 0, payload = SPECULATION_PAYLOAD_IDS;
    int64_t gamma = 4, gamma_max = 16;
    memset(cfg, 0, sizeof *cfg);
    cfg->alpha = 0.8;
    cfg->vocab_size = 32000; /* Llama 2's vocabulary */
    cfg->prob_bytes = 2;     /* fp16 */
    if (!map)
        return 0;
    cfg->enabled = true;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_i64(map, "gamma", 1, 64, &gamma, err) != 0 ||
        ydoc_read_f64(map, "alpha", (struct range){0, 1, false, true}, &cfg->alpha, err) != 0 ||
        ydoc_read_f64(map, "draft_cost", RANGE_CLOSED(0, 10), &cfg->draft_cost, err) != 0 ||
        ydoc_read_enum(map, "drafter", speculation_drafters, 3, &drafter, err) != 0 ||
        ydoc_read_bool(map, "adaptive", &cfg->adaptive, err) != 0 ||
        ydoc_read_bool(map, "stop_when_slower", &cfg->stop_when_slower, err) != 0 ||
        ydoc_read_i64(map, "gamma_max", 1, 64, &gamma_max, err) != 0 ||
        ydoc_read_enum(map, "payload", speculation_payloads, 2, &payload, err) != 0 ||
        ydoc_read_f64(map, "vocab_size", RANGE_CLOSED(1, 1e7), &cfg->vocab_size, err) != 0 ||
        ydoc_read_f64(map, "prob_bytes", RANGE_CLOSED(0, 16), &cfg->prob_bytes, err) != 0)
        return -1;
    cfg->from_device = drafter == 1;
    /* drafter: none keeps the map (a variant or sweep point without speculation) but turns
     * it off; its keys are still checked. */
    cfg->enabled = drafter != 2;
    cfg->gamma = (double)gamma;
    cfg->gamma_max = (double)gamma_max;
    cfg->payload = (enum speculation_payload)payload;
    if ((cfg->adaptive || payload != SPECULATION_PAYLOAD_IDS) && drafter == 0)
        return ydoc_error(map, err,
                          "adaptive and payload apply to device drafting (drafter: device)");
    if (cfg->stop_when_slower && !cfg->adaptive)
        return ydoc_error(ydoc_get(map, "stop_when_slower"), err,
                          "stop_when_slower goes with adaptive: true (it uses the same estimates)");
    if (cfg->adaptive && gamma > gamma_max)
        return ydoc_error(ydoc_get(map, "gamma"), err,
                          "the first round's gamma (%lld) exceeds gamma_max (%lld)",
                          (long long)gamma, (long long)gamma_max);
    cfg->alpha_by_class_node = ydoc_get(map, "alpha_by_class");
    if (cfg->alpha_by_class_node && ydoc_expect(cfg->alpha_by_class_node, YDOC_MAP, err) != 0)
        return -1;
    return 0;
}

void speculation_free(struct speculation_config *cfg)
{
    free(cfg->class_alpha);
    cfg->class_alpha = NULL;
    cfg->n_class_alpha = 0;
}

int speculation_bind_classes(struct speculation_config *cfg, const char *const *names, size_t n,
                             struct error *err)
{
    struct ydoc_node *map = cfg->alpha_by_class_node;
    if (!map || cfg->class_alpha)
        return 0;
    cfg->class_alpha = malloc(n * sizeof cfg->class_alpha[0]);
    if (!cfg->class_alpha)
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    cfg->n_class_alpha = n;
    for (size_t i = 0; i < n; i++)
        cfg->class_alpha[i] = cfg->alpha;
    for (size_t e = 0; e < ydoc_len(map); e++) {
        const char *key = ydoc_entry_key(map, e);
        struct ydoc_node *value = ydoc_entry_value(map, e);
        size_t i = 0;
        while (i < n && strcmp(names[i], key) != 0)
            i++;
        if (i == n) {
            const char *close = suggest_closest(key, names, n);
            return ydoc_error(value, err, "'%s' is not a task class of this scenario%s%s%s", key,
                              close ? " (did you mean '" : "", close ? close : "",
                              close ? "'?)" : "");
        }
        if (ydoc_as_f64(value, (struct range){0, 1, false, true}, &cfg->class_alpha[i], err) != 0)
            return -1;
    }
    return 0;
}

double speculation_alpha(const struct speculation_config *cfg, uint32_t class_index)
{
    return cfg->class_alpha && class_index < cfg->n_class_alpha ? cfg->class_alpha[class_index]
                                                                : cfg->alpha;
}

uint32_t speculation_accepted(double alpha, uint32_t gamma, uint64_t seed, uint32_t replication,
                              uint64_t id, uint64_t round)
{
    if (alpha <= 0)
        return 0;
    /* Round k's uniform is keyed by the request and the round: purpose = k + 1. P(N ≥ k) =
     * P(u ≤ alpha^k) = alpha^k. */
    double u = rng_hash_u01(seed ^ UINT64_C(0x737065632d646563), replication, id, round + 1);
    double n = floor(log(u) / log(alpha));
    return n < gamma ? (uint32_t)n : gamma;
}

double speculation_rounds(const struct speculation_config *cfg, double alpha, double tokens,
                          uint64_t seed, uint32_t replication, uint64_t id)
{
    double produced = 0, rounds = 0;
    for (uint64_t k = 0; produced < tokens; k++) {
        produced += speculation_accepted(alpha, (uint32_t)cfg->gamma, seed, replication, id, k) + 1;
        rounds++;
    }
    return rounds;
}

double speculation_expected_tokens(double alpha, double gamma)
{
    return (1 - pow(alpha, gamma + 1)) / (1 - alpha);
}

double speculation_break_even_s(double alpha, double gamma, double step_s, double draft_step_s)
{
    return step_s * (speculation_expected_tokens(alpha, gamma) - 1) - gamma * draft_step_s;
}

double speculation_tokens_per_round(const struct speculation_config *cfg)
{
    return speculation_expected_tokens(cfg->alpha, cfg->gamma);
}

double speculation_speedup(const struct speculation_config *cfg)
{
    return speculation_tokens_per_round(cfg) / (cfg->gamma * cfg->draft_cost + 1);
}

void speculation_explain(const struct speculation_config *cfg, double step_s, size_t n,
                         const char *const *names, const double *draft_step_s, const double *rtt_s,
                         const char *indent, FILE *out)
{
    if (!cfg->enabled)
        return;
    double e = speculation_tokens_per_round(cfg);
    fprintf(out,
            "%sspeculation: gamma %g, alpha %g%s: E[tokens per round] = (1 - a^(g+1)) / (1 - a) "
            "= %.4f (Leviathan eq. 1)\n",
            indent, cfg->gamma, cfg->alpha,
            cfg->class_alpha ? " (other classes: alpha_by_class)" : "", e);
    if (!cfg->from_device) {
        fprintf(out, "%s  co-located draft, c = %g: speed-up E / (g c + 1) = %.4f (theorem 3.8)\n",
                indent, cfg->draft_cost, speculation_speedup(cfg));
        return;
    }
    fprintf(out, "%s  drafted by the device%s%s; tier step T = %.4g ms at batch 1\n", indent,
            cfg->adaptive ? ", adaptive gamma" : "",
            cfg->payload == SPECULATION_PAYLOAD_DISTRIBUTIONS ? ", with distributions" : "",
            step_s * 1e3);
    for (size_t i = 0; i < n; i++) {
        double be_s = speculation_break_even_s(cfg->alpha, cfg->gamma, step_s, draft_step_s[i]);
        fprintf(out,
                "%s  devices '%s': t_d = %.4g ms; break-even RTT T (E - 1) - g t_d = %.4g ms; "
                "mean RTT %.4g ms: drafting %s at batch 1\n",
                indent, names[i], draft_step_s[i] * 1e3, be_s * 1e3, rtt_s[i] * 1e3,
                rtt_s[i] < be_s ? "pays off" : "does not pay off");
    }
}

double speculation_draft_extra_bytes(const struct speculation_config *cfg, double gamma)
{
    return cfg->payload == SPECULATION_PAYLOAD_DISTRIBUTIONS
               ? gamma * cfg->vocab_size * cfg->prob_bytes
               : 0;
}

double speculation_alpha_estimate(double prior_alpha, double accepted, double rejections)
{
    /* Two pseudo-rounds at the prior: 2·alpha/(1 − alpha) accepted tokens per 2 rejections
     * is the prior's own maximum-likelihood point. */
    double prior_rejections = 2, prior_accepted = 2 * prior_alpha / (1 - prior_alpha);
    return (accepted + prior_accepted) /
           (accepted + prior_accepted + rejections + prior_rejections);
}

double speculation_round_rate(double alpha_hat, double gamma, double draft_step_s,
                              double overhead_s)
{
    return speculation_expected_tokens(alpha_hat, gamma) / (gamma * draft_step_s + overhead_s);
}

uint32_t speculation_best_gamma(const struct speculation_config *cfg, double alpha_hat,
                                double draft_step_s, double overhead_s)
{
    uint32_t best = 1;
    double best_rate = -1;
    for (uint32_t g = 1; g <= (uint32_t)cfg->gamma_max; g++) {
        double rate = speculation_round_rate(alpha_hat, g, draft_step_s, overhead_s);
        if (rate > best_rate) {
            best_rate = rate;
            best = g;
        }
    }
    return best;
}
